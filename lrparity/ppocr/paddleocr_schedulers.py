"""PaddleOCR's own schedulers, restated as paddle ``LRScheduler`` subclasses (importing this module imports paddle).

``CyclicalCosineDecay``, ``OneCycleDecay`` and ``TwoStepCosineDecay`` of PaddleOCR's ``ppocr/optimizer/lr_scheduler.py``
with the same semantics, written for lrparity (not copied). :mod:`lrparity.ppocr.reference` builds them the way
PaddleOCR does; they never use lrparity's core.
"""

from __future__ import annotations

import math

from paddle.optimizer.lr import LRScheduler

__all__ = ["CyclicalCosineDecay", "OneCycleDecay", "TwoStepCosineDecay"]


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
        total = epochs * steps_per_epoch
        self.total = total
        low = max_lr / div
        final = low / final_div
        # (last step of the phase, lr at its start, lr at its end)
        if three_phase:
            self.phases = [
                (float(pct * total) - 1, low, max_lr),
                (float(2 * pct * total) - 2, max_lr, low),
                (total - 1, low, final),
            ]
        else:
            self.phases = [(float(pct * total) - 1, low, max_lr), (total - 1, max_lr, final)]
        self.cosine = anneal_strategy == "cos"
        super().__init__(max_lr, last_epoch)

    def get_lr(self) -> float:
        step = self.last_epoch
        if step > self.total:
            raise ValueError(f"Tried to step {step + 1} times; total steps is {self.total}")
        begin = 0
        for i, (end, start_lr, end_lr) in enumerate(self.phases):
            if step <= end or i == len(self.phases) - 1:
                frac = (step - begin) / (end - begin)
                if self.cosine:
                    return end_lr + (start_lr - end_lr) / 2.0 * (math.cos(math.pi * frac) + 1)
                return (end_lr - start_lr) * frac + start_lr
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
