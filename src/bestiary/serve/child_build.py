"""One build for `bestiary serve`, run by `build()` in a child process of its own.

The server has threads: the HTTP server's, and the watcher's, which loads and renders
the preview on every save. A build forks its worker pool whenever it needs a worker,
and a process forked while another thread holds a lock (a module being imported, a
stream being written) starts with that lock held by a thread it does not have: the
worker can wait on it forever. So the build runs in a process forked from
multiprocessing's fork server, which has a single thread and `bestiary.build` already
imported. The server's threads also stay off the build's interpreter lock, which keeps
the preview quick while a build runs, and a crash while rendering leaves the server up.

The child reports its progress, then one outcome, over a pipe; diagnostics cross as
their printed lines.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

STOP_GRACE_SECONDS = 30  # how long an interrupted build may take to unwind (remove its staged files)


@dataclass(frozen=True)
class BuildOutcome:
    """What one build did: whether it succeeded, its problems (errors, or a success's warnings), what it wrote."""

    ok: bool
    problems: tuple[str, ...]
    written: tuple[str, ...] = ()  # outputs whose bytes changed
    summary: str = ""  # one line for the terminal
    stopped: bool = False  # stopped by `stop` (a newer save): it changed nothing and has nothing to say


def build_in_child(book_dir: Path, out_dir: Path, progress: Callable[[str], None],
                   waiting: Callable[[str], None], targets: tuple[str, ...] = ("pdf", "epub"),
                   stop: threading.Event | None = None) -> BuildOutcome:
    """Build `targets` (the field guide and the EPUB) of `book_dir` into `out_dir` in a fresh child process.

    `progress` hears what the build is doing, `waiting` that it waits for another build's lock.
    An interruption (Ctrl-C, kill) stops the child the same way, lets it unwind, and is raised again.
    When `stop` is set, the child is stopped as a kill stops `bestiary build` (outputs untouched), and the
    outcome says only that (`stopped`).
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["bestiary.build"])
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_build, args=(str(book_dir), str(out_dir), targets, sender),
                            name="bestiary-serve-build")
    outcome: BuildOutcome | None = None
    try:
        child.start()
        sender.close()
        while outcome is None:
            if stop is not None and not receiver.poll(0.2):
                if stop.is_set():
                    _stop(child, at_once=True)
                    return BuildOutcome(False, (), summary="stopped for a newer save", stopped=True)
                continue
            try:
                kind, payload = receiver.recv()
            except EOFError:
                break  # the child ended without an outcome
            if kind == "progress":
                progress(payload)
            elif kind == "waiting":
                waiting(payload)
            else:
                outcome = payload
    except BaseException:
        _stop(child)
        raise
    finally:
        receiver.close()
    child.join()
    if outcome is None:
        message = f"error: the build stopped unexpectedly (exit status {child.exitcode}); previous outputs kept"
        return BuildOutcome(False, (message,), summary=message)
    return outcome


def _stop(child: multiprocessing.process.BaseProcess, at_once: bool = False) -> None:
    """End an interrupted build: Ctrl-C reached it too; a kill of the server did not, so pass it on (`at_once`:
    nothing reached it)."""
    if child.pid is None:
        return  # interrupted before it started
    if not at_once:
        child.join(timeout=2)
    if child.is_alive():
        child.terminate()  # SIGTERM: it unwinds, as `bestiary build` does
        child.join(timeout=STOP_GRACE_SECONDS)
    if child.is_alive():
        child.kill()
        child.join()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _build(book_dir: str, out_dir: str, targets: tuple[str, ...], sender: Connection) -> None:
    """The child: one `build()`, its progress and its outcome sent to the server."""
    from ..build import build
    from ..errors import InputError, RenderError, RequestError
    from ..pdf.processes import die_with_parent
    from ..progress import Step
    from ..request import BuildRequest

    die_with_parent()  # the fork server ends with the server, and this build with it
    signal.signal(signal.SIGTERM, _interrupt)
    lock = threading.Lock()  # progress may come from the pool's threads

    def send(kind: str, payload: object) -> None:
        with lock, contextlib.suppress(OSError):  # the server is gone: nobody to tell
            sender.send((kind, payload))

    def report(step: Step) -> None:
        send("progress", str(step))

    try:
        request = BuildRequest.make(book_dir, out_dir, targets)
        result = build(request, progress=report, on_wait=lambda message: send("waiting", message))
    except InputError as error:
        problems = tuple(str(diagnostic) for diagnostic in error.diagnostics)
        outcome = BuildOutcome(False, problems, summary=f"build failed with {len(problems)} problem(s); "
                                                        "previous outputs kept")
    except (RenderError, RequestError) as error:
        outcome = BuildOutcome(False, (f"error: {error}",), summary=f"error: {error}; previous outputs kept")
    except KeyboardInterrupt:
        return  # stopped with the server: the build has unwound, nothing to say
    except Exception as error:  # a bug: the server says so on the page and keeps the last good outputs
        message = f"error: the build failed unexpectedly ({type(error).__name__}: {error})"
        outcome = BuildOutcome(False, (message,), summary=f"{message}; previous outputs kept")
    else:
        written = tuple(str(item.path) for item in result.written if not item.unchanged)
        warnings = (*(str(warning) for warning in result.warnings),
                    *(f"warning: {line}" for line in result.machine_warnings))
        outcome = BuildOutcome(True, warnings, written,
                               f"rebuilt: {', '.join(written)}" if written else "rebuilt: outputs unchanged")
    send("outcome", outcome)
    sender.close()
