"""What a build reports while it runs: one `Step` per piece of work done, for a display to draw.

A stage reports `Step(stage, 0, total)` when it starts, a step per piece done, and
`done == total` when it ends. The command line draws bars from them (`feedback.py`);
`serve` shows the latest one on the preview page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum


class Stage(StrEnum):
    """A stage of a build, as its progress bar and its time are labelled."""

    FIELD_GUIDE = "field guide"
    DOSSIERS = "dossiers"
    EPUB = "EPUB"
    PRINT_EDITION = "print edition"
    WEB = "web edition"


@dataclass(frozen=True)
class Step:
    stage: Stage
    done: int
    total: int
    detail: str = ""  # what is being done now: "page shapes", "pages in place", a dossier's slug
    pages: int = 0  # pages laid out so far in this stage

    @property
    def finished(self) -> bool:
        return self.done >= self.total

    def __str__(self) -> str:
        detail = f": {self.detail}" if self.detail else ""
        return f"{self.stage}{detail} [{self.done}/{self.total}]"


Progress = Callable[[Step], None]


def silent(step: Step) -> None:
    """A `Progress` that shows nothing."""


@dataclass
class SteadySteps:
    """A `Progress` that passes steps on with `extra` pieces of work counted from the start (the field guide's
    assembly, done at the end of the build: 16/17 all along, never 16/16 then 16/17) and pages that never
    drop back when a second pass of layouts starts counting from zero."""

    report: Progress
    extra: int = 0
    pages: int = 0

    def __call__(self, step: Step) -> None:
        self.pages = max(self.pages, step.pages)
        self.report(replace(step, total=step.total + self.extra, pages=self.pages))
