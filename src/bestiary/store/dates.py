"""The date an output carries, so that an unchanged book rebuilds to the same bytes.

`SOURCE_DATE_EPOCH` wins when it is set; otherwise an output is dated by the
newest of the files it is made from, never by the clock, unless it has none.
Every output carries any date from 1970 to the end of 9999 (the PDF's and the
EPUB's dates have four-digit years), except the EPUB's zip entries: the zip
format counts years from 1980 to 2107, so `zip_timestamp` brings a date into
that range, and the package document keeps the exact one.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import zipfile
from collections.abc import Iterable
from pathlib import Path

from ..book.config import WORD_LIST
from ..book.json_schema import SCHEMA_FILE
from ..book.load import is_editor_litter
from ..errors import RequestError

LATEST = 253_402_300_799  # 9999-12-31 23:59:59 UTC: year 10000 has five digits, and Python has no such year
ZIP_EARLIEST = datetime.datetime(1980, 1, 1, tzinfo=datetime.UTC)
ZIP_LATEST = datetime.datetime(2107, 12, 31, 23, 59, 58, tzinfo=datetime.UTC)  # the zip counts seconds in twos


def source_date_epoch() -> int | None:
    """`SOURCE_DATE_EPOCH` in seconds, or None when it is unset or empty.

    Raises RequestError unless it is ASCII digits from 0 to `LATEST`, since a build that cannot keep
    the requested date must not quietly take another one (reproducible-builds.org says to fail).
    """
    text = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not text:
        return None
    digits = text.lstrip("0")
    if not (text.isascii() and text.isdigit()) or len(digits) > len(str(LATEST)) or int(digits or "0") > LATEST:
        shown = text if len(text) <= 24 else text[:21] + "..."
        raise RequestError(f"expected SOURCE_DATE_EPOCH to be a whole number of seconds from 0 to {LATEST} "
                           f"(1970-01-01 to 9999-12-31 23:59:59 UTC), found {shown!r}")
    return int(text)


def build_time(sources: Iterable[Path] = ()) -> datetime.datetime:
    """An output's date: `SOURCE_DATE_EPOCH` if set, else the newest modification time among its
    `sources` (so an unchanged book rebuilds to the same bytes; a time outside 1970 to 9999 counts as
    the nearer end), else now; UTC, whole seconds. Raises RequestError for a bad `SOURCE_DATE_EPOCH`."""
    epoch = source_date_epoch()
    if epoch is not None:
        return datetime.datetime.fromtimestamp(epoch, tz=datetime.UTC)
    times = []
    for path in sources:
        with contextlib.suppress(OSError):
            times.append(path.stat().st_mtime)
    if times:
        newest = min(max(int(max(times)), 0), LATEST)
        return datetime.datetime.fromtimestamp(newest, tz=datetime.UTC)
    return datetime.datetime.now(tz=datetime.UTC).replace(microsecond=0)


def zip_timestamp(moment: datetime.datetime) -> tuple[int, int, int, int, int, int]:
    """`moment` as a zip entry's date and time, brought into the years the zip format can hold (1980-2107)."""
    kept = min(max(moment, ZIP_EARLIEST), ZIP_LATEST)
    return (kept.year, kept.month, kept.day, kept.hour, kept.minute, kept.second)


def zip_entry(name: str, moment: datetime.datetime, compress_type: int = zipfile.ZIP_DEFLATED) -> zipfile.ZipInfo:
    """A reproducible zip entry: dated `moment` (`zip_timestamp`), a regular file readable by all, written as on
    Unix, whatever the machine that writes it (the EPUB's members, the web edition's zip of dossiers)."""
    info = zipfile.ZipInfo(name, date_time=zip_timestamp(moment))
    info.compress_type = compress_type
    info.external_attr = 0o644 << 16
    info.create_system = 3
    return info


def book_sources(book_dir: Path) -> list[Path]:
    """The files a book is made from (editor litter, the editors' schema and the proofreader's word list aside):
    what dates the field guide and the EPUB."""
    return [path for path in sorted(book_dir.rglob("*"))
            if path.is_file() and path not in (book_dir / SCHEMA_FILE, book_dir / WORD_LIST)
            and not any(is_editor_litter(part) for part in path.relative_to(book_dir).parts)]
