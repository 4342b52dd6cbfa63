"""Unit tests of lrparity.ppocr's schedule side (no paddle needed): PaddleOCR's rules, worked by hand."""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml

import lrparity
from lrparity.ppocr import PpocrWarning, build_lr, lr_schedule
from tests.helpers import assert_imports_no_framework, no_ppocr_warnings


def _values(cfg: dict[str, Any], epochs: int, steps_per_epoch: int) -> list[float]:
    with no_ppocr_warnings():
        schedule = lr_schedule({"name": "Adam", "lr": cfg}, epochs, steps_per_epoch)
        return schedule.values(range(epochs * steps_per_epoch)).tolist()


def test_import_does_not_load_frameworks() -> None:
    assert_imports_no_framework("import lrparity.ppocr, lrparity.ppocr.cli, lrparity.ppocr.reference")


@pytest.mark.parametrize(("warmup_epoch", "spe", "w"), [(0.5, 7, 4), (1.5, 7, 10), (2.5, 1, 2), (1, 3, 3)])
def test_warmup_length_is_bankers_rounding(warmup_epoch: float, spe: int, w: int) -> None:
    build = build_lr({"lr": {"name": "Cosine", "learning_rate": 0.1, "warmup_epoch": warmup_epoch}}, 4, spe)
    assert build.warmup_steps == w
    v = build.schedule.values(range(w + 1)).tolist()
    assert v[0] == 0.0
    assert v[:w] == [(0.1 - 0.0) * k / w + 0.0 for k in range(w)]
    assert v[w] == 0.1


def test_warmup_rounding_to_zero_is_reported() -> None:
    with pytest.warns(PpocrWarning, match="rounds to 0 steps"):
        s = lr_schedule({"lr": {"name": "MultiStepDecay", "learning_rate": 1e-3, "milestones": [2], "gamma": 0.1,
                                "warmup_epoch": 0.02}}, 4, 3)  # fmt: skip
    assert s.values(range(12)).tolist() == [1e-3] * 6 + [1e-3 * 0.1] * 6


def test_cosine_under_warmup_keeps_its_full_length() -> None:
    """Trap 1: shifted by w but T_max stays epochs*spe, so the last value is not 0."""
    lr, epochs, spe, w = 0.001, 10, 5, 10
    v = _values({"name": "Cosine", "learning_rate": lr, "warmup_epoch": 2}, epochs, spe)
    t = epochs * spe
    assert v[-1] == 0.0 + (lr - 0.0) * (1 + math.cos(math.pi * (t - 1 - w) / t)) / 2
    assert v[-1] > 0


def test_const_and_block_without_name() -> None:
    assert _values({"learning_rate": 0.0005}, 3, 2) == [0.0005] * 6
    assert (
        _values({"name": "Const", "learning_rate": 0.001, "warmup_epoch": 0.3}, 5, 10)
        == [0.001 * k / 3 for k in range(3)] + [0.001] * 47
    )


def test_const_int_lr_fails_like_paddle() -> None:
    with pytest.raises(ValueError, match="float or an LRScheduler"):
        lr_schedule({"lr": {"learning_rate": 1}}, 2, 2)


def test_step_piecewise_multistep_land_late_under_warmup() -> None:
    v = _values({"name": "Step", "learning_rate": 0.1, "step_size": 3, "gamma": 0.5, "warmup_epoch": 1}, 10, 2)
    assert v[2:8] == [0.1] * 6 and v[8] == 0.1 * 0.5
    v = _values({"name": "Piecewise", "decay_epochs": [1, 5], "values": [1e-3, 5e-4, 1e-4], "warmup_epoch": 2}, 10, 2)
    assert v[:4] == [1e-3 * k / 4 for k in range(4)]
    assert v[4:6] == [1e-3] * 2 and v[6:14] == [5e-4] * 8 and v[14] == 1e-4


def test_piecewise_with_as_many_values_as_boundaries_raises() -> None:
    with pytest.raises(ValueError, match=r"3 values for 3 decay_epochs.*PiecewiseDecay"):
        lr_schedule({"lr": {"name": "Piecewise", "decay_epochs": [60, 80, 100], "values": [1e-3, 1e-4, 1e-5]}}, 60, 3)


@pytest.mark.parametrize(
    ("lr", "match"),
    [
        # extra values: paddle silently uses values[0] and the last one only
        ({"name": "Piecewise", "decay_epochs": [1], "values": [3.0, 2.0, 1.0]}, r"3 values for 1 decay_epochs"),
        # unsorted or repeated boundaries: paddle silently never uses a value
        ({"name": "Piecewise", "decay_epochs": [2, 1, 3], "values": [4.0, 3.0, 2.0, 1.0]},
         r"decay_epochs = \[2, 1, 3\] must be strictly increasing: decay_epochs\[0\] = 2 and decay_epochs\[1\] = 1"),
        ({"name": "Piecewise", "decay_epochs": [1, 1], "values": [3.0, 2.0, 1.0]}, "must be strictly increasing"),
        # distinct epochs that land on the same step
        ({"name": "Piecewise", "decay_epochs": [0.1, 0.2], "values": [3.0, 2.0, 1.0]},
         r"both take effect at step 1 with 3 steps per epoch"),
        ({"name": "Piecewise", "decay_epochs": [0, 2], "values": [3.0, 2.0, 1.0]},
         r"decay_epochs\[0\] = 0 must be a finite number of epochs > 0"),
        ({"name": "Piecewise", "decay_epochs": [-1, 2], "values": [3.0, 2.0, 1.0]}, r"decay_epochs\[0\] = -1"),
        ({"name": "MultiStepDecay", "learning_rate": 0.1, "milestones": [3, 2], "gamma": 0.1},
         r"milestones = \[3, 2\] must be strictly increasing"),
        ({"name": "MultiStepDecay", "learning_rate": 0.1, "milestones": [], "gamma": 0.1}, "milestones is empty"),
        ({"name": "MultiStepDecay", "learning_rate": 0.1, "milestones": [-2], "gamma": 0.1}, r"milestones\[0\] = -2"),
        ({"name": "MultiStepDecay", "learning_rate": 0.1, "milestones": [float("nan")], "gamma": 0.1},
         r"milestones\[0\] = nan must be a finite number"),
        # a negative count of epochs / steps: PaddleOCR silently runs no warmup
        ({"name": "Cosine", "learning_rate": 0.1, "warmup_epoch": -1}, r"Cosine: warmup_epoch = -1 must be"),
        ({"name": "Cosine", "learning_rate": 0.1, "warmup_epoch": float("inf")}, r"warmup_epoch = inf must be"),
        ({"name": "Const", "learning_rate": 0.1, "warmup_epoch": float("nan")}, r"warmup_epoch = nan must be"),
        ({"name": "LinearWarmupCosine", "learning_rate": 0.1, "warmup_steps": -5}, r"warmup_steps = -5 must be >= 0"),
        ({"name": "LinearWarmupCosine", "learning_rate": 0.1, "min_lr": 0.2, "warmup_steps": 0},
         r"min_lr \(0.2\) must be <= learning_rate \(0.1\)"),
        # non-positive sizes
        ({"name": "Step", "learning_rate": 0.1, "step_size": 0, "gamma": 0.1}, r"step_size = 0 must be a positive int"),
        ({"name": "Step", "learning_rate": 0.1, "step_size": -2, "gamma": 0.1}, "step_size = -2"),
        ({"name": "Step", "learning_rate": 0.1, "step_size": 2, "gamma": 0.0}, r"gamma = 0.0 must be > 0"),
        ({"name": "CyclicalCosine", "learning_rate": 0.1, "cycle": -1}, r"cycle = -1 must be a finite number"),
        ({"name": "CyclicalCosine", "learning_rate": 0.1, "cycle": float("inf")}, r"cycle = inf must be"),
        ({"name": "CyclicalCosine", "learning_rate": 0.1, "cycle": "2"}, r"cycle = '2' \(str\) is not a number"),
        ({"name": "Linear", "learning_rate": 0.1, "power": 0}, r"power = 0.0 must be > 0"),
        ({"name": "Linear", "learning_rate": 0.1, "end_lr": -1e-5}, r"end_lr = -1e-05 must be >= 0"),
        ({"name": "DecayLearningRate", "learning_rate": 0.1, "factor": -0.9}, r"factor = -0.9 must be > 0"),
        ({"name": "Cosine", "learning_rate": -0.1}, r"learning_rate = -0.1 must be >= 0"),
        ({"name": "OneCycle", "max_lr": 0.0}, r"max_lr = 0.0 must be > 0"),
        # PaddleOCR tests three_phase's truth value: the string 'false' means True
        ({"name": "OneCycle", "max_lr": 0.1, "three_phase": "false"}, r"three_phase = 'false' must be true or false"),
        # last_epoch resumes the Paddle schedule mid-way
        ({"name": "Cosine", "learning_rate": 0.1, "last_epoch": 5}, r"Cosine: last_epoch = 5"),
    ],
)  # fmt: skip
def test_meaningless_values_raise_naming_the_key(lr: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        lr_schedule({"name": "Adam", "lr": lr}, 4, 3)


def test_last_epoch_minus_one_is_paddleocrs_default() -> None:
    cfg = {"name": "Cosine", "learning_rate": 0.1}
    assert _values({**cfg, "last_epoch": -1}, 2, 2) == _values(cfg, 2, 2)


def test_warmup_longer_than_the_run_warns_and_keeps_the_values() -> None:
    cfg = {"name": "Adam", "lr": {"name": "Cosine", "learning_rate": 0.1, "warmup_epoch": 5}}
    with pytest.warns(PpocrWarning, match=r"the warmup \(15 steps\) does not end within the run \(9 steps"):
        s = lr_schedule(cfg, 3, 3)
    assert s.values(range(9)).tolist() == [0.1 * k / 15 for k in range(9)]
    with pytest.warns(PpocrWarning, match=r"warmup \(5000 steps\) does not end within the run \(12 steps"):
        lr_schedule({"lr": {"name": "LinearWarmupCosine", "learning_rate": 0.1}}, 4, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PpocrWarning)
        lr_schedule({"lr": {"name": "Cosine", "learning_rate": 0.1, "warmup_epoch": 2}}, 3, 3)  # ends within


@pytest.mark.parametrize(
    "cfg",
    [
        {},
        {"Global": {"epoch_num": 5}, "Optimizer": {"name": "Adam", "lr": {"name": "Cosine", "learning_rate": 0.1}}},
        {"Global": {"epoch_num": 5}, "Architecture": {}},
        {"beta1": 0.9},
    ],
)
def test_a_block_without_lr_says_so(cfg: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"no 'lr' block.*cfg\[\"Optimizer\"\]") as info:
        lr_schedule(cfg, 2, 2)
    assert "Const" not in str(info.value)


def test_linear_and_decay_learning_rate() -> None:
    v = _values({"name": "Linear", "learning_rate": 1e-3, "end_lr": 1e-5, "power": 2.0}, 2, 2)
    assert v == [(1e-3 - 1e-5) * ((1 - k / 4) ** 2.0) + 1e-5 for k in range(4)]
    with pytest.warns(PpocrWarning) as rec:
        s = lr_schedule({"lr": {"name": "DecayLearningRate", "learning_rate": 0.01, "factor": 0.9, "end_lr": 0.001,
                                "warmup_epoch": 2, "epochs": 1000}}, 2, 2)  # fmt: skip
    text = " ".join(str(r.message) for r in rec)
    assert "end_lr" in text and "warmup_epoch" in text and "'epochs'" in text
    assert s.values(range(4)).tolist() == [(0.01 - 0) * ((1 - k / 4) ** 0.9) + 0 for k in range(4)]


def test_cyclical_cosine_ignores_eta_min() -> None:
    with pytest.warns(PpocrWarning, match="eta_min"):
        s = lr_schedule({"lr": {"name": "CyclicalCosine", "learning_rate": 0.004, "cycle": 2, "eta_min": 1e-5}}, 4, 2)
    assert s.values(range(8)).tolist() == [0.5 * 0.004 * (1 + math.cos(math.pi * (k % 4) / 4)) for k in range(8)]


def test_cyclical_cosine_zero_cycle_raises() -> None:
    with pytest.raises(ValueError, match="ZeroDivisionError"):
        lr_schedule({"lr": {"name": "CyclicalCosine", "learning_rate": 0.1, "cycle": 0.1}}, 4, 2)


def test_one_cycle_fixed_constants() -> None:
    with pytest.warns(PpocrWarning, match="pct_start=0.3"):
        s = lr_schedule({"lr": {"name": "OneCycle", "max_lr": 0.0007, "pct_start": 0.5}}, 20, 5)
    v = s.values(range(100))
    assert v[0] == pytest.approx(0.0007 / 25.0, rel=1e-14)
    assert v[29] == pytest.approx(0.0007, rel=1e-14)  # end of the 30% phase at pct*N - 1
    assert v[99] == pytest.approx(0.0007 / 25 / 1e4, rel=1e-12)


def test_two_step_cosine_without_and_with_warmup() -> None:
    t1 = 200 * 2
    v = _values({"name": "TwoStepCosine", "learning_rate": 0.01}, 240, 2)
    assert v[t1] == 0.0 and set(v[t1:]) == {0.0}
    v = _values({"name": "TwoStepCosine", "learning_rate": 0.01, "warmup_epoch": 1}, 240, 2)
    w, t = 2, 480
    assert v[w + t1] == 0.0
    assert v[w + t1 + 1] == 0.0 + (0.01 - 0.0) * (1 + math.cos(math.pi * (t1 + 1) / t)) / 2 > 0


def test_linear_warmup_cosine_casts_strings() -> None:
    cfg = {"name": "LinearWarmupCosine", "learning_rate": "1e-4", "start_lr": "1e-5", "min_lr": "1e-8",
           "warmup_steps": 3}  # fmt: skip
    v = _values(cfg, 2, 4)
    assert v[:3] == [(1e-4 - 1e-5) * k / 3 + 1e-5 for k in range(3)]
    assert v[3] == 1e-4


@pytest.mark.parametrize("name", ["Cosine", "Linear", "Step", "TwoStepCosine"])
def test_string_learning_rate_raises(name: str) -> None:
    with pytest.raises(ValueError, match="not a number"):
        lr_schedule({"lr": {"name": name, "learning_rate": "1e-4", "step_size": 1, "gamma": 0.1}}, 2, 2)


def test_bad_blocks_raise_clear_errors() -> None:
    with pytest.raises(ValueError, match="not a PaddleOCR lr class"):
        lr_schedule({"lr": {"name": "Cosin", "learning_rate": 0.1}}, 2, 2)
    with pytest.raises(ValueError, match="no 'lr' sub-block"):
        lr_schedule({"name": "Adam", "beta1": 0.9}, 2, 2)
    with pytest.raises(ValueError, match="gamma"):
        lr_schedule({"lr": {"name": "Step", "learning_rate": 0.1, "step_size": 1, "gamma": 1.5}}, 2, 2)
    with pytest.raises(ValueError, match="missing required"):
        lr_schedule({"lr": {"name": "Step", "learning_rate": 0.1}}, 2, 2)
    with pytest.raises(TypeError, match="epochs"):
        lr_schedule({"lr": {"learning_rate": 0.1}}, 2.5, 2)  # type: ignore[arg-type]


def test_epochs_keys_in_yaml_are_reported() -> None:
    cfg = {"lr": {"name": "Linear", "learning_rate": 0.001, "epochs": 600, "step_each_epoch": 1254, "power": 0.9}}
    with pytest.warns(PpocrWarning, match="overwrites"):
        lr_schedule(cfg, 3, 2)


@pytest.mark.parametrize(
    "cfg",
    [
        {"learning_rate": 0.1},
        {"name": "Cosine", "learning_rate": 0.1},
        {"name": "Cosine", "learning_rate": 0.1, "warmup_epoch": 1},
        {"name": "TwoStepCosine", "learning_rate": 0.1, "warmup_epoch": 1},
        {"name": "TwoStepCosine", "learning_rate": 0.1},
        {"name": "CyclicalCosine", "learning_rate": 0.1, "cycle": 1},
        {"name": "OneCycle", "max_lr": 0.1, "warmup_epoch": 1},
        {"name": "Piecewise", "decay_epochs": [1], "values": [0.1, 0.01], "warmup_epoch": 1},
    ],
)
def test_schedules_round_trip_through_config(cfg: dict[str, Any]) -> None:
    s = lr_schedule({"lr": cfg}, 201, 2)
    assert not s.uses_base_lr
    again = lrparity.from_config(json.loads(json.dumps(s.to_config())))
    assert again == s
    assert again.values(range(402)).tolist() == s.values(range(402)).tolist()


def _write_config(tmp_path: Path, optimizer: dict[str, Any], epochs: int = 10) -> Path:
    path = tmp_path / "cfg.yml"
    path.write_text(yaml.safe_dump({"Global": {"epoch_num": epochs}, "Optimizer": optimizer}), encoding="utf-8")
    return path


def test_cli_json_plot_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from lrparity.cli import main

    path = _write_config(tmp_path, {"name": "Adam", "lr": {"name": "Cosine", "learning_rate": 0.001,
                                                           "warmup_epoch": 1, "eta_min": 0.1}})  # fmt: skip
    png = tmp_path / "lr.png"
    assert main(["ppocr", str(path), "--steps-per-epoch", "3", "--json", "--no-paddle", "--plot", str(png)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["lr_class"] == "Cosine" and out["total_steps"] == 30 and out["warmup_steps"] == 3
    assert any("eta_min" in w for w in out["warnings"])
    assert lrparity.from_config(out["schedule"]).values(range(30)).tolist() == _values(
        {"name": "Cosine", "learning_rate": 0.001, "warmup_epoch": 1}, 10, 3
    )
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    bad = _write_config(tmp_path, {"name": "Adam", "lr": {"name": "Piecewise", "decay_epochs": [1], "values": [1.0]}})
    assert main(["ppocr", str(bad), "--steps-per-epoch", "3", "--no-paddle"]) == 2
    assert "PiecewiseDecay" in capsys.readouterr().err
