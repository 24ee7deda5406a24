"""`bestiary serve`: a live preview that keeps up with typing.

- **Listens at once.** The server answers on 127.0.0.1 before anything is built; the
  first build of the field guide and the EPUB runs behind a "building…" page that turns
  into the index when it is done. A port that is taken is a one-line error before any
  build (`RequestError`); `--port 0` takes a free one.
- **Hears saves** from the operating system (`watchfiles`: inotify, FSEvents…) in the
  book, the built-in layouts and the fonts, editor litter aside; an editor's burst of
  writes is one change. At once the pages say "rebuilding…" (Server-Sent Events on
  `/__events`, the same status as JSON on `/__status`), the preview is loaded and
  rendered again, and the normal incremental `build()` (its cache lays out only what
  changed) runs for the PDF and the EPUB. Its located errors show on the page; a failed
  build leaves the last good outputs, since builds are all-or-nothing.
- **A preview per specimen** (`/preview/<slug>`), updated within a second of a save, that
  keeps its scroll position and goes to the specimen that changed. The decision: it shows
  the EPUB's XHTML for the specimen with the EPUB's stylesheet and fonts (`preview.py`),
  not the print layout. A browser lays that out in milliseconds and it needs nothing from
  the print edition, while WeasyPrint takes seconds for even one specimen's pages, and
  the incremental build of the bundled book 15 to 35 s after a summary edit on two
  cores (`bench/serve_latency.py` measures both). So the preview
  shows the reflowable e-book look; the print look is the PDF, which opens at the
  changed specimen (`#nameddest=`) when its build is done, not at page 1.

The main thread runs the builds one after another, each in a child process
(`serve_build.py`: forking a worker pool from a process with threads is not safe), and
Ctrl-C or `kill` stops one as they stop `bestiary build` (outputs untouched); the watcher
loads the preview in a thread of its own, and the HTTP server (`serve_http.py`) answers
from its threads. Security is the server's: only the Host names of this machine, no
folder listings, nothing outside the output folder, and only the user who started it: a
new secret token each run, in the URL it prints and then in the browser's cookie
(`--no-token` leaves the preview open to every local user).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import watchfiles

from ..book.load import is_editor_litter
from ..build import cache_folder, check_output_folder
from ..errors import BuildError, RenderError, RequestError
from ..resources import builtin_layouts_dir, fonts_dir
from .child_build import build_in_child
from .http import preview_server, preview_url
from .preview import PreviewBook, load_preview

__all__ = ["Preview", "preview_server", "serve", "watch_sources"]

PREVIEW_TEXT = "/__preview/text/"  # where the preview's XHTML documents are served
HISTORY = 64  # status snapshots kept for event-stream clients that fell behind


class Preview:
    """What the server shows: the book as last saved, the state of the build, and their problems.

    Every change is published as a status snapshot (`status`, `changes_after`), numbered by `seq`.
    """

    def __init__(self, book_dir: Path, out_dir: Path, log: Callable[[str], None]):
        self.book_dir, self.out_dir, self.log = book_dir, out_dir, log
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
        except BuildError as error:
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

    # -- the builder's side (the main thread)

    def run_build(self) -> None:
        """One incremental build of the field guide and the EPUB (in a child process, `serve_build`); its
        outcome is published, never raised (except an interruption: Ctrl-C or kill)."""
        with self._changed:
            self.build_wanted.clear()  # a save from now on asks for another build
            self._build_running, self._detail = True, ""
            self._publish()
        try:
            outcome = build_in_child(self.book_dir, self.out_dir, self._progress, self._waiting)
        finally:
            with self._changed:
                self._build_running = False
        self.log(outcome.summary)
        with self._changed:
            self.builds += 1
            self._build_failed, self._build_problems = not outcome.ok, list(outcome.problems)
            self._publish()

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
            label = f"Build {self.builds}: {verdict}" + (" · rebuilding…" if pending else "")
        if pending and self._detail:
            label += f" ({self._detail})"
        book = self.book
        changed = book.role(self._changed_slug) if book and self._changed_slug else None
        changed_file = book.specimen_file(changed.slug) if book and changed else None
        outputs = {kind: f"/{book.book.slug}.{kind}" if book and (self.out_dir / f"{book.book.slug}.{kind}").is_file()
                   else None for kind in ("pdf", "epub")}
        self._history.append({
            "seq": self.seq, "state": state, "label": label, "problems": problems,
            "build": self.builds, "build_ok": self.builds > 0 and not self._build_failed, **outputs,
            "preview": self.preview_version, "watching": self.watching, "changed": self._changed_slug,
            "changed_anchor": changed.anchor if changed else None,
            "changed_href": PREVIEW_TEXT + changed_file if changed_file else None,
        })
        self._changed.notify_all()


class SourceFilter(watchfiles.DefaultFilter):
    """watchfiles' own filter (version control, caches, swap files) and our editor litter."""

    def __call__(self, change: watchfiles.Change, path: str) -> bool:
        return super().__call__(change, path) and not is_editor_litter(Path(path).name)


def watched_folders(book_dir: Path) -> list[Path]:
    """What a build reads: the book (its own layouts included), the built-in layouts and the fonts."""
    return [folder for folder in (book_dir, builtin_layouts_dir(), fonts_dir()) if folder.is_dir()]


def watch_sources(preview: Preview, stop: threading.Event) -> None:
    """Load the preview once the watcher is in place, then refresh it on every save until `stop` is set.

    Runs in its own thread. A burst of writes (an editor's save) is one change once quiet for 50 ms;
    at most 1 s of a longer burst is grouped.
    """
    loaded = False
    try:
        # the first timeout (100 ms idle) comes once the watches are in place: load then, and no save is missed
        for changes in watchfiles.watch(*watched_folders(preview.book_dir), watch_filter=SourceFilter(),
                                        debounce=1000, step=50, rust_timeout=100, yield_on_timeout=True,
                                        stop_event=stop, raise_interrupt=False):
            if not loaded:
                preview.refresh(then_build=False)  # the first build is the main thread's
                loaded = True
            if changes:
                preview.saw_change()
                preview.refresh(Path(path) for change, path in sorted(changes)
                                if change != watchfiles.Change.deleted)
    except Exception as error:  # the folder went away, too many watches…: say so, keep serving what there is
        preview.log(f"error: stopped watching for changes ({type(error).__name__}: {error}); restart serve")


def serve(book_dir: Path, out_dir: Path, port: int, log: Callable[[str], None],
          ready: Callable[[str], None], *, use_token: bool = True, verbose: bool = False) -> None:
    """Serve on 127.0.0.1:`port` (0 picks a free one) at once, build in the background, rebuild on save.

    `ready` hears the URL to open: with `use_token`, it carries this run's token, without which the server
    answers nothing but 403 (`serve_http.py`). `log` hears one line per build, and per bug while answering a
    request (with its traceback when `verbose`).

    Raises `RequestError`, before any build, for an output or cache folder inside the sources or a port that
    is taken.
    Returns only by an exception (KeyboardInterrupt for Ctrl-C). Builds start from multiprocessing's fork
    server: a script that calls this must guard its own code with `if __name__ == "__main__":`.
    """
    check_output_folder(book_dir, out_dir)
    cache_folder(book_dir)  # one inside the book would be a change to rebuild for at every build
    preview = Preview(book_dir, out_dir, log)
    token = secrets.token_urlsafe(32) if use_token else None
    server = preview_server(preview, port, token=token, verbose=verbose)
    stop = threading.Event()
    threading.Thread(target=server.serve_forever, name="bestiary-http", daemon=True).start()
    threading.Thread(target=watch_sources, args=(preview, stop), name="bestiary-watch", daemon=True).start()
    ready(preview_url(server.server_address[1], token))
    preview.build_wanted.set()
    try:
        while True:
            if preview.build_wanted.wait(timeout=0.5):
                preview.run_build()
    finally:
        stop.set()
        preview.close()
        server.shutdown()
        server.server_close()
