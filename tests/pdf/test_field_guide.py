"""The PDF field guide: page numbers that are true, labels that match folios, outline, links, fonts, options."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import ArrayObject, IndirectObject

from bestiary.book.load import load_book
from bestiary.resources import fonts_dir
from conftest import FIXTURE_BOOK, build_book
from helpers import link_annotations, programs_by_font_name

pytestmark = pytest.mark.slow

BOOK = load_book(FIXTURE_BOOK)
PDF_NAME = "the-corporate-bestiary.pdf"
SMALL_PDF = "a-small-bestiary.pdf"  # the variants are checked on a small book: the same stylesheet, fewer pages
ROMAN = re.compile(r"^[ivxlc]+$")


@pytest.fixture(scope="module")
def guide(fixture_build) -> tuple[PdfReader, tuple[str, ...]]:
    warnings = tuple(line for line in fixture_build.stderr.splitlines() if ": W" in line)
    return PdfReader(fixture_build.out / PDF_NAME), warnings


def page_lines(page) -> list[str]:
    return [" ".join(line.split()) for line in (page.extract_text() or "").splitlines() if line.strip()]


def start_labels(reader: PdfReader) -> dict[str, str]:
    """Anchor id → the page label of the page it is on, from the PDF's named destinations."""
    labels = reader.page_labels
    return {name: labels[reader.get_destination_page_number(dest)]
            for name, dest in reader.named_destinations.items()}


def folio_of(page) -> str | None:
    """The printed folio: a number or roman numeral alone in the bottom margin (below 0.62in)."""
    found: list[str] = []

    def visit(text, matrix, text_matrix, font, size):
        if list(matrix) == [1, 0, 0, 1, 0, 0]:
            return  # text of an SVG drawing (a chart's labels): pypdf cannot place it, and it is no folio
        y = text_matrix[4] * matrix[1] + text_matrix[5] * matrix[3] + matrix[5]  # in PDF points, from the bottom
        token = text.strip()
        if token and y < 0.62 * 72 and (token.isdigit() or ROMAN.match(token)):
            found.append(token)

    page.extract_text(visitor_text=visit)
    return found[0] if found else None


def test_the_build_logs_no_warning(guide):
    _, warnings = guide
    assert warnings == ()


def test_page_labels_match_the_printed_folios(guide):
    reader, _ = guide
    labels = reader.page_labels
    checked = 0
    for index, page in enumerate(reader.pages):
        folio = folio_of(page)
        if folio is not None:
            assert folio == labels[index], f"page {index}: printed {folio}, labelled {labels[index]}"
            checked += 1
    assert checked > len(reader.pages) * 0.7  # the cover, blank versos and openers carry no folio
    assert labels[:3] == ["Cover", "Inside cover", "i"] and "1" in labels
    body_start = labels.index("1")
    assert all(ROMAN.match(label) for label in labels[2:body_start])
    assert labels[body_start:] == [str(n) for n in range(1, len(labels) - body_start + 1)]


def test_contents_page_numbers_are_where_each_specimen_starts(guide):
    reader, _ = guide
    starts = start_labels(reader)
    contents = [line for index, page in enumerate(reader.pages) if ROMAN.match(reader.page_labels[index])
                for line in page_lines(page)]
    for role in BOOK.roles:
        printed = [m.group(1) for line in contents
                   if (m := re.fullmatch(re.escape(role.title) + r"[ .]*?(\d+)", line))]
        assert printed == [starts[role.anchor]], (role.title, printed, starts[role.anchor])
    for chapter in BOOK.chapters:
        printed = [m.group(1) for line in contents
                   if (m := re.fullmatch(re.escape(chapter.title) + r"[ .]*?(\d+)", line))]
        assert printed == [starts[chapter.anchor]], chapter.title


def test_index_page_numbers_are_where_each_specimen_starts(guide):
    reader, _ = guide
    starts = start_labels(reader)
    index_start = reader.get_destination_page_number(reader.named_destinations["taxonomy-index"])
    text = " ".join(" ".join(page_lines(page)) for page in reader.pages[index_start:])
    a_to_z = text.split("A–Z", 1)[1].split("Habitats", 1)[0]
    for role in BOOK.roles:
        printed = re.findall(re.escape(role.title) + r", (\d+)", a_to_z)
        assert starts[role.anchor] in printed, (role.title, printed, starts[role.anchor])
        for alias in role.aliases:
            assert f"{alias}, see {role.title}, {starts[role.anchor]}" in a_to_z
    for habitat in BOOK.roles[0].habitat:
        assert habitat in text


def test_outline_has_every_chapter_and_specimen(guide):
    reader, _ = guide
    outline = reader.outline
    top = [item.title for item in outline if not isinstance(item, list)]
    for chapter in BOOK.chapters:
        assert chapter.title in top
    assert "Taxonomy Index" in top
    for chapter in BOOK.families:
        position = next(i for i, item in enumerate(outline)
                        if not isinstance(item, list) and item.title == chapter.title)
        children = outline[position + 1]
        assert [child.title for child in children] == [role.title for role in chapter.roles]
        for child, role in zip(children, chapter.roles, strict=True):
            assert reader.page_labels[reader.get_destination_page_number(child)] == start_labels(reader)[role.anchor]


def test_every_link_resolves_to_a_page(guide):
    reader, _ = guide
    named = reader.named_destinations
    internal = 0
    pages = [p.get_object() for p in reader.pages]
    for action, destination in link_annotations(reader):
        if action.get("/S") == "/URI":
            continue
        assert destination is not None, action
        if isinstance(destination, ArrayObject | list):
            target = destination[0]
            assert isinstance(target, IndirectObject) and target.get_object() in pages
        else:
            assert str(destination) in named, destination
            reader.get_destination_page_number(named[str(destination)])
        internal += 1
    assert internal > 100  # contents, rosters, related cards and the whole index


def test_metadata(guide):
    reader, _ = guide
    info = reader.metadata
    config = BOOK.config
    assert info.title == config.title
    assert info.author == ", ".join(config.authors)
    assert info.subject == config.subtitle
    assert info["/Keywords"] == ", ".join(config.keywords)
    assert info["/CreationDate"].startswith("D:20")
    assert reader.trailer["/Root"]["/Lang"] == config.language


def names_of(font_file: bytes) -> set[str]:
    """Family, typographic family, full and PostScript names."""
    with TTFont(io.BytesIO(font_file)) as font:
        return {name for name_id in (1, 4, 6, 16) if (name := font["name"].getDebugName(name_id))}


def test_every_font_is_embedded_and_ours(guide):
    reader, _ = guide
    ours = [names_of(path.read_bytes()) for path in [*fonts_dir().glob("*.otf"), *fonts_dir().glob("*.ttf")]]
    seen: set[str] = set()
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            embedded = next((descriptor[key] for key in ("/FontFile3", "/FontFile2", "/FontFile") if key in descriptor),
                            None)
            assert embedded is not None, font["/BaseFont"]
            assert str(font["/BaseFont"])[7:8] == "+", "expected a subset (ABCDEF+Name)"
            names = names_of(embedded.get_object().get_data())
            assert any(names & candidate for candidate in ours), names  # one of ours, not a system face
            seen |= names
    for family in ("Courier Prime", "Inter", "EB Garamond"):
        assert any(name.startswith(family) for name in seen), family


def test_every_font_subset_has_a_tag_of_its_own(fixture_build):
    """ISO 32000 9.6.4: distinct subsets, distinct tags. Each chunk embeds its own subset of a face under the same
    tag; the assembly joins them."""
    programs = programs_by_font_name((fixture_build.out / PDF_NAME).read_bytes())
    assert {name: len(found) for name, found in programs.items() if len(found) > 1} == {}
    faces = [name.split("+")[1] for name in programs]
    assert len(faces) == len(set(faces))  # and each face once, under one tag


def test_bleed_adds_to_the_media_box_and_ua_is_tagged(tmp_path: Path, small_book: Path):
    build_book(small_book, tmp_path / "bleed", ["pdf"], bleed="3mm", crop_marks=True)
    page = PdfReader(tmp_path / "bleed" / SMALL_PDF).pages[5]
    bleed = 3 / 25.4 * 72
    assert float(page.trimbox.width) == pytest.approx(4.5 * 72)
    assert float(page.mediabox.width) == pytest.approx(4.5 * 72 + 2 * bleed, abs=0.01)
    assert float(page.mediabox.height) == pytest.approx(7 * 72 + 2 * bleed, abs=0.01)

    build_book(small_book, tmp_path / "ua", ["pdf"], variant="pdf/ua-1")
    root = PdfReader(tmp_path / "ua" / SMALL_PDF).trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] is True or root["/MarkInfo"]["/Marked"] == True  # noqa: E712
    assert "/StructTreeRoot" in root
    assert 'pdfuaid:part="1"' in root["/Metadata"].get_object().get_data().decode()
    assert root["/PageLabels"]


def test_pdf_a_variant_declares_itself(tmp_path: Path, small_book: Path):
    build_book(small_book, tmp_path, ["pdf"], variant="pdf/a-3b", page_size="a5")
    reader = PdfReader(tmp_path / SMALL_PDF)
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp
    assert "/OutputIntents" in reader.trailer["/Root"]
    assert float(reader.pages[0].mediabox.width) == pytest.approx(148 / 25.4 * 72, abs=0.5)
