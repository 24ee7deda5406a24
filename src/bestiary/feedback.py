"""What the terminal shows of a build: a bar per stage while it runs, a summary table when it ends.

On a terminal, each stage (`progress.Stage`: field guide, dossiers, EPUB, print edition) gets a rich
progress bar with its pages and elapsed time, left on screen as the stage's timing, then a table of
what was written. Anywhere else (a pipe, a log, CI) nothing moves: one plain line per output, then
the total, and a printer's files' preflight (one line per rule, then the figures a service's upload
form asks for). `--quiet` shows only warnings and errors; `--verbose` adds every stage's time, every
dossier's row and each stage as it starts when not on a terminal. Sizes are binary (KiB, MiB).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from rich.console import Console, JustifyMethod
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from .progress import Step
from .store.outputs import finished_line
from .store.paths import OutputKind
from .text.measures import human_size

if TYPE_CHECKING:
    from .build import BuildResult, Written

QUIET, NORMAL, VERBOSE = -1, 0, 1
DOSSIER_ROWS = 12  # more dossiers than this fold into one row of the table unless --verbose
_DOSSIER_KINDS = (OutputKind.DOSSIER, OutputKind.STAMPED_DOSSIER)


class Feedback:
    """Use as a context manager around a build; `step` is its `Progress`, `summary` its last word."""

    def __init__(self, verbosity: int = NORMAL, console: Console | None = None,
                 errors: Console | None = None) -> None:
        self.verbosity = verbosity
        self.out = console or Console(highlight=False, soft_wrap=True)
        self.errors = errors or Console(stderr=True, highlight=False, soft_wrap=True)
        self.live = self.errors.is_terminal and verbosity > QUIET
        self.started = time.monotonic()
        self._bars: Progress | None = None
        self._tasks: dict[str, TaskID] = {}
        self._said_done: set[str] = set()  # a stage's last steps may repeat its end: say "done" once

    def __enter__(self) -> Feedback:
        self.started = time.monotonic()
        if self.live:
            self._bars = Progress(TextColumn("{task.description:<14}"), BarColumn(), MofNCompleteColumn(),
                                  TextColumn("{task.fields[pages]}"), TimeElapsedColumn(),
                                  TextColumn("[dim]{task.fields[detail]}"), console=self.errors)
            self._bars.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        if self._bars is not None:
            self._bars.stop()

    def step(self, step: Step) -> None:
        pages = f"{step.pages} pages" if step.pages else ""
        if self._bars is not None:
            if step.stage not in self._tasks:
                self._tasks[step.stage] = self._bars.add_task(step.stage, total=step.total, pages=pages,
                                                              detail=step.detail)
            task = self._tasks[step.stage]
            self._bars.update(task, completed=step.done, total=step.total, pages=pages,
                              detail="" if step.finished else step.detail)
        elif self.verbosity >= VERBOSE and (step.done == 0 or step.finished):
            if step.finished and step.stage in self._said_done:
                return
            if step.finished:
                self._said_done.add(step.stage)
            else:
                self._said_done.discard(step.stage)
            what = "done" if step.finished else "…"
            detail = f" ({step.detail})" if step.detail and not step.finished else ""
            self.errors.print(f"{step.stage}{detail} {what}", markup=False)

    def waiting(self, message: str) -> None:
        if self.verbosity > QUIET:
            self.errors.print(f"{message} …", markup=False)

    def warn(self, message: str) -> None:
        self.errors.print(message, markup=False)

    def summary(self, result: BuildResult) -> None:
        """What was written (or found up to date), each stage's time and the total."""
        for warning in result.warnings:
            self.warn(str(warning))
        for line in result.machine_warnings:
            self.warn(f"warning: {line}")
        if self.verbosity <= QUIET:
            return
        if result.finished:
            self.out.print(finished_line(result.finished), markup=False)
        elapsed = time.monotonic() - self.started
        if self.out.is_terminal:
            self.out.print(self._table(result))
        else:
            for item in result.written:
                self.out.print(_line(item), markup=False)
        for item in result.written:
            if item.preflight:  # a printer's file: what its preflight found, and the upload form's figures
                self.out.print(f"preflight of {_shown(item.path)}:", markup=False)
                for line in item.preflight:
                    self.out.print(f"  {line}", markup=False)
        guide = next((item for item in result.written if item.kind == OutputKind.FIELD_GUIDE), None)
        if guide is not None and guide.sparse_pages and self.out.is_terminal:
            self.out.print(f"field guide: {len(guide.sparse_pages)} body pages under a quarter full "
                           f"({', '.join(guide.sparse_pages)})", markup=False)
        if self.verbosity >= VERBOSE and result.seconds:
            self.out.print("stages: " + ", ".join(f"{stage} {seconds:.1f} s" for stage, seconds
                                                  in result.seconds.items()), markup=False)
        self.out.print(_total(result, elapsed), markup=False)

    def _table(self, result: BuildResult) -> Table:
        table = Table(box=None, pad_edge=False, header_style="bold")
        columns: tuple[tuple[str, JustifyMethod], ...] = (("file", "left"), ("kind", "left"), ("pages", "right"),
                                                         ("size", "right"), ("time", "right"), ("", "left"))
        for heading, justify in columns:
            # a narrow terminal folds a file name onto a second line: cut short, names that differ at the end look alike
            table.add_column(heading, justify=justify, overflow="fold" if heading == "file" else "ellipsis")
        dossiers = [item for item in result.written if item.kind in _DOSSIER_KINDS]
        fold = len(dossiers) > DOSSIER_ROWS and self.verbosity < VERBOSE
        for item in result.written:
            if fold and item.kind in _DOSSIER_KINDS:
                continue
            table.add_row(_shown(item.path), item.kind, _pages(item.pages), human_size(item.size),
                          _seconds(result, item), "unchanged" if item.unchanged else "")
        if fold:
            changed = sum(not item.unchanged for item in dossiers)
            table.add_row(_shown(dossiers[0].path.parent) + os.sep, f"{len(dossiers)} dossiers",
                          _pages(sum(item.pages or 0 for item in dossiers)),
                          human_size(sum(item.size for item in dossiers)), _seconds(result, dossiers[0]),
                          f"{len(dossiers) - changed} unchanged" if changed < len(dossiers) else "")
        return table


def _line(item: Written) -> str:
    pages = f", {item.pages} pages" if item.pages is not None else ""
    if item.kind == OutputKind.FIELD_GUIDE:
        sparse = item.sparse_pages
        pages += f", {len(sparse)} body pages under a quarter full" + (f" ({', '.join(sparse)})" if sparse else "")
    verb = "unchanged" if item.unchanged else "wrote"
    return f"{verb} {item.path} ({item.kind}, {human_size(item.size)}{pages})"


def _total(result: BuildResult, elapsed: float) -> str:
    if result.written and all(item.unchanged for item in result.written) and not result.laid_out:
        return f"up to date in {elapsed:.1f} s: nothing laid out, nothing written"
    documents = result.laid_out + result.reused
    reuse = (f"; laid out {result.laid_out} of {documents} documents, {result.reused} from the cache"
             if documents else "")
    return f"built in {elapsed:.1f} s{reuse}"


def _seconds(result: BuildResult, item: Written) -> str:
    seconds = result.seconds.get(item.kind.stage)
    return "" if seconds is None else f"{seconds:.1f} s"


def _pages(pages: int | None) -> str:
    return "" if pages is None else str(pages)


def _shown(path: Path) -> str:
    """The path as the user would type it: relative to the working folder when under it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
