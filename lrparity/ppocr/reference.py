"""The Paddle side, built the way PaddleOCR builds it: native ``paddle.optimizer.lr`` schedulers.

This is an independent re-statement of PaddleOCR's ``ppocr/optimizer/learning_rate.py`` and ``lr_scheduler.py``
(written for lrparity, not copied): the stock Paddle schedulers (``LinearWarmup``, ``CosineAnnealingDecay``,
``PolynomialDecay``, ``StepDecay``, ``PiecewiseDecay``, ``MultiStepDecay``) plus small ``LRScheduler`` subclasses
with the semantics of PaddleOCR's own ``CyclicalCosineDecay``, ``OneCycleDecay`` and ``TwoStepCosineDecay``
(:mod:`lrparity.ppocr.paddleocr_schedulers`). It is the reference the parity tests and ``lrparity ppocr`` compare
:func:`lrparity.ppocr.lr_schedule` against; it never uses lrparity's core. paddle is imported lazily (inside the
functions).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

__all__ = ["paddle_reference_lrs", "paddle_reference_scheduler"]

_TWO_STEP_FIRST_EPOCHS = 200


def paddle_reference_scheduler(optimizer_cfg: Mapping[str, Any], epochs: int, steps_per_epoch: int) -> Any:
    """The Paddle ``LRScheduler`` (or float) PaddleOCR's ``build_lr_scheduler`` makes from this block.

    Raises whatever PaddleOCR/Paddle raise for a bad block (TypeError, ValueError, AssertionError, KeyError...).
    """
    from paddle.optimizer import lr as plr

    cfg = dict(optimizer_cfg["lr"] if "lr" in optimizer_cfg else optimizer_cfg)
    cfg["epochs"] = epochs
    cfg["step_each_epoch"] = steps_per_epoch
    name = cfg.pop("name", "Const")
    total = epochs * steps_per_epoch
    if name == "LinearWarmupCosine":  # its own warmup, in steps
        peak = float(cfg["learning_rate"])
        inner = plr.CosineAnnealingDecay(learning_rate=peak, T_max=total, eta_min=float(cfg.get("min_lr", 1e-8)))
        warmup_steps = cfg.get("warmup_steps", 5000)
        if warmup_steps > 0:
            start = float(cfg.get("start_lr", 1e-5))
            return plr.LinearWarmup(inner, warmup_steps=warmup_steps, start_lr=start, end_lr=peak)
        return inner
    if name == "DecayLearningRate":  # no warmup
        return plr.PolynomialDecay(
            learning_rate=cfg["learning_rate"], decay_steps=total, power=cfg.get("factor", 0.9), end_lr=0
        )
    build = _WARMED_CLASSES.get(name)
    if build is None:
        raise AttributeError(f"module 'learning_rate' has no attribute {name!r}")
    inner, peak = build(cfg, epochs, steps_per_epoch)
    warmup_steps = round(cfg.get("warmup_epoch", 0) * steps_per_epoch)
    if warmup_steps > 0:
        return plr.LinearWarmup(learning_rate=inner, warmup_steps=warmup_steps, start_lr=0.0, end_lr=peak)
    return inner


# One builder per class that PaddleOCR puts behind LinearWarmup(inner, round(warmup_epoch * steps_per_epoch),
# 0.0, peak) when the warmup is > 0 steps: (lr block, epochs, steps per epoch) -> (inner scheduler or float, peak).
_Inner = tuple[Any, Any]


def _const(cfg: dict[str, Any], epochs: int, steps_per_epoch: int) -> _Inner:
    return cfg["learning_rate"], cfg["learning_rate"]


def _linear(cfg: dict[str, Any], epochs: int, steps_per_epoch: int) -> _Inner:
    from paddle.optimizer.lr import PolynomialDecay

    inner = PolynomialDecay(
        learning_rate=cfg["learning_rate"],
        decay_steps=epochs * steps_per_epoch,
        end_lr=cfg.get("end_lr", 0.0),
        power=cfg.get("power", 1.0),
    )
    return inner, cfg["learning_rate"]


def _cosine(cfg: dict[str, Any], epochs: int, steps_per_epoch: int) -> _Inner:
    from paddle.optimizer.lr import CosineAnnealingDecay

    inner = CosineAnnealingDecay(learning_rate=cfg["learning_rate"], T_max=epochs * steps_per_epoch)
    return inner, cfg["learning_rate"]


def _step(cfg: dict[str, Any], epochs: int, steps_per_epoch: int) -> _Inner:
    from paddle.optimizer.lr import StepDecay

    inner = StepDecay(
        learning_rate=cfg["learning_rate"], step_size=steps_per_epoch * cfg["step_size"], gamma=cfg["gamma"]
    )
    return inner, cfg["learning_rate"]


def _piecewise(cfg: dict[str, Any], epochs: int, steps_per_epoch: int) -> _Inner:
    from paddle.optimizer.lr import PiecewiseDecay

    inner = PiecewiseDecay(boundaries=[steps_per_epoch * e for e in cfg["decay_epochs"]], values=cfg["values"])
    return inner, cfg["values"][0]


def _cyclical_cosine(cfg: dict[str, Any], epochs: int, steps_per_epoch: int) -> _Inner:
    from lrparity.ppocr.paddleocr_schedulers import CyclicalCosineDecay

    inner = CyclicalCosineDecay(cfg["learning_rate"], cycle=round(cfg["cycle"] * steps_per_epoch))
    return inner, cfg["learning_rate"]


def _one_cycle(cfg: dict[str, Any], epochs: int, steps_per_epoch: int) -> _Inner:
    from lrparity.ppocr.paddleocr_schedulers import OneCycleDecay

    inner = OneCycleDecay(
        cfg["max_lr"],
        epochs=epochs,
        steps_per_epoch=steps_per_epoch,
        anneal_strategy=cfg.get("anneal_strategy", "cos"),
        three_phase=cfg.get("three_phase", False),
    )
    return inner, cfg["max_lr"]


def _multi_step(cfg: dict[str, Any], epochs: int, steps_per_epoch: int) -> _Inner:
    from paddle.optimizer.lr import MultiStepDecay

    milestones = [steps_per_epoch * m for m in cfg["milestones"]]
    inner = MultiStepDecay(learning_rate=cfg["learning_rate"], milestones=milestones, gamma=cfg["gamma"])
    return inner, cfg["learning_rate"]


def _two_step_cosine(cfg: dict[str, Any], epochs: int, steps_per_epoch: int) -> _Inner:
    from lrparity.ppocr.paddleocr_schedulers import TwoStepCosineDecay

    inner = TwoStepCosineDecay(
        cfg["learning_rate"], T_max1=_TWO_STEP_FIRST_EPOCHS * steps_per_epoch, T_max2=epochs * steps_per_epoch
    )
    return inner, cfg["learning_rate"]


_WARMED_CLASSES: dict[str, Callable[[dict[str, Any], int, int], _Inner]] = {
    "Const": _const,
    "Linear": _linear,
    "Cosine": _cosine,
    "Step": _step,
    "Piecewise": _piecewise,
    "CyclicalCosine": _cyclical_cosine,
    "OneCycle": _one_cycle,
    "MultiStepDecay": _multi_step,
    "TwoStepCosine": _two_step_cosine,
}


def paddle_reference_lrs(
    optimizer_cfg: Mapping[str, Any], epochs: int, steps_per_epoch: int, n_steps: int | None = None
) -> np.ndarray:
    """The lr at each of the first ``n_steps`` (default ``epochs * steps_per_epoch``) iterations, stepping the
    reference scheduler once per iteration as ``tools/program.py`` does (a float lr is never stepped)."""
    scheduler = paddle_reference_scheduler(optimizer_cfg, epochs, steps_per_epoch)
    n = epochs * steps_per_epoch if n_steps is None else n_steps
    if isinstance(scheduler, (int, float)):
        from paddle.optimizer.lr import LRScheduler  # noqa: F401 - the float is what the optimizer receives

        return np.full(n, float(scheduler))
    out = np.empty(n, dtype=np.float64)
    for k in range(n):
        out[k] = scheduler()
        scheduler.step()
    return out
