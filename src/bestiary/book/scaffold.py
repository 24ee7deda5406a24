"""`bestiary new`: a record skeleton with every key, in the seed's order.

Placeholders start with "TODO", which `check` rejects, so an unfinished record
cannot slip into a build. The title is written as a quoted YAML scalar, so any
title `new` accepts (every title `check` accepts) reads back exactly as typed.
The first line points editors at the book's JSON Schema (`json_schema`), which
`new` writes or refreshes beside `book.yaml`, so the record is checked as it
is filled in.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import RequestError
from ..text.markdown import article, slugify
from .json_schema import modeline, write_schema
from .load import CHAPTER_NAME
from .record_schema import ROLE_SCHEMA
from .schema import Text

SKELETON = """\
{modeline}
title: {quoted_title}
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
    title = " ".join(title.split())
    if not title:
        raise RequestError("the title is empty")
    _check_title(title)
    chapters = book_dir / "chapters"
    folder = chapters / chapter
    families = sorted(p for p in chapters.glob("*") if p.is_dir() and CHAPTER_NAME.match(p.name))
    if not folder.is_dir() or folder not in families:
        raise RequestError(f"no chapter folder {folder}; expected one of: {', '.join(p.name for p in families)}")
    slug = file_slug(title)
    if not slug:
        raise RequestError(f"the title {title!r} has no ASCII letters or digits (a-z, 0-9) to make a file name from")
    # slugs are unique across the whole book, not only within a family
    taken = next((family / f"{slug}{suffix}" for family in families for suffix in (".yaml", ".yml")
                  if (family / f"{slug}{suffix}").exists()), None)
    if taken is not None:
        raise RequestError(f"a record with the slug '{slug}' already exists: {taken}")
    path = folder / f"{slug}.yaml"
    write_schema(book_dir)  # before the record, whose first line names it
    try:
        with open(path, "x", encoding="utf-8") as stream:  # "x": never overwrite a record
            stream.write(SKELETON.format(modeline=modeline(path, book_dir), title=title, quoted_title=_quoted(title),
                                         article=article(title), question=_question(title)))
    except OSError as error:
        raise RequestError(f"cannot write {path}: {error.strerror or error}") from error
    return path


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
    problems: list[str] = []
    ROLE_SCHEMA.keys["title"].spec.check(title, ("title",), lambda key_path, code, message: problems.append(
        f"{code} {message}"))
    if problems:
        raise RequestError(f"the title cannot be a record's title: {problems[0]}")


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
