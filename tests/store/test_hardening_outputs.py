"""Issue 17: all or nothing even when killed during the commit (6), a staging folder nobody else can steer (4),
and output folders that cannot be one (8)."""

from __future__ import annotations

import errno
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from bestiary.errors import OutputError
from bestiary.store.outputs import STAGING_FOLDER, OutputFolderLock, StagedOutputs
from conftest import cli, cli_with_env, write_book

DOSSIERS = ("alpha-analyst.pdf", "beta-boss.pdf")  # in the order a build renames them
FIRST, SECOND = 1_000_000_000, 1_100_000_000  # SOURCE_DATE_EPOCH of two builds: each dossier carries its own

# A build in a child Python that sends itself `signal` right after one rename: the journal's (into the
# staging folder) or the first output's (into the output folder), i.e. between two renames of its commit.
INTERRUPTED_BUILD = """
import os, sys
out, after, sent = sys.argv[1], sys.argv[2], int(sys.argv[3])
real_replace, done = os.replace, []

def replace(source, target, *args, **kwargs):
    real_replace(source, target, *args, **kwargs)
    target = os.fspath(target)
    output = target.startswith(out + os.sep) and os.sep + ".bestiary-staging" + os.sep not in target
    if not done and (target == "journal" if after == "journal" else output):
        done.append(target)
        os.kill(os.getpid(), sent)

os.replace = replace
from bestiary.cli import main
main(sys.argv[4:], prog_name="bestiary")
"""


def dossiers(book: Path, out: Path, epoch: int, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch)}
    command = [sys.executable, "-m", "bestiary", *(args or ("build", "dossiers")), "--book", str(book),
               "--out", str(out)]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=600, check=False)


def interrupted_dossiers(book: Path, out: Path, epoch: int, after: str, sent: int) -> subprocess.CompletedProcess:
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch)}
    command = [sys.executable, "-c", INTERRUPTED_BUILD, str(out), after, str(int(sent)),
               "build", "dossiers", "--book", str(book), "--out", str(out)]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=600, check=False)


def dates(out: Path) -> list[int]:
    """The SOURCE_DATE_EPOCH each dossier in `out` was built with, in renaming order."""
    return [int(PdfReader(out / "dossiers" / name).metadata.creation_date.timestamp()) for name in DOSSIERS]


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path]:
    """A small book and its dossiers, built once with SOURCE_DATE_EPOCH=FIRST."""
    book = write_book(tmp_path / "project")
    out = tmp_path / "dist"
    result = dossiers(book, out, FIRST)
    assert result.returncode == 0, result.stderr
    assert dates(out) == [FIRST, FIRST]
    return book, out


# 6. All or nothing, even when killed during the commit

@pytest.mark.slow
@pytest.mark.parametrize(("after", "then"), [("output", "check"), ("journal", "check"),
                                             ("output", "stamp"), ("journal", "build")])
def test_a_build_killed_between_renames_is_finished_first_by_the_next_command(built, after: str, then: str):
    book, out = built
    killed = interrupted_dossiers(book, out, SECOND, after, signal.SIGKILL)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    # killed after the first output went in place, the folder is half one build, half the other
    assert dates(out) == ([SECOND, FIRST] if after == "output" else [FIRST, FIRST])
    if then == "check":
        result = cli("check", "--book", str(book), "--out", str(out))
        expected = [SECOND, SECOND]
    elif then == "stamp":  # renders nothing: what it stamps must be the finished build's dossier
        result = dossiers(book, out, FIRST, "dossier", "alpha-analyst", "--stamp-only", "--copies", "1")
        expected = [SECOND, SECOND]
    else:  # the first build's request again: up to date by its record, were the journal not seen first
        result = dossiers(book, out, FIRST)
        expected = [FIRST, FIRST]
    assert result.returncode == 0, result.stderr
    assert "finished an interrupted build" in result.stdout
    assert dates(out) == expected
    assert not (out / STAGING_FOLDER).exists()


@pytest.mark.slow
@pytest.mark.parametrize("sent", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_an_interruption_during_the_commit_waits_for_it_and_says_so(built, sent: int):
    book, out = built
    result = interrupted_dossiers(book, out, SECOND, "output", sent)
    assert result.returncode == 130, result.stderr
    assert result.stderr.strip().splitlines()[-1] == "interrupted; the new outputs are in place."
    assert "Traceback" not in result.stderr
    assert dates(out) == [SECOND, SECOND]
    assert not (out / STAGING_FOLDER).exists()


def test_a_rename_that_fails_after_the_journal_is_finished_by_the_next_lock(tmp_path: Path, monkeypatch):
    for name, data in (("book.pdf", b"old pdf"), ("book.epub", b"old epub")):
        (tmp_path / name).write_bytes(data)
    real_replace = os.replace

    def unwritable_epub(source, target, *args, **kwargs):
        if os.fspath(target).endswith("book.epub"):
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_replace(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "replace", unwritable_epub)
    with pytest.raises(OutputError) as caught, OutputFolderLock(tmp_path), StagedOutputs(tmp_path) as staged:
        staged.add(tmp_path / "book.pdf", b"new pdf")
        staged.add(tmp_path / "book.epub", b"new epub")
    assert str(caught.value) == (f"cannot write {tmp_path / 'book.epub'}: Input/output error; the next build "
                                 "(or bestiary check) puts the new outputs in place")
    assert (tmp_path / STAGING_FOLDER / "journal").exists()
    monkeypatch.setattr(os, "replace", real_replace)
    with OutputFolderLock(tmp_path) as lock:
        assert lock.finished == (tmp_path / "book.epub",)
    assert (tmp_path / "book.pdf").read_bytes() == b"new pdf" and (tmp_path / "book.epub").read_bytes() == b"new epub"
    assert not (tmp_path / STAGING_FOLDER).exists()


@pytest.mark.parametrize("output", ["../victim.txt", "/tmp/victim.txt", ".bestiary-staging/journal"])
def test_a_journal_that_leads_outside_the_output_folder_is_refused(tmp_path: Path, output: str):
    out = tmp_path / "dist"
    staging = out / STAGING_FOLDER
    staging.mkdir(parents=True, mode=0o700)
    (staging / "00001.part").write_bytes(b"planted")
    (staging / "journal").write_text(json.dumps({"renames": [["00001.part", output]]}), encoding="utf-8")
    with pytest.raises(OutputError, match=r"journal is not a journal bestiary wrote; remove it"):
        OutputFolderLock(out).__enter__()
    assert not (tmp_path / "victim.txt").exists() and (staging / "00001.part").read_bytes() == b"planted"


def test_check_leaves_an_output_folder_without_a_journal_alone(tmp_path: Path, small_book: Path):
    result = cli("check", "--book", str(small_book), "--out", str(tmp_path / "dist"))
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "dist").exists()


# 4. The staging folder: never a link followed, never another user's


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """Root's (or the user's) private file that a planted link points at."""
    path = tmp_path / "secret"
    path.write_bytes(b"secret")
    path.chmod(0o600)
    return path


def assert_untouched(victim: Path) -> None:
    assert victim.read_bytes() == b"secret" and (victim.stat().st_mode & 0o777) == 0o600


@pytest.mark.parametrize("locked", [True, False])
def test_a_link_planted_as_a_staged_file_is_never_followed(tmp_path: Path, victim: Path, locked: bool):
    out = tmp_path / "dist"
    (out / STAGING_FOLDER).mkdir(parents=True, mode=0o700)
    (out / STAGING_FOLDER / "00001.part").symlink_to(victim)
    if locked:  # taking the lock sweeps the link away, unfollowed; the output is written, readable by all
        with OutputFolderLock(out), StagedOutputs(out) as staged:
            staged.add(out / "book.pdf", b"%PDF new")
        assert (out / "book.pdf").read_bytes() == b"%PDF new" and ((out / "book.pdf").stat().st_mode & 0o777) == 0o644
    else:  # a link that appears after the sweep is refused by O_EXCL|O_NOFOLLOW
        with pytest.raises(OutputError, match="book.pdf: File exists"), StagedOutputs(out) as staged:
            staged.add(out / "book.pdf", b"%PDF new")
    assert_untouched(victim)


def plant_staging(out: Path, kind: str, victim: Path) -> None:
    """A staging folder not ours, holding a link where the first staged file goes."""
    staging = out / STAGING_FOLDER
    if kind == "link":
        elsewhere = out.parent / "elsewhere"
        elsewhere.mkdir()
        (elsewhere / "00001.part").symlink_to(victim)
        out.mkdir()
        staging.symlink_to(elsewhere)
        return
    staging.mkdir(parents=True)
    (staging / "00001.part").symlink_to(victim)
    if kind == "another user's":
        if os.geteuid() != 0:
            pytest.skip("making a folder another user's needs root")
        os.chown(staging, 65534, 65534)
        staging.chmod(0o755)
    else:
        staging.chmod(0o777)


@pytest.mark.parametrize(("kind", "found"), [("link", "a symbolic link"),
                                             ("another user's", "a folder owned by another user (uid 65534)"),
                                             ("writable by others", "a folder others can write to (mode 777)")])
def test_a_staging_folder_not_ours_alone_is_refused_before_rendering(tmp_path: Path, victim: Path, kind: str,
                                                                      found: str):
    book = write_book(tmp_path / "project")
    out = tmp_path / "dist"
    plant_staging(out, kind, victim)
    result = cli("build", "dossiers", "--book", str(book), "--out", str(out))
    assert result.returncode == 2, result.stderr
    assert result.stderr == (f"error: expected a staging folder of bestiary's own at {out / STAGING_FOLDER}, "
                             f"found {found}; remove it\n")
    assert_untouched(victim)
    # and the library refuses it too, should it appear after that check
    with pytest.raises(OutputError, match=re.escape(found)), StagedOutputs(out) as staged:
        staged.add(out / "book.pdf", b"%PDF")
    assert_untouched(victim)


# 8. Output folders that cannot be one


@pytest.mark.parametrize("command", [("build", "dossiers"), ("dossier", "alpha-analyst"), ("check",)])
def test_an_empty_out_is_refused(tmp_path: Path, small_book: Path, command: tuple[str, ...]):
    here = tmp_path / "here"
    here.mkdir()
    result = cli(*command, "--book", str(small_book), "--out", "", cwd=here)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error: expected an output folder, found an empty name")
    assert list(here.iterdir()) == []


@pytest.mark.parametrize("link", ["dist", "dist/dossiers"])
def test_an_out_that_is_a_link_to_nowhere_is_refused_before_rendering(tmp_path: Path, small_book: Path, link: str):
    if link == "dist/dossiers":
        (tmp_path / "dist").mkdir()
    (tmp_path / link).symlink_to(tmp_path / "gone")
    cache = tmp_path / "cache"
    result = cli_with_env({"BESTIARY_CACHE_DIR": str(cache)}, "build", "dossiers", "--book", str(small_book),
                          "--out", str(tmp_path / "dist"))
    assert result.returncode == 2, result.stderr
    assert result.stderr == (f"error: expected an output folder, found a symbolic link that leads nowhere at "
                             f"{tmp_path / link} (to {tmp_path / 'gone'})\n")
    assert not (tmp_path / "gone").exists()
    assert not any(path.is_file() for path in cache.rglob("*")), "nothing may be laid out"
