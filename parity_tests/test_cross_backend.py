"""One schedule, four executions: core ``values()``, torch backend, paddle dygraph, paddle static graph.

For every catalogue entry (10k steps, multiplicative 2k): the torch backend's ``param_groups[0]["lr"]`` and
the paddle backend's ``sched()`` / ``optimizer.get_lr()`` are bit-identical float64 to the core, and the core
matches the entry's reference native run live here (bit-identical, or within ``rtol`` for recursive natives);
the few entries no native computes (``NO_NATIVE``) are held to their goldens instead, so nothing is skipped.
Static graph: the fetched lr variable equals float32(core) at every one of the first ``STATIC_STEPS`` steps
(each step is an ``Executor.run``, ~0.2 ms, so the static run is shorter).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from lrparity.parity import golden, runners
from lrparity.parity.catalogue import CATALOGUE
from lrparity.parity.report import compare

STATIC_STEPS = 300
IDS = [e.name for e in CATALOGUE]
GOLDEN = Path(__file__).resolve().parents[1] / "ci" / "golden.npz"
#: Catalogue entries that no native computes (reference "core"): pinned by the goldens instead, and why.
NO_NATIVE = {
    "warmup_exponential_shape": "neither framework has an exponential warmup",
    "noise_cosine": "neither framework has lr noise (timm's, with lrparity's seeded per-step draws)",
    "phase_anneal": "free phase ends and levels: the natives' OneCycleLR builds them from its own parameters only",
    "two_step_cosine": "a sequence of two cosines restarting at step 2000: no single native does it",
    # the recipes' shapes: each is held against its library's own code in parity_tests/test_recipes_*.py
    "timm_cosine_cycles": "timm's CosineLRScheduler (test_recipes_timm.py): no framework native has cycle decay",
    "timm_tanh_warmup": "timm's TanhLRScheduler (test_recipes_timm.py)",
    "timm_step": "timm's StepLRScheduler with a fractional decay_t (test_recipes_timm.py)",
    "timm_rsqrt": "timm's WSD rsqrt (test_recipes_timm.py)",
    "timm_noise": "timm's torch-generator lr noise (test_recipes_timm.py)",
    "hf_inverse_sqrt": "a transformers LambdaLR (test_recipes_hf.py)",
    "hf_warmup_stable_decay": "a transformers LambdaLR (test_recipes_hf.py)",
    "hf_cosine_warmup_with_min_lr": "a transformers LambdaLR (test_recipes_hf.py)",
    # the next four have a paddle native within 1e-12 (not bit-identical: other float operations than the lambdas'),
    # which the goldens check; their reference is the lambdas' own code, which the core reproduces bit for bit
    "warmup_linear_decay": "a transformers / PaddleNLP LambdaLR (test_recipes_hf.py, test_recipes_paddlenlp.py)",
    "warmup_cosine_min_lr": "a transformers LambdaLR (test_recipes_hf.py)",
    "warmup_polynomial_decay": "a transformers / PaddleNLP LambdaLR (test_recipes_hf.py)",
    "constant_warmup": "a transformers / PaddleNLP LambdaLR (test_recipes_hf.py)",
    "warmup_cosine_full_wave": "PaddleNLP's LambdaDecay (test_recipes_paddlenlp.py)",
    "warmup_cosine_hard_restarts": "a transformers / PaddleNLP LambdaLR (test_recipes_hf.py)",
    "pretrain_cosine_anneal": "PaddleNLP's pretraining scheduler (test_recipes_paddlenlp.py)",
    "pretrain_linear_anneal": "PaddleNLP's pretraining scheduler (test_recipes_paddlenlp.py)",
    "ppdet_warmup_cosine_hold": "PaddleDetection's PiecewiseDecay table (test_recipes_ppdet.py)",
    "ppdet_exp_warmup_piecewise": "PaddleDetection's PiecewiseDecay table (test_recipes_ppdet.py)",
    "fixmatch_cosine": "PaddleClas's CosineFixmatch, a LambdaDecay (test_recipes_ppcls.py)",
    "mmengine_poly": "mmengine's PolyLR recursion (test_recipes_mmengine.py)",
    "mmengine_per_epoch_cosine": "mmengine's epoch-stepped CosineAnnealingLR (test_recipes_mmengine.py)",
    "mmengine_stacked": "mmengine's stacked recursions (test_recipes_mmengine.py)",
}
WITH_NATIVE = [e for e in CATALOGUE if e.reference != "core"]


@pytest.fixture(scope="module")
def core_values():
    return {e.name: runners.run_core(e.schedule, e.base_lr, e.steps) for e in CATALOGUE}


def test_reference_natives_come_from_the_tables():
    """An entry's reference native is one the native tables give it, held to the tolerance its table row gives."""
    for entry in WITH_NATIVE:
        assert entry.reference in entry.natives, (
            f"{entry.name}: reference {entry.reference!r}, but the {entry.reference} native table has no native for "
            f"{type(entry.schedule).__name__}"
        )
        assert entry.rtol == entry.natives[entry.reference].rtol, entry.name


@pytest.mark.parametrize("entry", WITH_NATIVE, ids=[e.name for e in WITH_NATIVE])
def test_core_matches_reference_native(entry, core_values):
    pytest.importorskip(entry.reference)
    assert entry.reference in entry.natives, f"{entry.name}: no {entry.reference} native in the tables"
    if entry.reference == "torch":
        ref = runners.run_torch_native(entry.torch_native, entry.base_lr, entry.steps)
    else:
        ref = runners.run_paddle_native(entry.paddle_native, entry.steps)
    d = compare(ref, core_values[entry.name], entry.rtol)
    assert d.ok, f"{entry.name}: core vs {entry.reference} native: {d.describe()}"


def test_entries_without_a_native_are_pinned_by_the_goldens(core_values):
    """The entries no native computes are exactly the documented ones, and the core gives their goldens."""
    assert {e.name for e in CATALOGUE if e.reference == "core"} == set(NO_NATIVE)
    _, arrays = golden.load(GOLDEN)
    for name in NO_NATIVE:
        d = compare(arrays[f"{name}.ref"], core_values[name])
        assert d.identical, f"{name}: core vs its golden: {d.describe()}"


BACKENDS = {"torch": (runners.run_torch, "torch backend"), "paddle": (runners.run_paddle, "paddle dygraph")}


@pytest.mark.parametrize("framework", list(BACKENDS))
@pytest.mark.parametrize("entry", CATALOGUE, ids=IDS)
def test_backend_bit_identical(entry, framework, core_values):
    pytest.importorskip(framework)
    run, label = BACKENDS[framework]
    got = run(entry.schedule, entry.base_lr, entry.steps)
    d = compare(core_values[entry.name], got)
    assert d.identical, f"{entry.name}: {label} vs core: {d.describe()}"


@pytest.mark.parametrize("entry", CATALOGUE, ids=IDS)
def test_paddle_static_equal_at_its_dtype(entry, core_values):
    pytest.importorskip("paddle")
    n = min(STATIC_STEPS, entry.steps)
    got = runners.run_paddle_static(entry.schedule, entry.base_lr, n)
    expected = core_values[entry.name][:n].astype(np.float32).astype(np.float64)
    d = compare(expected, got)
    assert d.identical, f"{entry.name}: paddle static (float32 lr var) vs float32(core): {d.describe()}"


def test_paddle_static_float64_program():
    """A float64 model gets a float64 lr variable: then static is bit-identical to the float64 core."""
    pytest.importorskip("paddle")
    from lrparity.parity.catalogue import get

    entry = get("warmup_cosine")
    got = runners.run_paddle_static(entry.schedule, entry.base_lr, 200, dtype="float64")
    d = compare(runners.run_core(entry.schedule, entry.base_lr, 200), got)
    assert d.identical, d.describe()
