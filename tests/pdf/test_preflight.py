"""The preflight of a printer's file: each rule passes on a file that keeps it and fails, with its page, on a tiny
file that breaks it (made with pikepdf, `press_files`); then the report and its warnings."""

from __future__ import annotations

import pytest
from press_files import (
    BLEED,
    TRIM,
    expectations,
    press_pdf,
    showing_fonts,
    with_fonts,
    with_rgb_form,
    with_rgb_gradient,
    with_rgb_image,
    with_type3_font,
)

from bestiary.pdf.colour import Ink
from bestiary.pdf.preflight import CheckResult, UploadFigures, failures_as_warnings, preflight, report_lines

TEXT_INSIDE = b"0 g BT /F1 10 Tf 50 100 Td (A) Tj ET"
RULES = ["PDF version", "output intent", "PDF/X-4 metadata", "colours", "black text", "shadings", "annotations",
         "page boxes", "fonts", "page count", "live area"]


def failed(results: list[CheckResult]) -> dict[str, str]:
    return {result.rule: result.detail for result in results if not result.passed}


@pytest.mark.parametrize("ink", list(Ink))
def test_a_file_that_keeps_every_rule_passes_them_all(ink: Ink):
    data = press_pdf(b"0 0 0 1 k 40 40 60 60 re f " + TEXT_INSIDE + b" 0 0 0 1 k 40 200 60 25 re f",
                     resources=with_type3_font)  # the last square runs through the top margin into the bleed
    results = preflight(data, expectations(ink))
    assert [result.rule for result in results] == RULES
    assert failed(results) == {}
    assert all(result.checked for result in results)


CASES = {
    "a PDF 1.7 header": ("PDF version", lambda: press_pdf(version="1.7"), Ink.STANDARD_COLOR, "%PDF-1.7"),
    "no output intent": ("output intent", lambda: press_pdf(intent=False), Ink.STANDARD_COLOR, "no GTS_PDFX"),
    "no PDF/X-4 in the XMP": ("PDF/X-4 metadata", lambda: press_pdf(xmp=False), Ink.STANDARD_COLOR,
                              "GTS_PDFXVersion"),
    "a DeviceRGB fill": ("colours", lambda: press_pdf(b"1 0 0 rg 40 40 60 60 re f"), Ink.STANDARD_COLOR,
                         "RGB colours (rg operator) (pp. 1, 2)"),
    "an untagged RGB image": ("colours", lambda: press_pdf(b"q 20 0 0 20 40 40 cm /Im0 Do Q",
                                                           resources=with_rgb_image), Ink.STANDARD_COLOR,
                              "an image in untagged RGB (p. 1)"),
    "an ICC RGB colour space in a form": ("colours", lambda: press_pdf(b"/Fm0 Do", resources=with_rgb_form),
                                          Ink.STANDARD_COLOR, "a RGB colour space (cs)"),
    "cyan in a black-ink file": ("colours", lambda: press_pdf(b"0.5 0 0 0.5 k 40 40 60 60 re f"), Ink.BLACK,
                                 "cyan, magenta or yellow ink (k operator)"),
    "an image in colour in a black-ink file": ("colours", lambda: press_pdf(
        b"q 20 0 0 20 40 40 cm /Im0 Do Q", resources=with_rgb_image), Ink.BLACK, "an image in RGB"),
    "an RGB gradient in a CMYK space": ("shadings", lambda: press_pdf(b"/s0 sh", resources=with_rgb_gradient),
                                        Ink.STANDARD_COLOR, "gives 3 values in a 4-component colour space (pp. 1, 2)"),
    "text in a rich black": ("black text", lambda: press_pdf(b"0.6 0.5 0.5 1 k BT /F1 10 Tf 50 100 Td (A) Tj ET",
                                                             resources=with_type3_font),
                             Ink.STANDARD_COLOR, "text in a rich black (0.60 0.50 0.50 1.00 k)"),
    "a link": ("annotations", lambda: press_pdf(annotation=True), Ink.STANDARD_COLOR, "a Link annotation (pp. 1, 2)"),
    "no trim box": ("page boxes", lambda: press_pdf(boxes=False), Ink.STANDARD_COLOR, "no TrimBox or BleedBox"),
    "no bleed in the bleed box": ("page boxes", lambda: press_pdf(bleed_box=(0, 0, *TRIM)), Ink.STANDARD_COLOR,
                                  "the bleed box is not the trim plus the bleed"),
    "a font not embedded": ("fonts", lambda: press_pdf(showing_fonts(1), resources=with_fonts("Plain",
                                                                                              embedded=False)),
                            Ink.STANDARD_COLOR, "font Plain not embedded (p. 1)"),
    "one subset tag, two programs": ("fonts", lambda: press_pdf(showing_fonts(2), resources=with_fonts(
        "ABCDEF+One", "ABCDEF+Two")), Ink.STANDARD_COLOR, "subset tag ABCDEF names 2 different font programs"),
    "an odd page count": ("page count", lambda: press_pdf(pages=3), Ink.STANDARD_COLOR, "an odd count"),
    "too many pages": ("page count", lambda: press_pdf(pages=12), Ink.STANDARD_COLOR, "more than the service's 10"),
    "text in the top margin": ("live area", lambda: press_pdf(b"BT /F1 10 Tf 50 200 Td (A) Tj ET",
                                                              resources=with_type3_font), Ink.STANDARD_COLOR,
                               "text in the top margin, 0.118 in from the trim at the closest (pp. 1, 2)"),
    "text past the outside margin": ("live area", lambda: press_pdf(b"BT /F1 10 Tf 112 100 Td (AAA) Tj ET",
                                                                    resources=with_type3_font),
                                     Ink.STANDARD_COLOR, "text in the outside margin"),
    "a banner short of the edge": ("live area", lambda: press_pdf(b"0 0 0 1 k 40 200 60 8 re f"), Ink.STANDARD_COLOR,
                                   "a shape in the top margin stops short of the edge"),
}


@pytest.mark.parametrize("case", CASES)
def test_each_rule_fails_on_a_file_that_breaks_it(case: str):
    rule, make, ink, detail = CASES[case]
    failures = failed(preflight(make(), expectations(ink)))
    assert list(failures) == [rule]
    assert detail in failures[rule]


def test_a_rule_without_its_expectation_is_skipped_not_passed_silently():
    results = preflight(press_pdf(), expectations(live_area=None, max_pages=None))
    live = next(result for result in results if result.rule == "live area")
    assert live.passed and not live.checked
    assert "skip  live area: not checked: no live area given" in report_lines(results)


def test_the_outside_margin_is_on_the_right_of_a_recto_and_the_left_of_a_verso():
    # 112 + 3 glyphs of 6 pt reach 130, past a recto's outside margin (144 - 27 = 117) but not a verso's gutter
    # margin (144 - 36 = 108 is passed too): the fault is named by the side each page has there
    data = press_pdf(b"BT /F1 10 Tf 112 100 Td (AAA) Tj ET", resources=with_type3_font)
    detail = failed(preflight(data, expectations()))["live area"]
    assert "text in the outside margin" in detail and "(p. 1)" in detail
    assert "text in the inside margin" in detail and "(p. 2)" in detail


def test_the_report_has_a_line_per_rule_then_the_upload_figures_and_failures_are_warnings():
    results = preflight(press_pdf(b"1 0 0 rg 40 40 60 60 re f", version="1.7"), expectations())
    figures = UploadFigures(TRIM, 120, Ink.BLACK, "cream", 120 * 0.0025 * 72, (2 * TRIM[0] + 21.6 + 2 * BLEED,
                                                                            TRIM[1] + 2 * BLEED))
    lines = report_lines(results, figures)
    assert len(lines) == len(RULES) + 5
    assert lines[0] == "FAIL  PDF version: the header says %PDF-1.7; PDF/X-4 is %PDF-1.6"
    assert lines[3].startswith("FAIL  colours: RGB colours (rg operator) (pp. 1, 2)")
    assert lines[1].startswith("pass  output intent: GTS_PDFX")
    assert lines[len(RULES):] == [
        "trim size:     2 × 3 in (50.8 × 76.2 mm)",
        "page count:    120",
        "ink and paper: black ink, cream paper",
        "spine width:   0.3 in (7.62 mm)",
        "cover size:    4.55 × 3.25 in (115.6 × 82.5 mm), bleed included",
    ]
    warnings = failures_as_warnings("dist/print/book-interior.pdf", results)
    assert [str(warning) for warning in warnings] == [
        "dist/print/book-interior.pdf: W603 preflight: PDF version: the header says %PDF-1.7; PDF/X-4 is %PDF-1.6",
        "dist/print/book-interior.pdf: W603 preflight: colours: RGB colours (rg operator) (pp. 1, 2)",
    ]
