"""PaddleClas recipes (``kind="ppcls"``): a PaddleClas training YAML as the exact schedule (and optimizer) it trains.

PaddleClas builds its learning rate in ``ppcls/optimizer/__init__.py`` (``build_lr_scheduler``: the ``Optimizer.lr``
block with ``epochs = Global.epochs`` and ``step_each_epoch = iter_per_epoch // update_freq``) from the classes of
``ppcls/optimizer/learning_rate.py``, and its trainer (``ppcls/engine/engine.py``, ``ppcls/engine/train/*.py``) steps
the scheduler after every optimizer update (every ``Global.update_freq`` iterations), or once per epoch with
``by_epoch: True``, or with the eval metric (``ReduceOnPlateau``). :func:`schedule` returns the lr of every optimizer
update as one absolute lrparity schedule; :func:`torch_optimizer` and :func:`paddle_optimizer` build the optimizer of
the ``Optimizer`` block with the same update rule.

Semantics followed: PaddleClas develop at commit d178931 (2024-10-18; ``learning_rate.py`` is not in the
``paddleclas`` wheel or sdist), ``ppcls/utils/config.py`` for how the YAML is read, paddle 3.3.1. The dygraph
``Engine`` is the trainer reproduced (not the static-graph ``ppcls/static/train.py``). Windows, where PaddleClas
drops the last batch of every epoch, is not modelled: pass ``steps_per_epoch`` as PaddleClas counts it.

Entry points: :func:`schedule`, :func:`schedules` (a list-form ``Optimizer``), :func:`build` (with the run and the
warnings), :func:`export`, :func:`dumps`, :func:`reference` (PaddleClas's own classes, restated on paddle's natives
in :mod:`lrparity.recipes.ppcls_reference`), :func:`read_config`, :func:`torch_optimizer`, :func:`paddle_optimizer`.
Importing this module imports neither torch nor paddle.
"""

from __future__ import annotations

import ast
import copy
import numbers
import os
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from lrparity.core import Constant, PerEpoch, Plateau, Schedule, WithBaseLR
from lrparity.core.config_files import parse_config_text, read_config_file
from lrparity.core.validation import check_nesting
from lrparity.recipes import RecipeWarning
from lrparity.recipes.ppcls_lr import LR_CLASSES, LrBuild, build_lr

__all__ = [
    "LR_CLASSES",
    "TRAIN_MODES",
    "PaddleSetup",
    "PpclsBuild",
    "PpclsWarning",
    "Run",
    "TorchSetup",
    "build",
    "builds",
    "dumps",
    "export",
    "loads",
    "paddle_optimizer",
    "read_config",
    "reference",
    "schedule",
    "schedules",
    "torch_optimizer",
]

#: ``Global.train_mode`` values: ``None`` (``train_epoch``) and the ``train_epoch_<mode>`` functions of
#: ``ppcls/engine/train/``.
TRAIN_MODES: tuple[str | None, ...] = (None, "progressive", "fixmatch", "fixmatch_ccssl", "metabin")
_EVERY_ITERATION = ("fixmatch", "fixmatch_ccssl", "metabin")


class PpclsWarning(RecipeWarning):
    """A PaddleClas key that PaddleClas accepts but ignores, or a PaddleClas quirk that changes the values."""


# ---------------------------------------------------------------------------------------------------------------
# Reading the YAML as PaddleClas reads it
# ---------------------------------------------------------------------------------------------------------------


def read_config(path: str | os.PathLike[str]) -> dict[str, Any]:
    """A PaddleClas config file with the values PaddleClas sees (``ppcls/utils/config.py`` ``parse_config``).

    PaddleClas reads YAML with ``yaml.SafeLoader`` (YAML 1.1: ``1e-5`` without a dot is a *string*), then replaces
    every string value of a mapping nested in mappings by ``ast.literal_eval`` of it where that succeeds (``'1e-5'``
    becomes ``1e-05``, ``'cos'`` stays a string); strings inside lists (and inside the list form of ``Optimizer``)
    are left as they are. This reads the file with lrparity's one safe reader (no tag, no duplicate key; nothing
    executed: ``literal_eval`` only parses literals) and applies the same conversion.

    Raises:
        ConfigFileError: (a ValueError naming the file) the file cannot be read as plain YAML.
        ValueError: the document is not a mapping.
    """
    data = read_config_file(path, yaml_floats="1.1", duplicate_keys="warn")  # PyYAML keeps the last; warned
    if not isinstance(data, Mapping):
        raise ValueError(f"{os.fspath(path)}: a PaddleClas config is a mapping (Global, Optimizer, ...), got {data!r}")
    return as_paddleclas_reads(data)


def loads(text: str, *, where: str = "<PaddleClas config>") -> dict[str, Any]:
    """YAML text (e.g. :func:`dumps`'s) read as :func:`read_config` reads a file."""
    data = parse_config_text(text, where=where, yaml_floats="1.1")
    if not isinstance(data, Mapping):
        raise ValueError(f"{where}: a PaddleClas config is a mapping (Global, Optimizer, ...), got {data!r}")
    return as_paddleclas_reads(data)


def as_paddleclas_reads(config: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a loaded config with PaddleClas's ``create_attr_dict`` conversion applied: each string value of
    a mapping reached through mappings becomes ``ast.literal_eval`` of it when that parses (lists untouched)."""
    out: dict[str, Any] = {}
    for key, value in config.items():
        if isinstance(value, Mapping):
            out[key] = as_paddleclas_reads(value)
        elif isinstance(value, str):
            out[key] = _literal(value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _literal(text: str) -> Any:
    try:
        return ast.literal_eval(text)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return text


def _load(config: str | os.PathLike[str] | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(config, (str, os.PathLike)):
        return read_config(config)
    if not isinstance(config, Mapping):
        raise TypeError(
            f"config must be a path to a PaddleClas YAML or the mapping loaded from it, got {type(config).__name__}"
        )
    check_nesting("ppcls", "config", config)
    return as_paddleclas_reads(config)


# ---------------------------------------------------------------------------------------------------------------
# The run: epochs, iterations per epoch, update_freq, and when the trainer steps
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """The training run PaddleClas's ``Engine`` sets up from ``Global``.

    Attributes:
        epochs: ``Global.epochs``.
        iter_per_epoch: iterations per epoch: ``Global.iter_per_epoch`` if set, else ``len(train_dataloader)``,
            rounded down to a multiple of ``update_freq``.
        update_freq: ``Global.update_freq`` (gradient accumulation), 1 where PaddleClas resets it.
        step_each_epoch: what the lr classes get: ``iter_per_epoch // update_freq``.
        updates_per_epoch: optimizer updates per epoch: ``step_each_epoch``, or ``iter_per_epoch`` for the
            fixmatch and metabin trainers (they update at every iteration).
        train_mode: ``Global.train_mode``.
    """

    epochs: int
    iter_per_epoch: int
    update_freq: int
    step_each_epoch: int
    updates_per_epoch: int
    train_mode: str | None

    @property
    def total_updates(self) -> int:
        """Optimizer updates of the whole run."""
        return self.epochs * self.updates_per_epoch


def _global_int(glob: Mapping[str, Any], key: str, default: Any, minimum: int) -> Any:
    value = glob.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"Global.{key} = {value!r} must be an int >= {minimum}")
    return int(value)


def run_of(config: Mapping[str, Any], steps_per_epoch: int | None, notes: list[str]) -> Run:
    """The :class:`Run` of a config (as PaddleClas reads it); quirks go to ``notes``."""
    glob = config.get("Global")
    if not isinstance(glob, Mapping):
        raise ValueError(f"config has no Global mapping (got {glob!r}): PaddleClas reads Global.epochs from it")
    if "epochs" not in glob:
        raise ValueError("Global.epochs is missing: PaddleClas's Engine reads it (KeyError)")
    epochs = _global_int(glob, "epochs", None, 1)
    update_freq = _global_int(glob, "update_freq", 1, 1)
    if steps_per_epoch is not None and (
        isinstance(steps_per_epoch, bool) or not isinstance(steps_per_epoch, numbers.Integral) or steps_per_epoch < 1
    ):
        raise ValueError(f"steps_per_epoch = {steps_per_epoch!r} must be an int >= 1 (len(train_dataloader))")
    fixed = glob.get("iter_per_epoch")
    if fixed:
        ipe = _global_int(glob, "iter_per_epoch", None, 1)
        if steps_per_epoch is not None and steps_per_epoch != ipe:
            notes.append(
                f"steps_per_epoch = {steps_per_epoch} is ignored: Global.iter_per_epoch = {ipe} sets the iterations "
                "per epoch (PaddleClas does not look at len(train_dataloader) then)"
            )
    elif steps_per_epoch is None:
        raise ValueError(
            "steps_per_epoch is needed: give len(train_dataloader) (iterations per epoch per card), or set "
            "Global.iter_per_epoch"
        )
    else:
        ipe = int(steps_per_epoch)
    if ipe < update_freq:
        notes.append(
            f"Global.update_freq = {update_freq} > {ipe} iterations per epoch: PaddleClas resets update_freq to 1"
        )
        update_freq = 1
    rounded = ipe // update_freq * update_freq
    if rounded != ipe:
        notes.append(
            f"{ipe} iterations per epoch with update_freq {update_freq}: PaddleClas runs only {rounded} per epoch "
            f"(a multiple of update_freq)"
        )
    train_mode = glob.get("train_mode")
    if train_mode not in TRAIN_MODES:
        raise ValueError(
            f"Global.train_mode = {train_mode!r} is not a PaddleClas trainer (getattr(train_method, "
            f"'train_epoch_' + mode) fails); valid: {list(TRAIN_MODES)}"
        )
    spe = rounded // update_freq
    updates = spe
    if train_mode in _EVERY_ITERATION:
        updates = rounded
        if update_freq > 1:
            notes.append(
                f"train_mode {train_mode} updates and steps the scheduler at every iteration: update_freq "
                f"{update_freq} only shrinks step_each_epoch to {spe}"
            )
        if train_mode == "metabin":
            notes.append(
                "train_mode metabin: the values are per iteration; at the first iteration the first optimizer also "
                "makes Global.warmup_iter - 1 extra updates at the initial lr"
            )
    return Run(epochs, rounded, update_freq, spe, updates, train_mode)


# ---------------------------------------------------------------------------------------------------------------
# Building: one entry of the Optimizer section
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PpclsBuild:
    """One optimizer of a PaddleClas config and its learning rate.

    Attributes:
        optimizer: the optimizer class name (``Momentum``, ``AdamW``...).
        scope: its scope (``"all"`` for the mapping form of ``Optimizer``).
        block: its mapping (``lr`` included, ``scope`` removed), as PaddleClas reads it.
        lr: the lr class, its native schedule and notes (:class:`~lrparity.recipes.ppcls_lr.LrBuild`).
        run: the training run.
        schedule: the lr of every optimizer update: an absolute schedule, ``values(range(run.total_updates))``,
            or a :class:`~lrparity.core.Plateau` for a metric-driven ``ReduceOnPlateau``.
        warnings: the run's and the lr's notes, one sentence each.
    """

    optimizer: str
    scope: str
    block: dict[str, Any]
    lr: LrBuild
    run: Run
    schedule: Schedule | Plateau
    warnings: tuple[str, ...]


def _entries(optimizer: Any) -> list[tuple[str, str, dict[str, Any]]]:
    """``(name, scope, block)`` per optimizer, as ``build_optimizer`` unfolds the mapping and the list forms."""
    if isinstance(optimizer, Mapping):
        block = dict(optimizer)
        if "name" not in block:
            raise ValueError("Optimizer has no 'name': PaddleClas's build_optimizer pops it (KeyError)")
        return [(str(block.pop("name")), "all", block)]
    if not isinstance(optimizer, list) or not optimizer:
        raise ValueError(
            f"Optimizer must be a mapping or a non-empty list of {{Name: {{scope, lr, ...}}}}, got {optimizer!r}"
        )
    out = []
    for i, item in enumerate(optimizer):
        if not isinstance(item, Mapping) or len(item) != 1 or not isinstance(next(iter(item.values())), Mapping):
            raise ValueError(f"Optimizer[{i}] must be {{Name: {{scope: ..., lr: ..., ...}}}}, got {item!r}")
        name, body = next(iter(item.items()))
        block = dict(body)
        if "scope" not in block:
            raise ValueError(f"Optimizer[{i}] ({name}) has no scope: PaddleClas pops it (KeyError)")
        out.append((str(name), str(block.pop("scope")), block))
    return out


def builds(
    config: str | os.PathLike[str] | Mapping[str, Any], *, steps_per_epoch: int | None = None
) -> list[PpclsBuild]:
    """Every optimizer of the config with its learning rate (warnings returned, not emitted); see :func:`schedule`."""
    cfg = _load(config)
    notes: list[str] = []
    run = run_of(cfg, steps_per_epoch, notes)
    if "Optimizer" not in cfg:
        raise ValueError("config has no Optimizer section: PaddleClas's Engine reads it (KeyError)")
    out = []
    for name, scope, block in _entries(cfg["Optimizer"]):
        if "lr" not in block:
            raise ValueError(f"Optimizer {name} (scope {scope}) has no lr block: PaddleClas pops 'lr' (KeyError)")
        lr = build_lr(
            block["lr"], run.epochs, run.step_each_epoch, updates_per_epoch=run.updates_per_epoch,
            train_mode=run.train_mode,
        )  # fmt: skip
        sched, extra = _per_update(lr, run, cfg["Global"])
        out.append(PpclsBuild(name, scope, block, lr, run, sched, tuple(notes) + lr.warnings + extra))
    return out


def _per_update(lr: LrBuild, run: Run, glob: Mapping[str, Any]) -> tuple[Schedule | Plateau, tuple[str, ...]]:
    """The lr of every update: the scheduler's values held per epoch with ``by_epoch``; a plateau the trainer never
    steps (``Global.eval_during_train: False``) is its starting lr for good."""
    s = lr.schedule
    if isinstance(s, Plateau):
        if "eval_during_train" in glob and not glob["eval_during_train"]:
            note = (
                "ReduceOnPlateau with Global.eval_during_train false: PaddleClas never evaluates, so it never steps "
                f"the plateau and the lr stays {s.start_lr!r}"
            )
            return WithBaseLR(Constant(), float(s.start_lr or 0.0)), (note,)
        return s, ()
    return (PerEpoch(s, run.updates_per_epoch) if lr.by_epoch else s), ()


def build(
    config: str | os.PathLike[str] | Mapping[str, Any], *, steps_per_epoch: int | None = None, entry: int | None = None
) -> PpclsBuild:
    """The optimizer ``entry`` of the config (the only one by default) with its learning rate; warnings returned.

    Raises:
        ValueError: a list-form ``Optimizer`` whose entries have different schedules and no ``entry``.
    """
    all_builds = builds(config, steps_per_epoch=steps_per_epoch)
    if entry is not None:
        if isinstance(entry, bool) or not isinstance(entry, int) or not 0 <= entry < len(all_builds):
            raise ValueError(f"entry = {entry!r} must be an index into Optimizer (0..{len(all_builds) - 1})")
        return all_builds[entry]
    first = all_builds[0]
    if any(b.schedule != first.schedule for b in all_builds[1:]):
        listing = ", ".join(f"[{i}] {b.optimizer} (scope {b.scope}, lr {b.lr.name})" for i, b in enumerate(all_builds))
        raise ValueError(
            f"Optimizer lists {len(all_builds)} optimizers with different learning rates: {listing}; pick one with "
            "entry=i, or take them all with lrparity.recipes.ppcls.schedules(config)"
        )
    return first


def _emit(messages: Sequence[str]) -> None:
    for message in messages:
        warnings.warn(message, PpclsWarning, stacklevel=3)


def schedule(
    config: str | os.PathLike[str] | Mapping[str, Any], *, steps_per_epoch: int | None = None, entry: int | None = None
) -> Schedule | Plateau:
    """The learning rate PaddleClas applies at every optimizer update, as an absolute lrparity schedule.

    ``schedule(cfg, steps_per_epoch=N).values(range(T))[i]`` is the lr of update ``i`` (0-based) of the run's ``T =
    Global.epochs * updates_per_epoch`` updates, for every class of ``learning_rate.py`` (``ConstLR``,
    ``Constant``, ``Linear``, ``Cosine``, ``Cyclic``, ``Step``, ``Piecewise``, ``MultiStepDecay``,
    ``ReduceOnPlateau``, ``CosineFixmatch``, ``OneCycleLR``) with every parameter: the scheduler is stepped after
    every update (every ``update_freq`` iterations), or once per epoch with ``by_epoch: True`` (the value then
    holds for the epoch's updates). A metric-driven ``ReduceOnPlateau`` (``by_epoch: True``, no warmup) gives the
    core :class:`~lrparity.core.Plateau` with PaddleClas's parameters: step it with the eval metric after each
    evaluation (``Global.eval_interval``).

    Quirks reproduced (each emitted as :class:`PpclsWarning` where it changes the values): ``warmup_epoch >=
    epochs`` clamped to ``epochs``; the warmup is ``round(warmup_epoch * step_each_epoch)`` updates (half to even)
    or ``warmup_epoch`` epochs with ``by_epoch``, and the decay starts after it; ``Linear`` recomputes its warmup
    in updates even with ``by_epoch``; ``Step`` truncates ``int(step_size * step_each_epoch)``; a ``Piecewise``
    with ``learning_rate`` replaces its lists by ``lr * 0.1**i`` every 30 epochs; ``Cosine`` runs paddle's
    recursion without warmup and its closed form with one; ``last_epoch = L`` starts the scheduler at step
    ``L + 1``; ``epochs``/``step_each_epoch`` keys are overwritten; ``update_freq`` larger than an epoch is reset
    to 1 and ``iter_per_epoch`` is rounded down to a multiple of it.

    Args:
        config: a path to the PaddleClas YAML, or the mapping loaded from it (PaddleClas's string conversion is
            applied; see :func:`read_config`).
        steps_per_epoch: ``len(train_dataloader)``, iterations per epoch per card; not needed when
            ``Global.iter_per_epoch`` is set (which then wins).
        entry: for a list-form ``Optimizer``, the index of the optimizer whose lr to return (default: the only
            one, or all of them when their schedules are equal).

    Raises:
        ValueError: a config PaddleClas (or Paddle) cannot train with, or one that means nothing, naming the key.
        TypeError: ``config`` is neither a path nor a mapping.
    """
    b = build(config, steps_per_epoch=steps_per_epoch, entry=entry)
    _emit(b.warnings)
    return b.schedule


class ScopedSchedule(NamedTuple):
    """One optimizer of a list-form ``Optimizer``: its class name, its scope and its learning rate."""

    optimizer: str
    scope: str
    schedule: Schedule | Plateau


def schedules(
    config: str | os.PathLike[str] | Mapping[str, Any], *, steps_per_epoch: int | None = None
) -> list[ScopedSchedule]:
    """Every optimizer of the config (list form: one per scope) with its schedule, as :func:`schedule` gives it."""
    all_builds = builds(config, steps_per_epoch=steps_per_epoch)
    _emit(list(dict.fromkeys(w for b in all_builds for w in b.warnings)))  # the run's notes once
    return [ScopedSchedule(b.optimizer, b.scope, b.schedule) for b in all_builds]


# ---------------------------------------------------------------------------------------------------------------
# export / dumps / reference
# ---------------------------------------------------------------------------------------------------------------


def export(schedule: Schedule | Plateau, **context: Any) -> dict[str, Any]:
    """``schedule`` as a PaddleClas config (``Global`` and ``Optimizer.lr``) that :func:`schedule` reads back.

    See :func:`lrparity.recipes.ppcls_export.export` for the ``context`` keys (``steps_per_epoch`` required;
    ``update_freq``, ``epochs``, ``base_lr``, ``optimizer``) and what the format can express.
    """
    from lrparity.recipes.ppcls_export import export as _export

    return _export(schedule, **context)


def dumps(config: Mapping[str, Any]) -> str:
    """A PaddleClas config as YAML text (keys in order; floats written so that PyYAML reads them back as floats)."""
    import yaml

    if not isinstance(config, Mapping):
        raise TypeError(f"config must be a mapping, got {type(config).__name__}")
    return yaml.safe_dump(_plain(config), sort_keys=False, default_flow_style=None, allow_unicode=True, width=120)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def reference(
    config: str | os.PathLike[str] | Mapping[str, Any],
    *,
    steps_per_epoch: int | None = None,
    steps: int | None = None,
    lr_module: Any = None,
    entry: int | None = None,
    metrics: Sequence[float] | None = None,
) -> np.ndarray:
    """The lr of each optimizer update computed by PaddleClas's classes on paddle's natives, stepped as
    PaddleClas's trainer steps them (see :mod:`lrparity.recipes.ppcls_reference`).

    Args:
        config: the PaddleClas YAML (path or mapping), as for :func:`schedule`.
        steps_per_epoch: ``len(train_dataloader)``, as for :func:`schedule`.
        steps: how many updates (default: the whole run).
        lr_module: a module with PaddleClas's lr classes (``ppcls.optimizer.learning_rate`` from a PaddleClas
            checkout) to run instead of lrparity's restatement of it.
        entry: the optimizer of a list-form ``Optimizer``, as for :func:`schedule`.
        metrics: for a metric-driven ``ReduceOnPlateau``, the eval metric of each evaluation.

    Raises:
        ImportError: paddle is not installed.
    """
    from lrparity.recipes.ppcls_reference import reference_lrs

    return reference_lrs(
        _load(config), steps_per_epoch=steps_per_epoch, steps=steps, lr_module=lr_module, entry=entry, metrics=metrics
    )


# ---------------------------------------------------------------------------------------------------------------
# Optimizers
# ---------------------------------------------------------------------------------------------------------------


class TorchSetup(NamedTuple):
    """What :func:`torch_optimizer` returns.

    Attributes:
        optimizer: the ``torch.optim.Optimizer``.
        scheduler: the lrparity torch scheduler: call ``scheduler.step()`` after every ``optimizer.step()`` (its
            values are per update, ``by_epoch`` included); for a metric-driven ``ReduceOnPlateau``, a plateau
            scheduler: call ``scheduler.step(metric)`` after each evaluation instead.
        pre_step: ``None``, or a callable to call after ``loss.backward()`` and before ``optimizer.step()``
            (Paddle's per-tensor gradient clip for ``clip_norm``, then coupled L1).
    """

    optimizer: Any
    scheduler: Any
    pre_step: Callable[[], None] | None


class PaddleSetup(NamedTuple):
    """What :func:`paddle_optimizer` returns: the paddle optimizer and its lrparity paddle scheduler."""

    optimizer: Any
    scheduler: Any


def _optimizer_setup(config: Any, steps_per_epoch: int | None, entry: int | None) -> tuple[Any, PpclsBuild]:
    from lrparity.recipes.ppcls_optimizers import parse_optimizer

    b = build(config, steps_per_epoch=steps_per_epoch, entry=entry)
    spec = parse_optimizer(b.optimizer, b.block)
    _emit(b.warnings + spec.warnings)
    return spec, b


def torch_optimizer(
    config: str | os.PathLike[str] | Mapping[str, Any],
    model_or_params: Any,
    *,
    steps_per_epoch: int | None = None,
    entry: int | None = None,
) -> TorchSetup:
    """The torch optimizer and lr scheduler that reproduce PaddleClas's update for this config.

    Training loop (gradient accumulation as PaddleClas: the loss divided by ``update_freq``)::

        opt, sched, pre_step = lrparity.recipes.ppcls.torch_optimizer("ResNet50.yaml", model,
                                                                      steps_per_epoch=len(loader))
        for epoch in range(epochs):
            for i, batch in enumerate(loader):
                (loss_fn(model(x), y) / update_freq).backward()
                if (i + 1) % update_freq == 0:
                    if pre_step: pre_step()          # Paddle's gradient clip
                    opt.step(); opt.zero_grad(); sched.step()   # one scheduler step per update

    Args:
        config: the PaddleClas YAML (path or mapping).
        model_or_params: an ``nn.Module`` (needed for ``no_weight_decay_name``), ``(name, param)`` pairs, or
            parameters; for a list-form ``Optimizer``, the parameters of ``entry``'s scope.
        steps_per_epoch: ``len(train_dataloader)`` (unless ``Global.iter_per_epoch`` is set).
        entry: the optimizer of a list-form ``Optimizer``.

    Returns:
        :class:`TorchSetup` ``(optimizer, scheduler, pre_step)``.

    Raises:
        ValueError: a block PaddleClas cannot build (lr or optimizer side), saying why.
        ImportError: torch is not installed.
    """
    import lrparity
    from lrparity.paddle_optimizers import build_torch_optimizer

    spec, b = _optimizer_setup(config, steps_per_epoch, entry)
    sched = b.schedule
    lr0 = sched.start_lr if isinstance(sched, Plateau) else sched.value(0)
    optimizer, pre_step = build_torch_optimizer(spec, model_or_params, float(lr0))
    return TorchSetup(optimizer, lrparity.torch_scheduler(sched, optimizer), pre_step)


def paddle_optimizer(
    config: str | os.PathLike[str] | Mapping[str, Any],
    parameters_or_layer: Any,
    *,
    steps_per_epoch: int | None = None,
    entry: int | None = None,
) -> PaddleSetup:
    """The paddle optimizer PaddleClas builds for this config, driven by lrparity's paddle scheduler of
    :func:`schedule` (call ``scheduler.step()`` after every update; ``step(metric)`` for a plateau).

    Raises:
        ValueError: a block PaddleClas cannot build, saying why.
        ImportError: paddle is not installed.
    """
    import lrparity
    from lrparity.paddle_optimizers import build_paddle_optimizer

    spec, b = _optimizer_setup(config, steps_per_epoch, entry)
    scheduler = lrparity.paddle_scheduler(b.schedule)
    return PaddleSetup(build_paddle_optimizer(spec, parameters_or_layer, scheduler), scheduler)
