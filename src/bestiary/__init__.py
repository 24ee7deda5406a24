"""The Corporate Bestiary builder: YAML role records into a PDF field guide, an EPUB and dossiers."""

__version__ = "0.1.0"
