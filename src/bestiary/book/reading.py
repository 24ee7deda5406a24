"""Reading a book file safely: what is not a regular, readable, reasonably sized UTF-8 file is
refused, with a located diagnostic, before it is read (a FIFO would hang, a sparse file of gigabytes
would fill memory)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .. import errors
from ..errors import Diagnostic

MAX_FILE_BYTES = 1_000_000


_FILE_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
               (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"))


def file_problem(path: Path, shown: str) -> Diagnostic | None:
    """Why `path` cannot be read as a book file (not a regular file, unreadable, too large), or None."""
    try:
        info = os.stat(path)
    except OSError as error:
        return _unreadable(shown, f"expected a readable file, found {_reason(error)}")
    kind = next((name for test, name in _FILE_KINDS if test(info.st_mode)), None)
    if kind is not None or not stat.S_ISREG(info.st_mode):
        return _unreadable(shown, f"expected a regular file, found {kind or 'a special file'}")
    if info.st_size > MAX_FILE_BYTES:
        return Diagnostic(shown, 1, 1, errors.TOO_LARGE, "",
                          f"expected a file under {MAX_FILE_BYTES:,} bytes, found {info.st_size:,} bytes")
    return None


def _unreadable(shown: str, message: str) -> Diagnostic:
    return Diagnostic(shown, 1, 1, errors.UNREADABLE, "", message)


def _reason(error: OSError) -> str:
    if isinstance(error, PermissionError):
        return "a file this user may not read (permission denied)"
    if error.errno == 40:  # ELOOP
        return "a symbolic link that loops"
    return f"an error reading it ({error.strerror or error})"


def read_bytes(path: Path, shown: str) -> tuple[bytes | None, list[Diagnostic]]:
    """The file's bytes, read only when it is a regular file under the size limit."""
    problem = file_problem(path, shown)
    if problem is not None:
        return None, [problem]
    try:
        # O_NONBLOCK: should the file be swapped for a FIFO after the check, opening it does not hang
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(descriptor, "rb") as stream:
            if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
                return None, [_unreadable(shown, "expected a regular file, found another kind")]
            raw = stream.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        return None, [_unreadable(shown, f"expected a readable file, found {_reason(error)}")]
    if len(raw) > MAX_FILE_BYTES:
        return None, [Diagnostic(shown, 1, 1, errors.TOO_LARGE, "",
                                 f"expected a file under {MAX_FILE_BYTES:,} bytes, found more")]
    return raw, []


def read_text(path: Path, shown: str) -> tuple[str | None, list[Diagnostic]]:
    """The file's text, or the reason it is not readable UTF-8 text."""
    raw, problems = read_bytes(path, shown)
    if raw is None:
        return None, problems
    if b"\x00" in raw:
        line, column = _line_column(raw, raw.index(b"\x00"))
        return None, [Diagnostic(shown, line, column, errors.NOT_TEXT, "",
                                 "expected a UTF-8 text file, found binary data (a NUL byte)")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _line_column(raw, exc.start)
        return None, [Diagnostic(shown, line, column, errors.NOT_TEXT, "",
                                 f"expected UTF-8 text, found byte 0x{raw[exc.start]:02x} "
                                 "that is not UTF-8 (save the file as UTF-8)")]
    return text.removeprefix("\ufeff"), []


def _line_column(raw: bytes, offset: int) -> tuple[int, int]:
    before = raw[:offset]
    return before.count(b"\n") + 1, offset - (before.rfind(b"\n") + 1) + 1
