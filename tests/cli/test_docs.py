"""The documentation stays true where the code can say so: the view API in docs/layouts.md is the one the
sandbox allows, every local link of the README and docs/ leads to a file, and the README stays short."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = sorted((ROOT / "docs").glob("*.md"))
LINK = re.compile(r"\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#+ (.+)$", re.MULTILINE)


def anchors(page: Path) -> set[str]:
    """The anchors GitHub gives a Markdown page's headings: lower case, punctuation dropped, spaces to hyphens."""
    return {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
            for heading in HEADING.findall(page.read_text(encoding="utf-8"))}


def test_the_view_api_in_the_docs_is_the_one_the_code_allows():
    view_api = runpy.run_path(str(ROOT / "docs" / "view_api.py"))
    assert view_api["main"](["--check"]) == 0, "run: python docs/view_api.py"


def test_every_local_link_leads_to_a_file_and_heading_and_every_doc_is_linked_from_the_readme():
    readme = ROOT / "README.md"
    broken = []
    for page in (readme, *DOCS):
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            path, _, anchor = target.partition("#")
            linked = page.parent / path if path else page
            if not linked.exists() or (anchor and linked.suffix == ".md" and anchor not in anchors(linked)):
                broken.append(f"{page.relative_to(ROOT)}: {target}")
    assert broken == []
    linked = {target.split("#")[0] for target in LINK.findall(readme.read_text(encoding="utf-8"))}
    assert [doc.name for doc in DOCS if f"docs/{doc.name}" not in linked] == []


def test_the_readme_is_under_300_lines_and_names_the_ci_test_command():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) < 300
    assert "pip install -e '.[test]' && python -m pytest -n auto" in text
    assert "pip install -e '.[test]' && python -m pytest -n auto" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
