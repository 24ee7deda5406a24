"""Running heads that always fit on one line, measured with the font they are set in.

A running head sits at the outer edge of the field guide's top margin, beside
the classification banner at the inner edge (`print.css`, `@page` rules). Its
width is what the page leaves: the text width less the banner. A title too
wide for it is shortened at a word boundary, with an ellipsis, before the
page is laid out; a record may give its own `running_title`, which is checked
the same way.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont

from ..resources import fonts_dir
from .measures import PageSize

# The geometry of print.css's pages and running heads, in points.
INNER_MARGIN = 0.55 * 72
OUTER_MARGIN = 0.45 * 72
BANNER_WIDTH = 1.1 * 72
GAP = 8.0  # between the head and the banner
HEAD_FONT = "Inter-Regular.otf"
HEAD_SIZE = 5.5
HEAD_LETTER_SPACING = 0.08  # em
ELLIPSIS = "\u2026"


def head_width(page_size: PageSize, inner_margin: float = INNER_MARGIN) -> float:
    """How wide a running head may be on a page of `page_size` (a printer's interior may have a wider gutter)."""
    return page_size.width - inner_margin - OUTER_MARGIN - BANNER_WIDTH - GAP


@lru_cache(maxsize=4)
def _advances(font_path: Path) -> tuple[dict[int, float], float]:
    with TTFont(font_path, lazy=True) as font:
        units = font["head"].unitsPerEm
        metrics = font["hmtx"].metrics
        cmap = font.getBestCmap()
        widths = {code: metrics[glyph][0] / units for code, glyph in cmap.items()}
        return widths, metrics[".notdef"][0] / units if ".notdef" in metrics else 0.6


def text_width(text: str) -> float:
    """The width in points of `text` set as a running head (upper case, letter-spaced; kerning ignored,
    which only ever overestimates)."""
    widths, fallback = _advances(fonts_dir() / HEAD_FONT)
    shown = text.upper()
    return sum((widths.get(ord(c), fallback) + HEAD_LETTER_SPACING) * HEAD_SIZE for c in shown)


def fit(text: str, width: float) -> str:
    """`text` if it fits `width`, else its longest beginning that ends at a word boundary, with an ellipsis."""
    if text_width(text) <= width:
        return text
    words = text.split()
    while len(words) > 1:
        words.pop()
        shortened = " ".join(words).rstrip(",;:-\u2013\u2014") + ELLIPSIS
        if text_width(shortened) <= width:
            return shortened
    # a single word wider than the head: cut it (only an abusive title gets here)
    word = words[0] if words else text
    while word and text_width(word + ELLIPSIS) > width:
        word = word[:-1]
    return word + ELLIPSIS
