"""Per-role printable dossiers: one standalone PDF per specimen, on office paper.

A dossier links only inside itself: related specimens name the other
dossiers' file names instead of pages of the field guide.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from weasyprint.text.fonts import FontConfiguration

from .config import PAPER_SIZES
from .context import Specimen
from .model import Book
from .pdf import render_pdf
from .render import Renderer


@dataclass(frozen=True)
class RenderedDossier:
    slug: str
    data: bytes
    page_count: int
    warnings: tuple[str, ...]


def dossier_file_name(slug: str) -> str:
    return f"{slug}.pdf"


def render_dossier(book: Book, specimen: Specimen, renderer: Renderer, paper: str,
                   roots: tuple[Path, ...], created: str,
                   font_config: FontConfiguration | None = None) -> RenderedDossier:
    if paper not in PAPER_SIZES:
        raise ValueError(f"unknown paper {paper!r}")
    html = renderer.render(
        "print/dossier.html.j2", book=book, specimen=specimen, created=created,
        issued=created[:10], page_breaks={},
        link_for=lambda role: None,
        ref_label=lambda role: f"(dossier {dossier_file_name(role.slug)})",
    )
    data, document, warnings = render_pdf(html, roots, extra_css=f"@page {{ size: {paper}; }}",
                                          font_config=font_config)
    return RenderedDossier(specimen.role.slug, data, len(document.pages), tuple(warnings))
