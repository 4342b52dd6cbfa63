"""PaddleOCR Optimizer blocks: parsing, and torch vs paddle training parity of the built optimizers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch")
paddle = pytest.importorskip("paddle")
np = pytest.importorskip("numpy")

from lrparity.ppocr.optimizers import (  # noqa: E402
    VALID_OPTIMIZER_NAMES,
    OptimizerSpec,
    build_paddle_optimizer,
    build_torch_optimizer,
    paddle_clip_grad_by_global_norm_,
    paddle_clip_grad_by_norm_,
    parse_optimizer_block,
)
from tests.helpers import assert_imports_no_framework  # noqa: E402

REPO = Path(__file__).resolve().parents[1]

STEPS = 30
# An LR that changes every step (and goes up as well as down).
LRS = [0.02 * (0.5 + 0.5 * abs(np.sin(0.7 * k))) + 1e-3 * k for k in range(STEPS)]
# Twin training: forward/backward already differ by float32 rounding (~1e-7), which accumulates over 30 steps;
# weights are O(1), so an absolute 5e-6 is 5e-6 relative to the weight scale.
RTOL = 1e-5
ATOL = 5e-6
# Optimizer only (both sides get the very same gradients): only the float32 rounding order of the update
# differs. A weight that travelled from ~1 to ~0 keeps the rounding errors of its O(1) past, so the absolute
# tolerance is a few ulps of 1.0 accumulated over 30 steps.
RTOL_SAME_GRADS = 1e-5
ATOL_SAME_GRADS = 1e-6


# ----------------------------------------------------------------------------------------------------
# Tiny twin models
# ----------------------------------------------------------------------------------------------------


class TorchNet(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = torch.nn.Linear(6, 8)
        self.fc2 = torch.nn.Linear(8, 3)
        self.pos_embed = torch.nn.Parameter(torch.zeros(1, 8))  # 2-D, excluded by name only
        self.gain = torch.nn.Parameter(torch.ones(3))  # 1-D, "bias-like"

    def forward(self, x: Any) -> Any:
        h = torch.tanh(self.fc1(x) + self.pos_embed)
        return self.fc2(h) * self.gain


class PaddleNet(paddle.nn.Layer):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = paddle.nn.Linear(6, 8)
        self.fc2 = paddle.nn.Linear(8, 3)
        self.pos_embed = self.create_parameter([1, 8])
        self.gain = self.create_parameter([3])

    def forward(self, x: Any) -> Any:
        h = paddle.tanh(self.fc1(x) + self.pos_embed)
        return self.fc2(h) * self.gain


def _init_values(seed: int = 0) -> dict[str, Any]:
    """float32 initial weights in torch layout (Linear weight is [out, in])."""
    rng = np.random.default_rng(seed)
    return {
        "fc1.weight": rng.normal(0, 0.5, (8, 6)).astype(np.float32),
        "fc1.bias": rng.normal(0, 0.1, (8,)).astype(np.float32),
        "fc2.weight": rng.normal(0, 0.5, (3, 8)).astype(np.float32),
        "fc2.bias": rng.normal(0, 0.1, (3,)).astype(np.float32),
        "pos_embed": rng.normal(0, 0.1, (1, 8)).astype(np.float32),
        "gain": (1.0 + rng.normal(0, 0.1, (3,))).astype(np.float32),
    }


def _paddle_layout(name: str, value: Any) -> Any:
    return value.T.copy() if name.endswith("weight") else value


def _make_twins(seed: int = 0) -> tuple[Any, Any]:
    values = _init_values(seed)
    tnet = TorchNet()
    pnet = PaddleNet()
    with torch.no_grad():
        for name, p in tnet.named_parameters():
            p.copy_(torch.from_numpy(values[name]))
    for name, p in pnet.named_parameters():
        p.set_value(_paddle_layout(name, values[name]))
    return tnet, pnet


def _data(seed: int = 1) -> tuple[Any, Any]:
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, (STEPS, 16, 6)).astype(np.float32)
    y = rng.normal(0, 1, (STEPS, 16, 3)).astype(np.float32)
    return x, y


class ListLR(paddle.optimizer.lr.LRScheduler):
    """A Paddle scheduler returning a given list of values, one per step()."""

    def __init__(self, values: list[float]) -> None:
        self.values_list = [float(v) for v in values]
        super().__init__(learning_rate=self.values_list[0])

    def get_lr(self) -> float:
        return self.values_list[min(self.last_epoch, len(self.values_list) - 1)]


def _train_torch(spec: OptimizerSpec, net: Any, lrs: list[float]) -> None:
    x, y = _data()
    opt, pre_step = build_torch_optimizer(spec, net, lrs[0])
    for k in range(STEPS):
        for group in opt.param_groups:
            group["lr"] = lrs[k] * group["lr_scale"]
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(net(torch.from_numpy(x[k])), torch.from_numpy(y[k]))
        loss.backward()
        if pre_step is not None:
            pre_step()
        opt.step()


def _train_paddle(spec: OptimizerSpec, net: Any, lrs: list[float]) -> None:
    x, y = _data()
    sched = ListLR(lrs)
    opt = build_paddle_optimizer(spec, net, sched)
    for k in range(STEPS):
        loss = paddle.nn.functional.mse_loss(net(paddle.to_tensor(x[k])), paddle.to_tensor(y[k]))
        loss.backward()
        opt.step()
        opt.clear_grad()
        sched.step()


def _max_diff(tnet: Any, pnet: Any, rtol: float = RTOL, atol: float = ATOL) -> float:
    pvals = dict(pnet.named_parameters())
    worst = 0.0
    for name, tp in tnet.named_parameters():
        t = tp.detach().numpy()
        p = _paddle_layout(name, pvals[name].numpy())
        np.testing.assert_allclose(t, p, rtol=rtol, atol=atol, err_msg=name)
        worst = max(worst, float(np.max(np.abs(t - p))))
    return worst


def _moved(tnet: Any, seed: int = 0) -> float:
    init = _init_values(seed)
    return max(float(np.max(np.abs(p.detach().numpy() - init[n]))) for n, p in tnet.named_parameters())


PARITY_CASES: dict[str, dict[str, Any]] = {
    "adam": {"name": "Adam", "beta1": 0.9, "beta2": 0.999},
    "adam_l2": {"name": "Adam", "beta1": 0.9, "beta2": 0.99, "regularizer": {"name": "L2", "factor": "1e-2"}},
    "adam_l1": {"name": "Adam", "regularizer": {"name": "L1", "factor": 1e-3}},
    "adam_l2_clip": {"name": "Adam", "clip_norm": 0.05, "regularizer": {"name": "L2", "factor": 1e-2}},
    "adam_clip_global": {"name": "Adam", "clip_norm_global": 0.1},
    "momentum": {"name": "Momentum", "momentum": 0.9},
    "momentum_l2": {"name": "Momentum", "momentum": 0.9, "regularizer": {"name": "L2", "factor": 1e-2}},
    "momentum_wd_key_clip_global": {
        "name": "Momentum",
        "momentum": 0.9,
        "clip_norm_global": 0.1,
        "weight_decay": 1e-2,
    },
    "momentum_clip": {"name": "Momentum", "momentum": 0.9, "clip_norm": 0.05},
    "adamw_names_1d": {
        "name": "AdamW",
        "beta1": 0.9,
        "beta2": 0.99,
        "epsilon": 1e-8,
        "weight_decay": 0.5,
        "no_weight_decay_name": "norm pos_embed",
        "one_dim_param_no_weight_decay": True,
    },
    "adamw_name_only": {"name": "AdamW", "weight_decay": 0.5, "no_weight_decay_name": "fc2"},
    "adamw_default_wd_clip": {"name": "AdamW", "clip_norm": 0.05},
    "adamw_l2_factor_clip_global": {
        "name": "AdamW",
        "clip_norm_global": 0.1,
        "regularizer": {"name": "L2", "factor": 0.3},
    },
    "adadelta": {"name": "Adadelta"},
    "adadelta_l2": {
        "name": "Adadelta",
        "momentum": 0.9,
        "weight_deacy": 0.0,
        "regularizer": {"name": "L2", "factor": 1e-2},
    },
    "adadelta_clip": {"name": "Adadelta", "epsilon": 1e-8, "rho": 0.95, "clip_norm": 0.05},
    "rmsprop": {"name": "RMSProp"},
    "rmsprop_l2": {"name": "RMSProp", "regularizer": {"name": "L2", "factor": 5e-2}},
    "rmsprop_momentum": {"name": "RMSProp", "momentum": 0.9, "rho": 0.9, "epsilon": 1e-6},
    "rmsprop_momentum_l2_clip_global": {
        "name": "RMSProp",
        "momentum": 0.9,
        "clip_norm_global": 0.1,
        "regularizer": {"name": "L2", "factor": 5e-2},
    },
    "rmsprop_clip": {"name": "RMSProp", "momentum": 0.5, "clip_norm": 0.05},
}


@pytest.mark.parametrize("case", sorted(PARITY_CASES))
def test_torch_matches_paddle_training(case: str) -> None:
    block = dict(PARITY_CASES[case], lr={"name": "Cosine", "learning_rate": 0.01})
    spec = parse_optimizer_block(block)
    # Adadelta's steps are ~sqrt(eps)-sized: it is used with LRs around 1.
    lrs = [lr * (50.0 if spec.name == "Adadelta" else 1.0) for lr in LRS]
    tnet, pnet = _make_twins()
    _train_torch(spec, tnet, lrs)
    _train_paddle(spec, pnet, lrs)
    assert _moved(tnet) > 1e-2  # the optimizer really trained
    diff = _max_diff(tnet, pnet)
    print(f"{case}: moved {_moved(tnet):.3g}, max |torch - paddle| = {diff:.3g}")


@pytest.mark.parametrize("case", sorted(PARITY_CASES))
def test_torch_matches_paddle_with_identical_gradients(case: str) -> None:
    """Same as above, but paddle receives torch's gradients bit for bit: this isolates the optimizer."""
    spec = parse_optimizer_block(PARITY_CASES[case])
    lrs = [lr * (50.0 if spec.name == "Adadelta" else 1.0) for lr in LRS]
    tnet, pnet = _make_twins()
    x, y = _data()
    topt, pre_step = build_torch_optimizer(spec, tnet, lrs[0])
    sched = ListLR(lrs)
    popt = build_paddle_optimizer(spec, pnet, sched)
    pvals = dict(pnet.named_parameters())
    for k in range(STEPS):
        for group in topt.param_groups:
            group["lr"] = lrs[k] * group["lr_scale"]
        topt.zero_grad()
        torch.nn.functional.mse_loss(tnet(torch.from_numpy(x[k])), torch.from_numpy(y[k])).backward()
        # d/dp sum(p * G) is exactly G.
        grads = {n: _paddle_layout(n, tp.grad.numpy()) for n, tp in tnet.named_parameters()}
        surrogate = sum((pvals[n] * paddle.to_tensor(g)).sum() for n, g in grads.items())
        surrogate.backward()
        if pre_step is not None:
            pre_step()
        topt.step()
        popt.step()
        popt.clear_grad()
        sched.step()
    diff = _max_diff(tnet, pnet, RTOL_SAME_GRADS, ATOL_SAME_GRADS)
    print(f"{case}: same gradients, max |torch - paddle| = {diff:.3g}")


def test_adamw_groups_follow_names_and_one_dim_rule() -> None:
    spec = parse_optimizer_block(PARITY_CASES["adamw_names_1d"])
    tnet = TorchNet()
    opt, pre_step = build_torch_optimizer(spec, tnet, 0.1)
    assert pre_step is None
    names = {id(p): n for n, p in tnet.named_parameters()}
    by_wd = {g["weight_decay"]: sorted(names[id(p)] for p in g["params"]) for g in opt.param_groups}
    assert by_wd == {0.5: ["fc1.weight", "fc2.weight"], 0.0: ["fc1.bias", "fc2.bias", "gain", "pos_embed"]}

    spec = parse_optimizer_block(PARITY_CASES["adamw_name_only"])
    opt, _ = build_torch_optimizer(spec, tnet, 0.1)
    by_wd = {g["weight_decay"]: sorted(names[id(p)] for p in g["params"]) for g in opt.param_groups}
    assert by_wd == {0.5: ["fc1.bias", "fc1.weight", "gain", "pos_embed"], 0.0: ["fc2.bias", "fc2.weight"]}
    with pytest.raises(ValueError, match="structured parameter names"):
        build_torch_optimizer(spec, tnet.parameters(), 0.1)
    opt, _ = build_torch_optimizer(spec, list(tnet.named_parameters()), 0.1)
    assert len(opt.param_groups) == 2


def test_paddle_rmsprop_centered_matches_paddle() -> None:
    """PaddleOCR never passes centered=True, but PaddleRMSProp implements it: check it against paddle."""
    from lrparity.ppocr.optimizers import PaddleRMSProp

    tnet, pnet = _make_twins()
    x, y = _data()
    topt = PaddleRMSProp(
        tnet.parameters(), lr=LRS[0], rho=0.9, eps=1e-6, momentum=0.8, centered=True, weight_decay=1e-2
    )
    sched = ListLR(LRS)
    popt = paddle.optimizer.RMSProp(
        learning_rate=sched,
        rho=0.9,
        epsilon=1e-6,
        momentum=0.8,
        centered=True,
        parameters=pnet.parameters(),
        weight_decay=1e-2,
    )
    for k in range(STEPS):
        for g in topt.param_groups:
            g["lr"] = LRS[k]
        topt.zero_grad()
        torch.nn.functional.mse_loss(tnet(torch.from_numpy(x[k])), torch.from_numpy(y[k])).backward()
        topt.step()
        paddle.nn.functional.mse_loss(pnet(paddle.to_tensor(x[k])), paddle.to_tensor(y[k])).backward()
        popt.step()
        popt.clear_grad()
        sched.step()
    assert _moved(tnet) > 1e-3
    _max_diff(tnet, pnet)


def test_rmsprop_steps_match_paddle_kernel() -> None:
    """Same gradients in: the mean square is bit-exact; the rest is within a few float32 ulps.

    Paddle's CPU kernel evaluates ``sqrt`` with Eigen's vectorised fast-math square root, which is not
    correctly rounded (1-3 ulp off), so the momentum buffer and the parameters cannot be bit-exact on CPU.
    """
    from lrparity.ppocr.optimizers import PaddleRMSProp

    rng = np.random.default_rng(3)
    w0 = rng.normal(0, 1, (256,)).astype(np.float32)
    grads = [rng.normal(0, 1, (256,)).astype(np.float32) for _ in range(5)]
    tp = torch.nn.Parameter(torch.from_numpy(w0.copy()))
    pp = paddle.create_parameter([256], "float32")
    pp.set_value(w0)
    topt = PaddleRMSProp([tp], lr=0.01, momentum=0.9)
    sched = ListLR(LRS)
    popt = paddle.optimizer.RMSProp(learning_rate=sched, momentum=0.9, parameters=[pp])
    for k, g in enumerate(grads):
        topt.param_groups[0]["lr"] = LRS[k]
        tp.grad = torch.from_numpy(g.copy())
        topt.step()
        (pp * paddle.to_tensor(g)).sum().backward()
        popt.step()
        popt.clear_grad()
        sched.step()
        ms_paddle = popt._accumulators["mean_square"][pp.name].numpy()
        np.testing.assert_array_equal(topt.state[tp]["mean_square"].numpy(), ms_paddle)
        mom_paddle = popt._accumulators["momentum"][pp.name].numpy()
        np.testing.assert_allclose(topt.state[tp]["moment"].numpy(), mom_paddle, rtol=1e-6, atol=5e-8)
        np.testing.assert_allclose(tp.detach().numpy(), pp.numpy(), rtol=1e-6, atol=1e-7)


def _visionlan_like(base: Any, linear: Any, tanh: Any) -> Any:
    """A small model with VisionLAN's parameter names (backbone, head.MLM_VRM.{MLM, Prediction.{pp_share, w_share}})
    in one framework: ``base`` is torch.nn.Module or paddle.nn.Layer, ``linear`` its Linear, ``tanh`` its tanh."""

    def container(**children: Any) -> Any:
        m = base()
        for name, child in children.items():
            setattr(m, name, child)
        return m

    class Model(base):
        def __init__(self) -> None:
            super().__init__()
            self.backbone = linear(4, 3)
            mlm = linear(3, 3)
            prediction = container(pp_share=linear(3, 3), w_share=linear(3, 3))
            self.head = container(MLM_VRM=container(MLM=mlm, Prediction=prediction))

        def forward(self, x: Any) -> Any:
            h = tanh(self.backbone(x))
            p = self.head.MLM_VRM.Prediction
            return p.w_share(tanh(p.pp_share(tanh(self.head.MLM_VRM.MLM(h)))))

    return Model()


def test_visionlan_group_lr_matches_paddle() -> None:
    """group_lr + training_step LF_2: the non-MLM group's LR is multiplied by values[0] * 0.1."""

    block = {"name": "Adam", "group_lr": True, "training_step": "LF_2", "clip_norm": 20.0}
    spec = parse_optimizer_block(block)
    assert spec.group_lr
    tnet = _visionlan_like(torch.nn.Module, torch.nn.Linear, torch.tanh)
    pnet = _visionlan_like(paddle.nn.Layer, paddle.nn.Linear, paddle.tanh)
    rng = np.random.default_rng(5)
    pvals = dict(pnet.named_parameters())
    with torch.no_grad():
        for n, tp in tnet.named_parameters():
            v = rng.normal(0, 0.5, tuple(tp.shape)).astype(np.float32)
            tp.copy_(torch.from_numpy(v))
            pvals[n].set_value(_paddle_layout(n, v))
    values = [0.05, 0.01]
    boundaries = [15]
    lrs = [values[0] if k < boundaries[0] else values[1] for k in range(STEPS)]
    x = rng.normal(0, 1, (STEPS, 8, 4)).astype(np.float32)
    y = rng.normal(0, 1, (STEPS, 8, 3)).astype(np.float32)

    with pytest.raises(ValueError, match="group_lr_scale"):
        build_torch_optimizer(spec, tnet, lrs[0])
    topt, pre_step = build_torch_optimizer(spec, tnet, lrs[0], group_lr_scale=values[0] * 0.1)
    sched = paddle.optimizer.lr.PiecewiseDecay(boundaries, values)
    popt = build_paddle_optimizer(spec, pnet, sched)  # reads values[0] like PaddleOCR
    assert [g["lr_scale"] for g in topt.param_groups] == [1.0, values[0] * 0.1]
    for k in range(STEPS):
        for g in topt.param_groups:
            g["lr"] = lrs[k] * g["lr_scale"]
        topt.zero_grad()
        torch.nn.functional.mse_loss(tnet(torch.from_numpy(x[k])), torch.from_numpy(y[k])).backward()
        pre_step()
        topt.step()
        paddle.nn.functional.mse_loss(pnet(paddle.to_tensor(x[k])), paddle.to_tensor(y[k])).backward()
        popt.step()
        popt.clear_grad()
        sched.step()
    pv = dict(pnet.named_parameters())
    for n, tp in tnet.named_parameters():
        expected = _paddle_layout(n, pv[n].numpy())
        np.testing.assert_allclose(tp.detach().numpy(), expected, rtol=RTOL, atol=ATOL)


# ----------------------------------------------------------------------------------------------------
# Clipping helpers
# ----------------------------------------------------------------------------------------------------


def _grad_pairs(seed: int, scale: float) -> tuple[list[Any], list[tuple[Any, Any]]]:
    rng = np.random.default_rng(seed)
    arrays = [(scale * rng.normal(0, 1, shape)).astype(np.float32) for shape in [(5, 7), (7,), (3, 2, 2)]]
    tparams = []
    pairs = []
    for a in arrays:
        tp = torch.nn.Parameter(torch.zeros(a.shape))
        tp.grad = torch.from_numpy(a.copy())
        tparams.append(tp)
        pp = paddle.create_parameter(list(a.shape), "float32")
        pairs.append((pp, paddle.to_tensor(a)))
    return tparams, pairs


# (gradient scale, clip value): no clipping, clipping, heavy clipping, and tiny norms where torch's
# ``c / (norm + 1e-6)`` would be off by ~2e-3.
CLIP_CASES = [(0.01, 1.5), (1.0, 1.5), (50.0, 1.5), (1e-4, 2e-4)]


# kind -> (seed of its gradients, our clip, paddle's clip class)
CLIPS = {
    "norm": (7, paddle_clip_grad_by_norm_, paddle.nn.ClipGradByNorm),
    "global_norm": (8, paddle_clip_grad_by_global_norm_, paddle.nn.ClipGradByGlobalNorm),
}


@pytest.mark.parametrize("kind", list(CLIPS))
@pytest.mark.parametrize(("scale", "clip"), CLIP_CASES)
def test_clip_matches_paddle(scale: float, clip: float, kind: str) -> None:
    seed, ours, theirs = CLIPS[kind]
    tparams, pairs = _grad_pairs(seed, scale)
    ours(tparams, clip)
    out = theirs(clip_norm=clip)(pairs)
    for tp, (_, g) in zip(tparams, out):
        np.testing.assert_allclose(tp.grad.numpy(), g.numpy(), rtol=2e-7, atol=0)
    if kind == "global_norm" and scale == 0.01:  # below the threshold Paddle multiplies by exactly 1.0
        for tp, (_, g) in zip(tparams, pairs):
            np.testing.assert_array_equal(tp.grad.numpy(), g.numpy())


# ----------------------------------------------------------------------------------------------------
# Parsing
# ----------------------------------------------------------------------------------------------------


# The corpus (tests/data/ppocr_configs.yaml, YAML 1.1 strings such as '1e-6' kept as PaddleOCR reads them) comes
# from the root conftest.py's ppocr_corpus fixture.


# Blocks PaddleOCR fails to build in the optimizer step (NOTES.md); the LR-step failures are not ours.
EXPECTED_FAILURES = {
    56: "float\\('5.0-05'\\)",
    68: "ConstDecay",
    69: "ConstDecay",
}


def test_every_corpus_block_parses_or_fails_as_documented(ppocr_corpus: list[dict[str, Any]]) -> None:
    entries = ppocr_corpus
    assert len(entries) == 89
    seen_failures = set()
    for entry in entries:
        idx = entry["index"]
        if idx in EXPECTED_FAILURES:
            with pytest.raises(ValueError, match=EXPECTED_FAILURES[idx]):
                parse_optimizer_block(entry["optimizer"])
            seen_failures.add(idx)
            continue
        spec = parse_optimizer_block(entry["optimizer"])
        assert spec.name in VALID_OPTIMIZER_NAMES
        assert spec.name == entry["optimizer"]["name"]
    assert seen_failures == set(EXPECTED_FAILURES)


def test_every_parsable_corpus_block_builds_in_both_frameworks(ppocr_corpus: list[dict[str, Any]]) -> None:
    entries = ppocr_corpus
    tnet, pnet = _make_twins()
    for entry in entries:
        if entry["index"] in EXPECTED_FAILURES:
            continue
        spec = parse_optimizer_block(entry["optimizer"])
        opt, _ = build_torch_optimizer(spec, tnet, 1e-3)
        assert sum(len(g["params"]) for g in opt.param_groups) == 6
        build_paddle_optimizer(spec, pnet, 1e-3)


def test_corpus_specific_semantics(ppocr_corpus: list[dict[str, Any]]) -> None:
    blocks = {e["index"]: e["optimizer"] for e in ppocr_corpus}
    # YAML string factor (PP-OCRv4 seal det) goes through float().
    assert parse_optimizer_block(blocks[4]).l2_coupled == 1e-6
    # Adam with L2 regularizer: coupled.
    s = parse_optimizer_block(blocks[0])
    assert (s.beta1, s.beta2, s.epsilon, s.l2_coupled, s.weight_decay_origin) == (
        0.9,
        0.999,
        1e-8,
        1e-5,
        "regularizer L2",
    )
    # Bare Adam: Paddle defaults, no regularization.
    s = parse_optimizer_block(blocks[7])
    assert (s.beta1, s.beta2, s.epsilon, s.l2_coupled, s.clip_norm) == (0.9, 0.999, 1e-8, None, None)
    # Momentum with weight_decay key and global clip (rec_d28_can).
    s = parse_optimizer_block(blocks[32])
    assert (s.momentum, s.l2_coupled, s.weight_decay_origin, s.clip_norm_global, s.clip_norm) == (
        0.9,
        1e-4,
        "weight_decay key",
        100.0,
        None,
    )
    # AdamW coefficient: key, else L2 factor, else 0.01.
    assert parse_optimizer_block(blocks[18]).adamw_weight_decay == 0.05
    assert parse_optimizer_block(blocks[13]).adamw_weight_decay == 0.0
    assert parse_optimizer_block(blocks[13]).clip_norm == 10.0
    s = parse_optimizer_block(blocks[17])
    assert (s.adamw_weight_decay, s.weight_decay_origin) == (0.01, "AdamW default 0.01")
    assert any("0.01" in w for w in s.warnings)
    assert parse_optimizer_block(blocks[38]).adamw_weight_decay == 0.01
    assert parse_optimizer_block(blocks[38]).l2_coupled is None
    s = parse_optimizer_block(blocks[22])
    assert s.no_weight_decay_name == (
        "norm",
        "pos_embed",
        "char_node_embed",
        "pos_node_embed",
        "char_pos_embed",
        "vis_pos_embed",
    )
    assert s.one_dim_param_no_weight_decay and s.beta2 == 0.99
    s = parse_optimizer_block(blocks[43])
    assert (s.adamw_weight_decay, s.clip_norm_global) == (0.0, 5.0)
    # Adadelta: defaults and silently ignored keys.
    s = parse_optimizer_block(blocks[33])
    assert (s.rho, s.epsilon, s.l2_coupled) == (0.95, 1e-8, None)
    s = parse_optimizer_block(blocks[44])
    assert s.ignored_keys == ("momentum", "weight_deacy")
    assert s.l2_coupled == 2e-5
    assert any("'momentum'" in w for w in s.warnings)
    assert any("weight_deacy" in w and "did you mean 'weight_decay'" in w for w in s.warnings)
    # RMSProp (history e2e config): Paddle defaults, coupled L2.
    s = parse_optimizer_block(blocks[74])
    assert (s.rho, s.epsilon, s.momentum, s.centered, s.l2_coupled) == (0.95, 1e-6, 0.0, False, 5e-5)
    # VisionLAN with training_step LA: group_lr inactive, with a warning.
    s = parse_optimizer_block(blocks[41])
    assert not s.group_lr and s.clip_norm == 20.0
    assert any("LF_2" in w for w in s.warnings)
    # Blocks without surprises carry no warnings.
    assert parse_optimizer_block(blocks[0]).warnings == ()
    assert parse_optimizer_block(blocks[25]).warnings == ()


def test_parse_errors_and_warnings() -> None:
    with pytest.raises(ValueError, match="Adam, AdamW, Momentum, Adadelta, RMSProp"):
        parse_optimizer_block({"name": "SGD"})
    with pytest.raises(ValueError, match="ConstDecay"):
        parse_optimizer_block({"name": "Adam", "regularizer": {"name": "Const", "factor": 0.0}})
    with pytest.raises(ValueError, match=r"5\.0-05"):
        parse_optimizer_block({"name": "Adam", "regularizer": {"name": "L2", "factor": "5.0-05"}})
    with pytest.raises(ValueError, match="multiple values"):
        parse_optimizer_block({"name": "Adam", "weight_decay": 1e-4, "regularizer": {"name": "L2"}})
    with pytest.raises(ValueError, match="multiple values"):
        parse_optimizer_block({"name": "Adam", "learning_rate": 0.1})
    with pytest.raises(ValueError, match="momentum"):
        parse_optimizer_block({"name": "Momentum"})
    with pytest.raises(ValueError, match="TypeError"):
        parse_optimizer_block({"name": "AdamW", "regularizer": {"name": "L1", "factor": 0.1}})
    with pytest.raises(ValueError, match="beta1"):
        parse_optimizer_block({"name": "Adam", "beta1": 1.0})
    with pytest.raises(ValueError, match="number"):
        parse_optimizer_block({"name": "Adam", "weight_decay": "1e-4"})
    with pytest.raises(TypeError):
        parse_optimizer_block(["Adam"])  # type: ignore[arg-type]

    # The name is used as is when regularizer.py defines it.
    s = parse_optimizer_block({"name": "Adam", "regularizer": {"name": "L2Decay", "factor": 1}})
    assert s.l2_coupled == 1.0
    # regularizer: null falls back to the weight_decay key.
    s = parse_optimizer_block({"name": "Adam", "regularizer": None, "weight_decay": 3e-4})
    assert (s.l2_coupled, s.weight_decay_origin) == (3e-4, "weight_decay key")
    # The lr block is not looked at.
    s = parse_optimizer_block({"name": "RMSProp", "lr": {"name": "Nonsense", "foo": 1}})
    assert s.warnings == ()
    # clip_norm wins over clip_norm_global.
    s = parse_optimizer_block({"name": "Adam", "clip_norm": 1.0, "clip_norm_global": 2.0})
    assert (s.clip_norm, s.clip_norm_global) == (1.0, None)
    assert any("clip_norm_global" in w for w in s.warnings)
    # Keys a wrapper swallows.
    s = parse_optimizer_block({"name": "Momentum", "momentum": 0.9, "use_nesterov": True, "epsilon": 1e-8})
    assert s.ignored_keys == ("epsilon", "use_nesterov")
    assert any("non-Nesterov" in w for w in s.warnings)
    s = parse_optimizer_block({"name": "RMSProp", "centered": True})
    assert not s.centered and s.ignored_keys == ("centered",)
    s = parse_optimizer_block({"name": "AdamW", "group_lr": True, "beta1": 0.9})
    assert s.ignored_keys == ("group_lr",) and not s.group_lr
    # L1 regularizer on Adam is coupled L1.
    s = parse_optimizer_block({"name": "Adam", "regularizer": {"name": "L1", "factor": 1e-3}})
    assert (s.l1_coupled, s.l2_coupled, s.weight_decay_origin) == (1e-3, None, "regularizer L1")


def test_import_does_not_pull_torch_or_paddle() -> None:
    assert_imports_no_framework("import lrparity.ppocr.optimizers as m; m.parse_optimizer_block({'name': 'Adam'})")


@pytest.mark.parametrize("model", [None, 3, "model", {"w": 1}])
def test_a_missing_model_is_named(model: Any) -> None:
    from lrparity.ppocr import paddle_optimizer, torch_optimizer

    cfg = {"name": "Adam", "lr": {"name": "Cosine", "learning_rate": 0.001}}
    with pytest.raises(TypeError, match=r"model_or_params \(the model\) must be an nn.Module"):
        torch_optimizer(cfg, model, 2, 3)
    with pytest.raises(TypeError, match=r"parameters_or_layer \(the model\) must be a paddle.nn.Layer"):
        paddle_optimizer(cfg, model, 2, 3)
