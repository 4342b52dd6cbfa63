"""lrparity: one learning-rate schedule, the same values in PyTorch and PaddlePaddle.

The core (:mod:`lrparity.core`) needs only numpy. The backends load lazily:
``lrparity.torch_scheduler`` imports torch on first use, ``lrparity.paddle_scheduler`` imports paddle.
"""

from __future__ import annotations

import sys
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
    """The core schedule equivalent to a live torch or paddle scheduler (any of their built-in classes).

    Dispatches on the object's class: a torch ``LRScheduler`` (``ReduceLROnPlateau`` included) goes to
    :func:`lrparity.backends.torch.from_native`, a paddle ``LRScheduler`` to
    :func:`lrparity.backends.paddle.from_native`; lrparity's own schedulers give their schedule. A framework is
    only consulted when it is already imported (it must be, for one of its schedulers to exist).

    Raises:
        TypeError: ``scheduler`` is not a scheduler (an optimizer passed by mistake is named as such), or is a
            subclass of a built-in scheduler (it may override ``get_lr()``; convert its base class explicitly),
            or a scheduler class of its own.
    """
    from lrparity.backends import load

    kind = type(scheduler)
    name = f"{kind.__module__}.{kind.__qualname__}"
    torch = sys.modules.get("torch")
    if torch is not None and hasattr(torch, "optim"):
        if isinstance(scheduler, torch.optim.lr_scheduler.LRScheduler):
            return load("torch").from_native(scheduler)
        if isinstance(scheduler, torch.optim.Optimizer):
            raise TypeError(
                f"from_native: got the optimizer ({name}); pass its learning-rate scheduler "
                "(a torch.optim.lr_scheduler object)"
            )
    paddle = sys.modules.get("paddle")
    if paddle is not None and hasattr(paddle, "optimizer"):
        if isinstance(scheduler, paddle.optimizer.lr.LRScheduler):
            return load("paddle").from_native(scheduler)
        if isinstance(scheduler, paddle.optimizer.Optimizer):
            raise TypeError(
                f"from_native: got the optimizer ({name}); pass its learning-rate scheduler (a "
                "paddle.optimizer.lr object: the optimizer's learning_rate, or optimizer._learning_rate)"
            )
    raise TypeError(f"from_native: {name} is not a torch or paddle learning-rate scheduler")
