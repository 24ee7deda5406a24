"""The JSON Schema editors check records with: made from the validator's own specification, it accepts
what `check` accepts and rejects the usual mistakes that `check` rejects."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bestiary.book import schema
from bestiary.book.json_schema import SCHEMA_FILE, modeline, record_schema, schema_text, spec_schema
from bestiary.book.parse import SourceMap, dotted
from bestiary.book.record_schema import ROLE_SCHEMA
from conftest import BUNDLED_BOOK, assert_input_error, cli, record, write_book

BUNDLED_RECORDS = sorted((BUNDLED_BOOK / "chapters").glob("*/*.yaml"))
VALIDATOR = jsonschema.Draft202012Validator(record_schema())


def schema_errors(data) -> list[jsonschema.ValidationError]:
    return list(VALIDATOR.iter_errors(data))


def test_the_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(record_schema())
    assert record_schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_the_text_is_stable_sorted_json():
    text = schema_text()
    assert text == schema_text() and text.endswith("}\n")
    assert json.loads(text) == record_schema()
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_the_bundled_schema_file_is_current():
    written = (BUNDLED_BOOK / SCHEMA_FILE).read_text(encoding="utf-8")
    assert written == schema_text(), "run: bestiary schema --write"


def test_every_key_has_a_title_and_a_description():
    def walk(stated: dict, path: str) -> None:
        for name, key_schema in stated.get("properties", {}).items():
            assert key_schema.get("title") and key_schema.get("description"), f"{path}{name}"
            walk(key_schema, f"{path}{name}.")
        if "items" in stated:
            walk(stated["items"], path)

    walk(record_schema(), "")


@pytest.mark.parametrize("path", BUNDLED_RECORDS, ids=lambda path: path.stem)
def test_every_bundled_record_validates_and_names_the_schema(path: Path):
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=../../role.schema.json"
    assert (path.parent / "../../role.schema.json").resolve() == (BUNDLED_BOOK / SCHEMA_FILE).resolve()
    assert schema_errors(yaml.safe_load(text)) == []


def test_check_accepts_the_bundled_book_with_its_schema_file():
    result = cli("check", "--book", str(BUNDLED_BOOK))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: ") and SCHEMA_FILE not in result.stderr


def test_the_loader_never_reads_the_schema_file(small_book: Path):
    (small_book / SCHEMA_FILE).write_text("not even JSON", encoding="utf-8")
    result = cli("check", "--book", str(small_book))
    assert result.returncode == 0 and result.stderr == "", result.stderr


def _set(*keys, value):
    def mutate(data: dict) -> None:
        *parents, last = keys
        for key in parents:
            data = data[key]
        data[last] = value
    return mutate


def _delete(*keys):
    def mutate(data: dict) -> None:
        *parents, last = keys
        for key in parents:
            data = data[key]
        del data[last]
    return mutate


def _rename(*keys, to: str):
    def mutate(data: dict) -> None:
        *parents, last = keys
        for key in parents:
            data = data[key]
        data[to] = data.pop(last)
    return mutate


# (mistake, change to a valid record, check's code and key path, the JSON Schema keyword that catches it)
MISTAKES = [
    ("misspelled key", _rename("summary", to="sumary"), "E201", "sumary", "additionalProperties"),
    ("misspelled nested key", _rename("flight_risk", "diagnosis", to="diagnosys"), "E201",
     "flight_risk.diagnosys", "additionalProperties"),
    ("missing required key", _delete("encounter"), "E202", "encounter", "required"),
    ("missing nested key", _delete("salary", "verdict"), "E202", "salary.verdict", "required"),
    ("text for a number", _set("salary", "market_average", value="212,875"), "E203", "salary.market_average",
     "pattern"),
    ("a word for a percent", _set("flight_risk", "percent", value="high"), "E203", "flight_risk.percent", "pattern"),
    ("true for a percent", _set("flight_risk", "percent", value=True), "E203", "flight_risk.percent", "type"),
    ("text for a section", _set("flight_risk", value="high"), "E203", "flight_risk", "type"),
    ("a number for text", _set("title", value=42), "E203", "title", "type"),
    ("a list for text", _set("encounter", value=["Nod.", "Leave."]), "E203", "encounter", "type"),
    ("text for a list item mapping", _set("metrics", value=["Meetings"]), "E203", "metrics[0]", "type"),
    ("flight risk out of range", _set("flight_risk", "percent", value=140), "E204", "flight_risk.percent",
     "maximum"),
    ("salary of nothing", _set("salary", "market_average", value=0), "E204", "salary.market_average", "minimum"),
    ("no metrics", _set("metrics", value=[]), "E204", "metrics", "minItems"),
    ("an org chart too tall to draw", _set("org_chart", value=[f"Level {n}" for n in range(13)]), "E204",
     "org_chart", "maxItems"),
    ("a running title too long", _set("running_title", value="x" * 81), "E204", "running_title", "maxLength"),
    ("unknown currency", _set("salary", "currency", value="USS"), "E205", "salary.currency", "enum"),
    ("currency in lower case", _set("salary", "currency", value="usd"), "E205", "salary.currency", "enum"),
    ("related match over 100", _set("related", value=[{"role": "beta-boss", "match": 120}]), "E204",
     "related[0].match", "maximum"),
    ("related match as a percentage", _set("related", value=[{"role": "beta-boss", "match": "91%"}]), "E203",
     "related[0].match", "pattern"),
    ("a number quoted", _set("salary", "market_average", value="187500"), "E203", "salary.market_average",
     "pattern"),
    ("a file number as printed", _set("file_number", value="OTI-ADU-0001"), "E203", "file_number", "pattern"),
    ("a file number of 0", _set("file_number", value=0), "E204", "file_number", "minimum"),
    ("a file number past four digits", _set("file_number", value=10_000), "E204", "file_number", "maximum"),
    ("related entry without a role", _set("related", value=[{"match": 91}]), "E202", "related[0].role",
     "required"),
    ("related entry with an unknown key", _set("related", value=[{"role": "beta-boss", "match": 9, "why": "x"}]),
     "E201", "related[0].why", "additionalProperties"),
    ("time in another format", _set("day_in_the_life", 0, "time", value="9am - 10am"), "E205",
     "day_in_the_life[0].time", "pattern"),
    ("time past midnight", _set("day_in_the_life", 0, "time", value="23:00 - 24:30"), "E205",
     "day_in_the_life[0].time", "pattern"),
    ("placeholder left in", _set("summary", value="TODO: one sentence."), "E205", "summary", "pattern"),
    ("empty text", _set("encounter", value="   "), "E205", "encounter", "pattern"),
    ("a line break in a one-line field", _set("habitat", value=["Open-plan\nOffices"]), "E205", "habitat[0]",
     "pattern"),
]


@pytest.mark.parametrize(("mutate", "code", "key_path", "keyword"), [case[1:] for case in MISTAKES],
                         ids=[case[0] for case in MISTAKES])
def test_a_mistake_is_caught_by_the_schema_and_by_check(tmp_path: Path, mutate, code, key_path, keyword):
    data = record("Alpha Analyst", [{"role": "beta-boss", "match": 90}])
    mutate(data)
    text = yaml.safe_dump(data, sort_keys=False)
    book = write_book(tmp_path, {"01-first": {"alpha-analyst": text},
                                 "02-second": {"beta-boss": record("Beta Boss")}})
    assert_input_error(cli("check", "--book", str(book)), "alpha-analyst.yaml:", f"{code} {key_path}:")

    caught = [error for error in schema_errors(yaml.safe_load(text)) if error.validator == keyword]
    assert caught, [error.message for error in schema_errors(yaml.safe_load(text))]
    # the schema points at the key, or (for a key missing or unknown) at the mapping that holds it
    assert any(key_path.startswith(dotted(tuple(error.absolute_path))) for error in caught)


def test_a_number_with_underscores_is_accepted_by_both_readings(tmp_path: Path):
    """`check` reads YAML 1.1, where an unquoted 187_500 is the number 187500; an editor reads YAML 1.2, where it
    is text: the schema accepts that text, so the editor does not underline what `check` accepts."""
    data = {**record("Alpha Analyst"), "file_number": 1_0}
    text = yaml.safe_dump(data, sort_keys=False).replace("market_average: 100000", "market_average: 100_000")
    write_book(tmp_path, {"01-first": {"alpha-analyst": text.replace("file_number: 10", "file_number: 1_0")}})
    result = cli("check", "--strict", "--book", str(tmp_path / "book"))
    assert result.returncode == 0, result.stderr
    as_yaml_12_reads_it = {**data, "file_number": "1_0", "salary": {**data["salary"], "market_average": "100_000"}}
    assert schema_errors(as_yaml_12_reads_it) == []
    quoted = {**data, "salary": {**data["salary"], "market_average": "100000"}}  # text to both: refused by both
    assert [error.validator for error in schema_errors(quoted)] == ["pattern"]


def test_optional_keys_left_empty_are_accepted_by_both():
    data = record("Alpha Analyst")
    data.update({"question": None, "aliases": None, "related": None})
    data["salary"]["currency"] = None
    cleaned, problems = schema.validate(ROLE_SCHEMA, copy.deepcopy(data), SourceMap("x.yaml"))
    assert problems == [] and cleaned is not None
    assert schema_errors(data) == []


def test_the_new_skeleton_is_flagged_where_check_flags_it(small_book: Path):
    assert cli("new", "Chief Vibes Officer", "--chapter", "01-first", "--book", str(small_book)).returncode == 0
    text = (small_book / "chapters" / "01-first" / "chief-vibes-officer.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    _, problems = schema.validate(ROLE_SCHEMA, data, SourceMap("x.yaml"))
    flagged_by_check = {problem.key_path for problem in problems}
    assert "summary" in flagged_by_check and "salary.market_average" in flagged_by_check
    assert {dotted(tuple(error.absolute_path)) for error in schema_errors(data)} == flagged_by_check


TEXT_ALPHABET = st.sampled_from([" ", "\t", "\n", "T", "O", "D", "a", "b", "\u00a0"])


@pytest.mark.parametrize("single_line", [True, False], ids=["one line", "prose"])
@settings(max_examples=300, deadline=None)
@given(value=st.text(TEXT_ALPHABET, max_size=10))
def test_text_rules_agree_with_the_validator(single_line: bool, value: str):
    spec = schema.Text(max_length=6, single_line=single_line)
    # maxLength counts the white space the validator trims first: the one known difference
    assume(len(value) <= spec.max_length or len(value.strip()) > spec.max_length)
    problems: list[str] = []
    spec.check(value, (), lambda path, code, message: problems.append(message))
    accepted_by_schema = jsonschema.Draft202012Validator(spec_schema(spec)).is_valid(value)
    assert accepted_by_schema == (not problems), problems


def test_a_spec_the_schema_cannot_state_is_refused():
    with pytest.raises(TypeError, match="Pattern"):
        spec_schema(schema.Pattern(str.isupper, "capitals"))


def test_bestiary_schema_prints_the_schema():
    result = cli("schema")
    assert result.returncode == 0, result.stderr
    assert result.stdout == schema_text()
    assert json.loads(result.stdout)["$id"] == record_schema()["$id"]


def test_schema_write_writes_once_and_says_where(small_book: Path):
    first = cli("schema", "--write", "--book", str(small_book))
    path = small_book / SCHEMA_FILE
    assert first.returncode == 0 and first.stdout == f"wrote {path}\n"
    assert path.read_text(encoding="utf-8") == schema_text()
    written_at = path.stat().st_mtime_ns
    second = cli("schema", "--write", "--book", str(small_book))
    assert second.stdout == f"unchanged {path}\n" and path.stat().st_mtime_ns == written_at
    assert [p.name for p in small_book.iterdir() if p.name.startswith(".")] == []  # nothing staged left behind
    assert cli("check", "--book", str(small_book)).returncode == 0


def test_schema_write_refreshes_a_stale_file_and_refuses_a_missing_book(tmp_path: Path, small_book: Path):
    (small_book / SCHEMA_FILE).write_text("{}\n", encoding="utf-8")
    assert cli("schema", "--write", "--book", str(small_book)).stdout.startswith("wrote ")
    assert (small_book / SCHEMA_FILE).read_text(encoding="utf-8") == schema_text()
    missing = cli("schema", "--write", "--book", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "no book folder" in missing.stderr and "Traceback" not in missing.stderr


def test_new_names_the_schema_on_the_first_line_and_writes_it(small_book: Path):
    result = cli("new", "Chief Vibes Officer", "--chapter", "01-first", "--book", str(small_book))
    assert result.returncode == 0, result.stderr
    path = small_book / "chapters" / "01-first" / "chief-vibes-officer.yaml"
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    assert first_line == "# yaml-language-server: $schema=../../role.schema.json" == modeline(path, small_book)
    assert (small_book / SCHEMA_FILE).read_text(encoding="utf-8") == schema_text()
    assert (path.parent / "../../role.schema.json").resolve() == (small_book / SCHEMA_FILE).resolve()
