"""A printer's file made true PDF/X-4 (`pdfx.conform`): every colour for its ink, shadings whose functions match
their space, images tagged or grey, no annotations, PDF 1.6; checked on tiny files and by the preflight."""

from __future__ import annotations

import io

import pikepdf
import pytest
from press_files import PROFILE, combined, expectations, press_pdf, with_rgb_form, with_rgb_gradient, with_rgb_image

from bestiary.pdf.colour import CMYK, GRAY, RGB, Ink, PressColours
from bestiary.pdf.pdfx import conform
from bestiary.pdf.preflight import preflight
from bestiary.pdf.walk import CONTENT, IMAGE, SHADING, walk

# Red text, black lines, a mid grey, a gradient, an image, an SVG-like form and a link: what WeasyPrint writes
EVERYTHING = (b"0.7 0.15 0.12 rg 0 0 0 RG 0.5 0.5 0.5 rg 40 40 60 60 re f 40 40 m 100 100 l S "
              b"q /s0 sh Q q 20 0 0 20 40 40 cm /Im0 Do Q /Fm0 Do")
MAKERS = combined(with_rgb_gradient, with_rgb_image, with_rgb_form)


def colour_operators(data: bytes) -> list[tuple[str, tuple[float, ...]]]:
    """Every colour-setting operator of every content stream, with its numbers."""
    found = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for item in walk(pdf):
            if item.kind in CONTENT:
                found += [(str(i.operator), tuple(float(v) for v in i.operands))
                          for i in item.instructions if str(i.operator) in {"rg", "RG", "k", "K", "g", "G", "sc",
                                                                            "scn", "SC", "SCN", "cs", "CS"}
                          and all(not isinstance(v, pikepdf.Object) for v in i.operands)]
    return found


def converted(ink: Ink) -> bytes:
    data, _ = conform(press_pdf(EVERYTHING, resources=MAKERS, version="1.7", annotation=True), ink)
    return data


def test_with_colour_ink_every_vector_colour_is_cmyk_black_and_greys_in_black_ink_alone():
    data = converted(Ink.STANDARD_COLOR)
    assert data.startswith(b"%PDF-1.6\n")
    operators = colour_operators(data)
    assert {operator for operator, _ in operators} <= {"k", "K", "sc"}
    red, black, grey = operators[0][1], operators[1][1], operators[2][1]
    assert red[0] == 0 and red[1] > 0.8 and red[2] > 0.7  # FOGRA39's red: magenta and yellow, no cyan
    assert black == (0, 0, 0, 1)  # no rich black
    assert grey[:3] == (0, 0, 0) and 0.5 < grey[3] < 0.75  # a mid grey prints darker than 50 % K would
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert all("/Annots" not in page.obj for page in pdf.pages)
        kinds = {item.kind: item.obj for item in walk(pdf)}
        shading = kinds[SHADING]
        assert shading.ColorSpace == pikepdf.Name.DeviceCMYK
        assert len(shading.Function.Functions[0].C0) == len(shading.Function.Functions[0].C1) == 4
        image = kinds[IMAGE]
        assert image.ColorSpace[0] == pikepdf.Name.ICCBased and image.ColorSpace[1].N == 3  # RGB, but tagged
    assert all(result.passed for result in preflight(data, expectations(Ink.STANDARD_COLOR)))


def test_with_black_ink_everything_is_grey_images_too():
    data = converted(Ink.BLACK)
    operators = colour_operators(data)
    assert {operator for operator, _ in operators} <= {"g", "G", "sc"}
    red, black, grey = (values[0] for _, values in operators[:3])
    assert black == 0 and 0 < red < grey < 1  # the red is darker than the mid grey, both between ink and paper
    with pikepdf.open(io.BytesIO(data)) as pdf:
        kinds = {item.kind: item.obj for item in walk(pdf)}
        assert kinds[SHADING].ColorSpace == pikepdf.Name.DeviceGray
        assert len(kinds[SHADING].Function.Functions[0].C0) == 1
        image = kinds[IMAGE]
        assert image.ColorSpace == pikepdf.Name.DeviceGray
        picture = pikepdf.PdfImage(image).as_pil_image()
        red_pixel, white_pixel = picture.getpixel((0, 0)), picture.getpixel((1, 0))
        assert red_pixel < white_pixel == 255
    assert all(result.passed for result in preflight(data, expectations(Ink.BLACK)))


def test_what_was_converted_is_counted_and_a_second_pass_changes_nothing():
    source = press_pdf(EVERYTHING, resources=MAKERS, annotation=True)
    data, conversion = conform(source, Ink.STANDARD_COLOR)
    # two pages of red, grey and black; the form they share (an indirect object) converted once
    assert conversion.operators == {"rg -> k": 4, "RG -> K": 3, "cs rgb -> /DeviceCMYK": 1, "sc rgb -> sc": 1}
    assert (conversion.shadings, conversion.images, conversion.annotations) == (2, 1, 2)
    _, again = conform(data, Ink.STANDARD_COLOR)
    assert not again.operators and again.shadings == again.images == again.annotations == 0


def test_a_file_without_an_output_intent_is_refused():
    with pytest.raises(ValueError, match="output intent"):
        conform(press_pdf(intent=False), Ink.BLACK)


@pytest.mark.parametrize("ink", list(Ink))
def test_darker_colours_stay_darker(ink: Ink):
    """The conversion keeps the order of lightness: a black-ink reader still sees which bar is darker."""
    colours = PressColours(ink, PROFILE)
    ramp = [colours.lab_of(RGB, (value, value * 0.6, value * 0.5))[0] for value in (0.2, 0.4, 0.6, 0.8, 1.0)]
    assert ramp == sorted(ramp)
    printed = [colours.lab_of(GRAY if ink.is_black else CMYK, colours.convert(RGB, (value, value, value)))[0]
               for value in (0.0, 0.25, 0.5, 0.75, 1.0)]
    assert printed == sorted(printed)


def test_a_build_request_names_one_of_the_inks_and_a_new_ink_is_a_new_build():
    from bestiary.errors import RequestError
    from bestiary.request import BuildRequest

    with pytest.raises(RequestError, match="expected --ink among black, standard-color, premium-color, found 'sepia'"):
        BuildRequest.make(targets=["print"], ink="sepia")
    black, colour = (BuildRequest.make(targets=["print"], ink=ink) for ink in ("black", "standard-color"))
    assert black.printing.ink == Ink.BLACK and black.digest_inputs() != colour.digest_inputs()
