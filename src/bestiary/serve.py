"""`bestiary serve`: a live preview that rebuilds the field guide and the EPUB on save.

The server listens on 127.0.0.1 only and serves the output folder plus a small
preview page that reloads the PDF when a rebuild finishes. Sources are polled
(book, the built-in layouts, the fonts) once a second; a failed rebuild keeps
the previous outputs (builds are all-or-nothing) and shows its errors on the page.
"""

from __future__ import annotations

import errno
import functools
import html
import http.server
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from .build import build, check_output_folder
from .errors import BuildError, RenderError, RequestError
from .outputs import describe_os_error
from .resources import builtin_layouts_dir, fonts_dir, is_inside

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
            self.errors = [str(warning) for warning in result.warnings]
            self.slug = result.written[0].path.stem
            self.log(f"rebuilt: {', '.join(str(w.path) for w in result.written)}")
        except BuildError as error:
            self.errors = [str(d) for d in error.diagnostics]
            self.log(f"build failed with {len(self.errors)} problem(s); previous outputs kept")
        except (RenderError, RequestError) as error:
            self.errors = [f"error: {error}"]
            self.log(self.errors[0])
        self.version += 1

    def page(self) -> str:
        errors = f"<pre>{html.escape(chr(10).join(self.errors))}</pre>" if self.errors else ""
        status = "problems below" if self.errors else "ok"
        return PREVIEW_PAGE.format(version=self.version, status=status, errors=errors,
                                   pdf=f"/{self.slug}.pdf", epub=f"/{self.slug}.epub")


def allowed_hosts(port: int) -> frozenset[str]:
    """The Host headers of a request made to this preview; any other name is a DNS-rebinding attempt."""
    names = ("127.0.0.1", "localhost", "[::1]")
    return frozenset([f"{name}:{port}" for name in names] + (list(names) if port == 80 else []))


class _Handler(http.server.SimpleHTTPRequestHandler):
    preview: Preview
    hosts: frozenset[str]
    root: Path  # the output folder, real path

    def do_GET(self) -> None:
        if not self._host_allowed():
            return
        if self.path in ("/", "/index.html"):
            self._send(self.preview.page().encode(), "text/html; charset=utf-8")
        elif self.path == "/__version":
            self._send(str(self.preview.version).encode(), "text/plain")
        else:
            super().do_GET()

    def do_HEAD(self) -> None:
        if self._host_allowed():
            super().do_HEAD()

    def _host_allowed(self) -> bool:
        if self.headers.get("Host", "").strip().lower() in self.hosts:
            return True
        self.send_error(403, "Forbidden: this preview answers only to 127.0.0.1, localhost and [::1]")
        return False

    def translate_path(self, path: str) -> str:
        """The file for a URL, only if its real path (links followed) is inside the output folder."""
        translated = Path(super().translate_path(path))
        return str(translated) if is_inside(translated, (self.root,)) else str(self.root / ".not-served")

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        self.send_error(404, "Not found")  # no directory listings
        return None

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # quiet: the preview logs its builds
        pass


def preview_server(preview: Preview, port: int) -> http.server.ThreadingHTTPServer:
    """An HTTP server on 127.0.0.1:`port` (0 picks a free one) for `preview`, not yet serving.

    Raises `RequestError` for a port that is taken or an output folder that cannot be made.
    """
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), _Handler)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise RequestError(f"port {port} on 127.0.0.1 is taken (another preview?); choose another with "
                               "--port, or --port 0 for any free one") from error
        raise RequestError(f"cannot listen on 127.0.0.1:{port}: {error.strerror or error}") from error
    try:
        preview.out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        server.server_close()
        raise RequestError(f"cannot use the output folder {describe_os_error(error, preview.out_dir)}") from error
    root = preview.out_dir.resolve()
    handler = type("Handler", (_Handler,), {"preview": preview, "hosts": allowed_hosts(server.server_address[1]),
                                            "root": root})
    server.RequestHandlerClass = functools.partial(handler, directory=str(root))
    return server


def serve(book_dir: Path, out_dir: Path, port: int, log: Callable[[str], None],
          ready: Callable[[str], None]) -> None:
    """Serve on 127.0.0.1:`port` (0 picks a free one), build, and rebuild whenever a source changes.

    Raises `RequestError` for an output folder inside the sources or a port that is taken.
    """
    check_output_folder(book_dir, out_dir)
    preview = Preview(book_dir, out_dir, log)
    server = preview_server(preview, port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    ready(f"http://127.0.0.1:{server.server_address[1]}/")
    preview.rebuild()
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
