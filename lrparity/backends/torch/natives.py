"""torch's built-in schedulers, one row each: both directions between them and the core.

:data:`TABLE` has a row for each of torch 2.13's 15 schedulers (``torch.optim.lr_scheduler``):

- ``to_core`` reads a live native into the core schedule it computes (:func:`from_native`): any class, with
  ``SequentialLR``/``ChainedScheduler`` nested at any depth, at any step. Arguments torch keeps only in derived
  form (OneCycleLR's factors, CyclicLR's step sizes) are recovered so that the core recomputes torch's numbers bit
  for bit; known torch defects are reported with :class:`NativeMismatchWarning`.
- ``from_core`` plans the natives computing a core schedule (:func:`to_native`, :func:`plan`): ``Sequence`` and a
  linear ``Warmup`` become ``SequentialLR`` (nested sequences flattened), ``Chain`` a ``ChainedScheduler``,
  ``PerGroup`` the per-group lists of ``LambdaLR``/``MultiplicativeLR``/``OneCycleLR``/``CyclicLR``. A schedule no
  composition of natives computes, or one torch's own nesting would compute wrongly, raises
  :class:`~lrparity.backends.neutral.natives.Inexpressible` naming the part.

torch itself is imported only when a native is built or read: planning (and printing code) needs no torch.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from lrparity.backends.neutral.natives import (
    OPTIMIZER,
    RECURSIVE_RTOL,
    Inexpressible,
    NativeCall,
    NativeMismatchWarning,
    NativeTable,
    check_ramp,
    replay_rtol,
    row,
)
from lrparity.backends.neutral.recover import (
    cyclic_step_sizes,
    nearby,
    one_cycle_arguments,
    plateau_arguments,
    plateau_of,
)
from lrparity.backends.neutral.source import brief, python_source
from lrparity.core import (
    Chain,
    Constant,
    Cosine,
    CosineRestarts,
    Cyclic,
    Exponential,
    Lambda,
    Linear,
    Multiplicative,
    MultiStep,
    OneCycle,
    PerGroup,
    Plateau,
    Polynomial,
    Schedule,
    Step,
    Warmup,
    WithBaseLR,
)
from lrparity.core import (
    Sequence as SequenceSchedule,
)

__all__ = ["MODULE", "TABLE", "NativeMismatchWarning", "convert", "from_native", "native_step", "plan", "to_native"]

MODULE = "torch.optim.lr_scheduler"
"""Where torch's schedulers live."""

_REAPPLY_AT_ZERO = frozenset({"ExponentialLR", "CosineAnnealingLR", "PolynomialLR", "MultiplicativeLR"})
"""Recursive natives whose ``get_lr()`` at last_epoch 0 outside the initial step multiplies again: as members of a
ChainedScheduler that is the first phase of a SequentialLR, their first step is applied twice."""


def _mismatch(message: str) -> None:
    warnings.warn(message, NativeMismatchWarning, stacklevel=4)


def _number(value: Any) -> float:
    """A float from a group value (a float, or a one-element tensor)."""
    return float(value.item()) if hasattr(value, "numel") else float(value)


# ------------------------------------------------------------------------------------------------------------
# reading a live native: to_core
# ------------------------------------------------------------------------------------------------------------
@dataclasses.dataclass
class _Reading:
    """A live native (or a tree of them) being read, with the param groups of its optimizer.

    Attributes:
        groups: the optimizer's param groups.
        pin_every_part: OneCycleLR/CyclicLR in the tree rewrote the groups' ``initial_lr``/``lr``, so relative
            members ran from bases a fresh optimizer would not give: every relative part is pinned to its own.
        replay: read CosineAnnealingLR/LinearLR as the core's replay of their recursion (``form="recursive"``).
    """

    groups: list[dict[str, Any]]
    pin_every_part: bool
    replay: bool = True

    @property
    def n(self) -> int:
        return len(self.groups)

    @property
    def group_bases(self) -> list[float]:
        return [float(g["initial_lr"]) if "initial_lr" in g else math.nan for g in self.groups]


def _is_lrparity(s: Any) -> bool:
    """Whether ``s`` is the torch backend's own :class:`~lrparity.backends.torch.Scheduler` (a container member)."""
    from lrparity.backends.torch.scheduler import Scheduler  # the adapter imports torch: import on use

    return isinstance(s, Scheduler)


def _check_type(s: Any) -> None:
    """Refuse what is not exactly one of torch's built-in schedulers, or an lrparity scheduler inside one."""
    if not _is_lrparity(s):
        TABLE.spec_of(s)


def _tree(s: Any) -> list[Any]:
    out = [s]
    for sub in getattr(s, "_schedulers", ()):
        out.extend(_tree(sub))
    return out


def _collapse(per: list[Schedule]) -> Schedule:
    return per[0] if all(p == per[0] for p in per[1:]) else PerGroup(per)


def _per_group(per: list[Schedule], make: Callable[[list[Schedule]], Schedule], n: int) -> Schedule:
    """``make(members)``, distributed over the groups when a member is a PerGroup."""
    if not any(isinstance(p, PerGroup) for p in per):
        return make(per)
    return _collapse([make([p.for_group(i) for p in per]) for i in range(n)])


def _relative(s: Any, per: list[Schedule], reading: _Reading, bases: list[float] | None, pin: bool) -> Schedule:
    """Per-group relative schedules, pinned to the native's bases where a fresh optimizer would not give them."""
    own = [_number(b) for b in s.base_lrs] if bases is None else bases
    if pin and (reading.pin_every_part or own != reading.group_bases):
        per = [WithBaseLR(p, b) for p, b in zip(per, own)]
    return _collapse(per)


def _relative_row(make: Callable[[Any, _Reading], Schedule | list[Schedule]]) -> Callable[..., Schedule]:
    """The ``to_core`` of a relative native: ``make(native, reading)`` (one schedule, or one per group), pinned."""

    def to_core(s: Any, reading: _Reading, bases: list[float] | None, pin: bool) -> Schedule:
        core = make(s, reading)
        return _relative(s, core if isinstance(core, list) else [core] * reading.n, reading, bases, pin)

    return to_core


def _lambdas(s: Any) -> list[Callable[[int], float]]:
    """A LambdaLR's or MultiplicativeLR's functions, one per param group."""
    return list(s.lr_lambdas)


def _linear_of(s: Any, reading: _Reading) -> Schedule:
    if s.total_iters == 0:  # torch multiplies by start_factor at step 0 and then holds
        return Constant(s.start_factor)
    return Linear(s.start_factor, s.end_factor, s.total_iters, form="recursive" if reading.replay else "closed")


def _exponential_of(s: Any, reading: _Reading) -> Exponential:
    return Exponential(s.gamma)


def _one_cycle_of_group(s: Any, group: dict[str, Any]) -> OneCycle:
    phases = s._schedule_phases
    peak, initial, final = _number(group["max_lr"]), _number(group["initial_lr"]), _number(group["min_lr"])
    levels = (initial, peak, initial, final) if len(phases) == 3 else (initial, peak, final)
    ends = [phase["end_step"] for phase in phases]
    arguments = one_cycle_arguments(levels, ends, s.total_steps, framework="torch", relative_end=True)
    momentum: dict[str, Any] = {}
    if s.cycle_momentum:
        momentum = {
            "cycle_momentum": True,
            "base_momentum": _number(group["base_momentum"]),
            "max_momentum": _number(group["max_momentum"]),
        }
    return OneCycle(
        max_lr=peak, total_steps=s.total_steps, anneal_strategy=s._anneal_func_type, **arguments, **momentum
    )


def _cyclic_of(s: Any, reading: _Reading) -> Schedule:
    up, down = cyclic_step_sizes(float(s.total_size), float(s.step_ratio), framework="torch", integers=False)
    custom = s._scale_fn_custom
    per = []
    for i in range(reading.n):
        momentum: dict[str, Any] = {"cycle_momentum": False}
        if s.cycle_momentum:
            momentum = {
                "cycle_momentum": True,
                "base_momentum": _number(s.base_momentums[i]),
                "max_momentum": _number(s.max_momentums[i]),
            }
        per.append(
            Cyclic(
                base_lr=_number(s.base_lrs[i]),
                max_lr=_number(s.max_lrs[i]),
                step_size_up=up,
                step_size_down=down,
                mode=s.mode,
                gamma=s.gamma,
                scale_fn=custom,
                scale_mode=s.scale_mode if custom is not None else "cycle",
                **momentum,
            )
        )
    return _collapse(per)


def _restarts_of(s: Any, reading: _Reading) -> CosineRestarts:
    """A CosineAnnealingWarmRestarts as the core schedule, warning where its own cycle position is wrong."""
    out = CosineRestarts(T_0=s.T_0, T_mult=s.T_mult, eta_min=s.eta_min)
    if s.last_epoch >= 0:
        _, t_cur, t_i = out.cycle(s.last_epoch)
        if (t_cur, t_i) != (s.T_cur, s.T_i):
            _mismatch(
                f"from_native: this CosineAnnealingWarmRestarts is at last_epoch={s.last_epoch} but its internal "
                f"T_cur={s.T_cur}, T_i={s.T_i} belong to another step (cycle position {t_cur} of {t_i} is right): "
                "torch derives them wrongly when built with last_epoch>=0 and T_mult>1 (pytorch#88791) or after "
                "step(epoch) with T_mult=3. The returned schedule follows the correct restarts."
            )
    return out


def _member(s: Any, reading: _Reading, pin: bool) -> Schedule:
    """An lrparity Scheduler inside a container: its lr schedule, as ``from_native`` gives it at top level, pinned
    to its own bases where they are not the groups' (as a native's)."""
    if set(s._driven) != {"lr"}:
        raise ValueError(
            f"from_native: an lrparity Scheduler inside a torch container drives {sorted(s._driven)}; a container "
            "converts to one lr schedule, and the container moves the other fields only during that member's "
            "phase. Schedule them separately: torch_scheduler({'lr': ..., 'momentum': ...}, optimizer)"
        )
    per = [s.schedule.for_group(i) for i in range(reading.n)]
    own = [_number(b) for b in s.base_lrs]
    if pin and (reading.pin_every_part or own != reading.group_bases):
        per = [WithBaseLR(p, b) if p.uses_base_lr else p for p, b in zip(per, own)]
    return _collapse(per)


def _part(s: Any, reading: _Reading, bases: list[float] | None = None, pin: bool = True) -> Schedule:
    """One native of a tree (or an lrparity member) as a core schedule."""
    if _is_lrparity(s):
        return _member(s, reading, pin)
    return TABLE.spec_of(s).to_core(s, reading, bases, pin)  # type: ignore[no-any-return]


def _momentum_free(s: Any, where: str) -> None:
    for sub in _tree(s):
        if TABLE.is_native(sub, "OneCycleLR", "CyclicLR") and sub.cycle_momentum:
            raise ValueError(
                f"from_native: {type(sub).__name__}(cycle_momentum=True) inside a {where} drives the momentum only "
                "during its own phase, which a core Sequence/Chain cannot express; build it with "
                "cycle_momentum=False, or schedule the momentum separately ({'lr': ..., 'momentum': ...})"
            )


def _form(s: Any) -> str:
    return "" if _is_lrparity(s) else TABLE.spec_of(s).form


def _sequential(s: Any, reading: _Reading, bases: list[float] | None = None, pin: bool = True) -> Schedule:
    _momentum_free(s, "SequentialLR")
    phases: list[Schedule] = []
    milestones = list(s._milestones)
    for i, sub in enumerate(s._schedulers):
        _check_type(sub)
        name = type(sub).__name__
        if TABLE.is_native(sub, "ReduceLROnPlateau"):
            raise ValueError("from_native: SequentialLR cannot hold a ReduceLROnPlateau")
        if i == 0 and _form(sub) == "recursive":
            # the first phase runs its recursion from the group lr SequentialLR set: the group's initial_lr
            phases.append(_part(sub, reading, bases=reading.group_bases))
            continue
        if TABLE.is_native(sub, "MultiplicativeLR"):
            raise ValueError(
                f"from_native: SequentialLR phase {i} is a MultiplicativeLR: at its milestone torch multiplies the "
                "previous phase's lr by lr_lambda(0) instead of restarting from the base lr, which a core Sequence "
                "cannot express. Use a LambdaLR with the running product, or lrparity.Chain"
            )
        if _form(sub) == "composite":
            if i > 0:
                _mismatch(
                    f"from_native: SequentialLR phase {i} is a {name}; torch raises NotImplementedError when it "
                    f"reaches milestone {milestones[i - 1]} (a {name} has no closed form to restart from). The "
                    "returned schedule restarts it there, as SequentialLR restarts its other phases."
                )
            elif TABLE.is_native(sub, "SequentialLR") and sub._milestones:
                _mismatch(
                    "from_native: a SequentialLR nested as the first phase of a SequentialLR switches its own phases "
                    f"one step early in torch (milestones {list(sub._milestones)} act at "
                    f"{[m - 1 for m in sub._milestones]}: the outer constructor steps it once more). The returned "
                    "schedule switches at the milestones as written."
                )
            elif TABLE.is_native(sub, "ChainedScheduler") and any(
                TABLE.is_native(m, *_REAPPLY_AT_ZERO) for m in _tree(sub)
            ):
                _mismatch(
                    "from_native: a ChainedScheduler nested as the first phase of a SequentialLR applies the first "
                    "step of its ExponentialLR/CosineAnnealingLR/PolynomialLR/MultiplicativeLR members twice in "
                    "torch (the outer constructor re-runs its members' step outside their initial mode). The "
                    "returned schedule applies it once."
                )
        phases.append(_part(sub, reading))
    return _per_group(phases, lambda p: SequenceSchedule(p, milestones), reading.n)


def _chained(s: Any, reading: _Reading, bases: list[float] | None = None, pin: bool = True) -> Schedule:
    members = list(s._schedulers)
    for i, m in enumerate(members):
        _check_type(m)
        if TABLE.is_native(m, "ReduceLROnPlateau"):
            raise ValueError("from_native: ChainedScheduler cannot hold a ReduceLROnPlateau")
        if _is_lrparity(m) and len(members) > 1:
            raise ValueError(
                f"from_native: ChainedScheduler member {i} is an lrparity Scheduler, which writes absolute values at "
                "every step: next to other members it erases their factors, so it refuses to run in this chain and "
                "there is no schedule equal to it. Multiply the schedules with lrparity.Chain instead."
            )
    last = members[-1]
    if len(members) == 1:
        return _part(last, reading, pin=pin)
    if _form(last) == "closed":
        for m in members[:-1]:
            _momentum_free(m, "ChainedScheduler whose last member overwrites the lr")
        _mismatch(
            f"from_native: the last member of this ChainedScheduler, {type(last).__name__}, rewrites the lr "
            "from its closed form at every step, so the members before it have no effect in torch "
            "(pytorch#129565). The returned schedule reproduces that: it is the last member alone."
        )
        return _part(last, reading, pin=pin)
    for i, m in enumerate(members):
        name = type(m).__name__
        if _form(m) == "closed" or TABLE.is_native(m, "SequentialLR"):
            raise ValueError(
                f"from_native: ChainedScheduler member {i} ({name}) sets the lr from its closed form at each step "
                f"(a SequentialLR does at each milestone), which erases the factors of the members before it and "
                "leaves the ones after it applied step by step to the new value (pytorch#129565): there is no "
                "schedule equal to that. Multiply the schedules with lrparity.Chain instead."
            )
        if TABLE.is_native(m, "CosineAnnealingLR") and m.eta_min != 0:
            raise ValueError(
                f"from_native: ChainedScheduler member {i} is a CosineAnnealingLR with eta_min={m.eta_min!r}: its "
                "recursion is affine (lr -> r*(lr - eta_min) + eta_min), not a factor, so it does not multiply with "
                "the other members and the chain has no closed form. Use lrparity.Chain of the core schedules."
            )
    cosines = [m for m in members if TABLE.is_native(m, "CosineAnnealingLR")]
    if cosines:
        t_max = min(m.T_max for m in cosines)
        _mismatch(
            f"from_native: in a ChainedScheduler, torch's CosineAnnealingLR restarts its recursion from the base lr "
            f"one step after its trough (step {math.floor(t_max) + 1}), dropping the other members' factors from "
            "then on; the returned Chain keeps multiplying them."
        )
    chain = _per_group([_part(m, reading, pin=False) for m in members], Chain, reading.n)
    first = members[0]
    while TABLE.is_native(first, "ChainedScheduler"):
        first = first._schedulers[0]
    if not pin or not chain.uses_base_lr:
        return chain
    own = [_number(b) for b in first.base_lrs]
    if reading.pin_every_part or own != reading.group_bases:
        return _collapse([WithBaseLR(chain.for_group(i), b) for i, b in enumerate(own)])
    return chain


def _plateau_of(s: Any, *_: Any) -> Plateau:
    min_lr = tuple(float(v) for v in s.min_lrs) if s.default_min_lr is None else s.default_min_lr
    return plateau_of(s, min_lr=min_lr, eps=s.eps, semantics="torch")


def native_step(scheduler: Any) -> int:
    """The step a live native scheduler is at (``last_epoch``; a ChainedScheduler's first member's)."""
    while TABLE.is_native(scheduler, "ChainedScheduler"):
        scheduler = scheduler._schedulers[0]
    step = scheduler.last_epoch
    if isinstance(step, bool) or not isinstance(step, numbers.Integral):
        raise TypeError(f"native_step: {type(scheduler).__name__}.last_epoch is {step!r}, not an int")
    return int(step)


def convert(scheduler: Any, *, replay: bool = True) -> Schedule | Plateau:
    """The core schedule equal to one of torch's 15 built-in schedulers (see :func:`from_native`)."""
    spec = TABLE.spec_of(scheduler)
    if spec.form == "stateful":
        return spec.to_core(scheduler)  # type: ignore[no-any-return]
    tree = _tree(scheduler)
    # OneCycleLR rewrites the groups' initial_lr and CyclicLR their lr: relative members next to them run from
    # bases a fresh optimizer would not have, so they are pinned to the native's
    absolute = any(TABLE.is_native(t, "OneCycleLR", "CyclicLR") for t in tree)
    reading = _Reading(groups=scheduler.optimizer.param_groups, pin_every_part=absolute, replay=replay)
    return spec.to_core(scheduler, reading, None, True)  # type: ignore[no-any-return]


def from_native(scheduler: Any, *, replay: bool = True) -> Schedule | Plateau:
    """The core schedule equivalent to a live torch scheduler (any of torch 2.13's 15 classes, at any step).

    ``torch_scheduler(from_native(native), optimizer)`` on an optimizer with the same param groups gives the
    native's lr (and momentum / beta1) sequence from step 0; build it with ``last_epoch=native_step(native) - 1``
    (or use :func:`~lrparity.backends.torch.replace_native`) to continue where the native is. The schedule is
    stateless: the native's hyperparameters (and its ``base_lrs`` where a fresh optimizer would not reproduce them)
    define it.

    Relative natives (all but OneCycleLR and CyclicLR) give relative schedules, scaled by each group's
    ``initial_lr``; per-group lambdas and per-group ``max_lr``/``base_lr``/momentum lists give a ``PerGroup``.
    ``SequentialLR`` gives a ``Sequence``; ``ChainedScheduler`` a ``Chain`` (or, when its last member rewrites
    the lr at every step, that member, as torch behaves; other closed-form members raise ValueError, see
    pytorch#129565); ``ReduceLROnPlateau`` a :class:`~lrparity.Plateau` with ``semantics="torch"``.

    Where the native is known to deviate from its own configuration (nested SequentialLR, CAWR resumed with
    ``T_mult > 1``, CosineAnnealingLR inside a ChainedScheduler past its trough) a
    :class:`NativeMismatchWarning` says so and the returned schedule follows the configuration.

    A ``warmup_scheduler.GradualWarmupScheduler`` (an ``LRScheduler`` of another package) is read by
    :func:`lrparity.backends.torch.third_party.from_native`.

    An lrparity :class:`~lrparity.backends.torch.Scheduler` gives its schedule, at top level and as a
    ``SequentialLR`` phase (pinned to its ``base_lrs`` where they are not the groups' ``initial_lr``); in a
    ``ChainedScheduler`` next to other members it is refused, as the chain refuses to run it.

    Args:
        scheduler: a live torch scheduler (or an lrparity one, whose schedule is returned).
        replay: return ``CosineAnnealingLR`` and ``LinearLR`` as the core's exact replay of their recursion
            (``form="recursive"``, the default): bit-identical to the native at every step. ``replay=False``
            gives the closed form instead: the more accurate value, within 1e-12 relative of the native over
            10k steps for most settings (a cosine with a small ``T_max`` over many periods drifts further).

    Raises:
        TypeError: ``scheduler`` (or a member) is not one of torch's built-in schedulers, naming it; a subclass
            of one is named with its base class (a subclass may override ``get_lr()``: convert its base class
            explicitly).
        ValueError: a combination that has no schedule equivalent (see above), saying why.
    """
    from lrparity.backends.torch import third_party
    from lrparity.backends.torch.plateau import PlateauScheduler
    from lrparity.backends.torch.scheduler import Scheduler

    if third_party.row_of(scheduler) is not None:  # GradualWarmupScheduler (an LRScheduler of another package)
        return third_party.from_native(scheduler)  # type: ignore[no-any-return]
    if isinstance(scheduler, Scheduler):
        if set(scheduler.fields) != {"lr"}:
            raise ValueError("from_native: this lrparity Scheduler drives several fields; use scheduler.fields")
        return scheduler.schedule  # type: ignore[return-value]
    if isinstance(scheduler, PlateauScheduler):
        return scheduler.plateau
    return convert(scheduler, replay=replay)


# ------------------------------------------------------------------------------------------------------------
# planning natives for a schedule: from_core
# ------------------------------------------------------------------------------------------------------------
@dataclasses.dataclass
class _Planning:
    """What planning torch natives knows about the optimizer they will be built on, and what building them in
    order does to its param groups.

    Attributes:
        group_bases: the lr each group's relative schedules scale (its ``initial_lr``, else its ``lr``; None: not
            known, when code is printed without an optimizer).
        lrs: each group's ``lr`` now (a ReduceLROnPlateau starts from it).
        bases_now: the base (``initial_lr``) that a native built next reads, as the natives planned so far leave
            it: OneCycleLR sets it to ``max_lr / div_factor``; CyclicLR, built first, to its ``base_lr``.
        base_set: the groups already hold an ``initial_lr`` (the first native built sets it).
    """

    group_bases: tuple[float | None, ...]
    lrs: tuple[float | None, ...]
    bases_now: tuple[float | None, ...] = ()
    base_set: bool = False

    def __post_init__(self) -> None:
        self.bases_now = self.bases_now or self.group_bases

    @property
    def n(self) -> int:
        return len(self.group_bases)

    def built(self, call: NativeCall) -> None:
        """Record what constructing ``call`` (its members first) does to the groups' ``initial_lr``."""
        arguments = dict(call.kwargs)
        if call.name == "OneCycleLR":
            div = arguments["div_factor"]
            self.bases_now = tuple(m / div for m in _per_group_list(arguments["max_lr"], self.n))
        elif call.name == "CyclicLR" and not self.base_set:
            self.bases_now = tuple(_per_group_list(arguments["base_lr"], self.n))
        self.base_set = True


def _per_group_list(value: Any, n: int) -> list[Any]:
    return list(value) if isinstance(value, list) else [value] * n


def _per_group_value(values: Sequence[Any]) -> Any:
    """One value for every group, or the list of the groups' values where they differ."""
    return values[0] if all(v == values[0] for v in values[1:]) else list(values)


@dataclasses.dataclass(frozen=True)
class _Ramp:
    """The linear ramp of a ``Warmup`` (``shape="linear"``, ``mode="prefix"``), a phase of a ``SequentialLR``;
    ``base_lr``: the base it reads, when a ``WithBaseLR`` pins the warmup (None: the optimizer's)."""

    warmup: Warmup
    base_lr: float | None = None


def _unpinned(schedule: Any, group: int, base: float | None) -> tuple[Any, bool]:
    """Group ``group``'s schedule without a ``WithBaseLR`` that pins it to ``base``, the base torch's native reads,
    and whether there was one."""
    while isinstance(schedule, PerGroup):
        schedule = schedule.for_group(group)
    if not isinstance(schedule, WithBaseLR):
        return schedule, False
    if base is None:
        raise Inexpressible(
            f"WithBaseLR(base_lr={schedule.base_lr!r}) pins the base lr inside the schedule, and torch's natives scale "
            "the optimizer's lr, not known here: give the optimizer's lr (to_native_code's learning_rate, "
            "lrparity export's --base-lr)"
        )
    if schedule.base_lr != base:
        raise Inexpressible(
            f"WithBaseLR(base_lr={schedule.base_lr!r}) pins param group {group}'s base lr, and torch's natives scale "
            f"{base!r} there: build the optimizer with lr={schedule.base_lr!r} for that group (or leave WithBaseLR out)"
        )
    return schedule.schedule, True


def _plan(per: Sequence[Any], planning: _Planning, base: Sequence[float | None] | None = None) -> NativeCall:
    """The native computing one part of the schedule, given per param group, in the natives' order of construction.

    Args:
        per: the part's schedule in each group.
        planning: the optimizer, and the natives planned so far.
        base: the base the native will scale in each group (default: the current ``initial_lr``).
    """
    base = planning.bases_now if base is None else tuple(base)
    unpinned = [_unpinned(p, i, base[i]) for i, p in enumerate(per)]
    per = tuple(p for p, _ in unpinned)
    pinned = [was_pinned for _, was_pinned in unpinned]  # a pinned part scales the base it pins (checked)
    kinds = sorted({type(p).__name__ for p in per})
    if len(kinds) > 1:
        raise Inexpressible(
            f"PerGroup of {', '.join(kinds)}: one torch scheduler drives every param group, so the groups' schedules "
            "must be of one class"
        )
    if not isinstance(per[0], (_Ramp, SequenceSchedule, Warmup, Chain)):
        for i, p in enumerate(per):
            if p.uses_base_lr and not pinned[i] and base[i] != planning.group_bases[i]:
                raise Inexpressible(
                    f"{type(p).__name__} scales the optimizer's lr, but in param group {i} torch's native would scale "
                    f"{base[i]!r}, the initial_lr that an OneCycleLR/CyclicLR built before it in the same container "
                    "set: pin it (WithBaseLR) to that value, or schedule it apart from the OneCycle/Cyclic"
                )
    call = _ramp_call(per, planning, base) if isinstance(per[0], _Ramp) else TABLE.plan(per, planning)
    planning.built(call)
    return call


def _same(per: Sequence[Schedule], native: str) -> Any:
    """The schedule every group has, or Inexpressible: a native that takes one set of arguments for all groups."""
    if any(p != per[0] for p in per[1:]):
        raise Inexpressible(
            f"PerGroup of {type(per[0]).__name__}: torch's {native} applies one set of arguments to every param "
            "group, and the groups' schedules differ"
        )
    return per[0]


def _functions(per: Sequence[Lambda | Multiplicative]) -> Any:
    return _per_group_value([p.fn for p in per])


def _lambda_from(per: Sequence[Lambda], planning: _Planning) -> NativeCall:
    return TABLE.call("LambdaLR", OPTIMIZER, lr_lambda=_functions(per))


def _multiplicative_from(per: Sequence[Multiplicative], planning: _Planning) -> NativeCall:
    return TABLE.call("MultiplicativeLR", OPTIMIZER, lr_lambda=_functions(per), rtol=0.0)


def _step_from(per: Sequence[Step], planning: _Planning) -> NativeCall:
    s = _same(per, "StepLR")
    return TABLE.call("StepLR", OPTIMIZER, step_size=s.step_size, gamma=s.gamma)


def _multistep_from(per: Sequence[MultiStep], planning: _Planning) -> NativeCall:
    s = _same(per, "MultiStepLR")
    return TABLE.call("MultiStepLR", OPTIMIZER, milestones=list(s.milestones), gamma=s.gamma)


def _constant_from(per: Sequence[Constant], planning: _Planning) -> NativeCall:
    s = _same(per, "ConstantLR")
    if not 0 <= s.factor <= 1:
        raise Inexpressible(f"Constant(factor={s.factor!r}): torch's ConstantLR needs 0 <= factor <= 1")
    if s.total_steps is None:  # total_iters=0: torch multiplies by factor at step 0 and never restores
        return TABLE.call("ConstantLR", OPTIMIZER, factor=s.factor, total_iters=0)
    if s.total_steps == 0:
        raise Inexpressible(
            "Constant(total_steps=0) is the base lr from step 0, and torch's ConstantLR(total_iters=0) keeps the "
            "factor forever instead: use Constant()"
        )
    if s.factor == 0:
        raise Inexpressible(
            "Constant(factor=0.0, total_steps=...): torch's ConstantLR restores the lr by dividing by the factor "
            "(ZeroDivisionError at total_iters)"
        )
    return TABLE.call("ConstantLR", OPTIMIZER, factor=s.factor, total_iters=s.total_steps)


def _linear_from(per: Sequence[Linear], planning: _Planning) -> NativeCall:
    s = _same(per, "LinearLR")
    check_ramp(s, "torch's LinearLR")
    return TABLE.call(
        "LinearLR",
        OPTIMIZER,
        start_factor=s.start_factor,
        end_factor=s.end_factor,
        total_iters=s.total_steps,
        rtol=replay_rtol(s),
    )


def _exponential_from(per: Sequence[Exponential], planning: _Planning) -> NativeCall:
    return TABLE.call("ExponentialLR", OPTIMIZER, gamma=_same(per, "ExponentialLR").gamma)


def _polynomial_from(per: Sequence[Polynomial], planning: _Planning) -> NativeCall:
    s = _same(per, "PolynomialLR")
    if s.cycle:
        raise Inexpressible("Polynomial(cycle=True): torch's PolynomialLR has no cycle (it holds 0 after its end)")
    if s.end_lr != 0:
        raise Inexpressible(f"Polynomial(end_lr={s.end_lr!r}): torch's PolynomialLR decays to 0 (it has no end_lr)")
    return TABLE.call("PolynomialLR", OPTIMIZER, total_iters=s.total_steps, power=s.power)


def _cosine_from(per: Sequence[Cosine], planning: _Planning) -> NativeCall:
    s = _same(per, "CosineAnnealingLR")
    if s.after_end != "periodic":
        raise Inexpressible(
            f"Cosine(after_end={s.after_end!r}): torch's CosineAnnealingLR keeps going past T_max (periodic)"
        )
    return TABLE.call("CosineAnnealingLR", OPTIMIZER, T_max=s.T_max, eta_min=s.eta_min, rtol=replay_rtol(s))


def _restarts_from(per: Sequence[CosineRestarts], planning: _Planning) -> NativeCall:
    s = _same(per, "CosineAnnealingWarmRestarts")
    extras = {"cycle_decay": 1.0, "cycle_limit": None, "k_decay": 1.0}
    for name, plain in extras.items():
        if getattr(s, name) != plain:
            raise Inexpressible(
                f"CosineRestarts({name}={getattr(s, name)!r}): torch's CosineAnnealingWarmRestarts has no {name} "
                "(timm's extension)"
            )
    return TABLE.call("CosineAnnealingWarmRestarts", OPTIMIZER, T_0=s.T_0, T_mult=s.T_mult, eta_min=s.eta_min)


def _shared(per: Sequence[Schedule], names: Sequence[str], native: str) -> None:
    for name in names:
        if len({getattr(p, name) for p in per}) > 1:
            raise Inexpressible(
                f"PerGroup of {type(per[0]).__name__}: torch's {native} takes one {name} for every param group, and "
                "the groups' differ"
            )


def _first_fitting(candidates: Sequence[float], fits: Callable[[float], bool], what: str) -> float | None:
    """The first candidate that fits, else the float nearest the first one that does (None: none near)."""
    for candidate in candidates:
        if fits(candidate):
            return candidate
    try:
        return nearby(candidates[0], fits, what, "torch", positive=True)
    except ValueError:
        return None


def _momentum_bounds(per: Sequence[OneCycle | Cyclic]) -> dict[str, Any]:
    """OneCycleLR's/CyclicLR's momentum arguments (per group where they differ), when they cycle it."""
    if not per[0].cycle_momentum:
        return {}
    return {
        "base_momentum": _per_group_value([p.base_momentum for p in per]),
        "max_momentum": _per_group_value([p.max_momentum for p in per]),
    }


def _one_cycle_from(per: Sequence[OneCycle], planning: _Planning) -> NativeCall:
    shared = ("total_steps", "pct_start", "anneal_strategy", "three_phase", "cycle_momentum", "after_end")
    _shared(per, shared, "OneCycleLR")
    s = per[0]
    if s.after_end != "raise":
        raise Inexpressible("OneCycle(after_end='hold'): torch's OneCycleLR raises past total_steps, it cannot hold")
    div = _first_fitting(
        [p.div_factor for p in per], lambda d: all(p.max_lr / d == p.initial_lr for p in per), "div_factor"
    )
    ends = [p.final_div_factor if p.end_lr is None else p.initial_lr / p.end_lr if p.end_lr else math.inf for p in per]
    final_div = _first_fitting(ends, lambda f: all(p.initial_lr / f == p.min_lr for p in per), "final_div_factor")
    if div is None or final_div is None:
        raise Inexpressible(
            f"OneCycle(end_lr={s.end_lr!r}): torch's OneCycleLR ends at max_lr / div_factor / final_div_factor, and "
            "no one div_factor/final_div_factor gives every group's start and end lr exactly"
        )
    return TABLE.call(
        "OneCycleLR",
        OPTIMIZER,
        max_lr=_per_group_value([p.max_lr for p in per]),
        total_steps=s.total_steps,
        pct_start=float(s.pct_start),
        anneal_strategy=s.anneal_strategy,
        cycle_momentum=s.cycle_momentum,
        **_momentum_bounds(per),
        div_factor=div,
        final_div_factor=final_div,
        three_phase=s.three_phase,
    )


def _cyclic_from(per: Sequence[Cyclic], planning: _Planning) -> NativeCall:
    shared = ("step_size_up", "step_size_down", "mode", "gamma", "scale_fn", "scale_mode", "cycle_momentum")
    _shared(per, shared, "CyclicLR")
    s = per[0]
    if any(p.invert for p in per):
        raise Inexpressible("Cyclic(invert=True): torch's CyclicLR cycles the lr up from base_lr, not down from max_lr")
    scale: dict[str, Any] = {}
    if s.scale_fn is not None:
        scale = {"scale_fn": s.scale_fn, "scale_mode": s.scale_mode}
    return TABLE.call(
        "CyclicLR",
        OPTIMIZER,
        base_lr=_per_group_value([p.base_lr for p in per]),
        max_lr=_per_group_value([p.max_lr for p in per]),
        step_size_up=s.step_size_up,
        step_size_down=s.step_size_down,
        mode=s.mode,
        gamma=s.gamma,
        **scale,
        cycle_momentum=s.cycle_momentum,
        **_momentum_bounds(per),
    )


def _segments(schedule: Any, start: int, end: int | None) -> list[tuple[Any, int]]:
    """``schedule`` running from step ``start`` (until ``end``) as consecutive ``(phase, first step)``: nested
    sequences and linear warmups inlined (each phase restarts at its first step, as in torch's SequentialLR)."""
    if isinstance(schedule, WithBaseLR) and isinstance(schedule.schedule, (SequenceSchedule, Warmup)):
        pin = schedule.base_lr
        return [(_pinned(phase, pin), first) for phase, first in _segments(schedule.schedule, start, end)]
    if isinstance(schedule, SequenceSchedule):
        bounds = [start + m if end is None else min(start + m, end) for m in schedule.milestones]
        firsts, lasts = [start, *bounds], [*bounds, end]
        return [seg for s, a, b in zip(schedule.schedules, firsts, lasts) for seg in _segments(s, a, b)]
    if isinstance(schedule, Warmup):
        if schedule.shape != "linear" or schedule.mode != "prefix":
            raise Inexpressible(
                f"Warmup(shape={schedule.shape!r}, mode={schedule.mode!r}): torch's only warmup is a LinearLR phase "
                "of a SequentialLR, a linear ramp before the schedule (shape='linear', mode='prefix')"
            )
        handover = start + schedule.warmup_steps if end is None else min(start + schedule.warmup_steps, end)
        return [(_Ramp(schedule), start), *_segments(schedule.schedule, handover, end)]
    return [(schedule, start)]


def _pinned(phase: Any, base_lr: float) -> Any:
    if isinstance(phase, _Ramp):
        return _Ramp(phase.warmup, base_lr if phase.base_lr is None else phase.base_lr)
    return WithBaseLR(phase, base_lr) if phase.uses_base_lr else phase


def _runs_from_group_lr(call: NativeCall) -> bool:
    """Whether a native's first values come from the group lr (a recursion, or a chain of them)."""
    return call.name == "ChainedScheduler" or TABLE.row(call.name).form == "recursive"


def _phase(phase: Sequence[Any], index: int, planning: _Planning, base: Sequence[float] | None = None) -> NativeCall:
    call = _plan(phase, planning, base)
    if call.name == "ChainedScheduler":
        if index > 0:
            raise Inexpressible(
                f"Sequence phase {index} is a Chain: torch's SequentialLR restarts a later phase from its closed form, "
                "and a ChainedScheduler has none (NotImplementedError at its milestone)"
            )
        twice = sorted({c.name for c in call.calls()} & _REAPPLY_AT_ZERO)
        if twice:
            raise Inexpressible(
                f"Sequence phase 0 is a Chain with {', '.join(twice)}: as the first phase of torch's SequentialLR a "
                "ChainedScheduler applies the first step of these members twice (the SequentialLR constructor "
                "re-runs their step)"
            )
    if index > 0 and call.name == "MultiplicativeLR":
        raise Inexpressible(
            f"Sequence phase {index} is a Multiplicative: at its milestone torch's SequentialLR multiplies the "
            "previous phase's lr by lr_lambda(0) instead of restarting from the base lr"
        )
    return call


def _sequential_from(per: Sequence[SequenceSchedule | Warmup], planning: _Planning) -> NativeCall:
    segments = [_segments(p, 0, None) for p in per]
    firsts = {tuple(first for _, first in s) for s in segments}
    if len(firsts) > 1:
        raise Inexpressible(
            "PerGroup of sequences: torch's SequentialLR switches every param group at the same milestones, and the "
            "groups' sequences switch at different steps"
        )
    starts = next(iter(firsts))
    phases = [tuple(s[k][0] for s in segments) for k in range(len(starts))]
    if len(phases) == 1:
        return _phase(phases[0], 0, planning)
    initial = planning.bases_now
    first: NativeCall | None = None
    try:
        first = _phase(phases[0], 0, planning)
    except Inexpressible as exc:  # perhaps pinned to the base a later OneCycleLR/CyclicLR phase leaves
        refusal = exc
        planning.base_set = True  # built first all the same: it sets the groups' initial_lr
    calls = [_phase(phase, k, planning) for k, phase in enumerate(phases) if k > 0]
    if planning.bases_now != initial and (first is None or _runs_from_group_lr(first)):
        # SequentialLR sets the groups' lr to their initial_lr once every phase is built: a recursive first phase
        # starts from the initial_lr that an OneCycleLR/CyclicLR phase left
        replanned = _phase(phases[0], 0, planning, planning.bases_now)
        if first is not None or _runs_from_group_lr(replanned):
            first = replanned
    if first is None:
        raise refusal
    calls.insert(0, first)
    later = [c.rtol if TABLE.row(c.name).form == "closed" else RECURSIVE_RTOL for c in calls[1:]]
    return TABLE.call(
        "SequentialLR", OPTIMIZER, schedulers=calls, milestones=list(starts[1:]), rtol=max([calls[0].rtol, *later])
    )


def _ramp_factor(value: float, base: float | None, what: str) -> float:
    if base is None or base == 0:
        raise Inexpressible(
            f"Warmup {what} {value!r} is absolute, and torch's LinearLR scales the optimizer's lr "
            f"({'not known here: give it' if base is None else 'which is 0'})"
        )
    factor = value / base
    try:
        return nearby(factor, lambda f: base * f == value, f"LinearLR {what}_factor", "torch")
    except ValueError:
        return factor


def _ramp_factors(ramp: _Ramp, group_base: float | None, base: float | None) -> tuple[float, float]:
    """``(start_factor, end_factor)`` of the LinearLR that ramps ``base`` (the lr it scales) as the warmup ramps
    its own base (the pin, or the group's lr)."""
    own = ramp.base_lr if ramp.base_lr is not None else group_base
    if own is not None and base is not None:
        start, end = ramp.warmup._ends(own)
        return _ramp_factor(start, base, "start"), _ramp_factor(end, base, "end")
    if own is None and base is None:  # the optimizer's lr, not known: the factors must not depend on it
        (start, end), (start2, end2) = ramp.warmup._ends(1.0), ramp.warmup._ends(2.0)
        if (start2, end2) == (2 * start, 2 * end):
            return start, end
    raise Inexpressible(
        "Warmup with an absolute start_lr/end_lr: torch's LinearLR takes factors of the optimizer's lr, not known "
        "here: give the optimizer's lr (to_native_code's learning_rate, lrparity export's --base-lr)"
    )


def _ramp_call(per: Sequence[_Ramp], planning: _Planning, base: Sequence[float | None]) -> NativeCall:
    factors = {_ramp_factors(r, planning.group_bases[i], base[i]) for i, r in enumerate(per)}
    if len(factors) > 1:
        raise Inexpressible(
            "PerGroup of warmups: torch's LinearLR ramps every param group by the same factors, and the groups' "
            "warmups start or end at different fractions of their lr"
        )
    ((start, end),) = factors
    if start <= 0:
        raise Inexpressible(
            "Warmup starting at 0: torch's LinearLR cannot start at 0 (start_factor must be > 0); start the warmup "
            "above 0 (start_factor or start_lr)"
        )
    if start > 1 or not 0 <= end <= 1:
        raise Inexpressible(
            f"Warmup from {start!r} to {end!r} times the lr: torch's LinearLR ramps between 0 and the base lr "
            "(0 < start_factor <= 1, 0 <= end_factor <= 1)"
        )
    steps = per[0].warmup.warmup_steps
    return TABLE.call("LinearLR", OPTIMIZER, start_factor=start, end_factor=end, total_iters=steps)


def _chained_from(per: Sequence[Chain], planning: _Planning) -> NativeCall:
    members = [p.schedules for p in per]
    if len({len(m) for m in members}) > 1:
        raise Inexpressible("PerGroup of chains: torch's ChainedScheduler has one list of members for every group")
    factors = [tuple(m[k] for m in members) for k in range(len(members[0]))]
    if len(factors) == 1:
        return _plan(factors[0], planning)
    calls = []
    for k, factor in enumerate(factors):
        if k > 0 and any(isinstance(f, WithBaseLR) or not f.uses_base_lr for f in factor):
            raise Inexpressible(
                f"Chain member {k} is absolute ({type(factor[0]).__name__}): after the first member a Chain multiplies "
                "by a factor (the member at base 1), and torch's ChainedScheduler by each member's per-step ratio"
            )
        call = _plan(factor, planning)
        if call.name != "ChainedScheduler" and TABLE.row(call.name).form != "recursive":
            raise Inexpressible(
                f"Chain member {k} is a {call.describe()}: torch's ChainedScheduler multiplies only recursive "
                "members; a closed-form member (LambdaLR, CosineAnnealingWarmRestarts, OneCycleLR, CyclicLR) or a "
                "SequentialLR rewrites the lr and erases the others' factors (pytorch#129565)"
            )
        if call.name == "CosineAnnealingLR" and dict(call.kwargs)["eta_min"] != 0:
            raise Inexpressible(
                f"Chain member {k} is a Cosine with eta_min={dict(call.kwargs)['eta_min']!r}: torch's "
                "CosineAnnealingLR recursion is affine (lr -> r*(lr - eta_min) + eta_min), not a factor"
            )
        calls.append(call)
    note = ""
    cosines = [dict(c.kwargs)["T_max"] for c in calls if c.name == "CosineAnnealingLR"]
    if cosines:
        note = (
            "torch's CosineAnnealingLR restarts its recursion from the base lr one step after its trough (step "
            f"{math.floor(min(cosines)) + 1}), dropping the other members' factors from then on: the natives equal "
            "the Chain only before that step"
        )
    return TABLE.call("ChainedScheduler", schedulers=calls, rtol=RECURSIVE_RTOL, note=note)


def _plateau_from(plateau: Plateau, planning: _Planning) -> NativeCall:
    if plateau.warmup is not None:
        raise Inexpressible(
            f"Plateau(warmup_steps={plateau.warmup_steps}, warmup={plateau.warmup!r}): torch's ReduceLROnPlateau has "
            "no warmup phase; lrparity.torch_scheduler(plateau, optimizer) runs the warmup and the plateau"
        )
    if plateau.semantics != "torch":
        raise Inexpressible(
            "Plateau(semantics='paddle'): torch's ReduceLROnPlateau keeps updating best during cooldown and compares "
            "best*(1-threshold) (semantics='torch'); lrparity.torch_scheduler(plateau, optimizer) runs paddle's "
            "semantics in torch"
        )
    if plateau.start_lr is not None and any(lr != plateau.start_lr for lr in planning.lrs):
        raise Inexpressible(
            f"Plateau(start_lr={plateau.start_lr!r}): torch's ReduceLROnPlateau starts from the param groups' lr "
            f"({list(planning.lrs)}): build the optimizer with lr={plateau.start_lr!r}"
        )
    min_lr: Any = plateau.min_lr
    if isinstance(min_lr, tuple):
        if len(min_lr) != planning.n:
            raise Inexpressible(
                f"Plateau(min_lr={list(min_lr)!r}) has {len(min_lr)} values for {planning.n} param group(s)"
            )
        min_lr = list(min_lr)
    return TABLE.call(
        "ReduceLROnPlateau",
        OPTIMIZER,
        **plateau_arguments(plateau),
        min_lr=min_lr,
        eps=plateau.eps,
    )


TABLE = NativeTable(
    "torch",
    MODULE,
    [
        row("LambdaLR", "closed", _relative_row(lambda s, r: [Lambda(f) for f in _lambdas(s)]), _lambda_from, Lambda),
        row(
            "MultiplicativeLR",
            "recursive",
            _relative_row(lambda s, r: [Multiplicative(f) for f in _lambdas(s)]),
            _multiplicative_from,
            Multiplicative,
        ),
        row("StepLR", "recursive", _relative_row(lambda s, r: Step(s.step_size, s.gamma)), _step_from, Step),
        row(
            "MultiStepLR",
            "recursive",
            _relative_row(lambda s, r: MultiStep(sorted(Counter(s.milestones).elements()), s.gamma)),
            _multistep_from,
            MultiStep,
        ),
        # total_iters=0: torch multiplies by factor at step 0 and never restores (measured), so: factor forever
        row(
            "ConstantLR",
            "recursive",
            _relative_row(lambda s, r: Constant(s.factor, s.total_iters if s.total_iters != 0 else None)),
            _constant_from,
            Constant,
        ),
        row("LinearLR", "recursive", _relative_row(_linear_of), _linear_from, Linear),
        row("ExponentialLR", "recursive", _relative_row(_exponential_of), _exponential_from, Exponential),
        row(
            "PolynomialLR",
            "recursive",
            _relative_row(lambda s, r: Polynomial(s.total_iters, s.power) if s.total_iters != 0 else Constant()),
            _polynomial_from,
            Polynomial,
        ),
        row(
            "CosineAnnealingLR",
            "recursive",
            _relative_row(lambda s, r: Cosine(s.T_max, s.eta_min, form="recursive" if r.replay else "closed")),
            _cosine_from,
            Cosine,
        ),
        row("CosineAnnealingWarmRestarts", "closed", _relative_row(_restarts_of), _restarts_from, CosineRestarts),
        row(
            "OneCycleLR",
            "closed",
            lambda s, reading, *_: _collapse([_one_cycle_of_group(s, g) for g in reading.groups]),
            _one_cycle_from,
            OneCycle,
        ),
        row("CyclicLR", "closed", lambda s, reading, *_: _cyclic_of(s, reading), _cyclic_from, Cyclic),
        row("SequentialLR", "composite", _sequential, _sequential_from, SequenceSchedule, Warmup),
        row("ChainedScheduler", "composite", _chained, _chained_from, Chain),
        row("ReduceLROnPlateau", "stateful", _plateau_of, _plateau_from, Plateau),
    ],
)
"""torch 2.13's 15 schedulers."""


# ------------------------------------------------------------------------------------------------------------
# the public inverse of from_native
# ------------------------------------------------------------------------------------------------------------
def _groups_of(optimizer: Any) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """``(bases, lrs)`` of an optimizer's param groups (a base: ``initial_lr``, else ``lr``)."""
    bases, lrs = [], []
    for group in optimizer.param_groups:
        lr = _number(group["lr"])
        base = _number(group["initial_lr"]) if "initial_lr" in group else lr
        bases.append(base)
        lrs.append(lr)
    return tuple(bases), tuple(lrs)


def plan(
    schedule: Schedule | Plateau, bases: Sequence[float | None], lrs: Sequence[float | None] | None = None
) -> NativeCall:
    """The torch natives computing ``schedule`` on an optimizer whose param groups have these bases, as data.

    Args:
        schedule: a core schedule, or a ``Plateau``.
        bases: each param group's base lr (its ``initial_lr``, else its ``lr``); None for a group whose lr is not
            known (printing code for any optimizer): then a ``WithBaseLR`` or an absolute warmup end is refused.
        lrs: each group's current lr (default: ``bases``), where a ``Plateau`` starts.

    Raises:
        Inexpressible: no composition of torch's natives computes ``schedule``, naming the part and why.
        ValueError: a ``PerGroup`` of the wrong length.
    """
    planning = _Planning(tuple(bases), tuple(bases if lrs is None else lrs))
    if isinstance(schedule, Plateau):
        return TABLE.plan(schedule, planning)
    if isinstance(schedule, PerGroup) and len(schedule.schedules) != planning.n:
        raise ValueError(
            f"to_native: the PerGroup has {len(schedule.schedules)} schedules and the optimizer {planning.n} param "
            "groups: give one schedule per group"
        )
    return _plan([schedule.for_group(i) for i in range(planning.n)], planning)


def to_native(schedule: Schedule | Plateau, optimizer: Any) -> Any:
    """torch's own schedulers on ``optimizer`` that compute ``schedule`` (see :func:`lrparity.to_native`)."""
    import torch

    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(f"to_native: optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}")
    for i, group in enumerate(optimizer.param_groups):
        if "initial_lr" in group and _number(group["initial_lr"]) != _number(group["lr"]):
            raise ValueError(
                f"to_native: param_groups[{i}] holds initial_lr={_number(group['initial_lr'])!r} (left by an earlier "
                f"scheduler) and lr={_number(group['lr'])!r}: torch's recursive natives would start from one and its "
                "closed forms from the other. Build the natives on a fresh optimizer"
            )
    bases, lrs = _groups_of(optimizer)
    call = plan(schedule, bases, lrs)
    call.warn_notes(stacklevel=4)
    return call.build(optimizer)


def _group_count(schedule: Any) -> int | None:
    """The number of param groups a schedule holding a ``PerGroup`` is for (None: any)."""
    if isinstance(schedule, PerGroup):
        return len(schedule.schedules)
    for field in dataclasses.fields(schedule):
        value = getattr(schedule, field.name)
        for part in value if isinstance(value, tuple) else (value,):
            if isinstance(part, Schedule):
                count = _group_count(part)
                if count is not None:
                    return count
    return None


def code(schedule: Schedule | Plateau, learning_rate: float | Sequence[float] | None = None) -> str:
    """The Python source of ``build_scheduler(optimizer)``, building :func:`plan`'s natives (see
    :func:`lrparity.to_native_code`).

    Args:
        schedule: a core schedule, or a ``Plateau``.
        learning_rate: the lr of the optimizer the code is for (one, or one per param group); None: any lr.
    """
    if isinstance(schedule, Plateau):
        groups = len(schedule.min_lr) if isinstance(schedule.min_lr, tuple) else 1
    else:
        groups = _group_count(schedule) or 1
    if isinstance(learning_rate, Sequence):
        bases: list[float | None] = [float(lr) for lr in learning_rate]
        if len(bases) != groups and groups != 1:
            raise ValueError(f"to_native_code: {len(bases)} learning rates for a PerGroup of {groups} schedules")
    elif learning_rate is not None:
        bases = [float(learning_rate)] * groups
    elif isinstance(schedule, Plateau):
        bases = [None] * groups
    else:  # a group whose schedule pins its base needs an optimizer lr equal to the pin
        pins = [schedule.for_group(i) for i in range(groups)]
        bases = [p.base_lr if isinstance(p, WithBaseLR) else None for p in pins]
    call = plan(schedule, bases)
    summary = f"torch's schedulers computing the lrparity schedule {brief(schedule)}"
    if any(b is not None for b in bases):
        lrs = bases[0] if len(set(bases)) == 1 else bases
        summary += f", on an optimizer whose param groups have lr={lrs!r}"
    summary += ": bit-identical." if call.rtol == 0 else ": within 1e-12 relative (torch's recursive schedulers)."
    if call.notes():
        summary += " Note: " + " ".join(call.notes()) + "."
    return python_source(call, framework_module=MODULE, summary=summary, takes_optimizer=True)
