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
        assert "Build 1: ok" in fetch(url)
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
