"""The hostile-input catalogue: whatever a record holds, the outputs show it as text, whole and in bounds."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree

from bestiary.build import BuildResult
from conftest import build_book, record, write_book
from helpers import epub_texts, epub_visible_text, epubcheck, pdf_text, rendered_field_guide


def assert_text_inside_the_pages(document) -> None:
    """Every line of text of a laid-out document lies within its page."""
    for number, page in enumerate(document.pages, start=1):
        for box in page._page_box.descendants():
            if type(box).__name__ == "TextBox" and box.text.strip():
                where = (number, box.text[:40])
                assert box.position_x >= -0.5 and box.position_x + box.width <= page.width + 0.5, where
                assert box.position_y >= -0.5 and box.position_y + box.height <= page.height + 0.5, where

pytestmark = pytest.mark.slow

INJECTIONS = ("<script>alert(1)</script>", "{{ 7*7 }}", "{% if true %}yes{% endif %}", "&amp; &lt;")
SKIPPED_KEYS = {"time", "role", "currency"}  # values with a fixed grammar


def poison(value, payload: str, key: str | None = None):
    """Append `payload` to every free-text string of a record."""
    if isinstance(value, str) and key not in SKIPPED_KEYS:
        return f"{value} {payload}"
    if isinstance(value, dict):
        return {k: poison(v, payload, k) for k, v in value.items()}
    if isinstance(value, list):
        return [poison(item, payload, key) for item in value]
    return value


def two_record_book(tmp_path: Path, alpha: dict, beta: dict | None = None) -> Path:
    return write_book(tmp_path / "project", {
        "01-first": {"alpha-analyst": alpha},
        "02-second": {"beta-boss": beta or record("Beta Boss", [{"role": "alpha-analyst", "match": 80}])},
    })


EXTREMES = [(0, 1, "USD", "$1"), (100, 999_999_999, "USD", "$999,999,999"), (50, 48_000, "EUR", "\u20ac48,000"),
            (99, 12_000_000, "JPY", "\u00a512,000,000"), (1, 150_000, "CHF", "CHF 150,000")]
PATHS = ["../../../etc/passwd", "/var/lib/procurement/spreadsheets/final-final-v7.xlsx",
         "https://intranet.example.com/strategy/alignment/synergies", "C:\\Users\\Administrator\\Documents"]
UNICODE_ALIASES = ["Caf\u00e9 Lead", "\u7ba1\u7406\u8005",
                   "\u0645\u062f\u064a\u0631 \u0627\u0644\u0645\u0634\u0631\u0648\u0639", "Launch Lead \U0001F680",
                   "Re\u0301sume\u0301 Reader", "Zero\u200bWidth\u200dJoiner"]


def hostile_records() -> dict[str, dict]:
    """One record per hostile case: each payload of INJECTIONS in every free-text field (cited by the next, as a
    related card shows it too), lists far longer than a page, extreme numbers in other currencies, and paths that
    must not hyphenate."""
    records: dict[str, dict] = {}
    for number, payload in enumerate(INJECTIONS):
        cites = [{"role": f"injected-{(number + 1) % len(INJECTIONS)}", "match": 90}]
        records[f"injected-{number}"] = poison(record(f"Injected {number}", cites), payload)
    huge = record("Huge Lists")
    huge["metrics"] = [{"name": f"Metric M{i:03d}", "description": f"Measure number D{i:03d}."} for i in range(120)]
    huge["habitat"] = [f"Habitat H{i:03d}" for i in range(20)]
    huge["aliases"] = [f"Alias A{i:03d}" for i in range(20)]
    huge["burn_ward"] = [{"quote": f"Complaint C{i:03d} about everything."} for i in range(150)]
    huge["day_in_the_life"] = [
        {"time": f"{h:02d}:{m:02d} - {h:02d}:{m + 29:02d}", "title": f"Slot S{h:02d}{m:02d}", "description": "Waits."}
        for h in range(24) for m in (0, 30)][:48]
    records["huge-lists"] = huge
    for number, (percent, salary, currency, _) in enumerate(EXTREMES):
        extreme = record(f"Extreme {number}")
        extreme["flight_risk"]["percent"] = percent
        extreme["salary"] = {**extreme["salary"], "market_average": salary, "currency": currency}
        records[f"extreme-{number}"] = extreme
    paths = record("Path Keeper")
    paths["jd_autopsy"] = [{"illusion": f"Maintains {path} daily.", "translation": f"Deletes {path} weekly."}
                           for path in PATHS]
    paths["encounter"] = " and ".join(PATHS)
    records["path-keeper"] = paths
    return records


@dataclass(frozen=True)
class Built:
    out: Path
    result: BuildResult
    text: str  # the field guide's text
    visible: str  # the EPUB's visible text


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Built:
    """The hostile book, built once (field guide, EPUB, dossiers) for every case of this file."""
    root = tmp_path_factory.mktemp("hostile")
    book = write_book(root, {"01-hostile": hostile_records()})
    result = build_book(book, root / "dist", slugs=["path-keeper"])  # the one dossier a case reads
    return Built(root / "dist", result, pdf_text(root / "dist" / "a-small-bestiary.pdf"),
                 epub_visible_text(root / "dist" / "a-small-bestiary.epub"))


def test_markup_and_template_injection_is_shown_literally(hostile: Built):
    for payload in INJECTIONS:
        # the summary, title, every list item and description: at least twenty fields carry it
        assert hostile.text.count(payload) >= 20, payload
        assert hostile.visible.count(payload) >= 20, payload
    documents = epub_texts(hostile.out / "a-small-bestiary.epub")
    for content in documents.values():
        root = etree.fromstring(content.encode("utf-8"))
        assert not root.findall(".//{http://www.w3.org/1999/xhtml}script")
    evaluated = next(content for name, content in documents.items()
                     if name.endswith(f"specimen-injected-{INJECTIONS.index('{{ 7*7 }}')}.xhtml"))
    assert "49" not in "".join(etree.fromstring(evaluated.encode("utf-8")).itertext())


def test_very_long_words_and_titles_stay_on_the_page(tmp_path: Path):
    long_word = "Synergy" * 28  # 196 characters: a word over 200 is refused (E207)
    alpha = record("Chief " + "Overpromising" * 12 + " Officer", [{"role": "beta-boss", "match": 90}])
    alpha["org_chart"][1] = alpha["title"]
    alpha["encounter"] = f"Say {long_word} and leave."
    alpha["aliases"] = ["Supercalifragilistic" * 6]
    alpha["jd_autopsy"][0]["illusion"] = "Owns " + long_word
    alpha["salary"]["market_average"] = 999_999_999
    book = two_record_book(tmp_path, alpha)
    document, warnings = rendered_field_guide(book)
    assert not warnings
    assert_text_inside_the_pages(document)


def test_huge_lists_keep_every_item_across_page_breaks(hostile: Built):
    tokens = ([f"M{i:03d}" for i in range(120)] + [f"D{i:03d}" for i in range(120)] + [f"H{i:03d}" for i in range(20)]
              + [f"A{i:03d}" for i in range(20)] + [f"C{i:03d}" for i in range(150)]
              + [f"S{h:02d}{m:02d}" for h in range(24) for m in (0, 30)])
    for token in tokens:
        assert token in hostile.text, token
        assert token in hostile.visible, token


def test_unicode_the_fonts_lack_is_named_in_a_warning_and_the_epub_passes_epubcheck(tmp_path: Path):
    """A book of its own: characters our fonts lack grow a font's subset past one-byte codes, which pypdf's text
    extraction reads wrongly in the pages after (pdftotext reads them right). A second currency makes the
    statistics draw panels with titles: EPUBCheck reads them too."""
    alpha = record("Alpha Analyst", [{"role": "beta-boss", "match": 90}])
    alpha["aliases"] = UNICODE_ALIASES
    alpha["salary"]["currency"] = "EUR"
    book = two_record_book(tmp_path, alpha)
    result = build_book(book, tmp_path / "dist", ["pdf", "epub"])
    warnings = "\n".join(map(str, result.warnings))
    assert "alpha-analyst.yaml" in warnings
    assert "W501 aliases[1]:" in warnings and "U+7BA1" in warnings          # CJK
    assert "W501 aliases[2]:" in warnings and "U+0645" in warnings          # Arabic
    assert "W501 aliases[3]:" in warnings and "U+1F680" in warnings         # emoji
    assert "aliases[0]" not in warnings and "aliases[4]" not in warnings    # Latin with combining marks
    assert "aliases[5]" not in warnings                                     # zero-width characters draw nothing
    epub = tmp_path / "dist" / "a-small-bestiary.epub"
    visible = epub_visible_text(epub)
    assert UNICODE_ALIASES[1] in visible and "\u0645\u062f\u064a\u0631" in visible
    assert "Salaries in EUR" in visible and "Salaries in USD" in visible
    fatals, errors, epub_warnings, output = epubcheck(epub)
    assert (fatals, errors, epub_warnings) == (0, 0, 0), output


def test_extreme_numbers_and_other_currencies(hostile: Built):
    assert not [warning for warning in hostile.result.warnings if "extreme-" in warning.path]
    for percent, _, _, printed in EXTREMES:
        assert printed in hostile.text
        assert f"FLIGHT RISK: {percent}%" in hostile.text.upper()


def test_paths_and_urls_in_records_are_never_hyphenated(hostile: Built):
    from pypdf import PdfReader

    for output in ("a-small-bestiary.pdf", "dossiers/path-keeper.pdf"):
        raw = " ".join(page.extract_text() or "" for page in PdfReader(hostile.out / output).pages)
        joined = "".join(raw.split())  # wherever lines break, an inserted hyphen would show between the parts
        for path in PATHS:
            assert joined.count(path) >= 3, (output, path)


def test_a_large_honest_record_lays_out_on_the_page(tmp_path: Path):
    alpha = record("Alpha Analyst", [{"role": "beta-boss", "match": 90}])
    alpha["aliases"] = [f"Alias Number A{i:02d}" for i in range(48)]
    alpha["habitat"] = [f"Open-plan Habitat H{i:02d}" for i in range(30)]
    alpha["metrics"] = [{"name": f"Metric M{i:02d}", "description": "A number that goes up. " * 6} for i in range(36)]
    alpha["burn_ward"] = [{"quote": f"Complaint C{i:02d}: " + "it is bad here. " * 12, "source": "reddit.com"}
                          for i in range(40)]
    alpha["day_in_the_life"] = [{"time": f"{h:02d}:{m:02d} - {h:02d}:{m + 29:02d}", "title": f"Slot S{h:02d}{m:02d}",
                                 "description": "Waits for the meeting about the meeting."}
                                for h in range(24) for m in (0, 30)]
    alpha["org_chart"] = ["Board of Directors", "Chief Executive Officer", "Chief Operating Officer",
                          "VP of Everything", "Director of Some Things", "Senior Manager", "Manager",
                          "Alpha Analyst", "Associate", "Intern", "Contractor", "The Printer"]
    book = two_record_book(tmp_path, alpha)
    document, warnings = rendered_field_guide(book)
    assert not warnings
    assert_text_inside_the_pages(document)
    text = " ".join(box.text for page in document.pages for box in page._page_box.descendants()
                    if type(box).__name__ == "TextBox")
    for token in ([f"A{i:02d}" for i in range(48)] + [f"H{i:02d}" for i in range(30)] + [f"M{i:02d}" for i in range(36)]
                  + [f"C{i:02d}" for i in range(40)] + [f"S{h:02d}{m:02d}" for h in range(24) for m in (0, 30)]):
        assert token in text, token
