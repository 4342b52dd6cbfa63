"""Microseconds per ``scheduler.step()``: lrparity's torch scheduler vs the native torch scheduler.

Run: ``python bench/torch_step.py [--steps N] [--repeat R] [--groups 1,10,50] [-k TEXT]``. Each row times R whole
runs of N ``step()`` calls of the native and of ``torch_scheduler(from_native(native), optimizer)``, each run on a
freshly built optimizer and scheduler (construction included; nothing is reused between runs, so no cache filled by
one run serves the next), alternating native and ours; it prints the median µs/step of each, the ratio of the
medians ours / native and the ratio's range over the repeats. SGD optimizers (momentum 0.9) whose param groups have
distinct lrs (0.1, 0.2, ...), so a relative schedule computes one value per group. The optimizer itself is not
stepped. ``replay`` rows convert with ``from_native(native)`` (``form="recursive"``: the natives' recursion replayed
bit for bit, checked at the end of the last run); ``closed`` rows with ``from_native(native, replay=False)``
(``lrparity.backends.torch.from_native``).

Targets: ratio <= 0.5 for every replay row and at >= 10 groups, <= 1.0 otherwise.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from typing import Any

import torch
from _timing import parse_args, print_header, time_whole_runs
from torch.optim import lr_scheduler as native

import lrparity
from lrparity.backends.torch import from_native

warnings.filterwarnings("ignore", message=re.escape("Detected call of `lr_scheduler.step()` before `optimizer.step()`"))

HUGE = 10**9  # so that no schedule ends during the timing

# name -> (native factory, replay): replay=True rows are the core's exact replay of the native's recursion
CASES: dict[str, tuple[Callable[[torch.optim.Optimizer], Any], bool]] = {
    "CosineAnnealingLR(T_max=1e9), replay": (lambda o: native.CosineAnnealingLR(o, T_max=HUGE), True),
    "CosineAnnealingLR(T_max=1e9, eta_min=1e-5), replay": (
        lambda o: native.CosineAnnealingLR(o, T_max=HUGE, eta_min=1e-5),
        True,
    ),
    "LinearLR(0.01, 1, total_iters=1e9), replay": (lambda o: native.LinearLR(o, 0.01, 1.0, HUGE), True),
    "CosineAnnealingLR(T_max=1e9), closed": (lambda o: native.CosineAnnealingLR(o, T_max=HUGE), False),
    "SequentialLR[LinearLR(0.01, 1, 1000), CosineAnnealingLR(1e9)], closed": (
        lambda o: native.SequentialLR(
            o, [native.LinearLR(o, 0.01, 1.0, 1000), native.CosineAnnealingLR(o, T_max=HUGE)], milestones=[1000]
        ),
        False,
    ),
    "OneCycleLR(max_lr=0.1, total_steps=1e9)": (
        lambda o: native.OneCycleLR(o, max_lr=0.1, total_steps=HUGE),
        False,
    ),
}


def optimizer(groups: int) -> torch.optim.Optimizer:
    params = [torch.nn.Parameter(torch.zeros(1)) for _ in range(groups)]
    return torch.optim.SGD([{"params": [p], "lr": 0.1 * (i + 1)} for i, p in enumerate(params)], momentum=0.9)


def check(name: str, nat: Any, ours: Any, replay: bool) -> None:
    """After a run: ours holds the core's values; a replay equals the native bit for bit, the rest to 1e-9."""
    t = ours.last_epoch
    assert nat.last_epoch == t
    bases = [g["initial_lr"] for g in ours.optimizer.param_groups]
    exact = [ours.schedule.for_group(i).value(t, b) for i, b in enumerate(bases)]
    assert ours.get_last_lr() == exact, f"{name}: ours is not the core value"
    if replay:
        assert ours.get_last_lr() == nat.get_last_lr(), f"{name}: the replay is not bit-identical to the native"
    for a, b in zip(nat.get_last_lr(), exact):  # the natives' recursions drift from the closed form (~1e-12)
        assert abs(a - b) <= 1e-9 * abs(b), f"{name}: native {a} vs {b}"


def main() -> None:
    args = parse_args(__doc__, steps=100_000, repeat=5, groups=(1, 10, 50))
    columns = ["native scheduler", "groups", "native µs/step", "lrparity µs/step", "ratio", "range", "target"]
    print_header("torch", torch.__version__, args, columns, ["---"] + ["---:"] * 6)
    for name, (make, replay) in CASES.items():
        if args.only not in name:
            continue
        for groups in args.groups:
            timing = time_whole_runs(
                lambda make=make, groups=groups: make(optimizer(groups)),
                lambda make=make, groups=groups, replay=replay: lrparity.torch_scheduler(
                    from_native(make(optimizer(groups)), replay=replay), optimizer(groups)
                ),
                args.steps,
                args.repeat,
            )
            check(name, *timing.last, replay)
            target = 0.5 if replay or groups >= 10 else 1.0
            print(
                f"| {name} | {groups} | {timing.native_us:.3f} | {timing.ours_us:.3f} | {timing.ratio:.2f}x | "
                f"{timing.spread()} | <= {target:.1f}x |",
                flush=True,
            )


if __name__ == "__main__":
    main()
