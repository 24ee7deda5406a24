"""Issue 17, points 4, 5, 7 and part of 8: nothing in a shared place is trusted, the cache is the user's own,
cached builds are the builds a cold cache makes, and the toolchain fingerprint reads only what it should."""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bestiary.book.json_schema import SCHEMA_FILE, schema_text, write_schema
from bestiary.pdf.sandbox import MAX_RESOURCE_BYTES
from bestiary.pdf.toolchain import toolchain_fingerprint
from bestiary.resources import fonts_dir
from bestiary.store.cache import Cache
from bestiary.text.fonts import subset_characters, subset_font
from conftest import build_book, cli_with_env, run_cli, write_book

IS_ROOT = os.geteuid() == 0
NOBODY = 65534
KEY = "ab" + "0" * 62
OTHER_KEY = "cd" + "1" * 62


def child_env(**values: str) -> dict[str, str]:
    return {**os.environ, **values}


def private_tmp(tmp_path: Path) -> Path:
    """A temporary folder for one child process alone, so that what it leaves behind can be counted."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    return folder


# Point 4: the font configuration, the schema's staging file, WeasyPrint's font folders.

def test_a_plain_file_at_the_old_font_folder_name_stops_no_command(tmp_path):
    tmp = private_tmp(tmp_path)
    key = hashlib.sha256(str(fonts_dir().resolve()).encode()).hexdigest()[:12]
    (tmp / f"bestiary-fontconfig-{os.getuid()}-{key}").write_text("planted by another user")
    result = run_cli("check", "--book", str(write_book(tmp_path)), env=child_env(TMPDIR=str(tmp)))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_the_font_configuration_is_private_to_the_process_and_removed_after_it(tmp_path):
    tmp = private_tmp(tmp_path)
    report = ("import bestiary.pdf, json, os; config = os.environ['FONTCONFIG_FILE']; "
              "folder = os.lstat(os.path.dirname(config)); "
              "print(json.dumps([config, folder.st_mode, folder.st_uid, os.lstat(config).st_mode]))")
    result = subprocess.run([sys.executable, "-c", report], capture_output=True, text=True, check=True,
                            env=child_env(TMPDIR=str(tmp)))
    config, folder_mode, owner, config_mode = json.loads(result.stdout)
    assert Path(config).parent.parent == tmp
    assert stat.S_ISDIR(folder_mode) and stat.S_IMODE(folder_mode) == 0o700 and owner == os.geteuid()
    assert stat.S_ISREG(config_mode)
    assert list(tmp.iterdir()) == []  # removed when the process ended


def test_a_build_leaves_nothing_in_the_temporary_folder(tmp_path):
    """WeasyPrint's FontConfiguration makes a `weasyprint-*` folder in each worker, which ends without removing it."""
    tmp = private_tmp(tmp_path)
    result = run_cli("dossier", "alpha-analyst", "--no-cache", "--book", str(write_book(tmp_path)),
                     "--out", str(tmp_path / "dist"), env=child_env(TMPDIR=str(tmp)))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "dist" / "dossiers" / "alpha-analyst.pdf").is_file()
    assert sorted(path.name for path in tmp.iterdir()) == []


def test_a_link_planted_at_the_schema_staging_name_is_not_written_through(tmp_path):
    book = write_book(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("the victim's own file")
    (book / f".{SCHEMA_FILE}.{os.getpid()}.part").symlink_to(victim)  # the name a write of this process used
    path, written = write_schema(book)
    assert written and victim.read_text() == "the victim's own file"
    assert not path.is_symlink() and path.read_text(encoding="utf-8") == schema_text()


# Point 5: the cache is the user's own.

def make_untrusted(folder: Path, how: str) -> None:
    folder.mkdir()
    if how == "owned by another user":
        if not IS_ROOT:
            pytest.skip("only root can give a folder to another user")
        os.chown(folder, NOBODY, NOBODY)
    else:
        folder.chmod(0o777)


@pytest.mark.parametrize("how", ["owned by another user", "writable by others"])
def test_a_cache_not_the_users_own_is_not_used_and_the_build_says_so(tmp_path, how):
    folder = tmp_path / "shared-cache"
    make_untrusted(folder, how)
    result = cli_with_env({"BESTIARY_CACHE_DIR": str(folder)}, "dossier", "alpha-analyst", "--strict",
                          "--book", str(write_book(tmp_path)), "--out", str(tmp_path / "dist"))
    assert result.returncode == 0, result.stderr  # --strict: a warning about the machine, not the book
    expected = (f"owned by another user (uid {NOBODY})" if how == "owned by another user"
                else "writable by other users (mode 777)")
    assert result.stderr.splitlines() == [f"warning: not using the build cache {folder}: {expected}"]
    assert list(folder.iterdir()) == []


def test_clean_leaves_a_cache_it_cannot_trust_alone(tmp_path):
    folder = tmp_path / "shared-cache"
    Cache(folder).put(KEY, b"someone's entry")
    folder.chmod(0o777)
    result = cli_with_env({"BESTIARY_CACHE_DIR": str(folder)}, "clean")
    assert result.returncode == 0
    assert result.stderr == f"warning: not using the build cache {folder}: writable by other users (mode 777)\n"
    assert (folder / KEY[:2] / KEY).is_file()


def an_entry(tmp_path: Path, key: str, data: bytes) -> Path:
    """A well-formed entry for `key`, made by a cache of its own outside the one under test."""
    elsewhere = Cache(tmp_path / "elsewhere")
    elsewhere.put(key, data)
    return tmp_path / "elsewhere" / key[:2] / key


def test_an_entry_is_never_read_or_written_through_a_link(tmp_path):
    cache = Cache(tmp_path / "cache")
    cache.put(KEY, b"ours")
    entry = tmp_path / "cache" / KEY[:2] / KEY
    entry.unlink()
    entry.symlink_to(an_entry(tmp_path, KEY, b"planted"))
    assert cache.get(KEY) is None
    assert entry.is_symlink()  # not ours to remove
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "cache" / OTHER_KEY[:2]).symlink_to(outside)  # a folder linked into the cache
    shutil.copy(an_entry(tmp_path, OTHER_KEY, b"planted"), outside / OTHER_KEY)
    assert cache.get(OTHER_KEY) is None
    cache.put(OTHER_KEY, b"ours")
    assert sorted(path.name for path in outside.iterdir()) == [OTHER_KEY]
    assert (outside / OTHER_KEY).read_bytes().endswith(b"planted")


def make_special(path: Path, kind: str) -> None:
    if kind == "fifo":
        os.mkfifo(path)
    elif not IS_ROOT:
        pytest.skip("only root can make a device node")
    else:
        os.mknod(path, 0o600 | stat.S_IFCHR, os.makedev(1, 3))  # a /dev/null of our own


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_fifo_or_a_device_in_the_cache_is_skipped_not_read(tmp_path, kind):
    cache = Cache(tmp_path / "cache", limit=0)
    cache.put(KEY, b"ours")
    entry = tmp_path / "cache" / KEY[:2] / KEY
    entry.unlink()
    make_special(entry, kind)
    found: list[bytes | None] = []
    reader = threading.Thread(target=lambda: found.append(cache.get(KEY)), daemon=True)
    reader.start()
    reader.join(timeout=10)
    hung = reader.is_alive()
    if hung:  # opened for reading, it waits for a writer: give it one, so the thread ends
        os.close(os.open(entry, os.O_WRONLY | os.O_NONBLOCK))
    assert not hung, "reading the cache hung on a FIFO"
    assert found == [None]
    cache.prune()
    cache.clear()
    assert stat.S_ISFIFO(entry.lstat().st_mode) if kind == "fifo" else stat.S_ISCHR(entry.lstat().st_mode)


def test_clean_and_prune_remove_cache_entries_only_and_nothing_through_a_link(tmp_path):
    folder = tmp_path / "cache"
    cache = Cache(folder, limit=0)
    cache.put(KEY, b"ours")
    linked = tmp_path / "linked-folder"  # a folder of the user's, linked into the cache
    linked.mkdir()
    (linked / "notes.txt").write_text("keep me")
    shutil.copy(an_entry(tmp_path, OTHER_KEY, b"looks like ours"), linked / OTHER_KEY)
    (folder / OTHER_KEY[:2]).symlink_to(linked)
    named_like_one = folder / KEY[:2] / ("ab" + "2" * 62)
    named_like_one.write_text("a file named as an entry, but not one")
    stray = folder / KEY[:2] / "notes.txt"
    stray.write_text("not an entry")
    outside_file = tmp_path / "outside.txt"
    outside_file.write_text("keep me too")
    (folder / KEY[:2] / ("ab" + "3" * 62)).symlink_to(outside_file)
    kept = sorted(path for path in tmp_path.rglob("*") if path != folder / KEY[:2] / KEY)

    cache.prune()
    assert not (folder / KEY[:2] / KEY).exists()
    assert sorted(tmp_path.rglob("*")) == kept
    cache.put(KEY, b"ours")
    result = cli_with_env({"BESTIARY_CACHE_DIR": str(folder)}, "clean")
    assert result.returncode == 0 and "emptied" in result.stdout
    assert not (folder / KEY[:2] / KEY).exists()
    assert sorted(tmp_path.rglob("*")) == kept
    assert (linked / "notes.txt").read_text() == "keep me" and outside_file.read_text() == "keep me too"


def test_a_cache_inside_the_book_is_refused_before_anything_is_built(tmp_path):
    book = write_book(tmp_path)
    inside = book / ".cache"
    result = cli_with_env({"BESTIARY_CACHE_DIR": str(inside)}, "build", "--book", str(book),
                          "--out", str(tmp_path / "dist"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith(f"error: expected the build cache outside the book folder ({book}), "
                                    f"found {inside} inside it")
    assert not inside.exists() and not (tmp_path / "dist").exists()
    # `serve` says so at once, instead of rebuilding on its own writes to the cache
    served = subprocess.run([sys.executable, "-m", "bestiary", "serve", "--book", str(book), "--out",
                             str(tmp_path / "dist"), "--port", "0"], capture_output=True, text=True, timeout=60,
                            env=child_env(BESTIARY_CACHE_DIR=str(inside)))
    assert served.returncode == 2 and "error: expected the build cache outside the book folder" in served.stderr


# Point 7: a cached build is the build a cold cache makes.

def test_a_font_subset_is_the_same_whatever_the_epoch(monkeypatch):
    font = fonts_dir() / "CourierPrime-Regular.ttf"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1000000000")
    first = subset_font(font, subset_characters(font, "Bestiary"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert subset_font(font, subset_characters(font, "Bestiary")) == first


def output_bytes(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.mark.slow
def test_a_warm_build_under_another_epoch_writes_what_a_cold_one_does(tmp_path, monkeypatch):
    monkeypatch.setattr("bestiary.build.SPECIMENS_PER_CHUNK", 1)  # in chunks: the undated ones come back
    book = write_book(tmp_path)
    monkeypatch.setenv("BESTIARY_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1000000000")
    build_book(book, tmp_path / "first", ("pdf", "epub"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    warm = build_book(book, tmp_path / "warm", ("pdf", "epub"))
    build_book(book, tmp_path / "cold", ("pdf", "epub"), use_cache=False)
    assert warm.reused > 0  # the chunks without a date came from the cache
    assert output_bytes(tmp_path / "warm") == output_bytes(tmp_path / "cold")


# Point 8 (part): the toolchain fingerprint looks before it reads.

def layouts_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "book" / "layouts"
    folder.mkdir(parents=True)
    (folder / "print.css").write_text("body { color: black; }")
    return folder


def test_the_fingerprint_follows_no_link(tmp_path):
    layouts = layouts_folder(tmp_path)
    secret = tmp_path / "secret"
    secret.write_text("first")
    (layouts / "secret.css").symlink_to(secret)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "big.css").write_text("first")
    (layouts / "linked-folder").symlink_to(elsewhere)
    before = toolchain_fingerprint([layouts])
    secret.write_text("second")
    (elsewhere / "big.css").write_text("second")
    assert toolchain_fingerprint([layouts]) == before


def test_the_fingerprint_reads_no_file_larger_than_a_resource(tmp_path):
    layouts = layouts_folder(tmp_path)
    large = layouts / "large.bin"
    with large.open("wb") as file:
        file.truncate(MAX_RESOURCE_BYTES + 1)  # sparse: nothing on disk
    before = toolchain_fingerprint([layouts])
    status = large.stat()
    with large.open("r+b") as file:
        file.seek(MAX_RESOURCE_BYTES // 2)
        file.write(b"x")
    os.utime(large, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert toolchain_fingerprint([layouts]) == before  # judged by its stat data: not read
    large.write_bytes(b"small now")
    assert toolchain_fingerprint([layouts]) != before


def without_root_file_access() -> None:
    """In the child, before it runs: drop root's power to read any file (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH)."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def test_an_unreadable_layout_file_is_a_located_error_not_a_traceback(tmp_path):
    book = write_book(tmp_path)
    unreadable = book / "layouts" / "print" / "extra.css"
    unreadable.parent.mkdir(parents=True)
    unreadable.write_text("body { color: black; }")
    unreadable.chmod(0)
    try:
        result = subprocess.run([sys.executable, "-m", "bestiary", "build", "--book", str(book), "--out",
                                 str(tmp_path / "dist")], capture_output=True, text=True, timeout=300,
                                preexec_fn=without_root_file_access if IS_ROOT else None)
    except subprocess.SubprocessError as error:
        if IS_ROOT and "prctl" in str(error):
            pytest.skip("root cannot give up its power to read any file here")
        raise
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert f"{unreadable}:1:1: E108" in result.stderr, result.stderr
