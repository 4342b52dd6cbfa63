"""Composition: schedules one after another (re-basing the step), multiplied, fixed to a base lr, or per group."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Mapping
from collections.abc import Sequence as SequenceABC
from dataclasses import dataclass
from typing import Any

import numpy as np

from lrparity.core.base import Schedule, set_field
from lrparity.core.validation import check_int, check_int_sequence, check_number

__all__ = ["Chain", "PerGroup", "Sequence", "Shift", "WithBaseLR", "by_segment", "ramp_then"]


def check_schedules(owner: str, name: str, value: Any, *, minimum: int = 1) -> tuple[Schedule, ...]:
    if isinstance(value, Schedule) or not isinstance(value, SequenceABC):
        raise TypeError(f"{owner}: {name} must be a list of schedules, got {value!r}")
    items = tuple(value)
    for i, item in enumerate(items):
        if not isinstance(item, Schedule):
            raise TypeError(f"{owner}: {name}[{i}] must be a Schedule, got {item!r} ({type(item).__name__})")
    if len(items) < minimum:
        raise ValueError(f"{owner}: {name} must hold at least {minimum} schedule(s), got {len(items)}")
    return items


def by_segment(t: Any, m: Any, bounds: tuple[int, ...], pieces: SequenceABC[Callable[[Any], Any]]) -> Any:
    """``pieces[i](t)`` for the steps with ``bounds[i-1] <= t < bounds[i]``; each piece sees only its steps."""
    if not m.is_array:
        return pieces[bisect.bisect_right(bounds, t)](t)
    edges = np.asarray(bounds, dtype=np.int64)
    out = np.empty(t.shape, dtype=np.float64)
    if t.ndim == 1 and (t.size < 2 or bool((t[1:] >= t[:-1]).all())):  # sorted steps (a curve): slices, no masks
        cuts = [0, *np.searchsorted(t, edges, side="left").tolist(), t.size]
        for i, piece in enumerate(pieces):
            if cuts[i + 1] > cuts[i]:
                out[cuts[i] : cuts[i + 1]] = piece(t[cuts[i] : cuts[i + 1]])
        return out
    index = np.searchsorted(edges, t, side="right")
    for i, piece in enumerate(pieces):
        mask = index == i
        if mask.any():
            out[mask] = piece(t[mask])
    return out


def ramp_then(
    t: Any, base: float, m: Any, ramp: Callable[[Any], Any], schedule: Schedule, warmup_steps: int, *, prefix: bool
) -> Any:
    """A warmup's value at step(s) ``t``: ``ramp(t)`` for ``t < warmup_steps``, then ``schedule`` at
    ``t - warmup_steps`` (``prefix``: the schedule starts when the warmup ends) or at ``t`` (it ran under it)."""
    shift = warmup_steps if prefix else 0
    if not m.is_array:
        return ramp(t) if t < warmup_steps else schedule._eval(t - shift, base, m)
    return by_segment(t, m, (warmup_steps,), [ramp, lambda x: schedule._eval(x - shift, base, m)])


@dataclass(frozen=True)
class Sequence(Schedule):
    r"""Schedules one after another: torch ``SequentialLR``, optax ``join_schedules``.

    .. math:: \mathrm{lr}(t) = s_i(t - m_{i-1}) \quad \text{for } m_{i-1} \le t < m_i \quad (m_{-1} = 0)

    Each schedule restarts at its milestone from step 0 and from the base lr, as in torch. Milestones may
    repeat or be 0 (that schedule is then skipped, as in torch).

    Args:
        schedules: the phases, at least one.
        milestones: steps at which the next phase starts, sorted, ``len(schedules) - 1`` of them.

    Example:
        >>> from lrparity.core import Linear, Cosine
        >>> s = Sequence([Linear(0.0, 1.0, 2), Cosine(T_max=2)], milestones=[2])
        >>> s.values(range(5), base_lr=1.0).tolist()
        [0.0, 0.5, 1.0, 0.5, 0.0]
    """

    schedules: tuple[Schedule, ...]
    milestones: tuple[int, ...]

    name = "sequence"

    def __post_init__(self) -> None:
        set_field(self, "schedules", check_schedules("Sequence", "schedules", self.schedules))
        set_field(self, "milestones", check_int_sequence("Sequence", "milestones", self.milestones, allow_empty=True))
        if len(self.milestones) != len(self.schedules) - 1:
            raise ValueError(
                f"Sequence: milestones must have len(schedules) - 1 = {len(self.schedules) - 1} entries, "
                f"got {len(self.milestones)}"
            )

    @property
    def uses_base_lr(self) -> bool:  # type: ignore[override]
        """Whether a phase that runs reads the base lr (a phase between two equal milestones never runs)."""
        starts, ends = (0, *self.milestones), (*self.milestones, None)
        return any(s.uses_base_lr for s, lo, hi in zip(self.schedules, starts, ends) if hi is None or hi > lo)

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        if not m.is_array:
            i = bisect.bisect_right(self.milestones, t)
            return self.schedules[i]._eval(t - (self.milestones[i - 1] if i else 0), base, m)
        starts = (0, *self.milestones)
        pieces = [(lambda x, s=s, start=start: s._eval(x - start, base, m)) for s, start in zip(self.schedules, starts)]
        return by_segment(t, m, self.milestones, pieces)

    @property
    def length(self) -> int | None:
        tail = self.schedules[-1].length
        start = self.milestones[-1] if self.milestones else 0
        return None if tail is None else start + tail


@dataclass(frozen=True)
class Chain(Schedule):
    r"""Schedules multiplied together: what torch ``ChainedScheduler`` means for multiplicative members.

    .. math:: \mathrm{lr}(t) = s_0(t; b) \cdot s_1(t; 1) \cdots s_n(t; 1)

    The first schedule runs at the base lr; every later one contributes its multiplier (its value at base
    1.0). torch's ``ChainedScheduler`` multiplies its recursive members step by step (the same values to
    <= 1e-12) but lets a closed-form member (LambdaLR, OneCycleLR, CyclicLR, CosineAnnealingWarmRestarts)
    overwrite the others (pytorch#129565); ``Chain`` always multiplies.

    Args:
        schedules: the factors, at least one.

    Example:
        >>> from lrparity.core import Linear, Exponential
        >>> Chain([Linear(0.5, 1.0, 2), Exponential(0.5)]).values(range(3), base_lr=1.0).tolist()
        [0.5, 0.375, 0.25]
    """

    schedules: tuple[Schedule, ...]

    name = "chain"

    def __post_init__(self) -> None:
        set_field(self, "schedules", check_schedules("Chain", "schedules", self.schedules))

    @property
    def uses_base_lr(self) -> bool:  # type: ignore[override]
        """Whether the first schedule reads the base lr (the others are evaluated at base 1.0)."""
        return self.schedules[0].uses_base_lr

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        out = self.schedules[0]._eval(t, base, m)
        for s in self.schedules[1:]:
            out = out * s._eval(t, 1.0, m)
        return out

    @property
    def length(self) -> int | None:
        lengths = [s.length for s in self.schedules if s.length is not None]
        return max(lengths) if lengths else None


@dataclass(frozen=True)
class WithBaseLR(Schedule):
    r"""A relative schedule pinned to a base lr, so that it carries its own absolute values.

    .. math:: \mathrm{lr}(t) = s(t; b_0)

    What :func:`lrparity.from_native` returns for a paddle scheduler (paddle's ``learning_rate`` belongs to
    the scheduler), and what a config file uses to state its lr. The optimizer's base lr is ignored. An
    absolute ``schedule`` (``uses_base_lr`` False) is refused: it would ignore ``base_lr``.

    Args:
        schedule: the relative schedule.
        base_lr: the base lr it runs at; >= 0.

    Example:
        >>> from lrparity.core import Step
        >>> WithBaseLR(Step(1, 0.5), base_lr=0.1).values(range(3)).tolist()
        [0.1, 0.05, 0.025]
    """

    schedule: Schedule
    base_lr: float

    name = "with_base_lr"
    uses_base_lr = False

    def __post_init__(self) -> None:
        if not isinstance(self.schedule, Schedule):
            raise TypeError(f"WithBaseLR: schedule must be a Schedule, got {self.schedule!r}")
        set_field(self, "base_lr", check_number("WithBaseLR", "base_lr", self.base_lr, low=0.0))
        if not self.schedule.uses_base_lr:
            raise ValueError(
                f"WithBaseLR: {type(self.schedule).__name__} is absolute (its values do not read a base lr), so "
                f"base_lr={self.base_lr!r} would be ignored: use the schedule without WithBaseLR"
            )

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        return self.schedule._eval(t, self.base_lr, m)

    def companions(self) -> Mapping[str, Schedule]:
        return self.schedule.companions()

    @property
    def length(self) -> int | None:
        return self.schedule.length


@dataclass(frozen=True)
class PerGroup(Schedule):
    """One schedule per optimizer param group (torch: a list of ``lr_lambda``, or per-group ``max_lr``).

    Evaluate a group's curve with ``schedule.for_group(i).values(...)``; the backends do this per group.

    Args:
        schedules: one schedule per param group, at least one.
    """

    schedules: tuple[Schedule, ...]

    name = "per_group"

    def __post_init__(self) -> None:
        set_field(self, "schedules", check_schedules("PerGroup", "schedules", self.schedules))

    @property
    def uses_base_lr(self) -> bool:  # type: ignore[override]
        """Whether any group's schedule reads the base lr."""
        return any(s.uses_base_lr for s in self.schedules)

    def for_group(self, index: int) -> Schedule:
        if not 0 <= index < len(self.schedules):
            raise ValueError(
                f"PerGroup: group index {index} out of range: this schedule has {len(self.schedules)} groups"
            )
        return self.schedules[index]

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        raise ValueError(
            f"PerGroup holds {len(self.schedules)} schedules, one per param group: "
            "evaluate one with schedule.for_group(i).values(...)"
        )

    @property
    def length(self) -> int | None:
        return self.schedules[0].length


@dataclass(frozen=True)
class Shift(Schedule):
    r"""A schedule read ``offset`` steps later.

    .. math:: \mathrm{lr}(t) = s(t + \mathrm{offset})

    Inside a :class:`Sequence`, a phase sees the step since its milestone; ``Shift(s, offset=milestone)``
    makes it see the global step instead (PaddleOCR's ``TwoStepCosine`` evaluates its second cosine at the
    global step). Integer arithmetic, so exact.

    Args:
        schedule: the shifted schedule.
        offset: steps added to ``t`` before evaluating ``schedule``; >= 0.

    Example:
        >>> from lrparity.core import Step
        >>> Shift(Step(2, 0.5), offset=1).values(range(4), base_lr=1.0).tolist()
        [1.0, 0.5, 0.5, 0.25]
    """

    schedule: Schedule
    offset: int

    name = "shift"

    def __post_init__(self) -> None:
        if not isinstance(self.schedule, Schedule):
            raise TypeError(f"Shift: schedule must be a Schedule, got {self.schedule!r}")
        set_field(self, "offset", check_int("Shift", "offset", self.offset, minimum=0))

    @property
    def uses_base_lr(self) -> bool:  # type: ignore[override]
        """Whether the shifted schedule reads the base lr."""
        return self.schedule.uses_base_lr

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        return self.schedule._eval(t + self.offset, base, m)

    @property
    def length(self) -> int | None:
        inner = self.schedule.length
        return None if inner is None else max(inner - self.offset, 0)
