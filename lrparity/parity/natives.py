"""Native torch/paddle schedulers equivalent to a core schedule, where one exists (for ``lrparity parity``).

Each builder returns ``(builder, rtol)``: ``rtol`` is 0.0 where the native is a closed form the core reproduces
bit-for-bit and 1e-12 where the native is a recursion (torch StepLR, ExponentialLR, LinearLR, PolynomialLR,
CosineAnnealingLR...; paddle LinearLR and standalone CosineAnnealingDecay), which differs by a few ulps.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lrparity.core import (
    Constant,
    Cosine,
    CosineRestarts,
    Cyclic,
    Exponential,
    InverseTime,
    Lambda,
    Linear,
    MultiStep,
    NaturalExp,
    Noam,
    OneCycle,
    Piecewise,
    Polynomial,
    Schedule,
    Step,
    Warmup,
    WithBaseLR,
)

__all__ = ["paddle_native", "torch_native"]

RECURSIVE = 1e-12
Native = tuple[Callable[..., Any], float] | None


def _unwrap(schedule: Schedule, base_lr: float | None) -> tuple[Schedule, float | None]:
    if isinstance(schedule, WithBaseLR):
        return schedule.schedule, schedule.base_lr
    return schedule, base_lr


def torch_native(schedule: Schedule, base_lr: float | None) -> Native:
    """``(optimizer -> torch scheduler, rtol)`` for the torch native meaning ``schedule``, or None."""
    s, _ = _unwrap(schedule, base_lr)

    def ls() -> Any:
        from torch.optim import lr_scheduler

        return lr_scheduler

    if isinstance(s, Step):
        return (lambda o: ls().StepLR(o, s.step_size, s.gamma)), RECURSIVE
    if isinstance(s, MultiStep):
        return (lambda o: ls().MultiStepLR(o, list(s.milestones), s.gamma)), RECURSIVE
    if isinstance(s, Exponential):
        return (lambda o: ls().ExponentialLR(o, s.gamma)), RECURSIVE
    if isinstance(s, Linear) and s.start_factor > 0:
        return (lambda o: ls().LinearLR(o, s.start_factor, s.end_factor, s.total_steps)), RECURSIVE
    if isinstance(s, Polynomial) and s.end_lr == 0 and not s.cycle:
        return (lambda o: ls().PolynomialLR(o, s.total_steps, s.power)), RECURSIVE
    if isinstance(s, Cosine) and s.after_end == "periodic":
        return (lambda o: ls().CosineAnnealingLR(o, s.T_max, s.eta_min)), RECURSIVE
    if isinstance(s, Constant) and s.total_steps is not None and 0 < s.factor <= 1:
        return (lambda o: ls().ConstantLR(o, s.factor, s.total_steps)), RECURSIVE
    if isinstance(s, Lambda):
        return (lambda o: ls().LambdaLR(o, s.fn)), 0.0
    if isinstance(s, CosineRestarts) and s.cycle_decay == 1 and s.cycle_limit is None and s.k_decay == 1:
        return (lambda o: ls().CosineAnnealingWarmRestarts(o, s.T_0, s.T_mult, s.eta_min)), 0.0
    if isinstance(s, Cyclic) and s.scale_fn is None and not s.invert:
        return (
            lambda o: ls().CyclicLR(
                o, s.base_lr, s.max_lr, s.step_size_up, s.step_size_down, s.mode, s.gamma, cycle_momentum=False
            )
        ), 0.0
    if isinstance(s, OneCycle) and s.end_lr is None:
        return (
            lambda o: ls().OneCycleLR(
                o, s.max_lr, s.total_steps, pct_start=float(s.pct_start), anneal_strategy=s.anneal_strategy,
                div_factor=s.div_factor, final_div_factor=s.final_div_factor, three_phase=s.three_phase,
                cycle_momentum=False,
            )
        ), 0.0  # fmt: skip
    return None


def paddle_native(schedule: Schedule, base_lr: float | None) -> Native:
    """``(() -> paddle scheduler, rtol)`` for the paddle native meaning ``schedule``, or None."""
    s, base = _unwrap(schedule, base_lr)
    b = 1.0 if base is None else float(base)

    def lr() -> Any:
        from paddle.optimizer import lr as paddle_lr

        return paddle_lr

    inner = _paddle_closed(s, b, lr)
    if inner is not None:
        return inner
    if isinstance(s, Warmup) and s.shape == "linear" and s.mode == "prefix":
        start = s.start_lr if s.start_lr is not None else (s.start_factor or 0.0) * b
        end = s.end_lr if s.end_lr is not None else (s.end_factor * b if s.end_factor is not None else None)
        after = _paddle_closed(s.schedule, b, lr) if not isinstance(s.schedule, Cosine) else None
        if isinstance(s.schedule, Cosine) and s.schedule.after_end == "periodic":
            c = s.schedule
            after = (lambda: lr().CosineAnnealingDecay(b, int(c.T_max), c.eta_min)), 0.0
        if after is not None and end is not None and end > start:
            build = after[0]
            return (lambda: lr().LinearWarmup(build(), s.warmup_steps, start, end)), 0.0
    return None


def _paddle_closed(s: Schedule, b: float, lr: Callable[[], Any]) -> Native:
    if isinstance(s, Step) and s.gamma < 1:
        return (lambda: lr().StepDecay(b, s.step_size, s.gamma)), 0.0
    if isinstance(s, MultiStep) and s.gamma < 1:
        return (lambda: lr().MultiStepDecay(b, list(s.milestones), s.gamma)), 0.0
    if isinstance(s, Piecewise):
        return (lambda: lr().PiecewiseDecay(list(s.boundaries), list(s.lrs))), 0.0
    if isinstance(s, Exponential) and 0 < s.gamma < 1:
        return (lambda: lr().ExponentialDecay(b, s.gamma)), 0.0
    if isinstance(s, NaturalExp):
        return (lambda: lr().NaturalExpDecay(b, s.gamma)), 0.0
    if isinstance(s, InverseTime):
        return (lambda: lr().InverseTimeDecay(b, s.gamma)), 0.0
    if isinstance(s, Polynomial) and s.power > 0:
        return (lambda: lr().PolynomialDecay(b, s.total_steps, s.end_lr, s.power, s.cycle)), 0.0
    if isinstance(s, Noam):
        return (lambda: lr().NoamDecay(s.d_model, s.warmup_steps, b)), 0.0
    if isinstance(s, Lambda):
        return (lambda: lr().LambdaDecay(b, s.fn)), 0.0
    if isinstance(s, Linear) and s.start_factor > 0:
        return (lambda: lr().LinearLR(b, s.total_steps, s.start_factor, s.end_factor)), RECURSIVE
    if isinstance(s, Cosine) and s.after_end == "periodic" and float(s.T_max).is_integer():
        return (lambda: lr().CosineAnnealingDecay(b, int(s.T_max), s.eta_min)), RECURSIVE
    if isinstance(s, CosineRestarts) and s.cycle_decay == 1 and s.cycle_limit is None and s.k_decay == 1:
        return (lambda: lr().CosineAnnealingWarmRestarts(b, s.T_0, s.T_mult, s.eta_min)), 0.0
    if (
        isinstance(s, Cyclic)
        and s.scale_fn is None
        and not s.invert
        and s.mode in ("triangular", "triangular2", "exp_range")
    ):
        return (
            lambda: lr().CyclicLR(
                s.base_lr, s.max_lr, int(s.step_size_up), None if s.step_size_down is None else int(s.step_size_down),
                s.mode, float(s.gamma),
            )
        ), 0.0  # fmt: skip
    if isinstance(s, OneCycle) and not (s.three_phase and s.pct_start >= 0.5):
        end = s.end_lr if s.end_lr is not None else s.max_lr / s.div_factor / s.final_div_factor
        return (
            lambda: lr().OneCycleLR(
                s.max_lr, s.total_steps, s.div_factor, end, float(s.pct_start), s.anneal_strategy, s.three_phase
            )
        ), 0.0
    return None
