"""What the preview server shows, shared by the watcher, the builder and the HTTP threads: the book as last
saved, the state of the build, and their problems, published as numbered status snapshots."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..errors import InputError, RenderError, RequestError
from ..store.paths import OutputPaths
from ..views.web import HOME_FILE
from .child_build import BuildOutcome, build_in_child
from .preview import PreviewBook, load_preview

PREVIEW_TEXT = "/__preview/text/"  # where the preview's XHTML documents are served
HISTORY = 64  # status snapshots kept for event-stream clients that fell behind
WEB_AFTER_QUIET_SECONDS = 2.0  # the web edition is built once the book has gone this long without a save


class Preview:
    """What the server shows: the book as last saved, the state of the build, and their problems.

    Every change is published as a status snapshot (`status`, `changes_after`), numbered by `seq`.
    """

    def __init__(self, book_dir: Path, out_dir: Path, log: Callable[[str], None], web: bool = True):
        self.book_dir, self.out_dir, self.log, self.web = book_dir, out_dir, log, web
        self.book: PreviewBook | None = None
        self.build_wanted = threading.Event()
        self._changed = threading.Condition()
        self._history: deque[dict[str, Any]] = deque(maxlen=HISTORY)
        self.seq = 0
        self.closed = False
        self.builds = 0  # finished builds, failed ones included
        self._build_running = False
        self._build_failed = False
        self._build_problems: list[str] = []
        self._detail = ""  # what the running build is doing
        self._refreshing = False  # a change was seen and the preview is being loaded again
        self.preview_version = 0
        self._preview_problems: list[str] = []
        self._changed_slug: str | None = None
        self.watching = False  # the watcher is in place: from now on no save is missed
        with self._changed:
            self._publish()

    # -- the watcher's side

    def saw_change(self) -> None:
        """A source changed: say so at once, before anything is loaded."""
        with self._changed:
            self._refreshing = True
            self._publish()

    def refresh(self, changed: Iterable[Path] = (), *, then_build: bool = True) -> None:
        """Load the book again for the preview, render the specimen that changed, then ask for a build.

        Invalid input shows on the page and keeps the last good preview; nothing here raises.
        """
        loaded, problems, slug = None, [], None
        started = time.monotonic()
        try:
            loaded = load_preview(self.book_dir)
            slug = next((found for path in changed if (found := loaded.slug_of_record(path))), None)
            if slug is not None:
                loaded.document(loaded.specimen_file(slug) or "")  # render it now: ready when the page asks
        except InputError as error:
            loaded, problems = None, [str(diagnostic) for diagnostic in error.diagnostics]
        except (RenderError, RequestError) as error:
            loaded, problems = None, [f"error: {error}"]
        except Exception as error:  # a bug must not take the preview down; it is shown and logged
            loaded, problems = None, [f"error: the preview failed ({type(error).__name__}: {error})"]
            self.log(problems[0])
        with self._changed:
            if loaded is not None:
                self.book, self._changed_slug = loaded, slug
                self.preview_version += 1
            self._preview_problems = problems
            self._refreshing = False
            self.watching = True
            if then_build:
                self.build_wanted.set()
            self._publish()
        if then_build:
            outcome = f"{len(problems)} problem(s)" if problems else f"{slug or 'the book'} updated"
            self.log(f"preview: {outcome} in {time.monotonic() - started:.2f} s")
            for problem in problems:  # the located lines, as `check` prints them
                self.log(problem)

    # -- the builder's side (the main thread)

    def run_build(self) -> None:
        """One incremental build of the field guide and the EPUB (in a child process, `child_build`), then, when
        it succeeded and no save follows for `WEB_AFTER_QUIET_SECONDS`, of the web edition; each outcome is
        published as it comes, never raised (except an interruption: Ctrl-C or kill). The PDF and the EPUB are
        ready before the site: the site offers the dossiers too, which the first build of a book lays out."""
        with self._changed:
            self.build_wanted.clear()  # a save from now on asks for another build
            self._build_running, self._detail = True, ""
            self._publish()
        try:
            outcome = build_in_child(self.book_dir, self.out_dir, self._progress, self._waiting)
        finally:
            with self._changed:
                self._build_running = False
        self._report(outcome)
        with self._changed:
            self.builds += 1
            self._build_failed, self._build_problems = not outcome.ok, list(outcome.problems)
            self._publish()
        # after a pause in the saving: a save meanwhile stops it, the PDF and the EPUB of the new text first
        if self.web and outcome.ok and not self.build_wanted.wait(timeout=WEB_AFTER_QUIET_SECONDS):
            web = build_in_child(self.book_dir, self.out_dir, lambda label: None, self._waiting, ("web",),
                                 stop=self.build_wanted)
            if web.stopped:
                return
            self._report(web)
            with self._changed:
                if not web.ok:
                    self._build_failed, self._build_problems = True, list(web.problems)
                self._publish()  # the web edition's link, once it has a home page

    def _report(self, outcome: BuildOutcome) -> None:
        """A build's summary in the log, and its problems the preview has not already printed."""
        self.log(outcome.summary)
        with self._changed:
            already_shown = set(self._preview_problems)  # the preview's refresh printed these
        for problem in () if outcome.ok else outcome.problems:
            if problem != outcome.summary and problem not in already_shown:
                self.log(problem)

    def _progress(self, label: str) -> None:
        with self._changed:
            self._detail = label
            self._publish()

    def _waiting(self, message: str) -> None:
        self.log(f"{message} …")
        self._progress(message)

    # -- what the pages read

    def status(self) -> dict[str, Any]:
        with self._changed:
            return self._history[-1]

    def changes_after(self, seq: int | None, timeout: float) -> list[dict[str, Any]]:
        """The snapshots published after `seq` (the latest alone for None), waiting up to `timeout` for one."""
        with self._changed:
            if seq is None:
                return [self._history[-1]]
            if self.seq <= seq and not self.closed:
                self._changed.wait(timeout)
            newer = [snapshot for snapshot in self._history if snapshot["seq"] > seq]
            return newer if not newer or newer[0]["seq"] == seq + 1 else [self._history[-1]]

    def close(self) -> None:
        """Wake every event stream so it ends."""
        with self._changed:
            self.closed = True
            self._changed.notify_all()

    def _publish(self) -> None:
        """Record the current state as a new snapshot; the caller holds `_changed`."""
        self.seq += 1
        pending = self._build_running or self.build_wanted.is_set() or self._refreshing
        problems = self._preview_problems or ([] if pending else self._build_problems)
        if self.builds == 0:
            state, label = "building", "building…"
        else:
            state = "rebuilding" if pending else "failed" if self._build_failed else "ready"
            verdict = "failed" if self._build_failed else "ok"
            if problems:
                verdict = "problems below" if self._build_failed else f"{verdict}, problems below"
            # while the next build runs, the last one's verdict is stale: a fixed book must not read "failed"
            label = f"Build {self.builds + 1}: rebuilding…" if pending else f"Build {self.builds}: {verdict}"
        if pending and self._detail:
            label += f" ({self._detail})"
        book = self.book
        changed = book.role(self._changed_slug) if book and self._changed_slug else None
        changed_file = book.specimen_file(changed.slug) if book and changed else None
        paths = OutputPaths(self.out_dir, book.book.slug, book.book.config.dossier_paper) if book else None
        outputs = {kind: f"/{path.name}" if path is not None and path.is_file() else None
                   for kind, path in (("pdf", paths.field_guide if paths else None),
                                      ("epub", paths.epub if paths else None))}
        # the web edition's folder (its pages are named in it: `/web/specimen-sdet.html`), once it has a home page
        outputs["web"] = f"/{paths.web.name}/" if paths and (paths.web / HOME_FILE).is_file() else None
        self._history.append({
            "seq": self.seq, "state": state, "label": label, "problems": problems,
            "build": self.builds, "build_ok": self.builds > 0 and not self._build_failed, **outputs,
            "preview": self.preview_version, "watching": self.watching, "changed": self._changed_slug,
            "changed_anchor": changed.anchor if changed else None,
            "changed_href": PREVIEW_TEXT + changed_file if changed_file else None,
        })
        self._changed.notify_all()
