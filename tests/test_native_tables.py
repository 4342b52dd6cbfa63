"""The native tables without a framework: what each core schedule plans into, what is refused and why, and the
printed code (parity_tests/test_to_native.py runs the natives themselves)."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest

import lrparity as lp
from lrparity.backends.neutral.natives import Inexpressible, NativeCall
from lrparity.backends.neutral.recover import boundary_steps, cyclic_step_sizes, effective_boundaries
from lrparity.backends.paddle import natives as paddle_natives
from lrparity.backends.torch import natives as torch_natives
from lrparity.parity.catalogue import lambda_decay


def torch_plan(schedule, bases=(0.1,)):
    return torch_natives.plan(schedule, list(bases))


def names(call: NativeCall) -> list[str]:
    return [c.name for c in call.calls()]


# ------------------------------------------------------------------------------------------------------------
# the tables
# ------------------------------------------------------------------------------------------------------------
def test_one_row_per_native_class() -> None:
    assert len(torch_natives.TABLE.rows) == 15 and len(paddle_natives.TABLE.rows) == 17
    for table in (torch_natives.TABLE, paddle_natives.TABLE):
        for row in table.rows:
            assert row.form in ("closed", "recursive", "composite", "stateful"), row.name
            assert row.from_core is not None and row.cores, f"{row.name}: no core schedule plans into it"


@pytest.mark.parametrize(
    ("schedule", "torch", "paddle"),
    [
        (lp.Step(30, 0.5), ["StepLR"], ["StepDecay"]),
        (lp.Constant(0.25, 2000), ["ConstantLR"], ["PiecewiseDecay"]),
        (lp.Warmup(lp.Cosine(900), 100, start_factor=0.01), ["LinearLR", "CosineAnnealingLR", "SequentialLR"],
         ["CosineAnnealingDecay", "LinearWarmup"]),
        (lp.Chain([lp.Linear(0.1, 1.0, 50), lp.Exponential(0.99)]), ["LinearLR", "ExponentialLR", "ChainedScheduler"],
         None),
        (lp.Linear(0.0, 1.0, 100), None, ["LinearWarmup"]),
        (lp.MultiStep((10, 10, 30), 0.5), ["MultiStepLR"], ["PiecewiseDecay"]),
        (lp.Noam(512, 4000), None, ["NoamDecay"]),
    ],
)  # fmt: skip
def test_plans(schedule, torch, paddle) -> None:
    for plan, expected in ((lambda: torch_plan(schedule), torch), (lambda: paddle_natives.plan(schedule, 0.1), paddle)):
        if expected is None:
            with pytest.raises(Inexpressible):
                plan()
        else:
            assert names(plan()) == expected


def test_nested_sequences_and_warmups_are_one_sequential_lr() -> None:
    inner = lp.Sequence([lp.Constant(0.5, 10), lp.Step(20, 0.5)], [30])
    schedule = lp.Warmup(lp.Sequence([inner, lp.Exponential(0.99)], [100]), 50, start_factor=0.1)
    call = torch_plan(schedule)
    assert names(call) == ["LinearLR", "ConstantLR", "StepLR", "ExponentialLR", "SequentialLR"]
    assert dict(call.kwargs)["milestones"] == [50, 80, 150]


@pytest.mark.parametrize(
    ("schedule", "framework", "needle"),
    [
        (lp.Noise(lp.Cosine(100), pct=0.5, std=0.1), "torch", "torch has no scheduler that computes Noise"),
        (lp.Shift(lp.Cosine(100), 5), "paddle", "paddle has no scheduler that computes Shift"),
        (lp.Sequence([lp.Cosine(100), lp.Step(10)], [100]), "paddle", "paddle has no scheduler that computes Sequence"),
        (lp.PerGroup([lp.Step(10), lp.Step(20)]), "paddle", "PerGroup of 2 schedules: paddle holds one lr"),
        (lp.Warmup(lp.Cosine(100), 10, start_factor=0.1, shape="exponential"), "torch", "shape='exponential'"),
        (lp.Warmup(lp.Cosine(100), 10), "torch", "Warmup starting at 0: torch's LinearLR cannot start at 0"),
        (lp.Warmup(lp.Cosine(100), 10, start_factor=0.1, mode="overlap"), "paddle", "mode='overlap'"),
        (lp.Polynomial(100, end_lr=1e-4), "torch", "Polynomial(end_lr=0.0001): torch's PolynomialLR decays to 0"),
        (lp.Step(10, 1.5), "paddle", "Step(gamma=1.5): paddle's StepDecay needs 0 < gamma < 1"),
        (lp.OneCycle(0.1, 100, cycle_momentum=True), "paddle", "cycle_momentum=True): paddle's OneCycleLR drives no"),
        (lp.OneCycle(0.1, 100, after_end="hold"), "torch", "after_end='hold'"),
        (lp.Cyclic(0.01, 0.1, 10.5), "paddle", "paddle's CyclicLR takes int step sizes"),
        (lp.Sequence([lp.Chain([lp.Exponential(0.9), lp.Step(10)]), lp.Cosine(10)], [20]), "torch",
         "Sequence phase 0 is a Chain with ExponentialLR"),
        (lp.Sequence([lp.Cosine(10), lp.Chain([lp.Linear(0.5, 1, 5), lp.Step(10)])], [20]), "torch",
         "Sequence phase 1 is a Chain"),
        (lp.Sequence([lp.Cosine(10), lp.Multiplicative(lambda_decay)], [20]), "torch",
         "Sequence phase 1 is a Multiplicative"),
        (lp.Chain([lp.Step(10), lp.Lambda(lambda_decay)]), "torch", "Chain member 1 is a LambdaLR"),
        (lp.Chain([lp.Step(10), lp.Cosine(10, eta_min=0.01)]), "torch", "Cosine with eta_min=0.01"),
        (lp.WithBaseLR(lp.Step(10), 0.05), "torch", "WithBaseLR(base_lr=0.05) pins param group 0's base lr"),
        (lp.Plateau(semantics="paddle"), "torch", "Plateau(semantics='paddle')"),
        (lp.Plateau(), "paddle", "Plateau(semantics='torch')"),
        (lp.Sequence([lp.Linear(0.5, 1.0, 10), lp.OneCycle(0.3, 100)], [10]), "torch",
         "Linear scales the optimizer's lr, but in param group 0 torch's native would scale 0.012"),
    ],
)  # fmt: skip
def test_what_no_native_computes_is_refused_naming_the_part(schedule, framework, needle) -> None:
    with pytest.raises(Inexpressible) as info:
        if framework == "torch":
            torch_plan(schedule)
        else:
            paddle_natives.plan(schedule, 0.1 if getattr(schedule, "uses_base_lr", True) else None)
    assert needle in str(info.value)
    assert isinstance(info.value, ValueError)


def test_a_onecycle_phase_rewrites_the_base_of_the_first_phase() -> None:
    """torch's OneCycleLR sets initial_lr = max_lr / div_factor, and SequentialLR starts its first phase there: a
    first phase pinned to that base is what torch computes."""
    schedule = lp.Sequence([lp.WithBaseLR(lp.Linear(0.5, 1.0, 10), 0.3 / 25.0), lp.OneCycle(0.3, 100)], [10])
    assert names(torch_plan(schedule)) == ["LinearLR", "OneCycleLR", "SequentialLR"]


def test_a_chain_with_a_cosine_says_where_torch_parts_from_it() -> None:
    call = torch_plan(lp.Chain([lp.Cosine(100), lp.Step(10, 0.5)]))
    assert call.notes() and "step 101" in call.notes()[0]


def test_tolerances() -> None:
    assert torch_plan(lp.Cosine(100)).rtol == 1e-12
    assert torch_plan(lp.Cosine(100, form="recursive")).rtol == 0.0
    assert torch_plan(lp.Lambda(lambda_decay)).rtol == 0.0
    assert paddle_natives.plan(lp.Warmup(lp.Cosine(100), 10), 0.1).rtol == 0.0  # LinearWarmup: closed inner cosine
    assert paddle_natives.plan(lp.Warmup(lp.Cosine(100, form="recursive"), 10), 0.1).rtol == 1e-12


def test_paddle_learning_rate_rules() -> None:
    with pytest.raises(ValueError, match=r"Step is relative .* learning_rate is required"):
        paddle_natives.plan(lp.Step(10))
    with pytest.raises(ValueError, match=r"OneCycle is absolute .* would be ignored"):
        paddle_natives.plan(lp.OneCycle(0.1, 100), 0.1)
    with pytest.raises(ValueError, match="contradicts it"):
        paddle_natives.plan(lp.Plateau(semantics="paddle", start_lr=0.1), 0.2)


def test_cawr_inside_a_paddle_warmup_is_refused_where_paddle_misplaces_a_restart() -> None:
    with pytest.raises(Inexpressible, match="misplaces step 121 "):  # T_mult=3: the restart at 121 * T_0
        paddle_natives.plan(lp.Warmup(lp.CosineRestarts(1, 3), 10), 0.1)
    call = paddle_natives.plan(lp.Warmup(lp.CosineRestarts(50, 2), 10), 0.1)  # wrong only past 2e14 steps
    assert call.notes() and "misplaces step" in call.notes()[0]
    assert not paddle_natives.plan(lp.Warmup(lp.CosineRestarts(50, 1), 10), 0.1).notes()


# ------------------------------------------------------------------------------------------------------------
# the shared recovery helpers
# ------------------------------------------------------------------------------------------------------------
def test_recovery_helpers() -> None:
    assert cyclic_step_sizes(1000.0, 0.3, framework="torch", integers=False) == (300, 700)
    assert cyclic_step_sizes(21.0, 10.5 / 21.0, framework="torch", integers=False) == (10.5, None)
    with pytest.raises(ValueError, match="cannot recover CyclicLR's step sizes"):
        cyclic_step_sizes(21.0, 10.5 / 21.0, framework="paddle", integers=True)
    assert boundary_steps([2.5, -1, 0.0, 7]) == [3, 0, 0, 7]
    assert effective_boundaries([5, 3, 8, 8, 0, 9]) == [0, 2, 5]


# ------------------------------------------------------------------------------------------------------------
# printed code
# ------------------------------------------------------------------------------------------------------------
CODE = {
    "warmup_cosine_torch": (lp.Warmup(lp.Cosine(9000), 1000, start_lr=0.001, end_lr=0.1), "torch", 0.1),
    "warmup_cosine_paddle": (lp.Warmup(lp.Cosine(9000), 1000, start_lr=0.001, end_lr=0.1), "paddle", 0.1),
    "long_milestones": (lp.MultiStep(tuple(range(10, 3000, 10)), 0.99), "torch", None),
    "per_group_lambdas": (lp.PerGroup([lp.Lambda(lambda_decay), lp.Lambda(math.cos)]), "torch", None),
    "one_cycle_end_zero": (lp.OneCycle(0.1, 1000, end_lr=0.0, cycle_momentum=True), "torch", None),
    "plateau": (lp.Plateau(patience=3, min_lr=(0.0, 1e-5)), "torch", None),
    "nested_warmups_paddle": (lp.Warmup(lp.Warmup(lp.Cosine(500), 10), 5, end_lr=0.05), "paddle", 0.1),
}


@pytest.mark.parametrize("name", list(CODE))
def test_printed_code_is_ruff_formatted_and_compiles(name: str, tmp_path: Path) -> None:
    schedule, framework, lr = CODE[name]
    source = lp.to_native_code(schedule, framework, learning_rate=lr)
    compile(source, name, "exec")
    path = tmp_path / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    ruff = [sys.executable, "-m", "ruff"]
    fmt = subprocess.run([*ruff, "format", "--check", "--diff", "--line-length", "120", str(path)], capture_output=True)
    assert fmt.returncode == 0, fmt.stdout.decode() + fmt.stderr.decode()
    lint = subprocess.run(
        [*ruff, "check", "--no-cache", "--isolated", "--select", "E,F,W,I", "--line-length", "120", str(path)],
        capture_output=True,
    )
    assert lint.returncode == 0, lint.stdout.decode() + lint.stderr.decode()


def test_printed_code_refuses_a_lambda_and_names_it() -> None:
    with pytest.raises(ValueError, match="cannot be written as an import"):
        lp.to_native_code(lp.Lambda(lambda t: 0.5), "torch")
    with pytest.raises(ValueError, match="framework must be one of"):
        lp.to_native_code(lp.Step(10), "jax")


# ------------------------------------------------------------------------------------------------------------
# the Hugging Face / PaddleNLP shapes (parity_tests/test_to_native_recipe_shapes.py runs the natives)
# ------------------------------------------------------------------------------------------------------------
def test_recipe_shapes_plan_into_paddle_linear_warmup() -> None:
    from lrparity.core.warmup_decay import ConstantWarmup, CosineWarmupDecay, LinearWarmupDecay, PolynomialWarmupDecay

    plan = paddle_natives.plan
    assert names(plan(ConstantWarmup(100), 0.1)) == ["LinearWarmup"]
    assert names(plan(ConstantWarmup(0), 0.1)) == ["PiecewiseDecay"]
    assert names(plan(LinearWarmupDecay(100, 1000), 0.1)) == ["PolynomialDecay", "LinearWarmup"]
    assert names(plan(LinearWarmupDecay(0, 1000), 0.1)) == ["PolynomialDecay"]
    poly = plan(PolynomialWarmupDecay(10, 110, lr_init=0.2, lr_end=1e-3, power=2.0), 0.1)
    assert dict(dict(poly.kwargs)["learning_rate"].kwargs)["end_lr"] == 0.1 * (1e-3 / 0.2)
    cosine = plan(CosineWarmupDecay(100, 1100, num_cycles=1.0, min_lr_rate=0.1), 0.1)
    inner = dict(dict(cosine.kwargs)["learning_rate"].kwargs)
    assert (inner["T_max"], inner["eta_min"]) == (500, 0.1 * 0.1)
    assert dict(cosine.kwargs)["start_lr"] == 0.0 and cosine.rtol == 1e-12
    assert plan(CosineWarmupDecay(2, 40), 0.1).rtol == 1e-12  # a short wave reaches 0 within 1e-12
    assert plan(LinearWarmupDecay(0, 17_998), 0.1).rtol == 1e-12  # the longest linear decay within 1e-12


@pytest.mark.parametrize(
    ("schedule", "needle"),
    [
        ("CosineWarmupDecay(10, 100, num_cycles=2.0, hard_restarts=True)", "hard_restarts=True"),
        ("CosineWarmupDecay(10, 101, num_cycles=1.0)", r"int T_max = \(total_steps - warmup_steps\)"),
        ("CosineWarmupDecay(10, 100, num_cycles=0.7)", "num_cycles=0.7"),
        ("CosineWarmupDecay(100, 100)", "warmup_steps=100"),
        ("PolynomialWarmupDecay(10, 100, lr_init=0.1, lr_end=0.0, power=0.0)", "power=0.0"),
        ("CosineWarmupDecay(0, 100, min_lr_rate=0.1)", r"warmup_steps=0\): .* CosineAnnealingDecay runs its recursion"),
        ("CosineWarmupDecay(100, 10_100)", r"min_lr_rate=0\.0\): .*without min_lr_rate the wave reaches 0"),
        ("CosineWarmupDecay(100, 10_100, min_lr_rate=1e-4)", r"min_lr_rate=0\.0001\): .* relative \(> 1e-12\)"),
        ("LinearWarmupDecay(0, 18_000)", r"T = total_steps - warmup_steps = 18000 \(at most 17998"),
    ],
)
def test_recipe_shapes_paddle_refusals_name_the_parameter(schedule, needle) -> None:
    from lrparity.core import warmup_decay

    with pytest.raises(Inexpressible, match=needle):
        paddle_natives.plan(eval(schedule, vars(warmup_decay)), 0.1)


def test_recipe_shapes_paddle_warmup_needs_a_positive_learning_rate() -> None:
    from lrparity.core.warmup_decay import ConstantWarmup

    with pytest.raises(
        Inexpressible, match=r"learning_rate=0\.0: paddle's LinearWarmup from 0 needs learning_rate > 0"
    ):
        paddle_natives.plan(ConstantWarmup(10), 0.0)


@pytest.mark.parametrize(
    "shape", ["ConstantWarmup(10)", "LinearWarmupDecay(0, 100)", "CosineWarmupDecay(10, 100, min_lr_rate=0.1)"]
)
def test_recipe_shapes_have_no_torch_native(shape) -> None:
    from lrparity.core import warmup_decay

    with pytest.raises(Inexpressible, match="torch has no scheduler that computes"):
        torch_plan(eval(shape, vars(warmup_decay)))
