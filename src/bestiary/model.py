"""The validated, frozen book: `Book` → `Chapter` → `Role`.

Together with `records` (what one record file must hold), this is the only
place the book's invariants live: slugs and titles are unique, related
specimens resolve, and every anchor id is assigned here, once, from the slugs.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace
from pathlib import Path

from . import errors, schema
from .config import BookConfig, load_config
from .errors import BuildError, Diagnostic
from .load import SourceMap, load_markdown_file, load_yaml_file
from .records import DEFAULT_SOURCE, FRONT_MATTER_SCHEMA, ROLE_SCHEMA, check_chapter_body, check_glyphs, check_role
from .resources import fonts_dir, is_inside

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
CHAPTER_NAME = re.compile(r"^(\d+)-([a-z0-9]+(?:-[a-z0-9]+)*)(\.md)?$")

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

@dataclass(frozen=True)
class Named:
    name: str
    description: str


@dataclass(frozen=True)
class Autopsy:
    illusion: str
    translation: str
    source: str

    @property
    def redacted(self) -> bool:
        return self.source == DEFAULT_SOURCE


@dataclass(frozen=True)
class LogEntry:
    time: str
    title: str
    description: str


@dataclass(frozen=True)
class Complaint:
    quote: str
    source: str | None


@dataclass(frozen=True)
class Related:
    slug: str  # as the record names it (slug or title); `load_book` resolves it to the slug
    match: int


@dataclass(frozen=True)
class Role:
    slug: str
    anchor: str
    file_number: str
    source_path: str
    chapter_slug: str
    title: str
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
    metrics: tuple[Named, ...]
    weaponry: tuple[Named, ...]
    encounter: str
    jd_autopsy: tuple[Autopsy, ...]
    day_in_the_life: tuple[LogEntry, ...]
    burn_ward: tuple[Complaint, ...]
    related: tuple[Related, ...]

    def section_anchor(self, section: str) -> str:
        return f"{self.anchor}--{section}"


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


@dataclass(frozen=True)
class Book:
    config: BookConfig
    directory: Path
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
        return slugify(self.config.title)


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "book"


def load_book(book_dir: Path) -> Book:
    """Load and validate a whole book folder; raise `BuildError` with every problem found."""
    problems: list[Diagnostic] = []
    config, found = load_config(book_dir)
    problems += found
    chapters_dir = book_dir / "chapters"
    if not chapters_dir.is_dir():
        problems.append(Diagnostic(errors.display_path(book_dir), 1, 1, errors.BAD_BOOK_LAYOUT, "",
                                   "expected a chapters/ folder, found none"))
        raise BuildError(problems)
    chapters: list[Chapter] = []
    sources: dict[str, tuple[SourceMap, dict]] = {}
    invalid: set[str] = set()  # slugs of record files that failed: not reported again as unresolved
    for entry in sorted(chapters_dir.iterdir(), key=_chapter_order):
        match = CHAPTER_NAME.match(entry.name)
        shown = errors.display_path(entry)
        if entry.name.startswith("."):
            continue
        if not is_inside(entry, (book_dir.resolve(),)):
            problems.append(_outside_book(shown))
            continue
        if not match or (entry.is_file() and not entry.name.endswith(".md")):
            problems.append(Diagnostic(shown, 1, 1, errors.BAD_BOOK_LAYOUT, "",
                                       "expected a chapter named like 02-family/ or 00-foreword.md, "
                                       f"found '{entry.name}'"))
            continue
        number, slug = int(match.group(1)), match.group(2)
        if entry.is_dir():
            chapter = _load_family(entry, number, slug, config, problems, sources, invalid)
        else:
            chapter = _load_prose(entry, number, slug, problems)
        if chapter is None:
            continue
        twin = next((other for other in chapters if other.slug == chapter.slug), None)
        if twin is not None:  # anchors and EPUB file names come from the slug
            problems.append(Diagnostic(shown, 1, 1, errors.DUPLICATE_SLUG, "",
                                       f"expected a unique chapter name, found '{slug}' also in {twin.source_path}"))
            continue
        chapters.append(chapter)
    found, resolved = _check_book_wide(chapters, sources, invalid)
    problems += found
    if not any(chapter.roles for chapter in chapters) and not any(not p.is_warning for p in problems):
        # a bestiary needs a specimen: the contents, the index and the EPUB's index are built from them
        problems.append(Diagnostic(errors.display_path(chapters_dir), 1, 1, errors.BAD_BOOK_LAYOUT, "",
                                   "expected at least one family folder with a role record, found none"))
    if config is None or any(not p.is_warning for p in problems):
        raise BuildError(problems)
    return Book(config, book_dir, _finish_roles(chapters, config, resolved), tuple(sorted(problems)))


def _finish_roles(chapters: list[Chapter], config: BookConfig,
                  resolved: dict[str, tuple[str, ...]]) -> tuple[Chapter, ...]:
    """File numbers in reading order (OTI-ADU-0001 for the first specimen); related entries by slug."""
    prefix = f"{config.publisher[:3]}-{config.kingdom[:3]}".upper()
    finished: list[Chapter] = []
    count = 0
    for chapter in chapters:
        roles = []
        for role in chapter.roles:
            count += 1
            related = tuple(Related(slug, entry.match)
                            for slug, entry in zip(resolved[role.slug], role.related, strict=True))
            roles.append(replace(role, file_number=f"{prefix}-{count:04d}", related=related))
        finished.append(replace(chapter, roles=tuple(roles)))
    return tuple(finished)


def _outside_book(shown: str) -> Diagnostic:
    return Diagnostic(shown, 1, 1, errors.BAD_BOOK_LAYOUT, "",
                      "expected a file inside the book folder, found a symbolic link leading outside it")


def _chapter_order(entry: Path) -> tuple[int, str]:
    match = CHAPTER_NAME.match(entry.name)
    return (int(match.group(1)) if match else 10**9, entry.name)


def _load_prose(path: Path, number: int, slug: str, problems: list[Diagnostic]) -> Chapter | None:
    shown = errors.display_path(path)
    document, found = load_markdown_file(path, shown)
    problems += found
    if document is None or document.front_matter is None:
        return None
    meta, found = schema.validate(FRONT_MATTER_SCHEMA, document.front_matter.data, document.front_matter.source)
    problems += found
    problems += check_chapter_body(document.body, document.body_line, shown, fonts_dir())
    if meta is None:
        return None
    return Chapter(number, slug, f"chapter-{slug}", meta["title"], meta["subtitle"],
                   document.body, shown, ())


def _load_family(directory: Path, number: int, slug: str, config: BookConfig | None,
                 problems: list[Diagnostic], sources: dict, invalid: set[str]) -> Chapter | None:
    intro = directory / "chapter.md"
    if intro.exists() and not is_inside(intro, (directory.resolve(),)):
        problems.append(_outside_book(errors.display_path(intro)))
        chapter = None
    elif not intro.is_file():
        problems.append(Diagnostic(errors.display_path(directory), 1, 1, errors.BAD_BOOK_LAYOUT, "",
                                   "expected a chapter.md with the family's title, found none"))
        chapter = None
    else:
        chapter = _load_prose(intro, number, slug, problems)
    roles: list[Role] = []
    for path in sorted(directory.iterdir()):
        if path.name == "chapter.md" or path.name.startswith("."):
            continue
        shown = errors.display_path(path)
        if not is_inside(path, (directory.resolve(),)):
            problems.append(_outside_book(shown))
            continue
        if path.suffix not in (".yaml", ".yml") or not path.is_file():
            problems.append(Diagnostic(shown, 1, 1, errors.BAD_BOOK_LAYOUT, "",
                                       f"expected role records named <slug>.yaml, found '{path.name}'"))
            continue
        if not SLUG.match(path.stem):
            problems.append(Diagnostic(shown, 1, 1, errors.BAD_SLUG, "",
                                       "expected a file name of lower-case words joined by hyphens, "
                                       f"found '{path.name}'"))
            continue
        invalid.add(path.stem)  # until it proves valid
        loaded, found = load_yaml_file(path, shown)
        problems += found
        if loaded is None:
            continue
        data, found = schema.validate(ROLE_SCHEMA, loaded.data, loaded.source)
        problems += found
        if data is None:
            continue
        found = check_role(data, loaded.source)
        problems += found
        if found or config is None:
            continue
        problems += check_glyphs(loaded.data, loaded.source, fonts_dir())
        invalid.discard(path.stem)
        sources[path.stem] = (loaded.source, data)
        roles.append(_build_role(path.stem, slug, shown, data, config))
    if chapter is None:
        return None
    return Chapter(chapter.number, chapter.slug, chapter.anchor, chapter.title, chapter.subtitle,
                   chapter.body_markdown, chapter.source_path, tuple(roles))


def _build_role(slug: str, chapter_slug: str, shown: str, data: dict, config: BookConfig) -> Role:
    salary, risk = data["salary"], data["flight_risk"]
    return Role(
        slug=slug,
        anchor=f"specimen-{slug}",
        file_number="",  # assigned book-wide, in reading order
        source_path=shown,
        chapter_slug=chapter_slug,
        title=data["title"],
        summary=data["summary"],
        question=data["question"] or f"What does {_article(data['title'])} {data['title']} actually do?",
        org_chart=data["org_chart"],
        aliases=data["aliases"],
        habitat=data["habitat"],
        salary_average=salary["market_average"],
        salary_currency=salary["currency"] or config.currency,
        salary_note=salary["note"],
        salary_verdict=salary["verdict"],
        flight_risk_percent=risk["percent"],
        flight_risk_level=risk["level"] or config.flight_risk_level(risk["percent"]),
        flight_risk_diagnosis=risk["diagnosis"],
        metrics=tuple(Named(**item) for item in data["metrics"]),
        weaponry=tuple(Named(**item) for item in data["weaponry"]),
        encounter=data["encounter"],
        jd_autopsy=tuple(Autopsy(**item) for item in data["jd_autopsy"]),
        day_in_the_life=tuple(LogEntry(**item) for item in data["day_in_the_life"]),
        burn_ward=tuple(Complaint(**item) for item in data["burn_ward"]),
        related=tuple(Related(item["role"], item["match"]) for item in data["related"]),
    )


def _article(title: str) -> str:
    # Acronyms read letter by letter: "an SDET", "an ML Engineer".
    first_word = title.split()[0]
    if first_word.isupper() and first_word[0] in "AEFHILMNORSX":
        return "an"
    return "an" if title[0].lower() in "aeiou" else "a"


def _check_book_wide(chapters: list[Chapter], sources: dict,
                     invalid: set[str]) -> tuple[list[Diagnostic], dict[str, tuple[str, ...]]]:
    """Unique slugs and titles; related entries resolve to another record.

    Also returns, for each role, the slugs its `related` entries resolve to (they may name a title).
    """
    found: list[Diagnostic] = []
    resolved: dict[str, tuple[str, ...]] = {}
    by_slug: dict[str, Role] = {}
    by_title: dict[str, Role] = {}
    for chapter in chapters:
        for role in chapter.roles:
            source, _ = sources[role.slug]
            if role.slug in by_slug:
                found.append(source.diagnostic((), errors.DUPLICATE_SLUG,
                             f"expected a unique slug, found '{role.slug}' also in "
                             f"{by_slug[role.slug].source_path}"))
            by_slug.setdefault(role.slug, role)
            title_key = role.title.casefold()
            if title_key in by_title:
                found.append(source.diagnostic(("title",), errors.DUPLICATE_TITLE,
                             f"expected a unique title, found '{role.title}' also in "
                             f"{by_title[title_key].source_path}"))
            by_title.setdefault(title_key, role)
    for chapter in chapters:
        for role in chapter.roles:
            source, _ = sources[role.slug]
            targets: list[str] = []
            for i, related in enumerate(role.related):
                key_path = ("related", i, "role")
                target = by_slug.get(related.slug) or by_title.get(related.slug.casefold())
                if target is None and related.slug in invalid:
                    continue  # the target exists but is invalid: its own errors say why
                if target is None:
                    close = difflib.get_close_matches(related.slug, list(by_slug), n=1, cutoff=0.0)
                    hint = f" (did you mean '{close[0]}'?)" if close else ""
                    found.append(source.diagnostic(key_path, errors.UNRESOLVED_RELATED,
                                 f"expected the slug or title of another record, found "
                                 f"'{related.slug}', which matches none{hint}"))
                elif target.slug == role.slug:
                    found.append(source.diagnostic(key_path, errors.SELF_RELATED,
                                 f"expected another record, found '{related.slug}', this record itself"))
                else:
                    targets.append(target.slug)
            resolved[role.slug] = tuple(targets)
    return found, resolved
