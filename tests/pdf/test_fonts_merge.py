"""The chunks' font subsets joined at assembly (`pdf/fonts_merge.py`, `pdf/font_programs.py`): every tag names one
program, and every glyph is drawn as before, where it was before, with the same text behind it."""

from __future__ import annotations

import functools
import io

import pikepdf
import pytest
import weasyprint
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.subset import Options, Subsetter
from fontTools.ttLib import TTFont

from bestiary.pdf import fonts_merge
from bestiary.pdf.font_programs import merge_programs
from bestiary.pdf.fonts_merge import merge_fonts
from bestiary.resources import fonts_dir
from helpers import page_pixels, page_texts, programs_by_font_name

# Two chunks that disagree in every way the merge must mend: set at two sizes (a glyph's width is rounded once per
# document, at its first size), with characters EB Garamond lacks numbered alike in both (each counts from the same
# first code), and an `i` in Courier Prime whose parts (dotless i, dot) the first subset renumbers past its glyphs.
CHUNKS = (("Café 管理 alpha", "hi there", 7.3), ("Résumé مدير beta", "Über", 13.1))


def chunk_pdf(serif: str, mono: str, size: float) -> bytes:
    return weasyprint.HTML(string=f'<body style="font: {size}px EB Garamond"><p>{serif}</p>'
                                  f'<p style="font-family: Courier Prime">{mono}</p>'
                                  f'<p style="font-family: Inter">Inter at {size}px, 1234</p></body>').write_pdf()


def appended(chunks: list[bytes], merge: bool = True) -> bytes:
    """The chunks' pages in one PDF, as `assemble` appends them, with their fonts merged or not."""
    sources = [pikepdf.open(io.BytesIO(chunk)) for chunk in chunks]
    base = sources[0]
    for source in sources[1:]:
        base.pages.extend(source.pages)
    if merge:
        merge_fonts(base, [page.obj for page in base.pages])
    output = io.BytesIO()
    base.save(output)
    for source in sources:
        source.close()
    return output.getvalue()


@pytest.fixture(scope="module")
def chunks() -> list[bytes]:
    return [chunk_pdf(*chunk) for chunk in CHUNKS]


@pytest.fixture(scope="module")
def before_and_after(chunks) -> tuple[bytes, bytes]:
    return appended(chunks, merge=False), appended(chunks)


def test_every_tag_names_one_program(before_and_after):
    before, after = before_and_after
    assert max(len(programs) for programs in programs_by_font_name(before).values()) == 2  # the case to mend
    programs = programs_by_font_name(after)
    assert all(len(found) == 1 for found in programs.values()), programs
    assert {name.split("+")[1] for name in programs} == {"EB-Garamond", "Courier-Prime", "Inter"}


def test_the_pages_look_and_read_the_same(before_and_after):
    before, after = before_and_after
    assert page_pixels(after, scale=3) == page_pixels(before, scale=3)
    assert page_texts(after) == page_texts(before)
    assert "管理" in page_texts(after)[0] and "مدير" in page_texts(after)[1]


def glyphs_drawn(pdf: bytes) -> list[tuple[str, TTFont, set[int]]]:
    """Each font of `pdf`: its face, its program, and the glyph ids its codes draw (as `fonts_merge` reads them)."""
    found = []
    with pikepdf.open(io.BytesIO(pdf)) as document:
        fonts = {font.objgen: font for page in document.pages for font in page.Resources.Font.values()}
        for font in fonts.values():
            member = fonts_merge._read(font)
            assert member is not None
            program = TTFont(io.BytesIO(member.program.read_bytes()))
            found.append((str(font.BaseFont).split("+")[1], program, set(member.cids.values())))
    return found


def outline(font: TTFont, glyph_id: int) -> tuple[list, int]:
    """A glyph's outline, composites drawn through, and its advance."""
    glyph_set = font.getGlyphSet()
    name = font.getGlyphOrder()[glyph_id]
    pen = DecomposingRecordingPen(glyph_set)
    glyph_set[name].draw(pen)
    return pen.value, font["hmtx"][name][0]


def test_every_glyph_keeps_its_outline_and_advance(chunks, before_and_after):
    joined = {face: program for face, program, _ in glyphs_drawn(before_and_after[1])}
    composites = 0
    for chunk in chunks:
        for face, program, drawn in glyphs_drawn(chunk):
            for glyph_id in drawn:
                assert outline(joined[face], glyph_id) == outline(program, glyph_id), (face, glyph_id)
            if "glyf" in program:
                composites += sum(program["glyf"][program.getGlyphOrder()[glyph]].isComposite() for glyph in drawn)
    assert composites  # the `i`: copied as its outline where its parts were renumbered


def test_a_face_that_cannot_be_joined_keeps_a_font_per_chunk_each_with_its_tag(chunks, monkeypatch):
    before = appended(chunks, merge=False)
    monkeypatch.setattr(fonts_merge, "merge_programs", lambda *_: None)
    after = appended(chunks)
    programs = programs_by_font_name(after)
    assert all(len(found) == 1 for found in programs.values()), programs
    faces = [name.split("+")[1] for name in programs]
    # Inter needs no union: the first chunk's subset draws every glyph of both, and is taken whole
    assert sorted(faces) == ["Courier-Prime", "Courier-Prime", "EB-Garamond", "EB-Garamond", "Inter"]
    assert page_pixels(after) == page_pixels(before)
    assert page_texts(after) == page_texts(before)


TEST_CHARACTERS = "ABCabcxyz éüÀ"


@functools.cache
def small_face(file_name: str) -> bytes:
    """One of our fonts cut to `TEST_CHARACTERS` (renumbered): a face whose subsets are quick to cut."""
    return cut(TTFont(fonts_dir() / file_name), TEST_CHARACTERS, Options(layout_features=[]))


def cut(font: TTFont, characters: str, options: Options) -> bytes:
    options.drop_tables += ["GSUB", "GPOS", "FFTM"]
    subsetter = Subsetter(options)
    subsetter.populate(unicodes=map(ord, characters))
    subsetter.subset(font)
    output = io.BytesIO()
    font.save(output)
    return output.getvalue()


def subset(file_name: str, characters: str) -> tuple[bytes, set[int], int]:
    """A face cut to `characters` with glyph ids kept, as WeasyPrint's first pass cuts: the program, the ids its
    characters draw, and one more than the highest."""
    font = TTFont(io.BytesIO(small_face(file_name)))
    drawn = {font.getGlyphID(font.getBestCmap()[ord(character)]) for character in characters}
    options = Options(retain_gids=True, desubroutinize=True, notdef_outline=True, layout_features=[])
    return cut(font, characters, options), drawn, max(drawn) + 1


@pytest.mark.parametrize("file_name", ["CourierPrime-Regular.ttf", "EBGaramond-Regular.otf"])
def test_the_union_of_subsets_draws_each_glyph_as_its_subset_does(file_name: str):
    subsets = [subset(file_name, characters) for characters in ("Abc", "xyzÀ", "ABC éü")]
    joined = merge_programs(*zip(*subsets, strict=True))
    assert joined is not None
    union = TTFont(io.BytesIO(joined))
    for program, drawn, _ in subsets:
        for glyph_id in drawn:
            assert outline(union, glyph_id) == outline(TTFont(io.BytesIO(program)), glyph_id)


def test_subsets_of_different_outlines_are_not_joined():
    serif, mono = subset("EBGaramond-Regular.otf", "Ab"), subset("CourierPrime-Regular.ttf", "Ab")
    assert merge_programs(*zip(serif, mono, strict=True)) is None
