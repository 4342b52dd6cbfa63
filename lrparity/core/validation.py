"""Argument checks shared by every schedule: each error names the parameter, its value and the allowed range."""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

__all__ = [
    "check_bool",
    "check_choice",
    "check_int",
    "check_int_sequence",
    "check_nesting",
    "check_number",
    "check_number_sequence",
    "closest_key_hint",
]


def _where(owner: str, name: str) -> str:
    return f"{owner}: {name}" if owner else name


MAX_INT = 2**53
"""Largest magnitude of an int parameter (a count of steps, epochs or cycles, a seed, an int-valued number): float64
holds every int up to it, and step arithmetic on int64 arrays cannot overflow. Larger ints made numpy raise
OverflowError (or wrap) when the schedule was evaluated."""


def _huge(value: int) -> str:
    """A too-large int for a message (its digits when they are few enough to read)."""
    return str(value) if value.bit_length() <= 256 else f"an int of {value.bit_length()} bits"


def check_int(owner: str, name: str, value: Any, *, minimum: int | None = None) -> int:
    """An int (Python or numpy, not bool) >= ``minimum`` and <= :data:`MAX_INT`; returned as a Python int."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{_where(owner, name)} must be an int, got {value!r} ({type(value).__name__})")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{_where(owner, name)} must be an int >= {minimum}, got {value}")
    if abs(value) > MAX_INT:
        raise ValueError(f"{_where(owner, name)} must be an int <= 2**53 = {MAX_INT} in magnitude, got {_huge(value)}")
    return value


def check_number(
    owner: str,
    name: str,
    value: Any,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float | int:
    """A finite real number (not bool) within the given bounds; returned unchanged (ints stay ints)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{_where(owner, name)} must be a real number, got {value!r} ({type(value).__name__})")
    if isinstance(value, (np.floating, np.integer)):
        value = value.item()
    if isinstance(value, numbers.Integral) and abs(value) > MAX_INT:
        raise ValueError(
            f"{_where(owner, name)} must be at most 2**53 = {MAX_INT} in magnitude as an int (write a float), got "
            f"{_huge(value)}"
        )
    if not math.isfinite(value):
        raise ValueError(f"{_where(owner, name)} must be finite, got {value!r}")
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        lo = "-inf" if low is None else repr(low)
        hi = "inf" if high is None else repr(high)
        raise ValueError(f"{_where(owner, name)} must be in {left}{lo}, {hi}{right}, got {value!r}")
    return value


def check_bool(owner: str, name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{_where(owner, name)} must be a bool, got {value!r} ({type(value).__name__})")
    return bool(value)


def check_choice(owner: str, name: str, value: Any, choices: Sequence[str]) -> str:
    """One of ``choices`` (compared case-insensitively, as paddle does); returned in canonical case."""
    if not isinstance(value, str):
        raise TypeError(f"{_where(owner, name)} must be one of {list(choices)}, got {value!r}")
    for choice in choices:
        if value.lower() == choice.lower():
            return choice
    raise ValueError(
        f"{_where(owner, name)} must be one of {list(choices)}, got {value!r}{closest_key_hint(value, choices)}"
    )


def check_int_sequence(
    owner: str, name: str, value: Any, *, minimum: int = 0, strictly_increasing: bool = False, allow_empty: bool = False
) -> tuple[int, ...]:
    """A sorted sequence of ints >= ``minimum`` as a new tuple (the caller's list is never touched)."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(f"{_where(owner, name)} must be a list of ints, got {value!r}")
    items = tuple(check_int(owner, f"{name}[{i}]", v, minimum=minimum) for i, v in enumerate(value))
    if not items and not allow_empty:
        raise ValueError(f"{_where(owner, name)} must not be empty")
    for i in range(1, len(items)):
        if items[i] < items[i - 1] or (strictly_increasing and items[i] == items[i - 1]):
            order = "strictly increasing" if strictly_increasing else "sorted (non-decreasing)"
            raise ValueError(f"{_where(owner, name)} must be {order}, got {list(items)}")
    return items


def check_number_sequence(owner: str, name: str, value: Any, *, low: float | None = None) -> tuple[float | int, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(f"{_where(owner, name)} must be a list of numbers, got {value!r}")
    items = tuple(check_number(owner, f"{name}[{i}]", v, low=low) for i, v in enumerate(value))
    if not items:
        raise ValueError(f"{_where(owner, name)} must not be empty")
    return items


MAX_NESTING = 50
"""Deepest nesting of user data (mappings and lists in each other) that the entry points read."""


def check_nesting(owner: str, name: str, value: Any, limit: int = MAX_NESTING) -> None:
    """ValueError when ``value`` nests mappings/lists/tuples more than ``limit`` levels deep (walked without
    recursion: deeper data would end in a RecursionError, if only when an error message shows it)."""
    stack = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            raise ValueError(f"{_where(owner, name)} is nested more than {limit} levels deep")
        if isinstance(node, Mapping):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, (list, tuple)):
            stack.extend((v, depth + 1) for v in node)


def closest_key_hint(key: str, valid: Iterable[str]) -> str:
    """' (did you mean 'x'?)' when a valid key is close to ``key``, else ''."""
    match = difflib.get_close_matches(key, list(valid), n=1, cutoff=0.5)
    return f" (did you mean {match[0]!r}?)" if match else ""
