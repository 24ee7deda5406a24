"""The build cache: what was laid out before, kept under the hash of everything that made it.

An entry's key is a SHA-256 of its inputs (the HTML and stylesheets of a
chunk or dossier, how it is finished) and of the toolchain (this package's
code, the layouts, the fonts and the versions of the libraries that lay out
and write PDFs), so a stale entry is never asked for again: it ages out. Each
entry carries its own key and a checksum of its contents; one that is
truncated, corrupt or misplaced is removed and laid out again, never trusted.

The cache lives outside the output folder: `$BESTIARY_CACHE_DIR`, else
`$XDG_CACHE_HOME/bestiary`, else `~/.cache/bestiary`. It is capped
(`$BESTIARY_CACHE_SIZE`, in MiB, 2048 by default): after each build the
entries used longest ago go first. `bestiary clean` empties it. A cache that
cannot be written (read-only home, full disk) is simply not used; one that this
user cannot trust is not used either, and says why (`Cache.refused`). Entries
are named by their keys (`_ENTRY_NAME`), in folders named by the keys' first two
characters, and begin with their own key: `prune` and `clean` remove only what
is an entry by both, never through a link.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path

from ..errors import RequestError
from ..resources import source_folder_holding
from ..safe_files import FOLDER_FLAGS, create_file, read_regular, untrusted_reason

_MAGIC = b"bestiary-cache 1\n"
_DIGEST = 32
_ENTRY_NAME = re.compile(r"(?:[a-z-]+:)?[0-9a-f]{64}")  # a key: a SHA-256, perhaps after its kind ("manifest:")
_SHARD = re.compile(r"[0-9a-z]{2}")
_UNFINISHED_NAME = re.compile(r"\.entry-\w+")  # a write that a stopped build never renamed into place
DEFAULT_LIMIT_MIB = 2048


def default_folder() -> Path:
    configured = os.environ.get("BESTIARY_CACHE_DIR", "").strip()
    if configured:
        return Path(configured)
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(xdg) if xdg else Path.home() / ".cache") / "bestiary"


def default_limit() -> int:
    configured = os.environ.get("BESTIARY_CACHE_SIZE", "").strip()
    mebibytes = int(configured) if configured.isdigit() else DEFAULT_LIMIT_MIB
    return mebibytes * 1024 * 1024


class Cache:
    """A folder of checksummed entries; `Cache(None)` keeps nothing.

    The folder is made if missing (mode 700) and used only if this user may trust it
    (`safe_files.untrusted_reason`: owned by another user, or writable by others, it could hold
    entries someone else wrote). Otherwise the cache keeps nothing and `refused` says why in one line,
    which the command line prints as a warning: it is about the machine, not the book, so it has no
    W code and `--strict` does not fail on it. Entries are reached through open folders, never through
    a link; what is not a regular file is skipped, never read and never removed.
    """

    def __init__(self, folder: Path | None, limit: int | None = None):
        self.folder, self.refused = _trusted(folder) if folder is not None else (None, None)
        self.limit = default_limit() if limit is None else limit

    @classmethod
    def default(cls) -> Cache:
        return cls(default_folder())

    @classmethod
    def for_book(cls, book_dir: Path) -> Cache:
        """The build cache for a build of `book_dir`; a `RequestError` (exit 2), before anything is built or
        made, when its folder lies inside the book, the layouts or the fonts: writing it would change the
        sources it is kept for, every build would find its inputs changed, and `serve` would rebuild on its
        own writes forever."""
        folder = default_folder()
        holding = source_folder_holding(folder, book_dir)
        if holding is not None:
            name, source = holding
            raise RequestError(f"expected the build cache outside {name} ({source}), found {folder} inside it "
                               "(writing it would change the sources); set BESTIARY_CACHE_DIR to a folder "
                               "outside them")
        return cls(folder)

    def get(self, key: str) -> bytes | None:
        """The entry kept under `key`, or None when there is none, when it is not a regular file (left
        alone), or when it cannot be trusted (truncated, corrupt, misplaced: then removed)."""
        body = None
        if self.folder is not None:
            with contextlib.suppress(OSError), self._shard(_checked(key)[:2]) as shard:
                body = _body(key, read_regular(key, dir_fd=shard)[0])
                if body is None:
                    os.unlink(key, dir_fd=shard)  # a regular file at this entry's name: the next put replaces it
                else:
                    os.utime(key, dir_fd=shard, follow_symlinks=False)  # used now: evicted last
        return body

    def put(self, key: str, data: bytes) -> None:
        """Keep `data` under `key`, written whole or not at all; a cache that cannot be written is skipped."""
        if self.folder is None:
            return
        temporary = f".entry-{secrets.token_hex(8)}"
        try:
            with self._shard(_checked(key)[:2], create=True) as shard:
                create_file(temporary, _header(key) + hashlib.sha256(data).digest() + data, mode=0o600,
                            dir_fd=shard)
                try:
                    os.replace(temporary, key, src_dir_fd=shard, dst_dir_fd=shard)
                except BaseException:
                    with contextlib.suppress(OSError):
                        os.unlink(temporary, dir_fd=shard)
                    raise
        except OSError:
            self.folder = None  # unwritable (read-only, full): build on without a cache

    @contextlib.contextmanager
    def _shard(self, name: str, *, create: bool = False) -> Iterator[int]:
        """The shard folder `name`, open (made first if `create`); raises OSError when it is missing or a link."""
        assert self.folder is not None
        root = os.open(self.folder, FOLDER_FLAGS)
        try:
            if create:
                with contextlib.suppress(FileExistsError):
                    os.mkdir(name, 0o700, dir_fd=root)
            shard = os.open(name, FOLDER_FLAGS, dir_fd=root)
        finally:
            os.close(root)
        try:
            yield shard
        finally:
            os.close(shard)

    def _entries(self, *, unfinished: bool = False) -> list[tuple[float, int, str, str]]:
        """Every entry as (last used, size, shard, name): a regular file in a shard folder, named and begun
        as an entry; with `unfinished`, the writes a stopped build left too. Found without following a link."""
        try:
            shards = sorted(name for name in os.listdir(self.folder) if _SHARD.fullmatch(name)) if self.folder else []
        except OSError:
            return []
        found = []
        for shard_name in shards:
            with contextlib.suppress(OSError), self._shard(shard_name) as shard:
                for name in sorted(os.listdir(shard)):
                    status = _kept(shard, shard_name, name, unfinished)
                    if status is not None:
                        found.append((status.st_mtime, status.st_size, shard_name, name))
        return found

    def _remove(self, shard_name: str, name: str) -> bool:
        with contextlib.suppress(OSError), self._shard(shard_name) as shard:
            os.unlink(name, dir_fd=shard)
            return True
        return False

    def size(self) -> int:
        return sum(size for _, size, _, _ in self._entries())

    def prune(self) -> None:
        """Remove the entries used longest ago until the cache is within its cap."""
        entries = sorted(self._entries())
        total = sum(size for _, size, _, _ in entries)
        for _, size, shard_name, name in entries:
            if total <= self.limit:
                break
            if self._remove(shard_name, name):
                total -= size

    def clear(self) -> int:
        """Empty the cache of its entries, and of the shard folders they leave empty; returns the bytes freed.
        Nothing else is removed, whatever its name: not a link, nor anything a link leads to."""
        freed = sum(size for _, size, shard_name, name in self._entries(unfinished=True)
                    if self._remove(shard_name, name))
        folder = self.folder
        if folder is None:  # a cache not in use keeps no folder
            return freed
        with contextlib.suppress(OSError):
            for shard_name in os.listdir(folder):
                if _SHARD.fullmatch(shard_name):
                    with contextlib.suppress(OSError):
                        os.rmdir(folder / shard_name)  # only an empty folder, never a link
        return freed


def _trusted(folder: Path) -> tuple[Path | None, str | None]:
    """The real path of `folder` (made if missing) if this user may trust it, else None and why not.
    A folder that cannot be made or read (read-only home, a file in the way) is not used, quietly."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        real = folder.resolve(strict=True)
        reason = untrusted_reason(real)
    except (OSError, RuntimeError):  # RuntimeError: a loop of links, before Python 3.13
        return None, None
    if reason is not None:
        return None, f"not using the build cache {folder}: {reason}"
    return real, None


def _checked(key: str) -> str:
    if not _ENTRY_NAME.fullmatch(key):
        raise ValueError(f"not a cache key: {key!r}")  # a name `clean` would not know for an entry
    return key


def _header(key: str) -> bytes:
    return _MAGIC + key.encode() + b"\n"


def _body(key: str, data: bytes) -> bytes | None:
    """The contents of an entry read whole, or None unless it is the entry of `key` with its checksum right."""
    header = _header(key)
    body = data[len(header) + _DIGEST:]
    if data.startswith(header) and hashlib.sha256(body).digest() == data[len(header):len(header) + _DIGEST]:
        return body
    return None


def _kept(shard: int, shard_name: str, name: str, unfinished: bool) -> os.stat_result | None:
    """The status of `name` in the open `shard` if it is a regular file that is an entry by its name and its
    first line (or, if `unfinished`, a write of one that never finished: empty, or begun as ours), else None."""
    if _ENTRY_NAME.fullmatch(name) and name.startswith(shard_name):
        expected, finished = _header(name), True
    elif unfinished and _UNFINISHED_NAME.fullmatch(name):
        expected, finished = _MAGIC, False
    else:
        return None
    try:
        begins, status = read_regular(name, dir_fd=shard, limit=len(expected))
    except OSError:
        return None
    return status if begins == expected or (not finished and expected.startswith(begins)) else None
