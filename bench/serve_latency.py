"""How fast `bestiary serve` shows a save, measured as an editor meets it, in headless Chromium.

    python bench/serve_latency.py [--runs 5] [--book DIR] [--slug SLUG] [--chromium PATH] [--keep]

Copies the book (the bundled one by default) into a temporary folder and starts `bestiary serve
--port 0` on it, then opens in headless Chromium (Playwright's Python package driving the
machine's Chromium; nothing is downloaded) the URL it prints, whose token becomes the browser's
cookie, and the preview of a specimen from the middle of the book. It scrolls it down and saves
a change to one word of that record's summary, as an editor would. For each save it reports,
from the moment the file was written:

- `rebuilding`: the bar of the page says "rebuilding…";
- `preview`: the preview shows the new word (its frame swapped);
- `scroll`: the preview's scroll position after the update against before (kept: within 2 px);
- `ready`: the status says the incremental build of the PDF and the EPUB is done.

Three series: `--runs` saves each made once the previous build is done ("idle"), `--runs` saves each
made as soon as the previous one shows, while its build runs ("busy"), and one save to another
record, which the preview must go to ("other"). The target is a preview within 2 s of a save on
the bundled book. The server's cache is $BESTIARY_CACHE_DIR if set, else a fresh one (the first
build is then cold). Timings are the machine's: it is shared, so run it when it is quiet, and
compare figures from one run. Needs `pip install playwright` (the browser is the system's).
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 2.0
SCROLL_TOLERANCE_PX = 2
CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser")

# Records what the page shows, in the page's own clock (Date.now(), the same wall clock as time.time()).
OBSERVER = """() => {
  window.__bench = {want: null, rebuilding: null, updated: null};
  window.addEventListener("bestiary:preview-updated", () => {
    const frame = document.querySelector("iframe.current");
    const bench = window.__bench;
    if (bench.want && !bench.updated && frame.contentDocument.body.textContent.includes(bench.want)) {
      bench.updated = {t: Date.now(), y: frame.contentWindow.scrollY, path: frame.contentWindow.location.pathname};
    }
  });
  const status = document.getElementById("status");
  new MutationObserver(() => {
    if (window.__bench.want && !window.__bench.rebuilding && status.textContent.includes("rebuilding")) {
      window.__bench.rebuilding = Date.now();
    }
  }).observe(status, {childList: true, characterData: true, subtree: true});
}"""
FRAME_LOADED = """() => {
  const frame = document.querySelector("iframe.current");
  return frame && frame.contentDocument && frame.contentDocument.readyState === "complete"
    && frame.contentDocument.body && frame.contentDocument.body.textContent.length > 0;
}"""
SCROLL_DOWN = """(share) => {
  const view = document.querySelector("iframe.current").contentWindow;
  view.scrollTo(0, Math.round(share * (view.document.documentElement.scrollHeight - view.innerHeight)));
  return view.scrollY;
}"""


@dataclass
class Save:
    series: str
    record: str
    rebuilding_s: float | None
    preview_s: float | None
    scroll_before: int | None
    scroll_after: int | None
    went_to: str | None
    ready_s: float | None = None

    @property
    def scroll_kept(self) -> bool | None:
        if self.scroll_before is None or self.scroll_after is None:
            return None
        return abs(self.scroll_before - self.scroll_after) <= SCROLL_TOLERANCE_PX


class Server:
    """`bestiary serve --port 0` in a child process; its log is kept, its status read over HTTP.

    `printed_url` is the URL it prints, with its token; `url` the preview's base, which answers only with the
    cookie that opening `printed_url` sets (this object keeps its own; the browser gets its own the same way).
    """

    def __init__(self, book: Path, out: Path, env: dict[str, str]):
        started = time.monotonic()
        self.process = subprocess.Popen([sys.executable, "-m", "bestiary", "serve", "--book", str(book), "--out",
                                         str(out), "--port", "0", "--no-web"],  # the PDF and EPUB's latency
                                        stderr=subprocess.PIPE, text=True, env=env)
        self.log: list[str] = []
        threading.Thread(target=lambda: self.log.extend(self.process.stderr), daemon=True).start()
        self.printed_url = wait(lambda: next((m.group(1) for line in list(self.log)
                                              if (m := re.search(r"serving (http://127\.0\.0\.1:\d+/\S*)", line))),
                                             None), 60, "the server to listen")
        self.listening_s = time.monotonic() - started
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        with self.opener.open(self.printed_url, timeout=10) as response:  # redirected to the base, token dropped
            response.read()
            self.url = response.url
        self.answered_s = time.monotonic() - started

    def status(self) -> dict:
        with self.opener.open(self.url + "__status", timeout=10) as response:
            return json.loads(response.read())

    def wait_ready(self, after_build: int, limit: float = 600) -> float:
        """Wait until a build numbered above `after_build` is done and none is pending; the wall clock then."""
        wait(lambda: (lambda s: s["build"] > after_build and s["state"] in ("ready", "failed"))(self.status()),
             limit, "the build")
        return time.time()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)


def wait(check, limit: float, what: str):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise SystemExit(f"gave up waiting for {what} after {limit:.0f} s")


def summary_words(record: Path) -> list[str]:
    summary = yaml.safe_load(record.read_text(encoding="utf-8"))["summary"]
    return [word for word in re.findall(r"\b[a-z]{5,}\b", summary) if len(set(word)) > 1]


def measure_save(page, server: Server, series: str, record: Path, expect_path: str, wait_build: bool) -> Save:
    view_text = page.evaluate("() => document.querySelector('iframe.current').contentDocument.body.textContent")
    before = page.evaluate(SCROLL_DOWN, 0.6) if series != "other" else None
    build_before = server.status()["build"]
    # the observer is armed with a word the page cannot show yet; the save comes after
    new_word = page.evaluate("""(word) => { Object.assign(window.__bench, {want: word, rebuilding: null,
                                updated: null}); return word; }""", next_word(record, view_text))
    saved = time.time()
    record.write_text(record.read_text(encoding="utf-8").replace(PENDING[record], new_word, 1), encoding="utf-8")
    page.wait_for_function("() => window.__bench.updated", timeout=60_000)
    bench = page.evaluate("() => window.__bench")
    updated = bench["updated"]
    result = Save(series, record.stem, (bench["rebuilding"] - saved * 1000) / 1000 if bench["rebuilding"] else None,
                  (updated["t"] - saved * 1000) / 1000, before, updated["y"] if before is not None else None,
                  updated["path"].rsplit("/", 1)[-1])
    if not updated["path"].endswith(expect_path):
        print(f"  warning: the preview shows {updated['path']}, expected {expect_path}")
    if wait_build:
        result.ready_s = server.wait_ready(build_before) - saved
    return result


PENDING: dict[Path, str] = {}  # record → the word of its summary that the next save replaces


def next_word(record: Path, page_text: str) -> str:
    """The word the next save puts in place of a word of `record`'s summary (remembered in PENDING)."""
    text = record.read_text(encoding="utf-8")
    for old in summary_words(record):
        new = old[1:] + old[0]
        if new not in page_text and new not in text:
            PENDING[record] = old
            return new
    raise SystemExit(f"no word of the summary of {record} left to change")


def figures(values: list[float]) -> str:
    return f"median {statistics.median(values):.2f} s, max {max(values):.2f} s" if values else "n/a"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="saves per series (default 5)")
    parser.add_argument("--book", type=Path, default=ROOT / "book", help="the book to copy (default: the bundled one)")
    parser.add_argument("--slug", help="the specimen to preview (default: the record in the middle of the book)")
    parser.add_argument("--chromium", help="the Chromium binary (default: the system's)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (book, outputs, log)")
    options = parser.parse_args()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("needs Playwright's Python package: pip install playwright (it drives the system's Chromium)")
        return 2
    chromium = options.chromium or next((path for path in CHROMIUM_CANDIDATES if Path(path).exists()), None)
    if chromium is None:
        print("needs Chromium: apt-get install chromium, or --chromium PATH")
        return 2

    folder = Path(tempfile.mkdtemp(prefix="bestiary-serve-latency-"))
    book = folder / "book"
    shutil.copytree(options.book, book)
    records = sorted((book / "chapters").glob("*/*.yaml"))
    record = next((path for path in records if path.stem == options.slug), records[len(records) // 2])
    other = records[(records.index(record) + 3) % len(records)]
    env = dict(os.environ)
    env.setdefault("BESTIARY_CACHE_DIR", str(folder / "cache"))
    server = Server(book, folder / "dist", env)
    saves: list[Save] = []
    try:
        print(f"serve listened after {server.listening_s:.2f} s, answered after {server.answered_s:.2f} s "
              f"(cache {env['BESTIARY_CACHE_DIR']})")
        first_build = time.time()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1000, "height": 800})
            page.goto(server.printed_url)  # as a user clicks it: the token becomes a cookie, the URL the index's
            building = page.locator("#status").text_content()
            page.goto(f"{server.url}preview/{record.stem}")
            page.wait_for_function(FRAME_LOADED, timeout=60_000)
            page.evaluate(OBSERVER)
            print(f"index while the first build runs: {building!r}; previewing {record.stem} "
                  f"({Path(chromium).name} {browser.version})")
            server.wait_ready(0)
            print(f"first build done {time.time() - first_build:.1f} s after the server answered")
            for _ in range(options.runs):
                saves.append(measure_save(page, server, "idle", record, f"/specimen-{record.stem}.xhtml", True))
                print_save(saves[-1])
            for _ in range(options.runs):
                saves.append(measure_save(page, server, "busy", record, f"/specimen-{record.stem}.xhtml", False))
                print_save(saves[-1])
            server.wait_ready(server.status()["build"] - 1)
            saves.append(measure_save(page, server, "other", other, f"/specimen-{other.stem}.xhtml", True))
            print_save(saves[-1])
            browser.close()
    finally:
        server.stop()
        (folder / "serve.log").write_text("".join(server.log), encoding="utf-8")
        if options.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    previews = [save.preview_s for save in saves if save.preview_s is not None]
    print()
    for series in ("idle", "busy", "other"):
        chosen = [save for save in saves if save.series == series]
        print(f"{series:5}: preview {figures([s.preview_s for s in chosen])}; rebuilding shown "
              f"{figures([s.rebuilding_s for s in chosen if s.rebuilding_s is not None])}; PDF and EPUB ready "
              f"{figures([s.ready_s for s in chosen if s.ready_s is not None])}")
    kept = [save.scroll_kept for save in saves if save.scroll_kept is not None]
    went = saves[-1].went_to == f"specimen-{other.stem}.xhtml"
    verdict = "within" if max(previews) <= TARGET_SECONDS else "OVER"
    print(f"scroll kept in {sum(kept)} of {len(kept)} saves; the save to {other.stem} "
          f"{'went to it' if went else 'did NOT go to it'}; slowest preview {max(previews):.2f} s: {verdict} the "
          f"{TARGET_SECONDS:.0f} s target")
    return 0 if max(previews) <= TARGET_SECONDS and all(kept) and went else 1


def print_save(save: Save) -> None:
    scroll = ("" if save.scroll_before is None else
              f", scroll {save.scroll_before} → {save.scroll_after} px ({'kept' if save.scroll_kept else 'LOST'})")
    rebuilding = f"{save.rebuilding_s:.2f} s" if save.rebuilding_s is not None else "not seen"
    ready = f", ready {save.ready_s:.1f} s" if save.ready_s is not None else ""
    print(f"  {save.series:5} {save.record}: rebuilding… {rebuilding}, preview {save.preview_s:.2f} s "
          f"({save.went_to}){scroll}{ready}")


if __name__ == "__main__":
    sys.exit(main())
