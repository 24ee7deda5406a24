"""Markdown to safe HTML: inline emphasis in record fields, block Markdown in chapters; and typography.

Raw HTML is never interpreted (markdown-it escapes it as text). Record fields
allow only emphasis, strong and code; chapters allow block Markdown whose links
go to the web or an address only (checked in `book.record_schema`), and no images.

All text is set as a typesetter would: markdown-it's typographer makes quotes
and apostrophes curly and "..." an ellipsis, and `_dashes` makes a spaced
hyphen between numbers (a range, "09:15 - 10:30") an en dash and one between
words an em dash. Code spans are left as typed. `typeset` does the same for
the fields that are printed as plain text (titles, aliases, habitats).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol, TypeVar

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore, text_join
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup

from ..template_data import template_data
from .last_line import tie_last_words

# Paths, URLs and addresses: never hyphenated (a hyphen would change them); they still break where they must.
# A whole word that holds a slash, a backslash or an @ before a letter; looked for from the start of each word
# only, so a long word is read once (`\S*` from every position of it made the search quadratic).
LITERAL_TOKEN = re.compile(r"(?<!\S)(?=\S*?(?:[/\\]|@\w))\S+")


def _literals_rule(state: StateCore) -> None:
    """A markdown-it core rule: path- and URL-like words become `literal` tokens, which the typographer
    leaves as typed (no curly quotes or ellipses in a path) and the renderer keeps whole."""
    text_join(state)  # escapes (`C:\\Users`) split text into pieces: a path is found whole only once they are joined
    for token in state.tokens:
        if not token.children:
            continue
        children = []
        for child in token.children:
            if child.type != "text" or not LITERAL_TOKEN.search(child.content):
                children.append(child)
                continue
            last = 0
            for match in LITERAL_TOKEN.finditer(child.content):
                children.append(_text_token(child.content[last:match.start()]))
                literal = _text_token(match.group())
                literal.type = "literal"
                children.append(literal)
                last = match.end()
            children.append(_text_token(child.content[last:]))
        token.children = [child for child in children if child.type != "text" or child.content]


def _text_token(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _render_literal(self: RendererHTML, tokens: Sequence[Token], index: int, options: OptionsDict,
                    env: EnvType) -> str:
    return f'<span class="literal">{escapeHtml(breakable(tokens[index].content))}</span>'


def _render_code_inline(self: RendererHTML, tokens: Sequence[Token], index: int, options: OptionsDict,
                        env: EnvType) -> str:
    token = tokens[index]
    return f"<code{self.renderAttrs(token)}>{escapeHtml(breakable(token.content))}</code>"


# Code, paths and URLs may break after a run of these ("https://" once, after both slashes).
_BREAK_AFTER = re.escape("/\\-._?&=#")
_BREAK_POINT = re.compile(rf"[{_BREAK_AFTER}]+(?=[^{_BREAK_AFTER}\s])")
# U+200B, not <wbr>: WeasyPrint lays a <wbr> out as a generated box (four times slower, measured), and
# the zero-width space is dropped when text is copied or extracted from the PDF.
ZERO_WIDTH_SPACE = "\u200b"


def breakable(literal: str) -> str:
    """Code, a path or a URL with a zero-width space after each run of / \\ - . _ ? & = #: where a line may
    break in it, so a long one lays out as fast as prose (one unbroken run makes line breaking quadratic)."""
    return _BREAK_POINT.sub(lambda match: match.group() + ZERO_WIDTH_SPACE, literal)


_SPACED_HYPHEN = re.compile(r"(?<=\S) - (?=\S)")


def dashes(text: str) -> str:
    """Ranges of numbers take an en dash ("09:15–10:30", "2019–2021"), a spaced hyphen between words an em dash."""
    text = re.sub(r"(?<=\d) - (?=\d)", "\u2013", text)
    text = re.sub(r"(?<=\b\d{4})-(?=\d{4}\b)", "\u2013", text)
    return _SPACED_HYPHEN.sub("\u2014", text)


def _dashes_rule(state: StateCore) -> None:
    """A markdown-it core rule: `dashes` on text, never inside code."""
    for token in state.tokens:
        for child in token.children or []:
            if child.type == "text":
                child.content = dashes(child.content)


def _render_last_word(self: RendererHTML, tokens: Sequence[Token], index: int, options: OptionsDict,
                      env: EnvType) -> str:
    return f'<span class="last-word">{escapeHtml(tokens[index].content)}</span>'


def _typographic(parser: MarkdownIt) -> MarkdownIt:
    parser.options["typographer"] = True
    parser.enable(["replacements", "smartquotes"])
    parser.core.ruler.before("replacements", "literals", _literals_rule)
    parser.core.ruler.push("dashes", _dashes_rule)
    parser.add_render_rule("literal", _render_literal)
    parser.add_render_rule("code_inline", _render_code_inline)
    parser.add_render_rule("last_word", _render_last_word)
    return parser


@lru_cache(maxsize=1)
def _inline_parser() -> MarkdownIt:
    # No "entity" rule: &amp; in a record is shown as typed, like any other markup.
    return _typographic(MarkdownIt("zero", {"html": False}).enable(["emphasis", "backticks", "escape"]))


@lru_cache(maxsize=1)
def _block_parser() -> MarkdownIt:
    # "commonmark" with html off; images are dropped so a chapter cannot make the renderer fetch.
    return _typographic(MarkdownIt("commonmark", {"html": False, "xhtmlOut": True})
                        .disable(["image", "html_block", "html_inline"]))


@lru_cache(maxsize=1)
def _plain_parser() -> MarkdownIt:
    # No Markdown at all: only the typographer, for fields printed as typed.
    return _typographic(MarkdownIt("zero", {"html": False}))


@lru_cache(maxsize=4096)
def typeset(text: str) -> str:
    """Plain text as a typesetter sets it: curly quotes and apostrophes, ellipses, dashes."""
    return "".join(child.content for token in _plain_parser().parseInline(text)
                   for child in token.children or [] if child.type in ("text", "literal"))


@lru_cache(maxsize=65536)  # the guide, the EPUB and the previews set the same fields again
def inline_markdown(text: str) -> Markup:
    """One field of a record as inline HTML (emphasis, strong, code only), its last line set as a paragraph's."""
    parser = _inline_parser()
    tokens = [Token("inline", "", 0, content=text, children=parser.parseInline(text)[0].children)] if text else []
    return Markup(parser.renderer.render(tie_last_words(tokens), parser.options, {}))


def block_markdown(text: str) -> Markup:
    """A chapter body as block HTML (XHTML-compatible, so the EPUB can use it too)."""
    parser = _block_parser()
    return Markup(parser.renderer.render(tie_last_words(parser.parse(text)), parser.options, {}))


def plain_text(text: str) -> str:
    """A field with its inline Markdown marks removed, for metadata and index sort keys."""
    tokens = _inline_parser().parseInline(text)
    return "".join(
        child.content
        for token in tokens
        for child in (token.children or [])
        if child.type in ("text", "literal", "code_inline")
    )


# The longest word that lays out fast: WeasyPrint breaks an unbroken run in quadratic time (measured on a
# pocket page: 200 characters 0.15 s, 2,000 characters 7 s, 900 KB more than 170 s).
MAX_WORD = 200
# Where a laid-out line can break: white space (not the no-break spaces), the zero-width space, after a
# hyphen or a dash. A long word is a run of anything else that starts after one (so the search is linear).
_SPACES = "\t\n\v\f\r \u1680\u2000-\u2006\u2008-\u200b\u2028\u2029\u205f\u3000"
_LINE_BREAKS = _SPACES + "\\-\u2013\u2014"
_LONG_WORD = re.compile(rf"(?<![^{_LINE_BREAKS}])[^{_LINE_BREAKS}]{{{MAX_WORD + 1},}}")
# In the text as typed, only spaces count: the typographer makes "+-" a "±", which joins two words.
_LONG_TYPED_WORD = re.compile(rf"(?<![^{_SPACES}])[^{_SPACES}]{{{MAX_WORD + 1},}}")


@dataclass(frozen=True)
class LongWord:
    """A word too long to lay out: where it starts in the Markdown text (1-based), its length, its opening."""

    line: int
    column: int
    length: int
    opening: str


def long_words(text: str, *, block: bool = False) -> list[LongWord]:
    """The first word longer than `MAX_WORD` characters in each paragraph of Markdown `text` (a chapter,
    `block`) or in the whole of it (a record's field), counted as it is laid out: code spans, paths and
    URLs between their break points (`breakable`). Code blocks never wrap, so they are not counted."""
    if not _LONG_TYPED_WORD.search(text):
        return []  # markup only shortens words: without a long one typed, none is laid out
    tokens = _block_parser().parse(text) if block else _inline_parser().parseInline(text)
    lines = text.split("\n")
    found: list[LongWord] = []
    for token in tokens:
        laid_out = "".join(_laid_out(child) for child in token.children or [])
        word = _LONG_WORD.search(laid_out)
        if word is None:
            continue
        line = (token.map[0] if token.map else 0) + laid_out.count("\n", 0, word.start())
        typed = _LONG_TYPED_WORD.search(lines[line]) if line < len(lines) else None
        found.append(LongWord(line + 1, typed.start() + 1 if typed else 1, len(word.group()), word.group()[:24]))
    return found


def blocks_starting_with(text: str, word: str) -> list[tuple[int, int, str]]:
    """The line and column (1-based) and the text of each paragraph, heading or list item of block Markdown
    `text` that begins with `word` (a placeholder left in a chapter). Code is not text, so never counted."""
    lines = text.split("\n")
    found: list[tuple[int, int, str]] = []
    for token in _block_parser().parse(text):
        if token.type == "inline" and token.map and token.content.lstrip().startswith(word):
            line = token.map[0]
            found.append((line + 1, max(lines[line].find(word), 0) + 1, token.content.strip()))
    return found


def _laid_out(token: Token) -> str:
    """One inline token as the layout gets it, as far as line breaking goes."""
    if token.type == "text":
        return token.content
    if token.type in ("literal", "code_inline"):
        return breakable(token.content)
    return "\n" if token.type in ("softbreak", "hardbreak") else ""


ALLOWED_LINK_SCHEMES = ("http://", "https://", "mailto:")


@dataclass(frozen=True)
class Reference:
    kind: str  # "link" or "image"
    target: str
    line: int  # 1-based, within the Markdown text


def references(text: str) -> list[Reference]:
    """Every link and image target in block Markdown, with the line of its paragraph."""
    found: list[Reference] = []
    for token in _reference_parser().parse(text):
        line = token.map[0] + 1 if token.map else 1
        for child in token.children or []:
            if child.type == "link_open":
                found.append(Reference("link", str(child.attrs.get("href", "")), line))
            elif child.type == "image":
                found.append(Reference("image", str(child.attrs.get("src", "")), line))
    return found


def is_allowed_link(target: str) -> bool:
    """Chapters may link out to the web or to an address; nothing else (files, paths, scripts)."""
    return target.lower().startswith(ALLOWED_LINK_SCHEMES)


class _EveryLinkParser(MarkdownIt):
    """Parses a link whatever its scheme (MarkdownIt's own drops file: and javascript: links to text)."""

    def validateLink(self, url: str) -> bool:
        return True


@lru_cache(maxsize=1)
def _reference_parser() -> MarkdownIt:
    # Same grammar as the renderer, but with images on and every scheme parsed as a link
    # (the renderer drops file: and javascript: links to text), so that all can be found and refused.
    return _EveryLinkParser("commonmark", {"html": False})


@template_data()
@dataclass(frozen=True)
class Block:
    """One top-level block of a chapter (paragraph, heading, list…), with a stable id; its list items
    carry ids of their own (`<block>-i<n>`), so a print page that begins inside a list is marked there."""

    id: str
    html: Markup
    item_ids: tuple[str, ...] = ()


def markdown_blocks(text: str, prefix: str) -> tuple[Block, ...]:
    """A chapter body as top-level blocks, each carrying the id `<prefix>--b<n>`.

    The ids let the EPUB place its page-break markers where the print pages begin.
    """
    parser = _block_parser()
    tokens = tie_last_words(parser.parse(text))
    blocks: list[Block] = []
    start = 0
    for index, token in enumerate(tokens):
        if token.level == 0 and token.nesting in (0, -1):
            opening = tokens[start]
            block_id = f"{prefix}--b{len(blocks) + 1}"
            opening.attrSet("id", block_id)
            items = [t for t in tokens[start:index + 1] if t.type == "list_item_open"]
            for number, item in enumerate(items, start=1):
                item.attrSet("id", f"{block_id}-i{number}")
            html = parser.renderer.render(tokens[start:index + 1], parser.options, {})
            blocks.append(Block(block_id, Markup(html), tuple(f"{block_id}-i{n}" for n in range(1, len(items) + 1))))
            start = index + 1
    return tuple(blocks)


class _Identified(Protocol):
    """What page markers are drawn for: an element, by its id."""

    @property
    def id(self) -> str: ...


_TargetT = TypeVar("_TargetT", bound=_Identified)


def insert_markers(html: Markup, targets: tuple[_TargetT, ...], draw: Callable[[_TargetT], Markup]) -> Markup:
    """`html` with `draw(target)` (the page markers) at the start of each element whose id a target names."""
    for target in targets:
        drawn = draw(target)
        if drawn:
            opening = re.search(rf'<[a-z0-9]+ [^>]*id="{re.escape(target.id)}"[^>]*>', html)
            if opening:
                html = Markup(html[:opening.end()]) + drawn + Markup(html[opening.end():])
    return Markup(html)


def slugify(text: str) -> str:
    """Lower-case ASCII words joined by hyphens ("Café Lead" → "cafe-lead"); empty when nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


# Letters whose names begin with a vowel sound: an acronym starting with one reads "an" ("an SDET", "an ML lead").
_VOWEL_SOUND_LETTERS = "AEFHILMNORSX"


def article(title: str) -> str:
    """"a" or "an" before `title`, as it is read aloud: acronyms letter by letter."""
    first_word = title.split()[0]
    if first_word.isupper() and first_word[0] in _VOWEL_SOUND_LETTERS:
        return "an"
    return "an" if title[0].lower() in "aeiou" else "a"
