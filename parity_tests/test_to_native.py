"""``lrparity.to_native``, the inverse of ``from_native``, against the real natives, every step.

For every native of the parity grids (torch's 15 classes in 1 and 3 param groups, paddle's 17, the plateaus) and
every catalogue entry with a native:

- ``from_native(to_native(s))`` gives ``s`` back (``s = from_native(native)``: the natives' own core form);
- the natives ``to_native`` builds compute ``s`` at every step: bit-identical to the original natives, and to the
  core (through the lrparity backend) within the tolerance the native table gives (0.0 where the native is a closed
  form or a recursion the core replays, 1e-12 where a recursion meets a closed form);
- ``to_native_code`` prints code that, run as printed, builds natives with the same values.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import warnings
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")
paddle = pytest.importorskip("paddle")

import lrparity  # noqa: E402
from lrparity.backends import natives  # noqa: E402
from parity_tests.test_paddle_parity import GRID as PADDLE_GRID  # noqa: E402
from parity_tests.test_paddle_parity import PLATEAUS as PADDLE_PLATEAUS  # noqa: E402
from parity_tests.test_paddle_parity import _metrics as paddle_metrics  # noqa: E402
from parity_tests.test_paddle_parity import lrs  # noqa: E402
from parity_tests.test_torch_parity import CASES as TORCH_CASES  # noqa: E402
from parity_tests.test_torch_parity import PLATEAUS as TORCH_PLATEAUS  # noqa: E402
from parity_tests.test_torch_parity import convert, diff, make_optimizer, metrics, read  # noqa: E402

pytestmark = [
    pytest.mark.filterwarnings("ignore:" + re.escape("Detected call of `lr_scheduler.step()`")),
    pytest.mark.filterwarnings("ignore::lrparity.backends.torch.NativeMismatchWarning"),
]


def _exec_code(source: str) -> Any:
    """``build_scheduler`` of printed code, run as printed in a fresh namespace."""
    namespace: dict[str, Any] = {}
    exec(compile(source, "<to_native_code>", "exec"), namespace)
    return namespace["build_scheduler"]


def _held(a: np.ndarray, b: np.ndarray, rtol: float, what: str) -> None:
    max_abs, max_rel, n = diff(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64))
    if rtol == 0:
        assert n == 0, f"{what}: {n} values not bit-identical (max abs {max_abs:.3g})"
    else:
        assert max_rel <= rtol, f"{what}: max rel {max_rel:.3g} > {rtol:g}"


# ------------------------------------------------------------------------------------------------------------
# torch
# ------------------------------------------------------------------------------------------------------------
TORCH_PARAMS = [pytest.param(case, groups, id=f"{case.id}-{groups}g") for case in TORCH_CASES for groups in case.groups]


@pytest.mark.parametrize(("case", "groups"), TORCH_PARAMS)
def test_torch_round_trip(case: Any, groups: int) -> None:
    original_opt = make_optimizer(groups, case.adam)
    original = case.make(original_opt, -1)
    schedule = convert(original, case.replay)
    rebuilt_opt, ours_opt = make_optimizer(groups, case.adam), make_optimizer(groups, case.adam)
    rebuilt = lrparity.to_native(schedule, rebuilt_opt)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert natives("torch").from_native(rebuilt, replay=case.replay) == schedule
    ours = lrparity.torch_scheduler(schedule, ours_opt)
    rtol = natives("torch").plan(schedule, [g["lr"] for g in make_optimizer(groups).param_groups]).rtol
    a, b, c = (np.empty((case.steps, 2 * groups)) for _ in range(3))
    for t in range(case.steps):
        a[t], b[t], c[t] = read(original_opt), read(rebuilt_opt), read(ours_opt)
        if t < case.steps - 1:
            original.step()
            rebuilt.step()
            ours.step()
    _held(a, b, 0.0, f"{case.id}: rebuilt natives vs the original natives")
    _held(c, b, rtol, f"{case.id}: rebuilt natives vs the core")


@pytest.mark.parametrize("groups", [1, 3])
@pytest.mark.parametrize("name", sorted(TORCH_PLATEAUS))
def test_torch_plateau_round_trip(name: str, groups: int) -> None:
    settings = dict(TORCH_PLATEAUS[name])
    if settings.get("min_lr") == "per-group":
        settings["min_lr"] = [1e-3, 2e-2, 1e-4][:groups]
    o1, o2 = make_optimizer(groups), make_optimizer(groups)
    original = torch.optim.lr_scheduler.ReduceLROnPlateau(o1, **settings)
    plateau = lrparity.from_native(original)
    rebuilt = lrparity.to_native(plateau, o2)
    assert type(rebuilt) is torch.optim.lr_scheduler.ReduceLROnPlateau and lrparity.from_native(rebuilt) == plateau
    for m in metrics(600):
        original.step(m)
        rebuilt.step(m)
        assert [g["lr"] for g in o1.param_groups] == [g["lr"] for g in o2.param_groups]


CODE_CASES = [p for p in TORCH_PARAMS if p.values[1] == 3 or p.values[0].groups == (1,)]


@pytest.mark.parametrize(("case", "groups"), CODE_CASES)
def test_torch_code_builds_the_same_natives(case: Any, groups: int) -> None:
    schedule = convert(case.make(make_optimizer(groups, case.adam), -1), case.replay)
    lrs_of_groups = [g["lr"] for g in make_optimizer(groups).param_groups]
    try:
        source = lrparity.to_native_code(schedule, "torch", learning_rate=lrs_of_groups)
    except ValueError as exc:  # a lambda of the grid: only importable functions print
        assert "cannot be written as an import" in str(exc)
        return
    o1, o2 = make_optimizer(groups, case.adam), make_optimizer(groups, case.adam)
    built, expected = _exec_code(source)(o1), lrparity.to_native(schedule, o2)
    n = min(case.steps, 600)
    for t in range(n):
        assert read(o1) == read(o2)
        if t < n - 1:
            built.step()
            expected.step()


# ------------------------------------------------------------------------------------------------------------
# paddle
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("c", PADDLE_GRID, ids=[c.name for c in PADDLE_GRID])
def test_paddle_round_trip(c: Any) -> None:
    schedule = lrparity.from_native(c.make())
    rebuilt = lrparity.to_native(schedule, framework="paddle")
    assert lrparity.from_native(rebuilt) == schedule
    original, ours = lrs(c.make(), c.steps), lrs(lrparity.paddle_scheduler(schedule), c.steps)
    got = lrs(rebuilt, c.steps)
    _held(np.array(original), np.array(got), 0.0, f"{c.name}: rebuilt native vs the original")
    _held(np.array(ours), np.array(got), natives("paddle").plan(schedule).rtol, f"{c.name}: rebuilt native vs core")
    try:
        source = lrparity.to_native_code(schedule, "paddle")
    except ValueError as exc:
        assert "cannot be written as an import" in str(exc)
        return
    n = min(c.steps, 600)
    assert lrs(_exec_code(source)(), n) == got[:n]


@pytest.mark.parametrize("name", list(PADDLE_PLATEAUS))
def test_paddle_plateau_round_trip(name: str) -> None:
    kw, increasing = PADDLE_PLATEAUS[name]
    original = paddle.optimizer.lr.ReduceOnPlateau(**kw)
    plateau = lrparity.from_native(original)
    rebuilt = lrparity.to_native(plateau, framework="paddle")
    assert type(rebuilt) is paddle.optimizer.lr.ReduceOnPlateau and lrparity.from_native(rebuilt) == plateau
    for m in paddle_metrics(600, increasing):
        original.step(m)
        rebuilt.step(m)
        assert original() == rebuilt()


# ------------------------------------------------------------------------------------------------------------
# the catalogue: every entry's every native, built by to_native
# ------------------------------------------------------------------------------------------------------------
def _catalogue_natives() -> list[Any]:
    from lrparity.parity.catalogue import CATALOGUE

    return [pytest.param(e, fw, id=f"{e.name}-{fw}") for e in CATALOGUE for fw in sorted(e.natives)]


@pytest.mark.parametrize(("entry", "framework"), _catalogue_natives())
def test_catalogue_natives_compute_the_entry(entry: Any, framework: str) -> None:
    from lrparity.parity import runners

    schedule, base = entry.schedule, entry.base_lr
    rtol = entry.natives[framework].rtol
    core = runners.run_core(schedule, base, entry.steps)
    built: list[Any] = []

    def kept(native: Any) -> Any:
        built.append(native)
        return native

    if framework == "torch":
        got = runners.run_torch_native(lambda opt: kept(lrparity.to_native(schedule, opt)), base, entry.steps)
    else:
        paddle_native = lambda: kept(lrparity.to_native(schedule, framework="paddle", learning_rate=base))
        got = runners.run_paddle_native(paddle_native, entry.steps)
    _held(core, got, rtol, f"{entry.name}: {framework} native vs core")
    # from_native of the natives gives the schedule back (paddle pins a relative one to its learning_rate), or, where
    # the natives' own form differs (torch: a Warmup as a Sequence of Linear and the schedule; paddle: a Constant as
    # a Piecewise; the recursions' form="recursive"), a schedule with the same values, as close as the natives
    back = lrparity.from_native(built[0])
    if back not in (schedule, lrparity.WithBaseLR(schedule, base) if schedule.uses_base_lr else schedule):
        _held(core, runners.run_core(back, base, entry.steps), rtol, f"{entry.name}: from_native(to_native(s)) vs s")


# ------------------------------------------------------------------------------------------------------------
# the public function and the command
# ------------------------------------------------------------------------------------------------------------
def _sgd() -> Any:
    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)


def test_to_native_returns_the_frameworks_own_objects() -> None:
    warm_cosine = lrparity.Warmup(lrparity.Cosine(900), 100, start_factor=0.01)
    native = lrparity.to_native(warm_cosine, _sgd())
    assert type(native) is torch.optim.lr_scheduler.SequentialLR
    assert [type(s).__name__ for s in native._schedulers] == ["LinearLR", "CosineAnnealingLR"]
    native = lrparity.to_native(warm_cosine, framework="paddle", learning_rate=0.1)
    assert type(native) is paddle.optimizer.lr.LinearWarmup
    assert type(native.learning_rate) is paddle.optimizer.lr.CosineAnnealingDecay
    assert type(lrparity.to_native(warm_cosine.to_config(), _sgd())) is torch.optim.lr_scheduler.SequentialLR


def test_to_native_argument_errors() -> None:
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    with pytest.raises(TypeError, match="give the torch optimizer"):
        lrparity.to_native(lrparity.Step(10))
    with pytest.raises(TypeError, match="paddle's schedulers take no optimizer"):
        lrparity.to_native(lrparity.Step(10), opt, framework="paddle")
    with pytest.raises(TypeError, match=r"learning_rate=0\.1 is for paddle"):
        lrparity.to_native(lrparity.Step(10), opt, learning_rate=0.1)
    with pytest.raises(TypeError, match=r"must be a torch\.optim\.Optimizer"):
        lrparity.to_native(lrparity.Step(10), object(), framework="torch")
    with pytest.raises(ValueError, match="framework must be one of"):
        lrparity.to_native(lrparity.Step(10), framework="jax")
    with pytest.raises(ValueError, match="torch has no scheduler that computes Noam"):
        lrparity.to_native(lrparity.Noam(512, 4000), opt)
    opt.param_groups[0]["initial_lr"] = 0.2
    with pytest.raises(ValueError, match=r"holds initial_lr=0\.2 .* and lr=0\.1"):
        lrparity.to_native(lrparity.Step(10), opt)


def test_a_chain_with_a_cosine_warns_where_torch_parts_from_it() -> None:
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    with pytest.warns(lrparity.backends.torch.NativeMismatchWarning, match="step 11"):
        lrparity.to_native(lrparity.Chain([lrparity.Cosine(10), lrparity.Step(5, 0.5)]), opt)


def _export(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "lrparity", "export", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_export_command_prints_code_that_runs() -> None:
    schedule = lrparity.load_config(lrparity.__path__[0] + "/examples/warmup_cosine.yaml")
    r = _export("warmup_cosine", "--to", "torch")
    assert r.returncode == 0, r.stderr
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))], lr=0.1)
    native = _exec_code(r.stdout)(opt)
    values = []
    for _ in range(300):
        values.append(opt.param_groups[0]["lr"])
        opt.step()
        native.step()
    _held(schedule.values(range(300)), np.array(values), 1e-12, "lrparity export --to torch")
    r = _export("warmup_cosine", "--to", "paddle")
    assert r.returncode == 0, r.stderr
    assert lrs(_exec_code(r.stdout)(), 300) == schedule.values(range(300)).tolist()


def test_export_command_errors_are_one_line(tmp_path: Any) -> None:
    noise = tmp_path / "noise.json"
    noise.write_text(json.dumps(lrparity.Noise(lrparity.Cosine(100), pct=0.5, std=0.1).to_config()), encoding="utf-8")
    relative = tmp_path / "step.json"
    relative.write_text(json.dumps(lrparity.Step(300).to_config()), encoding="utf-8")
    for args, needle in [
        ((str(noise), "--to", "torch"), "torch has no scheduler that computes Noise"),
        (("step", "--to", "pytorch"), "--to 'pytorch': the kinds are torch, paddle"),
        ((str(relative), "--to", "paddle"), "give --base-lr LR"),
    ]:
        r = _export(*args)
        assert r.returncode == 2, (args, r.stdout)
        assert r.stderr.startswith("lrparity: error: ") and len(r.stderr.strip().splitlines()) == 1, r.stderr
        assert needle in r.stderr, (args, r.stderr)


def test_closed_form_cosine_native_drifts_past_t_max() -> None:
    """The documented limit of ``to_native`` (docs/torch.md, docs/paddle.md): CosineAnnealingLR/-Decay's recursion
    is within 1e-12 of a closed-form ``Cosine`` over its first ``T_max`` steps and drifts past it; the recursive form
    is what both natives compute, bit for bit, over both periods."""
    t_max, steps, base = 10_000, 20_000, 0.1
    closed = lrparity.Cosine(t_max, eta_min=0.01)
    recursive = lrparity.Cosine(t_max, eta_min=0.01, form="recursive")
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=base)
    native = lrparity.to_native(closed, opt)
    paddle_native = lrparity.to_native(closed, framework="paddle", learning_rate=base)
    torch_lrs, paddle_lrs = [], []
    for _ in range(steps):
        torch_lrs.append(opt.param_groups[0]["lr"])
        paddle_lrs.append(paddle_native.last_lr)
        opt.step()
        native.step()
        paddle_native.step()
    want = closed.values(range(steps), base)
    for got in (np.array(torch_lrs), np.array(paddle_lrs)):
        rel = np.abs(got - want) / want
        assert rel[: t_max + 1].max() <= 1e-12  # the claim, over the first T_max steps
        assert rel.max() > 1e-11  # past T_max the recursion drifts: the docs say so and point to form="recursive"
        assert np.array_equal(got, recursive.values(range(steps), base))
