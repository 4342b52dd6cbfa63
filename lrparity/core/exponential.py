"""Smooth decays: exponential (per-step factor), natural exponential and inverse-time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lrparity.core.base import Schedule, set_field
from lrparity.core.validation import check_number

__all__ = ["Exponential", "InverseTime", "NaturalExp"]


@dataclass(frozen=True)
class Exponential(Schedule):
    r"""Multiply by ``gamma`` every step: torch ``ExponentialLR``, paddle ``ExponentialDecay``.

    .. math:: \mathrm{lr}(t) = b \cdot \gamma^{t}

    Bit-identical to paddle and torch's closed form; torch's recursion drifts by <= 1e-14 relative over
    100k steps. ``gamma >= 1`` is allowed (torch accepts it; paddle requires 0 < gamma < 1).

    Args:
        gamma: factor per step; > 0.

    Example:
        >>> Exponential(gamma=0.5).values(range(3), base_lr=1.0).tolist()
        [1.0, 0.5, 0.25]
    """

    gamma: float

    name = "exponential"

    def __post_init__(self) -> None:
        set_field(self, "gamma", check_number("Exponential", "gamma", self.gamma, low=0.0, low_open=True))

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        return base * m.pow(self.gamma, t)


@dataclass(frozen=True)
class NaturalExp(Schedule):
    r"""Natural-exponential decay: paddle ``NaturalExpDecay``.

    .. math:: \mathrm{lr}(t) = b \cdot e^{-\gamma t}

    Args:
        gamma: decay rate per step; > 0.

    Example:
        >>> round(float(NaturalExp(gamma=0.5)(2, base_lr=1.0)), 6)
        0.367879
    """

    gamma: float

    name = "natural_exp"

    def __post_init__(self) -> None:
        set_field(self, "gamma", check_number("NaturalExp", "gamma", self.gamma, low=0.0, low_open=True))

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        return base * m.exp(-1 * self.gamma * t)


@dataclass(frozen=True)
class InverseTime(Schedule):
    r"""Inverse-time decay: paddle ``InverseTimeDecay``.

    .. math:: \mathrm{lr}(t) = \frac{b}{1 + \gamma t}

    Args:
        gamma: decay rate per step; >= 0 (paddle accepts negative values and then divides by zero).

    Example:
        >>> InverseTime(gamma=1.0).values(range(3), base_lr=1.0).tolist()
        [1.0, 0.5, 0.3333333333333333]
    """

    gamma: float

    name = "inverse_time"

    def __post_init__(self) -> None:
        set_field(self, "gamma", check_number("InverseTime", "gamma", self.gamma, low=0.0))

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        return base / (1 + self.gamma * t)
