"""The command line's option checks and its user error: every check runs before anything is computed."""

from __future__ import annotations

import argparse
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "DPI_RANGE",
    "IMAGE_SIDE",
    "MAX_PIXELS",
    "MAX_STEPS",
    "CURVE_LOG_OPTIONS",
    "CliError",
    "add_curve_log_options",
    "check_curve_log",
    "check_image_output",
    "check_range",
    "check_writable",
    "curve_log_options",
    "write_curve_log",
]

MAX_STEPS = 20_000_000
"""Most steps a command evaluates (``--steps``, or a training run's ``epochs * steps_per_epoch``)."""

IMAGE_SIDE = (100, 20_000)
"""Allowed ``--width``/``--height`` of a plot, in pixels."""

MAX_PIXELS = 50_000_000
"""Largest plot, ``width * height`` in pixels (a 50-megapixel RGBA canvas takes 200 MB)."""

DPI_RANGE = (10, 1200)
"""Allowed ``--dpi``."""

_PLOT_EXTRA = "plotting needs matplotlib: pip install 'lrparity[plot]'"

CURVE_LOG_OPTIONS = (("--tensorboard", "tensorboard"), ("--visualdl", "visualdl"))
"""The curve-log options and their formats (:mod:`lrparity.curve_logs`)."""


class CliError(Exception):
    """A user error: printed as one line, exit status 2."""


def check_range(option: str, value: float | None, low: float, high: float | None = None) -> None:
    """Raise :class:`CliError` unless ``low <= value <= high`` (``None``: the option was not given)."""
    if value is None:
        return
    if isinstance(value, float) and not math.isfinite(value):
        raise CliError(f"{option} must be a finite number, got {value!r}")
    if value < low or (high is not None and value > high):
        allowed = f">= {low}" if high is None else f"in [{low}, {high}]"
        raise CliError(f"{option} must be {allowed}, got {value!r}")


def check_writable(path: str, option: str) -> None:
    """Fail now, not after a long run, if ``path`` cannot be written (the file is not left behind)."""
    p = Path(path)
    if p.is_dir():
        raise CliError(f"{option} {path}: is a directory")
    if not p.parent.is_dir():
        raise CliError(f"{option} {path}: folder {str(p.parent)!r} does not exist")
    existed = p.exists()
    try:
        with open(p, "ab"):
            pass
    except OSError as exc:
        raise CliError(f"{option} {path}: cannot be written ({exc.strerror or exc})") from None
    if not existed:
        p.unlink(missing_ok=True)


def check_image_output(path: str, option: str) -> str:
    """The image format ``path``'s extension names (one matplotlib can write), after checking it is writable.

    Raises :class:`CliError` when matplotlib is missing, the extension is missing or unknown to matplotlib, or
    the file cannot be written; all before anything is computed.
    """
    try:
        import matplotlib
    except ModuleNotFoundError as exc:
        raise CliError(_PLOT_EXTRA) from exc
    matplotlib.use("Agg", force=True)
    from matplotlib.backend_bases import FigureCanvasBase

    formats = FigureCanvasBase.get_supported_filetypes()
    ext = Path(path).suffix.lower().lstrip(".")
    listed = ", ".join(sorted(formats))
    if not ext:
        raise CliError(f"{option} {path}: give the image format as the file's extension (one of {listed})")
    if ext not in formats:
        raise CliError(f"{option} {path}: matplotlib cannot write .{ext} images (formats: {listed})")
    if ext == "pgf":
        import shutil

        tex = matplotlib.rcParams["pgf.texsystem"]
        if shutil.which(tex) is None:
            raise CliError(f"{option} {path}: .pgf needs {tex} (a TeX system), not installed; try .pdf or .svg")
    check_writable(path, option)
    return ext


def plot_curve(path: str, image_format: str | None, lrs: Any, title: str, xlabel: str) -> None:
    """Write one learning-rate curve (``lrs[i]`` at x = i) to ``path`` as a ``image_format`` image (matplotlib)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    fig, ax = plt.subplots(figsize=(10, 5), dpi=100)
    try:
        ax.plot(np.arange(len(lrs)), lrs, lw=1.2)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("learning rate")
        ax.set_title(title)
        ax.grid(alpha=0.3)
        fig.tight_layout()
        fig.savefig(path, format=image_format)
    finally:
        plt.close(fig)


# -- curve logs (TensorBoard / VisualDL) --------------------------------------------------------------------------
def add_curve_log_options(parser: argparse.ArgumentParser, what: str) -> None:
    """Add ``--tensorboard DIR`` and ``--visualdl DIR``: ``what`` (e.g. "each schedule", "each path") is logged as
    one run of scalars ``lr``, step = optimizer update (:mod:`lrparity.curve_logs`)."""
    parser.add_argument(
        "--tensorboard",
        default=None,
        metavar="DIR",
        help=f"also write {what}'s lr as TensorBoard scalars: one run per curve under DIR, tag 'lr', step = update "
        "(float64; needs lrparity[tensorboard])",
    )
    parser.add_argument(
        "--visualdl",
        default=None,
        metavar="DIR",
        help="the same for VisualDL (float32 scalars; needs lrparity[visualdl])",
    )


def curve_log_options(args: argparse.Namespace) -> list[tuple[str, str, str]]:
    """The curve logs asked for, as ``(option, format, DIR)``, each checked (writer installed, DIR writable)."""
    logs = []
    for option, fmt in CURVE_LOG_OPTIONS:
        logdir = getattr(args, option.lstrip("-"), None)
        if logdir is not None:
            check_curve_log(option, fmt, logdir)
            logs.append((option, fmt, logdir))
    return logs


def check_curve_log(option: str, fmt: str, logdir: str, labels: Sequence[str] | None = None) -> None:
    """Raise :class:`CliError` unless ``fmt`` logs of ``labels`` can be written under ``logdir`` (nothing written)."""
    from lrparity.curve_logs import check_log_dir

    try:
        check_log_dir(logdir, fmt, labels)
    except (ValueError, ImportError) as exc:
        raise CliError(f"{option} {logdir}: {exc}") from None


def write_curve_log(
    option: str, fmt: str, logdir: str, curves: Mapping[str, Any] | Sequence[tuple[str, Any]]
) -> list[Path]:
    """Write ``curves`` (``{label: values}`` or ``(label, values)`` pairs) as ``fmt`` scalars under ``logdir``;
    return the run directories."""
    from lrparity import curve_logs

    writer = curve_logs.write_tensorboard if fmt == "tensorboard" else curve_logs.write_visualdl
    try:
        return writer(logdir, curves)
    except (ValueError, OSError) as exc:
        raise CliError(f"{option} {logdir}: {exc}") from None
