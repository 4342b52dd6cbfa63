"""Schedules defined by a user function of the step: a multiplier (LambdaLR) or a running product (MultiplicativeLR)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from lrparity.core.base import Schedule
from lrparity.core.replay import replay

__all__ = ["Lambda", "Multiplicative"]


def _check_callable(owner: str, fn: Any) -> None:
    if not callable(fn):
        raise TypeError(f"{owner}: fn must be a callable taking the step (int) and returning a float, got {fn!r}")


@dataclass(frozen=True)
class Lambda(Schedule):
    r"""The base lr times a user function of the step: torch ``LambdaLR``, paddle ``LambdaDecay``.

    .. math:: \mathrm{lr}(t) = b \cdot f(t)

    ``fn`` is called with a Python int. On an array of steps it is called once per distinct step. To
    round-trip through a config, ``fn`` must be a module-level function (it is saved as ``"module:name"``).

    Args:
        fn: multiplier as a function of the step (count of ``step()`` calls).

    Example:
        >>> Lambda(lambda t: 0.5 ** t).values(range(3), base_lr=1.0).tolist()
        [1.0, 0.5, 0.25]
    """

    fn: Callable[[int], float]

    name = "lambda"

    def __post_init__(self) -> None:
        _check_callable("Lambda", self.fn)

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        return base * m.apply(self.fn, t)


@dataclass(frozen=True)
class Multiplicative(Schedule):
    r"""The base lr times the running product of a user function: torch ``MultiplicativeLR``, paddle
    ``MultiplicativeDecay``.

    .. math:: \mathrm{lr}(t) = (\dots((b \cdot f(1)) \cdot f(2)) \cdots) \cdot f(t)

    The product is taken in the natives' order, so values are bit-identical to both. A value that reaches 0
    stays 0, exactly as in the natives' recursion. There is no closed form for an arbitrary ``f``: the
    product is replayed with bounded memory (:mod:`lrparity.core.replay`): consecutive steps and whole curves cost
    O(1) per step, a jump at most 8192 steps of replay, and ``fn`` is called once per step for all base lrs
    (steps <= 10**8; paddle recomputes the whole product at every step).

    Args:
        fn: per-step multiplier as a function of the step (called with t = 1, 2, ...).

    Example:
        >>> Multiplicative(lambda t: 0.5).values(range(3), base_lr=1.0).tolist()
        [1.0, 0.5, 0.25]
    """

    fn: Callable[[int], float]

    name = "multiplicative"

    def __post_init__(self) -> None:
        _check_callable("Multiplicative", self.fn)

    # -- the running product, replayed (lrparity.core.replay) -------------------------------------------------
    def _replay_first(self, base: float) -> float:
        return base

    def _replay_shared(self, start: int, stop: int) -> tuple[list[Any], str | None]:
        """``fn(k)`` for ``k = start .. stop-1``, called once per step for every base lr (``fn`` is a function of the
        step, as everywhere in the core); an ArithmeticError from ``fn`` is where the natives fail too."""
        fn, out = self.fn, []
        try:
            for k in range(start, stop):
                out.append(fn(k))
        except ArithmeticError as exc:
            return out, f"{type(exc).__name__}: {exc}"
        return out, None

    def _replay_chain(self, base: float, lr: float, data: list[Any]) -> tuple[np.ndarray, str | None]:
        """``lr * fn(k)`` step by step with Python's operators on ``fn``'s own return values, as the natives multiply
        (a float32 or an int from ``fn`` keeps its own promotion rules)."""
        out = []
        try:
            for factor in data:
                lr = lr * factor
                out.append(lr)
        except ArithmeticError as exc:
            return np.array(out, dtype=np.float64), f"{type(exc).__name__}: {exc}"
        return np.array(out, dtype=np.float64), None

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        return replay(self, base, t)
