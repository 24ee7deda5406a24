"""What our fonts can show, and our fonts cut down to what a text uses.

`missing_glyphs` finds the characters none of our fonts can show, so the
build can warn, naming the record and field, instead of printing boxes silently
(`pdf.fontconfig` keeps every other font out of the PDF). `subset_font` cuts a
font down to the characters of the EPUB's text.
"""

from __future__ import annotations

import io
import logging
import unicodedata
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont


@lru_cache(maxsize=8)
def covered_characters(fonts: Path, only: str | None = None) -> frozenset[int]:
    """Every code point that at least one of our fonts (or the font file `only`) maps to a glyph."""
    covered: set[int] = set()
    paths = [fonts / only] if only else sorted(fonts.glob("*.otf")) + sorted(fonts.glob("*.ttf"))
    for path in paths:
        with TTFont(path, lazy=True) as font:
            # numbered glyph names: the cmap then needs no glyph names from the CFF table, four times faster
            font.setGlyphOrder([f"glyph{number}" for number in range(font["maxp"].numGlyphs)])
            covered.update(font.getBestCmap() or {})
    return frozenset(covered)


@lru_cache(maxsize=8)
def _covered_text(fonts: Path, only: str | None = None) -> frozenset[str]:
    """`covered_characters` as characters, so a whole text is checked by one set operation."""
    return frozenset(map(chr, covered_characters(fonts, only)))


def _needs_glyph(character: str) -> bool:
    # Spaces, controls and format characters (zero-width joiners, marks of direction) draw nothing.
    return unicodedata.category(character)[0] not in ("Z", "C")


def missing_glyphs(text: str, fonts: Path, only: str | None = None) -> str:
    """The characters of `text` that none of our fonts (or the font file `only`) can show, each once."""
    uncovered = set(text).difference(_covered_text(fonts, only))
    if not uncovered:  # the usual case, settled without a Python step per character
        return ""
    return "".join(c for c in dict.fromkeys(text) if c in uncovered and _needs_glyph(c))


def subset_characters(path: Path, text: str) -> tuple[int, ...]:
    """The code points a subset of the font `path` for `text` keeps: those of `text` the font has, and ASCII.
    What the font lacks changes nothing in its subset, so two texts that differ only there share one."""
    return tuple(sorted((code_points(text) & covered_characters(path.parent, path.name)) | set(range(0x20, 0x7F))))


@lru_cache(maxsize=2)
def code_points(text: str) -> frozenset[int]:
    """The code points of `text`, each once. Kept for the last few texts: a book's EPUB asks for those of one text
    (megabytes, at 500 roles) once per font, eleven times; `set(text)` takes the set without a Python step per
    character."""
    return frozenset(map(ord, set(text)))


def subset_font(path: Path, characters: tuple[int, ...]) -> bytes:
    """`path` cut down to `characters` (`subset_characters`), layout features kept: for the EPUB,
    whose text is fixed, a fraction of the size. The same bytes for the same font and characters, whatever
    the clock or `SOURCE_DATE_EPOCH`: the subset keeps the font's own date (`head.modified`), which
    fontTools would otherwise set to the epoch or to now, so a cached subset is the one a build makes.
    HarfBuzz-Subset does it where the machine has it (`harfbuzz_subset`: the same tables, a hundredth of the time)."""
    from fontTools import subset

    from . import harfbuzz_subset

    quick = harfbuzz_subset.subset(path.read_bytes(), characters)
    if quick is not None:
        return quick

    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)  # it reports tables it drops
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    with TTFont(path, recalcTimestamp=False) as font:
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=characters)
        subsetter.subset(font)
        output = io.BytesIO()
        font.save(output)
    return output.getvalue()
