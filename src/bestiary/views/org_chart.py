"""Geometry of the org-chart diagram, computed once for every output.

The layouts draw the boxes as SVG; this module only decides where they go.
Labels are wrapped by character count, which is exact for our monospaced
typewriter face (every glyph of Courier Prime is 0.6 em wide).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from ..book.model import Role
from ..template_data import template_data

CHAR_WIDTH = 0.6  # em, Courier Prime's advance
FONT_SIZE = 9.0
LINE_HEIGHT = 11.0
BOX_WIDTH = 190.0
PADDING = 6.0
GAP = 14.0
MAX_CHARS = int((BOX_WIDTH - 2 * PADDING) / (CHAR_WIDTH * FONT_SIZE))


@template_data("center_x")
@dataclass(frozen=True)
class Box:
    label: str
    x: float
    y: float
    width: float
    height: float
    lines: tuple[tuple[float, str], ...]  # (baseline y, text)
    is_subject: bool
    connector_from: float | None  # y where the line from the box above starts

    @property
    def center_x(self) -> float:
        """Where the box's text is centred and its connector runs."""
        return self.x + self.width / 2


@template_data()
@dataclass(frozen=True)
class OrgChart:
    width: float
    height: float
    boxes: tuple[Box, ...]
    description: str


def org_chart(role: Role) -> OrgChart:
    """A vertical chain of boxes, top of the chain first, the role itself highlighted."""
    boxes: list[Box] = []
    y = 1.0
    previous_bottom: float | None = None
    for label in role.org_chart:
        wrapped = textwrap.wrap(label, MAX_CHARS, break_long_words=True) or [label]
        height = 2 * PADDING + LINE_HEIGHT * len(wrapped)
        lines = tuple(
            (y + PADDING + LINE_HEIGHT * (i + 1) - 2.5, text) for i, text in enumerate(wrapped)
        )
        boxes.append(Box(label, 1.0, y, BOX_WIDTH, height, lines, label == role.title, previous_bottom))
        previous_bottom = y + height
        y += height + GAP
    chain = ", then ".join(f"{label} (this role)" if label == role.title else label for label in role.org_chart)
    return OrgChart(BOX_WIDTH + 2, y - GAP + 1, tuple(boxes), f"Org chart, top of the chain first: {chain}.")
