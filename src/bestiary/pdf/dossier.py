"""Per-role printable dossiers: one standalone PDF per specimen, on office paper.

A dossier links only inside itself: related specimens name the other
dossiers' file names instead of pages of the field guide. The build makes each
dossier's HTML and hands it to the worker pool (`pool`) as a task, so dossiers
lay out on every core alongside the field guide's chunks, and an unchanged
dossier comes from the cache.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from ..book.model import Book
from ..errors import Diagnostic
from ..render.layouts import DOSSIER_LAYOUT, DOSSIER_STYLESHEET
from ..render.renderer import make_renderer
from ..store.paths import dossier_file_name
from ..views.dossier import dossier_view
from .layout import Finish, LaidOut, LayoutTask

__all__ = ["DossierLayouts", "RenderedDossier", "dossier_file_name"]


@dataclass(frozen=True)
class RenderedDossier:
    slug: str
    data: bytes
    page_count: int
    warnings: tuple[Diagnostic, ...]

    @classmethod
    def of(cls, slug: str, laid_out: LaidOut) -> RenderedDossier:
        return cls(slug, laid_out.pdf or b"", laid_out.page_count, laid_out.warnings)


class DossierLayouts:
    """The layout tasks of one book's dossiers on one (checked) paper size; `dated` gives each its date."""

    def __init__(self, book: Book, paper: str, dated: Callable[[str], datetime.datetime]):
        self.book = book
        self.dated = dated
        self.paper_in_name = paper if paper != book.config.dossier_paper else None
        self.renderer = make_renderer(book)
        self.stylesheet = self.renderer.render(DOSSIER_STYLESHEET) + f"\n@page {{ size: {paper}; }}\n"

    def task(self, slug: str) -> LayoutTask:
        view = dossier_view(self.book, slug, self.dated(slug), self.paper_in_name)
        config = self.book.config
        return LayoutTask(DOSSIER_LAYOUT, self.renderer.render(DOSSIER_LAYOUT, dossier=view), (self.stylesheet,),
                          write=True, finish=Finish(0, 0, config.language, f"{config.identifier}#{slug}",
                                                    spreads=False))
