"""Make a synthetic bestiary of N roles from the bundled book's records, for the benchmark.

    python bench/generate.py 200 bench/out/book

Each synthetic record is a bundled record with a numbered title and slug, spread over
families of 25, with related entries pointing at other synthetic records (across families).
"""

from __future__ import annotations

import shutil
import sys
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
        data["org_chart"] = [data["title"] if entry == old_title else entry for entry in data["org_chart"]]
        data["related"] = [{"role": f"role-{(number + step * 7) % count + 1}", "match": 90 - step * 5}
                           for step in (1, 2, 3) if (number + step * 7) % count != number]
        (family / f"role-{number + 1}.yaml").write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True),
                                                          encoding="utf-8")
    return target


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    target = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "bench" / "out" / "book"
    print(generate(count, target))
