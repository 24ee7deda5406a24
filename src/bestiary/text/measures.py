"""Lengths and page sizes as `book.yaml` and the command line write them ('4.5in 7in', a5, 3mm), in points.

A page size is parsed once, into a `PageSize` that keeps the text as written (the
stylesheet says what the author wrote) beside its width and height in points.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..template_data import template_data

_LENGTH = r"\d+(\.\d+)?(mm|cm|in|pt|px)"
LENGTH = re.compile(_LENGTH)
PAGE_SIZE = re.compile(rf"^({_LENGTH}\s+{_LENGTH}|a4|a5|a6|b5|letter)$", re.IGNORECASE)
POINTS_PER = {"mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0, "pt": 1.0, "px": 0.75}
NAMED_PAGE_SIZES = {"a4": (595.28, 841.89), "a5": (419.53, 595.28), "a6": (297.64, 419.53),
                    "b5": (498.9, 708.66), "letter": (612.0, 792.0)}
# What a printer makes of a book page: from a small pocket book (3 in, 76 mm) to tabloid (17 in, 432 mm).
PAGE_SIDE_POINTS = (3 * 72.0, 17 * 72.0)
MAX_BLEED_POINTS = 0.5 * 72  # printers ask for 3 mm or 1/8 in; half an inch is already generous


def points(length: str) -> float:
    """A CSS length such as 3mm or 4.5in, in points."""
    match = LENGTH.fullmatch(length.strip().lower())
    if match is None:
        raise ValueError(f"not a length: {length!r}")
    return float(length.strip()[:-2]) * POINTS_PER[match.group(2)]


def page_dimensions(page_size: str) -> tuple[float, float]:
    """Width and height in points of a page size as `book.yaml` writes it ('4.5in 7in', a5)."""
    named = NAMED_PAGE_SIZES.get(page_size.strip().lower())
    if named:
        return named
    width, height = page_size.split()
    return points(width), points(height)


def page_size_problem(text: str) -> str | None:
    """What is wrong with a page size (None when it is one a printer can make)."""
    if not PAGE_SIZE.match(text.strip()):
        return f"expected a page size such as '4.5in 7in' or a5, found {text!r}"
    width, height = page_dimensions(text)
    low, high = PAGE_SIDE_POINTS
    if not (low <= width <= high and low <= height <= high):
        return (f"expected each side of the page from 3in (76mm) to 17in (432mm), found {text!r} "
                f"({width / 72:.2f}in by {height / 72:.2f}in)")
    return None


@template_data()
@dataclass(frozen=True)
class PageSize:
    """A page size: as written ('4.5in 7in', a5) and in points."""

    text: str
    width: float
    height: float

    @classmethod
    def parse(cls, text: str) -> PageSize:
        """The page size `text` names; raises `ValueError` (its message says what is wrong) for one no
        printer makes."""
        problem = page_size_problem(text)
        if problem:
            raise ValueError(problem)
        return cls(text, *page_dimensions(text))


def bleed_problem(text: str) -> str | None:
    """What is wrong with a bleed (None when it is one a printer asks for)."""
    if not LENGTH.fullmatch(text.strip().lower()):
        return f"expected a bleed such as 3mm, found {text!r}"
    if points(text) > MAX_BLEED_POINTS:
        return f"expected a bleed from 0 to 0.5in (12.7mm), found {text!r}"
    return None


def human_size(size: float) -> str:
    """`size` bytes in binary units: 812 B, 40.5 KiB, 3.2 MiB."""
    if size < 1024:
        return f"{size:.0f} B"
    for unit in ("KiB", "MiB", "GiB"):
        size /= 1024
        if size < 1024 or unit == "GiB":
            return f"{size:.1f} {unit}"
    raise AssertionError("unreachable")
