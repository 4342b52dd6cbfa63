"""Shared by the ``*_step.py`` benches: their command line and the timing of whole runs on fresh schedulers.

A timing is one *whole run*: build a fresh scheduler (and its optimizer), then call ``step()`` N times. Nothing is
reused between runs, so a cache that the first run filled cannot flatter the next one. The native's run and ours
alternate (native first on even repeats, ours first on odd ones) so that machine noise hits both, and the table
reports the median of the repeats with the spread of the ratio over the repeats.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import lrparity


def parse_args(doc: str, steps: int, repeat: int, groups: tuple[int, ...] = ()) -> argparse.Namespace:
    """``--steps`` (step() calls per run), ``--repeat`` (runs per scheduler) and, where given, ``--groups``."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--steps", type=int, default=steps, help=f"step() calls per run (default {steps:,})")
    parser.add_argument(
        "--repeat", type=int, default=repeat, help=f"whole runs per scheduler, fresh each time (default {repeat})"
    )
    if groups:
        default = ",".join(map(str, groups))
        parser.add_argument("--groups", default=default, help=f"param-group counts, comma-separated ({default})")
    parser.add_argument("-k", dest="only", default="", help="run only the cases whose name contains this text")
    args = parser.parse_args()
    if groups:
        args.groups = tuple(int(g) for g in args.groups.split(","))
    return args


def print_header(framework: str, version: str, args: argparse.Namespace, columns: list[str], rules: list[str]) -> None:
    """The versions line and the Markdown table header (``rules``: each column's alignment rule, "---" or "---:")."""
    print(
        f"{framework} {version}, lrparity {lrparity.__version__}, Python {platform.python_version()}, "
        f"{platform.machine()}; whole runs of {args.steps:,} steps on a fresh scheduler, median of {args.repeat}"
    )
    print()
    print("| " + " | ".join(columns) + " |")
    print("|" + "|".join(rules) + "|")


@dataclass
class Timing:
    """µs per ``step()`` of whole runs: the median over the repeats, and the ratio ours / native."""

    native_us: float
    ours_us: float
    ratios: list[float]
    last: tuple[Any, Any]
    """The last run's (native, ours) schedulers, for checking their values after the run."""

    @property
    def ratio(self) -> float:
        return self.ours_us / self.native_us

    def spread(self) -> str:
        """The ratio's range over the repeats (each repeat: ours / native of that repeat)."""
        return f"{min(self.ratios):.2f}-{max(self.ratios):.2f}"


def _whole_run(make: Callable[[], Any], steps: int) -> tuple[float, Any]:
    """Seconds to build a scheduler with ``make()`` and call its ``step()`` ``steps`` times."""
    t0 = time.perf_counter()
    scheduler = make()
    step = scheduler.step
    for _ in range(steps):
        step()
    return time.perf_counter() - t0, scheduler


def time_whole_runs(native: Callable[[], Any], ours: Callable[[], Any], steps: int, repeat: int) -> Timing:
    """Median µs per step over ``repeat`` whole runs of ``steps`` steps, each on a scheduler ``native()`` /
    ``ours()`` builds afresh (construction included, as a training run pays it)."""
    _whole_run(native, min(steps, 1000))  # untimed: imports, first calls, the thread pool's start
    _whole_run(ours, min(steps, 1000))
    times_native, times_ours, ratios = [], [], []
    last: tuple[Any, Any] = (None, None)
    for r in range(repeat):
        if r % 2 == 0:
            tn, sn = _whole_run(native, steps)
            to, so = _whole_run(ours, steps)
        else:
            to, so = _whole_run(ours, steps)
            tn, sn = _whole_run(native, steps)
        times_native.append(tn / steps * 1e6)
        times_ours.append(to / steps * 1e6)
        ratios.append(to / tn)
        last = (sn, so)
    return Timing(statistics.median(times_native), statistics.median(times_ours), ratios, last)
