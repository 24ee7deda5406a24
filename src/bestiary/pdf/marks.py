"""Where a page puts marks: each run of text, each painted path and each image as a box in the page's space.

For the preflight's live-area rule. A small content-stream interpreter: the
current transformation (`cm`, `q`/`Q`, a form's /Matrix, to any depth), the
text state (`Tm`, `Td`, `TD`, `T*`, `TL`, `Tf`, `Tc`, `Tw`, `Tz`, `Ts`), path
construction and painting. A text run's box goes from its origin to its
advance (the font's widths, the TJ adjustments, character and word spacing),
between the font's descent and ascent.

Best effort, and it says so: clipping is not applied (a shape clipped to the
page counts at its full size), shadings painted with `sh` have no box without
their clip and are left out, invisible text (`3 Tr`) is left out, a stroke's
width is not added to its path, and a font without widths counts half an em a
glyph.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

import pikepdf

Matrix = tuple[float, float, float, float, float, float]
Box = tuple[float, float, float, float]  # left, bottom, right, top
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
TEXT, SHAPE, IMAGE = "text", "shape", "image"
_PAINT = {"S", "s", "f", "F", "f*", "B", "B*", "b", "b*"}
_SHOW = {"Tj", "TJ", "'", '"'}


@dataclass(frozen=True)
class Mark:
    kind: str  # TEXT, SHAPE or IMAGE
    box: Box


def multiply(first: Matrix, second: Matrix) -> Matrix:
    """`first` then `second`, as PDF concatenates matrices (row vectors)."""
    a, b, c, d, e, f = first
    a2, b2, c2, d2, e2, f2 = second
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


def apply(matrix: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = matrix
    return a * x + c * y + e, b * x + d * y + f


def box_of(points: list[tuple[float, float]]) -> Box:
    xs, ys = [x for x, _ in points], [y for _, y in points]
    return min(xs), min(ys), max(xs), max(ys)


@dataclass
class _Font:
    widths: dict[int, float]  # glyph space units (1/1000 em) by code
    default_width: float
    two_byte: bool
    ascent: float
    descent: float
    measured: dict[bytes, tuple[int, float, int]] = field(default_factory=dict)


FontCache = dict[tuple[int, int], "_Font"]


def page_marks(page: pikepdf.Page, fonts: FontCache | None = None) -> Iterator[Mark]:
    """Every mark of one page, in the page's default user space (where its boxes are given). `fonts` keeps
    what was read of each font (give the same to every page of a file)."""
    yield from _marks(page.obj, page.obj.get("/Resources", pikepdf.Dictionary()), IDENTITY,
                      {} if fonts is None else fonts, 0)


def _marks(owner: pikepdf.Object, resources: pikepdf.Object, ctm: Matrix, fonts: FontCache,
           depth: int) -> Iterator[Mark]:
    if depth > 12:  # forms nested deeper than any layout makes: a loop
        return
    stack: list[Matrix] = []
    path: list[tuple[float, float]] = []
    text_matrix = line_matrix = IDENTITY
    font: _Font | None = None
    size = leading = char_spacing = word_spacing = rise = 0.0
    scale = 1.0
    invisible = False
    for instruction in pikepdf.parse_content_stream(owner):
        operator = str(instruction.operator)
        operands = list(getattr(instruction, "operands", ()))
        numbers = [float(value) for value in operands if isinstance(value, int | float | Decimal)]
        if operator == "q":
            stack.append(ctm)
        elif operator == "Q" and stack:
            ctm = stack.pop()
        elif operator == "cm" and len(numbers) == 6:
            ctm = multiply(tuple(numbers), ctm)  # type: ignore[arg-type]
        elif operator in ("m", "l") and len(numbers) == 2:
            path.append(apply(ctm, *numbers))
        elif operator in ("c", "v", "y"):
            path += [apply(ctm, numbers[i], numbers[i + 1]) for i in range(0, len(numbers) - 1, 2)]
        elif operator == "re" and len(numbers) == 4:
            x, y, width, height = numbers
            path += [apply(ctm, x, y), apply(ctm, x + width, y + height), apply(ctm, x + width, y),
                     apply(ctm, x, y + height)]
        elif operator in _PAINT:
            if path:
                yield Mark(SHAPE, box_of(path))
            path = []
        elif operator == "n":
            path = []  # a clip or nothing: no ink
        elif operator == "INLINE IMAGE":
            yield Mark(IMAGE, box_of([apply(ctm, x, y) for x, y in ((0, 0), (1, 0), (0, 1), (1, 1))]))
        elif operator == "Do" and operands:
            xobject = _resource(resources, "/XObject", operands[0])
            if not isinstance(xobject, pikepdf.Stream):
                continue
            if xobject.get("/Subtype") == "/Image":
                yield Mark(IMAGE, box_of([apply(ctm, x, y) for x, y in ((0, 0), (1, 0), (0, 1), (1, 1))]))
            elif xobject.get("/Subtype") == "/Form":
                matrix = tuple(float(v) for v in xobject.get("/Matrix", IDENTITY))
                yield from _marks(xobject, xobject.get("/Resources", resources),
                                  multiply(matrix, ctm), fonts, depth + 1)  # type: ignore[arg-type]
        elif operator == "BT":
            text_matrix = line_matrix = IDENTITY
        elif operator == "Tf" and operands:
            font = _font(_resource(resources, "/Font", operands[0]), fonts)
            size = numbers[-1] if numbers else size
        elif operator == "Tm" and len(numbers) == 6:
            text_matrix = line_matrix = tuple(numbers)  # type: ignore[assignment]
        elif operator in ("Td", "TD") and len(numbers) == 2:
            if operator == "TD":
                leading = -numbers[1]
            text_matrix = line_matrix = multiply((1, 0, 0, 1, numbers[0], numbers[1]), line_matrix)
        elif operator == "T*":
            text_matrix = line_matrix = multiply((1, 0, 0, 1, 0, -leading), line_matrix)
        elif operator == "TL" and numbers:
            leading = numbers[0]
        elif operator == "Tc" and numbers:
            char_spacing = numbers[0]
        elif operator == "Tw" and numbers:
            word_spacing = numbers[0]
        elif operator == "Tz" and numbers:
            scale = numbers[0] / 100
        elif operator == "Ts" and numbers:
            rise = numbers[0]
        elif operator == "Tr" and numbers:
            invisible = numbers[0] == 3
        elif operator in _SHOW:
            if operator in ("'", '"'):
                if operator == '"' and len(numbers) >= 2:
                    word_spacing, char_spacing = numbers[0], numbers[1]
                text_matrix = line_matrix = multiply((1, 0, 0, 1, 0, -leading), line_matrix)
            advance = _advance(operands, font, size, char_spacing, word_spacing) * scale
            if font is not None and not invisible:
                low, high = font.descent * size / 1000 + rise, font.ascent * size / 1000 + rise
                corners = [(0.0, low), (advance, low), (0.0, high), (advance, high)]
                device = multiply(text_matrix, ctm)
                yield Mark(TEXT, box_of([apply(device, x, y) for x, y in corners]))
            text_matrix = multiply((1, 0, 0, 1, advance, 0), text_matrix)


def _resource(resources: pikepdf.Object, category: str, name: pikepdf.Object) -> pikepdf.Object | None:
    entries = resources.get(category) if isinstance(resources, pikepdf.Dictionary) else None
    if not isinstance(entries, pikepdf.Dictionary) or str(name) not in entries:
        return None
    return entries[str(name)]


def _advance(operands: list[object], font: _Font | None, size: float, char_spacing: float,
             word_spacing: float) -> float:
    """How far a show operation moves along its line, in text space (before horizontal scaling)."""
    total = 0.0
    for operand in operands:
        parts = operand.as_list() if isinstance(operand, pikepdf.Array) else [operand]
        for part in parts:
            if isinstance(part, int | float | Decimal):  # a TJ adjustment, in thousandths of an em
                total -= float(part) / 1000 * size
            else:
                glyphs, units, spaces = _measure(bytes(part), font)  # type: ignore[call-overload]
                total += units / 1000 * size + glyphs * char_spacing + spaces * word_spacing
    return total


def _measure(data: bytes, font: _Font | None) -> tuple[int, float, int]:
    """A string's glyphs, their widths (thousandths of an em) and its single-byte spaces, kept per font."""
    if font is None:
        return len(data), len(data) * 500.0, 0
    if data not in font.measured:
        step = 2 if font.two_byte else 1
        codes = [int.from_bytes(data[i:i + step], "big") for i in range(0, len(data) - step + 1, step)]
        font.measured[data] = (len(codes), sum(font.widths.get(code, font.default_width) for code in codes),
                               codes.count(32) if step == 1 else 0)
    return font.measured[data]


def _font(font: pikepdf.Object | None, fonts: FontCache) -> _Font | None:
    """A font's widths and vertical extent, read once."""
    if font is None:
        return None
    key = font.objgen  # (0, 0) for a direct font: read again each time, never mistaken for another
    if key in fonts and font.is_indirect:
        return fonts[key]
    widths: dict[int, float] = {}
    if font.get("/Subtype") == "/Type0":
        descendant = font.DescendantFonts[0]
        descriptor = descendant.get("/FontDescriptor", pikepdf.Dictionary())
        default = float(descendant.get("/DW", 1000))
        entries = list(descendant.get("/W", pikepdf.Array()))
        position = 0
        while position < len(entries):  # c [w1 w2 …] or c_first c_last w
            first = int(entries[position])
            if isinstance(entries[position + 1], pikepdf.Array):
                for offset, width in enumerate(entries[position + 1]):
                    widths[first + offset] = float(width)
                position += 2
            else:
                for code in range(first, int(entries[position + 1]) + 1):
                    widths[code] = float(entries[position + 2])
                position += 3
        two_byte = True
    else:
        descriptor = font.get("/FontDescriptor", pikepdf.Dictionary())
        first = int(font.get("/FirstChar", 0))
        widths = {first + offset: float(width) for offset, width in enumerate(font.get("/Widths", []))}
        default = float(descriptor.get("/MissingWidth", 500))
        two_byte = False
    ascent = float(descriptor.get("/Ascent", 750)) or 750.0
    descent = float(descriptor.get("/Descent", -250))
    fonts[key] = _Font(widths, default, two_byte, ascent, descent)
    return fonts[key]
