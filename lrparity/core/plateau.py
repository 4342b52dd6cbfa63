"""Reduce the lr when a metric stops improving: a small framework-neutral state machine.

torch ``ReduceLROnPlateau`` and paddle ``ReduceOnPlateau`` share their parameters but not their cooldown:
torch keeps tracking the best metric during cooldown, paddle ignores metrics until the cooldown is over, and
their relative thresholds round differently (``best * (1 - th)`` vs ``best - best * th``). ``semantics``
picks one, exactly. An optional warmup phase (timm's ``PlateauLRScheduler``, ``GradualWarmupScheduler`` with a
``ReduceLROnPlateau``) sets the lr from a schedule for the first updates, ignoring their metrics.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from lrparity.core.base import Configurable, Schedule, set_field
from lrparity.core.validation import check_choice, check_int, check_number, check_number_sequence

__all__ = ["Plateau", "PlateauState"]


@dataclass(frozen=True)
class PlateauState:
    """Where a :class:`Plateau` stands: the current lrs (one per param group) and its counters.

    ``base_lrs`` (one per param group) are the lrs a plateau with a warmup evaluates its warmup on; None for a
    plateau without one (its dict then has no ``base_lrs`` key, as before warmups existed).
    """

    lrs: tuple[float, ...]
    best: float | None = None
    num_bad_epochs: int = 0
    cooldown_counter: int = 0
    last_epoch: int = 0
    base_lrs: tuple[float, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "lrs": list(self.lrs),
            "best": self.best,
            "num_bad_epochs": self.num_bad_epochs,
            "cooldown_counter": self.cooldown_counter,
            "last_epoch": self.last_epoch,
        }
        if self.base_lrs is not None:
            data["base_lrs"] = list(self.base_lrs)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PlateauState:
        """The state of :meth:`to_dict`'s dict: ValueError/TypeError naming the key for anything else (lrs: a
        non-empty list of finite numbers >= 0; best: None or a number; the counters: ints >= 0; the optional
        ``base_lrs``: as many numbers >= 0 as ``lrs``)."""
        expected = {"lrs", "best", "num_bad_epochs", "cooldown_counter", "last_epoch"}
        if not isinstance(data, Mapping):
            raise ValueError(f"plateau state must be a mapping with exactly the keys {sorted(expected)}, got {data!r}")
        if set(data) not in (expected, expected | {"base_lrs"}):
            raise ValueError(
                f"plateau state must have exactly the keys {sorted(expected)} (and 'base_lrs' for a plateau with a "
                f"warmup), got {sorted(map(str, data))}"
            )
        best = data["best"]
        if best is not None and (isinstance(best, bool) or not isinstance(best, numbers.Real)):
            raise TypeError(f"plateau state: best must be None or a number, got {best!r}")
        counts = {}
        for key in ("num_bad_epochs", "cooldown_counter", "last_epoch"):
            value = data[key]
            if isinstance(value, float) and value.is_integer():
                value = int(value)  # 3.0 from a JSON writer: the same count
            counts[key] = check_int("plateau state", key, value, minimum=0)
        lrs = tuple(float(v) for v in check_number_sequence("plateau state", "lrs", data["lrs"], low=0.0))
        base_lrs = None
        if "base_lrs" in data:
            base_lrs = tuple(
                float(v) for v in check_number_sequence("plateau state", "base_lrs", data["base_lrs"], low=0.0)
            )
            if len(base_lrs) != len(lrs):
                raise ValueError(
                    f"plateau state: base_lrs has {len(base_lrs)} entries but lrs has {len(lrs)} (one per param group)"
                )
        return cls(lrs=lrs, best=None if best is None else float(best), **counts, base_lrs=base_lrs)


def _metric(value: Any) -> float:
    if isinstance(value, bool):
        raise TypeError(f"metric must be a number, got {value!r}")
    if isinstance(value, numbers.Real):
        return float(value)
    size = getattr(value, "size", None)
    size = size() if callable(size) else size
    if size is not None and int(np.prod(size)) != 1:
        raise ValueError(f"metric must hold exactly one value, got one of size {size} (reduce it first, e.g. mean)")
    try:
        item = getattr(value, "item", None)
        return float(item() if callable(item) else value)
    except (TypeError, ValueError):
        raise TypeError(f"metric must be a number or a one-element array/tensor, got {value!r}") from None


@dataclass(frozen=True)
class Plateau(Configurable):
    r"""Reduce-on-plateau: multiply each lr by ``factor`` once the metric has not improved for ``patience``
    steps: torch ``ReduceLROnPlateau``, paddle ``ReduceOnPlateau``.

    "Improved" (``min`` / ``rel``): :math:`a < \mathrm{best}\,(1 - \theta)` (torch) or
    :math:`a < \mathrm{best} - \mathrm{best}\,\theta` (paddle); ``abs``: :math:`a < \mathrm{best} - \theta`;
    ``max`` mirrors it. A reduction gives :math:`\max(\mathrm{lr} f, \mathrm{min\_lr})`, applied only if it
    lowers the lr by more than ``eps``; then ``cooldown`` steps follow in which no reduction happens.

    Warmup (``warmup`` :math:`w`, ``warmup_steps`` :math:`W \ge 1`): with :math:`b_i` the base lr of param group
    :math:`i` (``start_lr``, else the group's lr when the plateau starts), the lr after :math:`t` updates is

    .. math:: \mathrm{lr}_i(t) = w_i(t, b_i) \quad (0 \le t \le W)

    (:math:`w_i`: the warmup's schedule for group :math:`i`, ``warmup.for_group(i)``), and the metrics of the
    updates :math:`1..W` are ignored (None is accepted for them). From update :math:`W + 1` on, the state machine
    above runs from the lr :math:`w_i(W, b_i)` where the warmup ended, with a fresh ``best`` and counters: timm's
    ``PlateauLRScheduler`` (:math:`W` = ``warmup_t``, :math:`w(t) = \mathrm{warmup\_lr\_init} + t\,s` for
    ``epoch <= warmup_t``) and ``GradualWarmupScheduler`` with a ``ReduceLROnPlateau`` after it
    (:math:`W = T - 1`). ``last_epoch`` counts every update, the warmup's included.

    Args:
        mode: ``"min"`` or ``"max"`` (case-insensitive, as paddle).
        factor: multiplier of a reduction; in [0, 1).
        patience: steps without improvement tolerated; >= 0.
        threshold: significance of an improvement; >= 0.
        threshold_mode: ``"rel"`` or ``"abs"``.
        cooldown: steps after a reduction without counting; >= 0.
        min_lr: floor (absolute lr), one number or one per param group; >= 0.
        eps: smallest change applied (paddle ``epsilon``); >= 0.
        semantics: ``"torch"`` or ``"paddle"``: cooldown and threshold arithmetic of that framework.
        start_lr: the lr the plateau starts from (absolute), as paddle's ``ReduceOnPlateau(learning_rate)``
            holds it; >= 0. None (the default): the optimizer's lr (torch: each param group's ``lr``; paddle:
            the ``learning_rate`` argument). Given, the backends start every param group from it and refuse
            another ``learning_rate``. ``to_config()`` leaves it out when None, so older configs and states
            compare equal.
        warmup: the schedule of the warmup phase, a function of the update count :math:`t` evaluated on each
            group's base lr (relative, or absolute when it pins its own values); None (the default): no warmup.
        warmup_steps: updates whose lr comes from ``warmup`` and whose metric is ignored; >= 1 with a warmup,
            0 (the default) without. ``to_config()`` leaves both out when there is no warmup.

    Example:
        >>> p = Plateau(patience=1)
        >>> s = p.initial_state([0.1])
        >>> for metric in [1.0, 1.0, 1.0]:
        ...     s = p.update(s, metric)
        >>> s.lrs
        (0.010000000000000002,)
    """

    mode: str = "min"
    factor: float = 0.1
    patience: int = 10
    threshold: float = 1e-4
    threshold_mode: str = "rel"
    cooldown: int = 0
    min_lr: float | tuple[float, ...] = 0.0
    eps: float = 1e-8
    semantics: str = "torch"
    start_lr: float | None = None
    warmup: Schedule | None = None
    warmup_steps: int = 0

    name = "reduce_on_plateau"

    def __post_init__(self) -> None:
        set_field(self, "mode", check_choice("Plateau", "mode", self.mode, ("min", "max")))
        set_field(self, "factor", check_number("Plateau", "factor", self.factor, low=0.0, high=1.0, high_open=True))
        set_field(self, "patience", check_int("Plateau", "patience", self.patience, minimum=0))
        set_field(self, "threshold", check_number("Plateau", "threshold", self.threshold, low=0.0))
        set_field(
            self, "threshold_mode", check_choice("Plateau", "threshold_mode", self.threshold_mode, ("rel", "abs"))
        )
        set_field(self, "cooldown", check_int("Plateau", "cooldown", self.cooldown, minimum=0))
        if isinstance(self.min_lr, (list, tuple)):
            set_field(
                self,
                "min_lr",
                tuple(check_number("Plateau", f"min_lr[{i}]", v, low=0.0) for i, v in enumerate(self.min_lr)),
            )
        else:
            set_field(self, "min_lr", check_number("Plateau", "min_lr", self.min_lr, low=0.0))
        set_field(self, "eps", check_number("Plateau", "eps", self.eps, low=0.0))
        set_field(self, "semantics", check_choice("Plateau", "semantics", self.semantics, ("torch", "paddle")))
        if self.start_lr is not None:
            set_field(self, "start_lr", check_number("Plateau", "start_lr", self.start_lr, low=0.0))
        set_field(self, "warmup_steps", check_int("Plateau", "warmup_steps", self.warmup_steps, minimum=0))
        if self.warmup is None:
            if self.warmup_steps:
                raise ValueError(
                    f"Plateau: warmup_steps={self.warmup_steps} needs a warmup schedule (warmup=...); without one "
                    "warmup_steps must be 0"
                )
            return
        if not isinstance(self.warmup, Schedule):
            raise TypeError(f"Plateau: warmup must be an lrparity Schedule or None, got {self.warmup!r}")
        if not self.warmup_steps:
            raise ValueError(
                "Plateau: a warmup needs warmup_steps >= 1 (the updates it lasts, ignoring their metrics), got 0; "
                "for a plateau that only starts from another lr, give start_lr"
            )
        if self.warmup.companions():
            raise ValueError(
                f"Plateau: the warmup also drives {sorted(self.warmup.companions())}, which a plateau does not "
                "write; give a warmup of the lr alone"
            )

    def to_config(self) -> dict[str, Any]:
        """The config dict; ``start_lr`` only when given, ``warmup`` and ``warmup_steps`` only with a warmup
        (configs written before they existed stay equal)."""
        config = super().to_config()
        if self.start_lr is None:
            del config["start_lr"]
        if self.warmup is None:
            del config["warmup"], config["warmup_steps"]
        return config

    def min_lrs(self, groups: int) -> tuple[float, ...]:
        if isinstance(self.min_lr, tuple):
            if len(self.min_lr) != groups:
                raise ValueError(f"Plateau: min_lr has {len(self.min_lr)} entries but there are {groups} param groups")
            return self.min_lr
        return (self.min_lr,) * groups

    def warmup_lrs(self, step: int, base_lrs: tuple[float, ...]) -> tuple[float, ...]:
        """The warmup's lr of each param group after ``step`` updates (0 <= step <= ``warmup_steps``)."""
        if self.warmup is None:
            raise ValueError("Plateau.warmup_lrs: this plateau has no warmup")
        return tuple(self.warmup.for_group(i).value(step, base) for i, base in enumerate(base_lrs))

    def initial_state(self, lrs: Any) -> PlateauState:
        """The state before the first metric, for the given starting lr(s) (with a warmup: the base lrs, the
        state's lrs being the warmup's at step 0)."""
        values = (float(lrs),) if isinstance(lrs, numbers.Real) else tuple(float(v) for v in lrs)
        self.min_lrs(len(values))
        best = None if self.semantics == "paddle" else (math.inf if self.mode == "min" else -math.inf)
        if self.warmup is not None:
            return PlateauState(lrs=self.warmup_lrs(0, values), best=best, base_lrs=values)
        return PlateauState(lrs=values, best=best)

    def is_better(self, a: float, best: float | None) -> bool:
        if best is None:
            return True
        th = self.threshold
        if self.threshold_mode == "abs":
            return a < best - th if self.mode == "min" else a > best + th
        if self.semantics == "torch":
            return a < best * (1.0 - th) if self.mode == "min" else a > best * (th + 1.0)
        return a < best - best * th if self.mode == "min" else a > best + best * th

    def _reduce(self, lrs: tuple[float, ...]) -> tuple[float, ...]:
        out = []
        for old, floor in zip(lrs, self.min_lrs(len(lrs))):
            new = max(old * self.factor, floor)
            out.append(new if old - new > self.eps else old)
        return tuple(out)

    def update(self, state: PlateauState, metric: Any) -> PlateauState:
        """The state after one ``step(metric)`` (during the warmup: the warmup's lrs, the metric ignored; it may be
        None there, anything else must still be a metric)."""
        step = state.last_epoch + 1
        if step <= self.warmup_steps:
            if metric is not None:
                _metric(metric)
            if state.base_lrs is None or len(state.base_lrs) != len(state.lrs):
                raise ValueError(
                    f"Plateau.update: this plateau warms up for {self.warmup_steps} updates, and the state has no "
                    f"base_lrs (one per param group) to evaluate its warmup on (base_lrs={state.base_lrs!r}); "
                    "start from Plateau.initial_state"
                )
            return dataclasses.replace(state, lrs=self.warmup_lrs(step, state.base_lrs), last_epoch=step)
        a = _metric(metric)
        best, bad, counter, lrs = state.best, state.num_bad_epochs, state.cooldown_counter, state.lrs
        if self.semantics == "paddle" and counter > 0:
            counter -= 1
        else:
            if self.is_better(a, best):
                best, bad = a, 0
            else:
                bad += 1
            if self.semantics == "torch" and counter > 0:
                counter -= 1
                bad = 0
            if bad > self.patience:
                lrs = self._reduce(lrs)
                counter, bad = self.cooldown, 0
        return PlateauState(
            lrs=lrs,
            best=best,
            num_bad_epochs=bad,
            cooldown_counter=counter,
            last_epoch=step,
            base_lrs=state.base_lrs,
        )
