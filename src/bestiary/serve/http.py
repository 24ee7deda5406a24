"""The HTTP side of `bestiary serve`: its pages, the preview documents, the status stream, the outputs.

Routes (everything else is a file of the output folder: the PDF, the EPUB, the dossiers):

- `/`: the index: the build's state, the PDF and EPUB, a preview link per specimen;
- `/preview/<slug>`: a specimen's preview page, the EPUB's XHTML in a frame that follows saves;
- `/__preview/text/<file>.xhtml`, `/__preview/styles/epub.css`, `/__preview/fonts/<font>`: the
  preview's EPUB documents, laid out as in the package (so the XHTML's relative links work);
- `/__status`: the state as JSON; `/__events`: the same, pushed as Server-Sent Events on every change;
- `/__ui/live.js`, `/__ui/live.css`: the pages' script and style (`ui/`).

Safety: a request whose Host is not this machine's (127.0.0.1, localhost, [::1], with
the port) gets 403, so a web page cannot read the preview by DNS rebinding; no folder is
listed; a file is served only if its real path (links followed) is in the output
folder; the preview documents may run no script (Content-Security-Policy).

The preview is its user's own, as Jupyter's is: the Host check stops browsers, not the other
users of the machine, who can reach 127.0.0.1 too. So each run has a secret token (`serve`
makes it), printed in the URL only (`/?token=…`). A request with the right token gets it as a
cookie (`HttpOnly; SameSite=Strict; Path=/`, named with the port, since cookies do not tell
ports apart and two previews must not clobber each other's) and a redirect to the same URL
without it, so the token stays out of the history. Every request after that, the pages', the
event stream's, the frames' and the outputs', carries the cookie, as same-origin requests do.
Without either, every path (an output, a font, a script) gets 403 and a page that says only to
open the URL the command printed. Tokens are compared in constant time. `--no-token` (token
None) leaves the preview open to every local user, as it was.

Robustness: a request however malformed gets a status (a control character in the path: 400)
or a closed connection; a client that goes away mid-reply is no news; a bug while answering is a
500 (when no reply has begun) and one line in the preview's log, its traceback only with
`--verbose` (`bugs.py`). Nothing else reaches the terminal, where socketserver would print a
traceback per request.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hmac
import http.server
import json
import os
import re
import sys
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2

from ..bugs import describe_bug
from ..errors import RenderError, RequestError
from ..resources import is_inside
from ..store.outputs import describe_os_error
from ..views.web import LINKS as WEB_LINKS
from .preview import preview_font
from .state import Preview

UI_DIR = Path(__file__).parent / "ui"
UI_ASSETS = {"live.js": "text/javascript; charset=utf-8", "live.css": "text/css; charset=utf-8"}
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*\.[a-z]+$")
KEEP_ALIVE_SECONDS = 15  # an idle event stream sends a comment this often, so a dead client is noticed
PAGE_POLICY = "default-src 'self'; frame-ancestors 'self'"
DOCUMENT_POLICY = "default-src 'self'; script-src 'none'; frame-ancestors 'self'"  # record text never runs
TOKEN_PARAMETER = "token"
CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")  # no file name has one: `/%00` is malformed, not missing
CLIENT_GONE = (ConnectionError, TimeoutError)  # the client closed or reset the connection: nobody to answer


def allowed_hosts(port: int) -> frozenset[str]:
    """The Host headers of a request made to this preview; any other name is a DNS-rebinding attempt."""
    names = ("127.0.0.1", "localhost", "[::1]")
    return frozenset([f"{name}:{port}" for name in names] + (list(names) if port == 80 else []))


def preview_url(port: int, token: str | None) -> str:
    """The URL that opens the preview on `port`: with its token, when it has one."""
    return f"http://127.0.0.1:{port}/" + (f"?{urllib.parse.urlencode({TOKEN_PARAMETER: token})}" if token else "")


def split_target(target: str) -> tuple[urllib.parse.SplitResult, str] | None:
    """A request's target split, with its path decoded; None if malformed (a control character, an unclosed `[`)."""
    try:
        address = urllib.parse.urlsplit(target)
    except ValueError:
        return None
    route = urllib.parse.unquote(address.path)
    return None if CONTROL_CHARACTER.search(target + route) else (address, route)


def token_cookie_name(port: int) -> str:
    """The name of the cookie holding the token of the preview on `port`: cookies are shared by all the ports."""
    return f"bestiary-preview-{port}"


@functools.cache
def _pages() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(UI_DIR), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


class PreviewHandler(http.server.SimpleHTTPRequestHandler):
    server: PreviewServer
    preview: Preview
    hosts: frozenset[str]
    root: Path  # the output folder, real path
    token: str | None  # None: open to every local user (--no-token)
    cookie_name: str
    default_request_version = "HTTP/1.0"  # not 0.9, whose replies have no status line: garbage gets a 400 too
    _output_file = False  # this request is for a file of the output folder
    _replied = False  # this request's status line is written: too late for a 500

    def handle_one_request(self) -> None:
        """Answer one request, whatever it holds: a client gone mid-reply ends it quietly, a bug is a 500 (if no
        reply has begun) and one line in the preview's log."""
        self._replied = False
        try:
            super().handle_one_request()
        except CLIENT_GONE:
            self.close_connection = True
        except Exception as error:
            self.close_connection = True
            request = " ".join(getattr(self, "requestline", "").split()[:2]).partition("?")[0]  # never the token
            self.server.report_bug(error, f"answering {request!r}")
            if not self._replied:
                with contextlib.suppress(*CLIENT_GONE):
                    self.send_error(500, "Internal error: a bug in bestiary (its terminal says more)")

    def send_response_only(self, code: int, message: str | None = None) -> None:
        self._replied = True
        super().send_response_only(code, message)

    def do_GET(self) -> None:
        route = self._admitted_route()
        if route is None:
            return
        if route in ("/", "/index.html"):
            self._page("index.html.j2", {"families": self._families()})
        elif route.startswith("/preview/"):
            self._specimen_page(route.removeprefix("/preview/"))
        elif route == "/__status":
            self._send(json.dumps(self.preview.status()).encode(), "application/json")
        elif route == "/__events":
            self._events()
        elif route.startswith("/__preview/"):
            self._preview_file(route.removeprefix("/__preview/"))
        elif route.startswith("/__ui/") and route.removeprefix("/__ui/") in UI_ASSETS:
            name = route.removeprefix("/__ui/")
            self._send((UI_DIR / name).read_bytes(), UI_ASSETS[name])
        else:
            self._output_file = True
            super().do_GET()

    def do_HEAD(self) -> None:
        if self._admitted_route() is not None:
            self._output_file = True
            super().do_HEAD()

    # -- who may ask

    def _admitted_route(self) -> str | None:
        """The request's path, decoded, if the request is admitted: its Host is this machine's, its path has no
        control character and it carries the token when one is needed. Otherwise None, the request answered."""
        if self.headers.get("Host", "").strip().lower() not in self.hosts:
            self.send_error(403, "Forbidden: this preview answers only to 127.0.0.1, localhost and [::1]")
            return None
        target = split_target(self.path)
        if target is None:
            self.send_error(400, "Bad request: a malformed path")
            return None
        address, route = target
        if self.token is not None and not self._token_admits(address):
            return None
        return route

    def _token_admits(self, address: urllib.parse.SplitResult) -> bool:
        """Whether the request carries the token in its cookie. The token in the URL instead gets the cookie set
        and a redirect to the URL without it; neither gets 403. Either way the request is then answered."""
        query = urllib.parse.parse_qsl(address.query, keep_blank_values=True)
        if any(name == TOKEN_PARAMETER and self._is_token(value) for name, value in query):
            rest = urllib.parse.urlencode([(name, value) for name, value in query if name != TOKEN_PARAMETER])
            self._let_in("/" + address.path.lstrip("/") + (f"?{rest}" if rest else ""))  # a path: never `//host`
            return False
        if any(self._is_token(value) for value in self._cookie_values(self.cookie_name)):
            return True
        body = _pages().get_template("token_needed.html.j2").render()  # nothing of the book, not even its title
        self._send(body.encode(), "text/html; charset=utf-8", status=403, policy=PAGE_POLICY)
        return False

    def _is_token(self, offered: str) -> bool:
        return self.token is not None and hmac.compare_digest(offered.encode(), self.token.encode())

    def _cookie_values(self, name: str) -> list[str]:
        values = []
        for header in self.headers.get_all("Cookie", []):
            for pair in header.split(";"):
                key, _, value = pair.strip().partition("=")
                if key == name:
                    values.append(value)
        return values

    def _let_in(self, location: str) -> None:
        self.send_response(303)
        self.send_header("Location", location)
        self.send_header("Set-Cookie", f"{self.cookie_name}={self.token}; HttpOnly; SameSite=Strict; Path=/")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", "0")
        self.end_headers()

    # -- pages

    def _families(self) -> list[tuple[str, list[tuple[str, str]]]]:
        book = self.preview.book
        if book is None:
            return []
        return [(family.title, [(role.slug, role.title) for role in family.roles]) for family in book.book.families]

    def _specimen_page(self, slug: str) -> None:
        book = self.preview.book
        slugs = book.slugs if book is not None else ()
        if not SLUG.match(slug) or (book is not None and slug not in slugs):
            self.send_error(404, "No such specimen")
            return
        role = book.role(slug) if book else None
        if book is None or role is None:  # the book has not loaded yet (it has errors): the page waits for it
            self._page("preview.html.j2", {"title": slug, "anchor": "", "src": "about:blank", "web_page": ""})
        else:
            self._page("preview.html.j2", {"title": role.title, "anchor": role.anchor,
                                           "src": f"/__preview/text/{book.specimen_file(slug)}",
                                           "web_page": WEB_LINKS.role_file(role)})

    def _page(self, template: str, context: dict[str, Any]) -> None:
        book = self.preview.book
        title = book.book.config.title if book else self.preview.book_dir.name
        body = _pages().get_template(template).render(status=self.preview.status(), book_title=title, **context)
        self._send(body.encode(), "text/html; charset=utf-8", policy=PAGE_POLICY)

    # -- the preview's EPUB documents

    def _preview_file(self, path: str) -> None:
        folder, _, name = path.partition("/")
        book = self.preview.book
        if not FILE_NAME.match(name) or folder not in ("text", "styles", "fonts"):
            self.send_error(404, "Not found")
        elif folder == "fonts":
            font = preview_font(name)
            if font is None or not font.is_file():
                self.send_error(404, "Not found")
            else:
                self._send(font.read_bytes(), "font/otf" if name.endswith(".otf") else "font/ttf",
                           cache="max-age=600")
        elif book is None:
            self.send_error(503, "The book has errors: see the preview page")
        elif folder == "styles":
            if name != "epub.css":
                self.send_error(404, "Not found")
            else:
                self._send_rendered(book.stylesheet, "text/css; charset=utf-8")
        else:
            self._send_rendered(lambda: book.document(name), "application/xhtml+xml; charset=utf-8")

    def _send_rendered(self, render: Callable[[], str | None], content_type: str) -> None:
        try:
            text = render()
        except RenderError as error:
            self._send(f"error: {error}".encode(), "text/plain; charset=utf-8", status=500)
            return
        if text is None:
            self.send_error(404, "No such document in the preview")
        else:
            self._send(text.encode(), content_type, policy=DOCUMENT_POLICY)

    # -- the status stream

    def _events(self) -> None:
        """Server-Sent Events: the current status, then every new one, until the client or the server goes."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.close_connection = True
        seq = None
        while not self.preview.closed:  # a closed page ends it with a write that fails (handle_one_request)
            snapshots = self.preview.changes_after(seq, timeout=KEEP_ALIVE_SECONDS)
            if not snapshots:
                self.wfile.write(b": keep-alive\n\n")
            for snapshot in snapshots:
                seq = snapshot["seq"]
                self.wfile.write(f"id: {seq}\ndata: {json.dumps(snapshot)}\n\n".encode())
            self.wfile.flush()

    # -- the output folder

    def translate_path(self, path: str) -> str:
        """The file for a URL, only if its real path (links followed) is inside the output folder."""
        translated = Path(super().translate_path(path))
        return str(translated) if is_inside(translated, (self.root,)) else str(self.root / ".not-served")

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        self.send_error(404, "Not found")  # no directory listings
        return None

    def end_headers(self) -> None:
        if self._output_file:
            self.send_header("Cache-Control", "no-cache")  # an output changes under the same name: ask each time
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def _send(self, body: bytes, content_type: str, *, status: int = 200, cache: str = "no-store",
              policy: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", cache)
        if policy:
            self.send_header("Content-Security-Policy", policy)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # quiet: the preview logs its builds
        pass


class PreviewServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # an open event stream must not hold up Ctrl-C
    preview: Preview | None = None
    verbose = False  # a bug's log line comes with its traceback

    def report_bug(self, error: BaseException, doing: str) -> None:
        """Log a bug while serving in one line (with its traceback when verbose); the server carries on."""
        if self.preview is not None:
            self.preview.log(describe_bug(error, doing=doing, verbose=self.verbose))

    def handle_error(self, request: object, client_address: object) -> None:
        """What escaped a handler: nothing to say if the client went away, else a bug; never socketserver's
        traceback per request."""
        error = sys.exc_info()[1]
        if error is not None and not isinstance(error, CLIENT_GONE):
            self.report_bug(error, "answering a request")

    def server_close(self) -> None:
        if self.preview is not None:
            self.preview.close()  # ends the event streams
        super().server_close()


def preview_server(preview: Preview, port: int, *, token: str | None, verbose: bool = False) -> PreviewServer:
    """An HTTP server on 127.0.0.1:`port` (0 picks a free one) for `preview`, not yet serving.

    It answers only requests that carry `token` (see the module's doc), or every local one for None; `verbose`
    logs a bug's traceback with its line. Raises `RequestError` for a port that is taken or an output folder
    that cannot be made.
    """
    try:
        server = PreviewServer(("127.0.0.1", port), PreviewHandler)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise RequestError(f"port {port} on 127.0.0.1 is taken (another preview?); choose another with "
                               "--port, or --port 0 for any free one") from error
        raise RequestError(f"cannot listen on 127.0.0.1:{port}: {error.strerror or error}") from error
    server.preview, server.verbose = preview, verbose
    try:
        preview.out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        server.server_close()
        raise RequestError(f"cannot use the output folder {describe_os_error(error, preview.out_dir)}") from error
    root, bound_port = preview.out_dir.resolve(), server.server_address[1]
    handler = type("Handler", (PreviewHandler,), {"preview": preview, "hosts": allowed_hosts(bound_port), "root": root,
                                                  "token": token, "cookie_name": token_cookie_name(bound_port)})
    server.RequestHandlerClass = functools.partial(handler, directory=str(root))
    return server
