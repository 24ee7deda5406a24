"""The PDF stage: takes a view rendered to HTML (the field guide, a dossier, the cover wrap) and gives laid-out
pages and finished PDFs (chunks on a pool of workers, assembled; dossiers; stamped copies; the print edition).

Importing this package first points fontconfig at our fonts alone, before WeasyPrint loads Pango: no system font
can stand in for a missing glyph.
"""

from ..resources import fonts_dir
from .fontconfig import isolate_fontconfig

isolate_fontconfig(fonts_dir())
