"""The only door between rendering and the file system: a URL fetcher that serves
files inside the allowed folders (the book, the layouts, the fonts) and refuses
everything else, every scheme but `file:` included. Paths are resolved first, so
`..` and symbolic links cannot lead outside.
"""

from __future__ import annotations

import mimetypes
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

from ..resources import builtin_layouts_dir, fonts_dir, is_inside
from ..safe_files import MAX_RESOURCE_BYTES


class RefusedResource(ValueError):
    """A resource outside the sandbox; WeasyPrint turns it into a warning we collect."""


class SandboxedFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no types: its base class is Any
    """Serves `file:` URLs under `roots`; records every refusal in `refused`."""

    def __init__(self, roots: tuple[Path, ...]):
        super().__init__(allowed_protocols=("file",), allow_redirects=False, fail_on_errors=False)
        self.roots = tuple(root.resolve() for root in roots)
        self.refused: list[str] = []
        self._lock = threading.Lock()

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            self._refuse(url)
        path = Path(unquote(parts.path))
        if not is_inside(path, self.roots) or not path.resolve().is_file():
            self._refuse(url)
        data = path.resolve().read_bytes()
        if len(data) > MAX_RESOURCE_BYTES:
            self._refuse(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, data, {"Content-Type": content_type})

    def _refuse(self, url: str) -> None:
        with self._lock:
            self.refused.append(url)
        raise RefusedResource(f"refused by the sandbox: {url}")


def sandbox_roots(book_dir: Path) -> tuple[Path, ...]:
    """The only folders rendering may read: the book (with its own layouts), ours, and the fonts."""
    return (book_dir.resolve(), builtin_layouts_dir().resolve(), fonts_dir().resolve())
