"""paddle's built-in schedulers as core schedules: what :func:`lrparity.from_native` does for paddle.

All 17 classes of paddle 3.3.1, ``LinearWarmup`` around a float or another scheduler included. Relative natives
come back pinned to their ``learning_rate`` (:class:`~lrparity.WithBaseLR`); arguments paddle keeps only in
derived form (OneCycleLR's factors, CyclicLR's step sizes) are recovered so that the core recomputes paddle's
numbers bit for bit. Only hyperparameters are read: the schedule runs from step 0 whatever ``last_epoch`` is.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from paddle.optimizer import lr as _native

from lrparity.backends._recover import nearby, plateau_of
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
    Piecewise,
    Plateau,
    Polynomial,
    Schedule,
    Step,
    Warmup,
    WithBaseLR,
)

__all__ = ["convert"]


def _pinned(schedule: Schedule, native: Any) -> WithBaseLR:
    return WithBaseLR(schedule, native.base_lr)


def _nearby(value: float, fits: Callable[[float], bool], what: str) -> float:
    return nearby(value, fits, what, "paddle", positive=True)


def _piecewise(s: Any) -> Piecewise:
    # paddle returns values[i] for the first i with t < boundaries[i], else values[-1]: boundaries that are not
    # above every earlier one never match, and values between len(boundaries) and the last are never used.
    bounds: list[int] = []
    lrs: list[Any] = []
    top = 0
    for b, v in zip(s.boundaries, s.values):
        b = math.ceil(b)
        if b > top:
            bounds.append(b)
            lrs.append(v)
            top = b
    if not bounds:  # every boundary <= 0: the last value from step 0
        return Piecewise(boundaries=[0], lrs=[s.values[-1], s.values[-1]])
    return Piecewise(boundaries=bounds, lrs=[*lrs, s.values[-1]])


def _linear_warmup(s: Any) -> Warmup:
    inner = s.learning_rate
    if isinstance(inner, _native.ReduceOnPlateau):
        raise ValueError(
            "from_native: LinearWarmup around ReduceOnPlateau calls the plateau's step() with the epoch as its "
            "metric; that has no schedule equivalent"
        )
    import lrparity  # the inner scheduler may be a native or an lrparity one

    core = lrparity.from_native(inner) if isinstance(inner, _native.LRScheduler) else WithBaseLR(Constant(), inner)
    if isinstance(inner, _native.CosineAnnealingDecay):  # LinearWarmup steps it with step(epoch): closed form
        core = core.replace(schedule=core.schedule.replace(form="closed"))
    return Warmup(core, s.warmup_steps, start_lr=s.start_lr, end_lr=s.end_lr)


def _one_cycle(s: Any) -> OneCycle:
    levels, ends, n = s._lr_config, s._step_config, s.total_steps
    three = len(levels) == 4
    initial, peak = levels[0], levels[1]
    if peak == 0:
        div = 25.0
    else:
        div = _nearby(peak / initial, lambda d: peak / float(d) == initial, "divide_factor")

    def pct_fits(p: float) -> bool:
        return p * n - 1 == ends[1] and (not three or 2 * p * n - 2 == ends[2])

    pct = _nearby((ends[1] + 1) / n, pct_fits, "phase_pct") if ends[1] != -1 else 0.0
    strategy = "cos" if s.anneal_func.__func__ is _native.OneCycleLR._cos_annealing else "linear"
    return OneCycle(
        max_lr=peak,
        total_steps=n,
        pct_start=pct,
        anneal_strategy=strategy,
        div_factor=div,
        end_lr=levels[-1],
        three_phase=three,
    )


def _cyclic(s: Any) -> Cyclic:
    total, ratio = s.cycle_size, s.step_up_pct
    up = round(ratio * total)
    down = round(total - up)
    if float(up) + float(down) != total or float(up) / total != ratio:
        raise ValueError(f"from_native: cannot recover CyclicLR's step sizes from cycle_size={total}, up={ratio}")
    builtin = {"_triangular_scale_fn", "_exp_range_scale_fn", "_triangular2_scale_fn"}
    fn = s.scale_fn
    custom = not (getattr(fn, "__self__", None) is s and getattr(fn, "__name__", "") in builtin)
    return Cyclic(
        base_lr=s.base_lr,
        max_lr=s.max_lr,
        step_size_up=up,
        step_size_down=None if down == up else down,
        mode=s.mode,
        gamma=s.gamma,
        scale_fn=fn if custom else None,
        scale_mode=s.scale_mode if custom else "cycle",
    )


def _plateau(s: Any) -> Plateau:
    # the learning_rate it was built with (base_lr; last_lr is where it is now): the schedule starts there
    return plateau_of(s, min_lr=s.min_lr, eps=s.epsilon, semantics="paddle", start_lr=s.base_lr)


_CONVERTERS: dict[type, Callable[[Any], Any]] = {
    _native.NoamDecay: lambda s: _pinned(Noam(s.d_model, s.warmup_steps), s),
    _native.PiecewiseDecay: _piecewise,
    _native.NaturalExpDecay: lambda s: _pinned(NaturalExp(s.gamma), s),
    _native.InverseTimeDecay: lambda s: _pinned(InverseTime(s.gamma), s),
    _native.PolynomialDecay: lambda s: _pinned(Polynomial(s.decay_steps, s.power, s.end_lr, bool(s.cycle)), s),
    _native.LinearWarmup: _linear_warmup,
    _native.ExponentialDecay: lambda s: _pinned(Exponential(s.gamma), s),
    _native.MultiStepDecay: lambda s: _pinned(MultiStep(s.milestones, s.gamma), s),
    _native.StepDecay: lambda s: _pinned(Step(s.step_size, s.gamma), s),
    _native.LambdaDecay: lambda s: _pinned(Lambda(s.lr_lambda), s),
    _native.ReduceOnPlateau: _plateau,
    # standalone, both run paddle's recursion; replayed exactly (a LinearWarmup inner cosine is closed form)
    _native.CosineAnnealingDecay: lambda s: _pinned(Cosine(s.T_max, s.eta_min, form="recursive"), s),
    _native.MultiplicativeDecay: lambda s: _pinned(Multiplicative(s.lr_lambda), s),
    _native.OneCycleLR: _one_cycle,
    _native.CyclicLR: _cyclic,
    _native.LinearLR: lambda s: _pinned(Linear(s.start_factor, s.end_factor, s.total_steps, form="recursive"), s),
    _native.CosineAnnealingWarmRestarts: lambda s: _pinned(CosineRestarts(s.T_0, s.T_mult, s.eta_min), s),
}


def convert(scheduler: Any) -> Schedule | Plateau:
    """The core schedule equal to one of paddle's 17 built-in schedulers (see :func:`lrparity.from_native`)."""
    kind = type(scheduler)
    converter = _CONVERTERS.get(kind)
    if converter is None:
        name = f"{kind.__module__}.{kind.__qualname__}"
        base = next((c for c in kind.__mro__ if c in _CONVERTERS), None)
        if base is not None:
            raise TypeError(
                f"from_native: {name} is a subclass of paddle's {base.__name__}, and a subclass may override "
                f"get_lr(); convert its base class explicitly: build a {base.__module__}.{base.__qualname__} with "
                "the same arguments and pass that to from_native"
            )
        raise TypeError(
            f"from_native: {name} is not one of paddle's built-in schedulers "
            f"({', '.join(sorted(c.__name__ for c in _CONVERTERS))}), so its values cannot be read from its arguments"
        )
    return converter(scheduler)
