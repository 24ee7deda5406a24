"""Make a synthetic bestiary of N roles from the bundled book's records, for the benchmark.

    python bench/generate.py 200 bench/out/book

Each synthetic record is a bundled record with a numbered title, slug and file number, spread over
families of 25, with related entries pointing at other synthetic records (across families).
`edit_summary` changes one word of one record, for the benchmark's edit-and-rebuild step.
"""

from __future__ import annotations

import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
FAMILY_SIZE = 25


def generate(count: int, target: Path) -> Path:
    source = ROOT / "book"
    records = sorted((source / "chapters").glob("*/*.yaml"))
    if target.exists():
        shutil.rmtree(target)
    (target / "chapters").mkdir(parents=True)
    shutil.copy(source / "book.yaml", target / "book.yaml")
    for prose in sorted((source / "chapters").glob("*.md")):
        shutil.copy(prose, target / "chapters" / prose.name)
    intro = (records[0].parent / "chapter.md").read_text(encoding="utf-8")
    for number in range(count):
        family = target / "chapters" / f"{10 + number // FAMILY_SIZE:02d}-family-{number // FAMILY_SIZE + 1}"
        if not family.exists():
            family.mkdir()
            (family / "chapter.md").write_text(
                intro.replace("title: The Machine Room", f"title: Synthetic Family {number // FAMILY_SIZE + 1}"),
                encoding="utf-8")
        data = yaml.safe_load(records[number % len(records)].read_text(encoding="utf-8"))
        old_title = data["title"]
        data["title"] = f"{old_title} {number + 1}"
        data["file_number"] = number + 1
        data["org_chart"] = [data["title"] if entry == old_title else entry for entry in data["org_chart"]]
        data["related"] = [{"role": f"role-{(number + step * 7) % count + 1}", "match": 90 - step * 5}
                           for step in (1, 2, 3) if (number + step * 7) % count != number]
        write_record(family / f"role-{number + 1}.yaml", data)
    return target


def write_record(path: Path, data: dict) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


@dataclass(frozen=True)
class SummaryEdit:
    record: Path  # relative to the book folder
    old_word: str
    new_word: str


def edit_summary(book: Path) -> SummaryEdit:
    """Change one word of the summary of the record in the middle of the book, keeping its length.

    The new word is the old one with its first letter moved to the end: the same letters, so
    nearly the same width, and the page count very likely stays the same.
    """
    records = sorted((book / "chapters").glob("*/*.yaml"))
    path = records[len(records) // 2]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for match in re.finditer(r"\b[a-z]{5,}\b", data["summary"]):
        old = match.group()
        new = old[1:] + old[0]
        if new != old:
            data["summary"] = data["summary"][:match.start()] + new + data["summary"][match.end():]
            write_record(path, data)  # written as `generate` wrote it, so only the word differs
            return SummaryEdit(path.relative_to(book), old, new)
    raise ValueError(f"no word of five letters or more to change in the summary of {path}")


# About two pages of the pocket guide: more than a blank verso can absorb, so every later folio moves.
ADDED_PARAGRAPH = ("Field notes added in revision: the specimens of this family were observed again after the "
                   "reorganization, in the same habitats, under new titles, attending the same meetings. ") * 24


def add_paragraph(book: Path) -> Path:
    """Add a paragraph (about two pages) to the first family's introduction, near the front of the book: every page
    after it moves, and every later folio and page reference with it. The chapter file it changed."""
    intro = sorted((book / "chapters").glob("*/chapter.md"))[0]
    intro.write_text(intro.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + ADDED_PARAGRAPH.strip() + "\n",
                     encoding="utf-8")
    return intro


if __name__ == "__main__":
    if len(sys.argv) > 3 or (len(sys.argv) > 1 and not sys.argv[1].isdigit()):
        sys.exit("usage: python bench/generate.py [ROLES (200)] [BOOK_FOLDER (bench/out/book)]")
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    target = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "bench" / "out" / "book"
    print(generate(count, target))
