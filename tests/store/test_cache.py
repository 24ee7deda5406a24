"""The build cache: entries are checked before they are trusted, capped in size, and rebuilds reuse them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bestiary.store.cache import Cache
from conftest import SOURCE_DATE_EPOCH, build_book, cli_with_env, record, write_book


def test_an_entry_comes_back_as_it_was_kept(tmp_path):
    cache = Cache(tmp_path / "cache")
    cache.put("a" * 64, b"laid out")
    assert cache.get("a" * 64) == b"laid out"
    assert cache.get("b" * 64) is None


@pytest.mark.parametrize("damage", ["flip a byte", "truncate", "empty", "another key's entry"])
def test_a_damaged_entry_is_ignored_and_removed(tmp_path, damage):
    cache = Cache(tmp_path / "cache")
    key, other = "c" * 64, "d" * 64
    cache.put(key, b"x" * 1000)
    cache.put(other, b"y" * 1000)
    path = tmp_path / "cache" / key[:2] / key
    data = path.read_bytes()
    if damage == "flip a byte":
        path.write_bytes(data[:-10] + bytes([data[-10] ^ 1]) + data[-9:])
    elif damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "empty":
        path.write_bytes(b"")
    else:
        path.write_bytes((tmp_path / "cache" / other[:2] / other).read_bytes())
    assert cache.get(key) is None
    assert not path.exists()
    assert cache.get(other) == b"y" * 1000


def test_the_cache_keeps_to_its_cap_dropping_the_least_recently_used(tmp_path):
    cache = Cache(tmp_path / "cache", limit=3000)
    for number, key in enumerate(("e" * 64, "f" * 64, "0" * 64)):
        cache.put(key, bytes(1000))
        entry = tmp_path / "cache" / key[:2] / key
        os.utime(entry, (1_000_000 + number, 1_000_000 + number))
    cache.get("e" * 64)  # used just now: the newest
    cache.prune()
    assert cache.size() <= 3000
    assert cache.get("e" * 64) is not None and cache.get("f" * 64) is None


def test_a_cache_that_cannot_be_written_is_not_used(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    cache = Cache(blocked / "cache")
    cache.put("1" * 64, b"data")  # no error
    assert cache.get("1" * 64) is None


def test_clean_empties_the_cache(tmp_path):
    folder = tmp_path / "cache"
    Cache(folder).put("2" * 64, b"data")
    result = cli_with_env({"BESTIARY_CACHE_DIR": str(folder)}, "clean")
    assert result.returncode == 0 and "emptied" in result.stdout
    assert not any(folder.rglob("2*"))


def outputs(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {str(path.relative_to(folder)): (path.read_bytes(), path.stat().st_mtime_ns)
            for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.fixture
def dated(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)


@pytest.mark.slow
def test_cold_warm_and_uncached_builds_write_the_same_bytes_and_an_unchanged_book_rewrites_nothing(
        tmp_path, dated, monkeypatch):
    book = write_book(tmp_path)
    monkeypatch.setenv("BESTIARY_CACHE_DIR", str(tmp_path / "cache"))
    uncached = build_book(book, tmp_path / "uncached", use_cache=False)
    cold = build_book(book, tmp_path / "cold")
    warm = build_book(book, tmp_path / "warm")
    assert uncached.reused == 0 and cold.reused == 0 and cold.laid_out > 0
    assert warm.laid_out == 0 and warm.reused > 0
    expected = {name: data for name, (data, _) in outputs(tmp_path / "uncached").items()}
    for folder in ("cold", "warm"):
        assert {name: data for name, (data, _) in outputs(tmp_path / folder).items()} == expected
    before = outputs(tmp_path / "cold")
    again = build_book(book, tmp_path / "cold")
    assert again.laid_out == 0
    assert all(item.unchanged for item in again.written)
    assert outputs(tmp_path / "cold") == before  # same bytes, same modification times


@pytest.mark.slow
def test_editing_one_record_lays_out_only_what_it_changes(tmp_path, dated, monkeypatch):
    monkeypatch.setattr("bestiary.build.SPECIMENS_PER_CHUNK", 2)  # six records in chunks, not one document
    families = {f"0{n}-family-{n}": {f"role-{n}{letter}": record(f"Role {n}{letter.upper()}") for letter in "ab"}
                for n in (1, 2, 3)}
    book = write_book(tmp_path, families)
    monkeypatch.setenv("BESTIARY_CACHE_DIR", str(tmp_path / "cache"))
    first = build_book(book, tmp_path / "dist")
    edited = book / "chapters" / "03-family-3" / "role-3b.yaml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("slowly", "slowlY"), encoding="utf-8")
    second = build_book(book, tmp_path / "dist")
    changed = {item.path.name for item in second.written if not item.unchanged}
    assert {"role-3b.pdf", "a-small-bestiary.pdf", "a-small-bestiary.epub"} <= changed
    assert "role-1a.pdf" not in changed
    # the chunk of the edited record's family and the index (its summary shows in both), each laid out once
    # since the last build's page shapes are remembered, and its dossier: nothing else
    assert second.laid_out == 3 < first.laid_out
    build_book(book, tmp_path / "cold", use_cache=False)  # the edited book from scratch: the same bytes
    assert ({name: data for name, (data, _) in outputs(tmp_path / "dist").items()}
            == {name: data for name, (data, _) in outputs(tmp_path / "cold").items()})
