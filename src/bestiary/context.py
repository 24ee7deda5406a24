"""Pure functions from a `Book` to what each layout needs. No I/O, no Jinja."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from .diagrams import OrgChart, org_chart
from .model import SECTIONS, Book, Chapter, Role
from .text import Block, markdown_blocks, plain_text


@dataclass(frozen=True)
class Card:
    """A related-specimen card: the other record, how well it matches, where it is."""

    role: Role
    match: int


@dataclass(frozen=True)
class Specimen:
    role: Role
    chapter: Chapter
    related: tuple[Card, ...]
    cited_by: tuple[Card, ...]
    sections: tuple[tuple[str, str, str], ...]  # (number "01", anchor, heading)
    chart: OrgChart
    number: int  # 1-based position in reading order


@dataclass(frozen=True)
class IndexEntry:
    term: str
    sort_key: str
    target: Role | None  # None for a cross-reference ("see …")
    see: Role | None = None


@dataclass(frozen=True)
class TaxonomyIndex:
    tree: tuple[tuple[Chapter, tuple[Role, ...]], ...]
    a_to_z: tuple[tuple[str, tuple[IndexEntry, ...]], ...]  # letter → entries
    habitats: tuple[tuple[str, tuple[Role, ...]], ...]
    relations: tuple[Specimen, ...]


def specimens(book: Book) -> tuple[Specimen, ...]:
    """Every role in reading order, with its related cards both ways."""
    by_slug = {role.slug: role for role in book.roles}
    cited: dict[str, list[Card]] = defaultdict(list)
    related_of: dict[str, tuple[Card, ...]] = {}
    for role in book.roles:
        cards = tuple(Card(by_slug[related.slug], related.match) for related in role.related)
        related_of[role.slug] = cards
        for card in cards:
            cited[card.role.slug].append(Card(role, card.match))
    return tuple(
        Specimen(
            role=role,
            chapter=book.chapter_of(role),
            related=related_of[role.slug],
            cited_by=tuple(sorted(cited[role.slug], key=lambda card: (-card.match, card.role.title))),
            sections=tuple(
                (f"{position:02d}", role.section_anchor(key), heading)
                for position, (key, heading) in enumerate(SECTIONS, start=1)
            ),
            chart=org_chart(role),
            number=number,
        )
        for number, role in enumerate(book.roles, start=1)
    )


def _sort_key(term: str) -> str:
    return plain_text(term).casefold().lstrip("'\"([")


def taxonomy_index(book: Book, all_specimens: tuple[Specimen, ...]) -> TaxonomyIndex:
    entries = [IndexEntry(role.title, _sort_key(role.title), role) for role in book.roles]
    entries += [
        IndexEntry(alias, _sort_key(alias), None, see=role)
        for role in book.roles
        for alias in role.aliases
    ]
    by_letter: dict[str, list[IndexEntry]] = defaultdict(list)
    for entry in sorted(entries, key=lambda e: (e.sort_key, e.term)):
        letter = entry.sort_key[:1].upper()
        by_letter[letter if letter.isalpha() else "#"].append(entry)
    habitats: dict[str, list[Role]] = defaultdict(list)
    for role in book.roles:
        for habitat in role.habitat:
            habitats[habitat].append(role)
    return TaxonomyIndex(
        tree=tuple((chapter, chapter.roles) for chapter in book.families),
        a_to_z=tuple((letter, tuple(items)) for letter, items in sorted(by_letter.items())),
        habitats=tuple(
            (habitat, tuple(roles))
            for habitat, roles in sorted(habitats.items(), key=lambda item: _sort_key(item[0]))
        ),
        relations=tuple(sorted(all_specimens, key=lambda s: _sort_key(s.role.title))),
    )


@dataclass(frozen=True)
class FieldGuide:
    book: Book
    specimens: tuple[Specimen, ...]
    index: TaxonomyIndex
    chapter_blocks: dict[str, tuple[Block, ...]]

    def blocks_of(self, chapter: Chapter) -> tuple[Block, ...]:
        return self.chapter_blocks[chapter.slug]

    def specimens_of(self, chapter: Chapter) -> tuple[Specimen, ...]:
        return tuple(s for s in self.specimens if s.chapter.slug == chapter.slug)

    def family_number(self, chapter: Chapter) -> int:
        return self.book.families.index(chapter) + 1


def field_guide(book: Book) -> FieldGuide:
    """Everything the field guide (and the EPUB, which shares its structure) shows."""
    all_specimens = specimens(book)
    blocks = {chapter.slug: markdown_blocks(chapter.body_markdown, chapter.anchor) for chapter in book.chapters}
    return FieldGuide(book, all_specimens, taxonomy_index(book, all_specimens), blocks)


@dataclass(frozen=True)
class Links:
    """How one output links to a specimen (or one of its sections) and to a chapter.

    `split` outputs (the EPUB) keep each chapter and specimen in a file of its own;
    the others are one document, linked by fragment only.
    """

    split: bool = False

    def role_file(self, role: Role) -> str:
        return f"{role.anchor}.xhtml" if self.split else ""

    def chapter_file(self, chapter: Chapter) -> str:
        return f"{chapter.anchor}.xhtml" if self.split else ""

    def to_role(self, role: Role, section: str | None = None) -> str:
        anchor = role.section_anchor(section) if section else role.anchor
        return f"{self.role_file(role)}#{anchor}"

    def to_chapter(self, chapter: Chapter) -> str:
        return f"{self.chapter_file(chapter)}#{chapter.anchor}"

    def template_functions(self) -> dict:
        return {"link_for": self.to_role, "link_for_chapter": self.to_chapter}


INDEX_ANCHOR = "taxonomy-index"


def epub_documents(book: Book) -> dict[str, str]:
    """Document anchor → its EPUB file. Every id is its document's anchor, alone or followed by "--…"
    (slugs never hold "--"); ids of print-only parts (cover, contents) have no document here."""
    links = Links(split=True)
    documents = {INDEX_ANCHOR: "index.xhtml"}
    documents.update({chapter.anchor: links.chapter_file(chapter) for chapter in book.chapters})
    documents.update({role.anchor: links.role_file(role) for role in book.roles})
    return documents


def document_anchor(anchor: str) -> str:
    return anchor.split("--", 1)[0]


@dataclass(frozen=True)
class Pagination:
    """Where the print edition's pages fall: each page's label, and the ids that begin on it, in order."""

    labels: tuple[str, ...]
    anchors_by_page: tuple[tuple[str, ...], ...]


def page_breaks(book: Book, pagination: Pagination) -> dict[str, tuple[str, ...]]:
    """Anchor id → labels of the print pages that begin just before it, for the body pages.

    A page marker goes at the first element the EPUB shares that begins on that page; a page
    that begins and ends inside one element is marked just before the next element that begins.
    Front matter (roman folios) has no counterpart in the EPUB and is not marked.
    """
    documents = epub_documents(book)
    breaks: dict[str, list[str]] = defaultdict(list)
    waiting: list[str] = []
    for label, anchors in zip(pagination.labels, pagination.anchors_by_page, strict=True):
        if not label.isdigit():
            continue
        waiting.append(label)
        first = next((anchor for anchor in anchors if document_anchor(anchor) in documents), None)
        if first is not None:
            breaks[first] += waiting
            waiting = []
    return {anchor: tuple(labels) for anchor, labels in breaks.items()}


def page_list(book: Book, breaks: dict[str, tuple[str, ...]]) -> tuple[tuple[str, str], ...]:
    """(label, href) for the EPUB navigation's page-list, in page order."""
    documents = epub_documents(book)
    entries = [(label, f"{documents[document_anchor(anchor)]}#page-{label}")
               for anchor, labels in breaks.items() for label in labels]
    return tuple(sorted(entries, key=lambda entry: int(entry[0])))


def print_pages(pagination: Pagination) -> dict[str, str]:
    """Anchor id → the folio of the print page it begins on (the EPUB index cites print pages)."""
    pages: dict[str, str] = {}
    for label, anchors in zip(pagination.labels, pagination.anchors_by_page, strict=True):
        for anchor in anchors:
            pages.setdefault(anchor, label)
    return pages
