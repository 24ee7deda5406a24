"""The Corporate Bestiary builder: YAML role records into a PDF field guide, an EPUB and dossiers."""

from .resources import fonts_dir
from .text.fonts import isolate_fontconfig

__version__ = "0.1.0"

# Before anything loads WeasyPrint (and Pango): fontconfig must see our fonts and no others.
isolate_fontconfig(fonts_dir())

from .build import build  # noqa: E402  (after the font isolation above)

__all__ = ["__version__", "build"]
