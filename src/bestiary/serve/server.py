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
(`child_build.py`: forking a worker pool from a process with threads is not safe), and
Ctrl-C or `kill` stops one as they stop `bestiary build` (outputs untouched); the watcher
loads the preview in a thread of its own, and the HTTP server (`http.py`) answers
from its threads. Security is the server's: only the Host names of this machine, no
folder listings, nothing outside the output folder, and only the user who started it: a
new secret token each run, in the URL it prints and then in the browser's cookie
(`--no-token` leaves the preview open to every local user).
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from pathlib import Path

import watchfiles

from ..book.load import is_editor_litter
from ..resources import builtin_layouts_dir, fonts_dir
from ..store.cache import Cache
from ..store.paths import check_output_folder
from .http import preview_server, preview_url
from .state import Preview

__all__ = ["Preview", "preview_server", "serve", "watch_sources"]

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
          ready: Callable[[str], None], *, use_token: bool = True, verbose: bool = False, web: bool = True) -> None:
    """Serve on 127.0.0.1:`port` (0 picks a free one) at once, build in the background, rebuild on save.

    `ready` hears the URL to open: with `use_token`, it carries this run's token, without which the server
    answers nothing but 403 (`http.py`). `log` hears one line per build, and per bug while answering a
    request (with its traceback when `verbose`). With `web`, each build is followed by the web edition's once
    the book is quiet (`state.Preview.run_build`).

    Raises `RequestError`, before any build, for an output or cache folder inside the sources or a port that
    is taken.
    Returns only by an exception (KeyboardInterrupt for Ctrl-C). Builds start from multiprocessing's fork
    server: a script that calls this must guard its own code with `if __name__ == "__main__":`.
    """
    check_output_folder(book_dir, out_dir)
    Cache.for_book(book_dir)  # one inside the book would be a change to rebuild for at every build
    preview = Preview(book_dir, out_dir, log, web=web)
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
