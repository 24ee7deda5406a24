"""The web edition's files, by path in the site: every page, the stylesheet and its fonts, the script and index
of search, the share cards, the cover, the favicon, the sitemap, and the downloads.

The pages are rendered from `views.web.WebView` through the shared layouts, as
HTML: the EPUB's `epub:type` attributes, which HTML does not know, are dropped
as each page is rendered. Everything is derived from the book and the files the
build made, in a fixed order, so the same inputs give the same bytes.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from ..book.model import Book
from ..epub.cover import cached_cover_png
from ..epub.documents import font_license
from ..render.layouts import WEB_FAVICON, WEB_PAGES, WEB_SEARCH_SCRIPT, WEB_SITEMAP, WEB_STYLESHEET
from ..render.renderer import Renderer
from ..store.cache import Cache
from ..store.paths import DOSSIERS_FOLDER, PRINT_FOLDER, dossier_file_name
from ..views.pages import Pagination
from ..views.web import (
    CARDS_FOLDER,
    COVER_IMAGE_FILE,
    DOWNLOADS_FOLDER,
    FAVICON_FILE,
    FONT_LICENSE_FILE,
    SEARCH_SCRIPT_FILE,
    SITEMAP_FILE,
    STYLESHEET_FILE,
    Download,
    WebPage,
    WebView,
    web_view,
)
from .downloads import dossiers_zip, offered
from .fonts import web_fonts
from .search import search_index

HOME_COVER_WIDTH = 480  # pixels: the cover beside the title, sharp at twice its 15em on a phone or a laptop
_EPUB_TYPE = re.compile(r'\s+epub:type="[^"]*"')


@dataclass(frozen=True)
class BuiltFiles:
    """What the build made that the site offers, with each PDF's page count."""

    guide_name: str
    guide: bytes
    guide_pages: int
    epub_name: str
    epub: bytes
    dossiers: dict[str, tuple[bytes, int]]  # by slug, in the book's order
    print_files: tuple[tuple[str, str, bytes, int], ...]  # title, file name, PDF, pages: what dist/print holds
    cover_source: bytes  # the print cover's one-page PDF


@dataclass(frozen=True)
class Site:
    files: dict[str, bytes]  # path in the site → bytes, in a fixed order
    pages: int  # HTML pages among them


def web_site(book: Book, pagination: Pagination, built: BuiltFiles, cards: dict[str, bytes], renderer: Renderer,
             created: datetime.datetime, cache: Cache, toolchain: str) -> Site:
    """The whole site of `book`: `pagination` is the print edition's, `cards` the share cards' PNGs by name."""
    files: dict[str, bytes] = {}
    ordered = _dossiers(book, built)
    downloads = _downloads(book, built, ordered, created, files)
    dossiers = {}
    for slug, title, (data, page_count) in ordered:
        href = f"{DOWNLOADS_FOLDER}/{DOSSIERS_FOLDER}/{dossier_file_name(slug)}"
        files[href] = data
        dossiers[slug] = offered(title, href, data, page_count, "dossier")
    cover = cached_cover_png(built.cover_source, cache, toolchain, short_side=HOME_COVER_WIDTH)
    cover_size = (int.from_bytes(cover[16:20], "big"), int.from_bytes(cover[20:24], "big"))
    view = web_view(book, pagination, downloads, dossiers, f"{DOWNLOADS_FOLDER}/{built.guide_name}", cover_size)
    pages = {page.file_name: _page(renderer, view, page.kind, page) for page in view.pages}
    # the stylesheet names the fonts, whose subsets follow what the pages and the stylesheet show
    unstyled = renderer.render(WEB_STYLESHEET, fonts=())
    faces = web_fonts("".join(pages.values()) + unstyled, cache, toolchain)
    stylesheet = renderer.render(WEB_STYLESHEET, fonts=[face for face, _ in faces])
    site = {name: html.encode("utf-8") for name, html in pages.items()}
    site[STYLESHEET_FILE] = stylesheet.encode("utf-8")
    site[SEARCH_SCRIPT_FILE] = renderer.render(WEB_SEARCH_SCRIPT).encode("utf-8")
    site[FAVICON_FILE] = renderer.render(WEB_FAVICON, book=book).encode("utf-8")
    if view.base_url:
        site[SITEMAP_FILE] = renderer.render(WEB_SITEMAP, web=view, book=book).encode("utf-8")
    site.update({face.file: data for face, data in faces})
    site[FONT_LICENSE_FILE] = font_license().encode("utf-8")
    site[COVER_IMAGE_FILE] = cover
    site.update({f"{CARDS_FOLDER}/{name}.png": image for name, image in sorted(cards.items())})
    site.update(search_index({name: data for name, data in site.items() if name.endswith(".html")}, cache, toolchain))
    site.update(files)
    return Site(site, len(pages))


def _page(renderer: Renderer, view: WebView, kind: str, page: WebPage) -> str:
    html = renderer.render(WEB_PAGES[kind], web=view, page=page, book=view.book)
    return _EPUB_TYPE.sub("", html)


def _dossiers(book: Book, built: BuiltFiles) -> list[tuple[str, str, tuple[bytes, int]]]:
    return [(role.slug, role.title, built.dossiers[role.slug]) for role in book.roles if role.slug in built.dossiers]


def _downloads(book: Book, built: BuiltFiles, dossiers: list[tuple[str, str, tuple[bytes, int]]],
               created: datetime.datetime, files: dict[str, bytes]) -> tuple[Download, ...]:
    """The book's downloads (the guide, the EPUB, the print files, the `dossiers` in one zip), their bytes put in
    `files` under the downloads folder."""
    offers: list[Download] = []

    def offer(title: str, name: str, data: bytes, pages: int | None, kind: str) -> None:
        href = f"{DOWNLOADS_FOLDER}/{name}"
        files[href] = data
        offers.append(offered(title, href, data, pages, kind))

    offer("The field guide (PDF)", built.guide_name, built.guide, built.guide_pages, "guide")
    offer("The e-book (EPUB)", built.epub_name, built.epub, None, "epub")
    for title, name, data, pages in built.print_files:
        offer(title, f"{PRINT_FOLDER}/{name}", data, pages, "print")
    if dossiers:
        members = [(dossier_file_name(slug), data) for slug, _, (data, _) in dossiers]
        offer(f"Every dossier ({len(members)} PDFs in one ZIP)", f"{book.slug}-dossiers.zip",
              dossiers_zip(members, created), None, "dossiers")
    return tuple(offers)
