"""The built-in subcommands: ``show``, ``plot``, ``table`` and ``list``."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from lrparity.cli.configs import Loaded, config_sources, example_description, example_names, example_path, load_schedule
from lrparity.cli.describe import default_steps, evaluate, float_text, length_text, restarts_text, warmup_end
from lrparity.cli.options import (
    DPI_RANGE,
    IMAGE_SIDE,
    MAX_PIXELS,
    MAX_STEPS,
    CliError,
    add_curve_log_options,
    check_curve_log,
    check_image_output,
    check_range,
    check_writable,
    curve_log_options,
    write_curve_log,
)

__all__ = ["add_builtin_commands", "add_config_options"]


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


# -- commands -------------------------------------------------------------------------------------------------
def _cmd_list(args: argparse.Namespace) -> int:
    names = example_names()
    width = max((len(n) for n in names), default=0)
    print("Bundled examples (use the name wherever a CONFIG is expected):")
    for name in names:
        path = example_path(name)
        assert path is not None
        print(f"  {name:<{width}}  {example_description(path)}")
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
    steps = args.steps or default_steps(loaded)
    rows = _show_rows(loaded, steps, evaluate(loaded, steps))
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key + ':':<{width + 1}} {value}")
    return 0


def _show_rows(loaded: Loaded, steps: int, values: np.ndarray) -> list[tuple[str, str]]:
    """The ``(key, value)`` lines ``lrparity show`` prints about ``loaded`` evaluated at steps ``0..steps-1``."""
    schedule = loaded.schedule
    rows: list[tuple[str, str]] = [
        ("source", loaded.source),
        ("type", type(schedule).__name__ + f" ({schedule.to_config()['type']})"),
        ("config", json.dumps(schedule.to_config(), sort_keys=False)),
    ]
    if getattr(schedule, "uses_base_lr", False):
        base = 1.0 if loaded.base_lr is None else loaded.base_lr
        rows.append(("base lr", f"{float_text(base)} (relative schedule; --base-lr sets it)"))
    else:
        rows.append(("base lr", "pinned by the schedule (absolute values)"))
    if loaded.is_run and loaded.epochs is not None:
        rows.append(("epochs", f"{loaded.epochs} x {loaded.steps_per_epoch} steps per epoch"))
    rows.append(("length", length_text(loaded)))
    restarts = restarts_text(schedule)
    if restarts is not None:
        rows.append(("restarts", restarts))
    warmup_ends = warmup_end(schedule)
    rows.append(("warmup ends", f"step {warmup_ends}" if warmup_ends is not None else "no warmup"))
    rows.extend(("warning", note) for note in loaded.notes)
    rows.append(("evaluated", f"steps 0..{steps - 1} ({steps} values)"))
    rows.append(("first", f"lr(0) = {float_text(values[0])}"))
    rows.append(("last", f"lr({steps - 1}) = {float_text(values[-1])}"))
    i_min, i_max = int(np.argmin(values)), int(np.argmax(values))
    rows.append(("min", f"{float_text(values[i_min])} at step {i_min}"))
    rows.append(("max", f"{float_text(values[i_max])} at step {i_max}"))
    for field, companion in schedule.companions().items():
        companion_values = companion.values(range(steps))
        rows.append(
            (
                field,
                f"{float_text(companion_values.min())} .. {float_text(companion_values.max())} (companion schedule)",
            )
        )
    return rows


def _cmd_table(args: argparse.Namespace) -> int:
    check_range("--steps", args.steps, 1, MAX_STEPS)
    check_range("--every", args.every, 1, args.steps)
    if args.output:
        check_writable(args.output, "-o")
    (loaded,) = _load_all(args, [args.config])
    _print_notes([loaded])
    columns = _table_columns(loaded, args.steps, args.every)
    text = _render_table(args.format, columns, loaded)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {len(columns['step'])} rows to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _table_columns(loaded: Loaded, steps: int, every: int) -> dict[str, list[Any]]:
    """``{column: values}``: step, epoch (when steps per epoch are known), lr and each companion, every ``every``
    steps of ``0..steps-1``."""
    values = evaluate(loaded, steps)
    rows = list(range(0, steps, every))
    columns: dict[str, list[Any]] = {"step": rows}
    if loaded.steps_per_epoch:
        columns["epoch"] = [s / loaded.steps_per_epoch for s in rows]
    columns["lr"] = [float(values[s]) for s in rows]
    for field, companion in loaded.schedule.companions().items():
        companion_values = companion.values(range(steps))
        columns[field] = [float(companion_values[s]) for s in rows]
    return columns


def _render_table(table_format: str, columns: dict[str, list[Any]], loaded: Loaded) -> str:
    """The table as csv, json (with the schedule's config and base lr) or markdown text."""
    keys = list(columns)
    rows = [[columns[k][i] for k in keys] for i in range(len(columns["step"]))]
    out = io.StringIO()
    if table_format == "json":
        doc = {
            "schedule": loaded.schedule.to_config(),
            "base_lr": loaded.base_lr,
            "rows": [dict(zip(keys, r)) for r in rows],
        }
        out.write(json.dumps(doc, indent=1) + "\n")
    elif table_format == "md":
        out.write("| " + " | ".join(keys) + " |\n|" + "---:|" * len(keys) + "\n")
        for r in rows:
            out.write("| " + " | ".join(_table_cell(v) for v in r) + " |\n")
    else:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(keys)
        writer.writerows([[_table_cell(v) for v in r] for r in rows])
    return out.getvalue()


def _table_cell(v: Any) -> str:
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
    logs = curve_log_options(args)
    if args.output is None and not logs:
        raise CliError("plot: give an output: -o FILE.png, --tensorboard DIR and/or --visualdl DIR")
    image_format = check_image_output(args.output, "-o") if args.output is not None else None
    loaded = _load_all(args, args.configs)
    labels = [x.label for x in loaded]
    for option, fmt, logdir in logs:  # before anything is computed: earlier logs in a run directory are refused
        check_curve_log(option, fmt, logdir, labels)
    _print_notes(loaded)
    steps = args.steps or max(default_steps(x) for x in loaded)
    curves = [(x, evaluate(x, steps, clip=True)) for x in loaded]  # a training run stops where its training ends
    for option, fmt, logdir in logs:
        runs = write_curve_log(option, fmt, logdir, [(x.label, v) for x, v in curves])
        print(
            f"wrote {len(runs)} {fmt} run(s) to {logdir} (tag 'lr', step = update): {', '.join(r.name for r in runs)}"
        )
    if image_format is None:
        return 0
    if args.log:  # values <= 0 cannot be drawn on a log axis: leave gaps there
        curves = [(x, np.where(v > 0, v, np.nan)) for x, v in curves]
    _draw(args, curves, steps, image_format)
    print(f"wrote {args.output} ({args.width}x{args.height} {image_format}, {len(curves)} schedule(s), {steps} steps)")
    return 0


def _draw(args: argparse.Namespace, curves: list[tuple[Loaded, np.ndarray]], steps: int, image_format: str) -> None:
    """Draw the curves on one chart and write it to ``args.output`` (size, axis, scale and title from ``args``)."""
    import matplotlib.pyplot as plt

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


# -- parsers --------------------------------------------------------------------------------------------------
def add_config_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--base-lr``, ``--steps-per-epoch`` and ``--epochs``: the options :func:`load_schedule` takes."""
    sources = config_sources()
    names = " and ".join(s.name for s in sources)
    keys = "/".join(s.epochs_key for s in sources if s.epochs_key)
    parser.add_argument(
        "--base-lr", type=float, default=None, metavar="LR", help="base lr of relative schedules, >= 0 (default 1.0)"
    )
    parser.add_argument(
        "--steps-per-epoch",
        type=int,
        default=None,
        metavar="N",
        help=f"batches per epoch, >= 1 ({names or 'training-run'} configs)",
    )
    parser.add_argument(
        "--epochs",
        type=int,
        default=None,
        metavar="N",
        help=f"override {keys} ({names})" if keys else "override the epochs of a training-run config",
    )


def _add_show(sub: Any) -> None:
    p = sub.add_parser("show", help="print a schedule: config, length, warmup end, first/last, min/max")
    p.add_argument("config", metavar="CONFIG|NAME")
    p.add_argument(
        "--steps",
        type=int,
        default=None,
        metavar="N",
        help="steps to evaluate (default: length*1.1; runs: their length)",
    )
    add_config_options(p)
    p.set_defaults(func=_cmd_show)


def _add_plot(sub: Any) -> None:
    p = sub.add_parser(
        "plot",
        help="draw schedules on one chart (png, svg, pdf, jpg, ...) and/or log them for TensorBoard/VisualDL",
    )
    p.add_argument("configs", nargs="+", metavar="CONFIG|NAME")
    p.add_argument("-o", "--output", default=None, metavar="FILE.png", help="the image; its extension names the format")
    add_curve_log_options(p, "each schedule")
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
    add_config_options(p)
    p.set_defaults(func=_cmd_plot)


def _add_table(sub: Any) -> None:
    p = sub.add_parser("table", help="write the values step by step (csv, json or markdown)")
    p.add_argument("config", metavar="CONFIG|NAME")
    p.add_argument("--steps", type=int, required=True, metavar="N", help=f"steps 0..N-1 (N <= {MAX_STEPS})")
    p.add_argument("--every", type=int, default=1, metavar="K", help="one row every K steps, 1..N")
    p.add_argument("--format", choices=("csv", "json", "md"), default="csv")
    p.add_argument("-o", "--output", default=None, metavar="FILE", help="write to FILE instead of stdout")
    add_config_options(p)
    p.set_defaults(func=_cmd_table)


def add_builtin_commands(sub: Any) -> None:
    """Add ``show``, ``plot``, ``table`` and ``list`` to the main parser's subparsers."""
    _add_show(sub)
    _add_plot(sub)
    _add_table(sub)
    sub.add_parser("list", help="list the bundled examples and the schedule types").set_defaults(func=_cmd_list)
