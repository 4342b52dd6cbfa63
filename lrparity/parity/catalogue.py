"""The parity catalogue: named schedules, each with its base lr, its length and the natives that mean it.

Every entry is run (by :mod:`lrparity.parity.runners`) through the core's ``values()``, the torch backend, the
paddle backend in dygraph and in static-graph mode, and each native equivalent that exists. The native builders
import torch/paddle lazily (``import lrparity.parity`` imports neither).

``reference`` names the sequence the others are held to: the native whose arithmetic the core reproduces
bit-for-bit (a closed-form native: paddle's, CAWR, OneCycle, Cyclic...), or a recursive native with a relative
tolerance ``rtol`` (torch/paddle StepLR-style recursions differ from any closed form by a few ulps), or
``"core"`` where no native exists (then the goldens pin the core itself).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lrparity.core import (
    Chain,
    Constant,
    Cosine,
    CosineRestarts,
    Cyclic,
    Exponential,
    InverseTime,
    Lambda,
    Linear,
    Multiplicative,
    MultiStep,
    NaturalExp,
    Noam,
    Noise,
    OneCycle,
    PhaseAnneal,
    Piecewise,
    Polynomial,
    Schedule,
    Sequence,
    Shift,
    Step,
    Warmup,
    WithBaseLR,
)

__all__ = ["CATALOGUE", "Entry", "get", "lambda_decay", "mult_decay"]

TorchBuilder = Callable[[Any], Any]  # optimizer -> torch scheduler
PaddleBuilder = Callable[[], Any]  # () -> paddle scheduler


def lambda_decay(t: int) -> float:
    """Multiplier of the ``lambda`` catalogue entry: :math:`0.9995^t \\cdot (1 + \\cos(t / 300)) / 2 + 0.01`."""
    return 0.9995**t * (1 + math.cos(t / 300)) / 2 + 0.01


def mult_decay(t: int) -> float:
    """Per-step factor of the ``multiplicative`` catalogue entry (varies with ``t``)."""
    return 0.999 if t % 3 else 0.9995


@dataclass(frozen=True)
class Entry:
    """One catalogue schedule.

    Attributes:
        name: identifier (also the key in the goldens).
        schedule: the core schedule.
        base_lr: base lr in lr units (``None`` for absolute schedules).
        steps: number of training steps run (values read at t = 0 .. steps-1).
        torch_native: builds the equivalent torch scheduler on an optimizer (None: no native).
        paddle_native: builds the equivalent paddle scheduler (None: no native).
        reference: ``"torch"``, ``"paddle"`` or ``"core"``: which sequence the goldens hold as the reference.
        rtol: relative tolerance of core/backends against the reference (0.0: bit-identical).
        note: why the tolerance is what it is.
    """

    name: str
    schedule: Schedule
    base_lr: float | None
    steps: int = 10_000
    torch_native: TorchBuilder | None = None
    paddle_native: PaddleBuilder | None = None
    reference: str = "core"
    rtol: float = 0.0
    note: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)


def _t(name: str, **kw: Any) -> TorchBuilder:
    def build(opt: Any) -> Any:
        import torch

        return getattr(torch.optim.lr_scheduler, name)(opt, **kw)

    return build


def _p(name: str, **kw: Any) -> PaddleBuilder:
    def build() -> Any:
        import paddle

        return getattr(paddle.optimizer.lr, name)(**kw)

    return build


def _t_warmup_cosine(opt: Any) -> Any:
    from torch.optim import lr_scheduler as ls

    return ls.SequentialLR(
        opt, [ls.LinearLR(opt, 0.01, 1.0, 1000), ls.CosineAnnealingLR(opt, T_max=9000)], milestones=[1000]
    )


def _p_warmup_cosine() -> Any:
    from paddle.optimizer import lr

    return lr.LinearWarmup(lr.CosineAnnealingDecay(0.1, T_max=9000), 1000, 0.001, 0.1)


def _p_warmup_zero_cosine() -> Any:
    from paddle.optimizer import lr

    return lr.LinearWarmup(lr.CosineAnnealingDecay(0.1, T_max=9500), 500, 0.0, 0.1)


def _p_warmup_multistep() -> Any:
    from paddle.optimizer import lr

    return lr.LinearWarmup(lr.MultiStepDecay(0.1, [3000, 6000], 0.1), 200, 0.0, 0.1)


def _t_sequence(opt: Any) -> Any:
    from torch.optim import lr_scheduler as ls

    return ls.SequentialLR(opt, [ls.ConstantLR(opt, 0.1, 2000), ls.ExponentialLR(opt, 0.9997)], milestones=[3000])


def _t_chain(opt: Any) -> Any:
    from torch.optim import lr_scheduler as ls

    return ls.ChainedScheduler([ls.LinearLR(opt, 0.1, 1.0, 500), ls.ExponentialLR(opt, 0.9998)])


_ONE_CYCLE_END = 0.1 / 25.0 / 1e4  # torch's min lr, max / div / final_div, in torch's operation order

_RECURSIVE = "torch's (and paddle's) native is a recursion; the closed form agrees to a few ulps"

CATALOGUE: tuple[Entry, ...] = (
    Entry("constant", Constant(0.25, total_steps=2000), 0.1,
          torch_native=_t("ConstantLR", factor=0.25, total_iters=2000),
          paddle_native=_p("PiecewiseDecay", boundaries=[2000], values=[0.025, 0.1]), reference="paddle"),
    Entry("step_half", Step(300, 0.5), 0.1, torch_native=_t("StepLR", step_size=300, gamma=0.5),
          paddle_native=_p("StepDecay", learning_rate=0.1, step_size=300, gamma=0.5), reference="paddle"),
    Entry("step", Step(1000, 0.1), 0.1, torch_native=_t("StepLR", step_size=1000, gamma=0.1),
          paddle_native=_p("StepDecay", learning_rate=0.1, step_size=1000, gamma=0.1), reference="paddle"),
    Entry("multistep", MultiStep((2000, 5000, 8000), 0.1), 0.1,
          torch_native=_t("MultiStepLR", milestones=[2000, 5000, 8000], gamma=0.1),
          paddle_native=_p("MultiStepDecay", learning_rate=0.1, milestones=[2000, 5000, 8000], gamma=0.1),
          reference="paddle"),
    Entry("piecewise", Piecewise((3000, 7000), (0.1, 0.01, 0.001)), None,
          paddle_native=_p("PiecewiseDecay", boundaries=[3000, 7000], values=[0.1, 0.01, 0.001]),
          reference="paddle"),
    Entry("exponential", Exponential(0.9995), 0.1, torch_native=_t("ExponentialLR", gamma=0.9995),
          paddle_native=_p("ExponentialDecay", learning_rate=0.1, gamma=0.9995), reference="paddle"),
    Entry("natural_exp", NaturalExp(0.0005), 0.1,
          paddle_native=_p("NaturalExpDecay", learning_rate=0.1, gamma=0.0005), reference="paddle"),
    Entry("inverse_time", InverseTime(0.001), 0.1,
          paddle_native=_p("InverseTimeDecay", learning_rate=0.1, gamma=0.001), reference="paddle"),
    Entry("linear", Linear(0.01, 1.0, 3000), 0.1,
          torch_native=_t("LinearLR", start_factor=0.01, end_factor=1.0, total_iters=3000),
          paddle_native=_p("LinearLR", learning_rate=0.1, total_steps=3000, start_factor=0.01, end_factor=1.0),
          reference="torch", rtol=1e-12, note=_RECURSIVE),
    Entry("linear_decay", Linear(1.0, 0.0, 10_000), 0.1,
          torch_native=_t("LinearLR", start_factor=1.0, end_factor=0.0, total_iters=10_000),
          paddle_native=_p("LinearLR", learning_rate=0.1, total_steps=10_000, start_factor=1.0, end_factor=0.0),
          reference="torch", rtol=1e-12, note=_RECURSIVE),
    Entry("polynomial", Polynomial(10_000, power=2.0, end_lr=1e-4), 0.1,
          paddle_native=_p("PolynomialDecay", learning_rate=0.1, decay_steps=10_000, end_lr=1e-4, power=2.0),
          reference="paddle"),
    Entry("polynomial_zero", Polynomial(10_000, power=1.0, end_lr=0.0), 0.1,
          torch_native=_t("PolynomialLR", total_iters=10_000, power=1.0),
          paddle_native=_p("PolynomialDecay", learning_rate=0.1, decay_steps=10_000, end_lr=0.0, power=1.0),
          reference="paddle"),
    Entry("polynomial_cycle", Polynomial(1500, power=1.0, end_lr=1e-4, cycle=True), 0.1,
          paddle_native=_p("PolynomialDecay", learning_rate=0.1, decay_steps=1500, end_lr=1e-4, cycle=True),
          reference="paddle"),
    Entry("cosine", Cosine(10_000), 0.1, torch_native=_t("CosineAnnealingLR", T_max=10_000),
          paddle_native=_p("CosineAnnealingDecay", learning_rate=0.1, T_max=10_000),
          reference="torch", rtol=1e-12, note=_RECURSIVE),
    Entry("cosine_periodic", Cosine(2500, eta_min=1e-4), 0.1,
          torch_native=_t("CosineAnnealingLR", T_max=2500, eta_min=1e-4),
          paddle_native=_p("CosineAnnealingDecay", learning_rate=0.1, T_max=2500, eta_min=1e-4),
          reference="torch", rtol=1e-12, note=_RECURSIVE + " (4 periods)"),
    Entry("cosine_restarts", CosineRestarts(500, T_mult=2, eta_min=1e-5), 0.1,
          torch_native=_t("CosineAnnealingWarmRestarts", T_0=500, T_mult=2, eta_min=1e-5),
          paddle_native=_p("CosineAnnealingWarmRestarts", learning_rate=0.1, T_0=500, T_mult=2, eta_min=1e-5),
          reference="torch"),
    Entry("cosine_restarts_flat", CosineRestarts(1000), 0.1,
          torch_native=_t("CosineAnnealingWarmRestarts", T_0=1000),
          paddle_native=_p("CosineAnnealingWarmRestarts", learning_rate=0.1, T_0=1000), reference="torch"),
    Entry("cyclic_triangular", Cyclic(1e-4, 1e-2, 500), None,
          torch_native=_t("CyclicLR", base_lr=1e-4, max_lr=1e-2, step_size_up=500, cycle_momentum=False),
          paddle_native=_p("CyclicLR", base_learning_rate=1e-4, max_learning_rate=1e-2, step_size_up=500),
          reference="torch"),
    Entry("cyclic_triangular2", Cyclic(1e-4, 1e-2, 300, step_size_down=700, mode="triangular2"), None,
          torch_native=_t("CyclicLR", base_lr=1e-4, max_lr=1e-2, step_size_up=300, step_size_down=700,
                          mode="triangular2", cycle_momentum=False),
          paddle_native=_p("CyclicLR", base_learning_rate=1e-4, max_learning_rate=1e-2, step_size_up=300,
                           step_size_down=700, mode="triangular2"),
          reference="torch"),
    Entry("cyclic_exp_range", Cyclic(1e-4, 1e-2, 400, mode="exp_range", gamma=0.9998), None,
          torch_native=_t("CyclicLR", base_lr=1e-4, max_lr=1e-2, step_size_up=400, mode="exp_range",
                          gamma=0.9998, cycle_momentum=False),
          paddle_native=_p("CyclicLR", base_learning_rate=1e-4, max_learning_rate=1e-2, step_size_up=400,
                           mode="exp_range", exp_gamma=0.9998),
          reference="torch"),
    Entry("one_cycle", OneCycle(0.1, 10_000), None,
          torch_native=_t("OneCycleLR", max_lr=0.1, total_steps=10_000, cycle_momentum=False),
          paddle_native=_p("OneCycleLR", max_learning_rate=0.1, total_steps=10_000,
                           end_learning_rate=_ONE_CYCLE_END),
          reference="torch"),
    Entry("one_cycle_three_phase", OneCycle(0.1, 10_000, pct_start=0.25, anneal_strategy="linear",
                                            three_phase=True, end_lr=1e-5), None,
          torch_native=_t("OneCycleLR", max_lr=0.1, total_steps=10_000, pct_start=0.25, anneal_strategy="linear",
                          three_phase=True, final_div_factor=0.004 / 1e-5, cycle_momentum=False),
          paddle_native=_p("OneCycleLR", max_learning_rate=0.1, total_steps=10_000, phase_pct=0.25,
                           anneal_strategy="linear", three_phase=True, end_learning_rate=1e-5),
          reference="paddle"),
    Entry("noam", Noam(512, 4000), 1.0,
          paddle_native=_p("NoamDecay", d_model=512, warmup_steps=4000, learning_rate=1.0), reference="paddle"),
    Entry("lambda", Lambda(lambda_decay), 0.1, torch_native=_t("LambdaLR", lr_lambda=lambda_decay),
          paddle_native=_p("LambdaDecay", learning_rate=0.1, lr_lambda=lambda_decay), reference="paddle"),
    Entry("multiplicative", Multiplicative(mult_decay), 0.1, steps=2000,
          torch_native=_t("MultiplicativeLR", lr_lambda=mult_decay),
          paddle_native=_p("MultiplicativeDecay", learning_rate=0.1, lr_lambda=mult_decay), reference="paddle",
          note="2000 steps: the core's scalar path and paddle's native are O(t) per step"),
    Entry("warmup_cosine", Warmup(Cosine(9000), 1000, start_lr=0.001, end_lr=0.1), 0.1,
          torch_native=_t_warmup_cosine, paddle_native=_p_warmup_cosine, reference="paddle",
          note="torch's SequentialLR[LinearLR, CosineAnnealingLR] is recursive: a few ulps off"),
    Entry("warmup_zero_cosine", Warmup(Cosine(9500), 500), 0.1, paddle_native=_p_warmup_zero_cosine,
          reference="paddle"),
    Entry("warmup_multistep", Warmup(MultiStep((3000, 6000), 0.1), 200, start_lr=0.0, end_lr=0.1), 0.1,
          paddle_native=_p_warmup_multistep, reference="paddle"),
    Entry("warmup_exponential_shape", Warmup(Cosine(8000), 2000, start_factor=1e-3, shape="exponential"), 0.1),
    Entry("sequence", Sequence((Constant(0.1, total_steps=2000), Exponential(0.9997)), (3000,)), 0.1,
          torch_native=_t_sequence, reference="torch", rtol=1e-12, note=_RECURSIVE),
    Entry("chain", Chain((Linear(0.1, 1.0, 500), Exponential(0.9998))), 0.1, torch_native=_t_chain,
          reference="torch", rtol=1e-12, note=_RECURSIVE),
    Entry("noise_cosine", Noise(Cosine(10_000), pct=0.5, std=0.1, seed=7), 0.1),
    Entry("cosine_replay", Cosine(100, eta_min=1e-3, form="recursive"), 0.1,
          torch_native=_t("CosineAnnealingLR", T_max=100, eta_min=1e-3),
          paddle_native=_p("CosineAnnealingDecay", learning_rate=0.1, T_max=100, eta_min=1e-3), reference="torch",
          note="the natives' recursion replayed: bit-identical over 50 periods"),
    Entry("linear_replay", Linear(0.01, 1.0, 3000, form="recursive"), 0.1,
          torch_native=_t("LinearLR", start_factor=0.01, end_factor=1.0, total_iters=3000),
          paddle_native=_p("LinearLR", learning_rate=0.1, total_steps=3000, start_factor=0.01, end_factor=1.0),
          reference="torch", note="the natives' recursion replayed"),
    Entry("with_base_lr", WithBaseLR(Step(2000, 0.5), 0.05), None,
          paddle_native=_p("StepDecay", learning_rate=0.05, step_size=2000, gamma=0.5), reference="paddle"),
    Entry("phase_anneal", PhaseAnneal((2999.0, 9999.0), (0.01, 0.1, 1e-4), anneal_strategy="linear"), None),
    Entry("two_step_cosine", Sequence((Cosine(2000), Shift(Cosine(10_000), 2000)), (2000,)), 0.1),
)  # fmt: skip


def get(name: str) -> Entry:
    """The catalogue entry called ``name`` (ValueError listing the names otherwise)."""
    for entry in CATALOGUE:
        if entry.name == name:
            return entry
    raise ValueError(f"no catalogue entry {name!r}; known: {', '.join(e.name for e in CATALOGUE)}")
