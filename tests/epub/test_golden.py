"""Golden files: the EPUB's package, navigation, a specimen and the index of a small book, as text.

A change to the markup shows up here as a readable diff. After checking the diff, refresh with
`python -m pytest tests/test_golden.py --update-golden`. SOURCE_DATE_EPOCH pins every date.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from conftest import build_book, record, write_book

pytestmark = pytest.mark.slow

GOLDEN = Path(__file__).parent / "golden" / "small-book"
FILES = ("EPUB/content.opf", "EPUB/text/nav.xhtml", "EPUB/text/specimen-alpha-analyst.xhtml",
         "EPUB/text/index.xhtml", "EPUB/toc.ncx")


def test_epub_matches_the_golden_files(tmp_path: Path, monkeypatch, update_golden: bool):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    alpha = record("Alpha Analyst", [{"role": "beta-boss", "match": 90}])
    alpha["jd_autopsy"].append({"illusion": "Owns *the* roadmap.", "translation": "Owns a slide.",
                                "source": "LinkedIn, 2026"})
    book = write_book(tmp_path, {
        "01-first": {"alpha-analyst": alpha},
        "02-second": {"beta-boss": record("Beta Boss", [{"role": "alpha-analyst", "match": 80}])},
    })
    build_book(book, tmp_path / "dist", ["epub"])
    with zipfile.ZipFile(tmp_path / "dist" / "a-small-bestiary.epub") as archive:
        for name in FILES:
            actual = archive.read(name).decode("utf-8")
            golden = GOLDEN / name.replace("/", "__")
            if update_golden:
                golden.parent.mkdir(parents=True, exist_ok=True)
                golden.write_text(actual, encoding="utf-8")
            assert golden.is_file(), f"no golden file {golden}: run with --update-golden"
            assert actual == golden.read_text(encoding="utf-8"), f"{name} differs from {golden}"
