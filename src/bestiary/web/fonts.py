"""The web edition's fonts: the faces its screen design sets, each cut down to the characters the site uses and
written as WOFF2 (Brotli-compressed: about half a subset's size), kept in the cache as the EPUB's subsets are."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

from fontTools.ttLib import TTFont

from ..epub.package import cached_subset
from ..resources import fonts_dir
from ..store.cache import Cache
from ..views.web import WebFace

FONTS_FOLDER = "fonts"


# The faces `web/screen.css` and the shared sheets set; the rest (Courier Prime's italics, Inter's italic) the
# browser slants or emboldens from these where a record asks, which costs a reader no download.
SCREEN_FACES = (
    ("Courier Prime", 400, "normal", "CourierPrime-Regular.ttf"),
    ("Courier Prime", 700, "normal", "CourierPrime-Bold.ttf"),
    ("Inter", 400, "normal", "Inter-Regular.otf"),
    ("Inter", 700, "normal", "Inter-Bold.otf"),
    ("Inter", 900, "normal", "Inter-Black.otf"),
    ("EB Garamond", 400, "normal", "EBGaramond-Regular.otf"),
    ("EB Garamond", 400, "italic", "EBGaramond-Italic.otf"),
)


def web_fonts(text: str, cache: Cache, toolchain: str) -> list[tuple[WebFace, bytes]]:
    """Each screen face as a WOFF2 subset of the characters of `text` (every page and the stylesheet)."""
    faces = []
    for family, weight, style, file_name in SCREEN_FACES:
        woff2 = _cached_woff2(fonts_dir() / file_name, text, cache, toolchain)
        faces.append((WebFace(family, weight, style, f"{FONTS_FOLDER}/{Path(file_name).stem}.woff2"), woff2))
    return faces


def _cached_woff2(path: Path, text: str, cache: Cache, toolchain: str) -> bytes:
    subset = cached_subset(path, text, cache, toolchain)
    key = "web-font:" + hashlib.sha256(toolchain.encode() + b"\0" + subset).hexdigest()
    kept = cache.get(key)
    if kept is None:
        with TTFont(io.BytesIO(subset), recalcTimestamp=False) as font:
            font.flavor = "woff2"
            output = io.BytesIO()
            font.save(output)
        kept = output.getvalue()
        cache.put(key, kept)
    return kept
