"""Accuracy of a cosine curve against 40-digit reference values: lrparity's closed form vs the natives' recursion.

Run: ``python bench/accuracy.py [--steps N] [--t-max T]`` (defaults 100,000 steps, T_max = 1000). The reference is
``eta + (b - eta) (1 + cos(pi t / T)) / 2`` computed with mpmath at 40 digits. Rows: ``Cosine(form="closed")``,
``Cosine(form="recursive")`` (the natives' recursion, replayed), and the live natives: torch ``CosineAnnealingLR``
and paddle ``CosineAnnealingDecay`` (imported inside the bench only). Relative errors are taken over the steps
where the reference is above 1e-3 x the base lr (the recursion's error is largest near the troughs).
"""

from __future__ import annotations

import argparse
import warnings

import mpmath
import numpy as np

from lrparity import Cosine

BASE_LR, ETA_MIN = 0.1, 0.0


def reference(steps: int, t_max: int) -> np.ndarray:
    mpmath.mp.dps = 40
    b, eta = mpmath.mpf(BASE_LR), mpmath.mpf(ETA_MIN)
    return np.array([float(eta + (b - eta) * (1 + mpmath.cos(mpmath.pi * t / t_max)) / 2) for t in range(steps)])


def torch_curve(steps: int, t_max: int) -> np.ndarray:
    import torch

    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=BASE_LR)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=t_max, eta_min=ETA_MIN)
    out = np.empty(steps)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for t in range(steps):
            out[t] = opt.param_groups[0]["lr"]
            sched.step()
    return out


def paddle_curve(steps: int, t_max: int) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from paddle.optimizer import lr

    sched = lr.CosineAnnealingDecay(BASE_LR, T_max=t_max, eta_min=ETA_MIN)
    out = np.empty(steps)
    for t in range(steps):
        out[t] = sched()
        sched.step()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100_000)
    parser.add_argument("--t-max", type=int, default=1000)
    args = parser.parse_args()
    ref = reference(args.steps, args.t_max)
    rows = {
        "lrparity Cosine (closed form)": Cosine(args.t_max, ETA_MIN).values(range(args.steps), BASE_LR),
        "lrparity Cosine(form='recursive')": Cosine(args.t_max, ETA_MIN, form="recursive").values(
            range(args.steps), BASE_LR
        ),
        "torch CosineAnnealingLR": torch_curve(args.steps, args.t_max),
        "paddle CosineAnnealingDecay": paddle_curve(args.steps, args.t_max),
    }
    mask = ref > 1e-3 * BASE_LR
    print(f"cosine, T_max={args.t_max}, {args.steps:,} steps, base lr {BASE_LR}; reference: mpmath, 40 digits")
    print("| curve | max abs error | max rel error | steps not correctly rounded |")
    print("|---|---:|---:|---:|")
    for name, values in rows.items():
        err = np.abs(values - ref)
        print(f"| {name} | {err.max():.2e} | {(err[mask] / ref[mask]).max():.2e} | {int((values != ref).sum()):,} |")


if __name__ == "__main__":
    main()
