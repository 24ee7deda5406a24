"""Reading and writing files where someone else may have put something first.

Nothing here follows a symbolic link at the last step of a path, reads anything
but a regular file (a FIFO would hang, a device could be endless), or writes
into a name that already exists. A folder is trusted only when it is this
user's own and no one else may write in it. The readers and the writer take a `dir_fd`,
so that a caller holding a folder open reaches no name through a link either.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import secrets
import stat
from pathlib import Path

_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
MAX_RESOURCE_BYTES = 20_000_000  # the largest file rendering reads (a font, an image, a stylesheet)


def open_regular(path: str | Path, *, dir_fd: int | None = None) -> int:
    """A read-only descriptor of `path`, which must be a regular file and not a link to one.

    Stat first, so that a FIFO or a device is never opened (opening one can hang or act); raises
    `OSError` for anything else, or for a file swapped between the look and the opening.
    """
    seen = os.stat(path, dir_fd=dir_fd, follow_symlinks=False)
    if not stat.S_ISREG(seen.st_mode):
        raise OSError(errno.EINVAL, "not a regular file", str(path))
    descriptor = os.open(path, _READ_FLAGS, dir_fd=dir_fd)
    opened = os.fstat(descriptor)
    if (opened.st_dev, opened.st_ino) != (seen.st_dev, seen.st_ino) or not stat.S_ISREG(opened.st_mode):
        os.close(descriptor)
        raise OSError(errno.EINVAL, "not the regular file it was a moment ago", str(path))
    return descriptor


def read_regular(path: str | Path, *, dir_fd: int | None = None,
                 limit: int | None = None) -> tuple[bytes, os.stat_result]:
    """The first `limit` bytes (all of them if None) of `path`, opened by `open_regular`, and its status."""
    descriptor = open_regular(path, dir_fd=dir_fd)
    try:
        status = os.fstat(descriptor)
        wanted, chunks = status.st_size if limit is None else limit, []
        while wanted > 0:
            chunk = os.read(descriptor, min(wanted, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            wanted -= len(chunk)
        return b"".join(chunks), status
    finally:
        os.close(descriptor)


def create_file(path: str | Path, data: bytes, *, mode: int = 0o666, dir_fd: int | None = None) -> None:
    """Write `data` to `path`, which must not exist yet, not even as a link (`O_EXCL|O_NOFOLLOW`).

    A file left half-written by an error is removed: the name was ours, since we created it.
    """
    descriptor = os.open(path, _CREATE_FLAGS, mode, dir_fd=dir_fd)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
    except BaseException:
        os.unlink(path, dir_fd=dir_fd)
        raise


def replace_file(path: Path, data: bytes, *, mode: int = 0o666) -> None:
    """Put `data` at `path` in one step: a reader sees the old file or the new one, never half of either.

    The staged copy has a hidden name no one can guess, beside `path`, and is created new
    (`create_file`): a folder may be shared, and a link planted at a predictable name would be written
    through. Should a crash leave it behind, it is editor litter to whatever walks a book.
    """
    staged = path.with_name(f".{path.name}.{secrets.token_hex(8)}.part")
    create_file(staged, data, mode=mode)
    try:
        os.replace(staged, path)
    except OSError:
        with contextlib.suppress(OSError):
            staged.unlink()  # ours: created just now
        raise


def file_digest(path: Path, read_limit: int) -> bytes:
    """What `path` is, as bytes to hash, never raising and never following a link.

    A regular file up to `read_limit` bytes is read; a link is its target's name, and anything else
    (larger, a FIFO, a device, unreadable) is its stat data, so a change still changes the digest.
    """
    try:
        status = path.lstat()
        if stat.S_ISLNK(status.st_mode):
            return f"link\0{os.readlink(path)}\0{status.st_mtime_ns}".encode()
        described = f"{status.st_mode}\0{status.st_size}\0{status.st_mtime_ns}".encode()
        if not stat.S_ISREG(status.st_mode) or status.st_size > read_limit:
            return described
        try:
            data, _ = read_regular(path, limit=read_limit)
        except OSError as error:  # unreadable: whoever reads the file for real reports it, located
            return described + f"\0error {error.errno}".encode()
        return f"{status.st_mtime_ns}\0".encode() + hashlib.sha256(data).digest()
    except OSError as error:  # gone between the listing and the look
        return f"error\0{error.errno}".encode()


def untrusted_reason(folder: Path) -> str | None:
    """Why this user should not trust the folder `folder` (a link leads to: that is the one used), or None.

    A folder owned by another user, or writable by anyone but its owner, may hold what someone
    else put there, or lose what we put there.
    """
    status = folder.stat()
    if not stat.S_ISDIR(status.st_mode):
        return "not a folder"
    if status.st_uid != os.geteuid():
        return f"owned by another user (uid {status.st_uid})"
    if status.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return f"writable by other users (mode {stat.S_IMODE(status.st_mode):o})"
    return None


def holds(path: Path, data: bytes) -> bool:
    """Whether `path` is a regular file (not a link) holding exactly `data`."""
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size != len(data):
            return False
        with open(path, "rb") as stream:
            return stream.read() == data
    except OSError:
        return False
