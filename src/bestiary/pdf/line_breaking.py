"""A fix to WeasyPrint's line breaking, applied when the layout stage is imported.

A run of text followed by an inline element (a `<code>` span, a link, the span
around a paragraph's last word) ends with the space before it. When that run fits
the rest of a line only once its trailing space hangs, as CSS has trailing spaces
do at a line's end, WeasyPrint (70.0) finds the line too wide and keeps the run's
first word alone on it: the guide printed "…than by being / the / sole person…"
and "…is disabled to un- / block / a release…". It happens in ordinary lines
whenever the space falls across the margin, and every time an element that cannot
break overflows, since WeasyPrint then breaks the text before it again one pixel
narrower than the text with its space.

The fix measures such a run without its trailing spaces: if that fits, the whole
run is the line's (its width still counts the space, which WeasyPrint drops at the
line's end). `split_first_line` is wrapped where the inline layout calls it, and
only if its parameters are the ones this was written against; another WeasyPrint
is left as it is (tests/pdf/test_line_breaking.py says so).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from weasyprint.layout import inline

_EXPECTED_PARAMETERS = ["text", "style", "context", "max_width", "justification_spacing", "is_line_start", "minimum"]
_RESUME_INDEX = 2  # in what split_first_line returns: where the next line starts, None when the text fits


def _hanging_trailing_spaces(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)  # its signature too, which `applies` reads
    def split_first_line(text: str, style: Any, context: Any, max_width: float | None, *arguments: Any,
                         **keywords: Any) -> Any:
        split = original(text, style, context, max_width, *arguments, **keywords)
        if split[_RESUME_INDEX] is None or max_width is None or not text.endswith(" "):
            return split
        if style["white_space"] not in ("normal", "pre-line"):
            return split  # spaces that are kept do not hang
        without_spaces = original(text.rstrip(" "), style, context, max_width, *arguments, **keywords)
        if without_spaces[_RESUME_INDEX] is not None:
            return split
        return original(text, style, context, None, *arguments, **keywords)  # the whole run, on one line

    split_first_line.fixed = True  # type: ignore[attr-defined]
    return split_first_line


def applies() -> bool:
    """Whether this WeasyPrint's inline layout calls the function the fix wraps, with the parameters it expects."""
    function = getattr(inline, "split_first_line", None)
    return function is not None and list(inspect.signature(function).parameters) == _EXPECTED_PARAMETERS


def apply() -> None:
    if applies() and not getattr(inline.split_first_line, "fixed", False):
        inline.split_first_line = _hanging_trailing_spaces(inline.split_first_line)
