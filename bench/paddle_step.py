"""Microseconds per ``scheduler.step()``: lrparity's paddle scheduler vs the native paddle scheduler.

Run: ``python bench/paddle_step.py [--steps N] [--repeat R] [-k TEXT]``. Each row times R whole runs of N ``step()``
calls of the native and of ``paddle_scheduler(from_native(native))``, each run on a freshly built scheduler
(construction included; nothing is reused between runs), alternating native and ours; it prints the median µs/step
of each, the ratio of the medians ours / native and the ratio's range over the repeats. A standalone
``CosineAnnealingDecay`` or ``LinearLR`` converts to the core's exact replay of paddle's recursion
(``form="recursive"``), checked bit for bit against the native at the end of the last run. Target: ratio <= 0.5 for
the replays, <= 1.0 otherwise.
"""

from __future__ import annotations

import warnings

warnings.filterwarnings("ignore", message="No ccache found")

import paddle  # noqa: E402
from _timing import parse_args, print_header, time_whole_runs  # noqa: E402
from paddle.optimizer import lr as native  # noqa: E402

import lrparity  # noqa: E402

# name -> (native factory, replay)
CASES = {
    "CosineAnnealingDecay(0.1, T_max=10**6), replay": (lambda: native.CosineAnnealingDecay(0.1, T_max=10**6), True),
    "CosineAnnealingDecay(0.1, T_max=10**6, eta_min=1e-5), replay": (
        lambda: native.CosineAnnealingDecay(0.1, T_max=10**6, eta_min=1e-5),
        True,
    ),
    "LinearLR(0.1, total_steps=10**6, start_factor=0.01), replay": (
        lambda: native.LinearLR(0.1, total_steps=10**6, start_factor=0.01),
        True,
    ),
    "LinearWarmup(CosineAnnealingDecay, 1000, 0, 0.1)": (
        lambda: native.LinearWarmup(
            native.CosineAnnealingDecay(0.1, T_max=10**6), warmup_steps=1000, start_lr=0.0, end_lr=0.1
        ),
        False,
    ),
    "OneCycleLR(0.1, total_steps=10**8)": (lambda: native.OneCycleLR(0.1, total_steps=10**8), False),
}


def main() -> None:
    args = parse_args(__doc__, steps=200_000, repeat=5)
    columns = ["native scheduler", "native µs/step", "lrparity µs/step", "ratio", "range", "target"]
    print_header("paddle", paddle.__version__, args, columns, ["---"] + ["---:"] * 5)
    for name, (make, replay) in CASES.items():
        if args.only not in name:
            continue
        timing = time_whole_runs(
            make, lambda make=make: lrparity.paddle_scheduler(lrparity.from_native(make())), args.steps, args.repeat
        )
        nat, ours = timing.last
        a, b = nat(), ours()
        assert nat.last_epoch == ours.last_epoch, name
        if replay:
            assert a == b, f"{name}: the replay is not bit-identical to the native: {a} vs {b}"
        else:
            assert abs(a - b) <= 1e-12 * abs(a), f"{name}: {a} vs {b}"
        target = 0.5 if replay else 1.0
        print(
            f"| {name} | {timing.native_us:.3f} | {timing.ours_us:.3f} | {timing.ratio:.2f}x | {timing.spread()} | "
            f"<= {target:.1f}x |",
            flush=True,
        )


if __name__ == "__main__":
    main()
