"""`bestiary check`: the book loaded and validated, and a book's own layouts tried, without building anything.

Loading finds every problem of the files (`load`). A book's own layouts are
checked as files there too (`layout_files`: E306, E401), but a template can also
fail as it renders (an undefined name, a loop past its limits: E402) or build a
URL as it goes (E403). So when a book brings layouts of its own, `check` renders
every document a build would (the field guide, the printer's interior sheet, the
cover wrap, each dossier and its stylesheet, every EPUB document, its stylesheet and NCX, every page of the
web edition, its stylesheet and each share card) from the real views, in Jinja only: no page is laid out and
nothing is written. A book that uses our
layouts alone has nothing to try: the tests render ours.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from .book.load import load_book
from .book.model import Book
from .epub.documents import render_document, render_ncx, render_stylesheet
from .errors import Diagnostic, InputError
from .render.layouts import (
    COVER_WRAP_LAYOUT,
    DOSSIER_LAYOUT,
    DOSSIER_STYLESHEET,
    FIELD_GUIDE_LAYOUT,
    INTERIOR_STYLESHEET,
    SHARE_CARD_LAYOUT,
    WEB_PAGES,
    WEB_STYLESHEET,
)
from .render.renderer import Renderer, make_renderer
from .store.dates import book_sources, build_time
from .text.running_heads import INNER_MARGIN
from .views.cover_wrap import cover_wrap
from .views.dossier import dossier_view
from .views.epub import epub_view
from .views.guide import field_guide_view
from .views.pages import Pagination
from .views.print_interior import interior_page
from .views.web import share_cards, web_view

TRIAL_PAGE_COUNT = 128  # the cover wrap is tried at a plausible size: its spine is drawn from the page count


def check_book(book_dir: Path) -> Book:
    """The valid book in `book_dir`; raises `InputError` with every problem of its files and its own layouts."""
    book = load_book(book_dir)
    renderer = make_renderer(book)
    if renderer.book_has_layouts:
        problems = try_layouts(book, renderer)
        if problems:
            raise InputError([*problems, *book.warnings])
    return book


def try_layouts(book: Book, renderer: Renderer) -> list[Diagnostic]:
    """Every problem found by rendering each document of `book` once, each reported once."""
    created = build_time(book_sources(book.directory))
    found: dict[str, Diagnostic] = {}

    def attempt(render: Callable[[], object]) -> None:
        try:
            render()
        except InputError as error:
            found.update((str(problem), problem) for problem in error.diagnostics)

    def render_dossier(slug: str) -> object:
        return renderer.render(DOSSIER_LAYOUT, dossier=dossier_view(book, slug, created))

    attempt(lambda: renderer.render(FIELD_GUIDE_LAYOUT, guide=field_guide_view(book, created)))
    attempt(lambda: renderer.render(COVER_WRAP_LAYOUT, wrap=cover_wrap(book, TRIAL_PAGE_COUNT), book=book,
                                    created=created.isoformat()))
    attempt(lambda: renderer.render(INTERIOR_STYLESHEET, page=interior_page(book.config.print_edition.profile(),
                                                                           INNER_MARGIN)))
    attempt(lambda: renderer.render(DOSSIER_STYLESHEET))
    for role in book.roles:
        attempt(partial(render_dossier, role.slug))
    view = epub_view(book, Pagination((), ()))
    attempt(lambda: render_stylesheet(renderer))
    attempt(lambda: render_ncx(renderer, view))
    for document in view.documents:
        attempt(partial(render_document, renderer, view, document))
    site = web_view(book, Pagination((), ()), (), {}, "", (1, 1))
    for page in site.pages:
        attempt(partial(renderer.render, WEB_PAGES[page.kind], web=site, page=page, book=book))
    attempt(lambda: renderer.render(WEB_STYLESHEET, fonts=()))
    for card in share_cards(book).values():
        attempt(partial(renderer.render, SHARE_CARD_LAYOUT, card=card, book=book))
    return list(found.values())
