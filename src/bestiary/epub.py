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

from .context import FieldGuide, Links
from .render import Renderer
from .resources import fonts_dir

EPUB_FONTS = (
    "CourierPrime-Regular.otf", "CourierPrime-Bold.otf", "CourierPrime-Italic.otf",
    "CourierPrime-BoldItalic.otf", "Inter-Regular.otf", "Inter-Italic.otf", "Inter-Bold.otf",
    "Inter-Black.otf", "EBGaramond-Regular.otf", "EBGaramond-Italic.otf", "EBGaramond-Bold.otf",
)
XHTML = "application/xhtml+xml"


@dataclass(frozen=True)
class RenderedEpub:
    data: bytes
    document_count: int


def _document(uid: str, file_name: str, content: str, properties: tuple[str, ...] = ()) -> epub.EpubItem:
    item = epub.EpubItem(uid=uid, file_name=f"text/{file_name}", media_type=XHTML,
                         content=content.encode("utf-8"))
    item.properties = list(properties)
    return item


def render_epub(guide: FieldGuide, renderer: Renderer, created: datetime.datetime,
                page_list: tuple[tuple[str, str], ...] = ()) -> RenderedEpub:
    book = guide.book
    config = book.config
    links = Links(split=True)
    common = {"book": book, "guide": guide, "ref_label": lambda role: None,
              **links.template_functions()}

    package = epub.EpubBook()
    package.set_identifier(config.identifier)
    package.set_title(config.title)
    package.set_language(config.language)
    for author in config.authors:
        package.add_author(author)
    package.add_metadata("DC", "publisher", config.publisher)
    package.add_metadata("DC", "date", config.date.isoformat())
    if config.subtitle:
        package.add_metadata("DC", "description", config.subtitle)
    for keyword in config.keywords:
        package.add_metadata("DC", "subject", keyword)
    # ebooklib adds an EPUB 2 generator <meta>; drop it, the package is EPUB 3.
    package.metadata.get(epub.NAMESPACES["OPF"], {}).pop("generator", None)

    package.add_item(epub.EpubItem(uid="style", file_name="styles/epub.css", media_type="text/css",
                                   content=renderer.render("epub/style.css.j2").encode("utf-8")))
    for font in EPUB_FONTS:
        package.add_item(epub.EpubItem(uid=f"font-{font.rsplit('.', 1)[0].lower()}",
                                       file_name=f"fonts/{font}", media_type="font/otf",
                                       content=(fonts_dir() / font).read_bytes()))

    nav = _document("nav", "nav.xhtml", renderer.render("epub/nav.xhtml.j2", page_list=page_list, **common),
                    ("nav",))
    package.add_item(nav)
    spine: list[epub.EpubItem] = []
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
                             renderer.render("epub/specimen.xhtml.j2", specimen=specimen, **common),
                             ("svg",))
            package.add_item(page)
            spine.append(page)
            entries.append(epub.Link(f"text/{links.role_file(role)}", role.title, role.anchor))
        link = epub.Link(f"text/{links.chapter_file(chapter)}", chapter.title, f"toc-{chapter.anchor}")
        toc.append((epub.Section(chapter.title, link.href), entries) if entries else link)
    index = _document("taxonomy-index", "index.xhtml",
                      renderer.render("epub/index.xhtml.j2", **common))
    package.add_item(index)
    spine.append(index)
    toc.append(epub.Link("text/index.xhtml", "Taxonomy Index", "toc-index"))

    package.toc = toc
    package.spine = [nav, *spine]
    package.add_item(epub.EpubNcx())

    raw = io.BytesIO()
    epub.write_epub(raw, package, {"mtime": created, "epub3_pages": False, "raise_exceptions": True})
    return RenderedEpub(_repack(raw.getvalue(), created), len(spine) + 1)


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
