"""mmengine (OpenMMLab: MMOCR, MMDetection, MMPretrain, MMSegmentation...) ``param_scheduler`` configs as exact lrparity
schedules, and back.

mmengine 0.10.7's runner builds every ``param_scheduler`` entry on the optimizer (``end`` defaulting to the train
loop's ``max_epochs`` / ``max_iters`` by the entry's ``by_epoch``; ``convert_to_iter_based`` rescaling ``begin``,
``end`` and every length to iterations), and its ``ParamSchedulerHook`` steps ``by_epoch=False`` entries after each
iteration and ``by_epoch=True`` ones after each epoch, in list order. Each scheduler is a recursion on the param
group's current value, active for ``begin <= step < end``, so stacked entries compose (multiply, mostly).

- :func:`schedule` / :func:`schedules`: the lr (and momentum, and any other scheduled field) at every optimizer
  update of the run, as absolute lrparity schedules (a :class:`~lrparity.Plateau` for ``ReduceOnPlateau*``).
- :func:`reference`: the same values computed by mmengine itself (its schedulers, hook and train loop).
- :func:`export` / :func:`dumps`: an lrparity schedule as an mmengine config (``param_scheduler``, ``train_cfg``,
  ``optim_wrapper``), and as the Python source mmengine configs are written in.

Importing this module imports neither torch nor mmengine.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from lrparity.core import Plateau, Schedule
from lrparity.recipes.mmengine._build import build_param, fields, mapping_of
from lrparity.recipes.mmengine._config import (
    INF,
    KINDS,
    OPTIMIZER_DEFAULTS,
    SCHEDULER_TYPES,
    MmengineWarning,
    Setup,
    read_setup,
)
from lrparity.recipes.mmengine._export import dumps, export
from lrparity.recipes.mmengine._read import load_config

__all__ = [
    "INF",
    "KINDS",
    "OPTIMIZER_DEFAULTS",
    "SCHEDULER_TYPES",
    "MmengineWarning",
    "dumps",
    "export",
    "load_config",
    "reference",
    "schedule",
    "schedules",
]

Config = str | os.PathLike[str] | Mapping[str, Any]


def _setup(config: Config, steps_per_epoch: int | None) -> tuple[dict[str, Any], Setup]:
    cfg = load_config(config)
    return cfg, read_setup(cfg, steps_per_epoch)


def schedules(config: Config, *, steps_per_epoch: int | None = None) -> dict[str, Schedule | Plateau]:
    """Every optimizer field the config schedules, as absolute schedules indexed by optimizer update.

    ``schedules(cfg, steps_per_epoch=L)["lr"].values(range(T))[i]`` is the lr mmengine's runner uses for update ``i``
    (0-based) of the run of ``T`` updates (``max_epochs * L`` or ``max_iters``); ``"momentum"`` is there when the
    config has momentum schedulers (on the Adam family it is ``betas[0]``, as mmengine drives it), and any
    ``param_name`` of a ``*ParamScheduler`` entry gets its own key. A ``ReduceOnPlateau*`` entry gives a
    :class:`~lrparity.Plateau` (mmengine's semantics are torch's, ``semantics="torch"``; step it once per validation).

    Drive a torch optimizer with all of them: ``lrparity.torch_scheduler(schedules(cfg, steps_per_epoch=L), optimizer)``
    (a mapping of fields; ``"momentum"`` drives ``betas[0]`` on Adam), stepped once per optimizer update.

    Args:
        config: an mmengine config: the mapping (``dict``, mmengine ``Config``), or a ``.py`` file (read with
            mmengine's ``Config.fromfile``, which *executes the file*; needs mmengine) or a ``.yaml``/``.json`` file
            (read safely; ``_base_`` resolved). Used: ``param_scheduler`` (a dict or a list), ``train_cfg``,
            ``optim_wrapper.optimizer`` (``lr``; ``momentum``/``betas`` for momentum schedulers; torch's defaults
            where the config leaves them out), ``auto_scale_lr`` (warned about when enabled).
        steps_per_epoch: ``len(train_dataloader)``, iterations (= optimizer updates) per epoch: required for an
            ``EpochBasedTrainLoop`` and for ``convert_to_iter_based`` entries.

    Raises:
        ValueError / TypeError: a config mmengine rejects (naming the entry and key), or one that lrparity cannot
            express exactly (e.g. an entry with ``eta_min`` whose changes interleave with another entry's).
    """
    _, setup = _setup(config, steps_per_epoch)
    return mapping_of(setup)


def schedule(config: Config, *, steps_per_epoch: int | None = None) -> Schedule | Plateau:
    """The lr of :func:`schedules` (what ``lrparity.recipes.schedule("mmengine", ...)`` returns)."""
    _, setup = _setup(config, steps_per_epoch)
    return build_param(setup, "lr")


def reference(
    config: Config,
    *,
    steps_per_epoch: int | None = None,
    steps: int | None = None,
    lr_module: Any = None,
    field: str = "lr",
    metrics: Sequence[float | Mapping[str, float]] | None = None,
) -> np.ndarray:
    """The values mmengine itself gives: its schedulers built as the runner builds them on a torch optimizer, stepped by
    its ``ParamSchedulerHook`` inside its ``EpochBasedTrainLoop``/``IterBasedTrainLoop``; the value read at each
    optimizer update.

    Args:
        config: as :func:`schedules`.
        steps_per_epoch: as :func:`schedules` (the train dataloader's length).
        steps: the first ``steps`` updates (default: the whole run); at most the run's length.
        lr_module: the ``mmengine`` package to use (default: ``import mmengine``).
        field: the optimizer field to read (``"lr"``, ``"momentum"`` — ``betas[0]`` on the Adam family —, ...).
        metrics: for ``ReduceOnPlateau`` entries: the metric of each validation, in order (numbers for the entry's
            ``monitor``, or mappings of metric names).

    Raises:
        ImportError: mmengine (or torch) is not installed.
    """
    cfg, setup = _setup(config, steps_per_epoch)
    wanted = fields(setup)
    if field not in wanted:
        raise ValueError(f"field must be one of the fields this config schedules, {wanted}, got {field!r}")
    monitor = next((e.args["monitor"] for e in setup.entries if e.kind == "ReduceOnPlateau"), None)
    if monitor is not None and metrics is None:
        raise ValueError("the config has a ReduceOnPlateau entry: pass metrics=[...], one per validation")
    from lrparity.recipes.mmengine._reference import run_reference

    values = run_reference(
        cfg, steps_per_epoch=setup.loop.steps_per_epoch, fields=wanted, uses_betas=setup.optimizer.uses_betas,
        metrics=metrics, monitor=monitor, mmengine=lr_module,
    )[field]  # fmt: skip
    if steps is None:
        return values
    if not isinstance(steps, int) or isinstance(steps, bool) or not 0 <= steps <= values.size:
        raise ValueError(f"steps must be an int in [0, {values.size}] (the run's updates), got {steps!r}")
    return values[:steps]
