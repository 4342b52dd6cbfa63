"""Learning-rate curves as TensorBoard and VisualDL scalars: one run per curve, step = optimizer update.

>>> from lrparity.curve_logs import write_tensorboard
>>> write_tensorboard("runs/lr", {"torch": torch_lrs, "paddle": paddle_lrs})  # doctest: +SKIP

writes ``runs/lr/torch/events.out.tfevents.*`` and ``runs/lr/paddle/...``: each curve is a run (a subdirectory, as
TensorBoard's and VisualDL's run selectors expect), its values the scalar ``lr`` at steps ``0, 1, 2, ...`` (value
``i`` is the lr of optimizer update ``i``). ``tensorboard --logdir runs/lr`` or ``visualdl --logdir runs/lr`` shows
them on one chart.

- :func:`write_tensorboard` writes with the ``tensorboard`` package's own event-file writer (no TensorFlow, no
  torch): each value is a float64 scalar tensor of the scalars plugin, so TensorBoard's readers give back the very
  doubles written.
- :func:`write_visualdl` writes with VisualDL's ``LogWriter``; VisualDL stores a scalar as a float32 (its record
  format has no double), so its readers give back ``float32(value)``.

Framework-neutral: numpy and the standard library; each writer is imported when called. A missing one raises an
ImportError naming the extra to install (``pip install 'lrparity[tensorboard]'`` / ``'lrparity[visualdl]'``).
Nothing is appended to an earlier log: a run directory that already holds event files of that format is refused
(two files with the same steps draw a zigzag).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["DEFAULT_TAG", "FORMATS", "check_log_dir", "run_names", "write_tensorboard", "write_visualdl"]

DEFAULT_TAG = "lr"
"""The scalar's tag (its name on the chart)."""

FORMATS: dict[str, tuple[str, str, str]] = {
    # format: (module to import, extra to install, what an event file's name starts with)
    "tensorboard": ("tensorboard", "tensorboard", "events.out.tfevents."),
    "visualdl": ("visualdl", "visualdl", "vdlrecords."),
}
"""The log formats: ``{name: (module, lrparity extra, event-file prefix)}``."""

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _require(fmt: str) -> Any:
    """Import the writer package of ``fmt``, or raise an ImportError naming the extra."""
    module, extra, _ = FORMATS[fmt]
    try:
        return __import__(module)
    except ImportError as exc:
        raise ImportError(
            f"writing {fmt} logs needs the {module} package: pip install 'lrparity[{extra}]' ({exc})"
        ) from exc


def run_names(labels: Sequence[str]) -> list[str]:
    """One directory name per label, in order: the label with every run of characters other than letters, digits,
    ``.``, ``_`` and ``-`` replaced by ``_`` (``catalogue:cosine`` -> ``catalogue_cosine``); a name already taken gets
    ``-2``, ``-3``, ... appended.

    Raises:
        ValueError: an empty label, or one that names no directory (``.``, ``..``).
    """
    names: list[str] = []
    for label in labels:
        name = _UNSAFE.sub("_", str(label)).strip("_") or "_"
        if not str(label).strip() or name in {".", ".."}:
            raise ValueError(f"run label {label!r}: cannot be a directory name (give the curve a name)")
        unique, k = name, 2
        while unique in names:
            unique, k = f"{name}-{k}", k + 1
        names.append(unique)
    return names


def check_log_dir(logdir: str | os.PathLike[str], fmt: str, labels: Sequence[str] | None = None) -> list[Path]:
    """Check, before anything is computed, that ``fmt`` logs can be written under ``logdir``; return the run dirs.

    The writer package must import, ``logdir`` must be a directory or creatable (its nearest existing ancestor a
    writable directory), and no run directory (one per label, :func:`run_names`) may already hold event files of
    ``fmt``. Creates nothing.

    Args:
        logdir: the log directory (TensorBoard's/VisualDL's ``--logdir``).
        fmt: ``"tensorboard"`` or ``"visualdl"``.
        labels: the curves' labels; None checks the directory only and returns ``[]``.

    Raises:
        ValueError: an unknown ``fmt``, a ``logdir`` that is a file or cannot be created or written, a run
            directory holding earlier event files, or a bad label.
        ImportError: the writer package is missing (the message names the extra to install).
    """
    if fmt not in FORMATS:
        raise ValueError(f"log format must be one of {sorted(FORMATS)}, got {fmt!r}")
    _require(fmt)
    root = Path(logdir)
    if root.exists() and not root.is_dir():
        raise ValueError(f"{fmt} log directory {str(root)!r}: is a file")
    existing = root
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise ValueError(f"{fmt} log directory {str(root)!r}: {str(existing)!r} is not a writable directory")
    if labels is None:
        return []
    prefix = FORMATS[fmt][2]
    runs = [root / name for name in run_names(labels)]
    for run, label in zip(runs, labels):
        if run.exists() and not run.is_dir():
            raise ValueError(f"{fmt} run directory {str(run)!r} (for {label!r}): is a file")
        earlier = sorted(p.name for p in run.glob(prefix + "*")) if run.is_dir() else []
        if earlier:
            raise ValueError(
                f"{fmt} run directory {str(run)!r} (for {label!r}) already holds {earlier[0]}: a second file with "
                "the same steps would draw a zigzag. Choose another directory or delete the earlier logs"
            )
    return runs


Curves = Mapping[str, Any] | Sequence[tuple[str, Any]]
"""``{label: values}``, or ``(label, values)`` pairs (labels may repeat: each pair is a run)."""


def _curves(curves: Curves) -> list[tuple[str, np.ndarray]]:
    pairs = list(curves.items()) if isinstance(curves, Mapping) else list(curves) if curves is not None else []
    if not pairs or not all(isinstance(p, tuple) and len(p) == 2 for p in pairs):
        raise ValueError(
            f"curves must be a non-empty mapping {{label: values}} or (label, values) pairs, got {curves!r}"
        )
    out = []
    for label, values in pairs:
        try:
            array = np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"curve {label!r}: values must be numbers ({exc})") from None
        if array.ndim != 1:
            raise ValueError(f"curve {label!r}: values must be one-dimensional (one per update), got {array.shape}")
        out.append((str(label), array))
    return out


def write_tensorboard(logdir: str | os.PathLike[str], curves: Curves, *, tag: str = DEFAULT_TAG) -> list[Path]:
    """Write each curve as TensorBoard scalars: run ``logdir/<label>``, tag ``tag``, value ``i`` at step ``i``.

    Values are float64 scalar tensors of TensorBoard's scalars plugin (what ``tensorboard.summary`` writes, without
    its float32 cast): TensorBoard's ``EventAccumulator``/``EventMultiplexer`` read them back bit for bit.

    Args:
        logdir: the log directory; created if missing.
        curves: ``{label: values}`` or ``(label, values)`` pairs, values one per optimizer update (update ``i`` is
            step ``i``); each is a run ``logdir/<name>`` (:func:`run_names`).
        tag: the scalar's name.

    Returns:
        The run directories, in the order of ``curves``.

    Raises:
        ImportError: the ``tensorboard`` package is missing (``pip install 'lrparity[tensorboard]'``).
        ValueError: see :func:`check_log_dir`; curves that are not 1-D numbers.
    """
    data = _curves(curves)
    runs = check_log_dir(logdir, "tensorboard", [label for label, _ in data])
    from tensorboard.compat.proto import event_pb2, summary_pb2, tensor_pb2, tensor_shape_pb2, types_pb2
    from tensorboard.plugins.scalar import metadata
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    for run, (label, values) in zip(runs, data):
        writer = EventFileWriter(str(run), max_queue_size=1024, flush_secs=3600)
        try:
            event = event_pb2.Event(wall_time=time.time())
            item = event.summary.value.add(tag=tag)
            item.tensor.CopyFrom(
                tensor_pb2.TensorProto(
                    dtype=types_pb2.DT_DOUBLE, tensor_shape=tensor_shape_pb2.TensorShapeProto(), double_val=[0.0]
                )
            )
            item.metadata.CopyFrom(  # a series' metadata is read from its first point only
                metadata.create_summary_metadata(
                    display_name=tag, description=f"{label}: learning rate at each optimizer update (lrparity)"
                )
            )
            item.metadata.data_class = summary_pb2.DATA_CLASS_SCALAR
            doubles = item.tensor.double_val
            for step, value in enumerate(values.tolist()):
                event.step = step
                doubles[0] = value
                writer.add_event(event)  # serialized at once: the one event is reused
                if step == 0:
                    item.ClearField("metadata")
        finally:
            writer.close()
    return runs


def write_visualdl(logdir: str | os.PathLike[str], curves: Curves, *, tag: str = DEFAULT_TAG) -> list[Path]:
    """Write each curve as VisualDL scalars: run ``logdir/<label>``, tag ``tag``, value ``i`` at step ``i``.

    VisualDL's record format stores a scalar as a float32: its ``LogReader`` gives back ``float32(value)``.

    Args:
        logdir: the log directory; created if missing.
        curves: ``{label: values}`` or ``(label, values)`` pairs, values one per optimizer update (update ``i`` is
            step ``i``); each is a run ``logdir/<name>`` (:func:`run_names`).
        tag: the scalar's name (VisualDL refuses ``%`` in it).

    Returns:
        The run directories, in the order of ``curves``.

    Raises:
        ImportError: the ``visualdl`` package is missing (``pip install 'lrparity[visualdl]'``).
        ValueError: see :func:`check_log_dir`; curves that are not 1-D numbers; a ``%`` in ``tag``.
    """
    if "%" in tag:
        raise ValueError(f"tag {tag!r}: VisualDL refuses '%' in a tag")
    data = _curves(curves)
    runs = check_log_dir(logdir, "visualdl", [label for label, _ in data])
    from visualdl import LogWriter

    for run, (label, values) in zip(runs, data):
        walltime = round(time.time() * 1000)
        with LogWriter(logdir=str(run), max_queue=1024, flush_secs=3600, display_name=label) as writer:
            for step, value in enumerate(values.tolist()):
                writer.add_scalar(tag=tag, value=value, step=step, walltime=walltime)
    return runs
