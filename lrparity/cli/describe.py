"""What the commands say about a schedule: how many steps to evaluate, its values, its length, restarts and warmup,
in words a reader can check against the curve."""

from __future__ import annotations

from typing import Any

import numpy as np

from lrparity.cli.configs import Loaded
from lrparity.cli.options import MAX_STEPS, CliError

__all__ = ["default_steps", "evaluate", "float_text", "length_text", "restarts_text", "warmup_end"]


def _restarts(schedule: Any) -> tuple[Any, int] | None:
    """The periodic schedule (CosineRestarts, Cyclic) that drives ``schedule``, and the step its cycles start at."""
    from lrparity.core import CosineRestarts, Cyclic, Noise, PerGroup, Warmup, WithBaseLR

    offset = 0
    while True:
        if isinstance(schedule, (CosineRestarts, Cyclic)):
            return schedule, offset
        if isinstance(schedule, (WithBaseLR, Noise)):
            schedule = schedule.schedule
        elif isinstance(schedule, Warmup):
            offset += schedule.warmup_steps if schedule.mode == "prefix" else 0
            schedule = schedule.schedule
        elif isinstance(schedule, PerGroup):
            schedule = schedule.schedules[0]
        else:
            return None


def _cycle_ends(restarts: Any, count: int) -> list[int]:
    """Steps at which the first ``count`` cycles of a CosineRestarts end (each one a restart)."""
    ends, start, length = [], 0, restarts.T_0
    for _ in range(count):
        start += length
        ends.append(start)
        length *= restarts.T_mult
    return ends


def default_steps(loaded: Loaded) -> int:
    if loaded.is_run:  # a training run: exactly the steps its training loop takes
        return loaded.length or 1
    periodic = _restarts(loaded.schedule)
    if periodic is not None and type(periodic[0]).__name__ == "CosineRestarts":
        cosine, offset = periodic
        if cosine.cycle_limit is None:  # three cycles, so that the restarts show
            return min(MAX_STEPS, max(2, round((offset + _cycle_ends(cosine, 3)[-1]) * 1.1)))
    if loaded.length is None or loaded.length <= 0:
        return 1000
    steps = min(MAX_STEPS, max(2, round(loaded.length * 1.1)))
    try:  # schedules that refuse to go past their end (OneCycle after_end="raise") stop at their length
        loaded.schedule.value(steps - 1)
    except ValueError:
        return loaded.length + 1 if _defined_at(loaded, loaded.length) else loaded.length
    return steps


def _defined_at(loaded: Loaded, step: int) -> bool:
    try:
        loaded.schedule.value(step)
    except ValueError:
        return False
    return True


def evaluate(loaded: Loaded, steps: int, *, clip: bool = False) -> np.ndarray:
    """Values at steps ``0..steps-1``; with ``clip``, a curve stops where it ends (a training run at its last
    step, a schedule that refuses to go further at its length)."""
    schedule = loaded.schedule
    if clip and loaded.is_run and loaded.length is not None:
        steps = min(steps, loaded.length)
    elif clip and loaded.length is not None and not _defined_at(loaded, steps - 1):
        steps = min(steps, loaded.length + 1 if _defined_at(loaded, loaded.length) else loaded.length)
    if type(schedule).__name__ == "OneCycle" and getattr(schedule, "after_end", "") == "raise":
        total = schedule.total_steps
        if steps > total + 1:
            raise CliError(
                f"{loaded.label}: OneCycle with after_end='raise' is defined for steps 0..{total} only "
                f"(both natives raise past it); use --steps {total + 1} or less"
            )
    return schedule.values(range(steps), loaded.base_lr)


def warmup_end(schedule: Any) -> int | None:
    from lrparity.core import Warmup, WithBaseLR

    while isinstance(schedule, WithBaseLR):
        schedule = schedule.schedule
    if isinstance(schedule, Warmup):
        return int(schedule.warmup_steps)
    return None


def length_text(loaded: Loaded) -> str:
    """What "length" means for this schedule, in words a reader can check against the curve."""
    if loaded.is_run:
        counted = f": {loaded.epochs} epochs x {loaded.steps_per_epoch} steps" if loaded.epochs is not None else ""
        run = f"{loaded.length} steps (the training run{counted}"
        if _restarts(loaded.schedule) is not None:
            return run + ")"
        return run + f"; the schedule's own length: {loaded.schedule.length})"
    schedule, length = loaded.schedule, loaded.length
    periodic = _restarts(schedule)
    if periodic is not None:
        inner, _ = periodic
        if type(inner).__name__ == "Cyclic":
            return f"unbounded: cycles forever ({inner.length} steps is one cycle)"
        if inner.cycle_limit is None:
            return f"unbounded: warm restarts forever ({inner.T_0} steps is the first cycle)"
        return f"{length} steps ({inner.cycle_limit} cycles, then eta_min = {inner.eta_min!r})"
    if type(schedule).__name__ == "Noam" or type(getattr(schedule, "schedule", None)).__name__ == "Noam":
        return f"unbounded: peaks at step {length} (warmup_steps), then decays as 1/sqrt(step)"
    return f"{length} steps" if length is not None else "unbounded"


def restarts_text(schedule: Any) -> str | None:
    periodic = _restarts(schedule)
    if periodic is None:
        return None
    inner, offset = periodic
    at = f" (after the {offset}-step warmup)" if offset else ""
    if type(inner).__name__ == "Cyclic":
        down = inner.step_size_down if inner.step_size_down is not None else inner.step_size_up
        return f"a cycle every {inner.length} steps{at}: {inner.step_size_up!r} up, {down!r} down, mode {inner.mode}"
    if inner.cycle_limit is None:
        count, tail = 4, ", ..."
    else:
        count, tail = min(inner.cycle_limit, 4), (", ..." if inner.cycle_limit > 4 else "")
    ends = _cycle_ends(inner, count)
    lengths = ", ".join(str(inner.T_0 * inner.T_mult**i) for i in range(count))
    restarts = ends if inner.cycle_limit is None or inner.cycle_limit > count else ends[:-1]
    text = (
        f"cycles of {lengths}{tail} steps (T_0={inner.T_0}, T_mult={inner.T_mult}); restarts at steps "
        f"{', '.join(str(offset + e) for e in restarts) or 'none'}{tail if restarts else ''}{at}"
    )
    if inner.cycle_limit is not None:
        text += f"; eta_min from step {offset + inner.length}"
    return text


def float_text(x: float) -> str:
    """A value as Python prints a float (the shortest text that reads back to the same double)."""
    return repr(float(x))
