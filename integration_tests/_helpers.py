"""What the trainer integration tests share: ``from integration_tests._helpers import ...``.

Each test runs a real trainer (Lightning, the Hugging Face ``Trainer``, Accelerate, paddle's ``Model.fit``, a
``torchrun`` / ``paddle.distributed.launch`` job) on a tiny model on CPU three ways: with lrparity's scheduler,
with the framework's own schedulers computing the same schedule (:func:`lrparity.to_native`), and with a
deliberately wrong scheduler. It records the lr the optimizer *used* at every update (read inside the optimizer
step, never from the scheduler) and compares:

1. lrparity's lrs with the schedule's values at the updates the trainer steps it (bit for bit: lrparity computes
   the schedule's closed form);
2. lrparity's lrs with the natives' lrs in the same trainer, driven the same way (within :data:`NATIVE_RTOL`:
   torch's ``LinearLR``/``CosineAnnealingLR`` are recursions, ~1e-16 apart; paddle's natives are closed forms);
3. the lrs of a run resumed from the trainer's own checkpoint (mid-warmup) with the uninterrupted run's lrs from
   that update on (bit for bit).

:func:`problems` gives one line per failed comparison; a test asserts ``[]`` for lrparity's scheduler and a
non-empty list for the off-by-one scheduler (:data:`OFF_BY_ONE`: the schedule one step ahead, what calling
``scheduler.step()`` once too often does) and for a scheduler that ignores its saved state (:data:`FORGETS_STATE`:
a resume that silently restarts the schedule), so that each comparison is shown to catch what it is there for.

Imports neither torch nor paddle at module level: each helper imports the framework it needs.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lrparity

REPO = Path(__file__).resolve().parents[1]
"""The repository root."""

BASE_LR = 0.1
"""The optimizer's lr: the base of the relative schedules below."""

STEP_SCHEDULE = lrparity.Warmup(lrparity.Cosine(T_max=20), warmup_steps=6, start_factor=0.25)
"""Stepped once per update: a 6-update linear warmup from 0.25 * base, then a cosine over 20 updates. Its natives:
torch ``SequentialLR([LinearLR, CosineAnnealingLR])``, paddle ``LinearWarmup(CosineAnnealingDecay)``."""

EPOCH_SCHEDULE = lrparity.Warmup(lrparity.Cosine(T_max=4), warmup_steps=2, start_factor=0.25)
"""Stepped once per epoch: a 2-epoch warmup, then a cosine over 4 epochs."""

PLATEAU = lrparity.Plateau(mode="min", factor=0.5, patience=1)
"""Halve the lr after two epochs without improvement (torch's ``ReduceLROnPlateau`` semantics)."""

NATIVE_RTOL = 1e-12
"""How far the natives' lr may be from lrparity's, relative: what :func:`lrparity.to_native` promises where a
recursive native (torch's ``LinearLR``, ``CosineAnnealingLR``) meets a closed form."""

LRPARITY, NATIVE, OFF_BY_ONE, FORGETS_STATE = "lrparity", "native", "off-by-one", "forgets-state"
"""The schedulers a trainer runs: lrparity's, the natives, lrparity's on the schedule one step ahead
(``Shift(schedule, 1)``), lrparity's with a ``load_state_dict``/``set_state_dict`` that ignores the state."""

KINDS = (LRPARITY, NATIVE, OFF_BY_ONE, FORGETS_STATE)


# -- schedulers ------------------------------------------------------------------------------------------------
def torch_factory(kind: str, schedule: Any = STEP_SCHEDULE) -> Callable[[Any], Any]:
    """``make(optimizer) -> scheduler`` for a torch optimizer: one of :data:`KINDS`."""

    def make(optimizer: Any) -> Any:
        if kind == NATIVE:
            return lrparity.to_native(schedule, optimizer)
        if kind == OFF_BY_ONE:
            return lrparity.torch_scheduler(lrparity.Shift(schedule, 1), optimizer)
        scheduler = lrparity.torch_scheduler(schedule, optimizer)
        if kind == FORGETS_STATE:
            scheduler.load_state_dict = lambda state: None
        elif kind != LRPARITY:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        return scheduler

    return make


def paddle_factory(kind: str, schedule: Any = STEP_SCHEDULE, learning_rate: float = BASE_LR) -> Callable[[], Any]:
    """``make() -> scheduler``: a paddle scheduler (the optimizer's ``learning_rate``), one of :data:`KINDS`."""

    def make() -> Any:
        if kind == NATIVE:
            return lrparity.to_native(schedule, framework="paddle", learning_rate=learning_rate)
        if kind == OFF_BY_ONE:
            return lrparity.paddle_scheduler(lrparity.Shift(schedule, 1), learning_rate)
        scheduler = lrparity.paddle_scheduler(schedule, learning_rate)
        if kind == FORGETS_STATE:
            scheduler.set_state_dict = lambda state: None
        elif kind != LRPARITY:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        return scheduler

    return make


def record_torch_lrs(optimizer: Any) -> list[float]:
    """A list that receives ``param_groups[0]["lr"]`` each time ``optimizer.step()`` runs (a step pre-hook: the lr
    the update uses, read inside the optimizer's step; a step a GradScaler skips is not recorded)."""
    used: list[float] = []
    optimizer.register_step_pre_hook(lambda opt, args, kwargs: used.append(float(opt.param_groups[0]["lr"])))
    return used


@dataclass
class PaddleLrs:
    """What a paddle optimizer used at each update: ``scheduled`` the scheduler's lr the step read
    (``optimizer.get_lr()``, float64), ``kernel`` the lr tensor the update kernel read (float32 by default)."""

    scheduled: list[float] = field(default_factory=list)
    kernel: list[float] = field(default_factory=list)


def record_paddle_lrs(optimizer: Any) -> PaddleLrs:
    """Record the lr of each ``optimizer.step()`` / ``minimize()`` (paddle dygraph): the scheduler's value when the
    step starts and, after it, the lr tensor the step wrote and the update kernel read."""
    lrs = PaddleLrs()
    for name in ("step", "minimize"):
        original = getattr(optimizer, name)

        def wrapped(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
            if getattr(optimizer, "_lrparity_in_step", False):  # minimize() calls step(): record once
                return _original(*args, **kwargs)
            lrs.scheduled.append(float(optimizer.get_lr()))
            optimizer._lrparity_in_step = True
            try:
                out = _original(*args, **kwargs)
            finally:
                optimizer._lrparity_in_step = False
            lrs.kernel.append(float(optimizer._global_learning_rate()))
            return out

        setattr(optimizer, name, wrapped)
    return lrs


# -- comparisons -----------------------------------------------------------------------------------------------
def differences(what: str, expected: Sequence[float], got: Sequence[float], rtol: float = 0.0) -> list[str]:
    """``[]`` when ``got`` equals ``expected`` (bit for bit, or within ``rtol`` relative), else one line naming
    ``what``, the first differing update with both values, and how many differ."""
    expected, got = [float(v) for v in expected], [float(v) for v in got]
    if len(expected) != len(got):
        return [f"{what}: {len(got)} updates, expected {len(expected)} (got {got}, expected {expected})"]
    bad = [
        i
        for i, (e, g) in enumerate(zip(expected, got))
        if not (e == g if rtol == 0.0 else math.isclose(e, g, rel_tol=rtol, abs_tol=0.0))
    ]
    if not bad:
        return []
    i = bad[0]
    return [f"{what}: update {i}: expected {expected[i]!r}, got {got[i]!r} ({len(bad)} of {len(got)} updates differ)"]


@dataclass
class Run:
    """One scheduler's run in a trainer: the lrs it used at every update, and those of the run resumed from the
    trainer's checkpoint after ``resumed_at`` updates (None: no resume in this scenario)."""

    used: list[float]
    resumed: list[float] | None = None
    resumed_at: int = 0


def problems(
    trainer: str, run: Run, native: Run, expected: Sequence[float], *, native_rtol: float = NATIVE_RTOL
) -> list[str]:
    """Every failed comparison of ``run`` (one line each): with the schedule's ``expected`` values at the updates
    (bit for bit), with the natives' run (``native_rtol``), and its resume with its own uninterrupted run."""
    out = differences(f"{trainer}: lr used vs the schedule", expected, run.used)
    out += differences(f"{trainer}: lr used vs the natives in the same trainer", native.used, run.used, native_rtol)
    if run.resumed is not None:
        out += differences(
            f"{trainer}: resumed after update {run.resumed_at} vs the uninterrupted run",
            run.used[run.resumed_at :],
            run.resumed,
        )
    return out


def assert_detected(found: list[str], *needles: str) -> None:
    """A deliberately wrong scheduler was caught: ``found`` (from :func:`problems`) holds a line with each needle."""
    assert found, "the comparison found nothing wrong with a deliberately wrong scheduler: it checks nothing"
    for needle in needles:
        assert any(needle in line for line in found), f"no problem mentions {needle!r}: {found}"


# -- process launches ------------------------------------------------------------------------------------------
def launch(command: Sequence[str], cwd: Path, timeout: float = 300.0) -> subprocess.CompletedProcess[str]:
    """Run a launcher (``torchrun``, ``paddle.distributed.launch``) with the repository importable, one thread per
    process (the job's ranks share the machine's cores), its output captured."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env.setdefault("OMP_NUM_THREADS", "1")
    env.setdefault("GLOG_minloglevel", "2")
    # a session of its own: on a timeout the launcher and the ranks it started are ended together
    proc = subprocess.Popen(
        [sys.executable, *command],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
        stderr += f"\n[killed: still running after {timeout:g} s]"
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
