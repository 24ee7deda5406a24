"""Rendering reads nothing outside the book, layouts and fonts, and never the network."""

from __future__ import annotations

import http.server
import os
import threading
from pathlib import Path

import pytest

from bestiary.errors import InputError
from conftest import assert_input_error, build_book, cli, write_book
from helpers import epub_texts, pdf_text

SECRET = "TOP-SECRET-7f3a9c"
BUILTIN_FONTS_CSS = (Path(__file__).resolve().parents[2] / "layouts" / "print" / "fonts.css").read_text()


@pytest.fixture
def server():
    """A local HTTP server that records every request it gets."""
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(SECRET.encode())

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", requests
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "outside" / "secret.txt"
    path.parent.mkdir()
    path.write_text(SECRET, encoding="utf-8")
    return path


def test_chapter_images_and_file_links_are_refused(tmp_path: Path, server, secret: Path):
    url, requests = server
    book = write_book(tmp_path / "project")
    (book / "chapters" / "00-foreword.md").write_text(
        "---\ntitle: Foreword\n---\n"
        f"An image: ![x]({url}/image.png)\n\n"
        f"A local file: ![y](file://{secret})\n\n"
        f"A link to a file: [z](file://{secret})\n\n"
        "A relative escape: [w](../../../outside/secret.txt)\n\n"
        f"A web link is fine: [site]({url}/page)\n", encoding="utf-8")
    result = cli("build", "--book", str(book), "--out", str(tmp_path / "dist"))
    assert_input_error(result, "00-foreword.md:4:1: E401 body:", "found an image of")
    assert_input_error(result, "00-foreword.md:6:1: E401 body:", "found an image of 'file://")
    assert_input_error(result, "00-foreword.md:8:1: E401 body:", "found a link to 'file://")
    assert_input_error(result, "00-foreword.md:10:1: E401 body:", "found a link to '../../../outside/secret.txt'")
    assert "page" not in " ".join(line for line in result.stderr.splitlines() if "E401" in line and ":12:" in line)
    assert requests == []
    assert not (tmp_path / "dist").exists()


def test_remote_and_file_resources_in_book_layouts_are_located_errors(tmp_path: Path, server, secret: Path):
    url, requests = server
    book = write_book(tmp_path / "project")
    for output in ("print", "epub"):
        (book / "layouts" / output).mkdir(parents=True)
    (book / "layouts" / "print" / "fonts.css").write_text(
        BUILTIN_FONTS_CSS
        + f'@import url("{url}/imported.css");\n'
        + f'@font-face {{ font-family: "Stolen"; src: url("file://{secret}"); }}\n'
        + f'.half-title {{ background: url({url}/background.png); }}\n', encoding="utf-8")
    (book / "layouts" / "epub" / "epub.css").write_text(f'.x {{ background: url("{url}/x.png"); }}\n')
    (book / "layouts" / "print" / "field-guide.html.j2").write_text(
        '{% extends "builtin/print/field-guide.html.j2" %}\n'
        "{% block head_extra %}"
        f'<link rel="stylesheet" href="{url}/style.css"/>'
        f'<link rel="stylesheet" href="file://{secret}"/>'
        f'<script src="//evil.example/script.js"></script>'
        "{% endblock %}\n", encoding="utf-8")
    result = cli("build", "--book", str(book), "--out", str(tmp_path / "dist"))
    fonts_lines = len(BUILTIN_FONTS_CSS.splitlines())
    assert_input_error(result, f"layouts/print/fonts.css:{fonts_lines + 1}:14: E401", "imported.css")
    assert_input_error(result, f"layouts/print/fonts.css:{fonts_lines + 2}:", "E401", "file://")
    assert_input_error(result, f"layouts/print/fonts.css:{fonts_lines + 3}:", "E401", "background.png")
    assert_input_error(result, "layouts/epub/epub.css:1:", "E401", "x.png")
    assert_input_error(result, "layouts/print/field-guide.html.j2:2:", "E401", "style.css")
    assert_input_error(result, "layouts/print/field-guide.html.j2:2:", "E401", "//evil.example/script.js")
    assert len([line for line in result.stderr.splitlines() if "E401" in line]) == 7
    assert requests == []
    assert not (tmp_path / "dist").exists()


def test_hostile_user_layouts_read_nothing_outside(tmp_path: Path, secret: Path):
    book = write_book(tmp_path / "project")
    layouts = book / "layouts" / "print"
    layouts.mkdir(parents=True)
    escape = "../" * len(Path(__file__).resolve().parts) + str(secret).lstrip("/")
    (book / "layouts" / "print" / "fonts.css").write_text(
        BUILTIN_FONTS_CSS + f'html {{ background-image: url("{escape}"); }}\n', encoding="utf-8")
    (book / "chapters" / "00-foreword.md").write_text("---\ntitle: Foreword\n---\nPlain.\n", encoding="utf-8")
    result = build_book(book, tmp_path / "dist", ["pdf", "epub"])
    refused = " ".join(map(str, result.warnings))
    assert "refused by the sandbox" in refused and "secret.txt" in refused
    assert SECRET not in pdf_text(tmp_path / "dist" / "a-small-bestiary.pdf")
    assert all(SECRET not in text for text in epub_texts(tmp_path / "dist" / "a-small-bestiary.epub").values())


def test_a_template_linked_out_of_the_layouts_is_refused(tmp_path: Path, secret: Path):
    book = write_book(tmp_path / "project")
    (book / "layouts" / "print").mkdir(parents=True)
    os.symlink(secret, book / "layouts" / "print" / "fonts.css")
    with pytest.raises(InputError) as caught:
        build_book(book, tmp_path / "dist", ["pdf"])
    assert [d.code for d in caught.value.diagnostics] == ["E306"]
    result = cli("build", "pdf", "--book", str(book), "--out", str(tmp_path / "dist"))
    assert_input_error(result, "layouts/print/fonts.css:1:1: E306", "symbolic link leading outside")
    assert SECRET not in result.stderr + result.stdout


def test_a_layouts_folder_linked_out_of_the_book_is_refused(tmp_path: Path, secret: Path):
    outside = tmp_path / "outside-layouts"
    (outside / "print").mkdir(parents=True)
    (outside / "print" / "dossier.html.j2").write_text('{% include "print/secret.txt" %}')
    (outside / "print" / "secret.txt").write_text(SECRET)
    book = write_book(tmp_path / "project")
    os.symlink(outside, book / "layouts")
    for command in (("check",), ("dossier", "alpha-analyst", "--out", str(tmp_path / "dist"))):
        result = cli(*command, "--book", str(book))
        assert_input_error(result, "layouts:1:1: E306", "symbolic link leading outside")
        assert SECRET not in result.stdout + result.stderr
    assert not (tmp_path / "dist").exists()


def test_a_layout_runs_no_code(tmp_path: Path):
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    from bestiary.book.load import load_book
    from bestiary.render.renderer import make_renderer

    book = write_book(tmp_path / "project")
    (book / "layouts" / "print").mkdir(parents=True)
    attacks = ["{{ cycler.__init__.__globals__.os.popen('id').read() }}",
               "{{ ''.__class__.__mro__[1].__subclasses__() }}",
               "{{ lipsum.__globals__['os'].system('id') }}",
               "{% set x = [] %}{{ x.append(1) }}"]
    renderer = make_renderer(load_book(book))
    assert isinstance(renderer.environment, ImmutableSandboxedEnvironment)  # ours run there too: one path
    for number, attack in enumerate(attacks):
        (book / "layouts" / "print" / f"attack-{number}.html.j2").write_text(attack)
        with pytest.raises(InputError, match="E402.*(unsafe|undefined)"):
            make_renderer(load_book(book)).render(f"print/attack-{number}.html.j2")


def test_a_record_linked_out_of_the_book_is_refused(tmp_path: Path, secret: Path):
    book = write_book(tmp_path / "project")
    os.symlink(secret, book / "chapters" / "01-first" / "stolen.yaml")
    with pytest.raises(InputError) as caught:
        build_book(book, tmp_path / "dist", ["pdf"])
    assert any("symbolic link leading outside" in d.message for d in caught.value.diagnostics)
    assert SECRET not in str(caught.value)


def test_record_text_that_looks_like_a_url_or_path_is_only_text(tmp_path: Path, server, secret: Path, make_record):
    url, requests = server
    hostile = make_record("Alpha Analyst", [{"role": "beta-boss", "match": 90}])
    hostile["encounter"] = f"![img]({url}/x.png) [link](file://{secret}) <img src='{url}/y.png'/> ../../../etc/passwd"
    hostile["summary"] = f'<link rel="stylesheet" href="{url}/z.css"/> url({url}/w.png)'
    book = write_book(tmp_path / "project", {
        "01-first": {"alpha-analyst": hostile},
        "02-second": {"beta-boss": make_record("Beta Boss")},
    })
    build_book(book, tmp_path / "dist", ["pdf", "epub", "dossiers"])
    assert requests == []
    text = pdf_text(tmp_path / "dist" / "a-small-bestiary.pdf")
    joined = "".join(text.split())  # lines may break inside a long path
    assert "![img](" in joined and "<imgsrc=" in joined and "../../../etc/passwd" in joined
    cover = pdf_text(tmp_path / "dist" / "dossiers" / "alpha-analyst.pdf")  # where the summary is shown
    straight = cover.translate(str.maketrans("\u201c\u201d\u2018\u2019", "\"\"''"))  # prose quotes are curly
    assert '<link rel="stylesheet"' in straight
    assert SECRET not in text + cover
