"""A book's own layouts (`book/layouts/`): inside the book, and fetching nothing from elsewhere.

Books are shared between editors, so their layouts are checked like records:
the folder and every file in it must really be inside the book (a symbolic
link leading out is refused, E306), and stylesheets and templates may not name
a remote or `file:` resource (E401), because the print sandbox would refuse it
at render time and the EPUB would carry it into the package. What a layout may
do once loaded is bounded by the sandboxed Jinja environment (`render`).
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

from .. import errors
from ..errors import Diagnostic
from ..resources import is_inside, real_path
from ..text.urls import is_remote
from .reading import read_text

LAYOUT_SUFFIXES = (".j2", ".css", ".html", ".xhtml", ".svg")
# Where a stylesheet or a template names a resource to fetch (links to web pages, <a href>, are fine).
_RESOURCE_REFERENCES = (
    re.compile(r"url\(\s*(['\"]?)(?P<url>[^'\")\s]+)\1\s*\)", re.IGNORECASE),
    re.compile(r"@import\s+(['\"])(?P<url>[^'\"]+)\1", re.IGNORECASE),
    re.compile(r"\s(?:src|srcset|poster|data|background|xlink:href)\s*=\s*(['\"])(?P<url>[^'\"]*)\1", re.IGNORECASE),
    # any element's href but a link's: stylesheets, icons, SVG <image>, <use>, <feImage>, gradients, patterns
    re.compile(r"<(?!(?:a|area)[\s>/])[\w:-]+\b[^>]*?\shref\s*=\s*(['\"])(?P<url>[^'\"]*)\1", re.IGNORECASE),
    re.compile(r"<\?xml-stylesheet\b[^>]*?\shref\s*=\s*(['\"])(?P<url>[^'\"]*)\1", re.IGNORECASE),
    # a DOCTYPE's or an entity's SYSTEM or PUBLIC identifier: an XML reader may fetch it
    re.compile(r"<!(?:DOCTYPE|ENTITY)[^>\[]*?(?:SYSTEM|PUBLIC)\s*(?:(['\"])[^'\"]*\1\s*)?(['\"])(?P<url>[^'\"]*)\2",
               re.IGNORECASE),
)
_NAMESPACE = re.compile(r"@namespace\b[^;{}]*;?", re.IGNORECASE)
# A CSS escape (`\74` is "t", `\:` is ":") or an HTML character reference (`&#116;`, `&colon;`): what a reader
# decodes before it reads a URL, and so must the check.
_ESCAPE = re.compile(r"\\(?P<hex>[0-9a-fA-F]{1,6})[ \t\n\r\f]?|\\(?P<char>[^\n0-9a-fA-F])"
                     r"|&#(?P<decimal>\d{1,7});?|&#[xX](?P<code>[0-9a-fA-F]{1,6});?|&(?P<name>[A-Za-z][A-Za-z0-9]{1,31};)")


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
    """A located E401 for each resource in the file that is fetched from a scheme (`http:`, `file:`) or a host
    (`//host`), escapes decoded as a reader decodes them."""
    shown = errors.display_path(path)
    text, problems = read_text(path, shown)
    if text is None:
        return problems
    decoded, origins = _decoded(text)
    decoded = _NAMESPACE.sub(lambda rule: " " * len(rule.group(0)), decoded)  # a namespace's URL names, never loads
    found: set[int] = set()
    for pattern in _RESOURCE_REFERENCES:
        for match in pattern.finditer(decoded):
            offset = origins[match.start("url")]
            if is_remote(match.group("url")) and offset not in found:
                found.add(offset)
                line = text.count("\n", 0, offset) + 1
                column = offset - (text.rfind("\n", 0, offset) + 1) + 1
                problems.append(Diagnostic(shown, line, column, errors.FORBIDDEN_RESOURCE, "",
                                           f"expected a resource inside the book, found {match.group('url')[:60]!r} "
                                           "(layouts fetch nothing from the network or from other files)"))
    return sorted(problems)


def _decoded(text: str) -> tuple[str, list[int]]:
    """`text` with its CSS escapes and character references decoded, and where each character came from."""
    pieces: list[str] = []
    origins: list[int] = []
    position = 0
    for match in _ESCAPE.finditer(text):
        pieces.append(text[position:match.start()])
        origins.extend(range(position, match.start()))
        character = _unescape(match)
        pieces.append(character)
        origins.extend([match.start()] * len(character))
        position = match.end()
    pieces.append(text[position:])
    origins.extend(range(position, len(text) + 1))
    return "".join(pieces), origins


def _unescape(match: re.Match[str]) -> str:
    if match.group("name"):
        return html.unescape("&" + match.group("name"))
    number = (int(match.group("hex"), 16) if match.group("hex") else int(match.group("decimal"))
              if match.group("decimal") else int(match.group("code"), 16) if match.group("code") else None)
    if number is None:
        return match.group("char")
    return chr(number) if 0 < number <= 0x10FFFF else "\ufffd"
