"""PaddleDetection recipes (``kind="ppdet"``): a PaddleDetection config in, the exact lrparity schedule out, and back.

``schedule(config, steps_per_epoch=N)`` reads a full PaddleDetection YAML (``epoch`` and ``LearningRate`` with
``base_lr`` and ``schedulers``, in the ``!PiecewiseDecay {...}`` tag form or the ``- name: PiecewiseDecay`` form; a
path has its ``_BASE_`` includes merged as PaddleDetection merges them) and returns the absolute schedule whose
value at update ``i`` is the lr PaddleDetection 2.6.0's trainer uses for update ``i``, bit for bit.
``export(schedule, steps_per_epoch=N, ...)`` writes a schedule as a ``LearningRate`` block, ``dumps`` as
PaddleDetection YAML, and ``reference`` runs PaddleDetection's own code (for parity checks). ``torch_optimizer``
builds the torch optimizer of the config's ``OptimizerBuilder`` (same update rule) with lrparity's torch scheduler of
its ``LearningRate``.

The rules reproduced (every class of ``ppdet/optimizer/optimizer.py``: ``PiecewiseDecay``, ``CosineDecay``,
``LinearWarmup``, ``ExpWarmup``) are in :mod:`lrparity.recipes.ppdet.schedules`. Importing this package imports
neither torch nor paddle.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from typing import Any

from lrparity.core import Schedule
from lrparity.recipes.ppdet.config import BASE_KEY, LR_CLASSES, dict_merge, read_config
from lrparity.recipes.ppdet.export import dumps, export
from lrparity.recipes.ppdet.optimizer import (
    BUILDER_DEFAULTS,
    OPTIMIZER_KWARGS,
    ParamGroup,
    PpdetOptimizer,
    TorchSetup,
    build_torch_optimizer,
    optimizer_spec,
    torch_optimizer,
)
from lrparity.recipes.ppdet.reference import reference
from lrparity.recipes.ppdet.schedules import (
    DECAYS,
    DEFAULTS,
    LEARNING_RATE_DEFAULTS,
    WARMUPS,
    PpdetBuild,
    PpdetWarning,
    build,
)

__all__ = [
    "BASE_KEY",
    "BUILDER_DEFAULTS",
    "DECAYS",
    "DEFAULTS",
    "LEARNING_RATE_DEFAULTS",
    "LR_CLASSES",
    "OPTIMIZER_KWARGS",
    "WARMUPS",
    "ParamGroup",
    "PpdetBuild",
    "PpdetOptimizer",
    "PpdetWarning",
    "TorchSetup",
    "build",
    "build_torch_optimizer",
    "dict_merge",
    "dumps",
    "export",
    "optimizer_spec",
    "read_config",
    "reference",
    "schedule",
    "torch_optimizer",
]


def schedule(config: str | os.PathLike[str] | Mapping[str, Any], *, steps_per_epoch: int | None = None) -> Schedule:
    """The lr PaddleDetection's trainer uses at each optimizer update, as an absolute lrparity schedule.

    ``schedule(cfg, steps_per_epoch=S).values(range(cfg["epoch"] * S))[i]`` is the lr of update ``i`` (0-based),
    equal bit for bit to PaddleDetection 2.6.0's ``LearningRate(...)(S)`` stepped once per iteration.

    Keys PaddleDetection accepts but ignores, silent defaults and quirks that change the values (a milestone inside
    the warmup, a cosine that holds ``c(M-1)`` after ``max_epochs``) are emitted as :class:`PpdetWarning`.

    Args:
        config: a PaddleDetection config file (``_BASE_`` resolved) or the mapping loaded from it; it needs ``epoch``
            and ``LearningRate``.
        steps_per_epoch: ``len(train_loader)``, iterations per epoch per card; int >= 1, required.

    Raises:
        ValueError: a config PaddleDetection rejects (naming the key and why), or one that means nothing even where
            PaddleDetection runs it (a negative or unsorted milestone, ``min_lr_ratio > 1``...).
        TypeError: a value of the wrong type, naming the key (e.g. ``1e-4`` without a dot, a string in YAML 1.1).

    Example:
        >>> cfg = {"epoch": 3, "LearningRate": {"base_lr": 0.01, "schedulers": [
        ...     {"name": "PiecewiseDecay", "gamma": 0.1, "milestones": [2]},
        ...     {"name": "LinearWarmup", "start_factor": 0.1, "steps": 2}]}}
        >>> schedule(cfg, steps_per_epoch=2).values(range(6)).tolist()
        [0.001, 0.0055000000000000005, 0.01, 0.01, 0.001, 0.001]
    """
    result = build(config, steps_per_epoch)
    for message in result.warnings:
        warnings.warn(message, PpdetWarning, stacklevel=2)
    return result.schedule
