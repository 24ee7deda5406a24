"""The words the proofreader knows: a Hunspell dictionary of the book's spelling, read through Enchant
(pyenchant over libenchant-2), and the book's own word list, `words.txt`.

The dictionary is a system package (Debian's `hunspell-en-us`, `hunspell-en-gb`…), not a Python one: where
Enchant or the dictionary is missing, `open_dictionary` says why and spelling is not checked; the other checks
still run. The word list holds what no dictionary has: product names, invented titles, real jargon.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from .. import errors
from ..book.config import WORD_LIST
from ..book.reading import read_text
from ..errors import Diagnostic

INSTALL_HINT = "on Debian or Ubuntu: sudo apt install libenchant-2-2 hunspell-{package}"
_COMMENT = re.compile(r"(?:^|\s)#.*$")


class Dictionary(Protocol):
    """What the proofreader asks of a spelling dictionary (an `enchant.Dict` is one)."""

    def check(self, word: str) -> bool: ...

    def suggest(self, word: str) -> list[str]: ...


def open_dictionary(tag: str) -> Dictionary | str:
    """The Hunspell dictionary for a language tag (en-US), or why there is none here."""
    hint = INSTALL_HINT.format(package=tag.lower())
    try:
        import enchant
    except (ImportError, OSError):  # pyenchant absent, or present without the C library
        return f"spelling was not checked: the Enchant library is not installed ({hint})"
    name = tag.replace("-", "_")
    broker = enchant.Broker()
    broker.set_ordering(name, "hunspell")  # Hunspell first, should Aspell have the language too
    if not broker.dict_exists(name):
        return f"spelling was not checked: no {tag} Hunspell dictionary is installed ({hint})"
    dictionary: Dictionary = broker.request_dict(name)
    return dictionary


@dataclass(frozen=True)
class WordList:
    """The book's own words, as `words.txt` lists them: one a line, `#` starting a comment."""

    path: str
    exact: frozenset[str] = frozenset()
    any_case: frozenset[str] = frozenset()  # written in lower case: matches Capitalised and UPPER too
    problems: tuple[Diagnostic, ...] = ()

    def knows(self, word: str) -> bool:
        """An entry, in its case (or any case, for an entry in lower case), or its plural or possessive."""
        forms = [word, word[:-2] if word.endswith("'s") else "", word[:-1] if word.endswith("s") else ""]
        return any(form and (form in self.exact or form.lower() in self.any_case) for form in forms)

    def close_to(self, word: str) -> str | None:
        found = difflib.get_close_matches(word, sorted(self.exact | self.any_case), n=1, cutoff=0.8)
        return found[0] if found else None


def read_word_list(book_dir: Path) -> WordList:
    """`book_dir/words.txt`, or an empty list where there is none; a line of two words is a warning."""
    path = book_dir / WORD_LIST
    shown = errors.display_path(path)
    if not path.exists():
        return WordList(shown)
    text, problems = read_text(path, shown)
    if text is None:
        return WordList(shown, problems=tuple(problems))
    exact: set[str] = set()
    found: list[Diagnostic] = []
    for number, line in enumerate(text.splitlines(), start=1):
        entry = _COMMENT.sub("", line).strip().replace("’", "'")
        if not entry:
            continue
        if len(entry.split()) > 1:
            column = line.index(entry.split()[1]) + 1
            found.append(Diagnostic(shown, number, column, errors.BAD_WORD_LIST_LINE, "",
                                    f"expected one word on a line, found '{entry}' (put each word on a line "
                                    "of its own; # starts a comment)"))
            continue
        exact.add(entry)
    lower = frozenset(word for word in exact if word.islower())
    return WordList(shown, frozenset(exact), lower, tuple(found))


@dataclass
class Speller:
    """A dictionary and the book's word list; suggestions are worked out once per word."""

    tag: str
    dictionary: Dictionary
    word_list: WordList
    suggesting: bool = True  # suggestions cost Hunspell about 0.1 s a word
    _suggestions: dict[str, str | None] = field(default_factory=dict)

    def in_word_list(self, word: str) -> bool:
        return self.word_list.knows(word)

    def knows(self, word: str) -> bool:
        """In the word list or the dictionary; a possessive (else's) when the word itself is."""
        if self.word_list.knows(word) or self.dictionary.check(word):
            return True
        return word.endswith("'s") and len(word) > 3 and self.dictionary.check(word[:-2])

    def in_dictionary(self, word: str) -> bool:
        return self.dictionary.check(word)

    def suggest(self, word: str) -> str | None:
        """The likeliest intended word: a close entry of the word list, else the dictionary's first single word."""
        if word not in self._suggestions:
            close = self.word_list.close_to(word)
            offered = [] if close else [w for w in self.dictionary.suggest(word) if " " not in w]
            self._suggestions[word] = close or (offered[0] if offered else None)
        return self._suggestions[word]
