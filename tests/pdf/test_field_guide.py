"""The PDF field guide: page numbers that are true, labels that match folios, outline, links, fonts, options."""

from __future__ import annotations

import functools
import io
import re
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import ArrayObject, IndirectObject

from bestiary.book.load import load_book
from bestiary.book.model import Role
from bestiary.resources import fonts_dir
from bestiary.text.markdown import plain_text
from bestiary.views.index import sort_key
from conftest import FIXTURE_BOOK, build_book
from helpers import dehyphenate, link_annotations, programs_by_font_name, straight_quotes

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


def squeezed(text: str) -> str:
    """Text with no spaces and no hyphens: the same whatever the line breaks and hyphenation."""
    return re.sub(r"[\s\-\u2010\u00ad]", "", straight_quotes(text))


def test_every_index_locator_names_the_page_its_text_is_printed_on(guide):
    """Each locator of the taxonomy tree, the A–Z, the habitats and kinship is read back from the index's
    text, and what it locates (a title, an alias, a habitat, a related-specimen card) is printed on that page."""
    reader, _ = guide
    labels = reader.page_labels
    starts = start_labels(reader)
    page_of_label = {label: index for index, label in enumerate(labels)}
    index_start = reader.get_destination_page_number(reader.named_destinations["taxonomy-index"])
    index_text = dehyphenate(" ".join(" ".join(page_lines(page)) for page in reader.pages[index_start:]))
    index_text = " ".join(index_text.split())
    checked = 0

    @functools.cache
    def page_text(page: int) -> str:  # pypdf takes tens of milliseconds a page; many locators share one
        return squeezed(reader.pages[page].extract_text())

    def printed_on(label: str, text: str, within: Role | None = None) -> None:
        nonlocal checked
        page = page_of_label[label]
        assert squeezed(text)[:40] in page_text(page), (label, text)
        if within is not None:  # and on one of that specimen's pages
            first = page_of_label[starts[within.anchor]]
            following = [page_of_label[starts[r.anchor]] for r in BOOK.roles if page_of_label[starts[r.anchor]] > first]
            assert first <= page < min(following, default=len(labels)), (label, text, within.title)
        checked += 1

    tree_part, rest = index_text.split("NAMES AND DISGUISES, A–Z", 1)
    names_part, rest = rest.split("HABITATS", 1)
    habitats_part, kinship = rest.split("KINSHIP: RELATED TO AND CITED BY", 1)

    def one(pattern: str, part: str) -> re.Match[str]:
        found = list(re.finditer(pattern, part))
        assert len(found) == 1, (pattern, len(found))
        return found[0]

    for family in BOOK.families:
        printed = one(re.escape(f"FAMILY {family.title}, ") + r"(\d+)", tree_part).group(1)
        assert printed == starts[family.anchor]
        printed_on(printed, family.title)
    for role in BOOK.roles:
        title = re.escape(plain_text(role.title))
        tree = one(title + r", (\d+): " + re.escape(plain_text(role.summary)[:30]), tree_part).group(1)
        a_to_z = one(r"(?<!see )\b" + title + r", (\d+)", names_part).group(1)
        assert tree == a_to_z == starts[role.anchor], role.title
        printed_on(tree, role.title, within=role)
        for alias in role.aliases:
            printed_on(one(re.escape(f"{plain_text(alias)}, see ") + title + r", (\d+)", names_part).group(1), alias,
                       within=role)
        for habitat in role.habitat:
            entry = one(re.escape(plain_text(habitat)) + r": [^:]*?" + title + r", (\d+)", habitats_part)
            printed_on(entry.group(1), habitat, within=role)
    by_slug = {role.slug: role for role in BOOK.roles}
    entries: dict[str, str] = {}  # each role's kinship entry
    ordered = sorted(BOOK.roles, key=lambda role: sort_key(role.title))
    heads = [re.compile(re.escape(f"{plain_text(role.title)}, {starts[role.anchor]}") + r"(?! \()") for role in ordered]
    position = 0
    for number, role in enumerate(ordered):  # an entry's head is its title and page, not followed by a match
        position = heads[number].search(kinship, position).start()
        end = heads[number + 1].search(kinship, position + 1).start() if number + 1 < len(ordered) else len(kinship)
        entries[role.slug] = kinship[position:end]
    for role in BOOK.roles:
        for related in role.related:
            cited = by_slug[related.slug]
            named = re.escape(f"{plain_text(role.title)}, ") + r"(\d+)" + re.escape(f" ({related.match}%)")
            cited_by = entries[cited.slug].split("cited by", 1)[1]
            printed_on(re.search(named, cited_by).group(1), cited.title, within=role)  # the card that names it
            to = re.escape(f"{plain_text(cited.title)}, ") + r"(\d+)" + re.escape(f" ({related.match}%)")
            assert re.search(to, entries[role.slug].split("related to", 1)[1]).group(1) == starts[cited.anchor]
    assert checked > 5 * len(BOOK.roles)


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


def test_the_outline_names_every_part_of_the_index(guide):
    reader, _ = guide
    outline = reader.outline
    position = next(i for i, item in enumerate(outline)
                    if not isinstance(item, list) and item.title == "Taxonomy Index")
    parts = [item.title for item in outline[position + 1]]
    assert parts == ["The taxonomy", "Names and disguises, A–Z", "Habitats", "Kinship: related to and cited by"]


def glyphs_drawn(pdf: pikepdf.Pdf, page_number: int, font_name: str) -> set[int]:
    """The glyph ids a page draws in a font (WeasyPrint's fonts keep the font's own ids, with Identity-H codes)."""
    page = pdf.pages[page_number]
    fonts = {str(name): str(font.BaseFont) for name, font in page.Resources.Font.items()}
    drawn: set[int] = set()
    current = ""
    for operands, operator in pikepdf.parse_content_stream(page):
        if operator == pikepdf.Operator("Tf"):
            current = fonts.get(str(operands[0]), "")
        elif font_name in current and operator in (pikepdf.Operator("TJ"), pikepdf.Operator("Tj")):
            strings = operands[0] if operator == pikepdf.Operator("TJ") else [operands[0]]
            for item in strings:
                if isinstance(item, pikepdf.String):
                    data = bytes(item)
                    drawn.update(int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2))
    return drawn


def test_the_copyright_page_has_no_folio_and_sets_its_figures_lining(guide, fixture_build):
    reader, _ = guide
    number = next(i for i, page in enumerate(reader.pages) if "All rights reserved" in (page.extract_text() or ""))
    assert folio_of(reader.pages[number]) is None
    assert reader.page_labels[number] not in (reader.pages[number].extract_text() or "").split()
    garamond = TTFont(fonts_dir() / "EBGaramond-Regular.otf")
    old_style = {garamond.getGlyphID(garamond.getBestCmap()[ord(digit)]) for digit in "0123456789"}
    lining = {garamond.getGlyphID(f"{name}.tablining") for name in
              ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")}
    with pikepdf.open(fixture_build.out / PDF_NAME) as pdf:
        drawn = glyphs_drawn(pdf, number, "EB-Garamond")
    assert drawn & lining and not drawn & old_style  # the date, the identifier and the year


def test_contents_leaders_end_in_one_column_and_the_numbers_flush_right(fixture_build):
    """Every contents line's leader ends at the same x, and every page number ends at the right edge."""
    document = pdfium.PdfDocument(fixture_build.out / PDF_NAME)
    number = next(i for i in range(len(document))  # its letter-spaced heading may read "C O NTENTS"
                  if "".join(document[i].get_textpage().get_text_range().split()).startswith("CONTENTS"))
    textpage = document[number].get_textpage()
    leader_ends, number_ends, start = [], [], 0
    for line in textpage.get_text_range().split("\r\n"):
        if re.fullmatch(r".*?\S[ .]*\.\s*\d+", line):
            leader_ends.append(textpage.get_charbox(start + line.rindex("."))[2])
            number_ends.append(textpage.get_charbox(start + len(line) - 1)[2])
        start += len(line) + 2  # PDFium ends its lines with CR LF
    assert len(leader_ends) >= len(BOOK.chapters) + len(BOOK.roles)
    assert max(leader_ends) - min(leader_ends) < 0.5
    assert max(number_ends) - min(number_ends) < 1.5  # two faces: their figures' ink differs by a fraction
