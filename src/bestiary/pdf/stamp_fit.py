"""How big a stamp is set, and on how many lines, to fit the room a page leaves it (stamp_room.py).

Measured with the stamp font's own metrics (ReportLab's, of the registered Courier Prime): a stamp shrinks
from its size down to a floor, and only then wraps, so that it always shows its words whole.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reportlab.pdfbase import pdfmetrics

from .stamp_room import Box

FOOT_SIZES = (8.0, 6.0)  # the line at every page's foot: its size, and the smallest it shrinks to
RUBBER_SIZES = (13.0, 7.0)  # the cover sheet's rubber stamp
RUBBER_TILT = math.radians(8)
LEADING = 1.2  # line spacing, in font sizes
SIZE_STEP = 0.25


@dataclass(frozen=True)
class Fitted:
    """Lines of a stamp and the size that lets them fit their room."""

    lines: tuple[str, ...]
    size: float


def fit(arrangements: Sequence[tuple[str, ...]], sizes: tuple[float, float],
        fits: Callable[[tuple[str, ...], float], bool]) -> Fitted | None:
    """The first arrangement of lines that `fits` at some size from `sizes[0]` down to `sizes[1]`, at the
    largest such size: shrinking comes before wrapping. None when none fits even at the smallest size."""
    largest, smallest = sizes
    for lines in arrangements:
        size = largest
        while size >= smallest:
            if fits(lines, size):
                return Fitted(lines, size)
            size -= SIZE_STEP
    return None


def arrangements(parts: tuple[str, ...], font: str, *, one_line: bool) -> list[tuple[str, ...]]:
    """How a stamp's `parts` may be set, from the fewest lines up: all on one line (if `one_line`), a part
    per line, then with the longest part split in two as well."""
    longest = max(range(len(parts)), key=lambda index: pdfmetrics.stringWidth(parts[index], font, 1))
    split = (*parts[:longest], *halves(parts[longest]), *parts[longest + 1:])
    joined = [(" // ".join(parts),)] if one_line else []
    return list(dict.fromkeys([*joined, parts, split]))


def halves(text: str) -> tuple[str, str]:
    """`text` on two lines of about the same length: at the space nearest its middle, or in the middle of
    its one word (a name without spaces: shown whole, across the lines)."""
    middle = len(text) / 2
    spaces = [index for index, character in enumerate(text) if character == " "]
    if not spaces:
        cut = math.ceil(middle)
        return text[:cut], text[cut:]
    cut = min(spaces, key=lambda index: abs(index - middle))
    return text[:cut], text[cut + 1:]


def block_height(lines: int, font: str, size: float) -> float:
    """From the first line's ascent to the last line's descent."""
    ascent, descent = pdfmetrics.getAscentDescent(font, size)
    return float(ascent - descent + (lines - 1) * LEADING * size)


def widest(lines: tuple[str, ...], font: str, size: float) -> float:
    """The width of the longest of `lines`."""
    return float(max(pdfmetrics.stringWidth(line, font, size) for line in lines))


@dataclass(frozen=True)
class RubberStamp:
    """The cover's rubber stamp at one size: its frame before tilting, and the box the tilted frame takes."""

    fitted: Fitted
    padding: float
    frame_width: float
    frame_height: float
    stroke: float

    @classmethod
    def of(cls, lines: tuple[str, ...], font: str, size: float) -> RubberStamp:
        padding, stroke = 0.5 * size, size / 6.5
        return cls(Fitted(lines, size), padding, widest(lines, font, size) + 2 * padding,
                   block_height(len(lines), font, size) + 2 * padding, stroke)

    @property
    def tilted_width(self) -> float:
        return self.frame_width * math.cos(RUBBER_TILT) + self.frame_height * math.sin(RUBBER_TILT) + self.stroke

    @property
    def tilted_height(self) -> float:
        return self.frame_width * math.sin(RUBBER_TILT) + self.frame_height * math.cos(RUBBER_TILT) + self.stroke


def fit_foot(parts: tuple[str, ...], font: str, footers: Sequence[Box]) -> Fitted | None:
    """The foot line's lines and size: the same on every page, so it fits the smallest of `footers`."""
    def fits(lines: tuple[str, ...], size: float) -> bool:
        return all(widest(lines, font, size) <= room.width and block_height(len(lines), font, size) <= room.height
                   for room in footers)

    return fit(arrangements(parts, font, one_line=True), FOOT_SIZES, fits)


def fit_rubber(parts: tuple[str, ...], font: str, room: Box) -> RubberStamp | None:
    """The cover's rubber stamp at the largest size and fewest lines whose tilted frame fits `room`."""
    def fits(lines: tuple[str, ...], size: float) -> bool:
        stamp = RubberStamp.of(lines, font, size)
        return stamp.tilted_width <= room.width and stamp.tilted_height <= room.height

    fitted = fit(arrangements(parts, font, one_line=False), RUBBER_SIZES, fits)
    return None if fitted is None else RubberStamp.of(fitted.lines, font, fitted.size)
