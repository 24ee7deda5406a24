"""The EPUB on readers (issue 19, point 7): a cover large enough for Apple Books, red labels that read in day and
night modes, a JD autopsy that stacks by the column, headings and gauges kept with what follows, and charts that
keep their ink and their text alternative when a converter (Calibre's AZW3) takes them out of the page.

Faults that show only in a reader (epub.js lays a book out in columns, Calibre makes each inline SVG an image
without the stylesheet) are tested here through the markup and the CSS that cause them, on the fixture book.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile

import pypdfium2
import pytest
import tinycss2
from lxml import etree
from pypdf import PdfReader

from bestiary.book.load import load_book
from bestiary.epub.cover import COVER_SHORT_SIDE, cover_png
from bestiary.views.charts.svg import INK
from conftest import FIXTURE_BOOK

BOOK = load_book(FIXTURE_BOOK)
NS = {"x": "http://www.w3.org/1999/xhtml", "svg": "http://www.w3.org/2000/svg"}
SVG = "{http://www.w3.org/2000/svg}"

# The page and text colours of reading modes: (background, text). Day and sepia as readers ship them (Readium CSS's
# sepia is #faf4e8 with #121212); night as black, Material's #121212, a dimmed text and a dark sepia.
MODES = {
    "day": ("#ffffff", "#000000"),
    "day, soft ink": ("#ffffff", "#1b1b1b"),
    "sepia": ("#f4ecd8", "#5b4636"),
    "sepia, Readium": ("#faf4e8", "#121212"),
    "night, black": ("#000000", "#fefefe"),
    "night, #121212": ("#121212", "#e0e0e0"),
    "night, dimmed text": ("#121212", "#b0b0b0"),
    "night, dark sepia": ("#2a2118", "#d9c9a5"),
}
RED_LABELS = (".chapter-label", ".file-number", ".file-header .summary .label", ".diagnosis .label",
              ".encounter-text .label", ".specimen .section-heading .num", ".card .match", ".taxon-rank",
              ".log-time", ".autopsy td.translation:before", ".stamp")
KEPT_WITH_NEXT = ("h1", "h2", "h3", ".section-heading", ".label", ".named-list dt", ".gauge", ".gauge-reading",
                  ".chart-caption", ".panel-title", ".autopsy td:before")
TEXT_FILL = "-webkit-text-fill-color"  # the colour the glyphs are painted in, where a reader knows it
PHONE, SMALL_TABLET = 360, 600  # CSS pixels across the screen
BASE_FONT = 16  # CSS pixels: the reader's default font size


# ---- colour -----------------------------------------------------------------------------------------------------

def rgb(colour: str) -> tuple[int, int, int]:
    digits = colour.lstrip("#")
    digits = "".join(c * 2 for c in digits) if len(digits) == 3 else digits
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance."""
    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4
    red, green, blue = map(linear, rgb(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


MIX = re.compile(r"color-mix\(in srgb, (#[0-9a-f]{3,6}) (\d+)%, currentColor\)", re.IGNORECASE)


def shown(value: str, text: str) -> str:
    """The colour a `color` or text fill value gives where currentColor (or the inherited colour) is `text`."""
    if value.lower() in ("inherit", "currentcolor"):
        return text
    mix = MIX.fullmatch(value)
    if mix is None:
        return value
    share = int(mix.group(2)) / 100
    return "#" + "".join(f"{round(share * a + (1 - share) * b):02x}" for a, b in zip(rgb(mix.group(1)), rgb(text),
                                                                                          strict=True))


def test_the_colour_arithmetic_finds_the_fault_the_issue_reports():
    assert round(contrast("#b3261e", "#000000"), 1) == 3.2  # the red labels on a black page, before
    assert contrast("#b3261e", "#ffffff") > 4.5
    assert shown("color-mix(in srgb, #ff0000 50%, currentColor)", "#000000") == "#800000"


# ---- the stylesheet ---------------------------------------------------------------------------------------------

def declarations(css: str) -> list[tuple[str, str, str, bool]]:
    """Every declaration of the sheet in order, as (selector, property, value, inside an @media rule)."""
    found = []

    def walk(rules, in_media: bool) -> None:
        for rule in rules:
            if rule.type == "at-rule" and rule.content is not None and rule.lower_at_keyword != "font-face":
                walk(tinycss2.parse_rule_list(rule.content, skip_whitespace=True, skip_comments=True),
                     in_media or rule.lower_at_keyword == "media")
            elif rule.type == "qualified-rule":
                selectors = [s.strip() for s in tinycss2.serialize(rule.prelude).split(",")]
                for item in tinycss2.parse_declaration_list(rule.content, skip_whitespace=True, skip_comments=True):
                    if item.type == "declaration":
                        value = tinycss2.serialize(item.value).strip()
                        found.extend((" ".join(s.split()), item.lower_name, value, in_media) for s in selectors)

    walk(tinycss2.parse_stylesheet(css, skip_whitespace=True, skip_comments=True), False)
    return found


def final(css: str) -> dict[str, dict[str, str]]:
    """Per selector, each property's last value outside @media rules (the sheets are written selector by selector)."""
    values: dict[str, dict[str, str]] = {}
    for selector, name, value, in_media in declarations(css):
        if not in_media:
            values.setdefault(selector, {})[name] = value
    return values


def em(value: str) -> float:
    match = re.fullmatch(r"(-?[\d.]+)em", value)
    assert match, value
    return float(match.group(1))


@pytest.fixture(scope="module")
def epub(fixture_build):
    archive = zipfile.ZipFile(fixture_build.out / "the-corporate-bestiary.epub")
    documents = {name: etree.fromstring(archive.read(name)) for name in archive.namelist() if name.endswith(".xhtml")}
    return archive, documents, archive.read("EPUB/styles/epub.css").decode("utf-8")


# ---- the cover --------------------------------------------------------------------------------------------------

def blank_pdf(width: float, height: float) -> bytes:
    document = pypdfium2.PdfDocument.new()
    document.new_page(width, height)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def png_size(png: bytes) -> tuple[int, int]:
    return struct.unpack(">II", png[16:24])


@pytest.mark.parametrize("page", [(306.0, 476.0), (432.0, 648.0), (648.0, 432.0)])
def test_the_cover_image_is_at_least_1400_pixels_on_its_short_side_in_the_pages_proportions(page):
    pdf = blank_pdf(*page)
    png = cover_png(pdf)
    width, height = png_size(png)
    assert min(width, height) >= COVER_SHORT_SIDE == 1400  # Apple Books' least
    assert abs(width / height - page[0] / page[1]) * max(width, height) <= 1
    assert png == cover_png(pdf)  # the same page, the same bytes


@pytest.mark.slow
def test_the_books_cover_is_large_enough_for_apple_books(epub, fixture_build):
    archive, documents, _ = epub
    width, height = png_size(archive.read("EPUB/images/cover.png"))
    assert min(width, height) >= 1400
    cover = PdfReader(fixture_build.out / "the-corporate-bestiary.pdf").pages[0].mediabox
    assert abs(width / height - float(cover.width) / float(cover.height)) * height <= 1
    svg = documents["EPUB/text/cover.xhtml"].xpath("//svg:svg", namespaces=NS)[0]
    assert svg.get("viewBox") == f"0 0 {width} {height}"


# ---- red labels -------------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_red_labels_read_at_4_5_to_1_in_day_sepia_and_night_modes(epub):
    _, _, css = epub
    values = final(css)
    for selector in RED_LABELS:  # the reader's text colour tinted red: still red, and readable in every mode
        fill = values[selector].get(TEXT_FILL, "")
        assert MIX.fullmatch(fill) and int(MIX.fullmatch(fill).group(2)) >= 50, (selector, fill)
        assert values[selector]["color"] == "inherit", selector  # where a reader cannot mix: its text colour
    for selector, properties in values.items():
        if "color" not in properties and TEXT_FILL not in properties:
            continue
        for mode, (page, text) in MODES.items():
            # a label that carries its own ground (a banner, white on red) is read against it, whatever the mode
            ground = properties.get("background", properties.get("background-color", page))
            own = shown(properties.get("color", "inherit"), text)
            painted = shown(properties.get(TEXT_FILL, "currentColor"), own)
            ratio = contrast(painted, ground)
            assert ratio >= 4.5, f"{selector} in {mode}: {ratio:.2f}:1 ({painted} on {ground})"
    assert values[".stamp"].get("opacity") == "1"  # an opacity would take the stamp under 4.5:1
    assert MIX.fullmatch(values[".stamp"]["border-color"])


@pytest.mark.slow
def test_no_colour_is_mixed_with_the_parents_colour(epub):
    """In `color`, currentColor is the parent's colour: Chromium (as epub.js runs in it) works such a mix out once and
    keeps it when the reader's theme changes the page's colour, so a label stayed the day's dark red on a night page.
    The mix belongs where currentColor is the element's own colour, worked out when the text is painted."""
    _, _, css = epub
    mixed = [(selector, value) for selector, name, value, _ in declarations(css)
             if name == "color" and "currentcolor" in value.lower() and value.lower() != "currentcolor"]
    assert not mixed


# ---- the JD autopsy ---------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_the_jd_autopsy_stacks_by_the_column_not_the_viewport(epub):
    archive, documents, css = epub
    # paginated readers (epub.js) lay the book out in columns: a viewport query sees the width of all of them
    assert not [d for d in declarations(css) if d[3] and ".autopsy" in d[0]]
    values = final(css)
    row, cell = values[".autopsy tr"], values[".autopsy td"]
    assert row["display"] == "flex" and row["flex-wrap"] == "wrap"
    grow, shrink, basis = cell["flex"].split()
    assert (grow, shrink) == ("1", "1") and cell["min-width"] == "0"
    # at the reader's default size, two cells side by side need more than a phone's column, less than a tablet's
    font = em(values[".specimen"]["font-size"]) * BASE_FONT
    two_cells = 2 * (em(basis) + 2 * em(cell["padding"])) * font
    margins = 2 * em(values["body"]["margin"].split()[1]) * BASE_FONT
    assert PHONE - margins < two_cells < SMALL_TABLET - margins, two_cells
    # stacked, each cell says which column it is (the table's head is not shown)
    assert values[".autopsy thead"]["display"] == "none"
    assert values[".autopsy td.illusion:before"]["content"] == '"LinkedIn illusion"'
    assert values[".autopsy td.translation:before"]["content"] == '"OTIOSE translation"'
    assert values[".autopsy tr"]["break-inside"] == "avoid"  # a pair is never split between screens
    for role in BOOK.roles:
        rows = documents[f"EPUB/text/{role.anchor}.xhtml"].xpath("//x:table[@class='autopsy']/x:tbody/x:tr",
                                                                  namespaces=NS)
        assert len(rows) == len(role.jd_autopsy), role.slug
        for tr in rows:
            assert [td.get("class") for td in tr.xpath("x:td", namespaces=NS)] == ["illusion", "translation"]


# ---- headings and gauges ----------------------------------------------------------------------------------------

@pytest.mark.slow
def test_headings_gauges_and_captions_are_kept_with_what_follows(epub):
    _, documents, css = epub
    values = final(css)
    for selector in KEPT_WITH_NEXT:
        assert values[selector].get("break-after") == "avoid", selector
        assert values[selector].get("page-break-after") == "avoid", selector  # EPUB 2 readers' name for it
    for selector in (".gauge", ".chart-panel", ".autopsy tr"):
        assert values[selector].get("break-inside") == "avoid", selector
    # and something follows each of them in its section, for the rule to keep them with
    for role in BOOK.roles:
        document = documents[f"EPUB/text/{role.anchor}.xhtml"]
        for element in document.xpath("//*[contains(@class, 'section-heading') or @class='gauge']", namespaces=NS):
            assert element.getnext() is not None, (role.slug, element.get("class"))
        gauge = document.xpath("//x:div[@class='gauge']", namespaces=NS)[0]
        assert gauge.getnext().get("class") == "diagnosis" and gauge.get("role") == "img" and gauge.get("aria-label")
    statistics = documents["EPUB/text/statistics.xhtml"]
    for caption in statistics.xpath("//x:p[@class='chart-caption']", namespaces=NS):
        assert caption.getnext().tag == f"{{{NS['x']}}}figure"


# ---- charts after conversion ------------------------------------------------------------------------------------

PAINT = re.compile(r"#[0-9a-f]{6}")


@pytest.mark.slow
def test_charts_keep_their_ink_and_a_text_alternative_out_of_the_page(epub):
    _, documents, css = epub
    statistics = documents["EPUB/text/statistics.xhtml"]
    sections = statistics.xpath("//x:section[@class='statistics-chart']", namespaces=NS)
    assert len(sections) == 3
    for section in sections:
        svgs = section.xpath(".//svg:svg", namespaces=NS)
        assert svgs
        for svg in svgs:
            label = svg.get("aria-label")
            assert svg.get("role") == "img" and label and svg.find(f"{SVG}title").text == label
            assert "table" in label  # it says where the data are
            # a white ground under the whole drawing: Calibre's AZW3 makes the SVG an image without our sheet
            backing = svg[1]
            assert backing.tag == f"{SVG}rect" and backing.get("class") == "chart-backing"
            assert (backing.get("width"), backing.get("height")) == tuple(svg.get("viewBox").split()[2:])
            assert contrast(INK, backing.get("fill")) >= 4.5
            for element in svg.iter(f"{SVG}line", f"{SVG}path", f"{SVG}text", f"{SVG}circle", f"{SVG}rect",
                                    f"{SVG}polygon"):
                # every stroke and fill explicit: nothing left to a default colour, nothing to currentColor
                paint = {name: element.get(name) for name in ("stroke", "fill") if element.get(name)}
                assert paint, etree.tostring(element)
                assert all(PAINT.fullmatch(value) or value == "none" for value in paint.values()), paint
                if element.tag in (f"{SVG}line", f"{SVG}path"):
                    assert PAINT.fullmatch(paint.get("stroke", "")), paint
                if element.tag == f"{SVG}text":
                    assert paint["fill"] == INK  # labels in the ink, 4.5:1 at least on the ground
        # the text alternative in plain HTML, which every converter keeps: the caption before, the data after
        assert section.xpath("x:div[@class='chart-start']/x:p[@class='chart-caption']/text()", namespaces=NS)
        table = section.xpath("x:div[@class='chart-data']/x:table", namespaces=NS)
        assert table and table[0].xpath("x:caption/text()", namespaces=NS)
        assert len(table[0].xpath("x:tbody/x:tr", namespaces=NS)) >= len(BOOK.roles)
        assert section.index(table[0].getparent()) > max(section.index(f) for f in section.xpath(
            "x:figure|x:div[@class='chart-start']", namespaces=NS))
    # in the EPUB itself the chart is drawn on the reader's page in the reader's colour (night mode)
    values = final(css)
    assert values[".chart-svg .chart-backing"]["fill"] == "none"
    assert values[f'.chart-svg [fill="{INK}"]']["fill"] == "currentColor"
    assert values[f'.chart-svg [stroke="{INK}"]']["stroke"] == "currentColor"
    assert values[".chart-svg"]["color"] == "inherit"
