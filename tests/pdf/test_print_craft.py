"""The field guide as a typesetter and a printer's preflight read it: rectos, heads, hyphens, runts, type, metadata."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from bestiary.book.config import default_hyphenation
from bestiary.book.load import load_book
from bestiary.build import print_edition
from bestiary.pdf.document import PdfOptions
from bestiary.text import running_heads
from bestiary.views.guide import field_guide_view
from conftest import FIXTURE_BOOK, ROOT, build_book, record, write_book
from helpers import dehyphenate

pytestmark = pytest.mark.slow

BOOK = load_book(FIXTURE_BOOK)
PDF_NAME = "the-corporate-bestiary.pdf"
CREATED = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


@pytest.fixture(scope="module")
def reader(fixture_build) -> PdfReader:
    return PdfReader(fixture_build.out / PDF_NAME)


@pytest.fixture(scope="module")
def edition():
    """The bundled field guide laid out, for its geometry."""
    return print_edition(BOOK, PdfOptions.from_config(BOOK.config), CREATED)


def destination_page(reader: PdfReader, anchor: str) -> int:
    return reader.get_destination_page_number(reader.named_destinations[anchor])


def text_in_band(page, low: float, high: float) -> list[tuple[float, str]]:
    """(x, text) of the text drawn with its baseline between `low` and `high` points from the page's bottom."""
    found: list[tuple[float, str]] = []

    def visit(text, matrix, text_matrix, font, size):
        x = text_matrix[4] * matrix[0] + text_matrix[5] * matrix[2] + matrix[4]
        y = text_matrix[4] * matrix[1] + text_matrix[5] * matrix[3] + matrix[5]
        if text.strip() and low <= y <= high:
            found.append((x, " ".join(text.split())))

    page.extract_text(visitor_text=visit)
    return found


def test_the_body_every_chapter_and_the_index_open_on_a_recto(reader: PdfReader):
    labels = reader.page_labels
    assert labels[0] == "Cover"  # page 1, a recto
    openers = [chapter.anchor for chapter in BOOK.chapters] + ["field-statistics", "taxonomy-index"]
    for anchor in openers:
        index = destination_page(reader, anchor)
        assert index % 2 == 0, f"{anchor} opens on physical page {index + 1}, a verso"
        assert int(labels[index]) % 2 == 1, (anchor, labels[index])
    assert labels[destination_page(reader, BOOK.chapters[0].anchor)] == "1"
    for anchor in ("half-title", "title-page", "contents"):
        assert destination_page(reader, anchor) % 2 == 0, anchor


def test_running_heads_name_the_family_on_versos_and_the_specimen_on_rectos(reader: PdfReader):
    labels = reader.page_labels
    heads_seen = 0
    for chapter in BOOK.families:
        for role, next_role in zip(chapter.roles, (*chapter.roles[1:], None), strict=True):
            first = destination_page(reader, role.anchor)
            last = destination_page(reader, next_role.anchor) - 1 if next_role else first + 1
            for index in range(first, last + 1):
                page = reader.pages[index]
                height, width = float(page.mediabox.height), float(page.mediabox.width)
                heads = text_in_band(page, height - 0.62 * 72, height)
                words = " ".join(text for _, text in heads).upper()
                if index % 2:  # a verso: the family at the outer (left) edge
                    assert chapter.title.upper() in words, (labels[index], words)
                    assert min(x for x, text in heads if text.upper() in chapter.title.upper()) < width / 2
                else:  # a recto: the specimen at the outer (right) edge
                    assert role.title.upper() in words, (labels[index], words)
                heads_seen += 1
    assert heads_seen > 30


def margin_lines(page, where: str) -> list[str]:
    """The lines of text in one margin box of a laid-out page ('top-left', 'top-right'…)."""
    for box in page._page_box.children:
        if type(box).__name__ == "MarginBox" and box.at_keyword == f"@{where}":
            return [" ".join(t.text for t in line.descendants() if type(t).__name__ == "TextBox")
                    for line in box.descendants() if type(line).__name__ == "LineBox"]
    return []


def test_running_heads_are_one_line_even_for_the_longest_titles(tmp_path: Path):
    longest = ["Lead Backend Data Procurement Analyst and Vendor Relationship Owner",
               "Internal Communications Manager for Transformational Change Programs",
               "Principal Senior Staff Machine Learning Platform Reliability Engineer"]
    families = {f"0{n}-family-{n}": {f"role-{n}": record(title)} for n, title in enumerate(longest, start=1)}
    for records in families.values():
        data = next(iter(records.values()))
        data["org_chart"][1] = data["title"]
    families["01-family-1"]["role-1"]["running_title"] = "Lead Backend Procurement Analyst"
    book = load_book(write_book(tmp_path, families))
    edition = print_edition(book, PdfOptions.from_config(book.config), CREATED)
    width = running_heads.head_width(book.config.page_size)
    checked = 0
    for page in edition.document.pages:
        for where in ("top-left", "top-right"):
            lines = [line for line in margin_lines(page, where) if line.strip()]
            if lines and "CLASSIFIED" not in lines[0].upper():
                assert len(lines) == 1, lines
                assert running_heads.text_width(lines[0]) <= width + 0.5
                checked += 1
    assert checked > 6
    texts = {line for page in edition.document.pages for line in margin_lines(page, "top-right")}
    assert "LEAD BACKEND PROCUREMENT ANALYST" in texts  # the record's own running title
    assert "PRINCIPAL SENIOR STAFF MACHINE LEARNING…" in texts  # shortened at a word boundary


def test_hyphenation_is_american_for_a_book_in_english(tmp_path: Path):
    assert default_hyphenation("en") == "en-US" and default_hyphenation("en-GB") == "en-GB"
    assert BOOK.config.hyphenation == "en-US"
    alpha = record("Alpha Analyst")
    words = "reasons estimates integration reasonable estimated integrations "
    alpha["jd_autopsy"] = [{"illusion": words * 6, "translation": words * 6} for _ in range(3)]
    book = write_book(tmp_path, {"01-first": {"alpha-analyst": alpha}})
    build_book(book, tmp_path / "dist", ["pdf"])
    raw = "\n".join(page.extract_text() or "" for page in PdfReader(tmp_path / "dist" / "a-small-bestiary.pdf").pages)
    splits = re.findall(r"(\w+)\u2010\s*\n\s*(\w+)", raw)
    assert splits, "the narrow autopsy columns should hyphenate somewhere"
    british = {("reas", "ons"), ("estim", "ates"), ("integ", "ration"), ("reas", "onable"), ("integ", "rations")}
    assert not [pair for pair in splits if (pair[0].lower(), pair[1].lower()) in british], splits


def consecutive_hyphens(document) -> int:
    worst = 0
    for page in document.pages:
        run = 0
        for box in page._page_box.descendants():
            if type(box).__name__ == "LineBox":
                text = "".join(t.text for t in box.descendants() if type(t).__name__ == "TextBox").rstrip()
                if not text:
                    continue
                run = run + 1 if text.endswith("\u2010") else 0
                worst = max(worst, run)
    return worst


def test_hyphens_never_stack_up_and_no_body_page_is_a_runt(edition):
    assert consecutive_hyphens(edition.document) <= 2
    assert edition.pagination.sparse_body_pages() == ()


def test_the_build_reports_pages_under_a_quarter_full(fixture_build):
    assert "0 body pages under a quarter full" in fixture_build.stdout


def test_a_chart_is_never_split_across_pages_and_its_key_stays_whole(edition):
    statistics = field_guide_view(BOOK, CREATED).statistics
    ids = [target.id for chart in statistics.charts for target, _ in chart.panels]
    ids += [target.id for chart in statistics.charts if chart.show_table for target, _ in chart.rows]
    pages_of = {anchor: [number for number, page in enumerate(edition.document.pages) if anchor in page.anchors]
                for anchor in ids}
    assert all(len(pages) == 1 for pages in pages_of.values()), pages_of
    key = [pages_of[target.id][0] for chart in statistics.charts if chart.show_table for target, _ in chart.rows]
    assert len(set(key)) == 1  # the bundled book's key fits on one page, so it is not broken


def test_related_cards_stay_with_their_heading_and_fit_the_last_page(edition):
    """The cards are never split from their heading or each other, and set compact enough that no specimen ends on a
    part-full page after another part-full one (the block moved over whole: six such pairs before, pp. 29–30…)."""
    fill = edition.pagination.fill
    # the page each id begins on, from the laid-out edition (this module's own: no wait for the run's build)
    page_of = {anchor: number for number, anchors in reversed(list(enumerate(edition.pagination.anchors_by_page)))
               for anchor in anchors}
    for role in BOOK.roles:
        heading = page_of[role.section_anchor("related")]
        for number in range(1, len(role.related) + 1):
            assert page_of[f"{role.anchor}--card-{number}"] == heading, (role.slug, number)
        assert fill[heading] >= 0.7 or fill[heading - 1] >= 0.7, (role.slug, fill[heading - 1], fill[heading])


def laid_out_paragraphs(document) -> list[list[str]]:
    """The lines of every block of text, a paragraph split across pages joined again, in the order of the book."""
    by_element: dict[int, list[str]] = {}

    def visit(box) -> None:
        lines = [child for child in getattr(box, "children", None) or [] if type(child).__name__ == "LineBox"]
        if lines:
            key = id(box.element) if box.element is not None else id(box)
            texts = [" ".join("".join(text.text for text in line.descendants() if type(text).__name__ == "TextBox")
                              .split()) for line in lines]
            by_element.setdefault(key, []).extend(text for text in texts if text)
        for child in getattr(box, "children", None) or []:
            if type(child).__name__ != "LineBox":
                visit(child)

    for page in document.pages:
        visit(page._page_box)
    return [lines for lines in by_element.values() if len(lines) > 1]


def test_no_paragraph_ends_on_a_word_tail_or_a_lone_number_and_no_line_holds_one_short_word_midway(edition):
    """Counted on the fixture book before the fix: 23 paragraphs ending on the tail of a hyphenated word, 44 on
    one short word, a one-word line mid-paragraph, four index numbers alone on their line. The short last words
    left are those that follow code or a path, which the text does not tie (at most two here)."""
    tails, short, lonely, numbers = [], [], [], []
    for lines in laid_out_paragraphs(edition.document):
        last, before = lines[-1], lines[-2]
        if re.fullmatch(r"\(?\d{1,3}%?\)?", last):
            numbers.append(lines[-2:])
        elif before.endswith("\u2010") and len(last.split()) == 1:  # the layout's hyphen (a typed one is U+002D)
            tails.append(lines[-2:])
        elif len(last.split()) == 1 and len(last) <= 6:
            short.append(lines[-2:])
        lonely += [line for line in lines[1:-1] if len(line.split()) == 1 and len(line) <= 5
                   and not line.endswith("\u2010")]
    assert (tails, lonely, numbers) == ([], [], [])
    assert len(short) <= 2, short


def test_typography_curly_quotes_dashes_and_american_spelling(reader: PdfReader, fixture_build):
    text = " ".join((page.extract_text() or "") for page in reader.pages)
    assert "\u2019" in text and "\u201c" in text and "\u2018" in text
    assert "09:15\u201310:30" in text and "09:15 - 10:30" not in text
    # straight quotes survive only in code and paths (the strategic `sleep(5)`, URLs)
    assert text.count("'") < 5, re.findall(r".{20}'.{20}", text)
    british = re.compile(r"\b(\w+isations?|organis(e|ed|es|ing)|optimis\w*|prioritis\w*|colour\w*|coloured|"
                         r"favour\w*|catalogue\w*|programmes?|licen[c]es?|labelled|cancelled|centre|behaviour\w*)\b",
                         re.IGNORECASE)
    sources = [path.read_text(encoding="utf-8") for path in FIXTURE_BOOK.rglob("*") if path.suffix in (".yaml", ".md")]
    layouts = [path.read_text(encoding="utf-8") for path in (ROOT / "layouts").rglob("*.j2")]
    assert not british.findall(" ".join(sources + layouts + [text]))


def test_the_classification_banner_keeps_clear_of_the_text(edition):
    checked = 0
    for page in edition.document.pages:
        box = page._page_box
        for margin in box.children:
            banner = type(margin).__name__ == "MarginBox" and margin.at_keyword in ("@top-left", "@top-right") and \
                "CLASSIFIED" in "".join(t.text for t in margin.descendants() if type(t).__name__ == "TextBox")
            if banner:
                banner_bottom = margin.position_y + margin.margin_top + margin.border_height()
                assert box.margin_top - banner_bottom >= 0.2 * 72, (banner_bottom, box.margin_top)
                checked += 1
    assert checked > 50


def test_pdf_metadata_a_preflight_checks(reader: PdfReader, fixture_build):
    assert (fixture_build.out / PDF_NAME).read_bytes().startswith(b"%PDF-1.7")
    root = reader.trailer["/Root"]
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    xmp = root["/Metadata"].get_object().get_data().decode()
    config = BOOK.config
    for value in (config.title, config.authors[0], "<dc:language>", f"<rdf:li>{config.language}</rdf:li>",
                  "xmp:CreateDate", "xmp:ModifyDate", "xmpMM:DocumentID"):
        assert value in xmp, value


def test_every_summary_is_printed_with_its_specimen(reader: PdfReader):
    def words(text: str) -> str:
        return " ".join(re.sub("[\u2018\u2019\u201c\u201d'\"]", "", text).split())

    for role in BOOK.roles:
        start = destination_page(reader, role.anchor)
        pages = reader.pages[start].extract_text() + "\n" + reader.pages[start + 1].extract_text()
        file_text = words(dehyphenate(pages))
        summary = words(role.summary)
        assert summary[:50] in file_text, role.slug
    index_start = destination_page(reader, "taxonomy-index")
    index_text = words(dehyphenate("\n".join(page.extract_text() for page in reader.pages[index_start:])))
    roster_text = words(dehyphenate("\n".join(page.extract_text() for page in reader.pages[:index_start])))
    for role in BOOK.roles:
        assert words(role.summary)[:40] in index_text and roster_text.count(words(role.summary)[:40]) >= 2
