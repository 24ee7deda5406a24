"""Everything a PDF's pages draw, once each, with the page that first draws it: what converts a printer's file
(`pdfx`) and what checks it (`preflight`) both walk.

The walk follows use, not declaration: WeasyPrint gives every page one shared
resource dictionary, so "in the resources of page 1" says nothing about where a
gauge is drawn. From each page's content stream it follows what the stream
names (`Do` a form or an image, `sh` a shading, `scn` a pattern, `gs` a soft
mask, `Tf` a font and a Type 3 font's glyph procedures), to any depth, and then
the page's annotations and their appearance streams. Each content stream comes
parsed, with the resources its names resolve in. Inline images are inside the
content streams: their walkers meet them there.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pikepdf

from .colour import CMYK, GRAY, LAB, OTHER, PATTERN, RGB

# What a found object is
PAGE, FORM, PATTERN_CELL, SHADING, IMAGE, FONT, ANNOTATION = (
    "page", "form", "pattern", "shading", "image", "font", "annotation")
CONTENT = (PAGE, FORM, PATTERN_CELL)  # the kinds that carry a content stream

Instruction = pikepdf.ContentStreamInstruction | pikepdf.ContentStreamInlineImage

_FAMILIES = {"/DeviceRGB": RGB, "/CalRGB": RGB, "/DeviceCMYK": CMYK, "/DeviceGray": GRAY, "/CalGray": GRAY,
             "/Lab": LAB, "/Pattern": PATTERN, "/Indexed": OTHER, "/Separation": OTHER, "/DeviceN": OTHER}
_ICC_FAMILIES = {1: GRAY, 3: RGB, 4: CMYK}
_DEVICE_SPACES = ("/DeviceRGB", "/DeviceCMYK", "/DeviceGray", "/Pattern")


@dataclass(frozen=True)
class Found:
    page: int  # from 1
    kind: str
    obj: pikepdf.Object
    resources: pikepdf.Object | None = None  # a content stream's (a dictionary)
    instructions: list[Instruction] = field(default_factory=list)  # a content stream's, parsed


def family_of(space: pikepdf.Object | None) -> str:
    """What a colour space's components mean: RGB, CMYK, GRAY, LAB, PATTERN or OTHER (indexed, separations)."""
    if space is None:
        return OTHER
    if isinstance(space, pikepdf.Array) and len(space) > 0:
        head = str(space[0])
        if head == "/ICCBased":
            return _ICC_FAMILIES.get(int(space[1].get("/N", 0)), OTHER)
        return _FAMILIES.get(head, OTHER)
    return _FAMILIES.get(str(space), OTHER)


def named_space(resources: pikepdf.Object | None, name: pikepdf.Object) -> pikepdf.Object:
    """The colour space a `cs` operand names: a device space by its own name, else from the resources."""
    text = str(name)
    if text in _DEVICE_SPACES:
        return pikepdf.Name(text)
    found = _resource(resources, "/ColorSpace", name)
    return pikepdf.Name(text) if found is None else found  # undefined: OTHER, which a preflight reports


def walk(pdf: pikepdf.Pdf) -> Iterator[Found]:
    """Every page, and every form, pattern, shading, image, font and annotation a page uses, each once."""
    seen: set[object] = set()
    for number, page in enumerate(pdf.pages, start=1):
        resources = page.obj.get("/Resources", pikepdf.Dictionary())  # WeasyPrint gives every page its own
        yield from _content(number, PAGE, page.obj, resources, seen)
        for annotation in page.obj.get("/Annots", pikepdf.Array()):
            yield Found(number, ANNOTATION, annotation)
            for appearance in _appearance_streams(annotation.get("/AP")):
                if _first_time(appearance, seen):
                    yield from _content(number, FORM, appearance, appearance.get("/Resources"), seen)


def _content(page: int, kind: str, owner: pikepdf.Object, resources: pikepdf.Object | None,
             seen: set[object]) -> Iterator[Found]:
    """A content stream, then what it draws with, in the order it first names them."""
    instructions = list(pikepdf.parse_content_stream(owner))
    yield Found(page, kind, owner, resources, instructions)
    for instruction in instructions:
        operator, operands = str(instruction.operator), list(getattr(instruction, "operands", ()))
        if operator == "Do" and operands:
            xobject = _used(owner, resources, "/XObject", operands[0], seen)
            if isinstance(xobject, pikepdf.Stream) and xobject.get("/Subtype") == "/Image":
                yield Found(page, IMAGE, xobject)
            elif isinstance(xobject, pikepdf.Stream) and xobject.get("/Subtype") == "/Form":
                yield from _content(page, FORM, xobject, xobject.get("/Resources", resources), seen)
        elif operator == "sh" and operands:
            shading = _used(owner, resources, "/Shading", operands[0], seen)
            if shading is not None:
                yield Found(page, SHADING, shading)
        elif operator in ("scn", "SCN") and operands and isinstance(operands[-1], pikepdf.Name):
            pattern = _used(owner, resources, "/Pattern", operands[-1], seen)
            if isinstance(pattern, pikepdf.Stream) and pattern.get("/PatternType") == 1:
                yield from _content(page, PATTERN_CELL, pattern, pattern.get("/Resources", resources), seen)
            elif pattern is not None and "/Shading" in pattern:
                yield Found(page, SHADING, pattern.Shading)
        elif operator == "gs" and operands:
            state = _used(owner, resources, "/ExtGState", operands[0], seen)
            mask = state.get("/SMask") if state is not None else None
            if isinstance(mask, pikepdf.Dictionary) and isinstance(mask.get("/G"), pikepdf.Stream) \
                    and _first_time(mask.G, seen):
                yield from _content(page, FORM, mask.G, mask.G.get("/Resources", resources), seen)
        elif operator == "Tf" and operands:
            font = _used(owner, resources, "/Font", operands[0], seen)
            if font is None:
                continue
            yield Found(page, FONT, font)
            for glyph in font.get("/CharProcs", pikepdf.Dictionary()).values():  # a Type 3 font draws its glyphs
                if _first_time(glyph, seen):
                    yield from _content(page, FORM, glyph, font.get("/Resources", resources), seen)


def _resource(resources: pikepdf.Object | None, category: str, name: pikepdf.Object) -> pikepdf.Object | None:
    if not isinstance(resources, pikepdf.Dictionary):
        return None
    entries = resources.get(category)
    if not isinstance(entries, pikepdf.Dictionary) or str(name) not in entries:
        return None
    return entries[str(name)]


def _used(owner: pikepdf.Object, resources: pikepdf.Object | None, category: str, name: pikepdf.Object,
          seen: set[object]) -> pikepdf.Object | None:
    """The resource a name stands for, the first time it is used (None after, or when it is missing)."""
    found = _resource(resources, category, name)
    if found is None or resources is None:
        return None
    # a direct object is known by where it is: its resource dictionary (or, inside a direct one, the stream
    # that holds that) and its name
    holder = resources if resources.is_indirect else owner
    key = found.objgen if found.is_indirect else (holder.objgen, category, str(name))
    if key in seen:
        return None
    seen.add(key)
    return found


def _first_time(obj: pikepdf.Object, seen: set[object]) -> bool:
    """Whether an indirect object is met for the first time (a direct one: always)."""
    if not obj.is_indirect:
        return True
    if obj.objgen in seen:
        return False
    seen.add(obj.objgen)
    return True


def _appearance_streams(appearances: pikepdf.Object | None) -> Iterator[pikepdf.Object]:
    """The streams of an annotation's /AP: normal, rollover and down, each a stream or a dict of states."""
    if not isinstance(appearances, pikepdf.Dictionary):
        return
    for appearance in appearances.values():
        if isinstance(appearance, pikepdf.Stream):
            yield appearance
        elif isinstance(appearance, pikepdf.Dictionary):
            yield from (state for state in appearance.values() if isinstance(state, pikepdf.Stream))
