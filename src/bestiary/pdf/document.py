"""The PDF field guide: HTML from the layouts, laid out by WeasyPrint, finished with pypdf.

WeasyPrint prints the folios, contents and index page numbers itself
(`counter(page)`, `target-counter`). `render_field_guide` returns the laid-out
print edition whole (`PrintEdition`: the bytes, the WeasyPrint `Document` and
its `Pagination`), so the EPUB, the tests and the benchmark read the same
layout instead of making their own. The PDF gets page labels that match the
printed folios (roman front matter, arabic body from 1).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import weasyprint
from weasyprint.text.fonts import FontConfiguration

from .. import errors
from ..book.config import PDF_VARIANTS, PRINT_VARIANT, BookConfig, bleed_problem, page_size_problem
from ..errors import Diagnostic, RenderError, RequestError
from ..render.layouts import FIELD_GUIDE_LAYOUT
from ..render.renderer import Renderer
from ..resources import resources_dir
from ..views.context import FieldGuideView
from .finish import PDF_VERSION, finisher
from .pagination import PageNumbering, Pagination, page_fill, pagination_of
from .sandbox import RefusedResource, SandboxedFetcher

# PDF/X names the printing condition: coated offset (FOGRA39), a profile made from free characterization data.
PRINTING_CONDITION = ('@color-profile device-cmyk { src: url("layouts/print/FOGRA39L.icc"); '
                      'components: cyan, magenta, yellow, black; }')
# WeasyPrint's notice that it subsets fonts with fontTools when the system lacks
# libharfbuzz-subset: about the machine, not the book, and the output is the same.
_MACHINE_NOTICES = ("instead of HarfBuzz-Subset",)


@dataclass(frozen=True)
class PdfOptions:
    """How the field guide is printed; every value checked (they come from the command line too)."""

    page_size: str
    bleed: str
    crop_marks: bool
    variant: str | None = None  # one of PDF_VARIANTS, or pdf/x-4 for a printer's interior
    even_pages: bool = False  # a printer's interior: a blank last page when the count is odd

    @classmethod
    def from_config(cls, config: BookConfig, *, page_size: str | None = None, bleed: str | None = None,
                    crop_marks: bool | None = None, variant: str | None = None, even_pages: bool = False) -> PdfOptions:
        """The book's settings, with what the command line overrides; raises `RequestError` for a bad value."""
        options = cls(page_size or config.page_size, bleed or config.bleed,
                      config.crop_marks if crop_marks is None else crop_marks, variant, even_pages)
        problem = page_size_problem(options.page_size) or bleed_problem(options.bleed)
        if problem:
            raise RequestError(problem)
        if options.variant not in (None, *PDF_VARIANTS, PRINT_VARIANT):
            raise RequestError(f"expected a PDF variant among {', '.join(PDF_VARIANTS)}, found {options.variant!r}")
        return options

    def stylesheet(self) -> str:
        rules = [f"@page {{ size: {self.page_size}; bleed: {self.bleed}; }}"]
        if self.crop_marks:
            rules.append("@page { marks: crop cross; }")
        if self.variant == PRINT_VARIANT:
            rules.append(PRINTING_CONDITION)
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


@contextmanager
def capture_weasyprint_warnings(layout: str) -> Iterator[list[Diagnostic]]:
    """Collect what WeasyPrint logs while rendering `layout` (it logs, it does not raise), as W601."""
    found: list[Diagnostic] = []

    class Collector(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            message = record.getMessage()
            if record.levelno >= logging.WARNING and not any(n in message for n in _MACHINE_NOTICES):
                code = errors.REFUSED_RESOURCE if RefusedResource.__name__ in message else errors.LAYOUT_WARNING
                found.append(errors.render_warning(layout, code, " ".join(message.split())))

    logger = logging.getLogger("weasyprint")
    handler = Collector()
    logger.addHandler(handler)
    try:
        yield found
    finally:
        logger.removeHandler(handler)


def base_url() -> str:
    """Relative URLs in layouts (`fonts/…`) resolve against the resources folder."""
    return resources_dir().as_uri() + "/"


def stylesheet(css: str, fetcher: SandboxedFetcher, font_config: FontConfiguration,
               color_profiles: dict | None = None) -> weasyprint.CSS:
    """A parsed stylesheet, to share between documents rendered with the same font configuration
    (and the same `color_profiles`, which collects its `@color-profile` rules for the render)."""
    return weasyprint.CSS(string=css, base_url=base_url(), url_fetcher=fetcher, font_config=font_config,
                          color_profiles=color_profiles)


def lay_out(
    html: str, fetcher: SandboxedFetcher, layout: str, *, stylesheets: tuple[weasyprint.CSS, ...] = (),
    font_config: FontConfiguration | None = None, variant: str | None = None, color_profiles: dict | None = None,
) -> tuple[weasyprint.Document, list[Diagnostic]]:
    """Lay out `html` (from `layout`) in the sandbox; return the document and any warnings."""
    font_config = font_config or FontConfiguration()
    refused_before = len(fetcher.refused)
    with capture_weasyprint_warnings(layout) as warnings:
        document = weasyprint.HTML(string=html, base_url=base_url(), url_fetcher=fetcher).render(
            font_config=font_config, stylesheets=list(stylesheets), pdf_variant=variant,
            pdf_tags=variant == "pdf/ua-1", color_profiles=color_profiles)
    warnings += _refusals(fetcher, refused_before, warnings, layout)
    return document, warnings


def write_pdf(document: weasyprint.Document, fetcher: SandboxedFetcher, layout: str, finish,
              variant: str | None = None) -> tuple[bytes, list[Diagnostic]]:
    """The PDF of a laid-out document, finished by `finish` (see `pdf_finish.finisher`)."""
    refused_before = len(fetcher.refused)
    with capture_weasyprint_warnings(layout) as warnings:
        data = document.write_pdf(pdf_variant=variant, pdf_tags=variant == "pdf/ua-1", pdf_identifier=b"bestiary",
                                  pdf_version=PDF_VERSION, finisher=finish)
    return data, warnings + _refusals(fetcher, refused_before, warnings, layout)


def _refusals(fetcher: SandboxedFetcher, since: int, warnings: list[Diagnostic], layout: str) -> list[Diagnostic]:
    """Sandbox refusals WeasyPrint did not already report."""
    return [errors.render_warning(layout, errors.REFUSED_RESOURCE, f"refused by the sandbox: {url}")
            for url in fetcher.refused[since:] if not any(url in warning.message for warning in warnings)]


def render_field_guide(guide: FieldGuideView, renderer: Renderer, options: PdfOptions,
                       roots: tuple[Path, ...]) -> PrintEdition:
    """Lay out the field guide in the sandbox of `roots`; the result keeps the document for inspection."""
    html = renderer.render(FIELD_GUIDE_LAYOUT, guide=guide)
    fetcher = SandboxedFetcher(roots)
    font_config, profiles = FontConfiguration(), {}
    options_css = stylesheet(options.stylesheet(), fetcher, font_config, profiles)
    document, warnings = lay_out(html, fetcher, FIELD_GUIDE_LAYOUT, stylesheets=(options_css,),
                                 font_config=font_config, variant=options.variant, color_profiles=profiles)
    first_chapter = guide.chapters[0].target.id
    body_start = next((i for i, page in enumerate(document.pages) if first_chapter in page.anchors), None)
    if body_start is None:
        raise RenderError(f"the first chapter ({first_chapter}) is missing from the rendered field guide")
    numbering = PageNumbering(guide.cover_pages, body_start)
    config = guide.book.config
    finish = finisher(numbering, config.language, config.identifier, pad_to_even=options.even_pages)
    data, written = write_pdf(document, fetcher, FIELD_GUIDE_LAYOUT, finish, options.variant)
    pages_anchors = [page.anchors for page in document.pages]
    fill = [page_fill(page) for page in document.pages]
    if options.even_pages and len(pages_anchors) % 2:
        pages_anchors.append({})  # the finisher added a blank last page
        fill.append(0.0)
    pagination = pagination_of(pages_anchors, html, numbering, tuple(fill))
    return PrintEdition(pagination, tuple(warnings + written), data, lambda: data, document)
