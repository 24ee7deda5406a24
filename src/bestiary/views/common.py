"""What the views share: a document's head, contents entries, chapter openers and the field statistics."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from ..book.model import Book, Chapter
from ..template_data import template_data
from ..text import running_heads
from ..text.markdown import Block, markdown_blocks
from .charts.statistics import Chart, Frame, Panel, field_charts
from .specimens import Links, Markers, Specimen, Target

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
    target: Target | None = None  # a roster line's id: the EPUB's page-list may mark a page it begins


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


def iso_time(created: datetime.datetime) -> str:
    return created.isoformat()


def chapter_views(book: Book, links: Links, markers: Markers, specimens: tuple[Specimen, ...],
                   head_width: float | None = None) -> tuple[ChapterView, ...]:
    def target(anchor: str) -> Target:
        return Target(anchor, markers.get(anchor, ()))

    views = []
    families = book.families
    for position, chapter in enumerate(book.chapters):
        blocks = markdown_blocks(chapter.body_markdown, chapter.anchor)
        label = f"Family {families.index(chapter) + 1} of {len(families)}" if chapter.is_family else None
        views.append(ChapterView(
            chapter=chapter,
            target=target(chapter.anchor),
            title_id=f"{chapter.anchor}--title",
            running_title=running_heads.fit(chapter.title, head_width) if head_width else chapter.title,
            label=label,
            blocks=tuple((target(block.id), block, tuple(target(item) for item in block.item_ids)) for block in blocks),
            roster=tuple(Entry(role.title, links.to_role(role), summary=role.summary,
                               target=target(f"{chapter.anchor}--roster-{number}"))
                         for number, role in enumerate(chapter.roles, start=1)),
            specimens=tuple(specimen for specimen in specimens if specimen.chapter.slug == chapter.slug),
            is_body_start=position == 0,
        ))
    return tuple(views)


def contents(book: Book, links: Links) -> tuple[Entry, ...]:
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
