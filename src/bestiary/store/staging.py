"""Our staging folder in an output folder, and the journal of a commit (`outputs` states the guarantee).

`.bestiary-staging/` holds the staged `NNNNN.part` files and, from just before
a commit's first rename until just after its last, `journal`: the list of
(staged file, output path relative to the output folder) pairs, as JSON.

The folder must be ours alone, since what it holds decides which bytes land in
the output folder: it is made with mode 700, opened without following a link,
and refused when it is a link, a file, another user's folder or one others can
write to. Whatever is in it is then ours, so a journal is trusted as we wrote
it, and still checked: it may only rename our staged files to paths inside the
output folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
from pathlib import Path, PurePosixPath

from ..errors import OutputError, describe_os_error

STAGING_FOLDER = ".bestiary-staging"
JOURNAL = "journal"
_JOURNAL_DRAFT = "journal.new"
_STAGED_NAME = re.compile(r"^\d{5}\.part$")
_PRIVATE = 0o700  # nobody else may add, replace or read a staged file


def staged_name(number: int) -> str:
    """The name of the `number`th staged file of a build: `00001.part`."""
    return f"{number:05d}.part"


def staging_problem(out_dir: Path) -> str | None:
    """Why the staging folder in `out_dir` cannot be trusted as ours, as a sentence; None when it can, or
    when there is none yet."""
    staging = out_dir / STAGING_FOLDER
    try:
        status = os.lstat(staging)
    except OSError:  # none yet, or an output folder we cannot read: writing will name the error
        return None
    if stat.S_ISLNK(status.st_mode):
        found = "a symbolic link"
    elif not stat.S_ISDIR(status.st_mode):
        found = "a file"
    elif status.st_uid != os.geteuid():
        found = f"a folder owned by another user (uid {status.st_uid})"
    elif status.st_mode & 0o022:
        found = f"a folder others can write to (mode {stat.S_IMODE(status.st_mode):o})"
    else:
        return None
    return f"expected a staging folder of bestiary's own at {staging}, found {found}; remove it"


def open_staging(out_dir: Path, *, create: bool) -> int | None:
    """A descriptor of our staging folder in `out_dir` (made if `create`); None when there is none.
    Raises `OutputError` when the name holds anything `staging_problem` refuses."""
    staging = out_dir / STAGING_FOLDER
    try:
        if create:
            with contextlib.suppress(FileExistsError):
                os.mkdir(staging, _PRIVATE)
        descriptor = os.open(staging, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        if create:
            raise OutputError(f"cannot use the output folder {out_dir}: No such file or directory") from None
        return None
    except OSError as error:  # a link (ELOOP) or a file (ENOTDIR) in its place, or no access
        raise OutputError(staging_problem(out_dir) or f"cannot use {describe_os_error(error, staging)}") from error
    problem = staging_problem(out_dir)  # about the folder just opened: a link in its place cannot be opened
    if problem:
        os.close(descriptor)
        raise OutputError(problem)
    return descriptor


def sync_folder(folder: Path | int) -> None:
    """Make the renames in `folder` (a path or a descriptor) durable; some file systems cannot, and say so."""
    with contextlib.suppress(OSError):
        if isinstance(folder, int):
            os.fsync(folder)
            return
        descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def write_journal(out_dir: Path, staging: int, renames: list[tuple[str, str]]) -> None:
    """The journal, whole and on disk, after the staged files' names and before any rename (a draft is
    written and renamed, so that a journal is never half-written)."""
    try:
        descriptor = os.open(_JOURNAL_DRAFT, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                             0o600, dir_fd=staging)
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            json.dump({"renames": renames}, stream)
            stream.flush()
            os.fsync(descriptor)
        sync_folder(staging)  # the staged files' names are on disk before the journal that lists them
        os.replace(_JOURNAL_DRAFT, JOURNAL, src_dir_fd=staging, dst_dir_fd=staging)
        sync_folder(staging)
    except OSError as error:
        raise OutputError(f"cannot write {describe_os_error(error, out_dir / STAGING_FOLDER / JOURNAL)}") from error


def rename_all(out_dir: Path, staging: int, renames: list[tuple[str, str]]) -> tuple[Path, ...]:
    """Rename each staged file still there to its output, then make the renames durable; the outputs
    renamed. Raises `OutputError` naming the output that could not be written."""
    renamed = []
    for name, relative in renames:
        path = out_dir / relative
        try:
            staged = stat.S_ISREG(os.lstat(name, dir_fd=staging).st_mode)
        except FileNotFoundError:
            staged = False
        if not staged:
            continue  # renamed already, by the commit that was cut short
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            os.replace(name, path, src_dir_fd=staging)
        except OSError as error:
            raise OutputError(f"cannot write {describe_os_error(error, path)}") from error
        renamed.append(path)
    for folder in dict.fromkeys(path.parent for path in renamed):
        sync_folder(folder)
    return tuple(renamed)


def remove_journal(staging: int) -> None:
    """The last step of a commit, once its renames are on disk."""
    os.unlink(JOURNAL, dir_fd=staging)
    sync_folder(staging)


def roll_forward(out_dir: Path) -> tuple[Path, ...]:
    """Finish the commit a journal in `out_dir` describes (the caller holds the folder's lock) and remove
    the journal; the outputs put in place, none when there is no journal."""
    staging = open_staging(out_dir, create=False)
    if staging is None:
        return ()
    journal = out_dir / STAGING_FOLDER / JOURNAL
    try:
        try:
            descriptor = os.open(JOURNAL, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=staging)
        except FileNotFoundError:
            return ()
        with os.fdopen(descriptor, encoding="utf-8") as stream:
            renames = _journal_renames(stream.read(), journal)
        try:
            finished = rename_all(out_dir, staging, renames)
        except OutputError as error:
            raise OutputError(f"cannot finish the build interrupted in {out_dir}: {error}") from error
        remove_journal(staging)
        return finished
    except OSError as error:
        raise OutputError(f"cannot finish the build interrupted in {out_dir}: "
                          f"{describe_os_error(error, journal)}") from error
    finally:
        os.close(staging)


def _journal_renames(text: str, journal: Path) -> list[tuple[str, str]]:
    """The (staged file, output) pairs of a journal, each a name of ours and a path inside the output
    folder; anything else is refused, naming the journal."""
    try:
        renames = [(name, relative) for name, relative in json.loads(text)["renames"]]
        if all(isinstance(name, str) and _STAGED_NAME.match(name) and _inside_output_folder(relative)
               for name, relative in renames):
            return renames
    except (ValueError, KeyError, TypeError):
        pass
    raise OutputError(f"cannot finish an interrupted build: {journal} is not a journal bestiary wrote; remove it")


def _inside_output_folder(relative: object) -> bool:
    if not isinstance(relative, str) or not relative:
        return False
    path = PurePosixPath(relative)
    return bool(path.parts) and not path.is_absolute() and ".." not in path.parts and path.parts[0] != STAGING_FOLDER


def remove_litter(folder: Path) -> None:
    """Staged files and journal drafts that failed or killed builds left in our staging folder, unless a
    journal still needs them; nothing else, whatever its name, and nothing in a staging folder not ours."""
    try:
        staging = open_staging(folder, create=False)
    except OutputError:
        return  # not ours: staging there will say so
    if staging is None:
        return
    try:
        names = os.listdir(staging)
        if JOURNAL not in names:
            for name in names:
                if _STAGED_NAME.match(name) or name == _JOURNAL_DRAFT:
                    with contextlib.suppress(OSError):
                        os.unlink(name, dir_fd=staging)  # a link is removed, never followed
    finally:
        os.close(staging)
    with contextlib.suppress(OSError):
        os.rmdir(folder / STAGING_FOLDER)  # only when empty: anything else in it is not ours to delete
