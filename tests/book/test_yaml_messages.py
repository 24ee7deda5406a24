"""YAML as authors write it: every mistake is one located line that says what to do, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bestiary.book import parse
from bestiary.book.parse import load_yaml_text
from conftest import assert_input_error, cli, record, write_book


def problems(text: str) -> list[str]:
    """The diagnostics of one YAML text, as printed."""
    _, found = load_yaml_text(text, "x.yaml")
    return [str(problem) for problem in found]


def one_problem(text: str) -> str:
    found = problems(text)
    assert len(found) == 1, found
    assert "\n" not in found[0]
    return found[0]


@pytest.mark.parametrize("text, located, says", [
    # a tab: PyYAML says "found character '\t' that cannot start any token"
    ("title: x\nsalary:\n\tnote: y\n", "x.yaml:3:1: E103", "YAML indents with spaces, never tabs"),
    # a key less indented than its siblings
    ("flight_risk:\n  percent: 85\n diagnosis: x\nother: 1\n", "x.yaml:3:2: E103", "indentation of a key above"),
    # a key more indented than its siblings: YAML reads it as more of the value above
    ("salary:\n  market_average: 1\n   note: y\n", "x.yaml:3:4: E103", "indentation of the line above"),
    # a missing colon is reported where it is missing, not at the next key
    ("title Foo\nsummary: bar\n", "x.yaml:1:1: E103", "'title Foo' without a colon"),
    ("title: x\nsalary:\n  note y\n  verdict: z\n", "x.yaml:3:3: E103", "'note y' without a colon"),
    # an unterminated quote is reported where it opens, not at the end of the file
    ("title: 'Foo\nsummary: bar\nx: y\n", "x.yaml:1:8: E103", "' opened here to be closed"),
    ("title: 'Foo\nsummary: bar's\nx: y\n", "x.yaml:1:8: E103",
     "no closing ' on it, so YAML read on to the ' on line 2 (add a ' where the text ends, on this line)"),
    # a tab after a colon: quoting would make the number text, so the hint is the space
    ("title: x\npercent:\t92\n", "x.yaml:2:9: E103", "expected a space after 'percent:', found a tab"),
    # an apostrophe inside single quotes
    ("title: 'It's here'\n", "x.yaml:1:12: E103", "write it as ''"),
    # a colon inside unquoted text
    ("title: Foo: Bar\n", "x.yaml:1:11: E103", "': ' inside unquoted text (put the text in quotes)"),
    # Markdown emphasis at the start of a value is an alias to YAML
    ("title: *bold* text\n", "x.yaml:1:8: E103", "starts with a * (Markdown emphasis?)"),
    ("title: `code`\n", "x.yaml:1:8: E103", "starts with a backtick"),
    ("aliases: [a, b\nhabitat: x\n", "x.yaml:1:10: E103", "expected ']' to close the list opened here"),
    # a YAML tag, which PyYAML reports in four lines with a caret
    ("title: !!python/object:os.system x\n", "x.yaml:1:8: E104", "tags are not allowed"),
    ("title: !custom x\n", "x.yaml:1:8: E104", "tags are not allowed"),
    ("a: &x 1\nb: *x\n", "x.yaml:2:4: E104", "anchors and aliases are not allowed"),
    ("title: a\n---\ntitle: b\n", "x.yaml:2:1: E103", "one YAML document per file"),
])
def test_syntax_errors_are_one_line_where_the_problem_starts(text: str, located: str, says: str):
    found = one_problem(text)
    assert found.startswith(located) and says in found, found


def test_deep_nesting_is_refused_before_it_can_overflow():
    found = one_problem("x: " + "[" * 400 + "]" * 400 + "\n")
    assert found.startswith("x.yaml:1:") and "E105" in found and "levels of nesting" in found
    found = one_problem("".join(f"{'  ' * depth}k{depth}:\n" for depth in range(400)) + "  " * 400 + "v: 1\n")
    assert "E105" in found


@pytest.mark.parametrize("text, says", [
    ("title: 2024-13-45\n", "E205 title: expected a real date (or quoted text), found 2024-13-45"),
    ("date: 2026-02-30\n", "E205 date: expected a real date (or quoted text), found 2026-02-30"),
    ("percent: 0x55\n", "E203 percent: expected a decimal number or quoted text, found 0x55, which YAML reads as the "
                        "hexadecimal number 85"),
    ("percent: 1:25\n", "E203 percent: expected a decimal number or quoted text, found 1:25, which YAML reads as the "
                        "base-60 (sexagesimal) number 85"),
    ("percent: 017\n", "octal number 15"),
    ("percent: 0b101\n", "binary number 5"),
    ("time: 10:00\n", 'number 600 (quote times: "10:00 - 11:00")'),
])
def test_values_yaml_reads_unexpectedly_are_refused_with_the_reason(text: str, says: str):
    found = one_problem(text)
    assert says in found, found


def test_decimal_numbers_and_real_dates_are_read():
    loaded, found = load_yaml_text("a: 85\nb: -3\nc: 212_875\nd: 2026-02-28\ne: 1.5\n", "x.yaml")
    assert found == []
    assert loaded.data["a"] == 85 and loaded.data["c"] == 212875 and str(loaded.data["d"]) == "2026-02-28"


@pytest.mark.parametrize("line, warned", [
    ("  - The #announcements Channel (Replies Disabled)\n", True),
    ("  - Spaces Before #Hash\n", True),
    ("  - 'The #announcements Channel'\n", False),
    ("  - C#, F# and Other Sharps\n", False),  # '#' not after a space is text, not a comment
    ("  - A Habitat\n", False),
])
def test_text_cut_by_a_comment_is_a_warning(line: str, warned: bool):
    found = problems("habitat:\n" + line)
    if warned:
        assert len(found) == 1 and found[0].startswith("x.yaml:2:") and "W502 habitat[0]:" in found[0], found
        assert "put the text in quotes" in found[0]
    else:
        assert found == []


def test_numbers_and_keys_may_carry_comments():
    assert problems("percent: 85  # 0 to 100\norg_chart:   # top first\n  - Boss\naliases: []  # none\n") == []


def test_a_record_with_a_cut_habitat_still_builds_but_is_named(tmp_path: Path):
    data = record("Alpha Analyst")
    text = yaml.safe_dump(data, sort_keys=False).replace("- Open-plan Offices", "- Open-plan #Offices")
    book = write_book(tmp_path, {"01-first": {"alpha-analyst": text}})
    result = cli("check", "--book", str(book))
    assert result.returncode == 0, result.stderr
    assert "alpha-analyst.yaml" in result.stderr and "W502 habitat[0]:" in result.stderr


def test_bad_values_in_book_yaml_are_located(tmp_path: Path):
    book = write_book(tmp_path)
    path = book / "book.yaml"
    path.write_text(path.read_text().replace("date: '2026-01-02'", "date: 2026-02-30"), encoding="utf-8")
    assert_input_error(cli("check", "--book", str(book)), "book.yaml:", "E205 date:", "2026-02-30")


# libyaml parses for speed; the pure-Python parser stays the reference for every value, position and message.
needs_libyaml = pytest.mark.skipif(parse._FastLoader is None, reason="PyYAML was built without libyaml")


def load_both_ways(monkeypatch: pytest.MonkeyPatch, load, *args):
    """What `load(*args)` returns with libyaml parsing, and with the pure-Python parser alone."""
    fast = load(*args)
    with monkeypatch.context() as patched:
        patched.setattr(parse, "_FastLoader", None)
        return fast, load(*args)


@needs_libyaml
def test_libyaml_reads_every_bundled_file_as_the_pure_python_parser_does(monkeypatch: pytest.MonkeyPatch):
    from conftest import FIXTURE_BOOK

    records = sorted(FIXTURE_BOOK.rglob("*.yaml"))
    assert len(records) > 10
    for path in records:
        text = path.read_text(encoding="utf-8")
        for spelling in (text, text.replace("\n", "\r\n")):  # as saved on Linux and on Windows
            assert parse._compose_with_libyaml(spelling) is not None, path  # the fast path did run
            fast, slow = load_both_ways(monkeypatch, load_yaml_text, spelling, path.name)
            assert fast == slow and fast[0].source.positions, path
    for path in sorted(FIXTURE_BOOK.rglob("*.md")):
        fast, slow = load_both_ways(monkeypatch, parse.load_markdown_file, path, path.name)
        assert fast == slow, path


@needs_libyaml
@pytest.mark.parametrize("text", [
    "a: &x 1\nb: *x\n",
    "title: !!python/object:os.system x\n",
    "x: " + "[" * 400 + "]" * 400 + "\n",
])
def test_libyaml_refuses_aliases_tags_and_deep_nesting_too(text: str):
    with pytest.raises(parse._Refused):
        yaml.compose(text, Loader=parse._FastLoader)


@needs_libyaml
@pytest.mark.parametrize("text", [
    # libyaml accepts these where PyYAML refuses them
    "aliases: [Analyst?, Clerk]\n",
    "level: {from: 0, label: LOW? RISK}\n",
    "summary: >#\n  text\n",
    "title: Foo\t# a tab before the comment\n",
    "title: Foo\n\ufeff# a BOM opening a line\n",
    # libyaml places these empty values elsewhere, or reads them as text
    "salary: {note: }\n",
    "salary: {note:\n  }\n",
    "habitat:\n- !\n",
    "title: Foo\n? note",
    # libyaml cannot even take a lone surrogate
    "title: 'Foo\ud800'\n",
])
def test_where_libyaml_reads_differently_the_pure_python_parser_decides(text: str, monkeypatch: pytest.MonkeyPatch):
    assert parse._compose_with_libyaml(text) is None
    fast, slow = load_both_ways(monkeypatch, load_yaml_text, text, "x.yaml")
    assert fast == slow


def test_a_tab_after_a_colon_is_answered_with_a_space_not_quotes(tmp_path: Path):
    text = yaml.safe_dump(record("Alpha Analyst"), sort_keys=False).replace("percent: 50", "percent:\t50")
    book = write_book(tmp_path, {"01-first": {"alpha-analyst": text}})
    lines = assert_input_error(cli("check", "--book", str(book)), "alpha-analyst.yaml", "E103")
    assert "replace the tab with a space" in lines[0] and "quotes" not in lines[0], lines


def test_an_unclosed_quote_is_described_as_unclosed_where_it_opens(tmp_path: Path):
    text = yaml.safe_dump(record("Alpha Analyst"), sort_keys=False).replace(
        "summary: Does what a Alpha Analyst does, slowly.", "summary: 'Does what an analyst does")
    book = write_book(tmp_path, {"01-first": {"alpha-analyst": text}})
    lines = assert_input_error(cli("check", "--book", str(book)), "alpha-analyst.yaml:2:10: E103")
    assert "' opened here to be closed, found no closing '" in lines[0], lines
    assert "add a ' where the text ends, on this line" in lines[0] and "inside" not in lines[0], lines


def test_a_dedented_key_is_told_to_indent_under_the_mapping_that_misses_it(tmp_path: Path):
    text = yaml.safe_dump(record("Alpha Analyst"), sort_keys=False)
    text = text.replace("  verdict: Too much.", "verdict: Too much.")
    book = write_book(tmp_path, {"01-first": {"alpha-analyst": text}})
    lines = assert_input_error(cli("check", "--book", str(book)), "alpha-analyst.yaml", "unknown key 'verdict'")
    assert "indent it under 'salary:'" in lines[0], lines
