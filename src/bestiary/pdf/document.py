"""The field guide laid out as one document, and the options every field guide is printed with.

WeasyPrint prints the folios, contents and index page numbers itself
(`counter(page)`, `target-counter`). `render_field_guide` returns the laid-out
print edition whole (`PrintEdition`: the bytes, the WeasyPrint `Document` and
its `Pagination`), so the EPUB, the tests and the benchmark read the same
layout instead of making their own. The PDF gets page labels that match the
printed folios (roman front matter, arabic body from 1). A guide laid out in
chunks (`chunks`) is the same `PrintEdition`, without a document.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import weasyprint

from ..book.config import PRINT_VARIANT, BookConfig
from ..errors import Diagnostic, RenderError
from ..render.layouts import FIELD_GUIDE_LAYOUT
from ..render.renderer import Renderer
from ..text.measures import PageSize
from ..views.guide import FieldGuideView
from ..views.pages import Pagination
from .colour import Ink
from .layout import Finish, LaidOut, Layouter
from .pagination import PageNumbering, page_fill, page_of, pagination_of

# PDF/X names the printing condition: coated offset (FOGRA39), a profile made from free characterization data.
PRINTING_CONDITION = ('@color-profile device-cmyk { src: url("layouts/print/FOGRA39L.icc"); '
                      'components: cyan, magenta, yellow, black; }')


@dataclass(frozen=True)
class PdfOptions:
    """How the field guide is printed (each value checked where it came from: `book.yaml` or the request)."""

    page_size: PageSize
    bleed: str
    crop_marks: bool
    variant: str | None = None  # one of PDF_VARIANTS, or pdf/x-4 for a printer's interior
    even_pages: bool = False  # a printer's interior: a blank last page when the count is odd
    ink: Ink | None = None  # a printer's interior: the ink every colour is converted for; None: as laid out
    printer_sheet: str = ""  # a printer's interior: its bleed edges, gutter and live area (print/interior.css.j2)

    @classmethod
    def from_config(cls, config: BookConfig, *, page_size: PageSize | None = None, bleed: str | None = None,
                    crop_marks: bool | None = None, variant: str | None = None, even_pages: bool = False,
                    ink: Ink | None = None) -> PdfOptions:
        """The book's settings, with what the request overrides."""
        return cls(page_size or config.page_size, bleed or config.bleed,
                   config.crop_marks if crop_marks is None else crop_marks, variant, even_pages, ink)

    def stylesheet(self) -> str:
        rules = [f"@page {{ size: {self.page_size.text}; bleed: {self.bleed}; }}"]
        if self.crop_marks:
            rules.append("@page { marks: crop cross; }")
        if self.variant == PRINT_VARIANT:
            rules.append(PRINTING_CONDITION)
        if self.printer_sheet:
            rules.append(self.printer_sheet)
        return "\n".join(rules)


@dataclass(frozen=True)
class PrintEdition:
    """The laid-out field guide: where its pages fall, its cover, and its PDF, written when first asked for.

    Laid out as one document, it keeps the WeasyPrint `document` for inspection; laid out in chunks
    (`chunks.lay_out_in_chunks`) it has none, and the PDF is assembled only if something reads `data`
    (the EPUB needs the pagination and the cover, not the PDF).
    """

    pagination: Pagination
    warnings: tuple[Diagnostic, ...]
    cover_source: bytes  # a PDF whose first page is the cover (the EPUB's cover image is made from it)
    write: Callable[[], bytes]
    document: weasyprint.Document | None = None

    @cached_property
    def data(self) -> bytes:
        return self.write()

    @property
    def page_count(self) -> int:
        return len(self.pagination.labels)


def edition_laid_out_whole(laid: LaidOut, finish: Finish) -> PrintEdition:
    """A field guide (or a printer's volume) laid out as one document on the pool, as the `PrintEdition` the build
    reads: its pages, their labels (folio 1 where `finish.body_anchor` begins, or on the first page without one, as
    `Layouter.run` numbers them), and the blank last page the finish adds for an even count. Raises `RenderError`
    when that id is on none of its pages."""
    body_start = page_of(laid.pages, finish.body_anchor) if finish.body_anchor else 0
    if body_start is None:
        raise RenderError(f"the first chapter ({finish.body_anchor}) is missing from the laid-out field guide")
    pages, fill = laid.pages, laid.fill
    if finish.pad_to_even and len(pages) % 2:
        pages, fill = (*pages, ()), (*fill, 0.0)
    data = laid.pdf or b""
    labels = PageNumbering(finish.cover_pages, body_start).labels(len(pages))
    return PrintEdition(Pagination(labels, pages, fill), laid.warnings, data, lambda: data)


def render_field_guide(guide: FieldGuideView, renderer: Renderer, options: PdfOptions,
                       roots: tuple[Path, ...], html: str | None = None) -> PrintEdition:
    """Lay out the field guide in the sandbox of `roots` (from `html` when given, else rendered); the result keeps
    the document for inspection."""
    html = html if html is not None else renderer.render(FIELD_GUIDE_LAYOUT, guide=guide)
    layouter = Layouter(roots)
    document, warnings = layouter.lay_out(html, FIELD_GUIDE_LAYOUT, (options.stylesheet(),), options.variant)
    first_chapter = guide.chapters[0].target.id
    body_start = page_of((page.anchors for page in document.pages), first_chapter)
    if body_start is None:
        raise RenderError(f"the first chapter ({first_chapter}) is missing from the rendered field guide")
    config = guide.book.config
    finish = Finish(guide.cover_pages, body_start, config.language, config.identifier, pad_to_even=options.even_pages,
                    press_ink=options.ink)
    data, written = layouter.write(document, FIELD_GUIDE_LAYOUT, finish, options.variant)
    pages_anchors = [page.anchors for page in document.pages]
    fill = [page_fill(page) for page in document.pages]
    if options.even_pages and len(pages_anchors) % 2:
        pages_anchors.append({})  # the finisher added a blank last page
        fill.append(0.0)
    pagination = pagination_of(pages_anchors, html, PageNumbering(guide.cover_pages, body_start), tuple(fill))
    return PrintEdition(pagination, tuple(warnings + written), data, lambda: data, document)
