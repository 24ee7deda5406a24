"""Atomic, all-or-nothing outputs, one build at a time per output folder.

Each output is written to a file in a staging folder of our own inside the
output folder (`.bestiary-staging/`); only when every output of a build is
ready are they renamed into place. A build that fails or is interrupted
removes its staged files and leaves the previous outputs as they were.

Only files this tool created are ever removed: the staged `NNNNN.part` files
in our staging folder, which a build killed outright (`kill -9`, power loss)
may leave behind for the next build to sweep. Nothing else in the output
folder is touched, whatever its name.

A build holds an exclusive lock on the output folder (`flock` on the folder
itself, so no lock file is left behind) from before its first write until it
has committed or discarded: a second build into the same folder waits.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from .errors import OutputError

try:
    import fcntl
except ImportError:  # not on Windows: builds there are not serialised
    fcntl = None  # type: ignore[assignment]

STAGING_FOLDER = ".bestiary-staging"
_STAGED_NAME = re.compile(r"^\d{5}\.part$")


def describe_os_error(error: OSError, path: Path) -> str:
    """An I/O error as one line that names the file: 'cannot write dist/x.pdf: No space left on device'."""
    return f"{path}: {error.strerror or error}"


class OutputFolderLock:
    """An exclusive lock on an output folder, held as a context manager; creates the folder if needed."""

    def __init__(self, folder: Path, on_wait: Callable[[str], None] | None = None):
        self.folder = folder
        self.on_wait = on_wait
        self._descriptor: int | None = None

    def __enter__(self) -> OutputFolderLock:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._descriptor = os.open(self.folder, os.O_RDONLY)
        except OSError as error:
            raise OutputError(f"cannot use the output folder {describe_os_error(error, self.folder)}") from error
        if fcntl is not None:
            try:
                fcntl.flock(self._descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if self.on_wait:
                    self.on_wait(f"another bestiary build is writing to {self.folder}; waiting for it to finish")
                fcntl.flock(self._descriptor, fcntl.LOCK_EX)
        remove_litter(self.folder)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if self._descriptor is not None:
            os.close(self._descriptor)  # closing releases the lock
            self._descriptor = None


class StagedOutputs:
    """Use as a context manager: commits on success, discards on any exception (Ctrl-C included)."""

    def __init__(self, out_dir: Path) -> None:
        self.staging = out_dir / STAGING_FOLDER
        self._staged: list[tuple[Path, Path]] = []

    def add(self, path: Path, data: bytes) -> bool:
        """Stage `data` for `path`; False (nothing staged) when the file already holds exactly these bytes,
        so that a rebuild with nothing new leaves every output, and its modification time, as it was."""
        if holds(path, data):
            return False
        temporary = self.staging / f"{len(self._staged) + 1:05d}.part"
        try:
            self.staging.mkdir(exist_ok=True)
            self._staged.append((temporary, path))
            with open(temporary, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            temporary.chmod(0o644)
        except OSError as error:
            raise OutputError(f"cannot write {describe_os_error(error, path)}") from error
        return True

    def commit(self) -> None:
        """Rename every staged file into place; on a failure, discard what is left and name the file."""
        try:
            for temporary, path in list(self._staged):
                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(temporary, path)
                except OSError as error:
                    raise OutputError(f"cannot write {describe_os_error(error, path)}") from error
                self._staged.remove((temporary, path))
        finally:
            self.discard()

    def discard(self) -> None:
        for temporary, _ in self._staged:
            temporary.unlink(missing_ok=True)
        self._staged.clear()
        remove_litter(self.staging.parent)

    def __enter__(self) -> StagedOutputs:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()


def holds(path: Path, data: bytes) -> bool:
    """Whether `path` is a regular file (not a link) holding exactly `data`."""
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size != len(data):
            return False
        with open(path, "rb") as stream:
            return stream.read() == data
    except OSError:
        return False


def remove_litter(folder: Path) -> None:
    """Staged files a killed build left in our staging folder; nothing else, whatever its name."""
    staging = folder / STAGING_FOLDER
    if staging.is_symlink() or not staging.is_dir():
        return
    for path in staging.iterdir():
        if _STAGED_NAME.match(path.name) and path.is_file() and not path.is_symlink():
            path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        staging.rmdir()  # only when empty: anything else in it is not ours to delete
