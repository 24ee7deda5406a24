"""Write the view API of docs/layouts.md from the code: every type a layout may read, with its attributes.

    python docs/view_api.py          # rewrite the section between the markers
    python docs/view_api.py --check  # exit 1 if the section is out of date (tests/cli/test_docs.py)

The list is `template_data`'s allow-list (what the sandbox lets a template read), with each attribute's
type as annotated and the comment on its line in the source. Run it from the checkout, with `src` first
on PYTHONPATH or the package installed with `pip install -e .`.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import re
import sys
from pathlib import Path

LAYOUTS_DOC = Path(__file__).with_name("layouts.md")
BEGIN = "<!-- view-api: begin (written by docs/view_api.py; do not edit by hand) -->"
END = "<!-- view-api: end -->"

# The views the layouts are given, in this order; every type they reach follows.
TOP_VIEWS = ("FieldGuideView", "EpubView", "DossierView", "CoverWrap", "InteriorPage", "WebView", "ShareCard")
VIEW_MODULES = ("bestiary.views.guide", "bestiary.views.epub", "bestiary.views.dossier", "bestiary.views.cover_wrap",
                "bestiary.views.print_interior", "bestiary.views.web")
_FIELD_COMMENT = re.compile(r"^\s+(\w+):[^#]*#\s*(.+)$")


def registered_types() -> list[tuple[type, frozenset[str]]]:
    """Our types a template may read, top views first, then by module and by their order in it."""
    for module in VIEW_MODULES:
        importlib.import_module(module)
    from bestiary.template_data import data_types, readable_attributes

    ours = [kind for kind in data_types() if kind.__module__.startswith("bestiary.")]

    def order(kind: type) -> tuple[int, str, int]:
        top = TOP_VIEWS.index(kind.__name__) if kind.__name__ in TOP_VIEWS else len(TOP_VIEWS)
        return top, kind.__module__, inspect.getsourcelines(kind)[1]

    return [(kind, readable_attributes(kind) or frozenset()) for kind in sorted(ours, key=order)]


def _field_comments(kind: type) -> dict[str, str]:
    comments: dict[str, str] = {}
    for line in inspect.getsource(kind).splitlines():
        match = _FIELD_COMMENT.match(line)
        if match:
            comments.setdefault(match.group(1), match.group(2).strip())
    return comments


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def describe(kind: type, names: frozenset[str]) -> list[str]:
    """One type as Markdown: its heading, what it is (its docstring's first paragraph), a row per attribute."""
    module = kind.__module__.removeprefix("bestiary.").replace(".", "/") + ".py"
    doc = (inspect.getdoc(kind) or "").split("\n\n")[0]
    if doc.startswith(f"{kind.__name__}("):  # a dataclass's generated signature says nothing more
        doc = ""
    lines = [f"### `{kind.__name__}`", "", f"`{module}`" + (f": {' '.join(doc.split())}" if doc else ""), "",
             "| attribute | type | notes |", "| --- | --- | --- |"]
    comments = _field_comments(kind)
    types = {field.name: str(field.type) for field in dataclasses.fields(kind)}  # type: ignore[arg-type]
    ordered = [name for name in types if name in names] + sorted(names - set(types))
    for name in ordered:
        if name in types:
            shown = types[name]
        else:  # a property the allow-list names
            annotation = inspect.signature(getattr(kind, name).fget).return_annotation
            shown = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", str(annotation))
            summary = (inspect.getdoc(getattr(kind, name)) or "computed").split("\n\n")[0]
            comments.setdefault(name, " ".join(summary.split()))
        lines.append(f"| `{name}` | `{_cell(shown)}` | {_cell(comments.get(name, ''))} |")
    return [*lines, ""]


def section() -> str:
    body = [BEGIN, ""]
    for kind, names in registered_types():
        body += describe(kind, names)
    return "\n".join([*body, END])


def main(argv: list[str]) -> int:
    text = LAYOUTS_DOC.read_text(encoding="utf-8")
    start, end = text.index(BEGIN), text.index(END) + len(END)
    updated = text[:start] + section() + text[end:]
    if "--check" in argv:
        if updated != text:
            print(f"{LAYOUTS_DOC} is out of date: run python docs/view_api.py", file=sys.stderr)
            return 1
        return 0
    LAYOUTS_DOC.write_text(updated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
