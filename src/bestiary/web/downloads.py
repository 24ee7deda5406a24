"""The files the web edition offers: each with its size, pages and SHA-256, and the dossiers as one zip.

The zip is reproducible as the EPUB is (`epub.package.finish_package`): members in
order, one timestamp (the build's), fixed permissions, so the same dossiers give
the same bytes and the same checksum.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import zipfile

from ..store.dates import zip_entry
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
