"""Constant learning rates: the base lr itself, or a factor of it for the first steps (torch ConstantLR)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lrparity.core.base import Schedule, set_field
from lrparity.core.validation import check_int, check_number

__all__ = ["Constant"]


@dataclass(frozen=True)
class Constant(Schedule):
    r"""The base lr, scaled by ``factor`` until step ``total_steps``.

    .. math::
        \mathrm{lr}(t) = b \cdot \bigl(f + [t \ge T]\,(1 - f)\bigr)

    With the defaults (``factor=1.0``) this is the constant base lr: a paddle float learning rate, PaddleOCR's
    ``Const``. torch ``ConstantLR(factor=1/3, total_iters=5)`` is ``Constant(factor=1/3, total_steps=5)``
    (torch's defaults are 1/3 and 5; the natives' recursion restores ``b*f*(1/f)``, which may differ from ``b``
    by one ulp; this closed form is torch's own ``_get_closed_form_lr``).

    Args:
        factor: multiplier of the base lr before ``total_steps``; >= 0.
        total_steps: step (count of ``step()`` calls) from which the full base lr applies; None: never.

    Example:
        >>> Constant(factor=0.5, total_steps=2).values(range(4), base_lr=0.1).tolist()
        [0.05, 0.05, 0.1, 0.1]
    """

    factor: float = 1.0
    total_steps: int | None = None

    name = "constant"

    def __post_init__(self) -> None:
        set_field(self, "factor", check_number("Constant", "factor", self.factor, low=0.0))
        if self.total_steps is not None:
            set_field(self, "total_steps", check_int("Constant", "total_steps", self.total_steps, minimum=0))

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        f = self.factor
        if self.total_steps is None:
            return base * f
        return base * (f + (t >= self.total_steps) * (1 - f))

    @property
    def length(self) -> int | None:
        return self.total_steps
