"""The run-time bounds of diagram scripts: time, loop turns, and the size of what one operation can build.

A :class:`Budget` is made for each script run; the restricted code calls it at every loop turn and function call
(``_tick_``), for every iteration (``_getiter_``), for the operators that can build a large object in one step
(``_binop_``, ``_inplacevar_``), for ``range`` and for attribute access (``_getattr_``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from RestrictedPython.Guards import safer_getattr_raise

from domain.errors import InvalidInput

# Methods that ask the clock of the machine instead of the engine's injected clock.
_WALL_CLOCK_METHODS = frozenset({"now", "today", "utcnow", "fromtimestamp", "utcfromtimestamp"})
_PERCENT_WIDTH = re.compile(r"%[-+ #0]*(\*|\d+)?(?:\.(\*|\d+))?")
_INT_BITS_LIMIT = 64_000


class ScriptRejected(InvalidInput):
    """A script or expression does not compile under the restrictions."""

    code = "script_rejected"
    title = "Script rejected"


class ScriptLimitExceeded(InvalidInput):
    """A running script went past a bound: time, iterations, size of what it builds, or task data size."""

    code = "script_limit_exceeded"
    title = "Script stopped"


@dataclass(frozen=True)
class ScriptLimits:
    """The bounds every script and expression runs under."""

    timeout_ms: int = 500
    max_iterations: int = 1_000_000
    max_sequence: int = 100_000
    task_data_bytes: int = 1_048_576


class Budget:
    """Counts loop turns and watches the deadline of one script run."""

    __slots__ = ("deadline", "limits", "turns")

    def __init__(self, limits: ScriptLimits) -> None:
        self.limits = limits
        self.deadline = time.monotonic() + limits.timeout_ms / 1000
        self.turns = 0

    def tick(self) -> None:
        self.turns += 1
        if self.turns > self.limits.max_iterations:
            raise ScriptLimitExceeded(
                f"script ran more than {self.limits.max_iterations} loop iterations", code="script_iterations"
            )
        if time.monotonic() > self.deadline:
            raise ScriptLimitExceeded(f"script ran longer than {self.limits.timeout_ms} ms", code="script_timeout")

    def iterate(self, iterable: Iterable[Any]) -> Iterator[Any]:
        for item in iterable:
            self.tick()
            yield item

    def size(self, n: int, what: str) -> None:
        if n > self.limits.max_sequence:
            raise ScriptLimitExceeded(
                f"{what} would hold {n} items, more than {self.limits.max_sequence}", code="script_too_large"
            )

    def binop(self, op: str, a: Any, b: Any) -> Any:
        sized = (str, bytes, list, tuple)
        if op == "*":
            if isinstance(a, sized) and isinstance(b, int):
                self.size(len(a) * b, "a repeated sequence")
            elif isinstance(b, sized) and isinstance(a, int):
                self.size(len(b) * a, "a repeated sequence")
            return a * b
        if op == "+":
            if isinstance(a, sized) and isinstance(b, sized):
                self.size(len(a) + len(b), "a concatenation")
            return a + b
        if op == "**":
            big = isinstance(a, int) and isinstance(b, int) and b > 0 and abs(a) > 1
            if big and abs(a).bit_length() * b > _INT_BITS_LIMIT:
                raise ScriptLimitExceeded("power too large", code="script_too_large")
            return a**b
        if op == "<<":
            if isinstance(b, int) and b > _INT_BITS_LIMIT:
                raise ScriptLimitExceeded("shift too large", code="script_too_large")
            return a << b
        if isinstance(a, str):  # "%" formatting
            for width, precision in _PERCENT_WIDTH.findall(a):
                for value in (width, precision):
                    if value == "*" or (value and int(value) > 1000):
                        raise ScriptLimitExceeded("format width too large", code="script_too_large")
        return a % b

    def inplace(self, op: str, a: Any, b: Any) -> Any:
        symbol = op[:-1]
        if symbol in ("*", "+", "**", "<<", "%"):
            return self.binop(symbol, a, b)
        return _INPLACE[symbol](a, b)

    def range(self, *args: int) -> range:
        r = range(*args)
        self.size(len(r), "a range")
        return r

    def getattr(self, obj: Any, name: str) -> Any:
        if name in _WALL_CLOCK_METHODS and (isinstance(obj, (date, type)) and _is_clock_type(obj)):
            raise ScriptLimitExceeded(
                f"{name}() reads the machine's clock; call now() or today() instead", code="script_wall_clock"
            )
        value = safer_getattr_raise(obj, name)  # type: ignore[no-untyped-call]
        if isinstance(obj, str) and name in ("ljust", "rjust", "center", "zfill"):
            return self._width_checked(value)
        if isinstance(obj, str) and name == "replace":
            return self._replace_checked(obj)
        if isinstance(obj, str) and name == "expandtabs":
            return lambda tabsize=8: self._checked_call(len(obj) * max(tabsize, 1), obj.expandtabs, tabsize)
        if isinstance(obj, list) and name == "extend":
            return lambda items: self._extend(obj, items)
        return value

    def _width_checked(self, method: Callable[..., Any]) -> Callable[..., Any]:
        def checked(width: int, *rest: Any) -> Any:
            self.size(width, "a padded string")
            return method(width, *rest)

        return checked

    def _replace_checked(self, text: str) -> Callable[..., str]:
        def checked(old: str, new: str, count: int = -1) -> str:
            hits = text.count(old) if count < 0 else min(count, text.count(old))
            self.size(len(text) + hits * max(len(new) - len(old), 0), "a replaced string")
            return text.replace(old, new, count)

        return checked

    def _checked_call(self, n: int, method: Callable[..., Any], *args: Any) -> Any:
        self.size(n, "a string")
        return method(*args)

    def _extend(self, target: list[Any], items: Iterable[Any]) -> None:
        items = list(self.iterate(items))
        self.size(len(target) + len(items), "a list")
        target.extend(items)


def _is_clock_type(obj: Any) -> bool:
    return obj in (date, datetime) or isinstance(obj, date)


_INPLACE: dict[str, Callable[[Any, Any], Any]] = {
    "-": lambda a, b: a - b,
    "/": lambda a, b: a / b,
    "//": lambda a, b: a // b,
    "&": lambda a, b: a & b,
    "|": lambda a, b: a | b,
    "^": lambda a, b: a ^ b,
    ">>": lambda a, b: a >> b,
}
