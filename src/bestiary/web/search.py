"""Full-text search: Pagefind's index of the site's pages, built at build time by its own binary (the PyPI
package `pagefind_bin`), so the site needs no service to search.

The pages are written to a private temporary folder and indexed there; what the
search page loads (the core script, its worker, the WebAssembly, the index and
the fragments) comes back by path, and nothing else (Pagefind's ready-made
interfaces are not used). The index is the same bytes for the same pages, and is
cached under them: an edit that changes no page's text runs no Pagefind.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import tempfile
from pathlib import Path

from ..errors import RenderError
from ..store.cache import Cache

SEARCH_FOLDER = "pagefind"
_UNUSED = ("pagefind-ui", "pagefind-component-ui", "pagefind-modular-ui", "pagefind-highlight")
# the classified file's furniture, the same on every page: no reader searches for it, and excerpts skip it
NOT_SEARCHED = "thead, .banner, .file-path, .file-meta, .stamp, .section-heading .num, .page-turn, .file-downloads"
_TIMEOUT = 600  # seconds; the bundled book's index takes a fraction of one


def search_index(pages: dict[str, bytes], cache: Cache, toolchain: str) -> dict[str, bytes]:
    """Pagefind's files for `pages` (file name → HTML), by path under `SEARCH_FOLDER`."""
    digest = hashlib.sha256(toolchain.encode())
    for name in sorted(pages):
        digest.update(f"{name}\0{len(pages[name])}\0".encode() + pages[name])
    key = "pagefind:" + digest.hexdigest()
    kept = cache.get(key)
    if kept is not None:
        return _unpacked(kept)
    files = _run_pagefind(pages)
    cache.put(key, _packed(files))
    return files


def _run_pagefind(pages: dict[str, bytes]) -> dict[str, bytes]:
    try:
        from pagefind_bin import get_executable
        executable = str(get_executable())
    except (ImportError, FileNotFoundError) as missing:
        raise RenderError(f"expected Pagefind's binary (pip install 'pagefind[bin]'), found none: {missing}") from None
    with tempfile.TemporaryDirectory(prefix="bestiary-search-") as folder:
        site = Path(folder, "site")
        site.mkdir()
        for name, html in pages.items():
            (site / name).write_bytes(html)
        try:
            ran = subprocess.run([executable, "--site", str(site), "--output-subdir", SEARCH_FOLDER, "--silent",
                                  "--exclude-selectors", NOT_SEARCHED],
                                 capture_output=True, timeout=_TIMEOUT, check=False, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as failure:
            raise RenderError(f"Pagefind could not index the web edition: {failure}") from None
        if ran.returncode != 0:
            said = " ".join(ran.stderr.decode("utf-8", "replace").split())[:300]
            raise RenderError(f"Pagefind could not index the web edition (exit {ran.returncode}): {said}")
        output = site / SEARCH_FOLDER
        return {path.relative_to(site).as_posix(): path.read_bytes() for path in sorted(output.rglob("*"))
                if path.is_file() and not path.name.startswith(_UNUSED)}


def _packed(files: dict[str, bytes]) -> bytes:
    header = json.dumps([[name, len(data)] for name, data in files.items()]).encode()
    return len(header).to_bytes(8, "big") + header + b"".join(files.values())


def _unpacked(packed: bytes) -> dict[str, bytes]:
    length = int.from_bytes(packed[:8], "big")
    files, position = {}, 8 + length
    for name, size in json.loads(packed[8:8 + length]):
        files[name] = packed[position:position + size]
        position += size
    return files
