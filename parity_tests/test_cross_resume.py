"""Cross-framework resume: a state saved by one backend restores the other, bit-identically, at every step.

``paddle_sched.set_state_dict(torch_sched.state_dict())`` and ``torch_sched.load_state_dict(
paddle_sched.state_dict())`` go through the neutral state format (step, schedule config, plateau state); the
continuation is compared with an uninterrupted run at every step, for a warmup+cosine and a one-cycle schedule
saved at every step k = 0 .. N.
"""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")
paddle = pytest.importorskip("paddle")

import lrparity  # noqa: E402
from lrparity import Cosine, Plateau, Warmup  # noqa: E402
from parity_tests._cases import warmup_cosine_and_one_cycle  # noqa: E402
from tests.helpers import torch_sgd  # noqa: E402

N = 120
CASES = warmup_cosine_and_one_cycle(N, warmup=20, peak=0.1, start_lr=0.001)


def _torch(schedule, base):
    opt = torch_sgd(base or 0.1, dtype=torch.float64)
    return opt, lrparity.torch_scheduler(schedule, opt)


def _paddle(schedule, base):
    return lrparity.paddle_scheduler(schedule, base)


def _neutral(state):
    """What crosses the framework boundary: the neutral keys, through JSON (as a checkpoint would)."""
    return json.loads(json.dumps({k: state[k] for k in ("lrparity", "step", "schedule", "plateau")}))


def _torch_run(opt, sched, n):
    out = []
    for _ in range(n):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return out


def _paddle_run(sched, n):
    out = []
    for _ in range(n):
        out.append(sched())
        sched.step()
    return out


@pytest.mark.parametrize("name", sorted(CASES))
def test_torch_to_paddle_every_step(name):
    schedule, base = CASES[name]
    full = _paddle_run(_paddle(schedule, base), N)
    assert full == schedule.values(range(N), base).tolist()
    opt, src = _torch(schedule, base)
    for k in range(N + 1):
        state = src.state_dict()
        assert state["step"] == k
        dst = _paddle(schedule, base)
        dst.set_state_dict(copy.deepcopy(state))
        assert _paddle_run(dst, N - k) == full[k:], f"{name}: paddle resumed from torch at step {k}"
        dst = _paddle(schedule, base)
        dst.set_state_dict(_neutral(state))
        assert _paddle_run(dst, N - k) == full[k:], f"{name}: neutral keys only, step {k}"
        if k < N:
            _torch_run(opt, src, 1)


@pytest.mark.parametrize("name", sorted(CASES))
def test_paddle_to_torch_every_step(name):
    schedule, base = CASES[name]
    opt, ref = _torch(schedule, base)
    full = _torch_run(opt, ref, N)
    assert full == schedule.values(range(N), base).tolist()
    src = _paddle(schedule, base)
    for k in range(N + 1):
        state = src.state_dict()
        assert state["step"] == k
        opt, dst = _torch(schedule, base)
        dst.load_state_dict(_neutral(state))
        assert _torch_run(opt, dst, N - k) == full[k:], f"{name}: torch resumed from paddle at step {k}"
        if k < N:
            src.step()


def test_mismatched_schedule_is_refused_both_ways():
    schedule, base = CASES["warmup_cosine"]
    other = Warmup(Cosine(101), 20, start_lr=0.001, end_lr=0.1)
    _, t_sched = _torch(schedule, base)
    p_sched = _paddle(other, base)
    before = p_sched.state_dict()
    with pytest.raises(ValueError, match=r"(?i)schedule"):
        p_sched.set_state_dict(t_sched.state_dict())
    assert p_sched.state_dict() == before
    _, t_sched = _torch(other, base)
    with pytest.raises(ValueError, match=r"(?i)schedule"):
        t_sched.load_state_dict(_paddle(schedule, base).state_dict())


def _metrics(n):
    rng = np.random.default_rng(3)
    level, out = 1.0, []
    for k in range(n):
        level *= 0.95 if (k // 15) % 2 == 0 else 1.0
        out.append(float(level * (1 + 1e-3 * rng.standard_normal())))
    return out


@pytest.mark.parametrize("semantics", ["torch", "paddle"])
def test_plateau_state_crosses(semantics):
    plateau = Plateau(patience=3, cooldown=2, factor=0.5, semantics=semantics)
    metrics = _metrics(90)
    # uninterrupted, in paddle
    full = []
    ref = lrparity.paddle_scheduler(plateau, 0.1)
    for m in metrics:
        full.append(ref())
        ref.step(m)
    assert len(set(full)) > 3, "the metric sequence must trigger reductions"
    for k in (0, 7, 20, 33, 50, 89):
        opt = torch_sgd(0.1, dtype=torch.float64)
        t_sched = lrparity.torch_scheduler(plateau, opt)
        for m in metrics[:k]:
            t_sched.step(m)
        p_sched = lrparity.paddle_scheduler(plateau, 0.1)
        p_sched.set_state_dict(_neutral(t_sched.state_dict()))
        tail = []
        for m in metrics[k:]:
            tail.append(p_sched())
            p_sched.step(m)
        assert tail == full[k:], f"plateau ({semantics}) torch -> paddle at step {k}"
        opt2 = torch_sgd(0.1, dtype=torch.float64)
        t2 = lrparity.torch_scheduler(plateau, opt2)
        t2.load_state_dict(_neutral(t_sched.state_dict()))
        tail = []
        for m in metrics[k:]:
            tail.append(opt2.param_groups[0]["lr"])
            t2.step(m)
        assert tail == full[k:], f"plateau ({semantics}) torch -> torch at step {k}"
