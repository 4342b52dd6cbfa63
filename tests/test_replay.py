"""The replay of the natives' recursions (lrparity.core.replay): exact in any access order, bounded memory.

The references are the natives' recursions written out step by step in Python (as torch ``CosineAnnealingLR``,
``LinearLR`` and ``MultiplicativeLR`` compute them); the parity tests compare with the live natives.
"""

from __future__ import annotations

import copy
import math
import pickle
import random
import threading

import numpy as np
import pytest

from lrparity import Cosine, Linear, Multiplicative
from lrparity.backends.neutral.blocks import MAX_ENTRIES, BlockRows
from lrparity.core import replay as R


def cosine_reference(n: int, T: float, base: float, eta: float = 0.0) -> list[float]:
    out, lr = [base], base
    for e in range(1, n):
        if (e - 1 - T) % (2 * T) == 0:
            lr = lr + (base - eta) * (1 - math.cos(math.pi / T)) / 2
        else:
            lr = (1 + math.cos(math.pi * e / T)) / (1 + math.cos(math.pi * (e - 1) / T)) * (lr - eta) + eta
        out.append(lr)
    return out


def linear_reference(n: int, s: float, end: float, T: int, base: float) -> list[float]:
    out, lr = [base * s], base * s
    for e in range(1, n):
        if e <= T:
            lr = lr * (1.0 + (end - s) / (T * s + (e - 1) * (end - s)))
        out.append(lr)
    return out


def wobble(k: int) -> float:
    return 0.9999 + 0.0002 * math.sin(k)


def multiplicative_reference(n: int, base: float) -> list[float]:
    out, lr = [base], base
    for k in range(1, n):
        lr = lr * wobble(k)
        out.append(lr)
    return out


N = 40_000
CASES = {
    "cosine": (lambda: Cosine(T_max=300, form="recursive"), lambda b: cosine_reference(N, 300, b)),
    "cosine eta": (
        lambda: Cosine(T_max=300, eta_min=1e-4, form="recursive"),
        lambda b: cosine_reference(N, 300, b, 1e-4),
    ),
    "cosine float T": (lambda: Cosine(T_max=10.5, form="recursive"), lambda b: cosine_reference(N, 10.5, b)),
    "cosine T=1": (lambda: Cosine(T_max=1, eta_min=0.01, form="recursive"), lambda b: cosine_reference(N, 1, b, 0.01)),
    "linear": (
        lambda: Linear(0.001, 1.0, 30_000, form="recursive"),
        lambda b: linear_reference(N, 0.001, 1.0, 30_000, b),
    ),
    "multiplicative": (lambda: Multiplicative(wobble), lambda b: multiplicative_reference(N, b)),
}


@pytest.mark.parametrize("case", CASES)
def test_any_access_order_gives_the_full_replay(case) -> None:
    make, reference = CASES[case]
    expected = {b: np.array(reference(b)) for b in (0.1, 0.3)}
    assert make().values(range(N), 0.1).tolist() == expected[0.1].tolist()
    s, rng = make(), random.Random(7)
    for _ in range(400):  # seeks backwards and forwards, single steps, blocks, scattered steps, two bases
        b = rng.choice((0.1, 0.3))
        kind = rng.randrange(3)
        if kind == 0:
            t = rng.randrange(N)
            assert s.value(t, b) == expected[b][t], (b, t)
        elif kind == 1:
            a = rng.randrange(N)
            stop = min(N, a + rng.choice((1, 7, 256, 3000, 20_000)))
            assert np.array_equal(s.values(range(a, stop), b), expected[b][a:stop]), (b, a, stop)
        else:
            steps = np.array([rng.randrange(N) for _ in range(rng.randrange(1, 50))]).reshape(-1, 1)
            assert np.array_equal(s.values(steps, b), expected[b][steps]), (b, steps.ravel()[:5])


@pytest.mark.parametrize("case", CASES)
def test_consecutive_steps_continue_where_the_last_request_ended(case) -> None:
    make, reference = CASES[case]
    expected = reference(0.2)
    s = make()
    assert [s.value(t, 0.2) for t in range(3000)] == expected[:3000]
    blocks = [s.values(range(t, t + 1000), 0.2) for t in range(3000, N, 1000)]
    assert np.concatenate(blocks).tolist() == expected[3000:]


def _run_like_a_backend(s, bases, steps: int, block: int = 8192) -> None:
    for t in range(0, steps, block):
        for b in bases:
            s.values(range(t, t + block), b)


def test_memory_stays_bounded_over_a_million_steps() -> None:
    s = Cosine(T_max=1000, eta_min=1e-5, form="recursive")
    bases = [0.1 * (i + 1) for i in range(5)]
    _run_like_a_backend(s, bases, 10**6)
    store = R.store_of(s)
    for track in store.tracks.values():
        assert len(track.checkpoints) == 10**6 // R.CHECKPOINT + 1
        assert track.window.size <= R.WINDOW
    # per base: the checkpoints and one window (about 65 KB); shared: the data of at most 4 passes. The cache this
    # replaced held every value: 8 MB per base at 10**6 steps
    per_base = 8 * (10**6 // R.CHECKPOINT + 1 + R.WINDOW)
    assert store.nbytes() <= 5 * per_base + 4 * (8 * R.CHUNK + 1000) < 10**6
    one = Cosine(T_max=1000, eta_min=1e-5, form="recursive")
    curve = one.values(range(10**6), 0.1)  # one call for the whole curve: the curve, and the same bounded state
    assert curve[-1] == s.value(10**6 - 1, 0.1)
    assert R.store_of(one).tracks[0.1].window.size <= R.WINDOW


def test_a_seek_replays_from_the_nearest_checkpoint() -> None:
    calls: list[tuple[int, int]] = []

    class Counted(Cosine):
        def _replay_shared(self, start, stop):
            calls.append((start, stop))
            return super()._replay_shared(start, stop)

    s = Counted(T_max=500, form="recursive")
    s.values(range(100_000), 0.1)
    calls.clear()
    assert s.value(70_000, 0.1) == cosine_reference(70_001, 500, 0.1)[-1]
    assert sum(stop - start for start, stop in calls) <= R.CHECKPOINT + R.AHEAD


def test_many_bases_are_bounded_and_an_evicted_base_replays_again() -> None:
    s = Cosine(T_max=50, form="recursive")
    bases = [0.001 * (i + 1) for i in range(R.MAX_BASES + 40)]
    for b in bases:
        s.values(range(500), b)
    store = R.store_of(s)
    assert len(store.tracks) == R.MAX_BASES
    assert bases[0] not in store.tracks and bases[-1] in store.tracks
    assert s.values(range(500), bases[0]).tolist() == cosine_reference(500, 50, bases[0])


def test_the_base_independent_work_is_shared_between_bases() -> None:
    calls: list[int] = []

    def counted(k: int) -> float:
        calls.append(k)
        return 0.999

    s = Multiplicative(counted)
    for b in (0.1, 0.2, 0.3, 0.4):  # a backend reads one block per base, base after base
        s.values(range(0, 2000), b)
    assert sorted(calls) == list(range(1, 2000))  # fn once per step, not once per step and base
    lr, expected = 0.3, [0.3]
    for _ in range(1, 2000):
        lr = lr * 0.999
        expected.append(lr)
    assert s.values(range(2000), 0.3).tolist() == expected


def test_a_failing_recursion_keeps_the_steps_before_it() -> None:
    s = Cosine(T_max=0.8, form="recursive")
    with pytest.raises(ValueError, match="fails at step 13"):
        s.values(range(100), 0.1)
    assert s.values(range(13), 0.1).tolist() == cosine_reference(13, 0.8, 0.1)
    assert s.value(12, 0.1) == cosine_reference(13, 0.8, 0.1)[12]


def test_the_cache_is_not_copied_or_pickled_and_not_part_of_equality() -> None:
    s = Linear(0.01, 1.0, 1000, form="recursive")
    s.values(range(5000), 0.1)
    for other in (copy.deepcopy(s), pickle.loads(pickle.dumps(s))):
        assert other == s and "_replays" not in other.to_config()
        assert not R.store_of(other).tracks
        assert other.values(range(5000), 0.1).tolist() == s.values(range(5000), 0.1).tolist()


def test_threads_evaluating_one_schedule_get_exact_values() -> None:
    s = Cosine(T_max=200, eta_min=1e-3, form="recursive")
    expected = np.array(cosine_reference(30_000, 200, 0.1, 1e-3))
    errors: list[str] = []

    def work(seed: int) -> None:
        rng = random.Random(seed)
        for _ in range(200):
            a = rng.randrange(30_000 - 500)
            if not np.array_equal(s.values(range(a, a + 500), 0.1), expected[a : a + 500]):
                errors.append(f"{seed}: {a}")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors


def test_multiplicative_beyond_the_replay_limit_says_there_is_no_closed_form() -> None:
    with pytest.raises(ValueError, match="no closed form") as err:
        Multiplicative(wobble).value(R.MAX_REPLAY + 1)
    assert str(R.MAX_REPLAY + 1) in str(err.value)


def test_backend_blocks_hold_a_bounded_number_of_values_whatever_the_groups() -> None:
    s = Cosine(T_max=10**6, form="recursive")
    for groups, steps in ((1, 20_000), (50, 6000), (1000, 300)):
        rows = BlockRows([(s, 0.01 * (i + 1)) for i in range(groups)], True)
        for t in range(steps):
            row = rows.row(t)
        assert list(row) == [s.value(steps - 1, 0.01 * (i + 1)) for i in range(groups)]
        assert rows.n * groups <= max(MAX_ENTRIES, 16 * groups)
        assert groups > 1 or rows.n == 8192  # one group: the longest blocks, as before


@pytest.mark.parametrize(
    ("make", "reference"),
    [
        (lambda: Cosine(T_max=300, form="recursive"), lambda b: cosine_reference(5000, 300, b)),
        (lambda: Cosine(T_max=300, eta_min=1e-4, form="recursive"), lambda b: cosine_reference(5000, 300, b, 1e-4)),
        (lambda: Cosine(T_max=7.5, eta_min=1e-4, form="recursive"), lambda b: cosine_reference(5000, 7.5, b, 1e-4)),
        (lambda: Linear(0.01, 1.0, 3000, form="recursive"), lambda b: linear_reference(5000, 0.01, 1.0, 3000, b)),
    ],
    ids=["cosine", "cosine eta", "cosine short period", "linear"],
)
@pytest.mark.parametrize("groups", [3, 40])
def test_bases_advanced_together_match_each_base_alone(make, reference, groups) -> None:
    s, bases = make(), [0.01 * (i + 1) for i in range(groups)]
    got = {b: [] for b in bases}
    for t in range(0, 5000, 700):  # a backend's blocks, base after base: the first base advances the others
        for b in bases:
            got[b].extend(s.values(range(t, min(t + 700, 5000)), b).tolist())
    for b in bases:
        assert got[b] == reference(b), b


def test_an_overflowing_angle_fails_where_the_native_fails() -> None:
    """torch ``CosineAnnealingLR(T_max=5e-324)`` raises ValueError (math domain error) at step 1: pi / T_max is inf."""
    s = Cosine(T_max=5e-324, form="recursive")
    assert s.value(0, 0.1) == 0.1
    with pytest.raises(ValueError, match=r"fails at step 1 \(math domain error"):
        s.values(range(3), 0.1)
    with pytest.raises(ValueError, match="fails at step 1 "):
        s.value(2, 0.1)
