"""PaddleSeg recipes against PaddleSeg 2.8.0's own code, loaded from its wheel.

The reference is PaddleSeg's ``paddleseg/cvlibs/config.py`` (``parse_from_yaml``: the ``_base_`` merge, PyYAML's
FullLoader) and ``builder.py`` (``SegBuilder.lr_scheduler``), building paddle's real schedulers, stepped once per
iteration as ``core/train.py`` steps them. Only PaddleSeg's logger and its ``CachedProperty`` helper are stubbed (the
real ``paddleseg/utils`` package imports OpenCV). Every lr comparison is bit for bit, at every iteration. The optimizers
are PaddleSeg's own (``SegBuilder.optimizer`` with ``paddleseg/optimizers/optimizer.py``) against
``lrparity.recipes.ppseg.torch_optimizer``: weights within 1e-5 after 30 updates.
"""

from __future__ import annotations

import functools
import math
import types
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

paddle = pytest.importorskip("paddle")
torch = pytest.importorskip("torch")

from lrparity.core import Plateau  # noqa: E402
from lrparity.core.config_files import parse_config_text  # noqa: E402
from lrparity.recipes import ppseg  # noqa: E402
from parity_tests.references import ReferenceUnavailable, suite_module  # noqa: E402

pytestmark = pytest.mark.paddle

DATA = Path(__file__).resolve().parent / "recipes_data" / "ppseg" / "configs"
MATTING = DATA.parent / "Matting" / "configs"  # PP-Matting, in the PaddleSeg repository
REAL_CONFIGS = {
    "cityscapes": DATA / "_base_" / "cityscapes.yml",
    "pp_liteseg": DATA / "pp_liteseg" / "pp_liteseg_stdc1_cityscapes_1024x512_scale0.5_160k.yml",
    "knet": DATA / "knet" / "knet_s3_upernet_resnet50_ade20k_512x512_80k.yml",
    "segformer": DATA / "segformer" / "segformer_b0_cityscapes_1024x512_160k.yml",
    "portraitnet": DATA / "portraitnet" / "portraitnet_eg1800_224x224_46k.yml",  # StepDecay, gamma 0.95
    "pssl": DATA / "pssl" / "stdc1_seg_pssl.yml",  # StepDecay, default gamma, step_size past the run
    "modnet": MATTING / "modnet" / "modnet-mobilenetv2.yml",  # PiecewiseDecay (PP-Matting's SegBuilder)
    "human_matting": MATTING / "human_matting" / "human_matting-resnet34_vd.yml",  # PiecewiseDecay
}


class _CachedProperty:
    """PaddleSeg's ``utils.CachedProperty``: computed once per instance (the real module imports cv2)."""

    def __init__(self, func: Any) -> None:
        self.func = func

    def __get__(self, obj: Any, cls: Any) -> Any:
        if obj is None:
            return self
        value = obj.__dict__[self.func.__name__] = self.func(obj)
        return value


@functools.cache
def _builder() -> types.ModuleType:
    import yaml

    logger = types.ModuleType("paddleseg.utils.logger")
    logger.info = logger.warning = lambda *args, **kwargs: None  # type: ignore[attr-defined]
    utils = types.ModuleType("paddleseg.utils.utils")
    utils.CachedProperty = _CachedProperty  # type: ignore[attr-defined]
    utils.NoAliasDumper = type("NoAliasDumper", (yaml.SafeDumper,), {"ignore_aliases": lambda self, data: True})  # type: ignore[attr-defined]
    package = types.ModuleType("paddleseg.utils")
    package.__path__ = []  # type: ignore[attr-defined]
    package.logger, package.utils = logger, utils  # type: ignore[attr-defined]
    stubs = {"paddleseg.utils": package, "paddleseg.utils.logger": logger, "paddleseg.utils.utils": utils}
    try:
        config = suite_module("paddleseg", "paddleseg.cvlibs.config", stubs=stubs)
        import sys

        sys.modules["paddleseg.cvlibs"].Config = config.Config  # builder.py: from paddleseg.cvlibs import Config
        return suite_module("paddleseg", "paddleseg.cvlibs.builder")
    except ReferenceUnavailable as exc:  # pragma: no cover - no registry here
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def builder() -> types.ModuleType:
    return _builder()


def _schedule(config: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ppseg.PpsegWarning)
        return ppseg.schedule(config)


def _ours(config: Any, n: int) -> np.ndarray:
    return _schedule(config).values(range(n))


# ---------------------------------------------------------------------------------------------------- real configs
@pytest.mark.parametrize("name", sorted(REAL_CONFIGS))
def test_real_config_matches_paddleseg_at_every_iteration(builder: Any, name: str) -> None:
    path = REAL_CONFIGS[name]
    ref = ppseg.reference(path, lr_module=builder)
    assert ref.size == ppseg.read_config(path)["iters"]
    assert np.array_equal(_ours(path, ref.size), ref)


def test_real_configs_cover_every_type_a_paddleseg_config_uses() -> None:
    used = {ppseg.read_config(path)["lr_scheduler"]["type"] for path in REAL_CONFIGS.values()}
    # every lr_scheduler type in PaddleSeg's configs (configs/, Matting/, test_tipc/, contrib/ at d7975e7); the other
    # types PaddleSeg accepts by name appear in no config and are covered by CASES below
    assert used == {"PolynomialDecay", "MultiStepDecay", "StepDecay", "PiecewiseDecay"}


def test_real_configs_show_the_quirks(builder: Any) -> None:
    knet = ppseg.reference(REAL_CONFIGS["knet"], lr_module=builder)
    drops = np.flatnonzero(np.diff(knet) < 0) + 1
    assert drops.tolist() == [61000, 73000]  # the milestones [60000, 72000] count from the end of the warmup
    liteseg = ppseg.reference(REAL_CONFIGS["pp_liteseg"], lr_module=builder)
    assert liteseg[0] == 1e-5 and liteseg[1000] == 0.005 and liteseg[-1] > 0  # decays over iters - warmup_iters
    with pytest.warns(ppseg.PpsegWarning, match=r"fall at iterations \[61000, 73000\]"):
        ppseg.schedule(REAL_CONFIGS["knet"])


@pytest.mark.parametrize("name", sorted(REAL_CONFIGS))
def test_base_files_merge_as_paddleseg_merges_them(builder: Any, name: str) -> None:
    import sys

    parse = sys.modules[builder.Config.__module__].parse_from_yaml
    assert ppseg.read_config(REAL_CONFIGS[name]) == parse(str(REAL_CONFIGS[name]))


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_merge_quirks_match_paddleseg(builder: Any, tmp_path: Path) -> None:
    import sys

    parse = sys.modules[builder.Config.__module__].parse_from_yaml
    _write(tmp_path, "a.yml", "iters: 10\nlr_scheduler: {type: StepDecay, learning_rate: 0.1, step_size: 3}\n")
    _write(tmp_path, "b.yml", "iters: 20\nlr_scheduler: {type: PolynomialDecay, learning_rate: 0.2, power: 2.0}\n")
    child = _write(tmp_path, "sub/c.yml", "_base_: ['../a.yml', '../b.yml']\nlr_scheduler:\n  _inherited_: False\n"
                   "  type: ExponentialDecay\n  learning_rate: 0.3\n  gamma: 0.9\n")  # fmt: skip
    ours = ppseg.read_config(child)
    assert ours == parse(str(child))
    # _inherited_: False shields the mapping from the first base only; the second base's keys merge back in
    assert ours["iters"] == 10 and ours["lr_scheduler"]["power"] == 2.0
    with pytest.raises(ValueError, match="power"):
        ppseg.schedule(child)
    with pytest.raises(RuntimeError, match="power"):
        ppseg.reference(child, lr_module=builder)


# ---------------------------------------------------------------------------------------------------- every class
N = 3000

CASES: dict[str, dict[str, Any]] = {
    "polynomial_default_decay": {"type": "PolynomialDecay", "learning_rate": 0.01, "end_lr": 0, "power": 0.9},
    "polynomial_warmup": {"type": "PolynomialDecay", "learning_rate": 0.01, "power": 0.9, "end_lr": 1e-4,
                          "warmup_iters": 300, "warmup_start_lr": 1e-5},
    "polynomial_cycle": {"type": "PolynomialDecay", "learning_rate": 0.01, "decay_steps": 700, "cycle": True},
    "polynomial_short": {"type": "PolynomialDecay", "learning_rate": 0.01, "decay_steps": 1000, "power": 2.0},
    "step_warmup": {"type": "StepDecay", "learning_rate": 0.1, "step_size": 700, "gamma": 0.5, "warmup_iters": 200,
                    "warmup_start_lr": 0.0},
    "multistep": {"type": "MultiStepDecay", "learning_rate": 0.1, "milestones": [1000, 2000]},
    "multistep_warmup": {"type": "MultiStepDecay", "learning_rate": 0.1, "milestones": [1000, 2000], "gamma": 0.3,
                         "warmup_iters": 500, "warmup_start_lr": 0.001},
    "exponential": {"type": "ExponentialDecay", "learning_rate": 0.1, "gamma": 0.999},
    "natural_exp_warmup": {"type": "NaturalExpDecay", "learning_rate": 0.1, "gamma": 0.001, "warmup_iters": 100,
                           "warmup_start_lr": 0.0},
    "inverse_time": {"type": "InverseTimeDecay", "learning_rate": 0.1, "gamma": 0.01},
    "noam": {"type": "NoamDecay", "d_model": 512, "warmup_steps": 400},
    "noam_warmup": {"type": "NoamDecay", "d_model": 512, "warmup_steps": 400, "learning_rate": 2.0,
                    "warmup_iters": 50, "warmup_start_lr": 0.0},
    "piecewise": {"type": "PiecewiseDecay", "boundaries": [1000, 2000], "values": [0.1, 0.01, 0.001]},
    "cosine_recursion": {"type": "CosineAnnealingDecay", "learning_rate": 0.1, "T_max": 700, "eta_min": 1e-4},
    "cosine_warmup_closed_form": {"type": "CosineAnnealingDecay", "learning_rate": 0.1, "T_max": 2500,
                                  "warmup_iters": 500, "warmup_start_lr": 1e-6},
    "linear_lr": {"type": "LinearLR", "learning_rate": 0.1, "total_steps": 2000, "start_factor": 0.05},
    "linear_lr_warmup": {"type": "LinearLR", "learning_rate": 0.1, "total_steps": 1000, "end_factor": 0.1,
                         "start_factor": 1.0, "warmup_iters": 100, "warmup_start_lr": 0.0},
    "restarts": {"type": "CosineAnnealingWarmRestarts", "learning_rate": 0.1, "T_0": 300, "T_mult": 2,
                 "eta_min": 1e-5},
    "restarts_warmup": {"type": "CosineAnnealingWarmRestarts", "learning_rate": 0.1, "T_0": 200, "T_mult": 2,
                        "warmup_iters": 100, "warmup_start_lr": 0.0},
    "restarts_flat_warmup": {"type": "CosineAnnealingWarmRestarts", "learning_rate": 0.1, "T_0": 250,
                             "warmup_iters": 100, "warmup_start_lr": 0.0},
    "one_cycle": {"type": "OneCycleLR", "max_learning_rate": 0.1, "total_steps": N},
    "one_cycle_three_phase": {"type": "OneCycleLR", "max_learning_rate": 0.1, "total_steps": N + 10,
                              "phase_pct": 0.2, "three_phase": True, "anneal_strategy": "linear",
                              "divide_factor": 10, "end_learning_rate": 1e-6},
    "cyclic_triangular2": {"type": "CyclicLR", "base_learning_rate": 1e-4, "max_learning_rate": 0.01,
                           "step_size_up": 300, "step_size_down": 500, "mode": "triangular2"},
    "cyclic_exp_range": {"type": "CyclicLR", "base_learning_rate": 1e-4, "max_learning_rate": 0.01,
                         "step_size_up": 250, "mode": "exp_range", "exp_gamma": 0.999},
    "linear_warmup_class": {"type": "LinearWarmup", "learning_rate": 0.1, "warmup_steps": 500, "start_lr": 0.0,
                            "end_lr": 0.1},
    "linear_warmup_class_warmup": {"type": "LinearWarmup", "learning_rate": 0.1, "warmup_steps": 500,
                                   "start_lr": 0.01, "end_lr": 0.2, "warmup_iters": 100, "warmup_start_lr": 0.0},
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_paddle_class_matches_paddleseg(builder: Any, case: str) -> None:
    config = {"iters": N, "lr_scheduler": CASES[case]}
    ref = ppseg.reference(config, lr_module=builder)
    assert np.array_equal(_ours(config, N), ref), case


def test_cases_cover_every_class_a_config_can_build() -> None:
    built = {c["type"] for c in CASES.values()} | {"ReduceOnPlateau"}
    assert built == set(ppseg.LR_TYPES) - {"LambdaDecay", "MultiplicativeDecay"}


def test_reduce_on_plateau_matches_paddleseg_fed_the_same_losses(builder: Any) -> None:
    block = {"type": "ReduceOnPlateau", "learning_rate": 0.1, "patience": 3, "factor": 0.5, "cooldown": 2,
             "threshold": 0.01, "min_lr": 1e-3}  # fmt: skip
    config = {"iters": 400, "lr_scheduler": block}
    losses = [1.0 / (1 + k) if k < 100 or 200 < k < 260 else 0.01 + 1e-4 * math.sin(k) for k in range(400)]
    ref = ppseg.reference(config, lr_module=builder, metrics=losses)
    plateau = ppseg.schedule(config)
    assert isinstance(plateau, Plateau)
    state = plateau.initial_state(plateau.start_lr)
    ours = []
    for loss in losses:
        ours.append(state.lrs[0])
        state = plateau.update(state, loss)
    assert np.array_equal(np.array(ours), ref)
    assert len(set(ref.tolist())) > 3  # the plateau did reduce


# ---------------------------------------------------------------------------------------------------- rejections
REJECTED: dict[str, dict[str, Any]] = {
    "lr_string": {"type": "PolynomialDecay", "learning_rate": "1e-5"},
    "start_without_warmup": {"type": "StepDecay", "learning_rate": 0.1, "step_size": 10, "warmup_start_lr": 0.0},
    "warmup_without_start": {"type": "StepDecay", "learning_rate": 0.1, "step_size": 10, "warmup_iters": 10},
    "gamma_one": {"type": "MultiStepDecay", "learning_rate": 0.1, "milestones": [10], "gamma": 1.0},
    "unsorted_milestones": {"type": "MultiStepDecay", "learning_rate": 0.1, "milestones": [20, 10]},
    "piecewise_warmup": {"type": "PiecewiseDecay", "boundaries": [10], "values": [0.1, 0.01], "learning_rate": 0.1,
                         "warmup_iters": 5, "warmup_start_lr": 0.0},
    "phase_pct_int": {"type": "OneCycleLR", "max_learning_rate": 0.1, "total_steps": 100, "phase_pct": 0},
    "float_t_max": {"type": "CosineAnnealingDecay", "learning_rate": 0.1, "T_max": 10.0},
    "unknown_key": {"type": "CosineAnnealingDecay", "learning_rate": 0.1, "T_max": 10, "power": 0.9},
    "start_above_end": {"type": "StepDecay", "learning_rate": 0.1, "step_size": 10, "warmup_iters": 5,
                        "warmup_start_lr": 0.2},
    "lambda": {"type": "LambdaDecay", "learning_rate": 0.1, "lr_lambda": "lambda t: 0.9 ** t"},
    "no_type": {"learning_rate": 0.1},
    "not_a_class": {"type": "Tensor", "learning_rate": 0.1},
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(REJECTED))
def test_configs_paddleseg_rejects_raise(builder: Any, case: str) -> None:
    config = {"iters": 100, "lr_scheduler": REJECTED[case]}
    with pytest.raises((ValueError, TypeError)):
        ppseg.schedule(config)
    with pytest.raises(Exception):  # PaddleSeg fails with RuntimeError, KeyError, AssertionError, TypeError
        ppseg.reference(config, lr_module=builder)


def test_one_cycle_shorter_than_the_run_is_refused_where_paddleseg_stops(builder: Any) -> None:
    config = {"iters": 100, "lr_scheduler": {"type": "OneCycleLR", "max_learning_rate": 0.1, "total_steps": 60}}
    with pytest.raises(ValueError, match="total_steps"):
        ppseg.schedule(config)
    with pytest.raises(ValueError, match="total steps is 60"):
        ppseg.reference(config, lr_module=builder)


def test_yaml_1_1_string_is_refused_with_the_fix(builder: Any, tmp_path: Path) -> None:
    path = _write(tmp_path, "c.yml", "iters: 50\nlr_scheduler:\n  type: PolynomialDecay\n  learning_rate: 0.01\n"
                  "  warmup_iters: 5\n  warmup_start_lr: 1e-5\n")  # fmt: skip
    with pytest.raises(TypeError, match=r"write the number with a dot"):
        ppseg.schedule(path)
    with pytest.raises(TypeError):
        ppseg.reference(path, lr_module=builder)  # LinearWarmup compares the string with a float


# ---------------------------------------------------------------------------------------------------- round trips
@pytest.mark.parametrize("case", sorted(set(CASES) - {"linear_warmup_class", "linear_warmup_class_warmup"}))
def test_export_round_trips_and_runs_in_paddleseg(builder: Any, case: str) -> None:
    config = {"iters": N, "lr_scheduler": CASES[case]}
    s = _schedule(config)
    text = ppseg.dumps(ppseg.export(s, iters=N))
    again = parse_config_text(text, yaml_floats="1.1")  # the YAML as PaddleSeg reads it
    ref = ppseg.reference(again, lr_module=builder)
    ours = s.values(range(N))
    assert np.max(np.abs(ref - ours) / np.maximum(np.abs(ours), 1e-300)) <= 1e-12
    assert np.array_equal(_ours(again, N), ref)


@pytest.mark.parametrize("name", sorted(REAL_CONFIGS))
def test_real_configs_export_and_run_in_paddleseg(builder: Any, name: str, tmp_path: Path) -> None:
    s = _schedule(REAL_CONFIGS[name])
    iters = ppseg.read_config(REAL_CONFIGS[name])["iters"]
    path = _write(tmp_path, "exported.yml", ppseg.dumps(ppseg.export(s, iters=iters)))
    exported = ppseg.reference(path, lr_module=builder)
    assert np.array_equal(exported, ppseg.reference(REAL_CONFIGS[name], lr_module=builder))


# ---------------------------------------------------------------------------------------------------- optimizers
STEPS, RTOL, ATOL = 30, 1e-5, 1e-7


class TorchNet(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.backbone = torch.nn.Linear(6, 8)
        self.head = torch.nn.Linear(8, 3)

    def forward(self, x: Any) -> Any:
        return self.head(torch.tanh(self.backbone(x)))


class PaddleNet(paddle.nn.Layer):
    def __init__(self) -> None:
        super().__init__()
        self.backbone = paddle.nn.Linear(6, 8)
        self.head = paddle.nn.Linear(8, 3)

    def forward(self, x: Any) -> Any:
        return self.head(paddle.tanh(self.backbone(x)))


def _twins() -> tuple[Any, Any]:
    rng = np.random.default_rng(0)
    shapes = {"backbone.weight": (8, 6), "backbone.bias": (8,), "head.weight": (3, 8), "head.bias": (3,)}
    values = {k: rng.normal(0, 0.5, s).astype(np.float32) for k, s in shapes.items()}
    tnet, pnet = TorchNet(), PaddleNet()
    with torch.no_grad():
        for name, p in tnet.named_parameters():
            p.copy_(torch.from_numpy(values[name]))
    for name, p in pnet.named_parameters():
        p.set_value(values[name].T.copy() if name.endswith("weight") else values[name])
    return tnet, pnet


OPTIMIZERS: dict[str, tuple[str, dict[str, Any]]] = {
    # the optimizer of a real config, or of one with its optimizer block changed as noted
    "SGD->Momentum (cityscapes base)": ("cityscapes", {}),
    "AdamW+ClipGradByNorm (knet)": ("knet", {}),
    "AdamW (segformer)": ("segformer", {}),
    "SGD+L2": ("cityscapes", {"optimizer": {"type": "SGD", "weight_decay": 4.0e-5}}),
    "Momentum+nesterov+ClipGradByGlobalNorm": ("cityscapes", {"optimizer": {
        "type": "Momentum", "momentum": 0.8, "use_nesterov": True, "weight_decay": 1.0e-3,
        "grad_clip_cfg": {"name": "ClipGradByGlobalNorm", "clip_norm": 0.05}}}),
    "Adam+L2+ClipGradByNorm": ("pp_liteseg", {"optimizer": {
        "type": "adam", "beta2": 0.99, "weight_decay": 1.0e-4, "grad_clip_cfg": {"name": "ClipGradByNorm",
                                                                                  "clip_norm": 0.02}}}),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(OPTIMIZERS))
def test_optimizer_matches_paddleseg_after_30_updates(builder: Any, case: str) -> None:
    name, change = OPTIMIZERS[case]
    cfg = {**ppseg.read_config(REAL_CONFIGS[name]), **change}
    cfg["iters"] = STEPS
    suite_module("paddleseg", "paddleseg.optimizers.optimizer")  # registers PaddleSeg's optimizer classes
    tnet, pnet = _twins()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ppseg.PpsegWarning)
        opt, sched, pre_step = ppseg.torch_optimizer(cfg, tnet)
    seg = builder.SegBuilder(_config_object(builder, cfg))
    seg.__dict__["model"] = pnet  # SegBuilder.optimizer builds on its model: ours (the rest is PaddleSeg's code)
    popt = seg.optimizer
    rng = np.random.default_rng(1)
    torch_lrs, paddle_lrs = [], []
    for _ in range(STEPS):
        x = rng.normal(0, 1, (16, 6)).astype(np.float32)
        y = rng.normal(0, 1, (16, 3)).astype(np.float32)
        torch_lrs.append(opt.param_groups[0]["lr"])
        torch.nn.functional.mse_loss(tnet(torch.from_numpy(x)), torch.from_numpy(y)).backward()
        if pre_step is not None:
            pre_step()
        opt.step()
        opt.zero_grad()
        sched.step()
        paddle_lrs.append(popt.get_lr())
        paddle.nn.functional.mse_loss(pnet(paddle.to_tensor(x)), paddle.to_tensor(y)).backward()
        popt.step()
        popt._learning_rate.step()
        pnet.clear_gradients()
    assert torch_lrs == paddle_lrs
    pvals = dict(pnet.named_parameters())
    for pname, p in tnet.named_parameters():
        q = pvals[pname].numpy()
        np.testing.assert_allclose(p.detach().numpy(), q.T if pname.endswith("weight") else q, RTOL, ATOL, pname)


def _config_object(builder: Any, dic: dict[str, Any]) -> Any:
    cfg = builder.Config.__new__(builder.Config)
    cfg.dic = dic
    return cfg


def test_optimizer_blocks_paddleseg_rejects_raise(builder: Any) -> None:
    for block in ({"type": "SGD", "weight_decay": 0}, {"type": "Adam", "betas": [0.9, 0.99]}):
        cfg = {"iters": 5, "lr_scheduler": {"type": "StepDecay", "learning_rate": 0.1, "step_size": 2},
               "optimizer": block}  # fmt: skip
        with pytest.raises((ValueError, TypeError)):
            ppseg.optimizer_spec(cfg)
        suite_module("paddleseg", "paddleseg.optimizers.optimizer")
        seg = builder.SegBuilder(_config_object(builder, cfg))
        seg.__dict__["model"] = _twins()[1]
        with pytest.raises((AssertionError, RuntimeError)):
            _ = seg.optimizer
