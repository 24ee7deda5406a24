"""Our fonts, and only ours: fontconfig pointed at `fonts/` alone, before WeasyPrint loads Pango, so no system
font can stand in for a missing glyph (`text.fonts` warns about those instead)."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

from ..safe_files import create_file


def isolate_fontconfig(fonts: Path) -> None:
    """Make fontconfig see only `fonts` (must run before Pango is loaded).

    The configuration, and fontconfig's cache of our fonts, live in a folder made new by `mkdtemp`
    for this process (private: mode 700, a name no one could guess in advance), written without
    following a link, and removed when this process exits; the processes it forks use it meanwhile.
    A fixed name in the shared temporary folder could be made first by another user, with links
    in it that we would write through. (A fresh fontconfig cache of our fonts takes milliseconds.)
    """
    folder = Path(tempfile.mkdtemp(prefix="bestiary-fontconfig-"))
    atexit.register(_remove_when_done, folder, os.getpid())
    config = folder / "fonts.conf"
    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
        f"<fontconfig><dir>{escape(str(fonts.resolve()))}</dir>"
        f"<cachedir>{escape(str(folder / 'cache'))}</cachedir></fontconfig>\n"
    )
    create_file(config, text.encode("utf-8"), mode=0o600)
    os.environ["FONTCONFIG_FILE"] = str(config)


def _remove_when_done(folder: Path, owner: int) -> None:
    if os.getpid() == owner:  # not in a forked process that happens to run the exit handlers
        shutil.rmtree(folder, ignore_errors=True)
