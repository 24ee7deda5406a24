"""The Corporate Bestiary builder: YAML role records into a PDF field guide, an EPUB and dossiers."""

__version__ = "0.1.0"

from .build import build  # the public API

__all__ = ["__version__", "build"]
