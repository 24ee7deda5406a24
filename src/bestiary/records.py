"""What one record file must hold: the schema of a role record and of a chapter's
front matter, and the invariants within one record that a schema cannot express.
"""

from __future__ import annotations

import re
from pathlib import Path

from . import errors, schema
from .errors import Diagnostic
from .fonts import missing_glyphs
from .money import is_currency
from .parse import SourceMap
from .text import is_allowed_link, references

TIME_RANGE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)\s*-\s*([01]\d|2[0-3]):([0-5]\d)$")
DEFAULT_SOURCE = "[SOURCE REDACTED]"

# Limits stop abuse, not honest records: a record may hold dozens of aliases, metrics and complaints and
# a log of the whole day. The org chart is the exception: it is drawn as one diagram on one pocket page.
_LINE = schema.Text(max_length=500, single_line=True)
_PROSE = schema.Text(max_length=10_000)
MAX_ORG_CHART = 12
MAX_ITEMS = 200
_NAMED = schema.Mapping({"name": schema.Key(_LINE), "description": schema.Key(_PROSE)})

ROLE_SCHEMA = schema.Mapping({
    "title": schema.Key(_LINE),
    "running_title": schema.Key(schema.Text(max_length=80, single_line=True), required=False),
    "summary": schema.Key(_PROSE),
    "question": schema.Key(_LINE, required=False),
    "org_chart": schema.Key(schema.ListOf(_LINE, 1, MAX_ORG_CHART)),
    "aliases": schema.Key(schema.ListOf(_LINE, 0, MAX_ITEMS), required=False, default=()),
    "habitat": schema.Key(schema.ListOf(_LINE, 1, MAX_ITEMS)),
    "salary": schema.Key(schema.Mapping({
        "market_average": schema.Key(schema.Integer(1, 999_999_999_999)),
        "currency": schema.Key(schema.Pattern(is_currency, "an ISO 4217 currency code such as USD"),
                               required=False),
        "note": schema.Key(_PROSE),
        "verdict": schema.Key(_PROSE),
    })),
    "flight_risk": schema.Key(schema.Mapping({
        "percent": schema.Key(schema.Integer(0, 100)),
        "level": schema.Key(schema.Text(max_length=40, single_line=True), required=False),
        "diagnosis": schema.Key(_PROSE),
    })),
    "metrics": schema.Key(schema.ListOf(_NAMED, 1, MAX_ITEMS)),
    "weaponry": schema.Key(schema.ListOf(_NAMED, 1, MAX_ITEMS)),
    "encounter": schema.Key(_PROSE),
    "jd_autopsy": schema.Key(schema.ListOf(schema.Mapping({
        "illusion": schema.Key(_PROSE),
        "translation": schema.Key(_PROSE),
        "source": schema.Key(_LINE, required=False, default=DEFAULT_SOURCE),
    }), 1, MAX_ITEMS)),
    "day_in_the_life": schema.Key(schema.ListOf(schema.Mapping({
        "time": schema.Key(schema.Pattern(
            lambda text: TIME_RANGE.match(text) is not None,
            'a quoted time range such as "10:00 - 11:00"')),
        "title": schema.Key(_LINE),
        "description": schema.Key(_PROSE),
    }), 1, 24 * 4)),  # every quarter of an hour of the day
    "burn_ward": schema.Key(schema.ListOf(schema.Mapping({
        "quote": schema.Key(_PROSE),
        "source": schema.Key(_LINE, required=False),
    }), 1, MAX_ITEMS)),
    "related": schema.Key(schema.ListOf(schema.Mapping({
        "role": schema.Key(_LINE),
        "match": schema.Key(schema.Integer(0, 100)),
    }), 0, 100), required=False, default=()),
})


FRONT_MATTER_SCHEMA = schema.Mapping({
    "title": schema.Key(_LINE),
    "subtitle": schema.Key(_LINE, required=False),
})


def check_role(data: dict, source: SourceMap) -> list[Diagnostic]:
    """Invariants within one record that the schema cannot express."""
    found: list[Diagnostic] = []
    occurrences = data["org_chart"].count(data["title"])
    if occurrences != 1:
        found.append(source.diagnostic(
            ("org_chart",), errors.BAD_VALUE,
            f"expected the role's own title '{data['title']}' exactly once in the org chart, "
            f"found it {occurrences} times"))
    previous: tuple[int, str] | None = None
    for i, entry in enumerate(data["day_in_the_life"]):
        match = TIME_RANGE.match(entry["time"])
        start = int(match.group(1)) * 60 + int(match.group(2))
        end = int(match.group(3)) * 60 + int(match.group(4))
        if end <= start:
            found.append(source.diagnostic(
                ("day_in_the_life", i, "time"), errors.BAD_TIME_ORDER,
                f"expected the end after the start, found {entry['time']!r}"))
        if previous is not None and start < previous[0]:
            found.append(source.diagnostic(
                ("day_in_the_life", i, "time"), errors.BAD_TIME_ORDER,
                f"expected times in ascending order, found {entry['time']!r} after {previous[1]!r}"))
        previous = (start, entry["time"])
    return found


def check_glyphs(data: object, source: SourceMap, fonts: Path, key_path: tuple = ()) -> list[Diagnostic]:
    """Warnings for text our fonts cannot show, each naming the field; the build goes on."""
    if isinstance(data, str):
        missing = missing_glyphs(data, fonts)
        if not missing:
            return []
        return [source.diagnostic(key_path, errors.MISSING_GLYPH, _missing_glyphs_message(missing))]
    if isinstance(data, dict):
        return [d for key, value in data.items() for d in check_glyphs(value, source, fonts, key_path + (key,))]
    if isinstance(data, list):
        return [d for i, value in enumerate(data) for d in check_glyphs(value, source, fonts, key_path + (i,))]
    return []


def check_chapter_body(body: str, first_line: int, shown: str, fonts: Path) -> list[Diagnostic]:
    """A chapter's Markdown may link to the web, never to files; it has no images."""
    found: list[Diagnostic] = []
    for reference in references(body):
        line = first_line + reference.line - 1
        if reference.kind == "image":
            found.append(Diagnostic(shown, line, 1, errors.FORBIDDEN_RESOURCE, "body",
                                    "expected no images in a chapter (they are not supported), "
                                    f"found an image of {reference.target!r}"))
        elif not is_allowed_link(reference.target):
            found.append(Diagnostic(shown, line, 1, errors.FORBIDDEN_RESOURCE, "body",
                                    "expected a link to http://, https:// or mailto:, "
                                    f"found a link to {reference.target!r}"))
    missing = missing_glyphs(body, fonts)
    if missing:
        found.append(Diagnostic(shown, first_line, 1, errors.MISSING_GLYPH, "body",
                                _missing_glyphs_message(missing)))
    return found


def _missing_glyphs_message(missing: str) -> str:
    listed = ", ".join(f"'{c}' U+{ord(c):04X}" for c in missing[:8]) + (" …" if len(missing) > 8 else "")
    return f"expected characters our fonts can show, found {listed}; they will print as empty boxes"
