"""`bestiary new`: a record skeleton with every key, in the seed's order.

Placeholders start with "TODO", which `check` rejects, so an unfinished record
cannot slip into a build. The first line points editors at the book's JSON
Schema (`json_schema`), which `new` writes or refreshes beside `book.yaml`, so
the record is checked as it is filled in.
"""

from __future__ import annotations

from pathlib import Path

from .errors import RequestError
from .json_schema import modeline, write_schema
from .load import CHAPTER_NAME
from .text import article, slugify

SKELETON = """\
{modeline}
title: {title}
summary: >-
  TODO: one sentence on what a {title} actually does.
question: What does {article} {title} actually do?
org_chart:            # top of the chain first; this role exactly once
  - TODO (their boss)
  - {title}
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


def new_record(book_dir: Path, chapter: str, title: str) -> Path:
    """Write `<chapter>/<slug>.yaml`; refuse to overwrite an existing record."""
    title = " ".join(title.split())
    if not title:
        raise RequestError("the title is empty")
    chapters = book_dir / "chapters"
    folder = chapters / chapter
    families = sorted(p for p in chapters.glob("*") if p.is_dir() and CHAPTER_NAME.match(p.name))
    if not folder.is_dir() or folder not in families:
        raise RequestError(f"no chapter folder {folder}; expected one of: {', '.join(p.name for p in families)}")
    slug = slugify(title)
    if not slug:
        raise RequestError(f"the title {title!r} has no letters or digits to make a file name from")
    # slugs are unique across the whole book, not only within a family
    taken = next((family / f"{slug}{suffix}" for family in families for suffix in (".yaml", ".yml")
                  if (family / f"{slug}{suffix}").exists()), None)
    if taken is not None:
        raise RequestError(f"a record with the slug '{slug}' already exists: {taken}")
    path = folder / f"{slug}.yaml"
    write_schema(book_dir)  # before the record, whose first line names it
    try:
        with open(path, "x", encoding="utf-8") as stream:  # "x": never overwrite a record
            stream.write(SKELETON.format(modeline=modeline(path, book_dir), title=title, article=article(title)))
    except OSError as error:
        raise RequestError(f"cannot write {path}: {error.strerror or error}") from error
    return path
