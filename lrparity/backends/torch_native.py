"""torch's built-in schedulers as core schedules: what :func:`lrparity.from_native` does for torch.

Every one of torch 2.13's 15 schedulers, nested ``SequentialLR`` / ``ChainedScheduler`` included, at any step.
Arguments torch keeps only in derived form (OneCycleLR's factors, CyclicLR's step sizes) are recovered so that the
core recomputes torch's numbers bit for bit. Known torch defects are reported with :class:`NativeMismatchWarning`.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import warnings
from collections import Counter
from collections.abc import Callable
from typing import Any

import torch
from torch.optim import lr_scheduler as _native

from lrparity.backends._recover import nearby, plateau_of
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
    Sequence,
    Step,
    WithBaseLR,
)

__all__ = ["NativeMismatchWarning", "convert", "native_step"]


class NativeMismatchWarning(UserWarning):
    """:func:`from_native` returns what the native scheduler was configured to do, and the native itself does
    something else (a known torch defect, documented in the torch backend page)."""


_RECURSIVE = (
    _native.StepLR,
    _native.MultiStepLR,
    _native.ConstantLR,
    _native.LinearLR,
    _native.ExponentialLR,
    _native.PolynomialLR,
    _native.CosineAnnealingLR,
    _native.MultiplicativeLR,
)
_CLOSED = (_native.LambdaLR, _native.CosineAnnealingWarmRestarts, _native.OneCycleLR, _native.CyclicLR)
_CONTAINERS = (_native.SequentialLR, _native.ChainedScheduler)
_SUPPORTED = (*_RECURSIVE, *_CLOSED, *_CONTAINERS, _native.ReduceLROnPlateau)
# recursive members whose get_lr() at last_epoch 0 outside the initial step multiplies again (see _sequential)
_REAPPLY_AT_ZERO = (_native.ExponentialLR, _native.CosineAnnealingLR, _native.PolynomialLR, _native.MultiplicativeLR)


@dataclasses.dataclass
class _Ctx:
    groups: list[dict[str, Any]]
    pin_all: bool
    replay: bool = True

    @property
    def n(self) -> int:
        return len(self.groups)

    @property
    def group_bases(self) -> list[float]:
        return [float(g["initial_lr"]) if "initial_lr" in g else math.nan for g in self.groups]


def _warn(message: str) -> None:
    warnings.warn(message, NativeMismatchWarning, stacklevel=4)


def _name(kind: type) -> str:
    return f"{kind.__module__}.{kind.__qualname__}"


def _lrparity_scheduler(s: Any) -> bool:
    """Whether ``s`` is the torch backend's own :class:`~lrparity.backends.torch.Scheduler` (a container member)."""
    from lrparity.backends.torch import Scheduler  # the backend imports this module: import at call time

    return isinstance(s, Scheduler)


def _check_type(s: Any) -> None:
    """Refuse what is not exactly one of torch's built-in schedulers, or an lrparity scheduler inside one."""
    kind = type(s)
    if kind in _SUPPORTED or _lrparity_scheduler(s):
        return
    base = next((c for c in kind.__mro__ if c in _SUPPORTED), None)
    if base is not None:
        raise TypeError(
            f"from_native: {_name(kind)} is a subclass of torch's {base.__name__}, and a subclass may override "
            f"get_lr(); convert its base class explicitly: build a {_name(base)} with the same arguments and pass "
            "that to from_native"
        )
    raise TypeError(
        f"from_native: {_name(kind)} is not one of torch's built-in schedulers "
        f"({', '.join(sorted(c.__name__ for c in _SUPPORTED))}), so its values cannot be read from its arguments"
    )


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


def _nearby(value: float, fits: Callable[[float], bool], what: str) -> float:
    return nearby(value, fits, what, "torch")


def _num(value: Any) -> float:
    return float(value.item()) if isinstance(value, torch.Tensor) else float(value)


def _relative(s: Any, per: list[Schedule], ctx: _Ctx, bases: list[float] | None, pin: bool) -> Schedule:
    """Per-group relative schedules, pinned to the native's bases where a fresh optimizer would not give them."""
    own = [_num(b) for b in s.base_lrs] if bases is None else bases
    if pin and (ctx.pin_all or own != ctx.group_bases):
        per = [WithBaseLR(p, b) for p, b in zip(per, own)]
    return _collapse(per)


def _fns(s: Any) -> list[Callable[[int], float]]:
    return list(s.lr_lambdas)


def _one_cycle_group(s: Any, group: dict[str, Any]) -> OneCycle:
    phases = s._schedule_phases
    n = s.total_steps
    three = len(phases) == 3
    peak, initial, final = _num(group["max_lr"]), _num(group["initial_lr"]), _num(group["min_lr"])
    if initial == 0:
        if peak != 0:
            raise ValueError(f"from_native: OneCycleLR with max_lr={peak!r} and initial lr 0 needs div_factor=inf")
        div = 25.0  # max_lr 0: any factor gives 0
    else:
        div = _nearby(peak / initial, lambda d: peak / float(d) == initial, "div_factor")
    if initial == 0 or final == 0:
        final_div, end_lr = 1e4, (None if initial == 0 and final == 0 else final)
    else:
        try:
            final_div, end_lr = _nearby(initial / final, lambda f: initial / f == final, "final_div_factor"), None
        except ValueError:
            final_div, end_lr = 1e4, final
    end0 = phases[0]["end_step"]

    def pct_fits(p: float) -> bool:
        return float(p * n) - 1 == end0 and (not three or float(2 * p * n) - 2 == phases[1]["end_step"])

    pct = _nearby((end0 + 1) / n, pct_fits, "pct_start")
    momentum: dict[str, Any] = {}
    if s.cycle_momentum:
        momentum = {
            "cycle_momentum": True,
            "base_momentum": _num(group["base_momentum"]),
            "max_momentum": _num(group["max_momentum"]),
        }
    return OneCycle(
        max_lr=peak,
        total_steps=n,
        pct_start=pct,
        anneal_strategy=s._anneal_func_type,
        div_factor=div,
        final_div_factor=final_div,
        three_phase=three,
        end_lr=end_lr,
        **momentum,
    )


def _cyclic_sizes(total: float, ratio: float) -> tuple[float, float | None]:
    """(step_size_up, step_size_down) that reproduce torch's stored ``total_size`` and ``step_ratio`` exactly."""

    def fits(up: float) -> bool:
        down = total - up
        return down > 0 and up > 0 and up + down == total and up / (up + down) == ratio

    guess = ratio * total
    candidates = [float(round(guess)), guess]
    up = next((c for c in candidates if fits(c)), None)
    if up is None:
        up = _nearby(guess, fits, "step_size_up")
    down = total - up
    up_out = int(up) if up.is_integer() else up
    if down == up:
        return up_out, None
    return up_out, int(down) if down.is_integer() else down


def _cyclic(s: Any, ctx: _Ctx) -> Schedule:
    up, down = _cyclic_sizes(float(s.total_size), float(s.step_ratio))
    custom = s._scale_fn_custom
    per = []
    for i in range(ctx.n):
        momentum: dict[str, Any] = {"cycle_momentum": False}
        if s.cycle_momentum:
            momentum = {
                "cycle_momentum": True,
                "base_momentum": _num(s.base_momentums[i]),
                "max_momentum": _num(s.max_momentums[i]),
            }
        per.append(
            Cyclic(
                base_lr=_num(s.base_lrs[i]),
                max_lr=_num(s.max_lrs[i]),
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


def _cawr(s: Any) -> CosineRestarts:
    out = CosineRestarts(T_0=s.T_0, T_mult=s.T_mult, eta_min=s.eta_min)
    if s.last_epoch >= 0:
        _, t_cur, t_i = out.cycle(s.last_epoch)
        if (t_cur, t_i) != (s.T_cur, s.T_i):
            _warn(
                f"from_native: this CosineAnnealingWarmRestarts is at last_epoch={s.last_epoch} but its internal "
                f"T_cur={s.T_cur}, T_i={s.T_i} belong to another step (cycle position {t_cur} of {t_i} is right): "
                "torch derives them wrongly when built with last_epoch>=0 and T_mult>1 (pytorch#88791) or after "
                "step(epoch) with T_mult=3. The returned schedule follows the correct restarts."
            )
    return out


def _member(s: Any, ctx: _Ctx, pin: bool) -> Schedule:
    """An lrparity Scheduler inside a container: its lr schedule, as ``from_native`` gives it at top level, pinned
    to its own bases where they are not the groups' (as a native's)."""
    if set(s._driven) != {"lr"}:
        raise ValueError(
            f"from_native: an lrparity Scheduler inside a torch container drives {sorted(s._driven)}; a container "
            "converts to one lr schedule, and the container moves the other fields only during that member's "
            "phase. Schedule them separately: torch_scheduler({'lr': ..., 'momentum': ...}, optimizer)"
        )
    per = [s.schedule.for_group(i) for i in range(ctx.n)]
    own = [_num(b) for b in s.base_lrs]
    if pin and (ctx.pin_all or own != ctx.group_bases):
        per = [WithBaseLR(p, b) if p.uses_base_lr else p for p, b in zip(per, own)]
    return _collapse(per)


def _single(s: Any, ctx: _Ctx, bases: list[float] | None = None, pin: bool = True) -> Schedule:
    """One native (not a container), or an lrparity member, as a core schedule."""
    n = ctx.n
    kind = type(s)
    if _lrparity_scheduler(s):
        return _member(s, ctx, pin)
    if kind is _native.LambdaLR:
        return _relative(s, [Lambda(f) for f in _fns(s)], ctx, bases, pin)
    if kind is _native.MultiplicativeLR:
        return _relative(s, [Multiplicative(f) for f in _fns(s)], ctx, bases, pin)
    if kind is _native.StepLR:
        core: Schedule = Step(s.step_size, s.gamma)
    elif kind is _native.MultiStepLR:
        core = MultiStep(sorted(Counter(s.milestones).elements()), s.gamma)
    elif kind is _native.ConstantLR:
        # total_iters=0: torch multiplies by factor at step 0 and never restores (measured), so: factor forever
        core = Constant(s.factor, s.total_iters if s.total_iters != 0 else None)
    elif kind is _native.LinearLR:
        if s.total_iters == 0:  # torch multiplies by start_factor at step 0 and then holds
            core = Constant(s.start_factor)
        else:
            core = Linear(s.start_factor, s.end_factor, s.total_iters, form="recursive" if ctx.replay else "closed")
    elif kind is _native.ExponentialLR:
        core = Exponential(s.gamma)
    elif kind is _native.PolynomialLR:
        core = Polynomial(s.total_iters, s.power) if s.total_iters != 0 else Constant()
    elif kind is _native.CosineAnnealingLR:
        core = Cosine(s.T_max, s.eta_min, form="recursive" if ctx.replay else "closed")
    elif kind is _native.CosineAnnealingWarmRestarts:
        core = _cawr(s)
    elif kind is _native.OneCycleLR:
        return _collapse([_one_cycle_group(s, g) for g in ctx.groups])
    elif kind is _native.CyclicLR:
        return _cyclic(s, ctx)
    else:  # pragma: no cover - _check_type ran first
        raise TypeError(type(s).__name__)
    return _relative(s, [core] * n, ctx, bases, pin)


def _momentum_free(s: Any, where: str) -> None:
    for sub in _tree(s):
        if type(sub) in (_native.OneCycleLR, _native.CyclicLR) and sub.cycle_momentum:
            raise ValueError(
                f"from_native: {type(sub).__name__}(cycle_momentum=True) inside a {where} drives the momentum only "
                "during its own phase, which a core Sequence/Chain cannot express; build it with "
                "cycle_momentum=False, or schedule the momentum separately ({'lr': ..., 'momentum': ...})"
            )


def _sequential(s: Any, ctx: _Ctx) -> Schedule:
    _momentum_free(s, "SequentialLR")
    phases: list[Schedule] = []
    milestones = list(s._milestones)
    for i, sub in enumerate(s._schedulers):
        _check_type(sub)
        name = type(sub).__name__
        if isinstance(sub, _native.ReduceLROnPlateau):
            raise ValueError("from_native: SequentialLR cannot hold a ReduceLROnPlateau")
        if i == 0 and type(sub) in _RECURSIVE:
            # the first phase runs its recursion from the group lr SequentialLR set: the group's initial_lr
            phases.append(_single(sub, ctx, bases=ctx.group_bases))
            continue
        if type(sub) is _native.MultiplicativeLR:
            raise ValueError(
                f"from_native: SequentialLR phase {i} is a MultiplicativeLR: at its milestone torch multiplies the "
                "previous phase's lr by lr_lambda(0) instead of restarting from the base lr, which a core Sequence "
                "cannot express. Use a LambdaLR with the running product, or lrparity.Chain"
            )
        if isinstance(sub, _CONTAINERS):
            if i > 0:
                _warn(
                    f"from_native: SequentialLR phase {i} is a {name}; torch raises NotImplementedError when it "
                    f"reaches milestone {milestones[i - 1]} (a {name} has no closed form to restart from). The "
                    "returned schedule restarts it there, as SequentialLR restarts its other phases."
                )
            elif type(sub) is _native.SequentialLR and sub._milestones:
                _warn(
                    "from_native: a SequentialLR nested as the first phase of a SequentialLR switches its own phases "
                    f"one step early in torch (milestones {list(sub._milestones)} act at "
                    f"{[m - 1 for m in sub._milestones]}: the outer constructor steps it once more). The returned "
                    "schedule switches at the milestones as written."
                )
            elif type(sub) is _native.ChainedScheduler and any(type(m) in _REAPPLY_AT_ZERO for m in _tree(sub)):
                _warn(
                    "from_native: a ChainedScheduler nested as the first phase of a SequentialLR applies the first "
                    "step of its ExponentialLR/CosineAnnealingLR/PolynomialLR/MultiplicativeLR members twice in "
                    "torch (the outer constructor re-runs its members' step outside their initial mode). The "
                    "returned schedule applies it once."
                )
            phases.append(_container(sub, ctx))
        else:
            phases.append(_single(sub, ctx))
    return _per_group(phases, lambda p: Sequence(p, milestones), ctx.n)


def _chained(s: Any, ctx: _Ctx, pin: bool = True) -> Schedule:
    members = list(s._schedulers)
    for i, m in enumerate(members):
        _check_type(m)
        if isinstance(m, _native.ReduceLROnPlateau):
            raise ValueError("from_native: ChainedScheduler cannot hold a ReduceLROnPlateau")
        if _lrparity_scheduler(m) and len(members) > 1:
            raise ValueError(
                f"from_native: ChainedScheduler member {i} is an lrparity Scheduler, which writes absolute values at "
                "every step: next to other members it erases their factors, so it refuses to run in this chain and "
                "there is no schedule equal to it. Multiply the schedules with lrparity.Chain instead."
            )
    last = members[-1]
    if len(members) == 1:
        return _convert(last, ctx, pin)
    if type(last) in _CLOSED:
        for m in members[:-1]:
            _momentum_free(m, "ChainedScheduler whose last member overwrites the lr")
        _warn(
            f"from_native: the last member of this ChainedScheduler, {type(last).__name__}, rewrites the lr "
            "from its closed form at every step, so the members before it have no effect in torch "
            "(pytorch#129565). The returned schedule reproduces that: it is the last member alone."
        )
        return _convert(last, ctx, pin)
    for i, m in enumerate(members):
        name = type(m).__name__
        if type(m) in _CLOSED or type(m) is _native.SequentialLR:
            raise ValueError(
                f"from_native: ChainedScheduler member {i} ({name}) sets the lr from its closed form at each step "
                f"(a SequentialLR does at each milestone), which erases the factors of the members before it and "
                "leaves the ones after it applied step by step to the new value (pytorch#129565): there is no "
                "schedule equal to that. Multiply the schedules with lrparity.Chain instead."
            )
        if type(m) is _native.CosineAnnealingLR and m.eta_min != 0:
            raise ValueError(
                f"from_native: ChainedScheduler member {i} is a CosineAnnealingLR with eta_min={m.eta_min!r}: its "
                "recursion is affine (lr -> r*(lr - eta_min) + eta_min), not a factor, so it does not multiply with "
                "the other members and the chain has no closed form. Use lrparity.Chain of the core schedules."
            )
    if any(type(m) is _native.CosineAnnealingLR for m in members) and len(members) > 1:
        t_max = min(m.T_max for m in members if type(m) is _native.CosineAnnealingLR)
        _warn(
            f"from_native: in a ChainedScheduler, torch's CosineAnnealingLR restarts its recursion from the base lr "
            f"one step after its trough (step {math.floor(t_max) + 1}), dropping the other members' factors from "
            "then on; the returned Chain keeps multiplying them."
        )
    converted = [_convert(m, ctx, pin=False) for m in members]
    chain = _per_group(converted, Chain, ctx.n)
    first = members[0]
    while type(first) is _native.ChainedScheduler:
        first = first._schedulers[0]
    if not pin or not chain.uses_base_lr:
        return chain
    own = [_num(b) for b in first.base_lrs]
    if ctx.pin_all or own != ctx.group_bases:
        return _collapse([WithBaseLR(chain.for_group(i), b) for i, b in enumerate(own)])
    return chain


def _container(s: Any, ctx: _Ctx, pin: bool = True) -> Schedule:
    if type(s) is _native.SequentialLR:
        return _sequential(s, ctx)
    return _chained(s, ctx, pin)


def _convert(s: Any, ctx: _Ctx, pin: bool = True) -> Schedule:
    _check_type(s)
    if isinstance(s, _CONTAINERS):
        return _container(s, ctx, pin)
    return _single(s, ctx, pin=pin)


def _plateau(s: Any) -> Plateau:
    min_lr = tuple(float(v) for v in s.min_lrs) if s.default_min_lr is None else s.default_min_lr
    return plateau_of(s, min_lr=min_lr, eps=s.eps, semantics="torch")


def native_step(scheduler: Any) -> int:
    """The step a live native scheduler is at (``last_epoch``; a ChainedScheduler's first member's)."""
    while type(scheduler) is _native.ChainedScheduler:
        scheduler = scheduler._schedulers[0]
    step = scheduler.last_epoch
    if isinstance(step, bool) or not isinstance(step, numbers.Integral):
        raise TypeError(f"native_step: {type(scheduler).__name__}.last_epoch is {step!r}, not an int")
    return int(step)


def convert(scheduler: Any, *, replay: bool = True) -> Schedule | Plateau:
    """The core schedule equal to one of torch's 15 built-in schedulers (see :func:`lrparity.from_native`)."""
    _check_type(scheduler)
    if type(scheduler) is _native.ReduceLROnPlateau:
        return _plateau(scheduler)
    optimizer = scheduler.optimizer
    tree = _tree(scheduler)
    # OneCycleLR rewrites the groups' initial_lr and CyclicLR their lr: relative members next to them run from
    # bases a fresh optimizer would not have, so they are pinned to the native's
    absolute = any(type(t) in (_native.OneCycleLR, _native.CyclicLR) for t in tree)
    return _convert(scheduler, _Ctx(groups=optimizer.param_groups, pin_all=absolute, replay=replay))
