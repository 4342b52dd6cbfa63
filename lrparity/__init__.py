"""lrparity: one learning-rate schedule, the same values in PyTorch and PaddlePaddle.

The core (:mod:`lrparity.core`) needs only numpy. The backends load lazily: ``lrparity.torch_scheduler`` imports
torch on first use, ``lrparity.paddle_scheduler`` imports paddle; ``lrparity.to_native_code`` imports neither.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lrparity.core import *  # noqa: F403
from lrparity.core import __all__ as _core_all

__version__ = "0.1.0"

__all__ = [
    *_core_all,
    "from_native",
    "paddle_scheduler",
    "to_native",
    "to_native_code",
    "torch_scheduler",
    "__version__",
]


def torch_scheduler(schedule: Any, optimizer: Any, **kwargs: Any) -> Any:
    """A ``torch.optim.lr_scheduler.LRScheduler`` driving ``optimizer`` with ``schedule`` (see
    :class:`lrparity.backends.torch.scheduler.Scheduler`)."""
    from lrparity.backends import load

    return load("torch").torch_scheduler(schedule, optimizer, **kwargs)


def paddle_scheduler(schedule: Any, learning_rate: float | None = None, **kwargs: Any) -> Any:
    """A ``paddle.optimizer.lr.LRScheduler`` computing ``schedule`` (see
    :class:`lrparity.backends.paddle.scheduler.Scheduler`)."""
    from lrparity.backends import load

    return load("paddle").paddle_scheduler(schedule, learning_rate, **kwargs)


def from_native(scheduler: Any) -> Any:
    """The core schedule equivalent to a live torch or paddle scheduler (any of their built-in classes), or to a
    ``warmup_scheduler.GradualWarmupScheduler`` or pytorch-accelerated ``CosineLrScheduler`` (see
    :func:`lrparity.backends.torch.third_party.from_native`: for a ``param_group_field`` other than the lr, a
    ``{field: schedule}`` mapping that :func:`torch_scheduler` drives as is).

    Dispatches on the object's class: a torch ``LRScheduler`` (``ReduceLROnPlateau`` included) goes to
    :func:`lrparity.backends.torch.natives.from_native`, a paddle ``LRScheduler`` to
    :func:`lrparity.backends.paddle.natives.from_native`; lrparity's own schedulers give their schedule. A
    framework is only consulted when it is already imported (it must be, for one of its schedulers to exist).

    Raises:
        TypeError: ``scheduler`` is not a scheduler (an optimizer passed by mistake is named as such), or is a
            subclass of a built-in scheduler (it may override ``get_lr()``; convert its base class explicitly),
            or a scheduler class of its own.
    """
    from lrparity.backends import FRAMEWORKS, load
    from lrparity.backends.torch import third_party

    if third_party.row_of(scheduler) is not None:  # warmup_scheduler's, pytorch-accelerated's (imports nothing)
        return third_party.from_native(scheduler)
    kind = type(scheduler)
    name = f"{kind.__module__}.{kind.__qualname__}"
    for framework in FRAMEWORKS.values():
        role = framework.role_of(scheduler)
        if role == "scheduler":
            return load(framework.name).from_native(scheduler)
        if role == "optimizer":
            raise TypeError(
                f"from_native: got the optimizer ({name}); pass its learning-rate scheduler ({framework.scheduler_is})"
            )
    raise TypeError(f"from_native: {name} is not a torch or paddle learning-rate scheduler")


def _schedule_argument(schedule: Any) -> Any:
    """A schedule or plateau (a config mapping is read with :func:`lrparity.from_config`)."""
    if isinstance(schedule, Mapping):
        schedule = from_config(schedule)  # noqa: F405
    if not isinstance(schedule, (Schedule, Plateau)):  # noqa: F405
        raise TypeError(
            f"to_native: schedule must be an lrparity Schedule or Plateau (or its config), got {schedule!r} "
            f"({type(schedule).__name__})"
        )
    return schedule


def to_native(schedule: Any, optimizer: Any = None, *, framework: str | None = None, learning_rate: Any = None) -> Any:
    """The framework's own schedulers computing ``schedule``: the inverse of :func:`from_native`.

    - torch: ``to_native(schedule, optimizer)`` builds torch's schedulers on ``optimizer`` (e.g.
      ``SequentialLR([LinearLR, CosineAnnealingLR])`` for a linear warmup and a cosine), scaling its param groups'
      lr as torch's schedulers do; step them as usual.
    - paddle: ``to_native(schedule, framework="paddle", learning_rate=0.1)`` builds paddle's scheduler (e.g.
      ``LinearWarmup(CosineAnnealingDecay)``); ``learning_rate`` is the base of a relative schedule (refused for an
      absolute one, as in :func:`paddle_scheduler`). Give it to the optimizer as ``learning_rate=``.

    The natives reproduce ``schedule`` at every step: bit-identical where the native is a closed form (and where it
    is a recursion the core replays, ``form="recursive"``), within 1e-12 relative where a recursive native meets a
    closed form (for a closed-form ``Cosine``, over its first ``T_max`` steps: the natives' recursion drifts further
    after, so give ``form="recursive"`` for a cosine run past ``T_max``); ``from_native(to_native(s))`` gives ``s``
    back (or, where the natives' form differs, e.g. a ``Warmup`` as torch's ``Sequence`` of ``Linear`` and the
    schedule, a schedule with the same values). Where torch's own nesting computes something else (a ``Chain`` first
    in a ``Sequence`` with an exponential member, a later ``Chain`` phase) the schedule is refused; a ``Chain`` with
    a ``Cosine`` warns (:class:`~lrparity.backends.torch.NativeMismatchWarning`) that torch drops the other factors
    past the trough. The tables are :mod:`lrparity.backends.torch.natives` and
    :mod:`lrparity.backends.paddle.natives`.

    Args:
        schedule: an lrparity schedule or ``Plateau`` (or its config mapping).
        optimizer: the torch optimizer the natives drive (torch only).
        framework: ``"torch"`` (the default when ``optimizer`` is given) or ``"paddle"``.
        learning_rate: paddle: the base lr of a relative schedule, or a plateau's start (a float >= 0).

    Raises:
        ValueError: no composition of the framework's natives computes ``schedule``
            (:class:`~lrparity.backends.neutral.natives.Inexpressible`, naming the part that cannot be expressed
            and why), or a missing/superfluous ``learning_rate``.
        TypeError: arguments that do not fit the framework (an optimizer for paddle, none for torch).
    """
    from lrparity.backends import FRAMEWORKS, natives

    schedule = _schedule_argument(schedule)
    if framework is None:
        if optimizer is None:
            raise TypeError(
                "to_native: give the torch optimizer the natives drive (to_native(schedule, optimizer)), or "
                "framework='paddle' (to_native(schedule, framework='paddle', learning_rate=...))"
            )
        framework = "torch"
    if framework not in FRAMEWORKS:
        raise ValueError(f"to_native: framework must be one of {sorted(FRAMEWORKS)}, got {framework!r}")
    if framework == "torch":
        if optimizer is None:
            raise TypeError("to_native: torch's schedulers are built on an optimizer: to_native(schedule, optimizer)")
        if learning_rate is not None:
            raise TypeError(
                f"to_native: torch's schedulers scale the optimizer's lr; learning_rate={learning_rate!r} is for "
                "paddle (build the optimizer with that lr)"
            )
        return natives("torch").to_native(schedule, optimizer)
    if optimizer is not None:
        raise TypeError(
            "to_native: paddle's schedulers take no optimizer (the optimizer takes the scheduler: "
            "paddle.optimizer.X(learning_rate=to_native(...), ...))"
        )
    return natives("paddle").to_native(schedule, learning_rate)


def to_native_code(schedule: Any, framework: str, *, learning_rate: float | Sequence[float] | None = None) -> str:
    """The Python source (imports included, runs as printed, laid out as ``ruff format`` at line length 120) of a
    function ``build_scheduler`` that builds the natives :func:`to_native` builds, so that training code needs no
    lrparity: ``build_scheduler(optimizer)`` for torch, ``build_scheduler()`` for paddle.

    Args:
        schedule: an lrparity schedule or ``Plateau`` (or its config mapping).
        framework: ``"torch"`` or ``"paddle"``.
        learning_rate: paddle: the base lr of a relative schedule (required for one). torch: the optimizer's lr
            (one, or one per param group), needed only where the schedule pins a base (``WithBaseLR``) or warms
            up to an absolute lr; the function's docstring then states it.

    Raises:
        ValueError: what :func:`to_native` raises, or a function the source cannot import (a lambda, a function
            of ``__main__``), naming it.
    """
    from lrparity.backends import FRAMEWORKS, natives

    schedule = _schedule_argument(schedule)
    if framework not in FRAMEWORKS:
        raise ValueError(f"to_native_code: framework must be one of {sorted(FRAMEWORKS)}, got {framework!r}")
    return natives(framework).code(schedule, learning_rate)  # type: ignore[no-any-return]
