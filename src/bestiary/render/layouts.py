"""The layouts each output renders, by name (found in the book's `layouts/` first, then in ours)."""

from __future__ import annotations

FIELD_GUIDE_LAYOUT = "print/field-guide.html.j2"
DOSSIER_LAYOUT = "print/dossier.html.j2"
DOSSIER_STYLESHEET = "print/dossier.css.j2"
COVER_WRAP_LAYOUT = "print/cover-wrap.html.j2"
INTERIOR_STYLESHEET = "print/interior.css.j2"  # what a printer's interior changes of the field guide's pages
SHARE_CARD_LAYOUT = "web/share-card.html.j2"
EPUB_STYLESHEET = "epub/style.css.j2"
EPUB_NCX = "epub/toc.ncx.j2"
# Each EPUB document kind: its layout and the manifest properties it needs.
EPUB_DOCUMENTS = {
    "cover": ("epub/cover.xhtml.j2", ("svg",)),
    "contents": ("epub/nav.xhtml.j2", ("nav",)),
    "titlepage": ("epub/titlepage.xhtml.j2", ()),
    "chapter": ("epub/chapter.xhtml.j2", ()),
    "specimen": ("epub/specimen.xhtml.j2", ()),
    "statistics": ("epub/statistics.xhtml.j2", ("svg",)),  # its charts are inline SVG
    "index": ("epub/index.xhtml.j2", ("index",)),
    "colophon": ("epub/colophon.xhtml.j2", ()),
    "licenses": ("epub/licenses.xhtml.j2", ()),
}
# Each web page kind: its layout (`views.web.WebPage.kind`).
WEB_PAGES = {
    "home": "web/home.html.j2",
    "chapter": "web/chapter.html.j2",
    "specimen": "web/specimen.html.j2",
    "statistics": "web/statistics.html.j2",
    "index": "web/index.html.j2",
    "search": "web/search.html.j2",
    "not-found": "web/not-found.html.j2",
}
WEB_STYLESHEET = "web/site.css.j2"
WEB_SEARCH_SCRIPT = "web/search.js"
WEB_FAVICON = "web/favicon.svg.j2"
WEB_SITEMAP = "web/sitemap.xml.j2"
