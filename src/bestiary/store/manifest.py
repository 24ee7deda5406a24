"""Whether a build has anything to do: the digest of everything it reads, and what it last wrote.

After a build the cache keeps, for its output folder, the digest of its
inputs (the request, `SOURCE_DATE_EPOCH`, every file of the book with its
modification time, the toolchain) and each output's size and modification
time. A build whose inputs have that digest, into a folder whose outputs are
still exactly those files, is up to date: it reports them and writes nothing.
Anything else (an edit, a touched file, an output changed or removed by hand)
goes through the whole build, which then reuses what it can from the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any, TypedDict

from ..errors import Diagnostic
from ..safe_files import MAX_RESOURCE_BYTES, file_digest
from .cache import Cache


class WrittenEntry(TypedDict):
    """One output of a build as the manifest keeps it (in JSON): its path, its kind, its pages."""

    path: str
    kind: str
    pages: int | None
    sparse_pages: list[str]
    preflight: list[str]  # a printer's file: its preflight report


class KeptEntry(WrittenEntry):
    """A `WrittenEntry` with the size and modification time its output had when it was written."""

    size: int
    mtime_ns: int


def inputs_digest(book_dir: Path, request: dict[str, Any], toolchain: str) -> str:
    """A digest of the request, the toolchain and every file under `book_dir`; reads nothing that
    loading would refuse (no FIFO, nothing behind a symlink, nothing larger than a resource may be)."""
    digest = hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode())
    digest.update(toolchain.encode())
    digest.update(os.environ.get("SOURCE_DATE_EPOCH", "").encode())
    for folder, subfolders, files in os.walk(book_dir):  # symlinked folders are not entered
        subfolders.sort()
        for name in sorted(files):
            path = Path(folder, name)
            digest.update(f"{path.relative_to(book_dir)}\0".encode())
            digest.update(file_digest(path, MAX_RESOURCE_BYTES))
    return digest.hexdigest()


def _key(out_dir: Path) -> str:
    return "manifest:" + hashlib.sha256(str(out_dir.resolve()).encode()).hexdigest()


def recall(cache: Cache, out_dir: Path, digest: str) -> tuple[list[KeptEntry], list[Diagnostic]] | None:
    """What the last build into `out_dir` wrote and warned, if its inputs had `digest` and its outputs
    are untouched since; else None."""
    kept = cache.get(_key(out_dir))
    if kept is None:
        return None
    try:
        manifest = json.loads(kept)
        if manifest["digest"] != digest:
            return None
        for output in manifest["written"]:
            status = Path(output["path"]).stat()
            if (status.st_size, status.st_mtime_ns) != (output["size"], output["mtime_ns"]):
                return None
        return manifest["written"], [Diagnostic(**warning) for warning in manifest["warnings"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def remember(cache: Cache, out_dir: Path, digest: str, written: list[WrittenEntry],
             warnings: tuple[Diagnostic, ...]) -> None:
    """Keep what a build wrote (each `written` entry has its `path`) with its outputs' sizes and times."""
    try:
        entries: list[KeptEntry] = [{**entry, "size": Path(entry["path"]).stat().st_size,
                    "mtime_ns": Path(entry["path"]).stat().st_mtime_ns} for entry in written]
    except OSError:
        return
    manifest = {"digest": digest, "written": entries, "warnings": [asdict(warning) for warning in warnings]}
    cache.put(_key(out_dir), json.dumps(manifest).encode())
