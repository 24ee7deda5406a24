"""A paragraph's last line, as the text can set it: WeasyPrint has no `hyphenate-limit-last` or `text-wrap: pretty`.

The last word is never hyphenated (no "exis-/tence." at a paragraph's end): `text/markdown.py` renders it in a
`last-word` span the stylesheets keep whole. A short one is tied to the word before by a no-break space, so a
line never holds it alone. Only in text of `LAST_LINE_FROM` words or more: names, labels and short fields stay
free to break where they must.
"""

from __future__ import annotations

import re

from markdown_it.token import Token

LAST_LINE_FROM = 4
SHORT_LAST_WORD = 7  # characters, with its punctuation ("budget." is short; "existence." is not)
LONG_WORD_BEFORE = 14  # a word this long is not carried down with a short last one
_LAST_WORDS = re.compile(r"(?:(\S+)( ))?(\S+)$")


def _tied(before: str | None, last: str) -> bool:
    return before is not None and len(last) <= SHORT_LAST_WORD and len(before) <= LONG_WORD_BEFORE


def tie_last_word(text: str) -> str:
    """Plain text (a habitat, an alias) with a short last word tied to the word before, as in a paragraph."""
    found = _LAST_WORDS.search(text)
    if found is None or len(text.split()) < LAST_LINE_FROM or not _tied(found.group(1), found.group(3)):
        return text
    return f"{text[:found.start(2)]}\u00a0{found.group(3)}"


def _with_last_word(children: list[Token]) -> list[Token]:
    """The inline tokens of a paragraph (or a field) with its last word in a `last_word` token, tied to the
    word before when short. The last word must end the text: not in code, a path or a link's address."""
    position = len(children) - 1
    while position >= 0 and children[position].type.endswith("_close") and children[position].type != "link_close":
        position -= 1  # the closing marks of emphasis around the last word
    if position < 0 or children[position].type != "text":
        return children
    if sum(len(child.content.split()) for child in children if child.type == "text") < LAST_LINE_FROM:
        return children
    text = children[position].content
    found = _LAST_WORDS.search(text)
    if found is None:
        return children
    before, space, last = found.group(1), found.group(2), found.group(3)
    head = text[:found.start()]
    if _tied(before, last):
        last = before + "\u00a0" + last
    elif before is not None:
        head += before + space
    # The space before goes into the span: WeasyPrint 70 breaks a line badly when the text before an inline
    # box ends with a space or a no-break space (it set "is / a / green" on three lines of their own).
    word = Token("last_word", "", 0, content=head[len(head.rstrip()):] + last)
    head = head.rstrip()
    return [*children[:position], *([Token("text", "", 0, content=head)] if head else []), word,
            *children[position + 1:]]


def tie_last_words(tokens: list[Token]) -> list[Token]:
    """Block or inline tokens with each paragraph's last word set apart (see the module's docstring)."""
    for token in tokens:
        if token.type == "inline" and token.children:
            token.children = _with_last_word(token.children)
    return tokens
