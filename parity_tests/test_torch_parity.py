"""The torch backend against torch 2.13's own schedulers: every class, a grid of settings, every step.

For each native ``s`` in the grid, ``torch_scheduler(from_native(s), optimizer)`` on an optimizer with the same
param groups (1 and 3 groups, distinct lrs) must give the native's lr and momentum (SGD ``momentum``, Adam
``betas[0]``) in every group at every step: bit-identical where the native is a closed form, within 1e-12
relative where it is a recursion (StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR,
CosineAnnealingLR, and the containers holding them) over 10,000 steps; ``from_native(s, replay=True)`` replays
the cosine and linear recursions and is bit-identical. Each case also resumes: ``from_native`` of the live native
at step K, built with ``last_epoch=K-1`` on a fresh optimizer, continues the uninterrupted native exactly (and
the native's own constructor resume is checked against it where torch gets it right). The known native defects
are in ``test_torch_defects.py``; a tiny model trained 50 steps under both is in ``test_torch_model.py``.

``python parity_tests/test_torch_parity.py`` prints the parity table (docs/torch.md).
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from torch.optim import lr_scheduler as N  # noqa: E402

import lrparity  # noqa: E402
from lrparity.backends.torch import NativeMismatchWarning, from_native, native_step  # noqa: E402

pytestmark = [
    pytest.mark.torch,
    pytest.mark.filterwarnings("ignore:" + re.escape("Detected call of `lr_scheduler.step()`")),
    pytest.mark.filterwarnings("ignore::lrparity.backends.torch.NativeMismatchWarning"),
]

RECURSIVE_RTOL = 1e-12
RESUME_STEPS = 2500  # resume runs stop here (the runs from step 0 go on to case.steps)
LRS = {1: [0.1], 3: [0.1, 0.05, 0.3]}


# ------------------------------------------------------------------------------------------------------------
# module-level functions (a lambda would do for parity; these also round-trip through configs)
# ------------------------------------------------------------------------------------------------------------
def decay95(e: int) -> float:
    return 0.95**e


def inverse(e: int) -> float:
    return 1 / (1 + 0.01 * e)


def every30(e: int) -> int:
    return e // 30 + 1


def half_at_zero(e: int) -> float:
    return 0.5 if e == 0 else 1.0 - 1e-4 * e


def wobble(e: int) -> float:
    return 1.0 - 1e-4 * (e % 7)


def const999(e: int) -> float:
    return 0.999


def sqrt_scale(x: float) -> float:
    return 1 / math.sqrt(x)


def exp_scale(x: float) -> float:
    return 0.999**x


# ------------------------------------------------------------------------------------------------------------
# harness
# ------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    """A native scheduler factory ``make(optimizer, last_epoch)`` and how to compare it."""

    native: str
    settings: str
    make: Callable[..., Any]
    steps: int = 1000
    rtol: float | None = None  # None: bit-identical
    groups: tuple[int, ...] = (1, 3)
    adam: bool = False
    native_resume: bool = True  # the native takes last_epoch (containers do not)
    resume_at: int = 137
    replay: bool = False
    end: int | None = None  # OneCycleLR: both raise at step end + 1
    kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.native}[{self.settings}]"


def make_optimizer(groups: int, adam: bool = False) -> torch.optim.Optimizer:
    params = [torch.nn.Parameter(torch.zeros(2, dtype=torch.float64)) for _ in range(groups)]
    spec = [{"params": [p], "lr": lr} for p, lr in zip(params, LRS[groups])]
    if adam:
        return torch.optim.Adam(spec, betas=(0.9, 0.999))
    return torch.optim.SGD(spec, momentum=0.9)


def read(opt: torch.optim.Optimizer) -> list[float]:
    """Every group's lr and momentum (SGD) / beta1 (Adam), as floats."""
    out = []
    for g in opt.param_groups:
        out.append(float(g["lr"]))
        out.append(float(g["betas"][0] if "betas" in g else g["momentum"]))
    return out


def diff(a: np.ndarray, b: np.ndarray) -> tuple[float, float, int]:
    """(max |a-b|, max |a-b| / max(|a|,|b|), number of values not bit-identical).

    The relative difference is taken over normal floats: a decay that underflows (StepLR(30, 0.1) reaches
    1e-308 at step ~9240) has no relative precision left among the subnormals.
    """
    d = np.abs(a - b)
    scale = np.maximum(np.abs(a), np.abs(b))
    rel = np.divide(d, scale, out=np.zeros_like(d), where=scale >= np.finfo(np.float64).tiny)
    return float(d.max(initial=0.0)), float(rel.max(initial=0.0)), int((a != b).sum())


def check(a: np.ndarray, b: np.ndarray, rtol: float | None, what: str) -> tuple[float, float, int]:
    result = diff(a, b)
    if rtol is None:
        assert result[2] == 0, f"{what}: not bit-identical: max_abs {result[0]:.3g}, {result[2]} values differ"
    else:
        assert result[1] <= rtol, f"{what}: max_rel {result[1]:.3g} > {rtol:g}"
    return result


def convert(native: Any, replay: bool) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NativeMismatchWarning)
        return from_native(native, replay=replay)


def run_pair(case: Case, groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Native and ours side by side from step 0: values at steps 0 .. case.steps - 1."""
    o1, o2 = make_optimizer(groups, case.adam), make_optimizer(groups, case.adam)
    native = case.make(o1, -1)
    ours = lrparity.torch_scheduler(convert(native, case.replay), o2)
    a, b = np.empty((case.steps, 2 * groups)), np.empty((case.steps, 2 * groups))
    for t in range(case.steps):
        a[t], b[t] = read(o1), read(o2)
        if t < case.steps - 1:
            native.step()
            ours.step()
    assert native_step(native) == ours.last_epoch == case.steps - 1
    if case.end is not None:  # stepping past the end raises in both, and ours changes nothing
        for _ in range(case.end - (case.steps - 1)):
            native.step()
            ours.step()
        with pytest.raises(ValueError):
            native.step()
        before = read(o2)
        with pytest.raises(ValueError, match=r"past the end"):
            ours.step()
        assert read(o2) == before and ours.last_epoch == case.end
    return a, b


def run_resume(case: Case, groups: int) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """An uninterrupted native; ours from ``from_native`` of the live native at step K, built with
    ``last_epoch=K-1`` on a fresh optimizer; and the native's own constructor resume (optimizer restored)."""
    k, steps = case.resume_at, min(case.steps, RESUME_STEPS)
    o1 = make_optimizer(groups, case.adam)
    native = case.make(o1, -1)
    truth = np.empty((steps - k, 2 * groups))
    snapshot = None
    for t in range(steps):
        if t == k:  # what optimizer.load_state_dict restores from a checkpoint taken at step k
            snapshot = [{key: v for key, v in g.items() if key != "params"} for g in o1.param_groups]
            schedule = convert(native, case.replay)  # the live native, at step k
            assert native_step(native) == k
        if t >= k:
            truth[t - k] = read(o1)
        if t < steps - 1:
            native.step()
    o2 = make_optimizer(groups, case.adam)
    for g, saved in zip(o2.param_groups, snapshot):  # type: ignore[arg-type]
        g["initial_lr"] = saved["initial_lr"]
    ours = lrparity.torch_scheduler(schedule, o2, last_epoch=k - 1)
    mine = np.empty_like(truth)
    for t in range(steps - k):
        mine[t] = read(o2)
        if t < steps - k - 1:
            ours.step()
    theirs = None
    if case.native_resume:
        o3 = make_optimizer(groups, case.adam)
        for g, saved in zip(o3.param_groups, snapshot):  # type: ignore[arg-type]
            g.update(saved)
        resumed = case.make(o3, k - 1)
        theirs = np.empty_like(truth)
        for t in range(steps - k):
            theirs[t] = read(o3)
            if t < steps - k - 1:
                resumed.step()
    return truth, mine, theirs


def metrics(n: int, seed: int = 3) -> list[float]:
    """A loss curve with plateaus and noise (exercises patience, cooldown and thresholds)."""
    rng = np.random.default_rng(seed)
    level, out = 1.0, []
    for k in range(n):
        level *= 0.97 if (k // 25) % 3 == 0 else 1.0
        out.append(float(level * (1 + 1e-3 * rng.standard_normal())))
    return out


# ------------------------------------------------------------------------------------------------------------
# the grid
# ------------------------------------------------------------------------------------------------------------
CASES: list[Case] = [
    # LambdaLR (closed form): single function, per-group list, integer factor, f(0) != 1
    Case("LambdaLR", "0.95**e", lambda o, le: N.LambdaLR(o, decay95, last_epoch=le)),
    Case("LambdaLR", "1/(1+.01e)", lambda o, le: N.LambdaLR(o, inverse, last_epoch=le)),
    Case("LambdaLR", "int e//30+1", lambda o, le: N.LambdaLR(o, every30, last_epoch=le)),
    Case(
        "LambdaLR",
        "list per group",
        lambda o, le: N.LambdaLR(o, [decay95, inverse, half_at_zero][: len(o.param_groups)], last_epoch=le),
    ),
    # MultiplicativeLR (recursive, but the product is taken in torch's order: bit-identical)
    Case("MultiplicativeLR", "0.999", lambda o, le: N.MultiplicativeLR(o, const999, last_epoch=le), steps=2000),
    Case("MultiplicativeLR", "f(0)=.5, varying", lambda o, le: N.MultiplicativeLR(o, half_at_zero, last_epoch=le)),
    Case(
        "MultiplicativeLR",
        "list per group",
        lambda o, le: N.MultiplicativeLR(o, [wobble, const999, half_at_zero][: len(o.param_groups)], last_epoch=le),
    ),
    # StepLR (recursive)
    Case("StepLR", "30, default gamma", lambda o, le: N.StepLR(o, 30, last_epoch=le), 10_000, RECURSIVE_RTOL),
    Case("StepLR", "7, 0.5", lambda o, le: N.StepLR(o, 7, 0.5, last_epoch=le), 10_000, RECURSIVE_RTOL),
    Case(
        "StepLR",
        "1, 0.999",
        lambda o, le: N.StepLR(o, 1, 0.999, last_epoch=le),
        10_000,
        RECURSIVE_RTOL,
        native_resume=False,  # every step is a decay step: torch's constructor resume decays twice
    ),
    Case("StepLR", "1000, 1.5 (growth)", lambda o, le: N.StepLR(o, 1000, 1.5, last_epoch=le), 10_000, RECURSIVE_RTOL),
    # MultiStepLR (recursive)
    Case(
        "MultiStepLR",
        "[100,300,600], 0.5",
        lambda o, le: N.MultiStepLR(o, [100, 300, 600], 0.5, last_epoch=le),
        10_000,
        RECURSIVE_RTOL,
    ),
    Case(
        "MultiStepLR",
        "unsorted+duplicate [500,2,5,5]",
        lambda o, le: N.MultiStepLR(o, [500, 2, 5, 5], last_epoch=le),
        10_000,
        RECURSIVE_RTOL,
    ),
    Case(
        "MultiStepLR",
        "milestone 0 [0,3000], 0.3",
        lambda o, le: N.MultiStepLR(o, [0, 3000], 0.3, last_epoch=le),
        10_000,
        RECURSIVE_RTOL,
    ),
    # ConstantLR (recursive)
    Case("ConstantLR", "defaults (1/3, 5)", lambda o, le: N.ConstantLR(o, last_epoch=le), 10_000, RECURSIVE_RTOL),
    Case("ConstantLR", "0.1, 50", lambda o, le: N.ConstantLR(o, 0.1, 50, last_epoch=le), 10_000, RECURSIVE_RTOL),
    Case("ConstantLR", "1.0, 10", lambda o, le: N.ConstantLR(o, 1.0, 10, last_epoch=le), 10_000, RECURSIVE_RTOL),
    Case("ConstantLR", "0.5, total 0", lambda o, le: N.ConstantLR(o, 0.5, 0, last_epoch=le), 10_000, RECURSIVE_RTOL),
    # LinearLR (recursive)
    Case("LinearLR", "defaults (1/3, 1, 5)", lambda o, le: N.LinearLR(o, last_epoch=le), 10_000, RECURSIVE_RTOL),
    Case(
        "LinearLR", "0.01 -> 1, 100", lambda o, le: N.LinearLR(o, 0.01, 1.0, 100, last_epoch=le), 10_000, RECURSIVE_RTOL
    ),
    Case(
        "LinearLR", "1 -> 0, 3000", lambda o, le: N.LinearLR(o, 1.0, 0.0, 3000, last_epoch=le), 10_000, RECURSIVE_RTOL
    ),
    Case("LinearLR", "0.5, total 0", lambda o, le: N.LinearLR(o, 0.5, 1.0, 0, last_epoch=le), 10_000, RECURSIVE_RTOL),
    Case(
        "LinearLR",
        "0.001 -> 1, 9999, replay",
        lambda o, le: N.LinearLR(o, 0.001, 1.0, 9999, last_epoch=le),
        10_000,
        replay=True,
    ),
    # ExponentialLR (recursive)
    Case("ExponentialLR", "0.999", lambda o, le: N.ExponentialLR(o, 0.999, last_epoch=le), 10_000, RECURSIVE_RTOL),
    Case("ExponentialLR", "0.9999", lambda o, le: N.ExponentialLR(o, 0.9999, last_epoch=le), 10_000, RECURSIVE_RTOL),
    Case("ExponentialLR", "1.0", lambda o, le: N.ExponentialLR(o, 1.0, last_epoch=le), 10_000, RECURSIVE_RTOL),
    Case(
        "ExponentialLR",
        "1.0001 (growth)",
        lambda o, le: N.ExponentialLR(o, 1.0001, last_epoch=le),
        10_000,
        RECURSIVE_RTOL,
    ),
    # PolynomialLR (recursive; holds 0 after total_iters)
    Case("PolynomialLR", "defaults (5, 1)", lambda o, le: N.PolynomialLR(o, last_epoch=le), 10_000, RECURSIVE_RTOL),
    Case(
        "PolynomialLR", "9000, 0.9", lambda o, le: N.PolynomialLR(o, 9000, 0.9, last_epoch=le), 10_000, RECURSIVE_RTOL
    ),
    Case("PolynomialLR", "1000, 2", lambda o, le: N.PolynomialLR(o, 1000, 2.0, last_epoch=le), 10_000, RECURSIVE_RTOL),
    Case("PolynomialLR", "total 0", lambda o, le: N.PolynomialLR(o, 0, last_epoch=le), 10_000, RECURSIVE_RTOL),
    Case(
        "PolynomialLR", "100, power 0", lambda o, le: N.PolynomialLR(o, 100, 0.0, last_epoch=le), 10_000, RECURSIVE_RTOL
    ),
    # CosineAnnealingLR (recursive; periodic past T_max)
    Case(
        "CosineAnnealingLR", "1000", lambda o, le: N.CosineAnnealingLR(o, 1000, last_epoch=le), 10_000, RECURSIVE_RTOL
    ),
    Case(
        "CosineAnnealingLR",
        "10000, eta_min 1e-4",
        lambda o, le: N.CosineAnnealingLR(o, 10_000, 1e-4, last_epoch=le),
        10_000,
        RECURSIVE_RTOL,
    ),
    Case(
        "CosineAnnealingLR",
        "100, eta_min 1e-3, replay",
        lambda o, le: N.CosineAnnealingLR(o, 100, 1e-3, last_epoch=le),
        10_000,
        replay=True,
    ),
    Case(
        "CosineAnnealingLR",
        "7, replay",
        lambda o, le: N.CosineAnnealingLR(o, 7, last_epoch=le),
        10_000,
        replay=True,
    ),
    Case("CosineAnnealingLR", "float 10.5", lambda o, le: N.CosineAnnealingLR(o, 10.5, last_epoch=le), 1000, 1e-12),
    Case("CosineAnnealingLR", "1, replay", lambda o, le: N.CosineAnnealingLR(o, 1, last_epoch=le), 1000, replay=True),
    # CosineAnnealingWarmRestarts (closed form in T_cur, T_i)
    Case(
        "CosineAnnealingWarmRestarts", "10", lambda o, le: N.CosineAnnealingWarmRestarts(o, 10, last_epoch=le), 10_000
    ),
    Case(
        "CosineAnnealingWarmRestarts",
        "50, 2, eta_min 1e-4",
        lambda o, le: N.CosineAnnealingWarmRestarts(o, 50, 2, 1e-4, last_epoch=le),
        10_000,
        resume_at=40,  # torch's own constructor resume is wrong past the first cycle with T_mult > 1
    ),
    Case(
        "CosineAnnealingWarmRestarts",
        "7, 3",
        lambda o, le: N.CosineAnnealingWarmRestarts(o, 7, 3, last_epoch=le),
        10_000,
        native_resume=False,
    ),
    Case("CosineAnnealingWarmRestarts", "1, 1", lambda o, le: N.CosineAnnealingWarmRestarts(o, 1, last_epoch=le), 1000),
    # CyclicLR (closed form; absolute; cycles momentum / beta1 by default)
    Case("CyclicLR", "defaults (2000 up, momentum)", lambda o, le: N.CyclicLR(o, 0.01, 0.1, last_epoch=le), 10_000),
    Case("CyclicLR", "triangular, 200 (momentum)", lambda o, le: N.CyclicLR(o, 0.01, 0.1, 200, last_epoch=le), 5000),
    Case(
        "CyclicLR",
        "triangular2, 150/250, no momentum",
        lambda o, le: N.CyclicLR(o, 0.001, 0.1, 150, 250, "triangular2", cycle_momentum=False, last_epoch=le),
        5000,
    ),
    Case(
        "CyclicLR",
        "exp_range .999, lists per group",
        lambda o, le: N.CyclicLR(
            o,
            [0.01, 0.02, 0.005][: len(o.param_groups)],
            [0.1, 0.2, 0.3][: len(o.param_groups)],
            100,
            mode="exp_range",
            gamma=0.999,
            base_momentum=[0.8, 0.85, 0.7][: len(o.param_groups)],
            max_momentum=0.95,
            last_epoch=le,
        ),
        5000,
    ),
    Case(
        "CyclicLR",
        "scale_fn cycle, float 10.5 up",
        lambda o, le: N.CyclicLR(o, 0.01, 0.1, 10.5, scale_fn=sqrt_scale, last_epoch=le),
        2000,
    ),
    Case(
        "CyclicLR",
        "scale_fn iterations, 30/70",
        lambda o, le: N.CyclicLR(o, 0.01, 0.1, 30, 70, scale_fn=exp_scale, scale_mode="iterations", last_epoch=le),
        2000,
    ),
    Case("CyclicLR", "Adam beta1", lambda o, le: N.CyclicLR(o, 0.001, 0.01, 50, last_epoch=le), 2000, adam=True),
    # OneCycleLR (closed form; absolute; raises past total_steps)
    Case("OneCycleLR", "defaults, 1000", lambda o, le: N.OneCycleLR(o, 0.1, 1000, last_epoch=le), 1001, end=1000),
    Case(
        "OneCycleLR",
        "linear, pct .25, div 10, fdiv 100",
        lambda o, le: N.OneCycleLR(
            o, 0.1, 2000, pct_start=0.25, anneal_strategy="linear", div_factor=10, final_div_factor=100, last_epoch=le
        ),
        2001,
        end=2000,
    ),
    Case(
        "OneCycleLR",
        "three_phase, pct .6",
        lambda o, le: N.OneCycleLR(o, 0.1, 1500, pct_start=0.6, three_phase=True, last_epoch=le),
        1501,
        end=1500,
    ),
    Case(
        "OneCycleLR",
        "pct 0, epochs x steps",
        lambda o, le: N.OneCycleLR(o, 0.3, epochs=10, steps_per_epoch=100, pct_start=0.0, last_epoch=le),
        1001,
        end=1000,
    ),
    Case(
        "OneCycleLR",
        "lists per group, no momentum",
        lambda o, le: N.OneCycleLR(
            o, [0.1, 0.2, 0.05][: len(o.param_groups)], 1200, cycle_momentum=False, last_epoch=le
        ),
        1201,
    ),
    Case(
        "OneCycleLR",
        "momentum lists",
        lambda o, le: N.OneCycleLR(
            o,
            0.1,
            1000,
            base_momentum=[0.8, 0.85, 0.75][: len(o.param_groups)],
            max_momentum=[0.95, 0.9, 0.99][: len(o.param_groups)],
            last_epoch=le,
        ),
        1001,
    ),
    Case("OneCycleLR", "Adam beta1", lambda o, le: N.OneCycleLR(o, 0.01, 1000, last_epoch=le), 1001, adam=True),
    Case("OneCycleLR", "total 1", lambda o, le: N.OneCycleLR(o, 0.1, 1, last_epoch=le), 2, end=1, resume_at=1),
    # SequentialLR (each phase restarts from the base lr at its milestone)
    Case(
        "SequentialLR",
        "LinearLR warmup 100 + Cosine 10000",
        lambda o, le: N.SequentialLR(o, [N.LinearLR(o, 0.01, 1.0, 100), N.CosineAnnealingLR(o, 10_000)], [100]),
        10_000,
        RECURSIVE_RTOL,
        native_resume=False,
    ),
    Case(
        "SequentialLR",
        "LinearLR warmup 50 + Cosine 500, replay",
        lambda o, le: N.SequentialLR(o, [N.LinearLR(o, 0.01, 1.0, 50), N.CosineAnnealingLR(o, 500, 1e-5)], [50]),
        10_000,
        native_resume=False,
        replay=True,
    ),
    Case(
        "SequentialLR",
        "Constant, Exponential, Step [5, 300]",
        lambda o, le: N.SequentialLR(
            o, [N.ConstantLR(o, 0.5, 10), N.ExponentialLR(o, 0.999), N.StepLR(o, 100, 0.5)], [5, 300]
        ),
        10_000,
        RECURSIVE_RTOL,
        native_resume=False,
    ),
    Case(
        "SequentialLR",
        "milestones [0, 50]",
        lambda o, le: N.SequentialLR(
            o, [N.ConstantLR(o, 0.1, 5), N.LinearLR(o, 0.1, 1.0, 20), N.PolynomialLR(o, 500, 2.0)], [0, 50]
        ),
        2000,
        RECURSIVE_RTOL,
        native_resume=False,
    ),
    Case(
        "SequentialLR",
        "LambdaLR + CAWR (closed forms)",
        lambda o, le: N.SequentialLR(o, [N.LambdaLR(o, decay95), N.CosineAnnealingWarmRestarts(o, 30, 2)], [40]),
        5000,
        native_resume=False,
    ),
    Case(
        "SequentialLR",
        "LinearLR + OneCycleLR (absolute, pinned)",
        lambda o, le: N.SequentialLR(
            o, [N.LinearLR(o, 0.1, 1.0, 50), N.OneCycleLR(o, 0.3, 1000, cycle_momentum=False)], [50]
        ),
        1051,
        RECURSIVE_RTOL,
        native_resume=False,
    ),
    Case(
        "SequentialLR",
        "ChainedScheduler first (Constant x Linear)",
        lambda o, le: N.SequentialLR(
            o,
            [N.ChainedScheduler([N.ConstantLR(o, 0.5, 20), N.LinearLR(o, 0.2, 1.0, 40)]), N.StepLR(o, 100, 0.5)],
            [60],
        ),
        3000,
        RECURSIVE_RTOL,
        native_resume=False,
    ),
    # ChainedScheduler (members multiply; a closed-form last member rewrites the lr)
    Case(
        "ChainedScheduler",
        "Constant(.1, 2) x Exponential(.9)",
        lambda o, le: N.ChainedScheduler([N.ConstantLR(o, 0.1, 2), N.ExponentialLR(o, 0.9)]),
        1000,
        RECURSIVE_RTOL,
        native_resume=False,
    ),
    Case(
        "ChainedScheduler",
        "Linear x Exponential x MultiStep",
        lambda o, le: N.ChainedScheduler(
            [N.LinearLR(o, 0.01, 1.0, 200), N.ExponentialLR(o, 0.9995), N.MultiStepLR(o, [3000, 6000], 0.3)]
        ),
        10_000,
        RECURSIVE_RTOL,
        native_resume=False,
    ),
    Case(
        "ChainedScheduler",
        "Cosine(10000) x Step, up to T_max",
        lambda o, le: N.ChainedScheduler([N.CosineAnnealingLR(o, 10_000), N.StepLR(o, 1000, 0.8)]),
        10_000,
        RECURSIVE_RTOL,
        native_resume=False,
    ),
    Case(
        "ChainedScheduler",
        "nested Chained x Poly",
        lambda o, le: N.ChainedScheduler(
            [N.ChainedScheduler([N.ConstantLR(o, 0.5, 30), N.ExponentialLR(o, 0.999)]), N.PolynomialLR(o, 5000, 1.5)]
        ),
        10_000,
        RECURSIVE_RTOL,
        native_resume=False,
    ),
    Case(
        "ChainedScheduler",
        "closed-form last member (MultiStep, Lambda)",
        lambda o, le: N.ChainedScheduler([N.MultiStepLR(o, [5, 10]), N.LambdaLR(o, decay95)]),
        1000,
        native_resume=False,
    ),
]

PLATEAUS: dict[str, dict[str, Any]] = {
    "defaults": {},
    "patience 3": {"patience": 3},
    "abs threshold .01": {"patience": 3, "threshold": 0.01, "threshold_mode": "abs"},
    "max mode": {"mode": "max", "patience": 2},
    "min_lr per group": {"patience": 1, "factor": 0.5, "min_lr": "per-group"},
    "cooldown 5": {"patience": 3, "cooldown": 5},
    "cooldown 10, factor .5": {"patience": 5, "cooldown": 10, "factor": 0.5},
    "eps 1e-3": {"patience": 0, "eps": 1e-3, "factor": 0.5},
}


# ------------------------------------------------------------------------------------------------------------
# tests
# ------------------------------------------------------------------------------------------------------------
PARAMS = [pytest.param(case, groups, id=f"{case.id}-{groups}g") for case in CASES for groups in case.groups]


@pytest.mark.parametrize(("case", "groups"), PARAMS)
def test_parity_from_step_zero(case: Case, groups: int) -> None:
    a, b = run_pair(case, groups)
    check(a, b, case.rtol, f"{case.id}, {groups} group(s)")


@pytest.mark.parametrize(("case", "groups"), PARAMS)
def test_parity_resumed(case: Case, groups: int) -> None:
    truth, mine, theirs = run_resume(case, groups)
    check(truth, mine, case.rtol, f"{case.id}, {groups} group(s), ours resumed at step {case.resume_at}")
    if theirs is not None:
        check(truth, theirs, case.rtol, f"{case.id}: torch's own constructor resume at {case.resume_at}")


def test_every_native_class_is_in_the_grid() -> None:
    covered = {c.native for c in CASES} | {"ReduceLROnPlateau"}
    natives = {name for name in N.__all__ if name != "LRScheduler"}
    assert covered == natives, natives ^ covered
    assert len(natives) == 15


def plateau_pair(settings: dict[str, Any], groups: int, n: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    kwargs = dict(settings)
    if kwargs.get("min_lr") == "per-group":
        kwargs["min_lr"] = [1e-3, 2e-2, 1e-4][:groups]
    o1, o2 = make_optimizer(groups), make_optimizer(groups)
    native = N.ReduceLROnPlateau(o1, **kwargs)
    ours = lrparity.torch_scheduler(from_native(native), o2)
    assert isinstance(ours, N.ReduceLROnPlateau)
    a, b = np.empty((n, groups)), np.empty((n, groups))
    for t, m in enumerate(metrics(n)):
        native.step(m)
        ours.step(torch.tensor(m, dtype=torch.float64))
        a[t] = [float(g["lr"]) for g in o1.param_groups]
        b[t] = [float(g["lr"]) for g in o2.param_groups]
        assert (ours.best, ours.num_bad_epochs, ours.cooldown_counter, ours.last_epoch) == (
            native.best,
            native.num_bad_epochs,
            native.cooldown_counter,
            native.last_epoch,
        )
    return a, b


@pytest.mark.parametrize("groups", [1, 3])
@pytest.mark.parametrize("name", sorted(PLATEAUS))
def test_reduce_lr_on_plateau(name: str, groups: int) -> None:
    a, b = plateau_pair(PLATEAUS[name], groups)
    check(a, b, None, f"ReduceLROnPlateau[{name}], {groups} group(s)")
    assert len(np.unique(a[:, 0])) > 1, "the metric curve must trigger reductions"


def test_float64_tensor_lr_matches_float_native() -> None:
    """A float64 tensor lr: native (tensor arithmetic) and ours (fill_) agree bit for bit; the tensor is kept."""
    for make in (lambda o: N.LambdaLR(o, decay95), lambda o: N.OneCycleLR(o, 0.1, 500), lambda o: N.StepLR(o, 7, 0.5)):
        p1, p2 = torch.nn.Parameter(torch.zeros(2)), torch.nn.Parameter(torch.zeros(2))
        lr1, lr2 = torch.tensor(0.1, dtype=torch.float64), torch.tensor(0.1, dtype=torch.float64)
        o1 = torch.optim.SGD([p1], lr=lr1, momentum=0.9)
        o2 = torch.optim.SGD([p2], lr=lr2, momentum=0.9)
        native = make(o1)
        ours = lrparity.torch_scheduler(from_native(native), o2)
        for _ in range(500):
            assert o2.param_groups[0]["lr"] is lr2
            assert float(o1.param_groups[0]["lr"]) == float(lr2)
            native.step()
            ours.step()


# ------------------------------------------------------------------------------------------------------------
# the table for docs/torch.md
# ------------------------------------------------------------------------------------------------------------
def table() -> str:
    rows = ["| native | settings | groups | steps | kind | max_abs | max_rel | values not bit-identical |"]
    rows.append("|---|---|---|---|---|---|---|---|")
    for case in CASES:
        for groups in case.groups:
            a, b = run_pair(case, groups)
            d = diff(a, b)
            kind = "closed/exact" if case.rtol is None else f"recursive (tol {case.rtol:g})"
            if case.replay:
                kind = "recursive, replay=True"
            rows.append(
                f"| {case.native} | {case.settings} | {groups} | {case.steps} | {kind} | {d[0]:.3g} | {d[1]:.3g} "
                f"| {d[2]} / {a.size} |"
            )
    for name in sorted(PLATEAUS):
        for groups in (1, 3):
            a, b = plateau_pair(PLATEAUS[name], groups)
            d = diff(a, b)
            rows.append(
                f"| ReduceLROnPlateau | {name} | {groups} | 1000 | stateful | {d[0]:.3g} | {d[1]:.3g} | {d[2]} |"
            )
    return "\n".join(rows)


def summary() -> str:
    """One row per native and comparison kind: the settings covered and the worst difference over them."""
    rows: dict[tuple[str, str], list[Any]] = {}
    for case in CASES:
        kind = "bit-identical" if case.rtol is None else f"<= {case.rtol:g} rel"
        kind = "bit-identical (replay=True)" if case.replay else kind
        entry = rows.setdefault((case.native, kind), [[], 0, 0.0, 0.0])
        entry[0].append(case.settings)
        entry[1] = max(entry[1], case.steps)
        for groups in case.groups:
            d = diff(*run_pair(case, groups))
            entry[2], entry[3] = max(entry[2], d[0]), max(entry[3], d[1])
    out = ["| native | tolerance | settings (1 and 3 groups each, plus a resume) | steps | max abs / max rel |"]
    out.append("|---|---|---|---|---|")
    for (native, kind), (settings, steps, a, r) in rows.items():
        out.append(f"| {native} | {kind} | {'; '.join(settings)} | {steps} | {a:.2g} / {r:.2g} |")
    worst = 0.0
    for name in sorted(PLATEAUS):
        for groups in (1, 3):
            worst = max(worst, diff(*plateau_pair(PLATEAUS[name], groups))[1])
    out.append(
        f"| ReduceLROnPlateau | bit-identical | {'; '.join(sorted(PLATEAUS))} | 1000 | {worst:.2g} / {worst:.2g} |"
    )
    return "\n".join(out)


if __name__ == "__main__":
    import sys

    warnings.simplefilter("ignore")
    print(summary() if "--summary" in sys.argv else table())
