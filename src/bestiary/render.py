"""The one Jinja environment, and where the built-in layouts and fonts live.

Autoescaping is on and undefined names fail loudly. A book may bring its own
`layouts/` folder; its templates are found before ours, and can extend ours
explicitly as `builtin/<name>`. Record text only ever enters templates as
data, so `{{ … }}` inside a record is printed, never evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from .money import format_amount
from .text import block_markdown, inline_markdown


def resources_dir() -> Path:
    """Folder holding `layouts/` and `fonts/`: inside the wheel, or the source checkout's top level."""
    packaged = Path(__file__).parent / "_resources"
    return packaged if (packaged / "layouts").is_dir() else Path(__file__).resolve().parents[2]


def builtin_layouts_dir() -> Path:
    return resources_dir() / "layouts"


def fonts_dir() -> Path:
    return resources_dir() / "fonts"


@dataclass(frozen=True)
class Renderer:
    environment: jinja2.Environment
    layout_dirs: tuple[Path, ...]

    def render(self, template: str, **context: Any) -> str:
        return self.environment.get_template(template).render(**context)


def make_renderer(book_dir: Path) -> Renderer:
    builtin = builtin_layouts_dir()
    user = book_dir / "layouts"
    search = [user, builtin] if user.is_dir() else [builtin]
    loader = jinja2.ChoiceLoader([
        jinja2.PrefixLoader({"builtin": jinja2.FileSystemLoader(str(builtin))}),
        jinja2.FileSystemLoader([str(path) for path in search]),
    ])
    environment = jinja2.Environment(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["md"] = inline_markdown
    environment.filters["markdown"] = block_markdown
    environment.filters["money"] = lambda amount, currency: format_amount(amount, currency)
    environment.filters["upper_slug"] = lambda slug: slug.upper()
    return Renderer(environment, tuple(search))
