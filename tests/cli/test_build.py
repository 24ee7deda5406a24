"""End to end: `bestiary build` on the bundled book writes all three outputs, and they are sound."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from bestiary.book.load import load_book
from conftest import FIXTURE_BOOK
from helpers import epubcheck

pytestmark = pytest.mark.slow

BOOK = load_book(FIXTURE_BOOK)


@pytest.fixture(scope="module")
def built(fixture_build) -> tuple[Path, str]:
    return fixture_build.out, fixture_build.stdout + fixture_build.stderr


def test_build_reports_what_it_wrote_without_warnings(built):
    out, output = built
    assert "warning" not in output.lower()
    assert f"wrote {out / 'the-corporate-bestiary.pdf'} (field guide," in output
    assert "pages)" in output
    assert output.count("(dossier,") == len(BOOK.roles)


def test_field_guide_has_every_specimen(built):
    """Each specimen's title and file record on the page its named destination opens (read page by page: pypdf
    takes seconds over the whole guide)."""
    out, _ = built
    guide = PdfReader(out / "the-corporate-bestiary.pdf")
    assert len(BOOK.roles) >= 16 and len(BOOK.families) >= 4
    for role in BOOK.roles:
        page = guide.get_destination_page_number(guide.named_destinations[role.anchor])
        text = " ".join(guide.pages[page].extract_text().split())
        assert role.title in text, role.title
        assert f"FILE RECORD: {role.slug.upper()}" in text


def test_epub_passes_epubcheck(built):
    out, _ = built
    fatals, errors, warnings, output = epubcheck(out / "the-corporate-bestiary.epub")
    assert (fatals, errors, warnings) == (0, 0, 0), output


def test_one_dossier_per_record(built):
    out, _ = built
    dossiers = sorted(path.stem for path in (out / "dossiers").glob("*.pdf"))
    assert dossiers == sorted(role.slug for role in BOOK.roles)
    for role in BOOK.roles[:3]:
        reader = PdfReader(out / "dossiers" / f"{role.slug}.pdf")
        assert len(reader.pages) >= 2
        assert role.title in " ".join((reader.pages[0].extract_text() or "").split())


def test_no_temporary_files_left(built):
    out, _ = built
    assert not [path for path in out.rglob("*") if path.name.startswith(".") or path.suffix == ".part"]
