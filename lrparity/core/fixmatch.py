"""FixMatch's cosine: a linear warmup, then a cosine that stops short of zero (``num_cycles`` of a half wave)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from lrparity.core.base import Schedule, set_field
from lrparity.core.validation import check_int, check_number

__all__ = ["FixMatchCosine"]


@dataclass(frozen=True)
class FixMatchCosine(Schedule):
    r"""The FixMatch schedule: PaddleClas ``CosineFixmatch``, FixMatch's ``get_cosine_schedule_with_warmup``.

    With :math:`W` = ``warmup_steps``, :math:`N` = ``total_steps`` and :math:`c` = ``num_cycles``:

    .. math::
        \mathrm{lr}(t) = b \cdot \begin{cases}
            t / \max(1, W) & t < W \\
            \max\bigl(0, \cos(\pi c \cdot (t - W) / \max(1, N - W))\bigr) & t \ge W
        \end{cases}

    The default :math:`c = 7/16` ends the run at :math:`b \cos(7\pi/16) \approx 0.195\,b`, not at 0 (this is not
    Hugging Face's ``0.5 (1 + \cos)`` shape). Past ``total_steps`` the cosine goes on and is clipped at 0.
    Computed operation for operation as the reference's ``LambdaDecay(base, lambda)`` does
    (``base * (pi * c * (float(t - W) / float(max(1, N - W))))``), so values are bit-identical to it.

    Args:
        warmup_steps: steps of the linear warmup from 0 (PaddleClas ``num_warmup_steps``); >= 0.
        total_steps: steps of the run (PaddleClas ``epochs * step_each_epoch``); >= 1.
        num_cycles: fraction of a half cosine wave covered by ``N - W`` steps; >= 0.

    Example:
        >>> s = FixMatchCosine(warmup_steps=2, total_steps=6, num_cycles=0.5)
        >>> s.values(range(7), base_lr=1.0).round(4).tolist()
        [0.0, 0.5, 1.0, 0.9239, 0.7071, 0.3827, 0.0]
    """

    warmup_steps: int
    total_steps: int
    num_cycles: float = 7 / 16

    name = "fixmatch_cosine"

    def __post_init__(self) -> None:
        set_field(self, "warmup_steps", check_int("FixMatchCosine", "warmup_steps", self.warmup_steps, minimum=0))
        set_field(self, "total_steps", check_int("FixMatchCosine", "total_steps", self.total_steps, minimum=1))
        set_field(self, "num_cycles", check_number("FixMatchCosine", "num_cycles", self.num_cycles, low=0.0))

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        w = self.warmup_steps
        ramp_len = float(max(1, w))
        decay_len = float(max(1, self.total_steps - w))
        angle_per_progress = math.pi * self.num_cycles
        if not m.is_array:
            if t < w:
                return base * (float(t) / ramp_len)
            return base * max(0.0, math.cos(angle_per_progress * (float(t - w) / decay_len)))
        ramp = t / ramp_len
        wave = m.maximum(0.0, m.cos(angle_per_progress * ((t - w) / decay_len)))
        return base * m.where(t < w, ramp, wave)

    @property
    def length(self) -> int | None:
        return self.total_steps
