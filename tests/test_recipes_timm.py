"""lrparity.recipes.timm without timm: reading train.py's arguments, each trap's values by hand, errors, warnings,
export and dumps. (timm itself runs in parity_tests/test_recipes_timm.py.)"""

from __future__ import annotations

import argparse
import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

import lrparity
import lrparity.recipes
from lrparity.core import (
    AnnealCycles,
    Constant,
    Cosine,
    IncrementalWarmup,
    MultiStep,
    Noise,
    PerEpoch,
    Piecewise,
    Plateau,
    Sequence,
    Step,
    WithBaseLR,
)
from lrparity.recipes import RecipeWarning
from lrparity.recipes import timm as T


def build(cfg: Any, upe: int = 1) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("error", RecipeWarning)  # the configs below hold nothing timm ignores
        return T.schedule(cfg, steps_per_epoch=upe)


def lrs(cfg: Any, upe: int = 1) -> list[float]:
    s = build(cfg, upe)
    return s.values(range(T.total_updates(cfg, steps_per_epoch=upe))).tolist()


def cos(lo: float, hi: float, t: float, n: float) -> float:
    """timm's cosine: lr_min + 0.5 * (lr_max - lr_min) * (1 + cos(pi * t / T))."""
    return lo + 0.5 * (hi - lo) * (1 + math.cos(math.pi * t / n))


BASE = {"lr": 1.0, "epochs": 10, "warmup_epochs": 0}


# ------------------------------------------------------------------------------------------------------ the traps
def test_warmup_without_prefix_runs_the_decay_under_it() -> None:
    v = lrs({**BASE, "warmup_epochs": 3, "warmup_lr": 0.0})
    assert v[:3] == [0.0 + t * ((1.0 - 0.0) / 3) for t in range(3)]
    assert v[3] == cos(0.0, 1.0, 3, 10) < 1.0  # the peak lr is never reached
    assert len(v) == 10
    prefixed = lrs({**BASE, "warmup_epochs": 3, "warmup_lr": 0.0, "warmup_prefix": True})
    assert prefixed[3] == 1.0 and len(prefixed) == 13 and prefixed[4] == cos(0.0, 1.0, 1, 10)


def test_multistep_decays_one_epoch_early() -> None:
    v = lrs({**BASE, "sched": "multistep", "decay_milestones": [4, 8], "decay_rate": 0.5})
    assert v == [1.0] * 3 + [0.5] * 4 + [0.25] * 3
    per_update = lrs({**BASE, "sched": "multistep", "decay_milestones": [4], "sched_on_updates": True}, upe=3)
    assert per_update.index(1.0 * 0.1) == 4 * 3 - 1


def test_step_with_a_fractional_period() -> None:
    v = lrs({**BASE, "sched": "step", "decay_epochs": 2.4, "decay_rate": 0.5})
    assert v == [0.5 ** (t // 2.4) for t in range(10)]
    assert v[2] == 1.0 and v[3] == 0.5 and v[5] == 0.25


def test_step_and_multistep_ignore_the_cooldown_and_prefix_the_warmup() -> None:
    cfg = {**BASE, "sched": "step", "decay_epochs": 30, "warmup_epochs": 2, "warmup_prefix": True}
    assert T.total_updates(cfg, steps_per_epoch=4) == (10 + 2) * 4
    with pytest.warns(RecipeWarning, match="cooldown_epochs=3"):
        T.schedule({**cfg, "cooldown_epochs": 3}, steps_per_epoch=4)
    assert T.total_updates({**cfg, "cooldown_epochs": 3}, steps_per_epoch=4) == 48


def test_cycle_decay_defaults_to_train_pys_half() -> None:
    v = lrs({**BASE, "epochs": 4, "lr_cycle_limit": 2})
    assert len(v) == 8 and v[4] == 0.5 and v[0] == 1.0


def test_poly_power_is_decay_rate() -> None:
    v = lrs({**BASE, "sched": "poly"})  # decay_rate 0.1 (train.py's default)
    assert v[1] == 0.0 + (1.0 - 0.0) * (1 - 1 / 10) ** 0.1


def test_tanh_first_epoch_runs_at_lr() -> None:
    v = lrs({**BASE, "sched": "tanh"}, upe=2)
    tanh1 = 0.0 + 0.5 * (1.0 - 0.0) * (1 - math.tanh(-7.0 * (1.0 - 0.1) + 3.0 * 0.1))
    assert v[:4] == [1.0, 1.0, tanh1, tanh1]
    s = build({**BASE, "sched": "tanh"}, upe=2)
    assert isinstance(s.schedule.schedule, Sequence)  # the constructor's lr at step 0, then timm's formula


def test_sched_on_updates_multiplies_every_length() -> None:
    cfg = {**BASE, "epochs": 2, "warmup_epochs": 1, "warmup_lr": 0.0, "sched_on_updates": True, "cooldown_epochs": 1}
    v = lrs(cfg, upe=3)
    assert len(v) == 9
    assert v[:3] == [0.0 + t * (1.0 / 3) for t in range(3)]
    assert v[3:6] == [cos(0.0, 1.0, t, 6) for t in range(3, 6)] and v[6:] == [0.0] * 3
    per_epoch = lrs({**cfg, "sched_on_updates": False}, upe=3)
    assert per_epoch == [0.0] * 3 + [cos(0.0, 1.0, 1, 2)] * 3 + [0.0] * 3


def test_wsd_rounds_its_decay_and_fits_inside_epochs() -> None:
    cfg = {**BASE, "sched": "wsd", "epochs": 10, "warmup_epochs": 2, "decay_epochs": 0.3, "warmup_lr": 0.0}
    v = lrs(cfg)
    assert len(v) == 10  # warmup_prefix false: stable + decay = epochs - warmup = 8, decay round(0.3 * 8) = 2
    assert v[:9] == [0.0, 0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0] and v[9] == 1.0 - math.sqrt(1 / 2)  # min_lr never
    with pytest.raises(ValueError, match="decay_epochs"):
        build({**cfg, "decay_epochs": 9})
    with pytest.raises(ValueError, match="timescale"):
        build({**cfg, "sched": "rsqrt", "warmup_epochs": 0, "decay_epochs": 2})


def test_lr_from_lr_base() -> None:
    base = {"lr": None, "lr_base": 0.1, "batch_size": 256, "world_size": 8, "grad_accum_steps": 2}
    assert T.read_args(base).lr == 0.1 * (256.0 * 8 * 2 / 256)
    assert T.read_args({**base, "opt": "adamw"}).lr == 0.1 * (256.0 * 8 * 2 / 256) ** 0.5
    assert T.read_args({**base, "opt": "lamb", "lr_base_scale": "linear"}).lr == 1.6
    assert T.read_args({**base, "lr": 0}).lr == 1.6  # lr 0 also means "derive it" (train.py: if not args.lr)
    assert T.read_args({**base, "lr": 0.3}).lr == 0.3
    with pytest.raises(ValueError, match="world_size"):
        T.read_args({"lr": None})
    with pytest.raises(ValueError, match="train_img_sizes"):
        T.read_args({**base, "train_img_sizes": [160, 224]})


def test_noise_range_becomes_steps() -> None:
    s = build({**BASE, "lr_noise": [0.25, 0.75], "lr_noise_pct": 0.3, "lr_noise_std": 0.5, "seed": 9}, upe=4)
    noise = s.schedule.schedule
    assert isinstance(s.schedule, PerEpoch) and type(noise).__name__ == "TorchNoise"
    assert (noise.start, noise.end, noise.pct, noise.std, noise.seed) == (3, 8, 0.3, 0.5, 9)  # ceil(2.5), ceil(7.5)
    upd = build({**BASE, "lr_noise": 0.0, "sched_on_updates": True}, upe=4).schedule
    assert (upd.start, upd.end) == (1, None)  # step 0 runs at the constructor's lr, never noisy
    with pytest.warns(RecipeWarning, match="empty noise range"):
        T.schedule({**BASE, "lr_noise": [0.5, 0.5]}, steps_per_epoch=1)


def test_plateau_gives_the_core_plateau() -> None:
    p = build({**BASE, "sched": "plateau", "patience_epochs": 3, "decay_rate": 0.5, "min_lr": 1e-4})
    assert p == Plateau(mode="max", factor=0.5, patience=3, threshold=1e-4, min_lr=1e-4, start_lr=1.0)
    assert T.schedule({**BASE, "sched": "plateau", "eval_metric": "loss"}).mode == "min"
    assert T.schedule({**BASE, "sched": "plateau", "val_split": ""}).mode == "min"  # no eval: train loss
    warmed = T.schedule({"sched": "plateau", "lr": 0.1})  # train.py's 5-epoch warmup from 1e-5
    assert warmed.warmup_steps == 5 and warmed.warmup == IncrementalWarmup(Constant(), 5, start_lr=1e-5, end_factor=1.0)
    assert [warmed.warmup.value(t, 0.1) for t in (0, 5)] == [1e-5, 0.1]
    with pytest.raises(ValueError, match="lr_noise"):
        T.schedule({**BASE, "sched": "plateau", "lr_noise": 0.5})
    with pytest.raises(ValueError, match="step per epoch"):
        T.schedule({**BASE, "sched": "plateau", "sched_on_updates": True}, steps_per_epoch=2)


def test_none_is_the_constant_lr_and_ignores_the_warmup() -> None:
    with pytest.warns(RecipeWarning, match="warmup_epochs=5 \\(train.py default\\)"):
        s = T.schedule({"sched": "none", "lr": 0.3, "epochs": 4}, steps_per_epoch=2)
    assert s.values(range(8)).tolist() == [0.3] * 8


def test_structure_of_what_schedule_returns() -> None:
    s = build({**BASE, "warmup_epochs": 2, "lr_cycle_mul": 2.0, "lr_cycle_limit": 2}, upe=5)
    assert isinstance(s, WithBaseLR) and s.base_lr == 1.0 and not s.uses_base_lr
    assert isinstance(s.schedule, PerEpoch) and s.schedule.steps_per_epoch == 5
    warm = s.schedule.schedule
    assert isinstance(warm, IncrementalWarmup) and warm.mode == "overlap" and warm.start_lr == 1e-5
    assert warm.schedule == AnnealCycles(10, eta_min=0.0, cycle_mul=2.0, cycle_decay=0.5, cycle_limit=2)
    assert T.total_updates({**BASE, "warmup_epochs": 2, "lr_cycle_mul": 2.0, "lr_cycle_limit": 2},
                           steps_per_epoch=5) == 30 * 5  # fmt: skip
    assert build({**BASE, "sched": "step", "decay_epochs": 3}).schedule == Step(3, 0.1)
    assert build({**BASE, "sched": "multistep", "decay_milestones": [2, 4]}).schedule == MultiStep((1, 3), 0.1)
    early = build({**BASE, "sched": "multistep", "decay_milestones": [0, 4]}).schedule  # decayed from step 0 on...
    assert early == Sequence((Constant(), lrparity.Shift(MultiStep((0, 3), 0.1), 1)), (1,))  # ...but step 0 runs at lr
    assert lrparity.recipes.schedule("timm", BASE, steps_per_epoch=1) == build(BASE)


def test_a_path_and_yaml_1_1_strings(tmp_path: Path) -> None:
    path = tmp_path / "args.yaml"
    path.write_text("sched: cosine\nlr: 0.1\nepochs: 10\nwarmup_lr: 1e-5\nmin_lr: 1e-6\nwarmup_epochs: '2'\n")
    s = build(str(path))
    assert s == build({"lr": 0.1, "epochs": 10, "warmup_lr": 1e-5, "min_lr": 1e-6, "warmup_epochs": 2})
    assert build(argparse.Namespace(**BASE)) == build(BASE)


# ------------------------------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    ("cfg", "exc", "text"),
    [
        ({"sched": "cosine_restarts"}, ValueError, "one of"),
        ({"sched": "cosin"}, ValueError, "did you mean 'cosine'"),
        ({"warmup_prefix": "false"}, TypeError, "warmup_prefix"),
        ({"sched_on_updates": 1}, TypeError, "sched_on_updates"),
        ({"epochs": 10.0}, TypeError, "epochs"),
        ({"epochs": "ten"}, ValueError, "epochs"),
        ({"epochs": 0}, ValueError, "epochs"),
        ({"lr": -0.1}, ValueError, "lr"),
        ({"min_lr": math.inf}, ValueError, "min_lr"),
        ({"lr": True}, TypeError, "lr"),
        ({"decay_milestones": [30, 10]}, ValueError, "increasing"),
        ({"decay_milestones": 30}, TypeError, "decay_milestones"),
        ({"decay_milestones": []}, ValueError, "decay_milestones"),
        ({"lr_noise": [0.1, 0.5, 0.9]}, ValueError, "lr_noise"),
        ({"lr_noise": []}, ValueError, "lr_noise"),
        ({"lr_noise": "0.5 0.9"}, ValueError, "lr_noise"),
        ({"lr_noise_pct": 0}, ValueError, "lr_noise_pct"),
        ({"lr_cycle_limit": 0}, ValueError, "lr_cycle_limit"),
        ({"lr_cycle_mul": 0.0}, ValueError, "lr_cycle_mul"),
        ({"lr_base_scale": "sqr"}, ValueError, "lr_base_scale"),
        ({"lr_decay_fn": "sqrt"}, ValueError, "lr_decay_fn"),
        ({"decay_rate": 0}, ValueError, "decay_rate"),
        ({"sched": 3}, TypeError, "sched"),
        ({"world_size": 0, "lr": None}, ValueError, "world_size"),
    ],
)
def test_bad_config(cfg: dict[str, Any], exc: type, text: str) -> None:
    with pytest.raises(exc, match=text):
        T.schedule({"lr": 0.1, **cfg}, steps_per_epoch=2)


def test_bad_steps_per_epoch_and_containers(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="steps_per_epoch is required"):
        T.schedule({"lr": 0.1})
    with pytest.raises(TypeError, match="steps_per_epoch"):
        T.schedule({"lr": 0.1}, steps_per_epoch=2.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="steps_per_epoch"):
        T.schedule({"lr": 0.1}, steps_per_epoch=0)
    with pytest.raises(TypeError, match=r"args\.yaml"):
        T.schedule([("lr", 0.1)], steps_per_epoch=1)  # type: ignore[arg-type]
    path = tmp_path / "list.yaml"
    path.write_text("- 1\n- 2\n")
    with pytest.raises(TypeError, match="mapping"):
        T.schedule(str(path), steps_per_epoch=1)
    with pytest.raises(ValueError, match="no such file"):
        T.schedule(str(tmp_path / "missing.yaml"), steps_per_epoch=1)


# ------------------------------------------------------------------------------------------------------- warnings
def test_unknown_keys_and_ignored_values_warn() -> None:
    with pytest.warns(RecipeWarning, match="'warmup_epoch' is not a train.py argument.*did you mean 'warmup_epochs'"):
        T.schedule({"lr": 0.1, "warmup_epoch": 3}, steps_per_epoch=1)
    with pytest.warns(T.TimmWarning, match="sched='step' ignores min_lr=1e-05, lr_cycle_limit=2"):
        T.schedule({"lr": 0.1, "sched": "step", "min_lr": 1e-5, "lr_cycle_limit": 2}, steps_per_epoch=1)
    with pytest.warns(RecipeWarning, match="lr_scale"):
        T.schedule({"lr": 0.1, "layer_decay": 0.75}, steps_per_epoch=1)
    with pytest.warns(RecipeWarning, match="val_interval=2"):
        T.schedule({**BASE, "sched": "plateau", "val_interval": 2})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        T.schedule({"lr": 0.1, "model": "resnet50", "amp": True, "data_dir": "/x"}, steps_per_epoch=1)


# --------------------------------------------------------------------------------------------------------- export
ROUND_TRIPS = [
    {**BASE, "warmup_epochs": 2, "warmup_lr": 1e-4, "min_lr": 1e-5},
    {**BASE, "sched": "tanh", "warmup_epochs": 3, "lr_cycle_limit": 2, "cooldown_epochs": 1},
    {**BASE, "sched": "poly", "decay_rate": 2.0, "warmup_epochs": 1, "warmup_prefix": True, "lr_k_decay": 0.5},
    {**BASE, "sched": "step", "decay_epochs": 2.4, "decay_rate": 0.97, "warmup_epochs": 2, "sched_on_updates": True},
    {**BASE, "sched": "multistep", "decay_milestones": [3, 7], "warmup_epochs": 1},
    {**BASE, "sched": "constant", "warmup_epochs": 2},
    {**BASE, "sched": "wsd", "warmup_epochs": 2, "decay_epochs": 0.25, "lr_decay_fn": "cosine"},
    {**BASE, "sched": "rsqrt", "warmup_epochs": 2, "decay_epochs": 3, "sched_on_updates": True},
]


@pytest.mark.parametrize("cfg", ROUND_TRIPS, ids=[c.get("sched", "cosine") for c in ROUND_TRIPS])
def test_export_round_trip(cfg: dict[str, Any]) -> None:
    s = T.schedule(cfg, steps_per_epoch=3)
    n = T.total_updates(cfg, steps_per_epoch=3)
    args = T.export(s, steps_per_epoch=3, total_steps=n)
    assert T.total_updates(args, steps_per_epoch=3) == n
    assert np.array_equal(T.schedule(args, steps_per_epoch=3).values(range(n)), s.values(range(n)))
    assert yaml.safe_load(T.dumps(args)) == args
    assert list(args) == sorted(args)


def test_export_core_schedules() -> None:
    args = T.export(Cosine(100, eta_min=1e-4), base_lr=0.5, steps_per_epoch=10)
    assert args["sched"] == "cosine" and args["epochs"] == 10 and args["sched_on_updates"] is True
    assert args["warmup_epochs"] == 0 and args["lr_cycle_limit"] == 1 and args["min_lr"] == 1e-4
    args = T.export(MultiStep((29, 59), 0.1), base_lr=0.5, steps_per_epoch=10, total_steps=100)
    assert args["decay_milestones"] == [3, 6] and args["epochs"] == 10
    args = T.export(PerEpoch(Step(3, 0.5), 4), base_lr=0.2, total_steps=40)
    assert (args["sched"], args["decay_epochs"], args["sched_on_updates"], args["epochs"]) == ("step", 3, False, 10)
    assert T.export(AnnealCycles(50), base_lr=0.1, steps_per_epoch=5, total_steps=70)["cooldown_epochs"] == 4
    with pytest.raises(ValueError, match="differs"):  # Cosine is periodic past T_max: timm's cooldown holds min_lr
        T.export(Cosine(50), base_lr=0.1, steps_per_epoch=5, total_steps=70)


@pytest.mark.parametrize(
    ("s", "context", "text"),
    [
        (Piecewise((10,), (0.1, 0.01)), {"steps_per_epoch": 1}, "absolute"),
        (Cosine(100), {"steps_per_epoch": 10}, "base_lr"),
        (Cosine(100), {"base_lr": 0.1}, "steps_per_epoch"),
        (Cosine(95), {"base_lr": 0.1, "steps_per_epoch": 10}, "whole epochs"),
        (Noise(Cosine(100)), {"base_lr": 0.1, "steps_per_epoch": 10}, "Noise"),
        (Step(10), {"base_lr": 0.1, "steps_per_epoch": 10}, "total_steps"),
        (MultiStep((10,)), {"base_lr": 0.1, "steps_per_epoch": 3, "total_steps": 30}, "milestone 10"),
        (Constant(0.5, total_steps=10), {"base_lr": 0.1, "steps_per_epoch": 5, "total_steps": 20}, "constant"),
        (Cosine(100), {"base_lr": 0.1, "steps_per_epoch": 10, "total_steps": 50}, "total_steps=50"),
        (PerEpoch(Cosine(10), 5), {"base_lr": 0.1, "steps_per_epoch": 4}, "disagrees"),
        (AnnealCycles(10, cycle_limit=None), {"base_lr": 0.1, "steps_per_epoch": 1}, "cycle_limit"),
        (AnnealCycles(10, shape="tanh", lb=-5.0), {"base_lr": 0.1, "steps_per_epoch": 1}, "lb/ub"),
        (WithBaseLR(Cosine(10), 0.0), {"steps_per_epoch": 1}, "lr must be > 0"),
        (Cosine(10), {"base_lr": 0.1, "steps_per_epoch": 1, "total_steps": 10.0}, "total_steps must be an int"),
        (Step(29), {"base_lr": 0.1, "steps_per_epoch": 7, "total_steps": 70}, "differs"),  # (29 / 7) * 7 != 29
    ],
)
def test_export_refuses_what_train_py_cannot_express(s: Any, context: dict[str, Any], text: str) -> None:
    with pytest.raises(ValueError, match=text):
        T.export(s, **context)


def test_dumps_is_args_yaml() -> None:
    text = T.dumps({"sched": "cosine", "lr": 1e-5, "lr_noise": None, "decay_milestones": [3, 6]})
    assert text.splitlines()[0] == "decay_milestones:" and "lr: 1.0e-05" in text
    with pytest.raises(TypeError, match="mapping"):
        T.dumps([1, 2])  # type: ignore[arg-type]


def test_loader_names_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util
    import sys

    monkeypatch.setattr(T, "_TIMM_SCHEDULER", None)
    monkeypatch.delitem(sys.modules, "timm.scheduler", raising=False)
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None)
    with pytest.raises(ImportError, match="--no-deps"):
        T.import_timm_scheduler()


def test_export_plateau() -> None:
    p = Plateau(mode="min", factor=0.5, patience=3, min_lr=1e-4, start_lr=0.1)
    args = T.export(p, steps_per_epoch=10, total_steps=100)
    assert args["sched"] == "plateau" and args["eval_metric"] == "loss" and args["epochs"] == 10
    assert T.schedule(args) == p
    warmed = T.schedule({**args, "warmup_epochs": 3, "warmup_lr": 1e-5})
    assert warmed.warmup.schedule == WithBaseLR(Constant(), 0.10000000000000002)  # timm's ramp ends an ulp above
    assert T.schedule(T.export(warmed, steps_per_epoch=10, total_steps=100)) == warmed
    with pytest.raises(ValueError, match="warmup differs"):
        T.export(warmed.replace(warmup=Constant(), warmup_steps=3), steps_per_epoch=10, total_steps=100)
    assert T.export(Plateau(mode="max"), base_lr=0.2, steps_per_epoch=5, total_steps=50)["eval_metric"] == "top1"
    for bad, text in [
        (Plateau(cooldown=2), "cooldown=2"),
        (Plateau(semantics="paddle"), "semantics"),
        (Plateau(min_lr=(0.0, 1e-3)), "one per param group"),
        (Plateau(factor=0.0), "decay_rate"),
    ]:
        with pytest.raises(ValueError, match=text):
            T.export(bad, base_lr=0.1, steps_per_epoch=5, total_steps=50)
    with pytest.raises(ValueError, match="base_lr"):
        T.export(Plateau(), steps_per_epoch=5, total_steps=50)
    with pytest.raises(ValueError, match="total_steps"):
        T.export(Plateau(start_lr=0.1), steps_per_epoch=5)
