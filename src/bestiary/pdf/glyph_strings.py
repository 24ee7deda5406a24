"""Text strings of a content stream given new codes, each glyph left where it was drawn (for `fonts_merge`).

A `Remap` of a font says, for some of its two-byte codes, the code that now draws the same glyph and
how much wider (in thousandths of the text size) the joined font measures it. Every string shown in
that font gets the new codes, and after each glyph whose width changed, a `TJ` positioning number
takes the difference back: the next glyph starts where it did. The font in use is followed through
`Tf` and the graphics state's `q` and `Q`; `'` and `"` are written as the operators they stand for.
"""

from __future__ import annotations

import re
import sys
from array import array

import pikepdf

Remap = dict[int, tuple[int, float]]  # code → (new code, width added)

_SHOW = {"TJ", "Tj", "'", '"'}
_SPACED_HEX = re.compile(rb"<[0-9a-f]*\s")  # whitespace in a hexadecimal string breaks the codes' alignment


def rewrite_text(pdf: pikepdf.Pdf, holder: pikepdf.Object, remaps: dict[str, Remap]) -> None:
    """Rewrite the strings `holder` (a page or a form) shows in the fonts named in `remaps` (resource key)."""
    if not _may_show(holder, remaps):
        return
    rewritten: list[pikepdf.ContentStreamInstruction | pikepdf.ContentStreamInlineImage] = []
    font: str | None = None
    saved: list[str | None] = []
    changed = False
    for instruction in pikepdf.parse_content_stream(holder):
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            rewritten.append(instruction)
            continue
        operator = str(instruction.operator)
        if operator == "q":
            saved.append(font)
        elif operator == "Q" and saved:
            font = saved.pop()
        elif operator == "Tf":
            font = str(instruction.operands[0])
        elif operator in _SHOW and font in remaps and (shown := _shown(instruction, remaps[font])):
            rewritten += shown
            changed = True
            continue
        rewritten.append(instruction)
    if changed:
        data = pikepdf.unparse_content_stream(rewritten)
        if isinstance(holder, pikepdf.Stream):
            holder.write(data)
        else:
            holder.Contents = pikepdf.Stream(pdf, data)


def _may_show(holder: pikepdf.Object, remaps: dict[str, Remap]) -> bool:
    """Whether `holder`'s content has a hexadecimal string with one of the codes to change, or a string
    written another way: most content streams have neither, and are not parsed."""
    contents = holder if isinstance(holder, pikepdf.Stream) else holder.get("/Contents")
    if contents is None:
        return False
    parts = contents if isinstance(contents, pikepdf.Array) else [contents]
    data = b"\n".join(part.read_bytes() for part in parts).lower()
    codes = b"|".join(sorted({b"%04x" % code for remap in remaps.values() for code in remap}))
    return (b"(" in data or _SPACED_HEX.search(data) is not None
            or re.search(rb"<(?:[0-9a-f]{4})*?(?:" + codes + rb")", data) is not None)


def _shown(instruction: pikepdf.ContentStreamInstruction,
           remap: Remap) -> list[pikepdf.ContentStreamInstruction] | None:
    """`instruction` with its strings remapped, as `TJ` (after what `'` and `"` do first); None if it shows
    no code of `remap`."""
    operator, operands = str(instruction.operator), list(instruction.operands)
    items = list(operands[0]) if operator == "TJ" else [operands[-1]]
    shown: list[object] = []
    changed = False
    for item in items:
        if isinstance(item, pikepdf.String) and (parts := _string(bytes(item), remap)) is not None:
            shown += parts
            changed = True
        else:
            shown.append(item)
    if not changed:
        return None
    before: list[pikepdf.ContentStreamInstruction] = []
    if operator == '"':
        before = [pikepdf.ContentStreamInstruction([operands[0]], pikepdf.Operator("Tw")),
                  pikepdf.ContentStreamInstruction([operands[1]], pikepdf.Operator("Tc"))]
    if operator in ("'", '"'):
        before.append(pikepdf.ContentStreamInstruction([], pikepdf.Operator("T*")))
    return [*before, pikepdf.ContentStreamInstruction([pikepdf.Array(shown)], pikepdf.Operator("TJ"))]


def _string(data: bytes, remap: Remap) -> list[object] | None:
    """One string's codes remapped, split after each glyph whose width changed, with the change as a number;
    None if it has no code of `remap`."""
    codes = array("H", data[:len(data) - len(data) % 2])
    if sys.byteorder == "little":
        codes.byteswap()  # two-byte codes are big-endian
    if remap.keys().isdisjoint(codes):
        return None
    parts: list[object] = []
    run = bytearray()
    for code in codes:
        new, delta = remap.get(code, (code, 0.0))
        run += new.to_bytes(2, "big")
        if delta:
            parts += [pikepdf.String(bytes(run)), int(delta) if float(delta).is_integer() else delta]
            run = bytearray()
    run += data[len(data) - len(data) % 2:]
    if run or not parts:
        parts.append(pikepdf.String(bytes(run)))
    return parts
