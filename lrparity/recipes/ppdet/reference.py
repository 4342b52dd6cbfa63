"""PaddleDetection's own LR code, built its way and stepped as its trainer steps (the parity reference).

Only this module runs PaddleDetection (and paddle): :func:`reference` builds ``LearningRate(**cfg["LearningRate"])``
with the classes of ``ppdet/optimizer/optimizer.py``, calls it with ``steps_per_epoch`` as ``Trainer.train`` does,
and reads the lr of each update before stepping the scheduler once per iteration, as the trainer does after
``optimizer.step()``. A config path is read by PaddleDetection's own ``load_config`` (``_BASE_`` includes merged
its way, tags built by its YAML constructors), in a fresh global config that is put back afterwards.
"""

from __future__ import annotations

import copy
import importlib
import os
import sys
from collections.abc import Mapping
from types import ModuleType
from typing import Any

import numpy as np

__all__ = ["reference"]

MAX_STEPS = 10_000_000
"""Most updates :func:`reference` steps (PaddleDetection's Python scheduler takes ~1 us per step)."""


def _installed() -> ModuleType:
    try:
        return importlib.import_module("ppdet.optimizer.optimizer")
    except ImportError as exc:
        raise ImportError(
            "the PaddleDetection reference needs paddledet (pip install paddledet==2.6.0, and paddlepaddle); "
            f"importing ppdet.optimizer.optimizer failed: {exc}"
        ) from exc


def _load_with_ppdet(module: ModuleType, path: str) -> Mapping[str, Any]:
    """PaddleDetection's ``load_config(path)``, in a fresh global config (restored afterwards)."""
    workspace = sys.modules.get(module.register.__module__) or importlib.import_module(module.register.__module__)
    saved = workspace.global_config
    workspace.global_config = workspace.AttrDict()
    try:
        return dict(workspace.load_config(path))
    finally:
        workspace.global_config = saved


def reference(
    config: str | os.PathLike[str] | Mapping[str, Any],
    *,
    steps_per_epoch: int | None = None,
    steps: int | None = None,
    lr_module: ModuleType | None = None,
) -> np.ndarray:
    """The lr of each optimizer update as PaddleDetection computes it: its ``LearningRate`` built from ``config``
    and stepped once per iteration after the update, as ``ppdet/engine/trainer.py`` does.

    Args:
        config: a PaddleDetection config path (read by PaddleDetection's ``load_config``) or the mapping loaded
            (scheduler entries as ``{"name": ..., **params}`` mappings, as lrparity reads tags).
        steps_per_epoch: ``len(train_loader)``; required.
        steps: how many updates to compute; default ``epoch * steps_per_epoch``.
        lr_module: the module ``ppdet.optimizer.optimizer`` (e.g. loaded from the paddledet wheel by the parity
            tests); default: the installed paddledet's.

    Raises:
        ImportError: no ``lr_module`` and paddledet is not installed.
        ValueError: ``steps_per_epoch``/``steps`` missing or out of range.
    """
    module = lr_module if lr_module is not None else _installed()
    if isinstance(steps_per_epoch, bool) or not isinstance(steps_per_epoch, int) or steps_per_epoch < 1:
        raise ValueError(f"steps_per_epoch must be an int >= 1 (len(train_loader)), got {steps_per_epoch!r}")
    if isinstance(config, (str, os.PathLike)):
        cfg = _load_with_ppdet(module, os.fspath(config))
    else:
        cfg = copy.deepcopy(dict(config))
    if steps is None:
        steps = int(cfg["epoch"]) * steps_per_epoch
    if isinstance(steps, bool) or not isinstance(steps, int) or not 0 <= steps <= MAX_STEPS:
        raise ValueError(f"steps must be an int in [0, {MAX_STEPS}], got {steps!r}")
    learning_rate = module.LearningRate(**dict(cfg.get("LearningRate") or {}))
    scheduler = learning_rate(steps_per_epoch)  # Trainer: create('LearningRate')(len(self.loader))
    out = np.empty(steps, dtype=np.float64)
    for i in range(steps):
        out[i] = scheduler()  # optimizer.get_lr() during update i
        scheduler.step()  # self.lr.step() after optimizer.step()
    return out
