"""``kind="hf"`` against the real transformers (5.24.0): every ``lr_scheduler_type``, every warmup form, epochs with
gradient accumulation, real recipes, ``Trainer.train()`` itself, and export round trips, compared at every update.

The reference is :func:`lrparity.recipes.hf.reference`: a real ``Trainer`` built from the recipe's
``TrainingArguments`` counts the run (``set_initial_training_values``, ``get_warmup_steps``), creates its optimizer and
``get_scheduler(...)``, and the scheduler is stepped after each optimizer update. One test runs ``Trainer.train()``
on a tiny model and records the lr of every optimizer step, so the stepping itself is HF's too. The HF-shaped
schedules claim bit-identity: values are compared with ``np.array_equal``.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

transformers = pytest.importorskip("transformers")
torch = pytest.importorskip("torch")

from lrparity.core import (  # noqa: E402
    Constant,
    Cosine,
    CosineRestarts,
    Linear,
    Noam,
    Plateau,
    Polynomial,
    Sequence,
    Warmup,
    WithBaseLR,
)
from lrparity.recipes import export as recipes_export  # noqa: E402
from lrparity.recipes import hf  # noqa: E402
from lrparity.recipes import schedule as recipes_schedule  # noqa: E402

DATA = Path(__file__).resolve().parent / "recipes_data" / "hf"
RECIPES = sorted(DATA.glob("*.yaml"))
HYDRA_RECIPES = sorted(DATA.glob("*.hydra.yml"))  # Hydra TrainingArguments blocks: OmegaConf reads 1e-4 as a number


def _schedule(config: Any, steps_per_epoch: int | None = None) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", hf.HfWarning)
        return recipes_schedule("hf", config, steps_per_epoch=steps_per_epoch)


def _resolve(config: Any, steps_per_epoch: int | None = None) -> hf.TrainerRun:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", hf.HfWarning)
        return hf.resolve(config, steps_per_epoch=steps_per_epoch)


def _same(config: Any, steps_per_epoch: int | None = None, extra: int = 0) -> np.ndarray:
    """lrparity's values equal the real Trainer's at every update of the run (and ``extra`` updates past it)."""
    s = _schedule(config, steps_per_epoch)
    run = _resolve(config, steps_per_epoch)
    steps = run.num_training_steps + extra
    ref = hf.reference(config, steps_per_epoch=steps_per_epoch, steps=steps)
    ours = s.values(range(steps))
    assert ref.shape == (steps,)
    if not np.array_equal(ours, ref):
        i = int(np.flatnonzero(ours != ref)[0])
        pytest.fail(f"update {i}: lrparity {ours[i]!r}, transformers {ref[i]!r} ({config})")
    return ref


# -- the names and arguments are transformers' -----------------------------------------------------------------------


def test_every_scheduler_type_of_transformers() -> None:
    assert transformers.__version__ == "5.24.0"
    assert hf.SCHEDULER_TYPES == tuple(t.value for t in transformers.SchedulerType)


def test_scheduler_kwargs_are_the_scheduler_functions_parameters() -> None:
    from torch.optim.lr_scheduler import ReduceLROnPlateau
    from transformers.optimization import TYPE_TO_SCHEDULER_FUNCTION, GreedyLR

    trainer_args = {"optimizer", "num_warmup_steps", "num_training_steps", "last_epoch"}
    for name in hf.SCHEDULER_TYPES:
        fn = TYPE_TO_SCHEDULER_FUNCTION[transformers.SchedulerType(name)]
        if name == "reduce_lr_on_plateau":
            fn = ReduceLROnPlateau
        elif name == "greedy":
            fn = GreedyLR
        params = {
            p.name: p.default
            for p in inspect.signature(fn).parameters.values()
            if p.name not in trainer_args | {"self"} and p.kind is not p.VAR_KEYWORD
        }
        ours = dict(hf.SCHEDULER_KWARGS[name])
        ours = {k: (inspect.Parameter.empty if v is hf._REQUIRED else v) for k, v in ours.items()}
        assert ours == params, name
        if name in hf._LAMBDA_SCHEDULERS:
            assert "last_epoch" in inspect.signature(fn).parameters


def test_training_arguments_fields_are_known() -> None:
    fields = {f.name for f in dataclasses.fields(transformers.TrainingArguments)}
    assert fields <= hf.TRAINING_ARGUMENTS_FIELDS
    assert set(hf.DEFAULTS) <= fields
    args = transformers.TrainingArguments(output_dir=tempfile.gettempdir(), report_to="none")
    for key, value in hf.DEFAULTS.items():
        got = getattr(args, key)
        assert (got.value if hasattr(got, "value") else got) == value, key


def test_a_live_training_arguments_object() -> None:
    args = transformers.TrainingArguments(
        output_dir=tempfile.gettempdir(), report_to="none", lr_scheduler_type="cosine_with_min_lr", learning_rate=3e-4,
        lr_scheduler_kwargs={"min_lr": 1e-5}, warmup_steps=0.05, num_train_epochs=2, gradient_accumulation_steps=4,
    )  # fmt: skip
    s = _schedule(args, steps_per_epoch=101)
    assert s == _schedule(
        {"lr_scheduler_type": "cosine_with_min_lr", "learning_rate": 3e-4, "lr_scheduler_kwargs": {"min_lr": 1e-5},
         "warmup_steps": 0.05, "num_train_epochs": 2, "gradient_accumulation_steps": 4}, steps_per_epoch=101,
    )  # fmt: skip
    _same(args.to_dict(), steps_per_epoch=101)


# -- every name, every argument, every warmup form --------------------------------------------------------------------

CASES: list[tuple[str, dict[str, Any]]] = [
    ("linear", {"warmup_steps": 10, "max_steps": 120}),
    ("linear-no-warmup", {"max_steps": 77}),
    ("cosine", {"lr_scheduler_type": "cosine", "warmup_steps": 7, "max_steps": 100}),
    ("cosine-1.5-cycles", {"lr_scheduler_type": "cosine", "warmup_steps": 5, "max_steps": 90,
                           "lr_scheduler_kwargs": {"num_cycles": 1.5}}),
    ("cosine-json-kwargs", {"lr_scheduler_type": "cosine", "max_steps": 60,
                            "lr_scheduler_kwargs": '{"num_cycles": "1"}'}),
    ("cosine_with_restarts", {"lr_scheduler_type": "cosine_with_restarts", "warmup_steps": 4, "max_steps": 100}),
    ("cosine_with_restarts-3", {"lr_scheduler_type": "cosine_with_restarts", "warmup_steps": 0.05, "max_steps": 97,
                                "lr_scheduler_kwargs": {"num_cycles": 3}}),
    ("polynomial", {"lr_scheduler_type": "polynomial", "learning_rate": 1e-3, "warmup_steps": 8, "max_steps": 80}),
    ("polynomial-power2", {"lr_scheduler_type": "polynomial", "learning_rate": 3e-4, "max_steps": 64,
                           "lr_scheduler_kwargs": {"lr_end": 1e-5, "power": 2.0}}),
    ("polynomial-power0.5", {"lr_scheduler_type": "polynomial", "learning_rate": 0.1, "warmup_steps": 3,
                             "max_steps": 50, "lr_scheduler_kwargs": {"lr_end": 0.0, "power": 0.5}}),
    ("constant", {"lr_scheduler_type": "constant", "learning_rate": 3e-4, "max_steps": 20}),
    ("constant_with_warmup", {"lr_scheduler_type": "constant_with_warmup", "warmup_steps": 13, "max_steps": 40}),
    ("inverse_sqrt", {"lr_scheduler_type": "inverse_sqrt", "warmup_steps": 16, "max_steps": 200}),
    ("inverse_sqrt-timescale", {"lr_scheduler_type": "inverse_sqrt", "warmup_steps": 10, "max_steps": 150,
                                "lr_scheduler_kwargs": {"timescale": 37}}),
    ("inverse_sqrt-no-warmup", {"lr_scheduler_type": "inverse_sqrt", "max_steps": 50}),
    ("inverse_sqrt-float-timescale", {"lr_scheduler_type": "inverse_sqrt", "warmup_steps": 4, "max_steps": 60,
                                      "lr_scheduler_kwargs": {"timescale": 12.5}}),
    ("cosine_with_min_lr-rate", {"lr_scheduler_type": "cosine_with_min_lr", "warmup_steps": 6, "max_steps": 90,
                                 "lr_scheduler_kwargs": {"min_lr_rate": 0.1}}),
    ("cosine_with_min_lr-abs", {"lr_scheduler_type": "cosine_with_min_lr", "learning_rate": 3e-4, "warmup_steps": 6,
                                "max_steps": 90, "lr_scheduler_kwargs": {"min_lr": 1e-5, "num_cycles": 0.75}}),
    ("cosine_warmup_with_min_lr", {"lr_scheduler_type": "cosine_warmup_with_min_lr", "warmup_steps": 9,
                                   "max_steps": 70, "lr_scheduler_kwargs": {"min_lr_rate": 0.05}}),
    ("cosine_warmup_with_min_lr-rate", {"lr_scheduler_type": "cosine_warmup_with_min_lr", "warmup_steps": 9,
                                        "max_steps": 70,
                                        "lr_scheduler_kwargs": {"min_lr": 1e-6, "warmup_lr_rate": 0.1}}),
    ("cosine_warmup_with_min_lr-w1", {"lr_scheduler_type": "cosine_warmup_with_min_lr", "warmup_steps": 1,
                                      "max_steps": 30, "lr_scheduler_kwargs": {"min_lr_rate": 0.2,
                                                                               "warmup_lr_rate": 0.3}}),
    ("cosine_warmup_with_min_lr-w0", {"lr_scheduler_type": "cosine_warmup_with_min_lr", "max_steps": 30,
                                      "lr_scheduler_kwargs": {"min_lr_rate": 0.0, "num_cycles": 1.0}}),
    ("wsd", {"lr_scheduler_type": "warmup_stable_decay", "warmup_steps": 10, "max_steps": 100,
             "lr_scheduler_kwargs": {"num_decay_steps": 30}}),
    ("wsd-cosine-warmup-linear-decay", {"lr_scheduler_type": "warmup_stable_decay", "warmup_steps": 12,
                                        "max_steps": 100, "lr_scheduler_kwargs": {
                                            "num_decay_steps": 40, "warmup_type": "cosine", "decay_type": "linear",
                                            "min_lr_ratio": 0.1}}),
    ("wsd-1-sqrt", {"lr_scheduler_type": "warmup_stable_decay", "warmup_steps": 0.1, "max_steps": 100,
                    "lr_scheduler_kwargs": {"num_decay_steps": 20, "warmup_type": "1-sqrt", "decay_type": "1-sqrt",
                                            "min_lr_ratio": 0.05, "num_cycles": 0.5}}),
    ("wsd-stable-given-short", {"lr_scheduler_type": "warmup_stable_decay", "warmup_steps": 5, "max_steps": 100,
                                "lr_scheduler_kwargs": {"num_decay_steps": 20, "num_stable_steps": 30,
                                                        "min_lr_ratio": 0.2}}),
    ("wsd-stable-given-long", {"lr_scheduler_type": "warmup_stable_decay", "warmup_steps": 5, "max_steps": 60,
                               "lr_scheduler_kwargs": {"num_decay_steps": 40, "num_stable_steps": 30,
                                                       "num_cycles": 1.0}}),
    ("wsd-no-decay", {"lr_scheduler_type": "warmup_stable_decay", "warmup_steps": 5, "max_steps": 30,
                      "lr_scheduler_kwargs": {"num_decay_steps": 0, "min_lr_ratio": 0.5}}),
    # warmup forms: 5.x float ratio (ceil), 4.x warmup_ratio (ceil), truncated float steps, both given
    ("warmup-float-ratio", {"lr_scheduler_type": "cosine", "warmup_steps": 0.03, "max_steps": 1001}),
    ("warmup_ratio-4x", {"lr_scheduler_type": "cosine", "warmup_ratio": 0.1, "max_steps": 333}),
    ("warmup_ratio-4x-overridden", {"lr_scheduler_type": "linear", "warmup_ratio": 0.5, "warmup_steps": 7,
                                    "max_steps": 50}),
    ("warmup-float-truncated", {"lr_scheduler_type": "linear", "warmup_steps": 7.9, "max_steps": 50}),
    # epochs: updates per epoch rounded up, max_steps = ceil(epochs * updates)
    ("epochs", {"lr_scheduler_type": "cosine", "warmup_ratio": 0.1, "num_train_epochs": 2}),
    ("epochs-fraction", {"lr_scheduler_type": "linear", "warmup_steps": 0.2, "num_train_epochs": 2.5,
                         "gradient_accumulation_steps": 8}),
    ("epochs-0.1", {"lr_scheduler_type": "cosine", "num_train_epochs": 0.1, "gradient_accumulation_steps": 13}),
    ("epochs-ga-larger-than-epoch", {"lr_scheduler_type": "cosine", "num_train_epochs": 3,
                                     "gradient_accumulation_steps": 1000}),
    ("strings-from-pyyaml", {"lr_scheduler_type": "cosine", "learning_rate": "1e-5", "max_steps": 40,
                             "warmup_steps": 3}),
]  # fmt: skip


@pytest.mark.parametrize("case", [c for _, c in CASES], ids=[n for n, _ in CASES])
def test_every_name_and_argument(case: dict[str, Any]) -> None:
    config = {"learning_rate": 2e-5, "gradient_accumulation_steps": 8, **case}
    _same(config, steps_per_epoch=403, extra=25)


def test_403_batches_with_accumulation_8_are_51_updates_per_epoch() -> None:
    config = {"lr_scheduler_type": "cosine", "learning_rate": 2e-5, "num_train_epochs": 3,
              "gradient_accumulation_steps": 8, "warmup_ratio": 0.1}  # fmt: skip
    ref = _same(config, steps_per_epoch=403)
    assert ref.size == 3 * 51 and _resolve(config, 403).num_warmup_steps == math.ceil(153 * 0.1)


def test_cosine_is_not_clamped_past_the_run() -> None:
    ref = _same({"lr_scheduler_type": "cosine", "max_steps": 50, "learning_rate": 0.1}, extra=50)
    assert ref[50] == 0.0 and ref[75] == pytest.approx(0.05) and ref[99] > ref[75]


# -- the metric-driven scheduler -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"mode": "max", "factor": 0.5, "patience": 2, "threshold": 0.01, "cooldown": 1, "min_lr": 1e-5},
        {"threshold_mode": "abs", "threshold": 0.05, "patience": 0, "eps": 1e-3, "factor": 0.3},
    ],
)
def test_reduce_lr_on_plateau(kwargs: dict[str, Any]) -> None:
    config = {"lr_scheduler_type": "reduce_lr_on_plateau", "learning_rate": 0.01, "max_steps": 100,
              "eval_strategy": "steps", "lr_scheduler_kwargs": kwargs}  # fmt: skip
    plateau = _schedule(config)
    assert isinstance(plateau, Plateau) and plateau.start_lr == 0.01
    rng = np.random.default_rng(3)
    metrics = np.concatenate([np.linspace(1, 0.5, 10), 0.5 + rng.normal(0, 0.01, 60), np.linspace(0.5, 0.1, 10)])
    ref = hf.reference(config, metrics=metrics.tolist())
    state = plateau.initial_state([plateau.start_lr])
    ours = [state.lrs[0]]
    for m in metrics.tolist():
        state = plateau.update(state, m)
        ours.append(state.lrs[0])
    assert np.array_equal(np.array(ours), ref)
    assert len(set(ref.tolist())) > 1  # the metrics did reduce the lr


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"factor": 0.5, "patience": 2, "cooldown": 1, "warmup": 2, "min_lr": 1e-4, "max_lr": 0.05, "reset_start": 3},
        {"mode": "max", "threshold_mode": "rel", "threshold": 0.01, "smooth": True, "window_size": 4, "patience": 1,
         "min_lr": 1e-3},
    ],
)  # fmt: skip
def test_greedy(kwargs: dict[str, Any]) -> None:
    config = {"lr_scheduler_type": "greedy", "learning_rate": 0.01, "eval_strategy": "epoch",
              "lr_scheduler_kwargs": kwargs}  # fmt: skip
    greedy = _schedule(config)
    rng = np.random.default_rng(11)
    metrics = np.concatenate([np.linspace(1, 0.2, 30), 0.2 + rng.normal(0, 0.01, 60), np.linspace(0.2, 0.01, 20)])
    ref = hf.reference(config, metrics=metrics.tolist())
    state = greedy.initial_state([0.01])
    ours = [state.lrs[0]]
    for m in metrics.tolist():
        state = greedy.update(state, m)
        ours.append(state.lrs[0])
    assert np.array_equal(np.array(ours), ref)
    assert len(set(ref.tolist())) > 2


def test_greedy_state_machine_against_greedylr() -> None:
    """Random parameters and metric walks, two param groups: every lr and counter after every step."""
    from transformers.optimization import GreedyLR

    from lrparity.core import Greedy

    rng = np.random.default_rng(2026)
    for _ in range(60):
        kw = {
            "mode": str(rng.choice(["min", "max"])), "factor": float(rng.uniform(0.3, 0.99)),
            "patience": int(rng.integers(0, 4)), "threshold": float(rng.choice([0.0, 1e-3, 0.05])),
            "threshold_mode": str(rng.choice(["rel", "abs"])), "cooldown": int(rng.integers(0, 3)),
            "warmup": int(rng.integers(0, 3)), "min_lr": float(rng.choice([1e-4, 1e-3, 0.05])),
            "max_lr": float(rng.choice([0.2, 1.0])), "eps": float(rng.choice([1e-8, 1e-3])),
            "smooth": bool(rng.integers(0, 2)), "window_size": int(rng.integers(1, 6)),
            "reset_start": int(rng.integers(0, 5)),
        }  # fmt: skip
        p, q = torch.nn.Parameter(torch.zeros(1)), torch.nn.Parameter(torch.zeros(1))
        optimizer = torch.optim.SGD([{"params": [p]}, {"params": [q], "lr": 0.05}], lr=0.1)
        native, greedy = GreedyLR(optimizer, **kw), Greedy(**kw)
        state = greedy.initial_state([0.1, 0.05])
        for metric in (np.cumsum(rng.normal(0, 1, 150)) * float(rng.choice([0.01, 1.0]))).tolist():
            native.step(metric)
            state = greedy.update(state, metric)
            assert tuple(g["lr"] for g in optimizer.param_groups) == state.lrs, kw
            assert (native.best, native.num_bad_epochs, native.num_good_epochs, native.cooldown_counter,
                    native.warmup_counter, native.reset_start) == (
                state.best, state.num_bad_epochs, state.num_good_epochs, state.cooldown_counter,
                state.warmup_counter, state.reset_start), kw  # fmt: skip


# -- real recipes ----------------------------------------------------------------------------------------------------


def test_recipe_files_are_there() -> None:
    assert len(RECIPES) >= 10


@pytest.mark.parametrize("path", RECIPES, ids=[p.stem for p in RECIPES])
def test_real_recipe(path: Path) -> None:
    # scaled down: 403 batches per epoch (per process), the recipes' own accumulation and epochs
    ref = _same(path, steps_per_epoch=403)
    assert ref.size == _resolve(path, 403).num_training_steps


@pytest.mark.parametrize("path", HYDRA_RECIPES, ids=[p.stem for p in HYDRA_RECIPES])
def test_real_hydra_recipe(path: Path) -> None:
    """A Hydra recipe's TrainingArguments block, read as Hydra reads it (YAML 1.2 floats: ``1e-6`` is a number)."""
    from lrparity.core.config_files import read_config_file

    config = read_config_file(path, yaml_floats="1.2")
    ref = _same(config, steps_per_epoch=403)
    assert ref.size == _resolve(config, 403).num_training_steps


def test_real_recipes_cover_these_names() -> None:
    names = {_resolve(p, 403).lr_scheduler_type for p in RECIPES}
    from lrparity.core.config_files import read_config_file

    names |= {_resolve(read_config_file(p, yaml_floats="1.2"), 403).lr_scheduler_type for p in HYDRA_RECIPES}
    assert names == {"linear", "cosine", "cosine_with_min_lr", "cosine_warmup_with_min_lr", "inverse_sqrt",
                     "constant_with_warmup"}  # fmt: skip


def test_zephyr_and_olympiccoder_values() -> None:
    zephyr = _resolve(DATA / "zephyr-7b-beta_sft_full.yaml", 403)
    assert (zephyr.lr_scheduler_type, zephyr.learning_rate, zephyr.num_warmup_steps, zephyr.num_training_steps) == (
        "cosine", 2e-5, 41, 403)  # fmt: skip
    coder = _resolve(DATA / "olympiccoder-7b_sft_v00.00.yaml", 403)
    assert (coder.num_training_steps, coder.num_warmup_steps, dict(coder.scheduler_kwargs)) == (
        510, 16, {"min_lr_rate": 0.1})  # fmt: skip


# -- Trainer.train() itself ------------------------------------------------------------------------------------------


class _Tiny(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.w = torch.nn.Linear(1, 1)

    def forward(self, x: Any, labels: Any = None) -> dict[str, Any]:
        out = self.w(x)
        return {"loss": ((out - labels) ** 2).mean(), "logits": out}


class _Data(torch.utils.data.Dataset):
    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> dict[str, Any]:
        return {"x": torch.tensor([float(i % 7)]), "labels": torch.tensor([1.0])}


class _LrOfEachUpdate(transformers.TrainerCallback):
    def __init__(self) -> None:
        self.lrs: list[float] = []

    def on_optimizer_step(self, args: Any, state: Any, control: Any, optimizer: Any = None, **kw: Any) -> None:
        self.lrs.append(optimizer.param_groups[0]["lr"])


@pytest.mark.parametrize(
    "fields",
    [
        {"lr_scheduler_type": "cosine", "warmup_steps": 0.1, "num_train_epochs": 2, "gradient_accumulation_steps": 8},
        {"lr_scheduler_type": "linear", "warmup_steps": 2, "num_train_epochs": 1.5, "gradient_accumulation_steps": 4},
        {"lr_scheduler_type": "warmup_stable_decay", "warmup_steps": 2, "max_steps": 15,
         "gradient_accumulation_steps": 3, "lr_scheduler_kwargs": {"num_decay_steps": 5, "min_lr_ratio": 0.1}},
    ],
)  # fmt: skip
def test_trainer_train_uses_these_lrs(fields: dict[str, Any]) -> None:
    """43 batches per epoch: with accumulation 8 the Trainer makes 6 updates per epoch (5 full, 1 of 3 batches)."""
    record = _LrOfEachUpdate()
    with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        args = transformers.TrainingArguments(
            output_dir=folder, report_to="none", use_cpu=True, learning_rate=0.1, per_device_train_batch_size=1,
            save_strategy="no", logging_strategy="no", disable_tqdm=True, **fields,
        )  # fmt: skip
        trainer = transformers.Trainer(model=_Tiny(), args=args, train_dataset=_Data(43), callbacks=[record])
        assert len(trainer.get_train_dataloader()) == 43
        trainer.train()
    ours = _schedule({"learning_rate": 0.1, **fields}, steps_per_epoch=43)
    assert len(record.lrs) == _resolve({"learning_rate": 0.1, **fields}, 43).num_training_steps
    assert ours.values(range(len(record.lrs))).tolist() == record.lrs


# -- export: round trips through the real library --------------------------------------------------------------------

EXPORTS: list[tuple[str, Any, dict[str, Any]]] = [
    ("hf-" + name, None, {"learning_rate": 3e-4, "gradient_accumulation_steps": 8, **case}) for name, case in CASES
    if "lr_scheduler_type" not in case or case["lr_scheduler_type"] != "reduce_lr_on_plateau"
]  # fmt: skip
CORE_EXPORTS: list[tuple[str, Any, dict[str, Any]]] = [
    ("cosine", Cosine(90), {"base_lr": 0.1}),
    ("cosine-eta_min", WithBaseLR(Cosine(120, eta_min=1e-3), 0.05), {}),
    ("warmup-cosine", Warmup(Cosine(950), 50), {"base_lr": 2e-5}),
    ("sequence-linear-warmup-cosine", Sequence((Linear(0.0, 1.0, 10), Cosine(90)), (10,)), {"base_lr": 0.01}),
    ("linear", Warmup(Linear(1.0, 0.0, 200), 20), {"base_lr": 1e-3}),
    ("polynomial", Polynomial(100, power=2.0, end_lr=1e-5), {"base_lr": 1e-3}),
    ("constant", Constant(), {"base_lr": 1e-3, "max_steps": 30}),
    ("warmup-constant", Warmup(Constant(), 10), {"base_lr": 1e-3, "max_steps": 30}),
    ("noam", Noam(512, 400), {"base_lr": 2.0, "max_steps": 2000}),
    ("cosine-restarts", CosineRestarts(25, cycle_limit=4), {"base_lr": 0.1}),
]


@pytest.mark.parametrize(("source", "config"), [(s, c) for _, s, c in EXPORTS], ids=[n for n, _, _ in EXPORTS])
def test_export_of_hf_schedules_round_trips(source: Any, config: dict[str, Any]) -> None:
    s = _schedule(config, steps_per_epoch=403)
    n = _resolve(config, 403).num_training_steps
    exported = recipes_export(s, "hf", max_steps=n)
    again = _schedule(exported)
    assert _resolve(exported).num_training_steps == n
    assert np.array_equal(again.values(range(n + 10)), s.values(range(n + 10)))
    _same(exported)


@pytest.mark.parametrize(("source", "context"), [(s, c) for _, s, c in CORE_EXPORTS],
                         ids=[n for n, _, _ in CORE_EXPORTS])  # fmt: skip
def test_export_of_core_schedules_round_trips(source: Any, context: dict[str, Any]) -> None:
    exported = recipes_export(source, "hf", **context)
    ref = hf.reference(exported)
    want = source.values(range(ref.size), context.get("base_lr"))
    assert np.max(np.abs(ref - want)) <= 1e-12 * np.max(np.abs(want))


def test_export_greedy_round_trips() -> None:
    from lrparity.core import Greedy

    g = Greedy(mode="max", factor=0.5, patience=1, warmup=1, min_lr=1e-3, max_lr=0.04, smooth=True, window_size=2,
               start_lr=0.01)  # fmt: skip
    exported = recipes_export(g, "hf")
    metrics = [0.1, 0.2, 0.3, 0.4, 0.5, 0.5, 0.5, 0.5, 0.5, 0.6, 0.7, 0.8, 0.8, 0.8]
    ref = hf.reference(exported, metrics=metrics)
    state, ours = g.initial_state([0.01]), [0.01]
    for m in metrics:
        state = g.update(state, m)
        ours.append(state.lrs[0])
    assert _schedule(exported) == g
    assert np.array_equal(np.array(ours), ref) and len(set(ours)) > 2


def test_export_plateau_round_trips() -> None:
    p = Plateau(mode="max", factor=0.5, patience=1, cooldown=2, min_lr=1e-4, start_lr=0.01)
    exported = recipes_export(p, "hf")
    metrics = [0.1, 0.2, 0.2, 0.2, 0.2, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25]
    ref = hf.reference({**exported, "max_steps": 10}, metrics=metrics)
    state, ours = p.initial_state([0.01]), [0.01]
    for m in metrics:
        state = p.update(state, m)
        ours.append(state.lrs[0])
    assert _schedule({**exported, "max_steps": 10}) == p
    assert np.array_equal(np.array(ours), ref)
