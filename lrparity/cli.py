"""The ``lrparity`` console script: show, plot and tabulate schedules, list the bundled examples.

``lrparity show warmup_cosine``, ``lrparity plot one_cycle step -o lr.png``, ``lrparity table piecewise
--steps 1000 --every 100 --format md``, ``lrparity list``. A schedule is given as a config file (YAML or JSON,
the format of ``schedule.to_config()``), a PaddleOCR config (a file with PaddleOCR's top-level sections, whose
``Optimizer`` block needs ``--steps-per-epoch``) or the name of a bundled example (``lrparity list``). Every
file is read by :func:`lrparity.core.config_files.read_config_file` (plain data; nothing in it is executed).

The ``parity`` and ``ppocr`` subcommands are added by :mod:`lrparity.parity.cli` and :mod:`lrparity.ppocr.cli`
when those modules are installed. Errors print one line (``lrparity: error: ...``) and exit with status 2;
``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import io
import json
import math
import os
import sys
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lrparity.core.config_files import read_config_file

__all__ = [
    "EXAMPLES_DIR",
    "MAX_STEPS",
    "CliError",
    "Loaded",
    "check_image_output",
    "check_range",
    "check_writable",
    "example_names",
    "is_ppocr_config",
    "load_schedule",
    "main",
    "resolve_config",
]

EXAMPLES_DIR = Path(__file__).resolve().parent / "examples"
"""Folder of the bundled examples (``lrparity/examples/<name>.yaml`` or ``.yml``)."""

MAX_STEPS = 20_000_000
"""Most steps a command evaluates (``--steps``, or a PaddleOCR run's ``epochs * steps_per_epoch``)."""

IMAGE_SIDE = (100, 20_000)
"""Allowed ``--width``/``--height`` of a plot, in pixels."""

MAX_PIXELS = 50_000_000
"""Largest plot, ``width * height`` in pixels (a 50-megapixel RGBA canvas takes 200 MB)."""

DPI_RANGE = (10, 1200)
"""Allowed ``--dpi``."""

PPOCR_SECTIONS = ("Global", "Optimizer", "Architecture", "Loss", "Train", "Eval", "PostProcess", "Metric")
"""Top-level sections of a PaddleOCR training config; a mapping with one of them (and no ``type``) is one."""

_SUFFIXES = (".yaml", ".yml", ".json")
_PLUGINS = (("parity", "lrparity.parity.cli"), ("ppocr", "lrparity.ppocr.cli"))
_PLOT_EXTRA = "plotting needs matplotlib: pip install 'lrparity[plot]'"


class CliError(Exception):
    """A user error: printed as one line, exit status 2."""


# -- examples, files and option checks ------------------------------------------------------------------------
def example_names() -> list[str]:
    """Names of the bundled examples, sorted."""
    if not EXAMPLES_DIR.is_dir():
        return []
    return sorted(p.stem for p in EXAMPLES_DIR.iterdir() if p.suffix in _SUFFIXES)


def _example_path(name: str) -> Path | None:
    for suffix in _SUFFIXES:
        path = EXAMPLES_DIR / f"{name}{suffix}"
        if path.is_file():
            return path
    return None


def _description(path: Path) -> str:
    """The first comment line of a bundled example."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            return line.lstrip("#").strip()
        if line.strip():
            break
    return ""


def _close_example(spec: str, extra: list[str] | None = None) -> str:
    import difflib

    stem = Path(spec).stem if Path(spec).suffix.lower() in _SUFFIXES else spec
    close = difflib.get_close_matches(stem, [*example_names(), *(extra or [])], n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def resolve_config(spec: str) -> tuple[str, Path]:
    """``(label, path)`` of a CONFIG argument: an existing path, or the name of a bundled example.

    A spec that exists, or that looks like a path (a folder separator or a .yaml/.yml/.json suffix), is a file:
    the reader then reports what is wrong with it (missing, a directory, ...), naming it. Anything else must be
    a bundled example name.
    """
    path = Path(spec)
    example = _example_path(spec)
    looks_like_path = os.sep in spec or "/" in spec or path.suffix.lower() in _SUFFIXES
    if path.is_file() or (path.exists() and example is None):
        return path.stem, path
    if example is not None:
        return spec, example
    if looks_like_path:
        raise CliError(f"{spec}: no such file{_close_example(spec)}")
    names = example_names()
    raise CliError(
        f"{spec!r} is neither a config file nor a bundled example{_close_example(spec)} (examples: {', '.join(names)})"
    )


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


def is_ppocr_config(data: Any) -> bool:
    """Whether ``data`` (a file's content) is a PaddleOCR training config rather than a schedule config."""
    return isinstance(data, Mapping) and "type" not in data and any(k in data for k in PPOCR_SECTIONS)


# -- loading --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Loaded:
    """A schedule read from the command line, with what the commands print about it.

    ``length`` is the training run for a PaddleOCR config (``epochs * steps_per_epoch``), else the schedule's
    nominal length; ``notes`` are PaddleOCR's warnings (ignored keys, silent defaults, a warmup longer than the
    run).
    """

    label: str
    source: str
    schedule: Any
    base_lr: float | None
    length: int | None
    steps_per_epoch: int | None = None
    epochs: int | None = None
    notes: tuple[str, ...] = ()

    @property
    def is_run(self) -> bool:
        """A PaddleOCR training run: its curve ends where the training loop ends."""
        return self.epochs is not None


def _load_ppocr(label: str, path: Path, steps_per_epoch: int | None, epochs: int | None) -> Loaded:
    try:
        from lrparity.ppocr import build_lr
        from lrparity.ppocr.cli import read_training_config
    except ModuleNotFoundError as exc:
        if exc.name not in ("lrparity.ppocr", "lrparity.ppocr.cli", None):
            raise
        raise CliError("reading PaddleOCR configs needs lrparity.ppocr, missing in this install") from exc
    optimizer_cfg, epochs = read_training_config(path, epochs)
    if steps_per_epoch is None:
        raise CliError(
            f"{path} is a PaddleOCR config: give --steps-per-epoch N (batches per epoch per card, "
            "len(train_dataloader)); `lrparity ppocr` compares it with PaddleOCR's own Paddle schedulers"
        )
    total = epochs * steps_per_epoch
    if total > MAX_STEPS:
        raise CliError(
            f"{path}: the run is {total} steps ({epochs} epochs x {steps_per_epoch}); lrparity evaluates at most "
            f"{MAX_STEPS} steps"
        )
    build = build_lr(optimizer_cfg, epochs, steps_per_epoch)
    return Loaded(label, str(path), build.schedule, None, build.total_steps, steps_per_epoch, epochs, build.warnings)


def load_schedule(
    spec: str, *, steps_per_epoch: int | None = None, epochs: int | None = None, base_lr: float | None = None
) -> Loaded:
    """Read ``spec``: a config file path, a PaddleOCR config path or a bundled example name.

    A PaddleOCR config is read again as PaddleOCR reads it (YAML 1.1 floats: ``1e-4`` is a string), so that
    lrparity sees the values PaddleOCR sees.
    """
    from lrparity.core import from_config

    label, path = resolve_config(spec)
    data = read_config_file(path)
    if is_ppocr_config(data):
        return _load_ppocr(label, path, steps_per_epoch, epochs)
    if not isinstance(data, Mapping):
        raise CliError(f"{path}: expected a schedule config (a mapping with a 'type' key), got a {type(data).__name__}")
    schedule = from_config(data, _where=str(path))
    if not hasattr(schedule, "values"):
        raise CliError(f"{path}: {type(schedule).__name__} is not a schedule (it needs metrics; nothing to plot)")
    return Loaded(label, str(path), schedule, base_lr, schedule.length, steps_per_epoch, epochs)


def _restarts(schedule: Any) -> tuple[Any, int] | None:
    """The periodic schedule (CosineRestarts, Cyclic) that drives ``schedule``, and the step its cycles start at."""
    from lrparity.core import CosineRestarts, Cyclic, Noise, PerGroup, Warmup, WithBaseLR

    offset = 0
    while True:
        if isinstance(schedule, (CosineRestarts, Cyclic)):
            return schedule, offset
        if isinstance(schedule, (WithBaseLR, Noise)):
            schedule = schedule.schedule
        elif isinstance(schedule, Warmup):
            offset += schedule.warmup_steps if schedule.mode == "prefix" else 0
            schedule = schedule.schedule
        elif isinstance(schedule, PerGroup):
            schedule = schedule.schedules[0]
        else:
            return None


def _cycle_ends(restarts: Any, count: int) -> list[int]:
    """Steps at which the first ``count`` cycles of a CosineRestarts end (each one a restart)."""
    ends, start, length = [], 0, restarts.T_0
    for _ in range(count):
        start += length
        ends.append(start)
        length *= restarts.T_mult
    return ends


def _default_steps(loaded: Loaded) -> int:
    if loaded.is_run:  # a PaddleOCR run: exactly the steps its training loop takes
        return loaded.length or 1
    periodic = _restarts(loaded.schedule)
    if periodic is not None and type(periodic[0]).__name__ == "CosineRestarts":
        cosine, offset = periodic
        if cosine.cycle_limit is None:  # three cycles, so that the restarts show
            return min(MAX_STEPS, max(2, round((offset + _cycle_ends(cosine, 3)[-1]) * 1.1)))
    if loaded.length is None or loaded.length <= 0:
        return 1000
    steps = min(MAX_STEPS, max(2, round(loaded.length * 1.1)))
    try:  # schedules that refuse to go past their end (OneCycle after_end="raise") stop at their length
        loaded.schedule.value(steps - 1)
    except ValueError:
        return loaded.length + 1 if _defined_at(loaded, loaded.length) else loaded.length
    return steps


def _defined_at(loaded: Loaded, step: int) -> bool:
    try:
        loaded.schedule.value(step)
    except ValueError:
        return False
    return True


def _values(loaded: Loaded, steps: int, *, clip: bool = False) -> np.ndarray:
    """Values at steps ``0..steps-1``; with ``clip``, a curve stops where it ends (a PaddleOCR run at its last
    step, a schedule that refuses to go further at its length)."""
    schedule = loaded.schedule
    if clip and loaded.is_run and loaded.length is not None:
        steps = min(steps, loaded.length)
    elif clip and loaded.length is not None and not _defined_at(loaded, steps - 1):
        steps = min(steps, loaded.length + 1 if _defined_at(loaded, loaded.length) else loaded.length)
    if type(schedule).__name__ == "OneCycle" and getattr(schedule, "after_end", "") == "raise":
        total = schedule.total_steps
        if steps > total + 1:
            raise CliError(
                f"{loaded.label}: OneCycle with after_end='raise' is defined for steps 0..{total} only "
                f"(both natives raise past it); use --steps {total + 1} or less"
            )
    return schedule.values(range(steps), loaded.base_lr)


def _warmup_end(schedule: Any) -> int | None:
    from lrparity.core import Warmup, WithBaseLR

    while isinstance(schedule, WithBaseLR):
        schedule = schedule.schedule
    if isinstance(schedule, Warmup):
        return int(schedule.warmup_steps)
    return None


def _length_text(loaded: Loaded) -> str:
    """What "length" means for this schedule, in words a reader can check against the curve."""
    if loaded.is_run:
        run = f"{loaded.length} steps (the training run: {loaded.epochs} epochs x {loaded.steps_per_epoch} steps"
        if _restarts(loaded.schedule) is not None:
            return run + ")"
        return run + f"; the schedule's own length: {loaded.schedule.length})"
    schedule, length = loaded.schedule, loaded.length
    periodic = _restarts(schedule)
    if periodic is not None:
        inner, _ = periodic
        if type(inner).__name__ == "Cyclic":
            return f"unbounded: cycles forever ({inner.length} steps is one cycle)"
        if inner.cycle_limit is None:
            return f"unbounded: warm restarts forever ({inner.T_0} steps is the first cycle)"
        return f"{length} steps ({inner.cycle_limit} cycles, then eta_min = {inner.eta_min!r})"
    if type(schedule).__name__ == "Noam" or type(getattr(schedule, "schedule", None)).__name__ == "Noam":
        return f"unbounded: peaks at step {length} (warmup_steps), then decays as 1/sqrt(step)"
    return f"{length} steps" if length is not None else "unbounded"


def _restarts_text(schedule: Any) -> str | None:
    periodic = _restarts(schedule)
    if periodic is None:
        return None
    inner, offset = periodic
    at = f" (after the {offset}-step warmup)" if offset else ""
    if type(inner).__name__ == "Cyclic":
        down = inner.step_size_down if inner.step_size_down is not None else inner.step_size_up
        return f"a cycle every {inner.length} steps{at}: {inner.step_size_up!r} up, {down!r} down, mode {inner.mode}"
    if inner.cycle_limit is None:
        count, tail = 4, ", ..."
    else:
        count, tail = min(inner.cycle_limit, 4), (", ..." if inner.cycle_limit > 4 else "")
    ends = _cycle_ends(inner, count)
    lengths = ", ".join(str(inner.T_0 * inner.T_mult**i) for i in range(count))
    restarts = ends if inner.cycle_limit is None or inner.cycle_limit > count else ends[:-1]
    text = (
        f"cycles of {lengths}{tail} steps (T_0={inner.T_0}, T_mult={inner.T_mult}); restarts at steps "
        f"{', '.join(str(offset + e) for e in restarts) or 'none'}{tail if restarts else ''}{at}"
    )
    if inner.cycle_limit is not None:
        text += f"; eta_min from step {offset + inner.length}"
    return text


def _load_all(args: argparse.Namespace, specs: list[str]) -> list[Loaded]:
    check_range("--steps-per-epoch", args.steps_per_epoch, 1, MAX_STEPS)
    check_range("--epochs", args.epochs, 1, MAX_STEPS)
    check_range("--base-lr", args.base_lr, 0.0)
    loaded = [
        load_schedule(s, steps_per_epoch=args.steps_per_epoch, epochs=args.epochs, base_lr=args.base_lr) for s in specs
    ]
    if args.base_lr is not None:
        absolute = [x.label for x in loaded if not getattr(x.schedule, "uses_base_lr", False)]
        if len(absolute) == len(loaded):
            raise CliError(
                f"--base-lr {args.base_lr!r}: {', '.join(absolute)} pins its own lr (an absolute schedule); "
                "--base-lr sets the base of relative schedules only"
            )
        for label in absolute:
            print(f"lrparity: note: --base-lr does not apply to {label} (absolute schedule)", file=sys.stderr)
    return loaded


def _print_notes(loaded: list[Loaded]) -> None:
    for x in loaded:
        for note in x.notes:
            print(f"lrparity: warning: {x.label}: {note}", file=sys.stderr)


def _fmt(x: float) -> str:
    return repr(float(x))


# -- commands -------------------------------------------------------------------------------------------------
def _cmd_list(args: argparse.Namespace) -> int:
    names = example_names()
    width = max((len(n) for n in names), default=0)
    print("Bundled examples (use the name wherever a CONFIG is expected):")
    for name in names:
        path = _example_path(name)
        assert path is not None
        print(f"  {name:<{width}}  {_description(path)}")
    from lrparity.core import REGISTRY

    print("\nSchedule types for config files ({'type': NAME, ...}; see the docs for each):")
    for name, cls in REGISTRY.items():
        doc = (cls.__doc__ or "").strip().split("\n\n")[0]
        first = " ".join(doc.split()).split(". ")[0].rstrip(".").replace("``", "")
        first = first if len(first) <= 90 else first[:87] + "..."
        print(f"  {name:<14} {first}")
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    check_range("--steps", args.steps, 1, MAX_STEPS)
    (loaded,) = _load_all(args, [args.config])
    steps = args.steps or _default_steps(loaded)
    values = _values(loaded, steps)
    schedule = loaded.schedule
    rows: list[tuple[str, str]] = [
        ("source", loaded.source),
        ("type", type(schedule).__name__ + f" ({schedule.to_config()['type']})"),
        ("config", json.dumps(schedule.to_config(), sort_keys=False)),
    ]
    if getattr(schedule, "uses_base_lr", False):
        base = 1.0 if loaded.base_lr is None else loaded.base_lr
        rows.append(("base lr", f"{_fmt(base)} (relative schedule; --base-lr sets it)"))
    else:
        rows.append(("base lr", "pinned by the schedule (absolute values)"))
    if loaded.is_run:
        rows.append(("epochs", f"{loaded.epochs} x {loaded.steps_per_epoch} steps per epoch"))
    rows.append(("length", _length_text(loaded)))
    restarts = _restarts_text(schedule)
    if restarts is not None:
        rows.append(("restarts", restarts))
    warm = _warmup_end(schedule)
    rows.append(("warmup ends", f"step {warm}" if warm is not None else "no warmup"))
    rows.extend(("warning", note) for note in loaded.notes)
    rows.append(("evaluated", f"steps 0..{steps - 1} ({steps} values)"))
    rows.append(("first", f"lr(0) = {_fmt(values[0])}"))
    rows.append(("last", f"lr({steps - 1}) = {_fmt(values[-1])}"))
    i_min, i_max = int(np.argmin(values)), int(np.argmax(values))
    rows.append(("min", f"{_fmt(values[i_min])} at step {i_min}"))
    rows.append(("max", f"{_fmt(values[i_max])} at step {i_max}"))
    for field, comp in schedule.companions().items():
        cv = comp.values(range(steps))
        rows.append((field, f"{_fmt(cv.min())} .. {_fmt(cv.max())} (companion schedule)"))
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key + ':':<{width + 1}} {value}")
    return 0


def _cmd_table(args: argparse.Namespace) -> int:
    check_range("--steps", args.steps, 1, MAX_STEPS)
    check_range("--every", args.every, 1, args.steps)
    if args.output:
        check_writable(args.output, "-o")
    (loaded,) = _load_all(args, [args.config])
    _print_notes([loaded])
    values = _values(loaded, args.steps)
    steps = list(range(0, args.steps, args.every))
    columns: dict[str, list[Any]] = {"step": steps}
    if loaded.steps_per_epoch:
        columns["epoch"] = [s / loaded.steps_per_epoch for s in steps]
    columns["lr"] = [float(values[s]) for s in steps]
    for field, comp in loaded.schedule.companions().items():
        cv = comp.values(range(args.steps))
        columns[field] = [float(cv[s]) for s in steps]
    keys = list(columns)
    rows = [[columns[k][i] for k in keys] for i in range(len(steps))]

    out = io.StringIO()
    if args.format == "json":
        doc = {
            "schedule": loaded.schedule.to_config(),
            "base_lr": loaded.base_lr,
            "rows": [dict(zip(keys, r)) for r in rows],
        }
        out.write(json.dumps(doc, indent=1) + "\n")
    elif args.format == "md":
        out.write("| " + " | ".join(keys) + " |\n|" + "---:|" * len(keys) + "\n")
        for r in rows:
            out.write("| " + " | ".join(_cell(v) for v in r) + " |\n")
    else:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(keys)
        writer.writerows([[_cell(v) for v in r] for r in rows])
    if args.output:
        Path(args.output).write_text(out.getvalue(), encoding="utf-8")
        print(f"wrote {len(rows)} rows to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(out.getvalue())
    return 0


def _cell(v: Any) -> str:
    return repr(v) if isinstance(v, float) else str(v)


def _cmd_plot(args: argparse.Namespace) -> int:
    check_range("--steps", args.steps, 1, MAX_STEPS)
    check_range("--width", args.width, *IMAGE_SIDE)
    check_range("--height", args.height, *IMAGE_SIDE)
    check_range("--dpi", args.dpi, *DPI_RANGE)
    if args.width * args.height > MAX_PIXELS:
        raise CliError(f"--width x --height is {args.width * args.height} pixels; at most {MAX_PIXELS}")
    if args.axis == "epochs" and not args.steps_per_epoch:
        raise CliError("--axis epochs needs --steps-per-epoch N")
    image_format = check_image_output(args.output, "-o")
    loaded = _load_all(args, args.configs)
    _print_notes(loaded)
    import matplotlib.pyplot as plt

    steps = args.steps or max(_default_steps(x) for x in loaded)
    curves = [(x, _values(x, steps, clip=True)) for x in loaded]  # a PaddleOCR run stops where its training ends
    if args.log:  # values <= 0 cannot be drawn on a log axis: leave gaps there
        curves = [(x, np.where(v > 0, v, np.nan)) for x, v in curves]
    fig = plt.figure(figsize=(args.width / args.dpi, args.height / args.dpi), dpi=args.dpi)
    try:
        ax = fig.add_subplot(1, 1, 1)
        t = np.arange(steps)
        xs = t / args.steps_per_epoch if args.axis == "epochs" else t
        for x, v in curves:
            ax.plot(xs[: len(v)], v, label=x.label, linewidth=1.2)
        ax.set_xlabel("epoch" if args.axis == "epochs" else "step (scheduler.step() calls)")
        ax.set_ylabel("learning rate")
        if args.log:
            ax.set_yscale("log")
        if args.title:
            ax.set_title(args.title)
        ax.grid(True, alpha=0.3)
        ax.legend()
        with warnings.catch_warnings():  # a small canvas leaves no room for the margins: draw it anyway
            warnings.simplefilter("ignore", UserWarning)
            fig.tight_layout()
        try:
            fig.savefig(args.output, dpi=args.dpi, format=image_format)
        except (RuntimeError, ValueError, OSError) as exc:
            raise CliError(f"-o {args.output}: matplotlib could not write it: {exc}") from exc
    finally:
        plt.close(fig)
    print(f"wrote {args.output} ({args.width}x{args.height} {image_format}, {len(curves)} schedule(s), {steps} steps)")
    return 0


# -- parser ---------------------------------------------------------------------------------------------------
def _add_source_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--base-lr", type=float, default=None, metavar="LR", help="base lr of relative schedules, >= 0 (default 1.0)"
    )
    p.add_argument(
        "--steps-per-epoch", type=int, default=None, metavar="N", help="batches per epoch, >= 1 (PaddleOCR configs)"
    )
    p.add_argument("--epochs", type=int, default=None, metavar="N", help="override Global.epoch_num (PaddleOCR)")


def _broken_plugin(name: str, exc: BaseException) -> Callable[[argparse.Namespace], int]:
    def handler(args: argparse.Namespace) -> int:
        raise CliError(f"the {name!r} subcommand failed to load: {type(exc).__name__}: {exc}") from exc

    return handler


def _register_plugins(sub: Any) -> None:
    for name, module in _PLUGINS:
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            parts = module.split(".")
            if exc.name in {".".join(parts[:i]) for i in range(2, len(parts) + 1)}:
                continue  # that subcommand is not part of this install
            sub.add_parser(name, help=f"(unavailable: {exc})").set_defaults(func=_broken_plugin(name, exc))
            continue
        except Exception as exc:
            sub.add_parser(name, help=f"(unavailable: {exc})").set_defaults(func=_broken_plugin(name, exc))
            continue
        mod.register(sub)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (subcommands show, plot, table, list and, when installed, parity and ppocr)."""
    parser = argparse.ArgumentParser(
        prog="lrparity",
        description="Learning-rate schedules that mean the same in PyTorch and PaddlePaddle.",
        epilog="CONFIG is a YAML/JSON schedule config, a PaddleOCR config, or a bundled example name "
        "(lrparity list). --debug (anywhere) shows tracebacks.",
    )
    from lrparity import __version__

    parser.add_argument("--version", action="version", version=f"lrparity {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the traceback on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("show", help="print a schedule: config, length, warmup end, first/last, min/max")
    p.add_argument("config", metavar="CONFIG|NAME")
    p.add_argument(
        "--steps",
        type=int,
        default=None,
        metavar="N",
        help="steps to evaluate (default: length*1.1; runs: their length)",
    )
    _add_source_options(p)
    p.set_defaults(func=_cmd_show)

    p = sub.add_parser("plot", help="draw one or several schedules on one chart (png, svg, pdf, jpg, ...)")
    p.add_argument("configs", nargs="+", metavar="CONFIG|NAME")
    p.add_argument(
        "-o", "--output", required=True, metavar="FILE.png", help="the image; its extension names the format"
    )
    p.add_argument(
        "--steps", type=int, default=None, metavar="N", help="steps to draw (default: longest*1.1; runs: their length)"
    )
    p.add_argument("--log", action="store_true", help="logarithmic lr axis")
    p.add_argument("--axis", choices=("steps", "epochs"), default="steps", help="x axis (epochs: --steps-per-epoch)")
    side = f"{IMAGE_SIDE[0]}..{IMAGE_SIDE[1]}"
    p.add_argument("--width", type=int, default=1000, help=f"image width in pixels, {side} (default 1000)")
    p.add_argument("--height", type=int, default=500, help=f"image height in pixels, {side} (default 500)")
    p.add_argument("--dpi", type=int, default=100, help=f"dots per inch, {DPI_RANGE[0]}..{DPI_RANGE[1]} (default 100)")
    p.add_argument("--title", default=None)
    _add_source_options(p)
    p.set_defaults(func=_cmd_plot)

    p = sub.add_parser("table", help="write the values step by step (csv, json or markdown)")
    p.add_argument("config", metavar="CONFIG|NAME")
    p.add_argument("--steps", type=int, required=True, metavar="N", help=f"steps 0..N-1 (N <= {MAX_STEPS})")
    p.add_argument("--every", type=int, default=1, metavar="K", help="one row every K steps, 1..N")
    p.add_argument("--format", choices=("csv", "json", "md"), default="csv")
    p.add_argument("-o", "--output", default=None, metavar="FILE", help="write to FILE instead of stdout")
    _add_source_options(p)
    p.set_defaults(func=_cmd_table)

    p = sub.add_parser("list", help="list the bundled examples and the schedule types")
    p.set_defaults(func=_cmd_list)

    _register_plugins(sub)
    return parser


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, MemoryError):
        return f"out of memory ({' '.join(str(exc).split()) or 'MemoryError'}); ask for fewer steps or a smaller image"
    text = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, (KeyError, FileNotFoundError, PermissionError, IsADirectoryError)):
        if isinstance(exc, OSError) and exc.filename:
            return f"{exc.strerror or type(exc).__name__}: {exc.filename}"
    return text


def main(argv: list[str] | None = None) -> int:
    """Run the ``lrparity`` command line; returns the exit status (0 ok, 2 error)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    head, sep, tail = argv, [], []
    if "--" in argv:
        i = argv.index("--")
        head, sep, tail = argv[:i], ["--"], argv[i + 1 :]
    debug = "--debug" in head
    argv = [a for a in head if a != "--debug"] + sep + tail
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        return int(args.func(args) or 0)
    except (CliError, ValueError, TypeError, ImportError, OSError, KeyError, MemoryError) as exc:
        if debug:
            raise
        print(f"lrparity: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # pragma: no cover
        return 130


if __name__ == "__main__":  # python -m lrparity.cli: run the imported module, whose CliError the plugins raise
    from lrparity.cli import main as _main

    sys.exit(_main())
