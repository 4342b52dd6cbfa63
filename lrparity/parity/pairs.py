"""Pairs of torch and paddle natives that claim to mean the same schedule, and what they measurably do.

Each :class:`Pair` names a core schedule for each side; the natives are the native tables' (as
:func:`lrparity.to_native` builds them: torch's on an SGD optimizer with lr 0.1, paddle's at ``learning_rate=0.1``
for a relative schedule). A pair with the same schedule on both sides shows what the two natives of one schedule do;
one with different schedules, what the frameworks' defaults make of "the same" scheduler (paddle's
``PolynomialDecay`` ends at ``end_lr=1e-4``, torch's ``PolynomialLR`` at 0). Each pair runs both natives for ``steps``
steps and records max abs / max rel difference, the number of steps that differ and the first one. ``expect`` is the
documented class, checked by ``parity_tests/test_native_pairs.py``: ``"identical"`` (bit-for-bit), ``"ulp"``
(differs, max rel <= 1e-12: a recursion against a closed form) or ``"differs"`` (a real semantic difference,
explained in ``note``). ``bench/native_pairs.py`` prints the table that ``docs/parity.md`` quotes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from lrparity.backends import natives
from lrparity.core import (
    Constant,
    Cosine,
    CosineRestarts,
    Cyclic,
    Exponential,
    Lambda,
    Linear,
    Multiplicative,
    MultiStep,
    OneCycle,
    Plateau,
    Polynomial,
    Schedule,
    Step,
    Warmup,
)
from lrparity.parity import runners
from lrparity.parity.catalogue import lambda_decay, mult_decay
from lrparity.parity.report import Diff, compare

__all__ = ["PAIRS", "Pair", "measure", "plateau_metrics", "table"]

B = 0.1
"""The base lr of every pair (torch: the optimizer's lr; paddle: the learning_rate of a relative schedule)."""


@dataclass(frozen=True)
class Pair:
    """A torch native and a paddle native with equivalent settings: the natives of ``torch`` and of ``paddle``
    (the same schedule when None)."""

    name: str
    torch: Schedule | Plateau
    paddle: Schedule | Plateau | None
    expect: str
    note: str = ""
    steps: int = 10_000
    metrics: Sequence[float] | None = None  # plateau pairs: the metric fed to step(metric)

    def torch_native(self, optimizer: Any) -> Any:
        """torch's native of the pair on ``optimizer`` (one param group of lr :data:`B`)."""
        return natives("torch").plan(self.torch, [B]).build(optimizer)

    def paddle_native(self) -> Any:
        """paddle's native of the pair."""
        schedule = self.torch if self.paddle is None else self.paddle
        relative = (isinstance(schedule, Plateau) and schedule.start_lr is None) or getattr(schedule, "uses_base_lr", 0)
        return natives("paddle").plan(schedule, B if relative else None).build()


def plateau_metrics(n: int = 2000, seed: int = 0) -> list[float]:
    """A loss-like metric with plateaus: decreasing in bursts, noisy, flat in between."""
    rng = np.random.default_rng(seed)
    level, out = 1.0, []
    for k in range(n):
        if (k // 40) % 3 == 0:
            level *= 0.97
        out.append(float(level * (1 + 0.002 * rng.standard_normal())))
    return out


_WARM_COS = Warmup(Cosine(9500), 500, start_factor=0.01)

PAIRS: tuple[Pair, ...] = (
    Pair("StepLR(300, .5) / StepDecay", Step(300, 0.5), None, "identical",
         "gamma a power of two: the recursion is exact"),
    Pair("StepLR(1000, .1) / StepDecay", Step(1000, 0.1), None, "ulp",
         "torch multiplies recursively, paddle computes b*g**i"),
    Pair("MultiStepLR / MultiStepDecay", MultiStep((2000, 5000, 8000), 0.1), None, "identical",
         "recursive vs closed form; bit-identical for these settings (measured), not in general"),
    Pair("ExponentialLR / ExponentialDecay", Exponential(0.9995), None, "ulp", "recursive vs closed form"),
    Pair("CosineAnnealingLR / CosineAnnealingDecay", Cosine(10_000), None, "identical", "the same recursion in both"),
    Pair("CosineAnnealingLR / CosineAnnealingDecay (T=1000, eta_min)", Cosine(1000, 1e-4), None, "identical",
         "the same recursion, 5 periods"),
    Pair("LinearLR / LinearLR", Linear(0.01, 1.0, 3000), None, "identical",
         "the same recursion; argument order differs"),
    Pair("LinearLR / LinearWarmup(float)", Linear(0.01, 1.0, 3000), Warmup(Constant(), 3000, start_factor=0.01),
         "ulp", "torch recursion vs paddle (end-start)*e/W+start"),
    Pair("PolynomialLR / PolynomialDecay(end_lr=0)", Polynomial(10_000, 1.0), None, "ulp", "recursive vs closed form"),
    Pair("PolynomialLR / PolynomialDecay (default end_lr)", Polynomial(10_000, 1.0),
         Polynomial(10_000, 1.0, end_lr=1e-4), "differs", "paddle's default end_lr is 1e-4, torch ends at 0"),
    Pair("OneCycleLR / OneCycleLR (end lr matched)", OneCycle(B, 10_000), None, "identical",
         "end_learning_rate = max/div/final_div"),
    Pair("OneCycleLR / OneCycleLR (defaults)", OneCycle(B, 10_000), OneCycle(B, 10_000, end_lr=1e-4), "differs",
         "end lr: torch max/25/1e4 = 4e-7 (relative), paddle 1e-4 (absolute)"),
    Pair("OneCycleLR / OneCycleLR (three-phase, linear)",
         OneCycle(B, 10_000, pct_start=0.25, anneal_strategy="linear", three_phase=True), None, "identical", ""),
    Pair("CyclicLR / CyclicLR (triangular)", Cyclic(1e-4, 1e-2, 500), None, "identical",
         "torch cycles momentum by default; paddle has none"),
    Pair("CyclicLR / CyclicLR (triangular2, 300/700)", Cyclic(1e-4, 1e-2, 300, 700, "triangular2"), None,
         "identical", ""),
    Pair("CyclicLR / CyclicLR (exp_range)", Cyclic(1e-4, 1e-2, 400, mode="exp_range", gamma=0.9998), None,
         "identical", ""),
    Pair("CosineAnnealingWarmRestarts (500, 2)", CosineRestarts(500, 2, 1e-5), None, "identical",
         "% vs - reset: same for step()"),
    Pair("CosineAnnealingWarmRestarts (7, 3)", CosineRestarts(7, 3), None, "identical", ""),
    Pair("LambdaLR / LambdaDecay", Lambda(lambda_decay), None, "identical", ""),
    Pair("MultiplicativeLR / MultiplicativeDecay", Multiplicative(mult_decay), None, "identical",
         "paddle is O(t) per step", steps=2000),
    Pair("SequentialLR[LinearLR, CosineAnnealingLR] / LinearWarmup(CosineAnnealingDecay)", _WARM_COS, None, "ulp",
         "torch: recursive warmup and cosine; paddle: closed-form ramp, inner cosine via step(epoch)"),
    Pair("ConstantLR(.25, 2000) / PiecewiseDecay", Constant(0.25, 2000), None, "identical",
         "lr*(1/f) restores b exactly for f=.25"),
    Pair("ConstantLR(.1, 2000) / PiecewiseDecay", Constant(0.1, 2000), None, "ulp",
         "torch restores b*f*(1/f) = 0.10000000000000002"),
    Pair("ReduceLROnPlateau / ReduceOnPlateau (patience 5)", Plateau(patience=5),
         Plateau(patience=5, semantics="paddle"), "identical", "no cooldown: same decisions", steps=2000,
         metrics=plateau_metrics()),
    Pair("ReduceLROnPlateau / ReduceOnPlateau (patience 5, cooldown 10)", Plateau(patience=5, cooldown=10, factor=0.5),
         Plateau(patience=5, cooldown=10, factor=0.5, semantics="paddle"), "differs",
         "torch updates best during cooldown, paddle ignores the metric", steps=2000, metrics=plateau_metrics()),
)  # fmt: skip


def _run_torch(pair: Pair) -> np.ndarray:
    if pair.metrics is None:
        return runners.run_torch_native(pair.torch_native, B, pair.steps)
    import torch

    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=B)
    sched = pair.torch_native(opt)
    out = np.empty(pair.steps)
    for k in range(pair.steps):
        out[k] = opt.param_groups[0]["lr"]
        opt.step()
        sched.step(pair.metrics[k])
    return out


def _run_paddle(pair: Pair) -> np.ndarray:
    if pair.metrics is None:
        return runners.run_paddle_native(pair.paddle_native, pair.steps)
    sched = pair.paddle_native()
    out = np.empty(pair.steps)
    for k in range(pair.steps):
        out[k] = sched()
        sched.step(pair.metrics[k])
    return out


def measure(pair: Pair) -> Diff:
    """Run both natives of ``pair`` and compare them (torch as expected, paddle as got)."""
    return compare(_run_torch(pair), _run_paddle(pair))


def classify(d: Diff) -> str:
    """``"identical"``, ``"ulp"`` (max rel <= 1e-12) or ``"differs"``."""
    if d.identical:
        return "identical"
    return "ulp" if d.max_rel <= 1e-12 else "differs"


def table(results: Sequence[tuple[Pair, Diff]]) -> str:
    """The markdown table of measured pair differences."""
    lines = [
        "| torch / paddle natives (base lr 0.1) | steps | max abs | max rel | steps differing (first) | class | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for pair, d in results:
        first = "-" if d.first is None else f"{d.n_diff} ({d.first})"
        lines.append(
            f"| {pair.name} | {d.steps} | {d.max_abs:.3g} | {d.max_rel:.3g} | {first} | {classify(d)} | {pair.note} |"
        )
    return "\n".join(lines)
