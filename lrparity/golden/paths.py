"""The execution paths a user golden records, and running one schedule through them.

A path is one way a training loop gets its learning rate (see :mod:`lrparity.parity.runners` for how each is
read): ``core`` (``schedule.values``), ``torch`` and ``paddle`` (the lrparity backends; paddle in dygraph mode),
``paddle-static`` (the float32 lr variable a static-graph program uses, on a prefix of the steps) and
``torch-native`` / ``paddle-native`` (the framework's own schedulers, where :func:`lrparity.to_native` can
express the schedule). torch and paddle are imported only when a path of theirs runs.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np

from lrparity.parity import runners

__all__ = ["FRAMEWORK_OF", "PATHS", "expected_of", "inexpressible", "missing_framework", "run_path"]

PATHS = ("core", "torch", "paddle", "paddle-static", "torch-native", "paddle-native")
"""Every path, in the order they are recorded and reported."""

FRAMEWORK_OF: dict[str, str | None] = {
    "core": None,
    "torch": "torch",
    "paddle": "paddle",
    "paddle-static": "paddle",
    "torch-native": "torch",
    "paddle-native": "paddle",
}
"""The framework each path needs (None: numpy only)."""

RUNNER_LR = 0.1
"""The lr of the torch optimizer an absolute schedule runs on (the lr it pins replaces it)."""


def missing_framework(path: str) -> str | None:
    """Why ``path`` cannot run here (``"torch is not installed"``), or None when it can.

    Asks :func:`lrparity.parity.runners.available` (looked up on the module each time, so a test may replace it).
    """
    framework = FRAMEWORK_OF[path]
    if framework is None or runners.available(framework):
        return None
    return f"{framework} is not installed"


def _plan(path: str, schedule: Any, base_lr: float | None) -> Any:
    """The native call of a ``*-native`` path (raises ``Inexpressible`` naming the part it cannot express)."""
    from lrparity.backends import natives

    framework = path.removesuffix("-native")
    if framework == "torch":
        return natives("torch").plan(schedule, [RUNNER_LR if base_lr is None else base_lr])
    return natives("paddle").plan(schedule, base_lr)


def inexpressible(path: str, schedule: Any, base_lr: float | None) -> str | None:
    """Why ``to_native`` cannot express ``schedule`` for a native path (None: it can, or ``path`` is no native)."""
    if not path.endswith("-native"):
        return None
    from lrparity.backends.neutral.natives import Inexpressible

    try:
        _plan(path, schedule, base_lr)
    except Inexpressible as exc:
        return f"to_native cannot express it ({' '.join(str(exc).split())})"
    return None


def expected_of(path: str, core: np.ndarray) -> np.ndarray:
    """What ``path`` must give over its steps: the core, cast to float32 for ``paddle-static`` (its lr variable)."""
    if path == "paddle-static":
        return core.astype(np.float32).astype(np.float64)
    return core


def run_path(
    path: str, schedule: Any, base_lr: float | None, steps: int, progress: Callable[[int], None] | None = None
) -> np.ndarray:
    """The lr at steps ``0 .. steps-1`` on ``path`` (float64); raises :class:`~lrparity.parity.runners.Skipped`
    when its framework is missing and ``Inexpressible`` for a native ``to_native`` cannot express."""
    if path == "core":
        return np.asarray(runners.run_core(schedule, base_lr, steps), dtype=np.float64)
    if path == "torch":
        return runners.run_torch(schedule, base_lr, steps, progress)
    if path == "paddle":
        return runners.run_paddle(schedule, base_lr, steps, progress)
    if path == "paddle-static":
        os.environ.setdefault("GLOG_minloglevel", "2")  # paddle's static-graph executor logs to stderr otherwise
        return runners.run_paddle_static(schedule, base_lr, steps, progress)
    if path == "torch-native":
        return runners.run_torch_native(_plan(path, schedule, base_lr).build, base_lr, steps, progress)
    if path == "paddle-native":
        return runners.run_paddle_native(_plan(path, schedule, base_lr).build, steps, progress)
    raise ValueError(f"path must be one of {', '.join(PATHS)}, got {path!r}")
