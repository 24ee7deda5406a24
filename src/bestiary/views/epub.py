"""The EPUB's view: its documents in reading order, its navigation (contents, landmarks, NCX), and where
each print page begins, for the layouts in `layouts/epub/`."""

from __future__ import annotations

from dataclasses import dataclass

from ..book.model import Book
from ..template_data import template_data
from .charts.statistics import SCREEN
from .common import (
    STATISTICS_ANCHOR,
    STATISTICS_TITLE,
    ChapterView,
    Entry,
    StatisticsView,
    chapter_views,
    contents,
    statistics_view,
)
from .index import INDEX_ANCHOR, IndexView, index_view
from .pages import Pagination
from .specimens import Links, Specimen, relations, specimen_views


@template_data()
@dataclass(frozen=True)
class Document:
    """One content document of the EPUB, in reading order: its file, its id, its title, what it shows."""

    uid: str
    file_name: str
    title: str
    kind: str  # "cover", "contents", "titlepage", "chapter", "specimen", "statistics", "index", "colophon", "licenses"
    chapter: ChapterView | None = None
    specimen: Specimen | None = None


@template_data()
@dataclass(frozen=True)
class NavPoint:
    """An entry of the NCX (for EPUB 2 readers): a chapter, a specimen or a print page, in reading order."""

    id: str
    label: str
    src: str  # relative to the package document
    play_order: int
    children: tuple[NavPoint, ...] = ()


@template_data()
@dataclass(frozen=True)
class EpubView:
    """The EPUB's documents and navigation; page markers and index page numbers follow the print edition."""

    book: Book
    language: str
    cover_alt: str
    contents: tuple[Entry, ...]
    first_chapter: Entry
    page_list: tuple[Entry, ...]
    chapters: tuple[ChapterView, ...]
    documents: tuple[Document, ...]  # the whole spine, in reading order
    index: IndexView
    index_file: str
    statistics: StatisticsView | None
    colophon_file: str
    licenses_file: str
    nav_map: tuple[NavPoint, ...]  # the NCX: chapters with their specimens, the statistics, then the index
    page_targets: tuple[NavPoint, ...]  # the NCX's page list
    print_page_count: int


def _epub_files(book: Book, links: Links) -> dict[str, str]:
    """Document anchor → its EPUB file. Every id is its document's anchor, alone or followed by "--…"
    (slugs never hold "--"); ids of print-only parts (cover, contents) have no document here."""
    files = {INDEX_ANCHOR: links.index_file, STATISTICS_ANCHOR: links.statistics_file}
    files.update({chapter.anchor: links.chapter_file(chapter) for chapter in book.chapters})
    files.update({role.anchor: links.role_file(role) for role in book.roles})
    return files


def document_anchor(anchor: str) -> str:
    return anchor.split("--", 1)[0]


def epub_view(book: Book, pagination: Pagination) -> EpubView:
    """The EPUB's documents: each print body page is marked where it begins, and the index cites print pages."""
    config = book.config
    links = Links(split=True)
    files = _epub_files(book, links)
    markers = pagination.markers(lambda anchor: document_anchor(anchor) in files)
    page_list = sorted((Entry(marker.label, f"{files[document_anchor(anchor)]}#{marker.id}")
                        for anchor, found in markers.items() for marker in found), key=lambda entry: int(entry.title))
    folios = pagination.folios()
    specimens = specimen_views(book, links, markers, heading_level=1, chart_as_list=True)
    chapters = chapter_views(book, links, markers, specimens)
    documents = [Document("cover", "cover.xhtml", "Cover", "cover"),
                 Document("nav", "nav.xhtml", "Contents", "contents"),
                 Document("titlepage", "titlepage.xhtml", "Title Page", "titlepage")]
    for chapter in chapters:
        documents.append(Document(chapter.chapter.anchor, links.chapter_file(chapter.chapter), chapter.chapter.title,
                                  "chapter", chapter=chapter))
        documents += [Document(specimen.role.anchor, links.role_file(specimen.role), specimen.role.title,
                               "specimen", specimen=specimen) for specimen in chapter.specimens]
    statistics = statistics_view(book, SCREEN, markers, tables=True)
    if statistics is not None:
        documents.append(Document(STATISTICS_ANCHOR, links.statistics_file, STATISTICS_TITLE, "statistics"))
    documents += [Document(INDEX_ANCHOR, links.index_file, "Taxonomy Index", "index"),
                  Document("colophon", COLOPHON_FILE, "Colophon", "colophon"),
                  Document("licenses", LICENSES_FILE, "Font Licenses", "licenses")]
    nav_map, page_targets = _ncx(documents, page_list)
    first = book.chapters[0]
    return EpubView(
        book=book,
        language=config.language,
        cover_alt=(f"Cover of {config.title}: {config.subtitle or ''}. A manila file folder stamped "
                   f"{config.classification}, "
                   f"published by {config.publisher} in its {config.kingdom} series."),
        contents=contents(book, links),
        first_chapter=Entry(first.title, links.to_chapter(first)),
        page_list=tuple(page_list),
        chapters=chapters,
        documents=tuple(documents),
        index=index_view(book, relations(book), links, markers, lambda anchor: folios.get(anchor, "")),
        index_file=links.index_file,
        statistics=statistics,
        colophon_file=COLOPHON_FILE,
        licenses_file=LICENSES_FILE,
        nav_map=nav_map,
        page_targets=page_targets,
        print_page_count=len([label for label in pagination.labels if label.isdigit()]),
    )


COLOPHON_FILE = "colophon.xhtml"
LICENSES_FILE = "licenses.xhtml"
TEXT_FOLDER = "text"  # where the content documents sit in the package


def _ncx(documents: list[Document], page_list: list[Entry]) -> tuple[tuple[NavPoint, ...], tuple[NavPoint, ...]]:
    """The NCX's navigation points and page targets, with play orders that follow the reading order.

    A document's own entry comes before the pages that begin inside it; pages keep their order.
    """
    spine = {document.file_name: position for position, document in enumerate(documents)}
    stops: list[tuple[int, int, str]] = []  # (document, position in it, key)
    listed = [d for d in documents if d.kind in ("chapter", "specimen", "statistics", "index")]
    stops += [(spine[d.file_name], -1, d.uid) for d in listed]
    stops += [(spine[entry.href.split("#")[0]], int(entry.title), entry.href) for entry in page_list]
    order = {key: number for number, (_, _, key) in enumerate(sorted(stops), start=1)}

    def point(document: Document, children: tuple[NavPoint, ...] = ()) -> NavPoint:
        return NavPoint(f"navpoint-{document.uid}", document.title, f"{TEXT_FOLDER}/{document.file_name}",
                        order[document.uid], children)

    nav_map: list[NavPoint] = []
    for document in listed:
        if document.kind == "specimen":
            parent = nav_map[-1]
            nav_map[-1] = NavPoint(parent.id, parent.label, parent.src, parent.play_order,
                                   (*parent.children, point(document)))
        else:
            nav_map.append(point(document))
    pages = tuple(NavPoint(f"pagetarget-{entry.title}", entry.title, f"{TEXT_FOLDER}/{entry.href}", order[entry.href])
                  for entry in page_list)
    return tuple(nav_map), pages
