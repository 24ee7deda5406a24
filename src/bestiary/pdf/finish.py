"""What a finished PDF says about itself, written by WeasyPrint's `finisher` hook as the file is made.

Page labels that match the printed folios (the cover and inside cover by
name, roman front matter, arabic body), the viewer preferences a preflight
checks (`DisplayDocTitle`, spreads with the cover alone), XMP metadata with
title, authors, language and dates in every variant, and, for a printer's
interior, a blank last page when the count is odd. Nothing is rewritten
afterwards, except in a printer's file (`pdfx.conform` converts its colours and
sets its header to PDF 1.6): the PDF keeps WeasyPrint's object streams and its
version header.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING
from xml.etree import ElementTree

import pydyf

from .pagination import COVER_LABELS, PageNumbering

if TYPE_CHECKING:
    from weasyprint import Document

PDF_VERSION = "1.7"  # the file uses transparency (1.4) and object streams (1.5)
XMP_NAMESPACES = {"rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "dc": "http://purl.org/dc/elements/1.1/",
       "xmp": "http://ns.adobe.com/xap/1.0/", "xmpMM": "http://ns.adobe.com/xap/1.0/mm/",
       "pdf": "http://ns.adobe.com/pdf/1.3/"}
for _prefix, _uri in XMP_NAMESPACES.items():
    ElementTree.register_namespace(_prefix, _uri)


def xmp_tag(prefix: str, name: str) -> str:
    """An XMP element or attribute name in ElementTree's spelling: `{namespace}name`."""
    return f"{{{XMP_NAMESPACES[prefix]}}}{name}"


def finisher(numbering: PageNumbering, language: str, identifier: str, *, pad_to_even: bool = False,
             spreads: bool = True) -> Callable[[Document, pydyf.PDF], None]:
    """The hook WeasyPrint calls with the document and the PDF just before writing it.

    `identifier` names the document for good (the book's, or a dossier's); `spreads` says
    whether a viewer should show it as a book (facing pages) or one page after another.
    """

    def finish(document: Document, pdf: pydyf.PDF) -> None:
        if pad_to_even and pdf.pages["Count"] % 2:
            _add_blank_page(pdf)
        pdf.catalog["PageLabels"] = _page_labels(numbering)
        pdf.catalog["ViewerPreferences"] = pydyf.Dictionary({"DisplayDocTitle": "true"})
        if spreads:  # a book seen as spreads: the cover (or page i) alone on the right, then verso beside recto
            pdf.catalog["PageLayout"] = "/TwoPageRight"
        _write_xmp(document, pdf, language, identifier)

    return finish


def _page_labels(numbering: PageNumbering) -> pydyf.Dictionary:
    ranges: list[int | pydyf.Dictionary] = []  # page index, then its labelling, for each range
    for index in range(numbering.cover_pages):
        ranges += [index, pydyf.Dictionary({"P": pydyf.String(COVER_LABELS[index])})]
    if numbering.body_start > numbering.cover_pages:
        ranges += [numbering.cover_pages, pydyf.Dictionary({"S": "/r"})]
    ranges += [numbering.body_start, pydyf.Dictionary({"S": "/D"})]
    return pydyf.Dictionary({"Nums": pydyf.Array(ranges)})


def _add_blank_page(pdf: pydyf.PDF) -> None:
    """A blank page after the last one, so that a printer's interior has an even count: the same trim, its bleed
    mirrored, since it faces the last page across the binding (a service may want none on the inside edge)."""
    last = pdf.objects[pdf.pages["Kids"][-3]]
    contents = pydyf.Stream([b""])
    pdf.add_object(contents)
    page = pydyf.Dictionary({key: last[key] for key in ("Type", "Parent", "TrimBox") if key in last})
    for key in ("MediaBox", "BleedBox"):
        if key in last:
            page[key] = _mirrored(last[key], last.get("TrimBox", last[key]))
    page["Resources"] = pydyf.Dictionary({})
    page["Contents"] = contents.reference
    pdf.add_page(page)


def _mirrored(box: list[float], trim: list[float]) -> pydyf.Array:
    """`box` with its left and right overhangs of the `trim` swapped (boxes are [left, bottom, right, top])."""
    left, bottom, right, top = box
    return pydyf.Array([trim[0] - (right - trim[2]), bottom, trim[2] + (trim[0] - left), top])


def _write_xmp(document: Document, pdf: pydyf.PDF, language: str, identifier: str) -> None:
    """XMP metadata in every variant: WeasyPrint's packet (it writes one for PDF/A, UA and X) or a new one,
    completed with the language, a metadata date, and identifiers derived from the book (never random)."""
    if "Metadata" not in pdf.catalog:
        document.metadata.include_in_pdf(pdf, None, None, None, compress=True)
    number = int(pdf.catalog["Metadata"].split()[0])
    stream = pdf.objects[number]
    packet = b"".join(stream.stream)
    start, end = packet.index(b"<rdf:RDF"), packet.index(b"</rdf:RDF>") + len(b"</rdf:RDF>")
    rdf = ElementTree.fromstring(packet[start:end])
    description = ElementTree.SubElement(rdf, xmp_tag("rdf", "Description"), {xmp_tag("rdf", "about"): ""})
    bag = ElementTree.SubElement(ElementTree.SubElement(description, xmp_tag("dc", "language")),
                                 xmp_tag("rdf", "Bag"))
    ElementTree.SubElement(bag, xmp_tag("rdf", "li")).text = language
    modified = document.metadata.modified
    if modified and rdf.find(".//" + xmp_tag("xmp", "MetadataDate")) is None:
        ElementTree.SubElement(description, xmp_tag("xmp", "MetadataDate")).text = modified
    stable = uuid.uuid5(uuid.NAMESPACE_URL, identifier)
    found = rdf.find(".//" + xmp_tag("xmpMM", "DocumentID"))
    if found is None:
        found = ElementTree.SubElement(description, xmp_tag("xmpMM", "DocumentID"))
    found.text = f"uuid:{stable}"
    stream.stream = [packet[:start] + ElementTree.tostring(rdf, encoding="unicode").encode() + packet[end:]]
