"""The reduce-on-plateau state machine, torch and paddle semantics, on metric sequences worked out by hand."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from lrparity.core import Plateau, PlateauState, Schedule, from_config

INF = math.inf


def run(plateau: Plateau, lrs, metrics):
    """States after each update (index i: after the (i+1)-th step(metric))."""
    state = plateau.initial_state(lrs)
    out = []
    for metric in metrics:
        state = plateau.update(state, metric)
        out.append(state)
    return out


def reduced_at(states, start_lr):
    prev, at = start_lr, []
    for i, s in enumerate(states):
        if s.lrs[0] != prev:
            at.append(i)
            prev = s.lrs[0]
    return at


# --------------------------------------------------------------------------------------------------- cooldown
METRICS = [1.0, 1.0, 1.0, 0.1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]


def test_cooldown_torch_semantics_by_hand():
    """torch keeps tracking best and counting during cooldown, then zeroes the bad count.

    idx 0: best=1 | 1: bad=1 | 2: bad=2>1 -> reduce, cd=2 | 3: 0.1 better, best=0.1; cd 2->1, bad=0
    | 4: bad=1; cd 1->0, bad=0 | 5: bad=1 | 6: bad=2 -> reduce, cd=2 | 7: cd->1 | 8: cd->0 | 9: bad=1 | 10: reduce
    | 11: cd 2->1, bad=0
    """
    states = run(Plateau(patience=1, cooldown=2), 0.1, METRICS)
    assert reduced_at(states, 0.1) == [2, 6, 10]
    lr1, lr2, lr3 = max(0.1 * 0.1, 0.0), max(0.1 * 0.1 * 0.1, 0.0), max(0.1 * 0.1 * 0.1 * 0.1, 0.0)
    assert [s.lrs[0] for s in states] == [0.1, 0.1, lr1, lr1, lr1, lr1, lr2, lr2, lr2, lr2, lr3, lr3]
    assert [s.best for s in states] == [1.0, 1.0, 1.0] + [0.1] * 9
    assert [s.num_bad_epochs for s in states] == [0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0]
    assert [s.cooldown_counter for s in states] == [0, 0, 2, 1, 0, 0, 2, 1, 0, 0, 2, 1]
    assert [s.last_epoch for s in states] == list(range(1, 13))


def test_cooldown_paddle_semantics_by_hand():
    """paddle ignores the metric during cooldown (best is not updated), so 0.1 at idx 3 is never seen.

    idx 0: best=1 | 1: bad=1 | 2: reduce, cd=2 | 3: cd->1 | 4: cd->0 | 5: 0.5 better, best=0.5 | 6: bad=1
    | 7: bad=2 -> reduce, cd=2 | 8: cd->1 | 9: cd->0 | 10: bad=1 | 11: reduce
    """
    states = run(Plateau(patience=1, cooldown=2, semantics="paddle"), 0.1, METRICS)
    assert reduced_at(states, 0.1) == [2, 7, 11]
    lr1, lr2, lr3 = 0.1 * 0.1, 0.1 * 0.1 * 0.1, 0.1 * 0.1 * 0.1 * 0.1
    assert [s.lrs[0] for s in states] == [0.1, 0.1, lr1, lr1, lr1, lr1, lr1, lr2, lr2, lr2, lr2, lr3]
    assert [s.best for s in states] == [1.0, 1.0, 1.0, 1.0, 1.0] + [0.5] * 7
    assert [s.num_bad_epochs for s in states] == [0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0]
    assert [s.cooldown_counter for s in states] == [0, 0, 2, 1, 0, 0, 0, 2, 1, 0, 0, 2]


def test_torch_and_paddle_agree_without_cooldown():
    metrics = [5.0, 4.0, 4.0, 4.0, 3.0, 3.0, 3.0, 3.0, 2.9, 2.95, 3.1]
    torch_like = run(Plateau(patience=2), 1.0, metrics)
    paddle_like = run(Plateau(patience=2, semantics="paddle"), 1.0, metrics)
    assert [s.lrs for s in torch_like] == [s.lrs for s in paddle_like]
    # idx 1: 4 better | 2, 3: bad 1, 2 (not > 2) | 4: 3.0 better | 5, 6, 7: bad 1, 2, 3 -> reduce at 7
    # | 8: 2.9 better (< 3*(1-1e-4)) | 9, 10: bad 1, 2
    assert reduced_at(torch_like, 1.0) == [7]


def test_initial_state():
    assert Plateau().initial_state(0.1) == PlateauState(lrs=(0.1,), best=INF)
    assert Plateau(mode="max").initial_state([0.1, 0.2]).best == -INF
    assert Plateau(semantics="paddle").initial_state(0.1).best is None
    s = Plateau().initial_state(np.array([0.1, 0.2]))
    assert s.lrs == (0.1, 0.2) and all(type(v) is float for v in s.lrs)
    assert s.num_bad_epochs == 0 and s.cooldown_counter == 0 and s.last_epoch == 0


# --------------------------------------------------------------------------------------------------- thresholds
@pytest.mark.parametrize("semantics", ["torch", "paddle"])
def test_threshold_rel_min(semantics):
    p = Plateau(patience=0, threshold=0.1, semantics=semantics)
    # after best=1.0: 0.95 is within 10% -> not an improvement -> reduce at once (patience 0)
    states = run(p, 1.0, [1.0, 0.95])
    assert states[1].lrs == (0.1,) and states[1].best == 1.0
    states = run(p, 1.0, [1.0, 0.85])
    assert states[1].lrs == (1.0,) and states[1].best == 0.85


@pytest.mark.parametrize("semantics", ["torch", "paddle"])
def test_threshold_abs_and_mode_max(semantics):
    p = Plateau(mode="max", patience=0, threshold=0.5, threshold_mode="abs", semantics=semantics)
    states = run(p, 1.0, [10.0, 10.4, 10.6])
    assert [s.lrs[0] for s in states] == [1.0, 1.0 * 0.1, 1.0 * 0.1]
    assert [s.best for s in states] == [10.0, 10.0, 10.6]
    p = Plateau(mode="max", patience=0, threshold=0.1, semantics=semantics)  # rel
    states = run(p, 1.0, [10.0, 10.9, 11.1])
    assert [s.lrs[0] for s in states] == [1.0, 1.0 * 0.1, 1.0 * 0.1]


def test_rel_threshold_rounding_differs_between_torch_and_paddle():
    best, th = 0.7, 0.3
    torch_bound, paddle_bound = best * (1.0 - th), best - best * th
    assert torch_bound < paddle_bound  # 0.48999999999999994 < 0.49
    metric = torch_bound  # not < torch_bound: no improvement for torch; < paddle_bound: one for paddle
    t = run(Plateau(patience=0, threshold=th), 1.0, [best, metric])
    p = run(Plateau(patience=0, threshold=th, semantics="paddle"), 1.0, [best, metric])
    assert t[1].lrs == (0.1,) and t[1].best == best
    assert p[1].lrs == (1.0,) and p[1].best == metric


def test_rel_threshold_rounding_max_mode():
    for best in np.linspace(0.1, 5.0, 500).tolist():
        th = 0.07
        torch_bound, paddle_bound = best * (th + 1.0), best + best * th
        if torch_bound != paddle_bound:
            break
    else:  # pragma: no cover
        pytest.fail("no (best, th) pair found")
    metric = max(torch_bound, paddle_bound)  # equal to the larger bound: an improvement only for the other
    t = run(Plateau(mode="max", patience=0, threshold=th), 1.0, [best, metric])
    p = run(Plateau(mode="max", patience=0, threshold=th, semantics="paddle"), 1.0, [best, metric])
    torch_improved = metric > torch_bound
    paddle_improved = metric > paddle_bound
    assert torch_improved != paddle_improved
    assert (t[1].lrs == (1.0,)) == torch_improved
    assert (p[1].lrs == (1.0,)) == paddle_improved


# --------------------------------------------------------------------------------------------------- reduction
def test_min_lr_floor_and_eps():
    p = Plateau(patience=0, factor=0.5, min_lr=0.3)
    states = run(p, 1.0, [1.0, 1.0, 1.0, 1.0])
    assert [s.lrs[0] for s in states] == [1.0, 0.5, max(0.5 * 0.5, 0.3), 0.3]
    # eps: a reduction smaller than eps is not applied (but the cooldown still starts)
    p = Plateau(patience=0, factor=0.5, eps=0.3, cooldown=1)
    states = run(p, 1.0, [1.0, 1.0, 1.0, 1.0, 1.0])
    assert [s.lrs[0] for s in states] == [1.0, 0.5, 0.5, 0.5, 0.5]
    assert [s.cooldown_counter for s in states] == [0, 1, 0, 1, 0]


def test_factor_zero_drops_to_min_lr():
    states = run(Plateau(patience=0, factor=0.0, min_lr=1e-6), 0.1, [1.0, 1.0])
    assert states[1].lrs == (1e-6,)


def test_per_group_lrs_and_min_lrs():
    p = Plateau(patience=0, factor=0.1, min_lr=[0.05, 0.0])
    states = run(p, [1.0, 0.2], [1.0, 1.0, 1.0, 1.0])
    assert [s.lrs for s in states] == [
        (1.0, 0.2),
        (1.0 * 0.1, 0.2 * 0.1),
        (max(1.0 * 0.1 * 0.1, 0.05), 0.2 * 0.1 * 0.1),
        (0.05, 0.2 * 0.1 * 0.1 * 0.1),
    ]


def test_patience_zero_reduces_on_the_first_bad_metric():
    states = run(Plateau(patience=0), 1.0, [1.0, 2.0, 0.5, 0.5])
    assert reduced_at(states, 1.0) == [1, 3]


def test_nan_metric_counts_as_bad_in_torch_semantics():
    states = run(Plateau(patience=1), 1.0, [1.0, math.nan, math.nan])
    assert states[-1].lrs == (0.1,)


@pytest.mark.parametrize(
    "metric",
    [
        np.float32(0.5),
        np.float64(0.5),
        np.array(0.5),
        np.array([0.5]),
        1,
    ],
)
def test_metric_types(metric):
    state = Plateau().update(Plateau().initial_state(0.1), metric)
    assert state.best == float(np.asarray(metric).reshape(()))
    assert type(state.best) is float


# --------------------------------------------------------------------------------------------------- state
def test_update_is_pure():
    p = Plateau(patience=0)
    s0 = p.initial_state(0.1)
    s1 = p.update(s0, 1.0)
    s2 = p.update(s1, 2.0)
    assert s0 == PlateauState(lrs=(0.1,), best=INF)
    assert s1.best == 1.0 and s1.lrs == (0.1,)
    assert s2.lrs == (0.1 * 0.1,)
    assert p.update(s1, 2.0) == s2  # same input, same output


@pytest.mark.parametrize("semantics", ["torch", "paddle"])
def test_state_to_dict_from_dict_round_trip(semantics):
    p = Plateau(patience=1, cooldown=2, semantics=semantics)
    states = [p.initial_state([0.1, 0.2]), *run(p, [0.1, 0.2], METRICS)]
    for s in states:
        d = s.to_dict()
        assert set(d) == {"lrs", "best", "num_bad_epochs", "cooldown_counter", "last_epoch"}
        assert PlateauState.from_dict(d) == s
        assert PlateauState.from_dict(json.loads(json.dumps(d))) == s


def test_resume_from_dict_continues_identically():
    p = Plateau(patience=1, cooldown=2, semantics="paddle")
    full = run(p, 0.1, METRICS)
    for k in range(len(METRICS)):
        state = PlateauState.from_dict(json.loads(json.dumps(full[k].to_dict())))
        for i in range(k + 1, len(METRICS)):
            state = p.update(state, METRICS[i])
            assert state == full[i]


@pytest.mark.parametrize(
    "data",
    [
        {"lrs": [0.1], "best": None, "num_bad_epochs": 0, "cooldown_counter": 0},
        {"lrs": [0.1], "best": None, "num_bad_epochs": 0, "cooldown_counter": 0, "last_epoch": 0, "extra": 1},
        [("lrs", [0.1])],
    ],
)
def test_state_from_dict_rejects_wrong_keys(data):
    with pytest.raises(ValueError) as err:
        PlateauState.from_dict(data)
    assert "last_epoch" in str(err.value)


def test_plateau_is_a_configurable_state_machine_not_a_schedule():
    p = Plateau(mode="max", cooldown=3, min_lr=[0.0, 1e-5], semantics="paddle")
    assert not isinstance(p, Schedule)
    assert from_config(json.loads(json.dumps(p.to_config()))) == p
    assert p.to_config()["type"] == "reduce_on_plateau.v1"


def test_start_lr_is_optional_and_round_trips():
    carried = Plateau(patience=2, semantics="paddle", start_lr=0.05)
    assert carried.to_config()["start_lr"] == 0.05 and from_config(carried.to_config()) == carried
    assert "start_lr" not in Plateau().to_config()  # a config written before start_lr existed is the same
    old = {"type": "reduce_on_plateau.v1", "mode": "min", "factor": 0.1, "patience": 10, "threshold": 1e-4,
           "threshold_mode": "rel", "cooldown": 0, "min_lr": 0.0, "eps": 1e-8, "semantics": "torch"}  # fmt: skip
    assert from_config(old) == Plateau() and Plateau().start_lr is None
    for bad, kind in ((-0.1, ValueError), (float("nan"), ValueError), ("0.1", TypeError), (True, TypeError)):
        with pytest.raises(kind, match="start_lr"):
            Plateau(start_lr=bad)
