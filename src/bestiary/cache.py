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
cannot be written (read-only home, full disk) is simply not used.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import os
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

_MAGIC = b"bestiary-cache 1\n"
_DIGEST = 32
DEFAULT_LIMIT_MIB = 2048
TOOLCHAIN_LIBRARIES = ("weasyprint", "pydyf", "pikepdf", "pypdf", "fonttools", "pyphen", "tinycss2", "cssselect2",
                       "pillow", "ebooklib", "jinja2", "lxml")


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
    """A folder of checksummed entries; `Cache(None)` keeps nothing."""

    def __init__(self, folder: Path | None, limit: int | None = None):
        self.folder = folder
        self.limit = default_limit() if limit is None else limit
        self.hits = 0
        self.misses = 0

    @classmethod
    def default(cls) -> Cache:
        return cls(default_folder())

    def _path(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / key[:2] / key

    def get(self, key: str) -> bytes | None:
        """The entry kept under `key`, or None when there is none or it cannot be trusted (it is then removed)."""
        if self.folder is None:
            return None
        path = self._path(key)
        try:
            data = path.read_bytes()
        except OSError:
            self.misses += 1
            return None
        header = _MAGIC + key.encode() + b"\n"
        body = data[len(header) + _DIGEST:]
        if not data.startswith(header) or hashlib.sha256(body).digest() != data[len(header):len(header) + _DIGEST]:
            with contextlib.suppress(OSError):
                path.unlink()
            self.misses += 1
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # used now: evicted last
        self.hits += 1
        return body

    def put(self, key: str, data: bytes) -> None:
        """Keep `data` under `key`, written whole or not at all; a cache that cannot be written is skipped."""
        if self.folder is None:
            return
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".entry-")
            try:
                with os.fdopen(descriptor, "wb") as file:
                    file.write(_MAGIC + key.encode() + b"\n" + hashlib.sha256(data).digest() + data)
                os.replace(temporary, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
        except OSError:
            self.folder = None  # unwritable (read-only, full): build on without a cache

    def _entries(self) -> list[tuple[float, int, Path]]:
        if self.folder is None or not self.folder.is_dir():
            return []
        found = []
        for shard in self.folder.iterdir():
            if shard.is_dir() and len(shard.name) == 2:
                for entry in shard.iterdir():
                    with contextlib.suppress(OSError):
                        status = entry.stat()
                        found.append((status.st_mtime, status.st_size, entry))
        return found

    def size(self) -> int:
        return sum(size for _, size, _ in self._entries())

    def prune(self) -> None:
        """Remove the entries used longest ago until the cache is within its cap."""
        entries = sorted(self._entries())
        total = sum(size for _, size, _ in entries)
        for _, size, path in entries:
            if total <= self.limit:
                break
            with contextlib.suppress(OSError):
                path.unlink()
                total -= size

    def clear(self) -> int:
        """Empty the cache; returns how many bytes it held."""
        entries = self._entries()
        for _, _, path in entries:
            with contextlib.suppress(OSError):
                path.unlink()
        if self.folder is not None and self.folder.is_dir():
            for shard in self.folder.iterdir():
                with contextlib.suppress(OSError):
                    if shard.is_dir() and len(shard.name) == 2:
                        for leftover in shard.glob(".entry-*"):
                            leftover.unlink()
                        shard.rmdir()
        return sum(size for _, size, _ in entries)


def toolchain_fingerprint(folders: Iterable[Path]) -> str:
    """A hash of what lays out a document besides its HTML: our code, layouts, fonts and library versions."""
    digest = hashlib.sha256(sys.version.encode())
    for library in TOOLCHAIN_LIBRARIES:
        try:
            digest.update(f"{library} {importlib.metadata.version(library)}\n".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(f"{library} absent\n".encode())
    with contextlib.suppress(Exception):
        from weasyprint.text.ffi import pango

        digest.update(f"pango {pango.pango_version()}\n".encode())
    package = Path(__file__).resolve().parent
    for folder in (package, *folders):
        for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
