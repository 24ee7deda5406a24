"""The print-on-demand edition: a PDF/X-4 interior with bleed, and its cover wrap on one sheet.

The interior is the field guide without its cover pages (the half title is page
i, so every opener stays on a recto), with the bleed of `print_edition` in
`book.yaml`, padded to an even page count, its colours converted for its ink
(`pdfx`). The wrap is back cover, spine and front cover side by side at the trim
size plus bleed: the spine is as wide as the interior is thick (its page count
times the paper's caliper); covers print in colour whatever the interior's ink.
What the preflight checks them against comes from here too (`interior_expectations`,
`cover_expectations`, `upload_figures`).
"""

from __future__ import annotations

import datetime

from ..book.config import PRINT_VARIANT
from ..book.model import Book
from ..errors import Diagnostic
from ..render.layouts import COVER_WRAP_LAYOUT
from ..render.renderer import make_renderer
from ..text.measures import PageSize, points
from ..views.cover_wrap import CoverWrap
from .colour import Ink
from .document import PRINTING_CONDITION, PdfOptions
from .layout import Finish, Layouter
from .preflight import Edges, PreflightExpectations, UploadFigures
from .sandbox import sandbox_roots

COVER_INK = Ink.STANDARD_COLOR  # a service prints every cover in colour, whatever the interior's ink
DEFAULT_PAPER = "white"  # what the figures name until a service profile says which stock


def interior_options(book: Book, page_size: PageSize | None = None,
                     ink: Ink = Ink.STANDARD_COLOR) -> PdfOptions:
    """The interior's print options: the book's trim, the print edition's bleed, PDF/X-4 for `ink`, an even
    count."""
    return PdfOptions.from_config(book.config, page_size=page_size, bleed=book.config.print_edition.bleed,
                                  crop_marks=False, variant=PRINT_VARIANT, even_pages=True, ink=ink)


def interior_expectations(book: Book, page_size: PageSize | None = None,
                          ink: Ink = Ink.STANDARD_COLOR) -> PreflightExpectations:
    """What the preflight checks the interior against: `book.yaml`'s trim and bleed (on every edge), the ink,
    an even page count. No live area or page limit: a service profile adds them."""
    page = page_size or book.config.page_size
    return PreflightExpectations((page.width, page.height), Edges.all(points(book.config.print_edition.bleed)),
                                 ink, even_pages=True)


def cover_expectations(wrap: CoverWrap) -> PreflightExpectations:
    """The wrap: one sheet, its trim the back, spine and front, the bleed on every edge, in colour."""
    return PreflightExpectations((wrap.width, wrap.height), Edges.all(wrap.bleed), COVER_INK, max_pages=1)


def upload_figures(wrap: CoverWrap, ink: Ink, paper: str = DEFAULT_PAPER) -> UploadFigures:
    """What a service's upload form asks for, from the wrap (which knows the interior's page count)."""
    return UploadFigures((wrap.trim_width, wrap.height), wrap.page_count, ink, paper, wrap.spine_width,
                         (wrap.width + 2 * wrap.bleed, wrap.height + 2 * wrap.bleed))


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
