"""mmengine recipes against mmengine-lite 0.10.7 itself: its schedulers built as the runner builds them, stepped by its
``ParamSchedulerHook`` inside its own train loops (:func:`lrparity.recipes.mmengine.reference`).

- 34 cases of 30 real OpenMMLab configs (MMOCR, MMDetection, MMPretrain, MMDetection3D, MMagic, MMPose) in
  ``parity_tests/recipes_data/mmengine/`` (read with mmengine's ``Config.fromfile``, ``_base_`` files included),
  scaled down (few updates per epoch; the 100k-600k iteration runs shortened, keeping their shape): every field
  they schedule (lr, momentum, weight_decay) at every update;
- every scheduler class (the LR, Momentum and ParamScheduler twins of all ten shapes), on SGD and on AdamW (betas);
- the traps: stacked entries (multiplicative and not), begin/end, by_epoch, convert_to_iter_based, the runner's
  default end, by_epoch entries in an IterBasedTrainLoop, OneCycle's shared levels, ReduceOnPlateau with metrics;
- 40 random stacks of entries;
- exports: PaddleOCR's 89 Optimizer blocks, a PaddleClas warmup + cosine, every catalogue schedule, and every real
  config read back, each run by mmengine and compared with the schedule it came from.

Values must match within 1e-12 relative; the recursions (Linear, CosineAnnealing, Poly, CosineRestart, OneCycle,
interleaved stacks) bit for bit.
"""

from __future__ import annotations

import copy
import random
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lrparity.core import Plateau
from lrparity.recipes import mmengine as M
from lrparity.recipes.matrix import scale_mmengine_iters

torch = pytest.importorskip("torch")
mmengine = pytest.importorskip("mmengine")

DATA = Path(__file__).resolve().parent / "recipes_data" / "mmengine"
REPO = Path(__file__).resolve().parent.parent
RTOL = 1e-12


def _quiet(fn: Any, *args: Any, **kwargs: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", M.MmengineWarning)
        return fn(*args, **kwargs)


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    diff = np.abs(a - b)
    scale = np.maximum(np.abs(a), np.abs(b))
    rel = np.divide(diff, scale, out=np.zeros_like(diff), where=scale > 0)
    return float(rel.max()) if rel.size else 0.0


def check(cfg: Any, steps_per_epoch: int | None, *, bitwise: bool = False) -> dict[str, float]:
    """Every scheduled field of ``cfg`` against mmengine at every update; returns the largest relative difference
    of each field."""
    ours = _quiet(M.schedules, cfg, steps_per_epoch=steps_per_epoch)
    out = {}
    for field, schedule in ours.items():
        assert not isinstance(schedule, Plateau)
        ref = _quiet(M.reference, cfg, steps_per_epoch=steps_per_epoch, field=field)
        got = schedule.values(range(ref.size))
        worst = _rel(got, ref)
        bad = np.flatnonzero(got != ref)
        where = (
            f"{field}: first difference at update {bad[0]}: ours {got[bad[0]]!r}, mmengine {ref[bad[0]]!r}"
            if bad.size
            else ""
        )
        assert worst <= RTOL, where
        if bitwise:
            assert bad.size == 0, where
        one = np.array([schedule.value(t) for t in range(0, ref.size, max(1, ref.size // 53))])
        assert np.array_equal(one, got[:: max(1, ref.size // 53)])  # one step at a time: the same values
        out[field] = worst
    return out


# -- real configs ---------------------------------------------------------------------------------------------
_scale_iters = scale_mmengine_iters


# (config file, steps_per_epoch, scaling, bit for bit)
REAL: list[tuple[str, int | None, int, bool]] = [
    ("mmocr/textdet/dbnet_resnet50_1200e_icdar2015.py", 2, 1, True),
    ("mmocr/textdet/mask-rcnn_resnet50_fpn_160e_ctw1500.py", 4, 1, True),  # warmup over epochs 0..125: milestone 80
    ("mmocr/textdet/fcenet_resnet50_fpn_1500e_totaltext.py", 1, 1, False),
    ("mmocr/textrecog/svtr-tiny_20e_st_mj.py", 3, 1, True),
    ("mmocr/textrecog/abinet_20e_st-an_mj.py", 5, 1, False),
    ("mmocr/textrecog/master_resnet31_12e_st_mj_sa.py", 20, 1, False),
    ("mmocr/_base_/schedules/schedule_sgd_1200e.py", 1, 1, True),
    ("mmocr/_base_/schedules/schedule_adam_600e.py", 2, 1, True),
    ("mmocr/_base_/schedules/schedule_sgd_100k.py", None, 50, True),
    ("mmocr/_base_/schedules/schedule_adamw_cos_6e.py", 7, 1, True),
    ("mmocr/_base_/schedules/schedule_adadelta_5e.py", 3, 1, True),
    ("mmocr/kie/schedule_adam_60e.py", 2, 1, False),
    ("mmdet/_base_/schedules/schedule_1x.py", 60, 1, True),  # warmup 500 iters > 8 epochs: milestone 8 inside it
    ("mmdet/_base_/schedules/schedule_1x.py", 100, 1, False),
    ("mmdet/rtmdet/rtmdet_l_8xb32-300e_coco.py", 3, 1, True),  # warmup 1000 iters runs into the cosine (eta_min)
    ("mmdet/rtmdet/rtmdet_l_8xb32-300e_coco.py", 10, 1, True),
    ("mmpretrain/_base_/schedules/imagenet_bs256.py", 2, 1, False),
    ("mmpretrain/_base_/schedules/imagenet_bs256_coslr.py", 3, 1, True),
    ("mmpretrain/_base_/schedules/imagenet_bs1024_adamw_swin.py", 2, 1, True),
    ("mmpretrain/_base_/schedules/imagenet_bs4096_AdamW.py", 2, 1, True),
    ("mmpretrain/_base_/schedules/imagenet_bs256_epochstep.py", 1, 1, False),
    ("mmpretrain/_base_/schedules/imagenet_bs2048_coslr.py", 5, 1, True),
    ("mmpretrain/_base_/schedules/imagenet_bs256_coslr_coswd_300e.py", 2, 1, True),
    ("mmpretrain/_base_/schedules/imagenet_bs1024_linearlr_bn_nowd.py", 20, 1, False),  # ConstantLR restored at 4999
    ("mmpretrain/_base_/schedules/imagenet_bs2048_adamw_levit.py", 1, 1, True),
    ("mmpretrain/_base_/schedules/cub_bs64.py", 4, 1, True),
    ("mmdet3d/_base_/schedules/cyclic-20e.py", 10, 1, True),
    ("mmdet3d/bevfusion/bevfusion_lidar-cam_voxel0075_second_secfpn_8xb4-cyclic-20e_nus-3d.py", 200, 1, True),
    ("mmdet3d/bevfusion/bevfusion_lidar-cam_voxel0075_second_secfpn_8xb4-cyclic-20e_nus-3d.py", 600, 1, True),
    ("mmagic/basicvsr_2xb4_reds4.py", None, 100, True),
    ("mmagic/edvrm_8xb4-600k_reds.py", None, 250, True),
    # ExponentialLR (a recursion in mmengine: within 1e-12) for 120 of 240 epochs, then held
    ("mmpose/configs/body_3d_keypoint/motionbert/h36m/motionbert_dstformer-243frm_8xb32-240e_h36m.py", 1, 1, False),
    ("mmpose/configs/body_3d_keypoint/motionbert/h36m/motionbert_dstformer-243frm_8xb32-240e_h36m.py", 3, 1, False),
    ("mmdet3d/projects/CENet/configs/cenet-64x512_4xb4_semantickitti.py", 4, 1, True),  # OneCycleLR, per iteration
]


def _real(path: str, scale: int) -> dict[str, Any]:
    cfg = M.load_config(DATA / path)  # mmengine's Config.fromfile, _base_ files merged
    return _scale_iters(cfg, scale) if scale > 1 else cfg


@pytest.mark.parametrize(("path", "steps_per_epoch", "scale", "bitwise"), REAL, ids=[f"{r[0]}-L{r[1]}" for r in REAL])
def test_real_config(path: str, steps_per_epoch: int | None, scale: int, bitwise: bool) -> None:
    check(_real(path, scale), steps_per_epoch, bitwise=bitwise)


def test_real_configs_cover_the_traps() -> None:
    """The real configs above include interleaved entries, an affine entry interleaved with a warmup, momentum and
    weight-decay schedules, a ParamScheduler, convert_to_iter_based with fractional epochs, CosineRestart cycles."""
    mask = _quiet(M.schedule, _real("mmocr/textdet/mask-rcnn_resnet50_fpn_160e_ctw1500.py", 1), steps_per_epoch=4)
    assert "Stacked" in repr(mask)
    rtm = _quiet(M.schedule, _real("mmdet/rtmdet/rtmdet_l_8xb32-300e_coco.py", 1), steps_per_epoch=3)
    assert "Stacked" in repr(rtm) and "eta_min=0.0002" in repr(rtm)
    bev = _quiet(M.schedules, _real(REAL[27][0], 1), steps_per_epoch=200)
    assert set(bev) == {"lr", "momentum"}
    coswd = _quiet(
        M.schedules, _real("mmpretrain/_base_/schedules/imagenet_bs256_coslr_coswd_300e.py", 1), steps_per_epoch=2
    )
    assert set(coswd) == {"lr", "weight_decay"}


def test_python_config_equals_its_mapping() -> None:
    cfg = _real("mmdet/rtmdet/rtmdet_l_8xb32-300e_coco.py", 1)
    assert cfg["optim_wrapper"] == {
        "type": "OptimWrapper",
        "optimizer": {"type": "AdamW", "lr": 0.004, "weight_decay": 0.05},
        "paramwise_cfg": {"norm_decay_mult": 0, "bias_decay_mult": 0, "bypass_duplicate": True},
    }  # _delete_ dropped the base's SGD
    from_file = _quiet(M.schedule, DATA / "mmdet/rtmdet/rtmdet_l_8xb32-300e_coco.py", steps_per_epoch=10)
    assert from_file == _quiet(M.schedule, cfg, steps_per_epoch=10)


# -- every class ----------------------------------------------------------------------------------------------
SHAPES: dict[str, list[dict[str, Any]]] = {
    "Constant": [dict(factor=0.5, end=7), dict(factor=0.25, begin=2)],
    "CosineAnnealing": [dict(T_max=9), dict(eta_min_ratio=0.1, begin=3), dict(T_max=4, eta_min=0.01)],  # periodic
    "Exponential": [dict(gamma=0.9), dict(gamma=0.8, begin=4, end=20)],
    "Linear": [dict(start_factor=0.1, end=10), dict(start_factor=0.5, end_factor=0.2, begin=5, end=30)],
    "MultiStep": [dict(milestones=[0, 5, 5, 12], gamma=0.5), dict(milestones=[3, 9], begin=4)],
    "Step": [dict(step_size=4, gamma=0.7), dict(step_size=3, begin=5, end=25)],
    "Poly": [dict(power=0.9), dict(eta_min=1e-3, power=2.0, begin=3, end=30)],
    "OneCycle": [
        dict(eta_max=0.3, pct_start=0.25),
        dict(eta_max=0.2, total_steps=40, three_phase=True, anneal_strategy="linear", begin=2, end=40),
    ],
    "CosineRestart": [
        dict(periods=[5, 8, 10], restart_weights=[1, 0.5, 0.3], eta_min=1e-3),
        dict(periods=[7], eta_min_ratio=0.1, begin=3),
    ],
}


def _class_cases() -> list[tuple[str, str, dict[str, Any], str]]:
    cases = []
    for shape, variants in SHAPES.items():
        for i, args in enumerate(variants):
            for suffix in ("LR", "Momentum", "ParamScheduler"):
                if shape == "OneCycle" and suffix == "Momentum":
                    continue
                for optimizer in ("SGD", "AdamW"):
                    cases.append((f"{shape}{suffix}", optimizer, args, f"{shape}{suffix}-{i}-{optimizer}"))
    return cases


CLASS_CASES = _class_cases()


@pytest.mark.parametrize(("name", "optimizer", "args", "case"), CLASS_CASES, ids=[c[3] for c in CLASS_CASES])
def test_every_class(name: str, optimizer: str, args: dict[str, Any], case: str) -> None:
    opt = {"type": optimizer, "lr": 0.1, "weight_decay": 0.05}
    if optimizer == "SGD":
        opt["momentum"] = 0.9
    for by_epoch, loop in (
        (False, {"type": "IterBasedTrainLoop", "max_iters": 40}),
        (True, {"type": "EpochBasedTrainLoop", "max_epochs": 8}),
    ):
        entry = {"type": name, **args, "by_epoch": by_epoch}
        if name.endswith("ParamScheduler"):
            entry["param_name"] = "lr" if name.startswith("OneCycle") else "weight_decay"
        if by_epoch and name.startswith("OneCycle") and "total_steps" in args:
            entry["total_steps"], entry["end"] = 10, 10
        if by_epoch and "end" in entry and not name.startswith("OneCycle"):
            entry["end"] = min(entry["end"], 8)
            entry["begin"] = min(entry.get("begin", 0), 6)
        cfg = {"optim_wrapper": {"optimizer": opt}, "train_cfg": loop, "param_scheduler": [entry]}
        recursive = name.startswith(("Linear", "CosineAnnealing", "Poly", "OneCycle", "CosineRestart"))
        check(cfg, 5, bitwise=recursive)


def test_every_class_is_covered() -> None:
    from mmengine.optim import scheduler

    names = {n for n in scheduler.__all__ if not n.startswith("_")}
    covered = {c[0] for c in CLASS_CASES} | {
        "ReduceOnPlateauLR",
        "ReduceOnPlateauMomentum",
        "ReduceOnPlateauParamScheduler",
    }
    assert names == covered == set(M.SCHEDULER_TYPES)


@pytest.mark.parametrize("name", ["ReduceOnPlateauLR", "ReduceOnPlateauMomentum", "ReduceOnPlateauParamScheduler"])
@pytest.mark.parametrize("optimizer", ["SGD", "AdamW"])
def test_reduce_on_plateau(name: str, optimizer: str) -> None:
    """The Plateau, stepped once per validation (val_interval=2 and the last epoch), against mmengine's."""
    opt = {"type": optimizer, "lr": 0.1, "momentum": 0.9} if optimizer == "SGD" else {"type": optimizer, "lr": 0.1}
    field = "lr" if name.endswith("LR") else "momentum"
    entry = {"type": name, "monitor": "acc", "rule": "greater", "patience": 1, "factor": 0.5, "cooldown": 1,
             "threshold": 0.01, "min_value": 0.02}  # fmt: skip
    if name.endswith("ParamScheduler"):
        entry["param_name"] = field = "lr"
    cfg = {
        "optim_wrapper": {"optimizer": opt},
        "train_cfg": {"type": "EpochBasedTrainLoop", "max_epochs": 21, "val_interval": 2},
        "param_scheduler": [{"type": "LinearLR", "start_factor": 1.0, "end_factor": 1.0, "end": 5}, entry],
    }
    plateau = _quiet(M.schedules, cfg, steps_per_epoch=3)[field]
    assert isinstance(plateau, Plateau) and plateau.semantics == "torch"
    metrics = [0.5, 0.6, 0.6, 0.6, 0.605, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7]  # epochs 2, 4, ..., 20, and 21 (the last)
    ref = _quiet(M.reference, cfg, steps_per_epoch=3, field=field, metrics=metrics)
    state = plateau.initial_state([ref[0]])
    stream, ours = iter(metrics), []
    for update in range(ref.size):
        ours.append(state.lrs[0])
        epoch = (update + 1) / 3
        if epoch.is_integer() and (epoch % 2 == 0 or epoch == 21):
            state = plateau.update(state, next(stream))
    assert np.array_equal(np.array(ours), ref)
    assert ref[-1] < ref[0]


# -- traps ----------------------------------------------------------------------------------------------------
def _cfg(
    entries: list[dict[str, Any]], loop: dict[str, Any], optimizer: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {"optim_wrapper": {"optimizer": optimizer or {"type": "SGD", "lr": 0.1, "momentum": 0.9}},
            "train_cfg": loop, "param_scheduler": entries}  # fmt: skip


EPOCHS = {"type": "EpochBasedTrainLoop", "max_epochs": 12}
ITERS = {"type": "IterBasedTrainLoop", "max_iters": 60}
ADAM = {"type": "Adam", "lr": 0.1, "betas": (0.95, 0.999)}
NO_END = float("inf")


def e(kind: str, **kwargs: Any) -> dict[str, Any]:
    """A param_scheduler entry."""
    return {"type": kind, **kwargs}


TRAPS = {
    "linear-total-is-end-minus-begin-minus-1": _cfg([e("LinearLR", start_factor=0.1, end=4)], EPOCHS),
    "constant-restored-one-step-early": _cfg([e("ConstantLR", factor=0.1, by_epoch=False, end=20)], ITERS),
    "stacked-multiply": _cfg(
        [e("LinearLR", start_factor=0.01, by_epoch=False, end=30), e("StepLR", step_size=1, gamma=0.8)], EPOCHS
    ),
    "cosine-eta-min-over-warmup": _cfg(
        [e("LinearLR", start_factor=0.01, by_epoch=False, end=30), e("CosineAnnealingLR", eta_min=0.01)], EPOCHS
    ),
    "poly-eta-min-over-exponential": _cfg(
        [e("ExponentialLR", gamma=0.98, by_epoch=False), e("PolyLR", eta_min=0.01, power=2.0, by_epoch=False)], ITERS
    ),
    "cosine-restart-from-base": _cfg(
        [
            e("MultiStepLR", milestones=[2], by_epoch=False),
            e("CosineAnnealingLR", T_max=5, eta_min=0.001, by_epoch=False, begin=4),
        ],
        ITERS,
    ),
    "cosine-restart-interleaved": _cfg(
        [e("ExponentialLR", gamma=0.99, by_epoch=False), e("CosineAnnealingLR", T_max=5, by_epoch=False, begin=3)],
        ITERS,
    ),
    "convert-rescales-lengths-not-gamma": _cfg(
        [
            e("ExponentialLR", gamma=0.9, convert_to_iter_based=True, begin=1, end=6),
            e("StepLR", step_size=2, convert_to_iter_based=True),
            e("CosineAnnealingLR", T_max=3, convert_to_iter_based=True, begin=6),
        ],
        EPOCHS,
    ),
    "convert-fractional-epochs": _cfg(
        [
            e("LinearLR", begin=0.5, end=2.4, convert_to_iter_based=True),
            e("OneCycleLR", eta_max=0.3, total_steps=3, convert_to_iter_based=True, begin=4, end=7),
        ],
        EPOCHS,
    ),
    "default-end-by-own-by-epoch": _cfg(
        [e("LinearLR", start_factor=0.2, by_epoch=False), e("MultiStepLR", milestones=[3, 6])], EPOCHS
    ),
    "by-epoch-entry-in-iteration-loop": _cfg(
        [e("LinearLR", start_factor=0.2), e("CosineAnnealingLR", by_epoch=False, begin=10)], ITERS
    ),
    "onecycles-share-levels": _cfg(
        [
            e("OneCycleLR", eta_max=0.3, by_epoch=False, end=20),
            e("OneCycleLR", eta_max=0.05, div_factor=5.0, by_epoch=False, begin=30),
        ],
        ITERS,
    ),
    "onecycle-rewrites-initial-for-later-entries": _cfg(
        [
            e("OneCycleLR", eta_max=0.3, by_epoch=False, end=20),
            e(
                "CosineRestartLR",
                periods=[10, 10],
                restart_weights=[1, 0.5],
                eta_min_ratio=0.1,
                by_epoch=False,
                begin=20,
            ),
        ],
        ITERS,
    ),
    "epoch-entry-listed-first": _cfg(
        [e("CosineAnnealingLR", eta_min=0.02), e("LinearLR", start_factor=0.1, by_epoch=False, end=25)], EPOCHS
    ),
    "adam-betas-momentum": _cfg(
        [
            e("LinearMomentum", start_factor=0.9, by_epoch=False, end=11),
            e("CosineAnnealingMomentum", eta_min=0.85, begin=2),
        ],
        EPOCHS,
        ADAM,
    ),
    "warmup-from-zero-onecycle": _cfg(
        [
            e("CosineAnnealingLR", T_max=50, by_epoch=False, begin=10),
            e(
                "OneCycleLR",
                eta_max=0.1,
                total_steps=11,
                pct_start=1.0,
                anneal_strategy="linear",
                div_factor=NO_END,
                final_div_factor=1.0,
                by_epoch=False,
                end=11,
            ),
        ],
        ITERS,
    ),
}


@pytest.mark.parametrize("name", sorted(TRAPS))
def test_trap(name: str) -> None:
    check(copy.deepcopy(TRAPS[name]), 5)


# -- random stacks --------------------------------------------------------------------------------------------
def _random_entry(
    rng: random.Random, epoch_loop: bool, adam: bool, horizon_epochs: int, horizon_iters: int
) -> dict[str, Any]:
    shape = rng.choice(list(SHAPES))
    suffix = "LR" if shape == "OneCycle" else rng.choice(["LR", "LR", "Momentum", "ParamScheduler"])
    entry: dict[str, Any] = {"type": shape + suffix, **copy.deepcopy(rng.choice(SHAPES[shape]))}
    entry.pop("begin", None), entry.pop("end", None), entry.pop("total_steps", None)
    if suffix == "ParamScheduler":
        entry["param_name"] = rng.choice(["lr", "weight_decay"] + ([] if adam else ["momentum"]))
    by_epoch = epoch_loop and rng.random() < 0.5
    entry["by_epoch"] = by_epoch
    if by_epoch and rng.random() < 0.5:
        entry["convert_to_iter_based"] = True
    horizon = horizon_epochs if by_epoch else horizon_iters
    entry["begin"] = rng.randrange(0, max(1, horizon - 1))
    if rng.random() < 0.7:
        entry["end"] = entry["begin"] + rng.randrange(1, horizon + 2)
    return entry


@pytest.mark.parametrize("seed", range(40))
def test_random_stack(seed: int) -> None:
    rng = random.Random(seed)
    epoch_loop, adam = rng.random() < 0.6, rng.random() < 0.4
    steps_per_epoch, epochs, iters = rng.randrange(1, 6), rng.randrange(2, 10), rng.randrange(5, 60)
    opt = {"type": "AdamW", "lr": 0.1, "betas": (0.9, 0.99)} if adam else {"type": "SGD", "lr": 0.1, "momentum": 0.9}
    opt["weight_decay"] = 0.01
    loop = (
        {"type": "EpochBasedTrainLoop", "max_epochs": epochs}
        if epoch_loop
        else {"type": "IterBasedTrainLoop", "max_iters": iters}
    )
    entries = [
        _random_entry(rng, epoch_loop, adam, epochs, epochs * steps_per_epoch if epoch_loop else iters)
        for _ in range(rng.randrange(1, 4))
    ]
    cfg = _cfg(entries, loop, opt)
    try:
        _quiet(M.schedules, cfg, steps_per_epoch=steps_per_epoch)
    except ValueError as exc:
        # only what lrparity refuses on purpose: an epoch entry listed before an iteration entry, both acting when built
        assert "list the iteration-based entry first" in str(exc)
        return
    check(cfg, steps_per_epoch)


# -- exports, run by mmengine ---------------------------------------------------------------------------------
def _run_export(schedule: Any, total: int, **context: Any) -> float:
    config = M.export(schedule, **context)
    ref = _quiet(M.reference, config, steps_per_epoch=context.get("steps_per_epoch"))
    assert ref.size == total
    return _rel(schedule.values(range(total), context.get("base_lr")), ref)


def test_export_ppocr_corpus(ppocr_corpus: list[dict[str, Any]]) -> None:
    """PaddleOCR's Optimizer blocks (warmup + cosine among them: the MMOCR port of a PaddleOCR recipe) in mmengine."""
    import lrparity.ppocr

    exported, refused = 0, []
    for item in ppocr_corpus:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", lrparity.ppocr.PpocrWarning)
                schedule = lrparity.ppocr.lr_schedule(item["optimizer"], 20, 7)
        except (ValueError, TypeError):
            continue  # a block PaddleOCR itself refuses
        try:
            worst = _run_export(schedule, 140, epochs=20, steps_per_epoch=7)
        except ValueError as exc:
            refused.append((item["optimizer"]["lr"].get("name"), str(exc)))
            continue
        assert worst <= RTOL, item["key"]
        exported += 1
    assert exported >= 80
    assert all(name == "TwoStepCosine" and "Shift" in why for name, why in refused), refused


def test_export_ppocr_warmup_cosine_to_mmocr() -> None:
    import lrparity.ppocr

    block = {"name": "Adam", "lr": {"name": "Cosine", "learning_rate": 0.001, "warmup_epoch": 2}}
    schedule = lrparity.ppocr.lr_schedule(block, 10, 5)
    config = M.export(schedule, epochs=10, steps_per_epoch=5)
    assert [e["type"] for e in config["param_scheduler"]] == ["CosineAnnealingLR", "OneCycleLR"]
    ref = _quiet(M.reference, config, steps_per_epoch=5)
    assert ref[0] == 0.0 and _rel(schedule.values(range(50)), ref) <= RTOL


def test_export_ppcls_warmup_cosine() -> None:
    from lrparity import recipes

    path = REPO / "parity_tests" / "recipes_data" / "ppcls" / "lcnetv2_cosine_warmup.yaml"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        schedule = recipes.schedule("ppcls", path, steps_per_epoch=3)
    assert _run_export(schedule, 300, epochs=100, steps_per_epoch=3) <= RTOL


def test_export_catalogue() -> None:
    from lrparity.parity.catalogue import CATALOGUE

    exported = 0
    for entry in CATALOGUE:
        total = min(entry.steps, 2000)
        try:
            worst = _run_export(entry.schedule, total, total_steps=total, base_lr=entry.base_lr)
        except ValueError as exc:
            assert "export(kind='mmengine')" in str(exc), entry.name
            continue
        assert worst <= RTOL, entry.name
        exported += 1
    assert exported >= 20


@pytest.mark.parametrize(("path", "steps_per_epoch", "scale", "bitwise"), REAL, ids=[f"{r[0]}-L{r[1]}" for r in REAL])
def test_real_config_round_trip(path: str, steps_per_epoch: int | None, scale: int, bitwise: bool) -> None:
    """A real config read, written back by export(), and run by mmengine again: the same values."""
    cfg = _real(path, scale)
    fields = _quiet(M.schedules, cfg, steps_per_epoch=steps_per_epoch)
    setup_total = _quiet(M.reference, cfg, steps_per_epoch=steps_per_epoch).size
    loop = cfg["train_cfg"]
    context: dict[str, Any] = {"optimizer": dict(cfg["optim_wrapper"]["optimizer"])}
    if loop.get("type") == "EpochBasedTrainLoop" or loop.get("by_epoch") is True:
        context.update(epochs=setup_total // steps_per_epoch, steps_per_epoch=steps_per_epoch)
    else:
        context.update(total_steps=setup_total, steps_per_epoch=steps_per_epoch)
    try:
        config = M.export(fields, **context)
    except ValueError as exc:
        pytest.fail(f"{path}: {exc}")
    for field, schedule in fields.items():
        ref = _quiet(M.reference, config, steps_per_epoch=steps_per_epoch, field=field)
        assert _rel(schedule.values(range(setup_total)), ref) <= RTOL, field


def test_dumps_reads_back_with_mmengine(tmp_path: Path) -> None:
    schedule = _quiet(M.schedule, _real("mmdet3d/_base_/schedules/cyclic-20e.py", 1), steps_per_epoch=10)
    config = M.export(schedule, epochs=20, steps_per_epoch=10)
    path = tmp_path / "exported.py"
    path.write_text(M.dumps(config))
    assert M.load_config(path) == config
    ref = _quiet(M.reference, path, steps_per_epoch=10)
    assert _rel(schedule.values(range(200)), ref) <= RTOL
