"""YAML and Markdown front matter into plain data plus a source map.

The source map records, for every key path, where its value (and its key)
stand in the file, so later stages can point at the exact line and column.
Loading is defensive: bytes that are not UTF-8 text, duplicate keys, and
anchors/aliases (the vehicle of expansion bombs) are reported, never trusted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import errors
from .errors import Diagnostic

MAX_FILE_BYTES = 1_000_000
MAX_NODES = 50_000

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class SourceMap:
    """Where each key path of one file stands (1-based line and column)."""

    path: str
    positions: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
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


def read_text(path: Path, shown: str) -> tuple[str | None, list[Diagnostic]]:
    """The file's text, or the reason it is not readable UTF-8 text."""
    raw = path.read_bytes()
    if len(raw) > MAX_FILE_BYTES:
        return None, [
            Diagnostic(shown, 1, 1, errors.TOO_LARGE, "",
                       f"expected a file under {MAX_FILE_BYTES:,} bytes, found {len(raw):,} bytes")
        ]
    if b"\x00" in raw:
        line, column = _line_column(raw, raw.index(b"\x00"))
        return None, [Diagnostic(shown, line, column, errors.NOT_TEXT, "",
                                 "expected a UTF-8 text file, found binary data (a NUL byte)")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _line_column(raw, exc.start)
        return None, [Diagnostic(shown, line, column, errors.NOT_TEXT, "",
                                 f"expected UTF-8 text, found byte 0x{raw[exc.start]:02x} "
                                 "that is not UTF-8 (save the file as UTF-8)")]
    return text.removeprefix("\ufeff"), []


def _line_column(raw: bytes, offset: int) -> tuple[int, int]:
    before = raw[:offset]
    return before.count(b"\n") + 1, offset - (before.rfind(b"\n") + 1) + 1


def load_yaml_text(text: str, shown: str, line_offset: int = 0) -> tuple[Loaded | None, list[Diagnostic]]:
    """Parse one YAML document into plain data with its source map."""
    source = SourceMap(shown, line_offset=line_offset)
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        return None, [Diagnostic(shown, 1 + line_offset, 1, errors.EMPTY_FILE, "",
                                 "expected a mapping of keys, found an empty file")]
    try:
        node = yaml.compose(text, Loader=_PositionLoader)
    except _AliasRefused as exc:
        line, column = exc.line + line_offset, exc.column
        return None, [Diagnostic(shown, line, column, errors.YAML_ALIAS, "",
                                 "expected plain values, found a YAML alias (*name); "
                                 "anchors and aliases are not allowed")]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = " ".join(filter(None, [exc.context, exc.problem]))
        return None, [Diagnostic(shown, line + line_offset, column, errors.YAML_SYNTAX, "",
                                 f"expected valid YAML, found a syntax error: {problem}")]
    except yaml.YAMLError as exc:
        return None, [Diagnostic(shown, 1 + line_offset, 1, errors.YAML_SYNTAX, "",
                                 f"expected valid YAML, found: {exc}")]
    if node is None:
        return None, [Diagnostic(shown, 1 + line_offset, 1, errors.EMPTY_FILE, "",
                                 "expected a mapping of keys, found an empty document")]
    diagnostics: list[Diagnostic] = []
    builder = _Builder(source, diagnostics)
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


class _AliasRefused(Exception):
    def __init__(self, line: int, column: int):
        super().__init__("alias")
        self.line, self.column = line, column


class _PositionLoader(yaml.SafeLoader):
    """Composes nodes only; refuses aliases before any expansion can happen."""

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _AliasRefused(event.start_mark.line + 1, event.start_mark.column + 1)
        return super().compose_node(parent, index)


class _Builder:
    """Turns a composed node tree into plain data, recording positions and duplicate keys."""

    def __init__(self, source: SourceMap, diagnostics: list[Diagnostic]):
        self.source = source
        self.diagnostics = diagnostics
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
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            self.diagnostics.append(self.source.diagnostic(
                key_path, errors.YAML_SYNTAX, f"expected a readable value, found: {exc}"))
            return None

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
        return result
