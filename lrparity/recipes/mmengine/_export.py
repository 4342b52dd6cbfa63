"""An lrparity schedule as an mmengine config (``param_scheduler``, ``train_cfg``, ``optim_wrapper``), and the config as
the Python source mmengine configs are written in.

mmengine's schedulers act on the value the optimizer holds, each in its window ``[begin, end)``; a schedule is written
as one entry per phase, each continuing from where the previous one left the value:

- a relative phase at base ``b`` (Cosine, Linear, Polynomial, Step, MultiStep, Exponential, NaturalExp, Constant,
  CosineRestarts, a ``Stacked``/``Chain`` of them) is the matching scheduler; where the value the run holds is not
  ``b`` (a phase that restarts from the base, a Piecewise level) a one-step ``MultiStepLR(milestones=[0], gamma=...)``
  moves it there first (a ``CosineRestartLR`` of one step sets it when the value held is 0);
- a linear warmup (``Warmup``, or a ``Linear`` ramp) is ``LinearLR`` over ``W + 1`` steps (its ``end_factor`` is
  reached at the hand-over step); a warmup from 0, which ``LinearLR`` cannot start (its recursion divides by the start
  factor), is a linear ``OneCycleLR`` phase from ``eta_max / inf = 0``;
- an epoch-stepped phase (``PerEpoch`` with ``steps_per_epoch`` updates per epoch) is a ``by_epoch=True`` entry.

The config is then read back with :func:`lrparity.recipes.mmengine.schedules` and compared with the schedule at every
update of the run: export raises ValueError when they differ by more than 1e-12 relative (mmengine's recursions
drift from some closed forms over long runs), as for every shape mmengine cannot express, naming it.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lrparity.core import (
    Chain,
    Constant,
    Cosine,
    CosineRestarts,
    Exponential,
    Linear,
    MultiStep,
    NaturalExp,
    OneCycle,
    PerEpoch,
    PhaseAnneal,
    Piecewise,
    Plateau,
    Polynomial,
    Schedule,
    Sequence,
    Shift,
    Stacked,
    Step,
    StepwisePolynomial,
    Warmup,
    WithBaseLR,
)

__all__ = ["RTOL", "dumps", "export"]

RTOL = 1e-12
"""Largest relative difference, at any update of the run, between a schedule and its exported config read back."""

_SUFFIX = {"lr": "LR", "momentum": "Momentum"}
_KEY_ORDER = ("type", "param_name")
_TAIL_ORDER = ("begin", "end", "by_epoch", "convert_to_iter_based")


@dataclass
class _Piece:
    """A phase of the schedule: updates ``start .. stop - 1`` (``stop`` None: to the end of the run)."""

    start: int
    stop: int | None
    unit: int  # updates per step of the phase (1, or steps_per_epoch for an epoch-stepped phase)
    kind: str  # "leaf" (relative at base), "cycle" (OneCycle), "const", "ramp", "stack"
    node: Any = None
    base: float = 0.0
    value: float = 0.0  # "const": the value; "ramp": the start value
    end_value: float = 0.0  # "ramp": the value reached after `length` steps
    length: int = 0  # "ramp": its steps
    restart_base: float | None = None  # "leaf" Cosine: the base its restarts read (mmengine's base_values)
    origin: int | None = None  # the update of the entry's step 0 when before `start` (its first steps change nothing)

    @property
    def zero(self) -> int:
        """The update of the phase's step 0."""
        return self.start if self.origin is None else self.origin


@dataclass
class _Entry:
    cfg: dict[str, Any]
    begin: int
    end: int
    by_epoch: bool
    last: bool = False  # listed after the others (a OneCycle: it rewrites initial_lr for the entries built later)
    extras: dict[str, Any] = field(default_factory=dict)


class _Unsupported(ValueError):
    pass


def _name(node: Any) -> str:
    return type(node).__name__


# -- the schedule as phases --------------------------------------------------------------------------------------
def _pieces(node: Schedule, base: float, start: int, stop: int | None, unit: int, ctx: _Context) -> list[_Piece]:
    if stop is not None and stop <= start:
        return []
    if isinstance(node, WithBaseLR):
        return _pieces(node.schedule, node.base_lr, start, stop, unit, ctx)
    if isinstance(node, Sequence):
        return _sequence(node, base, start, stop, unit, ctx)
    if isinstance(node, Warmup):
        return _warmup(node, base, start, stop, unit, ctx)
    if isinstance(node, PerEpoch):
        if unit != 1:
            raise _Unsupported("a PerEpoch inside an epoch-stepped phase")
        n = node.steps_per_epoch
        if ctx.steps_per_epoch != n:
            raise _Unsupported(
                f"PerEpoch(steps_per_epoch={n}) is an epoch-stepped phase: pass steps_per_epoch={n} (the epochs of "
                f"mmengine's by_epoch=True entries), got steps_per_epoch={ctx.steps_per_epoch!r}"
            )
        if start % n or (stop is not None and stop % n and (ctx.total is None or stop < ctx.total)):
            raise _Unsupported(f"an epoch-stepped phase over updates [{start}, {stop}) does not start on an epoch")
        return _pieces(node.schedule, base, start, stop, n, ctx)
    if isinstance(node, Shift):
        return [_shifted(node, base, start, stop, unit, ctx)]
    if isinstance(node, (Stacked, Chain)):
        return [_Piece(start, stop, unit, "stack", node, base)]
    if isinstance(node, Piecewise):
        pieces, edges = [], (0, *node.boundaries)
        for i, lr in enumerate(node.lrs):
            lo = start + edges[i] * unit
            hi = start + node.boundaries[i] * unit if i < len(node.boundaries) else stop
            if stop is not None and hi is not None:
                hi = min(hi, stop)
            if hi is None or hi > lo:
                pieces.append(_Piece(lo, hi, unit, "const", value=float(lr)))
        return pieces
    if isinstance(node, (OneCycle, PhaseAnneal)):
        return [_Piece(start, stop, unit, "cycle", node)]
    if isinstance(node, Constant) and node.total_steps is None:
        return [_Piece(start, stop, unit, "const", value=base * node.factor)]
    if isinstance(node, Linear) and node.start_factor == 0:
        ramp = _Piece(start, stop, unit, "ramp", value=0.0, end_value=base * node.end_factor, length=node.total_steps)
        return [ramp, *_pieces(Constant(), base * node.end_factor, start + node.total_steps * unit, stop, unit, ctx)]
    if isinstance(node, _LEAVES):
        return [_Piece(start, stop, unit, "leaf", node, base)]
    raise _Unsupported(f"{_name(node)} has no mmengine scheduler")


_LEAVES = (
    Constant, Cosine, CosineRestarts, Exponential, Linear, MultiStep, NaturalExp, Polynomial, Step, StepwisePolynomial,
)  # fmt: skip


def _sequence(node: Sequence, base: float, start: int, stop: int | None, unit: int, ctx: _Context) -> list[_Piece]:
    bounds = (0, *node.milestones)
    out: list[_Piece] = []
    for i, phase in enumerate(node.schedules):
        lo = start + bounds[i] * unit
        hi = start + node.milestones[i] * unit if i < len(node.milestones) else stop
        if stop is not None and hi is not None:
            hi = min(hi, stop)
        if stop is not None and lo >= stop:
            break
        if hi is not None and hi <= lo:
            continue
        merged = _continued_cosine(node, i, phase, out)
        if merged:
            out[-1].stop = hi
            continue
        out.extend(_pieces(phase, base, lo, hi, unit, ctx))
    return out


def _continued_cosine(node: Sequence, i: int, phase: Schedule, done: list[_Piece]) -> bool:
    """``Shift(WithBaseLR(C, b), m)`` after a phase of the same cosine ``C`` ending at milestone ``m``: the cosine goes
    on past its restart step from the base ``b`` (how lrparity writes mmengine's CosineAnnealingLR whose window starts
    from another value than its base): one entry, its restarts computed from ``b``."""
    if not (
        isinstance(phase, Shift)
        and i
        and phase.offset == node.milestones[i - 1] - (node.milestones[i - 2] if i > 1 else 0)
    ):
        return False
    inner = phase.schedule
    own = None
    if isinstance(inner, WithBaseLR):
        inner, own = inner.schedule, inner.base_lr
    last = done[-1] if done else None
    if last is None or last.kind != "leaf" or not isinstance(inner, Cosine) or last.node != inner:
        return False
    last.restart_base = own if own is not None else last.base
    return True


def _shifted(node: Shift, base: float, start: int, stop: int | None, unit: int, ctx: _Context) -> _Piece:
    """``Shift(X, o)`` or ``Shift(PerEpoch(X, N), o)`` of a phase X whose first steps change nothing (lrparity's
    form of an mmengine entry that began before the phase, doing nothing until it): the entry, begun ``o`` updates
    before the phase."""
    inner, offset, every = node.schedule, node.offset, 1
    if isinstance(inner, PerEpoch):
        inner, every = inner.schedule, inner.steps_per_epoch
        if ctx.steps_per_epoch != every:
            raise _Unsupported(f"PerEpoch(steps_per_epoch={every}) needs steps_per_epoch={every}")
    if isinstance(inner, WithBaseLR):
        base, inner = inner.base_lr, inner.schedule
    origin = start - offset
    if unit != 1 or origin < 0 or origin % every or not isinstance(inner, _LEAVES):
        raise _Unsupported(f"Shift(..., offset={offset}) (a phase read {offset} steps late) has no mmengine scheduler")
    before = inner.values(range(-(-offset // every)), base)
    if before.size and not np.all(before == base):
        raise _Unsupported(f"Shift(..., offset={offset}) of a phase that changes within its first {offset} steps")
    return _Piece(start, stop, every, "leaf", inner, base, origin=origin)


def _warmup(node: Warmup, base: float, start: int, stop: int | None, unit: int, ctx: _Context) -> list[_Piece]:
    if node.mode != "prefix":
        raise _Unsupported(
            "Warmup(mode='overlap'): the warmup replaces the schedule's first steps, but an mmengine scheduler starts "
            "its curve at its own begin"
        )
    w = node.warmup_steps
    first, end = node._ends(base)  # the warmup's own start and end values, as it computes them
    rest = _pieces(node.schedule, base, start + w * unit, stop, unit, ctx)
    if node.shape == "constant":
        return [_Piece(start, start + w * unit, unit, "const", value=first), *rest]
    if node.shape != "linear":
        raise _Unsupported(f"Warmup(shape={node.shape!r}) has no mmengine scheduler")
    return [_Piece(start, start + w * unit, unit, "ramp", value=first, end_value=end, length=w), *rest]


# -- phases as entries -------------------------------------------------------------------------------------------
@dataclass
class _Context:
    field: str
    total: int | None
    steps_per_epoch: int | None
    lr0: float = 1.0


def _steps(piece: _Piece, upto: int | None) -> int | None:
    """The phase's steps (from its step 0) before update ``upto``; None: unbounded."""
    if upto is None:
        return None
    return -(-(upto - piece.zero) // piece.unit)


class _Writer:
    """Writes the entries of one field's phases, in time order, tracking the value the run holds."""

    def __init__(self, ctx: _Context, source: Schedule) -> None:
        self.ctx = ctx
        self.source = source
        self.entries: list[_Entry] = []
        self.cycles = 0
        self.spill: tuple[int, float] | None = None  # (update, value): an entry's last update lands on a phase start
        self.other_cycles = False  # a OneCycle phase takes mmengine's one OneCycleLR

    def value_before(self, index: int) -> float:
        """The value the run holds when a phase's entries act at update ``index``."""
        if self.spill is not None and self.spill[0] == index:
            return self.spill[1]
        return float(self.source.value(index - 1)) if index > 0 else self.ctx.lr0

    def add(self, cfg: dict[str, Any], piece: _Piece, steps: int | None, *, last: bool = False) -> None:
        """An entry over the phase's steps ``0 .. steps - 1`` (None: to the end of the run)."""
        unit = piece.unit
        begin = piece.zero // unit
        end = begin + steps if steps is not None else self._run_end(unit)
        self.entries.append(_Entry(cfg, begin, end, unit > 1, last))

    def _run_end(self, unit: int) -> int:
        assert self.ctx.total is not None
        return -(-self.ctx.total // unit)

    def move(self, piece: _Piece, need: float) -> None:
        """Entries that bring the value the run holds to ``need`` at the phase's first step."""
        held = self.value_before(piece.start)
        if _same(held, need):
            return
        piece = _Piece(piece.start, None, 1, "const")  # a one-step entry at the phase's first update
        if held > 0 and need > 0:
            self.add({"type": self._type("MultiStep"), "milestones": [0], "gamma": need / held}, piece, 1)
            return
        if self.ctx.lr0 <= 0:
            raise _Unsupported(f"a jump from 0 to {need!r} with an optimizer value of 0")
        self.add(
            {"type": self._type("CosineRestart"), "periods": [1], "restart_weights": [need / self.ctx.lr0],
             "eta_min": 0.0},
            piece, 1,
        )  # fmt: skip

    def _type(self, kind: str) -> str:
        return kind + _SUFFIX.get(self.ctx.field, "ParamScheduler")

    def write(self, pieces: list[_Piece]) -> None:
        self.other_cycles = any(p.kind == "cycle" for p in pieces)
        total = self.ctx.total
        for i, piece in enumerate(pieces):
            if total is not None and piece.start >= total:
                break
            nxt = pieces[i + 1] if i + 1 < len(pieces) else None
            # stop: where the next phase takes over; None when the phase runs to the end of the run (a ramp may then
            # go on past it)
            stop = piece.stop if piece.stop is not None and (total is None or piece.stop < total) else None
            if stop is not None and stop <= piece.start:
                continue
            getattr(self, f"_{piece.kind}")(piece, stop, nxt if stop is not None else None)

    def _ends_at(self, piece: _Piece, steps: int, value: float) -> None:
        """The entry just added updates the value up to its step ``steps`` (inclusive), leaving ``value``."""
        self.spill = (piece.start + steps * piece.unit, value)

    # -- each kind of phase
    def _const(self, piece: _Piece, stop: int | None, nxt: _Piece | None) -> None:
        self.move(piece, piece.value)

    def _cycle(self, piece: _Piece, stop: int | None, nxt: _Piece | None) -> None:
        cycle = piece.node
        if isinstance(cycle, PhaseAnneal):
            cfg, n, steps = _phases_as_one_cycle(cycle)
        else:
            if cycle.cycle_momentum:
                raise _Unsupported("OneCycle(cycle_momentum=True): mmengine's OneCycleLR does not drive the momentum")
            n = cycle.total_steps
            steps = n if cycle.after_end == "hold" else n + 1
            final = cycle.initial_lr / cycle.min_lr if cycle.min_lr else math.inf
            cfg = {
                "eta_max": cycle.max_lr, "total_steps": n, "pct_start": float(cycle.pct_start),
                "anneal_strategy": cycle.anneal_strategy, "div_factor": float(cycle.div_factor),
                "final_div_factor": final, "three_phase": cycle.three_phase,
            }  # fmt: skip
        self.cycles += 1
        room = _steps(piece, stop)
        self.add({"type": self._type("OneCycle"), **cfg}, piece, steps if room is None else min(steps, room), last=True)

    def _ramp(self, piece: _Piece, stop: int | None, nxt: _Piece | None) -> None:
        a, z, w = piece.value, piece.end_value, piece.length
        room = _steps(piece, stop)
        if room is not None and w > room:
            raise _Unsupported(f"a {w}-step linear ramp cut after {room} steps by the next phase")
        if a == 0 and z > 0 and self.other_cycles:
            # LinearLR cannot start from 0 (its recursion divides by start_factor) and the one OneCycleLR is taken:
            # 0 at the first step, then the value set to z and scaled by LinearLR(1/w -> 1) from the second step
            self.move(piece, 0.0)
            if w > 1:
                rest = _Piece(piece.start + piece.unit, piece.stop, piece.unit, "ramp", value=z / w, end_value=z,
                              length=w - 1)  # fmt: skip
                self.move(rest, z)
                cfg = {"type": self._type("Linear"), "start_factor": 1 / w, "end_factor": 1.0}
                self.add(cfg, rest, w)
                self._ends_at(rest, w - 1, z)
            return
        if a == 0 and z > 0:
            # LinearLR cannot start from 0 (its recursion divides by start_factor): a linear OneCycleLR phase from
            # eta_max / inf = 0, listed last (it rewrites initial_lr); it sets the value at each step, so it may reach
            # the hand-over step only when the next phase does nothing there
            self.cycles += 1
            spill = room is not None and w == room and _identity_first(nxt) and _same(_need(nxt), z)
            self.add(
                {"type": self._type("OneCycle"), "eta_max": z, "total_steps": w + 1, "pct_start": 1.0,
                 "anneal_strategy": "linear", "div_factor": math.inf, "final_div_factor": 1.0, "three_phase": False},
                piece, w + 1 if spill or room is None or w < room else w, last=True,
            )  # fmt: skip
            if spill:
                self._ends_at(piece, w, z)
            return
        anchor = max(a, z)
        self.move(piece, anchor)
        if anchor == 0:
            return
        self.add({"type": self._type("Linear"), "start_factor": a / anchor, "end_factor": z / anchor}, piece, w + 1)
        self._ends_at(piece, w, z)

    def _leaf(self, piece: _Piece, stop: int | None, nxt: _Piece | None) -> None:
        node, b = piece.node, piece.base
        room = _steps(piece, stop)
        t = self._type
        if isinstance(node, CosineRestarts):
            self._restarts(piece, node, b, room)
            return
        if isinstance(node, Linear) and not (0 < node.start_factor <= 1 and node.end_factor <= 1):
            ramp = _Piece(piece.start, piece.stop, piece.unit, "ramp", value=b * node.start_factor,
                          end_value=b * node.end_factor, length=node.total_steps)  # fmt: skip
            self._ramp(ramp, stop, nxt)
            return
        if isinstance(node, Constant):
            self._constant(piece, node, room)
            return
        self.move(piece, b)
        if isinstance(node, Cosine):
            steps = room
            if node.after_end == "hold":
                steps = math.ceil(node.T_max) + 1 if room is None else min(room, math.ceil(node.T_max) + 1)
            restart = piece.restart_base if piece.restart_base is not None else b
            reach = steps if steps is not None else self._run_end(piece.unit) - piece.zero // piece.unit
            if _cosine_restarts(node, reach) and not _same(restart, self.ctx.lr0):
                raise _Unsupported(
                    f"Cosine(T_max={node.T_max}) past step T_max + 1 at base {restart!r}: mmengine's CosineAnnealingLR "
                    f"computes its restarts from the optimizer's lr ({self.ctx.lr0!r})"
                )
            self.add({"type": t("CosineAnnealing"), "T_max": node.T_max, "eta_min": node.eta_min}, piece, steps)
        elif isinstance(node, Linear):
            self._bounded(node.total_steps, room)
            cfg = {"type": t("Linear"), "start_factor": node.start_factor, "end_factor": node.end_factor}
            self.add(cfg, piece, node.total_steps + 1)
            self._ends_at(piece, node.total_steps, b * node.end_factor)
        elif isinstance(node, (Polynomial, StepwisePolynomial)):
            if isinstance(node, Polynomial) and node.cycle:
                raise _Unsupported("Polynomial(cycle=True) has no mmengine scheduler")
            self._bounded(node.total_steps, room)
            self.add({"type": t("Poly"), "eta_min": node.end_lr, "power": node.power}, piece, node.total_steps + 1)
            self._ends_at(piece, node.total_steps, float(node.end_lr) if node.power else b)
        elif isinstance(node, Step):
            self.add({"type": t("Step"), "step_size": node.step_size, "gamma": node.gamma}, piece, room)
        elif isinstance(node, MultiStep):
            self.add({"type": t("MultiStep"), "milestones": list(node.milestones), "gamma": node.gamma}, piece, room)
        elif isinstance(node, Exponential):
            self.add({"type": t("Exponential"), "gamma": node.gamma}, piece, room)
        elif isinstance(node, NaturalExp):
            self.add({"type": t("Exponential"), "gamma": math.exp(-node.gamma)}, piece, room)
        else:  # pragma: no cover - _LEAVES lists the types above
            raise _Unsupported(_name(node))

    def _bounded(self, steps: int, room: int | None) -> None:
        """mmengine's LinearLR/PolyLR length (``end - begin - 1``) also sets its slope: it cannot be cut short."""
        if room is not None and steps > room:
            raise _Unsupported(
                f"a {steps}-step ramp cut after {room} steps by the next phase (mmengine's LinearLR/PolyLR length is "
                "end - begin - 1, which also sets its slope)"
            )

    def _constant(self, piece: _Piece, node: Constant, room: int | None) -> None:
        f, n, b = node.factor, node.total_steps, piece.base
        assert n is not None
        if 0 < f <= 1 and n > 0 and (room is None or n < room):
            self.move(piece, b)
            self.add({"type": self._type("Constant"), "factor": f}, piece, n + 1)
            self._ends_at(piece, n, b)
            return
        self.move(piece, b * f if n > 0 else b)
        if n > 0 and (room is None or n < room):
            back = _Piece(piece.start + n * piece.unit, None, piece.unit, "const", value=b)
            self.move(back, b)

    def _restarts(self, piece: _Piece, node: CosineRestarts, b: float, room: int | None) -> None:
        if node.k_decay != 1:
            raise _Unsupported("CosineRestarts(k_decay != 1) has no mmengine scheduler")
        if self.ctx.lr0 <= 0:
            raise _Unsupported("CosineRestarts with an optimizer lr of 0")
        horizon = room if room is not None else self._run_end(piece.unit) - piece.start // piece.unit
        periods, weights, covered, i = [], [], 0, 0
        limit = node.cycle_limit if node.cycle_limit is not None else math.inf
        while covered < horizon and i < limit:
            length = node.T_0 * node.T_mult**i
            periods.append(length)
            weights.append(b * node.cycle_decay**i / self.ctx.lr0)
            covered += length
            i += 1
            if len(periods) > 100_000:
                raise _Unsupported("CosineRestarts with more than 100000 cycles in the run")
        if covered < horizon:  # past cycle_limit: eta_min, set by a last one-step cycle, then held
            periods.append(1)
            weights.append(node.eta_min / self.ctx.lr0)
        cfg = {"type": self._type("CosineRestart"), "periods": periods, "restart_weights": weights,
               "eta_min": node.eta_min}  # fmt: skip
        self.add(cfg, piece, room)

    def _stack(self, piece: _Piece, stop: int | None, nxt: _Piece | None) -> None:
        node = piece.node
        self.move(piece, piece.base)
        if isinstance(node, Chain):
            members = [(s, 0, None, 1, None) for s in node.schedules]
        else:
            members = list(zip(node.schedules, node.begins, node.ends, node.every, node.bases, strict=True))
        for schedule, begin, end, every, own in members:
            if own is not None and not _same(own, self.ctx.lr0):
                raise _Unsupported("a Stacked member whose restarts read another base than the optimizer's value")
            self._member(piece, schedule, begin, end, every, stop)

    def _member(
        self, piece: _Piece, schedule: Schedule, begin: int, end: int | None, every: int, stop: int | None
    ) -> None:
        unit = piece.unit * every
        if (piece.start + begin * unit) % unit:
            raise _Unsupported("a member stepping per epoch in a phase that does not start on an epoch")
        sub = _Piece(piece.start + begin * unit, None, unit, "leaf", schedule, piece.base)
        room = _steps(sub, stop)
        window = None if end is None else end - begin
        if room is not None:
            window = room if window is None else min(window, room)
        t = self._type
        if isinstance(schedule, WithBaseLR) and isinstance(schedule.schedule, Cosine):
            cosine = schedule.schedule
            if self.ctx.lr0 <= 0:
                raise _Unsupported("a stacked cycle with an optimizer value of 0")
            cfg = {"type": t("CosineRestart"), "periods": [cosine.T_max],
                   "restart_weights": [schedule.base_lr / self.ctx.lr0], "eta_min": cosine.eta_min}  # fmt: skip
            self.add(cfg, sub, cosine.T_max if window is None else min(window, cosine.T_max))
        elif isinstance(schedule, Cosine):
            self.add({"type": t("CosineAnnealing"), "T_max": schedule.T_max, "eta_min": schedule.eta_min}, sub, window)
        elif isinstance(schedule, Linear):
            if not (0 < schedule.start_factor <= 1 and schedule.end_factor <= 1):
                raise _Unsupported("a stacked Linear with factors outside (0, 1]")
            cfg = {"type": t("Linear"), "start_factor": schedule.start_factor, "end_factor": schedule.end_factor}
            self.add(cfg, sub, schedule.total_steps + 1)
        elif isinstance(schedule, StepwisePolynomial):
            cfg = {"type": t("Poly"), "eta_min": schedule.end_lr, "power": schedule.power}
            self.add(cfg, sub, schedule.total_steps + 1)
        elif isinstance(schedule, Step):
            self.add({"type": t("Step"), "step_size": schedule.step_size, "gamma": schedule.gamma}, sub, window)
        elif isinstance(schedule, MultiStep):
            cfg = {"type": t("MultiStep"), "milestones": list(schedule.milestones), "gamma": schedule.gamma}
            self.add(cfg, sub, window)
        elif isinstance(schedule, Exponential):
            self.add({"type": t("Exponential"), "gamma": schedule.gamma}, sub, window)
        elif isinstance(schedule, Constant) and 0 <= schedule.factor <= 1:
            n = schedule.total_steps
            # never restored: its restore step (end - begin - 1) past the runner's last step
            steps = n + 1 if n is not None else self._run_end(sub.unit) + 2 - sub.start // sub.unit
            self.add({"type": t("Constant"), "factor": schedule.factor}, sub, steps)
        elif isinstance(schedule, OneCycle):
            self._cycle(_Piece(sub.start, stop, sub.unit, "cycle", schedule), stop, None)
        else:
            raise _Unsupported(f"{_name(schedule)} as a stacked (Chain/Stacked) member")


def _need(piece: _Piece | None) -> float:
    """The value a phase starts from (its base, or its level)."""
    if piece is None:
        return math.nan
    if piece.kind == "const":
        return piece.value
    return piece.base


def _phases_as_one_cycle(phases: PhaseAnneal) -> tuple[dict[str, Any], int, int]:
    """A PhaseAnneal shaped as a one-cycle (levels low, top, final over ends pct N - 1, N - 1; or low, top, low, final
    over pct N - 1, 2 pct N - 2, N - 1) as OneCycleLR arguments, its total steps and the steps it covers."""
    ends, levels = phases.ends, phases.levels
    n = ends[-1] + 1
    if not float(n).is_integer() or len(ends) not in (2, 3):
        raise _Unsupported("PhaseAnneal that is not a one-cycle (2 or 3 phases ending at an integer step N - 1)")
    n = int(n)
    pct = (ends[0] + 1) / n
    three = len(ends) == 3
    low, top = levels[0], levels[1]
    shaped = float(pct * n) - 1 == ends[0] and 0 <= pct <= 1
    if three:
        shaped = shaped and float(2 * pct * n) - 2 == ends[1] and levels[2] == low
    if not shaped:
        raise _Unsupported(f"PhaseAnneal(ends={list(ends)}, levels={list(levels)}) is not a one-cycle OneCycleLR draws")
    final = levels[-1]
    div = top / low if low else math.inf
    initial = top / div
    cfg = {
        "eta_max": top, "total_steps": n, "pct_start": float(pct), "anneal_strategy": phases.anneal_strategy,
        "div_factor": div, "final_div_factor": initial / final if final else math.inf, "three_phase": three,
    }  # fmt: skip
    return cfg, n, n + 1


def _identity_first(piece: _Piece | None) -> bool:
    """Whether the phase's first step leaves the value as it is (so a previous entry may still update it there)."""
    if piece is None:
        return True
    node = piece.node
    if piece.kind == "leaf":
        return isinstance(node, (Cosine, Polynomial, StepwisePolynomial, Step, Exponential, NaturalExp)) or (
            isinstance(node, MultiStep) and 0 not in node.milestones
        )
    return False


def _cosine_restarts(node: Cosine, window: int | None) -> bool:
    return float(node.T_max).is_integer() and (window is None or int(node.T_max) + 1 < window)


def _same(a: float, b: float) -> bool:
    return a == b or abs(a - b) <= RTOL * 0.01 * max(abs(a), abs(b))


# -- the public functions ----------------------------------------------------------------------------------------
def _check_int(name: str, value: Any, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"export(kind='mmengine'): {name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def export(schedule: Schedule | Plateau | Mapping[str, Schedule | Plateau], **context: Any) -> dict[str, Any]:
    """``schedule`` as an mmengine config: ``{"optim_wrapper": ..., "param_scheduler": [...], "train_cfg": ...}``, such
    that :func:`lrparity.recipes.mmengine.schedules` of it equals ``schedule`` within 1e-12 relative at every update of
    the run (checked before returning), and mmengine runs it.

    Args:
        schedule: an absolute schedule (or a relative one with ``base_lr``), a :class:`~lrparity.Plateau`, or a mapping
            ``{field: schedule}`` (``"lr"`` required; ``"momentum"`` and other optimizer fields become momentum /
            ``ParamScheduler`` entries), as :func:`~lrparity.recipes.mmengine.schedules` returns.
        **context:
            ``total_steps``: the run's optimizer updates (an ``IterBasedTrainLoop`` of that many iterations);
            ``epochs`` with ``steps_per_epoch``: an ``EpochBasedTrainLoop`` of ``epochs`` epochs of
            ``steps_per_epoch`` iterations (needed for ``PerEpoch`` phases, written as ``by_epoch=True``);
            default: the schedule's own length; ``base_lr``: the base lr of a relative schedule;
            ``optimizer``: the ``optim_wrapper.optimizer`` mapping to write (default ``{"type": "SGD"}``; its ``lr``,
            and ``momentum`` for a momentum schedule, are set here); ``monitor``: the metric a Plateau watches
            (default ``"loss"``).

    Raises:
        ValueError: a part of the schedule that mmengine cannot express (naming it), a missing run length, or values
            that would differ by more than 1e-12.
    """
    from lrparity.recipes.mmengine import schedules

    allowed = {"total_steps", "epochs", "steps_per_epoch", "base_lr", "optimizer", "monitor", "max_steps"}
    unknown = sorted(set(context) - allowed)
    if unknown:
        raise ValueError(f"export(kind='mmengine'): unknown context {unknown}; valid: {sorted(allowed)}")
    fields = dict(schedule) if isinstance(schedule, Mapping) else {"lr": schedule}
    if "lr" not in fields:
        raise ValueError(f"export(kind='mmengine'): the mapping of fields needs 'lr', got {sorted(fields)}")
    steps_per_epoch = context.get("steps_per_epoch")
    if steps_per_epoch is not None:
        steps_per_epoch = _check_int("steps_per_epoch", steps_per_epoch)
    epochs = context.get("epochs")
    total = context.get("total_steps", context.get("max_steps"))
    if epochs is not None:
        epochs = _check_int("epochs", epochs)
        if steps_per_epoch is None:
            raise ValueError("export(kind='mmengine'): epochs needs steps_per_epoch (iterations per epoch)")
        if total is not None and total != epochs * steps_per_epoch:
            raise ValueError(f"export(kind='mmengine'): total_steps={total} != epochs * steps_per_epoch")
        total = epochs * steps_per_epoch
    if total is None:
        lengths = [s.length for s in fields.values() if isinstance(s, Schedule) and s.length is not None]
        if not lengths:
            raise ValueError(
                "export(kind='mmengine'): the run length is needed: total_steps=N (updates) or epochs=E with "
                "steps_per_epoch=L (the schedule has no length of its own)"
            )
        total = max(lengths)
    total = _check_int("total_steps", total)
    optimizer = dict(context.get("optimizer") or {"type": "SGD"})
    optimizer.setdefault("type", "SGD")
    entries: list[dict[str, Any]] = []
    for name, sched in fields.items():
        if isinstance(sched, Plateau):
            entries.extend(_plateau_entry(name, sched, context.get("monitor", "loss"), optimizer, context))
            continue
        if not isinstance(sched, Schedule):
            raise TypeError(f"export(kind='mmengine'): {name!r} must be a Schedule or a Plateau, got {sched!r}")
        entries.extend(_field_entries(name, sched, total, steps_per_epoch, optimizer, context))
    if epochs is None and any(e.get("by_epoch") and not e["type"].startswith("ReduceOnPlateau") for e in entries):
        # epoch-stepped entries step after each epoch only in an epoch-based loop (an iteration-based one calls
        # after_train_epoch once, at its end)
        if steps_per_epoch is None or total % steps_per_epoch:
            raise ValueError(
                f"export(kind='mmengine'): epoch-stepped phases need an EpochBasedTrainLoop: total_steps={total} must "
                f"be a whole number of epochs of steps_per_epoch={steps_per_epoch!r} updates (or pass epochs=)"
            )
        epochs = total // steps_per_epoch
    train_cfg = (
        {"type": "EpochBasedTrainLoop", "max_epochs": epochs}
        if epochs is not None
        else {"type": "IterBasedTrainLoop", "max_iters": total}
    )
    config = {"optim_wrapper": {"optimizer": optimizer}, "param_scheduler": entries, "train_cfg": train_cfg}
    if any(isinstance(s, Plateau) for s in fields.values()):
        return config
    back = schedules(config, steps_per_epoch=steps_per_epoch)
    for name, sched in fields.items():
        _check_round_trip(name, sched, back.get(name), total, context.get("base_lr") if name == "lr" else None)
    return config


def _field_entries(
    name: str, sched: Schedule, total: int, steps_per_epoch: int | None, optimizer: dict[str, Any], context: Any
) -> list[dict[str, Any]]:
    base = None
    if sched.uses_base_lr:
        base = context.get("base_lr") if name == "lr" else optimizer.get(name)
        if base is None:
            raise ValueError(
                f"export(kind='mmengine'): the {name} schedule is relative (its values scale a base): pass "
                + ("base_lr=..." if name == "lr" else f"optimizer={{'{name}': ...}}")
            )
        sched = WithBaseLR(sched, base)
    ctx = _Context(name, total, steps_per_epoch)
    try:
        pieces = _pieces(sched, 1.0, 0, None, 1, ctx)
        ctx.lr0 = _base_value(sched, pieces, total)
        writer = _Writer(ctx, sched)
        writer.write(pieces)
    except _Unsupported as exc:
        raise ValueError(f"export(kind='mmengine'): {exc} (in the {name} schedule {sched!r})") from None
    if writer.cycles > 1:
        raise ValueError(
            f"export(kind='mmengine'): the {name} schedule needs {writer.cycles} OneCycleLR entries, but mmengine's "
            "OneCycle schedulers share the optimizer's initial/max/min values (the last one built wins)"
        )
    if name == "lr":
        optimizer["lr"] = ctx.lr0
    elif name == "momentum":
        from lrparity.recipes.mmengine._config import OPTIMIZER_DEFAULTS

        defaults = OPTIMIZER_DEFAULTS.get(str(optimizer.get("type", "")).rpartition(".")[2], {})
        if "momentum" not in optimizer and ("betas" in optimizer or "betas" in defaults):
            beta2 = (optimizer.get("betas") or defaults["betas"])[1]
            optimizer["betas"] = (ctx.lr0, beta2)  # mmengine's momentum schedulers drive betas[0] on the Adam family
        else:
            optimizer["momentum"] = ctx.lr0
    else:
        optimizer[name] = ctx.lr0
    out = []
    ordered = [e for e in writer.entries if not e.last] + [e for e in writer.entries if e.last]
    for entry in ordered:
        cfg = dict(entry.cfg)
        if name not in _SUFFIX:
            cfg["param_name"] = name
        cfg.update(begin=int(entry.begin), end=int(entry.end), by_epoch=entry.by_epoch)
        out.append(cfg)
    return out


def _base_value(sched: Schedule, pieces: list[_Piece], total: int) -> float:
    """The optimizer's value to write: the base of the first relative phase, or the schedule's first value."""
    for piece in pieces:
        if piece.kind == "leaf" and isinstance(piece.node, Cosine) and piece.restart_base is not None:
            return piece.restart_base
    for piece in pieces:
        if piece.kind in ("leaf", "stack"):
            return piece.base if piece.base > 0 else float(sched.value(0)) or 1.0
        if piece.kind == "cycle":
            node = piece.node
            return float(node.max_lr if isinstance(node, OneCycle) else max(node.levels)) or 1.0
        if piece.kind == "const" and piece.value > 0:
            return piece.value
        if piece.kind == "ramp":
            return max(piece.value, piece.end_value) or 1.0
    return float(sched.value(0)) or 1.0


def _plateau_entry(
    name: str, plateau: Plateau, monitor: Any, optimizer: dict[str, Any], context: Any
) -> list[dict[str, Any]]:
    if plateau.warmup is not None:
        raise ValueError(
            f"export(kind='mmengine'): Plateau(warmup_steps={plateau.warmup_steps}, warmup=...): mmengine's "
            "ReduceOnPlateau has no warmup phase, and lrparity reads a plateau only alone on its parameter"
        )
    if plateau.semantics != "torch":
        raise ValueError(
            "export(kind='mmengine'): Plateau(semantics='paddle'): mmengine's ReduceOnPlateau follows torch's cooldown "
            "and threshold arithmetic"
        )
    if not isinstance(monitor, str):
        raise TypeError(f"export(kind='mmengine'): monitor must be a metric name, got {monitor!r}")
    start = plateau.start_lr if plateau.start_lr is not None else context.get("base_lr")
    if start is None:
        raise ValueError("export(kind='mmengine'): a Plateau without start_lr needs base_lr=...")
    if name == "lr":
        optimizer["lr"] = start
    min_value = plateau.min_lr if not isinstance(plateau.min_lr, tuple) else list(plateau.min_lr)
    entry: dict[str, Any] = {"type": f"ReduceOnPlateau{_SUFFIX.get(name, 'ParamScheduler')}"}
    if name not in _SUFFIX:
        entry["param_name"] = name
    entry.update(
        monitor=monitor, rule="less" if plateau.mode == "min" else "greater", factor=plateau.factor,
        patience=plateau.patience, threshold=plateau.threshold, threshold_rule=plateau.threshold_mode,
        cooldown=plateau.cooldown, min_value=min_value, eps=plateau.eps, by_epoch=True,
    )  # fmt: skip
    return [entry]


def _check_round_trip(name: str, sched: Schedule, back: Any, total: int, base: float | None) -> None:
    want = sched.values(range(total), base)
    got = back.values(range(total))
    diff = np.abs(got - want)
    scale = np.maximum(np.abs(got), np.abs(want))
    bad = diff > RTOL * scale
    if bad.any():
        i = int(np.argmax(np.where(bad, diff / np.where(scale > 0, scale, 1), 0)))
        raise ValueError(
            f"export(kind='mmengine'): the {name} schedule's mmengine form gives {got[i]!r} at update {i}, "
            f"{want[i]!r} expected (relative difference {diff[i] / scale[i]:.2e} > {RTOL}): mmengine's recursion "
            "drifts from this closed form over the run"
        )


# -- Python source ------------------------------------------------------------------------------------------------
def _literal(value: Any) -> str:
    if isinstance(value, float):
        if math.isinf(value):
            return "float('inf')" if value > 0 else "float('-inf')"
        return repr(value)
    if isinstance(value, Mapping):
        return _dict_call(value)
    if isinstance(value, (list, tuple)):
        items = ", ".join(_literal(v) for v in value)
        return f"[{items}]" if isinstance(value, list) else f"({items}{',' if len(value) == 1 else ''})"
    return repr(value)


def _ordered(mapping: Mapping[str, Any]) -> list[tuple[str, Any]]:
    head = [k for k in _KEY_ORDER if k in mapping]
    tail = [k for k in _TAIL_ORDER if k in mapping]
    middle = [k for k in mapping if k not in head and k not in tail]
    return [(k, mapping[k]) for k in (*head, *middle, *tail)]


def _dict_call(mapping: Mapping[str, Any]) -> str:
    return "dict(" + ", ".join(f"{k}={_literal(v)}" for k, v in _ordered(mapping)) + ")"


def dumps(config: Mapping[str, Any]) -> str:
    """``config`` as the Python source of an mmengine config file: one ``name = dict(...)`` statement per key, and
    ``param_scheduler = [...]`` with one entry per line. ``float('inf')`` is written for an infinite value (a warmup
    from 0's ``div_factor``). ``mmengine.Config.fromfile`` reads it back to the same mapping."""
    if not isinstance(config, Mapping):
        raise TypeError(f"dumps: config must be a mapping, got {config!r}")
    lines = []
    for key, value in config.items():
        if not isinstance(key, str) or not key.isidentifier():
            raise ValueError(f"dumps: config key {key!r} is not a Python identifier")
        if key == "param_scheduler" and isinstance(value, list):
            lines.append("param_scheduler = [")
            lines.extend(f"    {_literal(item)}," for item in value)
            lines.append("]")
        else:
            lines.append(f"{key} = {_literal(value)}")
    return "\n".join(lines) + "\n"
