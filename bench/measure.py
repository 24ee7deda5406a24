"""Measure one command as a process tree: wall time, CPU time and peak memory of it and all its descendants.

CPU time comes from the kernel's accounting of reaped children (`RUSAGE_CHILDREN`), so it counts the
grandchildren the command waited for (dossier workers). Memory cannot be had that way (the kernel keeps
only the largest single process), so a thread samples the tree every 50 ms and keeps the largest sums
of RSS and of PSS. PSS shares each page among the processes mapping it: the fair figure for forked
workers, whose summed RSS counts the pages they share with their parent again and again.

RSS is cheap to read; PSS is not: the kernel walks every resident page for /proc/<pid>/smaps_rollup
(about 5 ms for a 140 MB process, 20-35 ms for 1 GB, and it holds the process's memory map lock
meanwhile). On a 2-core machine a 50 ms PSS sweep would take a good part of the core the build
needs, so PSS sweeps are spaced to cost at most `PSS_CPU_SHARE` of one core; RSS is read every 50 ms.
Memory grows over seconds of layout, so the spaced sweeps still meet the peak closely.
"""

from __future__ import annotations

import contextlib
import os
import resource
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SAMPLE_INTERVAL = 0.05  # seconds
PSS_CPU_SHARE = 0.02  # of one core, at most, for reading PSS
_HAS_CHILDREN_FILES = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").exists()


@dataclass(frozen=True)
class Measurement:
    command: tuple[str, ...]
    returncode: int
    wall_s: float
    cpu_user_s: float
    cpu_sys_s: float
    peak_rss_mb: float  # MiB, summed over the tree at its largest sample
    peak_pss_mb: float
    peak_processes: int
    samples: int
    pss_samples: int
    pss_is_rss: bool  # some process's smaps_rollup was unreadable: its RSS stood in for its PSS
    sampler_cpu_s: float  # what the sampling thread cost this (parent) process
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]

    @property
    def cpu_s(self) -> float:
        return self.cpu_user_s + self.cpu_sys_s

    def as_json(self) -> dict:
        return {**self.__dict__, "command": list(self.command), "cpu_s": self.cpu_s}


def process_tree(root: int) -> list[int]:
    """`root` and every live descendant of it."""
    children = _children_from_task_files if _HAS_CHILDREN_FILES else _children_from_stat_files()
    tree, frontier = [], [root]
    while frontier:
        pid = frontier.pop()
        tree.append(pid)
        frontier.extend(children(pid))
    return tree


def _children_from_task_files(pid: int) -> list[int]:
    # a child is listed under the thread that started it, so every thread is read
    found = []
    try:
        threads = list(Path(f"/proc/{pid}/task").glob("*/children"))
    except OSError:  # the process ended while it was being listed
        return found
    for children in threads:
        with contextlib.suppress(OSError):  # the thread or process has just ended
            found += [int(child) for child in children.read_text().split()]
    return found


def _children_from_stat_files():
    """For kernels without `children` files: one pass over every process's parent id."""
    by_parent: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            # the command name in parentheses may hold spaces: the parent id is the second field after it
            parent = int(stat.rpartition(")")[2].split()[1])
            by_parent.setdefault(parent, []).append(int(entry.name))
    return lambda pid: by_parent.get(pid, [])


def memory_kb(pid: int) -> tuple[int, int, bool] | None:
    """(RSS, PSS, whether RSS stood in for PSS) of a process in KiB, or None once it has ended."""
    try:
        fields = _fields(Path(f"/proc/{pid}/smaps_rollup").read_text())
        if "Rss" in fields and "Pss" in fields:
            return fields["Rss"], fields["Pss"], False
    except OSError:
        pass
    rss = rss_kb(pid)
    return None if rss is None else (rss, rss, True)


def rss_kb(pid: int) -> int | None:
    """RSS of a process in KiB, or None once it has ended (a zombie has no VmRSS)."""
    try:
        return _fields(Path(f"/proc/{pid}/status").read_text()).get("VmRSS")
    except OSError:
        return None


def _fields(text: str) -> dict[str, int]:
    found = {}
    for line in text.splitlines():
        name, _, value = line.partition(":")
        parts = value.split()
        if len(parts) == 2 and parts[1] == "kB":
            found[name] = int(parts[0])
    return found


class TreeSampler(threading.Thread):
    """Samples the memory of a process tree until stopped; keeps the largest sums."""

    def __init__(self, root: int):
        super().__init__(daemon=True, name="tree-sampler")
        self.root = root
        self.peak_rss_kb = self.peak_pss_kb = self.peak_processes = self.samples = self.pss_samples = 0
        self.pss_is_rss = False
        self._next_pss = 0.0  # time.monotonic() from which the next sample reads PSS too
        self.cpu_s = 0.0
        self._stopped = threading.Event()

    def run(self) -> None:
        started = time.thread_time()
        while True:
            self.sample()
            if self._stopped.wait(SAMPLE_INTERVAL):
                break
        self.cpu_s = time.thread_time() - started

    def sample(self) -> None:
        started, cpu_started = time.monotonic(), time.thread_time()
        with_pss = started >= self._next_pss
        rss_total = pss_total = processes = 0
        for pid in process_tree(self.root):
            if with_pss:
                memory = memory_kb(pid)
                if memory is None:
                    continue
                rss, pss, fallback = memory
                pss_total += pss
                self.pss_is_rss |= fallback
            else:
                rss = rss_kb(pid)
                if rss is None:
                    continue
            rss_total, processes = rss_total + rss, processes + 1
        self.peak_rss_kb = max(self.peak_rss_kb, rss_total)
        self.peak_processes = max(self.peak_processes, processes)
        self.samples += 1
        if with_pss:
            self.peak_pss_kb = max(self.peak_pss_kb, pss_total)
            self.pss_samples += 1
            # by CPU time, not wall time: on a busy machine the wait for a core is no cost to the build
            self._next_pss = started + (time.thread_time() - cpu_started) / PSS_CPU_SHARE

    def stop(self) -> None:
        self._stopped.set()
        self.join()


def measure(command: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None,
            log: Path | None = None) -> Measurement:
    """Run `command` to its end, its output to `log` (or discarded), and measure it with its descendants."""
    load_before = os.getloadavg()
    output = open(log, "wb") if log else open(os.devnull, "wb")  # noqa: SIM115 (closed below, after the wait)
    try:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=output, stderr=subprocess.STDOUT)
        sampler = TreeSampler(process.pid)
        sampler.start()
        try:
            returncode = process.wait()
        finally:
            wall = time.perf_counter() - started
            sampler.stop()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    finally:
        output.close()
    return Measurement(
        tuple(command), returncode, wall, after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime,
        sampler.peak_rss_kb / 1024, sampler.peak_pss_kb / 1024, sampler.peak_processes, sampler.samples,
        sampler.pss_samples, sampler.pss_is_rss, sampler.cpu_s, load_before, os.getloadavg())
