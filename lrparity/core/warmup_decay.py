"""Warmup-then-decay multipliers as Hugging Face and PaddleNLP write them: ``base * lambda(t)``, op for op.

``transformers.get_{linear,cosine,cosine_with_hard_restarts,polynomial_decay,constant}_schedule_with_warmup`` (a torch
``LambdaLR``) and PaddleNLP's ``get_scheduler`` / ``paddlenlp.transformers.optimization`` classes (a paddle
``LambdaDecay``) compute the lr as ``base_lr * lambda(t)`` with the same lambdas. The classes here evaluate those
lambdas with the same float operations in the same order, so their values are bit-identical to both libraries at
every step (``t`` counts ``scheduler.step()`` calls). Every warmup here ramps the *multiplier* linearly from 0 as
``float(t) / float(max(1, W))``; a :class:`~lrparity.core.warmup.Warmup` computes ``(b - a) * t / W + a`` instead,
which can differ in the last bit, hence these classes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from lrparity.core.base import Schedule, set_field
from lrparity.core.compose import by_segment
from lrparity.core.validation import check_bool, check_int, check_number

__all__ = ["ConstantWarmup", "CosineWarmupDecay", "LinearWarmupDecay", "PolynomialWarmupDecay"]


def _as_float(t: Any, m: Any) -> Any:
    """``float(t)`` of an int step, or the float64 array of an int64 array (exact below 2**53)."""
    return t.astype(np.float64) if m.is_array else float(t)


def _warmup_ramp(t: Any, warmup_steps: int, m: Any) -> Any:
    """The lambdas' warmup multiplier ``float(t) / float(max(1, W))``."""
    return _as_float(t, m) / float(max(1, warmup_steps))


def _non_negative(x: Any, m: Any) -> Any:
    """``max(0.0, x)`` as Python's ``max`` returns it: 0.0 unless ``x > 0.0``."""
    return m.where(x > 0.0, x, 0.0)


def _check_steps(owner: str, warmup_steps: Any, total_steps: Any) -> tuple[int, int]:
    return (
        check_int(owner, "warmup_steps", warmup_steps, minimum=0),
        check_int(owner, "total_steps", total_steps, minimum=1),
    )


@dataclass(frozen=True)
class LinearWarmupDecay(Schedule):
    r"""Linear warmup from 0 to the base lr, then linear decay to 0: Hugging Face ``linear``
    (``get_linear_schedule_with_warmup``), PaddleNLP ``linear`` and ``LinearDecayWithWarmup``.

    .. math::
        \mathrm{lr}(t) = b \cdot \begin{cases}
            t / \max(1, W) & t < W \\
            \max\bigl(0,\ (N - t) / \max(1, N - W)\bigr) & t \ge W
        \end{cases}

    Holds 0 from step ``N`` on. Bit-identical to both libraries' ``LambdaLR`` / ``LambdaDecay``.

    Args:
        warmup_steps: ``W``, steps of the warmup; >= 0 (0: no warmup).
        total_steps: ``N``, the step at which the lr reaches 0 (``num_training_steps``); >= 1.

    Example:
        >>> LinearWarmupDecay(warmup_steps=2, total_steps=6).values(range(7), base_lr=1.0).tolist()
        [0.0, 0.5, 1.0, 0.75, 0.5, 0.25, 0.0]
    """

    warmup_steps: int
    total_steps: int

    name = "linear_warmup_decay"

    def __post_init__(self) -> None:
        w, n = _check_steps("LinearWarmupDecay", self.warmup_steps, self.total_steps)
        set_field(self, "warmup_steps", w)
        set_field(self, "total_steps", n)

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        w, n = self.warmup_steps, self.total_steps
        span = float(max(1, n - w))

        def decay(x: Any) -> Any:
            return base * _non_negative(_as_float(n - x, m) / span, m)

        return by_segment(t, m, (w,), [lambda x: base * _warmup_ramp(x, w, m), decay])

    @property
    def length(self) -> int | None:
        return self.total_steps


@dataclass(frozen=True)
class CosineWarmupDecay(Schedule):
    r"""Linear warmup from 0 to the base lr, then a cosine: Hugging Face ``cosine``, ``cosine_with_min_lr``
    (``min_lr_rate``) and ``cosine_with_restarts`` (``hard_restarts``); PaddleNLP ``cosine`` and
    ``CosineDecayWithWarmup``.

    With :math:`p = (t - W) / \max(1, N - W)` and :math:`c` = ``num_cycles``, for :math:`t \ge W`:

    .. math::
        f = \tfrac12\bigl(1 + \cos(\pi c \cdot 2 p)\bigr), \qquad
        \mathrm{lr}(t) = b \cdot \max\bigl(0,\ f\,(1 - r) + r\bigr)

    (``r`` = ``min_lr_rate``; with ``r = 0`` the step ``f (1 - r) + r`` is skipped, which gives the same bits). The
    default ``num_cycles=0.5`` is half a wave, from the base lr to 0 at ``N``; past ``N`` the curve keeps going (the
    progress is not clamped, as in both libraries), and ``num_cycles=1`` (PaddleNLP ``CosineDecayWithWarmup``'s
    default) is a full wave back to the base lr at ``N``.

    ``hard_restarts=True``: :math:`\mathrm{lr}(t) = b \cdot \max(0, \tfrac12(1 + \cos(\pi\,((c p) \bmod 1))))`,
    ``num_cycles`` descents from the base lr to 0, and 0 from ``N`` on. For :math:`t < W` the multiplier is
    :math:`t / \max(1, W)`. Bit-identical to both libraries.

    Args:
        warmup_steps: ``W``, steps of the warmup; >= 0.
        total_steps: ``N`` (``num_training_steps``); >= 1.
        num_cycles: waves (``hard_restarts=False``: 0.5 is half a wave) or restarts; > 0.
        min_lr_rate: the floor as a fraction of the base lr (HF ``cosine_with_min_lr``); in [0, 1]; only without
            ``hard_restarts``.
        hard_restarts: HF ``cosine_with_restarts`` / PaddleNLP ``with_hard_restarts``.

    Example:
        >>> CosineWarmupDecay(warmup_steps=1, total_steps=3).values(range(5), base_lr=1.0).tolist()
        [0.0, 1.0, 0.5, 0.0, 0.4999999999999999]
    """

    warmup_steps: int
    total_steps: int
    num_cycles: float = 0.5
    min_lr_rate: float = 0.0
    hard_restarts: bool = False

    name = "cosine_warmup_decay"

    def __post_init__(self) -> None:
        w, n = _check_steps("CosineWarmupDecay", self.warmup_steps, self.total_steps)
        set_field(self, "warmup_steps", w)
        set_field(self, "total_steps", n)
        set_field(
            self, "num_cycles", check_number("CosineWarmupDecay", "num_cycles", self.num_cycles, low=0.0, low_open=True)
        )
        set_field(
            self, "min_lr_rate", check_number("CosineWarmupDecay", "min_lr_rate", self.min_lr_rate, low=0.0, high=1.0)
        )
        set_field(self, "hard_restarts", check_bool("CosineWarmupDecay", "hard_restarts", self.hard_restarts))
        if self.hard_restarts and self.min_lr_rate:
            raise ValueError(
                f"CosineWarmupDecay: min_lr_rate={self.min_lr_rate!r} with hard_restarts=True: neither Hugging Face "
                "nor PaddleNLP has a floor for the hard-restart cosine; use min_lr_rate=0.0"
            )

    def _progress(self, x: Any, m: Any) -> Any:
        w = self.warmup_steps
        return _as_float(x - w, m) / float(max(1, self.total_steps - w))

    def _cosine(self, x: Any, base: float, m: Any) -> Any:
        p = self._progress(x, m)
        if self.hard_restarts:
            wave = 0.5 * (1.0 + m.cos(math.pi * ((float(self.num_cycles) * p) % 1.0)))
            return base * m.where(p >= 1.0, 0.0, _non_negative(wave, m))
        f = 0.5 * (1.0 + m.cos(math.pi * float(self.num_cycles) * 2.0 * p))
        if self.min_lr_rate:
            f = f * (1 - self.min_lr_rate) + self.min_lr_rate
        return base * _non_negative(f, m)

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        w = self.warmup_steps
        return by_segment(t, m, (w,), [lambda x: base * _warmup_ramp(x, w, m), lambda x: self._cosine(x, base, m)])

    @property
    def length(self) -> int | None:
        return self.total_steps


@dataclass(frozen=True)
class PolynomialWarmupDecay(Schedule):
    r"""Linear warmup from 0 to the base lr, then a polynomial decay to ``lr_end``: Hugging Face ``polynomial``
    (``get_polynomial_decay_schedule_with_warmup``), PaddleNLP ``polynomial`` and ``PolyDecayWithWarmup``.

    .. math::
        \mathrm{lr}(t) = b \cdot \begin{cases}
            t / \max(1, W) & t < W \\
            \bigl((\ell_0 - \ell_e)\,(1 - (t - W)/(N - W))^{p} + \ell_e\bigr) / \ell_0 & W \le t \le N \\
            \ell_e / \ell_0 & t > N
        \end{cases}

    ``lr_init`` (:math:`\ell_0`) is the lr the lambda was built with (HF: ``optimizer.defaults["lr"]``; PaddleNLP: the
    ``learning_rate``): with a base lr equal to it the decay ends exactly where the libraries end, ``lr_end``
    (up to their rounding of ``b * (x / b)``, which this reproduces). Bit-identical to both libraries.

    Args:
        warmup_steps: ``W``; >= 0 and < ``total_steps`` (with ``W = N`` both libraries divide by zero at step N).
        total_steps: ``N``; >= 1.
        lr_init: :math:`\ell_0`, absolute; > ``lr_end``.
        lr_end: :math:`\ell_e`, the absolute lr reached at ``N`` (for base lr = ``lr_init``); >= 0. Default 1e-7.
        power: exponent ``p``; >= 0. Default 1.0.

    Example:
        >>> PolynomialWarmupDecay(1, 3, lr_init=1.0, lr_end=0.0).values(range(5), base_lr=1.0).tolist()
        [0.0, 1.0, 0.5, 0.0, 0.0]
    """

    warmup_steps: int
    total_steps: int
    lr_init: float
    lr_end: float = 1e-7
    power: float = 1.0

    name = "polynomial_warmup_decay"

    def __post_init__(self) -> None:
        w, n = _check_steps("PolynomialWarmupDecay", self.warmup_steps, self.total_steps)
        if w >= n:
            raise ValueError(
                f"PolynomialWarmupDecay: warmup_steps ({w}) must be < total_steps ({n}): the decay spans "
                "total_steps - warmup_steps steps, and Hugging Face and PaddleNLP divide by that number"
            )
        set_field(self, "warmup_steps", w)
        set_field(self, "total_steps", n)
        set_field(self, "lr_init", float(check_number("PolynomialWarmupDecay", "lr_init", self.lr_init, low=0.0)))
        set_field(self, "lr_end", check_number("PolynomialWarmupDecay", "lr_end", self.lr_end, low=0.0))
        set_field(self, "power", check_number("PolynomialWarmupDecay", "power", self.power, low=0.0))
        if not self.lr_init > self.lr_end:
            raise ValueError(
                f"PolynomialWarmupDecay: lr_end ({self.lr_end!r}) must be smaller than lr_init ({self.lr_init!r}), "
                "as both libraries require"
            )

    def _decay(self, x: Any, base: float, m: Any) -> Any:
        w, n, l0, le = self.warmup_steps, self.total_steps, self.lr_init, self.lr_end
        remaining = 1 - _as_float(x - w, m) / float(n - w)  # Python's int / int: the correctly rounded quotient
        return base * (((l0 - le) * m.pow(remaining, self.power) + le) / l0)

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        w, n = self.warmup_steps, self.total_steps
        after = base * (self.lr_end / self.lr_init)
        return by_segment(
            t,
            m,
            (w, n + 1),
            [lambda x: base * _warmup_ramp(x, w, m), lambda x: self._decay(x, base, m), lambda x: after + 0.0 * x],
        )

    @property
    def length(self) -> int | None:
        return self.total_steps


@dataclass(frozen=True)
class ConstantWarmup(Schedule):
    r"""Linear warmup from 0 to the base lr, then the base lr: Hugging Face ``constant_with_warmup``, PaddleNLP
    ``constant_with_warmup`` and ``ConstScheduleWithWarmup``.

    .. math:: \mathrm{lr}(t) = b \cdot \begin{cases} t / \max(1, W) & t < W \\ 1 & t \ge W \end{cases}

    Bit-identical to both libraries.

    Args:
        warmup_steps: ``W``, steps of the warmup; >= 0 (0: the constant base lr).

    Example:
        >>> ConstantWarmup(warmup_steps=4).values(range(6), base_lr=1.0).tolist()
        [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
    """

    warmup_steps: int

    name = "constant_warmup"

    def __post_init__(self) -> None:
        set_field(self, "warmup_steps", check_int("ConstantWarmup", "warmup_steps", self.warmup_steps, minimum=0))

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        w = self.warmup_steps
        return by_segment(t, m, (w,), [lambda x: base * _warmup_ramp(x, w, m), lambda x: base * 1.0 + 0.0 * x])

    @property
    def length(self) -> int | None:
        return self.warmup_steps or None
