"""The field statistics: charts drawn from the records, and the appendix that carries them in both editions."""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree as ElementTree
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from bestiary.book.load import load_book
from bestiary.text.money import format_amount
from bestiary.views.charts.statistics import MAP_SPECIMENS, PRINT, RANKING_ROWS, SCREEN, field_charts
from bestiary.views.charts.svg import text_box
from bestiary.views.common import STATISTICS_ANCHOR, STATISTICS_TITLE
from conftest import FIXTURE_BOOK, ROOT, write_book

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from generate import generate  # bench/ is not a package: found through sys.path

BOOK = load_book(FIXTURE_BOOK)
SVG = "{http://www.w3.org/2000/svg}"
XHTML = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
         "opf": "http://www.idpf.org/2007/opf", "ncx": "http://www.daisy.org/z3986/2005/ncx/"}
FACES = {"Courier Prime", "Inter"}  # the families of layouts/print/fonts.css the charts may name


def svgs(charts, key: str) -> list[ElementTree.Element]:
    """The parsed SVG of every panel of the chart `key` (parsing is the well-formedness check)."""
    chart = next(chart for chart in charts if chart.key == key)
    return [ElementTree.fromstring(str(panel.svg)) for panel in chart.panels]


def with_class(roots, name: str) -> list[ElementTree.Element]:
    return [element for root in roots for element in root.iter() if name in element.get("class", "").split()]


def specimen_number(element: ElementTree.Element) -> int:
    return int(next(c for c in element.get("class").split() if c.startswith("specimen-")).removeprefix("specimen-"))


def label_boxes(root: ElementTree.Element, kind: str) -> list[tuple[float, float, float, float]]:
    return [text_box(float(text.get("x")), float(text.get("y")), text.text, float(text.get("font-size")),
                     text.get("text-anchor")) for text in with_class([root], kind)]


def overlapping(boxes) -> list[tuple[int, int]]:
    return [(i, j) for i in range(len(boxes)) for j in range(i + 1, len(boxes))
            if min(boxes[i][2], boxes[j][2]) > max(boxes[i][0], boxes[j][0])
            and min(boxes[i][3], boxes[j][3]) > max(boxes[i][1], boxes[j][1])]


@pytest.fixture(scope="module")
def big_books(tmp_path_factory) -> dict[int, object]:
    """Synthetic books of the benchmark (the bundled records, renumbered, 25 to a family)."""
    return {count: load_book(generate(count, tmp_path_factory.mktemp(f"book{count}") / "book")) for count in (50, 200)}


@pytest.mark.parametrize("frame", [PRINT, SCREEN])
def test_every_chart_is_well_formed_svg_in_our_fonts_with_a_title_and_a_table(frame):
    for chart in field_charts(BOOK, frame):
        assert chart.title and chart.caption and chart.panels
        for panel in chart.panels:
            root = ElementTree.fromstring(str(panel.svg))
            assert root.tag == f"{SVG}svg" and root.get("role") == "img"
            assert root.get("aria-label") == panel.description == root.find(f"{SVG}title").text
            faces = {element.get("font-family") for element in root.iter() if element.get("font-family")}
            assert faces <= FACES, faces
            assert not re.search(r'="-?(nan|inf)', str(panel.svg))
        table = chart.table
        assert table.caption and len(table.headings) == len(table.kinds)
        assert all(len(row) == len(table.headings) for row in table.rows)
    sheet = (ROOT / "layouts" / "print" / "fonts.css").read_text(encoding="utf-8")
    assert set(re.findall(r'font-family: "([^"]+)"', sheet)) >= FACES


@pytest.mark.parametrize("frame", [PRINT, SCREEN])
def test_the_ink_is_explicit_and_screen_charts_have_a_white_ground(frame):
    """Nothing is drawn in currentColor or a default colour: Calibre's AZW3 makes each SVG an image, without the
    stylesheet that gives the EPUB's charts the reader's colour, and shows it on the reader's (dark) page."""
    for chart in field_charts(BOOK, frame):
        for panel in chart.panels:
            assert "currentColor" not in str(panel.svg) and ' color="' not in str(panel.svg)
            root = ElementTree.fromstring(str(panel.svg))
            backing = [element for element in root if element.get("class") == "chart-backing"]
            if frame.backing is None:
                assert not backing
                continue
            assert root[1] is backing[0] and backing[0].get("fill") == frame.backing == "#ffffff"
            assert [backing[0].get(name) for name in ("width", "height")] == root.get("viewBox").split()[2:]


def test_the_same_book_gives_the_same_bytes():
    again = load_book(FIXTURE_BOOK)
    for frame in (PRINT, SCREEN):
        first, second = field_charts(BOOK, frame), field_charts(again, frame)
        assert [str(p.svg) for c in first for p in c.panels] == [str(p.svg) for c in second for p in c.panels]
        assert [c.table for c in first] == [c.table for c in second]
    coordinates = re.findall(r'="(-?\d+\.\d+)"', "".join(str(p.svg) for c in field_charts(BOOK, PRINT)
                                                          for p in c.panels))
    assert coordinates and all(len(value.split(".")[1]) <= 2 for value in coordinates)


def test_one_labelled_point_per_specimen_and_the_table_is_the_key():
    roots = svgs(field_charts(BOOK, PRINT), "salary-risk")
    points = with_class(roots, "point")
    assert sorted(specimen_number(point) for point in points) == list(range(1, len(BOOK.roles) + 1))
    labelled = [int(n) for text in with_class(roots, "point-label") for n in text.text.split(", ")]
    assert sorted(labelled) == list(range(1, len(BOOK.roles) + 1))
    for root in roots:
        assert not overlapping(label_boxes(root, "point-label"))
    table = next(chart.table for chart in field_charts(BOOK, PRINT) if chart.key == "salary-risk")
    assert table.rows == tuple((str(number), role.title, BOOK.chapter_of(role).title,
                                format_amount(role.salary_average, role.salary_currency),
                                f"{role.flight_risk_percent}%") for number, role in enumerate(BOOK.roles, start=1))


def test_one_ranking_bar_per_specimen_longest_first():
    bars = with_class(svgs(field_charts(BOOK, PRINT), "ranking"), "bar")
    assert sorted(specimen_number(bar) for bar in bars) == list(range(1, len(BOOK.roles) + 1))
    widths = [float(bar.get("width")) for bar in bars]
    assert widths == sorted(widths, reverse=True)
    percents = [BOOK.roles[specimen_number(bar) - 1].flight_risk_percent for bar in bars]
    assert percents == sorted(percents, reverse=True)
    assert all(abs(width / widths[0] - percent / percents[0]) < 0.01 for width, percent in zip(widths, percents,
                                                                                               strict=True))


def test_the_map_joins_only_related_specimens_wider_for_a_higher_match():
    numbers = {role.slug: number for number, role in enumerate(BOOK.roles, start=1)}
    expected: dict[frozenset, int] = {}
    for role in BOOK.roles:
        for entry in role.related:
            pair = frozenset((numbers[role.slug], numbers[entry.slug]))
            expected[pair] = max(expected.get(pair, 0), entry.match)
    for frame in (PRINT, SCREEN):
        (root,) = svgs(field_charts(BOOK, frame), "kinship")
        edges = with_class([root], "edge")
        found = {frozenset(int(c.removeprefix("specimen-")) for c in edge.get("class").split()
                           if c.startswith("specimen-")): (int(next(c for c in edge.get("class").split()
                                                                    if c.startswith("match-"))[6:]),
                                                           float(edge.get("stroke-width")))
                 for edge in edges}
        assert len(found) == len(edges) and {pair: match for pair, (match, _) in found.items()} == expected
        by_match = sorted(found.values())
        for (match, width), (next_match, next_width) in zip(by_match, by_match[1:], strict=False):
            assert width < next_width if match < next_match else width == next_width
        assert len(with_class([root], "node")) == len(BOOK.roles)
        assert not overlapping(label_boxes(root, "node-label"))


def test_big_books_stay_legible(big_books):
    for count, book in big_books.items():
        for frame in (PRINT, SCREEN):
            charts = field_charts(book, frame)
            scatter = svgs(charts, "salary-risk")
            assert len(scatter) > 1  # one panel per family
            labelled = [int(n) for text in with_class(scatter, "point-label") for n in text.text.split(", ")]
            assert sorted(labelled) == list(range(1, count + 1))
            for root in scatter:
                assert not overlapping(label_boxes(root, "point-label"))
                assert float(root.get("height")) < 300  # two panels to a pocket page
            ranking = svgs(charts, "ranking")
            assert len(ranking) == -(-count // RANKING_ROWS)
            assert all(len(with_class([root], "bar")) <= RANKING_ROWS for root in ranking)
            (kinship,) = svgs(charts, "kinship")
            nodes = with_class([kinship], "node")
            assert len(nodes) == (count if count <= MAP_SPECIMENS else len(book.families))
            assert float(kinship.get("height")) < 1.8 * frame.width  # a page, or a phone's screen


def two_currencies(tmp_path: Path, make_record) -> Path:
    euro = make_record("Euro Analyst")
    euro["salary"]["currency"] = "EUR"
    return write_book(tmp_path, {"01-one": {"euro-analyst": euro, "plain-analyst": make_record("Plain Analyst")}})


def test_other_currencies_get_a_panel_of_their_own_and_a_book_without_relations_a_map_without_lines(
        tmp_path, make_record):
    book = load_book(two_currencies(tmp_path, make_record))
    charts = field_charts(book, PRINT)
    scatter = next(chart for chart in charts if chart.key == "salary-risk")
    assert [panel.title for panel in scatter.panels] == ["Salaries in USD", "Salaries in EUR"]
    assert "EUR" in str(scatter.panels[1].svg) and "€" in scatter.table.rows[0][3]
    (kinship,) = svgs(charts, "kinship")
    assert not with_class([kinship], "edge") and len(with_class([kinship], "node")) == 2


# ---- the appendix in the built editions (the bundled book, built once for the run) --------------------------

@pytest.mark.slow
def test_the_field_guide_lists_the_appendix_in_its_contents_and_outline(fixture_build):
    reader = PdfReader(fixture_build.out / "the-corporate-bestiary.pdf")
    labels = reader.page_labels
    start = reader.get_destination_page_number(reader.named_destinations[STATISTICS_ANCHOR])
    index = reader.get_destination_page_number(reader.named_destinations["taxonomy-index"])
    last_specimen = reader.get_destination_page_number(reader.named_destinations[BOOK.roles[-1].anchor])
    assert last_specimen < start < index and start % 2 == 0  # a recto, after the files, before the index
    assert STATISTICS_TITLE in " ".join(reader.pages[start].extract_text().split())
    contents = " ".join(" ".join((page.extract_text() or "").split()) for number, page in enumerate(reader.pages)
                        if re.fullmatch(r"[ivx]+", labels[number]))
    printed = re.findall(re.escape(STATISTICS_TITLE) + r"[ .]*?(\d+)", contents)
    assert printed == [labels[start]]
    top = [item for item in reader.outline if not isinstance(item, list)]
    titles = [item.title for item in top]
    position = titles.index(STATISTICS_TITLE)
    assert titles[position + 1] == "Taxonomy Index"
    assert reader.get_destination_page_number(top[position]) == start
    children = reader.outline[reader.outline.index(top[position]) + 1]
    assert [child.title for child in children] == [chart.title for chart in field_charts(BOOK, PRINT)]
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages[start:index])
    for number, role in enumerate(BOOK.roles, start=1):  # the key, in print
        assert f"{number} {role.title} {format_amount(role.salary_average, role.salary_currency)}" in text


@pytest.mark.slow
def test_the_epub_has_the_appendix_in_its_spine_nav_and_ncx_with_tables_of_the_records(fixture_build):
    with zipfile.ZipFile(fixture_build.out / "the-corporate-bestiary.epub") as archive:
        opf = etree.fromstring(archive.read("EPUB/content.opf"))
        nav = etree.fromstring(archive.read("EPUB/text/nav.xhtml"))
        ncx = etree.fromstring(archive.read("EPUB/toc.ncx"))
        document = etree.fromstring(archive.read("EPUB/text/statistics.xhtml"))
    spine = opf.xpath("//opf:spine/opf:itemref/@idref", namespaces=XHTML)
    assert spine[spine.index(STATISTICS_ANCHOR) + 1] == "taxonomy-index"
    assert spine.index(STATISTICS_ANCHOR) > spine.index(BOOK.roles[-1].anchor)
    (item,) = opf.xpath(f"//opf:item[@id='{STATISTICS_ANCHOR}']", namespaces=XHTML)
    assert "svg" in item.get("properties").split()
    toc = nav.xpath("//x:nav[@epub:type='toc']//x:a", namespaces=XHTML)
    hrefs = [link.get("href") for link in toc]
    assert toc[hrefs.index("statistics.xhtml")].text == STATISTICS_TITLE
    assert hrefs.index("statistics.xhtml") + 1 == hrefs.index("index.xhtml")
    points = ncx.xpath("//ncx:navMap/ncx:navPoint/ncx:navLabel/ncx:text/text()", namespaces=XHTML)
    assert points[-2:] == [STATISTICS_TITLE, "Taxonomy Index"]

    charts = field_charts(BOOK, SCREEN)
    svg_roots = document.xpath("//x:figure/*[local-name()='svg']", namespaces=XHTML)
    assert len(svg_roots) == sum(len(chart.panels) for chart in charts)
    assert all(root.get("role") == "img" and root.get("aria-label") for root in svg_roots)
    tables = document.xpath("//x:table", namespaces=XHTML)
    assert len(tables) == len(charts)  # every chart's data follows it: its text alternative
    for table, chart in zip(tables, charts, strict=True):
        assert table.xpath("string(x:caption)", namespaces=XHTML) == chart.table.caption
        assert table.xpath("x:thead/x:tr/x:th[@scope='col']/text()", namespaces=XHTML) == list(chart.table.headings)
        rows = table.xpath("x:tbody/x:tr", namespaces=XHTML)
        assert [tuple(" ".join("".join(cell.itertext()).split()) for cell in row) for row in rows] == \
            list(chart.table.rows)
        assert all(len(row.xpath("x:th[@scope='row']", namespaces=XHTML)) == 1 for row in rows)
    salaries, ranking, kinship = (chart.table for chart in charts)
    assert [row[1] for row in salaries.rows] == [role.title for role in BOOK.roles]
    assert [int(row[3].rstrip("%")) for row in ranking.rows] == sorted(
        (role.flight_risk_percent for role in BOOK.roles), reverse=True)
    assert len(kinship.rows) == sum(len(role.related) for role in BOOK.roles)


def test_families_differ_by_marker_shape_as_well_as_colour():
    """In black ink, or for a reader who cannot tell red from green, the family colours are one grey: each family
    also has its own marker shape, in the scatter, on the map and in the map's legend."""
    charts = field_charts(BOOK, PRINT)
    chapter = {role.slug: role.chapter_slug for role in BOOK.roles}
    number_to_family = {number: chapter[role.slug] for number, role in enumerate(BOOK.roles, start=1)}

    def shape(element: ElementTree.Element) -> str:
        return next(name for name in element.get("class").split() if name.startswith("marker-"))

    shapes: dict[str, set[str]] = {}
    for point in with_class(svgs(charts, "salary-risk"), "point"):
        shapes.setdefault(number_to_family[specimen_number(point)], set()).add(shape(point))
    assert all(len(found) == 1 for found in shapes.values())
    assert len({found.pop() for found in shapes.values()}) == len(BOOK.families)
    kinship = svgs(charts, "kinship")[0]
    legend = [shape(element) for element in kinship.iter() if "class" in element.attrib
              and any(name.startswith("marker-") for name in element.get("class").split())
              and "node" not in element.get("class").split()]
    assert len(set(legend)) == len(legend) == len(BOOK.families)
    assert {shape(node) for node in with_class([kinship], "node")} == set(legend)
