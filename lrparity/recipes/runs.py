"""What a recipe runs, for any kind: its schedule, the run's length in optimizer updates, what its ecosystem builds
(in words) and the warnings; and the ``context`` each kind's :func:`~lrparity.recipes.export` needs to write a run.

:func:`describe` is what ``lrparity recipe`` prints and what ``KIND:CONFIG`` arguments of ``show``/``plot``/``table``
read; :func:`export_context` is how ``lrparity export --to KIND`` and the conversion matrix
(:mod:`lrparity.recipes.matrix`) call each kind's ``export``. Imports neither torch nor paddle.
"""

from __future__ import annotations

import json
import math
import os
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from lrparity.core.config_files import ConfigFileWarning
from lrparity.recipes import KINDS, RecipeWarning, module

__all__ = [
    "FORMATS",
    "REFERENCES",
    "SUITES",
    "RecipeRun",
    "describe",
    "export_context",
    "is_metric_driven",
    "pinned_base_lr",
    "supported",
]

SUITES: Mapping[str, str] = {
    "ppocr": "PaddleOCR",
    "ppcls": "PaddleClas",
    "ppdet": "PaddleDetection",
    "ppseg": "PaddleSeg",
    "paddlenlp": "PaddleNLP",
    "hf": "Hugging Face Trainer",
    "timm": "timm train.py",
    "mmengine": "mmengine",
}
"""The ecosystem of each kind, in words."""

FORMATS: Mapping[str, str] = {
    "ppocr": "PaddleOCR YAML (Global.epoch_num, Optimizer.lr)",
    "ppcls": "PaddleClas YAML (Global.epochs, Optimizer.lr)",
    "ppdet": "PaddleDetection YAML (epoch, LearningRate with !Tag schedulers)",
    "ppseg": "PaddleSeg YAML (iters, lr_scheduler)",
    "paddlenlp": "PaddleNLP arguments (JSON)",
    "hf": "Hugging Face TrainingArguments (recipe YAML)",
    "timm": "timm train.py arguments (args.yaml)",
    "mmengine": "mmengine config (Python: param_scheduler, train_cfg, optim_wrapper)",
}
"""What ``export``/``dumps`` of each kind write."""

REFERENCES: Mapping[str, str] = {
    "ppocr": "PaddleOCR's lr classes (restated on paddle's schedulers)",
    "ppcls": "PaddleClas's lr classes (restated on paddle's schedulers)",
    "ppdet": "PaddleDetection's LearningRate",
    "ppseg": "PaddleSeg's builder",
    "paddlenlp": "PaddleNLP's schedulers and Trainer",
    "hf": "transformers' Trainer",
    "timm": "timm's schedulers",
    "mmengine": "mmengine's schedulers and train loop",
}
"""The real code each kind's ``reference()`` runs, in words."""

_EPOCH_BASED = ("ppocr", "ppcls", "ppdet")
"""Kinds whose export counts the run in epochs (it needs ``steps_per_epoch``)."""


@dataclass(frozen=True)
class RecipeRun:
    """A recipe as its ecosystem's trainer runs it.

    Attributes:
        kind: the recipe kind (one of :data:`lrparity.recipes.KINDS`).
        schedule: ``lrparity.recipes.schedule(kind, config, steps_per_epoch=...)``: an absolute schedule indexed by
            optimizer update, or a metric-driven :class:`~lrparity.core.Plateau` (``Greedy`` for HF's greedy).
        updates: ``T``, the optimizer updates of the run (None where the config does not fix it).
        updates_per_epoch: optimizer updates per epoch (None for a run counted in iterations only).
        epochs: the run's epochs (None for a run counted in iterations).
        builds: what the ecosystem builds from the config, in words, one line each.
        warnings: the kind's warnings (:class:`~lrparity.recipes.RecipeWarning`) and the reader's
            (:class:`~lrparity.core.config_files.ConfigFileWarning`, e.g. a repeated key), one sentence each.
    """

    kind: str
    schedule: Any
    updates: int | None
    updates_per_epoch: int | None
    epochs: int | None
    builds: tuple[str, ...]
    warnings: tuple[str, ...]

    @property
    def metric_driven(self) -> bool:
        """Whether the lr follows a metric (a plateau), not the update count."""
        return is_metric_driven(self.schedule)


def is_metric_driven(schedule: Any) -> bool:
    """Whether ``schedule`` is a metric-driven state machine (``Plateau``, ``Greedy``) rather than a schedule."""
    return not hasattr(schedule, "values")


def supported(kind: str) -> dict[str, tuple[str, ...]]:
    """What ``kind`` reads, as its module lists it: ``{what: names}`` (e.g. ``{"lr classes": ("Cosine", ...)}``)."""
    mod = module(kind)
    if kind == "ppocr":
        from lrparity.ppocr.schedules import LR_CLASSES

        return {"Optimizer.lr classes": tuple(LR_CLASSES)}
    if kind == "ppcls":
        from lrparity.recipes.ppcls_lr import LR_CLASSES as PPCLS_CLASSES

        return {"Optimizer.lr classes": tuple(PPCLS_CLASSES)}
    if kind == "ppdet":
        return {"LearningRate schedulers": tuple(mod.LR_CLASSES)}
    if kind == "ppseg":
        return {"lr_scheduler types": tuple(mod.LR_TYPES)}
    if kind == "paddlenlp":
        return {
            "Trainer lr_scheduler_type": tuple(mod.SCHEDULER_TYPES),
            "optimization classes": tuple(mod.OPTIMIZATION_CLASSES),
        }
    if kind == "hf":
        return {"lr_scheduler_type": tuple(mod.SCHEDULER_TYPES)}
    if kind == "timm":
        return {"sched": tuple(mod.SCHEDS)}
    return {"param_scheduler types": tuple(mod.SCHEDULER_TYPES)}


# -- the facts each kind offers ------------------------------------------------------------------------------------
_Facts = tuple[int | None, int | None, int | None, tuple[str, ...]]  # updates, updates per epoch, epochs, builds


def _path_or_mapping(config: Any) -> Any:
    return os.fspath(config) if isinstance(config, os.PathLike) else config


def _ppocr(mod: ModuleType, config: Any, spe: int | None) -> _Facts:
    from lrparity.ppocr import build_lr, read_config

    data = read_config(config) if isinstance(config, str) else config
    epochs = data["Global"]["epoch_num"]
    b = build_lr(data["Optimizer"], epochs, spe)
    return (
        b.total_steps,
        spe,
        epochs,
        (
            f"Optimizer.lr {b.name}: {b.notes}",
            f"{epochs} epochs x {spe} iterations; tools/program.py steps the scheduler after every iteration",
        ),
    )


def _ppcls(mod: ModuleType, config: Any, spe: int | None) -> _Facts:
    b = mod.build(config, steps_per_epoch=spe)
    run = b.run
    stepping = "once per epoch (by_epoch)" if b.lr.by_epoch else "after every optimizer update"
    return (
        run.total_updates,
        run.updates_per_epoch,
        run.epochs,
        (
            f"Optimizer {b.optimizer} (scope {b.scope}), lr {b.lr.name}: {b.lr.native}",
            f"{run.epochs} epochs x {run.updates_per_epoch} updates ({run.iter_per_epoch} iterations per epoch, "
            f"update_freq {run.update_freq}); the scheduler steps {stepping}",
        ),
    )


def _ppdet(mod: ModuleType, config: Any, spe: int | None) -> _Facts:
    b = mod.build(config, spe)
    return (
        b.total_steps,
        b.steps_per_epoch,
        b.epochs,
        (
            f"LearningRate (base_lr {b.base_lr!r}): {b.notes}",
            f"{b.epochs} epochs x {b.steps_per_epoch} iterations; the trainer steps the scheduler after every "
            "iteration",
        ),
    )


def _ppseg(mod: ModuleType, config: Any, spe: int | None) -> _Facts:
    cfg = mod.read_config(config) if isinstance(config, str) else config
    iters = int(cfg["iters"])
    return (
        iters,
        None,
        None,
        (
            f"lr_scheduler: {json.dumps(cfg['lr_scheduler'], default=repr)}",
            f"{iters} iterations; core/train.py steps the scheduler after every iteration",
        ),
    )


def _paddlenlp(mod: ModuleType, config: Any, spe: int | None) -> _Facts:
    cfg = mod.read_config(config) if isinstance(config, str) else config
    n = mod.run_length(config, steps_per_epoch=spe)
    if "name" in cfg:
        args = ", ".join(f"{k}={v!r}" for k, v in cfg.items() if k != "name")
        return n, None, None, (f"paddlenlp.transformers.optimization.{cfg['name']}({args}), stepped once per update",)
    if cfg.get("recipe") == "pretrain":
        kind = cfg.get("lr_scheduler_type", "linear")
        return n, None, None, (f"llm/run_pretrain.py: {kind} annealing with warmup, {n} updates",)
    plan = mod.trainer_plan(config, steps_per_epoch=spe)
    return (
        plan.max_steps,
        plan.updates_per_epoch,
        None,
        (
            f"Trainer: get_scheduler({cfg.get('lr_scheduler_type', 'linear')!r}, learning_rate="
            f"{cfg.get('learning_rate', 5e-05)!r}, num_warmup_steps={plan.warmup_steps}, num_training_steps="
            f"{plan.decay_steps}), stepped after every update",
            f"{plan.max_steps} updates"
            + (f" ({plan.updates_per_epoch} per epoch)" if plan.updates_per_epoch is not None else ""),
        ),
    )


def _hf(mod: ModuleType, config: Any, spe: int | None) -> _Facts:
    run = mod.resolve(config, steps_per_epoch=spe)
    kwargs = f", scheduler_specific_kwargs={dict(run.scheduler_kwargs)!r}" if run.scheduler_kwargs else ""
    lines = [
        f"transformers.get_scheduler({run.lr_scheduler_type!r}, optimizer (lr {run.learning_rate!r}), "
        f"num_warmup_steps={run.num_warmup_steps}, num_training_steps={run.num_training_steps}{kwargs})",
    ]
    if run.num_training_steps is not None:
        per = f" ({run.updates_per_epoch} per epoch)" if run.updates_per_epoch is not None else ""
        lines.append(f"{run.num_training_steps} optimizer updates{per}; Trainer steps the scheduler after each")
    return run.num_training_steps, run.updates_per_epoch, None, tuple(lines)


def _timm(mod: ModuleType, config: Any, spe: int | None) -> _Facts:
    a = mod.read_args(config)
    n = mod.total_updates(config, steps_per_epoch=spe)
    keys = ("lr", "epochs", "warmup_epochs", "warmup_lr", "warmup_prefix", "min_lr", "cooldown_epochs",
            "decay_epochs", "decay_milestones", "decay_rate", "lr_cycle_mul", "lr_cycle_decay", "lr_cycle_limit",
            "lr_k_decay", "lr_noise")  # fmt: skip
    args = ", ".join(f"{k}={getattr(a, k)!r}" for k in keys)
    upe = spe if spe is not None else 1
    stepping = "per optimizer update (sched_on_updates)" if a.sched_on_updates else "per epoch"
    return (
        n,
        upe,
        n // upe,
        (
            f"create_scheduler_v2(sched={a.sched!r}, {args})",
            f"{n // upe} epochs x {upe} updates; train.py steps it {stepping}",
        ),
    )


def _mmengine(mod: ModuleType, config: Any, spe: int | None) -> _Facts:
    from lrparity.recipes.mmengine._config import read_setup

    setup = read_setup(mod.load_config(config), spe)
    loop = setup.loop
    lines = []
    for e in setup.entries:
        args = ", ".join(f"{k}={v!r}" for k, v in e.args.items())
        unit = "epochs" if e.by_epoch else "iterations"
        converted = " (convert_to_iter_based)" if e.converted else ""
        lines.append(
            f"param_scheduler[{e.index}] {e.type}({args}) on {e.param!r}, {unit} [{e.begin}, {e.end}){converted}"
        )
    if loop.by_epoch:
        lines.append(f"EpochBasedTrainLoop: {loop.max_epochs} epochs x {loop.steps_per_epoch} iterations")
        return loop.total, loop.steps_per_epoch, loop.max_epochs, tuple(lines)
    lines.append(f"IterBasedTrainLoop: {loop.total} iterations")
    return loop.total, None, None, tuple(lines)


_FACTS: Mapping[str, Callable[[ModuleType, Any, int | None], _Facts]] = {
    "ppocr": _ppocr,
    "ppcls": _ppcls,
    "ppdet": _ppdet,
    "ppseg": _ppseg,
    "paddlenlp": _paddlenlp,
    "hf": _hf,
    "timm": _timm,
    "mmengine": _mmengine,
}


def describe(kind: str, config: Any, *, steps_per_epoch: int | None = None) -> RecipeRun:
    """The recipe ``config`` of ``kind`` as its trainer runs it (see :class:`RecipeRun`).

    The kind's warnings are collected (not emitted): ``RecipeWarning`` and ``ConfigFileWarning`` messages, each once.

    Args:
        kind: one of :data:`lrparity.recipes.KINDS`.
        config: a path to the ecosystem's config file, or the mapping loaded from it.
        steps_per_epoch: ``len(train_dataloader)`` where the kind needs it (see :func:`lrparity.recipes.schedule`).

    Raises:
        ValueError / TypeError: what :func:`lrparity.recipes.schedule` raises for the config.
    """
    mod = module(kind)
    config = _path_or_mapping(config)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        schedule = mod.schedule(config, steps_per_epoch=steps_per_epoch)
        updates, upe, epochs, builds = _FACTS[kind](mod, config, steps_per_epoch)
    messages: list[str] = []
    for w in caught:
        if issubclass(w.category, (RecipeWarning, ConfigFileWarning)):
            if str(w.message) not in messages:
                messages.append(str(w.message))
        else:  # not the recipe's: let it through as it was
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return RecipeRun(kind, schedule, updates, upe, epochs, builds, tuple(messages))


# -- export context ------------------------------------------------------------------------------------------------
def pinned_base_lr(schedule: Any) -> float | None:
    """The base lr a schedule pins (the first ``WithBaseLR`` inside its wrappers), or None."""
    from lrparity.core import WithBaseLR

    seen = 0
    while schedule is not None and seen < 64:
        if isinstance(schedule, WithBaseLR):
            return float(schedule.base_lr)
        schedule = getattr(schedule, "schedule", None)
        seen += 1
    return None


def export_context(
    kind: str,
    schedule: Any,
    *,
    updates: int | None = None,
    steps_per_epoch: int | None = None,
    base_lr: float | None = None,
) -> dict[str, Any]:
    """The keyword arguments of ``lrparity.recipes.export(schedule, kind, **context)`` for a run of ``updates``
    optimizer updates with ``steps_per_epoch`` updates per epoch.

    - ``ppocr``, ``ppcls``, ``ppdet`` (runs counted in epochs): ``steps_per_epoch`` (required) and ``epochs =
      ceil(updates / steps_per_epoch)``;
    - ``ppseg``: ``iters = updates``; ``paddlenlp``, ``hf``: ``max_steps = updates``;
    - ``timm``: ``steps_per_epoch`` (default: the schedule's ``PerEpoch``), ``total_steps = updates``;
    - other kinds (``mmengine``): the names their ``export`` takes among ``steps_per_epoch``, ``epochs``/
      ``max_epochs``, ``iters``/``max_iters``/``max_steps``/``total_steps``;
    - ``base_lr`` for a relative schedule (an absolute one carries its lrs).

    Args:
        kind: the target kind.
        schedule: the schedule to export.
        updates: the run's optimizer updates (None: the schedule's own length, where the kind can use it).
        steps_per_epoch: optimizer updates per epoch of the run (None: not known).
        base_lr: the base lr of a relative schedule.

    Raises:
        ValueError: a kind that counts in epochs without ``steps_per_epoch``.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {list(KINDS)}, got {kind!r}")
    ctx: dict[str, Any] = {}
    if base_lr is not None and getattr(schedule, "uses_base_lr", False):
        ctx["base_lr"] = base_lr
    epochs = None if updates is None or steps_per_epoch is None else max(1, math.ceil(updates / steps_per_epoch))
    if kind in _EPOCH_BASED:
        if steps_per_epoch is None:
            raise ValueError(
                f"{SUITES[kind]} counts the run in epochs: give steps_per_epoch (optimizer updates per epoch)"
            )
        ctx["steps_per_epoch"] = steps_per_epoch
        if epochs is not None:
            ctx["epochs"] = epochs
    elif kind == "ppseg":
        if updates is not None:
            ctx["iters"] = updates
    elif kind == "paddlenlp":
        if updates is not None:
            ctx["max_steps"] = updates
    elif kind == "hf":
        if updates is not None:
            ctx["max_steps"] = updates
    elif kind == "timm":
        own = getattr(schedule, "steps_per_epoch", None)  # a PerEpoch schedule
        if steps_per_epoch is not None and (own is None or own == steps_per_epoch):
            ctx["steps_per_epoch"] = steps_per_epoch
        if updates is not None:
            ctx["total_steps"] = updates
    elif kind == "mmengine":
        if steps_per_epoch is not None and updates is not None and updates % steps_per_epoch == 0:
            ctx.update(epochs=updates // steps_per_epoch, steps_per_epoch=steps_per_epoch)  # EpochBasedTrainLoop
        elif updates is not None:
            ctx["total_steps"] = updates  # IterBasedTrainLoop
    else:  # pragma: no cover - every kind is listed above; a new one gets the names its export takes
        import inspect

        try:
            names = set(inspect.signature(module(kind).export).parameters)
        except (TypeError, ValueError):  # pragma: no cover - a builtin
            names = set()
        offered = {
            "steps_per_epoch": steps_per_epoch,
            "epochs": epochs,
            "max_epochs": epochs,
            "iters": updates,
            "max_iters": updates,
            "max_steps": updates,
            "total_steps": updates,
        }
        ctx.update({k: v for k, v in offered.items() if k in names and v is not None})
    return ctx
