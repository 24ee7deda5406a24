"""Writing file numbers into a book: `bestiary number`, and the next number for `bestiary new`.

Each edit is the smallest that holds the number: `number` inserts one line, `file_number: N`, after a
record's title, and keeps every other byte of the file (comments, quoting, line endings); `new` writes it
into the skeleton. Both raise the book's high-water mark, `file_numbers: {issued: N}` in book.yaml, by
rewriting only its digits (or adding the two lines at the end of a book.yaml without them), so a deleted
record's number is never given again. Every edit is read back before it is written, and each file is
replaced in one step (`replace_file`). The numbers themselves follow `file_numbers`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .. import errors
from ..errors import Diagnostic, InputError, RequestError
from ..safe_files import replace_file
from .config import BOOK_SCHEMA
from .file_numbers import KEY, file_number_label, file_number_prefix, number_records, with_hints
from .load import read_records
from .parse import Loaded, load_yaml_text
from .reading import read_bytes
from .record_schema import MAX_FILE_NUMBER

GROUP, ISSUED = "file_numbers", "issued"
ISSUED_BLOCK = (
    "# the highest file number given so far (by `bestiary new` and `bestiary number`): a deleted record's\n"
    "# number is never given again\n"
    f"{GROUP}:\n  {ISSUED}: {{number}}\n")
_DIGITS = re.compile(r"[-+]?[0-9][0-9_]*")


@dataclass(frozen=True)
class _File:
    """A book file as text (a byte-order mark kept apart, to be written back), and what YAML read in it."""

    path: Path
    shown: str
    bom: str
    text: str
    loaded: Loaded

    @classmethod
    def read(cls, path: Path, shown: str) -> _File:
        raw, problems = read_bytes(path, shown)
        text = None
        if raw is not None:
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                problems = [Diagnostic(shown, 1, 1, errors.NOT_TEXT, "", "expected UTF-8 text, found other bytes")]
        loaded, found = load_yaml_text(text.removeprefix("\ufeff"), shown) if text is not None else (None, [])
        problems += [problem for problem in found if not problem.is_warning]
        if text is None or loaded is None or problems or not isinstance(loaded.data, dict):
            raise InputError(problems or [Diagnostic(shown, 1, 1, errors.NOT_MAPPING, "",
                                                     "expected a mapping of keys, found none")])
        return cls(path, shown, "\ufeff" if text.startswith("\ufeff") else "", text.removeprefix("\ufeff"), loaded)

    def write(self, text: str, expected: dict[str, Any]) -> None:
        """Replace the file with `text`, once YAML reads `expected` in it: the edit changed nothing else."""
        loaded, _ = load_yaml_text(text, self.shown)
        if loaded is None or loaded.data != expected:
            raise RequestError(f"{self.shown}: cannot add a line to it without changing what it says; "
                               "write the file number in yourself")
        try:
            replace_file(self.path, (self.bom + text).encode("utf-8"), mode=self.path.stat().st_mode & 0o777)
        except OSError as error:
            raise RequestError(f"cannot write {self.shown}: {error.strerror or error}") from error


@dataclass(frozen=True)
class _Settings:
    """book.yaml as `new` and `number` need it: the high-water mark and the prefix of its file numbers."""

    file: _File
    issued: int
    prefix: str | None  # None when the publisher or the kingdom is not text yet

    @classmethod
    def read(cls, book_dir: Path) -> _Settings:
        path = book_dir / "book.yaml"
        file = _File.read(path, errors.display_path(path))
        data, source = file.loaded.data, file.loaded.source
        problems: list[Diagnostic] = []
        group = data.get(GROUP)
        checked = BOOK_SCHEMA.keys[GROUP].spec.check(
            {} if group is None else group, (GROUP,), lambda key_path, code, message: problems.append(
                source.diagnostic(key_path, code, message)))
        if GROUP in data and checked is not None and (not isinstance(group, dict) or group.get(ISSUED) is None):
            problems.append(source.diagnostic((GROUP,), errors.BAD_VALUE, f"expected `{ISSUED}: N` under {GROUP} for "
                                              "bestiary to keep, found none (write `issued: 0` there)"))
        if problems:
            raise InputError(problems)
        publisher, kingdom = data.get("publisher"), data.get("kingdom")
        prefix = file_number_prefix(publisher, kingdom) if isinstance(publisher, str) and isinstance(kingdom, str) \
            else None
        return cls(file, checked[ISSUED], prefix)

    def record_issued(self, number: int) -> bool:
        """Raise the high-water mark to `number` (never lower it); whether book.yaml was written."""
        if number <= self.issued:
            return False
        data, source, text = self.file.loaded.data, self.file.loaded.source, self.file.text
        group = data.get(GROUP)
        if GROUP not in data:
            ending = "\r\n" if "\r\n" in text else "\n"
            text = text + ("" if text.endswith("\n") else ending)
            text += ISSUED_BLOCK.format(number=number).replace("\n", ending)
        else:  # a valid number stands there (`read`): only its digits change
            line, column = source.at((GROUP, ISSUED))
            lines = _lines(text)
            digits = _DIGITS.match(lines[line - 1], column - 1)
            assert digits is not None
            lines[line - 1] = lines[line - 1][:digits.start()] + str(number) + lines[line - 1][digits.end():]
            text = "".join(lines)
        self.file.write(text, {**data, GROUP: {**(group or {}), ISSUED: number}})
        return True


@dataclass(frozen=True)
class Written:
    """A file number written into a record: the record's file, its number and the number as printed."""

    path: str
    number: int
    printed: str


@dataclass(frozen=True)
class NumberedBook:
    written: tuple[Written, ...]
    settings: str  # book.yaml, as shown
    issued: int  # the high-water mark now
    raised: bool  # whether book.yaml was written


def next_number(book_dir: Path) -> tuple[int, _Settings]:
    """The number `bestiary new` gives, after every valid number a record of the book holds (records that do not
    parse yet aside) and after the high-water mark; and book.yaml, to record it in. Refused while a record has
    no number written in: a number written before it would move its own (`bestiary number` first)."""
    settings = _Settings.read(book_dir)
    records, _ = read_records(book_dir)
    numbering = number_records(records, settings.issued, settings.prefix)
    if numbering.missing:
        count, (first, _) = len(numbering.missing), numbering.missing[0]
        raise RequestError(f"{count} record{'s have' if count != 1 else ' has'} no file_number yet ({first.path} "
                           "first), and a new record's number would move theirs: run `bestiary number` first, "
                           "which writes in the numbers they have today")
    if numbering.next_free > MAX_FILE_NUMBER:
        raise RequestError(f"the book has given every file number up to {MAX_FILE_NUMBER}")
    return numbering.next_free, settings


def number_book(book_dir: Path) -> NumberedBook:
    """Write into each record without a `file_number` the one a build gives it now (`file_numbers`), and raise
    the high-water mark to the highest number in the book. Refuses, with every reason located, a book whose
    numbers cannot be known: a record that does not parse, a number held twice or malformed."""
    settings = _Settings.read(book_dir)
    records, problems = read_records(book_dir)
    numbering = number_records(records, settings.issued, settings.prefix)
    record_paths = {record.path for record in records}
    blocking = [problem for problem in [*problems, *numbering.problems] if not problem.is_warning and (
        problem.key_path == KEY or problem.code == errors.UNREADABLE
        or (problem.path in record_paths and problem.code.startswith("E1")))]
    if blocking:
        raise InputError(with_hints(blocking, records, numbering.next_free))
    edits = [(_File.read(Path(record.path), record.path), record, number) for record, number in numbering.missing]
    written = []
    for file, record, number in edits:
        if KEY in file.loaded.data:
            raise RequestError(f"{record.path} changed while it was being numbered; run `bestiary number` again")
        file.write(with_file_number(file.text, number), {**file.loaded.data, KEY: number})
        printed = file_number_label(settings.prefix, number) if settings.prefix else str(number)
        written.append(Written(record.path, number, printed))
    issued = max((settings.issued, *numbering.numbers.values()))
    raised = settings.record_issued(issued)
    return NumberedBook(tuple(written), settings.file.shown, issued, raised)


def with_file_number(text: str, number: int) -> str:
    """`text`, a record in block style, with the line `file_number: N` after its title (or before its first key
    when it has none), indented as its keys are; every other line as it was."""
    top = yaml.compose(text, Loader=yaml.SafeLoader)  # read by our loader first: no alias, tag or deep nesting
    if not isinstance(top, yaml.MappingNode) or top.flow_style or not top.value:
        raise RequestError("cannot add a line to a record written as one { } mapping; write the number in yourself")
    keys = {key.value: (key, value) for key, value in top.value if isinstance(key, yaml.ScalarNode)}
    first_key = top.value[0][0]
    if "title" in keys:
        end = keys["title"][1].end_mark  # a block scalar ends at the start of the line after it
        at = end.line if end.column == 0 else end.line + 1
    else:
        at = first_key.start_mark.line
    lines = _lines(text)
    ending = "\r\n" if "\r\n" in text else "\n"
    if at >= len(lines) and lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += ending
    lines.insert(at, f"{' ' * first_key.start_mark.column}{KEY}: {number}{ending}")
    return "".join(lines)


def _lines(text: str) -> list[str]:
    """`text` as lines, each with its line break, split where YAML counts lines (not at a form feed, as
    `str.splitlines` also does). An edit in the wrong place is caught anyway: each is read back (`_File.write`)."""
    return re.findall(r"[^\n]*\n|[^\n]+\Z", text)
