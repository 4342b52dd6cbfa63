"""PaddleDetection recipes against PaddleDetection 2.6.0's own code, loaded from its wheel.

The reference is ``ppdet/optimizer/optimizer.py`` (``LearningRate`` and its four LR classes, building paddle's real
schedulers) and ``ppdet/core/workspace.py`` (``load_config``: PyYAML's ``yaml.Loader`` with PaddleDetection's tags,
and the ``_BASE_`` merge), stepped once per iteration after the update as ``ppdet/engine/trainer.py`` steps it. Only
the dataset tags of the configs (``!COCODataSet``, ``!ImageFolder``, whose classes live in PaddleDetection's data
package, which imports OpenCV) get stand-in YAML constructors. Every comparison is bit for bit, at every update.
"""

from __future__ import annotations

import functools
import random
import types
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

paddle = pytest.importorskip("paddle")

from lrparity.core import Cosine, FactorWarmup, MultiStep, Piecewise, Step, Warmup, WithBaseLR  # noqa: E402
from lrparity.recipes import ppdet  # noqa: E402
from parity_tests.references import ReferenceUnavailable, suite_module  # noqa: E402

pytestmark = pytest.mark.paddle

DATA = Path(__file__).resolve().parent / "recipes_data" / "ppdet"
CONFIGS = DATA / "configs"
EXCERPTS = DATA / "excerpts"

# every real config, with steps-per-epoch values that keep the runs short and show the quirks
REAL: dict[str, tuple[Path, tuple[int, ...]]] = {
    "faster_rcnn_1x": (CONFIGS / "faster_rcnn" / "_base_" / "optimizer_1x.yml", (4, 150)),
    "swin_1x": (CONFIGS / "faster_rcnn" / "_base_" / "optimizer_swin_1x.yml", (3, 120)),
    "ppyoloe_300e": (CONFIGS / "ppyoloe" / "_base_" / "optimizer_300e.yml", (1, 3)),
    "yolox_300e": (CONFIGS / "yolox" / "_base_" / "optimizer_300e.yml", (1, 4)),
    "jde_30e": (CONFIGS / "mot" / "jde" / "_base_" / "optimizer_30e.yml", (5, 60)),
    "ssd_120e": (CONFIGS / "ssd" / "_base_" / "optimizer_120e.yml", (1, 7)),
    "picodet_100e": (CONFIGS / "picodet" / "legacy_model" / "_base_" / "optimizer_100e.yml", (2, 9)),
    "visdrone_chain": (CONFIGS / "smalldet" / "visdrone" / "ppyoloe_crn_s_p2_alpha_80e_visdrone.yml", (2, 5)),
    "smoking_duplicate_key": (CONFIGS / "pphuman" / "ppyoloe_crn_s_80e_smoking_visdrone.yml", (2, 5)),
    "denseteacher_cosine": (EXCERPTS / "denseteacher_ppyoloe_plus_crn_l_coco_semi005.yml", (1, 3)),
    "denseteacher_piecewise": (EXCERPTS / "denseteacher_fcos_r50_fpn_coco_semi010.yml", (2, 5)),
    "yolox_x_24e": (EXCERPTS / "yolox_x_24e_800x1440_ht21.yml", (3, 40)),
    "mcfairmot_30e": (EXCERPTS / "mcfairmot_hrnetv2_w18_dlafpn_30e_576x320_visdrone.yml", (2, 11)),
}
CASES = [(name, spe) for name, (_, spes) in REAL.items() for spe in spes]


def _dataset_stand_in(loader: Any, node: Any) -> dict[str, Any]:
    return dict(loader.construct_mapping(node, deep=True))


@functools.cache
def _module() -> types.ModuleType:
    try:
        module = suite_module("paddledet", "ppdet.optimizer.optimizer")
    except ReferenceUnavailable as exc:  # pragma: no cover - no registry here
        pytest.skip(str(exc))
    import yaml

    for tag in ("!COCODataSet", "!ImageFolder"):  # PaddleDetection registers them from ppdet.data (OpenCV)
        yaml.add_constructor(tag, _dataset_stand_in, Loader=yaml.Loader)
    return module


@pytest.fixture(scope="module")
def ppdet_lr() -> types.ModuleType:
    return _module()


def _build(config: Any, spe: int) -> ppdet.PpdetBuild:
    return ppdet.build(config, spe)


def _ours(config: Any, spe: int, n: int) -> np.ndarray:
    return _build(config, spe).schedule.values(range(n))


def _run(config: Any, spe: int) -> int:
    return _build(config, spe).total_steps


# ---------------------------------------------------------------------------------------------------- real configs
@pytest.mark.parametrize(("name", "spe"), CASES, ids=[f"{n}-spe{s}" for n, s in CASES])
def test_real_config_matches_paddledetection_at_every_update(ppdet_lr: Any, name: str, spe: int) -> None:
    path = REAL[name][0]
    n = _run(path, spe) + 3 * spe  # the run, and three epochs past its end
    ref = ppdet.reference(path, steps_per_epoch=spe, steps=n, lr_module=ppdet_lr)
    assert np.array_equal(_ours(path, spe, n), ref)


def test_the_real_configs_cover_every_class_and_form(ppdet_lr: Any) -> None:
    seen = set()
    for path, _ in REAL.values():
        for entry in ppdet.read_config(path, on_duplicate=lambda d: None)["LearningRate"]["schedulers"]:
            seen.add(entry["name"])
    assert seen == set(ppdet.LR_CLASSES) == {"PiecewiseDecay", "CosineDecay", "LinearWarmup", "ExpWarmup"}
    public = {n for n in vars(ppdet_lr) if not n.startswith("_") and isinstance(getattr(ppdet_lr, n), type)}
    # every class of ppdet/optimizer/optimizer.py: the LR classes, LearningRate, OptimizerBuilder (and AdamWDL,
    # imported from adamw.py)
    assert public - {"LearningRate", "OptimizerBuilder", "AdamWDL"} == set(ppdet.LR_CLASSES)


def test_base_chain_merges_as_paddledetection_merges_it(ppdet_lr: Any) -> None:
    path = REAL["visdrone_chain"][0]
    ours = ppdet.read_config(path)
    workspace = __import__("sys").modules[ppdet_lr.register.__module__]
    saved = workspace.global_config
    workspace.global_config = workspace.AttrDict()
    try:
        theirs = workspace.load_config(str(path))
    finally:
        workspace.global_config = saved
    assert ours["epoch"] == theirs["epoch"] == 80
    assert ours["LearningRate"]["base_lr"] == theirs["LearningRate"]["base_lr"] == 0.005  # the top file's
    cosine, warmup = theirs["LearningRate"]["schedulers"]  # the middle file's list, replacing the base's wholesale
    assert ours["LearningRate"]["schedulers"] == [
        {"name": "CosineDecay", "max_epochs": cosine.max_epochs},
        {"name": "LinearWarmup", "start_factor": warmup.start_factor, "epochs": warmup.epochs},
    ]
    assert ours["OptimizerBuilder"] == theirs["OptimizerBuilder"]
    assert ours["TrainReader"]["batch_size"] == theirs["TrainReader"]["batch_size"] == 4
    assert ours["TrainDataset"]["name"] == "COCODataSet"


def test_real_configs_show_the_quirks(ppdet_lr: Any) -> None:
    # faster_rcnn 1x at 4 steps per epoch: milestones 8 and 11 (steps 32, 44) fall inside the 1000-step warmup;
    # PaddleDetection's table skips them and jumps from the warmup to base * 0.01
    path = REAL["faster_rcnn_1x"][0]
    ref = ppdet.reference(path, steps_per_epoch=4, steps=1002, lr_module=ppdet_lr)
    assert ref[999] < 0.01 and ref[1000] == ref[1001] == 0.01 * 0.01
    assert any("fall inside the 1000-step warmup" in w for w in _build(path, 4).warnings)
    # yolox: cosine down to min_lr_ratio * base at epoch 285, then the plateau
    yolox = ppdet.reference(REAL["yolox_300e"][0], steps_per_epoch=1, lr_module=ppdet_lr)
    assert yolox[285] == yolox[299] == 0.01 * 0.05 and yolox[284] > yolox[285]
    # denseteacher: no warmup (the LinearWarmup entry is ignored), paddle's recursive CosineAnnealingDecay
    dense = REAL["denseteacher_cosine"][0]
    assert any("is ignored: CosineDecay.use_warmup is false" in w for w in _build(dense, 3).warnings)
    assert ppdet.reference(dense, steps_per_epoch=1, steps=1, lr_module=ppdet_lr)[0] == 0.01


# ---------------------------------------------------------------------------------------------------- quirks
def _cfg(*schedulers: dict[str, Any], base_lr: float = 0.01, epoch: int = 12) -> dict[str, Any]:
    return {"epoch": epoch, "LearningRate": {"base_lr": base_lr, "schedulers": list(schedulers)}}


def _pair(ppdet_lr: Any, config: dict[str, Any], spe: int, extra: int = 0) -> tuple[np.ndarray, np.ndarray]:
    n = _run(config, spe) + extra
    return _ours(config, spe, n), ppdet.reference(config, steps_per_epoch=spe, steps=n, lr_module=ppdet_lr)


QUIRKS: dict[str, tuple[dict[str, Any], int]] = {
    # ppyoloe's optimizer_300e with the run longer than max_epochs: the table holds c(M-1), not min
    "cosine_holds_after_max_epochs": (_cfg({"name": "CosineDecay", "max_epochs": 36, "min_lr_ratio": 0.1},
                                           {"name": "LinearWarmup", "start_factor": 0.0, "epochs": 5}, epoch=45), 3),
    # denseteacher without warmup, run past max_epochs: paddle's CosineAnnealingDecay climbs back
    "cosine_no_warmup_periodic": (_cfg({"name": "CosineDecay", "max_epochs": 24, "use_warmup": False,
                                        "min_lr_ratio": 0.05}, epoch=60), 5),
    "cosine_no_warmup_plateau_table": (_cfg({"name": "CosineDecay", "max_epochs": 30, "use_warmup": False,
                                             "min_lr_ratio": 0.05, "last_plateau_epochs": 4}, epoch=34), 3),
    "cosine_fractional_plateau": (_cfg({"name": "CosineDecay", "max_epochs": 30, "last_plateau_epochs": 2.5},
                                       {"name": "ExpWarmup", "epochs": 2}, epoch=32), 3),
    "cosine_fractional_plateau_no_warmup": (_cfg({"name": "CosineDecay", "max_epochs": 10, "use_warmup": False,
                                                  "last_plateau_epochs": 0.4}, epoch=12), 3),
    "cosine_plateau_covers_all": (_cfg({"name": "CosineDecay", "max_epochs": 10, "last_plateau_epochs": 9},
                                       {"name": "LinearWarmup", "steps": 12}, epoch=12), 2),
    "cosine_warmup_outlasts_max_epochs": (_cfg({"name": "CosineDecay", "max_epochs": 4},
                                               {"name": "LinearWarmup", "steps": 30}, epoch=12), 5),
    "warmup_steps_zero_is_one": (_cfg({"name": "PiecewiseDecay", "milestones": [3]},
                                      {"name": "LinearWarmup", "steps": 0, "start_factor": 0.2}), 4),
    "warmup_epochs_zero_is_one": (_cfg({"name": "CosineDecay", "max_epochs": 12},
                                       {"name": "ExpWarmup", "epochs": 0}), 4),
    "warmup_epochs_beat_steps": (_cfg({"name": "PiecewiseDecay", "milestones": [6, 9]},
                                      {"name": "LinearWarmup", "steps": 7, "epochs": 2, "start_factor": 0.5}), 5),
    "exp_warmup_fractional_power": (_cfg({"name": "CosineDecay", "max_epochs": 12, "min_lr_ratio": 0.01},
                                         {"name": "ExpWarmup", "steps": 17, "power": 1.5}), 4),
    "gamma_longer_than_milestones": (_cfg({"name": "PiecewiseDecay", "milestones": [4, 8],
                                           "gamma": [0.5, 0.2, 0.1, 0.05]}, {"name": "LinearWarmup", "steps": 3}), 3),
    "gamma_no_milestones": (_cfg({"name": "PiecewiseDecay", "milestones": [], "gamma": [0.3]},
                                 {"name": "LinearWarmup", "steps": 5}), 2),
    "milestones_fractional": (_cfg({"name": "PiecewiseDecay", "milestones": [2.5, 7.25], "gamma": 0.2},
                                   {"name": "LinearWarmup", "steps": 2}), 3),
    "piecewise_values_no_warmup": (_cfg({"name": "PiecewiseDecay", "milestones": [3, 8],
                                         "values": [0.02, 0.005, 0.0001], "use_warmup": False}), 4),
    "piecewise_gamma_no_warmup_extra": (_cfg({"name": "PiecewiseDecay", "milestones": [3], "gamma": [0.1, 0.01],
                                              "use_warmup": False}), 4),
    "int_base_lr": (_cfg({"name": "CosineDecay", "max_epochs": 12}, {"name": "LinearWarmup", "steps": 9},
                         base_lr=1), 3),
    "defaults": ({"epoch": 12, "LearningRate": {}}, 50),
    "default_entries": (_cfg({"name": "PiecewiseDecay"}, {"name": "ExpWarmup"}), 100),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(QUIRKS))
def test_quirk_matches_paddledetection(ppdet_lr: Any, case: str) -> None:
    config, spe = QUIRKS[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ppdet.PpdetWarning)
        ours, ref = _pair(ppdet_lr, config, spe, extra=2 * spe)
    assert np.array_equal(ours, ref), case


def test_quirks_are_visible(ppdet_lr: Any) -> None:
    config, spe = QUIRKS["cosine_holds_after_max_epochs"]
    ours, ref = _pair(ppdet_lr, config, spe)
    m = 36 * spe
    assert np.array_equal(ours, ref) and ref[m - 1] > 0.01 * 0.1 and (ref[m:] == ref[m - 1]).all()  # c(M-1), not min
    assert any("holds its last value" in w for w in _build(config, spe).warnings)
    config, spe = QUIRKS["cosine_no_warmup_periodic"]
    ours, ref = _pair(ppdet_lr, config, spe)
    assert np.array_equal(ours, ref) and ref[24 * spe] == pytest.approx(0.01 * 0.05) and ref[-1] > ref[24 * spe]
    assert any("periodic" in w for w in _build(config, spe).warnings)
    config, spe = QUIRKS["gamma_longer_than_milestones"]
    ours, ref = _pair(ppdet_lr, config, spe)
    assert np.array_equal(ours, ref) and ref[-1] == 0.01 * 0.05 and 0.01 * 0.1 not in ref.tolist()
    assert any("silently skips [0.2, 0.1]" in w for w in _build(config, spe).warnings)


def test_values_with_warmup_fails_in_both(ppdet_lr: Any) -> None:
    config = _cfg({"name": "PiecewiseDecay", "milestones": [4], "values": [0.1, 0.01]}, {"name": "LinearWarmup"})
    with pytest.raises(ValueError, match="The values have one more element than boundaries"):
        ppdet.reference(config, steps_per_epoch=3, lr_module=ppdet_lr)
    with pytest.raises(ValueError, match="values with a warmup"):
        ppdet.schedule(config, steps_per_epoch=3)


@pytest.mark.parametrize(
    ("config", "error"),
    [
        (_cfg({"name": "PiecewiseDecay", "milestones": [], "use_warmup": False}), "cannot be empty"),
        (_cfg({"name": "PiecewiseDecay", "milestones": [3, 6], "gamma": [0.1]}, {"name": "LinearWarmup"}), "one more"),
        (_cfg({"name": "CosineDecay", "max_epochs": 1.5}, {"name": "LinearWarmup"}), "float"),
        (_cfg({"name": "LinearWarmup"}, {"name": "CosineDecay"}), "use_warmup"),
        (_cfg({"name": "CosineDecay"}), "index out of range"),
        (_cfg({"name": "CosineDecay", "max_epochs": 1, "last_plateau_epochs": 0.5, "use_warmup": False}), "empty"),
        (_cfg({"name": "PiecewiseDecay", "milestones": [4], "bogus": 1}), "unexpected keyword"),
        (_cfg({"name": "LinearWarmup", "epochs_first": False}), "unexpected keyword"),
    ],
    ids=[
        "no-boundaries",
        "short-gamma",
        "float-max-epochs",
        "warmup-first",
        "no-warmup-entry",
        "one-step-table",
        "unknown-key",
        "epochs-first-in-2.6.0",
    ],
)
def test_configs_paddledetection_rejects_are_rejected(ppdet_lr: Any, config: dict[str, Any], error: str) -> None:
    with pytest.raises(Exception, match=error):
        ppdet.reference(config, steps_per_epoch=1, lr_module=ppdet_lr)
    with pytest.raises((ValueError, TypeError)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ppdet.PpdetWarning)
            ppdet.schedule(config, steps_per_epoch=1)


def test_epochs_first_follows_develop(ppdet_lr: Any) -> None:
    """``epochs_first`` is not in 2.6.0: ``True`` must equal 2.6.0 without the key, ``False`` 2.6.0 without
    ``epochs`` (develop's meaning)."""
    decay = {"name": "PiecewiseDecay", "milestones": [5], "gamma": [0.1]}
    first = _cfg(decay, {"name": "LinearWarmup", "steps": 7, "epochs": 2, "epochs_first": True})
    last = _cfg(decay, {"name": "LinearWarmup", "steps": 7, "epochs": 2, "epochs_first": False})
    with pytest.warns(ppdet.PpdetWarning) as record:
        ours_first = ppdet.schedule(first, steps_per_epoch=3).values(range(36))
        ours_last = ppdet.schedule(last, steps_per_epoch=3).values(range(36))
    messages = [str(r.message) for r in record]
    assert sum("epochs_first is not a PaddleDetection 2.6.0 key" in m for m in messages) == 2
    assert any("epochs = 2 is ignored" in m for m in messages) and any("steps = 7 is ignored" in m for m in messages)
    ref_first = ppdet.reference(
        _cfg(decay, {"name": "LinearWarmup", "steps": 7, "epochs": 2}), steps_per_epoch=3, lr_module=ppdet_lr
    )
    ref_last = ppdet.reference(_cfg(decay, {"name": "LinearWarmup", "steps": 7}), steps_per_epoch=3, lr_module=ppdet_lr)
    assert np.array_equal(ours_first, ref_first) and np.array_equal(ours_last, ref_last)
    assert not np.array_equal(ref_first, ref_last)


def _random_config(rnd: random.Random) -> dict[str, Any]:
    if rnd.random() < 0.5:
        milestones: list[Any] = sorted(rnd.sample(range(1, 20), rnd.randint(1, 4)))
        decay: dict[str, Any] = {"name": "PiecewiseDecay", "milestones": milestones}
        if rnd.random() < 0.4:
            decay["gamma"] = rnd.choice([0.1, 0.5, 0.2])
        elif rnd.random() < 0.8:
            decay["gamma"] = [rnd.choice([0.1, 0.01, 0.5, 0.3]) for _ in milestones]
        if rnd.random() < 0.3:
            decay["use_warmup"] = False
            if rnd.random() < 0.5:
                decay["values"] = [rnd.random() * 0.1 for _ in range(len(milestones) + 1)]
    else:
        max_epochs = rnd.randint(2, 25)
        decay = {"name": "CosineDecay", "max_epochs": max_epochs, "min_lr_ratio": rnd.choice([0.0, 0.05, 0.1])}
        if rnd.random() < 0.5:
            decay["last_plateau_epochs"] = rnd.choice([1, 2, 0.5, max_epochs - 1])
        if rnd.random() < 0.3:
            decay["use_warmup"] = False
    schedulers = [decay]
    if decay.get("use_warmup", True):
        warm: dict[str, Any] = rnd.choice([{"name": "LinearWarmup", "start_factor": rnd.choice([0.0, 0.1, 1 / 3])},
                                           {"name": "ExpWarmup", "power": rnd.choice([1, 2, 4, 0.5])}])  # fmt: skip
        warm.update(rnd.choice([{"epochs": rnd.randint(0, 3)}, {"steps": rnd.choice([0, 1, 7, 40, 150])}]))
        schedulers.append(warm)
    return _cfg(*schedulers, base_lr=rnd.choice([0.01, 0.002, 0.08, 1e-4]), epoch=rnd.randint(1, 25))


def test_random_configs_match_paddledetection(ppdet_lr: Any) -> None:
    rnd = random.Random(20260612)
    checked = 0
    for _ in range(150):
        config, spe = _random_config(rnd), rnd.choice([1, 2, 3, 7, 16])
        try:
            ref = ppdet.reference(config, steps_per_epoch=spe, steps=config["epoch"] * spe + 5, lr_module=ppdet_lr)
        except (ValueError, TypeError, AssertionError):  # e.g. the default gamma [0.1, 0.01] for 3+ milestones
            with pytest.raises((ValueError, TypeError)):
                _build(config, spe)
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ppdet.PpdetWarning)
            ours = _ours(config, spe, ref.size)
        assert np.array_equal(ours, ref), (config, spe)
        checked += 1
    assert checked > 120


# ---------------------------------------------------------------------------------------------------- export
@pytest.mark.parametrize(("name", "spe"), CASES, ids=[f"{n}-spe{s}" for n, s in CASES])
def test_real_config_round_trips_through_export_and_dumps(ppdet_lr: Any, tmp_path: Path, name: str, spe: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ppdet.PpdetWarning)
        built = _build(REAL[name][0], spe)
        try:
            config = ppdet.export(built.schedule, steps_per_epoch=spe, epochs=built.epochs)
        except ValueError as exc:
            # only a table that relies on a skipped milestone has no quirk-free PaddleDetection config
            assert "inside its warmup" in str(exc), exc
            assert any("fall inside" in w for w in built.warnings)
            return
        again = _build(config, spe).schedule.values(range(built.total_steps))
    want = built.schedule.values(range(built.total_steps))
    assert np.array_equal(again, want)
    path = tmp_path / "exported.yml"
    path.write_text(ppdet.dumps(config), encoding="utf-8")
    assert np.array_equal(ppdet.reference(path, steps_per_epoch=spe, lr_module=ppdet_lr), want)


EXPORTS = {  # schedule, steps per epoch, base lr, epochs, tolerance (0: bit for bit)
    "warmup_cosine": (WithBaseLR(Warmup(Cosine(90), 30, start_factor=0.1), 0.02), 10, None, None, 1e-12),
    "factor_warmup_cosine": (WithBaseLR(FactorWarmup(Cosine(90, eta_min=1e-4), 30, 0.25), 0.02), 10, None, None, 0.0),
    "exp_warmup_multistep": (FactorWarmup(MultiStep((40, 70), 0.5), 20, power=3.0, mode="overlap"), 10, 0.1, 9, 0.0),
    "multistep": (MultiStep((30, 60, 60), 0.1), 10, 0.1, 8, 0.0),
    "step": (Step(25, 0.7), 5, 0.05, 30, 0.0),
    "piecewise": (Piecewise((12, 36), (0.1, 0.03, 0.001)), 6, None, 8, 0.0),
    "cosine_closed_form": (Cosine(120, eta_min=1e-3), 12, 0.1, None, 1e-12),
    "cosine_recursive": (Cosine(120, eta_min=1e-3, form="recursive"), 12, 0.1, None, 0.0),
}


@pytest.mark.parametrize("case", sorted(EXPORTS))
def test_exported_schedules_run_in_paddledetection(ppdet_lr: Any, case: str) -> None:
    schedule, spe, base, epochs, tol = EXPORTS[case]
    config = ppdet.export(schedule, steps_per_epoch=spe, base_lr=base, epochs=epochs)
    n = config["epoch"] * spe
    want = schedule.values(range(n), base if schedule.uses_base_lr else None)
    ref = ppdet.reference(config, steps_per_epoch=spe, lr_module=ppdet_lr)
    if tol == 0.0:
        assert np.array_equal(ref, want), case
    else:
        assert np.max(np.abs(ref - want) / want) <= tol, case


# ---------------------------------------------------------------------------------------------------- optimizers
def _builder_section(name: str) -> dict[str, Any]:
    return ppdet.read_config(REAL[name][0])["OptimizerBuilder"]


OPTIMIZERS: dict[str, tuple[dict[str, Any] | None, float]] = {  # OptimizerBuilder section (None: absent), base lr
    "momentum_nesterov_l2_yolox": (_builder_section("yolox_300e"), 0.025),
    "momentum_clip_by_norm_denseteacher": (_builder_section("denseteacher_cosine"), 0.025),
    "momentum_clip_by_value_denseteacher": (_builder_section("denseteacher_piecewise"), 0.025),
    "adamw_param_groups_clip_swin": (_builder_section("swin_1x"), 0.005),
    "adam_no_regularizer_mcfairmot": (_builder_section("mcfairmot_30e"), 0.005),
    "rmsprop_l2_ssd": (_builder_section("ssd_120e"), 0.001),
    "sgd_l2": ({"optimizer": {"type": "SGD"}, "regularizer": {"type": "L2", "factor": 0.0005}}, 0.05),
    "momentum_l1_groups": ({"optimizer": {"type": "Momentum", "momentum": 0.9, "param_groups": [
        {"params": ["head"], "learning_rate": 0.1, "weight_decay": 0.001}]},
        "regularizer": {"type": "L1", "factor": 0.0005}}, 0.025),
    "adadelta": ({"optimizer": {"type": "Adadelta", "rho": 0.9}, "regularizer": {"type": "L2", "factor": 0.001}}, 0.5),
    "adam_l1_groups_clip": ({"clip_grad_by_norm": 0.5, "regularizer": {"type": "L1", "factor": 0.001},
                             "optimizer": {"type": "Adam", "param_groups": [
                                 {"params": ["head"], "weight_decay": 0.01, "learning_rate": 2.0}]}}, 0.005),
    "defaults": (None, 0.025),
}  # fmt: skip
SPE = 3
INIT_STD = 0.3
LOSS_SCALE = 4.0  # gradients large enough that every clip of the cases acts


def _nets() -> tuple[Any, Any]:
    import torch

    class PaddleNet(paddle.nn.Layer):
        def __init__(self) -> None:
            super().__init__()
            self.head = paddle.nn.Linear(6, 3)
            self.norm = paddle.nn.Linear(6, 3)  # a name that swin's param_groups pattern 'norm' matches

        def forward(self, x: Any) -> Any:
            return self.head(x) + self.norm(x)

    class TorchNet(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.head = torch.nn.Linear(6, 3)
            self.norm = torch.nn.Linear(6, 3)

        def forward(self, x: Any) -> Any:
            return self.head(x) + self.norm(x)

    paddle.seed(7)
    p_net, t_net = PaddleNet(), TorchNet()
    rnd = np.random.default_rng(3)
    with torch.no_grad():
        for (name, p), (t_name, t) in zip(p_net.named_parameters(), t_net.named_parameters(), strict=True):
            assert name == t_name
            value = rnd.normal(0.0, INIT_STD, p.shape).astype(str(p.numpy().dtype))
            p.set_value(value)
            t.copy_(torch.from_numpy(value.T.copy() if value.ndim == 2 else value))
    return p_net, t_net


def _weights(net: Any, is_paddle: bool) -> dict[str, np.ndarray]:
    out = {}
    for name, p in net.named_parameters():
        value = p.numpy() if is_paddle else p.detach().numpy()
        out[name] = value.T if (value.ndim == 2 and not is_paddle) else value
    return out


def _clip_acts(section: dict[str, Any] | None, optimizer: Any) -> bool:
    """Whether the section's clip changes the gradients now (a value above the bound, a group norm above the norm)."""
    import torch

    if section is None:
        return False
    grads = [[p.grad for p in g["params"] if p.grad is not None] for g in optimizer.param_groups]
    if section.get("clip_grad_by_norm") is not None:
        return any(torch.sqrt(sum((g**2).sum() for g in group)) > section["clip_grad_by_norm"] for group in grads)
    if section.get("clip_grad_by_value") is not None:
        return any(float(g.abs().max()) > abs(section["clip_grad_by_value"]) for group in grads for g in group)
    return False


@pytest.mark.parametrize("case", sorted(OPTIMIZERS))
def test_optimizer_matches_paddledetection_after_30_steps(ppdet_lr: Any, case: str) -> None:
    import torch

    section, base_lr = OPTIMIZERS[case]
    config: dict[str, Any] = _cfg(
        {"name": "CosineDecay", "max_epochs": 10, "min_lr_ratio": 0.1},
        {"name": "LinearWarmup", "steps": 5, "start_factor": 0.1},
        base_lr=base_lr,
        epoch=10,
    )
    if section is not None:
        config["OptimizerBuilder"] = section
    p_net, t_net = _nets()
    w0 = _weights(p_net, True)
    scheduler = ppdet_lr.LearningRate(**config["LearningRate"])(SPE)
    p_opt = ppdet_lr.OptimizerBuilder(**(section or {}))(scheduler, p_net)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ppdet.PpdetWarning)
        t_opt, t_sched, pre_step = ppdet.torch_optimizer(config, t_net, steps_per_epoch=SPE)
    rnd = np.random.default_rng(11)
    x = rnd.normal(0.0, 2.0, (16, 6)).astype(np.float32)
    y = rnd.normal(0.0, 1.0, (16, 3)).astype(np.float32)
    clipped = False
    for _ in range(30):
        loss = ((p_net(paddle.to_tensor(x)) - paddle.to_tensor(y)) ** 2).mean() * LOSS_SCALE
        loss.backward()
        p_opt.step()
        scheduler.step()
        p_opt.clear_grad()
        t_loss = ((t_net(torch.from_numpy(x)) - torch.from_numpy(y)) ** 2).mean() * LOSS_SCALE
        t_loss.backward()
        clipped |= _clip_acts(section, t_opt)
        if pre_step is not None:
            pre_step()
        t_opt.step()
        t_sched.step()
        t_opt.zero_grad()
    got, want = _weights(t_net, False), _weights(p_net, True)
    moved = max(float(np.max(np.abs(want[k] - w0[k]))) for k in want)
    assert moved > 1e-2, f"{case}: the weights barely moved ({moved}); the comparison would prove nothing"
    has_clip = section is not None and any(
        section.get(k) is not None for k in ("clip_grad_by_norm", "clip_grad_by_value")
    )
    assert clipped == has_clip, f"{case}: the clip never acted"
    for name in want:
        np.testing.assert_allclose(got[name], want[name], rtol=1e-5, atol=1e-6, err_msg=f"{case}: {name}")


def test_optimizer_cases_cover_every_translated_type() -> None:
    types_ = {ppdet.optimizer_spec(s if s is not None else {"optimizer": {"type": "Momentum"}}).spec.name
              for s, _ in OPTIMIZERS.values()}  # fmt: skip
    assert types_ == set(ppdet.OPTIMIZER_KWARGS)
