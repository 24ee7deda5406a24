"""The output folder: only our own files are ever removed, one build writes at a time, workers die with the build."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bestiary.errors import OutputError
from bestiary.store.outputs import STAGING_FOLDER, OutputFolderLock, StagedOutputs, remove_litter
from conftest import run_cli


def plant_user_files(out: Path) -> list[Path]:
    """Files a user keeps in the output folder whose names look like temporary files."""
    files = [out / ".draft.part", out / "sub" / ".thesis.docx.part", out / "dossiers" / ".notes.pdf.x1.part",
             out / STAGING_FOLDER / "notes.txt", out / "00001.part"]
    for path in files:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("the user's own", encoding="utf-8")
    return files


def test_litter_removal_touches_only_our_staged_files(tmp_path: Path):
    user_files = plant_user_files(tmp_path)
    ours = tmp_path / STAGING_FOLDER / "00007.part"
    ours.write_bytes(b"half a PDF")
    remove_litter(tmp_path)
    assert not ours.exists()
    assert all(path.read_text(encoding="utf-8") == "the user's own" for path in user_files)


def test_a_build_cycle_leaves_the_users_files_alone(tmp_path: Path):
    user_files = plant_user_files(tmp_path)
    with OutputFolderLock(tmp_path), StagedOutputs(tmp_path) as staged:
        staged.add(tmp_path / "book.pdf", b"%PDF new")
        staged.add(tmp_path / "dossiers" / "a.pdf", b"%PDF a")
    assert (tmp_path / "book.pdf").read_bytes() == b"%PDF new"
    assert all(path.read_text(encoding="utf-8") == "the user's own" for path in user_files)
    assert sorted(p.name for p in (tmp_path / STAGING_FOLDER).iterdir()) == ["notes.txt"]  # not ours: kept


@pytest.mark.slow
def test_the_reported_reproduction(tmp_path: Path):
    from conftest import write_book

    book = write_book(tmp_path / "project")
    out = tmp_path / "u"
    (out / "sub").mkdir(parents=True)
    (out / ".draft.part").write_text("x\n")
    (out / "sub" / ".thesis.docx.part").write_text("y\n")
    result = run_cli("dossier", "alpha-analyst", "--book", str(book), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert (out / ".draft.part").read_text() == "x\n" and (out / "sub" / ".thesis.docx.part").read_text() == "y\n"


def test_a_failed_commit_cleans_up_and_names_the_file(tmp_path: Path):
    (tmp_path / "book.pdf").mkdir()  # a folder where the output should go: the rename fails
    with pytest.raises(OutputError, match=r"book\.pdf: Is a directory"), \
            OutputFolderLock(tmp_path), StagedOutputs(tmp_path) as staged:
        staged.add(tmp_path / "a.pdf", b"first")
        staged.add(tmp_path / "book.pdf", b"second")
    assert not (tmp_path / STAGING_FOLDER).exists()


def test_a_full_disk_names_the_file(tmp_path: Path, monkeypatch):
    def no_space(descriptor):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(OutputError) as caught, OutputFolderLock(tmp_path), StagedOutputs(tmp_path) as staged:
        staged.add(tmp_path / "dossiers" / "sdet.pdf", b"%PDF")
    assert str(caught.value) == f"cannot write {tmp_path / 'dossiers' / 'sdet.pdf'}: No space left on device"
    assert not (tmp_path / STAGING_FOLDER).exists()


@pytest.mark.slow
def test_a_second_build_into_the_same_folder_waits_for_the_first(tmp_path: Path, small_book: Path):
    out = tmp_path / "dist"
    lock = OutputFolderLock(out)
    lock.__enter__()  # this test plays the first build, holding the folder
    try:
        second = subprocess.Popen([sys.executable, "-m", "bestiary", "build", "pdf", "--book", str(small_book),
                                   "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        waiting = ""
        while "waiting" not in waiting and time.monotonic() < deadline and second.poll() is None:
            waiting += second.stderr.readline()
        assert "another bestiary build is writing to" in waiting, waiting
        time.sleep(1)
        assert second.poll() is None and not list(out.iterdir()), "it must not write while the folder is held"
    finally:
        lock.__exit__(None, None, None)
    stdout, stderr = second.communicate(timeout=300)
    assert second.returncode == 0, stderr
    assert sorted(p.name for p in out.iterdir()) == ["a-small-bestiary.pdf"]


@pytest.mark.slow
def test_two_real_builds_into_one_folder_both_succeed(tmp_path: Path, small_book: Path):
    out = tmp_path / "dist"
    command = [sys.executable, "-m", "bestiary", "build", "--book", str(small_book), "--out", str(out)]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    second = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    first_out, first_err = first.communicate(timeout=600)
    assert first.returncode == 0 and second.returncode == 0, first_err + second.stderr
    assert "Errno" not in first_err + second.stderr
    assert not [p for p in out.rglob("*") if p.name.endswith(".part")]


def children_of(pid: int) -> set[int]:
    """Process ids whose parent is `pid` (Linux /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc (Linux)")
def test_dossier_workers_die_with_a_killed_build(tmp_path: Path, small_book: Path):
    build = subprocess.Popen([sys.executable, "-m", "bestiary", "build", "dossiers", "--book", str(small_book),
                              "--out", str(tmp_path / "dist")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             env={**os.environ, "BESTIARY_WORKERS": "2"})
    try:
        deadline = time.monotonic() + 120
        workers: set[int] = set()
        while len(workers) < 2 and time.monotonic() < deadline and build.poll() is None:
            workers = children_of(build.pid)
            time.sleep(0.05)
        assert len(workers) >= 2, "the build finished before its workers could be seen"
        build.send_signal(signal.SIGKILL)
        build.wait(timeout=30)
        deadline = time.monotonic() + 20
        while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(alive(pid) for pid in workers), "workers outlived their build"
    finally:
        if build.poll() is None:
            build.kill()


def test_the_lock_is_released_when_a_build_fails(tmp_path: Path):
    with pytest.raises(RuntimeError), OutputFolderLock(tmp_path):
        raise RuntimeError("render failed")
    acquired = threading.Event()

    def second_build():
        with OutputFolderLock(tmp_path):
            acquired.set()

    thread = threading.Thread(target=second_build, daemon=True)
    thread.start()
    assert acquired.wait(10)
