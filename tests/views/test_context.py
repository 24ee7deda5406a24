"""The context stage: one view per layout, every id unique, every link pointing at an id that exists."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from bestiary.book.load import load_book
from bestiary.book.model import SECTIONS
from bestiary.pdf.pagination import PageNumbering, pagination_of, roman
from bestiary.text import running_heads
from bestiary.text.measures import PageSize
from bestiary.views.dossier import dossier_view
from bestiary.views.epub import epub_view
from bestiary.views.guide import field_guide_view
from bestiary.views.org_chart import org_chart
from bestiary.views.pages import Pagination, page_id
from bestiary.views.specimens import relations
from conftest import FIXTURE_BOOK, record, write_book

CREATED = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
BOOK = load_book(FIXTURE_BOOK)


def ids_of_specimen(specimen) -> list[str]:
    items = [*specimen.metrics, *specimen.weaponry, *specimen.jd_autopsy, *specimen.day_in_the_life,
             *specimen.burn_ward, *specimen.cards]
    return ([specimen.target.id, specimen.title_id] + [s.target.id for s in specimen.sections.values()]
            + [item.target.id for item in items])


def test_field_guide_ids_are_unique_and_every_link_has_a_target():
    guide = field_guide_view(BOOK, CREATED)
    ids = [view.target.id for view in guide.chapters]
    for chapter in guide.chapters:
        ids += [target.id for target, _, _ in chapter.blocks]
        ids += [item.id for _, _, items in chapter.blocks for item in items]
        for specimen in chapter.specimens:
            ids += ids_of_specimen(specimen)
    ids += [guide.index.target.id, *(t.id for t in guide.index.groups.values())]
    names = [entry for group in guide.index.letters for entry in group.entries]
    ids += [group.target.id for group in guide.index.letters]
    ids += [entry.target.id for entry in (*names, *guide.index.habitats, *guide.index.kinship)]
    statistics = guide.statistics
    ids += [statistics.target.id, statistics.title_id]
    for chart in statistics.charts:
        ids += [chart.target.id, chart.title_id, *(target.id for target, _ in chart.panels),
                *(target.id for target, _ in chart.rows)]
    assert len(ids) == len(set(ids))
    hrefs = [entry.href for entry in guide.contents] + [child.href for e in guide.contents for child in e.children]
    hrefs += [card.href for c in guide.chapters for s in c.specimens for card in s.cards]
    hrefs += [entry.locator.href for entry in names if entry.locator]
    hrefs += [named.href for entry in guide.index.kinship for named in (*entry.related, *entry.cited_by)]
    assert hrefs and all(href.startswith("#") and href[1:] in set(ids) for href in hrefs)
    assert guide.head.created == "2026-01-02T03:04:05+00:00"


def test_sections_carry_the_seeds_numbers_and_headings():
    specimen = field_guide_view(BOOK, CREATED).chapters[2].specimens[0]
    assert [(s.number, s.heading) for s in specimen.sections.values()] == [
        (f"{n:02d}", heading) for n, (_, heading) in enumerate(SECTIONS, start=1)]
    assert specimen.heading_level == 2 and specimen.total == len(BOOK.roles)


def test_relations_run_both_ways():
    found = relations(BOOK)
    for role in BOOK.roles:
        for relation in found.related[role.slug]:
            assert any(back.role.slug == role.slug and back.match == relation.match
                       for back in found.cited_by[relation.role.slug])


def test_epub_view_links_across_documents_and_marks_the_print_pages():
    # a made-up pagination: two roman front pages, then three body pages
    first, second = BOOK.roles[0], BOOK.roles[1]
    pagination = Pagination(("i", "ii", "1", "2", "3"), (
        ("cover",), ("contents",), (BOOK.chapters[0].anchor,), (), (first.anchor, first.section_anchor("habitat"))))
    view = epub_view(BOOK, pagination)
    # page 2 begins inside the foreword: it is marked with page 3 at the next element that begins
    assert [(p.title, p.href) for p in view.page_list] == [
        ("1", f"{BOOK.chapters[0].anchor}.xhtml#{page_id('1')}"),
        ("2", f"{first.anchor}.xhtml#{page_id('2')}"), ("3", f"{first.anchor}.xhtml#{page_id('3')}")]
    specimen = next(d.specimen for d in view.documents if d.specimen and d.specimen.role == first)
    assert [p.label for p in specimen.target.pages] == ["2", "3"]
    card = specimen.cards[0]
    assert card.href == f"{card.role.anchor}.xhtml#{card.role.anchor}"
    names = [entry for group in view.index.letters for entry in group.entries]
    entry = next(e for e in names if e.locator and e.term == first.title)
    assert entry.locator.page == "3" and entry.locator.href == f"{first.anchor}.xhtml#{first.anchor}"
    assert next(e for e in names if e.locator and e.term == second.title).locator.page == ""
    assert [d.kind for d in view.documents][:4] == ["cover", "contents", "titlepage", "chapter"]
    assert [d.kind for d in view.documents][-3:] == ["index", "colophon", "licenses"]


def test_a_dossier_links_nowhere_and_names_the_other_files():
    view = dossier_view(BOOK, "sdet", CREATED)
    assert view.specimen.role.slug == "sdet" and view.file_name == "sdet.pdf"
    assert view.issued == "2026-01-02"
    for card in view.specimen.cards:
        assert card.href is None and card.ref_label == f"(dossier {card.role.slug}.pdf)"
    assert view.head.title.startswith(f"Dossier {view.specimen.role.file_number}: ")


def test_running_titles_fit_the_head_and_end_at_a_word(tmp_path: Path):
    long_title = "Chief Executive Vice President of Strategic Synergy Realization and Alignment"
    short = record("Short Title")
    data = record(long_title)
    data["org_chart"][1] = long_title
    own = record("Head of Digital Customer Experience Transformation Programs")
    own["org_chart"][1] = own["title"]
    own["running_title"] = "Head of Digital CX"
    book = load_book(write_book(tmp_path, {"01-f": {"chief": data, "short": short, "head": own}}))
    width = running_heads.head_width(book.config.page_size)
    views = {s.role.slug: s for s in field_guide_view(book, CREATED).chapters[1].specimens}
    fitted = views["chief"].running_title
    assert fitted.endswith("…") and long_title.startswith(fitted[:-1]) and long_title[len(fitted) - 1] == " "
    assert running_heads.text_width(fitted) <= width
    assert views["short"].running_title == "Short Title" and views["head"].running_title == "Head of Digital CX"
    # narrower pages shorten more
    narrow = field_guide_view(book, CREATED, page_size=PageSize.parse("3.5in 6in")).chapters[1].specimens
    assert len(next(s for s in narrow if s.role.slug == "chief").running_title) < len(fitted)


def test_pagination_reads_folios_and_where_each_id_begins():
    html = '<p id="a"></p><p id="b"></p><p id="c"></p>'
    pagination = pagination_of([{"c", "a"}, {"c", "b"}, set()], html, PageNumbering(0, 1))
    assert pagination.labels == ("i", "1", "2")
    assert pagination.anchors_by_page == (("a", "c"), ("b",), ())
    assert pagination.folios() == {"a": "i", "c": "i", "b": "1"}
    assert PageNumbering(0, 3).labels(5) == ("i", "ii", "iii", "1", "2") and roman(1994) == "mcmxciv"
    assert PageNumbering(2, 5).labels(7) == ("Cover", "Inside cover", "i", "ii", "iii", "1", "2")


def test_org_chart_geometry():
    role = BOOK.roles[0]
    chart = org_chart(role)
    assert len(chart.boxes) == len(role.org_chart)
    assert [box.is_subject for box in chart.boxes].count(True) == 1
    for above, below in zip(chart.boxes, chart.boxes[1:], strict=False):
        assert below.connector_from == pytest.approx(above.y + above.height)
        assert below.y > above.y + above.height
        assert below.center_x == above.center_x == above.x + above.width / 2
    assert chart.height >= chart.boxes[-1].y + chart.boxes[-1].height
    assert role.title in chart.description and "(this role)" in chart.description
