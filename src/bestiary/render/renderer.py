"""The render stage: one sandboxed Jinja environment, the layouts it finds, and located failures.

Autoescaping is on and undefined names fail loudly. A book may bring its own
`layouts/` folder; its templates are found before ours, and can extend ours
explicitly as `builtin/<name>`. Record text only ever enters templates as
data, so `{{ … }}` inside a record is printed, never evaluated.

Every template, ours included, runs in the sandbox of `template_sandbox`: it
reads only the documented view data (`template_data`), and its work is bounded
by limits that grow with the book. Layout files are read as records are: stat
first, regular files only, at most 1 MB, UTF-8, never through a link leading
out of their folder. Whatever a template does wrong (a syntax error, an
undefined name, `1/0`, a loop past its budget, an include of a binary file) is
one located line, at the template and its line; so is a rendered document that
would load a resource from the network or another file (`resource_loads`).
Those are input errors (E402, E403: exit 2) when the book brings layouts of its
own, and `RenderError`s (exit 1: our own layouts are wrong) when it does not.
"""

from __future__ import annotations

import functools
import os
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2.loaders import split_template_path

from .. import errors
from ..book.model import Book
from ..book.reading import read_text
from ..errors import Diagnostic, InputError, RenderError
from ..resources import builtin_layouts_dir, is_inside, real_path
from ..text.last_line import tie_last_word
from ..text.markdown import block_markdown, inline_markdown, insert_markers
from ..text.money import format_amount
from .loads import remote_loads
from .sandbox import LayoutLimitExceeded, RenderLimits, bounded_render, make_environment


def layout_search_path(book_dir: Path) -> tuple[Path, ...]:
    """Where layouts are looked for, in order: the book's own `layouts/`, if it has one, then ours."""
    user = book_dir / "layouts"
    return (user, builtin_layouts_dir()) if user.is_dir() else (builtin_layouts_dir(),)


@dataclass(frozen=True)
class Renderer:
    environment: jinja2.Environment
    layout_dirs: tuple[Path, ...]
    limits: RenderLimits

    @property
    def book_has_layouts(self) -> bool:
        return len(self.layout_dirs) > 1

    def render(self, template: str, **context: Any) -> str:
        """`template` rendered with `context`, within this book's limits, loading nothing from elsewhere.

        Raises `InputError` (the book's layouts are wrong) or `RenderError` (ours are), one located line.
        """
        try:
            with bounded_render(self.limits):
                text = self.environment.get_template(template).render(**context)
        except InputError:
            raise  # a layout file that cannot be read, located already
        except Exception as error:  # whatever a template does wrong, at its line
            raise self._failure(self._located(template, error)) from error
        loads = remote_loads(text, template)
        if loads:
            shown = errors.display_path(self._source_of(template))
            raise self._failure(*(Diagnostic(shown, 0, 0, errors.REMOTE_LOAD, "",
                                             f"expected resources from inside the book, found {load} in what "
                                             f"{template} renders") for load in loads))
        return text

    def _failure(self, *problems: Diagnostic) -> Exception:
        if self.book_has_layouts:
            return InputError(list(problems))
        return RenderError("\n".join(str(problem) for problem in problems))

    def _source_of(self, template: str) -> Path:
        pieces = split_template_path(template.removeprefix("builtin/"))
        for folder in self.layout_dirs:
            if Path(folder, *pieces).is_file():
                return Path(folder, *pieces)
        return Path(self.layout_dirs[-1], *pieces)

    def _located(self, template: str, error: Exception) -> Diagnostic:
        """The failure at the template and line where it happened (Jinja's traceback names them)."""
        if isinstance(error, jinja2.TemplateSyntaxError) and error.filename:
            return Diagnostic(errors.display_path(Path(error.filename)), error.lineno or 0, 1 if error.lineno else 0,
                              errors.LAYOUT_FAILED, "", f"expected a valid layout, found {error.message}")
        path, line = self._source_of(template), 0
        roots = tuple(root for root in map(real_path, self.layout_dirs) if root is not None)
        for frame in traceback.extract_tb(error.__traceback__):
            if frame.filename and is_inside(Path(frame.filename), roots):
                path, line = Path(frame.filename), frame.lineno or 0
        return Diagnostic(errors.display_path(path), line, 1 if line else 0, errors.LAYOUT_FAILED, "",
                          _describe(error))


def _describe(error: Exception) -> str:
    """What went wrong, as the second half of an "expected …, found …" line."""
    if isinstance(error, LayoutLimitExceeded):
        return str(error)
    if isinstance(error, jinja2.TemplateNotFound):
        return f"expected a layout named '{error.name}', found none in the book's layouts or ours"
    if isinstance(error, jinja2.exceptions.SecurityError):
        return f"expected only the views' data (see the layouts' view API), found {error}"
    if isinstance(error, jinja2.UndefinedError):
        return f"expected a defined name, found {error}"
    if isinstance(error, RecursionError):
        return "expected macros that stop calling themselves, found one past Python's recursion limit"
    if isinstance(error, MemoryError):
        return "expected a layout that fits in memory, found one that does not"
    return f"expected the layout to render, found {type(error).__name__}: {error}"


class ConfinedLoader(jinja2.BaseLoader):
    """Layouts from `searchpath`, each read safely (`book.reading`) and only if its real path (links followed)
    lies inside `allowed`. A file that cannot be read is a located `InputError`."""

    def __init__(self, searchpath: tuple[Path, ...], allowed: tuple[Path, ...]):
        self.searchpath = searchpath
        self.allowed = allowed

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Any]:
        pieces = split_template_path(template)
        for root in self.searchpath:
            candidate = Path(root, *pieces)
            if not (candidate.exists() or candidate.is_symlink()):
                continue
            if not is_inside(candidate, self.allowed):
                raise jinja2.TemplateNotFound(f"{template} (a link out of {root})")
            text, problems = read_text(candidate, errors.display_path(candidate))
            if text is None:
                raise InputError(problems)
            return text, os.path.normpath(candidate), functools.partial(_unchanged, candidate, _modified(candidate))
        raise jinja2.TemplateNotFound(template)


def _unchanged(path: Path, modified: float | None) -> bool:
    return _modified(path) == modified


def _modified(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except OSError:
        return None


class CompiledLayouts(jinja2.BytecodeCache):
    """Compiled layouts kept for the life of the process, so a second build in it (`serve`, the test suite)
    does not compile them again: about 0.9 s a build. Jinja keys a layout by its name and file and checks its
    source's checksum before using what it kept, so an edited layout is compiled afresh. Every environment here is
    made alike (`make_environment`), so they may share what they compiled; nothing is written to disk."""

    def __init__(self) -> None:
        self._kept: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        kept = self._kept.get(bucket.key)
        if kept is not None:
            bucket.bytecode_from_string(kept)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._kept[bucket.key] = bucket.bytecode_to_string()


_COMPILED_LAYOUTS = CompiledLayouts()


def make_renderer(book: Book) -> Renderer:
    """The book's renderer: its own layouts before ours, limits that grow with it."""
    builtin = builtin_layouts_dir()
    search = layout_search_path(book.directory)
    # a book's layouts must really be inside the book, ours inside our layouts folder
    allowed = tuple(root for root in (real_path(book.directory), real_path(builtin)) if root is not None)
    loader = jinja2.ChoiceLoader([
        jinja2.PrefixLoader({"builtin": ConfinedLoader((builtin,), allowed[-1:])}),
        ConfinedLoader(search, allowed),
    ])
    environment = make_environment(loader)
    environment.bytecode_cache = _COMPILED_LAYOUTS
    environment.filters["md"] = inline_markdown
    environment.filters["markdown"] = block_markdown
    environment.filters["tie"] = tie_last_word
    environment.filters["money"] = lambda amount, currency: format_amount(amount, currency)
    environment.filters["insert_markers"] = insert_markers
    return Renderer(environment, search, limits_for(book))


def limits_for(book: Book) -> RenderLimits:
    """Render limits in proportion to the book: its specimens and the text they hold."""
    text = sum(len(repr(role)) for role in book.roles) + sum(len(chapter.body_markdown) for chapter in book.chapters)
    return RenderLimits.for_book(len(book.roles), text)
