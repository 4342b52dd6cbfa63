"""PaddleOCR recipes (``kind="ppocr"``): a full PaddleOCR training YAML as the exact schedule it trains.

A thin front of :mod:`lrparity.ppocr` (which stays the public PaddleOCR API, with its optimizer translation and its
``lrparity ppocr`` command): the config is a path or the mapping loaded from it, ``Global.epoch_num`` gives the
epochs, and ``steps_per_epoch`` (``len(train_dataloader)``) is required. PaddleOCR's ``tools/program.py`` steps the
scheduler after every optimizer update, one per iteration, so the values are per update. Semantics are those of
:mod:`lrparity.ppocr` (PaddleOCR at f0b39d4, paddle 3.3.1).
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np

from lrparity.core import (
    Constant,
    Cosine,
    CosineRestarts,
    MultiStep,
    OneCycle,
    Piecewise,
    Polynomial,
    Schedule,
    Sequence,
    Shift,
    Step,
    Warmup,
    WithBaseLR,
)
from lrparity.core.validation import check_nesting
from lrparity.ppocr import PpocrWarning, build_lr, read_config
from lrparity.ppocr.schedules import TWO_STEP_COSINE_FIRST_EPOCHS
from lrparity.recipes import RecipeWarning

__all__ = ["DEFAULT_OPTIMIZER", "PpocrRecipeWarning", "dumps", "export", "reference", "schedule"]

DEFAULT_OPTIMIZER: dict[str, Any] = {"name": "Adam", "beta1": 0.9, "beta2": 0.999}
"""The optimizer written by :func:`export` when the context gives none (PaddleOCR's usual one)."""

_RTOL = 1e-12


class PpocrRecipeWarning(PpocrWarning, RecipeWarning):
    """A :class:`~lrparity.ppocr.PpocrWarning` raised through ``lrparity.recipes`` (it is both)."""


def _load(config: str | os.PathLike[str] | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(config, (str, os.PathLike)):
        data = read_config(config)
    elif isinstance(config, Mapping):
        check_nesting("ppocr", "config", config)
        data = config
    else:
        raise TypeError(f"config must be a path to a PaddleOCR YAML or the mapping loaded from it, got {config!r}")
    if not isinstance(data, Mapping) or not isinstance(data.get("Optimizer"), Mapping):
        raise ValueError("a PaddleOCR config needs an Optimizer mapping (with its lr block)")
    return data


def _epochs(data: Mapping[str, Any]) -> int:
    glob = data.get("Global")
    epochs = glob.get("epoch_num") if isinstance(glob, Mapping) else None
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(
            f"Global.epoch_num = {epochs!r} must be an int >= 1 (PaddleOCR's training loop runs "
            "range(start_epoch, epoch_num + 1))"
        )
    return epochs


def _spe(steps_per_epoch: Any) -> int:
    if steps_per_epoch is None:
        raise ValueError("steps_per_epoch is needed: len(train_dataloader), iterations per epoch per card")
    if isinstance(steps_per_epoch, bool) or not isinstance(steps_per_epoch, int) or steps_per_epoch < 1:
        raise ValueError(f"steps_per_epoch = {steps_per_epoch!r} must be an int >= 1")
    return steps_per_epoch


def schedule(config: str | os.PathLike[str] | Mapping[str, Any], *, steps_per_epoch: int | None = None) -> Schedule:
    """The lr PaddleOCR applies at every update (one per iteration): :func:`lrparity.ppocr.lr_schedule` of the
    config's ``Optimizer`` block with ``Global.epoch_num`` epochs. Keys PaddleOCR ignores are emitted as
    :class:`PpocrRecipeWarning`.

    Raises:
        ValueError: a config PaddleOCR cannot build, or no ``steps_per_epoch``, naming the key.
    """
    data = _load(config)
    build = build_lr(data["Optimizer"], _epochs(data), _spe(steps_per_epoch))
    for message in build.warnings:
        warnings.warn(message, PpocrRecipeWarning, stacklevel=2)
    return build.schedule


def reference(
    config: str | os.PathLike[str] | Mapping[str, Any],
    *,
    steps_per_epoch: int | None = None,
    steps: int | None = None,
    lr_module: Any = None,
) -> np.ndarray:
    """The lr of each update computed by PaddleOCR's classes on paddle's natives, one ``step()`` per iteration.

    Without ``lr_module``: :mod:`lrparity.ppocr.reference` (PaddleOCR's ``learning_rate.py`` restated). With it
    (PaddleOCR's ``ppocr/optimizer/learning_rate.py`` module): its class ``name`` built as PaddleOCR's
    ``build_lr_scheduler`` does (``Const`` without a name).

    Raises:
        ImportError: paddle is not installed.
    """
    data = _load(config)
    epochs, spe = _epochs(data), _spe(steps_per_epoch)
    n = epochs * spe if steps is None else int(steps)
    if lr_module is None:
        from lrparity.ppocr.reference import paddle_reference_lrs

        return paddle_reference_lrs(data["Optimizer"], epochs, spe, n)
    lr_cfg = dict(data["Optimizer"]["lr"])
    lr_cfg.update({"epochs": epochs, "step_each_epoch": spe})
    sched = getattr(lr_module, lr_cfg.pop("name", "Const"))(**lr_cfg)()
    out = np.empty(n, dtype=np.float64)
    for k in range(n):
        out[k] = sched() if callable(sched) else sched
        if callable(sched):
            sched.step()
    return out


def dumps(config: Mapping[str, Any]) -> str:
    """A PaddleOCR config as YAML text (keys in order; floats that PyYAML reads back as floats)."""
    from lrparity.recipes.ppcls import dumps as _dumps

    return _dumps(config)


# ---------------------------------------------------------------------------------------------------------------
# export
# ---------------------------------------------------------------------------------------------------------------


def _warmup_epoch(w: Warmup | None, base: float, peak: float, spe: int) -> dict[str, Any]:
    from lrparity.recipes.ppcls_export import _epochs_for

    if w is None:
        return {}
    start = w.start_lr if w.start_lr is not None else base * (w.start_factor or 0.0)
    end = w.end_lr if w.end_lr is not None else base * (w.end_factor if w.end_factor is not None else 1.0)
    if w.shape != "linear" or w.mode != "prefix" or start != 0.0 or end != peak:
        raise ValueError(
            f"PaddleOCR's warmup_epoch is a linear warmup from 0.0 to {peak!r} before the schedule; got shape="
            f"{w.shape!r}, mode={w.mode!r}, from {start!r} to {end!r}"
        )
    return {"warmup_epoch": _epochs_for(w.warmup_steps, spe, lambda x: round(x * spe), "a warmup")}


def _relative_block(inner: Schedule, base: float, w: Warmup | None, spe: int) -> tuple[dict[str, Any], float | None]:
    """``(lr block, total steps the block fixes or None)`` of a relative PaddleOCR class at ``base``."""
    from lrparity.recipes.ppcls_export import _epochs_for

    if isinstance(inner, Constant) and inner.factor == 1.0 and inner.total_steps is None:
        return {"name": "Const", "learning_rate": base, **_warmup_epoch(w, base, base, spe)}, None
    if isinstance(inner, Polynomial) and not inner.cycle:
        block = {"name": "Linear", "learning_rate": base, "end_lr": inner.end_lr, "power": inner.power}
        return {**block, **_warmup_epoch(w, base, base, spe)}, inner.total_steps
    if isinstance(inner, Cosine) and inner.after_end == "periodic":
        if inner.eta_min or (w is not None and w.start_lr):
            start = 0.0 if w is None else w.start_lr
            block = {"name": "LinearWarmupCosine", "learning_rate": base, "min_lr": inner.eta_min}
            return {**block, "warmup_steps": 0 if w is None else w.warmup_steps, "start_lr": start}, inner.T_max
        return {"name": "Cosine", "learning_rate": base, **_warmup_epoch(w, base, base, spe)}, inner.T_max
    if isinstance(inner, Step) and inner.step_size % spe == 0:
        block = {"name": "Step", "learning_rate": base, "step_size": inner.step_size // spe, "gamma": inner.gamma}
        return {**block, **_warmup_epoch(w, base, base, spe)}, None
    if isinstance(inner, MultiStep):
        milestones = [_epochs_for(m, spe, lambda x: math.ceil(x * spe), "milestones") for m in inner.milestones]
        block = {"name": "MultiStepDecay", "learning_rate": base, "milestones": milestones, "gamma": inner.gamma}
        return {**block, **_warmup_epoch(w, base, base, spe)}, None
    if isinstance(inner, CosineRestarts) and (inner.T_mult, inner.eta_min, inner.cycle_decay) == (1, 0.0, 1.0):
        cycle = _epochs_for(inner.T_0, spe, lambda x: round(x * spe), "cycle")
        block = {"name": "CyclicalCosine", "learning_rate": base, "cycle": cycle}
        return {**block, **_warmup_epoch(w, base, base, spe)}, None
    if _is_two_step(inner, spe):
        second = inner.schedules[1]
        total = second.schedule.T_max if isinstance(second, Shift) else None
        return {"name": "TwoStepCosine", "learning_rate": base, **_warmup_epoch(w, base, base, spe)}, total
    raise ValueError(f"PaddleOCR has no lr class for {type(inner).__name__} ({inner!r})")


def _is_two_step(inner: Schedule, spe: int) -> bool:
    """PaddleOCR's TwoStepCosine as lrparity.ppocr builds it: a cosine over 200 epochs, then (closed form, under a
    warmup) the run-long cosine at the global step, or (recursive form) 0."""
    if not isinstance(inner, Sequence) or len(inner.schedules) != 2:
        return False
    first, second = inner.schedules
    t1 = TWO_STEP_COSINE_FIRST_EPOCHS * spe
    if not isinstance(first, Cosine) or first.T_max != t1 or inner.milestones != (t1 + 1,):
        return False
    shifted = isinstance(second, Shift) and isinstance(second.schedule, Cosine) and second.offset == t1 + 1
    return shifted or (isinstance(second, Constant) and second.factor == 0.0)


def _absolute_block(inner: Schedule, w: Warmup | None, spe: int) -> tuple[dict[str, Any], float | None]:
    from lrparity.recipes.ppcls_export import _epochs_for

    if isinstance(inner, Piecewise):
        bounds = [_epochs_for(b, spe, lambda x: math.ceil(x * spe), "decay_epochs") for b in inner.boundaries]
        block = {"name": "Piecewise", "decay_epochs": bounds, "values": [float(v) for v in inner.lrs]}
        return {**block, **_warmup_epoch(w, inner.lrs[0], inner.lrs[0], spe)}, None
    if isinstance(inner, OneCycle) and (inner.pct_start, inner.div_factor, inner.final_div_factor) == (0.3, 25.0, 1e4):
        if inner.end_lr is not None or inner.cycle_momentum:
            raise ValueError("PaddleOCR's OneCycle has torch's relative minimum and no momentum cycle")
        block = {"name": "OneCycle", "max_lr": inner.max_lr, "anneal_strategy": inner.anneal_strategy}
        block["three_phase"] = inner.three_phase
        return {**block, **_warmup_epoch(w, inner.max_lr, inner.max_lr, spe)}, inner.total_steps
    raise ValueError(f"PaddleOCR has no lr class for {type(inner).__name__} ({inner!r})")


def export(
    schedule: Schedule,
    *,
    steps_per_epoch: int,
    epochs: int | None = None,
    base_lr: float | None = None,
    optimizer: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """``schedule`` as a PaddleOCR config, ``{"Global": {"epoch_num"}, "Optimizer": {..., "lr"}}``, such that
    :func:`schedule` reads back the same lr at every update (checked, within 1e-12 relative).

    Expressible: PaddleOCR's ``Const``, ``Linear`` (``Polynomial``), ``Cosine``, ``LinearWarmupCosine``, ``Step``,
    ``Piecewise``, ``CyclicalCosine`` (``CosineRestarts``), ``OneCycle``, ``MultiStepDecay``, ``TwoStepCosine``, each
    with PaddleOCR's warmup (linear from 0 to the peak, before the schedule) where it has one.

    Args:
        schedule: the lrparity schedule (absolute, or relative with ``base_lr``).
        steps_per_epoch: iterations per epoch; int >= 1.
        epochs: ``Global.epoch_num``; needed unless the schedule fixes it (``T = epochs * steps_per_epoch``).
        base_lr: the base lr of a relative schedule.
        optimizer: the rest of the ``Optimizer`` block (default :data:`DEFAULT_OPTIMIZER`).

    Raises:
        ValueError: the format cannot express the schedule, naming the part.
    """
    spe = _spe(steps_per_epoch)
    s: Any = schedule
    if not isinstance(s, Schedule):
        raise TypeError(f"schedule must be an lrparity Schedule, got {type(s).__name__}")
    if s.uses_base_lr:
        if base_lr is None:
            raise ValueError("the schedule is relative: give base_lr= (PaddleOCR's learning_rate)")
        s = WithBaseLR(s, base_lr)
    if isinstance(s, WithBaseLR):
        w = s.schedule if isinstance(s.schedule, Warmup) else None
        block, total = _relative_block(s.schedule.schedule if w else s.schedule, s.base_lr, w, spe)
    else:
        w = s if isinstance(s, Warmup) else None
        block, total = _absolute_block(s.schedule if w else s, w, spe)
    if total is not None:
        if total % spe or (epochs is not None and epochs != total // spe):
            raise ValueError(f"{block['name']} spans epoch_num x steps_per_epoch = {total} steps: not {epochs} x {spe}")
        epochs = int(total // spe)
    if epochs is None:
        raise ValueError(f"give epochs= (Global.epoch_num): a {block['name']} does not fix the run's length")
    config = {"Global": {"epoch_num": epochs}, "Optimizer": {**(optimizer or DEFAULT_OPTIMIZER), "lr": block}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        back = build_lr(config["Optimizer"], epochs, spe).schedule
    n = epochs * spe
    want, got = schedule.values(range(n), base_lr), back.values(range(n))
    err = np.abs(got - want) / np.maximum(np.abs(want), np.finfo(float).tiny)
    if not np.all(err <= _RTOL):
        i = int(np.argmax(err))
        raise ValueError(
            f"PaddleOCR cannot express this schedule exactly: {block} gives {got[i]!r} at update {i}, the schedule "
            f"{want[i]!r}"
        )
    return config
