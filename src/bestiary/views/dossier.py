"""One role's dossier as `print/dossier.html.j2` draws it: its cover sheet, then its file; it links only
inside itself, so related cards name the other dossiers' files instead."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from ..book.model import Book, Role
from ..store.paths import dossier_file_name
from ..template_data import template_data
from ..text import running_heads
from ..text.markdown import plain_text
from .common import Head, iso_time
from .specimens import Specimen, specimen_views


@template_data()
@dataclass(frozen=True)
class DossierView:
    """One role's standalone dossier: its cover sheet, then its file; it links only inside itself."""

    book: Book
    head: Head
    specimen: Specimen
    issued: str
    file_name: str


def dossier_view(book: Book, slug: str, created: datetime.datetime, paper: str | None = None) -> DossierView:
    """One role's dossier; its related cards name the other dossiers' files instead of linking.

    `paper` is given when it is not the book's own (it is then part of the file names).
    """
    config = book.config

    def file_name(other: str) -> str:
        return dossier_file_name(other, paper)

    specimens = specimen_views(book, None, {}, heading_level=2, head_width=running_heads.head_width(config.page_size),
                               ref_label=lambda role: f"(dossier {file_name(role.slug)})", only=slug)
    specimen = specimens[0]
    role: Role = specimen.role
    return DossierView(
        book=book,
        head=Head(f"Dossier {role.file_number}: {role.title}", config.language, config.publisher,
                  plain_text(role.summary), ", ".join(config.keywords + (role.title,) + role.aliases),
                  iso_time(created)),
        specimen=specimen,
        issued=created.date().isoformat(),
        file_name=file_name(slug),
    )
