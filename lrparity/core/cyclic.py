"""Cyclical learning rates (Smith 2017): a triangle between two absolute bounds, with amplitude scaling."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from lrparity.core.base import Schedule, set_field
from lrparity.core.validation import check_bool, check_choice, check_number

__all__ = ["Cyclic"]

_MODES = ("triangular", "triangular2", "exp_range")


@dataclass(frozen=True)
class Cyclic(Schedule):
    r"""Cyclical lr between ``base_lr`` and ``max_lr``: torch ``CyclicLR``, paddle ``CyclicLR``.

    With :math:`L = u + d`, :math:`c = \lfloor 1 + t/L \rfloor`, :math:`x = 1 + t/L - c` and
    :math:`h = x/(u/L)` if :math:`x \le u/L` else :math:`(x - 1)/(u/L - 1)`:

    .. math:: \mathrm{lr}(t) = \mathrm{base} + (\mathrm{max} - \mathrm{base})\, h\, \mathrm{scale}(c \text{ or } t)

    ``scale`` is 1 (``triangular``), :math:`1/2^{c-1}` (``triangular2``), :math:`\gamma^{t}` (``exp_range``)
    or ``scale_fn`` (called with the cycle number or the step, per ``scale_mode``). Absolute: the base lr of
    the optimizer is not used. With ``invert=True`` the curve starts at ``max_lr`` and dips to ``base_lr``
    (:math:`\mathrm{max} - (\mathrm{max} - \mathrm{base})\,h\,\mathrm{scale}`): that is how torch cycles
    momentum, see :meth:`companions`. torch's ``cycle_momentum`` defaults to True; lrparity's to False.

    Args:
        base_lr: lower bound (absolute lr); >= 0.
        max_lr: upper bound (absolute lr); >= 0.
        step_size_up: steps from base to max; > 0 (torch accepts floats, paddle ints).
        step_size_down: steps from max back to base; default ``step_size_up``.
        mode: ``"triangular"``, ``"triangular2"`` or ``"exp_range"``; ignored when ``scale_fn`` is given.
        gamma: ``exp_range`` factor per step (paddle's ``exp_gamma``); > 0.
        scale_fn: custom amplitude scale (module-level function to round-trip); overrides ``mode``.
        scale_mode: ``"cycle"`` or ``"iterations"``: what ``scale_fn`` receives.
        cycle_momentum: also drive momentum (Adam: beta1) between ``max_momentum`` and ``base_momentum``.
        base_momentum: momentum at the lr peak; default 0.8.
        max_momentum: momentum at the lr trough; default 0.9.
        invert: cycle from ``max_lr`` down to ``base_lr`` (the momentum curve).

    Example:
        >>> Cyclic(base_lr=0.0, max_lr=1.0, step_size_up=2).values(range(5)).tolist()
        [0.0, 0.5, 1.0, 0.5, 0.0]
    """

    base_lr: float
    max_lr: float
    step_size_up: float = 2000
    step_size_down: float | None = None
    mode: str = "triangular"
    gamma: float = 1.0
    scale_fn: Callable[[float], float] | None = None
    scale_mode: str = "cycle"
    cycle_momentum: bool = False
    base_momentum: float = 0.8
    max_momentum: float = 0.9
    invert: bool = False

    name = "cyclic"
    uses_base_lr = False

    def __post_init__(self) -> None:
        set_field(self, "base_lr", check_number("Cyclic", "base_lr", self.base_lr, low=0.0))
        set_field(self, "max_lr", check_number("Cyclic", "max_lr", self.max_lr, low=0.0))
        set_field(
            self, "step_size_up", check_number("Cyclic", "step_size_up", self.step_size_up, low=0.0, low_open=True)
        )
        if self.step_size_down is not None:
            set_field(
                self,
                "step_size_down",
                check_number("Cyclic", "step_size_down", self.step_size_down, low=0.0, low_open=True),
            )
        if self.scale_fn is None:
            object.__setattr__(self, "mode", check_choice("Cyclic", "mode", self.mode, _MODES))
        elif not callable(self.scale_fn):
            raise TypeError(f"Cyclic: scale_fn must be a callable or None, got {self.scale_fn!r}")
        set_field(self, "gamma", check_number("Cyclic", "gamma", self.gamma, low=0.0, low_open=True))
        object.__setattr__(
            self, "scale_mode", check_choice("Cyclic", "scale_mode", self.scale_mode, ("cycle", "iterations"))
        )
        set_field(self, "cycle_momentum", check_bool("Cyclic", "cycle_momentum", self.cycle_momentum))
        set_field(self, "base_momentum", check_number("Cyclic", "base_momentum", self.base_momentum, low=0.0))
        set_field(self, "max_momentum", check_number("Cyclic", "max_momentum", self.max_momentum, low=0.0))
        set_field(self, "invert", check_bool("Cyclic", "invert", self.invert))

    def _scale(self, cycle: Any, t: Any, m: Any) -> Any:
        if self.scale_fn is not None:
            return m.apply(self.scale_fn, cycle if self.scale_mode == "cycle" else t)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return m.pow(0.5, cycle - 1)  # == 1 / 2.0**(c - 1) exactly, but underflows to 0 instead of overflowing
        return m.pow(self.gamma, t)

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        up = float(self.step_size_up)
        down = float(self.step_size_down) if self.step_size_down is not None else up
        total = up + down
        ratio = up / total
        cycle = m.floor(1 + t / total)
        cycle = cycle.astype(np.int64) if m.is_array else int(cycle)
        x = 1.0 + t / total - cycle
        height = m.where(x <= ratio, x / ratio, (x - 1) / (ratio - 1) if ratio != 1 else 0.0)
        if self.invert:
            return self.max_lr - (self.max_lr - self.base_lr) * height * self._scale(cycle, t, m)
        return self.base_lr + (self.max_lr - self.base_lr) * height * self._scale(cycle, t, m)

    def companions(self) -> Mapping[str, Schedule]:
        """``{"momentum": ...}`` when ``cycle_momentum``: the inverted cycle between the momentum bounds."""
        if not self.cycle_momentum:
            return {}
        return {
            "momentum": self.replace(
                base_lr=self.base_momentum, max_lr=self.max_momentum, cycle_momentum=False, invert=not self.invert
            )
        }

    @property
    def length(self) -> int | None:
        down = self.step_size_down if self.step_size_down is not None else self.step_size_up
        return math.ceil(self.step_size_up + down)
