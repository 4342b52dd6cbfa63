"""Unit tests of the paddle backend: the LRScheduler API, validation, state, param groups, the field hooks."""

from __future__ import annotations

import math
import subprocess
import sys
import warnings

import numpy as np
import pytest

paddle = pytest.importorskip("paddle")

from paddle.optimizer import lr as L  # noqa: E402

import lrparity  # noqa: E402
from lrparity import (  # noqa: E402
    Chain,
    Constant,
    Cosine,
    Cyclic,
    Lambda,
    Noise,
    OneCycle,
    PerGroup,
    Piecewise,
    Plateau,
    Sequence,
    Shift,
    Step,
    Warmup,
    WithBaseLR,
)
from lrparity.backends.paddle import (  # noqa: E402
    FieldHook,
    ForeignWriteWarning,
    MomentumHook,
    PlateauScheduler,
    Scheduler,
    from_native,
    paddle_scheduler,
)

pytestmark = pytest.mark.paddle

WARM_COS = Warmup(Cosine(T_max=90), warmup_steps=10, start_factor=0.0)


def _lambda_fn(t: int) -> float:
    return 0.5 ** (t // 3)


def lrs(sched, n):
    out = [sched()]
    for _ in range(n - 1):
        sched.step()
        out.append(sched())
    return out


@pytest.fixture(autouse=True)
def _dygraph():
    paddle.disable_static()
    yield
    paddle.disable_static()


# ------------------------------------------------------------------------------------------------------------
# the LRScheduler API
# ------------------------------------------------------------------------------------------------------------
def test_import_lrparity_does_not_import_paddle():
    code = "import lrparity, sys; assert 'paddle' not in sys.modules and 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_is_a_paddle_lr_scheduler_with_its_api():
    sched = lrparity.paddle_scheduler(WARM_COS, learning_rate=0.1)
    assert isinstance(sched, L.LRScheduler) and isinstance(sched, Scheduler)
    assert sched.last_epoch == 0 and sched() == sched.last_lr == 0.0 == sched.get_lr()
    assert sched.base_lr == 0.1
    for t in range(1, 150):
        sched.step()
        assert sched.last_epoch == t
        assert sched() == sched.last_lr == sched.get_lr() == WARM_COS.value(t, 0.1)
    sched.step(7)  # jump, as paddle's step(epoch)
    assert (sched.last_epoch, sched()) == (7, WARM_COS.value(7, 0.1))


@pytest.mark.parametrize("opt_name", ["SGD", "Momentum", "Adam", "AdamW", "RMSProp", "Adagrad", "Lamb"])
def test_every_optimizer_accepts_it_and_reads_it(opt_name):
    sched = paddle_scheduler(WARM_COS, 0.1)
    layer = paddle.nn.Linear(3, 2)
    opt = getattr(paddle.optimizer, opt_name)(learning_rate=sched, parameters=layer.parameters())
    x = paddle.ones([4, 3])
    for t in range(12):
        layer(x).sum().backward()
        opt.step()
        opt.clear_grad()
        assert opt.get_lr() == WARM_COS.value(t, 0.1)
        assert float(opt._global_learning_rate()) == float(np.float32(WARM_COS.value(t, 0.1)))
        sched.step()


def test_learning_rate_rules():
    with pytest.raises(ValueError, match=r"Cosine is relative.*learning_rate"):
        paddle_scheduler(Cosine(T_max=10))
    with pytest.raises(ValueError, match=r"OneCycle is absolute.*learning_rate=0.1 would be ignored"):
        paddle_scheduler(OneCycle(max_lr=0.1, total_steps=10), learning_rate=0.1)
    with pytest.raises(ValueError, match=r"learning_rate must be in \[0.0, inf\], got -0.1"):
        paddle_scheduler(Cosine(T_max=10), learning_rate=-0.1)
    with pytest.raises(TypeError, match="learning_rate must be a real number"):
        paddle_scheduler(Cosine(T_max=10), learning_rate="0.1")
    with pytest.raises(TypeError, match="learning_rate must be a real number"):
        paddle_scheduler(Cosine(T_max=10), learning_rate=True)
    sched = paddle_scheduler(Cosine(T_max=10), learning_rate=np.float32(0.5))  # paddle itself refuses numpy floats
    assert sched.base_lr == 0.5 and type(sched.base_lr) is float
    pinned = paddle_scheduler(WithBaseLR(Cosine(T_max=10), 0.2))
    assert pinned() == 0.2 and pinned.base_lr == 0.2
    one = paddle_scheduler(OneCycle(max_lr=0.1, total_steps=10))
    assert one.base_lr == one() == OneCycle(max_lr=0.1, total_steps=10).value(0)  # absolute: the lr at step 0


def test_schedule_argument_rules():
    with pytest.raises(ValueError, match=r"PerGroup has 2 schedules.*'learning_rate': multiplier"):
        paddle_scheduler(PerGroup([Cosine(T_max=5), Cosine(T_max=6)]), learning_rate=0.1)
    with pytest.raises(TypeError, match="lrparity Schedule"):
        Scheduler(L.StepDecay(0.1, 3), learning_rate=0.1)
    with pytest.raises(TypeError, match="not a step schedule"):
        Scheduler(Plateau(), learning_rate=0.1)
    with pytest.raises(ValueError, match="last_epoch must be an int >= -1"):
        paddle_scheduler(Cosine(T_max=5), 0.1, last_epoch=-2)
    with pytest.raises(ValueError, match="a Plateau starts at step 0"):
        paddle_scheduler(Plateau(), 0.1, last_epoch=3)
    sched = paddle_scheduler(Cosine(T_max=5).to_config(), 0.1)  # a config dict
    assert sched.schedule == Cosine(T_max=5)


def test_step_epoch_validation():
    sched = paddle_scheduler(Cosine(T_max=5), 0.1)
    with pytest.raises(ValueError, match="epoch must be an int >= 0"):
        sched.step(-1)
    with pytest.raises(TypeError, match="epoch must be an int"):
        sched.step(2.0)
    assert sched.last_epoch == 0


def test_last_epoch_resumes_exactly():
    fresh = paddle_scheduler(WARM_COS, 0.1)
    full = lrs(fresh, 200)
    for k in (0, 5, 9, 10, 99, 150):
        resumed = paddle_scheduler(WARM_COS, 0.1, last_epoch=k)
        assert resumed.last_epoch == k + 1
        assert lrs(resumed, 200 - k - 1) == full[k + 1 :]


def test_verbose_prints(capsys):
    sched = paddle_scheduler(Step(step_size=1, gamma=0.5), 1.0, verbose=True)
    sched.step()
    assert "Epoch 1: Scheduler set learning rate to 0.5." in capsys.readouterr().out


# ------------------------------------------------------------------------------------------------------------
# the value cache: identical to schedule.value, including jumps, ends and errors
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "schedule, base",
    [
        (WARM_COS, 0.1),
        (OneCycle(max_lr=0.1, total_steps=300, three_phase=True), None),
        (lrparity.CosineRestarts(T_0=7, T_mult=3), 0.1),
        (lrparity.Noise(Cosine(T_max=500), pct=0.2, seed=3), 0.1),
        (lrparity.Multiplicative(_lambda_fn), 0.1),
        (Lambda(_lambda_fn), 0.1),
    ],
    ids=["warmup", "onecycle", "cawr", "noise", "multiplicative", "lambda"],
)
def test_cache_is_bit_identical_to_value(schedule, base):
    n = 301 if isinstance(schedule, OneCycle) else 2000
    cached, plain = paddle_scheduler(schedule, base), paddle_scheduler(schedule, base, cache=False)
    expected = [schedule.value(t, base) for t in range(n)]
    assert lrs(cached, n) == lrs(plain, n) == expected
    for t in (17, 3, n - 1, 0, 1000 % n, 5):  # jumps back and forth
        cached.step(t)
        assert cached() == expected[t]


@pytest.mark.parametrize("total", [1, 255, 256, 300, 1000, 5000])
def test_cache_stops_where_the_schedule_ends(total):
    sched = paddle_scheduler(OneCycle(max_lr=0.1, total_steps=total))
    values = lrs(sched, total + 1)
    assert values == OneCycle(max_lr=0.1, total_steps=total).values(range(total + 1)).tolist()
    with pytest.raises(ValueError, match=f"step {total + 1} is past the end"):
        sched.step()


def test_cache_and_scalar_path_agree_through_overflow():
    schedule = lrparity.Exponential(gamma=1.5)
    sched = paddle_scheduler(schedule, 1.0)
    assert schedule.value(1760, 1.0) == math.inf  # a growing schedule overflows to inf, as torch's recursion does
    for t in range(1000, 1900, 150):
        sched.step(t)
        assert sched() == schedule.value(t, 1.0)


# ------------------------------------------------------------------------------------------------------------
# state
# ------------------------------------------------------------------------------------------------------------
def test_state_dict_is_the_neutral_format():
    sched = paddle_scheduler(WARM_COS, 0.1)
    for _ in range(13):
        sched.step()
    state = sched.state_dict()
    assert state == {
        "lrparity": 1,
        "step": 13,
        "schedule": WARM_COS.to_config(),
        "plateau": None,
        "learning_rate": 0.1,
        "last_epoch": 13,
        "last_lr": WARM_COS.value(13, 0.1),
    }
    other = paddle_scheduler(WARM_COS, 0.1)
    other.set_state_dict({k: state[k] for k in ("lrparity", "step", "schedule", "plateau")})  # neutral keys only
    assert (other.last_epoch, other()) == (13, sched())
    assert lrs(other, 50) == lrs(sched, 50)


def test_set_dict_alias_and_resume_every_step():
    full = lrs(paddle_scheduler(WARM_COS, 0.1), 120)
    src = paddle_scheduler(WARM_COS, 0.1)
    for k in range(119):
        dst = paddle_scheduler(WARM_COS, 0.1)
        dst.set_dict(src.state_dict())
        assert lrs(dst, 120 - k) == full[k:]
        src.step()


@pytest.mark.parametrize(
    "state, match",
    [
        ({"last_epoch": 7, "last_lr": 0.1}, r"native paddle scheduler's state.*last_epoch=6"),
        ({"lrparity": 2, "step": 1, "schedule": None, "plateau": None}, "version 2"),
        ({"lrparity": 1, "step": 3}, r"lacks the key\(s\) \['plateau', 'schedule'\]"),
        ({"lrparity": 1, "step": -1, "schedule": WARM_COS.to_config(), "plateau": None}, "int >= 0"),
        ({"lrparity": 1, "step": 3, "schedule": Cosine(T_max=90).to_config(), "plateau": None}, "different schedule"),
        (
            {"lrparity": 1, "step": 3, "schedule": WARM_COS.to_config(), "plateau": None, "learning_rate": 0.2},
            "learning_rate=0.2",
        ),
        (
            {"lrparity": 1, "step": 3, "schedule": WARM_COS.to_config(), "plateau": {"lrs": [0.1]}},
            "holds a plateau state",
        ),
    ],
    ids=["native", "version", "missing", "negative", "schedule", "base", "plateau"],
)
def test_mismatched_state_raises_and_changes_nothing(state, match):
    sched = paddle_scheduler(WARM_COS, 0.1)
    for _ in range(5):
        sched.step()
    before = sched.state_dict()
    with pytest.raises(ValueError, match=match):
        sched.set_state_dict(state)
    assert sched.state_dict() == before


def test_mismatch_message_names_both_schedules():
    sched = paddle_scheduler(Cosine(T_max=100), 0.1)
    state = paddle_scheduler(Cosine(T_max=50), 0.1).state_dict()
    with pytest.raises(ValueError) as info:
        sched.set_state_dict(state)
    assert "'T_max': 50" in str(info.value) and "'T_max': 100" in str(info.value)


def test_lambda_schedules_save_without_a_config():
    sched = paddle_scheduler(Lambda(lambda t: 0.9**t), 0.1)
    sched.step()
    state = sched.state_dict()
    assert state["schedule"] is None
    other = paddle_scheduler(Lambda(lambda t: 0.9**t), 0.1)
    other.set_state_dict(state)
    assert other.last_epoch == 1
    with pytest.raises(ValueError, match="cannot match the schedules"):
        paddle_scheduler(Cosine(T_max=5), 0.1).set_state_dict(state)
    with pytest.raises(ValueError, match="unsaveable"):
        other.set_state_dict(paddle_scheduler(Cosine(T_max=5), 0.1).state_dict())
    module_fn = paddle_scheduler(Lambda(_lambda_fn), 0.1).state_dict()
    assert module_fn["schedule"] == {"type": "lambda.v1", "fn": {"callable": f"{__name__}:_lambda_fn"}}


def test_optimizer_state_dict_round_trips_through_paddle_save(tmp_path):
    layer = paddle.nn.Linear(2, 1)
    sched = paddle_scheduler(WARM_COS, 0.1)
    opt = paddle.optimizer.Adam(learning_rate=sched, parameters=layer.parameters())
    for _ in range(9):
        layer(paddle.ones([1, 2])).sum().backward()
        opt.step()
        opt.clear_grad()
        sched.step()
    paddle.save(opt.state_dict(), str(tmp_path / "opt.pdopt"))
    loaded = paddle.load(str(tmp_path / "opt.pdopt"))
    assert loaded["LR_Scheduler"]["step"] == 9
    sched2 = paddle_scheduler(WARM_COS, 0.1)
    opt2 = paddle.optimizer.Adam(learning_rate=sched2, parameters=layer.parameters())
    opt2.set_state_dict(loaded)
    assert (sched2.last_epoch, sched2()) == (9, sched())
    bad = paddle_scheduler(Cosine(T_max=3), 0.1)
    opt3 = paddle.optimizer.SGD(learning_rate=bad, parameters=layer.parameters())
    with pytest.raises(ValueError, match="different schedule"):
        opt3.set_state_dict(loaded)


# ------------------------------------------------------------------------------------------------------------
# param-group multipliers
# ------------------------------------------------------------------------------------------------------------
def test_param_group_multipliers_apply_m_times_the_schedule():
    w1 = paddle.create_parameter([1], "float32", default_initializer=paddle.nn.initializer.Constant(0.0))
    w2 = paddle.create_parameter([1], "float32", default_initializer=paddle.nn.initializer.Constant(0.0))
    sched = paddle_scheduler(WARM_COS, 0.1)
    groups = [{"params": [w1]}, {"params": [w2], "learning_rate": 0.3}]
    opt = paddle.optimizer.SGD(learning_rate=sched, parameters=groups)
    for t in range(40):
        for w in (w1, w2):
            w.set_value(np.zeros([1], np.float32))
        (w1.sum() + w2.sum()).backward()  # d/dw = 1: SGD moves each weight by -(its lr)
        opt.step()
        opt.clear_grad()
        lr32 = np.float32(WARM_COS.value(t, 0.1))
        assert -float(w1.numpy()[0]) == float(lr32)
        assert -float(w2.numpy()[0]) == float(lr32 * np.float32(0.3))  # paddle: float32 lr tensor * m
        sched.step()


# ------------------------------------------------------------------------------------------------------------
# reduce on plateau
# ------------------------------------------------------------------------------------------------------------
def test_plateau_scheduler():
    plateau = Plateau(patience=1, semantics="paddle")
    sched = paddle_scheduler(plateau, learning_rate=0.1)
    assert isinstance(sched, PlateauScheduler) and isinstance(sched, L.ReduceOnPlateau)
    assert (sched(), sched.last_epoch, sched.best) == (0.1, 0, None)
    for m in [1.0, 1.0, 1.0]:
        sched.step(m)
    assert sched() == sched.get_lr() == 0.1 * 0.1 and sched.last_epoch == 3
    sched.step(np.array([0.5]))
    sched.step(paddle.to_tensor([0.4], dtype="float32"))
    assert sched.best == pytest.approx(0.4) and sched.num_bad_epochs == 0
    with pytest.raises(TypeError, match="metrics must be a number"):
        sched.step("0.3")
    with pytest.raises(ValueError, match="exactly one value"):
        sched.step(np.array([0.3, 0.2]))
    assert sched.last_epoch == 5
    with pytest.raises(ValueError, match="needs learning_rate"):
        paddle_scheduler(plateau)


def test_plateau_state_round_trip_and_mismatch():
    plateau = Plateau(patience=2, cooldown=1, semantics="paddle")
    metrics = [1.0, 0.9, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8]
    full = paddle_scheduler(plateau, 0.1)
    ref = []
    for m in metrics:
        full.step(m)
        ref.append(full())
    src = paddle_scheduler(plateau, 0.1)
    for m in metrics[:4]:
        src.step(m)
    state = src.state_dict()
    assert state["plateau"] == src.state.to_dict() and state["step"] == 4
    assert {"cooldown_counter", "best", "num_bad_epochs", "last_epoch", "last_lr"} <= set(state)
    dst = paddle_scheduler(plateau, 0.1)
    dst.set_state_dict({k: state[k] for k in ("lrparity", "step", "schedule", "plateau")})
    tail = []
    for m in metrics[4:]:
        dst.step(m)
        tail.append(dst())
    assert tail == ref[4:]
    other = paddle_scheduler(Plateau(patience=3, semantics="paddle"), 0.1)
    before = other.state_dict()
    with pytest.raises(ValueError, match="different schedule"):
        other.set_state_dict(state)
    with pytest.raises(ValueError, match="holds no plateau state"):
        dst.set_state_dict(paddle_scheduler(Cosine(T_max=5), 0.1).state_dict() | {"schedule": state["schedule"]})
    with pytest.raises(ValueError, match="disagrees"):
        dst.set_state_dict(state | {"step": 3})
    two = state | {"plateau": state["plateau"] | {"lrs": [0.1, 0.2]}}
    with pytest.raises(ValueError, match="holds 2 lrs"):
        dst.set_state_dict(two)
    assert other.state_dict() == before


def test_plateau_epoch_argument():
    sched = paddle_scheduler(Plateau(semantics="paddle"), 0.1)
    sched.step(1.0, epoch=40)
    assert sched.last_epoch == 40 and sched.state.last_epoch == 40


# ------------------------------------------------------------------------------------------------------------
# momentum / beta1
# ------------------------------------------------------------------------------------------------------------
ONE_CYCLE_M = OneCycle(max_lr=0.05, total_steps=30, cycle_momentum=True)


@pytest.mark.filterwarnings("error::lrparity.backends.paddle.ForeignWriteWarning")
def test_momentum_hook_drives_paddle_momentum_update():
    w = paddle.create_parameter([3], "float32", default_initializer=paddle.nn.initializer.Constant(1.0))
    sched = paddle_scheduler(ONE_CYCLE_M)
    opt = paddle.optimizer.Momentum(learning_rate=sched, momentum=0.5, parameters=[w])
    hook = sched.attach_momentum(opt)
    mom = ONE_CYCLE_M.companions()["momentum"]
    g = np.array([1.0, -2.0, 0.5], np.float32)
    p, v = np.ones(3, np.float32), np.zeros(3, np.float32)
    for t in range(30):
        assert opt._momentum == mom.value(t) == hook.schedule.value(t)
        (w * paddle.to_tensor(g)).sum().backward()
        opt.step()
        opt.clear_grad()
        mu, lr = np.float32(mom.value(t)), np.float32(ONE_CYCLE_M.value(t))
        v = mu * v + g  # paddle's (and torch SGD's, dampening 0) momentum rule
        p = p - lr * v
        np.testing.assert_allclose(w.numpy(), p, rtol=2e-7, atol=1e-8)
        sched.step()
    # without the hook the update differs: the hook is what moves momentum
    w0 = paddle.create_parameter([3], "float32", default_initializer=paddle.nn.initializer.Constant(1.0))
    sched0 = paddle_scheduler(ONE_CYCLE_M)
    opt0 = paddle.optimizer.Momentum(learning_rate=sched0, momentum=0.5, parameters=[w0])
    for _ in range(30):
        (w0 * paddle.to_tensor(g)).sum().backward()
        opt0.step()
        opt0.clear_grad()
        sched0.step()
    assert np.abs(w0.numpy() - p).max() > 1e-3


@pytest.mark.filterwarnings("error::lrparity.backends.paddle.ForeignWriteWarning")
@pytest.mark.parametrize("beta1", [0.9, "tensor"])
@pytest.mark.parametrize("opt_name", ["Adam", "AdamW"])
def test_momentum_hook_drives_adam_beta1(opt_name, beta1):
    w = paddle.create_parameter([2], "float32", default_initializer=paddle.nn.initializer.Constant(1.0))
    sched = paddle_scheduler(ONE_CYCLE_M)
    b1 = paddle.to_tensor([0.9], dtype="float32") if beta1 == "tensor" else beta1
    groups = [{"params": [w], "weight_decay": 0.0}]
    opt = getattr(paddle.optimizer, opt_name)(learning_rate=sched, beta1=b1, parameters=groups)
    sched.attach_momentum(opt)
    mom = ONE_CYCLE_M.companions()["momentum"]
    g = np.array([1.0, -3.0], np.float32)
    m1 = np.zeros(2, np.float32)
    prod = np.float32(0.9 if beta1 == "tensor" else mom.value(0))  # paddle starts beta1_pow at beta1 (0.9: a Tensor)
    for t in range(30):
        beta = opt._beta1
        got = float(beta.numpy().ravel()[0]) if isinstance(beta, paddle.Tensor) else beta
        assert got == pytest.approx(mom.value(t), rel=1e-7)
        assert opt._param_groups[0]["beta1"] is beta
        (w * paddle.to_tensor(g)).sum().backward()
        opt.step()
        opt.clear_grad()
        b = np.float32(mom.value(t))
        m1 = b * m1 + (np.float32(1) - b) * g
        prod = prod * b
        acc = opt._accumulators
        np.testing.assert_allclose(acc["moment1"][w.name].numpy(), m1, rtol=1e-6)
        # paddle's bias correction uses the running product of the beta1 values (torch: beta1_t ** t)
        np.testing.assert_allclose(acc["beta1_pow_acc"][w.name].numpy(), [prod], rtol=1e-6)
        sched.step()


def test_momentum_hook_torch_bias_correction():
    w = paddle.create_parameter([2], "float32", default_initializer=paddle.nn.initializer.Constant(1.0))
    sched = paddle_scheduler(ONE_CYCLE_M)
    opt = paddle.optimizer.AdamW(learning_rate=sched, parameters=[w], weight_decay=0.0)
    sched.attach_momentum(opt, bias_correction="torch")
    mom = ONE_CYCLE_M.companions()["momentum"]
    for t in range(30):
        (w * 2.0).sum().backward()
        if t:  # before optimizer step t + 1, the accumulator holds torch's beta1_t ** (t + 1)
            acc = opt._accumulators["beta1_pow_acc"][w.name]
            assert float(acc.numpy().ravel()[0]) == float(np.float32(mom.value(t) ** (t + 1)))
        opt.step()
        opt.clear_grad()
        sched.step()
    with pytest.raises(ValueError, match=r"bias_correction='torch' needs paddle\.optimizer\.Adam or AdamW"):
        sched.attach_momentum(paddle.optimizer.Lamb(learning_rate=sched, parameters=[w]), bias_correction="torch")
    with pytest.raises(ValueError, match="bias_correction must be one of"):
        sched.attach_momentum(opt, bias_correction="keras")


def test_momentum_hook_errors():
    w = paddle.create_parameter([1], "float32")
    sched = paddle_scheduler(WARM_COS, 0.1)
    opt = paddle.optimizer.Momentum(learning_rate=sched, parameters=[w])
    with pytest.raises(ValueError, match="no momentum companion"):
        sched.attach_momentum(opt)
    with pytest.raises(TypeError, match=r"optimizer must be paddle\.optimizer\.Momentum or an Adam-family"):
        MomentumHook(paddle.optimizer.SGD(learning_rate=0.1, parameters=[w]), Constant())
    with pytest.raises(TypeError, match="lrparity Schedule"):
        MomentumHook(opt, 0.9)
    hook = sched.attach_momentum(opt, WithBaseLR(Constant(), 0.7))  # an explicit schedule
    assert opt._momentum == 0.7 and isinstance(hook, MomentumHook)
    paddle.enable_static()
    try:
        with pytest.raises(RuntimeError, match="dygraph only"):
            MomentumHook(opt, Constant())
    finally:
        paddle.disable_static()


def test_momentum_hook_follows_set_state_dict():
    w = paddle.create_parameter([1], "float32")
    sched = paddle_scheduler(ONE_CYCLE_M)
    opt = paddle.optimizer.Momentum(learning_rate=sched, parameters=[w])
    sched.attach_momentum(opt)
    state = paddle_scheduler(ONE_CYCLE_M)
    for _ in range(12):
        state.step()
    sched.set_state_dict(state.state_dict())
    assert opt._momentum == ONE_CYCLE_M.companions()["momentum"].value(12)


def _two_groups(opt_name: str, **kw):
    """A dygraph optimizer built with two param groups (parameters of ones) on a constant lr 0.1."""
    w1 = paddle.create_parameter([2], "float32", default_initializer=paddle.nn.initializer.Constant(1.0))
    w2 = paddle.create_parameter([2], "float32", default_initializer=paddle.nn.initializer.Constant(1.0))
    sched = paddle_scheduler(WithBaseLR(Constant(), 0.1))
    groups = [{"params": [w1]}, {"params": [w2]}]
    return sched, getattr(paddle.optimizer, opt_name)(learning_rate=sched, parameters=groups, **kw), (w1, w2)


@pytest.mark.filterwarnings("error::lrparity.backends.paddle.ForeignWriteWarning")
def test_attach_fields_drives_adamw_weight_decay_per_group_and_paddle_applies_it():
    sched, opt, (w1, w2) = _two_groups("AdamW", weight_decay=0.0)
    decay = PerGroup([WithBaseLR(Step(2, 0.5), 0.2), WithBaseLR(Constant(), 0.05)])
    hook = sched.attach_fields(opt, {"weight_decay": decay})
    assert isinstance(hook, FieldHook) and hook.driven == {"weight_decay"}
    p1, p2 = np.ones(2, np.float32), np.ones(2, np.float32)
    for t in range(6):
        wd = [decay.for_group(i).value(t) for i in range(2)]
        assert [g["weight_decay"] for g in opt._param_groups] == wd
        ((w1 + w2) * 0.0).sum().backward()  # zero gradients: AdamW only decays, p <- p * (1 - lr * wd)
        opt.step()
        opt.clear_grad()
        p1, p2 = p1 * (np.float32(1) - np.float32(0.1) * np.float32(wd[0])), p2 * (1 - np.float32(0.1 * wd[1]))
        np.testing.assert_allclose(w1.numpy(), p1, rtol=1e-6)
        np.testing.assert_allclose(w2.numpy(), p2, rtol=1e-6)
        sched.step()


def test_attach_fields_relative_schedules_scale_the_value_they_find_and_are_computed_once():
    sched, opt, _ = _two_groups("Adam", beta2=0.99)
    hook = sched.attach_fields(opt, {"beta2": Step(3, 0.5), "epsilon": WithBaseLR(Constant(), 1e-6)})
    assert hook.driven == {"beta2", "epsilon"}
    assert len(hook._table.tracks) == 2  # one track per distinct (schedule, base), whatever the number of groups
    for t in range(7):
        assert opt._beta2 == opt._default_dict["beta2"] == Step(3, 0.5).value(t, 0.99)
        assert [g["beta2"] for g in opt._param_groups] == [Step(3, 0.5).value(t, 0.99)] * 2
        assert [g["epsilon"] for g in opt._param_groups] == [1e-6, 1e-6]
        sched.step()
    state = sched.state_dict()
    sched.set_state_dict(state | {"step": 1, "last_epoch": 1})
    assert opt._beta2 == 0.99  # the hook follows a jump


def test_attach_fields_momentum_is_beta1_on_adam_and_defaults_to_the_companions():
    w = paddle.create_parameter([2], "float32")
    sched = paddle_scheduler(ONE_CYCLE_M)
    opt = paddle.optimizer.Adam(learning_rate=sched, parameters=[w])
    hook = sched.attach_fields(opt)  # the OneCycle's momentum companion, as attach_momentum
    assert hook.fields == {"beta1": ONE_CYCLE_M.companions()["momentum"]}
    assert opt._beta1 == ONE_CYCLE_M.companions()["momentum"].value(0)
    with pytest.raises(ValueError, match="this scheduler already drives this optimizer's beta1"):
        sched.attach_momentum(opt)
    with pytest.raises(ValueError, match="no companion"):
        paddle_scheduler(Step(3), 0.1).attach_fields(opt)


def test_attach_fields_refuses_what_paddle_would_ignore():
    w = paddle.create_parameter([2], "float32")
    sgd = paddle.optimizer.SGD(learning_rate=0.1, parameters=[w], weight_decay=0.01)
    with pytest.raises(ValueError, match=r"SGD does not read 'weight_decay' .* silently ignored; .*: none"):
        FieldHook(sgd, {"weight_decay": Constant()})
    momentum = paddle.optimizer.Momentum(learning_rate=0.1, parameters=[w])
    with pytest.raises(ValueError, match=r"the fields it does read: 'momentum', 'rescale_grad'"):
        FieldHook(momentum, {"beta1": Constant()})
    with pytest.raises(ValueError, match="the lr is the scheduler's own value"):
        FieldHook(momentum, {"lr": Constant()})
    with pytest.raises(ValueError, match="PerGroup of 2 schedules but the optimizer has 1 param groups"):
        FieldHook(momentum, {"momentum": PerGroup([Constant(), Constant()])})
    with pytest.raises(TypeError, match=r"fields\['momentum'\] must be an lrparity Schedule"):
        FieldHook(momentum, {"momentum": 0.9})
    with pytest.raises(ValueError, match=r"bias_correction='torch' needs paddle\.optimizer\.Adam or AdamW"):
        FieldHook(momentum, {"momentum": Constant()}, bias_correction="torch")
    paddle.enable_static()
    try:
        with pytest.raises(RuntimeError, match="dygraph only"):
            FieldHook(momentum, {"momentum": Constant()})
    finally:
        paddle.disable_static()


def test_a_per_group_value_changed_by_other_code_is_reported():
    sched, opt, _ = _two_groups("Momentum", momentum=0.9)
    sched.attach_fields(opt, {"momentum": PerGroup([WithBaseLR(Constant(), 0.8), WithBaseLR(Constant(), 0.7)])})
    sched.step()
    opt._param_groups[1]["momentum"] = 0.5
    with pytest.warns(ForeignWriteWarning, match=r"optimizer\._param_groups\[1\]\['momentum'\] is 0\.5"):
        sched.step()
    assert [g["momentum"] for g in opt._param_groups] == [0.8, 0.7]


def test_torch_bias_correction_per_group():
    sched, opt, (w1, w2) = _two_groups("Adam")
    beta1 = PerGroup([WithBaseLR(Constant(), 0.8), WithBaseLR(Constant(), 0.6)])
    sched.attach_fields(opt, {"beta1": beta1}, bias_correction="torch")
    for t in range(4):
        ((w1 + w2) * 2.0).sum().backward()
        if t:
            acc = opt._accumulators["beta1_pow_acc"]
            assert float(acc[w1.name].numpy().ravel()[0]) == float(np.float32(0.8 ** (t + 1)))
            assert float(acc[w2.name].numpy().ravel()[0]) == float(np.float32(0.6 ** (t + 1)))
        opt.step()
        opt.clear_grad()
        sched.step()


# ------------------------------------------------------------------------------------------------------------
# from_native
# ------------------------------------------------------------------------------------------------------------
def test_from_native_table():
    assert lrparity.from_native(L.StepDecay(0.1, 30)) == WithBaseLR(Step(30), 0.1)
    assert from_native(L.PolynomialDecay(0.1, 10)) == WithBaseLR(lrparity.Polynomial(10, end_lr=1e-4), 0.1)
    assert from_native(L.LinearWarmup(0.1, 5, 0.0, 0.1)) == Warmup(WithBaseLR(Constant(), 0.1), 5, start_lr=0.0,
                                                                  end_lr=0.1)  # fmt: skip
    assert from_native(L.OneCycleLR(0.1, 100)) == OneCycle(max_lr=0.1, total_steps=100, end_lr=1e-4)
    assert from_native(L.PiecewiseDecay([5, 3, 8], [1, 2, 3, 4])) == lrparity.Piecewise([5, 8], [1, 3, 4])
    assert from_native(L.PiecewiseDecay([0], [1.0, 2.0])) == lrparity.Piecewise([0], [2.0, 2.0])
    plateau = Plateau(mode="max", eps=1e-3, semantics="paddle", start_lr=0.1)
    assert from_native(L.ReduceOnPlateau(0.1, "MAX", epsilon=1e-3)) == plateau
    cyc = from_native(L.CyclicLR(0.01, 0.1, 150, 250, "exp_range", 0.99))
    assert cyc == lrparity.Cyclic(0.01, 0.1, 150, 250, mode="exp_range", gamma=0.99)
    ours = paddle_scheduler(Cosine(T_max=5), 0.3)
    assert from_native(ours) == WithBaseLR(Cosine(T_max=5), 0.3)
    assert from_native(paddle_scheduler(Plateau(), 0.1)) == Plateau(start_lr=0.1)
    assert from_native(paddle_scheduler(Plateau(start_lr=0.2))) == Plateau(start_lr=0.2)


def test_from_native_refuses_subclasses_and_foreign_objects():
    class MyStep(L.StepDecay):
        def get_lr(self):
            return 1.0

    with pytest.raises(TypeError, match="not one of paddle's built-in schedulers"):
        from_native(object())
    message = r"MyStep is a subclass of paddle's StepDecay, and a subclass may override get_lr\(\); convert its base"
    with pytest.raises(TypeError, match=message):
        from_native(MyStep(0.1, 3))
    with pytest.raises(TypeError, match=message):
        lrparity.from_native(MyStep(0.1, 3))
    with pytest.raises(ValueError, match="LinearWarmup around ReduceOnPlateau"):
        from_native(L.LinearWarmup(L.ReduceOnPlateau(0.1), 3, 0.0, 0.1))


def test_linear_warmup_around_our_scheduler():
    native = L.LinearWarmup(paddle_scheduler(Cosine(T_max=50), 0.1), 10, 0.0, 0.1)
    schedule = from_native(native)
    assert lrs(native, 100) == lrs(paddle_scheduler(schedule), 100)


# ------------------------------------------------------------------------------------------------------------
# absolute values and absolute compositions
# ------------------------------------------------------------------------------------------------------------
ABSOLUTE_COMPOSITIONS = [
    Warmup(OneCycle(0.1, 100), 10),
    Warmup(Cyclic(0.01, 0.1, 20), 10, start_lr=0.001),
    Warmup(Piecewise([30], [0.1, 0.01]), 10),
    Warmup(WithBaseLR(Step(20, 0.5), 0.05), 10),
    Sequence([Piecewise([30], [0.1, 0.01]), OneCycle(0.1, 100)], [50]),
    Chain([OneCycle(0.1, 100), Step(20, 0.5)]),
    Shift(Warmup(OneCycle(0.1, 100), 10), 5),
    Noise(Warmup(OneCycle(0.1, 100), 10), pct=0.1),
]


@pytest.mark.parametrize("schedule", ABSOLUTE_COMPOSITIONS, ids=repr)
def test_an_absolute_composition_needs_no_learning_rate_and_refuses_one(schedule):
    sched = paddle_scheduler(schedule)
    assert lrs(sched, 60) == [schedule.value(t) for t in range(60)]
    with pytest.raises(ValueError, match=r"is absolute .* learning_rate=123\.0 would be ignored"):
        paddle_scheduler(schedule, learning_rate=123.0)
    assert lrs(paddle_scheduler(schedule, last_epoch=19), 5) == [schedule.value(t) for t in range(20, 25)]


def test_a_relative_composition_still_needs_learning_rate():
    for schedule in (Warmup(OneCycle(0.1, 100), 10, start_factor=0.1), Sequence([OneCycle(0.1, 100), Cosine(9)],
                                                                                [100])):  # fmt: skip
        with pytest.raises(ValueError, match="is relative"):
            paddle_scheduler(schedule)


def test_last_lr_changed_by_other_code_is_reported_once():
    sched = paddle_scheduler(Step(3, 0.5), learning_rate=0.1)
    sched.step()
    sched.last_lr = 0.02
    with pytest.warns(ForeignWriteWarning, match=r"last_lr is 0\.02, but this lrparity scheduler wrote 0\.1 there.*"
                                                 r"step 2 overwrites.*lrparity\.Chain"):  # fmt: skip
        sched.step()
    assert sched() == Step(3, 0.5).value(2, 0.1)
    sched.last_lr = 0.02
    with warnings.catch_warnings():
        warnings.simplefilter("error", ForeignWriteWarning)
        sched.step()  # once per scheduler


@pytest.mark.filterwarnings("error::lrparity.backends.paddle.ForeignWriteWarning")
def test_no_report_from_paddle_itself():
    sched = paddle_scheduler(WARM_COS, learning_rate=0.1)
    lrs(sched, 20)
    sched.step(5)
    sched.set_state_dict(sched.state_dict())
    lrs(sched, 5)
    warm = L.LinearWarmup(paddle_scheduler(Cosine(T_max=50), 0.1), 10, 0.0, 0.1)  # steps ours with step(epoch)
    lrs(warm, 40)


def test_momentum_changed_by_other_code_is_reported_and_a_second_hook_refused():
    w = paddle.create_parameter([1], "float32")
    sched = paddle_scheduler(ONE_CYCLE_M)
    opt = paddle.optimizer.Momentum(learning_rate=sched, parameters=[w])
    sched.attach_momentum(opt)
    with pytest.raises(ValueError, match="this scheduler already drives this optimizer's momentum"):
        sched.attach_momentum(opt)
    other = paddle_scheduler(ONE_CYCLE_M)
    with pytest.raises(ValueError, match="the optimizer's own lr scheduler already drives this optimizer's momentum"):
        other.attach_momentum(opt)
    sched.step()
    opt._momentum = 0.5
    with pytest.warns(ForeignWriteWarning, match=r"optimizer\._momentum is 0\.5, but this lrparity scheduler wrote"):
        sched.step()
    assert opt._momentum == ONE_CYCLE_M.companions()["momentum"].value(2)


def test_converted_plateau_carries_its_learning_rate():
    native = L.ReduceOnPlateau(0.05, patience=1)
    plateau = from_native(native)
    assert plateau.start_lr == 0.05
    ours = paddle_scheduler(plateau)  # no learning_rate needed
    assert lrs(native, 1) == [ours()] == [0.05]
    for m in [1.0, 1.0, 1.0, 0.5]:
        native.step(m)
        ours.step(m)
        assert ours() == native()
    assert paddle_scheduler(plateau, learning_rate=0.05)() == 0.05  # the same value: accepted
    with pytest.raises(ValueError, match=r"start_lr=0\.05, so learning_rate=0\.2 contradicts it"):
        paddle_scheduler(plateau, learning_rate=0.2)
    old = paddle_scheduler(Plateau(patience=1, semantics="paddle"), learning_rate=0.05)
    old.step(1.0)
    ours.set_state_dict(old.state_dict())  # a state whose config has no start_lr (as before start_lr existed)
    assert ours.state == old.state
    assert "start_lr" not in old.state_dict()["schedule"]


def test_from_native_refuses_an_optimizer_naming_it():
    opt = paddle.optimizer.SGD(learning_rate=0.1, parameters=[paddle.create_parameter([1], "float32")])
    with pytest.raises(TypeError, match=r"got the optimizer \(paddle\.optimizer\.sgd\.SGD\); pass its learning-rate"):
        lrparity.from_native(opt)

    class Custom(L.LRScheduler):
        def get_lr(self):
            return 0.1

    with pytest.raises(TypeError, match="Custom is not one of paddle's built-in schedulers"):
        lrparity.from_native(Custom(0.1))
