"""Colours for the press: what an ink allows, and any PDF colour converted into it through the output profile.

A printer's file is printed in one of three inks (`Ink`): black (a grayscale
interior) or one of two colour options. Its output intent names the press's
profile (FOGRA39, coated offset, for ours), and `PressColours` converts through
that profile with Little CMS (Pillow's ImageCms; Pillow comes with WeasyPrint):

- every colour is first taken to CIELAB: sRGB (what CSS and SVG colours are) by
  the sRGB profile, CMYK by the output profile, Lab as it is;
- a neutral (chroma under 2.5) becomes black ink alone, at the tint the output
  profile says prints as light as the colour is: no rich black in text, no grey
  that shifts with the press's cyan-magenta-yellow balance;
- with colour ink, any other colour becomes the output profile's CMYK
  (relative colorimetric with black point compensation, the usual intent for
  spot-like design colours);
- with black ink, every colour becomes the grey of the same lightness (the
  design gives its reds their own tints in `print/ink-black.css`; this is what
  anything else gets).

A naive formula (K = 1 - grey, CMY = 1 - RGB) would be simpler, but it prints
mid greys a third too dark (FOGRA39's K 50 % is L* 57, not 50) and would turn
black into a four-ink black. Colours are converted once each and remembered:
a book uses a few hundred.
"""

from __future__ import annotations

import io
import math
from enum import StrEnum
from functools import cache
from importlib.resources import files

from PIL import Image, ImageCms

NEUTRAL_CHROMA = 2.5  # CIELAB chroma under which a colour is a grey, printed in black ink alone
_K_STEPS = 256  # the black-ink ramp's resolution: one step per 8-bit tint


class Ink(StrEnum):
    """What a print-on-demand service prints the interior with."""

    BLACK = "black"
    STANDARD_COLOR = "standard-color"
    PREMIUM_COLOR = "premium-color"

    @property
    def is_black(self) -> bool:
        return self is Ink.BLACK


# A colour space as the walk meets it, by what its components mean
RGB, CMYK, GRAY, LAB, PATTERN, OTHER = "rgb", "cmyk", "gray", "lab", "pattern", "other"
COMPONENTS = {RGB: 3, CMYK: 4, GRAY: 1, LAB: 3}


@cache
def _srgb_profile() -> ImageCms.ImageCmsProfile:
    # WeasyPrint's own sRGB (ICC v2, the sRGB of CSS), the profile it gives sRGB output intents
    return ImageCms.ImageCmsProfile(io.BytesIO(srgb_profile_bytes()))


def srgb_profile_bytes() -> bytes:
    """An ICC v2 sRGB profile, for tagging RGB images in a printer's file."""
    return (files("weasyprint.pdf") / "sRGB2014.icc").read_bytes()


class PressColours:
    """Converts PDF colours for `ink` through `output_profile` (the ICC bytes of the file's output intent)."""

    def __init__(self, ink: Ink, output_profile: bytes) -> None:
        self.ink = ink
        press = ImageCms.ImageCmsProfile(io.BytesIO(output_profile))
        lab = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB", 5000))
        intent = ImageCms.Intent.RELATIVE_COLORIMETRIC
        flags = ImageCms.Flags.BLACKPOINTCOMPENSATION
        self._to_lab = {
            RGB: ImageCms.buildTransform(_srgb_profile(), lab, "RGB", "LAB", intent, flags),
            CMYK: ImageCms.buildTransform(press, lab, "CMYK", "LAB", intent),
        }
        self._lab_to_press = ImageCms.buildTransform(lab, press, "LAB", "CMYK", intent, flags)
        self._black_ramp = self._lightness_of_black(press, lab)
        self._cache: dict[tuple[str, tuple[float, ...]], tuple[float, ...]] = {}

    def _lightness_of_black(self, press: ImageCms.ImageCmsProfile, lab: ImageCms.ImageCmsProfile) -> list[float]:
        """L* of each 8-bit tint of black ink alone on this press, from paper white to solid black."""
        ramp = Image.new("CMYK", (_K_STEPS, 1))
        ramp.putdata([(0, 0, 0, step) for step in range(_K_STEPS)])
        printed = _apply(ramp, ImageCms.buildTransform(press, lab, "CMYK", "LAB"))
        return [_pixel(printed, step)[0] * 100 / 255 for step in range(_K_STEPS)]

    def black_for(self, lightness: float) -> float:
        """The tint of black ink (0 to 1) that prints as light as `lightness` (L*)."""
        ramp = self._black_ramp
        if lightness >= ramp[0]:
            return 0.0
        for step in range(1, _K_STEPS):
            if ramp[step] <= lightness:  # between step - 1 and step: interpolate
                above, below = ramp[step - 1], ramp[step]
                share = (above - lightness) / (above - below) if above > below else 1.0
                return (step - 1 + share) / (_K_STEPS - 1)
        return 1.0

    def lab_of(self, family: str, values: tuple[float, ...]) -> tuple[float, float, float]:
        """CIELAB (L* 0-100, a*, b*) of a colour in `family` (RGB and CMYK components 0 to 1, Lab as PDF writes
        it); a grey (DeviceGray) is read as black ink, which is how a CMYK press prints it."""
        if family == LAB:
            return values[0], values[1], values[2]
        if family == GRAY:
            return self._black_ramp[round((1 - _unit(values[0])) * (_K_STEPS - 1))], 0.0, 0.0
        mode = "RGB" if family == RGB else "CMYK"
        pixel = Image.new(mode, (1, 1), tuple(round(_unit(value) * 255) for value in values))
        lightness, a, b = _pixel(_apply(pixel, self._to_lab[family]))
        return lightness * 100 / 255, a - 128.0, b - 128.0

    def convert(self, family: str, values: tuple[float, ...]) -> tuple[float, ...]:
        """The colour for the press: 4 CMYK components with colour ink, 1 grey (DeviceGray, 1 = paper) with
        black ink. CMYK stays as it is with colour ink; a grey stays a grey."""
        key = (family, tuple(round(value, 4) for value in values))
        if key not in self._cache:
            self._cache[key] = self._convert(family, values)
        return self._cache[key]

    def _convert(self, family: str, values: tuple[float, ...]) -> tuple[float, ...]:
        if family == GRAY:
            return (_unit(values[0]),) if self.ink.is_black else (0.0, 0.0, 0.0, 1 - _unit(values[0]))
        if family == CMYK and not self.ink.is_black:
            return tuple(_unit(value) for value in values)
        lightness, a, b = self.lab_of(family, values)
        black = _tint(self.black_for(lightness))
        if self.ink.is_black:
            return (_tint(1 - black),)
        if math.hypot(a, b) < NEUTRAL_CHROMA:
            return (0.0, 0.0, 0.0, black)
        pixel = Image.new("LAB", (1, 1), (round(lightness * 2.55), round(a) + 128, round(b) + 128))
        return tuple(_tint(value / 255) for value in _pixel(_apply(pixel, self._lab_to_press)))

    def gray_image(self, image: Image.Image) -> Image.Image:
        """A raster image as greys of the same lightness (8-bit, 255 = paper), for black ink."""
        if image.mode not in ("RGB", "CMYK"):
            image = image.convert("RGB")
        lightness = _apply(image, self._to_lab[RGB if image.mode == "RGB" else CMYK]).getchannel(0)
        table = [round((1 - self.black_for(level * 100 / 255)) * 255) for level in range(256)]
        return lightness.point(table)


def _apply(image: Image.Image, transform: ImageCms.ImageCmsTransform) -> Image.Image:
    converted = ImageCms.applyTransform(image, transform)
    assert converted is not None  # None only when converting in place
    return converted


def _pixel(image: Image.Image, x: int = 0) -> tuple[int, ...]:
    value = image.getpixel((x, 0))
    assert isinstance(value, tuple)
    return value


def _unit(value: float) -> float:
    return min(max(float(value), 0.0), 1.0)


def _tint(value: float) -> float:
    """A component as the content stream writes it: three decimals (a thousandth of a tint is below any press)."""
    return round(_unit(value), 3)
