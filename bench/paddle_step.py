"""Microseconds per ``scheduler.step()``: lrparity's paddle scheduler vs the native paddle scheduler.

Run: ``python bench/paddle_step.py [--steps N] [--repeat R]``. Each row times the same number of ``step()`` calls
on the native and on ``paddle_scheduler(from_native(native))`` (best of R repeats, interleaved) and prints the
ratio ours / native; the target is <= 1.2. Ours includes the amortised cost of filling its value blocks.
"""

from __future__ import annotations

import argparse
import platform
import timeit
import warnings

warnings.filterwarnings("ignore", message="No ccache found")

import paddle  # noqa: E402
from paddle.optimizer import lr as native  # noqa: E402

import lrparity  # noqa: E402

CASES = {
    "CosineAnnealingDecay(0.1, T_max=10**6)": lambda: native.CosineAnnealingDecay(0.1, T_max=10**6),
    "LinearWarmup(CosineAnnealingDecay, 1000, 0, 0.1)": lambda: native.LinearWarmup(
        native.CosineAnnealingDecay(0.1, T_max=10**6), warmup_steps=1000, start_lr=0.0, end_lr=0.1
    ),
    "OneCycleLR(0.1, total_steps=10**8)": lambda: native.OneCycleLR(0.1, total_steps=10**8),
}


def per_step_us(scheduler: object, steps: int, repeat: int) -> list[float]:
    step = scheduler.step  # type: ignore[attr-defined]
    return [t / steps * 1e6 for t in timeit.repeat(step, number=steps, repeat=repeat)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200_000, help="step() calls per timing (default 200000)")
    parser.add_argument("--repeat", type=int, default=7, help="timings per scheduler, best is kept (default 7)")
    args = parser.parse_args()
    print(
        f"paddle {paddle.__version__}, lrparity {lrparity.__version__}, Python {platform.python_version()}, "
        f"{platform.machine()}; {args.steps} steps x best of {args.repeat}"
    )
    print()
    print("| native scheduler | native µs/step | lrparity µs/step | ratio |")
    print("|---|---|---|---|")
    for name, make in CASES.items():
        nat = make()
        ours = lrparity.paddle_scheduler(lrparity.from_native(make()))
        best_native, best_ours = float("inf"), float("inf")
        for _ in range(args.repeat):  # interleave, so that machine noise hits both
            best_native = min(best_native, *per_step_us(nat, args.steps, 1))
            best_ours = min(best_ours, *per_step_us(ours, args.steps, 1))
        a, b = nat(), ours()  # the standalone native cosine is a recursion: equal to ~1e-15 relative, not bitwise
        assert nat.last_epoch == ours.last_epoch and abs(a - b) <= 1e-12 * abs(a), f"{name}: {a} vs {b}"
        print(f"| {name} | {best_native:.3f} | {best_ours:.3f} | {best_ours / best_native:.2f}x |")


if __name__ == "__main__":
    main()
