"""Memory of a replayed recursion over a long run: RSS growth of a torch scheduler with 50 param groups.

Run: ``python bench/replay_memory.py [--steps N] [--groups G]`` (defaults 1,000,000 steps, 50 groups). Each case
runs in a fresh Python process: an SGD optimizer whose G param groups have distinct lrs (0.1, 0.2, ...), and
``torch_scheduler(from_native(native), optimizer)`` where the native's recursion is replayed bit for bit
(``form="recursive"``). The process steps the scheduler 1,000 times (imports, first blocks), reads its resident set
size (``VmRSS``), steps on to N, and reads it again: the growth is what the run's length costs. It also prints the
peak RSS (``VmHWM``) and the whole run's µs/step. After the run the scheduler's lrs are checked bit for bit against
the native run for the same N steps. Target: growth <= 16 MiB at 50 groups over 1,000,000 steps.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

# name -> the native, from (torch.optim.lr_scheduler, optimizer, N)
CASES: dict[str, Callable[[Any, Any, int], Any]] = {
    "CosineAnnealingLR(T_max=N), replay": lambda native, o, n: native.CosineAnnealingLR(o, T_max=n),
    "CosineAnnealingLR(T_max=N // 10, eta_min=1e-5), replay": lambda native, o, n: native.CosineAnnealingLR(
        o, T_max=n // 10, eta_min=1e-5
    ),
    "LinearLR(0.01, 1, total_iters=N), replay": lambda native, o, n: native.LinearLR(o, 0.01, 1.0, n),
}


def rss_mib(field: str = "VmRSS") -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def child(case: str, steps: int, groups: int) -> dict[str, Any]:
    import torch
    from torch.optim import lr_scheduler as native

    import lrparity
    from lrparity.backends.torch import from_native

    warnings.filterwarnings("ignore", message=re.escape("Detected call of `lr_scheduler.step()` before"))
    build = CASES[case]

    def make(o: torch.optim.Optimizer, n: int) -> Any:
        return build(native, o, n)

    def optimizer() -> torch.optim.Optimizer:
        params = [torch.nn.Parameter(torch.zeros(1)) for _ in range(groups)]
        return torch.optim.SGD([{"params": [p], "lr": 0.1 * (i + 1)} for i, p in enumerate(params)], momentum=0.9)

    t0 = time.perf_counter()
    ours = lrparity.torch_scheduler(from_native(make(optimizer(), steps), replay=True), optimizer())
    step = ours.step
    for _ in range(1000):
        step()
    before = rss_mib()
    for _ in range(steps - 1000):
        step()
    after = rss_mib()
    seconds = time.perf_counter() - t0
    nat = make(optimizer(), steps)
    for _ in range(steps):
        nat.step()
    assert ours.last_epoch == nat.last_epoch == steps
    assert ours.get_last_lr() == nat.get_last_lr(), "the replay is not bit-identical to the native"
    return {"before": before, "after": after, "peak": rss_mib("VmHWM"), "us": seconds / steps * 1e6}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1_000_000, help="steps per run (default 1,000,000)")
    parser.add_argument("--groups", type=int, default=50, help="param groups, distinct lrs (default 50)")
    parser.add_argument("-k", dest="only", default="", help="run only the cases whose name contains this text")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.steps, args.groups)))
        return
    import torch

    import lrparity

    print(
        f"torch {torch.__version__}, lrparity {lrparity.__version__}; {args.steps:,} steps, {args.groups} param "
        "groups with distinct lrs, one fresh process per case"
    )
    print()
    print("| case | RSS after 1,000 steps (MiB) | RSS growth to the end (MiB) | peak RSS (MiB) | µs/step | target |")
    print("|---|---:|---:|---:|---:|---:|")
    for case in CASES:
        if args.only not in case:
            continue
        cmd = [sys.executable, __file__, "--child", case, "--steps", str(args.steps), "--groups", str(args.groups)]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        print(
            f"| {case} | {r['before']:.1f} | {r['after'] - r['before']:+.1f} | {r['peak']:.1f} | {r['us']:.2f} "
            "| <= 16 MiB |",
            flush=True,
        )


if __name__ == "__main__":
    main()
