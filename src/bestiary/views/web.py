"""The web edition's view: one page per family, chapter and specimen, the index, the statistics, search and the
downloads, with what each page shows to a link preview (`layouts/web/`).

The pages are the EPUB's markup (the shared macros and `common/` layouts) in
files of their own, linked by relative address: a flat folder, so the site works
from any host, in a sub-folder, and from `file://`. The index cites the print
edition's pages, as the EPUB's does: the downloads offer that edition.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..book.model import Book, Chapter, Role
from ..template_data import template_data
from ..text.markdown import plain_text
from .charts.statistics import SCREEN
from .common import STATISTICS_TITLE, ChapterView, Entry, StatisticsView, chapter_views, contents, statistics_view
from .index import IndexView, index_view
from .pages import Pagination
from .specimens import Links, Specimen, relations, specimen_views

HOME_FILE = "index.html"
SEARCH_FILE = "search.html"
NOT_FOUND_FILE = "404.html"
STYLESHEET_FILE = "site.css"
SEARCH_SCRIPT_FILE = "search.js"
FAVICON_FILE = "favicon.svg"
SITEMAP_FILE = "sitemap.xml"
DOWNLOADS_FOLDER = "downloads"
CARDS_FOLDER = "cards"
COVER_IMAGE_FILE = "cover.png"
FONT_LICENSE_FILE = "fonts/OFL.txt"
BOOK_CARD = "book"  # the share card of the home page (a specimen's is named by its slug)
LINKS = Links(split=True, index_file="taxonomy-index.html", statistics_file="field-statistics.html",
              extension=".html")
DESCRIPTION_LENGTH = 200  # characters a link preview shows of a description, about


@template_data()
@dataclass(frozen=True)
class Download:
    """A file the site offers: what it is, where, how big, how many pages, and its SHA-256."""

    title: str
    href: str
    size: str  # as people read it: "2.1 MB"
    pages: int | None
    sha256: str
    kind: str  # "guide", "epub", "print", "dossiers" (the zip of them all) or "dossier"


@template_data()
@dataclass(frozen=True)
class WebPage:
    """One page of the site: its file, its title, its description and share card, what it shows, and the
    pages before and after it in reading order."""

    file_name: str
    title: str
    kind: str  # "home", "chapter", "specimen", "index", "statistics", "search" or "not-found"
    description: str
    card: str  # its share card's file in the site: the book's, or the specimen's own
    card_alt: str
    chapter: ChapterView | None = None
    specimen: Specimen | None = None
    previous: Entry | None = None
    next: Entry | None = None
    dossier: Download | None = None  # a specimen's own dossier
    guide_href: str = ""  # a specimen's or chapter's first page in the PDF field guide (`#nameddest=`)
    guide_page: str = ""  # that page's folio
    indexed: bool = True  # full-text search and the sitemap list it
    index_href: str = ""  # a family's or a specimen's entry in the taxonomy index


@template_data()
@dataclass(frozen=True)
class WebView:
    """The site's pages, navigation and downloads; `base_url` ("" when book.yaml gives none) makes the canonical
    links, the share cards' absolute addresses and the sitemap."""

    book: Book
    language: str
    base_url: str
    contents: tuple[Entry, ...]
    pages: tuple[WebPage, ...]
    index: IndexView
    statistics: StatisticsView | None
    downloads: tuple[Download, ...]  # the guide, the EPUB, the print files and the zip of every dossier
    dossiers: tuple[Download, ...]
    description: str  # the book's, for the home page and every page without one of its own
    blurb: str  # the back cover's, as Markdown, or ""
    cover_alt: str
    cover_width: int  # the cover image's, in pixels
    cover_height: int
    specimen_count: int
    family_count: int
    home_file: str = HOME_FILE
    search_file: str = SEARCH_FILE
    search_script_file: str = SEARCH_SCRIPT_FILE
    stylesheet_file: str = STYLESHEET_FILE
    favicon_file: str = FAVICON_FILE
    font_license_file: str = FONT_LICENSE_FILE
    cover_file: str = COVER_IMAGE_FILE
    index_file: str = LINKS.index_file
    statistics_file: str = LINKS.statistics_file


@template_data()
@dataclass(frozen=True)
class WebFace:
    """One face as the stylesheet's `@font-face` names it, and its file in the site."""

    family: str
    weight: int
    style: str
    file: str


@template_data()
@dataclass(frozen=True)
class ShareCard:
    """What one card says: the tab's label, a line above the title, the title (and its size), the summary."""

    tab: str
    meta: str
    title: str
    summary: str
    title_size: int  # pixels: smaller for a long title, so that it keeps to two or three lines


def share_cards(book: Book) -> dict[str, ShareCard]:
    """The book's card and each specimen's, by name (`BOOK_CARD`, or the role's slug)."""
    config = book.config
    summary = short_description(config.subtitle or config.print_edition.blurb or "")
    cards = {BOOK_CARD: ShareCard(
        "FIELD GUIDE", f"{config.kingdom} // {len(book.roles)} specimens in {len(book.families)} families",
        config.title, summary, _title_size(config.title))}
    for role in book.roles:
        chapter = book.chapter_of(role)
        cards[role.slug] = ShareCard(f"FILE NO. {role.file_number}", f"Family {chapter.title}", role.title,
                                     short_description(role.summary), _title_size(role.title))
    return cards


def _title_size(title: str) -> int:
    return 72 if len(title) <= 28 else 58 if len(title) <= 48 else 46


def card_file(name: str) -> str:
    return f"{CARDS_FOLDER}/{name}.png"


def short_description(text: str) -> str:
    """`text` (Markdown) as plain text no longer than a link preview shows, cut at a word."""
    plain = " ".join(plain_text(text).split())
    if len(plain) <= DESCRIPTION_LENGTH:
        return plain
    return plain[:DESCRIPTION_LENGTH].rsplit(" ", 1)[0].rstrip(",;:") + "\u2026"


def web_view(book: Book, pagination: Pagination, downloads: tuple[Download, ...], dossiers: dict[str, Download],
             guide_href: str, cover_size: tuple[int, int]) -> WebView:
    """The site of `book`: `pagination` is the print edition's (the index and the "page N in the field guide"
    links cite it), `dossiers` each role's dossier by slug, `guide_href` the field guide's address in the site,
    `cover_size` the cover image's width and height in pixels."""
    config = book.config
    folios = pagination.folios()
    specimens = specimen_views(book, LINKS, {}, heading_level=1, chart_as_list=True)
    chapters = chapter_views(book, LINKS, {}, specimens)
    description = short_description(config.print_edition.blurb or config.subtitle or config.title)
    book_card_alt = f"{config.title}: {config.subtitle or config.kingdom}, {len(book.roles)} specimens"

    def in_guide(anchor: str) -> tuple[str, str]:
        folio = folios.get(anchor, "")
        return (f"{guide_href}#nameddest={anchor}", folio) if guide_href and folio else ("", "")

    reading: list[WebPage] = []
    for chapter in chapters:
        href, folio = in_guide(chapter.chapter.anchor)
        reading.append(WebPage(LINKS.chapter_file(chapter.chapter), chapter.chapter.title, "chapter",
                               short_description(chapter.chapter.subtitle or _first_paragraph(chapter.chapter)),
                               card_file(BOOK_CARD), book_card_alt, chapter=chapter, guide_href=href,
                               guide_page=folio))
        for specimen in chapter.specimens:
            role = specimen.role
            href, folio = in_guide(role.anchor)
            reading.append(WebPage(LINKS.role_file(role), role.title, "specimen", short_description(role.summary),
                                   card_file(role.slug), _card_alt(book, role), specimen=specimen,
                                   dossier=dossiers.get(role.slug), guide_href=href, guide_page=folio))
    statistics = statistics_view(book, SCREEN, {}, tables=True)
    if statistics is not None:
        reading.append(WebPage(LINKS.statistics_file, STATISTICS_TITLE, "statistics",
                               f"The {config.kingdom} in figures: salaries, flight risk and kinship, charted.",
                               card_file(BOOK_CARD), book_card_alt))
    reading.append(WebPage(LINKS.index_file, "Taxonomy Index", "index",
                           "Every specimen by family, name, disguise, habitat and kinship.",
                           card_file(BOOK_CARD), book_card_alt))
    index = index_view(book, relations(book), LINKS, {}, lambda anchor: folios.get(anchor, ""))
    # each page's entry in the index's taxonomy, so that the index and the pages link both ways
    entries = {family.locator.href: f"{LINKS.index_file}#{family.target.id}" for family in index.tree}
    entries.update({entry.locator.href: f"{LINKS.index_file}#{entry.target.id}"
                    for family in index.tree for entry in family.specimens})
    linked = [
        replace(page, previous=_entry(reading[number - 1]) if number else None,
                next=_entry(reading[number + 1]) if number + 1 < len(reading) else None,
                index_href=entries.get(f"{page.file_name}#{_anchor(page)}", ""))
        for number, page in enumerate(reading)
    ]
    home = WebPage(HOME_FILE, config.title, "home", description, card_file(BOOK_CARD), book_card_alt,
                   next=_entry(reading[0]) if reading else None)
    search = WebPage(SEARCH_FILE, "Search", "search", f"Search {config.title}.", card_file(BOOK_CARD),
                     book_card_alt, indexed=False)
    missing = WebPage(NOT_FOUND_FILE, "No such file", "not-found", "This file has been shredded, or never existed.",
                      card_file(BOOK_CARD), book_card_alt, indexed=False)
    return WebView(
        book=book,
        language=config.language,
        base_url=config.web_base_url,
        contents=contents(book, LINKS),
        pages=(home, *linked, search, missing),
        index=index,
        statistics=statistics,
        downloads=downloads,
        dossiers=tuple(dossiers[role.slug] for role in book.roles if role.slug in dossiers),
        description=description,
        blurb=config.print_edition.blurb or "",
        cover_alt=(f"Cover of {config.title}: a manila file folder stamped {config.classification}, "
                   f"published by {config.publisher} in its {config.kingdom} series."),
        cover_width=cover_size[0],
        cover_height=cover_size[1],
        specimen_count=len(book.roles),
        family_count=len(book.families),
    )


def _first_paragraph(chapter: Chapter) -> str:
    """The first paragraph of a chapter's prose (not a heading, a list or a quotation), for its description."""
    paragraphs = (block.strip() for block in chapter.body_markdown.split("\n\n"))
    return next((text for text in paragraphs if text and text[0] not in "#->*|`"), chapter.title)


def _anchor(page: WebPage) -> str:
    """The id a page's own content has: a family's or a specimen's, as the index links to it."""
    if page.specimen is not None:
        return page.specimen.role.anchor
    return page.chapter.chapter.anchor if page.chapter is not None else ""


def _entry(page: WebPage) -> Entry:
    return Entry(page.title, page.file_name)


def _card_alt(book: Book, role: Role) -> str:
    return (f"File {role.file_number}, {role.title}, stamped {book.config.classification}: "
            f"{short_description(role.summary)}")
