"""Long curves take the threaded kernel path (arrays >= 2**18): still bit-identical to the scalar path."""

import numpy as np
import pytest

from lrparity import Cosine, CosineRestarts, NaturalExp, Noise, Warmup
from lrparity.core._math import _PARALLEL_MIN


@pytest.mark.parametrize(
    "schedule",
    [
        Warmup(Cosine(T_max=400_000, eta_min=1e-5), 1000),
        CosineRestarts(T_0=1000, T_mult=2, eta_min=1e-4),
        NaturalExp(gamma=1e-5),
        Noise(Cosine(T_max=300_000), pct=0.5, std=0.2, seed=3),
    ],
    ids=repr,
)
def test_long_curve_matches_scalar_path(schedule):
    steps = np.arange(_PARALLEL_MIN + 12_345)
    curve = schedule.values(steps, base_lr=0.1)
    picks = np.random.default_rng(0).choice(steps.size, 400, replace=False)
    for t in [0, steps.size - 1, *picks.tolist()]:
        assert curve[t] == schedule.value(int(t), 0.1), t
