"""The core Plateau state machine against the REAL torch ReduceLROnPlateau and paddle ReduceOnPlateau.

Random metric sequences (ties, plateaus, values exactly on either framework's threshold boundary, NaN) under many
settings; the lrs and every counter must match the native at every step, bit for bit.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
paddle = pytest.importorskip("paddle")

from lrparity.core import Plateau, PlateauState  # noqa: E402
from tests.helpers import torch_sgd  # noqa: E402

N_STEPS = 300


# --------------------------------------------------------------------------------------------------- natives
class _Native:
    """The shared surface of the two native wrappers: ``step(metric)`` and ``best``."""

    def step(self, metric):
        self.sched.step(metric)

    @property
    def best(self):
        return self.sched.best


class TorchNative(_Native):
    def __init__(self, lrs, **kw):
        self.opt = torch_sgd(*lrs)
        self.sched = torch.optim.lr_scheduler.ReduceLROnPlateau(self.opt, **kw)

    def snapshot(self):
        s = self.sched
        return (
            tuple(g["lr"] for g in self.opt.param_groups),
            s.best,
            s.num_bad_epochs,
            s.cooldown_counter,
            s.last_epoch,
        )


class PaddleNative(_Native):
    def __init__(self, lr, *, eps, **kw):
        self.sched = paddle.optimizer.lr.ReduceOnPlateau(learning_rate=lr, epsilon=eps, **kw)

    def snapshot(self):
        s = self.sched
        return ((s.last_lr,), s.best, s.num_bad_epochs, s.cooldown_counter, s.last_epoch)


def core_snapshot(state: PlateauState):
    return (state.lrs, state.best, state.num_bad_epochs, state.cooldown_counter, state.last_epoch)


def same(a, b) -> bool:
    """Bit-identical snapshots (NaN equals NaN; None only equals None)."""
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        return float(a) == float(b) or (math.isnan(a) and math.isnan(b))
    return a == b


# --------------------------------------------------------------------------------------------------- inputs
def random_settings(rng: np.random.Generator, semantics: str) -> dict:
    kw = {
        "mode": str(rng.choice(["min", "max"])),
        "factor": float(rng.choice([0.0, 0.1, 0.5, 0.9, 0.33])),
        "patience": int(rng.choice([0, 1, 2, 3, 5, 10])),
        "threshold": float(rng.choice([0.0, 1e-4, 1e-2, 0.1, 0.3, 0.07])),
        "threshold_mode": str(rng.choice(["rel", "abs"])),
        "cooldown": int(rng.choice([0, 0, 1, 2, 3, 5])),
        "eps": float(rng.choice([1e-8, 1e-8, 0.0, 1e-3, 0.02])),
    }
    if semantics == "torch" and rng.random() < 0.3:
        kw["min_lr"] = [float(v) for v in rng.choice([0.0, 1e-4, 1e-3, 0.05], size=2)]
    else:
        kw["min_lr"] = float(rng.choice([0.0, 1e-4, 1e-3, 0.05]))
    return kw


def next_metric(rng: np.random.Generator, prev: float, best, kw: dict) -> float:
    """A metric: a random walk with ties, plateaus, exact threshold boundaries (both roundings) and NaN."""
    r = rng.random()
    th, sign = kw["threshold"], (1.0 if kw["mode"] == "min" else -1.0)
    finite_best = best is not None and math.isfinite(best)
    if r < 0.25:
        return prev  # a tie / plateau
    if r < 0.40 and finite_best:
        # exactly on a boundary, torch's or paddle's rounding
        if kw["threshold_mode"] == "abs":
            return best - sign * th
        if rng.random() < 0.5:
            return best * (1.0 - th) if sign > 0 else best * (th + 1.0)
        return best - best * th if sign > 0 else best + best * th
    if r < 0.45 and finite_best:
        return float(best)
    if r < 0.455:
        return math.nan
    step = float(rng.normal(0.0, 0.05)) - sign * 0.01 * float(rng.random() < 0.3)
    value = (prev if math.isfinite(prev) else 1.0) + step
    if rng.random() < 0.5:
        value = round(value, 2)  # coarse values: more ties
    return float(value)


def run_case(native, plateau: Plateau, lrs, rng: np.random.Generator, kw: dict, n: int = N_STEPS) -> int:
    """Step both with the same metrics; returns the number of steps at which the lr changed."""
    state = plateau.initial_state(lrs)
    metric, changes = 1.0, 0
    for step in range(n):
        metric = next_metric(rng, metric, native.best, kw)
        native.step(metric)
        before = state.lrs
        state = plateau.update(state, metric)
        changes += state.lrs != before
        got, want = core_snapshot(state), native.snapshot()
        assert same(got, want), f"step {step} metric {metric!r}: core {got} != native {want} ({kw})"
    return changes


# --------------------------------------------------------------------------------------------------- random parity
SEEDS = range(40)
CASES_PER_SEED = 5


def torch_cases(seed: int) -> list[tuple[dict, list[float]]]:
    """The settings and starting lrs of one seed (their own random stream, separate from the metrics')."""
    rng = np.random.default_rng(1000 + seed)
    cases = []
    for _ in range(CASES_PER_SEED):
        kw = random_settings(rng, "torch")
        lrs = [float(rng.choice([0.1, 1.0, 0.037])), float(rng.choice([0.2, 0.01]))]
        two_groups = isinstance(kw["min_lr"], list) or rng.random() < 0.5
        cases.append((kw, lrs if two_groups else lrs[:1]))
    return cases


def paddle_cases(seed: int) -> list[tuple[dict, float]]:
    rng = np.random.default_rng(2000 + seed)
    return [(random_settings(rng, "paddle"), float(rng.choice([0.1, 1.0, 0.037]))) for _ in range(CASES_PER_SEED)]


# semantics -> (its cases, its native wrapper, the seed offset of its metric sequences)
RANDOM = {"torch": (torch_cases, TorchNative, 10_000), "paddle": (paddle_cases, PaddleNative, 20_000)}


@pytest.mark.parametrize("semantics", list(RANDOM))
@pytest.mark.parametrize("seed", SEEDS)
def test_random_sequences_match_native(seed, semantics):
    cases, native_cls, offset = RANDOM[semantics]
    metrics_rng = np.random.default_rng(offset + seed)
    changes = 0
    for kw, lrs in cases(seed):
        native = native_cls(lrs, **kw)
        plateau = Plateau(semantics=semantics, **kw)
        changes += run_case(native, plateau, lrs, metrics_rng, kw)
    assert changes > 0  # the sequences do reach reductions


def test_settings_grid_covers_every_option():
    """The seeds above really draw every option value of random_settings (and per-group min_lr lists)."""
    seen: dict[str, set] = {}
    for sem, cases in (("torch", torch_cases), ("paddle", paddle_cases)):
        for seed in SEEDS:
            for kw, _ in cases(seed):
                for k, v in kw.items():
                    seen.setdefault(f"{sem}.{k}", set()).add(repr(v))
    for sem in ("torch", "paddle"):
        assert seen[f"{sem}.mode"] == {"'min'", "'max'"}
        assert seen[f"{sem}.threshold_mode"] == {"'rel'", "'abs'"}
        assert len(seen[f"{sem}.factor"]) == 5 and len(seen[f"{sem}.threshold"]) == 6
        assert len(seen[f"{sem}.cooldown"]) == 5 and len(seen[f"{sem}.patience"]) == 6
        assert len(seen[f"{sem}.eps"]) == 4 and len(seen[f"{sem}.min_lr"]) >= 4
    assert any(v.startswith("[") for v in seen["torch.min_lr"])  # per-group min_lr lists


# --------------------------------------------------------------------------------------------------- directed
METRICS = [1.0, 1.0, 1.0, 0.1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]


def _reduced_at(lrs_per_step, start):
    at, prev = [], start
    for i, lr in enumerate(lrs_per_step):
        if lr != prev:
            at.append(i)
            prev = lr
    return at


def test_cooldown_semantics_of_the_real_natives():
    """natives.md: metrics [1,1,1,0.1,0.5,...], patience=1, cooldown=2: torch reduces at step 6, paddle at 7."""
    t = TorchNative([0.1], patience=1, cooldown=2)
    p = PaddleNative(0.1, eps=1e-8, patience=1, cooldown=2)
    core_t, core_p = Plateau(patience=1, cooldown=2), Plateau(patience=1, cooldown=2, semantics="paddle")
    st, sp = core_t.initial_state(0.1), core_p.initial_state(0.1)
    torch_lrs, paddle_lrs = [], []
    for m in METRICS:
        t.step(m)
        p.step(m)
        st, sp = core_t.update(st, m), core_p.update(sp, m)
        assert same(core_snapshot(st), t.snapshot())
        assert same(core_snapshot(sp), p.snapshot())
        torch_lrs.append(t.snapshot()[0][0])
        paddle_lrs.append(p.snapshot()[0][0])
    assert _reduced_at(torch_lrs, 0.1) == [2, 6, 10]
    assert _reduced_at(paddle_lrs, 0.1) == [2, 7, 11]


def test_threshold_rounding_boundary_matches_each_native():
    best, th = 0.7, 0.3
    metric = best * (1.0 - th)  # 0.48999999999999994: torch's boundary, below paddle's 0.49
    assert metric != best - best * th
    for semantics in ("torch", "paddle"):
        native = (
            TorchNative([1.0], patience=0, threshold=th)
            if semantics == "torch"
            else PaddleNative(1.0, eps=1e-8, patience=0, threshold=th)
        )
        plateau = Plateau(patience=0, threshold=th, semantics=semantics)
        state = plateau.initial_state(1.0)
        for m in (best, metric):
            native.step(m)
            state = plateau.update(state, m)
            assert same(core_snapshot(state), native.snapshot())
    torch_lr = TorchNative([1.0], patience=0, threshold=th)
    torch_lr.step(best)
    torch_lr.step(metric)
    assert torch_lr.snapshot()[0] == (0.1,)  # torch: not an improvement -> reduced
    paddle_lr = PaddleNative(1.0, eps=1e-8, patience=0, threshold=th)
    paddle_lr.step(best)
    paddle_lr.step(metric)
    assert paddle_lr.snapshot()[0] == (1.0,)  # paddle: an improvement


def test_the_two_semantics_really_differ_on_random_sequences():
    """The torch-semantics machine does not reproduce paddle's native (and vice versa) once cooldown is on."""
    rng = np.random.default_rng(7)
    kw = {"mode": "min", "factor": 0.5, "patience": 2, "threshold": 1e-4, "threshold_mode": "rel", "cooldown": 3,
          "eps": 1e-8, "min_lr": 0.0}  # fmt: skip
    native = PaddleNative(0.1, **kw)
    wrong = Plateau(semantics="torch", **kw)
    state, metric, differ = wrong.initial_state(0.1), 1.0, 0
    for _ in range(N_STEPS):
        metric = next_metric(rng, metric, native.best, kw)
        native.step(metric)
        state = wrong.update(state, metric)
        differ += state.lrs != native.snapshot()[0]
    assert differ > 0


def test_resume_from_state_dict_matches_native():
    """Save the core state mid-run (to_dict/from_dict), continue, and still match the uninterrupted native."""
    rng = np.random.default_rng(11)
    kw = {"mode": "max", "factor": 0.5, "patience": 2, "threshold": 0.01, "threshold_mode": "abs", "cooldown": 2,
          "eps": 1e-8, "min_lr": 1e-3}  # fmt: skip
    native = TorchNative([0.1], **kw)
    plateau = Plateau(**kw)
    state, metric = plateau.initial_state(0.1), 1.0
    for step in range(N_STEPS):
        metric = next_metric(rng, metric, native.best, kw)
        native.step(metric)
        if step % 37 == 0:
            state = PlateauState.from_dict(state.to_dict())
        state = plateau.update(state, metric)
        assert same(core_snapshot(state), native.snapshot())


def test_no_warnings_from_natives_or_lrparity_plateaus():
    """Both natives and lrparity's two plateau schedulers, driven as in training (optimizer.step() first, float,
    tensor and NaN metrics, reductions, a state_dict round trip, from_native), emit no warning at all, and agree."""
    import lrparity

    metrics = [1.0, 1.0, 0.9, 0.9, 0.9, 0.9, math.nan, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.4]
    kw = {"patience": 1, "cooldown": 1, "factor": 0.5}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t_native = TorchNative([0.1, 0.01], **kw)
        opt = torch_sgd(0.1, 0.01)
        t_ours = lrparity.torch_scheduler(Plateau(**kw), opt)
        p_native = PaddleNative(0.1, eps=1e-8, **kw)
        p_ours = lrparity.paddle_scheduler(Plateau(semantics="paddle", **kw), learning_rate=0.1)
        for k, m in enumerate(metrics):
            t_native.opt.step()
            opt.step()
            t_native.step(torch.tensor(m) if k % 2 else m)
            t_ours.step(torch.tensor(m) if k % 2 else m)
            p_native.step(paddle.to_tensor([m]) if k % 2 else m)
            p_ours.step(paddle.to_tensor([m]) if k % 2 else m)
            assert [g["lr"] for g in opt.param_groups] == [g["lr"] for g in t_native.opt.param_groups]
            assert p_ours.last_lr == p_native.sched.last_lr
        t_resumed = lrparity.torch_scheduler(Plateau(**kw), opt)
        t_resumed.load_state_dict(t_ours.state_dict())
        p_resumed = lrparity.paddle_scheduler(Plateau(semantics="paddle", **kw), learning_rate=0.1)
        p_resumed.set_state_dict(p_ours.state_dict())
        assert (t_resumed.state, p_resumed.state) == (t_ours.state, p_ours.state)
        assert lrparity.from_native(t_native.sched) == Plateau(**kw)
        assert lrparity.from_native(p_native.sched) == Plateau(semantics="paddle", start_lr=0.1, **kw)
        with pytest.raises(UserWarning, match="epoch"):  # the filter is live: torch's epoch deprecation raises here
            t_ours.step(0.4, epoch=20)
    assert p_ours.last_lr == 0.1 * 0.5**3 and t_ours.state.lrs == (0.1 * 0.5**3, 0.01 * 0.5**3)  # 3 reductions
