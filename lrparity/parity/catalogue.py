"""The parity catalogue: named schedules, each with its base lr, its length and the natives that compute it.

Every entry is run (by :mod:`lrparity.parity.runners`) through the core's ``values()``, the torch backend, the
paddle backend in dygraph and in static-graph mode, and each native that computes it. The natives are not written
here: each entry's come from the native tables (:mod:`lrparity.backends.torch.natives`,
:mod:`lrparity.backends.paddle.natives`), planned on the runner's optimizer (one param group whose lr is the
entry's ``base_lr``, 0.1 for an absolute schedule) and at ``learning_rate=base_lr``. Planning imports neither
torch nor paddle (``import lrparity.parity`` imports neither).

``reference`` names the sequence the others are held to: the native whose arithmetic the core reproduces
bit-for-bit (a closed-form native: paddle's, CAWR, OneCycle, Cyclic...), or a recursive native with a relative
tolerance ``rtol`` (torch/paddle StepLR-style recursions differ from any closed form by a few ulps), or
``"core"`` where no native exists (then the goldens pin the core itself).

To add an entry, append an ``Entry(name, schedule, base_lr, ...)`` to :data:`CATALOGUE` (and write its goldens).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lrparity.backends import natives
from lrparity.backends.neutral.natives import Inexpressible, NativeCall
from lrparity.core import (
    AnnealCycles,
    Chain,
    Constant,
    ConstantWarmup,
    Cosine,
    CosineRestarts,
    CosineWarmupDecay,
    CosineWarmupDecayOneBased,
    Cyclic,
    Exponential,
    FactorWarmup,
    FixMatchCosine,
    FractionalStep,
    Hold,
    IncrementalWarmup,
    InverseSqrtWarmupDecay,
    InverseTime,
    Lambda,
    Linear,
    LinearWarmupDecay,
    Multiplicative,
    MultiStep,
    NaturalExp,
    Noam,
    Noise,
    OneCycle,
    PerEpoch,
    PhaseAnneal,
    Piecewise,
    Polynomial,
    PolynomialWarmupDecay,
    Schedule,
    Sequence,
    Shift,
    StableDecay,
    Stacked,
    Step,
    StepwisePolynomial,
    TorchNoise,
    Warmup,
    WarmupAnneal,
    WarmupStableDecay,
    WithBaseLR,
)

__all__ = ["CATALOGUE", "RUNNER_LR", "Entry", "get", "lambda_decay", "mult_decay", "native_call"]

RUNNER_LR = 0.1
"""The lr of the runners' torch optimizer for an absolute schedule (a relative one's is its base lr)."""


def lambda_decay(t: int) -> float:
    """Multiplier of the ``lambda`` catalogue entry: :math:`0.9995^t \\cdot (1 + \\cos(t / 300)) / 2 + 0.01`."""
    return 0.9995**t * (1 + math.cos(t / 300)) / 2 + 0.01


def mult_decay(t: int) -> float:
    """Per-step factor of the ``multiplicative`` catalogue entry (varies with ``t``)."""
    return 0.999 if t % 3 else 0.9995


def native_call(schedule: Schedule, base_lr: float | None, framework: str) -> NativeCall | None:
    """The native of ``framework`` that computes ``schedule`` as the runners run it (None: none does).

    torch: on an optimizer with one param group of lr ``base_lr`` (:data:`RUNNER_LR` when None); paddle: at
    ``learning_rate=base_lr``.
    """
    table = natives(framework)
    try:
        if framework == "torch":
            return table.plan(schedule, [RUNNER_LR if base_lr is None else base_lr])  # type: ignore[no-any-return]
        return table.plan(schedule, base_lr)  # type: ignore[no-any-return]
    except Inexpressible:
        return None


@dataclass(frozen=True)
class Entry:
    """One catalogue schedule.

    Attributes:
        name: identifier (also the key in the goldens).
        schedule: the core schedule.
        base_lr: base lr in lr units (``None`` for absolute schedules).
        steps: number of training steps run (values read at t = 0 .. steps-1).
        reference: ``"torch"``, ``"paddle"`` or ``"core"``: which sequence the goldens hold as the reference.
        rtol: relative tolerance of core/backends against the reference (0.0: bit-identical).
        note: why the tolerance is what it is.
        natives: ``{framework: call}`` for each framework with a native computing the schedule (from the tables).
    """

    name: str
    schedule: Schedule
    base_lr: float | None
    steps: int = 10_000
    reference: str = "core"
    rtol: float = 0.0
    note: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)
    natives: dict[str, NativeCall] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        found = {fw: native_call(self.schedule, self.base_lr, fw) for fw in ("torch", "paddle")}
        object.__setattr__(self, "natives", {fw: call for fw, call in found.items() if call is not None})

    @property
    def torch_native(self) -> Callable[[Any], Any] | None:
        """Builds the torch native on an optimizer (None: torch has none)."""
        call = self.natives.get("torch")
        return None if call is None else call.build

    @property
    def paddle_native(self) -> Callable[[], Any] | None:
        """Builds the paddle native (None: paddle has none)."""
        call = self.natives.get("paddle")
        return None if call is None else call.build


_RECURSIVE = "torch's (and paddle's) native is a recursion; the closed form agrees to a few ulps"

CATALOGUE: tuple[Entry, ...] = (
    Entry("constant", Constant(0.25, total_steps=2000), 0.1, reference="paddle"),
    Entry("step_half", Step(300, 0.5), 0.1, reference="paddle"),
    Entry("step", Step(1000, 0.1), 0.1, reference="paddle"),
    Entry("multistep", MultiStep((2000, 5000, 8000), 0.1), 0.1, reference="paddle"),
    Entry("piecewise", Piecewise((3000, 7000), (0.1, 0.01, 0.001)), None, reference="paddle"),
    Entry("exponential", Exponential(0.9995), 0.1, reference="paddle"),
    Entry("natural_exp", NaturalExp(0.0005), 0.1, reference="paddle"),
    Entry("inverse_time", InverseTime(0.001), 0.1, reference="paddle"),
    Entry("linear", Linear(0.01, 1.0, 3000), 0.1, reference="torch", rtol=1e-12, note=_RECURSIVE),
    Entry("linear_decay", Linear(1.0, 0.0, 10_000), 0.1, reference="torch", rtol=1e-12, note=_RECURSIVE),
    Entry("polynomial", Polynomial(10_000, power=2.0, end_lr=1e-4), 0.1, reference="paddle"),
    Entry("polynomial_zero", Polynomial(10_000, power=1.0, end_lr=0.0), 0.1, reference="paddle"),
    Entry("polynomial_cycle", Polynomial(1500, power=1.0, end_lr=1e-4, cycle=True), 0.1, reference="paddle"),
    Entry("cosine", Cosine(10_000), 0.1, reference="torch", rtol=1e-12, note=_RECURSIVE),
    Entry("cosine_periodic", Cosine(2500, eta_min=1e-4), 0.1,
          reference="torch", rtol=1e-12, note=_RECURSIVE + " (4 periods)"),
    Entry("cosine_restarts", CosineRestarts(500, T_mult=2, eta_min=1e-5), 0.1, reference="torch"),
    Entry("cosine_restarts_flat", CosineRestarts(1000), 0.1, reference="torch"),
    Entry("cyclic_triangular", Cyclic(1e-4, 1e-2, 500), None, reference="torch"),
    Entry("cyclic_triangular2", Cyclic(1e-4, 1e-2, 300, step_size_down=700, mode="triangular2"), None,
          reference="torch"),
    Entry("cyclic_exp_range", Cyclic(1e-4, 1e-2, 400, mode="exp_range", gamma=0.9998), None,
          reference="torch"),
    Entry("one_cycle", OneCycle(0.1, 10_000), None, reference="torch"),
    Entry("one_cycle_three_phase", OneCycle(0.1, 10_000, pct_start=0.25, anneal_strategy="linear",
                                            three_phase=True, end_lr=1e-5), None,
          reference="paddle"),
    Entry("noam", Noam(512, 4000), 1.0, reference="paddle"),
    Entry("lambda", Lambda(lambda_decay), 0.1, reference="paddle"),
    Entry("multiplicative", Multiplicative(mult_decay), 0.1, steps=2000, reference="paddle",
          note="2000 steps: the core's scalar path and paddle's native are O(t) per step"),
    Entry("warmup_cosine", Warmup(Cosine(9000), 1000, start_lr=0.001, end_lr=0.1), 0.1, reference="paddle",
          note="torch's SequentialLR[LinearLR, CosineAnnealingLR] is recursive: a few ulps off"),
    Entry("warmup_zero_cosine", Warmup(Cosine(9500), 500), 0.1, reference="paddle"),
    Entry("warmup_multistep", Warmup(MultiStep((3000, 6000), 0.1), 200, start_lr=0.0, end_lr=0.1), 0.1,
          reference="paddle"),
    Entry("warmup_exponential_shape", Warmup(Cosine(8000), 2000, start_factor=1e-3, shape="exponential"), 0.1),
    Entry("sequence", Sequence((Constant(0.1, total_steps=2000), Exponential(0.9997)), (3000,)), 0.1,
          reference="torch", rtol=1e-12, note=_RECURSIVE),
    Entry("chain", Chain((Linear(0.1, 1.0, 500), Exponential(0.9998))), 0.1, reference="torch", rtol=1e-12,
          note=_RECURSIVE),
    Entry("noise_cosine", Noise(Cosine(10_000), pct=0.5, std=0.1, seed=7), 0.1),
    Entry("cosine_replay", Cosine(100, eta_min=1e-3, form="recursive"), 0.1, reference="torch",
          note="the natives' recursion replayed: bit-identical over 50 periods"),
    Entry("linear_replay", Linear(0.01, 1.0, 3000, form="recursive"), 0.1,
          reference="torch", note="the natives' recursion replayed"),
    Entry("with_base_lr", WithBaseLR(Step(2000, 0.5), 0.05), None, reference="paddle"),
    Entry("phase_anneal", PhaseAnneal((2999.0, 9999.0), (0.01, 0.1, 1e-4), anneal_strategy="linear"), None),
    Entry("two_step_cosine", Sequence((Cosine(2000), Shift(Cosine(10_000), 2000)), (2000,)), 0.1),
    Entry("timm_cosine_cycles", AnnealCycles(2000, eta_min=1e-5, cycle_mul=1.5, cycle_decay=0.5, cycle_limit=3,
                                             k_decay=1.2), 0.1, note="timm's CosineLRScheduler arithmetic"),
    Entry("timm_tanh_warmup", IncrementalWarmup(AnnealCycles(9500, "tanh", eta_min=1e-5), 500, start_lr=1e-4,
                                                mode="overlap"), 0.1, note="timm's TanhLRScheduler, no warmup_prefix"),
    Entry("timm_step", FractionalStep(333.3, 0.9), 0.1, note="timm's StepLRScheduler with decay_t=333.3"),
    Entry("timm_rsqrt", IncrementalWarmup(StableDecay(9500, 2000, eta_min=1e-5, stable="rsqrt", timescale=500.0), 500,
                                          start_lr=1e-4, end_factor=1.0), 0.1, note="timm's WSDLRScheduler (rsqrt)"),
    Entry("timm_noise", TorchNoise(Cosine(2000), pct=0.5, std=0.3, seed=42, start=200, end=1800), 0.1, steps=2000,
          note="timm's lr noise: torch's CPU generator seeded seed + t (evaluating it imports torch)"),
    Entry("hf_inverse_sqrt", InverseSqrtWarmupDecay(500, timescale=1000), 0.1,
          note="transformers' inverse_sqrt lambda (against transformers: parity_tests/test_recipes_hf.py)"),
    Entry("hf_warmup_stable_decay", WarmupStableDecay(500, 6500, 3000, warmup_shape="cosine", decay_shape="1-sqrt",
                                                      min_lr_ratio=0.01), 0.1,
          note="transformers' warmup_stable_decay lambda (parity_tests/test_recipes_hf.py)"),
    Entry("hf_cosine_warmup_with_min_lr", CosineWarmupDecayOneBased(300, 10_000, min_lr_rate=0.1, warmup_lr_rate=0.05),
          0.1, note="transformers' cosine_warmup_with_min_lr lambda (parity_tests/test_recipes_hf.py)"),
    Entry("warmup_linear_decay", LinearWarmupDecay(500, 10_000), 0.1,
          note="HF/PaddleNLP linear lambda (parity_tests/test_recipes_paddlenlp.py, test_recipes_hf.py)"),
    Entry("warmup_cosine_full_wave", CosineWarmupDecay(500, 9000, num_cycles=1), 0.1,
          note="PaddleNLP CosineDecayWithWarmup's default full wave, run past its end (test_recipes_paddlenlp.py)"),
    Entry("warmup_cosine_hard_restarts", CosineWarmupDecay(300, 10_000, num_cycles=3.0, hard_restarts=True), 0.1,
          note="HF cosine_with_restarts / PaddleNLP with_hard_restarts lambda"),
    Entry("warmup_cosine_min_lr", CosineWarmupDecay(300, 10_000, min_lr_rate=0.1), 0.1,
          note="HF cosine_with_min_lr lambda (parity_tests/test_recipes_hf.py)"),
    Entry("warmup_polynomial_decay", PolynomialWarmupDecay(500, 9000, lr_init=0.1, lr_end=1e-4, power=2.0), 0.1,
          note="HF/PaddleNLP polynomial lambda, held at lr_end past total_steps"),
    Entry("constant_warmup", ConstantWarmup(1500), 0.1, note="HF/PaddleNLP constant_with_warmup lambda"),
    Entry("pretrain_cosine_anneal", Shift(WarmupAnneal(3e-4, 3e-5, 100.5, 9000), 1), None,
          note="PaddleNLP CosineAnnealingWithWarmupDecay(last_epoch=0), fractional warmup (test_recipes_paddlenlp.py)"),
    Entry("pretrain_linear_anneal", WarmupAnneal(3e-4, 0.0, 0, 8000, shape="linear"), None,
          note="PaddleNLP LinearAnnealingWithWarmupDecay without warmup"),
    Entry("ppdet_warmup_cosine_hold", Hold(FactorWarmup(Cosine(7000, eta_min=0.005), 1000, 0.1), 7999), 0.1,
          note="PaddleDetection LinearWarmup + CosineDecay table, c(M-1) held past max_epochs "
               "(parity_tests/test_recipes_ppdet.py)"),
    Entry("ppdet_exp_warmup_piecewise", FactorWarmup(Piecewise((4000, 7000), (0.1, 0.01, 0.001)), 1000, power=4.0,
                                                     mode="overlap"), 0.1,
          note="PaddleDetection ExpWarmup + PiecewiseDecay table (boundaries counted from step 0)"),
    Entry("fixmatch_cosine", FixMatchCosine(500, 10_000), 0.1,
          note="PaddleClas CosineFixmatch / FixMatch's LambdaLR (parity_tests/test_recipes_ppcls.py)"),
    Entry("mmengine_poly", StepwisePolynomial(10_000, power=0.9, end_lr=1e-4), 0.1,
          note="mmengine PolyLR's recursion, replayed (parity_tests/test_recipes_mmengine.py)"),
    Entry("mmengine_per_epoch_cosine", PerEpoch(Cosine(100, eta_min=1e-4, form="recursive"), 100), 0.1,
          note="an epoch-stepped CosineAnnealingLR read per update (parity_tests/test_recipes_mmengine.py)"),
    Entry("mmengine_stacked", Stacked((Linear(0.001, 1.0, 499, form="recursive"), Cosine(9, eta_min=0.005,
                                                                                   form="recursive")),
                                      begins=(0, 0), ends=(500, 10), every=(1, 1000)), 0.1,
          note="RTMDet-style warmup interleaved with an epoch cosine with eta_min, mmengine's stacked recursion "
               "(parity_tests/test_recipes_mmengine.py)"),
)  # fmt: skip


NOT_IN_CATALOGUE: dict[str, str] = {
    "Greedy": "driven by a metric, not by the step, like Plateau (its parity with transformers' GreedyLR is "
    "parity_tests/test_recipes_hf.py)",
    "Plateau": "driven by a metric, not by the step: there is no curve of the step to run (its parity with torch's "
    "ReduceLROnPlateau and paddle's ReduceOnPlateau is parity_tests/test_plateau_parity.py)",
    "PerGroup": "one schedule per param group, and the catalogue runs one group (each group's schedule is an entry; "
    "per-group driving is tested in tests/test_torch_backend.py and tests/test_paddle_backend.py)",
}
"""Schedule classes (by class name) that no catalogue entry can hold, and why. Every other registered schedule
appears in an entry's schedule (tests/test_docs.py checks both)."""


def get(name: str) -> Entry:
    """The catalogue entry called ``name`` (ValueError listing the names otherwise)."""
    for entry in CATALOGUE:
        if entry.name == name:
            return entry
    raise ValueError(f"no catalogue entry {name!r}; known: {', '.join(e.name for e in CATALOGUE)}")
