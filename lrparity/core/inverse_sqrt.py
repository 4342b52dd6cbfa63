"""Inverse square-root decay after a linear warmup, as a multiplier of the base lr (Hugging Face ``inverse_sqrt``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lrparity.core.base import Schedule, set_field
from lrparity.core.compose import by_segment
from lrparity.core.validation import check_int, check_number

__all__ = ["InverseSqrtWarmupDecay"]


@dataclass(frozen=True)
class InverseSqrtWarmupDecay(Schedule):
    r"""A linear warmup from 0 over ``warmup_steps`` steps, then the inverse square root of the time since a
    reference point: Hugging Face ``get_inverse_sqrt_schedule`` (``lr_scheduler_type="inverse_sqrt"``).

    .. math::
        \mathrm{lr}(t) = b \cdot \begin{cases}
            t / \max(1, W) & t < W \\
            1 / \sqrt{(t + \tau - W) / \tau} & t \ge W
        \end{cases}

    so the lr is ``b`` at ``t = W`` and halves each time ``t - W + tau`` quadruples. Computed as ``b * f(t)`` with
    ``f`` in the operation order of the Hugging Face lambda (``float(t) / float(max(1, W))``,
    ``1.0 / math.sqrt((t + (tau - W)) / tau)``), so values are bit-identical to ``LambdaLR`` running it. The
    curve has no end: it decays for ever. With ``timescale = W`` it is paddle's ``NoamDecay`` up to the constant
    ``d_model**-0.5 * W**-0.5`` (and rounding).

    Args:
        warmup_steps: length of the warmup in steps (``W``); >= 0 (0: no warmup).
        timescale: time scale ``tau`` in steps; > 0. None (default): ``warmup_steps``, or 10000 when there is no
            warmup (Hugging Face's default), resolved when the schedule is built.

    Example:
        >>> InverseSqrtWarmupDecay(warmup_steps=2).values(range(7), base_lr=1.0).tolist()
        [0.0, 0.5, 1.0, 0.8164965809277261, 0.7071067811865475, 0.6324555320336759, 0.5773502691896258]
    """

    warmup_steps: int
    timescale: float | None = None

    name = "inverse_sqrt_warmup_decay"

    def __post_init__(self) -> None:
        owner = "InverseSqrtWarmupDecay"
        set_field(self, "warmup_steps", check_int(owner, "warmup_steps", self.warmup_steps, minimum=0))
        if self.timescale is None:
            set_field(self, "timescale", self.warmup_steps or 10_000)
        else:
            set_field(self, "timescale", check_number(owner, "timescale", self.timescale, low=0.0, low_open=True))

    def _warmup(self, t: Any) -> Any:
        return t / max(1, self.warmup_steps)

    def _decay(self, t: Any, m: Any) -> Any:
        tau = self.timescale
        return 1.0 / m.sqrt((t + (tau - self.warmup_steps)) / tau)

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        w = self.warmup_steps
        if not m.is_array:
            return base * (self._warmup(t) if t < w else self._decay(t, m))
        factor = by_segment(t, m, (w,), [self._warmup, lambda x: self._decay(x, m)])
        factor *= base
        return factor

    @property
    def length(self) -> int | None:
        return self.warmup_steps or None
