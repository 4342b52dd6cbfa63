"""Where torch 2.13's own schedulers are wrong: the native's error at exactly those steps, and ours correct there.

Each defect compares three runs: the native in the defective situation, the *truth* (always from natives run in
a situation torch gets right: the uninterrupted scheduler, the flat SequentialLR, each chain member alone) and
ours. The test asserts the steps at which the native departs from the truth, and that ours equals the truth
(bit-identical, or within 1e-12 relative where the truth is itself a native recursion).

``python parity_tests/test_torch_defects.py`` prints the table of docs/torch.md (measured differences).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from torch.optim import lr_scheduler as N  # noqa: E402

import lrparity  # noqa: E402
from lrparity.backends.torch import NativeMismatchWarning, from_native  # noqa: E402
from tests.helpers import torch_sgd  # noqa: E402

pytestmark = [
    pytest.mark.torch,
    pytest.mark.filterwarnings("ignore:" + re.escape("Detected call of `lr_scheduler.step()`")),
    pytest.mark.filterwarnings("ignore:" + re.escape("The epoch parameter in `scheduler.step()`")),
]

BASE = 0.1
RTOL = 1e-12


def opt(lr: float = BASE) -> torch.optim.Optimizer:
    return torch_sgd(lr, momentum=0.9)


def lr(o: torch.optim.Optimizer) -> float:
    return float(o.param_groups[0]["lr"])


def collect(o: torch.optim.Optimizer, step: Callable[[int], None], n: int) -> np.ndarray:
    """lr at n consecutive steps: read, then ``step(t)`` (no step after the last read)."""
    out = np.empty(n)
    for t in range(n):
        out[t] = lr(o)
        if t < n - 1:
            step(t)
    return out


def uninterrupted(make: Callable[..., Any], n: int) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """The native from step 0 for n steps, and its optimizer's param groups saved at every step."""
    o = opt()
    s = make(o, -1)
    values, saved = np.empty(n), []
    for t in range(n):
        values[t] = lr(o)
        saved.append({k: v for k, v in o.param_groups[0].items() if k != "params"})
        s.step()
    return values, saved


def resume_native(make: Callable[..., Any], k: int, n: int, saved: list[dict[str, Any]]) -> np.ndarray:
    """torch's constructor resume: optimizer state of step k restored, scheduler built with last_epoch=k-1."""
    o = opt()
    o.param_groups[0].update(saved[k])
    s = make(o, k - 1)
    return collect(o, lambda t: s.step(), n)


def resume_ours(make: Callable[..., Any], k: int, n: int) -> np.ndarray:
    """Ours, built with last_epoch=k-1 on a fresh optimizer (only initial_lr restored)."""
    o = opt()
    o.param_groups[0]["initial_lr"] = BASE
    s = lrparity.torch_scheduler(from_native(make(opt(), -1)), o, last_epoch=k - 1)
    return collect(o, lambda t: s.step(), n)


@dataclass
class Result:
    native: np.ndarray
    truth: np.ndarray
    ours: np.ndarray
    offset: int = 0  # step of element 0

    def wrong_steps(self) -> list[int]:
        return [self.offset + i for i in np.flatnonzero(self.native != self.truth).tolist()]

    def native_error(self) -> tuple[float, float]:
        d = np.abs(self.native - self.truth)
        scale = np.maximum(np.abs(self.native), np.abs(self.truth))
        rel = np.divide(d, scale, out=np.zeros_like(d), where=scale > 0)
        return float(d.max()), float(rel.max())

    def check_ours(self, rtol: float | None) -> None:
        if rtol is None:
            np.testing.assert_array_equal(self.ours, self.truth)
        else:
            np.testing.assert_allclose(self.ours, self.truth, rtol=rtol, atol=0)


# ------------------------------------------------------------------------------------------------------------
# the defects
# ------------------------------------------------------------------------------------------------------------
def constructor_resume(make: Callable[..., Any], k: int, n: int = 20) -> Result:
    truth, saved = uninterrupted(make, k + n)
    return Result(resume_native(make, k, n, saved), truth[k:], resume_ours(make, k, n), k)


def step_lr(o: Any, le: int) -> Any:
    return N.StepLR(o, 3, 0.5, last_epoch=le)


def multistep_lr(o: Any, le: int) -> Any:
    return N.MultiStepLR(o, [6, 9], 0.5, last_epoch=le)


def constant_lr(o: Any, le: int) -> Any:
    return N.ConstantLR(o, 0.5, 6, last_epoch=le)


def cawr_2(o: Any, le: int) -> Any:
    return N.CosineAnnealingWarmRestarts(o, 5, 2, last_epoch=le)


def cawr_epoch_path(t0: int, n: int) -> Result:
    """CAWR(T_0, T_mult=3) stepped with step(epoch): a float log misses the restart at 121 T_0."""
    o1, o2, o3 = opt(), opt(), opt()
    by_epoch, plain = N.CosineAnnealingWarmRestarts(o1, t0, 3), N.CosineAnnealingWarmRestarts(o2, t0, 3)
    ours = lrparity.torch_scheduler(from_native(N.CosineAnnealingWarmRestarts(opt(), t0, 3)), o3)
    native = collect(o1, lambda t: by_epoch.step(t + 1), n)
    truth = collect(o2, lambda t: plain.step(), n)
    mine = collect(o3, lambda t: ours.step(t + 1), n)
    return Result(native, truth, mine)


def sequential_last_epoch(k: int = 60, n: int = 40) -> Result:
    """SequentialLR(last_epoch=k-1) ignores last_epoch and starts over (pytorch#162591)."""

    def make(o: Any, le: int) -> Any:
        return N.SequentialLR(o, [N.ConstantLR(o, 0.1, 20), N.ExponentialLR(o, 0.95)], [30], last_epoch=le)

    truth, saved = uninterrupted(make, k + n)
    return Result(resume_native(make, k, n, saved), truth[k:], resume_ours(make, k, n), k)


def cosine_fresh_optimizer(k: int = 300, n: int = 50) -> Result:
    """CosineAnnealingLR(last_epoch=k-1) on an optimizer whose lr was not restored (only initial_lr set): its
    recursion continues from the wrong lr (pytorch#65342); ours needs only initial_lr."""

    def make(o: Any, le: int) -> Any:
        return N.CosineAnnealingLR(o, 1000, last_epoch=le)

    truth, _ = uninterrupted(make, k + n)
    o = opt()
    o.param_groups[0]["initial_lr"] = BASE
    s = make(o, k - 1)
    native = collect(o, lambda t: s.step(), n)
    return Result(native, truth[k:], resume_ours(make, k, n), k)


def nested_sequential(n: int = 40) -> Result:
    """A SequentialLR as the first phase of a SequentialLR switches its phases one step early."""
    o1, o2, o3 = opt(), opt(), opt()

    def nested(o: Any) -> Any:
        inner = N.SequentialLR(o, [N.ConstantLR(o, 0.5, 20), N.ExponentialLR(o, 0.8)], [10])
        return N.SequentialLR(o, [inner, N.StepLR(o, 5, 0.5)], [25])

    native = nested(o1)
    flat = N.SequentialLR(o2, [N.ConstantLR(o2, 0.5, 20), N.ExponentialLR(o2, 0.8), N.StepLR(o2, 5, 0.5)], [10, 25])
    with pytest.warns(NativeMismatchWarning, match="one step early"):
        schedule = from_native(nested(opt()))
    ours = lrparity.torch_scheduler(schedule, o3)
    return Result(
        collect(o1, lambda t: native.step(), n),
        collect(o2, lambda t: flat.step(), n),
        collect(o3, lambda t: ours.step(), n),
    )


def chained_first_phase(m: int = 30, n: int = 60) -> Result:
    """A ChainedScheduler as the first phase of a SequentialLR applies ExponentialLR's first step twice."""
    o1, o2, o3, o4 = opt(), opt(), opt(), opt()

    def seq(o: Any) -> Any:
        return N.SequentialLR(
            o, [N.ChainedScheduler([N.ConstantLR(o, 0.5, 10), N.ExponentialLR(o, 0.9)]), N.StepLR(o, 7, 0.5)], [m]
        )

    native = seq(o1)
    chain = N.ChainedScheduler([N.ConstantLR(o2, 0.5, 10), N.ExponentialLR(o2, 0.9)])
    step = N.StepLR(o4, 7, 0.5)
    truth = np.concatenate([collect(o2, lambda t: chain.step(), m), collect(o4, lambda t: step.step(), n - m)])
    with pytest.warns(NativeMismatchWarning, match="twice"):
        schedule = from_native(seq(opt()))
    ours = lrparity.torch_scheduler(schedule, o3)
    return Result(collect(o1, lambda t: native.step(), n), truth, collect(o3, lambda t: ours.step(), n))


def chained_cosine(t_max: int = 50, n: int = 200) -> Result:
    """CosineAnnealingLR in a ChainedScheduler restarts from the base lr one step after its trough, dropping the
    other members' factors. Truth: each member alone (cosine at the base lr, StepLR at 1.0), multiplied."""
    o1, o2, o3, o4 = opt(), opt(), opt(1.0), opt()
    native = N.ChainedScheduler([N.CosineAnnealingLR(o1, t_max), N.StepLR(o1, 20, 0.5)])
    cos, step = N.CosineAnnealingLR(o2, t_max), N.StepLR(o3, 20, 0.5)
    truth = collect(o2, lambda t: cos.step(), n) * collect(o3, lambda t: step.step(), n)
    with pytest.warns(NativeMismatchWarning, match="trough"):
        schedule = from_native(N.ChainedScheduler([N.CosineAnnealingLR(o4, t_max), N.StepLR(o4, 20, 0.5)]))
    ours = lrparity.torch_scheduler(schedule, o4)
    return Result(collect(o1, lambda t: native.step(), n), truth, collect(o4, lambda t: ours.step(), n))


def container_later_phase(n: int = 30) -> tuple[int, Result]:
    """A SequentialLR as a later phase: torch raises NotImplementedError at its milestone; ours restarts it."""
    o1, o2, o3 = opt(), opt(), opt()

    def nested(o: Any) -> Any:
        inner = N.SequentialLR(o, [N.ConstantLR(o, 0.5, 5), N.ExponentialLR(o, 0.8)], [3])
        return N.SequentialLR(o, [N.ConstantLR(o, 0.1, 20), inner], [10])

    native = nested(o1)
    reached = 0
    with pytest.raises(NotImplementedError):
        while reached < n:
            reached += 1
            native.step()
    flat = N.SequentialLR(o2, [N.ConstantLR(o2, 0.1, 20), N.ConstantLR(o2, 0.5, 5), N.ExponentialLR(o2, 0.8)], [10, 13])
    with pytest.warns(NativeMismatchWarning, match="NotImplementedError"):
        schedule = from_native(nested(opt()))
    ours = lrparity.torch_scheduler(schedule, o3)
    truth = collect(o2, lambda t: flat.step(), n)
    return reached, Result(truth.copy(), truth, collect(o3, lambda t: ours.step(), n))


# ------------------------------------------------------------------------------------------------------------
# tests
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("make", "k", "wrong"),
    [
        (step_lr, 6, range(6, 26)),  # k = 6 is a decay step: decayed twice, and every later value too
        (multistep_lr, 6, range(6, 26)),
        (constant_lr, 6, range(6, 26)),  # the restore at total_iters = 6 runs on the restored (full) lr
        (step_lr, 7, []),  # not a decay step: torch is right
        (constant_lr, 7, []),
    ],
    ids=[
        "StepLR(3,.5) k=6",
        "MultiStepLR([6,9],.5) k=6",
        "ConstantLR(.5,6) k=6",
        "StepLR k=7 (ok)",
        "ConstantLR k=7 (ok)",
    ],
)
def test_constructor_resume_on_a_decay_step(make: Callable[..., Any], k: int, wrong: Any) -> None:
    r = constructor_resume(make, k)
    assert r.wrong_steps() == list(wrong)
    r.check_ours(None)


@pytest.mark.parametrize(("k", "n_wrong"), [(7, 0), (31, 19), (100, 20)])
def test_cawr_constructor_resume_with_t_mult_2(k: int, n_wrong: int) -> None:
    """CAWR(5, T_mult=2) built with last_epoch=k-1 takes T_cur = k, T_i = T_0: wrong once past the first cycle."""
    r = constructor_resume(cawr_2, k)
    assert len(r.wrong_steps()) == n_wrong
    r.check_ours(None)


@pytest.mark.parametrize("t0", [1, 2, 5])
def test_cawr_t_mult_3_step_epoch_misses_the_restart_at_121_t0(t0: int) -> None:
    r = cawr_epoch_path(t0, 121 * t0 + 50)
    assert r.wrong_steps() == [121 * t0]
    assert r.native_error()[0] == pytest.approx(BASE)
    r.check_ours(None)


def test_sequential_lr_ignores_last_epoch() -> None:
    r = sequential_last_epoch()
    assert len(r.wrong_steps()) == 40
    r.check_ours(RTOL)


def test_cosine_resume_without_the_optimizer_lr() -> None:
    r = cosine_fresh_optimizer()
    assert len(r.wrong_steps()) == 50
    r.check_ours(RTOL)


def test_nested_sequential_switches_one_step_early() -> None:
    r = nested_sequential()
    assert r.wrong_steps() == list(range(9, 25))  # the inner ExponentialLR runs one step ahead until 25
    r.check_ours(RTOL)


def test_chained_first_phase_applies_the_first_step_twice() -> None:
    r = chained_first_phase()
    assert r.wrong_steps() == list(range(30))
    assert np.allclose(r.native[:30] / r.truth[:30], 0.9, rtol=1e-14, atol=0)  # one extra gamma
    r.check_ours(RTOL)


def test_chained_cosine_drops_the_other_factors_after_its_trough() -> None:
    r = chained_cosine()
    wrong = r.wrong_steps()
    assert wrong and min(i for i in wrong if abs(r.native[i] - r.truth[i]) > 1e-12 * r.truth[i]) == 51
    r.check_ours(RTOL)


def test_container_as_a_later_phase_raises_in_torch() -> None:
    reached, r = container_later_phase()
    assert reached == 10  # the step() that reaches milestone 10 raises
    r.check_ours(RTOL)


# ------------------------------------------------------------------------------------------------------------
# the table for docs/torch.md
# ------------------------------------------------------------------------------------------------------------
def table() -> str:
    rows = [
        "| defect | native wrong at | native max abs / rel error | ours vs truth |",
        "|---|---|---|---|",
    ]

    def row(name: str, r: Result, rtol: float | None) -> None:
        steps = r.wrong_steps()
        where = (
            "none" if not steps else f"{len(steps)} step(s): {steps[0]}..{steps[-1]}" if len(steps) > 2 else str(steps)
        )
        a, rel = r.native_error()
        d = np.abs(r.ours - r.truth)
        scale = np.abs(r.truth)
        worst = np.divide(d, scale, out=np.zeros_like(d), where=scale > 0).max()
        ours = "bit-identical" if d.max() == 0 else f"max rel {worst:.2g} (the truth is a native recursion)"
        rows.append(f"| {name} | {where} | {a:.3g} / {rel:.3g} | {ours} |")

    row("StepLR(3, .5), constructor resume at k=6 (optimizer restored)", constructor_resume(step_lr, 6), None)
    row("MultiStepLR([6, 9], .5), constructor resume at k=6", constructor_resume(multistep_lr, 6), None)
    row("ConstantLR(.5, 6), constructor resume at k=6", constructor_resume(constant_lr, 6), None)
    row("CAWR(5, T_mult=2), constructor resume at k=31", constructor_resume(cawr_2, 31), None)
    row("CAWR(5, T_mult=2), constructor resume at k=100", constructor_resume(cawr_2, 100), None)
    for t0 in (1, 2, 5):
        row(f"CAWR({t0}, T_mult=3) via step(epoch)", cawr_epoch_path(t0, 121 * t0 + 50), None)
    row("SequentialLR(last_epoch=59) (pytorch#162591)", sequential_last_epoch(), RTOL)
    row("CosineAnnealingLR(1000, last_epoch=299), lr not restored (pytorch#65342)", cosine_fresh_optimizer(), RTOL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        row("SequentialLR nested as first phase (milestone 10 inside, 25 outside)", nested_sequential(), RTOL)
        row("ChainedScheduler[Constant, Exponential(.9)] as first phase of SequentialLR", chained_first_phase(), RTOL)
        row("ChainedScheduler[CosineAnnealingLR(50), StepLR(20, .5)] past T_max", chained_cosine(), RTOL)
    return "\n".join(rows)


if __name__ == "__main__":
    warnings.simplefilter("ignore")
    print(table())
