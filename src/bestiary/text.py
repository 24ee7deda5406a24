"""Markdown to safe HTML: inline emphasis in record fields, block Markdown in chapters.

Raw HTML is never interpreted (markdown-it escapes it as text). Record fields
allow only emphasis, strong and code; chapters allow block Markdown whose links
go to the web or an address only (checked in `records`), and no images.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markupsafe import Markup

# Paths, URLs and addresses: never hyphenated (a hyphen would change them); they still break where they must.
LITERAL_TOKEN = re.compile(r"\S*(?:[/\\]|://|@\w)\S*")


def _text_with_literals(self, tokens, index, options, env) -> str:  # type: ignore[no-untyped-def]
    """markdown-it's text rule, with path- and URL-like words wrapped in a span the stylesheets keep whole."""
    content = tokens[index].content
    pieces, last = [], 0
    for match in LITERAL_TOKEN.finditer(content):
        pieces.append(escapeHtml(content[last:match.start()]))
        pieces.append(f'<span class="literal">{escapeHtml(match.group())}</span>')
        last = match.end()
    pieces.append(escapeHtml(content[last:]))
    return "".join(pieces)


def _with_literals(parser: MarkdownIt) -> MarkdownIt:
    parser.add_render_rule("text", _text_with_literals)
    return parser


@lru_cache(maxsize=1)
def _inline_parser() -> MarkdownIt:
    # No "entity" rule: &amp; in a record is shown as typed, like any other markup.
    return _with_literals(MarkdownIt("zero", {"html": False}).enable(["emphasis", "backticks", "escape"]))


@lru_cache(maxsize=1)
def _block_parser() -> MarkdownIt:
    # "commonmark" with html off; images are dropped so a chapter cannot make the renderer fetch.
    return _with_literals(MarkdownIt("commonmark", {"html": False, "xhtmlOut": True})
                          .disable(["image", "html_block", "html_inline"]))


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
        if child.type in ("text", "code_inline")
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


@dataclass(frozen=True)
class Block:
    """One top-level block of a chapter (paragraph, heading, list…), with a stable id."""

    id: str
    html: Markup


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
            html = parser.renderer.render(tokens[start:index + 1], parser.options, {})
            blocks.append(Block(block_id, Markup(html)))
            start = index + 1
    return tuple(blocks)


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
