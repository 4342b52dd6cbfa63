"""Step decay with a real-valued period (timm's ``decay_epochs=2.4``): b * gamma ** floor(t / period)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lrparity.core.base import Schedule, set_field
from lrparity.core.validation import check_number

__all__ = ["FractionalStep"]


@dataclass(frozen=True)
class FractionalStep(Schedule):
    r"""Decay by ``gamma`` every ``period`` steps, where the period may be fractional: timm's ``StepLRScheduler``
    (``--sched step --decay-epochs 2.4 --decay-rate .97``, the EfficientNet/MobileNet RandAugment recipes).

    .. math:: \mathrm{lr}(t) = b \cdot \gamma^{\,t \,/\!/\, P}

    with :math:`/\!/` Python's floor division of floats, as timm computes it (``v * rate ** (t // decay_t)``): the
    decays land at the steps :math:`\lceil kP \rceil` (up to the rounding of the float division): with
    :math:`P = 2.4` at steps 3, 5, 8, 10, 12, 15, ... For an integer period this is
    :class:`~lrparity.core.step.Step`, value for value.

    Args:
        period: steps between decays (timm's ``decay_t``); a real > 0.
        gamma: multiplicative factor per period; > 0.

    Example:
        >>> FractionalStep(period=2.4, gamma=0.5).values(range(8), base_lr=1.0).tolist()
        [1.0, 1.0, 1.0, 0.5, 0.5, 0.25, 0.25, 0.25]
    """

    period: float
    gamma: float = 0.1

    name = "fractional_step"

    def __post_init__(self) -> None:
        set_field(self, "period", check_number("FractionalStep", "period", self.period, low=0.0, low_open=True))
        set_field(self, "gamma", check_number("FractionalStep", "gamma", self.gamma, low=0.0, low_open=True))

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        return base * m.pow(self.gamma, t // self.period)
