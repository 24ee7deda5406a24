"""Share cards: the 1200 × 630 image a link to the site shows in a chat or a feed (Open Graph, Twitter cards).

Each is a page of its own (`layouts/web/share-card.html.j2`), laid out on the
worker pool like any document (and cached under its HTML), then rasterised by
PDFium to a PNG whose bytes depend only on its pixels (`epub.cover`). The book
has one (the home page's, and every page's that is not a specimen's); each
specimen has its own: its title, file number, summary and the classification stamp.
"""

from __future__ import annotations

from concurrent.futures import Future

from ..book.model import Book
from ..epub.cover import cached_cover_png
from ..errors import Diagnostic
from ..pdf.layout import LaidOut, LayoutTask
from ..pdf.pool import WorkerPool
from ..render.layouts import SHARE_CARD_LAYOUT
from ..render.renderer import Renderer
from ..store.cache import Cache
from ..views.web import share_cards

CARD_HEIGHT = 630  # pixels: the shorter side, which `cover_png` is told; the page is 1200 × 630 CSS pixels
# zlib level 6: a third of level 9's time for 4 % more bytes (measured on a card: 15 ms and 70 KB against 49 ms
# and 67 KB), on a card for every specimen, where the EPUB has one cover
CARD_COMPRESSION = 6


def submit_cards(book: Book, renderer: Renderer, pool: WorkerPool) -> dict[str, Future[LaidOut]]:
    """Every card handed to the pool now (after the field guide and the dossiers, `priority`), by name."""
    return {name: pool.submit(LayoutTask(SHARE_CARD_LAYOUT, renderer.render(SHARE_CARD_LAYOUT, card=card, book=book),
                                         (), write=True), priority=3)
            for name, card in share_cards(book).items()}


def card_images(laid_out: dict[str, Future[LaidOut]], cache: Cache,
                toolchain: str) -> tuple[dict[str, bytes], list[Diagnostic]]:
    """Each card's PNG, by name, once its page is laid out; and what laying them out warned (a book's own card
    layout may ask for what the sandbox refuses)."""
    images, warnings = {}, []
    for name, future in laid_out.items():
        laid = future.result()
        assert laid.pdf is not None  # asked for with write=True
        images[name] = cached_cover_png(laid.pdf, cache, toolchain, short_side=CARD_HEIGHT, level=CARD_COMPRESSION)
        warnings += [warning for warning in laid.warnings if warning not in warnings]
    return images, warnings
