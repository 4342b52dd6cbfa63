"""Warmup of any schedule: linear, exponential or constant, prefixed before it or over its first steps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lrparity.core._math import SCALAR
from lrparity.core.base import Schedule, set_field
from lrparity.core.compose import ramp_then
from lrparity.core.validation import check_choice, check_int, check_number

__all__ = ["Warmup"]


@dataclass(frozen=True)
class Warmup(Schedule):
    r"""Warm up for ``warmup_steps`` steps, then follow ``schedule``.

    For :math:`t < W`, with start :math:`a` and end :math:`z`:

    - ``linear``: :math:`(z - a)\,t / W + a` (paddle ``LinearWarmup``'s exact arithmetic);
    - ``exponential``: :math:`a\,(z/a)^{t/W}` (needs :math:`a > 0`);
    - ``constant``: :math:`a`.

    For :math:`t \ge W`: ``mode="prefix"`` gives :math:`s(t - W)`: the schedule starts after the warmup and
    keeps its full length, as paddle ``LinearWarmup`` and torch ``SequentialLR`` do; ``mode="overlap"`` gives
    :math:`s(t)`: the warmup replaces the schedule's first ``W`` steps (timm's ``warmup_prefix=False``).

    The start is ``start_lr`` (absolute) or ``start_factor * base_lr`` (default factor 0.0). The end is
    ``end_lr`` (absolute), ``end_factor * base_lr``, or by default the schedule's own value where the warmup
    hands over (so there is no jump). The warmup is absolute (``uses_base_lr`` False) when none of these reads
    the base lr: a warmup of an absolute schedule with the default ends needs no base lr.

    Args:
        schedule: what follows the warmup.
        warmup_steps: length of the warmup in steps; >= 1.
        start_factor: start as a multiple of the base lr; >= 0. Exclusive with ``start_lr``.
        start_lr: absolute start lr; >= 0.
        end_factor: end as a multiple of the base lr; >= 0. Exclusive with ``end_lr``.
        end_lr: absolute end lr; >= 0.
        shape: ``"linear"``, ``"exponential"`` or ``"constant"``.
        mode: ``"prefix"`` or ``"overlap"``.

    Example:
        >>> from lrparity.core import Cosine
        >>> Warmup(Cosine(T_max=2), warmup_steps=2).values(range(5), base_lr=1.0).tolist()
        [0.0, 0.5, 1.0, 0.5, 0.0]
    """

    schedule: Schedule
    warmup_steps: int
    start_factor: float | None = None
    start_lr: float | None = None
    end_factor: float | None = None
    end_lr: float | None = None
    shape: str = "linear"
    mode: str = "prefix"

    name = "warmup"

    def __post_init__(self) -> None:
        if not isinstance(self.schedule, Schedule):
            raise TypeError(f"Warmup: schedule must be a Schedule, got {self.schedule!r}")
        set_field(self, "warmup_steps", check_int("Warmup", "warmup_steps", self.warmup_steps, minimum=1))
        for name in ("start_factor", "start_lr", "end_factor", "end_lr"):
            if getattr(self, name) is not None:
                set_field(self, name, check_number("Warmup", name, getattr(self, name), low=0.0))
        if self.start_factor is not None and self.start_lr is not None:
            raise ValueError(
                f"Warmup: give start_factor ({self.start_factor!r}) or start_lr ({self.start_lr!r}), not both"
            )
        if self.end_factor is not None and self.end_lr is not None:
            raise ValueError(f"Warmup: give end_factor ({self.end_factor!r}) or end_lr ({self.end_lr!r}), not both")
        object.__setattr__(
            self, "shape", check_choice("Warmup", "shape", self.shape, ("linear", "exponential", "constant"))
        )
        object.__setattr__(self, "mode", check_choice("Warmup", "mode", self.mode, ("prefix", "overlap")))
        if self.shape == "exponential" and not (self.start_lr or self.start_factor):
            raise ValueError(
                "Warmup: shape='exponential' needs a start > 0 (start_lr or start_factor), "
                f"got start_lr={self.start_lr!r}, start_factor={self.start_factor!r}"
            )
        inner = self.schedule.length
        if self.mode == "overlap" and inner is not None and self.warmup_steps >= inner:
            raise ValueError(
                f"Warmup: warmup_steps={self.warmup_steps} covers the whole schedule in mode='overlap' "
                f"({type(self.schedule).__name__} ends at step {inner}): must be < {inner}, or use mode='prefix'"
            )

    @property
    def uses_base_lr(self) -> bool:  # type: ignore[override]
        """Whether a value reads the base lr: the schedule after the warmup does, or an end of the ramp does.

        The start reads it as ``start_factor * base_lr`` with a factor > 0 (the default start, factor 0, is 0
        whatever the base). The end reads it as ``end_factor * base_lr`` with a factor > 0, or by default as
        the schedule's value at the hand-over, which reads it when the schedule does; ``shape="constant"``
        never uses the end. So a warmup of an absolute schedule (OneCycle, Cyclic, Piecewise, WithBaseLR) with
        the default ends is absolute.
        """
        if self.schedule.uses_base_lr:
            return True
        start_reads = self.start_lr is None and bool(self.start_factor)
        end_reads = self.shape != "constant" and self.end_lr is None and bool(self.end_factor)
        return start_reads or end_reads

    def _handover(self) -> int:
        return 0 if self.mode == "prefix" else self.warmup_steps

    def _ends(self, base: float) -> tuple[float, float]:
        start = self.start_lr if self.start_lr is not None else base * (self.start_factor or 0.0)
        if self.end_lr is not None:
            end = self.end_lr
        elif self.end_factor is not None:
            end = base * self.end_factor
        else:
            end = float(self.schedule._eval(self._handover(), base, SCALAR))
        return start, end

    def _ramp(self, x: Any, base: float, m: Any) -> Any:
        start, end = self._ends(base)
        if self.shape == "linear":
            return (end - start) * x / self.warmup_steps + start
        if self.shape == "exponential":
            if start == 0:
                if end == 0:
                    return 0.0 * x
                raise ValueError(
                    f"Warmup: shape='exponential' needs a start > 0, but start_factor * base_lr is 0 "
                    f"(start_factor={self.start_factor!r}, base_lr=0); give start_lr instead"
                )
            return start * m.pow(end / start, x / self.warmup_steps)
        return start + 0.0 * x

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        ramp = lambda x: self._ramp(x, base, m)
        return ramp_then(t, base, m, ramp, self.schedule, self.warmup_steps, prefix=self.mode == "prefix")

    @property
    def length(self) -> int | None:
        inner = self.schedule.length
        if inner is None:
            return None
        return inner + self.warmup_steps if self.mode == "prefix" else inner
