"""URLs as a reader reads them, and whether loading one would leave the document's own files."""

from __future__ import annotations

import re

_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)
_IGNORED_IN_URLS = re.compile(r"[\t\n\r]")


def is_remote(url: str) -> bool:
    """Whether loading `url` would leave the document's own files: a scheme (`http:`, `file:`, `javascript:`)
    other than `data:`, or a host (`//example.com`), as a browser reads it."""
    url = as_read(url)
    scheme = _SCHEME.match(url)
    if scheme:
        return scheme.group(1).lower() != "data"
    return url.startswith(("//", "\\\\", "/\\", "\\/"))


def as_read(url: str) -> str:
    """`url` as a browser reads it: tabs and line breaks dropped anywhere, spaces and controls trimmed."""
    return _IGNORED_IN_URLS.sub("", url).strip("".join(map(chr, range(0x21))))
