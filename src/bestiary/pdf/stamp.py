"""Per-recipient stamping of an already rendered dossier, without WeasyPrint.

ReportLab draws a transparent overlay page (real text, in our Courier Prime,
so the stamp is searchable); pypdf lays it over every page. The page count and
every other word of the dossier stay as they were.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from xml.etree import ElementTree

from pypdf import PageObject, PdfReader, PdfWriter
from reportlab.lib.colors import Color
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from ..errors import RequestError
from ..resources import fonts_dir
from ..text.fonts import missing_glyphs
from ..text.markdown import slugify
from .finish import xmp_tag

STAMP_FONT = "CourierPrime-Bold"
NAME_FONT = "CourierPrime-Regular"
STAMP_RED = Color(0.70, 0.15, 0.12)
INK = Color(0.106, 0.106, 0.106)  # #1b1b1b, the text colour of print.css
FOLDER_COLOR = Color(0.914, 0.875, 0.776)  # #e9dfc6, the cover sheet's folder in dossier.css
MM = 72 / 25.4
FOLDER_RIGHT_EDGE = 14 * MM + 22 + 1  # the page margin, the folder's padding and border (dossier.css)



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

    def title_note(self) -> str:
        """What a copy's title adds: "prepared for Jane Doe, copy 2 of 3"."""
        parts = [f"prepared for {self.prepared_for}"] if self.prepared_for else []
        if self.copy is not None:
            parts.append(f"copy {self.copy} of {self.copies}")
        return ", ".join(parts)

    def file_suffix(self) -> str:
        """`--jane-doe--copy-03-of-20`, so copies sort and never overwrite the unstamped dossier.

        A name the slug does not spell out (anything but ASCII letters and digits between single
        spaces) also gets a hash of its exact spelling, `--jane-doe-1a2b3c4d`, so that "Jane (Doe)"
        and "Jane Doe" never overwrite each other's copies. Names that differ in case only share one:
        the stamp prints them alike, in capitals.
        """
        parts = []
        if self.prepared_for:
            parts.append(recipient_slug(self.prepared_for))
        if self.copy is not None:
            width = len(str(self.copies))
            parts.append(f"copy-{self.copy:0{width}d}-of-{self.copies}")
        return "".join(f"--{part}" for part in parts)


MAX_NAME = 48  # what fits the top margin of a page, beside the copy number
# Unicode's "other" categories: nothing a stamp can show, and controls and bidi overrides do harm.
_UNSHOWN = {"Cc": "a control character", "Cf": "a format character (such as a bidi override)",
            "Cs": "a lone surrogate (bytes that are not UTF-8)", "Co": "a private-use character",
            "Cn": "an unassigned code point"}


def recipient_slug(name: str) -> str:
    """The file-name part for `name`: its slug, plus a short hash of `name` when the slug loses more than
    letter case (punctuation, accents, hyphens, other scripts)."""
    slug = slugify(name)
    if slug and slug.replace("-", " ") == name.lower():
        return slug
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return f"{slug or 'recipient'}-{digest}"


def recipients(prepared_for: str | None, copies: int | None) -> tuple[Recipient, ...]:
    """One recipient per copy; no copies asked for means one copy, unnumbered.

    Raises RequestError for a name the stamp cannot show whole: too long, with control or
    format characters (a BEL makes the copy's XMP ill-formed, a right-to-left override
    changes how its title reads), or with characters Courier Prime does not have (it would
    print them as boxes).
    """
    if prepared_for is not None:
        hidden = next((character for character in prepared_for if unicodedata.category(character) in _UNSHOWN),
                      None)
        if hidden is not None:
            named = f" {unicodedata.name(hidden)}" if unicodedata.name(hidden, "") else ""
            raise RequestError(f"expected printable characters in --prepared-for, found U+{ord(hidden):04X}{named}, "
                               f"{_UNSHOWN[unicodedata.category(hidden)]}")
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
def _register_fonts() -> tuple[str, str]:
    pdfmetrics.registerFont(TTFont(STAMP_FONT, str(fonts_dir() / "CourierPrime-Bold.ttf")))
    pdfmetrics.registerFont(TTFont(NAME_FONT, str(fonts_dir() / "CourierPrime-Regular.ttf")))
    return STAMP_FONT, NAME_FONT


@dataclass(frozen=True)
class PlacedText:
    """Where a line of text stands on a page: its baseline's start, its size and width, in PDF points."""

    x: float
    y: float
    size: float


def find_text(page: PageObject, wanted: str) -> PlacedText | None:
    """Where `wanted` is drawn on `page` as one run of text (the cover's file name), or None."""
    found: list[PlacedText] = []

    def visit(text: str, matrix: list[float], text_matrix: list[float], font: object, size: float) -> None:
        if text.strip() == wanted:
            x = text_matrix[4] * matrix[0] + text_matrix[5] * matrix[2] + matrix[4]
            y = text_matrix[4] * matrix[1] + text_matrix[5] * matrix[3] + matrix[5]
            found.append(PlacedText(x, y, size * abs(matrix[3] * text_matrix[3])))

    page.extract_text(visitor_text=visit)
    return found[0] if found else None


def _overlay(sizes: list[tuple[float, float]], recipient: Recipient, file_name: PlacedText | None,
             original: str, new_name: str) -> PdfReader:
    """One overlay page per dossier page, in one document, so the fonts are embedded once."""
    font, name_font = _register_fonts()
    buffer = io.BytesIO()
    drawing = canvas.Canvas(buffer, invariant=True, initialFontName=font, initialFontSize=8)  # no Helvetica
    text = recipient.line()
    for number, (width, height) in enumerate(sizes):
        drawing.setPageSize((width, height))
        if number == 0 and file_name is not None:
            _rename(drawing, name_font, file_name, original, new_name, width)
        drawing.setFillColor(STAMP_RED)
        drawing.setStrokeColor(STAMP_RED)
        drawing.setFont(font, 8)
        drawing.drawRightString(width - 16 * MM, height - 9 * MM, text)  # in the top margin, clear of the text
        if number == 0:
            _cover_stamp(drawing, font, text.split(" // "), width)
        drawing.showPage()
    drawing.save()
    return PdfReader(io.BytesIO(buffer.getvalue()))


def _rename(drawing: canvas.Canvas, font: str, placed: PlacedText, original: str, new_name: str,
            width: float) -> None:
    """Cover the sheet's "This file" value with the folder's colour and write the copy's own name on it."""
    room = width - FOLDER_RIGHT_EDGE - placed.x
    size = placed.size
    while size > 5 and pdfmetrics.stringWidth(new_name, font, size) > room:
        size -= 0.25
    covered = max(pdfmetrics.stringWidth(original, font, placed.size), pdfmetrics.stringWidth(new_name, font, size))
    drawing.setFillColor(FOLDER_COLOR)
    drawing.rect(placed.x - 1, placed.y - 0.3 * placed.size, covered + 2, 1.2 * placed.size, stroke=0, fill=1)
    drawing.setFillColor(INK)
    drawing.setFont(font, size)
    drawing.drawString(placed.x, placed.y, new_name)


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


def stamp(pdf: bytes, recipient: Recipient, original: str, new_name: str) -> bytes:
    """`pdf` (the dossier `original`) as the copy `new_name`: the recipient's stamp on every page, the cover
    naming the copy's own file, and a title that names the recipient and the copy; nothing else changes."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    sizes = [(float(page.mediabox.width), float(page.mediabox.height)) for page in writer.pages]
    overlay = _overlay(sizes, recipient, find_text(writer.pages[0], original), original, new_name)
    for page, stamp_page in zip(writer.pages, overlay.pages, strict=True):
        page.merge_page(stamp_page)
        page.compress_content_streams()  # merging rewrites the page's content uncompressed
    info = writer.metadata
    if info is None:  # every dossier is written with its title
        raise ValueError(f"{original} has no document information to retitle")
    _retitle(writer, f"{info.title} ({recipient.title_note()})")
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _retitle(writer: PdfWriter, title: str) -> None:
    """The document's title, in the Info dictionary and in the XMP metadata alike."""
    writer.add_metadata({"/Title": title})
    metadata = writer.root_object.get("/Metadata")
    if metadata is None:
        return
    stream = metadata.get_object()
    packet = stream.get_data().decode("utf-8")
    start = packet.index("<rdf:RDF")
    end = packet.index("</rdf:RDF>") + len("</rdf:RDF>")
    rdf = ElementTree.fromstring(packet[start:end])
    found = rdf.find(f".//{xmp_tag('dc', 'title')}//{xmp_tag('rdf', 'li')}")
    if found is not None:
        found.text = title
    stream.set_data((packet[:start] + ElementTree.tostring(rdf, encoding="unicode") + packet[end:]).encode("utf-8"))


def stamped_copies(pdf: bytes, original: Path, chosen: tuple[Recipient, ...],
                   path_for: Callable[[str], Path]) -> list[tuple[Path, bytes]]:
    """Each recipient's copy of the dossier `pdf` (the file `original`): its bytes, and where it goes, named by
    `path_for` from the recipient's file-name suffix."""
    copies = []
    for recipient in chosen:
        path = path_for(recipient.file_suffix())
        copies.append((path, stamp(pdf, recipient, original.name, path.name)))
    return copies
