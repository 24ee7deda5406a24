"""The taxonomy index as the layouts draw it: the tree, names and disguises A–Z, habitats, kinship.

Every entry carries its id and its locators (where it links, and in the EPUB
the print page it cites); the print edition leaves the page text empty and
lets the stylesheet print it (`target-counter`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from ..book.model import Book, Role
from ..template_data import template_data
from ..text.markdown import plain_text
from .specimens import Links, Markers, Relations, Target

INDEX_ANCHOR = "taxonomy-index"
# The index's parts, in order. In the print edition of a book of `PARTS_FROM` specimens or more, each
# begins a page, so the field guide can lay them out apart (`chunks.cut`): the index grows with the
# whole book, a part by a quarter as fast. In a smaller book a part is shorter than a page: it runs on.
INDEX_PARTS = ("tree", "names", "habitats", "kinship")
PARTS_FROM = 12


@template_data()
@dataclass(frozen=True)
class Locator:
    href: str
    page: str  # the print folio the EPUB cites; empty in print, where the stylesheet prints it


@template_data()
@dataclass(frozen=True)
class TitleLink:
    """A locator shown as a title (and its match, in kinship)."""

    title: str
    href: str
    match: int | None = None


@template_data()
@dataclass(frozen=True)
class TreeSpecimen:
    target: Target
    title: str
    locator: Locator
    summary: str


@template_data()
@dataclass(frozen=True)
class TreeFamily:
    target: Target
    title: str
    locator: Locator
    specimens: tuple[TreeSpecimen, ...]


@template_data()
@dataclass(frozen=True)
class NameEntry:
    """A title (with its page) or an alias ("see" the title)."""

    target: Target
    term: str
    locator: Locator | None  # for a title
    see: TitleLink | None  # for an alias


@template_data()
@dataclass(frozen=True)
class LetterGroup:
    """The names under one letter of the A–Z, with the letter as a heading of its own."""

    letter: str
    target: Target
    entries: tuple[NameEntry, ...]


@template_data()
@dataclass(frozen=True)
class HabitatEntry:
    target: Target
    habitat: str
    specimens: tuple[TitleLink, ...]


@template_data()
@dataclass(frozen=True)
class KinshipEntry:
    target: Target
    title: str
    locator: Locator
    related: tuple[TitleLink, ...]
    cited_by: tuple[TitleLink, ...]


@template_data("with_opener")
@dataclass(frozen=True)
class IndexView:
    target: Target
    title_id: str
    groups: Mapping[str, Target]  # read-only: "tree", "names", "habitats", "kinship"
    kingdom: str
    tree: tuple[TreeFamily, ...]
    letters: tuple[LetterGroup, ...]
    habitats: tuple[HabitatEntry, ...]
    kinship: tuple[KinshipEntry, ...]
    parted: bool = False  # each part begins a page in print
    parts: tuple[str, ...] = INDEX_PARTS  # those drawn here; the opener goes with the first part

    @property
    def with_opener(self) -> bool:
        return self.parts[:1] == INDEX_PARTS[:1]


def sort_key(term: str) -> str:
    return plain_text(term).casefold().lstrip("'\"([\u2018\u201c")


def _letters(book: Book) -> list[tuple[str, list[tuple[str, Role, bool, int]]]]:
    """(letter, [(term, role, is_title, alias number)]) in alphabetical order; an alias points at
    its place in its role's list of aliases."""
    entries = [(role.title, role, True, 0) for role in book.roles]
    entries += [(alias, role, False, number) for role in book.roles
                for number, alias in enumerate(role.aliases, start=1)]
    by_letter: dict[str, list[tuple[str, Role, bool, int]]] = defaultdict(list)
    for entry in sorted(entries, key=lambda e: (sort_key(e[0]), e[0])):
        letter = sort_key(entry[0])[:1].upper()
        by_letter[letter if letter.isalpha() else "#"].append(entry)
    return sorted(by_letter.items())


def index_view(book: Book, found: Relations, links: Links, markers: Markers,
               page_of: Callable[[str], str]) -> IndexView:
    """The index for one output: `page_of(anchor)` is the print page it cites (empty in print)."""

    def target(anchor: str) -> Target:
        return Target(anchor, markers.get(anchor, ()))

    def locator(role: Role) -> Locator:
        return Locator(links.to_role(role), page_of(role.anchor))

    letters = []
    for letter_number, (letter, entries) in enumerate(_letters(book), start=1):
        group = f"{INDEX_ANCHOR}--letter-{letter_number}"
        letters.append(LetterGroup(letter, target(group), tuple(
            NameEntry(target(f"{group}-{number}"), term, locator(role) if is_title else None,
                      None if is_title else TitleLink(role.title, links.to_item(role, "alias", alias_number)))
            for number, (term, role, is_title, alias_number) in enumerate(entries, start=1))))
    habitats: dict[str, list[tuple[Role, int]]] = defaultdict(list)
    for role in book.roles:
        for habitat_number, habitat in enumerate(role.habitat, start=1):
            habitats[habitat].append((role, habitat_number))
    ordered_habitats = sorted(habitats.items(), key=lambda item: sort_key(item[0]))
    return IndexView(
        parted=len(book.roles) >= PARTS_FROM,
        target=target(INDEX_ANCHOR),
        title_id=f"{INDEX_ANCHOR}--title",
        groups=MappingProxyType({group: target(f"{INDEX_ANCHOR}--{group}") for group in INDEX_PARTS}),
        kingdom=book.config.kingdom,
        tree=tuple(
            TreeFamily(target(f"{INDEX_ANCHOR}--tree-{number}"), family.title,
                       Locator(links.to_chapter(family), page_of(family.anchor)),
                       tuple(TreeSpecimen(target(f"{INDEX_ANCHOR}--tree-{number}-{role_number}"), role.title,
                                          locator(role), role.summary)
                             for role_number, role in enumerate(family.roles, start=1)))
            for number, family in enumerate(book.families, start=1)
        ),
        letters=tuple(letters),
        habitats=tuple(
            HabitatEntry(target(f"{INDEX_ANCHOR}--habitat-{number}"), habitat,
                         tuple(TitleLink(role.title, links.to_item(role, "habitat", number)) for role, number in roles))
            for number, (habitat, roles) in enumerate(ordered_habitats, start=1)
        ),
        kinship=tuple(
            KinshipEntry(
                target(f"{INDEX_ANCHOR}--kin-{number}"), role.title, locator(role),
                tuple(TitleLink(r.role.title, links.to_role(r.role), r.match) for r in found.related[role.slug]),
                tuple(TitleLink(r.role.title, links.to_item(r.role, "card", r.card), r.match)
                      for r in found.cited_by.get(role.slug, ())),
            )
            for number, role in enumerate(sorted(book.roles, key=lambda role: sort_key(role.title)), start=1)
        ),
    )
