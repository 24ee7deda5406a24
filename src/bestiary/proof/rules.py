"""The proofreader's rules, each a pure function from one field's prose (`tokens.prose`) to its findings.

A finding keeps its offset in the field and the text found there, so that the proofreader can find it again
in the file as written (a YAML value is read, its quotes, escapes and folded lines gone).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .. import errors
from .speller import Speller
from .tokens import Word, parts, words
from .variants import book_spelling

# "had had" and "that that" are English; a word said twice on purpose is rare enough to write around.
_DOUBLED_ON_PURPOSE = {"had", "that"}
_DOUBLED = re.compile(r"(?<![\w'’-])([^\W\d_]+)([^\S\n]+|[^\S\n]*\n[^\S\n]*)(\1)(?![\w'’-])", re.IGNORECASE)
_SPACE_BEFORE = re.compile(r"(?<=\S)([^\S\n]+)([,.;:!?])(?=\s|[\"'”’)\]]|$)")
# Prefixes written with a hyphen before a word (pre-seeded, re-org, co-founder): no dictionary lists them alone.
_PREFIXES = {"anti", "co", "counter", "cross", "de", "ex", "hyper", "inter", "intra", "macro", "mega", "meta", "micro",
             "mid", "multi", "neo", "non", "over", "post", "pre", "pro", "proto", "pseudo", "quasi", "re", "semi",
             "sub", "super", "ultra", "un", "under"}
_BRACKETS = {"(": ")", "[": "]", "{": "}", "“": "”"}
_CLOSING = {closing: opening for opening, closing in _BRACKETS.items()}


@dataclass(frozen=True)
class Finding:
    start: int  # offset in the field's text
    found: str  # the text at that offset, as read
    code: str
    message: str
    word: str | None = None  # a word no dictionary knew, for `check --words`


def doubled_words(prose: str) -> Iterator[Finding]:
    for match in _DOUBLED.finditer(prose):
        word = match.group(1)
        if word.lower() in _DOUBLED_ON_PURPOSE:
            continue
        found = f"{word} {match.group(3)}"
        yield Finding(match.start(), found, errors.DOUBLED_WORD,
                      f"expected each word once, found {_q(found)} (delete one {_q(word)})")


def space_before_punctuation(prose: str, text: str) -> Iterator[Finding]:
    """A space before , . ; : ! or ? that ends a word (".NET", "?utm" and an ellipsis are left alone);
    `text` is the field as written, for the message."""
    for match in _SPACE_BEFORE.finditer(prose):
        mark = match.group(2)
        if mark == "." and prose.startswith("..", match.end(2) - 1):
            continue  # an ellipsis typed as three stops
        word = re.search(r"\S+$", text[:match.start(1)])
        written = (word.group() if word else "") + mark
        yield Finding(match.start(1), match.group(1) + mark, errors.SPACE_BEFORE_PUNCTUATION,
                      f"expected no space before {_q(mark)}, found one (write {_q(written)})")


def unbalanced(prose: str) -> Iterator[Finding]:
    """Brackets, parentheses, braces and curly double quotes that do not pair up within the field, and an odd
    number of straight double quotes. Single quotes are left alone: an apostrophe is written the same way."""
    still_open: dict[str, list[int]] = {opening: [] for opening in _BRACKETS}
    for offset, character in enumerate(prose):
        if character in _BRACKETS:
            still_open[character].append(offset)
        elif character in _CLOSING:
            opening = _CLOSING[character]
            if still_open[opening]:
                still_open[opening].pop()
            else:
                yield Finding(offset, character, errors.UNBALANCED,
                              f"expected {_q(opening)} before {_q(character)} in the same field, found none "
                              f"(open it, or delete the {_q(character)})")
    for opening, offsets in still_open.items():
        for offset in offsets:
            yield Finding(offset, opening, errors.UNBALANCED,
                          f"expected {_q(opening)} closed by {_q(_BRACKETS[opening])} in the same field, found it "
                          f"left open (close it, or delete the {_q(opening)})")
    quotes = [offset for offset, character in enumerate(prose) if character == '"']
    if len(quotes) % 2:
        yield Finding(quotes[-1], '"', errors.UNBALANCED,
                      f"expected '\"' in pairs in the same field, found {len(quotes)} (close the quote opened "
                      "here, or delete it)")


def spelling(prose: str, speller: Speller) -> Iterator[Finding]:
    """Words spelt the other English's way (W702), then words neither the dictionary nor the word list knows."""
    for word in words(prose):
        if speller.in_word_list(word.text):
            continue
        pieces = list(parts(word))  # the word itself, or each part of a hyphenated one, that can be spelt
        other = False
        for piece in pieces:
            wanted = None if speller.in_word_list(piece.text) else book_spelling(piece.text, speller.tag, speller)
            if wanted is not None:
                other = True
                yield Finding(piece.start, piece.text, errors.OTHER_SPELLING,
                              f"expected the {speller.tag} spelling {_q(wanted)}, found {_q(piece.text)}")
        if other or ("-" in word.text and speller.knows(word.text)):
            continue
        unknown = [piece for piece in pieces if not speller.knows(piece.text) and not (
            piece.start == word.start and "-" in word.text and piece.text.lower() in _PREFIXES)]
        if len(unknown) > 1 and len(unknown) == len(pieces) and "-" in word.text:
            unknown = [word]  # Wi-Fi: a compound none of whose parts is a word is one entry for words.txt
        for piece in unknown:
            yield _misspelled(piece, speller)


def _misspelled(word: Word, speller: Speller) -> Finding:
    suggestion = speller.suggest(word.text) if speller.suggesting else None
    hint = f"did you mean {_q(suggestion)}? " if suggestion else ""
    return Finding(word.start, word.text, errors.MISSPELLED,
                   f"expected a word of the {speller.tag} dictionary or {speller.word_list.path}, found "
                   f"{_q(word.text)} ({hint}a name or a real term: add it to {speller.word_list.path})",
                   word=word.text)


def _q(text: str) -> str:
    """Quoted as the other diagnostics quote, even a word with an apostrophe (runbook's)."""
    return f"'{text}'"
