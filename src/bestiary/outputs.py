"""Atomic, all-or-nothing outputs.

Each output is written to a temporary file beside its target; only when every
output of a build is ready are they renamed into place. A build that fails or
is interrupted removes its temporary files and leaves the previous outputs as
they were.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from types import TracebackType

PART_SUFFIX = ".part"


class StagedOutputs:
    """Use as a context manager: commits on success, discards on any exception (Ctrl-C included)."""

    def __init__(self) -> None:
        self._staged: list[tuple[Path, Path]] = []

    def add(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=PART_SUFFIX, dir=path.parent)
        temporary = Path(name)
        self._staged.append((temporary, path))
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        temporary.chmod(0o644)

    def commit(self) -> None:
        for temporary, path in self._staged:
            os.replace(temporary, path)
        self._staged.clear()

    def discard(self) -> None:
        for temporary, _ in self._staged:
            temporary.unlink(missing_ok=True)
        self._staged.clear()

    def __enter__(self) -> StagedOutputs:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()


def remove_litter(folder: Path) -> None:
    """Temporary files left by a build that was killed outright (SIGKILL, power loss)."""
    for pattern in (f".*{PART_SUFFIX}", f"*/.*{PART_SUFFIX}"):
        for path in folder.glob(pattern):
            path.unlink(missing_ok=True)
