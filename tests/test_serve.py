"""`bestiary serve`: serves the preview on 127.0.0.1 and rebuilds when a record changes."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import write_book

pytestmark = pytest.mark.slow


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:  # 127.0.0.1 only
        return response.read().decode("utf-8", "replace")


def test_serve_rebuilds_on_save_and_shows_errors(tmp_path: Path):
    book = write_book(tmp_path)
    process = subprocess.Popen([sys.executable, "-m", "bestiary", "serve", "--book", str(book), "--out",
                                str(tmp_path / "dist"), "--port", "0"], stderr=subprocess.PIPE, text=True)
    try:
        url = None
        deadline = time.monotonic() + 120
        while url is None and time.monotonic() < deadline:
            match = re.search(r"serving (http://127\.0\.0\.1:\d+/)", process.stderr.readline())
            url = match.group(1) if match else None
        assert url, "the server did not start"
        page = ""
        while time.monotonic() < deadline and "Build 1" not in page:  # it listens first, then builds
            time.sleep(0.5)
            page = fetch(url)
        assert "Build 1: ok" in page
        assert fetch(url + "a-small-bestiary.pdf").startswith("%PDF")

        record = book / "chapters" / "01-first" / "alpha-analyst.yaml"
        record.write_text(record.read_text().replace("percent: 50", "percent: 500"), encoding="utf-8")
        page = ""
        while time.monotonic() < deadline and "Build 2" not in page:
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

    from bestiary.serve import Preview, preview_server

    out = tmp_path / "dist"
    (out / "dossiers").mkdir(parents=True)
    (out / "book.pdf").write_bytes(b"%PDF-1.7 preview")
    (tmp_path / "secret.txt").write_text("TOP-SECRET")
    (out / "leak.txt").symlink_to(tmp_path / "secret.txt")
    server = preview_server(Preview(tmp_path / "book", out, log=lambda message: None), 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def request(port: int, path: str, host: str) -> tuple[int, bytes]:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Host": host})
    response = connection.getresponse()
    return response.status, response.read()


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1.nip.io:{port}", "localhost:1",
                                  ""])
def test_serve_refuses_other_host_names(preview_url: int, host: str):
    status, body = request(preview_url, "/book.pdf", host.format(port=preview_url))
    assert status == 403 and b"PDF" not in body
    assert request(preview_url, "/", host.format(port=preview_url))[0] == 403


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "[::1]:{port}", "LOCALHOST:{port}"])
def test_serve_answers_its_own_names(preview_url: int, host: str):
    status, body = request(preview_url, "/book.pdf", host.format(port=preview_url))
    assert status == 200 and body.startswith(b"%PDF")


def test_serve_lists_no_folder_and_follows_no_link_out(preview_url: int):
    host = f"127.0.0.1:{preview_url}"
    for path in ("/dossiers/", "/dossiers", "/leak.txt", "/../secret.txt", "/%2e%2e/secret.txt"):
        status, body = request(preview_url, path, host)
        assert status in (301, 404) and b"TOP-SECRET" not in body and b"Directory listing" not in body, path
