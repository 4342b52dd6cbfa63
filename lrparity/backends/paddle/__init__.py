"""The paddle backend: lrparity schedules as paddle schedulers, and paddle's own schedulers both ways.

- :mod:`~lrparity.backends.paddle.scheduler`: :class:`Scheduler`, a ``paddle.optimizer.lr.LRScheduler`` computing
  an lrparity schedule (:func:`paddle_scheduler`), whose :meth:`~Scheduler.attach_fields` drives the optimizer's
  other per-group hyperparameters;
- :mod:`~lrparity.backends.paddle.plateau`: :class:`PlateauScheduler`, paddle's ``ReduceOnPlateau`` over the
  core's :class:`~lrparity.Plateau`;
- :mod:`~lrparity.backends.paddle.fields`: :class:`FieldHook` (any per-group field) and :class:`MomentumHook`;
- :mod:`~lrparity.backends.paddle.natives`: the table of paddle's 17 schedulers (:func:`from_native`,
  :func:`to_native`).

The adapters import paddle; ``natives`` does not (planning a native for a schedule needs no paddle), and importing
this package imports paddle only when an adapter name is first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lrparity.backends.neutral import lazy_exports
from lrparity.backends.neutral.foreign import ForeignWriteWarning
from lrparity.backends.neutral.state import STATE_VERSION
from lrparity.backends.paddle.natives import from_native, to_native

if TYPE_CHECKING:
    from lrparity.backends.paddle.fields import FieldHook, MomentumHook
    from lrparity.backends.paddle.plateau import PlateauScheduler
    from lrparity.backends.paddle.scheduler import Scheduler, paddle_scheduler

__all__ = [
    "STATE_VERSION",
    "FieldHook",
    "ForeignWriteWarning",
    "MomentumHook",
    "PlateauScheduler",
    "Scheduler",
    "from_native",
    "paddle_scheduler",
    "to_native",
]

_ADAPTERS = {
    "Scheduler": "scheduler",
    "paddle_scheduler": "scheduler",
    "PlateauScheduler": "plateau",
    "FieldHook": "fields",
    "MomentumHook": "fields",
}


__getattr__, __dir__ = lazy_exports(globals(), _ADAPTERS)
