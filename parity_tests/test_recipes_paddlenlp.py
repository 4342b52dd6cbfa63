"""PaddleNLP recipes against PaddleNLP's own code, loaded from its 2.8.1 and 3.0.0b4 wheels.

The reference is PaddleNLP's ``transformers/optimization.py`` (every class), ``trainer/trainer_utils.py``
(``get_scheduler`` and its lambdas) and ``Trainer.create_scheduler`` (its source, compiled out of
``trainer/trainer.py``, whose module imports the whole library), run on paddle's real ``LambdaDecay`` /
``LRScheduler`` and stepped once per optimizer update. The Trainer's update count
(``len(train_dataloader) // gradient_accumulation_steps`` per epoch) is restated in
:func:`lrparity.recipes.paddlenlp.reference`; a test below pins it to the wheels' source lines.
``llm/run_pretrain.py`` is not in the wheel: the reference builds its classes as that script does (upstream source,
PaddleNLP develop). Every comparison is bit for bit, at every update.
"""

from __future__ import annotations

import ast
import functools
import json
import types
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

paddle = pytest.importorskip("paddle")
torch = pytest.importorskip("torch")

from lrparity.recipes import paddlenlp as nlp  # noqa: E402
from parity_tests.references import ReferenceUnavailable, suite_module, unpacked  # noqa: E402

pytestmark = pytest.mark.paddle

DATA = Path(__file__).resolve().parent / "recipes_data" / "paddlenlp"
VERSIONS = ("2.8.1", "3.0.0b4")


def _stub(name: str, **attrs: Any) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__dict__.update(attrs)
    return module


@functools.cache
def _modules(version: str) -> tuple[types.ModuleType, types.ModuleType, types.SimpleNamespace]:
    """(optimization, trainer_utils, an object with ``Trainer.create_scheduler``) of PaddleNLP ``version``."""
    log = types.SimpleNamespace(info=lambda *a, **k: None, warning=lambda *a, **k: None)
    helpers = _stub("paddlenlp.trainer.utils")
    helpers.__path__ = []  # type: ignore[attr-defined]
    stubs = {  # modules trainer_utils imports for code that is not its scheduler part
        "paddlenlp.ops": _stub("paddlenlp.ops", Topology=object),
        "paddlenlp.trainer.argparser": _stub("paddlenlp.trainer.argparser", strtobool=bool),
        "paddlenlp.transformers.tokenizer_utils_base": _stub("x", BatchEncoding=dict),
        "paddlenlp.utils.import_utils": _stub("x", is_paddle_cuda_available=bool, is_psutil_available=bool),
        "paddlenlp.utils.log": _stub("paddlenlp.utils.log", logger=log),
        "paddlenlp.utils.fault_tolerance": _stub("x", PDC_DOWNLOAD_ERROR=None),
        "paddlenlp.utils.pdc_sdk": _stub("x", PDCErrorCode=None, PDCErrorMessageMap=None, pdc_tool=None),
        "paddlenlp.trainer.utils": helpers,
        "paddlenlp.trainer.utils.helper": _stub("x", distributed_file=None),
    }
    try:
        optimization = suite_module("paddlenlp", "paddlenlp.transformers.optimization", version=version)
        trainer_utils = suite_module("paddlenlp", "paddlenlp.trainer.trainer_utils", version=version, stubs=stubs)
        source = (unpacked("paddlenlp", version) / "paddlenlp" / "trainer" / "trainer.py").read_text(encoding="utf-8")
    except ReferenceUnavailable as exc:  # pragma: no cover - no registry here
        pytest.skip(str(exc))
    trainer = next(n for n in ast.parse(source).body if isinstance(n, ast.ClassDef) and n.name == "Trainer")
    method = next(n for n in trainer.body if isinstance(n, ast.FunctionDef) and n.name == "create_scheduler")
    namespace: dict[str, Any] = {"get_scheduler": trainer_utils.get_scheduler}
    exec(compile(ast.Module(body=[method], type_ignores=[]), f"paddlenlp-{version}/trainer.py", "exec"), namespace)
    create = types.SimpleNamespace(Trainer=types.SimpleNamespace(create_scheduler=namespace["create_scheduler"]))
    return optimization, trainer_utils, create


@pytest.fixture(scope="module", params=VERSIONS)
def modules(request: pytest.FixtureRequest) -> list[Any]:
    return list(_modules(request.param))


def _schedule(config: Any, steps_per_epoch: int | None = None) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", nlp.PaddlenlpWarning)
        return nlp.schedule(config, steps_per_epoch=steps_per_epoch)


def _same(config: Any, modules: list[Any], steps_per_epoch: int | None = None) -> np.ndarray:
    ref = nlp.reference(config, steps_per_epoch=steps_per_epoch, lr_module=modules)
    ours = _schedule(config, steps_per_epoch).values(range(ref.size))
    assert np.array_equal(ours, ref), config
    return ref


def _load(name: str) -> dict[str, Any]:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------------- real configs
@pytest.mark.parametrize("name", ["llama_pretrain_argument.json", "gpt3_pretrain_argument.json"])
@pytest.mark.parametrize("kind", [None, "cosine", "polynomial"])
def test_real_pretraining_arguments(modules: list[Any], name: str, kind: str | None) -> None:
    config = {"recipe": "pretrain", **_load(name)}
    if kind is not None:
        config["lr_scheduler_type"] = kind  # the script's other branches, on the same real arguments
    ref = _same(config, modules)
    assert ref.size == 10_000
    if kind is None:  # linear annealing from step 1 (last_epoch=0): 3e-5 / 30 first, the peak at update 29
        assert ref[0] == 3e-05 * 1 / 30 and ref[29] == 3e-05 and ref[-1] == 3e-06


@pytest.mark.parametrize(
    ("name", "steps_per_epoch", "updates"),
    [
        ("llama_sft_argument.json", 403, 3 * 201),  # ga 2: 403 // 2 = 201 updates per epoch (HF: 202)
        ("llama_sft_argument.json", 1, 3),  # fewer batches than ga: one update per epoch
        ("llama_lora_argument.json", 257, 3 * 257),
        ("llama_dpo_argument.json", 37, 100),  # max_steps wins over num_train_epochs
        ("ernie_layout_funsd_argument.json", 403, 10_000),  # constant, max_steps
    ],
)
def test_real_trainer_arguments(modules: list[Any], name: str, steps_per_epoch: int, updates: int) -> None:
    ref = _same(_load(name), modules, steps_per_epoch)
    assert ref.size == updates


@pytest.mark.parametrize("name", ["mpnet_glue_qqp_linear_decay.json"])
def test_real_optimization_class_arguments(modules: list[Any], name: str) -> None:
    config = _load(name)
    n = config["total_steps"] + 10  # the run, and past its end
    ref = nlp.reference(config, steps=n, lr_module=modules)
    assert np.array_equal(_schedule(config).values(range(n)), ref)


def test_real_configs_cover_these_types() -> None:
    """The types the stored real files build. No config or script command found in PaddleNLP builds the Trainer's
    ``cosine``, ``constant_with_warmup`` or ``polynomial``, nor ``ConstScheduleWithWarmup``, ``CosineDecayWithWarmup``,
    ``PolyDecayWithWarmup`` or ``CosineAnnealingWithWarmupDecay`` (see the data folder's README): the cases below
    cover them."""
    built = set()
    for path in sorted(DATA.glob("*.json")):
        config = _load(path.name)
        if "name" in config:
            built.add(config["name"])
        elif "pretrain" in path.stem:  # llm/run_pretrain.py: linear -> LinearAnnealingWithWarmupDecay
            assert config.get("lr_scheduler_type", "linear") == "linear"
            built.add("LinearAnnealingWithWarmupDecay")
        else:
            built.add(config.get("lr_scheduler_type", "linear"))
    assert built == {"linear", "constant", "LinearDecayWithWarmup", "LinearAnnealingWithWarmupDecay"}


def test_pretraining_file_read_as_trainer_arguments_warns(modules: list[Any]) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        nlp.schedule(DATA / "llama_pretrain_argument.json")
    assert any("'recipe': 'pretrain'" in str(w.message) for w in caught)


# ---------------------------------------------------------------------------------------------------- Trainer
TRAINER_CASES: list[dict[str, Any]] = [
    {"lr_scheduler_type": "linear", "learning_rate": 2e-5, "warmup_ratio": 0.1, "num_train_epochs": 3},
    {"lr_scheduler_type": "linear", "learning_rate": 2e-5, "warmup_ratio": 0.1, "num_train_epochs": 2.5,
     "gradient_accumulation_steps": 8},
    {"lr_scheduler_type": "cosine", "learning_rate": 2e-5, "warmup_ratio": 0.03, "num_train_epochs": 3},
    {"lr_scheduler_type": "cosine", "learning_rate": 1e-4, "warmup_steps": 50, "max_steps": 900, "num_cycles": 1.5},
    {"lr_scheduler_type": "cosine", "learning_rate": 1e-4, "warmup_steps": 50, "max_steps": 900, "decay_steps": 600},
    {"lr_scheduler_type": "constant", "learning_rate": 1e-4, "max_steps": 500},
    {"lr_scheduler_type": "constant_with_warmup", "learning_rate": 1e-4, "warmup_ratio": 0.07, "max_steps": 500},
    {"lr_scheduler_type": "polynomial", "learning_rate": 1e-4, "warmup_steps": 40, "max_steps": 500, "power": 2.0,
     "lr_end": 1e-6},
    {"lr_scheduler_type": "polynomial", "learning_rate": 1e-4, "warmup_ratio": 0.1, "max_steps": 500,
     "decay_steps": 300},
    {"learning_rate": "3e-5", "warmup_steps": "10", "max_steps": "300"},  # strings, as argparse reads them
]  # fmt: skip


@pytest.mark.parametrize("case", range(len(TRAINER_CASES)))
def test_trainer_arguments_match_paddlenlp(modules: list[Any], case: int) -> None:
    _same(TRAINER_CASES[case], modules, steps_per_epoch=403)


def test_trainer_cases_cover_every_scheduler_type() -> None:
    assert {c.get("lr_scheduler_type", "linear") for c in TRAINER_CASES} == set(nlp.SCHEDULER_TYPES)


def test_trainer_counting_is_pinned_to_the_wheels_source() -> None:
    """The restated update count and stepping order are those of both wheels' Trainer.train."""
    for version in VERSIONS:
        source = (unpacked("paddlenlp", version) / "paddlenlp" / "trainer" / "trainer.py").read_text(encoding="utf-8")
        for line in (
            "num_update_steps_per_epoch = len(train_dataloader) // args.gradient_accumulation_steps",
            "num_update_steps_per_epoch = max(num_update_steps_per_epoch, 1)",
            "max_steps = int(num_update_steps_per_epoch * args.num_train_epochs)",
            "self.args.warmup_steps if self.args.warmup_steps > 0 else "
            "int(self.args.warmup_ratio * num_training_steps)",
        ):
            assert line in source, (version, line)
        run = source.index("if optimizer_was_run:")
        assert source[run : run + 80].split()[:3] == ["if", "optimizer_was_run:", "self.lr_scheduler.step()"]


# ---------------------------------------------------------------------------------------------------- classes
CLASS_CASES: list[dict[str, Any]] = [
    {"name": "LinearDecayWithWarmup", "learning_rate": 0.1, "total_steps": 1000, "warmup": 100},
    {"name": "LinearDecayWithWarmup", "learning_rate": 5e-5, "total_steps": 999, "warmup": 0.1},
    {"name": "LinearDecayWithWarmup", "learning_rate": 5e-5, "total_steps": 999, "warmup": 0, "last_epoch": 4},
    {"name": "ConstScheduleWithWarmup", "learning_rate": 0.1, "warmup": 100},
    {"name": "ConstScheduleWithWarmup", "learning_rate": 0.1, "warmup": 0.05, "total_steps": 777},
    {"name": "CosineDecayWithWarmup", "learning_rate": 0.1, "total_steps": 1000, "warmup": 100},  # a full wave
    {"name": "CosineDecayWithWarmup", "learning_rate": 0.1, "total_steps": 1000, "warmup": 0.1, "num_cycles": 3},
    {"name": "CosineDecayWithWarmup", "learning_rate": 0.1, "total_steps": 1000, "warmup": 30,
     "with_hard_restarts": True},
    {"name": "CosineDecayWithWarmup", "learning_rate": 0.1, "total_steps": 1000, "warmup": 30,
     "with_hard_restarts": True, "num_cycles": 2.5},
    {"name": "PolyDecayWithWarmup", "learning_rate": 0.1, "total_steps": 1000, "warmup": 100},
    {"name": "PolyDecayWithWarmup", "learning_rate": 0.1, "total_steps": 1000, "warmup": 0.05, "lr_end": 1e-4,
     "power": 0.5},
    {"name": "CosineAnnealingWithWarmupDecay", "max_lr": 3e-4, "min_lr": 3e-5, "warmup_step": 100, "decay_step": 900},
    {"name": "CosineAnnealingWithWarmupDecay", "max_lr": 3e-4, "min_lr": 3e-5, "warmup_step": 12.5,
     "decay_step": 900, "last_epoch": 0},
    {"name": "LinearAnnealingWithWarmupDecay", "max_lr": 3e-4, "min_lr": 3e-5, "warmup_step": 0, "decay_step": 700},
    {"name": "LinearAnnealingWithWarmupDecay", "max_lr": 3e-4, "min_lr": 0.0, "warmup_step": 300, "decay_step": 200},
]  # fmt: skip


@pytest.mark.parametrize("case", range(len(CLASS_CASES)))
def test_optimization_classes_match_paddlenlp(modules: list[Any], case: int) -> None:
    config = CLASS_CASES[case]
    n = 1200
    ref = nlp.reference(config, steps=n, lr_module=modules)  # past the end too
    assert np.array_equal(_schedule(config).values(range(n)), ref), config


def test_class_cases_cover_every_class() -> None:
    assert {c["name"] for c in CLASS_CASES} == set(nlp.OPTIMIZATION_CLASSES)


def test_cosine_decay_with_warmup_defaults_to_a_full_wave(modules: list[Any]) -> None:
    ref = nlp.reference(CLASS_CASES[5], lr_module=modules)
    assert ref[100] == 0.1 and ref[550] == 0.0 and ref[-1] > 0.0999  # back at the peak at total_steps


def test_optimization_and_scheduler_code_identical_in_both_wheels() -> None:
    roots = [unpacked("paddlenlp", v) / "paddlenlp" for v in VERSIONS]
    texts = [(r / "transformers" / "optimization.py").read_bytes() for r in roots]
    assert texts[0] == texts[1]
    utils = [(r / "trainer" / "trainer_utils.py").read_text(encoding="utf-8") for r in roots]
    parts = [u[u.index("class SchedulerType") : u.index("def _secs2timedelta")] for u in utils]
    assert parts[0] == parts[1]


# ---------------------------------------------------------------------------------------------------- rejections
REJECTED: list[dict[str, Any]] = [
    {"name": "CosineDecayWithWarmup", "learning_rate": 0.1, "total_steps": 100, "warmup": 10, "num_cycles": 1.5},
    {"name": "CosineDecayWithWarmup", "learning_rate": 0.1, "total_steps": 100, "warmup": 10, "num_cycles": 2,
     "with_hard_restarts": True},
    {"name": "PolyDecayWithWarmup", "learning_rate": 1e-7, "total_steps": 100, "warmup": 10},
    {"name": "PolyDecayWithWarmup", "learning_rate": 0.1, "total_steps": 100, "warmup": 100},
    {"name": "ConstScheduleWithWarmup", "learning_rate": 0.1, "warmup": 0.1},
    {"name": "LinearDecayWithWarmup", "learning_rate": "0.1", "total_steps": 100, "warmup": 10},
    {"lr_scheduler_type": "cosine_with_restarts", "max_steps": 100},
    {"lr_scheduler_type": "polynomial", "learning_rate": 1e-7, "max_steps": 100},
    {"lr_scheduler_type": "polynomial", "warmup_steps": 100, "max_steps": 100},
    {"lr_scheduler_type": "linear", "warmup_ratio": 1.5, "max_steps": 100},
    {"lr_scheduler_type": "linear", "max_steps": 100.0},
]  # fmt: skip


@pytest.mark.parametrize("case", range(len(REJECTED)))
def test_configs_paddlenlp_rejects_raise(modules: list[Any], case: int) -> None:
    config = REJECTED[case]
    with pytest.raises((ValueError, TypeError)):
        nlp.schedule(config)
    with pytest.raises(Exception):  # PaddleNLP: AssertionError, ValueError, TypeError, ZeroDivisionError
        _reference_as_paddlenlp(config, modules)


def _reference_as_paddlenlp(config: dict[str, Any], modules: list[Any]) -> np.ndarray:
    """PaddleNLP's code on the config, without lrparity's argument checks (they raise first in reference())."""
    optimization, _, create = modules
    if "name" in config:
        return nlp._step(getattr(optimization, config["name"])(**{k: v for k, v in config.items() if k != "name"}), 101)
    if "warmup_ratio" in config and not 0 <= config["warmup_ratio"] <= 1:
        raise ValueError("warmup_ratio must lie in range [0,1]")  # TrainingArguments.__post_init__, verbatim check
    if isinstance(config.get("max_steps"), float):
        int(str(config["max_steps"]))  # PdArgumentParser: argparse type=int on str(value)
    args = types.SimpleNamespace(**{**nlp.TRAINER_DEFAULTS, **config})
    del args.decay_steps
    return nlp._step(create.Trainer.create_scheduler(types.SimpleNamespace(args=args, lr_scheduler=None), 100), 100)


# ---------------------------------------------------------------------------------------------------- round trips
@pytest.mark.parametrize("form", [None, "class"])
@pytest.mark.parametrize("case", range(len(CLASS_CASES)))
def test_export_round_trips_and_runs_in_paddlenlp(modules: list[Any], case: int, form: str | None) -> None:
    s = _schedule(CLASS_CASES[case])
    try:
        exported = nlp.export(s, form=form, max_steps=1000)
    except ValueError as exc:  # only the cosine with hard restarts has no Trainer form; the class form has them all
        assert form is None or "cannot express" not in str(exc)
        raise
    config = json.loads(nlp.dumps(exported))
    ref = nlp.reference(config, steps=1000, lr_module=modules)
    assert np.array_equal(_schedule(config).values(range(ref.size)), ref)
    ours = s.values(range(ref.size))
    assert np.max(np.abs(ref - ours) / np.maximum(np.abs(ours), 1e-300)) <= 1e-12


@pytest.mark.parametrize("case", range(len(TRAINER_CASES)))
def test_trainer_cases_export_round_trip(modules: list[Any], case: int) -> None:
    config = TRAINER_CASES[case]
    s = _schedule(config, 403)
    n = nlp.run_length(config, steps_per_epoch=403)
    exported = nlp.export(s, max_steps=n)
    assert "name" not in exported  # Trainer arguments, PaddleNLP's usual form
    ref = nlp.reference(json.loads(nlp.dumps(exported)), lr_module=modules)
    assert ref.size == n and np.array_equal(ref, s.values(range(n)))


@pytest.mark.parametrize("name", ["llama_pretrain_argument.json", "gpt3_pretrain_argument.json"])
def test_pretraining_exports_as_pretraining_arguments(modules: list[Any], name: str) -> None:
    s = _schedule({"recipe": "pretrain", **_load(name)})
    exported = nlp.export(s, max_steps=10_000)
    assert exported["recipe"] == "pretrain"
    assert np.array_equal(nlp.reference(exported, lr_module=modules), s.values(range(10_000)))


# ---------------------------------------------------------------------------------------------------- optimizer
class TorchNet(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.dense = torch.nn.Linear(6, 8)
        self.norm = torch.nn.LayerNorm(8)
        self.out = torch.nn.Linear(8, 3)

    def forward(self, x: Any) -> Any:
        return self.out(torch.tanh(self.norm(self.dense(x))))


class PaddleNet(paddle.nn.Layer):
    def __init__(self) -> None:
        super().__init__()
        self.dense = paddle.nn.Linear(6, 8)
        self.norm = paddle.nn.LayerNorm(8)
        self.out = paddle.nn.Linear(8, 3)

    def forward(self, x: Any) -> Any:
        return self.out(paddle.tanh(self.norm(self.dense(x))))


def _twins() -> tuple[Any, Any]:
    rng = np.random.default_rng(0)
    tnet, pnet = TorchNet(), PaddleNet()
    values = {n: rng.normal(0, 0.5, tuple(p.shape)).astype(np.float32) for n, p in tnet.named_parameters()}
    with torch.no_grad():
        for name, p in tnet.named_parameters():
            p.copy_(torch.from_numpy(values[name]))
    for name, p in pnet.named_parameters():
        p.set_value(values[name].T.copy() if name in ("dense.weight", "out.weight") else values[name])
    return tnet, pnet


@functools.cache
def _create_optimizer() -> Any:
    """``Trainer.create_optimizer`` and ``Trainer.get_optimizer_cls_and_kwargs`` of PaddleNLP 2.8.1, compiled out of
    ``trainer/trainer.py`` (the module imports the whole library)."""
    _, trainer_utils, _ = _modules("2.8.1")
    source = (unpacked("paddlenlp", "2.8.1") / "paddlenlp" / "trainer" / "trainer.py").read_text(encoding="utf-8")
    trainer = next(n for n in ast.parse(source).body if isinstance(n, ast.ClassDef) and n.name == "Trainer")
    methods = [n for n in trainer.body if isinstance(n, ast.FunctionDef)
               and n.name in ("create_optimizer", "get_optimizer_cls_and_kwargs")]  # fmt: skip
    for method in methods:
        method.decorator_list = []
    namespace: dict[str, Any] = {"nn": paddle.nn, "OptimizerNames": trainer_utils.OptimizerNames, "Any": Any,
                                 "Tuple": tuple, "TrainingArguments": Any}  # fmt: skip
    exec(compile(ast.Module(body=methods, type_ignores=[]), "paddlenlp-2.8.1/trainer.py", "exec"), namespace)
    namespace["Trainer"] = types.SimpleNamespace(get_optimizer_cls_and_kwargs=namespace["get_optimizer_cls_and_kwargs"])
    return namespace["create_optimizer"]


OPTIMIZER_CASES: dict[str, dict[str, Any]] = {
    "llama_dpo (weight_decay 0, clip 1.0)": {**_load("llama_dpo_argument.json"), "max_steps": 30},
    "decay on weights only, beta2, global clip": {"learning_rate": 1e-2, "warmup_steps": 3, "max_steps": 30,
                                                  "lr_scheduler_type": "cosine", "weight_decay": 0.1,
                                                  "adam_beta2": 0.95, "max_grad_norm": 0.05},
    "no clip": {"learning_rate": 1e-2, "max_steps": 30, "weight_decay": 0.01, "max_grad_norm": 0.0,
                "adam_epsilon": 1e-6},
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(OPTIMIZER_CASES))
def test_trainer_optimizer_matches_paddlenlp_after_30_updates(case: str) -> None:
    config = OPTIMIZER_CASES[case]
    tnet, pnet = _twins()
    opt, sched, pre_step = nlp.torch_optimizer(config, tnet)
    modules = list(_modules("2.8.1"))
    fields = {**nlp.TRAINER_DEFAULTS, **nlp._OPTIMIZER_DEFAULTS}
    args = types.SimpleNamespace(**nlp._arguments(config, fields), fp16_opt_level="O1")
    args.optim = modules[1].OptimizerNames(args.optim)  # TrainingArguments.__post_init__ converts it
    del args.decay_steps
    trainer = types.SimpleNamespace(args=args, lr_scheduler=None, optimizer=None, optimizer_grouped_parameters=None,
                                    model=pnet)  # fmt: skip
    trainer.lr_scheduler = modules[2].Trainer.create_scheduler(trainer, args.max_steps)
    popt = _create_optimizer()(trainer)
    rng = np.random.default_rng(1)
    for _ in range(30):
        x = rng.normal(0, 1, (16, 6)).astype(np.float32)
        y = rng.normal(0, 1, (16, 3)).astype(np.float32)
        assert opt.param_groups[0]["lr"] == popt.get_lr()
        torch.nn.functional.mse_loss(tnet(torch.from_numpy(x)), torch.from_numpy(y)).backward()
        if pre_step is not None:
            pre_step()
        opt.step()
        opt.zero_grad()
        sched.step()
        paddle.nn.functional.mse_loss(pnet(paddle.to_tensor(x)), paddle.to_tensor(y)).backward()
        popt.step()
        popt.clear_grad()
        trainer.lr_scheduler.step()
    pvals = dict(pnet.named_parameters())
    for name, p in tnet.named_parameters():
        q = pvals[name].numpy()
        q = q.T if name in ("dense.weight", "out.weight") else q
        np.testing.assert_allclose(p.detach().numpy(), q, rtol=1e-5, atol=1e-7, err_msg=name)
