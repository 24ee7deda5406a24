"""The EPUB's content documents, stylesheet and NCX, rendered from its view: what the package will hold.

Shared by the EPUB (`epub`, which packages them), the live preview (`preview`,
which serves them one at a time) and `check` (which renders a book's own
layouts to find what only rendering shows). No packaging here, so none of them
needs ebooklib to render.
"""

from __future__ import annotations

from ..render.layouts import EPUB_DOCUMENTS, EPUB_NCX, EPUB_STYLESHEET
from ..render.renderer import Renderer
from ..resources import fonts_dir
from ..views.epub import Document, EpubView

EPUB_FONTS = (
    "CourierPrime-Regular.ttf", "CourierPrime-Bold.ttf", "CourierPrime-Italic.ttf",
    "CourierPrime-BoldItalic.ttf", "Inter-Regular.otf", "Inter-Italic.otf", "Inter-Bold.otf",
    "Inter-Black.otf", "EBGaramond-Regular.otf", "EBGaramond-Italic.otf", "EBGaramond-Bold.otf",
)
# The embedded fonts' copyright notices, and the license they share (the SIL OFL 1.1 asks that it travel with them).
FONT_COPYRIGHTS = (
    ("Courier Prime",
     "Copyright 2015 The Courier Prime Project Authors (https://github.com/quoteunquoteapps/CourierPrime)"),
    ("Inter", "Copyright 2016-2022 The Inter Project Authors (https://github.com/rsms/inter)"),
    ("EB Garamond", "Copyright 2010-2012 Georg Duffner (http://www.georgduffner.at)"),
)
FONT_LICENSE = "OFL.txt"


def font_license() -> str:
    """The fonts' license, as the licenses document prints it (empty if the file is gone)."""
    try:
        return (fonts_dir() / FONT_LICENSE).read_text(encoding="utf-8")
    except OSError:
        return ""


def _context(view: EpubView, cover_size: tuple[int, int]) -> dict[str, object]:
    return {"book": view.book, "epub": view, "cover_width": cover_size[0], "cover_height": cover_size[1],
            "font_copyrights": FONT_COPYRIGHTS, "font_license": font_license()}


def render_document(renderer: Renderer, view: EpubView, document: Document,
                    cover_size: tuple[int, int] = (0, 0)) -> str:
    """The XHTML of one content document; `cover_size` is the cover image's, in pixels."""
    layout, _ = EPUB_DOCUMENTS[document.kind]
    return renderer.render(layout, chapter=document.chapter, specimen=document.specimen,
                           **_context(view, cover_size))


def render_stylesheet(renderer: Renderer) -> str:
    return renderer.render(EPUB_STYLESHEET)


def render_ncx(renderer: Renderer, view: EpubView, cover_size: tuple[int, int] = (0, 0)) -> str:
    return renderer.render(EPUB_NCX, **_context(view, cover_size))
