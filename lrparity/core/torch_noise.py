"""timm's learning-rate noise, drawn exactly as timm draws it: torch's CPU generator seeded ``seed + t``.

torch is imported when a noisy step is evaluated, never when this module is imported (``import lrparity`` stays
free of torch); without torch, evaluating such a step raises an ImportError that says so.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

from lrparity.core.base import Schedule, set_field
from lrparity.core.validation import check_choice, check_int, check_number

__all__ = ["MAX_DRAWS", "MIN_ACCEPT", "TorchNoise", "torch_noise_draw"]

MAX_DRAWS = 100_000
"""Most normal draws tried at one step before giving up (timm would keep drawing: |n| < pct never comes)."""

MIN_ACCEPT = 1e-3
"""Smallest chance that one normal draw lands within ``pct`` (timm redraws until one does): below it, a step would
cost thousands of torch draws, and the config is refused when it is built."""

MIN_PCT_PER_STD = 0.0012534
"""``pct / std`` at which a draw's chance is :data:`MIN_ACCEPT` (``erf(x / sqrt(2)) = 1e-3``), rounded up."""


def _torch() -> Any:
    try:
        import torch
    except ImportError as exc:
        raise ImportError(
            "TorchNoise draws timm's lr noise from torch's CPU random generator, so evaluating a noisy step needs "
            f"torch (pip install torch): {exc}"
        ) from None
    return torch


@functools.lru_cache(maxsize=1 << 16)
def torch_noise_draw(seed: int, kind: str, pct: float, std: float) -> float:
    """The noise timm adds at one step: ``torch.Generator().manual_seed(seed)`` (timm's ``noise_seed + t``), then
    ``kind="normal"``: ``torch.randn(1).item() * std`` drawn again until its magnitude is < ``pct``;
    ``kind="uniform"``: ``2 * (torch.rand(1).item() - 0.5) * pct``."""
    torch = _torch()
    g = torch.Generator()
    g.manual_seed(seed)
    if kind == "uniform":
        return 2 * (torch.rand(1, generator=g).item() - 0.5) * pct
    for _ in range(MAX_DRAWS):
        noise = torch.randn(1, generator=g).item() * std
        if abs(noise) < pct:
            return noise
    raise ValueError(
        f"TorchNoise: no normal draw with |noise| < pct={pct!r} (std={std!r}) in {MAX_DRAWS} draws at seed {seed} "
        "(timm would keep drawing forever): use a larger pct or a smaller std"
    )


@dataclass(frozen=True)
class TorchNoise(Schedule):
    r"""timm's lr noise on a schedule: ``--lr-noise``, ``--lr-noise-pct``, ``--lr-noise-std``, ``--seed``.

    .. math:: \mathrm{lr}(t) = s(t) + s(t)\,n(t) \quad \text{for } t_0 \le t < t_1

    where :math:`n(t)` is what timm's ``Scheduler._calculate_noise(t)`` draws: a generator
    ``torch.Generator().manual_seed(seed + t)``, then ``torch.randn(1).item() * std`` redrawn until
    :math:`|n| <` ``pct`` (``kind="normal"``), or ``2 * (torch.rand(1).item() - 0.5) * pct`` (``"uniform"``).
    The values are therefore bit-identical to timm's with the same torch. Unlike
    :class:`~lrparity.core.noise.Noise` (numpy-only, its own generator), evaluating a step in the noise range needs
    torch; torch is imported then, not before. ``t`` is the value timm passes to ``step()``/``step_update()``: an
    epoch index for epoch-stepped schedules (wrap this in :class:`~lrparity.core.per_epoch.PerEpoch`), an update
    count otherwise.

    Args:
        schedule: the schedule to perturb.
        pct: bound on the relative perturbation (``kind="normal"``) or its half range (``"uniform"``); > 0, and
            for ``"normal"`` at least ``0.0012534 * std`` (one draw in 1000 accepted: timm redraws until one is).
            timm default 0.67.
        std: standard deviation of the normal draw; > 0. timm default 1.0.
        seed: timm's ``noise_seed`` (train.py's ``--seed``); >= 0. Step ``t`` seeds torch with ``seed + t``.
        start: first noisy step ``t_0`` (timm's ``noise_range_t`` start, rounded up to an int); >= 0.
        end: first step without noise again ``t_1``; None: noise to the end.
        kind: ``"normal"`` (timm's default) or ``"uniform"``.

    Example:
        >>> from lrparity.core import Constant
        >>> noisy = TorchNoise(Constant(), pct=0.5, std=0.1, seed=42, start=2)
        >>> noisy.value(0, 1.0), noisy.value(1, 1.0)
        (1.0, 1.0)
    """

    schedule: Schedule
    pct: float = 0.67
    std: float = 1.0
    seed: int = 42
    start: int = 0
    end: int | None = None
    kind: str = "normal"

    name = "torch_noise"

    def __post_init__(self) -> None:
        owner = "TorchNoise"
        if not isinstance(self.schedule, Schedule):
            raise TypeError(f"{owner}: schedule must be a Schedule, got {self.schedule!r}")
        set_field(self, "pct", check_number(owner, "pct", self.pct, low=0.0, low_open=True))
        set_field(self, "std", check_number(owner, "std", self.std, low=0.0, low_open=True))
        set_field(self, "seed", check_int(owner, "seed", self.seed, minimum=0))
        set_field(self, "start", check_int(owner, "start", self.start, minimum=0))
        if self.end is not None:
            set_field(self, "end", check_int(owner, "end", self.end, minimum=self.start + 1))
        set_field(self, "kind", check_choice(owner, "kind", self.kind, ("normal", "uniform")))
        accept = math.erf(self.pct / (self.std * math.sqrt(2.0)))  # P(|normal(0, std)| < pct): one draw's chance
        if self.kind == "normal" and accept < MIN_ACCEPT:
            raise ValueError(
                f"TorchNoise: pct={self.pct!r} with std={self.std!r} accepts {accept:.3g} of the normal draws: timm "
                f"would redraw about {1 / max(accept, 1e-300):.3g} times per step; pct / std must keep at least "
                f"{MIN_ACCEPT} of them (pct >= {MIN_PCT_PER_STD} * std)"
            )

    @property
    def uses_base_lr(self) -> bool:  # type: ignore[override]
        """Whether the perturbed schedule reads the base lr (the noise multiplies its values)."""
        return self.schedule.uses_base_lr

    def noise(self, t: int) -> float:
        """The relative perturbation :math:`n(t)` at step ``t`` (0.0 outside ``[start, end)``)."""
        if t < self.start or (self.end is not None and t >= self.end):
            return 0.0
        return torch_noise_draw(self.seed + int(t), self.kind, float(self.pct), float(self.std))

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        lr = self.schedule._eval(t, base, m)
        if not m.is_array:
            if t < self.start or (self.end is not None and t >= self.end):
                return lr
            noise = self.noise(t)
            return lr + lr * noise
        inside = t >= self.start
        if self.end is not None:
            inside &= t < self.end
        if not inside.any():
            return lr
        noise = 0.0 * t  # a float array of zeros, filled where the noise applies (torch called once per step)
        noise[inside] = m.apply(self.noise, t[inside])
        return m.where(inside, lr + lr * noise, lr)

    @property
    def length(self) -> int | None:
        return self.schedule.length
