"""`bestiary new`: a record skeleton with every key, in the seed's order; and `bestiary init`: a new book
around one such skeleton, for a user who has no `book/` to start from.

Placeholders start with "TODO", which `check` rejects (in `book.yaml`, at the
start of a chapter's paragraph, in a record), so an unfinished book cannot slip
into a build. The title is written as a quoted YAML scalar, so any title `new`
accepts (every title `check` accepts) reads back exactly as typed. The record's
first line points editors at the book's JSON Schema (`json_schema`), which `new`
writes or refreshes beside `book.yaml`, so the record is checked as it is filled in. `new` gives the
record the book's next file number and raises the high-water mark in `book.yaml` (`numbering`)."""

from __future__ import annotations

import contextlib
import datetime
import json
import uuid
from pathlib import Path

from ..errors import RequestError
from ..safe_files import create_file
from ..text.markdown import article, slugify
from .config import BOOK_SCHEMA
from .json_schema import SCHEMA_FILE, modeline, write_schema
from .load import CHAPTER_NAME
from .numbering import next_number
from .record_schema import FRONT_MATTER_SCHEMA, ROLE_SCHEMA
from .schema import Spec, Text

SKELETON = """\
{modeline}
title: {quoted_title}
file_number: {file_number}{number_comment}
summary: >-
  TODO: one sentence on what {article} {title} actually does.
question: {question}
org_chart:            # top of the chain first; this role exactly once
  - TODO (their boss)
  - {quoted_title}
  - TODO (whoever they delegate to)
aliases: []           # known aliases / disguises
habitat:
  - TODO (where they are found)
salary:
  market_average: 0   # whole currency units, above 0
  note: >-
    TODO: why the figure lies.
  verdict: >-
    TODO: what the money actually buys.
flight_risk:
  percent: 0          # 0 to 100
  diagnosis: >-
    TODO: what will make them leave, or be left.
metrics:
  - name: TODO
    description: >-
      TODO
weaponry:
  - name: TODO
    description: >-
      TODO
encounter: >-
  TODO: what to do if engaged.
jd_autopsy:
  - illusion: >-
      TODO: a line from the job advertisement.
    translation: >-
      TODO: what it means.
day_in_the_life:
  - time: "09:00 - 10:00"
    title: TODO
    description: >-
      TODO
burn_ward:
  - quote: >-
      TODO: an unfiltered complaint.
related: []           # - {{role: other-slug, match: 80}}
"""


MAX_SLUG = 80  # characters of a file name made from a title: far from any file system's limit of 255 bytes


def new_record(book_dir: Path, chapter: str, title: str) -> Path:
    """Write `<chapter>/<slug>.yaml` for `title` (its white space collapsed), the slug cut at a word
    boundary to `MAX_SLUG` characters; refuse a title `check` would refuse, and to overwrite a record."""
    title, slug = _role_title(title)
    chapters = book_dir / "chapters"
    folder = chapters / chapter
    families = sorted(p for p in chapters.glob("*") if p.is_dir() and CHAPTER_NAME.match(p.name))
    if not folder.is_dir() or folder not in families:
        raise RequestError(f"no chapter folder {folder}; expected one of: {', '.join(p.name for p in families)}")
    # slugs are unique across the whole book, not only within a family
    taken = next((family / f"{slug}{suffix}" for family in families for suffix in (".yaml", ".yml")
                  if (family / f"{slug}{suffix}").exists()), None)
    if taken is not None:
        raise RequestError(f"a record with the slug '{slug}' already exists: {taken}")
    path = folder / f"{slug}.yaml"
    number, settings = next_number(book_dir)
    write_schema(book_dir)  # before the record, whose first line names it
    try:
        with open(path, "x", encoding="utf-8") as stream:  # "x": never overwrite a record
            stream.write(SKELETON.format(modeline=modeline(path, book_dir), title=title, quoted_title=_quoted(title),
                                         article=article(title), question=_question(title), file_number=number,
                                         number_comment=_number_comment(number)))
    except OSError as error:
        raise RequestError(f"cannot write {path}: {error.strerror or error}") from error
    settings.record_issued(number)
    return path


def _number_comment(number: int) -> str:
    """The skeleton's note on its file number, aligned with the comments below it."""
    return f"{' ' * max(1, 9 - len(str(number)))}# this file's number, for good"


def _role_title(title: str) -> tuple[str, str]:
    """`title` with its white space collapsed, and the slug of its file; `RequestError` for a title `check`
    would refuse or one that makes no file name."""
    title = " ".join(title.split())
    if not title:
        raise RequestError("the title is empty")
    _check_title(title)
    slug = file_slug(title)
    if not slug:
        raise RequestError(f"the title {title!r} has no ASCII letters or digits (a-z, 0-9) to make a file name from")
    return title, slug


def file_slug(title: str) -> str:
    """The slug of `title`, cut after its last whole word within `MAX_SLUG` characters (or at `MAX_SLUG`
    when its first word is longer), so that any title up to the record's 500 characters names a file."""
    slug = slugify(title)
    if len(slug) <= MAX_SLUG:
        return slug
    kept = slug[:MAX_SLUG + 1]
    return kept.rsplit("-", 1)[0] if "-" in kept else slug[:MAX_SLUG]


def _check_title(title: str) -> None:
    """Refuse, in one line, a title the record's schema refuses (too long, control characters, a word too
    long to lay out, the placeholder): the skeleton could never pass `check`."""
    _check_line(ROLE_SCHEMA.keys["title"].spec, title, "the title cannot be a record's title")


def _quoted(text: str) -> str:
    """`text` as a double-quoted YAML scalar: a JSON string is one, whatever it holds (": ", " #", a leading
    "&", "*", "!", "-", "?", "%", "@" or quote, "yes", "null", "1:30")."""
    return json.dumps(text, ensure_ascii=False)


def _question(title: str) -> str:
    """The default question, quoted; left out (null, so the default applies) when the title makes it
    longer than a line of a record may be."""
    question = f"What does {article(title)} {title} actually do?"
    spec = ROLE_SCHEMA.keys["question"].spec
    assert isinstance(spec, Text)  # a line of text, whose length is limited
    limit = spec.max_length
    if len(question) > limit:
        return f"null  # the default: written out, it would pass the {limit} characters of a line"
    return _quoted(question)


DEFAULT_TITLE = "Untitled Bestiary"
DEFAULT_FAMILY = "The Open Plan"
DEFAULT_ROLE = "Middle Manager"

BOOK_YAML = """\
# The book's settings: `bestiary check` validates every key. Fill in each TODO.
# (A comment goes on a line of its own: after text on its line, YAML would cut the text at the ` #`.)
title: {title}
subtitle: TODO (a line under the title; or delete this line)
publisher: TODO (you, or your imprint)
# the series: the taxonomy's kingdom, above every family
kingdom: Adulthood
# a BCP 47 language tag: en, en-GB, fr...
language: en
authors:
  - TODO (your name)
edition: First edition
date: {date}
# this edition's own identifier, made by `bestiary init`: keep it (or give an ISBN, isbn:978-...)
identifier: {identifier}
# ISO 4217: the currency of a salary that names none
currency: USD
# A flight-risk percent at or above `from` gets that level (the highest band reached wins).
flight_risk_bands:
  - {{from: 0, level: LOW RISK}}
  - {{from: 40, level: ELEVATED RISK}}
  - {{from: 70, level: HIGH RISK}}
  - {{from: 90, level: FLIGHT IMMINENT}}
field_guide:
  # a pocket book; or a5, "6in 9in"...
  page_size: 4.5in 7in
  bleed: 0mm
  crop_marks: false
dossier:
  # a4 or letter
  paper: a4
# Optional: hyphenation, spelling, rights, classification, keywords, print_edition (see the README).
"""

FOREWORD = """\
---
title: Foreword
---
TODO: why this book exists, in the field researcher's voice. Markdown works here: *emphasis*,
**strong**, lists, and links to the web.
"""

FAMILY_CHAPTER = """\
---
title: {title}
---
TODO: the family's introduction: where it lives, how to tell it apart, what it feeds on.
"""

GITIGNORE = "dist/\n"


def init_book(project_dir: Path, title: str = DEFAULT_TITLE, family: str = DEFAULT_FAMILY,
              role: str = DEFAULT_ROLE) -> tuple[Path, ...]:
    """Write a new book into `project_dir` (made if missing; refused unless empty): `book/book.yaml`, a
    foreword, one family `01-<family>/` with its `chapter.md` and the record skeleton of `role`, the
    record schema, and a `.gitignore` for `dist/`. Return the files written.

    The book is `book/` and its outputs go to `dist/` beside it, the commands' defaults, so every command
    works from `project_dir` without an option. `check` refuses the book until each TODO is filled in.
    All or nothing: on a failure, what was written is removed again.
    """
    title, family = " ".join(title.split()), " ".join(family.split())
    _check_line(BOOK_SCHEMA.keys["title"].spec, title, "the book's title cannot be a title")
    _check_line(FRONT_MATTER_SCHEMA.keys["title"].spec, family, "the family's name cannot be a chapter's title")
    family_slug = file_slug(family)
    if not family_slug:
        raise RequestError(f"the family {family!r} has no ASCII letters or digits (a-z, 0-9) to make a folder "
                           "name from")
    _role_title(role)  # refused before anything is written
    if project_dir.exists() and (not project_dir.is_dir() or any(project_dir.iterdir())):
        raise RequestError(f"{project_dir} exists and is not an empty folder; init writes a new book only into "
                           "a new or empty one")
    book_dir = project_dir / "book"
    chapter = f"01-{family_slug}"
    files = {
        project_dir / ".gitignore": GITIGNORE,
        book_dir / "book.yaml": BOOK_YAML.format(title=_quoted(title), date=datetime.date.today().isoformat(),
                                                 identifier=f"urn:uuid:{uuid.uuid4()}"),
        book_dir / "chapters" / "00-foreword.md": FOREWORD,
        book_dir / "chapters" / chapter / "chapter.md": FAMILY_CHAPTER.format(title=_quoted(family)),
    }
    missing = [folder for folder in (*reversed(project_dir.absolute().parents), project_dir.absolute())
               if not folder.exists()]
    folders = [*missing, book_dir, book_dir / "chapters", book_dir / "chapters" / chapter]
    written: list[Path] = []
    try:
        for folder in folders:
            _create(folder, None)
        for path, text in files.items():
            _create(path, text)
            written.append(path)
        written.append(book_dir / SCHEMA_FILE)  # written by new_record, before the record
        written.append(new_record(book_dir, chapter, role))
    except BaseException:
        for path in reversed(written):
            path.unlink(missing_ok=True)
        for folder in reversed(folders):
            with contextlib.suppress(OSError):
                folder.rmdir()  # only ours, and only if nothing else was put in it
        raise
    return tuple(written)


def _create(path: Path, text: str | None) -> None:
    """Make the folder `path` (`text` None) or the file `path` holding `text`, neither over anything that
    exists nor through a link put there since; `RequestError` naming it if the system refuses."""
    try:
        if text is None:
            path.mkdir()
        else:
            create_file(path, text.encode("utf-8"))
    except OSError as error:
        raise RequestError(f"cannot write {path}: {error.strerror or error}") from error


def _check_line(spec: Spec, text: str, refusal: str) -> None:
    """Refuse, in one line, text `check` would refuse where it is going (a title, a family's name)."""
    problems: list[str] = []
    spec.check(text, (), lambda key_path, code, message: problems.append(f"{code} {message}"))
    if problems:
        raise RequestError(f"{refusal}: {problems[0]}")
