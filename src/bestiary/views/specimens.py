"""A specimen's file record as the layouts draw it: sections, numbered items, related cards, the org chart.

Built once per output by `specimen_views`, which is told how that output links
(`Links`: fragments in the print edition, one file per document in the EPUB,
nothing in a dossier) and where the print pages begin (EPUB page markers).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from ..book.model import SECTIONS, Book, Chapter, Role
from ..template_data import template_data
from ..text import running_heads
from .org_chart import OrgChart, org_chart
from .pages import PageMarker

Markers = dict[str, tuple[PageMarker, ...]]  # element id → the print pages that begin just before it


@template_data()
@dataclass(frozen=True)
class Target:
    """An element the layouts give an id, with the print pages whose markers go before it (EPUB only)."""

    id: str
    pages: tuple[PageMarker, ...] = ()


@dataclass(frozen=True)
class Links:
    """How one output links to a specimen (or one of its sections) and to a chapter.

    `split` outputs (the EPUB, the web edition) keep each chapter and specimen in a file of
    its own, named by its anchor and `extension`; the others are one document, linked by
    fragment only.
    """

    split: bool = False
    index_file: str = "index.xhtml"
    statistics_file: str = "statistics.xhtml"
    extension: str = ".xhtml"

    def role_file(self, role: Role) -> str:
        return f"{role.anchor}{self.extension}" if self.split else ""

    def chapter_file(self, chapter: Chapter) -> str:
        return f"{chapter.anchor}{self.extension}" if self.split else ""

    def to_role(self, role: Role) -> str:
        return f"{self.role_file(role)}#{role.anchor}"

    def to_item(self, role: Role, kind: str, number: int) -> str:
        """The `number`th (from 1) item of a list in the role's record: "alias", "habitat", "card"…"""
        return f"{self.role_file(role)}#{item_anchor(role, kind, number)}"

    def to_chapter(self, chapter: Chapter) -> str:
        return f"{self.chapter_file(chapter)}#{chapter.anchor}"

    def to_index(self) -> str:
        return self.index_file if self.split else "#taxonomy-index"

    def to_statistics(self) -> str:
        return self.statistics_file if self.split else "#field-statistics"


def item_anchor(role: Role, kind: str, number: int) -> str:
    return f"{role.anchor}--{kind}-{number}"


@dataclass(frozen=True)
class Relation:
    """A related specimen: the other record, and how well it matches. In `cited_by`, `card` is
    the position (from 1) of the card that names this role in the citing role's record."""

    role: Role
    match: int
    card: int = 0


@dataclass(frozen=True)
class Relations:
    """Both directions of the `related` entries: what each role names, and who names it."""

    related: dict[str, tuple[Relation, ...]]
    cited_by: dict[str, tuple[Relation, ...]]


def relations(book: Book) -> Relations:
    by_slug = {role.slug: role for role in book.roles}
    cited: dict[str, list[Relation]] = defaultdict(list)
    related: dict[str, tuple[Relation, ...]] = {}
    for role in book.roles:
        related[role.slug] = tuple(Relation(by_slug[entry.slug], entry.match) for entry in role.related)
        for card, relation in enumerate(related[role.slug], start=1):
            cited[relation.role.slug].append(Relation(role, relation.match, card))
    return Relations(related, {slug: tuple(sorted(found, key=lambda r: (-r.match, r.role.title)))
                               for slug, found in cited.items()})


@template_data()
@dataclass(frozen=True)
class Section:
    """One of the eleven numbered sections of a file record."""

    number: str  # "01"
    heading: str
    target: Target


@template_data()
@dataclass(frozen=True)
class Item:
    """One entry of a list section (a metric, a weapon, an autopsy row, a log entry, a complaint), with its id."""

    target: Target
    value: Any


@template_data()
@dataclass(frozen=True)
class Card:
    """A related-specimen card: the other record, the match, where it links and what names its place."""

    role: Role
    match: int
    target: Target
    href: str | None  # None where the output cannot link (a dossier)
    ref_label: str | None  # shown beside the title: a dossier names the other dossier's file


@template_data()
@dataclass(frozen=True)
class Specimen:
    role: Role
    chapter: Chapter
    number: int  # 1-based position in reading order
    total: int
    target: Target
    title_id: str
    running_title: str
    heading_level: int
    sections: Mapping[str, Section]  # read-only, by key: "org-chart", "habitat", …
    chart: OrgChart
    chart_as_list: bool  # nested lists styled as boxes (EPUB), or SVG (print)
    aliases: tuple[Item, ...]
    habitat: tuple[Item, ...]
    metrics: tuple[Item, ...]
    weaponry: tuple[Item, ...]
    jd_autopsy: tuple[Item, ...]
    day_in_the_life: tuple[Item, ...]
    burn_ward: tuple[Item, ...]
    cards: tuple[Card, ...]


def specimen_views(book: Book, links: Links | None, markers: Markers, *, heading_level: int,
                   head_width: float | None = None, ref_label: Callable[[Role], str] | None = None,
                   only: str | None = None, chart_as_list: bool = False) -> tuple[Specimen, ...]:
    """Every specimen (or only the role `only`) as one output draws it.

    `links` is None for an output that cannot link (a dossier); `ref_label` names where a
    related specimen is instead. `head_width` (points) is the running head's, for print.
    `chart_as_list` draws the org chart as nested lists (the EPUB: it reflows and survives
    conversion to Kindle formats) instead of SVG (print).
    """
    found = relations(book)
    roles = book.roles
    views = []
    for number, role in enumerate(roles, start=1):
        if only is not None and role.slug != only:
            continue

        def target(anchor: str) -> Target:
            return Target(anchor, markers.get(anchor, ()))

        def items(kind: str, values: tuple[object, ...], role: Role = role) -> tuple[Item, ...]:
            return tuple(Item(target(item_anchor(role, kind, index)), value)
                         for index, value in enumerate(values, start=1))

        cards = tuple(
            Card(relation.role, relation.match, target(item_anchor(role, "card", index)),
                 links.to_role(relation.role) if links else None,
                 ref_label(relation.role) if ref_label else None)
            for index, relation in enumerate(found.related[role.slug], start=1)
        )
        views.append(Specimen(
            role=role,
            chapter=book.chapter_of(role),
            number=number,
            total=len(roles),
            target=target(role.anchor),
            title_id=f"{role.anchor}--title",
            running_title=running_heads.fit(role.running_title or role.title, head_width) if head_width
            else role.running_title or role.title,
            heading_level=heading_level,
            sections=MappingProxyType({key: Section(f"{position:02d}", heading, target(role.section_anchor(key)))
                                       for position, (key, heading) in enumerate(SECTIONS, start=1)}),
            chart=org_chart(role),
            chart_as_list=chart_as_list,
            aliases=items("alias", role.aliases),
            habitat=items("habitat", role.habitat),
            metrics=items("metric", role.metrics),
            weaponry=items("weapon", role.weaponry),
            jd_autopsy=items("autopsy", role.jd_autopsy),
            day_in_the_life=items("log", role.day_in_the_life),
            burn_ward=items("note", role.burn_ward),
            cards=cards,
        ))
    return tuple(views)
