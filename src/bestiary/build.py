"""Orchestration: load the book once, lay out the print edition, render the requested outputs, write all or none.

The stages, in the order data takes them: `load` (book folder → `Book`),
`context` (`Book` → one view per layout), `pdf` (field guide view → laid-out
`PrintEdition`), `pagination` (read from that layout), `epub` and `dossier`,
then `outputs` (staged, committed together). Returns what it wrote; the
command line prints it. Dates come from `SOURCE_DATE_EPOCH` when it is set.
"""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import hashlib
import io
import os
import shlex
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader

from .book.config import check_paper
from .book.load import load_book
from .book.model import Book
from .check import check_book
from .epub.cover import cover_png
from .epub.package import render_epub
from .errors import Diagnostic, RequestError, StrictError
from .pdf.chunks import SPECIMENS_PER_CHUNK, NotChunkable, lay_out_in_chunks
from .pdf.document import PdfOptions, PrintEdition, render_field_guide
from .pdf.dossier import DossierLayouts, RenderedDossier
from .pdf.pool import LaidOut, WorkerPool
from .pdf.print_on_demand import interior_options, render_cover_wrap
from .pdf.processes import give_memory_back
from .pdf.sandbox import sandbox_roots
from .pdf.stamp import Recipient, recipients, stamp
from .pdf.toolchain import toolchain_fingerprint
from .progress import Progress, Step, silent
from .render.renderer import layout_search_path, make_renderer
from .resources import builtin_layouts_dir, fonts_dir, is_inside, real_path
from .store.cache import Cache, default_folder
from .store.dates import book_sources, build_time, source_date_epoch
from .store.manifest import inputs_digest, recall, remember
from .store.outputs import OutputFolderLock, OutputsInPlace, StagedOutputs, finish_interrupted_commit
from .store.staging import staging_problem
from .views.context import dossier_file_name, epub_view, field_guide_view
from .views.cover_wrap import cover_wrap

DEFAULT_TARGETS = ("pdf", "epub", "dossiers")  # what `build` makes when no target is named
TARGETS = (*DEFAULT_TARGETS, "print")  # "print": the print-on-demand interior and cover wrap, asked for by name
OUTPUT_SUBFOLDERS = ("dossiers", "print")

@dataclass(frozen=True)
class Written:
    path: Path
    kind: str
    size: int
    pages: int | None  # None for the EPUB
    sparse_pages: tuple[str, ...] = ()  # folios of body pages under a quarter full (the field guide)
    unchanged: bool = False  # the file already held these bytes: it was left as it was


@dataclass(frozen=True)
class BuildResult:
    written: tuple[Written, ...]
    warnings: tuple[Diagnostic, ...]
    laid_out: int = 0  # documents (field guide chunks, dossiers) laid out by this build
    reused: int = 0  # documents taken whole from the cache
    seconds: dict[str, float] = field(default_factory=dict)  # each stage's wall time, by stage name
    finished: tuple[Path, ...] = ()  # outputs of an earlier build killed mid-commit, put in place first
    machine_warnings: tuple[str, ...] = ()  # about the machine, not the book: no W code, `--strict` ignores them

    def stage_of(self, item: Written) -> str:
        """The stage that made `item`, as named in `seconds`."""
        return _STAGE_OF_KIND.get(item.kind, item.kind)


_STAGE_OF_KIND = {"dossier": "dossiers", "stamped dossier": "dossiers", "print interior": "print edition",
                  "cover wrap": "print edition"}


def print_edition(book: Book, options: PdfOptions, created: datetime.datetime, *, with_cover: bool = True,
                  pool: WorkerPool | None = None, per_chunk: int = SPECIMENS_PER_CHUNK,
                  progress: Progress = silent) -> PrintEdition:
    """The field guide laid out once: its pagination, its cover and its PDF (for the EPUB, tests, bench).

    With a `pool`, the untagged edition is laid out in chunks on every core (`chunks`); the PDF/UA,
    PDF/A and printer's variants, or layouts that number pages in ways chunks cannot, are laid out
    as one document in this process.
    """
    guide = field_guide_view(book, created, page_size=options.page_size, with_cover=with_cover)
    renderer = make_renderer(book)
    if pool is not None:
        try:
            return lay_out_in_chunks(guide, renderer, options, pool, progress, per_chunk)
        except NotChunkable as reason:
            progress(Step("field guide", 0, 1, f"as one document: {reason}"))
    return render_field_guide(guide, renderer, options, sandbox_roots(book.directory))


@dataclass
class _Job:
    """One build's inputs, and what it has produced so far."""

    book: Book
    out_dir: Path
    created: datetime.datetime
    staged: StagedOutputs
    report: Progress
    pool: WorkerPool
    written: list[Written] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    queued: dict[str, Future[LaidOut]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    started: dict[str, float] = field(default_factory=dict)

    last: dict[str, Step] = field(default_factory=dict)

    def tell(self, step: Step) -> None:
        self.last[step.stage] = step
        self.report(step)

    def begin(self, stage: str, total: int = 1, detail: str = "") -> None:
        self.started[stage] = time.monotonic()
        self.tell(Step(stage, 0, total, detail))

    def end(self, stage: str, pages: int = 0) -> None:
        """The stage is done: its bar full at the total it last reported, its time kept."""
        self.seconds[stage] = time.monotonic() - self.started[stage]
        total = self.last[stage].total
        self.tell(Step(stage, total, total, pages=pages or self.last[stage].pages))

    def stage(self, path: Path, data: bytes, kind: str, pages: int | None, sparse: tuple[str, ...] = ()) -> None:
        changed = self.staged.add(path, data)
        self.written.append(Written(path, kind, len(data), pages, sparse, unchanged=not changed))

    def field_guide(self, options: PdfOptions) -> PrintEdition:
        """The print edition laid out: its pages are known, its PDF is not yet assembled."""
        self.begin("field guide")
        edition = print_edition(self.book, options, self.created, pool=self.pool, progress=self.tell)
        self.warnings += edition.warnings
        self.end("field guide", pages=edition.page_count)
        return edition

    def field_guide_pdf(self, edition: PrintEdition) -> None:
        """The field guide's PDF; called last, when no worker holds a laid-out document, since assembling
        a chunked guide is the build process's largest moment (every page open at once)."""
        started = time.monotonic()
        give_memory_back()  # what the EPUB and the waiting held
        laid = self.last["field guide"]
        self.tell(Step("field guide", laid.done, laid.total + 1, "assembling the PDF", edition.page_count))
        self.stage(self.out_dir / f"{self.book.slug}.pdf", edition.data, "field guide", edition.page_count,
                   edition.pagination.sparse_body_pages())
        self.seconds["field guide"] += time.monotonic() - started
        self.tell(Step("field guide", laid.total + 1, laid.total + 1, pages=edition.page_count))

    def epub(self, edition: PrintEdition) -> None:
        """The EPUB follows the print edition: its page-list and its cover come from that layout."""
        self.begin("EPUB")
        toolchain = self.pool.toolchain  # PDFium's version and our code make the PNG, with the PDF
        cover_key = "cover-png:" + hashlib.sha256(toolchain.encode() + b"\0" + edition.cover_source).hexdigest()
        cover = self.pool.cache.get(cover_key)
        if cover is None:
            cover = cover_png(edition.cover_source)
            self.pool.cache.put(cover_key, cover)
        result = render_epub(epub_view(self.book, edition.pagination), make_renderer(self.book),
                             self.created, cover, self.pool.cache, toolchain)
        self.stage(self.out_dir / f"{self.book.slug}.epub", result.data, "EPUB", None)
        self.end("EPUB")

    def print_on_demand(self, page_size: str | None) -> None:
        """The printer's interior (PDF/X-4, bleed, no cover, even pages) and the cover wrap sized to it."""
        self.begin("print edition", detail="the PDF/X-4 interior, as one document")
        interior = print_edition(self.book, interior_options(self.book, page_size), self.created, with_cover=False)
        self.warnings += interior.warnings
        folder = self.out_dir / "print"
        self.stage(folder / f"{self.book.slug}-interior.pdf", interior.data, "print interior", interior.page_count)
        data, warnings = render_cover_wrap(cover_wrap(self.book, interior.page_count, page_size), self.created)
        self.warnings += warnings
        self.stage(folder / f"{self.book.slug}-cover.pdf", data, "cover wrap", 1)
        self.end("print edition", pages=interior.page_count)

    def queue_dossiers(self, slugs: Iterable[str], paper: str) -> None:
        """Hand the dossiers to the pool now: they lay out whenever a core has nothing more urgent."""
        roles = {role.slug: role for role in self.book.roles}
        settings = self.book.directory / "book.yaml"
        layouts = DossierLayouts(self.book, paper,
                                 lambda slug: build_time((settings, Path(roles[slug].source_path))))
        slugs = list(slugs)
        self.begin("dossiers", len(slugs))
        self.queued = {slug: self.pool.submit(layouts.task(slug), priority=2) for slug in slugs}
        ready = iter(range(1, len(slugs) + 1))  # next() is atomic: callbacks come from the pool's threads
        for slug, future in self.queued.items():
            future.add_done_callback(lambda done, slug=slug: None if done.cancelled() or done.exception() else
                                     self.tell(Step("dossiers", next(ready), len(slugs), slug)))

    def dossiers(self, paper: str, recipients: tuple[Recipient, ...]) -> None:
        for slug, future in self.queued.items():
            dossier = RenderedDossier.of(slug, future.result())
            self.warnings += dossier.warnings
            self.stage(self.dossier_path(dossier.slug, paper), dossier.data, "dossier", dossier.page_count)
            self.stamped_copies(dossier.slug, paper, dossier.data, dossier.page_count, recipients)
        self.end("dossiers")

    def dossier_path(self, slug: str, paper: str, recipient: Recipient | None = None) -> Path:
        """`dossiers/sdet.pdf`; `sdet--letter.pdf` off the book's paper; `sdet--jane-doe--copy-1-of-3.pdf` stamped."""
        suffix = recipient.file_suffix() if recipient else ""
        on_other_paper = paper if paper != self.book.config.dossier_paper else None
        return self.out_dir / "dossiers" / dossier_file_name(slug + suffix, on_other_paper)

    def stamped_copies(self, slug: str, paper: str, data: bytes, pages: int,
                       recipients: tuple[Recipient, ...]) -> None:
        original = self.dossier_path(slug, paper).name
        for recipient in recipients:
            path = self.dossier_path(slug, paper, recipient)
            self.stage(path, stamp(data, recipient, original, path.name), "stamped dossier", pages)

    def result(self, strict: bool) -> BuildResult:
        """What was built; in strict mode any warning fails the build before anything is written."""
        warnings = tuple(dict.fromkeys(self.warnings))
        if strict and warnings:
            raise StrictError(warnings)
        refused = self.pool.cache.refused
        return BuildResult(tuple(self.written), warnings, self.pool.laid_out, self.pool.reused, dict(self.seconds),
                           machine_warnings=(refused,) if refused else ())


def build(book_dir: Path | str = "book", out_dir: Path | str = "dist",
          targets: Iterable[str] = DEFAULT_TARGETS, *, slugs: Iterable[str] | None = None,
          paper: str | None = None, pdf_variant: str | None = None, page_size: str | None = None,
          bleed: str | None = None, crop_marks: bool | None = None, prepared_for: str | None = None,
          copies: int | None = None, progress: Progress | None = None,
          on_wait: Callable[[str], None] | None = None, strict: bool = False, use_cache: bool = True) -> BuildResult:
    """Build `targets` from `book_dir` into `out_dir`.

    Print options left as None come from `book.yaml`. `prepared_for` and `copies` add
    stamped copies beside each dossier (`stamp_dossiers` stamps without rendering).
    Raises `BuildError` for invalid input and `RequestError` for a bad request (unknown
    target, slug, paper or print option, an output or cache folder that cannot be one) before
    rendering anything, and `RenderError` when rendering fails (`StrictError` when
    `strict` and anything warned). Outputs are renamed into place only when all of them
    are ready: a build that fails or is interrupted before then changes nothing, and one
    interrupted after raises `OutputsInPlace` once all are in place (`outputs`). A build killed
    outright during its commit is finished by the next one, first (`BuildResult.finished`). One
    build at a time writes to an output folder; `on_wait` hears when another holds it. What was
    laid out before comes from the cache (`cache`) unless `use_cache` is False; one this user
    cannot trust is not used, and `machine_warnings` says so.
    """
    book_dir, out_dir = Path(book_dir), output_folder(out_dir)
    targets = tuple(targets)
    unknown = [target for target in targets if target not in TARGETS]
    if unknown:
        raise RequestError(f"unknown target(s) {', '.join(unknown)}; expected {', '.join(TARGETS)}")
    check_output_folder(book_dir, out_dir)
    source_date_epoch()  # a date the outputs cannot carry is refused before anything is read
    finished = finish_interrupted_commit(out_dir, on_wait)  # first: `recall` must compare whole outputs
    cache = Cache(cache_folder(book_dir)) if use_cache else Cache(None)
    request = {"targets": targets, "slugs": None if slugs is None else list(slugs), "paper": paper,
               "variant": pdf_variant, "page_size": page_size, "bleed": bleed, "crop_marks": crop_marks,
               "prepared_for": prepared_for, "copies": copies}
    toolchain = toolchain_fingerprint(layout_folders(book_dir))
    digest = inputs_digest(book_dir, request, toolchain)
    recalled = recall(cache, out_dir, digest)  # before loading: an up-to-date build reads no record
    if recalled is not None:
        written, warnings = recalled
        if strict and warnings:
            raise StrictError(tuple(warnings))
        return BuildResult(tuple(Written(Path(entry["path"]), entry["kind"], entry["size"], entry["pages"],
                                         tuple(entry["sparse_pages"]), unchanged=True) for entry in written),
                           tuple(warnings), finished=finished)
    # every input and option is checked before the output folder is created or locked
    plan = _plan(book_dir, slugs=slugs, paper=paper, pdf_variant=pdf_variant, page_size=page_size, bleed=bleed,
                 crop_marks=crop_marks, prepared_for=prepared_for, copies=copies, strict=strict)
    staged = StagedOutputs(out_dir)
    try:
        with OutputFolderLock(out_dir, on_wait) as lock, staged:
            result = _render(plan, staged, targets, cache, toolchain, progress=progress, strict=strict)
            staged.commit()
            remember(cache, out_dir, digest, [{"path": str(item.path), "kind": item.kind, "pages": item.pages,
                                               "sparse_pages": list(item.sparse_pages)} for item in result.written],
                     result.warnings)
            cache.prune()
        return dataclasses.replace(result, finished=finished + lock.finished)
    except KeyboardInterrupt as interrupt:  # in this frame: after the `return`, no code of ours runs
        if staged.committed and not isinstance(interrupt, OutputsInPlace):
            raise OutputsInPlace from interrupt
        raise


@dataclass(frozen=True)
class _Plan:
    """A loaded book and a checked request: what a build renders."""

    book: Book
    wanted: tuple[str, ...]
    paper: str
    options: PdfOptions
    page_size: str | None
    stamped: tuple[Recipient, ...]


def _plan(book_dir: Path, *, slugs: Iterable[str] | None, paper: str | None, pdf_variant: str | None,
          page_size: str | None, bleed: str | None, crop_marks: bool | None, prepared_for: str | None,
          copies: int | None, strict: bool) -> _Plan:
    book = check_book(book_dir)  # a book's own layouts are tried before anything is laid out
    if strict and book.warnings:
        raise StrictError(book.warnings)
    wanted = _chosen_slugs(book, slugs)
    paper = check_paper(paper or book.config.dossier_paper)
    if copies is not None and not 1 <= copies <= 999:
        raise RequestError(f"expected from 1 to 999 copies, found {copies}")
    stamped = recipients(prepared_for, copies)  # checks the name before anything renders
    options = PdfOptions.from_config(book.config, page_size=page_size, bleed=bleed, crop_marks=crop_marks,
                                     variant=pdf_variant)
    return _Plan(book, tuple(wanted), paper, options, page_size, tuple(stamped))


def _render(plan: _Plan, staged: StagedOutputs, targets: tuple[str, ...], cache: Cache, toolchain: str, *,
            progress: Progress | None, strict: bool) -> BuildResult:
    """Every requested output rendered and staged (not yet committed); strict mode fails on a warning."""
    book = plan.book
    with WorkerPool(sandbox_roots(book.directory), cache, toolchain) as pool:
        job = _Job(book, staged.out_dir, build_time(book_sources(book.directory)), staged,
                   progress or silent, pool, warnings=list(book.warnings))
        if "dossiers" in targets:
            job.queue_dossiers(plan.wanted, plan.paper)
        if "pdf" in targets or "epub" in targets:
            # the EPUB needs the print pages even when the PDF itself is not wanted
            edition = job.field_guide(plan.options)
        if "epub" in targets:
            job.epub(edition)
        if "dossiers" in targets:
            job.dossiers(plan.paper, plan.stamped)
        if "pdf" in targets:
            job.field_guide_pdf(edition)
        if "print" in targets:
            job.print_on_demand(plan.page_size)
        return job.result(strict)


def layout_folders(book_dir: Path) -> tuple[Path, ...]:
    """Every folder a layout reads from besides its HTML: ours, the book's own, and the fonts."""
    return (*layout_search_path(book_dir), fonts_dir())


def output_folder(out_dir: Path | str) -> Path:
    """`out_dir` as a path; an empty name is refused, since it would quietly mean the current folder."""
    if out_dir == "":
        raise RequestError("expected an output folder, found an empty name (it would mean the current folder: "
                           "write --out . for that); the default is ./dist")
    return Path(out_dir)


def check_output_folder(book_dir: Path, out_dir: Path) -> None:
    """Refuse, before anything renders, an output folder that is a file, a link that leads nowhere, holds
    a staging folder not ours (`outputs`), or lies inside a source folder.

    Outputs inside the book (or the layouts or fonts) would be read back as sources,
    and `serve` would rebuild forever on its own output.
    """
    for folder in (out_dir, *(out_dir / name for name in OUTPUT_SUBFOLDERS)):
        if folder.is_symlink() and not folder.exists():
            raise RequestError(f"expected an output folder, found a symbolic link that leads nowhere at {folder} "
                               f"(to {os.readlink(folder)})")
        if folder.exists() and not folder.is_dir():
            raise RequestError(f"expected an output folder, found a file at {folder}")
    problem = staging_problem(out_dir)
    if problem:
        raise RequestError(problem)
    holding = _source_holding(book_dir, out_dir)
    if holding is not None:
        name, source = holding
        raise RequestError(f"expected an output folder outside {name} ({source}), found --out {out_dir} "
                           "inside it (outputs there would be read back as sources); the default is ./dist")


def cache_folder(book_dir: Path) -> Path:
    """The build cache folder for a build of `book_dir` (`cache.default_folder`); a `RequestError` (exit 2),
    before anything is built or made, when it lies inside the book, the layouts or the fonts.

    Writing the cache there would change the sources it is kept for: every build would find its
    inputs changed, and `serve` would rebuild on its own writes forever.
    """
    folder = default_folder()
    holding = _source_holding(book_dir, folder)
    if holding is not None:
        name, source = holding
        raise RequestError(f"expected the build cache outside {name} ({source}), found {folder} inside it "
                           "(writing it would change the sources); set BESTIARY_CACHE_DIR to a folder outside them")
    return folder


def _source_holding(book_dir: Path, folder: Path) -> tuple[str, Path] | None:
    """The source folder that `folder` lies inside, links resolved, as (what it is, its path); else None."""
    real_folder = real_path(folder)
    sources = {"the book folder": book_dir, "the built-in layouts": builtin_layouts_dir(), "the fonts": fonts_dir()}
    for name, source in sources.items():
        real = real_path(source)
        if real_folder is not None and real is not None and is_inside(real_folder, (real,)):
            return name, source
    return None


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
                   prepared_for: str | None = None, copies: int | None = None, paper: str | None = None,
                   on_wait: Callable[[str], None] | None = None) -> BuildResult:
    """Stamp dossiers already in `out_dir/dossiers` (on `paper`, the book's by default), without rendering;
    written all or nothing, as `build` writes."""
    book_dir, out_dir = Path(book_dir), output_folder(out_dir)
    check_output_folder(book_dir, out_dir)
    source_date_epoch()
    book = load_book(book_dir)
    paper = check_paper(paper or book.config.dossier_paper)
    wanted = _chosen_slugs(book, slugs)
    chosen = recipients(prepared_for, copies)
    if not chosen:
        raise RequestError("expected --prepared-for or --copies to stamp with, found neither")
    staged = StagedOutputs(out_dir)
    try:
        with OutputFolderLock(out_dir, on_wait) as lock, staged:
            nothing_to_lay_out = WorkerPool((), Cache(None), "", workers=1)
            job = _Job(book, out_dir, build_time(), staged, lambda done, total, label: None, nothing_to_lay_out)
            for slug in wanted:
                source = job.dossier_path(slug, paper)
                if not source.is_file():
                    raise RequestError(f"no rendered dossier {source}; build it first with: "
                                       f"{_dossier_command(slug, book_dir, out_dir, paper, book.config.dossier_paper)}")
                data = source.read_bytes()
                job.stamped_copies(slug, paper, data, len(PdfReader(io.BytesIO(data)).pages), chosen)
            result = job.result(strict=False)
            staged.commit()
        return dataclasses.replace(result, finished=lock.finished)
    except KeyboardInterrupt as interrupt:
        if staged.committed and not isinstance(interrupt, OutputsInPlace):
            raise OutputsInPlace from interrupt
        raise


def _dossier_command(slug: str, book_dir: Path, out_dir: Path, paper: str, book_paper: str) -> str:
    """The command that renders the dossier `stamp_dossiers` looked for: same book, folder and paper."""
    words = ["bestiary", "dossier", slug]
    if book_dir != Path("book"):
        words += ["--book", str(book_dir)]
    if out_dir != Path("dist"):
        words += ["--out", str(out_dir)]
    if paper != book_paper:
        words += ["--paper", paper]
    return shlex.join(words)
