"""Laying out one document, in one place: HTML and stylesheets in, pages and a finished PDF out.

A `Layouter` holds what documents laid out in one process share: a font
configuration, the sandboxed fetcher and the stylesheets it has parsed. The build
process makes one for a document laid out whole (the tagged, archival and
printer's editions, the cover wrap); each worker of the pool keeps one for all
its tasks. `lay_out` returns WeasyPrint's document and what it warned; `write`
finishes its PDF (`finish`); `run` does both for a `LayoutTask` and reads back
what the build needs from the pages (`LaidOut`), as plain data that crosses
processes and is kept in the cache.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import weasyprint
from weasyprint.text.fonts import FontConfiguration

from .. import errors
from ..errors import Diagnostic
from ..resources import resources_dir
from . import line_breaking
from .colour import Ink
from .finish import PDF_VERSION, finisher
from .pagination import ELEMENT_ID, PageNumbering, Shape, page_fill, page_of
from .pdfx import PDFX_VERSION, conform
from .sandbox import RefusedResource, SandboxedFetcher

PDF_SCALE = 0.75  # PDF points per CSS pixel
# WeasyPrint's notice that it subsets fonts with fontTools when the system lacks
# libharfbuzz-subset: about the machine, not the book, and the output is the same.
_MACHINE_NOTICES = ("instead of HarfBuzz-Subset",)

line_breaking.apply()


@dataclass(frozen=True)
class Finish:
    """How a PDF is finished (see `finish.finisher`): its page labels, language and identity, whether a viewer
    shows it as spreads, whether a blank last page makes its count even (a printer's interior), and for a
    printer's file the ink every colour is converted for (`pdfx.conform`)."""

    cover_pages: int
    body_start: int
    language: str
    identifier: str
    spreads: bool = True
    pad_to_even: bool = False
    press_ink: Ink | None = None  # a printer's file (PDF/X-4); None: the colours as the layout gave them
    body_anchor: str = ""  # when set, `body_start` is the page this id begins on, found once the pages are laid out

    def hook(self) -> Callable[..., None]:
        return finisher(PageNumbering(self.cover_pages, self.body_start), self.language, self.identifier,
                        pad_to_even=self.pad_to_even, spreads=self.spreads)


@dataclass(frozen=True)
class LayoutTask:
    """One document to lay out: plain data, so that it crosses to a worker and names its cache entry."""

    layout: str  # the layout it comes from, for warnings
    html: str
    stylesheets: tuple[str, ...]
    write: bool  # False: lay out only, for the shape of its pages
    finish: Finish | None = None
    drop_first: bool = False  # the first page is a stand-in (a chunk's pad): leave it out
    variant: str | None = None  # a PDF variant WeasyPrint writes (pdf/x-4 for a printer's volume); None: plain

    def key(self, toolchain: str) -> str:
        """The cache key of the result: `toolchain` (our code, layouts, fonts, library versions, and the
        epoch when WeasyPrint dates its font subsets) and every field. The date a document carries is in
        its HTML. The sandbox's roots are not: relative URLs resolve against our resources folder whatever
        the book, and a book's layouts may not name a `file:` URL (E401), so they change no byte."""
        digest = hashlib.sha256(toolchain.encode())
        for part in (self.layout, *self.stylesheets, json.dumps(asdict(self.finish)) if self.finish else "",
                     f"{self.write} {self.drop_first}", self.html):
            digest.update(len(part).to_bytes(8, "big") + part.encode())
        if self.variant is not None:  # after the rest: a plain task keeps the key it always had
            digest.update(b"variant " + self.variant.encode())
        return digest.hexdigest()


@dataclass(frozen=True)
class LaidOut:
    """What a laid-out document tells the build: its PDF (when written) and where things fell on its pages.

    Points are in PDF units, origin at the bottom left of the page, as WeasyPrint writes them.
    """

    pdf: bytes | None
    pages: Shape  # the ids that begin on each page, in document order
    fill: tuple[float, ...]  # how far down each page its text reaches
    destinations: tuple[tuple[str, int, float, float], ...]  # each id: page, x, y
    outbound: tuple[tuple[int, int, str, tuple[float, ...]], ...]  # links to ids not here: page, position, id, rect
    bookmarks: tuple[tuple[int, int, str, float, float, str], ...]  # page, level, label, x, y, state
    warnings: tuple[Diagnostic, ...]

    @property
    def page_count(self) -> int:
        return len(self.pages)

    def to_bytes(self) -> bytes:
        meta = {"pages": self.pages, "fill": self.fill, "destinations": self.destinations,
                "outbound": self.outbound, "bookmarks": self.bookmarks,
                "warnings": [asdict(warning) for warning in self.warnings], "pdf": self.pdf is not None}
        encoded = json.dumps(meta, separators=(",", ":")).encode()
        return len(encoded).to_bytes(8, "big") + encoded + (self.pdf or b"")

    @classmethod
    def from_bytes(cls, data: bytes) -> LaidOut:
        length = int.from_bytes(data[:8], "big")
        meta = json.loads(data[8:8 + length])
        return cls(
            pdf=data[8 + length:] if meta["pdf"] else None,
            pages=tuple(tuple(anchors) for anchors in meta["pages"]),
            fill=tuple(meta["fill"]),
            destinations=tuple((name, page, x, y) for name, page, x, y in meta["destinations"]),
            outbound=tuple((page, position, name, tuple(rect)) for page, position, name, rect in meta["outbound"]),
            bookmarks=tuple((page, level, label, x, y, state) for page, level, label, x, y, state in meta["bookmarks"]),
            warnings=tuple(Diagnostic(**warning) for warning in meta["warnings"]),
        )


@contextmanager
def capture_weasyprint_warnings(layout: str) -> Iterator[list[Diagnostic]]:
    """Collect what WeasyPrint logs while rendering `layout` (it logs, it does not raise), as W601."""
    found: list[Diagnostic] = []

    class Collector(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            message = record.getMessage()
            if record.levelno >= logging.WARNING and not any(n in message for n in _MACHINE_NOTICES):
                code = errors.REFUSED_RESOURCE if RefusedResource.__name__ in message else errors.LAYOUT_WARNING
                found.append(errors.render_warning(layout, code, " ".join(message.split())))

    logger = logging.getLogger("weasyprint")
    handler = Collector()
    logger.addHandler(handler)
    try:
        yield found
    finally:
        logger.removeHandler(handler)


def base_url() -> str:
    """Relative URLs in layouts (`fonts/…`) resolve against the resources folder."""
    return resources_dir().as_uri() + "/"


class Layouter:
    """Lays out documents in the sandbox of `roots` with one font configuration and the stylesheets it has
    parsed so far (with the colour profiles their `@color-profile` rules name)."""

    def __init__(self, roots: tuple[Path, ...]):
        self.fetcher = SandboxedFetcher(roots)
        self.font_config = FontConfiguration()
        self.color_profiles: dict[str, object] = {}
        self._parsed: dict[str, weasyprint.CSS] = {}

    def stylesheet(self, text: str) -> weasyprint.CSS:
        if text not in self._parsed:
            self._parsed[text] = weasyprint.CSS(string=text, base_url=base_url(), url_fetcher=self.fetcher,
                                                font_config=self.font_config, color_profiles=self.color_profiles)
        return self._parsed[text]

    def lay_out(self, html: str, layout: str, stylesheets: tuple[str, ...] = (),
                variant: str | None = None) -> tuple[weasyprint.Document, list[Diagnostic]]:
        """Lay out `html` (from `layout`) with `stylesheets`, as the PDF `variant` asks; the document and
        any warnings."""
        sheets = [self.stylesheet(text) for text in stylesheets]
        refused_before = len(self.fetcher.refused)
        with capture_weasyprint_warnings(layout) as warnings:
            document = weasyprint.HTML(string=html, base_url=base_url(), url_fetcher=self.fetcher).render(
                font_config=self.font_config, stylesheets=sheets, pdf_variant=variant,
                pdf_tags=variant == "pdf/ua-1", color_profiles=self.color_profiles)
        return document, warnings + self._refusals(refused_before, warnings, layout)

    def write(self, document: weasyprint.Document, layout: str, finish: Finish | None,
              variant: str | None = None) -> tuple[bytes, list[Diagnostic]]:
        """The PDF of a laid-out document, finished as `finish` says (or as WeasyPrint leaves it); a printer's
        file is then made true PDF/X-4 for its ink."""
        refused_before = len(self.fetcher.refused)
        press_ink = finish.press_ink if finish else None
        with capture_weasyprint_warnings(layout) as warnings:
            data = document.write_pdf(pdf_variant=variant, pdf_tags=variant == "pdf/ua-1", pdf_identifier=b"bestiary",
                                      pdf_version=PDFX_VERSION if press_ink else PDF_VERSION,
                                      finisher=finish.hook() if finish else None)
        if press_ink is not None:
            data, _ = conform(data, press_ink)
        return data, warnings + self._refusals(refused_before, warnings, layout)

    def run(self, task: LayoutTask) -> LaidOut:
        """Lay out `task` and read back where its ids and links fell; its PDF too if it asks for one. Links to
        ids not in the task are taken off its pages (WeasyPrint would drop them with an error) and listed as
        `outbound`, for the assembly to put back."""
        document, warnings = self.lay_out(task.html, task.layout, task.stylesheets, task.variant)
        pages = document.pages[1:] if task.drop_first else document.pages
        order = {anchor: position for position, anchor in enumerate(ELEMENT_ID.findall(task.html))}
        here = {anchor for page in pages for anchor in page.anchors}
        seen: set[str] = set()
        beginning: list[tuple[str, ...]] = []
        destinations: list[tuple[str, int, float, float]] = []
        outbound: list[tuple[int, int, str, tuple[float, ...]]] = []
        bookmarks: list[tuple[int, int, str, float, float, str]] = []
        for number, page in enumerate(pages):
            height = page.height * PDF_SCALE
            new = sorted((anchor for anchor in page.anchors if anchor not in seen),
                         key=lambda anchor: order.get(anchor, len(order)))
            seen.update(new)
            beginning.append(tuple(new))
            destinations += [(anchor, number, page.anchors[anchor][0] * PDF_SCALE,
                              height - page.anchors[anchor][1] * PDF_SCALE) for anchor in new]
            kept = []
            for position, link in enumerate(page.links):
                kind, target, rectangle, _box = link
                if kind == "internal" and target not in here:
                    x1, y1, x2, y2 = rectangle
                    outbound.append((number, position, target, (x1 * PDF_SCALE, height - y1 * PDF_SCALE,
                                                                x2 * PDF_SCALE, height - y2 * PDF_SCALE)))
                else:
                    kept.append(link)
            page.links[:] = kept
            bookmarks += [(number, level, label, x * PDF_SCALE, height - y * PDF_SCALE, state)
                          for level, label, (x, y), state in page.bookmarks]
        data = None
        if task.write:
            finish = task.finish
            if finish is not None and finish.body_anchor:
                finish = replace(finish, body_start=page_of(beginning, finish.body_anchor) or 0)
            data, written = self.write(document.copy(pages) if task.drop_first else document, task.layout, finish,
                                       task.variant)
            warnings += written
        return LaidOut(data, tuple(beginning), tuple(page_fill(page) for page in pages), tuple(destinations),
                       tuple(outbound), tuple(bookmarks), tuple(warnings))

    def _refusals(self, since: int, warnings: list[Diagnostic], layout: str) -> list[Diagnostic]:
        """Sandbox refusals WeasyPrint did not already report."""
        return [errors.render_warning(layout, errors.REFUSED_RESOURCE, f"refused by the sandbox: {url}")
                for url in self.fetcher.refused[since:] if not any(url in warning.message for warning in warnings)]
