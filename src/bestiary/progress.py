"""What a build reports while it runs: one `Step` per piece of work done, for a display to draw.

A stage ("field guide", "dossiers", "EPUB", "print edition") reports `Step(stage, 0, total)` when
it starts, a step per piece done, and `done == total` when it ends. The command line draws bars from
them (`feedback.py`); `serve` shows the latest one on the preview page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    stage: str
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
