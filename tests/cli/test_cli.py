"""`check` and `new` as a user meets them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import FIXTURE_BOOK, ROOT, assert_input_error, cli, run_cli


def test_python_m_bestiary_checks_a_book():
    result = run_cli("check", "--strict", "--book", str(FIXTURE_BOOK))  # once as a user runs it: python -m bestiary
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: ")


def test_new_writes_a_skeleton_that_check_rejects_until_filled_in(small_book: Path):
    result = cli("new", "Chief Vibes Officer", "--chapter", "01-first", "--book", str(small_book))
    assert result.returncode == 0, result.stderr
    path = small_book / "chapters" / "01-first" / "chief-vibes-officer.yaml"
    assert path.is_file()

    unfinished = cli("check", "--book", str(small_book))
    assert_input_error(unfinished, "chief-vibes-officer.yaml", "E205 summary:", "placeholder")
    assert_input_error(unfinished, "chief-vibes-officer.yaml", "E204 salary.market_average:")

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert list(data)[:4] == ["title", "file_number", "summary", "question"]
    assert data["file_number"] == 3  # after the small book's two records

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
    finished = cli("check", "--book", str(small_book))
    assert finished.returncode == 0, finished.stderr


def test_new_refuses_to_overwrite_and_names_the_families(small_book: Path):
    first = cli("new", "Alpha Analyst", "--chapter", "01-first", "--book", str(small_book))
    assert first.returncode == 2 and "already exists" in first.stderr
    missing = cli("new", "Someone", "--chapter", "09-nowhere", "--book", str(small_book))
    assert missing.returncode == 2 and "01-first" in missing.stderr
    assert "Traceback" not in first.stderr + missing.stderr


def test_strict_turns_input_warnings_into_errors(small_book: Path):
    path = small_book / "chapters" / "01-first" / "alpha-analyst.yaml"
    path.write_text(path.read_text().replace("- Open-plan Offices", "- Open-plan #Offices"), encoding="utf-8")
    relaxed = cli("check", "--book", str(small_book))
    assert relaxed.returncode == 0 and "W502" in relaxed.stderr
    strict = cli("check", "--strict", "--book", str(small_book))
    assert strict.returncode == 2 and "W502" in strict.stderr and "1 warning in strict mode" in strict.stderr
    build = cli("build", "pdf", "--strict", "--book", str(small_book), "--out", str(small_book.parent / "dist"))
    assert build.returncode == 2 and "W502" in build.stderr
    assert not (small_book.parent / "dist").exists()


@pytest.mark.slow
def test_strict_fails_a_build_that_warned_while_rendering_and_writes_nothing(small_book: Path):
    (small_book / "layouts" / "print").mkdir(parents=True)
    fonts = (ROOT / "layouts" / "print" / "fonts.css").read_text(encoding="utf-8")
    (small_book / "layouts" / "print" / "fonts.css").write_text(fonts + 'html { background: url("../../x.png"); }\n')
    out = small_book.parent / "dist"
    relaxed = cli("build", "pdf", "--book", str(small_book), "--out", str(out))
    assert relaxed.returncode == 0 and "print/field-guide.html.j2: W602" in relaxed.stderr
    (out / "a-small-bestiary.pdf").write_bytes(b"earlier")
    strict = cli("build", "pdf", "--strict", "--book", str(small_book), "--out", str(out))
    assert strict.returncode == 1 and "W602" in strict.stderr and "in strict mode; nothing was written" in strict.stderr
    assert (out / "a-small-bestiary.pdf").read_bytes() == b"earlier"


def test_build_takes_several_targets_and_makes_only_those(small_book: Path, tmp_path: Path):
    out = tmp_path / "dist"
    result = cli("build", "epub", "pdf", "--book", str(small_book), "--out", str(out), "--quiet")
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in out.iterdir()) == ["a-small-bestiary.epub", "a-small-bestiary.pdf"]
    wrong = cli("build", "epub", "nonsense", "--book", str(small_book), "--out", str(out))
    assert wrong.returncode == 2 and "'nonsense' is not one of" in wrong.stderr
