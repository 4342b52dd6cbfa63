"""``kind="hf"`` without transformers: how the Trainer counts a run, every trap by hand, validation, warnings, export.

The values against transformers itself are in ``parity_tests/test_recipes_hf.py``; here each quirk is checked with
numbers worked out by hand from the Trainer's rules and HF's lambdas.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

import lrparity
from lrparity.core import (
    Constant,
    ConstantWarmup,
    Cosine,
    CosineRestarts,
    CosineWarmupDecay,
    CosineWarmupDecayOneBased,
    Exponential,
    Greedy,
    InverseSqrtWarmupDecay,
    Linear,
    LinearWarmupDecay,
    Noam,
    OneCycle,
    Plateau,
    Polynomial,
    PolynomialWarmupDecay,
    Shift,
    Step,
    Warmup,
    WarmupStableDecay,
    WithBaseLR,
)
from lrparity.core.greedy import GreedyState
from lrparity.recipes import RecipeWarning, export, hf, schedule

DATA = Path(__file__).resolve().parents[1] / "parity_tests" / "recipes_data" / "hf"


def quiet(config: Any, steps_per_epoch: int | None = None) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return schedule("hf", config, steps_per_epoch=steps_per_epoch)


def warned(config: Any, match: str, steps_per_epoch: int | None = None) -> Any:
    with pytest.warns(hf.HfWarning, match=match):
        return schedule("hf", config, steps_per_epoch=steps_per_epoch)


def run(config: Any, steps_per_epoch: int | None = None) -> hf.TrainerRun:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", hf.HfWarning)
        return hf.resolve(config, steps_per_epoch=steps_per_epoch)


# -- counting the run as the Trainer does ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("batches", "ga", "per_epoch"),
    [(403, 8, 51), (400, 8, 50), (401, 8, 51), (7, 8, 1), (1, 1, 1), (403, 1, 403), (43, 8, 6)],
)
def test_updates_per_epoch_round_up(batches: int, ga: int, per_epoch: int) -> None:
    r = run({"num_train_epochs": 2, "gradient_accumulation_steps": ga, "learning_rate": 1e-3}, steps_per_epoch=batches)
    assert (r.updates_per_epoch, r.num_training_steps) == (per_epoch, 2 * per_epoch)


def test_fractional_epochs_use_ceil_of_the_float_product() -> None:
    # 0.1 * 31 is 3.1000000000000001 in floats: the Trainer's ceil gives 4 updates
    r = run({"num_train_epochs": 0.1, "gradient_accumulation_steps": 13, "learning_rate": 1e-3}, steps_per_epoch=403)
    assert r.updates_per_epoch == 31 and r.num_training_steps == 4
    r = run({"num_train_epochs": 2.5, "learning_rate": 1e-3}, steps_per_epoch=10)
    assert r.num_training_steps == 25


def test_max_steps_overrides_epochs_and_needs_no_steps_per_epoch() -> None:
    r = run({"max_steps": 123, "learning_rate": 1e-3})
    assert (r.num_training_steps, r.updates_per_epoch) == (123, None)
    warned({"max_steps": 123, "num_train_epochs": 2, "learning_rate": 1e-3}, "num_train_epochs ignored")


@pytest.mark.parametrize(
    ("fields", "warmup"),
    [
        ({"warmup_steps": 10}, 10),
        ({"warmup_steps": 0.03}, 31),  # 5.x ratio: ceil(1001 * 0.03) = ceil(30.03)
        ({"warmup_ratio": 0.03}, 31),  # 4.x
        ({"warmup_steps": 0.1, "warmup_ratio": 0.5}, 101),  # a 5.x ratio > 0 overrides too
        ({"warmup_steps": 1.0}, 1),  # >= 1: steps, not the whole run
        ({"warmup_ratio": 0.0}, 0),
        ({}, 0),
    ],
)
def test_warmup_forms(fields: dict[str, Any], warmup: int) -> None:
    assert run({"max_steps": 1001, "learning_rate": 1e-3, **fields}).num_warmup_steps == warmup


def test_warmup_steps_override_warmup_ratio_as_in_4x() -> None:
    s = warned(
        {"max_steps": 50, "warmup_steps": 7, "warmup_ratio": 0.5, "learning_rate": 1.0}, "warmup_ratio=0.5 ignored"
    )
    assert s.schedule == LinearWarmupDecay(7, 50)


def test_float_warmup_steps_are_truncated() -> None:
    s = warned({"max_steps": 50, "warmup_steps": 7.9, "learning_rate": 1.0}, "truncated to 7")
    assert s.schedule.warmup_steps == 7


# -- the names, with values worked out by hand -----------------------------------------------------------------------


def test_cosine_by_hand_and_not_clamped_past_the_run() -> None:
    s = quiet({"lr_scheduler_type": "cosine", "warmup_steps": 2, "max_steps": 6, "learning_rate": 1.0})
    expected = [0.0, 0.5, 1.0, 0.5 * (1 + math.cos(math.pi / 4)), 0.5, 0.5 * (1 + math.cos(3 * math.pi / 4)), 0.0]
    np.testing.assert_allclose(s.values(range(7)), expected, rtol=1e-15, atol=1e-17)
    past = s.values(range(6, 11))
    assert past[0] == 0.0 and np.all(np.diff(past) > 0) and past[-1] == 1.0  # back to the peak at 2N - W


def test_linear_ends_at_zero_and_stays() -> None:
    s = quiet({"warmup_steps": 2, "max_steps": 6, "learning_rate": 1.0})
    assert s.values(range(9)).tolist() == [0.0, 0.5, 1.0, 0.75, 0.5, 0.25, 0.0, 0.0, 0.0]


def test_cosine_with_restarts_by_hand() -> None:
    s = quiet({"lr_scheduler_type": "cosine_with_restarts", "max_steps": 8, "learning_rate": 1.0,
               "lr_scheduler_kwargs": {"num_cycles": 2}})  # fmt: skip
    v = s.values(range(10))
    assert v[0] == 1.0 and v[4] == 1.0 and v[2] == pytest.approx(0.5) and v[8] == 0.0 and v[9] == 0.0


def test_polynomial_ends_at_lr_end() -> None:
    s = quiet({"lr_scheduler_type": "polynomial", "max_steps": 4, "learning_rate": 0.1,
               "lr_scheduler_kwargs": {"lr_end": 0.02, "power": 2.0}})  # fmt: skip
    np.testing.assert_allclose(s.values(range(6)), [0.1, 0.065, 0.04, 0.025, 0.02, 0.02], rtol=1e-14)
    assert s.schedule == PolynomialWarmupDecay(0, 4, lr_init=0.1, lr_end=0.02, power=2.0)


def test_constant_and_constant_with_warmup() -> None:
    assert quiet({"lr_scheduler_type": "constant", "max_steps": 5, "learning_rate": 0.3}).values(range(3)).tolist() == [
        0.3, 0.3, 0.3]  # fmt: skip
    s = quiet({"lr_scheduler_type": "constant_with_warmup", "warmup_steps": 4, "max_steps": 10, "learning_rate": 1.0})
    assert s.values(range(6)).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]


def test_constant_ignores_warmup_and_kwargs() -> None:
    s = warned({"lr_scheduler_type": "constant", "warmup_steps": 5, "max_steps": 10, "learning_rate": 0.1},
               "warmup .* ignored")  # fmt: skip
    assert s.values(range(3)).tolist() == [0.1] * 3
    warned({"lr_scheduler_type": "constant_with_warmup", "warmup_steps": 5, "max_steps": 10, "learning_rate": 0.1,
            "lr_scheduler_kwargs": {"num_cycles": 2}}, "ignored")  # fmt: skip


def test_inverse_sqrt_by_hand() -> None:
    s = quiet({"lr_scheduler_type": "inverse_sqrt", "warmup_steps": 4, "max_steps": 100, "learning_rate": 1.0})
    assert s.schedule == InverseSqrtWarmupDecay(4, timescale=4)
    v = s.values([0, 2, 4, 16, 64])
    assert v.tolist()[:3] == [0.0, 0.5, 1.0] and v[3] == pytest.approx(0.5) and v[4] == pytest.approx(0.25)
    assert (
        quiet({"lr_scheduler_type": "inverse_sqrt", "max_steps": 10, "learning_rate": 0.1}).schedule.timescale == 10**4
    )


def test_cosine_with_min_lr_min_lr_is_a_rate_of_learning_rate() -> None:
    s = quiet({"lr_scheduler_type": "cosine_with_min_lr", "max_steps": 10, "learning_rate": 4e-4,
               "lr_scheduler_kwargs": {"min_lr": 1e-4}})  # fmt: skip
    assert s.schedule.min_lr_rate == 1e-4 / 4e-4
    assert s.values(10) == pytest.approx(1e-4)


def test_cosine_warmup_with_min_lr_is_one_step_ahead() -> None:
    s = quiet({"lr_scheduler_type": "cosine_warmup_with_min_lr", "warmup_steps": 4, "max_steps": 10,
               "learning_rate": 1.0, "lr_scheduler_kwargs": {"min_lr_rate": 0.1}})  # fmt: skip
    v = s.values(range(11))
    assert v[:4].tolist() == [0.25, 0.5, 0.75, 1.0]  # never 0; the peak at the last warmup update
    assert v[9] == pytest.approx(0.1)  # the floor at the run's last update, N - 1
    shifted = Shift(CosineWarmupDecay(4, 10, min_lr_rate=0.1), offset=1)
    assert np.array_equal(s.schedule.values(range(40)), shifted.values(range(40)))
    kwargs = {"min_lr_rate": 0.1, "warmup_lr_rate": 0.2}
    with_rate = quiet({"lr_scheduler_type": "cosine_warmup_with_min_lr", "warmup_steps": 5, "max_steps": 10,
                       "learning_rate": 1.0, "lr_scheduler_kwargs": kwargs})  # fmt: skip
    assert with_rate.values(range(5)).tolist() == pytest.approx([0.2, 0.4, 0.6, 0.8, 1.0])


def test_warmup_stable_decay() -> None:
    s = quiet({"lr_scheduler_type": "warmup_stable_decay", "warmup_steps": 2, "max_steps": 8, "learning_rate": 1.0,
               "lr_scheduler_kwargs": {"num_decay_steps": 4, "decay_type": "linear", "min_lr_ratio": 0.2}})  # fmt: skip
    assert s.schedule == WarmupStableDecay(2, 2, 4, "linear", "linear", 0.2)
    np.testing.assert_allclose(s.values(range(10)), [0.2, 0.6, 1, 1, 1, 0.8, 0.6, 0.4, 0.2, 0.2], rtol=1e-15)
    kwargs = {"num_decay_steps": 4, "num_stable_steps": 3}
    s = warned({"lr_scheduler_type": "warmup_stable_decay", "warmup_steps": 2, "max_steps": 100, "learning_rate": 1.0,
                "lr_scheduler_kwargs": kwargs}, "num_stable_steps=3 is used")  # fmt: skip
    assert s.schedule.stable_steps == 3


def test_reduce_lr_on_plateau_gives_the_core_plateau() -> None:
    kwargs = {"mode": "min", "patience": 3, "factor": 0.5}
    p = quiet({"lr_scheduler_type": "reduce_lr_on_plateau", "learning_rate": 0.01, "max_steps": 10,
               "eval_strategy": "epoch", "lr_scheduler_kwargs": kwargs})  # fmt: skip
    assert p == Plateau(mode="min", factor=0.5, patience=3, semantics="torch", start_lr=0.01)


def test_greedy_gives_the_core_greedy() -> None:
    kwargs = {"factor": 0.5, "patience": 2, "smooth": True, "window_size": 3, "min_lr": 1e-4, "mode": "max"}
    g = quiet({"lr_scheduler_type": "greedy", "learning_rate": 0.01, "eval_strategy": "steps",
               "metric_for_best_model": "accuracy", "lr_scheduler_kwargs": kwargs})  # fmt: skip
    assert g == Greedy(start_lr=0.01, **kwargs)
    warned({"lr_scheduler_type": "greedy", "learning_rate": 0.01, "eval_strategy": "steps",
            "lr_scheduler_kwargs": {"verbose": True}}, "verbose ignored")  # fmt: skip


def test_greedy_by_hand() -> None:
    g = Greedy(factor=0.5, patience=1, cooldown=1, warmup=1, min_lr=0.01, max_lr=0.4, reset_start=2)
    s = g.initial_state([0.1])
    lrs = []
    for metric in [5, 4, 3, 3, 2] + [1] * 24:
        s = g.update(s, metric)
        lrs.append(s.lrs[0])
    # 2 improvements in a row double the lr (then 1 warmup step), up to max_lr; 2 bad steps halve it (then 1
    # cooldown step) down to min_lr; the second reduction at the floor resets to the start (cooldown after it)
    assert lrs == [0.1, 0.2, 0.2, 0.2, 0.4, 0.4, 0.4, 0.4, 0.2, 0.2, 0.2, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025,
                   0.025, 0.025, 0.0125, 0.0125, 0.0125, 0.01, 0.01, 0.01, 0.1, 0.1, 0.1]  # fmt: skip
    assert GreedyState.from_dict(s.to_dict()) == s


def test_plateau_mode_trap_warns() -> None:
    warned({"lr_scheduler_type": "reduce_lr_on_plateau", "max_steps": 10, "learning_rate": 0.1,
            "eval_strategy": "epoch", "metric_for_best_model": "accuracy"}, "mode is 'min'")  # fmt: skip


# -- recipe files ----------------------------------------------------------------------------------------------------


def test_recipe_files_read_quietly() -> None:
    for name in ("zephyr-7b-beta_sft_full.yaml", "olympiccoder-7b_sft_v00.00.yaml", "llama3-8b_orpo_v1.2.yaml",
                 "qwen2.5-1.5b-instruct_grpo_demo.yaml", "openr1-zero-7b-math_grpo_v08.00.yaml"):  # fmt: skip
        s = quiet(DATA / name, steps_per_epoch=100)
        assert not s.uses_base_lr


def test_zephyr() -> None:
    s = quiet(DATA / "zephyr-7b-beta_sft_full.yaml", steps_per_epoch=1000)
    assert s == WithBaseLR(CosineWarmupDecay(100, 1000), 2e-5)


def test_olympiccoder() -> None:
    s = quiet(DATA / "olympiccoder-7b_sft_v00.00.yaml", steps_per_epoch=403)
    assert s == WithBaseLR(CosineWarmupDecay(16, 510, min_lr_rate=0.1), 1e-5)


def test_llama_factory_keys_warn() -> None:
    warned(DATA / "llama-factory_llama3_lora_sft.yaml", "'finetuning_type'.* not TrainingArguments fields", 10)


def test_pyyaml_reads_1e_5_as_a_string(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text("lr_scheduler_type: cosine\nlearning_rate: 1e-5\nmax_steps: 10\n", encoding="utf-8")
    s = warned(path, "'1e-5' is a string.* write 1.0e-05")
    assert s.base_lr == 1e-5


def test_json_recipe_and_json_kwargs(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text('{"lr_scheduler_type": "cosine", "learning_rate": 1e-5, "max_steps": 10, '
                    '"lr_scheduler_kwargs": "{\\"num_cycles\\": \\"1.5\\"}"}', encoding="utf-8")  # fmt: skip
    assert quiet(path).schedule.num_cycles == 1.5


def test_missing_learning_rate_warns_about_trainer_defaults() -> None:
    s = warned({"max_steps": 10}, "default 5e-05")
    assert s.base_lr == 5e-5


# -- errors ----------------------------------------------------------------------------------------------------------

ERRORS: list[tuple[dict[str, Any], type[Exception], str]] = [
    ({"lr_scheduler_type": "cosin"}, ValueError, "did you mean 'cosine'"),
    ({"lr_scheduler_type": 3}, ValueError, "lr_scheduler_type"),
    ({"warmup_ratoi": 0.1}, ValueError, "did you mean 'warmup_ratio'"),
    ({"lr": 0.1}, ValueError, "'learning_rate'"),
    ({"lr_warmup_steps": 10}, ValueError, "'warmup_steps'"),
    ({"learning_rate": 0}, ValueError, r"learning_rate: must be in \(0.0"),
    ({"learning_rate": True}, TypeError, "learning_rate"),
    ({"learning_rate": "fast"}, TypeError, "learning_rate"),
    ({"learning_rate": None}, TypeError, "learning_rate"),
    ({"max_steps": 0}, ValueError, "0 updates"),
    ({"max_steps": 10.5}, ValueError, "whole number"),
    ({"warmup_steps": -1}, ValueError, "warmup_steps"),
    ({"warmup_ratio": 1.5}, ValueError, "warmup_ratio"),
    ({"warmup_steps": 10}, ValueError, "not fewer than the 10 updates"),
    ({"warmup_ratio": 1.0}, ValueError, "never leaves the warmup"),
    ({"gradient_accumulation_steps": 0}, ValueError, "gradient_accumulation_steps"),
    ({"lr_scheduler_kwargs": {"num_cycles": 2}}, ValueError, "linear takes no argument 'num_cycles'"),
    ({"lr_scheduler_type": "cosine", "lr_scheduler_kwargs": {"num_cycle": 2}}, ValueError, "did you mean"),
    ({"lr_scheduler_type": "cosine", "lr_scheduler_kwargs": {"num_training_steps": 2}}, ValueError,
     "set by the Trainer"),
    ({"lr_scheduler_type": "cosine", "lr_scheduler_kwargs": {"last_epoch": 3}}, ValueError, "last_epoch"),
    ({"lr_scheduler_type": "cosine", "lr_scheduler_kwargs": "num_cycles=2"}, TypeError, "JSON object"),
    ({"lr_scheduler_type": "cosine", "lr_scheduler_kwargs": [1]}, TypeError, "mapping"),
    ({"lr_scheduler_type": "cosine", "lr_scheduler_kwargs": {"num_cycles": 0}}, ValueError, "num_cycles"),
    ({"lr_scheduler_type": "cosine_with_min_lr", "lr_scheduler_kwargs": {"min_lr": "1e-6"}}, TypeError,
     "min_lr: must be a number, got the string '1e-6'"),
    ({"lr_scheduler_type": "cosine_with_min_lr"}, ValueError, "needs min_lr or min_lr_rate"),
    ({"lr_scheduler_type": "cosine_with_min_lr", "lr_scheduler_kwargs": {"min_lr": 1e-6, "min_lr_rate": 0.1}},
     ValueError, "not both"),
    ({"lr_scheduler_type": "cosine_with_min_lr", "lr_scheduler_kwargs": {"min_lr": 1.0}}, ValueError, "min_lr"),
    ({"lr_scheduler_type": "polynomial", "learning_rate": 1e-7}, ValueError, "lr_end"),
    ({"lr_scheduler_type": "warmup_stable_decay"}, ValueError, "needs 'num_decay_steps'"),
    ({"lr_scheduler_type": "warmup_stable_decay", "warmup_steps": 5, "lr_scheduler_kwargs": {"num_decay_steps": 8}},
     ValueError, "exceed the run"),
    ({"lr_scheduler_type": "warmup_stable_decay", "lr_scheduler_kwargs": {"num_decay_steps": 2,
                                                                          "warmup_type": "Linear"}},
     ValueError, "warmup_type"),
    ({"lr_scheduler_type": "reduce_lr_on_plateau"}, ValueError, "requires an eval strategy"),
    ({"lr_scheduler_type": "reduce_lr_on_plateau", "eval_strategy": "steps", "lr_scheduler_kwargs": {"min_lr": [0.1]}},
     ValueError, "one number"),
    ({"lr_scheduler_type": "reduce_lr_on_plateau", "eval_strategy": "steps", "lr_scheduler_kwargs": {"verbose": True}},
     ValueError, "no argument 'verbose'"),
    ({"lr_scheduler_type": "greedy"}, ValueError, "requires an eval strategy"),
    ({"lr_scheduler_type": "greedy", "eval_strategy": "steps", "lr_scheduler_kwargs": {"factor": 0.0}}, ValueError,
     "factor"),
    ({"lr_scheduler_type": "greedy", "eval_strategy": "steps", "lr_scheduler_kwargs": {"factor": 1.0}}, ValueError,
     "factor: must be < 1.0"),
    ({"lr_scheduler_type": "greedy", "eval_strategy": "steps", "lr_scheduler_kwargs": {"max_lr": [1.0]}}, ValueError,
     "max_lr: give one number"),
    ({"lr_scheduler_type": "greedy", "eval_strategy": "steps", "lr_scheduler_kwargs": {"reset_start": -1}},
     ValueError, "reset_start"),
    ({"lr_scheduler_type": "greedy", "eval_strategy": "steps", "lr_scheduler_kwargs": {"smooth": "yes"}}, TypeError,
     "smooth"),
    ({"optim": "schedule_free_adamw"}, ValueError, "schedule-free"),
    ({"optim": "galore_adamw_layerwise"}, ValueError, "per parameter"),
    ({"deepspeed": {"scheduler": {"type": "WarmupLR"}}}, ValueError, "DeepSpeed"),
]  # fmt: skip


@pytest.mark.parametrize(("fields", "exc", "match"), ERRORS, ids=[str(i) for i in range(len(ERRORS))])
def test_errors_name_the_key(fields: dict[str, Any], exc: type[Exception], match: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", hf.HfWarning)
        with pytest.raises(exc, match=match):
            schedule("hf", {"max_steps": 10, "learning_rate": 1e-3, **fields})


def test_epoch_runs_need_steps_per_epoch() -> None:
    with pytest.raises(ValueError, match="steps_per_epoch"):
        schedule("hf", {"num_train_epochs": 2, "learning_rate": 1e-3})
    for bad, exc in ((0, ValueError), (2.0, TypeError), (True, TypeError)):
        with pytest.raises(exc, match="steps_per_epoch"):
            schedule("hf", {"num_train_epochs": 2, "learning_rate": 1e-3}, steps_per_epoch=bad)


def test_config_types() -> None:
    with pytest.raises(TypeError, match="path to a recipe file"):
        schedule("hf", 3)
    with pytest.raises(TypeError, match="keys must be strings"):
        schedule("hf", {1: 2})


def test_deepspeed_file_and_unknown_keys_warn() -> None:
    warned({"max_steps": 10, "learning_rate": 1e-3, "deepspeed": "ds.json"}, "DeepSpeed")
    warned({"max_steps": 10, "learning_rate": 1e-3, "galore_layerwise": True}, "not TrainingArguments fields")


def test_a_warning_is_a_recipe_warning() -> None:
    assert issubclass(hf.HfWarning, RecipeWarning)


# -- export ----------------------------------------------------------------------------------------------------------

ROUND_TRIPS: list[tuple[Any, dict[str, Any]]] = [
    (WithBaseLR(LinearWarmupDecay(3, 20), 0.1), {}),
    (WithBaseLR(CosineWarmupDecay(3, 20, num_cycles=0.7), 0.1), {}),
    (WithBaseLR(CosineWarmupDecay(3, 20, num_cycles=3, hard_restarts=True), 0.1), {}),
    (WithBaseLR(CosineWarmupDecay(3, 20, min_lr_rate=0.1), 0.1), {}),
    (WithBaseLR(CosineWarmupDecayOneBased(3, 20, min_lr_rate=0.1, warmup_lr_rate=0.3), 0.1), {}),
    (WithBaseLR(Shift(CosineWarmupDecay(3, 20, min_lr_rate=0.1), 1), 0.1), {}),
    (WithBaseLR(PolynomialWarmupDecay(3, 20, lr_init=0.1, lr_end=1e-3, power=2.0), 0.1), {}),
    (WithBaseLR(ConstantWarmup(4), 0.1), {"max_steps": 20}),
    (WithBaseLR(ConstantWarmup(0), 0.1), {"max_steps": 20}),
    (WithBaseLR(InverseSqrtWarmupDecay(4, timescale=9), 0.1), {"max_steps": 20}),
    (WithBaseLR(WarmupStableDecay(2, 5, 6, "cosine", "1-sqrt", 0.1, 0.5), 0.1), {}),
    (WithBaseLR(WarmupStableDecay(2, 5, 6), 0.1), {"max_steps": 30}),
    (CosineWarmupDecay(5, 50), {"base_lr": 0.02}),
    (Warmup(Cosine(90), 10), {"base_lr": 0.1}),
    (Cosine(100, eta_min=1e-3), {"base_lr": 0.1}),
    (Linear(1.0, 0.0, 40), {"base_lr": 0.1}),
    (Polynomial(40, power=3.0, end_lr=1e-4), {"base_lr": 0.1}),
    (Constant(), {"base_lr": 0.1, "max_steps": 12}),
    (Constant(factor=0.3), {"base_lr": 0.1, "max_steps": 12}),
    (Noam(64, 10), {"base_lr": 1.0, "max_steps": 100}),
    (CosineRestarts(10, cycle_limit=3), {"base_lr": 0.1}),
]


@pytest.mark.parametrize(("source", "context"), ROUND_TRIPS, ids=[repr(s)[:60] for s, _ in ROUND_TRIPS])
def test_export_round_trips(source: Any, context: dict[str, Any]) -> None:
    config = export(source, "hf", **context)
    assert set(config) <= {"lr_scheduler_type", "learning_rate", "warmup_steps", "max_steps", "lr_scheduler_kwargs"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", hf.HfWarning)
        back = schedule("hf", config)
        again = schedule("hf", yaml.safe_load(hf.dumps(config)))  # through the YAML text, read as PyYAML reads it
    n = config["max_steps"]
    want = source.values(range(n), context.get("base_lr"))
    assert np.max(np.abs(back.values(range(n)) - want)) <= 1e-12 * np.max(want)
    assert again == back


def test_export_of_hf_shapes_is_exact() -> None:
    s = quiet({"lr_scheduler_type": "cosine", "warmup_steps": 7, "max_steps": 100, "learning_rate": 2e-5})
    assert quiet(export(s, "hf")) == s


@pytest.mark.parametrize(
    ("source", "context", "match"),
    [
        (Step(10, 0.5), {"base_lr": 0.1}, "cannot express Step"),
        (Warmup(Exponential(0.99), 5), {"base_lr": 0.1}, r"cannot express Exponential \(after a 5-step warmup\)"),
        (Warmup(Cosine(90), 10, start_factor=0.1), {"base_lr": 0.1}, "cannot express Warmup"),
        (Cosine(100), {}, "give base_lr"),
        (OneCycle(0.1, 100), {}, "absolute"),
        (Constant(), {"base_lr": 0.1}, "give max_steps"),
        (Cosine(100), {"base_lr": 0.1, "max_steps": 50}, "contradicts"),
        (Cosine(10.5), {"base_lr": 0.1}, "whole updates"),
        (WithBaseLR(PolynomialWarmupDecay(0, 10, lr_init=0.2), 0.1), {}, "lr_init must equal"),
        (WithBaseLR(Cosine(100), 0.1), {"base_lr": 0.2}, "contradicts"),
        (CosineRestarts(7), {"base_lr": 0.1, "max_steps": 20}, "whole number of cycles"),
        (Plateau(semantics="paddle", start_lr=0.1), {}, "paddle"),
        (Plateau(), {}, "give base_lr"),
        (Polynomial(10, cycle=True), {"base_lr": 0.1}, "cannot express Polynomial"),
        (Constant(factor=0.5, total_steps=10), {"base_lr": 0.1, "max_steps": 20}, "cannot express Constant"),
        (Warmup(Constant(factor=0.5), 3), {"base_lr": 0.1, "max_steps": 20}, "warmup to a constant below"),
    ],
)
def test_export_errors_name_what_hf_cannot_express(source: Any, context: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        export(source, "hf", **context)


def test_export_greedy() -> None:
    g = Greedy(factor=0.5, patience=3, smooth=True, start_lr=0.02)
    config = export(g, "hf", eval_strategy="steps")
    assert config == {"lr_scheduler_type": "greedy", "learning_rate": 0.02, "eval_strategy": "steps",
                      "lr_scheduler_kwargs": {"mode": "min", "factor": 0.5, "patience": 3, "smooth": True}}  # fmt: skip
    assert quiet(config) == g


def test_export_plateau() -> None:
    config = export(Plateau(factor=0.5, patience=3), "hf", base_lr=0.01)
    assert config == {"lr_scheduler_type": "reduce_lr_on_plateau", "learning_rate": 0.01, "eval_strategy": "epoch",
                      "lr_scheduler_kwargs": {"mode": "min", "factor": 0.5, "patience": 3}}  # fmt: skip
    assert quiet(config) == Plateau(factor=0.5, patience=3, start_lr=0.01)


def test_dumps_writes_floats_pyyaml_reads_back() -> None:
    text = hf.dumps({"lr_scheduler_type": "cosine", "learning_rate": 1e-5, "warmup_steps": 3, "max_steps": 10,
                     "lr_scheduler_kwargs": {"min_lr_rate": 1e-7, "num_cycles": 2.0}})  # fmt: skip
    assert "learning_rate: 1.0e-05" in text and text.startswith("#")
    back = yaml.safe_load(text)
    assert back["learning_rate"] == 1e-5 and back["lr_scheduler_kwargs"]["min_lr_rate"] == 1e-7
    assert list(back)[:4] == ["lr_scheduler_type", "learning_rate", "warmup_steps", "max_steps"]


# -- the core schedules made for HF's lambdas ------------------------------------------------------------------------

CORE = [
    InverseSqrtWarmupDecay(7),
    InverseSqrtWarmupDecay(0),
    InverseSqrtWarmupDecay(5, timescale=12.5),
    WarmupStableDecay(5, 10, 20),
    WarmupStableDecay(5, 0, 20, "cosine", "1-sqrt", 0.1, 1.5),
    WarmupStableDecay(0, 3, 0, "1-sqrt", "linear", 0.3),
    CosineWarmupDecayOneBased(5, 40),
    CosineWarmupDecayOneBased(1, 40, 1.0, 0.2, 0.5),
    CosineWarmupDecayOneBased(0, 40),
]


@pytest.mark.parametrize("s", CORE, ids=repr)
def test_core_scalar_and_array_agree_and_configs_round_trip(s: Any) -> None:
    steps = [*range(90), 10**6, 2**40]
    assert [s.value(t, 0.3) for t in steps] == s.values(steps, 0.3).tolist()
    assert lrparity.from_config(s.to_config()) == s
    shuffled = np.array(steps[::-1])
    assert s.values(shuffled, 0.3).tolist() == [s.value(int(t), 0.3) for t in shuffled]


def test_core_validation() -> None:
    with pytest.raises(ValueError, match="warmup_steps"):
        InverseSqrtWarmupDecay(-1)
    with pytest.raises(ValueError, match="timescale"):
        InverseSqrtWarmupDecay(3, timescale=0.0)
    with pytest.raises(ValueError, match="decay_shape"):
        WarmupStableDecay(1, 1, 1, decay_shape="exp")
    with pytest.raises(ValueError, match="min_lr_ratio"):
        WarmupStableDecay(1, 1, 1, min_lr_ratio=-0.1)
    with pytest.raises(ValueError, match="warmup_lr_rate"):
        CosineWarmupDecayOneBased(2, 10, warmup_lr_rate=1.5)
    with pytest.raises(ValueError, match="total_steps"):
        CosineWarmupDecayOneBased(2, 0)
