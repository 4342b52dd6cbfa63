"""Comparing lr sequences, printing the parity table, a progress bar and the optional plot."""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO, Any

import numpy as np

__all__ = ["Diff", "Progress", "compare", "differences", "format_table", "plot", "table_steps"]


@dataclass(frozen=True)
class Diff:
    """How a sequence ``got`` differs from ``expected``.

    Attributes:
        steps: number of steps compared.
        max_abs: max |got - expected|.
        max_rel: max |got - expected| / max(|got|, |expected|) (0 where both are 0).
        n_diff: number of steps that are not bit-identical.
        first: first step that is not bit-identical (None if none).
        expected / got: the two values at ``first``.
        rtol: the tolerance used; ``ok`` is ``max_rel <= rtol`` (``n_diff == 0`` when rtol is 0).
    """

    steps: int
    max_abs: float
    max_rel: float
    n_diff: int
    first: int | None
    expected: float | None
    got: float | None
    rtol: float = 0.0

    @property
    def ok(self) -> bool:
        return self.n_diff == 0 if self.rtol == 0 else bool(self.max_rel <= self.rtol)

    @property
    def identical(self) -> bool:
        return self.n_diff == 0

    def describe(self) -> str:
        if self.first is None:
            return f"bit-identical over {self.steps} steps"
        return (
            f"first differing step {self.first}: expected {self.expected!r}, got {self.got!r} "
            f"({self.n_diff}/{self.steps} steps differ, max abs {self.max_abs:.3g}, max rel {self.max_rel:.3g}, "
            f"allowed rel {self.rtol:.3g})"
        )


def compare(expected: np.ndarray, got: np.ndarray, rtol: float = 0.0) -> Diff:
    """Compare two lr sequences step by step (the shorter length is compared; NaNs count as equal to NaN)."""
    n = min(len(expected), len(got))
    a = np.asarray(expected[:n], dtype=np.float64)
    b = np.asarray(got[:n], dtype=np.float64)
    same = (a.view(np.uint64) == b.view(np.uint64)) | (a == b) | (np.isnan(a) & np.isnan(b))
    n_diff = int(n - np.count_nonzero(same))
    if n_diff == 0:
        return Diff(n, 0.0, 0.0, 0, None, None, None, rtol)
    with np.errstate(all="ignore"):
        d = np.where(same, 0.0, np.abs(a - b))
        scale = np.maximum(np.abs(a), np.abs(b))
        rel = np.where(same, 0.0, np.where(scale > 0, d / scale, 0.0))
    first = int(np.argmin(same))
    max_abs = float(np.nanmax(d)) if np.isfinite(d).any() else float("inf")
    max_rel = float(np.nanmax(rel)) if np.isfinite(rel).any() else float("inf")
    return Diff(n, max_abs, max_rel, n_diff, first, float(a[first]), float(b[first]), rtol)


def differences(ours: np.ndarray, ref: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(|ours - ref|, that relative to |ref|)`` step by step (relative: 0 where both are equal, inf where only
    ``ref`` is 0), for the tables that set lrparity's values beside a reference's."""
    diff = np.abs(ours - ref)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(ref != 0, diff / np.abs(ref), np.where(diff == 0, 0.0, np.inf))
    return diff, rel


def table_steps(n: int, weight: np.ndarray, rows: int) -> list[int]:
    """``rows`` of the ``n`` steps for a table, sorted: the largest ``weight`` (a difference), the ends, the middle
    and quarters, then evenly spaced."""
    order = [int(np.argmax(weight)) if n else 0, 0, n - 1, 1, n // 2, n // 4, (3 * n) // 4, n - 2]
    order += [int(k) for k in np.linspace(0, n - 1, num=min(rows, n))]
    chosen: list[int] = []
    for k in order:
        if 0 <= k < n and k not in chosen:
            chosen.append(k)
        if len(chosen) == rows:
            break
    return sorted(chosen)


class Progress:
    """A one-line progress bar on stderr (only when it is a terminal, or when ``force``)."""

    def __init__(self, total: int, label: str = "", stream: IO[str] | None = None, force: bool = False) -> None:
        self.total = max(int(total), 1)
        self.done = 0
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = force or bool(getattr(self.stream, "isatty", lambda: False)())
        self._last = 0.0

    def update(self, done: int, label: str | None = None) -> None:
        self.done = min(int(done), self.total)
        if label is not None:
            self.label = label
        now = time.monotonic()
        if not self.enabled or (now - self._last < 0.1 and self.done < self.total):
            return
        self._last = now
        width = 30
        filled = int(width * self.done / self.total)
        pct = 100 * self.done / self.total
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {pct:5.1f}% {self.label[:40]:<40}")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * 80 + "\r")
            self.stream.flush()


def format_table(rows: list[Mapping[str, Any]]) -> str:
    """A fixed-width table of rows with keys backend, steps, max_abs, max_rel, first, status."""
    header = ("backend", "steps", "max abs diff", "max rel diff", "first diff step", "status")
    lines = []
    for r in rows:
        if r.get("diff") is None:
            lines.append((r["backend"], "-", "-", "-", "-", r["status"]))
            continue
        d: Diff = r["diff"]
        lines.append(
            (
                r["backend"],
                str(d.steps),
                f"{d.max_abs:.3g}",
                f"{d.max_rel:.3g}",
                "-" if d.first is None else str(d.first),
                r["status"],
            )
        )
    widths = [max(len(header[i]), *(len(line[i]) for line in lines)) if lines else len(header[i]) for i in range(6)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [fmt.format(*header), fmt.format(*("-" * w for w in widths))]
    out += [fmt.format(*line) for line in lines]
    return "\n".join(line.rstrip() for line in out)


def plot(
    curves: Mapping[str, np.ndarray],
    reference: str,
    path: str,
    title: str = "",
    compared_with: Mapping[str, tuple[str, np.ndarray]] | None = None,
) -> None:
    """PNG of the lr curves (top) and of each curve's difference to what it must equal (bottom).

    That is ``curves[reference]``, unless ``compared_with`` names the curve: then ``(label, values)``, e.g.
    ``("float32(core)", core.astype(np.float32))`` for a float32 static-graph lr variable, so that the float32
    rounding of the reference is not drawn as a difference.
    """
    compared_with = compared_with or {}
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("--plot needs matplotlib: pip install 'lrparity[plot]'") from None
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 7), sharex=True)
    for name, values in curves.items():
        top.plot(np.arange(len(values)), values, label=name, linewidth=1)
        if name != reference:
            ref_label, ref = compared_with.get(name, (reference, curves[reference]))
            n = min(len(ref), len(values))
            diff = values[:n] - np.asarray(ref[:n], dtype=np.float64)
            bottom.plot(np.arange(n), diff, label=f"{name} - {ref_label}", linewidth=1)
    top.set_ylabel("learning rate")
    top.set_title(title)
    top.legend(fontsize=8)
    bottom.set_ylabel("difference to the expected lr")
    bottom.set_xlabel("step")
    bottom.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
