"""`build print` past the service's page limit (issue 20, point 7): refused in one line, or with `--volumes auto`
split between families into volumes under the limit, each an interior and a cover of its own that pass the
preflight, titled "Volume I of III", with folios from 1; the index in the last volume names the volume of every
locator elsewhere ("I: 7"), and so do related cards that cite another volume."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from bestiary.book.load import load_book
from bestiary.errors import PREFLIGHT_FAILED
from bestiary.pdf.pagination import roman
from bestiary.pdf.preflight import preflight
from bestiary.pdf.print_on_demand import interior_expectations
from conftest import build_book, cli, record, with_print_edition, write_book

ISBN = "isbn:978-0-306-40615-7"
LIMIT = 24  # the least a book.yaml may give: a book of six records runs to about 40 pages


def six_records(folder: Path) -> Path:
    """Three families of two, each record citing one in the next family, so that cards cross volumes."""
    slugs = [f"role-{number}{letter}" for number in (1, 2, 3) for letter in "ab"]
    families: dict[str, dict[str, dict | str]] = {}
    for position, slug in enumerate(slugs):
        cited = slugs[(position + 2) % len(slugs)]
        families.setdefault(f"0{slug[5]}-family-{slug[5]}", {})[slug] = record(f"Role {slug[5:].upper()}",
                                                                          [{"role": cited, "match": 80}])
    return with_print_edition(write_book(folder, families), max_pages=LIMIT)


def words(page) -> str:
    return " ".join((page.extract_text() or "").split())


@pytest.mark.slow
def test_an_interior_over_the_limit_is_refused_in_one_line_and_nothing_is_written(tmp_path: Path):
    book = six_records(tmp_path)
    result = cli("build", "print", "--book", str(book), "--out", str(tmp_path / "dist"))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert re.search(rf"at most {LIMIT} pages for generic .* found \d+: split it into volumes with --volumes auto",
                     lines[0]), lines[0]
    assert not (tmp_path / "dist" / "print").exists()


@pytest.mark.slow
def test_volumes_auto_splits_between_families_and_names_the_volume_of_every_reference(tmp_path: Path):
    book = with_print_edition(six_records(tmp_path), volume_identifiers=[ISBN])
    result = build_book(book, tmp_path / "dist", ["print"], volumes="auto")
    assert [warning for warning in result.warnings if warning.code == PREFLIGHT_FAILED] == []
    folder = tmp_path / "dist" / "print"
    interiors = sorted(folder.glob("a-small-bestiary-vol-*-interior.pdf"))
    total = len(interiors)
    assert total >= 2 and sorted(folder.glob("a-small-bestiary-vol-*-cover.pdf")) != []
    assert not (folder / "a-small-bestiary-interior.pdf").exists()
    loaded = load_book(book)
    profile = loaded.config.print_edition.profile()
    readers = {number: PdfReader(folder / f"a-small-bestiary-vol-{number}-interior.pdf")
               for number in range(1, total + 1)}
    opening: dict[str, tuple[int, str]] = {}  # each specimen: its volume and the folio its file record starts on
    for number, reader in readers.items():
        data = (folder / f"a-small-bestiary-vol-{number}-interior.pdf").read_bytes()
        assert [check.rule for check in preflight(data, interior_expectations(loaded, profile))
                if not check.passed] == []
        assert len(reader.pages) <= LIMIT and reader.page_labels[0] == "i" and "1" in reader.page_labels
        front = "".join(words(page) for page in reader.pages[:4]).replace(" ", "").upper()  # letter-spaced
        assert f"VOLUME{roman(number).upper()}OF{roman(total).upper()}" in front
        for index, page in enumerate(reader.pages):
            for role in loaded.roles:
                if f"FILE RECORD: {role.slug.upper()}" in words(page) and role.slug not in opening:
                    opening[role.slug] = (number, reader.page_labels[index])
    assert sorted(opening) == sorted(role.slug for role in loaded.roles)
    assert len({number for number, _ in opening.values()}) >= 2  # the families went to different volumes

    def cited_as(slug: str, here: int) -> str:
        number, folio = opening[slug]
        return folio if number == here else f"{roman(number).upper()}:\u00a0{folio}"

    last = readers[total]
    index_text = " ".join(words(page) for page in last.pages if "TAXONOMY INDEX" in words(page).upper())
    for role in loaded.roles:  # the A–Z names every specimen with its page, in its volume
        assert f"{role.title}, {cited_as(role.slug, total)}".replace("\u00a0", " ") in index_text.replace(
            "\u00a0", " "), role.title
    crossing = 0
    for number, reader in readers.items():  # a related card names the cited specimen's volume when it is another
        text = " ".join(words(page) for page in reader.pages).replace("\u00a0", " ")
        for role in loaded.roles:
            if opening[role.slug][0] != number:
                continue
            cited = role.related[0].slug
            expected = cited_as(cited, number).replace("\u00a0", " ")
            title = next(other.title for other in loaded.roles if other.slug == cited)
            assert f"{title} → p. {expected}" in text, (role.slug, cited, expected)
            crossing += opening[cited][0] != number
    assert crossing >= 2
    # the first volume has its own ISBN in book.yaml, so its barcode; the last has none, so its area is left clear
    assert "ISBN 978-0-306-40615-7" in words(PdfReader(folder / "a-small-bestiary-vol-1-cover.pdf").pages[0])
    assert "ISBN" not in words(PdfReader(folder / f"a-small-bestiary-vol-{total}-cover.pdf").pages[0])


def test_a_family_longer_than_a_volume_is_cut_between_specimens_in_order(tmp_path: Path):
    """Planned from a measure (no layout): one family of six specimens of six pages each, a limit that holds
    about three of them; every specimen lands in one volume, in order, and only the first run opens the family."""
    import datetime

    from bestiary.pdf.pagination import PageNumbering, PagePlan
    from bestiary.pdf.volumes import Measured, plan_volumes
    from bestiary.views.common import STATISTICS_ANCHOR
    from bestiary.views.guide import field_guide_view
    from bestiary.views.index import INDEX_ANCHOR

    slugs = [f"role-{letter}" for letter in "abcdef"]
    book = load_book(write_book(tmp_path, {"01-only": {slug: record(f"Role {slug[-1].upper()}") for slug in slugs}}))
    guide = field_guide_view(book, datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC), with_cover=False)
    front = 6
    folios = {guide.chapters[0].target.id: "1", STATISTICS_ANCHOR: "38", INDEX_ANCHOR: "40"}
    family = next(view for view in guide.chapters if view.specimens)
    folios |= {specimen.target.id: str(2 + 6 * number) for number, specimen in enumerate(family.specimens)}
    folios[family.target.id] = "1"
    measured = Measured(guide, PagePlan((0,), (False,), PageNumbering(0, front), folios), front + 44, 0.0)
    volumes = plan_volumes(measured, 30)
    assert len(volumes) >= 3 and volumes[-1].last and not volumes[0].last
    runs = [view for volume in volumes for view in volume.chapters if view.target.id == family.target.id]
    assert len(runs) >= 2
    assert [specimen.target.id for run in runs for specimen in run.specimens] == [s.target.id for s in family.specimens]
    assert [run.with_opener for run in runs] == [True] + [False] * (len(runs) - 1)
    assert [volume.label for volume in volumes][:2] == [f"Volume I of {roman(len(volumes)).upper()}",
                                                       f"Volume II of {roman(len(volumes)).upper()}"]
