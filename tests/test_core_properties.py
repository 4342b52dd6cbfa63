"""Properties of every schedule on random parameters and steps (hypothesis).

The main one: ``schedule.value(t)`` (pure Python, one step) and ``schedule.values(steps)`` (numpy, a whole curve)
agree bit for bit, for steps up to 10**12 and for numpy integer steps of any width.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, reject, settings
from hypothesis import strategies as st

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
    PerGroup,
    PhaseAnneal,
    Piecewise,
    Polynomial,
    Sequence,
    Shift,
    Step,
    Warmup,
    WithBaseLR,
)
from tests.helpers import assert_bitwise, bits

SETTINGS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MANY = settings(SETTINGS, max_examples=100)


def decay_fn(t: int) -> float:
    """A module-level multiplier (importable, so it also round-trips through configs)."""
    return 1.0 / (1.0 + 0.001 * t)


def ratio_fn(t: int) -> float:
    return 0.999 if t % 3 else 1.001


def scale_fn(x: float) -> float:
    return 1.0 / (1.0 + x)


# --------------------------------------------------------------------------------------------------- strategies
unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
small_pos = st.floats(min_value=1e-6, max_value=10.0, allow_nan=False)
factor = st.floats(min_value=0.0, max_value=2.0, allow_nan=False)
decay_gamma = st.floats(min_value=1e-3, max_value=1.0, allow_nan=False)
length = st.integers(min_value=1, max_value=10**6)

big_steps = st.lists(
    st.one_of(st.integers(0, 200), st.integers(0, 10**6), st.integers(0, 10**12)), min_size=1, max_size=25
)
small_steps = st.lists(st.integers(0, 300), min_size=1, max_size=25)
base_lrs = st.one_of(st.none(), st.floats(min_value=0.0, max_value=10.0, allow_nan=False))


def sorted_ints(min_size=0, max_size=6, unique=False, hi=10**7):
    return st.lists(st.integers(0, hi), min_size=min_size, max_size=max_size, unique=unique).map(sorted)


@st.composite
def restarts(draw):
    s = CosineRestarts(
        T_0=draw(st.integers(1, 1000)),
        T_mult=draw(st.integers(1, 4)),
        eta_min=draw(st.floats(0.0, 1e-3)),
        cycle_decay=draw(st.floats(0.1, 1.0)),
        cycle_limit=draw(st.none() | st.integers(1, 12)),
        k_decay=draw(st.sampled_from([1.0, 0.5, 2.0]) | st.floats(0.25, 4.0)),
    )
    return s


@st.composite
def cyclic(draw):
    fn = draw(st.none() | st.just(scale_fn))
    return Cyclic(
        base_lr=draw(unit),
        max_lr=draw(factor),
        step_size_up=draw(st.integers(1, 10**5) | st.floats(0.5, 1e5)),
        step_size_down=draw(st.none() | st.integers(1, 10**5) | st.floats(0.5, 1e5)),
        mode=draw(st.sampled_from(["triangular", "triangular2", "exp_range"])),
        gamma=draw(st.floats(0.9, 1.0)),
        scale_fn=fn,
        scale_mode=draw(st.sampled_from(["cycle", "iterations"])),
        invert=draw(st.booleans()),
    )


@st.composite
def one_cycle(draw, after_end=None):
    try:
        s = OneCycle(
            max_lr=draw(st.floats(0.0, 2.0)),
            total_steps=draw(st.integers(1, 10**6)),
            pct_start=draw(st.floats(0.0, 1.0)),
            anneal_strategy=draw(st.sampled_from(["cos", "linear"])),
            div_factor=draw(st.floats(1.0, 1e3)),
            final_div_factor=draw(st.floats(1.0, 1e5)),
            three_phase=draw(st.booleans()),
            end_lr=draw(st.none() | st.floats(0.0, 1e-3)),
            after_end=after_end or draw(st.sampled_from(["raise", "hold"])),
        )
        s.values(np.arange(0, s.total_steps + (1 if s.after_end == "raise" else 2)))
    except ValueError:  # a zero-length phase (the natives divide by zero there too)
        reject()
    return s


@st.composite
def phase_anneal(draw):
    n = draw(st.integers(1, 4))
    gaps = draw(st.lists(st.floats(0.5, 1e5), min_size=n, max_size=n))
    ends = [float(x) for x in np.cumsum(gaps)]
    levels = draw(st.lists(unit, min_size=n + 1, max_size=n + 1))
    return PhaseAnneal(ends=ends, levels=levels, anneal_strategy=draw(st.sampled_from(["cos", "linear"])))


@st.composite
def piecewise(draw):
    bounds = draw(sorted_ints(min_size=1, unique=True))
    lrs = draw(st.lists(unit, min_size=len(bounds) + 1, max_size=len(bounds) + 1))
    return Piecewise(boundaries=bounds, lrs=lrs)


LEAVES = {
    "constant": st.builds(Constant, factor=factor, total_steps=st.none() | st.integers(0, 10**6)),
    "lambda": st.just(Lambda(decay_fn)),
    "step": st.builds(Step, step_size=length, gamma=decay_gamma),
    "multistep": st.builds(MultiStep, milestones=sorted_ints(), gamma=decay_gamma),
    "piecewise": piecewise(),
    "exponential": st.builds(Exponential, gamma=st.floats(0.5, 1.0)),
    "natural_exp": st.builds(NaturalExp, gamma=small_pos),
    "inverse_time": st.builds(InverseTime, gamma=st.floats(0.0, 10.0)),
    "linear": st.builds(Linear, start_factor=factor, end_factor=factor, total_steps=length),
    "polynomial": st.builds(
        Polynomial, total_steps=length, power=st.floats(0.0, 4.0), end_lr=st.floats(0.0, 1e-2), cycle=st.booleans()
    ),
    "cosine": st.builds(
        Cosine,
        T_max=st.integers(1, 10**7) | st.floats(0.5, 1e6),
        eta_min=st.floats(0.0, 1e-2),
        after_end=st.sampled_from(["periodic", "hold"]),
    ),
    "cosine_restarts": restarts(),
    "cyclic": cyclic(),
    "one_cycle": one_cycle(after_end="hold"),
    "phase_anneal": phase_anneal(),
    "noam": st.builds(Noam, d_model=st.floats(1.0, 4096.0), warmup_steps=st.integers(1, 10**5)),
}


@st.composite
def warmup(draw):
    inner = draw(st.one_of(*LEAVES.values()))
    shape = draw(st.sampled_from(["linear", "exponential", "constant"]))
    start_kind = draw(st.sampled_from(["factor", "lr", "none"]))
    end_kind = draw(st.sampled_from(["factor", "lr", "none"]))
    lo = 1e-4 if shape == "exponential" else 0.0
    kwargs = {}
    if start_kind == "factor" or (shape == "exponential" and start_kind == "none"):
        kwargs["start_factor"] = draw(st.floats(lo, 1.0))
    elif start_kind == "lr":
        kwargs["start_lr"] = draw(st.floats(lo, 1.0))
    if end_kind == "factor":
        kwargs["end_factor"] = draw(st.floats(0.0, 2.0))
    elif end_kind == "lr":
        kwargs["end_lr"] = draw(st.floats(0.0, 1.0))
    try:
        return Warmup(
            inner,
            warmup_steps=draw(st.integers(1, 10**5)),
            shape=shape,
            mode=draw(st.sampled_from(["prefix", "overlap"])),
            **kwargs,
        )
    except ValueError:  # overlap longer than the schedule
        reject()


@st.composite
def sequence(draw):
    parts = draw(st.lists(st.one_of(*LEAVES.values()), min_size=1, max_size=4))
    milestones = draw(sorted_ints(min_size=len(parts) - 1, max_size=len(parts) - 1, hi=10**6))
    return Sequence(parts, milestones)


COMPOSITES = {
    "warmup": warmup(),
    "sequence": sequence(),
    "chain": st.lists(st.one_of(*LEAVES.values()), min_size=1, max_size=3).map(Chain),
    "with_base_lr": st.builds(
        WithBaseLR, st.one_of(*LEAVES.values()).filter(lambda s: s.uses_base_lr), base_lr=st.floats(0.0, 1.0)
    ),
    "shift": st.builds(Shift, st.one_of(*LEAVES.values()), offset=st.integers(0, 10**6)),
    "noise": st.builds(
        Noise,
        st.one_of(*LEAVES.values()),
        pct=st.floats(0.01, 1.0),
        std=st.floats(0.05, 2.0),
        kind=st.sampled_from(["normal", "uniform"]),
        seed=st.integers(0, 2**32),
        start=st.integers(0, 100),
        end=st.none() | st.integers(101, 10**6),
    ),
    "nested": st.builds(
        Noise, warmup(), pct=st.floats(0.01, 1.0), seed=st.integers(0, 10), kind=st.sampled_from(["normal", "uniform"])
    ),
}

ALL = {**LEAVES, **COMPOSITES}


# --------------------------------------------------------------------------------------------------- scalar == vector
def _values(schedule, steps, base):
    """``schedule.values``, rejecting the one documented refusal: an exponential warmup from a start of 0."""
    try:
        return schedule.values(steps, base)
    except ValueError as exc:
        if "shape='exponential' needs a start > 0" in str(exc):
            reject()
        raise


def _check_scalar_vector(schedule, steps, base):
    arr = np.asarray(steps, dtype=np.int64)
    vector = _values(schedule, arr, base)
    assert vector.dtype == np.float64 and vector.shape == arr.shape
    scalars = [schedule.value(t, base) for t in steps]
    assert all(type(v) is float for v in scalars)
    assert_bitwise(vector, scalars, steps)
    # __call__ dispatches to the same two paths
    assert_bitwise(schedule(arr, base), [schedule(t, base) for t in steps], steps)


@pytest.mark.parametrize("kind", sorted(ALL))
@MANY
@given(data=st.data())
def test_scalar_equals_vectorised_bitwise(kind, data):
    schedule = data.draw(ALL[kind], label="schedule")
    steps = data.draw(big_steps, label="steps")
    base = data.draw(base_lrs, label="base_lr")
    _check_scalar_vector(schedule, steps, base)


@SETTINGS
@given(fn=st.sampled_from([decay_fn, ratio_fn]), steps=small_steps, base=base_lrs)
def test_multiplicative_scalar_equals_vectorised(fn, steps, base):
    # O(t) per step: small steps only
    _check_scalar_vector(Multiplicative(fn), steps, base)


@SETTINGS
@given(
    schedule=st.one_of(
        # float T_max: halves only (T = n/2 with n odd never hits the recursion's 0 denominator; see
        # test_core_formulas.py::test_cosine_recursive_with_a_zero_denominator_t_max)
        st.builds(Cosine, T_max=st.integers(1, 500) | st.integers(0, 500).map(lambda k: k + 0.5),
                  eta_min=st.floats(0.0, 1e-2), form=st.just("recursive")),
        st.builds(Linear, start_factor=st.floats(1e-3, 2.0), end_factor=factor, total_steps=st.integers(1, 3000),
                  form=st.just("recursive")),
    ),
    steps=st.lists(st.integers(0, 5000), min_size=1, max_size=25),
    base=base_lrs,
)  # fmt: skip
def test_recursive_forms_scalar_equals_vectorised(schedule, steps, base):
    _check_scalar_vector(schedule, steps, base)
    fresh = schedule.replace()  # a new object: a cold cache, reached one step at a time
    assert_bitwise(schedule.values(steps, base), [fresh.value(t, base) for t in steps], steps)


@SETTINGS
@given(schedule=one_cycle(after_end="raise"), data=st.data(), base=base_lrs)
def test_one_cycle_scalar_equals_vectorised_up_to_total_steps(schedule, data, base):
    steps = data.draw(st.lists(st.integers(0, schedule.total_steps), min_size=1, max_size=25))
    _check_scalar_vector(schedule, steps, base)


@SETTINGS
@given(
    schedule=st.one_of(*ALL.values()),
    steps=big_steps,
    dtype=st.sampled_from([np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]),
)
def test_numpy_integer_steps(schedule, steps, dtype):
    info = np.iinfo(dtype)
    steps = [t for t in steps if t <= info.max] or [0]
    arr = np.asarray(steps, dtype=dtype)
    _values(schedule, arr, 0.1)
    expected = [schedule.value(int(t), 0.1) for t in steps]
    assert_bitwise(schedule.values(arr, 0.1), expected, steps)
    assert_bitwise(schedule(arr, 0.1), expected, steps)
    # numpy integer scalars take the scalar path and give a Python float
    got = [schedule(dtype(t), 0.1) for t in steps]
    assert all(type(v) is float for v in got)
    assert_bitwise(np.asarray(got), expected, steps)


# --------------------------------------------------------------------------------------------------- curve properties
@SETTINGS
@given(schedule=st.one_of(*ALL.values()), start=st.integers(0, 10**6), n=st.integers(1, 300))
def test_range_list_and_array_agree(schedule, start, n):
    r = range(start, start + n)
    a = _values(schedule, r, 0.5)
    b = schedule.values(list(r), 0.5)
    c = schedule.values(np.arange(start, start + n), 0.5)
    assert np.array_equal(bits(a), bits(b)) and np.array_equal(bits(a), bits(c))


@SETTINGS
@given(schedule=st.one_of(*ALL.values()), steps=big_steps, seed=st.integers(0, 1000))
def test_each_step_independent_of_the_others(schedule, steps, seed):
    """Order, duplicates and array shape do not change any element; the caller's array is untouched."""
    arr = np.asarray(steps, dtype=np.int64)
    keep = arr.copy()
    full = _values(schedule, arr, 0.3)
    assert np.array_equal(arr, keep)
    perm = np.random.default_rng(seed).permutation(arr.size)
    assert np.array_equal(bits(schedule.values(arr[perm], 0.3)), bits(full[perm]))
    doubled = np.stack([arr, arr])
    out = schedule.values(doubled, 0.3)
    assert out.shape == (2, arr.size)
    assert np.array_equal(bits(out[0]), bits(full)) and np.array_equal(bits(out[1]), bits(full))


@SETTINGS
@given(schedule=st.one_of(*ALL.values()), steps=big_steps)
def test_values_are_finite_and_non_negative(schedule, steps):
    # PhaseAnneal extrapolates its last phase past the last end (as OneCycle's natives do at t = N): a linear
    # phase may go below zero there, by design.
    assume("PhaseAnneal" not in repr(schedule))
    v = _values(schedule, steps, 0.1)
    assert np.all(np.isfinite(v)), v
    assert np.all(v >= 0), v


@SETTINGS
@given(schedule=st.one_of(*LEAVES.values()), steps=big_steps, base=st.floats(0.0, 10.0))
def test_relative_schedules_scale_with_base_and_absolute_ones_ignore_it(schedule, steps, base):
    with_base = _values(schedule, steps, base)
    if schedule.uses_base_lr:
        unit_curve = schedule.values(steps, None)
        assert np.array_equal(bits(unit_curve), bits(schedule.values(steps, 1.0)))
    else:
        assert np.array_equal(bits(with_base), bits(schedule.values(steps, None)))


@SETTINGS
@given(schedule=st.one_of(*ALL.values()), steps=big_steps)
def test_base_lr_none_means_one(schedule, steps):
    _values(schedule, steps, None)
    assert np.array_equal(bits(schedule.values(steps)), bits(schedule.values(steps, 1.0)))
    t = steps[0]
    assert schedule(t) == schedule(t, 1.0)


@SETTINGS
@given(
    inner=st.one_of(*LEAVES.values()),
    seed=st.integers(0, 2**40),
    pct=st.floats(0.01, 1.0),
    kind=st.sampled_from(["normal", "uniform"]),
    k=st.integers(0, 2000),
)
def test_noise_resume_matches_full_curve(inner, seed, pct, kind, k):
    s = Noise(inner, pct=pct, seed=seed, kind=kind)
    full = _values(s, range(2100), 0.1)
    resumed = s.values(range(k, 2100), 0.1)
    assert np.array_equal(bits(full[k:]), bits(resumed))
    assert s.value(k, 0.1) == full[k]


@SETTINGS
@given(groups=st.lists(st.one_of(*LEAVES.values()), min_size=1, max_size=4), steps=big_steps)
def test_per_group_for_group_is_each_schedule(groups, steps):
    p = PerGroup(groups)
    for i, g in enumerate(groups):
        assert p.for_group(i) is g
        _check_scalar_vector(p.for_group(i), steps, 0.2)


def test_empty_steps():
    out = Cosine(T_max=10).values([], 0.1)
    assert out.shape == (0,) and out.dtype == np.float64
    out = Cosine(T_max=10).values(np.empty((0, 3), dtype=np.int64))
    assert out.shape == (0, 3)


def test_zero_d_array_and_numpy_scalar_steps():
    s = Cosine(T_max=10)
    v = s.values(np.int64(3), 0.1)
    assert v.shape == () and float(v) == s.value(3, 0.1)
    assert s(np.int32(3), 0.1) == s.value(3, 0.1)
    assert isinstance(s(np.uint64(3), 0.1), float)


@pytest.mark.parametrize("t", [2**62])
def test_largest_step(t):
    for s in (Cosine(T_max=7), Step(3, 0.5), CosineRestarts(T_0=3, T_mult=2), Constant(0.5, 10)):
        assert s.value(t, 0.1) == s.values([t], 0.1)[0]
    assert math.isfinite(Cosine(T_max=7).value(t))


@pytest.mark.parametrize("power", [0.5, 1.0, 2.0, 3.0])
def test_polynomial_powers_numpy_special_cases_scalar_equals_vectorised(power):
    # numpy computes x**2 as a square, x**0.5 as a square root: they need not round as C pow does (seen on an
    # AMD EPYC: 6 of 10k steps one ulp off with power=2), so every scalar exponent is checked on its own
    s = Polynomial(10_000, power=power, end_lr=1e-4)
    curve = s.values(range(10_000), 0.1)
    scalar = np.array([s.value(t, 0.1) for t in range(10_000)])
    assert np.array_equal(bits(curve), bits(scalar))
