"""lrparity: one learning-rate schedule, the same values in PyTorch and PaddlePaddle.

The core (:mod:`lrparity.core`) needs only numpy. The backends load lazily:
``lrparity.torch_scheduler`` imports torch on first use, ``lrparity.paddle_scheduler`` imports paddle.
"""

from __future__ import annotations

from typing import Any

from lrparity.core import *  # noqa: F403
from lrparity.core import __all__ as _core_all

__version__ = "0.1.0"

__all__ = [*_core_all, "from_native", "paddle_scheduler", "torch_scheduler", "__version__"]


def torch_scheduler(schedule: Any, optimizer: Any, **kwargs: Any) -> Any:
    """A ``torch.optim.lr_scheduler.LRScheduler`` driving ``optimizer`` with ``schedule`` (see
    :class:`lrparity.backends.torch.Scheduler`)."""
    from lrparity.backends import load

    return load("torch").torch_scheduler(schedule, optimizer, **kwargs)


def paddle_scheduler(schedule: Any, learning_rate: float | None = None, **kwargs: Any) -> Any:
    """A ``paddle.optimizer.lr.LRScheduler`` computing ``schedule`` (see
    :class:`lrparity.backends.paddle.Scheduler`)."""
    from lrparity.backends import load

    return load("paddle").paddle_scheduler(schedule, learning_rate, **kwargs)


def from_native(scheduler: Any) -> Any:
    """The core schedule equivalent to a live torch or paddle scheduler (any of their built-in classes)."""
    module = type(scheduler).__module__
    from lrparity.backends import load

    for framework in ("torch", "paddle"):
        if module.startswith((framework, f"lrparity.backends.{framework}")):
            return load(framework).from_native(scheduler)
    raise TypeError(
        f"from_native: {type(scheduler).__module__}.{type(scheduler).__qualname__} is not a torch or paddle "
        "learning-rate scheduler"
    )
