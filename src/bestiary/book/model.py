"""The validated, frozen book: `Book` → `Chapter` → `Role`.

Together with `record_schema` (what one record file must hold), this is the only
place the book's invariants live: slugs and titles are unique, related
specimens resolve, and every anchor id is assigned here, once, from the slugs.
`load` reads the folder and hands each record file over as a `RecordFile`,
valid or not, so that the book-wide checks run even beside field errors.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .. import errors
from ..errors import Diagnostic
from ..template_data import template_data
from ..text.markdown import article, dashes, slugify, typeset
from .config import BookConfig
from .parse import SourceMap
from .record_schema import DEFAULT_SOURCE

# The eleven sections of a file record, numbered as in the seed.
SECTIONS = (
    ("org-chart", "The Org-Chart Architecture"),
    ("habitat", "The Habitat (Natural Range)"),
    ("salary", "Salary Delusion"),
    ("flight-risk", "The Flight Risk"),
    ("metrics", "The Bullshit Metrics"),
    ("weaponry", "Signature Weaponry"),
    ("encounter", "Survival / Encounter Guide"),
    ("jd-autopsy", "The JD Autopsy: What Do They Actually Do?"),
    ("day-in-the-life", "Day-in-the-Life Log"),
    ("burn-ward", "The Burn Ward (Unfiltered Complaints)"),
    ("related", "Related Specimens"),
)

@template_data()
@dataclass(frozen=True)
class Definition:
    """A metric or a weapon: its name and what it is."""

    name: str
    description: str


@template_data("redacted")
@dataclass(frozen=True)
class Autopsy:
    illusion: str
    translation: str
    source: str

    @property
    def redacted(self) -> bool:
        return self.source == DEFAULT_SOURCE


@template_data("time_range")
@dataclass(frozen=True)
class LogEntry:
    time: str  # as validated: "HH:MM - HH:MM"
    title: str
    description: str

    @property
    def time_range(self) -> str:
        """The time as printed: a range takes an en dash ("09:15–10:30")."""
        return dashes(self.time)


@template_data()
@dataclass(frozen=True)
class Complaint:
    quote: str
    source: str | None


@template_data()
@dataclass(frozen=True)
class Related:
    """A related specimen, resolved: the other record's slug, and how well it matches."""

    slug: str
    match: int


@dataclass(frozen=True)
class RelatedEntry:
    """A `related` entry as its record writes it: where it stands, the record it names (a slug or a title) and
    its match (None when that is not a number, an error of its own)."""

    position: int
    name: str
    match: int | None


@template_data()
@dataclass(frozen=True)
class Role:
    slug: str
    anchor: str
    file_number: str
    source_path: str
    chapter_slug: str
    title: str
    running_title: str | None  # a shorter title for the running head, if the record gives one
    summary: str
    question: str
    org_chart: tuple[str, ...]
    aliases: tuple[str, ...]
    habitat: tuple[str, ...]
    salary_average: int
    salary_currency: str
    salary_note: str
    salary_verdict: str
    flight_risk_percent: int
    flight_risk_level: str
    flight_risk_diagnosis: str
    metrics: tuple[Definition, ...]
    weaponry: tuple[Definition, ...]
    encounter: str
    jd_autopsy: tuple[Autopsy, ...]
    day_in_the_life: tuple[LogEntry, ...]
    burn_ward: tuple[Complaint, ...]
    related: tuple[Related, ...]

    def section_anchor(self, section: str) -> str:
        return f"{self.anchor}--{section}"


@template_data("is_family")
@dataclass(frozen=True)
class Chapter:
    """A prose chapter (no roles) or a family of the taxonomy (with roles)."""

    number: int
    slug: str
    anchor: str
    title: str
    subtitle: str | None
    body_markdown: str
    source_path: str
    roles: tuple[Role, ...]

    @property
    def is_family(self) -> bool:
        return bool(self.roles)


@template_data("roles", "families", "slug", hidden=("directory", "warnings"))
@dataclass(frozen=True)
class Book:
    config: BookConfig
    directory: Path = field(repr=False)  # not the layouts' business: see `template_data`
    chapters: tuple[Chapter, ...]
    warnings: tuple[Diagnostic, ...] = ()

    @property
    def roles(self) -> tuple[Role, ...]:
        return tuple(role for chapter in self.chapters for role in chapter.roles)

    @property
    def families(self) -> tuple[Chapter, ...]:
        return tuple(chapter for chapter in self.chapters if chapter.is_family)

    def chapter_of(self, role: Role) -> Chapter:
        return next(chapter for chapter in self.chapters if chapter.slug == role.chapter_slug)

    @property
    def slug(self) -> str:
        return slugify(self.config.title) or "book"


@dataclass(frozen=True)
class RecordFile:
    """One record file as loaded, valid or not: what the book-wide checks need to know of it."""

    slug: str
    path: str
    source: SourceMap | None  # None when the file could not be parsed, or holds no mapping of keys
    title: str | None  # as written, when it is text
    related: tuple[RelatedEntry, ...]  # each entry that names a role, as written
    role: Role | None  # None when the record has errors of its own
    file_number: object = None  # as written (None when left out), valid or not: `file_numbers` checks it


def role_from_record(slug: str, chapter_slug: str, shown: str, data: dict[str, Any], config: BookConfig) -> Role:
    """A validated record as a `Role`; defaults come from the book's settings.

    Fields printed as plain text are typeset here (curly quotes, dashes); fields in inline
    Markdown are typeset as they are rendered. Related specimens are resolved by the book (`assemble_book`).
    """
    salary, risk = data["salary"], data["flight_risk"]
    title = typeset(data["title"])
    return Role(
        slug=slug,
        anchor=f"specimen-{slug}",
        file_number="",  # assigned book-wide (`file_numbers`)
        source_path=shown,
        chapter_slug=chapter_slug,
        title=title,
        running_title=typeset(data["running_title"]) if data["running_title"] else None,
        summary=data["summary"],
        question=data["question"] or f"What does {article(title)} {title} actually do?",
        org_chart=tuple(typeset(label) for label in data["org_chart"]),
        aliases=tuple(typeset(alias) for alias in data["aliases"]),
        habitat=tuple(typeset(place) for place in data["habitat"]),
        salary_average=salary["market_average"],
        salary_currency=salary["currency"] or config.currency,
        salary_note=salary["note"],
        salary_verdict=salary["verdict"],
        flight_risk_percent=risk["percent"],
        flight_risk_level=risk["level"] or config.flight_risk_level(risk["percent"]),
        flight_risk_diagnosis=risk["diagnosis"],
        metrics=tuple(Definition(**item) for item in data["metrics"]),
        weaponry=tuple(Definition(**item) for item in data["weaponry"]),
        encounter=data["encounter"],
        jd_autopsy=tuple(Autopsy(item["illusion"], item["translation"],
                                 item["source"] if item["source"] == DEFAULT_SOURCE else typeset(item["source"]))
                         for item in data["jd_autopsy"]),
        day_in_the_life=tuple(LogEntry(item["time"], item["title"], item["description"])
                              for item in data["day_in_the_life"]),
        burn_ward=tuple(Complaint(item["quote"], typeset(item["source"]) if item["source"] else None)
                        for item in data["burn_ward"]),
        related=(),
    )


def check_records(records: list[RecordFile],
                  all_known: bool = True) -> tuple[list[Diagnostic], dict[str, tuple[Related, ...]]]:
    """Unique slugs and titles; related entries resolve to another record of the book.

    Runs over every record file, valid or not, so that a misspelt `related` is reported
    beside a record's field errors. Returns the problems and, for each valid role, its
    related specimens resolved to slugs (an entry may name a title). When not `all_known`
    (a folder could not be read), a name that matches no record is not reported: it may be there.
    """
    found: list[Diagnostic] = []
    by_slug: dict[str, RecordFile] = {}
    by_title: dict[str, RecordFile] = {}
    for record in records:
        if record.slug in by_slug:
            found.append(Diagnostic(record.path, 1, 1, errors.DUPLICATE_SLUG, "",
                                    f"expected a unique slug, found '{record.slug}' also in "
                                    f"{by_slug[record.slug].path}"))
        by_slug.setdefault(record.slug, record)
        if record.title is None or record.source is None:
            continue
        title_key = record.title.strip().casefold()
        if title_key in by_title:
            found.append(record.source.diagnostic(("title",), errors.DUPLICATE_TITLE,
                         f"expected a unique title, found '{record.title.strip()}' also in "
                         f"{by_title[title_key].path}"))
        by_title.setdefault(title_key, record)
    resolved: dict[str, tuple[Related, ...]] = {}
    for record in records:
        if record.source is None:
            continue
        targets: list[Related] = []
        for entry in record.related:
            name = entry.name
            key_path = ("related", entry.position, "role")
            target = by_slug.get(name.strip()) or by_title.get(name.strip().casefold())
            if target is None and not all_known:
                continue
            if target is None:
                close = difflib.get_close_matches(name, list(by_slug), n=1, cutoff=0.0)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                found.append(record.source.diagnostic(key_path, errors.UNRESOLVED_RELATED,
                             f"expected the slug or title of another record, found "
                             f"'{name}', which matches none{hint}"))
            elif target.slug == record.slug:
                found.append(record.source.diagnostic(key_path, errors.SELF_RELATED,
                             f"expected another record, found '{name}', this record itself"))
            elif entry.match is not None:
                targets.append(Related(target.slug, entry.match))
        if record.role is not None:
            resolved[record.slug] = tuple(targets)
    return found, resolved


def assemble_book(config: BookConfig, directory: Path, chapters: list[Chapter],
                  resolved: dict[str, tuple[Related, ...]], file_numbers: dict[str, str],
                  warnings: list[Diagnostic]) -> Book:
    """The frozen book: each role with its file number as printed (by slug) and its related entries by slug."""
    finished = [replace(chapter, roles=tuple(replace(role, file_number=file_numbers[role.slug],
                                                     related=resolved[role.slug]) for role in chapter.roles))
                for chapter in chapters]
    return Book(config, directory, tuple(finished), tuple(sorted(warnings)))
