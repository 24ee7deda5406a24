"""ISBNs as `book.yaml` writes them (`isbn:978-0-306-40615-7`, `urn:isbn:0306406152`): checked, and as the
13 digits of the EAN-13 barcode a back cover carries."""

from __future__ import annotations

import re

_PREFIX = re.compile(r"^(urn:)?isbn:", re.IGNORECASE)
_SEPARATORS = re.compile(r"[-\s]")


def is_isbn(identifier: str) -> bool:
    return _PREFIX.match(identifier.strip()) is not None


def isbn_characters(identifier: str) -> str:
    """The ISBN's digits (and an ISBN-10's final X), without the prefix and the hyphens."""
    return _SEPARATORS.sub("", _PREFIX.sub("", identifier.strip())).upper()


def isbn13_check_digit(first_twelve: str) -> str:
    """EAN-13's check digit: weights 1 and 3 alternating, to a multiple of ten."""
    total = sum(int(digit) * (3 if position % 2 else 1) for position, digit in enumerate(first_twelve))
    return str(-total % 10)


def isbn10_check_digit(first_nine: str) -> str:
    """ISBN-10's check digit: weights 10 down to 2, to a multiple of eleven (10 is written X)."""
    remainder = -sum(int(digit) * (10 - position) for position, digit in enumerate(first_nine)) % 11
    return "X" if remainder == 10 else str(remainder)


def isbn_problem(identifier: str) -> str | None:
    """What is wrong with an `isbn:` identifier (None for a well-formed ISBN-10 or ISBN-13 with its check digit)."""
    shown = identifier.strip()
    characters = isbn_characters(identifier)
    if len(characters) == 13 and characters.isdigit():
        if not characters.startswith(("978", "979")):
            return f"expected an ISBN-13 beginning 978 or 979, found {shown!r}"
        wanted = isbn13_check_digit(characters[:12])
    elif len(characters) == 10 and characters[:9].isdigit() and (characters[9].isdigit() or characters[9] == "X"):
        wanted = isbn10_check_digit(characters[:9])
    else:
        return f"expected an ISBN of 10 or 13 digits, found {shown!r}"
    if characters[-1] != wanted:
        return f"expected the check digit {wanted} (a digit is mistyped), found {characters[-1]} in {shown!r}"
    return None


def ean13(identifier: str) -> str:
    """The 13 digits a barcode encodes for a valid ISBN (an ISBN-10 becomes 978…, with a new check digit)."""
    characters = isbn_characters(identifier)
    if len(characters) == 13:
        return characters
    first_twelve = "978" + characters[:9]
    return first_twelve + isbn13_check_digit(first_twelve)
