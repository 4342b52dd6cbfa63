"""mmengine's stacked param schedulers as one absolute lrparity schedule per optimizer field.

mmengine's schedulers are recursions on the param group's *current* value: each ``step()`` in its window
``begin <= g < end`` replaces the value ``v`` by ``f(v)``. Most shapes multiply (``v * factor``: Constant, Step,
MultiStep, Exponential, Linear, and Poly / CosineAnnealing with a zero minimum); a minimum (``eta_min``) makes Poly and
CosineAnnealing affine (``(v - eta) * c + eta``), and OneCycle and CosineRestart set the value outright (CosineAnnealing
too, at its restart steps, from the base value). The runner steps ``by_epoch=False`` entries after every iteration and
``by_epoch=True`` ones after every epoch, all in list order.

The schedule is built in *segments* of optimizer updates. Entries whose changes interleave in time form a cluster: a
lone entry is its own exact form (a replayed recursion, or a closed form for the simple factors) started from the
value the run holds when it begins (its *anchor*); interleaved entries are replayed together, step by step, in the
runner's order (:class:`~lrparity.core.Stacked`). Between clusters the value holds. Every value is mmengine's
arithmetic: bit-identical where the entries are recursions (Linear, CosineAnnealing, Poly, stacks), within a few ulps
where mmengine multiplies a factor step by step that lrparity raises to a power (Step, MultiStep, Exponential,
Constant).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from lrparity.core import (
    Constant,
    Cosine,
    Exponential,
    Linear,
    MultiStep,
    OneCycle,
    PerEpoch,
    PhaseAnneal,
    Plateau,
    Schedule,
    Sequence,
    Shift,
    Stacked,
    Step,
    StepwisePolynomial,
    WithBaseLR,
)
from lrparity.recipes.mmengine._config import Entry, Loop, Setup

__all__ = ["Effect", "build_param", "effects", "fields", "mapping_of"]


@dataclass(frozen=True)
class Effect:
    """What one entry does to the value, in its own step count ``k = g - begin`` (``k = 0`` is its first step).

    Attributes:
        entry: the entry.
        unit: optimizer updates per step of the entry (1, or the updates per epoch for an epoch-based entry).
        multiplier: the cumulative factor at step ``k`` (a relative schedule: its value at base 1.0) when every step
            multiplies the value, else None.
        absolute: the entry's values at step ``k`` given the value the run holds before its first change (anchor).
        changes: ``(first, last)`` steps ``k`` between which the entry changes the value (empty: never).
        k_run: the last step ``k`` whose value the run uses (negative: none).
        k_exec: the last step ``k`` the runner executes (the one after the last update included).
        initial: the field's ``initial_<param>`` this entry reads (mmengine's ``base_values``).
        members: the entry as :class:`~lrparity.core.Stacked` members ``(schedule, begin, end)`` (its own unit; a
            CosineRestart gives one per cycle), for a cluster of interleaved entries.
    """

    entry: Entry
    unit: int
    multiplier: Schedule | None
    absolute: Callable[[float], Schedule]
    changes: tuple[int, int] | None
    k_run: int
    k_exec: int
    initial: float
    members: tuple[tuple[Schedule, int, int], ...] = ()

    def update(self, k: int) -> int:
        """The optimizer update from which step ``k``'s value is used."""
        return (self.entry.begin + k) * self.unit

    def span(self) -> tuple[int, int] | None:
        """The first and last optimizer updates (within the run) at which the entry changes the value."""
        if self.changes is None:
            return None
        first, last = self.changes[0], min(self.changes[1], self.k_run)
        return None if last < first else (self.update(first), self.update(last))


def _relative(multiplier: Schedule) -> Callable[[float], Schedule]:
    return lambda anchor: WithBaseLR(multiplier, anchor)


def _cosine_absolute(T: float, eta: float, initial: float, reach: int) -> Callable[[float], Schedule]:
    """CosineAnnealing from the anchor: the natives' recursion (torch's), replayed. Its restart steps
    (k = T + 1 + 2 T j) add ``(initial - eta)(1 - cos(pi / T)) / 2``: they use the *base* value, not the anchor. The
    value at k = T is exactly ``eta`` whatever the amplitude, so from k = T + 1 on the curve is the one started from
    ``initial``."""
    cosine = Cosine(T_max=T, eta_min=eta, form="recursive")
    restart = float(T).is_integer() and int(T) + 1 <= reach  # the first restart step is within reach

    def build(anchor: float) -> Schedule:
        if not restart or anchor == initial:
            return WithBaseLR(cosine, anchor)
        split = int(T) + 1
        return Sequence((WithBaseLR(cosine, anchor), Shift(WithBaseLR(cosine, initial), split)), (split,))

    return build


def _one_cycle(a: Mapping[str, Any], levels: Mapping[str, Any], total: int) -> Schedule:
    """mmengine's OneCycle: its phases (ends ``pct * total - 1``, ...) between the group's initial (``eta_max /
    div_factor``), max and min (``initial / final_div_factor``) values; a :class:`~lrparity.core.PhaseAnneal` when a
    factor is infinite (a warmup from 0), which :class:`~lrparity.core.OneCycle` does not take."""
    if math.isfinite(levels["div_factor"]) and math.isfinite(levels["final_div_factor"]):
        return OneCycle(
            max_lr=levels["eta_max"], total_steps=total, pct_start=a["pct_start"], anneal_strategy=a["anneal_strategy"],
            div_factor=levels["div_factor"], final_div_factor=levels["final_div_factor"], three_phase=a["three_phase"],
        )  # fmt: skip
    top = levels["eta_max"]
    low = top / levels["div_factor"]
    final = low / levels["final_div_factor"]
    pct = a["pct_start"]
    if a["three_phase"]:
        ends: tuple[float, ...] = (float(pct * total) - 1, float(2 * pct * total) - 2, total - 1)
        values: tuple[float, ...] = (low, top, low, final)
    else:
        ends, values = (float(pct * total) - 1, total - 1), (low, top, final)
    return PhaseAnneal(ends=ends, levels=values, anneal_strategy=a["anneal_strategy"])


_LEVELS = ("eta_max", "div_factor", "final_div_factor")


def _effect(
    entry: Entry, loop: Loop, initial: float, last_cycle: Mapping[str, Any] | None = None
) -> tuple[Effect, float]:
    """The entry's :class:`Effect`, and the ``initial_<param>`` the entries after it read (OneCycle rewrites it)."""
    a, where = entry.args, entry.where
    unit = loop.epoch_updates if entry.by_epoch else 1
    window = entry.end - entry.begin  # steps k = 0 .. window - 1
    last = window - 1
    k_run = min(entry.end - 1, (loop.total - 1) // unit) - entry.begin
    k_exec = min(entry.end - 1, loop.total // unit) - entry.begin
    multiplier: Schedule | None = None
    absolute: Callable[[float], Schedule] | None = None
    changes: tuple[int, int] | None = None
    shape: Schedule | None = None  # the entry's step rule as a Stacked member (when not its multiplier)
    members: tuple[tuple[Schedule, int, int], ...] = ()
    kind = entry.kind
    if kind == "Constant":
        f, total = a["factor"], last
        if f != 1:
            multiplier = Constant(factor=f) if total == 0 else Constant(factor=f, total_steps=total)
            changes = (0, total)
            if f == 0 and 0 < total <= k_exec:
                raise ValueError(
                    f"{where}: factor=0 is restored by multiplying by 1/factor at step end-begin-1={total}, which the "
                    "runner executes: mmengine raises ZeroDivisionError there"
                )
    elif kind == "Exponential":
        if a["gamma"] != 1 and last >= 1:
            multiplier, changes = Exponential(a["gamma"]), (1, last)
    elif kind == "Step":
        s = a["step_size"]
        if a["gamma"] != 1 and s <= last:
            multiplier, changes = Step(s, a["gamma"]), (s, last)
    elif kind == "MultiStep":
        hits = [m for m in a["milestones"] if 0 <= m <= last]
        if a["gamma"] != 1 and hits:
            multiplier = MultiStep(tuple(m for m in a["milestones"] if m >= 0), a["gamma"])
            changes = (hits[0], hits[-1])
    elif kind == "Linear":
        sf, ef, total = a["start_factor"], a["end_factor"], last
        if total == 0:
            if sf != 1:
                multiplier, changes = Constant(factor=sf), (0, 0)
        elif sf == 0:
            if k_exec >= 1:
                raise ValueError(
                    f"{where}: start_factor=0 divides by zero at its second step (mmengine's recursion divides by "
                    "total_iters * start_factor + (last_step - 1) * (end_factor - start_factor), which is 0 there): "
                    "mmengine raises ZeroDivisionError; start from a small factor, e.g. 1e-3"
                )
            multiplier, changes = Constant(factor=0.0), (0, 0)
        elif not (sf == 1 and ef == 1):
            multiplier = Linear(sf, ef, total, form="recursive")
            changes = (0 if sf != 1 else 1, total if ef != sf else 0)
    elif kind == "Poly":
        eta, power, total = a["eta_min"], a["power"], last
        if total >= 1 and not (power == 0 and eta == 0):
            changes = (1, total)
            shape = StepwisePolynomial(total, power, eta)
            if eta == 0:
                multiplier = shape
            else:
                absolute = _relative(shape)
    elif kind == "CosineAnnealing":
        T = a["T_max"] or window  # mmengine: `T_max or (end - begin)`
        eta = a["eta_min"] if a["eta_min_ratio"] is None else initial * a["eta_min_ratio"]
        if last >= 1:
            changes = (1, last)
            reach = min(last, k_run)
            absolute = _cosine_absolute(T, eta, initial, reach)
            shape = Cosine(T_max=T, eta_min=eta, form="recursive")
            restarts = float(T).is_integer() and int(T) + 1 <= reach
            if eta == 0 and not restarts:
                multiplier = shape
    elif kind == "OneCycle":
        total = a["total_steps"] or window
        if k_exec > total:
            raise ValueError(
                f"{where}: total_steps={total} but the runner steps it {k_exec + 1} times (its window "
                f"[{entry.begin}, {entry.end}) within the run): mmengine raises 'Tried to step {total + 2} times'"
            )
        # each step reads the group's initial/max/min values, which every OneCycle's constructor rewrites: its own at
        # its first step when that runs in its constructor (begin 0), the last one's afterwards
        levels = last_cycle if last_cycle is not None else a
        cycle = _one_cycle(a, levels, total)
        if k_exec >= 0:
            try:
                cycle.values(range(k_exec + 1))
            except ValueError as exc:
                raise ValueError(f"{where}: {exc} (mmengine raises ZeroDivisionError)") from None
        changes, shape = (0, last), cycle
        if entry.begin == 0 and levels is not a and any(levels[k] != a[k] for k in _LEVELS):
            own = _one_cycle(a, a, total)
            cycle = Sequence((own, Shift(cycle, 1)), (1,))
            shape = None  # no Stacked member form: interleaved with other entries it is refused (_cluster)
        absolute = lambda anchor: cycle
        initial = a["eta_max"] / a["div_factor"]  # OneCycle rewrites initial_<param> for the entries built after it
    elif kind == "CosineRestart":
        periods, weights = a["periods"], a["restart_weights"]
        eta = a["eta_min"] if a["eta_min_ratio"] is None else initial * a["eta_min_ratio"]
        ends = [sum(periods[: i + 1]) for i in range(len(periods))]
        phases = tuple(
            WithBaseLR(Cosine(T_max=p, eta_min=eta, form="recursive"), initial * w) for p, w in zip(periods, weights)
        )
        cycles: Schedule = phases[0] if len(phases) == 1 else Sequence(phases, tuple(ends[:-1]))
        changes = (0, min(last, ends[-1] - 1))
        absolute = lambda anchor: cycles
        starts = [0, *ends[:-1]]
        members = tuple(
            (phase, entry.begin + a0, min(entry.begin + a1, entry.end))
            for phase, a0, a1 in zip(phases, starts, ends)
            if entry.begin + a0 < entry.end
        )
    elif kind == "ReduceOnPlateau":
        pass  # metric-driven: see build_param
    if absolute is None and multiplier is not None:
        absolute = _relative(multiplier)
    if not members and shape is None:
        shape = multiplier
    if not members and shape is not None:
        members = ((shape, entry.begin, entry.end),)
    if absolute is None:
        absolute = lambda anchor: WithBaseLR(Constant(), anchor)
    effect = Effect(entry, unit, multiplier, absolute, changes, k_run, k_exec, initial, members)
    return effect, initial


def effects(entries: tuple[Entry, ...], loop: Loop, initial: float) -> list[Effect]:
    """The effect of each entry of one field, in list (construction) order.

    Every OneCycle reads the group's ``initial_``/``max_``/``min_<param>`` at each step, and each OneCycle's
    constructor rewrites them: all of them run with the values of the last one built."""
    cycles = [e for e in entries if e.kind == "OneCycle"]
    last_cycle = cycles[-1].args if cycles else None
    out = []
    for entry in entries:
        effect, initial = _effect(entry, loop, initial, last_cycle)
        out.append(effect)
    return out


def _local(schedule: Schedule, effect: Effect, start: int) -> Schedule:
    """``schedule`` (indexed by the entry's step k) indexed by the update ``start + tau``: k = (tau + offset) // unit
    with offset = start - begin * unit >= 0."""
    offset = start - effect.entry.begin * effect.unit
    assert offset >= 0
    if effect.unit > 1:
        schedule = PerEpoch(schedule, effect.unit)
    return Shift(schedule, offset) if offset else schedule


def _cluster(members: list[Effect], start: int, stop: int, anchor: float, field: str) -> Schedule:
    """The values of the updates ``start .. stop`` (a cluster's last change), from ``anchor``: a lone entry's own form,
    or the interleaved entries replayed together, step by step (:class:`~lrparity.core.Stacked`)."""
    if len(members) == 1:
        effect = members[0]
        return _local(effect.absolute(anchor), effect, start)
    at_zero = [e for e in members if e.entry.begin == 0 and e.changes is not None and e.changes[0] == 0]
    for early in at_zero:
        for late in at_zero:
            if early.entry.by_epoch and not late.entry.by_epoch and early.entry.index < late.entry.index:
                if early.multiplier is None or late.multiplier is None:
                    raise ValueError(
                        f"{early.entry.where} (by_epoch) and {late.entry.where} (by iteration) both change the {field} "
                        "when they are built, in list order, but per iteration first afterwards: list the "
                        "iteration-based entry first"
                    )
    # the runner steps the iteration-based entries first, then the epoch-based ones, each in list order
    ordered = sorted(members, key=lambda e: (e.entry.by_epoch, e.entry.index))
    for effect in ordered:
        if not effect.members:
            raise ValueError(
                f"{effect.entry.where}: a OneCycle whose first step uses its own levels and later steps another "
                f"OneCycle's (the last one built), interleaved with other entries changing the {field}: lrparity has "
                "no exact form for that"
            )
    schedules, begins, ends, every, bases = [], [], [], [], []
    for effect in ordered:
        for schedule, begin, end in effect.members:
            schedules.append(schedule)
            begins.append(begin)
            ends.append(end)
            every.append(effect.unit)
            # a cosine's restarts read the lr the optimizer had when it was built (mmengine's base_values)
            bases.append(effect.initial if _restarts(effect) and effect.initial != anchor else None)
    stacked: Schedule = Stacked(tuple(schedules), tuple(begins), tuple(ends), tuple(every), tuple(bases))
    if start:
        stacked = Shift(stacked, start)
    return WithBaseLR(stacked, anchor) if stacked.uses_base_lr else stacked


def _restarts(effect: Effect) -> bool:
    """Whether a CosineAnnealing entry reaches a restart step within the run."""
    if effect.entry.kind != "CosineAnnealing" or effect.changes is None:
        return False
    T = effect.entry.args["T_max"] or (effect.entry.end - effect.entry.begin)
    return float(T).is_integer() and int(T) + 1 <= min(effect.changes[1], effect.k_run)


def _last_change(effect: Effect) -> int:
    """The entry's last step ``k`` that changes the value within the run (it has one: it is in a cluster)."""
    assert effect.changes is not None
    return min(effect.changes[1], effect.k_run)


def _hold(value: float) -> Schedule:
    return WithBaseLR(Constant(), value)


def _plateau(entries: tuple[Entry, ...], spans: list[tuple[int, int] | None], base: float, loop: Loop) -> Plateau:
    plateaus = [e for e in entries if e.kind == "ReduceOnPlateau"]
    entry = plateaus[0]
    if len(plateaus) > 1:
        raise ValueError(f"{plateaus[1].where}: a second ReduceOnPlateau on {entry.param!r}: lrparity has one Plateau")
    for other, span in zip(entries, spans, strict=True):
        if other.kind != "ReduceOnPlateau" and span is not None:
            raise ValueError(
                f"{other.where} changes the {entry.param} (updates {span[0]}..{span[1]}) next to the metric-driven "
                f"{entry.where}: lrparity's Plateau drives the value alone. Schedule the two apart (e.g. the warmup "
                "with lrparity.recipes.mmengine.schedules on a config without the plateau, then the Plateau)"
            )
    if entry.begin != 0:
        raise ValueError(
            f"{entry.where}: begin={entry.begin}: the plateau ignores the metrics of the first {entry.begin} epochs, "
            "which lrparity's Plateau cannot express (call its step(metric) only from that epoch on)"
        )
    if entry.end < loop.max_epochs:
        raise ValueError(
            f"{entry.where}: end={entry.end} < max_epochs={loop.max_epochs}: the plateau stops reacting before the "
            "run ends, which lrparity's Plateau cannot express"
        )
    a = entry.args
    return Plateau(
        mode="min" if a["rule"] == "less" else "max", factor=a["factor"], patience=a["patience"],
        threshold=a["threshold"], threshold_mode=a["threshold_rule"], cooldown=a["cooldown"], min_lr=a["min_value"],
        eps=a["eps"], semantics="torch", start_lr=base,
    )  # fmt: skip


def build_param(setup: Setup, field: str) -> Schedule | Plateau:
    """The absolute schedule (or Plateau) of optimizer field ``field`` over the run, indexed by optimizer update."""
    base = setup.optimizer.base(field, f"the {field} schedulers")
    entries = tuple(e for e in setup.entries if e.param == field)
    loop = setup.loop
    found = effects(entries, loop, base)
    spans = [effect.span() for effect in found]
    if any(e.kind == "ReduceOnPlateau" for e in entries):
        return _plateau(entries, spans, base, loop)
    active = sorted((span, i) for i, span in enumerate(spans) if span is not None)
    clusters: list[tuple[int, int, list[Effect]]] = []
    for (first, last), i in active:
        if clusters and first <= clusters[-1][1]:
            start, stop, members = clusters[-1]
            clusters[-1] = (start, max(stop, last), [*members, found[i]])
        else:
            clusters.append((first, last, [found[i]]))
    segments: list[tuple[int, Schedule]] = []
    value, end = base, -1  # the value held, and the last update changed so far
    for first, last, members in clusters:
        members.sort(key=lambda effect: effect.entry.index)
        start = max(end + 1, min(effect.entry.begin * effect.unit for effect in members))
        start = min(start, first)
        if start > end + 1:
            segments.append((end + 1, _hold(value)))
        schedule = _cluster(members, start, last, value, field)
        segments.append((start, schedule))
        # the value after the last change holds to the end of that step's epoch at least: the next segment starts on
        # an epoch boundary when the last change was an epoch-based entry's (or where the next cluster begins)
        later = [c[0] for c in clusters if c[0] > last]
        stop = max(effect.update(_last_change(effect)) + effect.unit - 1 for effect in members)
        stop = min(stop, loop.total - 1, *(c - 1 for c in later[:1]))
        value, end = float(schedule.value(last - start)), max(last, stop)
    if end < loop.total - 1:
        segments.append((end + 1, _hold(value)))
    if segments[0][0] != 0:  # pragma: no cover - the first segment starts at 0 by construction
        segments.insert(0, (0, _hold(base)))
    if len(segments) == 1:
        return segments[0][1]
    return Sequence(tuple(s for _, s in segments), tuple(start for start, _ in segments[1:]))


def fields(setup: Setup) -> list[str]:
    """The optimizer fields the config schedules: the lr always, then the others in order of appearance."""
    out = ["lr"]
    for entry in setup.entries:
        if entry.param not in out:
            out.append(entry.param)
    return out


def mapping_of(setup: Setup) -> dict[str, Schedule | Plateau]:
    """``{field: schedule}`` for every field the config schedules (see :func:`fields`)."""
    return {field: build_param(setup, field) for field in fields(setup)}
