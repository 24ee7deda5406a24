"""The files the web edition offers: each with its size, pages and SHA-256, the dossiers as one zip, and the
printer's files.

The zip is reproducible as the EPUB is (`epub.package.finish_package`): members in
order, one timestamp (the build's), fixed permissions, so the same dossiers give
the same bytes and the same checksum.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import zipfile
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from ..safe_files import read_regular
from ..store.dates import zip_entry
from ..store.paths import OutputPaths
from ..text.measures import human_size
from ..views.web import Download


def offered(title: str, href: str, data: bytes, pages: int | None, kind: str) -> Download:
    return Download(title, href, human_size(len(data)), pages, hashlib.sha256(data).hexdigest(), kind)


def dossiers_zip(members: list[tuple[str, bytes]], created: datetime.datetime) -> bytes:
    """`members` (file name, PDF) in one zip, in the order given, dated `created`."""
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        for name, data in members:
            archive.writestr(zip_entry(name, created), data, compresslevel=6)
    return output.getvalue()


def offered_print_files(paths: OutputPaths,
                        made: dict[Path, tuple[bytes, int]]) -> tuple[tuple[str, str, bytes, int], ...]:
    """The print files the site offers (title, file name, PDF, pages): those the build `made` (by path, with their
    pages), else those an earlier `build print` left in the output folder (regular files only, never through a
    link)."""
    found = []
    for title, path in paths.print_files(lambda path: path in made or path.is_file()):
        if path in made:
            found.append((title, path.name, *made[path]))
            continue
        try:
            data, _ = read_regular(path)
            found.append((title, path.name, data, len(PdfReader(io.BytesIO(data)).pages)))
        except (OSError, PyPdfError):  # none, or not one we wrote: the site offers what it can vouch for
            continue
    return tuple(found)
