"""Proofreading a valid book: every text field of its records, its chapters (front matter and Markdown) and the
reader-facing text of `book.yaml`, each finding located where it was written.

The files are read again, as written: a finding in a YAML value is found again in the value's own span of
the file (its quotes, escapes and folded lines differ from the value read), at the same occurrence of the
same text, and falls back to the value's start where it cannot be. Builds never run this: `check` does.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..book.model import Book
from ..book.parse import KeyPath, SourceMap, dotted, load_markdown_file, load_yaml_text
from ..book.reading import read_text
from ..errors import Diagnostic, display_path
from . import rules
from .speller import Speller, WordList, open_dictionary, read_word_list
from .tokens import prose

# Record values that are not prose: another record's slug or title, a time range, a currency code.
_NOT_PROSE = re.compile(r"related\[\d+\]\.role|day_in_the_life\[\d+\]\.time|salary\.currency")
# What a reader reads of book.yaml (names, identifiers, dates and sizes are not proofread).
_BOOK_TEXT = re.compile(r"title|subtitle|edition|rights|keywords\[\d+\]|print_edition\.blurb"
                        r"|flight_risk_bands\[\d+\]\.level")
_BLOCK = re.compile(r"(?:[^\n]*\S[^\n]*(?:\n|$))+")  # a Markdown block: lines up to a blank one


@dataclass(frozen=True)
class Proofreading:
    warnings: tuple[Diagnostic, ...]
    unknown_words: tuple[str, ...]  # each word no dictionary knew, once, sorted: candidates for words.txt
    not_checked: str | None  # why spelling was not checked (no dictionary here), or None


class _File:
    """A file's text, with offsets turned into 1-based lines and columns and back."""

    def __init__(self, text: str):
        self.text = text
        self.line_starts = [0] + [match.end() for match in re.finditer("\n", text)]

    def offset(self, line: int, column: int) -> int:
        return self.line_starts[min(line, len(self.line_starts)) - 1] + column - 1

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.line_starts, offset) - 1
        return index + 1, offset - self.line_starts[index] + 1


def _pattern(found: str) -> re.Pattern[str]:
    """The finding's text as it may stand in the file: any run of spaces and line breaks for a space, either
    apostrophe (or one doubled, in a single-quoted value), and whole words only."""
    body = r"\s+".join(re.escape(piece).replace("'", "(?:''|['’])") for piece in found.split())
    if found[:1].isspace():
        body = r"\s+" + body
    before = r"(?<!\w)" if found[:1].isalnum() else ""
    after = r"(?!\w)" if found[-1:].isalnum() else ""
    return re.compile(before + body + after)


def _yaml_place(file: _File, source: SourceMap, key_path: KeyPath, value: str,
                finding: rules.Finding) -> tuple[int, int]:
    """Where in the file `finding` (at an offset of `value`) was written: the same occurrence of the same text
    in the value's span, or the value's start."""
    span = source.span(key_path)
    if span is None:
        return source.at(key_path)
    start, end = file.offset(*span[0]), file.offset(*span[1])
    raw = file.text[start:end]
    if raw and raw[0] in "\"'" and not value.startswith(raw[0]):  # a quoted value: search inside the quotes
        start, raw = start + 1, raw[1:-1]
    pattern = _pattern(finding.found)
    occurrence = sum(1 for match in pattern.finditer(value) if match.start() < finding.start)
    matches = list(pattern.finditer(raw))
    if occurrence < len(matches):
        return file.position(start + matches[occurrence].start())
    return span[0]


def _strings(data: Any, key_path: KeyPath = ()) -> Iterator[tuple[KeyPath, str]]:
    if isinstance(data, str):
        yield key_path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, key_path + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _strings(value, key_path + (index,))


class _Reader:
    """One proofreading of one book: the speller (or None), and the warnings and unknown words so far."""

    def __init__(self, speller: Speller | None):
        self.speller = speller
        self.warnings: list[Diagnostic] = []
        self.unknown: set[str] = set()

    def findings(self, text: str, *, markdown: bool = False) -> Iterator[rules.Finding]:
        cleaned = prose(text, markdown_blocks=markdown)
        yield from rules.doubled_words(cleaned)
        yield from rules.space_before_punctuation(cleaned, text)
        if markdown:
            for block in _BLOCK.finditer(cleaned):
                for finding in rules.unbalanced(block.group()):
                    yield rules.Finding(block.start() + finding.start, finding.found, finding.code, finding.message)
        else:
            yield from rules.unbalanced(cleaned)
        if self.speller is not None:
            yield from rules.spelling(cleaned, self.speller)

    def add(self, shown: str, line: int, column: int, key: str, finding: rules.Finding) -> None:
        self.warnings.append(Diagnostic(shown, line, column, finding.code, key, finding.message))
        if finding.word is not None:
            self.unknown.add(finding.word)

    def yaml_fields(self, file: _File, shown: str, data: Any, source: SourceMap,
                    keep: re.Pattern[str] | None = None, skip: re.Pattern[str] | None = None) -> None:
        for key_path, value in _strings(data):
            key = dotted(key_path)
            if (keep is not None and not keep.fullmatch(key)) or (skip is not None and skip.fullmatch(key)):
                continue
            for finding in self.findings(value):
                self.add(shown, *_yaml_place(file, source, key_path, value, finding), key, finding)

    def yaml_file(self, path: Path, shown: str, *, keep: re.Pattern[str] | None = None,
                  skip: re.Pattern[str] | None = None) -> None:
        text, _ = read_text(path, shown)
        loaded = load_yaml_text(text, shown)[0] if text is not None else None
        if text is not None and loaded is not None:
            self.yaml_fields(_File(text), shown, loaded.data, loaded.source, keep, skip)

    def markdown_file(self, path: Path, shown: str) -> None:
        text, _ = read_text(path, shown)
        document, _ = load_markdown_file(path, shown)
        if text is None or document is None:
            return
        file = _File(text)
        if document.front_matter is not None:
            self.yaml_fields(file, shown, document.front_matter.data, document.front_matter.source)
        body_start = file.offset(document.body_line, 1) if document.body_line <= len(file.line_starts) else len(text)
        for finding in self.findings(document.body, markdown=True):
            self.add(shown, *file.position(body_start + finding.start), "body", finding)


def proofread(book: Book, *, suggest: bool = True) -> Proofreading:
    """Every finding of the proofreader in `book`'s files, in one run; spelling only where the book's dictionary
    is installed (`not_checked` says why not). Without `suggest`, a misspelled word gets no suggestion (Hunspell
    takes about 0.1 s to find one)."""
    word_list = read_word_list(book.directory)
    dictionary = open_dictionary(book.config.spelling)
    speller = None if isinstance(dictionary, str) else Speller(book.config.spelling, dictionary, word_list, suggest)
    reader = _Reader(speller)
    reader.yaml_file(book.directory / "book.yaml", display_path(book.directory / "book.yaml"), keep=_BOOK_TEXT)
    for chapter in book.chapters:
        reader.markdown_file(Path(chapter.source_path), chapter.source_path)
        for role in chapter.roles:
            reader.yaml_file(Path(role.source_path), role.source_path, skip=_NOT_PROSE)
    warnings = [*word_list.problems, *reader.warnings]
    return Proofreading(tuple(sorted(set(warnings))), _word_list_entries(reader.unknown),
                        dictionary if isinstance(dictionary, str) else None)


def _word_list_entries(unknown: set[str]) -> tuple[str, ...]:
    """The unknown words as entries of a word list, none that another entry would match already: a possessive
    as its word, Hackathons left to hackathon (an entry in lower case matches it Capitalised, and its plural);
    sorted as a dictionary is."""
    entries = {word[:-2] if word.endswith("'s") else word for word in unknown}

    def covered(word: str) -> bool:
        others = frozenset(entries - {word})
        return WordList("", others, frozenset(other for other in others if other.islower())).knows(word)

    return tuple(sorted((word for word in entries if not covered(word)), key=lambda word: (word.casefold(), word)))
