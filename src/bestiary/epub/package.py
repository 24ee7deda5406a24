"""The EPUB 3 edition, packaged with ebooklib.

Content documents, the navigation document and the stylesheet come from our
layouts as finished XHTML, drawn from one `views.epub.EpubView`; ebooklib writes
them as they are (plain `EpubItem`s, so it does not rebuild their `<head>`),
plus the package document and the NCX, through its public API only. What that
API cannot say is done in one step afterwards, `finish_package`.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import struct
import zipfile
from pathlib import Path

from ebooklib import epub
from lxml import etree

from ..book.model import Book
from ..render.layouts import EPUB_DOCUMENTS
from ..render.renderer import Renderer
from ..resources import fonts_dir
from ..store.cache import Cache
from ..store.dates import zip_entry
from ..text.fonts import subset_characters, subset_font
from ..views.epub import EpubView
from .documents import EPUB_FONTS, render_document, render_ncx, render_stylesheet

XHTML = "application/xhtml+xml"
FONT_TYPES = {"otf": "font/otf", "ttf": "font/ttf"}


def _document(uid: str, file_name: str, content: str, properties: tuple[str, ...] = ()) -> epub.EpubItem:
    item = epub.EpubItem(uid=uid, file_name=f"text/{file_name}", media_type=XHTML,
                         content=content.encode("utf-8"))
    item.properties = list(properties)
    return item


ACCESSIBILITY = (
    ("schema:accessMode", "textual"),
    ("schema:accessMode", "visual"),
    ("schema:accessModeSufficient", "textual"),
    ("schema:accessibilityFeature", "tableOfContents"),
    ("schema:accessibilityFeature", "index"),
    ("schema:accessibilityFeature", "pageNavigation"),
    ("schema:accessibilityFeature", "printPageNumbers"),
    ("schema:accessibilityFeature", "structuralNavigation"),
    ("schema:accessibilityFeature", "readingOrder"),
    ("schema:accessibilityFeature", "alternativeText"),
    ("schema:accessibilityFeature", "displayTransformability"),
    ("schema:accessibilityHazard", "none"),
    ("dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"),
)
SUMMARY = ("Reflowable text with a navigable table of contents, an index, and page numbers of the print "
           "edition. Every org chart, gauge and image has a text alternative; decorative stamps and "
           "banners are hidden from assistive technology. No hazards.")


def render_epub(view: EpubView, renderer: Renderer, created: datetime.datetime, cover: bytes,
                cache: Cache | None = None, toolchain: str = "") -> bytes:
    """The EPUB package of `view` (built with the print edition's pagination); `cover` is a PNG.

    Subsetting the fonts is most of the work; `cache` keeps each subset under all that makes it:
    the font, the characters and `toolchain` (`toolchain.toolchain_fingerprint`: fontTools' version
    and our code). A subset does not depend on the date (`fonts.subset_font`).
    """
    book = view.book
    cover_size = struct.unpack(">II", cover[16:24])  # width and height, from the PNG's header

    package = epub.EpubBook()
    _describe(package, book, created)
    css = render_stylesheet(renderer)
    package.add_item(epub.EpubItem(uid="style", file_name="styles/epub.css", media_type="text/css",
                                   content=css.encode("utf-8")))
    cover_image = epub.EpubItem(uid="cover-image", file_name="images/cover.png", media_type="image/png",
                                content=cover)
    cover_image.properties = ["cover-image"]
    package.add_item(cover_image)
    package.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-image"})  # EPUB 2 readers

    spine: list[epub.EpubItem] = []
    for document in view.documents:
        _, properties = EPUB_DOCUMENTS[document.kind]
        content = render_document(renderer, view, document, cover_size)
        item = _document(document.uid, document.file_name, content, properties)
        package.add_item(item)
        spine.append(item)
    # our own NCX (id "ncx", which ebooklib names as the spine's toc): with depth, page count and page list
    package.add_item(epub.EpubItem(uid="ncx", file_name="toc.ncx", media_type="application/x-dtbncx+xml",
                                   content=render_ncx(renderer, view, cover_size).encode("utf-8")))

    # Fonts last: each is cut down to the characters the book's documents and stylesheet use.
    used = css + "".join(item.content.decode("utf-8") for item in spine)
    cache = cache or Cache(None)
    for font in EPUB_FONTS:
        package.add_item(epub.EpubItem(uid=f"font-{font.rsplit('.', 1)[0].lower()}",
                                       file_name=f"fonts/{font}", media_type=FONT_TYPES[font.rsplit(".", 1)[1]],
                                       content=cached_subset(fonts_dir() / font, used, cache, toolchain)))

    package.spine = spine
    raw = io.BytesIO()
    epub.write_epub(raw, package, {"mtime": created, "epub3_pages": False, "epub2_guide": False,
                                   "raise_exceptions": True})
    return finish_package(raw.getvalue(), book.config.language, created)


def cached_subset(path: Path, text: str, cache: Cache, toolchain: str) -> bytes:
    """The font `path` cut down for `text`, kept in `cache` under the font and the characters its subset keeps
    (so that books whose texts differ only in what the font lacks, or in ASCII, share it)."""
    characters = subset_characters(path, text)
    digest = hashlib.sha256(toolchain.encode() + b"\0" + path.read_bytes())
    digest.update(",".join(map(str, characters)).encode())
    key = "font-subset:" + digest.hexdigest()
    kept = cache.get(key)
    if kept is None:
        kept = subset_font(path, characters)
        cache.put(key, kept)
    return kept


def _describe(package: epub.EpubBook, book: Book, created: datetime.datetime) -> None:
    """Dublin Core, the print edition as source, and the accessibility metadata."""
    config = book.config
    package.set_identifier(config.identifier)
    package.set_title(config.title)
    package.set_language(config.language)
    for author in config.authors:
        package.add_author(author)
    package.add_metadata("DC", "publisher", config.publisher)
    package.add_metadata("DC", "date", config.date.isoformat())
    package.add_metadata("DC", "rights", config.rights)
    # The page-list follows the print edition, named here (by its own identifier) as the source of the pagination.
    package.add_metadata("DC", "source", config.print_edition.identifier, {"id": "print-edition"})
    package.add_metadata(None, "meta", "pagination", {"refines": "#print-edition", "property": "source-of"})
    if config.subtitle:
        package.add_metadata("DC", "description", config.subtitle)
    for keyword in config.keywords:
        package.add_metadata("DC", "subject", keyword)
    for name, value in ACCESSIBILITY:
        package.add_metadata(None, "meta", value, {"property": name})
    package.add_metadata(None, "meta", SUMMARY, {"property": "schema:accessibilitySummary"})


PACKAGE_DOCUMENT = "EPUB/content.opf"


def finish_package(data: bytes, language: str, created: datetime.datetime) -> bytes:
    """The one step after ebooklib: what its public API cannot say, and a reproducible zip.

    In the package document, the `xml:lang` that accessibility checkers ask of `<package>`
    is added and ebooklib's EPUB 2 generator `<meta>` is dropped (the package is EPUB 3).
    The zip is then written again: `mimetype` first and stored, every other entry deflated,
    in a stable order, with one timestamp (`created`, within the zip format's years 1980 to 2107),
    so the same book and `SOURCE_DATE_EPOCH` give the same bytes whatever ebooklib's own zip habits.
    """
    source = zipfile.ZipFile(io.BytesIO(data))
    names = sorted(name for name in source.namelist() if name != "mimetype")
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as target:
        for name in ["mimetype", *names]:
            content = source.read(name)
            if name == PACKAGE_DOCUMENT:
                content = _finish_package_document(content, language)  # it keeps the exact date
            entry = zip_entry(name, created, zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED)
            target.writestr(entry, content, compresslevel=9)
    return output.getvalue()


def _finish_package_document(content: bytes, language: str) -> bytes:
    root = etree.fromstring(content, etree.XMLParser(remove_blank_text=True))
    for generator in _elements(root, "//opf:meta[@name='generator']"):
        parent = generator.getparent()
        if parent is not None:  # never the root, which is the package
            parent.remove(generator)
    for element in _elements(root, "opf:metadata/*[not(text())]"):
        element.text = ""  # ebooklib writes metadata with an end tag (<meta …></meta>); keep its form
    root.set("{http://www.w3.org/XML/1998/namespace}lang", language)
    return etree.tostring(root, pretty_print=True, encoding="utf-8", xml_declaration=True)


def _elements(root: etree._Element, path: str) -> list[etree._Element]:
    """The elements `path` (an XPath in the package document's namespace, `opf:`) selects."""
    found = root.xpath(path, namespaces={"opf": epub.NAMESPACES["OPF"]})
    return [item for item in found if isinstance(item, etree._Element)] if isinstance(found, list) else []
