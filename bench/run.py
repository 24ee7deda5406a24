"""Benchmark: the project's builds against the plain way of printing the same book, as ratios from one run.

    python bench/run.py [N ...] [--skip-naive] [--only STEPS] [--keep] [--settle SECONDS]

For each N (default 50 200 500) a synthetic book of N roles (bench/generate.py) is printed, each step
a separate process measured with its descendants (bench/measure.py): the naive baseline
(bench/naive.py), cold builds with an empty cache, and warm rebuilds. Prints a table, and writes the
raw figures and the ratios to bench/results/<timestamp>-<host>.json. The machine is shared: compare
ratios from one run, not seconds across runs. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import SummaryEdit, add_paragraph, edit_summary, generate
from measure import Measurement, measure

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
DEFAULT_SIZES = (50, 200, 500)
# A fixed build date: otherwise every build stamps a new date into its outputs and no rebuild is a no-change one.
DEFAULT_SOURCE_DATE_EPOCH = "1767225600"  # 2026-01-01
BUSY_LOAD = 0.5  # 1-minute load average above which a shared 2-core machine skews the timings

STEPS = {  # in the order they run
    "naive-guide": "naive guide (one document)",
    "naive-dossiers": "naive dossiers (serial)",
    "naive-ua": "naive PDF/UA-1 guide (one document)",
    "build": "cold full build",
    "pdf": "field guide alone, cold",
    "dossiers": "all dossiers alone, cold",
    "ua": "PDF/UA-1 guide alone, cold",
    "epub": "EPUB alone, warm cache",
    "web": "web edition after it, warm",
    "edit": "edit one summary, rebuild",
    "edit-paragraph": "add a paragraph near the front, rebuild",
    "nochange": "no-change rebuild",
}
NAIVE_STEPS = ("naive-guide", "naive-dossiers")  # the plain render of a full build's outputs
PLAIN_RENDERS = (*NAIVE_STEPS, "naive-ua")  # what --skip-naive leaves out and --only naive runs
WARM_STEPS = ("epub", "web", "edit", "edit-paragraph", "nochange")  # from the cold full build's cache and outputs
# A full build is the guide, the EPUB and the dossiers (issue 23): the web edition and the print files are rows of
# their own, though a plain `bestiary build` makes the web edition too.
FULL_BUILD = ("pdf", "epub", "dossiers")


@dataclass(frozen=True)
class Ratio:
    key: str
    label: str
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]
    figure: str  # a Measurement attribute
    target: float | None  # the target, as an upper bound


RATIOS = (
    Ratio("cold_full_wall", "cold full build / naive guide+dossiers, wall", ("build",), NAIVE_STEPS, "wall_s", 0.45),
    Ratio("cold_full_cpu", "cold full build / naive guide+dossiers, CPU", ("build",), NAIVE_STEPS, "cpu_s", 0.45),
    Ratio("guide_alone_wall", "field guide alone / naive guide, wall", ("pdf",), ("naive-guide",), "wall_s", 0.55),
    Ratio("memory_pss", "peak PSS of full build / naive guide's", ("build",), ("naive-guide",), "peak_pss_mb", 0.25),
    Ratio("memory_rss", "peak RSS of full build / naive guide's", ("build",), ("naive-guide",), "peak_rss_mb", None),
    Ratio("edit_wall", "edit rebuild / cold full build, wall", ("edit",), ("build",), "wall_s", 0.10),
    Ratio("nochange_wall", "no-change rebuild / cold full build, wall", ("nochange",), ("build",), "wall_s", 0.02),
    Ratio("epub_wall", "EPUB alone (warm) / field guide alone, wall", ("epub",), ("pdf",), "wall_s", 0.05),
    # speed round two (issue 23): an edit that moves every later folio, and the tagged variant laid out whole
    Ratio("edit_paragraph_wall", "paragraph added, rebuild / cold full build, wall", ("edit-paragraph",), ("build",),
          "wall_s", 0.15),
    Ratio("ua_wall", "PDF/UA-1 guide, cold / naive PDF/UA-1 guide, wall", ("ua",), ("naive-ua",), "wall_s", 0.40),
    # the web edition (issue 22), from the full build's cache and outputs: a row of its own, no target yet
    Ratio("web_wall", "web edition after the full build / cold full build, wall", ("web",), ("build",), "wall_s",
          None),
)


def ratio_value(ratio: Ratio, steps: dict[str, Measurement]) -> float | None:
    """The ratio, or None when a step it needs was skipped or failed."""
    needed = ratio.numerator + ratio.denominator
    if any(name not in steps or steps[name].returncode != 0 for name in needed):
        return None
    total = lambda names: sum(getattr(steps[name], ratio.figure) for name in names)  # noqa: E731
    denominator = total(ratio.denominator)
    return total(ratio.numerator) / denominator if denominator else None


def modification_times(folder: Path) -> dict[str, int]:
    return {str(path.relative_to(folder)): path.stat().st_mtime_ns for path in folder.rglob("*") if path.is_file()}


def changed_files(before: dict[str, int], after: dict[str, int]) -> int:
    """Files written, added or removed between two snapshots of `modification_times`."""
    return sum(1 for name in before.keys() | after.keys() if before.get(name) != after.get(name))


def field_guide_pages(out: Path) -> int | None:
    pdfs = sorted(out.glob("*.pdf"))  # the field guide is the one PDF at the top of the output folder
    return len(PdfReader(pdfs[0]).pages) if pdfs else None


def pdf_count(folder: Path) -> int:
    return len(list(folder.glob("*.pdf")))


class SizeRun:
    """The steps for one book size, in one working folder; a step that fails is recorded, not fatal."""

    def __init__(self, count: int, folder: Path, env: dict[str, str], settle: float):
        self.count, self.folder, self.env, self.settle = count, folder, env, settle
        self.book = generate(count, folder / "book")
        self.steps: dict[str, Measurement] = {}
        self.changed: dict[str, int] = {}  # step → output files it wrote, added or removed
        self.pages: dict[str, int | None] = {}
        self.dossiers: dict[str, int] = {}
        self.notes: list[str] = []
        self.edit: SummaryEdit | None = None
        self.paragraph_in: Path | None = None  # the chapter the edit-paragraph step added to
        self.warm_cache, self.warm_out = folder / "cache-build", folder / "out-build"
        self.warm: bool | None = None  # whether the cold full build into warm_cache and warm_out worked; None: not run

    def measure(self, name: str, command: list[str], cache: Path) -> Measurement:
        wait_for_quiet(self.settle)
        load = os.getloadavg()[0]
        if load > BUSY_LOAD:
            print(f"  warning: 1-minute load average {load:.2f} before '{name}' (above {BUSY_LOAD}: another job, "
                  "or the previous step, still weighs on this shared machine)", flush=True)
        print(f"  {STEPS[name]} …", end=" ", flush=True)
        cache.mkdir(parents=True, exist_ok=True)
        result = measure(command, env={**self.env, "BESTIARY_CACHE_DIR": str(cache)},
                         log=self.folder / f"{name}.log")
        self.steps[name] = result
        if result.returncode == 0:
            print(f"{result.wall_s:.1f} s", flush=True)
        else:
            tail = (self.folder / f"{name}.log").read_text(errors="replace")[-2000:]
            self.notes.append(f"{name} failed with status {result.returncode}")
            print(f"FAILED (status {result.returncode}):\n{tail}", flush=True)
        return result

    def bestiary(self, out: Path, *targets: str) -> list[str]:
        return [sys.executable, "-m", "bestiary", "build", *(targets or FULL_BUILD), "--book", str(self.book),
                "--out", str(out)]

    def naive(self, mode: str, target: Path) -> list[str]:
        return [sys.executable, str(BENCH / "naive.py"), mode, str(self.book), str(target)]

    def run(self, chosen: list[str]) -> None:
        for name in chosen:
            if name in WARM_STEPS:
                if self.warm is None:
                    self.prepare_warm_cache()
                if not self.warm:
                    self.notes.append(f"{name} skipped: the cold full build failed")
                    continue
            getattr(self, "step_" + name.replace("-", "_"))()

    def step_naive_guide(self) -> None:
        self.naive_guide("naive-guide", "guide", "naive guide")

    def step_naive_dossiers(self) -> None:
        target = self.folder / "naive" / "dossiers"
        if self.measure("naive-dossiers", self.naive("dossiers", target), self.folder / "cache-naive").returncode == 0:
            self.dossiers["naive"] = pdf_count(target)

    def step_naive_ua(self) -> None:
        self.naive_guide("naive-ua", "guide-ua", "naive PDF/UA-1 guide")

    def naive_guide(self, step: str, mode: str, pages_label: str) -> None:
        """The plain render of the field guide in `mode` (bench/naive.py), its page count kept as `pages_label`."""
        target = self.folder / "naive" / f"{mode}.pdf"
        target.parent.mkdir(parents=True, exist_ok=True)
        if self.measure(step, self.naive(mode, target), self.folder / "cache-naive").returncode == 0:
            self.pages[pages_label] = len(PdfReader(target).pages)

    def step_ua(self) -> None:
        out = self.folder / "out-ua"
        command = [*self.bestiary(out, "pdf"), "--variant", "pdf/ua-1"]
        if self.measure("ua", command, self.folder / "cache-ua").returncode == 0:
            self.pages["PDF/UA-1 guide alone"] = field_guide_pages(out)

    def step_build(self) -> None:
        self.warm = self.measure("build", self.bestiary(self.warm_out), self.warm_cache).returncode == 0
        if self.warm:
            self.record_outputs()

    def record_outputs(self) -> None:
        self.pages["cold full build"] = field_guide_pages(self.warm_out)
        self.dossiers["cold full build"] = pdf_count(self.warm_out / "dossiers")

    def prepare_warm_cache(self) -> None:
        """The cold full build, unmeasured, for warm steps run without the 'build' step."""
        print("  (preparing the warm cache: a cold full build, not measured)", flush=True)
        self.warm_cache.mkdir(parents=True, exist_ok=True)
        env = {**self.env, "BESTIARY_CACHE_DIR": str(self.warm_cache)}
        done = subprocess.run(self.bestiary(self.warm_out), env=env, capture_output=True, text=True, check=False)
        self.warm = done.returncode == 0
        if self.warm:
            self.record_outputs()
        else:
            print(f"  the cold full build FAILED (status {done.returncode}):\n{done.stderr[-2000:]}", flush=True)

    def step_pdf(self) -> None:
        out = self.folder / "out-pdf"
        if self.measure("pdf", self.bestiary(out, "pdf"), self.folder / "cache-pdf").returncode == 0:
            self.pages["field guide alone"] = field_guide_pages(out)

    def step_dossiers(self) -> None:
        out = self.folder / "out-dossiers"
        if self.measure("dossiers", self.bestiary(out, "dossiers"), self.folder / "cache-dossiers").returncode == 0:
            self.dossiers["dossiers alone"] = pdf_count(out / "dossiers")

    def step_epub(self) -> None:
        self.measure("epub", self.bestiary(self.folder / "out-epub", "epub"), self.warm_cache)

    def step_web(self) -> None:
        """The site from the full build's cache, into its output folder: its pages, cards, fonts and search."""
        if self.measure("web", self.bestiary(self.warm_out, "web"), self.warm_cache).returncode == 0:
            self.pages["web edition"] = len(list((self.warm_out / "web").glob("*.html")))

    def step_edit(self) -> None:
        self.edit = edit_summary(self.book)
        if self.rebuild_warm("edit"):
            self.pages["after the edit"] = field_guide_pages(self.warm_out)

    def step_edit_paragraph(self) -> None:
        self.paragraph_in = add_paragraph(self.book)
        if self.rebuild_warm("edit-paragraph"):
            self.pages["after the added paragraph"] = field_guide_pages(self.warm_out)

    def step_nochange(self) -> None:
        self.rebuild_warm("nochange")

    def rebuild_warm(self, name: str) -> bool:
        before = modification_times(self.warm_out)
        if self.measure(name, self.bestiary(self.warm_out), self.warm_cache).returncode != 0:
            return False
        self.changed[name] = changed_files(before, modification_times(self.warm_out))
        return True

    def as_json(self) -> dict:
        return {
            "roles": self.count,
            "field_guide_pages": self.pages,
            "dossiers": self.dossiers,
            "edited": self.edit and {"record": str(self.edit.record), "field": "summary",
                                     "old_word": self.edit.old_word, "new_word": self.edit.new_word},
            "paragraph_added_to": self.paragraph_in and str(self.paragraph_in.relative_to(self.book)),
            "output_files": len(modification_times(self.warm_out)) if self.warm_out.is_dir() else None,
            "output_files_changed": self.changed,
            "steps": {name: result.as_json() for name, result in self.steps.items()},
            "ratios": {ratio.key: {"label": ratio.label, "value": ratio_value(ratio, self.steps),
                                   "target": ratio.target} for ratio in RATIOS},
            "notes": self.notes,
        }


def wait_for_quiet(most_seconds: float) -> None:
    """Wait, up to `most_seconds`, for the 1-minute load average to fall to `BUSY_LOAD`."""
    deadline = time.monotonic() + most_seconds
    while os.getloadavg()[0] > BUSY_LOAD and time.monotonic() < deadline:
        time.sleep(5)


def warm_up(folder: Path, env: dict[str, str]) -> None:
    """One small build, unmeasured: the first step should not pay for the fontconfig cache or a cold disk."""
    book = generate(1, folder / "book")
    subprocess.run([sys.executable, "-m", "bestiary", "build", "dossiers", "--book", str(book), "--out",
                    str(folder / "out")], env={**env, "BESTIARY_CACHE_DIR": str(folder / "cache")},
                   capture_output=True, check=False)


def machine() -> dict:
    def first(path: str, key: str) -> str | None:
        try:
            lines = Path(path).read_text().splitlines()
        except OSError:
            return None
        return next((line.split(":", 1)[1].strip() for line in lines if line.startswith(key)), None)

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    return {
        "host": socket.gethostname(),
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu": first("/proc/cpuinfo", "model name"),
        "memory": first("/proc/meminfo", "MemTotal"),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "weasyprint": importlib.metadata.version("weasyprint"),
        "commit": git("rev-parse", "HEAD"),
        "uncommitted_changes": bool(git("status", "--porcelain", "--", "src", "layouts", "fonts")),
        "load_average_at_start": os.getloadavg(),
    }


def print_size(run: SizeRun) -> None:
    pages = ", ".join(f"{where} {count}" for where, count in run.pages.items())
    dossiers = ", ".join(f"{where} {count}" for where, count in run.dossiers.items())
    print(f"\n{run.count} roles: field guide pages ({pages or 'none built'}); dossiers ({dossiers or 'none built'})")
    if run.edit:
        print(f"edited {run.edit.record}: summary word '{run.edit.old_word}' → '{run.edit.new_word}'")
    print(f"{'step':<28}{'wall s':>9}{'CPU s':>9}{'PSS MiB':>9}{'RSS MiB':>9}{'procs':>7}"
          f"{'load before→after':>19}{'changed':>9}")
    for name, result in run.steps.items():
        changed = run.changed.get(name)
        status = "" if result.returncode == 0 else f"  FAILED ({result.returncode})"
        print(f"{STEPS[name]:<28}{result.wall_s:>9.1f}{result.cpu_s:>9.1f}{result.peak_pss_mb:>9.0f}"
              f"{result.peak_rss_mb:>9.0f}{result.peak_processes:>7}"
              f"{result.load_before[0]:>12.2f} → {result.load_after[0]:<4.2f}"
              f"{'' if changed is None else changed:>9}{status}")
    print(f"\n{'ratio':<48}{'value':>7}{'target':>9}")
    for ratio in RATIOS:
        value = ratio_value(ratio, run.steps)
        target = f"≤ {ratio.target:.2f}" if ratio.target is not None else "—"
        verdict = "" if value is None or ratio.target is None else ("  met" if value <= ratio.target else "  missed")
        print(f"{ratio.label:<48}{'n/a' if value is None else f'{value:.3f}':>7}{target:>9}{verdict}")
    for note in run.notes:
        print(f"note: {note}")


def chosen_steps(only: str | None, skip_naive: bool) -> list[str]:
    wanted = set(STEPS)
    if only:
        names = {name.strip() for name in only.split(",") if name.strip()}
        if "naive" in names:
            names = (names - {"naive"}) | set(PLAIN_RENDERS)
        unknown = names - set(STEPS)
        if unknown:
            sys.exit(f"unknown step(s) {', '.join(sorted(unknown))}; expected naive, {', '.join(STEPS)}")
        wanted = names
    if skip_naive:
        wanted -= set(PLAIN_RENDERS)
    return [name for name in STEPS if name in wanted]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", nargs="*", type=int, default=list(DEFAULT_SIZES), metavar="N",
                        help="numbers of roles (default: 50 200 500)")
    parser.add_argument("--skip-naive", action="store_true", help="skip the naive baseline (no ratios to it)")
    parser.add_argument("--only", metavar="STEPS",
                        help=f"comma-separated steps to run: naive (both), {', '.join(STEPS)}")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (books, outputs, logs)")
    parser.add_argument("--settle", type=float, default=0, metavar="SECONDS",
                        help=f"before each step, wait up to SECONDS for the load average to fall to {BUSY_LOAD}")
    options = parser.parse_args()
    steps = chosen_steps(options.only, options.skip_naive)
    if not steps:
        sys.exit("no step left to run (--skip-naive removed the naive ones)")

    env = {name: value for name, value in os.environ.items() if name != "BESTIARY_CACHE_DIR"}
    env.setdefault("SOURCE_DATE_EPOCH", DEFAULT_SOURCE_DATE_EPOCH)
    started = datetime.datetime.now(datetime.UTC)
    info = machine()
    print(f"{info['host']}: {info['cores']} cores ({info['usable_cores']} usable), {info['cpu']}, "
          f"{info['memory']}; load average {' '.join(f'{load:.2f}' for load in os.getloadavg())}")
    print(f"commit {info['commit'][:12]}{' with uncommitted changes' if info['uncommitted_changes'] else ''}; "
          f"steps: {', '.join(steps)}")
    host = "".join(c if c.isalnum() or c in "-." else "-" for c in info["host"])
    results_path = RESULTS / f"{started:%Y%m%dT%H%M%SZ}-{host}.json"
    report = {"started": started.isoformat(), "machine": info, "steps_chosen": steps,
              "source_date_epoch": env["SOURCE_DATE_EPOCH"], "sizes": []}

    folder = Path(tempfile.mkdtemp(prefix="bestiary-bench-"))
    failed = False
    try:
        warm_up(folder / "warm-up", env)
        for count in options.sizes:
            print(f"\n== {count} roles ({folder / f'n{count}'})", flush=True)
            run = SizeRun(count, folder / f"n{count}", env, options.settle)
            run.run(steps)
            print_size(run)
            failed |= any(result.returncode != 0 for result in run.steps.values())
            report["sizes"].append(run.as_json())
            report["finished"] = datetime.datetime.now(datetime.UTC).isoformat()
            RESULTS.mkdir(exist_ok=True)
            results_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            if not options.keep:
                shutil.rmtree(folder / f"n{count}")
    finally:
        if options.keep:
            print(f"\nkept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"\nload average at the end {' '.join(f'{load:.2f}' for load in os.getloadavg())}")
    print(f"results: {results_path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
