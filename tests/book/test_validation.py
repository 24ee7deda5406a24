"""Every kind of bad input gets a located, one-line error, exit status 2, and no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import assert_input_error, cli, record, write_book


def record_text(title: str = "Alpha Analyst", **changes) -> str:
    data = record(title, [{"role": "beta-boss", "match": 90}])
    data.update(changes)
    return yaml.safe_dump(data, sort_keys=False)


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def book_with(tmp_path: Path, alpha: str | bytes, extra: dict | None = None) -> Path:
    """A two-family book whose record alpha-analyst.yaml holds `alpha` verbatim."""
    families = {
        "01-first": {"alpha-analyst": "placeholder", **(extra or {})},
        "02-second": {"beta-boss": record("Beta Boss", [{"role": "alpha-analyst", "match": 80}])},
    }
    book = write_book(tmp_path, families)
    path = book / "chapters" / "01-first" / "alpha-analyst.yaml"
    if isinstance(alpha, bytes):
        path.write_bytes(alpha)
    else:
        path.write_text(alpha, encoding="utf-8")
    return book


ALPHA = "book/chapters/01-first/alpha-analyst.yaml"


def check(tmp_path: Path):
    return cli("check", "--book", "book", cwd=tmp_path)


def check_edited(tmp_path: Path, old: str, new: str):
    """Check a book whose alpha record has `old` replaced by `new`; return the result and the edited line."""
    text = record_text().replace(old, new)
    assert new in text
    book_with(tmp_path, text)
    return check(tmp_path), line_of(text, new)


def test_valid_book_passes(small_book: Path):
    result = cli("check", "--book", str(small_book))
    assert result.returncode == 0, result.stderr
    assert "2 records in 2 families" in result.stdout


def test_wrong_type(tmp_path: Path):
    result, line = check_edited(tmp_path, "percent: 50", "percent: fifty")
    assert_input_error(result, f"{ALPHA}:{line}:12: E203 flight_risk.percent:",
                       "expected a whole number, found text 'fifty'")


def test_out_of_range(tmp_path: Path):
    result, line = check_edited(tmp_path, "percent: 50", "percent: 140")
    assert_input_error(result, f"{ALPHA}:{line}:12: E204 flight_risk.percent:",
                       "expected a whole number from 0 to 100, found 140")


def test_negative_salary_out_of_range(tmp_path: Path):
    text = record_text().replace("market_average: 100000", "market_average: -5")
    book_with(tmp_path, text)
    assert_input_error(check(tmp_path), "E204 salary.market_average:", "found -5")


def test_missing_required_key(tmp_path: Path):
    data = record("Alpha Analyst")
    del data["encounter"]
    book_with(tmp_path, yaml.safe_dump(data, sort_keys=False))
    assert_input_error(check(tmp_path), f"{ALPHA}:1:1: E202 encounter:",
                       "expected the required key 'encounter', found it missing")


def test_unknown_key_suggests_the_closest(tmp_path: Path):
    text = record_text().replace("habitat:", "habitta:")
    book_with(tmp_path, text)
    line = line_of(text, "habitta:")
    result = check(tmp_path)
    assert_input_error(result, f"{ALPHA}:{line}:1: E201 habitta:", "did you mean 'habitat'?")
    # the renamed key also leaves the real one missing: both are reported in the same run
    assert_input_error(result, "E202 habitat:")


def test_duplicate_key_in_one_mapping(tmp_path: Path):
    text = record_text() + "encounter: Run.\n"
    book_with(tmp_path, text)
    first = line_of(text, "encounter:")
    last = len(text.splitlines())
    assert_input_error(check(tmp_path), f"{ALPHA}:{last}:1: E106 encounter:",
                       f"found 'encounter' again (first on line {first})")


def test_duplicate_title(tmp_path: Path):
    book_with(tmp_path, record_text(), extra={"alpha-twin": record("Alpha Analyst")})
    assert_input_error(check(tmp_path), "alpha-twin.yaml:1:8: E302 title:",
                       "expected a unique title, found 'Alpha Analyst' also in")


def test_duplicate_slug_across_families(tmp_path: Path):
    families = {
        "01-first": {"same-slug": record("First Title")},
        "02-second": {"same-slug": record("Second Title")},
    }
    write_book(tmp_path, families)
    assert_input_error(check(tmp_path), "02-second/same-slug.yaml:1:1: E301",
                       "expected a unique slug, found 'same-slug' also in")


def test_unresolved_related_suggests_closest_slug(tmp_path: Path):
    result, line = check_edited(tmp_path, "role: beta-boss", "role: beta-bos")
    assert_input_error(result, f"{ALPHA}:{line}:9: E303 related[0].role:",
                       "'beta-bos', which matches none (did you mean 'beta-boss'?)")


def test_related_by_exact_title_resolves(tmp_path: Path):
    book_with(tmp_path, record_text().replace("role: beta-boss", "role: Beta Boss"))
    assert check(tmp_path).returncode == 0


def test_self_related(tmp_path: Path):
    result, line = check_edited(tmp_path, "role: beta-boss", "role: alpha-analyst")
    assert_input_error(result, f"{ALPHA}:{line}:9: E304 related[0].role:",
                       "this record itself")


@pytest.mark.parametrize("bad_time, code, expected", [
    ("'9am - 10am'", "E205", 'expected a quoted time range such as "10:00 - 11:00"'),
    ("'25:00 - 26:00'", "E205", "found text '25:00 - 26:00'"),
    ("'11:00 - 10:00'", "E206", "expected the end after the start"),
    ("10:00", "E203", "found 10:00, which YAML reads as the base-60 (sexagesimal) number 600 (quote times"),
])
def test_malformed_day_in_the_life_time(tmp_path: Path, bad_time: str, code: str, expected: str):
    result, line = check_edited(tmp_path, "time: 09:00 - 10:00", f"time: {bad_time}")
    assert_input_error(result, f"{ALPHA}:{line}:9: {code} day_in_the_life[0].time:", expected)


def test_times_out_of_order(tmp_path: Path):
    log = [{"time": "14:00 - 15:00", "title": "Late", "description": "Later."},
           {"time": "09:00 - 10:00", "title": "Early", "description": "Earlier."}]
    text = record_text(day_in_the_life=log)
    book_with(tmp_path, text)
    assert_input_error(check(tmp_path), "E206 day_in_the_life[1].time:",
                       "expected times in ascending order, found '09:00 - 10:00' after '14:00 - 15:00'")


def test_yaml_syntax_error(tmp_path: Path):
    text = record_text().replace("encounter: Nod and leave.", "encounter: [Nod and leave.")
    book_with(tmp_path, text)
    line = line_of(text, "encounter: [")
    assert_input_error(check(tmp_path), f"{ALPHA}:{line}:12: E103", "expected ']' to close the list opened here")


def test_empty_file(tmp_path: Path):
    book_with(tmp_path, "  \n# only a comment\n")
    assert_input_error(check(tmp_path), f"{ALPHA}:1:1: E102", "found an empty file")


def test_file_that_is_not_a_mapping(tmp_path: Path):
    book_with(tmp_path, "- just\n- a list\n")
    assert_input_error(check(tmp_path), f"{ALPHA}:1:1: E107", "expected a mapping of keys, found a list of 2 items")


def test_file_that_is_not_utf8(tmp_path: Path):
    text = record_text().replace("Nod and leave.", "Nod and leave caf\u00e9.")
    book_with(tmp_path, text.encode("latin-1"))
    line = line_of(text, "caf\u00e9")
    assert_input_error(check(tmp_path), f"{ALPHA}:{line}:", "E101", "found byte 0xe9 that is not UTF-8")


def test_file_that_is_not_text(tmp_path: Path):
    book_with(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert_input_error(check(tmp_path), f"{ALPHA}:3:1: E101", "found binary data")


def test_alias_expansion_bomb_fails_fast(tmp_path: Path):
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    for name, previous in zip("bcdefghij", "abcdefghi", strict=True):
        bomb += f"{name}: &{name} [*{previous},*{previous},*{previous},*{previous},*{previous},*{previous}]\n"
    book_with(tmp_path, bomb)
    result = check(tmp_path)  # would expand to 9 * 6**8 values if aliases were followed
    assert_input_error(result, f"{ALPHA}:2:8: E104", "anchors and aliases are not allowed")


def test_every_error_of_every_file_in_one_run(tmp_path: Path):
    alpha = record_text().replace("percent: 50", "percent: 500").replace("habitat:", "habitats:")
    families = {
        "01-first": {"alpha-analyst": "placeholder", "gamma": "- not a mapping\n"},
        "02-second": {"beta-boss": record("Beta Boss", [{"role": "nobody", "match": 80}])},
    }
    book = write_book(tmp_path, families)
    (book / "chapters" / "01-first" / "alpha-analyst.yaml").write_text(alpha, encoding="utf-8")
    result = check(tmp_path)
    assert_input_error(result, "alpha-analyst.yaml", "E204 flight_risk.percent")
    assert_input_error(result, "alpha-analyst.yaml", "E201 habitats")
    assert_input_error(result, "gamma.yaml:1:1: E107")
    assert_input_error(result, "beta-boss.yaml", "E303 related[0].role")


def test_bad_book_yaml(tmp_path: Path, small_book: Path):
    path = small_book / "book.yaml"
    path.write_text(path.read_text().replace("currency: USD", "currency: USS"), encoding="utf-8")
    result = cli("check", "--book", str(small_book))
    assert_input_error(result, "book.yaml:", "E205 currency:", "expected an ISO 4217 currency code")


def test_bad_input_to_build_writes_nothing_and_keeps_earlier_outputs(tmp_path: Path):
    book_with(tmp_path, record_text().replace("percent: 50", "percent: -1"))
    previous = tmp_path / "dist" / "a-small-bestiary.pdf"
    previous.parent.mkdir()
    previous.write_bytes(b"earlier build")
    result = cli("build", "--book", "book", "--out", "dist", cwd=tmp_path)
    assert_input_error(result, "E204 flight_risk.percent")
    assert previous.read_bytes() == b"earlier build"
    assert sorted(p.name for p in (tmp_path / "dist").iterdir()) == ["a-small-bestiary.pdf"]


def test_usage_error_exits_2(small_book: Path):
    result = cli("build", "nonsense", "--book", str(small_book))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_duplicate_chapter_names(small_book: Path):
    (small_book / "chapters" / "03-first").mkdir()
    (small_book / "chapters" / "03-first" / "chapter.md").write_text("---\ntitle: Again\n---\nText.\n")
    result = cli("check", "--book", str(small_book))
    assert_input_error(result, "03-first:1:1: E301", "expected a unique chapter name, found 'first' also in")


@pytest.mark.parametrize("keep_foreword", [True, False])
def test_a_book_without_records(tmp_path: Path, keep_foreword: bool):
    book = write_book(tmp_path, {})
    if not keep_foreword:
        (book / "chapters" / "00-foreword.md").unlink()
    assert_input_error(cli("build", "--book", str(book), "--out", str(tmp_path / "dist")),
                       "chapters:1:1: E306", "expected at least one family folder with a role record, found none")
