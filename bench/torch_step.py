"""Microseconds per ``scheduler.step()``: lrparity's torch scheduler vs the native torch scheduler.

Run: ``python bench/torch_step.py [--steps N] [--repeat R]``. Each row builds the native on one SGD optimizer
(momentum 0.9) and ``torch_scheduler(from_native(native), optimizer)`` on an identical one, times the same number
of ``step()`` calls on each (best of R repeats, interleaved so that machine noise hits both) and prints the ratio
ours / native. The param groups have distinct lrs (0.1, 0.2, ...), so a relative schedule computes one value per
group. Targets: ratio <= 0.5 at 10 groups, <= 1.0 at 1 group. Ours includes the amortised cost of filling its
value blocks (``schedule.values``); the optimizer itself is not stepped.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from typing import Any

import torch
from _timing import best_us_per_step, parse_args, print_header
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


def main() -> None:
    args = parse_args(__doc__, steps=100_000, repeat=5)
    columns = ["native scheduler", "groups", "native µs/step", "lrparity µs/step", "ratio", "target"]
    print_header("torch", torch.__version__, args, columns, ["---"] + ["---:"] * 5)
    for name, make in CASES.items():
        for groups in (1, 10):
            nat_opt, our_opt = optimizer(groups), optimizer(groups)
            nat = make(nat_opt)
            ours = lrparity.torch_scheduler(lrparity.from_native(make(optimizer(groups))), our_opt)
            best_native, best_ours = best_us_per_step(nat.step, ours.step, args.steps, args.repeat)
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
