"""File numbers that never move: a record keeps the number it holds (`file_number`), `check` refuses one held
twice or malformed with the next free number, a record without one builds with a warning, `bestiary number`
writes today's numbers in with one line per record, and `bestiary new` gives the next, never a deleted one."""

from __future__ import annotations

import datetime
import difflib
import shutil
from pathlib import Path

import yaml

from bestiary.book.load import load_book
from conftest import assert_input_error, cli, record, write_book

FIRST = "book/chapters/01-first"


def numbers(book: Path) -> dict[str, str]:
    """Each role's file number as printed, by slug."""
    return {role.slug: role.file_number for role in load_book(book).roles}


def text_with(title: str, file_number: str | None = None, **changes) -> str:
    """A record as YAML text, `file_number: <file_number>` (as written, unquoted) after its title."""
    data = {**record(title), **changes}
    text = yaml.safe_dump(data, sort_keys=False)
    if file_number is None:
        return text
    return text.replace(f"title: {title}\n", f"title: {title}\nfile_number: {file_number}\n", 1)


def test_a_number_held_twice_is_refused_with_both_places_and_the_next_free_number(tmp_path: Path):
    write_book(tmp_path, {"01-first": {"alpha-analyst": text_with("Alpha Analyst", "7"),
                                       "beta-boss": text_with("Beta Boss", "7"),
                                       "gamma-guru": text_with("Gamma Guru", "12")}})
    result = cli("check", "--book", "book", cwd=tmp_path)
    lines = assert_input_error(result, f"{FIRST}/beta-boss.yaml:2:14: E307 file_number:")
    assert lines == [f"{FIRST}/beta-boss.yaml:2:14: E307 file_number: expected a number no other record has, found 7 "
                     f"also in {FIRST}/alpha-analyst.yaml:2:14 (the next free file number is 13)"]
    assert "alpha-analyst.yaml:2:14: E307" not in result.stderr  # one line per duplicate, at the later record


def test_malformed_numbers_are_refused_all_in_one_run_with_the_next_free_number(tmp_path: Path):
    malformed = {"alpha-analyst": "0", "beta-boss": "-3", "delta-dean": "'OTI-ADU-0002'", "epsilon-exec": "2.5",
                 "gamma-guru": "0x11", "zeta-zealot": "true"}
    records = {slug: text_with(slug.replace("-", " ").title(), written) for slug, written in malformed.items()}
    write_book(tmp_path, {"01-first": {**records, "eta-expert": text_with("Eta Expert", "4")}})
    result = cli("check", "--book", "book", cwd=tmp_path)
    for slug, code in [("alpha-analyst", "E204"), ("beta-boss", "E204"), ("delta-dean", "E203"),
                       ("epsilon-exec", "E203"), ("gamma-guru", "E203"), ("zeta-zealot", "E203")]:
        [line] = assert_input_error(result, f"{FIRST}/{slug}.yaml:2:14: {code} file_number:")
        assert line.endswith("the next free file number is 5)"), line
    [printed] = assert_input_error(result, "delta-dean.yaml:2:14: E203")
    assert "write its digits alone, unquoted: `file_number: 2`; " in printed
    assert " W504 " not in result.stderr  # a malformed number is an error, not a missing one


def test_a_record_without_a_number_builds_numbered_after_the_highest_with_a_warning(tmp_path: Path):
    book = write_book(tmp_path, {"01-first": {"alpha-analyst": text_with("Alpha Analyst"),
                                              "beta-boss": text_with("Beta Boss", "5")},
                                 "02-second": {"gamma-guru": text_with("Gamma Guru")}})
    result = cli("check", "--book", "book", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"{FIRST}/alpha-analyst.yaml:1:1: W504 file_number: expected a file number of its own, found none: this "
        "build gives it 6 (OTI-ADU-0006), which moves when a record is added before it (run `bestiary number` to "
        "write it in)",
        "book/chapters/02-second/gamma-guru.yaml:1:1: W504 file_number: expected a file number of its own, found "
        "none: this build gives it 7 (OTI-ADU-0007), which moves when a record is added before it (run `bestiary "
        "number` to write it in)"]
    assert numbers(book) == {"alpha-analyst": "OTI-ADU-0006", "beta-boss": "OTI-ADU-0005", "gamma-guru": "OTI-ADU-0007"}
    strict = cli("check", "--strict", "--book", "book", cwd=tmp_path)
    assert strict.returncode == 2 and "error: 2 warnings in strict mode" in strict.stderr


def test_the_high_water_mark_comes_before_numbers_given_to_records_without_one(tmp_path: Path):
    book = write_book(tmp_path, {"01-first": {"alpha-analyst": text_with("Alpha Analyst")}})
    with open(book / "book.yaml", "a", encoding="utf-8") as settings:
        settings.write("file_numbers:\n  issued: 30\n")
    assert numbers(book) == {"alpha-analyst": "OTI-ADU-0031"}


# A record as an author may write it: a schema line, comments, a folded title with a comment after it.
COMMENTED = """\
# yaml-language-server: $schema=../../role.schema.json
# Observed in the wild.
title: >-   # the long way
  Alpha
  Analyst
# what they do
summary: "Does what an Alpha Analyst does, slowly."   # really
"""


def test_number_writes_todays_numbers_in_one_line_each_and_nothing_else(tmp_path: Path):
    alpha = COMMENTED + yaml.safe_dump({key: value for key, value in record("Alpha Analyst").items()
                                        if key not in ("title", "summary")}, sort_keys=False)
    crlf = ("\ufeff" + text_with("Gamma Guru")).replace("\n", "\r\n")
    book = write_book(tmp_path, {"01-first": {"alpha-analyst": alpha, "beta-boss": text_with("Beta Boss")},
                                 "02-second": {"gamma-guru": crlf}})
    paths = sorted((book / "chapters").glob("*/*.yaml"))
    before = {path: path.read_bytes() for path in [*paths, book / "book.yaml"]}
    today = numbers(book)
    assert today == {"alpha-analyst": "OTI-ADU-0001", "beta-boss": "OTI-ADU-0002", "gamma-guru": "OTI-ADU-0003"}

    result = cli("number", "--book", "book", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"wrote file_number: 1 into {FIRST}/alpha-analyst.yaml (OTI-ADU-0001)",
        f"wrote file_number: 2 into {FIRST}/beta-boss.yaml (OTI-ADU-0002)",
        "wrote file_number: 3 into book/chapters/02-second/gamma-guru.yaml (OTI-ADU-0003)",
        "wrote file_numbers.issued: 3 into book/book.yaml"]
    assert numbers(book) == today
    for path, old in before.items():
        new = path.read_bytes().decode("utf-8")  # line endings as they are
        added = [line for line in difflib.ndiff(old.decode("utf-8").splitlines(True), new.splitlines(True))
                 if not line.startswith("  ")]
        if path.name == "book.yaml":
            assert path.read_bytes().startswith(old) and added[-2:] == ["+ file_numbers:\n", "+   issued: 3\n"]
        else:
            assert len(added) == 1 and added[0].startswith("+ file_number: "), added  # one line added, none changed
    assert (book / "chapters" / "01-first" / "alpha-analyst.yaml").read_text("utf-8").startswith(
        COMMENTED.replace("  Analyst\n", "  Analyst\nfile_number: 1\n"))
    gamma = (book / "chapters" / "02-second" / "gamma-guru.yaml").read_bytes()
    assert gamma == before[paths[2]].replace(b"title: Gamma Guru\r\n", b"title: Gamma Guru\r\nfile_number: 3\r\n")
    assert cli("check", "--strict", "--book", "book", cwd=tmp_path).returncode == 0

    again = cli("number", "--book", "book", cwd=tmp_path)
    assert again.stdout == "every record has its file number; the next is 4\n"


def test_number_refuses_a_book_whose_numbers_it_cannot_know_and_writes_nothing(tmp_path: Path):
    book = write_book(tmp_path, {"01-first": {"alpha-analyst": text_with("Alpha Analyst", "3"),
                                              "beta-boss": text_with("Beta Boss", "3"),
                                              "delta-dean": "title: [unclosed\n",
                                              "gamma-guru": text_with("Gamma Guru")}})
    before = {path: path.read_bytes() for path in book.rglob("*") if path.is_file()}
    result = cli("number", "--book", "book", cwd=tmp_path)
    assert_input_error(result, f"{FIRST}/beta-boss.yaml:2:14: E307 file_number:")
    assert_input_error(result, f"{FIRST}/delta-dean.yaml:", " E103 ")
    assert {path: path.read_bytes() for path in book.rglob("*") if path.is_file()} == before


def test_new_gives_the_highest_number_plus_one_and_never_a_deleted_one(small_book: Path):
    first = small_book / "chapters" / "01-first"

    def new(title: str) -> int:
        result = cli("new", title, "--chapter", "01-first", "--book", str(small_book))
        assert result.returncode == 0, result.stderr
        path = first / f"{title.lower().replace(' ', '-')}.yaml"
        return yaml.safe_load(path.read_text(encoding="utf-8"))["file_number"]

    assert new("Gamma Guru") == 3  # the small book holds 1 and 2
    assert yaml.safe_load((small_book / "book.yaml").read_text(encoding="utf-8"))["file_numbers"] == {"issued": 3}
    (first / "gamma-guru.yaml").unlink()
    assert new("Delta Dean") == 4  # 3 was given: never again
    alpha = first / "alpha-analyst.yaml"
    alpha.write_text(alpha.read_text(encoding="utf-8").replace("file_number: 1\n", "file_number: 40\n"),
                     encoding="utf-8")
    assert new("Epsilon Exec") == 41  # a number written by hand counts too
    assert (small_book / "book.yaml").read_text(encoding="utf-8").endswith("file_numbers:\n  issued: 41\n")


def test_new_refuses_while_a_record_has_no_number(tmp_path: Path):
    book = write_book(tmp_path, numbered=False)
    result = cli("new", "Gamma Guru", "--chapter", "01-first", "--book", str(book))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "2 records have no file_number yet" in result.stderr and "run `bestiary number` first" in result.stderr
    assert not (book / "chapters" / "01-first" / "gamma-guru.yaml").exists()


def test_adding_a_record_changes_no_other_number_not_even_on_a_dossier_cover(tmp_path: Path, small_book: Path):
    from bestiary.render.layouts import DOSSIER_LAYOUT
    from bestiary.render.renderer import make_renderer
    from bestiary.views.dossier import dossier_view

    def covers(book: Path) -> dict[str, str]:
        """Each dossier's file number, as its cover shows it."""
        loaded = load_book(book)
        renderer = make_renderer(loaded)
        shown = {}
        for role in loaded.roles:
            html = renderer.render(DOSSIER_LAYOUT, dossier=dossier_view(loaded, role.slug, datetime.datetime(
                2026, 1, 2, tzinfo=datetime.UTC)))
            assert f'<p class="folder-tab">{role.file_number}</p>' in html
            shown[role.slug] = role.file_number
        return shown

    before = covers(small_book)
    assert before == {"alpha-analyst": "OTI-ADU-0001", "beta-boss": "OTI-ADU-0002"}
    copy = shutil.copytree(small_book, tmp_path / "copy")
    # first in reading order, written by hand without a number, and then one from `new`
    (copy / "chapters" / "01-first" / "aardvark-admin.yaml").write_text(text_with("Aardvark Admin"), encoding="utf-8")
    assert covers(copy) == {**before, "aardvark-admin": "OTI-ADU-0003"}
    assert cli("number", "--book", str(copy)).returncode == 0
    assert cli("new", "Aardwolf Associate", "--chapter", "01-first", "--book", str(copy)).returncode == 0
    record_path = copy / "chapters" / "01-first" / "aardwolf-associate.yaml"
    text = record_path.read_text(encoding="utf-8")
    filled = text_with("Aardwolf Associate", "4")
    record_path.write_text(filled, encoding="utf-8")
    assert "file_number: 4 " in text
    assert covers(copy) == {**before, "aardvark-admin": "OTI-ADU-0003", "aardwolf-associate": "OTI-ADU-0004"}


def test_new_and_number_refuse_a_high_water_mark_they_cannot_keep(small_book: Path):
    settings = small_book / "book.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "file_numbers:\n", encoding="utf-8")
    for command in (["number"], ["new", "Gamma Guru", "--chapter", "01-first"]):
        result = cli(*command, "--book", str(small_book))
        assert_input_error(result, "book.yaml:", " E205 file_numbers: expected `issued: N` under file_numbers")
    assert not (small_book / "chapters" / "01-first" / "gamma-guru.yaml").exists()
