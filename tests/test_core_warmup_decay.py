"""The HF/PaddleNLP lambda schedules (core/warmup_decay.py) and PaddleNLP's pretraining anneal (core/warmup_anneal.py):
hand-computed values in the libraries' operation order, scalar == array bit for bit, config round trips, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lrparity import from_config
from lrparity.core import (
    ConstantWarmup,
    CosineWarmupDecay,
    LinearWarmupDecay,
    PolynomialWarmupDecay,
    Shift,
    Warmup,
    WarmupAnneal,
)
from lrparity.core import Linear as LinearFactor

SCHEDULES = [
    LinearWarmupDecay(30, 300),
    LinearWarmupDecay(0, 7),
    LinearWarmupDecay(50, 20),  # warmup past the horizon: 0 after it
    CosineWarmupDecay(30, 300),
    CosineWarmupDecay(30, 300, num_cycles=1),
    CosineWarmupDecay(0, 300, num_cycles=1.75, min_lr_rate=0.2),
    CosineWarmupDecay(10, 300, num_cycles=2.5, hard_restarts=True),
    PolynomialWarmupDecay(30, 300, lr_init=0.1, lr_end=1e-4, power=2.0),
    PolynomialWarmupDecay(0, 301, lr_init=3e-4, lr_end=0.0, power=0.5),
    ConstantWarmup(30),
    ConstantWarmup(0),
    WarmupAnneal(3e-4, 3e-5, 29.7, 300),
    WarmupAnneal(3e-4, 3e-5, 0, 300, shape="linear"),
    WarmupAnneal(3e-4, 0.0, 400, 300),  # warmup past the decay horizon: min_lr after it
]


@pytest.mark.parametrize("schedule", SCHEDULES, ids=repr)
def test_scalar_and_array_paths_are_bit_identical(schedule):
    steps = np.concatenate([np.arange(0, 700), np.array([10**6, 2**40])])
    vector = schedule.values(steps, 0.1)
    scalars = np.array([schedule.value(int(t), 0.1) for t in steps])
    assert np.array_equal(vector.view(np.int64), scalars.view(np.int64))
    shuffled = np.random.default_rng(3).permutation(steps)  # unsorted steps take the masked path
    assert np.array_equal(schedule.values(shuffled, 0.1), np.array([schedule.value(int(t), 0.1) for t in shuffled]))


@pytest.mark.parametrize("schedule", SCHEDULES, ids=repr)
def test_config_round_trip(schedule):
    again = from_config(schedule.to_config())
    assert again == schedule and np.array_equal(again.values(range(500), 0.1), schedule.values(range(500), 0.1))


def test_linear_warmup_decay_in_the_lambda_operation_order():
    s = LinearWarmupDecay(3, 10)
    base = 0.3
    expected = [base * (float(t) / float(max(1, 3))) for t in range(3)]
    expected += [base * max(0.0, float(10 - t) / float(max(1, 10 - 3))) for t in range(3, 13)]
    assert s.values(range(13), base).tolist() == expected
    # the Warmup + Linear composition computes (b - 0) * t / W: the same curve, not always the same bits
    composed = Warmup(LinearFactor(1.0, 0.0, 7), 3, start_lr=0.0, end_factor=1.0)
    assert np.allclose(composed.values(range(13), base), expected, rtol=1e-15, atol=0)


def test_cosine_warmup_decay_half_and_full_wave():
    half, full = CosineWarmupDecay(0, 100), CosineWarmupDecay(0, 100, num_cycles=1)
    assert half.value(100, 1.0) == 0.0 and half.value(50, 1.0) == pytest.approx(0.5)
    assert full.value(50, 1.0) == 0.0 and full.value(100, 1.0) == 1.0  # back at the peak: PaddleNLP's default
    assert half.value(150, 1.0) == pytest.approx(0.5)  # past the end the progress is not clamped
    p = 37 / 100
    assert half.value(37, 0.2) == 0.2 * max(0.0, 0.5 * (1.0 + math.cos(math.pi * 0.5 * 2.0 * p)))


def test_cosine_hard_restarts_and_min_lr_rate():
    s = CosineWarmupDecay(0, 100, num_cycles=2.0, hard_restarts=True)
    assert s.value(0, 1.0) == 1.0 and s.value(50, 1.0) == 1.0 and s.value(49, 1.0) < 0.01
    assert s.value(100, 1.0) == 0.0 and s.value(1000, 1.0) == 0.0
    floor = CosineWarmupDecay(0, 100, min_lr_rate=0.1)
    assert floor.value(100, 2.0) == pytest.approx(0.2) and floor.value(0, 2.0) == 2.0
    with pytest.raises(ValueError, match="min_lr_rate"):
        CosineWarmupDecay(0, 100, min_lr_rate=0.1, hard_restarts=True)


def test_polynomial_warmup_decay_divides_by_lr_init_like_the_libraries():
    s = PolynomialWarmupDecay(2, 10, lr_init=0.1, lr_end=1e-3, power=2.0)
    base = 0.1
    t = 5
    decay = (0.1 - 1e-3) * (1 - (t - 2) / (10 - 2)) ** 2.0 + 1e-3
    assert s.value(t, base) == base * (decay / 0.1)
    assert s.value(11, base) == base * (1e-3 / 0.1)  # past the horizon: lr_end, through the same division
    with pytest.raises(ValueError, match="lr_end"):
        PolynomialWarmupDecay(0, 10, lr_init=0.1, lr_end=0.1)
    with pytest.raises(ValueError, match="divide by that number"):
        PolynomialWarmupDecay(10, 10, lr_init=0.1)


def test_constant_warmup():
    assert ConstantWarmup(4).values(range(6), 2.0).tolist() == [0.0, 0.5, 1.0, 1.5, 2.0, 2.0]
    assert ConstantWarmup(0).values(range(3), 2.0).tolist() == [2.0, 2.0, 2.0]


def test_warmup_anneal_by_hand():
    s = WarmupAnneal(1.0, 0.1, 2.5, 10)
    assert s.uses_base_lr is False
    assert s.value(0) == 0.0 and s.value(2) == 1.0 * 2 / 2.5  # t <= W: the ramp, W fractional
    ratio = float(3 - 2.5) / float(10 - 2.5)
    assert s.value(3) == 0.1 + 0.5 * (math.cos(math.pi * ratio) + 1.0) * (1.0 - 0.1)
    assert s.value(10) == pytest.approx(0.1) and s.value(11) == 0.1 and s.value(10**9) == 0.1
    linear = WarmupAnneal(1.0, 0.0, 0, 4, shape="linear")
    assert linear.values(range(6)).tolist() == [1.0, 0.75, 0.5, 0.25, 0.0, 0.0]
    first = Shift(WarmupAnneal(1.0, 0.1, 30, 100), 1)  # last_epoch=0: the first update uses step 1
    assert first.value(0) == 1.0 / 30 and first.value(29) == 1.0


@pytest.mark.parametrize(
    ("factory", "error", "text"),
    [
        (lambda: LinearWarmupDecay(-1, 10), ValueError, "warmup_steps"),
        (lambda: LinearWarmupDecay(1, 0), ValueError, "total_steps"),
        (lambda: CosineWarmupDecay(1, 10, num_cycles=0), ValueError, "num_cycles"),
        (lambda: CosineWarmupDecay(1, 10, hard_restarts=1), TypeError, "hard_restarts"),
        (lambda: PolynomialWarmupDecay(1, 10, lr_init=-1.0), ValueError, "lr_init"),
        (lambda: ConstantWarmup(1.5), TypeError, "warmup_steps"),
        (lambda: WarmupAnneal(0.1, 0.0, -1, 10), ValueError, "warmup_steps"),
        (lambda: WarmupAnneal(0.1, 0.0, 1, 0), ValueError, "decay_steps"),
        (lambda: WarmupAnneal(0.1, 0.0, 1, 10, shape="tanh"), ValueError, "shape"),
    ],
)
def test_errors_name_the_parameter(factory, error, text):
    with pytest.raises(error, match=text):
        factory()


def test_warmup_anneal_with_horizons_past_the_last_step():
    far = WarmupAnneal(1.0, 0.0, 1e300, 1e300)
    assert far.values([0, 2**62]).tolist() == [0.0, 2**62 / 1e300] == [far.value(0), far.value(2**62)]
    long = WarmupAnneal(1.0, 0.5, 10, 1e300, shape="linear")
    assert long.values([2**62]).tolist() == [long.value(2**62)]
