"""A whole LR curve: lrparity's vectorised ``values()`` vs looping the native torch and paddle schedulers.

Run: ``python bench/curve.py [--steps N] [--warmup W] [--repeat R]``. The curve is a linear warmup over W steps
(from 0.001 x base to the base lr 0.1) followed by a cosine over the remaining N - W steps, defaults N = 1,000,000
and W = 10,000. Rows:

- core ``values()``: ``Warmup(Cosine(T_max=N - W), W, start_factor=0.001).values(range(N), 0.1)`` (median of R
  calls, each on a freshly built schedule), and the equivalent ``Sequence([Linear(0.001, 1, W), Cosine(N - W)], [W])``
  (the same);
- core ``form="recursive"``: the same Sequence replaying the natives' recursions, timed once on a fresh object
  (the whole replay is in the time);
- core ``value()`` loop: one Python call per step (what a backend does per ``step()``), timed once;
- torch: ``SequentialLR(LinearLR(0.001, 1, W), CosineAnnealingLR(N - W), milestones=[W])`` on an SGD optimizer with
  one param group; each step reads ``param_groups[0]["lr"]`` then calls ``scheduler.step()`` (timed once);
- paddle: ``LinearWarmup(CosineAnnealingDecay(0.1, N - W), W, start_lr=0.0001, end_lr=0.1)``; each step reads
  ``scheduler()`` then calls ``scheduler.step()`` (timed once).

"x core values()" is a row's time divided by the core ``Warmup(Cosine).values()`` time: on the torch row, how many
times faster the core computes the whole curve than the torch loop (target >= 200x). The "max |diff|" columns
compare each curve with the torch and with the paddle curve. torch and paddle are imported inside the bench only.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import warnings
from collections.abc import Callable

import numpy as np

import lrparity
from lrparity import Cosine, Linear, Sequence, Warmup

BASE_LR = 0.1
START_FACTOR = 0.001


def median_of(fn: Callable[[], np.ndarray], repeat: int) -> tuple[float, np.ndarray]:
    """Median of ``repeat`` timed calls, after one untimed call (first-touch memory, the thread pool's start)."""
    times, out = [], fn()
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def once(fn: Callable[[], np.ndarray]) -> tuple[float, np.ndarray]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def torch_curve(n: int, w: int) -> np.ndarray:
    import torch
    from torch.optim import lr_scheduler as native

    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=BASE_LR)
    sched = native.SequentialLR(
        opt,
        [native.LinearLR(opt, START_FACTOR, 1.0, w), native.CosineAnnealingLR(opt, T_max=n - w)],
        milestones=[w],
    )
    opt.step()  # no gradients: a no-op that keeps torch from warning about the step order
    group = opt.param_groups[0]
    out = np.empty(n, dtype=np.float64)
    step = sched.step
    for i in range(n):
        out[i] = group["lr"]
        step()
    return out


def paddle_curve(n: int, w: int) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import paddle

    sched = paddle.optimizer.lr.LinearWarmup(
        paddle.optimizer.lr.CosineAnnealingDecay(BASE_LR, T_max=n - w),
        warmup_steps=w,
        start_lr=BASE_LR * START_FACTOR,
        end_lr=BASE_LR,
    )
    out = np.empty(n, dtype=np.float64)
    step = sched.step
    for i in range(n):
        out[i] = sched()
        step()
    return out


def available(module: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            __import__(module)
    except ImportError:
        return False
    return True


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1_000_000, help="curve length N (default 1,000,000)")
    parser.add_argument("--warmup", type=int, default=10_000, help="warmup steps W (default 10,000)")
    parser.add_argument("--repeat", type=int, default=5, help="repeats of the fast rows, median taken (default 5)")
    args = parser.parse_args(argv)
    n, w = args.steps, args.warmup
    steps = np.arange(n, dtype=np.int64)

    def warm() -> Warmup:
        return Warmup(Cosine(T_max=n - w), w, start_factor=START_FACTOR)

    def seq() -> Sequence:
        return Sequence([Linear(START_FACTOR, 1.0, w), Cosine(T_max=n - w)], [w])

    rows: dict[str, tuple[float, np.ndarray, str]] = {}

    t, v = median_of(lambda: warm().values(steps, BASE_LR), args.repeat)
    rows["core Warmup(Cosine).values()"] = (t, v, f"median of {args.repeat}")
    t, v = median_of(lambda: seq().values(steps, BASE_LR), args.repeat)
    rows["core Sequence(Linear, Cosine).values()"] = (t, v, f"median of {args.repeat}")
    rec = Sequence([Linear(START_FACTOR, 1.0, w, form="recursive"), Cosine(T_max=n - w, form="recursive")], [w])
    t, v = once(lambda: rec.values(steps, BASE_LR))
    rows["core form='recursive' .values()"] = (t, v, "once, cold replay")
    value = warm().value
    t, v = once(lambda: np.fromiter((value(i, BASE_LR) for i in range(n)), dtype=np.float64, count=n))
    rows["core Warmup(Cosine).value() loop"] = (t, v, "once")
    if available("torch"):
        t, v = once(lambda: torch_curve(n, w))
        rows["torch SequentialLR(LinearLR, CosineAnnealingLR) loop"] = (t, v, "once")
    if available("paddle"):
        t, v = once(lambda: paddle_curve(n, w))
        rows["paddle LinearWarmup(CosineAnnealingDecay) loop"] = (t, v, "once")

    fast = rows["core Warmup(Cosine).values()"][0]
    torch_v = next((v for k, (_, v, _) in rows.items() if k.startswith("torch")), None)
    paddle_v = next((v for k, (_, v, _) in rows.items() if k.startswith("paddle")), None)

    def diff(a: np.ndarray, b: np.ndarray | None) -> str:
        return "-" if b is None else f"{float(np.max(np.abs(a - b))):.3g}"

    header = ["curve", "timing", "time (s)", "us/step", "x core values()", "max|diff| torch", "max|diff| paddle"]
    table = [header]
    result: dict[str, dict[str, float]] = {}
    for name, (t, v, how) in rows.items():
        table.append(
            [name, how, f"{t:.4f}", f"{t / n * 1e6:.3f}", f"{t / fast:,.0f}x", diff(v, torch_v), diff(v, paddle_v)]
        )
        result[name] = {"seconds": t, "ratio": t / fast}
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    print(
        f"lrparity {lrparity.__version__} | {n:,} steps (warmup {w:,} + cosine {n - w:,}) | Python "
        f"{platform.python_version()} | numpy {np.__version__} | {platform.machine()} | {os.cpu_count()} CPUs"
    )
    for i, r in enumerate(table):
        print("| " + " | ".join(c.ljust(widths[j]) if j < 2 else c.rjust(widths[j]) for j, c in enumerate(r)) + " |")
        if i == 0:
            print("|" + "|".join("-" * (wd + 2) for wd in widths) + "|")
    torch_row = next((k for k in rows if k.startswith("torch")), None)
    if torch_row is not None:
        ratio = rows[torch_row][0] / fast
        verdict = "meets" if ratio >= 200 else "MISSES"
        print(f"core values() vs the torch loop: {ratio:,.0f}x faster ({verdict} the >= 200x target)")
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
