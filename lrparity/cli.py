"""The ``lrparity`` console script: show, plot and tabulate schedules, list the bundled examples.

``lrparity show warmup_cosine``, ``lrparity plot one_cycle step -o lr.png``, ``lrparity table piecewise
--steps 1000 --every 100 --format md``, ``lrparity list``. A schedule is given as a config file (YAML or JSON,
the format of ``schedule.to_config()``), a PaddleOCR config (a file with a top-level ``Optimizer`` block, which
needs ``--steps-per-epoch``) or the name of a bundled example (``lrparity list``).

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
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["EXAMPLES_DIR", "Loaded", "example_names", "load_schedule", "main"]

EXAMPLES_DIR = Path(__file__).resolve().parent / "examples"
"""Folder of the bundled examples (``lrparity/examples/<name>.yaml`` or ``.yml``)."""

_SUFFIXES = (".yaml", ".yml", ".json")
_PLUGINS = (("parity", "lrparity.parity.cli"), ("ppocr", "lrparity.ppocr.cli"))
_PLOT_EXTRA = "plotting needs matplotlib: pip install 'lrparity[plot]'"


class CliError(Exception):
    """A user error: printed as one line, exit status 2."""


# -- examples and config loading ------------------------------------------------------------------------------
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


def _read_data(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise CliError(f"{path}: not valid JSON: {exc}") from exc
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CliError(f"{path}: not valid YAML: {' '.join(str(exc).split())}") from exc


@dataclass(frozen=True)
class Loaded:
    """A schedule read from the command line, with what the commands print about it."""

    label: str
    source: str
    schedule: Any
    base_lr: float | None
    length: int | None
    steps_per_epoch: int | None = None
    epochs: int | None = None


def _resolve_path(spec: str) -> tuple[str, Path]:
    path = Path(spec)
    if path.is_file():
        return path.stem, path
    if path.exists():
        raise CliError(f"{spec!r} is not a file")
    example = _example_path(spec)
    if example is not None:
        return spec, example
    names = example_names()
    import difflib

    close = difflib.get_close_matches(spec, names, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise CliError(f"{spec!r} is neither a config file nor a bundled example{hint} (examples: {', '.join(names)})")


def _ppocr_schedule(data: Mapping[str, Any], path: Path, steps_per_epoch: int | None, epochs: int | None) -> Any:
    if steps_per_epoch is None:
        raise CliError(
            f"{path} is a PaddleOCR config (it has an 'Optimizer' block): give --steps-per-epoch N "
            "(batches per epoch per card, len(train_dataloader))"
        )
    if epochs is None:
        glob = data.get("Global")
        epochs = glob.get("epoch_num") if isinstance(glob, Mapping) else None
        if epochs is None:
            raise CliError(f"{path}: no Global.epoch_num in this PaddleOCR config; give --epochs N")
    try:
        ppocr = importlib.import_module("lrparity.ppocr")
        lr_schedule = ppocr.lr_schedule
    except (ModuleNotFoundError, AttributeError) as exc:
        if isinstance(exc, ModuleNotFoundError) and exc.name not in ("lrparity.ppocr", None):
            raise
        raise CliError("reading PaddleOCR configs needs lrparity.ppocr.lr_schedule, missing in this install") from exc
    schedule = lr_schedule(data["Optimizer"], epochs=epochs, steps_per_epoch=steps_per_epoch)
    if isinstance(schedule, (int, float)):  # a plain float lr (PaddleOCR's Const)
        from lrparity.core import Constant, WithBaseLR

        schedule = WithBaseLR(Constant(), float(schedule))
    return schedule, int(epochs)


def load_schedule(
    spec: str, *, steps_per_epoch: int | None = None, epochs: int | None = None, base_lr: float | None = None
) -> Loaded:
    """Read ``spec``: a config file path, a PaddleOCR config path or a bundled example name."""
    from lrparity.core import from_config

    label, path = _resolve_path(spec)
    data = _read_data(path)
    if isinstance(data, Mapping) and "Optimizer" in data:
        schedule, epochs = _ppocr_schedule(data, path, steps_per_epoch, epochs)
        length = epochs * (steps_per_epoch or 0)  # PaddleOCR's loop runs epoch_num * steps_per_epoch steps
        return Loaded(label, str(path), schedule, base_lr, length, steps_per_epoch, epochs)
    if not isinstance(data, Mapping):
        raise CliError(f"{path}: expected a schedule config (a mapping with a 'type' key), got {type(data).__name__}")
    schedule = from_config(data, _where=str(path))
    if not hasattr(schedule, "values"):
        raise CliError(f"{path}: {type(schedule).__name__} is not a schedule (it needs metrics; nothing to plot)")
    return Loaded(label, str(path), schedule, base_lr, schedule.length, steps_per_epoch, epochs)


def _default_steps(loaded: Loaded) -> int:
    if loaded.length is None or loaded.length <= 0:
        return 1000
    if loaded.epochs is not None:  # a PaddleOCR run: exactly the steps its training loop takes
        return loaded.length
    steps = max(2, round(loaded.length * 1.1))
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
    schedule = loaded.schedule
    if clip and loaded.length is not None and not _defined_at(loaded, steps - 1):
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


def _check_positive(name: str, value: int | None) -> None:
    if value is not None and value < 1:
        raise CliError(f"{name} must be >= 1, got {value}")


def _load_all(args: argparse.Namespace, specs: list[str]) -> list[Loaded]:
    _check_positive("--steps-per-epoch", args.steps_per_epoch)
    _check_positive("--epochs", args.epochs)
    return [
        load_schedule(s, steps_per_epoch=args.steps_per_epoch, epochs=args.epochs, base_lr=args.base_lr) for s in specs
    ]


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
    (loaded,) = _load_all(args, [args.config])
    _check_positive("--steps", args.steps)
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
    if loaded.epochs is not None:
        rows.append(("epochs", f"{loaded.epochs} x {loaded.steps_per_epoch} steps per epoch"))
    if loaded.epochs is not None:
        rows.append(
            ("length", f"{loaded.length} steps (the training run; the schedule's own length: {schedule.length})")
        )
    else:
        rows.append(("length", f"{loaded.length} steps" if loaded.length is not None else "unbounded"))
    warm = _warmup_end(schedule)
    rows.append(("warmup ends", f"step {warm}" if warm is not None else "no warmup"))
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
    (loaded,) = _load_all(args, [args.config])
    _check_positive("--steps", args.steps)
    _check_positive("--every", args.every)
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
    loaded = _load_all(args, args.configs)
    _check_positive("--steps", args.steps)
    _check_positive("--width", args.width)
    _check_positive("--height", args.height)
    _check_positive("--dpi", args.dpi)
    if args.axis == "epochs" and not args.steps_per_epoch:
        raise CliError("--axis epochs needs --steps-per-epoch N")
    try:
        import matplotlib
    except ModuleNotFoundError as exc:
        raise CliError(_PLOT_EXTRA) from exc
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    steps = args.steps or max(_default_steps(x) for x in loaded)
    curves = [(x, _values(x, steps, clip=True)) for x in loaded]
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
        fig.tight_layout()
        fig.savefig(args.output, dpi=args.dpi, format="png")
    finally:
        plt.close(fig)
    print(f"wrote {args.output} ({args.width}x{args.height}, {len(curves)} schedule(s), {steps} steps)")
    return 0


# -- parser ---------------------------------------------------------------------------------------------------
def _add_source_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--base-lr", type=float, default=None, help="base lr for relative schedules (default 1.0)")
    p.add_argument(
        "--steps-per-epoch", type=int, default=None, metavar="N", help="batches per epoch (PaddleOCR configs)"
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
    p.add_argument("--steps", type=int, default=None, metavar="N", help="steps to evaluate (default length*1.1)")
    _add_source_options(p)
    p.set_defaults(func=_cmd_show)

    p = sub.add_parser("plot", help="draw one or several schedules on one chart (PNG)")
    p.add_argument("configs", nargs="+", metavar="CONFIG|NAME")
    p.add_argument("-o", "--output", required=True, metavar="FILE.png")
    p.add_argument("--steps", type=int, default=None, metavar="N", help="steps to draw (default longest*1.1)")
    p.add_argument("--log", action="store_true", help="logarithmic lr axis")
    p.add_argument("--axis", choices=("steps", "epochs"), default="steps", help="x axis (epochs: --steps-per-epoch)")
    p.add_argument("--width", type=int, default=1000, help="image width in pixels (default 1000)")
    p.add_argument("--height", type=int, default=500, help="image height in pixels (default 500)")
    p.add_argument("--dpi", type=int, default=100, help="dots per inch (default 100)")
    p.add_argument("--title", default=None)
    _add_source_options(p)
    p.set_defaults(func=_cmd_plot)

    p = sub.add_parser("table", help="write the values step by step (csv, json or markdown)")
    p.add_argument("config", metavar="CONFIG|NAME")
    p.add_argument("--steps", type=int, required=True, metavar="N", help="steps 0..N-1")
    p.add_argument("--every", type=int, default=1, metavar="K", help="one row every K steps")
    p.add_argument("--format", choices=("csv", "json", "md"), default="csv")
    p.add_argument("-o", "--output", default=None, metavar="FILE", help="write to FILE instead of stdout")
    _add_source_options(p)
    p.set_defaults(func=_cmd_table)

    p = sub.add_parser("list", help="list the bundled examples and the schedule types")
    p.set_defaults(func=_cmd_list)

    _register_plugins(sub)
    return parser


def _one_line(exc: BaseException) -> str:
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
        import yaml

        yaml_errors: tuple[type[BaseException], ...] = (yaml.YAMLError,)
    except ImportError:  # pragma: no cover
        yaml_errors = ()
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        return int(args.func(args) or 0)
    except (CliError, ValueError, TypeError, ImportError, OSError, KeyError, *yaml_errors) as exc:
        if debug:
            raise
        print(f"lrparity: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # pragma: no cover
        return 130


if __name__ == "__main__":
    sys.exit(main())
