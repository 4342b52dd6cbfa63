"""A stable phase, then a decay to ``eta_min`` over the final steps: timm's WSD and rsqrt schedules (after warmup)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from lrparity.core.base import Schedule, set_field
from lrparity.core.validation import check_choice, check_int, check_number

__all__ = ["StableDecay"]

STABLE_SHAPES = ("constant", "rsqrt", "power")
DECAY_SHAPES = ("linear", "1-sqrt", "cosine", "power", "exp")


@dataclass(frozen=True)
class StableDecay(Schedule):
    r"""A stable phase, then a decay to ``eta_min`` over the last ``decay_steps`` of ``total_steps``: timm's
    ``WSDLRScheduler`` after its warmup (``--sched wsd`` and ``--sched rsqrt``; the warmup, always a prefix, is
    :class:`~lrparity.core.incremental_warmup.IncrementalWarmup` with ``mode="prefix"``).

    With :math:`T` = ``total_steps``, :math:`D` = ``decay_steps``, :math:`\eta` = ``eta_min``:

    .. math::
        s(t) = \max\bigl(b\,\sigma(t), \eta\bigr),\qquad
        \mathrm{lr}(t) = \begin{cases} s(t) & t \le T - D \\
        \eta + (s(t) - \eta)\,\delta\bigl(\min(\tfrac{t - (T - D)}{D}, 1)\bigr) & \text{else} \end{cases}

    Stable factor :math:`\sigma`: ``constant`` 1; ``rsqrt`` :math:`(1 + t/\tau)^{-1/2}`; ``power``
    :math:`(1 + t/\tau)^{-p_s}` (:math:`\tau` = ``timescale``). Decay factor :math:`\delta(f)`: ``linear``
    :math:`1 - f`; ``1-sqrt`` :math:`1 - \sqrt f`; ``cosine`` :math:`\tfrac12(1 + \cos \pi f)`; ``power``
    :math:`1 - f^{p_d}`; ``exp`` :math:`(r^f - r)/(1 - r)`. Every operation is timm's, in its order, so the values
    are bit-identical to timm 1.0.31; :math:`\eta` is held from :math:`t = T` on.

    Args:
        total_steps: length of the stable + decay phases in steps (timm's ``t_initial``); >= 1.
        decay_steps: length of the decay phase, the last steps of ``total_steps``; in [1, total_steps].
        eta_min: absolute lr at the end of the decay; >= 0.
        stable: ``"constant"`` (WSD), ``"rsqrt"`` or ``"power"``.
        timescale: :math:`\tau` in steps for ``rsqrt``/``power``; > 0 (timm: defaults to the warmup length).
        stable_power: :math:`p_s` of ``power``; > 0. timm default 0.5.
        decay: ``"linear"``, ``"1-sqrt"``, ``"cosine"``, ``"power"`` or ``"exp"``.
        decay_power: :math:`p_d` of ``power``; > 0. timm default 0.5.
        decay_ratio: :math:`r` of ``exp``; in (0, 1). timm default 0.1.

    Example:
        >>> StableDecay(total_steps=6, decay_steps=2, decay="linear").values(range(8), base_lr=1.0).tolist()
        [1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.0, 0.0]
    """

    total_steps: int
    decay_steps: int
    eta_min: float = 0.0
    stable: str = "constant"
    timescale: float | None = None
    stable_power: float = 0.5
    decay: str = "1-sqrt"
    decay_power: float = 0.5
    decay_ratio: float = 0.1

    name = "stable_decay"

    def __post_init__(self) -> None:
        owner = "StableDecay"
        set_field(self, "total_steps", check_int(owner, "total_steps", self.total_steps, minimum=1))
        set_field(self, "decay_steps", check_int(owner, "decay_steps", self.decay_steps, minimum=1))
        if self.decay_steps > self.total_steps:
            raise ValueError(
                f"{owner}: decay_steps must be in [1, total_steps={self.total_steps}], got {self.decay_steps}"
            )
        set_field(self, "eta_min", check_number(owner, "eta_min", self.eta_min, low=0.0))
        set_field(self, "stable", check_choice(owner, "stable", self.stable, STABLE_SHAPES))
        if self.timescale is not None:
            set_field(self, "timescale", check_number(owner, "timescale", self.timescale, low=0.0, low_open=True))
        elif self.stable != "constant":
            raise ValueError(f"{owner}: stable={self.stable!r} needs a timescale > 0 (timm: the warmup length)")
        set_field(self, "stable_power", check_number(owner, "stable_power", self.stable_power, low=0.0, low_open=True))
        set_field(self, "decay", check_choice(owner, "decay", self.decay, DECAY_SHAPES))
        set_field(self, "decay_power", check_number(owner, "decay_power", self.decay_power, low=0.0, low_open=True))
        set_field(
            self,
            "decay_ratio",
            check_number(owner, "decay_ratio", self.decay_ratio, low=0.0, high=1.0, low_open=True, high_open=True),
        )

    def _decay_factor(self, frac: Any, m: Any) -> Any:
        if self.decay == "linear":
            return 1.0 - frac
        if self.decay == "1-sqrt":
            return 1.0 - m.sqrt(frac)
        if self.decay == "cosine":
            return 0.5 * (1.0 + m.cos(math.pi * frac))
        if self.decay == "power":
            return 1.0 - m.pow(frac, self.decay_power)
        r = self.decay_ratio
        return (m.pow(r, frac) - r) / (1.0 - r)

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        eta = self.eta_min
        if self.stable == "constant":
            stable = base * 1.0 + 0.0 * t
        else:
            power = 0.5 if self.stable == "rsqrt" else self.stable_power
            stable = base * m.pow(1.0 + t / self.timescale, -power)
        stable = m.maximum(stable, eta)
        t_decay = t - (self.total_steps - self.decay_steps)
        if not m.is_array:
            if t_decay <= 0:
                return stable
            return eta + (stable - eta) * self._decay_factor(m.minimum(t_decay / self.decay_steps, 1.0), m)
        frac = m.minimum(m.maximum(t_decay, 0) / self.decay_steps, 1.0)
        return m.where(t_decay <= 0, stable, eta + (stable - eta) * self._decay_factor(frac, m))

    @property
    def length(self) -> int | None:
        return self.total_steps
