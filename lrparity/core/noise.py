"""Deterministic, seeded multiplicative noise on any schedule (timm's lr noise), reproducible at any step."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from lrparity.core.base import Schedule, set_field
from lrparity.core.validation import check_choice, check_int, check_number

__all__ = ["Noise"]

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_MAX_DRAWS = 64


def _mix_scalar(x: int) -> int:
    x = (x + _GOLDEN) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def _mix_array(x: np.ndarray) -> np.ndarray:
    x = x + np.uint64(_GOLDEN)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _uniform(seed: int, t: Any, draw: int, m: Any) -> Any:
    """A uniform in [0, 1) from (seed, step, draw): splitmix64, identical for ints and uint64 arrays."""
    key = (seed * 0x100000001B3 + draw) & _MASK
    if m.is_array:
        bits = _mix_array(t.astype(np.uint64) ^ np.uint64(_mix_scalar(key)))
        return (bits >> np.uint64(11)).astype(np.float64) * 2.0**-53
    return (_mix_scalar((t ^ _mix_scalar(key)) & _MASK) >> 11) * 2.0**-53


@dataclass(frozen=True)
class Noise(Schedule):
    r"""Seeded multiplicative noise on a schedule, the same at a step however it is reached.

    .. math:: \mathrm{lr}(t) = s(t) + s(t)\,\epsilon(t) \quad \text{for } t_0 \le t < t_1

    ``normal``: :math:`\epsilon` is a normal with standard deviation ``std`` truncated to
    :math:`|\epsilon| <` ``pct`` (by rejection, as timm redraws); ``uniform``:
    :math:`\epsilon \in [-\mathrm{pct}, \mathrm{pct})`.
    The draws come from a counter-based generator keyed on ``(seed, t)`` (splitmix64), so resuming at any step gives
    the same noise, and a whole curve is one vectorised pass. This is timm's ``noise_range_t``,
    ``noise_pct``, ``noise_std`` and ``noise_seed`` (timm draws from torch's generator, so its values differ).

    Args:
        schedule: the schedule to perturb.
        pct: bound on the relative perturbation; > 0. timm default 0.67.
        std: standard deviation of the normal draw; > 0.
        kind: ``"normal"`` or ``"uniform"``.
        seed: generator seed; >= 0. timm default 42.
        start: first noisy step (``t_0``); >= 0.
        end: first step without noise again (``t_1``); None: noise to the end.

    Example:
        >>> from lrparity.core import Constant
        >>> v = Noise(Constant(), pct=0.1, seed=1).values(range(1000), base_lr=1.0)
        >>> bool((abs(v - 1.0) < 0.1).all())
        True
    """

    schedule: Schedule
    pct: float = 0.67
    std: float = 1.0
    kind: str = "normal"
    seed: int = 42
    start: int = 0
    end: int | None = None

    name = "noise"

    def __post_init__(self) -> None:
        if not isinstance(self.schedule, Schedule):
            raise TypeError(f"Noise: schedule must be a Schedule, got {self.schedule!r}")
        set_field(self, "pct", check_number("Noise", "pct", self.pct, low=0.0, low_open=True))
        set_field(self, "std", check_number("Noise", "std", self.std, low=0.0, low_open=True))
        object.__setattr__(self, "kind", check_choice("Noise", "kind", self.kind, ("normal", "uniform")))
        set_field(self, "seed", check_int("Noise", "seed", self.seed, minimum=0))
        set_field(self, "start", check_int("Noise", "start", self.start, minimum=0))
        if self.end is not None:
            set_field(self, "end", check_int("Noise", "end", self.end, minimum=self.start + 1))

    @property
    def uses_base_lr(self) -> bool:  # type: ignore[override]
        """Whether the perturbed schedule reads the base lr (the noise multiplies its values)."""
        return self.schedule.uses_base_lr

    def _epsilon(self, t: Any, m: Any) -> Any:
        if self.kind == "uniform":
            return 2 * (_uniform(self.seed, t, 0, m) - 0.5) * self.pct
        # A normal(0, std) truncated to (-pct, pct), by rejection. Wide window (pct > std): propose normals
        # (each accepted with probability >= 0.68). Narrow window: propose uniforms on the window, accepted with
        # probability exp(-z^2 / (2 std^2)) >= 0.6. Either way 64 proposals leave a step unresolved with
        # probability < 1e-14; such a step gets no noise.
        narrow = self.pct <= self.std
        eps = 0.0 * t
        pending = (0 * t) == 0
        for draw in range(_MAX_DRAWS):
            u1 = _uniform(self.seed, t, 2 * draw, m)
            u2 = _uniform(self.seed, t, 2 * draw + 1, m)
            if narrow:
                z = (2 * u1 - 1) * self.pct
                ok = u2 < m.exp(-(z * z) / (2 * self.std * self.std))
            else:
                z = m.sqrt(-2.0 * m.log(1.0 - u1)) * m.cos(2.0 * math.pi * u2) * self.std
                ok = abs(z) < self.pct
            take = pending & ok if m.is_array else pending and ok
            eps = m.where(take, z, eps)
            pending = pending & ~take if m.is_array else pending and not take
            if not m.any(pending):
                break
        return eps

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        lr = self.schedule._eval(t, base, m)
        eps = self._epsilon(t, m)
        inside = (t >= self.start) if self.end is None else ((t >= self.start) & (t < self.end))
        return m.where(inside, lr + lr * eps, lr)

    @property
    def length(self) -> int | None:
        return self.schedule.length
