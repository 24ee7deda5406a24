"""The toolchain fingerprint: everything besides a document's own text that decides the bytes made from it.

Every cache key includes it (`cache`): this package's code, the layouts (ours and
the book's own), the fonts, and the versions of Python, of the packages that lay
out, subset, rasterise and write, and of the C libraries that shape text (Pango,
HarfBuzz). WeasyPrint subsets the fonts it embeds with HarfBuzz when it can and
with fontTools otherwise; fontTools dates each subset by `SOURCE_DATE_EPOCH`, so
then the epoch is part of the fingerprint too.

The folders are looked at before anything is read, and no link is followed
(a book's `layouts/` may hold anything): a link counts by the name it points
to, a regular file up to `MAX_RESOURCE_BYTES` by its contents, anything else
(larger, a FIFO, a device, a file this user may not read) by its stat data.
Nothing here raises for a file: the loader reports a bad layout file, located.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import importlib.metadata
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..safe_files import MAX_RESOURCE_BYTES, file_digest

TOOLCHAIN_LIBRARIES = ("weasyprint", "pydyf", "pikepdf", "pypdf", "fonttools", "pyphen", "tinycss2", "cssselect2",
                       "pillow", "ebooklib", "jinja2", "lxml", "pypdfium2", "brotli", "pagefind_bin")
_HARFBUZZ_NAMES = ("libharfbuzz.so.0", "libharfbuzz.0.dylib", "libharfbuzz-0.dll")  # as WeasyPrint loads it


def toolchain_fingerprint(folders: Iterable[Path]) -> str:
    """A hash of what makes a document besides its HTML: our code, `folders` (layouts, fonts), the libraries."""
    digest = hashlib.sha256(sys.version.encode())
    for library in TOOLCHAIN_LIBRARIES:
        try:
            digest.update(f"{library} {importlib.metadata.version(library)}\n".encode())
        except importlib.metadata.PackageNotFoundError:
            digest.update(f"{library} absent\n".encode())
    digest.update(_text_libraries().encode())
    for folder in (Path(__file__).resolve().parents[1], *folders):  # the whole package: any module can change a byte
        digest.update(f"folder {folder.name}\n".encode())
        for line in _described(folder):
            digest.update(line)
    return digest.hexdigest()


def _described(folder: Path) -> Iterator[bytes]:
    """Every entry under `folder` by its relative path and `file_digest`; a linked folder is not entered."""
    if folder.is_symlink() or not folder.is_dir():
        yield b"\0" + file_digest(folder, MAX_RESOURCE_BYTES)
        return
    for parent, subfolders, files in os.walk(folder, onerror=lambda error: None):  # unlisted: loading says so
        linked = [name for name in subfolders if Path(parent, name).is_symlink()]
        subfolders[:] = sorted(name for name in subfolders if name != "__pycache__" and name not in linked)
        for name in sorted(files + linked):
            path = Path(parent, name)
            yield str(path.relative_to(folder)).encode() + b"\0" + file_digest(path, MAX_RESOURCE_BYTES) + b"\n"


def _text_libraries() -> str:
    """Pango's and HarfBuzz's versions, and which subsetter WeasyPrint uses (with fontTools, its date)."""
    try:
        from weasyprint.text.ffi import harfbuzz, harfbuzz_subset, pango
    except Exception:  # no Pango on this machine: nothing is laid out either
        return "pango absent\n"
    harfbuzz_version = "unknown"
    for name in _HARFBUZZ_NAMES:
        with contextlib.suppress(OSError, AttributeError):
            library = ctypes.CDLL(name)
            library.hb_version_string.restype = ctypes.c_char_p
            harfbuzz_version = library.hb_version_string().decode()
            break
    # WeasyPrint's own test (weasyprint/pdf/fonts.py): HarfBuzz-Subset from HarfBuzz 4.1.0 on
    if harfbuzz_subset is not None and harfbuzz.hb_version_atleast(4, 1, 0):
        subsetter = "harfbuzz"
    else:
        subsetter = f"fonttools dated {os.environ.get('SOURCE_DATE_EPOCH', 'now')}"
    from ..text import harfbuzz_subset

    epub_subsetter = "harfbuzz" if harfbuzz_subset.available() else "fonttools"
    return (f"pango {pango.pango_version()}\nharfbuzz {harfbuzz_version}\nsubsetter {subsetter}\n"
            f"epub subsetter {epub_subsetter}\n")
