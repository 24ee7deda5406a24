"""The benchmark's own parts work: its measurement of a process tree, and the synthetic book it builds.

No timing is asserted: the machine is shared, so only what must hold anywhere is checked.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

from bestiary.book.load import load_book

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from generate import ADDED_PARAGRAPH, add_paragraph, edit_summary, generate  # bench/ is no package: on sys.path
from measure import measure


def test_measure_sees_the_memory_and_cpu_of_a_child_and_its_descendants():
    # held for a while: memory is sampled every 50 ms, not taken from the kernel's accounting
    allocate = "x = bytearray(50_000_000); import time; time.sleep(0.5)"
    child = measure([sys.executable, "-c", allocate])
    grandchild = measure([sys.executable, "-c", f"import subprocess, sys; subprocess.run([sys.executable, '-c', "
                                                f"{allocate!r}], check=True)"])
    for result in (child, grandchild):
        assert result.returncode == 0
        assert result.peak_rss_mb * 2**20 >= 50_000_000
        assert result.peak_pss_mb * 2**20 >= 50_000_000
        assert result.cpu_s > 0 and result.wall_s > 0
    assert grandchild.peak_processes == 2
    assert measure([sys.executable, "-c", "raise SystemExit(3)"]).returncode == 3  # measured, not raised


def test_synthetic_book_loads_and_one_summary_word_changes(tmp_path):
    book = load_book(generate(3, tmp_path / "book"))
    assert len(book.roles) == 3 and not book.warnings
    record = tmp_path / "book" / "chapters" / "10-family-1" / "role-2.yaml"
    before = record.read_text(encoding="utf-8")
    edit = edit_summary(tmp_path / "book")
    after = record.read_text(encoding="utf-8")
    assert edit.record == record.relative_to(tmp_path / "book")
    assert len(edit.new_word) == len(edit.old_word) and edit.new_word != edit.old_word
    assert after == before.replace(edit.old_word, edit.new_word, 1)
    assert yaml.safe_load(after)["summary"].count(edit.new_word) == 1
    assert len(load_book(tmp_path / "book").roles) == 3



def test_the_paragraph_step_adds_to_the_first_family_and_the_book_still_loads(tmp_path):
    book = generate(3, tmp_path / "book")
    changed = add_paragraph(book)
    assert changed == sorted((book / "chapters").glob("*/chapter.md"))[0]
    assert changed.read_text(encoding="utf-8").rstrip().endswith(ADDED_PARAGRAPH.strip())
    family = next(chapter for chapter in load_book(book).chapters if chapter.is_family)
    assert family.body_markdown.rstrip().endswith(ADDED_PARAGRAPH.strip())


def test_the_naive_baseline_prints_the_guide_plain_and_tagged(tmp_path):
    """The plain render the benchmark compares with, including the PDF/UA-1 variant's (`naive.py guide-ua`)."""
    import subprocess

    from pypdf import PdfReader

    from conftest import write_book

    book = write_book(tmp_path)
    for mode, tagged in (("guide", False), ("guide-ua", True)):
        target = tmp_path / f"{mode}.pdf"
        done = subprocess.run([sys.executable, str(Path(__file__).resolve().parents[2] / "bench" / "naive.py"), mode,
                               str(book), str(target)], capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr
        reader = PdfReader(target)
        assert len(reader.pages) > 10 and ("/StructTreeRoot" in reader.trailer["/Root"]) == tagged
