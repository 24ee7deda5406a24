"""Orchestration: load the book once, render the requested outputs, write them atomically.

Returns what it wrote; the command line prints it. Dates come from
`SOURCE_DATE_EPOCH` when it is set, so builds are reproducible.
"""

from __future__ import annotations

import datetime
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .config import PAPER_SIZES
from .context import field_guide
from .dossier import dossier_file_name, render_dossier
from .epub import render_epub
from .errors import RenderError
from .model import Book, load_book
from .pdf import PdfOptions, render_field_guide
from .render import builtin_layouts_dir, fonts_dir, make_renderer

TARGETS = ("pdf", "epub", "dossiers")

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Written:
    path: Path
    kind: str
    size: int
    pages: int | None  # None for the EPUB


@dataclass(frozen=True)
class BuildResult:
    written: tuple[Written, ...]
    warnings: tuple[str, ...]


def build_time() -> datetime.datetime:
    """The build's timestamp: `SOURCE_DATE_EPOCH` if set, else now (UTC, whole seconds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.UTC)
    return datetime.datetime.now(tz=datetime.UTC).replace(microsecond=0)


def sandbox_roots(book_dir: Path) -> tuple[Path, ...]:
    """The only folders rendering may read: the book (with its own layouts), ours, and the fonts."""
    return (book_dir.resolve(), builtin_layouts_dir().resolve(), fonts_dir().resolve())


def write_atomic(path: Path, data: bytes) -> None:
    """Write next to the target, then rename: readers see the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def build(book_dir: Path | str = "book", out_dir: Path | str = "dist",
          targets: Iterable[str] = TARGETS, *, slugs: Iterable[str] | None = None,
          paper: str | None = None, pdf_variant: str | None = None,
          progress: Progress | None = None) -> BuildResult:
    """Build `targets` from `book_dir` into `out_dir`.

    Raises `BuildError` (invalid input) before anything is written, and
    `RenderError` when rendering fails; earlier outputs stay untouched.
    """
    book_dir, out_dir = Path(book_dir), Path(out_dir)
    targets = tuple(targets)
    unknown = [target for target in targets if target not in TARGETS]
    if unknown:
        raise ValueError(f"unknown target(s) {', '.join(unknown)}; expected {', '.join(TARGETS)}")
    book = load_book(book_dir)
    report = progress or (lambda done, total, label: None)
    created = build_time()
    guide = field_guide(book)
    renderer = make_renderer(book_dir)
    roots = sandbox_roots(book_dir)
    written: list[Written] = []
    warnings: list[str] = []

    if "pdf" in targets or "epub" in targets:
        report(0, 1, "field guide PDF")
        options = PdfOptions(book.config.page_size, book.config.bleed, book.config.crop_marks, pdf_variant)
        rendered = render_field_guide(guide, renderer, options, roots, created.isoformat())
        warnings += rendered.warnings
        if "pdf" in targets:
            path = out_dir / f"{book.slug}.pdf"
            write_atomic(path, rendered.data)
            written.append(Written(path, "field guide", len(rendered.data), rendered.page_count))
        report(1, 1, "field guide PDF")
    if "epub" in targets:
        report(0, 1, "EPUB")
        result = render_epub(guide, renderer, created)
        path = out_dir / f"{book.slug}.epub"
        write_atomic(path, result.data)
        written.append(Written(path, "EPUB", len(result.data), None))
        report(1, 1, "EPUB")
    if "dossiers" in targets:
        written += _build_dossiers(book, guide, renderer, roots, out_dir, created, slugs,
                                   paper or book.config.dossier_paper, report, warnings)
    return BuildResult(tuple(written), tuple(dict.fromkeys(warnings)))


def _build_dossiers(book: Book, guide, renderer, roots, out_dir: Path, created: datetime.datetime,
                    slugs: Iterable[str] | None, paper: str, report: Progress,
                    warnings: list[str]) -> list[Written]:
    if paper not in PAPER_SIZES:
        raise ValueError(f"unknown paper {paper!r}; expected {' or '.join(PAPER_SIZES)}")
    wanted = list(slugs) if slugs is not None else [role.slug for role in book.roles]
    known = {role.slug for role in book.roles}
    missing = [slug for slug in wanted if slug not in known]
    if missing:
        raise RenderError(f"no record with slug {', '.join(missing)}")
    chosen = [specimen for specimen in guide.specimens if specimen.role.slug in wanted]
    written: list[Written] = []
    for done, specimen in enumerate(chosen):
        report(done, len(chosen), f"dossier {specimen.role.slug}")
        dossier = render_dossier(book, specimen, renderer, paper, roots, created.isoformat())
        warnings += dossier.warnings
        path = out_dir / "dossiers" / dossier_file_name(specimen.role.slug)
        write_atomic(path, dossier.data)
        written.append(Written(path, "dossier", len(dossier.data), dossier.page_count))
    report(len(chosen), len(chosen), "dossiers")
    return written
