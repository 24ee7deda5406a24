"""The field guide laid out in chunks across worker processes is the single document, page for page, one font
program per face and no larger."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from bestiary.book.load import load_book
from bestiary.build import print_edition
from bestiary.pdf import assemble
from bestiary.pdf.chunks import cut
from bestiary.pdf.document import PdfOptions
from bestiary.pdf.pagination import plan_pages
from bestiary.pdf.pool import WorkerPool, configured_workers
from bestiary.pdf.sandbox import sandbox_roots
from bestiary.store.cache import Cache
from bestiary.views.guide import field_guide_view
from conftest import record, write_book
from helpers import page_pixels, programs_by_font_name

CREATED = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
PER_CHUNK = 3  # families of four: every family is cut, so runs continue on versos and on rectos


def seam_book(root: Path) -> Path:
    """Twelve specimens in three families of four (the index in parts), of lengths that vary, so that runs of
    three continue families on versos and on rectos and chapters need blank versos before them."""
    slugs = [f"role-{letter}" for letter in "abcdefghijkl"]
    families: dict[str, dict[str, dict | str]] = {}
    for number, slug in enumerate(slugs):
        role = record(f"Role {slug[-1].upper()}", [{"role": slugs[(number + 5) % 12], "match": 70 + number}])
        role["metrics"] = [{"name": f"Metric {item}", "description": "Counts what was already counted, then "
                            "reports the count upward. " * (1 + item % 3)} for item in range(1 + number % 4)]
        role["burn_ward"] = [{"quote": "It was a meeting that could have been an email, and the email was a "
                              "meeting too. " * (1 + number % 3), "source": "reddit.com"}]
        families.setdefault(f"0{number // 4 + 1}-family-{number // 4 + 1}", {})[slug] = role
    return write_book(root, families)


@pytest.fixture(scope="module")
def both(tmp_path_factory) -> tuple:
    """A guide as one document, and in chunks of three specimens on two workers (no cache)."""
    book = load_book(seam_book(tmp_path_factory.mktemp("seams")))
    options = PdfOptions.from_config(book.config)
    whole = print_edition(book, options, CREATED)
    with WorkerPool(sandbox_roots(book.directory), Cache(None), "test", workers=2) as pool:
        chunked = print_edition(book, options, CREATED, pool=pool, per_chunk=PER_CHUNK)
        assert chunked.document is None, "expected the chunked path, found a single-document render"
        data = chunked.data
    return book, whole, chunked, PdfReader(io.BytesIO(whole.data)), PdfReader(io.BytesIO(data))


@pytest.fixture(scope="module")
def unmerged(both) -> bytes:
    """The same chunks assembled with each chunk's fonts as WeasyPrint embedded them: what the merge starts from."""
    _, _, chunked, *_ = both
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(assemble, "merge_fonts", lambda pdf, pages: None)
        return chunked.write()


@pytest.fixture(scope="module")
def assembled_texts(both) -> list[str]:
    """The assembled guide's text, page by page, as pypdf reads it: once, since it takes seconds."""
    *_, assembled = both
    return [page.extract_text() for page in assembled.pages]


def words(page) -> str:
    return " ".join((page.extract_text() or "").split())


def outline(reader: PdfReader, items=None, depth: int = 0) -> list[tuple]:
    found = []
    for item in reader.outline if items is None else items:
        if isinstance(item, list):
            found += outline(reader, item, depth + 1)
        else:
            found.append((depth, item.title, reader.get_destination_page_number(item),
                          round(float(item.top), 1)))
    return found


def links(reader: PdfReader) -> list[tuple]:
    """Every link: its page, where it sits, and the page and height its named destination leads to."""
    named = reader.named_destinations
    found = []
    for number, page in enumerate(reader.pages):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            target = named[str(annotation["/Dest"])] if "/Dest" in annotation else None
            found.append((number, tuple(round(float(value), 1) for value in annotation["/Rect"]),
                          str(annotation.get("/Dest")), reader.get_destination_page_number(target) if target else None,
                          round(float(target.top), 1) if target else None))
    return found


@pytest.mark.slow
def test_the_chunks_exercise_every_seam(both):
    """Runs that continue a family on a verso and on a recto, and chapters that need a blank verso first."""
    book, whole, *_ = both
    chunks = cut(field_guide_view(book, CREATED), PER_CHUNK)
    folios = whole.pagination.folios()
    continuing = [int(folios[chunk.view.chapters[0].specimens[0].target.id]) for chunk in chunks
                  if not chunk.opens_recto and chunk.view.chapters]
    assert {folio % 2 for folio in continuing} == {0, 1}
    index_parts = [chunk.view.index.parts for chunk in chunks if chunk.view.with_index]
    assert index_parts == [("tree",), ("names",), ("habitats",), ("kinship",)]
    blanks = [index for index, anchors in enumerate(whole.pagination.anchors_by_page) if not anchors]
    assert blanks, "expected blank versos before some recto openers"


@pytest.mark.slow
def test_same_pages_folios_and_running_heads(both, assembled_texts):
    _, whole, chunked, single, assembled = both
    assert len(assembled.pages) == len(single.pages) == whole.page_count
    assert assembled.page_labels == single.page_labels
    for number, (expected, found) in enumerate(zip(single.pages, assembled_texts, strict=True)):
        assert " ".join(found.split()) == words(expected), f"page {single.page_labels[number]} differs"
    assert chunked.pagination == whole.pagination


@pytest.mark.slow
def test_same_outline_links_and_destinations(both):
    *_, single, assembled = both
    assert outline(assembled) == outline(single)
    assert links(assembled) == links(single)
    assert sorted(assembled.named_destinations) == sorted(single.named_destinations)


@pytest.mark.slow
def test_same_document_information(both):
    *_, single, assembled = both
    assert assembled.metadata == single.metadata
    assert assembled.pdf_header == single.pdf_header == "%PDF-1.7"
    for key in ("/PageLabels", "/ViewerPreferences", "/PageLayout", "/Lang"):
        assert assembled.trailer["/Root"][key] == single.trailer["/Root"][key]
    assert assembled.xmp_metadata.xmp_create_date == single.xmp_metadata.xmp_create_date


@pytest.mark.slow
def test_one_program_per_font_name(both, unmerged):
    """Every chunk embeds its own subset of a face under the face's one tag; assembled, a tag names one program."""
    _, whole, chunked, *_ = both
    assert max(len(found) for found in programs_by_font_name(unmerged).values()) > 1
    programs = programs_by_font_name(chunked.data)
    assert {name: len(found) for name, found in programs.items() if len(found) > 1} == {}
    faces = [name.split("+")[1] for name in programs]
    assert sorted(faces) == sorted(name.split("+")[1] for name in programs_by_font_name(whole.data))


@pytest.mark.slow
def test_no_larger_than_the_single_document(both, unmerged):
    _, whole, chunked, *_ = both
    assert len(unmerged) > 2 * len(whole.data)  # a subset of every face per chunk, as cut
    assert len(chunked.data) <= 1.05 * len(whole.data)


@pytest.mark.slow
def test_merging_fonts_changes_no_text_and_moves_no_glyph(both, unmerged, assembled_texts):
    """The chunks measure a few glyphs 1/1000 em apart (each rounds a width at its own first size): the joined font
    has one width, and the strings of the chunks that measured otherwise give the difference back (without that,
    seven of these pages differ at 72 dpi)."""
    _, _, chunked, *_ = both
    assert assembled_texts == [page.extract_text() for page in PdfReader(io.BytesIO(unmerged)).pages]
    assert page_pixels(chunked.data) == page_pixels(unmerged)


def test_the_page_plan_puts_blank_versos_before_recto_openers():
    shapes = [(("cover",), ("inside",), ("half",)),  # pages 0-2: the next page (3) is a verso
              (("chapter-a",), ("x",)),  # opens on a recto: a blank verso at 3, pages 4-5
              (("y",),),  # continues at 6, a recto: no pad
              (("z",),),  # continues at 7, a verso
              (("chapter-b",),)]  # opens on a recto: 8 is one, no blank
    plan = plan_pages([True, True, False, False, True], shapes, cover_pages=2, first_chapter="chapter-a")
    assert plan.starts == (0, 3, 6, 7, 8)
    assert plan.blanks == (False, True, False, False, False)
    assert plan.numbering.body_start == 4
    assert plan.folios == {"cover": "Cover", "inside": "Inside cover", "half": "i", "chapter-a": "1", "x": "2",
                           "y": "3", "z": "4", "chapter-b": "5"}
    assert [plan.pads(chunk) for chunk in range(5)] == [False, True, False, True, False]
    # the pad before a verso start is counted as the page before it: folio 4 lands on page 7
    assert plan.first_counter(3, pad=True) == 3


@pytest.mark.parametrize(("setting", "expected"), [("3", 3), (" 1 ", 1), ("0", None), ("two", None), ("", None)])
def test_bestiary_workers_sets_the_pool_size_and_anything_else_means_one_per_core(setting, expected, monkeypatch):
    import os

    monkeypatch.setenv("BESTIARY_WORKERS", setting)
    assert configured_workers() == (expected or os.cpu_count() or 1)


def test_a_book_of_one_chunk_is_laid_out_whole_on_the_pool_with_the_pages_chunks_give(tmp_path: Path):
    """Up to one chunk's worth of specimens the guide is one document laid out once (on the pool, through its
    cache); cut into chunks it gives the same pages, labels, text and outline."""
    book = load_book(write_book(tmp_path, {"01-first": {"alpha-analyst": record("Alpha Analyst"),
                                                        "beta-boss": record("Beta Boss")}}))
    options = PdfOptions.from_config(book.config)
    with WorkerPool(sandbox_roots(book.directory), Cache(None), "test", workers=1) as pool:
        whole = print_edition(book, options, CREATED, pool=pool)
        assert pool.laid_out == 1
        chunked = print_edition(book, options, CREATED, pool=pool, per_chunk=1)
        assert pool.laid_out > 3
    assert whole.pagination == chunked.pagination
    one, cut_up = PdfReader(io.BytesIO(whole.data)), PdfReader(io.BytesIO(chunked.data))
    assert one.page_labels == cut_up.page_labels and "1" in one.page_labels
    assert [words(page) for page in one.pages] == [words(page) for page in cut_up.pages]
    assert outline(one) == outline(cut_up)
