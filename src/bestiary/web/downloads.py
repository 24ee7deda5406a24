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

from ..store.dates import zip_timestamp
from ..text.measures import human_size
from ..views.web import Download


def offered(title: str, href: str, data: bytes, pages: int | None, kind: str) -> Download:
    return Download(title, href, human_size(len(data)), pages, hashlib.sha256(data).hexdigest(), kind)


def dossiers_zip(members: list[tuple[str, bytes]], created: datetime.datetime) -> bytes:
    """`members` (file name, PDF) in one zip, in the order given, dated `created`."""
    timestamp = zip_timestamp(created)
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=timestamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            archive.writestr(info, data, compresslevel=6)
    return output.getvalue()
