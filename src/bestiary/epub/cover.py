"""The EPUB's cover image: the print cover, rasterised with PDFium and written as PNG.

The PNG is encoded here (a dozen lines of zlib) rather than through an imaging
library: the bytes depend only on the pixels, which keeps the EPUB reproducible.
"""

from __future__ import annotations

import hashlib
import struct
import zlib

import pypdfium2

from ..errors import RenderError
from ..store.cache import Cache

COVER_SHORT_SIDE = 1400  # pixels: Apple Books' least for the shorter side; sharp on a tablet


def cover_png(pdf: bytes, short_side: int = COVER_SHORT_SIDE, level: int = 9) -> bytes:
    """Page 1 of `pdf` as an RGB PNG whose shorter side is `short_side` pixels, in the page's proportions,
    compressed at zlib `level` (9, the smallest, for the EPUB's one cover)."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        # PDFium rounds each side up, so the shorter side is never less than asked
        bitmap = page.render(scale=short_side / min(page.get_size()), rev_byteorder=True)
        width, rows, stride = bitmap.width, bitmap.height, bitmap.stride
        pixels = bytes(bitmap.buffer)
        if bitmap.n_channels != 3:
            raise RenderError(f"expected an RGB bitmap, found {bitmap.n_channels} channels")
    finally:
        document.close()
    raw = b"".join(b"\x00" + pixels[row * stride: row * stride + width * 3] for row in range(rows))
    return _png(width, rows, raw, level)


def _png(width: int, height: int, filtered_rows: bytes, level: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(filtered_rows, level)) + chunk(b"IEND", b""))


def cached_cover_png(pdf: bytes, cache: Cache, toolchain: str, short_side: int = COVER_SHORT_SIDE,
                     level: int = 9) -> bytes:
    """`cover_png` of `pdf`, kept in `cache` under the PDF, the size, the compression and the toolchain (PDFium's
    version and our code make the PNG as much as the PDF does)."""
    key = "cover-png:" + hashlib.sha256(f"{toolchain}\0{short_side}\0{level}\0".encode() + pdf).hexdigest()
    cover = cache.get(key)
    if cover is None:
        cover = cover_png(pdf, short_side, level)
        cache.put(key, cover)
    return cover
