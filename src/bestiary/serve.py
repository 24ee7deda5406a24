"""`bestiary serve`: a live preview that rebuilds the field guide and the EPUB on save.

The server listens on 127.0.0.1 only and serves the output folder plus a small
preview page that reloads the PDF when a rebuild finishes. Sources are polled
(book, the built-in layouts, the fonts) once a second; a failed rebuild keeps
the previous outputs (builds are all-or-nothing) and shows its errors on the page.
"""

from __future__ import annotations

import functools
import html
import http.server
import threading
import time
from collections.abc import Callable
from pathlib import Path

from .build import build
from .errors import BuildError, RenderError
from .resources import builtin_layouts_dir, fonts_dir

PREVIEW_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>bestiary preview</title>
<style>body{{margin:0;font:14px sans-serif}}header{{padding:6px 10px;background:#222;color:#eee}}
header a{{color:#fc9}}pre{{margin:0;padding:8px 10px;background:#fee;color:#900;white-space:pre-wrap}}
iframe{{border:0;width:100%;height:calc(100vh - 32px)}}</style></head>
<body><header>Build {version}: {status} &middot; <a href="{pdf}">PDF</a> &middot; <a href="{epub}">EPUB</a></header>
{errors}<iframe src="{pdf}#view=FitH"></iframe>
<script>setInterval(async () => {{
  const r = await fetch("/__version"); if ((await r.text()) !== "{version}") location.reload();
}}, 1000);</script></body></html>
"""


def source_stamp(folders: tuple[Path, ...]) -> tuple[tuple[str, float], ...]:
    """Every file's path and modification time: a change anywhere changes the stamp."""
    return tuple(sorted((str(path), path.stat().st_mtime) for folder in folders if folder.is_dir()
                        for path in folder.rglob("*") if path.is_file()))


class Preview:
    """The state the server shows: the build number, and the last build's errors if it failed."""

    def __init__(self, book_dir: Path, out_dir: Path, log: Callable[[str], None]):
        self.book_dir, self.out_dir, self.log = book_dir, out_dir, log
        self.version = 0
        self.errors: list[str] = []
        self.slug = "book"

    def rebuild(self) -> None:
        try:
            result = build(self.book_dir, self.out_dir, ("pdf", "epub"))
            self.errors = list(result.warnings)
            self.slug = result.written[0].path.stem
            self.log(f"rebuilt: {', '.join(str(w.path) for w in result.written)}")
        except BuildError as error:
            self.errors = [str(d) for d in error.diagnostics]
            self.log(f"build failed with {len(self.errors)} problem(s); previous outputs kept")
        except RenderError as error:
            self.errors = [f"error: {error}"]
            self.log(self.errors[0])
        self.version += 1

    def page(self) -> str:
        errors = f"<pre>{html.escape(chr(10).join(self.errors))}</pre>" if self.errors else ""
        status = "problems below" if self.errors else "ok"
        return PREVIEW_PAGE.format(version=self.version, status=status, errors=errors,
                                   pdf=f"/{self.slug}.pdf", epub=f"/{self.slug}.epub")


class _Handler(http.server.SimpleHTTPRequestHandler):
    preview: Preview

    def do_GET(self) -> None:
        if self.path in ("/", "/index.html"):
            self._send(self.preview.page().encode(), "text/html; charset=utf-8")
        elif self.path == "/__version":
            self._send(str(self.preview.version).encode(), "text/plain")
        else:
            super().do_GET()

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # quiet: the preview logs its builds
        pass


def serve(book_dir: Path, out_dir: Path, port: int, log: Callable[[str], None],
          ready: Callable[[str], None]) -> None:
    """Build, serve on 127.0.0.1:`port` (0 picks a free one), and rebuild whenever a source changes."""
    out_dir.mkdir(parents=True, exist_ok=True)
    preview = Preview(book_dir, out_dir, log)
    preview.rebuild()
    handler = type("Handler", (_Handler,), {"preview": preview})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port),
                                             functools.partial(handler, directory=str(out_dir)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    ready(f"http://127.0.0.1:{server.server_address[1]}/")
    watched = (book_dir, builtin_layouts_dir(), fonts_dir())
    stamp = source_stamp(watched)
    try:
        while True:
            time.sleep(1)
            current = source_stamp(watched)
            if current != stamp:
                stamp = current
                preview.rebuild()
    finally:
        server.shutdown()
        server.server_close()
