"""MkDocs hook: draw every schedule page's plot from the core at build time (into docs/generated/, ignored by git)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

OUT = Path(__file__).resolve().parent / "generated"


def _curves() -> dict[str, list[tuple[str, np.ndarray]]]:
    import lrparity as lp

    t = range(1000)
    b = 0.1

    def run(s: Any, steps: Any = t, base: float | None = b) -> np.ndarray:
        return np.array([s.value(k, base) for k in steps])

    plateau = lp.Plateau(factor=0.5, patience=20)
    state = plateau.initial_state([b])
    lrs = []
    for k in range(1000):
        lrs.append(state.lrs[0])
        state = plateau.update(state, 1.0 / (1 + k) if k < 300 or 600 < k < 700 else 0.002)
    return {
        "constant": [("Constant(0.5, total_steps=300)", run(lp.Constant(0.5, total_steps=300)))],
        "lambda": [("Lambda(0.995**t)", run(lp.Lambda(lambda k: 0.995**k)))],
        "multiplicative": [("Multiplicative(0.997)", run(lp.Multiplicative(lambda k: 0.997)))],
        "step": [("Step(300, 0.5)", run(lp.Step(300, 0.5)))],
        "multistep": [("MultiStep([300, 600, 800], 0.3)", run(lp.MultiStep((300, 600, 800), 0.3)))],
        "piecewise": [("Piecewise([300, 600], [0.1, 0.03, 0.01])", run(lp.Piecewise((300, 600), (0.1, 0.03, 0.01))))],
        "exponential": [("Exponential(0.997)", run(lp.Exponential(0.997)))],
        "natural_exp": [("NaturalExp(0.003)", run(lp.NaturalExp(0.003)))],
        "inverse_time": [("InverseTime(0.01)", run(lp.InverseTime(0.01)))],
        "linear": [("Linear(0.1, 1.0, 500)", run(lp.Linear(0.1, 1.0, 500)))],
        "polynomial": [
            ("Polynomial(800, power=1)", run(lp.Polynomial(800))),
            ("Polynomial(800, power=2, end_lr=0.01)", run(lp.Polynomial(800, power=2.0, end_lr=0.01))),
            ("Polynomial(300, cycle=True)", run(lp.Polynomial(300, cycle=True))),
        ],
        "cosine": [
            ("Cosine(600)", run(lp.Cosine(600))),
            ("Cosine(600, after_end='hold')", run(lp.Cosine(600, after_end="hold"))),
        ],
        "cosine_restarts": [
            ("CosineRestarts(100, T_mult=2)", run(lp.CosineRestarts(100, T_mult=2))),
            ("CosineRestarts(200, cycle_decay=0.5)", run(lp.CosineRestarts(200, cycle_decay=0.5))),
        ],
        "cyclic": [
            ("Cyclic(0.01, 0.1, 200)", run(lp.Cyclic(0.01, 0.1, 200))),
            ("Cyclic(.., mode='triangular2')", run(lp.Cyclic(0.01, 0.1, 200, mode="triangular2"))),
        ],
        "one_cycle": [
            ("OneCycle(0.1, 1000)", run(lp.OneCycle(0.1, 1000))),
            ("OneCycle(0.1, 1000, three_phase=True)", run(lp.OneCycle(0.1, 1000, three_phase=True))),
        ],
        "phase_anneal": [
            ("PhaseAnneal([300, 999], [0.01, 0.1, 0.001])", run(lp.PhaseAnneal((300, 999), (0.01, 0.1, 0.001)))),
        ],
        "noam": [("Noam(512, 200)", run(lp.Noam(512, 200), base=1.0))],
        "warmup": [
            ("Warmup(Cosine(800), 200, start_factor=0)", run(lp.Warmup(lp.Cosine(800), 200, start_factor=0.0))),
            (
                "Warmup(.., mode='overlap')",
                run(lp.Warmup(lp.Cosine(1000), 200, start_factor=0.0, mode="overlap")),
            ),
        ],
        "sequence": [
            (
                "Sequence([Linear(0.1, 1, 100), Cosine(900)], [100])",
                run(lp.Sequence((lp.Linear(0.1, 1.0, 100), lp.Cosine(900)), (100,))),
            )
        ],
        "shift": [
            (
                "Sequence([Cosine(300), Shift(Cosine(1000), 300)], [300])",
                run(lp.Sequence((lp.Cosine(300), lp.Shift(lp.Cosine(1000), 300)), (300,))),
            )
        ],
        "chain": [("Chain([Cosine(1000), Step(250, 0.7)])", run(lp.Chain((lp.Cosine(1000), lp.Step(250, 0.7)))))],
        "with_base_lr": [("WithBaseLR(Cosine(1000), 0.05)", run(lp.WithBaseLR(lp.Cosine(1000), 0.05)))],
        "per_group": [
            ("group 0: Cosine(1000)", run(lp.PerGroup((lp.Cosine(1000), lp.Step(300))).for_group(0))),
            ("group 1: Step(300)", run(lp.PerGroup((lp.Cosine(1000), lp.Step(300))).for_group(1))),
        ],
        "noise": [
            ("Noise(Cosine(1000), pct=0.9, std=0.05)", run(lp.Noise(lp.Cosine(1000), pct=0.9, std=0.05))),
            ("Cosine(1000)", run(lp.Cosine(1000))),
        ],
        "plateau": [("Plateau(factor=0.5, patience=20), a metric that stalls", np.array(lrs))],
    }


def generate(out: Path = OUT) -> list[Path]:
    try:
        import matplotlib
    except ModuleNotFoundError:
        raise SystemExit("building the docs needs matplotlib: pip install 'lrparity[docs]'") from None
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, curves in _curves().items():
        fig = plt.figure(figsize=(8, 3.2), dpi=90)
        ax = fig.add_subplot(1, 1, 1)
        for label, v in curves:
            ax.plot(np.arange(len(v)), v, label=label, linewidth=1.2)
        ax.set_xlabel("step t (scheduler.step() calls)")
        ax.set_ylabel("lr (base lr 0.1)" if name not in ("noam",) else "lr (base lr 1.0)")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        path = out / f"{name}.png"
        fig.savefig(path, format="png", metadata={"Software": None})
        plt.close(fig)
        written.append(path)
    return written


def on_pre_build(config: Any, **kwargs: Any) -> None:
    generate()


if __name__ == "__main__":  # pragma: no cover
    print("\n".join(str(p) for p in generate()))
    _ = math.pi
