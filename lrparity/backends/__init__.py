"""Framework adapters over the core, each imported only when first used.

- :mod:`lrparity.backends.torch` and :mod:`lrparity.backends.paddle`: each framework's adapter (an ``LRScheduler``
  computing a core schedule), its plateau twin and its native table (``from_native``/``to_native``);
- :mod:`lrparity.backends.neutral`: what both share, framework-free (routing, value blocks, the neutral state,
  the native tables' row type).

:data:`FRAMEWORKS` describes each framework to the package's entry points (:func:`lrparity.from_native`,
:func:`lrparity.to_native`), which dispatch on it.
"""

from __future__ import annotations

import functools
import importlib
import sys
from dataclasses import dataclass
from types import ModuleType
from typing import Any

__all__ = ["FRAMEWORKS", "Framework", "load", "natives"]


@dataclass(frozen=True)
class Framework:
    """A framework lrparity has a backend for.

    Attributes:
        name: the backend's name (``lrparity.backends.<name>``).
        module: the framework's import name.
        extra: what ``pip install`` needs (the package, and lrparity's extra of the same role).
        scheduler: its schedulers' base class, as a dotted path inside ``module``.
        optimizer: its optimizers' base class, as a dotted path inside ``module``.
        scheduler_is: where a user finds the scheduler of an optimizer, for the messages.
    """

    name: str
    module: str
    extra: str
    scheduler: str
    optimizer: str
    scheduler_is: str

    def _class(self, path: str) -> type | None:
        obj: Any = sys.modules.get(self.module)  # a framework not imported has no live object
        for part in path.split("."):
            obj = getattr(obj, part, None)
        return obj if isinstance(obj, type) else None

    def role_of(self, obj: Any) -> str | None:
        """``"scheduler"``, ``"optimizer"`` or None: what ``obj`` is in this framework (None when the framework is not
        imported: then none of its objects exists)."""
        for role, path in (("scheduler", self.scheduler), ("optimizer", self.optimizer)):
            cls = self._class(path)
            if cls is not None and isinstance(obj, cls):
                return role
        return None


FRAMEWORKS: dict[str, Framework] = {
    "torch": Framework(
        name="torch",
        module="torch",
        extra="torch",
        scheduler="optim.lr_scheduler.LRScheduler",
        optimizer="optim.Optimizer",
        scheduler_is="a torch.optim.lr_scheduler object",
    ),
    "paddle": Framework(
        name="paddle",
        module="paddle",
        extra="paddlepaddle",
        scheduler="optimizer.lr.LRScheduler",
        optimizer="optimizer.Optimizer",
        scheduler_is="a paddle.optimizer.lr object: the optimizer's learning_rate, or optimizer._learning_rate",
    ),
}
"""The frameworks, by backend name."""


def _framework(framework: str) -> Framework:
    if framework not in FRAMEWORKS:
        raise ValueError(f"framework must be one of {sorted(FRAMEWORKS)}, got {framework!r}")
    return FRAMEWORKS[framework]


def load(framework: str) -> ModuleType:
    """``lrparity.backends.<framework>`` with its framework imported, or an ImportError naming the extra to install."""
    spec = _framework(framework)
    try:
        importlib.import_module(spec.module)
    except ImportError:
        raise ImportError(
            f"lrparity's {framework} backend needs {spec.extra}: pip install 'lrparity[{framework}]'"
        ) from None
    return importlib.import_module(f"lrparity.backends.{framework}")


@functools.cache
def natives(framework: str) -> ModuleType:
    """``lrparity.backends.<framework>.natives``, the framework's native table (imports no framework)."""
    return importlib.import_module(f"lrparity.backends.{_framework(framework).name}.natives")
