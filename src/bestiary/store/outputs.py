"""Atomic, all-or-nothing outputs, one build at a time per output folder.

The guarantee: a build's outputs are put in place all together or not at all,
beside whatever else the output folder holds. A build that fails or is
interrupted before its commit changes no output. Once its commit has begun,
every one of its outputs is put in place: by the build itself, which lets
Ctrl-C and SIGTERM take effect only after its last rename (and then raises
`OutputsInPlace`, so that its message can say so), or, when it was killed
outright (`kill -9`, power loss), by the next `build`, `dossier` or `check`
into that folder, before anything else.

How (the staging folder and the journal are `staging`'s):

1. Each output is written to `.bestiary-staging/NNNNN.part` in the output
   folder, created afresh (`O_EXCL`, never through a link, mode 644 whatever
   the umask) and synced to disk. The staging folder is refused when it is
   not ours alone: a link, a file, another user's, or writable by anyone else.
2. With every output staged, the commit checks what it can (a folder in an
   output's place, an output folder it cannot write to or on another file
   system), writes the journal of (staged file, output) pairs and syncs it,
   renames each staged file into place, syncs, and removes the journal.
3. Whoever next locks the folder and finds a journal rolls it forward: renames
   the staged files still there and removes it (`check` looks in its `--out`,
   ./dist by default as for the commands that write, and locks nothing when
   no journal is there). Forward, not back: every
   staged file was complete and on disk before the journal existed, so the
   renames can always be finished, whereas going back would need a copy of
   every output replaced and would discard a build that had done its work.

A rename that fails after the journal (a folder made read-only meanwhile)
leaves the journal for the next build to finish, and the error says so.

Only files this tool created are ever removed: staged `NNNNN.part` files a
failed or killed build left in our staging folder (never while a journal
needs them; a link by that name there is removed, never followed), and a
journal's half-written draft. Nothing else in the output folder is touched,
whatever its name.

A build holds an exclusive lock on the output folder (`flock` on the folder
itself, so no lock file is left behind) from before its first write until it
has committed or discarded: a second build into the same folder waits.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType

from ..errors import OutputError, describe_os_error
from ..safe_files import holds
from .staging import (
    JOURNAL,
    STAGING_FOLDER,
    open_staging,
    remove_journal,
    remove_litter,
    rename_all,
    roll_forward,
    staged_name,
    write_journal,
)

if sys.platform != "win32":  # Windows has no fcntl: builds there are not serialised
    import fcntl

__all__ = ["STAGING_FOLDER", "OutputFolderLock", "OutputsInPlace", "StagedOutputs", "describe_os_error",
           "finish_interrupted_commit", "remove_litter"]

_PUBLISHED = 0o644  # an output: anyone may read it


class OutputsInPlace(KeyboardInterrupt):
    """Ctrl-C or SIGTERM that came once a build's commit had begun: its new outputs are all in place."""


class OutputFolderLock:
    """An exclusive lock on an output folder, held as a context manager; creates the folder if needed.

    Taking it first finishes a commit that was cut short (`finished` lists the outputs it put in
    place), then sweeps the litter of failed or killed builds.
    """

    def __init__(self, folder: Path, on_wait: Callable[[str], None] | None = None):
        self.folder = folder
        self.on_wait = on_wait
        self.finished: tuple[Path, ...] = ()
        self._descriptor: int | None = None

    def __enter__(self) -> OutputFolderLock:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._descriptor = os.open(self.folder, os.O_RDONLY)
        except OSError as error:
            raise OutputError(f"cannot use the output folder {describe_os_error(error, self.folder)}") from error
        try:
            if sys.platform != "win32":
                try:
                    fcntl.flock(self._descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    if self.on_wait:
                        self.on_wait(f"another bestiary build is writing to {self.folder}; waiting for it to finish")
                    fcntl.flock(self._descriptor, fcntl.LOCK_EX)
            with _interrupts_deferred():  # a roll forward, too, is finished once begun
                self.finished = roll_forward(self.folder)
            remove_litter(self.folder)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if self._descriptor is not None:
            os.close(self._descriptor)  # closing releases the lock
            self._descriptor = None


def finish_interrupted_commit(out_dir: Path, on_wait: Callable[[str], None] | None = None) -> tuple[Path, ...]:
    """The outputs of a build killed during its commit into `out_dir`, put in place now (under the lock);
    without a journal there, nothing is locked, made or touched."""
    if not os.path.lexists(out_dir / STAGING_FOLDER / JOURNAL):
        return ()
    with OutputFolderLock(out_dir, on_wait) as lock:
        return lock.finished


class StagedOutputs:
    """Use as a context manager: commits on success, discards on any exception before the commit."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.staging = out_dir / STAGING_FOLDER
        self.committed = False  # the journal is written: every staged output is, or will be, in place
        self._staged: list[tuple[str, Path]] = []  # staged file name, output path
        self._descriptor: int | None = None  # the staging folder's

    def add(self, path: Path, data: bytes) -> bool:
        """Stage `data` for `path` (inside the output folder); False (nothing staged) when the file already
        holds exactly these bytes, so that a rebuild with nothing new leaves every output, and its
        modification time, as it was."""
        if holds(path, data):
            return False
        try:
            if self._descriptor is None:
                self._descriptor = open_staging(self.out_dir, create=True)
            name = staged_name(len(self._staged) + 1)
            descriptor = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                                 _PUBLISHED, dir_fd=self._descriptor)
            self._staged.append((name, path))
            with os.fdopen(descriptor, "wb") as stream:
                os.fchmod(descriptor, _PUBLISHED)  # whatever the umask; on the file opened, never by its path
                stream.write(data)
                stream.flush()
                os.fsync(descriptor)
        except OSError as error:
            raise OutputError(f"cannot write {describe_os_error(error, path)}") from error
        return True

    def commit(self) -> None:
        """Put every staged output in place. An error before the journal changes no output; after it, the
        outputs not yet in place are left for the next build, and the error says so."""
        try:
            staging = self._descriptor
            if not self._staged or staging is None:  # nothing staged (the staging folder is opened by the first)
                return
            renames = [(name, path.relative_to(self.out_dir).as_posix()) for name, path in self._staged]
            self._check_destinations(staging)
            with _interrupts_deferred():
                write_journal(self.out_dir, staging, renames)
                self.committed = True
                try:
                    rename_all(self.out_dir, staging, renames)
                except OutputError as error:
                    raise OutputError(f"{error}; the next build (or bestiary check) puts the new outputs "
                                      "in place") from error
                remove_journal(staging)
        finally:
            self.discard()

    def _check_destinations(self, staging: int) -> None:
        """Fail before the journal, not between renames, for what can be known: a folder in an output's
        place, an output folder we cannot write to, or one on another file system (renames cannot cross)."""
        device = os.fstat(staging).st_dev
        for _, path in self._staged:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                if path.is_dir() and not path.is_symlink():
                    raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
                if not os.access(path.parent, os.W_OK | os.X_OK):
                    raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
                if path.parent.stat().st_dev != device:
                    raise OSError(f"on another file system than {self.out_dir}")
            except OSError as error:
                raise OutputError(f"cannot write {describe_os_error(error, path)}") from error

    def discard(self) -> None:
        """Remove what this build staged, unless a journal still needs it; release the staging folder."""
        if not self.committed:
            for name, _ in self._staged:
                with contextlib.suppress(OSError):
                    os.unlink(name, dir_fd=self._descriptor)
        self._staged.clear()
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None
        remove_litter(self.out_dir)

    def __enter__(self) -> StagedOutputs:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()


@contextlib.contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the block has run, then take effect as they would have; an error in the
    block drops them (it ends the build anyway). Only the main thread receives them, so only it defers."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    arrived: list[int] = []
    deferred = [number for number in (signal.SIGINT, signal.SIGTERM) if signal.getsignal(number) is not None]
    previous = {number: signal.signal(number, lambda received, frame: arrived.append(received))
                for number in deferred}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    for received in dict.fromkeys(arrived):
        signal.raise_signal(received)


def remove_stale_files(folder: Path, kept: frozenset[Path]) -> None:
    """Remove from `folder` (the web edition's) every file a build did not write, and the folders left empty: pages
    of specimens since removed. Done after the commit (a build that fails removes nothing); links are removed,
    never followed, and a file that cannot be removed is left."""
    if folder.is_symlink() or not folder.is_dir():
        return
    for parent, subfolders, files in os.walk(folder, topdown=False):
        for name in files + [entry for entry in subfolders if Path(parent, entry).is_symlink()]:
            path = Path(parent, name)
            if path not in kept:
                with contextlib.suppress(OSError):
                    path.unlink()
        if Path(parent) != folder:
            with contextlib.suppress(OSError):
                Path(parent).rmdir()  # only when empty


def finished_line(paths: tuple[Path, ...]) -> str:
    """The outputs of a build killed during its commit, put in place since, as one line (three named)."""
    named = ", ".join(str(path) for path in paths[:3])
    more = f" and {len(paths) - 3} more" if len(paths) > 3 else ""
    return f"finished an interrupted build: put {named}{more} in place"
