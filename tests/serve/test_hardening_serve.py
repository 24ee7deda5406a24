"""Issue 17, round three: `serve` is its user's own (a token), answers malformed and vanishing clients without a
traceback, and a bug anywhere exits with status 3 in one line (the traceback only with --verbose).

The server tests run the real server on a free port in this process and talk to it over real sockets; what it
prints goes to this process's stderr (captured with capfd) or to the preview's log (kept in a list). The
command-line tests run `bestiary` as a user does, in this process (CliRunner) or in a child.
"""

from __future__ import annotations

import fcntl
import http.client
import http.cookiejar
import json
import os
import re
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bestiary.errors import RenderError, RequestError
from conftest import cli, write_book

TOKEN = "the-token-of-this-test"
TITLE = "A Small Bestiary"  # write_book's title: what a stranger must not learn
DEADLINE = 60  # seconds: generous for a loaded machine, never a timing assertion


@dataclass
class Served:
    """A preview server running in this process: its port, its state, and the lines it logged."""

    port: int
    preview: object
    log: list[str] = field(default_factory=list)

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    """Start servers on free ports: the book loaded for the preview (no build), an output folder with a PDF."""
    from bestiary.serve.http import preview_server
    from bestiary.serve.state import Preview

    book, out = write_book(tmp_path), tmp_path / "dist"
    out.mkdir()
    (out / "book.pdf").write_bytes(b"%PDF-1.7 " + b"x" * (8 << 20))  # larger than what sockets hold in flight
    servers = []

    def start(token: str | None = TOKEN, verbose: bool = False, load: bool = True) -> Served:
        log: list[str] = []
        preview = Preview(book, out, log=log.append)
        if load:
            preview.refresh(then_build=False)
        server = preview_server(preview, 0, token=token, verbose=verbose)
        servers.append(server)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()  # quick to shut down
        return Served(server.server_address[1], preview, log)

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def ask(served: Served, path: str, *, cookie: str | None = None, method: str = "GET",
        host: str | None = None) -> http.client.HTTPResponse:
    """One request; the response with its body read (`.body`)."""
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=DEADLINE)
    headers = {"Host": host or served.host, **({"Cookie": cookie} if cookie else {})}
    connection.request(method, path, headers=headers)
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


def log_in(served: Served) -> str:
    """The Cookie header a browser sends once it has opened the URL with the token."""
    response = ask(served, f"/?token={TOKEN}")
    assert response.status == 303, response.status
    return response.getheader("Set-Cookie").split(";")[0]


def exchange(served: Served, request: bytes) -> bytes:
    """Send raw bytes and read the reply until the server closes the connection."""
    with socket.create_connection(("127.0.0.1", served.port), timeout=DEADLINE) as connection:
        connection.sendall(request)
        reply = b""
        while chunk := connection.recv(65536):
            reply += chunk
    return reply


def requests_in_flight() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if "process_request_thread" in thread.name]


def wait_until_answered(poke: Callable[[], None] = lambda: None) -> None:
    """Wait until the server has finished with every request (calling `poke` meanwhile): only then is all said."""
    deadline = time.monotonic() + DEADLINE
    while requests_in_flight():
        assert time.monotonic() < deadline, "a request is still being answered"
        poke()
        time.sleep(0.05)


# -- point 10: the token


STRANGERS = {  # what another local user might send: no token, a wrong one, a cookie for another preview
    "nothing": ("", None),
    "a wrong token": ("?token=guessed", None),
    "a wrong cookie": ("", "bestiary-preview-{port}=guessed"),
    "another port's cookie": ("", "bestiary-preview-1=" + TOKEN),
    "a token of another length": ("?token=" + TOKEN + "x", None),
    "a token that is not ASCII": ("?token=%C3%A9" + TOKEN[2:], None),
}
PATHS = ("/", "/index.html", "/__status", "/__events", "/preview/alpha-analyst",
         "/__preview/text/specimen-alpha-analyst.xhtml", "/__preview/styles/epub.css",
         "/__preview/fonts/Inter-Regular.otf", "/__ui/live.js", "/__ui/live.css", "/book.pdf", "/no-such-file.pdf")


@pytest.mark.parametrize("stranger", STRANGERS)
def test_without_the_token_every_path_is_403_and_tells_nothing_of_the_book(start_server, stranger: str):
    served = start_server()
    query, cookie = STRANGERS[stranger]
    for path in PATHS:
        response = ask(served, path + query, cookie=cookie and cookie.format(port=served.port))
        assert response.status == 403, path
        assert response.getheader("Set-Cookie") is None, path
        page = response.body.decode()
        assert "?token=" in page and "--no-token" in page, page  # says how to get in
        for secret in (TITLE, "Alpha Analyst", "%PDF", '"state"', "@font-face"):
            assert secret not in page, (path, secret)
    head = ask(served, "/book.pdf", method="HEAD")
    assert head.status == 403 and head.body == b""


def test_the_token_in_the_url_becomes_a_cookie_and_leaves_the_url(start_server):
    served = start_server()
    response = ask(served, f"/preview/alpha-analyst?token={TOKEN}&from=terminal")
    assert response.status == 303 and response.body == b""
    assert response.getheader("Location") == "/preview/alpha-analyst?from=terminal"
    cookie, *attributes = [part.strip() for part in response.getheader("Set-Cookie").split(";")]
    assert cookie == f"bestiary-preview-{served.port}={TOKEN}"
    assert sorted(attributes) == ["HttpOnly", "Path=/", "SameSite=Strict"]
    assert response.getheader("Cache-Control") == "no-store"
    # the redirect is a path on this server, whatever the request's target says
    for target, path in ((f"//evil.example/?token={TOKEN}", "/evil.example/"),
                         (f"///evil.example?token={TOKEN}", "/evil.example"),
                         (f"http://evil.example/book.pdf?token={TOKEN}", "/book.pdf")):
        assert ask(served, target).getheader("Location") == path, target


def test_the_cookie_opens_the_pages_the_status_a_preview_document_and_an_output(start_server):
    served = start_server()
    cookie = log_in(served)
    index = ask(served, "/", cookie=cookie)
    assert index.status == 200 and TITLE in index.body.decode()
    status = ask(served, "/__status", cookie=cookie)
    assert status.status == 200 and json.loads(status.body)["preview"] == 1
    document = ask(served, "/__preview/text/specimen-alpha-analyst.xhtml", cookie=cookie)
    assert document.status == 200 and "Alpha Analyst" in document.body.decode()
    assert ask(served, "/preview/alpha-analyst", cookie=cookie).status == 200
    assert ask(served, "/__ui/live.js", cookie=cookie).status == 200
    output = ask(served, "/book.pdf", cookie=cookie)
    assert output.status == 200 and output.body.startswith(b"%PDF")
    assert ask(served, "/book.pdf", cookie=cookie, method="HEAD").status == 200
    # the event stream too (it never ends: read its first event and leave)
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=DEADLINE)
    connection.request("GET", "/__events", headers={"Host": served.host, "Cookie": f"other=1; {cookie}"})
    events = connection.getresponse()
    assert events.status == 200 and events.readline().startswith(b"id: ")
    connection.close()
    # another port's preview does not take this one's cookie
    assert ask(start_server(load=False), "/", cookie=cookie).status == 403


def test_a_browser_opening_the_printed_url_lands_on_the_index_and_stays_in(start_server):
    from bestiary.serve.http import preview_url

    served = start_server()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with browser.open(preview_url(served.port, TOKEN), timeout=DEADLINE) as response:
        assert response.url == f"http://{served.host}/" and TITLE in response.read().decode()
    with browser.open(f"http://{served.host}/__status", timeout=DEADLINE) as response:
        assert json.loads(response.read())["preview"] == 1


def test_no_token_keeps_the_preview_open_as_before(start_server):
    served = start_server(token=None)
    for path in ("/", "/__status", "/__preview/text/specimen-alpha-analyst.xhtml", "/book.pdf", f"/?token={TOKEN}"):
        response = ask(served, path)
        assert response.status == 200 and response.getheader("Set-Cookie") is None, path
    assert ask(served, "/", host="evil.example").status == 403  # the Host check stays


# -- point 8: malformed requests and clients that leave


MALFORMED = [
    b"GET /%00 HTTP/1.1", b"HEAD /%00 HTTP/1.1", b"GET /book.pdf%00.txt HTTP/1.1", b"GET /__ui/%00 HTTP/1.1",
    b"GET /__preview/text/%00 HTTP/1.1", b"GET /preview/%00 HTTP/1.1", b"GET /\x00 HTTP/1.1",
    b"GET /%0d%0aSet-Cookie:%20x=1 HTTP/1.1", b"GET http://127.0.0.1/%00 HTTP/1.1", b"GET http://[::1/ HTTP/1.1",
    b"GET /%00?token=" + TOKEN.encode() + b" HTTP/1.1",
]
ODD = [  # not all malformed enough for a 400, but each reply has a status line (none in HTTP/0.9's manner)
    b"GET * HTTP/1.1", b"GET /%ff%fe HTTP/1.1", b"GET /\xff HTTP/1.1", b"GET /" + b"a" * 5000 + b" HTTP/1.1",
    b"GET /" + b"a/" * 3000 + b" HTTP/1.1", b"GARBAGE", b"GET / HTTP/9.9", b"BREW /pot HTTP/1.1", b"GET /",
]


def test_malformed_requests_get_a_status_and_print_nothing(start_server, capfd):
    served = start_server()
    headers = f"\r\nHost: {served.host}\r\nCookie: {log_in(served)}\r\n\r\n".encode()
    for request_line in MALFORMED:
        reply = exchange(served, request_line + headers)
        assert reply.startswith(b"HTTP/1.0 400 "), (request_line, reply[:80])
        assert b"Set-Cookie" not in reply
    for request_line in ODD:
        reply = exchange(served, request_line + headers)
        assert re.match(rb"HTTP/1\.0 \d{3} ", reply), (request_line, reply[:80])
    wait_until_answered()
    assert capfd.readouterr().err == "" and served.log == []


@pytest.mark.parametrize("path", ["/book.pdf", "/__events"])
@pytest.mark.parametrize("leaving", ["closes", "resets"])
def test_a_client_that_leaves_before_reading_the_reply_is_no_news(start_server, capfd, path: str, leaving: str):
    served = start_server()
    cookie = log_in(served)
    with socket.create_connection(("127.0.0.1", served.port), timeout=DEADLINE) as client:
        client.sendall(f"GET {path} HTTP/1.1\r\nHost: {served.host}\r\nCookie: {cookie}\r\n\r\n".encode())
        if leaving == "resets":
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    wait_until_answered(poke=served.preview.saw_change)  # a new status makes the event stream write, and fail
    assert capfd.readouterr().err == "" and served.log == []
    assert ask(served, "/__status", cookie=cookie).status == 200  # still serving


def test_a_bug_while_answering_is_a_500_and_one_line_in_the_log(start_server, capfd, monkeypatch):
    from bestiary.serve.state import Preview

    def broken(self):
        raise RuntimeError("status lost\nin two lines")

    monkeypatch.setattr(Preview, "status", broken)
    quiet, verbose = start_server(load=False), start_server(load=False, verbose=True)
    for served in (quiet, verbose):
        response = ask(served, "/__status?token=not-the-token", cookie=log_in(served))
        assert response.status == 500 and b"status lost" not in response.body
    wait_until_answered()
    line = ("error: unexpected RuntimeError while answering 'GET /__status': status lost in two lines "
            "(a bug in bestiary;")
    assert quiet.log == [f"{line} run again with --verbose for the traceback)"]
    assert "not-the-token" not in "".join(quiet.log + verbose.log)  # the URL's query is not logged
    assert len(verbose.log) == 1 and verbose.log[0].startswith("Traceback (most recent call last):")
    assert verbose.log[0].endswith(f"{line} the traceback is above)")
    assert capfd.readouterr().err == ""


# -- the command: the token it prints, --no-token, nothing but its own lines


@pytest.fixture
def held_output_folder(tmp_path: Path) -> Iterator[Path]:
    """An output folder whose build lock is taken: the server's build waits, so no test here waits for one."""
    out = tmp_path / "dist"
    out.mkdir()
    descriptor = os.open(out, os.O_RDONLY)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    yield out
    os.close(descriptor)


def run_serve(book: Path, out: Path, *options: str) -> tuple[subprocess.Popen, list[str], str]:
    """`bestiary serve --port 0 OPTIONS` in a child: the process, its stderr lines as they come, the URL printed."""
    process = subprocess.Popen([sys.executable, "-m", "bestiary", "serve", "--book", str(book), "--out", str(out),
                                "--port", "0", "--no-web", *options], stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(process.stderr), daemon=True).start()
    deadline = time.monotonic() + DEADLINE
    while not (url := next((m.group(1) for line in list(lines) if (m := re.match(r"serving (\S+) ", line))), None)):
        assert process.poll() is None and time.monotonic() < deadline, "".join(lines)
        time.sleep(0.05)
    return process, lines, url


def stop(process: subprocess.Popen, lines: list[str]) -> str:
    process.terminate()
    process.wait(timeout=DEADLINE)
    time.sleep(0.2)  # the reader thread takes the last lines
    return "".join(lines)


def test_serve_prints_a_url_with_its_token_and_answers_nothing_without_it(tmp_path: Path, held_output_folder: Path):
    process, lines, url = run_serve(write_book(tmp_path), held_output_folder)
    try:
        match = re.fullmatch(r"(http://127\.0\.0\.1:(\d+)/)\?token=([A-Za-z0-9_-]{43})", url)
        assert match, url
        base, port = match.group(1), int(match.group(2))
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(base + "__status", timeout=DEADLINE)
        assert refused.value.code == 403
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        with browser.open(url, timeout=DEADLINE) as response:
            assert response.url == base and response.status == 200
        with browser.open(base + "__status", timeout=DEADLINE) as response:
            assert json.loads(response.read())["state"] == "building"
        served = Served(port, None)
        assert exchange(served, f"GET /%00 HTTP/1.1\r\nHost: {served.host}\r\n\r\n".encode()).startswith(
            b"HTTP/1.0 400 ")
    finally:
        printed = stop(process, lines)
    assert "Traceback" not in printed and match.group(3) not in printed.replace(url, ""), printed
    assert all(line.startswith(("serving ", "another bestiary build is writing", "stopped."))
               for line in printed.splitlines()), printed


def test_serve_no_token_prints_a_plain_url_and_answers_everyone(tmp_path: Path, held_output_folder: Path):
    process, lines, url = run_serve(write_book(tmp_path), held_output_folder, "--no-token")
    try:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", url), url
        with urllib.request.urlopen(url + "__status", timeout=DEADLINE) as response:
            assert json.loads(response.read())["state"] == "building"
    finally:
        printed = stop(process, lines)
    assert "Traceback" not in printed, printed


# -- exit status 3 for a bug


BUG_LINE = "error: unexpected ZeroDivisionError: no records in two lines (a bug in bestiary; {hint})"


def a_bug(*args, **kwargs):
    raise ZeroDivisionError("no records\nin two lines")


def test_a_bug_is_one_line_and_exit_status_3(tmp_path: Path, monkeypatch):
    monkeypatch.setattr("bestiary.check.check_book", a_bug)
    result = cli("check", "--book", str(write_book(tmp_path)))
    assert result.returncode == 3
    assert result.stderr.splitlines() == [BUG_LINE.format(hint="run again with --verbose for the traceback")]


@pytest.mark.parametrize("arguments", [["-v", "check"], ["--verbose", "check"], ["check", "-v"],
                                       ["check", "--verbose"], ["build", "-v"], ["-v", "dossier", "alpha-analyst"],
                                       ["-v", "build", "epub"]])
def test_verbose_before_or_after_the_command_shows_the_traceback_above_the_line(tmp_path: Path, monkeypatch,
                                                                                arguments: list[str]):
    monkeypatch.setattr("bestiary.check.check_book", a_bug)
    monkeypatch.setattr("bestiary.build.build", a_bug)
    result = cli(*arguments, "--book", str(write_book(tmp_path)), *(["--out", str(tmp_path / "dist")]
                                                                    if "check" not in arguments else []))
    assert result.returncode == 3, result.stderr
    assert result.stderr.startswith("Traceback (most recent call last):") and "in a_bug" in result.stderr
    assert result.stderr.splitlines()[-1] == BUG_LINE.format(hint="the traceback is above")


@pytest.mark.parametrize(("error", "status"), [(RenderError, 1), (RequestError, 2), (KeyboardInterrupt, 130)])
def test_our_errors_and_ctrl_c_keep_their_status_in_a_command_that_does_not_catch_them(monkeypatch, error: type,
                                                                                        status: int):
    def fails(*args):
        raise error("the cache folder is a file")

    monkeypatch.setattr("bestiary.store.cache.Cache.default", fails)
    result = cli("clean")
    assert result.returncode == status and "unexpected" not in result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
