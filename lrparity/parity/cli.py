"""lrparity parity CONFIG: run one schedule through the core, both backends and the natives; print a table.

CONFIG is a schedule config file (YAML/JSON), a bundled example (see `lrparity list`), a parity catalogue
name (see `lrparity parity --list`) or a PaddleOCR config (give --steps-per-epoch; `lrparity ppocr` compares it
with PaddleOCR's own Paddle schedulers). Each row is one execution path, compared step by step with the core:

  core           the reference: schedule.values() in float64
  torch, paddle  the lrparity backends (torch param_groups[0]["lr"], paddle dygraph optimizer.get_lr());
                 must be bit-identical to the core
  paddle-static  the lr variable a paddle static-graph program uses at each Executor.run; must equal the core
                 cast to the variable's dtype (float32); runs --static-steps steps (each step is a program run)
  torch-native,  the framework's own scheduler, where one means the same schedule: bit-identical for closed-form
  paddle-native  natives, within 1e-12 relative for recursive ones

A framework that is not installed is reported as skipped (not a failure).

exit status: 0 every path that ran agrees; 1 a path differs (the table says where); 2 usage or config error.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

import numpy as np

from lrparity.parity import runners
from lrparity.parity.report import Progress, compare, format_table

__all__ = ["MAX_PARITY_STEPS", "MAX_STATIC_STEPS", "main", "register", "run_parity"]

MAX_PARITY_STEPS = 1_000_000
"""Most steps ``lrparity parity`` runs (every path steps a real scheduler once per step)."""

MAX_STATIC_STEPS = 100_000
"""Most steps of the paddle static-graph run (one ``Executor.run`` per step)."""


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
        "--steps-per-epoch", type=int, default=None, metavar="N", help="batches per epoch, >= 1 (PaddleOCR configs)"
    )
    p.add_argument("--epochs", type=int, default=None, metavar="N", help="override Global.epoch_num (PaddleOCR)")
    p.add_argument(
        "--plot",
        default=None,
        metavar="FILE.png",
        help="also write an image (format from the extension): the lr curves, and each path minus what it must "
        "equal (the core; float32(core) for paddle-static)",
    )
    p.add_argument("--list", action="store_true", help="list the parity catalogue names and exit")


def _resolve(
    spec: str, base_lr: float | None, steps_per_epoch: int | None = None, epochs: int | None = None
) -> tuple[str, Any, float | None, int | None, Any, Any]:
    """(label, schedule, base_lr, steps, torch native, paddle native)."""
    from lrparity.parity import catalogue, natives

    names = {e.name for e in catalogue.CATALOGUE}
    from lrparity.cli import CliError, _example_path, example_names, load_schedule

    looks_like_path = os.sep in spec or "/" in spec or os.path.splitext(spec)[1].lower() in (".yaml", ".yml", ".json")
    if spec not in names and _example_path(spec) is None and not os.path.exists(spec) and not looks_like_path:
        import difflib

        close = difflib.get_close_matches(spec, [*example_names(), *names], n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise CliError(
            f"{spec!r} is neither a config file, a bundled example (lrparity list) nor a parity catalogue name "
            f"(lrparity parity --list){hint}"
        )
    if spec in names and _example_path(spec) is None:
        if steps_per_epoch is not None or epochs is not None:
            raise CliError(
                f"{spec!r} is a parity catalogue entry: --steps-per-epoch and --epochs are for PaddleOCR configs"
            )
        e = catalogue.get(spec)
        # the reference native is held to the entry's rtol, the other one to the recursive-native tolerance
        tn = (e.torch_native, e.rtol if e.reference == "torch" else 1e-12) if e.torch_native else None
        pn = (e.paddle_native, e.rtol if e.reference == "paddle" else 1e-12) if e.paddle_native else None
        return f"catalogue:{e.name}", e.schedule, e.base_lr, e.steps, tn, pn
    loaded = load_schedule(spec, steps_per_epoch=steps_per_epoch, epochs=epochs)
    if not loaded.is_run and (steps_per_epoch is not None or epochs is not None):
        raise CliError(f"{loaded.source}: --steps-per-epoch and --epochs are for PaddleOCR configs; this is a schedule")
    schedule = loaded.schedule
    if base_lr is not None and not schedule.uses_base_lr:
        raise CliError(
            f"--base-lr {base_lr!r}: {loaded.label} pins its own lr (an absolute schedule); --base-lr sets the base "
            "of relative schedules only"
        )
    base = base_lr if base_lr is not None else (0.1 if schedule.uses_base_lr else None)
    return (
        loaded.label,
        schedule,
        base,
        loaded.length,
        natives.torch_native(schedule, base),
        natives.paddle_native(schedule, base),
    )


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
) -> int:
    """Run ``spec`` through every path, print the table to ``out`` (stdout), return 0 (all agree) or 1.

    ``steps_per_epoch`` and ``epochs`` read a PaddleOCR config as ``lrparity show`` does (the run's length is then
    the default ``steps``). Option values are checked, and ``plot_path`` tried for writing, before anything runs.
    """
    from lrparity.cli import MAX_STEPS, check_image_output, check_range

    out = out if out is not None else sys.stdout
    check_range("--steps", steps, 1, MAX_PARITY_STEPS)
    check_range("--static-steps", static_steps, 0, MAX_STATIC_STEPS)
    check_range("--base-lr", base_lr, 0.0)
    check_range("--steps-per-epoch", steps_per_epoch, 1, MAX_STEPS)
    check_range("--epochs", epochs, 1, MAX_STEPS)
    if plot_path:
        check_image_output(plot_path, "--plot")
    os.environ.setdefault("GLOG_minloglevel", "2")  # paddle's static-graph executor logs to stderr otherwise
    label, schedule, base, length, tn, pn = _resolve(spec, base_lr, steps_per_epoch, epochs)
    n = steps if steps is not None else min(length or 1000, 10_000)
    paths = (
        ["core", "torch", "paddle", "paddle-static"]
        + (["torch-native"] if tn else [])
        + (["paddle-native"] if pn else [])
    )
    work = {p: (min(n, static_steps) if p == "paddle-static" else n) for p in paths}
    bar = Progress(sum(work.values()), label)
    done = 0

    def tick(path: str) -> Any:
        return lambda k: bar.update(done + k, f"{label}: {path}")

    curves: dict[str, np.ndarray] = {}
    compared_with: dict[str, tuple[str, np.ndarray]] = {}  # for the plot, where a path is not held to the core
    rows: list[dict[str, Any]] = []
    core = runners.run_core(schedule, base, n)
    curves["core"] = core
    rows.append({"backend": "core", "diff": compare(core, core), "status": "reference"})
    failed = False
    for path in paths[1:]:
        try:
            if path == "torch":
                got = runners.run_torch(schedule, base, n, tick(path))
                rtol, expected = 0.0, core
            elif path == "paddle":
                got = runners.run_paddle(schedule, base, n, tick(path))
                rtol, expected = 0.0, core
            elif path == "paddle-static":
                if work[path] == 0:
                    rows.append({"backend": path, "diff": None, "status": "off (--static-steps 0)"})
                    continue
                got = runners.run_paddle_static(schedule, base, work[path], tick(path))
                rtol, expected = 0.0, core[: work[path]].astype(np.float32).astype(np.float64)
                compared_with[path] = ("float32(core)", expected)
            elif path == "torch-native":
                got = runners.run_torch_native(tn[0], base, n, tick(path))
                rtol, expected = tn[1], core
            else:
                got = runners.run_paddle_native(pn[0], n, tick(path))
                rtol, expected = pn[1], core
        except runners.Skipped as exc:
            rows.append({"backend": path, "diff": None, "status": str(exc)})
            continue
        finally:
            done += work[path]
        curves[path] = got
        d = compare(expected, got, rtol)
        if d.ok:
            status = "bit-identical" if d.identical else f"ok (rel <= {rtol:g}: recursive native)"
            if path == "paddle-static":
                status += " (float32 lr var)" if d.identical else ""
        else:
            failed = True
            status = f"MISMATCH (allowed rel {rtol:g})"
        rows.append({"backend": path, "diff": d, "status": status})
    bar.close()
    print(f"lrparity parity: {label}  ({schedule.to_config()['type']}, base_lr={base}, {n} steps)", file=out)
    print(format_table(rows), file=out)
    for r in rows:
        if r["diff"] is not None and not r["diff"].ok:
            print(f"  {r['backend']}: {r['diff'].describe()}", file=out)
    if plot_path:
        from lrparity.parity.report import plot

        plot(curves, "core", plot_path, title=f"lrparity parity: {label}", compared_with=compared_with)
        print(f"plot written to {plot_path}", file=out)
    print("MISMATCH" if failed else "OK: every path agrees", file=out)
    return 1 if failed else 0


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
    from lrparity.cli import CliError

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
