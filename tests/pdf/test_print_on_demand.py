"""`build print`: a PDF/X-4 interior and a cover wrap sized to it, to a print service's profile (issue 20, points 1,
5 and 6): the bleed on the edges the service wants, everything inside its live area, the gutter by page count, the
spine from its caliper, an ISBN's barcode in its barcode area or nothing there; both files true PDF/X-4 for their
ink (points 2-4), and every print file written here passes the preflight `build print` runs."""

from __future__ import annotations

import dataclasses
import datetime
import io
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from pypdf import PdfReader

from bestiary.book.config import load_config
from bestiary.book.load import load_book
from bestiary.book.print_services import INKS, SERVICES, STOCKS, combination_problem
from bestiary.errors import PREFLIGHT_FAILED, RequestError
from bestiary.pdf.pdfx import function_outputs
from bestiary.pdf.preflight import preflight
from bestiary.pdf.print_on_demand import (
    cover_expectations,
    inside_margin,
    interior_expectations,
    lay_out_interior,
    render_cover_wrap,
)
from bestiary.pdf.walk import ANNOTATION, CONTENT, IMAGE, SHADING, family_of, walk
from bestiary.text.isbn import ean13, isbn_problem
from bestiary.views.barcode import ean13_barcode
from bestiary.views.cover_wrap import cover_wrap
from conftest import assert_input_error, build_book, cli, with_print_edition, write_book

INCH = 72.0
TRIM = (4.5 * INCH, 7 * INCH)  # the small book's page size (the default)
BLEED = 0.125 * INCH
CALIPER = 0.0025 * INCH  # print_edition.paper_caliper's default: the generic printer's
KDP_WHITE = 0.002252 * INCH
ISBN = "isbn:978-0-306-40615-7"
DESIGN_GUTTER = 0.55 * INCH  # print.css's inside margin


def build_print(folder: Path, **options: str) -> tuple[Path, Path]:
    """Build the print edition of a small book; both files pass the preflight against its profile, and the build
    reported it."""
    book = write_book(folder)
    result = build_book(book, folder / "dist", ["print"], **options)
    assert [warning for warning in result.warnings if warning.code == PREFLIGHT_FAILED] == []
    interior, cover = (folder / "dist" / "print" / f"a-small-bestiary-{name}.pdf" for name in ("interior", "cover"))
    loaded = load_book(book)
    profile = loaded.config.print_edition.profile(options.get("service"), options.get("stock"), options.get("ink"))
    pages = len(PdfReader(interior).pages)
    for path, expected in ((interior, interior_expectations(loaded, profile)),
                           (cover, cover_expectations(cover_wrap(loaded, pages, profile=profile)))):
        failed = [f"{result.rule}: {result.detail}" for result in preflight(path.read_bytes(), expected)
                  if not result.passed]
        assert failed == [], path.name
    reports = {item.path.name: item.preflight for item in result.written}
    assert reports[interior.name][0] == "pass  PDF version: %PDF-1.6"
    assert reports[cover.name][-1].startswith("cover size:")
    return interior, cover


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


def edges(rectangle) -> tuple[float, ...]:
    return tuple(round(float(value), 3) for value in (rectangle.left, rectangle.bottom, rectangle.right, rectangle.top))


def outside(bounds: tuple[float, ...], area: tuple[float, ...]) -> bool:
    """Whether `bounds` reach outside `area` (both left, bottom, right, top)."""
    left, bottom, right, top = bounds
    return left < area[0] - 0.01 or bottom < area[1] - 0.01 or right > area[2] + 0.01 or top > area[3] + 0.01


def _overlaps(bounds: tuple[float, ...], area: tuple[float, ...]) -> bool:
    return bounds[0] < area[2] and bounds[2] > area[0] and bounds[1] < area[3] and bounds[3] > area[1]


# --- the profiles, as data (point 1) ---

def test_kdp_profiles_give_the_services_figures_and_refuse_what_it_does_not_print(small_book: Path):
    edition = load_book(small_book).config.print_edition
    white = edition.profile("kdp", "white", "black")
    assert (white.caliper, white.max_pages, white.min_pages) == pytest.approx((KDP_WHITE, 828, 24))
    assert (white.bleed.top, white.bleed.bottom, white.bleed.outside, white.bleed.inside) == (BLEED, BLEED, BLEED, 0)
    assert white.live_margin == 0.375 * INCH and white.spine_text_min_pages == 80
    assert white.spine_text_clearance == 0.0625 * INCH and white.even_pages
    area = white.barcode
    assert (area.width, area.height, area.from_spine, area.from_bottom) == (2 * INCH, 1.2 * INCH, 18, 18)
    cream = edition.profile("kdp", "cream", "black")
    assert (cream.caliper, cream.max_pages) == pytest.approx((0.0025 * INCH, 776))
    standard = edition.profile("kdp", "white", "standard-color")
    assert (standard.caliper, standard.min_pages, standard.max_pages) == pytest.approx((KDP_WHITE, 72, 600))
    premium = edition.profile("kdp", "white", "premium-color")
    assert (premium.caliper, premium.max_pages) == pytest.approx((0.002347 * INCH, 828))
    # colour on cream is not a KDP paperback: refused before anything is laid out
    for ink in ("standard-color", "premium-color"):
        assert combination_problem("kdp", "cream", ink) is not None
        with pytest.raises(RequestError, match=f"found {ink} on cream"):
            edition.profile("kdp", "cream", ink)
    assert all(combination_problem("generic", stock, ink) is None for stock in STOCKS for ink in INKS)
    assert set(SERVICES) == {"kdp", "generic"}


def test_generic_takes_the_bleed_and_caliper_from_book_yaml(tmp_path: Path):
    book = with_print_edition(write_book(tmp_path), bleed="3mm", paper_caliper="0.004in")
    generic = load_book(book).config.print_edition.profile()
    assert generic.service == "generic" and generic.caliper == pytest.approx(0.004 * INCH)
    bleed = 3 * 72 / 25.4
    assert (generic.bleed.top, generic.bleed.outside, generic.bleed.inside) == pytest.approx((bleed,) * 3)
    assert generic.gutter(10) == generic.gutter(5_000) == DESIGN_GUTTER  # today's margins
    # the service's own figures win over book.yaml's overrides
    assert load_book(book).config.print_edition.profile("kdp").bleed.top == BLEED


def test_the_gutter_grows_with_the_page_count(small_book: Path):
    kdp = load_book(small_book).config.print_edition.profile("kdp", "white", "black")
    steps = {24: 0.375, 150: 0.375, 151: 0.5, 300: 0.5, 301: 0.625, 500: 0.625, 501: 0.75, 700: 0.75, 701: 0.875,
             828: 0.875, 3_000: 0.875}
    assert {pages: kdp.gutter(pages) / INCH for pages in steps} == steps
    # the interior keeps print.css's wider inside margin until the service asks for more
    assert inside_margin(kdp, 120) == inside_margin(kdp, 300) == DESIGN_GUTTER
    assert inside_margin(kdp, 301) == 0.625 * INCH


def test_an_impossible_combination_in_book_yaml_is_located(tmp_path: Path):
    book = with_print_edition(write_book(tmp_path), service="kdp", stock="cream", ink="premium-color",
                              identifier="isbn:978-0-306-40615-8")
    config, problems = load_config(book)
    assert config is None
    found = {(problem.code, problem.key_path): str(problem) for problem in problems}
    assert set(found) == {("E205", "print_edition.ink"), ("E205", "print_edition.identifier")}  # both, in one run
    assert "found premium-color on cream" in found["E205", "print_edition.ink"]
    assert "expected the check digit 7" in found["E205", "print_edition.identifier"]


def test_isbns_and_their_check_digits():
    assert isbn_problem(ISBN) is None and isbn_problem("urn:isbn:0-306-40615-2") is None
    assert "check digit 7" in isbn_problem("isbn:9780306406158")
    assert "check digit 2" in isbn_problem("isbn:0306406153")
    assert "10 or 13 digits" in isbn_problem("isbn:97803064061")
    assert "978 or 979" in isbn_problem("isbn:9770306406155")
    assert ean13("isbn:0-306-40615-2") == "9780306406157"  # an ISBN-10 is barcoded as its ISBN-13
    symbol = ean13_barcode(ISBN)
    assert len(symbol.bars) == 30  # guards 3 × 2 and 12 digits × 2
    module = min(bar.width for bar in symbol.bars)
    assert module == pytest.approx(0.33 * 72 / 25.4, rel=0.01)  # 100 % magnification
    span = max(bar.x + bar.width for bar in symbol.bars) - min(bar.x for bar in symbol.bars)
    assert span == pytest.approx(95 * module)
    assert "".join(digit.text for digit in symbol.digits) == "9780306406157"


def test_the_spine_grows_with_the_pages_and_carries_text_where_the_service_allows(small_book: Path):
    book = load_book(small_book)
    generic = book.config.print_edition.profile()
    assert cover_wrap(book, 120, profile=generic).spine_width == pytest.approx(120 * CALIPER)
    assert cover_wrap(book, 240, profile=generic).width == pytest.approx(2 * TRIM[0] + 240 * CALIPER)
    assert not cover_wrap(book, 99, profile=generic).spine_has_text  # under a quarter inch
    assert cover_wrap(book, 100, profile=generic).spine_has_text
    kdp = book.config.print_edition.profile("kdp", "cream", "black")
    assert cover_wrap(book, 300, profile=kdp).spine_width == pytest.approx(300 * 0.0025 * INCH)
    assert not cover_wrap(book, 79, profile=kdp).spine_has_text  # KDP: more than 79 pages
    wrap = cover_wrap(book, 200, profile=kdp)
    assert wrap.spine_has_text and wrap.spine_text_room == pytest.approx(wrap.spine_width - 2 * 0.0625 * INCH)
    assert wrap.barcode is None  # no ISBN: the barcode area stays clear


# --- the print options on the command line (point 1) ---

def test_the_command_line_offers_the_services_stocks_and_inks_of_the_tables():
    from bestiary import cli as command_line  # spells them itself, so that --help loads nothing heavy

    assert (tuple(SERVICES), STOCKS, INKS) == (command_line.SERVICES, command_line.STOCKS, command_line.INKS)


def test_the_print_options_are_for_the_print_target_only(small_book: Path, tmp_path: Path):
    for args in (["build", "pdf", "--service", "kdp"], ["build", "--ink", "black"],
                 ["build", "epub", "--stock", "cream", "--ink", "black"]):
        result = cli(*args, "--book", str(small_book), "--out", str(tmp_path / "dist"))
        assert result.returncode == 2, result.stderr
        assert result.stderr.count("\n") == 1 and "with the print target only" in result.stderr
    refused = cli("build", "print", "--book", str(small_book), "--out", str(tmp_path / "dist"), "--service", "kdp",
                  "--stock", "cream", "--ink", "standard-color")
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1
    assert "kdp prints" in refused.stderr and "--stock cream, --ink standard-color" in refused.stderr
    assert not (tmp_path / "dist").exists()  # refused before anything is laid out or written


def test_a_bad_check_digit_is_a_located_error(tmp_path: Path):
    book = with_print_edition(write_book(tmp_path), identifier="isbn:978-0-306-40615-8")
    result = cli("build", "print", "--book", str(book), "--out", str(tmp_path / "dist"))
    line, = assert_input_error(result, "book.yaml:", "E205 print_edition.identifier:", "expected the check digit 7")
    assert line.split(":")[1].isdigit() and line.split(":")[2].isdigit()  # path:line:column


# --- what a build makes (points 5 and 6) ---

def live_area(margin: float) -> tuple[float, float, float, float]:
    return margin, margin, TRIM[0] - margin, TRIM[1] - margin


def objects_outside(path: Path, area: tuple[float, float, float, float]) -> list[tuple[int, tuple[float, ...]]]:
    """Every top-level text, path, image and form on every page of `path` that reaches outside `area`."""
    document = pdfium.PdfDocument(path)
    return [(number, obj.get_bounds()) for number in range(len(document))
            for obj in document[number].get_objects(max_depth=1) if outside(obj.get_bounds(), area)]


def pixel(image, page_box: tuple[float, float, float, float], x: float, y: float, scale: float) -> tuple[int, ...]:
    """The colour at the point (x, y) of the PDF (its own coordinates) of a page rendered at `scale`."""
    left, _, _, top = page_box
    return image.getpixel((int((x - left) * scale), int((top - y) * scale)))[:3]


def nearer(colour: tuple[int, ...], this: tuple[int, ...], than: tuple[int, ...]) -> bool:
    def distance(a: tuple[int, ...], b: tuple[int, ...]) -> int:
        return sum((p - q) ** 2 for p, q in zip(a, b, strict=True))

    return distance(colour, this) < distance(colour, than)


@pytest.mark.slow
def test_the_generic_interior_and_its_cover_wrap(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    interior_path, cover_path = build_print(tmp_path / "first")
    interior, cover = PdfReader(interior_path), PdfReader(cover_path)
    pages = len(interior.pages)
    assert pages % 2 == 0
    assert interior.page_labels[0] == "i"  # no cover pages: the half title is page i, a recto
    for page in interior.pages:  # a generic printer's bleed is on every edge
        assert box(page.trimbox) == pytest.approx(TRIM)
        assert box(page.mediabox) == pytest.approx((TRIM[0] + 2 * BLEED, TRIM[1] + 2 * BLEED))
    assert objects_outside(interior_path, live_area(0.25 * INCH)) == []
    spine = pages * CALIPER
    wrap = cover.pages[0]
    assert len(cover.pages) == 1
    assert box(wrap.mediabox)[0] == pytest.approx(2 * TRIM[0] + spine + 2 * BLEED, abs=0.01)
    assert box(wrap.mediabox)[1] == pytest.approx(TRIM[1] + 2 * BLEED, abs=0.01)
    assert box(wrap.trimbox)[0] == pytest.approx(2 * TRIM[0] + spine, abs=0.01)
    text = " ".join((wrap.extract_text() or "").split())
    assert "A Small Bestiary" in text and "ISBN" not in text and "BARCODE" not in text.upper()
    # without an ISBN nothing is printed in the barcode area (0.45 in from the spine and the bottom, 2 × 1.2 in)
    area = (TRIM[0] - 0.45 * INCH - 2 * INCH, 0.45 * INCH, TRIM[0] - 0.45 * INCH, 1.65 * INCH)
    page = pdfium.PdfDocument(cover_path)[0]
    assert [bounds for bounds in map(lambda obj: obj.get_bounds(), page.get_objects(max_depth=1))
            if _overlaps(bounds, area) and outside(area, bounds)] == []  # only the sheet's background reaches it
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
    build_print(tmp_path / "second")
    for name in ("interior", "cover"):
        first = (tmp_path / "first" / "dist" / "print" / f"a-small-bestiary-{name}.pdf").read_bytes()
        second = (tmp_path / "second" / "dist" / "print" / f"a-small-bestiary-{name}.pdf").read_bytes()
        assert first == second, name


@pytest.mark.slow
def test_a_black_ink_interior_is_grey_through_and_through(tmp_path: Path):
    """Every colour, gradient and chart in grey or black ink: no RGB and no cyan, magenta or yellow anywhere."""
    build_print(tmp_path, ink="black")
    data = (tmp_path / "dist" / "print" / "a-small-bestiary-interior.pdf").read_bytes()
    spaces, operators, mismatches = colours_drawn(data)
    assert spaces and all(space.endswith("gray") for space in spaces), spaces
    assert set(mismatches) == {0}
    assert {operator for operator, _ in operators} <= {"g", "G", "cs", "scn", "CS"}
    assert {values for operator, values in operators if operator == "g"} >= {(0.0,), (1.0,)}
    # the cover is printed in colour whatever the interior's ink
    cover = (tmp_path / "dist" / "print" / "a-small-bestiary-cover.pdf").read_bytes()
    assert any(operator == "k" and values[:3] != (0, 0, 0) for operator, values in colours_drawn(cover)[1])


@pytest.mark.slow
def test_a_kdp_interior_and_cover_with_an_isbn(tmp_path: Path):
    book = with_print_edition(write_book(tmp_path), identifier=ISBN, service="kdp", stock="white",
                              ink="premium-color")
    build_book(book, tmp_path / "dist", ["print"], ink="black")  # the command line's ink over book.yaml's
    interior_path = tmp_path / "dist" / "print" / "a-small-bestiary-interior.pdf"
    cover_path = tmp_path / "dist" / "print" / "a-small-bestiary-cover.pdf"
    interior = PdfReader(interior_path)
    pages = len(interior.pages)
    assert pages % 2 == 0
    trim = (0.0, 0.0, *TRIM)
    for number, page in enumerate(interior.pages):
        assert edges(page.trimbox) == trim
        # bleed on the top, the bottom and the outside only: a recto's outside is its right, a verso's its left
        outer_left, outer_right = (0.0, TRIM[0] + BLEED) if number % 2 == 0 else (-BLEED, TRIM[0])
        assert edges(page.mediabox) == (outer_left, -BLEED, outer_right, TRIM[1] + BLEED), number
        assert edges(page.bleedbox) == edges(page.mediabox)
    # every text, rule and banner inside KDP's live area: the banners stood 0.16 in from the top trim before
    assert objects_outside(interior_path, live_area(0.375 * INCH)) == []
    document = pdfium.PdfDocument(interior_path)
    banners = [obj.get_bounds() for number in range(len(document)) for obj in document[number].get_objects(max_depth=1)
               if obj.type == pdfium.raw.FPDF_PAGEOBJ_PATH and obj.get_bounds()[3] > TRIM[1] - 0.52 * INCH]
    assert banners and max(bounds[3] for bounds in banners) == pytest.approx(TRIM[1] - 0.375 * INCH, abs=0.05)
    # print.css's gutter (wider than KDP's 0.375 in at this page count): a recto's left margin, a verso's right
    lefts = [obj.get_bounds()[0] for number in range(0, pages, 2) for obj in document[number].get_objects(max_depth=1)]
    rights = [obj.get_bounds()[2] for number in range(1, pages, 2) for obj in document[number].get_objects(max_depth=1)]
    # a glyph may overhang its box by a hair: the caption's italic f that begins a line ("families.") by 1.3 pt
    assert min(lefts) == pytest.approx(DESIGN_GUTTER, abs=1.5)
    assert max(rights) == pytest.approx(TRIM[0] - DESIGN_GUTTER, abs=1)

    spine = pages * KDP_WHITE  # the command line's black ink: white paper's caliper
    sheet = (-BLEED, -BLEED, 2 * TRIM[0] + spine + BLEED, TRIM[1] + BLEED)
    wrap = PdfReader(cover_path).pages[0]
    assert edges(wrap.mediabox) == pytest.approx(sheet, abs=0.01)
    assert edges(wrap.trimbox) == pytest.approx((0, 0, 2 * TRIM[0] + spine, TRIM[1]), abs=0.01)
    page = pdfium.PdfDocument(cover_path)[0]
    scale = 4.0
    image = page.render(scale=scale).to_pil()
    back_fold, front_fold = TRIM[0], TRIM[0] + spine
    low = 0.15 * INCH  # under the barcode area and the front's label: the backgrounds alone
    spine_colour = pixel(image, sheet, back_fold + spine / 2, TRIM[1] + BLEED / 2, scale)  # in the top bleed
    manila = pixel(image, sheet, TRIM[0] / 2, low, scale)
    assert spine_colour != manila
    for x, y, colour in ((back_fold - 1, low, manila), (back_fold + 1, low, spine_colour),
                         (front_fold - 1, low, spine_colour), (front_fold + 1, low, manila),
                         (front_fold - 1, -BLEED / 2, spine_colour), (-BLEED / 2, low, manila),
                         (sheet[2] - BLEED / 2, TRIM[1] + BLEED / 2, manila)):
        other = manila if colour == spine_colour else spine_colour
        assert nearer(pixel(image, sheet, x, y, scale), colour, other), (x, y)
    # the barcode: its 30 bars inside KDP's area, 0.25 in from the spine and the bottom, and its digits
    area = (back_fold - 0.25 * INCH - 2 * INCH, 0.25 * INCH, back_fold - 0.25 * INCH, 1.45 * INCH)
    bars = [obj.get_bounds() for obj in _all_objects(page) if obj.type == pdfium.raw.FPDF_PAGEOBJ_PATH
            and _overlaps(obj.get_bounds(), area) and obj.get_bounds()[2] - obj.get_bounds()[0] < 4]
    assert len(bars) == 30 and not any(outside(bounds, area) for bounds in bars)
    text = page.get_textpage()
    in_area = text.get_text_bounded(*area)
    assert "ISBN 978-0-306-40615-7" in in_area and "780306" in in_area and "406157" in in_area
    assert pages < 80 and not spine_text(text, back_fold, front_fold)  # KDP: no spine text under 80 pages
    # the wrap of a 200-page interior: its spine text a sixteenth of an inch clear of each fold
    loaded = load_book(book)
    longer = cover_wrap(loaded, 200, profile=loaded.config.print_edition.profile(ink="black"))
    data, _ = render_cover_wrap(longer, datetime.datetime(2026, 1, 2, tzinfo=datetime.UTC))
    text = pdfium.PdfDocument(data)[0].get_textpage()
    back_fold, front_fold = TRIM[0], TRIM[0] + longer.spine_width
    boxes = spine_text(text, back_fold, front_fold)
    assert len(boxes) > 10
    for left, _, right, _ in boxes:
        assert left >= back_fold + 0.0625 * INCH - 0.01 and right <= front_fold - 0.0625 * INCH + 0.01


def spine_text(text, back_fold: float, front_fold: float) -> list[tuple[float, ...]]:
    """The boxes of the characters set on the spine."""
    boxes = [text.get_charbox(index) for index in range(text.count_chars())]
    return [bounds for bounds in boxes
            if bounds[2] > bounds[0] and back_fold < (bounds[0] + bounds[2]) / 2 < front_fold]


def _all_objects(page):
    return list(page.get_objects(max_depth=3))


@pytest.mark.slow
def test_a_longer_interior_is_laid_out_again_with_the_wider_gutter_its_page_count_asks_for(tmp_path: Path):
    book = load_book(write_book(tmp_path))
    kdp = book.config.print_edition.profile("kdp", "white", "black")
    # a service whose gutter widens past 4 pages: the small book's first layout asks for a second
    wide = dataclasses.replace(kdp, gutters=((4, 0.375 * INCH), (None, 0.9 * INCH)))
    interior = lay_out_interior(book, wide, datetime.datetime(2026, 1, 2, tzinfo=datetime.UTC))
    assert interior.layouts == 2 and interior.inside_margin == 0.9 * INCH
    document = pdfium.PdfDocument(interior.edition.data)
    gutter = 0.9 * INCH
    # the gutter is a recto's left margin and a verso's right (a glyph or a tilted note may overhang by a point)
    inner_edges = [obj.get_bounds()[0] if number % 2 == 0 else TRIM[0] - obj.get_bounds()[2]
                   for number in range(len(document)) for obj in document[number].get_objects(max_depth=1)]
    assert min(inner_edges) >= gutter - 2
    assert sum(abs(edge - gutter) < 0.5 for edge in inner_edges) > 50  # lines of text begin at the gutter
