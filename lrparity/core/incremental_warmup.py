"""Linear warmup by a constant increment per step (timm's arithmetic), before or over any schedule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lrparity.core._math import SCALAR
from lrparity.core.base import Schedule, set_field
from lrparity.core.compose import ramp_then
from lrparity.core.validation import check_choice, check_int, check_number

__all__ = ["IncrementalWarmup"]


@dataclass(frozen=True)
class IncrementalWarmup(Schedule):
    r"""Warm up for ``warmup_steps`` steps by a constant increment, then follow ``schedule``.

    For :math:`t < W`, with start :math:`a` and end :math:`z`:

    .. math:: \mathrm{lr}(t) = a + t \cdot \frac{z - a}{W}

    the increment :math:`(z - a)/W` computed once, as timm's schedulers (``warmup_lr_init + t * warmup_step``) and
    pytorch-accelerated's compute it. :class:`~lrparity.core.warmup.Warmup` interpolates
    :math:`(z - a)\,t/W + a` instead (paddle's ``LinearWarmup``); the two can differ in the last bit.

    For :math:`t \ge W`: ``mode="prefix"`` gives :math:`s(t - W)` (timm's ``warmup_prefix=True``);
    ``mode="overlap"`` gives :math:`s(t)`: the warmup replaces the schedule's first ``W`` steps (timm's default
    ``warmup_prefix=False``, under which a decay has already started when the warmup ends, so its peak is never
    reached). Unlike ``Warmup``, an overlapping warmup may be as long as the schedule (timm allows it).

    The start is ``start_lr`` (absolute, default 0) or ``start_factor * base_lr``. The end is ``end_lr``
    (absolute), ``end_factor * base_lr`` (timm: ``end_factor=1.0``, the base lr), or by default the schedule's own
    value where the warmup hands over (timm's tanh without ``warmup_prefix`` warms up to it).

    Args:
        schedule: what follows the warmup.
        warmup_steps: length of the warmup in steps; >= 1.
        start_lr: absolute start lr; >= 0. Exclusive with ``start_factor``.
        start_factor: start as a multiple of the base lr; >= 0.
        end_lr: absolute end lr; >= 0. Exclusive with ``end_factor``.
        end_factor: end as a multiple of the base lr; >= 0.
        mode: ``"prefix"`` or ``"overlap"``.

    Example:
        >>> from lrparity.core import Constant
        >>> IncrementalWarmup(Constant(), 4, start_lr=0.0, end_factor=1.0).values(range(6), base_lr=0.1).tolist()
        [0.0, 0.025, 0.05, 0.07500000000000001, 0.1, 0.1]
    """

    schedule: Schedule
    warmup_steps: int
    start_lr: float | None = None
    start_factor: float | None = None
    end_lr: float | None = None
    end_factor: float | None = None
    mode: str = "prefix"

    name = "incremental_warmup"

    def __post_init__(self) -> None:
        owner = "IncrementalWarmup"
        if not isinstance(self.schedule, Schedule):
            raise TypeError(f"{owner}: schedule must be a Schedule, got {self.schedule!r}")
        set_field(self, "warmup_steps", check_int(owner, "warmup_steps", self.warmup_steps, minimum=1))
        for name in ("start_lr", "start_factor", "end_lr", "end_factor"):
            if getattr(self, name) is not None:
                set_field(self, name, check_number(owner, name, getattr(self, name), low=0.0))
        if self.start_factor is not None and self.start_lr is not None:
            raise ValueError(
                f"{owner}: give start_lr ({self.start_lr!r}) or start_factor ({self.start_factor!r}), not both"
            )
        if self.end_factor is not None and self.end_lr is not None:
            raise ValueError(f"{owner}: give end_lr ({self.end_lr!r}) or end_factor ({self.end_factor!r}), not both")
        set_field(self, "mode", check_choice(owner, "mode", self.mode, ("prefix", "overlap")))

    @property
    def uses_base_lr(self) -> bool:  # type: ignore[override]
        """Whether a value reads the base lr: the schedule does, or an end of the ramp is a factor > 0 of it.

        The default end (the schedule's value at the hand-over) reads the base when the schedule does.
        """
        if self.schedule.uses_base_lr:
            return True
        return bool(self.start_lr is None and self.start_factor) or bool(self.end_lr is None and self.end_factor)

    def _ends(self, base: float) -> tuple[float, float]:
        start = self.start_lr if self.start_lr is not None else base * (self.start_factor or 0.0)
        if self.end_lr is not None:
            end = self.end_lr
        elif self.end_factor is not None:
            end = base * self.end_factor
        else:
            handover = 0 if self.mode == "prefix" else self.warmup_steps
            end = float(self.schedule._eval(handover, base, SCALAR))
        return start, end

    def _ramp(self, x: Any, base: float) -> Any:
        start, end = self._ends(base)
        return start + x * ((end - start) / self.warmup_steps)

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        ramp = lambda x: self._ramp(x, base)
        return ramp_then(t, base, m, ramp, self.schedule, self.warmup_steps, prefix=self.mode == "prefix")

    @property
    def length(self) -> int | None:
        inner = self.schedule.length
        if inner is None:
            return None
        return inner + self.warmup_steps if self.mode == "prefix" else max(inner, self.warmup_steps)
