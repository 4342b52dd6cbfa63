"""lrparity.recipes.mmengine without mmengine: reading configs, validation, warnings, the traps' values computed by
hand, exports and their Python source; and the core classes it brings (PerEpoch, StepwisePolynomial, Stacked).
The comparisons with mmengine itself are in parity_tests/test_recipes_mmengine.py."""

from __future__ import annotations

import ast
import json
import math
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import lrparity
from lrparity import recipes
from lrparity.core import (
    Constant,
    Cosine,
    Exponential,
    Linear,
    MultiStep,
    OneCycle,
    PerEpoch,
    Plateau,
    Polynomial,
    Sequence,
    Stacked,
    Step,
    StepwisePolynomial,
    Warmup,
    WithBaseLR,
)
from lrparity.recipes import mmengine as M

SGD = {"type": "SGD", "lr": 0.1, "momentum": 0.9, "weight_decay": 1e-4}
EPOCHS = {"type": "EpochBasedTrainLoop", "max_epochs": 4}
ITERS = {"type": "IterBasedTrainLoop", "max_iters": 20}


def cfg(*entries: dict[str, Any], loop: dict[str, Any] | None = None, optimizer: dict[str, Any] | None = None) -> dict:
    return {"optim_wrapper": {"optimizer": dict(optimizer or SGD)}, "train_cfg": dict(loop or ITERS),
            "param_scheduler": list(entries)}  # fmt: skip


def lr(config: Any, n: int, steps_per_epoch: int | None = None) -> np.ndarray:
    return M.schedule(config, steps_per_epoch=steps_per_epoch).values(range(n))


def close(a: Any, b: Any) -> bool:
    return np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=1e-13, atol=0)


# -- values of the traps, by hand -----------------------------------------------------------------------------
def test_linear_total_is_end_minus_begin_minus_one() -> None:
    """LinearLR(end=5) reaches its end factor at step 4, not 5 (torch's total_iters would be 5)."""
    got = lr(cfg({"type": "LinearLR", "start_factor": 0.25, "by_epoch": False, "end": 5}), 7)
    assert close(got, [0.1 * f for f in (0.25, 0.4375, 0.625, 0.8125, 1.0, 1.0, 1.0)])


def test_constant_is_restored_one_step_before_end() -> None:
    got = lr(cfg({"type": "ConstantLR", "factor": 0.5, "by_epoch": False, "end": 4}), 6)
    assert close(got, [0.05, 0.05, 0.05, 0.1, 0.1, 0.1])


def test_constant_with_end_one_past_begin_is_never_restored() -> None:
    got = lr(cfg({"type": "ConstantLR", "factor": 0.5, "by_epoch": False, "begin": 2, "end": 3}), 6)
    assert close(got, [0.1, 0.1, 0.05, 0.05, 0.05, 0.05])


def test_stacked_entries_multiply() -> None:
    """A warmup and a step decay running at the same time multiply (each acts on the current value)."""
    got = lr(cfg({"type": "LinearLR", "start_factor": 0.5, "by_epoch": False, "end": 5},
                 {"type": "StepLR", "step_size": 2, "gamma": 0.5, "by_epoch": False}), 8)  # fmt: skip
    warm = [0.5, 0.625, 0.75, 0.875, 1.0, 1.0, 1.0, 1.0]
    step = [1, 1, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125]
    assert close(got, [0.1 * w * s for w, s in zip(warm, step)])
    assert "Stacked" in repr(M.schedule(cfg({"type": "LinearLR", "by_epoch": False, "end": 5},
                                            {"type": "StepLR", "step_size": 2, "by_epoch": False})))  # fmt: skip


def test_cosine_after_warmup_continues_from_the_value_held() -> None:
    """The cosine's k=0 leaves the value as it is: it anneals from wherever the warmup left it."""
    config = cfg({"type": "LinearLR", "start_factor": 0.5, "end_factor": 0.5, "by_epoch": False, "end": 3},
                 {"type": "CosineAnnealingLR", "T_max": 4, "eta_min": 0.01, "by_epoch": False, "begin": 3})  # fmt: skip
    got = lr(config, 8)
    cos = [0.01 + (0.05 - 0.01) * (1 + math.cos(math.pi * k / 4)) / 2 for k in range(5)]
    assert close(got, [0.05, 0.05, 0.05, *cos])


def test_cosine_t_max_defaults_to_its_window_and_eta_min_ratio_reads_the_base() -> None:
    config = cfg({"type": "CosineAnnealingLR", "eta_min_ratio": 0.1, "by_epoch": False, "begin": 2, "end": 7})
    got = lr(config, 9)
    cos = [0.01 + 0.09 * (1 + math.cos(math.pi * k / 5)) / 2 for k in range(5)]
    assert close(got, [0.1, 0.1, *cos, cos[-1], cos[-1]])  # T_max = end - begin = 5: eta_min never reached


def test_convert_to_iter_based_rescales_lengths_but_not_gamma() -> None:
    config = cfg({"type": "CosineAnnealingLR", "T_max": 2, "convert_to_iter_based": True},
                 {"type": "ExponentialLR", "gamma": 0.9, "convert_to_iter_based": True, "begin": 1, "end": 2},
                 loop={"type": "EpochBasedTrainLoop", "max_epochs": 2})  # fmt: skip
    got = lr(config, 6, steps_per_epoch=3)
    cos = [0.1 * (1 + math.cos(math.pi * k / 6)) / 2 for k in range(6)]
    expo = [1, 1, 1, 1, 0.9, 0.81]  # per iteration from update 3 (epoch 1), k=0 at 3 leaves the value
    assert close(got, [c * e for c, e in zip(cos, expo)])


def test_default_end_follows_each_entry_by_epoch() -> None:
    """No end: max_iters for a by_epoch=False entry (a ramp over the whole run), max_epochs otherwise."""
    got = lr(cfg({"type": "LinearLR", "start_factor": 0.5, "by_epoch": False}, loop=EPOCHS), 8, steps_per_epoch=2)
    assert close(got, [0.1 * (0.5 + 0.5 * k / 7) for k in range(8)])


def test_epoch_entries_hold_within_an_epoch() -> None:
    got = lr(cfg({"type": "StepLR", "step_size": 1, "gamma": 0.5}, loop=EPOCHS), 8, steps_per_epoch=2)
    assert close(got, [0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.0125, 0.0125])
    schedule = M.schedule(cfg({"type": "StepLR", "step_size": 1, "gamma": 0.5}, loop=EPOCHS), steps_per_epoch=2)
    assert isinstance(schedule, PerEpoch) or "PerEpoch" in repr(schedule)


def test_by_epoch_entry_in_an_iteration_loop_keeps_its_first_value() -> None:
    with pytest.warns(M.MmengineWarning, match="only once, after the last iteration"):
        got = lr(cfg({"type": "LinearLR", "start_factor": 0.2}), 20)
    assert close(got, [0.02] * 20)


def test_poly_reaches_eta_min_exactly_and_holds() -> None:
    got = lr(cfg({"type": "PolyLR", "eta_min": 1e-3, "power": 2.0, "by_epoch": False, "end": 5}), 7)
    assert got[4] == 1e-3 and got[6] == 1e-3
    assert close(got[:4], [(0.1 - 1e-3) * (1 - k / 4) ** 2 + 1e-3 for k in range(4)])


def test_no_scheduler_is_the_constant_lr() -> None:
    schedule = M.schedule({"optim_wrapper": {"optimizer": SGD}, "train_cfg": ITERS})
    assert schedule.values(range(3)).tolist() == [0.1, 0.1, 0.1]
    assert not schedule.uses_base_lr


def test_identity_entries_change_nothing() -> None:
    """MMOCR's ConstantLR(factor=1.0) and a LinearLR(1.0 -> 1.0) leave the lr as it is."""
    config = cfg({"type": "ConstantLR", "factor": 1.0}, {"type": "LinearLR", "start_factor": 1.0, "end_factor": 1.0})
    with pytest.warns(M.MmengineWarning):
        assert M.schedule(config) == WithBaseLR(Constant(), 0.1)


def test_one_cycle_and_its_shared_levels() -> None:
    config = cfg({"type": "OneCycleLR", "eta_max": 0.3, "by_epoch": False, "end": 20})
    assert M.schedule(config) == OneCycle(max_lr=0.3, total_steps=20)
    warm = cfg({"type": "OneCycleLR", "eta_max": 0.2, "total_steps": 5, "pct_start": 1.0, "anneal_strategy": "linear",
                "div_factor": math.inf, "by_epoch": False, "end": 5})  # fmt: skip
    assert lr(warm, 5).tolist() == [0.0, 0.05, 0.1, 0.15000000000000002, 0.2]


def test_momentum_and_other_fields() -> None:
    config = cfg({"type": "CosineAnnealingMomentum", "eta_min": 0.85, "by_epoch": False},
                 {"type": "LinearParamScheduler", "param_name": "weight_decay", "start_factor": 0.5, "by_epoch": False,
                  "end": 3},
                 optimizer={"type": "AdamW", "lr": 0.001, "betas": (0.95, 0.999)})  # fmt: skip
    fields = M.schedules(config)
    assert list(fields) == ["lr", "momentum", "weight_decay"]
    assert fields["momentum"].values(range(1))[0] == 0.95  # betas[0] on the Adam family
    assert close(fields["weight_decay"].values(range(4)), [0.005, 0.0075, 0.01, 0.01])  # AdamW's default 1e-2
    assert M.schedule(config) == fields["lr"] == recipes.schedule("mmengine", config)


def test_reduce_on_plateau_is_the_core_plateau() -> None:
    config = cfg({"type": "ReduceOnPlateauLR", "monitor": "acc", "rule": "greater", "factor": 0.5, "patience": 2,
                  "threshold": 1e-3, "threshold_rule": "abs", "cooldown": 1, "min_value": [1e-4], "eps": 1e-9},
                 loop={"type": "EpochBasedTrainLoop", "max_epochs": 5})  # fmt: skip
    plateau = M.schedule(config, steps_per_epoch=2)
    assert plateau == Plateau(mode="max", factor=0.5, patience=2, threshold=1e-3, threshold_mode="abs", cooldown=1,
                              min_lr=1e-4, eps=1e-9, semantics="torch", start_lr=0.1)  # fmt: skip


@pytest.mark.parametrize(
    ("entries", "text"),
    [
        ([{"type": "LinearLR", "by_epoch": False, "end": 5}, {"type": "ReduceOnPlateauLR"}], "drives the value alone"),
        ([{"type": "ReduceOnPlateauLR", "begin": 1}], "begin=1"),
        ([{"type": "ReduceOnPlateauLR", "end": 2}], "stops reacting"),
        ([{"type": "ReduceOnPlateauLR", "by_epoch": False}], "by_epoch=True"),
        ([{"type": "ReduceOnPlateauLR", "convert_to_iter_based": True}], "cannot convert"),
        ([{"type": "ReduceOnPlateauLR", "factor": 1.0}], "factor must be < 1.0"),
    ],
)
def test_plateau_refusals(entries: list[dict[str, Any]], text: str) -> None:
    with pytest.raises(ValueError, match=text):
        M.schedule(cfg(*entries, loop={"type": "EpochBasedTrainLoop", "max_epochs": 5}), steps_per_epoch=2)


def test_interleaved_affine_entries_are_replayed_together() -> None:
    config = cfg({"type": "LinearLR", "start_factor": 0.5, "by_epoch": False, "end": 4},
                 {"type": "CosineAnnealingLR", "T_max": 6, "eta_min": 0.05, "by_epoch": False})  # fmt: skip
    v, out = 0.1, []
    for k in range(7):  # mmengine's order: the warmup, then the cosine, each on the current value
        if k == 0:
            v *= 0.5
        elif k <= 3:
            v *= 1 + 0.5 / (3 * 0.5 + (k - 1) * 0.5)
        if k >= 1:
            v = (1 + math.cos(math.pi * k / 6)) / (1 + math.cos(math.pi * (k - 1) / 6)) * (v - 0.05) + 0.05
        out.append(v)
    assert lr(config, 7).tolist() == out


# -- configs: files, validation, warnings ---------------------------------------------------------------------
def test_yaml_and_json_with_base_and_delete(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(
        "optim_wrapper:\n  optimizer: {type: SGD, lr: 0.02, momentum: 0.9}\n  clip_grad: {max_norm: 35}\n"
        "train_cfg: {type: EpochBasedTrainLoop, max_epochs: 12}\n"
        "param_scheduler:\n  - {type: MultiStepLR, milestones: [8, 11]}\n"
    )
    (tmp_path / "child.json").write_text(json.dumps({
        "_base_": "base.yaml",
        "optim_wrapper": {"_delete_": True, "optimizer": {"type": "AdamW", "lr": 0.004}},
        "train_cfg": {"max_epochs": 6},
        "param_scheduler": [{"type": "CosineAnnealingLR", "by_epoch": True}],
    }))  # fmt: skip
    loaded = M.load_config(tmp_path / "child.json")
    assert loaded["optim_wrapper"] == {"optimizer": {"type": "AdamW", "lr": 0.004}}
    assert loaded["train_cfg"] == {"type": "EpochBasedTrainLoop", "max_epochs": 6}
    got = M.schedule(tmp_path / "child.json", steps_per_epoch=2).values(range(12))
    assert close(got[::2], [0.004 * (1 + math.cos(math.pi * k / 6)) / 2 for k in range(6)])


def test_yaml_reads_floats_as_mmengine_does(tmp_path: Path) -> None:
    """mmengine reads YAML with PyYAML (YAML 1.1): 1e-4 without a dot is a string, and refused by name."""
    (tmp_path / "c.yaml").write_text(
        "optim_wrapper: {optimizer: {type: SGD, lr: 1e-4}}\ntrain_cfg: {type: IterBasedTrainLoop, max_iters: 3}\n"
    )
    with pytest.raises(TypeError, match=r"lr must be a number, got '1e-4'.*1\.0e-4"):
        M.schedule(tmp_path / "c.yaml")


def test_base_cycle_and_bad_paths(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("_base_: b.yaml\nx: 1\n")
    (tmp_path / "b.yaml").write_text("_base_: a.yaml\ny: 2\n")
    with pytest.raises(ValueError, match="include each other"):
        M.load_config(tmp_path / "a.yaml")
    with pytest.raises(ValueError, match=r"\.py, \.yaml, \.yml or \.json"):
        M.load_config(tmp_path / "a.txt")
    with pytest.raises(TypeError, match="mapping"):
        M.load_config(42)  # type: ignore[arg-type]


def test_python_config_needs_mmengine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "c.py"
    path.write_text("raise SystemExit('never executed without mmengine')\n")
    monkeypatch.setitem(sys.modules, "mmengine.config", None)
    with pytest.raises(ImportError, match=r"executes the file.*lrparity\[mmengine\]"):
        M.load_config(path)


@pytest.mark.parametrize(
    ("config", "exc", "text"),
    [
        (cfg({"type": "LinearLRR"}), ValueError, "did you mean 'LinearLR'"),
        (cfg({"type": "mmdet.QuadraticWarmupLR"}), ValueError, "'mmdet' package, not of mmengine"),
        (cfg({"type": "LinearLR", "end_factr": 1.0}), ValueError, "did you mean 'end_factor'"),
        (cfg({"type": "StepLR"}), ValueError, r"missing required argument\(s\) \['step_size'\]"),
        (cfg({"type": "LinearLR", "begin": 5, "end": 5, "by_epoch": False}), ValueError, "end must be larger"),
        (cfg({"type": "LinearLR", "start_factor": 1.5, "by_epoch": False}), ValueError,
         r"start_factor must be in \[0.0, 1.0\], got 1.5"),
        (cfg({"type": "ConstantLR", "factor": -1, "by_epoch": False}), ValueError, "factor must be in"),
        (cfg({"type": "OneCycleLR", "pct_start": 1, "by_epoch": False}), ValueError, "isinstance"),
        (cfg({"type": "CosineRestartLR", "periods": [5], "by_epoch": False}), ValueError, "exactly one of eta_min"),
        (cfg({"type": "CosineRestartLR", "periods": [5, 5], "eta_min": 0, "by_epoch": False}), ValueError,
         "same length"),
        (cfg({"type": "MultiStepLR", "milestones": [2.5], "by_epoch": False}), ValueError, "never apply"),
        (cfg({"type": "LinearParamScheduler", "by_epoch": False}), ValueError, "param_name"),
        (cfg({"type": "LinearLR", "last_step": 3, "by_epoch": False}), ValueError, "last_step=3"),
        (cfg({"type": "LinearLR", "start_factor": 0.0, "by_epoch": False}), ValueError, "ZeroDivisionError"),
        (cfg({"type": "ConstantLR", "factor": 0.0, "by_epoch": False, "end": 5}), ValueError, "ZeroDivisionError"),
        (cfg({"type": "OneCycleLR", "total_steps": 5, "by_epoch": False}), ValueError, "Tried to step"),
        (cfg({"type": "StepLR", "step_size": 0, "by_epoch": False}), ValueError, "step_size must be an int >= 1"),
        (cfg({"type": "CosineAnnealingMomentum", "by_epoch": False}, optimizer={"type": "Adadelta", "lr": 1.0}),
         ValueError, "momentum scheduler needs"),
        (cfg({"type": "CosineAnnealingParamScheduler", "param_name": "momentum", "by_epoch": False},
             optimizer={"type": "Adam", "lr": 1e-3}), ValueError, "use the \\*Momentum classes"),
        ({"optim_wrapper": {"optimizer": SGD}}, ValueError, "no train_cfg"),
        (cfg(loop={"type": "EpochBasedTrainLoop", "by_epoch": True, "max_epochs": 2}), ValueError, "only one of them"),
        (cfg(loop={"type": "MyLoop", "max_epochs": 2}), ValueError, "unknown type 'MyLoop'"),
        (cfg(loop={"type": "EpochBasedTrainLoop", "max_epochs": None}), TypeError, "max_epochs must be an int"),
        (cfg(loop={"type": "IterBasedTrainLoop", "max_iters": 10, "max_epochs": 2}), ValueError,
         "unknown key 'max_epochs'"),
        ({"train_cfg": ITERS, "param_scheduler": []}, ValueError, "no optim_wrapper"),
        ({"train_cfg": ITERS, "optim_wrapper": {"optimizer": SGD, "accumulative_counts": 4}}, ValueError,
         "accumulative_counts=4"),
        ({"train_cfg": ITERS, "optim_wrapper": {"generator": {"optimizer": SGD}, "discriminator": {"optimizer": SGD}}},
         ValueError, "several optimizers"),
        ({"train_cfg": ITERS, "optim_wrapper": {"optimizer": {"type": "Lion"}}}, ValueError, "has no lr"),
        (cfg({"type": "LinearLR", "convert_to_iter_based": True}), ValueError, "steps_per_epoch"),
    ],
)  # fmt: skip
def test_invalid_configs_name_the_key(config: dict[str, Any], exc: type, text: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", M.MmengineWarning)
        with pytest.raises(exc, match=text):
            M.schedules(config)


def test_epoch_loop_needs_steps_per_epoch() -> None:
    with pytest.raises(ValueError, match=r"steps_per_epoch .* required for an EpochBasedTrainLoop"):
        M.schedule(cfg(loop=EPOCHS))
    with pytest.raises(ValueError, match="steps_per_epoch must be an int >= 1, got 0"):
        M.schedule(cfg(loop=EPOCHS), steps_per_epoch=0)


@pytest.mark.parametrize(
    ("config", "text"),
    [
        ({**cfg(), "auto_scale_lr": {"enable": True, "base_batch_size": 16}}, "auto_scale_lr.enable=True"),
        ({"train_cfg": ITERS,
          "optim_wrapper": {"optimizer": SGD, "paramwise_cfg": {"custom_keys": {"x": {"lr_mult": 0.1}}}}}, "lr_mult"),
        (cfg({"type": "LinearLR", "by_epoch": False, "_scope_": "mmdet"}), "_scope_='mmdet'"),
    ],
)  # fmt: skip
def test_warnings(config: dict[str, Any], text: str) -> None:
    with pytest.warns(M.MmengineWarning, match=text):
        M.schedule(config)


def test_optimizer_defaults_are_torchs() -> None:
    torch = pytest.importorskip("torch")
    import inspect

    for name, defaults in M.OPTIMIZER_DEFAULTS.items():
        signature = inspect.signature(getattr(torch.optim, name))
        for key, value in defaults.items():
            assert signature.parameters[key].default == value, (name, key)


def test_every_scheduler_class_is_known() -> None:
    assert len(M.SCHEDULER_TYPES) == 29  # 10 LR, 9 Momentum (no OneCycle), 10 ParamScheduler
    assert M.SCHEDULER_TYPES["PolyMomentum"] == ("Poly", "momentum")


def test_the_callers_config_is_not_modified() -> None:
    config = cfg({"type": "LinearLR", "by_epoch": False})
    before = json.dumps(config, sort_keys=True)
    M.schedules(config)
    assert json.dumps(config, sort_keys=True) == before


# -- export and dumps -----------------------------------------------------------------------------------------
def _exec_dumps(text: str) -> dict[str, Any]:
    """The module a dumps() text defines, evaluated without executing code: dict(...) calls and literals only."""

    def value(node: ast.expr) -> Any:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
            return {kw.arg: value(kw.value) for kw in node.keywords}
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "float":
            return float(ast.literal_eval(node.args[0]))
        if isinstance(node, ast.List):
            return [value(e) for e in node.elts]
        if isinstance(node, ast.Tuple):
            return tuple(value(e) for e in node.elts)
        return ast.literal_eval(node)

    return {stmt.targets[0].id: value(stmt.value) for stmt in ast.parse(text).body}  # type: ignore[attr-defined]


def test_export_warmup_cosine_from_paddleocr() -> None:
    """A PaddleOCR warmup from 0 + cosine: mmengine's LinearLR cannot start at 0, a linear OneCycleLR does."""
    import lrparity.ppocr

    schedule = lrparity.ppocr.lr_schedule({"lr": {"name": "Cosine", "learning_rate": 0.001, "warmup_epoch": 2}}, 10, 5)
    config = M.export(schedule, epochs=10, steps_per_epoch=5)
    assert config["train_cfg"] == {"type": "EpochBasedTrainLoop", "max_epochs": 10}
    assert config["optim_wrapper"]["optimizer"] == {"type": "SGD", "lr": 0.001}
    cosine, warmup = config["param_scheduler"]
    assert cosine == {
        "type": "CosineAnnealingLR",
        "T_max": 50,
        "eta_min": 0.0,
        "begin": 10,
        "end": 50,
        "by_epoch": False,
    }
    assert warmup["type"] == "OneCycleLR" and warmup["div_factor"] == math.inf and warmup["end"] == 11
    assert close(M.schedule(config, steps_per_epoch=5).values(range(50)), schedule.values(range(50)))
    text = M.dumps(config)
    assert "div_factor=float('inf')" in text and text.startswith("optim_wrapper = dict(optimizer=dict(type='SGD'")
    assert "param_scheduler = [\n    dict(type='CosineAnnealingLR', T_max=50" in text
    assert _exec_dumps(text) == config


@pytest.mark.parametrize(
    "schedule",
    [
        WithBaseLR(Warmup(Cosine(1000, eta_min=1e-5), 100, start_factor=0.01), 0.1),
        WithBaseLR(Sequence((Linear(0.001, 1.0, 50), Polynomial(450, power=0.9, end_lr=1e-7)), (50,)), 0.007),
        WithBaseLR(MultiStep((100, 300), 0.1), 0.02),
        WithBaseLR(PerEpoch(Step(2, 0.5), 10), 0.1),
        WithBaseLR(
            Stacked(
                (Linear(0.1, 1.0, 40, form="recursive"), Cosine(300, eta_min=0.01, form="recursive")),
                begins=(0, 0),
                ends=(41, None),
            ),
            0.1,
        ),
        OneCycle(0.2, 500, three_phase=True),
        WithBaseLR(Sequence((Constant(), Exponential(0.99)), (200,)), 0.05),
    ],
)
def test_export_round_trips(schedule: Any) -> None:
    config = M.export(schedule, total_steps=500, steps_per_epoch=10)
    back = M.schedule(config, steps_per_epoch=10)
    want = schedule.values(range(500))
    assert np.max(np.abs(back.values(range(500)) - want) / np.maximum(np.abs(want), 1e-300)) <= 1e-12
    assert _exec_dumps(M.dumps(config)) == config


def test_export_relative_schedule_needs_base_lr() -> None:
    with pytest.raises(ValueError, match="base_lr"):
        M.export(Cosine(100), total_steps=100)
    config = M.export(Cosine(100), total_steps=100, base_lr=0.3)
    assert config["optim_wrapper"]["optimizer"]["lr"] == 0.3


def test_export_plateau_and_momentum() -> None:
    plateau = Plateau(mode="max", factor=0.5, patience=3, start_lr=0.01)
    config = M.export(plateau, total_steps=100, monitor="coco/bbox_mAP")
    assert config["param_scheduler"][0]["type"] == "ReduceOnPlateauLR"
    assert M.schedule(config, steps_per_epoch=None) == plateau
    with pytest.raises(ValueError, match="semantics='paddle'"):
        M.export(Plateau(semantics="paddle", start_lr=0.1), total_steps=10)
    fields = {
        "lr": WithBaseLR(Cosine(50), 0.1),
        "momentum": WithBaseLR(Cosine(50, eta_min=0.85, form="recursive"), 0.95),
    }
    config = M.export(fields, total_steps=50, optimizer={"type": "AdamW"})
    assert config["optim_wrapper"]["optimizer"] == {"type": "AdamW", "lr": 0.1, "betas": (0.95, 0.999)}
    back = M.schedules(config)
    assert back["momentum"].values(range(50)).tolist() == fields["momentum"].values(range(50)).tolist()


@pytest.mark.parametrize(
    ("schedule", "context", "text"),
    [
        (lrparity.Noam(512, 4000), {"total_steps": 10, "base_lr": 1.0}, "Noam has no mmengine scheduler"),
        (WithBaseLR(Warmup(Cosine(100), 10, mode="overlap"), 0.1), {"total_steps": 100}, "mode='overlap'"),
        (WithBaseLR(Polynomial(50, cycle=True), 0.1), {"total_steps": 100}, "cycle=True"),
        (WithBaseLR(PerEpoch(Cosine(10), 5), 0.1), {"total_steps": 50}, "steps_per_epoch=5"),
        (
            WithBaseLR(PerEpoch(Cosine(10), 4), 0.1),
            {"epochs": 10, "steps_per_epoch": 5},
            r"pass steps_per_epoch=4 .*, got steps_per_epoch=5 ",
        ),
        (WithBaseLR(Exponential(0.99), 0.1), {}, "the run length is needed"),
        (WithBaseLR(Cosine(100), 0.1), {"total_steps": 10, "epochs": 2}, "needs steps_per_epoch"),
        (WithBaseLR(Cosine(100), 0.1), {"total_steps": 10, "warmup": 2}, "unknown context"),
        (OneCycle(0.1, 100, cycle_momentum=True), {"total_steps": 100}, "does not drive the momentum"),
        (WithBaseLR(Cosine(10, form="recursive"), 0.1), {"total_steps": 200_000}, None),
    ],
)
def test_export_refusals(schedule: Any, context: dict[str, Any], text: str | None) -> None:
    if text is None:  # a long periodic cosine: mmengine's restarts read the optimizer's lr, which is the base here
        M.export(schedule, **context)
        return
    with pytest.raises(ValueError, match=text):
        M.export(schedule, **context)


def test_dumps_refuses_non_identifiers() -> None:
    with pytest.raises(ValueError, match="not a Python identifier"):
        M.dumps({"param scheduler": []})


# -- the core classes -----------------------------------------------------------------------------------------
def test_per_epoch() -> None:
    s = PerEpoch(OneCycle(1.0, 4, cycle_momentum=True), steps_per_epoch=3)
    assert s.values(range(6)).tolist() == [s.schedule.value(0)] * 3 + [s.schedule.value(1)] * 3
    assert s.length == 12 and not s.uses_base_lr
    assert s.companions()["momentum"] == PerEpoch(s.schedule.companions()["momentum"], 3)
    assert lrparity.from_config(s.to_config()) == s
    with pytest.raises(TypeError, match="PerEpoch: schedule must be a Schedule"):
        PerEpoch(3, 2)  # type: ignore[arg-type]


def test_stepwise_polynomial() -> None:
    s = StepwisePolynomial(total_steps=4, power=2.0, end_lr=0.1)
    v, out = 1.0, [1.0]
    for k in range(1, 7):
        if k <= 4:
            v = (v - 0.1) * (1 - 1 / (4 - k + 1)) ** 2.0 + 0.1
        out.append(v)
    assert s.values(range(7), 1.0).tolist() == out
    assert [s.value(k, 1.0) for k in range(7)] == out
    long = StepwisePolynomial(160_000 - 1, power=1.0)
    closed = Polynomial(160_000 - 1, power=1.0)
    t = np.arange(0, 160_000, 997)
    assert np.max(np.abs(long.values(t, 0.01) - closed.values(t, 0.01)) / closed.values(t, 0.01).clip(1e-300)) < 1e-11


def test_stacked_members_and_validation() -> None:
    s = Stacked((Linear(0.5, 1.0, 2, form="recursive"), Step(2, 0.5)), begins=(0, 1), ends=(3, None), every=(1, 2))
    assert close(s.values(range(7), 1.0), [0.5, 0.75, 1.0, 1.0, 1.0, 1.0, 0.5])  # Step: steps at 2, 4, 6 (k=0,1,2)
    assert lrparity.from_config(s.to_config()) == s and s.length is None
    pinned = Stacked((WithBaseLR(Cosine(4, form="recursive"), 0.2),), begins=(2,), ends=(6,))
    assert pinned.uses_base_lr and pinned.values(range(4), 1.0).tolist()[:3] == [1.0, 1.0, 0.2]  # the base until 2
    assert not Stacked((WithBaseLR(Cosine(4, form="recursive"), 0.2),), begins=(0,), ends=(6,)).uses_base_lr
    with pytest.raises(ValueError, match="form='recursive'"):
        Stacked((Cosine(10),), begins=(0,), ends=(None,))
    with pytest.raises(TypeError, match="Stacked: schedules\\[0\\] must be one of"):
        Stacked((lrparity.Noam(1, 1),), begins=(0,), ends=(None,))
    with pytest.raises(ValueError, match=r"ends\[0\]=2 must be > begins\[0\]=3"):
        Stacked((Step(2),), begins=(3,), ends=(2,))
    with pytest.raises(ValueError, match="one entry per schedule"):
        Stacked((Step(2),), begins=(0, 1), ends=(None,))
    with pytest.raises(ValueError, match="every\\[0\\] must be an int >= 1"):
        Stacked((Step(2),), begins=(0,), ends=(None,), every=(0,))
    with pytest.raises(ValueError, match="bases\\[0\\] must be in"):
        Stacked((Step(2),), begins=(0,), ends=(None,), bases=(-1.0,))
    broken = Stacked((Constant(0.0, total_steps=2),), begins=(0,), ends=(None,))
    assert broken.values(range(2), 1.0).tolist() == [0.0, 0.0]
    with pytest.raises(ValueError, match="division by zero"):
        broken.values(range(3), 1.0)
