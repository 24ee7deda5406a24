"""The print-on-demand edition: a PDF/X-4 interior with bleed, and its cover wrap on one sheet.

The interior is the field guide without its cover pages (the half title is page
i, so every opener stays on a recto), with the bleed of `print_edition` in
`book.yaml`, padded to an even page count. The wrap is back cover, spine and
front cover side by side at the trim size plus bleed: the spine is as wide as
the interior is thick (its page count times the paper's caliper).
"""

from __future__ import annotations

import datetime

from ..book.config import PRINT_VARIANT
from ..book.model import Book
from ..errors import Diagnostic
from ..render.layouts import COVER_WRAP_LAYOUT
from ..render.renderer import make_renderer
from ..text.measures import PageSize
from ..views.cover_wrap import CoverWrap
from .document import PRINTING_CONDITION, PdfOptions
from .layout import Finish, Layouter
from .sandbox import sandbox_roots


def interior_options(book: Book, page_size: PageSize | None = None) -> PdfOptions:
    """The interior's print options: the book's trim, the print edition's bleed, PDF/X-4, an even count."""
    return PdfOptions.from_config(book.config, page_size=page_size, bleed=book.config.print_edition.bleed,
                                  crop_marks=False, variant=PRINT_VARIANT, even_pages=True)


def render_cover_wrap(wrap: CoverWrap, created: datetime.datetime) -> tuple[bytes, list[Diagnostic]]:
    """The wrap as a one-page PDF/X-4: the sheet is the trim (TrimBox) plus the bleed (MediaBox)."""
    book = wrap.book
    html = make_renderer(book).render(COVER_WRAP_LAYOUT, wrap=wrap, book=book, created=created.isoformat())
    page = (f"@page {{ size: {wrap.width}pt {wrap.height}pt; bleed: {wrap.bleed}pt; margin: 0; }}\n"
            + PRINTING_CONDITION)
    layouter = Layouter(sandbox_roots(book.directory))
    document, warnings = layouter.lay_out(html, COVER_WRAP_LAYOUT, (page,), PRINT_VARIANT)
    config = book.config
    finish = Finish(0, 0, config.language, f"{config.print_edition.identifier}#cover", spreads=False)
    data, written = layouter.write(document, COVER_WRAP_LAYOUT, finish, PRINT_VARIANT)
    return data, warnings + written
