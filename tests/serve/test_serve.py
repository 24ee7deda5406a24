"""`bestiary serve`: listens at once, follows saves with a preview per specimen, serves only 127.0.0.1.

The end-to-end tests start the server as a user does (a child process on `--port 0`), open the
URL it prints as a browser does (its token becomes a cookie), and wait with generous deadlines,
never asserting how long anything took: the machines are shared. The token itself, malformed
requests and exit statuses are tested in test_hardening_serve.py.
"""

from __future__ import annotations

import contextlib
import fcntl
import http.client
import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conftest import cli, write_book

DEADLINE = 180  # seconds: a generous bound for a build on a busy machine, not a timing assertion
SERVING = re.compile(r"serving ((http://127\.0\.0\.1:\d+/)\S*)")  # the URL printed, with its token; the base
BROWSER = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))  # keeps cookies
TOKEN = "test-token"


def fetch(url: str) -> str:
    with BROWSER.open(url, timeout=60) as response:  # 127.0.0.1 only; generous for a loaded machine
        return response.read().decode("utf-8", "replace")


def open_printed_url(url: str) -> str:
    """Open the URL `serve` printed, as a browser does (its token becomes a cookie); the preview's base URL."""
    with BROWSER.open(url, timeout=60) as response:
        assert response.status == 200 and "?" not in response.url, response.url
        return response.url


@pytest.mark.slow
def test_serve_rebuilds_on_save_and_shows_errors(tmp_path: Path):
    book = write_book(tmp_path)
    process = subprocess.Popen([sys.executable, "-m", "bestiary", "serve", "--book", str(book), "--out",
                                str(tmp_path / "dist"), "--port", "0"], stderr=subprocess.PIPE, text=True)
    try:
        url = None
        deadline = time.monotonic() + DEADLINE
        while url is None and time.monotonic() < deadline:
            match = SERVING.search(process.stderr.readline())
            url = open_printed_url(match.group(1)) if match else None
        assert url, "the server did not start"
        page = ""
        while time.monotonic() < deadline and "Build 1" not in page:  # it listens first, then builds
            time.sleep(0.5)
            page = fetch(url)
        assert "Build 1: ok" in page
        assert fetch(url + "a-small-bestiary.pdf").startswith("%PDF")
        # then, the book quiet, the web edition, served from the output folder with the rest
        while time.monotonic() < deadline and not json.loads(fetch(url + "__status"))["web"]:
            time.sleep(0.5)
        assert json.loads(fetch(url + "__status"))["web"] == "/web/"
        assert "<title>A Small Bestiary: For tests</title>" in fetch(url + "web/")
        assert "Alpha Analyst" in fetch(url + "web/specimen-alpha-analyst.html")
        assert 'id="web-link" href="/web/specimen-alpha-analyst.html"' in fetch(url + "preview/alpha-analyst")

        record = book / "chapters" / "01-first" / "alpha-analyst.yaml"
        record.write_text(record.read_text().replace("percent: 50", "percent: 500"), encoding="utf-8")
        page = ""
        while time.monotonic() < deadline and ("Build 2" not in page or "Build 2: rebuilding" in page):
            time.sleep(0.5)
            page = fetch(url)
        assert "Build 2: problems below" in page and "E204 flight_risk.percent" in page
        assert fetch(url + "a-small-bestiary.pdf").startswith("%PDF")  # the previous output stays
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def preview_url(tmp_path: Path):
    """The preview's server alone (no build), serving an output folder with a file, a folder and a link out."""
    import http.client  # noqa: F401  (used by the tests through `request`)
    import threading

    from bestiary.serve.http import preview_server
    from bestiary.serve.state import Preview

    out = tmp_path / "dist"
    (out / "dossiers").mkdir(parents=True)
    (out / "book.pdf").write_bytes(b"%PDF-1.7 preview")
    (tmp_path / "secret.txt").write_text("TOP-SECRET")
    (out / "leak.txt").symlink_to(tmp_path / "secret.txt")
    server = preview_server(Preview(tmp_path / "book", out, log=lambda message: None), 0, token=TOKEN)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def request(port: int, path: str, host: str) -> tuple[int, bytes]:
    """GET `path` with this Host header, and the token's cookie as a browser that opened the preview has it."""
    from bestiary.serve.http import token_cookie_name

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path, headers={"Host": host, "Cookie": f"{token_cookie_name(port)}={TOKEN}"})
    response = connection.getresponse()
    return response.status, response.read()


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1.nip.io:{port}", "localhost:1",
                                  ""])
def test_serve_refuses_other_host_names(preview_url: int, host: str):
    status, body = request(preview_url, "/book.pdf", host.format(port=preview_url))
    assert status == 403 and b"PDF" not in body
    for path in ("/", "/__status", "/__events", "/preview/alpha-analyst", "/__preview/styles/epub.css",
                 "/__preview/text/specimen-alpha-analyst.xhtml", "/__preview/fonts/Inter-Regular.otf", "/__ui/live.js"):
        assert request(preview_url, path, host.format(port=preview_url))[0] == 403, path


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "[::1]:{port}", "LOCALHOST:{port}"])
def test_serve_answers_its_own_names(preview_url: int, host: str):
    status, body = request(preview_url, "/book.pdf", host.format(port=preview_url))
    assert status == 200 and body.startswith(b"%PDF")


def test_serve_lists_no_folder_and_follows_no_link_out(preview_url: int):
    host = f"127.0.0.1:{preview_url}"
    for path in ("/dossiers/", "/dossiers", "/leak.txt", "/../secret.txt", "/%2e%2e/secret.txt"):
        status, body = request(preview_url, path, host)
        assert status in (301, 404) and b"TOP-SECRET" not in body and b"Directory listing" not in body, path


def test_serve_serves_its_pages_and_nothing_else_by_name(preview_url: int):
    host = f"127.0.0.1:{preview_url}"
    status, body = request(preview_url, "/__status", host)
    assert status == 200 and json.loads(body)["state"] == "building"  # nothing built yet
    assert request(preview_url, "/__ui/live.js", host)[0] == 200
    assert request(preview_url, "/__preview/fonts/Inter-Regular.otf", host)[0] == 200
    for path in ("/__ui/../secret.txt", "/__ui/index.html.j2", "/__preview/fonts/OFL.txt",
                 "/__preview/fonts/..%2f..%2fsecret.txt", "/__preview/text/../../secret.txt", "/preview/../secret.txt",
                 "/preview/Not%20A%20Slug"):
        status, body = request(preview_url, path, host)
        assert status in (404, 503) and b"TOP-SECRET" not in body, path


# -- the preview's state, in this process (no server, no build)


def test_preview_loads_the_book_and_names_the_specimen_that_changed(tmp_path: Path):
    from bestiary.serve.state import Preview

    book = write_book(tmp_path)
    preview = Preview(book, tmp_path / "dist", log=lambda message: None)
    preview.refresh(then_build=False)
    assert preview.status()["preview"] == 1 and not preview.build_wanted.is_set()
    assert "Alpha Analyst" in preview.book.document("specimen-alpha-analyst.xhtml")
    assert "@font-face" in preview.book.stylesheet()
    for document in preview.book.view.documents:  # every EPUB document but the cover, with its links to the others
        assert (preview.book.document(document.file_name) is None) == (document.kind == "cover"), document.kind

    record = book / "chapters" / "02-second" / "beta-boss.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("slowly", "briskly"), encoding="utf-8")
    preview.refresh([record])
    status = preview.status()
    assert status["preview"] == 2 and status["changed"] == "beta-boss" and status["problems"] == []
    assert status["changed_href"] == "/__preview/text/specimen-beta-boss.xhtml"
    assert "briskly" in preview.book.document("specimen-beta-boss.xhtml")
    assert preview.build_wanted.is_set()  # the PDF and the EPUB follow


def test_preview_shows_invalid_yaml_and_keeps_the_last_good_book(tmp_path: Path):
    from bestiary.serve.state import Preview

    book = write_book(tmp_path)
    preview = Preview(book, tmp_path / "dist", log=lambda message: None)
    preview.refresh(then_build=False)
    record = book / "chapters" / "01-first" / "alpha-analyst.yaml"
    good = record.read_text(encoding="utf-8")
    record.write_text(good.replace("title: Alpha Analyst", "title: [Alpha Analyst"), encoding="utf-8")  # mid-typing
    preview.refresh([record])
    status = preview.status()
    assert status["preview"] == 1 and any("alpha-analyst.yaml" in line and "E103" in line
                                          for line in status["problems"]), status["problems"]
    assert "Alpha Analyst" in preview.book.document("specimen-alpha-analyst.xhtml")  # the last good one

    record.write_text(good, encoding="utf-8")
    preview.refresh([record])
    assert preview.status()["problems"] == [] and preview.status()["preview"] == 2


def test_the_terminal_hears_the_located_lines_and_a_fixed_book_reads_rebuilding_not_failed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from bestiary.serve import state
    from bestiary.serve.child_build import BuildOutcome

    book = write_book(tmp_path)
    heard: list[str] = []
    preview = state.Preview(book, tmp_path / "dist", log=heard.append, web=False)
    record = book / "chapters" / "01-first" / "alpha-analyst.yaml"
    good = record.read_text(encoding="utf-8")
    record.write_text(good.replace("percent: 50", "percent:\t50"), encoding="utf-8")
    preview.refresh([record])
    assert heard[0].startswith("preview: 1 problem(s)")
    assert any("alpha-analyst.yaml:" in line and "E103" in line for line in heard[1:]), heard

    located = "book/chapters/01-first/beta-boss.yaml:3:1: E204 flight_risk.percent: expected …"
    monkeypatch.setattr(state, "build_in_child", lambda *args: BuildOutcome(False, (located,), summary="failed"))
    preview.run_build()
    assert located in heard and preview.status()["label"] == "Build 1: problems below"

    record.write_text(good, encoding="utf-8")  # the fix: the next build has not ended yet
    preview.refresh([record])
    status = preview.status()
    assert status["state"] == "rebuilding" and status["label"] == "Build 2: rebuilding…", status
    assert "failed" not in status["label"]


def test_preview_status_history_reaches_a_client_that_fell_behind(tmp_path: Path):
    from bestiary.serve.state import Preview

    preview = Preview(tmp_path / "book", tmp_path / "dist", log=lambda message: None)
    first = preview.changes_after(None, timeout=0)
    assert [snapshot["seq"] for snapshot in first] == [preview.seq]
    preview.saw_change()
    preview.saw_change()
    assert [snapshot["seq"] for snapshot in preview.changes_after(first[0]["seq"], timeout=0)] == [
        first[0]["seq"] + 1, first[0]["seq"] + 2]
    assert preview.changes_after(preview.seq, timeout=0.01) == []  # nothing new: a keep-alive
    preview.close()


# -- the server as a user starts it


@contextlib.contextmanager
def serving(book: Path, out: Path) -> Iterator[str]:
    """`bestiary serve --port 0` in a child process: its URL once it listens, opened (`fetch` has the cookie);
    stopped at the end."""
    process = subprocess.Popen([sys.executable, "-m", "bestiary", "serve", "--book", str(book), "--out", str(out),
                                "--port", "0", "--no-web"], stderr=subprocess.PIPE, text=True)  # web: one test
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stderr), daemon=True)  # never let the pipe fill
    reader.start()
    try:
        printed = wait_for(lambda: next((match.group(1) for line in list(lines) if (match := SERVING.search(line))),
                                        None), "the server to listen", still=process.poll)
        yield open_printed_url(printed)
    finally:
        process.terminate()
        process.wait(timeout=60)
        reader.join(timeout=10)
    assert "Traceback" not in "".join(lines), "".join(lines)


def wait_for(check: Callable[[], object], what: str, still: Callable[[], object] = lambda: None,
             url: str | None = None) -> object:
    """Poll `check` until it gives something true; fail after DEADLINE seconds (a hang, not a slow machine)."""
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        assert still() is None, f"the server stopped while waiting for {what}"
        time.sleep(0.1)
    pytest.fail(f"gave up waiting for {what}" + (f"; the server's status: {status_of(url)}" if url else ""))


def status_of(url: str) -> dict:
    return json.loads(fetch(url + "__status"))


def hold_output_folder(out: Path) -> int:
    """Take the output folder's build lock, as another build would: the server's build waits until it is closed."""
    out.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(out, os.O_RDONLY)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    return descriptor


@pytest.mark.slow
def test_serve_answers_at_once_with_the_building_page(tmp_path: Path):
    book, out = write_book(tmp_path), tmp_path / "dist"
    lock = hold_output_folder(out)  # the first build cannot finish before we have looked
    try:
        with serving(book, out) as url:
            page = fetch(url)
            assert "building…" in page and 'data-state="building"' in page and "Build 1" not in page
            assert status_of(url)["state"] == "building"
            wait_for(lambda: status_of(url)["preview"] >= 1, "the preview to load")  # previews work before any build
            assert "Alpha Analyst" in fetch(url + "__preview/text/specimen-alpha-analyst.xhtml")
            assert "/preview/alpha-analyst" in fetch(url)

            os.close(lock)
            lock = None
            wait_for(lambda: status_of(url)["state"] == "ready", "the first build", url=url)
            page = fetch(url)
            assert "Build 1: ok" in page and 'id="pdf-frame"' in page
            assert fetch(url + status_of(url)["pdf"].lstrip("/")).startswith("%PDF")
    finally:
        if lock is not None:
            os.close(lock)


@pytest.mark.slow
def test_serve_status_moves_to_rebuilding_then_ready_after_a_save(tmp_path: Path):
    book, out = write_book(tmp_path), tmp_path / "dist"
    with serving(book, out) as url:
        wait_for(lambda: status_of(url)["state"] == "ready" and status_of(url)["watching"], "the first build",
                 url=url)
        events = BROWSER.open(url + "__events", timeout=DEADLINE)
        assert events.status == 200 and events.getheader("Content-Type") == "text/event-stream"

        def next_status() -> dict:
            while True:
                line = events.readline().decode()
                assert line, "the event stream ended"
                if line.startswith("data: "):
                    return json.loads(line.removeprefix("data: "))

        before = next_status()
        assert before["state"] == "ready"
        record = book / "chapters" / "01-first" / "alpha-analyst.yaml"
        record.write_text(record.read_text(encoding="utf-8").replace("slowly", "briskly"), encoding="utf-8")
        seen = []
        while not seen or seen[-1]["state"] != "ready":
            seen.append(next_status())
        states = [status["state"] for status in seen]
        assert "rebuilding" in states and states.index("rebuilding") < len(states) - 1, states
        assert "rebuilding…" in next(status["label"] for status in seen if status["state"] == "rebuilding")
        assert seen[-1]["build"] == before["build"] + 1 and seen[-1]["changed"] == "alpha-analyst"
        events.close()


def text_of(page: str) -> str:
    """A page's text, tags out and spaces single (a paragraph's last words are tied by a no-break space)."""
    return " ".join(re.sub(r"<[^>]+>", "", page).split())


@pytest.mark.slow
def test_serve_preview_follows_the_edited_record_and_shows_invalid_yaml(tmp_path: Path):
    book, out = write_book(tmp_path), tmp_path / "dist"
    document = "__preview/text/specimen-beta-boss.xhtml"
    with serving(book, out) as url:
        wait_for(lambda: status_of(url)["watching"], "the preview to load")
        page = fetch(url + "preview/beta-boss")
        assert f'src="/{document}"' in page
        assert "Does what a Beta Boss does, slowly." in text_of(fetch(url + document))

        record = book / "chapters" / "02-second" / "beta-boss.yaml"
        good = record.read_text(encoding="utf-8")
        record.write_text(good.replace("slowly", "briskly"), encoding="utf-8")
        wait_for(lambda: "Beta Boss does, briskly." in text_of(fetch(url + document)),
                 "the preview to follow the save")
        status = status_of(url)
        assert status["changed"] == "beta-boss" and status["changed_href"] == "/" + document

        record.write_text(good.replace("title: Beta Boss", "title: 'Beta Boss"), encoding="utf-8")  # mid-typing
        wait_for(lambda: any("E103" in line for line in status_of(url)["problems"]), "the error on the page")
        assert "beta-boss.yaml" in fetch(url + "preview/beta-boss")  # shown on the preview page
        assert "briskly" in fetch(url + document)  # the last good preview stays

        record.write_text(good.replace("slowly", "at last"), encoding="utf-8")
        wait_for(lambda: "at last" in text_of(fetch(url + document)), "the preview once the record is valid again")
        assert status_of(url)["problems"] == []


@pytest.mark.slow
def test_serve_refuses_a_taken_port_before_building(tmp_path: Path):
    book, out = write_book(tmp_path), tmp_path / "dist"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli("serve", "--book", str(book), "--out", str(out), "--port", str(port))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and f"port {port}" in errors[0] and "--port 0" in errors[0], result.stderr
    assert not out.exists()  # nothing was built, not even the output folder made
