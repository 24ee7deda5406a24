"""PyYAML's syntax errors as one located line an author can act on.

PyYAML reports where its parser gave up, which is often a line or a whole file
after the mistake (an unclosed quote is "found" at the end of the file), and in
its own vocabulary ("expected <block end>"). This module points at the line
where the problem starts and says what to do, in the project's message shape:
"expected …, found …".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

# Characters that YAML reserves at the start of a plain value.
_INDICATORS = {"@": "an @", "`": "a backtick", "%": "a %", "*": "a * (Markdown emphasis?)", "&": "an &",
               "!": "a !", "|": "a |", ">": "a >", "[": "a [", "{": "a {", "'": "a quote", '"': "a quote"}


@dataclass(frozen=True)
class SyntaxProblem:
    line: int  # 1-based, in the parsed text
    column: int
    message: str


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _content_line_before(lines: list[str], index: int) -> int | None:
    """The index of the nearest line above `index` that holds YAML (not blank, not a comment)."""
    for previous in range(index - 1, -1, -1):
        stripped = lines[previous].strip()
        if stripped and not stripped.startswith("#"):
            return previous
    return None


def _mark(mark: yaml.Mark | None) -> tuple[int, int]:
    return (mark.line, mark.column) if mark is not None else (0, 0)


def explain(error: yaml.MarkedYAMLError, text: str) -> SyntaxProblem:
    """The problem behind `error`, located where it starts, with a hint."""
    lines = text.splitlines() or [""]
    problem = error.problem or ""
    context = error.context or ""
    problem_line, problem_column = _mark(error.problem_mark)
    context_line, context_column = _mark(error.context_mark)
    line_text = lines[problem_line] if problem_line < len(lines) else ""

    def at(line: int, column: int, message: str) -> SyntaxProblem:
        return SyntaxProblem(line + 1, column + 1, message)

    if "'\\t'" in problem:
        if not line_text[:problem_column].strip():
            return at(problem_line, problem_column,
                      "expected spaces for indentation, found a tab (YAML indents with spaces, never tabs)")
        before = line_text[:problem_column].rstrip(" \t")
        after = f"after {before.split()[-1]!r}" if before.endswith(":") and before.split() else "between words"
        return at(problem_line, problem_column,
                  f"expected a space {after}, found a tab (YAML separates with spaces: replace the tab with a space)")
    if context.startswith("while scanning a quoted scalar"):
        quote = lines[context_line][context_column] if context_column < len(lines[context_line]) else '"'
        return at(context_line, context_column,
                  f"expected the {quote} opened here to be closed, found no closing {quote} before the end of the "
                  f"file (add a {quote} where the text ends, on this line)")
    if context.startswith(("while parsing a flow sequence", "while parsing a flow mapping")):
        closing = "]" if "sequence" in context else "}"
        return at(context_line, context_column,
                  f"expected '{closing}' to close the list opened here, found none before the next key "
                  f"(or quote text that starts with '{'[' if closing == ']' else '{'}')")
    if context.startswith("while scanning an alias") or "that cannot start any token" in problem:
        column = context_column if context.startswith("while scanning an alias") else problem_column
        line = context_line if context.startswith("while scanning an alias") else problem_line
        character = lines[line][column] if line < len(lines) and column < len(lines[line]) else "?"
        starts = _INDICATORS.get(character, f"'{character}'")
        return at(line, column, f"expected a value, found text that starts with {starts}, which YAML reserves "
                                "(put the whole text in quotes)")
    if problem == "mapping values are not allowed here":
        return _mapping_value_problem(lines, problem_line, problem_column)
    if "expected <block end>" in problem:
        runaway = _runaway_quote(text, problem_line, problem_column)
        if runaway is not None:
            return runaway
        return _block_end_problem(lines, problem_line, problem_column, context_line, context_column)
    if "expected a single document" in context:
        return at(problem_line, problem_column,
                  "expected one YAML document per file, found a second one after a '---' line")
    if context.startswith("while scanning a block scalar"):
        return at(problem_line, problem_column,
                  "expected the text of a '|' or '>' block on the lines below it, found text on the same line")
    found = " ".join(" ".join(filter(None, [context, problem])).split())
    return at(problem_line, problem_column, f"expected valid YAML, found a syntax error: {found}")


def _runaway_quote(text: str, line: int, column: int) -> SyntaxProblem | None:
    """A quoted text that began on an earlier line and ran on until a later quote closed it by accident."""
    last_quoted: yaml.ScalarToken | None = None
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if (token.start_mark.line, token.start_mark.column) >= (line, column):
                break
            if isinstance(token, yaml.ScalarToken) and token.style in ("'", '"'):
                last_quoted = token
    except yaml.YAMLError:
        pass
    if last_quoted is None or last_quoted.end_mark.line == last_quoted.start_mark.line:
        return None
    quote = last_quoted.style
    start = last_quoted.start_mark
    return SyntaxProblem(start.line + 1, start.column + 1,
                         f"expected the {quote} opened here to close on its line, found no closing {quote} on it, "
                         f"so YAML read on to the {quote} on line {last_quoted.end_mark.line + 1} (add a {quote} "
                         "where the text ends, on this line)")


def _mapping_value_problem(lines: list[str], line: int, column: int) -> SyntaxProblem:
    """'mapping values are not allowed here': a colon where YAML did not expect a key."""
    text = lines[line] if line < len(lines) else ""
    before_colon = text[:column]
    if re.search(r":\s", before_colon) or before_colon.rstrip().startswith("- "):
        # `title: Foo: Bar`: the second colon is inside unquoted text
        return SyntaxProblem(line + 1, column + 1,
                             "expected one 'key: value' per line, found ': ' inside unquoted text "
                             "(put the text in quotes)")
    previous = _content_line_before(lines, line)
    if previous is not None:
        above = lines[previous]
        if ":" not in above and not above.lstrip().startswith("- "):
            return SyntaxProblem(previous + 1, _indent(above) + 1,
                                 f"expected 'key: value', found {above.strip()[:40]!r} without a colon after its key")
        if _indent(text) > _indent(above):
            return SyntaxProblem(line + 1, _indent(text) + 1,
                                 f"expected this key at the indentation of the line above (column "
                                 f"{_indent(above) + 1}), found it at column {_indent(text) + 1}, so YAML read it "
                                 "as more of the value above")
    return SyntaxProblem(line + 1, column + 1,
                         "expected 'key: value', found a colon YAML cannot place (quote text that holds ': ')")


def _block_end_problem(lines: list[str], line: int, column: int, context_line: int,
                       context_column: int) -> SyntaxProblem:
    """'expected <block end>': a line that lines up with no key above, or text after a closing quote."""
    text = lines[line] if line < len(lines) else ""
    stripped = text[:column].rstrip()
    if line == context_line or (stripped and stripped[-1] in "'\""):
        quote = stripped[-1] if stripped and stripped[-1] in "'\"" else "'"
        doubled = "''" if quote == "'" else '\\"'
        return SyntaxProblem(line + 1, column + 1,
                             f"expected the end of the line after a closing {quote}, found more text (a {quote} "
                             f"inside {quote}…{quote} ends the text early: write it as {doubled}, or use the "
                             "other kind of quotes)")
    previous = _content_line_before(lines, line)
    siblings = _indent(lines[previous]) if previous is not None else context_column
    return SyntaxProblem(line + 1, _indent(text) + 1,
                         f"expected this line at the indentation of a key above it, found it at column "
                         f"{_indent(text) + 1} (the line above is at column {siblings + 1}; indent with "
                         "spaces, the same amount for every key of one mapping)")
