"""The preflight of a printer's file: what a service's checker would refuse, found before uploading.

`preflight` opens a written interior or cover wrap with pikepdf, walks every
content stream, shading, image, font and annotation its pages use (`walk`),
and checks each rule against `PreflightExpectations` (what the service asks:
trim, bleed per edge, live area, ink, page limits; where things are on a page
is `page_geometry`'s to find). It returns one
`CheckResult` per rule, in a fixed order; `report_lines` gives one line per
rule (pass, skip, or what failed and on which pages) and then the figures a
service's upload form asks for (`UploadFigures`). `build print` prints them
after writing, and each failed rule is warning W603.

What it cannot check (a commercial preflight such as Acrobat's or callas
pdfToolbox can): total ink coverage, the rendering of transparency, hairlines,
image resolution against the printed size, overprint settings, whether text
converted to outlines or a clipped shape really prints where `marks` says
(clipping is not applied), and the ICC profiles themselves beyond their
number of components.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal

import pikepdf

from .. import errors
from ..errors import Diagnostic
from .colour import CMYK, COMPONENTS, GRAY, LAB, OTHER, PATTERN, RGB, Ink
from .marks import FontCache
from .page_geometry import Edges, box_problems, inches, live_area_problems
from .pdfx import PDFX_VERSION, function_outputs
from .walk import ANNOTATION, CONTENT, FONT, IMAGE, SHADING, Found, family_of, named_space, walk

__all__ = ["CheckResult", "Edges", "PreflightExpectations", "UploadFigures", "failures_as_warnings", "preflight",
           "report_lines", "upload_lines"]

INCH = 72.0
RICH_BLACK = 0.8  # a text colour with this much black ink and any cyan, magenta or yellow is a rich black
_SHOWN_PAGES = 6  # pages named in a failure's detail before "and N more"
_INLINE_SPACES = {"/G": GRAY, "/DeviceGray": GRAY, "/RGB": RGB, "/DeviceRGB": RGB, "/CMYK": CMYK,
                  "/DeviceCMYK": CMYK}


@dataclass(frozen=True)
class PreflightExpectations:
    """What a service asks of a file: the lead wires a service profile into this."""

    trim: tuple[float, float]  # width, height in points
    bleed: Edges
    ink: Ink
    live_area: Edges | None = None  # margins from the trim that text must keep; None: not checked
    max_pages: int | None = None
    even_pages: bool = False
    first_page_recto: bool = True  # page 1 opens on the right (an interior; a wrap counts as one)


@dataclass(frozen=True)
class CheckResult:
    rule: str
    passed: bool
    detail: str  # what passed, or what failed with its pages
    checked: bool = True  # False: the expectations gave nothing to check it against


@dataclass(frozen=True)
class UploadFigures:
    """What a service's upload form asks for, as this build made it."""

    trim: tuple[float, float]  # points
    page_count: int
    ink: Ink
    paper: str
    spine_width: float  # points
    cover_size: tuple[float, float]  # the wrap with its bleed, points


@dataclass
class _Findings:
    """Failures by rule, then by what failed, with the pages they were found on."""

    by_rule: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    closest: dict[tuple[str, str], float] = field(default_factory=dict)  # a distance a failure was found at

    def add(self, rule: str, page: int, what: str, distance: float | None = None) -> None:
        pages = self.by_rule.setdefault(rule, {}).setdefault(what, [])
        if page not in pages:
            pages.append(page)
        if distance is not None:
            self.closest[rule, what] = min(distance, self.closest.get((rule, what), distance))

    def result(self, rule: str, passed_detail: str) -> CheckResult:
        failures = self.by_rule.get(rule)
        if not failures:
            return CheckResult(rule, True, passed_detail)
        return CheckResult(rule, False, "; ".join(f"{what}{self._distance(rule, what)} ({_pages(pages)})"
                                                  for what, pages in failures.items()))

    def _distance(self, rule: str, what: str) -> str:
        distance = self.closest.get((rule, what))
        return "" if distance is None else f", {inches(max(distance, 0.0))} in from the trim at the closest"


def preflight(data: bytes, expected: PreflightExpectations) -> list[CheckResult]:
    """Every rule checked on the PDF `data`, one result each, in a fixed order."""
    findings = _Findings()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        fonts: dict[str, set[tuple[int, int]]] = {}  # subset tag: the font programs it names
        font_count = 0
        for found in walk(pdf):
            if found.kind in CONTENT:
                _check_content(found, expected.ink, findings)
            elif found.kind == SHADING:
                _check_shading(found, expected.ink, findings)
            elif found.kind == IMAGE:
                _check_image(found, expected.ink, findings)
            elif found.kind == ANNOTATION:
                findings.add("annotations", found.page, f"a {str(found.obj.get('/Subtype', '/Annot'))[1:]} "
                                                        "annotation")
            elif found.kind == FONT:
                font_count += 1
                _check_font(found, fonts, findings)
        for tag, programs in fonts.items():
            if len(programs) > 1:
                findings.add("fonts", 0, f"subset tag {tag} names {len(programs)} different font programs")
        results = [
            _version(data),
            _output_intent(pdf),
            _pdfx_metadata(pdf),
            findings.result("colours", _ink_sentence(expected.ink)),
            findings.result("black text", "black text in black ink alone")
            if not expected.ink.is_black else CheckResult("black text", True, "black ink only"),
            findings.result("shadings", "every shading's function gives as many values as its colour space has"),
            findings.result("annotations", "none"),
        ]
        for number, what, _ in box_problems(pdf, expected.trim, expected.bleed, expected.first_page_recto):
            findings.add("page boxes", number, what)
        results.append(findings.result("page boxes", _boxes_sentence(expected)))
        results.append(findings.result("fonts", f"{font_count} fonts, all embedded, one program per subset tag"))
        results.append(_page_count(len(pdf.pages), expected))
        if expected.live_area is None:
            results.append(CheckResult("live area", True, "not checked: no live area given", checked=False))
        else:
            measured: FontCache = {}
            for number, page in enumerate(pdf.pages, start=1):
                for problem in live_area_problems(page, number, expected.bleed, expected.live_area,
                                                  expected.first_page_recto, measured):
                    findings.add("live area", *problem)
            results.append(findings.result("live area", "text inside the live area; shapes in the margins run "
                                                        "to the edge (text and painted shapes; clipping not applied)"))
    return results


def _pages(pages: list[int]) -> str:
    if pages == [0]:
        return "whole file"
    shown = ", ".join(str(page) for page in pages[:_SHOWN_PAGES])
    more = f" and {len(pages) - _SHOWN_PAGES} more" if len(pages) > _SHOWN_PAGES else ""
    return f"p. {shown}{more}" if len(pages) == 1 else f"pp. {shown}{more}"


def _ink_sentence(ink: Ink) -> str:
    if ink.is_black:
        return "black ink: every colour gray or black alone"
    return "colour ink: vector colours in CMYK or gray, RGB only in ICC-tagged images"


# ---- file-level rules ---------------------------------------------------------------------------------------

def _version(data: bytes) -> CheckResult:
    header = data[:16].split(b"\n")[0].split(b"\r")[0].decode("latin-1", "replace").strip()
    wanted = f"%PDF-{PDFX_VERSION}"
    return CheckResult("PDF version", header == wanted, header if header == wanted else
                       f"the header says {header}; PDF/X-4 is {wanted}")


def _output_intent(pdf: pikepdf.Pdf) -> CheckResult:
    for intent in pdf.Root.get("/OutputIntents", pikepdf.Array()):
        if intent.get("/S") != "/GTS_PDFX":
            continue
        profile = intent.get("/DestOutputProfile")
        name = str(intent.get("/OutputConditionIdentifier", ""))
        if profile is None or int(profile.get("/N", 0)) != 4:
            return CheckResult("output intent", False, f"GTS_PDFX intent {name} without a CMYK profile")
        return CheckResult("output intent", True, f"GTS_PDFX, {name} (CMYK profile embedded)")
    return CheckResult("output intent", False, "no GTS_PDFX output intent")


def _pdfx_metadata(pdf: pikepdf.Pdf) -> CheckResult:
    problems = []
    metadata = pdf.Root.get("/Metadata")
    xmp = metadata.read_bytes().decode("utf-8", "replace") if isinstance(metadata, pikepdf.Stream) else ""
    if "GTS_PDFXVersion>PDF/X-4<" not in xmp:
        problems.append("no pdfxid:GTS_PDFXVersion PDF/X-4 in the XMP")
    trapped = pdf.trailer.get("/Info", pikepdf.Dictionary()).get("/Trapped")
    if str(trapped) not in ("/True", "/False"):
        problems.append("no /Trapped True or False in the document information")
    if "/ID" not in pdf.trailer:
        problems.append("no file identifier (/ID)")
    return CheckResult("PDF/X-4 metadata", not problems, "; ".join(problems) or
                       "GTS_PDFXVersion PDF/X-4, Trapped, file identifier")


def _page_count(count: int, expected: PreflightExpectations) -> CheckResult:
    problems = []
    if expected.even_pages and count % 2:
        problems.append(f"{count} pages: an odd count, the service asks for an even one")
    if expected.max_pages is not None and count > expected.max_pages:
        problems.append(f"{count} pages: more than the service's {expected.max_pages}")
    limit = f", at most {expected.max_pages}" if expected.max_pages is not None else ""
    return CheckResult("page count", not problems, "; ".join(problems) or f"{count} page{'s' * (count != 1)}{limit}")


# ---- colours ------------------------------------------------------------------------------------------------

def _allowed(family: str, ink: Ink) -> bool:
    return family == GRAY or (family == CMYK and not ink.is_black)


def _numbers(operands: list[object]) -> tuple[float, ...] | None:
    numbers = [float(value) for value in operands if isinstance(value, int | float | Decimal)]
    return tuple(numbers) if len(numbers) == len(operands) else None


def _check_content(found: Found, ink: Ink, findings: _Findings) -> None:
    """Colour operators and text colours of one content stream, and its transparency group's space."""
    page = found.page
    group = found.obj.get("/Group")
    if isinstance(group, pikepdf.Dictionary) and "/CS" in group:
        family = family_of(group.CS)
        if family != GRAY and not (family == CMYK and not ink.is_black):
            findings.add("colours", page, f"a transparency group blending in {family.upper()}")
    spaces = {False: GRAY, True: GRAY}  # fill, stroke: the family of the current colour space
    fill: tuple[str, tuple[float, ...]] = (GRAY, (0.0,))
    saved: list[tuple[dict[bool, str], tuple[str, tuple[float, ...]]]] = []
    for instruction in found.instructions:
        operator = str(instruction.operator)
        operands = list(getattr(instruction, "operands", ()))
        stroke = operator.isupper()
        if operator == "q":
            saved.append((dict(spaces), fill))
        elif operator == "Q" and saved:
            spaces, fill = saved.pop()
        elif operator in ("rg", "RG", "k", "K", "g", "G"):
            family = {"r": RGB, "k": CMYK, "g": GRAY}[operator[0].lower()]
            spaces[stroke] = family
            values = _numbers(operands) or ()
            _check_colour(family, values, ink, page, f"{operator} operator", findings)
            if not stroke:
                fill = (family, values)
        elif operator in ("cs", "CS") and operands:
            family = family_of(named_space(found.resources, operands[0]))
            spaces[stroke] = family
            if family == PATTERN:
                continue
            if not (_allowed(family, ink) or family == CMYK):  # CMYK under black ink: read at `sc`
                findings.add("colours", page, f"a {_space_name(family)} colour space ({operator})")
            if not stroke:
                fill = (family, (0.0,) * COMPONENTS.get(family, 1))
        elif operator in ("sc", "scn", "SC", "SCN"):
            set_values = _numbers(operands)
            if set_values is None or spaces[stroke] == PATTERN:
                continue
            if spaces[stroke] == CMYK:
                _check_colour(CMYK, set_values, ink, page, f"{operator} operator", findings)
            if not stroke:
                fill = (spaces[stroke], set_values)
        elif operator in ("Tj", "TJ", "'", '"') and fill[0] == CMYK and not ink.is_black:
            cyan, magenta, yellow, black = (fill[1] + (0.0,) * 4)[:4]
            if black >= RICH_BLACK and max(cyan, magenta, yellow) > 0:
                findings.add("black text", page, "text in a rich black "
                             f"({cyan:.2f} {magenta:.2f} {yellow:.2f} {black:.2f} k)")
        elif operator == "INLINE IMAGE":
            image = instruction.iimage.obj  # type: ignore[union-attr]
            space = image.get("/CS", image.get("/ColorSpace"))
            family = _INLINE_SPACES.get(str(space), OTHER) if not isinstance(space, pikepdf.Array) else OTHER
            if not image.get("/IM", image.get("/ImageMask", False)) and not _allowed(family, ink):
                findings.add("colours", page, f"an inline image in {_space_name(family)}")


def _check_colour(family: str, values: tuple[float, ...], ink: Ink, page: int, where: str,
                  findings: _Findings) -> None:
    if family == CMYK and ink.is_black:
        if max(values[:3], default=0.0) > 0:  # black alone (0 0 0 k) is what black ink prints
            findings.add("colours", page, f"cyan, magenta or yellow ink ({where})")
    elif not _allowed(family, ink):
        findings.add("colours", page, f"{_space_name(family)} colours ({where})")


def _space_name(family: str) -> str:
    return {RGB: "RGB", CMYK: "CMYK", GRAY: "gray", LAB: "Lab", PATTERN: "pattern"}.get(
        family, "unreadable (indexed, separation or DeviceN)")


def _check_shading(found: Found, ink: Ink, findings: _Findings) -> None:
    shading = found.obj
    family = family_of(shading.get("/ColorSpace"))
    if not _allowed(family, ink):
        findings.add("colours", found.page, f"a shading in {_space_name(family)}")
    if "/Function" in shading:
        outputs = function_outputs(shading.Function)
        wanted = COMPONENTS.get(family)
        if outputs is None or wanted is None:
            findings.add("shadings", found.page, "a shading whose function this preflight cannot read")
        elif outputs != wanted:
            findings.add("shadings", found.page, f"a shading whose function gives {outputs} values in a "
                                                 f"{wanted}-component colour space")


def _check_image(found: Found, ink: Ink, findings: _Findings) -> None:
    image = found.obj
    if image.get("/ImageMask"):
        return  # a stencil: painted in the current colour, checked where that is set
    space = image.get("/ColorSpace")
    if isinstance(space, pikepdf.Array) and len(space) > 1 and space[0] == pikepdf.Name.Indexed:
        space = space[1]
    family = family_of(space)
    icc_rgb = family == RGB and isinstance(space, pikepdf.Array) and space[0] == pikepdf.Name.ICCBased
    if ink.is_black and family != GRAY:
        findings.add("colours", found.page, f"an image in {_space_name(family)}")
    elif not ink.is_black and not (_allowed(family, ink) or icc_rgb):
        findings.add("colours", found.page, f"an image in {'untagged ' if family == RGB else ''}"
                                            f"{_space_name(family)}")


# ---- fonts ------------------------------------------------------------------------------------------------

def _check_font(found: Found, programs: dict[str, set[tuple[int, int]]], findings: _Findings) -> None:
    font = found.obj
    if font.get("/Subtype") == "/Type3":
        return  # its glyphs are content streams: nothing to embed
    described = font.DescendantFonts[0] if font.get("/Subtype") == "/Type0" else font
    descriptor = described.get("/FontDescriptor", pikepdf.Dictionary())
    program = next((descriptor[key] for key in ("/FontFile", "/FontFile2", "/FontFile3") if key in descriptor), None)
    name = str(font.get("/BaseFont", "/unnamed"))[1:]
    if program is None:
        findings.add("fonts", found.page, f"font {name} not embedded")
        return
    tag, plus, _ = name.partition("+")
    if plus and len(tag) == 6 and tag.isupper():
        programs.setdefault(tag, set()).add(program.objgen)


def _boxes_sentence(expected: PreflightExpectations) -> str:
    return (f"trim {inches(expected.trim[0])} × {inches(expected.trim[1])} in on every page, bleed "
            f"{expected.bleed}")


# ---- the report ---------------------------------------------------------------------------------------------

def report_lines(results: list[CheckResult], figures: UploadFigures | None = None) -> list[str]:
    """One line per rule (pass, skip or FAIL, the rule, what it found), then the upload form's figures."""
    lines = [f"{'skip' if not result.checked else 'pass' if result.passed else 'FAIL'}  {result.rule}: "
             f"{result.detail}" for result in results]
    if figures is not None:
        lines += upload_lines(figures)
    return lines


def upload_lines(figures: UploadFigures) -> list[str]:
    """The figures a service's upload form asks for, in inches and millimetres."""
    return [
        f"trim size:     {_size(figures.trim)}",
        f"page count:    {figures.page_count}",
        f"ink and paper: {figures.ink.replace('-', ' ')} ink, {figures.paper} paper",
        f"spine width:   {inches(figures.spine_width)} in ({figures.spine_width / INCH * 25.4:.2f} mm)",
        f"cover size:    {_size(figures.cover_size)}, bleed included",
    ]


def _size(size: tuple[float, float]) -> str:
    width, height = size
    return (f"{inches(width)} × {inches(height)} in "
            f"({width / INCH * 25.4:.1f} × {height / INCH * 25.4:.1f} mm)")


def failures_as_warnings(shown_path: str, results: list[CheckResult]) -> list[Diagnostic]:
    """A W603 warning for each failed rule, named by the file it failed in."""
    return [Diagnostic(shown_path, 0, 0, errors.PREFLIGHT_FAILED, "", f"preflight: {result.rule}: {result.detail}")
            for result in results if not result.passed]
