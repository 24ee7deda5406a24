"""Where the print edition's pages begin, as the views need it: the EPUB marks each print page and cites
print folios in its index. The pages are read from the laid-out field guide (`pdf.pagination`); this is
the value the views take, so they need nothing of the PDF stage.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..template_data import template_data


def page_id(label: str) -> str:
    """The id of the EPUB's marker for print page `label`."""
    return f"page-{label}"


@template_data()
@dataclass(frozen=True)
class PageMarker:
    """Where a print page begins in the EPUB: its folio and the marker's id."""

    label: str
    id: str


@dataclass(frozen=True)
class Pagination:
    """Each print page's label (its folio), the ids that begin on it (in document order), and how full it is."""

    labels: tuple[str, ...]
    anchors_by_page: tuple[tuple[str, ...], ...]
    fill: tuple[float, ...] = ()  # the share of each page's text area its text reaches down to

    def sparse_body_pages(self, below: float = 0.25) -> tuple[str, ...]:
        """Folios of the body pages that hold text but reach less than `below` of the way down: runts."""
        return tuple(label for label, filled in zip(self.labels, self.fill, strict=False)
                     if label.isdigit() and 0 < filled < below)

    @property
    def body_start(self) -> int:
        """Index of the first body page (folio 1)."""
        return next((i for i, label in enumerate(self.labels) if label == "1"), len(self.labels))

    def folios(self) -> dict[str, str]:
        """Anchor id → the folio of the print page it begins on (the EPUB's index cites print pages)."""
        pages: dict[str, str] = {}
        for label, anchors in zip(self.labels, self.anchors_by_page, strict=True):
            for anchor in anchors:
                pages.setdefault(anchor, label)
        return pages

    def markers(self, is_shared: Callable[[str], bool]) -> dict[str, tuple[PageMarker, ...]]:
        """Anchor id → the markers of the body pages that begin just before it.

        A page is marked at the first element that `is_shared` (present in the other edition)
        begins on it; a page that begins and ends inside one element is marked just before the
        next element that begins. Front matter (roman folios) has no counterpart and is not marked.
        """
        breaks: dict[str, list[str]] = {}
        waiting: list[str] = []
        for label, anchors in zip(self.labels, self.anchors_by_page, strict=True):
            if not label.isdigit():
                continue
            waiting.append(label)
            first = next((anchor for anchor in anchors if is_shared(anchor)), None)
            if first is not None:
                breaks.setdefault(first, []).extend(waiting)
                waiting = []
        return {anchor: tuple(PageMarker(label, page_id(label)) for label in labels)
                for anchor, labels in breaks.items()}
