"""`bestiary init`: a new book for a user with no `book/` to start from, which `check` refuses until every
TODO is filled in, and then accepts and builds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from conftest import cli

FAMILY = "01-the-open-plan"
RECORD = "middle-manager.yaml"
LOCATED = re.compile(r"^book/\S+:\d+:\d+: (E\d{3}|W\d{3}) ")


def init(tmp_path: Path, *options: str) -> Path:
    project = tmp_path / "mybook"
    result = cli("init", str(project), *options)
    assert result.returncode == 0, result.stderr
    return project


def fill_in(book: Path) -> None:
    """Do what the author is asked to: replace every TODO with text of one's own, and give a salary."""
    settings = book / "book.yaml"
    settings.write_text(re.sub(r"TODO \([^)\n]*\)", "Filled In", settings.read_text(encoding="utf-8")),
                        encoding="utf-8")
    for chapter in (book / "chapters").rglob("*.md"):
        text = chapter.read_text(encoding="utf-8")
        chapter.write_text(re.sub(r"(?m)^TODO:.*$", "Observed *in the wild*, and filed.", text), encoding="utf-8")
    record = book / "chapters" / FAMILY / RECORD
    text = re.sub(r"(?m)^(\s*(?:- )?(?:[a-z_]+: )?)TODO", r"\1Filled", record.read_text(encoding="utf-8"))
    record.write_text(text.replace("market_average: 0", "market_average: 98000"), encoding="utf-8")


def test_init_writes_a_book_that_check_refuses_only_for_its_placeholders(tmp_path: Path):
    project = init(tmp_path, "--title", "The Startup Bestiary")
    book = project / "book"
    assert sorted(str(path.relative_to(project)) for path in project.rglob("*") if path.is_file()) == [
        ".gitignore", "book/book.yaml", "book/chapters/00-foreword.md", f"book/chapters/{FAMILY}/chapter.md",
        f"book/chapters/{FAMILY}/{RECORD}", "book/role.schema.json"]
    assert (project / ".gitignore").read_text(encoding="utf-8") == "dist/\n"
    settings = yaml.safe_load((book / "book.yaml").read_text(encoding="utf-8"))
    assert settings["title"] == "The Startup Bestiary"
    assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", settings["identifier"])
    record = (book / "chapters" / FAMILY / RECORD).read_text(encoding="utf-8")
    assert record.startswith("# yaml-language-server: $schema=../../role.schema.json\n")

    unfinished = cli("check", cwd=project)  # from the project folder, with the defaults: ./book, ./dist
    assert unfinished.returncode == 2
    problems = unfinished.stderr.splitlines()[:-1]
    assert problems and all(LOCATED.match(line) for line in problems), unfinished.stderr
    # every problem is a placeholder, and the skeleton's salary of 0 (its comment says: above 0)
    assert [line for line in problems if " E205 " in line and "found the placeholder text 'TODO" not in line
            and 'found the placeholder text "TODO' not in line] == []
    assert [line for line in problems if " E205 " not in line] == [
        f"book/chapters/{FAMILY}/{RECORD}:15:19: E204 salary.market_average: expected a whole number from 1 "
        "to 999,999,999,999, found 0"]
    for where in ("book/book.yaml:", "book/chapters/00-foreword.md:4:1: E205 body:",
                  f"book/chapters/{FAMILY}/chapter.md:4:1: E205 body:", f"book/chapters/{FAMILY}/{RECORD}:"):
        assert any(line.startswith(where) for line in problems), where

    fill_in(book)
    finished = cli("check", cwd=project)
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout == "ok: 1 records in 1 families, 2 chapters\n"
    assert finished.stderr == ""


def test_init_takes_the_family_and_the_first_role(tmp_path: Path):
    project = init(tmp_path, "--family", "The Growth Team", "--role", "Head of Growth")
    family = project / "book" / "chapters" / "01-the-growth-team"
    assert (family / "head-of-growth.yaml").is_file()
    assert 'title: "The Growth Team"' in (family / "chapter.md").read_text(encoding="utf-8")
    # `new` then adds records beside it
    assert cli("new", "Growth Hacker", "--chapter", "01-the-growth-team", cwd=project).returncode == 0


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path):
    project = tmp_path / "taken"
    project.mkdir()
    (project / "notes.txt").write_text("mine", encoding="utf-8")
    result = cli("init", str(project))
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and "not an empty folder" in result.stderr
    assert sorted(path.name for path in project.iterdir()) == ["notes.txt"]

    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli("init", str(empty)).returncode == 0  # an empty folder is a new one
    assert (empty / "book" / "book.yaml").is_file()


@pytest.mark.parametrize("option", [("--title", "TODO later"), ("--family", "***"), ("--role", "")])
def test_init_refuses_what_check_would_refuse_before_writing_anything(tmp_path: Path, option: tuple[str, str]):
    project = tmp_path / "new" / "mybook"
    result = cli("init", str(project), *option)
    assert result.returncode == 2 and result.stderr.startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "new").exists()


def test_a_chapter_paragraph_starting_with_the_placeholder_is_an_error(small_book: Path):
    foreword = small_book / "chapters" / "00-foreword.md"
    foreword.write_text("---\ntitle: Foreword\n---\nA real paragraph.\n\n```\nTODO in code is code.\n```\n\n"
                        "- TODO: an item\n", encoding="utf-8")
    result = cli("check", "--book", str(small_book))
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if " E205 " in line]
    assert errors == [f"{foreword}:10:3: E205 body: expected your own text, found the placeholder text "
                      "'TODO: an item'"]


@pytest.mark.slow
def test_the_new_book_builds_once_filled_in(tmp_path: Path):
    project = init(tmp_path, "--title", "The Startup Bestiary")
    fill_in(project / "book")
    result = cli("build", "epub", cwd=project)
    assert result.returncode == 0, result.stderr
    assert (project / "dist" / "the-startup-bestiary.epub").stat().st_size > 0


def test_init_removes_what_it_wrote_when_it_fails_part_way(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from bestiary.book import scaffold
    from bestiary.errors import RequestError

    def refuse(book_dir: Path, chapter: str, title: str) -> Path:
        (book_dir / "role.schema.json").write_text("{}", encoding="utf-8")  # as new_record writes it first
        raise RequestError("cannot write the record")

    monkeypatch.setattr(scaffold, "new_record", refuse)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(RequestError):
        scaffold.init_book(empty)
    assert list(empty.iterdir()) == []  # an empty folder that was there stays, empty
    with pytest.raises(RequestError):
        scaffold.init_book(tmp_path / "new" / "mybook")
    assert not (tmp_path / "new").exists()
