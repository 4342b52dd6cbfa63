"""paddle's built-in schedulers, one row each: both directions between them and the core.

:data:`TABLE` has a row for each of paddle 3.3.1's 17 schedulers (``paddle.optimizer.lr``):

- ``to_core`` reads a live native into the core schedule it computes (:func:`from_native`), ``LinearWarmup``
  around a float or another scheduler included. Relative natives come back pinned to their ``learning_rate``
  (:class:`~lrparity.WithBaseLR`); arguments paddle keeps only in derived form (OneCycleLR's factors, CyclicLR's
  step sizes) are recovered so that the core recomputes paddle's numbers bit for bit. Only hyperparameters are
  read: the schedule runs from step 0 whatever ``last_epoch`` is.
- ``from_core`` plans the native computing a core schedule at a base ``learning_rate`` (:func:`to_native`,
  :func:`plan`): a linear ``Warmup`` becomes ``LinearWarmup`` around the native of what follows it (or around a
  float), ``Constant`` a ``PiecewiseDecay``. paddle has no container: a ``Sequence``, ``Chain`` or ``PerGroup``
  raises :class:`~lrparity.backends.neutral.natives.Inexpressible`, as does a schedule whose native would
  compute something else (naming the part and why).

paddle itself is imported only when a native is built or read: planning (and printing code) needs no paddle.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

from lrparity.backends.neutral.natives import (
    RECURSIVE_RTOL,
    Inexpressible,
    NativeCall,
    NativeTable,
    check_ramp,
    replay_rtol,
    row,
)
from lrparity.backends.neutral.recover import (
    boundary_steps,
    cyclic_step_sizes,
    effective_boundaries,
    one_cycle_arguments,
    plateau_arguments,
    plateau_of,
)
from lrparity.backends.neutral.source import brief, python_source
from lrparity.core import (
    Constant,
    Cosine,
    CosineRestarts,
    Cyclic,
    Exponential,
    InverseTime,
    Lambda,
    Linear,
    Multiplicative,
    MultiStep,
    NaturalExp,
    Noam,
    OneCycle,
    PerGroup,
    Piecewise,
    Plateau,
    Polynomial,
    Schedule,
    Step,
    Warmup,
    WithBaseLR,
)
from lrparity.core.validation import check_number
from lrparity.core.warmup_decay import ConstantWarmup, CosineWarmupDecay, LinearWarmupDecay, PolynomialWarmupDecay

__all__ = [
    "MODULE",
    "TABLE",
    "check_learning_rate",
    "convert",
    "from_native",
    "native_state_hint",
    "plan",
    "plateau_start",
    "to_native",
]

MODULE = "paddle.optimizer.lr"
"""Where paddle's schedulers live."""

_LAST_EXACT_STEP = 2**53
"""Steps up to which paddle's float arithmetic of step counts (CosineAnnealingWarmRestarts.step(epoch)) is exact."""

_REFUSED_BEFORE = 2**31
"""A native that parts from its schedule before this step is refused; one that parts later (2e9 steps: past any
training run) is built, and says from which step (a note, warned by ``to_native``)."""


# ------------------------------------------------------------------------------------------------------------
# reading a live native: to_core
# ------------------------------------------------------------------------------------------------------------
def _pinned(schedule: Schedule, native: Any) -> WithBaseLR:
    return WithBaseLR(schedule, native.base_lr)


def _piecewise_of(s: Any) -> Piecewise:
    # paddle returns values[i] for the first i with t < boundaries[i], else values[-1]: boundaries that are not
    # above every earlier one never match, and values between len(boundaries) and the last are never used.
    steps = boundary_steps(s.boundaries)
    kept = effective_boundaries(steps)
    if not kept:  # every boundary <= 0: the last value from step 0
        return Piecewise(boundaries=[0], lrs=[s.values[-1], s.values[-1]])
    return Piecewise(boundaries=[steps[i] for i in kept], lrs=[*(s.values[i] for i in kept), s.values[-1]])


def _linear_warmup_of(s: Any) -> Warmup:
    inner = s.learning_rate
    if _is_paddle_plateau(inner):
        raise ValueError(
            "from_native: LinearWarmup around ReduceOnPlateau calls the plateau's step() with the epoch as its "
            "metric; that has no schedule equivalent"
        )
    if isinstance(inner, (int, float)):
        core: Schedule = WithBaseLR(Constant(), inner)
    else:  # a native, or an lrparity scheduler
        core = from_native(inner)  # type: ignore[assignment]
        if TABLE.is_native(inner, "CosineAnnealingDecay"):  # LinearWarmup steps it with step(epoch): closed form
            core = core.replace(schedule=core.schedule.replace(form="closed"))  # type: ignore[attr-defined]
    return Warmup(core, s.warmup_steps, start_lr=s.start_lr, end_lr=s.end_lr)


def _is_paddle_plateau(s: Any) -> bool:
    """A ReduceOnPlateau (or a subclass: lrparity's PlateauScheduler); paddle is imported, a native exists."""
    return isinstance(s, TABLE.row("ReduceOnPlateau").native)


def _one_cycle_of(s: Any) -> OneCycle:
    levels, ends = s._lr_config, s._step_config[1:]
    arguments = one_cycle_arguments(levels, ends, s.total_steps, framework="paddle", relative_end=False)
    strategy = "cos" if s.anneal_func.__func__ is type(s)._cos_annealing else "linear"
    return OneCycle(max_lr=levels[1], total_steps=s.total_steps, anneal_strategy=strategy, **arguments)


def _cyclic_of(s: Any) -> Cyclic:
    up, down = cyclic_step_sizes(s.cycle_size, s.step_up_pct, framework="paddle", integers=True)
    builtin = {"_triangular_scale_fn", "_exp_range_scale_fn", "_triangular2_scale_fn"}
    fn = s.scale_fn
    custom = not (getattr(fn, "__self__", None) is s and getattr(fn, "__name__", "") in builtin)
    return Cyclic(
        base_lr=s.base_lr,
        max_lr=s.max_lr,
        step_size_up=up,
        step_size_down=down,
        mode=s.mode,
        gamma=s.gamma,
        scale_fn=fn if custom else None,
        scale_mode=s.scale_mode if custom else "cycle",
    )


def _plateau_of(s: Any) -> Plateau:
    # the learning_rate it was built with (base_lr; last_lr is where it is now): the schedule starts there
    return plateau_of(s, min_lr=s.min_lr, eps=s.epsilon, semantics="paddle", start_lr=s.base_lr)


def convert(scheduler: Any) -> Schedule | Plateau:
    """The core schedule equal to one of paddle's 17 built-in schedulers (see :func:`from_native`)."""
    return TABLE.spec_of(scheduler).to_core(scheduler)  # type: ignore[no-any-return]


def from_native(scheduler: Any) -> Schedule | Plateau:
    """The lrparity schedule equal to a live paddle scheduler (any of paddle 3.3.1's 17 classes).

    Relative natives come back pinned to their ``learning_rate``, ``WithBaseLR(schedule, base_lr)``, so
    ``paddle_scheduler(from_native(s))`` needs no ``learning_rate``; ``OneCycleLR``, ``CyclicLR``,
    ``PiecewiseDecay`` and ``LinearWarmup`` come back absolute; ``ReduceOnPlateau`` gives a
    ``Plateau(semantics="paddle", start_lr=<its learning_rate>)``. So no converted native needs an argument
    besides the optimizer in either backend. A standalone ``CosineAnnealingDecay`` or ``LinearLR`` comes back as
    the core's exact replay of paddle's recursion (``form="recursive"``), so the values are bit-identical at every
    step. Only the hyperparameters are read: the result is the schedule from step 0, whatever the native's
    ``last_epoch``. An lrparity :class:`~lrparity.backends.paddle.Scheduler` gives its own schedule (pinned if
    relative), a :class:`~lrparity.backends.paddle.PlateauScheduler` its plateau with the lr it started from. See
    docs/paddle.md for the table and the native behaviours that the schedule does not copy.

    Raises:
        TypeError: not one of paddle's built-in schedulers (a subclass may override get_lr(): convert its base
            class explicitly), naming the class.
    """
    from lrparity.backends.paddle.plateau import PlateauScheduler
    from lrparity.backends.paddle.scheduler import Scheduler

    if isinstance(scheduler, Scheduler):
        s = scheduler.schedule
        return WithBaseLR(s, scheduler._base) if scheduler._base is not None else s
    if isinstance(scheduler, PlateauScheduler):
        plateau = scheduler.plateau
        return plateau if plateau.start_lr is not None else plateau.replace(start_lr=scheduler.base_lr)
    return convert(scheduler)


# ------------------------------------------------------------------------------------------------------------
# planning the native for a schedule: from_core
# ------------------------------------------------------------------------------------------------------------
def _plan(schedule: Schedule, base: float | None) -> NativeCall:
    """The native computing ``schedule`` with ``base`` as its ``learning_rate`` (None: not given)."""
    if isinstance(schedule, WithBaseLR):
        return _plan(schedule.schedule, schedule.base_lr)
    if isinstance(schedule, PerGroup):
        raise Inexpressible(
            f"PerGroup of {len(schedule.schedules)} schedules: paddle holds one lr per scheduler (scale the param "
            "groups with {'params': ..., 'learning_rate': multiplier})"
        )
    if schedule.uses_base_lr and base is None:
        raise Inexpressible(
            f"{type(schedule).__name__} is relative (it scales a base lr), and paddle's schedulers take their "
            "learning_rate: give learning_rate, or pin it with WithBaseLR"
        )
    return TABLE.plan(schedule, base)


def _below_one(owner: str, name: str, value: float, native: str) -> None:
    if not 0 < value < 1:
        raise Inexpressible(f"{owner}({name}={value!r}): paddle's {native} needs 0 < {name} < 1")


def _noam_from(s: Noam, base: float) -> NativeCall:
    return TABLE.call("NoamDecay", d_model=s.d_model, warmup_steps=s.warmup_steps, learning_rate=base)


def _piecewise_from(s: Schedule, base: float | None) -> NativeCall:
    """``PiecewiseDecay`` of a Piecewise, or of a piecewise-constant schedule with the core's own values."""
    if isinstance(s, Piecewise):
        return TABLE.call("PiecewiseDecay", boundaries=list(s.boundaries), values=list(s.lrs))
    if isinstance(s, Constant):
        bounds = [s.total_steps or 0]
    else:  # a MultiStep paddle's MultiStepDecay refuses (repeated milestones, gamma >= 1)
        bounds = sorted(set(s.milestones))  # type: ignore[attr-defined]
        if not bounds:
            raise Inexpressible("MultiStep without milestones is the base lr: use Constant()")
    values = [s.value(max(bounds[0] - 1, 0), base), *(s.value(b, base) for b in bounds)]
    return TABLE.call("PiecewiseDecay", boundaries=bounds, values=values)


def _natural_exp_from(s: NaturalExp, base: float) -> NativeCall:
    return TABLE.call("NaturalExpDecay", learning_rate=base, gamma=s.gamma)


def _inverse_time_from(s: InverseTime, base: float) -> NativeCall:
    return TABLE.call("InverseTimeDecay", learning_rate=base, gamma=s.gamma)


def _polynomial_from(s: Polynomial, base: float) -> NativeCall:
    if s.power <= 0:
        raise Inexpressible(f"Polynomial(power={s.power!r}): paddle's PolynomialDecay needs power > 0")
    return TABLE.call(
        "PolynomialDecay",
        learning_rate=base,
        decay_steps=s.total_steps,
        end_lr=s.end_lr,
        power=s.power,
        cycle=s.cycle,
    )


def _exponential_from(s: Exponential, base: float) -> NativeCall:
    _below_one("Exponential", "gamma", s.gamma, "ExponentialDecay")
    return TABLE.call("ExponentialDecay", learning_rate=base, gamma=s.gamma)


def _multistep_from(s: MultiStep, base: float) -> NativeCall:
    _below_one("MultiStep", "gamma", s.gamma, "MultiStepDecay")
    if any(b <= a for a, b in zip(s.milestones, s.milestones[1:])):
        raise Inexpressible(
            f"MultiStep(milestones={list(s.milestones)}): paddle's MultiStepDecay needs them strictly increasing"
        )
    return TABLE.call("MultiStepDecay", learning_rate=base, milestones=list(s.milestones), gamma=s.gamma)


def _step_from(s: Step, base: float) -> NativeCall:
    _below_one("Step", "gamma", s.gamma, "StepDecay")
    return TABLE.call("StepDecay", learning_rate=base, step_size=s.step_size, gamma=s.gamma)


def _lambda_from(s: Lambda, base: float) -> NativeCall:
    return TABLE.call("LambdaDecay", learning_rate=base, lr_lambda=s.fn)


def _multiplicative_from(s: Multiplicative, base: float) -> NativeCall:
    return TABLE.call("MultiplicativeDecay", learning_rate=base, lr_lambda=s.fn)


def _cosine_from(s: Cosine, base: float) -> NativeCall:
    if s.after_end != "periodic":
        raise Inexpressible(
            f"Cosine(after_end={s.after_end!r}): paddle's CosineAnnealingDecay keeps going past T_max (periodic)"
        )
    if not float(s.T_max).is_integer():
        raise Inexpressible(f"Cosine(T_max={s.T_max!r}): paddle's CosineAnnealingDecay takes an int T_max")
    return TABLE.call(
        "CosineAnnealingDecay", learning_rate=base, T_max=int(s.T_max), eta_min=s.eta_min, rtol=replay_rtol(s)
    )


def _linear_from(s: Linear, base: float) -> NativeCall:
    check_ramp(s, "paddle's LinearLR")
    return TABLE.call(
        "LinearLR",
        learning_rate=base,
        total_steps=s.total_steps,
        start_factor=s.start_factor,
        end_factor=s.end_factor,
        rtol=replay_rtol(s),
    )


def _restarts_from(s: CosineRestarts, base: float) -> NativeCall:
    for name, plain in {"cycle_decay": 1.0, "cycle_limit": None, "k_decay": 1.0}.items():
        if getattr(s, name) != plain:
            raise Inexpressible(
                f"CosineRestarts({name}={getattr(s, name)!r}): paddle's CosineAnnealingWarmRestarts has no {name} "
                "(timm's extension)"
            )
    return TABLE.call("CosineAnnealingWarmRestarts", learning_rate=base, T_0=s.T_0, T_mult=s.T_mult, eta_min=s.eta_min)


def _no_momentum(s: OneCycle | Cyclic, native: str) -> None:
    if s.cycle_momentum:
        raise Inexpressible(
            f"{type(s).__name__}(cycle_momentum=True): paddle's {native} drives no momentum; build it with "
            "cycle_momentum=False (lrparity's paddle Scheduler.attach_fields drives the momentum companion)"
        )


def _one_cycle_from(s: OneCycle, base: float | None) -> NativeCall:
    _no_momentum(s, "OneCycleLR")
    if s.after_end != "raise":
        raise Inexpressible("OneCycle(after_end='hold'): paddle's OneCycleLR raises past total_steps, it cannot hold")
    if s.three_phase and s.pct_start >= 0.5:
        raise Inexpressible(
            f"OneCycle(three_phase=True, pct_start={s.pct_start!r}): paddle's OneCycleLR needs pct_start < 0.5 "
            "with three phases"
        )
    return TABLE.call(
        "OneCycleLR",
        max_learning_rate=s.max_lr,
        total_steps=s.total_steps,
        divide_factor=s.div_factor,
        end_learning_rate=s.min_lr,
        phase_pct=float(s.pct_start),
        anneal_strategy=s.anneal_strategy,
        three_phase=s.three_phase,
    )


def _cyclic_from(s: Cyclic, base: float | None) -> NativeCall:
    _no_momentum(s, "CyclicLR")
    if s.invert:
        raise Inexpressible("Cyclic(invert=True): paddle's CyclicLR cycles up from base_lr, not down from max_lr")
    sizes = [s.step_size_up] if s.step_size_down is None else [s.step_size_up, s.step_size_down]
    if any(not float(v).is_integer() for v in sizes):
        raise Inexpressible(f"Cyclic(step sizes {sizes}): paddle's CyclicLR takes int step sizes")
    scale: dict[str, Any] = {}
    if s.scale_fn is not None:
        scale = {"scale_fn": s.scale_fn, "scale_mode": s.scale_mode}
    return TABLE.call(
        "CyclicLR",
        base_learning_rate=s.base_lr,
        max_learning_rate=s.max_lr,
        step_size_up=int(s.step_size_up),
        step_size_down=None if s.step_size_down is None else int(s.step_size_down),
        mode=s.mode,
        exp_gamma=float(s.gamma),
        **scale,
    )


def _misplaced_restart(s: CosineRestarts) -> int | None:
    """The first step (after the warmup) that paddle's ``CosineAnnealingWarmRestarts.step(epoch)`` misplaces, up to
    2**53 (None: none): ``LinearWarmup`` steps its inner scheduler that way, and it finds the cycle with a float
    log, which misses some restarts (``T_mult=3``: the one at ``121 * T_0``)."""
    if s.T_mult == 1:
        return None
    m, start, length, cycle = s.T_mult, s.T_0, s.T_0 * s.T_mult, 1  # start: where cycle ``cycle`` starts
    while start < _LAST_EXACT_STEP:
        for epoch, expected in ((start - 1, cycle - 1), (start, cycle)):
            if int(math.log(epoch / s.T_0 * (m - 1) + 1, m)) != expected:
                return epoch
        start, length, cycle = start + length, length * m, cycle + 1
    return None


def _warmup_inner(inner: Schedule, base: float | None) -> tuple[Any, float]:
    """``LinearWarmup``'s ``learning_rate`` for what follows the warmup (a float for a constant lr, else the
    native), and the tolerance it holds."""
    if isinstance(inner, WithBaseLR):
        inner, base = inner.schedule, inner.base_lr
    if isinstance(inner, Constant) and inner.total_steps is None:
        return inner.value(0, base), 0.0
    call = _plan(inner, base)
    misplaced = _misplaced_restart(inner) if isinstance(inner, CosineRestarts) else None
    if misplaced is not None:
        where = (
            f"paddle's LinearWarmup steps its inner CosineAnnealingWarmRestarts(T_0={inner.T_0}, "  # type: ignore[union-attr]
            f"T_mult={inner.T_mult}) with step(epoch), which finds the cycle with a float log and misplaces "  # type: ignore[union-attr]
            f"step {misplaced} after the warmup"
        )
        if misplaced < _REFUSED_BEFORE:
            raise Inexpressible(f"Warmup of CosineRestarts: {where}")
        call = dataclasses.replace(call, note=where)
    if call.name == "CosineAnnealingDecay":  # stepped with step(epoch): paddle's closed form, not its recursion
        return call, 0.0 if inner.form == "closed" else RECURSIVE_RTOL  # type: ignore[union-attr]
    return call, call.rtol


def _linear_warmup_from(s: Warmup | Linear, base: float | None) -> NativeCall:
    if isinstance(s, Linear):  # a ramp that paddle's LinearLR refuses (from 0, or above the base lr): a warmup
        start, end = base * s.start_factor, base * s.end_factor  # type: ignore[operator]
        if not end > start:
            raise Inexpressible(
                f"Linear(start_factor={s.start_factor!r}, end_factor={s.end_factor!r}): paddle's LinearLR needs "
                "factors in (0, 1], and its LinearWarmup a rising ramp"
            )
        return TABLE.call(
            "LinearWarmup",
            learning_rate=end,
            warmup_steps=s.total_steps,
            start_lr=start,
            end_lr=end,
            rtol=RECURSIVE_RTOL,
        )
    if s.shape != "linear" or s.mode != "prefix":
        raise Inexpressible(
            f"Warmup(shape={s.shape!r}, mode={s.mode!r}): paddle's LinearWarmup is a linear ramp before the schedule "
            "(shape='linear', mode='prefix')"
        )
    start, end = s._ends(1.0 if base is None else base)
    if not end > start:
        raise Inexpressible(
            f"Warmup from {start!r} to {end!r}: paddle's LinearWarmup needs end_lr > start_lr (a rising ramp)"
        )
    inner, rtol = _warmup_inner(s.schedule, base)
    return TABLE.call(
        "LinearWarmup", learning_rate=inner, warmup_steps=s.warmup_steps, start_lr=start, end_lr=end, rtol=rtol
    )


# ------------------------------------------------------------------------------------------------------------
# Hugging Face / PaddleNLP warmup-then-decay shapes (lrparity.core.warmup_decay)
# ------------------------------------------------------------------------------------------------------------
def _check_rounding(schedule: str, bound: float, why: str) -> None:
    """Refuse a recipe shape whose native computes the lambda with other float operations that part from it by
    more than :data:`RECURSIVE_RTOL` relative at some step (``bound``, a bound of that relative difference)."""
    if bound > RECURSIVE_RTOL:
        raise Inexpressible(
            f"{schedule}: {why}; they part by up to {bound:.3g} relative (> {RECURSIVE_RTOL:g}) near the decay's "
            "zero, so no paddle native computes this schedule to 1e-12"
        )


def _recipe_warmup(s: Any, base: float, inner: Any, rtol: float) -> NativeCall:
    """``LinearWarmup`` from 0 to ``base`` over ``s.warmup_steps`` around ``inner`` (a native, or a float for a
    constant lr); ``inner`` itself without a warmup."""
    if s.warmup_steps == 0:
        if isinstance(inner, NativeCall):
            return dataclasses.replace(inner, rtol=rtol)
        return TABLE.call("PiecewiseDecay", boundaries=[0], values=[inner, inner])
    if not base > 0:
        raise Inexpressible(
            f"{type(s).__name__} at learning_rate={base!r}: paddle's LinearWarmup from 0 needs learning_rate > 0 "
            "(end_lr > start_lr)"
        )
    return TABLE.call(
        "LinearWarmup", learning_rate=inner, warmup_steps=s.warmup_steps, start_lr=0.0, end_lr=base, rtol=rtol
    )


def _constant_warmup_from(s: ConstantWarmup, base: float) -> NativeCall:
    # lr * t / W for lr * (t / W): a few ulps relative, the ramp has no cancellation
    return _recipe_warmup(s, base, float(base), RECURSIVE_RTOL)


def _linear_warmup_decay_from(s: LinearWarmupDecay, base: float) -> NativeCall:
    span = s.total_steps - s.warmup_steps
    if span < 1:  # 0 from the end of the warmup on
        return _recipe_warmup(s, base, 0.0, RECURSIVE_RTOL)
    # PolynomialDecay computes 1 - fl(k / T) (off by half an ulp of 1 at most), the lambda fl((N - t) / T): at the
    # last step before 0, where both are 1 / T, that is 2**-54 * T relative; a few ulps more from the products
    _check_rounding(
        f"LinearWarmupDecay(warmup_steps={s.warmup_steps}, total_steps={s.total_steps})",
        2.0**-54 * span + 2.0**-50,
        f"paddle's PolynomialDecay computes 1 - k / T where the lambda computes (N - t) / T, T = total_steps - "
        f"warmup_steps = {span} (at most {int((RECURSIVE_RTOL - 2.0**-50) * 2.0**54)} for 1e-12)",
    )
    # PolynomialDecay holds 1 - min(k, T) / T = 0 from step N on, as the lambda's max(0, (N - t) / T)
    decay = TABLE.call("PolynomialDecay", learning_rate=base, decay_steps=span, end_lr=0.0, power=1.0, cycle=False)
    return _recipe_warmup(s, base, decay, RECURSIVE_RTOL)


def _polynomial_warmup_decay_from(s: PolynomialWarmupDecay, base: float) -> NativeCall:
    if not s.power > 0:
        raise Inexpressible(f"PolynomialWarmupDecay(power={s.power!r}): paddle's PolynomialDecay needs power > 0")
    end = base * (s.lr_end / s.lr_init)
    # the same 1 - k / T and power as the lambda, then (b - e) * r + e for b * ((l0 - le) * r + le) / l0: a few ulps
    # (no cancellation: every term >= 0); held at the end lr past N, as the lambda
    decay = TABLE.call(
        "PolynomialDecay",
        learning_rate=base,
        decay_steps=s.total_steps - s.warmup_steps,
        end_lr=end,
        power=float(s.power),
        cycle=False,
    )
    return _recipe_warmup(s, base, decay, RECURSIVE_RTOL)


def _cosine_warmup_decay_from(s: CosineWarmupDecay, base: float) -> NativeCall:
    if s.hard_restarts:
        raise Inexpressible(
            "CosineWarmupDecay(hard_restarts=True): paddle's CosineAnnealingDecay is a periodic wave, not a restart "
            "to the base lr; use hard_restarts=False"
        )
    span = s.total_steps - s.warmup_steps
    t_max = span / (2 * s.num_cycles)
    if span < 1 or not t_max.is_integer():
        raise Inexpressible(
            f"CosineWarmupDecay(num_cycles={s.num_cycles!r}, total_steps={s.total_steps}, warmup_steps="
            f"{s.warmup_steps}): paddle's CosineAnnealingDecay takes an int T_max = (total_steps - warmup_steps) / "
            f"(2 * num_cycles), here {t_max!r}"
        )
    t_max = int(t_max)
    if s.warmup_steps == 0:
        raise Inexpressible(
            "CosineWarmupDecay(warmup_steps=0): without a LinearWarmup around it paddle's CosineAnnealingDecay runs "
            "its recursion, which drifts from the closed form (3.2e-10 relative over 20000 steps of T_max=10000)"
        )
    # eta_min + (b - eta_min) * (1 + cos(pi * k / T)) / 2 is the lambda's b * (f * (1 - r) + r), unclamped past N as
    # the lambda. The angles pi * k / T and pi * 2c * (k / (N - W)) are rounded differently (4 roundings of 2**-53
    # relative between them; the angle is at most 2 pi (2 N - W) / T over 2 N steps), and their cosines may round one
    # ulp apart: up to 2**-52 * (angle + 1) of the wave, relative to its smallest nonzero value: the floor r, or
    # without one the step next to the trough, (1 - cos(pi / T)) / 2
    angle = math.pi * (2 * s.total_steps - s.warmup_steps) / t_max
    smallest = s.min_lr_rate or (1 - math.cos(math.pi / t_max)) / 2
    _check_rounding(
        f"CosineWarmupDecay(warmup_steps={s.warmup_steps}, total_steps={s.total_steps}, num_cycles={s.num_cycles!r}, "
        f"min_lr_rate={s.min_lr_rate!r})",
        2.0**-52 * (angle + 1) / smallest + 2.0**-50,
        f"paddle's CosineAnnealingDecay computes cos(pi * k / T_max), T_max = {t_max}, where the lambda computes "
        "cos(pi * 2 * num_cycles * (k / (N - W))), one ulp apart"
        + ("" if s.min_lr_rate else ", and without min_lr_rate the wave reaches 0"),
    )
    # stepped by LinearWarmup with step(epoch): paddle's closed form
    cosine = TABLE.call(
        "CosineAnnealingDecay", learning_rate=base, T_max=t_max, eta_min=base * s.min_lr_rate, rtol=RECURSIVE_RTOL
    )
    return _recipe_warmup(s, base, cosine, RECURSIVE_RTOL)


_RECIPE_SHAPES: dict[type, Any] = {
    ConstantWarmup: _constant_warmup_from,
    LinearWarmupDecay: _linear_warmup_decay_from,
    PolynomialWarmupDecay: _polynomial_warmup_decay_from,
    CosineWarmupDecay: _cosine_warmup_decay_from,
}
"""The Hugging Face / PaddleNLP shapes paddle's ``LinearWarmup`` (around a native or a float) computes."""


def _warmup_from(s: Any, base: float | None) -> NativeCall:
    """``LinearWarmup`` of a core ``Warmup`` / ``Linear``, or of a recipe's warmup-then-decay shape."""
    recipe = _RECIPE_SHAPES.get(type(s))
    if recipe is not None:
        return recipe(s, base)  # type: ignore[no-any-return]
    return _linear_warmup_from(s, base)


def _plateau_from(plateau: Plateau, base: float | None) -> NativeCall:
    if plateau.warmup is not None:
        raise Inexpressible(
            f"Plateau(warmup_steps={plateau.warmup_steps}, warmup={plateau.warmup!r}): paddle's ReduceOnPlateau has "
            "no warmup phase; lrparity.paddle_scheduler(plateau, ...) runs the warmup and the plateau"
        )
    if plateau.semantics != "paddle":
        raise Inexpressible(
            "Plateau(semantics='torch'): paddle's ReduceOnPlateau ignores the metric during cooldown and compares "
            "best - best*threshold (semantics='paddle'); lrparity.paddle_scheduler(plateau, ...) runs torch's "
            "semantics in paddle"
        )
    min_lr = plateau.min_lr
    if isinstance(min_lr, tuple):
        if len(min_lr) != 1:
            raise Inexpressible(f"Plateau(min_lr={list(min_lr)!r}): paddle's ReduceOnPlateau takes one min_lr")
        (min_lr,) = min_lr
    return TABLE.call(
        "ReduceOnPlateau",
        learning_rate=base,
        **plateau_arguments(plateau),
        min_lr=min_lr,
        epsilon=plateau.eps,
    )


TABLE = NativeTable(
    "paddle",
    MODULE,
    [
        row("NoamDecay", "closed", lambda s: _pinned(Noam(s.d_model, s.warmup_steps), s), _noam_from, Noam),
        row("NaturalExpDecay", "closed", lambda s: _pinned(NaturalExp(s.gamma), s), _natural_exp_from, NaturalExp),
        row("InverseTimeDecay", "closed", lambda s: _pinned(InverseTime(s.gamma), s), _inverse_time_from, InverseTime),
        row(
            "PolynomialDecay",
            "closed",
            lambda s: _pinned(Polynomial(s.decay_steps, s.power, s.end_lr, bool(s.cycle)), s),
            _polynomial_from,
            Polynomial,
        ),
        row("ExponentialDecay", "closed", lambda s: _pinned(Exponential(s.gamma), s), _exponential_from, Exponential),
        row(
            "MultiStepDecay",
            "closed",
            lambda s: _pinned(MultiStep(s.milestones, s.gamma), s),
            _multistep_from,
            MultiStep,
        ),
        row("StepDecay", "closed", lambda s: _pinned(Step(s.step_size, s.gamma), s), _step_from, Step),
        row("PiecewiseDecay", "closed", _piecewise_of, _piecewise_from, Piecewise, Constant, MultiStep),
        row("LambdaDecay", "closed", lambda s: _pinned(Lambda(s.lr_lambda), s), _lambda_from, Lambda),
        row(
            "MultiplicativeDecay",
            "closed",
            lambda s: _pinned(Multiplicative(s.lr_lambda), s),
            _multiplicative_from,
            Multiplicative,
        ),
        # standalone, both run paddle's recursion; replayed exactly (a LinearWarmup inner cosine is closed form)
        row(
            "CosineAnnealingDecay",
            "recursive",
            lambda s: _pinned(Cosine(s.T_max, s.eta_min, form="recursive"), s),
            _cosine_from,
            Cosine,
        ),
        row(
            "LinearLR",
            "recursive",
            lambda s: _pinned(Linear(s.start_factor, s.end_factor, s.total_steps, form="recursive"), s),
            _linear_from,
            Linear,
        ),
        row(
            "CosineAnnealingWarmRestarts",
            "closed",
            lambda s: _pinned(CosineRestarts(s.T_0, s.T_mult, s.eta_min), s),
            _restarts_from,
            CosineRestarts,
        ),
        row("OneCycleLR", "closed", _one_cycle_of, _one_cycle_from, OneCycle),
        row("CyclicLR", "closed", _cyclic_of, _cyclic_from, Cyclic),
        row(
            "LinearWarmup",
            "composite",
            _linear_warmup_of,
            _warmup_from,
            Warmup,
            Linear,
            *_RECIPE_SHAPES,
        ),
        row("ReduceOnPlateau", "stateful", _plateau_of, _plateau_from, Plateau),
    ],
)
"""paddle 3.3.1's 17 schedulers."""


# ------------------------------------------------------------------------------------------------------------
# the public inverse of from_native
# ------------------------------------------------------------------------------------------------------------
def check_learning_rate(owner: str, schedule: Schedule, learning_rate: Any) -> float | None:
    """The base lr paddle's scheduler for ``schedule`` takes: required for a relative schedule, refused for an
    absolute one (it carries its own values); a float >= 0.

    Raises:
        ValueError: ``learning_rate`` missing or superfluous, or not a number >= 0 (``owner`` names the caller).
    """
    name = type(schedule).__name__
    if schedule.uses_base_lr:
        if learning_rate is None:
            raise ValueError(
                f"{owner}: {name} is relative (it scales a base lr), so learning_rate is required: pass "
                f"learning_rate=<base lr, a float >= 0>, or pin the base with WithBaseLR({name}(...), base_lr)"
            )
        return float(check_number(owner, "learning_rate", learning_rate, low=0.0))
    if learning_rate is not None:
        raise ValueError(
            f"{owner}: {name} is absolute (it carries its own lr values), so learning_rate="
            f"{learning_rate!r} would be ignored: leave learning_rate out"
        )
    return None


def plateau_start(owner: str, plateau: Plateau, learning_rate: Any) -> float:
    """The lr a paddle plateau starts from: ``learning_rate``, or the plateau's ``start_lr`` (they must agree).

    Raises:
        ValueError: neither given, both given and different, or not a number >= 0.
    """
    if learning_rate is None:
        if plateau.start_lr is None:
            raise ValueError(
                f"{owner}: a Plateau needs learning_rate, the lr it starts from (a float >= 0), unless it "
                "carries one (Plateau(start_lr=...))"
            )
        return plateau.start_lr
    lr = float(check_number(owner, "learning_rate", learning_rate, low=0.0))
    if plateau.start_lr is not None and lr != plateau.start_lr:
        raise ValueError(
            f"{owner}: this Plateau starts from its own start_lr={plateau.start_lr!r}, so learning_rate="
            f"{learning_rate!r} contradicts it: leave learning_rate out"
        )
    return lr


def native_state_hint(state: Mapping[str, Any]) -> str:
    """The sentence a ``set_state_dict`` error adds when ``state`` looks like a native paddle scheduler's."""
    last_epoch = state.get("last_epoch")
    if not isinstance(last_epoch, int):
        return ""
    return (
        f" It looks like a native paddle scheduler's state (last_epoch={last_epoch}): to continue from it, build "
        f"the lrparity scheduler with last_epoch={last_epoch - 1} instead."
    )


def plan(schedule: Schedule | Plateau, learning_rate: float | None = None) -> NativeCall:
    """The paddle native computing ``schedule``, as data.

    Args:
        schedule: a core schedule, or a ``Plateau``.
        learning_rate: the base lr of a relative schedule (required for one; refused for an absolute one, which
            carries its own values); the starting lr of a Plateau without ``start_lr``.

    Raises:
        Inexpressible: no paddle native computes ``schedule``, naming the part and why.
        ValueError: ``learning_rate`` missing, or given for an absolute schedule.
    """
    if isinstance(schedule, Plateau):
        return TABLE.plan(schedule, plateau_start("to_native", schedule, learning_rate))
    return _plan(schedule, check_learning_rate("to_native", schedule, learning_rate))


def to_native(schedule: Schedule | Plateau, learning_rate: float | None = None) -> Any:
    """paddle's own scheduler computing ``schedule`` (see :func:`lrparity.to_native`)."""
    call = plan(schedule, learning_rate)
    call.warn_notes(stacklevel=4)
    return call.build()


def code(schedule: Schedule | Plateau, learning_rate: float | None = None) -> str:
    """The Python source of ``build_scheduler()``, building :func:`plan`'s native (see
    :func:`lrparity.to_native_code`)."""
    call = plan(schedule, learning_rate)
    summary = f"paddle's scheduler computing the lrparity schedule {brief(schedule)}"
    if learning_rate is not None:
        summary += f" at learning_rate={learning_rate!r}"
    summary += (
        ": bit-identical."
        if call.rtol == 0
        else ": within 1e-12 relative (a recursion against a closed form, or a formula rounded otherwise)."
    )
    if call.notes():
        summary += " Note: " + " ".join(call.notes()) + "."
    return python_source(call, framework_module=MODULE, summary=summary, takes_optimizer=False)
