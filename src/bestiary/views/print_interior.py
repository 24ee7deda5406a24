"""The printer's interior page as its stylesheet (`print/interior.css.j2`) draws it, in points from the trim: the
service's bleed on each edge, the gutter the page count asks for, and the live area the banners keep inside."""

from __future__ import annotations

from dataclasses import dataclass

from ..book.print_services import PrintProfile
from ..template_data import template_data


@template_data()
@dataclass(frozen=True)
class InteriorPage:
    """What a printer's interior page changes of the field guide's (print.css), in points."""

    bleed_top: float
    bleed_bottom: float
    bleed_outside: float
    bleed_inside: float  # 0 where the service wants no bleed in the binding
    inside_margin: float  # the gutter: print.css's, or the wider one the service asks for at this page count
    live_margin: float  # the banners stand this far inside the trim


def interior_page(profile: PrintProfile, inside_margin: float) -> InteriorPage:
    bleed = profile.bleed
    return InteriorPage(bleed.top, bleed.bottom, bleed.outside, bleed.inside, inside_margin, profile.live_margin)
