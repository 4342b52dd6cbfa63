"""The Paddle side, built the way PaddleOCR builds it: native ``paddle.optimizer.lr`` schedulers.

This is an independent re-statement of PaddleOCR's ``ppocr/optimizer/learning_rate.py`` and ``lr_scheduler.py``
(written for lrparity, not copied): the stock Paddle schedulers (``LinearWarmup``, ``CosineAnnealingDecay``,
``PolynomialDecay``, ``StepDecay``, ``PiecewiseDecay``, ``MultiStepDecay``) plus small ``LRScheduler`` subclasses
with the semantics of PaddleOCR's own ``CyclicalCosineDecay``, ``OneCycleDecay`` and ``TwoStepCosineDecay``. It is
the reference the parity tests and ``lrparity ppocr`` compare :func:`lrparity.ppocr.lr_schedule` against; it
never uses lrparity's core. paddle is imported lazily (inside the functions).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["paddle_reference_lrs", "paddle_reference_scheduler"]

_TWO_STEP_FIRST_EPOCHS = 200


def _classes() -> dict[str, type]:
    """PaddleOCR's three custom schedulers, as paddle LRScheduler subclasses (created on first use)."""
    global _CACHE
    if _CACHE is not None:
        return _CACHE
    from paddle.optimizer.lr import LRScheduler

    class CyclicalCosineDecay(LRScheduler):
        """lr = eta_min + 0.5 (base - eta_min)(1 + cos(pi (k mod cycle) / cycle)); base at k = 0."""

        def __init__(self, learning_rate: float, cycle: int, eta_min: float = 0.0, last_epoch: int = -1) -> None:
            self.cycle = cycle
            self.eta_min = eta_min
            super().__init__(learning_rate, last_epoch)

        def get_lr(self) -> float:
            if self.last_epoch == 0:
                return self.base_lr
            phase = self.last_epoch % self.cycle
            return self.eta_min + 0.5 * (self.base_lr - self.eta_min) * (1 + math.cos(math.pi * phase / self.cycle))

    class OneCycleDecay(LRScheduler):
        """torch's OneCycleLR phases (lr only): max/div -> max -> max/div/final_div (or three phases)."""

        def __init__(
            self,
            max_lr: float,
            epochs: int,
            steps_per_epoch: int,
            anneal_strategy: str = "cos",
            three_phase: bool = False,
            last_epoch: int = -1,
        ) -> None:
            pct, div, final_div = 0.3, 25.0, 1e4
            if not isinstance(epochs, int) or epochs <= 0:
                raise ValueError(f"Expected positive integer epochs, but got {epochs}")
            if not isinstance(steps_per_epoch, int) or steps_per_epoch <= 0:
                raise ValueError(f"Expected positive integer steps_per_epoch, but got {steps_per_epoch}")
            if anneal_strategy not in ("cos", "linear"):
                raise ValueError(f"anneal_strategy must be 'cos' or 'linear', got {anneal_strategy}")
            n = epochs * steps_per_epoch
            self.total = n
            low = max_lr / div
            final = low / final_div
            if three_phase:
                self.phases = [
                    (float(pct * n) - 1, low, max_lr),
                    (float(2 * pct * n) - 2, max_lr, low),
                    (n - 1, low, final),
                ]
            else:
                self.phases = [(float(pct * n) - 1, low, max_lr), (n - 1, max_lr, final)]
            self.cosine = anneal_strategy == "cos"
            super().__init__(max_lr, last_epoch)

        def get_lr(self) -> float:
            k = self.last_epoch
            if k > self.total:
                raise ValueError(f"Tried to step {k + 1} times; total steps is {self.total}")
            begin = 0
            for i, (end, a, b) in enumerate(self.phases):
                if k <= end or i == len(self.phases) - 1:
                    frac = (k - begin) / (end - begin)
                    if self.cosine:
                        return b + (a - b) / 2.0 * (math.cos(math.pi * frac) + 1)
                    return (b - a) * frac + a
                begin = end
            raise AssertionError("unreachable")

    class TwoStepCosineDecay(LRScheduler):
        """Cosine over T_max1, then the T_max2 cosine at the global step; recursive by step(), closed with
        step(epoch) (as paddle's LinearWarmup drives it)."""

        def __init__(self, learning_rate: float, T_max1: int, T_max2: int, last_epoch: int = -1) -> None:
            if not isinstance(T_max1, int) or not isinstance(T_max2, int) or T_max1 <= 0 or T_max2 <= 0:
                raise TypeError("T_max1 and T_max2 must be positive ints")
            self.T_max1, self.T_max2, self.eta_min = T_max1, T_max2, 0.0
            super().__init__(learning_rate, last_epoch)

        def _period(self) -> int:
            return self.T_max1 if self.last_epoch <= self.T_max1 else self.T_max2

        def get_lr(self) -> float:
            k, t, eta = self.last_epoch, self._period(), self.eta_min
            if k == 0:
                return self.base_lr
            if (k - 1 - t) % (2 * t) == 0:
                return self.last_lr + (self.base_lr - eta) * (1 - math.cos(math.pi / t)) / 2
            ratio = (1 + math.cos(math.pi * k / t)) / (1 + math.cos(math.pi * (k - 1) / t))
            return ratio * (self.last_lr - eta) + eta

        def _get_closed_form_lr(self) -> float:
            t, eta = self._period(), self.eta_min
            return eta + (self.base_lr - eta) * (1 + math.cos(math.pi * self.last_epoch / t)) / 2

    _CACHE = {
        "CyclicalCosineDecay": CyclicalCosineDecay,
        "OneCycleDecay": OneCycleDecay,
        "TwoStepCosineDecay": TwoStepCosineDecay,
    }
    return _CACHE


_CACHE: dict[str, type] | None = None


def paddle_reference_scheduler(optimizer_cfg: Mapping[str, Any], epochs: int, steps_per_epoch: int) -> Any:
    """The Paddle ``LRScheduler`` (or float) PaddleOCR's ``build_lr_scheduler`` makes from this block.

    Raises whatever PaddleOCR/Paddle raise for a bad block (TypeError, ValueError, AssertionError, KeyError...).
    """
    from paddle.optimizer import lr as plr

    cfg = dict(optimizer_cfg["lr"] if "lr" in optimizer_cfg else optimizer_cfg)
    cfg["epochs"] = epochs
    cfg["step_each_epoch"] = steps_per_epoch
    name = cfg.pop("name", "Const")
    spe = steps_per_epoch
    classes = _classes()

    def warm(inner: Any, peak: Any) -> Any:
        w = round(cfg.get("warmup_epoch", 0) * spe)
        if w > 0:
            return plr.LinearWarmup(learning_rate=inner, warmup_steps=w, start_lr=0.0, end_lr=peak)
        return inner

    t = epochs * spe
    if name == "Const":
        return warm(cfg["learning_rate"], cfg["learning_rate"])
    if name == "Linear":
        inner = plr.PolynomialDecay(
            learning_rate=cfg["learning_rate"],
            decay_steps=t,
            end_lr=cfg.get("end_lr", 0.0),
            power=cfg.get("power", 1.0),
        )
        return warm(inner, cfg["learning_rate"])
    if name == "Cosine":
        return warm(plr.CosineAnnealingDecay(learning_rate=cfg["learning_rate"], T_max=t), cfg["learning_rate"])
    if name == "LinearWarmupCosine":
        peak = float(cfg["learning_rate"])
        inner = plr.CosineAnnealingDecay(learning_rate=peak, T_max=t, eta_min=float(cfg.get("min_lr", 1e-8)))
        w = cfg.get("warmup_steps", 5000)
        if w > 0:
            return plr.LinearWarmup(inner, warmup_steps=w, start_lr=float(cfg.get("start_lr", 1e-5)), end_lr=peak)
        return inner
    if name == "Step":
        inner = plr.StepDecay(learning_rate=cfg["learning_rate"], step_size=spe * cfg["step_size"], gamma=cfg["gamma"])
        return warm(inner, cfg["learning_rate"])
    if name == "Piecewise":
        inner = plr.PiecewiseDecay(boundaries=[spe * e for e in cfg["decay_epochs"]], values=cfg["values"])
        return warm(inner, cfg["values"][0])
    if name == "CyclicalCosine":
        inner = classes["CyclicalCosineDecay"](cfg["learning_rate"], cycle=round(cfg["cycle"] * spe))
        return warm(inner, cfg["learning_rate"])
    if name == "OneCycle":
        inner = classes["OneCycleDecay"](
            cfg["max_lr"],
            epochs=epochs,
            steps_per_epoch=spe,
            anneal_strategy=cfg.get("anneal_strategy", "cos"),
            three_phase=cfg.get("three_phase", False),
        )
        return warm(inner, cfg["max_lr"])
    if name == "DecayLearningRate":
        return plr.PolynomialDecay(
            learning_rate=cfg["learning_rate"], decay_steps=t, power=cfg.get("factor", 0.9), end_lr=0
        )
    if name == "MultiStepDecay":
        inner = plr.MultiStepDecay(
            learning_rate=cfg["learning_rate"], milestones=[spe * m for m in cfg["milestones"]], gamma=cfg["gamma"]
        )
        return warm(inner, cfg["learning_rate"])
    if name == "TwoStepCosine":
        inner = classes["TwoStepCosineDecay"](cfg["learning_rate"], T_max1=_TWO_STEP_FIRST_EPOCHS * spe, T_max2=t)
        return warm(inner, cfg["learning_rate"])
    raise AttributeError(f"module 'learning_rate' has no attribute {name!r}")


def paddle_reference_lrs(
    optimizer_cfg: Mapping[str, Any], epochs: int, steps_per_epoch: int, n_steps: int | None = None
) -> np.ndarray:
    """The lr at each of the first ``n_steps`` (default ``epochs * steps_per_epoch``) iterations, stepping the
    reference scheduler once per iteration as ``tools/program.py`` does (a float lr is never stepped)."""
    sched = paddle_reference_scheduler(optimizer_cfg, epochs, steps_per_epoch)
    n = epochs * steps_per_epoch if n_steps is None else n_steps
    if isinstance(sched, (int, float)):
        from paddle.optimizer.lr import LRScheduler  # noqa: F401 - the float is what the optimizer receives

        return np.full(n, float(sched))
    out = np.empty(n, dtype=np.float64)
    for k in range(n):
        out[k] = sched()
        sched.step()
    return out
