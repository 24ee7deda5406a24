"""Subsets of one font, cut with their glyph ids kept, made into one font program (for `fonts_merge`).

WeasyPrint cuts a font in two passes of HarfBuzz-subset: the first keeps the glyphs a document
draws at their ids in the original file (`RETAIN_GIDS`), with every other glyph left empty and CFF
charstrings desubroutinized (each draws alone); the second keeps ids 0 to the highest code the
document uses, and puts after them, renumbered, the glyphs only a composite glyph refers to (the
dot and dotless i of an `i`, when nothing else draws them). Below its highest code, then, every
subset of a face numbers glyphs as the original does, and a glyph that is not empty is the same
in all of them; above it, each subset has its own numbering.

The union starts from the subset with the highest code, taken whole (its renumbered glyphs stay
where its composites find them). Every glyph another subset holds below its own highest code
(drawn, or with an outline: a composite's part, the `.notdef` box drawn for characters the font
lacks) and the base lacks is copied in under the same id, with its metrics; a composite that refers
to a renumbered glyph is copied decomposed, as the same outline. The other tables (names, OS/2,
post) are the base's, the `cmap` the union of theirs; bounding boxes and maxima are the union of
the subsets' own.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont


def merge_programs(programs: Sequence[bytes], drawn: Sequence[set[int]], limits: Sequence[int]) -> bytes | None:
    """One program holding every glyph of `programs` (WeasyPrint's subsets of one face), where `drawn[i]`
    are the glyph ids drawn with `programs[i]` and `limits[i]` one more than its highest code; None if
    they are not subsets we can join (outlines of different kinds or sizes, CID-keyed or CFF2 outlines,
    different CFF private dictionaries, a CFF glyph renumbered)."""
    fonts = [TTFont(io.BytesIO(program), recalcBBoxes=False, recalcTimestamp=False) for program in programs]
    limits = [min(limit, len(font.getGlyphOrder())) for font, limit in zip(fonts, limits, strict=True)]
    if not _joinable(fonts, limits):
        return None
    base_index = max(range(len(fonts)), key=lambda index: (limits[index], -index))
    base = fonts[base_index]
    present = _kept(base, drawn[base_index], limits[base_index])
    for index, font in enumerate(fonts):
        if index != base_index:
            for glyph_id in sorted(_kept(font, drawn[index], limits[index]) - present):
                _copy_glyph(font, base, glyph_id, limits[index])
                present.add(glyph_id)
    _join_cmaps(base, [(font, limits[index]) for index, font in enumerate(fonts) if index != base_index])
    _join_bounds(base, fonts)
    output = io.BytesIO()
    base.save(output)
    return output.getvalue()


def _joinable(fonts: Sequence[TTFont], limits: Sequence[int]) -> bool:
    if len({font["head"].unitsPerEm for font in fonts}) != 1:
        return False
    if all("glyf" in font for font in fonts):
        return True
    if not all("CFF " in font for font in fonts):
        return False
    if any(len(font.getGlyphOrder()) > limit for font, limit in zip(fonts, limits, strict=True)):
        return False  # a glyph renumbered: an accent a `seac` charstring finds by its standard name
    tops = [font["CFF "].cff.topDictIndex[0] for font in fonts]
    if any(hasattr(top, "ROS") for top in tops):
        return False  # CID-keyed: a glyph's private dict is chosen by FDSelect, per subset
    privates = [{key: value for key, value in top.Private.rawDict.items() if key != "Subrs"} for top in tops]
    return all(private == privates[0] for private in privates)


def _kept(font: TTFont, drawn: set[int], limit: int) -> set[int]:
    """The glyph ids below `limit` that `font` holds: those drawn with it and those with an outline."""
    if "glyf" in font:
        offsets = font["loca"]
        outlined = {gid for gid in range(limit) if offsets[gid + 1] > offsets[gid]}
    else:  # a lone `endchar` (one byte) is how a subset leaves a glyph out
        offsets = font["CFF "].cff.topDictIndex[0].CharStrings.charStringsIndex.offsets
        outlined = {gid for gid in range(limit) if offsets[gid + 1] - offsets[gid] > 1}
    return outlined | {gid for gid in drawn if gid < limit}


def _copy_glyph(source: TTFont, target: TTFont, glyph_id: int, limit: int) -> None:
    """The glyph `glyph_id` of `source` and its metrics, put in `target` under the same id; a composite
    with a part `source` renumbered (at `limit` or above) as its outline."""
    source_name = source.getGlyphOrder()[glyph_id]
    target_order = target.getGlyphOrder()
    target_name = target_order[glyph_id]
    if "glyf" in source:
        glyph = source["glyf"][source_name]
        if glyph.isComposite() and any(source.getGlyphID(part.glyphName) >= limit for part in glyph.components):
            outline = DecomposingRecordingPen(source.getGlyphSet())
            source.getGlyphSet()[source_name].draw(outline)
            pen = TTGlyphPen(None)
            outline.replay(pen)
            glyph = pen.glyph()
            glyph.recalcBounds(target["glyf"])  # the fonts are read with recalcBBoxes off: nothing else would
            maxp = target["maxp"]  # a composite made simple may have more points than any simple glyph had
            maxp.maxPoints = max(maxp.maxPoints, len(glyph.coordinates))
            maxp.maxContours = max(maxp.maxContours, glyph.numberOfContours)
        elif glyph.isComposite():  # parts are named: the same ids under the target's names
            for part in glyph.components:
                part.glyphName = target_order[source.getGlyphID(part.glyphName)]
        target["glyf"][target_name] = glyph
    else:
        charstring = source["CFF "].cff.topDictIndex[0].CharStrings[source_name]
        top = target["CFF "].cff.topDictIndex[0]
        charstring.private, charstring.globalSubrs = top.Private, top.GlobalSubrs
        top.CharStrings[target_name] = charstring
    target["hmtx"][target_name] = source["hmtx"][source_name]


def _join_bounds(base: TTFont, fonts: Sequence[TTFont]) -> None:
    """The base's bounding boxes and maxima made those of the union: the union of the subsets' boxes, the
    largest of their maxima (what recalculating them from every glyph gives, at a fraction of the time)."""
    heads = [font["head"] for font in fonts if (font["head"].xMin, font["head"].xMax) != (0, 0)]
    if heads:
        head = base["head"]
        head.xMin, head.yMin = min(h.xMin for h in heads), min(h.yMin for h in heads)
        head.xMax, head.yMax = max(h.xMax for h in heads), max(h.yMax for h in heads)
    hhea = base["hhea"]
    hhea.advanceWidthMax = max(font["hhea"].advanceWidthMax for font in fonts)
    hhea.xMaxExtent = max(font["hhea"].xMaxExtent for font in fonts)
    hhea.minLeftSideBearing = min(font["hhea"].minLeftSideBearing for font in fonts)
    hhea.minRightSideBearing = min(font["hhea"].minRightSideBearing for font in fonts)
    for name, value in vars(base["maxp"]).items():
        if name.startswith("max") and isinstance(value, int):
            setattr(base["maxp"], name, max(getattr(font["maxp"], name, value) for font in fonts))
    if "CFF " in base:
        boxes = [font["CFF "].cff.topDictIndex[0].FontBBox for font in fonts]
        boxes = [box for box in boxes if any(box)] or boxes
        base["CFF "].cff.topDictIndex[0].FontBBox = [min(box[0] for box in boxes), min(box[1] for box in boxes),
                                                      max(box[2] for box in boxes), max(box[3] for box in boxes)]


def _join_cmaps(base: TTFont, others: Sequence[tuple[TTFont, int]]) -> None:
    """The base's character maps, extended with the other subsets' mappings to glyphs below their limit."""
    if "cmap" not in base:
        return
    base_order = base.getGlyphOrder()
    for table in base["cmap"].tables:
        for other, limit in others:
            found: Any = other["cmap"].getcmap(table.platformID, table.platEncID) if "cmap" in other else None
            for code, name in found.cmap.items() if found is not None else ():
                if other.getGlyphID(name) < limit and (table.format != 4 or code <= 0xFFFF):
                    table.cmap.setdefault(code, base_order[other.getGlyphID(name)])
