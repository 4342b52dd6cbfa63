"""The core schedules with timm's arithmetic: AnnealCycles, IncrementalWarmup, FractionalStep, StableDecay, TorchNoise.

Expected values are timm's formulas written out here in plain Python floats (operation for operation as timm 1.0.31
writes them), not lrparity's output; parity with timm itself is parity_tests/test_recipes_timm.py.
"""

from __future__ import annotations

import itertools
import math
import sys

import numpy as np
import pytest

import lrparity
from lrparity.core import (
    AnnealCycles,
    Constant,
    Cosine,
    FractionalStep,
    IncrementalWarmup,
    StableDecay,
    Step,
    TorchNoise,
    Warmup,
)
from lrparity.core import torch_noise as torch_noise_module


def _timm_cycle(t: int, t0: int, mul: float) -> tuple[int, float, float]:
    if mul != 1:
        i = math.floor(math.log(1 - t / t0 * (1 - mul), mul))
        return i, mul**i * t0, t - (1 - mul**i) / (1 - mul) * t0
    i = t // t0
    return i, t0, t - (t0 * i)


def _timm_anneal(t: int, base: float, s: AnnealCycles) -> float:
    i, t_i, t_curr = _timm_cycle(t, s.t_initial, s.cycle_mul)
    if s.cycle_limit is not None and i >= s.cycle_limit:
        return s.eta_min
    lr_max, k, lo = base * s.cycle_decay**i, s.k_decay, s.eta_min
    if s.shape == "cosine":
        return lo + 0.5 * (lr_max - lo) * (1 + math.cos(math.pi * t_curr**k / t_i**k))
    if s.shape == "tanh":
        tr = t_curr / t_i
        return lo + 0.5 * (lr_max - lo) * (1 - math.tanh(s.lb * (1.0 - tr) + s.ub * tr))
    return lo + (lr_max - lo) * (1 - t_curr**k / t_i**k) ** s.power


# ------------------------------------------------------------------------------------------------- AnnealCycles
ANNEALS = [
    AnnealCycles(t_initial=t0, shape=shape, eta_min=lo, cycle_mul=mul, cycle_decay=d, cycle_limit=lim, k_decay=k,
                 power=0.7)
    for t0, shape, lo, mul, d, lim, k in itertools.product(
        (1, 7, 50), ("cosine", "tanh", "poly"), (0.0, 1e-4), (1.0, 2.0, 1.5), (1.0, 0.5), (1, 3, None), (1.0, 0.6)
    )
    if not (shape == "tanh" and k != 1)
]  # fmt: skip


@pytest.mark.parametrize("s", ANNEALS, ids=repr)
def test_anneal_cycles_is_timms_formula(s: AnnealCycles) -> None:
    steps = range(400)
    values = s.values(steps, 0.1)
    assert np.array_equal(values, [_timm_anneal(t, 0.1, s) for t in steps])
    assert np.array_equal(values, [s.value(t, 0.1) for t in steps])


def test_anneal_cycles_shrinking_cycles_hold_eta_min_past_their_sum() -> None:
    s = AnnealCycles(10, cycle_mul=0.5, cycle_limit=3, eta_min=1e-3)
    inside = range(20)  # 10 + 5 + 2.5 steps, then cycles past the limit; timm's log has no argument from t = 20
    assert np.array_equal(s.values(inside, 1.0), [_timm_anneal(t, 1.0, s) for t in inside])
    assert s.values(range(18, 60), 1.0).tolist() == [1e-3] * 42
    assert s.value(1000, 1.0) == 1e-3
    with pytest.raises(ValueError, match="cycle_limit"):
        AnnealCycles(10, cycle_mul=0.5, cycle_limit=None)


def test_anneal_cycles_hand_values_and_length() -> None:
    s = AnnealCycles(4, cycle_limit=2, cycle_decay=0.5)
    assert s.values(range(9), 1.0).tolist() == [1.0, 0.8535533905932737, 0.5, 0.14644660940672627, 0.5,
                                                0.42677669529663687, 0.25, 0.07322330470336313, 0.0]  # fmt: skip
    assert s.length == 8 and AnnealCycles(4, cycle_mul=2.0, cycle_limit=3).length == 28
    assert AnnealCycles(4, cycle_limit=None).length is None
    assert AnnealCycles(10, shape="poly", power=0.0).values(range(3), 1.0).tolist() == [1.0, 1.0, 1.0]


@pytest.mark.parametrize(
    ("kwargs", "exc", "text"),
    [
        ({"lb": 3.0, "ub": -7.0}, ValueError, "lb must be < ub"),
        ({"lb": 1.0, "ub": 1.0}, ValueError, "lb must be < ub"),
        ({"lb": math.nan}, ValueError, "lb"),
        ({"ub": "3"}, TypeError, "ub"),
        ({"shape": "tanh", "k_decay": 2.0}, ValueError, "k_decay"),
    ],
)
def test_anneal_cycles_rejects(kwargs: dict, exc: type, text: str) -> None:
    with pytest.raises(exc, match=text):
        AnnealCycles(10, **kwargs)


# ------------------------------------------------------------------------------------------- IncrementalWarmup
def test_incremental_warmup_is_start_plus_t_increments() -> None:
    start, end, w = 1e-5, 0.1, 7
    s = IncrementalWarmup(Constant(), w, start_lr=start, end_factor=1.0)
    expected = [start + t * ((end - start) / w) for t in range(w)] + [end] * 3
    assert s.values(range(w + 3), end).tolist() == expected
    interpolated = Warmup(Constant(), w, start_lr=start, end_factor=1.0).values(range(w), end)
    assert not np.array_equal(interpolated, expected[:w])  # paddle's (end - start) * t / W + start: another last bit


def test_incremental_warmup_prefix_overlap_and_handover() -> None:
    decay = AnnealCycles(10, shape="tanh")
    overlap = IncrementalWarmup(decay, 3, start_lr=0.0, mode="overlap")  # timm's tanh: warms up to its value at W
    handover = decay.value(3, 1.0)
    assert overlap.values(range(5), 1.0).tolist() == [0.0, handover / 3, 2 * (handover / 3), handover,
                                                      decay.value(4, 1.0)]  # fmt: skip
    prefix = IncrementalWarmup(decay, 3, start_factor=0.5, end_factor=1.0)
    assert prefix.values(range(5), 2.0).tolist() == [1.0, 1.0 + 1 * (1.0 / 3), 1.0 + 2 * (1.0 / 3),
                                                     decay.value(0, 2.0), decay.value(1, 2.0)]  # fmt: skip
    assert prefix.length == 13 and overlap.length == 10
    assert IncrementalWarmup(Constant(), 30, mode="overlap").length is None


def test_incremental_warmup_base_lr_use_and_exclusive_ends() -> None:
    pinned = lrparity.WithBaseLR(Constant(), 0.1)
    assert not IncrementalWarmup(pinned, 3, start_lr=0.0).uses_base_lr
    assert IncrementalWarmup(pinned, 3, start_factor=0.1).uses_base_lr
    assert IncrementalWarmup(pinned, 3, end_factor=1.0).uses_base_lr
    with pytest.raises(ValueError, match="not both"):
        IncrementalWarmup(Constant(), 3, start_lr=0.0, start_factor=0.0)
    with pytest.raises(ValueError, match="not both"):
        IncrementalWarmup(Constant(), 3, end_lr=0.1, end_factor=1.0)
    with pytest.raises(TypeError, match="schedule"):
        IncrementalWarmup(0.1, 3)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------------------------- FractionalStep
def test_fractional_step_decays_at_ceil_of_multiples() -> None:
    s = FractionalStep(2.4, 0.5)
    v = s.values(range(18), 1.0)
    assert np.flatnonzero(np.diff(v)).tolist() == [2, 4, 7, 9, 11, 14, 16]  # drops at steps 3, 5, 8, 10, 12, 15, 17
    assert v.tolist() == [1.0 * 0.5 ** (t // 2.4) for t in range(18)]


@pytest.mark.parametrize("period", [1, 3, 90, 90.0])
def test_fractional_step_with_an_integer_period_is_step(period: float) -> None:
    steps = range(0, 2000, 7)
    assert np.array_equal(FractionalStep(period, 0.97).values(steps, 0.1), Step(int(period), 0.97).values(steps, 0.1))


# -------------------------------------------------------------------------------------------------- StableDecay
def _timm_wsd(t: int, base: float, s: StableDecay) -> float:
    if s.stable == "constant":
        stable = 1.0
    else:
        stable = (1.0 + t / s.timescale) ** -(0.5 if s.stable == "rsqrt" else s.stable_power)
    lr = max(base * stable, s.eta_min)
    t_decay = t - (s.total_steps - s.decay_steps)
    if t_decay <= 0:
        return lr
    frac = min(t_decay / s.decay_steps, 1.0)
    d = {
        "linear": lambda f: 1.0 - f,
        "1-sqrt": lambda f: 1.0 - math.sqrt(f),
        "cosine": lambda f: 0.5 * (1.0 + math.cos(math.pi * f)),
        "power": lambda f: 1.0 - f**s.decay_power,
        "exp": lambda f: (s.decay_ratio**f - s.decay_ratio) / (1.0 - s.decay_ratio),
    }[s.decay](frac)
    return s.eta_min + (lr - s.eta_min) * d


STABLE = [
    StableDecay(50, d, eta_min=lo, stable=st, timescale=None if st == "constant" else 7.0, decay=dec, decay_power=0.7,
                decay_ratio=0.2, stable_power=0.3)
    for d, lo, st, dec in itertools.product((1, 13, 50), (0.0, 2e-3), ("constant", "rsqrt", "power"),
                                            ("linear", "1-sqrt", "cosine", "power", "exp"))
]  # fmt: skip


@pytest.mark.parametrize("s", STABLE, ids=repr)
def test_stable_decay_is_timms_formula(s: StableDecay) -> None:
    steps = range(70)
    values = s.values(steps, 0.1)
    assert np.array_equal(values, [_timm_wsd(t, 0.1, s) for t in steps])
    assert np.array_equal(values, [s.value(t, 0.1) for t in steps])


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        ({"decay_steps": 11}, "decay_steps must be in"),
        ({"stable": "rsqrt"}, "timescale"),
        ({"decay_ratio": 1.0}, "decay_ratio"),
        ({"decay_ratio": 0.0}, "decay_ratio"),
    ],
)
def test_stable_decay_rejects(kwargs: dict, text: str) -> None:
    with pytest.raises(ValueError, match=text):
        StableDecay(**{"total_steps": 10, "decay_steps": 2, **kwargs})


# --------------------------------------------------------------------------------------------------- TorchNoise
def test_torch_noise_without_torch_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch raises ImportError
    torch_noise_module.torch_noise_draw.cache_clear()
    s = TorchNoise(Cosine(100), start=10, end=20)
    assert s.value(5, 0.1) == Cosine(100).value(5, 0.1)  # outside the range: no torch needed
    assert np.array_equal(s.values(range(10), 0.1), Cosine(100).values(range(10), 0.1))
    with pytest.raises(ImportError, match="needs torch"):
        s.value(10, 0.1)
    with pytest.raises(ImportError, match="needs torch"):
        s.values(range(30), 0.1)
    torch_noise_module.torch_noise_draw.cache_clear()


def test_torch_noise_draws_as_timm_does() -> None:
    torch = pytest.importorskip("torch")
    s = TorchNoise(Cosine(100), pct=0.4, std=0.7, seed=5, start=3, end=60)

    def timm_noise(t: int) -> float:
        g = torch.Generator()
        g.manual_seed(5 + t)
        while True:
            n = torch.randn(1, generator=g).item() * 0.7
            if abs(n) < 0.4:
                return n

    base = Cosine(100).values(range(80), 0.1)
    expected = [v + v * timm_noise(t) if 3 <= t < 60 else v for t, v in enumerate(base.tolist())]
    assert s.values(range(80), 0.1).tolist() == expected
    assert [s.value(t, 0.1) for t in range(80)] == expected
    uniform = TorchNoise(Constant(), pct=0.3, seed=1, kind="uniform")
    g = torch.Generator()
    g.manual_seed(1 + 4)
    assert uniform.value(4, 1.0) == 1.0 + 1.0 * (2 * (torch.rand(1, generator=g).item() - 0.5) * 0.3)


def test_torch_noise_refuses_a_bound_timm_would_spin_on() -> None:
    with pytest.raises(ValueError, match=r"redraw about 1\.25e"):
        TorchNoise(Constant(), pct=1e-9, std=1.0)
    with pytest.raises(ValueError, match=r"pct >= 0\.0012534 \* std"):
        TorchNoise(Constant(), pct=0.5, std=1000.0)
    TorchNoise(Constant(), pct=0.0012534, std=1.0)  # one draw in 1000 accepted: allowed
    TorchNoise(Constant(), pct=1e-9, std=1.0, kind="uniform")  # the uniform draw is never redrawn


def test_new_shapes_round_trip_their_configs() -> None:
    for s in (ANNEALS[5], STABLE[7], FractionalStep(2.4, 0.97), IncrementalWarmup(Cosine(50), 5, start_lr=1e-3),
              TorchNoise(Cosine(50), pct=0.2, std=0.5, seed=3, start=1, end=40)):  # fmt: skip
        assert lrparity.from_config(s.to_config()) == s
