"""How fast the command starts: `bestiary --version`, a Tab completion and `bestiary check` on the bundled book.

    python bench/startup.py [--runs N]

Each command runs N times (default 11) after one run to warm the disk cache, as a separate process, as a
user runs it; the table shows the median and the spread of the wall time, beside the target the command
must meet (issue 18: on an idle machine). A shared machine makes the figures larger, never smaller.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = (  # what is timed, the command, its extra environment, and its target in seconds
    ("bestiary --version", ["--version"], {}, 0.15),
    ("Tab completion of a slug", [], {"_BESTIARY_COMPLETE": "bash_complete", "COMP_WORDS": "bestiary dossier s",
                                      "COMP_CWORD": "2"}, 0.25),
    ("bestiary check (bundled book)", ["check", "--book", str(ROOT / "book"), "--out", str(ROOT / "dist")], {},
     0.6),
)


def wall_times(arguments: list[str], environment: dict[str, str], runs: int) -> list[float]:
    command = [sys.executable, "-m", "bestiary", *arguments]
    env = {**os.environ, **environment}
    subprocess.run(command, env=env, capture_output=True, check=False)  # warm the disk cache
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, env=env, capture_output=True, check=False)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    runs = parser.parse_args().runs
    print(f"{'command':<32}{'median s':>10}{'min s':>8}{'max s':>8}{'target s':>10}")
    for name, arguments, environment, target in COMMANDS:
        times = wall_times(arguments, environment, runs)
        verdict = "ok" if statistics.median(times) <= target else "over"
        print(f"{name:<32}{statistics.median(times):>10.3f}{min(times):>8.3f}{max(times):>8.3f}{target:>10.2f}"
              f"  {verdict}")
    print(f"(python -m bestiary, {runs} runs each; load average {os.getloadavg()[0]:.2f})")


if __name__ == "__main__":
    main()
