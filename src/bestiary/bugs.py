"""Unexpected errors: a bug in bestiary, told apart from a failed build.

Any exception that is not one of ours (`errors.py`), click's, an exit or an interruption is a
bug. The command line reports it in one line and exits with `BUG_EXIT_STATUS` (3: not 1, the
status of a failed build, so a script can tell the two apart); `serve` logs the same line for a
bug while answering a request and keeps serving. The traceback is shown only when asked for
(`--verbose`), above the line, so the line stays the last thing on the terminal.
"""

from __future__ import annotations

import traceback

BUG_EXIT_STATUS = 3


def describe_bug(error: BaseException, *, doing: str = "", verbose: bool = False) -> str:
    """The report of `error`: one line (its message's lines joined), preceded by its traceback when `verbose`."""
    message = " ".join(str(error).split())
    what = type(error).__name__ + (f" while {doing}" if doing else "") + (f": {message}" if message else "")
    hint = "the traceback is above" if verbose else "run again with --verbose for the traceback"
    line = f"error: unexpected {what} (a bug in bestiary; {hint})"
    return "".join(traceback.format_exception(error)) + line if verbose else line
