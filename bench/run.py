"""Benchmark: build a synthetic bestiary and report where the time goes, as ratios from one run.

    python bench/run.py [ROLES]        (default 100; the machine is shared, so compare ratios, not seconds)

Measures, in this process: loading and validation, the field guide PDF, the EPUB (which reuses the
print render), all dossiers rendered on one core and across every core, and peak memory.
"""

from __future__ import annotations

import datetime
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import generate

from bestiary.build import print_edition
from bestiary.context import epub_view
from bestiary.cover import cover_png
from bestiary.dossier import render_dossiers
from bestiary.epub import render_epub
from bestiary.load import load_book
from bestiary.pdf import PdfOptions
from bestiary.render import make_renderer


def timed(label: str, results: dict, run):
    start = time.perf_counter()
    value = run()
    results[label] = time.perf_counter() - start
    return value


def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        book_dir = generate(count, Path(folder) / "book")
        results: dict[str, float] = {}
        created = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
        book = timed("load and validate", results, lambda: load_book(book_dir))
        options = PdfOptions.from_config(book.config)
        printed = timed("field guide PDF", results, lambda: print_edition(book, options, created))
        timed("EPUB (after the PDF)", results, lambda: render_epub(
            epub_view(book, printed.pagination), make_renderer(book_dir), created, cover_png(printed.data)))
        slugs = [role.slug for role in book.roles]
        quiet = lambda done, total, label: None  # noqa: E731
        timed("dossiers, 1 worker", results, lambda: list(render_dossiers(book, slugs, "a4", created, quiet, 1)))
        cores = os.cpu_count() or 1
        timed(f"dossiers, {cores} workers", results,
              lambda: list(render_dossiers(book, slugs, "a4", created, quiet, cores)))
    total = sum(results.values())
    print(f"{count} roles, {printed.page_count} field guide pages, {cores} cores")
    for label, seconds in results.items():
        print(f"  {label:<28} {seconds:8.2f} s  {seconds / total:6.1%} of the run")
    one, many = results["dossiers, 1 worker"], results[f"dossiers, {cores} workers"]
    print(f"  parallel dossiers: {one / many:.2f}x faster than one worker")
    print(f"  field guide: {results['field guide PDF'] / printed.page_count * 1000:.0f} ms a page")
    print(f"  peak memory of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
