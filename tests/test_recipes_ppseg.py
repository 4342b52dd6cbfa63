"""PaddleSeg recipes without PaddleSeg: hand-computed values for each quirk, the _base_ merge, validation, warnings,
export and dumps. (The proof against PaddleSeg's own code is parity_tests/test_recipes_ppseg.py.)"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import lrparity.recipes
from lrparity.core import Cosine, CosineRestarts, Noise, Plateau, Polynomial, Step, Warmup, WithBaseLR
from lrparity.core.config_files import parse_config_text
from lrparity.recipes import ppseg
from tests.helpers import assert_imports_no_framework


def _quiet(config: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ppseg.PpsegWarning)
        return ppseg.schedule(config)


def _cfg(iters: int = 10, **lr: Any) -> dict[str, Any]:
    return {"iters": iters, "lr_scheduler": lr}


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------------- values
def test_polynomial_decays_over_iters_minus_warmup():
    s = ppseg.schedule(_cfg(10, type="PolynomialDecay", learning_rate=1.0, end_lr=0, power=1.0, warmup_iters=2,
                            warmup_start_lr=0.0))  # fmt: skip
    # warmup (1 - 0) * t / 2 + 0, then (1 - 0) * (1 - (t - 2) / 8) ** 1 + 0
    assert s.values(range(11)).tolist() == [0.0, 0.5, 1.0, 0.875, 0.75, 0.625, 0.5, 0.375, 0.25, 0.125, 0.0]
    assert s == Warmup(WithBaseLR(Polynomial(8, 1.0, 0), 1.0), 2, start_lr=0.0, end_lr=1.0)


def test_polynomial_without_warmup_decays_over_iters_and_explicit_decay_steps_win():
    assert ppseg.schedule(_cfg(50, type="PolynomialDecay", learning_rate=0.1, end_lr=0)).schedule.total_steps == 50
    s = ppseg.schedule(_cfg(50, type="PolynomialDecay", learning_rate=0.1, end_lr=0, decay_steps=20))
    assert s.schedule.total_steps == 20 and s.value(30) == 0.0
    tiny = _quiet(_cfg(3, type="PolynomialDecay", learning_rate=0.1, end_lr=0, warmup_iters=5,
                               warmup_start_lr=0.0))  # fmt: skip
    assert tiny.schedule.schedule.total_steps == 1  # max(iters - warmup_iters, 1)


def test_multistep_milestones_shift_by_the_warmup():
    with pytest.warns(ppseg.PpsegWarning, match=r"milestones \[6, 8\] fall at iterations \[8, 10\]"):
        s = ppseg.schedule(_cfg(12, type="MultiStepDecay", learning_rate=1.0, milestones=[6, 8], gamma=0.5,
                                warmup_iters=2, warmup_start_lr=0.0))  # fmt: skip
    lrs = s.values(range(12))
    assert lrs[7] == 1.0 and lrs[8] == 0.5 and lrs[9] == 0.5 and lrs[10] == 0.25


def test_cosine_is_recursive_alone_and_closed_form_behind_the_warmup():
    alone = ppseg.schedule(_cfg(10, type="CosineAnnealingDecay", learning_rate=0.1, T_max=5))
    behind = ppseg.schedule(_cfg(10, type="CosineAnnealingDecay", learning_rate=0.1, T_max=5, warmup_iters=2,
                                 warmup_start_lr=0.0))  # fmt: skip
    assert alone.schedule == Cosine(5, form="recursive")
    assert behind.schedule.schedule == Cosine(5, form="closed")


def test_every_class_is_handled_and_keeps_its_paddle_defaults():
    noam = ppseg.schedule(_cfg(10, type="NoamDecay", d_model=64, warmup_steps=4))
    assert noam.base_lr == 1.0  # paddle's NoamDecay default learning_rate
    with pytest.warns(ppseg.PpsegWarning, match="default end_lr 0.0001"):
        poly = ppseg.schedule(_cfg(10, type="PolynomialDecay", learning_rate=0.1))
    assert poly.schedule.end_lr == 1e-4
    step = ppseg.schedule(_cfg(10, type="StepDecay", learning_rate=0.1, step_size=3))
    assert step.schedule == Step(3, 0.1)
    plateau = ppseg.schedule(_cfg(10, type="ReduceOnPlateau", learning_rate=0.1, mode="MAX", epsilon=0.0))
    assert plateau == Plateau(mode="max", eps=0.0, semantics="paddle", start_lr=0.1)
    restarts = ppseg.schedule(_cfg(10, type="CosineAnnealingWarmRestarts", learning_rate=0.1, T_0=3, T_mult=2))
    assert restarts.schedule == CosineRestarts(3, 2)


def test_cyclic_scale_mode_is_overridden_by_the_mode():
    with pytest.warns(ppseg.PpsegWarning, match="scale_mode"):
        ppseg.schedule(_cfg(10, type="CyclicLR", base_learning_rate=0.01, max_learning_rate=0.1, step_size_up=2,
                            scale_mode="iterations"))  # fmt: skip


# ---------------------------------------------------------------------------------------------------- _base_ files
def test_bases_merge_key_by_key_first_base_first(tmp_path: Path):
    _write(tmp_path, "a.yml", "iters: 10\nlr_scheduler: {type: StepDecay, learning_rate: 0.1, step_size: 3}\n")
    _write(tmp_path, "b.yml", "iters: 20\nbatch_size: 2\nlr_scheduler: {gamma: 0.5, learning_rate: 0.9}\n")
    child = _write(tmp_path, "c/child.yml", "_base_: ['../a.yml', '../b.yml']\nlr_scheduler: {step_size: 4}\n")
    cfg = ppseg.read_config(child)
    lr = {"gamma": 0.5, "learning_rate": 0.1, "type": "StepDecay", "step_size": 4}
    assert cfg == {"iters": 10, "batch_size": 2, "lr_scheduler": lr}
    assert ppseg.schedule(child).values(range(5)).tolist() == [0.1, 0.1, 0.1, 0.1, 0.05]


def test_inherited_false_replaces_the_mapping(tmp_path: Path):
    _write(tmp_path, "base.yml", "iters: 10\nlr_scheduler: {type: PolynomialDecay, learning_rate: 0.1, power: 0.9}\n")
    child = _write(tmp_path, "child.yml", "_base_: base.yml\nlr_scheduler:\n  _inherited_: False\n"
                   "  type: ExponentialDecay\n  learning_rate: 0.1\n  gamma: 0.5\n")  # fmt: skip
    assert ppseg.read_config(child)["lr_scheduler"] == {"type": "ExponentialDecay", "learning_rate": 0.1, "gamma": 0.5}
    without = _write(tmp_path, "without.yml", "_base_: base.yml\nlr_scheduler:\n  type: ExponentialDecay\n"
                     "  gamma: 0.5\n")  # fmt: skip
    with pytest.raises(ValueError, match=r"has no argument 'power'.*_inherited_: False"):
        ppseg.schedule(without)
    kept = _write(tmp_path, "kept.yml", "_base_: base.yml\nlr_scheduler: {_inherited_: True, power: 2.0}\n")
    with pytest.raises(ValueError, match="_inherited_"):
        ppseg.schedule(kept)


def test_base_errors(tmp_path: Path):
    _write(tmp_path, "loop_a.yml", "_base_: loop_b.yml\niters: 1\n")
    _write(tmp_path, "loop_b.yml", "_base_: loop_a.yml\n")
    with pytest.raises(ValueError, match="include each other"):
        ppseg.read_config(tmp_path / "loop_a.yml")
    _write(tmp_path, "scalar.yml", "iters: 10\nlr_scheduler: 0.1\n")
    over = _write(tmp_path, "over.yml", "_base_: scalar.yml\nlr_scheduler: {type: StepDecay}\n")
    with pytest.raises(ValueError, match="cannot merge"):
        ppseg.read_config(over)
    with pytest.raises(ValueError, match="pass the path"):
        ppseg.schedule({"_base_": "x.yml", "iters": 1})
    bad = _write(tmp_path, "bad.yml", "_base_: 3\n")
    with pytest.raises(ValueError, match="_base_ must be"):
        ppseg.read_config(bad)


def test_yaml_1_1_exponent_without_a_dot_is_a_string(tmp_path: Path):
    path = _write(tmp_path, "c.yml", "iters: 10\nlr_scheduler: {type: PolynomialDecay, learning_rate: 1e-3}\n")
    assert ppseg.read_config(path)["lr_scheduler"]["learning_rate"] == "1e-3"
    with pytest.raises(TypeError, match=r"learning_rate .*'1e-3'.*1\.0e-5"):
        ppseg.schedule(path)


# ---------------------------------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("config", "error", "text"),
    [
        ({"lr_scheduler": {"type": "StepDecay"}}, ValueError, "iters"),
        ({"iters": 10.0, "lr_scheduler": {"type": "StepDecay"}}, ValueError, "iters"),
        ({"iters": 10}, ValueError, "lr_scheduler"),
        (_cfg(type="CosineAnealingDecay", learning_rate=0.1, T_max=3), ValueError, "'CosineAnnealingDecay'"),
        (_cfg(type="StepDecay", learning_rate=0.1, step_size=3, stepsize=3), ValueError, "did you mean 'step_size'"),
        (_cfg(type="StepDecay", learning_rate=0.1, step_size=3, last_epoch=4), ValueError, "last_epoch"),
        (_cfg(type="StepDecay", learning_rate=0.1), ValueError, "'step_size'"),
        (_cfg(type="StepDecay", learning_rate=True, step_size=3), TypeError, "learning_rate"),
        (_cfg(type="StepDecay", learning_rate=0.1, step_size=3.0), TypeError, "step_size"),
        (_cfg(type="ExponentialDecay", learning_rate=0.1, gamma=1.5), ValueError, "gamma"),
        (_cfg(type="PolynomialDecay", learning_rate=0.1, power=0), ValueError, "power"),
        (_cfg(type="PolynomialDecay", learning_rate=0.1, end_lr=-1.0), ValueError, "end_lr"),
        (_cfg(type="PiecewiseDecay", boundaries=[3], values=[0.1, 0.01, 0.001]), ValueError, "values"),
        (_cfg(type="PiecewiseDecay", boundaries=[3, 3], values=[0.1, 0.01, 0.001]), ValueError, "increasing"),
        (_cfg(type="MultiplicativeDecay", learning_rate=0.1, lr_lambda="0.9"), ValueError, "Python function"),
        (_cfg(type="CyclicLR", base_learning_rate=0.0, max_learning_rate=0.1, step_size_up=2, exp_gamma=1),
         TypeError, "exp_gamma"),
        (_cfg(type="OneCycleLR", max_learning_rate=0.1, total_steps=20, phase_pct=0.6, three_phase=True),
         ValueError, "phase_pct"),
        (_cfg(type="OneCycleLR", max_learning_rate=0.1, total_steps=20, anneal_strategy="COS"), ValueError,
         "anneal_strategy"),
        (_cfg(type="OneCycleLR", max_learning_rate=0.1, total_steps=9), ValueError, "stops at iteration 10"),
        (_cfg(type="ReduceOnPlateau", learning_rate=0.1, warmup_iters=2, warmup_start_lr=0.0), ValueError,
         "ReduceOnPlateau with warmup_iters"),
        (_cfg(type="LinearWarmup", learning_rate={"type": "StepDecay"}, warmup_steps=2, start_lr=0.0, end_lr=0.1),
         ValueError, "nested scheduler"),
        (_cfg(type="StepDecay", learning_rate=0.1, step_size=3, warmup_iters=0, warmup_start_lr=0.0), ValueError,
         "warmup_iters"),
        (_cfg(type="CosineAnnealingWarmRestarts", learning_rate=0.1, T_0=1, T_mult=3, warmup_iters=1,
              warmup_start_lr=0.0, **{}), ValueError, "wrong cycle"),
    ],
)  # fmt: skip
def test_invalid_configs_raise_naming_the_key(config, error, text):
    if config.get("lr_scheduler", {}).get("type") == "CosineAnnealingWarmRestarts":
        config = {**config, "iters": 200}  # the float log of step(epoch) misses the restart at epoch 121
    with pytest.raises(error, match=text):
        _quiet(config)


def test_config_must_be_a_path_or_a_mapping():
    with pytest.raises(TypeError, match="path to a PaddleSeg YAML"):
        ppseg.schedule([1, 2])


# ---------------------------------------------------------------------------------------------------- warnings
def test_warnings():
    with pytest.warns(ppseg.PpsegWarning, match="counts iterations"):
        ppseg.schedule(_cfg(type="StepDecay", learning_rate=0.1, step_size=3), steps_per_epoch=5)
    with pytest.warns(ppseg.PpsegWarning, match="ends during the warmup"):
        ppseg.schedule(_cfg(5, type="ExponentialDecay", learning_rate=0.1, gamma=0.9, warmup_iters=5,
                            warmup_start_lr=0.0))  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ppseg.schedule(_cfg(type="PolynomialDecay", learning_rate=0.1, end_lr=0.0))  # nothing to say


def test_entry_point_dispatches():
    s = lrparity.recipes.schedule("ppseg", _cfg(type="StepDecay", learning_rate=0.1, step_size=3))
    assert s == WithBaseLR(Step(3), 0.1)


# ---------------------------------------------------------------------------------------------------- export / dumps
@pytest.mark.parametrize(
    "lr",
    [
        {"type": "PolynomialDecay", "learning_rate": 0.01, "end_lr": 0, "power": 0.9, "warmup_iters": 3,
         "warmup_start_lr": 1e-5},
        {"type": "MultiStepDecay", "learning_rate": 0.1, "milestones": [3, 6], "gamma": 0.5},
        {"type": "CosineAnnealingDecay", "learning_rate": 0.1, "T_max": 7, "eta_min": 0.001},
        {"type": "PiecewiseDecay", "boundaries": [4], "values": [0.1, 0.01]},
        {"type": "OneCycleLR", "max_learning_rate": 0.1, "total_steps": 20},
        {"type": "CyclicLR", "base_learning_rate": 0.01, "max_learning_rate": 0.1, "step_size_up": 3,
         "mode": "exp_range", "exp_gamma": 0.9},
        {"type": "LinearLR", "learning_rate": 0.1, "total_steps": 5, "start_factor": 0.5},
    ],
)  # fmt: skip
def test_export_round_trip(lr):
    s = _quiet({"iters": 20, "lr_scheduler": lr})
    exported = ppseg.export(s, iters=20)
    again = parse_config_text(ppseg.dumps(exported), yaml_floats="1.1")
    assert np.array_equal(_quiet(again).values(range(20)), s.values(range(20)))


def test_export_relative_schedules_and_defaults():
    exported = ppseg.export(Polynomial(100, 0.9), base_lr=0.01)
    assert exported == {"iters": 100, "lr_scheduler": {"type": "PolynomialDecay", "learning_rate": 0.01,
                                                       "end_lr": 0.0, "power": 0.9}}  # fmt: skip
    warm = ppseg.export(Warmup(Cosine(90), 10, start_lr=1e-5), base_lr=0.1, iters=100)
    assert warm["lr_scheduler"]["warmup_iters"] == 10 and warm["lr_scheduler"]["warmup_start_lr"] == 1e-5
    const = ppseg.export(WithBaseLR(lrparity.core.Constant(), 0.1), iters=50)
    assert np.array_equal(_quiet(const).values(range(50)), np.full(50, 0.1))


@pytest.mark.parametrize(
    ("schedule", "context", "text"),
    [
        (Polynomial(10), {}, "base_lr"),
        (Noise(Cosine(10), pct=0.1), {"base_lr": 0.1}, "cannot express Noise"),
        (Warmup(WithBaseLR(Cosine(10), 0.1), 3, start_lr=0.01, shape="exponential", end_lr=0.1), {}, "linear"),
        (Warmup(WithBaseLR(Cosine(10), 0.1), 3, start_lr=0.0, end_lr=0.2), {}, "learning_rate"),
        (WithBaseLR(Cosine(1000, form="closed"), 0.1), {"iters": 50_000}, "differs"),
        (WithBaseLR(lrparity.core.Exponential(0.99), 0.1), {}, "no length"),
    ],
)
def test_export_errors_name_what_cannot_be_expressed(schedule, context, text):
    with pytest.raises(ValueError, match=text):
        ppseg.export(schedule, **context)


def test_dumps_writes_floats_yaml_1_1_reads_as_floats():
    text = ppseg.dumps({"iters": 10, "lr_scheduler": {"type": "StepDecay", "learning_rate": 1e-05, "step_size": 3}})
    assert "1.0e-05" in text
    assert parse_config_text(text, yaml_floats="1.1")["lr_scheduler"]["learning_rate"] == 1e-05


# ---------------------------------------------------------------------------------------------------- reference
def test_reference_without_paddleseg_says_what_to_install(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "paddleseg", None)
    with pytest.raises(ImportError, match=r"pip install paddleseg==2\.8\.0"):
        ppseg.reference(_cfg(type="StepDecay", learning_rate=0.1, step_size=3))


def test_import_needs_neither_torch_nor_paddle():
    assert_imports_no_framework(
        "import lrparity.recipes.ppseg as m\n"
        "m.schedule({'iters': 5, 'lr_scheduler': {'type': 'StepDecay', 'learning_rate': 0.1, 'step_size': 2}})"
    )


# ---------------------------------------------------------------------------------------------------- optimizer
def test_optimizer_spec():
    lr = {"type": "StepDecay", "learning_rate": 0.1, "step_size": 3}
    spec = ppseg.optimizer_spec({"optimizer": {"type": "SGD", "momentum": 0.9, "weight_decay": 4.0e-5}})
    assert (spec.name, spec.momentum, spec.l2_coupled, spec.adamw_weight_decay) == ("Momentum", 0.9, 4.0e-5, None)
    assert "PaddleSeg builds Momentum" in spec.warnings[0]
    adamw = ppseg.optimizer_spec({"optimizer": {"type": "AdamW", "grad_clip_cfg": {"name": "ClipGradByNorm",
                                                                                   "clip_norm": 1}}})  # fmt: skip
    assert (adamw.adamw_weight_decay, adamw.l2_coupled, adamw.clip_norm) == (0.01, None, 1.0)
    adam = ppseg.optimizer_spec({"iters": 3, "lr_scheduler": lr, "optimizer": {"type": "adam"}})
    assert (adam.name, adam.l2_coupled, adam.beta2) == ("Adam", None, 0.999)


@pytest.mark.parametrize(
    ("block", "error", "text"),
    [
        ({"type": "SGD", "weight_decay": 0}, TypeError, "isinstance float"),
        ({"type": "SGD", "weight_decay": "4e-5"}, TypeError, "1.0e-5"),
        ({"type": "AdamWDL"}, ValueError, "layer-wise"),
        ({"type": "SGD", "custom_cfg": [{"name": "backbone", "lr_mult": 0.1}]}, ValueError, "custom_cfg"),
        ({"type": "SGD", "grad_clip_cfg": {"name": "ClipGradByValue", "max": 1.0}}, ValueError, "ClipGradByValue"),
        ({"type": "Adam", "betas": [0.9, 0.99]}, ValueError, "betas"),
        ({"type": "Adam", "beta1": 1.0}, ValueError, "beta1"),
        ({"type": "RMSProp"}, ValueError, "optimizer.type"),
        ({"weight_decay": 1.0e-4}, ValueError, "'type'"),
    ],
)
def test_optimizer_spec_errors(block, error, text):
    with pytest.raises(error, match=text):
        ppseg.optimizer_spec({"optimizer": block})
