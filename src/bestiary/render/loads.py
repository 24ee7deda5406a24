"""Resources a rendered document would load from the network or from another file.

Layouts are checked as written (`layout_files`, E401), but a template can build a
URL as it renders (`'ht' ~ 'tp://…'`), so every rendered document is read again
as a reader or WeasyPrint would: markup (HTML, XHTML, SVG) with its `<style>` and
`style` attributes, and stylesheets. A load is `src`, `srcset`, `poster`, `data`,
`background`, any `href` but a link's (`<a>`, `<area>`, a `<link rel="canonical">`) and `xlink:href` (stylesheets,
icons, SVG `<image>`, `<use>`, `<feImage>`, gradients, patterns), a CSS `url()`,
`src()`, `image-set()` or `@import` (escapes decoded, as CSS reads them), a
`<meta http-equiv="refresh">`, an `<?xml-stylesheet?>`, and a DOCTYPE or entity
that names a SYSTEM or PUBLIC identifier. It is remote when its URL, read as a
browser reads it (tabs and line breaks dropped, spaces trimmed), has a scheme
other than `data:`, or starts with `//`; a `data:` URL of markup or CSS is read in
turn. Relative URLs (the package's own files) and fragments are fine, and so
are namespaces and ordinary links, which chapters may carry.
"""

from __future__ import annotations

import base64
import contextlib
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any
from urllib.parse import unquote_to_bytes

import tinycss2
from lxml import etree, html

from ..text.urls import as_read, is_remote

_LOADING_ATTRIBUTES = ("src", "srcset", "imagesrcset", "poster", "data", "background", "lowsrc", "dynsrc",
                       "codebase", "archive", "manifest", "xlink:href")
_LINKS = ("a", "area")  # an `href` here is followed when clicked, not loaded
# a <link> with only these relations names another address (the web edition's canonical one); nothing loads it
_NAMING_RELATIONS = frozenset({"canonical", "alternate", "author", "license", "help", "next", "prev", "bookmark"})
# SVG presentation attributes that take a url() (a paint server, a filter, a clip path…), besides `style`
_CSS_ATTRIBUTES = ("style", "fill", "stroke", "filter", "clip-path", "mask", "marker-start", "marker-mid", "marker-end",
                   "cursor")
_CSS_URL_FUNCTIONS = ("url", "src", "image-set", "-webkit-image-set", "image", "cross-fade")
_PROLOG_IDENTIFIERS = re.compile(r"<!(?:DOCTYPE|ENTITY)[^>\[]*?(?:SYSTEM|PUBLIC)\s*(?:(['\"])[^'\"]*\1\s*)?"
                                 r"(['\"])(?P<url>[^'\"]*)\2", re.IGNORECASE)
_STYLESHEET_INSTRUCTION = re.compile(r"<\?xml-stylesheet[^>]*?href\s*=\s*(['\"])(?P<url>[^'\"]*)\1",
                                     re.IGNORECASE)
_REFRESH_URL = re.compile(r"url\s*=\s*['\"]?(?P<url>[^'\";]+)", re.IGNORECASE)
_DATA_DEPTH = 3  # a data: URL inside a data: URL inside …: read this deep, no deeper


def remote_loads(text: str, name: str) -> list[str]:
    """What the document `name` (a template's name: `x.css…` a stylesheet, `x.html…` HTML, else XML) would load
    from elsewhere, each described ("<img src> 'http://…'"); empty when it loads nothing from outside."""
    if not any(sign in text for sign in (":", "\\", "//")):  # no scheme, no escape: nothing can be remote
        return []
    kind = "css" if ".css" in name else "html" if ".html" in name else "xml"
    return sorted(set(_loads(text, kind, 0)))


def _loads(text: str, kind: str, depth: int) -> Iterator[str]:
    if kind == "css":
        for url in _css_urls(text):
            yield from _judge(url, "a stylesheet's url()", depth)
        return
    for pattern, how in ((_PROLOG_IDENTIFIERS, "a DOCTYPE or ENTITY identifier"),
                         (_STYLESHEET_INSTRUCTION, "an <?xml-stylesheet?> instruction")):
        for match in pattern.finditer(text):
            yield from _judge(match.group("url"), how, depth)
    for element in _elements(text, kind):
        tag = element.tag.rsplit("}", 1)[-1].lower() if isinstance(element.tag, str) else ""
        if not tag:
            continue
        for attribute, value in element.attrib.items():
            # lxml reads attributes as text (its stubs also allow bytes, which Python 3 never gets)
            assert isinstance(attribute, str) and isinstance(value, str)
            name = attribute.rsplit("}", 1)[-1].lower()
            if attribute.startswith("{http://www.w3.org/1999/xlink}"):
                name = "xlink:" + name
            if name in _LOADING_ATTRIBUTES or (name == "href" and tag not in _LINKS and not _names_only(tag, element)):
                urls = _srcset(value) if name.endswith("srcset") else [value]
                for url in urls:
                    yield from _judge(url, f"<{tag} {name}>", depth)
            elif name in _CSS_ATTRIBUTES and "(" in value:
                for url in _css_urls(value):
                    yield from _judge(url, f"a url() in <{tag} {name}>", depth)
            elif tag == "meta" and name == "content" and element.get("http-equiv", "").lower() == "refresh":
                found = _REFRESH_URL.search(value)
                if found:
                    yield from _judge(found.group("url"), "<meta http-equiv='refresh'>", depth)
        if tag == "style" and element.text:
            for url in _css_urls(element.text):
                yield from _judge(url, "a url() in <style>", depth)


def _names_only(tag: str, element: etree._Element) -> bool:
    """A `<link>` that only names another address (rel="canonical"), which no reader loads."""
    relations = str(element.get("rel", "")).lower().split()
    return tag == "link" and bool(relations) and _NAMING_RELATIONS.issuperset(relations)


def _elements(text: str, kind: str) -> list[etree._Element]:
    """Every element of the document: as XML (XHTML, SVG) while it is well-formed, else as HTML."""
    root = None
    if kind != "html":
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)
        with contextlib.suppress(etree.XMLSyntaxError):  # a reader would still read it, and so do we: as HTML
            root = etree.fromstring(text.encode("utf-8"), parser)
    if root is None and text.strip():
        root = html.document_fromstring(text)
    return [] if root is None else list(root.iter())


def _judge(url: str, how: str, depth: int) -> Iterator[str]:
    """The load, described, if `url` is remote; the remote loads inside it if it is a `data:` URL of markup."""
    url = as_read(url)
    if is_remote(url):
        yield f"{how} {url[:80]!r}"
    elif url[:5].lower() == "data:" and depth < _DATA_DEPTH:
        inner = _data_document(url)
        if inner is not None:
            yield from _loads(inner[1], inner[0], depth + 1)


def _data_document(url: str) -> tuple[str, str] | None:
    """The markup or CSS a `data:` URL holds (its kind and text), or None for anything else."""
    header, _, payload = url.partition(",")
    media = header[5:].split(";")[0].strip().lower()
    kinds = {"text/css": "css", "text/html": "html"}
    kind = kinds.get(media) or ("xml" if "svg" in media or "xml" in media else None)
    if kind is None:
        return None
    try:
        raw = base64.b64decode(unquote_to_bytes(payload)) if ";base64" in header.lower() else unquote_to_bytes(payload)
    except ValueError:
        return None
    return kind, raw.decode("utf-8", "replace")


def _srcset(value: str) -> list[str]:
    return [candidate.split()[0] for candidate in value.split(",") if candidate.split()]


@lru_cache(maxsize=256)  # the same stylesheets come back in every chunk of the field guide
def _css_urls(css: str) -> tuple[str, ...]:
    """Every URL a stylesheet (or a style attribute's declarations) loads, escapes decoded by the tokenizer."""
    tokens = tinycss2.parse_component_value_list(css, skip_comments=True)
    return tuple(_token_urls(tokens))


def _token_urls(tokens: list[Any]) -> Iterator[str]:  # tinycss2's nodes, which it does not type
    importing = naming = False  # after `@import`; inside `@namespace …;`, whose URL names, never loads
    for token in tokens:
        kind = token.type
        if kind == "whitespace":
            continue
        if naming:
            naming = not (kind == "literal" and token.value == ";")
            continue
        if kind == "url":
            yield token.value
        elif kind == "function" and token.lower_name in _CSS_URL_FUNCTIONS:
            yield from (argument.value for argument in token.arguments if argument.type == "string")
            yield from _token_urls(token.arguments)
        elif kind == "string" and importing:
            yield token.value
        elif kind in ("function", "() block", "[] block", "{} block"):
            yield from _token_urls(token.arguments if kind == "function" else token.content)
        importing = kind == "at-keyword" and token.lower_value == "import"
        naming = kind == "at-keyword" and token.lower_value == "namespace"
