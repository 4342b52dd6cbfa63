"""Greedy lr adaptation (GreedyLR): raise the lr while a metric keeps improving, lower it on a plateau.

A metric-driven state machine like :class:`~lrparity.core.plateau.Plateau` (``initial_state`` then ``update`` with
each metric), reproducing transformers' ``GreedyLR`` (``lr_scheduler_type="greedy"``, transformers 5.x) step for
step: the same comparisons, the same float operations in the same order, the same counters.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lrparity.core.base import Configurable, set_field
from lrparity.core.plateau import _metric
from lrparity.core.validation import check_bool, check_choice, check_int, check_number

__all__ = ["Greedy", "GreedyState"]


@dataclass(frozen=True)
class GreedyState:
    """Where a :class:`Greedy` stands: the current lrs (one per param group), the lrs it resets to, its counters
    and its smoothing window."""

    lrs: tuple[float, ...]
    init_lrs: tuple[float, ...]
    best: float
    num_bad_epochs: int = 0
    num_good_epochs: int = 0
    cooldown_counter: int = 0
    warmup_counter: int = 0
    reset_start: int = 0
    last_epoch: int = 0
    window: tuple[float, ...] = ()
    window_sum: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "lrs": list(self.lrs),
            "init_lrs": list(self.init_lrs),
            "best": self.best,
            "num_bad_epochs": self.num_bad_epochs,
            "num_good_epochs": self.num_good_epochs,
            "cooldown_counter": self.cooldown_counter,
            "warmup_counter": self.warmup_counter,
            "reset_start": self.reset_start,
            "last_epoch": self.last_epoch,
            "window": list(self.window),
            "window_sum": self.window_sum,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GreedyState:
        """The state of :meth:`to_dict`'s dict (ValueError naming what is wrong otherwise)."""
        expected = set(cls.__dataclass_fields__)
        if not isinstance(data, Mapping) or set(data) != expected:
            raise ValueError(f"greedy state must be a mapping with exactly the keys {sorted(expected)}, got {data!r}")
        counts = {
            k: check_int("greedy state", k, data[k], minimum=0)
            for k in ("num_bad_epochs", "num_good_epochs", "cooldown_counter", "warmup_counter", "last_epoch")
        }
        return cls(
            lrs=tuple(float(v) for v in data["lrs"]),
            init_lrs=tuple(float(v) for v in data["init_lrs"]),
            best=float(data["best"]),
            reset_start=check_int("greedy state", "reset_start", data["reset_start"], minimum=-1),
            window=tuple(float(v) for v in data["window"]),
            window_sum=float(data["window_sum"]),
            **counts,
        )


def _bounds(owner: str, name: str, value: Any) -> float | tuple[float, ...]:
    if isinstance(value, (list, tuple)):
        return tuple(check_number(owner, f"{name}[{i}]", v, low=0.0) for i, v in enumerate(value))
    return check_number(owner, name, value, low=0.0)


@dataclass(frozen=True)
class Greedy(Configurable):
    r"""Greedy lr adaptation: transformers' ``GreedyLR`` (arXiv:2512.14527).

    After each metric (optionally a running mean of the last ``window_size``): an improvement (``min``/``rel``:
    :math:`a < \mathrm{best}\,(1 - \theta)`; ``abs``: :math:`a < \mathrm{best} - \theta`; ``max`` mirrored) counts
    a good step, anything else a bad step. More than ``patience`` good steps in a row divide each lr by ``factor``
    (capped at ``max_lr``, applied if it raises the lr by more than ``eps``), then ``warmup`` steps follow without
    counting; more than ``patience`` bad steps multiply it by ``factor`` (floored at ``min_lr``, applied if it lowers
    the lr by more than ``eps``), then ``cooldown`` steps without counting. Once every group sits at its ``min_lr``
    for ``reset_start`` reductions, everything resets to the starting lrs.

    Args:
        mode: ``"min"`` or ``"max"``.
        factor: the multiplier of a reduction (its inverse raises); in (0, 1).
        patience: good or bad steps tolerated before acting; >= 0.
        threshold: significance of an improvement; >= 0.
        threshold_mode: ``"rel"`` or ``"abs"``.
        cooldown: steps without counting after a reduction; >= 0.
        warmup: steps without counting after a raise; >= 0.
        min_lr: floor (absolute lr), one number or one per param group; >= 0.
        max_lr: ceiling (absolute lr), one number or one per param group; >= 0.
        eps: smallest change applied; >= 0.
        smooth: compare a running mean of the metrics instead of the metric itself.
        window_size: metrics in that running mean; >= 1.
        reset_start: reductions with every lr at its floor before the reset; >= 0 (0 and 1 both reset at the
            first one, as in GreedyLR).
        start_lr: the lr it starts from (absolute); None: the optimizer's lr.

    Example:
        >>> g = Greedy(factor=0.5, patience=0, min_lr=0.0)
        >>> s, lrs = g.initial_state([0.1]), []
        >>> for metric in [1.0, 0.5, 0.5]:  # better, better, worse
        ...     s = g.update(s, metric)
        ...     lrs.append(s.lrs[0])
        >>> lrs
        [0.2, 0.4, 0.2]
    """

    mode: str = "min"
    factor: float = 0.95
    patience: int = 10
    threshold: float = 1e-6
    threshold_mode: str = "abs"
    cooldown: int = 0
    warmup: int = 0
    min_lr: float | tuple[float, ...] = 1e-3
    max_lr: float | tuple[float, ...] = 1.0
    eps: float = 1e-8
    smooth: bool = False
    window_size: int = 50
    reset_start: int = 500
    start_lr: float | None = None

    name = "greedy"

    def __post_init__(self) -> None:
        owner = "Greedy"
        set_field(self, "mode", check_choice(owner, "mode", self.mode, ("min", "max")))
        set_field(self, "factor", check_number(owner, "factor", self.factor, low=0.0, low_open=True))
        if self.factor >= 1:
            raise ValueError(
                f"Greedy: factor must be < 1.0 (a reduction multiplies the lr by it, a raise divides by it), "
                f"got {self.factor!r}"
            )
        set_field(self, "patience", check_int(owner, "patience", self.patience, minimum=0))
        set_field(self, "threshold", check_number(owner, "threshold", self.threshold, low=0.0))
        set_field(self, "threshold_mode", check_choice(owner, "threshold_mode", self.threshold_mode, ("rel", "abs")))
        set_field(self, "cooldown", check_int(owner, "cooldown", self.cooldown, minimum=0))
        set_field(self, "warmup", check_int(owner, "warmup", self.warmup, minimum=0))
        set_field(self, "min_lr", _bounds(owner, "min_lr", self.min_lr))
        set_field(self, "max_lr", _bounds(owner, "max_lr", self.max_lr))
        sizes = {len(v) for v in (self.min_lr, self.max_lr) if isinstance(v, tuple)}
        if len(sizes) > 1:
            raise ValueError(
                f"Greedy: min_lr ({len(self.min_lr)} entries) and max_lr ({len(self.max_lr)} entries) must give one "  # type: ignore[arg-type]
                "value per param group each"
            )
        set_field(self, "eps", check_number(owner, "eps", self.eps, low=0.0))
        set_field(self, "smooth", check_bool(owner, "smooth", self.smooth))
        set_field(self, "window_size", check_int(owner, "window_size", self.window_size, minimum=1))
        set_field(self, "reset_start", check_int(owner, "reset_start", self.reset_start, minimum=0))
        if self.start_lr is not None:
            set_field(self, "start_lr", check_number(owner, "start_lr", self.start_lr, low=0.0))

    def _per_group(self, name: str, groups: int) -> tuple[float, ...]:
        value = getattr(self, name)
        if isinstance(value, tuple):
            if len(value) != groups:
                raise ValueError(f"Greedy: {name} has {len(value)} entries but there are {groups} param groups")
            return value
        return (value,) * groups

    def initial_state(self, lrs: Any) -> GreedyState:
        """The state before the first metric, for the given starting lr(s) (``start_lr`` when given)."""
        if self.start_lr is not None:
            lrs = self.start_lr
        values = (float(lrs),) if isinstance(lrs, numbers.Real) else tuple(float(v) for v in lrs)
        self._per_group("min_lr", len(values))
        self._per_group("max_lr", len(values))
        best = math.inf if self.mode == "min" else -math.inf
        return GreedyState(lrs=values, init_lrs=values, best=best, reset_start=self.reset_start)

    def is_better(self, a: float, best: float) -> bool:
        th = self.threshold
        if self.mode == "min":
            return a < best * (1.0 - th) if self.threshold_mode == "rel" else a < best - th
        return a > best * (1.0 + th) if self.threshold_mode == "rel" else a > best + th

    def update(self, state: GreedyState, metric: Any) -> GreedyState:
        """The state after one ``step(metric)``."""
        current = _metric(metric)
        window, total = state.window, state.window_sum
        if self.smooth:
            window, total = (*window, current), total + current
            if len(window) > self.window_size:
                total -= window[0]
                window = window[1:]
            current = total / len(window)
        lrs, best, reset = state.lrs, state.best, state.reset_start
        bad, good, cooldown, warmup = (
            state.num_bad_epochs, state.num_good_epochs, state.cooldown_counter, state.warmup_counter
        )  # fmt: skip
        if cooldown > 0:
            cooldown, bad, good = cooldown - 1, 0, 0
        elif warmup > 0:
            warmup, bad, good = warmup - 1, 0, 0
        else:
            if self.is_better(current, best):
                best, bad, good = current, 0, good + 1
            else:
                bad, good = bad + 1, 0
            if good > self.patience:
                ceilings = self._per_group("max_lr", len(lrs))
                raised = []
                for old, ceiling in zip(lrs, ceilings):
                    new = min(old / self.factor, ceiling)
                    raised.append(new if new - old > self.eps else old)
                lrs, reset, warmup, good = tuple(raised), self.reset_start, self.warmup, 0
            elif bad > self.patience:
                floors = self._per_group("min_lr", len(lrs))
                lowered = []
                for old, floor in zip(lrs, floors):
                    new = max(old * self.factor, floor)
                    lowered.append(new if old - new > self.eps else old)
                lrs, cooldown, bad = tuple(lowered), self.cooldown, 0
                if all(lr <= floor for lr, floor in zip(lrs, floors)):
                    reset -= 1
                    if reset <= 0:
                        return GreedyState(
                            lrs=state.init_lrs,
                            init_lrs=state.init_lrs,
                            best=math.inf if self.mode == "min" else -math.inf,
                            cooldown_counter=self.cooldown,  # GreedyLR sets it after the reduction that reset
                            reset_start=self.reset_start,
                            last_epoch=state.last_epoch + 1,
                        )
        return GreedyState(
            lrs=lrs, init_lrs=state.init_lrs, best=best, num_bad_epochs=bad, num_good_epochs=good,
            cooldown_counter=cooldown, warmup_counter=warmup, reset_start=reset, last_epoch=state.last_epoch + 1,
            window=window, window_sum=total,
        )  # fmt: skip
