"""The print-on-demand edition, to a service's profile: a PDF/X-4 interior, and its cover wrap on one sheet.

The interior is the field guide without its cover pages (the half title is page
i, so every opener stays on a recto), with the profile's bleed on the edges it
wants (none in the binding, at KDP), the gutter its page count asks for, the
specimen banners inside the live area (`print/interior.css.j2`: print only, the
field guide for screens is untouched), padded to an even page count, its colours converted for
the profile's ink (`pdfx`). The wrap is
back cover, spine and front cover side by side at the trim size plus the bleed:
the spine is as wide as the interior is thick (its page count times the caliper
of the profile's paper); covers print in colour whatever the interior's ink.
What the preflight checks them against comes from the profile too
(`interior_expectations`, `cover_expectations`, `upload_figures`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from ..book.config import PRINT_VARIANT
from ..book.model import Book
from ..book.print_services import PrintProfile
from ..errors import Diagnostic
from ..render.layouts import COVER_WRAP_LAYOUT, INTERIOR_STYLESHEET
from ..render.renderer import make_renderer
from ..text import running_heads
from ..text.measures import PageSize
from ..views.cover_wrap import CoverWrap
from ..views.guide import field_guide_view
from ..views.print_interior import interior_page
from .colour import Ink
from .document import PRINTING_CONDITION, PdfOptions, PrintEdition, render_field_guide
from .layout import Finish, Layouter
from .preflight import Edges, PreflightExpectations, UploadFigures
from .sandbox import sandbox_roots

COVER_INK = Ink.STANDARD_COLOR  # a service prints every cover in colour, whatever the interior's ink


@dataclass(frozen=True)
class Interior:
    """The laid-out interior, the inside margin it was laid out with, and how many layouts that took."""

    edition: PrintEdition
    inside_margin: float  # points
    layouts: int


def inside_margin(profile: PrintProfile, page_count: int) -> float:
    """The interior's inside margin: print.css's, widened to the service's least gutter for `page_count` pages."""
    return max(running_heads.INNER_MARGIN, profile.gutter(page_count))


def interior_options(book: Book, profile: PrintProfile, margin: float, page_size: PageSize | None = None) -> PdfOptions:
    """The interior's print options: the book's trim, PDF/X-4 for the profile's ink, no crop marks, and the
    printer's own sheet (bleed edges, gutter, live area), which replaces the field guide's uniform bleed."""
    sheet = make_renderer(book).render(INTERIOR_STYLESHEET, page=interior_page(profile, margin))
    return PdfOptions(page_size or book.config.page_size, "0in", crop_marks=False, variant=PRINT_VARIANT,
                      even_pages=profile.even_pages, ink=Ink(profile.ink), printer_sheet=str(sheet))


def lay_out_interior(book: Book, profile: PrintProfile, created: datetime.datetime,
                     page_size: PageSize | None = None) -> Interior:
    """The interior, laid out with the gutter its own page count asks for and the ink's stylesheet, then
    converted for the profile's ink (`pdfx.conform`, in the finish).

    The gutter depends on the page count, and the page count on the gutter (a wider one narrows the text). So the
    first layout takes the gutter of the shortest book (print.css's, at KDP up to 300 pages); when its page count
    asks for a wider one, the interior is laid out again with that, until the gutter used is the one its count asks
    for. A wider gutter only ever adds pages, so the gutter only grows and the loop ends within the service's steps;
    in practice a book past the first steps (KDP: past 300 pages) is laid out twice.
    """
    renderer, roots = make_renderer(book), sandbox_roots(book.directory)
    margin, layouts = inside_margin(profile, 0), 0
    while True:
        guide = field_guide_view(book, created, page_size=page_size, with_cover=False, inner_margin=margin,
                                 ink=profile.ink)
        edition = render_field_guide(guide, renderer, interior_options(book, profile, margin, page_size), roots)
        layouts += 1
        needed = inside_margin(profile, edition.page_count)
        if needed <= margin:
            return Interior(edition, margin, layouts)
        margin = needed


def interior_expectations(book: Book, profile: PrintProfile,
                          page_size: PageSize | None = None) -> PreflightExpectations:
    """What the preflight checks the interior against, from the profile: the book's trim, the profile's bleed on
    each edge, its live area, its ink, its page limit and whether the count must be even."""
    page = page_size or book.config.page_size
    bleed = profile.bleed
    return PreflightExpectations((page.width, page.height), Edges(bleed.top, bleed.bottom, bleed.outside, bleed.inside),
                                 Ink(profile.ink), live_area=Edges.all(profile.live_margin),
                                 max_pages=profile.max_pages, even_pages=profile.even_pages)


def cover_expectations(wrap: CoverWrap) -> PreflightExpectations:
    """The wrap: one sheet, its trim the back, spine and front, the bleed on every edge, in colour."""
    return PreflightExpectations((wrap.width, wrap.height), Edges.all(wrap.bleed), COVER_INK, max_pages=1)


def upload_figures(wrap: CoverWrap, profile: PrintProfile) -> UploadFigures:
    """What a service's upload form asks for: the trim, the page count, the profile's ink and paper, the spine's
    width for the interior's page count, and the cover's full size with its bleed."""
    sheet = (wrap.width + 2 * wrap.bleed, wrap.height + 2 * wrap.bleed)
    return UploadFigures((wrap.trim_width, wrap.height), wrap.page_count, Ink(profile.ink), profile.stock,
                         profile.spine_width(wrap.page_count), sheet)


def render_cover_wrap(wrap: CoverWrap, created: datetime.datetime) -> tuple[bytes, list[Diagnostic]]:
    """The wrap as a one-page PDF/X-4 in colour: the sheet is the trim (TrimBox) plus the bleed (MediaBox)."""
    book = wrap.book
    html = make_renderer(book).render(COVER_WRAP_LAYOUT, wrap=wrap, book=book, created=created.isoformat())
    page = (f"@page {{ size: {wrap.width}pt {wrap.height}pt; bleed: {wrap.bleed}pt; margin: 0; }}\n"
            + PRINTING_CONDITION)
    layouter = Layouter(sandbox_roots(book.directory))
    document, warnings = layouter.lay_out(html, COVER_WRAP_LAYOUT, (page,), PRINT_VARIANT)
    config = book.config
    finish = Finish(0, 0, config.language, f"{config.print_edition.identifier}#cover", spreads=False,
                    press_ink=COVER_INK)
    data, written = layouter.write(document, COVER_WRAP_LAYOUT, finish, PRINT_VARIANT)
    return data, warnings + written
