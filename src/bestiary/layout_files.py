"""A book's own layouts (`book/layouts/`): inside the book, and fetching nothing from elsewhere.

Books are shared between editors, so their layouts are checked like records:
the folder and every file in it must really be inside the book (a symbolic
link leading out is refused, E306), and stylesheets and templates may not name
a remote or `file:` resource (E401), because the print sandbox would refuse it
at render time and the EPUB would carry it into the package. What a layout may
do once loaded is bounded by the sandboxed Jinja environment (`render`).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from . import errors
from .book_reading import read_text
from .errors import Diagnostic
from .resources import is_inside, real_path

LAYOUT_SUFFIXES = (".j2", ".css", ".html", ".xhtml", ".svg")
# Where a stylesheet or a template names a resource to fetch (links to web pages, <a href>, are fine).
_RESOURCE_REFERENCES = (
    re.compile(r"url\(\s*(['\"]?)(?P<url>[^'\")\s]+)\1\s*\)", re.IGNORECASE),
    re.compile(r"@import\s+(['\"])(?P<url>[^'\"]+)\1", re.IGNORECASE),
    re.compile(r"\s(?:src|srcset|poster|data|xlink:href)\s*=\s*(['\"])(?P<url>[^'\"]*)\1", re.IGNORECASE),
    re.compile(r"<(?:link|image|use)\b[^>]*?\shref\s*=\s*(['\"])(?P<url>[^'\"]*)\1", re.IGNORECASE),
)
_SCHEME = re.compile(r"^\s*(//|[a-z][a-z0-9+.-]*:)", re.IGNORECASE)


def check_book_layouts(book_dir: Path) -> list[Diagnostic]:
    """Every problem with `book_dir/layouts`, if the book has one."""
    layouts = book_dir / "layouts"
    if not layouts.exists() and not layouts.is_symlink():
        return []
    book_root = real_path(book_dir)
    problems: list[Diagnostic] = []
    if book_root is None or not is_inside(layouts, (book_root,)):
        return [_linked_out(layouts)]
    for path in _walk(layouts):
        if not is_inside(path, (book_root,)):
            problems.append(_linked_out(path))
        elif path.is_file() and path.name.endswith(LAYOUT_SUFFIXES):
            problems += remote_references(path)
    return problems


def _walk(folder: Path) -> list[Path]:
    """Every entry under `folder`, hidden ones aside, without following links to folders (they may loop)."""
    found: list[Path] = []
    for parent, folders, files in os.walk(folder, followlinks=False):
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        found += [Path(parent, name) for name in folders + sorted(files) if not name.startswith(".")]
    return sorted(found)


def _linked_out(path: Path) -> Diagnostic:
    return Diagnostic(errors.display_path(path), 1, 1, errors.BAD_BOOK_LAYOUT, "",
                      "expected layouts inside the book folder, found a symbolic link leading outside it")


def remote_references(path: Path) -> list[Diagnostic]:
    """A located E401 for each resource in the file that is fetched from a scheme (`http:`, `file:`, `//host`)."""
    shown = errors.display_path(path)
    text, problems = read_text(path, shown)
    if text is None:
        return problems
    for pattern in _RESOURCE_REFERENCES:
        for match in pattern.finditer(text):
            url = match.group("url")
            if _SCHEME.match(url) and not url.lower().startswith("data:"):
                offset = match.start("url")
                line = text.count("\n", 0, offset) + 1
                column = offset - (text.rfind("\n", 0, offset) + 1) + 1
                problems.append(Diagnostic(shown, line, column, errors.FORBIDDEN_RESOURCE, "",
                                           f"expected a resource inside the book, found {url[:60]!r} "
                                           "(layouts fetch nothing from the network or from other files)"))
    return sorted(problems)
