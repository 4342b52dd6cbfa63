"""Microseconds per ``scheduler.step()``: lrparity's torch scheduler vs the native torch scheduler.

Run: ``python bench/torch_step.py [--steps N] [--repeat R]``. Each row builds the native on one SGD optimizer
(momentum 0.9) and ``torch_scheduler(from_native(native), optimizer)`` on an identical one, times the same number
of ``step()`` calls on each (best of R repeats, interleaved so that machine noise hits both) and prints the ratio
ours / native. The param groups have distinct lrs (0.1, 0.2, ...), so a relative schedule computes one value per
group. Targets: ratio <= 0.5 at 10 groups, <= 1.0 at 1 group. Ours includes the amortised cost of filling its
value blocks (``schedule.values``); the optimizer itself is not stepped.
"""

from __future__ import annotations

import argparse
import platform
import re
import timeit
import warnings
from collections.abc import Callable
from typing import Any

import torch
from torch.optim import lr_scheduler as native

import lrparity

warnings.filterwarnings("ignore", message=re.escape("Detected call of `lr_scheduler.step()` before `optimizer.step()`"))

HUGE = 10**9  # so that no schedule ends during the timing

CASES: dict[str, Callable[[torch.optim.Optimizer], Any]] = {
    "CosineAnnealingLR(T_max=1e9)": lambda o: native.CosineAnnealingLR(o, T_max=HUGE),
    "SequentialLR[LinearLR(0.01, 1, 1000), CosineAnnealingLR(1e9)]": lambda o: native.SequentialLR(
        o, [native.LinearLR(o, 0.01, 1.0, 1000), native.CosineAnnealingLR(o, T_max=HUGE)], milestones=[1000]
    ),
    "OneCycleLR(max_lr=0.1, total_steps=1e9)": lambda o: native.OneCycleLR(o, max_lr=0.1, total_steps=HUGE),
}


def optimizer(groups: int) -> torch.optim.Optimizer:
    params = [torch.nn.Parameter(torch.zeros(1)) for _ in range(groups)]
    return torch.optim.SGD([{"params": [p], "lr": 0.1 * (i + 1)} for i, p in enumerate(params)], momentum=0.9)


def best_us(step: Callable[[], None], steps: int) -> float:
    return timeit.timeit(step, number=steps) / steps * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100_000, help="step() calls per timing (default 100000)")
    parser.add_argument("--repeat", type=int, default=5, help="timings per scheduler, best is kept (default 5)")
    args = parser.parse_args()
    print(
        f"torch {torch.__version__}, lrparity {lrparity.__version__}, Python {platform.python_version()}, "
        f"{platform.machine()}; {args.steps} steps x best of {args.repeat}"
    )
    print()
    print("| native scheduler | groups | native µs/step | lrparity µs/step | ratio | target |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, make in CASES.items():
        for groups in (1, 10):
            nat_opt, our_opt = optimizer(groups), optimizer(groups)
            nat = make(nat_opt)
            ours = lrparity.torch_scheduler(lrparity.from_native(make(optimizer(groups))), our_opt)
            best_native, best_ours = float("inf"), float("inf")
            for _ in range(args.repeat):
                best_native = min(best_native, best_us(nat.step, args.steps))
                best_ours = min(best_ours, best_us(ours.step, args.steps))
            t = ours.last_epoch
            assert nat.last_epoch == t
            bases = [g["initial_lr"] for g in our_opt.param_groups]
            exact = [ours.schedule.for_group(i).value(t, b) for i, b in enumerate(bases)]  # type: ignore[union-attr]
            assert ours.get_last_lr() == exact, f"{name}: ours is not the core value"
            for a, b in zip(nat.get_last_lr(), exact):  # the natives' recursions drift (~1e-12 after 1e6 steps)
                assert abs(a - b) <= 1e-9 * abs(b), f"{name}: native {a} vs {b}"
            target = 0.5 if groups == 10 else 1.0
            ratio = best_ours / best_native
            print(f"| {name} | {groups} | {best_native:.3f} | {best_ours:.3f} | {ratio:.2f}x | <= {target:.1f}x |")


if __name__ == "__main__":
    main()
