"""Shared fixtures: small books written on the fly, and the CLI run as a user runs it."""

from __future__ import annotations

import contextlib
import copy
import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BUNDLED_BOOK = ROOT / "book"
FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE_BOOK = FIXTURES / "book"  # a frozen copy of the bundled book: what tests of a fixed book read

BOOK_YAML = {
    "title": "A Small Bestiary",
    "subtitle": "For tests",
    "publisher": "OTIOSE",
    "kingdom": "Adulthood",
    "language": "en",
    "authors": ["Test Desk"],
    "edition": "Test edition",
    "date": "2026-01-02",
    "identifier": "urn:uuid:00000000-0000-4000-8000-000000000001",
    "currency": "USD",
    "flight_risk_bands": [{"from": 0, "level": "LOW RISK"}, {"from": 70, "level": "HIGH RISK"}],
}


FIXTURE_BUILD_FOLDER = "BESTIARY_TEST_FIXTURE_BUILD"  # where the run's build of the fixture book goes


def pytest_configure(config):
    """One build cache for the whole run, never the user's own: made by the controlling process,
    inherited by the test workers (they start after this), removed at the end. The fixture book's
    build starts at once, in a process of its own, beside the first tests (see `fixture_build`),
    unless the run leaves out the end-to-end tests."""
    if hasattr(config, "workerinput"):
        # the test workers yield to the background builds, which then finish early, before the tests that read them
        with contextlib.suppress(OSError):
            os.nice(5)
        return
    # one layout process per build: the test workers already keep every core busy, and a pool's start
    # costs a small book's build a third more CPU (tests of the pool itself ask for theirs)
    os.environ.setdefault("BESTIARY_WORKERS", "1")
    config.bestiary_cache = tempfile.mkdtemp(prefix="bestiary-test-cache-")
    os.environ["BESTIARY_CACHE_DIR"] = config.bestiary_cache
    config.fixture_folder = tempfile.mkdtemp(prefix="bestiary-test-fixture-build-")
    os.environ[FIXTURE_BUILD_FOLDER] = config.fixture_folder
    if "not slow" not in (config.option.markexpr or ""):
        config.background_builds = [start_background_build(name) for name in BACKGROUND_BUILDS]


def pytest_collection_modifyitems(config, items):
    """The tests that read a background build last (by then it is done, and no worker waits for it); before
    them the end-to-end tests first, so that the workers finish on short tests, not on one long build. The
    workers start on tests in this order (`--dist worksteal` then evens them out)."""
    background = {f"{name}_build" for name in BACKGROUND_BUILDS}
    items.sort(key=lambda item: (bool(background & set(item.fixturenames)), item.get_closest_marker("slow") is None))


def pytest_unconfigure(config):
    for process in getattr(config, "background_builds", ()):
        process.kill()
        process.wait()
    for folder in ("bestiary_cache", "fixture_folder"):
        if hasattr(config, folder):
            shutil.rmtree(getattr(config, folder), ignore_errors=True)


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true",
                     help="rewrite the golden files in tests/golden from the current output")


@pytest.fixture
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


def record(title: str, related: list[dict] | None = None) -> dict:
    """A complete, valid role record with plain, short text."""
    return {
        "title": title,
        "summary": f"Does what a {title} does, slowly.",
        "org_chart": ["Chief Officer", title, "Intern"],
        "aliases": [f"{title} II"],
        "habitat": ["Open-plan Offices"],
        "salary": {"market_average": 100000, "note": "An average.", "verdict": "Too much."},
        "flight_risk": {"percent": 50, "diagnosis": "Leaves when asked to stay."},
        "metrics": [{"name": "Meetings Attended", "description": "All of them."}],
        "weaponry": [{"name": "The Slide Deck", "description": "Forty slides."}],
        "encounter": "Nod and leave.",
        "jd_autopsy": [{"illusion": "Drives outcomes.", "translation": "Drives to the office."}],
        "day_in_the_life": [{"time": "09:00 - 10:00", "title": "Stand-up", "description": "Sits down."}],
        "burn_ward": [{"quote": "I hate it here.", "source": "reddit.com"}],
        "related": related or [],
    }


def write_book(root: Path, families: dict[str, dict[str, dict | str]] | None = None, numbered: bool = True) -> Path:
    """Write a book folder; a record given as str is written verbatim (for bad YAML). Unless not `numbered`, each
    record given as a dict without a `file_number` gets one after its title, 1, 2… in reading order (a record
    without one builds with a warning, W504)."""
    book = root / "book"
    (book / "chapters").mkdir(parents=True)
    (book / "book.yaml").write_text(yaml.safe_dump(BOOK_YAML, sort_keys=False), encoding="utf-8")
    (book / "chapters" / "00-foreword.md").write_text("---\ntitle: Foreword\n---\nA short *foreword*.\n",
                                                      encoding="utf-8")
    if families is None:
        families = {
            "01-first": {"alpha-analyst": record("Alpha Analyst", [{"role": "beta-boss", "match": 90}])},
            "02-second": {"beta-boss": record("Beta Boss", [{"role": "alpha-analyst", "match": 80}])},
        }
    number = 0
    for family, records in sorted(families.items()):
        folder = book / "chapters" / family
        folder.mkdir()
        (folder / "chapter.md").write_text(f"---\ntitle: Family {family}\n---\nIntro.\n", encoding="utf-8")
        for slug, content in sorted(records.items()):
            if numbered and isinstance(content, dict) and "file_number" not in content:
                number += 1
                title = {"title": content["title"]} if "title" in content else {}
                content = {**title, "file_number": number, **content}
            text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
            (folder / f"{slug}.yaml").write_text(text, encoding="utf-8")
    return book


@dataclass(frozen=True)
class BuiltBook:
    """The fixture book built once with `bestiary build`: its output folder and what the command printed."""

    out: Path
    stdout: str
    stderr: str


SOURCE_DATE_EPOCH = "1764201600"


# The child that builds a book in the background: the command as a user runs it, then what it printed, as JSON.
_BACKGROUND_BUILD = """
import ctypes, json, signal, subprocess, sys
def die_with_parent():  # PR_SET_PDEATHSIG: a run killed part way (a timeout, ^C) leaves no build behind
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
die_with_parent()
book, out, printed, *commands = sys.argv[1:]
returncode, stdout, stderr = 0, "", ""
for command in commands:  # one after another into one folder; the later ones reuse the cache's layouts
    result = subprocess.run([sys.executable, "-m", "bestiary", "build", *command.split(), "--book", book,
                             "--out", out], capture_output=True, text=True, preexec_fn=die_with_parent)
    returncode, stdout, stderr = returncode or result.returncode, stdout + result.stdout, stderr + result.stderr
with open(printed + ".part", "w") as stream:
    json.dump([returncode, stdout, stderr], stream)
import os; os.replace(printed + ".part", printed)
"""

# The books built once a run, in the background from its start: each its book and its `build` commands' options.
# The bundled book's dossiers are left out: the suite's time (under 5 minutes on 2 cores) cannot pay for 40 more
# layouts, and they are the fixture book's dossiers' macros on a larger page (tests/cli/test_bundled_book.py).
BACKGROUND_BUILDS = {"fixture": (FIXTURE_BOOK, ("",)), "bundled": (BUNDLED_BOOK, ("--strict epub", "--strict pdf"))}


def start_background_build(name: str) -> subprocess.Popen:
    """Start building `BACKGROUND_BUILDS[name]` into `<run folder>/<name>/dist`; its `printed.json` says when it is
    done."""
    folder = Path(os.environ[FIXTURE_BUILD_FOLDER]) / name
    folder.mkdir(exist_ok=True)
    (folder / "started").touch()
    book, options = BACKGROUND_BUILDS[name]
    return subprocess.Popen([sys.executable, "-c", _BACKGROUND_BUILD, str(book), str(folder / "dist"),
                             str(folder / "printed.json"), *options],
                            env={**os.environ, "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def background_build(name: str) -> BuiltBook:
    """The finished build `name` of this run, shared by every test worker (xdist): started with the run, beside
    the first tests, so no worker sits idle waiting for it; a run that left it out (`-m "not slow"`, then asking
    for one such test by name) builds it here."""
    folder = Path(os.environ[FIXTURE_BUILD_FOLDER]) / name
    folder.mkdir(exist_ok=True)
    printed = folder / "printed.json"
    with open(folder / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / "started").exists():
            start_background_build(name).wait()
    deadline = time.monotonic() + 900
    while not printed.exists():
        assert time.monotonic() < deadline, f"the {name} book's build did not finish in 15 minutes"
        time.sleep(0.2)
    returncode, stdout, stderr = json.loads(printed.read_text(encoding="utf-8"))
    assert returncode == 0, stderr
    return BuiltBook(folder / "dist", stdout, stderr)


@pytest.fixture(scope="session")
def fixture_build() -> BuiltBook:
    """The fixture book (`FIXTURE_BOOK`), built once for the whole run with SOURCE_DATE_EPOCH set, as a user
    runs `bestiary build`."""
    return background_build("fixture")


@pytest.fixture(scope="session")
def bundled_build() -> BuiltBook:
    """The bundled book (`book/`), built once for the run with `bestiary build --strict`, from the run's start."""
    return background_build("bundled")


def build_book(book_dir: Path, out_dir: Path, targets=("pdf", "epub", "dossiers"), **options):
    """`build()` of a request made as the command line makes one (`BuildRequest.make`)."""
    from bestiary.build import build
    from bestiary.request import BuildRequest

    return build(BuildRequest.make(book_dir, out_dir, targets, **options))


def with_print_edition(book: Path, **edition: object) -> Path:
    """The small book with these `print_edition` keys in its book.yaml."""
    path = book / "book.yaml"
    settings = yaml.safe_load(path.read_text(encoding="utf-8"))
    settings["print_edition"] = {**settings.get("print_edition", {}), **edition}
    path.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    return book


@pytest.fixture
def small_book(tmp_path: Path) -> Path:
    return write_book(tmp_path)


@pytest.fixture
def make_record():
    return lambda title, related=None: copy.deepcopy(record(title, related))


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `python -m bestiary` in a child process, exactly as a user would (for signals, locks, servers)."""
    return subprocess.run([sys.executable, "-m", "bestiary", *args], cwd=cwd, capture_output=True, check=False,
                          text=True, env=env, timeout=600)


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the `bestiary` command in this process (click's CliRunner): what a user sees, without a new Python."""
    return cli_with_env({}, *args, cwd=cwd)


def cli_with_env(env: dict[str, str], *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`cli` with environment variables set for the duration of the command."""
    from click.testing import CliRunner

    from bestiary.cli import main

    previous = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, list(args), prog_name="bestiary", catch_exceptions=True, env=env)
    finally:
        os.chdir(previous)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a bug, not a diagnostic: show its traceback
    return subprocess.CompletedProcess(["bestiary", *args], result.exit_code, result.stdout, result.stderr)


def assert_input_error(result: subprocess.CompletedProcess, *fragments: str) -> list[str]:
    """Exit status 2, no traceback, and one diagnostic line containing every fragment."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    lines = [line for line in result.stderr.splitlines() if all(f in line for f in fragments)]
    assert lines, f"no line with {fragments} in:\n{result.stderr}"
    return lines
