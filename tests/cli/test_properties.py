"""Property-based: generated records, valid or not, never crash the loader; valid ones always build clean."""

from __future__ import annotations

import shutil
import tempfile
import unicodedata
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bestiary.book.load import load_book
from bestiary.errors import InputError
from bestiary.resources import fonts_dir
from bestiary.text.fonts import covered_characters
from bestiary.text.markdown import typeset
from conftest import build_book, record, write_book
from helpers import epubcheck, pdf_text

# Every letter, digit, punctuation mark and symbol our fonts can show (text they cannot show is a
# warning, tested in test_hostile), weighted towards what means something to HTML, Jinja, Markdown, YAML.
PRINTABLE = sorted(chr(code) for code in covered_characters(fonts_dir())
                   if unicodedata.category(chr(code))[0] in "LNPS")
ALPHABET = st.sampled_from(PRINTABLE) | st.sampled_from("<>{}%&'\"*_`#:-[]!|\\ ")
TEXT = st.text(ALPHABET, min_size=1, max_size=60).filter(lambda s: s.strip() and not s.strip().startswith("TODO"))
LINE = TEXT.map(lambda s: " ".join(s.split()))


@st.composite
def valid_record(draw, title: str, related_slug: str) -> dict:
    data = record(title, [{"role": related_slug, "match": draw(st.integers(0, 100))}])
    data["summary"] = draw(TEXT)
    data["aliases"] = draw(st.lists(LINE, max_size=4))
    data["habitat"] = draw(st.lists(LINE, min_size=1, max_size=3))
    data["salary"] = {"market_average": draw(st.integers(1, 999_999_999)),
                      "currency": draw(st.sampled_from(["USD", "EUR", "GBP", "JPY", "CHF", "INR"])),
                      "note": draw(TEXT), "verdict": draw(TEXT)}
    data["flight_risk"] = {"percent": draw(st.integers(0, 100)), "diagnosis": draw(TEXT)}
    data["metrics"] = [{"name": draw(LINE), "description": draw(TEXT)} for _ in range(draw(st.integers(1, 3)))]
    data["encounter"] = draw(TEXT)
    data["burn_ward"] = [{"quote": draw(TEXT)} for _ in range(draw(st.integers(1, 3)))]
    return data


TITLES = st.tuples(LINE, LINE).filter(lambda pair: pair[0].casefold() != pair[1].casefold())


def mutate(data: dict, how: str, key: str, value) -> dict:
    data = dict(data)
    if how == "drop":
        data.pop(key, None)
    elif how == "replace":
        data[key] = value
    else:
        data[key + "x"] = value
    return data


ANY_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(LINE, children, max_size=3),
    max_leaves=8,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(how=st.sampled_from(["drop", "replace", "add"]), key=st.sampled_from(sorted(record("x"))), value=ANY_VALUE)
def test_invalid_records_give_diagnostics_never_a_crash(how: str, key: str, value):
    with tempfile.TemporaryDirectory() as folder:
        alpha = mutate(record("Alpha Analyst", [{"role": "beta-boss", "match": 9}]), how, key, value)
        book = write_book(Path(folder), {"01-first": {"alpha-analyst": alpha, "beta-boss": record("Beta Boss")}})
        try:
            load_book(book)
        except InputError as error:
            assert error.diagnostics
            for diagnostic in error.diagnostics:
                assert diagnostic.line >= 1 and diagnostic.column >= 1 and diagnostic.code


@settings(max_examples=60, deadline=None)
@given(raw=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_arbitrary_bytes_as_a_record_never_crash(raw: bytes):
    with tempfile.TemporaryDirectory() as folder:
        book = write_book(Path(folder), {"01-first": {"alpha-analyst": "x: 1\n", "beta-boss": record("Beta Boss")}})
        (book / "chapters" / "01-first" / "alpha-analyst.yaml").write_bytes(raw)
        with pytest.raises(InputError):
            load_book(book)


@pytest.mark.slow
@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data(), titles=TITLES)
def test_valid_records_always_build_a_valid_epub_and_a_complete_pdf(data, titles):
    alpha_title, beta_title = titles
    alpha = data.draw(valid_record(alpha_title, "beta-boss"))
    beta = data.draw(valid_record(beta_title, "alpha-analyst"))
    folder = Path(tempfile.mkdtemp())
    try:
        book = write_book(folder, {"01-first": {"alpha-analyst": alpha}, "02-second": {"beta-boss": beta}})
        (book / "chapters" / "01-first" / "alpha-analyst.yaml").write_text(
            yaml.safe_dump(alpha, sort_keys=False, allow_unicode=True), encoding="utf-8")
        load_book(book)  # valid by construction: this must not raise
        build_book(book, folder / "dist", ["pdf", "epub"])
        text = pdf_text(folder / "dist" / "a-small-bestiary.pdf")
        for title in (alpha_title, beta_title):  # as the typesetter sets it: curly quotes, dashes
            assert " ".join(typeset(title).split()) in text
        fatals, errors, warnings, output = epubcheck(folder / "dist" / "a-small-bestiary.epub")
        assert (fatals, errors, warnings) == (0, 0, 0), output
    finally:
        shutil.rmtree(folder)
