"""Replaying a native recursion step by step, in bounded memory, at O(1) amortised cost per step.

Some natives compute the lr by a recursion, ``lr_t = advance(lr_{t-1}, t)``, whose rounding drifts from the closed
form (torch ``CosineAnnealingLR``, ``LinearLR``, ``MultiplicativeLR`` and their paddle twins). A schedule with
``form="recursive"`` (or :class:`~lrparity.Multiplicative`) reproduces that recursion operation for operation, so
its values are bit-identical to the native's. It stays a pure function of ``(t, base)``: the state kept here is a
cache, never part of the schedule's equality or config.

Per schedule and base lr, a :class:`_Track` keeps

- the current position: the last :data:`WINDOW` values computed, so consecutive steps and consecutive blocks
  (``values(range(t, t + n))``, what the backends read) continue from where the last request ended;
- sparse checkpoints: the lr at every multiple of :data:`CHECKPOINT` steps, so a jump to a step ``t`` the replay has
  passed replays at most :data:`CHECKPOINT` steps, from the nearest checkpoint at or before ``t`` (a jump ahead
  replays from the last checkpoint, once).

Memory is O(t / CHECKPOINT + WINDOW) floats per base, at most :data:`MAX_BASES` bases per schedule (the least
recently used is dropped, and replayed again from step 0 if asked for). The work that does not depend on the base
(the cosine's ratios of cosines, the linear ramp's factors, a user function's values) is computed once per block of
steps and shared by every base; the per-base chain that remains is either a numpy ``multiply.accumulate`` (a pure
product: the same sequential multiplications the native does, one rounding each) or a tight Python loop. Bases share
nothing more: each base's chain rounds on its own (``fl(r * (lr_a - eta))`` is not a fixed multiple of
``fl(r * (lr_b - eta))``), so one base's values cannot be derived exactly from another's; identical
(schedule, base) pairs are one track (and the backends give param groups with the same pair one track).

A schedule replays by implementing three methods (see :class:`Recursion`) and calling :func:`replay` from ``_eval``.
"""

from __future__ import annotations

import threading
from array import array
from collections import OrderedDict
from functools import cache
from typing import Any, Protocol

import numpy as np

__all__ = [
    "CHECKPOINT",
    "MAX_BASES",
    "MAX_REPLAY",
    "WINDOW",
    "BatchRecursion",
    "Recursion",
    "product_chain",
    "product_chains",
    "replay",
]

MAX_REPLAY = 10**8
"""Last step a replayed recursion may be evaluated at."""
CHECKPOINT = 8192
"""Steps between two checkpoints of a replay (a jump replays at most this many steps)."""
CHUNK = 8192
"""Steps advanced per pass: the bound on the temporary arrays of one pass (a backend's block is at most this)."""
WINDOW = CHUNK
"""Most recent values a replay keeps per base lr (its current position and the steps before it): a whole pass, so
that a base advanced together with another (see :func:`_run`) finds its next block there."""
AHEAD = 256
"""Steps computed at once when a single step past the current position is asked for."""
MAX_BASES = 256
"""Base lrs whose replay a schedule keeps; beyond this the least recently used is dropped."""
_SPAN = 1 << 16
"""Scattered steps are evaluated in runs spanning at most this many steps (bounds the temporary arrays)."""


class Recursion(Protocol):
    """What a schedule implements to be replayed. ``shared`` is computed once per block of steps for all bases.

    ``_replay_shared(start, stop)`` returns ``(data, reason)``: the base-independent data of the steps from
    ``start`` (``>= 1``) on, for all of ``start .. stop-1``, or, where the native fails at some step of the block (its
    recursion divides by zero, ...), for the steps before that one, with the reason.
    ``_replay_chain(base, lr, data)`` advances the recursion from ``lr`` (the value at ``start - 1``) over the steps
    ``data`` covers and returns ``(values, None)``: their values, a float64 array; or fewer values and the reason
    where the native fails on the way.
    """

    def _replay_first(self, base: float) -> float: ...

    def _replay_shared(self, start: int, stop: int) -> tuple[Any, str | None]: ...

    def _replay_chain(self, base: float, lr: float, data: Any) -> tuple[np.ndarray, str | None]: ...


class BatchRecursion(Recursion, Protocol):
    """A recursion whose chain cannot fail (a failure is in the shared data) and can advance several bases at once:
    ``_replay_chains(bases, lrs, data)`` is the array whose row ``i`` is ``_replay_chain(bases[i], lrs[i], data)[0]``,
    bit for bit."""

    def _replay_chains(self, bases: list[float], lrs: list[float], data: Any) -> np.ndarray: ...


def _python_product(lr: float, factors: list[float]) -> list[float]:
    out = []
    for f in factors:
        lr = lr * f
        out.append(lr)
    return out


@cache
def _accumulate_is_sequential() -> bool:
    """True if ``np.multiply.accumulate`` (of a vector, and of each row of a matrix) multiplies left to right, one
    rounding per step, as a Python loop does (checked once per process on a probe; the replay falls back to Python
    loops otherwise)."""
    factors = np.random.default_rng(5).uniform(0.5, 1.5, (2, 4097))
    factors[:, 0] = 0.1
    expected = np.array([_python_product(1.0, row) for row in factors.tolist()])
    return bool(
        np.array_equal(np.multiply.accumulate(factors[0]), expected[0])
        and np.array_equal(np.multiply.accumulate(factors, axis=1), expected)
    )


def product_chain(lr: float, factors: np.ndarray) -> np.ndarray:
    """``lr * f_1``, ``(lr * f_1) * f_2``, ...: the running product in the natives' order, one rounding per step."""
    if _accumulate_is_sequential():
        work = np.empty(factors.size + 1, dtype=np.float64)
        work[0] = lr
        work[1:] = factors
        np.multiply.accumulate(work, out=work)
        return work[1:]
    return np.array([lr := lr * f for f in factors.tolist()], dtype=np.float64)


def product_chains(lrs: Any, factors: np.ndarray) -> np.ndarray:
    """:func:`product_chain` for several starting values at once: row ``i`` starts from ``lrs[i]``."""
    if not _accumulate_is_sequential():
        return np.stack([product_chain(lr, factors) for lr in np.asarray(lrs, dtype=np.float64).tolist()])
    work = np.empty((len(lrs), factors.size + 1), dtype=np.float64)
    work[:, 0] = lrs
    work[:, 1:] = factors
    np.multiply.accumulate(work, axis=1, out=work)
    return work[:, 1:]


class _Track:
    """The replay of one schedule at one base lr: checkpoints, the recent values and where the native fails."""

    __slots__ = ("checkpoints", "fails_at", "lo", "reason", "window")

    def __init__(self, first: float) -> None:
        self.checkpoints = array("d", [first])  # the value at step k * CHECKPOINT
        self.lo = 0  # window[i] is the value at step lo + i
        self.window = np.array([first], dtype=np.float64)
        self.fails_at: int | None = None  # the first step the native cannot compute
        self.reason = ""

    def nbytes(self) -> int:
        return self.checkpoints.itemsize * len(self.checkpoints) + self.window.nbytes


class _Store:
    """The replays of one schedule: a track per base lr (least recently used first), and the shared data of the last
    few blocks of steps. Not copied with the schedule (a copy or an unpickled one starts empty)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.tracks: OrderedDict[float, _Track] = OrderedDict()
        self.shared: OrderedDict[tuple[int, int], tuple[Any, str | None]] = OrderedDict()

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Store, ())

    def __deepcopy__(self, memo: dict[int, Any]) -> _Store:
        return _Store()

    def nbytes(self) -> int:
        """Bytes held by the tracks' arrays and the shared blocks (an estimate of the cache's footprint)."""
        shared = sum(_nbytes(data) for data, _ in self.shared.values())
        return sum(track.nbytes() for track in self.tracks.values()) + shared


def _nbytes(obj: Any) -> int:
    """Approximate bytes held by an array, or a list/tuple of arrays and numbers."""
    if isinstance(obj, np.ndarray):
        return obj.nbytes
    if isinstance(obj, (list, tuple)):
        return 8 * len(obj) + sum(_nbytes(item) for item in obj)
    return 24


def store_of(owner: Any) -> _Store:
    """The replay cache of a schedule (created on first use; kept out of its fields, equality and config)."""
    store = owner.__dict__.get("_replays")
    if store is None:
        store = owner.__dict__.setdefault("_replays", _Store())
    return store


def replay(owner: Recursion, base: float, t: Any) -> Any:
    """The recursion's value at step ``t`` (an int: a float) or at every step of ``t`` (an int64 array: an array)."""
    is_array = isinstance(t, np.ndarray)
    last = (int(t.max()) if t.size else 0) if is_array else t
    if last > MAX_REPLAY:
        if getattr(owner, "form", None) == "recursive":
            hint = "form='recursive' replays the natives step by step; use form='closed' (the exact closed form)"
        else:
            hint = "the natives' running product is replayed step by step and has no closed form"
        raise ValueError(f"{type(owner).__name__}: step {last} is beyond {MAX_REPLAY} ({hint})")
    store = store_of(owner)
    with store.lock:
        track = store.tracks.get(base)
        if track is None:
            track = store.tracks[base] = _Track(owner._replay_first(base))
            while len(store.tracks) > MAX_BASES:
                store.tracks.popitem(last=False)
        else:
            store.tracks.move_to_end(base)
        if not is_array:
            i = t - track.lo
            if 0 <= i < track.window.size:
                return float(track.window[i])
            _check_fails(owner, track, t)
            values = _run(owner, store, track, base, t, min(t + AHEAD, MAX_REPLAY + 1))
            if not values.size:
                _check_fails(owner, track, t)
            return float(values[0])
        if not t.size:
            return np.empty(t.shape, dtype=np.float64)
        first = int(t.flat[0])
        if first >= track.lo and last < track.lo + track.window.size and int(t.min()) >= track.lo:
            return track.window[t - track.lo]  # all in the window (a base advanced with another lands here)
        _check_fails(owner, track, last)
        if t.ndim == 1 and last - first == t.size - 1 and (t.size == 1 or bool(np.all(np.diff(t) == 1))):
            return _full(owner, store, track, base, first, last + 1)
        steps, inverse = np.unique(t, return_inverse=True)
        out = np.empty(steps.size, dtype=np.float64)
        cuts = np.flatnonzero(np.diff(steps) > CHUNK) + 1  # a gap: walk it without keeping its values
        for lo, hi in zip([0, *cuts.tolist()], [*cuts.tolist(), steps.size]):
            while lo < hi:  # runs spanning at most _SPAN steps
                end = lo + int(np.searchsorted(steps[lo:hi], steps[lo] + _SPAN))
                a = int(steps[lo])
                out[lo:end] = _full(owner, store, track, base, a, int(steps[end - 1]) + 1)[steps[lo:end] - a]
                lo = end
        return out[inverse].reshape(t.shape)


def _check_fails(owner: Any, track: _Track, step: int) -> None:
    if track.fails_at is not None and step >= track.fails_at:
        raise ValueError(
            f"{type(owner).__name__}: the natives' recursion fails at step {track.fails_at} ({track.reason}) "
            f"with {owner!r}: steps from {track.fails_at} on have no value"
        )


def _full(owner: Recursion, store: _Store, track: _Track, base: float, a: int, b: int) -> np.ndarray:
    """The values at steps ``a .. b-1``, or the ValueError saying at which step the native fails."""
    values = _run(owner, store, track, base, a, b)
    if values.size < b - a:
        _check_fails(owner, track, b - 1)
    return values


def _record(track: _Track, e: int, values: np.ndarray) -> None:
    """Keep the checkpoints among ``values`` (the values at steps ``e, e+1, ...``) that extend the track's list."""
    m = e + (-e % CHECKPOINT)  # the first multiple of CHECKPOINT >= e
    while m < e + values.size:
        if m // CHECKPOINT == len(track.checkpoints):
            track.checkpoints.append(float(values[m - e]))
        m += CHECKPOINT


def _run(owner: Recursion, store: _Store, track: _Track, base: float, a: int, b: int) -> np.ndarray:
    """The values at steps ``a .. b-1`` (a fresh array), replayed from the nearest known step at or before ``a``;
    fewer where the native fails at some step before ``b`` (``track.fails_at`` then says where)."""
    w_lo, window = track.lo, track.window
    w_end = w_lo + window.size  # the window holds steps w_lo .. w_end-1
    if w_lo <= a and b <= w_end:
        return window[a - w_lo : b - w_lo].copy()
    k = min(a // CHECKPOINT, len(track.checkpoints) - 1)
    if w_lo <= a < w_end or k * CHECKPOINT < w_end - 1 <= a:  # continue from the window's end
        s, lr = w_end - 1, float(window[-1])
        head = window[a - w_lo :] if a < w_end else window[:0]
    else:  # continue from the nearest checkpoint
        s, lr = k * CHECKPOINT, track.checkpoints[k]
        head = window[:0] if s < a else np.array([lr])
    # steps s+1 .. b-1 remain; those from `a` on are kept (after the head, which covers a .. s where s >= a)
    out = np.empty(b - a, dtype=np.float64)
    out[: head.size] = head
    n = head.size  # values in out
    e = s + 1
    with np.errstate(all="ignore"):  # a division by zero is detected by the recursion, not warned about
        while e < b:
            stop = min(e + CHUNK, b)
            shared = store.shared.get((e, stop))
            if shared is None:
                shared = store.shared[(e, stop)] = owner._replay_shared(e, stop)
                while len(store.shared) > 4:
                    store.shared.popitem(last=False)
            data, reason = shared
            # the other bases whose replay stands at e - 1 too (a backend's groups, base after base): advanced
            # together with this one, each into its own window, where its next request finds its values
            others = []
            if hasattr(owner, "_replay_chains"):
                others = [
                    (other, y)
                    for other, y in store.tracks.items()
                    if y is not track and y.fails_at is None and y.lo + y.window.size == e
                ]
            if others:
                rows = owner._replay_chains(
                    [base, *(other for other, _ in others)], [lr, *(float(y.window[-1]) for _, y in others)], data
                )
                values, chain_reason = rows[0], None
                for (_, y), row in zip(others, rows[1:], strict=True):
                    _record(y, e, row)
                    if row.size:
                        y.lo, y.window = e, row.copy()
                    if row.size < stop - e:
                        y.fails_at, y.reason = e + row.size, reason or "its recursion fails"
            else:
                values, chain_reason = owner._replay_chain(base, lr, data)
            got = values.size
            _record(track, e, values)
            keep = values[max(0, a - e) :]
            out[n : n + keep.size] = keep
            n += keep.size
            if got < stop - e:  # the native fails at step e + got
                track.fails_at, track.reason = e + got, chain_reason or reason or "its recursion fails"
                break
            lr = float(values[-1])
            e = stop
    tail = out[max(0, n - WINDOW) : n]
    if tail.size:
        track.lo, track.window = a + n - tail.size, tail.copy()
    return out if n == out.size else out[:n].copy()
