"""The PDF field guide: HTML from the layouts, laid out by WeasyPrint, finished with pypdf.

WeasyPrint prints the folios, contents and index page numbers itself
(`counter(page)`, `target-counter`). This module reads the laid-out
`Document` to learn where the body starts and gives the PDF page labels that
match the printed folios (roman front matter, arabic body from 1).
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import weasyprint
from pypdf import PdfReader, PdfWriter
from pypdf.constants import PageLabelStyle
from weasyprint.text.fonts import FontConfiguration

from .config import bleed_problem, page_size_problem
from .context import FieldGuide, Links, Pagination
from .errors import RenderError, RequestError
from .render import Renderer
from .resources import resources_dir
from .sandbox import SandboxedFetcher

PDF_VARIANTS = ("pdf/ua-1", "pdf/a-3b")
# WeasyPrint's notice that it subsets fonts with fontTools when the system lacks
# libharfbuzz-subset: about the machine, not the book, and the output is the same.
_MACHINE_NOTICES = ("instead of HarfBuzz-Subset",)
_ID = re.compile(r'\sid="([^"]+)"')  # attribute values are escaped: no quote inside


@dataclass(frozen=True)
class PdfOptions:
    page_size: str
    bleed: str = "0mm"
    crop_marks: bool = False
    variant: str | None = None  # one of PDF_VARIANTS

    def check(self) -> None:
        """Refuse values that would reach the stylesheet unchecked (they come from the command line too)."""
        problem = page_size_problem(self.page_size) or bleed_problem(self.bleed)
        if problem:
            raise RequestError(problem)
        if self.variant not in (None, *PDF_VARIANTS):
            raise RequestError(f"expected a PDF variant among {', '.join(PDF_VARIANTS)}, found {self.variant!r}")


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    page_count: int
    pagination: Pagination  # for the EPUB's page-list
    warnings: tuple[str, ...]


@contextmanager
def capture_weasyprint_warnings() -> Iterator[list[str]]:
    """Collect what WeasyPrint logs while rendering (it logs, it does not raise)."""
    messages: list[str] = []

    class Collector(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            message = record.getMessage()
            if record.levelno >= logging.WARNING and not any(n in message for n in _MACHINE_NOTICES):
                messages.append(message)

    logger = logging.getLogger("weasyprint")
    handler = Collector()
    logger.addHandler(handler)
    try:
        yield messages
    finally:
        logger.removeHandler(handler)


def base_url() -> str:
    """Relative URLs in layouts (`fonts/…`) resolve against the resources folder."""
    return resources_dir().as_uri() + "/"


def stylesheet(css: str, fetcher: SandboxedFetcher, font_config: FontConfiguration) -> weasyprint.CSS:
    """A parsed stylesheet, to share between documents rendered with the same font configuration."""
    return weasyprint.CSS(string=css, base_url=base_url(), url_fetcher=fetcher, font_config=font_config)


def render_pdf(
    html: str, fetcher: SandboxedFetcher, *, stylesheets: tuple[weasyprint.CSS, ...] = (),
    font_config: FontConfiguration | None = None, variant: str | None = None,
) -> tuple[bytes, weasyprint.Document, list[str]]:
    """Lay out `html` in the sandbox; return the PDF bytes, the document and any warnings."""
    font_config = font_config or FontConfiguration()
    refused_before = len(fetcher.refused)
    tagged = variant == "pdf/ua-1"
    with capture_weasyprint_warnings() as warnings:
        document = weasyprint.HTML(string=html, base_url=base_url(), url_fetcher=fetcher).render(
            font_config=font_config, stylesheets=list(stylesheets), pdf_variant=variant, pdf_tags=tagged)
        data = document.write_pdf(pdf_variant=variant, pdf_tags=tagged, pdf_identifier=b"bestiary")
    warnings += [f"refused by the sandbox: {url}" for url in fetcher.refused[refused_before:]
                 if not any(url in message for message in warnings)]
    return data, document, warnings


def page_labels(page_count: int, body_start: int) -> tuple[str, ...]:
    """The printed folios: roman up to the body, then arabic from 1."""
    return tuple(_roman(n + 1) if n < body_start else str(n - body_start + 1) for n in range(page_count))


def _roman(number: int) -> str:
    numerals = (("m", 1000), ("cm", 900), ("d", 500), ("cd", 400), ("c", 100), ("xc", 90), ("l", 50),
                ("xl", 40), ("x", 10), ("ix", 9), ("v", 5), ("iv", 4), ("i", 1))
    out = ""
    for numeral, value in numerals:
        while number >= value:
            out += numeral
            number -= value
    return out


def pagination(document: weasyprint.Document, html: str, body_start: int) -> Pagination:
    """Each page's folio and the ids that begin on it, in document order (the order of the HTML)."""
    order = {anchor: position for position, anchor in enumerate(_ID.findall(html))}
    seen: set[str] = set()
    anchors: list[tuple[str, ...]] = []
    for page in document.pages:
        # an element split across pages is listed on each of them; it begins on the first
        beginning = sorted((a for a in page.anchors if a not in seen), key=lambda a: order.get(a, len(order)))
        seen.update(beginning)
        anchors.append(tuple(beginning))
    return Pagination(page_labels(len(document.pages), body_start), tuple(anchors))


def set_page_labels(data: bytes, body_start: int) -> bytes:
    """Roman labels for the front matter (i, ii, …), arabic from 1 for the body."""
    # WeasyPrint's PDF/A trailer understates /Size; pypdf says so on reading and writes a correct one.
    pypdf_logger = logging.getLogger("pypdf")
    level = pypdf_logger.level
    pypdf_logger.setLevel(logging.ERROR)
    try:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    finally:
        pypdf_logger.setLevel(level)
    last = len(writer.pages) - 1
    if body_start > 0:
        writer.set_page_label(0, body_start - 1, style=PageLabelStyle.LOWERCASE_ROMAN, start=1)
    writer.set_page_label(body_start, last, style=PageLabelStyle.DECIMAL, start=1)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def render_field_guide(guide: FieldGuide, renderer: Renderer, options: PdfOptions,
                       roots: tuple[Path, ...], created: str) -> RenderedPdf:
    book = guide.book
    html = renderer.render("print/field-guide.html.j2", guide=guide, book=book, created=created,
                           ref_label=lambda role: None, page_breaks={}, page_of=lambda anchor: "",
                           **Links().template_functions())
    fetcher = SandboxedFetcher(roots)
    font_config = FontConfiguration()
    options_css = stylesheet(_print_options_css(options), fetcher, font_config)
    data, document, warnings = render_pdf(html, fetcher, stylesheets=(options_css,), font_config=font_config,
                                          variant=options.variant)
    first_chapter = book.chapters[0].anchor
    body_start = next((i for i, page in enumerate(document.pages) if first_chapter in page.anchors), None)
    if body_start is None:
        raise RenderError(f"the first chapter ({first_chapter}) is missing from the rendered field guide")
    data = set_page_labels(data, body_start)
    return RenderedPdf(data, len(document.pages), pagination(document, html, body_start), tuple(warnings))


def _print_options_css(options: PdfOptions) -> str:
    rules = [f"@page {{ size: {options.page_size}; bleed: {options.bleed}; }}"]
    if options.crop_marks:
        rules.append("@page { marks: crop cross; }")
    return "\n".join(rules)
