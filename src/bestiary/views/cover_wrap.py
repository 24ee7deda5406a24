"""The cover wrap as its layout draws it: back cover, spine and front cover on one sheet, in points.

The spine is as wide as the interior is thick: its page count times the paper's caliper.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..book.model import Book
from ..template_data import template_data
from ..text.measures import PageSize, points

SPINE_TEXT_MINIMUM = 0.25 * 72  # printers set no type on a thinner spine: it could slip onto the covers


@template_data("width", "front_left", "spine_has_text", "barcode_text")
@dataclass(frozen=True)
class CoverWrap:
    """The wrap's geometry in points (trim box, without the bleed) and what it shows."""

    book: Book
    page_count: int
    trim_width: float
    height: float
    bleed: float
    spine_width: float
    specimen_count: int
    family_count: int

    @property
    def width(self) -> float:
        """Back, spine and front, at the trim: the sheet is this plus the bleed on each side."""
        return 2 * self.trim_width + self.spine_width

    @property
    def front_left(self) -> float:
        return self.trim_width + self.spine_width

    @property
    def spine_has_text(self) -> bool:
        return self.spine_width >= SPINE_TEXT_MINIMUM

    @property
    def barcode_text(self) -> str:
        identifier = self.book.config.print_edition.identifier
        return identifier.split(":")[-1] if "isbn" in identifier.lower() else "ISBN"


def spine_width(page_count: int, caliper: str) -> float:
    """How thick the interior is: its pages times the paper's caliper (one leaf is two pages)."""
    return page_count * points(caliper)


def cover_wrap(book: Book, page_count: int, page_size: PageSize | None = None) -> CoverWrap:
    config = book.config
    page = page_size or config.page_size
    return CoverWrap(book, page_count, page.width, page.height, points(config.print_edition.bleed),
                     spine_width(page_count, config.print_edition.paper_caliper), len(book.roles),
                     len(book.families))


