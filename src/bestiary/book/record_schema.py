"""What one record file must hold: the schema of a role record and of a chapter's
front matter, and the invariants within one record that a schema cannot express.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .. import errors
from ..errors import Diagnostic
from ..text.fonts import missing_glyphs
from ..text.markdown import blocks_starting_with, is_allowed_link, long_words, references
from ..text.money import ISO_4217
from . import schema
from .parse import KeyPath, SourceMap

# [0-9], not \d: Python's \d takes any script's digits, and editors (JSON Schema) take ASCII ones only.
TIME_RANGE = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])\s*-\s*([01][0-9]|2[0-3]):([0-5][0-9])")
DEFAULT_SOURCE = "[SOURCE REDACTED]"

# Limits stop abuse, not honest records: a record may hold dozens of aliases, metrics and complaints and
# a log of the whole day. The org chart is the exception: it is drawn as one diagram on one pocket page.
_LINE = schema.Text(max_length=500, single_line=True)
_PROSE = schema.Text(max_length=10_000)
MAX_ORG_CHART = 12
MAX_FILE_NUMBER = 9_999  # printed in four digits, OTI-ADU-0017: every file number the same width
MAX_ITEMS = 200
_NAMED = schema.Mapping({
    "name": schema.Key(_LINE, description="Its name, as the file's heading for it."),
    "description": schema.Key(_PROSE, description="What it is and what it really does."),
})

# The descriptions are what editors show beside each key (`bestiary schema`); the seed's section numbers
# [01] to [11] head the keys that hold its sections.
ROLE_SCHEMA = schema.Mapping({
    "title": schema.Key(_LINE, description="The role's name: unique in the book, and once in org_chart."),
    "file_number": schema.Key(
        schema.Integer(1, MAX_FILE_NUMBER), required=False,
        description="The file's number for good, its digits: 17 prints as OTI-ADU-0017. Unique in the book; "
                    "`bestiary new` writes the next one, `bestiary number` writes them where missing."),
    "running_title": schema.Key(
        schema.Text(max_length=80, single_line=True), required=False,
        description="A shorter title for the running head, when the title is too wide for it."),
    "summary": schema.Key(
        _PROSE, description="One sentence on what they actually do: shown on related-specimen cards, "
                            "in the index and on the dossier cover."),
    "question": schema.Key(
        _LINE, required=False, description='The opening question; "What does a(n) <title> actually do?" '
                                           "when left out."),
    "org_chart": schema.Key(
        schema.ListOf(_LINE, 1, MAX_ORG_CHART), title="[01] The org-chart architecture",
        description="The chain of command, top first, with this role's title exactly once."),
    "aliases": schema.Key(
        schema.ListOf(_LINE, 0, MAX_ITEMS), required=False, default=(), title="Known aliases / disguises",
        description='Other titles the role goes by; each is indexed as "see <title>".'),
    "habitat": schema.Key(
        schema.ListOf(_LINE, 1, MAX_ITEMS), title="[02] The habitat (natural range)",
        description="Where the specimen is found; indexed under Habitats."),
    "salary": schema.Key(schema.Mapping({
        "market_average": schema.Key(
            schema.Integer(1, 999_999_999_999),
            description="The market average in whole currency units, set large on the file."),
        "currency": schema.Key(
            schema.OneOf(ISO_4217, "an ISO 4217 currency code such as USD"), required=False,
            description="An ISO 4217 code such as USD; the book's currency (book.yaml) when left out."),
        "note": schema.Key(_PROSE, description="Why the figure lies: the footnote under it."),
        "verdict": schema.Key(_PROSE, description="What the money actually buys."),
    }), title="[03] Salary delusion", description="The market average, and what it actually buys."),
    "flight_risk": schema.Key(schema.Mapping({
        "percent": schema.Key(schema.Integer(0, 100), description="How likely they are to go, drawn as a gauge."),
        "level": schema.Key(
            schema.Text(max_length=40, single_line=True), required=False,
            description="The label on the gauge, such as HIGH RISK; from the flight-risk bands in book.yaml "
                        "when left out."),
        "diagnosis": schema.Key(_PROSE, description="What will make them leave, or be left."),
    }), title="[04] The flight risk", description="How likely the specimen is to leave, and why."),
    "metrics": schema.Key(
        schema.ListOf(_NAMED, 1, MAX_ITEMS), title="[05] The bullshit metrics",
        description="What they are measured by, each with a name and a description."),
    "weaponry": schema.Key(
        schema.ListOf(_NAMED, 1, MAX_ITEMS), title="[06] Signature weaponry",
        description="The tools and rituals they wield, each with a name and a description."),
    "encounter": schema.Key(
        _PROSE, title="[07] Survival / encounter guide", description="What to do if engaged."),
    "jd_autopsy": schema.Key(schema.ListOf(schema.Mapping({
        "illusion": schema.Key(_PROSE, description="A line of the job advertisement (the LinkedIn illusion)."),
        "translation": schema.Key(_PROSE, description="What it actually means (the OTIOSE translation)."),
        "source": schema.Key(
            _LINE, required=False, default=DEFAULT_SOURCE,
            description=f"Where the advertisement ran; {DEFAULT_SOURCE}, printed as a redaction bar, "
                        "when left out."),
    }), 1, MAX_ITEMS), title="[08] The JD autopsy", description="Lines of the job advertisement, translated."),
    "day_in_the_life": schema.Key(schema.ListOf(schema.Mapping({
        "time": schema.Key(
            schema.Regex(TIME_RANGE, 'a quoted time range such as "10:00 - 11:00"'),
            description='A quoted time range, "HH:MM - HH:MM", ending after it starts.'),
        "title": schema.Key(_LINE, description="What the slot is called."),
        "description": schema.Key(_PROSE, description="What actually happens."),
    }), 1, 24 * 4),  # every quarter of an hour of the day
        title="[09] Day-in-the-life log", description="The day, slot by slot, in ascending order of time."),
    "burn_ward": schema.Key(schema.ListOf(schema.Mapping({
        "quote": schema.Key(_PROSE, description="An unfiltered complaint, as it was said."),
        "source": schema.Key(_LINE, required=False, description="Where it was said, such as teamblind.com."),
    }), 1, MAX_ITEMS), title="[10] The burn ward (unfiltered complaints)",
        description="What the people who work with them say."),
    "related": schema.Key(schema.ListOf(schema.Mapping({
        "role": schema.Key(_LINE, description="The slug or exact title of another record in the book."),
        "match": schema.Key(schema.Integer(0, 100), description="The SYSTEM MATCH percent."),
    }), 0, 100), required=False, default=(), title="[11] Related specimens",
        description="Other records of the book, linked both ways, with how closely they match."),
})


FRONT_MATTER_SCHEMA = schema.Mapping({
    "title": schema.Key(_LINE),
    "subtitle": schema.Key(_LINE, required=False),
})


def check_role(data: dict[str, Any], source: SourceMap) -> list[Diagnostic]:
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
        match = TIME_RANGE.fullmatch(entry["time"])
        if match is None:  # not a time range: the schema has refused it already
            continue
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


def check_glyphs(data: object, source: SourceMap, fonts: Path, key_path: KeyPath = ()) -> list[Diagnostic]:
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
    """A chapter's Markdown may link to the web, never to files; it has no images, no word too long to lay
    out (one per paragraph is reported), and no paragraph still starting with the placeholder (`init`)."""
    found = [Diagnostic(shown, first_line + word.line - 1, word.column, errors.LONG_WORD, "body",
                        schema.long_word_message(word)) for word in long_words(body, block=True)]
    found += [Diagnostic(shown, first_line + line - 1, column, errors.BAD_VALUE, "body",
                         f"expected your own text, found the placeholder {schema.describe(text)}")
              for line, column, text in blocks_starting_with(body, schema.PLACEHOLDER)]
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
