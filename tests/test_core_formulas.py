"""Every schedule's closed form against its formula, at points computed by hand in the test (never from our output).

Where the test writes the formula in the documented operation order, the comparison is exact (``==``); where the
expected value is written differently (a literal, or a rearranged expression), it is compared to a few ulps.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from lrparity.core import (
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
    OneCycle,
    PhaseAnneal,
    Piecewise,
    Polynomial,
    Step,
)
from tests.helpers import assert_close, check_both, cosine_formula

B = 0.1  # base lr used throughout


# --------------------------------------------------------------------------------------------------- constant
def test_constant_default_is_the_base_lr_forever():
    check_both(Constant(), [0, 1, 7, 10**12], [B, B, B, B])


def test_constant_factor_until_total_steps():
    s = Constant(factor=0.5, total_steps=3)
    check_both(s, [0, 1, 2, 3, 4, 10**12], [B * 0.5] * 3 + [B * (0.5 + 1 * (1 - 0.5))] * 3)
    assert s(3, 0.1) == 0.1


def test_constant_closed_form_not_recursion():
    # torch ConstantLR's closed form b*(f + [t>=T](1-f)); the recursion would give b*f*(1/f).
    f = 0.1
    s = Constant(factor=f, total_steps=2)
    check_both(s, [0, 1, 2, 50], [B * (f + 0 * (1 - f))] * 2 + [B * (f + 1 * (1 - f))] * 2)


def test_constant_without_total_steps_keeps_the_factor():
    check_both(Constant(factor=0.25), [0, 5, 10**9], [B * 0.25] * 3)


def test_constant_total_steps_zero_is_the_base_from_the_start():
    check_both(Constant(factor=0.5, total_steps=0), [0, 1], [B * (0.5 + 1 * (1 - 0.5))] * 2)


# --------------------------------------------------------------------------------------------------- lambdas
def test_lambda_is_base_times_fn():
    s = Lambda(lambda t: 0.95**t)
    check_both(s, [0, 1, 2, 10, 333], [B * 0.95**t for t in [0, 1, 2, 10, 333]])


def test_lambda_fn_receives_python_ints():
    seen = []

    def fn(t):
        seen.append(type(t))
        return 1.0

    Lambda(fn).values(np.arange(5, dtype=np.int32))
    Lambda(fn).value(np.int64(3))
    assert set(seen) == {int}


def test_multiplicative_running_product_in_native_order():
    s = Multiplicative(lambda k: 1.0 / (k + 1))
    expected = [B, B * (1 / 2), B * (1 / 2) * (1 / 3), B * (1 / 2) * (1 / 3) * (1 / 4)]
    check_both(s, [0, 1, 2, 3], expected)


def test_multiplicative_constant_factor():
    s = Multiplicative(lambda k: 0.9)
    check_both(s, [0, 1, 2, 3], [B, B * 0.9, B * 0.9 * 0.9, B * 0.9 * 0.9 * 0.9])


def test_multiplicative_factor_hitting_zero_sticks_at_zero():
    s = Multiplicative(lambda k: 0.0 if k == 3 else 2.0)
    check_both(s, list(range(8)), [1.0, 2.0, 4.0, 0.0, 0.0, 0.0, 0.0, 0.0], base_lr=1.0)


def test_multiplicative_unsorted_and_repeated_steps():
    s = Multiplicative(lambda k: 0.5)
    assert s.values([3, 0, 3, 1], 1.0).tolist() == [0.125, 1.0, 0.125, 0.5]


# --------------------------------------------------------------------------------------------------- steps
def test_step_decay():
    s = Step(step_size=3, gamma=0.5)
    steps = [0, 1, 2, 3, 5, 6, 7, 9]
    expected = [B, B, B, B * 0.5, B * 0.5, B * 0.5**2, B * 0.5**2, B * 0.5**3]
    check_both(s, steps, expected)
    assert s(7, 0.1) == 0.1 * 0.5**2


def test_step_decay_non_power_of_two_gamma_is_closed_form():
    s = Step(step_size=30, gamma=0.9)
    check_both(s, [29, 30, 299, 300, 3000], [B * 0.9**0, B * 0.9**1, B * 0.9**9, B * 0.9**10, B * 0.9**100])


def test_step_decay_gamma_above_one_allowed():
    check_both(Step(step_size=2, gamma=1.5), [0, 2, 4], [B * 1.5**0, B * 1.5**1, B * 1.5**2])


def test_step_far_steps_underflow_to_zero():
    check_both(Step(step_size=3, gamma=0.5), [10**12], [0.0])


def test_multistep_counts_milestones_at_or_before_t():
    s = MultiStep(milestones=[2, 5, 9], gamma=0.1)
    steps = [0, 1, 2, 4, 5, 8, 9, 100]
    expected = [B, B, B * 0.1**1, B * 0.1**1, B * 0.1**2, B * 0.1**2, B * 0.1**3, B * 0.1**3]
    check_both(s, steps, expected)


def test_multistep_repeated_milestone_applies_gamma_twice():
    s = MultiStep(milestones=[2, 5, 5], gamma=0.5)
    check_both(s, [1, 2, 4, 5, 6], [1.0, 0.5, 0.5, 0.125, 0.125], base_lr=1.0)


def test_multistep_milestone_zero_applies_at_step_zero():
    check_both(MultiStep(milestones=[0], gamma=0.5), [0, 1], [B * 0.5**1] * 2)


def test_multistep_no_milestones_is_constant():
    check_both(MultiStep(milestones=[], gamma=0.5), [0, 10**12], [B, B])


def test_piecewise_absolute_values_between_boundaries():
    s = Piecewise(boundaries=[3, 7], lrs=[0.1, 0.01, 0.001])
    steps = [0, 2, 3, 6, 7, 10**12]
    check_both(s, steps, [0.1, 0.1, 0.01, 0.01, 0.001, 0.001], base_lr=123.0)
    assert s.uses_base_lr is False


# --------------------------------------------------------------------------------------------------- exponentials
def test_exponential():
    s = Exponential(gamma=0.9)
    check_both(s, [0, 1, 2, 50, 1000], [B * 0.9**t for t in [0, 1, 2, 50, 1000]])


def test_natural_exp():
    s = NaturalExp(gamma=0.5)
    check_both(s, [0, 1, 3, 40], [B * math.exp(-1 * 0.5 * t) for t in [0, 1, 3, 40]])
    assert_close(s(2, 1.0), 0.36787944117144233)  # e**-1 by hand


def test_inverse_time():
    s = InverseTime(gamma=0.5)
    check_both(s, [0, 1, 2, 10], [B / (1 + 0.5 * t) for t in [0, 1, 2, 10]])
    assert s(2, 1.0) == 0.5


def test_inverse_time_zero_gamma_is_constant():
    check_both(InverseTime(gamma=0.0), [0, 100], [B, B])


# --------------------------------------------------------------------------------------------------- linear / poly
def test_linear_ramp_then_hold():
    s = Linear(start_factor=0.25, end_factor=1.0, total_steps=4)
    steps = [0, 1, 2, 3, 4, 5, 10**12]
    expected = [B * (0.25 + (1.0 - 0.25) * min(4, t) / 4) for t in steps]
    check_both(s, steps, expected)
    assert_close(s(2, 1.0), 0.625)
    assert s(4, B) == B * 1.0


def test_linear_defaults_are_torch_defaults():
    s = Linear()
    assert_close(s(0, 1.0), 1 / 3)
    assert s(5, 1.0) == 1.0
    assert s.total_steps == 5


def test_linear_from_zero_and_above_base_and_downward():
    check_both(Linear(0.0, 2.0, 4), [0, 1, 4, 9], [0.0, 0.5, 2.0, 2.0], base_lr=1.0)
    check_both(Linear(1.0, 0.0, 10), [0, 5, 10, 11], [1.0, 0.5, 0.0, 0.0], base_lr=1.0)


def test_linear_holds_end_factor_exactly():
    s = Linear(start_factor=0.39387755102040817, end_factor=0.0, total_steps=399)
    check_both(s, [399, 400, 10**12], [0.0, 0.0, 0.0], base_lr=1.0)
    for start in np.linspace(0.01, 1.0, 50).tolist():
        for total in (3, 7, 10, 99, 249, 1000):
            assert Linear(start, 0.0, total).value(total, 1.0) == 0.0
            assert Linear(start, 0.5, total).value(total + 1, 0.1) == 0.1 * 0.5


def test_polynomial_decay_to_end_lr():
    s = Polynomial(total_steps=10, power=2.0, end_lr=0.01)
    steps = [0, 3, 9, 10, 11, 10**12]
    expected = [(B - 0.01) * (1 - min(t, 10) / 10) ** 2.0 + 0.01 for t in steps]
    check_both(s, steps, expected)
    assert_close(s(3, B), 0.09 * 0.49 + 0.01)
    assert s(10, B) == 0.01


def test_polynomial_defaults_torch_polynomial_lr():
    s = Polynomial(total_steps=4)
    check_both(s, [0, 1, 2, 3, 4, 5], [1.0, 0.75, 0.5, 0.25, 0.0, 0.0], base_lr=1.0)


def test_polynomial_power_zero_is_constant():
    check_both(Polynomial(total_steps=5, power=0.0), [0, 3, 5, 6], [B] * 4, exact=False)


def test_polynomial_cycle_grows_the_horizon():
    # paddle: T' = T * ceil(t / T) (T at t = 0); t is not clipped.
    s = Polynomial(total_steps=10, power=1.0, end_lr=0.0, cycle=True)
    cases = {0: 10, 1: 10, 10: 10, 11: 20, 15: 20, 20: 20, 21: 30, 35: 40}
    steps = list(cases)
    expected = [(1.0 - 0.0) * (1 - t / cases[t]) ** 1.0 + 0.0 for t in steps]
    check_both(s, steps, expected, base_lr=1.0)
    assert_close(s(15, 1.0), 0.25)
    assert s(20, 1.0) == 0.0
    assert_close(s(21, 1.0), 0.3)


# --------------------------------------------------------------------------------------------------- cosine
def test_cosine_closed_form_and_periodic_past_t_max():
    s = Cosine(T_max=10, eta_min=0.01)
    steps = [0, 1, 3, 5, 10, 15, 20, 21, 10**12]
    check_both(s, steps, [cosine_formula(t, 10, eta_min=0.01) for t in steps])
    assert s(10, B) == 0.01  # cos(pi) = -1 exactly: the trough is eta_min
    assert_close(s(5, B), (0.1 + 0.01) / 2)
    assert_close(s(20, B), B)


def test_cosine_hold_after_end():
    s = Cosine(T_max=10, eta_min=0.01, after_end="hold")
    steps = [0, 5, 10, 11, 19, 10**12]
    check_both(s, steps, [cosine_formula(min(t, 10), 10, eta_min=0.01) for t in steps])
    assert s(15, B) == 0.01


def test_cosine_float_t_max():
    s = Cosine(T_max=10.5)
    check_both(s, [0, 3, 10, 11], [cosine_formula(t, 10.5) for t in [0, 3, 10, 11]])


def test_cosine_t_max_one():
    check_both(Cosine(T_max=1), [0, 1, 2, 3], [B, 0.0, B, 0.0], exact=False)


# --------------------------------------------------------------------------------------------------- restarts
def _restart_reference(t, T_0, T_mult, b=B, eta=0.0, decay=1.0, limit=None, k=1.0):
    """SGDR by hand: walk the cycles with integer arithmetic."""
    if T_mult == 1:
        i, start, length = t // T_0, (t // T_0) * T_0, T_0
    else:
        i, start, length = 0, 0, T_0
    while t >= start + length:
        start += length
        length *= T_mult
        i += 1
    if limit is not None and i >= limit:
        return eta
    tau = t - start
    peak = b if decay == 1.0 else b * decay**i
    angle = math.pi * tau / length if k == 1.0 else math.pi * tau**k / length**k
    return eta + (peak - eta) * (1 + math.cos(angle)) / 2


def test_restarts_t_mult_one():
    s = CosineRestarts(T_0=10, eta_min=0.001)
    steps = [0, 3, 9, 10, 13, 20, 10**12 + 3]
    check_both(s, steps, [_restart_reference(t, 10, 1, eta=0.001) for t in steps])
    assert s(10, B) == B and s(20, B) == B
    assert s(13, B) == cosine_formula(3, 10, eta_min=0.001)


def test_restarts_t_mult_two():
    s = CosineRestarts(T_0=10, T_mult=2)
    # cycles start at 0, 10, 30, 70, 150 with lengths 10, 20, 40, 80
    assert s(45, B) == cosine_formula(15, 40)
    for start in (0, 10, 30, 70, 150, 310):
        assert s(start, B) == B
    steps = list(range(0, 400, 7))
    check_both(s, steps, [_restart_reference(t, 10, 2) for t in steps])


@pytest.mark.parametrize("T_0", [1, 2, 3, 5, 10])
def test_restarts_t_mult_three_restarts_exactly_at_121_t0(T_0):
    # The natives' step(epoch) finds the cycle with int(log(t/T_0*(m-1)+1, m)); at t = 121*T_0 that log is
    # 4.999..., one cycle short. The starts are T_0*(3**i - 1)/2 = 0, 1, 4, 13, 40, 121, 364 (times T_0).
    t = 121 * T_0
    assert int(math.log(t / T_0 * (3 - 1) + 1, 3)) == 4  # the natives' bug: this should be 5
    s = CosineRestarts(T_0=T_0, T_mult=3)
    assert s(t, B) == B  # a restart: the peak, exactly
    # one step earlier: the last step of cycle 4 (length 81*T_0), 81*T_0 - 1 steps in
    assert s(t - 1, B) == cosine_formula(81 * T_0 - 1, 81 * T_0)
    steps = list(range(0, 400 * T_0, T_0)) + list(range(t - 3, t + 3))
    for x in steps:
        assert s(x, B) == _restart_reference(x, T_0, 3), x


@pytest.mark.parametrize("T_0", [1, 3, 10])
def test_restarts_t_mult_three_vectorised_at_121_t0(T_0):
    t = 121 * T_0
    s = CosineRestarts(T_0=T_0, T_mult=3)
    steps = list(range(0, 400 * T_0, T_0)) + list(range(t - 3, t + 3))
    check_both(s, steps, [_restart_reference(x, T_0, 3) for x in steps])


@pytest.mark.parametrize(("T_0", "T_mult"), [(2, 3), (5, 3), (1, 5), (3, 4)])
def test_restarts_vectorised_any_t0_t_mult(T_0, T_mult):
    s = CosineRestarts(T_0=T_0, T_mult=T_mult)
    steps = [0, 1, T_0, 121 * T_0, 10**12]
    check_both(s, steps, [_restart_reference(x, T_0, T_mult) for x in steps])


def test_restarts_t_mult_three_far_restart_is_exact():
    # start of cycle 30: T_0 * (3**30 - 1) // 2, integer arithmetic
    start = 7 * (3**30 - 1) // 2
    s = CosineRestarts(T_0=7, T_mult=3)
    assert s(start, B) == B
    assert s.values([start], B)[0] == B
    assert s(start - 1, B) == cosine_formula(7 * 3**29 - 1, 7 * 3**29)


def test_restarts_cycle_decay():
    s = CosineRestarts(T_0=10, T_mult=2, eta_min=0.001, cycle_decay=0.5)
    assert s(45, B) == 0.001 + (B * 0.5**2 - 0.001) * (1 + math.cos(math.pi * 15 / 40)) / 2
    assert s(10, B) == 0.001 + (B * 0.5**1 - 0.001) * (1 + math.cos(0.0)) / 2
    steps = list(range(0, 200, 3))
    check_both(s, steps, [_restart_reference(t, 10, 2, eta=0.001, decay=0.5) for t in steps])


@pytest.mark.parametrize("T_mult", [1, 2])
def test_restarts_cycle_limit_holds_eta_min(T_mult):
    s = CosineRestarts(T_0=10, T_mult=T_mult, eta_min=0.002, cycle_limit=2)
    end = 20 if T_mult == 1 else 30
    assert s(end - 1, B) == cosine_formula(end - 1 - (end - 10 * T_mult), 10 * T_mult, eta_min=0.002)
    for t in (end, end + 1, 10**12):
        assert s(t, B) == 0.002
    assert s.length == end
    steps = list(range(0, 60))
    check_both(s, steps, [_restart_reference(t, 10, T_mult, eta=0.002, limit=2) for t in steps])


def test_restarts_k_decay():
    s = CosineRestarts(T_0=10, T_mult=2, k_decay=2.0)
    assert s(45, B) == 0.0 + (B - 0.0) * (1 + math.cos(math.pi * 15**2.0 / 40**2.0)) / 2
    assert_close(s(5, 1.0), (1 + math.cos(math.pi * 0.25)) / 2)  # (5/10)**2 = 1/4 of the half period
    steps = list(range(0, 200, 3))
    check_both(s, steps, [_restart_reference(t, 10, 2, k=2.0) for t in steps])


# --------------------------------------------------------------------------------------------------- cyclic
def _clr(t, lo, hi, up, down=None, scale=lambda c, t: 1.0, invert=False):
    """Smith's CLR as the torch docstring states it."""
    down = up if down is None else down
    total = float(up + down)
    ratio = up / total
    cycle = math.floor(1 + t / total)
    x = 1.0 + t / total - cycle
    h = x / ratio if x <= ratio else (x - 1) / (ratio - 1)
    if invert:
        return hi - (hi - lo) * h * scale(cycle, t)
    return lo + (hi - lo) * h * scale(cycle, t)


def test_cyclic_triangular_by_hand():
    s = Cyclic(base_lr=0.1, max_lr=1.0, step_size_up=4)
    check_both(s, [0, 2, 4, 6, 8], [0.1, 0.1 + 0.9 * 0.5, 1.0, 0.1 + 0.9 * 0.5, 0.1], base_lr=55.0, exact=False)
    steps = list(range(0, 40))
    check_both(s, steps, [_clr(t, 0.1, 1.0, 4) for t in steps])
    assert s.uses_base_lr is False


def test_cyclic_asymmetric_up_down():
    s = Cyclic(base_lr=0.0, max_lr=1.0, step_size_up=2, step_size_down=6)
    check_both(s, [0, 1, 2, 5, 8], [0.0, 0.5, 1.0, 0.5, 0.0], exact=False)
    steps = list(range(0, 30))
    check_both(s, steps, [_clr(t, 0.0, 1.0, 2, 6) for t in steps])


def test_cyclic_triangular2_halves_each_cycle():
    s = Cyclic(base_lr=0.0, max_lr=1.0, step_size_up=2, mode="triangular2")
    # cycle c peaks at 1/2**(c-1): t=2 -> 1, t=6 -> 0.5, t=10 -> 0.25
    check_both(s, [2, 6, 10], [1.0, 0.5, 0.25])
    steps = list(range(0, 30))
    check_both(s, steps, [_clr(t, 0.0, 1.0, 2, scale=lambda c, t: 1 / (2.0 ** (c - 1))) for t in steps])


def test_cyclic_exp_range_scales_by_gamma_pow_t():
    s = Cyclic(base_lr=0.1, max_lr=1.0, step_size_up=3, mode="exp_range", gamma=0.99)
    steps = list(range(0, 30))
    check_both(s, steps, [_clr(t, 0.1, 1.0, 3, scale=lambda c, t: 0.99**t) for t in steps])
    assert s(3, B) == 0.1 + (1.0 - 0.1) * 1.0 * 0.99**3


def scale_cycle(c):
    return 1.0 / c


def scale_iter(t):
    return 1.0 / (1.0 + t)


def test_cyclic_custom_scale_fn_cycle_and_iterations():
    s = Cyclic(base_lr=0.0, max_lr=1.0, step_size_up=2, scale_fn=scale_cycle, scale_mode="cycle", mode="bogus-ignored")
    steps = list(range(0, 20))
    check_both(s, steps, [_clr(t, 0.0, 1.0, 2, scale=lambda c, t: scale_cycle(c)) for t in steps])
    assert s(6, B) == 0.5  # second peak, cycle 2 -> 1/2
    s = Cyclic(base_lr=0.0, max_lr=1.0, step_size_up=2, scale_fn=scale_iter, scale_mode="iterations")
    check_both(s, steps, [_clr(t, 0.0, 1.0, 2, scale=lambda c, t: scale_iter(t)) for t in steps])
    assert s(2, B) == 1.0 / 3.0


def test_cyclic_invert_and_momentum_companion():
    s = Cyclic(base_lr=0.1, max_lr=1.0, step_size_up=4, cycle_momentum=True, base_momentum=0.8, max_momentum=0.9)
    mom = s.companions()["momentum"]
    steps = list(range(0, 20))
    check_both(mom, steps, [_clr(t, 0.8, 0.9, 4, invert=True) for t in steps])
    assert mom(0, B) == 0.9 and mom(4, B) == 0.8
    assert Cyclic(0.1, 1.0).companions() == {}
    inv = Cyclic(base_lr=0.1, max_lr=1.0, step_size_up=4, invert=True)
    check_both(inv, steps, [_clr(t, 0.1, 1.0, 4, invert=True) for t in steps])


# --------------------------------------------------------------------------------------------------- one-cycle
def _cos_anneal(start, end, pct):
    return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)


def _lin_anneal(start, end, pct):
    return (end - start) * pct + start


def test_one_cycle_two_phase_cos_by_hand():
    s = OneCycle(max_lr=1.0, total_steps=100)  # pct 0.3: phase ends at 29 and 99
    initial, minimum = 1.0 / 25.0, 1.0 / 25.0 / 1e4
    assert s.initial_lr == initial and s.min_lr == minimum
    assert_close(s(0, B), 0.04)
    assert s(29, B) == 1.0
    assert s(99, B) == minimum
    steps = [0, 10, 28, 29, 30, 50, 98, 99, 100]
    expected = [
        _cos_anneal(initial, 1.0, t / 29) if t <= 29 else _cos_anneal(1.0, minimum, (t - 29) / (99 - 29)) for t in steps
    ]
    check_both(s, steps, expected, base_lr=77.0)  # absolute: base lr ignored


def test_one_cycle_step_n_extrapolates_and_n_plus_one_raises():
    s = OneCycle(max_lr=1.0, total_steps=10)  # ends 2.0, 9
    assert s(10, B) == _cos_anneal(1.0, 1.0 / 25 / 1e4, (10 - 2.0) / (9 - 2.0))
    assert_close(s(10, B) * 0.1, 0.004951936798652624)  # measured torch/paddle value with max_lr=0.1 (natives.md 2a)
    with pytest.raises(ValueError) as err:
        s(11)
    msg = str(err.value)
    assert "11" in msg and "total_steps=10" in msg and "after_end='hold'" in msg
    with pytest.raises(ValueError, match="past the end"):
        s.values([0, 5, 11])


def test_one_cycle_after_end_hold():
    s = OneCycle(max_lr=1.0, total_steps=10, after_end="hold")
    minimum = 1.0 / 25 / 1e4
    check_both(s, [9, 10, 11, 10**12], [minimum] * 4)


def test_one_cycle_three_phase_linear_end_lr():
    s = OneCycle(max_lr=1.0, total_steps=100, pct_start=0.25, three_phase=True, anneal_strategy="linear", end_lr=1e-4)
    # ends 24, 48, 99; levels 0.04 -> 1 -> 0.04 -> 1e-4
    initial = 1.0 / 25.0
    steps = [0, 12, 24, 36, 48, 70, 99]

    def ref(t):
        if t <= 24:
            return _lin_anneal(initial, 1.0, t / 24)
        if t <= 48:
            return _lin_anneal(1.0, initial, (t - 24) / (48 - 24))
        return _lin_anneal(initial, 1e-4, (t - 48) / (99 - 48))

    check_both(s, steps, [ref(t) for t in steps])
    assert s(24, B) == 1.0
    assert_close(s(99, B), 1e-4, rel=1e-13)  # (end - start) * 1.0 + start: not bit-exact


def test_one_cycle_momentum_companion():
    s = OneCycle(max_lr=1.0, total_steps=100, cycle_momentum=True)
    mom = s.companions()["momentum"]
    steps = [0, 10, 29, 60, 99]
    expected = [_cos_anneal(0.95, 0.85, t / 29) if t <= 29 else _cos_anneal(0.85, 0.95, (t - 29) / 70) for t in steps]
    check_both(mom, steps, expected)
    assert OneCycle(max_lr=1.0, total_steps=100).companions() == {}


def test_one_cycle_pct_start_zero():
    # natives: N=2, pct=0 gives [max/div + ..., min] (natives.md 2a: [0.0500002, 4e-07] for max 0.1... scaled)
    s = OneCycle(max_lr=0.1, total_steps=2, pct_start=0.0)
    assert_close(s(0, B), 0.0500002)
    assert_close(s(1, B), 4e-07)


def test_phase_anneal_linear_by_hand():
    s = PhaseAnneal(ends=[4.0, 10.0], levels=[0.0, 1.0, 0.5], anneal_strategy="linear")
    check_both(s, [0, 2, 4, 7, 10], [0.0, 0.5, 1.0, 0.75, 0.5])


# --------------------------------------------------------------------------------------------------- noam
def test_noam_step_zero_is_zero():
    s = Noam(d_model=512, warmup_steps=4000)
    assert s(0, 1.0) == 0.0
    assert s.values([0], 2.0)[0] == 0.0


def test_noam_warmup_then_inverse_sqrt():
    s = Noam(d_model=512, warmup_steps=4000)
    steps = [1, 100, 4000, 10000]
    expected = [1.0 * 512**-0.5 * min(t**-0.5, 4000**-1.5 * t) for t in steps]
    check_both(s, steps, expected, base_lr=1.0)
    assert_close(s(10000, 1.0), 512**-0.5 / 100)  # past warmup: d**-0.5 * t**-0.5
    assert_close(s(100, 1.0), 512**-0.5 * 100 / 4000**1.5)  # in warmup: d**-0.5 * t / W**1.5


def test_noam_grouping_is_paddles():
    # paddle: (b * d**-0.5) * min(...)
    s = Noam(d_model=512, warmup_steps=400)
    for t in (1, 37, 400, 1000):
        assert s(t, 0.1) == 0.1 * (512**-0.5) * min(t**-0.5, 400**-1.5 * t)


# --------------------------------------------------------------------------------------------------- recursive forms
def _torch_cosine_recursion(n, T, b=B, eta=0.0):
    """torch CosineAnnealingLR.get_lr, written out from the native's documented recursion."""
    out, lr = [b], b
    for e in range(1, n):
        if (e - 1 - T) % (2 * T) == 0:
            lr = lr + (b - eta) * (1 - math.cos(math.pi / T)) / 2
        else:
            lr = (1 + math.cos(math.pi * e / T)) / (1 + math.cos(math.pi * (e - 1) / T)) * (lr - eta) + eta
        out.append(lr)
    return out


def _torch_linear_recursion(n, s, e_f, T, b=B):
    out, lr = [b * s], b * s
    for e in range(1, n):
        if e <= T:
            lr = lr * (1.0 + (e_f - s) / (T * s + (e - 1) * (e_f - s)))
        out.append(lr)
    return out


@pytest.mark.parametrize(("T", "eta"), [(7, 0.0), (100, 0.0), (100, 1e-3), (10.5, 0.0), (1, 0.0)])
def test_cosine_recursive_form_replays_the_native_recursion(T, eta):
    n = 3000
    expected = _torch_cosine_recursion(n, T, eta=eta)
    s = Cosine(T_max=T, eta_min=eta, form="recursive")
    assert s.values(range(n), B).tolist() == expected
    fresh = Cosine(T_max=T, eta_min=eta, form="recursive")  # scalar path on a fresh cache, out of order
    for t in (2999, 0, 1, 1500, 2998):
        assert fresh.value(t, B) == expected[t]
    if T == 100:  # the recursion really differs from the closed form (the drift natives.md measures)
        closed = Cosine(T_max=T, eta_min=eta).values(range(n), B)
        assert np.any(closed != np.asarray(expected))
        assert np.max(np.abs(closed - np.asarray(expected))) < 1e-13


@pytest.mark.parametrize(("s", "e", "T"), [(1 / 3, 1.0, 5), (0.001, 1.0, 1000), (1.0, 0.001, 700), (0.5, 2.0, 10)])
def test_linear_recursive_form_replays_the_native_recursion(s, e, T):
    n = 2000
    expected = _torch_linear_recursion(n, s, e, T)
    sched = Linear(s, e, T, form="recursive")
    assert sched.values(range(n), B).tolist() == expected
    assert Linear(s, e, T, form="recursive").value(n - 1, B) == expected[-1]


def test_recursive_forms_cache_per_base_lr():
    s = Cosine(T_max=50, form="recursive")
    a = s.values(range(300), 0.1)
    b = s.values(range(300), 0.2)
    assert a.tolist() == _torch_cosine_recursion(300, 50, b=0.1)
    assert b.tolist() == _torch_cosine_recursion(300, 50, b=0.2)
    assert s == Cosine(T_max=50, form="recursive")  # the cache is not part of equality or the config
    assert "_replays" not in str(s.to_config())


def test_recursive_form_refuses_steps_beyond_the_replay_limit():
    with pytest.raises(ValueError) as err:
        Cosine(T_max=10, form="recursive").value(10**8 + 1)
    assert "form='closed'" in str(err.value) and str(10**8 + 1) in str(err.value)


def test_cosine_recursive_with_a_zero_denominator_t_max():
    """Specified (Cosine's docstring): a float T_max is accepted, as torch accepts it; where the natives' recursion
    divides by zero (T_max=0.8: 1 + cos(pi * 12 / 0.8) == 0 at step 13), form='recursive' has the natives' values
    before that step and raises ValueError naming the step and T_max from that step on."""
    s = Cosine(T_max=0.8, form="recursive")
    with pytest.raises(ZeroDivisionError):
        _torch_cosine_recursion(14, 0.8)  # the native's recursion fails at step 13
    expected = _torch_cosine_recursion(13, 0.8)  # steps 0..12 exist in torch
    assert [s.value(t, B) for t in range(13)] == expected
    assert Cosine(T_max=0.8, form="recursive").values(range(13), B).tolist() == expected
    for t in (13, 14, 10**6):
        with pytest.raises(ValueError, match=r"fails at step 13 .*T_max=0\.8"):
            s.value(t, B)
    with pytest.raises(ValueError, match=r"fails at step 13 "):
        Cosine(T_max=0.8, form="recursive").values(range(20), B)
    assert Cosine(T_max=0.8).value(13, B) == 0.0 + (B - 0.0) * (1 + math.cos(math.pi * 13 / 0.8)) / 2
