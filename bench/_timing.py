"""Shared by the ``*_step.py`` benches: their command line and the interleaved best-of-R ``step()`` timing."""

from __future__ import annotations

import argparse
import platform
import timeit
from collections.abc import Callable

import lrparity


def parse_args(doc: str, steps: int, repeat: int) -> argparse.Namespace:
    """``--steps`` (step() calls per timing) and ``--repeat`` (timings per scheduler) with these defaults."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--steps", type=int, default=steps, help=f"step() calls per timing (default {steps})")
    parser.add_argument(
        "--repeat", type=int, default=repeat, help=f"timings per scheduler, best is kept (default {repeat})"
    )
    return parser.parse_args()


def print_header(framework: str, version: str, args: argparse.Namespace, columns: list[str], rules: list[str]) -> None:
    """The versions line and the Markdown table header (``rules``: each column's alignment rule, "---" or "---:")."""
    print(
        f"{framework} {version}, lrparity {lrparity.__version__}, Python {platform.python_version()}, "
        f"{platform.machine()}; {args.steps} steps x best of {args.repeat}"
    )
    print()
    print("| " + " | ".join(columns) + " |")
    print("|" + "|".join(rules) + "|")


def best_us_per_step(
    native: Callable[[], object], ours: Callable[[], object], steps: int, repeat: int
) -> tuple[float, float]:
    """Best of ``repeat`` timings of ``steps`` calls, in µs per call, for ``native`` and ``ours``; the timings are
    interleaved so that machine noise hits both."""
    best_native, best_ours = float("inf"), float("inf")
    for _ in range(repeat):
        best_native = min(best_native, timeit.timeit(native, number=steps) / steps * 1e6)
        best_ours = min(best_ours, timeit.timeit(ours, number=steps) / steps * 1e6)
    return best_native, best_ours
