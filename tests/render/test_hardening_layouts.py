"""A book's own layouts can touch nothing, do only bounded work, and load nothing from elsewhere."""

from __future__ import annotations

import datetime
import os
import resource
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest

from bestiary.book.load import load_book
from bestiary.check import try_layouts
from bestiary.epub.documents import FONT_COPYRIGHTS
from bestiary.render.renderer import make_renderer
from bestiary.render.sandbox import RenderLimits, bounded_render
from bestiary.template_data import data_types
from bestiary.views.cover_wrap import cover_wrap
from bestiary.views.dossier import dossier_view
from bestiary.views.epub import epub_view
from bestiary.views.guide import field_guide_view
from bestiary.views.pages import Pagination
from conftest import FIXTURE_BOOK, ROOT, assert_input_error, cli, write_book

CREATED = datetime.datetime(2026, 1, 2, tzinfo=datetime.UTC)
SECRET = "TOP-SECRET-1c9e"
# What a hostile layout would reach for, besides every name `dir()` shows of every object it can see.
PROBED_NAMES = ("directory", "joinpath", "read_text", "write_text", "open", "unlink", "__class__", "__globals__",
                "__init__", "__mro__", "__subclasses__", "__builtins__", "__dict__", "mro", "gi_frame", "f_globals",
                "func_globals", "format", "format_map", "__self__", "_TemplateReference__context", "environment",
                "module", "parent", "source_path", "warnings", "config")


def book_with_layout(tmp_path: Path, layout: str, text: str) -> Path:
    book = write_book(tmp_path / "project")
    path = book / "layouts" / layout
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return book


# -- 1. a layout touches nothing


def test_a_layout_cannot_read_or_write_files_through_the_views(tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    planted = tmp_path / "planted.pth"
    attacks = [
        f"{{{{ dossier.book.directory.joinpath('{secret}').read_text() }}}}",
        f"{{{{ dossier.book.directory.joinpath('{planted}').write_text('import os') }}}}",
        "{{ dossier.book|attr('directory') }}",
        "{{ (dossier.book.chapters|map(attribute='roles')|first)[0].__class__.__mro__ }}",
        "{{ dossier.specimen.sections.__class__ }}",
        "{{ ''.format.__globals__ }}",
        "{{ self._TemplateReference__context }}",
        "{{ namespace.__init__.__globals__ }}",
    ]
    for attack in attacks:
        book = book_with_layout(tmp_path / str(attacks.index(attack)), "print/dossier.html.j2",
                                "<p>A dossier.</p>\n\n" + attack + "\n")
        result = cli("check", "--book", str(book))
        assert_input_error(result, "dossier.html.j2:3:1: E402", "expected only the views' data")
        assert SECRET not in result.stdout + result.stderr
        built = cli("build", "dossiers", "--book", str(book), "--out", str(tmp_path / "dist"))
        assert_input_error(built, "dossier.html.j2:3:1: E402")
    assert not planted.exists()
    assert not (tmp_path / "dist" / "dossiers").exists()


def _reachable(environment: jinja2.Environment, roots: list[object]) -> dict[int, object]:
    """Every object a template can reach from `roots`, asked through the sandbox exactly as templates ask.

    Every name `dir()` lists (and the probes) is asked of the first object of each type; what the sandbox
    answers for one object of a type it answers for all (its verdict is by type and name), so the others
    are asked only the names that answered.
    """
    seen: dict[int, object] = {}
    answering: dict[type, set[str]] = {}
    waiting = list(roots)
    while waiting:
        value = waiting.pop()
        if id(value) in seen or isinstance(value, jinja2.Undefined):
            continue
        seen[id(value)] = value
        kind = type(value)
        names = answering.get(kind, set(dir(value)) | set(PROBED_NAMES))
        found = {name: environment.getattr(value, name) for name in names}
        answering.setdefault(kind, {name for name, got in found.items() if not isinstance(got, jinja2.Undefined)})
        waiting += found.values()
        if isinstance(value, tuple | list):
            waiting += [environment.getitem(value, index) for index in range(len(value))]
        elif hasattr(value, "keys") and not isinstance(value, str):
            waiting += [environment.getitem(value, key) for key in list(value.keys())]
    return seen


def test_every_object_every_layout_can_reach_is_plain_data():
    book = load_book(FIXTURE_BOOK)
    renderer = make_renderer(book)
    epub = epub_view(book, Pagination(("1",), ((book.chapters[0].anchor,),)))
    roots: list[object] = [field_guide_view(book, CREATED), epub, cover_wrap(book, 120), CREATED.isoformat(),
                           FONT_COPYRIGHTS, dossier_view(book, book.roles[0].slug, CREATED)]
    reached = _reachable(renderer.environment, roots)
    kinds = {type(value) for value in reached.values()}
    methods = {value for value in reached.values() if callable(value)}
    assert not any(isinstance(value, os.PathLike) for value in reached.values())
    assert kinds - {type(method) for method in methods} <= data_types(), kinds - data_types()
    assert all(getattr(method, "__self__", None) is not None for method in methods)  # bound methods of data only
    assert {getattr(method, "__name__", "") for method in methods} <= {
        "capitalize", "casefold", "count", "endswith", "find", "index", "isalnum", "isalpha", "isdigit", "islower",
        "isspace", "istitle", "isupper", "lower", "lstrip", "partition", "rfind", "rindex", "rpartition", "rsplit",
        "rstrip", "split", "splitlines", "startswith", "strip", "swapcase", "title", "upper", "striptags",
        "unescape", "isoformat", "weekday", "isoweekday", "get", "items", "keys", "values"}
    # the documented view names are all still there
    assert renderer.environment.getattr(roots[0], "book").config.title == book.config.title
    specimen = next(document.specimen for document in epub.documents if document.specimen)
    assert renderer.environment.getitem(specimen.sections, "org-chart").number == "01"


def test_every_layout_renders_a_probe_without_reaching_outside(tmp_path: Path):
    """Each output's layout, overridden by the book, probes what it is given: only data answers."""
    probe = ("{% set found = namespace(names=[]) %}"
             "{% for name in " + repr(list(PROBED_NAMES)) + " %}"
             "{% for value in [book, guide, dossier, epub, wrap, specimen, chapter] if value is defined %}"
             "{% if (value|attr(name)) is defined %}{% set found.names = found.names + [name] %}{% endif %}"
             "{% endfor %}{% endfor %}<p id=\"probed\">{{ found.names|join(' ') }}</p>")
    for layout in ("print/field-guide.html.j2", "print/dossier.html.j2", "print/cover-wrap.html.j2",
                   "epub/specimen.xhtml.j2", "epub/chapter.xhtml.j2", "epub/index.xhtml.j2"):
        book = book_with_layout(tmp_path / layout.replace("/", "-"), layout, probe)
        loaded = load_book(book)
        renderer = make_renderer(loaded)
        assert try_layouts(loaded, renderer) == []
        guide = field_guide_view(loaded, CREATED)
        html = renderer.render(layout, guide=guide, book=loaded, dossier=dossier_view(loaded, "alpha-analyst", CREATED),
                               wrap=cover_wrap(loaded, 100))
        names = html.split('<p id="probed">')[1].split("</p>")[0].split()
        assert set(names) <= {"config", "source_path"}, names


# -- 2. bounded templates

ATTACKS = {
    "range(10**9)": ("{{ range(10**9)|list|length }}", "Range too big"),
    "nested loops": ("{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}",
                     "loop steps and calls"),
    "'a' * 10**10": ("{{ 'a' * 10**10 }}", "a repeated value of 10,000,000,000"),
    "doubling": ("{% set ns = namespace(s='ab') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}"
                 "{% endfor %}{{ ns.s|length }}", "characters (this book's limit)"),
    "recursive macro": ("{% macro deeper(n) %}{{ deeper(n + 1) }}{% endmacro %}{{ deeper(1) }}",
                        "macros that stop calling themselves"),
    "1/0": ("{{ 1/0 }}", "ZeroDivisionError"),
    "1+'a'": ("{{ 1 + 'a' }}", "TypeError"),
    "huge power": ("{{ 7 ** 99999999 }}", "numbers of at most"),
    "printf width": ("{{ '%999999999d' % 1 }}", "widths under 10,000"),
    "filter width": ("{{ 'x'|center(10**9) }}", "size under 10,000"),
    "replace bomb": ("{{ ('x' * 5000)|replace('', 'y' * 9000) }}", "a replace"),
    "undefined": ("{{ no_such_thing.at_all }}", "expected a defined name"),
    "syntax": ("{% if %}", "expected a valid layout"),
}


@pytest.mark.parametrize("name", ATTACKS)
def test_a_runaway_or_broken_layout_is_one_located_line(tmp_path: Path, name: str):
    text, message = ATTACKS[name]
    book = book_with_layout(tmp_path, "print/dossier.html.j2", "<p>Dossier</p>\n\n" + text + "\n")
    result = cli("check", "--book", str(book))
    lines = assert_input_error(result, "print/dossier.html.j2:3:1: E402", message)
    assert len(lines) == 1


def test_an_include_of_a_binary_file_is_located_at_the_file(tmp_path: Path):
    book = book_with_layout(tmp_path, "print/dossier.html.j2", "<p>Dossier</p>\n{% include 'print/blob.dat' %}\n")
    (book / "layouts" / "print" / "blob.dat").write_bytes(b"ok\n\xff\xfe")
    assert_input_error(cli("check", "--book", str(book)), "print/blob.dat:2:1: E101")


def _at_most_3_gib() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (3 * 1024**3, 3 * 1024**3))


@pytest.mark.slow
def test_runaway_layouts_stop_in_bounded_time_and_memory(tmp_path: Path):
    """In a child process held to 3 GB of address space and 5 minutes: the budget stops each first."""
    for name in ("nested loops", "doubling", "'a' * 10**10"):
        book = book_with_layout(tmp_path / name.replace(" ", "-"), "print/dossier.html.j2",
                                "<p>Dossier</p>\n\n" + ATTACKS[name][0] + "\n")
        result = subprocess.run([sys.executable, "-m", "bestiary", "check", "--book", str(book)], capture_output=True,
                                text=True, timeout=300, preexec_fn=_at_most_3_gib)
        assert result.returncode == 2, result.stderr
        assert ATTACKS[name][1] in result.stderr and "Traceback" not in result.stderr


def test_the_limits_grow_with_the_book_faster_than_a_real_render_uses_them(tmp_path: Path):
    """A legitimate book never meets its limits: measured at two sizes, the field guide's use per specimen
    stays under a fifth of what the limits allow per specimen."""
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import generate

    used = {}
    for count in (8, 48):
        book = load_book(generate(count, tmp_path / f"book-{count}"))
        renderer = make_renderer(book)
        render = bounded_render(renderer.limits)
        with render:
            renderer.environment.get_template("print/field-guide.html.j2").render(
                guide=field_guide_view(book, CREATED))
        used[count] = (renderer.limits.steps - render.budget.steps,
                       renderer.limits.characters - render.budget.characters)
    per_specimen_steps = (used[48][0] - used[8][0]) / 40
    per_specimen_characters = (used[48][1] - used[8][1]) / 40
    allowed = RenderLimits.for_book(1, 0)
    base = RenderLimits.for_book(0, 0)
    assert per_specimen_steps < (allowed.steps - base.steps) / 5
    assert per_specimen_characters * 5 < (allowed.characters - base.characters) + 8 * 20_000
    assert used[48][0] < base.steps / 5 and used[48][1] < base.characters / 5


# -- 3. nothing remote in what is rendered


def test_a_url_built_while_rendering_is_refused_by_check_and_build(tmp_path: Path):
    book = book_with_layout(tmp_path, "epub/specimen.xhtml.j2",
                            '{% extends "builtin/epub/specimen.xhtml.j2" %}{% block body %}{{ super() }}'
                            "<img src=\"{{ 'ht' ~ 'tp://example.com/pixel.png' }}\" alt=\"\"/>{% endblock %}")
    result = cli("check", "--book", str(book))
    assert_input_error(result, "epub/specimen.xhtml.j2: E403", "<img src> 'http://example.com/pixel.png'")
    built = cli("build", "epub", "--book", str(book), "--out", str(tmp_path / "dist"))
    assert_input_error(built, "E403")
    assert not list((tmp_path / "dist").glob("*.epub")) if (tmp_path / "dist").exists() else True


def test_a_books_own_web_page_is_tried_by_check_and_refused_by_build(tmp_path: Path):
    book = book_with_layout(tmp_path, "web/specimen.html.j2",
                            '{% extends "builtin/web/specimen.html.j2" %}{% block main %}{{ super() }}'
                            "<img src=\"{{ 'ht' ~ 'tp://example.com/pixel.png' }}\" alt=\"\">{% endblock %}")
    result = cli("check", "--book", str(book))
    assert_input_error(result, "web/specimen.html.j2: E403", "<img src> 'http://example.com/pixel.png'")


@pytest.mark.parametrize("markup", [
    '<p style="background: u\\72l(ht\\74p://example.com/a.png)">x</p>',
    '<svg xmlns="http://www.w3.org/2000/svg"><filter id="f">'
    '<feImage href="{{ "//example.com/f.png" }}"/></filter></svg>',
    '<svg xmlns="http://www.w3.org/2000/svg"><linearGradient id="g" href="{{ "file:" ~ "///example.com" }}"/></svg>',
    "<img srcset=\"a.png 1x, {{ 'https:' }}//example.com/b.png 2x\" alt=\"\"/>",
    '<link rel="stylesheet" href="{{ "ht" }}tp://example.com/s.css"/>',
    '<object data="{{ "ftp" }}://example.com/o"></object>',
    "<img src=\"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'%3E"
    "%3Cimage href='http://example.com/i'/%3E%3C/svg%3E\" alt=\"\"/>",
])
def test_every_way_a_document_loads_a_resource_is_caught(tmp_path: Path, markup: str):
    """As written (E401) or as rendered (E403), every one is found."""
    book = book_with_layout(tmp_path, "print/dossier.html.j2", "<html><body>" + markup + "</body></html>")
    result = cli("check", "--book", str(book))
    assert any(code in line for line in assert_input_error(result, "example.com") for code in ("E401", "E403"))


def test_links_namespaces_and_package_files_are_fine(tmp_path: Path):
    book = book_with_layout(tmp_path, "epub/style.css.j2",
                            '{% include "builtin/epub/style.css.j2" %}\n@namespace svg url(http://www.w3.org/2000/svg);\n'
                            '.x { background: url("../images/cover.png"); }\n')
    (book / "layouts" / "epub" / "chapter.xhtml.j2").write_text(
        '{% extends "builtin/epub/chapter.xhtml.j2" %}{% block body %}{{ super() }}'
        '<p><a href="{{ "https://" ~ "example.com/" }}">a site</a></p>{% endblock %}', encoding="utf-8")
    result = cli("check", "--book", str(book))
    assert result.returncode == 0, result.stderr


def test_the_static_check_decodes_escapes_and_reads_svg(tmp_path: Path):
    book = book_with_layout(tmp_path, "epub/style.css.j2",
                            '{% include "builtin/epub/style.css.j2" %}\n'
                            'a { background: u\\72l("ht\\74p://example.com/a.png"); }\n')
    (book / "layouts" / "epub" / "x.svg").write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE svg SYSTEM "http://example.com/svg.dtd" '
        '[ <!ENTITY x SYSTEM "file:///etc/passwd"> ]>\n'
        '<svg xmlns="http://www.w3.org/2000/svg"><filter id="f"><feImage href="http://example.com/fe.png"/></filter>\n'
        '<radialGradient id="g" href="https://example.com/g.svg#g"/><a href="https://example.com/">fine</a>\n'
        '<image href="&#104;ttp://example.com/entity.png"/></svg>\n', encoding="utf-8")
    result = cli("check", "--book", str(book))
    assert_input_error(result, "style.css.j2:2:24: E401", "http://example.com/a.png")
    assert_input_error(result, "x.svg:2:23: E401", "svg.dtd")
    assert_input_error(result, "x.svg:2:72: E401", "file:///etc/passwd")
    assert_input_error(result, "x.svg:3:71: E401", "fe.png")
    assert_input_error(result, "x.svg:4:30: E401", "g.svg#g")
    assert_input_error(result, "x.svg:5:14: E401", "entity.png")
    assert "https://example.com/'" not in result.stderr


# -- 8. layout files are read as records are


def test_unreadable_oversized_and_linked_layout_files_are_one_line_each(tmp_path: Path):
    book = book_with_layout(tmp_path, "print/fine.css", "p { color: black; }\n")
    layouts = book / "layouts" / "print"
    with open(layouts / "huge.css", "wb") as stream:  # sparse: 600 MB on paper, nothing on disk
        stream.truncate(600 * 1024 * 1024)
    os.symlink("/etc/shadow", layouts / "shadow.css")
    for command in (["check"], ["build", "dossiers", "--out", str(tmp_path / "dist")]):
        result = cli(*command, "--book", str(book))
        assert_input_error(result, "huge.css:1:1: E105", "found 629,145,600 bytes")
        assert_input_error(result, "shadow.css:1:1: E306", "leading outside")
        assert "root:" not in result.stderr
