"""What a book folder may hold, and how `check` reports everything else: all at once, located, no hang."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
import yaml

from bestiary.book.load import load_book
from bestiary.errors import InputError
from conftest import assert_input_error, cli, record, write_book


def check(book: Path):
    return cli("check", "--book", str(book))


def test_a_symbolic_link_that_loops_is_an_error_not_a_crash(small_book: Path):
    os.symlink("loop.yaml", small_book / "chapters" / "01-first" / "loop.yaml")
    os.symlink("02-loop.md", small_book / "chapters" / "02-loop.md")
    result = check(small_book)
    assert_input_error(result, "01-first/loop.yaml:1:1: E108", "a symbolic link that loops")
    assert_input_error(result, "chapters/02-loop.md:1:1: E108", "a symbolic link that loops")


def test_a_fifo_is_refused_without_opening_it(small_book: Path):
    os.mkfifo(small_book / "chapters" / "06-x.md")
    os.mkfifo(small_book / "chapters" / "01-first" / "pipe.yaml")
    outcome: list = []
    worker = threading.Thread(target=lambda: outcome.append(check(small_book)), daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive(), "check hangs on a FIFO"
    assert_input_error(outcome[0], "chapters/06-x.md:1:1: E108", "found a named pipe (FIFO)")
    assert_input_error(outcome[0], "01-first/pipe.yaml:1:1: E108", "found a named pipe (FIFO)")


def test_a_huge_sparse_file_is_refused_before_it_is_read(small_book: Path, monkeypatch):
    huge = small_book / "chapters" / "06-huge.md"
    with open(huge, "wb") as stream:
        stream.truncate(3 * 1024**3)  # 3 GB, sparse: nothing on disk
    reads: list[int] = []
    real_read = os.read
    monkeypatch.setattr(os, "read", lambda fd, n: reads.append(n) or real_read(fd, n))
    assert_input_error(check(small_book), "chapters/06-huge.md:1:1: E105", "found 3,221,225,472 bytes")
    assert not any(n > 10_000_000 for n in reads)


def test_an_unreadable_record_is_a_located_error(small_book: Path, monkeypatch):
    target = small_book / "chapters" / "01-first" / "alpha-analyst.yaml"
    real_open = os.open

    def refusing_open(path, flags, *args, **kwargs):  # what chmod 000 does to a user who is not root
        if Path(path) == target:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    result = check(small_book)
    assert_input_error(result, "alpha-analyst.yaml:1:1: E108", "permission denied")
    build = cli("build", "--book", str(small_book), "--out", str(small_book.parent / "dist"))
    assert_input_error(build, "alpha-analyst.yaml:1:1: E108", "permission denied")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file: the case above simulates chmod 000")
def test_chmod_000_as_a_user(small_book: Path):
    (small_book / "chapters" / "01-first" / "alpha-analyst.yaml").chmod(0)
    (small_book / "chapters" / "02-second").chmod(0)
    try:
        result = check(small_book)
        assert_input_error(result, "alpha-analyst.yaml:1:1: E108", "permission denied")
        assert_input_error(result, "02-second:1:1: E108", "expected a readable folder")
        assert "E303" not in result.stderr  # alpha's related record is in the folder that cannot be read
    finally:
        (small_book / "chapters" / "02-second").chmod(0o755)


def test_editor_litter_is_ignored(small_book: Path):
    family = small_book / "chapters" / "01-first"
    for name in ("alpha-analyst.yaml~", "#alpha-analyst.yaml#", ".#alpha-analyst.yaml", ".alpha-analyst.yaml.swp"):
        (family / name).write_text("not: [valid", encoding="utf-8")
    (small_book / "chapters" / "00-foreword.md~").write_text("junk", encoding="utf-8")
    result = check(small_book)
    assert result.returncode == 0, result.stderr


def test_field_errors_and_cross_record_errors_in_one_run(tmp_path: Path):
    alpha = record("Alpha Analyst", [{"role": "beta-bos", "match": 90}])
    alpha["flight_risk"]["percent"] = 140
    book = write_book(tmp_path, {
        "01-first": {"alpha-analyst": alpha},
        "02-second": {"beta-boss": record("Beta Boss", [{"role": "Alpha Analyst", "match": 80}])},
    })
    result = check(book)
    assert_input_error(result, "alpha-analyst.yaml", "E204 flight_risk.percent")
    assert_input_error(result, "alpha-analyst.yaml", "E303 related[0].role", "did you mean 'beta-boss'?")
    # beta names the invalid alpha by title: that is not a second, spurious error
    assert "beta-boss.yaml" not in result.stderr


def test_a_duplicate_title_is_reported_beside_field_errors(tmp_path: Path):
    twin = record("Alpha Analyst")
    twin["flight_risk"]["percent"] = -1
    book = write_book(tmp_path, {"01-first": {"alpha-analyst": record("Alpha Analyst"), "alpha-twin": twin}})
    result = check(book)
    assert_input_error(result, "alpha-twin.yaml", "E204 flight_risk.percent")
    assert_input_error(result, "alpha-twin.yaml", "E302 title")


def test_new_refuses_a_slug_that_exists_in_another_family(small_book: Path):
    result = cli("new", "Beta Boss", "--chapter", "01-first", "--book", str(small_book))
    assert result.returncode == 2 and "02-second/beta-boss.yaml" in result.stderr, result.stderr
    assert not (small_book / "chapters" / "01-first" / "beta-boss.yaml").exists()


def test_an_honest_but_large_record_passes(tmp_path: Path):
    alpha = record("Alpha Analyst")
    alpha["aliases"] = [f"Alias Number {i}" for i in range(60)]
    alpha["habitat"] = [f"Habitat Number {i}" for i in range(40)]
    alpha["metrics"] = [{"name": f"Metric {i}", "description": "Counted. " * 30} for i in range(60)]
    alpha["burn_ward"] = [{"quote": "It is bad here. " * 40} for _ in range(80)]
    alpha["day_in_the_life"] = [{"time": f"{h:02d}:{m:02d} - {h:02d}:{m + 14:02d}", "title": "Slot",
                                 "description": "Waits."} for h in range(24) for m in (0, 15, 30, 45)]
    alpha["encounter"] = "Nod. " * 1500
    book = write_book(tmp_path, {"01-first": {"alpha-analyst": alpha}})
    loaded = load_book(book)
    assert len(loaded.roles[0].day_in_the_life) == 96 and len(loaded.roles[0].aliases) == 60


@pytest.mark.parametrize("key, size, limit", [("aliases", 201, "0 to 200"), ("org_chart", 13, "1 to 12")])
def test_limits_stop_abuse(tmp_path: Path, key: str, size: int, limit: str):
    alpha = record("Alpha Analyst")
    alpha[key] = ["Alpha Analyst"] + [f"Entry {i}" for i in range(size - 1)]
    book = write_book(tmp_path, {"01-first": {"alpha-analyst": alpha}})
    with pytest.raises(InputError) as caught:
        load_book(book)
    assert any(d.code == "E204" and limit in d.message for d in caught.value.diagnostics)


@pytest.mark.parametrize("option, says", [
    (("--page-size", "9999in 1in"), "from 3in (76mm) to 17in (432mm), found '9999in 1in'"),
    (("--page-size", "1in 1in"), "found '1in 1in'"),
    (("--bleed", "5in"), "expected a bleed from 0 to 0.5in"),
])
def test_page_sizes_and_bleeds_a_printer_cannot_make_are_refused_at_once(small_book: Path, option, says):
    result = cli("build", "pdf", *option, "--book", str(small_book), "--out", str(small_book.parent / "dist"))
    assert result.returncode == 2 and says in result.stderr, result.stderr
    assert not (small_book.parent / "dist").exists()


def test_page_size_in_book_yaml_is_bounded_too(small_book: Path):
    path = small_book / "book.yaml"
    path.write_text(path.read_text() + "field_guide:\n  page_size: 9999in 1in\n", encoding="utf-8")
    assert_input_error(check(small_book), "book.yaml:", "E205 field_guide.page_size:", "from 3in to 17in")


def test_the_output_folder_is_checked_before_anything_renders(small_book: Path):
    inside = cli("build", "--book", str(small_book), "--out", str(small_book / "dist"))
    assert inside.returncode == 2 and "inside it" in inside.stderr and not (small_book / "dist").exists()
    a_file = small_book.parent / "out.pdf"
    a_file.write_bytes(b"not a folder")
    as_file = cli("build", "--book", str(small_book), "--out", str(a_file))
    assert as_file.returncode == 2 and f"found a file at {a_file}" in as_file.stderr
    (small_book.parent / "dist").mkdir()
    (small_book.parent / "dist" / "dossiers").write_bytes(b"")
    sub = cli("dossier", "alpha-analyst", "--book", str(small_book), "--out", str(small_book.parent / "dist"))
    assert sub.returncode == 2 and "dossiers" in sub.stderr
    served = cli("serve", "--book", str(small_book), "--out", str(small_book / "preview"), "--port", "0")
    assert served.returncode == 2 and "inside it" in served.stderr


def test_bundled_book_record_keeps_its_hash_text():
    from conftest import FIXTURE_BOOK

    text = (FIXTURE_BOOK / "chapters" / "05-the-culture-department" / "internal-communications-manager.yaml")
    data = yaml.safe_load(text.read_text(encoding="utf-8"))
    assert "The #announcements Channel (Replies Disabled)" in data["habitat"]
