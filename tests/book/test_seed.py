"""The seed record is transcribed faithfully: every sentence of it is in the book."""

from __future__ import annotations

import re

import yaml

from bestiary.text.money import format_amount
from conftest import BUNDLED_BOOK, FIXTURES

SEED = (FIXTURES / "seed.txt").read_text(encoding="utf-8")
RECORD_PATH = BUNDLED_BOOK / "chapters" / "02-the-machine-room" / "senior-machine-learning-engineer.yaml"
RECORD = yaml.safe_load(RECORD_PATH.read_text(encoding="utf-8"))

# Lines of the seed that belong to the page, not to the record (checked separately below).
LAYOUT_LINE = re.compile(
    r"^(\[\d\d\] .*|KNOWN ALIASES / DISGUISES:|MARKET AVERAGE|LINKEDIN ILLUSION|OTIOSE TRANSLATION"
    r"|\[SOURCE REDACTED\]|\[VIEW FULL TAXONOMY\] ↗|SYSTEM MATCH: \d+%|\[\d\d:\d\d - \d\d:\d\d\]"
    r"|FLIGHT RISK:.*|\* The organizational hierarchy.*|\* The stark reality.*|\$[\d,]+|.*ScientistPrincipal.*)$"
)


def normalise(text: str) -> str:
    return " ".join(text.replace("\u201c", '"').replace("\u201d", '"').split())


def strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    return []


def seed_record_lines() -> list[str]:
    body = SEED.split("What does a Senior Machine Learning Engineer actually do?", 1)[1]
    body = body.split("[11] RELATED SPECIMENS", 1)[0]
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    lines = [line for line in lines if not LAYOUT_LINE.match(line)]
    lines = [re.sub(r"^(•|\*)\s*", "", line) for line in lines]  # bullets, the salary footnote mark
    return [re.sub(r"^\[(DIAGNOSIS|IF ENGAGED:)\]", "", line) for line in lines]


def sentences(line: str) -> list[str]:
    line = line.strip()
    if line.startswith('"') and line.endswith('"'):
        line = line[1:-1]
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z])", line)
    return [part for part in parts if part]


def test_every_sentence_of_the_seed_is_in_the_record():
    record_text = normalise(" ".join(strings(RECORD)))
    checked = 0
    for line in seed_record_lines():
        for sentence in sentences(line):
            assert normalise(sentence) in record_text, f"missing from the record: {sentence!r}"
            checked += 1
    assert checked >= 35  # the seed holds 36 such sentences; a parsing slip must not pass silently


def test_structured_parts_of_the_seed():
    assert RECORD["question"] == "What does a Senior Machine Learning Engineer actually do?"
    seed_aliases = "Lead AI ScientistPrincipal ML ArchitectAI Solutions EngineerDeep Learning Lead"
    assert "".join(RECORD["aliases"]) == seed_aliases
    assert format_amount(RECORD["salary"]["market_average"], RECORD["salary"]["currency"]) == "$212,875"
    assert "FLIGHT RISK:85%HIGH RISK" in SEED
    assert RECORD["flight_risk"]["percent"] == 85 and RECORD["flight_risk"]["level"] == "HIGH RISK"
    times = re.findall(r"^\[(\d\d:\d\d - \d\d:\d\d)\]$", SEED, re.MULTILINE)
    assert [entry["time"] for entry in RECORD["day_in_the_life"]] == times
    assert RECORD["burn_ward"][-1]["source"] == "teamblind.com"
    assert all("source" not in pair for pair in RECORD["jd_autopsy"])  # all three are [SOURCE REDACTED]
    assert SEED.count("[SOURCE REDACTED]") == len(RECORD["jd_autopsy"])


def test_related_specimens_match_the_seed():
    related_block = SEED.split("[VIEW FULL TAXONOMY] ↗", 1)[1].split("PRODUCED BY", 1)[0]
    cards = re.findall(r"SYSTEM MATCH: (\d+)%\n(.+)\n(.+)", related_block)
    assert len(cards) == 3
    records = {
        yaml.safe_load(path.read_text(encoding="utf-8"))["title"]: (path.stem, yaml.safe_load(path.read_text()))
        for path in (BUNDLED_BOOK / "chapters").glob("*/*.yaml")
    }
    for (match, title, summary), related in zip(cards, RECORD["related"], strict=True):
        slug, other = records[title]
        assert related == {"role": slug, "match": int(match)}
        assert other["summary"] == summary


def test_layout_captions_and_section_numbers_of_the_seed_are_drawn():
    import datetime

    from bestiary.book.load import load_book
    from bestiary.render.renderer import make_renderer
    from bestiary.views.guide import field_guide_view

    book = load_book(BUNDLED_BOOK)
    html = make_renderer(book).render(
        "print/field-guide.html.j2", guide=field_guide_view(book, datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)))
    seed_file = html[html.index('id="specimen-senior-machine-learning-engineer"'):]
    seed_file = seed_file[:seed_file.index("</article>")]
    for caption in re.findall(r"^(\* The (?:organizational|stark reality).*)$", SEED, re.MULTILINE):
        assert caption in seed_file
    drawn = dict(re.findall(r'<span class="num">\[(\d\d)\]</span> ([^<]*)<', seed_file))
    for number, heading in re.findall(r"^\[(\d\d)\] (.*)$", SEED, re.MULTILINE):
        assert drawn[number].upper() == heading, number
