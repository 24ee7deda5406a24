"""The worker pool: HTML laid out into PDF pages in other processes, one chunk or one dossier at a time.

The pool is forked when a build starts rendering, while the build process is
small (it never lays out anything itself), so no worker copies a laid-out book
and each holds one chunk at a time. A worker keeps one font configuration and
its parsed stylesheets for all its tasks. A task is plain data (the HTML, its
stylesheets, how to finish the PDF), and so is its result, which the cache
keeps under the task's key. With one core, or without `fork`, tasks run in the
build's own process. Workers keep their temporary files (WeasyPrint's copies of
the fonts a stylesheet names) in a folder of the pool's, removed with the pool
even when a worker was killed: nothing is left in the system's temporary folder.
"""

from __future__ import annotations

import functools
import hashlib
import heapq
import itertools
import json
import multiprocessing
import os
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path

import weasyprint
from weasyprint.text.fonts import FontConfiguration

from ..errors import Diagnostic
from ..store.cache import Cache
from .document import lay_out, stylesheet, write_pdf
from .finish import finisher
from .pagination import PageNumbering, Shape, page_fill
from .processes import die_with_parent, give_memory_back
from .sandbox import SandboxedFetcher

PDF_SCALE = 0.75  # PDF points per CSS pixel
_ID = re.compile(r'\sid="([^"]+)"')  # attribute values are escaped: no quote inside


@dataclass(frozen=True)
class Finish:
    """How a PDF is finished (see `pdf_finish.finisher`): its page labels, language and identity."""

    cover_pages: int
    body_start: int
    language: str
    identifier: str
    spreads: bool = True


@dataclass(frozen=True)
class LayoutTask:
    """One document to lay out: plain data, so that it crosses to a worker and names its cache entry."""

    layout: str  # the layout it comes from, for warnings
    html: str
    stylesheets: tuple[str, ...]
    write: bool  # False: lay out only, for the shape of its pages
    finish: Finish | None = None
    drop_first: bool = False  # the first page is a stand-in (a chunk's pad): leave it out

    def key(self, toolchain: str) -> str:
        """The cache key of the result: `toolchain` (our code, layouts, fonts, library versions, and the
        epoch when WeasyPrint dates its font subsets) and every field. The date a document carries is in
        its HTML. The sandbox's roots are not: relative URLs resolve against our resources folder whatever
        the book, and a book's layouts may not name a `file:` URL (E401), so they change no byte."""
        digest = hashlib.sha256(toolchain.encode())
        for part in (self.layout, *self.stylesheets, json.dumps(asdict(self.finish)) if self.finish else "",
                     f"{self.write} {self.drop_first}", self.html):
            digest.update(len(part).to_bytes(8, "big") + part.encode())
        return digest.hexdigest()


@dataclass(frozen=True)
class LaidOut:
    """What a laid-out document tells the build: its PDF (when written) and where things fell on its pages.

    Points are in PDF units, origin at the bottom left of the page, as WeasyPrint writes them.
    """

    pdf: bytes | None
    pages: Shape  # the ids that begin on each page, in document order
    fill: tuple[float, ...]  # how far down each page its text reaches
    destinations: tuple[tuple[str, int, float, float], ...]  # each id: page, x, y
    outbound: tuple[tuple[int, int, str, tuple[float, ...]], ...]  # links to ids not here: page, position, id, rect
    bookmarks: tuple[tuple[int, int, str, float, float, str], ...]  # page, level, label, x, y, state
    warnings: tuple[Diagnostic, ...]

    @property
    def page_count(self) -> int:
        return len(self.pages)

    def to_bytes(self) -> bytes:
        meta = {"pages": self.pages, "fill": self.fill, "destinations": self.destinations,
                "outbound": self.outbound, "bookmarks": self.bookmarks,
                "warnings": [asdict(warning) for warning in self.warnings], "pdf": self.pdf is not None}
        encoded = json.dumps(meta, separators=(",", ":")).encode()
        return len(encoded).to_bytes(8, "big") + encoded + (self.pdf or b"")

    @classmethod
    def from_bytes(cls, data: bytes) -> LaidOut:
        length = int.from_bytes(data[:8], "big")
        meta = json.loads(data[8:8 + length])
        return cls(
            pdf=data[8 + length:] if meta["pdf"] else None,
            pages=tuple(tuple(anchors) for anchors in meta["pages"]),
            fill=tuple(meta["fill"]),
            destinations=tuple((name, page, x, y) for name, page, x, y in meta["destinations"]),
            outbound=tuple((page, position, name, tuple(rect)) for page, position, name, rect in meta["outbound"]),
            bookmarks=tuple(tuple(mark) for mark in meta["bookmarks"]),  # type: ignore[misc]
            warnings=tuple(Diagnostic(**warning) for warning in meta["warnings"]),
        )


class _Worker:
    """Lays out tasks with one font configuration and the stylesheets it has parsed so far."""

    def __init__(self, roots: tuple[Path, ...]):
        self.fetcher = SandboxedFetcher(roots)
        self.font_config = FontConfiguration()
        self.parsed: dict[str, weasyprint.CSS] = {}

    def stylesheet(self, text: str) -> weasyprint.CSS:
        if text not in self.parsed:
            self.parsed[text] = stylesheet(text, self.fetcher, self.font_config)
        return self.parsed[text]

    def run(self, task: LayoutTask) -> LaidOut:
        sheets = tuple(self.stylesheet(text) for text in task.stylesheets)
        document, warnings = lay_out(task.html, self.fetcher, task.layout, stylesheets=sheets,
                                     font_config=self.font_config)
        pages = document.pages[1:] if task.drop_first else document.pages
        order = {anchor: position for position, anchor in enumerate(_ID.findall(task.html))}
        here = {anchor for page in pages for anchor in page.anchors}
        seen: set[str] = set()
        beginning: list[tuple[str, ...]] = []
        destinations: list[tuple[str, int, float, float]] = []
        outbound: list[tuple[int, int, str, tuple[float, ...]]] = []
        bookmarks: list[tuple[int, int, str, float, float, str]] = []
        for number, page in enumerate(pages):
            height = page.height * PDF_SCALE
            new = sorted((anchor for anchor in page.anchors if anchor not in seen),
                         key=lambda anchor: order.get(anchor, len(order)))
            seen.update(new)
            beginning.append(tuple(new))
            destinations += [(anchor, number, page.anchors[anchor][0] * PDF_SCALE,
                              height - page.anchors[anchor][1] * PDF_SCALE) for anchor in new]
            kept = []
            for position, link in enumerate(page.links):
                kind, target, rectangle, _box = link
                if kind == "internal" and target not in here:
                    x1, y1, x2, y2 = rectangle
                    outbound.append((number, position, target, (x1 * PDF_SCALE, height - y1 * PDF_SCALE,
                                                                x2 * PDF_SCALE, height - y2 * PDF_SCALE)))
                else:
                    kept.append(link)
            page.links[:] = kept  # WeasyPrint would drop them with an error: the assembly adds them back
            bookmarks += [(number, level, label, x * PDF_SCALE, height - y * PDF_SCALE, state)
                          for level, label, (x, y), state in page.bookmarks]
        data = None
        if task.write:
            finish = None
            if task.finish:
                spec = task.finish
                finish = finisher(PageNumbering(spec.cover_pages, spec.body_start), spec.language, spec.identifier,
                                  spreads=spec.spreads)
            laid_out = document.copy(pages) if task.drop_first else document
            data, written = write_pdf(laid_out, self.fetcher, task.layout, finish)
            warnings += written
        return LaidOut(data, tuple(beginning), tuple(page_fill(page) for page in pages), tuple(destinations),
                       tuple(outbound), tuple(bookmarks), tuple(warnings))


_worker: _Worker | None = None


def _start_worker(roots: tuple[Path, ...], scratch: str) -> None:
    global _worker
    die_with_parent()
    # the build cleans up on SIGTERM and Ctrl-C (sent to the whole process group) and stops the workers
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # WeasyPrint's FontConfiguration copies @font-face fonts into a mkdtemp folder that it removes only when
    # collected, which a worker's end never does: in the pool's own folder, the pool removes them
    tempfile.tempdir = scratch
    _worker = _Worker(roots)


def _run_in_worker(task: LayoutTask) -> LaidOut:
    assert _worker is not None
    result = _worker.run(task)
    give_memory_back()  # the laid-out document is garbage now: an idle worker should be small
    return result


class WorkerPool:
    """Lays out tasks on every core, most urgent first, reading and filling the cache; a context manager.

    Tasks wait in the build process in order of `priority` (lower first, then first come) and go to the
    workers a few at a time, so that urgent work queued late (the field guide's pages, once their numbers
    are known) runs before work queued early (dossiers). `workers=1`, or a system without `fork`, runs
    every task in this process as it is submitted.
    """

    def __init__(self, roots: tuple[Path, ...], cache: Cache, toolchain: str, workers: int | None = None):
        self.roots = roots
        self.cache = cache
        self.toolchain = toolchain
        self.workers = workers or os.cpu_count() or 1
        self.reused = 0  # tasks answered from the cache
        self.laid_out = 0  # tasks laid out
        self._executor: ProcessPoolExecutor | None = None
        self._scratch = ""  # the workers' temporary folder, removed with them
        self._local: _Worker | None = None
        self._waiting: list[tuple[int, int, LayoutTask, str, Future[LaidOut]]] = []
        self._sent = 0
        self._closing = False
        self._condition = threading.Condition()
        self._dispatcher: threading.Thread | None = None

    def __enter__(self) -> WorkerPool:
        if self.workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            self._scratch = tempfile.mkdtemp(prefix="bestiary-workers-")
            # fork: workers inherit the font isolation and the sandbox roots without pickling anything
            self._executor = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("fork"),
                                                 initializer=_start_worker, initargs=(self.roots, self._scratch))
            self._dispatcher = threading.Thread(target=self._dispatch, name="layout-dispatcher", daemon=True)
            self._dispatcher.start()
        return self

    def __exit__(self, kind, error, traceback) -> None:  # type: ignore[no-untyped-def]
        with self._condition:
            self._closing = True
            waiting, self._waiting = self._waiting, []
            self._condition.notify_all()
        for *_, future in waiting:
            future.cancel()
        if self._executor is None:
            return
        if error is not None:
            # failed or interrupted: stop the workers now rather than let them finish their tasks
            workers = list(getattr(self._executor, "_processes", {}).values())
            for process in workers:
                process.kill()
            self._executor.shutdown(wait=False, cancel_futures=True)
            for process in workers:
                process.join(timeout=5)  # gone before their folder goes
        else:
            self._executor.shutdown()
        shutil.rmtree(self._scratch, ignore_errors=True)

    def submit(self, task: LayoutTask, priority: int = 1) -> Future[LaidOut]:
        """The task's result: from the cache when it holds it, else laid out by a worker (and then kept)."""
        key = task.key(self.toolchain)
        kept = self._from_cache(key, task)
        if kept is not None:
            self.reused += 1
            return _done(kept)
        self.laid_out += 1
        if self._executor is None:
            if self._local is None:
                self._local = _Worker(self.roots)
            result = self._local.run(task)
            self.cache.put(key, result.to_bytes())
            return _done(result)
        future: Future[LaidOut] = Future()
        with self._condition:
            heapq.heappush(self._waiting, (priority, next(_sequence), task, key, future))
            self._condition.notify_all()
        return future

    def _from_cache(self, key: str, task: LayoutTask) -> LaidOut | None:
        kept = self.cache.get(key)
        if kept is None:
            return None
        try:
            result = LaidOut.from_bytes(kept)
        except (ValueError, KeyError, TypeError):
            return None  # an entry of another shape: lay it out again
        return result if result.pdf is not None or not task.write else None

    def _dispatch(self) -> None:
        """Keep each worker busy with one task and one more queued, taking the most urgent first."""
        assert self._executor is not None
        while True:
            with self._condition:
                while not self._closing and not (self._waiting and self._sent < self.workers + 1):
                    self._condition.wait()
                if self._closing:
                    return
                _, _, task, key, future = heapq.heappop(self._waiting)
                self._sent += 1
            if not future.set_running_or_notify_cancel():
                self._finished(key, future, None)
                continue
            try:
                sent = self._executor.submit(_run_in_worker, task)
            except RuntimeError as error:  # the pool is shutting down
                future.set_exception(error)
                self._finished(key, future, None)
                continue
            sent.add_done_callback(functools.partial(self._finished, key, future))

    def _finished(self, key: str, future: Future[LaidOut], sent: Future[LaidOut] | None) -> None:
        with self._condition:
            self._sent -= 1
            self._condition.notify_all()
        if sent is None or future.done():
            return
        if sent.cancelled():
            future.cancel()
        elif sent.exception() is not None:
            future.set_exception(sent.exception())
        else:
            self.cache.put(key, sent.result().to_bytes())
            future.set_result(sent.result())

    def run_all(self, tasks: Iterable[LayoutTask], priority: int = 1,
                progress: Callable[[LaidOut], None] | None = None) -> list[LaidOut]:
        """Every task's result, in the order given; `progress` hears of each as it is ready."""
        futures = [self.submit(task, priority) for task in tasks]
        for future in as_completed(futures):
            if progress:
                progress(future.result())
        return [future.result() for future in futures]


_sequence = itertools.count()


def _done(result: LaidOut) -> Future[LaidOut]:
    future: Future[LaidOut] = Future()
    future.set_result(result)
    return future
