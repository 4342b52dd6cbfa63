"""lrparity export CONFIG --to KIND: a schedule as the code or config another framework runs without lrparity.

CONFIG is anything ``lrparity show`` reads (a schedule config file, a bundled example, a training-run config a
plugin reads). ``--to torch`` prints a Python module defining ``build_scheduler(optimizer)``, which builds torch's
own schedulers computing the schedule; ``--to paddle`` one defining ``build_scheduler()`` for paddle's (see
:func:`lrparity.to_native_code`). Where no composition of the framework's schedulers computes the schedule, the
command says which part cannot be expressed and exits with status 2.

The kinds ``--to`` accepts are a table, :data:`EXPORT_TARGETS`: another module adds its own with
:func:`register_export_target` when it is imported (its ``cli`` module, as the commands are found).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lrparity.cli import MAX_STEPS, CliError, Loaded, check_range, check_writable, load_schedule
from lrparity.core.validation import closest_key_hint

__all__ = ["EXPORT_TARGETS", "ExportTarget", "register", "register_export_target"]


@dataclass(frozen=True)
class ExportTarget:
    """A kind ``lrparity export --to`` writes.

    Attributes:
        name: the ``--to`` value (a lower-case identifier).
        summary: what it writes, for the help (``"torch's schedulers, as Python"``).
        export: ``export(loaded, base_lr)``: the text written for a loaded CONFIG (``base_lr``: ``--base-lr``, or
            None); raises :class:`~lrparity.cli.CliError` or ValueError naming what it cannot express.
    """

    name: str
    summary: str
    export: Callable[[Loaded, float | None], str]


EXPORT_TARGETS: dict[str, ExportTarget] = {}
"""The kinds ``--to`` accepts, by name, in registration order."""


def register_export_target(target: ExportTarget) -> ExportTarget:
    """Let ``lrparity export --to <target.name>`` write ``target``'s kind (registered again: replaced)."""
    if not isinstance(target, ExportTarget):
        raise TypeError(f"register_export_target takes an ExportTarget, got {target!r}")
    EXPORT_TARGETS[target.name] = target
    return target


def _native_code(framework: str) -> Callable[[Loaded, float | None], str]:
    def export(loaded: Loaded, base_lr: float | None) -> str:
        import lrparity

        schedule = loaded.schedule
        if framework == "paddle":
            if schedule.uses_base_lr and base_lr is None:
                raise CliError(
                    f"--to paddle: {loaded.label} is relative (it scales a base lr): give --base-lr LR, paddle's "
                    "learning_rate"
                )
            if not schedule.uses_base_lr and base_lr is not None:
                raise CliError(f"--base-lr {base_lr!r}: {loaded.label} pins its own lr (an absolute schedule)")
        try:
            return lrparity.to_native_code(schedule, framework, learning_rate=base_lr)
        except ValueError as exc:
            raise CliError(f"--to {framework}: {loaded.label}: {exc}") from None

    return export


register_export_target(ExportTarget("torch", "torch's own schedulers, as Python", _native_code("torch")))
register_export_target(ExportTarget("paddle", "paddle's own scheduler, as Python", _native_code("paddle")))


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``export`` subcommand to ``lrparity``'s subparsers (its handler returns the exit status)."""
    p = subparsers.add_parser(
        "export",
        help="write a schedule as another framework's own code or config (--to torch|paddle|...)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("config", metavar="CONFIG", help="config file, bundled example or training-run config")
    p.add_argument("--to", required=True, metavar="KIND", help="what to write: torch, paddle, ... (see above)")
    p.add_argument(
        "--base-lr",
        type=float,
        default=None,
        metavar="LR",
        help="torch: the optimizer's lr, where the schedule pins one; paddle: the learning_rate of a relative "
        "schedule (required for one)",
    )
    p.add_argument(
        "--steps-per-epoch", type=int, default=None, metavar="N", help="batches per epoch, >= 1 (training-run configs)"
    )
    p.add_argument("--epochs", type=int, default=None, metavar="N", help="override the epochs of a training-run config")
    p.add_argument("-o", "--output", default=None, metavar="FILE", help="write to FILE instead of stdout")
    p.set_defaults(func=_cmd)
    return p


def _cmd(args: argparse.Namespace) -> int:
    target = EXPORT_TARGETS.get(args.to)
    if target is None:
        kinds = ", ".join(EXPORT_TARGETS)
        raise CliError(f"--to {args.to!r}: the kinds are {kinds}{closest_key_hint(args.to, EXPORT_TARGETS)}")
    check_range("--base-lr", args.base_lr, 0.0)
    check_range("--steps-per-epoch", args.steps_per_epoch, 1, MAX_STEPS)
    check_range("--epochs", args.epochs, 1, MAX_STEPS)
    if args.output:
        check_writable(args.output, "-o")
    loaded = load_schedule(args.config, steps_per_epoch=args.steps_per_epoch, epochs=args.epochs)
    text = target.export(loaded, args.base_lr)
    text = text if text.endswith("\n") else text + "\n"
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {target.summary} for {loaded.label} to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
