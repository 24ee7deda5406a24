"""Stamped copies: the stamp shows whole, where the page leaves room, on A4 and Letter, and the copy keeps the
dossier's PDF version. Stamping needs no WeasyPrint: the dossiers are rendered once per module (A4 by the
fixture book's build, Letter here) and stamped as often as the cases ask."""

from __future__ import annotations

import ctypes
import io
from dataclasses import dataclass
from pathlib import Path

import pypdfium2
import pytest
from reportlab.pdfgen import canvas

from bestiary.errors import RenderError
from bestiary.pdf.stamp import MAX_NAME, STAMP_FONT, STAMP_RED, Recipient, register_fonts, stamp
from bestiary.pdf.stamp_fit import FOOT_SIZES, RUBBER_SIZES, Fitted, fit_foot, fit_rubber, halves, widest
from bestiary.pdf.stamp_room import PRINTABLE_EDGE, Box, measure_rooms
from conftest import FIXTURE_BOOK, cli

LONGEST_NAME = "Maximiliana Oberhausen-Wolkenstein de Rutherford"
NO_SPACE_NAME = "X" * MAX_NAME  # one word: wraps, if it must, inside the word
SHORT_NAME = "Jane Doe"
TIGHT_COVER = "staff-software-engineer"  # the fixture dossier whose cover leaves the least room below its text
SLUGS = ("sdet", TIGHT_COVER)


def squash(text: str) -> str:
    """`text` without its white space: what a line reads, wherever it was wrapped."""
    return "".join(text.split())


def test_the_longest_name_is_the_longest_allowed():
    assert len(LONGEST_NAME) == MAX_NAME


# Fitting, without a page: shrink first, then wrap, never cut.


def test_a_stamp_shrinks_to_its_floor_before_it_wraps():
    register_fonts()
    parts = Recipient(LONGEST_NAME, 999, 999).parts()
    line = " // ".join(parts)
    assert fit_foot(parts, STAMP_FONT, [Box(0, 0, 1000, 20)]) == Fitted((line,), FOOT_SIZES[0])
    just_wide_enough = widest((line,), STAMP_FONT, 7)
    shrunk = fit_foot(parts, STAMP_FONT, [Box(0, 0, just_wide_enough, 20)])
    assert shrunk is not None and shrunk.lines == (line,) and shrunk.size == 7
    narrow = Box(0, 0, widest((line,), STAMP_FONT, FOOT_SIZES[1]) - 1, 20)
    wrapped = fit_foot(parts, STAMP_FONT, [narrow])
    assert wrapped is not None and wrapped.lines == parts and wrapped.size > FOOT_SIZES[1]  # larger again
    assert fit_foot(parts, STAMP_FONT, [Box(0, 0, 40, 20)]) is None  # no room: the caller says so, never cuts


@pytest.mark.parametrize("name", [LONGEST_NAME, NO_SPACE_NAME])
def test_a_wrapped_stamp_keeps_every_character(name: str):
    register_fonts()
    parts = Recipient(name, 999, 999).parts()
    narrow = Box(0, 0, widest(parts, STAMP_FONT, FOOT_SIZES[1]) * 0.8, 40)
    fitted = fit_foot(parts, STAMP_FONT, [narrow])
    assert fitted is not None and len(fitted.lines) == 3
    assert squash("".join(fitted.lines)) == squash("".join(parts))
    assert widest(fitted.lines, STAMP_FONT, fitted.size) <= narrow.width
    assert halves("PREPARED FOR: JANE DOE") == ("PREPARED FOR:", "JANE DOE")
    assert "".join(halves(NO_SPACE_NAME)) == NO_SPACE_NAME


def test_the_rubber_stamp_fits_its_room_tilted():
    register_fonts()
    parts = Recipient(LONGEST_NAME, 999, 999).parts()
    room = Box(0, 0, 470, 60)
    rubber = fit_rubber(parts, STAMP_FONT, room)
    assert rubber is not None and RUBBER_SIZES[1] <= rubber.fitted.size < RUBBER_SIZES[0]
    assert rubber.tilted_width <= room.width and rubber.tilted_height <= room.height
    assert fit_rubber(parts, STAMP_FONT, Box(0, 0, 60, 20)) is None


def one_page(line_at: float) -> bytes:
    """A titled A4 page with one line of text whose baseline is `line_at` points above the foot."""
    buffer = io.BytesIO()
    drawing = canvas.Canvas(buffer, pagesize=(595.28, 841.89), invariant=True, initialFontName=register_fonts()[0])
    drawing.setTitle("One page")
    drawing.drawString(72, line_at, "A line of the page's own")
    drawing.showPage()
    drawing.save()
    return buffer.getvalue()


def test_a_page_without_room_at_its_foot_fails_rather_than_stamping_over_its_text():
    with pytest.raises(RenderError, match="too little for the stamp 'PREPARED FOR: JANE DOE'"):
        stamp(one_page(line_at=18), Recipient("Jane Doe"), "one.pdf", "one--jane-doe.pdf")


def test_a_cover_without_a_folder_has_its_foot_line_and_no_rubber_stamp():
    copy = stamp(one_page(line_at=400), Recipient("Jane Doe"), "one.pdf", "one--jane-doe.pdf")
    [page] = pages(copy)
    assert squash(page.text) == squash("A line of the page's own PREPARED FOR: JANE DOE")
    assert copy.startswith(one_page(line_at=400).split(b"\n", 1)[0])  # ReportLab's own version, kept


# Stamped copies of rendered dossiers.


@dataclass(frozen=True)
class Dossier:
    paper: str
    slug: str
    path: Path


@pytest.fixture(scope="module")
def dossiers(fixture_build, tmp_path_factory) -> dict[tuple[str, str], Dossier]:
    """The two dossiers on A4 (the fixture book's) and on Letter (rendered here, once)."""
    out = tmp_path_factory.mktemp("letter")
    result = cli("dossier", *SLUGS, "--paper", "letter", "--book", str(FIXTURE_BOOK), "--out", str(out), "-q")
    assert result.returncode == 0, result.stderr
    found = {}
    for slug in SLUGS:
        found["a4", slug] = Dossier("a4", slug, fixture_build.out / "dossiers" / f"{slug}.pdf")
        found["letter", slug] = Dossier("letter", slug, out / "dossiers" / f"{slug}--letter.pdf")
    return found


@dataclass(frozen=True)
class Mark:
    """Something a page draws: its box, whether it is text, its text, and whether it is in the stamp's red."""

    box: Box
    is_text: bool
    text: str
    red: bool


TEXT = pypdfium2.raw.FPDF_PAGEOBJ_TEXT


def _is_stamp_red(page_object: pypdfium2.PdfObject) -> bool:
    wanted = [round(255 * channel) for channel in STAMP_RED.rgb()]
    for getter in (pypdfium2.raw.FPDFPageObj_GetFillColor, pypdfium2.raw.FPDFPageObj_GetStrokeColor):
        r, g, b, a = (ctypes.c_uint() for _ in range(4))
        if getter(page_object.raw, r, g, b, a) and all(
                abs(got.value - value) <= 1 for got, value in zip((r, g, b), wanted, strict=True)):
            return True
    return False


@dataclass(frozen=True)
class Page:
    """A page as PDFium reads it: its size, its marks in the order drawn, and its text as a viewer finds it."""

    box: Box
    marks: list[Mark]
    text: str


def pages(pdf: bytes) -> list[Page]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        found = []
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            found.append(Page(Box(0, 0, page.get_width(), page.get_height()),
                              [Mark(Box(*page_object.get_bounds()), page_object.type == TEXT,
                                    page_object.extract() if page_object.type == TEXT else "",
                                    _is_stamp_red(page_object))
                               for page_object in page.get_objects(max_depth=1, textpage=textpage)],
                              textpage.get_text_range()))
        return found
    finally:
        document.close()


@pytest.mark.slow
@pytest.mark.parametrize("paper", ["a4", "letter"])
@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("name", [SHORT_NAME, LONGEST_NAME, NO_SPACE_NAME])
def test_the_stamp_shows_whole_and_touches_nothing_the_page_draws(dossiers, paper: str, slug: str, name: str):
    dossier = dossiers[paper, slug]
    original = dossier.path.read_bytes()
    recipient = Recipient(name, 999, 999)  # the most copies: the widest copy number
    copy = stamp(original, recipient, dossier.path.name, f"{slug}--copy.pdf")
    before, after = pages(original), pages(copy)
    assert len(after) == len(before)
    for number, (page_before, page_after) in enumerate(zip(before, after, strict=True)):
        # the overlay is drawn after the page's own content: its objects come last
        assert [mark.box for mark in page_after.marks[:len(page_before.marks)]] == [
            mark.box for mark in page_before.marks]
        drawn = [mark for mark in page_after.marks[len(page_before.marks):] if mark.red]  # not the file name (ink)
        said = squash("".join(mark.text for mark in drawn if mark.is_text))
        foot, rubber = squash(recipient.line()), squash(" ".join(recipient.parts()))
        assert said == (foot + rubber if number == 0 else foot), (number, said)
        printable = Box(PRINTABLE_EDGE, PRINTABLE_EDGE, page_after.box.right - PRINTABLE_EDGE,
                        page_after.box.top - PRINTABLE_EDGE)
        for mark in drawn:
            assert printable.encloses(mark.box), (number, mark)
            for other in page_before.marks:  # text, banners, rules; the folder only as the ground it is stamped on
                touches = mark.box.overlaps(other.box) and (other.is_text or not other.box.encloses(mark.box))
                assert not touches, (number, mark, other)
        assert foot in squash(page_after.text)  # what a viewer's search finds
    assert copy.split(b"\n", 1)[0] == original.split(b"\n", 1)[0] == b"%PDF-1.7"


@pytest.mark.slow
def test_every_fixture_cover_has_room_for_the_longest_stamp(fixture_build):
    register_fonts()
    parts = Recipient(LONGEST_NAME, 999, 999).parts()
    for path in sorted((fixture_build.out / "dossiers").glob("*.pdf")):
        rooms = measure_rooms(path.read_bytes())
        assert rooms.cover is not None and fit_rubber(parts, STAMP_FONT, rooms.cover) is not None, path.name
        foot = fit_foot(parts, STAMP_FONT, rooms.footers)
        assert foot is not None and foot.lines == (" // ".join(parts),) and foot.size == FOOT_SIZES[0], path.name
