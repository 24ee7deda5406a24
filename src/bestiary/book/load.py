"""The loading stage: a book folder into a validated `Book`, or every problem found in it.

Walks `book/` (settings, chapters, family folders, records and the book's own
layouts), refuses what does not belong (links leading outside the book, files
that are not regular files), parses and validates each file, and hands the
records to `model` for the book-wide checks. Editor litter (`.#x.yaml`,
`x.yaml~`, `#x.yaml#`, swap files) is ignored. Beside `book.yaml` nothing else
is read, so `role.schema.json` there (for editors: `json_schema`) is no concern.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from .. import errors
from ..errors import Diagnostic, InputError
from ..resources import fonts_dir, is_inside, real_path
from ..text import running_heads
from ..text.markdown import typeset
from . import schema
from .config import BookConfig, load_config
from .file_numbers import file_number_label, file_number_prefix, number_records, with_hints
from .layout_files import check_book_layouts
from .model import Book, Chapter, RecordFile, RelatedEntry, Role, assemble_book, check_records, role_from_record
from .parse import SourceMap, load_markdown_file, load_yaml_file
from .record_schema import FRONT_MATTER_SCHEMA, ROLE_SCHEMA, check_chapter_body, check_glyphs, check_role

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
CHAPTER_NAME = re.compile(r"^(\d+)-([a-z0-9]+(?:-[a-z0-9]+)*)(\.md)?$")


def is_editor_litter(name: str) -> bool:
    """Hidden files (`.swp`, `.#x.yaml`), backups (`x.yaml~`) and autosaves (`#x.yaml#`): not the book's."""
    return name.startswith(".") or name.endswith("~") or (len(name) > 1 and name.startswith("#") and name.endswith("#"))


def load_book(book_dir: Path) -> Book:
    """Load and validate a whole book folder; raise `InputError` with every problem found."""
    loader = _Loader(book_dir)
    return loader.load()


def read_records(book_dir: Path) -> tuple[list[RecordFile], list[Diagnostic]]:
    """Every record file of the book in reading order, valid or not, and every problem of the book's files found
    on the way (not the book-wide ones): what `bestiary new` and `bestiary number` need of a book still in
    progress. Raises `InputError` only for a book without a chapters/ folder."""
    loader = _Loader(book_dir)
    loader.walk()
    return loader.records, loader.problems


class _Loader:
    """One walk of one book folder, collecting problems instead of stopping at the first."""

    def __init__(self, book_dir: Path):
        self.book_dir = book_dir
        self.root = real_path(book_dir)
        self.problems: list[Diagnostic] = []
        self.records: list[RecordFile] = []
        self.config: BookConfig | None = None
        self.unlisted = False  # a folder could not be listed: records in it are unknown

    def load(self) -> Book:
        chapters = self.walk()
        found, resolved = check_records(self.records, all_known=not self.unlisted)
        self.problems += found
        config = self.config
        issued = config.file_numbers_issued if config is not None else 0
        prefix = file_number_prefix(config.publisher, config.kingdom) if config is not None else None
        numbering = number_records(self.records, issued, prefix)
        self.problems = with_hints([*self.problems, *numbering.problems], self.records, numbering.next_free)
        failed = any(not problem.is_warning for problem in self.problems)
        if not any(chapter.roles for chapter in chapters) and not failed:
            # a bestiary needs a specimen: the contents, the index and the EPUB's index are built from them
            self.problems.append(Diagnostic(errors.display_path(self.book_dir / "chapters"), 1, 1,
                                            errors.BAD_BOOK_LAYOUT, "",
                                            "expected at least one family folder with a role record, found none"))
        if config is None or prefix is None or any(not problem.is_warning for problem in self.problems):
            raise InputError(self.problems)
        printed = {slug: file_number_label(prefix, number) for slug, number in numbering.numbers.items()}
        return assemble_book(config, self.book_dir, chapters, resolved, printed, self.problems)

    def walk(self) -> list[Chapter]:
        """Read `book.yaml` and every chapter and record, collecting their problems; the chapters found."""
        self.config, found = load_config(self.book_dir)
        self.problems += found
        self.problems += check_book_layouts(self.book_dir)
        chapters_dir = self.book_dir / "chapters"
        if not chapters_dir.is_dir():
            self.problems.append(Diagnostic(errors.display_path(self.book_dir), 1, 1, errors.BAD_BOOK_LAYOUT, "",
                                            "expected a chapters/ folder, found none"))
            raise InputError(self.problems)
        chapters: list[Chapter] = []
        for entry in sorted(self._entries(chapters_dir) or [], key=_chapter_order):
            chapter = self._chapter(entry)
            if chapter is None:
                continue
            twin = next((other for other in chapters if other.slug == chapter.slug), None)
            if twin is not None:  # anchors and EPUB file names come from the slug
                self.problems.append(Diagnostic(errors.display_path(entry), 1, 1, errors.DUPLICATE_SLUG, "",
                                                f"expected a unique chapter name, found '{chapter.slug}' also in "
                                                f"{twin.source_path}"))
                continue
            chapters.append(chapter)
        return chapters

    def _entries(self, folder: Path) -> list[Path] | None:
        """The folder's entries that belong to the book: inside it (links resolved) and not editor litter.

        None, with the problem reported, when the folder cannot be listed."""
        try:
            names = sorted(entry.name for entry in folder.iterdir())
        except OSError as error:
            reason = ("a folder this user may not read (permission denied)" if isinstance(error, PermissionError)
                      else f"a folder that cannot be listed ({error.strerror or error})")
            self.problems.append(Diagnostic(errors.display_path(folder), 1, 1, errors.UNREADABLE, "",
                                            f"expected a readable folder, found {reason}"))
            self.unlisted = True
            return None
        entries = []
        for name in names:
            if is_editor_litter(name):
                continue
            entry = folder / name
            real = real_path(entry)
            if real is None:
                self.problems.append(Diagnostic(errors.display_path(entry), 1, 1, errors.UNREADABLE, "",
                                                "expected a file, found a symbolic link that loops"))
            elif self.root is None or not is_inside(real, (self.root,)):
                self.problems.append(_outside_book(errors.display_path(entry)))
            else:
                entries.append(entry)
        return entries

    def _chapter(self, entry: Path) -> Chapter | None:
        match = CHAPTER_NAME.match(entry.name)
        if not match or (not entry.is_dir() and not entry.name.endswith(".md")):
            self.problems.append(Diagnostic(errors.display_path(entry), 1, 1, errors.BAD_BOOK_LAYOUT, "",
                                            "expected a chapter named like 02-family/ or 00-foreword.md, "
                                            f"found '{entry.name}'"))
            return None
        number, slug = int(match.group(1)), match.group(2)
        if entry.is_dir():
            return self._family(entry, number, slug)
        return self._prose(entry, number, slug)

    def _prose(self, path: Path, number: int, slug: str) -> Chapter | None:
        shown = errors.display_path(path)
        document, found = load_markdown_file(path, shown)
        self.problems += found
        if document is None or document.front_matter is None:
            return None
        meta, found = schema.validate(FRONT_MATTER_SCHEMA, document.front_matter.data, document.front_matter.source)
        self.problems += found
        self.problems += check_chapter_body(document.body, document.body_line, shown, fonts_dir())
        if meta is None:
            return None
        return Chapter(number, slug, f"chapter-{slug}", typeset(meta["title"]),
                       typeset(meta["subtitle"]) if meta["subtitle"] else None, document.body, shown, ())

    def _family(self, directory: Path, number: int, slug: str) -> Chapter | None:
        entries = self._entries(directory)
        if entries is None:
            return None
        intro = next((entry for entry in entries if entry.name == "chapter.md"), None)
        if intro is None:
            if not (directory / "chapter.md").is_symlink():  # a link out of the book is reported already
                self.problems.append(Diagnostic(errors.display_path(directory), 1, 1, errors.BAD_BOOK_LAYOUT, "",
                                                "expected a chapter.md with the family's title, found none"))
            chapter = None
        else:
            chapter = self._prose(intro, number, slug)
        roles = []
        for path in entries:
            if path.name != "chapter.md":
                role = self._record(path, slug)
                if role is not None:
                    roles.append(role)
        if chapter is None:
            return None
        return Chapter(chapter.number, chapter.slug, chapter.anchor, chapter.title, chapter.subtitle,
                       chapter.body_markdown, chapter.source_path, tuple(roles))

    def _record(self, path: Path, chapter_slug: str) -> Role | None:
        shown = errors.display_path(path)
        if path.suffix not in (".yaml", ".yml") or path.is_dir():
            self.problems.append(Diagnostic(shown, 1, 1, errors.BAD_BOOK_LAYOUT, "",
                                            f"expected role records named <slug>.yaml, found '{path.name}'"))
            return None
        if not SLUG.match(path.stem):
            self.problems.append(Diagnostic(shown, 1, 1, errors.BAD_SLUG, "",
                                            "expected a file name of lower-case words joined by hyphens, "
                                            f"found '{path.name}'"))
            return None
        loaded, found = load_yaml_file(path, shown)
        self.problems += found
        if loaded is None:
            self.records.append(RecordFile(path.stem, shown, None, None, (), None))
            return None
        raw = loaded.data if isinstance(loaded.data, dict) else {}
        source = loaded.source if isinstance(loaded.data, dict) else None  # not a record at all: E107 below
        data, found = schema.validate(ROLE_SCHEMA, loaded.data, loaded.source)
        self.problems += found
        role = None
        if data is not None:
            found = check_role(data, loaded.source)
            self.problems += found
            if not found and self.config is not None:
                self.problems += check_glyphs(loaded.data, loaded.source, fonts_dir())
                role = role_from_record(path.stem, chapter_slug, shown, data, self.config)
                self.problems += _running_title_problems(role, self.config, loaded.source)
        title = raw.get("title") if isinstance(raw.get("title"), str) else None
        self.records.append(RecordFile(path.stem, shown, source, title, _named_roles(raw), role,
                                       raw.get("file_number")))
        return role


def _running_title_problems(role: Role, config: BookConfig, source: SourceMap) -> list[Diagnostic]:
    """A record's own running title should fit the running head (at the book's page size) as given."""
    if role.running_title is None:
        return []
    width = running_heads.head_width(config.page_size)
    fitted = running_heads.fit(role.running_title, width)
    if fitted == role.running_title:
        return []
    found = running_heads.text_width(role.running_title)
    return [source.diagnostic(("running_title",), errors.LONG_RUNNING_TITLE,
                              f"expected a running title that fits the running head ({width:.0f}pt at "
                              f"{config.page_size.text}), found one of {found:.0f}pt; it will print as {fitted!r}")]


def _named_roles(raw: Mapping[object, object]) -> tuple[RelatedEntry, ...]:
    """The `related` entries of a record as written, even when the record has other errors."""
    entries = raw.get("related")
    if not isinstance(entries, list):
        return ()
    return tuple(RelatedEntry(position, entry["role"], entry.get("match") if _is_match(entry.get("match")) else None)
                 for position, entry in enumerate(entries)
                 if isinstance(entry, dict) and isinstance(entry.get("role"), str) and entry["role"].strip())


def _is_match(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _outside_book(shown: str) -> Diagnostic:
    return Diagnostic(shown, 1, 1, errors.BAD_BOOK_LAYOUT, "",
                      "expected a file inside the book folder, found a symbolic link leading outside it")


def _chapter_order(entry: Path) -> tuple[int, str]:
    match = CHAPTER_NAME.match(entry.name)
    return (int(match.group(1)) if match else 10**9, entry.name)
