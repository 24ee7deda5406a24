"""The book's files into plain data plus a source map.

The source map records, for every key path, where its value (and its key)
stand in the file, so later stages can point at the exact line and column.
Parsing is defensive: anything that is not a regular, readable, reasonably
sized UTF-8 file is refused before it is read; duplicate keys, anchors and
aliases (the vehicle of expansion bombs), tags, deep nesting and numbers
spelled in another base are reported, never trusted. libyaml parses a text
when it reads it as the pure-Python parser would (several times faster); that
parser has the last word on everything else, and words every syntax error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.resolver import Resolver

from .. import errors
from ..errors import Diagnostic
from .reading import read_text
from .yaml_messages import explain

MAX_NODES = 50_000
MAX_DEPTH = 32  # records need five levels; the parser recurses, so depth is bounded before it can overflow

KeyPath = tuple[str | int, ...]


class _Invalid:
    """A value already reported as a problem: later checks skip it instead of reporting it twice."""

    def __repr__(self) -> str:
        return "INVALID"


INVALID = _Invalid()


@dataclass(frozen=True)
class SourceMap:
    """Where each key path of one file stands (1-based line and column)."""

    path: str
    positions: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    spellings: dict[KeyPath, str] = field(default_factory=dict)  # plain values YAML read as a non-text type
    ends: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)  # where each text value ends
    line_offset: int = 0  # front matter starts below line 1

    def at(self, key_path: KeyPath) -> tuple[int, int]:
        """Position of a value, or of its nearest ancestor when it is missing."""
        for end in range(len(key_path), -1, -1):
            if key_path[:end] in self.positions:
                line, column = self.positions[key_path[:end]]
                return line + self.line_offset, column
        return 1 + self.line_offset, 1

    def key_at(self, key_path: KeyPath) -> tuple[int, int]:
        if key_path in self.key_positions:
            line, column = self.key_positions[key_path]
            return line + self.line_offset, column
        return self.at(key_path)

    def span(self, key_path: KeyPath) -> tuple[tuple[int, int], tuple[int, int]] | None:
        """Where a text value starts and ends (its quotes or block header included), or None if not text."""
        if key_path not in self.positions or key_path not in self.ends:
            return None
        (line, column), (end_line, end_column) = self.positions[key_path], self.ends[key_path]
        return (line + self.line_offset, column), (end_line + self.line_offset, end_column)

    def diagnostic(
        self, key_path: KeyPath, code: str, message: str, *, at_key: bool = False
    ) -> Diagnostic:
        line, column = self.key_at(key_path) if at_key else self.at(key_path)
        return Diagnostic(self.path, line, column, code, dotted(key_path), message)


def dotted(key_path: KeyPath) -> str:
    parts: list[str] = []
    for part in key_path:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        else:
            parts.append(("." if parts else "") + part)
    return "".join(parts)


@dataclass(frozen=True)
class Loaded:
    data: Any
    source: SourceMap


def load_yaml_text(text: str, shown: str, line_offset: int = 0) -> tuple[Loaded | None, list[Diagnostic]]:
    """Parse one YAML document into plain data with its source map."""
    source = SourceMap(shown, line_offset=line_offset)
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        return None, [Diagnostic(shown, 1 + line_offset, 1, errors.EMPTY_FILE, "",
                                 "expected a mapping of keys, found an empty file")]
    try:
        node = _compose(text)
    except _Refused as exc:
        return None, [Diagnostic(shown, exc.line + line_offset, exc.column, exc.code, "", exc.message)]
    except yaml.MarkedYAMLError as exc:
        problem = explain(exc, text)
        return None, [Diagnostic(shown, problem.line + line_offset, problem.column, errors.YAML_SYNTAX, "",
                                 problem.message)]
    except yaml.YAMLError as exc:
        return None, [Diagnostic(shown, 1 + line_offset, 1, errors.YAML_SYNTAX, "",
                                 f"expected valid YAML, found: {' '.join(str(exc).split())}")]
    if node is None:
        return None, [Diagnostic(shown, 1 + line_offset, 1, errors.EMPTY_FILE, "",
                                 "expected a mapping of keys, found an empty document")]
    diagnostics: list[Diagnostic] = []
    builder = _Builder(source, diagnostics, text.splitlines())
    data = builder.build(node, ())
    if builder.too_many:
        return None, diagnostics
    return Loaded(data, source), diagnostics


def load_yaml_file(path: Path, shown: str) -> tuple[Loaded | None, list[Diagnostic]]:
    text, problems = read_text(path, shown)
    if text is None:
        return None, problems
    return load_yaml_text(text, shown)


@dataclass(frozen=True)
class MarkdownDocument:
    front_matter: Loaded | None
    body: str
    body_line: int


def load_markdown_file(path: Path, shown: str) -> tuple[MarkdownDocument | None, list[Diagnostic]]:
    """A Markdown file whose YAML front matter sits between two `---` lines."""
    text, problems = read_text(path, shown)
    if text is None:
        return None, problems
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return None, [Diagnostic(shown, 1, 1, errors.MISSING_KEY, "",
                                 "expected YAML front matter opening with '---' and a title, "
                                 f"found {_describe_line(lines[0] if lines else '')}")]
    closing = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if closing is None:
        return None, [Diagnostic(shown, 1, 1, errors.YAML_SYNTAX, "",
                                 "expected front matter closed by a second '---' line, found none")]
    front_matter, problems = load_yaml_text("".join(lines[1:closing]), shown, line_offset=1)
    body = "".join(lines[closing + 1:])
    return MarkdownDocument(front_matter, body, closing + 2), problems


def _describe_line(line: str) -> str:
    line = line.strip()
    return f"{line[:40]!r}" if line else "an empty first line"


class _Refused(Exception):
    """Something the composer refuses before building anything: an alias, a tag, too deep a nesting."""

    def __init__(self, event: yaml.Event | None, code: str, message: str):
        super().__init__(message)
        mark = event.start_mark if event is not None else None
        # a parser marks every event it gives; an unmarked one is placed at the start, as other errors are
        self.line, self.column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        self.code, self.message = code, message


class _Refusing(Composer):
    """The composer step both loaders share: refuses aliases, tags and deep nesting before any can take effect.
    It comes first among a loader's bases, before the parser (PyYAML's or libyaml's) that gives the events."""

    depth = 0
    accepted_tags: tuple[str, ...] = ("!",)  # besides no tag: the non-specific '!'
    peek_event: Callable[[], yaml.Event | None]  # the parser's

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(event, errors.YAML_ALIAS,
                           "expected plain values, found a YAML alias (*name); anchors and aliases are not allowed "
                           "(put text that starts with * in quotes)")
        tag: str | None = getattr(event, "tag", None)
        if tag is not None and tag not in self.accepted_tags:
            shown = tag.replace("tag:yaml.org,2002:", "!!")
            raise _Refused(event, errors.YAML_ALIAS,
                           f"expected plain values, found the YAML tag {shown}; tags are not allowed "
                           "(put text that starts with ! in quotes)")
        if self.depth >= MAX_DEPTH:
            raise _Refused(event, errors.TOO_LARGE,
                           f"expected at most {MAX_DEPTH} levels of nesting, found more")
        self.depth += 1
        try:
            # named, not super(): libyaml's parser has a compose_node of its own that would skip ours
            return Composer.compose_node(self, parent, index)
        finally:
            self.depth -= 1


class _PositionLoader(_Refusing, yaml.SafeLoader):
    """The pure-Python parser: the reference, whose errors `yaml_messages.explain` turns into messages."""


_FastLoader: type[_LibyamlLoader] | None = None
if yaml.__with_libyaml__:
    from yaml._yaml import CParser

    class _LibyamlLoader(_Refusing, Composer, CParser, Resolver):
        """libyaml's C parser for the events (several times faster), our Python composer for the nodes."""

        # libyaml reads an empty '!' value as text, PyYAML as null: any '!' sends the text to PyYAML
        accepted_tags = ()

        def __init__(self, stream: str):
            CParser.__init__(self, stream)
            Composer.__init__(self)
            Resolver.__init__(self)

    _FastLoader = _LibyamlLoader

# Texts libyaml reads differently from PyYAML (found by running both on mutated records): it accepts tabs
# before tokens and a block scalar header run into a comment ('>#'), skips a BOM opening any line, and ends a
# text without a final line break one line further down. NEL, LS and PS line breaks are rare enough to leave
# to PyYAML as well.
_LIBYAML_READS_DIFFERENTLY = re.compile(r"[\t\x85\u2028\u2029\ufeff]|[|>][-+0-9]*#|[^\n\r]\Z")


def _compose(text: str) -> yaml.Node | None:
    """The node tree of `text` exactly as the pure-Python parser composes it, parsed by libyaml when that is safe."""
    node = _compose_with_libyaml(text)
    return node if node is not None else yaml.compose(text, Loader=_PositionLoader)


def _compose_with_libyaml(text: str) -> yaml.Node | None:
    """The node tree libyaml gives, or None wherever it might not be the pure-Python parser's."""
    if _FastLoader is None or _LIBYAML_READS_DIFFERENTLY.search(text):
        return None
    try:  # as yaml.compose does, whose types know only PyYAML's own loaders
        loader = _FastLoader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except Exception:  # a refusal or an error: the pure-Python parser reports it, worded as always
        return None
    return None if node is None or _differs_in_flow(node, in_flow=False) else node


def _differs_in_flow(node: yaml.Node, in_flow: bool) -> bool:
    """Inside [ ] or { }, libyaml reads plain text holding '?' (PyYAML refuses it) and places an empty value at
    the next token, not after its colon."""
    if isinstance(node, yaml.ScalarNode):
        return in_flow and not node.style and (not node.value or "?" in node.value)
    assert isinstance(node, yaml.CollectionNode)  # a composed node is a scalar, a sequence or a mapping
    in_flow = in_flow or bool(node.flow_style)
    children = node.value if isinstance(node, yaml.SequenceNode) else [child for pair in node.value for child in pair]
    return any(_differs_in_flow(child, in_flow) for child in children)


# YAML 1.1 reads these plain spellings as numbers; only plain decimal digits are what an author means.
_DECIMAL = re.compile(r"[-+]?(0|[1-9][0-9_]*)(\.[0-9_]*)?([eE][-+]?[0-9]+)?")
_BASES = ((re.compile(r"[-+]?0x"), "hexadecimal"), (re.compile(r"[-+]?0b"), "binary"),
          (re.compile(r"[-+]?0o?[0-7_]+$"), "octal"), (re.compile(r".*:"), "base-60 (sexagesimal)"))
_COMMENT_AFTER = re.compile(r"\s+#")


def _shortened(text: str, limit: int = 32) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


class _Builder:
    """Turns a composed node tree into plain data, recording positions, duplicate keys and odd spellings."""

    def __init__(self, source: SourceMap, diagnostics: list[Diagnostic], lines: list[str]):
        self.source = source
        self.diagnostics = diagnostics
        self.lines = lines
        self.constructor = yaml.SafeLoader("")
        self.count = 0
        self.too_many = False

    def build(self, node: yaml.Node, key_path: KeyPath) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            if not self.too_many:
                self.too_many = True
                self.diagnostics.append(self.source.diagnostic(
                    key_path, errors.TOO_LARGE, f"expected at most {MAX_NODES:,} values, found more"))
            return None
        self.source.positions[key_path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, key_path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, key_path + (i,)) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)  # a composed node is a scalar, a sequence or a mapping
        value = self._scalar(node, key_path)
        if isinstance(value, str):
            self.source.ends[key_path] = (node.end_mark.line + 1, node.end_mark.column + 1)
        return value

    def _scalar(self, node: yaml.ScalarNode, key_path: KeyPath) -> Any:
        spelling = node.value
        kind = node.tag.rsplit(":", 1)[-1]
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError):
            if kind == "timestamp":
                self._report(key_path, errors.BAD_VALUE,
                             f"expected a real date (or quoted text), found {spelling}, which YAML reads as a "
                             "date that does not exist")
            else:
                self._report(key_path, errors.WRONG_TYPE, f"expected a readable value, found {spelling[:40]!r}")
            return INVALID
        if kind in ("int", "float") and not _DECIMAL.fullmatch(spelling):
            base = next((name for pattern, name in _BASES if pattern.match(spelling)), "special")
            hint = ('quote times: "10:00 - 11:00"' if base.startswith("base-60")
                    else "write numbers in decimal digits, and quote text")
            self._report(key_path, errors.WRONG_TYPE,
                         f"expected a decimal number or quoted text, found {spelling}, which YAML reads as "
                         f"the {base} number {value} ({hint})")
            return INVALID
        # a plain scalar's style is None from PyYAML, '' from libyaml
        if kind != "str" and not node.style:
            self.source.spellings[key_path] = spelling
        if isinstance(value, str) and not node.style and key_path and key_path[-1] != "<key>":
            self._comment_after(node, key_path, value)
        return value

    def _comment_after(self, node: yaml.ScalarNode, key_path: KeyPath, value: str) -> None:
        """A plain text followed by ' #' on its line: YAML cut the text there, which is rarely what was meant."""
        end = node.end_mark
        line = self.lines[end.line] if end.line < len(self.lines) else ""
        match = _COMMENT_AFTER.match(line, end.column)
        if match is None:
            return
        comment = line[match.end() - 1:].rstrip()
        self.diagnostics.append(Diagnostic(
            self.source.path, end.line + 1 + self.source.line_offset, match.end(), errors.CUT_BY_COMMENT,
            dotted(key_path),
            f"expected the whole text, found it cut at ' #': YAML starts a comment there and drops "
            f"{_shortened(comment)!r} (put the text in quotes)"))

    def _report(self, key_path: KeyPath, code: str, message: str) -> None:
        self.diagnostics.append(self.source.diagnostic(key_path, code, message))

    def _mapping(self, node: yaml.MappingNode, key_path: KeyPath) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self.build(key_node, key_path + ("<key>",))
            if not isinstance(key, str | int | float | bool) and key is not None:
                self.diagnostics.append(self.source.diagnostic(
                    key_path, errors.WRONG_TYPE, "expected plain keys, found a complex key"))
                continue
            key = str(key)
            child = key_path + (key,)
            position = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if key in result:
                first_line = self.source.key_positions[child][0] + self.source.line_offset
                self.diagnostics.append(Diagnostic(
                    self.source.path, position[0] + self.source.line_offset, position[1],
                    errors.DUPLICATE_KEY, dotted(child),
                    f"expected each key once, found '{key}' again (first on line {first_line})"))
                continue
            self.source.key_positions[child] = position
            result[key] = self.build(value_node, child)
        self.source.positions.pop(key_path + ("<key>",), None)
        self.source.ends.pop(key_path + ("<key>",), None)
        self.source.spellings.pop(key_path + ("<key>",), None)
        return result
