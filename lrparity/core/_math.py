"""Two evaluation modes for one formula: Python floats (O(1) per step) and numpy arrays (a whole curve).

Every schedule writes its formula once, against a *math namespace* ``m``: :data:`SCALAR` when it is
evaluated at one step, :data:`ARRAY` when it is evaluated on an integer array. Python operators
(``+ - * / // %``) behave bit-identically on floats and on float64 arrays; transcendental functions and
``**`` do not always: numpy's SIMD kernels for ``exp``, ``log`` and ``power`` may differ from the C library
by one ulp. :data:`ARRAY` therefore checks, once per process and function, that numpy's kernel agrees with
Python's ``math`` module on a probe set; where it does not, it evaluates the Python function on the distinct
arguments only. The result: ``schedule(t)`` and ``schedule.values([t])`` are bit-identical, and both are
bit-identical to the natives, which compute with Python's ``math`` module.
"""

from __future__ import annotations

import bisect
import itertools
import math
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache, lru_cache
from typing import Any

import numpy as np

__all__ = ["ARRAY", "SCALAR", "ArrayMath", "ScalarMath"]


def _py_pow(base: Any, exponent: Any) -> float:
    """Python's float ``**`` (C ``pow``), with an overflow giving inf (as the natives' recursions do)."""
    try:
        return float(base) ** exponent
    except OverflowError:
        return math.inf


class ScalarMath:
    """Math namespace for one step: plain Python floats and ints."""

    is_array = False
    cos = staticmethod(math.cos)
    exp = staticmethod(math.exp)
    log = staticmethod(math.log)
    tanh = staticmethod(math.tanh)
    sqrt = staticmethod(math.sqrt)
    floor = staticmethod(math.floor)
    ceil = staticmethod(math.ceil)

    pow = staticmethod(_py_pow)

    @staticmethod
    def where(cond: Any, a: Any, b: Any) -> Any:
        return a if cond else b

    @staticmethod
    def minimum(a: Any, b: Any) -> Any:
        return a if a <= b else b

    @staticmethod
    def maximum(a: Any, b: Any) -> Any:
        return a if a >= b else b

    @staticmethod
    def count_le(sorted_values: tuple, t: Any) -> Any:
        """Number of entries of ``sorted_values`` that are <= t."""
        return bisect.bisect_right(sorted_values, t)

    @staticmethod
    def count_lt(sorted_values: tuple, t: Any) -> Any:
        """Number of entries of ``sorted_values`` that are < t."""
        return bisect.bisect_left(sorted_values, t)

    @staticmethod
    def take(values: tuple, index: Any) -> Any:
        return values[index]

    @staticmethod
    def apply(fn: Callable[[Any], Any], x: Any) -> float:
        return fn(x)

    @staticmethod
    def any(cond: Any) -> bool:
        return bool(cond)


def _elementwise(fn: Callable[..., float], *args: np.ndarray) -> np.ndarray:
    """``fn`` applied with Python floats on the distinct argument tuples, broadcast back."""
    arrays = np.broadcast_arrays(*[np.asarray(a) for a in args])
    shape = arrays[0].shape
    if len(arrays) == 1:
        uniq, inverse = np.unique(arrays[0], return_inverse=True)
        out = np.fromiter((fn(x) for x in uniq.tolist()), dtype=np.float64, count=uniq.size)
        return out[inverse].reshape(shape)
    flat = [a.ravel().tolist() for a in arrays]
    out = np.fromiter((fn(*xs) for xs in zip(*flat)), dtype=np.float64, count=arrays[0].size)
    return out.reshape(shape)


def _probe() -> np.ndarray:
    rng = np.random.default_rng(20261123)
    steps = np.arange(0, 4096, dtype=np.float64)
    periods = np.array([1, 3, 7, 10, 97, 100, 333, 1000, 4096, 10**5], dtype=np.float64)
    pi_grid = (math.pi * steps[None, :] / periods[:, None]).ravel()
    return np.concatenate([pi_grid, rng.uniform(-50.0, 50.0, 8192), -rng.uniform(0, 5e-3, 2048) * steps[:2048]])


@cache
def _numpy_agrees(name: str) -> bool:
    """True if numpy's ``name`` kernel is bit-identical to Python's on the probe set (checked once)."""
    x = _probe()
    if name == "cos":
        return bool(np.array_equal(np.cos(x), np.array([math.cos(v) for v in x.tolist()])))
    if name == "exp":
        x = x / 60.0
        return bool(np.array_equal(np.exp(x), np.array([math.exp(v) for v in x.tolist()])))
    if name == "log":
        x = np.abs(x) + 1e-3
        return bool(np.array_equal(np.log(x), np.array([math.log(v) for v in x.tolist()])))
    if name == "tanh":
        x = x / 10.0
        return bool(np.array_equal(np.tanh(x), np.array([math.tanh(v) for v in x.tolist()])))
    if name == "pow":
        base = np.random.default_rng(7).uniform(0.5, 0.9999, 4096)
        expo = np.resize(np.arange(0, 2048, dtype=np.float64), base.shape) * 0.37
        expo[::2] = np.round(expo[::2])  # integer exponents too (gamma ** t)
        ref = np.array([b**e for b, e in zip(base.tolist(), expo.tolist())])
        with np.errstate(all="ignore"):
            return bool(np.array_equal(np.power(base, expo), ref))
    raise KeyError(name)


@lru_cache(maxsize=1024)
def _numpy_pow_agrees_at(exponent: float) -> bool:
    """True if ``np.power(x, exponent)`` is bit-identical to Python's ``x ** exponent`` on a probe of bases.

    numpy replaces some exponents by other kernels (2 by a square, 0.5 by a square root, -1 by a reciprocal),
    which need not round as C ``pow`` does (seen: ``x ** 2.0`` one ulp off ``x * x`` on some machines), so the
    general probe does not speak for them: each scalar exponent is checked on its own (cached).
    """
    rng = np.random.default_rng(11)
    base = np.concatenate([rng.uniform(1e-3, 2.0, 4096), 1.0 - np.arange(1, 4096) / 4096.0, np.arange(1.0, 1025.0)])
    ref = np.fromiter((_py_pow(b, exponent) for b in base.tolist()), dtype=np.float64, count=base.size)
    with np.errstate(all="ignore"):
        return bool(np.array_equal(np.power(base, exponent), ref))


_PARALLEL_MIN = 1 << 18
"""Arrays at least this long are split across threads (numpy releases the GIL inside ufuncs)."""


def _workers() -> int:
    return min(os.cpu_count() or 1, 8)


@cache
def _pool() -> ThreadPoolExecutor | None:
    return ThreadPoolExecutor(max_workers=_workers(), thread_name_prefix="lrparity") if _workers() > 1 else None


def _ufunc(fn: np.ufunc, x: Any) -> np.ndarray:
    """``fn(x)`` for a float64 array, in chunks on a thread pool when it is long (same values, element by element)."""
    x = np.asarray(x, dtype=np.float64)
    pool = _pool() if x.size >= _PARALLEL_MIN and x.ndim == 1 else None
    if pool is None:
        return fn(x)
    out = np.empty_like(x)
    bounds = np.linspace(0, x.size, _workers() + 1).astype(np.int64).tolist()
    jobs = [pool.submit(fn, x[a:b], out=out[a:b]) for a, b in itertools.pairwise(bounds)]
    for job in jobs:
        job.result()
    return out


class ArrayMath:
    """Math namespace for numpy arrays, bit-identical to :class:`ScalarMath` element by element."""

    is_array = True
    sqrt = staticmethod(np.sqrt)
    floor = staticmethod(np.floor)
    ceil = staticmethod(np.ceil)
    where = staticmethod(np.where)
    minimum = staticmethod(np.minimum)
    maximum = staticmethod(np.maximum)

    @staticmethod
    def cos(x: Any) -> np.ndarray:
        return _ufunc(np.cos, x) if _numpy_agrees("cos") else _elementwise(math.cos, x)

    @staticmethod
    def exp(x: Any) -> np.ndarray:
        return _ufunc(np.exp, x) if _numpy_agrees("exp") else _elementwise(math.exp, x)

    @staticmethod
    def log(x: Any) -> np.ndarray:
        return _ufunc(np.log, x) if _numpy_agrees("log") else _elementwise(math.log, x)

    @staticmethod
    def tanh(x: Any) -> np.ndarray:
        return _ufunc(np.tanh, x) if _numpy_agrees("tanh") else _elementwise(math.tanh, x)

    @staticmethod
    def pow(base: Any, exponent: Any) -> np.ndarray:
        if np.ndim(exponent) == 0:
            agrees = _numpy_pow_agrees_at(float(exponent))
        else:
            agrees = _numpy_agrees("pow")
        if agrees:
            return np.power(np.asarray(base, dtype=np.float64), exponent)
        if np.ndim(base) == 0:
            b = float(base)
            return _elementwise(lambda e: _py_pow(b, e), np.asarray(exponent))
        if np.ndim(exponent) == 0:
            e = exponent.item() if isinstance(exponent, np.generic) else exponent
            return _elementwise(lambda b: _py_pow(b, e), np.asarray(base, dtype=np.float64))
        return _elementwise(_py_pow, np.asarray(base, dtype=np.float64), np.asarray(exponent))

    @staticmethod
    def count_le(sorted_values: tuple, t: Any) -> np.ndarray:
        return np.searchsorted(np.asarray(sorted_values), t, side="right")

    @staticmethod
    def count_lt(sorted_values: tuple, t: Any) -> np.ndarray:
        return np.searchsorted(np.asarray(sorted_values), t, side="left")

    @staticmethod
    def take(values: tuple, index: Any) -> np.ndarray:
        return np.asarray(values)[index]

    @staticmethod
    def apply(fn: Callable[[Any], Any], x: Any) -> np.ndarray:
        """A Python callable (a user's lambda) on each distinct element."""
        return _elementwise(lambda v: float(fn(v)), np.asarray(x))

    @staticmethod
    def any(cond: Any) -> bool:
        return bool(np.any(cond))


SCALAR = ScalarMath()
ARRAY = ArrayMath()
