"""`book/book.yaml` into a frozen, validated `BookConfig`."""

from __future__ import annotations

import datetime
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from .. import errors
from ..errors import Diagnostic, RequestError
from ..template_data import template_data
from ..text.isbn import is_isbn, isbn_problem
from ..text.measures import LENGTH, PageSize, bleed_problem, page_size_problem, points
from ..text.money import is_currency
from . import schema
from .parse import KeyPath, Loaded, load_yaml_file
from .print_services import INKS, SERVICES, STOCKS, VOLUMES, PrintProfile, combination_problem, print_profile
from .record_schema import MAX_FILE_NUMBER

PAPER_SIZES = {"a4": (595.28, 841.89), "letter": (612.0, 792.0)}  # office paper for dossiers, in points
PDF_VARIANTS = ("pdf/ua-1", "pdf/a-3b")  # the field guide's tagged and archival editions
PRINT_VARIANT = "pdf/x-4"  # the print-on-demand edition (interior and cover wrap)
WORD_LIST = "words.txt"  # beside book.yaml: the book's own words, read by `check`'s proofreader, never by a build

# Printed as before profiles: by any printer, on white paper, in colour (the design's reds).
PRINT_DEFAULTS = {"service": "generic", "stock": "white", "ink": "standard-color"}


def caliper_problem(text: str) -> str | None:
    """What is wrong with a paper caliper (None for a page from 0.001 to 0.01 in thick)."""
    if not LENGTH.fullmatch(text.strip().lower()):
        return f"expected a thickness such as 0.0025in, found {text!r}"
    if not 0.001 * 72 <= points(text) <= 0.01 * 72:
        return f"expected a page from 0.001in to 0.01in thick, found {text!r}"
    return None


def hyphenation_problem(tag: str) -> str | None:
    """None when pyphen has a dictionary for `tag` (en-US, de, fr-FR…)."""
    import pyphen

    return None if tag.replace("-", "_") in pyphen.LANGUAGES else f"no hyphenation dictionary for {tag!r}"


def default_hyphenation(language: str) -> str:
    """A concrete dictionary for a book's language: English is US English unless `hyphenation` says otherwise
    (pyphen's plain `en` is British); another language uses its own tag, or its closest dictionary."""
    import pyphen

    if language.lower() == "en":
        return "en-US"
    found = pyphen.language_fallback(language.replace("-", "_"))
    return found.replace("_", "-") if found else language


_SPELLING = re.compile(r"([a-zA-Z]{2,3})(?:-([a-zA-Z]{2}))?")


def spelling_tag(tag: str) -> str:
    """A spelling dictionary's tag as Hunspell's dictionaries are named: en-US, en-GB, de."""
    match = _SPELLING.fullmatch(tag)
    if match is None:
        return tag
    language, region = match.groups()
    return language.lower() + (f"-{region.upper()}" if region else "")


def default_spelling(language: str) -> str:
    """The spelling a book's language implies: English is US English unless `spelling` says otherwise, as for
    hyphenation; another language is spelt by its own tag (its dictionary may or may not be installed)."""
    return "en-US" if language.lower() == "en" else spelling_tag(language)


@template_data()
@dataclass(frozen=True)
class FlightRiskBand:
    start: int
    level: str


@template_data()
@dataclass(frozen=True)
class PrintEditionConfig:
    """The print-on-demand edition: its identifier, the back-cover blurb, the service, paper and ink it is printed
    with, and the caliper and bleed a generic printer takes from the book."""

    identifier: str
    blurb: str | None
    service: str  # a service of `print_services.SERVICES`
    stock: str  # the paper: white or cream
    ink: str  # black, standard-color or premium-color
    paper_caliper: str  # the thickness of one page (sheet side), for the spine, at a generic printer
    bleed: str  # at a generic printer, on every edge
    max_pages: int | None = None  # the most pages a generic printer binds (a service's own table says its limit)
    volumes: str = "one"  # one of print_services.VOLUMES
    volume_identifiers: tuple[str, ...] = ()  # each volume's own identifier (an ISBN apiece), in order

    def profile(self, service: str | None = None, stock: str | None = None, ink: str | None = None) -> PrintProfile:
        """The print profile of this edition, with what the request overrides; raises `RequestError` when an
        override makes a combination the service does not offer (book.yaml's own are checked as it loads)."""
        chosen = {"service": service or self.service, "stock": stock or self.stock, "ink": ink or self.ink}
        problem = combination_problem(chosen["service"], chosen["stock"], chosen["ink"])
        if problem:
            given = ", ".join(f"--{key} {value}" for key, value in (("service", service), ("stock", stock),
                                                                   ("ink", ink)) if value)
            raise RequestError(f"{problem} ({given} over book.yaml's print_edition)")
        return print_profile(chosen["service"], chosen["stock"], chosen["ink"], bleed=points(self.bleed),
                             caliper=points(self.paper_caliper), max_pages=self.max_pages)


@template_data(hidden=("file_numbers_issued",))
@dataclass(frozen=True)
class BookConfig:
    title: str
    subtitle: str | None
    publisher: str
    kingdom: str
    language: str
    hyphenation: str  # the hyphenation dictionary's language tag, e.g. en-US for a book in English
    spelling: str  # the spelling dictionary's language tag (`check` proofreads against it), e.g. en-US
    authors: tuple[str, ...]
    edition: str
    date: datetime.date
    identifier: str
    rights: str
    classification: str
    print_edition: PrintEditionConfig
    currency: str
    keywords: tuple[str, ...]
    flight_risk_bands: tuple[FlightRiskBand, ...]
    page_size: PageSize
    bleed: str
    crop_marks: bool
    dossier_paper: str
    file_numbers_issued: int = 0  # the highest file number `new` or `number` gave: never given again
    web_base_url: str = ""  # where the web edition is published ("https://…/", with its slash); "" when not said

    def flight_risk_level(self, percent: int) -> str:
        """The level of the highest band whose start the percent reaches."""
        level = self.flight_risk_bands[0].level
        for band in self.flight_risk_bands:
            if percent >= band.start:
                level = band.level
        return level


@dataclass(frozen=True)
class Identifier(schema.Spec):
    """A UUID or an ISBN (whose check digit must be right: it is printed as a barcode)."""

    def check(self, value: object, key_path: KeyPath, report: schema.Reporter) -> str | None:
        text: str | None = schema.Pattern(
            lambda s: re.fullmatch(r"urn:uuid:[0-9a-fA-F-]{36}|(urn:)?isbn:[0-9Xx-]{10,17}", s) is not None,
            "urn:uuid:… or isbn:…").check(value, key_path, report)
        problem = isbn_problem(text) if text is not None and is_isbn(text) else None
        if problem:
            report(key_path, errors.BAD_VALUE, problem)
            return None
        return text


_IDENTIFIER = Identifier()

_BAND = schema.Mapping({
    "from": schema.Key(schema.Integer(0, 100)),
    "level": schema.Key(schema.Text(max_length=40, single_line=True)),
})

BOOK_SCHEMA = schema.Mapping({
    "title": schema.Key(schema.Text(max_length=200, single_line=True)),
    "subtitle": schema.Key(schema.Text(max_length=300, single_line=True), required=False),
    "publisher": schema.Key(schema.Text(max_length=200, single_line=True)),
    "kingdom": schema.Key(schema.Text(max_length=100, single_line=True)),
    "language": schema.Key(schema.Pattern(
        lambda s: re.fullmatch(r"[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*", s) is not None,
        "a BCP 47 language tag such as en or en-GB")),
    "hyphenation": schema.Key(schema.Pattern(
        lambda s: hyphenation_problem(s) is None, "a language with a hyphenation dictionary, such as en-US or en-GB"),
        required=False),
    "spelling": schema.Key(schema.Pattern(
        lambda s: _SPELLING.fullmatch(s) is not None, "a language and region such as en-US or en-GB"),
        required=False),
    "authors": schema.Key(schema.ListOf(schema.Text(max_length=200, single_line=True), 1, 20)),
    "edition": schema.Key(schema.Text(max_length=100, single_line=True)),
    "date": schema.Key(schema.Date()),
    "identifier": schema.Key(_IDENTIFIER),
    "rights": schema.Key(schema.Text(max_length=500, single_line=True), required=False),
    "classification": schema.Key(schema.Text(max_length=24, single_line=True), required=False,
                                 default="CLASSIFIED"),
    "currency": schema.Key(schema.Pattern(is_currency, "an ISO 4217 currency code such as USD")),
    "keywords": schema.Key(schema.ListOf(schema.Text(max_length=80, single_line=True), 0, 30),
                           required=False, default=()),
    "flight_risk_bands": schema.Key(schema.ListOf(_BAND, 1, 10)),
    "field_guide": schema.Key(schema.Mapping({
        "page_size": schema.Key(schema.Pattern(
            lambda s: page_size_problem(s) is None,
            "a page size from 3in to 17in a side, such as '4.5in 7in' or a5"), required=False, default="4.5in 7in"),
        "bleed": schema.Key(schema.Pattern(
            lambda s: bleed_problem(s) is None, "a bleed from 0 to 0.5in, such as 3mm"),
            required=False, default="0mm"),
        "crop_marks": schema.Key(schema.Boolean(), required=False, default=False),
    }), required=False),
    "dossier": schema.Key(schema.Mapping({
        "paper": schema.Key(schema.Choice(tuple(PAPER_SIZES)), required=False, default="a4"),
    }), required=False),
    "print_edition": schema.Key(schema.Mapping({
        "identifier": schema.Key(_IDENTIFIER, required=False),
        "blurb": schema.Key(schema.Text(max_length=1_500), required=False),
        "service": schema.Key(schema.Choice(tuple(SERVICES)), required=False, default=PRINT_DEFAULTS["service"]),
        "stock": schema.Key(schema.Choice(STOCKS), required=False, default=PRINT_DEFAULTS["stock"]),
        "ink": schema.Key(schema.Choice(INKS), required=False, default=PRINT_DEFAULTS["ink"]),
        "paper_caliper": schema.Key(schema.Pattern(
            lambda s: caliper_problem(s) is None, "the thickness of a page, such as 0.0025in"),
            required=False, default="0.0025in"),
        "bleed": schema.Key(schema.Pattern(
            lambda s: bleed_problem(s) is None, "a bleed from 0 to 0.5in, such as 0.125in"),
            required=False, default="0.125in"),
        "max_pages": schema.Key(schema.Integer(24, 100_000), required=False),
        "volumes": schema.Key(schema.Choice(VOLUMES), required=False, default="one"),
        "volume_identifiers": schema.Key(schema.ListOf(_IDENTIFIER, 0, 99), required=False, default=()),
    }), required=False),
    "web": schema.Key(schema.Mapping({
        "base_url": schema.Key(schema.Pattern(
            lambda s: re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", s) is not None,
            "an absolute http(s) address with no query or fragment, such as https://example.org/bestiary/"),
            required=False),
    }), required=False),
    # the high-water mark of file numbers, kept by `bestiary new` and `bestiary number` (`file_numbers`)
    "file_numbers": schema.Key(schema.Mapping({
        "issued": schema.Key(schema.Integer(0, MAX_FILE_NUMBER), required=False, default=0),
    }), required=False),
})


def _print_combination_problems(loaded: Loaded) -> list[Diagnostic]:
    """The print edition's service, stock and ink, when each is one we know, as a combination the service does not
    offer (located at the last of the three that book.yaml states); checked even when other keys are wrong."""
    edition = loaded.data.get("print_edition") if isinstance(loaded.data, dict) else None
    stated = edition if isinstance(edition, dict) else {}
    chosen = {key: str(stated.get(key) or default).strip().lower() for key, default in PRINT_DEFAULTS.items()}
    if chosen["service"] not in SERVICES or chosen["stock"] not in STOCKS or chosen["ink"] not in INKS:
        return []  # the schema has said what is wrong
    problem = combination_problem(chosen["service"], chosen["stock"], chosen["ink"])
    if problem is None:
        return []
    key = next((key for key in ("ink", "stock", "service") if key in stated), "service")
    return [loaded.source.diagnostic(("print_edition", key), errors.BAD_VALUE, problem)]


def check_paper(paper: str) -> str:
    """The paper size, if it is one we print dossiers on; raises `RequestError` otherwise."""
    if paper not in PAPER_SIZES:
        raise RequestError(f"unknown paper {paper!r}; expected {' or '.join(PAPER_SIZES)}")
    return paper


def load_config(book_dir: Path) -> tuple[BookConfig | None, list[Diagnostic]]:
    """Read and validate book.yaml; return the config or the problems found."""
    path = book_dir / "book.yaml"
    shown = errors.display_path(path)
    if not path.is_file():
        return None, [Diagnostic(shown, 1, 1, errors.BAD_BOOK_LAYOUT, "",
                                 "expected the book's settings file, found no book.yaml")]
    loaded, problems = load_yaml_file(path, shown)
    if loaded is None:
        return None, problems
    data, found = schema.validate(BOOK_SCHEMA, loaded.data, loaded.source)
    problems += found + _print_combination_problems(loaded)
    if data is None or len(problems) > len(found):
        return None, problems
    bands = tuple(FlightRiskBand(band["from"], band["level"]) for band in data["flight_risk_bands"])
    starts = [band.start for band in bands]
    if starts != sorted(set(starts)) or starts[0] != 0:
        problems.append(loaded.source.diagnostic(
            ("flight_risk_bands",), errors.BAD_VALUE,
            f"expected bands ascending from 0 with distinct starts, found starts {starts}"))
        return None, problems
    field_guide, dossier, edition = data["field_guide"], data["dossier"], data["print_edition"]
    # the print edition is another edition: its own identifier, by default derived from the book's
    derived = uuid.uuid5(uuid.NAMESPACE_URL, data["identifier"] + "#print")
    print_identifier = edition["identifier"] or f"urn:uuid:{derived}"
    return BookConfig(
        title=data["title"],
        subtitle=data["subtitle"],
        publisher=data["publisher"],
        kingdom=data["kingdom"],
        language=data["language"],
        hyphenation=data["hyphenation"] or default_hyphenation(data["language"]),
        spelling=spelling_tag(data["spelling"]) if data["spelling"] else default_spelling(data["language"]),
        authors=data["authors"],
        edition=data["edition"],
        date=data["date"],
        identifier=data["identifier"],
        rights=data["rights"] or f"Copyright \u00a9 {data['date'].year} {data['publisher']}. "
                                 "All rights reserved.",
        classification=data["classification"].upper(),
        print_edition=PrintEditionConfig(
            identifier=print_identifier, blurb=edition["blurb"], service=edition["service"], stock=edition["stock"],
            ink=edition["ink"], paper_caliper=edition["paper_caliper"], bleed=edition["bleed"],
            max_pages=edition["max_pages"], volumes=edition["volumes"],
            volume_identifiers=tuple(edition["volume_identifiers"])),
        currency=data["currency"],
        keywords=tuple(data["keywords"]),
        flight_risk_bands=bands,
        page_size=PageSize.parse(field_guide["page_size"]),
        bleed=field_guide["bleed"],
        crop_marks=field_guide["crop_marks"],
        dossier_paper=dossier["paper"],
        file_numbers_issued=data["file_numbers"]["issued"],
        web_base_url=_with_slash(data["web"]["base_url"]),
    ), problems


def _with_slash(url: str | None) -> str:
    """A base address ends with a slash, so that a page's address is the base and its file name."""
    return "" if not url else url if url.endswith("/") else url + "/"
