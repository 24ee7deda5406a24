"""The worker pool: HTML laid out into PDF pages in other processes, one chunk or one dossier at a time.

The pool is forked when a build starts rendering, while the build process is
small (it never lays out anything itself), so no worker copies a laid-out book
and each holds one chunk at a time. A worker keeps one font configuration and
its parsed stylesheets for all its tasks. A task is plain data (the HTML, its
stylesheets, how to finish the PDF), and so is its result, which the cache
keeps under the task's key. With one core, or without `fork`, tasks run in the
build's own process; `$BESTIARY_WORKERS` sets how many workers (one per core by
default; 1 lays out in the build's process, as the test suite does beside its own
parallel workers). Workers keep their temporary files (WeasyPrint's copies of
the fonts a stylesheet names) in a folder of the pool's, removed with the pool
even when a worker was killed: nothing is left in the system's temporary folder.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from pathlib import Path
from types import TracebackType

from ..store.cache import Cache
from .layout import LaidOut, Layouter, LayoutTask
from .processes import die_with_parent, give_memory_back

_worker: Layouter | None = None


def _start_worker(roots: tuple[Path, ...], scratch: str) -> None:
    global _worker
    die_with_parent()
    # the build cleans up on SIGTERM and Ctrl-C (sent to the whole process group) and stops the workers
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # WeasyPrint's FontConfiguration copies @font-face fonts into a mkdtemp folder that it removes only when
    # collected, which a worker's end never does: in the pool's own folder, the pool removes them
    tempfile.tempdir = scratch
    _worker = Layouter(roots)


def _run_in_worker(task: LayoutTask) -> LaidOut:
    assert _worker is not None
    result = _worker.run(task)
    give_memory_back()  # the laid-out document is garbage now: an idle worker should be small
    return result


def configured_workers() -> int:
    """`$BESTIARY_WORKERS` when it is a positive whole number, else one worker per core."""
    configured = os.environ.get("BESTIARY_WORKERS", "").strip()
    return int(configured) if configured.isdigit() and int(configured) > 0 else os.cpu_count() or 1


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
        self.workers = workers or configured_workers()
        self.reused = 0  # tasks answered from the cache
        self.laid_out = 0  # tasks laid out
        self._executor: ProcessPoolExecutor | None = None
        self._scratch = ""  # the workers' temporary folder, removed with them
        self._local: Layouter | None = None
        self._waiting: list[tuple[int, int, LayoutTask, str, Future[LaidOut]]] = []
        self._sent = 0
        self._closing = False
        self._condition = threading.Condition()
        self._dispatcher: threading.Thread | None = None

    def __enter__(self) -> WorkerPool:
        self._children_before = set(multiprocessing.active_children())  # what is not ours to stop
        if self.workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            self._scratch = tempfile.mkdtemp(prefix="bestiary-workers-")
            # fork: workers inherit the font isolation and the sandbox roots without pickling anything
            self._executor = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("fork"),
                                                 initializer=_start_worker, initargs=(self.roots, self._scratch))
            self._dispatcher = threading.Thread(target=self._dispatch, name="layout-dispatcher", daemon=True)
            self._dispatcher.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
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
            workers = [child for child in multiprocessing.active_children() if child not in self._children_before]
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
                self._local = Layouter(self.roots)
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
