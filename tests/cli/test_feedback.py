"""Build feedback: bars on a terminal, nothing moving elsewhere, a summary in binary units; completion."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from bestiary.build import BuildResult, Written
from bestiary.feedback import DOSSIER_ROWS, NORMAL, QUIET, VERBOSE, Feedback, human_size
from bestiary.progress import Stage, SteadySteps, Step
from bestiary.store.paths import OutputKind
from conftest import cli, cli_with_env


@pytest.mark.parametrize("size, shown", [(0, "0 B"), (1023, "1023 B"), (1024, "1.0 KiB"), (1536, "1.5 KiB"),
                                         (5 * 1024**2, "5.0 MiB"), (3 * 1024**3, "3.0 GiB")])
def test_sizes_are_in_binary_units(size: int, shown: str):
    assert human_size(size) == shown


def _result(dossiers: int = 3, unchanged: bool = False, laid_out: int = 5, reused: int = 2) -> BuildResult:
    written = [Written(Path("dist/book.pdf"), OutputKind.FIELD_GUIDE, 3 * 1024**2, 120, ("14", "37"), unchanged),
               Written(Path("dist/book.epub"), OutputKind.EPUB, 900 * 1024, None, (), unchanged)]
    written += [Written(Path(f"dist/dossiers/role-{n}.pdf"), OutputKind.DOSSIER, 90 * 1024, 4, (), unchanged)
                for n in range(dossiers)]
    return BuildResult(tuple(written), (), laid_out, reused,
                       {Stage.FIELD_GUIDE: 12.5, Stage.EPUB: 1.25, Stage.DOSSIERS: 20.0})


def _feedback(verbosity: int, terminal: bool) -> tuple[Feedback, io.StringIO, io.StringIO]:
    out, errors = io.StringIO(), io.StringIO()
    feedback = Feedback(verbosity, Console(file=out, force_terminal=terminal, width=140, highlight=False),
                        Console(file=errors, force_terminal=terminal, width=140, highlight=False))
    return feedback, out, errors


def _run(feedback: Feedback, result: BuildResult) -> None:
    with feedback:
        for done in range(4):
            feedback.step(Step(Stage.FIELD_GUIDE, done, 3, "page shapes", pages=40 * done))
        feedback.step(Step("dossiers", 0, 3))
    feedback.summary(result)


def test_off_a_terminal_nothing_moves_and_each_output_has_a_line():
    feedback, out, errors = _feedback(NORMAL, terminal=False)
    _run(feedback, _result())
    assert errors.getvalue() == ""
    lines = out.getvalue().splitlines()
    assert lines[0] == ("wrote dist/book.pdf (field guide, 3.0 MiB, 120 pages, "
                        "2 body pages under a quarter full (14, 37))")
    assert lines[1] == "wrote dist/book.epub (EPUB, 900.0 KiB)"
    assert lines[2] == "wrote dist/dossiers/role-0.pdf (dossier, 90.0 KiB, 4 pages)"
    assert lines[-1].startswith("built in ") and lines[-1].endswith("laid out 5 of 7 documents, 2 from the cache")
    assert "KB" not in out.getvalue() and "MB" not in out.getvalue()


def test_on_a_terminal_bars_then_a_table_with_each_stage_time():
    feedback, out, errors = _feedback(NORMAL, terminal=True)
    _run(feedback, _result())
    bars = errors.getvalue()
    assert "field guide" in bars and "3/3" in bars and "120 pages" in bars and "dossiers" in bars
    table = out.getvalue()
    row = next(line for line in table.splitlines() if "book.pdf" in line)
    assert row.split()[-4:] == ["3.0", "MiB", "12.5", "s"]
    assert any("book.epub" in line and "1.2 s" in line for line in table.splitlines())
    assert "2 body pages under a quarter full (14, 37)" in table


def test_many_dossiers_fold_into_one_row_unless_verbose():
    many = DOSSIER_ROWS + 1
    feedback, out, _ = _feedback(NORMAL, terminal=True)
    feedback.summary(_result(dossiers=many))
    assert f"{many} dossiers" in out.getvalue() and "role-0.pdf" not in out.getvalue()
    feedback, out, _ = _feedback(VERBOSE, terminal=True)
    feedback.summary(_result(dossiers=many))
    assert "role-0.pdf" in out.getvalue() and f"role-{many - 1}.pdf" in out.getvalue()


def test_quiet_shows_warnings_only_and_verbose_shows_stages():
    feedback, out, errors = _feedback(QUIET, terminal=False)
    _run(feedback, _result())
    assert out.getvalue() == "" and errors.getvalue() == ""
    feedback, out, errors = _feedback(VERBOSE, terminal=False)
    _run(feedback, _result())
    assert "field guide (page shapes) …" in errors.getvalue() and "field guide done" in errors.getvalue()
    assert "stages: field guide 12.5 s, EPUB 1.2 s, dossiers 20.0 s" in out.getvalue()


def test_an_up_to_date_build_says_so():
    feedback, out, _ = _feedback(NORMAL, terminal=False)
    feedback.summary(_result(unchanged=True, laid_out=0, reused=0))
    assert out.getvalue().splitlines()[0].startswith("unchanged dist/book.pdf")
    assert "up to date" in out.getvalue().splitlines()[-1]


def test_quiet_and_verbose_together_are_a_usage_error(small_book: Path, tmp_path: Path):
    result = cli("build", "--book", str(small_book), "--out", str(tmp_path / "dist"), "--quiet", "--verbose")
    assert result.returncode == 2 and "--quiet and --verbose" in result.stderr
    assert not (tmp_path / "dist").exists()


def _completions(small_book: Path, words: str) -> list[str]:
    line = f"bestiary {words}"
    result = cli_with_env({"_BESTIARY_COMPLETE": "bash_complete", "COMP_WORDS": line,
                           "COMP_CWORD": str(len(line.split()) - (0 if line.endswith(" ") else 1))},
                          cwd=small_book.parent)
    return [entry.split(",", 1)[1] for entry in result.stdout.splitlines()]


def test_shell_completion_offers_slugs_chapters_papers_and_targets(small_book: Path):
    assert small_book.name == "book"  # completion reads ./book when no --book is given yet
    slugs = sorted(path.stem for path in small_book.glob("chapters/*/*.yaml"))
    assert _completions(small_book, "dossier ") == slugs
    first = slugs[0]
    assert _completions(small_book, f"dossier {first[:3]}") == [s for s in slugs if s.startswith(first[:3])]
    families = sorted(path.name for path in (small_book / "chapters").iterdir() if path.is_dir())
    assert _completions(small_book, "new X --chapter ") == families
    assert _completions(small_book, "dossier x --paper ") == ["a4", "letter"]
    assert _completions(small_book, "build ") == ["pdf", "epub", "dossiers", "web", "print"]


def test_a_printers_file_is_followed_by_its_preflight_report_unless_quiet():
    report = ("pass  PDF version: %PDF-1.6", "FAIL  annotations: a Link annotation (p. 3)")
    result = BuildResult((Written(Path("dist/print/book-interior.pdf"), OutputKind.PRINT_INTERIOR, 800 * 1024, 116,
                                  preflight=report),), ())
    for terminal in (False, True):
        feedback, out, _ = _feedback(NORMAL, terminal=terminal)
        feedback.summary(result)
        lines = out.getvalue().splitlines()
        start = lines.index("preflight of dist/print/book-interior.pdf:")
        assert lines[start + 1:start + 3] == [f"  {line}" for line in report]
    feedback, out, _ = _feedback(QUIET, terminal=False)
    feedback.summary(result)
    assert out.getvalue() == ""


def test_verbose_says_done_once_per_stage_even_when_its_end_is_repeated():
    feedback, _, errors = _feedback(VERBOSE, terminal=False)
    with feedback:
        for step in (Step(Stage.DOSSIERS, 0, 2), Step(Stage.DOSSIERS, 2, 2, "beta"), Step(Stage.DOSSIERS, 2, 2)):
            feedback.step(step)
    assert errors.getvalue().count("dossiers done") == 1, errors.getvalue()


def test_at_80_columns_file_names_fold_rather_than_look_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "dist" / "a-rather-long-output-folder-name" / "dossiers-for-the-board"
    names = ["chief-executive-officer-letter.pdf", "chief-executive-officer-a4.pdf"]
    written = tuple(Written(folder / name, OutputKind.DOSSIER, 1024, 4) for name in names)
    out = io.StringIO()
    feedback = Feedback(VERBOSE, Console(file=out, force_terminal=True, width=80, highlight=False),
                        Console(file=io.StringIO(), width=80))
    feedback.summary(BuildResult(written, (), 1, 0, {Stage.DOSSIERS: 2.0}))
    joined = "".join(line.split("  ")[0].strip() for line in out.getvalue().splitlines())
    assert all(name in joined for name in names) and "…" not in out.getvalue(), out.getvalue()


def test_the_field_guide_total_counts_its_assembly_from_the_start_and_pages_never_drop_back():
    heard: list[Step] = []
    steady = SteadySteps(heard.append, extra=1)
    for step in (Step(Stage.FIELD_GUIDE, 8, 16, "page shapes", pages=40), Step(Stage.FIELD_GUIDE, 9, 16, "final", 3),
                 Step(Stage.FIELD_GUIDE, 16, 16, "final", pages=44)):
        steady(step)
    assert [(step.done, step.total, step.pages) for step in heard] == [(8, 17, 40), (9, 17, 40), (16, 17, 44)]
    assert not heard[-1].finished  # the assembly, at the end of the build, finishes the stage
