"""-ise or -ize, -our or -or: which the book's English takes, and the word as it would spell it.

US English writes organize and color, British English organise and colour, Canadian organize and colour.
A word is flagged only when the other spelling is in the book's dictionary, so advise, exercise, four and
error never are. The British dictionaries accept -ize as well (it is Oxford spelling): for them the rule,
not the dictionary, says that an en-GB book writes -ise.
"""

from __future__ import annotations

import re
from typing import Protocol

IZE, OR = "ize", "or"
ISE, OUR = "ise", "our"
# What each English prefers; a language not listed here has no preference to enforce.
PREFERENCES: dict[str, tuple[str, str]] = {
    "en-US": (IZE, OR), "en-CA": (IZE, OUR), "en-GB": (ISE, OUR), "en-AU": (ISE, OUR), "en-NZ": (ISE, OUR),
    "en-IE": (ISE, OUR), "en-ZA": (ISE, OUR), "en-IN": (ISE, OUR),
}
# organise, organised, organisation; analyse (-yse): a stem of three letters at least, so size, prize and
# seize are left alone
_ISE = re.compile(r"([a-z]{3,}?)([iy])([sz])(e|es|ed|ing|er|ers|ation|ations|ational|able)", re.IGNORECASE)
# colour, colours, coloured, favourite, honourable, behavioural; four, hour and your have too short a stem
_OUR = re.compile(r"([a-z]{2,}?)(our|or)(s|ed|ing|er|ers|ful|fully|less|able|ably|ite|ites|al|ally|)",
                  re.IGNORECASE)


class Checks(Protocol):
    def in_dictionary(self, word: str) -> bool: ...


def _cased(word: str, like: str) -> str:
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


def book_spelling(word: str, tag: str, speller: Checks) -> str | None:
    """The word as the book's English spells it, when the book's dictionary says that is a word and `word` is
    spelt the other way (organise → organize in en-US); None when `word` is spelt the book's way."""
    preference = PREFERENCES.get(tag)
    if preference is None:
        return None
    ise_or_ize, or_or_our = preference
    match = _ISE.fullmatch(word)
    if match is not None:
        stem, vowel, letter, ending = match.groups()
        written = ISE if letter.lower() == "s" else IZE
        if written != ise_or_ize:
            wanted = _cased(stem + vowel + ("z" if written == ISE else "s") + ending, word)
            # an -ise dictionary takes -ize too: there the preference decides, elsewhere the dictionary
            if speller.in_dictionary(wanted) and (ise_or_ize == ISE or not speller.in_dictionary(word)):
                return wanted
    match = _OUR.fullmatch(word)
    if match is not None:
        stem, middle, ending = match.groups()
        written = OUR if middle.lower() == "our" else OR
        if written != or_or_our:
            wanted = _cased(stem + ("or" if written == OUR else "our") + ending, word)
            if speller.in_dictionary(wanted) and not speller.in_dictionary(word):
                return wanted
    return None
