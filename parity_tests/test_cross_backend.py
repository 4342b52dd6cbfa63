"""One schedule, four executions: core ``values()``, torch backend, paddle dygraph, paddle static graph.

For every catalogue entry (10k steps, multiplicative 2k): the torch backend's ``param_groups[0]["lr"]`` and
the paddle backend's ``sched()`` / ``optimizer.get_lr()`` are bit-identical float64 to the core, and the core
matches the entry's reference native run live here (bit-identical, or within ``rtol`` for recursive natives).
Static graph: the fetched lr variable equals float32(core) at every one of the first ``STATIC_STEPS`` steps
(each step is an ``Executor.run``, ~0.2 ms, so the static run is shorter).
"""

from __future__ import annotations

import numpy as np
import pytest

from lrparity.parity import runners
from lrparity.parity.catalogue import CATALOGUE
from lrparity.parity.report import compare

STATIC_STEPS = 300
IDS = [e.name for e in CATALOGUE]


@pytest.fixture(scope="module")
def core_values():
    return {e.name: runners.run_core(e.schedule, e.base_lr, e.steps) for e in CATALOGUE}


@pytest.mark.parametrize("entry", CATALOGUE, ids=IDS)
def test_core_matches_reference_native(entry, core_values):
    if entry.reference == "core":
        pytest.skip("no native equivalent (pinned by the goldens)")
    pytest.importorskip(entry.reference)
    if entry.reference == "torch":
        ref = runners.run_torch_native(entry.torch_native, entry.base_lr, entry.steps)
    else:
        ref = runners.run_paddle_native(entry.paddle_native, entry.steps)
    d = compare(ref, core_values[entry.name], entry.rtol)
    assert d.ok, f"{entry.name}: core vs {entry.reference} native: {d.describe()}"


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
