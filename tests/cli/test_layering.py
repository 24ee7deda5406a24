"""The package's stages import forward only, with no circle: read from every module's imports (the AST),
`TYPE_CHECKING` and function-level imports included."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "bestiary"

# Lowest first. A module may import from its own stage and from those above it in this list, never below.
STAGES = (
    ("base", {"__init__", "errors", "bugs", "progress", "resources", "safe_files", "template_data"}),
    ("text", {"text"}),
    ("book", {"book"}),
    ("proof", {"proof"}),
    ("store", {"store"}),
    ("views", {"views"}),
    ("render", {"render"}),
    ("pdf", {"pdf"}),
    ("epub", {"epub"}),
    ("web", {"web"}),
    ("build", {"request", "build", "check", "feedback", "init"}),
    ("serve", {"serve"}),
    ("cli", {"cli", "__main__"}),
)


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" and len(parts) > 1 else parts)


def stage_of(module: str) -> int:
    head = module.split(".")[0]
    for number, (_, members) in enumerate(STAGES):
        if head in members:
            return number
    raise AssertionError(f"bestiary.{module} is in no stage of the table: add it")


def imported_modules(path: Path, module: str) -> set[str]:
    """The bestiary modules `module` imports, relative imports resolved."""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            elif node.module and node.module.startswith("bestiary"):
                target = node.module.removeprefix("bestiary").lstrip(".")
            else:
                continue
            for alias in node.names:  # `from . import errors` imports a module
                candidate = f"{target}.{alias.name}" if target else alias.name
                found.add(candidate if _exists(candidate) else target)
        elif isinstance(node, ast.Import):
            found |= {alias.name.removeprefix("bestiary.") for alias in node.names
                      if alias.name.startswith("bestiary.")}
    return {name for name in found if name and name != module}


def _exists(module: str) -> bool:
    path = SRC.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def graph() -> dict[str, set[str]]:
    return {module_name(path): imported_modules(path, module_name(path)) for path in sorted(SRC.rglob("*.py"))}


def test_no_module_imports_from_a_later_stage():
    upward = [f"{module} ({STAGES[stage_of(module)][0]}) imports {target} ({STAGES[stage_of(target)][0]})"
              for module, targets in graph().items() for target in sorted(targets)
              if stage_of(target) > stage_of(module)]
    assert upward == []


def test_no_import_circle():
    imports = graph()
    circles: list[list[str]] = []

    def visit(module: str, trail: list[str]) -> None:
        for target in sorted(imports.get(module, ())):
            if target in trail:
                circles.append([*trail[trail.index(target):], target])
            elif target not in done:
                visit(target, [*trail, target])
        done.add(module)

    done: set[str] = set()
    for module in sorted(imports):
        if module not in done:
            visit(module, [module])
    assert circles == []


def test_every_package_says_what_its_stage_takes_and_gives():
    for init in sorted(SRC.glob("*/__init__.py")) + sorted(SRC.glob("*/*/__init__.py")):
        docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert "takes" in docstring and "gives" in docstring, init
