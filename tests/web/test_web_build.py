"""Building the web edition of a small book: the same bytes twice, the published address, an edit that rewrites
only what it changes, a specimen removed, the search index's bytes, and a wrong address in book.yaml."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from lxml import html

from conftest import build_book, cli, record, write_book

pytestmark = pytest.mark.slow


DOSSIERS = ("beta-boss", "gamma-grunt")  # the site offers the dossiers built: two are enough, and cheaper


def three_records(tmp_path: Path) -> Path:
    """Two related specimens and a third, related to neither, in a family of its own."""
    return write_book(tmp_path, {
        "01-first": {"alpha-analyst": record("Alpha Analyst", [{"role": "beta-boss", "match": 90}])},
        "02-second": {"beta-boss": record("Beta Boss", [{"role": "alpha-analyst", "match": 80}])},
        "03-third": {"gamma-grunt": record("Gamma Grunt")},
    })


def with_settings(book: Path, **settings: object) -> Path:
    path = book / "book.yaml"
    path.write_text(yaml.safe_dump({**yaml.safe_load(path.read_text(encoding="utf-8")), **settings},
                                   sort_keys=False), encoding="utf-8")
    return book


def files(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*"))
            if path.is_file()}


def test_a_site_rebuilt_edited_and_cut_down(tmp_path, monkeypatch):
    """One book through four builds (a build is the expensive part): the same bytes again, the published address,
    an edit that rewrites only the pages it changes, and a removed specimen's files gone."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764201600")
    book = with_settings(three_records(tmp_path), web={"base_url": "https://example.org/bestiary"})
    out = tmp_path / "dist"
    build_book(book, out, ("web",), slugs=DOSSIERS)
    site = out / "web"
    build_book(book, tmp_path / "again", ("web",), slugs=DOSSIERS)  # from the cache: the same bytes either way
    first, second = files(site), files(tmp_path / "again" / "web")
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []

    base = "https://example.org/bestiary/"
    page = html.fromstring(first["specimen-alpha-analyst.html"])
    assert page.xpath("string(//link[@rel='canonical']/@href)") == base + "specimen-alpha-analyst.html"
    assert page.xpath("string(//meta[@property='og:image']/@content)") == base + "cards/alpha-analyst.png"
    assert page.xpath("string(//meta[@property='og:url']/@content)") == base + "specimen-alpha-analyst.html"
    assert html.fromstring(first["index.html"]).xpath("string(//link[@rel='canonical']/@href)") == base
    sitemap = first["sitemap.xml"].decode()
    listed = {line.split("<loc>")[1].split("</loc>")[0] for line in sitemap.splitlines() if "<loc>" in line}
    pages = {name for name in first if name.endswith(".html")} - {"search.html", "404.html", "index.html"}
    assert listed == {base} | {base + name for name in pages}
    assert not html.fromstring(first["404.html"]).xpath("//link[@rel='canonical']")

    before = {path: path.stat().st_mtime_ns for path in site.rglob("*") if path.is_file()}
    record_path = book / "chapters" / "02-second" / "beta-boss.yaml"
    data = yaml.safe_load(record_path.read_text(encoding="utf-8"))
    data["summary"] = "Schedules a meeting to decide whether the meeting was necessary."
    record_path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    result = build_book(book, out, ("web",), slugs=DOSSIERS)
    rewritten = {path.relative_to(site).as_posix() for path, mtime in before.items()
                 if not path.exists() or path.stat().st_mtime_ns != mtime}  # the index's files are named by content
    # the edited file, the page whose related card shows its summary, its family's roster, the index (its tree
    # shows summaries), and the downloads that hold it; never the unrelated specimen, its card or the fonts' files
    assert {"specimen-beta-boss.html", "specimen-alpha-analyst.html", "chapter-second.html",
            "taxonomy-index.html", "cards/beta-boss.png", "downloads/dossiers/beta-boss.pdf"} <= rewritten
    assert not rewritten & {"specimen-gamma-grunt.html", "cards/gamma-grunt.png", "chapter-third.html",
                            "downloads/dossiers/gamma-grunt.pdf", "favicon.svg", "search.js"}
    assert any(name.startswith("pagefind/") for name in rewritten)
    assert "Schedules a meeting" in (site / "specimen-beta-boss.html").read_text(encoding="utf-8")
    assert any(item.kind == "web edition" and not item.unchanged for item in result.written)

    (book / "chapters" / "03-third" / "gamma-grunt.yaml").unlink()
    build_book(book, out, ("web",), slugs=DOSSIERS[:1])
    gone = ("specimen-gamma-grunt.html", "cards/gamma-grunt.png", "downloads/dossiers/gamma-grunt.pdf")
    assert [name for name in gone if (site / name).exists()] == []
    assert "gamma-grunt" not in (site / "index.html").read_text(encoding="utf-8")


def test_the_search_index_is_the_same_bytes_for_the_same_pages():
    from bestiary.store.cache import Cache
    from bestiary.web.search import search_index

    pages = {f"p{number}.html": (f"<!DOCTYPE html><html lang='en'><head><title>P{number}</title></head><body>"
                                 f"<main data-pagefind-body><h1>Specimen {number}</h1><p>Synergy owl {number}</p>"
                                 "</main></body></html>").encode() for number in range(3)}
    first, second = search_index(pages, Cache(None), ""), search_index(pages, Cache(None), "")
    assert first == second and "pagefind/pagefind.js" in first


def test_a_base_url_that_is_not_an_address_is_one_located_error(tmp_path):
    book = with_settings(write_book(tmp_path), web={"base_url": "example.org/bestiary?page=1"})
    result = cli("build", "web", "--book", str(book), "--out", str(tmp_path / "dist"))
    assert result.returncode == 2
    (line,) = [line for line in result.stderr.splitlines() if "web.base_url" in line]
    assert re.fullmatch(r"\S*book\.yaml:\d+:\d+: E\d+ web\.base_url: expected an absolute http\(s\) address.*", line)
    assert "example.org/bestiary?page=1" in line
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "dist").exists()
