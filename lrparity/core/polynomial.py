"""Polynomial decays over a fixed number of steps, linear interpolation of factors being the power-1 case."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from lrparity.core.base import Schedule, set_field
from lrparity.core.replay import product_chain, product_chains, replay
from lrparity.core.validation import check_bool, check_choice, check_int, check_number

__all__ = ["Linear", "Polynomial"]


@dataclass(frozen=True)
class Linear(Schedule):
    r"""Linear interpolation of the multiplier from ``start_factor`` to ``end_factor``: torch ``LinearLR``,
    paddle ``LinearLR``.

    .. math:: \mathrm{lr}(t) = b \cdot \Bigl(s + (e - s)\,\frac{\min(T, t)}{T}\Bigr)

    Holds exactly ``b * end_factor`` from ``total_steps`` on (torch's closed form computes
    ``b * (s + (e - s))`` there, which can be one ulp off, even -5.6e-17 for ``end_factor=0``); before that
    ``form="closed"`` is torch's closed form, operation for operation. Both natives run the same recursion instead,
    :math:`\mathrm{lr}_t = \mathrm{lr}_{t-1}\,(1 + (e - s)/(T s + (t - 1)(e - s)))`, which drifts from it by
    <= 6e-13 relative over 100k steps; ``form="recursive"`` replays it exactly (incrementally, in bounded memory:
    O(1) per consecutive step; needs ``start_factor > 0``). Unlike the natives, factors may start at 0 and exceed 1
    (a warmup from zero, or to a peak above the base).

    Args:
        start_factor: multiplier at step 0; >= 0. torch/paddle default 1/3.
        end_factor: multiplier from ``total_steps`` on; >= 0. Default 1.0.
        total_steps: steps of the ramp; >= 1. torch default 5 (``total_iters``).
        form: ``"closed"`` or ``"recursive"`` (the natives' recursion, exactly).

    Example:
        >>> Linear(start_factor=0.0, end_factor=1.0, total_steps=4).values(range(6), base_lr=1.0).tolist()
        [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
    """

    start_factor: float = 1.0 / 3
    end_factor: float = 1.0
    total_steps: int = 5
    form: str = "closed"

    name = "linear"

    def __post_init__(self) -> None:
        set_field(self, "start_factor", check_number("Linear", "start_factor", self.start_factor, low=0.0))
        set_field(self, "end_factor", check_number("Linear", "end_factor", self.end_factor, low=0.0))
        set_field(self, "total_steps", check_int("Linear", "total_steps", self.total_steps, minimum=1))
        object.__setattr__(self, "form", check_choice("Linear", "form", self.form, ("closed", "recursive")))
        if self.form == "recursive" and self.start_factor == 0:
            raise ValueError("Linear: form='recursive' needs start_factor > 0 (the natives' recursion divides by it)")

    # -- form="recursive": the natives' recursion, replayed (lrparity.core.replay) ------------------------------
    def _replay_first(self, base: float) -> float:
        return base * self.start_factor

    def _replay_shared(self, start: int, stop: int) -> tuple[np.ndarray, str | None]:
        """The factors ``1.0 + (e - s) / (T s + (k - 1) (e - s))`` of steps ``k = start .. stop-1`` (1.0 after
        ``total_steps``, where the natives keep the lr), with the natives' operations, once for every base lr."""
        s, n, delta = self.start_factor, self.total_steps, self.end_factor - self.start_factor
        factors = np.ones(stop - start, dtype=np.float64)
        if start <= n:
            k = np.arange(start, min(stop, n + 1), dtype=np.int64)
            denominators = n * s + (k - 1) * delta
            if not denominators.all():  # cannot happen with s > 0, e >= 0; kept as the natives' failure
                first = int(np.argmin(denominators != 0))
                return factors[:first], "float division by zero"
            factors[: k.size] = 1.0 + delta / denominators
        return factors, None

    def _replay_chain(self, base: float, lr: float, data: np.ndarray) -> tuple[np.ndarray, None]:
        """``lr_k = lr_{k-1} * factor_k``: a running product (multiplying by the factor 1.0 after ``total_steps``
        keeps the lr exactly, as the natives do)."""
        return product_chain(lr, data), None

    def _replay_chains(self, bases: list[float], lrs: list[float], data: np.ndarray) -> np.ndarray:
        """:meth:`_replay_chain` for several bases at once: one running product per row."""
        return product_chains(lrs, data)

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        s, e, n = self.start_factor, self.end_factor, self.total_steps
        if self.form == "recursive":
            return replay(self, base, t)
        return m.where(t >= n, base * e, base * (s + (e - s) * m.minimum(n, t) / n))

    @property
    def length(self) -> int | None:
        return self.total_steps


@dataclass(frozen=True)
class Polynomial(Schedule):
    r"""Polynomial decay from the base lr to ``end_lr``: paddle ``PolynomialDecay``, torch ``PolynomialLR``.

    .. math::
        \mathrm{lr}(t) = (b - \eta)\Bigl(1 - \frac{\min(t, T)}{T}\Bigr)^{p} + \eta

    With ``cycle=True`` (paddle only) the horizon grows to the next multiple of ``T``:
    :math:`T' = T \lceil t/T \rceil` (``T' = T`` at t = 0) and :math:`t` is not clipped, so the lr jumps back
    up after each multiple. torch ``PolynomialLR(total_iters=T, power=p)`` is ``end_lr=0``; paddle's default
    ``end_lr`` is 1e-4, lrparity's is 0.0.

    Args:
        total_steps: decay horizon in steps (torch ``total_iters``, paddle ``decay_steps``); >= 1.
        power: exponent; >= 0 (0 gives a constant).
        end_lr: absolute lr reached at ``total_steps``; >= 0.
        cycle: restart the decay at every multiple of ``total_steps`` (paddle's ``cycle``).

    Example:
        >>> Polynomial(total_steps=4, power=2.0).values(range(6), base_lr=1.0).tolist()
        [1.0, 0.5625, 0.25, 0.0625, 0.0, 0.0]
    """

    total_steps: int
    power: float = 1.0
    end_lr: float = 0.0
    cycle: bool = False

    name = "polynomial"

    def __post_init__(self) -> None:
        set_field(self, "total_steps", check_int("Polynomial", "total_steps", self.total_steps, minimum=1))
        set_field(self, "power", check_number("Polynomial", "power", self.power, low=0.0))
        set_field(self, "end_lr", check_number("Polynomial", "end_lr", self.end_lr, low=0.0))
        set_field(self, "cycle", check_bool("Polynomial", "cycle", self.cycle))

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        n = self.total_steps
        if self.cycle:
            horizon = n * m.maximum(m.ceil(t / n), 1)
            progress = t
        else:
            horizon = n
            progress = m.minimum(t, n)
        return (base - self.end_lr) * m.pow(1 - progress / horizon, self.power) + self.end_lr

    @property
    def length(self) -> int | None:
        return self.total_steps
