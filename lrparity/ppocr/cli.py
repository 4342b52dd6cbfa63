"""``lrparity ppocr CONFIG --steps-per-epoch N [--plot FILE]``: migrate a PaddleOCR config's lr schedule.

CONFIG is a PaddleOCR training config (or a bundled example, ``lrparity list``). It is read as PaddleOCR reads it
(PyYAML's YAML 1.1 rules, so ``1e-4`` is a string, as PaddleOCR's ``yaml.Loader`` sees it) but with a safe loader:
nothing in the file is executed, and python tags are refused (:func:`lrparity.core.config_files.read_config_file`).
From ``Global.epoch_num`` and ``Optimizer`` it prints:

1. the torch equivalent: the Python to paste (it runs as printed) and the schedule's lrparity JSON config;
2. the warnings (keys PaddleOCR ignores, silent defaults, a warmup longer than the run);
3. a parity table: lrparity's values against a native Paddle scheduler built the PaddleOCR way
   (:mod:`lrparity.ppocr.reference`), at a few steps plus the largest difference over the whole run (needs
   paddle; skipped with a note when paddle is missing or ``--no-paddle`` is given).

``--plot FILE`` writes the lr curve as an image whose format the extension names (matplotlib, Agg backend).

Importing this module also registers PaddleOCR training configs as a config source of the ``lrparity`` command
line (:func:`lrparity.cli.register_config_source`): ``show``, ``plot``, ``table`` and ``parity`` then read a file
with PaddleOCR's top-level sections as the training run its ``Optimizer`` block and ``Global.epoch_num`` describe
(``--steps-per-epoch`` required).
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Mapping
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
    plot_curve,
    register_config_source,
    resolve_config,
)
from lrparity.cli.python_text import python_literal
from lrparity.core.config_files import ConfigFileError
from lrparity.parity.report import differences, table_steps
from lrparity.ppocr.schedules import CONFIG_SECTIONS

__all__ = ["is_ppocr_config", "load_training_run", "read_training_config", "register", "run"]

MAX_ROWS = 1000
"""Most rows of the parity table (``--rows``)."""


def register(subparsers: Any) -> None:
    """Add the ``ppocr`` subcommand to the main ``lrparity`` parser's subparsers."""
    p = subparsers.add_parser(
        "ppocr",
        help="a PaddleOCR config's Optimizer block as a torch optimizer + lrparity schedule, with a parity table",
        description="Read Global.epoch_num and Optimizer from a PaddleOCR config; print the torch equivalent, the "
        "ignored-key warnings and a parity table against a native Paddle run built the PaddleOCR way.",
    )
    p.add_argument("config", metavar="CONFIG.yml", help="a full PaddleOCR training config, or a bundled example")
    p.add_argument(
        "--steps-per-epoch",
        type=int,
        required=True,
        metavar="N",
        help="iterations per epoch (len(train_dataloader) per card), >= 1",
    )
    p.add_argument("--epochs", type=int, default=None, metavar="N", help="override Global.epoch_num, >= 1")
    p.add_argument(
        "--plot", default=None, metavar="FILE.png", help="write the lr curve as an image (format from the extension)"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.add_argument("--no-paddle", action="store_true", help="skip the parity run against paddle")
    p.add_argument(
        "--rows", type=int, default=8, metavar="K", help=f"rows of the parity table, 1..{MAX_ROWS} (default 8)"
    )
    p.set_defaults(func=run)


def read_training_config(path: str | os.PathLike[str], epochs: int | None = None) -> tuple[Mapping[str, Any], int]:
    """``(Optimizer block, epochs)`` of a PaddleOCR training config file, read as PaddleOCR reads it.

    ``epochs`` overrides ``Global.epoch_num``. Raises :class:`~lrparity.core.config_files.ConfigFileError` (a
    ValueError naming the file) when the file cannot be read, has no ``Optimizer`` section, or has no usable
    ``Global.epoch_num`` (an int >= 1) and no ``epochs`` is given.
    """
    from lrparity.ppocr import read_config

    data = read_config(path)  # the values PaddleOCR's loader gives, nothing executed
    if not isinstance(data, Mapping):
        raise ConfigFileError(
            path, f"not a PaddleOCR config (a mapping with Global and Optimizer sections), got a {type(data).__name__}"
        )
    if "Optimizer" not in data:
        raise ConfigFileError(path, "no 'Optimizer' section (is this a PaddleOCR training config?)")
    optimizer_cfg = data["Optimizer"]
    if not isinstance(optimizer_cfg, Mapping):
        raise ConfigFileError(path, f"the Optimizer section must be a mapping, got {optimizer_cfg!r}")
    if epochs is not None:
        return optimizer_cfg, epochs
    glob = data.get("Global")
    if glob is not None and not isinstance(glob, Mapping):
        raise ConfigFileError(path, f"the Global section must be a mapping, got {glob!r}")
    epochs = (glob or {}).get("epoch_num")
    if epochs is None:
        raise ConfigFileError(path, "no Global.epoch_num; give --epochs N")
    if not isinstance(epochs, int) or isinstance(epochs, bool) or epochs < 1:
        raise ConfigFileError(
            path,
            f"Global.epoch_num = {epochs!r} must be an int >= 1 (PaddleOCR's training loop runs "
            "range(start_epoch, epoch_num + 1)); or give --epochs N",
        )
    return optimizer_cfg, epochs


# -- PaddleOCR configs as a CONFIG of every command ---------------------------------------------------------------
def is_ppocr_config(data: Any) -> bool:
    """Whether ``data`` (a file's content) is a PaddleOCR training config rather than a schedule config: a mapping
    with one of PaddleOCR's top-level sections (:data:`~lrparity.ppocr.schedules.CONFIG_SECTIONS`) and no ``type``.
    """
    return isinstance(data, Mapping) and "type" not in data and any(k in data for k in CONFIG_SECTIONS)


def _check_run_length(path: Any, epochs: int, steps_per_epoch: int, command: str = "lrparity") -> None:
    total = epochs * steps_per_epoch
    if total > MAX_STEPS:
        raise CliError(
            f"{path}: the run is {total} steps ({epochs} epochs x {steps_per_epoch}); {command} evaluates at most "
            f"{MAX_STEPS} steps"
        )


def load_training_run(request: LoadRequest) -> Loaded:
    """A PaddleOCR config file as the command line's :class:`~lrparity.cli.Loaded`: the lr schedule of its run.

    The file is read again as PaddleOCR reads it (YAML 1.1 floats: ``1e-4`` is a string), so that lrparity sees
    the values PaddleOCR sees; the run is ``Global.epoch_num`` (or ``--epochs``) x ``--steps-per-epoch`` steps.
    """
    from lrparity.ppocr import build_lr

    path = request.path
    optimizer_cfg, epochs = read_training_config(path, request.epochs)
    steps_per_epoch = request.steps_per_epoch
    if steps_per_epoch is None:
        raise CliError(
            f"{path} is a PaddleOCR config: give --steps-per-epoch N (batches per epoch per card, "
            "len(train_dataloader)); `lrparity ppocr` compares it with PaddleOCR's own Paddle schedulers"
        )
    _check_run_length(path, epochs, steps_per_epoch)
    build = build_lr(optimizer_cfg, epochs, steps_per_epoch)
    return Loaded(
        request.label, str(path), build.schedule, None, build.total_steps, steps_per_epoch, epochs, build.warnings
    )


register_config_source(
    ConfigSource(
        name="PaddleOCR",
        load=load_training_run,
        detect=is_ppocr_config,
        summary="a PaddleOCR config",
        epochs_key="Global.epoch_num",
    )
)


# -- the Python snippet -----------------------------------------------------------------------------------------
_literal = python_literal  # laid out as ruff formats it; shared with `lrparity recipe` (lrparity.cli.python_text)


def _python_snippet(
    optimizer_cfg: Any, epochs: int, steps_per_epoch: int, spec: Any, build: Any, optimizer_error: Any
) -> str:
    """The Python that builds the torch equivalent (it runs as printed; laid out as ruff formats it)."""
    imports = {"torch"}
    cfg = _literal(optimizer_cfg, imports, explode=True)
    body = [
        "model = torch.nn.Linear(4, 2)  # stands for your model (an nn.Module, or its named_parameters())",
        f"optimizer_cfg = {cfg}",
    ]
    if spec is not None:
        if spec.group_lr:
            body[0] = "model = your_visionlan_model  # group_lr needs VisionLAN's model.head.MLM_VRM"
        body.append(
            "optimizer, scheduler, pre_step = lrparity.ppocr.torch_optimizer(optimizer_cfg, model, "
            f"{epochs}, {steps_per_epoch})"
        )
        body += [f"# {line}" for line in _torch_summary(spec)]
        body.append("# or, only the schedule, driving an optimizer of your own (absolute lrs, no base lr):")
    else:
        body.append(f"# PaddleOCR cannot build this Optimizer block ({optimizer_error}); the schedule alone:")
    body += [
        "schedule = lrparity.from_config(",
        f"    {_literal(build.schedule.to_config(), imports, 4, explode=True)}",
        ")",
        "own_optimizer = torch.optim.SGD(model.parameters(), lr=schedule.value(0))  # your optimizer",
        "own_scheduler = lrparity.torch_scheduler(schedule, own_optimizer)",
        "# per iteration: loss.backward(); pre_step and pre_step(); optimizer.step(); optimizer.zero_grad();",
        "#                scheduler.step()   # once per ITERATION, not per epoch",
    ]
    stdlib = [f"import {m}" for m in sorted(imports - {"torch"})]
    head = [*stdlib, *([""] if stdlib else []), "import torch", ""]
    head += ["import lrparity", "import lrparity.ppocr", ""]
    return "\n".join(head + body)


def _torch_summary(spec: Any) -> list[str]:
    """The torch optimizer ``torch_optimizer`` builds, as written in the config, and the float32 values it holds."""
    from lrparity.paddle_optimizers.rounding import f32
    from lrparity.paddle_optimizers.spec import adamw_coeff

    name = spec.name
    coupled_l2 = float(spec.l2_coupled or 0.0)
    rounded: list[tuple[str, tuple[float, ...]]] = []  # (argument, values as written) that the optimizer rounds
    if name in ("Adam", "AdamW"):
        betas, eps = (float(spec.beta1), float(spec.beta2)), float(spec.epsilon)
        rounded += [("betas", betas), ("eps", (eps,))]
        if name == "Adam":
            optimizer = f"torch.optim.Adam(betas={betas}, eps={eps!r}, weight_decay={coupled_l2!r})"
            rounded.append(("weight_decay", (coupled_l2,)))
        else:
            optimizer = (
                f"torch.optim.AdamW(betas={betas}, eps={eps!r}, weight_decay={adamw_coeff(spec)!r}) "
                "(+ a weight_decay=0 group for excluded params)"
            )
    elif name == "Momentum":
        optimizer = f"torch.optim.SGD(momentum={float(spec.momentum)!r}, weight_decay={coupled_l2!r})"
        rounded += [("momentum", (float(spec.momentum),)), ("weight_decay", (coupled_l2,))]
    elif name == "Adadelta":
        optimizer = (
            f"torch.optim.Adadelta(rho={float(spec.rho)!r}, eps={float(spec.epsilon)!r}, weight_decay={coupled_l2!r})"
        )
        rounded += [("rho", (float(spec.rho),)), ("eps", (float(spec.epsilon),)), ("weight_decay", (coupled_l2,))]
    else:
        optimizer = (
            f"lrparity.ppocr.optimizers.PaddleRMSProp(rho={spec.rho!r}, eps={spec.epsilon!r}, "
            f"momentum={spec.momentum!r})"
        )
    if spec.clip_norm is not None:
        optimizer += f"; pre_step clips each tensor to {spec.clip_norm!r} (paddle ClipGradByNorm)"
    elif spec.clip_norm_global is not None:
        optimizer += f"; pre_step clips the global norm to {spec.clip_norm_global!r} (paddle ClipGradByGlobalNorm)"
    if spec.l1_coupled is not None:
        optimizer += f"; pre_step adds coupled L1 {spec.l1_coupled!r} * sign(p)"
    lines = [f"torch optimizer: {optimizer}"]
    if name == "RMSProp":
        lines.append("  it rounds rho, eps and momentum to the parameter dtype at each step, as Paddle's kernel does")
        return lines
    changed = [(arg, vals) for arg, vals in rounded if any(f32(v) != v for v in vals)]
    if changed:
        lines.append("  (values as written in the config; the optimizer holds their float32 roundings on purpose,")
        lines.append("  the values Paddle's kernels use:")
        for arg, vals in changed:
            held = f"({', '.join(repr(f32(v)) for v in vals)})" if len(vals) > 1 else repr(f32(vals[0]))
            lines.append(f"  {arg}={held}")
        lines[-1] += ")"
    return lines


# -- parity -------------------------------------------------------------------------------------------------------
def _parity(optimizer_cfg: Any, epochs: int, steps_per_epoch: int, ours: np.ndarray, rows: int) -> dict[str, Any]:
    """lrparity's values ``ours`` against PaddleOCR's Paddle schedulers: counts, largest differences, table rows."""
    from lrparity.parity.runners import quiet_paddle
    from lrparity.ppocr.reference import paddle_reference_lrs

    with quiet_paddle():  # paddle's import-time notices are not part of the report
        ref = paddle_reference_lrs(optimizer_cfg, epochs, steps_per_epoch)
    diff, rel = differences(ours, ref)
    n = len(ours)
    return {
        "steps": n,
        "identical_steps": int(np.sum(ours == ref)),
        "max_abs_diff": float(diff.max(initial=0.0)),
        "max_rel_diff": float(rel.max(initial=0.0)),
        "rows": [
            {"step": k, "lrparity": float(ours[k]), "paddle": float(ref[k]), "abs_diff": float(diff[k])}
            for k in table_steps(n, rel, rows)
        ],
    }


def run(args: argparse.Namespace) -> int:
    """The ``ppocr`` subcommand; returns the exit status (0). Errors raise ValueError or CliError (one line, exit 2)."""
    from lrparity.ppocr import build_lr

    check_range("--steps-per-epoch", args.steps_per_epoch, 1, MAX_STEPS)
    check_range("--epochs", args.epochs, 1, MAX_STEPS)
    check_range("--rows", args.rows, 1, MAX_ROWS)
    _, path = resolve_config(args.config)
    plot_format = check_image_output(args.plot, "--plot") if args.plot else None
    optimizer_cfg, epochs = read_training_config(path, args.epochs)
    _check_run_length(path, epochs, args.steps_per_epoch, "lrparity ppocr")
    build = build_lr(optimizer_cfg, epochs, args.steps_per_epoch)
    lrs = build.schedule.values(range(build.total_steps))
    result = _report(
        path, optimizer_cfg, epochs, args.steps_per_epoch, build, lrs, paddle=not args.no_paddle, rows=args.rows
    )
    if args.plot:
        title = f"{path.name}: {build.name}, {epochs} epochs x {args.steps_per_epoch} steps"
        _plot(args.plot, plot_format, lrs, title)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        _print_report(result, build.peak_lr, args.plot)
    return 0


def _report(
    path: Any,
    optimizer_cfg: Any,
    epochs: int,
    steps_per_epoch: int,
    build: Any,
    lrs: np.ndarray,
    *,
    paddle: bool,
    rows: int,
) -> dict[str, Any]:
    """What ``lrparity ppocr`` reports (the ``--json`` object) about the run ``build`` (``lrs``: its lr per step)."""
    warnings_list = list(build.warnings)
    spec = None
    optimizer_error = None
    try:
        from lrparity.ppocr.optimizers import parse_optimizer_block

        spec = parse_optimizer_block(optimizer_cfg)
        warnings_list += list(spec.warnings)
    except ValueError as exc:
        optimizer_error = str(exc)
    parity: dict[str, Any] | str
    if not paddle:
        parity = "skipped (--no-paddle)"
    else:
        try:
            parity = _parity(optimizer_cfg, epochs, steps_per_epoch, lrs, rows)
        except ImportError as exc:
            parity = f"skipped: paddle is not installed ({exc})"
    result = {
        "config": str(path),
        "lr_class": build.name,
        "epochs": epochs,
        "steps_per_epoch": steps_per_epoch,
        "total_steps": build.total_steps,
        "warmup_steps": build.warmup_steps,
        "paddle": build.notes,
        "schedule": build.schedule.to_config(),
        "optimizer_error": optimizer_error,
        "warnings": warnings_list,
        "parity": parity,
        "python": _python_snippet(optimizer_cfg, epochs, steps_per_epoch, spec, build, optimizer_error),
    }
    return result


def _print_report(result: dict[str, Any], peak_lr: float, plot: str | None) -> None:
    """The text report: the run, the torch Python, the schedule config, the warnings and the parity table."""
    print(
        f"# {result['config']}: lr {result['lr_class']}, {result['epochs']} epochs x {result['steps_per_epoch']} "
        f"steps = {result['total_steps']} steps"
    )
    print(f"# PaddleOCR builds: {result['paddle']}")
    if result["warmup_steps"]:
        print(f"# warmup: {result['warmup_steps']} steps from 0.0 to {peak_lr!r}")
    print("\n## torch equivalent (Python)\n")
    print(result["python"])
    print("\n## schedule config (JSON)\n")
    print(json.dumps(result["schedule"]))
    if result["optimizer_error"]:
        print(f"\n## optimizer: PaddleOCR cannot build it: {result['optimizer_error']}")
    print("\n## warnings\n")
    for w in result["warnings"] or ["(none)"]:
        print(f"- {w}")
    print("\n## parity against a native paddle run (PaddleOCR's way)\n")
    parity = result["parity"]
    if isinstance(parity, str):
        print(parity)
    else:
        print(f"{'step':>8}  {'lrparity':>24}  {'paddle':>24}  {'abs diff':>10}")
        for r in parity["rows"]:
            print(f"{r['step']:>8}  {r['lrparity']!r:>24}  {r['paddle']!r:>24}  {r['abs_diff']:>10.3g}")
        print(
            f"\n{parity['identical_steps']}/{parity['steps']} steps bit-identical; largest difference "
            f"{parity['max_abs_diff']:.3g} absolute, {parity['max_rel_diff']:.3g} relative"
        )
    if plot:
        print(f"\nwrote {plot}")


def _plot(path: str, image_format: str | None, lrs: np.ndarray, title: str) -> None:
    plot_curve(path, image_format, lrs, title, xlabel="iteration (scheduler.step() calls)")
