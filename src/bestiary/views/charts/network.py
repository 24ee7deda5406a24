"""A network drawn on a circle (the field statistics' map of who resembles whom): geometry and SVG.

Nodes sit on a circle in the order given, labelled just outside it; edges are
quadratic curves bent towards the centre, as wide as their weight and as dark
as their shade, each relative to the others, the strongest drawn last so it
stays on top. Labels are set level while they keep clear of each other, along
the radius when they would not (many nodes); a legend of swatches follows, and
a scale of line widths when the weights are percentages. Each node's marker has its family's colour and
shape.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup

from .svg import CHAR_WIDTH, INK, Box, Drawing, Frame, coordinate, legend, marker, overlap


@dataclass(frozen=True)
class Node:
    label: str
    colour: str
    angle: float  # radians, clockwise from the top
    radius: float  # the marker's
    shape: str = "circle"  # one of svg.MARKER_SHAPES


@dataclass(frozen=True)
class Edge:
    ends: tuple[int, int]  # positions in the node list
    weight: float  # what the line's width shows
    shade: float  # what its darkness shows
    classes: str


@dataclass(frozen=True)
class Scale:
    """The values (percentages) whose line widths a key shows, and what it calls them."""

    label: str
    values: tuple[int, ...]


def _share(value: float, values: list[float]) -> float:
    """Where `value` lies between the least and the greatest of `values`, from 0 to 1 (1 if they are equal)."""
    low, high = min(values, default=0.0), max(values, default=0.0)
    return (value - low) / (high - low) if high > low else 1.0


def draw_network(frame: Frame, nodes: list[Node], edges: list[Edge], items: list[tuple[str, str, str]],
                 description: str, scale: Scale | None = None, legend_columns: int = 0) -> Markup:
    """The nodes around a circle, labelled outside it; the edges through it; then the legend and the scale."""
    size = frame.font_size
    label_length = max(len(node.label) for node in nodes) * CHAR_WIDTH * size
    # the circle grows with its nodes up to the whole width: a few need no full page
    diameter = frame.width * min(1.0, 0.55 + len(nodes) / 40)
    radius = diameter / 2 - max(node.radius for node in nodes) - size * 0.4 - label_length - 1
    # markers no wider than 60% of the room between neighbours (large markers for few families, say)
    room = min((radius * abs(a.angle - b.angle) for a, b in zip(nodes, nodes[1:], strict=False)), default=radius)
    shrink = min(1.0, 0.3 * room / max(node.radius for node in nodes))
    nodes = [Node(node.label, node.colour, node.angle, node.radius * shrink, node.shape) for node in nodes]
    centre_x, centre_y = frame.width / 2, diameter / 2

    def point(angle: float, distance: float) -> tuple[float, float]:
        return centre_x + distance * math.sin(angle), centre_y - distance * math.cos(angle)

    weights, shades = [edge.weight for edge in edges], [edge.shade for edge in edges]

    def stroke(weight: float, shade: float) -> dict[str, float]:
        return {"stroke_width": size * (0.08 + 0.37 * _share(weight, weights)),
                "stroke_opacity": 0.3 + 0.6 * _share(shade, shades)}

    drawing = Drawing(frame.width, diameter, description, "map", frame.backing)
    for edge in sorted(edges, key=lambda edge: (edge.weight, edge.shade, edge.ends)):
        (x1, y1), (x2, y2) = (point(nodes[end].angle, radius) for end in edge.ends)
        bend = centre_x + ((x1 + x2) / 2 - centre_x) * 0.25, centre_y + ((y1 + y2) / 2 - centre_y) * 0.25
        drawing.add("path", d=f"M{coordinate(x1)} {coordinate(y1)} Q{coordinate(bend[0])} {coordinate(bend[1])} "
                              f"{coordinate(x2)} {coordinate(y2)}",
                    fill="none", stroke=INK, stroke_linecap="round", class_=edge.classes,
                    **stroke(edge.weight, edge.shade))
    for node in nodes:
        x, y = point(node.angle, radius)
        marker(drawing, node.shape, x, y, node.radius, fill=node.colour, class_="node")
    _node_labels(drawing, nodes, point, radius, size)
    height = diameter + legend(drawing, items, diameter, size, legend_columns)
    if scale is not None:
        y = height + size * 0.9
        drawing.text(0, y, scale.label, frame.small, font_family="Inter", letter_spacing="0.08em")
        x = len(scale.label) * 0.75 * frame.small + size
        for value in scale.values:
            drawing.add("line", x1=x, y1=y - size * 0.3, x2=x + size * 2.4, y2=y - size * 0.3, stroke=INK,
                        stroke_linecap="round", **stroke(value, value))
            drawing.text(x + size * 2.9, y, f"{value}%", size)
            x += size * 3.9 + len(f"{value}%") * CHAR_WIDTH * size
        height = y + size * 0.5
    drawing.resize(frame.width, height)
    return drawing.markup()


def _node_labels(drawing: Drawing, nodes: list[Node], point: Callable[[float, float], tuple[float, float]],
                 radius: float, size: float) -> None:
    """Level labels just outside the nodes while they keep clear of each other; along the radius if not."""
    level: list[tuple[float, float, Box]] = []
    for node in nodes:
        width = len(node.label) * CHAR_WIDTH * size
        reach = abs(math.sin(node.angle)) * width / 2 + abs(math.cos(node.angle)) * size / 2
        x, y = point(node.angle, radius + node.radius + size * 0.25 + reach)
        level.append((x, y + size * 0.25, (x - width / 2, y - size / 2, x + width / 2, y + size / 2)))
    clear = not any(overlap(level[i][2], level[j][2]) for i in range(len(level)) for j in range(i + 1, len(level)))
    for node, (x, y, _) in zip(nodes, level, strict=True):
        if clear:
            drawing.text(x, y, node.label, size, "middle", font_weight="bold", class_="node-label")
            continue
        left_half = math.sin(node.angle) < 0  # turned to read from the outside in, never upside down
        degrees = math.degrees(node.angle) - 90 + (180 if left_half else 0)
        x, y = point(node.angle, radius + node.radius + size * 0.3)
        drawing.text(x, y + size * 0.3, node.label, size, "end" if left_half else "start", font_weight="bold",
                     class_="node-label", transform=f"rotate({coordinate(degrees)} {coordinate(x)} {coordinate(y)})")
