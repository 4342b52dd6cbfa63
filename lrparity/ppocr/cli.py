"""``lrparity ppocr CONFIG.yml --steps-per-epoch N [--plot FILE]``: migrate a PaddleOCR config's lr schedule.

Reads ``Global.epoch_num`` and ``Optimizer`` from a full PaddleOCR config (parsed as PaddleOCR parses it, with
``yaml.Loader``), and prints:

1. the torch equivalent: the schedule's lrparity JSON config and the Python to paste;
2. the warnings (keys PaddleOCR ignores, silent defaults);
3. a parity table: lrparity's values against a native Paddle scheduler built the PaddleOCR way
   (:mod:`lrparity.ppocr.reference`), at a few steps plus the largest difference over the whole run (needs
   paddle; skipped with a note when paddle is missing or ``--no-paddle`` is given).

``--plot FILE`` writes the lr curve as a PNG (matplotlib, Agg backend).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add the ``ppocr`` subcommand to the main ``lrparity`` parser's subparsers."""
    p = subparsers.add_parser(
        "ppocr",
        help="a PaddleOCR config's Optimizer block as a torch optimizer + lrparity schedule, with a parity table",
        description="Read Global.epoch_num and Optimizer from a PaddleOCR config; print the torch equivalent, the "
        "ignored-key warnings and a parity table against a native Paddle run built the PaddleOCR way.",
    )
    p.add_argument("config", metavar="CONFIG.yml", help="a full PaddleOCR training config")
    p.add_argument(
        "--steps-per-epoch",
        type=int,
        required=True,
        metavar="N",
        help="iterations per epoch (len(train_dataloader) per card)",
    )
    p.add_argument("--epochs", type=int, default=None, help="override Global.epoch_num")
    p.add_argument("--plot", default=None, metavar="FILE.png", help="write the lr curve as a PNG")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.add_argument("--no-paddle", action="store_true", help="skip the parity run against paddle")
    p.add_argument("--rows", type=int, default=8, metavar="K", help="rows of the parity table (default 8)")
    p.set_defaults(func=run)


def _read(path: Path) -> dict[str, Any]:
    import yaml

    text = path.read_text(encoding="utf-8")
    data = yaml.load(text, Loader=yaml.Loader)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: not a PaddleOCR config (a mapping with Global and Optimizer), got {type(data)}")
    return data


def _python_snippet(optimizer_cfg: Any, epochs: int, spe: int, spec: Any, build: Any) -> str:
    lines = [
        "import lrparity, lrparity.ppocr",
        f"optimizer_cfg = {optimizer_cfg!r}",
        f"optimizer, scheduler, pre_step = lrparity.ppocr.torch_optimizer(optimizer_cfg, model, {epochs}, {spe})",
        "# or, only the schedule, for your own optimizer (absolute lrs, no base lr):",
        f"schedule = lrparity.from_config(json.loads({json.dumps(json.dumps(build.schedule.to_config()))}))",
        "scheduler = lrparity.torch_scheduler(schedule, optimizer)",
        "# per iteration: loss.backward(); pre_step and pre_step(); optimizer.step(); optimizer.zero_grad();",
        "#                scheduler.step()   # once per ITERATION, not per epoch",
    ]
    if spec is not None:
        lines.insert(3, f"# torch optimizer: {_torch_summary(spec)}")
    return "\n".join(lines)


def _torch_summary(spec: Any) -> str:
    name = spec.name
    if name == "Adam":
        s = f"torch.optim.Adam(betas=({spec.beta1}, {spec.beta2}), eps={spec.epsilon}, weight_decay={spec.l2_coupled})"
    elif name == "AdamW":
        s = (
            f"torch.optim.AdamW(betas=({spec.beta1}, {spec.beta2}), eps={spec.epsilon}, "
            f"weight_decay={spec.adamw_weight_decay}) (+ a weight_decay=0 group for excluded params)"
        )
    elif name == "Momentum":
        s = f"torch.optim.SGD(momentum={spec.momentum}, weight_decay={spec.l2_coupled})"
    elif name == "Adadelta":
        s = f"torch.optim.Adadelta(rho={spec.rho}, eps={spec.epsilon}, weight_decay={spec.l2_coupled})"
    else:
        s = f"lrparity.ppocr.optimizers.PaddleRMSProp(rho={spec.rho}, eps={spec.epsilon}, momentum={spec.momentum})"
    if spec.clip_norm is not None:
        s += f"; pre_step clips each tensor to {spec.clip_norm} (paddle ClipGradByNorm)"
    elif spec.clip_norm_global is not None:
        s += f"; pre_step clips the global norm to {spec.clip_norm_global} (paddle ClipGradByGlobalNorm)"
    return s


def _parity(optimizer_cfg: Any, epochs: int, spe: int, ours: np.ndarray, rows: int) -> dict[str, Any]:
    from lrparity.parity.runners import quiet_paddle
    from lrparity.ppocr.reference import paddle_reference_lrs

    with quiet_paddle():  # paddle's import-time notices are not part of the report
        ref = paddle_reference_lrs(optimizer_cfg, epochs, spe)
    diff = np.abs(ours - ref)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(ref != 0, diff / np.abs(ref), np.where(diff == 0, 0.0, np.inf))
    n = len(ours)
    picks = sorted({0, 1, n // 4, n // 2, (3 * n) // 4, n - 2, n - 1, int(np.argmax(rel))} & set(range(n)))
    if rows < len(picks):
        picks = picks[:rows]
    return {
        "steps": n,
        "identical_steps": int(np.sum(ours == ref)),
        "max_abs_diff": float(diff.max(initial=0.0)),
        "max_rel_diff": float(rel.max(initial=0.0)),
        "rows": [
            {"step": k, "lrparity": float(ours[k]), "paddle": float(ref[k]), "abs_diff": float(diff[k])} for k in picks
        ],
    }


def run(args: argparse.Namespace) -> int:
    """The ``ppocr`` subcommand; returns the exit status (0). Errors raise ValueError (one line, exit 2)."""
    from lrparity.ppocr import build_lr

    path = Path(args.config)
    data = _read(path)
    if "Optimizer" not in data:
        raise ValueError(f"{path}: no 'Optimizer' section (is this a PaddleOCR training config?)")
    optimizer_cfg = data["Optimizer"]
    epochs = args.epochs
    if epochs is None:
        epochs = (data.get("Global") or {}).get("epoch_num")
        if epochs is None:
            raise ValueError(f"{path}: no Global.epoch_num; pass --epochs")
    if args.steps_per_epoch < 1:
        raise ValueError(f"--steps-per-epoch must be >= 1, got {args.steps_per_epoch}")
    build = build_lr(optimizer_cfg, epochs, args.steps_per_epoch)
    warnings_list = list(build.warnings)
    spec = None
    optimizer_error = None
    try:
        from lrparity.ppocr.optimizers import parse_optimizer_block

        spec = parse_optimizer_block(optimizer_cfg)
        warnings_list += list(spec.warnings)
    except ValueError as exc:
        optimizer_error = str(exc)
    ours = build.schedule.values(range(build.total_steps))

    parity: dict[str, Any] | str
    if args.no_paddle:
        parity = "skipped (--no-paddle)"
    else:
        try:
            parity = _parity(optimizer_cfg, epochs, args.steps_per_epoch, ours, args.rows)
        except ImportError as exc:
            parity = f"skipped: paddle is not installed ({exc})"

    if args.plot:
        _plot(args.plot, ours, f"{path.name}: {build.name}, {epochs} epochs x {args.steps_per_epoch} steps")

    result = {
        "config": str(path),
        "lr_class": build.name,
        "epochs": epochs,
        "steps_per_epoch": args.steps_per_epoch,
        "total_steps": build.total_steps,
        "warmup_steps": build.warmup_steps,
        "paddle": build.notes,
        "schedule": build.schedule.to_config(),
        "optimizer_error": optimizer_error,
        "warnings": warnings_list,
        "parity": parity,
        "python": _python_snippet(optimizer_cfg, epochs, args.steps_per_epoch, spec, build),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"# {path}: lr {build.name}, {epochs} epochs x {args.steps_per_epoch} steps = {build.total_steps} steps")
    print(f"# PaddleOCR builds: {build.notes}")
    if build.warmup_steps:
        print(f"# warmup: {build.warmup_steps} steps from 0.0 to {build.peak_lr!r}")
    print("\n## torch equivalent (Python)\n")
    print(result["python"])
    print("\n## schedule config (JSON)\n")
    print(json.dumps(result["schedule"]))
    if optimizer_error:
        print(f"\n## optimizer: PaddleOCR cannot build it: {optimizer_error}")
    print("\n## warnings\n")
    for w in warnings_list or ["(none)"]:
        print(f"- {w}")
    print("\n## parity against a native paddle run (PaddleOCR's way)\n")
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
    if args.plot:
        print(f"\nwrote {args.plot}")
    return 0


def _plot(path: str, lrs: np.ndarray, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 5), dpi=100)
    ax.plot(np.arange(len(lrs)), lrs, lw=1.2)
    ax.set_xlabel("iteration (scheduler.step() calls)")
    ax.set_ylabel("learning rate")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
