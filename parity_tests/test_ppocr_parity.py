"""PaddleOCR migration parity: every Optimizer block of the corpus against a native paddle run built the
PaddleOCR way, and short training runs (paddle natively vs torch through lrparity.ppocr) per lr class.

The reference (:mod:`lrparity.ppocr.reference`) uses paddle's own schedulers (``LinearWarmup``,
``CosineAnnealingDecay``, ``PolynomialDecay``, ``StepDecay``, ``PiecewiseDecay``, ``MultiStepDecay``) and
re-statements of PaddleOCR's ``CyclicalCosineDecay``/``OneCycleDecay``/``TwoStepCosineDecay``, stepped once per
iteration as ``tools/program.py`` does; it never uses lrparity's core.
"""

from __future__ import annotations

import importlib.util
from typing import Any

import numpy as np
import pytest

paddle = pytest.importorskip("paddle")

from lrparity.ppocr import build_lr, lr_schedule  # noqa: E402
from lrparity.ppocr.reference import paddle_reference_lrs, paddle_reference_scheduler  # noqa: E402
from tests.helpers import no_ppocr_warnings  # noqa: E402

pytestmark = pytest.mark.paddle


#: Blocks PaddleOCR cannot build while building the LR scheduler (Piecewise with len(values) == len(decay_epochs)).
LR_FAILURES = {15, 60, 61, 70, 74}
#: Blocks whose LR builds but whose optimizer PaddleOCR cannot build ('5.0-05'; regularizer name Const).
OPTIMIZER_FAILURES = {56, 68, 69}
#: Cap so that one block's run stays short (epochs * spe <= MAX_STEPS).
MAX_STEPS = 20_000


# The corpus (tests/data/ppocr_configs.yaml) comes from the root conftest.py: the ppocr_corpus fixture, and the
# parametrization of every test taking ppocr_entry over its entries.


def test_corpus_is_complete(ppocr_corpus: list[dict[str, Any]]) -> None:
    assert len(ppocr_corpus) == 89
    assert [e["index"] for e in ppocr_corpus] == list(range(89))


@pytest.mark.parametrize("spe", [3, 7])
def test_every_corpus_block(ppocr_entry: dict[str, Any], spe: int) -> None:
    """Each block either matches PaddleOCR's own scheduler at every iteration, or raises the documented error."""
    entry = ppocr_entry
    optimizer_cfg = entry["optimizer"]
    epochs = min(entry["epoch_num"], MAX_STEPS // spe)
    index = entry["index"]
    if index in LR_FAILURES:
        with pytest.raises(ValueError, match="PiecewiseDecay needs one more value than boundaries"):
            lr_schedule(optimizer_cfg, epochs, spe)
        with pytest.raises(ValueError, match="one more element than boundaries"):
            paddle_reference_scheduler(optimizer_cfg, epochs, spe)
        return
    with no_ppocr_warnings():  # notes of approximations the corpus knowingly uses
        ours = lr_schedule(optimizer_cfg, epochs, spe).values(range(epochs * spe))
    ref = paddle_reference_lrs(optimizer_cfg, epochs, spe)
    np.testing.assert_array_equal(ours, ref)  # bit-identical, recursive forms included
    if index in OPTIMIZER_FAILURES:
        from lrparity.ppocr import torch_optimizer
        from lrparity.ppocr.optimizers import parse_optimizer_block

        with pytest.raises(ValueError, match="PaddleOCR"):
            parse_optimizer_block(optimizer_cfg)
        with pytest.raises(ValueError, match="PaddleOCR"):
            torch_optimizer(optimizer_cfg, [], epochs, spe)


def test_long_recursive_cosine_run_is_bit_identical() -> None:
    """Cosine without warmup is paddle's recursion: replayed exactly over a long run (500 epochs x 40 steps)."""
    cfg = {"name": "Adam", "lr": {"name": "Cosine", "learning_rate": 0.001}}
    ours = lr_schedule(cfg, 500, 40).values(range(20_000))
    np.testing.assert_array_equal(ours, paddle_reference_lrs(cfg, 500, 40))


def test_two_step_cosine_both_forms_past_200_epochs() -> None:
    """Without warmup the recursion holds 0 after 200 epochs; with warmup the closed form jumps back up."""
    for warm in (0, 1):
        cfg = {"lr": {"name": "TwoStepCosine", "learning_rate": 0.01, "warmup_epoch": warm}}
        with no_ppocr_warnings():
            ours = lr_schedule(cfg, 240, 2).values(range(480))
        ref = paddle_reference_lrs(cfg, 240, 2)
        np.testing.assert_array_equal(ours, ref)
        tail = ours[400 + 2 * warm + 1 :]
        assert (tail == 0).all() if warm == 0 else (tail > 0).all()


# ------------------------------------------------------------------------------------------------------------
# Training: a small model, a few dozen steps, paddle natively vs torch through lrparity.ppocr
# ------------------------------------------------------------------------------------------------------------

#: One block per lr class (corpus index), trained for ``epochs * spe`` steps.
TRAINING = {
    "Const": (5, 10, 3),
    "Const+warmup": (88, 5, 6),
    "Linear": (81, 10, 3),
    "Cosine": (71, 10, 3),
    "Cosine+warmup+clip_norm": (35, 10, 3),
    "LinearWarmupCosine": (85, 10, 3),
    "Step": (82, 10, 3),
    "Piecewise+clip_norm": (38, 6, 5),
    "CyclicalCosine": (77, 10, 3),
    "OneCycle": (49, 10, 3),
    "OneCycle+three_phase+warmup": (78, 10, 3),
    "DecayLearningRate": (86, 10, 3),
    "MultiStepDecay": (83, 10, 3),
    "TwoStepCosine+warmup+clip_global": (32, 205, 1),
    "TwoStepCosine": (87, 205, 1),
}

_HAS_TORCH_BACKEND = importlib.util.find_spec("lrparity.backends.torch") is not None


def _data() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    w = rng.normal(size=(6, 3)).astype(np.float32)  # paddle layout [in, out]
    b = rng.normal(size=(3,)).astype(np.float32)
    x = rng.normal(size=(16, 6)).astype(np.float32)
    y = rng.normal(size=(16, 3)).astype(np.float32)
    return w, b, x, y


def _paddle_run(optimizer_cfg: dict[str, Any], epochs: int, spe: int) -> tuple[list[float], np.ndarray, np.ndarray]:
    from lrparity.ppocr.optimizers import build_paddle_optimizer, parse_optimizer_block

    w, b, x, y = _data()
    layer = paddle.nn.Linear(6, 3)
    layer.weight.set_value(w)
    layer.bias.set_value(b)
    sched = paddle_reference_scheduler(optimizer_cfg, epochs, spe)
    opt = build_paddle_optimizer(parse_optimizer_block(optimizer_cfg), layer, sched)
    xt, yt = paddle.to_tensor(x), paddle.to_tensor(y)
    lrs = []
    for _ in range(epochs * spe):
        lrs.append(opt.get_lr())
        loss = ((layer(xt) - yt) ** 2).mean()
        loss.backward()
        opt.step()
        opt.clear_grad()
        if not isinstance(sched, float):
            sched.step()
    return lrs, layer.weight.numpy(), layer.bias.numpy()


def _torch_model() -> tuple[Any, Any, Any]:
    torch = pytest.importorskip("torch")
    w, b, x, y = _data()
    model = torch.nn.Linear(6, 3)
    with torch.no_grad():
        model.weight.copy_(torch.from_numpy(w.T.copy()))
        model.bias.copy_(torch.from_numpy(b))
    return model, torch.from_numpy(x), torch.from_numpy(y)


def _training_case(
    case: str, corpus: list[dict[str, Any]]
) -> tuple[dict[str, Any], int, int, tuple[list[float], np.ndarray, np.ndarray]]:
    """The case's Optimizer block, epochs, steps per epoch, and its native paddle run (lrs, weight, bias)."""
    index, epochs, spe = TRAINING[case]
    cfg = corpus[index]["optimizer"]
    return cfg, epochs, spe, _paddle_run(cfg, epochs, spe)


def _torch_step(model: Any, x: Any, y: Any, opt: Any, pre_step: Any) -> None:
    loss = ((model(x) - y) ** 2).mean()
    loss.backward()
    if pre_step is not None:
        pre_step()
    opt.step()
    opt.zero_grad()


def _compare(lrs_t: list[float], lrs_p: list[float], model: Any, w_p: np.ndarray, b_p: np.ndarray) -> None:
    assert lrs_t == lrs_p
    np.testing.assert_allclose(model.weight.detach().numpy().T, w_p, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(model.bias.detach().numpy(), b_p, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("case", list(TRAINING))
def test_training_schedule_values_drive_torch(case: str, ppocr_corpus: list[dict[str, Any]]) -> None:
    """Torch optimizer from the block (build_torch_optimizer), lr set from lr_schedule's values each step."""
    from lrparity.ppocr.optimizers import build_torch_optimizer, parse_optimizer_block

    cfg, epochs, spe, (lrs_p, w_p, b_p) = _training_case(case, ppocr_corpus)
    model, x, y = _torch_model()
    with no_ppocr_warnings():
        values = build_lr(cfg, epochs, spe).schedule.values(range(epochs * spe))
    opt, pre_step = build_torch_optimizer(parse_optimizer_block(cfg), model, float(values[0]))
    lrs_t = []
    for k in range(epochs * spe):
        for g in opt.param_groups:
            g["lr"] = float(values[k])
        lrs_t.append(opt.param_groups[0]["lr"])
        _torch_step(model, x, y, opt, pre_step)
    _compare(lrs_t, lrs_p, model, w_p, b_p)


@pytest.mark.skipif(not _HAS_TORCH_BACKEND, reason="lrparity.backends.torch (lrparity.torch_scheduler) not available")
@pytest.mark.parametrize("case", list(TRAINING))
def test_training_torch_optimizer(case: str, ppocr_corpus: list[dict[str, Any]]) -> None:
    """lrparity.ppocr.torch_optimizer end to end (optimizer, lrparity torch scheduler, clip hook)."""
    from lrparity.ppocr import torch_optimizer

    cfg, epochs, spe, (lrs_p, w_p, b_p) = _training_case(case, ppocr_corpus)
    model, x, y = _torch_model()
    with no_ppocr_warnings():
        opt, sched, pre_step = torch_optimizer(cfg, model, epochs, spe)
    lrs_t = []
    for _ in range(epochs * spe):
        lrs_t.append(opt.param_groups[0]["lr"])
        _torch_step(model, x, y, opt, pre_step)
        sched.step()
    _compare(lrs_t, lrs_p, model, w_p, b_p)


@pytest.mark.skipif(
    importlib.util.find_spec("lrparity.backends.paddle") is None,
    reason="lrparity.backends.paddle (lrparity.paddle_scheduler) not available",
)
@pytest.mark.parametrize("case", ["Cosine+warmup+clip_norm", "OneCycle+three_phase+warmup", "TwoStepCosine"])
def test_paddle_optimizer_matches_paddleocr_way(case: str, ppocr_corpus: list[dict[str, Any]]) -> None:
    """lrparity.ppocr.paddle_optimizer (our paddle backend) gives PaddleOCR's lrs."""
    from lrparity.ppocr import paddle_optimizer

    cfg, epochs, spe, (lrs_p, _, _) = _training_case(case, ppocr_corpus)
    layer = paddle.nn.Linear(6, 3)
    with no_ppocr_warnings():
        opt, sched = paddle_optimizer(cfg, layer, epochs, spe)
    lrs = []
    for _ in range(epochs * spe):
        lrs.append(opt.get_lr())
        sched.step()
    assert lrs == lrs_p
