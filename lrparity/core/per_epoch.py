"""A schedule stepped once per epoch and read once per optimizer update."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lrparity.core.base import Schedule, set_field
from lrparity.core.validation import check_int

__all__ = ["PerEpoch"]


@dataclass(frozen=True)
class PerEpoch(Schedule):
    r"""A schedule whose step counts epochs, read at every optimizer update: its value holds for a whole epoch.

    .. math:: \mathrm{lr}(t) = s\bigl(\lfloor t / N \rfloor\bigr)

    with :math:`t` the optimizer update and :math:`N` the updates per epoch. This is what a trainer that calls
    ``scheduler.step()`` after each epoch gives per update: mmengine's ``by_epoch=True`` param schedulers, timm's
    epoch schedulers, the Paddle suites' epoch-stepped lrs. Integer arithmetic, so exact; the inner schedule is
    evaluated with its own arithmetic (a replayed recursion stays bit-identical).

    Args:
        schedule: the schedule in epochs (its step ``e`` is the number of epochs done).
        steps_per_epoch: optimizer updates per epoch, :math:`N`; >= 1.

    Example:
        >>> from lrparity.core import Step
        >>> PerEpoch(Step(1, 0.5), steps_per_epoch=2).values(range(5), base_lr=1.0).tolist()
        [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    schedule: Schedule
    steps_per_epoch: int

    name = "per_epoch"

    def __post_init__(self) -> None:
        if not isinstance(self.schedule, Schedule):
            raise TypeError(f"PerEpoch: schedule must be a Schedule, got {self.schedule!r}")
        set_field(self, "steps_per_epoch", check_int("PerEpoch", "steps_per_epoch", self.steps_per_epoch, minimum=1))

    @property
    def uses_base_lr(self) -> bool:  # type: ignore[override]
        """Whether the inner schedule reads the base lr."""
        return self.schedule.uses_base_lr

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        return self.schedule._eval(t // self.steps_per_epoch, base, m)

    def for_group(self, index: int) -> Schedule:
        inner = self.schedule.for_group(index)
        return self if inner is self.schedule else PerEpoch(inner, self.steps_per_epoch)

    def companions(self) -> Mapping[str, Schedule]:
        """The inner schedule's companions (e.g. a one-cycle momentum), stepped per epoch too."""
        return {name: PerEpoch(s, self.steps_per_epoch) for name, s in self.schedule.companions().items()}

    @property
    def length(self) -> int | None:
        inner = self.schedule.length
        return None if inner is None else inner * self.steps_per_epoch
