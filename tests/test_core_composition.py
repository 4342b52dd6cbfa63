"""Composition: Warmup, Sequence, Chain, Shift, WithBaseLR, PerGroup, Noise; companions and lengths."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lrparity.core import (
    Chain,
    Constant,
    Cosine,
    Cyclic,
    Exponential,
    Linear,
    MultiStep,
    Noise,
    OneCycle,
    PerGroup,
    Piecewise,
    Sequence,
    Shift,
    Step,
    Warmup,
    WithBaseLR,
    from_config,
)
from tests.helpers import check_both, cosine_formula

B = 0.1


# --------------------------------------------------------------------------------------------------- warmup
def test_warmup_prefix_linear_from_zero_then_the_full_schedule():
    s = Warmup(Cosine(T_max=10), warmup_steps=4)
    end = cosine_formula(0, 10)  # the schedule's own first value: no jump
    assert end == B
    steps = list(range(0, 20))
    expected = [(end - 0.0) * t / 4 + 0.0 if t < 4 else cosine_formula(t - 4, 10) for t in steps]
    check_both(s, steps, expected)
    assert s(4, B) == B  # the cosine starts at its step 0 after the warmup
    assert s(14, B) == 0.0  # and keeps its full length: trough at W + T_max
    assert s.length == 14


def test_warmup_overlap_replaces_the_first_steps():
    s = Warmup(Cosine(T_max=10), warmup_steps=4, mode="overlap")
    end = cosine_formula(4, 10)  # hands over at the schedule's value at step W
    steps = list(range(0, 20))
    expected = [(end - 0.0) * t / 4 + 0.0 if t < 4 else cosine_formula(t, 10) for t in steps]
    check_both(s, steps, expected)
    assert s(10, B) == 0.0
    assert s.length == 10


def test_warmup_prefix_vs_overlap_differ_only_by_the_shift():
    inner = Step(step_size=5, gamma=0.5)
    pre = Warmup(inner, 3, start_factor=0.1)
    over = Warmup(inner, 3, start_factor=0.1, mode="overlap")
    t = np.arange(3, 100)
    assert np.array_equal(pre.values(t, B), inner.values(t - 3, B))
    assert np.array_equal(over.values(t, B), inner.values(t, B))


def test_warmup_start_factor_and_end_factor():
    s = Warmup(Constant(), 5, start_factor=0.2, end_factor=0.8)
    start, end = B * 0.2, B * 0.8
    check_both(s, [0, 1, 4, 5, 9], [(end - start) * t / 5 + start if t < 5 else B for t in [0, 1, 4, 5, 9]])


def test_warmup_absolute_start_and_end_is_paddle_linear_warmup():
    # paddle LinearWarmup(learning_rate=0.5, warmup_steps=4, start_lr=0.01, end_lr=0.2): ramp, then the float lr
    s = Warmup(Constant(), 4, start_lr=0.01, end_lr=0.2)
    steps = [0, 1, 2, 3, 4, 100]
    expected = [(0.2 - 0.01) * float(t) / float(4) + 0.01 if t < 4 else 0.5 for t in steps]
    check_both(s, steps, expected, base_lr=0.5)
    assert s.uses_base_lr is True  # after the warmup, Constant() follows the base lr
    absolute = Warmup(Piecewise([10], [0.3, 0.03]), 4, start_lr=0.0, end_lr=0.3)
    assert absolute.uses_base_lr is False
    assert absolute.values([0, 2, 4, 14], 99.0).tolist() == [0.0, 0.15, 0.3, 0.03]


def test_warmup_exponential_shape():
    s = Warmup(Constant(), 4, start_factor=0.01)
    e = Warmup(Constant(), 4, start_factor=0.01, shape="exponential")
    start, end = B * 0.01, B
    steps = [0, 1, 2, 3, 4, 6]
    check_both(e, steps, [start * (end / start) ** (t / 4) if t < 4 else B for t in steps])
    assert math.isclose(e(2, B), math.sqrt(start * end), rel_tol=1e-15)  # geometric midpoint
    assert s(2, B) != e(2, B)


def test_warmup_constant_shape():
    s = Warmup(Cosine(T_max=10), 3, start_factor=0.1, shape="constant")
    check_both(s, [0, 1, 2, 3, 4], [B * 0.1, B * 0.1, B * 0.1, cosine_formula(0, 10), cosine_formula(1, 10)])


def test_warmup_start_lr_and_start_factor_are_exclusive():
    with pytest.raises(ValueError) as err:
        Warmup(Constant(), 3, start_factor=0.1, start_lr=0.01)
    assert "start_factor" in str(err.value) and "start_lr" in str(err.value)
    with pytest.raises(ValueError) as err:
        Warmup(Constant(), 3, end_factor=0.1, end_lr=0.01)
    assert "end_factor" in str(err.value) and "end_lr" in str(err.value)


@pytest.mark.parametrize("kwargs", [{}, {"start_factor": 0.0}, {"start_lr": 0.0}, {"start_lr": 0}])
def test_warmup_exponential_needs_positive_start(kwargs):
    with pytest.raises(ValueError) as err:
        Warmup(Constant(), 3, shape="exponential", **kwargs)
    assert "exponential" in str(err.value) and "start" in str(err.value)


def test_warmup_overlap_longer_than_schedule_rejected():
    with pytest.raises(ValueError) as err:
        Warmup(Cosine(T_max=10), 10, mode="overlap")
    msg = str(err.value)
    assert "warmup_steps=10" in msg and "overlap" in msg and "10" in msg and "prefix" in msg
    with pytest.raises(ValueError):
        Warmup(Linear(total_steps=5), 7, mode="overlap")
    assert Warmup(Cosine(T_max=10), 9, mode="overlap").length == 10
    assert Warmup(Cosine(T_max=10), 10).length == 20  # prefix: any length
    assert Warmup(Exponential(0.9), 10**6, mode="overlap").length is None  # unbounded schedule


def test_warmup_of_a_composite():
    inner = Sequence([Constant(), Step(2, 0.5)], [3])
    s = Warmup(inner, 2)
    check_both(s, [0, 1, 2, 4, 5, 7], [0.0, (B - 0.0) * 1 / 2 + 0.0, B, B, B, B * 0.5])


# --------------------------------------------------------------------------------------------------- sequence
def test_sequence_each_phase_restarts_from_its_milestone_and_base():
    s = Sequence([Linear(0.1, 1.0, 5), Cosine(T_max=20)], milestones=[5])
    steps = list(range(0, 40))
    expected = [B * (0.1 + (1.0 - 0.1) * min(5, t) / 5) if t < 5 else cosine_formula(t - 5, 20) for t in steps]
    check_both(s, steps, expected)
    assert s.length == 25


def test_sequence_three_phases():
    s = Sequence([Constant(0.5), Step(2, 0.5), Exponential(0.9)], [3, 10])
    steps = [0, 2, 3, 4, 5, 9, 10, 11, 15]
    expected = [B * 0.5] * 2
    expected += [B * 0.5 ** ((t - 3) // 2) for t in (3, 4, 5, 9)]
    expected += [B * 0.9 ** (t - 10) for t in (10, 11, 15)]
    check_both(s, steps, expected)


def test_sequence_milestone_zero_and_repeated_skip_phases():
    # torch 2.13: milestones=[0] starts with scheduler 1
    s = Sequence([Constant(0.5), Step(1, 0.5)], [0])
    check_both(s, [0, 1, 2], [B, B * 0.5, B * 0.25])
    s = Sequence([Constant(0.5), Constant(0.25), Constant(0.125)], [3, 3])
    check_both(s, [0, 2, 3, 4], [B * 0.5, B * 0.5, B * 0.125, B * 0.125])


def test_sequence_milestone_count_mismatch():
    with pytest.raises(ValueError) as err:
        Sequence([Constant(), Cosine(10), Step(3)], [5])
    assert "milestones" in str(err.value) and "2" in str(err.value) and "1" in str(err.value)
    with pytest.raises(ValueError):
        Sequence([Constant()], [5])
    assert Sequence([Cosine(10)], []).values([0, 5], B).tolist() == [cosine_formula(0, 10), cosine_formula(5, 10)]


def test_sequence_uses_base_lr_if_any_phase_does():
    absolute = Piecewise([2], [0.3, 0.2])
    assert Sequence([absolute, absolute], [4]).uses_base_lr is False
    assert Sequence([absolute, Constant()], [4]).uses_base_lr is True
    assert Sequence([Constant(), Cosine(10)], [4]).length == 14
    assert Sequence([Constant(), Exponential(0.5)], [4]).length is None


def test_sequence_with_shift_sees_the_global_step():
    # PaddleOCR TwoStepCosine: the second cosine is evaluated at the global step
    s = Sequence([Cosine(T_max=100), Shift(Cosine(T_max=200), offset=50)], [50])
    steps = [0, 49, 50, 51, 120]
    expected = [cosine_formula(t, 100) if t < 50 else cosine_formula(t, 200) for t in steps]
    check_both(s, steps, expected)


# --------------------------------------------------------------------------------------------------- shift
def test_shift_reads_the_schedule_later():
    s = Shift(Step(2, 0.5), offset=1)
    check_both(s, [0, 1, 2, 3], [B * 0.5**0, B * 0.5**1, B * 0.5**1, B * 0.5**2])
    assert Shift(Cosine(10), 0).values(range(20), B).tolist() == Cosine(10).values(range(20), B).tolist()
    assert Shift(Cosine(10), 4).length == 6
    assert Shift(Cosine(10), 40).length == 0
    assert Shift(Exponential(0.5), 4).length is None
    assert Shift(Piecewise([3], [0.2, 0.1]), 2).uses_base_lr is False


# --------------------------------------------------------------------------------------------------- chain
def test_chain_multiplies_multipliers():
    s = Chain([Linear(0.5, 1.0, 2), Exponential(0.5)])
    steps = [0, 1, 2, 3]
    expected = [B * (0.5 + (1.0 - 0.5) * min(2, t) / 2) * (1.0 * 0.5**t) for t in steps]
    check_both(s, steps, expected)


def test_chain_first_member_at_base_the_others_at_one():
    s = Chain([Piecewise([2], [0.3, 0.03]), MultiStep([1, 3], 0.5)])
    assert s.uses_base_lr is False
    check_both(s, [0, 1, 2, 3], [0.3 * 1.0, 0.3 * 0.5, 0.03 * 0.5, 0.03 * 0.25], base_lr=7.0)
    assert Chain([Cosine(10), Step(3)]).length == 10
    assert Chain([Exponential(0.9)]).length is None
    one = Chain([Cosine(T_max=10)])
    assert one.values(range(25), B).tolist() == Cosine(T_max=10).values(range(25), B).tolist()


# --------------------------------------------------------------------------------------------------- with base lr
def test_with_base_lr_pins_the_base():
    s = WithBaseLR(Step(1, 0.5), base_lr=0.1)
    assert s.uses_base_lr is False
    check_both(s, [0, 1, 2], [0.1, 0.1 * 0.5, 0.1 * 0.5**2], base_lr=123.0)
    check_both(s, [0, 1, 2], [0.1, 0.1 * 0.5, 0.1 * 0.5**2], base_lr=None)
    assert s.length is None
    assert WithBaseLR(Cosine(10), 0.2).length == 10


def test_with_base_lr_keeps_companions():
    assert WithBaseLR(Cosine(10), 0.5).companions() == {}
    with pytest.raises(ValueError, match="absolute"):  # the schedules with companions are absolute
        WithBaseLR(OneCycle(max_lr=1.0, total_steps=100, cycle_momentum=True), 0.5)


# --------------------------------------------------------------------------------------------------- per group
def test_per_group():
    a, b = Cosine(10), Step(2, 0.5)
    p = PerGroup([a, b])
    assert p.for_group(0) is a and p.for_group(1) is b
    with pytest.raises(ValueError) as err:
        p.for_group(2)
    assert "2" in str(err.value) and "out of range" in str(err.value)
    with pytest.raises(ValueError):
        p.for_group(-1)
    with pytest.raises(ValueError, match="for_group"):
        p(0)
    assert p.length == 10
    assert PerGroup([Piecewise([1], [0.1, 0.2])]).uses_base_lr is False
    assert PerGroup([Piecewise([1], [0.1, 0.2]), a]).uses_base_lr is True
    assert Cosine(10).for_group(5) == Cosine(10)


# --------------------------------------------------------------------------------------------------- companions
def test_companions_only_for_cycling_momentum():
    assert OneCycle(1.0, 100).companions() == {}
    assert set(OneCycle(1.0, 100, cycle_momentum=True).companions()) == {"momentum"}
    assert set(Cyclic(0.1, 1.0, cycle_momentum=True).companions()) == {"momentum"}
    for s in (Cosine(10), Step(3), Warmup(Cosine(10), 3), Sequence([Constant()], []), Chain([Constant()])):
        assert s.companions() == {}
    mom = OneCycle(1.0, 100, cycle_momentum=True, three_phase=True).companions()["momentum"]
    assert mom(0) == 0.95 and mom(99) == 0.95
    assert mom.uses_base_lr is False


# --------------------------------------------------------------------------------------------------- noise
def test_noise_same_seed_same_values_any_instance():
    a = Noise(Cosine(T_max=1000), pct=0.3, seed=7)
    b = Noise(Cosine(T_max=1000), pct=0.3, seed=7)
    va, vb = a.values(range(3000), B), b.values(range(3000), B)
    assert np.array_equal(va, vb)
    assert np.array_equal(va, a.values(range(3000), B))  # no hidden state between calls
    assert np.array_equal(va, from_config(a.to_config()).values(range(3000), B))
    c = Noise(Cosine(T_max=1000), pct=0.3, seed=8)
    assert np.mean(va != c.values(range(3000), B)) > 0.99


def test_noise_resume_at_step_k_gives_the_full_curve():
    s = Noise(Cosine(T_max=1000), pct=0.5, seed=3)
    full = s.values(range(5000), B)
    for k in (0, 1, 17, 999, 4321):
        fresh = Noise(Cosine(T_max=1000), pct=0.5, seed=3)
        assert np.array_equal(fresh.values(range(k, 5000), B), full[k:])
        assert [fresh.value(t, B) for t in range(k, k + 30)] == full[k : k + 30].tolist()


@pytest.mark.parametrize("kind", ["normal", "uniform"])
@pytest.mark.parametrize("pct", [0.05, 0.67, 1.0])
def test_noise_within_pct(kind, pct):
    base = Constant()
    v = Noise(base, pct=pct, std=1.0, kind=kind, seed=1).values(range(20000), 1.0)
    eps = v - 1.0
    assert np.all(np.abs(eps) <= pct)
    if kind == "normal":
        assert np.all(np.abs(eps) < pct)
    assert np.abs(eps).max() > 0.9 * pct  # the bound is reached, not a much smaller spread


def test_noise_uniform_kind_is_uniform():
    eps = Noise(Constant(), pct=0.5, kind="uniform", seed=11).values(range(50000), 1.0) - 1.0
    assert eps.min() >= -0.5 and eps.max() < 0.5
    hist, _ = np.histogram(eps, bins=10, range=(-0.5, 0.5))
    assert hist.min() > 0.9 * 5000 and hist.max() < 1.1 * 5000
    assert abs(eps.mean()) < 0.01


def test_noise_normal_kind_has_std():
    eps = Noise(Constant(), pct=10.0, std=0.1, kind="normal", seed=5).values(range(50000), 1.0) - 1.0
    assert abs(eps.std() - 0.1) < 0.005
    assert abs(eps.mean()) < 0.005


def test_noise_multiplicative_on_the_schedule_and_only_in_its_window():
    inner = Cosine(T_max=100)
    s = Noise(inner, pct=0.2, seed=2, start=10, end=50)
    v, clean = s.values(range(200), B), inner.values(range(200), B)
    assert np.array_equal(v[:10], clean[:10]) and np.array_equal(v[50:], clean[50:])
    assert np.all(v[10:50] != clean[10:50])
    rel = v[10:50] / clean[10:50] - 1
    assert np.all(np.abs(rel) < 0.2 + 1e-12)
    assert s.uses_base_lr and s.length == 100


def test_noise_depends_on_the_step_not_on_the_curve():
    a = Noise(Constant(), seed=9, pct=0.3).values(range(100), 1.0) - 1.0
    b = Noise(Step(10, 0.5), seed=9, pct=0.3).values(range(100), 1.0)
    step = Step(10, 0.5).values(range(100), 1.0)
    assert np.allclose((b - step) / step, a, rtol=0, atol=1e-15)


# --------------------------------------------------------------------------------------------------- lengths
def test_lengths():
    assert Constant().length is None
    assert Constant(0.5, 7).length == 7
    assert Step(3).length is None
    assert MultiStep([3, 9]).length == 9
    assert MultiStep([]).length is None
    assert Piecewise([3, 9], [0.1, 0.2, 0.3]).length == 9
    assert Linear(total_steps=8).length == 8
    assert Cosine(T_max=10.5).length == 11
    assert OneCycle(1.0, 100).length == 100
    assert Cyclic(0.1, 1.0, step_size_up=3, step_size_down=5).length == 8


def test_noise_normal_with_small_pct_is_never_silently_zero():
    v = Noise(Constant(), pct=0.01, std=1.0, seed=42).values(range(20000), 1.0)
    assert np.mean(v == 1.0) < 0.001


# --------------------------------------------------------------------------------------------- absolute or relative
ABSOLUTE = {
    "one_cycle": OneCycle(0.1, 100),
    "cyclic": Cyclic(0.01, 0.1, step_size_up=20),
    "piecewise": Piecewise([30], [0.1, 0.01]),
    "with_base_lr": WithBaseLR(Step(20, 0.5), 0.05),
}


@pytest.mark.parametrize("name", sorted(ABSOLUTE))
def test_warmup_is_absolute_unless_a_part_reads_the_base(name: str) -> None:
    inner = ABSOLUTE[name]
    absolute = [
        Warmup(inner, 10),  # start 0 * base = 0, end = the absolute inner's value
        Warmup(inner, 10, start_factor=0.0),
        Warmup(inner, 10, start_lr=0.01),
        Warmup(inner, 10, end_lr=0.2),
        Warmup(inner, 10, start_lr=0.01, end_lr=0.2),
        Warmup(inner, 10, end_factor=0.0),
        Warmup(inner, 10, start_lr=0.02, end_factor=0.5, shape="constant"),  # the end is not used
        Warmup(inner, 10, start_lr=0.001, shape="exponential"),
        Warmup(inner, 10, mode="overlap"),
    ]
    relative = [
        Warmup(inner, 10, start_factor=0.1),
        Warmup(inner, 10, end_factor=0.5),
        Warmup(inner, 10, start_factor=0.01, shape="exponential"),
        Warmup(inner, 10, start_factor=0.1, shape="constant"),
    ]
    for s in absolute:
        assert s.uses_base_lr is False, s
        assert_reads_the_base_iff_it_says_so(s, range(60))
    for s in relative:
        assert s.uses_base_lr is True, s
        assert_reads_the_base_iff_it_says_so(s, range(60))
    assert Warmup(Constant(), 10, start_lr=0.0, end_lr=0.1).uses_base_lr is True  # Constant() follows the base


def test_every_composition_derives_absolute_from_its_parts() -> None:
    a, b, rel = ABSOLUTE["one_cycle"], ABSOLUTE["piecewise"], Cosine(50)
    cases = {
        Sequence([a, b], [40]): False,
        Sequence([a, rel], [40]): True,
        Sequence([rel, a], [40]): True,
        Sequence([rel, a], [0]): False,  # the relative phase never runs
        Sequence([a, rel, b], [40, 40]): False,
        Chain([b, rel]): False,  # later members are evaluated at base 1.0
        Chain([rel, b]): True,
        Shift(a, 3): False,
        Shift(rel, 3): True,
        Noise(b, pct=0.1): False,
        Noise(rel, pct=0.1): True,
        PerGroup([a, b]): False,
        PerGroup([a, rel]): True,
        WithBaseLR(rel, 0.3): False,
        WithBaseLR(Warmup(rel, 5), 0.3): False,
        Noise(Shift(Warmup(Sequence([a, b], [50]), 5), 2), pct=0.1): False,
        Noise(Shift(Warmup(Sequence([a, b], [50]), 5, end_factor=1.0), 2), pct=0.1): True,
        Chain([Warmup(b, 5), Warmup(rel, 5)]): False,
    }
    for s, uses in cases.items():
        assert s.uses_base_lr is uses, s
        if isinstance(s, PerGroup):
            for i in range(len(s.schedules)):
                assert_reads_the_base_iff_it_says_so(s.for_group(i), range(90))
        else:
            assert_reads_the_base_iff_it_says_so(s, range(90))


def test_with_base_lr_of_an_absolute_schedule_is_refused() -> None:
    for inner in (*ABSOLUTE.values(), Warmup(ABSOLUTE["one_cycle"], 10)):
        with pytest.raises(ValueError, match=rf"WithBaseLR: {type(inner).__name__} is absolute .* base_lr=0.3"):
            WithBaseLR(inner, 0.3)
    with pytest.raises(ValueError, match="absolute"):
        from_config({"type": "with_base_lr", "schedule": {"type": "piecewise", "boundaries": [3], "lrs": [1, 2]},
                     "base_lr": 0.1})  # fmt: skip


def assert_reads_the_base_iff_it_says_so(schedule, steps) -> None:
    """An absolute schedule gives the same values at every base lr; a relative one differs at some step."""
    if schedule.uses_base_lr:
        assert not np.array_equal(schedule.values(steps, 0.1), schedule.values(steps, 7.5)), schedule
        return
    curves = [schedule.values(steps, b) for b in (None, 0.0, 0.1, 1.0, 7.5)]
    for curve in curves[1:]:
        assert np.array_equal(curve, curves[0]), schedule


def test_catalogue_schedules_read_the_base_iff_they_say_so() -> None:
    from lrparity.parity.catalogue import CATALOGUE

    for entry in CATALOGUE:
        assert_reads_the_base_iff_it_says_so(entry.schedule, range(min(entry.steps, 3000)))
        assert entry.schedule.uses_base_lr is (entry.base_lr is not None), entry.name
