"""The preflight's rules about where things are on a page: its boxes against the trim and the bleed, its marks
against the live area (`preflight` turns what they find into results).

Edges are named as a book's pages have them: top, bottom, outside (the fore-edge) and inside (the gutter);
on a recto the outside is on the right, on a verso on the left. Lengths are in points, in the page's
default user space, where its boxes are given.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pikepdf

from .marks import SHAPE, TEXT, Box, FontCache, page_marks

INCH = 72.0
TOLERANCE = 0.5  # points: what rounding in a layout engine leaves between two edges that meet
Problem = tuple[int, str, float | None]  # page, what is wrong, how far from the trim (for the live area)


@dataclass(frozen=True)
class Edges:
    """A length for each edge of a page, in points: top, bottom, outside (fore-edge) and inside (gutter)."""

    top: float
    bottom: float
    outside: float
    inside: float

    @classmethod
    def all(cls, length: float) -> Edges:
        return cls(length, length, length, length)

    def sides(self, recto: bool) -> tuple[float, float, float, float]:
        """Left, bottom, right, top: a recto's outside edge is on the right, a verso's on the left."""
        left, right = (self.inside, self.outside) if recto else (self.outside, self.inside)
        return left, self.bottom, right, self.top

    def __str__(self) -> str:
        return (f"top {inches(self.top)}, bottom {inches(self.bottom)}, outside {inches(self.outside)}, "
                f"inside {inches(self.inside)} in")


def box_problems(pdf: pikepdf.Pdf, trim_size: tuple[float, float], bleed: Edges,
                 first_page_recto: bool) -> Iterator[Problem]:
    """Pages without a TrimBox or a BleedBox, with another trim, or a bleed box that is not the trim plus
    `bleed` (or reaches past the media box)."""
    for number, page in enumerate(pdf.pages, start=1):
        missing = [name for name in ("/TrimBox", "/BleedBox") if name not in page.obj]
        if missing:
            yield number, f"no {' or '.join(name[1:] for name in missing)}", None
            continue
        trim, bleed_box, media = (_box(page.obj[name]) for name in ("/TrimBox", "/BleedBox", "/MediaBox"))
        width, height = trim[2] - trim[0], trim[3] - trim[1]
        if abs(width - trim_size[0]) > TOLERANCE or abs(height - trim_size[1]) > TOLERANCE:
            yield (number, f"trim {inches(width)} × {inches(height)} in, expected {inches(trim_size[0])} × "
                           f"{inches(trim_size[1])} in", None)
        left, bottom, right, top = bleed.sides(_recto(number, first_page_recto))
        wanted = (trim[0] - left, trim[1] - bottom, trim[2] + right, trim[3] + top)
        if any(abs(found - expected) > TOLERANCE for found, expected in zip(bleed_box, wanted, strict=True)):
            yield number, f"the bleed box is not the trim plus the bleed ({bleed})", None
        if not _within(bleed_box, media):
            yield number, "the bleed box reaches past the media box", None


def live_area_problems(page: pikepdf.Page, number: int, bleed: Edges, live_area: Edges, first_page_recto: bool,
                       fonts: FontCache) -> Iterator[Problem]:
    """Text outside the live area, and shapes or images in a margin that stop short of the page's edge
    (through the bleed where there is one); each with how close to the trim it comes. `fonts`: what was
    read of the file's fonts, kept from page to page."""
    if "/TrimBox" not in page.obj:
        return  # reported by the page boxes' rule
    trim = _box(page.obj.TrimBox)
    recto = _recto(number, first_page_recto)
    margin, bled = live_area.sides(recto), bleed.sides(recto)
    live = (trim[0] + margin[0], trim[1] + margin[1], trim[2] - margin[2], trim[3] - margin[3])
    edge = (trim[0] - bled[0], trim[1] - bled[1], trim[2] + bled[2], trim[3] + bled[3])
    names = ("inside", "bottom", "outside", "top") if recto else ("outside", "bottom", "inside", "top")
    for mark in page_marks(page, fonts):
        for side in _outside(mark.box, live):
            distance = mark.box[side] - trim[side] if side < 2 else trim[side] - mark.box[side]
            if mark.kind == TEXT:
                yield number, f"text in the {names[side]} margin", distance
            elif not _reaches(mark.box, edge, side):
                what = "a shape" if mark.kind == SHAPE else "an image"
                yield number, f"{what} in the {names[side]} margin stops short of the edge", distance


def inches(points: float) -> str:
    """A length in inches as a service's form gives it: up to three decimals, no trailing zeros."""
    return f"{points / INCH:.3f}".rstrip("0").rstrip(".")


def _outside(box: Box, live: Box) -> Iterator[int]:
    """The sides (0 left, 1 bottom, 2 right, 3 top) on which `box` passes the live area."""
    if box[0] < live[0] - TOLERANCE:
        yield 0
    if box[1] < live[1] - TOLERANCE:
        yield 1
    if box[2] > live[2] + TOLERANCE:
        yield 2
    if box[3] > live[3] + TOLERANCE:
        yield 3


def _reaches(box: Box, edge: Box, side: int) -> bool:
    """Whether `box` runs to the page's edge on `side` (through the bleed where there is one)."""
    return box[side] <= edge[side] + TOLERANCE if side < 2 else box[side] >= edge[side] - TOLERANCE


def _within(inner: Box, outer: Box) -> bool:
    return (inner[0] >= outer[0] - TOLERANCE and inner[1] >= outer[1] - TOLERANCE
            and inner[2] <= outer[2] + TOLERANCE and inner[3] <= outer[3] + TOLERANCE)


def _recto(number: int, first_page_recto: bool) -> bool:
    return (number % 2 == 1) == first_page_recto


def _box(array: pikepdf.Object) -> Box:
    left, bottom, right, top = (float(value) for value in array)
    return min(left, right), min(bottom, top), max(left, right), max(bottom, top)
