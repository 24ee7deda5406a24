"""Orchestration: one `BuildRequest` in, every requested output written all or none, a `BuildResult` out.

The stages, in the order data takes them: `book` (folder → `Book`), `views`
(`Book` → one view per layout), `render` (view → HTML), `pdf` (the field guide
laid out in chunks on the worker pool, then the dossiers; the print edition),
`epub` (after the print pages are known), then `store` (staged, committed
together). Nothing here lays out, renders or names a file itself: it says what
happens when, and keeps the books (progress, time per stage, what was written).
"""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import io
import shlex
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from pypdf import PdfReader

from .book.model import Book
from .book.print_services import PrintProfile
from .check import check_book
from .epub.cover import cached_cover_png
from .epub.package import render_epub
from .errors import Diagnostic, RenderError, RequestError, StrictError, display_path
from .pdf.chunks import SPECIMENS_PER_CHUNK, NotChunkable, lay_out_in_chunks, lay_out_whole
from .pdf.document import PdfOptions, PrintEdition, render_field_guide
from .pdf.dossier import DossierLayouts, RenderedDossier
from .pdf.layout import LaidOut
from .pdf.pool import WorkerPool
from .pdf.preflight import failures_as_warnings, preflight, report_lines
from .pdf.print_on_demand import (
    cover_expectations,
    inside_margin,
    interior_expectations,
    lay_out_interior,
    render_cover_wrap,
    upload_figures,
)
from .pdf.processes import give_memory_back
from .pdf.sandbox import sandbox_roots
from .pdf.stamp import Recipient, recipients, stamped_copies
from .pdf.toolchain import toolchain_fingerprint
from .pdf.volumes import Measured, lay_out_volumes, measure_interior, over_limit, plan_volumes
from .progress import Progress, Stage, SteadySteps, Step, silent
from .render.renderer import layout_search_path, make_renderer
from .request import BuildRequest, Target
from .resources import fonts_dir
from .store.cache import Cache
from .store.dates import book_sources, build_time, source_date_epoch
from .store.manifest import inputs_digest, recall, remember
from .store.outputs import (
    OutputFolderLock,
    OutputsInPlace,
    StagedOutputs,
    finish_interrupted_commit,
    remove_stale_files,
)
from .store.paths import OutputKind, OutputPaths, check_output_folder
from .views.cover_wrap import VolumeLabel, cover_wrap
from .views.epub import epub_view
from .views.guide import field_guide_view
from .views.web import HOME_FILE
from .web.downloads import offered_print_files
from .web.share_cards import card_images, submit_cards
from .web.site import BuiltFiles, web_site


@dataclass(frozen=True)
class Written:
    path: Path
    kind: OutputKind
    size: int
    pages: int | None  # None for the EPUB
    sparse_pages: tuple[str, ...] = ()  # folios of body pages under a quarter full (the field guide)
    unchanged: bool = False  # the file already held these bytes: it was left as it was
    preflight: tuple[str, ...] = ()  # a printer's file: its preflight report, one line per rule (then the figures)


@dataclass(frozen=True)
class BuildResult:
    written: tuple[Written, ...]
    warnings: tuple[Diagnostic, ...]
    laid_out: int = 0  # documents (field guide chunks, dossiers) laid out by this build
    reused: int = 0  # documents taken whole from the cache
    seconds: dict[Stage, float] = field(default_factory=dict)  # each stage's wall time
    finished: tuple[Path, ...] = ()  # outputs of an earlier build killed mid-commit, put in place first
    machine_warnings: tuple[str, ...] = ()  # about the machine, not the book: no W code, `--strict` ignores them
    site: frozenset[Path] = frozenset()  # every file of the web edition, when built: the rest of its folder is stale


def print_edition(book: Book, options: PdfOptions, created: datetime.datetime, *, with_cover: bool = True,
                  pool: WorkerPool | None = None, per_chunk: int | None = None,
                  progress: Progress = silent) -> PrintEdition:
    """The field guide laid out once: its pagination, its cover and its PDF (for the EPUB, tests, bench).

    With a `pool`, the untagged edition is laid out in chunks on every core (`chunks`), or, when the book
    has no more specimens than one chunk holds, as one document on the pool (`lay_out_whole`); the PDF/UA,
    PDF/A and printer's variants, or layouts that number pages in ways chunks cannot, are laid out
    as one document in this process.
    """
    guide = field_guide_view(book, created, page_size=options.page_size, with_cover=with_cover, ink=options.ink)
    renderer = make_renderer(book)
    per_chunk = per_chunk or SPECIMENS_PER_CHUNK  # read when called: a test may make chunks smaller
    if pool is not None:
        try:
            if len(book.roles) <= per_chunk:
                return lay_out_whole(guide, renderer, options, pool, progress)
            return lay_out_in_chunks(guide, renderer, options, pool, progress, per_chunk)
        except NotChunkable as reason:
            progress(Step(Stage.FIELD_GUIDE, 0, 1, f"as one document: {reason}"))
    return render_field_guide(guide, renderer, options, sandbox_roots(book.directory))


@dataclass
class _Job:
    """One build's bookkeeping: its progress, each stage's time, what it staged and what warned."""

    staged: StagedOutputs
    report: Progress
    written: list[Written] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    seconds: dict[Stage, float] = field(default_factory=dict)
    started: dict[Stage, float] = field(default_factory=dict)
    last: dict[Stage, Step] = field(default_factory=dict)
    site: set[Path] = field(default_factory=set)
    made: dict[Path, tuple[bytes, int]] = field(default_factory=dict)  # the printer's files staged, for the site

    def tell(self, step: Step) -> None:
        self.last[step.stage] = step
        self.report(step)

    def begin(self, stage: Stage, total: int = 1, detail: str = "") -> None:
        self.started[stage] = time.monotonic()
        self.tell(Step(stage, 0, total, detail))

    def end(self, stage: Stage, pages: int = 0) -> None:
        """The stage is done: its bar full at the total it last reported, its time kept."""
        self.seconds[stage] = self.seconds.get(stage, 0.0) + time.monotonic() - self.started[stage]
        total = self.last[stage].total
        self.tell(Step(stage, total, total, pages=pages or self.last[stage].pages))

    def stage(self, path: Path, data: bytes, kind: OutputKind, pages: int | None,
              sparse: tuple[str, ...] = (), preflight: tuple[str, ...] = ()) -> None:
        changed = self.staged.add(path, data)
        self.written.append(Written(path, kind, len(data), pages, sparse, unchanged=not changed, preflight=preflight))

    def result(self, strict: bool, pool: WorkerPool | None = None) -> BuildResult:
        """What was built; in strict mode any warning fails the build before anything is written."""
        warnings = tuple(dict.fromkeys(self.warnings))
        if strict and warnings:
            raise StrictError(warnings)
        refused = pool.cache.refused if pool else None
        return BuildResult(tuple(self.written), warnings, pool.laid_out if pool else 0, pool.reused if pool else 0,
                           dict(self.seconds), machine_warnings=(refused,) if refused else (),
                           site=frozenset(self.site))


def build(request: BuildRequest, *, progress: Progress | None = None,
          on_wait: Callable[[str], None] | None = None) -> BuildResult:
    """Build what `request` asks for.

    Raises `InputError` for invalid input and `RequestError` for a request that cannot be met (an
    unknown slug, an output or cache folder that cannot be one) before rendering anything, and
    `RenderError` when rendering fails (`StrictError` when the request is strict and anything warned).
    Outputs are renamed into place only when all of them are ready: a build that fails or is interrupted
    before then changes nothing, and one interrupted after raises `OutputsInPlace` once all are in place
    (`store.outputs`). A build killed outright during its commit is finished by the next one, first
    (`BuildResult.finished`). One build at a time writes to an output folder; `on_wait` hears when
    another holds it. What was laid out before comes from the cache unless the request says not to; a
    cache this user cannot trust is not used, and `machine_warnings` says so.
    """
    book_dir, out_dir = request.book_dir, request.out_dir
    check_output_folder(book_dir, out_dir)
    source_date_epoch()  # a date the outputs cannot carry is refused before anything is read
    finished = finish_interrupted_commit(out_dir, on_wait)  # first: `recall` must compare whole outputs
    cache = Cache.for_book(book_dir) if request.use_cache else Cache(None)
    toolchain = toolchain_fingerprint(layout_folders(book_dir))
    digest = inputs_digest(book_dir, request.digest_inputs(), toolchain)
    recalled = recall(cache, out_dir, digest)  # before loading: an up-to-date build reads no record
    if recalled is not None:
        written, warnings = recalled
        if request.strict and warnings:
            raise StrictError(tuple(warnings))
        return BuildResult(tuple(Written(Path(entry["path"]), OutputKind(entry["kind"]), entry["size"],
                                         entry["pages"], tuple(entry["sparse_pages"]), unchanged=True,
                                         preflight=tuple(entry.get("preflight", [])))
                                 for entry in written), tuple(warnings), finished=finished)
    plan = _plan(request)  # every input and option is checked before the output folder is created or locked
    staged = StagedOutputs(out_dir)
    try:
        with OutputFolderLock(out_dir, on_wait) as lock, staged:
            result = _render(plan, staged, cache, toolchain, progress or silent)
            staged.commit()
            if request.wants(Target.WEB):
                remove_stale_files(plan.paths.web, result.site)
            remember(cache, out_dir, digest, [{"path": str(item.path), "kind": str(item.kind), "pages": item.pages,
                                               "sparse_pages": list(item.sparse_pages),
                                               "preflight": list(item.preflight)} for item in result.written],
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

    request: BuildRequest
    book: Book
    paths: OutputPaths
    slugs: tuple[str, ...]
    paper: str
    options: PdfOptions
    recipients: tuple[Recipient, ...]
    profile: PrintProfile | None  # the print edition's, when it is asked for


def _plan(request: BuildRequest) -> _Plan:
    book = check_book(request.book_dir)  # a book's own layouts are tried before anything is laid out
    if request.strict and book.warnings:
        raise StrictError(book.warnings)
    page = request.page
    options = PdfOptions.from_config(book.config, page_size=page.page_size, bleed=page.bleed,
                                     crop_marks=page.crop_marks, variant=request.variant)
    stamping, printing = request.stamping, request.printing
    # the service, paper and ink are checked together before anything renders
    profile = book.config.print_edition.profile(printing.service, printing.stock, printing.ink) \
        if request.wants(Target.PRINT) else None
    return _Plan(request, book, OutputPaths(request.out_dir, book.slug, book.config.dossier_paper),
                 _chosen_slugs(book, request.slugs), request.paper or book.config.dossier_paper, options,
                 recipients(stamping.prepared_for, stamping.copies), profile)  # the name too


def _render(plan: _Plan, staged: StagedOutputs, cache: Cache, toolchain: str, progress: Progress) -> BuildResult:
    """Every requested output rendered and staged (not yet committed); strict mode fails on a warning."""
    book, request, paths = plan.book, plan.request, plan.paths
    created = build_time(book_sources(book.directory))
    job = _Job(staged, progress, warnings=list(book.warnings))
    with WorkerPool(sandbox_roots(book.directory), cache, toolchain) as pool:
        queued = _queue_dossiers(job, pool, plan) if request.wants(Target.DOSSIERS) else {}
        cards = submit_cards(book, make_renderer(book), pool) if request.wants(Target.WEB) else {}
        if request.wants(Target.PDF) or request.wants(Target.EPUB):
            # the EPUB needs the print pages even when the PDF itself is not wanted
            assembling = int(request.wants(Target.PDF))  # its last piece, at the end: `_stage_field_guide`
            job.begin(Stage.FIELD_GUIDE, 1 + assembling)
            edition = print_edition(book, plan.options, created, pool=pool,
                                    progress=SteadySteps(job.tell, extra=assembling))
            job.warnings += edition.warnings
            if assembling:
                job.seconds[Stage.FIELD_GUIDE] = time.monotonic() - job.started[Stage.FIELD_GUIDE]
            else:
                job.end(Stage.FIELD_GUIDE, pages=edition.page_count)
        if request.wants(Target.EPUB):
            job.begin(Stage.EPUB)
            cover = cached_cover_png(edition.cover_source, cache, toolchain)
            epub = render_epub(epub_view(book, edition.pagination), make_renderer(book), created, cover, cache,
                               toolchain)
            job.stage(paths.epub, epub, OutputKind.EPUB, None)
            job.end(Stage.EPUB)
        dossiers = _stage_dossiers(job, plan, queued) if queued else {}
        if request.wants(Target.PDF):
            _stage_field_guide(job, paths, edition)
        if request.wants(Target.PRINT):
            _print_edition(job, plan, created, pool)
        if request.wants(Target.WEB):
            built = BuiltFiles(paths.field_guide.name, edition.data, edition.page_count, paths.epub.name, epub,
                               dossiers, offered_print_files(paths, job.made), edition.cover_source)
            _stage_web(job, plan, built, edition, cards, created, cache, toolchain)
        return job.result(request.strict, pool)


def _queue_dossiers(job: _Job, pool: WorkerPool, plan: _Plan) -> dict[str, Future[LaidOut]]:
    """Hand the dossiers to the pool now: they lay out whenever a core has nothing more urgent."""
    book = plan.book
    roles = {role.slug: role for role in book.roles}
    settings = book.directory / "book.yaml"
    layouts = DossierLayouts(book, plan.paper, lambda slug: build_time((settings, Path(roles[slug].source_path))))
    job.begin(Stage.DOSSIERS, len(plan.slugs))
    queued = {slug: pool.submit(layouts.task(slug), priority=2) for slug in plan.slugs}
    ready = iter(range(1, len(queued) + 1))  # next() is atomic: callbacks come from the pool's threads

    def report_ready(slug: str, done: Future[LaidOut]) -> None:
        if not done.cancelled() and not done.exception():
            job.tell(Step(Stage.DOSSIERS, next(ready), len(queued), slug))

    for slug, future in queued.items():
        future.add_done_callback(partial(report_ready, slug))
    return queued


def _stage_dossiers(job: _Job, plan: _Plan, queued: dict[str, Future[LaidOut]]) -> dict[str, tuple[bytes, int]]:
    """Each dossier as it is ready, and its stamped copies beside it; each dossier's PDF and pages, by slug."""
    made = {}
    for slug, future in queued.items():
        dossier = RenderedDossier.of(slug, future.result())
        job.warnings += dossier.warnings
        path = plan.paths.dossier(slug, plan.paper)
        made[slug] = (dossier.data, dossier.page_count)
        job.stage(path, dossier.data, OutputKind.DOSSIER, dossier.page_count)
        copies = stamped_copies(dossier.data, path, plan.recipients, partial(plan.paths.dossier, slug, plan.paper))
        for copy_path, data in copies:
            job.stage(copy_path, data, OutputKind.STAMPED_DOSSIER, dossier.page_count)
    job.end(Stage.DOSSIERS)
    return made


def _stage_field_guide(job: _Job, paths: OutputPaths, edition: PrintEdition) -> None:
    """The field guide's PDF; staged last, when no worker holds a laid-out document, since assembling
    a chunked guide is the build process's largest moment (every page open at once)."""
    started = time.monotonic()
    give_memory_back()  # what the EPUB and the waiting held
    total = job.last[Stage.FIELD_GUIDE].total  # counted the assembly from the start
    job.tell(Step(Stage.FIELD_GUIDE, total - 1, total, "assembling the PDF", edition.page_count))
    job.stage(paths.field_guide, edition.data, OutputKind.FIELD_GUIDE, edition.page_count,
              edition.pagination.sparse_body_pages())
    job.seconds[Stage.FIELD_GUIDE] += time.monotonic() - started
    job.tell(Step(Stage.FIELD_GUIDE, total, total, pages=edition.page_count))


# fewer pages than any specimen takes: a book with this many may pass a service's limit, so it is measured first
MIN_PAGES_PER_SPECIMEN = 4


def _print_edition(job: _Job, plan: _Plan, created: datetime.datetime, pool: WorkerPool) -> None:
    """The printer's interior (PDF/X-4 for the profile's ink, to the service's profile, no cover) and the cover
    wrap sized to it, each preflighted against the profile; a rule either fails is a W603 warning, and the report
    goes with the file. An interior over the service's page limit is refused, one line, unless volumes are asked
    for: then each volume is an interior and a cover of its own (`pdf.volumes`)."""
    book, page_size, profile = plan.book, plan.request.page.page_size, plan.profile
    assert profile is not None  # planned with the print target
    paths = plan.paths
    edition = book.config.print_edition
    auto = (plan.request.printing.volumes or edition.volumes) == "auto"
    limit = profile.max_pages
    job.begin(Stage.PRINT_EDITION, detail=f"the PDF/X-4 interior for {profile.service}, as one document")
    if limit is not None and (auto or len(book.roles) * MIN_PAGES_PER_SPECIMEN > limit):
        job.tell(Step(Stage.PRINT_EDITION, 0, 1, "measuring the interior from its chunks"))
        measured = measure_interior(book, profile, created, page_size, pool, inside_margin(profile, limit))
        if measured.page_count > limit:
            if not auto:
                raise RequestError(over_limit(measured.page_count, profile))
            _print_volumes(job, plan, created, measured, pool)
            return
    interior = lay_out_interior(book, profile, created, page_size).edition
    if limit is not None and interior.page_count > limit:
        raise RequestError(over_limit(interior.page_count, profile))
    _stage_print_files(job, plan, interior, paths.print_interior, paths.cover_wrap, created)
    job.end(Stage.PRINT_EDITION, pages=interior.page_count)


def _print_volumes(job: _Job, plan: _Plan, created: datetime.datetime, measured: Measured, pool: WorkerPool) -> None:
    """The interior split into volumes under the service's limit, each staged with its own cover wrap."""
    book, page_size, profile = plan.book, plan.request.page.page_size, plan.profile
    assert profile is not None and profile.max_pages is not None
    volumes = plan_volumes(measured, profile.max_pages)
    identifiers = book.config.print_edition.volume_identifiers
    laid = lay_out_volumes(book, profile, page_size, measured, volumes, pool, identifiers,
                           progress=lambda detail: job.tell(Step(Stage.PRINT_EDITION, 0, 1, detail)))
    pages = 0
    for entry in laid:
        volume, interior = entry.volume, entry.edition
        if interior.page_count > profile.max_pages:
            raise RenderError(f"{volume.label} came to {interior.page_count} pages, over the {profile.max_pages} its "
                              f"measure allowed for: the book's pages did not fall as its chunks did")
        label = VolumeLabel(volume.label, volume.numeral,
                            identifiers[volume.number - 1] if volume.number <= len(identifiers) else "",
                            sum(len(view.specimens) for view in volume.chapters),
                            len({view.target.id for view in volume.chapters if view.chapter.is_family}))
        _stage_print_files(job, plan, interior, plan.paths.volume_interior(volume.number),
                           plan.paths.volume_cover(volume.number), created, label)
        pages += interior.page_count
    job.end(Stage.PRINT_EDITION, pages=pages)


def _stage_print_files(job: _Job, plan: _Plan, interior: PrintEdition, interior_path: Path, cover_path: Path,
                       created: datetime.datetime, volume: VolumeLabel | None = None) -> None:
    """One interior and the cover wrap sized to it, each preflighted, staged with its report."""
    book, page_size, profile = plan.book, plan.request.page.page_size, plan.profile
    assert profile is not None
    job.warnings += interior.warnings
    checked = preflight(interior.data, interior_expectations(book, profile, page_size))
    job.warnings += failures_as_warnings(display_path(interior_path), checked)
    job.made[interior_path] = (interior.data, interior.page_count)
    job.stage(interior_path, interior.data, OutputKind.PRINT_INTERIOR, interior.page_count,
              preflight=tuple(report_lines(checked)))
    wrap = cover_wrap(book, interior.page_count, page_size, profile, volume)
    data, warnings = render_cover_wrap(wrap, created)
    job.warnings += warnings
    checked = preflight(data, cover_expectations(wrap))
    job.warnings += failures_as_warnings(display_path(cover_path), checked)
    job.made[cover_path] = (data, 1)
    job.stage(cover_path, data, OutputKind.COVER_WRAP, 1,
              preflight=tuple(report_lines(checked, upload_figures(wrap, profile))))


def _stage_web(job: _Job, plan: _Plan, built: BuiltFiles, edition: PrintEdition, cards: dict[str, Future[LaidOut]],
               created: datetime.datetime, cache: Cache, toolchain: str) -> None:
    """The web edition, every file staged (those whose bytes have not changed are left as they are); one line
    of the summary for the whole site, its home page."""
    job.begin(Stage.WEB, detail="pages, fonts, share cards and search")
    images, warnings = card_images(cards, cache, toolchain)
    job.warnings += warnings
    site = web_site(plan.book, edition.pagination, built, images, make_renderer(plan.book), created, cache, toolchain)
    changed = False
    for name, data in site.files.items():
        path = plan.paths.web / name
        job.site.add(path)
        changed = job.staged.add(path, data) or changed
    home = plan.paths.web / HOME_FILE
    job.written.append(Written(home, OutputKind.WEB, len(site.files[HOME_FILE]), site.pages, unchanged=not changed))
    job.end(Stage.WEB)


def layout_folders(book_dir: Path) -> tuple[Path, ...]:
    """Every folder a layout reads from besides its HTML: ours, the book's own, and the fonts."""
    return (*layout_search_path(book_dir), fonts_dir())


def _chosen_slugs(book: Book, slugs: Iterable[str] | None) -> tuple[str, ...]:
    known = [role.slug for role in book.roles]
    if slugs is None:
        return tuple(known)
    for slug in slugs:
        if slug not in known:
            close = difflib.get_close_matches(slug, known, n=1, cutoff=0.0)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise RequestError(f"no record with the slug '{slug}'{hint}")
    return tuple(slugs)


def stamp_dossiers(request: BuildRequest, *, on_wait: Callable[[str], None] | None = None) -> BuildResult:
    """Stamp the dossiers of `request.slugs` already in its output folder (on its paper, the book's by default),
    without rendering; written all or nothing, as `build` writes."""
    book_dir, out_dir = request.book_dir, request.out_dir
    check_output_folder(book_dir, out_dir)
    source_date_epoch()
    book = check_book(book_dir)
    paper = request.paper or book.config.dossier_paper
    wanted = _chosen_slugs(book, request.slugs)
    chosen = recipients(request.stamping.prepared_for, request.stamping.copies)
    if not chosen:
        raise RequestError("expected --prepared-for or --copies to stamp with, found neither")
    paths = OutputPaths(out_dir, book.slug, book.config.dossier_paper)
    staged = StagedOutputs(out_dir)
    try:
        with OutputFolderLock(out_dir, on_wait) as lock, staged:
            job = _Job(staged, silent)
            for slug in wanted:
                source = paths.dossier(slug, paper)
                if not source.is_file():
                    raise RequestError(f"no rendered dossier {source}; build it first with: "
                                       f"{_dossier_command(slug, book_dir, out_dir, paper, book.config.dossier_paper)}")
                data = source.read_bytes()
                pages = len(PdfReader(io.BytesIO(data)).pages)
                copies = stamped_copies(data, source, chosen, partial(paths.dossier, slug, paper))
                for copy_path, stamped in copies:
                    job.stage(copy_path, stamped, OutputKind.STAMPED_DOSSIER, pages)
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
