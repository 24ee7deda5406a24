"""What a build is asked to do, checked once: one frozen `BuildRequest`, made by the command line, by
`serve` and by the tests, and taken whole by `build()`.

`BuildRequest.make` checks all that can be checked without the book (the targets,
the page size, the bleed, the variant, the paper's name, the number of copies, the
print service, stock and ink and that only `print` is given them, the output
folder's name) and raises `RequestError` for the first wrong one, so a bad
option never waits for a book to load. What needs the book (a slug, the recipient's
name against the stamp font) is checked by the build before anything renders.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from .book.config import PAPER_SIZES, PDF_VARIANTS
from .book.print_services import INKS, SERVICES, STOCKS, VOLUMES
from .errors import RequestError
from .store.paths import output_folder
from .text.measures import PageSize, bleed_problem

MAX_COPIES = 999


class Target(StrEnum):
    """An output a build can be asked for by name (`bestiary build TARGET`)."""

    PDF = "pdf"
    EPUB = "epub"
    DOSSIERS = "dossiers"
    PRINT = "print"  # the print-on-demand interior and cover wrap, made only when asked for by name
    WEB = "web"  # the static site: it offers the field guide, the EPUB and the dossiers, so it builds them too


DEFAULT_TARGETS = (Target.PDF, Target.EPUB, Target.DOSSIERS, Target.WEB)
OFFERED_BY_WEB = (Target.PDF, Target.EPUB, Target.DOSSIERS)


@dataclass(frozen=True)
class PageOptions:
    """The field guide's page, where the request overrides `book.yaml` (None: the book's own)."""

    page_size: PageSize | None = None
    bleed: str | None = None
    crop_marks: bool | None = None


@dataclass(frozen=True)
class PrintChoice:
    """The print edition's service, stock and ink, where the request overrides `book.yaml` (None: the book's own)."""

    service: str | None = None
    stock: str | None = None
    ink: str | None = None
    volumes: str | None = None  # one of VOLUMES: "auto" splits an interior over the service's page limit

    @property
    def given(self) -> tuple[str, ...]:
        """The options given, as the command line spells them."""
        return tuple(f"--{name}" for name, value in (("service", self.service), ("stock", self.stock),
                                                     ("ink", self.ink), ("volumes", self.volumes))
                     if value is not None)


@dataclass(frozen=True)
class Stamping:
    """Stamped copies of each dossier: for whom, and how many (both None: no copies)."""

    prepared_for: str | None = None
    copies: int | None = None

    @property
    def wanted(self) -> bool:
        return self.prepared_for is not None or self.copies is not None


@dataclass(frozen=True)
class BuildRequest:
    """One build: from which book, into which folder, what to make and how."""

    book_dir: Path
    out_dir: Path
    targets: tuple[Target, ...] = DEFAULT_TARGETS
    slugs: tuple[str, ...] | None = None  # the dossiers to make; None: every role's
    page: PageOptions = field(default_factory=PageOptions)
    variant: str | None = None  # one of PDF_VARIANTS for the field guide
    paper: str | None = None  # the dossiers' paper; None: the book's
    stamping: Stamping = field(default_factory=Stamping)
    printing: PrintChoice = field(default_factory=PrintChoice)  # the print edition's, for the print target
    use_cache: bool = True
    strict: bool = False  # any warning fails the build, which then writes nothing

    @classmethod
    def make(cls, book_dir: str | Path = "book", out_dir: str | Path = "dist",
             targets: Iterable[str] = DEFAULT_TARGETS, *, slugs: Iterable[str] | None = None,
             page_size: str | None = None, bleed: str | None = None, crop_marks: bool | None = None,
             variant: str | None = None, paper: str | None = None, prepared_for: str | None = None,
             copies: int | None = None, service: str | None = None, stock: str | None = None,
             ink: str | None = None, volumes: str | None = None, use_cache: bool = True,
             strict: bool = False) -> BuildRequest:
        """A checked request from options as a user writes them; `RequestError` for one that cannot be met."""
        wanted = tuple(dict.fromkeys(targets))
        unknown = [target for target in wanted if target not in Target.__members__.values()]
        if unknown:
            raise RequestError(f"unknown target(s) {', '.join(unknown)}; expected {', '.join(Target)}")
        try:
            size = PageSize.parse(page_size) if page_size is not None else None
        except ValueError as problem:
            raise RequestError(str(problem)) from None
        if bleed is not None and bleed_problem(bleed):
            raise RequestError(str(bleed_problem(bleed)))
        if variant is not None and variant not in PDF_VARIANTS:
            raise RequestError(f"expected a PDF variant among {', '.join(PDF_VARIANTS)}, found {variant!r}")
        if paper is not None and paper not in PAPER_SIZES:
            raise RequestError(f"unknown paper {paper!r}; expected {' or '.join(PAPER_SIZES)}")
        if copies is not None and not 1 <= copies <= MAX_COPIES:
            raise RequestError(f"expected from 1 to {MAX_COPIES} copies, found {copies}")
        printing = PrintChoice(service, stock, ink, volumes)
        for name, value, allowed in (("service", service, tuple(SERVICES)), ("stock", stock, STOCKS),
                                     ("ink", ink, INKS), ("volumes", volumes, VOLUMES)):
            if value is not None and value not in allowed:
                raise RequestError(f"expected --{name} among {', '.join(allowed)}, found {value!r}")
        if printing.given and Target.PRINT not in wanted:
            raise RequestError(f"expected {' and '.join(printing.given)} with the print target only (bestiary build "
                               f"print), found the target{'s' if len(wanted) > 1 else ''} {', '.join(wanted)}")
        chosen = tuple(Target(target) for target in wanted)
        if Target.WEB in chosen:  # the site offers them, and the build makes what the site offers
            chosen = tuple(dict.fromkeys((*OFFERED_BY_WEB, *chosen)))
        return cls(Path(book_dir), output_folder(out_dir), chosen,
                   None if slugs is None else tuple(dict.fromkeys(slugs)), PageOptions(size, bleed, crop_marks),
                   variant, paper, Stamping(prepared_for, copies), printing, use_cache, strict)

    def wants(self, target: Target) -> bool:
        return target in self.targets

    def digest_inputs(self) -> dict[str, Any]:
        """What of the request decides the outputs' bytes (for the up-to-date check): all but where the book
        and the outputs live, the cache and strictness."""
        page = self.page
        return {"targets": list(self.targets), "slugs": None if self.slugs is None else list(self.slugs),
                "paper": self.paper, "variant": self.variant, "page_size": page.page_size and page.page_size.text,
                "bleed": page.bleed, "crop_marks": page.crop_marks, "prepared_for": self.stamping.prepared_for,
                "copies": self.stamping.copies, "service": self.printing.service, "stock": self.printing.stock,
                "ink": self.printing.ink, "volumes": self.printing.volumes}
