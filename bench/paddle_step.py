"""Microseconds per ``scheduler.step()``: lrparity's paddle scheduler vs the native paddle scheduler.

Run: ``python bench/paddle_step.py [--steps N] [--repeat R]``. Each row times the same number of ``step()`` calls
on the native and on ``paddle_scheduler(from_native(native))`` (best of R repeats, interleaved) and prints the
ratio ours / native; the target is <= 1.2. Ours includes the amortised cost of filling its value blocks.
"""

from __future__ import annotations

import warnings

warnings.filterwarnings("ignore", message="No ccache found")

import paddle  # noqa: E402
from _timing import best_us_per_step, parse_args, print_header  # noqa: E402
from paddle.optimizer import lr as native  # noqa: E402

import lrparity  # noqa: E402

CASES = {
    "CosineAnnealingDecay(0.1, T_max=10**6)": lambda: native.CosineAnnealingDecay(0.1, T_max=10**6),
    "LinearWarmup(CosineAnnealingDecay, 1000, 0, 0.1)": lambda: native.LinearWarmup(
        native.CosineAnnealingDecay(0.1, T_max=10**6), warmup_steps=1000, start_lr=0.0, end_lr=0.1
    ),
    "OneCycleLR(0.1, total_steps=10**8)": lambda: native.OneCycleLR(0.1, total_steps=10**8),
}


def main() -> None:
    args = parse_args(__doc__, steps=200_000, repeat=7)
    columns = ["native scheduler", "native µs/step", "lrparity µs/step", "ratio"]
    print_header("paddle", paddle.__version__, args, columns, ["---"] * 4)
    for name, make in CASES.items():
        nat = make()
        ours = lrparity.paddle_scheduler(lrparity.from_native(make()))
        best_native, best_ours = best_us_per_step(nat.step, ours.step, args.steps, args.repeat)
        a, b = nat(), ours()  # the standalone native cosine is a recursion: equal to ~1e-15 relative, not bitwise
        assert nat.last_epoch == ours.last_epoch and abs(a - b) <= 1e-12 * abs(a), f"{name}: {a} vs {b}"
        print(f"| {name} | {best_native:.3f} | {best_ours:.3f} | {best_ours / best_native:.2f}x |")


if __name__ == "__main__":
    main()
