"""The cover wrap as its layout draws it: back cover, spine and front cover on one sheet, in points.

Its geometry comes from the print profile: the spine is as wide as the interior
is thick (its page count times the caliper of the profile's paper), spine text
only where the service allows it and a legible size fits between its clearances,
and the barcode area where the service puts it: an ISBN's barcode drawn there,
or the area left clear for the service's own.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..book.model import Book
from ..book.print_services import BarcodeArea, PrintProfile
from ..template_data import template_data
from ..text.isbn import is_isbn
from ..text.measures import PageSize
from .barcode import Barcode, ean13_barcode

SPINE_TEXT_LARGEST = 9.0  # points: the title's size on a spine with room to spare
SPINE_TEXT_SMALLEST = 5.0  # below this the spine is left blank: type that small is no help on a shelf
# Courier Prime's line (ascender 0.781 em, descender 0.342 em) with a little air, so no glyph reaches a clearance
LINE_PER_SIZE = 1.15
BARCODE_AREA_GAP = 0.15 * 72  # between the back cover's text and the barcode area


@template_data("width", "front_left", "spine_text_size", "back_text_bottom")
@dataclass(frozen=True)
class CoverWrap:
    """The wrap's geometry in points (trim box, without the bleed) and what it shows."""

    book: Book
    page_count: int
    trim_width: float
    height: float
    bleed: float  # on the sheet's four outer edges
    spine_width: float
    spine_has_text: bool
    spine_text_room: float  # the spine less its clearance at each fold: the height of the spine's line of text
    barcode_area: BarcodeArea  # on the back cover, from the spine's fold and the bottom trim
    barcode: Barcode | None  # the ISBN's, drawn in the barcode area; None: the area is left clear
    specimen_count: int
    family_count: int
    volume: str = ""  # "Volume II of III" when the interior is split into volumes
    volume_numeral: str = ""  # "II", for the spine

    @property
    def width(self) -> float:
        """Back, spine and front, at the trim: the sheet is this plus the bleed on each side."""
        return 2 * self.trim_width + self.spine_width

    @property
    def front_left(self) -> float:
        return self.trim_width + self.spine_width

    @property
    def spine_text_size(self) -> float:
        return spine_text_size(self.spine_text_room)

    @property
    def back_text_bottom(self) -> float:
        """How far above the bottom trim the back cover's text must end: clear of the barcode area."""
        return self.barcode_area.from_bottom + self.barcode_area.height + BARCODE_AREA_GAP


def spine_text_size(room: float) -> float:
    """The type size that fits a line of `room` points."""
    return min(SPINE_TEXT_LARGEST, room / LINE_PER_SIZE)


def cover_wrap(book: Book, page_count: int, page_size: PageSize | None = None,
               profile: PrintProfile | None = None, volume: VolumeLabel | None = None) -> CoverWrap:
    """The wrap of an interior of `page_count` pages, to `profile` (by default the one book.yaml describes);
    of one `volume` when the interior is split (its label, identifier and counts on the covers and spine)."""
    config = book.config
    page = page_size or config.page_size
    profile = profile or config.print_edition.profile()
    spine = profile.spine_width(page_count)
    room = spine - 2 * profile.spine_text_clearance
    has_text = profile.spine_may_carry_text(page_count) and spine_text_size(room) >= SPINE_TEXT_SMALLEST
    identifier = (volume.identifier if volume else "") or config.print_edition.identifier
    if volume is not None and volume.identifier == "":
        identifier = ""  # one ISBN cannot be every volume's: no barcode unless book.yaml gives this volume one
    return CoverWrap(book, page_count, page.width, page.height, profile.cover_bleed, spine, has_text,
                     max(room, 0.0), profile.barcode, ean13_barcode(identifier) if is_isbn(identifier) else None,
                     volume.specimen_count if volume else len(book.roles),
                     volume.family_count if volume else len(book.families),
                     volume.label if volume else "", volume.numeral if volume else "")


@dataclass(frozen=True)
class VolumeLabel:
    """What a volume's covers say of it: "Volume II of III", "II", its own identifier ("" for none), its counts."""

    label: str
    numeral: str
    identifier: str
    specimen_count: int
    family_count: int
