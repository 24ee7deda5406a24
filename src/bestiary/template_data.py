"""What a layout may see: plain data, never anything that reaches the file system, the process or the network.

Books are shared, and a book may bring its own layouts, so what a template can
reach is an explicit allow-list, denied by default: a type is readable only if it
is registered here, and then only the attributes named for it. Our frozen view
and model classes register themselves where they are defined (`@template_data`:
their fields, minus any `hidden`, plus the properties named); the leaf types
below (text, numbers, dates, tuples, read-only mappings) allow a few methods that
only compute on the value. The sandbox (`render`) asks `readable` for every
attribute a template reads; Jinja's own objects (loops, macros) it knows itself.

This is the documented view API of the layouts: each view's fields and the
types they hold. `Book.directory`, a `Path`, is not part of it.
"""

from __future__ import annotations

import datetime
import types
from collections.abc import Callable
from dataclasses import fields
from typing import Any, TypeVar

from markupsafe import Markup

Kind = TypeVar("Kind", bound=type)

# Methods of text that compute on the value and return text, numbers or a list of text. Left out: `format`
# and `format_map` (format specs can ask for any width), `replace`, `center`, `ljust`, `rjust`, `zfill`,
# `expandtabs`, `join` (outputs far larger than their inputs), `encode` (bytes are not data here).
_TEXT_METHODS = frozenset({
    "capitalize", "casefold", "count", "endswith", "find", "index", "isalnum", "isalpha", "isdigit", "islower",
    "isspace", "istitle", "isupper", "lower", "lstrip", "partition", "rfind", "rindex", "rpartition", "rsplit",
    "rstrip", "split", "splitlines", "startswith", "strip", "swapcase", "title", "upper",
})
_MAPPING_METHODS = frozenset({"get", "items", "keys", "values"})
_SEQUENCE_METHODS = frozenset({"count", "index"})

_ATTRIBUTES: dict[type, frozenset[str]] = {
    str: _TEXT_METHODS,
    Markup: _TEXT_METHODS | {"striptags", "unescape"},
    int: frozenset(),
    float: frozenset(),
    bool: frozenset(),
    type(None): frozenset(),
    datetime.date: frozenset({"isoformat", "year", "month", "day", "weekday", "isoweekday"}),
    tuple: _SEQUENCE_METHODS,
    list: _SEQUENCE_METHODS,  # what filters such as `list` and `sort` return, and the templates' own `[…]`
    range: _SEQUENCE_METHODS,
    types.MappingProxyType: _MAPPING_METHODS,
    dict: _MAPPING_METHODS,  # the templates' own `{…}` and `dict(…)`; the sandbox refuses to change one
}


def template_data(*properties: str, hidden: tuple[str, ...] = ()) -> Callable[[Kind], Kind]:
    """Register a frozen dataclass as data a template may read: its fields but `hidden`, and `properties`."""

    def register(kind: Kind) -> Kind:
        names = {field.name for field in fields(kind)} - set(hidden)
        _ATTRIBUTES[kind] = frozenset(names | set(properties))
        return kind

    return register


def readable_attributes(kind: type) -> frozenset[str] | None:
    """The attributes a template may read of a value of exactly this type; None for a type it may not see."""
    return _ATTRIBUTES.get(kind)


def is_data(value: Any) -> bool:
    """Whether `value` is of a type a template may see (the exact type: a subclass may add anything)."""
    return type(value) in _ATTRIBUTES


def is_method_of(value: Any, owner: Any) -> bool:
    """Whether `value` is a method bound to `owner` (`"text".upper`), which the allow-list has let through."""
    return isinstance(value, types.BuiltinMethodType | types.MethodType) and value.__self__ is owner


def data_types() -> frozenset[type]:
    """Every type a template may see (for the tests that walk what layouts can reach)."""
    return frozenset(_ATTRIBUTES)
