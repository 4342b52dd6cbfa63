"""Schedules stacked as recursions on the current value, step by step: mmengine's stacked param schedulers."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence as SequenceABC
from dataclasses import dataclass
from typing import Any

import numpy as np

from lrparity.core._math import ARRAY
from lrparity.core.base import Schedule, set_field
from lrparity.core.compose import WithBaseLR
from lrparity.core.constant import Constant
from lrparity.core.cosine import Cosine
from lrparity.core.exponential import Exponential
from lrparity.core.one_cycle import OneCycle, PhaseAnneal
from lrparity.core.polynomial import Linear
from lrparity.core.replay import replay
from lrparity.core.step import MultiStep, Step
from lrparity.core.stepwise_polynomial import StepwisePolynomial
from lrparity.core.validation import check_int, check_number

__all__ = ["Stacked"]

_RELATIVE = (Linear, Cosine, StepwisePolynomial, Step, MultiStep, Exponential, Constant)
_ABSOLUTE = (OneCycle, PhaseAnneal)

# one operation on the value v: (kind, x, y)
_MUL, _AFFINE, _BUMP, _SET, _ADD = 0, 1, 2, 3, 4  # v*x | x*(v-y)+y | v+(base-y)*x/2 | x | v+x


@dataclass(frozen=True)
class Stacked(Schedule):
    r"""Schedules stacked as recursions on the *current* value: at every step, each member whose window holds the step
    rewrites the value with its own native step, in the listed order. mmengine's stacked ``param_scheduler`` entries
    (and torch's ``ChainedScheduler`` of recursive schedulers) compute exactly this.

    Member ``i`` takes its steps :math:`k = 0, 1, \dots` at the steps :math:`t = (b_i + k)\,e_i` while
    :math:`b_i + k < \mathrm{end}_i` (``begins``, ``ends``, ``every``: an mmengine entry's ``begin``/``end`` in its own
    unit, and the steps per unit: 1 per iteration, the updates per epoch for ``by_epoch`` entries). At its step
    :math:`k` it maps the value :math:`v` (the value after everything before it) by the native arithmetic:

    - :class:`Linear`: :math:`v s` at :math:`k = 0`, then :math:`v\,(1 + (e - s)/(n s + (k - 1)(e - s)))` up to
      :math:`k = n`;
    - :class:`Cosine`: :math:`\frac{1 + \cos(\pi k/T)}{1 + \cos(\pi (k-1)/T)}(v - \eta) + \eta` for :math:`k \ge 1`,
      and :math:`v + (b - \eta)(1 - \cos(\pi/T))/2` at the restart steps :math:`k = T + 1 + 2Tj`, :math:`b` the base;
    - :class:`StepwisePolynomial`: :math:`(v - \eta)(1 - 1/(T - k + 1))^p + \eta` for :math:`1 \le k \le T`;
    - :class:`Step`: :math:`v\gamma` at :math:`k = s, 2s, \dots`; :class:`MultiStep`: :math:`v\gamma^{c}` at a
      milestone repeated :math:`c` times; :class:`Exponential`: :math:`v\gamma` for :math:`k \ge 1`;
      :class:`Constant`: :math:`v f` at :math:`k = 0` and :math:`v\,(1/f)` at :math:`k = T` (``total_steps``);
    - :class:`OneCycle`, :class:`PhaseAnneal` (absolute): the value becomes the member's value at :math:`k`;
    - ``WithBaseLR(member, b')``: the member's step 0 applied to :math:`b'` instead of :math:`v` (it starts from its own
      base lr, as an mmengine ``CosineRestart`` cycle does), then its recursion, its restarts computed from
      :math:`b'`.

    The value before step 0 is the base lr. Each member's step is the native operation for operation (the cosine's
    ratio of cosines, the linear factor, the powers), so the values are bit-identical to mmengine's. A multiplicative
    stack is also :class:`Chain` of the members (each a closed form or its own replay, the product taken at the end):
    the same values to a few ulps; ``Stacked`` is needed where a member has a floor (``eta_min``), restarts, or sets
    the value, since then the members do not multiply. The values are replayed step by step (bounded memory, O(1)
    per consecutive step, :mod:`lrparity.core.replay`; steps <= 10**8).

    Args:
        schedules: the members (types above), at least one. A :class:`Linear`/:class:`Cosine` member must have
            ``form="recursive"`` (its native recursion is what is stacked).
        begins: each member's first step :math:`b_i`, in its own unit; ints >= 0.
        ends: each member's end (its last step is :math:`\mathrm{end}_i - 1`), in its own unit, > begin; None: never.
        every: steps per unit of each member (>= 1); default all 1.
        bases: the base lr each member's restarts read (a :class:`Cosine` member's restart steps), absolute, >= 0;
            None (or the list left empty): the stack's base lr. mmengine's ``base_values``: a scheduler reads the
            lr the optimizer had when it was built, whatever the value its window starts from.

    Example:
        >>> from lrparity.core import Linear, Cosine
        >>> s = Stacked([Linear(0.5, 1.0, 2, form="recursive"), Cosine(4, eta_min=0.1, form="recursive")],
        ...             begins=[0, 0], ends=[3, None])
        >>> [round(v, 6) for v in s.values(range(5), base_lr=1.0).tolist()]
        [0.5, 0.65481, 0.55286, 0.232639, 0.1]
    """

    schedules: tuple[Schedule, ...]
    begins: tuple[int, ...]
    ends: tuple[int | None, ...]
    every: tuple[int, ...] = ()
    bases: tuple[float | None, ...] = ()

    name = "stacked"

    def __post_init__(self) -> None:
        owner = "Stacked"
        if isinstance(self.schedules, Schedule) or not isinstance(self.schedules, SequenceABC):
            raise TypeError(f"{owner}: schedules must be a list of schedules, got {self.schedules!r}")
        members = tuple(self.schedules)
        if not members:
            raise ValueError(f"{owner}: schedules must hold at least 1 schedule")
        for i, member in enumerate(members):
            _check_member(f"{owner}: schedules[{i}]", member)
        set_field(self, "schedules", members)
        n = len(members)
        for name in ("begins", "ends", "every", "bases"):
            value = getattr(self, name)
            if isinstance(value, (str, bytes)) or not isinstance(value, SequenceABC):
                raise TypeError(f"{owner}: {name} must be a list, got {value!r}")
        every = tuple(self.every) or (1,) * n
        if not (len(self.begins) == len(self.ends) == len(every) == n):
            raise ValueError(
                f"{owner}: begins ({len(self.begins)}), ends ({len(self.ends)}) and every ({len(every)}) must each "
                f"have one entry per schedule ({n})"
            )
        begins = tuple(check_int(owner, f"begins[{i}]", b, minimum=0) for i, b in enumerate(self.begins))
        ends = []
        for i, (begin, end) in enumerate(zip(begins, self.ends, strict=True)):
            if end is not None:
                end = check_int(owner, f"ends[{i}]", end)
                if end <= begin:
                    raise ValueError(f"{owner}: ends[{i}]={end} must be > begins[{i}]={begin} (or None)")
            ends.append(end)
        set_field(self, "begins", begins)
        set_field(self, "ends", tuple(ends))
        set_field(self, "every", tuple(check_int(owner, f"every[{i}]", e, minimum=1) for i, e in enumerate(every)))
        bases = tuple(self.bases) or (None,) * n
        if len(bases) != n:
            raise ValueError(f"{owner}: bases ({len(bases)}) must have one entry per schedule ({n}), or be empty")
        set_field(
            self,
            "bases",
            tuple(None if b is None else check_number(owner, f"bases[{i}]", b, low=0.0) for i, b in enumerate(bases)),
        )

    @property
    def uses_base_lr(self) -> bool:  # type: ignore[override]
        """Whether the values read the base lr: they do unless a member sets the value at step 0 (a OneCycle, or a
        WithBaseLR member, beginning at 0) and no unpinned Cosine member computes restarts from the base."""
        if any(isinstance(m, Cosine) and b is None for m, b in zip(self.schedules, self.bases, strict=True)):
            return True
        sets = (*_ABSOLUTE, WithBaseLR)
        return not any(b == 0 and isinstance(m, sets) for m, b in zip(self.schedules, self.begins, strict=True))

    @property
    def length(self) -> int | None:
        if any(end is None for end in self.ends):
            return None
        return max(end * every for end, every in zip(self.ends, self.every, strict=True))  # type: ignore[operator]

    # -- the replay (lrparity.core.replay) ------------------------------------------------------------------------
    def _steps(self, start: int, stop: int) -> list[tuple[int, int, int]]:
        """``(t, member, k)`` for each member step at ``start <= t < stop``, sorted by t, then member order."""
        out = []
        for i, (begin, end, every) in enumerate(zip(self.begins, self.ends, self.every, strict=True)):
            first = max(begin, -(-start // every))
            last = (stop - 1) // every
            if end is not None:
                last = min(last, end - 1)
            out.extend((g * every, i, g - begin) for g in range(first, last + 1))
        out.sort()
        return out

    def _ops(self, i: int, ks: np.ndarray) -> tuple[list[tuple[int, float, float] | None], str | None]:
        """Member ``i``'s operation at each of its steps ``ks`` (None: none), with the native arithmetic; shortened
        before the step where the native fails, with the reason."""
        member = self.schedules[i]
        if not isinstance(member, WithBaseLR):
            ops, reason = _member_ops(member, ks)
            own_base = self.bases[i]
            if own_base is not None:
                ops = [None if op is None else _from_base(op, own_base) for op in ops]
            return ops, reason
        inner, own = member.schedule, member.base_lr
        ops, reason = _member_ops(inner, ks)
        ops = [None if op is None else _from_base(op, own) for op in ops]  # restarts read its own base
        if ops and ks[0] == 0:
            ops[0] = (_SET, _start_value(inner, own), 0.0)
        return ops, reason

    def _replay_first(self, base: float) -> float:
        (events, _), reason = self._replay_shared(0, 1)
        values = self._chain(base, base, events, 1)
        if values.size == 0:
            raise ValueError(f"Stacked: the natives fail at step 0 ({reason})")
        return float(values[0])

    def _replay_shared(self, start: int, stop: int) -> tuple[tuple[list[tuple[int, list[Any]]], int], str | None]:
        """The operations of the steps ``start .. stop-1``, grouped by step (sorted), and the block's length; shortened
        to the steps before the first one where a member's native fails."""
        steps = self._steps(start, stop)
        by_member: dict[int, list[int]] = {}
        for _, i, k in steps:
            by_member.setdefault(i, []).append(k)
        member_ops: dict[int, list[Any]] = {}
        fail_at, reason = stop, None
        for i, ks in by_member.items():
            ops, why = self._ops(i, np.asarray(ks, dtype=np.int64))
            member_ops[i] = ops
            if why is not None:
                t = (self.begins[i] + int(ks[len(ops)])) * self.every[i]
                if t < fail_at:
                    fail_at, reason = t, why
        cursor = dict.fromkeys(by_member, 0)
        events: list[tuple[int, list[Any]]] = []
        for t, i, _ in steps:
            if t >= fail_at:
                break
            op = member_ops[i][cursor[i]]
            cursor[i] += 1
            if op is None:
                continue
            if events and events[-1][0] == t - start:
                events[-1][1].append(op)
            else:
                events.append((t - start, [op]))
        return (events, fail_at - start), reason

    def _chain(self, base: float, lr: float, events: list[tuple[int, list[Any]]], size: int) -> np.ndarray:
        out: list[float] = []
        v = lr
        for t, ops in events:
            out.extend([v] * (t - len(out)))
            for kind, x, y in ops:
                if kind == _MUL:
                    v = v * x
                elif kind == _AFFINE:
                    v = x * (v - y) + y
                elif kind == _BUMP:
                    v = v + (base - y) * x / 2
                elif kind == _ADD:
                    v = v + x
                else:
                    v = x
            out.append(v)
        out.extend([v] * (size - len(out)))
        return np.array(out, dtype=np.float64)

    def _replay_chain(
        self, base: float, lr: float, data: tuple[list[tuple[int, list[Any]]], int]
    ) -> tuple[np.ndarray, None]:
        events, size = data
        return self._chain(base, lr, events, size), None

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        return replay(self, base, t)


def _check_member(where: str, member: Any) -> None:
    inner = member.schedule if isinstance(member, WithBaseLR) else member
    if not isinstance(inner, (*_RELATIVE, OneCycle)) or (
        isinstance(member, WithBaseLR) and isinstance(inner, OneCycle)
    ):
        raise TypeError(
            f"{where} must be one of Linear, Cosine, StepwisePolynomial, Step, MultiStep, Exponential, Constant "
            f"(recursions on the value), OneCycle or PhaseAnneal (they set it), or WithBaseLR of a recursion; got "
            f"{member!r}"
        )
    if isinstance(inner, (Linear, Cosine)) and inner.form != "recursive":
        raise ValueError(
            f"{where}: a stacked {type(inner).__name__} applies its native recursion: give form='recursive' (got "
            f"form={inner.form!r})"
        )
    if isinstance(inner, Linear) and inner.start_factor == 0:
        raise ValueError(f"{where}: a stacked Linear needs start_factor > 0 (the native recursion divides by it)")


def _identity_at_zero(member: Schedule) -> bool:
    if isinstance(member, (Linear, Constant)):
        return False
    if isinstance(member, MultiStep):
        return 0 not in member.milestones
    return True


def _start_value(member: Schedule, base: float) -> float:
    """A pinned member's value at its step 0: its step-0 operation applied to its own base."""
    if isinstance(member, Linear):
        return base * member.start_factor
    if isinstance(member, Constant):
        return base * member.factor
    if isinstance(member, MultiStep) and 0 in member.milestones:
        return base * member.gamma ** Counter(member.milestones)[0]
    return base


def _from_base(op: tuple[int, float, float], base: float) -> tuple[int, float, float]:
    """A restart step of a member pinned to ``base``: its addend ``(base - eta) * c / 2``, computed once."""
    kind, x, y = op
    return (_ADD, (base - y) * x / 2, 0.0) if kind == _BUMP else op


def _member_ops(member: Schedule, ks: np.ndarray) -> tuple[list[tuple[int, float, float] | None], str | None]:
    """The operation of a member at each of its steps ``ks`` (sorted, consecutive or not), as the native computes it;
    shortened before the first step where the native fails, with the reason."""
    n = ks.size
    ops: list[tuple[int, float, float] | None] = [None] * n
    if isinstance(member, Linear):
        s, e, total = member.start_factor, member.end_factor, member.total_steps
        delta = e - s
        for j, k in enumerate(ks.tolist()):
            if k == 0:
                ops[j] = (_MUL, s, 0.0)
            elif k <= total:
                den = total * s + (k - 1) * delta
                if den == 0:
                    return ops[:j], "float division by zero"
                ops[j] = (_MUL, 1.0 + delta / den, 0.0)
        return ops, None
    if isinstance(member, Cosine):
        T, eta = member.T_max, member.eta_min
        angle_now = math.pi * ks / T
        angle_before = math.pi * (ks - 1) / T
        one_now = ARRAY.cos(angle_now) + 1
        one_before = ARRAY.cos(angle_before) + 1
        bump = (1 - math.cos(math.pi / T)) if ks.size else 0.0
        for j, k in enumerate(ks.tolist()):
            if k == 0:
                continue
            if (k - 1 - T) % (2 * T) == 0:
                ops[j] = (_BUMP, bump, eta)
            else:
                if one_before[j] == 0:
                    return ops[:j], f"float division by zero: 1 + cos(pi * {k - 1} / T_max) == 0 with T_max={T!r}"
                ops[j] = (_AFFINE, float(one_now[j] / one_before[j]), eta)
        return ops, None
    if isinstance(member, StepwisePolynomial):
        total, eta = member.total_steps, member.end_lr
        live = (ks >= 1) & (ks <= total)
        factors = ARRAY.pow(1 - 1 / (total - ks[live] + 1), member.power) if live.any() else np.empty(0)
        for j, f in zip(np.flatnonzero(live).tolist(), np.asarray(factors, dtype=np.float64).tolist(), strict=True):
            ops[j] = (_AFFINE, f, eta)
        return ops, None
    if isinstance(member, Step):
        for j, k in enumerate(ks.tolist()):
            if k and k % member.step_size == 0:
                ops[j] = (_MUL, member.gamma, 0.0)
        return ops, None
    if isinstance(member, MultiStep):
        counts = Counter(member.milestones)
        for j, k in enumerate(ks.tolist()):
            if k in counts:
                ops[j] = (_MUL, member.gamma ** counts[k], 0.0)
        return ops, None
    if isinstance(member, Exponential):
        for j, k in enumerate(ks.tolist()):
            if k:
                ops[j] = (_MUL, member.gamma, 0.0)
        return ops, None
    if isinstance(member, Constant):
        for j, k in enumerate(ks.tolist()):
            if k == 0:
                ops[j] = (_MUL, member.factor, 0.0)
            elif member.total_steps is not None and k == member.total_steps:
                if member.factor == 0:
                    return ops[:j], "float division by zero: 1.0 / factor with factor=0"
                ops[j] = (_MUL, 1.0 / member.factor, 0.0)
        return ops, None
    assert isinstance(member, _ABSOLUTE)
    try:
        values = member.values(ks)
    except ValueError as exc:
        good = 0
        while good < ks.size:  # the steps before the first one the member cannot compute
            try:
                member.value(int(ks[good]))
            except ValueError:
                break
            good += 1
        return [(_SET, float(v), 0.0) for v in member.values(ks[:good]).tolist()], str(exc)
    return [(_SET, float(v), 0.0) for v in values.tolist()], None
