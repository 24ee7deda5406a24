"""Our fonts, and only ours.

`isolate_fontconfig` points fontconfig at the `fonts/` folder alone, before
WeasyPrint loads Pango, so no system font can stand in for a missing glyph.
`missing_glyphs` finds the characters none of our fonts can show, so the
build can warn, naming the record and field, instead of printing boxes silently.
"""

from __future__ import annotations

import atexit
import io
import logging
import os
import shutil
import tempfile
import unicodedata
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from fontTools.ttLib import TTFont

from ..safe_files import create_file


def isolate_fontconfig(fonts: Path) -> None:
    """Make fontconfig see only `fonts` (must run before Pango is loaded).

    The configuration, and fontconfig's cache of our fonts, live in a folder made new by `mkdtemp`
    for this process (private: mode 700, a name no one could guess in advance), written without
    following a link, and removed when this process exits; the processes it forks use it meanwhile.
    A fixed name in the shared temporary folder could be made first by another user, with links
    in it that we would write through. (A fresh fontconfig cache of our fonts takes milliseconds.)
    """
    folder = Path(tempfile.mkdtemp(prefix="bestiary-fontconfig-"))
    atexit.register(_remove_when_done, folder, os.getpid())
    config = folder / "fonts.conf"
    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
        f"<fontconfig><dir>{escape(str(fonts.resolve()))}</dir>"
        f"<cachedir>{escape(str(folder / 'cache'))}</cachedir></fontconfig>\n"
    )
    create_file(config, text.encode("utf-8"), mode=0o600)
    os.environ["FONTCONFIG_FILE"] = str(config)


def _remove_when_done(folder: Path, owner: int) -> None:
    if os.getpid() == owner:  # not in a forked process that happens to run the exit handlers
        shutil.rmtree(folder, ignore_errors=True)


@lru_cache(maxsize=8)
def covered_characters(fonts: Path, only: str | None = None) -> frozenset[int]:
    """Every code point that at least one of our fonts (or the font file `only`) maps to a glyph."""
    covered: set[int] = set()
    paths = [fonts / only] if only else sorted(fonts.glob("*.otf")) + sorted(fonts.glob("*.ttf"))
    for path in paths:
        with TTFont(path, lazy=True) as font:
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


def subset_font(path: Path, text: str) -> bytes:
    """`path` cut down to the characters of `text` (plus ASCII), layout features kept: for the EPUB,
    whose text is fixed, a fraction of the size. The same bytes for the same font and text, whatever
    the clock or `SOURCE_DATE_EPOCH`: the subset keeps the font's own date (`head.modified`), which
    fontTools would otherwise set to the epoch or to now, so a cached subset is the one a build makes."""
    from fontTools import subset

    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)  # it reports tables it drops
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    with TTFont(path, recalcTimestamp=False) as font:
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted({ord(c) for c in text} | set(range(0x20, 0x7F))))
        subsetter.subset(font)
        output = io.BytesIO()
        font.save(output)
    return output.getvalue()
