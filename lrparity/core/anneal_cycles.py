"""Cosine, tanh or polynomial annealing in cycles of growing length: timm's cycle schedulers, in their arithmetic."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from lrparity.core._math import SCALAR
from lrparity.core.base import Schedule, set_field
from lrparity.core.validation import check_choice, check_int, check_number

__all__ = ["AnnealCycles"]


@dataclass(frozen=True)
class AnnealCycles(Schedule):
    r"""Annealing from the base lr to ``eta_min`` over cycles whose length grows by ``cycle_mul`` and whose peak
    decays by ``cycle_decay``: timm's ``CosineLRScheduler``, ``TanhLRScheduler`` and ``PolyLRScheduler`` (without
    their warmup, which is :class:`~lrparity.core.incremental_warmup.IncrementalWarmup`).

    With :math:`T` = ``t_initial``, :math:`m` = ``cycle_mul``, the cycle :math:`i` of step :math:`t`, its length
    :math:`T_i` and the steps :math:`\tau` into it are

    .. math::
        i = \Bigl\lfloor \log_m\bigl(1 - \tfrac{t}{T}(1 - m)\bigr) \Bigr\rfloor,\quad
        T_i = m^i T,\quad \tau = t - \frac{1 - m^i}{1 - m} T \qquad (m \ne 1)

    and :math:`i = \lfloor t/T \rfloor`, :math:`T_i = T`, :math:`\tau = t - iT` for :math:`m = 1`. With the peak
    :math:`p = b\,d^{\,i}` (:math:`d` = ``cycle_decay``), :math:`k` = ``k_decay`` and :math:`\eta` = ``eta_min``:

    - ``cosine``: :math:`\eta + \tfrac12 (p - \eta)\bigl(1 + \cos(\pi \tau^k / T_i^k)\bigr)`;
    - ``tanh``: :math:`\eta + \tfrac12 (p - \eta)\bigl(1 - \tanh(l (1 - r) + u r)\bigr)` with :math:`r = \tau/T_i`,
      :math:`l` = ``lb``, :math:`u` = ``ub``;
    - ``poly``: :math:`\eta + (p - \eta)\,(1 - \tau^k / T_i^k)^{q}` with :math:`q` = ``power``;

    and :math:`\eta` from cycle ``cycle_limit`` on. Every operation is timm's, in its order (the cycle is found with
    timm's float logarithm, not integer arithmetic), so the values are bit-identical to timm 1.0.31. Where
    :math:`1 - \tfrac{t}{T}(1 - m) \le 0` (``cycle_mul < 1``, past the point where the shrinking cycles add up)
    timm's logarithm fails; there the lr is ``eta_min``, the limit of every later cycle.

    Compared with :class:`~lrparity.core.cosine.CosineRestarts` (integer ``T_mult``, exact cycle boundaries,
    torch's operation order): ``cycle_mul`` may be any real > 0 and the arithmetic is timm's.

    Args:
        t_initial: length of the first cycle in steps; >= 1.
        shape: ``"cosine"``, ``"tanh"`` or ``"poly"``.
        eta_min: absolute lr at the end of each cycle and after the last (timm's ``lr_min``); >= 0.
        cycle_mul: growth factor of each cycle's length; > 0 (< 1 needs ``cycle_limit``). timm default 1.0.
        cycle_decay: peak multiplier per cycle; >= 0. timm class default 1.0 (its factory 0.1, train.py 0.5).
        cycle_limit: number of cycles run before the lr holds ``eta_min``; >= 1, None: unlimited. timm default 1.
        k_decay: exponent ``k`` of the in-cycle progress (``cosine`` and ``poly``); > 0. Default 1.0.
        power: exponent ``q`` of ``poly``; >= 0. timm default 0.5 (train.py passes ``decay_rate``).
        lb: start of the tanh argument (``tanh``). timm default -7.0.
        ub: end of the tanh argument (``tanh``); > ``lb``. timm default 3.0.

    Example:
        >>> AnnealCycles(t_initial=4).values(range(6), base_lr=1.0).tolist()
        [1.0, 0.8535533905932737, 0.5, 0.14644660940672627, 0.0, 0.0]
    """

    t_initial: int
    shape: str = "cosine"
    eta_min: float = 0.0
    cycle_mul: float = 1.0
    cycle_decay: float = 1.0
    cycle_limit: int | None = 1
    k_decay: float = 1.0
    power: float = 0.5
    lb: float = -7.0
    ub: float = 3.0

    name = "anneal_cycles"

    def __post_init__(self) -> None:
        owner = "AnnealCycles"
        set_field(self, "t_initial", check_int(owner, "t_initial", self.t_initial, minimum=1))
        set_field(self, "shape", check_choice(owner, "shape", self.shape, ("cosine", "tanh", "poly")))
        set_field(self, "eta_min", check_number(owner, "eta_min", self.eta_min, low=0.0))
        set_field(self, "cycle_mul", check_number(owner, "cycle_mul", self.cycle_mul, low=0.0, low_open=True))
        set_field(self, "cycle_decay", check_number(owner, "cycle_decay", self.cycle_decay, low=0.0))
        if self.cycle_limit is not None:
            set_field(self, "cycle_limit", check_int(owner, "cycle_limit", self.cycle_limit, minimum=1))
        set_field(self, "k_decay", check_number(owner, "k_decay", self.k_decay, low=0.0, low_open=True))
        set_field(self, "power", check_number(owner, "power", self.power, low=0.0))
        set_field(self, "lb", check_number(owner, "lb", self.lb))
        set_field(self, "ub", check_number(owner, "ub", self.ub))
        if self.lb >= self.ub:
            raise ValueError(f"{owner}: lb must be < ub, got lb={self.lb!r}, ub={self.ub!r}")
        if self.shape == "tanh" and self.k_decay != 1:
            raise ValueError(f"{owner}: k_decay applies to shape 'cosine' and 'poly' (timm's tanh has none), got "
                             f"k_decay={self.k_decay!r} with shape='tanh'")  # fmt: skip
        if self.cycle_mul < 1 and self.cycle_limit is None:
            raise ValueError(
                f"{owner}: cycle_mul={self.cycle_mul!r} < 1 shrinks the cycles to nothing: give a cycle_limit"
            )

    def cycle(self, t: Any, m: Any) -> tuple[Any, Any, Any, Any]:
        """(cycle index i, steps into the cycle, cycle length T_i, past-the-end mask) at ``t``, as timm computes
        them (``m``: the math namespace). The mask is True where timm's logarithm has no argument (cycle_mul < 1)."""
        T, mul = self.t_initial, self.cycle_mul
        if mul == 1:
            i = t // T
            return i, t - (T * i), T, False
        x = 1 - t / T * (1 - mul)
        beyond = x <= 0
        if m.is_array:
            x = m.where(beyond, 1.0, x)
        elif beyond:
            return 0, 0, T, True
        i = m.floor(m.log(x) / m.log(mul))  # math.log(x, mul) is log(x) / log(mul), rounded the same
        t_i = m.pow(mul, i) * T
        t_curr = t - (1 - m.pow(mul, i)) / (1 - mul) * T
        return i, t_curr, t_i, beyond

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        i, t_curr, t_i, beyond = self.cycle(t, m)
        eta, k = self.eta_min, self.k_decay
        done = beyond if self.cycle_limit is None else (i >= self.cycle_limit) | beyond
        if not m.is_array and done:
            return eta
        lr_max = base * m.pow(self.cycle_decay, i)
        if self.shape == "tanh":
            tr = t_curr / t_i
            lr = eta + 0.5 * (lr_max - eta) * (1 - m.tanh(self.lb * (1.0 - tr) + self.ub * tr))
        else:
            if k == 1:  # x ** 1.0 is x exactly: skip the pow
                progress_k, length_k = t_curr, t_i
            else:
                progress_k = m.pow(t_curr, k)
                length_k = SCALAR.pow(t_i, k) if isinstance(t_i, int) else m.pow(t_i, k)
            if self.shape == "cosine":
                lr = eta + 0.5 * (lr_max - eta) * (1 + m.cos(math.pi * progress_k / length_k))
            else:
                lr = eta + (lr_max - eta) * m.pow(1 - progress_k / length_k, self.power)
        return m.where(done, eta, lr) if m.is_array else lr

    @property
    def length(self) -> int | None:
        """Steps of ``cycle_limit`` cycles, as timm's ``get_cycle_length()`` counts them (None: unlimited)."""
        if self.cycle_limit is None:
            return None
        mul, cycles = self.cycle_mul, self.cycle_limit
        if mul == 1:
            return self.t_initial * cycles
        return math.floor(-self.t_initial * (mul**cycles - 1) / (1 - mul))
