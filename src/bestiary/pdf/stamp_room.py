"""Where a recipient's stamp can go on a rendered dossier: measured on its pages, never assumed.

The running stamp ("PREPARED FOR: … // COPY n OF N") goes at the foot of every page, under the lowest
thing the page draws (the folio row: "PAGE n OF N", and on inner pages "DOSSIER …" and "EYES ONLY"),
down to the edge a home printer can print (`PRINTABLE_EDGE`), across the width of what the page draws.
That band is free on the cover sheet and on inner pages, on A4 and on Letter, on left and right pages
alike. The top margin is not: inner pages carry the centred CLASSIFIED banner, a corner banner on one side
and the running head on the other, and the corners swap from a left page to a right one, so whatever
width a top line took, some page would run it under a banner or a head.

The cover sheet's rubber stamp goes in the folder's foot: inside the folder (the largest box on the page,
the one that holds the rest), under the last thing it holds (the handling instructions). How much room
that leaves depends on the record, since a long summary or many aliases push the instructions down, so
it is measured for each dossier too.

PDFium reads the pages: it gives every drawn object's box as a viewer draws it, through forms (the org
chart) and transforms (the cover's tilted CLASSIFIED); pypdf's text positions miss both.
"""

from __future__ import annotations

from dataclasses import dataclass

import pypdfium2

MM = 72 / 25.4
PRINTABLE_EDGE = 6 * MM  # home printers leave 4 to 5 mm of each edge unprinted
CLEARANCE = 3.0  # points kept free between a stamp and anything the page draws


@dataclass(frozen=True)
class Box:
    """A rectangle on a page, in PDF points from the lower left corner."""

    left: float
    bottom: float
    right: float
    top: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.top - self.bottom

    @property
    def area(self) -> float:
        return max(self.width, 0) * max(self.height, 0)

    def overlaps(self, other: Box) -> bool:
        """Whether the two share more than an edge."""
        return (self.left < other.right and other.left < self.right
                and self.bottom < other.top and other.bottom < self.top)

    def encloses(self, other: Box) -> bool:
        return (self.left <= other.left and other.right <= self.right
                and self.bottom <= other.bottom and other.top <= self.top)


@dataclass(frozen=True)
class Rooms:
    """Where a dossier leaves room for a stamp: the free band at the foot of each page, and the folder's
    free foot on the cover sheet."""

    footers: tuple[Box, ...]
    cover: Box | None  # None when the cover sheet has no folder (a book's own layout)


def page_marks(page: pypdfium2.PdfPage) -> list[Box]:
    """The box of everything `page` draws: each top-level object, a form (an SVG chart) as one."""
    return [Box(*page_object.get_bounds()) for page_object in page.get_objects(max_depth=1)]


def measure_rooms(pdf: bytes) -> Rooms:
    """The rooms `pdf` (a rendered dossier) leaves for a stamp."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        pages = [document[index] for index in range(len(document))]
        footers = tuple(footer_band(page_marks(page), page.get_width(), page.get_height()) for page in pages)
        cover = folder_foot(page_marks(pages[0]))
    finally:
        document.close()
    return Rooms(footers, cover)


def footer_band(marks: list[Box], width: float, height: float) -> Box:
    """The band under everything in `marks`, above the printable edge, across the width they take."""
    lowest = min((mark.bottom for mark in marks), default=height - PRINTABLE_EDGE)
    left = max(PRINTABLE_EDGE, min((mark.left for mark in marks), default=0))
    right = min(width - PRINTABLE_EDGE, max((mark.right for mark in marks), default=width))
    return Box(left, PRINTABLE_EDGE, right, lowest - CLEARANCE)


def folder_foot(marks: list[Box]) -> Box | None:
    """The free foot of the largest box that holds others (the cover sheet's folder): as wide as what it
    holds, from just above its lower edge up to the lowest thing it holds."""
    def held_by(container: Box) -> list[Box]:
        return [mark for mark in marks if mark.area < container.area and container.encloses(mark)]

    folders = [mark for mark in marks if held_by(mark)]
    if not folders:
        return None
    folder = max(folders, key=lambda mark: mark.area)
    held = held_by(folder)
    return Box(min(mark.left for mark in held), folder.bottom + CLEARANCE,
               max(mark.right for mark in held), min(mark.bottom for mark in held) - CLEARANCE)
