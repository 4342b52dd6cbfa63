"""A warmup of the base lr's *multiplier*: ``base * (s * (1 - a**p) + a**p)`` with ``a = t / W``, then any schedule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lrparity.core.base import Schedule, set_field
from lrparity.core.compose import ramp_then
from lrparity.core.validation import check_choice, check_int, check_number

__all__ = ["FactorWarmup"]


@dataclass(frozen=True)
class FactorWarmup(Schedule):
    r"""Warm up the multiplier of the base lr from ``start_factor`` to 1 over ``warmup_steps`` steps, then follow
    ``schedule``.

    For :math:`t < W`, with :math:`a = t / W`, start factor :math:`s` and power :math:`p`:

    .. math:: \mathrm{lr}(t) = b \cdot \bigl(s\,(1 - a^p) + a^p\bigr)

    evaluated in exactly that order (``a ** p`` is skipped when :math:`p = 1`, which gives the same float). This is
    the arithmetic of the suites that tabulate or lambda-compute a warmup as a factor of the base lr:

    - PaddleDetection ``LinearWarmup`` (:math:`p = 1`): :math:`b\,(s\,(1 - t/W) + t/W)`;
    - PaddleDetection ``ExpWarmup`` (:math:`s = 0`): :math:`b\,(t/W)^p`;
    - the Hugging Face / PaddleNLP lambda warmups (:math:`s = 0, p = 1`): :math:`b \cdot t / W`.

    :class:`~lrparity.core.warmup.Warmup` interpolates the lrs instead (paddle ``LinearWarmup``'s
    :math:`(z - a)\,t/W + a`), which can differ from these in the last bit.

    For :math:`t \ge W`: ``mode="prefix"`` gives :math:`s(t - W)` (the schedule starts after the warmup, as
    PaddleDetection's cosine does), ``mode="overlap"`` gives :math:`s(t)` (the warmup covers the schedule's first
    ``W`` steps, as PaddleDetection's piecewise boundaries, counted from step 0, do). The warmup ends at the base lr
    whatever the schedule's value where it hands over.

    Args:
        schedule: what follows the warmup (relative or absolute).
        warmup_steps: ``W``, length of the warmup in steps; >= 1.
        start_factor: ``s``, the multiplier at step 0; >= 0 (> 1 warms *down* to the base lr).
        power: ``p``, the exponent of the progress ``t / W``; > 0 (1: linear).
        mode: ``"prefix"`` or ``"overlap"``.

    Example:
        >>> from lrparity.core import Constant
        >>> FactorWarmup(Constant(), 4, start_factor=0.2).values(range(6), base_lr=1.0).tolist()
        [0.2, 0.4, 0.6, 0.8, 1.0, 1.0]
        >>> FactorWarmup(Constant(), 2, power=2.0).values(range(3), base_lr=1.0).tolist()
        [0.0, 0.25, 1.0]
    """

    schedule: Schedule
    warmup_steps: int
    start_factor: float = 0.0
    power: float = 1.0
    mode: str = "prefix"

    name = "factor_warmup"

    def __post_init__(self) -> None:
        if not isinstance(self.schedule, Schedule):
            raise TypeError(f"FactorWarmup: schedule must be a Schedule, got {self.schedule!r}")
        set_field(self, "warmup_steps", check_int("FactorWarmup", "warmup_steps", self.warmup_steps, minimum=1))
        set_field(self, "start_factor", check_number("FactorWarmup", "start_factor", self.start_factor, low=0.0))
        set_field(self, "power", check_number("FactorWarmup", "power", self.power, low=0.0, low_open=True))
        set_field(self, "mode", check_choice("FactorWarmup", "mode", self.mode, ("prefix", "overlap")))

    @property
    def uses_base_lr(self) -> bool:  # type: ignore[override]
        """Whether a value reads the base lr: the schedule after the warmup does, or the ramp does (it always does,
        except a one-step ramp from factor 0, whose only value is 0)."""
        return self.schedule.uses_base_lr or self.warmup_steps > 1 or self.start_factor != 0

    def _ramp(self, t: Any, base: float, m: Any) -> Any:
        a = t / self.warmup_steps  # int / int (or int64 array / int): the correctly rounded quotient either way
        x = a if self.power == 1 else m.pow(a, self.power)
        return base * (self.start_factor * (1 - x) + x)

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        ramp = lambda x: self._ramp(x, base, m)
        return ramp_then(t, base, m, ramp, self.schedule, self.warmup_steps, prefix=self.mode == "prefix")

    @property
    def length(self) -> int | None:
        inner = self.schedule.length
        if inner is None:
            return None
        return inner + self.warmup_steps if self.mode == "prefix" else max(inner, self.warmup_steps)
