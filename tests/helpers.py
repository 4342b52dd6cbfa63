"""Helpers shared by the tests (``tests/`` and ``parity_tests/``): ``from tests.helpers import ...``.

The repository root is on ``sys.path`` during a pytest run (the root ``conftest.py`` puts it there), so both test
folders import this module by that name. numpy is imported here; torch only inside the torch helpers.
"""

from __future__ import annotations

import contextlib
import math
import subprocess
import sys
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
"""The repository root."""

BASE_LR = 0.1
"""The base lr the formula tests use throughout."""


# -- exact comparisons ------------------------------------------------------------------------------------------
def bits(x: Any) -> np.ndarray:
    """The float64 values of ``x`` as their 64-bit patterns: equal bits are the same double (NaN included)."""
    return np.ascontiguousarray(np.asarray(x, dtype=np.float64)).view(np.uint64)


def assert_bitwise(vector: np.ndarray, scalars: Sequence[float], steps: Any) -> None:
    """``schedule.values(steps)`` (``vector``) and ``[schedule.value(t) for t in steps]`` (``scalars``) are the same
    doubles, bit for bit; the message names how many steps differ and the first one."""
    scalars_arr = np.asarray(scalars, dtype=np.float64)
    if not np.array_equal(bits(vector), bits(scalars_arr)):
        bad = np.flatnonzero(bits(vector) != bits(scalars_arr))
        i = int(bad[0])
        raise AssertionError(
            f"{bad.size} of {len(scalars)} steps differ; first at t={int(np.asarray(steps)[i])}: "
            f"values()={vector[i]!r} value()={scalars_arr[i]!r}"
        )


def assert_close(actual: float, expected: float, rel: float = 1e-15) -> None:
    """``actual`` within ``rel`` (relative) of ``expected``, for values written in another operation order."""
    assert math.isclose(actual, expected, rel_tol=rel, abs_tol=1e-300), (actual, expected)


def check_both(
    schedule: Any, steps: Sequence[int], expected: Sequence[float], base_lr: Any = BASE_LR, exact: bool = True
) -> None:
    """The schedule at each step, one at a time (``value``) and as one array (``values``), against the expected
    values: equal (``exact``), or within a few ulps (:func:`assert_close`)."""
    scalar = [schedule.value(t, base_lr) for t in steps]
    vector = schedule.values(np.asarray(steps, dtype=np.int64), base_lr).tolist()
    assert len(scalar) == len(vector) == len(expected), (len(scalar), len(vector), len(expected))
    for t, s, v, e in zip(steps, scalar, vector, expected):
        if exact:
            assert s == e, f"t={t}: value {s!r} != expected {e!r}"
            assert v == e, f"t={t}: values {v!r} != expected {e!r}"
        else:
            assert_close(s, e)
            assert_close(v, e)


def cosine_formula(t: float, T: float, base: float = BASE_LR, eta_min: float = 0.0) -> float:
    """Cosine annealing written out, in the documented operation order: ``eta + (b - eta)(1 + cos(pi t / T)) / 2``."""
    return eta_min + (base - eta_min) * (1 + math.cos(math.pi * t / T)) / 2


# -- imports ----------------------------------------------------------------------------------------------------
def assert_imports_no_framework(code: str) -> None:
    """Run ``code`` in a fresh interpreter (from the repository root); it must leave torch and paddle unimported."""
    check = "import sys\nbad = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'paddle'))\n"
    script = f"{code}\n{check}assert not bad, f'imported {{bad[:5]}}'\n"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert result.returncode == 0, result.stderr


# -- PaddleOCR ---------------------------------------------------------------------------------------------------
@contextlib.contextmanager
def no_ppocr_warnings() -> Iterator[None]:
    """Silence :class:`lrparity.ppocr.PpocrWarning` (the notes a test knowingly triggers) inside the block."""
    from lrparity.ppocr import PpocrWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PpocrWarning)
        yield


# -- torch --------------------------------------------------------------------------------------------------------
def torch_sgd(*lrs: float, momentum: float = 0.0, dtype: Any = None) -> Any:
    """A ``torch.optim.SGD`` with one param group per lr (default one group at 0.1), each holding one zero
    parameter of one element (``dtype``: torch's default float unless given)."""
    import torch

    groups = [{"params": [torch.nn.Parameter(torch.zeros(1, dtype=dtype))], "lr": lr} for lr in lrs or (0.1,)]
    return torch.optim.SGD(groups, lr=groups[0]["lr"], momentum=momentum)
