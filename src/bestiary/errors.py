"""Located diagnostics and the exception that carries them.

Every problem with a book is a `Diagnostic` printed as one line,
``path:line:column: CODE key.path: expected …, found …``. Stages collect them
instead of stopping at the first, and raise one `InputError` at the end.

Codes are stable: scripts and the README refer to them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# Input (exit status 2)
NOT_TEXT = "E101"  # binary file, or not UTF-8
EMPTY_FILE = "E102"
YAML_SYNTAX = "E103"
YAML_ALIAS = "E104"  # aliases and tags: refused, which also stops expansion bombs and constructors
TOO_LARGE = "E105"
DUPLICATE_KEY = "E106"
NOT_MAPPING = "E107"
UNREADABLE = "E108"  # not a regular file (a FIFO, a folder), permission denied, a symbolic link that loops
UNKNOWN_KEY = "E201"
MISSING_KEY = "E202"
WRONG_TYPE = "E203"
OUT_OF_RANGE = "E204"
BAD_VALUE = "E205"  # well-typed but malformed: a time, a currency, an org chart
BAD_TIME_ORDER = "E206"
LONG_WORD = "E207"  # a word of more than 200 characters with no place to break a line (text.MAX_WORD)
DUPLICATE_SLUG = "E301"
DUPLICATE_TITLE = "E302"
UNRESOLVED_RELATED = "E303"
SELF_RELATED = "E304"
BAD_SLUG = "E305"
BAD_BOOK_LAYOUT = "E306"
DUPLICATE_FILE_NUMBER = "E307"  # two records with one `file_number`
FORBIDDEN_RESOURCE = "E401"  # a URL or path the sandbox refuses
LAYOUT_FAILED = "E402"  # a layout that fails while rendering: its error at the template's line
REMOTE_LOAD = "E403"  # a rendered document that would load a resource from the network or another file
# Warnings (build continues)
MISSING_GLYPH = "W501"
CUT_BY_COMMENT = "W502"  # plain text followed by " #": YAML dropped the rest of the line as a comment
LONG_RUNNING_TITLE = "W503"  # a record's running_title wider than the running head: it will be shortened
MISSING_FILE_NUMBER = "W504"  # a record without `file_number`: numbered for this build only (`bestiary number`)
# Warnings of the proofreader (`check` alone: proof/)
MISSPELLED = "W701"  # a word in neither the book's Hunspell dictionary nor its words.txt
OTHER_SPELLING = "W702"  # -ise/-ize, -our/-or as another English spells it (organise in an en-US book)
DOUBLED_WORD = "W703"  # "the the"
UNBALANCED = "W704"  # a quote, bracket or parenthesis not closed (or not opened) in its field
SPACE_BEFORE_PUNCTUATION = "W705"  # "stakeholders ,"
BAD_WORD_LIST_LINE = "W706"  # a line of words.txt holding more than one word
# Warnings while rendering (located at the layout, not a line of it)
LAYOUT_WARNING = "W601"  # WeasyPrint reported a problem with a layout (an unknown CSS property, a missing font)
REFUSED_RESOURCE = "W602"  # the sandbox refused a resource a layout asked for
PREFLIGHT_FAILED = "W603"  # a printer's file (build print) fails a rule of the preflight (pdf/preflight.py)


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    line: int
    column: int
    code: str
    key_path: str
    message: str

    @property
    def is_warning(self) -> bool:
        return self.code.startswith("W")

    @property
    def is_input(self) -> bool:
        """A problem with the book's files (E…, W5…), as opposed to a warning while rendering (W6…)."""
        return not self.code.startswith("W6")

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.column}" if self.line else self.path
        key = f" {self.key_path}:" if self.key_path else ""
        return f"{where}: {self.code}{key} {self.message}"


def render_warning(layout: str, code: str, message: str) -> Diagnostic:
    """A warning while rendering, named by the layout that was being rendered (no line to point at)."""
    return Diagnostic(layout, 0, 0, code, "", message)


def describe_os_error(error: OSError, path: Path) -> str:
    """An I/O error as one line that names the file: 'dist/x.pdf: No space left on device'."""
    return f"{path}: {error.strerror or error}"


def display_path(path: Path) -> str:
    """A path as the user typed it would be: relative to the working folder when inside it."""
    absolute = Path(os.path.abspath(path))  # not resolved: the path may be a link that loops
    try:
        return str(absolute.relative_to(os.getcwd()))
    except ValueError:
        return str(path)


class InputError(Exception):
    """Invalid input: carries every diagnostic found (exit status 2)."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = sorted(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))


class RenderError(Exception):
    """A build that failed after its input was valid (exit status 1)."""


class StrictError(RenderError):
    """A build with warnings, in strict mode: nothing was written (exit status 1)."""

    def __init__(self, warnings: tuple[Diagnostic, ...]):
        self.warnings = warnings
        count = len(warnings)
        super().__init__(f"{count} warning{'s' if count != 1 else ''} in strict mode; nothing was written")


class RequestError(ValueError):
    """A request that cannot be met before anything renders: an unknown slug, paper or option (exit status 2)."""


class OutputError(RenderError):
    """An output that could not be written; the message names the file (exit status 1)."""
