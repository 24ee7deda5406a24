"""`bestiary new`: a record skeleton with every key, in the seed's order.

Placeholders start with "TODO", which `check` rejects, so an unfinished record
cannot slip into a build.
"""

from __future__ import annotations

import re
from pathlib import Path

from .model import CHAPTER_NAME

SKELETON = """\
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
        raise ValueError("the title is empty")
    chapters = book_dir / "chapters"
    folder = chapters / chapter
    if not folder.is_dir():
        families = sorted(p.name for p in chapters.glob("*") if p.is_dir() and CHAPTER_NAME.match(p.name))
        raise FileNotFoundError(f"no chapter folder {folder}; expected one of: {', '.join(families)}")
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    if not slug:
        raise ValueError(f"the title {title!r} has no letters or digits to make a file name from")
    path = folder / f"{slug}.yaml"
    if path.exists():
        raise FileExistsError(f"{path} already exists")
    article = "an" if title[0].lower() in "aeiou" else "a"
    path.write_text(SKELETON.format(title=title, article=article), encoding="utf-8")
    return path
