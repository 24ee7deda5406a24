"""`build print`: a PDF/X-4 interior with bleed and an even page count, and a cover wrap sized to it, both true
PDF/X-4 for their ink; every print file written here passes the preflight `build print` runs."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from bestiary.book.load import load_book
from bestiary.errors import PREFLIGHT_FAILED
from bestiary.pdf.colour import Ink
from bestiary.pdf.pdfx import function_outputs
from bestiary.pdf.preflight import preflight
from bestiary.pdf.print_on_demand import cover_expectations, interior_expectations
from bestiary.pdf.walk import ANNOTATION, CONTENT, IMAGE, SHADING, family_of, walk
from bestiary.views.cover_wrap import cover_wrap, spine_width
from conftest import build_book, record, write_book

pytestmark = pytest.mark.slow

INCH = 72.0
TRIM = (4.5 * INCH, 7 * INCH)  # the small book's page size (the default)
BLEED = 0.125 * INCH
CALIPER = 0.0025 * INCH


def build_print(folder: Path, families: dict | None = None,
                ink: Ink = Ink.STANDARD_COLOR) -> tuple[PdfReader, PdfReader]:
    """Build the print edition of a small book; both files pass the preflight, and the build reported it."""
    book = write_book(folder, families)
    result = build_book(book, folder / "dist", ["print"], ink=ink)
    assert [warning for warning in result.warnings if warning.code == PREFLIGHT_FAILED] == []
    interior, cover = (folder / "dist" / "print" / f"a-small-bestiary-{name}.pdf" for name in ("interior", "cover"))
    loaded = load_book(book)
    pages = len(PdfReader(interior).pages)
    for path, expected in ((interior, interior_expectations(loaded, ink=ink)),
                           (cover, cover_expectations(cover_wrap(loaded, pages)))):
        failed = [f"{result.rule}: {result.detail}" for result in preflight(path.read_bytes(), expected)
                  if not result.passed]
        assert failed == [], path.name
    reports = {item.path.name: item.preflight for item in result.written}
    assert reports[interior.name][0] == "pass  PDF version: %PDF-1.6"
    assert reports[cover.name][-1].startswith("cover size:")
    return PdfReader(interior), PdfReader(cover)


def numbers(operands) -> tuple[float, ...]:
    return tuple(float(value) for value in operands if not isinstance(value, pikepdf.Object))


def colours_drawn(data: bytes) -> tuple[set[str], list[tuple[str, tuple[float, ...]]], list[int]]:
    """What a PDF draws with: the colour spaces of its shadings, images and groups; its colour operators with
    their values; the outputs of its shadings' functions minus their spaces' components (0 where they match)."""
    spaces: set[str] = set()
    operators: list[tuple[str, tuple[float, ...]]] = []
    mismatches: list[int] = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for found in walk(pdf):
            if found.kind in CONTENT:
                operators += [(str(i.operator), numbers(i.operands)) for i in found.instructions
                              if str(i.operator) in {"rg", "RG", "k", "K", "g", "G", "sc", "scn", "SC", "SCN", "cs",
                                                     "CS"}]
                if "/Group" in found.obj:
                    spaces.add("group " + family_of(found.obj.Group.get("/CS")))
            elif found.kind == SHADING:
                family = family_of(found.obj.ColorSpace)
                spaces.add("shading " + family)
                mismatches.append(function_outputs(found.obj.Function) - {"cmyk": 4, "gray": 1, "rgb": 3}[family])
            elif found.kind == IMAGE:
                spaces.add("image " + family_of(found.obj.get("/ColorSpace")))
            elif found.kind == ANNOTATION:
                spaces.add("annotation")
    return spaces, operators, mismatches


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
        assert reader.trailer["/Info"]["/Trapped"] == "/False"
    data = (tmp_path / "first" / "dist" / "print" / "a-small-bestiary-interior.pdf").read_bytes()
    assert data.startswith(b"%PDF-1.6\n")
    spaces, operators, mismatches = colours_drawn(data)
    assert "shading cmyk" in spaces and mismatches and set(mismatches) == {0}  # the gauge's ticks, in CMYK
    assert "annotation" not in spaces and not any(space.endswith("rgb") for space in spaces)
    assert {operator for operator, _ in operators} <= {"k", "K", "g", "G", "cs", "scn", "CS"}
    assert ("k", (0, 0, 0, 1)) in operators  # the text's near-black, in black ink alone
    assert any(values[:3] != (0, 0, 0) for operator, values in operators if operator == "k")  # the reds stay
    # byte for byte the same from another build at another time
    again_interior, again_cover = build_print(tmp_path / "second")
    for name in ("interior", "cover"):
        first = (tmp_path / "first" / "dist" / "print" / f"a-small-bestiary-{name}.pdf").read_bytes()
        second = (tmp_path / "second" / "dist" / "print" / f"a-small-bestiary-{name}.pdf").read_bytes()
        assert first == second, name


def test_a_black_ink_interior_is_grey_through_and_through(tmp_path: Path):
    """Every colour, gradient and chart in grey or black ink: no RGB and no cyan, magenta or yellow anywhere."""
    build_print(tmp_path, ink=Ink.BLACK)
    data = (tmp_path / "dist" / "print" / "a-small-bestiary-interior.pdf").read_bytes()
    spaces, operators, mismatches = colours_drawn(data)
    assert spaces and all(space.endswith("gray") for space in spaces), spaces
    assert set(mismatches) == {0}
    assert {operator for operator, _ in operators} <= {"g", "G", "cs", "scn", "CS"}
    assert {values for operator, values in operators if operator == "g"} >= {(0.0,), (1.0,)}
    # the cover is printed in colour whatever the interior's ink
    cover = (tmp_path / "dist" / "print" / "a-small-bestiary-cover.pdf").read_bytes()
    assert any(operator == "k" and values[:3] != (0, 0, 0) for operator, values in colours_drawn(cover)[1])


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
