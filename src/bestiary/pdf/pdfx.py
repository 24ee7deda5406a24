"""A printer's file made true PDF/X-4: every colour in the output intent's space, for the ink it is printed in.

WeasyPrint writes a PDF/X-4 variant with the output intent, the boxes and the
metadata, but draws CSS and SVG colours in DeviceRGB, and its gradients with
sRGB functions inside the output intent's 4-channel space (poppler: "function
with wrong output size"; the gauges lose their tick marks). `conform` rewrites
what it wrote, with pikepdf, over everything `walk` finds:

- colour operators in every content stream (pages, forms, tiling patterns,
  soft masks, Type 3 glyphs, appearance streams): `rg`/`RG`, and `sc`/`scn`
  after a `cs`/`CS` that chose an RGB or Lab space, become `k`/`K` (CMYK) with
  colour ink or `g`/`G` with black ink; with black ink CMYK becomes grey too;
  greys stay greys (DeviceGray is black ink on a CMYK press);
- shading functions (exponential and stitching, the ones CSS gradients make)
  get the converted colour at each end, in DeviceCMYK or DeviceGray, so their
  outputs match their colour space;
- images: with colour ink, DeviceRGB is tagged with an sRGB ICC profile
  (PDF/X-4 allows ICC-based RGB for raster images); with black ink every image
  is turned to DeviceGray of the same lightness;
- transparency groups in RGB blend in the ink's space instead;
- annotations (WeasyPrint's links) are removed: a printer's file has none;
- the header says %PDF-1.6, which PDF/X-4 is defined on.

How colours are converted is `colour.PressColours`'s to say. The output
intent, the boxes, `GTS_PDFXVersion` in the XMP and `Trapped` are left as
they are; the reading PDF never comes here. What this cannot convert (a
sampled or PostScript shading function, an inline image, an indexed or
separation colour space) is left for `preflight` to report.
"""

from __future__ import annotations

import io
import zlib
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import cast

import pikepdf

from .colour import CMYK, COMPONENTS, GRAY, LAB, RGB, Ink, PressColours, srgb_profile_bytes
from .walk import CONTENT, IMAGE, SHADING, Found, Instruction, family_of, named_space, walk

PDFX_VERSION = "1.6"  # PDF/X-4 (ISO 15930-7) is defined on PDF 1.6
_SETTERS = {"rg": RGB, "RG": RGB, "k": CMYK, "K": CMYK, "g": GRAY, "G": GRAY}


@dataclass
class Conversion:
    """What `conform` changed, counted: colour operators by what they became, and objects by kind."""

    operators: Counter[str] = field(default_factory=Counter)  # "rg -> k": how many
    shadings: int = 0
    images: int = 0
    groups: int = 0
    annotations: int = 0


def conform(data: bytes, ink: Ink) -> tuple[bytes, Conversion]:
    """`data` (a PDF/X-4 from WeasyPrint, with its output intent) with every colour for `ink`, no annotation,
    and a PDF 1.6 header."""
    conversion = Conversion()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        colours = PressColours(ink, output_profile(pdf))
        tagged_rgb: pikepdf.Array | None = None  # one sRGB profile for every RGB image
        for found in walk(pdf):
            if found.kind in CONTENT:
                _convert_content(pdf, found, colours, conversion)
                conversion.groups += _convert_group(found.obj, ink)
            elif found.kind == SHADING:
                conversion.shadings += _convert_shading(found.obj, colours)
            elif found.kind == IMAGE:
                image = cast(pikepdf.Stream, found.obj)
                if ink.is_black:
                    conversion.images += _gray_image(image, colours)
                elif _device_rgb(image):
                    if tagged_rgb is None:
                        tagged_rgb = pikepdf.Array([pikepdf.Name.ICCBased, pdf.make_stream(
                            srgb_profile_bytes(), N=3, Alternate=pikepdf.Name.DeviceRGB)])
                    _tag_rgb(image, tagged_rgb)
                    conversion.images += 1
        for page in pdf.pages:
            if "/Annots" in page.obj:
                conversion.annotations += len(page.obj.Annots)
                del page.obj.Annots
        output = io.BytesIO()
        pdf.save(output, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate,
                 compress_streams=True, force_version=PDFX_VERSION, fix_metadata_version=False,
                 preserve_pdfa=False)
    return output.getvalue(), conversion


def output_profile(pdf: pikepdf.Pdf) -> bytes:
    """The ICC profile of the file's PDF/X output intent: what every colour is converted into."""
    for intent in pdf.Root.get("/OutputIntents", pikepdf.Array()):
        if intent.get("/S") == "/GTS_PDFX" and "/DestOutputProfile" in intent:
            return intent.DestOutputProfile.read_bytes()
    raise ValueError("expected a PDF/X output intent with its profile, found none")


def _target(ink: Ink) -> tuple[pikepdf.Name, str, str]:
    """The ink's colour space, and its fill and stroke operators."""
    return (pikepdf.Name.DeviceGray, "g", "G") if ink.is_black else (pikepdf.Name.DeviceCMYK, "k", "K")


def _needs_conversion(family: str, ink: Ink) -> bool:
    return family in (RGB, LAB) or (family == CMYK and ink.is_black)


def _convert_content(pdf: pikepdf.Pdf, found: Found, colours: PressColours, conversion: Conversion) -> None:
    """Rewrite the colour operators of one content stream (a page's, a form's, a pattern cell's)."""
    owner, resources = found.obj, found.resources
    space, fill_operator, stroke_operator = _target(colours.ink)
    converting: dict[bool, str | None] = {False: None, True: None}  # fill, stroke: the family `sc` converts from
    saved: list[dict[bool, str | None]] = []
    rewritten: list[Instruction] = []
    changed = False
    for instruction in found.instructions:
        operator = str(instruction.operator)
        stroke = operator.isupper()
        if operator == "q":
            saved.append(dict(converting))
        elif operator == "Q" and saved:
            converting = saved.pop()
        elif operator in _SETTERS:
            converting[stroke] = None
            family = _SETTERS[operator]
            if _needs_conversion(family, colours.ink):
                values = colours.convert(family, tuple(float(value) for value in instruction.operands))
                new = stroke_operator if stroke else fill_operator
                conversion.operators[f"{operator} -> {new}"] += 1
                instruction = pikepdf.ContentStreamInstruction(list(values), pikepdf.Operator(new))
                changed = True
        elif operator in ("cs", "CS"):
            family = family_of(named_space(resources, instruction.operands[0]))
            converting[stroke] = family if _needs_conversion(family, colours.ink) else None
            if converting[stroke]:
                conversion.operators[f"{operator} {family} -> {space}"] += 1
                instruction = pikepdf.ContentStreamInstruction([space], instruction.operator)
                changed = True
        elif operator in ("sc", "scn", "SC", "SCN") and converting[stroke]:
            source = converting[stroke]
            operands = list(instruction.operands)
            if source and all(isinstance(value, int | float | Decimal) for value in operands):
                values = colours.convert(source, tuple(float(value) for value in operands))
                conversion.operators[f"{operator} {source} -> {operator[:2]}"] += 1
                instruction = pikepdf.ContentStreamInstruction(list(values), pikepdf.Operator(operator[:2]))
                changed = True
        rewritten.append(instruction)
    if not changed:
        return
    data = pikepdf.unparse_content_stream(rewritten)
    if isinstance(owner, pikepdf.Stream):
        owner.write(data)
    else:  # a page: its contents, one stream or several, become one
        owner.Contents = pdf.make_stream(data)


def _convert_group(owner: pikepdf.Object, ink: Ink) -> int:
    """A transparency group that blends in RGB (or, with black ink, in CMYK) blends in the ink's space."""
    group = owner.get("/Group")
    if not isinstance(group, pikepdf.Dictionary) or "/CS" not in group:
        return 0
    if not _needs_conversion(family_of(group.CS), ink):
        return 0
    group.CS = _target(ink)[0]
    return 1


def function_outputs(function: pikepdf.Object) -> int | None:
    """How many values a shading's function gives (None: a kind whose outputs are not read here)."""
    if isinstance(function, pikepdf.Array):  # one function per component
        return len(function)
    kind = int(function.get("/FunctionType", -1))
    if kind == 2:
        return len(function.get("/C0", [0]))
    if kind == 3:
        counts = {function_outputs(part) for part in function.Functions}
        return counts.pop() if len(counts) == 1 else None
    if "/Range" in function:  # sampled and PostScript functions say it in their range
        return len(function.Range) // 2
    return None


def _convert_shading(shading: pikepdf.Object, colours: PressColours) -> int:
    """Convert a shading's colours at both ends of each exponential function; 1 if it changed, else 0."""
    family = family_of(shading.get("/ColorSpace"))
    outputs = function_outputs(shading.Function) if "/Function" in shading else None
    if outputs is None:
        return 0
    # WeasyPrint writes a gradient's sRGB values whatever the space it names
    source = RGB if outputs == 3 and family != LAB else family
    if COMPONENTS.get(source) != outputs or not (_needs_conversion(source, colours.ink) or source != family):
        return 0
    if not _convertible(shading.Function):
        return 0
    _convert_function(shading.Function, source, colours)
    if "/Background" in shading:
        shading.Background = pikepdf.Array(colours.convert(source, tuple(float(v) for v in shading.Background)))
    shading.ColorSpace = _target(colours.ink)[0]
    return 1


def _convertible(function: pikepdf.Object) -> bool:
    if isinstance(function, pikepdf.Array):
        return False  # one function per component: not written by WeasyPrint, left for the preflight
    kind = int(function.get("/FunctionType", -1))
    return kind == 2 or (kind == 3 and all(_convertible(part) for part in function.Functions))


def _convert_function(function: pikepdf.Object, source: str, colours: PressColours) -> None:
    if int(function.FunctionType) == 3:
        for part in function.Functions:
            _convert_function(part, source, colours)
        return
    for end, default in (("/C0", (0.0,)), ("/C1", (1.0,))):
        values = tuple(float(value) for value in function.get(end, default))
        function[end] = pikepdf.Array(colours.convert(source, values))
    if "/Range" in function:
        del function.Range  # it described the old outputs


def _device_rgb(image: pikepdf.Stream) -> bool:
    """Whether an image's colours (or its palette's) are DeviceRGB, which PDF/X-4 refuses untagged."""
    space = image.get("/ColorSpace")
    if isinstance(space, pikepdf.Array) and len(space) > 1 and space[0] == pikepdf.Name.Indexed:
        space = space[1]
    return space == pikepdf.Name.DeviceRGB


def _tag_rgb(image: pikepdf.Stream, tagged: pikepdf.Array) -> None:
    space = image.ColorSpace
    if isinstance(space, pikepdf.Array):  # an indexed image: its palette is sRGB
        space[1] = tagged
    else:
        image.ColorSpace = tagged


def _gray_image(image: pikepdf.Stream, colours: PressColours) -> int:
    """An image for black ink: its pixels as greys of the same lightness (1 if it changed, else 0)."""
    if image.get("/ImageMask") or family_of(image.get("/ColorSpace")) == GRAY:
        return 0
    gray = colours.gray_image(pikepdf.PdfImage(image).as_pil_image())
    image.write(zlib.compress(gray.tobytes(), 9), filter=pikepdf.Name.FlateDecode)
    image.ColorSpace = pikepdf.Name.DeviceGray
    image.BitsPerComponent = 8
    for key in ("/Decode", "/DecodeParms"):
        if key in image:
            del image[key]
    return 1
