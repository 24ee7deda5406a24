"""File numbers that never move: each record keeps its own, `file_number: 17`, printed OTI-ADU-0017.

A record without one still builds: it is numbered after the highest number any record holds and after
the book's high-water mark (`file_numbers.issued` in book.yaml, the highest number `bestiary new` or
`bestiary number` ever gave), in reading order, with a warning (W504) until `bestiary number` writes
it in. So adding a record never moves another's number, and a deleted record's number is not given
again. `check` refuses a number two records hold (E307) or one that is not a whole number from 1 to
9999, each time with the next free number. The same rules number the book, `check` it, and give the
next number to `new` and `number` (`numbering`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from .. import errors
from ..errors import Diagnostic
from .model import RecordFile
from .record_schema import MAX_FILE_NUMBER

KEY = "file_number"
_WRITTEN_AS_TEXT = re.compile(r".*?0*([1-9][0-9]*)\s*")  # "OTI-ADU-0017", "0017", "17": digits to give
_LAST_ADVICE = re.compile(r" \([^()]*\)$")


def file_number_prefix(publisher: str, kingdom: str) -> str:
    """The series of a book's file numbers: the first three letters of its publisher and of its kingdom."""
    return f"{publisher[:3]}-{kingdom[:3]}".upper()


def file_number_label(prefix: str, number: int) -> str:
    """A file number as printed: `OTI-ADU-0017`."""
    return f"{prefix}-{number:04d}"


def valid_file_number(value: object) -> int | None:
    """`value` as a file number, or None when it is not one (absent, or malformed: an error of its own)."""
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_FILE_NUMBER:
        return value
    return None


def next_file_number(written: Iterable[int], issued: int) -> int:
    """The number the next record gets: after every number written and after the high-water mark."""
    return max((issued, *written), default=0) + 1


@dataclass(frozen=True)
class Numbering:
    """A book's file numbers: each record's (by slug, written or given), what the next new record gets, and
    the problems (E307 for a number held twice, W504 for each record that has none written)."""

    numbers: dict[str, int]
    next_free: int
    problems: tuple[Diagnostic, ...]
    missing: tuple[tuple[RecordFile, int], ...]  # the records without a number, with the one this build gives


def number_records(records: Sequence[RecordFile], issued: int, prefix: str | None) -> Numbering:
    """Number `records` (in reading order): a written number is kept; one held by an earlier record too
    is an error; a record without one gets the next free number, in reading order, with a warning."""
    holders: dict[int, RecordFile] = {}
    duplicates: list[tuple[RecordFile, RecordFile, int]] = []
    for record in records:
        number = valid_file_number(record.file_number)
        if number is None:
            continue
        if number in holders:
            duplicates.append((record, holders[number], number))
        else:
            holders[number] = record
    following = next_file_number(holders, issued)
    found = [_duplicate(record, first, number, following) for record, first, number in duplicates]
    numbers: dict[str, int] = {}
    missing: list[tuple[RecordFile, int]] = []
    given = following
    for record in records:
        number = valid_file_number(record.file_number)
        if number is not None:
            numbers.setdefault(record.slug, number)
        elif record.source is not None and record.file_number is None:  # a malformed one is reported already
            numbers.setdefault(record.slug, given)
            missing.append((record, given))
            found.append(_missing(record, given, prefix))
            given += 1
    return Numbering(numbers, following, tuple(found), tuple(missing))


def _duplicate(record: RecordFile, first: RecordFile, number: int, following: int) -> Diagnostic:
    assert record.source is not None and first.source is not None  # a number was read from each
    line, column = first.source.at((KEY,))
    return record.source.diagnostic((KEY,), errors.DUPLICATE_FILE_NUMBER,
                                    f"expected a number no other record has, found {number} also in "
                                    f"{first.path}:{line}:{column} (the next free file number is {following})")


def _missing(record: RecordFile, number: int, prefix: str | None) -> Diagnostic:
    assert record.source is not None  # only a record that was read is numbered
    line, column = record.source.key_at(("title",))  # where `bestiary number` writes it: after the title
    printed = f"{number} ({file_number_label(prefix, number)})" if prefix else str(number)
    return Diagnostic(record.path, line, column, errors.MISSING_FILE_NUMBER, KEY,
                      f"expected a file number of its own, found none: this build gives it {printed}, which moves "
                      "when a record is added before it (run `bestiary number` to write it in)")


def with_hints(problems: Iterable[Diagnostic], records: Sequence[RecordFile], next_free: int) -> list[Diagnostic]:
    """`problems`, each error about a record's `file_number` (malformed: not a whole number from 1 to 9999)
    ending with the next free number, and for text such as 'OTI-ADU-0017' with its digits to write."""
    written = {record.path: record.file_number for record in records}
    hinted = []
    for problem in problems:
        if problem.key_path == KEY and problem.path in written and problem.code not in (
                errors.DUPLICATE_FILE_NUMBER, errors.MISSING_FILE_NUMBER, errors.DUPLICATE_KEY):
            value = written[problem.path]
            digits = _WRITTEN_AS_TEXT.fullmatch(value) if isinstance(value, str) else None
            given = f"write its digits alone, unquoted: `{KEY}: {digits.group(1)}`; " if digits else ""
            # in place of the advice for any value (to quote text: a file number is not text)
            message = _LAST_ADVICE.sub("", problem.message)
            problem = replace(problem, message=f"{message} ({given}the next free file number is {next_free})")
        hinted.append(problem)
    return hinted
