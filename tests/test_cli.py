"""`check` and `new` as a user meets them."""

from __future__ import annotations

from pathlib import Path

import yaml

from conftest import BUNDLED_BOOK, assert_input_error, run_cli


def test_check_accepts_the_bundled_book():
    result = run_cli("check", "--book", str(BUNDLED_BOOK))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: ")


def test_new_writes_a_skeleton_that_check_rejects_until_filled_in(small_book: Path):
    result = run_cli("new", "Chief Vibes Officer", "--chapter", "01-first", "--book", str(small_book))
    assert result.returncode == 0, result.stderr
    path = small_book / "chapters" / "01-first" / "chief-vibes-officer.yaml"
    assert path.is_file()

    unfinished = run_cli("check", "--book", str(small_book))
    assert_input_error(unfinished, "chief-vibes-officer.yaml", "E205 summary:", "placeholder")
    assert_input_error(unfinished, "chief-vibes-officer.yaml", "E204 salary.market_average:")

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert list(data)[:3] == ["title", "summary", "question"]

    def fill(value):
        if isinstance(value, str) and value.startswith("TODO"):
            return "Filled in by the test."
        if isinstance(value, dict):
            return {key: fill(item) for key, item in value.items()}
        if isinstance(value, list):
            return [fill(item) for item in value]
        return value

    data = fill(data)
    data["org_chart"] = ["Board", "Chief Vibes Officer", "Vibe Interns"]
    data["salary"]["market_average"] = 150000
    data["flight_risk"]["percent"] = 40
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    finished = run_cli("check", "--book", str(small_book))
    assert finished.returncode == 0, finished.stderr


def test_new_refuses_to_overwrite_and_names_the_families(small_book: Path):
    first = run_cli("new", "Alpha Analyst", "--chapter", "01-first", "--book", str(small_book))
    assert first.returncode == 2 and "already exists" in first.stderr
    missing = run_cli("new", "Someone", "--chapter", "09-nowhere", "--book", str(small_book))
    assert missing.returncode == 2 and "01-first" in missing.stderr
    assert "Traceback" not in first.stderr + missing.stderr
