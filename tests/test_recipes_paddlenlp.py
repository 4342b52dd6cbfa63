"""PaddleNLP recipes without PaddleNLP: the Trainer's counting, the three forms, hand-computed values for each quirk,
validation, warnings, export and dumps. (The proof against PaddleNLP's own code is
parity_tests/test_recipes_paddlenlp.py.)"""

from __future__ import annotations

import json
import math
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import lrparity.recipes
from lrparity.core import (
    Constant,
    ConstantWarmup,
    CosineWarmupDecay,
    LinearWarmupDecay,
    PolynomialWarmupDecay,
    Shift,
    WarmupAnneal,
    WithBaseLR,
)
from lrparity.recipes import paddlenlp as nlp
from tests.helpers import assert_imports_no_framework


def _quiet(config: Any, steps_per_epoch: int | None = None) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", nlp.PaddlenlpWarning)
        return nlp.schedule(config, steps_per_epoch=steps_per_epoch)


# ---------------------------------------------------------------------------------------------------- Trainer
def test_updates_per_epoch_round_down_and_epochs_truncate():
    with pytest.warns(nlp.PaddlenlpWarning, match=r"403 // 8 = 50 updates per epoch.*Hugging Face counts 51"):
        plan = nlp.trainer_plan({"num_train_epochs": 3, "gradient_accumulation_steps": 8}, steps_per_epoch=403)
    assert (plan.max_steps, plan.updates_per_epoch, plan.warmup_steps, plan.decay_steps) == (150, 50, 0, 150)
    with pytest.warns(nlp.PaddlenlpWarning, match=r"int\(7 \* 2\.5\) = 17 updates \(truncated\)"):
        assert nlp.trainer_plan({"num_train_epochs": 2.5}, steps_per_epoch=7).max_steps == 17
    assert nlp.trainer_plan({"gradient_accumulation_steps": 16}, steps_per_epoch=5).max_steps == 1  # max(5 // 16, 1)
    assert nlp.trainer_plan({"max_steps": 40}, steps_per_epoch=5).max_steps == 40


def test_warmup_ratio_truncates():
    with pytest.warns(nlp.PaddlenlpWarning, match=r"int\(9\.99\) = 9 steps \(Hugging Face takes the ceiling, 10\)"):
        s = nlp.schedule({"learning_rate": 1.0, "warmup_ratio": 0.03, "max_steps": 333})
    assert s == WithBaseLR(LinearWarmupDecay(9, 333), 1.0)
    assert s.value(9) == 1.0 and s.value(8) == 8 / 9


def test_default_trainer_arguments():
    s = nlp.schedule({"max_steps": 100})  # linear, 5e-5, no warmup
    assert s == WithBaseLR(LinearWarmupDecay(0, 100), 5e-5)
    assert s.values(range(3)).tolist() == [5e-5 * 1.0, 5e-5 * (99 / 100), 5e-5 * (98 / 100)]


def test_every_scheduler_type():
    base = {"learning_rate": 0.1, "warmup_steps": 10, "max_steps": 100}
    assert _quiet({**base, "lr_scheduler_type": "cosine"}) == WithBaseLR(CosineWarmupDecay(10, 100), 0.1)
    assert _quiet({**base, "lr_scheduler_type": "constant"}) == WithBaseLR(Constant(), 0.1)
    assert _quiet({**base, "lr_scheduler_type": "constant_with_warmup"}) == WithBaseLR(ConstantWarmup(10), 0.1)
    poly = _quiet({**base, "lr_scheduler_type": "polynomial", "lr_end": 1e-4, "power": 2.0, "decay_steps": 50})
    assert poly == WithBaseLR(PolynomialWarmupDecay(10, 50, 0.1, 1e-4, 2.0), 0.1)


def test_arguments_are_parsed_as_paddlenlp_parses_json():
    s = nlp.schedule({"learning_rate": "3e-5", "warmup_steps": "10", "max_steps": 100})
    assert s == WithBaseLR(LinearWarmupDecay(10, 100), 3e-5)
    with pytest.raises(TypeError, match=r"max_steps .*int\(\)"):
        nlp.schedule({"max_steps": 100.0})  # argparse: int("100.0") fails
    with pytest.raises(TypeError, match="learning_rate"):
        nlp.schedule({"max_steps": 100, "learning_rate": True})


@pytest.mark.parametrize(
    ("config", "error", "text"),
    [
        ({"num_train_epochs": 3}, ValueError, "steps_per_epoch"),
        ({"max_steps": 10, "lr_scheduler_type": "cosine_with_restarts"}, ValueError, "SchedulerType"),
        ({"max_steps": 10, "lr_scheduler_type": "linaer"}, ValueError, "did you mean 'linear'"),
        ({"max_steps": 10, "warmup_ratio": 1.5}, ValueError, "warmup_ratio"),
        ({"max_steps": 10, "warmup_steps": -1}, ValueError, "warmup_steps"),
        ({"max_steps": 10, "gradient_accumulation_steps": 0}, ValueError, "gradient_accumulation_steps"),
        ({"max_steps": 10, "learning_rate": -0.1}, ValueError, "learning_rate"),
        ({"max_steps": 10, "lr_scheduler_type": "polynomial", "learning_rate": 1e-7}, ValueError, "lr_end"),
        ({"max_steps": 10, "lr_scheduler_type": "polynomial", "warmup_steps": 10}, ValueError, "divides by"),
        ({"max_steps": 10, "lr_scheduler_type": "cosine", "num_cycles": 0}, ValueError, "num_cycles"),
        ({"max_steps": 10, "decay_steps": 7.5}, ValueError, "decay_steps"),
        ({"num_train_epochs": 0.01}, ValueError, "nothing to schedule"),
        ({"recipe": "finetune"}, ValueError, "recipe"),
        ({"recipe": "pretrain", "name": "LinearDecayWithWarmup"}, ValueError, "one of them"),
        ({"recipe": "pretrain"}, ValueError, "max_steps > 0"),
    ],
)
def test_invalid_arguments_raise_naming_the_key(config, error, text):
    with pytest.raises(error, match=text):
        _quiet(config, steps_per_epoch=10 if "num_train_epochs" in config and config["num_train_epochs"] < 1 else None)


def test_trainer_warnings():
    with pytest.warns(nlp.PaddlenlpWarning, match="num_cycles = 1.0 is ignored"):
        nlp.schedule({"max_steps": 10, "num_cycles": 1.0})
    with pytest.warns(nlp.PaddlenlpWarning, match="warmup_ratio = 0.1 is ignored"):
        nlp.schedule({"max_steps": 10, "warmup_steps": 2, "warmup_ratio": 0.1})
    with pytest.warns(nlp.PaddlenlpWarning, match="has no warmup"):
        nlp.schedule({"max_steps": 10, "warmup_steps": 2, "lr_scheduler_type": "constant"})
    with pytest.warns(nlp.PaddlenlpWarning, match="did you mean 'warmup_steps'"):
        nlp.schedule({"max_steps": 10, "warmup_step": 2})
    with pytest.warns(nlp.PaddlenlpWarning, match="recipe"):
        nlp.schedule({"max_steps": 10, "min_learning_rate": 1e-6})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the other arguments of a real file are not warned about
        nlp.schedule({"max_steps": 10, "logging_steps": 1, "save_steps": 5, "eval_steps": 5, "output_dir": "x"})


# ---------------------------------------------------------------------------------------------------- classes
def test_cosine_decay_with_warmup_default_is_a_full_wave():
    s = nlp.schedule({"name": "CosineDecayWithWarmup", "learning_rate": 1.0, "total_steps": 100, "warmup": 0})
    assert s == WithBaseLR(CosineWarmupDecay(0, 100, num_cycles=1), 1.0)
    assert s.value(50) == 0.0 and s.value(100) == 1.0
    hard = nlp.schedule({"name": "CosineDecayWithWarmup", "learning_rate": 1.0, "total_steps": 100, "warmup": 0,
                         "with_hard_restarts": True})  # fmt: skip
    assert hard.schedule.num_cycles == 0.5 and hard.schedule.hard_restarts


def test_class_warmup_int_or_ratio_floored():
    s = nlp.schedule({"name": "LinearDecayWithWarmup", "learning_rate": 0.1, "total_steps": 999, "warmup": 0.1})
    assert s.schedule.warmup_steps == math.floor(0.1 * 999) == 99
    with pytest.raises(TypeError, match="isinstance"):
        nlp.schedule({"name": "LinearDecayWithWarmup", "learning_rate": 0.1, "total_steps": 9, "warmup": np.int64(3)})
    with pytest.raises(ValueError, match="ratio"):
        nlp.schedule({"name": "LinearDecayWithWarmup", "learning_rate": 0.1, "total_steps": 9, "warmup": 3.0})
    with pytest.raises(ValueError, match="not given"):
        nlp.schedule({"name": "ConstScheduleWithWarmup", "learning_rate": 0.1, "warmup": 0.5})


def test_last_epoch_shifts_the_start():
    s = nlp.schedule({"name": "LinearDecayWithWarmup", "learning_rate": 0.1, "total_steps": 10, "warmup": 2,
                      "last_epoch": 0})  # fmt: skip
    assert s == Shift(WithBaseLR(LinearWarmupDecay(2, 10), 0.1), 1) and s.value(0) == 0.05


@pytest.mark.parametrize(
    ("config", "error", "text"),
    [
        ({"name": "CosineDecay"}, ValueError, "did you mean 'CosineDecayWithWarmup'"),
        ({"name": "LinearDecayWithWarmup", "learning_rate": 0.1, "total_steps": 9}, ValueError, "'warmup'"),
        ({"name": "LinearDecayWithWarmup", "learning_rate": 0.1, "total_steps": 9, "warmup": 1, "warmups": 1},
         ValueError, "warmups"),
        ({"name": "CosineDecayWithWarmup", "learning_rate": 0.1, "total_steps": 9, "warmup": 1, "num_cycles": 1.5},
         TypeError, "an int"),
        ({"name": "CosineDecayWithWarmup", "learning_rate": 0.1, "total_steps": 9, "warmup": 1, "num_cycles": 2,
          "with_hard_restarts": True}, TypeError, "a float"),
        ({"name": "PolyDecayWithWarmup", "learning_rate": 0.1, "total_steps": 9, "warmup": 1, "lr_end": 0.2},
         ValueError, "lr_end"),
        ({"name": "LinearDecayWithWarmup", "learning_rate": 0.1, "total_steps": 9, "warmup": 1, "last_epoch": -2},
         ValueError, "last_epoch"),
        ({"name": "CosineAnnealingWithWarmupDecay", "max_lr": 0.1, "min_lr": 0.0, "warmup_step": 1,
          "decay_step": 0}, ValueError, "decay_step"),
    ],
)  # fmt: skip
def test_invalid_class_arguments(config, error, text):
    with pytest.raises(error, match=text):
        nlp.schedule(config)


# ---------------------------------------------------------------------------------------------------- pretraining
LLAMA = {"recipe": "pretrain", "learning_rate": 3e-05, "min_learning_rate": 3e-06, "warmup_steps": 30,
         "max_steps": 10000, "warmup_ratio": 0.01}  # fmt: skip


def test_pretraining_defaults_to_linear_annealing_read_from_step_one():
    s = _quiet(LLAMA)
    assert s == Shift(WarmupAnneal(3e-05, 3e-06, 30, 10000, "linear"), 1)
    assert s.value(0) == 3e-05 * 1 / 30 and s.value(29) == 3e-05 and s.value(9999) == 3e-06


def test_pretraining_fractional_warmup_is_not_rounded():
    s = nlp.schedule({"recipe": "pretrain", "lr_scheduler_type": "cosine", "learning_rate": 1.0,
                      "min_learning_rate": 0.0, "warmup_ratio": 0.01, "max_steps": 997})  # fmt: skip
    assert s.schedule.warmup_steps == 0.01 * 997
    assert s.value(0) == 1.0 * 1 / 9.97 and s.value(8) == 9 / 9.97 and s.value(9) < 1.0


def test_pretraining_other_types_use_the_trainers_scheduler():
    s = _quiet({**LLAMA, "lr_scheduler_type": "constant_with_warmup"})
    assert s == WithBaseLR(ConstantWarmup(30), 3e-05)
    with pytest.warns(nlp.PaddlenlpWarning, match="min_learning_rate is ignored"):
        nlp.schedule({**LLAMA, "warmup_ratio": 0.0, "lr_scheduler_type": "polynomial", "min_learning_rate": 1e-7})


def test_pretraining_warnings():
    with pytest.warns(nlp.PaddlenlpWarning, match="rises to min_learning_rate"):
        nlp.schedule({"recipe": "pretrain", "learning_rate": 5e-6, "max_steps": 100})


# ---------------------------------------------------------------------------------------------------- export / dumps
@pytest.mark.parametrize(
    ("schedule", "context", "expected"),
    [
        (LinearWarmupDecay(10, 100), {"base_lr": 0.1},
         {"learning_rate": 0.1, "lr_scheduler_type": "linear", "warmup_steps": 10, "max_steps": 100}),
        (CosineWarmupDecay(10, 100, num_cycles=1), {"base_lr": 0.1, "max_steps": 120},
         {"learning_rate": 0.1, "lr_scheduler_type": "cosine", "num_cycles": 1.0, "warmup_steps": 10,
          "max_steps": 120, "decay_steps": 100}),
        (CosineWarmupDecay(10, 100, num_cycles=2.0, hard_restarts=True), {"base_lr": 0.1},
         {"name": "CosineDecayWithWarmup", "learning_rate": 0.1, "total_steps": 100, "warmup": 10,
          "with_hard_restarts": True, "num_cycles": 2.0}),
        (ConstantWarmup(10), {"base_lr": 0.1, "max_steps": 50},
         {"learning_rate": 0.1, "lr_scheduler_type": "constant_with_warmup", "warmup_steps": 10, "max_steps": 50}),
        (Shift(WarmupAnneal(3e-4, 3e-5, 9.97, 997), 1), {},
         {"recipe": "pretrain", "lr_scheduler_type": "cosine", "learning_rate": 3e-4, "min_learning_rate": 3e-5,
          "max_steps": 997, "warmup_ratio": 0.01}),
        (WarmupAnneal(3e-4, 3e-5, 10, 100), {},
         {"name": "CosineAnnealingWithWarmupDecay", "max_lr": 3e-4, "min_lr": 3e-5, "warmup_step": 10,
          "decay_step": 100}),
    ],
)  # fmt: skip
def test_export(schedule, context, expected):
    exported = nlp.export(schedule, **context)
    assert exported == expected
    n = context.get("max_steps", 100)
    again = json.loads(nlp.dumps(exported))
    ours = (WithBaseLR(schedule, context["base_lr"]) if "base_lr" in context else schedule).values(range(n))
    assert np.array_equal(_quiet(again).values(range(n)), ours)


@pytest.mark.parametrize(
    ("schedule", "context", "text"),
    [
        (LinearWarmupDecay(10, 100), {}, "base_lr"),
        (CosineWarmupDecay(10, 100, min_lr_rate=0.1), {"base_lr": 0.1}, "cannot express"),
        (CosineWarmupDecay(10, 100, num_cycles=1.5), {"base_lr": 0.1, "form": "class"}, "class form"),
        (Constant(), {"base_lr": 0.1}, "no length"),
        (LinearWarmupDecay(10, 100), {"base_lr": 0.1, "form": "pretraining"}, "form must be"),
    ],
)
def test_export_errors(schedule, context, text):
    with pytest.raises(ValueError, match=text):
        nlp.export(schedule, **context)


def test_read_config_and_dumps(tmp_path: Path):
    path = tmp_path / "args.json"
    path.write_text(nlp.dumps({"learning_rate": 3e-05, "max_steps": 20}), encoding="utf-8")
    assert nlp.read_config(path) == {"learning_rate": 3e-05, "max_steps": 20}
    assert nlp.schedule(path) == WithBaseLR(LinearWarmupDecay(0, 20), 3e-05)
    assert lrparity.recipes.schedule("paddlenlp", path) == nlp.schedule(path)
    assert nlp.run_length(path) == 20


def test_reference_without_paddlenlp_says_what_to_install(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "paddlenlp", None)
    with pytest.raises(ImportError, match=r"pip install paddlenlp==2\.8\.1"):
        nlp.reference({"max_steps": 10})


def test_import_needs_neither_torch_nor_paddle():
    assert_imports_no_framework("import lrparity.recipes.paddlenlp as m\nm.schedule({'max_steps': 10})")


# ---------------------------------------------------------------------------------------------------- optimizer
def test_optimizer_spec():
    spec = nlp.optimizer_spec({"max_steps": 10})
    assert (spec.name, spec.adamw_weight_decay, spec.no_weight_decay_name, spec.clip_norm_global) == (
        "AdamW", 0.0, ("bias", "norm"), 1.0)  # fmt: skip
    spec = nlp.optimizer_spec({"max_steps": 10, "max_grad_norm": 0, "weight_decay": "0.1", "adam_beta2": 0.95})
    assert (spec.clip_norm_global, spec.adamw_weight_decay, spec.beta2) == (None, 0.1, 0.95)
    with pytest.raises(ValueError, match="only 'adamw'"):
        nlp.optimizer_spec({"max_steps": 10, "optim": "adamw_mini"})
    with pytest.raises(ValueError, match="no optimizer arguments"):
        nlp.optimizer_spec({"name": "ConstScheduleWithWarmup", "learning_rate": 0.1, "warmup": 2})
    with pytest.raises(ValueError, match="beta1"):
        nlp.optimizer_spec({"adam_beta1": 1.5})
