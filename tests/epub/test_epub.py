"""The EPUB: navigation and index resolve, the page-list follows the print pages, metadata is complete."""

from __future__ import annotations

import re
import zipfile
from pathlib import PurePosixPath

import pytest
from lxml import etree
from pypdf import PdfReader

from bestiary.book.load import load_book
from bestiary.views.specimens import relations
from conftest import FIXTURE_BOOK

pytestmark = pytest.mark.slow

BOOK = load_book(FIXTURE_BOOK)
NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
      "ncx": "http://www.daisy.org/z3986/2005/ncx/"}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


@pytest.fixture(scope="module")
def built(fixture_build):
    out = fixture_build.out
    archive = zipfile.ZipFile(out / "the-corporate-bestiary.epub")
    documents = {name: etree.fromstring(archive.read(name)) for name in archive.namelist() if name.endswith(".xhtml")}
    opf = etree.fromstring(archive.read("EPUB/content.opf"))
    return archive, documents, opf, PdfReader(out / "the-corporate-bestiary.pdf")


def ids_of(documents) -> dict[str, set[str]]:
    return {name: set(root.xpath("//@id")) for name, root in documents.items()}


def resolve(base: str, href: str) -> tuple[str, str | None]:
    path, _, fragment = href.partition("#")
    target = str(PurePosixPath(base).parent / path) if path else base
    return target, fragment or None


def assert_resolves(base: str, href: str, ids: dict[str, set[str]]):
    target, fragment = resolve(base, href)
    assert target in ids, f"{href} from {base}: no document {target}"
    if fragment:
        assert fragment in ids[target], f"{href} from {base}: no id {fragment}"


def test_nav_toc_landmarks_and_page_list_resolve(built):
    _, documents, _, _ = built
    ids = ids_of(documents)
    nav = documents["EPUB/text/nav.xhtml"]
    kinds = {}
    for section in nav.xpath("//x:nav", namespaces=NS):
        links = section.xpath(".//x:a/@href", namespaces=NS)
        kinds[section.get(EPUB_TYPE)] = links
        for href in links:
            assert_resolves("EPUB/text/nav.xhtml", href, ids)
    assert set(kinds) == {"toc", "landmarks", "page-list"}
    landmark_types = set(nav.xpath("//x:nav[@epub:type='landmarks']//x:a/@epub:type", namespaces=NS))
    assert {"cover", "toc", "bodymatter", "index"} <= landmark_types
    toc_text = " ".join(nav.xpath("//x:nav[@epub:type='toc']//text()", namespaces=NS))
    for role in BOOK.roles:
        assert role.title in toc_text
    nested = nav.xpath("//x:nav[@epub:type='toc']/x:ol/x:li/x:ol/x:li/x:a/@href", namespaces=NS)
    assert len(nested) == len(BOOK.roles)


def test_every_link_and_index_locator_resolves(built):
    _, documents, _, _ = built
    ids = ids_of(documents)
    checked = 0
    for name, root in documents.items():
        for href in root.xpath("//x:a/@href", namespaces=NS):
            if not href.startswith(("http:", "https:", "mailto:")):
                assert_resolves(name, href, ids)
                checked += 1
    index = documents["EPUB/text/index.xhtml"]
    assert index.xpath("//x:body/@epub:type", namespaces=NS) == ["index"]
    locators = index.xpath("//*[@epub:type='index-locator']/@href", namespaces=NS)
    assert len(locators) > 3 * len(BOOK.roles)
    # related specimens link both ways: each card to the other record, the index's "cited by" back to the card
    found = relations(BOOK)
    index_hrefs = set(index.xpath("//x:a/@href", namespaces=NS))
    for role in BOOK.roles:
        document = documents[f"EPUB/text/{role.anchor}.xhtml"]
        cards = document.xpath("//x:li[contains(@class, 'card')]//x:a/@href", namespaces=NS)
        assert cards == [f"{card.role.anchor}.xhtml#{card.role.anchor}" for card in found.related[role.slug]]
        for card in found.cited_by.get(role.slug, ()):
            assert f"{card.role.anchor}.xhtml#{card.role.anchor}--card-{card.card}" in index_hrefs
    assert checked > 300


def test_index_locators_land_on_what_they_locate(built):
    """A habitat's locators land on that habitat in each specimen's list, an alias's on the alias, a
    "cited by" on the card in the citing record that names the specimen."""
    _, documents, _, _ = built
    index = documents["EPUB/text/index.xhtml"]

    def text_at(href: str) -> str:
        target, fragment = resolve("EPUB/text/index.xhtml", href)
        element = documents[target].xpath(f"//*[@id='{fragment}']")[0]
        return " ".join("".join(element.itertext()).split())

    def term_of(entry) -> str:
        return " ".join("".join(entry.xpath("x:span[@epub:type='index-term']", namespaces=NS)[0].itertext()).split())

    checked = 0
    for entry in index.xpath("//x:ul[contains(@class, 'habitats')]/x:li", namespaces=NS):
        for href in entry.xpath("x:a/@href", namespaces=NS):
            assert text_at(href) == term_of(entry)
            checked += 1
    for entry in index.xpath("//x:li[@class='index-alias']", namespaces=NS):
        assert text_at(entry.xpath("x:a/@href", namespaces=NS)[0]) == term_of(entry)
        checked += 1
    for entry in index.xpath("//x:ul[contains(@class, 'kinship')]/x:li", namespaces=NS):
        for cited_by in entry.xpath(".//x:li[x:span[@epub:type='index-term'] = 'cited by']/x:a/@href", namespaces=NS):
            assert f"% {term_of(entry)} " in text_at(cited_by)  # the card: its match, then the title
            checked += 1
    assert checked == (sum(len(role.habitat) + len(role.aliases) + len(role.related) for role in BOOK.roles))


def marked_anchor(span) -> str:
    """The element a page-break marker stands for: the next sibling if it is an element with an id
    (markers before chapter blocks), else the nearest ancestor with an id (markers as first child)."""
    following = next((s for s in span.itersiblings() if s.get(EPUB_TYPE) != "pagebreak"), None)
    if following is not None and following.get("id"):
        return following.get("id")
    return next(a.get("id") for a in span.iterancestors() if a.get("id"))


def test_every_page_list_entry_lands_where_its_print_page_begins(built):
    """Each page break marker, and each page-list and NCX entry that points at one, stands before the
    element that the PDF's destinations say begins that print page (a roster line, an index entry…)."""
    archive, documents, _, pdf = built
    labels = pdf.page_labels
    destinations = {name: labels[pdf.get_destination_page_number(dest)]
                    for name, dest in pdf.named_destinations.items()}
    marker_labels = {}
    for name, root in documents.items():
        for span in root.xpath("//*[@epub:type='pagebreak']", namespaces=NS):
            label = span.get("title")
            assert span.get("role") == "doc-pagebreak" and span.get("id") == f"page-{label}"
            anchor = marked_anchor(span)
            if destinations[anchor] != label:  # a page that begins nothing (a blank verso) marks the next that does
                assert not (pdf.pages[labels.index(label)].extract_text() or "").strip(), (name, label, anchor)
                assert labels.index(destinations[anchor]) == labels.index(label) + 1, (name, label, anchor)
            else:
                assert destinations[anchor] == label
            marker_labels[f"{PurePosixPath(name).name}#{span.get('id')}"] = label
    body_pages = [label for label in labels if label.isdigit()]
    assert sorted(marker_labels.values(), key=int) == body_pages  # every body page, once
    page_list = documents["EPUB/text/nav.xhtml"].xpath("//x:nav[@epub:type='page-list']//x:a", namespaces=NS)
    assert [(a.get("href"), a.text) for a in page_list] == sorted(marker_labels.items(), key=lambda m: int(m[1]))
    ncx = etree.fromstring(archive.read("EPUB/toc.ncx"))
    targets = ncx.xpath("//ncx:pageTarget", namespaces=NS)
    assert [(t.xpath("ncx:content/@src", namespaces=NS)[0].removeprefix("text/"), t.get("value")) for t in targets] \
        == sorted(marker_labels.items(), key=lambda m: int(m[1]))


def test_package_metadata(built):
    archive, _, opf, _ = built
    meta = {(m.get("property"), m.text) for m in opf.xpath("//opf:meta[@property]", namespaces=NS)}
    properties = {name for name, _ in meta}
    for name in ("schema:accessMode", "schema:accessModeSufficient", "schema:accessibilityFeature",
                 "schema:accessibilityHazard", "schema:accessibilitySummary", "dcterms:conformsTo",
                 "dcterms:modified"):
        assert name in properties, name
    features = {value for name, value in meta if name == "schema:accessibilityFeature"}
    assert {"tableOfContents", "index", "pageNavigation", "structuralNavigation", "readingOrder",
            "alternativeText"} <= features
    assert ("dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.2 Level AA") in meta
    assert opf.get("{http://www.w3.org/XML/1998/namespace}lang") == BOOK.config.language
    assert opf.xpath("//dc:language/text()", namespaces=NS) == [BOOK.config.language]
    source = opf.xpath("//dc:source", namespaces=NS)[0]
    assert source.text == BOOK.config.print_edition.identifier  # the print edition, whose pages the page-list cites
    assert opf.xpath(f"//opf:meta[@refines='#{source.get('id')}' and @property='source-of']/text()",
                     namespaces=NS) == ["pagination"]
    manifest = {item.get("href"): item for item in opf.xpath("//opf:item", namespaces=NS)}
    assert manifest["images/cover.png"].get("properties") == "cover-image"
    assert archive.read("EPUB/images/cover.png").startswith(b"\x89PNG")
    assert manifest["text/index.xhtml"].get("properties") == "index"
    fonts = [item for item in manifest.values() if item.get("href").startswith("fonts/")]
    assert len(fonts) >= 8 and all(item.get("media-type") in ("font/otf", "font/ttf") for item in fonts)
    ncx = etree.fromstring(archive.read("EPUB/toc.ncx"))
    nav_labels = ncx.xpath("//ncx:navPoint/ncx:navLabel/ncx:text/text()", namespaces=NS)
    for role in BOOK.roles:
        assert role.title in nav_labels
    names = archive.namelist()
    assert names[0] == "mimetype" and archive.getinfo("mimetype").compress_type == zipfile.ZIP_STORED


def test_documents_are_accessible_and_script_free(built):
    _, documents, _, _ = built
    for name, root in documents.items():
        assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == BOOK.config.language, name
        assert not root.xpath("//x:script", namespaces=NS), name
        for image in root.xpath("//x:img", namespaces=NS):
            assert image.get("alt"), name
        for svg in root.xpath("//svg:svg", namespaces={"svg": "http://www.w3.org/2000/svg"}):
            assert svg.get("role") == "img" and svg.get("aria-label"), name
        levels = [int(h.tag[-1]) for h in root.iter() if isinstance(h.tag, str) and re.fullmatch(r".*}h[1-6]", h.tag)]
        if levels:
            assert levels[0] == 1, name
            assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), (name, levels)


def test_stylesheet_is_reflowable(built):
    archive, _, _, _ = built
    css = archive.read("EPUB/styles/epub.css").decode()
    rules = re.sub(r"@font-face\s*{[^}]*}", "", css)
    assert not re.findall(r"\b\d+(\.\d+)?(px|pt|cm|mm|in)\b", rules)
    assert "position: fixed" not in rules and "position: absolute" not in rules


@pytest.mark.parametrize("face", ["EBGaramond-Regular.otf", "Inter-Bold.otf", "CourierPrime-Italic.ttf"])
def test_harfbuzz_subsets_keep_what_fonttools_keeps(face, monkeypatch):
    """Where HarfBuzz-Subset cuts the EPUB's fonts, the subset keeps the tables, characters, glyphs, layout
    features and names that the fontTools path keeps (the path of a machine without it)."""
    import io

    from fontTools.ttLib import TTFont

    from bestiary.resources import fonts_dir
    from bestiary.text import harfbuzz_subset
    from bestiary.text.fonts import subset_characters, subset_font

    if not harfbuzz_subset.available():
        pytest.skip("no HarfBuzz-Subset 4.1 here: fontTools subsets, as the other tests check")
    path = fonts_dir() / face
    characters = subset_characters(path, "Specimen “ﬁle” 0123 — Æsop’s fiduciary ﬂow, § 7 ½")
    quick = TTFont(io.BytesIO(subset_font(path, characters)))
    monkeypatch.setattr(harfbuzz_subset, "subset", lambda data, characters: None)
    slow = TTFont(io.BytesIO(subset_font(path, characters)))

    def features(font: TTFont) -> set[str]:
        return {record.FeatureTag for table in ("GSUB", "GPOS") if table in font
                for record in font[table].table.FeatureList.FeatureRecord}

    assert sorted(quick.keys()) == sorted(slow.keys())
    assert quick.getBestCmap().keys() == slow.getBestCmap().keys()
    assert len(quick.getGlyphOrder()) == len(slow.getGlyphOrder())
    assert features(quick) == features(slow) and features(quick)
    assert {name.nameID for name in quick["name"].names} >= {name.nameID for name in slow["name"].names}
