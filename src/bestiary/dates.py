"""The date an output carries, so that an unchanged book rebuilds to the same bytes.

`SOURCE_DATE_EPOCH` wins when it is set; otherwise an output is dated by the
newest of the files it is made from, never by the clock, unless it has none.
"""

from __future__ import annotations

import contextlib
import datetime
import os
from collections.abc import Iterable
from pathlib import Path

from .json_schema import SCHEMA_FILE
from .load import is_editor_litter


def build_time(sources: Iterable[Path] = ()) -> datetime.datetime:
    """An output's date: `SOURCE_DATE_EPOCH` if set, else the newest modification time among its
    `sources` (so an unchanged book rebuilds to the same bytes), else now; UTC, whole seconds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.UTC)
    times = []
    for path in sources:
        with contextlib.suppress(OSError):
            times.append(path.stat().st_mtime)
    if times:
        return datetime.datetime.fromtimestamp(int(max(times)), tz=datetime.UTC)
    return datetime.datetime.now(tz=datetime.UTC).replace(microsecond=0)


def book_sources(book_dir: Path) -> list[Path]:
    """The files a book is made from (editor litter and the editors' schema aside): what dates the field
    guide and the EPUB."""
    return [path for path in sorted(book_dir.rglob("*"))
            if path.is_file() and path != book_dir / SCHEMA_FILE
            and not any(is_editor_litter(part) for part in path.relative_to(book_dir).parts)]
