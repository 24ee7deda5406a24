"""The live preview's documents: the book as the EPUB draws it, rendered in a fraction of a second.

`bestiary serve` shows a specimen while its record is being typed. Laying out
print pages takes WeasyPrint seconds even for one specimen, and the whole
incremental build of the bundled book some twenty; the EPUB's content documents
take milliseconds, since a browser does their layout. So the preview is the
EPUB's own XHTML (its layouts, its stylesheet, its fonts), drawn from an
`EpubView` without the print pagination: no page-list markers, index entries
without page numbers. The PDF and the EPUB themselves come later, from the
normal build.

Loading the whole bundled book takes 0.05 to 0.2 s and rendering a specimen
under 0.1 s, so a save loads the book again rather than re-reading one record:
every cross-record check (titles, `related`) stays exactly the build's. (A synthetic
book of 500 roles takes 2 s to load and 0.7 s for its `EpubView`: for books that
large, a per-record cache in `load` would be the next step.)
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from ..book.load import load_book
from ..book.model import Book, Role
from ..epub.documents import EPUB_FONTS, render_document, render_stylesheet
from ..render.renderer import Renderer, make_renderer
from ..resources import fonts_dir
from ..views.epub import EpubView, epub_view
from ..views.pages import Pagination

NO_PRINT_PAGES = Pagination((), ())  # the preview does not wait for the print edition's layout
NOT_SERVED = ("cover",)  # its image is the print cover, which only a build rasterises


@dataclass
class PreviewBook:
    """One loaded state of the book, and its EPUB documents by file name, each rendered once when first asked for."""

    book: Book
    view: EpubView
    renderer: Renderer
    _rendered: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def slugs(self) -> tuple[str, ...]:
        return tuple(role.slug for role in self.book.roles)

    def role(self, slug: str) -> Role | None:
        return next((role for role in self.book.roles if role.slug == slug), None)

    def specimen_file(self, slug: str) -> str | None:
        """The file name of the specimen `slug` (`specimen-sdet.xhtml`), or None if the book has no such role."""
        return next((document.file_name for document in self.view.documents
                     if document.specimen is not None and document.specimen.role.slug == slug), None)

    def slug_of_record(self, path: Path) -> str | None:
        """The slug of the role whose record is the file at `path`, if it is one of this book's."""
        try:
            real = path.resolve()
        except (OSError, RuntimeError):
            return None
        return next((role.slug for role in self.book.roles if Path(role.source_path).resolve() == real), None)

    def document(self, file_name: str) -> str | None:
        """The XHTML of the content document `file_name` (`specimen-sdet.xhtml`), or None if there is none.

        Raises `RenderError` when a layout fails.
        """
        with self._lock:
            if file_name in self._rendered:
                return self._rendered[file_name]
        found = next((document for document in self.view.documents
                      if document.file_name == file_name and document.kind not in NOT_SERVED), None)
        if found is None:
            return None
        text = render_document(self.renderer, self.view, found)
        with self._lock:
            return self._rendered.setdefault(file_name, text)

    def stylesheet(self) -> str:
        """The EPUB's stylesheet, as the package carries it (`styles/epub.css`)."""
        with self._lock:
            if "epub.css" not in self._rendered:
                self._rendered["epub.css"] = render_stylesheet(self.renderer)
            return self._rendered["epub.css"]


def load_preview(book_dir: Path) -> PreviewBook:
    """The book in `book_dir` ready to preview. Raises `InputError` with every problem, as `check` would."""
    book = load_book(book_dir)
    return PreviewBook(book, epub_view(book, NO_PRINT_PAGES), make_renderer(book))


def preview_font(name: str) -> Path | None:
    """The font file the EPUB's stylesheet names `name` (`../fonts/<name>`), or None: only those are served."""
    return fonts_dir() / name if name in EPUB_FONTS else None

