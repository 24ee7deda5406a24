"""The benchmark's baseline: the book printed the plain way, with WeasyPrint's public API and nothing else.

    python bench/naive.py guide BOOK OUT.pdf        the field guide as one document
    python bench/naive.py guide-ua BOOK OUT.pdf     the same, tagged PDF/UA-1 (`build pdf --variant pdf/ua-1`)
    python bench/naive.py dossiers BOOK OUT_DIR     one fresh document per role, one after another

Only the HTML comes from the project (the same layouts and views as `bestiary build`); no cache,
no workers, no sandbox, no PDF finishing. Each dossier is a fresh WeasyPrint document (its stylesheet
parsed and its fonts set up again); the Jinja environment and the stylesheet's text are made once.
The date comes from SOURCE_DATE_EPOCH, as in the project's builds.
"""

from __future__ import annotations

# First: importing bestiary points fontconfig at the project's fonts before WeasyPrint loads Pango,
# so the baseline sets the same type as the real build.
import bestiary  # noqa: F401

# isort: split

import datetime
import os
import sys
from pathlib import Path

import weasyprint
from weasyprint.text.fonts import FontConfiguration

from bestiary.book.load import load_book
from bestiary.pdf.document import PdfOptions
from bestiary.pdf.layout import base_url
from bestiary.render.renderer import make_renderer
from bestiary.views.dossier import dossier_view
from bestiary.views.guide import field_guide_view


def build_date() -> datetime.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), tz=datetime.UTC)
    return datetime.datetime.now(tz=datetime.UTC).replace(microsecond=0)


def print_guide(book_dir: Path, target: Path, variant: str | None = None) -> None:
    book = load_book(book_dir)
    html = make_renderer(book).render("print/field-guide.html.j2", guide=field_guide_view(book, build_date()))
    page_css = weasyprint.CSS(string=PdfOptions.from_config(book.config).stylesheet())
    weasyprint.HTML(string=html, base_url=base_url()).write_pdf(target, stylesheets=[page_css], pdf_variant=variant,
                                                                pdf_tags=variant == "pdf/ua-1")


def print_dossiers(book_dir: Path, folder: Path) -> None:
    book = load_book(book_dir)
    created = build_date()
    folder.mkdir(parents=True, exist_ok=True)
    renderer = make_renderer(book)
    css = renderer.render("print/dossier.css.j2") + f"\n@page {{ size: {book.config.dossier_paper}; }}\n"
    for role in book.roles:
        html = renderer.render("print/dossier.html.j2", dossier=dossier_view(book, role.slug, created))
        # A fresh document each time: the sheet is parsed and the fonts set up again (its @font-face
        # rules load only through a font configuration shared by the sheet and the render).
        fonts = FontConfiguration()
        stylesheet = weasyprint.CSS(string=css, base_url=base_url(), font_config=fonts)
        weasyprint.HTML(string=html, base_url=base_url()).write_pdf(
            folder / f"{role.slug}.pdf", stylesheets=[stylesheet], font_config=fonts)


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("guide", "guide-ua", "dossiers"):
        sys.exit(__doc__)
    mode, book_dir, target = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    if mode == "dossiers":
        print_dossiers(book_dir, target)
    else:
        print_guide(book_dir, target, "pdf/ua-1" if mode == "guide-ua" else None)
