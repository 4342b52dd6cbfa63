"""A tiny model trained 50 optimizer steps under a native torch scheduler and under ours: identical weights.

Same initial weights, same data, two param groups; the lr (and momentum / beta1) applied at every step comes
from the native on one copy and from ``torch_scheduler(from_native(native))`` on the other. Recursive natives
are converted with ``replay=True`` (bit-identical lrs), so every weight must be bit-identical after 50 steps.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

torch = pytest.importorskip("torch")

from torch.optim import lr_scheduler as N  # noqa: E402

import lrparity  # noqa: E402
from lrparity.backends.torch import from_native  # noqa: E402

pytestmark = [
    pytest.mark.torch,
    pytest.mark.filterwarnings("ignore:" + re.escape("Detected call of `lr_scheduler.step()`")),
]

STEPS = 50


@pytest.fixture(autouse=True)
def one_thread() -> Any:
    """A tiny model: one intra-op thread is fastest, and immune to a busy machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def model() -> torch.nn.Module:
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))


def optimizer(net: torch.nn.Module, kind: str) -> torch.optim.Optimizer:
    groups = [
        {"params": net[0].parameters(), "lr": 0.05},
        {"params": net[2].parameters(), "lr": 0.02, "weight_decay": 1e-3},
    ]
    if kind == "sgd":
        return torch.optim.SGD(groups, momentum=0.9)
    if kind == "adam":
        return torch.optim.Adam(groups, betas=(0.9, 0.99))
    return torch.optim.AdamW(groups)


def warmup_cosine(o: Any) -> Any:
    return N.SequentialLR(o, [N.LinearLR(o, 0.1, 1.0, 10), N.CosineAnnealingLR(o, 40, 1e-4)], [10])


CASES: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "SGD + OneCycleLR (momentum cycles)": ("sgd", lambda o: N.OneCycleLR(o, [0.1, 0.05], STEPS)),
    "Adam + CyclicLR (beta1 cycles)": ("adam", lambda o: N.CyclicLR(o, 0.001, 0.01, 7, 5)),
    "AdamW + SequentialLR[LinearLR, CosineAnnealingLR]": ("adamw", warmup_cosine),
    "SGD + LambdaLR per group": ("sgd", lambda o: N.LambdaLR(o, [lambda e: 0.97**e, lambda e: 1 / (1 + e)])),
    "SGD + StepLR": ("sgd", lambda o: N.StepLR(o, 7, 0.5)),
}


def train(kind: str, make: Callable[[Any], Any], ours: bool) -> tuple[list[torch.Tensor], list[list[float]]]:
    net = model()
    opt = optimizer(net, kind)
    if ours:  # the native is built on a twin optimizer (same groups) only to be converted
        sched = lrparity.torch_scheduler(from_native(make(optimizer(model(), kind)), replay=True), opt)
    else:
        sched = make(opt)
    torch.manual_seed(1)
    x, y = torch.randn(64, 4), torch.randn(64, 1)
    applied = []
    for _ in range(STEPS):
        applied.append([float(g["lr"]) for g in opt.param_groups])
        opt.zero_grad()
        ((net(x) - y) ** 2).mean().backward()
        opt.step()
        sched.step()
    return [p.detach().clone() for p in net.parameters()], applied


@pytest.mark.parametrize("name", sorted(CASES))
def test_identical_weights_after_50_steps(name: str) -> None:
    kind, make = CASES[name]
    w_native, lr_native = train(kind, make, ours=False)
    w_ours, lr_ours = train(kind, make, ours=True)
    assert lr_ours == lr_native
    for a, b in zip(w_native, w_ours):
        assert torch.equal(a, b), f"{name}: weights differ by {(a - b).abs().max().item():.3g}"
    assert any(not torch.equal(a, b) for a, b in zip(w_native, [p.detach() for p in model().parameters()]))
