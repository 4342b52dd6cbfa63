"""Per-step schedule values read from blocks of ``schedule.values`` (numpy/stdlib only: no framework import).

A backend's ``step()`` needs ``schedule.value(t, base)`` at ``t = 0, 1, 2, ...``. The core guarantees
``schedule.values(steps, base)`` bit-identical to ``value``, so the caches here compute a block of steps at
once (256 steps, doubling up to 8192 while the steps run in order, and at most 2**18 values per block over all
tracks) and a step reads one entry. Where a schedule cannot be evaluated (OneCycle past its end, a Lambda
reading a table past its last entry, a value that overflows to inf/nan) only the prefix that evaluates to finite
numbers is cached, and the step itself runs ``schedule.value``, which raises the core's error or returns what the
scalar path returns.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["FIRST_BLOCK", "MAX_BLOCK", "MAX_ENTRIES", "BlockCache", "BlockRows", "finite_prefix"]

FIRST_BLOCK = 256
"""Steps in the first block, and in a block after a jump."""
MAX_BLOCK = 8192
"""The largest block: blocks double while the steps run in order, up to this."""
MAX_ENTRIES = 1 << 18
"""Values in a block at most (steps x tracks): with many tracks (param groups with distinct lrs) blocks are
shorter, so a block holds at most 2 MB of float64 whatever the number of groups."""
MIN_BLOCK = 16
"""The shortest block, whatever the number of tracks."""
TUPLE_ROWS = 8
"""Up to this many tracks a block's rows are tuples of floats (a step copies one into a list); beyond, the block is
a float64 array and a step converts one row (``tolist``), which is faster for many tracks and 8 bytes a value."""


def finite_prefix(schedule: Any, base: float | None, t: int, size: int) -> np.ndarray:
    """``schedule.values`` at ``t, t+1, ...``: ``size`` of them, or the longest prefix that evaluates to finite
    numbers (possibly empty).

    A schedule stops being evaluable once (``values`` raises from some step on): the step is found by bisection.

    Args:
        schedule: a core schedule.
        base: the base lr for a relative schedule (None: values are multipliers; absolute schedules ignore it).
        t: the first step (steps, >= 0).
        size: how many steps at most.
    """

    def attempt(n: int) -> np.ndarray | None:
        try:
            vals = schedule.values(range(t, t + n), base)
        except Exception:  # e.g. a Lambda's table lookup past its end: only the steps reached may fail
            return None
        finite = np.isfinite(vals)
        # leave inf/nan to the scalar path, which raises or returns them as value() does
        return vals if finite.all() else vals[: int(np.argmin(finite))]

    block = attempt(size)
    if block is not None:
        return block
    good, low, bad = np.empty(0), 0, size
    while bad - low > 1:
        mid = (low + bad) // 2
        found = attempt(mid)
        if found is None:
            bad = mid
        else:
            low, good = mid, found
    return good


class _Blocks:
    """Blocks of values of one or more ``(schedule, base)`` tracks, all over the same steps ``lo .. lo+n-1``."""

    __slots__ = ("block", "cache", "lo", "n", "size", "tracks")

    def __init__(self, tracks: list[tuple[Any, float | None]], cache: bool) -> None:
        self.tracks, self.cache = tracks, bool(cache)
        self.lo, self.n, self.block, self.size = 0, 0, [], FIRST_BLOCK

    def _scalar(self, t: int) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    def _store(self, blocks: list[np.ndarray], n: int) -> list[Any]:  # pragma: no cover - overridden
        raise NotImplementedError

    def _entry(self, t: int) -> Any:
        """The entry at step ``t`` (published as ``at`` / ``row``): from the block, or filled from ``t`` on."""
        i = t - self.lo
        if 0 <= i < self.n:
            return self.block[i]
        return self._fill(t)

    def _fill(self, t: int) -> Any:
        """The entry at ``t``; caches the block of steps starting at ``t`` where every track evaluates there."""
        if not self.cache or not self.tracks or t < 0:
            return self._scalar(t)
        size = min(self.size * 2, MAX_BLOCK) if self.n and t == self.lo + self.n else FIRST_BLOCK
        size = min(size, max(MIN_BLOCK, MAX_ENTRIES // len(self.tracks)))
        blocks, n = [], size
        for s, b in self.tracks:
            block = finite_prefix(s, b, t, n)
            n = min(n, len(block))
            if n == 0:  # a track cannot be evaluated at t: the scalar path says why (or gives inf/nan)
                return self._scalar(t)
            blocks.append(block)
        entries = self._store(blocks, n)
        self.lo, self.n, self.block, self.size = t, n, entries, size
        return entries[0]


class BlockCache(_Blocks):
    """The values of one schedule at one base: ``cache.at(t) == schedule.value(t, base)``, bit for bit.

    Args:
        schedule: a core schedule.
        base: its base lr (relative schedules; None: multipliers; absolute schedules ignore it).
        cache: False computes every value with ``schedule.value`` (e.g. a Lambda reading state that changes).
    """

    __slots__ = ()

    def __init__(self, schedule: Any, base: float | None, cache: bool = True) -> None:
        super().__init__([(schedule, base)], cache)

    at = _Blocks._entry
    """``at(t)``: ``schedule.value(t, base)`` (``t`` in steps); raises what ``value`` raises there."""

    def _scalar(self, t: int) -> float:
        schedule, base = self.tracks[0]
        return schedule.value(t, base)

    def _store(self, blocks: list[np.ndarray], n: int) -> list[float]:
        return blocks[0][:n].tolist()


class BlockRows(_Blocks):
    """The values of several ``(schedule, base)`` tracks, one row per step: ``rows.row(t)[k]`` is
    ``tracks[k][0].value(t, tracks[k][1])``, bit for bit; a step reads one row whatever the number of tracks.

    Args:
        tracks: the ``(schedule, base)`` pairs.
        cache: False computes every row with ``schedule.value``.
    """

    __slots__ = ()

    def row(self, t: int) -> tuple[float, ...] | list[float]:
        """The value of every track at step ``t`` (a tuple, or a new list above :data:`TUPLE_ROWS` tracks: read it,
        do not modify it); raises what a track's ``value`` raises there."""
        i = t - self.lo  # _entry inlined: this runs at every step
        entry = self.block[i] if 0 <= i < self.n else self._fill(t)
        return entry if type(entry) is not np.ndarray else entry.tolist()

    def _scalar(self, t: int) -> list[float]:
        return [s.value(t, b) for s, b in self.tracks]

    def _store(self, blocks: list[np.ndarray], n: int) -> list[tuple[float, ...]] | np.ndarray:
        if len(blocks) > TUPLE_ROWS:
            return np.stack([block[:n] for block in blocks], axis=1)
        # rows as tuples of floats: the garbage collector stops tracking them at its next pass, where a block of
        # lists (np.stack(...).tolist()) would stay tracked and make every full collection walk all of them
        return list(zip(*[block[:n].tolist() for block in blocks], strict=True))
