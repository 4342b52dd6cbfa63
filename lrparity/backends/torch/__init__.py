"""The torch backend: lrparity schedules driving torch optimizers, and torch's own schedulers both ways.

- :mod:`~lrparity.backends.torch.scheduler`: :class:`Scheduler`, a ``torch.optim.lr_scheduler.LRScheduler`` whose
  values come from lrparity schedules (:func:`torch_scheduler`, :func:`replace_native`);
- :mod:`~lrparity.backends.torch.plateau`: :class:`PlateauScheduler`, torch's ``ReduceLROnPlateau`` over the
  core's :class:`~lrparity.Plateau`;
- :mod:`~lrparity.backends.torch.natives`: the table of torch's 15 schedulers (:func:`from_native`,
  :func:`to_native`, :func:`native_step`);
- :mod:`~lrparity.backends.torch.groups`: reading and writing param-group values.

The adapters import torch; ``natives`` does not (planning natives for a schedule needs no torch), and importing
this package imports torch only when an adapter name is first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lrparity.backends.neutral import lazy_exports
from lrparity.backends.neutral.foreign import ForeignWriteWarning
from lrparity.backends.neutral.state import STATE_VERSION
from lrparity.backends.torch.natives import NativeMismatchWarning, from_native, native_step, to_native

if TYPE_CHECKING:
    from lrparity.backends.torch.plateau import PlateauScheduler
    from lrparity.backends.torch.scheduler import Scheduler, replace_native, torch_scheduler

__all__ = [
    "STATE_VERSION",
    "ForeignWriteWarning",
    "NativeMismatchWarning",
    "PlateauScheduler",
    "Scheduler",
    "from_native",
    "native_step",
    "replace_native",
    "to_native",
    "torch_scheduler",
]

_ADAPTERS = {
    "Scheduler": "scheduler",
    "replace_native": "scheduler",
    "torch_scheduler": "scheduler",
    "PlateauScheduler": "plateau",
}


__getattr__, __dir__ = lazy_exports(globals(), _ADAPTERS)
