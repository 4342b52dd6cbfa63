"""A schedule held at its value of one step from that step on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lrparity.core.base import Schedule, set_field
from lrparity.core.validation import check_int

__all__ = ["Hold"]


@dataclass(frozen=True)
class Hold(Schedule):
    r"""``schedule`` until step ``step``, then its value at ``step`` for ever.

    .. math:: \mathrm{lr}(t) = s(\min(t, \mathrm{step}))

    What a table of lrs does past its last entry: PaddleDetection's cosine, tabulated up to ``max_epochs``, keeps
    the value of its last step (not ``eta_min``) for the rest of the run. Integer arithmetic on the step, so the
    values are exactly ``schedule``'s.

    Args:
        schedule: the schedule held.
        step: the last step whose value changes; >= 0.

    Example:
        >>> from lrparity.core import Cosine
        >>> Hold(Cosine(T_max=4), step=2).values(range(5), base_lr=1.0).tolist()
        [1.0, 0.8535533905932737, 0.5, 0.5, 0.5]
    """

    schedule: Schedule
    step: int

    name = "hold"

    def __post_init__(self) -> None:
        if not isinstance(self.schedule, Schedule):
            raise TypeError(f"Hold: schedule must be a Schedule, got {self.schedule!r}")
        set_field(self, "step", check_int("Hold", "step", self.step, minimum=0))

    @property
    def uses_base_lr(self) -> bool:  # type: ignore[override]
        """Whether the held schedule reads the base lr."""
        return self.schedule.uses_base_lr

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        return self.schedule._eval(m.minimum(t, self.step), base, m)

    @property
    def length(self) -> int | None:
        return self.step
