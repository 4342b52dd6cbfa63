"""Unit tests of the torch backend: the LRScheduler contract, state dicts, param groups, fields, tensor lrs and
``torch.compile``, the plateau scheduler, and ``from_native``'s refusals. (Parity with torch's own schedulers is
in ``parity_tests/test_torch_*.py``.)"""

from __future__ import annotations

import copy
import io
import json
import math
import pickle
import re
import subprocess
import sys
import warnings
from typing import Any

import pytest

torch = pytest.importorskip("torch")

from torch.optim import lr_scheduler as N  # noqa: E402

import lrparity  # noqa: E402
from lrparity import (  # noqa: E402
    Chain,
    Constant,
    Cosine,
    Cyclic,
    Exponential,
    Lambda,
    Linear,
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
from lrparity.backends.torch import (  # noqa: E402
    ForeignWriteWarning,
    NativeMismatchWarning,
    PlateauScheduler,
    Scheduler,
    from_native,
    native_step,
    replace_native,
    torch_scheduler,
)

pytestmark = [
    pytest.mark.torch,
    pytest.mark.filterwarnings("ignore:" + re.escape("Detected call of `lr_scheduler.step()`")),
]

ORDER_WARNING = re.escape("Detected call of `lr_scheduler.step()` before `optimizer.step()`")


def sgd(lrs: tuple[float, ...] = (0.1,), **kw: Any) -> torch.optim.Optimizer:
    params = [torch.nn.Parameter(torch.zeros(2)) for _ in lrs]
    kw.setdefault("momentum", 0.9)
    return torch.optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(params, lrs)], **kw)


def adam(lrs: tuple[float, ...] = (0.1,), **kw: Any) -> torch.optim.Optimizer:
    params = [torch.nn.Parameter(torch.zeros(2)) for _ in lrs]
    return torch.optim.Adam([{"params": [p], "lr": lr} for p, lr in zip(params, lrs)], **kw)


def lrs(opt: torch.optim.Optimizer) -> list[float]:
    return [float(g["lr"]) for g in opt.param_groups]


def run(opt: torch.optim.Optimizer, sched: Any, n: int, field: str = "lr") -> list[list[float]]:
    out = []
    for _ in range(n):
        out.append([float(g[field]) for g in opt.param_groups])
        opt.step()
        sched.step()
    return out


def module_fn(t: int) -> float:
    return 0.9**t


# ------------------------------------------------------------------------------------------------------------
# the LRScheduler contract
# ------------------------------------------------------------------------------------------------------------
def test_import_lrparity_does_not_import_torch() -> None:
    code = "import lrparity, sys; assert 'torch' not in sys.modules and 'paddle' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_is_a_torch_lr_scheduler_with_its_attributes() -> None:
    opt = sgd((0.1, 0.2))
    s = lrparity.torch_scheduler(Cosine(10), opt)
    assert isinstance(s, Scheduler) and isinstance(s, N.LRScheduler)
    assert s.last_epoch == 0 and s._step_count == 1
    assert s.base_lrs == [0.1, 0.2] and [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.2]
    assert s.get_last_lr() == [0.1, 0.2] == lrs(opt)
    opt.step()
    s.step()
    expected = [Cosine(10).value(1, b) for b in (0.1, 0.2)]
    assert s.last_epoch == 1 and s._step_count == 2 and s.get_last_lr() == expected == lrs(opt)
    assert s._get_closed_form_lr() == expected
    with pytest.warns(UserWarning, match="get_last_lr"):
        assert s.get_lr() == expected


def test_class_api_and_function_api_agree() -> None:
    a, b = sgd(), sgd()
    s1, s2 = Scheduler(a, Step(3, 0.5)), lrparity.torch_scheduler(Step(3, 0.5), b)
    assert run(a, s1, 10) == run(b, s2, 10)


def test_step_order_warning_as_torch() -> None:
    opt = sgd()
    s = lrparity.torch_scheduler(Cosine(10), opt)
    with pytest.warns(UserWarning, match=ORDER_WARNING):
        s.step()
    opt = sgd()
    s = lrparity.torch_scheduler(Cosine(10), opt)
    opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s.step()
        s.step()


def test_last_epoch_constructor_resume_is_exact() -> None:
    schedule = Warmup(Cosine(50), 10, start_factor=0.01)
    full = run(*(lambda o: (o, lrparity.torch_scheduler(schedule, o)))(sgd((0.1, 0.3))), 80)
    for k in (1, 9, 10, 11, 37, 60):
        opt = sgd((0.1, 0.3))
        for g, b in zip(opt.param_groups, (0.1, 0.3)):
            g["initial_lr"] = b
            g["lr"] = 123.0  # a stale lr: never read back
        s = lrparity.torch_scheduler(schedule, opt, last_epoch=k - 1)
        assert s.last_epoch == k
        assert run(opt, s, 80 - k) == full[k:]


def test_relative_resume_without_initial_lr_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="initial_lr"):
        lrparity.torch_scheduler(Cosine(10), sgd(), last_epoch=4)
    opt = sgd()
    s = lrparity.torch_scheduler(OneCycle(0.1, 20), opt, last_epoch=4)  # absolute: no base needed
    assert lrs(opt) == [OneCycle(0.1, 20).value(5)]
    assert s.last_epoch == 5


def test_step_with_epoch_jumps_and_warns() -> None:
    opt = sgd()
    s = lrparity.torch_scheduler(Step(2, 0.5), opt)
    with pytest.warns(UserWarning, match="epoch parameter"):
        s.step(7)
    assert s.last_epoch == 7 and lrs(opt) == [Step(2, 0.5).value(7, 0.1)]


def test_one_cycle_past_the_end_raises_and_changes_nothing() -> None:
    opt = sgd()
    s = lrparity.torch_scheduler(OneCycle(0.1, 5), opt)
    run(opt, s, 5)
    before, count = lrs(opt), s._step_count
    with pytest.raises(ValueError, match="past the end"):
        s.step()
    assert lrs(opt) == before and s.last_epoch == 5 and s._step_count == count


def test_total_steps_is_torch_one_cycle_lrs_attribute_only_on_a_one_cycle() -> None:
    """Trainers read ``total_steps`` where torch's OneCycleLR has it (Accelerate stops stepping at it)."""
    opt = sgd()
    native = N.OneCycleLR(opt, 0.1, total_steps=5)
    ours = lrparity.torch_scheduler(OneCycle(0.1, 5), sgd())
    assert (ours.total_steps, ours._step_count) == (native.total_steps, native._step_count) == (5, 1)
    per_group = PerGroup((OneCycle(0.1, 5), OneCycle(0.2, 5)))
    assert lrparity.torch_scheduler({"lr": per_group}, sgd((0.1, 0.1))).total_steps == 5
    for other in (Cosine(5), OneCycle(0.1, 5, after_end="hold"), PerGroup((OneCycle(0.1, 5), OneCycle(0.1, 6)))):
        s = lrparity.torch_scheduler(other, sgd((0.1, 0.1)) if isinstance(other, PerGroup) else sgd())
        assert not hasattr(s, "total_steps"), other


@pytest.mark.filterwarnings("error::lrparity.backends.torch.ForeignWriteWarning")
def test_works_inside_torch_sequential_lr() -> None:
    """torch's SequentialLR restarts a phase with _update_lr(0): ours jumps to its step 0. Its restarts and
    constructor resets are not foreign writes: no warning (an error here)."""
    a, b = sgd(), sgd()
    native = N.SequentialLR(a, [N.LinearLR(a, 0.1, 1.0, 5), N.StepLR(a, 3, 0.5)], [5])
    mixed = N.SequentialLR(b, [N.LinearLR(b, 0.1, 1.0, 5), Scheduler(b, Step(3, 0.5))], [5])
    assert run(a, native, 20) == run(b, mixed, 20)
    a, b = sgd(), sgd()
    native = N.SequentialLR(a, [N.ConstantLR(a, 0.5, 20), N.StepLR(a, 3, 0.5), N.ExponentialLR(a, 0.9)], [5, 12])
    mixed = N.SequentialLR(b, [Scheduler(b, Constant(0.5, 20)), N.StepLR(b, 3, 0.5), Scheduler(b, Exponential(0.9))],
                           [5, 12])  # fmt: skip
    expected, got = run(a, native, 30), run(b, mixed, 30)
    assert [g[0] for g in got] == pytest.approx([g[0] for g in expected], rel=1e-14, abs=0)


def test_bad_arguments() -> None:
    with pytest.raises(TypeError, match="Optimizer"):
        Scheduler(object(), Cosine(10))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Schedule"):
        Scheduler(sgd(), 0.1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Plateau"):
        Scheduler(sgd(), Plateau())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="last_epoch"):
        Scheduler(sgd(), Cosine(10), last_epoch=-2)
    with pytest.raises(ValueError, match="PerGroup of 2 schedules but the optimizer has 3"):
        Scheduler(sgd((0.1, 0.2, 0.3)), PerGroup([Cosine(10), Cosine(20)]))
    with pytest.raises(ValueError, match="'betas' is a pair"):
        Scheduler(adam(), Cosine(10), field="betas")
    with pytest.raises(ValueError, match="no 'nesterovish'"):
        Scheduler(sgd(), Cosine(10), field="nesterovish")


# ------------------------------------------------------------------------------------------------------------
# state_dict
# ------------------------------------------------------------------------------------------------------------
SCHEDULES = {
    "warmup_cosine": Warmup(Cosine(40), 8, start_factor=0.0),
    "one_cycle_momentum": OneCycle(0.1, 60, cycle_momentum=True),
    "per_group": PerGroup([Step(5, 0.5), WithBaseLR(Linear(0.1, 1.0, 10), 0.2)]),
    "sequence": Sequence([Constant(0.1, None), Cyclic(0.01, 0.1, 4)], [6]),
}


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_state_dict_round_trip_continues_bit_for_bit_at_every_step(name: str) -> None:
    schedule, n = SCHEDULES[name], 60
    opt = sgd((0.1, 0.05))
    ref = lrparity.torch_scheduler(schedule, opt)
    full = run(opt, ref, n, "lr")
    opt = sgd((0.1, 0.05))
    src = lrparity.torch_scheduler(schedule, opt)
    for k in range(n):
        state = src.state_dict()
        assert state["lrparity"] == 1 and state["step"] == k and state["plateau"] is None
        assert state["schedule"] == schedule.to_config()
        plain = json.loads(json.dumps(state))  # plain data only
        buffer = io.BytesIO()
        torch.save(state, buffer)
        buffer.seek(0)
        assert torch.load(buffer, weights_only=True) == state  # loads under torch's safe unpickler
        dst_opt = sgd((0.1, 0.05))  # a fresh optimizer: the lr is not restored, and need not be
        dst = lrparity.torch_scheduler(schedule, dst_opt)
        dst.load_state_dict({key: plain[key] for key in ("lrparity", "step", "schedule", "plateau")})
        assert dst.last_epoch == k and lrs(dst_opt) == full[k]
        assert run(dst_opt, dst, n - k) == full[k:]
        run(opt, src, 1)


def test_mismatched_state_raises_and_changes_nothing() -> None:
    opt = sgd()
    s = lrparity.torch_scheduler(Cosine(100), opt)
    run(opt, s, 3)
    before = (lrs(opt), s.last_epoch, s._step_count, s.state_dict())
    other = lrparity.torch_scheduler(Cosine(101), sgd()).state_dict()
    other["step"] = 50
    with pytest.raises(ValueError, match=r"different schedule(.|\n)*T_max': 101(.|\n)*T_max': 100"):
        s.load_state_dict(other)
    plateau_state = lrparity.torch_scheduler(Plateau(), sgd()).state_dict()
    with pytest.raises(ValueError, match="plateau"):
        s.load_state_dict(plateau_state)
    native = N.CosineAnnealingLR(sgd(), 100).state_dict()
    with pytest.raises(ValueError, match="native torch scheduler's state"):
        s.load_state_dict(native)
    with pytest.raises(ValueError, match="version"):
        s.load_state_dict({**before[3], "lrparity": 2})
    with pytest.raises(ValueError, match="step"):
        s.load_state_dict({**before[3], "step": -1})
    with pytest.raises(ValueError, match="base_lrs"):
        s.load_state_dict({**before[3], "base_lrs": [0.1, 0.2]})
    assert (lrs(opt), s.last_epoch, s._step_count, s.state_dict()) == before


def test_state_of_a_lambda_schedule() -> None:
    """A lambda cannot be saved: "schedule" is None, and two lambda schedules accept each other's state."""
    opt = sgd()
    s = lrparity.torch_scheduler(Lambda(lambda t: 0.5**t), opt)
    run(opt, s, 4)
    state = s.state_dict()
    assert state["schedule"] is None
    other = sgd()
    t = lrparity.torch_scheduler(Lambda(lambda t: 0.5**t), other)
    t.load_state_dict(state)
    assert lrs(other) == lrs(opt)
    with pytest.raises(ValueError, match="cannot match"):
        lrparity.torch_scheduler(Lambda(module_fn), sgd()).load_state_dict(state)


def test_base_lrs_from_the_state_win_as_in_torch() -> None:
    a = sgd((0.2,))
    s = lrparity.torch_scheduler(Step(1, 0.5), a)
    run(a, s, 3)
    b = sgd((0.7,))
    t = lrparity.torch_scheduler(Step(1, 0.5), b)
    t.load_state_dict(s.state_dict())
    assert lrs(b) == lrs(a) and t.base_lrs == [0.2]


# ------------------------------------------------------------------------------------------------------------
# param groups
# ------------------------------------------------------------------------------------------------------------
def test_one_base_per_group_and_one_computation_per_distinct_base() -> None:
    opt = sgd((0.1, 0.1, 0.3))
    s = lrparity.torch_scheduler(Cosine(10), opt)
    assert len(s._table.tracks) == 2
    run(opt, s, 4)
    assert lrs(opt) == [Cosine(10).value(4, b) for b in (0.1, 0.1, 0.3)]
    opt = sgd((0.1, 0.2, 0.3))
    s = lrparity.torch_scheduler(OneCycle(0.5, 10), opt)  # absolute: one computation for every group
    assert len(s._table.tracks) == 1 and lrs(opt) == [OneCycle(0.5, 10).value(0)] * 3


def test_add_param_group_joins_at_the_current_step_from_its_own_lr() -> None:
    opt = sgd((0.1,))
    s = lrparity.torch_scheduler(Cosine(20), opt)
    run(opt, s, 5)
    opt.add_param_group({"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 0.4})
    run(opt, s, 3)
    assert lrs(opt) == [Cosine(20).value(8, 0.1), Cosine(20).value(8, 0.4)]
    assert s.base_lrs == [0.1, 0.4] and opt.param_groups[1]["initial_lr"] == 0.4
    assert len(s.get_last_lr()) == 2


def test_add_param_group_is_refused_by_a_per_group_schedule() -> None:
    opt = sgd((0.1,))
    s = lrparity.torch_scheduler(PerGroup([Cosine(20)]), opt)
    with pytest.raises(ValueError, match="PerGroup of 1 schedules, one per param group, and has none for group 1"):
        opt.add_param_group({"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 0.4})
    assert len(opt.param_groups) == 1
    type(opt).add_param_group(opt, {"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 0.4})  # bypassed
    with pytest.raises(ValueError, match="PerGroup of 1 schedules but the optimizer has 2 param groups"):
        s.step()


# ------------------------------------------------------------------------------------------------------------
# fields
# ------------------------------------------------------------------------------------------------------------
def test_one_cycle_momentum_on_sgd_and_beta1_on_adam() -> None:
    schedule = OneCycle(0.1, 30, cycle_momentum=True)
    momentum = schedule.companions()["momentum"]
    opt = sgd()
    s = lrparity.torch_scheduler(schedule, opt)
    got = run(opt, s, 30, "momentum")
    assert [m[0] for m in got] == momentum.values(range(30)).tolist()
    opt = adam(betas=(0.5, 0.98))
    s = lrparity.torch_scheduler(schedule, opt)
    for t in range(30):
        assert opt.param_groups[0]["betas"] == (momentum.value(t), 0.98)
        opt.step()
        s.step()


def test_momentum_on_an_optimizer_without_one_is_refused() -> None:
    params = [torch.nn.Parameter(torch.zeros(1))]
    with pytest.raises(ValueError, match="neither 'momentum' nor 'betas'"):
        lrparity.torch_scheduler(OneCycle(0.1, 30, cycle_momentum=True), torch.optim.Adagrad(params))


def test_any_field_with_field_or_a_mapping() -> None:
    opt = sgd((0.1, 0.2), weight_decay=1e-2)
    s = lrparity.torch_scheduler(Cosine(10), opt, field="weight_decay")
    got = run(opt, s, 12, "weight_decay")
    assert [row[0] for row in got] == Cosine(10).values(range(12), 1e-2).tolist()
    assert lrs(opt) == [0.1, 0.2] and s.schedule is None and s.get_last_lr() == [0.1, 0.2]
    assert opt.param_groups[0]["initial_weight_decay"] == 1e-2

    opt = sgd((0.1,), weight_decay=1e-2)
    s = lrparity.torch_scheduler({"lr": Step(3, 0.5), "weight_decay": Linear(1.0, 0.0, 10)}, opt)
    for t in range(12):
        g = opt.param_groups[0]
        assert (g["lr"], g["weight_decay"]) == (Step(3, 0.5).value(t, 0.1), Linear(1.0, 0.0, 10).value(t, 1e-2))
        opt.step()
        s.step()
    state = s.state_dict()
    assert set(state["fields"]) == {"lr", "weight_decay"}
    other = lrparity.torch_scheduler({"lr": Step(3, 0.5), "weight_decay": Linear(1.0, 0.5, 10)}, sgd(weight_decay=0.0))
    with pytest.raises(ValueError, match="different fields"):
        other.load_state_dict(state)


def test_momentum_driven_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="driven twice"):
        lrparity.torch_scheduler({"lr": OneCycle(0.1, 10, cycle_momentum=True), "momentum": Constant()}, sgd())


# ------------------------------------------------------------------------------------------------------------
# tensor learning rates and torch.compile
# ------------------------------------------------------------------------------------------------------------
def test_tensor_lr_is_updated_in_place() -> None:
    lr = torch.tensor(0.1)
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(2))], lr=lr, momentum=0.9)
    s = lrparity.torch_scheduler(Cosine(10), opt)
    base = lr.item()  # the base is the float32 tensor's value, as torch's base_lrs
    for t in range(12):
        assert opt.param_groups[0]["lr"] is lr
        assert lr.item() == torch.tensor(Cosine(10).value(t, base)).item()  # float32 of the float64 value
        last = s.get_last_lr()[0]
        assert isinstance(last, torch.Tensor) and last is not lr and torch.equal(last, lr)
        opt.step()
        s.step()


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # torch.jit, imported by dynamo
def test_compiled_optimizer_step_has_zero_recompiles_over_20_scheduled_steps() -> None:
    import torch._dynamo

    torch._dynamo.reset()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        net = torch.nn.Linear(4, 1)
        lr = torch.tensor(0.01)
        opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=0.9)
        sched = lrparity.torch_scheduler(Warmup(Cosine(30), 5, start_factor=0.1), opt)
        graphs: list[Any] = []

        def counting_backend(gm: Any, example_inputs: Any) -> Any:
            graphs.append(gm)
            return gm.forward

        step = torch.compile(opt.step, backend=counting_backend)
        x, y = torch.randn(8, 4), torch.randn(8, 1)

        def train_step() -> None:
            opt.zero_grad()
            ((net(x) - y) ** 2).mean().backward()
            step()
            sched.step()

        train_step()  # compile
        train_step()  # SGD's momentum buffers now exist: the steady-state graph
        compiled = len(graphs)
        with torch._dynamo.config.patch(error_on_recompile=True):
            for _ in range(20):
                train_step()
        assert len(graphs) == compiled
        assert opt.param_groups[0]["lr"] is lr
        base = torch.tensor(0.01).item()
        assert lr.item() == torch.tensor(sched.schedule.value(22, base)).item()  # type: ignore[union-attr]
    finally:
        torch.set_num_threads(threads)
        torch._dynamo.reset()


# ------------------------------------------------------------------------------------------------------------
# ReduceLROnPlateau
# ------------------------------------------------------------------------------------------------------------
def test_plateau_scheduler_is_torch_reduce_lr_on_plateau() -> None:
    opt = sgd((0.1, 0.2))
    s = lrparity.torch_scheduler(Plateau(patience=1), opt)
    assert isinstance(s, PlateauScheduler) and isinstance(s, N.ReduceLROnPlateau)
    for m in [1.0, 1.0, 1.0]:
        s.step(m)
    assert lrs(opt) == [0.1 * 0.1, 0.2 * 0.1]
    assert (s.best, s.num_bad_epochs, s.cooldown_counter, s.last_epoch) == (1.0, 0, 0, 3)
    s2 = PlateauScheduler(sgd((0.1, 0.2)), mode="max", patience=2, min_lr=[0.01, 0.02])
    assert s2.plateau == Plateau(mode="max", patience=2, min_lr=(0.01, 0.02))
    with pytest.raises(TypeError, match="not both"):
        PlateauScheduler(sgd(), Plateau(), patience=3)


def test_plateau_state_round_trip_and_mismatch() -> None:
    metrics = [1.0, 0.9, 0.9, 0.9, 0.95, 0.8, 0.8, 0.8, 0.8]
    plateau = Plateau(patience=1, cooldown=1, factor=0.5)
    a = sgd((0.1, 0.2))
    ref = lrparity.torch_scheduler(plateau, a)
    full = []
    for m in metrics:
        ref.step(m)
        full.append(lrs(a))
    for k in range(len(metrics)):
        src_opt = sgd((0.1, 0.2))
        src = lrparity.torch_scheduler(plateau, src_opt)
        for m in metrics[:k]:
            src.step(m)
        dst_opt = sgd((0.1, 0.2))
        dst = lrparity.torch_scheduler(plateau, dst_opt)
        dst.load_state_dict(json.loads(json.dumps(src.state_dict())))
        for i, m in enumerate(metrics[k:]):
            dst.step(m)
            assert lrs(dst_opt) == full[k + i]
    other = lrparity.torch_scheduler(Plateau(patience=2), sgd((0.1, 0.2)))
    before = other.state_dict()
    with pytest.raises(ValueError, match="different plateau"):
        other.load_state_dict(ref.state_dict())
    assert other.state_dict() == before
    with pytest.raises(ValueError, match="no plateau state"):
        lrparity.torch_scheduler(plateau, sgd((0.1, 0.2))).load_state_dict({**ref.state_dict(), "plateau": None})


def test_plateau_reads_the_group_lr_as_torch_does() -> None:
    """Another scheduler may move the lr between plateau steps (warmup + plateau): the reduction uses it."""
    opt = sgd()
    s = lrparity.torch_scheduler(Plateau(patience=0), opt)
    opt.param_groups[0]["lr"] = 0.4
    s.step(1.0)
    s.step(2.0)
    assert lrs(opt) == [0.4 * 0.1]


# ------------------------------------------------------------------------------------------------------------
# from_native and replace_native
# ------------------------------------------------------------------------------------------------------------
def test_from_native_refuses_other_objects_naming_the_class() -> None:
    class MyStep(N.StepLR):
        pass

    with pytest.raises(TypeError, match="MyStep"):
        from_native(MyStep(sgd(), 3))
    with pytest.raises(TypeError, match="LambdaLR"):  # the message lists the supported classes
        from_native(object())
    with pytest.raises(TypeError, match="not a torch or paddle"):
        lrparity.from_native(object())


def test_from_native_dispatches_on_classes() -> None:
    class MyStep(N.StepLR):
        pass

    class Custom(N.LRScheduler):
        def get_lr(self) -> list[float]:
            return [0.5 for _ in self.optimizer.param_groups]

    subclass = r"MyStep is a subclass of torch's StepLR, and a subclass may override get_lr\(\); convert its base class"
    subclass += r" explicitly: build a torch\.optim\.lr_scheduler\.StepLR"
    for convert in (lrparity.from_native, from_native):
        with pytest.raises(TypeError, match=subclass):
            convert(MyStep(sgd(), 3))
        with pytest.raises(TypeError, match="Custom is not one of torch's built-in schedulers"):
            convert(Custom(sgd()))
    with pytest.raises(TypeError, match=r"got the optimizer \(torch\.optim\.sgd\.SGD\); pass its learning-rate sched"):
        lrparity.from_native(sgd())
    with pytest.raises(TypeError, match=r"builtins\.dict is not a torch or paddle learning-rate scheduler"):
        lrparity.from_native({})
    o = sgd()
    with pytest.raises(TypeError, match="MyStep is a subclass of torch's StepLR"):  # inside a container too
        lrparity.from_native(N.SequentialLR(o, [N.ConstantLR(o), MyStep(o, 3)], [4]))


def test_containers_convert_an_lrparity_member_as_at_top_level() -> None:
    a = sgd((0.1, 0.3))
    live = N.SequentialLR(a, [N.LinearLR(a, 0.1, 1.0, 5), lrparity.torch_scheduler(Cosine(30), a)], [5])
    schedule = lrparity.from_native(live)
    assert schedule == Sequence([Linear(0.1, 1.0, 5, form="recursive"), Cosine(30)], [5])
    b = sgd((0.1, 0.3))
    assert run(a, live, 40) == run(b, lrparity.torch_scheduler(schedule, b), 40)
    a = sgd((0.1, 0.3))
    first = N.SequentialLR(a, [lrparity.torch_scheduler(OneCycle(0.2, 10), a), N.ExponentialLR(a, 0.9)], [10])
    assert lrparity.from_native(first) == Sequence([OneCycle(0.2, 10), Exponential(0.9)], [10])
    o = sgd()
    assert lrparity.from_native(N.ChainedScheduler([lrparity.torch_scheduler(Step(3), o)])) == Step(3)
    o = sgd()
    chained = N.ChainedScheduler([lrparity.torch_scheduler(Exponential(0.99), o), N.StepLR(o, 30, 0.5)])
    with pytest.raises(ValueError, match="member 0 is an lrparity Scheduler, which writes absolute values"):
        lrparity.from_native(chained)
    o = sgd()
    momentum = N.SequentialLR(o, [N.ConstantLR(o), Scheduler(o, OneCycle(0.1, 50, cycle_momentum=True))], [5])
    with pytest.raises(ValueError, match=r"drives \['lr', 'momentum'\]"):
        lrparity.from_native(momentum)


def test_from_native_refusals_say_why() -> None:
    o = sgd()
    with pytest.raises(ValueError, match="129565"):
        from_native(N.ChainedScheduler([N.LambdaLR(o, module_fn), N.ExponentialLR(o, 0.9)]))
    o = sgd()
    with pytest.raises(ValueError, match="affine"):
        from_native(N.ChainedScheduler([N.CosineAnnealingLR(o, 10, 0.01), N.ExponentialLR(o, 0.9)]))
    o = sgd()
    with pytest.raises(ValueError, match="MultiplicativeLR"):
        from_native(N.SequentialLR(o, [N.ConstantLR(o), N.MultiplicativeLR(o, module_fn)], [3]))
    o = sgd()
    with pytest.raises(ValueError, match="cycle_momentum"):
        from_native(N.SequentialLR(o, [N.LinearLR(o), N.OneCycleLR(o, 0.1, 100)], [5]))


def test_from_native_warns_where_the_native_deviates() -> None:
    o = sgd()
    last = N.CosineAnnealingWarmRestarts(o, 5)
    with pytest.warns(NativeMismatchWarning, match="129565"):
        assert from_native(N.ChainedScheduler([N.StepLR(o, 3), last])) == from_native(last)


def test_from_native_of_a_one_cycle_recovers_its_arguments() -> None:
    o = sgd((0.1, 0.2))
    native = N.OneCycleLR(
        o, [0.3, 0.7], epochs=3, steps_per_epoch=37, pct_start=0.17, div_factor=7.0, final_div_factor=3e3
    )
    s = from_native(native)
    assert isinstance(s, PerGroup)
    assert s.schedules[0] == OneCycle(
        0.3, 111, pct_start=0.17, div_factor=7.0, final_div_factor=3e3, cycle_momentum=True
    )


def test_from_native_of_our_own_schedulers() -> None:
    assert from_native(lrparity.torch_scheduler(Cosine(5), sgd())) == Cosine(5)
    assert from_native(lrparity.torch_scheduler(Plateau(patience=3), sgd())) == Plateau(patience=3)


def test_replace_native_continues_where_the_native_is() -> None:
    a, b = sgd((0.1, 0.2)), sgd((0.1, 0.2))
    ref = N.OneCycleLR(a, [0.3, 0.5], 100)
    native = N.OneCycleLR(b, [0.3, 0.5], 100)
    expected = run(a, ref, 100)
    run(b, native, 40)
    assert native_step(native) == 40
    ours = replace_native(native)
    assert ours.optimizer is b and ours.last_epoch == 40
    assert run(b, ours, 60) == expected[40:]


def test_replace_native_plateau_keeps_its_state() -> None:
    a, b = sgd(), sgd()
    ref, native = N.ReduceLROnPlateau(a, patience=2, cooldown=1), N.ReduceLROnPlateau(b, patience=2, cooldown=1)
    metrics = [1.0, 0.5, 0.6, 0.6, 0.6, 0.6, 0.4, 0.45, 0.45, 0.45, 0.45, 0.45]
    for m in metrics[:5]:
        ref.step(m)
        native.step(m)
    ours = replace_native(native)
    for m in metrics[5:]:
        ref.step(m)
        ours.step(m)
        assert lrs(b) == lrs(a) and ours.best == ref.best and ours.num_bad_epochs == ref.num_bad_epochs


def test_torch_scheduler_reads_a_config_dict() -> None:
    s = torch_scheduler(Cosine(7).to_config(), sgd())
    assert isinstance(s, Scheduler) and s.schedule == Cosine(7)
    assert isinstance(torch_scheduler(Plateau().to_config(), sgd()), PlateauScheduler)
    with pytest.raises(ValueError, match="Plateau drives the lr from step 0"):
        torch_scheduler(Plateau(), sgd(), last_epoch=3)


def test_nan_free_values() -> None:
    opt = sgd()
    s = lrparity.torch_scheduler(Cosine(3), opt)
    assert all(math.isfinite(v[0]) for v in run(opt, s, 20))


def test_relative_momentum_on_adam_scales_its_initial_beta1() -> None:
    opt = adam(betas=(0.8, 0.99))
    s = lrparity.torch_scheduler(Linear(1.0, 0.5, 4), opt, field="momentum")
    assert opt.param_groups[0]["initial_momentum"] == 0.8
    for t in range(6):
        assert opt.param_groups[0]["betas"] == (Linear(1.0, 0.5, 4).value(t, 0.8), 0.99)
        opt.step()
        s.step()


def test_multi_field_state_round_trip() -> None:
    fields = {"lr": Cosine(20), "weight_decay": Step(3, 0.5)}
    a = sgd((0.1, 0.2), weight_decay=1e-2)
    src = lrparity.torch_scheduler(fields, a)
    run(a, src, 7)
    state = json.loads(json.dumps(src.state_dict()))
    b = sgd((0.1, 0.2), weight_decay=5.0)  # another weight decay: the saved bases win
    dst = lrparity.torch_scheduler(fields, b)
    dst.load_state_dict(state)
    for ga, gb in zip(a.param_groups, b.param_groups):
        assert (ga["lr"], ga["weight_decay"]) == (gb["lr"], gb["weight_decay"])
    run(a, src, 5)
    run(b, dst, 5)
    assert [g["weight_decay"] for g in a.param_groups] == [g["weight_decay"] for g in b.param_groups]


def test_from_native_warns_about_a_cawr_resumed_inconsistently() -> None:
    o = sgd()
    o.param_groups[0]["initial_lr"] = 0.1
    native = N.CosineAnnealingWarmRestarts(o, 5, 2, last_epoch=30)
    with pytest.warns(NativeMismatchWarning, match="T_cur"):
        assert from_native(native) == lrparity.CosineRestarts(5, 2)


def test_a_lambda_that_fails_past_its_table_works_up_to_its_end() -> None:
    table = [0.5**k for k in range(100)]
    opt = sgd()
    s = lrparity.torch_scheduler(Lambda(lambda t: table[t]), opt)
    got = run(opt, s, 99)
    assert [row[0] for row in got] == [0.1 * v for v in table[:99]]
    assert s.last_epoch == 99 and lrs(opt) == [0.1 * table[99]]
    with pytest.raises(IndexError):  # step 100 is past the table, as it would be for torch's LambdaLR
        s.step()
    assert s.last_epoch == 99 and lrs(opt) == [0.1 * table[99]]


# ------------------------------------------------------------------------------------------------------------
# absolute values: what another writer changed is reported, a chain that cannot work is refused
# ------------------------------------------------------------------------------------------------------------
def _foreign(records: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in records if issubclass(w.category, ForeignWriteWarning)]


def test_a_value_changed_by_another_scheduler_is_reported_once_naming_the_group_and_both_values() -> None:
    opt = sgd((0.1, 0.2))
    ours = lrparity.torch_scheduler(Exponential(0.99), opt)
    other = N.StepLR(opt, 30, 0.5)  # stepped by hand next to ours: it halves the lr at step 30
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        for t in range(1, 200):
            opt.step()
            ours.step()
            other.step()
            if t < 30:
                assert not _foreign(records)
    messages = _foreign(records)
    assert len(messages) == 1  # once per scheduler
    wrote, found = Exponential(0.99).value(30, 0.1), Exponential(0.99).value(30, 0.1) * 0.5
    assert f"param_groups[0]['lr'] is {found!r}" in messages[0]
    assert f"wrote {wrote!r}" in messages[0] and "step 31" in messages[0]
    assert "absolute values" in messages[0] and "lrparity.Chain" in messages[0]


def test_a_hand_written_value_and_an_in_place_tensor_change_are_reported() -> None:
    opt = sgd((0.1, 0.2))
    s = lrparity.torch_scheduler(Cosine(50), opt)
    opt.step()
    s.step()
    opt.param_groups[1]["lr"] = 0.5
    with pytest.warns(ForeignWriteWarning, match=r"param_groups\[1\]\['lr'\] is 0\.5, but .* wrote 0\.199"):
        s.step()
    assert lrs(opt) == [Cosine(50).value(2, b) for b in (0.1, 0.2)]  # the step is done all the same

    lr = torch.tensor(0.1)
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(2))], lr=lr)
    s = lrparity.torch_scheduler(Cosine(50), opt)
    opt.step()
    s.step()
    lr.mul_(0.5)  # in place, as torch's own schedulers change a tensor lr
    with pytest.warns(ForeignWriteWarning, match=r"param_groups\[0\]\['lr'\] is 0\.0499"):
        s.step()
    assert opt.param_groups[0]["lr"] is lr

    opt = adam((0.1,))
    s = lrparity.torch_scheduler(OneCycle(0.1, 100, cycle_momentum=True), opt)
    opt.step()
    s.step()
    opt.param_groups[0]["betas"] = (0.5, 0.999)
    with pytest.warns(ForeignWriteWarning, match=r"param_groups\[0\]\['betas'\]\[0\] \(momentum\) is 0\.5"):
        s.step()


def test_a_plateau_reduction_overwritten_by_a_step_schedule_is_reported() -> None:
    opt = sgd()
    warm = lrparity.torch_scheduler(Warmup(Constant(), 5), opt)
    plateau = lrparity.torch_scheduler(Plateau(patience=0), opt)
    opt.step()
    warm.step()
    plateau.step(1.0)
    plateau.step(1.0)  # no improvement: reduced to a tenth
    with pytest.warns(ForeignWriteWarning, match="lrparity writes absolute values"):
        warm.step()


@pytest.mark.filterwarnings("error::lrparity.backends.torch.ForeignWriteWarning")
def test_no_report_where_nothing_else_writes() -> None:
    """Steps, jumps, state loads, tensors, betas and several fields: every value is the one written last."""
    lr = torch.tensor(0.1, dtype=torch.float64)
    params = [torch.nn.Parameter(torch.zeros(2)) for _ in range(2)]
    opt = torch.optim.Adam([{"params": [params[0]], "lr": lr}, {"params": [params[1]], "lr": 0.3, "weight_decay": 0.1}])
    s = lrparity.torch_scheduler({"lr": OneCycle(0.1, 200, cycle_momentum=True), "weight_decay": Cosine(200)}, opt)
    run(opt, s, 20)
    with pytest.warns(UserWarning, match="epoch parameter"):
        s.step(50)
    run(opt, s, 5)
    s.load_state_dict(s.state_dict())
    run(opt, s, 5)
    opt2 = sgd((0.1, 0.1))
    s2 = lrparity.torch_scheduler(Constant(), opt2)
    same = N.StepLR(opt2, 3, 1.0)  # rewrites the same values: nothing is lost
    for _ in range(10):
        opt2.step()
        s2.step()
        same.step()


def test_the_issue_chain_is_refused_at_its_first_step_and_lrparity_chain_is_the_product() -> None:
    a = sgd()
    native = N.ChainedScheduler([N.ExponentialLR(a, 0.99), N.StepLR(a, 30, 0.5)])
    expected = run(a, native, 200)
    for order in (0, 1):
        b = sgd()
        members = [lrparity.torch_scheduler(Exponential(0.99), b), N.StepLR(b, 30, 0.5)]
        chained = N.ChainedScheduler(members[::-1] if order else members)
        b.step()
        with pytest.raises(ValueError, match=r"ChainedScheduler together with member \d, a StepLR, which also writes "
                                             r"\['lr'\].*lrparity\.Chain"):  # fmt: skip
            chained.step()
    c = sgd()
    product = lrparity.torch_scheduler(Chain([Exponential(0.99), Step(30, 0.5)]), c)
    ours = [g[0] for g in run(c, product, 200)]
    assert ours == pytest.approx([g[0] for g in expected], rel=1e-12, abs=0)


@pytest.mark.filterwarnings("error::lrparity.backends.torch.ForeignWriteWarning")
def test_a_chain_of_members_on_different_fields_runs() -> None:
    opt = sgd((0.1,), weight_decay=0.01)
    chained = N.ChainedScheduler(
        [lrparity.torch_scheduler(Cosine(20), opt), lrparity.torch_scheduler(Step(5, 0.5), opt, field="weight_decay")]
    )
    got = run(opt, chained, 12)
    assert [g[0] for g in got] == [Cosine(20).value(t, 0.1) for t in range(12)]
    assert [o.param_groups[0]["weight_decay"] for o in [opt]] == [Step(5, 0.5).value(12, 0.01)]
    alone = sgd()
    one = N.ChainedScheduler([lrparity.torch_scheduler(Cosine(20), alone)])
    assert run(alone, one, 5) == [[Cosine(20).value(t, 0.1)] for t in range(5)]


# ------------------------------------------------------------------------------------------------------------
# absolute compositions, groups added later
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "schedule",
    [
        Warmup(OneCycle(0.1, 100), 10),
        Warmup(Cyclic(0.01, 0.1, 20), 10, start_lr=0.001),
        Warmup(Piecewise([30], [0.1, 0.01]), 10),
        Warmup(WithBaseLR(Step(20, 0.5), 0.05), 10, shape="constant", end_factor=0.5),
        Sequence([Piecewise([30], [0.1, 0.01]), OneCycle(0.1, 100)], [50]),
        Chain([OneCycle(0.1, 100), Step(20, 0.5)]),
        Shift(Warmup(OneCycle(0.1, 100), 10), 5),
    ],
    ids=repr,
)
def test_an_absolute_composition_resumes_without_initial_lr(schedule: Any) -> None:
    assert schedule.uses_base_lr is False
    opt = sgd((0.1, 0.7))
    s = lrparity.torch_scheduler(schedule, opt, last_epoch=19)  # no initial_lr in the groups: none needed
    assert lrs(opt) == [schedule.value(20)] * 2 and s.last_epoch == 20
    assert len(s._table.tracks) == 1  # one computation for every group


def test_add_param_group_gets_the_scheduled_value_at_once() -> None:
    opt = sgd((0.1,), momentum=0.0)
    s = lrparity.torch_scheduler(Cosine(20), opt)
    run(opt, s, 5)
    new = torch.nn.Parameter(torch.zeros(1))
    opt.add_param_group({"params": [new], "lr": 0.4})
    assert lrs(opt) == [Cosine(20).value(5, 0.1), Cosine(20).value(5, 0.4)]
    assert s.get_last_lr() == lrs(opt) and s.base_lrs == [0.1, 0.4]
    new.grad = torch.ones(1)
    opt.step()  # the next optimizer step uses the schedule's value at the current step
    assert new.item() == pytest.approx(-Cosine(20).value(5, 0.4), rel=1e-7)
    tensor = torch.tensor(0.4, dtype=torch.float64)
    opt.add_param_group({"params": [torch.nn.Parameter(torch.zeros(1))], "lr": tensor})
    assert opt.param_groups[2]["lr"] is tensor and tensor.item() == Cosine(20).value(5, 0.4)
    absolute = sgd((0.1,))
    s = lrparity.torch_scheduler(OneCycle(0.5, 20), absolute)
    run(absolute, s, 3)
    absolute.add_param_group({"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 9.0})
    assert lrs(absolute) == [OneCycle(0.5, 20).value(3)] * 2


@pytest.mark.filterwarnings("error::lrparity.backends.torch.ForeignWriteWarning")
def test_add_param_group_in_a_sequential_lr_takes_the_running_phase() -> None:
    opt = sgd((0.1,))
    seq = N.SequentialLR(opt, [Scheduler(opt, Constant(0.5)), Scheduler(opt, Exponential(0.5))], [10])
    run(opt, seq, 3)
    opt.add_param_group({"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 0.2})
    assert lrs(opt) == [0.05, 0.1]  # the running phase's value, not the waiting phase's
    got = run(opt, seq, 12)
    assert got[-1] == [Exponential(0.5).value(4, b) for b in (0.1, 0.2)]


def test_add_param_group_survives_pickling_and_copies() -> None:
    opt = sgd((0.1,))
    s = lrparity.torch_scheduler(Cosine(20), opt)
    run(opt, s, 4)
    for clone in (pickle.loads(pickle.dumps(s)), copy.deepcopy(s)):
        clone.optimizer.add_param_group({"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 0.3})
        assert lrs(clone.optimizer) == [Cosine(20).value(4, 0.1), Cosine(20).value(4, 0.3)]
    assert len(opt.param_groups) == 1


def test_plateau_with_a_start_lr_starts_every_group_from_it() -> None:
    opt = sgd((0.1, 0.3))
    s = lrparity.torch_scheduler(Plateau(patience=0, start_lr=0.05), opt)
    assert lrs(opt) == [0.05, 0.05]
    s.step(1.0)
    s.step(1.0)
    assert lrs(opt) == [0.005000000000000001] * 2
    fresh = lrparity.torch_scheduler(Plateau(patience=0), sgd((0.1, 0.3)))
    fresh.load_state_dict(s.state_dict())  # start_lr only places the first lrs: the state's lrs replace them
    assert fresh.state == s.state
