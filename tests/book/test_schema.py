"""The declarative validator: every problem of a value reported in one pass, with its key path."""

from __future__ import annotations

from bestiary.book import schema
from bestiary.book.parse import INVALID, SourceMap

SPEC = schema.Mapping({
    "name": schema.Key(schema.Text(max_length=10, single_line=True)),
    "count": schema.Key(schema.Integer(0, 5)),
    "tags": schema.Key(schema.ListOf(schema.Text(), 1, 2), required=False, default=()),
    "group": schema.Key(schema.Mapping({
        "size": schema.Key(schema.Choice(("a4", "letter")), required=False, default="a4"),
        "on": schema.Key(schema.Boolean(), required=False, default=False),
    }), required=False),
})


def check(value):
    problems: list[tuple] = []
    cleaned = SPEC.check(value, (), lambda path, code, message: problems.append((path, code, message)))
    return cleaned, problems


def test_a_valid_value_is_cleaned_and_defaults_are_filled_in():
    cleaned, problems = check({"name": "  Ada ", "count": 3})
    assert problems == []
    assert cleaned == {"name": "Ada", "count": 3, "tags": (), "group": {"size": "a4", "on": False}}


def test_every_problem_in_one_pass():
    cleaned, problems = check({"name": "x" * 11, "count": 9, "tags": ["", "b", "c"], "nmae": 1})
    assert cleaned is None
    by_path = {path: code for path, code, _ in problems}
    assert by_path == {("nmae",): "E201", ("name",): "E204", ("count",): "E204", ("tags",): "E204"}
    unknown = next(message for path, _, message in problems if path == ("nmae",))
    assert "did you mean 'name'?" in unknown


def test_types_are_not_coerced():
    _, problems = check({"name": 12, "count": "3", "group": {"on": "yes"}})
    messages = {path: message for path, _, message in problems}
    assert messages[("name",)] == "expected text, found integer 12"
    assert messages[("count",)] == "expected a whole number, found text '3'"
    assert messages[("group", "on")] == "expected true or false, found text 'yes'"


def test_booleans_are_not_integers_and_placeholders_are_not_text():
    _, problems = check({"name": "TODO: fill", "count": True})
    codes = {path: code for path, code, _ in problems}
    assert codes == {("name",): "E205", ("count",): "E203"}


def test_a_value_the_parser_reported_is_not_reported_again():
    _, problems = check({"name": INVALID, "count": 1})
    assert problems == []


def test_validate_adds_what_yaml_read_an_unquoted_value_as():
    source = SourceMap("x.yaml", positions={("name",): (1, 7)}, spellings={("name",): "yes"})
    _, found = schema.validate(SPEC, {"name": True, "count": 1}, source)
    assert [str(d) for d in found] == [
        "x.yaml:1:7: E203 name: expected text, found boolean true (YAML reads the unquoted yes that way; "
        "put it in quotes if it is text)"]
