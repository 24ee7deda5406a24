"""SVG drawn by hand for the field statistics (`charts`): an element tree, label boxes, and label placement.

Every label is Courier Prime, whose glyphs are all 0.6 em wide, so the box a
label takes is known exactly from its length: no font engine is needed to keep
labels clear of each other. Coordinates are written with two decimals at most,
so the same chart is the same bytes.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from dataclasses import dataclass

from markupsafe import Markup

INK = "#1b1b1b"  # text, axes and lines: the text colour of print.css; the EPUB's stylesheet gives them the reader's
CHAR_WIDTH = 0.6  # em, Courier Prime's advance

Box = tuple[float, float, float, float]  # left, top, right, bottom


@dataclass(frozen=True)
class Frame:
    """What a chart is drawn for: its width in user units (points, in print), its label size, the
    height of one of several panels, as a share of the width, and the colour of a rectangle behind it, if any."""

    width: float
    font_size: float
    panel_ratio: float
    backing: str | None = None

    @property
    def small(self) -> float:
        return round(self.font_size * 0.9, 2)


PRINT = Frame(252.0, 6.0, 0.66)  # the pocket page's text width (3.5 in), labels at 6 pt, two panels a page
# A phone's column, about 340 CSS px: labels at about 12 px; taller panels. White behind: a converter that takes the
# SVG out of the page (Calibre's AZW3 makes it an image, without the stylesheet) still shows the ink on a dark screen.
SCREEN = Frame(240.0, 8.5, 0.8, "#ffffff")


def coordinate(value: float) -> str:
    """A coordinate as the SVG carries it: two decimals at most, no trailing zeros, never "-0"."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


class Drawing:
    """An SVG element tree in user units; attributes given as numbers are written as `coordinate`s."""

    def __init__(self, width: float, height: float, label: str, kind: str, backing: str | None = None) -> None:
        # every stroke and fill is explicit (INK, a colour): none is left to a default that a dark screen hides
        self.root = ElementTree.Element("svg", {
            "xmlns": "http://www.w3.org/2000/svg", "class": f"chart-svg chart-{kind}", "role": "img",
            "aria-label": label, "font-family": "Courier Prime"})
        ElementTree.SubElement(self.root, "title").text = label
        self.backing = None if backing is None else ElementTree.SubElement(
            self.root, "rect", {"class": "chart-backing", "x": "0", "y": "0", "fill": backing})
        self.resize(width, height)

    def add(self, tag: str, text: str | None = None, /, **attributes: float | str) -> ElementTree.Element:
        element = ElementTree.SubElement(self.root, tag, {
            name.rstrip("_").replace("_", "-"): coordinate(value) if isinstance(value, int | float) else value
            for name, value in attributes.items()})
        element.text = text
        return element

    def text(self, x: float, y: float, content: str, size: float, anchor: str = "start",
             **attributes: float | str) -> None:
        self.add("text", content, x=x, y=y, font_size=size, text_anchor=anchor, fill=INK, **attributes)

    def resize(self, width: float, height: float) -> None:
        """Set the drawing's size once its content is known (a legend's lines, say)."""
        self.width, self.height = width, height
        self.root.set("viewBox", f"0 0 {coordinate(width)} {coordinate(height)}")
        self.root.set("width", coordinate(width))
        self.root.set("height", coordinate(height))
        if self.backing is not None:
            self.backing.set("width", coordinate(width))
            self.backing.set("height", coordinate(height))

    def markup(self) -> Markup:
        return Markup(ElementTree.tostring(self.root, encoding="unicode"))


def _polygon(corners: int, outer: float, inner: float | None = None,
             turn: float = 0.0) -> tuple[tuple[float, float], ...]:
    """A regular polygon (or, given `inner`, a star) around the origin, its first corner up, in radii."""
    radii = (outer,) if inner is None else (outer, inner)
    steps = corners * len(radii)
    return tuple((radii[step % len(radii)] * math.sin(turn + 2 * math.pi * step / steps),
                  -radii[step % len(radii)] * math.cos(turn + 2 * math.pi * step / steps)) for step in range(steps))


# Families are told apart by marker shape as well as colour: in black ink, or to a reader who cannot tell red
# from green, the colours are one grey. Each outline is sized to cover about a circle's area of the same radius.
MARKER_SHAPES = ("circle", "square", "triangle", "diamond", "triangle-down", "hexagon", "star", "cross")
_OUTLINES: dict[str, tuple[tuple[float, float], ...]] = {
    "square": _polygon(4, 1.25, turn=math.pi / 4),
    "triangle": _polygon(3, 1.4),
    "diamond": _polygon(4, 1.3),
    "triangle-down": _polygon(3, 1.4, turn=math.pi),
    "hexagon": _polygon(6, 1.1),
    "star": _polygon(5, 1.5, 0.65),
    "cross": ((-0.35, -1.15), (0.35, -1.15), (0.35, -0.35), (1.15, -0.35), (1.15, 0.35), (0.35, 0.35),
              (0.35, 1.15), (-0.35, 1.15), (-0.35, 0.35), (-1.15, 0.35), (-1.15, -0.35), (-0.35, -0.35)),
}


def marker(drawing: Drawing, shape: str, x: float, y: float, radius: float,
           **attributes: float | str) -> ElementTree.Element:
    """A filled marker of `shape` (one of MARKER_SHAPES) centred on (x, y), about as large as a circle of `radius`,
    with the class `marker-<shape>` besides any it is given."""
    attributes["class_"] = f"{attributes.get('class_', '')} marker-{shape}".strip()
    if shape not in _OUTLINES:
        return drawing.add("circle", cx=x, cy=y, r=radius, **attributes)
    corners = " ".join(f"{coordinate(x + dx * radius)},{coordinate(y + dy * radius)}" for dx, dy in _OUTLINES[shape])
    return drawing.add("polygon", points=corners, **attributes)


def text_box(x: float, y: float, text: str, size: float, anchor: str) -> Box:
    """Where a line of Courier Prime at baseline `y` lies (ascent 0.75 em, descent 0.25 em)."""
    width = len(text) * CHAR_WIDTH * size
    left = x - {"start": 0.0, "middle": width / 2, "end": width}[anchor]
    return left, y - 0.75 * size, left + width, y + 0.25 * size


def overlap(a: Box, b: Box) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def shorten(text: str, chars: int) -> str:
    """`text` if it has `chars` characters at most, else cut at a word boundary with an ellipsis."""
    if len(text) <= chars:
        return text
    cut = text[:max(chars - 1, 1)]
    if " " in cut.strip() and text[len(cut)] != " ":  # a word cut in two goes whole
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-\u2013\u2014") + "\u2026"


def legend(drawing: Drawing, items: list[tuple[str, str, str]], top: float, size: float, columns: int = 0) -> float:
    """Swatches (colour and marker shape) and labels under a chart, flowed into lines (or set in `columns`,
    shortened to fit them); returns the height they take."""
    line, gap = size * 1.45, size * 1.2
    column = (drawing.width + gap) / columns if columns else drawing.width
    chars = int((column - gap * bool(columns) - size * 1.3) / (CHAR_WIDTH * size))
    x, y = 0.0, top + size
    for number, (colour, shape, label) in enumerate(items):
        label = shorten(label, chars)
        width = column if columns else size * 1.3 + len(label) * CHAR_WIDTH * size + gap
        wraps = number % columns == 0 if columns else x + width - gap > drawing.width
        if x > 0 and wraps:
            x, y = 0.0, y + line
        marker(drawing, shape, x + size * 0.4, y - size * 0.3, size * 0.4, fill=colour)
        drawing.text(x + size * 1.1, y, label, size)
        x += width
    return y - top + size * 0.5


def nice_ticks(low: float, high: float, count: int = 5) -> list[int]:
    """Round values from below `low` to above `high`, about `count` of them (whole numbers)."""
    if high <= low:  # one value: a range around it
        spread = abs(low) * 0.1 or 1
        low, high = low - spread, high + spread
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(int(multiple * power) for multiple in (1, 2, 5, 10) if raw <= multiple * power)
    first, last = math.floor(low / step) * step, math.ceil(high / step) * step
    return list(range(first, last + step, step))


@dataclass(frozen=True)
class LabelGroup:
    """Points drawn as one marker and labelled together: their numbers, and where the marker is."""

    labels: tuple[str, ...]
    x: float
    y: float


def place_labels(groups: list[LabelGroup], radius: float, size: float, area: Box,
                 drawing: Drawing) -> None:
    """Each group's label at the first place clear of other labels and markers (the least crowded if none)."""
    markers = [(g.x - radius, g.y - radius, g.x + radius, g.y + radius) for g in groups]
    placed: list[Box] = []
    crowd = [sum(math.hypot(g.x - o.x, g.y - o.y) < size * 4 for o in groups) for g in groups]
    for index in sorted(range(len(groups)), key=lambda i: (-crowd[i], i)):
        group = groups[index]
        text = ", ".join(group.labels) if len(group.labels) <= 6 else \
            f"{', '.join(group.labels[:5])} +{len(group.labels) - 5}"
        best: tuple[float, int, tuple[float, float, str, bool, Box]] | None = None
        for rank, (x, y, anchor, leader) in enumerate(_candidates(group, radius, size)):
            box = text_box(x, y, text, size, anchor)
            outside = (box[2] - box[0]) * (box[3] - box[1]) - overlap(box, area)
            crowded = sum(overlap(box, other) for other in placed) + sum(
                overlap(box, marker) for number, marker in enumerate(markers) if number != index)
            score = outside * 10 + crowded
            if best is None or score < best[0]:
                best = (score, rank, (x, y, anchor, leader, box))
            if score == 0:
                break
        assert best is not None
        x, y, anchor, leader, box = best[2]
        if leader:  # from the marker's edge to the nearest point of the label's box
            edge_x, edge_y = min(max(group.x, box[0]), box[2]), min(max(group.y, box[1]), box[3])
            distance = math.hypot(edge_x - group.x, edge_y - group.y) or 1.0
            start_x = group.x + (edge_x - group.x) * radius / distance
            start_y = group.y + (edge_y - group.y) * radius / distance
            drawing.add("line", x1=start_x, y1=start_y, x2=edge_x, y2=edge_y, stroke=INK,
                        stroke_width=size * 0.07, stroke_opacity=0.6, class_="leader")
        drawing.text(x, y, text, size, anchor, class_="point-label", font_weight="bold")
        placed.append(box)


# Directions to try a label in, as (x, y) steps: the four sides, the corners, then between them.
_DIRECTIONS = tuple((round(math.cos(math.radians(a)), 3), round(math.sin(math.radians(a)), 3))
                    for a in (0, 180, -90, 90, -45, -135, 45, 135, -22.5, -157.5, 22.5, 157.5, -67.5, -112.5,
                              67.5, 112.5))


def _candidates(group: LabelGroup, radius: float, size: float) -> Iterator[tuple[float, float, str, bool]]:
    """Places for a label around its marker, nearest first: (x, baseline, anchor, needs a leader line).

    The label's box touches the point at that distance and direction: its left edge when the
    direction points right, its bottom edge when it points up, and so on.
    """
    # rings further out for a crowded chart (a 40-specimen book's busiest panel needs the sixth)
    for distance, directions in ((1.0, _DIRECTIONS[:8]), (2.2, _DIRECTIONS), (3.4, _DIRECTIONS),
                                 (4.8, _DIRECTIONS), (6.4, _DIRECTIONS), (8.2, _DIRECTIONS)):
        gap = radius * distance + size * 0.2
        for step_x, step_y in directions:
            x, y = group.x + gap * step_x, group.y + gap * step_y
            anchor = "start" if step_x > 0.38 else "end" if step_x < -0.38 else "middle"
            baseline = y - size * 0.25 if step_y < -0.38 else y + size * 0.75 if step_y > 0.38 else y + size * 0.25
            yield x, baseline, anchor, distance > 1.0
