"""A cosine decay with a linear warmup that count updates from 1 (Hugging Face ``cosine_warmup_with_min_lr``)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from lrparity.core.base import Schedule, set_field
from lrparity.core.compose import by_segment
from lrparity.core.validation import check_int, check_number

__all__ = ["CosineWarmupDecayOneBased"]


@dataclass(frozen=True)
class CosineWarmupDecayOneBased(Schedule):
    r"""A linear warmup over ``warmup_steps`` steps that reaches the base lr AT its last step, then a cosine decay
    to ``min_lr_rate`` times the base lr whose progress counts the current step too: Hugging Face
    ``get_cosine_with_min_lr_schedule_with_warmup_lr_rate`` (``lr_scheduler_type="cosine_warmup_with_min_lr"``).

    With :math:`W` warmup steps, :math:`N` total steps, :math:`r` = ``min_lr_rate``, :math:`s` =
    ``warmup_lr_rate`` and :math:`n` = ``num_cycles``:

    .. math::
        \mathrm{lr}(t) = b \cdot \begin{cases}
            (t + 1) / \max(1, W) & t < W,\ s \text{ not given} \\
            s + (1 - s)\, t / \max(1, W - 1) & t < W,\ s \text{ given} \\
            \max\bigl(0,\ c\,(1 - r) + r\bigr),\ c = \tfrac12\bigl(1 + \cos(2 \pi n\, p)\bigr),\
                p = \frac{t - W + 1}{\max(1, N - W)} & t \ge W
        \end{cases}

    Compared with :class:`~lrparity.core.warmup_decay.CosineWarmupDecay` (Hugging Face ``cosine_with_min_lr``)
    every step is read one step later (update ``t`` gets that schedule's value at ``t + 1``): the warmup never
    gives 0 and the decay starts one step in, reaching ``r`` at ``t = N - 1``, the last update of a Trainer run.
    Without ``warmup_lr_rate`` it equals ``Shift(CosineWarmupDecay(W, N, n, r), offset=1)`` exactly. With it, the
    warmup is a line from ``s`` at ``t = 0`` to 1 at ``t = W - 1`` (Hugging Face's docstring calls ``s = 1/W`` the
    default, the same line as the form without ``s``, up to rounding). Past ``N`` the cosine is not clamped: it
    rises again (as Hugging Face's does). Computed as ``b * f(t)`` in Hugging Face's operation order (steps
    converted to floats first): bit-identical to ``LambdaLR`` running it.

    Args:
        warmup_steps: length of the warmup in steps (``W``); >= 0.
        total_steps: steps of the run (``N``, Hugging Face ``num_training_steps``); >= 1.
        num_cycles: waves of the cosine over ``N - W`` steps (``n``); > 0. 0.5: half a wave, from 1 down to ``r``.
        min_lr_rate: the floor ``r`` as a fraction of the base lr; in [0, 1].
        warmup_lr_rate: the warmup's start ``s`` as a fraction of the base lr, in [0, 1]; None: the ``(t + 1) / W``
            form.

    Example:
        >>> s = CosineWarmupDecayOneBased(warmup_steps=2, total_steps=6, min_lr_rate=0.1)
        >>> [round(v, 6) for v in s.values(range(7), base_lr=1.0).tolist()]
        [0.5, 1.0, 0.868198, 0.55, 0.231802, 0.1, 0.231802]
    """

    warmup_steps: int
    total_steps: int
    num_cycles: float = 0.5
    min_lr_rate: float = 0.0
    warmup_lr_rate: float | None = None

    name = "cosine_warmup_decay_one_based"

    def __post_init__(self) -> None:
        owner = "CosineWarmupDecayOneBased"
        set_field(self, "warmup_steps", check_int(owner, "warmup_steps", self.warmup_steps, minimum=0))
        set_field(self, "total_steps", check_int(owner, "total_steps", self.total_steps, minimum=1))
        set_field(self, "num_cycles", check_number(owner, "num_cycles", self.num_cycles, low=0.0, low_open=True))
        set_field(self, "min_lr_rate", check_number(owner, "min_lr_rate", self.min_lr_rate, low=0.0, high=1.0))
        if self.warmup_lr_rate is not None:
            rate = check_number(owner, "warmup_lr_rate", self.warmup_lr_rate, low=0.0, high=1.0)
            set_field(self, "warmup_lr_rate", rate)

    def _warmup(self, t: Any) -> Any:
        w = float(self.warmup_steps)
        s = self.warmup_lr_rate
        if s is None:
            return (t + 1.0) / max(1.0, w)
        s = float(s)
        return s + (1.0 - s) * t / max(1, w - 1)

    def _decay(self, t: Any, m: Any) -> Any:
        w, n, r = float(self.warmup_steps), float(self.total_steps), self.min_lr_rate
        progress = (t - w + 1.0) / max(1.0, n - w)
        factor = 0.5 * (1.0 + m.cos(math.pi * self.num_cycles * 2.0 * progress))
        factor = factor * (1 - r) + r
        return m.maximum(0, factor)

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        if not m.is_array:
            t = float(t)
            return base * (self._warmup(t) if t < self.warmup_steps else self._decay(t, m))
        x = t.astype(float)
        return base * by_segment(x, m, (self.warmup_steps,), [self._warmup, lambda v: self._decay(v, m)])

    @property
    def length(self) -> int | None:
        return self.total_steps
