"""An ISBN's EAN-13 barcode as the cover wrap draws it (inline SVG): ReportLab works out the symbol (guard bars,
the two halves' encodings, where the digits go) and this keeps its bars and digits as plain data, in points."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.graphics.barcode.eanbc import Ean13BarcodeWidget
from reportlab.graphics.shapes import Group, Rect, String

from ..template_data import template_data
from ..text.isbn import ean13, isbn_characters

# 100 % magnification (0.33 mm bars, ReportLab's default), its height cut to leave the ISBN line room in a
# barcode area 1.2 in tall: a scanner reads the width; the height only has to be generous.
BAR_HEIGHT = 62.0
DIGIT_SIZE = 8.0


@template_data()
@dataclass(frozen=True)
class Bar:
    """One dark bar, in points from the symbol's top left (SVG's way round)."""

    x: float
    y: float
    width: float
    height: float


@template_data()
@dataclass(frozen=True)
class Digit:
    """Human-readable digits under the bars: their text, where their baseline is, and which end `x` holds."""

    text: str
    x: float
    y: float
    anchor: str  # start, middle or end, as SVG's text-anchor


@template_data()
@dataclass(frozen=True)
class Barcode:
    """An EAN-13 symbol: its size, bars and digits in points, and the ISBN it encodes as the book writes it."""

    isbn: str  # printed above the symbol: "ISBN 978-0-306-40615-7"
    ean: str  # the 13 digits encoded
    width: float
    height: float
    digit_size: float
    bars: tuple[Bar, ...]
    digits: tuple[Digit, ...]


def ean13_barcode(identifier: str) -> Barcode:
    """The barcode of a valid ISBN identifier (`isbn:…`; book.yaml's check digit was checked as it loaded)."""
    ean = ean13(identifier)
    widget = Ean13BarcodeWidget(ean[:12], barHeight=BAR_HEIGHT, fontSize=DIGIT_SIZE)
    _, _, width, height = widget.getBounds()
    bars: list[Bar] = []
    digits: list[Digit] = []

    def walk(group: Group) -> None:
        for shape in group.contents:
            if isinstance(shape, Group):
                walk(shape)
            elif isinstance(shape, Rect) and shape.fillColor is not None:
                bars.append(Bar(shape.x, height - shape.y - shape.height, shape.width, shape.height))
            elif isinstance(shape, String):
                digits.append(Digit(shape.text, shape.x, height - shape.y, shape.textAnchor))

    walk(widget.draw())
    # the ISBN as the book writes it, hyphens and all; an ISBN-10 is printed as the ISBN-13 the bars encode
    isbn = identifier.split(":")[-1].strip() if len(isbn_characters(identifier)) == 13 else ean
    return Barcode(isbn, ean, width, height, DIGIT_SIZE, tuple(bars), tuple(digits))
