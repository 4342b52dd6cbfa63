"""Warmup-stable-decay (WSD): a warmup, a plateau at the base lr, a decay, as a multiplier of the base lr."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from lrparity.core.base import Schedule, set_field
from lrparity.core.compose import by_segment
from lrparity.core.validation import check_choice, check_int, check_number

__all__ = ["WarmupStableDecay"]

SHAPES = ("linear", "cosine", "1-sqrt")
"""The ramps a warmup or a decay can follow."""


@dataclass(frozen=True)
class WarmupStableDecay(Schedule):
    r"""Warmup, stable, decay: Hugging Face ``get_wsd_schedule`` (``lr_scheduler_type="warmup_stable_decay"``).

    With :math:`W, S, D` the three phases' lengths, :math:`r` = ``min_lr_ratio`` and :math:`g(f) = f (1 - r) + r`:

    .. math::
        \mathrm{lr}(t) = b \cdot \begin{cases}
            \max\bigl(0, g(u(p))\bigr),\ p = t / \max(1, W) & t < W \\
            1 & W \le t < W + S \\
            \max\bigl(0, g(d(q))\bigr),\ q = (t - W - S) / \max(1, D) & W + S \le t < W + S + D \\
            r & t \ge W + S + D
        \end{cases}

    The warmup ramp :math:`u` is ``linear`` :math:`p`, ``cosine`` :math:`(1 - \cos \pi p)/2` or ``1-sqrt``
    :math:`1 - \sqrt{1 - p}`; the decay :math:`d` is ``linear`` :math:`1 - q`, ``cosine``
    :math:`(1 + \cos(2 \pi n q))/2` (``n`` = ``num_cycles``, 0.5: a half wave down to ``r``) or ``1-sqrt``
    :math:`1 - \sqrt{q}`. So the warmup starts at ``r * b`` (not 0) and the decay ends at ``r * b``, held from then
    on. Computed as ``b * f(t)`` in the Hugging Face lambda's operation order: bit-identical to ``LambdaLR``
    running it.

    Args:
        warmup_steps: length of the warmup in steps (``W``); >= 0.
        stable_steps: steps at the base lr after the warmup (``S``); >= 0.
        decay_steps: length of the decay in steps (``D``); >= 0.
        warmup_shape: ``"linear"``, ``"cosine"`` or ``"1-sqrt"`` (Hugging Face ``warmup_type``).
        decay_shape: ``"linear"``, ``"cosine"`` or ``"1-sqrt"`` (Hugging Face ``decay_type``).
        min_lr_ratio: the floor ``r`` as a fraction of the base lr; in [0, 1].
        num_cycles: waves of the cosine decay over ``D`` steps (``n``); > 0. 0.5: half a wave (from 1 to ``r``).

    Example:
        >>> s = WarmupStableDecay(warmup_steps=2, stable_steps=2, decay_steps=2, decay_shape="linear")
        >>> s.values(range(8), base_lr=1.0).tolist()
        [0.0, 0.5, 1.0, 1.0, 1.0, 0.5, 0.0, 0.0]
    """

    warmup_steps: int
    stable_steps: int
    decay_steps: int
    warmup_shape: str = "linear"
    decay_shape: str = "cosine"
    min_lr_ratio: float = 0.0
    num_cycles: float = 0.5

    name = "warmup_stable_decay"

    def __post_init__(self) -> None:
        owner = "WarmupStableDecay"
        for field in ("warmup_steps", "stable_steps", "decay_steps"):
            set_field(self, field, check_int(owner, field, getattr(self, field), minimum=0))
        set_field(self, "warmup_shape", check_choice(owner, "warmup_shape", self.warmup_shape, SHAPES))
        set_field(self, "decay_shape", check_choice(owner, "decay_shape", self.decay_shape, SHAPES))
        set_field(self, "min_lr_ratio", check_number(owner, "min_lr_ratio", self.min_lr_ratio, low=0.0, high=1.0))
        set_field(self, "num_cycles", check_number(owner, "num_cycles", self.num_cycles, low=0.0, low_open=True))

    def _floor(self, factor: Any, m: Any) -> Any:
        r = self.min_lr_ratio
        factor = factor * (1.0 - r) + r
        return m.maximum(0.0, factor)

    def _warmup(self, t: Any, m: Any) -> Any:
        p = t / max(1, self.warmup_steps)
        if self.warmup_shape == "linear":
            factor = p
        elif self.warmup_shape == "cosine":
            factor = 0.5 * (1.0 - m.cos(math.pi * p))
        else:
            factor = 1.0 - m.sqrt(1.0 - p)
        return self._floor(factor, m)

    def _decay(self, t: Any, m: Any) -> Any:
        q = (t - self.warmup_steps - self.stable_steps) / max(1, self.decay_steps)
        if self.decay_shape == "linear":
            factor = 1.0 - q
        elif self.decay_shape == "cosine":
            factor = 0.5 * (1.0 + m.cos(math.pi * float(self.num_cycles) * 2.0 * q))
        else:
            factor = 1.0 - m.sqrt(q)
        return self._floor(factor, m)

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        w, s, d = self.warmup_steps, self.stable_steps, self.decay_steps
        pieces = [
            lambda x: self._warmup(x, m),
            lambda x: 1.0 + 0.0 * x,
            lambda x: self._decay(x, m),
            lambda x: self.min_lr_ratio + 0.0 * x,
        ]
        factor = by_segment(t, m, (w, w + s, w + s + d), pieces)
        return base * factor

    @property
    def length(self) -> int | None:
        return self.warmup_steps + self.stable_steps + self.decay_steps
