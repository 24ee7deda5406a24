"""The web edition of the fixture book, as the run's `bestiary build` wrote it: its pages, links, downloads,
share cards and search index, read back from the files (the browser's view is in test_browser.py)."""

from __future__ import annotations

import functools
import hashlib
import re
import struct
import urllib.parse
import zipfile
from pathlib import Path

import pytest
import yaml
from lxml import html
from pypdf import PdfReader

from bestiary.book.model import SECTIONS
from conftest import FIXTURE_BOOK

pytestmark = pytest.mark.slow


def site(fixture_build) -> Path:
    return fixture_build.out / "web"


def pages(folder: Path) -> dict[str, html.HtmlElement]:
    return {path.name: html.fromstring(path.read_bytes()) for path in sorted(folder.glob("*.html"))}


@functools.cache
def records_by_slug() -> dict[str, dict]:
    return {path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))
            for path in sorted(FIXTURE_BOOK.glob("chapters/*/*.yaml"))}


def records() -> list[dict]:
    return list(records_by_slug().values())


def test_a_page_per_chapter_and_specimen_and_the_rest(fixture_build):
    built = pages(site(fixture_build))
    chapters = [path for path in sorted(FIXTURE_BOOK.glob("chapters/*")) if path.name != "words.txt"]
    slugs = [path.stem for path in sorted(FIXTURE_BOOK.glob("chapters/*/*.yaml"))]
    assert {f"specimen-{slug}.html" for slug in slugs} <= set(built)
    assert len([name for name in built if name.startswith("chapter-")]) == len(chapters)
    assert {"index.html", "taxonomy-index.html", "field-statistics.html", "search.html", "404.html"} <= set(built)
    for name, page in built.items():
        assert page.get("lang") == "en", name
        assert page.findtext(".//title"), name
        assert len(page.findall(".//h1")) == 1, name
        assert page.find(".//main[@id='main']") is not None, name
    # the EPUB's markup, made HTML: no attribute of its vocabulary survives
    assert not any("epub:type" in path.read_text(encoding="utf-8") for path in site(fixture_build).glob("*.html"))


def test_every_internal_link_and_fragment_resolves(fixture_build):
    folder = site(fixture_build)
    built = pages(folder)
    ids = {name: set(page.xpath("//@id")) for name, page in built.items()}
    checked = 0
    for name, page in built.items():
        for element, attribute, link, _ in page.iterlinks():
            if element.tag == "link" and element.get("rel") == "canonical":
                continue
            parts = urllib.parse.urlsplit(link)
            assert not parts.scheme and not parts.netloc, f"{name}: {link} leaves the site"
            target = urllib.parse.unquote(parts.path) or name
            assert (folder / target).is_file(), f"{name}: {attribute} {link} names no file"
            fragment = parts.fragment
            if fragment and target.endswith(".html"):
                assert fragment in ids[target], f"{name}: {link} names no element"
            checked += 1
    assert checked > 500


def test_the_downloads_are_the_built_files_with_their_checksums(fixture_build):
    folder, out = site(fixture_build), fixture_build.out
    home = html.fromstring((folder / "index.html").read_bytes())
    rows = home.xpath("//table[contains(@class, 'download-table')]/tbody/tr")
    offered = {row.xpath("string(.//a/@href)"): row.xpath("string(.//code)") for row in rows}
    for href, checksum in offered.items():
        assert hashlib.sha256((folder / href).read_bytes()).hexdigest() == checksum, href
    guide = next(out.glob("*.pdf"))
    assert (folder / "downloads" / guide.name).read_bytes() == guide.read_bytes()
    assert (folder / "downloads" / f"{guide.stem}.epub").read_bytes() == (out / f"{guide.stem}.epub").read_bytes()
    dossiers = sorted((out / "dossiers").glob("*.pdf"))
    assert len(dossiers) == len(records())
    for dossier in dossiers:
        assert f"downloads/dossiers/{dossier.name}" in offered
        assert (folder / "downloads" / "dossiers" / dossier.name).read_bytes() == dossier.read_bytes()
    with zipfile.ZipFile(folder / "downloads" / f"{guide.stem}-dossiers.zip") as archive:
        assert sorted(archive.namelist()) == sorted(path.name for path in dossiers)
        assert all(archive.read(path.name) == path.read_bytes() for path in dossiers)
    pages_shown = home.xpath(f"string(//tr[th/a[@href='downloads/{guide.name}']]/td[2])")
    assert pages_shown == f"{len(PdfReader(guide).pages)} pages"


def test_a_specimen_page_is_the_whole_file_with_its_print_links(fixture_build):
    folder = site(fixture_build)
    guide = PdfReader(next(fixture_build.out.glob("*.pdf")))
    destinations = guide.named_destinations
    labels = guide.page_labels
    index = html.fromstring((folder / "taxonomy-index.html").read_bytes())
    for slug, data in records_by_slug().items():
        page = html.fromstring((folder / f"specimen-{slug}.html").read_bytes())
        text = readable(page.text_content())
        assert page.findtext(".//h1").strip() == data["title"].replace("'", "\u2019")
        for alias in data["aliases"]:
            assert _curly(alias) in text
        for entry in data["day_in_the_life"]:
            assert _curly(entry["title"]).rstrip(".") in text
        assert len(page.xpath("//section[contains(@class, 'record-section')]")) == len(SECTIONS)
        assert page.xpath("//div[@class='org-chart']//span[contains(@class, 'org-subject')]")
        assert page.xpath(f"//a[@href='downloads/dossiers/{slug}.pdf']")
        (in_guide,) = page.xpath("//aside//a[contains(@href, '#nameddest=')]")
        anchor = in_guide.get("href").split("#nameddest=")[1]
        assert anchor == f"specimen-{slug}"
        folio = labels[guide.get_destination_page_number(destinations[anchor])]
        assert in_guide.text_content() == f"Page {folio} in the field guide (PDF)"
        # and back to its entry in the index, whose locator links here
        (back,) = page.xpath("//aside//a[starts-with(@href, 'taxonomy-index.html#')]")
        entry = index.get_element_by_id(back.get("href").split("#")[1])
        assert readable(entry.text_content()).startswith(_curly(data["title"]))
        assert entry.xpath(f".//a[@href='specimen-{slug}.html#specimen-{slug}']")


def _curly(text: str) -> str:
    return re.sub(r"'", "\u2019", text)


def readable(text: str) -> str:
    """Text as a reader reads it: without the invisible break points and soft hyphens the builder inserts."""
    return " ".join(re.sub("[\u00ad\u200b\u2060]", "", text).replace("\u00a0", " ").split())


def test_each_page_describes_itself_to_a_link_preview(fixture_build):
    folder = site(fixture_build)
    for path in sorted(folder.glob("specimen-*.html")):
        page = html.fromstring(path.read_bytes())
        meta = {element.get("property") or element.get("name"): element.get("content")
                for element in page.xpath("//meta[@content]")}
        assert meta["og:title"] == page.findtext(".//h1").strip()
        assert meta["description"] == meta["og:description"] and 20 < len(meta["description"]) <= 201
        assert meta["twitter:card"] == "summary_large_image"
        card = folder / meta["og:image"]
        assert card.name == path.name.removeprefix("specimen-").replace(".html", ".png")
        width, height = struct.unpack(">II", card.read_bytes()[16:24])
        assert (width, height) == (1200, 630)
        assert meta["og:image:alt"].startswith("File ")
        # without web.base_url: no canonical link, no sitemap, relative share cards
        assert not page.xpath("//link[@rel='canonical']")
    assert not (folder / "sitemap.xml").exists()
    assert (folder / "favicon.svg").read_text(encoding="utf-8").startswith("<svg")


def test_fonts_are_woff2_subsets_named_by_the_stylesheet(fixture_build):
    folder = site(fixture_build)
    css = (folder / "site.css").read_text(encoding="utf-8")
    named = re.findall(r'url\("([^"]+)"\) format\("woff2"\)', css)
    assert named and sorted(named) == sorted(f"fonts/{path.name}" for path in (folder / "fonts").glob("*.woff2"))
    for name in named:
        assert (folder / name).read_bytes()[:4] == b"wOF2"
        assert (folder / name).stat().st_size < 60_000  # a subset: the whole faces are 100-600 KB
    assert "@media (prefers-color-scheme: dark)" in css and "@media print" in css
    assert "SIL OPEN FONT LICENSE Version 1.1" in (folder / "fonts" / "OFL.txt").read_text(encoding="utf-8")


def test_the_search_index_is_pagefinds_and_covers_the_files(fixture_build):
    folder = site(fixture_build) / "pagefind"
    assert (folder / "pagefind.js").is_file() and (folder / "pagefind-entry.json").is_file()
    assert list(folder.glob("wasm.*.pagefind")) and list((folder / "fragment").glob("*.pf_fragment"))
    entry = yaml.safe_load((folder / "pagefind-entry.json").read_text(encoding="utf-8"))
    indexed = sum(language["page_count"] for language in entry["languages"].values())
    chapters = len(list(site(fixture_build).glob("chapter-*.html")))
    assert indexed == len(records()) + chapters + 2  # the statistics and the index too; not home, search, 404
    assert not list(folder.glob("pagefind-ui*")), "the ready-made interfaces are not used"


def test_the_site_has_one_script_and_it_is_the_search(fixture_build):
    folder = site(fixture_build)
    scripts = {name: page.xpath("//script/@src") for name, page in pages(folder).items()}
    assert {name: found for name, found in scripts.items() if found} == {"search.html": ["search.js"]}
    assert not any(page.xpath("//script[not(@src)] | //@*[starts-with(name(), 'on')]")
                   for page in pages(folder).values())
