"""Parity with the torch-side schedulers of other packages: ``warmup_scheduler.GradualWarmupScheduler``
(warmup-scheduler 0.3) and pytorch-accelerated 0.1.61's ``CosineLrScheduler``.

Each test builds the package's real scheduler on a real optimizer, steps it as its users do, records the value the
optimizer holds after every step, and compares it with :func:`lrparity.from_native`'s schedule driven through
``lrparity.torch_scheduler`` on a fresh optimizer (and with ``schedule.values``): bit-identical where lrparity
follows the package's closed form operation for operation (and replays torch's recursions it has a replay for),
within 1e-12 relative where a torch recursion (StepLR, MultiStepLR, ExponentialLR, ConstantLR, PolynomialLR)
meets a core closed form, or where the warmup's last value misses ``base * multiplier`` by an ulp.
"""

from __future__ import annotations

import math
import warnings
from typing import Any
from unittest import mock

import numpy as np
import pytest

torch = pytest.importorskip("torch")
warmup_scheduler = pytest.importorskip("warmup_scheduler")
pa_schedulers = pytest.importorskip("pytorch_accelerated.schedulers")

import lrparity  # noqa: E402
from lrparity.backends.torch import third_party  # noqa: E402

lr_scheduler = torch.optim.lr_scheduler
GradualWarmupScheduler = warmup_scheduler.GradualWarmupScheduler
CosineLrScheduler = pa_schedulers.CosineLrScheduler

RTOL = 1e-12
STEPS = 40

REPORT: dict[str, list[float]] = {"exact": [], "rtol": []}
"""Max relative difference of every configuration compared (printed at the end with ``-s``)."""


def _optimizer(lrs: tuple[float, ...], weight_decay: float = 1e-4) -> Any:
    params = [{"params": [torch.nn.Parameter(torch.zeros(2))], "lr": lr} for lr in lrs]
    return torch.optim.SGD(params, lr=lrs[0], momentum=0.9, weight_decay=weight_decay)


def _values(optimizer: Any, field: str) -> list[float]:
    return [float(g[field]) for g in optimizer.param_groups]


def _record(optimizer: Any, step: Any, steps: int, field: str = "lr", first: int = 1) -> np.ndarray:
    """The field of every group after construction and after each of ``steps`` calls ``step(k)`` (k from
    ``first``), with an optimizer update before each, as a training loop."""
    seen = [_values(optimizer, field)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the packages call get_lr() outside step(): torch's warning, not ours
        for k in range(first, first + steps):
            optimizer.step()
            step(k)
            seen.append(_values(optimizer, field))
    return np.array(seen)


def _ours(schedule: Any, lrs: tuple[float, ...], steps: int, field: str = "lr", weight_decay: float = 1e-4) -> Any:
    optimizer = _optimizer(lrs, weight_decay)
    sched = lrparity.torch_scheduler(schedule, optimizer)
    return _record(optimizer, lambda k: sched.step(), steps, field)


def _max_rel(a: np.ndarray, b: np.ndarray) -> float:
    scale = np.maximum(np.abs(a), np.abs(b))
    diff = np.abs(a - b)
    return float(np.max(np.where(scale > 0, diff / np.where(scale > 0, scale, 1.0), diff)))


def _check(native: np.ndarray, ours: np.ndarray, exact: bool, label: str) -> None:
    assert native.shape == ours.shape, label
    rel = _max_rel(native, ours)
    if exact:
        assert native.tolist() == ours.tolist(), f"{label}: not bit-identical (max rel {rel:.3g})"
        REPORT["exact"].append(rel)
    else:
        assert rel <= RTOL, f"{label}: max relative difference {rel:.3g} > {RTOL}"
        REPORT["rtol"].append(rel)


def _check_values(schedule: Any, ours: np.ndarray, bases: tuple[float, ...], label: str) -> None:
    """``schedule.values`` agrees with what the torch backend wrote, bit for bit (one array per group)."""
    if isinstance(schedule, dict):
        (schedule,) = schedule.values()
    for i, b in enumerate(bases):
        curve = schedule.for_group(i).values(np.arange(len(ours)), base_lr=b)
        assert curve.tolist() == ours[:, i].tolist(), f"{label}: values() of group {i}"


# ------------------------------------------------------------------------------------------------------------
# GradualWarmupScheduler
# ------------------------------------------------------------------------------------------------------------
AFTERS: dict[str, tuple[Any, bool]] = {
    # name: (builder on an optimizer, whether lrparity's phase is exact: a closed form or a replayed recursion)
    "none": (lambda o: None, True),
    "StepLR": (lambda o: lr_scheduler.StepLR(o, step_size=4, gamma=0.5), False),
    "MultiStepLR": (lambda o: lr_scheduler.MultiStepLR(o, milestones=[3, 9, 9], gamma=0.3), False),
    "ExponentialLR": (lambda o: lr_scheduler.ExponentialLR(o, gamma=0.9), False),
    "CosineAnnealingLR": (lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=1e-4), True),
    "CosineAnnealingLR-T1": (lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=1, eta_min=0.0), True),
    "CosineAnnealingLR-T3": (lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=3, eta_min=2e-3), True),
    "LambdaLR": (lambda o: lr_scheduler.LambdaLR(o, lambda e: 0.95**e), True),
    "MultiplicativeLR": (lambda o: lr_scheduler.MultiplicativeLR(o, lambda e: 0.97), True),
    "LinearLR": (lambda o: lr_scheduler.LinearLR(o, start_factor=0.5, end_factor=1.0, total_iters=6), True),
    "ConstantLR": (lambda o: lr_scheduler.ConstantLR(o, factor=0.5, total_iters=4), False),
    "PolynomialLR": (lambda o: lr_scheduler.PolynomialLR(o, total_iters=8, power=2.0), False),
    "CosineAnnealingWarmRestarts": (
        lambda o: lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=4, T_mult=2, eta_min=1e-3),
        True,
    ),
}
MULTIPLIERS = (1.0, 2.0, 1.5, 4.0, 1.1, 3.3)
TOTALS = (1, 3, 5, 8)


def _warmup_ends_on_target(m: float, total: int) -> bool:
    """Whether the package's last warmup value, base * ((m - 1) * T / T + 1), is base * m bit for bit."""
    return m == 1.0 or (m - 1.0) * total / total + 1.0 == m


def _gradual(lrs: tuple[float, ...], m: float, total: int, after: str) -> tuple[Any, Any]:
    optimizer = _optimizer(lrs)
    a = AFTERS[after][0](optimizer)  # built first, as the package's README does
    return optimizer, GradualWarmupScheduler(optimizer, multiplier=m, total_epoch=total, after_scheduler=a)


@pytest.mark.parametrize("after", sorted(AFTERS))
@pytest.mark.parametrize("m", MULTIPLIERS)
@pytest.mark.parametrize("total", TOTALS)
def test_gradual_warmup_scheduler_every_step(after: str, m: float, total: int) -> None:
    lrs = (0.1, 0.025) if total == 3 else (0.1,)
    optimizer, native = _gradual(lrs, m, total, after)
    schedule = lrparity.from_native(native)
    seen = _record(optimizer, lambda k: native.step(), STEPS)
    ours = _ours(schedule, lrs, STEPS)
    exact = AFTERS[after][1] and _warmup_ends_on_target(m, total)
    label = f"GradualWarmupScheduler(multiplier={m}, total_epoch={total}, after={after})"
    _check(seen, ours, exact, label)
    _check_values(schedule, ours, lrs, label)
    if m == 1.0:
        assert seen[0].tolist() == [0.0] * len(lrs)  # multiplier 1.0 warms from 0
    if after != "none" and total > 1:  # the after-scheduler runs from base * multiplier
        assert not math.isclose(seen[total + 2][0], seen[total - 1][0])


@pytest.mark.parametrize("after", ["StepLR", "CosineAnnealingLR", "ExponentialLR", "none", "LambdaLR"])
@pytest.mark.parametrize("at", [0, 2, 5, 6, 7, 20])
def test_gradual_warmup_scheduler_converted_mid_run(after: str, at: int) -> None:
    """From step ``at`` (before, at and after the hand-over at step 6), from_native still gives the run from 0."""
    m, total, lrs = 2.0, 5, (0.1, 0.03)
    optimizer, native = _gradual(lrs, m, total, after)
    seen = _record(optimizer, lambda k: native.step(), STEPS)
    optimizer, native = _gradual(lrs, m, total, after)
    _record(optimizer, lambda k: native.step(), at)
    schedule = lrparity.from_native(native)
    ours = _ours(schedule, lrs, STEPS)
    _check(seen, ours, AFTERS[after][1], f"mid-run at {at}, after={after}")
    assert lrparity.from_native(native) == schedule  # reading does not change the native


def test_gradual_warmup_scheduler_hand_over_step() -> None:
    """The quirks the conversion reproduces, read off the package itself: a StepLR after the warmup holds the lr of
    step T at T + 1, then decays from base * multiplier; an ExponentialLR applies its factor at the hand-over."""
    lrs, m, total = (0.5,), 2.0, 3
    optimizer, native = _gradual(lrs, m, total, "StepLR")
    seen = _record(optimizer, lambda k: native.step(), 10)[:, 0]
    assert seen[total] == seen[total + 1] == 1.0  # hand-over: held
    assert native.after_scheduler.base_lrs == [1.0]  # multiplied by the warmup
    ours = _ours(lrparity.from_native(native), lrs, 10)[:, 0]
    assert ours.tolist() == seen.tolist()
    optimizer, native = _gradual(lrs, m, total, "ExponentialLR")
    seen = _record(optimizer, lambda k: native.step(), 6)[:, 0]
    assert seen[total + 1] == 1.0 * 0.9 and seen[total + 2] == 1.0 * 0.9 * 0.9
    assert _ours(lrparity.from_native(native), lrs, 6)[:, 0].tolist() == seen.tolist()


@pytest.mark.parametrize("m", [1.0, 2.0, 1.5, 3.3])
@pytest.mark.parametrize(("total", "lrs"), [(1, (0.1,)), (1, (0.1, 0.1)), (2, (0.1,)), (3, (0.1, 0.025)), (5, (0.2,))])
def test_gradual_warmup_scheduler_reduce_on_plateau(m: float, total: int, lrs: tuple[float, ...]) -> None:
    """The ReduceLROnPlateau path (``step(metrics=...)``): a Plateau from base * multiplier for total_epoch=1, else
    with a warmup that ignores the metrics of the first total_epoch - 1 steps (the best ever metric there: fed to
    the plateau, it would reduce the lr at once), every step bit for bit, through lrparity's torch scheduler."""
    tail = [1.0, 0.9, 0.95, 0.95, 0.95, 0.94, 0.8, 0.8, 0.85, 0.9, 0.9, 0.9, 0.9, 0.7, 0.7, 0.7, 0.7, 0.7] * 2
    metrics = [1e-9] * (total - 1) + tail
    optimizer = _optimizer(lrs)
    plateau = lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=1, cooldown=1, min_lr=1e-3)
    native = GradualWarmupScheduler(optimizer, multiplier=m, total_epoch=total, after_scheduler=plateau)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the package passes torch's deprecated epoch argument
        seen = _record(optimizer, lambda k: native.step(metrics=metrics[k - 1]), len(metrics))
    converted = lrparity.from_native(native)
    assert isinstance(converted, lrparity.Plateau) and converted.warmup_steps == total - 1
    ours_opt = _optimizer(lrs)
    ours = lrparity.torch_scheduler(converted, ours_opt)
    mine = _record(ours_opt, lambda k: ours.step(metrics[k - 1]), len(metrics))
    _check(seen, mine, True, f"GradualWarmupScheduler(multiplier={m}, total_epoch={total}) + ReduceLROnPlateau")
    assert seen[0].tolist() == [lr * ((m - 1.0) * 1 / total + 1.0) for lr in lrs]
    assert seen[total - 1].tolist() == [lr * ((m - 1.0) * total / total + 1.0) for lr in lrs]  # the ramp's end
    assert min(seen[:, 0]) < seen[total - 1, 0] == seen[total + 1, 0]  # it did reduce, only after the warmup


# ------------------------------------------------------------------------------------------------------------
# pytorch-accelerated CosineLrScheduler
# ------------------------------------------------------------------------------------------------------------
COSINES: dict[str, dict[str, Any]] = {
    "defaults": {},
    "warmup": {"num_warmup_epochs": 2, "warmup_starting_lr": 1e-5},
    "warmup-ratio": {"num_warmup_epochs": 1, "warmup_starting_lr_ratio": 0.05},
    "warmup-ratio-default-start": {"num_warmup_epochs": 3, "warmup_starting_lr_ratio": 0.3},
    "cooldown": {"num_cooldown_epochs": 2, "lr_min": 1e-4},
    "lr-min-ratio": {"min_lr_ratio": 0.01},
    "k-decay-2": {"k_decay": 2.0, "lr_min": 0.0},
    "k-decay-half": {"k_decay": 0.5, "num_warmup_epochs": 1},
    "k-decay-int": {"k_decay": 3},
    "everything": {
        "num_warmup_epochs": 2,
        "warmup_starting_lr_ratio": 0.1,
        "num_cooldown_epochs": 1,
        "min_lr_ratio": 0.02,
        "k_decay": 1.5,
    },
    "warmup-covers-cosine": {"num_warmup_epochs": 5},  # total - warmup - cooldown <= warmup: no cosine at all
}


def _exact(name: str) -> bool:
    """A warmup with a ratio reaches the package's increment through an end lr (see
    test_warmup_end_search_finds_the_increment), which the floats do not always allow: 1e-12 there; every other
    configuration follows the package's closed form op for op."""
    return "warmup_starting_lr_ratio" not in COSINES[name]


def _cosine(lrs: tuple[float, ...], name: str, field: str = "lr", factory: bool = False) -> tuple[Any, Any]:
    optimizer = _optimizer(lrs, weight_decay=0.05)
    kwargs = {"total_num_epochs": 10, "num_update_steps_per_epoch": 3, **COSINES[name]}
    if factory:  # the Trainer's way: a factory with the placeholders filled in, called on the optimizer
        return optimizer, CosineLrScheduler.create_scheduler_fn(**kwargs)(optimizer)
    if field == "lr":
        return optimizer, CosineLrScheduler(optimizer, **kwargs)
    # CosineLrScheduler passes no param_group_field to its base class: an instance on another field is the same
    # class with its base initialised for that field (the package's own code runs unchanged)
    base_init = pa_schedulers.StatefulSchedulerBase.__init__

    def on_field(self: Any, optimizer: Any, param_group_field: str = "lr") -> None:
        base_init(self, optimizer, param_group_field=field)

    with mock.patch.object(pa_schedulers.StatefulSchedulerBase, "__init__", on_field):
        return optimizer, CosineLrScheduler(optimizer, **kwargs)


@pytest.mark.parametrize("name", sorted(COSINES))
@pytest.mark.parametrize("lrs", [(0.1,), (0.1, 0.003)])
def test_cosine_lr_scheduler_stepped_by_the_trainer(name: str, lrs: tuple[float, ...]) -> None:
    """``step()`` after each update, as pytorch-accelerated's Trainer does."""
    optimizer, native = _cosine(lrs, name)
    steps = 36  # past the end: the cooldown value holds
    seen = _record(optimizer, lambda k: native.step(), steps)
    schedule = lrparity.from_native(native)
    ours = _ours(schedule, lrs, steps)
    _check(seen, ours, _exact(name), f"CosineLrScheduler({name}), groups {lrs}")
    _check_values(schedule, ours, lrs, name)


@pytest.mark.parametrize("name", ["warmup-ratio", "everything", "cooldown", "defaults"])
def test_cosine_lr_scheduler_step_update_loop(name: str) -> None:
    """The stateless loop of pytorch-accelerated's SchedulerBase (and timm): ``step_update(num_updates)`` after
    each update, run unchanged on lrparity's torch scheduler, gives the package's values."""
    lrs = (0.1, 0.02)
    optimizer, native = _cosine(lrs, name)
    seen = _record(optimizer, native.step_update, 33)
    schedule = third_party.from_native(native, stepping="step_update")
    ours_opt = _optimizer(lrs, weight_decay=0.05)
    ours = lrparity.torch_scheduler(schedule, ours_opt)
    mine = _record(ours_opt, ours.step_update, 33)
    _check(seen, mine, _exact(name), f"step_update loop, CosineLrScheduler({name})")
    assert ours.last_epoch == 33
    # the two stepping styles of the package differ by one update, and lrparity says which it converts
    trainer = lrparity.from_native(native).for_group(0).values(np.arange(1, 33), base_lr=0.1)
    assert trainer.tolist() != schedule.for_group(0).values(np.arange(1, 33), base_lr=0.1).tolist()


@pytest.mark.parametrize("name", ["defaults", "warmup", "warmup-ratio", "everything"])
def test_cosine_lr_scheduler_from_create_scheduler_fn(name: str) -> None:
    optimizer, native = _cosine((0.1,), name, factory=True)
    assert type(native) is CosineLrScheduler
    seen = _record(optimizer, lambda k: native.step(), 33)
    _check(seen, _ours(lrparity.from_native(native), (0.1,), 33), _exact(name), f"create_scheduler_fn({name})")


@pytest.mark.parametrize("name", ["defaults", "warmup", "everything", "cooldown"])
@pytest.mark.parametrize("field", ["weight_decay", "momentum"])
def test_cosine_lr_scheduler_on_another_param_group_field(name: str, field: str) -> None:
    lrs = (0.1, 0.01)
    optimizer, native = _cosine(lrs, name, field=field)
    assert native.param_group_field == field
    seen = _record(optimizer, lambda k: native.step(), 33, field)
    assert [g["lr"] for g in optimizer.param_groups] == list(lrs)  # the lr is not touched
    converted = lrparity.from_native(native)
    assert isinstance(converted, dict) and set(converted) == {field}
    mine_opt = _optimizer(lrs, weight_decay=0.05)
    mine = lrparity.torch_scheduler(converted, mine_opt)
    ours = _record(mine_opt, lambda k: mine.step(), 33, field)
    _check(seen, ours, _exact(name), f"CosineLrScheduler({name}) on {field}")
    assert [g["lr"] for g in mine_opt.param_groups] == list(lrs)
    # the same with field=
    other_opt = _optimizer(lrs, weight_decay=0.05)
    other = lrparity.torch_scheduler(converted[field], other_opt, field=field)
    assert _record(other_opt, lambda k: other.step(), 33, field).tolist() == seen.tolist()


@pytest.mark.parametrize("at", [0, 1, 4, 20, 40])
def test_cosine_lr_scheduler_converted_mid_run(at: int) -> None:
    lrs = (0.1,)
    optimizer, native = _cosine(lrs, "everything")
    seen = _record(optimizer, lambda k: native.step(), 36)
    optimizer, native = _cosine(lrs, "everything")
    _record(optimizer, lambda k: native.step(), at)
    _check(seen, _ours(lrparity.from_native(native), lrs, 36), False, f"CosineLrScheduler mid-run at {at}")


def test_cosine_lr_scheduler_warmup_ratio_quirk() -> None:
    """With a ratio the package's warmup starts at ratio * lr but steps by (lr - warmup_starting_lr) / W, so it
    ends above the base lr's ramp; and construction writes warmup_starting_lr, not the ratio's start."""
    optimizer, native = _cosine((0.1,), "warmup-ratio-default-start")
    seen = _record(optimizer, lambda k: native.step(), 12)[:, 0]
    assert seen[0] == 1e-6 and seen[1] == 0.3 * 0.1
    assert seen[9] > 0.1 and seen[9] == 0.3 * 0.1 + 8 * ((0.1 - 1e-6) / 9)  # 9 warmup updates, step 9 is n = 8
    ours = _ours(lrparity.from_native(native), (0.1,), 12)[:, 0]
    assert ours.tolist() == seen.tolist()


def teardown_module() -> None:
    for kind, rels in REPORT.items():
        if rels:
            same = sum(r == 0 for r in rels)
            print(f"\nthird-party parity, {kind}: {len(rels)} comparisons ({same} with identical values), max relative "
                  f"difference {max(rels):.3g}")  # fmt: skip


def test_warmup_end_search_finds_the_increment() -> None:
    """The ratio warmup's end lr is searched so that IncrementalWarmup's increment is the package's; where the
    floats allow none (reported: the parity tests then hold it to 1e-12), the increment is off by an ulp."""
    found_count = 0
    for steps in (1, 3, 10, 100):
        for ratio in (0.05, 0.1, 0.3, 0.01, 0.5):
            for lr in (0.1, 0.003, 1.0, 3e-4, 0.07):
                start, difference = ratio * lr, lr - 1e-6
                end, found = third_party._warmup_end(start, difference, steps)
                increment = (end - start) / steps
                if found:
                    found_count += 1
                    assert increment == difference / steps
                assert abs(increment - difference / steps) <= 4 * math.ulp(difference / steps)
    assert found_count >= 70  # of 100 (75 with these floats)
