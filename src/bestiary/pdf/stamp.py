"""Per-recipient stamping of an already rendered dossier, without WeasyPrint.

ReportLab draws a transparent overlay page (real text, in our Courier Prime,
so the stamp is searchable); pypdf lays it over every page. The page count and
every other word of the dossier stay as they were, and so does the PDF version.

Where the stamp goes is measured on the dossier's pages (stamp_room.py says where and why): a line at the
foot of every page, and a tilted rubber stamp in the foot of the cover sheet's folder. Each shows its
words whole: it shrinks to a floor, then wraps, measured in the stamp font (stamp_fit.py). A page whose
foot has no room for the line even then fails the build rather than print it over the text; the rubber
stamp, a second showing of the cover's foot line, is left off a cover whose folder has no room for it.
"""

from __future__ import annotations

import hashlib
import io
import math
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

from ..errors import RenderError, RequestError
from ..resources import fonts_dir
from ..text.fonts import missing_glyphs
from ..text.markdown import slugify
from .finish import xmp_tag
from .stamp_fit import FOOT_SIZES, LEADING, RUBBER_TILT, Fitted, block_height, fit_foot, fit_rubber
from .stamp_room import Box, Rooms, measure_rooms

STAMP_FONT = "CourierPrime-Bold"
NAME_FONT = "CourierPrime-Regular"
STAMP_RED = Color(0.70, 0.15, 0.12)
INK = Color(0.106, 0.106, 0.106)  # #1b1b1b, the text colour of print.css
FOLDER_COLOR = Color(0.914, 0.875, 0.776)  # #e9dfc6, the cover sheet's folder in dossier.css


@dataclass(frozen=True)
class Recipient:
    """Who a copy is for, and which copy it is (both optional, not both absent)."""

    prepared_for: str | None = None
    copy: int | None = None
    copies: int | None = None

    def parts(self) -> tuple[str, ...]:
        """What the stamp says, a part per line when it takes more than one: "PREPARED FOR: JANE DOE",
        "COPY 2 OF 3"."""
        parts = []
        if self.prepared_for:
            parts.append(f"PREPARED FOR: {self.prepared_for.upper()}")
        if self.copy is not None:
            parts.append(f"COPY {self.copy} OF {self.copies}")
        return tuple(parts)

    def line(self) -> str:
        """What the stamp says on one line: "PREPARED FOR: JANE DOE // COPY 2 OF 3"."""
        return " // ".join(self.parts())

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


MAX_NAME = 48  # the longest name a copy is stamped with (the stamps shrink or wrap it to show it whole)
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
def register_fonts() -> tuple[str, str]:
    """The stamp's fonts, registered with ReportLab: the stamp's own, and the one of the copy's file name."""
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


def _overlay(sizes: list[tuple[float, float]], rooms: Rooms, recipient: Recipient, file_name: PlacedText | None,
             original: str, new_name: str) -> PdfReader:
    """One overlay page per dossier page, in one document, so the fonts are embedded once."""
    font, name_font = register_fonts()
    foot = _fit_foot(recipient, rooms.footers, font, original)
    buffer = io.BytesIO()
    drawing = canvas.Canvas(buffer, invariant=True, initialFontName=font, initialFontSize=8)  # no Helvetica
    for number, ((width, height), footer) in enumerate(zip(sizes, rooms.footers, strict=True)):
        drawing.setPageSize((width, height))
        if number == 0 and file_name is not None:  # up to the right edge of what the folder holds
            right = rooms.cover.right if rooms.cover is not None else footer.right
            _rename(drawing, name_font, file_name, original, new_name, right)
        drawing.setFillColor(STAMP_RED)
        drawing.setStrokeColor(STAMP_RED)
        _draw_foot(drawing, font, foot, footer)
        if number == 0 and rooms.cover is not None:
            _rubber_stamp(drawing, font, recipient, rooms.cover)
        drawing.showPage()
    drawing.save()
    return PdfReader(io.BytesIO(buffer.getvalue()))


def _fit_foot(recipient: Recipient, footers: tuple[Box, ...], font: str, original: str) -> Fitted:
    fitted = fit_foot(recipient.parts(), font, footers)
    if fitted is None:
        tightest = min(footers, key=lambda room: room.width * room.height)
        raise RenderError(f"{original}: a page leaves {tightest.width:.0f} by {tightest.height:.0f} pt at its foot, "
                          f"too little for the stamp {recipient.line()!r} even at {FOOT_SIZES[1]} pt")
    return fitted


def _draw_foot(drawing: canvas.Canvas, font: str, foot: Fitted, room: Box) -> None:
    """The foot line's lines, each centred across `room`, the block centred in its height."""
    ascent, _ = pdfmetrics.getAscentDescent(font, foot.size)
    top = (room.bottom + room.top + block_height(len(foot.lines), font, foot.size)) / 2
    drawing.setFont(font, foot.size)
    for number, line in enumerate(foot.lines):
        drawing.drawCentredString((room.left + room.right) / 2, top - ascent - number * LEADING * foot.size, line)


def _rename(drawing: canvas.Canvas, font: str, placed: PlacedText, original: str, new_name: str,
            right: float) -> None:
    """Cover the sheet's "This file" value with the folder's colour and write the copy's own name on it, up
    to `right`."""
    room = right - placed.x
    size = placed.size
    while size > 5 and pdfmetrics.stringWidth(new_name, font, size) > room:
        size -= 0.25
    covered = max(pdfmetrics.stringWidth(original, font, placed.size), pdfmetrics.stringWidth(new_name, font, size))
    drawing.setFillColor(FOLDER_COLOR)
    drawing.rect(placed.x - 1, placed.y - 0.3 * placed.size, covered + 2, 1.2 * placed.size, stroke=0, fill=1)
    drawing.setFillColor(INK)
    drawing.setFont(font, size)
    drawing.drawString(placed.x, placed.y, new_name)


def _rubber_stamp(drawing: canvas.Canvas, font: str, recipient: Recipient, room: Box) -> None:
    """A boxed, tilted rubber stamp in the lower right corner of `room`, its lines right-aligned; none if
    `room` cannot hold it even at its smallest and wrapped (the foot line names the recipient there too)."""
    stamp = fit_rubber(recipient.parts(), font, room)
    if stamp is None:
        return
    fitted = stamp.fitted
    ascent, _ = pdfmetrics.getAscentDescent(font, fitted.size)
    drawing.saveState()
    # the tilted frame's lowest corner is its lower left one, its rightmost the lower right one
    drawing.translate(room.right - stamp.stroke / 2 - stamp.frame_width * math.cos(RUBBER_TILT),
                      room.bottom + stamp.stroke / 2)
    drawing.rotate(math.degrees(RUBBER_TILT))
    drawing.setLineWidth(stamp.stroke)
    drawing.rect(0, 0, stamp.frame_width, stamp.frame_height, stroke=1, fill=0)
    drawing.setFont(font, fitted.size)
    for number, line in enumerate(fitted.lines):
        baseline = stamp.frame_height - stamp.padding - ascent - number * LEADING * fitted.size
        drawing.drawRightString(stamp.frame_width - stamp.padding, baseline, line)
    drawing.restoreState()


def stamp(pdf: bytes, recipient: Recipient, original: str, new_name: str, rooms: Rooms | None = None) -> bytes:
    """`pdf` (the dossier `original`) as the copy `new_name`: the recipient's stamp on every page, the cover
    naming the copy's own file, and a title that names the recipient and the copy; nothing else changes, the
    PDF version included. `rooms` is where `pdf` leaves room for the stamp (`measure_rooms`), measured here
    unless given.

    Raises RenderError if a page's foot cannot hold the stamp whole."""
    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter(clone_from=reader)
    writer.pdf_header = reader.pdf_header  # pypdf writes %PDF-1.3 unless told
    sizes = [(float(page.mediabox.width), float(page.mediabox.height)) for page in writer.pages]
    overlay = _overlay(sizes, rooms or measure_rooms(pdf), recipient, find_text(writer.pages[0], original),
                       original, new_name)
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
    if not chosen:
        return []  # no copies asked for: nothing to measure (rendering the pages is most of a stamp's cost)
    rooms = measure_rooms(pdf)
    copies = []
    for recipient in chosen:
        path = path_for(recipient.file_suffix())
        copies.append((path, stamp(pdf, recipient, original.name, path.name, rooms)))
    return copies
