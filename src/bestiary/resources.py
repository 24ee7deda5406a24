"""Where the built-in layouts and fonts live: inside the wheel, or at the top of a source checkout."""

from __future__ import annotations

from pathlib import Path


def resources_dir() -> Path:
    packaged = Path(__file__).parent / "_resources"
    return packaged if (packaged / "layouts").is_dir() else Path(__file__).resolve().parents[2]


def builtin_layouts_dir() -> Path:
    return resources_dir() / "layouts"


def fonts_dir() -> Path:
    return resources_dir() / "fonts"


def real_path(path: Path) -> Path | None:
    """`path` with every `..` and symbolic link resolved, or None for a link that loops."""
    try:
        return path.resolve()
    except (RuntimeError, OSError):  # Python 3.11 raises RuntimeError for a loop, later versions OSError
        return None


def is_inside(path: Path, roots: tuple[Path, ...]) -> bool:
    """Whether `path`, with every `..` and symbolic link resolved, lies under one of `roots` (a loop does not)."""
    resolved = real_path(path)
    return resolved is not None and any(resolved == root or root in resolved.parents for root in roots)


def source_folder_holding(folder: Path, book_dir: Path) -> tuple[str, Path] | None:
    """The source folder (the book, our layouts, the fonts) that `folder` lies inside, links resolved, as
    (what it is, its path); None when it lies inside none."""
    real_folder = real_path(folder)
    sources = {"the book folder": book_dir, "the built-in layouts": builtin_layouts_dir(), "the fonts": fonts_dir()}
    for name, source in sources.items():
        real = real_path(source)
        if real_folder is not None and real is not None and is_inside(real_folder, (real,)):
            return name, source
    return None
