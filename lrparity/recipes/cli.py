"""``lrparity recipe KIND CONFIG``, ``KIND:CONFIG`` for every command, and ``lrparity export --to KIND``.

``lrparity recipe KIND CONFIG [--steps-per-epoch N] [--plot FILE] [--json]`` reads a training recipe of one of the
kinds of :mod:`lrparity.recipes` (``ppocr``, ``ppcls``, ``ppdet``, ``ppseg``, ``paddlenlp``, ``hf``, ``timm``,
``mmengine``) as its ecosystem's trainer runs it, and prints:

1. what the ecosystem builds from the config (its scheduler, the run's length and how the trainer steps it);
2. the torch and the paddle code that reproduces it: lrparity's (``lrparity.torch_scheduler(lrparity.from_config(
   {...}), optimizer)``, Python that runs as printed, laid out as ``ruff format`` lays it out), and the frameworks'
   own schedulers (:func:`lrparity.to_native_code`) where they can express it, else why not;
3. the warnings (keys the ecosystem accepts but ignores, quirks that change the values, repeated keys);
4. a parity table: lrparity's values against the ecosystem's real code (the kind's ``reference()``: transformers,
   timm, mmengine, the Paddle suites' own modules) at every update of the run, or ``skipped: <why>`` when that code
   is not installed (``--no-reference`` skips it).

``--json`` prints one JSON object instead; ``--plot FILE`` draws the lr of each update. Errors print one line and
exit with status 2.

Importing this module also lets ``show``, ``plot``, ``table`` (every command that reads a CONFIG) read
``KIND:CONFIG`` (``lrparity show ppdet:configs/ppyoloe/_base_/optimizer_300e.yml --steps-per-epoch 100``): the
recipe's schedule over its run of ``T`` optimizer updates (the default number of steps); and ``lrparity export
CONFIG --to KIND`` write any schedule (a ``KIND:CONFIG`` too) as a config of ``KIND`` in its own syntax (YAML, JSON
arguments, Python for mmengine), or say what the format cannot express.
"""

from __future__ import annotations

import argparse
import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from lrparity.cli import (
    MAX_STEPS,
    CliError,
    ConfigSource,
    Loaded,
    LoadRequest,
    check_image_output,
    check_range,
    example_path,
    plot_curve,
    register_config_source,
)
from lrparity.cli.python_text import python_literal
from lrparity.parity.report import differences, table_steps
from lrparity.recipes import KINDS
from lrparity.recipes.runs import FORMATS, REFERENCES, SUITES, RecipeRun, describe, export_context, pinned_base_lr

__all__ = ["load_recipe", "recipe_report", "register", "run"]

MAX_ROWS = 1000
"""Most rows of the parity table (``--rows``)."""

PEAK_RTOL = 1e-12
"""A difference within ``PEAK_RTOL`` times the run's peak lr counts as equal (two correct cosine formulas differ by a
few 1e-12 relative where the cosine nears 0; see the recipes' docs)."""


def register(subparsers: Any) -> None:
    """Add the ``recipe`` subcommand to the main ``lrparity`` parser's subparsers."""
    p = subparsers.add_parser(
        "recipe",
        help="a training recipe (PaddleClas, PaddleDetection, HF, timm, mmengine, ...) as exact torch/paddle code, "
        "with a parity table against the ecosystem's own code",
        description=__doc__.split("\n\n")[1] if __doc__ else None,
    )
    p.add_argument("kind", choices=KINDS, metavar="KIND", help=f"the recipe's ecosystem: {', '.join(KINDS)}")
    p.add_argument("config", metavar="CONFIG", help="the ecosystem's own config file (its includes are resolved)")
    p.add_argument(
        "--steps-per-epoch",
        type=int,
        default=None,
        metavar="N",
        help="len(train_dataloader): iterations per epoch per card, >= 1 (epoch-based recipes)",
    )
    p.add_argument(
        "--plot", default=None, metavar="FILE.png", help="write the lr curve as an image (format from the extension)"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.add_argument("--no-reference", action="store_true", help="skip the parity run against the ecosystem's code")
    p.add_argument(
        "--reference-steps",
        type=int,
        default=None,
        metavar="N",
        help="compare the first N updates only (default: the whole run)",
    )
    p.add_argument(
        "--rows", type=int, default=8, metavar="K", help=f"rows of the parity table, 1..{MAX_ROWS} (default 8)"
    )
    p.set_defaults(func=run)


# -- KIND:CONFIG as a CONFIG of every command ----------------------------------------------------------------------
def _config_path(kind: str, target: str) -> Path:
    path = Path(target)
    if not target:
        raise CliError(f"{kind}:CONFIG: give the path of the {SUITES[kind]} config after '{kind}:'")
    example = example_path(target) if kind == "ppocr" and not path.exists() else None
    if example is not None:  # a bundled PaddleOCR example (lrparity list)
        return example
    if not path.exists():
        raise CliError(f"{target}: no such file (the {SUITES[kind]} config of {kind}:{target})")
    if path.is_dir():
        raise CliError(f"{target}: is a directory, not a {SUITES[kind]} config")
    return path


def _describe(kind: str, path: Path, steps_per_epoch: int | None) -> RecipeRun:
    """:func:`~lrparity.recipes.runs.describe`, with the option to give named where the kind needs steps per epoch."""
    try:
        return describe(kind, str(path), steps_per_epoch=steps_per_epoch)
    except ValueError as exc:
        if steps_per_epoch is None and "steps_per_epoch" in str(exc):
            raise CliError(f"{path}: {' '.join(str(exc).split())}: give --steps-per-epoch N") from None
        raise


def _check_updates(label: str, recipe: RecipeRun) -> None:
    if recipe.updates is not None and recipe.updates > MAX_STEPS:
        raise CliError(f"{label}: the run is {recipe.updates} updates; lrparity evaluates at most {MAX_STEPS}")


def load_recipe(request: LoadRequest) -> Loaded:
    """A ``KIND:CONFIG`` argument as the command line's :class:`~lrparity.cli.Loaded`: the recipe's schedule over its
    run (``T`` optimizer updates: the default number of steps of ``show``/``plot``/``table``), with its warnings as
    notes. ``--steps-per-epoch`` is passed to the kind; ``--epochs`` is refused (the recipe's config sets the run)."""
    kind, target = request.kind, request.target
    assert kind is not None and target is not None
    if request.epochs is not None:
        raise CliError(
            f"--epochs {request.epochs}: {request.spec} is a {SUITES[kind]} recipe, whose config sets the run "
            "(change it there)"
        )
    path = _config_path(kind, target)
    recipe = _describe(kind, path, request.steps_per_epoch)
    if recipe.metric_driven:
        raise CliError(
            f"{request.spec}: {SUITES[kind]} builds a metric-driven {type(recipe.schedule).__name__} (it follows the "
            f"metric of each evaluation, not the step): nothing to plot; `lrparity recipe {kind} {target}` prints it"
        )
    _check_updates(request.spec, recipe)
    return Loaded(
        label=request.spec,
        source=str(path),
        schedule=recipe.schedule,
        base_lr=None,
        length=recipe.updates,
        steps_per_epoch=recipe.updates_per_epoch,
        epochs=recipe.epochs,
        notes=recipe.warnings,
        run=recipe.updates is not None,
    )


register_config_source(
    ConfigSource(
        name="recipe",
        load=load_recipe,
        prefixes=KINDS,
        summary=f"KIND:CONFIG (a training recipe; KIND one of {', '.join(KINDS)}: lrparity recipe --help)",
    )
)


# -- lrparity export --to KIND ---------------------------------------------------------------------------------------
def _run_length(loaded: Loaded) -> int | None:
    """The updates of the run ``loaded`` describes: a recipe's ``T``, ``--epochs x --steps-per-epoch``, or the
    schedule's own length."""
    if loaded.run:
        return loaded.length
    if loaded.epochs is not None and loaded.steps_per_epoch is not None:
        return loaded.epochs * loaded.steps_per_epoch
    return loaded.length


def _exporter(kind: str) -> Any:
    def export(loaded: Loaded, base_lr: float | None) -> str:
        from lrparity.recipes import export as export_recipe
        from lrparity.recipes import module

        schedule = loaded.schedule
        relative = bool(getattr(schedule, "uses_base_lr", False))
        if base_lr is not None and not relative:
            raise CliError(f"--base-lr {base_lr!r}: {loaded.label} pins its own lr (an absolute schedule)")
        if relative and base_lr is None:
            raise CliError(
                f"--to {kind}: {loaded.label} is relative (it scales a base lr): give --base-lr LR, the recipe's "
                "learning rate"
            )
        try:
            context = export_context(
                kind,
                schedule,
                updates=_run_length(loaded),
                steps_per_epoch=loaded.steps_per_epoch,
                base_lr=base_lr,
            )
        except ValueError as exc:
            raise CliError(f"--to {kind}: {exc}: give --steps-per-epoch N") from None
        try:
            config = export_recipe(schedule, kind, **context)
            return str(module(kind).dumps(config))
        except NotImplementedError:
            raise CliError(f"--to {kind}: lrparity cannot write {SUITES[kind]} configs yet") from None
        except ValueError as exc:
            raise CliError(f"--to {kind}: {loaded.label}: {exc}") from None

    return export


def _register_export_targets() -> None:
    from lrparity.backends.cli import ExportTarget, register_export_target

    for kind in KINDS:
        register_export_target(ExportTarget(kind, f"a {FORMATS[kind]}", _exporter(kind)))


_register_export_targets()


# -- the Python snippets ------------------------------------------------------------------------------------------
def _schedule_lines(schedule: Any, imports: set[str]) -> list[str]:
    return [
        "schedule = lrparity.from_config(",
        f"    {python_literal(schedule.to_config(), imports, 4, explode=True)}",
        ")",
    ]


def _head(framework: str, imports: set[str]) -> list[str]:
    stdlib = [f"import {m}" for m in sorted(imports)]
    return [*stdlib, *([""] if stdlib else []), f"import {framework}", "", "import lrparity", ""]


def torch_snippet(recipe: RecipeRun) -> str:
    """The Python that drives a torch optimizer with the recipe's lr (it runs as printed; ruff-formatted)."""
    imports: set[str] = set()
    body = _schedule_lines(recipe.schedule, imports)
    body.append("model = torch.nn.Linear(4, 2)  # stands for your model")
    if recipe.metric_driven:
        body += [
            "optimizer = torch.optim.SGD(model.parameters(), lr=schedule.start_lr)  # your optimizer",
            "scheduler = lrparity.torch_scheduler(schedule, optimizer)",
            "# after each evaluation: scheduler.step(metric)",
        ]
    else:
        body += [
            "optimizer = torch.optim.SGD(model.parameters(), lr=schedule.value(0))  # your optimizer; the scheduler "
            "sets its lr",
            "scheduler = lrparity.torch_scheduler(schedule, optimizer)",
            f"# after each optimizer update: optimizer.step(); scheduler.step(){_updates_note(recipe)}",
        ]
    return "\n".join(_head("torch", imports) + body)


def paddle_snippet(recipe: RecipeRun) -> str:
    """The Python that gives a paddle optimizer the recipe's lr (it runs as printed; ruff-formatted)."""
    imports: set[str] = set()
    body = _schedule_lines(recipe.schedule, imports)
    body += [
        "scheduler = lrparity.paddle_scheduler(schedule)",
        "model = paddle.nn.Linear(4, 2)  # stands for your model",
        "optimizer = paddle.optimizer.SGD(learning_rate=scheduler, parameters=model.parameters())  # your optimizer",
    ]
    if recipe.metric_driven:
        body.append("# after each evaluation: scheduler.step(metric)")
    else:
        body.append(f"# after each optimizer update: optimizer.step(); scheduler.step(){_updates_note(recipe)}")
    return "\n".join(_head("paddle", imports) + body)


def _updates_note(recipe: RecipeRun) -> str:
    return f"  ({recipe.updates} updates)" if recipe.updates is not None else ""


def native_code(schedule: Any, framework: str) -> tuple[str | None, str | None]:
    """``(code, None)``: :func:`lrparity.to_native_code` of the schedule for ``framework`` (with the pinned base lr as
    the torch optimizer's lr where torch needs it), or ``(None, why)`` where the framework's schedulers cannot
    express it."""
    import lrparity

    tries: list[float | None] = [None]
    base = pinned_base_lr(schedule)
    if framework == "torch" and base is not None:
        tries.append(base)
    why = ""
    for lr in tries:
        try:
            return lrparity.to_native_code(schedule, framework, learning_rate=lr), None
        except (ValueError, TypeError) as exc:
            why = " ".join(str(exc).split())
    return None, why


# -- parity -------------------------------------------------------------------------------------------------------
def _parity(kind: str, path: Path, recipe: RecipeRun, spe: int | None, steps: int, rows: int) -> dict[str, Any]:
    from lrparity.recipes import module

    ours = recipe.schedule.values(range(steps))
    try:
        from lrparity.parity.runners import quiet_paddle
    except ImportError:  # pragma: no cover - the parity package is part of lrparity
        import contextlib

        quiet_paddle = contextlib.nullcontext  # type: ignore[assignment]
    with warnings.catch_warnings(), quiet_paddle():
        warnings.simplefilter("ignore")  # the recipe's warnings are reported once, above
        ref = np.asarray(module(kind).reference(str(path), steps_per_epoch=spe, steps=steps), dtype=np.float64)
    if ref.shape != ours.shape:
        raise CliError(f"{kind} reference gave {ref.size} values for {steps} updates")
    diff, rel = differences(ours, ref)
    peak = float(np.max(np.abs(ref), initial=0.0))
    return {
        "reference": REFERENCES[kind],
        "steps": steps,
        "identical_steps": int(np.sum(ours == ref)),
        "max_abs_diff": float(diff.max(initial=0.0)),
        "max_rel_diff": float(rel.max(initial=0.0)),
        "max_diff_over_peak": float(diff.max(initial=0.0) / peak) if peak > 0 else 0.0,
        "within_peak_rtol": bool(np.all(diff <= PEAK_RTOL * peak)),
        "rows": [
            {"update": k, "lrparity": float(ours[k]), "reference": float(ref[k]), "abs_diff": float(diff[k])}
            for k in table_steps(steps, diff, rows)
        ],
    }


def _parity_or_skip(kind: str, path: Path, recipe: RecipeRun, args: argparse.Namespace) -> dict[str, Any] | str:
    if args.no_reference:
        return "skipped (--no-reference)"
    if recipe.metric_driven:
        return (
            f"skipped: a metric-driven {type(recipe.schedule).__name__} follows the metric of each evaluation, not "
            f"the update count (parity_tests/test_recipes_{kind}.py feeds lrparity and {REFERENCES[kind]} the same "
            "metrics)"
        )
    if recipe.updates is None:
        return "skipped: the config does not fix the run's length"
    steps = recipe.updates if args.reference_steps is None else min(recipe.updates, args.reference_steps)
    try:
        return _parity(kind, path, recipe, args.steps_per_epoch, steps, args.rows)
    except ImportError as exc:
        return f"skipped: {REFERENCES[kind]} cannot be imported ({' '.join(str(exc).split())})"


def recipe_report(kind: str, path: Path, recipe: RecipeRun, args: argparse.Namespace) -> dict[str, Any]:
    """What ``lrparity recipe`` reports (the ``--json`` object)."""
    frameworks: dict[str, Any] = {}
    for framework, snippet in (("torch", torch_snippet), ("paddle", paddle_snippet)):
        code, why = native_code(recipe.schedule, framework)
        frameworks[framework] = {"lrparity": snippet(recipe), "native": code, "native_unavailable": why}
    return {
        "kind": kind,
        "suite": SUITES[kind],
        "config": str(path),
        "steps_per_epoch": args.steps_per_epoch,
        "updates": recipe.updates,
        "updates_per_epoch": recipe.updates_per_epoch,
        "epochs": recipe.epochs,
        "builds": list(recipe.builds),
        "metric_driven": recipe.metric_driven,
        "schedule": recipe.schedule.to_config(),
        "warnings": list(recipe.warnings),
        "torch": frameworks["torch"],
        "paddle": frameworks["paddle"],
        "parity": _parity_or_skip(kind, path, recipe, args),
    }


def run(args: argparse.Namespace) -> int:
    """The ``recipe`` subcommand; returns the exit status (0). Errors raise CliError/ValueError (one line, exit 2)."""
    check_range("--steps-per-epoch", args.steps_per_epoch, 1, MAX_STEPS)
    check_range("--reference-steps", args.reference_steps, 1, MAX_STEPS)
    check_range("--rows", args.rows, 1, MAX_ROWS)
    path = _config_path(args.kind, args.config)
    plot_format = check_image_output(args.plot, "--plot") if args.plot else None
    recipe = _describe(args.kind, path, args.steps_per_epoch)
    _check_updates(str(path), recipe)
    if args.plot and (recipe.metric_driven or recipe.updates is None):
        raise CliError(f"--plot: {path} has no curve of the update count to draw (metric-driven, or no run length)")
    result = recipe_report(args.kind, path, recipe, args)
    if args.plot:
        lrs = recipe.schedule.values(range(recipe.updates))
        _plot(args.plot, plot_format, lrs, f"{path.name}: {SUITES[args.kind]}, {recipe.updates} updates")
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        _print_report(result, args.plot)
    return 0


def _print_report(result: dict[str, Any], plot: str | None) -> None:
    suite = result["suite"]
    run_text = f"{result['updates']} optimizer updates" if result["updates"] is not None else "no fixed run length"
    print(f"# {result['kind']} {result['config']}: {suite}, {run_text}")
    print(f"\n## what {suite} builds\n")
    for line in result["builds"]:
        print(f"- {line}")
    for framework in ("torch", "paddle"):
        block = result[framework]
        print(f"\n## {framework}: lrparity (Python)\n")
        print(block["lrparity"])
        print(f"\n## {framework}: its own schedulers, no lrparity needed (Python)\n")
        print(block["native"] if block["native"] is not None else f"not expressible: {block['native_unavailable']}")
    print("\n## schedule config (JSON)\n")
    print(json.dumps(result["schedule"]))
    print("\n## warnings\n")
    for w in result["warnings"] or ["(none)"]:
        print(f"- {w}")
    parity = result["parity"]
    if isinstance(parity, str):
        print(f"\n## parity against {REFERENCES[result['kind']]}\n")
        print(parity)
    else:
        print(f"\n## parity against {parity['reference']}\n")
        print(f"{'update':>8}  {'lrparity':>24}  {'reference':>24}  {'abs diff':>10}")
        for r in parity["rows"]:
            print(f"{r['update']:>8}  {r['lrparity']!r:>24}  {r['reference']!r:>24}  {r['abs_diff']:>10.3g}")
        verdict = "equal" if parity["within_peak_rtol"] else "DIFFERENT"
        print(
            f"\n{parity['identical_steps']}/{parity['steps']} updates bit-identical; largest difference "
            f"{parity['max_abs_diff']:.3g} absolute, {parity['max_rel_diff']:.3g} relative, "
            f"{parity['max_diff_over_peak']:.3g} of the peak lr ({verdict} within {PEAK_RTOL:g} of the peak lr)"
        )
    if plot:
        print(f"\nwrote {plot}")


def _plot(path: str, image_format: str | None, lrs: np.ndarray, title: str) -> None:
    plot_curve(path, image_format, lrs, title, xlabel="optimizer update")
