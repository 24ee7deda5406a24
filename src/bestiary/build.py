"""Orchestration: load the book once, render the requested outputs, write them all or none.

Returns what it wrote; the command line prints it. Dates come from
`SOURCE_DATE_EPOCH` when it is set, so builds are reproducible.
"""

from __future__ import annotations

import datetime
import difflib
import io
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader

from .config import PAPER_SIZES
from .context import FieldGuide, field_guide
from .cover import cover_png
from .dossier import dossier_file_name, render_dossiers
from .epub import render_epub
from .errors import RequestError
from .load import load_book
from .model import Book
from .outputs import OutputFolderLock, StagedOutputs
from .pdf import PdfOptions, RenderedPdf, render_field_guide
from .render import Renderer, make_renderer
from .resources import builtin_layouts_dir, fonts_dir, is_inside, real_path
from .sandbox import sandbox_roots
from .stamp import Recipient, recipients, stamp

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


@dataclass
class _Job:
    """One build's inputs, and what it has produced so far."""

    book: Book
    guide: FieldGuide
    renderer: Renderer
    roots: tuple[Path, ...]
    out_dir: Path
    created: datetime.datetime
    staged: StagedOutputs
    report: Progress
    written: list[Written] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def stage(self, path: Path, data: bytes, kind: str, pages: int | None) -> None:
        self.staged.add(path, data)
        self.written.append(Written(path, kind, len(data), pages))

    def field_guide_pdf(self, options: PdfOptions, keep: bool) -> RenderedPdf:
        self.report(0, 1, "field guide PDF")
        rendered = render_field_guide(self.guide, self.renderer, options, self.roots, self.created.isoformat())
        self.warnings += rendered.warnings
        if keep:
            self.stage(self.out_dir / f"{self.book.slug}.pdf", rendered.data, "field guide", rendered.page_count)
        return rendered

    def epub(self, print_edition: RenderedPdf) -> None:
        """The EPUB follows the print edition: its page-list and its cover come from that render."""
        self.report(0, 1, "EPUB")
        result = render_epub(self.guide, self.renderer, self.created, print_edition.pagination,
                             cover_png(print_edition.data))
        self.stage(self.out_dir / f"{self.book.slug}.epub", result.data, "EPUB", None)

    def dossiers(self, slugs: list[str], paper: str, recipients: tuple[Recipient, ...]) -> None:
        for dossier in render_dossiers(self.book, slugs, paper, self.created, self.report):
            self.warnings += dossier.warnings
            self.stage(self.dossier_path(dossier.slug), dossier.data, "dossier", dossier.page_count)
            self.stamped_copies(dossier.slug, dossier.data, dossier.page_count, recipients)

    def dossier_path(self, slug: str, recipient: Recipient | None = None) -> Path:
        suffix = recipient.file_suffix() if recipient else ""
        return self.out_dir / "dossiers" / dossier_file_name(slug + suffix)

    def stamped_copies(self, slug: str, data: bytes, pages: int, recipients: tuple[Recipient, ...]) -> None:
        for recipient in recipients:
            self.stage(self.dossier_path(slug, recipient), stamp(data, recipient), "stamped dossier", pages)


def build(book_dir: Path | str = "book", out_dir: Path | str = "dist",
          targets: Iterable[str] = TARGETS, *, slugs: Iterable[str] | None = None,
          paper: str | None = None, pdf_variant: str | None = None, page_size: str | None = None,
          bleed: str | None = None, crop_marks: bool | None = None, prepared_for: str | None = None,
          copies: int | None = None, progress: Progress | None = None,
          on_wait: Callable[[str], None] | None = None) -> BuildResult:
    """Build `targets` from `book_dir` into `out_dir`.

    Print options left as None come from `book.yaml`. `prepared_for` and `copies` add
    stamped copies beside each dossier (`stamp_dossiers` stamps without rendering).
    Raises `BuildError` for invalid input and `RequestError` for a bad request (unknown
    target, slug, paper or print option, an output folder that cannot be one) before
    rendering anything, and `RenderError` when rendering fails. Outputs are renamed into
    place only when all of them are ready: a failed or interrupted build changes nothing.
    One build at a time writes to an output folder; `on_wait` hears when another holds it.
    """
    book_dir, out_dir = Path(book_dir), Path(out_dir)
    targets = tuple(targets)
    unknown = [target for target in targets if target not in TARGETS]
    if unknown:
        raise RequestError(f"unknown target(s) {', '.join(unknown)}; expected {', '.join(TARGETS)}")
    check_output_folder(book_dir, out_dir)
    book = load_book(book_dir)
    wanted = _chosen_slugs(book, slugs)
    paper = paper or book.config.dossier_paper
    if copies is not None and not 1 <= copies <= 999:
        raise RequestError(f"expected from 1 to 999 copies, found {copies}")
    stamped = recipients(prepared_for, copies)  # checks the name before anything renders
    if paper not in PAPER_SIZES:
        raise RequestError(f"unknown paper {paper!r}; expected {' or '.join(PAPER_SIZES)}")
    config = book.config
    options = PdfOptions(page_size or config.page_size, bleed or config.bleed,
                         config.crop_marks if crop_marks is None else crop_marks, pdf_variant)
    options.check()
    with OutputFolderLock(out_dir, on_wait), StagedOutputs(out_dir) as staged:
        job = _Job(book, field_guide(book), make_renderer(book_dir), sandbox_roots(book_dir), out_dir,
                   build_time(), staged, progress or (lambda done, total, label: None),
                   warnings=[str(diagnostic) for diagnostic in book.warnings])
        if "pdf" in targets or "epub" in targets:
            # the EPUB needs the print pages even when the PDF itself is not wanted
            print_edition = job.field_guide_pdf(options, keep="pdf" in targets)
        if "epub" in targets:
            job.epub(print_edition)
        if "dossiers" in targets:
            job.dossiers(wanted, paper, stamped)
    return BuildResult(tuple(job.written), tuple(dict.fromkeys(job.warnings)))


OUTPUT_SUBFOLDERS = ("dossiers",)


def check_output_folder(book_dir: Path, out_dir: Path) -> None:
    """Refuse, before anything renders, an output folder that is a file or lies inside a source folder.

    Outputs inside the book (or the layouts or fonts) would be read back as sources,
    and `serve` would rebuild forever on its own output.
    """
    for folder in (out_dir, *(out_dir / name for name in OUTPUT_SUBFOLDERS)):
        if folder.exists() and not folder.is_dir():
            raise RequestError(f"expected an output folder, found a file at {folder}")
    real_out = real_path(out_dir)
    sources = {"the book folder": book_dir, "the built-in layouts": builtin_layouts_dir(), "the fonts": fonts_dir()}
    for name, folder in sources.items():
        real = real_path(folder)
        if real_out is not None and real is not None and is_inside(real_out, (real,)):
            raise RequestError(f"expected an output folder outside {name} ({folder}), found --out {out_dir} "
                               "inside it (outputs there would be read back as sources); the default is ./dist")


def _chosen_slugs(book: Book, slugs: Iterable[str] | None) -> list[str]:
    known = [role.slug for role in book.roles]
    if slugs is None:
        return known
    wanted = list(dict.fromkeys(slugs))
    for slug in wanted:
        if slug not in known:
            close = difflib.get_close_matches(slug, known, n=1, cutoff=0.0)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise RequestError(f"no record with the slug '{slug}'{hint}")
    return wanted


def stamp_dossiers(book_dir: Path | str, out_dir: Path | str, slugs: Iterable[str], *,
                   prepared_for: str | None = None, copies: int | None = None,
                   on_wait: Callable[[str], None] | None = None) -> BuildResult:
    """Stamp dossiers already in `out_dir/dossiers`, without rendering anything again."""
    check_output_folder(Path(book_dir), Path(out_dir))
    book = load_book(Path(book_dir))
    wanted = _chosen_slugs(book, slugs)
    chosen = recipients(prepared_for, copies)
    if not chosen:
        raise RequestError("expected --prepared-for or --copies to stamp with, found neither")
    with OutputFolderLock(Path(out_dir), on_wait), StagedOutputs(Path(out_dir)) as staged:
        job = _Job(book, field_guide(book), make_renderer(Path(book_dir)), (), Path(out_dir), build_time(), staged,
                   lambda done, total, label: None)
        for slug in wanted:
            source = job.dossier_path(slug)
            if not source.is_file():
                raise RequestError(f"no rendered dossier {source}; build it first with: bestiary dossier {slug}")
            data = source.read_bytes()
            job.stamped_copies(slug, data, len(PdfReader(io.BytesIO(data)).pages), chosen)
    return BuildResult(tuple(job.written), ())
