"""A Plateau with a warmup phase: the core state machine, its config and state, both backends, and the exports that
cannot express it (timm's and GradualWarmupScheduler's parity against the real packages is in parity_tests/)."""

from __future__ import annotations

import json
import math
import warnings
from typing import Any

import pytest

import lrparity
from lrparity.core import (
    Constant,
    Cosine,
    IncrementalWarmup,
    Linear,
    OneCycle,
    PerGroup,
    Plateau,
    PlateauState,
    Warmup,
    WithBaseLR,
)

RAMP = IncrementalWarmup(Constant(), 4, start_lr=0.0, end_factor=1.0)  # 0, b/4, b/2, 3b/4, b
WARMED = Plateau(patience=1, warmup=RAMP, warmup_steps=4)
# an improving metric, then a stall; the warmup's metrics (1e-9, the best ever) must not count
METRICS = [1e-9] * 4 + [1.0, 0.9, 0.8, 0.8, 0.8, 0.8, 0.7, 0.7, 0.7, 0.7]


def _run(plateau: Plateau, lrs: Any, metrics: list[Any]) -> list[tuple[float, ...]]:
    state = plateau.initial_state(lrs)
    out = [state.lrs]
    for metric in metrics:
        state = plateau.update(state, metric)
        out.append(state.lrs)
    return out


# ------------------------------------------------------------------------------------------------------------ core
def test_the_warmup_sets_the_lr_and_ignores_the_metric() -> None:
    lrs = [v[0] for v in _run(WARMED, [0.4], METRICS)]
    assert lrs[:5] == [0.0, 0.1, 0.2, 0.30000000000000004, 0.4]
    # the plateau then starts afresh: best is the first metric after the warmup (1.0), not the warmup's 1e-9
    plain = [v[0] for v in _run(Plateau(patience=1), [0.4], METRICS[4:])]
    assert lrs[4:] == plain and min(lrs) < 0.4 and lrs[6] == 0.4


def test_the_plateau_starts_from_where_the_warmup_ended() -> None:
    end = WithBaseLR(Constant(), 0.25)  # the warmup's last step misses the base, as timm's ramp may by an ulp
    p = Plateau(patience=0, warmup=IncrementalWarmup(end, 2, start_lr=0.0, end_factor=1.0), warmup_steps=2)
    lrs = [v[0] for v in _run(p, 0.2, [None, None, 1.0, 2.0])]
    assert lrs == [0.0, 0.1, 0.25, 0.25, 0.025]


def test_counting_and_the_state_during_the_warmup() -> None:
    state = WARMED.initial_state([0.4, 0.2])
    assert state.base_lrs == (0.4, 0.2) and state.lrs == (0.0, 0.0) and state.last_epoch == 0
    for k in range(1, 5):
        state = WARMED.update(state, None)
        assert state.last_epoch == k and state.best == math.inf and state.num_bad_epochs == 0
    assert state.lrs == (0.4, 0.2)
    state = WARMED.update(state, 3.0)
    assert (state.last_epoch, state.best, state.base_lrs) == (5, 3.0, (0.4, 0.2))


def test_none_is_a_metric_only_during_the_warmup() -> None:
    state = WARMED.initial_state(0.1)
    with pytest.raises(TypeError, match="metric must be a number"):
        WARMED.update(state, "loss")  # still checked when ignored
    for _ in range(4):
        state = WARMED.update(state, None)
    with pytest.raises(TypeError, match="metric must be a number"):
        WARMED.update(state, None)


def test_per_group_warmups_on_each_groups_base() -> None:
    warmup = PerGroup([Linear(0.0, 1.0, 2), Constant(0.5)])
    p = Plateau(warmup=warmup, warmup_steps=2)
    assert _run(p, [0.2, 0.4], [None, None]) == [(0.0, 0.2), (0.1, 0.2), (0.2, 0.2)]


def test_a_paddle_plateau_warms_up_too() -> None:
    p = WARMED.replace(semantics="paddle", cooldown=1)
    lrs = [v[0] for v in _run(p, 0.4, METRICS)]
    assert lrs[:5] == [0.0, 0.1, 0.2, 0.30000000000000004, 0.4] and min(lrs) < 0.4


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"warmup_steps": 3}, ValueError, r"warmup_steps=3 needs a warmup schedule"),
        ({"warmup": RAMP}, ValueError, r"a warmup needs warmup_steps >= 1.*got 0"),
        ({"warmup": RAMP, "warmup_steps": -1}, ValueError, "warmup_steps"),
        ({"warmup": RAMP, "warmup_steps": 2.5}, TypeError, "warmup_steps"),
        ({"warmup": 0.1, "warmup_steps": 2}, TypeError, r"warmup must be an lrparity Schedule or None, got 0\.1"),
        ({"warmup": Plateau(), "warmup_steps": 2}, TypeError, "warmup must be an lrparity Schedule"),
        (
            {"warmup": OneCycle(1.0, 10, cycle_momentum=True), "warmup_steps": 2},
            ValueError,
            r"also drives \['momentum'\]",
        ),
    ],
)
def test_validation(kwargs: dict[str, Any], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        Plateau(**kwargs)


def test_config_round_trip_and_old_configs_unchanged() -> None:
    p = Plateau(mode="max", patience=3, start_lr=0.05, warmup=Warmup(Cosine(T_max=5), 2), warmup_steps=2)
    config = p.to_config()
    assert config["warmup_steps"] == 2 and config["warmup"]["type"] == "warmup.v1"
    assert lrparity.from_config(json.loads(json.dumps(config))) == p
    assert "warmup" not in Plateau().to_config() and "warmup_steps" not in Plateau().to_config()
    assert list(Plateau().to_config()) == [
        "type", "mode", "factor", "patience", "threshold", "threshold_mode", "cooldown", "min_lr", "eps", "semantics"
    ]  # fmt: skip


def test_state_dicts_old_and_new() -> None:
    old = {"lrs": [0.1], "best": None, "num_bad_epochs": 0, "cooldown_counter": 0, "last_epoch": 2}
    assert PlateauState.from_dict(old).base_lrs is None and PlateauState.from_dict(old).to_dict() == old
    state = WARMED.update(WARMED.initial_state([0.4, 0.2]), None)
    data = json.loads(json.dumps(state.to_dict()))
    assert data["base_lrs"] == [0.4, 0.2] and PlateauState.from_dict(data) == state
    with pytest.raises(ValueError, match="base_lrs has 1 entries but lrs has 2"):
        PlateauState.from_dict({**data, "base_lrs": [0.4]})
    with pytest.raises(ValueError, match="base_lrs"):
        PlateauState.from_dict({**data, "base_lrs": [0.4, -1.0]})
    with pytest.raises(ValueError, match="no base_lrs"):
        WARMED.update(PlateauState.from_dict(old), None)  # a state of a plateau without a warmup, mid-warmup


# --------------------------------------------------------------------------------------------------------- backends
def _torch_run(plateau: Plateau, lrs: tuple[float, ...], metrics: list[Any], resume_at: int | None = None) -> list:
    torch = pytest.importorskip("torch")

    def optimizer() -> Any:
        return torch.optim.SGD([{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in lrs])

    opt = optimizer()
    scheduler = lrparity.torch_scheduler(plateau, opt)
    seen = [tuple(g["lr"] for g in opt.param_groups)]
    for k, metric in enumerate(metrics):
        if k == resume_at:
            saved = json.loads(json.dumps(scheduler.state_dict()))
            opt = optimizer()
            scheduler = lrparity.torch_scheduler(plateau, opt)
            scheduler.load_state_dict(saved)
            assert tuple(g["lr"] for g in opt.param_groups) == seen[-1]
        scheduler.step(metric)
        seen.append(tuple(g["lr"] for g in opt.param_groups))
    return seen


def test_torch_scheduler_writes_the_warmup_and_resumes_mid_warmup_and_after() -> None:
    metrics: list[Any] = [None, None, 5.0, None, *METRICS[4:]]
    expected = _run(WARMED, [0.4, 0.2], metrics)
    assert _torch_run(WARMED, (0.4, 0.2), metrics) == expected
    for at in (0, 2, 4, 5, 9):
        assert _torch_run(WARMED, (0.4, 0.2), metrics, resume_at=at) == expected, at


def test_torch_scheduler_refuses_a_state_without_base_lrs() -> None:
    torch = pytest.importorskip("torch")
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    scheduler = lrparity.torch_scheduler(WARMED, opt)
    state = scheduler.state_dict()
    broken = {**state, "plateau": {k: v for k, v in state["plateau"].items() if k != "base_lrs"}}
    with pytest.raises(ValueError, match="lacks base_lrs, which a plateau with a warmup needs"):
        scheduler.load_state_dict(broken)
    plain = lrparity.torch_scheduler(Plateau(patience=1), torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))]))
    with pytest.raises(ValueError):
        plain.load_state_dict(state)  # another plateau (its config has a warmup)


def _paddle_run(plateau: Plateau, metrics: list[Any], resume_at: int | None = None) -> list[float]:
    pytest.importorskip("paddle")
    scheduler = lrparity.paddle_scheduler(plateau, learning_rate=0.4)
    seen = [scheduler()]
    for k, metric in enumerate(metrics):
        if k == resume_at:
            saved = json.loads(json.dumps(scheduler.state_dict()))
            scheduler = lrparity.paddle_scheduler(plateau, learning_rate=0.4)
            scheduler.set_state_dict(saved)
            assert scheduler() == seen[-1]
        scheduler.step(metric)
        seen.append(scheduler())
    return seen


@pytest.mark.parametrize("semantics", ["paddle", "torch"])
def test_paddle_scheduler_writes_the_warmup_and_resumes_mid_warmup_and_after(semantics: str) -> None:
    plateau = WARMED.replace(semantics=semantics)
    metrics: list[Any] = [None, 2.0, None, None, *METRICS[4:]]
    expected = [v[0] for v in _run(plateau, 0.4, metrics)]
    assert _paddle_run(plateau, metrics) == expected
    for at in (0, 3, 4, 6):
        assert _paddle_run(plateau, metrics, resume_at=at) == expected, at


def test_paddle_scheduler_refuses_a_state_without_base_lrs() -> None:
    pytest.importorskip("paddle")
    scheduler = lrparity.paddle_scheduler(WARMED.replace(semantics="paddle"), learning_rate=0.4)
    state = scheduler.state_dict()
    broken = {**state, "plateau": {k: v for k, v in state["plateau"].items() if k != "base_lrs"}}
    with pytest.raises(ValueError, match="lacks base_lrs"):
        scheduler.set_state_dict(broken)


# ----------------------------------------------------------------------------------------------------------- exports
def test_natives_refuse_the_warmup() -> None:
    torch = pytest.importorskip("torch")
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.4)
    with pytest.raises(ValueError, match=r"Plateau\(warmup_steps=4, warmup=.*torch's ReduceLROnPlateau has no warmup"):
        lrparity.to_native(WARMED, opt)
    with pytest.raises(ValueError, match=r"warmup_steps=4.*torch's ReduceLROnPlateau has no warmup"):
        lrparity.to_native_code(WARMED, "torch")
    pytest.importorskip("paddle")
    paddle_plateau = WARMED.replace(semantics="paddle", start_lr=0.4)
    with pytest.raises(ValueError, match=r"warmup_steps=4.*paddle's ReduceOnPlateau has no warmup"):
        lrparity.to_native(paddle_plateau, framework="paddle")
    with pytest.raises(ValueError, match=r"warmup_steps=4.*paddle's ReduceOnPlateau has no warmup"):
        lrparity.to_native_code(paddle_plateau, "paddle")


@pytest.mark.parametrize(
    ("kind", "plateau", "context", "match"),
    [
        ("hf", WARMED, {"base_lr": 0.4, "eval_strategy": "epoch"}, r"warmup_steps=4.*no warmup phase"),
        ("mmengine", WARMED.replace(start_lr=0.4), {"total_steps": 100}, r"warmup_steps=4.*no warmup phase"),
        ("ppcls", WARMED.replace(semantics="paddle", start_lr=0.4), {"steps_per_epoch": 10, "epochs": 10}, "warmup"),
        (
            "timm",  # timm's ramp is IncrementalWarmup's (a + t * ((b - a) / W)), not Warmup's
            WARMED.replace(start_lr=0.4, warmup=Warmup(Constant(), 4)),
            {"steps_per_epoch": 10, "total_steps": 100},
            "warmup differs",
        ),
    ],
)
def test_recipe_exports_refuse_the_warmup(kind: str, plateau: Plateau, context: dict[str, Any], match: str) -> None:
    from lrparity import recipes

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = recipes.export(plateau.replace(warmup=None, warmup_steps=0), kind, **context)
    assert plain  # the same plateau without its warmup exports
    with pytest.raises(ValueError, match=match):
        recipes.export(plateau, kind, **context)


def test_timm_export_takes_timms_own_warmup() -> None:
    from lrparity.recipes import timm

    args = timm.export(WARMED.replace(start_lr=0.4), steps_per_epoch=10, total_steps=100)
    assert (args["warmup_epochs"], args["warmup_lr"], args["lr"]) == (4, 0.0, 0.4)
