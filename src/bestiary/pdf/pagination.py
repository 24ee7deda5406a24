"""Where the print edition's pages fall: read from a laid-out field guide, or planned from its chunks.

`pagination_of` reads a laid-out WeasyPrint document once; the result (`views.pages.Pagination`)
says which folio each page prints and which ids begin on it. The EPUB takes its page-list
markers and the print page numbers of its index locators from it, so the two editions always
agree. `plan_pages` lays the chunks' shapes end to end (`chunks`); `PageNumbering` labels pages.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ..views.pages import Pagination

ELEMENT_ID = re.compile(r'\sid="([^"]+)"')  # attribute values are escaped: no quote inside
INTERNAL_LINK = re.compile(r' href="#([^"]+)"')  # a link to an id of the same document


COVER_LABELS = ("Cover", "Inside cover")  # a cover has no folio: its pages are labelled by name


@dataclass(frozen=True)
class PageNumbering:
    """How pages are labelled: the cover's pages by name, then roman front matter, then arabic from 1."""

    cover_pages: int  # 0, or the two pages of the cover (outside and inside)
    body_start: int  # index of the page that prints folio 1

    def labels(self, page_count: int) -> tuple[str, ...]:
        return tuple(self.label(index) for index in range(page_count))

    def label(self, index: int) -> str:
        if index < self.cover_pages:
            return COVER_LABELS[index]
        if index < self.body_start:
            return roman(index - self.cover_pages + 1)
        return str(index - self.body_start + 1)


def page_of(pages: Iterable[Container[str]], anchor: str) -> int | None:
    """The index of the first of `pages` (each the ids on it, or that begin on it) that holds `anchor`."""
    return next((index for index, anchors in enumerate(pages) if anchor in anchors), None)


def roman(number: int) -> str:
    numerals = (("m", 1000), ("cm", 900), ("d", 500), ("cd", 400), ("c", 100), ("xc", 90), ("l", 50),
                ("xl", 40), ("x", 10), ("ix", 9), ("v", 5), ("iv", 4), ("i", 1))
    out = ""
    for numeral, value in numerals:
        while number >= value:
            out += numeral
            number -= value
    return out


def page_fill(page: object) -> float:
    """How far down its text area a laid-out WeasyPrint page's text or images reach (0 for a blank page).

    Reads WeasyPrint's box tree (`page._page_box`), which it does not promise to keep: should it
    change, pages count as full and only the runt report is lost.
    """
    box = getattr(page, "_page_box", None)
    if box is None:
        return 1.0
    content = [child for child in box.children if type(child).__name__ != "MarginBox"]
    bottoms = [line.position_y + line.height for child in content
               for line in _lines(child) if any(text.text.strip() for text in _texts(line))]
    # a chart (an SVG or an image, a replaced box) fills its page as text does
    bottoms += [image.position_y + image.margin_height() for child in content for image in _replaced(child)]
    if not bottoms:
        return 0.0
    reached: float = (max(bottoms) - box.margin_top) / box.height
    return reached


# WeasyPrint's boxes are untyped: what these find is read by attribute (`position_y`, `text`…)
def _lines(box: object) -> Iterator[Any]:
    if type(box).__name__ == "LineBox":
        yield box
        return
    for child in getattr(box, "children", None) or ():
        yield from _lines(child)


def _replaced(box: object) -> Iterator[Any]:
    if type(box).__name__.endswith("ReplacedBox"):
        yield box
        return
    for child in getattr(box, "children", None) or ():
        yield from _replaced(child)


def _texts(box: object) -> Iterator[Any]:
    if type(box).__name__ == "TextBox":
        yield box
    for child in getattr(box, "children", None) or ():
        yield from _texts(child)


def pagination_of(pages_anchors: Sequence[Iterable[str]], html: str, numbering: PageNumbering,
                  fill: tuple[float, ...] = ()) -> Pagination:
    """Each page's folio and the ids that begin on it, in document order (the order of the HTML).

    `pages_anchors` holds, for each laid-out page, the ids present on it (WeasyPrint's `page.anchors`).
    """
    order = {anchor: position for position, anchor in enumerate(ELEMENT_ID.findall(html))}
    seen: set[str] = set()
    anchors: list[tuple[str, ...]] = []
    for page_anchors in pages_anchors:
        # an element split across pages is listed on each of them; it begins on the first
        beginning = sorted((a for a in page_anchors if a not in seen), key=lambda a: order.get(a, len(order)))
        seen.update(beginning)
        anchors.append(tuple(beginning))
    return Pagination(numbering.labels(len(pages_anchors)), tuple(anchors), fill)


Shape = tuple[tuple[str, ...], ...]  # the ids that begin on each page of a chunk laid out on its own


@dataclass(frozen=True)
class PagePlan:
    """Where each chunk of the field guide falls in the whole book, and the folio each id prints."""

    starts: tuple[int, ...]  # index of each chunk's first page in the book (its blank verso, when it has one)
    blanks: tuple[bool, ...]  # whether the chunk begins with a blank verso, so that it opens on a recto
    numbering: PageNumbering
    folios: dict[str, str]

    def first_counter(self, chunk: int, pad: bool) -> int:
        """The page counter of the first page a chunk lays out: its own first page, or the pad before it."""
        return self.starts[chunk] - pad - self.numbering.body_start + 1

    def pads(self, chunk: int) -> bool:
        """A chunk that starts on a verso is laid out after a stand-in recto (index 0, the cover, is a recto)."""
        return self.starts[chunk] % 2 == 1


def plan_pages(opens_recto: Sequence[bool], shapes: Sequence[Shape], cover_pages: int,
               first_chapter: str) -> PagePlan:
    """Lay the chunks' shapes end to end, a blank verso before each recto opener that would fall on a verso."""
    starts: list[int] = []
    blanks: list[bool] = []
    pages: list[tuple[str, ...]] = []
    for recto, shape in zip(opens_recto, shapes, strict=True):
        starts.append(len(pages))
        blanks.append(recto and len(pages) % 2 == 1)
        pages += [()] * blanks[-1]
        pages += shape
    body_start = page_of(pages, first_chapter)
    if body_start is None:
        raise ValueError(f"the first chapter ({first_chapter}) is on none of the pages")
    numbering = PageNumbering(cover_pages, body_start)
    folios: dict[str, str] = {}
    for index, anchors in enumerate(pages):
        for anchor in anchors:
            folios.setdefault(anchor, numbering.label(index))
    return PagePlan(tuple(starts), tuple(blanks), numbering, folios)
