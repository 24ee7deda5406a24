"""Tiny printer's files made with pikepdf, shaped as `build print` writes them (PDF 1.6, a FOGRA39 PDF/X output
intent, PDF/X-4 XMP, Trapped, trim and bleed boxes), for tests that convert and preflight them rule by rule.

Each page is 2 × 3 in with a 0.125 in bleed on every edge; what a page draws, and the resources it draws with,
are the test's to give.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable
from pathlib import Path

import pikepdf

from bestiary.pdf.colour import Ink
from bestiary.pdf.preflight import Edges, PreflightExpectations

PROFILE = (Path(__file__).resolve().parents[2] / "layouts" / "print" / "FOGRA39L.icc").read_bytes()
TRIM = (144.0, 216.0)
BLEED = 9.0
LIVE_AREA = Edges(27.0, 27.0, 27.0, 36.0)
XMP = (b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
       b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
       b'xmlns:pdfxid="http://www.npes.org/pdfx/ns/id/"><rdf:Description rdf:about="">'
       b'<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion></rdf:Description></rdf:RDF>'
       b'</x:xmpmeta><?xpacket end="r"?>')
INSIDE = b"0 0 0 1 k 40 40 60 60 re f"  # a black square well inside the live area

Resources = Callable[[pikepdf.Pdf], pikepdf.Dictionary]


def expectations(ink: Ink = Ink.STANDARD_COLOR, **changes: object) -> PreflightExpectations:
    values: dict[str, object] = {"trim": TRIM, "bleed": Edges.all(BLEED), "ink": ink, "live_area": LIVE_AREA,
                                 "max_pages": 10, "even_pages": True}
    return PreflightExpectations(**{**values, **changes})  # type: ignore[arg-type]


def press_pdf(content: bytes = INSIDE, *, pages: int = 2, resources: Resources | None = None, version: str = "1.6",
              intent: bool = True, xmp: bool = True, boxes: bool = True, bleed_box: tuple[float, ...] | None = None,
              annotation: bool = False) -> bytes:
    """A printer's file of `pages` pages, each drawing `content` with `resources` (made in the file)."""
    pdf = pikepdf.new()
    shared = resources(pdf) if resources else pikepdf.Dictionary()
    width, height = TRIM
    for _ in range(pages):
        page = pdf.add_blank_page(page_size=(width + 2 * BLEED, height + 2 * BLEED))
        page.obj.MediaBox = pikepdf.Array([-BLEED, -BLEED, width + BLEED, height + BLEED])
        if boxes:
            page.obj.TrimBox = pikepdf.Array([0, 0, width, height])
            page.obj.BleedBox = pikepdf.Array(bleed_box or [-BLEED, -BLEED, width + BLEED, height + BLEED])
        page.obj.Contents = pdf.make_stream(content)
        page.obj.Resources = shared
        if annotation:
            page.obj.Annots = pikepdf.Array([pdf.make_indirect(pikepdf.Dictionary(
                Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[10, 10, 50, 20],
                Dest=pikepdf.String("somewhere")))])
    if intent:
        pdf.Root.OutputIntents = pikepdf.Array([pikepdf.Dictionary(
            Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFX,
            OutputConditionIdentifier=pikepdf.String("FOGRA39"),
            DestOutputProfile=pdf.make_stream(PROFILE, N=4))])
    if xmp:
        pdf.Root.Metadata = pdf.make_stream(XMP, Type=pikepdf.Name.Metadata, Subtype=pikepdf.Name.XML)
    pdf.trailer.Info = pdf.make_indirect(pikepdf.Dictionary(Trapped=pikepdf.Name("/False")))
    output = io.BytesIO()
    pdf.save(output, force_version=version, static_id=True)
    return output.getvalue()


def with_rgb_gradient(pdf: pikepdf.Pdf) -> pikepdf.Dictionary:
    """A CSS gradient as WeasyPrint writes one: sRGB values (red to blue) inside the output intent's CMYK space."""
    cmyk = pikepdf.Array([pikepdf.Name.ICCBased, pdf.make_stream(PROFILE, N=4)])
    function = pikepdf.Dictionary(FunctionType=3, Domain=[0, 1], Encode=[0, 1], Bounds=[], Functions=[
        pikepdf.Dictionary(FunctionType=2, Domain=[0, 1], C0=[1, 0, 0], C1=[0, 0, 1], N=1)])
    shading = pikepdf.Dictionary(ShadingType=2, ColorSpace=cmyk, Coords=[0, 0, 100, 0], Function=function)
    return pikepdf.Dictionary(Shading=pikepdf.Dictionary(s0=shading), ColorSpace=pikepdf.Dictionary(cmyk=cmyk))


def with_rgb_image(pdf: pikepdf.Pdf) -> pikepdf.Dictionary:
    """A 2 × 1 DeviceRGB image: a red pixel and a white one."""
    image = pdf.make_stream(zlib.compress(bytes([200, 30, 30, 255, 255, 255])), Type=pikepdf.Name.XObject,
                            Subtype=pikepdf.Name.Image, Width=2, Height=1, BitsPerComponent=8,
                            ColorSpace=pikepdf.Name.DeviceRGB, Filter=pikepdf.Name.FlateDecode)
    return pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))


def with_rgb_form(pdf: pikepdf.Pdf) -> pikepdf.Dictionary:
    """A form XObject (as an SVG becomes) that fills in RGB through a named ICC-based RGB space."""
    rgb = pikepdf.Array([pikepdf.Name.ICCBased, pdf.make_stream(b"", N=3)])
    form = pdf.make_stream(b"/rgb cs 0.2 0.4 0.8 sc 40 40 20 20 re f 0.5 0.5 0.5 RG 40 40 m 60 60 l S",
                           Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Form, BBox=[0, 0, 144, 216],
                           Resources=pikepdf.Dictionary(ColorSpace=pikepdf.Dictionary(rgb=rgb)))
    return pikepdf.Dictionary(XObject=pikepdf.Dictionary(Fm0=form))


def with_type3_font(pdf: pikepdf.Pdf) -> pikepdf.Dictionary:
    """A Type 3 font (nothing to embed) whose one glyph, A, is 0.6 em wide and 0.7 em high."""
    glyph = pdf.make_stream(b"600 0 0 0 600 700 d1 0 0 600 700 re f")
    font = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type3, FontBBox=[0, 0, 600, 700],
                              FontMatrix=[0.001, 0, 0, 0.001, 0, 0], CharProcs=pikepdf.Dictionary(A=glyph),
                              Encoding=pikepdf.Dictionary(Differences=[65, pikepdf.Name.A]), FirstChar=65,
                              LastChar=65, Widths=[600], Resources=pikepdf.Dictionary())
    return pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=pdf.make_indirect(font)))


def with_fonts(*names: str, embedded: bool = True) -> Resources:
    """TrueType fonts by these BaseFont names, each with its own (dummy) program unless not `embedded`."""

    def make(pdf: pikepdf.Pdf) -> pikepdf.Dictionary:
        fonts = pikepdf.Dictionary()
        for number, name in enumerate(names):
            descriptor = pikepdf.Dictionary(Type=pikepdf.Name.FontDescriptor, FontName=pikepdf.Name("/" + name),
                                            Flags=32, Ascent=700, Descent=-200)
            if embedded:
                descriptor.FontFile2 = pdf.make_stream(f"program {number}".encode())
            fonts[f"/F{number}"] = pdf.make_indirect(pikepdf.Dictionary(
                Type=pikepdf.Name.Font, Subtype=pikepdf.Name.TrueType, BaseFont=pikepdf.Name("/" + name),
                FirstChar=65, LastChar=65, Widths=[600], FontDescriptor=descriptor))
        return pikepdf.Dictionary(Font=fonts)

    return make


def showing_fonts(count: int) -> bytes:
    """Content that shows an A in each of the first `count` fonts, inside the live area."""
    return b" ".join(f"BT /F{n} 10 Tf 50 {60 + 12 * n} Td (A) Tj ET".encode() for n in range(count))


def combined(*makers: Resources) -> Resources:
    """The resources of several makers in one dictionary (each category merged)."""

    def make(pdf: pikepdf.Pdf) -> pikepdf.Dictionary:
        merged = pikepdf.Dictionary()
        for maker in makers:
            for category, entries in maker(pdf).items():
                if category not in merged:
                    merged[category] = pikepdf.Dictionary()
                for name, value in entries.items():
                    merged[category][name] = value
        return merged

    return make
