"""Markdown to safe HTML: inline emphasis in record fields, block Markdown in chapters.

Raw HTML is never interpreted (markdown-it escapes it as text). Record fields
allow only emphasis, strong and code; chapters allow block Markdown, and their
links and images are left to the sandboxed URL fetcher and the layouts.
"""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from markupsafe import Markup


@lru_cache(maxsize=1)
def _inline_parser() -> MarkdownIt:
    return MarkdownIt("zero", {"html": False}).enable(["emphasis", "backticks", "escape", "entity"])


@lru_cache(maxsize=1)
def _block_parser() -> MarkdownIt:
    # "commonmark" with html off; images are dropped so a chapter cannot make the renderer fetch.
    return MarkdownIt("commonmark", {"html": False, "xhtmlOut": True}).disable(["image", "html_block", "html_inline"])


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
