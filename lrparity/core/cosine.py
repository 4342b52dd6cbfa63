"""Cosine annealing, once (periodic past its end, as in both natives) or with warm restarts (SGDR)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from lrparity.core._math import SCALAR
from lrparity.core.base import Schedule, replay, set_field
from lrparity.core.validation import check_choice, check_int, check_number

__all__ = ["Cosine", "CosineRestarts"]

_LAST_STEP = 2**62


@dataclass(frozen=True)
class Cosine(Schedule):
    r"""Cosine annealing from the base lr to ``eta_min``: torch ``CosineAnnealingLR``, paddle
    ``CosineAnnealingDecay``.

    .. math:: \mathrm{lr}(t) = \eta + \frac{(b - \eta)\,(1 + \cos(\pi t / T))}{2}

    By default (``after_end="periodic"``) the curve keeps going past ``T_max`` and climbs back to ``b`` at
    ``2 T_max``, exactly as both natives do. ``after_end="hold"`` holds ``eta_min`` from ``T_max`` on (what a
    recursion that sticks at ``eta_min`` gives, e.g. PaddleOCR's ``TwoStepCosine`` without warmup).

    ``form="closed"`` (default) is bit-identical to the natives' closed form (what paddle's ``LinearWarmup``
    runs for its inner cosine, and the most accurate float64 value). Standalone, both natives run a recursion
    instead (:math:`\mathrm{lr}_t = \eta + (\mathrm{lr}_{t-1} - \eta)\,\frac{1 + \cos(\pi t/T)}{1 + \cos(\pi (t-1)/T)}`,
    with an additive step at :math:`t \equiv T + 1 \pmod{2T}`) that drifts from the closed form: 1e-14 relative
    over 1k steps, 2.5e-12 over 10k steps with ``T_max=100``, 4.5e-11 over 100k. ``form="recursive"`` replays
    that recursion operation for operation, so a port is bit-identical to torch ``CosineAnnealingLR`` and paddle
    ``CosineAnnealingDecay`` at every step. The replay is computed once per base lr and cached: a whole curve
    or consecutive steps cost O(1) per step; a jump to step ``t`` costs O(t) the first time (steps <= 10**8).

    Args:
        T_max: half period in steps; > 0 (torch accepts a float, paddle an int).
        eta_min: absolute minimum lr; >= 0.
        after_end: ``"periodic"`` (natives) or ``"hold"``.
        form: ``"closed"`` or ``"recursive"`` (the natives' recursion, exactly).

    Example:
        >>> Cosine(T_max=2).values(range(5), base_lr=1.0).tolist()
        [1.0, 0.5, 0.0, 0.4999999999999999, 1.0]
    """

    T_max: float
    eta_min: float = 0.0
    after_end: str = "periodic"
    form: str = "closed"

    name = "cosine"

    def __post_init__(self) -> None:
        if isinstance(self.T_max, int):
            set_field(self, "T_max", check_int("Cosine", "T_max", self.T_max, minimum=1))
        else:
            set_field(self, "T_max", check_number("Cosine", "T_max", self.T_max, low=0.0, low_open=True))
        set_field(self, "eta_min", check_number("Cosine", "eta_min", self.eta_min, low=0.0))
        object.__setattr__(self, "after_end", check_choice("Cosine", "after_end", self.after_end, ("periodic", "hold")))
        object.__setattr__(self, "form", check_choice("Cosine", "form", self.form, ("closed", "recursive")))
        if self.form == "recursive" and self.after_end == "hold":
            raise ValueError(
                "Cosine: form='recursive' replays the natives, which are periodic: use after_end='periodic'"
            )

    def _advance(self, base: float) -> Callable[[float, int], float]:
        T, eta = self.T_max, self.eta_min
        bump = (base - eta) * (1 - math.cos(math.pi / T)) / 2

        def advance(lr: float, e: int) -> float:
            if (e - 1 - T) % (2 * T) == 0:
                return lr + bump
            return (1 + math.cos(math.pi * e / T)) / (1 + math.cos(math.pi * (e - 1) / T)) * (lr - eta) + eta

        return advance

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        if self.form == "recursive":
            values = replay(self, base, int(t.max()) if m.is_array else t, base, self._advance(base))
            return values[t] if m.is_array else float(values[t])
        if self.after_end == "hold":
            t = m.minimum(t, self.T_max)
        eta = self.eta_min
        if not m.is_array:
            return eta + (base - eta) * (1 + m.cos(math.pi * t / self.T_max)) / 2
        x = m.cos(t * math.pi / self.T_max)  # the same operations in place: (pi*t)/T, 1+c, (b-eta)*., /2, eta+.
        x += 1
        x *= base - eta
        x /= 2
        if eta:  # adding 0.0 changes nothing: x >= 0
            x += eta
        return x

    @property
    def length(self) -> int | None:
        return math.ceil(self.T_max)


@dataclass(frozen=True)
class CosineRestarts(Schedule):
    r"""Cosine annealing with warm restarts (SGDR): torch and paddle ``CosineAnnealingWarmRestarts``, plus
    timm's ``cycle_decay``, ``cycle_limit`` and ``k_decay``.

    Cycle :math:`i` starts at :math:`S_i = T_0 (m^i - 1)/(m - 1)` (:math:`i T_0` when :math:`m = 1`) and
    lasts :math:`T_i = T_0 m^i`. With :math:`\tau = t - S_i`:

    .. math:: \mathrm{lr}(t) = \eta + \frac{(b\,d^{\,i} - \eta)\bigl(1 + \cos(\pi \tau^k / T_i^k)\bigr)}{2}

    and ``eta_min`` once ``cycle_limit`` cycles are done. The cycle is found with integer arithmetic, so
    restarts land exactly on :math:`S_i` at every step up to 2**62 (the natives' ``step(epoch)`` uses a float
    log and misses the restart at ``121 T_0`` with ``T_mult=3``). Bit-identical to the natives' ``step()``.

    Args:
        T_0: length of the first cycle in steps; >= 1.
        T_mult: growth factor of each cycle's length (int >= 1; timm's ``cycle_mul``).
        eta_min: absolute minimum lr; >= 0.
        cycle_decay: peak multiplier per cycle, ``d`` above (timm); > 0.
        cycle_limit: number of cycles after which the lr holds ``eta_min``; None: unlimited.
        k_decay: exponent ``k`` of the in-cycle progress (timm); > 0.

    Example:
        >>> CosineRestarts(T_0=2).values(range(5), base_lr=1.0).tolist()
        [1.0, 0.5, 1.0, 0.5, 1.0]
    """

    T_0: int
    T_mult: int = 1
    eta_min: float = 0.0
    cycle_decay: float = 1.0
    cycle_limit: int | None = None
    k_decay: float = 1.0

    name = "cosine_restarts"

    def __post_init__(self) -> None:
        set_field(self, "T_0", check_int("CosineRestarts", "T_0", self.T_0, minimum=1))
        set_field(self, "T_mult", check_int("CosineRestarts", "T_mult", self.T_mult, minimum=1))
        set_field(self, "eta_min", check_number("CosineRestarts", "eta_min", self.eta_min, low=0.0))
        set_field(
            self, "cycle_decay", check_number("CosineRestarts", "cycle_decay", self.cycle_decay, low=0.0, low_open=True)
        )
        if self.cycle_limit is not None:
            set_field(self, "cycle_limit", check_int("CosineRestarts", "cycle_limit", self.cycle_limit, minimum=1))
        set_field(self, "k_decay", check_number("CosineRestarts", "k_decay", self.k_decay, low=0.0, low_open=True))
        starts = [0]
        if self.T_mult > 1:
            length = self.T_0
            while starts[-1] + length <= _LAST_STEP:
                starts.append(starts[-1] + length)
                length *= self.T_mult
        object.__setattr__(self, "_starts", tuple(starts))

    def cycle(self, t: Any, m: Any = SCALAR) -> tuple[Any, Any, Any]:
        """(cycle index i, steps into the cycle, cycle length T_i) at step(s) ``t`` (``m=ARRAY`` for arrays)."""
        if self.T_mult == 1:
            i = t // self.T_0
            return i, t - i * self.T_0, self.T_0
        starts: tuple[int, ...] = self._starts  # type: ignore[attr-defined]
        i = m.count_le(starts, t) - 1
        if m.is_array:
            lengths = np.asarray([float(self.T_0 * self.T_mult**k) for k in range(len(starts))])
            return i, t - np.asarray(starts, dtype=np.int64)[i], lengths[i]
        return i, t - starts[i], self.T_0 * self.T_mult**i

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        i, t_cur, t_i = self.cycle(t, m)
        eta = self.eta_min
        peak = base if self.cycle_decay == 1 else base * m.pow(self.cycle_decay, i)
        if self.k_decay == 1:
            angle = math.pi * t_cur / t_i
        else:
            angle = math.pi * m.pow(t_cur, self.k_decay) / m.pow(t_i, self.k_decay)
        lr = eta + (peak - eta) * (1 + m.cos(angle)) / 2
        if self.cycle_limit is not None:
            lr = m.where(i < self.cycle_limit, lr, eta)
        return lr

    @property
    def length(self) -> int | None:
        if self.cycle_limit is None:
            return self.T_0
        if self.T_mult == 1:
            return self.T_0 * self.cycle_limit
        return self.T_0 * (self.T_mult**self.cycle_limit - 1) // (self.T_mult - 1)
