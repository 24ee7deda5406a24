"""The field statistics: charts drawn at build time from the records, for the appendix of both editions.

Three charts, each a title, a caption, one or more SVG panels and its data table
(column headings and rows, the text alternative in the EPUB): salary against
flight risk, one point per specimen; the flight-risk ranking, one bar per
specimen; and who resembles whom, the related specimens on a circle grouped by
family, joined by lines as wide and as dark as their SYSTEM MATCH.

Drawn by hand, as `views/org_chart.py` places the org chart, rather than with matplotlib:
- the text stays text, in our faces by their stylesheet names ("Courier Prime",
  "Inter"), which WeasyPrint finds in `fonts/` alone and the EPUB in its own
  embedded subsets; matplotlib's SVG either turns glyphs into outlines (no text
  to search or to enlarge, heavier files) or names whatever its font manager
  found on the system;
- the same book gives the same bytes with nothing to switch off (matplotlib
  writes a date and random clip-path ids unless told not to), and coordinates
  are rounded to two decimals;
- Courier Prime is monospaced (every glyph 0.6 em wide), so a label's box is
  known exactly and collision avoidance needs no font engine; and three charts
  do not justify numpy, Pillow and a font cache as dependencies.
The SVG is built as an element tree (`xml.etree`) and serialised once, so the
serialiser escapes record text; the layouts place it beside the caption and the
table they draw.

Labelling, from 16 specimens to 500. A point or a node is labelled with its
specimen's number in reading order ("Specimen 3 of 16" in its file), never a
title, which would not fit; the table after the chart is the key (in print, the
salary table serves all three). Every point gets its label: it is tried at eight
places around its marker, then in sixteen directions further out with a leader
line, and takes the first place clear of other labels and markers (the least
crowded if none is). Points whose markers would overlap share one marker and one
label ("1, 9"; past six numbers, five and "+2"). Beyond `FACET_OVER` specimens
the scatter is one panel per family (a family larger than that in runs), the
rest of the book faint behind it, on the same axes: two panels to a pocket page.
The ranking names every specimen, in panels of `RANKING_ROWS` bars (one page,
one phone screen each). The map draws specimens while their numbers fit around
the circle (`MAP_SPECIMENS`); beyond that it draws the families, joined by lines
as wide as the sum of the matches between their specimens.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from markupsafe import Markup

from ...book.model import Book, Chapter, Role
from ...template_data import template_data
from ...text.money import SYMBOLS, format_amount
from .network import Edge, Node, Scale, draw_network
from .svg import (
    CHAR_WIDTH,
    INK,
    MARKER_SHAPES,
    PRINT,
    SCREEN,
    Drawing,
    Frame,
    LabelGroup,
    coordinate,
    marker,
    nice_ticks,
    place_labels,
    shorten,
)

__all__ = ["PRINT", "SCREEN", "Chart", "Frame", "Panel", "Table", "field_charts"]

FACET_OVER = 30  # specimens in one scatter panel before it is cut by family
RANKING_ROWS = 20  # bars in one ranking panel: a pocket page with the heading, a phone screen
MAP_SPECIMENS = 60  # specimens on the map before it draws families instead
FAMILY_COLOURS = ("#b3261e", "#1f5fa8", "#2e7d32", "#a15c00", "#6a3d9a", "#00838f", "#795548", "#c2185b")
# lowest band to highest, each darker than the one before: in black ink too the tone climbs with the risk
BAND_COLOURS = ("#bdbdbd", "#d9a441", "#d9682b", "#b3261e")


@template_data()
@dataclass(frozen=True)
class Table:
    """A chart's data: column headings, rows of text, and the column that names each row.

    `kinds` names what each column holds ("figure" for numbers, set flush right; "name", "family",
    "level"), so a stylesheet can set or leave out a column (print leaves out the family: colours show it).
    """

    caption: str
    headings: tuple[str, ...]
    kinds: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    row_header: int


@template_data()
@dataclass(frozen=True)
class Panel:
    """One SVG of a chart; `title` tells panels apart when a chart has several."""

    title: str | None
    svg: Markup
    description: str  # the SVG's text alternative; the table gives the data


@template_data()
@dataclass(frozen=True)
class Chart:
    key: str  # "salary-risk", "ranking", "kinship": part of its ids
    title: str
    caption: str
    panels: tuple[Panel, ...]
    table: Table
    table_in_print: bool  # the print edition shows the table only where the chart needs a key


def field_charts(book: Book, frame: Frame) -> tuple[Chart, ...]:
    """The appendix's three charts of `book`, drawn for `frame`; the same book gives the same bytes."""
    return salary_chart(book, frame), ranking_chart(book, frame), kinship_chart(book, frame)


def numbers(book: Book) -> dict[str, int]:
    """Each role's number in reading order, as its file prints it ("Specimen 3 of 16")."""
    return {role.slug: number for number, role in enumerate(book.roles, start=1)}


def family_colours(book: Book) -> dict[str, str]:
    return {family.slug: FAMILY_COLOURS[position % len(FAMILY_COLOURS)]
            for position, family in enumerate(book.families)}


def family_shapes(book: Book) -> dict[str, str]:
    """Each family's marker shape: family n has the nth colour and the nth shape."""
    return {family.slug: MARKER_SHAPES[position % len(MARKER_SHAPES)]
            for position, family in enumerate(book.families)}


def family_label(book: Book, family: Chapter) -> str:
    """"1–4 The Machine Room": the numbers of a family's specimens (they follow one another) and its title."""
    found = numbers(book)
    first, last = found[family.roles[0].slug], found[family.roles[-1].slug]
    span = str(first) if first == last else f"{first}\u2013{last}"
    return f"{span} {family.title}"


def compact_amounts(amounts: list[int], currency: str) -> list[str]:
    """Evenly spaced salaries as an axis shows them ("$150k", "€1.25M", "CHF 90k"), decimals enough to tell apart."""
    unit, suffix = next(((unit, suffix) for unit, suffix in ((10 ** 9, "B"), (10 ** 6, "M"), (10 ** 3, "k"))
                         if max(amounts) >= unit), (1, ""))
    step = min((b - a for a, b in zip(amounts, amounts[1:], strict=False)), default=unit)
    decimals = max(0, math.ceil(-math.log10(step / unit))) if step < unit else 0
    return [_with_currency(f"{amount / unit:.{decimals}f}{suffix}" if amount else "0", currency) for amount in amounts]


def _with_currency(value: str, currency: str) -> str:
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{value}" if symbol else f"{currency} {value}"


def band_index(book: Book, percent: int) -> int:
    bands = sorted(band.start for band in book.config.flight_risk_bands)
    return max((position for position, start in enumerate(bands) if percent >= start), default=0)


def band_colour(book: Book, percent: int) -> str:
    count = len(book.config.flight_risk_bands)
    position = band_index(book, percent) if count > 1 else 0
    scaled = round(position * (len(BAND_COLOURS) - 1) / (count - 1)) if count > 1 else len(BAND_COLOURS) - 1
    return BAND_COLOURS[scaled]


def bands_sentence(book: Book) -> str:
    bands = sorted(book.config.flight_risk_bands, key=lambda band: band.start)
    return "; ".join(f"{band.level} from {band.start}%" for band in bands)


# ---- salary against flight risk ------------------------------------------------------------------------------

def salary_chart(book: Book, frame: Frame) -> Chart:
    found, colours, shapes = numbers(book), family_colours(book), family_shapes(book)
    currencies = sorted({role.salary_currency for role in book.roles},
                        key=lambda code: (code != book.config.currency, code))
    panels: list[Panel] = []
    for currency in currencies:
        paid = [role for role in book.roles if role.salary_currency == currency]
        runs: list[tuple[str | None, list[Role]]] = [(None, paid)]
        if len(paid) > FACET_OVER:
            runs = []
            for position, family in enumerate(book.families, start=1):
                members = [role for role in paid if role.chapter_slug == family.slug]
                parts = [members[start:start + FACET_OVER] for start in range(0, len(members), FACET_OVER)]
                for part_number, part in enumerate(parts, start=1):
                    more = f" ({part_number} of {len(parts)})" if len(parts) > 1 else ""
                    runs.append((f"Family {position}: {family.title}{more}", part))
        for title, shown in runs:
            if len(currencies) > 1:
                title = f"Salaries in {currency}" + (f", {title}" if title else "")
            panels.append(_scatter(book, frame, currency, paid, shown, title, found, colours, shapes))
    lowest = min(book.roles, key=lambda role: (role.flight_risk_percent, found[role.slug]))
    caption = (f"Each point is a specimen: its market-average salary against its flight risk. Numbers are the "
               f"specimens\u2019 numbers in this book, the key in the table; colors and marker shapes are "
               f"families. Dashed lines "
               f"mark the flight-risk bands ({bands_sentence(book)}). The least likely to leave: "
               f"{lowest.title}, at {lowest.flight_risk_percent}%.")
    if len(panels) > 1 and len(currencies) == 1:
        caption += " One panel per family, the rest of the book in gray behind it, on the same axes."
    rows = tuple((str(found[role.slug]), role.title, book.chapter_of(role).title,
                  format_amount(role.salary_average, role.salary_currency), f"{role.flight_risk_percent}%")
                 for role in book.roles)
    table = Table("Salary and flight risk of every specimen, by number",
                  ("No.", "Specimen", "Family", "Salary", "Flight risk"),
                  ("figure", "name", "family", "figure", "figure"), rows, 1)
    return Chart("salary-risk", "Salary against flight risk", caption, tuple(panels), table, True)


def _scatter(book: Book, frame: Frame, currency: str, paid: list[Role], shown: list[Role], title: str | None,
             found: dict[str, int], colours: dict[str, str], shapes: dict[str, str]) -> Panel:
    size, small = frame.font_size, frame.small
    ticks = nice_ticks(min(r.salary_average for r in paid), max(r.salary_average for r in paid), 5)
    tick_labels = compact_amounts(ticks, currency)
    left = max(len(label) for label in tick_labels) * CHAR_WIDTH * small + size * 0.8
    right, top = frame.width - small * 1.3, size * 2.2
    whole = len(shown) == len(paid)
    height = round(frame.width * (0.82 if whole else frame.panel_ratio), 2)
    bottom = height - small * 1.6 - size * 1.6
    radius = size * 0.42

    def x_of(percent: float) -> float:
        return left + (right - left) * percent / 100

    def y_of(amount: float) -> float:
        return bottom - (bottom - top) * (amount - ticks[0]) / (ticks[-1] - ticks[0])

    description = (f"Scatter chart{': ' + title if title else ''}. Salary ({currency}) against flight risk "
                   f"for {len(shown)} specimens" + ("" if whole else f", among {len(paid)} in grey") +
                   ". The data follow in a table.")
    drawing = Drawing(frame.width, height, description, "scatter", frame.backing)
    for tick, label in zip(ticks, tick_labels, strict=True):
        drawing.add("line", x1=left, y1=y_of(tick), x2=right, y2=y_of(tick), stroke=INK,
                    stroke_width=0.4, stroke_opacity=0.18)
        drawing.text(left - size * 0.5, y_of(tick) + small * 0.3, label, small, "end")
    for percent in range(0, 101, 20):
        drawing.add("line", x1=x_of(percent), y1=bottom, x2=x_of(percent), y2=bottom + small * 0.4,
                    stroke=INK, stroke_width=0.5)
        drawing.text(x_of(percent), bottom + small * 1.3, f"{percent}%", small, "middle")
    dash = coordinate(size * 0.4)
    for band in sorted(b.start for b in book.config.flight_risk_bands if 0 < b.start <= 100):
        drawing.add("line", x1=x_of(band), y1=top, x2=x_of(band), y2=bottom, stroke=INK,
                    stroke_width=0.5, stroke_opacity=0.45, stroke_dasharray=f"{dash} {dash}")
    drawing.add("line", x1=left, y1=top, x2=left, y2=bottom, stroke=INK, stroke_width=0.6)
    drawing.add("line", x1=left, y1=bottom, x2=right, y2=bottom, stroke=INK, stroke_width=0.6)
    drawing.text(0, size * 0.9, f"SALARY ({currency})", small, font_family="Inter", letter_spacing="0.08em")
    drawing.text((left + right) / 2, height - size * 0.3, "FLIGHT RISK", small, "middle", font_family="Inter",
                 letter_spacing="0.08em")
    if not whole:  # the rest of the book, faint, for comparison
        drawn = {role.slug for role in shown}
        for role in paid:
            if role.slug not in drawn:
                drawing.add("circle", cx=x_of(role.flight_risk_percent), cy=y_of(role.salary_average),
                            r=radius * 0.7, fill=INK, fill_opacity=0.16, class_="context")
    groups: list[LabelGroup] = []
    for role in shown:
        x, y = x_of(role.flight_risk_percent), y_of(role.salary_average)
        number = str(found[role.slug])
        near = next((i for i, g in enumerate(groups) if math.hypot(g.x - x, g.y - y) < radius), None)
        if near is None:
            groups.append(LabelGroup((number,), x, y))
        else:  # markers that would cover each other share one, and one label
            groups[near] = LabelGroup((*groups[near].labels, number), groups[near].x, groups[near].y)
        marker(drawing, shapes[role.chapter_slug], x, y, radius, fill=colours[role.chapter_slug], fill_opacity=0.9,
               class_=f"point specimen-{number}")
    place_labels(groups, radius, size, (left, top - size, right + small, bottom), drawing)
    return Panel(title, drawing.markup(), description)


# ---- the flight-risk ranking ---------------------------------------------------------------------------------

def ranking_chart(book: Book, frame: Frame) -> Chart:
    found = numbers(book)
    ordered = sorted(book.roles, key=lambda role: (-role.flight_risk_percent, found[role.slug]))
    ranks: list[int] = []
    for position, role in enumerate(ordered):
        tied = position and role.flight_risk_percent == ordered[position - 1].flight_risk_percent
        ranks.append(ranks[-1] if tied else position + 1)
    panels = []
    runs = range(0, len(ordered), RANKING_ROWS)
    for start in runs:
        rows = list(zip(ranks[start:start + RANKING_ROWS], ordered[start:start + RANKING_ROWS], strict=True))
        # by place, not rank: twenty tied specimens would all be "rank 1"
        title = f"Places {start + 1} to {start + len(rows)} of {len(ordered)}" if len(runs) > 1 else None
        panels.append(_ranking_panel(book, frame, rows, title))
    caption = (f"Every specimen by flight risk, the most likely to leave first; equal percentages share a rank. "
               f"Bars are colored by band: {bands_sentence(book)}.")
    table = Table("Flight-risk ranking", ("Rank", "No.", "Specimen", "Flight risk", "Level"),
                  ("figure", "figure", "name", "figure", "level"),
                  tuple((str(rank), str(found[role.slug]), role.title, f"{role.flight_risk_percent}%",
                         role.flight_risk_level) for rank, role in zip(ranks, ordered, strict=True)), 2)
    return Chart("ranking", "The flight-risk ranking", caption, tuple(panels), table, False)


def _ranking_panel(book: Book, frame: Frame, rows: list[tuple[int, Role]], title: str | None) -> Panel:
    size, small = frame.font_size, frame.small
    numbers_of = numbers(book)
    line, bar = size * 1.25, size * 0.6
    pitch = line + bar + size * 0.45
    rank_width = len(str(rows[-1][0])) * CHAR_WIDTH * size + size * 0.6
    axis = len(rows) * pitch + size * 0.3
    height = axis + small * 1.9
    description = (f"Bar chart: flight risk{', ' + title.lower() if title else ''}, from "
                   f"{rows[0][1].title} at {rows[0][1].flight_risk_percent}% to {rows[-1][1].title} at "
                   f"{rows[-1][1].flight_risk_percent}%. The data follow in a table.")
    drawing = Drawing(frame.width, height, description, "ranking", frame.backing)
    span = frame.width - rank_width
    for percent in range(0, 101, 25):  # the scale below the bars; each bar's track is the whole 100%
        x = rank_width + span * percent / 100
        drawing.add("line", x1=x, y1=axis - size * 0.3, x2=x, y2=axis + small * 0.2, stroke=INK,
                    stroke_width=0.5)
        drawing.text(min(max(x, small * 1.2), frame.width - small * 1.2), axis + small * 1.3, f"{percent}%",
                     small, "middle")
    drawing.add("line", x1=rank_width, y1=axis - size * 0.3, x2=frame.width, y2=axis - size * 0.3,
                stroke=INK, stroke_width=0.5)
    chars = int((span - 5 * CHAR_WIDTH * size) / (CHAR_WIDTH * size))
    for row, (rank, role) in enumerate(rows):
        baseline = row * pitch + line * 0.8
        drawing.text(rank_width - size * 0.6, baseline, str(rank), size, "end", font_weight="bold")
        drawing.text(rank_width, baseline, shorten(role.title, chars), size, class_="bar-label")
        drawing.text(frame.width, baseline, f"{role.flight_risk_percent}%", size, "end", font_weight="bold")
        bar_top = row * pitch + line
        drawing.add("rect", x=rank_width, y=bar_top, width=span, height=bar, fill=INK,
                    fill_opacity=0.1)
        drawing.add("rect", x=rank_width, y=bar_top, width=span * role.flight_risk_percent / 100, height=bar,
                    fill=band_colour(book, role.flight_risk_percent),
                    class_=f"bar specimen-{numbers_of[role.slug]}")
    return Panel(title, drawing.markup(), description)


# ---- who resembles whom --------------------------------------------------------------------------------------

def kinship_chart(book: Book, frame: Frame) -> Chart:
    found = numbers(book)
    by_slug = {role.slug: role for role in book.roles}
    strongest: dict[tuple[str, str], int] = {}  # each pair once, at the higher match when both name each other
    for role in book.roles:
        for entry in role.related:
            first, second = sorted((role.slug, entry.slug), key=found.__getitem__)
            pair = (first, second)
            strongest[pair] = max(strongest.get(pair, 0), entry.match)
    if len(book.roles) <= MAP_SPECIMENS:
        panel, caption = _specimen_map(book, frame, found, strongest), (
            "Specimens on a circle, grouped by family (the colors and shapes of the legend), each by its number, as "
            "in the table of salaries. A line joins two specimens when either file names the other as related: the "
            "wider and darker, the higher its SYSTEM MATCH (the higher of the two when both name each other). The "
            "Taxonomy Index lists every pair under Kinship.")
    else:
        panel, caption = _family_map(book, frame, strongest, by_slug), (
            f"Too many specimens to draw one by one ({len(book.roles)}): the families on a circle, each by its "
            f"number, sized by its specimens. A line joins two families whose specimens name each other as "
            f"related: the wider, the greater the sum of their SYSTEM MATCHES; the darker, the higher the "
            f"average match. Every pair is in the table.")
    rows = tuple((str(found[role.slug]), role.title, f"{by_slug[entry.slug].title} ({found[entry.slug]})",
                  f"{entry.match}%") for role in book.roles for entry in role.related)
    table = Table("Related specimens and their SYSTEM MATCH", ("No.", "Specimen", "Related specimen", "System match"),
                  ("figure", "name", "name", "figure"), rows, 1)
    return Chart("kinship", "Who resembles whom", caption, (panel,), table, False)


def _specimen_map(book: Book, frame: Frame, found: dict[str, int], strongest: dict[tuple[str, str], int]) -> Panel:
    colours, shapes = family_colours(book), family_shapes(book)
    families = book.families
    gap = 1.0 if len(families) > 1 else 0.0  # an empty place between families
    slots = len(book.roles) + gap * len(families)
    nodes: list[Node] = []
    position: dict[str, int] = {}
    for family_number, family in enumerate(families):
        for role in family.roles:
            slot = len(nodes) + gap * family_number + gap / 2
            position[role.slug] = len(nodes)
            nodes.append(Node(str(found[role.slug]), colours[family.slug], 2 * math.pi * slot / slots,
                              frame.font_size * 0.45, shapes[family.slug]))
    edges = [Edge((position[a], position[b]), match, match, f"edge specimen-{found[a]} specimen-{found[b]} "
                  f"match-{match}") for (a, b), match in strongest.items()]
    description = (f"Network chart: {len(nodes)} specimens on a circle grouped by family, {len(edges)} lines "
                   f"between related specimens, wider for a higher match. The pairs follow in a table.")
    items = [(colours[family.slug], shapes[family.slug], family_label(book, family)) for family in families]
    matches = sorted(strongest.values())
    scale = Scale("SYSTEM MATCH", tuple(sorted({matches[0], round((matches[0] + matches[-1]) / 2), matches[-1]}))) \
        if matches else None
    return Panel(None, draw_network(frame, nodes, edges, items, description, scale), description)


def _family_map(book: Book, frame: Frame, strongest: dict[tuple[str, str], int], by_slug: dict[str, Role]) -> Panel:
    colours, shapes = family_colours(book), family_shapes(book)
    families = book.families
    place = {family.slug: number for number, family in enumerate(families)}
    largest = max(len(family.roles) for family in families)
    nodes = [Node(f"F{number + 1}", colours[family.slug], 2 * math.pi * (number + 0.5) / len(families),
                  frame.font_size * (0.5 + 0.9 * math.sqrt(len(family.roles) / largest)), shapes[family.slug])
             for number, family in enumerate(families)]
    between: dict[tuple[int, int], list[int]] = {}
    for (a, b), match in strongest.items():
        first, second = sorted((place[by_slug[a].chapter_slug], place[by_slug[b].chapter_slug]))
        if first != second:
            between.setdefault((first, second), []).append(match)
    edges = [Edge(ends, sum(matches), sum(matches) / len(matches), f"edge family-{ends[0] + 1} family-{ends[1] + 1}")
             for ends, matches in sorted(between.items())]
    description = (f"Network chart: {len(families)} families on a circle, {len(edges)} lines between families "
                   f"whose specimens are related. The pairs of specimens follow in a table.")
    items = [(colours[family.slug], shapes[family.slug], f"F{number} {family.title}")
             for number, family in enumerate(families, start=1)]
    columns = 2 if len(families) > 6 else 0  # a long legend in two columns, or the map runs off a phone's screen
    return Panel(None, draw_network(frame, nodes, edges, items, description, legend_columns=columns), description)
