"""Cosine annealing, once (periodic past its end, as in both natives) or with warm restarts (SGDR)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from lrparity.core._math import ARRAY, SCALAR
from lrparity.core.base import Schedule, set_field
from lrparity.core.replay import product_chains, replay
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
    ``CosineAnnealingDecay`` at every step. The replay advances incrementally with bounded memory
    (:mod:`lrparity.core.replay`): a whole curve or consecutive steps cost O(1) per step, a jump to step ``t``
    replays at most 8192 steps from a checkpoint once the run has reached ``t`` (steps <= 10**8).

    With a non-integer ``T_max`` the natives' recursion can divide by zero: at a step ``t`` where
    :math:`1 + \cos(\pi (t-1)/T) = 0` in floating point and ``t`` is not a restart step (``T_max=0.8``: step 13),
    both natives raise ZeroDivisionError. ``form="recursive"`` has the natives' values up to that step and raises
    ValueError (naming the step and ``T_max``) from that step on; ``form="closed"`` is defined at every step.

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

    # -- form="recursive": the natives' recursion, replayed (lrparity.core.replay) ------------------------------
    def _replay_first(self, base: float) -> float:
        return base

    def _replay_shared(self, start: int, stop: int) -> tuple[tuple[np.ndarray, list[int]], str | None]:
        """The base-independent part of steps ``start .. stop-1``: the ratios ``(1 + cos(pi e / T)) /
        (1 + cos(pi (e-1) / T))`` and the restart steps (``e - 1 - T`` a multiple of ``2 T``), computed once for
        every base lr with the natives' operations (``ARRAY.cos`` is bit-identical to ``math.cos``)."""
        T = self.T_max
        e = np.arange(start - 1, stop, dtype=np.int64)
        angle = math.pi * e / T
        one_plus_cos = ARRAY.cos(angle)
        one_plus_cos += 1
        ratios = one_plus_cos[1:] / one_plus_cos[:-1]
        restart = np.zeros(ratios.size, dtype=bool)
        if isinstance(T, int):  # (e - 1 - T) % (2 * T) == 0 in integers: e = T + 1 + 2 T k
            restart[T + 1 + 2 * T * -((T + 1 - start) // (2 * T)) - start :: 2 * T] = True
        else:  # in floats: Python's % gives 0 exactly where the (exact) fmod of the same operands does
            restart = np.fmod((e[1:] - 1) - T, 2 * T) == 0
        # where the natives raise: math.cos of an infinite angle (a T_max so small that pi * e / T_max overflows;
        # at a restart step the angle is pi / T_max), or a ratio dividing by zero (only for a float T_max)
        infinite = ~np.isfinite(angle)
        zero = one_plus_cos[:-1] == 0
        fails = np.where(restart, not math.isfinite(math.pi / T), infinite[1:] | infinite[:-1] | zero)
        n, reason = ratios.size, None
        if fails.any():
            n = int(np.argmax(fails))
            if not zero[n] or restart[n]:
                reason = f"math domain error: cos of an infinite angle, pi * step / T_max with T_max={T!r}"
            else:
                reason = f"float division by zero: 1 + cos(pi * {start + n - 1} / T_max) == 0 with T_max={T!r}"
        return (ratios[:n], np.flatnonzero(restart[:n]).tolist()), reason

    def _replay_chain(self, base: float, lr: float, data: tuple[np.ndarray, list[int]]) -> tuple[np.ndarray, None]:
        """``lr_e = ratio_e * (lr_{e-1} - eta) + eta``, and ``lr_{e-1} + (b - eta) (1 - cos(pi / T)) / 2`` at a
        restart step, exactly as the natives compute them.

        Only identical (schedule, base) pairs could share this chain: for two bases the roundings of
        ``ratio * (lr - eta)`` differ, so one chain cannot be derived from the other exactly."""
        return self._replay_chains([base], [lr], data)[0], None

    def _replay_chains(self, bases: list[float], lrs: list[float], data: tuple[np.ndarray, list[int]]) -> np.ndarray:
        """:meth:`_replay_chain` for several bases at once (param groups with distinct lrs), one row per base."""
        ratios, restarts = data
        eta, n = self.eta_min, ratios.size
        bumps = [0.0] * len(bases)  # the restart steps' (base - eta) * (1 - cos(pi / T)) / 2, where there are some
        if restarts:
            c = 1 - math.cos(math.pi / self.T_max)
            bumps = [(b - eta) * c / 2 for b in bases]
        if 16 * len(restarts) > n:  # a short period (T_max of a few steps): one loop, a branch per step
            restart = np.zeros(n, dtype=bool)
            restart[restarts] = True
            steps = list(zip(ratios.tolist(), restart.tolist(), strict=True))
            out = np.empty((len(bases), n), dtype=np.float64)
            for i, (lr, bump) in enumerate(zip(lrs, bumps, strict=True)):
                out[i] = _short_period_chain(steps, lr, bump, eta)
            return out
        out = np.empty((len(bases), n), dtype=np.float64)
        if eta == 0:
            # with eta = 0 a step is fl(ratio * lr): (lr - 0.0) is lr and fl(x) + 0.0 is x, because lr and every
            # ratio are >= +0 (no -0.0 arises), so between restarts the chain is a running product (numpy, all rows)
            y, pos = np.array(lrs, dtype=np.float64), 0
            for r in [*restarts, n]:
                if r > pos:
                    out[:, pos:r] = product_chains(y, ratios[pos:r])
                    y = out[:, r - 1].copy()
                if r < n:
                    y = y + bumps
                    out[:, r] = y
                    pos = r + 1
            return out
        factors = ratios.tolist()
        for i, (lr, bump) in enumerate(zip(lrs, bumps, strict=True)):
            out[i] = _chain(factors, restarts, lr, bump, eta)  # (a list into a row: faster than np.array of lists)
        return out

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        if self.form == "recursive":
            return replay(self, base, t)
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


def _chain(factors: list[float], restarts: list[int], lr: float, bump: float, eta: float) -> list[float]:
    """One base's replay: ``factor * (lr - eta) + eta`` per step, ``lr + bump`` at the restart steps (indices)."""
    if not restarts:
        return [lr := f * (lr - eta) + eta for f in factors]
    out: list[float] = []
    pos = 0
    for r in [*restarts, len(factors)]:
        if r > pos:
            out += [lr := f * (lr - eta) + eta for f in factors[pos:r]]
        if r < len(factors):
            lr = lr + bump
            out.append(lr)
            pos = r + 1
    return out


def _short_period_chain(steps: list[tuple[float, bool]], lr: float, bump: float, eta: float) -> list[float]:
    """:func:`_chain` with a branch per step, for restarts every few steps."""
    return [lr := (lr + bump if restart else f * (lr - eta) + eta) for f, restart in steps]


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
