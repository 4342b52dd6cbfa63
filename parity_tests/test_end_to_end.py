"""The same small float64 model trained 100 steps in torch and in paddle under one lrparity schedule.

Same initial weights, same data, SGD with momentum and Adam: the lr applied at every step is identical (torch's
``param_groups[0]["lr"]`` == paddle's ``optimizer.get_lr()``, both float64 from the core) and the final weights
agree to rtol 1e-5 (paddle feeds the optimizer float32(lr), torch the float64 value; Adam's arithmetic order
also differs by ulps).
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
paddle = pytest.importorskip("paddle")

import lrparity  # noqa: E402
from parity_tests._cases import warmup_cosine_and_one_cycle  # noqa: E402

STEPS = 100
SCHEDULES = warmup_cosine_and_one_cycle(STEPS, warmup=10, peak=0.05, start_lr=0.0)


def _data():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 4))
    y = np.sin(x @ rng.standard_normal((4, 1)))
    w1 = rng.standard_normal((4, 8)) * 0.5
    b1 = rng.standard_normal(8) * 0.1
    w2 = rng.standard_normal((8, 1)) * 0.5
    b2 = np.zeros(1)
    return x, y, [w1, b1, w2, b2]


def _train(fw, xt, yt, params, opt, sched, zero_grad, get_lr):
    """STEPS steps of the two-layer tanh model in framework ``fw``; returns the lr applied at each step."""
    lrs = []
    for _ in range(STEPS):
        w1, b1, w2, b2 = params
        loss = ((fw.tanh(xt @ w1 + b1) @ w2 + b2 - yt) ** 2).mean()
        zero_grad()
        loss.backward()
        lrs.append(get_lr())
        opt.step()
        sched.step()
    return lrs


def _train_torch(opt_name, schedule, base):
    x, y, init = _data()
    params = [torch.nn.Parameter(torch.tensor(a, dtype=torch.float64)) for a in init]
    lr0 = base if base is not None else 0.05
    if opt_name == "sgd":
        opt = torch.optim.SGD(params, lr=lr0, momentum=0.9)
    else:
        opt = torch.optim.Adam(params, lr=lr0)
    sched = lrparity.torch_scheduler(schedule, opt)
    lrs = _train(
        torch, torch.tensor(x), torch.tensor(y), params, opt, sched, opt.zero_grad, lambda: opt.param_groups[0]["lr"]
    )
    return lrs, [p.detach().numpy().copy() for p in params]


def _train_paddle(opt_name, schedule, base):
    x, y, init = _data()
    paddle.disable_static()
    params = []
    for a in init:
        p = paddle.create_parameter(list(a.shape), "float64")
        p.set_value(a)
        params.append(p)
    sched = lrparity.paddle_scheduler(schedule, base)
    if opt_name == "sgd":
        opt = paddle.optimizer.Momentum(learning_rate=sched, momentum=0.9, parameters=params)
    else:
        opt = paddle.optimizer.Adam(learning_rate=sched, parameters=params)
    xt, yt = paddle.to_tensor(x), paddle.to_tensor(y)
    lrs = _train(paddle, xt, yt, params, opt, sched, opt.clear_grad, opt.get_lr)
    return lrs, [p.numpy().copy() for p in params]


@pytest.mark.parametrize("opt_name", ["sgd", "adam"])
@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_same_training_in_both_frameworks(name, opt_name):
    schedule, base = SCHEDULES[name]
    t_lrs, t_w = _train_torch(opt_name, schedule, base)
    p_lrs, p_w = _train_paddle(opt_name, schedule, base)
    assert t_lrs == p_lrs == schedule.values(range(STEPS), base).tolist()
    _, init = _data()[:2], _data()[2]
    moved = max(float(np.max(np.abs(a - b))) for a, b in zip(t_w, init))
    assert moved > 1e-3, "training must actually move the weights"
    for a, b in zip(t_w, p_w):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-9)
