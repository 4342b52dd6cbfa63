"""timm recipes against timm 1.0.31's own schedulers, stepped as ``train.py`` steps them.

Every ``sched`` that ``create_scheduler_v2`` accepts, every trap (``warmup_prefix`` both ways, multistep's early
decay, ``sched_on_updates`` both ways, cycles with ``lr_cycle_mul``/``decay``/``limit``, k-decay, poly's power,
tanh's first epoch, wsd/rsqrt's rounded decay, lr noise, the ``lr_base`` scaling, plateau), and the real recipes in
``parity_tests/recipes_data/timm/`` (scaled down: fewer epochs, a few updates per epoch). Imports are compared
bit for bit at every update (timm's schedulers are closed forms the core reproduces operation for operation);
exports of other core shapes within 1e-12 (relative). timm's scheduler is loaded without ``timm/__init__``
(:func:`lrparity.recipes.timm.import_timm_scheduler`); it needs torch.
"""

from __future__ import annotations

import itertools
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import lrparity as lp
from lrparity.recipes import timm as T

torch = pytest.importorskip("torch")

DATA = Path(__file__).resolve().parent / "recipes_data" / "timm"


@pytest.fixture(scope="module")
def timm_scheduler() -> Any:
    try:
        return T.import_timm_scheduler()
    except ImportError as exc:
        pytest.skip(f"timm.scheduler is not importable: {exc}")


def _quiet(fn: Any, *args: Any, **kwargs: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", T.TimmWarning)
        return fn(*args, **kwargs)


def check_exact(cfg: Any, upe: int, module: Any, *, extra: int = 0) -> np.ndarray:
    """schedule() of ``cfg`` against timm at every update of the run (and ``extra`` updates past it), bitwise,
    through values() (a whole curve) and value() (one step at a time)."""
    s = _quiet(T.schedule, cfg, steps_per_epoch=upe)
    n = _quiet(T.total_updates, cfg, steps_per_epoch=upe)
    ref = _quiet(T.reference, cfg, steps_per_epoch=upe, steps=n + extra, lr_module=module)
    assert ref.shape == (n + extra,)
    ours = s.values(range(n + extra))
    bad = np.flatnonzero(ours != ref)
    assert bad.size == 0, f"{cfg}: first difference at update {bad[0]}: ours {ours[bad[0]]!r}, timm {ref[bad[0]]!r}"
    one = np.array([s.value(t) for t in range(0, n + extra, max(1, (n + extra) // 97))])
    assert np.array_equal(one, ref[:: max(1, (n + extra) // 97)])
    return ref


# ------------------------------------------------------------------------------------------------ every sched
GRID_SCHEDS = ("cosine", "tanh", "poly", "step", "multistep", "constant", "none", "wsd", "rsqrt")


@pytest.mark.parametrize("sched", GRID_SCHEDS)
def test_every_sched_both_steppings_prefix_and_overlap(sched: str, timm_scheduler: Any) -> None:
    """Every sched with sched_on_updates both ways, warmup_prefix both ways, with and without warmup and
    cooldown, integer and fractional decay_epochs: bit-identical at every update, 2 epochs past the run too."""
    for on_updates, prefix, warmup, cooldown, upe in itertools.product(
        (False, True), (False, True), (0, 3), (0, 2), (1, 4)
    ):
        cfg = dict(sched=sched, lr=0.1, epochs=12, warmup_lr=1e-4, min_lr=1e-5, sched_on_updates=on_updates,
                   warmup_prefix=prefix, warmup_epochs=warmup, cooldown_epochs=cooldown, decay_rate=0.5,
                   decay_epochs={"step": 2.4, "wsd": 4, "rsqrt": 0.25}.get(sched, 90),
                   decay_milestones=[3, 6, 9])  # fmt: skip
        if sched == "rsqrt" and not warmup:
            cfg["lr_stable_timescale"] = 2
        check_exact(cfg, upe, timm_scheduler, extra=2 * upe)


def test_sched_names_are_timms(timm_scheduler: Any) -> None:
    """SCHEDS is exactly what create_scheduler_v2 accepts: each builds, an unknown name raises in both."""
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        for sched in T.SCHEDS:
            timm_scheduler.create_scheduler_v2(opt, sched=sched, num_epochs=10, warmup_epochs=1, updates_per_epoch=2)
    with pytest.raises(ValueError):
        timm_scheduler.create_scheduler_v2(opt, sched="cosine_restarts", num_epochs=10)
    with pytest.raises(ValueError, match="sched"):
        T.schedule({"sched": "cosine_restarts", "lr": 0.1}, steps_per_epoch=2)


# ------------------------------------------------------------------------------------------------- the traps
@pytest.mark.parametrize("shape", ["cosine", "tanh", "poly"])
def test_cycles_k_decay_and_cycle_decay(shape: str, timm_scheduler: Any) -> None:
    """lr_cycle_mul (1, 2, 1.5; 0.5 with a limit), lr_cycle_decay, lr_cycle_limit, lr_k_decay, poly's
    decay_rate-as-power, per epoch and per update: timm's float cycle arithmetic, bit for bit."""
    for mul, limit, decay, k, on_updates in itertools.product(
        (1.0, 2.0, 1.5, 0.5), (1, 3), (0.5, 1.0), (1.0, 0.6, 2.0), (False, True)
    ):
        if shape == "tanh" and k != 1:
            continue
        cfg = dict(sched=shape, lr=0.05, epochs=6, warmup_epochs=2, warmup_lr=1e-4, min_lr=1e-6, lr_cycle_mul=mul,
                   lr_cycle_limit=limit, lr_cycle_decay=decay, lr_k_decay=k, decay_rate=0.9,
                   sched_on_updates=on_updates)  # fmt: skip
        check_exact(cfg, 3, timm_scheduler)


def test_defaults_are_train_py_defaults(timm_scheduler: Any) -> None:
    """A config with only a few keys: train.py's defaults fill the rest (warmup 5, lr_cycle_decay 0.5...)."""
    check_exact({"lr": 0.2, "epochs": 20}, 2, timm_scheduler)
    check_exact({"lr": 0.2, "epochs": 20, "lr_cycle_limit": 2}, 2, timm_scheduler)  # cycle_decay 0.5 shows
    check_exact({"lr": 0.2, "epochs": 20, "sched": "poly"}, 2, timm_scheduler)  # power 0.1 (decay_rate)


def test_warmup_prefix_false_never_reaches_the_peak(timm_scheduler: Any) -> None:
    cfg = {"sched": "cosine", "lr": 0.1, "epochs": 10, "warmup_epochs": 3, "warmup_prefix": False}
    ref = check_exact(cfg, 1, timm_scheduler)
    assert ref.max() < 0.1
    assert check_exact({**cfg, "warmup_prefix": True}, 1, timm_scheduler).max() == 0.1


def test_multistep_decays_one_epoch_early(timm_scheduler: Any) -> None:
    cfg = {"sched": "multistep", "lr": 0.1, "epochs": 10, "warmup_epochs": 0, "decay_milestones": [4, 8]}
    ref = check_exact(cfg, 2, timm_scheduler)
    assert ref[2 * 3] == pytest.approx(0.01) and ref[2 * 3 - 1] == 0.1  # milestone 4 applies in epoch 3
    check_exact({**cfg, "sched_on_updates": True}, 2, timm_scheduler)  # update 4*2-1


def test_first_step_runs_at_the_constructors_lr(timm_scheduler: Any) -> None:
    """tanh's formula at 0 is below lr, but timm's first epoch (or update) runs at lr; with min_lr > 0 cosine's is
    one rounding away from lr."""
    for sched, on_updates in itertools.product(("tanh", "cosine", "poly"), (False, True)):
        cfg = {"sched": sched, "lr": 0.1, "epochs": 5, "warmup_epochs": 0, "min_lr": 3e-5,
               "sched_on_updates": on_updates}  # fmt: skip
        assert check_exact(cfg, 3, timm_scheduler)[0] == 0.1


@pytest.mark.parametrize("noise", [0.5, [0.3], [0.2, 0.7], [0.0, 0.4], [-0.1, 2.0], [0.5, 0.5]])
def test_lr_noise_draws_torchs_numbers(noise: Any, timm_scheduler: Any) -> None:
    """lr_noise as one fraction, a list of one, an on/off pair (also empty, or starting at 0: never at step 0),
    per epoch and per update, with the seed, pct and std: timm's draws from torch's generator, exactly."""
    for sched, on_updates, std in itertools.product(("cosine", "step", "wsd"), (False, True), (1.0, 0.3)):
        cfg = {"sched": sched, "lr": 0.1, "epochs": 10, "warmup_epochs": 2, "lr_noise": noise, "lr_noise_pct": 0.5,
               "lr_noise_std": std, "seed": 11, "sched_on_updates": on_updates, "decay_epochs": 3}  # fmt: skip
        check_exact(cfg, 3, timm_scheduler, extra=3)


LR_BASE_CASES = [("sgd", "", 1), ("adamw", "", 2), ("lamb", "", 1), ("sgd", "sqrt", 4), ("adamw", "linear", 1)]


@pytest.mark.parametrize(("opt", "scale", "accum"), LR_BASE_CASES)
def test_lr_from_lr_base(opt: str, scale: str, accum: int, timm_scheduler: Any) -> None:
    """lr null: train.py's lr_base * global batch / lr_base_size (sqrt for ada*/lamb unless lr_base_scale says)."""
    cfg = {"lr": None, "lr_base": 5e-4, "lr_base_size": 512, "lr_base_scale": scale, "batch_size": 96, "world_size": 3,
           "grad_accum_steps": accum, "opt": opt, "epochs": 8, "warmup_epochs": 1}  # fmt: skip
    check_exact(cfg, 2, timm_scheduler)


@pytest.mark.parametrize("decay_fn", [None, "linear", "1-sqrt", "cosine", "power", "exp"])
def test_wsd_and_rsqrt_decay_functions(decay_fn: Any, timm_scheduler: Any) -> None:
    for sched, decay_epochs, prefix, timescale in itertools.product(
        ("wsd", "rsqrt"), (0.2, 0.5, 3, 2.6), (False, True), (None, 1.5)
    ):
        cfg = {"sched": sched, "lr": 0.1, "epochs": 10, "warmup_epochs": 2, "decay_epochs": decay_epochs,
               "warmup_prefix": prefix, "lr_decay_fn": decay_fn, "lr_stable_timescale": timescale, "min_lr": 1e-4,
               "cooldown_epochs": 1}  # fmt: skip
        for on_updates in (False, True):
            check_exact({**cfg, "sched_on_updates": on_updates}, 3, timm_scheduler)


def test_wsd_refuses_what_timm_refuses(timm_scheduler: Any) -> None:
    cfg = {"sched": "wsd", "lr": 0.1, "epochs": 10, "warmup_epochs": 2, "decay_epochs": 9}
    with pytest.raises(ValueError, match="decay"):
        _quiet(T.schedule, cfg, steps_per_epoch=2)
    with pytest.raises(ValueError, match="decay"):
        _quiet(T.reference, cfg, steps_per_epoch=2, lr_module=timm_scheduler)
    check_exact({**cfg, "warmup_prefix": True}, 2, timm_scheduler)  # 9 <= 10 with the warmup prefixed


@pytest.mark.parametrize(("eval_metric", "val_split"), [("top1", "validation"), ("loss", "validation"), ("top1", "")])
def test_plateau_is_the_core_plateau(eval_metric: str, val_split: str, timm_scheduler: Any) -> None:
    """sched plateau: the core Plateau with timm's parameters (mode from eval_metric, or min without a validation
    split), stepped once per epoch with the metric as train.py does, equals timm's lrs at every update."""
    cfg = {"sched": "plateau", "lr": 0.1, "epochs": 40, "warmup_epochs": 0, "patience_epochs": 2, "decay_rate": 0.5,
           "min_lr": 2e-3, "eval_metric": eval_metric, "val_split": val_split}  # fmt: skip
    rng = np.random.default_rng(5)
    metrics = np.concatenate([np.linspace(1.0, 2.0, 8), 2.0 + rng.normal(0, 0.05, 32)]).tolist()
    plateau = _quiet(T.schedule, cfg, steps_per_epoch=3)
    assert isinstance(plateau, lp.Plateau)
    ref = _quiet(T.reference, cfg, steps_per_epoch=3, lr_module=timm_scheduler, metrics=metrics)
    state, ours = plateau.initial_state([plateau.start_lr]), []
    for metric in metrics:
        ours += [state.lrs[0]] * 3
        state = plateau.update(state, metric)
    assert np.array_equal(np.array(ours), ref)
    assert len(set(ref.tolist())) > 2  # the metric did plateau: the lr was reduced


def check_plateau_exact(cfg: Any, upe: int, module: Any, metrics: list[float]) -> np.ndarray:
    """schedule() of a plateau ``cfg`` (the core Plateau), stepped once per epoch with ``metrics`` as train.py steps
    timm's ``PlateauLRScheduler`` (``step(epoch + 1, metric)``), against timm at every update, bitwise; and the same
    Plateau driven by lrparity's torch scheduler."""
    plateau = _quiet(T.schedule, cfg, steps_per_epoch=upe)
    assert isinstance(plateau, lp.Plateau)
    n = _quiet(T.total_updates, cfg, steps_per_epoch=upe)
    assert n == len(metrics) * upe
    ref = _quiet(T.reference, cfg, steps_per_epoch=upe, lr_module=module, metrics=metrics)
    state, ours = plateau.initial_state([plateau.start_lr]), []
    for metric in metrics:
        ours += [state.lrs[0]] * upe
        state = plateau.update(state, metric)
    bad = np.flatnonzero(np.array(ours) != ref)
    assert bad.size == 0, f"{cfg}: first difference at update {bad[0]}: ours {ours[bad[0]]!r}, timm {ref[bad[0]]!r}"
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=123.0)  # the Plateau's start_lr wins
    scheduler, driven = lp.torch_scheduler(plateau, optimizer), []
    for metric in metrics:
        driven += [optimizer.param_groups[0]["lr"]] * upe
        scheduler.step(metric)
    assert np.array_equal(np.array(driven), ref)
    return ref


def _plateau_metrics(epochs: int, warmup: int, mode: str, seed: int) -> list[float]:
    """An eval metric that improves, then stalls (so the plateau reduces the lr), with a best-ever value during
    the warmup: fed to the plateau, it would make every later epoch a bad one."""
    rng = np.random.default_rng(seed)
    sign = 1.0 if mode == "max" else -1.0
    rise = np.minimum(np.arange(epochs) / max(1, epochs // 3), 1.0) + rng.normal(0, 0.02, epochs)
    values = sign * (50.0 + 30.0 * rise)
    values[: warmup // 2 + 1] = sign * 1e6
    return values.tolist()


@pytest.mark.parametrize("warmup_prefix", [False, True])
@pytest.mark.parametrize(
    ("lr", "warmup_lr", "warmup_epochs", "eval_metric"),
    [
        (0.05, 1e-5, 5, "top1"),  # train.py's defaults (lr from lr_base 0.1 at batch size 128)
        (0.1, 1e-5, 3, "loss"),  # the warmup ends an ulp above lr: 1e-05 + 3 * ((0.1 - 1e-05) / 3)
        (0.03, 1e-5, 7, "top1"),
        (0.02, 0.5, 2, "loss"),  # a warmup down to lr
        (0.1, 0.0, 1, "top1"),
    ],
)
def test_plateau_with_warmup(
    lr: float, warmup_lr: float, warmup_epochs: int, eval_metric: str, warmup_prefix: bool, timm_scheduler: Any
) -> None:
    """sched plateau with a warmup: lrs ramp from warmup_lr for warmup_epochs epochs (their metrics ignored), then
    torch's ReduceLROnPlateau reduces from where the ramp ended; equal to timm's at every update, bitwise."""
    epochs = 40
    cfg = {"sched": "plateau", "lr": lr, "epochs": epochs, "warmup_epochs": warmup_epochs, "warmup_lr": warmup_lr,
           "warmup_prefix": warmup_prefix, "patience_epochs": 2, "decay_rate": 0.5, "min_lr": 1e-4,
           "eval_metric": eval_metric, "val_split": "validation"}  # fmt: skip
    total = epochs + (warmup_epochs if warmup_prefix else 0)  # warmup_prefix only lengthens the run
    metrics = _plateau_metrics(total, warmup_epochs, "min" if eval_metric == "loss" else "max", seed=warmup_epochs)
    for upe in (1, 3):
        ref = check_plateau_exact(cfg, upe, timm_scheduler, metrics)
        assert ref[0] == warmup_lr and len(set(ref[(warmup_epochs + 1) * upe :].tolist())) > 2  # reduced


def test_plateau_with_noise_is_refused_and_timm_does_perturb_it(timm_scheduler: Any) -> None:
    """lr noise on a plateau perturbs the lr for one epoch (timm restores it before the next plateau step), which
    the Plateau does not express: refused, not dropped."""
    cfg = {"sched": "plateau", "lr": 0.1, "epochs": 10, "warmup_epochs": 2, "lr_noise": 0.5, "val_split": "validation"}
    with pytest.raises(ValueError, match="lr_noise"):
        _quiet(T.schedule, cfg)
    ref = _quiet(T.reference, cfg, lr_module=timm_scheduler, metrics=[1.0] * 10)
    assert ref[6] != ref[3]  # noisy from epoch 5 on: the values it would drop


# ------------------------------------------------------------------------------------------------ real recipes
def _real_recipes() -> list[tuple[str, dict[str, Any]]]:
    import yaml

    out = []
    files = (("training_script_examples.yaml", "training_script"), ("timmdocs_scheduler_commands.yaml", "timmdocs"))
    for file, prefix in files:
        commands = yaml.safe_load((DATA / file).read_text(encoding="utf-8"))["commands"]
        for name, command in commands.items():
            out.append((f"{prefix}:{name}", T.command_args(command)))
    out.append(("marqo_nsfw_image_detection_384", str(DATA / "marqo_nsfw_image_detection_384.yaml")))
    out.append(("mobileone_s1_train", str(DATA / "mobileone_s1_train.yaml")))
    return out


REAL = _real_recipes()


@pytest.mark.parametrize(("name", "recipe"), REAL, ids=[n for n, _ in REAL])
def test_real_recipe(name: str, recipe: Any, timm_scheduler: Any) -> None:
    """A real recipe as published (one and two updates per epoch: a few hundred updates), then its epochs scaled
    down with more updates per epoch, per epoch and per update (every quirk kept: warmup, decay period, noise
    fractions, the lr_base scaling)."""
    cfg = dict(_quiet(T._load, recipe)) if isinstance(recipe, str) else dict(recipe)
    if cfg.get("sched") == "plateau":  # metric-driven: a metric per epoch, train.py's 5-epoch warmup included
        epochs = int(cfg.get("epochs", 300))
        for upe in (1, 2):
            check_plateau_exact(recipe, upe, timm_scheduler, _plateau_metrics(epochs, 5, "max", seed=upe))
        return
    if isinstance(recipe, str) and cfg.get("lr") is None:
        recipe = cfg = {**cfg, "world_size": 1}  # the MobileOne run: a single GPU (args files do not say)
    for upe in (1, 2):
        check_exact(recipe, upe, timm_scheduler, extra=upe)
    scaled = {**cfg, "epochs": max(12, int(cfg.get("epochs", 300)) // 15)}
    for on_updates in (False, True):
        check_exact({**scaled, "sched_on_updates": on_updates}, 5, timm_scheduler, extra=5)


def test_real_recipes_count() -> None:
    assert len(REAL) == 14
    scheds = {dict(r if isinstance(r, dict) else _quiet(T._load, r)).get("sched") for _, r in REAL}
    assert scheds == {"cosine", "step", "tanh", "plateau"}


# -------------------------------------------------------------------------------------------------- round trips
ROUND_TRIP_CONFIGS = [
    {"sched": "cosine", "lr": 0.1, "epochs": 10, "warmup_epochs": 2, "lr_noise": [0.2, 0.7], "seed": 3},
    {"sched": "cosine", "lr": 0.1, "epochs": 6, "warmup_epochs": 1, "lr_cycle_mul": 2.0, "lr_cycle_limit": 3,
     "cooldown_epochs": 2, "lr_k_decay": 1.5, "min_lr": 1e-5, "sched_on_updates": True},
    {"sched": "tanh", "lr": 0.1, "epochs": 10, "warmup_epochs": 2},
    {"sched": "tanh", "lr": 0.1, "epochs": 10, "warmup_epochs": 0, "warmup_prefix": True, "min_lr": 1e-4},
    {"sched": "poly", "lr": 0.1, "epochs": 10, "warmup_epochs": 2, "decay_rate": 2.0, "warmup_prefix": True},
    {"sched": "step", "lr": 0.1, "epochs": 20, "warmup_epochs": 3, "decay_epochs": 2.4, "decay_rate": 0.97},
    {"sched": "step", "lr": 0.1, "epochs": 20, "warmup_epochs": 3, "decay_epochs": 2.4, "decay_rate": 0.97,
     "sched_on_updates": True, "lr_noise": [0.42, 0.9]},
    {"sched": "multistep", "lr": 0.1, "epochs": 10, "warmup_epochs": 1, "decay_milestones": [3, 7]},
    {"sched": "constant", "lr": 0.1, "epochs": 10, "warmup_epochs": 2, "warmup_prefix": True},
    {"sched": "wsd", "lr": 0.1, "epochs": 10, "warmup_epochs": 2, "decay_epochs": 0.3},
    {"sched": "rsqrt", "lr": 0.1, "epochs": 10, "warmup_epochs": 2, "decay_epochs": 3, "sched_on_updates": True},
]  # fmt: skip


@pytest.mark.parametrize("cfg", ROUND_TRIP_CONFIGS, ids=[f"{c['sched']}-{i}" for i, c in enumerate(ROUND_TRIP_CONFIGS)])
def test_round_trip_through_timm(cfg: dict[str, Any], timm_scheduler: Any, tmp_path: Path) -> None:
    """export(schedule(cfg)) gives arguments whose schedule, and timm's own run of them, equal the original at
    every update of the run, bitwise."""
    upe = 4
    s = _quiet(T.schedule, cfg, steps_per_epoch=upe)
    n = _quiet(T.total_updates, cfg, steps_per_epoch=upe)
    context = {} if isinstance(s.schedule, lp.PerEpoch) else {"steps_per_epoch": upe}
    args = T.export(s, **context, total_steps=n)
    assert _quiet(T.total_updates, args, steps_per_epoch=upe) == n
    back = _quiet(T.schedule, args, steps_per_epoch=upe)
    assert np.array_equal(back.values(range(n)), s.values(range(n)))
    ref = _quiet(T.reference, args, steps_per_epoch=upe, lr_module=timm_scheduler)
    assert np.array_equal(ref, s.values(range(n)))
    path = tmp_path / "args.yaml"
    path.write_text(T.dumps(args), encoding="utf-8")  # train.py --config args.yaml reads it back the same
    assert np.array_equal(_quiet(T.schedule, str(path), steps_per_epoch=upe).values(range(n)), s.values(range(n)))


CORE_EXPORTS = [
    (lp.Cosine(100, eta_min=1e-4), {"base_lr": 0.5, "steps_per_epoch": 10}),
    (lp.Warmup(lp.Cosine(90), 10, start_lr=0.0, end_factor=1.0), {"base_lr": 0.1, "steps_per_epoch": 10}),
    (lp.Warmup(lp.Cosine(100), 10, start_lr=1e-3, end_factor=1.0, mode="overlap"),
     {"base_lr": 0.1, "steps_per_epoch": 5}),
    (lp.CosineRestarts(10, T_mult=2, cycle_limit=3, cycle_decay=0.5), {"base_lr": 0.5, "steps_per_epoch": 5}),
    (lp.Polynomial(50, 2.0, end_lr=1e-4), {"base_lr": 0.5, "steps_per_epoch": 5, "total_steps": 60}),
    (lp.Step(30, 0.5), {"base_lr": 0.2, "steps_per_epoch": 10, "total_steps": 100}),
    (lp.MultiStep((29, 59), 0.1), {"base_lr": 0.5, "steps_per_epoch": 10, "total_steps": 100}),
    (lp.PerEpoch(lp.MultiStep((2, 5), 0.1), 7), {"base_lr": 0.5, "total_steps": 70}),
    (lp.WithBaseLR(lp.Constant(), 0.3), {"steps_per_epoch": 4, "total_steps": 40}),
    (lp.IncrementalWarmup(lp.StableDecay(40, 10), 8, start_lr=0.0, end_factor=1.0),
     {"base_lr": 1e-3, "steps_per_epoch": 4}),
]  # fmt: skip


@pytest.mark.parametrize(("s", "context"), CORE_EXPORTS, ids=[type(s).__name__ for s, _ in CORE_EXPORTS])
def test_core_schedules_export_to_train_py(s: lp.Schedule, context: dict[str, Any], timm_scheduler: Any) -> None:
    """A core schedule that timm can express runs in timm itself within 1e-12 of the schedule at every update."""
    args = T.export(s, **context)
    upe = context.get("steps_per_epoch") or s.steps_per_epoch  # type: ignore[attr-defined]
    n = _quiet(T.total_updates, args, steps_per_epoch=upe)
    ref = _quiet(T.reference, args, steps_per_epoch=upe, lr_module=timm_scheduler)
    ours = s.values(range(n), context.get("base_lr"))
    assert np.max(np.abs(ref - ours) / np.maximum(np.abs(ours), 1e-300)) <= 1e-12


def test_plateau_exports_to_timms_plateau(timm_scheduler: Any) -> None:
    plateau = lp.Plateau(mode="min", factor=0.3, patience=1, min_lr=1e-3, start_lr=0.05)
    args = T.export(plateau, steps_per_epoch=2, total_steps=40)
    metrics = [1.0 / (1 + e) if e < 6 else 0.2 for e in range(20)]
    ref = _quiet(T.reference, args, steps_per_epoch=2, lr_module=timm_scheduler, metrics=metrics)
    state, ours = plateau.initial_state([0.05]), []
    for metric in metrics:
        ours += [state.lrs[0]] * 2
        state = plateau.update(state, metric)
    assert np.array_equal(np.array(ours), ref) and ref[-1] < 0.05


def test_a_warmed_plateau_exports_to_timms_plateau(timm_scheduler: Any) -> None:
    """The Plateau of a timm plateau run with a warmup exports to the same arguments, and timm runs them."""
    cfg = {"sched": "plateau", "lr": 0.1, "epochs": 20, "warmup_epochs": 3, "warmup_lr": 1e-5, "patience_epochs": 1,
           "decay_rate": 0.3, "min_lr": 1e-3, "eval_metric": "loss", "val_split": "validation"}  # fmt: skip
    plateau = _quiet(T.schedule, cfg)
    args = T.export(plateau, steps_per_epoch=2, total_steps=40)
    assert (args["warmup_epochs"], args["warmup_lr"]) == (3, 1e-5) and _quiet(T.schedule, args) == plateau
    metrics = [1.0 / (1 + e) if e < 8 else 0.1 for e in range(20)]
    check_plateau_exact(args, 2, timm_scheduler, metrics)
    other = plateau.replace(warmup=lp.core.IncrementalWarmup(lp.core.Constant(), 3, start_lr=1e-5, end_factor=1.0))
    with pytest.raises(ValueError, match="warmup"):  # ends on lr, where timm's ramp ends an ulp above it
        T.export(other, steps_per_epoch=2, total_steps=40)


def test_a_timm_recipe_runs_in_paddle_and_torch(timm_scheduler: Any) -> None:
    """A timm recipe to paddle (issue 13's example) and to torch: the backends step the returned schedule once per
    update and give timm's lrs, bitwise."""
    paddle = pytest.importorskip("paddle")
    cfg = {"sched": "step", "lr": 0.064, "epochs": 12, "decay_epochs": 2.4, "decay_rate": 0.973, "warmup_lr": 1e-6,
           "lr_noise": [0.42, 0.9], "sched_on_updates": False}  # fmt: skip
    upe = 3
    s = _quiet(T.schedule, cfg, steps_per_epoch=upe)
    ref = _quiet(T.reference, cfg, steps_per_epoch=upe, lr_module=timm_scheduler)
    sched = lp.paddle_scheduler(s)
    got = []
    for _ in range(ref.size):
        got.append(sched.get_lr())
        sched.step()
    assert np.array_equal(np.array(got), ref)
    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=1.0)
    tsched = lp.torch_scheduler(s, opt)
    got = []
    for _ in range(ref.size):
        got.append(opt.param_groups[0]["lr"])
        opt.step()
        tsched.step()
    assert np.array_equal(np.array(got), ref)
    del paddle


def test_loader_leaves_no_stub_behind(timm_scheduler: Any) -> None:
    """import_timm_scheduler() does not leave its bare ``timm`` package in sys.modules: a later ``import timm``
    runs timm's own __init__."""
    assert "timm" not in sys.modules or hasattr(sys.modules["timm"], "__version__")
    assert hasattr(timm_scheduler, "create_scheduler_v2")
    assert T.import_timm_scheduler() is timm_scheduler
