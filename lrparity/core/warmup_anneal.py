"""Linear warmup to an absolute peak, then a cosine or linear anneal to an absolute floor (PaddleNLP pretraining)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from lrparity.core.base import Schedule, set_field
from lrparity.core.compose import by_segment
from lrparity.core.validation import check_choice, check_number

__all__ = ["WarmupAnneal"]

_NEVER = 2**62 + 1
"""A bound no step reaches (steps are at most 2**62)."""


@dataclass(frozen=True)
class WarmupAnneal(Schedule):
    r"""Warm up linearly from 0 to ``max_lr``, anneal to ``min_lr`` by step ``decay_steps``, then hold ``min_lr``:
    PaddleNLP ``CosineAnnealingWithWarmupDecay`` and ``LinearAnnealingWithWarmupDecay`` (what ``llm/run_pretrain.py``
    trains with), operation for operation.

    With :math:`W` = ``warmup_steps``, :math:`D` = ``decay_steps`` and :math:`r = (t - W)/(D - W)`:

    .. math::
        \mathrm{lr}(t) = \begin{cases}
            \mathrm{max}\cdot t / W & W > 0,\ t \le W \\
            \mathrm{min} & t > D \\
            \mathrm{min} + c(r)\,(\mathrm{max} - \mathrm{min}) & \text{otherwise}
        \end{cases}
        \qquad c(r) = \tfrac12(\cos(\pi r) + 1) \text{ (cosine)}, \quad 1 - r \text{ (linear)}

    The warmup includes step ``W`` (it reaches ``max_lr`` there), and ``W`` may be fractional, as the pretraining
    script passes ``warmup_ratio * max_steps`` unrounded. Absolute: the optimizer's base lr is not used. The script
    builds it with ``last_epoch=0``, so its first lr is this schedule's value at step 1: wrap it in
    :class:`~lrparity.core.compose.Shift` with ``offset=1`` to index it by optimizer update.

    Args:
        max_lr: the peak, absolute; >= 0.
        min_lr: the floor, absolute; >= 0.
        warmup_steps: ``W`` in steps (a float is allowed); >= 0 (0: no warmup, the anneal starts at step 0).
        decay_steps: ``D``, the step at which the anneal reaches ``min_lr``; > 0.
        shape: ``"cosine"`` or ``"linear"``.

    Example:
        >>> WarmupAnneal(1.0, 0.0, warmup_steps=2, decay_steps=4, shape="linear").values(range(6)).tolist()
        [0.0, 0.5, 1.0, 0.5, 0.0, 0.0]
    """

    max_lr: float
    min_lr: float
    warmup_steps: float
    decay_steps: float
    shape: str = "cosine"

    name = "warmup_anneal"
    uses_base_lr = False

    def __post_init__(self) -> None:
        set_field(self, "max_lr", check_number("WarmupAnneal", "max_lr", self.max_lr, low=0.0))
        set_field(self, "min_lr", check_number("WarmupAnneal", "min_lr", self.min_lr, low=0.0))
        set_field(self, "warmup_steps", check_number("WarmupAnneal", "warmup_steps", self.warmup_steps, low=0.0))
        set_field(
            self, "decay_steps", check_number("WarmupAnneal", "decay_steps", self.decay_steps, low=0.0, low_open=True)
        )
        set_field(self, "shape", check_choice("WarmupAnneal", "shape", self.shape, ("cosine", "linear")))

    def _bounds(self) -> tuple[int, int]:
        """First step past the warmup, first step past ``decay_steps`` (t is an int: t <= x iff t < floor(x) + 1),
        capped past the last step a schedule is evaluated at (2**62), so that they fit an int64."""
        w = self.warmup_steps
        end_warmup = min(math.floor(w) + 1, _NEVER) if w > 0 else 0
        end_decay = min(math.floor(self.decay_steps) + 1, _NEVER)
        return end_warmup, max(end_warmup, end_decay)

    def _anneal(self, x: Any, m: Any) -> Any:
        w, top, low = self.warmup_steps, self.max_lr, self.min_lr
        ratio = (x - w) / float(self.decay_steps - w)  # float(t - W): numpy converts t to float64 first, as Python
        if self.shape == "cosine":
            coeff = 0.5 * (m.cos(math.pi * ratio) + 1.0)
        else:
            coeff = 1.0 - ratio
        return low + coeff * (top - low)

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        top, w, low = float(self.max_lr), self.warmup_steps, self.min_lr
        warm, decay = self._bounds()

        def ramp(x: Any) -> Any:
            return top * x / w

        def floor(x: Any) -> Any:
            return low + 0.0 * x if m.is_array else low

        if not m.is_array:
            if t < warm:
                return ramp(t)
            return self._anneal(float(t), m) if t < decay else floor(t)
        return by_segment(t, m, (warm, decay), [ramp, lambda x: self._anneal(x.astype(np.float64), m), floor])

    @property
    def length(self) -> int | None:
        return math.ceil(self.decay_steps)
