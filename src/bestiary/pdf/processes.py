"""Worker processes that never outlive the build that started them.

A build killed outright (`kill -9`) cannot shut its process pool down, and
forked workers would live on, each holding a laid-out book in memory. Every
worker calls `die_with_parent` first: on Linux the kernel sends it SIGKILL
when its parent dies (`PR_SET_PDEATHSIG`); elsewhere a watchdog thread notices
that it has been re-parented and exits.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import signal
import sys
import threading
import time

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Make this (worker) process end as soon as the process that started it ends."""
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
                if os.getppid() != parent:  # the parent died before the request took effect
                    os._exit(1)
                return
        except (OSError, AttributeError):
            pass
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="parent-watchdog").start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def give_memory_back() -> None:
    """Return the memory of a finished layout to the system.

    A laid-out chunk is hundreds of megabytes of small objects; freed, glibc keeps them for the
    next task, so a long-lived worker would hold its largest chunk's memory for the whole build.
    `malloc_trim` hands the free pages back (a no-op where the C library has no such call).
    """
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)
