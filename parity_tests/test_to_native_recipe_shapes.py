"""paddle's natives for the Hugging Face / PaddleNLP warmup-then-decay shapes, run every step against the core.

``lrparity.to_native`` plans ``ConstantWarmup``, ``LinearWarmupDecay``, ``PolynomialWarmupDecay`` and
``CosineWarmupDecay`` (no hard restarts) into paddle's ``LinearWarmup`` from 0 around a float, a ``PolynomialDecay``
or a ``CosineAnnealingDecay`` (the inner native alone without a warmup). The core reproduces the recipes' lambdas bit
for bit (parity_tests/test_recipes_hf.py, test_recipes_paddlenlp.py); the natives compute the same formulas with
other float operations, so they are held to the tolerance their plan gives, at every step over ``2 N`` steps (past
``N``, where the lambdas hold, clamp or keep going).
"""

from __future__ import annotations

import numpy as np
import pytest

paddle = pytest.importorskip("paddle")

import lrparity  # noqa: E402
from lrparity.backends.paddle import natives as paddle_natives  # noqa: E402
from lrparity.core.warmup_decay import (  # noqa: E402
    ConstantWarmup,
    CosineWarmupDecay,
    LinearWarmupDecay,
    PolynomialWarmupDecay,
)
from parity_tests.test_torch_parity import diff  # noqa: E402

SIZES = [(0, 10, 0.1), (3, 10, 0.1), (1, 2, 1.0), (7, 13, 1.0), (100, 1000, 3e-4), (500, 10_000, 0.1)]


def _shapes() -> list[object]:
    out: list[object] = []
    for w, n, lr in SIZES:
        out += [
            pytest.param(ConstantWarmup(w), lr, id=f"constant-{w}"),
            pytest.param(LinearWarmupDecay(w, n), lr, id=f"linear-{w}-{n}"),
            pytest.param(PolynomialWarmupDecay(w, n, lr_init=lr, lr_end=lr * 1e-3, power=2.0), lr, id=f"poly2-{w}-{n}"),
            pytest.param(PolynomialWarmupDecay(w, n, lr_init=lr, lr_end=0.0), lr, id=f"poly1-{w}-{n}"),
            pytest.param(PolynomialWarmupDecay(w, n, lr_init=0.5, lr_end=1e-7, power=0.5), lr, id=f"poly-base-{w}-{n}"),
        ]
        if (
            w
        ):  # without a warmup, and without a floor past about 38 steps of T_max: refused (tests/test_native_tables.py)
            out.append(pytest.param(CosineWarmupDecay(w, n, min_lr_rate=0.1), lr, id=f"cosine-floor-{w}-{n}"))
            if n - w <= 37:
                out.append(pytest.param(CosineWarmupDecay(w, n), lr, id=f"cosine-{w}-{n}"))
        if w and (n - w) % 2 == 0:
            wave = CosineWarmupDecay(w, n, num_cycles=1.0, min_lr_rate=0.01)
            out.append(pytest.param(wave, lr, id=f"cosine-wave-{w}-{n}"))
    out += [
        pytest.param(LinearWarmupDecay(10, 10), 0.1, id="linear-warmup-to-end"),
        pytest.param(LinearWarmupDecay(12, 10), 0.1, id="linear-warmup-past-end"),
        pytest.param(CosineWarmupDecay(20, 320, num_cycles=1.5, min_lr_rate=0.2), 0.1, id="cosine-1.5-cycles"),
        pytest.param(LinearWarmupDecay(1000, 18_998), 2e-5, id="linear-longest"),
        pytest.param(CosineWarmupDecay(2000, 102_000, min_lr_rate=0.1), 1e-4, id="cosine-floor-long"),
    ]
    return out


def _run(native: object, steps: int) -> np.ndarray:
    out = []
    for _ in range(steps):
        out.append(native())  # type: ignore[operator]
        native.step()  # type: ignore[attr-defined]
    return np.array(out)


@pytest.mark.parametrize(("schedule", "lr"), _shapes())
def test_native_computes_the_shape_every_step(schedule, lr) -> None:
    call = paddle_natives.plan(schedule, lr)
    steps = 2 * max(getattr(schedule, "total_steps", 0), schedule.warmup_steps, 10) + 5
    core = schedule.values(range(steps), base_lr=lr)
    got = _run(lrparity.to_native(schedule, framework="paddle", learning_rate=lr), steps)
    _, max_rel, _ = diff(core, got)
    assert max_rel <= call.rtol, f"{schedule!r}: paddle native vs core: max rel {max_rel:.3g} > {call.rtol:g}"
    expected = "LinearWarmup" if schedule.warmup_steps else None
    if expected:
        assert call.name == expected and dict(call.kwargs)["start_lr"] == 0.0 and dict(call.kwargs)["end_lr"] == lr
    # read back, the native is a core Warmup (or the inner native's core form) with the same values
    back = lrparity.from_native(lrparity.to_native(schedule, framework="paddle", learning_rate=lr))
    _, back_rel, _ = diff(core, back.values(range(steps)))
    assert back_rel <= call.rtol, f"{schedule!r}: from_native(to_native(s)) vs s: max rel {back_rel:.3g}"
