"""Dossiers: standalone, on office paper, with their own folios and outline, stamped without re-rendering."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from bestiary.book.load import load_book
from bestiary.book.model import SECTIONS
from bestiary.build import stamp_dossiers
from bestiary.request import BuildRequest
from bestiary.text.markdown import plain_text
from conftest import FIXTURE_BOOK, cli
from helpers import link_annotations, straight_quotes

pytestmark = pytest.mark.slow

BOOK = load_book(FIXTURE_BOOK)


@pytest.fixture(scope="module")
def dossiers(fixture_build, tmp_path_factory) -> Path:
    assert ": W" not in fixture_build.stderr  # no warning while rendering
    out = tmp_path_factory.mktemp("dossiers")
    shutil.copytree(fixture_build.out / "dossiers", out / "dossiers")  # the stamping tests add files beside them
    return out


def text_of(page) -> str:
    return " ".join((page.extract_text() or "").split())


def outline_titles(items) -> list[str]:
    titles = []
    for item in items:
        titles += outline_titles(item) if isinstance(item, list) else [item.title]
    return titles


def test_one_standalone_dossier_per_record(dossiers: Path):
    files = sorted(p.name for p in (dossiers / "dossiers").iterdir())
    assert files == sorted(f"{role.slug}.pdf" for role in BOOK.roles)
    for role in BOOK.roles:
        reader = PdfReader(dossiers / "dossiers" / f"{role.slug}.pdf")
        pages = [text_of(page) for page in reader.pages]
        cover = pages[0]
        assert "PERSONNEL FILE" in cover.upper() and role.title in cover and role.file_number in cover
        assert " ".join(role.summary.split())[:60] in straight_quotes(cover)
        everything = " ".join(pages)
        assert f"FILE RECORD: {role.slug.upper()}" in everything
        for number, (_, heading) in enumerate(SECTIONS, start=1):
            assert f"[{number:02d}] {heading.upper()}" in everything.upper(), (role.slug, heading)
        total = len(reader.pages)
        for number, text in enumerate(pages, start=1):
            assert f"PAGE {number} OF {total}" in text, (role.slug, number)
        titles = outline_titles(reader.outline)
        assert titles[0] == "Cover sheet" and role.title in titles and len(titles) >= 12
        info = reader.metadata
        assert role.title in info.title and info.author == BOOK.config.publisher
        # plain text, as typeset: no Markdown marks, curly quotes (the summary's own text, as the cover prints it)
        assert info.subject == " ".join(plain_text(role.summary).split())
        assert "*" not in info.subject and "'" not in info.subject
        assert_links_stay_inside(reader)


def assert_links_stay_inside(reader: PdfReader) -> None:
    named = reader.named_destinations
    for action, destination in link_annotations(reader):
        assert action.get("/S") not in ("/URI", "/GoToR", "/Launch"), action
        assert destination is not None and (not isinstance(destination, str) or destination in named)


def test_paper_sizes_and_the_paper_in_the_name(tmp_path: Path):
    for paper in ("a4", "letter"):  # the book's paper is A4
        result = cli("dossier", "sdet", "--paper", paper, "--book", str(FIXTURE_BOOK), "--out", str(tmp_path))
        assert result.returncode == 0, result.stderr
    sizes = {"sdet.pdf": (595, 842), "sdet--letter.pdf": (612, 792)}
    assert sorted(p.name for p in (tmp_path / "dossiers").iterdir()) == sorted(sizes)  # neither replaced the other
    for name, size in sizes.items():
        reader = PdfReader(tmp_path / "dossiers" / name)
        for page in reader.pages:
            assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == size
        assert f"This file {name}".upper() in text_of(reader.pages[0]).upper()
        related = text_of(reader.pages[-1])
        assert ("--letter.pdf" in related) == (name == "sdet--letter.pdf")  # the other dossiers, on the same paper


def test_stamping_never_calls_the_renderer(dossiers: Path, monkeypatch):
    import weasyprint

    def refuse(*args, **kwargs):
        raise AssertionError("stamping must not render")

    monkeypatch.setattr(weasyprint, "HTML", refuse)
    monkeypatch.setattr(weasyprint, "CSS", refuse)
    result = stamp_dossiers(BuildRequest.make(FIXTURE_BOOK, dossiers, ["dossiers"], slugs=["sdet"],
                                              prepared_for="Jane Doe", copies=3))
    assert [w.path.name for w in result.written] == [
        "sdet--jane-doe--copy-1-of-3.pdf", "sdet--jane-doe--copy-2-of-3.pdf", "sdet--jane-doe--copy-3-of-3.pdf"]
    original = PdfReader(dossiers / "dossiers" / "sdet.pdf")
    stamped = PdfReader(dossiers / "dossiers" / "sdet--jane-doe--copy-2-of-3.pdf")
    assert len(stamped.pages) == len(original.pages)
    for number, (before, after) in enumerate(zip(original.pages, stamped.pages, strict=True)):
        text = text_of(after)
        assert "PREPARED FOR: JANE DOE // COPY 2 OF 3" in text
        # the foot line on every page, and the rubber stamp (a line each) and the copy's own name on the cover
        added = r"PREPARED FOR: JANE DOE // COPY 2 OF 3|PREPARED FOR: JANE DOE|COPY 2 OF 3"
        if number == 0:
            added += r"|sdet--jane-doe--copy-2-of-3\.pdf"
        remainder = re.sub(added, " ", text)
        assert remainder.split() == text_of(before).split()
    assert "sdet--jane-doe--copy-2-of-3.pdf" in text_of(stamped.pages[0])
    title = stamped.metadata.title
    assert title.startswith(original.metadata.title) and title.endswith("(prepared for Jane Doe, copy 2 of 3)")
    assert title in stamped.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    fonts = {str(font.get_object()["/BaseFont"]) for page in stamped.pages
             for font in page["/Resources"]["/Font"].values()}
    assert any(name.endswith("CourierPrime-Bold") for name in fonts)
    assert not any("Helvetica" in name for name in fonts)


def test_dossier_command_stamps_copies_beside_the_dossier(tmp_path: Path):
    result = cli("dossier", "agile-coach", "--prepared-for", "The Board", "--copies", "2",
                     "--book", str(FIXTURE_BOOK), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in (tmp_path / "dossiers").iterdir())
    assert names == ["agile-coach--the-board--copy-1-of-2.pdf", "agile-coach--the-board--copy-2-of-2.pdf",
                     "agile-coach.pdf"]
    unknown = cli("dossier", "agile-coah", "--book", str(FIXTURE_BOOK), "--out", str(tmp_path))
    assert unknown.returncode == 2 and "did you mean 'agile-coach'" in unknown.stderr
    missing = cli("dossier", "sdet", "--stamp-only", "--copies", "2", "--book", str(FIXTURE_BOOK),
                      "--out", str(tmp_path))
    assert missing.returncode == 2 and "build it first" in missing.stderr


@pytest.mark.parametrize("name, expected", [("\u7ba1\u7406\u8005", "the stamp font cannot show"),
                                            ("x" * 49, "expected a name of 1 to 48 characters")])
def test_a_name_the_stamp_cannot_show_is_refused_before_rendering(tmp_path: Path, name: str, expected: str):
    result = cli("dossier", "sdet", "--prepared-for", name, "--book", str(FIXTURE_BOOK), "--out", str(tmp_path))
    assert result.returncode == 2 and expected in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "dossiers").exists()


def test_a_stamped_copy_names_its_own_file_where_the_cover_says_which_file_it_is(dossiers: Path):
    from bestiary.pdf.stamp import find_text

    result = stamp_dossiers(BuildRequest.make(FIXTURE_BOOK, dossiers, ["dossiers"], slugs=["agile-coach"],
                                              prepared_for="Audit Committee"))
    copy = PdfReader(result.written[0].path)
    placed = find_text(copy.pages[0], "agile-coach--audit-committee.pdf")
    original = find_text(PdfReader(dossiers / "dossiers" / "agile-coach.pdf").pages[0], "agile-coach.pdf")
    assert placed is not None and original is not None
    assert (round(placed.x), round(placed.y)) == (round(original.x), round(original.y))  # written over it


def test_one_classification_everywhere(tmp_path: Path, small_book: Path):
    path = small_book / "book.yaml"
    path.write_text(path.read_text() + "classification: For Board Eyes Only\n", encoding="utf-8")
    result = cli("dossier", "alpha-analyst", "--book", str(small_book), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    reader = PdfReader(tmp_path / "dossiers" / "alpha-analyst.pdf")
    pages = [text_of(page).upper() for page in reader.pages]
    assert "FOR BOARD EYES ONLY" in pages[0]  # the cover's stamp and its classification field
    for text in pages[1:]:  # every inner page's banner
        assert "F O R B O A R D E Y E S O N L Y" in text or "FOR BOARD EYES ONLY" in text, text[:200]
    assert not any("CLASSIFIED" in text.replace(" ", "") or "CONFIDENTIAL" in text for text in pages)


def split_inside_a_word(token: str, raw_text: str) -> list[str]:
    """Where `token` is printed with the layout's hyphen (U+2010) and a line break inside it."""
    pattern = "".join(re.escape(character) + ("" if index == len(token) - 1 else "(?:\u2010\\s*\n\\s*)?")
                      for index, character in enumerate(token))
    return [found.group(0) for found in re.finditer(pattern, raw_text) if "\u2010" in found.group(0)]


def test_file_names_and_code_are_never_hyphenated(dossiers: Path):
    """A related card names the other dossier's file, and the records quote code: both print as typed, breaking
    at their own hyphens or slashes if they must, never inside a word ("…specialist--let-/ter.pdf")."""
    code = {span for record in (FIXTURE_BOOK / "chapters").rglob("*.yaml")
            for span in re.findall(r"`([^`\n]+)`", record.read_text(encoding="utf-8"))}
    assert "terraform apply" in code
    split = []
    for role in BOOK.roles:
        reader = PdfReader(dossiers / "dossiers" / f"{role.slug}.pdf")
        raw = "\n".join(page.extract_text() or "" for page in reader.pages)
        names = [f"{related.slug}.pdf" for related in role.related]
        split += [piece for token in [*names, *code] for piece in split_inside_a_word(token, raw)]
    assert split == []
