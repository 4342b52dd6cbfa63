"""Recovering a native scheduler's constructor arguments from what it stores (stdlib only: no framework import).

torch and paddle keep some arguments only in derived form: OneCycleLR its levels and phase ends instead of
``div_factor``/``pct_start``, CyclicLR ``total_size``/``step_ratio`` instead of its step sizes, PiecewiseDecay
boundaries that it never reaches. The helpers here find the arguments from which the core recomputes the native's
numbers bit for bit, once for both frameworks.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from lrparity.core import Plateau

__all__ = [
    "PLATEAU_ARGUMENTS",
    "boundary_steps",
    "cyclic_step_sizes",
    "effective_boundaries",
    "nearby",
    "one_cycle_arguments",
    "plateau_arguments",
    "plateau_of",
]


def nearby(value: float, fits: Callable[[float], bool], what: str, framework: str, *, positive: bool = False) -> float:
    """``value`` or the closest float (within 64 ulps either side) for which ``fits`` holds.

    Recovers a constructor argument that a native scheduler kept only in derived form (e.g. ``max_lr / div``),
    so that the core recomputes the native's numbers bit for bit.

    Args:
        value: the first guess.
        fits: whether a candidate reproduces the native's stored numbers exactly.
        what: the argument's name, for the message.
        framework: ``"torch"`` or ``"paddle"``, for the message.
        positive: consider only candidates > 0 (besides ``value`` itself).

    Raises:
        ValueError: no float within 64 ulps fits.
    """
    if fits(value):
        return value
    up = down = value
    for _ in range(64):
        up, down = math.nextafter(up, math.inf), math.nextafter(down, -math.inf)
        for candidate in (up, down):
            if (candidate > 0 or not positive) and fits(candidate):
                return candidate
    raise ValueError(f"from_native: cannot recover {what} from the {framework} scheduler (near {value!r})")


def one_cycle_arguments(
    levels: Sequence[float], ends: Sequence[float], total_steps: int, *, framework: str, relative_end: bool
) -> dict[str, Any]:
    """The :class:`~lrparity.OneCycle` arguments besides ``max_lr``/``total_steps``/``anneal_strategy`` that give a
    native OneCycleLR's levels and phase ends exactly.

    Args:
        levels: the lr at the phase boundaries: ``(initial, peak, final)``, or ``(initial, peak, initial, final)``
            for three phases (absolute lrs).
        ends: the end step of each phase, ``(pct*N - 1, N - 1)`` or ``(pct*N - 1, 2*pct*N - 2, N - 1)``.
        total_steps: ``N``.
        framework: ``"torch"`` or ``"paddle"``, for the messages.
        relative_end: the native stores its minimum as ``initial / final_div_factor`` (torch); then
            ``final_div_factor`` is recovered where it reproduces the minimum, else ``end_lr`` is given. False: the
            minimum is an absolute ``end_lr`` (paddle).

    Returns:
        ``{"pct_start", "div_factor", "three_phase", "final_div_factor" and/or "end_lr"}``.

    Raises:
        ValueError: no float near the stored ratios reproduces them (naming the argument).
    """
    three = len(levels) == 4
    initial, peak, final = levels[0], levels[1], levels[-1]
    div_name = "div_factor" if framework == "torch" else "divide_factor"
    if peak == 0:
        div = 25.0  # max_lr 0: any factor gives 0
    elif initial == 0:
        raise ValueError(f"from_native: OneCycleLR with max_lr={peak!r} and initial lr 0 needs {div_name}=inf")
    else:
        div = nearby(peak / initial, lambda d: peak / float(d) == initial, div_name, framework, positive=True)
    out: dict[str, Any] = {"div_factor": div, "three_phase": three}
    if not relative_end:
        out["end_lr"] = final
    elif initial == 0 or final == 0:
        out["final_div_factor"] = 1e4
        out["end_lr"] = None if initial == 0 and final == 0 else final
    else:
        try:
            fits = lambda f: initial / f == final
            out["final_div_factor"] = nearby(initial / final, fits, "final_div_factor", framework)
        except ValueError:
            out["final_div_factor"], out["end_lr"] = 1e4, final
    first = ends[0]

    def pct_fits(p: float) -> bool:
        return float(p * total_steps) - 1 == first and (not three or float(2 * p * total_steps) - 2 == ends[1])

    pct_name = "pct_start" if framework == "torch" else "phase_pct"
    out["pct_start"] = nearby((first + 1) / total_steps, pct_fits, pct_name, framework)
    return out


def cyclic_step_sizes(total: float, ratio: float, *, framework: str, integers: bool) -> tuple[float, float | None]:
    """``(step_size_up, step_size_down)`` that reproduce a native CyclicLR's stored cycle length ``total``
    (``up + down``) and ``ratio`` (``up / total``) exactly; ``down`` is None when it equals ``up``.

    Args:
        total: the stored cycle length (torch ``total_size``, paddle ``cycle_size``), in steps.
        ratio: the stored fraction of the cycle spent going up (torch ``step_ratio``, paddle ``step_up_pct``).
        framework: ``"torch"`` or ``"paddle"``, for the messages.
        integers: the native takes integer step sizes only (paddle); otherwise floats are recovered too (torch).

    Raises:
        ValueError: no step sizes reproduce the stored numbers.
    """

    def fits(up: float) -> bool:
        down = total - up
        return down > 0 and up > 0 and up + down == total and up / (up + down) == ratio

    guess = ratio * total
    candidates = [float(round(guess))] if integers else [float(round(guess)), guess]
    up = next((c for c in candidates if fits(c)), None)
    if up is None:
        if integers:
            raise ValueError(
                f"from_native: cannot recover CyclicLR's step sizes from cycle_size={total}, up={ratio} ({framework})"
            )
        up = nearby(guess, fits, "step_size_up", framework)
    down = total - up
    up_out = int(up) if up.is_integer() else up
    if down == up:
        return up_out, None
    return up_out, int(down) if down.is_integer() else down


def boundary_steps(boundaries: Iterable[float]) -> list[int]:
    """Each boundary ``b`` as the integer step it takes effect at in ``t < b``: ``max(ceil(b), 0)``."""
    return [max(math.ceil(b), 0) for b in boundaries]


def effective_boundaries(steps: Sequence[int]) -> list[int]:
    """The indices of the boundaries that take effect in paddle's ``PiecewiseDecay``.

    paddle returns ``values[i]`` for the first ``i`` with ``t < steps[i]`` (else the last value), so a boundary
    that is not above every earlier one (and above 0) never matches: its value is never used.

    Args:
        steps: the boundaries as integer steps (:func:`boundary_steps`).
    """
    kept, top = [], 0
    for i, step in enumerate(steps):
        if step > top:
            kept.append(i)
            top = step
    return kept


PLATEAU_ARGUMENTS = ("mode", "factor", "patience", "threshold", "threshold_mode", "cooldown")
"""The reduce-on-plateau arguments torch's ``ReduceLROnPlateau``, paddle's ``ReduceOnPlateau`` and the core's
:class:`~lrparity.Plateau` share, with one name and meaning (``min_lr`` and ``eps``/``epsilon`` differ)."""


def plateau_arguments(plateau: Any) -> dict[str, Any]:
    """The :data:`PLATEAU_ARGUMENTS` of a native plateau or a core :class:`~lrparity.Plateau`, by name."""
    return {name: getattr(plateau, name) for name in PLATEAU_ARGUMENTS}


def plateau_of(native: Any, *, min_lr: Any, eps: float, semantics: str, start_lr: float | None = None) -> Plateau:
    """The :class:`~lrparity.Plateau` of a native reduce-on-plateau scheduler: its :data:`PLATEAU_ARGUMENTS`, with
    the ``min_lr`` (lr units), ``eps``, ``semantics`` and ``start_lr`` (paddle's ``learning_rate``; None for torch,
    whose lrs are the param groups') the caller read in its framework's way."""
    return Plateau(**plateau_arguments(native), min_lr=min_lr, eps=eps, semantics=semantics, start_lr=start_lr)
