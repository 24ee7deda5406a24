"""The field guide's chunks assembled into one PDF, as the whole document would have been written.

The first chunk (cover, front matter and contents) is the base: WeasyPrint
and our finisher already wrote its catalog for the whole book (page labels
from the book's numbering, viewer preferences, language, XMP) and its
document information. The other chunks' pages are appended after it, and
each face's font subsets, one per chunk, are joined into one font
(`fonts_merge`). Then what only the whole book knows is written once: the
named destinations of every id, the links that cross chunks (WeasyPrint
could not resolve them inside one chunk; they go back at their place among
the page's links), and the outline, built with WeasyPrint's own
bookmark-tree rules.

pikepdf (qpdf) does the copying: it appends thousands of pages in a fraction
of a second and writes object streams, so the assembled PDF is as compact as
one WeasyPrint render; pypdf took twelve times as long and wrote a file a
third larger.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Sequence
from types import SimpleNamespace

import pikepdf
from weasyprint.anchors import make_page_bookmark_tree
from weasyprint.matrix import Matrix

from .finish import PDF_VERSION
from .fonts_merge import merge_fonts
from .layout import LaidOut

# WeasyPrint's bookmark tree, as `make_page_bookmark_tree` grows it: label, (page, x, y), children, state
Bookmark = tuple[str, tuple[int, float, float], list["Bookmark"], str]
PageObjects = list[pikepdf.Dictionary]  # the assembled PDF's pages, by index


def assemble(chunks: Sequence[LaidOut], starts: Sequence[int]) -> bytes:
    """One PDF of `chunks` (the first is the front), each placed at its start page."""
    base = pikepdf.open(io.BytesIO(chunks[0].pdf or b""))
    opened = [base]
    with warnings.catch_warnings():
        # pikepdf warns that copied pages lose their named destinations: they are written below, for the book
        warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
        for chunk, start in zip(chunks[1:], starts[1:], strict=True):
            if len(base.pages) != start:
                raise ValueError(f"expected a chunk at page {start + 1}, found {len(base.pages)} pages before it")
            source = pikepdf.open(io.BytesIO(chunk.pdf or b""))
            opened.append(source)  # qpdf copies lazily: every source stays open until the file is written
            base.pages.extend(source.pages)
    pages = [page.obj for page in base.pages]
    merge_fonts(base, pages)
    _destinations(base, pages, chunks, starts)
    _crossing_links(base, pages, chunks, starts)
    _outline(base, pages, chunks, starts)
    output = io.BytesIO()
    base.save(output, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate,
              compress_streams=True, min_version=PDF_VERSION, fix_metadata_version=False, preserve_pdfa=False)
    for pdf in opened:
        pdf.close()
    return output.getvalue()


def _destinations(pdf: pikepdf.Pdf, pages: PageObjects, chunks: Sequence[LaidOut], starts: Sequence[int]) -> None:
    """Every id as a named destination, sorted by name (a name tree must be)."""
    found: dict[str, pikepdf.Array] = {}
    for chunk, start in zip(chunks, starts, strict=True):
        for name, page, x, y in chunk.destinations:
            found.setdefault(name, pikepdf.Array([pages[start + page], pikepdf.Name.XYZ, x, y, 0]))
    names = pikepdf.Array()
    for name in sorted(found):
        names.append(pikepdf.String(name))
        names.append(found[name])
    if "/Names" not in pdf.Root:
        pdf.Root.Names = pikepdf.Dictionary()
    pdf.Root.Names.Dests = pdf.make_indirect(pikepdf.Dictionary(Names=names))


def _crossing_links(pdf: pikepdf.Pdf, pages: PageObjects, chunks: Sequence[LaidOut], starts: Sequence[int]) -> None:
    """Links to ids in other chunks, as WeasyPrint writes internal links, in their place on the page."""
    for chunk, start in zip(chunks, starts, strict=True):
        by_page: dict[int, dict[int, pikepdf.Object]] = {}
        for page, position, target, rect in chunk.outbound:
            link = pdf.make_indirect(pikepdf.Dictionary(
                Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=pikepdf.Array(list(rect)),
                BS=pikepdf.Dictionary(W=0), Dest=pikepdf.String(target)))
            by_page.setdefault(start + page, {})[position] = link
        for number, inserted in by_page.items():
            page_object = pages[number]
            existing = iter(list(page_object.get("/Annots", pikepdf.Array())))
            total = len(inserted) + len(page_object.get("/Annots", pikepdf.Array()))
            page_object.Annots = pikepdf.Array([inserted[i] if i in inserted else next(existing) for i in range(total)])


def _outline(pdf: pikepdf.Pdf, pages: PageObjects, chunks: Sequence[LaidOut], starts: Sequence[int]) -> None:
    """The bookmarks of every page, nested by WeasyPrint's rules as if the book were one document."""
    marks: dict[int, list[tuple[int, str, tuple[float, float], str]]] = {}  # level, label, point, state
    for chunk, start in zip(chunks, starts, strict=True):
        for page, level, label, x, y, state in chunk.bookmarks:
            marks.setdefault(start + page, []).append((level, label, (x, y), state))
    root: list[Bookmark] = []
    skipped: list[int] = []
    last_by_depth: list[list[Bookmark]] = [root]
    previous = 0
    for number in sorted(marks):
        previous = make_page_bookmark_tree(SimpleNamespace(bookmarks=marks[number]), skipped, last_by_depth,
                                           previous, number, Matrix())
    if "/Outlines" in pdf.Root:
        del pdf.Root.Outlines
    if root:
        outlines = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Outlines))
        first, last, count = _outline_items(pdf, pages, root, outlines)
        outlines.First, outlines.Last, outlines.Count = first, last, count
        pdf.Root.Outlines = outlines


def _outline_items(pdf: pikepdf.Pdf, pages: PageObjects, subtrees: list[Bookmark],
                   parent: pikepdf.Object) -> tuple[pikepdf.Object, pikepdf.Object, int]:
    """Outline items for `subtrees` under `parent`: (first, last, visible count), as WeasyPrint counts them."""
    items: list[pikepdf.Object] = []
    count = len(subtrees)
    for title, (page, x, y), children, state in subtrees:
        item = pdf.make_indirect(pikepdf.Dictionary(
            Title=pikepdf.String(title), Dest=pikepdf.Array([pages[page], pikepdf.Name.XYZ, x, y, 0]),
            Parent=parent))
        if children:
            first, last, visible = _outline_items(pdf, pages, children, item)
            item.First, item.Last = first, last
            item.Count = -visible if state == "closed" else visible
            if state != "closed":
                count += visible
        else:
            item.Count = 0
        if items:
            item.Prev = items[-1]
            items[-1].Next = item
        items.append(item)
    return items[0], items[-1], count
