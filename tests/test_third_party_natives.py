"""Unit tests of the other packages' schedulers in ``from_native`` (lrparity.backends.torch.third_party) and of the
torch scheduler's stateless ``step_update``: refusals with clear messages, and the stepping contract."""

from __future__ import annotations

import subprocess
import sys
import warnings
from typing import Any

import pytest

torch = pytest.importorskip("torch")

import lrparity  # noqa: E402
from lrparity.backends.torch import third_party  # noqa: E402

lr_scheduler = torch.optim.lr_scheduler


def _optimizer(*lrs: float) -> Any:
    params = [{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in lrs or (0.1,)]
    return torch.optim.SGD(params, lr=0.1, momentum=0.9, weight_decay=0.01)


@pytest.fixture
def gws() -> Any:
    return pytest.importorskip("warmup_scheduler").GradualWarmupScheduler


@pytest.fixture
def pa() -> Any:
    return pytest.importorskip("pytorch_accelerated.schedulers")


def test_import_lrparity_imports_neither_torch_nor_the_packages() -> None:
    code = (
        "import sys, lrparity, lrparity.backends.torch.third_party\n"
        "bad = {'torch', 'warmup_scheduler', 'pytorch_accelerated'} & set(sys.modules)\n"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_torch_native_is_not_a_third_party_row() -> None:
    assert third_party.row_of(lr_scheduler.StepLR(_optimizer(), 3)) is None
    assert third_party.row_of(object()) is None


# ------------------------------------------------------------------------------------------------------------
# GradualWarmupScheduler
# ------------------------------------------------------------------------------------------------------------
def test_gradual_warmup_subclass_is_refused(gws: Any) -> None:
    class Mine(gws):
        pass

    with pytest.raises(TypeError, match=r"subclass of warmup-scheduler's GradualWarmupScheduler.*get_lr\(\)"):
        lrparity.from_native(Mine(_optimizer(), multiplier=2.0, total_epoch=3))


def test_gradual_warmup_through_the_torch_backend(gws: Any) -> None:
    native = gws(_optimizer(), multiplier=1.0, total_epoch=4)
    from lrparity.backends.torch import from_native

    assert from_native(native) == lrparity.from_native(native)
    expected = [0.1 * (k / 4) for k in range(5)] + [0.1]  # the package's base_lr * (last_epoch / total_epoch)
    assert lrparity.from_native(native).values(range(6), base_lr=0.1).tolist() == expected


@pytest.mark.parametrize(
    ("attribute", "value", "message"),
    [
        ("multiplier", 0.5, r"multiplier must be a number >= 1, got 0\.5"),
        ("multiplier", "2", r"multiplier must be a number >= 1, got '2'"),
        ("total_epoch", 0, r"total_epoch must be an int >= 1, got 0"),
        ("total_epoch", 2.5, r"total_epoch must be an int >= 1, got 2\.5"),
    ],
)
def test_gradual_warmup_bad_attribute(gws: Any, attribute: str, value: Any, message: str) -> None:
    native = gws(_optimizer(), multiplier=2.0, total_epoch=3)
    setattr(native, attribute, value)
    with pytest.raises(ValueError, match=message):
        lrparity.from_native(native)


@pytest.mark.parametrize(
    ("build", "name"),
    [
        (lambda o: lr_scheduler.OneCycleLR(o, max_lr=1.0, total_steps=10), "OneCycleLR"),
        (lambda o: lr_scheduler.CyclicLR(o, 0.01, 0.1), "CyclicLR"),
        (
            lambda o: lr_scheduler.SequentialLR(
                o, [lr_scheduler.ConstantLR(o), lr_scheduler.ExponentialLR(o, 0.9)], milestones=[2]
            ),
            "SequentialLR",
        ),
    ],
)
def test_gradual_warmup_after_scheduler_that_does_not_follow_the_bases(gws: Any, build: Any, name: str) -> None:
    optimizer = _optimizer()
    native = gws(optimizer, multiplier=2.0, total_epoch=3, after_scheduler=build(optimizer))
    with pytest.raises(ValueError, match=rf"after_scheduler is a {name}; .*convert the two phases separately"):
        lrparity.from_native(native)


def test_gradual_warmup_after_scheduler_not_a_torch_scheduler(gws: Any) -> None:
    native = gws(_optimizer(), multiplier=2.0, total_epoch=3, after_scheduler=None)
    native.after_scheduler = object()
    with pytest.raises(TypeError, match=r"builtins\.object is not one of torch's built-in schedulers"):
        lrparity.from_native(native)


def test_gradual_warmup_after_scheduler_on_another_optimizer(gws: Any) -> None:
    native = gws(_optimizer(), multiplier=2.0, total_epoch=3, after_scheduler=lr_scheduler.StepLR(_optimizer(), 2))
    with pytest.raises(ValueError, match="drives another optimizer than the warmup"):
        lrparity.from_native(native)


def test_gradual_warmup_after_scheduler_stepped_on_its_own(gws: Any) -> None:
    optimizer = _optimizer()
    after = lr_scheduler.StepLR(optimizer, 2)
    native = gws(optimizer, multiplier=2.0, total_epoch=3, after_scheduler=after)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        after.step()
        after.step()
    with pytest.raises(ValueError, match=r"at last_epoch=2 before the hand-over: it was stepped on its own"):
        lrparity.from_native(native)


def test_gradual_warmup_polynomial_with_no_iterations(gws: Any) -> None:
    optimizer = _optimizer()
    native = gws(optimizer, 2.0, 3, after_scheduler=lr_scheduler.PolynomialLR(optimizer, total_iters=0))
    with pytest.raises(ValueError, match=r"PolynomialLR\(total_iters=0\).*divides by zero"):
        lrparity.from_native(native)


def test_gradual_warmup_plateau_with_a_warmup_is_a_warmed_plateau(gws: Any) -> None:
    optimizer = _optimizer()
    native = gws(optimizer, 2.0, 3, after_scheduler=lr_scheduler.ReduceLROnPlateau(optimizer, patience=2))
    plateau = lrparity.from_native(native)
    assert isinstance(plateau, lrparity.Plateau) and (plateau.patience, plateau.warmup_steps) == (2, 2)
    base = native.base_lrs[0]
    # epochs 1..3 of the package's ramp, base * ((m - 1) * k / T + 1), one step ahead: steps 0..2
    assert [plateau.warmup.value(t, base) for t in range(3)] == [base * (1.0 * k / 3 + 1.0) for k in (1, 2, 3)]
    assert plateau.start_lr == base
    flat = lrparity.from_native(gws(optimizer, 1.0, 4, after_scheduler=lr_scheduler.ReduceLROnPlateau(optimizer)))
    assert flat.warmup_steps == 3 and flat.warmup.values(range(4), 0.3).tolist() == [0.3] * 4  # never from 0


def test_gradual_warmup_plateau_groups_from_different_lrs(gws: Any) -> None:
    optimizer = _optimizer(0.1, 0.2)
    native = gws(optimizer, 2.0, 1, after_scheduler=lr_scheduler.ReduceLROnPlateau(optimizer))
    with pytest.raises(ValueError, match=r"different lrs \[0\.2, 0\.4\]; a Plateau's start_lr is one lr"):
        lrparity.from_native(native)
    optimizer = _optimizer(0.1, 0.2)  # multiplier 1.0: each group starts from its own lr
    native = gws(optimizer, 1.0, 1, after_scheduler=lr_scheduler.ReduceLROnPlateau(optimizer, patience=3))
    assert lrparity.from_native(native) == lrparity.Plateau(patience=3, min_lr=0)


def test_stepping_argument(gws: Any) -> None:
    native = gws(_optimizer(), 2.0, 3)
    with pytest.raises(ValueError, match=r"stepping must be 'step' or 'step_update', got 'epoch'"):
        third_party.from_native(native, stepping="epoch")
    with pytest.raises(ValueError, match=r"stepping='step_update' is for CosineLrScheduler"):
        third_party.from_native(native, stepping="step_update")
    with pytest.raises(TypeError, match=r"torch\.optim\.lr_scheduler\.StepLR is not one of GradualWarmupScheduler"):
        third_party.from_native(lr_scheduler.StepLR(_optimizer(), 2))


# ------------------------------------------------------------------------------------------------------------
# pytorch-accelerated
# ------------------------------------------------------------------------------------------------------------
def test_cosine_lr_scheduler_subclass_is_refused(pa: Any) -> None:
    class Mine(pa.CosineLrScheduler):
        pass

    with pytest.raises(TypeError, match=r"subclass of pytorch-accelerated's CosineLrScheduler.*get_updated_values"):
        lrparity.from_native(Mine(_optimizer(), total_num_epochs=3, num_update_steps_per_epoch=2))


def test_other_pytorch_accelerated_schedulers_are_named(pa: Any) -> None:
    native = pa.WSDLrScheduler(_optimizer(), total_steps=100)
    with pytest.raises(TypeError, match=r"WSDLrScheduler is a pytorch-accelerated scheduler other than CosineLr"):
        lrparity.from_native(native)


def test_cosine_lr_scheduler_field_is_named(pa: Any) -> None:
    native = pa.CosineLrScheduler(_optimizer(), total_num_epochs=3, num_update_steps_per_epoch=2)
    assert isinstance(lrparity.from_native(native), lrparity.Schedule)
    native.param_group_field = 3
    with pytest.raises(ValueError, match=r"param_group_field must be a str, got 3"):
        lrparity.from_native(native)


@pytest.mark.parametrize(
    ("attribute", "value", "message"),
    [
        ("total_iterations", 0, r"CosineLrScheduler\.total_iterations must be an int >= 1, got 0"),
        ("warmup_iterations", -1, r"CosineLrScheduler\.warmup_iterations must be an int >= 0, got -1"),
        ("num_cooldown_iterations", 1.5, r"num_cooldown_iterations must be an int >= 0, got 1\.5"),
    ],
)
def test_cosine_lr_scheduler_bad_attribute(pa: Any, attribute: str, value: Any, message: str) -> None:
    native = pa.CosineLrScheduler(_optimizer(), total_num_epochs=3, num_update_steps_per_epoch=2)
    setattr(native, attribute, value)
    with pytest.raises(ValueError, match=message):
        lrparity.from_native(native)


def test_cosine_lr_scheduler_negative_k_decay_is_refused_by_the_core(pa: Any) -> None:
    native = pa.CosineLrScheduler(_optimizer(), total_num_epochs=3, num_update_steps_per_epoch=2, k_decay=-1.0)
    with pytest.raises(ValueError, match=r"k_decay"):
        lrparity.from_native(native)


# ------------------------------------------------------------------------------------------------------------
# Scheduler.step_update
# ------------------------------------------------------------------------------------------------------------
def test_step_update_goes_to_the_step() -> None:
    schedule = lrparity.Cosine(T_max=20)
    optimizer = _optimizer()
    sched = lrparity.torch_scheduler(schedule, optimizer)
    for n in (1, 2, 7, 3):  # stateless: any order
        sched.step_update(n)
        assert optimizer.param_groups[0]["lr"] == schedule.value(n, 0.1)
        assert sched.last_epoch == n and sched.get_last_lr() == [schedule.value(n, 0.1)]
    sched.step()  # torch's stepping goes on from there
    assert sched.last_epoch == 4 and optimizer.param_groups[0]["lr"] == schedule.value(4, 0.1)
    sched.step_update(9, metric=0.25)  # timm's signature: the metric is accepted (a schedule reads none)
    assert optimizer.param_groups[0]["lr"] == schedule.value(9, 0.1)


def test_step_update_state_dict_round_trip() -> None:
    schedule = lrparity.Cosine(T_max=20)
    sched = lrparity.torch_scheduler(schedule, _optimizer())
    sched.step_update(11)
    state = sched.state_dict()
    assert state["step"] == 11 and state["last_epoch"] == 11 and state["_step_count"] == 2
    optimizer = _optimizer()
    other = lrparity.torch_scheduler(schedule, optimizer)
    other.load_state_dict(state)
    assert other.last_epoch == 11 and optimizer.param_groups[0]["lr"] == schedule.value(11, 0.1)
    other.step_update(12)
    assert optimizer.param_groups[0]["lr"] == schedule.value(12, 0.1)


@pytest.mark.parametrize("bad", [-1, 2.0, True, "3", None])
def test_step_update_bad_num_updates_changes_nothing(bad: Any) -> None:
    optimizer = _optimizer()
    sched = lrparity.torch_scheduler(lrparity.Cosine(T_max=20), optimizer)
    with pytest.raises((TypeError, ValueError), match=r"num_updates"):
        sched.step_update(bad)
    assert sched.last_epoch == 0 and optimizer.param_groups[0]["lr"] == 0.1


def test_step_update_drives_any_field() -> None:
    wd = lrparity.Cosine(T_max=10)
    optimizer = _optimizer(0.1, 0.05)
    sched = lrparity.torch_scheduler({"weight_decay": wd, "lr": lrparity.Constant()}, optimizer)
    sched.step_update(5)
    assert [g["weight_decay"] for g in optimizer.param_groups] == [wd.value(5, 0.01)] * 2
    assert [g["initial_weight_decay"] for g in optimizer.param_groups] == [0.01, 0.01]
    assert [g["lr"] for g in optimizer.param_groups] == [0.1, 0.05]


def test_step_update_reports_a_foreign_write() -> None:
    optimizer = _optimizer()
    sched = lrparity.torch_scheduler(lrparity.Cosine(T_max=20), optimizer)
    sched.step_update(1)
    optimizer.param_groups[0]["lr"] = 0.5
    with pytest.warns(lrparity.backends.torch.ForeignWriteWarning):
        sched.step_update(2)
