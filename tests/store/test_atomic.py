"""Outputs are all-or-nothing, leave no litter, and are byte-identical under SOURCE_DATE_EPOCH."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import FIXTURE_BOOK, SOURCE_DATE_EPOCH, run_cli, write_book

pytestmark = pytest.mark.slow

OUTPUTS = ("a-small-bestiary.pdf", "a-small-bestiary.epub", "dossiers/alpha-analyst.pdf", "dossiers/beta-boss.pdf")


def plant_previous_outputs(out: Path) -> None:
    for name in OUTPUTS:
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(f"previous {name}".encode())


def assert_previous_outputs_intact(out: Path) -> None:
    for name in OUTPUTS:
        assert (out / name).read_bytes() == f"previous {name}".encode(), name
    assert not [p for p in out.rglob("*") if p.name.endswith(".part")]
    assert not (out / ".bestiary-staging").exists()


def test_a_failing_render_leaves_every_previous_output(tmp_path: Path):
    book = write_book(tmp_path / "project")
    (book / "layouts" / "epub").mkdir(parents=True)
    # the EPUB's layout fails only with the print pages in hand (`check`'s trial has none): after the field
    # guide was laid out and the dossiers were queued
    (book / "layouts" / "epub" / "specimen.xhtml.j2").write_text(
        '{% extends "builtin/epub/specimen.xhtml.j2" %}'
        "{% block body %}{% if epub.page_list %}{{ no_such_variable.attribute }}{% endif %}{% endblock %}")
    out = tmp_path / "dist"
    plant_previous_outputs(out)
    result = run_cli("build", "--book", str(book), "--out", str(out))
    assert result.returncode == 2, result.stderr  # the book's own layout is wrong: its input
    assert "Traceback" not in result.stderr and "no_such_variable" in result.stderr
    assert_previous_outputs_intact(out)


@pytest.mark.parametrize("sent", [signal.SIGTERM, signal.SIGINT])
def test_an_interrupted_build_leaves_every_previous_output(tmp_path: Path, sent: int):
    book = write_book(tmp_path / "project")
    out = tmp_path / "dist"
    plant_previous_outputs(out)
    process = subprocess.Popen([sys.executable, "-m", "bestiary", "build", "--book", str(book), "--out", str(out)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # wait until the first temporary file exists: the build is mid-way through writing
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list(out.rglob("*.part")) and process.poll() is None:
        time.sleep(0.01)
    assert process.poll() is None, "the build finished before it could be interrupted"
    process.send_signal(sent)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode != 0
    assert "Traceback" not in stderr
    assert_previous_outputs_intact(out)


def test_litter_of_a_killed_build_is_swept_by_the_next_and_nothing_else(tmp_path: Path):
    book = write_book(tmp_path / "project")
    out = tmp_path / "dist"
    staging = out / ".bestiary-staging"
    staging.mkdir(parents=True)
    (staging / "00001.part").write_bytes(b"half")  # what a build killed with kill -9 leaves
    (staging / "00002.part").write_bytes(b"half")
    users = [out / ".a-small-bestiary.pdf.x1y2.part", out / "dossiers" / ".beta-boss.pdf.z3.part",
             out / "sub" / ".thesis.docx.part"]
    for path in users:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"the user's own")
    result = run_cli("build", "pdf", "--book", str(book), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert not staging.exists()
    assert all(path.read_bytes() == b"the user's own" for path in users)


def test_two_builds_in_different_folders_and_times_are_byte_identical(tmp_path: Path, fixture_build):
    # the shared build ran in this process from the checkout with absolute paths; this one runs in a
    # new process, from a copy of the book elsewhere, with relative paths, at another time
    project = tmp_path / "elsewhere"
    shutil.copytree(FIXTURE_BOOK, project / "book")
    env = {**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}
    result = run_cli("build", "--book", "book", "--out", "dist", cwd=project, env=env)
    assert result.returncode == 0, result.stderr
    first, second = fixture_build.out, project / "dist"
    files = sorted(path.relative_to(first) for path in first.rglob("*") if path.is_file())
    assert len(files) >= 18
    for relative in files:
        assert (first / relative).read_bytes() == (second / relative).read_bytes(), relative
