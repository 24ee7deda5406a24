"""The `bestiary` command: parses, calls the library, prints. No logic of its own.

Exit status: 0 success, 1 build failure, 2 invalid input or usage, 3 a bug in bestiary
(`bugs.py`: one line, the traceback with `--verbose`), 130 interrupted (Ctrl-C or kill).

`-v`/`--verbose` is taken before the command (`bestiary -v check`) or after it, by every
command, with one meaning: say more. Every command then shows a bug's traceback; `build` and
`dossier` also show every stage's time and every dossier.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

if TYPE_CHECKING:
    from .build import BuildResult
    from .feedback import Feedback
    from .request import BuildRequest

from . import __version__
from .bugs import BUG_EXIT_STATUS, describe_bug
from .errors import InputError, RenderError, RequestError, StrictError

# The commands import what they use when they run: `--version`, `--help`, a Tab completion and `check` never
# load WeasyPrint, pikepdf or rich. The choices below are spelled here for the same reason (and checked again
# where they are used: `request.BuildRequest.make`).
TARGETS = ("pdf", "epub", "dossiers", "web", "print")
PDF_VARIANTS = ("pdf/ua-1", "pdf/a-3b")
PAPERS = ("a4", "letter")
SERVICES = ("kdp", "generic")  # the print edition's (book/print_services.py)
STOCKS = ("white", "cream")
INKS = ("black", "standard-color", "premium-color")
VOLUMES = ("one", "auto")
QUIET, NORMAL, VERBOSE = -1, 0, 1
CommandT = TypeVar("CommandT", bound=Callable[..., Any])  # a command's function, as click's decorators take it

BOOK_OPTION = click.option("--book", "book_dir", type=click.Path(path_type=Path), default=Path("book"),
                           show_default=True, help="The book folder.")
# a str, not a Path: Path("") is ".", and an empty --out must be refused, not read as the current folder
OUT_OPTION = click.option("--out", "out_dir", type=click.Path(), default="dist", show_default=True,
                          help="Where outputs are written.")


def _fail_input(error: InputError) -> NoReturn:
    for diagnostic in error.diagnostics:
        click.echo(str(diagnostic), err=True)
    errors = sum(1 for d in error.diagnostics if not d.is_warning)
    click.echo(f"{errors} error{'s' if errors != 1 else ''} found; nothing was written.", err=True)
    sys.exit(2)


def _fail_strict(error: StrictError) -> NoReturn:
    """Warnings made errors by --strict: status 2 when all are about the input, 1 when rendering warned."""
    for warning in error.warnings:
        click.echo(str(warning), err=True)
    click.echo(f"error: {error}", err=True)
    sys.exit(2 if all(warning.is_input for warning in error.warnings) else 1)


NO_CACHE_OPTION = click.option("--no-cache", is_flag=True,
                                help="Lay everything out again, neither reading nor filling the build cache.")
STRICT_OPTION = click.option("--strict", is_flag=True,
                             help="Fail on any warning (a W code), writing nothing, as `mkdocs build --strict` does.")


def _chapters_folder(ctx: click.Context) -> Path:
    return Path(ctx.params.get("book_dir") or "book") / "chapters"


def _complete_slugs(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """Shell completion of role slugs: the record file names of the book, read without loading it."""
    return sorted(path.stem for path in _chapters_folder(ctx).glob("*/*.yaml") if path.stem.startswith(incomplete))


def _complete_chapters(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """Shell completion of family folders (`02-the-machine-room`) for `new --chapter`."""
    return sorted(path.name for path in _chapters_folder(ctx).glob("*") if path.is_dir()
                  and path.name.startswith(incomplete))


VERBOSE_WANTED = "bestiary.verbose"  # in click's context meta, shared by the group's and the command's contexts


def _remember_verbose(ctx: click.Context, param: click.Parameter, verbose: bool) -> bool:
    if verbose:
        ctx.meta[VERBOSE_WANTED] = True
    return verbose


def _verbose_option(help_text: str, *, expose_value: bool = False) -> Callable[[CommandT], CommandT]:
    return click.option("-v", "--verbose", is_flag=True, expose_value=expose_value, callback=_remember_verbose,
                        help=help_text)


VERBOSE_OPTION = _verbose_option("Show the traceback of an unexpected error (a bug in bestiary).")


def _verbose_wanted() -> bool:
    """Whether --verbose was given, before the command or after it."""
    return bool(click.get_current_context().meta.get(VERBOSE_WANTED))


def _verbosity(quiet: bool, verbose: bool) -> int:
    verbose = verbose or _verbose_wanted()
    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose cannot be used together")
    return QUIET if quiet else VERBOSE if verbose else NORMAL


def _feedback_options(command: CommandT) -> CommandT:
    command = _verbose_option("Also show each stage's time, every dossier, and a bug's traceback.",
                              expose_value=True)(command)
    return click.option("-q", "--quiet", is_flag=True, help="Show only warnings and errors.")(command)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _fail(error: InputError | RequestError | RenderError) -> NoReturn:
    """Print one of our errors and exit with its status: 2 for the input or the request, 1 for the build."""
    if isinstance(error, InputError):
        _fail_input(error)
    if isinstance(error, StrictError):
        _fail_strict(error)
    click.echo(f"error: {error}", err=True)  # a RenderError (OutputError too) names its file
    sys.exit(2 if isinstance(error, RequestError) else 1)


class BestiaryGroup(click.Group):
    """The command group, which gives every command the same exit statuses for what it did not catch."""

    def invoke(self, ctx: click.Context) -> object:
        """Run the command; our errors exit with their status, an interruption with 130, and anything else is a
        bug: one line and status 3 (the traceback first with --verbose). Click's own exceptions, exits, and a
        closed standard output are click's to handle."""
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, BrokenPipeError):
            raise
        except (InputError, RequestError, RenderError) as error:
            _fail(error)
        except KeyboardInterrupt:
            click.echo("interrupted.", err=True)
            sys.exit(130)
        except Exception as error:
            click.echo(describe_bug(error, verbose=bool(ctx.meta.get(VERBOSE_WANTED))), err=True)
            sys.exit(BUG_EXIT_STATUS)


@click.group(cls=BestiaryGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="bestiary")
@_verbose_option("Say more, whatever the command: a bug's traceback, and what --verbose shows for build and "
                 "dossier.")
def main() -> None:
    """Build The Corporate Bestiary: a PDF field guide, an EPUB and per-role dossiers."""
    # A kill is an interruption like Ctrl-C: unwind, so temporary files are removed.
    if threading.current_thread() is threading.main_thread():  # as a library in a thread, leave signals be
        signal.signal(signal.SIGTERM, _interrupt)


def _run(verbosity: int, run: Callable[[Feedback], BuildResult]) -> None:
    """Run a build with its progress on screen (`run` takes the display); then what it wrote, or its errors with
    the right status."""
    from .feedback import Feedback
    from .store.outputs import OutputsInPlace

    feedback = Feedback(verbosity)
    result = None
    try:
        with feedback:
            result = run(feedback)
    except KeyboardInterrupt as interrupt:
        # before its commit a build changes nothing; once the commit began, it completes before stopping
        in_place = isinstance(interrupt, OutputsInPlace) or result is not None
        click.echo("interrupted; the new outputs are in place." if in_place
                   else "interrupted; earlier outputs are untouched.", err=True)
        sys.exit(130)
    feedback.summary(result)


def _build(request: BuildRequest, verbosity: int) -> None:
    from .build import build

    _run(verbosity, lambda feedback: build(request, progress=feedback.step, on_wait=feedback.waiting))


@main.command("build")
@click.argument("targets", nargs=-1, type=click.Choice(TARGETS))
@BOOK_OPTION
@OUT_OPTION
@click.option("--variant", type=click.Choice(PDF_VARIANTS), default=None,
              help="A PDF variant for the field guide: tagged (pdf/ua-1) or archival (pdf/a-3b).")
@click.option("--page-size", default=None,
              help="Field guide page size, e.g. '4.5in 7in' or a5 (default from book.yaml).")
@click.option("--bleed", default=None, help="Bleed for the printer, e.g. 3mm (default from book.yaml).")
@click.option("--crop-marks/--no-crop-marks", default=None,
              help="Crop marks for the printer (default from book.yaml).")
@click.option("--service", type=click.Choice(SERVICES), default=None,
              help="The print-on-demand service whose rules the print files follow (print only; default from "
                   "book.yaml).")
@click.option("--stock", type=click.Choice(STOCKS), default=None,
              help="The paper of the print interior (print only; default from book.yaml).")
@click.option("--ink", type=click.Choice(INKS), default=None,
              help="The ink of the print interior (print only; default from book.yaml).")
@click.option("--volumes", type=click.Choice(VOLUMES), default=None,
              help="auto: split an interior over the service's page limit into volumes under it (print only; "
                   "default from book.yaml, else one).")
@STRICT_OPTION
@NO_CACHE_OPTION
@_feedback_options
def build_command(targets: tuple[str, ...], book_dir: Path, out_dir: str, variant: str | None, page_size: str | None,
                  bleed: str | None, crop_marks: bool | None, service: str | None, stock: str | None,
                  ink: str | None, volumes: str | None, strict: bool, no_cache: bool, quiet: bool,
                  verbose: bool) -> None:
    """Build the field guide, the EPUB, the dossiers and the web edition, or the TARGETS named: pdf, epub,
    dossiers, web (the static site in web/, with the three it offers), print (the print-on-demand interior and
    cover wrap, made only when asked for, to the rules of --service for the --stock and --ink chosen)."""
    from .request import DEFAULT_TARGETS, BuildRequest

    verbosity = _verbosity(quiet, verbose)
    _build(BuildRequest.make(book_dir, out_dir, targets or DEFAULT_TARGETS, page_size=page_size,
                             bleed=bleed, crop_marks=crop_marks, variant=variant, service=service, stock=stock,
                             ink=ink, volumes=volumes, strict=strict, use_cache=not no_cache), verbosity)


@main.command("clean")
@VERBOSE_OPTION
def clean_command() -> None:
    """Empty the build cache (laid-out chunks and dossiers kept between builds; see BESTIARY_CACHE_DIR)."""
    from .store.cache import Cache
    from .text.measures import human_size

    cache = Cache.default()
    if cache.refused:  # not ours to empty: what is in it was never used either
        click.echo(f"warning: {cache.refused}", err=True)
        return
    freed = cache.clear()
    click.echo(f"emptied the build cache {cache.folder} ({human_size(freed)})")


@main.command("check")
@BOOK_OPTION
@click.option("--out", "out_dir", type=click.Path(), default="dist", show_default=True,
              help="The output folder: a build killed while putting its outputs there is finished first.")
@STRICT_OPTION
@click.option("--words", "list_words", is_flag=True,
              help="Print each word the spelling dictionary did not know, once a line, alone on standard output: "
                   "the candidates for BOOK/words.txt.")
@VERBOSE_OPTION
def check_command(book_dir: Path, out_dir: str, strict: bool, list_words: bool) -> None:
    """Validate every record and cross-reference, then proofread the book; report all problems at once. First, a
    build into OUT killed while putting its outputs in place is finished (nothing else in OUT is touched)."""
    from .check import check_book
    from .proof import proofread
    from .store.outputs import finish_interrupted_commit, finished_line
    from .store.paths import output_folder

    finished = finish_interrupted_commit(output_folder(out_dir),
                                         on_wait=lambda message: click.echo(f"{message} …", err=True))
    if finished:
        click.echo(finished_line(finished))
    try:
        book = check_book(book_dir)
    except InputError as error:
        _fail_input(error)
    proofreading = proofread(book, suggest=not list_words)
    if proofreading.not_checked:
        click.echo(f"note: {proofreading.not_checked}", err=True)
    if list_words:
        for word in proofreading.unknown_words:
            click.echo(word)
    warnings = tuple(sorted((*book.warnings, *proofreading.warnings)))
    if strict and warnings:
        _fail_strict(StrictError(warnings))
    for warning in warnings:
        click.echo(str(warning), err=True)
    click.echo(f"ok: {len(book.roles)} records in {len(book.families)} families, "
               f"{len(book.chapters)} chapters", err=list_words)


@main.command("dossier")
@click.argument("slugs", nargs=-1, required=True, shell_complete=_complete_slugs)
@BOOK_OPTION
@OUT_OPTION
@click.option("--paper", type=click.Choice(PAPERS), default=None,
              help="Office paper size (default from book.yaml).")
@click.option("--prepared-for", default=None, help='Stamp "PREPARED FOR: NAME" on every page of a copy.')
@click.option("--copies", type=click.IntRange(1, 999), default=None, help='Stamped copies, "COPY n OF N".')
@click.option("--stamp-only", is_flag=True,
              help="Stamp the dossiers already in OUT/dossiers instead of rendering them again.")
@STRICT_OPTION
@NO_CACHE_OPTION
@_feedback_options
def dossier_command(slugs: tuple[str, ...], book_dir: Path, out_dir: str, paper: str | None,
                    prepared_for: str | None, copies: int | None, stamp_only: bool, strict: bool,
                    no_cache: bool, quiet: bool, verbose: bool) -> None:
    """Write OUT/dossiers/<slug>.pdf for each SLUG, and stamped copies beside it if asked."""
    from .request import BuildRequest, Target

    verbosity = _verbosity(quiet, verbose)
    request = BuildRequest.make(book_dir, out_dir, (Target.DOSSIERS,), slugs=slugs, paper=paper,
                                prepared_for=prepared_for, copies=copies, strict=strict, use_cache=not no_cache)
    if stamp_only:
        from .build import stamp_dossiers

        _run(verbosity, lambda feedback: stamp_dossiers(request, on_wait=feedback.waiting))
    else:
        _build(request, verbosity)


@main.command("init")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--title", default=None, help='The book\'s title.  [default: "Untitled Bestiary"]')
@click.option("--family", default=None, help='The name of its first family.  [default: "The Open Plan"]')
@click.option("--role", default=None, help='The title of its first record.  [default: "Middle Manager"]')
@VERBOSE_OPTION
def init_command(directory: Path, title: str | None, family: str | None, role: str | None) -> None:
    """Write a new book into DIRECTORY (new, or empty): book/ with its book.yaml, a foreword, one family and one
    record skeleton, and a .gitignore for dist/. Fill in every TODO, then run `bestiary check` there."""
    from .book.scaffold import init_book

    given = {"title": title, "family": family, "role": role}
    for path in init_book(directory, **{name: value for name, value in given.items() if value is not None}):
        click.echo(f"wrote {path}")
    click.echo(f"next: cd {directory}, fill in every TODO, then run: bestiary check")


@main.command("new")
@click.argument("title")
@click.option("--chapter", required=True, shell_complete=_complete_chapters,
              help="The family folder, e.g. 02-the-machine-room.")
@BOOK_OPTION
@VERBOSE_OPTION
def new_command(title: str, chapter: str, book_dir: Path) -> None:
    """Write a record skeleton for TITLE into a chapter; fill it in, then run `check`."""
    from .book.scaffold import new_record

    path = new_record(book_dir, chapter, title)
    click.echo(f"wrote {path}; fill in every TODO, then run: bestiary check")


@main.command("number")
@BOOK_OPTION
@VERBOSE_OPTION
def number_command(book_dir: Path) -> None:
    """Write a file_number into each record that has none: the number it prints with today, so no file number
    moves again. A record's number is then its own: adding or deleting another never changes it."""
    from .book.numbering import number_book

    numbered = number_book(book_dir)
    for written in numbered.written:
        click.echo(f"wrote file_number: {written.number} into {written.path} ({written.printed})")
    if numbered.raised:
        click.echo(f"wrote file_numbers.issued: {numbered.issued} into {numbered.settings}")
    if not numbered.written:
        click.echo(f"every record has its file number; the next is {numbered.issued + 1}")


@main.command("schema")
@click.option("--write", is_flag=True, help="Write BOOK/role.schema.json (only if it changed) instead of printing.")
@BOOK_OPTION
@VERBOSE_OPTION
def schema_command(write: bool, book_dir: Path) -> None:
    """Print the JSON Schema of a role record, for editors that check YAML as you type."""
    from .book.json_schema import schema_text, write_schema

    if not write:
        click.echo(schema_text(), nl=False)
        return
    path, written = write_schema(book_dir)
    click.echo(f"{'wrote' if written else 'unchanged'} {path}")


@main.command("serve")
@BOOK_OPTION
@OUT_OPTION
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1 (0 picks a free one).")
@click.option("--no-token", is_flag=True,
              help="Let every user of this machine see the preview, not only those who have the URL it prints.")
@click.option("--web/--no-web", default=True, show_default=True,
              help="Build the web edition too (at /web/), once the book has been quiet for two seconds.")
@_verbose_option("Show the traceback of an unexpected error (a bug in bestiary), while answering a request too.")
def serve_command(book_dir: Path, out_dir: str, port: int, no_token: bool, web: bool) -> None:
    """Preview the book in the browser at once: each specimen follows every save within a second, and the
    field guide and the EPUB are rebuilt in the background, then the web edition (Ctrl-C stops). Open the URL
    it prints: its secret token keeps the preview yours."""
    from .serve.server import serve
    from .store.paths import output_folder

    if not book_dir.is_dir():
        raise RequestError(f"no book folder {book_dir}")
    try:
        serve(book_dir, output_folder(out_dir), port, log=lambda message: click.echo(message, err=True),
              ready=lambda url: click.echo(f"serving {url} (Ctrl-C stops)", err=True), use_token=not no_token,
              verbose=_verbose_wanted(), web=web)
    except KeyboardInterrupt:
        click.echo("stopped.", err=True)
