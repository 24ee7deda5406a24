"""A printer's interior too long for one binding, split into volumes under the service's page limit.

Measured first: the interior's chunks are laid out for their shapes on the pool (as
the field guide's are, with the printer's sheet), which gives the ids on every page,
and so the length of every family and specimen, without laying the book out whole.
Families are packed into volumes in reading order, balanced, a family longer than a
volume cut between specimens; the Field Statistics and the taxonomy index close the
last volume. Every volume is laid out with the gutter of the longest one (a service's
gutter is a minimum), so its pages are the measured ones.

Each volume is then one document (PDF/X-4 wants one), laid out on the pool beside
the others and cached like a chunk: its own title ("Volume II of
III"), the whole book's contents, folios from 1. A page reference to another volume
prints that volume and its folio ("II: 214"), taken from the measured pages; once
every volume is laid out, the folios its references name are checked against the
volumes' own pages, and a volume that named a moved one is laid out again.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from ..book.model import Book
from ..book.print_services import PrintProfile
from ..errors import RequestError
from ..render.layouts import FIELD_GUIDE_LAYOUT
from ..render.renderer import make_renderer
from ..text.measures import PageSize
from ..views.common import STATISTICS_ANCHOR, ChapterView
from ..views.guide import FieldGuideView, field_guide_view
from ..views.index import INDEX_ANCHOR
from ..views.specimens import Specimen
from .chunks import TARGET_COUNTER, ChunkTemplates, cut
from .document import PrintEdition, edition_laid_out_whole
from .layout import Finish, LayoutTask
from .pagination import ELEMENT_ID, INTERNAL_LINK, PagePlan, plan_pages, roman
from .pool import WorkerPool
from .print_on_demand import interior_options

_COUNTED_RULE = re.compile(r"([^{}]+)\{([^{}]*" + re.escape(TARGET_COUNTER) + r"[^{}]*)\}")
SLACK = 0.02  # of the limit, kept free in each volume for blank versos and the even page the estimate cannot see
INDEX_GROWTH = 1.15  # the index in the last volume, its locators longer by a volume's numeral ("II: 214")
MAX_ROUNDS = 3  # layouts of a volume whose references to others moved


@dataclass(frozen=True)
class Measured:
    """The interior as one document would lay it out, from its chunks' shapes: its plan and page count, and the
    view it was measured from (the one its volumes are cut from)."""

    guide: FieldGuideView
    plan: PagePlan
    page_count: int
    margin: float  # the inside margin it was measured with


@dataclass(frozen=True)
class Unit:
    """What a volume is made of: a whole chapter, or a run of a family's specimens, and its measured pages."""

    chapter: ChapterView
    pages: int


@dataclass(frozen=True)
class Volume:
    number: int  # from 1
    total: int
    chapters: tuple[ChapterView, ...]
    last: bool

    @property
    def numeral(self) -> str:
        return roman(self.number).upper()

    @property
    def label(self) -> str:
        return f"Volume {self.numeral} of {roman(self.total).upper()}"


def measure_interior(book: Book, profile: PrintProfile, created: datetime.datetime, page_size: PageSize | None,
                     pool: WorkerPool, margin: float) -> Measured:
    """The interior's pages with the inside margin `margin`, measured from its chunks' shapes (cached like theirs)."""
    guide = field_guide_view(book, created, page_size=page_size, with_cover=False, inner_margin=margin,
                             ink=profile.ink)
    chunks = cut(guide)
    templates = ChunkTemplates(make_renderer(book))
    sheet = interior_options(book, profile, margin, page_size).stylesheet()
    tasks = [LayoutTask(FIELD_GUIDE_LAYOUT, templates.html(chunk, None), (templates.style, sheet), write=False)
             for chunk in chunks]
    shapes = [laid.pages for laid in pool.run_all(tasks, priority=0)]
    plan = plan_pages([chunk.opens_recto for chunk in chunks], shapes, 0, guide.chapters[0].target.id)
    count = plan.starts[-1] + plan.blanks[-1] + len(shapes[-1])
    return Measured(guide, plan, count + (count % 2 if profile.even_pages else 0), margin)


def over_limit(count: int, profile: PrintProfile) -> str:
    """The one line that refuses an interior over the service's page limit, and says what to do."""
    return (f"expected an interior of at most {profile.max_pages} pages for {profile.service} ({profile.ink} ink "
            f"on {profile.stock} paper), found {count}: split it into volumes with --volumes auto (or "
            f"print_edition.volumes: auto in book.yaml)")


def plan_volumes(measured: Measured, limit: int) -> tuple[Volume, ...]:
    """The book's chapters packed into the fewest volumes of at most `limit` pages (less a slack), balanced."""
    folios = {anchor: int(folio) for anchor, folio in measured.plan.folios.items() if folio.isdigit()}
    front = measured.plan.numbering.body_start
    budget = limit - max(4, math.ceil(limit * SLACK)) - front
    tail_start = folios.get(STATISTICS_ANCHOR, folios.get(INDEX_ANCHOR, measured.page_count - front + 1))
    tail = math.ceil((measured.page_count - front - tail_start + 1) * INDEX_GROWTH)
    units = _units(measured.guide, folios, tail_start, budget)
    if tail > budget:
        raise RequestError(f"expected the statistics and the index to fit one volume of {limit} pages, found about "
                           f"{tail + front} pages: the book is too large for this service's volumes")
    packed = _pack(units, tail, budget)
    target = math.ceil((sum(unit.pages for unit in units) + tail) / len(packed))
    for allowance in range(target, budget):  # the most even split with as many volumes
        balanced = _pack(units, tail, allowance)
        if len(balanced) == len(packed):
            packed = balanced
            break
    return tuple(Volume(number, len(packed), tuple(unit.chapter for unit in chapters), number == len(packed))
                 for number, chapters in enumerate(packed, start=1))


def _units(guide: FieldGuideView, folios: dict[str, int], tail_start: int, budget: int) -> list[Unit]:
    """Each chapter with its measured pages; a family longer than `budget` cut into runs of specimens that fit.
    A run that begins a volume shows its family's opener again, so a continuing run is counted with it."""
    starts = [folios[view.target.id] for view in guide.chapters] + [tail_start]
    units: list[Unit] = []
    for view, start, end in zip(guide.chapters, starts, starts[1:], strict=False):
        if end - start <= budget or len(view.specimens) < 2:
            units.append(Unit(view, end - start))
            continue
        opener = folios[view.specimens[0].target.id] - start
        runs: list[tuple[list[Specimen], int, int]] = []
        run: list[Specimen] = []
        run_start = start
        ends = [folios[specimen.target.id] for specimen in view.specimens[1:]] + [end]
        for specimen, specimen_end in zip(view.specimens, ends, strict=True):
            if run and specimen_end - run_start + opener > budget:
                runs.append((run, run_start, folios[specimen.target.id]))
                run, run_start = [], folios[specimen.target.id]
            run.append(specimen)
        runs.append((run, run_start, end))
        for number, (specimens, first, last) in enumerate(runs):
            units.append(Unit(replace(view, specimens=tuple(specimens), with_opener=number == 0),
                              last - first + (opener if number else 0)))
    return units


def _pack(units: list[Unit], tail: int, budget: int) -> list[list[Unit]]:
    """Units in order into volumes of at most `budget` pages, the tail (statistics and index) in the last."""
    volumes: list[list[Unit]] = [[]]
    used = 0
    for unit in units:
        if volumes[-1] and used + unit.pages > budget:
            volumes.append([])
            used = 0
        volumes[-1].append(unit)
        used += unit.pages
    if used + tail > budget:
        volumes.append([])  # the statistics and the index alone
    return volumes


@dataclass(frozen=True)
class LaidOutVolume:
    volume: Volume
    edition: PrintEdition
    named: dict[str, str]  # the references to other volumes it printed: id -> "II: 214"


def lay_out_volumes(book: Book, profile: PrintProfile, page_size: PageSize | None, measured: Measured,
                    volumes: tuple[Volume, ...], pool: WorkerPool,
                    identifiers: tuple[str, ...] = (),
                    progress: Callable[[str], None] = lambda detail: None) -> list[LaidOutVolume]:
    """Every volume laid out as one PDF/X-4 document on the pool (cached like a chunk), references to other
    volumes by their numeral and folio."""
    renderer = make_renderer(book)
    options = interior_options(book, profile, measured.margin, page_size)
    guide = measured.guide
    views = [replace(guide, chapters=_opening(volume.chapters), with_statistics=volume.last and guide.with_statistics,
                     with_index=volume.last, volume=volume.label,
                     print_identifier=identifiers[volume.number - 1] if volume.number <= len(identifiers) else "")
             for volume in volumes]
    htmls = [renderer.render(FIELD_GUIDE_LAYOUT, guide=view) for view in views]
    home: dict[str, int] = {}
    for number, html in enumerate(htmls):  # a family's opener shown again in the next volume is first in its own
        for anchor in ELEMENT_ID.findall(html):
            home.setdefault(anchor, number)
    folios = {anchor: int(folio) for anchor, folio in measured.plan.folios.items() if folio.isdigit()}
    first = [_first_folio(volume, folios) for volume in volumes]
    where = {anchor: f"{volumes[number].numeral}:\u00a0{folios[anchor] - first[number] + 1}"
             for anchor, number in home.items() if anchor in folios}
    config = book.config
    finishes = [Finish(0, 0, config.language, config.identifier, pad_to_even=options.even_pages,
                       press_ink=options.ink, body_anchor=view.chapters[0].target.id if view.chapters else "")
                for view in views]
    laid: list[LaidOutVolume | None] = [None] * len(volumes)
    for _ in range(MAX_ROUNDS):
        waiting: dict[int, tuple[dict[str, str], LayoutTask]] = {}
        for number, html in enumerate(htmls):
            named = {anchor: where[anchor] for anchor in INTERNAL_LINK.findall(html)
                     if home.get(anchor, number) != number and anchor in where}
            previous = laid[number]
            if previous is None or previous.named != named:
                waiting[number] = named, LayoutTask(FIELD_GUIDE_LAYOUT, _across_volumes(html, named),
                                                    (options.stylesheet(),), write=True, finish=finishes[number],
                                                    variant=options.variant)
        progress(f"{', '.join(volumes[number].label for number in waiting)}, each as one document")
        results = pool.run_all([task for _, task in waiting.values()], priority=0)
        for (number, (named, _)), result in zip(waiting.items(), results, strict=True):
            laid[number] = LaidOutVolume(volumes[number], edition_laid_out_whole(result, finishes[number]), named)
        done = [entry for entry in laid if entry is not None]
        actual = {anchor: f"{entry.volume.numeral}:\u00a0{label}" for entry in done
                  for label, anchors in zip(entry.edition.pagination.labels,
                                            entry.edition.pagination.anchors_by_page, strict=True)
                  for anchor in anchors}
        moved = {anchor: actual[anchor] for anchor, text in where.items() if actual.get(anchor, text) != text}
        if not moved:
            return done
        where.update(moved)
    return [entry for entry in laid if entry is not None]


def _opening(chapters: tuple[ChapterView, ...]) -> tuple[ChapterView, ...]:
    """A volume's chapters, the first of them where its folio 1 falls, with its opener (shown again when the
    volume continues a family)."""
    return tuple(replace(view, is_body_start=number == 0, with_opener=view.with_opener or number == 0)
                 for number, view in enumerate(chapters))


def _first_folio(volume: Volume, folios: dict[str, int]) -> int:
    """The measured folio of the volume's first page: its first run's first specimen when it continues a family
    (the opener shown again is not in the measure), else its first chapter's; the statistics' for a tail alone."""
    if not volume.chapters:
        return folios.get(STATISTICS_ANCHOR, folios.get(INDEX_ANCHOR, 1))
    view = volume.chapters[0]
    return folios[view.target.id] if view.with_opener else folios[view.specimens[0].target.id]


def _across_volumes(html: str, named: dict[str, str]) -> str:
    """`html` with each link to another volume printing `named`'s text where the page number goes: the link
    itself dropped (it would lead nowhere), and each rule that prints a page number given a twin that prints it."""
    def relink(match: re.Match[str]) -> str:
        anchor = match.group(1)
        return f' data-page="{named[anchor]}"' if anchor in named else match.group(0)

    html = INTERNAL_LINK.sub(relink, html)
    style_end = html.find("</style>")
    twins = []
    for selectors, declarations in _COUNTED_RULE.findall(html[html.find("<style>") + 1:style_end]):
        marked = ", ".join(_with_data_page(selector.strip()) for selector in selectors.split(","))
        # kept on one line: "II: 18" broken inside is no locator (the page's overflow-wrap would break it)
        twins.append(f"{marked} {{{declarations.replace(TARGET_COUNTER, 'attr(data-page)')}; white-space: nowrap}}")
    return html[:style_end] + "\n".join(twins) + "\n" + html[style_end:]


def _with_data_page(selector: str) -> str:
    """`.page-ref::after` -> `.page-ref[data-page]::after`: the same element, only when it names another volume."""
    for pseudo in ("::after", "::before", ":after", ":before"):
        if selector.endswith(pseudo):
            return selector[: -len(pseudo)] + "[data-page]" + pseudo
    return selector + "[data-page]"
