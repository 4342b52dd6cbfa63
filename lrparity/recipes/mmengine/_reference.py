"""mmengine's own code, run: the real schedulers built as the runner builds them, stepped by the real
``ParamSchedulerHook`` inside the real ``EpochBasedTrainLoop`` / ``IterBasedTrainLoop``.

Only the runner itself is restated (a few lines of ``Runner.build_train_loop`` and ``Runner._build_param_scheduler``:
the loop class from ``train_cfg``, each entry's default ``end``, ``PARAM_SCHEDULERS.build`` with the optimizer wrapper
and ``epoch_length``): mmengine's ``Runner`` needs a model, datasets and a work directory. The lr is read inside the
model's ``train_step``, where the real optimizer update happens.

mmengine-lite (no OpenCV) cannot import ``mmengine.hooks`` / ``mmengine.runner`` as packages (their ``__init__``
imports a visualization hook that needs ``cv2``); the two module files needed are then loaded on their own, under
private package names, so nothing named ``mmengine.*`` is replaced.
"""

from __future__ import annotations

import copy
import importlib
import importlib.util
import os
import sys
import threading
import types
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["run_reference"]

_LOCK = threading.Lock()
_PARTS: dict[str, Any] = {}


def _load_private(package: str, folder: str, module: str) -> types.ModuleType:
    """``<folder>/<module>.py`` loaded as ``<package>.<module>``, ``package`` a bare package over ``folder``."""
    if package not in sys.modules:
        stub = types.ModuleType(package)
        stub.__path__ = [folder]  # type: ignore[attr-defined]
        sys.modules[package] = stub
    name = f"{package}.{module}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, os.path.join(folder, f"{module}.py"))
    assert spec is not None and spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[name] = loaded
    try:
        spec.loader.exec_module(loaded)
    except BaseException:
        del sys.modules[name]
        raise
    return loaded


def _runner_parts(mmengine: types.ModuleType) -> dict[str, Any]:
    """ParamSchedulerHook, the two train loops, OptimWrapper and the scheduler registry of ``mmengine``."""
    with _LOCK:
        if _PARTS.get("root") == mmengine.__file__:
            return _PARTS
        from mmengine.optim import OptimWrapper
        from mmengine.registry import HOOKS, LOOPS, PARAM_SCHEDULERS

        try:
            from mmengine.hooks import ParamSchedulerHook
            from mmengine.runner.loops import EpochBasedTrainLoop, IterBasedTrainLoop
        except ImportError:  # mmengine-lite: the packages' __init__ needs cv2; their files do not
            root = os.path.dirname(mmengine.__file__)
            ParamSchedulerHook = (
                HOOKS.get("ParamSchedulerHook")
                or _load_private(
                    "_lrparity_mmengine_hooks", os.path.join(root, "hooks"), "param_scheduler_hook"
                ).ParamSchedulerHook
            )
            if LOOPS.get("EpochBasedTrainLoop") is None:
                _load_private("_lrparity_mmengine_runner", os.path.join(root, "runner"), "loops")
            EpochBasedTrainLoop, IterBasedTrainLoop = LOOPS.get("EpochBasedTrainLoop"), LOOPS.get("IterBasedTrainLoop")
        importlib.import_module("mmengine.optim.scheduler")  # registers the schedulers
        _PARTS.clear()
        _PARTS.update(
            root=mmengine.__file__, hook=ParamSchedulerHook, epoch_loop=EpochBasedTrainLoop,
            iter_loop=IterBasedTrainLoop, wrapper=OptimWrapper, schedulers=PARAM_SCHEDULERS, loops=LOOPS,
        )  # fmt: skip
        return _PARTS


class _Dataset:
    """``len(train_dataloader)`` items (a ``metainfo`` attribute, so that the loop does not log its absence)."""

    metainfo: Mapping[str, Any] = {}

    def __init__(self, size: int) -> None:
        self.size = size

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: int) -> int:
        if not 0 <= index < self.size:
            raise IndexError(index)
        return index


class _Cycle:
    """A sampler of ``len(train_dataloader)`` indices that never ends, for an iteration-based loop (mmengine's
    ``InfiniteSampler`` does the same: otherwise its loop restarts the dataloader, and sleeps 2 s, at each epoch)."""

    def __init__(self, size: int) -> None:
        self.size = size

    def __len__(self) -> int:
        return self.size

    def __iter__(self) -> Iterator[int]:
        while True:
            yield from range(self.size)


class _Model:
    """The loop's ``runner.model``: records every scheduled field at each update, then updates the optimizer."""

    def __init__(self, fields: Sequence[str], uses_betas: bool) -> None:
        self.fields = fields
        self.uses_betas = uses_betas
        self.records: dict[str, list[float]] = {field: [] for field in fields}

    def train(self, mode: bool = True) -> _Model:
        return self

    def train_step(self, data: Any, optim_wrapper: Any) -> dict[str, Any]:
        group = optim_wrapper.optimizer.param_groups[0]
        for field in self.fields:
            if field == "momentum" and self.uses_betas:
                value = group["betas"][0]
            else:
                value = group[field]
            self.records[field].append(float(value))
        optim_wrapper.step()
        return {}


class _ValLoop:
    """Reports the next metric to the hooks at each validation (for ReduceOnPlateau entries)."""

    def __init__(self, runner: _Runner, metrics: Iterator[Mapping[str, float]]) -> None:
        self.runner = runner
        self.metrics = metrics

    def run(self) -> dict[str, float]:
        try:
            metrics = dict(next(self.metrics))
        except StopIteration:
            raise ValueError("reference: more validations than metrics given") from None
        self.runner.call_hook("after_val_epoch", metrics=metrics)
        return metrics


class _Runner:
    """What the train loop, ``ParamSchedulerHook`` and ``_build_param_scheduler`` read from a runner."""

    def __init__(self, parts: dict[str, Any], optim_wrapper: Any, loader: Any, model: _Model) -> None:
        self.optim_wrapper = optim_wrapper
        self.model = model
        self.train_dataloader = loader
        self._train_dataloader = loader
        self.hook = parts["hook"]()
        self.param_schedulers: list[Any] | None = None
        self.val_loop: _ValLoop | None = None
        self.visualizer = types.SimpleNamespace(dataset_meta=None)
        self.train_loop: Any = None

    @property
    def max_epochs(self) -> int:
        return self.train_loop.max_epochs

    @property
    def max_iters(self) -> int:
        return self.train_loop.max_iters

    def call_hook(self, name: str, **kwargs: Any) -> None:
        getattr(self.hook, name)(self, **kwargs)


def _optimizer(torch: Any, optimizer_cfg: Mapping[str, Any]) -> Any:
    cfg = dict(optimizer_cfg)
    kind = cfg.pop("type")
    if isinstance(kind, str):
        kind = getattr(torch.optim, kind.rpartition(".")[2])
    return kind([torch.nn.Parameter(torch.zeros(1))], **cfg)


def run_reference(
    cfg: Mapping[str, Any],
    *,
    steps_per_epoch: int | None,
    fields: Sequence[str],
    uses_betas: bool,
    metrics: Sequence[float | Mapping[str, float]] | None,
    monitor: str | None,
    mmengine: types.ModuleType | None = None,
) -> dict[str, np.ndarray]:
    """Each field's value at every optimizer update of the run, as mmengine computes it."""
    if mmengine is None:
        try:
            import mmengine
        except ImportError as exc:
            raise ImportError(
                "lrparity.recipes.mmengine.reference runs mmengine itself: pip install 'lrparity[mmengine]' "
                f"(mmengine-lite 0.10.7 is enough) ({exc})"
            ) from exc
    import torch

    parts = _runner_parts(mmengine)
    size = steps_per_epoch or 1
    loop_cfg = copy.deepcopy(dict(cfg["train_cfg"]))
    by_epoch = loop_cfg.pop("by_epoch") if "by_epoch" in loop_cfg else None
    iterations = by_epoch is False or str(loop_cfg.get("type", "")).endswith("IterBasedTrainLoop")
    sampler = _Cycle(size) if iterations else None
    loader = torch.utils.data.DataLoader(_Dataset(size), batch_size=1, sampler=sampler, collate_fn=lambda b: b)
    optimizer = _optimizer(torch, cfg["optim_wrapper"]["optimizer"])
    wrapper = parts["wrapper"](optimizer=optimizer)
    model = _Model(fields, uses_betas)
    runner = _Runner(parts, wrapper, loader, model)
    # Runner.build_train_loop
    if by_epoch is None:
        runner.train_loop = parts["loops"].build(loop_cfg, default_args=dict(runner=runner, dataloader=loader))
    else:
        loop_cls = parts["epoch_loop"] if by_epoch else parts["iter_loop"]
        runner.train_loop = loop_cls(**loop_cfg, runner=runner, dataloader=loader)
    # Runner._build_param_scheduler
    raw = cfg.get("param_scheduler") or []
    schedulers = []
    for item in [raw] if isinstance(raw, Mapping) else raw:
        item = copy.deepcopy(dict(item))
        item.setdefault("end", runner.max_epochs if item.get("by_epoch", True) else runner.max_iters)
        schedulers.append(
            parts["schedulers"].build(item, default_args=dict(optimizer=wrapper, epoch_length=len(loader)))
        )
    runner.param_schedulers = schedulers
    if metrics is not None:
        stream = ({monitor: m} if not isinstance(m, Mapping) else m for m in metrics)
        runner.val_loop = _ValLoop(runner, iter(stream))
    runner.train_loop.run()
    return {field: np.asarray(values, dtype=np.float64) for field, values in model.records.items()}
