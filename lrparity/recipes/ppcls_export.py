"""An lrparity schedule written as a PaddleClas config: the inverse of :func:`lrparity.recipes.ppcls.schedule`.

The format expresses one PaddleClas lr class, optionally behind its linear warmup, stepped per update or per epoch
(``by_epoch``), started late (``last_epoch``); everything else raises a ValueError naming the part it cannot express.
The result is checked: it is read back with :func:`lrparity.recipes.ppcls.schedule` and must give the same lr at
every update of the run (within 1e-12 relative).
"""

from __future__ import annotations

import itertools
import math
import numbers
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lrparity.core import (
    Constant,
    Cosine,
    Cyclic,
    FixMatchCosine,
    MultiStep,
    OneCycle,
    PerEpoch,
    Piecewise,
    Plateau,
    Polynomial,
    Schedule,
    Shift,
    Step,
    Warmup,
    WithBaseLR,
)

__all__ = ["DEFAULT_OPTIMIZER", "export"]

DEFAULT_OPTIMIZER: dict[str, Any] = {"name": "Momentum", "momentum": 0.9}
"""The optimizer written when the context gives none (PaddleClas needs one to build the lr)."""

_RTOL = 1e-12


@dataclass
class _Target:
    """What the export knows so far: the run's units and the constraints on ``Global.epochs``."""

    spe: int
    by_epoch: bool
    epochs: int | None
    block: dict[str, Any] = field(default_factory=dict)

    @property
    def unit(self) -> int:
        """Scheduler steps per epoch: 1 with ``by_epoch``, else updates per epoch."""
        return 1 if self.by_epoch else self.spe

    def need_epochs(self, value: Any, why: str) -> None:
        if not (isinstance(value, int) or (isinstance(value, float) and value.is_integer())) or value < 1:
            raise ValueError(f"PaddleClas cannot express {why}: it needs Global.epochs = {value!r}, not an int >= 1")
        if self.epochs is not None and self.epochs != int(value):
            raise ValueError(f"{why} needs Global.epochs = {int(value)}, but the context gives epochs={self.epochs}")
        self.epochs = int(value)


def _int(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} = {value!r} must be an int >= {minimum}")
    return int(value)


def _epochs_for(steps: int, unit: int, to_steps: Callable[[Any], int], what: str) -> int | float:
    """A number of epochs ``x`` that PaddleClas turns into ``steps`` scheduler steps (``to_steps(x)``): an int when
    ``unit`` divides ``steps``, else the float nearest ``steps / unit`` that works."""
    if steps % unit == 0 and to_steps(steps // unit) == steps:
        return steps // unit
    x = steps / unit
    for direction in (-math.inf, math.inf):
        y = x
        for _ in range(4):
            if to_steps(y) == steps:
                return y
            y = math.nextafter(y, direction)
    raise ValueError(f"PaddleClas cannot express {what} = {steps} steps with {unit} steps per epoch")


# ---------------------------------------------------------------------------------------------------------------
# Matching the schedule's structure
# ---------------------------------------------------------------------------------------------------------------


def _warmup_block(t: _Target, w: Warmup, base: float, peak: float, cls: str) -> None:
    if w.shape != "linear" or w.mode != "prefix":
        raise ValueError(
            f"PaddleClas's warmup is paddle's LinearWarmup before the schedule (shape 'linear', mode 'prefix'), got "
            f"shape={w.shape!r}, mode={w.mode!r}"
        )
    start = w.start_lr if w.start_lr is not None else base * (w.start_factor or 0.0)
    end = w.end_lr if w.end_lr is not None else (base * w.end_factor if w.end_factor is not None else None)
    if end is None:
        end = float(w.schedule.value(0, base))
    if end != peak:
        raise ValueError(f"PaddleClas's {cls} warmup ends at its learning rate {peak!r}; this warmup ends at {end!r}")
    steps = w.warmup_steps
    if t.by_epoch and cls != "Linear":
        t.block["warmup_epoch"] = steps
    elif cls in ("Linear", "Cosine"):  # (epochs - warmup_epoch) * step_each_epoch must stay an int
        if steps % t.spe:
            raise ValueError(
                f"PaddleClas's {cls} needs an int warmup_epoch: a warmup of {steps} updates is not a whole number of "
                f"epochs of {t.spe} updates"
            )
        t.block["warmup_epoch"] = steps // t.spe
    else:
        t.block["warmup_epoch"] = _epochs_for(steps, t.spe, lambda x: round(x * t.spe), "a warmup")
    t.block["warmup_start_lr"] = float(start)


def _decay_epochs(t: _Target, steps: tuple[int, ...], what: str) -> list[int | float]:
    if any(s <= 0 for s in steps) or any(b <= a for a, b in itertools.pairwise(steps)):
        raise ValueError(f"PaddleClas's {what} must be > 0 and strictly increasing, got {list(steps)}")
    return [_epochs_for(s, t.unit, lambda x: math.ceil(x * t.unit), what) for s in steps]


def _relative(t: _Target, inner: Schedule, base: float, warm: Warmup | None) -> None:
    """A relative schedule at ``base`` (the class's ``learning_rate``)."""
    b = t.block
    if isinstance(inner, Constant) and inner.factor == 1.0 and inner.total_steps is None:
        b.update(name="ConstLR", learning_rate=base)
    elif isinstance(inner, Polynomial):
        b.update(name="Linear", learning_rate=base, end_lr=inner.end_lr, power=inner.power, cycle=inner.cycle)
    elif isinstance(inner, Cosine):
        if inner.after_end != "periodic" or not isinstance(inner.T_max, int):
            raise ValueError(
                f"PaddleClas's Cosine is paddle's periodic CosineAnnealingDecay with an int T_max: {inner!r}"
            )
        b.update(name="Cosine", learning_rate=base, eta_min=inner.eta_min)
    elif isinstance(inner, Step):
        size = inner.step_size
        b.update(name="Step", learning_rate=base, gamma=inner.gamma)
        b["step_size"] = size if t.by_epoch else _epochs_for(size, t.spe, lambda x: int(x * t.spe), "step_size")
    elif isinstance(inner, MultiStep):
        b.update(name="MultiStepDecay", learning_rate=base, gamma=inner.gamma)
        b["milestones"] = _decay_epochs(t, inner.milestones, "milestones")
    elif isinstance(inner, FixMatchCosine):
        if warm is not None:
            raise ValueError("PaddleClas's CosineFixmatch has no warmup_epoch (its warmup is num_warmup_steps)")
        b.update(name="CosineFixmatch", learning_rate=base, num_warmup_steps=inner.warmup_steps)
        b["num_cycles"] = inner.num_cycles
        t.need_epochs(inner.total_steps / t.spe, "CosineFixmatch's total_steps")
    else:
        raise ValueError(f"PaddleClas has no lr class for {type(inner).__name__} ({inner!r})")
    if warm is not None:
        _warmup_block(t, warm, base, base, b["name"])
    we = b.get("warmup_epoch", 0)
    if isinstance(inner, Polynomial):
        t.need_epochs(we + inner.total_steps / t.unit, f"Linear's decay over {inner.total_steps} steps")
    if isinstance(inner, Cosine):
        t.need_epochs(we + inner.T_max / t.unit, f"Cosine's T_max = {inner.T_max}")


def _absolute(t: _Target, inner: Schedule, warm: Warmup | None) -> None:
    """An absolute class: Piecewise, Cyclic, OneCycle."""
    b = t.block
    if isinstance(inner, Piecewise):
        b.update(name="Piecewise", decay_epochs=_decay_epochs(t, inner.boundaries, "decay_epochs"))
        b["values"] = [float(v) for v in inner.lrs]
        peak = float(inner.lrs[0])
    elif isinstance(inner, Cyclic):
        if inner.scale_fn is not None or inner.invert or inner.cycle_momentum:
            raise ValueError("PaddleClas's Cyclic has no scale_fn, no inverted cycle and no momentum cycle")
        up, down = inner.step_size_up, inner.step_size_down
        if float(up) != int(up) or (down is not None and float(down) != int(down)):
            raise ValueError(f"PaddleClas's Cyclic needs int step sizes, got {up!r} and {down!r}")
        b.update(name="Cyclic", base_learning_rate=inner.base_lr, max_learning_rate=inner.max_lr)
        b.update(step_size_up=int(up), step_size_down=None if down is None else int(down), mode=inner.mode)
        b.update(exp_gamma=float(inner.gamma), warmup_epoch=0, warmup_start_lr=0.0)
        peak = float(inner.base_lr)
    elif isinstance(inner, OneCycle):
        if inner.cycle_momentum:
            raise ValueError("PaddleClas's OneCycleLR has no momentum cycle")
        b.update(name="OneCycleLR", max_learning_rate=inner.max_lr, divide_factor=float(inner.div_factor))
        b.update(end_learning_rate=inner.min_lr, phase_pct=float(inner.pct_start))
        b.update(anneal_strategy=inner.anneal_strategy, three_phase=inner.three_phase)
        t.need_epochs(inner.total_steps / t.spe, f"OneCycleLR's total_steps = {inner.total_steps}")
        peak = float(inner.max_lr)
    else:
        raise ValueError(f"PaddleClas has no lr class for {type(inner).__name__} ({inner!r})")
    if warm is not None:
        _warmup_block(t, warm, peak, peak, b["name"])


def _plateau_block(t: _Target, p: Plateau) -> None:
    if p.warmup is not None:
        raise ValueError(
            f"PaddleClas's ReduceOnPlateau has no warmup phase (its warmup_epoch is refused with it); got "
            f"Plateau(warmup_steps={p.warmup_steps}, warmup={p.warmup!r})"
        )
    if p.semantics != "paddle" or p.start_lr is None or isinstance(p.min_lr, tuple):
        raise ValueError(
            "PaddleClas's ReduceOnPlateau is paddle's (semantics='paddle') with its own start_lr and one min_lr; "
            f"got {p!r}"
        )
    t.block.update(name="ReduceOnPlateau", learning_rate=p.start_lr, mode=p.mode, factor=p.factor)
    t.block.update(patience=p.patience, threshold=p.threshold, threshold_mode=p.threshold_mode)
    t.block.update(cooldown=p.cooldown, min_lr=p.min_lr, epsilon=p.eps, by_epoch=True)


def _match(t: _Target, s: Schedule) -> None:
    warm = s.schedule if isinstance(s, WithBaseLR) and isinstance(s.schedule, Warmup) else None
    if isinstance(s, WithBaseLR):
        _relative(t, s.schedule.schedule if warm else s.schedule, s.base_lr, warm)
    elif isinstance(s, Warmup) and not s.schedule.uses_base_lr:
        _absolute(t, s.schedule, s)
    else:
        _absolute(t, s, None)


# ---------------------------------------------------------------------------------------------------------------
# The entry point
# ---------------------------------------------------------------------------------------------------------------


def export(
    schedule: Schedule | Plateau,
    *,
    steps_per_epoch: int,
    update_freq: int = 1,
    epochs: int | None = None,
    base_lr: float | None = None,
    optimizer: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """``schedule`` as a PaddleClas config: ``{"Global": {"epochs", ["update_freq"]}, "Optimizer": {..., "lr"}}``.

    ``lrparity.recipes.ppcls.schedule(export(s, **ctx), steps_per_epoch=ctx["steps_per_epoch"])`` equals ``s`` at
    every update of the run (checked here, within 1e-12 relative).

    Args:
        schedule: an lrparity schedule indexed by optimizer update: one PaddleClas class (ConstLR, Linear =
            ``Polynomial``, Cosine, Step, MultiStepDecay = ``MultiStep``, Piecewise, Cyclic, OneCycleLR,
            CosineFixmatch = ``FixMatchCosine``), optionally as ``WithBaseLR(Warmup(...), lr)`` /
            ``Warmup(absolute, ...)``, ``Shift`` (``last_epoch``) and ``PerEpoch`` (``by_epoch``); or a
            ``Plateau(semantics="paddle", start_lr=...)`` (ReduceOnPlateau).
        steps_per_epoch: ``len(train_dataloader)``, iterations per epoch; int >= 1.
        update_freq: ``Global.update_freq`` (updates every that many iterations); int >= 1.
        epochs: ``Global.epochs``; needed unless the schedule fixes it (Cosine's ``T_max``, OneCycle's total...).
        base_lr: the base lr of a relative schedule (its ``learning_rate``).
        optimizer: the rest of the ``Optimizer`` block (default :data:`DEFAULT_OPTIMIZER`).

    Raises:
        ValueError: the format cannot express the schedule, naming the part.
    """
    spe_iters = _int("steps_per_epoch", steps_per_epoch, 1)
    freq = _int("update_freq", update_freq, 1)
    eff = 1 if spe_iters < freq else freq
    t = _Target(spe=spe_iters // eff, by_epoch=False, epochs=None if epochs is None else _int("epochs", epochs, 1))
    s: Any = schedule
    if isinstance(s, Plateau):
        _plateau_block(t, s)
    else:
        if not isinstance(s, Schedule):
            raise TypeError(f"schedule must be an lrparity Schedule or Plateau, got {type(s).__name__}")
        if s.uses_base_lr:
            if base_lr is None:
                raise ValueError("the schedule is relative: give base_lr= (PaddleClas's learning_rate)")
            s = WithBaseLR(s, base_lr)
        if isinstance(s, PerEpoch):
            if s.steps_per_epoch != t.spe:
                raise ValueError(
                    f"PerEpoch({s.steps_per_epoch} updates per epoch) but the run has {t.spe} updates per epoch "
                    f"(steps_per_epoch {spe_iters} // update_freq {eff})"
                )
            t.by_epoch, s = True, s.schedule
        if isinstance(s, Shift) and s.offset > 0:
            t.block["last_epoch"] = s.offset - 1
            s = s.schedule
        _match(t, s)
        if t.by_epoch:
            t.block["by_epoch"] = True
    if t.epochs is None:
        raise ValueError(f"give epochs= (Global.epochs): a {t.block['name']} does not fix the run's length")
    glob: dict[str, Any] = {"epochs": t.epochs}
    if freq != 1:
        glob["update_freq"] = freq
    block = {"name": t.block.pop("name"), **t.block}
    config = {"Global": glob, "Optimizer": {**(optimizer if optimizer is not None else DEFAULT_OPTIMIZER), "lr": block}}
    _check_round_trip(schedule, config, spe_iters, base_lr)
    return config


def _check_round_trip(original: Any, config: dict[str, Any], steps_per_epoch: int, base_lr: float | None) -> None:
    from lrparity.recipes.ppcls import build

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        read = build(config, steps_per_epoch=steps_per_epoch)
    back = read.schedule
    if isinstance(original, Plateau) or isinstance(back, Plateau):
        if back != original:
            raise ValueError(f"PaddleClas reads the export back as {back!r}, not {original!r}")
        return
    n = read.run.total_updates
    want = original.values(range(n), base_lr)
    got = back.values(range(n))
    scale = np.maximum(np.abs(want), np.finfo(float).tiny)
    err = np.abs(got - want) / scale
    if not np.all(err <= _RTOL) or not np.array_equal(np.isnan(want), np.isnan(got)):
        i = int(np.nanargmax(err))
        raise ValueError(
            f"PaddleClas cannot express this schedule exactly: the exported config {config['Optimizer']['lr']} gives "
            f"{got[i]!r} at update {i}, the schedule {want[i]!r} (relative difference {err[i]:.3g})"
        )
