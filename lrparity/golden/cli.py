"""lrparity golden record|check: golden files for your own schedules, checked in CI.

  lrparity golden record CONFIG... -o ci/lr-golden.npz [--steps N] [--base-lr LR] [--steps-per-epoch N]
  lrparity golden check ci/lr-golden.npz [--update] [--allow-skips]

`record` stores, for each CONFIG (a schedule config file, a bundled example, a PaddleOCR config, a KIND:CONFIG
recipe), its lr curve on every path that runs here: core, torch, paddle (dygraph), paddle-static (a prefix,
--static-steps, the float32 lr variable), torch-native and paddle-native (where lrparity.to_native can express
the schedule), bit-exact, with the versions of lrparity, numpy, torch and paddle and a hash of each config file.

`check` reads every config again from its path as it is now, recomputes every recorded path and prints one line
per problem:

  DRIFT <config> / <backend>: first differing step K: expected X, got Y (max rel R over N steps): ...; <cause>
      <cause>: "the config changed since recording", or "the same config now computes differently" and which
      version (lrparity, numpy, torch, paddle, python, machine) changed since recording
  ERROR <config>: cannot be read now: ...             (also: a recorded native that to_native cannot build now)
  SKIPPED <config> / <backend>: torch is not installed
  NOTE ...                                              (informational; never fails)

exit status: 0 every recorded path was checked and is bit-identical; 1 a DRIFT or an ERROR, or a SKIPPED path
(a path that could not be checked is not a pass; --allow-skips accepts skips); 2 usage error or a file that is
not a golden. `check --update` prints what it found, then records every config again (same steps and options)
into the file after an intended change, and exits 0.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

from lrparity.cli import MAX_STEPS, CliError, check_range, check_writable

__all__ = ["register"]

MAX_GOLDEN_STEPS = 1_000_000
MAX_STATIC_STEPS = 100_000


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``golden record`` and ``golden check`` to ``lrparity``'s subparsers."""
    p = subparsers.add_parser(
        "golden",
        help="record your schedules' lr curves on every path into a golden file; check them in CI",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(dest="golden_command", metavar="ACTION", required=True)
    rec = sub.add_parser(
        "record",
        help="record CONFIGs' curves into a golden file",
        description="Record each CONFIG's lr curve on every path that runs here into FILE (see lrparity golden -h).",
    )
    rec.add_argument("configs", nargs="+", metavar="CONFIG", help="config file, bundled example or KIND:CONFIG")
    rec.add_argument("-o", "--output", required=True, metavar="FILE", help="the golden file to write (.npz)")
    rec.add_argument(
        "--steps",
        type=int,
        default=None,
        metavar="N",
        help=f"steps per config, 1..{MAX_GOLDEN_STEPS} (default: its length, at most 10000; 1000 if it has none)",
    )
    rec.add_argument(
        "--base-lr",
        type=float,
        default=None,
        metavar="LR",
        help="base lr of relative schedules, >= 0 (default: the config's own, else 0.1)",
    )
    rec.add_argument(
        "--steps-per-epoch", type=int, default=None, metavar="N", help="batches per epoch, >= 1 (training-run configs)"
    )
    rec.add_argument(
        "--epochs", type=int, default=None, metavar="N", help="override the epochs of a training-run config"
    )
    rec.add_argument(
        "--static-steps",
        type=int,
        default=200,
        metavar="N",
        help=f"steps of the paddle static-graph path, 0..{MAX_STATIC_STEPS} (default 200; 0 turns it off)",
    )
    rec.set_defaults(func=_record)
    chk = sub.add_parser(
        "check",
        help="recompute every recorded path and compare (exit 1 on a drift)",
        description="Recompute every path recorded in FILE from the configs as they are now (see lrparity golden -h).",
    )
    chk.add_argument("file", metavar="FILE", help="a golden file written by lrparity golden record")
    chk.add_argument("--update", action="store_true", help="after an intended change: record everything again")
    chk.add_argument("--allow-skips", action="store_true", help="exit 0 when the only problems are paths skipped here")
    chk.add_argument(
        "--root",
        default=None,
        metavar="DIR",
        help="directory the config paths are relative to (default: where record ran, relative to FILE)",
    )
    chk.set_defaults(func=_check)
    return p


def _progress(total: int, label: str) -> tuple[Any, Any]:
    from lrparity.parity.report import Progress

    bar = Progress(total, label)
    count = [0]

    def tick(text: str) -> None:
        count[0] += 1
        bar.update(count[0], text)

    return bar, tick


def _record(args: argparse.Namespace) -> int:
    from lrparity import golden

    check_range("--steps", args.steps, 1, MAX_GOLDEN_STEPS)
    check_range("--static-steps", args.static_steps, 0, MAX_STATIC_STEPS)
    check_range("--base-lr", args.base_lr, 0.0)
    check_range("--steps-per-epoch", args.steps_per_epoch, 1, MAX_STEPS)
    check_range("--epochs", args.epochs, 1, MAX_STEPS)
    if len(set(args.configs)) != len(args.configs):
        twice = next(c for c in args.configs if args.configs.count(c) > 1)
        raise CliError(f"{twice}: given twice (each CONFIG is recorded once)")
    check_writable(args.output, "-o")
    os.environ.setdefault("GLOG_minloglevel", "2")
    t0 = time.perf_counter()
    bar, tick = _progress(len(args.configs) * len(golden.PATHS), "record")
    try:
        result = golden.record(
            args.configs,
            args.output,
            steps=args.steps,
            base_lr=args.base_lr,
            steps_per_epoch=args.steps_per_epoch,
            epochs=args.epochs,
            static_steps=args.static_steps,
            progress=tick,
        )
    finally:
        bar.close()
    for entry in result.entries:
        for path, why in entry["not_recorded"].items():
            if "not installed" in why:
                print(f"NOTE {entry['config']} / {path}: not recorded: {why}")
    paths = sum(len(e["paths"]) for e in result.entries)
    size = os.path.getsize(args.output)
    print(
        f"recorded {len(result.entries)} config(s), {paths} paths, to {args.output} "
        f"({size / 1024:.1f} KiB, {time.perf_counter() - t0:.1f} s)"
    )
    return 0


def _check(args: argparse.Namespace) -> int:
    from lrparity import golden

    if not os.path.isfile(args.file):
        raise CliError(f"{args.file}: no such file (record one with `lrparity golden record CONFIG... -o FILE`)")
    if args.root is not None and not os.path.isdir(args.root):
        raise CliError(f"--root {args.root}: no such directory")
    os.environ.setdefault("GLOG_minloglevel", "2")
    t0 = time.perf_counter()
    content = golden.read(args.file)
    bar, tick = _progress(sum(len(e["paths"]) for e in content.entries), "check")
    try:
        if args.update:
            check_writable(args.file, "--update")
            problems, new = golden.update(args.file, root=args.root, progress=tick)
        else:
            problems = golden.check(args.file, root=args.root, progress=tick, golden=content)
    finally:
        bar.close()
    for problem in problems:
        print(problem)
    elapsed = time.perf_counter() - t0
    counts = {k: sum(p.kind == k for p in problems) for k in ("DRIFT", "ERROR", "SKIPPED")}
    summary = ", ".join(f"{n} {k.lower()}" for k, n in counts.items() if n) or "every recorded path bit-identical"
    if args.update:
        print(f"updated {args.file}: {len(new.entries)} config(s) recorded again (before: {summary}; {elapsed:.1f} s)")
        return 0
    status = golden.exit_status(problems, allow_skips=args.allow_skips)
    verdict = "OK" if status == 0 else "FAILED"
    if counts["SKIPPED"] and not args.allow_skips:
        summary += " (skipped paths fail the check; --allow-skips accepts them)"
    print(f"golden check {args.file}: {verdict}: {len(content.entries)} config(s), {summary} ({elapsed:.1f} s)")
    sys.stdout.flush()
    return status
