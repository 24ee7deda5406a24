"""The output folder's layout: where each output goes and what it is called, in one place.

`dist/<book>.pdf` (the field guide), `dist/<book>.epub`, `dist/web/` (the web edition), `dist/dossiers/<slug>.pdf`
(`<slug>--letter.pdf` on the paper that is not the book's own, `<slug>--<recipient>…pdf`
stamped), `dist/print/<book>-interior.pdf` and `dist/print/<book>-cover.pdf` (or, split into
volumes, `<book>-vol-1-interior.pdf`, `<book>-vol-1-cover.pdf`, …). An output
folder is checked here before anything renders: not a file, not an empty name, not a
link that leads nowhere, not holding a staging folder that is not ours, and not inside
the sources (the outputs would be read back, and `serve` would rebuild forever).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from ..errors import RequestError
from ..progress import Stage
from ..resources import source_folder_holding
from .staging import staging_problem

DOSSIERS_FOLDER = "dossiers"
PRINT_FOLDER = "print"
WEB_FOLDER = "web"
SUBFOLDERS = (DOSSIERS_FOLDER, PRINT_FOLDER, WEB_FOLDER)


class OutputKind(StrEnum):
    """What an output is, as the build's summary names it."""

    FIELD_GUIDE = "field guide"
    EPUB = "EPUB"
    DOSSIER = "dossier"
    STAMPED_DOSSIER = "stamped dossier"
    PRINT_INTERIOR = "print interior"
    COVER_WRAP = "cover wrap"
    WEB = "web edition"  # one entry for the whole site: its home page, with the site's page count

    @property
    def stage(self) -> Stage:
        """The stage that makes this kind of output."""
        return _STAGES[self]


_STAGES = {OutputKind.FIELD_GUIDE: Stage.FIELD_GUIDE, OutputKind.EPUB: Stage.EPUB,
           OutputKind.DOSSIER: Stage.DOSSIERS, OutputKind.STAMPED_DOSSIER: Stage.DOSSIERS,
           OutputKind.PRINT_INTERIOR: Stage.PRINT_EDITION, OutputKind.COVER_WRAP: Stage.PRINT_EDITION,
           OutputKind.WEB: Stage.WEB}


def dossier_file_name(slug: str, paper: str | None = None) -> str:
    """`sdet.pdf` on the book's own paper, `sdet--letter.pdf` on another, so neither replaces the other."""
    return f"{slug}--{paper}.pdf" if paper else f"{slug}.pdf"


@dataclass(frozen=True)
class OutputPaths:
    """Every output's path in `folder`, for the book `book_slug` whose dossiers are on `book_paper`."""

    folder: Path
    book_slug: str
    book_paper: str

    @property
    def field_guide(self) -> Path:
        return self.folder / f"{self.book_slug}.pdf"

    @property
    def epub(self) -> Path:
        return self.folder / f"{self.book_slug}.epub"

    def dossier(self, slug: str, paper: str, recipient: str = "") -> Path:
        """`dossiers/sdet.pdf`; `sdet--letter.pdf` off the book's paper; `sdet--jane-doe--copy-1-of-3.pdf` for a
        stamped copy, whose `recipient` is its file-name suffix."""
        other_paper = paper if paper != self.book_paper else None
        return self.folder / DOSSIERS_FOLDER / dossier_file_name(slug + recipient, other_paper)

    @property
    def print_interior(self) -> Path:
        return self.folder / PRINT_FOLDER / f"{self.book_slug}-interior.pdf"

    @property
    def cover_wrap(self) -> Path:
        return self.folder / PRINT_FOLDER / f"{self.book_slug}-cover.pdf"

    def volume_interior(self, number: int) -> Path:
        """An interior split into volumes: `print/<book>-vol-2-interior.pdf`."""
        return self.folder / PRINT_FOLDER / f"{self.book_slug}-vol-{number}-interior.pdf"

    def volume_cover(self, number: int) -> Path:
        return self.folder / PRINT_FOLDER / f"{self.book_slug}-vol-{number}-cover.pdf"

    @property
    def web(self) -> Path:
        """The web edition's folder: `web/index.html` is its home page."""
        return self.folder / WEB_FOLDER

    def print_files(self, exists: Callable[[Path], bool] = Path.is_file) -> list[tuple[str, Path]]:
        """The print files this folder may hold for the book, described, in order: the interior and cover wrap,
        then each volume's (up to the first volume that does not `exist`)."""
        found = [("The print interior (PDF/X-4)", self.print_interior), ("The cover wrap (PDF/X-4)", self.cover_wrap)]
        number = 1
        while exists(self.volume_interior(number)):
            found += [(f"Volume {number}: the print interior (PDF/X-4)", self.volume_interior(number)),
                      (f"Volume {number}: the cover wrap (PDF/X-4)", self.volume_cover(number))]
            number += 1
        return found


def output_folder(name: str | Path) -> Path:
    """`name` as an output folder's path; an empty name is refused, since it would quietly mean the current
    folder (`--out .` says so on purpose)."""
    if not str(name).strip():
        raise RequestError("expected an output folder, found an empty name (write --out . for the current folder)")
    return Path(name)


def check_output_folder(book_dir: Path, out_dir: Path) -> None:
    """Refuse, before anything renders, an output folder that is a file, a link that leads nowhere, holds
    a staging folder not ours (`outputs`), or lies inside a source folder."""
    for folder in (out_dir, *(out_dir / name for name in SUBFOLDERS)):
        if folder.is_symlink() and not folder.exists():
            raise RequestError(f"expected an output folder, found a symbolic link that leads nowhere at {folder} "
                               f"(to {os.readlink(folder)})")
        if folder.exists() and not folder.is_dir():
            raise RequestError(f"expected an output folder, found a file at {folder}")
    problem = staging_problem(out_dir)
    if problem:
        raise RequestError(problem)
    holding = source_folder_holding(out_dir, book_dir)
    if holding is not None:
        name, source = holding
        raise RequestError(f"expected an output folder outside {name} ({source}), found --out {out_dir} "
                           "inside it (outputs there would be read back as sources); the default is ./dist")
