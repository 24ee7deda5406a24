"""Markdown to safe HTML: inline emphasis in record fields, block Markdown in chapters; and typography.

Raw HTML is never interpreted (markdown-it escapes it as text). Record fields
allow only emphasis, strong and code; chapters allow block Markdown whose links
go to the web or an address only (checked in `records`), and no images.

All text is set as a typesetter would: markdown-it's typographer makes quotes
and apostrophes curly and "..." an ellipsis, and `_dashes` makes a spaced
hyphen between numbers (a range, "09:15 - 10:30") an en dash and one between
words an em dash. Code spans are left as typed. `typeset` does the same for
the fields that are printed as plain text (titles, aliases, habitats).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import text_join
from markdown_it.token import Token
from markupsafe import Markup

from .template_data import template_data

# Paths, URLs and addresses: never hyphenated (a hyphen would change them); they still break where they must.
LITERAL_TOKEN = re.compile(r"\S*(?:[/\\]|://|@\w)\S*")


def _literals_rule(state) -> None:  # type: ignore[no-untyped-def]
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


def _render_literal(self, tokens, index, options, env) -> str:  # type: ignore[no-untyped-def]
    return f'<span class="literal">{escapeHtml(tokens[index].content)}</span>'


_SPACED_HYPHEN = re.compile(r"(?<=\S) - (?=\S)")


def dashes(text: str) -> str:
    """Ranges of numbers take an en dash ("09:15–10:30", "2019–2021"), a spaced hyphen between words an em dash."""
    text = re.sub(r"(?<=\d) - (?=\d)", "\u2013", text)
    text = re.sub(r"(?<=\b\d{4})-(?=\d{4}\b)", "\u2013", text)
    return _SPACED_HYPHEN.sub("\u2014", text)


def _dashes_rule(state) -> None:  # type: ignore[no-untyped-def]
    """A markdown-it core rule: `dashes` on text, never inside code."""
    for token in state.tokens:
        for child in token.children or []:
            if child.type == "text":
                child.content = dashes(child.content)


def _typographic(parser: MarkdownIt) -> MarkdownIt:
    parser.options["typographer"] = True
    parser.enable(["replacements", "smartquotes"])
    parser.core.ruler.before("replacements", "literals", _literals_rule)
    parser.core.ruler.push("dashes", _dashes_rule)
    parser.add_render_rule("literal", _render_literal)
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
    """One field of a record as inline HTML (emphasis, strong, code only)."""
    return Markup(_inline_parser().renderInline(text))


def block_markdown(text: str) -> Markup:
    """A chapter body as block HTML (XHTML-compatible, so the EPUB can use it too)."""
    return Markup(_block_parser().render(text))


def plain_text(text: str) -> str:
    """A field with its inline Markdown marks removed, for metadata and index sort keys."""
    tokens = _inline_parser().parseInline(text)
    return "".join(
        child.content
        for token in tokens
        for child in (token.children or [])
        if child.type in ("text", "literal", "code_inline")
    )


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


@lru_cache(maxsize=1)
def _reference_parser() -> MarkdownIt:
    # Same grammar as the renderer, but with images on and every scheme parsed as a link
    # (the renderer drops file: and javascript: links to text), so that all can be found and refused.
    parser = MarkdownIt("commonmark", {"html": False})
    parser.validateLink = lambda url: True
    return parser


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
    tokens = parser.parse(text)
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


def insert_markers(html: Markup, targets: tuple, draw: Callable[[object], Markup]) -> Markup:
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
