"""The EPUB 3 edition, packaged with ebooklib.

Content documents, the navigation document and the stylesheet come from our
layouts as finished XHTML; ebooklib writes them as they are (plain `EpubItem`s,
so it does not rebuild their `<head>`), plus the package document and the NCX.
The zip is then re-packed in a fixed order with fixed timestamps, so that the
same book and `SOURCE_DATE_EPOCH` give the same bytes.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from dataclasses import dataclass

from ebooklib import epub

from .context import INDEX_ANCHOR, FieldGuide, Links, Pagination, page_breaks, page_list, print_pages
from .fonts import subset_font
from .model import Book
from .render import Renderer
from .resources import fonts_dir

EPUB_FONTS = (
    "CourierPrime-Regular.ttf", "CourierPrime-Bold.ttf", "CourierPrime-Italic.ttf",
    "CourierPrime-BoldItalic.ttf", "Inter-Regular.otf", "Inter-Italic.otf", "Inter-Bold.otf",
    "Inter-Black.otf", "EBGaramond-Regular.otf", "EBGaramond-Italic.otf", "EBGaramond-Bold.otf",
)
XHTML = "application/xhtml+xml"
FONT_TYPES = {"otf": "font/otf", "ttf": "font/ttf"}


@dataclass(frozen=True)
class RenderedEpub:
    data: bytes
    document_count: int


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


def render_epub(guide: FieldGuide, renderer: Renderer, created: datetime.datetime, pagination: Pagination,
                cover: bytes) -> RenderedEpub:
    """The EPUB package: `pagination` (from the print render) places its page-list, `cover` is a PNG."""
    book = guide.book
    links = Links(split=True)
    breaks = page_breaks(book, pagination)
    folios = print_pages(pagination)
    common = {"book": book, "guide": guide, "ref_label": lambda role: None, "page_breaks": breaks,
              "page_of": lambda anchor: folios.get(anchor, ""), **links.template_functions()}

    package = epub.EpubBook()
    _describe(package, book, created)
    css = renderer.render("epub/style.css.j2")
    package.add_item(epub.EpubItem(uid="style", file_name="styles/epub.css", media_type="text/css",
                                   content=css.encode("utf-8")))
    cover_image = epub.EpubItem(uid="cover-image", file_name="images/cover.png", media_type="image/png",
                                content=cover)
    cover_image.properties = ["cover-image"]
    package.add_item(cover_image)
    package.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-image"})  # EPUB 2 readers

    cover_page = _document("cover", "cover.xhtml", renderer.render("epub/cover.xhtml.j2", **common))
    nav = _document("nav", "nav.xhtml", renderer.render(
        "epub/nav.xhtml.j2", page_list=page_list(book, breaks), **common), ("nav",))
    package.add_item(cover_page)
    package.add_item(nav)
    spine: list[epub.EpubItem] = [cover_page, nav]
    toc: list = []
    for chapter in book.chapters:
        item = _document(chapter.anchor, links.chapter_file(chapter),
                         renderer.render("epub/chapter.xhtml.j2", chapter=chapter, **common))
        package.add_item(item)
        spine.append(item)
        entries = []
        for specimen in guide.specimens_of(chapter):
            role = specimen.role
            page = _document(role.anchor, links.role_file(role),
                             renderer.render("epub/specimen.xhtml.j2", specimen=specimen, **common), ("svg",))
            package.add_item(page)
            spine.append(page)
            entries.append(epub.Link(f"text/{links.role_file(role)}", role.title, f"toc-{role.anchor}"))
        link = epub.Link(f"text/{links.chapter_file(chapter)}", chapter.title, f"toc-{chapter.anchor}")
        toc.append((epub.Section(chapter.title, link.href), entries) if entries else link)
    index = _document(INDEX_ANCHOR, "index.xhtml", renderer.render("epub/index.xhtml.j2", **common), ("index",))
    package.add_item(index)
    spine.append(index)
    toc.append(epub.Link("text/index.xhtml", "Taxonomy Index", "toc-index"))

    # Fonts last: each is cut down to the characters the book's documents and stylesheet use.
    used = css + "".join(item.content.decode("utf-8") for item in spine)
    for font in EPUB_FONTS:
        package.add_item(epub.EpubItem(uid=f"font-{font.rsplit('.', 1)[0].lower()}",
                                       file_name=f"fonts/{font}", media_type=FONT_TYPES[font.rsplit(".", 1)[1]],
                                       content=subset_font(fonts_dir() / font, used)))

    package.toc = toc
    package.spine = spine
    package.add_item(epub.EpubNcx())
    raw = io.BytesIO()
    writer = _PackageWriter(raw, package, {"mtime": created, "epub3_pages": False}, language=book.config.language)
    writer.process()
    writer.write()
    return RenderedEpub(_repack(raw.getvalue(), created), len(spine))


class _PackageWriter(epub.EpubWriter):
    """ebooklib's writer, plus the package-level xml:lang that accessibility checkers ask for."""

    def __init__(self, target, package: epub.EpubBook, options: dict, *, language: str):
        super().__init__(target, package, options)
        self.language = language

    def _write_opf_file(self, root) -> None:
        root.set("{http://www.w3.org/XML/1998/namespace}lang", self.language)
        super()._write_opf_file(root)


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
    # The page-list follows the print edition, named here as the source of the pagination.
    package.add_metadata("DC", "source", config.identifier, {"id": "print-edition"})
    package.add_metadata(None, "meta", "pagination", {"refines": "#print-edition", "property": "source-of"})
    if config.subtitle:
        package.add_metadata("DC", "description", config.subtitle)
    for keyword in config.keywords:
        package.add_metadata("DC", "subject", keyword)
    for name, value in ACCESSIBILITY:
        package.add_metadata(None, "meta", value, {"property": name})
    package.add_metadata(None, "meta", SUMMARY, {"property": "schema:accessibilitySummary"})
    # ebooklib adds an EPUB 2 generator <meta>; drop it, the package is EPUB 3.
    package.metadata.get(epub.NAMESPACES["OPF"], {}).pop("generator", None)


def _repack(data: bytes, created: datetime.datetime) -> bytes:
    """`mimetype` first and stored; every other entry deflated, in a stable order, with one timestamp."""
    timestamp = (max(created.year, 1980), created.month, created.day,
                 created.hour, created.minute, created.second)
    source = zipfile.ZipFile(io.BytesIO(data))
    names = sorted(name for name in source.namelist() if name != "mimetype")
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as target:
        for name in ["mimetype", *names]:
            info = zipfile.ZipInfo(name, date_time=timestamp)
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            target.writestr(info, source.read(name), compresslevel=9)
    return output.getvalue()
