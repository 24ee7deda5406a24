"""The EPUB as an ebook reviewer reads it: the org chart in HTML, real letter heads, phone layout, precise
page markers, front and back matter, an NCX for EPUB 2 readers, the fonts' licenses."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from bestiary.book.load import load_book
from conftest import FIXTURE_BOOK, build_book, record, write_book
from helpers import epubcheck

pytestmark = pytest.mark.slow

BOOK = load_book(FIXTURE_BOOK)
NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
      "ncx": "http://www.daisy.org/z3986/2005/ncx/", "svg": "http://www.w3.org/2000/svg"}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


@pytest.fixture(scope="module")
def package(fixture_build):
    archive = zipfile.ZipFile(fixture_build.out / "the-corporate-bestiary.epub")
    documents = {name: etree.fromstring(archive.read(name)) for name in archive.namelist() if name.endswith(".xhtml")}
    return archive, documents


def test_the_org_chart_is_html_that_reflows(package):
    _, documents = package
    for role in BOOK.roles:
        document = documents[f"EPUB/text/{role.anchor}.xhtml"]
        assert not document.xpath("//svg:svg", namespaces=NS), role.slug
        chart = document.xpath("//x:div[contains(@class, 'org-chart')]", namespaces=NS)[0]
        boxes = chart.xpath(".//x:span[contains(@class, 'org-box')]", namespaces=NS)
        assert ["".join(box.itertext()) for box in boxes] == list(role.org_chart)
        # each level a list nested in the one above: the hierarchy survives conversion
        assert len(chart.xpath(".//x:ul", namespaces=NS)) == len(role.org_chart)
        subject = chart.xpath(".//x:span[contains(@class, 'org-subject')]", namespaces=NS)
        assert ["".join(s.itertext()) for s in subject] == [role.title]
        assert chart.get("aria-label").startswith("Org chart")


def test_the_a_to_z_has_real_letter_headings(package):
    archive, documents = package
    index = documents["EPUB/text/index.xhtml"]
    groups = index.xpath("//x:section[contains(@class, 'index-letter-group')]", namespaces=NS)
    assert len(groups) >= 10
    for group in groups:
        assert group.get(EPUB_TYPE) == "index-group"
        heading = group.xpath("x:h3", namespaces=NS)[0]
        assert re.fullmatch(r"[A-Z#]", heading.text)
        entries = group.xpath("x:ul/x:li", namespaces=NS)
        assert entries and all(entry.get(EPUB_TYPE) == "index-entry" for entry in entries)
        assert all("".join(entry.itertext()).strip()[:1].upper() in (heading.text, "\u2018", "\u201c", "'")
                   or heading.text == "#" for entry in entries)
    css = archive.read("EPUB/styles/epub.css").decode()
    assert "first-of-letter" not in css and "data-letter" not in css


def test_phone_layout_rules(package):
    archive, documents = package
    css = archive.read("EPUB/styles/epub.css").decode()
    assert re.search(r"h1, h2, h3, \.section-heading[^{]*\{[^}]*break-after: avoid", css)
    assert re.search(r"@media \(max-width: 30em\) \{ \.prose-body p \{ text-align: left; \} \}", css)
    assert "hyphens: auto" in css
    assert re.search(r"\.stamp-filed \{ display: block;", css)
    cover = documents["EPUB/text/cover.xhtml"]
    svg = cover.xpath("//svg:svg", namespaces=NS)[0]
    assert svg.get("preserveAspectRatio") == "xMidYMid meet" and svg.get("role") == "img" and svg.get("aria-label")


def test_front_and_back_matter_rights_and_the_print_source(package):
    archive, documents = package
    opf = etree.fromstring(archive.read("EPUB/content.opf"))
    spine = [opf.xpath(f"//opf:item[@id='{ref}']/@href", namespaces=NS)[0]
             for ref in opf.xpath("//opf:itemref/@idref", namespaces=NS)]
    assert spine[:3] == ["text/cover.xhtml", "text/nav.xhtml", "text/titlepage.xhtml"]
    assert spine[-3:] == ["text/index.xhtml", "text/colophon.xhtml", "text/licenses.xhtml"]
    assert opf.xpath("//dc:rights/text()", namespaces=NS) == [BOOK.config.rights]
    source = opf.xpath("//dc:source/text()", namespaces=NS)
    assert source == [BOOK.config.print_edition.identifier] and source[0] != BOOK.config.identifier
    colophon = " ".join(documents["EPUB/text/colophon.xhtml"].itertext())
    assert BOOK.config.rights in colophon and "licenses" in colophon
    title_page = " ".join(" ".join(documents["EPUB/text/titlepage.xhtml"].itertext()).split())
    assert BOOK.config.title in title_page and BOOK.config.publisher in title_page


def test_the_ncx_gives_epub2_readers_depth_and_page_numbers(package, fixture_build):
    archive, _ = package
    ncx = etree.fromstring(archive.read("EPUB/toc.ncx"))
    meta = {m.get("name"): m.get("content") for m in ncx.xpath("//ncx:head/ncx:meta", namespaces=NS)}
    labels = PdfReader(fixture_build.out / "the-corporate-bestiary.pdf").page_labels
    body_pages = [label for label in labels if label.isdigit()]
    assert meta["dtb:depth"] == "2" and meta["dtb:uid"] == BOOK.config.identifier
    assert meta["dtb:totalPageCount"] == str(len(body_pages)) == meta["dtb:maxPageNumber"]
    targets = ncx.xpath("//ncx:pageList/ncx:pageTarget", namespaces=NS)
    assert len(targets) >= len(body_pages) - 3
    assert [t.get("value") for t in targets] == sorted((t.get("value") for t in targets), key=int)
    points = ncx.xpath("//ncx:navMap//ncx:navPoint", namespaces=NS)
    assert len(points) == len(BOOK.chapters) + len(BOOK.roles) + 2  # and the field statistics, the index
    orders = [int(p.get("playOrder")) for p in points + targets]
    assert sorted(orders) == list(range(1, len(orders) + 1))  # one sequence over contents and pages


def test_the_font_licenses_travel_with_the_fonts(package):
    archive, documents = package
    text = " ".join(documents["EPUB/text/licenses.xhtml"].itertext())
    for family in ("Courier Prime", "Inter", "EB Garamond"):
        assert family in text
    assert "SIL OPEN FONT LICENSE Version 1.1" in text and "PERMISSION & CONDITIONS" in text
    assert any(name.startswith("EPUB/fonts/") for name in archive.namelist())


def test_a_page_that_begins_inside_a_list_is_marked_in_its_item(tmp_path: Path):
    book = write_book(tmp_path, {"01-first": {"alpha-analyst": record("Alpha Analyst")}})
    bullets = "\n".join(f"- Item number {n}: " + "a long bullet that takes several lines to say little. " * 3
                        for n in range(1, 40))
    (book / "chapters" / "00-foreword.md").write_text(f"---\ntitle: Foreword\n---\nA list.\n\n{bullets}\n",
                                                      encoding="utf-8")
    build_book(book, tmp_path / "dist", ["pdf", "epub"])
    archive = zipfile.ZipFile(tmp_path / "dist" / "a-small-bestiary.epub")
    foreword = etree.fromstring(archive.read("EPUB/text/chapter-foreword.xhtml"))
    in_items = foreword.xpath("//x:li/x:span[@epub:type='pagebreak']", namespaces=NS)
    assert len(in_items) >= 2  # the list runs over several print pages: each is marked at the item it begins with
    for marker in in_items:
        assert marker.getparent().get("id").startswith("chapter-foreword--b")
        assert marker.getparent().index(marker) == 0
    fatals, errors, warnings, output = epubcheck(tmp_path / "dist" / "a-small-bestiary.epub")
    assert (fatals, errors, warnings) == (0, 0, 0), output
