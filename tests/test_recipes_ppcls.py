"""PaddleClas recipes (kind "ppcls") and the PaddleOCR front (kind "ppocr"): reading, validation, warnings, and the
values of each PaddleClas quirk computed by hand (no reference library here; see parity_tests/test_recipes_ppcls.py)."""

from __future__ import annotations

import math
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import lrparity
import lrparity.recipes as recipes
from lrparity.core import (
    Constant,
    Cosine,
    FixMatchCosine,
    MultiStep,
    Noise,
    PerEpoch,
    Plateau,
    Shift,
    Step,
    Warmup,
    WithBaseLR,
)
from lrparity.recipes import RecipeWarning, ppcls, ppocr
from lrparity.recipes.ppcls_optimizers import parse_optimizer

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "parity_tests" / "recipes_data" / "ppcls"


def cfg(lr: dict[str, Any], epochs: int = 10, **glob: Any) -> dict[str, Any]:
    return {"Global": {"epochs": epochs, **glob}, "Optimizer": {"name": "Momentum", "momentum": 0.9, "lr": lr}}


def quiet(config: Any, spe: int | None = 10, **kw: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ppcls.schedule(config, steps_per_epoch=spe, **kw)


def warned(config: Any, spe: int | None = 10) -> tuple[Any, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        s = ppcls.schedule(config, steps_per_epoch=spe)
    assert all(issubclass(w.category, RecipeWarning) for w in caught)
    return s, [str(w.message) for w in caught]


# --------------------------------------------------------------------------------------------------- reading
def test_yaml_strings_are_literal_evaluated_in_mappings_only(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(
        "Global: {epochs: 3}\nOptimizer:\n  name: AdamW\n  epsilon: 1e-8\n  lr: {name: Cosine, learning_rate: 2e-3, "
        "eta_min: '1e-5'}\n  keep: ['1e-3', cos]\n"
    )
    read = ppcls.read_config(path)
    assert read["Optimizer"]["epsilon"] == 1e-8 and read["Optimizer"]["lr"]["learning_rate"] == 0.002
    assert read["Optimizer"]["lr"]["eta_min"] == 1e-5
    assert read["Optimizer"]["keep"] == ["1e-3", "cos"]  # PaddleClas does not look into lists
    # a mapping the user loaded with PyYAML gets the same conversion
    assert (
        quiet(
            {"Global": {"epochs": 3}, "Optimizer": {"name": "SGD", "lr": {"name": "ConstLR", "learning_rate": "2e-3"}}}
        )(0)
        == 0.002
    )


def test_list_form_strings_stay_strings() -> None:
    config = {
        "Global": {"epochs": 3},
        "Optimizer": [{"SGD": {"scope": "all", "lr": {"name": "ConstLR", "learning_rate": "2e-3"}}}],
    }
    with pytest.raises(ValueError, match="learning_rate = '2e-3'"):
        quiet(config)


def test_kind_dispatch_and_path() -> None:
    s = quiet(str(DATA / "resnet50_piecewise.yaml"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert recipes.schedule("ppcls", DATA / "resnet50_piecewise.yaml", steps_per_epoch=10) == s
    assert not s.uses_base_lr


# --------------------------------------------------------------------------------------------------- quirks, by hand
def test_piecewise_learning_rate_replaces_the_lists() -> None:
    lr = {"name": "Piecewise", "learning_rate": 0.1, "decay_epochs": [200], "values": [0.1, 0.01]}
    s, notes = warned(cfg(lr, epochs=100), spe=2)
    assert s.boundaries == (60, 120, 180)
    assert s.lrs == (0.1, 0.1 * 0.1, 0.1 * 0.1**2, 0.1 * 0.1**3)
    assert s.lrs[1] == 0.010000000000000002  # not the YAML's 0.01
    assert any("replaces decay_epochs [200]" in n for n in notes)
    short = quiet(cfg(lr, epochs=25), spe=2)  # 30 epochs or fewer: [epochs], [lr, lr]
    assert (short.boundaries, short.lrs) == ((50,), (0.1, 0.1))
    kept = quiet(cfg({**lr, "learning_rate": 0}, epochs=100), spe=2)  # a falsy learning_rate keeps the lists
    assert (kept.boundaries, kept.lrs) == ((400,), (0.1, 0.01))


def test_step_truncates_its_step_size() -> None:
    s, notes = warned(cfg({"name": "Step", "learning_rate": 0.1, "step_size": 0.29, "gamma": 0.5}), spe=100)
    assert s.schedule.step_size == 28  # int(28.999999999999996)
    assert any("truncated" in n for n in notes)
    assert quiet(cfg({"name": "Step", "learning_rate": 0.048, "step_size": 2.4, "gamma": 0.97}))(24) == 0.048 * 0.97
    with pytest.raises(ValueError, match="gamma"):  # no default
        quiet(cfg({"name": "Step", "learning_rate": 0.1, "step_size": 2}))
    with pytest.raises(ValueError, match="int step_size"):
        quiet(cfg({"name": "Step", "learning_rate": 0.1, "step_size": 2.5, "gamma": 0.5, "by_epoch": True}))


def test_warmup_is_rounded_half_to_even_and_clamped() -> None:
    s = quiet(cfg({"name": "ConstLR", "learning_rate": 0.1, "warmup_epoch": 0.25}), spe=10)  # round(2.5) = 2
    assert s.schedule.warmup_steps == 2 and s.values(range(3)).tolist() == [0.0, 0.05, 0.1]
    s, notes = warned(cfg({"name": "Cosine", "learning_rate": 0.1, "warmup_epoch": 15}, epochs=10), spe=4)
    assert s.schedule.warmup_steps == 40 and any("sets warmup_epoch to 10" in n for n in notes)
    assert s(39) == 0.1 * 39 / 40  # the whole run is warmup (Cosine's T_max is 0: a Constant after it)


def test_linear_warmup_counts_updates_even_by_epoch() -> None:
    lr = {"name": "Linear", "learning_rate": 1.0, "warmup_epoch": 2, "by_epoch": True}
    b = ppcls.build(cfg(lr, epochs=10), steps_per_epoch=3)
    assert b.lr.warmup_steps == 6 and any("lasts 6 epochs" in n for n in b.warnings)
    per_epoch = b.schedule.schedule.schedule  # PerEpoch(WithBaseLR(Warmup(Polynomial(8 epochs)), 1.0))
    assert per_epoch.warmup_steps == 6 and per_epoch.schedule.total_steps == 8
    assert b.schedule(3 * 5) == 5 / 6  # epoch 5 is still warmup


def test_by_epoch_holds_the_value_for_the_epoch() -> None:
    s = quiet(cfg({"name": "Cosine", "learning_rate": 0.1, "by_epoch": True}, epochs=4), spe=3)
    assert isinstance(s, PerEpoch) and s.steps_per_epoch == 3
    assert s.values(range(12)).tolist() == np.repeat(Cosine(4, form="recursive").values(range(4), 0.1), 3).tolist()


def test_cosine_form_follows_the_warmup() -> None:
    assert quiet(cfg({"name": "Cosine", "learning_rate": 0.1}))(7) == Cosine(100, form="recursive")(7, 0.1)
    warm = quiet(cfg({"name": "Cosine", "learning_rate": 0.1, "warmup_epoch": 1}))
    assert warm.schedule.schedule == Cosine(90, form="closed")


def test_update_freq_and_iter_per_epoch() -> None:
    b = ppcls.build(cfg({"name": "ConstLR", "learning_rate": 0.1}, update_freq=4), steps_per_epoch=10)
    assert (b.run.iter_per_epoch, b.run.step_each_epoch, b.run.total_updates) == (8, 2, 20)
    assert any("runs only 8" in n for n in b.warnings)
    b = ppcls.build(cfg({"name": "ConstLR", "learning_rate": 0.1}, update_freq=4), steps_per_epoch=3)
    assert b.run.update_freq == 1 and any("resets update_freq to 1" in n for n in b.warnings)
    b = ppcls.build(cfg({"name": "ConstLR", "learning_rate": 0.1}, iter_per_epoch=7), steps_per_epoch=10)
    assert b.run.iter_per_epoch == 7 and any("Global.iter_per_epoch = 7" in n for n in b.warnings)
    assert ppcls.build(cfg({"name": "ConstLR", "learning_rate": 0.1}, iter_per_epoch=7)).run.total_updates == 70
    b = ppcls.build(
        cfg({"name": "ConstLR", "learning_rate": 0.1}, update_freq=2, train_mode="fixmatch"), steps_per_epoch=6
    )
    assert (b.run.step_each_epoch, b.run.updates_per_epoch) == (3, 6)


def test_last_epoch_starts_late() -> None:
    lr = {"name": "Piecewise", "decay_epochs": [2], "values": [0.1, 0.01], "warmup_epoch": 2, "warmup_start_lr": 0.0,
          "by_epoch": True, "last_epoch": 0}  # fmt: skip
    s = quiet(cfg(lr, epochs=4), spe=2)
    assert isinstance(s.schedule, Shift) and s.schedule.offset == 1
    assert s.values(range(8)).tolist() == [0.05, 0.05, 0.1, 0.1, 0.1, 0.1, 0.01, 0.01]


def test_plateau() -> None:
    lr = {"name": "ReduceOnPlateau", "learning_rate": 0.1, "mode": "MAX", "patience": 2, "epsilon": "1e-8",
          "by_epoch": True}  # fmt: skip
    p = quiet(cfg(lr))
    assert p == Plateau(mode="max", factor=0.1, patience=2, threshold=1e-4, cooldown=0, min_lr=0, eps=1e-8,
                        semantics="paddle", start_lr=0.1)  # fmt: skip
    with pytest.raises(ValueError, match="without a metric"):
        quiet(cfg({**lr, "by_epoch": False}))
    with pytest.raises(ValueError, match="train_mode fixmatch"):
        quiet(cfg(lr, train_mode="fixmatch"))
    never, notes = warned(cfg(lr, eval_during_train=False))
    assert never == WithBaseLR(Constant(), 0.1) and any("never steps" in n for n in notes)
    frozen, notes = warned(cfg({**lr, "warmup_epoch": 1, "warmup_start_lr": 0.001}))
    assert set(frozen.values(range(100)).tolist()) == {0.001}  # PaddleClas patches the warmup's get_lr
    assert any("stays 0.001" in n for n in notes)


def test_cosine_fixmatch() -> None:
    s = quiet(cfg({"name": "CosineFixmatch", "learning_rate": 0.03, "num_warmup_steps": 10}, epochs=2), spe=50)
    assert s == WithBaseLR(FixMatchCosine(10, 100), 0.03)
    assert s(5) == 0.03 * (5 / 10) and s(55) == 0.03 * max(0.0, math.cos(math.pi * (7 / 16) * (45 / 90)))
    with pytest.raises(ValueError, match="warmup_epoch"):  # no **kwargs
        quiet(cfg({"name": "CosineFixmatch", "learning_rate": 0.03, "num_warmup_steps": 0, "warmup_epoch": 1}))


def test_one_cycle_and_cyclic_validation() -> None:
    with pytest.raises(ValueError, match=r"phase_pct = 0 .*float"):
        quiet(cfg({"name": "OneCycleLR", "max_learning_rate": 0.1, "phase_pct": 0}))
    with pytest.raises(ValueError, match="phase_pct"):
        quiet(cfg({"name": "OneCycleLR", "max_learning_rate": 0.1, "phase_pct": 0.6, "three_phase": True}))
    s = quiet(cfg({"name": "OneCycleLR", "max_learning_rate": 0.1}))
    assert s.end_lr == 1e-10 and s.total_steps == 100  # PaddleClas's default end_learning_rate
    base = {"name": "Cyclic", "base_learning_rate": 0.01, "max_learning_rate": 0.1, "warmup_epoch": 0,
            "warmup_start_lr": 0.0, "step_size_up": 5}  # fmt: skip
    with pytest.raises(ValueError, match="warmup_epoch"):
        quiet(cfg({k: v for k, v in base.items() if k != "warmup_epoch"}))
    with pytest.raises(ValueError, match="unexpected key"):
        quiet(cfg({**base, "foo": 1}))
    with pytest.raises(ValueError, match=r"exp_gamma = 1 .*float"):
        quiet(cfg({**base, "exp_gamma": 1}))
    _, notes = warned(cfg({**base, "scale_mode": "iterations"}))
    assert any("scale_mode = 'iterations' is ignored" in n for n in notes)


@pytest.mark.parametrize(
    ("lr", "text"),
    [
        ({"learning_rate": 0.1}, "no 'name'"),
        ({"name": "Nope", "learning_rate": 0.1}, "not a PaddleClas lr class"),
        ({"name": "Cosine", "learning_rate": 0.1, "warmup_epoch": 2.5}, "T_max"),
        ({"name": "Cosine", "learning_rate": 0.1, "warmup_epoch": -1}, "warmup_epoch = -1"),
        ({"name": "Cosine", "learning_rate": 0.1, "eta_min": 0.2}, "anneal upwards"),
        ({"name": "Cosine", "learning_rate": 0.1, "last_epoch": 3}, "last_epoch = 3"),
        ({"name": "Cosine", "learning_rate": "fast"}, "learning_rate = 'fast'"),
        ({"name": "Cosine", "learning_rate": 0.1, "by_epoch": 1}, "by_epoch = 1"),
        ({"name": "ConstLR", "learning_rate": 0.1, "warmup_epoch": 1, "warmup_start_lr": 0.2}, "end_lr > start_lr"),
        ({"name": "Piecewise", "decay_epochs": [3, 2], "values": [1, 2, 3]}, "must increase"),
        ({"name": "Piecewise", "decay_epochs": [3], "values": [1, 2, 3]}, "len\\(decay_epochs\\) \\+ 1"),
        ({"name": "MultiStepDecay", "learning_rate": 0.1, "milestones": [2], "gamma": 1.5}, "gamma"),
        ({"name": "Linear", "learning_rate": 0.1, "power": 0}, "power"),
        ({"name": "ConstLR", "learning_rate": 0.1, "last_epoch": -2}, "last_epoch = -2"),
    ],
)
def test_bad_lr_blocks_name_the_key(lr: dict[str, Any], text: str) -> None:
    with pytest.raises(ValueError, match=text):
        quiet(cfg(lr))


@pytest.mark.parametrize(
    ("config", "spe", "text"),
    [
        ({"Optimizer": {"name": "SGD", "lr": {"name": "ConstLR", "learning_rate": 0.1}}}, 10, "Global"),
        (cfg({"name": "ConstLR", "learning_rate": 0.1}, epochs=2.5), 10, "Global.epochs = 2.5"),
        (cfg({"name": "ConstLR", "learning_rate": 0.1}), None, "steps_per_epoch is needed"),
        (cfg({"name": "ConstLR", "learning_rate": 0.1}), 0, "steps_per_epoch = 0"),
        (cfg({"name": "ConstLR", "learning_rate": 0.1}, update_freq=0), 10, "update_freq = 0"),
        (cfg({"name": "ConstLR", "learning_rate": 0.1}, train_mode="nope"), 10, "train_mode = 'nope'"),
        ({"Global": {"epochs": 2}, "Optimizer": {"name": "SGD"}}, 10, "no lr block"),
    ],
)
def test_bad_runs_name_the_key(config: dict[str, Any], spe: int | None, text: str) -> None:
    with pytest.raises(ValueError, match=text):
        quiet(config, spe)


def test_ignored_keys_warn() -> None:
    lr = {"name": "MultiStepDecay", "learning_rate": 0.1, "milestones": [2], "epochs": 99, "verbose": False}
    s, notes = warned(cfg(lr), spe=5)
    assert s == WithBaseLR(MultiStep((10,), 0.1), 0.1)
    assert any("'epochs' is ignored" in n for n in notes) and any("'verbose'" in n for n in notes)
    _, notes = warned(cfg({"name": "Constant", "learning_rate": 0.2, "warmup_epoch": 3}))
    assert any("ConstLR has both" in n for n in notes)


def test_list_form() -> None:
    path = DATA / "metabin_list.yaml"
    with pytest.raises(ValueError, match=r"3 optimizers.*entry=i"):
        quiet(path, None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scoped = ppcls.schedules(path)
    assert [s.optimizer for s in scoped] == ["Momentum", "SGD", "SGD"] and scoped[1].schedule(123) == 0.2
    assert quiet(path, None, entry=2) == scoped[2].schedule
    assert isinstance(scoped[2].schedule, Shift) and scoped[2].schedule.offset == 1  # Cyclic with last_epoch: 0


# --------------------------------------------------------------------------------------------------- export
@pytest.mark.parametrize(
    "schedule",
    [
        WithBaseLR(Warmup(Cosine(90, eta_min=1e-5), 10, start_lr=1e-6, end_lr=0.1), 0.1),
        WithBaseLR(Cosine(100, form="recursive"), 0.1),
        WithBaseLR(Step(24, 0.97), 0.048),
        PerEpoch(WithBaseLR(Warmup(MultiStep((3, 6), 0.1), 2, start_lr=0.0, end_lr=0.5), 0.5), 10),
        Shift(WithBaseLR(FixMatchCosine(5, 100), 0.03), 1),
        Plateau(mode="max", patience=3, semantics="paddle", start_lr=0.01),
    ],
)
def test_export_round_trip(schedule: Any) -> None:
    out = ppcls.export(schedule, steps_per_epoch=10, epochs=10)
    back = quiet(ppcls.loads(ppcls.dumps(out)), 10)
    if isinstance(schedule, Plateau):
        assert back == schedule
    else:
        np.testing.assert_allclose(back.values(range(100)), schedule.values(range(100)), rtol=1e-12, atol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert recipes.export(schedule, "ppcls", steps_per_epoch=10, epochs=10) == out


@pytest.mark.parametrize(
    ("schedule", "context", "text"),
    [
        (Noise(Cosine(100), seed=1), {"base_lr": 0.1}, "Noise"),
        (Cosine(100), {}, "base_lr"),
        (WithBaseLR(Step(24, 0.5), 0.1), {}, "epochs="),
        (WithBaseLR(Cosine(100), 0.1), {"epochs": 3}, "Global.epochs = 10"),
        (WithBaseLR(Warmup(Cosine(90), 5, start_lr=0.0, end_lr=0.1), 0.1), {}, "int warmup_epoch"),
        (Plateau(), {"epochs": 3}, "semantics='paddle'"),
    ],
)
def test_export_refuses_what_paddleclas_cannot_express(schedule: Any, context: dict[str, Any], text: str) -> None:
    with pytest.raises(ValueError, match=text):
        ppcls.export(schedule, steps_per_epoch=10, **context)


# --------------------------------------------------------------------------------------------------- optimizers
def test_optimizer_blocks() -> None:
    s = parse_optimizer("Momentum", {"momentum": 0.9, "regularizer": {"name": "L2", "coeff": 1e-4}})
    assert (s.l2_coupled, s.use_multi_tensor, s.multi_precision) == (1e-4, True, True)
    s = parse_optimizer("Momentum", {"momentum": 0.9, "one_dim_param_no_weight_decay": True, "weight_decay": 1e-4})
    assert not s.one_dim_param_no_weight_decay and any("only when" in w for w in s.warnings)
    s = parse_optimizer("AdamW", {"weight_decay": 0.05, "clip_grad": None, "no_weight_decay_name": "a .bias"})
    assert s.no_weight_decay_name == ("a", ".bias") and any("clip_grad" in w for w in s.warnings)
    s = parse_optimizer("Adam", {"regularizer": {"name": "L1", "coeff": 1e-3}, "weight_decay": 0.1})
    assert s.l1_coupled == 1e-3 and any("weight_decay = 0.1 is ignored" in w for w in s.warnings)
    for name, block, text in [
        ("SGD", {"momentum": 0.9}, "unexpected key"),
        ("Momentum", {}, "momentum is required"),
        ("AdamW", {}, "no weight_decay"),
        ("AdamW", {"regularizer": {"name": "L2", "coeff": 1e-4}}, "L2Decay"),
        ("Adam", {"regularizer": {"name": "L2Decay", "coeff": 1e-4}}, "L2DecayDecay"),
        ("Adam", {"regularizer": {"name": "L2", "factor": 1e-4}}, "factor"),
        ("Adam", {"beta1": 1.0}, "beta1"),
        ("AdamWDL", {}, "not translated"),
        ("Lamb", {}, "does not exist"),
    ]:
        with pytest.raises(ValueError, match=text):
            parse_optimizer(name, block)


def test_import_does_not_pull_torch_or_paddle() -> None:
    code = (
        "import sys, lrparity.recipes.ppcls as m, lrparity.recipes.ppocr, lrparity.paddle_optimizers; "
        "m.schedule({'Global': {'epochs': 2}, 'Optimizer': {'name': 'SGD', 'lr': {'name': 'ConstLR', "
        "'learning_rate': 0.1}}}, steps_per_epoch=2); "
        "assert not [k for k in sys.modules if k.split('.')[0] in ('torch', 'paddle')]"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


# --------------------------------------------------------------------------------------------------- ppocr kind
def test_ppocr_kind_delegates(ppocr_corpus: list[dict[str, Any]]) -> None:
    entry = ppocr_corpus[0]
    config = {"Global": {"epoch_num": 3}, "Optimizer": entry["optimizer"]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = recipes.schedule("ppocr", config, steps_per_epoch=5)
        assert s == lrparity.ppocr.lr_schedule(entry["optimizer"], 3, 5)
        out = recipes.export(s, "ppocr", steps_per_epoch=5)
        assert out["Global"]["epoch_num"] == 3 and out["Optimizer"]["lr"]["name"] == "Cosine"
        np.testing.assert_array_equal(ppocr.schedule(out, steps_per_epoch=5).values(range(15)), s.values(range(15)))
    assert "Cosine" in ppocr.dumps(out)
    with pytest.raises(ValueError, match="steps_per_epoch"):
        ppocr.schedule(config)
    with pytest.raises(ValueError, match="epoch_num"):
        ppocr.schedule({"Optimizer": entry["optimizer"]}, steps_per_epoch=5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        block = {"name": "Adam", "lr": {"learning_rate": 0.1, "x": 1}}
        ppocr.schedule({"Global": {"epoch_num": 3}, "Optimizer": block}, steps_per_epoch=2)
    assert caught and all(issubclass(w.category, ppocr.PpocrRecipeWarning) for w in caught)
    assert issubclass(ppocr.PpocrRecipeWarning, lrparity.ppocr.PpocrWarning)
    assert issubclass(ppocr.PpocrRecipeWarning, RecipeWarning)
