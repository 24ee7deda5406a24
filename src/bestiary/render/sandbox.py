"""The sandbox every layout runs in: it reads only data, and its work is bounded.

**Data only.** A template reads an attribute only where `template_data` allows it
(deny by default), indexes only data, and calls only macros, loop helpers, three
globals (`range`, `dict`, `namespace`) and the methods the allow-list names. Jinja's
`lipsum`, `cycler` and `joiner` are gone, and `str.format` is not reachable.

**Bounded.** Each render has a `RenderLimits` budget that grows with the book:
steps (every loop iteration and every call), characters (everything written, at every
level of nesting: a macro's output counts where it is made and again where it is
printed), and seconds. The compiled templates count as they go (`BoundedCodeGenerator`
wraps every loop's iterable, every output and every `~`); operators and filters that
could make a huge value in one step (`'a' * 10**10`, `10**10**10`, `'%999999999d'`,
`center(10**9)`) are refused before they run. Going past a limit raises
`LayoutLimitExceeded`, which the renderer reports at the template's line.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.environment import TemplateModule
from jinja2.runtime import BlockReference, Context, LoopContext, Macro, TemplateReference
from jinja2.sandbox import ImmutableSandboxedEnvironment, safe_range
from jinja2.utils import Namespace

from ..template_data import is_data, is_method_of, readable_attributes

LOOP_FILTER = "bounded_loop"  # wraps every `for` loop's iterable; a template may name it too, harmlessly
MAX_NUMBER_BITS = 65_536  # about 20,000 digits: no layout needs a larger number, and a far larger one hangs
MAX_FILTER_SIZE = 10_000  # the largest width, indent or count a size-taking filter is given
_SIZE_TAKING_FILTERS = ("batch", "center", "indent", "slice", "tojson", "truncate", "wordwrap")
_LOOP_ATTRIBUTES = frozenset({"index", "index0", "revindex", "revindex0", "first", "last", "length", "depth",
                              "depth0", "previtem", "nextitem", "cycle", "changed"})
# A printf-style width or precision: "%9999999d" asks for a line that long, "%*d" for one as long as an argument.
_FORMAT_SIZE = re.compile(r"%[-#0 +]*(?:\*|\d{5,}|\d*\.(?:\*|\d{5,}))")


# Jinja's own objects a template reads from: its namespaces, modules, loops, and undefined names (which fail loudly).
_JINJA_OWN = (Namespace, TemplateModule, TemplateReference, LoopContext, jinja2.Undefined)


class LayoutLimitExceeded(Exception):
    """A render went past its budget, or asked for one value larger than the budget allows."""


@dataclass(frozen=True)
class RenderLimits:
    """What one render of one layout may do.

    Measured on the bundled book (commit 3344baa's layouts), the whole field guide takes about
    1,100 steps and 31,000 counted characters per specimen, and 2.5 ms per specimen on one idle
    core. The limits allow about 20 times the steps, 8 times the characters (plus 8 per character
    of the book's text: a long record writes more) and 40 times the time, plus a fixed allowance
    for a small book on a slow machine: a legitimate book of any size (2,000 specimens included)
    is never stopped, while a runaway loop stops within seconds and the memory a hostile layout
    can take stays in proportion to the book.
    """

    steps: int
    characters: int
    seconds: float

    @classmethod
    def for_book(cls, specimens: int, text_characters: int) -> RenderLimits:
        """Limits for a book of `specimens` records holding `text_characters` characters of text."""
        return cls(steps=1_000_000 + 20_000 * specimens,
                   characters=16_000_000 + 250_000 * specimens + 8 * text_characters,
                   seconds=30.0 + 0.1 * specimens)


class _Budget:
    """What is left of one render's limits."""

    __slots__ = ("characters", "deadline", "limits", "steps")

    def __init__(self, limits: RenderLimits) -> None:
        self.limits = limits
        self.steps = limits.steps
        self.characters = limits.characters
        self.deadline = time.monotonic() + limits.seconds

    def step(self) -> None:
        self.steps -= 1
        if self.steps < 0:
            raise LayoutLimitExceeded(f"expected a layout that stops within {self.limits.steps:,} loop steps and "
                                      "calls (this book's limit), found one that goes on")
        if self.steps % 1024 == 0:
            self.check_time()

    def write(self, length: int) -> None:
        self.characters -= length
        if self.characters < 0:
            raise LayoutLimitExceeded(f"expected a layout that writes at most {self.limits.characters:,} "
                                      "characters (this book's limit), found one that writes more")

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise LayoutLimitExceeded(f"expected a layout that renders within {self.limits.seconds:.0f} s "
                                      "(this book's limit), found one still running")

    def fits(self, size: int, what: str) -> None:
        """Refuse, before it is made, a value of `size` characters or items larger than the whole output."""
        if size > self.limits.characters:
            raise LayoutLimitExceeded(f"expected values of at most {self.limits.characters:,} characters, "
                                      f"found {what} of {size:,}")


_local = threading.local()  # the budget of the render running in this thread (serve renders from several)


def _budget() -> _Budget | None:
    return getattr(_local, "budget", None)


class bounded_render:
    """Use as `with bounded_render(limits):` around one render: its budget, for this thread."""

    def __init__(self, limits: RenderLimits) -> None:
        self.budget = _Budget(limits)

    def __enter__(self) -> None:
        self.previous = _budget()
        _local.budget = self.budget

    def __exit__(self, *exc_info: object) -> None:
        _local.budget = self.previous


def _bounded_loop(iterable: Iterable[Any]) -> Iterator[Any]:
    budget = _budget()
    if budget is None:
        yield from iterable
        return
    for item in iterable:
        budget.step()
        yield item


def _size(value: Any) -> int:
    """How many characters or items a value weighs (a tuple counts its members' text)."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list | tuple):
        return sum(_size(item) for item in value) if len(value) < 10_000 else len(value) * max(1, _size(value[0]))
    return 1


def _check_number_bits(bits: int, what: str) -> None:
    if bits > MAX_NUMBER_BITS:
        raise LayoutLimitExceeded(f"expected numbers of at most {MAX_NUMBER_BITS:,} bits, found {what[:40]}")


def _check_format(text: Any) -> None:
    found = _FORMAT_SIZE.search(text) if isinstance(text, str) else None
    if found:
        raise LayoutLimitExceeded(f"expected %-formats with widths under 10,000, found {found.group(0)!r}")


def _guard_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """A built-in filter that refuses sizes that would make a huge value in one step."""

    def guarded(*args: Any, **kwargs: Any) -> Any:
        for argument in (*args[1:], *kwargs.values()):
            if isinstance(argument, int) and not isinstance(argument, bool) and abs(argument) > MAX_FILTER_SIZE:
                raise LayoutLimitExceeded(f"expected a size under {MAX_FILTER_SIZE:,} for the filter {name}, "
                                          f"found {argument:,}")
        return function(*args, **kwargs)

    for marker in ("jinja_pass_arg",):  # keep how Jinja passes the environment or context
        if hasattr(function, marker):
            setattr(guarded, marker, getattr(function, marker))
    return guarded


def _guarded_replace(function: Callable[..., Any]) -> Callable[..., Any]:
    def replace(eval_ctx: Any, value: Any, old: Any, new: Any, count: int | None = None) -> Any:
        budget = _budget()
        if budget is not None:
            text, old_text = str(value), str(old)
            times = text.count(old_text) if count is None or count < 0 else min(count, text.count(old_text))
            budget.fits(len(text) + times * max(0, len(str(new)) - len(old_text)), "a replace")
        return function(eval_ctx, value, old, new, count)

    return jinja2.pass_eval_context(replace)  # as Jinja's own `replace` is passed: the evaluation context first


def _guarded_format(function: Callable[..., Any]) -> Callable[..., Any]:
    def format_(value: Any, *args: Any, **kwargs: Any) -> Any:
        _check_format(value)
        return function(value, *args, **kwargs)

    return format_


class BoundedCodeGenerator(CodeGenerator):
    """Jinja's compiler, counting: every loop iteration, every piece of output and every `~` join."""

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        # before Jinja collects the filters a template uses: every loop's iterable goes through the count
        for loop in node.find_all(nodes.For):
            loop.iter = nodes.Filter(loop.iter, LOOP_FILTER, [], [], None, None, lineno=loop.iter.lineno)
        super().visit_Template(node, frame)

    def _output_const_repr(self, group: Iterable[Any]) -> str:
        return f"environment.counted({super()._output_const_repr(group)})"

    def _output_child_pre(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        self.write("environment.counted(")
        super()._output_child_pre(node, frame, finalize)

    def _output_child_post(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        super()._output_child_post(node, frame, finalize)
        self.write(")")

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.counted(")
        super().visit_Concat(node, frame)
        self.write(")")


class LayoutEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, reading only `template_data`, with a budget per render."""

    code_generator_class = BoundedCodeGenerator
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        for name in ("lipsum", "cycler", "joiner"):
            self.globals.pop(name, None)
        self._callable_globals = (safe_range, dict, Namespace)
        self.filters[LOOP_FILTER] = _bounded_loop
        for name in _SIZE_TAKING_FILTERS:
            self.filters[name] = _guard_filter(name, self.filters[name])
        self.filters["replace"] = _guarded_replace(self.filters["replace"])
        self.filters["format"] = _guarded_format(self.filters["format"])
        self._verdicts: dict[tuple[type, str], bool] = {}

    # -- what a template may read

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if attr.startswith("_"):
            return False
        kind = type(obj)
        if kind in (Namespace, TemplateModule, TemplateReference):  # names the templates made themselves
            return is_data(value) or isinstance(value, Macro | BlockReference | Namespace)
        # the verdict depends only on the type and the name: remembered, as a large book reads millions
        key = (kind, attr)
        verdict = self._verdicts.get(key)
        if verdict is None:
            allowed = _LOOP_ATTRIBUTES if kind is LoopContext else readable_attributes(kind)
            verdict = self._verdicts[key] = allowed is not None and attr in allowed
        return verdict and (is_data(value) or is_method_of(value, obj) or kind is LoopContext)

    def is_safe_callable(self, obj: Any) -> bool:
        if isinstance(obj, Macro | BlockReference | LoopContext | jinja2.Undefined):
            return True  # calling an undefined name raises its own error, which says what was refused
        if any(obj is allowed for allowed in self._callable_globals):
            return True
        owner = getattr(obj, "__self__", None)
        return owner is not None and is_method_of(obj, owner) and self.is_safe_attribute(owner, obj.__name__, obj)

    def wrap_str_format(self, value: Any) -> None:
        return None  # `str.format` is not in the allow-list: nothing to wrap

    def getitem(self, obj: Any, argument: Any) -> Any:
        if not is_data(obj) and not isinstance(obj, _JINJA_OWN):
            return self.unsafe_undefined(obj, str(argument))
        return super().getitem(obj, argument)

    def getattr(self, obj: Any, attribute: str) -> Any:
        if not is_data(obj) and not isinstance(obj, _JINJA_OWN):
            return self.unsafe_undefined(obj, attribute)
        return super().getattr(obj, attribute)

    # -- how much it may do

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        budget = _budget()
        if budget is not None:
            budget.step()
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        budget = _budget()
        if operator == "*":
            for sequence, times in ((left, right), (right, left)):
                if isinstance(times, int) and isinstance(sequence, str | list | tuple) and budget is not None:
                    budget.fits(_size(sequence) * max(times, 0), "a repeated value")
            if isinstance(left, int) and isinstance(right, int):
                _check_number_bits(left.bit_length() + right.bit_length(), f"{left} * {right}")
        elif operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
            if abs(left) > 1:
                _check_number_bits(abs(left).bit_length() * right, f"{left} ** {right}")
        elif operator == "+" and isinstance(left, str | list | tuple) and budget is not None:
            budget.fits(_size(left) + _size(right), "a joined value")
        elif operator == "%":
            _check_format(left)
        return super().call_binop(context, operator, left, right)

    def counted(self, text: Any) -> Any:
        """Count what a template writes (called by the compiled templates) and pass it on."""
        budget = _budget()
        if budget is not None:
            budget.write(len(text))
            budget.step()
        return text


def make_environment(loader: jinja2.BaseLoader) -> LayoutEnvironment:
    """The layouts' environment: autoescaping, undefined names fail loudly, whitespace trimmed."""
    return LayoutEnvironment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=True)
