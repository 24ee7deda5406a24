"""Per-role printable dossiers: one standalone PDF per specimen, on office paper.

A dossier links only inside itself: related specimens name the other
dossiers' file names instead of pages of the field guide. Dossiers render in
parallel, one worker process per core; each worker parses the stylesheet and
sets up the fonts once and renders all of its dossiers with them.
"""

from __future__ import annotations

import datetime
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass

from weasyprint.text.fonts import FontConfiguration

from .context import dossier_file_name, dossier_view
from .errors import Diagnostic
from .model import Book
from .pagination import PageNumbering
from .pdf import lay_out, stylesheet, write_pdf
from .pdf_finish import finisher
from .render import make_renderer
from .sandbox import SandboxedFetcher, sandbox_roots
from .workers import die_with_parent

DOSSIER_LAYOUT = "print/dossier.html.j2"

__all__ = ["DossierRenderer", "RenderedDossier", "dossier_file_name", "render_dossiers"]


@dataclass(frozen=True)
class RenderedDossier:
    slug: str
    data: bytes
    page_count: int
    warnings: tuple[Diagnostic, ...]


class DossierRenderer:
    """Renders dossiers of one book on one (checked) paper size, with one parsed stylesheet and font setup."""

    def __init__(self, book: Book, paper: str, created: datetime.datetime):
        self.book = book
        self.created = created
        self.paper_in_name = paper if paper != book.config.dossier_paper else None
        self.renderer = make_renderer(book.directory)
        self.fetcher = SandboxedFetcher(sandbox_roots(book.directory))
        self.font_config = FontConfiguration()
        css = self.renderer.render("print/dossier.css.j2") + f"\n@page {{ size: {paper}; }}\n"
        self.stylesheet = stylesheet(css, self.fetcher, self.font_config)

    def render(self, slug: str) -> RenderedDossier:
        html = self.renderer.render(DOSSIER_LAYOUT,
                                    dossier=dossier_view(self.book, slug, self.created, self.paper_in_name))
        document, warnings = lay_out(html, self.fetcher, DOSSIER_LAYOUT, stylesheets=(self.stylesheet,),
                                     font_config=self.font_config)
        config = self.book.config
        finish = finisher(PageNumbering(0, 0), config.language, f"{config.identifier}#{slug}", spreads=False)
        data, written = write_pdf(document, self.fetcher, DOSSIER_LAYOUT, finish)
        return RenderedDossier(slug, data, len(document.pages), tuple(warnings + written))


_worker: DossierRenderer | None = None


def _start_worker(book: Book, paper: str, created: datetime.datetime) -> None:
    global _worker
    die_with_parent()
    # the parent cleans up on SIGTERM and Ctrl-C (sent to the whole process group) and stops the workers
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker = DossierRenderer(book, paper, created)


def _render_in_worker(slug: str) -> RenderedDossier:
    assert _worker is not None
    return _worker.render(slug)


def render_dossiers(book: Book, slugs: list[str], paper: str, created: datetime.datetime,
                    progress: Callable[[int, int, str], None], workers: int | None = None) -> Iterator[RenderedDossier]:
    """Render the dossiers of `slugs`, in parallel when there are several; yields them in `slugs` order."""
    workers = min(workers or os.cpu_count() or 1, len(slugs))
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        renderer = DossierRenderer(book, paper, created)
        for done, slug in enumerate(slugs):
            progress(done, len(slugs), f"dossier {slug}")
            yield renderer.render(slug)
        return
    # fork: the workers inherit the book and the font isolation without pickling anything
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                               initargs=(book, paper, created))
    try:
        futures = {pool.submit(_render_in_worker, slug): slug for slug in slugs}
        finished: dict[str, RenderedDossier] = {}
        for done, future in enumerate(as_completed(futures)):
            progress(done, len(slugs), f"dossier {futures[future]}")
            finished[futures[future]] = future.result()
    except BaseException:
        # interrupted or failed: stop the workers now rather than let them finish their dossiers
        for process in list(getattr(pool, "_processes", {}).values()):
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    for slug in slugs:
        yield finished[slug]
