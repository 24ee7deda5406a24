"""Per-recipient stamping of an already rendered dossier, without WeasyPrint.

ReportLab draws a transparent overlay page (real text, in our Courier Prime,
so the stamp is searchable); pypdf lays it over every page. The page count and
every other word of the dossier stay as they were.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache

from pypdf import PdfReader, PdfWriter
from reportlab.lib.colors import Color
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from .errors import RequestError
from .fonts import missing_glyphs
from .resources import fonts_dir
from .text import slugify

STAMP_FONT = "CourierPrime-Bold"
STAMP_RED = Color(0.70, 0.15, 0.12)
MM = 72 / 25.4


@dataclass(frozen=True)
class Recipient:
    """Who a copy is for, and which copy it is (both optional, not both absent)."""

    prepared_for: str | None = None
    copy: int | None = None
    copies: int | None = None

    def line(self) -> str:
        parts = []
        if self.prepared_for:
            parts.append(f"PREPARED FOR: {self.prepared_for.upper()}")
        if self.copy is not None:
            parts.append(f"COPY {self.copy} OF {self.copies}")
        return " // ".join(parts)

    def file_suffix(self) -> str:
        """`--jane-doe--copy-03-of-20`, so copies sort and never overwrite the unstamped dossier."""
        parts = []
        if self.prepared_for:
            parts.append(slugify(self.prepared_for) or "recipient")
        if self.copy is not None:
            width = len(str(self.copies))
            parts.append(f"copy-{self.copy:0{width}d}-of-{self.copies}")
        return "".join(f"--{part}" for part in parts)


MAX_NAME = 48  # what fits the top margin of a page, beside the copy number


def recipients(prepared_for: str | None, copies: int | None) -> tuple[Recipient, ...]:
    """One recipient per copy; no copies asked for means one copy, unnumbered.

    Raises RequestError for a name the stamp cannot show whole: too long, or with
    characters Courier Prime does not have (it would print them as boxes).
    """
    if prepared_for is not None:
        prepared_for = " ".join(prepared_for.split())
        if not prepared_for or len(prepared_for) > MAX_NAME:
            raise RequestError(f"expected a name of 1 to {MAX_NAME} characters for --prepared-for, "
                             f"found {len(prepared_for)}")
        missing = missing_glyphs(prepared_for.upper(), fonts_dir(), "CourierPrime-Bold.ttf")
        if missing:
            raise RequestError(f"the stamp font cannot show {', '.join(repr(c) for c in missing)} "
                             f"in --prepared-for {prepared_for!r}")
    if copies is None:
        return (Recipient(prepared_for),) if prepared_for else ()
    return tuple(Recipient(prepared_for, number, copies) for number in range(1, copies + 1))


@lru_cache(maxsize=1)
def _register_font() -> str:
    pdfmetrics.registerFont(TTFont(STAMP_FONT, str(fonts_dir() / "CourierPrime-Bold.ttf")))
    return STAMP_FONT


def _overlay(sizes: list[tuple[float, float]], recipient: Recipient) -> PdfReader:
    """One overlay page per dossier page, in one document, so the font is embedded once."""
    font = _register_font()
    buffer = io.BytesIO()
    drawing = canvas.Canvas(buffer, invariant=True, initialFontName=font, initialFontSize=8)  # no Helvetica
    text = recipient.line()
    for number, (width, height) in enumerate(sizes):
        drawing.setPageSize((width, height))
        drawing.setFillColor(STAMP_RED)
        drawing.setStrokeColor(STAMP_RED)
        drawing.setFont(font, 8)
        drawing.drawRightString(width - 16 * MM, height - 9 * MM, text)  # in the top margin, clear of the text
        if number == 0:
            _cover_stamp(drawing, font, text.split(" // "), width)
        drawing.showPage()
    drawing.save()
    return PdfReader(io.BytesIO(buffer.getvalue()))


def _cover_stamp(drawing: canvas.Canvas, font: str, lines: list[str], width: float) -> None:
    """A boxed, tilted rubber stamp low on the cover sheet."""
    size = 13
    drawing.saveState()
    drawing.translate(width - 30 * MM, 42 * MM)
    drawing.rotate(8)
    drawing.setFont(font, size)
    box_width = max(pdfmetrics.stringWidth(line, font, size) for line in lines) + 12
    drawing.setLineWidth(2)
    drawing.rect(-box_width, -4, box_width, len(lines) * (size + 3) + 8, stroke=1, fill=0)
    for number, line in enumerate(reversed(lines)):
        drawing.drawRightString(-6, 2 + number * (size + 3), line)
    drawing.restoreState()


def stamp(pdf: bytes, recipient: Recipient) -> bytes:
    """`pdf` with the recipient's stamp on every page; nothing else changes."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    sizes = [(float(page.mediabox.width), float(page.mediabox.height)) for page in writer.pages]
    overlay = _overlay(sizes, recipient)
    for page, stamp_page in zip(writer.pages, overlay.pages, strict=True):
        page.merge_page(stamp_page)
        page.compress_content_streams()  # merging rewrites the page's content uncompressed
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
