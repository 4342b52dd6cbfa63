"""The framework-neutral backend helpers: the neutral state checks and the block cache (no torch/paddle)."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

from lrparity import Cosine, Exponential, Lambda, OneCycle, Step
from lrparity.backends.neutral.blocks import FIRST_BLOCK, MAX_BLOCK, BlockCache, BlockRows, finite_prefix
from lrparity.backends.neutral.state import (
    STATE_VERSION,
    check_header,
    check_kind,
    check_same,
    check_state,
    config_or_none,
    neutral,
)


def test_neutral_helpers_and_native_tables_import_no_framework() -> None:
    """The neutral modules, the native tables and the backend packages themselves import neither framework (only
    an adapter, on first use, does)."""
    code = (
        "import sys, pkgutil, importlib, lrparity.backends.neutral as n\n"
        "for m in pkgutil.iter_modules(n.__path__): importlib.import_module(f'lrparity.backends.neutral.{m.name}')\n"
        "import lrparity.backends.torch, lrparity.backends.paddle, lrparity.backends.torch.natives\n"
        "import lrparity.backends.paddle.natives, lrparity.backends.cli\n"
        "import lrparity\n"
        "lrparity.to_native_code(lrparity.Warmup(lrparity.Cosine(100), 10, start_factor=0.1), 'torch')\n"
        "lrparity.to_native_code(lrparity.Cosine(100), 'paddle', learning_rate=0.1)\n"
        "print(sorted(m for m in ('torch', 'paddle') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


# ------------------------------------------------------------------------------------------------------------
# neutral state
# ------------------------------------------------------------------------------------------------------------
def test_neutral_and_config_or_none() -> None:
    assert neutral(3, Cosine(10).to_config(), None) == {
        "lrparity": STATE_VERSION,
        "step": 3,
        "schedule": Cosine(10).to_config(),
        "plateau": None,
    }
    assert config_or_none(Cosine(10)) == Cosine(10).to_config()
    assert config_or_none(Lambda(lambda t: 1.0)) is None


def test_check_header_accepts_a_neutral_state() -> None:
    assert check_header("S", "load_state_dict", neutral(7, None, None)) == 7


@pytest.mark.parametrize(
    "state, error, match",
    [
        ([1, 2], TypeError, r"S\.m: state must be a dict"),
        ({"last_epoch": 3}, ValueError, r"not an lrparity state.*HINT 3"),
        ({**neutral(1, None, None), "lrparity": 2}, ValueError, "version 2 is not supported"),
        ({"lrparity": 1, "step": 0}, ValueError, r"lacks the key\(s\) \['plateau', 'schedule'\]"),
        ({**neutral(0, None, None), "step": -1}, ValueError, r"state\['step'\] must be an int >= 0, got -1"),
        ({**neutral(0, None, None), "step": True}, ValueError, r"state\['step'\]"),
    ],
)
def test_check_header_refuses(state, error, match) -> None:
    with pytest.raises(error, match=match):
        check_header("S", "m", state, lambda s: f" HINT {s['last_epoch']}")


def test_check_header_without_a_hint() -> None:
    with pytest.raises(ValueError, match=r"\(no 'lrparity' key; got \['last_epoch'\]\)\.$"):
        check_header("S", "m", {"last_epoch": 3})


def test_check_same() -> None:
    ours = Cosine(100).to_config()
    check_same("S", "m", "schedule", dict(ours), ours)
    check_same("S", "m", "schedule", None, None)
    with pytest.raises(ValueError, match=r"S\.m: the state was saved for a different schedule(.|\n)*101(.|\n)*100"):
        check_same("S", "m", "schedule", Cosine(101).to_config(), ours)
    with pytest.raises(ValueError, match="different plateau"):
        check_same("S", "m", "plateau", "not a config", ours)
    with pytest.raises(ValueError, match=r"cannot match the schedules.*unsaveable"):
        check_same("S", "m", "schedule", ours, None)
    with pytest.raises(ValueError, match="cannot match the schedules: the state's schedule is None"):
        check_same("S", "m", "schedule", None, ours)


def test_check_kind_and_check_state() -> None:
    step_state = neutral(2, Step(3).to_config(), None)
    plateau_state = neutral(2, Step(3).to_config(), {"lrs": [0.1]})
    check_kind("S", "m", step_state, plateau=False)
    check_kind("S", "m", plateau_state, plateau=True)
    with pytest.raises(ValueError, match="holds a plateau state"):
        check_kind("S", "m", plateau_state, plateau=False)
    with pytest.raises(ValueError, match="holds no plateau state"):
        check_kind("S", "m", step_state, plateau=True)
    assert check_state("S", "set_state_dict", step_state, Step(3).to_config(), plateau=False) == 2
    with pytest.raises(ValueError, match=r"S\.set_state_dict: the state was saved for a different schedule"):
        check_state("S", "set_state_dict", step_state, Step(4).to_config(), plateau=False)


# ------------------------------------------------------------------------------------------------------------
# block cache
# ------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("cache", [True, False])
def test_block_cache_is_bit_identical_to_value_with_jumps(cache) -> None:
    schedule = Cosine(300)
    c = BlockCache(schedule, 0.1, cache)
    steps = [*range(2 * MAX_BLOCK + 5), 17, 3, 40000, 0, 9000]
    assert [c.at(t) for t in steps] == [schedule.value(t, 0.1) for t in steps]
    if cache:
        assert c.n > 0 and c.size in (FIRST_BLOCK, MAX_BLOCK)
    else:
        assert c.n == 0


def test_block_cache_blocks_grow_in_order_and_restart_after_a_jump() -> None:
    c = BlockCache(Cosine(10), None)
    c.at(0)
    assert (c.lo, c.n) == (0, FIRST_BLOCK)
    c.at(FIRST_BLOCK)
    assert (c.lo, c.n) == (FIRST_BLOCK, 2 * FIRST_BLOCK)
    c.at(10**6)
    assert (c.lo, c.n) == (10**6, FIRST_BLOCK)


@pytest.mark.parametrize("total", [1, 255, 256, 300])
def test_block_cache_stops_where_the_schedule_ends(total) -> None:
    schedule = OneCycle(max_lr=0.1, total_steps=total)
    c = BlockCache(schedule, None)
    assert [c.at(t) for t in range(total + 1)] == schedule.values(range(total + 1)).tolist()
    with pytest.raises(ValueError, match="past the end"):
        c.at(total + 1)


def test_block_cache_leaves_a_failing_lambda_and_overflow_to_value() -> None:
    table = [0.5**k for k in range(100)]
    c = BlockCache(Lambda(lambda t: table[t]), 2.0)
    assert [c.at(t) for t in range(100)] == [2.0 * v for v in table]
    with pytest.raises(IndexError):
        c.at(100)
    grow = Exponential(1.5)
    c = BlockCache(grow, 1.0)
    assert c.at(1760) == grow.value(1760, 1.0) == math.inf
    assert c.at(1000) == grow.value(1000, 1.0)


def test_finite_prefix() -> None:
    assert finite_prefix(OneCycle(0.1, 10), None, 5, 100).tolist() == OneCycle(0.1, 10).values(range(5, 11)).tolist()
    assert len(finite_prefix(OneCycle(0.1, 10), None, 11, 100)) == 0


def test_block_rows_keep_tracks_in_step() -> None:
    tracks = [(Cosine(50), 0.1), (OneCycle(0.1, 300), None), (Step(7, 0.5), 0.3)]
    rows = BlockRows(tracks, True)
    for t in [*range(301), 5, 0]:
        assert list(rows.row(t)) == [s.value(t, b) for s, b in tracks]
    with pytest.raises(ValueError, match="past the end"):
        rows.row(301 + 1)
    assert list(BlockRows([], True).row(3)) == []
    assert list(BlockRows(tracks, False).row(9)) == [s.value(9, b) for s, b in tracks]
