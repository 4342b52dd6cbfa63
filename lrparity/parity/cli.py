"""lrparity parity CONFIG: run one schedule through the core, both backends and the natives; print a table.

CONFIG is a schedule config file (YAML/JSON), a bundled example (see `lrparity list`), a parity catalogue
name (see `lrparity parity --list`) or a training-run config a plugin reads (a PaddleOCR config, a KIND:CONFIG
recipe: give --steps-per-epoch; `lrparity ppocr` compares a PaddleOCR config with PaddleOCR's own Paddle
schedulers). Each row is one execution path, compared step by step with the core:

  core           the reference: schedule.values() in float64
  torch, paddle  the lrparity backends (torch param_groups[0]["lr"], paddle dygraph optimizer.get_lr());
                 must be bit-identical to the core
  paddle-static  the lr variable a paddle static-graph program uses at each Executor.run; must equal the core
                 cast to the variable's dtype (float32); runs --static-steps steps (each step is a program run)
  torch-native,  the framework's own scheduler, where one computes the schedule (from the native tables, as
  paddle-native  lrparity.to_native builds it): bit-identical for closed-form natives, within 1e-12 relative
                 for recursive ones

A framework that is not installed is reported as skipped (not a failure).

exit status: 0 every path that ran agrees; 1 a path differs (the table says where); 2 usage or config error.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from lrparity.cli import (
    MAX_STEPS,
    CliError,
    add_curve_log_options,
    check_curve_log,
    check_image_output,
    check_range,
    curve_log_options,
    did_you_mean,
    example_path,
    load_schedule,
    looks_like_path,
    write_curve_log,
)
from lrparity.parity import runners
from lrparity.parity.report import Diff, Progress, compare, format_table

__all__ = ["MAX_PARITY_STEPS", "MAX_STATIC_STEPS", "ParityRun", "main", "register", "run_parity"]

MAX_PARITY_STEPS = 1_000_000
"""Most steps ``lrparity parity`` runs (every path steps a real scheduler once per step)."""

MAX_STATIC_STEPS = 100_000
"""Most steps of the paddle static-graph run (one ``Executor.run`` per step)."""

RUN_OPTIONS = "--steps-per-epoch and --epochs are for PaddleOCR configs and recipes (training runs)"


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``parity`` subcommand to ``lrparity``'s subparsers (its handler returns the exit status)."""
    p = subparsers.add_parser(
        "parity",
        help="run a schedule through the core, torch, paddle (dygraph and static) and the natives; table + diff",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_arguments(p)
    p.set_defaults(func=_cmd)
    return p


def _add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("config", nargs="?", metavar="CONFIG", help="config file, bundled example or catalogue name")
    p.add_argument(
        "--steps",
        type=int,
        default=None,
        metavar="N",
        help=f"steps to run, 1..{MAX_PARITY_STEPS} (default: the schedule's length, at most 10000; 1000 if it has "
        "none)",
    )
    p.add_argument(
        "--base-lr", type=float, default=None, metavar="LR", help="base lr of a relative schedule, >= 0 (default 0.1)"
    )
    p.add_argument(
        "--static-steps",
        type=int,
        default=500,
        metavar="N",
        help=f"steps of the paddle static-graph run, 0..{MAX_STATIC_STEPS} (default 500; 0 turns it off)",
    )
    p.add_argument(
        "--steps-per-epoch", type=int, default=None, metavar="N", help="batches per epoch, >= 1 (training-run configs)"
    )
    p.add_argument("--epochs", type=int, default=None, metavar="N", help="override the epochs of a training-run config")
    p.add_argument(
        "--plot",
        default=None,
        metavar="FILE.png",
        help="also write an image (format from the extension): the lr curves, and each path minus what it must "
        "equal (the core; float32(core) for paddle-static)",
    )
    add_curve_log_options(p, "each path")
    p.add_argument("--list", action="store_true", help="list the parity catalogue names and exit")


# ------------------------------------------------------------------------------------------------------------
# what to run
# ------------------------------------------------------------------------------------------------------------
class NativeRun(NamedTuple):
    """A native scheduler run next to the core: how to build it and the relative tolerance it is held to."""

    build: Callable[..., Any]
    rtol: float


@dataclass(frozen=True)
class ParityRun:
    """A schedule to run through every path.

    Attributes:
        label: what the report calls it (``catalogue:<name>``, a file's stem, an example's name).
        schedule: the core schedule.
        base_lr: its base lr (None: absolute).
        length: its length in steps (the default number of steps), or None.
        natives: ``{"torch-native": ..., "paddle-native": ...}`` for each framework with a native computing it.
    """

    label: str
    schedule: Any
    base_lr: float | None
    length: int | None
    natives: dict[str, NativeRun] = field(default_factory=dict)


def _catalogue_run(name: str) -> ParityRun:
    from lrparity.parity import catalogue

    entry = catalogue.get(name)
    natives = {}
    for framework, call in entry.natives.items():
        # the reference native is held to the entry's rtol, another one to what its table row says
        rtol = entry.rtol if entry.reference == framework else call.rtol
        natives[f"{framework}-native"] = NativeRun(call.build, rtol)
    return ParityRun(f"catalogue:{entry.name}", entry.schedule, entry.base_lr, entry.steps, natives)


def _config_run(spec: str, base_lr: float | None, steps_per_epoch: int | None, epochs: int | None) -> ParityRun:
    from lrparity.parity.catalogue import native_call

    loaded = load_schedule(spec, steps_per_epoch=steps_per_epoch, epochs=epochs)
    if not loaded.is_run and (steps_per_epoch is not None or epochs is not None):
        raise CliError(f"{loaded.source}: {RUN_OPTIONS}; this is a schedule")
    schedule = loaded.schedule
    if base_lr is not None and not schedule.uses_base_lr:
        raise CliError(
            f"--base-lr {base_lr!r}: {loaded.label} pins its own lr (an absolute schedule); --base-lr sets the base "
            "of relative schedules only"
        )
    base = base_lr if base_lr is not None else (0.1 if schedule.uses_base_lr else None)
    natives = {}
    for framework in ("torch", "paddle"):
        call = native_call(schedule, base, framework)
        if call is not None:
            natives[f"{framework}-native"] = NativeRun(call.build, call.rtol)
    return ParityRun(loaded.label, schedule, base, loaded.length, natives)


def _resolve(
    spec: str, base_lr: float | None, steps_per_epoch: int | None = None, epochs: int | None = None
) -> ParityRun:
    """What ``spec`` names: a catalogue entry (unless a bundled example has its name), or a config."""
    from lrparity.parity import catalogue

    names = [e.name for e in catalogue.CATALOGUE]
    if spec not in names and example_path(spec) is None and not os.path.exists(spec) and not looks_like_path(spec):
        raise CliError(
            f"{spec!r} is neither a config file, a bundled example (lrparity list) nor a parity catalogue name "
            f"(lrparity parity --list){did_you_mean(spec, names)}"
        )
    if spec in names and example_path(spec) is None:
        if steps_per_epoch is not None or epochs is not None:
            raise CliError(f"{spec!r} is a parity catalogue entry: {RUN_OPTIONS}")
        return _catalogue_run(spec)
    return _config_run(spec, base_lr, steps_per_epoch, epochs)


# ------------------------------------------------------------------------------------------------------------
# running it
# ------------------------------------------------------------------------------------------------------------
@dataclass
class _Paths:
    """The paths of one parity run and what they gave: rows of the table, curves for the plot."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    curves: dict[str, np.ndarray] = field(default_factory=dict)
    compared_with: dict[str, tuple[str, np.ndarray]] = field(default_factory=dict)  # paths not held to the core

    @property
    def failed(self) -> bool:
        return any(r["diff"] is not None and not r["diff"].ok for r in self.rows)


def _path_runner(
    path: str, run: ParityRun, steps: int, core: np.ndarray
) -> tuple[Callable[[Any], np.ndarray], np.ndarray, float]:
    """``(run(progress) -> lrs, expected lrs, rtol)`` of one path over ``steps`` steps."""
    schedule, base = run.schedule, run.base_lr
    if path == "torch":
        return (lambda tick: runners.run_torch(schedule, base, steps, tick)), core, 0.0
    if path == "paddle":
        return (lambda tick: runners.run_paddle(schedule, base, steps, tick)), core, 0.0
    if path == "paddle-static":
        expected = core[:steps].astype(np.float32).astype(np.float64)
        return (lambda tick: runners.run_paddle_static(schedule, base, steps, tick)), expected, 0.0
    native = run.natives[path]
    if path == "torch-native":
        return (lambda tick: runners.run_torch_native(native.build, base, steps, tick)), core, native.rtol
    return (lambda tick: runners.run_paddle_native(native.build, steps, tick)), core, native.rtol


def _status(path: str, d: Diff, rtol: float) -> str:
    if not d.ok:
        return f"MISMATCH (allowed rel {rtol:g})"
    status = "bit-identical" if d.identical else f"ok (rel <= {rtol:g}: recursive native)"
    return status + (" (float32 lr var)" if path == "paddle-static" and d.identical else "")


def _run_paths(run: ParityRun, steps: int, static_steps: int) -> _Paths:
    """Run every path (core first) and compare it with what it must equal."""
    paths = ["torch", "paddle", "paddle-static", *run.natives]
    work = {p: (min(steps, static_steps) if p == "paddle-static" else steps) for p in paths}
    bar = Progress(sum(work.values()), run.label)
    done = 0
    out = _Paths()
    core = runners.run_core(run.schedule, run.base_lr, steps)
    out.curves["core"] = core
    out.rows.append({"backend": "core", "diff": compare(core, core), "status": "reference"})
    for path in paths:
        if work[path] == 0:
            out.rows.append({"backend": path, "diff": None, "status": "off (--static-steps 0)"})
            continue
        execute, expected, rtol = _path_runner(path, run, work[path], core)
        try:
            got = execute(lambda k, start=done, path=path: bar.update(start + k, f"{run.label}: {path}"))
        except runners.Skipped as exc:
            out.rows.append({"backend": path, "diff": None, "status": str(exc)})
            continue
        finally:
            done += work[path]
        out.curves[path] = got
        if path == "paddle-static":
            out.compared_with[path] = ("float32(core)", expected)
        d = compare(expected, got, rtol)
        out.rows.append({"backend": path, "diff": d, "status": _status(path, d, rtol)})
    bar.close()
    return out


def _report(run: ParityRun, steps: int, paths: _Paths, plot_path: str | None, out: Any) -> None:
    print(
        f"lrparity parity: {run.label}  ({run.schedule.to_config()['type']}, base_lr={run.base_lr}, {steps} steps)",
        file=out,
    )
    print(format_table(paths.rows), file=out)
    for r in paths.rows:
        if r["diff"] is not None and not r["diff"].ok:
            print(f"  {r['backend']}: {r['diff'].describe()}", file=out)
    if plot_path:
        from lrparity.parity.report import plot

        title = f"lrparity parity: {run.label}"
        plot(paths.curves, "core", plot_path, title=title, compared_with=paths.compared_with)
        print(f"plot written to {plot_path}", file=out)
    print("MISMATCH" if paths.failed else "OK: every path agrees", file=out)


def _check_options(
    steps: int | None,
    base_lr: float | None,
    static_steps: int,
    plot_path: str | None,
    steps_per_epoch: int | None,
    epochs: int | None,
) -> None:
    """Option values, and that the plot can be written: checked before anything runs."""
    check_range("--steps", steps, 1, MAX_PARITY_STEPS)
    check_range("--static-steps", static_steps, 0, MAX_STATIC_STEPS)
    check_range("--base-lr", base_lr, 0.0)
    check_range("--steps-per-epoch", steps_per_epoch, 1, MAX_STEPS)
    check_range("--epochs", epochs, 1, MAX_STEPS)
    if plot_path:
        check_image_output(plot_path, "--plot")


def run_parity(
    spec: str,
    steps: int | None = None,
    base_lr: float | None = None,
    static_steps: int = 500,
    plot_path: str | None = None,
    out: Any = None,
    *,
    steps_per_epoch: int | None = None,
    epochs: int | None = None,
    logs: list[tuple[str, str, str]] | tuple[()] = (),
) -> int:
    """Run ``spec`` through every path, print the table to ``out`` (stdout), return 0 (all agree) or 1.

    ``steps_per_epoch`` and ``epochs`` read a training-run config as ``lrparity show`` does (the run's length is
    then the default ``steps``). ``logs`` are ``(option, format, DIR)`` curve logs (``--tensorboard``,
    ``--visualdl``): each path that ran is written as one run of scalars under DIR. Option values are checked, and
    ``plot_path`` and the log directories tried for writing, before anything runs.
    """
    _check_options(steps, base_lr, static_steps, plot_path, steps_per_epoch, epochs)
    os.environ.setdefault("GLOG_minloglevel", "2")  # paddle's static-graph executor logs to stderr otherwise
    run = _resolve(spec, base_lr, steps_per_epoch, epochs)
    for option, fmt, logdir in logs:
        check_curve_log(option, fmt, logdir, ["core", "torch", "paddle", "paddle-static", *run.natives])
    n = steps if steps is not None else min(run.length or 1000, 10_000)
    paths = _run_paths(run, n, static_steps)
    out = out if out is not None else sys.stdout
    _report(run, n, paths, plot_path, out)
    for option, fmt, logdir in logs:  # a skipped path has no curve, so no run
        runs = write_curve_log(option, fmt, logdir, list(paths.curves.items()))
        print(f"wrote {len(runs)} {fmt} run(s) to {logdir}", file=out)
    return 1 if paths.failed else 0


def _cmd(args: argparse.Namespace) -> int:
    if args.list:
        from lrparity.parity.catalogue import CATALOGUE

        for e in CATALOGUE:
            print(f"{e.name:28s} {e.schedule.to_config()['type']}")
        return 0
    if not args.config:
        raise ValueError("parity: CONFIG is required (a config file, a bundled example or a catalogue name)")
    return run_parity(
        args.config,
        args.steps,
        args.base_lr,
        args.static_steps,
        args.plot,
        steps_per_epoch=args.steps_per_epoch,
        epochs=args.epochs,
        logs=curve_log_options(args),
    )


def main(argv: list[str] | None = None) -> int:
    """``python -m lrparity.parity``: ``--golden FILE [--write]`` (the CI check), or ``CONFIG`` (as
    ``lrparity parity``)."""
    parser = argparse.ArgumentParser(
        prog="python -m lrparity.parity", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    _add_arguments(parser)
    parser.add_argument("--golden", default=None, metavar="FILE.npz", help="check (or --write) the catalogue goldens")
    parser.add_argument("--write", action="store_true", help="with --golden: regenerate the goldens from the natives")
    parser.add_argument("--only", default=None, metavar="NAMES", help="with --golden: comma-separated entries")
    args = parser.parse_args(argv)
    os.environ.setdefault("GLOG_minloglevel", "2")
    try:
        if args.golden:
            return _golden(args.golden, args.write, args.only)
        return _cmd(args)
    except (CliError, ValueError, TypeError, OSError) as exc:  # as ``lrparity parity``: one line, exit status 2
        print(f"lrparity: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2


def _golden(path: str, write: bool, only: str | None) -> int:
    import time

    from lrparity.parity import golden
    from lrparity.parity.catalogue import CATALOGUE, get

    entries = CATALOGUE if not only else tuple(get(n.strip()) for n in only.split(","))
    bar = Progress(len(entries), "")
    count = iter(range(1, len(entries) + 1))
    t0 = time.perf_counter()
    if write:
        for fw in ("torch", "paddle"):
            if not runners.available(fw):
                print(f"--write needs both torch and paddle: {fw} is missing", file=sys.stderr)
                return 2
        golden.write(path, entries, progress=lambda name: bar.update(next(count), name))
        bar.close()
        print(f"wrote goldens for {len(entries)} schedules to {path} in {time.perf_counter() - t0:.1f} s")
        return 0
    failures, notes = golden.check(path, entries, progress=lambda name: bar.update(next(count), name))
    bar.close()
    for note in notes:
        print(note)
    for f in failures:
        print(f"DRIFT {f}")
    status = f"{len(failures)} drift(s)" if failures else "OK"
    print(f"golden check {path}: {len(entries)} schedules, {status} ({time.perf_counter() - t0:.1f} s)")
    return 1 if failures else 0
