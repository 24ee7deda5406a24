"""The context stage: pure functions from a `Book` to what each layout draws. No I/O, no Jinja.

One frozen view per layout: `field_guide_view` (the print edition), `epub_view`
(its documents and navigation) and `dossier_view` (one role's dossier). Each
carries everything its templates show (links, labels, page references, ids,
section headings), so templates draw and never compute. The parts they share
are built once, in `specimens` (a file record), `index` (the taxonomy index) and
`charts` (the field statistics, drawn for the page or for a phone's screen),
parameterised by how the output links (`Links`) and where the print pages
begin (page markers, EPUB only).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from ..book.model import Book, Chapter, Role
from ..pdf.pagination import Pagination
from ..template_data import template_data
from ..text import running_heads
from ..text.markdown import Block, markdown_blocks
from .charts.statistics import PRINT, SCREEN, Chart, Frame, Panel, field_charts
from .index import INDEX_ANCHOR, IndexView, index_view
from .specimens import Links, Markers, Specimen, Target, relations, specimen_views

__all__ = ["DossierView", "EpubView", "FieldGuideView", "Links", "StatisticsView", "dossier_view", "epub_view",
           "field_guide_view"]

STATISTICS_ANCHOR = "field-statistics"
STATISTICS_TITLE = "Field Statistics"



@template_data()
@dataclass(frozen=True)
class Head:
    """A document's metadata, as `<head>` shows it."""

    title: str
    language: str
    author: str
    description: str
    keywords: str
    created: str  # ISO 8601, from the build time


@template_data()
@dataclass(frozen=True)
class Entry:
    """A line of the contents or of a family roster: a title and where it links to."""

    title: str
    href: str
    children: tuple[Entry, ...] = ()
    summary: str | None = None  # a specimen's one-line summary, in a family's roster


@template_data()
@dataclass(frozen=True)
class ChapterView:
    chapter: Chapter
    target: Target
    title_id: str
    running_title: str  # the chapter's title, shortened to fit the running head if it must
    label: str | None  # "Family 2 of 4" for a family, None for prose
    blocks: tuple[tuple[Target, Block, tuple[Target, ...]], ...]  # each block, and its list items' targets
    roster: tuple[Entry, ...]
    specimens: tuple[Specimen, ...]
    is_body_start: bool = False  # the book's first chapter: folio 1 is its first page
    with_opener: bool = True  # False in a chunk that continues the family with more specimens


@template_data("first_panel", "other_panels")
@dataclass(frozen=True)
class ChartView:
    """One chart of the field statistics with the ids of its section, panels and table rows."""

    chart: Chart
    target: Target
    title_id: str
    panels: tuple[tuple[Target, Panel], ...]
    rows: tuple[tuple[Target, tuple[str, ...]], ...]
    show_table: bool  # the EPUB shows every table (the charts' text alternative); print only the key

    @property
    def first_panel(self) -> tuple[Target, Panel]:
        """The panel that goes with the chart's heading and caption (print keeps them on one page)."""
        return self.panels[0]

    @property
    def other_panels(self) -> tuple[tuple[Target, Panel], ...]:
        return self.panels[1:]


@template_data()
@dataclass(frozen=True)
class StatisticsView:
    """The field statistics appendix: its charts, drawn for the page or for the screen."""

    target: Target
    title_id: str
    title: str
    charts: tuple[ChartView, ...]


@template_data()
@dataclass(frozen=True)
class FieldGuideView:
    """The whole print edition: cover, front matter, contents, chapters with their specimens, the field
    statistics, index."""

    book: Book
    head: Head
    cover_pages: int  # 2 (the cover and its inside) in the PDF edition, 0 in a printer's interior
    hyphenation: str  # the language tag that picks the hyphenation dictionary
    specimen_count: int
    family_count: int
    contents: tuple[Entry, ...]
    chapters: tuple[ChapterView, ...]
    index: IndexView
    index_href: str
    statistics: StatisticsView | None  # None for a book without specimens
    with_front: bool = True  # the cover, the front matter and the contents (a chunk may leave them out)
    with_statistics: bool = True
    with_index: bool = True


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


@template_data()
@dataclass(frozen=True)
class DossierView:
    """One role's standalone dossier: its cover sheet, then its file; it links only inside itself."""

    book: Book
    head: Head
    specimen: Specimen
    issued: str
    file_name: str


def iso_time(created: datetime.datetime) -> str:
    return created.isoformat()


def _chapter_views(book: Book, links: Links, markers: Markers, specimens: tuple[Specimen, ...],
                   head_width: float | None = None) -> tuple[ChapterView, ...]:
    views = []
    families = book.families
    for position, chapter in enumerate(book.chapters):
        blocks = markdown_blocks(chapter.body_markdown, chapter.anchor)
        label = f"Family {families.index(chapter) + 1} of {len(families)}" if chapter.is_family else None
        views.append(ChapterView(
            chapter=chapter,
            target=Target(chapter.anchor, markers.get(chapter.anchor, ())),
            title_id=f"{chapter.anchor}--title",
            running_title=running_heads.fit(chapter.title, head_width) if head_width else chapter.title,
            label=label,
            blocks=tuple((Target(block.id, markers.get(block.id, ())), block,
                          tuple(Target(item, markers.get(item, ())) for item in block.item_ids)) for block in blocks),
            roster=tuple(Entry(role.title, links.to_role(role), summary=role.summary) for role in chapter.roles),
            specimens=tuple(specimen for specimen in specimens if specimen.chapter.slug == chapter.slug),
            is_body_start=position == 0,
        ))
    return tuple(views)


def _contents(book: Book, links: Links) -> tuple[Entry, ...]:
    """The chapters with their specimens, then the field statistics (the index closes every contents)."""
    chapters = tuple(
        Entry(chapter.title, links.to_chapter(chapter),
              tuple(Entry(role.title, links.to_role(role)) for role in chapter.roles))
        for chapter in book.chapters
    )
    return (*chapters, Entry(STATISTICS_TITLE, links.to_statistics())) if book.roles else chapters


def statistics_view(book: Book, frame: Frame, markers: Markers, *, tables: bool) -> StatisticsView | None:
    """The appendix's charts drawn for `frame`, with ids; `tables` shows every chart's table, not just the key."""
    if not book.roles:
        return None

    def target(anchor: str) -> Target:
        return Target(anchor, markers.get(anchor, ()))

    charts = []
    for chart in field_charts(book, frame):
        anchor = f"{STATISTICS_ANCHOR}--{chart.key}"
        charts.append(ChartView(
            chart=chart,
            target=target(anchor),
            title_id=f"{anchor}--title",
            panels=tuple((target(f"{anchor}-{number}"), panel) for number, panel in enumerate(chart.panels, start=1)),
            rows=tuple((target(f"{anchor}-row-{number}"), row) for number, row in enumerate(chart.table.rows, start=1)),
            show_table=tables or chart.table_in_print,
        ))
    return StatisticsView(target(STATISTICS_ANCHOR), f"{STATISTICS_ANCHOR}--title", STATISTICS_TITLE, tuple(charts))


def field_guide_view(book: Book, created: datetime.datetime, *, page_size: str | None = None,
                     with_cover: bool = True) -> FieldGuideView:
    """Everything the print field guide shows; page numbers are the stylesheet's (`target-counter`).

    `page_size` (the book's by default) decides how long a running head may be; a printer's
    interior is made `with_cover=False` (its cover is a separate file).
    """
    config = book.config
    links = Links()
    width = running_heads.head_width(page_size or config.page_size)
    specimens = specimen_views(book, links, {}, heading_level=2, head_width=width)
    statistics = statistics_view(book, PRINT, {}, tables=False)
    return FieldGuideView(
        book=book,
        head=Head(config.title, config.language, ", ".join(config.authors), config.subtitle or config.title,
                  ", ".join(config.keywords), iso_time(created)),
        cover_pages=2 if with_cover else 0,
        hyphenation=config.hyphenation,
        specimen_count=len(specimens),
        family_count=len(book.families),
        contents=_contents(book, links),
        chapters=_chapter_views(book, links, {}, specimens, width),
        index=index_view(book, relations(book), links, {}, lambda anchor: ""),
        index_href=links.to_index(),
        statistics=statistics,
        with_statistics=statistics is not None,
    )


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
    chapters = _chapter_views(book, links, markers, specimens)
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
        cover_alt=(f"Cover of {config.title}: {config.subtitle or ''}. A manila file folder stamped CLASSIFIED, "
                   f"published by {config.publisher} in its {config.kingdom} series."),
        contents=_contents(book, links),
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


def dossier_file_name(slug: str, paper: str | None = None) -> str:
    """`sdet.pdf` on the book's own paper, `sdet--letter.pdf` on another, so neither replaces the other."""
    return f"{slug}--{paper}.pdf" if paper else f"{slug}.pdf"


def dossier_view(book: Book, slug: str, created: datetime.datetime, paper: str | None = None) -> DossierView:
    """One role's dossier; its related cards name the other dossiers' files instead of linking.

    `paper` is given when it is not the book's own (it is then part of the file names).
    """
    config = book.config

    def file_name(other: str) -> str:
        return dossier_file_name(other, paper)

    specimens = specimen_views(book, None, {}, heading_level=2, head_width=running_heads.head_width(config.page_size),
                               ref_label=lambda role: f"(dossier {file_name(role.slug)})", only=slug)
    specimen = specimens[0]
    role: Role = specimen.role
    return DossierView(
        book=book,
        head=Head(f"Dossier {role.file_number}: {role.title}", config.language, config.publisher, role.summary,
                  ", ".join(config.keywords + (role.title,) + role.aliases), iso_time(created)),
        specimen=specimen,
        issued=created.date().isoformat(),
        file_name=file_name(slug),
    )
