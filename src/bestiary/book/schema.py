"""A small declarative validator for loaded YAML, with located messages.

A schema is a tree of `Spec` objects. `Spec.check(value, key_path, report)`
returns the cleaned value (or None) and reports every problem through
`report`, so one pass finds all the problems of a file. Messages follow one
shape: "expected <what>, found <what>".

A spec keeps its rules as data (lengths, ranges, the regex, the allowed values,
each key's description), so `json_schema` states the same rules for editors
without writing them twice. `Pattern`'s Python test is the exception, for
`book.yaml` only: records use `Regex` and `OneOf`.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .. import errors
from ..text.markdown import MAX_WORD, LongWord, long_words
from .parse import INVALID, KeyPath, SourceMap

Reporter = Callable[[KeyPath, str, str], None]


def describe(value: Any) -> str:
    """A short, user-facing account of what was found."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"integer {value}"
    if isinstance(value, float):
        return f"number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"text {shown!r}"
    if isinstance(value, list):
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, datetime.date):
        return f"date {value.isoformat()}"
    return type(value).__name__


def long_word_message(word: LongWord) -> str:
    """E207's message: what the limit is, where a word may break, and the word's length and opening."""
    return (f"expected words of at most {MAX_WORD} characters (code and web addresses may also break after "
            f"/ . - _), found one of {word.length:,} characters: {word.opening!r}…")


# What XML 1.0 (and so XHTML and the EPUB) cannot carry, tab and newline aside; one regex scans a text in C.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# What a skeleton from `bestiary new` holds until it is filled in: never accepted as text.
PLACEHOLDER = "TODO"


class Spec:
    def check(self, value: Any, key_path: KeyPath, report: Reporter) -> Any:
        raise NotImplementedError


@dataclass(frozen=True)
class Text(Spec):
    """A non-empty string; numbers are not silently turned into text."""

    max_length: int = 20_000
    single_line: bool = False

    def check(self, value: Any, key_path: KeyPath, report: Reporter) -> Any:
        if not isinstance(value, str):
            report(key_path, errors.WRONG_TYPE, f"expected text, found {describe(value)}")
            return None
        cleaned = value.strip()
        if not cleaned:
            report(key_path, errors.BAD_VALUE, "expected text, found an empty string")
            return None
        unprintable = _UNPRINTABLE.search(cleaned)
        if unprintable is not None:
            report(key_path, errors.BAD_VALUE,
                   f"expected printable text, found the control character U+{ord(unprintable.group()):04X}")
            return None
        if cleaned.startswith(PLACEHOLDER):
            report(key_path, errors.BAD_VALUE, f"expected your own text, found the placeholder {describe(cleaned)}")
            return None
        if len(cleaned) > self.max_length:
            report(key_path, errors.OUT_OF_RANGE,
                   f"expected at most {self.max_length:,} characters, found {len(cleaned):,}")
            return None
        if self.single_line and "\n" in cleaned:
            report(key_path, errors.BAD_VALUE, "expected a single line, found line breaks")
            return None
        too_long = long_words(cleaned)
        if too_long:
            report(key_path, errors.LONG_WORD, long_word_message(too_long[0]))
            return None
        return cleaned


@dataclass(frozen=True)
class Integer(Spec):
    minimum: int | None = None
    maximum: int | None = None

    def check(self, value: Any, key_path: KeyPath, report: Reporter) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            report(key_path, errors.WRONG_TYPE, f"expected a whole number, found {describe(value)}")
            return None
        if (self.minimum is not None and value < self.minimum) or (
            self.maximum is not None and value > self.maximum
        ):
            low = "" if self.minimum is None else f"{self.minimum:,}"
            high = "" if self.maximum is None else f"{self.maximum:,}"
            wanted = f"from {low} to {high}" if low and high else (
                f"at least {low}" if low else f"at most {high}")
            report(key_path, errors.OUT_OF_RANGE, f"expected a whole number {wanted}, found {value:,}")
            return None
        return value


@dataclass(frozen=True)
class Boolean(Spec):
    def check(self, value: Any, key_path: KeyPath, report: Reporter) -> Any:
        if not isinstance(value, bool):
            report(key_path, errors.WRONG_TYPE, f"expected true or false, found {describe(value)}")
            return None
        return value


@dataclass(frozen=True)
class Date(Spec):
    def check(self, value: Any, key_path: KeyPath, report: Reporter) -> Any:
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value.strip())
            except ValueError:
                pass
        report(key_path, errors.WRONG_TYPE, f"expected a date like 2026-11-27, found {describe(value)}")
        return None


@dataclass(frozen=True)
class Choice(Spec):
    choices: tuple[str, ...]

    def check(self, value: Any, key_path: KeyPath, report: Reporter) -> Any:
        if isinstance(value, str) and value.strip().lower() in self.choices:
            return value.strip().lower()
        report(key_path, errors.BAD_VALUE,
               f"expected one of {', '.join(self.choices)}, found {describe(value)}")
        return None


@dataclass(frozen=True)
class Pattern(Spec):
    """Text that must pass `test`; `wanted` says what good looks like."""

    test: Callable[[str], bool]
    wanted: str

    def check(self, value: Any, key_path: KeyPath, report: Reporter) -> Any:
        text = Text(single_line=True).check(value, key_path, report)
        if text is None:
            return None
        if not self.test(text):
            report(key_path, errors.BAD_VALUE, f"expected {self.wanted}, found {describe(text)}")
            return None
        return text


@dataclass(frozen=True)
class Regex(Spec):
    """One line of text that `regex` matches in full; `wanted` says what good looks like."""

    regex: re.Pattern[str]
    wanted: str

    def check(self, value: Any, key_path: KeyPath, report: Reporter) -> Any:
        return Pattern(lambda text: self.regex.fullmatch(text) is not None, self.wanted).check(value, key_path, report)


@dataclass(frozen=True)
class OneOf(Spec):
    """One line of text that is exactly one of `values` (case counts, unlike `Choice`); `wanted` names
    them when they are too many to list."""

    values: frozenset[str]
    wanted: str

    def check(self, value: Any, key_path: KeyPath, report: Reporter) -> Any:
        return Pattern(self.values.__contains__, self.wanted).check(value, key_path, report)


@dataclass(frozen=True)
class ListOf(Spec):
    item: Spec
    min_items: int = 0
    max_items: int = 1_000

    def check(self, value: Any, key_path: KeyPath, report: Reporter) -> Any:
        if not isinstance(value, list):
            report(key_path, errors.WRONG_TYPE, f"expected a list, found {describe(value)}")
            return None
        if not self.min_items <= len(value) <= self.max_items:
            report(key_path, errors.OUT_OF_RANGE,
                   f"expected from {self.min_items} to {self.max_items:,} items, found {len(value):,}")
            return None
        cleaned = [check(self.item, item, key_path + (i,), report) for i, item in enumerate(value)]
        return None if any(item is None for item in cleaned) else tuple(cleaned)


@dataclass(frozen=True)
class Key:
    spec: Spec
    required: bool = True
    default: Any = None
    title: str = ""  # for editors; the key's name, humanised, when empty
    description: str = ""  # for editors: what the key holds, in a line


@dataclass(frozen=True)
class Mapping(Spec):
    keys: dict[str, Key] = field(default_factory=dict)

    def check(self, value: Any, key_path: KeyPath, report: Reporter) -> Any:
        if not isinstance(value, dict):
            report(key_path, errors.NOT_MAPPING if not key_path else errors.WRONG_TYPE,
                   f"expected a mapping of keys, found {describe(value)}")
            return None
        cleaned: dict[str, Any] = {}
        failed = False
        for name in value:
            if name not in self.keys:
                close = difflib.get_close_matches(name, list(self.keys), n=1, cutoff=0.6)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                parent = self._parent_missing(name, value)
                if parent:
                    hint = f" ('{name}' is a key of '{parent}', which has none: indent it under '{parent}:')"
                allowed = ", ".join(self.keys)
                report(key_path + (name,), errors.UNKNOWN_KEY,
                       f"expected one of the keys {allowed}, found unknown key '{name}'{hint}")
                failed = True
        for name, key in self.keys.items():
            if name not in value or value[name] is None and key.required is False:
                if key.required:
                    report(key_path + (name,), errors.MISSING_KEY,
                           f"expected the required key '{name}', found it missing")
                    failed = True
                # an optional group left out takes its keys' defaults, so each default is written once
                cleaned[name] = key.spec.check({}, key_path + (name,), report) if isinstance(key.spec, Mapping) \
                    else key.default
                continue
            checked = check(key.spec, value[name], key_path + (name,), report)
            failed = failed or checked is None
            cleaned[name] = checked
        return None if failed else cleaned

    def _parent_missing(self, name: str, value: dict[str, Any]) -> str | None:
        """The key whose mapping lacks `name`, which it allows: where a dedented key belongs."""
        for parent, key in self.keys.items():
            child = value.get(parent)
            lacks_it = child is None or isinstance(child, dict) and name not in child
            if isinstance(key.spec, Mapping) and name in key.spec.keys and lacks_it:
                return parent
        return None


def check(spec: Spec, value: Any, key_path: KeyPath, report: Reporter) -> Any:
    """`spec.check`, except for a value the parser has already reported: it fails without a second report."""
    return None if value is INVALID else spec.check(value, key_path, report)


def validate(spec: Spec, data: Any, source: SourceMap) -> tuple[Any, list[errors.Diagnostic]]:
    """Check `data` against `spec`; return the cleaned value (None if invalid) and the problems."""
    found: list[errors.Diagnostic] = []

    def report(key_path: KeyPath, code: str, message: str) -> None:
        at_key = code in (errors.UNKNOWN_KEY,)
        spelling = source.spellings.get(key_path)
        if code == errors.WRONG_TYPE and spelling:
            message += f" (YAML reads the unquoted {spelling} that way; put it in quotes if it is text)"
        found.append(source.diagnostic(key_path, code, message, at_key=at_key))

    return check(spec, data, (), report), found
