"""PaddleClas recipes against PaddleClas's learning-rate classes on paddle's natives, stepped as its trainer steps.

PaddleClas's ``ppcls/optimizer/learning_rate.py`` ships in no package (neither the ``paddleclas`` wheel nor its
sdist), so the reference is :mod:`lrparity.recipes.ppcls_reference`: an independent restatement of it (and of
``build_lr_scheduler`` and the training loops of ``ppcls/engine``) on paddle's real schedulers, written from
PaddleClas develop d178931. When it was written it was run beside the real ``learning_rate.py`` of that commit on all
498 configs of ``ppcls/configs`` (1443 config x steps-per-epoch runs) and on 21000 random configs: identical values
everywhere, and the same configs fail. The optimizers are compared with paddle's real optimizers built as
PaddleClas's ``ppcls/optimizer/optimizer.py`` wrappers build them (restated below).

The real configs are excerpts with provenance in ``recipes_data/ppcls/`` (scaled down here: at most 120 epochs,
``Global.iter_per_epoch`` set to 5 where the config sets it). Every comparison of lrs is bit for bit, at every update.
"""

from __future__ import annotations

import copy
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

paddle = pytest.importorskip("paddle")
torch = pytest.importorskip("torch")

from lrparity.core import Plateau  # noqa: E402
from lrparity.recipes import ppcls  # noqa: E402
from lrparity.recipes.ppcls_lr import LR_CLASSES  # noqa: E402

pytestmark = pytest.mark.paddle

DATA = Path(__file__).resolve().parent / "recipes_data" / "ppcls"
REAL = sorted(DATA.glob("*.yaml"))
FAILING = {"strong_baseline_attr_fails"}  # configs PaddleClas itself cannot build


def _quiet(fn: Any, *args: Any, **kwargs: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def _scaled(cfg: dict[str, Any], epochs: int = 120) -> dict[str, Any]:
    cfg = copy.deepcopy(cfg)
    glob = cfg["Global"]
    glob["epochs"] = min(glob["epochs"], epochs)
    if glob.get("iter_per_epoch"):
        glob["iter_per_epoch"] = 5
    return cfg


def _entries(cfg: dict[str, Any]) -> range:
    return range(len(cfg["Optimizer"]) if isinstance(cfg["Optimizer"], list) else 1)


def _plateau_values(b: ppcls.PpclsBuild, metrics: list[float]) -> np.ndarray:
    """The core Plateau stepped with the metric after each evaluation, held over each epoch's updates."""
    p = b.schedule
    assert isinstance(p, Plateau)
    state, out, source = p.initial_state([p.start_lr]), [], iter(metrics)
    interval = 1  # every real plateau config evaluates after every epoch
    for epoch in range(1, b.run.epochs + 1):
        out += [state.lrs[0]] * b.run.updates_per_epoch
        if epoch % interval == 0:
            state = p.update(state, next(source))
    return np.asarray(out)


def _compare(cfg: dict[str, Any], spe: int, entry: int) -> float:
    """Check the schedule against the reference at every update; the largest relative difference (0.0)."""
    b = _quiet(ppcls.build, cfg, steps_per_epoch=spe, entry=entry)
    if isinstance(b.schedule, Plateau):
        metrics = [0.5 + 0.1 * np.sin(0.7 * k) + 0.002 * k for k in range(b.run.epochs)]
        ref = ppcls.reference(cfg, steps_per_epoch=spe, entry=entry, metrics=metrics)
        ours = _plateau_values(b, metrics)
    else:
        ref = ppcls.reference(cfg, steps_per_epoch=spe, entry=entry)
        ours = b.schedule.values(range(len(ref)))
    assert len(ref) == b.run.total_updates
    np.testing.assert_array_equal(ours.view(np.int64), ref.view(np.int64))
    return 0.0


@pytest.mark.parametrize("spe", [3, 7])
@pytest.mark.parametrize("path", REAL, ids=[p.stem for p in REAL])
def test_real_config_matches_paddleclas(path: Path, spe: int) -> None:
    cfg = _scaled(ppcls.read_config(path))
    for entry in _entries(cfg):
        if path.stem in FAILING:
            with pytest.raises(ValueError):
                _quiet(ppcls.build, cfg, steps_per_epoch=spe, entry=entry)
            with pytest.raises(ValueError, match="values"):  # paddle's PiecewiseDecay refuses it too
                ppcls.reference(cfg, steps_per_epoch=spe, entry=entry)
            continue
        _compare(cfg, spe, entry)


def test_lr_module_runs_a_module_of_paddleclas_classes() -> None:
    """``lr_module=`` builds with the module's classes (PaddleClas's ``learning_rate.py`` from a checkout); here the
    restatement's own module, through the same ``build_lr_scheduler`` path."""
    from lrparity.recipes import ppcls_reference

    cfg = _scaled(ppcls.read_config(DATA / "tinynet_a_step.yaml"), epochs=20)
    np.testing.assert_array_equal(ppcls.reference(cfg, steps_per_epoch=7, lr_module=ppcls_reference),
                                  ppcls.reference(cfg, steps_per_epoch=7))  # fmt: skip


def test_every_class_has_a_real_config() -> None:
    names = set()
    for path in REAL:
        cfg = ppcls.read_config(path)
        blocks = [cfg["Optimizer"]] if isinstance(cfg["Optimizer"], dict) else [
            next(iter(item.values())) for item in cfg["Optimizer"]
        ]  # fmt: skip
        names |= {b["lr"]["name"] for b in blocks}
    # No PaddleClas config (current or in its history) uses Linear: it is covered by the derived cases below.
    assert names == set(LR_CLASSES) - {"Linear"}


# ---------------------------------------------------------------------------------------------------------------
# Quirks no real config shows: real configs changed in one place (marked), checked against the reference.
# ---------------------------------------------------------------------------------------------------------------


def _derived(stem: str, lr: dict[str, Any] | None = None, **glob: Any) -> dict[str, Any]:
    cfg = _scaled(ppcls.read_config(DATA / f"{stem}.yaml"))
    if lr is not None:
        cfg["Optimizer"]["lr"] = lr
    cfg["Global"].update(glob)
    return cfg


DERIVED = {
    # Linear (no PaddleClas config uses it), with its warmup, and with the by_epoch warmup bug
    "linear_warmup": ("convnext_tiny_cosine", {"name": "Linear", "learning_rate": 4e-3, "end_lr": 1e-5,
                                               "power": 2.0, "warmup_epoch": 5, "warmup_start_lr": 1e-6}, {}),
    "linear_cycle": ("convnext_tiny_cosine", {"name": "Linear", "learning_rate": 4e-3, "cycle": True}, {}),
    "linear_by_epoch_bug": ("cvt13_cosine_by_epoch", {"name": "Linear", "learning_rate": 2e-3, "warmup_epoch": 2,
                                                      "warmup_start_lr": 1e-6, "by_epoch": True}, {"epochs": 40}),
    "linear_whole_warmup": ("convnext_tiny_cosine", {"name": "Linear", "learning_rate": 4e-3, "warmup_epoch": 50},
                            {"epochs": 40}),
    "cosine_warmup_clamp": ("convnext_tiny_cosine", {"name": "Cosine", "learning_rate": 4e-3, "warmup_epoch": 60},
                            {"epochs": 40}),
    "constlr_fractional_warmup": ("lcnetv2_cosine_warmup", {"name": "ConstLR", "learning_rate": 0.06,
                                                            "warmup_epoch": 0.5}, {}),
    "cosine_last_epoch_0": ("dpn107_cosine_recursive", {"name": "Cosine", "learning_rate": 0.1, "last_epoch": 0}, {}),
    "step_truncation": ("tinynet_a_step", {"name": "Step", "learning_rate": 0.048, "step_size": 1.29, "gamma": 0.9},
                        {"epochs": 20}),
    "step_by_epoch": ("tinynet_a_step", {"name": "Step", "learning_rate": 0.048, "step_size": 3, "gamma": 0.5,
                                         "warmup_epoch": 2, "by_epoch": True}, {"epochs": 20}),
    "piecewise_lr_short_run": ("resnet50_piecewise", None, {"epochs": 25}),
    "multistep_fractional": ("sop_multistep", {"name": "MultiStepDecay", "learning_rate": 0.01, "gamma": 0.5,
                                               "milestones": [1.5, 2.25, 7], "warmup_epoch": 1}, {"epochs": 9}),
    "plateau_behind_warmup": ("xbm_plateau", {"name": "ReduceOnPlateau", "learning_rate": 1e-4, "warmup_epoch": 2,
                                              "warmup_start_lr": 1e-6}, {}),
    "plateau_behind_warmup_late": ("xbm_plateau", {"name": "ReduceOnPlateau", "learning_rate": 1e-4, "warmup_epoch": 1,
                                                   "by_epoch": True, "last_epoch": 3}, {}),
    "cyclic_triangular2_warmup": ("metabin_list", None, {"epochs": 30}),
    "onecycle_by_epoch": ("mldecoder_onecycle", {"name": "OneCycleLR", "max_learning_rate": 1e-4, "phase_pct": 0.2,
                                                 "three_phase": True, "by_epoch": True, "warmup_epoch": 2}, {}),
    "onecycle_linear_warmup": ("mldecoder_onecycle", {"name": "OneCycleLR", "max_learning_rate": 1e-4,
                                                      "anneal_strategy": "linear", "warmup_epoch": 3,
                                                      "warmup_start_lr": 1e-7}, {}),
    "fixmatch_by_epoch_warmup": ("fixmatch_4000", {"name": "CosineFixmatch", "learning_rate": 0.03,
                                                   "num_warmup_steps": 4, "by_epoch": True}, {"epochs": 30}),
    "update_freq_reset": ("convnext_tiny_cosine", None, {"update_freq": 9}),
    "fixmatch_update_freq": ("fixmatch_ccssl", None, {"update_freq": 2, "epochs": 30}),
}  # fmt: skip


def _cyclic_variant(cfg: dict[str, Any]) -> dict[str, Any]:
    entry = cfg["Optimizer"][2]["SGD"]["lr"]
    entry.update(mode="triangular2", step_size_up=7, step_size_down=5, warmup_epoch=2, warmup_start_lr=1e-4)
    return cfg


@pytest.mark.parametrize("spe", [3, 7])
@pytest.mark.parametrize("case", list(DERIVED))
def test_quirk_matches_paddleclas(case: str, spe: int) -> None:
    stem, lr, glob = DERIVED[case]
    cfg = _derived(stem, lr, **glob)
    if case == "cyclic_triangular2_warmup":
        cfg = _cyclic_variant(cfg)
    for entry in _entries(cfg):
        _compare(cfg, spe, entry)


def test_step_truncates_a_float_product() -> None:
    """0.29 epochs x 100 updates is 28.999999999999996 in floats: int() gives 28."""
    cfg = _derived("tinynet_a_step", {"name": "Step", "learning_rate": 0.048, "step_size": 0.29, "gamma": 0.5},
                   epochs=2)  # fmt: skip
    _compare(cfg, 100, 0)
    assert _quiet(ppcls.schedule, cfg, steps_per_epoch=100).schedule.step_size == 28


def test_exp_range_cyclic_matches_paddleclas() -> None:
    cfg = _derived("metabin_list", None, epochs=20)
    cfg["Optimizer"][2]["SGD"]["lr"].update(mode="exp_range", exp_gamma=0.99, step_size_up=6, step_size_down=None)
    _compare(cfg, 4, 2)


# ---------------------------------------------------------------------------------------------------------------
# Round trips: export, read back, and run the export in PaddleClas's code
# ---------------------------------------------------------------------------------------------------------------

ROUND_TRIP = [p.stem for p in REAL if p.stem not in FAILING and p.stem not in ("metabin_list", "reid_center_list")]


@pytest.mark.parametrize("stem", ROUND_TRIP)
def test_export_round_trip_runs_in_paddleclas(stem: str) -> None:
    cfg = _scaled(ppcls.read_config(DATA / f"{stem}.yaml"))
    if cfg["Global"].get("iter_per_epoch") or cfg["Global"].get("train_mode"):
        cfg["Global"].pop("iter_per_epoch", None), cfg["Global"].pop("train_mode", None)
    spe, freq = 7, cfg["Global"].get("update_freq", 1)
    b = _quiet(ppcls.build, cfg, steps_per_epoch=spe)
    out = ppcls.export(b.schedule, steps_per_epoch=spe, update_freq=freq, epochs=b.run.epochs)
    back = _quiet(ppcls.schedule, ppcls.loads(ppcls.dumps(out)), steps_per_epoch=spe)
    if isinstance(b.schedule, Plateau):
        assert back == b.schedule
        return
    n = b.run.total_updates
    np.testing.assert_array_equal(back.values(range(n)), b.schedule.values(range(n)))
    np.testing.assert_array_equal(ppcls.reference(out, steps_per_epoch=spe), b.schedule.values(range(n)))


# ---------------------------------------------------------------------------------------------------------------
# Optimizers: lrparity's torch optimizer against paddle's, built as PaddleClas builds it, 30 updates
# ---------------------------------------------------------------------------------------------------------------

STEPS = 30
RTOL, ATOL = 1e-5, 5e-6


class TorchNet(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = torch.nn.Linear(6, 8)
        self.fc2 = torch.nn.Linear(8, 3)
        self.pos_embed = torch.nn.Parameter(torch.zeros(1, 8))  # 2-D, excluded by name only
        self.bn_gain = torch.nn.Parameter(torch.ones(3))  # 1-D, named like a norm layer

    def forward(self, x: Any) -> Any:
        return self.fc2(torch.tanh(self.fc1(x) + self.pos_embed)) * self.bn_gain


class PaddleNet(paddle.nn.Layer):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = paddle.nn.Linear(6, 8)
        self.fc2 = paddle.nn.Linear(8, 3)
        self.pos_embed = self.create_parameter([1, 8])
        self.bn_gain = self.create_parameter([3])

    def forward(self, x: Any) -> Any:
        return self.fc2(paddle.tanh(self.fc1(x) + self.pos_embed)) * self.bn_gain


def _twins() -> tuple[Any, Any]:
    rng = np.random.default_rng(0)
    shapes = {"fc1.weight": (8, 6), "fc1.bias": (8,), "fc2.weight": (3, 8), "fc2.bias": (3,), "pos_embed": (1, 8)}
    values = {k: rng.normal(0, 0.5, s).astype(np.float32) for k, s in shapes.items()}
    values["bn_gain"] = (1 + rng.normal(0, 0.1, (3,))).astype(np.float32)
    tnet, pnet = TorchNet(), PaddleNet()
    with torch.no_grad():
        for name, p in tnet.named_parameters():
            p.copy_(torch.from_numpy(values[name]))
    for name, p in pnet.named_parameters():
        p.set_value(values[name].T.copy() if name.endswith("weight") else values[name])
    return tnet, pnet


class _ListLR(paddle.optimizer.lr.LRScheduler):
    def __init__(self, values: np.ndarray) -> None:
        self.lrs = [float(v) for v in values]
        super().__init__(learning_rate=self.lrs[0])

    def get_lr(self) -> float:
        return self.lrs[min(self.last_epoch, len(self.lrs) - 1)]


def _paddleclas_optimizer(block: dict[str, Any], layer: Any, lr: Any) -> Any:
    """``build_optimizer`` + the wrapper classes of ``ppcls/optimizer/optimizer.py``, restated for one model."""
    cfg = copy.deepcopy(block)
    name = cfg.pop("name")
    cfg.pop("lr")
    if cfg.get("regularizer") is not None:
        reg = cfg.pop("regularizer")
        cfg.pop("weight_decay", None)
        cfg["weight_decay"] = getattr(paddle.regularizer, reg.pop("name") + "Decay")(**reg)
    clip = paddle.nn.ClipGradByNorm(clip_norm=cfg.pop("clip_norm")) if "clip_norm" in cfg else None
    wd = cfg.pop("weight_decay", None)
    names = (cfg.pop("no_weight_decay_name", None) or "").split()
    one_dim = cfg.pop("one_dim_param_no_weight_decay", False)
    named = list(layer.named_parameters())
    excluded = [p for n, p in named if any(s in n for s in names) or (one_dim and len(p.shape) == 1)]
    kept = [p for _, p in named if all(p is not q for q in excluded)]
    common = {"learning_rate": lr, "grad_clip": clip}
    if name == "SGD":
        return paddle.optimizer.SGD(parameters=layer.parameters(), weight_decay=wd, **common, **cfg)
    if name == "Momentum":
        params = layer.parameters()
        if names:
            params = [{"params": kept, "weight_decay": wd}, {"params": excluded, "weight_decay": 0.0}]
        return paddle.optimizer.Momentum(
            momentum=cfg["momentum"], use_nesterov=cfg.get("use_nesterov", False), weight_decay=wd,
            multi_precision=cfg.get("multi_precision", True), parameters=params, use_multi_tensor=True, **common,
        )  # fmt: skip
    if name == "Adam":
        return paddle.optimizer.Adam(parameters=layer.parameters(), weight_decay=wd, **common, **cfg)
    if name == "RMSProp":
        params = [{"params": kept, "weight_decay": wd}, {"params": excluded, "weight_decay": 0.0}] if excluded else kept
        return paddle.optimizer.RMSProp(parameters=params, weight_decay=wd, **common, **cfg)
    skip = {p.name for p in excluded}
    return paddle.optimizer.AdamW(
        parameters=layer.parameters(), weight_decay=wd, apply_decay_param_fun=lambda n: n not in skip, **common,
        beta1=cfg.get("beta1", 0.9), beta2=cfg.get("beta2", 0.999), epsilon=cfg.get("epsilon", 1e-8),
    )  # fmt: skip


OPTIMIZER_CASES = {
    # optimizer type: (config, its Optimizer block changed as noted)
    "SGD+L2": ("dch_sgd", {}),
    "Momentum+L2": ("resnet50_piecewise", {}),
    "Momentum+nesterov+no_weight_decay_name": ("fixmatch_4000", {}),
    "Momentum+weight_decay_key": ("dkd_multistep", {}),
    "Momentum+L1 (derived)": ("resnet50_piecewise", {"regularizer": {"name": "L1", "coeff": 1e-3}}),
    "Adam+L2": ("xbm_plateau", {"lr": {"name": "Cosine", "learning_rate": 1e-2, "warmup_epoch": 1}}),
    "Adam+clip_norm": ("strong_baseline_attr_fails", {"lr": {"name": "Piecewise", "decay_epochs": [2, 4],
                                                             "values": [1e-2, 1e-3, 1e-4]}, "clip_norm": 0.05}),
    "RMSProp+one_dim+L2": ("tinynet_a_step", {}),
    "AdamW+no_weight_decay_name+one_dim": ("cvt13_cosine_by_epoch", {}),
    "AdamW+clip_norm": ("mobilevitv2_cosine_clip", {"clip_norm": 0.05}),
}  # fmt: skip


@pytest.mark.parametrize("case", list(OPTIMIZER_CASES))
def test_optimizer_matches_paddle(case: str) -> None:
    stem, change = OPTIMIZER_CASES[case]
    cfg = _scaled(ppcls.read_config(DATA / f"{stem}.yaml"), epochs=12)
    cfg["Global"].pop("train_mode", None)
    cfg["Global"].pop("iter_per_epoch", None)
    cfg["Optimizer"].update(copy.deepcopy(change))
    spe = 3 * cfg["Global"].get("update_freq", 1)
    lrs = ppcls.reference(cfg, steps_per_epoch=spe, steps=STEPS)
    tnet, pnet = _twins()
    opt, sched, pre_step = _quiet(ppcls.torch_optimizer, cfg, tnet, steps_per_epoch=spe)
    popt = _paddleclas_optimizer(cfg["Optimizer"], pnet, _ListLR(lrs))
    rng = np.random.default_rng(1)
    seen = []
    for _ in range(STEPS):
        x = rng.normal(0, 1, (16, 6)).astype(np.float32)
        y = rng.normal(0, 1, (16, 3)).astype(np.float32)
        seen.append(opt.param_groups[0]["lr"])
        torch.nn.functional.mse_loss(tnet(torch.from_numpy(x)), torch.from_numpy(y)).backward()
        if pre_step is not None:
            pre_step()
        opt.step()
        opt.zero_grad()
        sched.step()
        paddle.nn.functional.mse_loss(pnet(paddle.to_tensor(x)), paddle.to_tensor(y)).backward()
        popt.step()
        popt.clear_grad()
        popt._learning_rate.step()
    assert seen == lrs.tolist()
    pvals = dict(pnet.named_parameters())
    for name, p in tnet.named_parameters():
        q = pvals[name].numpy()
        np.testing.assert_allclose(p.detach().numpy(), q.T if name.endswith("weight") else q, RTOL, ATOL, err_msg=name)


def test_paddle_optimizer_is_paddleclas_optimizer() -> None:
    """lrparity.recipes.ppcls.paddle_optimizer builds what PaddleClas builds (same groups, same lrs)."""
    cfg = _scaled(ppcls.read_config(DATA / "fixmatch_4000.yaml"), epochs=4)
    _, pnet = _twins()
    opt, sched = _quiet(ppcls.paddle_optimizer, cfg, pnet)
    assert type(opt).__name__ == "Momentum" and opt._use_nesterov and opt._use_multi_tensor
    assert [g["weight_decay"] for g in opt._param_groups] == [None, None]  # fused into the momentum kernel
    assert [len(g["params"]) for g in opt._param_groups] == [3, 3]  # 'bias' and 'bn' names excluded
    lrs = []
    for _ in range(20):
        lrs.append(opt.get_lr())
        sched.step()
    assert lrs == ppcls.reference(cfg, steps=20).tolist()
