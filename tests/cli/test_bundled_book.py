"""The bundled book itself: it passes `check --strict` and builds every record into the field guide and the EPUB.

Everything here reads `book/` as its authors leave it, so it asks only what holds of any good
book: the tests of a fixed book use `tests/fixtures/book`.
"""

from __future__ import annotations

import os
import zipfile

import pytest
from pypdf import PdfReader

from bestiary.book.load import load_book
from conftest import BUNDLED_BOOK, cli
from helpers import epubcheck


def test_the_bundled_book_passes_check_strict():
    """Proofreading included: where no dictionary is installed (never in CI) its one line is all that is said."""
    result = cli("check", "--strict", "--book", str(BUNDLED_BOOK))
    assert result.returncode == 0, result.stderr
    not_checked = [line for line in result.stderr.splitlines() if line.startswith("note: spelling was not checked")]
    if not_checked and os.environ.get("CI"):
        pytest.fail(not_checked[0])
    assert result.stderr.splitlines() == not_checked


@pytest.mark.slow
def test_the_bundled_book_builds_every_record_into_the_field_guide_and_the_epub(bundled_build):
    """`bestiary build --strict epub`, then `pdf` (run from the start of the test run, beside the first tests), wrote
    both without a warning. Its dossiers are left out for the suite's time: they are the same macros on a larger
    page, whose every record the fixture book's build lays out."""
    book = load_book(BUNDLED_BOOK)
    out = bundled_build.out
    assert "warning" not in bundled_build.stderr.lower()
    guide = PdfReader(out / f"{book.slug}.pdf")
    # each specimen's file number on the page its named destination opens (reading 40 pages, not all 280;
    # spaces dropped, so that a line broken at one of its hyphens still counts)
    opening = {role.slug: guide.get_destination_page_number(guide.named_destinations[f"specimen-{role.slug}"])
               for role in book.roles}
    missing = [role.title for role in book.roles
               if role.file_number not in "".join(guide.pages[opening[role.slug]].extract_text().split())]
    assert missing == []
    labels = guide.page_labels
    assert labels[:2] == ["Cover", "Inside cover"] and "1" in labels
    with zipfile.ZipFile(out / f"{book.slug}.epub") as archive:
        documents = [name for name in archive.namelist() if name.startswith("EPUB/text/specimen-")]
    assert len(documents) == len(book.roles)
    fatals, errors, warnings, output = epubcheck(out / f"{book.slug}.epub")
    assert (fatals, errors, warnings) == (0, 0, 0), output
