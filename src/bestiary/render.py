"""The one Jinja environment, and where the built-in layouts and fonts live.

Autoescaping is on and undefined names fail loudly. A book may bring its own
`layouts/` folder; its templates are found before ours, and can extend ours
explicitly as `builtin/<name>`. Record text only ever enters templates as
data, so `{{ … }}` inside a record is printed, never evaluated.

Every template, ours included, runs in Jinja's `ImmutableSandboxedEnvironment`:
books are shared between editors, and a layout in a book must not run code.
A layout can read the values it is given, call their public methods, loop,
include and extend other layouts; it cannot reach Python internals
(`__globals__`, `__class__`…), change a list or dict, import anything, or load
a template from outside its layout folders.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .errors import RenderError
from .money import format_amount
from .resources import builtin_layouts_dir, is_inside, real_path
from .text import block_markdown, inline_markdown, insert_markers


class _Environment(ImmutableSandboxedEnvironment):
    """The sandbox, its verdicts remembered: whether an attribute is safe depends only on the object's
    type and the attribute's name (Jinja's checks are all `isinstance` tests and name tests), and
    asking again for every attribute a layout reads was a third of rendering a large book."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._verdicts: dict[tuple[type, str], bool] = {}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        key = (type(obj), attr)
        verdict = self._verdicts.get(key)
        if verdict is None:
            verdict = self._verdicts[key] = super().is_safe_attribute(obj, attr, value)
        return verdict


@dataclass(frozen=True)
class Renderer:
    environment: jinja2.Environment
    layout_dirs: tuple[Path, ...]

    def render(self, template: str, **context: Any) -> str:
        try:
            return self.environment.get_template(template).render(**context)
        except jinja2.TemplateError as error:
            where = f" ({error.filename}:{error.lineno})" if getattr(error, "lineno", None) else ""
            raise RenderError(f"layout {template}{where}: {error.message or error}") from error


class ConfinedLoader(jinja2.FileSystemLoader):
    """A FileSystemLoader that refuses templates whose real path (symbolic links followed) leaves `allowed`."""

    def __init__(self, searchpath: list[str], allowed: tuple[Path, ...]):
        super().__init__(searchpath)
        self.allowed = allowed

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Any]:
        pieces = split_template_path(template)
        for root in self.searchpath:
            candidate = Path(root, *pieces)
            if candidate.is_file():
                if not is_inside(candidate, self.allowed):
                    raise jinja2.TemplateNotFound(f"{template} (a link out of {root})")
                break
        return super().get_source(environment, template)


def make_renderer(book_dir: Path) -> Renderer:
    builtin = builtin_layouts_dir()
    user = book_dir / "layouts"
    search = [user, builtin] if user.is_dir() else [builtin]
    # a book's layouts must really be inside the book, ours inside our layouts folder
    allowed = tuple(root for root in (real_path(book_dir), real_path(builtin)) if root is not None)
    loader = jinja2.ChoiceLoader([
        jinja2.PrefixLoader({"builtin": ConfinedLoader([str(builtin)], allowed[-1:])}),
        ConfinedLoader([str(path) for path in search], allowed),
    ])
    environment = _Environment(
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
    environment.filters["insert_markers"] = insert_markers
    return Renderer(environment, tuple(search))
