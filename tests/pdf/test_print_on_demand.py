"""`build print`: a PDF/X-4 interior with bleed and an even page count, and a cover wrap sized to it."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from bestiary.book.load import load_book
from bestiary.views.cover_wrap import cover_wrap, spine_width
from conftest import build_book, record, write_book

pytestmark = pytest.mark.slow

INCH = 72.0
TRIM = (4.5 * INCH, 7 * INCH)  # the small book's page size (the default)
BLEED = 0.125 * INCH
CALIPER = 0.0025 * INCH


def build_print(folder: Path, families: dict | None = None) -> tuple[PdfReader, PdfReader]:
    book = write_book(folder, families)
    build_book(book, folder / "dist", ["print"])
    return (PdfReader(folder / "dist" / "print" / "a-small-bestiary-interior.pdf"),
            PdfReader(folder / "dist" / "print" / "a-small-bestiary-cover.pdf"))


def box(rectangle) -> tuple[float, float]:
    return float(rectangle.width), float(rectangle.height)


def test_the_interior_and_its_cover_wrap(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    interior, cover = build_print(tmp_path / "first")
    pages = len(interior.pages)
    assert pages % 2 == 0
    assert interior.page_labels[0] == "i"  # no cover pages: the half title is page i, a recto
    for page in interior.pages:
        assert box(page.trimbox) == pytest.approx(TRIM)
        assert box(page.mediabox) == pytest.approx((TRIM[0] + 2 * BLEED, TRIM[1] + 2 * BLEED))
    spine = pages * CALIPER
    wrap = cover.pages[0]
    assert len(cover.pages) == 1
    assert box(wrap.mediabox)[0] == pytest.approx(2 * TRIM[0] + spine + 2 * BLEED, abs=0.01)
    assert box(wrap.mediabox)[1] == pytest.approx(TRIM[1] + 2 * BLEED, abs=0.01)
    assert box(wrap.trimbox)[0] == pytest.approx(2 * TRIM[0] + spine, abs=0.01)
    text = " ".join((wrap.extract_text() or "").split())
    assert "A Small Bestiary" in text and "ISBN" in text
    for reader in (interior, cover):
        root = reader.trailer["/Root"]
        assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFX"
        assert "PDF/X-4" in root["/Metadata"].get_object().get_data().decode()
    # byte for byte the same from another build at another time
    again_interior, again_cover = build_print(tmp_path / "second")
    for name in ("interior", "cover"):
        first = (tmp_path / "first" / "dist" / "print" / f"a-small-bestiary-{name}.pdf").read_bytes()
        second = (tmp_path / "second" / "dist" / "print" / f"a-small-bestiary-{name}.pdf").read_bytes()
        assert first == second, name


def test_the_spine_grows_with_the_pages(tmp_path: Path):
    small = load_book(write_book(tmp_path / "small"))
    assert cover_wrap(small, 120).spine_width == pytest.approx(120 * CALIPER)
    assert cover_wrap(small, 240).spine_width == pytest.approx(2 * cover_wrap(small, 120).spine_width)
    assert cover_wrap(small, 240).width == pytest.approx(2 * TRIM[0] + 240 * CALIPER)
    assert spine_width(100, "0.004in") == pytest.approx(100 * 0.004 * INCH)
    more = {f"0{n}-family-{n}": {f"role-{n}": record(f"Role Number {n}")} for n in range(1, 7)}
    interior, cover = build_print(tmp_path / "bigger", more)
    assert len(interior.pages) > 20
    assert box(cover.pages[0].trimbox)[0] == pytest.approx(2 * TRIM[0] + len(interior.pages) * CALIPER, abs=0.01)
