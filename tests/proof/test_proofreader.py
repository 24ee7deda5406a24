"""`check`'s proofreader as an author meets it: each fault of a small book is one located warning line with the
word and a suggestion, the book's words.txt suppresses, a missing dictionary is one line, `--strict` fails, and
builds never proofread."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bestiary.store.dates import book_sources
from cli.test_layering import SRC, graph
from conftest import BOOK_YAML, cli, write_book
from helpers import require_dictionary

# One fault a field; the comments give the column each warning points at.
FAULTY_RECORD = """\
title: Alpha Analyst
summary: Keeps the the budget warm.
org_chart:
  - Chief Officer
  - Alpha Analyst
aliases:
  - Chief Colour Officer
habitat:
  - Open-plan Offices (third floor
salary:
  market_average: 100000
  note: An average.
  verdict: Too much.
flight_risk:
  percent: 50
  diagnosis: Leaves when asked to stay.
metrics:
  - name: Meetings Attended
    description: Organises the backlog.
weaponry:
  - name: The Slide Deck
    description: Forty slides , no notes.
encounter: >-
  Runs `kubectl get pods` on https://example.com/x_y and reads /etc/hosts,
  README.md, the KPIs, Jupyter's logs and Q3 numbers; I recieve the blame.
jd_autopsy:
  - illusion: Drives outcomes.
    translation: "Says \\"synergy\\" and \\"alignment."
day_in_the_life:
  - time: "09:00 - 10:00"
    title: Stand-up
    description: Sits down.
burn_ward:
  - quote: I hate `make`, .NET and Q&A sessions :)
    source: reddit.com
"""

FAULTY_CHAPTER = """\
---
title: Family first
---
Intro with teh typo.

A (parenthesis never closed. Then `code (` and
[a link](https://example.com/a_(b)) is fine.
"""


def faulty_book(root: Path, words: str | None = None) -> Path:
    book = write_book(root, {"01-first": {"alpha-analyst": FAULTY_RECORD}})
    (book / "chapters" / "01-first" / "chapter.md").write_text(FAULTY_CHAPTER, encoding="utf-8")
    settings = dict(BOOK_YAML, subtitle="For for tests")
    (book / "book.yaml").write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    if words is not None:
        (book / "words.txt").write_text(words, encoding="utf-8")
    return book


def expected_lines(book: Path) -> list[str]:
    record = book / "chapters" / "01-first" / "alpha-analyst.yaml"
    chapter = book / "chapters" / "01-first" / "chapter.md"
    words = book / "words.txt"
    unknown = "expected a word of the en-US dictionary or {words}, found '{word}' (did you mean '{suggestion}'? " \
              "a name or a real term: add it to {words})"
    return [
        f"{book / 'book.yaml'}:2:11: W703 subtitle: expected each word once, found 'For for' (delete one 'For')",
        f"{record}:2:16: W703 summary: expected each word once, found 'the the' (delete one 'the')",
        f"{record}:7:11: W702 aliases[0]: expected the en-US spelling 'Color', found 'Colour'",
        f"{record}:9:23: W704 habitat[0]: expected '(' closed by ')' in the same field, found it left open "
        "(close it, or delete the '(')",
        f"{record}:19:18: W702 metrics[0].description: expected the en-US spelling 'Organizes', found 'Organises'",
        f"{record}:22:30: W705 weaponry[0].description: expected no space before ',', found one (write 'slides,')",
        f"{record}:25:24: W701 encounter: " + unknown.format(words=words, word="Jupyter's", suggestion="Jupiter's"),
        f"{record}:25:57: W701 encounter: " + unknown.format(words=words, word="recieve", suggestion="receive"),
        f"{record}:28:41: W704 jd_autopsy[0].translation: expected '\"' in pairs in the same field, found 3 "
        "(close the quote opened here, or delete it)",
        f"{chapter}:4:12: W701 body: " + unknown.format(words=words, word="teh", suggestion="the"),
        f"{chapter}:6:3: W704 body: expected '(' closed by ')' in the same field, found it left open "
        "(close it, or delete the '(')",
    ]


def warning_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ": W7" in line]


def test_each_fault_is_one_located_warning_with_its_word_and_a_suggestion(tmp_path: Path):
    require_dictionary()
    book = faulty_book(tmp_path)
    result = cli("check", "--book", str(book))
    assert result.returncode == 0, result.stderr
    assert warning_lines(result.stderr) == expected_lines(book)
    assert result.stdout.startswith("ok: 1 records")


def test_a_warning_points_at_the_word_across_folded_lines_and_doubled_quotes(small_book: Path):
    require_dictionary()
    record = small_book / "chapters" / "01-first" / "alpha-analyst.yaml"
    text = record.read_text(encoding="utf-8")
    line = text.splitlines().index("encounter: Nod and leave.") + 1
    record.write_text(text.replace("encounter: Nod and leave.", "encounter: >-\n  Nod and leave the\n  the room; "
                                   "don't wnat to.\nquestion: 'Isn''t it recieved ?'"), encoding="utf-8")
    found = [warning.split(": W")[0].rsplit(":", 2)[1:] + [warning.split(": W")[1][:3]]
             for warning in warning_lines(cli("check", "--book", str(small_book)).stderr)]
    assert found == [[str(line + 1), "17", "703"], [str(line + 2), "19", "701"], [str(line + 3), "22", "701"],
                     [str(line + 3), "30", "705"]]


def test_strict_fails_on_the_proofreaders_warnings(tmp_path: Path):
    require_dictionary()
    book = faulty_book(tmp_path)
    result = cli("check", "--strict", "--book", str(book))
    assert result.returncode == 2
    assert warning_lines(result.stderr) == expected_lines(book)
    assert ": W504 " in result.stderr  # the faulty record has no file_number either
    assert result.stderr.splitlines()[-1] == "error: 12 warnings in strict mode; nothing was written"


def test_the_books_word_list_suppresses_its_words_and_check_words_lists_them(tmp_path: Path):
    require_dictionary()
    listed = cli("check", "--words", "--book", str(faulty_book(tmp_path / "a")))
    assert listed.stdout.splitlines() == ["Jupyter", "recieve", "teh"]  # a possessive listed as its word
    assert "ok: 1 records" in listed.stderr and "did you mean" not in listed.stderr  # no time spent on suggestions

    words = "# names\nJupyter\nteh  # a comment after the word\nrecieve\nfor tests\n"
    book = faulty_book(tmp_path / "b", words=words)
    result = cli("check", "--book", str(book))
    found = warning_lines(result.stderr)
    assert [line.split(": ", 2)[1] for line in found].count("W701 encounter") == 0
    assert not any("W701" in line for line in found)
    assert f"{book / 'words.txt'}:5:5: W706 expected one word on a line, found 'for tests' (put each word on a " \
           "line of its own; # starts a comment)" in found


def test_check_words_gives_entries_for_words_txt(small_book: Path):
    """One entry a word: a compound none of whose parts is a word whole, a plural and a Capitalised word folded
    into the entry that matches them; a prefix before a hyphen is no word to list."""
    require_dictionary()
    chapter = small_book / "chapters" / "01-first" / "chapter.md"
    chapter.write_text("---\ntitle: Family first\n---\nThe Wi-Fi hackathon. Hackathons are pre-approved "
                       "post-mortems. Kubeflow.\n", encoding="utf-8")
    listed = cli("check", "--words", "--book", str(small_book))
    assert listed.stdout.splitlines() == ["hackathon", "Kubeflow", "mortems", "Wi-Fi"]
    found = warning_lines(cli("check", "--book", str(small_book)).stderr)
    assert [line.split(", found '")[1].split("'")[0] for line in found] == [
        "Wi-Fi", "hackathon", "Hackathons", "mortems", "Kubeflow"]


def test_a_clean_book_gets_no_warning_and_a_british_one_is_held_to_british_spelling(tmp_path: Path):
    require_dictionary("en-GB")
    book = write_book(tmp_path)
    assert cli("check", "--strict", "--book", str(book)).stderr == ""

    record = book / "chapters" / "01-first" / "alpha-analyst.yaml"
    data = yaml.safe_load(record.read_text(encoding="utf-8"))
    data["encounter"] = "Organize the colour of the behavior, then realise it."
    record.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    settings = dict(BOOK_YAML, language="en-GB")
    (book / "book.yaml").write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    found = warning_lines(cli("check", "--book", str(book)).stderr)
    assert [line.split(": ", 2)[2] for line in found] == [
        "expected the en-GB spelling 'Organise', found 'Organize'",
        "expected the en-GB spelling 'behaviour', found 'behavior'",
    ]


def test_without_a_dictionary_one_line_says_spelling_was_not_checked_and_the_rest_still_is(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "enchant", None)  # as where pyenchant or libenchant is not installed
    book = faulty_book(tmp_path)
    result = cli("check", "--strict", "--book", str(book))
    notes = [line for line in result.stderr.splitlines() if line.startswith("note:")]
    assert notes == ["note: spelling was not checked: the Enchant library is not installed (on Debian or Ubuntu: "
                     "sudo apt install libenchant-2-2 hunspell-en-us)"]
    assert warning_lines(result.stderr) == [line for line in expected_lines(book) if "W701" not in line
                                            and "W702" not in line]
    assert result.returncode == 2

    monkeypatch.delitem(sys.modules, "enchant")
    (book / "book.yaml").write_text(yaml.safe_dump(dict(BOOK_YAML, spelling="xx-YY"), sort_keys=False),
                                    encoding="utf-8")
    notes = [line for line in cli("check", "--book", str(book)).stderr.splitlines() if line.startswith("note:")]
    assert len(notes) == 1 and notes[0].startswith("note: spelling was not checked: ")


def test_the_word_list_is_no_source_of_the_book(small_book: Path):
    """Editing words.txt changes no output, nor the date a build gives its outputs."""
    (small_book / "words.txt").write_text("Kubeflow\n", encoding="utf-8")
    assert small_book / "words.txt" not in book_sources(small_book)


def test_builds_never_proofread():
    """Only `check` imports the proofreader, and only when it runs: no module a build imports reaches it."""
    tree = ast.parse((SRC / "cli.py").read_text(encoding="utf-8"))
    importers = {module for module, targets in graph().items() if not module.startswith("proof")
                 and any(target.split(".")[0] == "proof" for target in targets)}
    assert importers == {"cli"}
    check_command = next(node for node in ast.walk(tree)
                         if isinstance(node, ast.FunctionDef) and node.name == "check_command")
    imports = [node for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
               and node.module == "proof"]
    assert imports and all(node in list(ast.walk(check_command)) for node in imports)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab the(\"“”)[]{}`'’,.;:!? \n-_/#@*0123456789Colourorganise")),
               max_size=80))
def test_any_text_gives_findings_inside_it_and_never_an_error(text: str):
    """Whatever an author writes, each rule's findings stand inside the text, at what they say they found."""
    from bestiary.proof import rules
    from bestiary.proof.tokens import prose

    cleaned = prose(text, markdown_blocks=True)
    assert len(cleaned) == len(text) and cleaned.count("\n") == text.count("\n")
    for finding in [*rules.doubled_words(cleaned), *rules.space_before_punctuation(cleaned, text),
                    *rules.unbalanced(cleaned)]:
        assert 0 <= finding.start < len(text)
        assert " ".join(text[finding.start:].split()).startswith(" ".join(finding.found.split()))
