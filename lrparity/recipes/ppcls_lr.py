"""PaddleClas's learning-rate classes (``ppcls/optimizer/learning_rate.py``) as lrparity core schedules.

:func:`build_lr` takes one ``Optimizer.lr`` block, with ``epochs`` and ``step_each_epoch`` as PaddleClas's
``build_lr_scheduler`` sets them, and returns the schedule of the Paddle scheduler PaddleClas builds, indexed by its
``step()`` calls (updates, or epochs with ``by_epoch``), with ``last_epoch`` applied. How the trainer steps it, and
the expansion to optimizer updates, is :mod:`lrparity.recipes.ppcls`'s business.

Semantics follow PaddleClas develop at d178931 (2024-10-18) on paddle 3.3.1; every rule, with the line of reasoning
behind each error, is in the docstring of each ``_build_*`` function and in ``docs/recipes/ppcls.md``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from lrparity.core import (
    Constant,
    Cosine,
    Cyclic,
    FixMatchCosine,
    MultiStep,
    OneCycle,
    Piecewise,
    Plateau,
    Polynomial,
    Schedule,
    Shift,
    Step,
    Warmup,
    WithBaseLR,
)

__all__ = ["LR_CLASSES", "LrBuild", "build_lr"]

_UNSET: Any = object()
_WARMUP = {"warmup_epoch": 0, "warmup_start_lr": 0.0, "last_epoch": -1, "by_epoch": False}


@dataclass(frozen=True)
class _Signature:
    """A PaddleClas lr class's constructor: required keys, optional keys with defaults, and ``**kwargs``."""

    required: tuple[str, ...]
    optional: dict[str, Any]
    kwargs: bool = True


# ``epochs`` and ``step_each_epoch`` (set by build_lr_scheduler) are left out: every class takes them first.
_SIGNATURES: dict[str, _Signature] = {
    "ConstLR": _Signature(("learning_rate",), dict(_WARMUP)),
    "Constant": _Signature(("learning_rate",), {"last_epoch": -1}),
    "Linear": _Signature(("learning_rate",), {"end_lr": 0.0, "power": 1.0, "cycle": False, **_WARMUP}),
    "Cosine": _Signature(("learning_rate",), {"eta_min": 0.0, **_WARMUP}),
    "Cyclic": _Signature(
        ("base_learning_rate", "max_learning_rate", "warmup_epoch", "warmup_start_lr", "step_size_up"),
        {
            "step_size_down": None,
            "mode": "triangular",
            "exp_gamma": 1.0,
            "scale_fn": None,
            "scale_mode": "cycle",
            "by_epoch": False,
            "last_epoch": -1,
            "verbose": False,
        },
        kwargs=False,
    ),
    "Step": _Signature(("learning_rate", "step_size", "gamma"), dict(_WARMUP)),
    "Piecewise": _Signature(("decay_epochs", "values"), {**_WARMUP, "learning_rate": None}),
    "MultiStepDecay": _Signature(("learning_rate", "milestones"), {"gamma": 0.1, **_WARMUP}),
    "ReduceOnPlateau": _Signature(
        ("learning_rate",),
        {
            "mode": "min",
            "factor": 0.1,
            "patience": 10,
            "threshold": 1e-4,
            "threshold_mode": "rel",
            "cooldown": 0,
            "min_lr": 0,
            "epsilon": 1e-8,
            **_WARMUP,
        },
    ),
    "CosineFixmatch": _Signature(
        ("learning_rate", "num_warmup_steps"), {"num_cycles": 7 / 16, "last_epoch": -1, "by_epoch": False}, False
    ),
    "OneCycleLR": _Signature(
        ("max_learning_rate",),
        {
            "warmup_epoch": 0,
            "warmup_start_lr": 0.0,
            "divide_factor": 25.0,
            "end_learning_rate": 1e-10,
            "phase_pct": 0.3,
            "anneal_strategy": "cos",
            "three_phase": False,
            "by_epoch": False,
            "last_epoch": -1,
            "verbose": False,
        },
        kwargs=False,
    ),
}

#: The ``Optimizer.lr.name`` values PaddleClas's ``learning_rate.py`` defines (``Constant`` is the bare scheduler).
LR_CLASSES: tuple[str, ...] = tuple(_SIGNATURES)


@dataclass(frozen=True)
class LrBuild:
    """What :func:`build_lr` found in one ``lr`` block.

    Attributes:
        name: the PaddleClas lr class.
        schedule: the absolute schedule of the Paddle scheduler PaddleClas builds, indexed by its ``step()`` calls
            (``last_epoch`` applied), or a core :class:`~lrparity.core.Plateau` for a metric-driven
            ``ReduceOnPlateau``.
        by_epoch: the scheduler is stepped once per epoch (``by_epoch: True``), else once per update.
        warmup_steps: the ``LinearWarmup`` length in scheduler steps (0: none).
        native: the Paddle objects PaddleClas builds, in words.
        warnings: ignored keys and quirks that change the values, one sentence each.
    """

    name: str
    schedule: Schedule | Plateau
    by_epoch: bool
    warmup_steps: int
    native: str
    warnings: tuple[str, ...]


@dataclass
class _Context:
    """One class being built: its bound arguments, the run, and the sentences collected on the way."""

    cls: str
    args: dict[str, Any]
    epochs: int
    spe: int
    updates_per_epoch: int
    train_mode: str | None
    notes: list[str]

    @property
    def n_steps(self) -> int:
        """The trainer's ``step()`` calls over the run: one per epoch with ``by_epoch``, else one per update."""
        return self.epochs if self.by_epoch else self.epochs * self.updates_per_epoch

    def fail(self, message: str) -> ValueError:
        return ValueError(f"PaddleClas {self.cls}: {message}")

    def number(self, key: str, *, low: float | None = 0.0, positive: bool = False, value: Any = _UNSET) -> float:
        """A real number (int or float, not bool): PaddleClas hands it to Paddle, which needs one."""
        raw = self.args[key] if value is _UNSET else value
        if isinstance(raw, bool) or not isinstance(raw, numbers.Real):
            raise self.fail(
                f"{key} = {raw!r} ({type(raw).__name__}) is not a number; Paddle's scheduler needs an int or a "
                "float (PaddleClas reads YAML strings such as '1e-4' with literal_eval, so write a number)"
            )
        out = float(raw)
        if not math.isfinite(out) or (low is not None and out < low) or (positive and out == 0):
            bound = "> 0" if positive else f">= {low}" if low is not None else "finite"
            raise self.fail(f"{key} = {raw!r} must be a finite number {bound}")
        return out

    def integer(self, key: str, *, minimum: int, why: str) -> int:
        raw = self.args[key]
        if isinstance(raw, bool) or not isinstance(raw, numbers.Integral):
            raise self.fail(f"{key} = {raw!r} ({type(raw).__name__}) must be an int: {why}")
        if raw < minimum:
            raise self.fail(f"{key} = {raw!r} must be an int >= {minimum}: {why}")
        return int(raw)

    def flag(self, key: str) -> bool:
        raw = self.args[key]
        if not isinstance(raw, bool):
            raise self.fail(
                f"{key} = {raw!r} must be true or false: PaddleClas tests its truth value in some places and "
                f"compares it with True in others (Piecewise), so {raw!r} is ambiguous"
            )
        return raw

    @property
    def by_epoch(self) -> bool:
        return self.flag("by_epoch")


# ---------------------------------------------------------------------------------------------------------------
# Binding and the common parts (LRBase)
# ---------------------------------------------------------------------------------------------------------------


def _bind(cls: str, block: Mapping[str, Any], notes: list[str]) -> dict[str, Any]:
    """``cls(**block)`` as Python binds it: required keys, defaults, unknown keys (TypeError or swallowed)."""
    sig = _SIGNATURES[cls]
    missing = [k for k in sig.required if k not in block]
    if missing:
        raise ValueError(
            f"PaddleClas {cls}: missing required key(s) {missing}: {cls}.__init__() raises TypeError (required "
            f"keys: {list(sig.required)})"
        )
    known = set(sig.required) | set(sig.optional)
    unknown = sorted((k for k in block if k not in known), key=str)
    if unknown and not sig.kwargs:
        raise ValueError(
            f"PaddleClas {cls}: unexpected key(s) {unknown}: {cls}.__init__() has no **kwargs and raises TypeError "
            f"(its keys: {sorted(known)})"
        )
    for key in unknown:
        notes.append(_ignored(cls, str(key), block[key]))
    return {**sig.optional, **{k: v for k, v in block.items() if k in known}}


def _ignored(cls: str, key: str, value: Any) -> str:
    if key == "verbose":
        why = "the verbose flag is swallowed by **kwargs (LRBase gets verbose=False)"
    elif cls == "Constant" and key in ("warmup_epoch", "warmup_start_lr", "by_epoch"):
        why = "the bare Constant scheduler has no warmup and no by_epoch; ConstLR has both"
    else:
        why = f"{cls} swallows it through **kwargs"
    return f"lr key {key!r} = {value!r} is ignored: {why}"


def _warmup(ctx: _Context, peak: float) -> tuple[float, int]:
    """``LRBase``: the clamped ``warmup_epoch`` and the warmup length in scheduler steps (``warmup_epoch`` itself
    with ``by_epoch``, else ``round(warmup_epoch * step_each_epoch)``, half to even)."""
    raw = ctx.args["warmup_epoch"]
    if isinstance(raw, bool) or not isinstance(raw, numbers.Real) or not math.isfinite(raw):
        raise ctx.fail(f"warmup_epoch = {raw!r} must be a finite number of epochs (LRBase compares it with epochs)")
    if raw < 0:
        raise ctx.fail(f"warmup_epoch = {raw!r} must be >= 0 (PaddleClas silently runs no warmup for a negative one)")
    we: Any = raw
    if we >= ctx.epochs:
        if we > ctx.epochs:
            ctx.notes.append(
                f"warmup_epoch = {raw!r} >= Global.epochs = {ctx.epochs}: PaddleClas's LRBase sets warmup_epoch to "
                f"{ctx.epochs} (the whole run is warmup)"
            )
        else:
            ctx.notes.append(f"warmup_epoch = {raw!r} equals Global.epochs: the whole run is warmup")
        we = ctx.epochs
    steps = we if ctx.by_epoch else round(we * ctx.spe)
    if steps > 0 and not isinstance(steps, int):
        raise ctx.fail(
            f"warmup_epoch = {raw!r} with by_epoch: PaddleClas passes warmup_steps={steps!r} to paddle's LinearWarmup, "
            "which asserts an int warmup_steps > 0 (write an int number of epochs)"
        )
    if we > 0 and steps <= 0:
        ctx.notes.append(
            f"warmup_epoch = {raw!r} rounds to {steps} steps at {ctx.spe} updates per epoch (half to even): no warmup"
        )
    start = ctx.number("warmup_start_lr")
    if steps > 0 and not peak > start:
        raise ctx.fail(
            f"warmup to {peak!r} from warmup_start_lr = {start!r}: paddle's LinearWarmup asserts end_lr > start_lr "
            "and PaddleClas fails"
        )
    return we, max(int(steps), 0)


def _warm(ctx: _Context, inner: Schedule, w: int, peak: float) -> Schedule:
    """paddle ``LinearWarmup(inner, w, warmup_start_lr, peak)`` (``inner`` absolute, or relative at ``peak``)."""
    if w > 0:
        inner = Warmup(inner, w, start_lr=ctx.number("warmup_start_lr"), end_lr=peak, mode="prefix")
    return WithBaseLR(inner, peak) if inner.uses_base_lr else inner


def _steps(ctx: _Context, epochs: Any) -> Any:
    """A count of epochs in scheduler steps: ``epochs * step_each_epoch``, or the epochs themselves (by_epoch)."""
    return epochs if ctx.by_epoch else epochs * ctx.spe


def _ceil_boundaries(ctx: _Context, key: str, raw: Any, why: str) -> tuple[int, ...]:
    """Epoch boundaries in scheduler steps (``e * step_each_epoch``, or ``e`` with ``by_epoch``): Paddle compares
    ``t < b``, so a fractional ``b`` acts at ``ceil(b)``; each must be > 0 and act after the one before."""
    if not isinstance(raw, (list, tuple)) or not raw:
        raise ctx.fail(f"{key} = {raw!r} must be a non-empty list of epochs")
    out = []
    for i, e in enumerate(raw):
        ctx.number(f"{key}[{i}]", value=e, positive=True)
        out.append(math.ceil(_steps(ctx, e)))
    for i in range(1, len(out)):
        if out[i] <= out[i - 1]:
            raise ctx.fail(
                f"{key} = {list(raw)} must increase, and act at distinct steps ({key}[{i - 1}] acts at step "
                f"{out[i - 1]}, {key}[{i}] at step {out[i]}): {why}"
            )
    return tuple(out)


# ---------------------------------------------------------------------------------------------------------------
# One builder per class: ctx -> (schedule in scheduler steps, warmup steps, native description)
# ---------------------------------------------------------------------------------------------------------------

_Built = tuple[Schedule | Plateau, int, str]


def _build_const_lr(ctx: _Context) -> _Built:
    """``ConstLR``: the bare ``Constant`` scheduler, behind ``LinearWarmup`` when ``warmup_epoch`` gives steps."""
    lr = ctx.number("learning_rate")
    _, w = _warmup(ctx, lr)
    native = (
        f"Constant({lr!r})"
        if not w
        else f"LinearWarmup(Constant({lr!r}), {w}, {ctx.args['warmup_start_lr']!r}, {lr!r})"
    )
    return _warm(ctx, Constant(), w, lr), w, native


def _build_constant(ctx: _Context) -> _Built:
    """``Constant`` (the bare scheduler, named in the YAML): the lr, always; no warmup, ``last_epoch`` has no effect."""
    lr = ctx.number("learning_rate")
    return WithBaseLR(Constant(), lr), 0, f"Constant({lr!r}) (an LRScheduler returned as is)"


def _build_linear(ctx: _Context) -> _Built:
    """``Linear``: ``PolynomialDecay`` over ``(epochs - warmup_epoch) * step_each_epoch`` steps (``epochs -
    warmup_epoch`` with ``by_epoch``), ``Constant`` when that is <= 0. Its warmup is ``round(warmup_epoch *
    step_each_epoch)`` steps even with ``by_epoch`` (PaddleClas recomputes it): with ``by_epoch`` that many epochs."""
    lr = ctx.number("learning_rate")
    we, _ = _warmup(ctx, lr)
    w = max(round(we * ctx.spe), 0)
    if ctx.by_epoch and w > 0:
        ctx.notes.append(
            f"Linear with by_epoch: PaddleClas recomputes warmup_steps = round(warmup_epoch * step_each_epoch) = {w} "
            f"but steps the scheduler once per epoch, so the warmup lasts {w} epochs, not {we!r}"
        )
    decay = _steps(ctx, ctx.epochs - we)
    end, power = ctx.number("end_lr"), ctx.number("power", positive=True)
    cycle = ctx.flag("cycle")
    if decay > 0:
        if not isinstance(decay, int):
            raise ctx.fail(
                f"decay_steps = (epochs - warmup_epoch) * step_each_epoch = {decay!r} is not an int (warmup_epoch = "
                f"{ctx.args['warmup_epoch']!r}): paddle's PolynomialDecay asserts an int decay_steps"
            )
        inner: Schedule = Polynomial(total_steps=decay, power=power, end_lr=end, cycle=cycle)
        native = f"PolynomialDecay({lr!r}, decay_steps={decay}, end_lr={end!r}, power={power!r}, cycle={cycle})"
    else:
        inner, native = Constant(), f"Constant({lr!r}) (decay_steps {decay!r} <= 0)"
    return _warm(ctx, inner, w, lr), w, _native_warm(ctx, native, w, lr)


def _native_warm(ctx: _Context, native: str, w: int, peak: float) -> str:
    return f"LinearWarmup({native}, {w}, {ctx.args['warmup_start_lr']!r}, {peak!r})" if w else native


def _build_cosine(ctx: _Context) -> _Built:
    """``Cosine``: ``CosineAnnealingDecay(T_max=(epochs - warmup_epoch) * step_each_epoch)`` (``epochs -
    warmup_epoch`` with ``by_epoch``), ``Constant`` when ``T_max <= 0``. Standalone, paddle runs its recursion;
    behind ``LinearWarmup``, its closed form."""
    lr = ctx.number("learning_rate")
    eta = ctx.number("eta_min")
    we, w = _warmup(ctx, lr)
    t_max = _steps(ctx, ctx.epochs - we)
    if t_max <= 0:
        return _warm(ctx, Constant(), w, lr), w, _native_warm(ctx, f"Constant({lr!r}) (T_max {t_max!r} <= 0)", w, lr)
    if not isinstance(t_max, int):
        raise ctx.fail(
            f"T_max = (epochs - warmup_epoch) * step_each_epoch = {t_max!r} is not an int (warmup_epoch = "
            f"{ctx.args['warmup_epoch']!r} is a float): paddle's CosineAnnealingDecay raises TypeError"
        )
    if eta > lr:
        raise ctx.fail(f"eta_min ({eta!r}) > learning_rate ({lr!r}): the cosine would anneal upwards")
    form = "closed" if w else "recursive"
    if form == "recursive" and ctx.args["last_epoch"] > 0:
        raise ctx.fail(
            f"last_epoch = {ctx.args['last_epoch']!r} without warmup: paddle's CosineAnnealingDecay then starts its "
            "recursion from learning_rate at that step, which is not a cosine of the run; remove last_epoch (0 and "
            "-1 are fine)"
        )
    native = f"CosineAnnealingDecay({lr!r}, T_max={t_max}, eta_min={eta!r}) ({form} form)"
    return _warm(ctx, Cosine(T_max=t_max, eta_min=eta, form=form), w, lr), w, _native_warm(ctx, native, w, lr)


def _build_cyclic(ctx: _Context) -> _Built:
    """``Cyclic``: paddle ``CyclicLR`` (step sizes in scheduler steps), behind ``LinearWarmup`` to
    ``base_learning_rate``; ``warmup_epoch`` and ``warmup_start_lr`` are required; no ``**kwargs``."""
    base = ctx.number("base_learning_rate")
    peak = ctx.number("max_learning_rate")
    up = ctx.integer("step_size_up", minimum=1, why="paddle's CyclicLR requires a positive int")
    down = None
    if ctx.args["step_size_down"] is not None:
        down = ctx.integer("step_size_down", minimum=1, why="paddle's CyclicLR requires a positive int")
    gamma = ctx.args["exp_gamma"]
    if not isinstance(gamma, float):
        raise ctx.fail(
            f"exp_gamma = {gamma!r} ({type(gamma).__name__}) must be a float: paddle's CyclicLR raises TypeError"
        )
    gamma = ctx.number("exp_gamma", positive=True)
    if ctx.args["scale_fn"] is not None:
        raise ctx.fail(
            f"scale_fn = {ctx.args['scale_fn']!r}: a config holds no function, and paddle's CyclicLR calls it "
            "(TypeError)"
        )
    mode, scale_mode = ctx.args["mode"], ctx.args["scale_mode"]
    if mode not in ("triangular", "triangular2", "exp_range"):
        raise ctx.fail(f"mode = {mode!r} must be 'triangular', 'triangular2' or 'exp_range' (paddle raises ValueError)")
    if scale_mode not in ("cycle", "iterations"):
        raise ctx.fail(f"scale_mode = {scale_mode!r} must be 'cycle' or 'iterations' (paddle raises ValueError)")
    implied = "iterations" if mode == "exp_range" else "cycle"
    if scale_mode != implied:
        ctx.notes.append(f"scale_mode = {scale_mode!r} is ignored: without scale_fn, mode {mode!r} uses {implied!r}")
    _, w = _warmup(ctx, base)
    inner = Cyclic(base_lr=base, max_lr=peak, step_size_up=up, step_size_down=down, mode=mode, gamma=gamma)
    native = (
        f"CyclicLR({base!r}, {peak!r}, step_size_up={up}, step_size_down={down}, mode={mode!r}, exp_gamma={gamma!r})"
    )
    return _warm(ctx, inner, w, base), w, _native_warm(ctx, native, w, base)


def _build_step(ctx: _Context) -> _Built:
    """``Step``: ``StepDecay(step_size=int(step_size * step_each_epoch))`` (the product truncated toward zero), or
    ``step_size`` itself (an int) with ``by_epoch``; ``gamma`` has no default."""
    lr = ctx.number("learning_rate")
    raw = ctx.args["step_size"]
    epochs = ctx.number("step_size", positive=True)
    if ctx.by_epoch:
        if not isinstance(raw, int) or isinstance(raw, bool):
            raise ctx.fail(
                f"step_size = {raw!r} with by_epoch: paddle's StepDecay requires an int step_size (TypeError)"
            )
        size = raw
    else:
        product = raw * ctx.spe
        size = int(product)
        if size != product:
            ctx.notes.append(
                f"Step: step_size = {raw!r} epochs x {ctx.spe} updates = {product!r}, truncated by int() to {size} "
                "updates per decay"
            )
    if size <= 0:
        raise ctx.fail(
            f"step_size = {epochs!r} epochs gives {size} steps at {ctx.spe} updates per epoch: paddle's StepDecay "
            "asserts a positive step_size"
        )
    gamma = ctx.number("gamma", positive=True)
    if gamma >= 1.0:
        raise ctx.fail(f"gamma = {gamma!r} must be < 1.0: paddle's StepDecay raises ValueError")
    _, w = _warmup(ctx, lr)
    native = f"StepDecay({lr!r}, step_size={size}, gamma={gamma!r})"
    return _warm(ctx, Step(step_size=size, gamma=gamma), w, lr), w, _native_warm(ctx, native, w, lr)


def _piecewise_lists(ctx: _Context) -> tuple[list[Any], list[Any]]:
    """``decay_epochs`` and ``values``, replaced by the 10x-every-30-epochs rule when ``learning_rate`` is truthy."""
    bounds, values = ctx.args["decay_epochs"], ctx.args["values"]
    lr = ctx.args["learning_rate"]
    if not lr:
        return bounds, values
    base = ctx.number("learning_rate")
    epochs = list(range(0, ctx.epochs, 30))
    new_values = [lr * (0.1**i) for i in range(len(epochs))]
    if len(epochs) == 1:
        new_bounds, new_values = [ctx.epochs], [new_values[0], new_values[0]]
    else:
        new_bounds = epochs[1:]
    ctx.notes.append(
        f"Piecewise with learning_rate = {base!r}: PaddleClas replaces decay_epochs {bounds!r} and values {values!r} "
        f"by {new_bounds} and {new_values} (lr x 0.1 every 30 epochs)"
    )
    return new_bounds, new_values


def _build_piecewise(ctx: _Context) -> _Built:
    """``Piecewise``: ``PiecewiseDecay([e * step_each_epoch], values)`` (epochs themselves with ``by_epoch``); a
    truthy ``learning_rate`` replaces both lists by ``range(0, epochs, 30)[1:]`` and ``lr * 0.1**i``
    (``[epochs]``, ``[lr, lr]`` for 30 epochs or fewer); the warmup ends at ``values[0]``."""
    bounds_raw, values_raw = _piecewise_lists(ctx)
    if not isinstance(values_raw, (list, tuple)) or not isinstance(bounds_raw, (list, tuple)):
        raise ctx.fail(f"decay_epochs and values must be lists, got {bounds_raw!r} and {values_raw!r}")
    if len(values_raw) != len(bounds_raw) + 1:
        raise ctx.fail(
            f"{len(values_raw)} values for {len(bounds_raw)} decay_epochs: paddle's PiecewiseDecay needs "
            "len(decay_epochs) + 1 values (fewer raise ValueError; with more it silently skips the middle ones)"
        )
    values = tuple(ctx.number(f"values[{i}]", value=v) for i, v in enumerate(values_raw))
    bounds = _ceil_boundaries(ctx, "decay_epochs", bounds_raw, "paddle's PiecewiseDecay would never use a value")
    _, w = _warmup(ctx, values[0])
    native = f"PiecewiseDecay(boundaries={list(bounds)}, values={list(values)})"
    return _warm(ctx, Piecewise(bounds, values), w, values[0]), w, _native_warm(ctx, native, w, values[0])


def _build_multistep(ctx: _Context) -> _Built:
    """``MultiStepDecay``: paddle ``MultiStepDecay([m * step_each_epoch], gamma)`` (epochs with ``by_epoch``)."""
    lr = ctx.number("learning_rate")
    milestones = _ceil_boundaries(
        ctx, "milestones", ctx.args["milestones"], "paddle's MultiStepDecay raises ValueError unless they increase"
    )
    gamma = ctx.number("gamma", positive=True)
    if gamma >= 1.0:
        raise ctx.fail(f"gamma = {gamma!r} must be < 1.0: paddle's MultiStepDecay raises ValueError")
    _, w = _warmup(ctx, lr)
    native = f"MultiStepDecay({lr!r}, milestones={list(milestones)}, gamma={gamma!r})"
    return _warm(ctx, MultiStep(milestones, gamma), w, lr), w, _native_warm(ctx, native, w, lr)


def _plateau(ctx: _Context, lr: float) -> Plateau:
    mode, threshold_mode = ctx.args["mode"], ctx.args["threshold_mode"]
    for key, value, choices in (("mode", mode, ("min", "max")), ("threshold_mode", threshold_mode, ("rel", "abs"))):
        if not isinstance(value, str) or value.lower() not in choices:
            raise ctx.fail(f"{key} = {value!r} must be one of {list(choices)} (paddle raises ValueError)")
    factor = ctx.number("factor")
    if factor >= 1.0:
        raise ctx.fail(f"factor = {factor!r} must be < 1.0: paddle's ReduceOnPlateau raises ValueError")
    return Plateau(
        mode=mode.lower(),
        factor=factor,
        patience=ctx.integer("patience", minimum=0, why="a number of evaluations"),
        threshold=ctx.number("threshold"),
        threshold_mode=threshold_mode.lower(),
        cooldown=ctx.integer("cooldown", minimum=0, why="a number of evaluations"),
        min_lr=ctx.number("min_lr"),
        eps=ctx.number("epsilon"),
        semantics="paddle",
        start_lr=lr,
    )


def _build_plateau(ctx: _Context) -> _Built:
    """``ReduceOnPlateau``: metric-driven (a core ``Plateau``, stepped with the eval metric) with ``by_epoch`` and no
    warmup. Without warmup and ``by_epoch: False`` (or in the fixmatch trainers) PaddleClas calls ``step()`` without
    a metric and fails. Behind ``LinearWarmup`` PaddleClas replaces the *wrapper's* ``get_lr`` by ``return
    self.last_lr``, so the lr stays at the wrapper's first value (``warmup_start_lr``) for the whole run."""
    lr = ctx.number("learning_rate")
    plateau = _plateau(ctx, lr)
    _, w = _warmup(ctx, lr)
    if w == 0:
        if not ctx.by_epoch or ctx.train_mode in ("fixmatch", "fixmatch_ccssl"):
            where = "after every update" if not ctx.by_epoch else f"at every epoch end (train_mode {ctx.train_mode})"
            raise ctx.fail(
                f"without warmup and with by_epoch: {ctx.by_epoch}, PaddleClas calls lr_sch.step() {where} without a "
                "metric and paddle's ReduceOnPlateau.step() raises TypeError; set by_epoch: True"
            )
        return plateau, 0, f"ReduceOnPlateau({lr!r}, ...) stepped with the eval metric"
    # The wrapper computes its first value at construction (step last_epoch + 1), before the patch: the warmup ramp,
    # or, past the warmup, the plateau's lr after one step (a first metric is always the best so far).
    first = ctx.args["last_epoch"] + 1
    start = ctx.number("warmup_start_lr")
    held = (lr - start) * float(first) / float(w) + start if first < w else lr
    ctx.notes.append(
        f"ReduceOnPlateau behind a warmup: PaddleClas replaces the LinearWarmup's get_lr by 'return self.last_lr', so "
        f"the lr stays {held!r} for the whole run (the warmup never advances and the plateau never sees a metric)"
    )
    native = f"LinearWarmup(ReduceOnPlateau({lr!r}, ...), {w}, {start!r}, {lr!r}) with get_lr patched to return last_lr"
    return Piecewise((1,), (held, held)), w, native


def _build_fixmatch(ctx: _Context) -> _Built:
    """``CosineFixmatch``: ``LambdaDecay`` with FixMatch's cosine over ``epochs * step_each_epoch`` steps (even with
    ``by_epoch``); no LRBase (no warmup_epoch, no clamp), no ``**kwargs``."""
    lr = ctx.number("learning_rate")
    w = ctx.integer("num_warmup_steps", minimum=0, why="a number of scheduler steps")
    total = ctx.epochs * ctx.spe
    if ctx.by_epoch:
        ctx.notes.append(
            f"CosineFixmatch with by_epoch: the cosine spans epochs x step_each_epoch = {total} steps but is stepped "
            f"once per epoch, so the run covers only its first {ctx.epochs} steps"
        )
    inner = FixMatchCosine(warmup_steps=w, total_steps=total, num_cycles=ctx.number("num_cycles"))
    native = (
        f"LambdaDecay({lr!r}, FixMatch cosine: num_warmup_steps={w}, total={total}, num_cycles={inner.num_cycles!r})"
    )
    return WithBaseLR(inner, lr), 0, native


def _build_one_cycle(ctx: _Context) -> _Built:
    """``OneCycleLR``: paddle ``OneCycleLR(total_steps=epochs * step_each_epoch)`` (even with ``by_epoch``) with
    PaddleClas's default ``end_learning_rate=1e-10``, behind ``LinearWarmup`` to ``max_learning_rate``."""
    peak = ctx.number("max_learning_rate")
    div = ctx.number("divide_factor", positive=True)
    end = ctx.number("end_learning_rate")
    pct = ctx.args["phase_pct"]
    if not isinstance(pct, float):
        raise ctx.fail(
            f"phase_pct = {pct!r} ({type(pct).__name__}) must be a float: paddle's OneCycleLR raises TypeError"
        )
    pct = ctx.number("phase_pct")
    if pct > 1.0:
        raise ctx.fail(f"phase_pct = {pct!r} must be in [0, 1] (paddle raises ValueError)")
    strategy = ctx.args["anneal_strategy"]
    if strategy not in ("cos", "linear"):
        raise ctx.fail(f"anneal_strategy = {strategy!r} must be 'cos' or 'linear' (paddle raises ValueError)")
    three = ctx.flag("three_phase")
    if three and pct >= 0.5:
        raise ctx.fail(f"phase_pct = {pct!r} with three_phase: paddle's OneCycleLR requires phase_pct < 0.5")
    total = ctx.epochs * ctx.spe
    if ctx.by_epoch:
        ctx.notes.append(
            f"OneCycleLR with by_epoch: the cycle spans epochs x step_each_epoch = {total} steps but is stepped once "
            f"per epoch, so the run covers only its first {ctx.epochs} steps"
        )
    _, w = _warmup(ctx, peak)
    last_step = ctx.args["last_epoch"] + 1 + ctx.n_steps - w
    if last_step > total:
        raise ctx.fail(
            f"the scheduler's last step() reaches step {last_step} of a {total}-step cycle (last_epoch = "
            f"{ctx.args['last_epoch']!r}): paddle's OneCycleLR raises ValueError at the end of training"
        )
    inner = OneCycle(
        max_lr=peak, total_steps=total, pct_start=pct, anneal_strategy=strategy, div_factor=div, three_phase=three,
        end_lr=end,
    )  # fmt: skip
    first_step = max(ctx.args["last_epoch"] + 1 - w, 0)
    try:  # every step the trainer reaches, its final step() included
        inner.values(range(first_step, max(last_step, first_step) + 1))
    except ValueError:
        raise ctx.fail(
            f"phase_pct = {pct!r} with {total} steps: a phase of the cycle has no steps and paddle's OneCycleLR "
            "divides by zero in it (ZeroDivisionError) at a step the trainer reaches"
        ) from None
    native = (
        f"OneCycleLR({peak!r}, total_steps={total}, divide_factor={div!r}, end_learning_rate={end!r}, "
        f"phase_pct={pct!r}, anneal_strategy={strategy!r}, three_phase={three})"
    )
    return _warm(ctx, inner, w, peak), w, _native_warm(ctx, native, w, peak)


_BUILDERS: dict[str, Callable[[_Context], _Built]] = {
    "ConstLR": _build_const_lr,
    "Constant": _build_constant,
    "Linear": _build_linear,
    "Cosine": _build_cosine,
    "Cyclic": _build_cyclic,
    "Step": _build_step,
    "Piecewise": _build_piecewise,
    "MultiStepDecay": _build_multistep,
    "ReduceOnPlateau": _build_plateau,
    "CosineFixmatch": _build_fixmatch,
    "OneCycleLR": _build_one_cycle,
}


def _last_epoch(cls: str, args: Mapping[str, Any]) -> int:
    raw = args.get("last_epoch", -1)
    if isinstance(raw, bool) or not isinstance(raw, numbers.Integral) or raw < -1:
        raise ValueError(
            f"PaddleClas {cls}: last_epoch = {raw!r} must be an int >= -1 (the scheduler starts at step last_epoch + 1)"
        )
    return int(raw)


def build_lr(
    block: Mapping[str, Any],
    epochs: int,
    step_each_epoch: int,
    *,
    updates_per_epoch: int | None = None,
    train_mode: str | None = None,
) -> LrBuild:
    """The schedule of the Paddle scheduler PaddleClas builds from one ``lr`` block, indexed by ``step()`` calls.

    Args:
        block: the ``Optimizer.lr`` mapping (with ``name``), as PaddleClas reads it.
        epochs: ``Global.epochs``.
        step_each_epoch: ``iter_per_epoch // update_freq``, what ``build_lr_scheduler`` passes.
        updates_per_epoch: optimizer updates (per-update ``step()`` calls) per epoch: ``step_each_epoch`` (the
            default), or ``iter_per_epoch`` in the fixmatch and metabin trainers, which step at every iteration.
            Needed where the values depend on the run's length (``ReduceOnPlateau`` behind a warmup, the end of
            ``OneCycleLR``).
        train_mode: ``Global.train_mode`` (the fixmatch trainers step ``ReduceOnPlateau`` without a metric).

    Raises:
        ValueError: a block PaddleClas (or Paddle) cannot build, or one that means nothing, naming the key.
    """
    if not isinstance(block, Mapping):
        raise ValueError(f"Optimizer.lr must be a mapping, got {block!r}: PaddleClas calls lr_config.update() on it")
    notes: list[str] = []
    block = dict(block)
    if "name" not in block:
        raise ValueError(
            "Optimizer.lr has no 'name': PaddleClas then hands learning_rate to the optimizer as a plain float and its "
            "trainer fails at the first update (lr_sch.step() on a float, AttributeError); write name: ConstLR"
        )
    cls = block.pop("name")
    if not isinstance(cls, str) or cls not in _SIGNATURES:
        raise ValueError(
            f"Optimizer.lr.name = {cls!r} is not a PaddleClas lr class (getattr(learning_rate, name) fails); valid: "
            f"{list(LR_CLASSES)}"
        )
    for key, value in (("epochs", epochs), ("step_each_epoch", step_each_epoch)):
        if key in block and block.pop(key) != value:
            notes.append(
                f"lr key {key!r} is ignored: PaddleClas overwrites it with {value!r} "
                f"({'Global.epochs' if key == 'epochs' else 'iter_per_epoch // update_freq'})"
            )
    args = _bind(cls, block, notes)
    last_epoch = _last_epoch(cls, args)
    upe = step_each_epoch if updates_per_epoch is None else updates_per_epoch
    ctx = _Context(cls, args, epochs, step_each_epoch, upe, train_mode, notes)
    schedule, w, native = _BUILDERS[cls](ctx)
    by_epoch = False if cls == "Constant" else ctx.by_epoch
    if last_epoch >= 0 and isinstance(schedule, Schedule) and cls != "Constant":
        schedule = Shift(schedule, last_epoch + 1)
        native += f", built with last_epoch={last_epoch} (it starts at step {last_epoch + 1})"
    if isinstance(schedule, Plateau) and last_epoch != -1:
        notes.append(f"last_epoch = {last_epoch} is ignored: PaddleClas does not pass it to paddle's ReduceOnPlateau")
    return LrBuild(cls, schedule, by_epoch, w, native, tuple(notes))
