"""Run one schedule through every execution path and return the lr sequence each one applies.

``lr[k]`` is the learning rate in effect for training step ``k`` (k = 0 .. steps-1), read *before* the k-th
``optimizer.step()``, with the scheduler stepped after it, exactly as a training loop does:

- ``core``: ``schedule.values(range(steps), base_lr)``;
- ``torch``: :func:`lrparity.torch_scheduler` on a ``torch.optim.SGD`` with one param group; reads
  ``param_groups[0]["lr"]``;
- ``paddle``: :func:`lrparity.paddle_scheduler` attached to a dygraph ``paddle.optimizer.SGD``; reads
  ``optimizer.get_lr()`` (checked equal to ``sched()``);
- ``paddle-static``: one static-graph ``Program`` whose SGD optimizer uses the scheduler; every
  ``Executor.run`` fetches the program's lr variable (float32 for a float32 model), i.e. the value the graph
  actually used;
- ``torch-native`` / ``paddle-native``: the native schedulers of a catalogue entry, read the same way.

torch and paddle are imported only inside these functions. A missing framework raises
:class:`Skipped` with the extra to install.
"""

from __future__ import annotations

import contextlib
import importlib
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from lrparity.core import Schedule

__all__ = [
    "Skipped",
    "available",
    "run_core",
    "run_paddle",
    "run_paddle_native",
    "run_paddle_static",
    "run_torch",
    "run_torch_native",
]

Progress = Callable[[int], None] | None


class Skipped(Exception):
    """A path cannot run here (its framework is not installed, or it has no native equivalent)."""


_EXTRA = {"torch": "torch", "paddle": "paddle"}

# paddle's own UserWarnings that say nothing about the schedule: at import (no ccache for its C++ extension
# builder) and while a static-graph optimizer is built (``Tensor.place`` under PIR). Only these are silenced.
_PADDLE_NOISE = (
    r"No ccache found",
    r"Tensor do not have 'place' interface for pir graph mode",
)


@contextlib.contextmanager
def quiet_paddle() -> Iterator[None]:
    """Inside the block, ignore paddle's import / static-graph UserWarnings listed in ``_PADDLE_NOISE``."""
    with warnings.catch_warnings():
        for message in _PADDLE_NOISE:
            warnings.filterwarnings("ignore", message=message, category=UserWarning)
        yield


def _import(framework: str) -> Any:
    with quiet_paddle():
        return importlib.import_module(framework)


def available(framework: str) -> bool:
    """Whether ``framework`` ("torch" or "paddle") imports."""
    try:
        _import(framework)
    except ImportError:
        return False
    return True


def _need(framework: str) -> Any:
    try:
        return _import(framework)
    except ImportError:
        raise Skipped(f"skipped (install lrparity[{_EXTRA[framework]}])") from None


def _backend(framework: str) -> Any:
    from lrparity.backends import load

    _need(framework)
    try:
        return load(framework)
    except ImportError as exc:
        raise Skipped(f"skipped ({exc})") from None


def _tick(progress: Progress, k: int) -> None:
    if progress is not None and k % 256 == 0:
        progress(k)


def run_core(schedule: Schedule, base_lr: float | None, steps: int) -> np.ndarray:
    """``schedule.values(range(steps), base_lr)``."""
    return schedule.values(range(steps), base_lr)


def _torch_sgd(base_lr: float | None) -> tuple[Any, Any]:
    torch = _need("torch")
    param = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = torch.optim.SGD([param], lr=0.1 if base_lr is None else base_lr)
    return torch, opt


def _torch_loop(opt: Any, sched: Any, steps: int, progress: Progress) -> np.ndarray:
    out = np.empty(steps, dtype=np.float64)
    group = opt.param_groups[0]
    for k in range(steps):
        out[k] = group["lr"]
        opt.step()
        sched.step()
        _tick(progress, k)
    return out


def run_torch(schedule: Schedule, base_lr: float | None, steps: int, progress: Progress = None) -> np.ndarray:
    """The lrs the torch backend writes into ``param_groups[0]["lr"]``."""
    _, opt = _torch_sgd(base_lr)
    sched = _backend("torch").torch_scheduler(schedule, opt)
    return _torch_loop(opt, sched, steps, progress)


def run_torch_native(
    builder: Callable[[Any], Any], base_lr: float | None, steps: int, progress: Progress = None
) -> np.ndarray:
    """The lrs a native torch scheduler (``builder(optimizer)``) writes into ``param_groups[0]["lr"]``."""
    _, opt = _torch_sgd(base_lr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched = builder(opt)
        return _torch_loop(opt, sched, steps, progress)


def _paddle_loop(sched: Any, steps: int, progress: Progress, with_optimizer: bool = True) -> np.ndarray:
    paddle = _need("paddle")
    out = np.empty(steps, dtype=np.float64)
    opt = None
    if with_optimizer:
        paddle.disable_static()
        param = paddle.create_parameter([1], "float64")
        opt = paddle.optimizer.SGD(learning_rate=sched, parameters=[param])
    for k in range(steps):
        lr = sched()
        if opt is not None and k < 4 and opt.get_lr() != lr:  # the optimizer reads the scheduler itself
            raise AssertionError(f"paddle optimizer.get_lr()={opt.get_lr()!r} != sched()={lr!r} at step {k}")
        out[k] = lr
        sched.step()
        _tick(progress, k)
    return out


def run_paddle(schedule: Schedule, base_lr: float | None, steps: int, progress: Progress = None) -> np.ndarray:
    """The lrs of the paddle backend in dygraph mode (``optimizer.get_lr()`` = ``sched()`` at each step)."""
    sched = _backend("paddle").paddle_scheduler(schedule, base_lr)
    return _paddle_loop(sched, steps, progress)


def run_paddle_native(builder: Callable[[], Any], steps: int, progress: Progress = None) -> np.ndarray:
    """The lrs of a native paddle scheduler (``builder()``), read with ``sched()``."""
    _need("paddle")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _paddle_loop(builder(), steps, progress, with_optimizer=False)


def run_paddle_static(
    schedule: Schedule | None,
    base_lr: float | None,
    steps: int,
    progress: Progress = None,
    dtype: str = "float32",
    scheduler: Any = None,
) -> np.ndarray:
    """The lr a paddle static-graph program actually uses at each ``Executor.run`` (its lr variable, fetched).

    The program is ``loss = sum(x * w)`` with ``SGD(learning_rate=sched).minimize(loss)``; the result has the
    lr variable's dtype (``dtype``, the parameter's) and is returned as float64. ``scheduler`` overrides the
    lrparity scheduler (to run a native one).
    """
    paddle = _need("paddle")
    sched = scheduler if scheduler is not None else _backend("paddle").paddle_scheduler(schedule, base_lr)
    paddle.enable_static()
    try:
        main, startup = paddle.static.Program(), paddle.static.Program()
        scope = paddle.static.Scope()
        with paddle.static.program_guard(main, startup), paddle.static.scope_guard(scope), quiet_paddle():
            x = paddle.static.data(name="x", shape=[1, 1], dtype=dtype)
            w = paddle.static.create_parameter([1, 1], dtype, default_initializer=paddle.nn.initializer.Constant(0.0))
            loss = paddle.sum(x * w)
            opt = paddle.optimizer.SGD(learning_rate=sched)
            opt.minimize(loss)
            lr_var = main.lr_var
            exe = paddle.static.Executor(paddle.CPUPlace())
            exe.run(startup)
            feed = {"x": np.ones([1, 1], dtype=dtype)}
            out = np.empty(steps, dtype=np.float64)
            for k in range(steps):
                (lr_used,) = exe.run(main, feed=feed, fetch_list=[lr_var])
                out[k] = float(np.asarray(lr_used).reshape(-1)[0])
                sched.step()
                _tick(progress, k)
    finally:
        paddle.disable_static()
    return out
