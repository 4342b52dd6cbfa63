"""The one-cycle policy, and the phase annealing it is made of (also used for its momentum curve)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lrparity.core.base import Schedule, set_field
from lrparity.core.validation import check_bool, check_choice, check_int, check_number, check_number_sequence

__all__ = ["OneCycle", "PhaseAnneal"]

_STRATEGIES = ("cos", "linear")


def _anneal(start: Any, end: Any, pct: Any, strategy: str, m: Any) -> Any:
    if strategy == "cos":
        return end + (start - end) / 2.0 * (m.cos(math.pi * pct) + 1)
    return (end - start) * pct + start


@dataclass(frozen=True)
class PhaseAnneal(Schedule):
    r"""Anneal between absolute values over consecutive phases (cosine or linear).

    Phase :math:`i` runs from ``ends[i-1]`` (0 for the first) to ``ends[i]`` and anneals from
    ``levels[i]`` to ``levels[i+1]``: with :math:`p = (t - \mathrm{start}) / (\mathrm{end} - \mathrm{start})`,
    ``cos``: :math:`v_1 + (v_0 - v_1)/2\,(\cos(\pi p) + 1)`; ``linear``: :math:`(v_1 - v_0)\,p + v_0`. A step
    belongs to the first phase whose end is >= t (ends need not increase: torch accepts a three-phase
    ``pct_start >= 0.5``); steps past the last end extrapolate the last phase.
    This is the exact phase arithmetic of torch's and paddle's ``OneCycleLR``.

    Args:
        ends: end step of each phase (floats allowed, as OneCycle's ``pct_start * total - 1``), increasing.
        levels: absolute values at the phase boundaries, ``len(ends) + 1`` of them.
        anneal_strategy: ``"cos"`` or ``"linear"``.

    Example:
        >>> PhaseAnneal(ends=[2.0], levels=[0.0, 1.0], anneal_strategy="linear").values(range(3)).tolist()
        [0.0, 0.5, 1.0]
    """

    ends: tuple[float, ...]
    levels: tuple[float, ...]
    anneal_strategy: str = "cos"

    name = "phase_anneal"
    uses_base_lr = False

    def __post_init__(self) -> None:
        ends = check_number_sequence("PhaseAnneal", "ends", self.ends)
        set_field(self, "ends", ends)
        set_field(self, "levels", check_number_sequence("PhaseAnneal", "levels", self.levels, low=0.0))
        if len(self.levels) != len(ends) + 1:
            raise ValueError(
                f"PhaseAnneal: levels must have len(ends) + 1 = {len(ends) + 1} entries, got {len(self.levels)}"
            )
        set_field(
            self, "anneal_strategy", check_choice("PhaseAnneal", "anneal_strategy", self.anneal_strategy, _STRATEGIES)
        )
        # The first phase i with t <= ends[i] is the first with t <= max(ends[:i+1]): a sorted key for bisect.
        set_field(self, "_search_ends", tuple(itertools.accumulate(ends[:-1], max)))

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        ends = self.ends
        starts = (0.0, *ends[:-1])
        phase = m.count_lt(self._search_ends, t)  # type: ignore[attr-defined]
        if not m.is_array:
            start, end = starts[phase], ends[phase]
            if end == start:
                raise ValueError(f"{type(self).__name__}: step {t} falls in a zero-length phase (ends={list(ends)})")
            pct = (t - start) / (end - start)
            return _anneal(self.levels[phase], self.levels[phase + 1], pct, self.anneal_strategy, m)
        start, end = m.take(starts, phase), m.take(ends, phase)
        size = end - start
        if m.any(size == 0):
            raise ValueError(
                f"{type(self).__name__}: step falls in a zero-length phase (ends={list(ends)}); "
                "torch and paddle divide by zero here"
            )
        pct = (t - start) / size
        return _anneal(m.take(self.levels[:-1], phase), m.take(self.levels[1:], phase), pct, self.anneal_strategy, m)

    @property
    def length(self) -> int | None:
        return math.floor(self.ends[-1]) + 1


@dataclass(frozen=True)
class OneCycle(Schedule):
    r"""The one-cycle policy: torch ``OneCycleLR``, paddle ``OneCycleLR``, PaddleOCR ``OneCycle``.

    From :math:`\mathrm{max}/\mathrm{div}` up to ``max_lr`` over the first ``pct_start`` of ``total_steps``,
    then down to the minimum (two phases), or back to :math:`\mathrm{max}/\mathrm{div}` and then to the
    minimum (``three_phase``). Phases end at steps :math:`pN - 1`, (:math:`2pN - 2`,) :math:`N - 1`, and anneal
    with :class:`PhaseAnneal`. The minimum is ``end_lr`` when given (paddle: absolute, default 1e-4),
    otherwise :math:`\mathrm{max}/\mathrm{div}/\mathrm{final\_div}` (torch: relative).

    Past the end the natives extrapolate one more step (``t = N``) and raise at ``t > N``; so does this
    schedule (``after_end="raise"``), or it holds the minimum (``after_end="hold"``). Absolute: the optimizer's
    base lr is not used. Momentum (torch ``cycle_momentum``, default True there, False here) moves the
    opposite way between ``max_momentum`` and ``base_momentum``; see :meth:`companions`.

    Args:
        max_lr: peak lr (absolute); >= 0.
        total_steps: number of steps in the cycle (torch: or ``epochs * steps_per_epoch``); >= 1.
        pct_start: fraction of the steps spent increasing (paddle ``phase_pct``); in [0, 1]; < 0.5 with
            ``three_phase`` is *not* required (torch accepts it, paddle refuses it).
        anneal_strategy: ``"cos"`` or ``"linear"``.
        div_factor: initial lr = ``max_lr / div_factor`` (paddle ``divide_factor``); > 0.
        final_div_factor: minimum = initial lr / ``final_div_factor`` when ``end_lr`` is None; > 0.
        three_phase: use the three-phase variant.
        end_lr: absolute minimum lr (paddle ``end_learning_rate``); None: torch's relative minimum.
        cycle_momentum: also drive momentum (Adam: beta1).
        base_momentum: momentum at the lr peak; default 0.85.
        max_momentum: momentum at the start and end; default 0.95.
        after_end: ``"raise"`` (natives) or ``"hold"`` past step ``total_steps``.

    Example:
        >>> OneCycle(max_lr=1.0, total_steps=4, pct_start=0.5, div_factor=2.0, end_lr=0.0,
        ...          anneal_strategy="linear").values(range(4)).tolist()
        [0.5, 1.0, 0.5, 0.0]
    """

    max_lr: float
    total_steps: int
    pct_start: float = 0.3
    anneal_strategy: str = "cos"
    div_factor: float = 25.0
    final_div_factor: float = 1e4
    three_phase: bool = False
    end_lr: float | None = None
    cycle_momentum: bool = False
    base_momentum: float = 0.85
    max_momentum: float = 0.95
    after_end: str = "raise"

    name = "one_cycle"
    uses_base_lr = False

    def __post_init__(self) -> None:
        set_field(self, "max_lr", check_number("OneCycle", "max_lr", self.max_lr, low=0.0))
        set_field(self, "total_steps", check_int("OneCycle", "total_steps", self.total_steps, minimum=1))
        set_field(self, "pct_start", check_number("OneCycle", "pct_start", self.pct_start, low=0.0, high=1.0))
        set_field(
            self, "anneal_strategy", check_choice("OneCycle", "anneal_strategy", self.anneal_strategy, _STRATEGIES)
        )
        set_field(self, "div_factor", check_number("OneCycle", "div_factor", self.div_factor, low=0.0, low_open=True))
        set_field(
            self,
            "final_div_factor",
            check_number("OneCycle", "final_div_factor", self.final_div_factor, low=0.0, low_open=True),
        )
        set_field(self, "three_phase", check_bool("OneCycle", "three_phase", self.three_phase))
        if self.end_lr is not None:
            set_field(self, "end_lr", check_number("OneCycle", "end_lr", self.end_lr, low=0.0))
        set_field(self, "cycle_momentum", check_bool("OneCycle", "cycle_momentum", self.cycle_momentum))
        set_field(self, "base_momentum", check_number("OneCycle", "base_momentum", self.base_momentum, low=0.0))
        set_field(self, "max_momentum", check_number("OneCycle", "max_momentum", self.max_momentum, low=0.0))
        set_field(self, "after_end", check_choice("OneCycle", "after_end", self.after_end, ("raise", "hold")))
        set_field(self, "_lr_phases", self._phases(self.initial_lr, self.max_lr, self.min_lr))

    def _ends(self) -> tuple[float, ...]:
        n = self.total_steps
        if self.three_phase:
            return (float(self.pct_start * n) - 1, float(2 * self.pct_start * n) - 2, n - 1)
        return (float(self.pct_start * n) - 1, n - 1)

    def _phases(self, low: float, high: float, final: float) -> PhaseAnneal:
        levels = (low, high, low, final) if self.three_phase else (low, high, final)
        return PhaseAnneal(ends=self._ends(), levels=levels, anneal_strategy=self.anneal_strategy)

    @property
    def initial_lr(self) -> float:
        """The lr at step 0: ``max_lr / div_factor``."""
        return self.max_lr / float(self.div_factor)

    @property
    def min_lr(self) -> float:
        """The lr at step ``total_steps - 1``."""
        return float(self.end_lr) if self.end_lr is not None else self.initial_lr / self.final_div_factor

    def _eval(self, t: Any, base: float, m: Any) -> Any:
        n = self.total_steps
        if self.after_end == "hold":
            t = m.minimum(t, n - 1)
        elif m.any(t > n):
            raise ValueError(
                f"OneCycle: step {int(t if not m.is_array else t.max())} is past the end: total_steps={n} allows "
                f"steps 0..{n} (torch and paddle raise here too). Raise total_steps to cover every step() call "
                f"(epochs * len(loader)), or pass after_end='hold'"
            )
        return self._lr_phases._eval(t, base, m)  # type: ignore[attr-defined]

    def companions(self) -> Mapping[str, Schedule]:
        """``{"momentum": PhaseAnneal}`` when ``cycle_momentum``: max -> base -> max (three-phase: -> max)."""
        if not self.cycle_momentum:
            return {}
        hi, lo = self.max_momentum, self.base_momentum
        levels = (hi, lo, hi, hi) if self.three_phase else (hi, lo, hi)
        return {"momentum": PhaseAnneal(ends=self._ends(), levels=levels, anneal_strategy=self.anneal_strategy)}

    @property
    def length(self) -> int | None:
        return self.total_steps
