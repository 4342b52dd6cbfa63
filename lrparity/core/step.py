"""Step-wise decays: every ``step_size`` steps, at milestones, or piecewise-constant absolute values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lrparity.core.base import Schedule, set_field
from lrparity.core.validation import check_int, check_int_sequence, check_number, check_number_sequence

__all__ = ["MultiStep", "Piecewise", "Step"]


@dataclass(frozen=True)
class Step(Schedule):
    r"""Decay by ``gamma`` every ``step_size`` steps: torch ``StepLR``, paddle ``StepDecay``.

    .. math:: \mathrm{lr}(t) = b \cdot \gamma^{\lfloor t / s \rfloor}

    Bit-identical to paddle and to torch's closed form; torch's native recursion differs by <= 2e-15
    relative. ``gamma >= 1`` is allowed (torch accepts it; paddle does not).

    Args:
        step_size: period of the decay, in steps; >= 1.
        gamma: multiplicative factor per period; > 0.

    Example:
        >>> Step(step_size=2, gamma=0.5).values(range(5), base_lr=1.0).tolist()
        [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    step_size: int
    gamma: float = 0.1

    name = "step"

    def __post_init__(self) -> None:
        set_field(self, "step_size", check_int("Step", "step_size", self.step_size, minimum=1))
        set_field(self, "gamma", check_number("Step", "gamma", self.gamma, low=0.0, low_open=True))

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        return base * m.pow(self.gamma, t // self.step_size)


@dataclass(frozen=True)
class MultiStep(Schedule):
    r"""Decay by ``gamma`` at each milestone: torch ``MultiStepLR``, paddle ``MultiStepDecay``.

    .. math:: \mathrm{lr}(t) = b \cdot \gamma^{\#\{i : m_i \le t\}}

    A repeated milestone applies ``gamma`` twice, as in torch. Milestones must be sorted (torch also accepts
    unsorted ones, which it sorts; pass them sorted).

    Args:
        milestones: steps at which the decay applies, sorted, each >= 0.
        gamma: multiplicative factor per milestone; > 0.

    Example:
        >>> MultiStep(milestones=[1, 3], gamma=0.5).values(range(4), base_lr=1.0).tolist()
        [1.0, 0.5, 0.5, 0.25]
    """

    milestones: tuple[int, ...]
    gamma: float = 0.1

    name = "multistep"

    def __post_init__(self) -> None:
        set_field(self, "milestones", check_int_sequence("MultiStep", "milestones", self.milestones, allow_empty=True))
        set_field(self, "gamma", check_number("MultiStep", "gamma", self.gamma, low=0.0, low_open=True))

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        return base * m.pow(self.gamma, m.count_le(self.milestones, t))

    @property
    def length(self) -> int | None:
        return self.milestones[-1] if self.milestones else None


@dataclass(frozen=True)
class Piecewise(Schedule):
    r"""Absolute values between boundaries: paddle ``PiecewiseDecay``.

    .. math::
        \mathrm{lr}(t) = \mathrm{lrs}_i \text{ for the first } i \text{ with } t < B_i,
        \text{ else } \mathrm{lrs}_{n}

    Absolute: the base lr is not used. ``len(lrs)`` must be ``len(boundaries) + 1`` (paddle also accepts
    more values and silently ignores the middle ones; lrparity refuses that).

    Args:
        boundaries: steps at which the next value starts, strictly increasing, each >= 0.
        lrs: learning rates (paddle's ``values``), one more than boundaries; each >= 0.

    Example:
        >>> Piecewise(boundaries=[2], lrs=[0.1, 0.01]).values(range(4)).tolist()
        [0.1, 0.1, 0.01, 0.01]
    """

    boundaries: tuple[int, ...]
    lrs: tuple[float, ...]

    name = "piecewise"
    uses_base_lr = False

    def __post_init__(self) -> None:
        set_field(
            self, "boundaries", check_int_sequence("Piecewise", "boundaries", self.boundaries, strictly_increasing=True)
        )
        set_field(self, "lrs", check_number_sequence("Piecewise", "lrs", self.lrs, low=0.0))
        if len(self.lrs) != len(self.boundaries) + 1:
            raise ValueError(
                f"Piecewise: lrs must have len(boundaries) + 1 = {len(self.boundaries) + 1} entries, "
                f"got {len(self.lrs)}"
            )

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        return m.take(tuple(float(v) for v in self.lrs), m.count_le(self.boundaries, t))

    @property
    def length(self) -> int | None:
        return self.boundaries[-1]
