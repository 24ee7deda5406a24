"""What of a text is prose to proofread, and its words.

`prose` blanks out, character for character, what is not prose: code spans,
fenced code, link targets, URLs, e-mail addresses and handles, paths and file
names, emoticons. Offsets in the result are offsets in the text, so a finding
is located where it was written. What is blanked out becomes `BLANK`, neither a
word nor a space: "`the` the" is no doubled word, "`x`," no space before a
comma. `words` then gives the words to spell: no number, no identifier, no word
in capitals (an acronym: KPI, OKR, KPIs).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.DOTALL)
_FENCE = re.compile(r"^[ \t]*(```|~~~)[^\n]*\n.*?(?:^[ \t]*\1[^\n]*$|\Z)", re.DOTALL | re.MULTILINE)
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
# [text](https://…): the target, which may hold one level of parentheses (…/Bracket_(typography))
_LINK_TARGET = re.compile(r"(?<=\])\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)")
_AUTOLINK = re.compile(r"<[a-zA-Z][\w+.-]*:[^\s<>]*>|<[^\s<>@]+@[^\s<>]+>")
_EMOTICON = re.compile(r"(?<!\S)[:;]-?[()DPp](?!\w)")
_LIST_NUMBER = re.compile(r"^[ \t]*\d+\)", re.MULTILINE)  # "1)" opening a list item, not a bracket
_CHUNK = re.compile(r"\S+")
_EDGES = "([{<\"'“”‘’*_)]}>.,;:!?…"
_FILE_OR_DOMAIN = re.compile(r"\w\.\w")  # README.md, teamblind.com, e.g.
_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
_ACRONYM = re.compile(r"[A-Z]{2,}(?:['’]?s)?")  # KPI, KPIs, KPI's


BLANK = "\ufffc"  # the object replacement character


def _blank(text: str, start: int, end: int) -> str:
    """`text` with [start, end) made `BLANK`, line breaks kept (so lines and columns stay where they were)."""
    return text[:start] + re.sub(r"[^\n]", BLANK, text[start:end]) + text[end:]


def _is_literal(core: str) -> bool:
    """A URL, an address or a handle, a path, a file or domain name, an identifier: spelt as it must be."""
    return ("://" in core or core.lower().startswith(("www.", "mailto:")) or "@" in core
            or core[:1] in "#~$%" or "/" in core or "\\" in core or "=" in core
            or _FILE_OR_DOMAIN.search(core) is not None or "_" in core.strip("_*"))


def prose(text: str, *, markdown_blocks: bool = False) -> str:
    """`text` with what is not prose blanked out; `markdown_blocks` for a chapter (fenced code, list numbers)."""
    patterns = [_CODE_SPAN, _HTML_COMMENT, _LINK_TARGET, _AUTOLINK, _EMOTICON]
    if markdown_blocks:
        patterns = [_FENCE, *patterns, _LIST_NUMBER]
    for pattern in patterns:
        for match in list(pattern.finditer(text)):
            text = _blank(text, match.start(), match.end())
    for match in list(_CHUNK.finditer(text)):
        chunk = match.group()
        core = chunk.lstrip(_EDGES)
        start = match.start() + len(chunk) - len(core)
        core = core.rstrip(_EDGES)
        if core and _is_literal(core):
            text = _blank(text, start, start + len(core))
    return text


@dataclass(frozen=True)
class Word:
    start: int  # offset in the text
    text: str  # as written, apostrophes made straight


def words(text: str) -> Iterator[Word]:
    """The words of prose to spell, a hyphenated compound as one word (its parts are `parts`)."""
    for match in _WORD.finditer(text):
        word = match.group().replace("’", "'")
        start = match.start()
        stripped = word.strip("'")
        start += len(word) - len(word.lstrip("'"))
        if stripped:
            yield Word(start, stripped)


def parts(word: Word) -> Iterator[Word]:
    """The parts of a hyphenated word that can be spelt: no digits, no acronym, more than one letter."""
    offset = word.start
    for part in word.text.split("-"):
        text = part.strip("'")
        if spellable(text):
            yield Word(offset + len(part) - len(part.lstrip("'")), text)
        offset += len(part) + 1


def spellable(text: str) -> bool:
    return len(text) > 1 and not any(c.isdigit() for c in text) and _ACRONYM.fullmatch(text) is None
