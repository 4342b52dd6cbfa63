"""Pairs of torch and paddle natives that claim to mean the same schedule, and what they measurably do.

Each :class:`Pair` runs both natives with equivalent settings for ``steps`` steps (base lr 0.1) and records
max abs / max rel difference, the number of steps that differ and the first one. ``expect`` is the documented
class, checked by ``parity_tests/test_native_pairs.py``: ``"identical"`` (bit-for-bit), ``"ulp"`` (differs,
max rel <= 1e-12: a recursion against a closed form) or ``"differs"`` (a real semantic difference, explained in
``note``). ``bench/native_pairs.py`` prints the table that ``docs/parity.md`` quotes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from lrparity.parity import runners
from lrparity.parity.catalogue import lambda_decay, mult_decay
from lrparity.parity.report import Diff, compare

__all__ = ["PAIRS", "Pair", "measure", "plateau_metrics", "table"]

B = 0.1


@dataclass(frozen=True)
class Pair:
    """A torch native and a paddle native with equivalent settings."""

    name: str
    torch: Callable[[Any], Any]
    paddle: Callable[[], Any]
    expect: str
    note: str = ""
    steps: int = 10_000
    metrics: Sequence[float] | None = None  # plateau pairs: the metric fed to step(metric)


def _t(cls: str, *args: Any, **kw: Any) -> Callable[[Any], Any]:
    def build(opt: Any) -> Any:
        from torch.optim import lr_scheduler

        return getattr(lr_scheduler, cls)(opt, *args, **kw)

    return build


def _p(cls: str, *args: Any, **kw: Any) -> Callable[[], Any]:
    def build() -> Any:
        from paddle.optimizer import lr

        return getattr(lr, cls)(*args, **kw)

    return build


def plateau_metrics(n: int = 2000, seed: int = 0) -> list[float]:
    """A loss-like metric with plateaus: decreasing in bursts, noisy, flat in between."""
    rng = np.random.default_rng(seed)
    level, out = 1.0, []
    for k in range(n):
        if (k // 40) % 3 == 0:
            level *= 0.97
        out.append(float(level * (1 + 0.002 * rng.standard_normal())))
    return out


def _t_warm_cos(opt: Any) -> Any:
    from torch.optim import lr_scheduler as ls

    return ls.SequentialLR(opt, [ls.LinearLR(opt, 0.01, 1.0, 500), ls.CosineAnnealingLR(opt, 9500)], [500])


def _p_warm_cos() -> Any:
    from paddle.optimizer import lr

    return lr.LinearWarmup(lr.CosineAnnealingDecay(B, 9500), 500, 0.01 * B, B)


PAIRS: tuple[Pair, ...] = (
    Pair("StepLR(300, .5) / StepDecay", _t("StepLR", 300, 0.5), _p("StepDecay", B, 300, 0.5), "identical",
         "gamma a power of two: the recursion is exact"),
    Pair("StepLR(1000, .1) / StepDecay", _t("StepLR", 1000, 0.1), _p("StepDecay", B, 1000, 0.1), "ulp",
         "torch multiplies recursively, paddle computes b*g**i"),
    Pair("MultiStepLR / MultiStepDecay", _t("MultiStepLR", [2000, 5000, 8000], 0.1),
         _p("MultiStepDecay", B, [2000, 5000, 8000], 0.1), "identical",
         "recursive vs closed form; bit-identical for these settings (measured), not in general"),
    Pair("ExponentialLR / ExponentialDecay", _t("ExponentialLR", 0.9995), _p("ExponentialDecay", B, 0.9995), "ulp",
         "recursive vs closed form"),
    Pair("CosineAnnealingLR / CosineAnnealingDecay", _t("CosineAnnealingLR", 10_000),
         _p("CosineAnnealingDecay", B, 10_000), "identical", "the same recursion in both"),
    Pair("CosineAnnealingLR / CosineAnnealingDecay (T=1000, eta_min)", _t("CosineAnnealingLR", 1000, 1e-4),
         _p("CosineAnnealingDecay", B, 1000, 1e-4), "identical", "the same recursion, 5 periods"),
    Pair("LinearLR / LinearLR", _t("LinearLR", 0.01, 1.0, 3000), _p("LinearLR", B, 3000, 0.01, 1.0), "identical",
         "the same recursion; argument order differs"),
    Pair("LinearLR / LinearWarmup(float)", _t("LinearLR", 0.01, 1.0, 3000), _p("LinearWarmup", B, 3000, 0.01 * B, B),
         "ulp", "torch recursion vs paddle (end-start)*e/W+start"),
    Pair("PolynomialLR / PolynomialDecay(end_lr=0)", _t("PolynomialLR", 10_000, 1.0),
         _p("PolynomialDecay", B, 10_000, 0.0, 1.0), "ulp", "recursive vs closed form"),
    Pair("PolynomialLR / PolynomialDecay (default end_lr)", _t("PolynomialLR", 10_000, 1.0),
         _p("PolynomialDecay", B, 10_000), "differs", "paddle's default end_lr is 1e-4, torch ends at 0"),
    Pair("OneCycleLR / OneCycleLR (end lr matched)", _t("OneCycleLR", B, 10_000, cycle_momentum=False),
         _p("OneCycleLR", B, 10_000, end_learning_rate=B / 25.0 / 1e4), "identical",
         "end_learning_rate = max/div/final_div"),
    Pair("OneCycleLR / OneCycleLR (defaults)", _t("OneCycleLR", B, 10_000, cycle_momentum=False),
         _p("OneCycleLR", B, 10_000), "differs", "end lr: torch max/25/1e4 = 4e-7 (relative), paddle 1e-4 (absolute)"),
    Pair("OneCycleLR / OneCycleLR (three-phase, linear)",
         _t("OneCycleLR", B, 10_000, pct_start=0.25, anneal_strategy="linear", three_phase=True,
            cycle_momentum=False),
         _p("OneCycleLR", B, 10_000, end_learning_rate=B / 25.0 / 1e4, phase_pct=0.25, anneal_strategy="linear",
            three_phase=True), "identical", ""),
    Pair("CyclicLR / CyclicLR (triangular)", _t("CyclicLR", 1e-4, 1e-2, 500, cycle_momentum=False),
         _p("CyclicLR", 1e-4, 1e-2, 500), "identical", "torch cycles momentum by default; paddle has none"),
    Pair("CyclicLR / CyclicLR (triangular2, 300/700)",
         _t("CyclicLR", 1e-4, 1e-2, 300, 700, "triangular2", cycle_momentum=False),
         _p("CyclicLR", 1e-4, 1e-2, 300, 700, "triangular2"), "identical", ""),
    Pair("CyclicLR / CyclicLR (exp_range)", _t("CyclicLR", 1e-4, 1e-2, 400, mode="exp_range", gamma=0.9998,
                                                cycle_momentum=False),
         _p("CyclicLR", 1e-4, 1e-2, 400, mode="exp_range", exp_gamma=0.9998), "identical", ""),
    Pair("CosineAnnealingWarmRestarts (500, 2)", _t("CosineAnnealingWarmRestarts", 500, 2, 1e-5),
         _p("CosineAnnealingWarmRestarts", B, 500, 2, 1e-5), "identical", "% vs - reset: same for step()"),
    Pair("CosineAnnealingWarmRestarts (7, 3)", _t("CosineAnnealingWarmRestarts", 7, 3),
         _p("CosineAnnealingWarmRestarts", B, 7, 3), "identical", ""),
    Pair("LambdaLR / LambdaDecay", _t("LambdaLR", lambda_decay), _p("LambdaDecay", B, lambda_decay), "identical", ""),
    Pair("MultiplicativeLR / MultiplicativeDecay", _t("MultiplicativeLR", mult_decay),
         _p("MultiplicativeDecay", B, mult_decay), "identical", "paddle is O(t) per step", steps=2000),
    Pair("SequentialLR[LinearLR, CosineAnnealingLR] / LinearWarmup(CosineAnnealingDecay)", _t_warm_cos, _p_warm_cos,
         "ulp", "torch: recursive warmup and cosine; paddle: closed-form ramp, inner cosine via step(epoch)"),
    Pair("ConstantLR(.25, 2000) / PiecewiseDecay", _t("ConstantLR", 0.25, 2000),
         _p("PiecewiseDecay", [2000], [0.025, B]), "identical", "lr*(1/f) restores b exactly for f=.25"),
    Pair("ConstantLR(.1, 2000) / PiecewiseDecay", _t("ConstantLR", 0.1, 2000),
         _p("PiecewiseDecay", [2000], [0.1 * B, B]), "ulp", "torch restores b*f*(1/f) = 0.10000000000000002"),
    Pair("ReduceLROnPlateau / ReduceOnPlateau (patience 5)", _t("ReduceLROnPlateau", patience=5),
         _p("ReduceOnPlateau", B, patience=5), "identical", "no cooldown: same decisions", steps=2000,
         metrics=plateau_metrics()),
    Pair("ReduceLROnPlateau / ReduceOnPlateau (patience 5, cooldown 10)", _t("ReduceLROnPlateau", patience=5,
                                                                               cooldown=10, factor=0.5),
         _p("ReduceOnPlateau", B, patience=5, cooldown=10, factor=0.5), "differs",
         "torch updates best during cooldown, paddle ignores the metric", steps=2000, metrics=plateau_metrics()),
)  # fmt: skip


def _run_torch(pair: Pair) -> np.ndarray:
    if pair.metrics is None:
        return runners.run_torch_native(pair.torch, B, pair.steps)
    import torch

    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=B)
    sched = pair.torch(opt)
    out = np.empty(pair.steps)
    for k in range(pair.steps):
        out[k] = opt.param_groups[0]["lr"]
        opt.step()
        sched.step(pair.metrics[k])
    return out


def _run_paddle(pair: Pair) -> np.ndarray:
    if pair.metrics is None:
        return runners.run_paddle_native(pair.paddle, pair.steps)
    sched = pair.paddle()
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
