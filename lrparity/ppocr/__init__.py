"""PaddleOCR migration: a PaddleOCR ``Optimizer:`` block as the same schedule and optimizer in torch and paddle.

- :func:`read_config`: a PaddleOCR config file as PaddleOCR reads it, with a safe loader (nothing is executed).
- :func:`lr_schedule`: the lr PaddleOCR applies at each iteration, as an absolute lrparity schedule.
- :func:`torch_optimizer`: the torch optimizer, lr scheduler and pre-step hook (gradient clip) that reproduce
  PaddleOCR's update.
- :func:`paddle_optimizer`: the paddle optimizer and scheduler from the same block, through lrparity's paddle
  backend.

Keys PaddleOCR silently ignores are emitted as :class:`PpocrWarning`; blocks PaddleOCR itself cannot build raise
``ValueError`` saying why. Importing this package imports neither torch nor paddle.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from lrparity.core import Chain, Constant, PerGroup, Schedule
from lrparity.core.config_files import read_config_file
from lrparity.ppocr.schedules import LR_CLASSES, LrBuild, PpocrWarning, build_lr, lr_block, lr_schedule

__all__ = [
    "LR_CLASSES",
    "LrBuild",
    "PaddleSetup",
    "PpocrWarning",
    "TorchSetup",
    "build_lr",
    "lr_schedule",
    "paddle_optimizer",
    "read_config",
    "torch_optimizer",
]


def read_config(path: str | os.PathLike[str]) -> Any:
    """A PaddleOCR config file, with the values PaddleOCR sees, read with a safe loader.

    PaddleOCR reads its configs with ``yaml.load(..., Loader=yaml.Loader)``, which runs ``!!python/...`` tags. This
    reads the same values (PyYAML's YAML 1.1 rules: ``1e-4`` without a dot is the *string* ``'1e-4'``, as
    PaddleOCR sees it) but refuses python tags, duplicate keys and unreadable files with a
    :class:`~lrparity.core.config_files.ConfigFileError` (a ValueError naming the file). Nothing in the file is
    executed.

    Example: ``cfg = lrparity.ppocr.read_config("configs/det/PP-OCRv4/PP-OCRv4_mobile_det.yml")``, then
    ``lr_schedule(cfg["Optimizer"], cfg["Global"]["epoch_num"], len(train_loader))``.
    """
    return read_config_file(path, yaml_floats="1.1", duplicate_keys="warn")  # PyYAML keeps the last; warned


class TorchSetup(NamedTuple):
    """What :func:`torch_optimizer` returns.

    Attributes:
        optimizer: the ``torch.optim.Optimizer``.
        scheduler: the lrparity torch scheduler; call ``scheduler.step()`` once per *iteration*, after
            ``optimizer.step()`` (PaddleOCR's ``tools/program.py`` order).
        pre_step: ``None``, or a callable to call after ``loss.backward()`` and before ``optimizer.step()``
            (Paddle's gradient clipping: per-tensor for ``clip_norm``, global for ``clip_norm_global``).
    """

    optimizer: Any
    scheduler: Any
    pre_step: Callable[[], None] | None


class PaddleSetup(NamedTuple):
    """What :func:`paddle_optimizer` returns: the paddle optimizer and its lrparity paddle scheduler (step it
    once per iteration)."""

    optimizer: Any
    scheduler: Any


def _warn_each(messages: Any) -> None:
    """Each message as a :class:`PpocrWarning`, attributed to the caller of the public function."""
    for message in messages:
        warnings.warn(message, PpocrWarning, stacklevel=3)


def _group_lr_scale(optimizer_cfg: Mapping[str, Any], steps_per_epoch: int) -> float:
    """PaddleOCR (VisionLAN LF_2): the second group's lr multiplier is ``lr.values[0] * 0.1`` of a Piecewise."""
    block = lr_block(optimizer_cfg)
    if block.get("name") != "Piecewise" or round(block.get("warmup_epoch", 0) * steps_per_epoch) > 0:
        raise ValueError(
            "group_lr with training_step LF_2 (VisionLAN): PaddleOCR reads learning_rate.values[0], which only a "
            f"Piecewise lr without warmup has; got lr block {block!r} (PaddleOCR fails with AttributeError)"
        )
    return block["values"][0] * 0.1


def _parse_block(optimizer_cfg: Mapping[str, Any], epochs: int, steps_per_epoch: int) -> tuple[Any, LrBuild]:
    """The optimizer spec and the lr build of an Optimizer block, their warnings emitted."""
    from lrparity.ppocr.optimizers import parse_optimizer_block

    spec = parse_optimizer_block(optimizer_cfg)
    build = build_lr(optimizer_cfg, epochs, steps_per_epoch)
    _warn_each(build.warnings)
    _warn_each(spec.warnings)
    return spec, build


def torch_optimizer(
    optimizer_cfg: Mapping[str, Any], model_or_params: Any, epochs: int, steps_per_epoch: int
) -> TorchSetup:
    """The torch optimizer and lr scheduler that reproduce PaddleOCR's update for this ``Optimizer`` block.

    Training loop (PaddleOCR's order)::

        opt, sched, pre_step = lrparity.ppocr.torch_optimizer(cfg["Optimizer"], model, epochs, len(loader))
        for epoch in range(epochs):
            for batch in loader:
                loss = ...; loss.backward()
                if pre_step: pre_step()          # Paddle's gradient clip
                opt.step(); opt.zero_grad(); sched.step()   # one scheduler step per iteration

    Args:
        optimizer_cfg: the ``Optimizer`` mapping of a PaddleOCR config.
        model_or_params: an ``nn.Module`` (needed for AdamW's ``no_weight_decay_name`` and VisionLAN's
            ``group_lr``), ``(name, param)`` pairs, or parameters.
        epochs: ``Global.epoch_num``, in epochs; int >= 1.
        steps_per_epoch: iterations per epoch (``len(train_dataloader)``); int >= 1.

    Returns:
        :class:`TorchSetup` ``(optimizer, scheduler, pre_step)``.

    Raises:
        ValueError: a block PaddleOCR cannot build (lr or optimizer side), saying why.
        ImportError: torch (or lrparity's torch backend) is not installed.
    """
    import lrparity
    from lrparity.ppocr.optimizers import build_torch_optimizer

    spec, build = _parse_block(optimizer_cfg, epochs, steps_per_epoch)
    scale = _group_lr_scale(optimizer_cfg, steps_per_epoch) if spec.group_lr else None
    lr0 = build.schedule.value(0)
    optimizer, pre_step = build_torch_optimizer(spec, model_or_params, lr0, group_lr_scale=scale)
    schedule: Schedule = build.schedule
    scales = [float(g.get("lr_scale", 1.0)) for g in optimizer.param_groups]
    if any(s != 1.0 for s in scales):
        schedule = PerGroup(tuple(schedule if s == 1.0 else Chain((schedule, Constant(factor=s))) for s in scales))
    scheduler = lrparity.torch_scheduler(schedule, optimizer)
    return TorchSetup(optimizer, scheduler, pre_step)


def paddle_optimizer(
    optimizer_cfg: Mapping[str, Any], parameters_or_layer: Any, epochs: int, steps_per_epoch: int
) -> PaddleSetup:
    """The paddle optimizer for this ``Optimizer`` block, driven by lrparity's paddle scheduler of
    :func:`lr_schedule` (the same values as PaddleOCR's own scheduler).

    Args:
        optimizer_cfg: the ``Optimizer`` mapping of a PaddleOCR config.
        parameters_or_layer: a ``paddle.nn.Layer`` (needed for AdamW's ``no_weight_decay_name`` and
            ``group_lr``), ``(name, param)`` pairs, or parameters.
        epochs: ``Global.epoch_num``, in epochs; int >= 1.
        steps_per_epoch: iterations per epoch; int >= 1.

    Returns:
        :class:`PaddleSetup` ``(optimizer, scheduler)``; call ``scheduler.step()`` once per iteration.

    Raises:
        ValueError: a block PaddleOCR cannot build, saying why.
        ImportError: paddle (or lrparity's paddle backend) is not installed.
    """
    import lrparity
    from lrparity.ppocr.optimizers import build_paddle_optimizer

    spec, build = _parse_block(optimizer_cfg, epochs, steps_per_epoch)
    scale = _group_lr_scale(optimizer_cfg, steps_per_epoch) if spec.group_lr else None
    scheduler = lrparity.paddle_scheduler(build.schedule)
    optimizer = build_paddle_optimizer(spec, parameters_or_layer, scheduler, group_lr_scale=scale)
    return PaddleSetup(optimizer, scheduler)
