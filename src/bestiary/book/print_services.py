"""Print-on-demand services as data: what each asks of a paperback's interior and of its cover wrap.

One table per service, with its source beside it. `print_profile` resolves a
table, the paper stock and the ink chosen (`print_edition` in `book.yaml`, or
`build print --service/--stock/--ink`) into the `PrintProfile` that the interior,
the cover wrap and the preflight read. Lengths are in points (72 to the inch).
Another service is another `Service` in `SERVICES`, and a line in docs/print.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from ..errors import RequestError
from ..template_data import template_data

INCH = 72.0
STOCKS = ("white", "cream")
INKS = ("black", "standard-color", "premium-color")
EDGES = ("top", "bottom", "outside", "inside")  # of a page of the interior; the inside is the bound edge


@dataclass(frozen=True)
class Paper:
    """One stock-and-ink option a service offers."""

    caliper: float | None  # one page's thickness in points (a leaf is two pages); None: `paper_caliper` of book.yaml
    min_pages: int
    max_pages: int | None  # None: the service states no limit


@template_data()
@dataclass(frozen=True)
class BarcodeArea:
    """Where a barcode goes on the back cover, in points: its size, and how far it stays from the spine's fold
    and from the bottom trim."""

    width: float
    height: float
    from_spine: float
    from_bottom: float


@dataclass(frozen=True)
class Service:
    """What a print-on-demand service asks of a paperback, as its own documentation gives it."""

    name: str
    source: str
    papers: Mapping[tuple[str, str], Paper]  # (stock, ink): a pair not listed is not offered
    bleed: float | None  # None: `bleed` of book.yaml's print_edition
    bleed_edges: frozenset[str]  # of EDGES: the interior's edges that get the bleed
    live_margin: float  # from the trim, where everything printed must stay, when the pages have bleed
    live_margin_without_bleed: float
    gutters: tuple[tuple[int | None, float], ...]  # (up to this many pages, the least inside margin); None: any
    spine_text_min_pages: int  # the fewest pages whose spine may carry text
    spine_text_min_width: float  # and the narrowest spine that may
    spine_text_clearance: float  # from each fold of the spine to its text
    barcode: BarcodeArea
    even_pages: bool


def _each(stocks: tuple[str, ...], inks: tuple[str, ...], paper: Paper) -> dict[tuple[str, str], Paper]:
    return {(stock, ink): paper for stock in stocks for ink in inks}


# Amazon KDP, paperback, at the standard trims (the bundled 4.5 × 7 in among them; a few large trims have lower
# page limits). Sources, as summed up in issue 20: kdp.amazon.com/help/topic/GVBQ3CMEQW3W2VL6 ("Set Trim Size,
# Bleed, and Margins": bleed, live area, gutter), G201953020 ("Create a Paperback Cover": caliper, spine text,
# barcode area; it says "at least 79 pages" for spine text, the issue "more than 79": 80 meets both) and
# G201834180 ("Print Options": colour ink on white paper only; the page limits). Premium colour's 24 to 828 pages
# as KDP's print options table is quoted by publishing.co.uk ("KDP page-count rules", June 2026) and bookbolt.
KDP = Service(
    name="kdp",
    source="https://kdp.amazon.com/help/topic/GVBQ3CMEQW3W2VL6, G201953020, G201834180",
    papers=MappingProxyType({
        ("white", "black"): Paper(0.002252 * INCH, 24, 828),
        ("cream", "black"): Paper(0.0025 * INCH, 24, 776),
        ("white", "standard-color"): Paper(0.002252 * INCH, 72, 600),
        ("white", "premium-color"): Paper(0.002347 * INCH, 24, 828),
    }),
    bleed=0.125 * INCH,
    bleed_edges=frozenset({"top", "bottom", "outside"}),
    live_margin=0.375 * INCH,
    live_margin_without_bleed=0.25 * INCH,
    gutters=((150, 0.375 * INCH), (300, 0.5 * INCH), (500, 0.625 * INCH), (700, 0.75 * INCH),
             (828, 0.875 * INCH)),
    spine_text_min_pages=80,  # "more than 79 pages"
    spine_text_min_width=0.0,
    spine_text_clearance=0.0625 * INCH,
    barcode=BarcodeArea(2 * INCH, 1.2 * INCH, 0.25 * INCH, 0.25 * INCH),
    even_pages=True,
)

# Any other printer: the bleed (on every edge) and the caliper are book.yaml's; the margins and the gutter are the
# field guide's own (print.css: 0.55 in inside), the barcode box where the wrap has always put it, and spine text
# from a quarter inch of spine, as before profiles. A quarter inch of live area is this project's choice.
GENERIC = Service(
    name="generic",
    source="book.yaml's print_edition (bleed, paper_caliper); bestiary's own layout for the rest",
    papers=MappingProxyType(_each(STOCKS, INKS, Paper(None, 0, None))),
    bleed=None,
    bleed_edges=frozenset(EDGES),
    live_margin=0.25 * INCH,
    live_margin_without_bleed=0.25 * INCH,
    gutters=((None, 0.55 * INCH),),
    spine_text_min_pages=0,
    spine_text_min_width=0.25 * INCH,
    spine_text_clearance=0.0625 * INCH,
    barcode=BarcodeArea(2 * INCH, 1.2 * INCH, 0.45 * INCH, 0.45 * INCH),
    even_pages=True,
)

VOLUMES = ("one", "auto")  # one: an interior over the page limit is refused; auto: split into volumes under it

SERVICES: Mapping[str, Service] = MappingProxyType({service.name: service for service in (KDP, GENERIC)})


@dataclass(frozen=True)
class Bleed:
    """The bleed of an interior page on each edge, in points (0 where the service wants none)."""

    top: float
    bottom: float
    outside: float
    inside: float


@dataclass(frozen=True)
class PrintProfile:
    """A service's table resolved for one stock and ink: what the interior, the cover wrap and the preflight read.

    Lengths in points, measured from the trim."""

    service: str
    stock: str
    ink: str
    source: str  # where the service's figures come from
    bleed: Bleed  # the interior's
    cover_bleed: float  # the wrap's, on its four outer edges
    live_margin: float  # everything printed stays this far inside the trim (the interior's and the wrap's)
    gutters: tuple[tuple[int | None, float], ...]  # see `gutter`
    min_pages: int
    max_pages: int | None  # None: no limit stated
    caliper: float  # one page's thickness
    spine_text_min_pages: int
    spine_text_min_width: float
    spine_text_clearance: float  # from each fold of the spine to its text
    barcode: BarcodeArea
    even_pages: bool

    def gutter(self, page_count: int) -> float:
        """The least inside margin for an interior of `page_count` pages (past the last step, the last step's:
        a book that long is over `max_pages` anyway)."""
        for up_to, margin in self.gutters:
            if up_to is None or page_count <= up_to:
                return margin
        return self.gutters[-1][1]

    def spine_width(self, page_count: int) -> float:
        return page_count * self.caliper

    def spine_may_carry_text(self, page_count: int) -> bool:
        return (page_count >= self.spine_text_min_pages
                and self.spine_width(page_count) >= self.spine_text_min_width)


def offered(service: Service) -> str:
    """The stocks and inks a service offers, as a message says them: 'black on white, black on cream, …'."""
    return ", ".join(f"{ink} on {stock}" for stock, ink in service.papers)


def combination_problem(service: str, stock: str, ink: str) -> str | None:
    """What is wrong with printing `ink` on `stock` at `service` (None when the service offers it)."""
    table = SERVICES[service]
    if (stock, ink) in table.papers:
        return None
    return f"expected an ink and paper that {service} prints ({offered(table)}), found {ink} on {stock}"


def print_profile(service: str, stock: str, ink: str, *, bleed: float, caliper: float,
                  max_pages: int | None = None) -> PrintProfile:
    """The profile of `service` for `ink` on `stock`; `bleed`, `caliper` (book.yaml's, in points) and `max_pages`
    serve a service whose table leaves them to the book. Raises `RequestError` for a combination it does not offer."""
    if service not in SERVICES or stock not in STOCKS or ink not in INKS:
        raise RequestError(f"expected a service among {', '.join(SERVICES)}, a stock among {', '.join(STOCKS)} and "
                           f"an ink among {', '.join(INKS)}, found {service}, {stock}, {ink}")
    problem = combination_problem(service, stock, ink)
    if problem:
        raise RequestError(problem)
    table, paper = SERVICES[service], SERVICES[service].papers[stock, ink]
    page_bleed = bleed if table.bleed is None else table.bleed
    edges = {edge: page_bleed if edge in table.bleed_edges else 0.0 for edge in EDGES}
    return PrintProfile(
        service=service, stock=stock, ink=ink, source=table.source, bleed=Bleed(**edges), cover_bleed=page_bleed,
        live_margin=table.live_margin if page_bleed else table.live_margin_without_bleed, gutters=table.gutters,
        min_pages=paper.min_pages, max_pages=max_pages if paper.max_pages is None else paper.max_pages,
        caliper=caliper if paper.caliper is None else paper.caliper,
        spine_text_min_pages=table.spine_text_min_pages, spine_text_min_width=table.spine_text_min_width,
        spine_text_clearance=table.spine_text_clearance, barcode=table.barcode, even_pages=table.even_pages)
