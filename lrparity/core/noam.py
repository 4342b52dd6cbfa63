"""The Transformer ("Attention is all you need") schedule: linear warmup, then inverse square-root decay."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lrparity.core.base import Schedule, set_field
from lrparity.core.validation import check_int, check_number

__all__ = ["Noam"]


@dataclass(frozen=True)
class Noam(Schedule):
    r"""Noam decay: paddle ``NoamDecay``.

    .. math:: \mathrm{lr}(t) = b \cdot d^{-0.5} \cdot \min\bigl(a(t),\; W^{-1.5}\, t\bigr),
              \quad a(t) = t^{-0.5} \ (a(0) = 1)

    so the lr at step 0 is exactly 0. paddle's default base lr is 1.0. Computed as ``(b * d**-0.5) * min``,
    paddle's grouping (a ``LambdaLR`` port computing ``b * (d**-0.5 * min)`` differs by one ulp).

    Args:
        d_model: model width (the ``d`` above); > 0.
        warmup_steps: steps of the linear warmup (``W``); >= 1.

    Example:
        >>> [round(v, 6) for v in Noam(d_model=4, warmup_steps=2).values(range(4), base_lr=1.0).tolist()]
        [0.0, 0.176777, 0.353553, 0.288675]
    """

    d_model: float
    warmup_steps: int

    name = "noam"

    def __post_init__(self) -> None:
        set_field(self, "d_model", check_number("Noam", "d_model", self.d_model, low=0.0, low_open=True))
        set_field(self, "warmup_steps", check_int("Noam", "warmup_steps", self.warmup_steps, minimum=1))

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        a = m.where(t == 0, 1, m.pow(m.maximum(t, 1), -0.5))
        b = m.pow(self.warmup_steps, -1.5) * t
        return base * m.pow(self.d_model, -0.5) * m.minimum(a, b)

    @property
    def length(self) -> int | None:
        return self.warmup_steps
