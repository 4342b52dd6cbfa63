"""PaddleDetection recipes (``kind="ppdet"``) without PaddleDetection: hand-computed tables for every class and quirk,
validation, warnings, config files (tags, ``_BASE_``), export and dumps. The parity with PaddleDetection's own code is
parity_tests/test_recipes_ppdet.py."""

from __future__ import annotations

import math
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import lrparity
from lrparity.core import (
    Constant,
    Cosine,
    Exponential,
    FactorWarmup,
    Hold,
    MultiStep,
    Piecewise,
    Step,
    Warmup,
    WithBaseLR,
)
from lrparity.core.config_files import ConfigFileError, ConfigFileWarning, read_config_file
from lrparity.recipes import RecipeWarning, ppdet
from tests.helpers import assert_imports_no_framework


def cfg(*schedulers: dict[str, Any], base_lr: Any = 0.01, epoch: Any = 12, **extra: Any) -> dict[str, Any]:
    return {"epoch": epoch, "LearningRate": {"base_lr": base_lr, "schedulers": list(schedulers)}, **extra}


def values(config: Any, spe: int, n: int | None = None) -> list[float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ppdet.PpdetWarning)
        built = ppdet.build(config, spe)
    return built.schedule.values(range(built.total_steps if n is None else n)).tolist()


def notes(config: Any, spe: int) -> str:
    return "\n".join(ppdet.build(config, spe).warnings)


def linear_table(base: float, sf: float, w: int) -> list[float]:
    """PaddleDetection's LinearWarmup table, written out."""
    return [base * (sf * (1 - i / w) + i / w) for i in range(w + 1)]


# ---------------------------------------------------------------------------------------------------- the tables
def test_piecewise_with_linear_warmup_is_the_flat_table() -> None:
    config = cfg({"name": "PiecewiseDecay", "gamma": 0.1, "milestones": [2, 3]},
                 {"name": "LinearWarmup", "start_factor": 0.1, "steps": 4}, epoch=4)  # fmt: skip
    table = linear_table(0.01, 0.1, 4)
    assert table[0] == 0.001 and table[4] == 0.01
    # boundaries 1..4 then 3*2 = 6 and 3*3 = 9, counted from step 0 (not shifted by the warmup)
    assert values(config, 3) == [*table[:4], 0.01, 0.01, 0.01 * 0.1, 0.01 * 0.1, 0.01 * 0.1, 0.01 * 0.01,
                                 0.01 * 0.01, 0.01 * 0.01]  # fmt: skip


def test_scalar_gamma_means_gamma_over_powers_of_ten() -> None:
    config = cfg({"name": "PiecewiseDecay", "gamma": 0.5, "milestones": [1, 2, 3], "use_warmup": False}, epoch=4)
    assert values(config, 1) == [0.01, 0.01 * 0.5, 0.01 * (0.5 / 10), 0.01 * (0.5 / 100)]


def test_default_gamma_is_a_two_list() -> None:
    """``gamma`` defaults to [0.1, 0.01]: with one milestone PaddleDetection applies the *last* one (0.01)."""
    config = cfg({"name": "PiecewiseDecay", "milestones": [2], "use_warmup": False}, epoch=4)
    assert values(config, 1) == [0.01, 0.01, 0.01 * 0.01, 0.01 * 0.01]
    assert "silently skips [0.1]" in notes(config, 1)


def test_milestones_inside_the_warmup_are_skipped() -> None:
    config = cfg({"name": "PiecewiseDecay", "gamma": 0.1, "milestones": [1, 2, 5]},
                 {"name": "LinearWarmup", "start_factor": 0.1, "steps": 10}, epoch=6)  # fmt: skip
    got = values(config, 3)
    table = linear_table(0.01, 0.1, 10)
    assert got[:10] == table[:10]
    assert got[10:15] == [0.01 * 0.01] * 5 and got[15:] == [0.01 * 0.001] * 3  # straight to gamma[1]
    assert "milestones [1, 2] (epochs) fall inside the 10-step warmup" in notes(config, 3)


def test_fractional_milestones_take_effect_at_the_ceiling() -> None:
    config = cfg({"name": "PiecewiseDecay", "gamma": [0.5], "milestones": [1.5], "use_warmup": False}, epoch=2)
    assert values(config, 3) == [0.01] * 5 + [0.005]  # boundary 4.5: steps 0..4 are < 4.5


def test_piecewise_values_replace_base_lr() -> None:
    config = cfg({"name": "PiecewiseDecay", "milestones": [1, 2], "values": [0.3, 0.2, 0.1], "use_warmup": False},
                 epoch=3)  # fmt: skip
    assert values(config, 2) == [0.3, 0.3, 0.2, 0.2, 0.1, 0.1]
    assert "LearningRate.base_lr = 0.01 is ignored" in notes(config, 2)
    config["LearningRate"]["schedulers"][0]["gamma"] = 0.5
    assert "gamma = 0.5 is ignored: values are given" in notes(config, 2)


def test_cosine_with_warmup_holds_its_last_value_after_max_epochs() -> None:
    config = cfg({"name": "CosineDecay", "max_epochs": 2}, {"name": "LinearWarmup", "start_factor": 0.0, "steps": 2},
                 base_lr=1.0, epoch=3)  # fmt: skip
    m, w = 6, 2
    cosine = [0.0 + (1.0 - 0.0) * 0.5 * (math.cos((i - w) * math.pi / (m - w)) + 1) for i in range(w, m)]
    assert values(config, 3) == [0.0, 0.5, *cosine, cosine[-1], cosine[-1], cosine[-1]]
    assert cosine[-1] > 0.14  # c(M-1), not min_lr = 0
    assert "holds its last value c(5)" in notes(config, 3)


def test_cosine_plateau_and_exp_warmup() -> None:
    config = cfg({"name": "CosineDecay", "max_epochs": 4, "min_lr_ratio": 0.1, "last_plateau_epochs": 1},
                 {"name": "ExpWarmup", "steps": 2, "power": 2}, base_lr=1.0, epoch=5)  # fmt: skip
    mn = 1.0 * 0.1
    cosine = [mn + (1.0 - mn) * 0.5 * (math.cos((i - 2) * math.pi / (8 - 2 - 2)) + 1) for i in range(2, 6)]
    assert values(config, 2) == [0.0, (1 / 2.0) ** 2, *cosine, mn, mn, mn, mn]


def test_cosine_without_warmup_is_paddles_recursion() -> None:
    config = cfg({"name": "CosineDecay", "max_epochs": 4, "min_lr_ratio": 0.05, "use_warmup": False},
                 {"name": "LinearWarmup"}, epoch=12)  # fmt: skip
    got = values(config, 5)
    assert got == Cosine(T_max=20, eta_min=0.01 * 0.05, form="recursive").values(range(60), 0.01).tolist()
    assert got[40] == pytest.approx(0.01) and got[20] == pytest.approx(0.0005)  # periodic: back at base_lr
    text = notes(config, 5)
    assert "schedulers[1] (LinearWarmup) is ignored: CosineDecay.use_warmup is false" in text
    assert "periodic" in text


def test_cosine_without_warmup_with_plateau_is_a_table_from_step_zero() -> None:
    config = cfg({"name": "CosineDecay", "max_epochs": 3, "last_plateau_epochs": 1, "use_warmup": False},
                 base_lr=1.0, epoch=4)  # fmt: skip
    cosine = [0.0 + 1.0 * 0.5 * (math.cos(i * math.pi / (6 - 2)) + 1) for i in range(4)]
    assert values(config, 2) == [*cosine, 0.0, 0.0, 0.0, 0.0]


def test_a_warmup_of_zero_steps_is_one_step() -> None:
    config = cfg({"name": "PiecewiseDecay", "gamma": [0.1], "milestones": [1]},
                 {"name": "LinearWarmup", "steps": 0, "start_factor": 0.2}, epoch=2)  # fmt: skip
    assert values(config, 2) == [0.01 * 0.2, 0.01, 0.001, 0.001]
    assert "gives 0 warmup steps; PaddleDetection makes it 1" in notes(config, 2)


def test_warmup_epochs_take_priority_over_steps() -> None:
    config = cfg({"name": "PiecewiseDecay", "gamma": [0.1], "milestones": [9]},
                 {"name": "LinearWarmup", "steps": 7, "epochs": 1, "start_factor": 0.5}, epoch=2)  # fmt: skip
    assert values(config, 3)[:4] == linear_table(0.01, 0.5, 3)
    assert "steps = 7 is ignored: epochs = 1 takes priority" in notes(config, 3)


def test_epochs_first_false_lets_steps_win() -> None:
    config = cfg({"name": "PiecewiseDecay", "gamma": [0.1], "milestones": [9]},
                 {"name": "LinearWarmup", "steps": 2, "epochs": 1, "epochs_first": False}, epoch=2)  # fmt: skip
    assert values(config, 3)[:3] == linear_table(0.01, 1 / 3, 2)
    text = notes(config, 3)
    assert "epochs_first is not a PaddleDetection 2.6.0 key" in text and "epochs = 1 is ignored" in text


def test_warmup_outlasting_the_cosine_stays_at_base_lr() -> None:
    config = cfg({"name": "CosineDecay", "max_epochs": 1}, {"name": "LinearWarmup", "steps": 4}, epoch=3)
    got = values(config, 2)
    assert got[:5] == linear_table(0.01, 1 / 3, 4) and got[4:] == [0.01, 0.01]
    assert "tabulates no cosine" in notes(config, 2)


def test_defaults() -> None:
    config = {"epoch": 12, "LearningRate": {}}
    with pytest.warns(ppdet.PpdetWarning) as record:
        got = ppdet.schedule(config, steps_per_epoch=100).values(range(1200))
    messages = " ".join(str(r.message) for r in record)
    assert "schedulers not given" in messages and "base_lr not given" in messages
    assert got[:501].tolist() == linear_table(0.01, 1 / 3, 500)
    assert got[799] == 0.01 and got[800] == 0.01 * 0.1 and got[1100] == 0.01 * 0.01


def test_the_schedule_is_absolute_and_uses_the_core_classes() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ppdet.PpdetWarning)
        s = ppdet.schedule(
            cfg({"name": "CosineDecay", "max_epochs": 4}, {"name": "ExpWarmup", "steps": 3}), steps_per_epoch=2
        )
    assert not s.uses_base_lr
    assert isinstance(s, WithBaseLR) and isinstance(s.schedule, FactorWarmup)
    assert isinstance(s.schedule.schedule, Hold) and s.schedule.power == 2.0
    assert lrparity.from_config(s.to_config()) == s


# ---------------------------------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("config", "exc", "match"),
    [
        (cfg({"name": "PiecewiseDecay", "milestones": [4], "values": [0.1, 0.01]}, {"name": "LinearWarmup"}),
         ValueError, "values with a warmup"),
        (cfg({"name": "PiecewiseDecay", "milestones": [4], "values": [0.1]}, {"name": "LinearWarmup"}),
         ValueError, "asserts len"),
        (cfg({"name": "PiecewiseDecay", "milestones": [2, 4, 6]}, {"name": "LinearWarmup"}), ValueError,
         "2 decayed values for 3 milestones"),
        (cfg({"name": "PiecewiseDecay", "milestones": [], "use_warmup": False}), ValueError, "cannot be empty"),
        (cfg({"name": "PiecewiseDecay", "milestones": [4, 2]}, {"name": "LinearWarmup"}), ValueError,
         "strictly increasing"),
        (cfg({"name": "PiecewiseDecay", "milestones": [1.1, 1.2], "gamma": [0.1, 0.01]}, {"name": "LinearWarmup"}),
         ValueError, "both take effect at step 4"),
        (cfg({"name": "PiecewiseDecay", "milestones": [0, 4]}, {"name": "LinearWarmup"}), ValueError, r"> 0"),
        (cfg({"name": "PiecewiseDecay", "milestones": 8}, {"name": "LinearWarmup"}), TypeError, "list of epochs"),
        (cfg({"name": "PiecewiseDecay", "gamma": -0.1}, {"name": "LinearWarmup"}), ValueError, "gamma"),
        (cfg({"name": "PiecewiseDecay", "gamma": "1e-1"}, {"name": "LinearWarmup"}), TypeError, "write 1.0e-4"),
        (cfg({"name": "CosineDecay", "max_epochs": 1.5}, {"name": "LinearWarmup"}), TypeError, "max_epochs"),
        (cfg({"name": "CosineDecay", "min_lr_ratio": 1.5}, {"name": "LinearWarmup"}), ValueError, "<= 1.0"),
        (cfg({"name": "CosineDecay", "max_epochs": 4, "last_plateau_epochs": 4}, {"name": "LinearWarmup"}),
         ValueError, "< max_epochs"),
        (cfg({"name": "CosineDecay", "use_warmup": "no"}, {"name": "LinearWarmup"}), TypeError, "true or false"),
        (cfg({"name": "CosineDecay"}), ValueError, "no warmup"),
        (cfg({"name": "CosineDecay"}, {"name": "PiecewiseDecay"}), ValueError, "must be a warmup"),
        (cfg({"name": "LinearWarmup"}, {"name": "CosineDecay"}), ValueError, "must be a decay"),
        (cfg({"name": "CosineDecy"}), ValueError, "did you mean 'CosineDecay'"),
        (cfg({"max_epochs": 3}), ValueError, "has no 'name'"),
        (cfg("PiecewiseDecay"), TypeError, "must be a scheduler"),
        (cfg({"name": "CosineDecay", "warmup": 1}, {"name": "LinearWarmup"}), ValueError, "unknown key 'warmup'"),
        (cfg({"name": "CosineDecay"}, {"name": "ExpWarmup", "start_factor": 0.1}), ValueError,
         "unknown key 'start_factor'"),
        (cfg({"name": "CosineDecay"}, {"name": "LinearWarmup", "steps": -1}), ValueError, "steps = -1"),
        (cfg({"name": "CosineDecay"}, {"name": "LinearWarmup", "steps": 10.0}), TypeError, "must be an int"),
        (cfg({"name": "CosineDecay"}, {"name": "LinearWarmup", "epochs": 0.5}), TypeError, "epochs = 0.5"),
        (cfg({"name": "CosineDecay"}, {"name": "LinearWarmup", "start_factor": -0.1}), ValueError, "start_factor"),
        (cfg({"name": "CosineDecay"}, {"name": "ExpWarmup", "power": 0}), ValueError, "power = 0"),
        (cfg({"name": "CosineDecay"}, {"name": "LinearWarmup", "epochs_first": 1}), TypeError, "epochs_first"),
        (cfg({"name": "CosineDecay"}, {"name": "LinearWarmup"}, base_lr="1e-3"), TypeError, "YAML 1.1"),
        (cfg({"name": "CosineDecay"}, {"name": "LinearWarmup"}, base_lr=-0.1), ValueError, "base_lr"),
        (cfg({"name": "CosineDecay"}, {"name": "LinearWarmup"}, epoch=2.5), TypeError, "epoch = 2.5"),
        (cfg({"name": "CosineDecay"}, {"name": "LinearWarmup"}, epoch=0), ValueError, "epoch = 0"),
        ({"epoch": 3, "LearningRate": {"base_lr": 0.1, "schedulers": [], "gamma": 1}}, ValueError, "unknown key"),
        ({"epoch": 3, "LearningRate": {"schedulers": []}}, ValueError, "non-empty list"),
        ({"epoch": 3, "LearningRate": None}, ValueError, "LearningRate: {}"),
        ({"epoch": 3, "LearningRate": [1]}, TypeError, "mapping"),
        ({"epoch": 3}, ValueError, "no LearningRate section"),
        ({"base_lr": 0.1, "schedulers": []}, ValueError, "LearningRate block itself"),
        ({"LearningRate": {}}, ValueError, "no 'epoch'"),
        ({"_BASE_": ["a.yml"], "epoch": 3, "LearningRate": {}}, ValueError, "pass the config's path"),
    ],
)  # fmt: skip
def test_bad_configs_raise_naming_the_key(config: Any, exc: type, match: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ppdet.PpdetWarning)
        with pytest.raises(exc, match=match):
            ppdet.schedule(config, steps_per_epoch=3)


def test_a_one_step_cosine_table_has_no_boundary() -> None:
    config = cfg({"name": "CosineDecay", "max_epochs": 1, "last_plateau_epochs": 0.5, "use_warmup": False})
    with pytest.raises(ValueError, match="boundaries cannot be empty"):
        ppdet.schedule(config, steps_per_epoch=1)
    assert values(config, 2, 4) == [0.01, 0.0, 0.0, 0.0]  # 2 steps per epoch: c(0), then the plateau


@pytest.mark.parametrize(("spe", "exc"), [(None, ValueError), (0, ValueError), (2.0, TypeError), (True, TypeError)])
def test_steps_per_epoch_is_required(spe: Any, exc: type) -> None:
    with pytest.raises(exc, match="steps_per_epoch"):
        ppdet.schedule(cfg({"name": "CosineDecay"}, {"name": "LinearWarmup"}), steps_per_epoch=spe)


def test_through_the_recipes_entry_point_and_warning_class() -> None:
    config = cfg({"name": "PiecewiseDecay", "milestones": [2], "gamma": [0.1]}, {"name": "LinearWarmup", "steps": 1},
                 {"name": "ExpWarmup"}, epoch=3)  # fmt: skip
    with pytest.warns(RecipeWarning, match=r"schedulers\[2\] \(ExpWarmup\) is ignored"):
        s = lrparity.recipes.schedule("ppdet", config, steps_per_epoch=2)
    assert issubclass(ppdet.PpdetWarning, RecipeWarning)
    assert s.values(range(6)).tolist() == [linear_table(0.01, 1 / 3, 1)[0], 0.01, 0.01, 0.01, 0.001, 0.001]


def test_the_caller_config_is_not_modified() -> None:
    config = cfg({"name": "PiecewiseDecay", "gamma": 0.1, "milestones": [2]}, {"name": "LinearWarmup"})
    before = repr(config)
    values(config, 3)
    assert repr(config) == before


# ---------------------------------------------------------------------------------------------------- config files
def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


TAG_FORM = """epoch: 12
LearningRate:
  base_lr: 0.01
  schedulers:
  - !PiecewiseDecay
    gamma: 0.1
    milestones: [8, 11]
  - !LinearWarmup
    start_factor: 0.1
    steps: 1000
TrainDataset:
  !COCODataSet
    image_dir: train2017
"""

NAME_FORM = """epoch: 12
LearningRate:
  base_lr: 0.01
  schedulers:
    - name: PiecewiseDecay
      gamma: 0.1
      milestones: [8, 11]
    - name: LinearWarmup
      start_factor: 0.1
      steps: 1000
"""


def test_tag_and_name_forms_read_the_same(tmp_path: Path) -> None:
    tags = ppdet.read_config(write(tmp_path, "tags.yml", TAG_FORM))
    names = ppdet.read_config(write(tmp_path, "names.yml", NAME_FORM))
    assert tags["LearningRate"] == names["LearningRate"]
    assert tags["TrainDataset"] == {"name": "COCODataSet", "image_dir": "train2017"}  # other tags read as data
    assert values(tmp_path / "tags.yml", 100) == values(names, 100)


def test_yaml_1_1_floats_and_python_tags(tmp_path: Path) -> None:
    path = write(tmp_path, "a.yml", "epoch: 2\nLearningRate:\n  base_lr: 1e-3\n")
    assert ppdet.read_config(path)["LearningRate"]["base_lr"] == "1e-3"  # PaddleDetection's YAML 1.1 reading
    with pytest.raises(TypeError, match=r"1\.0e-4"):
        ppdet.schedule(path, steps_per_epoch=2)
    bad = write(tmp_path, "b.yml", "epoch: 2\nLearningRate: !!python/object/apply:os.system ['true']\n")
    with pytest.raises(ConfigFileError, match="python tags"):
        ppdet.read_config(bad)


def test_base_merge_is_per_key_with_lists_and_tags_replaced(tmp_path: Path) -> None:
    write(tmp_path, "_base_/optimizer.yml", TAG_FORM.replace("epoch: 12\n", "epoch: 12\nOptimizerBuilder:\n"
          "  regularizer: {factor: 0.0005, type: L2}\n  optimizer: {momentum: 0.9, type: Momentum}\n"))  # fmt: skip
    write(tmp_path, "_base_/other.yml", "epoch: 24\nTrainDataset: {dataset_dir: other}\n")
    child = write(tmp_path, "configs/model.yml",
                  "_BASE_: ['../_base_/optimizer.yml', '../_base_/other.yml']\n"
                  "LearningRate:\n  base_lr: 0.02\n"
                  "OptimizerBuilder:\n  regularizer: {factor: 0.0001}\n"
                  "TrainDataset: !ImageFolder {anno_path: x.json}\n")  # fmt: skip
    merged = ppdet.read_config(child)
    assert merged["epoch"] == 24  # the later base wins over the earlier one
    assert merged["LearningRate"]["base_lr"] == 0.02 and len(merged["LearningRate"]["schedulers"]) == 2
    assert merged["OptimizerBuilder"]["regularizer"] == {"factor": 0.0001, "type": "L2"}  # merged key by key
    # a tagged section is an object in PaddleDetection: replaced wholesale (not merged with the base's mapping)
    assert merged["TrainDataset"] == {"name": "ImageFolder", "anno_path": "x.json"}
    grandchild = write(tmp_path, "configs/sub/top.yml", "_BASE_: ['../model.yml']\nLearningRate:\n  schedulers:\n"
                       "  - !CosineDecay {max_epochs: 30}\n  - !ExpWarmup {epochs: 1}\n")  # fmt: skip
    top = ppdet.read_config(grandchild)
    assert top["LearningRate"] == {"base_lr": 0.02, "schedulers": [{"name": "CosineDecay", "max_epochs": 30},
                                                                   {"name": "ExpWarmup", "epochs": 1}]}  # fmt: skip


def test_base_include_errors(tmp_path: Path) -> None:
    write(tmp_path, "a.yml", "_BASE_: ['b.yml']\nepoch: 1\n")
    write(tmp_path, "b.yml", "_BASE_: ['a.yml']\n")
    with pytest.raises(ConfigFileError, match=r"includes itself .*a.yml -> b.yml -> a.yml"):
        ppdet.read_config(tmp_path / "a.yml")
    with pytest.raises(ConfigFileError, match="must be a list"):
        ppdet.read_config(write(tmp_path, "c.yml", "_BASE_: 'b.yml'\n"))
    with pytest.raises(ConfigFileError, match="no such file"):
        ppdet.read_config(write(tmp_path, "d.yml", "_BASE_: ['missing.yml']\n"))
    with pytest.raises(ConfigFileError, match=r"only \.yml/\.yaml"):
        ppdet.read_config(write(tmp_path, "e.json", "{}"))
    duplicate = write(tmp_path, "f.yml", "epoch: 1\nLearningRate: {}\nepoch: 2\n")
    with pytest.warns(ConfigFileWarning, match="duplicate key 'epoch' at lines 1, 3: the last one"):
        assert ppdet.read_config(duplicate)["epoch"] == 2  # PyYAML's (PaddleDetection's) reading
    with pytest.warns(ppdet.PpdetWarning) as record:
        first = ppdet.schedule(duplicate, steps_per_epoch=2).values(range(1)).tolist()
    assert first == linear_table(0.01, 1 / 3, 500)[:1]
    assert any("duplicate key 'epoch'" in str(r.message) for r in record)
    with pytest.raises(ConfigFileError, match="not a mapping"):
        ppdet.read_config(write(tmp_path, "g.yml", "- 1\n"))


def test_unknown_tags_hook_of_the_config_reader(tmp_path: Path) -> None:
    path = write(tmp_path, "x.yml", "a: !Foo {b: 1}\nc: !Bar\n")
    with pytest.raises(ConfigFileError, match="unknown tag !Foo"):
        read_config_file(path)
    assert read_config_file(path, unknown_tags="data") == {"a": {"name": "Foo", "b": 1}, "c": {"name": "Bar"}}
    with pytest.raises(ConfigFileError, match="takes a mapping"):
        read_config_file(write(tmp_path, "y.yml", "a: !Foo [1, 2]\n"), unknown_tags="data")
    with pytest.raises(ValueError, match="unknown_tags"):
        read_config_file(path, unknown_tags="ignore")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------------- export, dumps
ROUND_TRIPS = {
    "faster_rcnn": (cfg({"name": "PiecewiseDecay", "gamma": 0.1, "milestones": [8, 11]},
                        {"name": "LinearWarmup", "start_factor": 0.1, "steps": 100}), 20),
    "ppyoloe": (cfg({"name": "CosineDecay", "max_epochs": 36}, {"name": "LinearWarmup", "start_factor": 0.0,
                                                                "epochs": 5}, epoch=30), 4),
    "yolox": (cfg({"name": "CosineDecay", "max_epochs": 30, "min_lr_ratio": 0.05, "last_plateau_epochs": 3},
                  {"name": "ExpWarmup", "epochs": 2}, epoch=30), 3),
    "hold": (cfg({"name": "CosineDecay", "max_epochs": 10}, {"name": "LinearWarmup", "steps": 7}, epoch=14), 3),
    "recursive_cosine": (cfg({"name": "CosineDecay", "max_epochs": 10, "use_warmup": False}, epoch=14), 3),
    "plateau_no_warmup": (cfg({"name": "CosineDecay", "max_epochs": 10, "use_warmup": False,
                               "last_plateau_epochs": 2}, epoch=14), 3),
    "values": (cfg({"name": "PiecewiseDecay", "milestones": [3, 6], "values": [0.2, 0.02, 0.002],
                    "use_warmup": False}, epoch=8), 5),
    "ssd": (cfg({"name": "PiecewiseDecay", "milestones": [4, 6, 8, 10], "gamma": [0.5, 0.5, 0.4, 0.1],
                 "use_warmup": False}, base_lr=0.001, epoch=12), 2),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(ROUND_TRIPS))
def test_export_round_trips_bit_for_bit(case: str, tmp_path: Path) -> None:
    config, spe = ROUND_TRIPS[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ppdet.PpdetWarning)
        built = ppdet.build(config, spe)
    exported = ppdet.export(built.schedule, steps_per_epoch=spe, epochs=built.epochs)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ppdet.PpdetWarning)  # an exported config relies on no quirk
        if case not in ("hold", "recursive_cosine"):  # these two are quirks (the run goes past max_epochs)
            ppdet.build(exported, spe)
    assert values(exported, spe) == built.schedule.values(range(built.total_steps)).tolist()
    text = ppdet.dumps(exported)
    path = write(tmp_path, "exported.yml", text)
    assert ppdet.read_config(path) == exported
    assert "!" + exported["LearningRate"]["schedulers"][0]["name"] in text


def test_export_of_other_schedules() -> None:
    config = ppdet.export(WithBaseLR(Warmup(Cosine(90), 30, start_factor=0.1), 0.02), steps_per_epoch=10)
    assert config == {"epoch": 12, "LearningRate": {"base_lr": 0.02, "schedulers": [
        {"name": "CosineDecay", "max_epochs": 12, "min_lr_ratio": 0.0},
        {"name": "LinearWarmup", "start_factor": 0.1, "epochs": 3}]}}  # fmt: skip
    config = ppdet.export(MultiStep((30, 60), 0.1), steps_per_epoch=10, base_lr=0.1, epochs=9)
    assert config["LearningRate"]["schedulers"] == [
        {"name": "PiecewiseDecay", "milestones": [3, 6], "gamma": [0.1, 0.1**2], "use_warmup": False}
    ]
    config = ppdet.export(Step(25, 0.5), steps_per_epoch=10, base_lr=0.1, epochs=6)
    assert values(config, 10) == Step(25, 0.5).values(range(60), 0.1).tolist()
    config = ppdet.export(Piecewise((5, 9), (0.3, 0.2, 0.1)), steps_per_epoch=2, epochs=6)
    assert config["LearningRate"]["schedulers"][0]["milestones"] == [2.5, 4.5]
    assert values(config, 2) == Piecewise((5, 9), (0.3, 0.2, 0.1)).values(range(12)).tolist()


@pytest.mark.parametrize(
    ("schedule", "context", "match"),
    [
        (Exponential(0.9), {"base_lr": 0.1, "epochs": 3}, "cannot express a Exponential"),
        (WithBaseLR(FactorWarmup(Cosine(50), 10, mode="overlap"), 0.1), {}, "overlapping warmup"),
        (WithBaseLR(FactorWarmup(Cosine(50), 10, start_factor=0.1, power=2.0), 0.1), {}, "power=2.0"),
        (WithBaseLR(Warmup(Cosine(50), 10, shape="exponential", start_factor=0.1), 0.1), {}, "exponential"),
        (WithBaseLR(Warmup(Cosine(50), 10, end_factor=0.5), 0.1), {}, "end at base_lr"),
        (Cosine(45), {"base_lr": 0.1}, "not a whole number of epochs"),
        (Cosine(50), {}, "relative: give base_lr"),
        (Piecewise((10,), (0.1, 0.01)), {"base_lr": 0.1}, "absolute schedule"),
        (WithBaseLR(Cosine(50), 0.1), {"base_lr": 0.2}, "give one of them"),
        (Exponential(0.9), {"base_lr": 0.1}, "no end: give epochs"),
        (Cosine(50, after_end="hold"), {"base_lr": 0.1, "epochs": 10}, "differs from the schedule"),
        (WithBaseLR(FactorWarmup(Constant(factor=0.5), 10, mode="overlap"), 0.1), {"epochs": 4},
         "right when the warmup ends"),
    ],
)  # fmt: skip
def test_export_refuses_what_paddledetection_cannot_express(schedule: Any, context: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        ppdet.export(schedule, steps_per_epoch=10, **context)


def test_export_needs_steps_per_epoch() -> None:
    with pytest.raises(ValueError, match="steps_per_epoch"):
        ppdet.export(WithBaseLR(Cosine(50), 0.1))
    with pytest.raises(TypeError, match="Schedule"):
        ppdet.export("cosine", steps_per_epoch=2)  # type: ignore[arg-type]


def test_dumps_writes_yaml_1_1_floats_and_tags(tmp_path: Path) -> None:
    schedulers = [{"name": "PiecewiseDecay", "milestones": [1, 2], "gamma": [0.1, 1e-20], "use_warmup": True},
                  {"name": "LinearWarmup"}]  # fmt: skip
    config = {"epoch": 3, "LearningRate": {"base_lr": 1e-05, "schedulers": schedulers}, "note": "a: b",
              "OptimizerBuilder": {"optimizer": {"type": "Momentum"}}}  # fmt: skip
    text = ppdet.dumps(config)
    assert "base_lr: 1.0e-05" in text and "gamma: [0.1, 1.0e-20]" in text and "- !LinearWarmup {}" in text
    assert "use_warmup: true" in text and "note: 'a: b'" in text
    assert ppdet.read_config(write(tmp_path, "d.yml", text)) == config
    with pytest.raises(TypeError, match="cannot write"):
        ppdet.dumps({"epoch": object()})


# ---------------------------------------------------------------------------------------------------- reference, core
def test_reference_without_paddledetection_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m == "ppdet" or m.startswith("ppdet.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "ppdet", None)
    with pytest.raises(ImportError, match="pip install paddledet"):
        ppdet.reference(cfg({"name": "CosineDecay"}, {"name": "LinearWarmup"}), steps_per_epoch=2)


def test_importing_the_kind_imports_no_framework() -> None:
    assert_imports_no_framework(
        "import lrparity.recipes.ppdet as p\n"
        "p.schedule({'epoch': 2, 'LearningRate': {'schedulers': [{'name': 'CosineDecay', 'max_epochs': 2}, "
        "{'name': 'LinearWarmup', 'steps': 2}]}}, steps_per_epoch=3).values(range(6))"
    )


def test_factor_warmup_formula() -> None:
    s = FactorWarmup(MultiStep((6,), 0.1), 4, start_factor=0.2, power=1.0, mode="overlap")
    assert s.values(range(8), 0.5).tolist() == [0.5 * (0.2 * (1 - i / 4) + i / 4) for i in range(4)] + [
        0.5, 0.5, 0.05, 0.05]  # fmt: skip
    p = FactorWarmup(Constant(), 3, power=1.5)
    assert p.values(range(4), 2.0).tolist() == [2.0 * (i / 3.0) ** 1.5 for i in range(3)] + [2.0]
    assert [p.value(i, 2.0) for i in range(4)] == p.values(range(4), 2.0).tolist()
    assert FactorWarmup(Cosine(10), 5).length == 15 and FactorWarmup(Cosine(10), 5, mode="overlap").length == 10
    assert not FactorWarmup(Piecewise((3,), (0.1, 0.2)), 1).uses_base_lr  # a one-step ramp from 0 reads no base
    assert FactorWarmup(Piecewise((3,), (0.1, 0.2)), 2).uses_base_lr


def test_hold_formula() -> None:
    h = Hold(Cosine(T_max=10), step=4)
    assert h.values(range(8), 1.0).tolist() == Cosine(T_max=10).values([0, 1, 2, 3, 4, 4, 4, 4], 1.0).tolist()
    assert h.length == 4 and h.uses_base_lr and not Hold(Piecewise((2,), (0.1, 0.2)), 1).uses_base_lr
    with pytest.raises(ValueError, match="step"):
        Hold(Cosine(10), step=-1)
    with pytest.raises(TypeError, match="schedule"):
        Hold(0.1, step=1)  # type: ignore[arg-type]
    assert np.array_equal(h.values(np.array([9, 2, 5])), np.array([h.value(9), h.value(2), h.value(5)]))


# ---------------------------------------------------------------------------------------------------- optimizers
def builder(section: Any) -> ppdet.PpdetOptimizer:
    return ppdet.optimizer_spec({"epoch": 1, "LearningRate": {}, **({"OptimizerBuilder": section} if section else {})})


def test_optimizer_defaults_are_momentum_with_l2() -> None:
    built = builder(None)
    assert built.spec.name == "Momentum" and built.spec.momentum == 0.9 and built.spec.l2_coupled == 0.0001
    assert any("no OptimizerBuilder section" in w for w in built.warnings)
    built = builder({"optimizer": {"type": "SGD"}})
    assert built.spec.l2_coupled == 0.0001 and any("default L2Decay(0.0001)" in w for w in built.warnings)


@pytest.mark.parametrize("off", [None, False, {}, "None", 0])
def test_a_false_regularizer_is_none(off: Any) -> None:
    spec = builder({"optimizer": {"type": "Momentum", "momentum": 0.9}, "regularizer": off}).spec
    assert spec.l2_coupled is None and spec.l1_coupled is None


def test_optimizer_sections_read_as_paddledetection_reads_them() -> None:
    spec = builder({"optimizer": {"type": "Momentum", "momentum": 0.9, "use_nesterov": True},
                    "regularizer": {"type": "L1", "factor": 0.0005}}).spec  # fmt: skip
    assert spec.use_nesterov and spec.l1_coupled == 0.0005 and spec.l2_coupled is None
    adamw = builder({"clip_grad_by_norm": 1.0, "optimizer": {"type": "AdamW", "weight_decay": 0.05},
                     "regularizer": {"type": "L2", "factor": 0.0001}})  # fmt: skip
    assert adamw.spec.adamw_weight_decay == 0.05 and adamw.spec.l2_coupled is None
    assert adamw.spec.clip_norm_global == 1.0 and adamw.spec.clip_norm is None  # by_norm is a *global* norm
    assert any("regularizer (L2Decay(0.0001)) is ignored" in w for w in adamw.warnings)
    assert builder({"optimizer": {"type": "AdamW"}}).spec.adamw_weight_decay == 0.01  # paddle's default
    value = builder({"clip_grad_by_value": -2.0, "optimizer": {"type": "SGD"}})
    assert value.clip_value == 2.0 and value.spec.clip_norm_global is None
    both = builder({"clip_grad_by_norm": 1.0, "clip_grad_by_value": 2.0, "optimizer": {"type": "SGD"}})
    assert both.clip_value is None and any("clip_grad_by_value = 2.0 is ignored" in w for w in both.warnings)
    overwritten = builder({"optimizer": {"type": "Adam", "weight_decay": 0.1}, "regularizer": None})
    assert overwritten.spec.l2_coupled is None and any("overwrites it" in w for w in overwritten.warnings)
    groups = builder({"optimizer": {"type": "AdamW", "param_groups": [{"params": ["norm", "bias"],
                                                                      "weight_decay": 0.0}]}}).param_groups  # fmt: skip
    assert groups == (ppdet.ParamGroup(("norm", "bias"), 1.0, 0.0),)
    rms = builder({"optimizer": {"type": "RMSProp", "momentum": 0.0}, "regularizer": {"type": "L2", "factor": 5e-5}})
    assert (rms.spec.rho, rms.spec.epsilon, rms.spec.centered) == (0.95, 1e-6, False)


@pytest.mark.parametrize(
    ("section", "exc", "match"),
    [
        ({"optimizer": {"type": "AdamWDL", "layer_decay": 0.75}}, ValueError, "AdamWDL"),
        ({"optimizer": {"type": "Lamb"}}, ValueError, "does not translate"),
        ({"optimizer": {"type": "Momentun"}}, ValueError, "no paddle optimizer"),
        ({"optimizer": {"momentum": 0.9}}, ValueError, "'type'"),
        ({"optimizer": {"type": "Adam", "betas": [0.9, 0.999]}}, ValueError, "no argument 'betas'"),
        ({"optimizer": {"type": "Momentum", "rescale_grad": 0.5}}, ValueError, "rescale_grad"),
        ({"optimizer": {"type": "Adam", "amsgrad": True}}, ValueError, "amsgrad"),
        ({"optimizer": {"type": "Adam", "beta1": 1.0}}, ValueError, "beta1"),
        ({"optimizer": {"type": "Adam", "epsilon": "1e-8"}}, TypeError, "1.0e-4"),
        ({"optimizer": {"type": "RMSProp", "rho": -0.1}}, ValueError, "rho"),
        ({"optimizer": {"type": "Momentum", "use_nesterov": "yes"}}, TypeError, "use_nesterov"),
        ({"regularizer": {"type": "L3", "factor": 0.1}}, ValueError, "L3Decay"),
        ({"regularizer": {"type": "L2"}}, ValueError, "KeyError"),
        ({"regularizer": {"type": "L2", "factor": -1.0}}, ValueError, "factor"),
        ({"regularizer": {"type": "L2", "factor": 0.1, "coeff": 1}}, ValueError, "unknown keys"),
        ({"clip_grad_by_norm": 0.0}, ValueError, "clip_grad_by_norm"),
        ({"clip_grad_by_value": "big"}, TypeError, "clip_grad_by_value"),
        ({"clip_norm": 1.0}, ValueError, "unknown key 'clip_norm'"),
        ({"optimizer": {"type": "SGD", "param_groups": {"params": ["a"]}}}, ValueError, "must be a list"),
        ({"optimizer": {"type": "SGD", "param_groups": [{"weight_decay": 0.0}]}}, ValueError, "'params' list"),
        ({"optimizer": {"type": "SGD", "param_groups": [{"params": ["a"], "beta1": 0.5}]}}, ValueError, "beta1"),
    ],
)
def test_bad_optimizer_sections_raise(section: dict[str, Any], exc: type, match: str) -> None:
    with pytest.raises(exc, match=match):
        builder(section)


def test_torch_optimizer_drives_the_schedule_and_groups() -> None:
    torch = pytest.importorskip("torch")

    class Net(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.head = torch.nn.Linear(3, 2)
            self.norm = torch.nn.Linear(3, 2)
            self.frozen = torch.nn.Linear(3, 2)
            self.frozen.requires_grad_(False)

    optimizer = {"type": "Momentum", "param_groups": [{"params": ["norm"], "learning_rate": 0.5}]}
    config = cfg({"name": "PiecewiseDecay", "gamma": [0.1], "milestones": [1]}, {"name": "LinearWarmup", "steps": 2},
                 epoch=2, OptimizerBuilder={"clip_grad_by_value": 1.0, "optimizer": optimizer})  # fmt: skip
    with pytest.warns(ppdet.PpdetWarning, match="regularizer not given"):
        opt, sched, pre_step = ppdet.torch_optimizer(config, Net(), steps_per_epoch=3)
    assert [len(g["params"]) for g in opt.param_groups] == [2, 2]  # the group, then the rest (frozen left out)
    want = values(config, 3)
    lrs = []
    for _ in range(6):
        lrs.append([g["lr"] for g in opt.param_groups])
        assert pre_step is not None
        opt.step()
        sched.step()
    assert [lr[1] for lr in lrs] == want and [lr[0] for lr in lrs] == [v * 0.5 for v in want]
    with pytest.raises(TypeError, match=r"nn\.Module"), warnings.catch_warnings():
        warnings.simplefilter("ignore", ppdet.PpdetWarning)
        ppdet.torch_optimizer(config, list(Net().parameters()), steps_per_epoch=3)


@pytest.mark.parametrize("name", ["lrparity.recipes.ppdet", "lrparity.recipes.ppdet.export"])
def test_docstring_examples(name: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
