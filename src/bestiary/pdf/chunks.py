"""The field guide cut into chunks that lay out apart and number as one document.

A chunk begins where the single document begins a new page whatever came
before: the front matter (always first), a chapter (its opener and up to
`SPECIMENS_PER_CHUNK` specimens), the next specimens of the same family, the
field statistics, the index (each of its parts, when they begin pages:
`index.PARTS_FROM`). No chunk breaks to a recto except at its start,
and verso and recto pages have the same text width, so a chunk's pages fall
the same wherever it starts: its shape (the ids that begin on each page) is
laid out once and cached, and the page plan (`pagination.plan_pages`) follows
from the shapes.

Numbers cross chunks as text. Each internal link carries `data-page`, its
target's folio from the plan, and the chunk's stylesheet prints
`attr(data-page)` where the whole document prints
`target-counter(attr(href url), page)`; a chunk's first folio comes from
`@page :first { counter-set: page N }`. A chunk that starts on a verso is laid
out after a stand-in recto (the pad, dropped afterwards), so WeasyPrint puts
its left and right pages, and a blank verso before a recto opener, exactly
where the whole document does. A continuation chunk's first specimen carries
its family's running head (`data-carry-chapter`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from ..progress import Progress, Stage, Step, silent
from ..render.layouts import FIELD_GUIDE_LAYOUT
from ..render.renderer import Renderer
from ..store.cache import Cache
from ..views.common import STATISTICS_ANCHOR, ChapterView
from ..views.guide import FieldGuideView
from ..views.index import INDEX_ANCHOR, INDEX_PARTS
from ..views.pages import Pagination
from .assemble import assemble
from .document import PdfOptions, PrintEdition, edition_laid_out_whole
from .layout import Finish, LaidOut, LayoutTask
from .pagination import INTERNAL_LINK, PagePlan, Shape, plan_pages
from .pool import WorkerPool

MAX_ROUNDS = 4  # layouts with every number in place; a book whose pages have not settled by then is laid out whole
SPECIMENS_PER_CHUNK = 8  # ~50 pocket pages: small enough to lay out fast, large enough to share font subsets
FRONT = "front"
PLACEHOLDER_FOLIO = "000"  # what a cross-reference prints while the chunk is laid out for its shape only

TARGET_COUNTER = "target-counter(attr(href url), page)"
LITERAL_NUMBER = "attr(data-page)"
# What a chunk cannot reproduce from its own pages: other forms of cross-page numbering.
_UNCHUNKABLE = ("target-counter(", "target-counters(", "target-text(", "counter(pages)")

# Added to every chunk after the first: its first folio, the pad page, and the carried running head.
# WeasyPrint reads these as a user stylesheet, which loses to the layouts' own rules unless important.
CHUNK_RULES = """
.chunk-pad { page: chunk-pad; break-after: page; }
@page chunk-pad { @top-left { content: none; } @top-right { content: none; } @top-center { content: none; }
  @bottom-left { content: none; } @bottom-right { content: none; } @bottom-center { content: none; } }
.specimen[data-carry-chapter] { string-set: chapter attr(data-carry-chapter), specimen attr(data-running) !important; }
"""


@dataclass(frozen=True)
class Chunk:
    """A run of the field guide laid out as a document of its own."""

    name: str  # stable across builds: "front", a chapter's anchor, "<anchor>--2" for its next specimens, "index"
    view: FieldGuideView  # the guide cut down to this chunk
    opens_recto: bool  # its first page must be a recto: a blank verso goes before it when it would fall on a verso

    @property
    def is_front(self) -> bool:
        return self.name == FRONT


class NotChunkable(Exception):
    """The layouts number pages in a way chunks cannot reproduce; lay the guide out as one document."""


def cut(guide: FieldGuideView, per_chunk: int = SPECIMENS_PER_CHUNK) -> tuple[Chunk, ...]:
    """The field guide's chunks, in reading order.

    Whole chapters that follow one another share a chunk while it holds at most `per_chunk`
    specimens (such a chunk opens on a recto, so the blank versos inside it fall the same
    wherever it starts); a longer family is cut into runs of `per_chunk`, each continuing
    run a chunk of its own.
    """
    nothing = replace(guide, with_front=False, with_statistics=False, with_index=False, chapters=(),
                      head=replace(guide.head, created=""))  # dates belong to the first chunk only
    chunks = [Chunk(FRONT, replace(guide, chapters=(), with_statistics=False, with_index=False), opens_recto=True)]
    grouped: list[ChapterView] = []  # whole chapters waiting to share a chunk

    def close_group() -> None:
        if grouped:
            chunks.append(Chunk(grouped[0].target.id, replace(nothing, chapters=tuple(grouped)), opens_recto=True))
            grouped.clear()

    for chapter in guide.chapters:
        if sum(len(view.specimens) for view in grouped) + len(chapter.specimens) > per_chunk:
            close_group()
        if len(chapter.specimens) <= per_chunk:
            grouped.append(chapter)
            continue
        runs = [chapter.specimens[start:start + per_chunk] for start in range(0, len(chapter.specimens), per_chunk)]
        for number, specimens in enumerate(runs, start=1):
            part: ChapterView = replace(chapter, specimens=specimens, with_opener=number == 1)
            name = chapter.target.id if number == 1 else f"{chapter.target.id}--{number}"
            chunks.append(Chunk(name, replace(nothing, chapters=(part,)), opens_recto=number == 1))
    close_group()
    if guide.with_statistics:  # a chunk of its own: it opens on a recto, as the index after it does
        chunks.append(Chunk(STATISTICS_ANCHOR, replace(nothing, with_statistics=True), opens_recto=True))
    parts = [(part,) for part in INDEX_PARTS] if guide.index.parted else [INDEX_PARTS]
    for number, drawn in enumerate(parts):  # each part of a parted index begins a page: a chunk apiece
        index = replace(guide.index, parts=drawn)
        chunks.append(Chunk(INDEX_ANCHOR if number == 0 else f"{INDEX_ANCHOR}--{drawn[0]}",
                            replace(nothing, with_index=True, index=index), opens_recto=number == 0))
    return tuple(chunks)


class ChunkTemplates:
    """Each chunk's HTML rendered once per build (Jinja costs ~0.1 s a chunk), then numbered for each pass.

    The layout's `<style>` is taken out of every chunk's HTML and given to the layouts as a stylesheet of
    their own (`style`): each worker then parses it once for all its chunks, not once a chunk (~50 ms each)."""

    def __init__(self, renderer: Renderer) -> None:
        self.renderer = renderer
        self._rendered: dict[tuple[str, bool], str] = {}
        self.style = ""

    def html(self, chunk: Chunk, folios: Mapping[str, str] | None, *, pad: bool = False) -> str:
        """The chunk as HTML, its cross-references printing `folios` (placeholders when None, for its shape)."""
        key = (chunk.name, pad)
        if key not in self._rendered:
            html, style = _without_style(_unnumbered_html(self.renderer, chunk, pad))
            if self.style and style != self.style:
                raise NotChunkable("the chunks' layouts differ in their <style>, which one document would share")
            self._rendered[key], self.style = html, style
        return _numbered(self._rendered[key], folios)


_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def _without_style(html: str) -> tuple[str, str]:
    """The HTML without its one `<style>` element, and that element's text ("" when it has none, or several)."""
    found = _STYLE.findall(html)
    if len(found) != 1:
        return html, ""
    return _STYLE.sub("", html, count=1), found[0]


def _unnumbered_html(renderer: Renderer, chunk: Chunk, pad: bool) -> str:
    html = renderer.render(FIELD_GUIDE_LAYOUT, guide=chunk.view, pad=pad)
    html = html.replace(TARGET_COUNTER, LITERAL_NUMBER)
    found = next((spelling for spelling in _UNCHUNKABLE if spelling in html), None)
    if found:
        raise NotChunkable(f"the layouts use {found.rstrip('(')}, which only a single document can number")
    return html


def _numbered(html: str, folios: Mapping[str, str] | None) -> str:
    def number(match: re.Match[str]) -> str:
        folio = PLACEHOLDER_FOLIO if folios is None else folios.get(match.group(1), "")
        return f'{match.group(0)} data-page="{folio}"'

    return INTERNAL_LINK.sub(number, html)


def first_folio_rule(counter: int) -> str:
    """The stylesheet line that makes a chunk's first page print folio `counter`."""
    return f"@page :first {{ counter-set: page {counter} !important; }}"


def lay_out_in_chunks(guide: FieldGuideView, renderer: Renderer, options: PdfOptions, pool: WorkerPool,
                      progress: Progress = silent,
                      per_chunk: int = SPECIMENS_PER_CHUNK) -> PrintEdition:
    """The field guide laid out chunk by chunk across `pool`, page for page as the single document.

    First every chunk's shape: as the last build of this book settled it (`RememberedShapes`),
    else laid out with placeholder numbers; then the chunks with their numbers, folios and pads
    from the page plan, again until the pages they produce are the shapes the plan assumed (a
    number's width can move a line, an edit can move a page). The shapes are only ever a guess
    that the final layouts confirm, so a remembered shape saves a layout and never makes a wrong
    page. Raises `NotChunkable` when the layouts or the pages do not allow it.
    """
    if options.variant is not None or options.even_pages:
        raise NotChunkable("tagged, archival and print variants are written by WeasyPrint as one document")
    chunks = cut(guide, per_chunk)
    sheet = options.stylesheet()
    templates = ChunkTemplates(renderer)
    remembered = RememberedShapes(pool.cache, pool.toolchain, guide.book.directory, sheet, per_chunk)
    known = remembered.recall()
    unknown = [chunk for chunk in chunks if chunk.name not in known]
    counter = _Counter(progress, total=len(unknown) + len(chunks))
    counter.detail = f"page shapes of {len(unknown)} chunks"
    shape_tasks = [LayoutTask(FIELD_GUIDE_LAYOUT, templates.html(chunk, None), (templates.style, sheet), write=False)
                   for chunk in unknown]
    found = dict(zip((chunk.name for chunk in unknown),
                     (laid.pages for laid in pool.run_all(shape_tasks, priority=0, progress=counter.count)),
                     strict=True))
    shapes = [known[chunk.name] if chunk.name in known else found[chunk.name] for chunk in chunks]
    config = guide.book.config
    first_chapter = guide.chapters[0].target.id
    for round_number in range(1, MAX_ROUNDS + 1):
        plan = plan_pages([chunk.opens_recto for chunk in chunks], shapes, guide.cover_pages, first_chapter)
        if round_number > 1:
            counter.total += len(chunks)
        counter.pages = 0
        counter.detail = f"{len(chunks)} chunks with their page numbers" + (f" (round {round_number})"
                                                                             if round_number > 1 else "")
        finish = Finish(plan.numbering.cover_pages, plan.numbering.body_start, config.language, config.identifier)
        tasks = [_final_task(templates, chunk, number, plan, sheet, finish) for number, chunk in enumerate(chunks)]
        laid_out = pool.run_all(tasks, priority=0, progress=counter.count)
        settled = [laid.pages[blank:] for laid, blank in zip(laid_out, plan.blanks, strict=True)]
        if settled == shapes:
            remembered.keep({chunk.name: shape for chunk, shape in zip(chunks, shapes, strict=True)})
            return _edition(laid_out, plan)
        shapes = settled
    raise NotChunkable(f"the page numbers did not settle in {MAX_ROUNDS} rounds")


def lay_out_whole(guide: FieldGuideView, renderer: Renderer, options: PdfOptions, pool: WorkerPool,
                  progress: Progress = silent) -> PrintEdition:
    """A guide too small to cut (one chunk's worth of specimens) as one document, on the pool and through its
    cache: WeasyPrint numbers its pages in one layout, where chunks would take two each (their shapes, then
    their numbers); measured on books of 2 to 8 specimens, 1.6 to 1.8 times less CPU. Same pages as chunks."""
    if options.variant is not None or options.even_pages:
        raise NotChunkable("tagged, archival and print variants are written by WeasyPrint as one document")
    html, style = _without_style(renderer.render(FIELD_GUIDE_LAYOUT, guide=guide))
    config = guide.book.config
    first_chapter = guide.chapters[0].target.id
    finish = Finish(guide.cover_pages, 0, config.language, config.identifier, body_anchor=first_chapter)
    progress(Step(Stage.FIELD_GUIDE, 0, 1, "as one document"))
    task = LayoutTask(FIELD_GUIDE_LAYOUT, html, (style, options.stylesheet()), write=True, finish=finish)
    laid = pool.run_all([task], priority=0)[0]
    progress(Step(Stage.FIELD_GUIDE, 1, 1, "as one document", len(laid.pages)))
    return edition_laid_out_whole(laid, finish)


@dataclass(frozen=True)
class RememberedShapes:
    """The chunk shapes the last build of a book settled on, kept in the cache under the book's folder,
    its page options and the toolchain: after an edit, only the chunks it changed are laid out, once.

    Unlike other entries, this one is keyed by whose it is, not by all that made it (the records are
    not in its key): a remembered shape is only the first guess of `lay_out_in_chunks`, which the
    final layouts confirm or correct, so an out-of-date one costs a layout, never a wrong page."""

    cache: Cache
    toolchain: str
    book_dir: Path
    sheet: str
    per_chunk: int

    def _key(self) -> str:
        identity = json.dumps(["chunk-shapes", self.toolchain, str(self.book_dir.resolve()), self.sheet,
                               self.per_chunk])
        return hashlib.sha256(identity.encode()).hexdigest()

    def recall(self) -> dict[str, Shape]:
        kept = self.cache.get(self._key())
        try:
            named = json.loads(kept) if kept else {}
            return {name: tuple(tuple(str(anchor) for anchor in page) for page in shape)
                    for name, shape in named.items()}
        except (ValueError, TypeError, AttributeError):
            return {}  # not what we write: lay the shapes out

    def keep(self, shapes: dict[str, Shape]) -> None:
        self.cache.put(self._key(), json.dumps(shapes, separators=(",", ":")).encode())


@dataclass
class _Counter:
    """Turns laid-out chunks into the field guide's progress steps: a shape layout for each chunk whose
    shape is not remembered, then one layout a chunk per round."""

    progress: Progress
    total: int
    done: int = 0
    pages: int = 0
    detail: str = ""

    def count(self, laid: LaidOut) -> None:
        self.done += 1
        self.pages += len(laid.pages)
        self.progress(Step(Stage.FIELD_GUIDE, self.done, self.total, self.detail, self.pages))


def _final_task(templates: ChunkTemplates, chunk: Chunk, number: int, plan: PagePlan, sheet: str,
                finish: Finish) -> LayoutTask:
    if chunk.is_front:  # laid out from the first page, as the whole book is: nothing to set
        return LayoutTask(FIELD_GUIDE_LAYOUT, templates.html(chunk, plan.folios), (templates.style, sheet), write=True,
                          finish=finish)
    pad = plan.pads(number)
    rules = CHUNK_RULES + first_folio_rule(plan.first_counter(number, pad))
    return LayoutTask(FIELD_GUIDE_LAYOUT, templates.html(chunk, plan.folios, pad=pad), (templates.style, sheet, rules),
                      write=True, drop_first=pad)


def _edition(laid_out: list[LaidOut], plan: PagePlan) -> PrintEdition:
    pages = tuple(anchors for laid in laid_out for anchors in laid.pages)
    fill = tuple(value for laid in laid_out for value in laid.fill)
    pagination = Pagination(plan.numbering.labels(len(pages)), pages, fill)
    warnings = tuple(warning for laid in laid_out for warning in laid.warnings)
    front = laid_out[0].pdf or b""
    return PrintEdition(pagination, warnings, front, lambda: assemble(laid_out, plan.starts))
