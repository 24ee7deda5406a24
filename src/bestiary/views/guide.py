"""The field guide's view: everything the print edition shows, for `print/field-guide.html.j2`.

Page numbers are the stylesheet's (`target-counter`), or a chunk's numbers as text
(`pdf.chunks`); the view carries the ids and links they come from.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from ..book.model import Book
from ..template_data import template_data
from ..text import running_heads
from ..text.measures import PageSize
from .charts.statistics import PRINT
from .common import ChapterView, Entry, Head, StatisticsView, chapter_views, contents, iso_time, statistics_view
from .index import IndexView, index_view
from .specimens import Links, relations, specimen_views


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
    ink: str | None = None  # a printer's interior: black, standard-color or premium-color; None in the PDF edition
    volume: str = ""  # a printer's interior split into volumes: "Volume II of III"; "" for one volume
    print_identifier: str = ""  # that volume's own identifier, when book.yaml gives one; "": the print edition's


def field_guide_view(book: Book, created: datetime.datetime, *, page_size: PageSize | None = None,
                     with_cover: bool = True, inner_margin: float = running_heads.INNER_MARGIN,
                     ink: str | None = None) -> FieldGuideView:
    """Everything the print field guide shows; page numbers are the stylesheet's (`target-counter`).

    `page_size` (the book's by default) and `inner_margin` (print.css's, or a printer's wider gutter)
    decide how long a running head may be; a printer's interior is made `with_cover=False` (its cover
    is a separate file) and names its `ink` (black ink gets the design's reds as tints, `print/ink-black.css`).
    """
    config = book.config
    links = Links()
    width = running_heads.head_width(page_size or config.page_size, inner_margin)
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
        contents=contents(book, links),
        chapters=chapter_views(book, links, {}, specimens, width),
        index=index_view(book, relations(book), links, {}, lambda anchor: ""),
        index_href=links.to_index(),
        statistics=statistics,
        with_statistics=statistics is not None,
        ink=None if ink is None else str(ink),  # plain text: a template sees no enum
    )
