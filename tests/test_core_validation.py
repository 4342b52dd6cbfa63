"""Bad input: every parameter of every schedule rejects bad values with the right error type and a message that
names the parameter, the value and the allowed range. Also: no silent mutation of the caller's data."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

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
    Greedy,
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
    PerGroup,
    PhaseAnneal,
    Piecewise,
    Plateau,
    Polynomial,
    PolynomialWarmupDecay,
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


def one(t: int) -> float:
    return 1.0


NAN, INF = float("nan"), float("inf")

# class -> (required kwargs, {param: kind})
#   kinds: "num>=0", "num>0", "unit" ([0, 1]), "factor<1" ([0, 1)), "int>=0", "int>=1", "bool", "choice:<a>|<b>", ...
SPECS = {
    Constant: ({}, {"factor": "num>=0", "total_steps": "int>=0?"}),
    Step: ({"step_size": 3}, {"step_size": "int>=1", "gamma": "num>0"}),
    MultiStep: ({"milestones": [2, 5]}, {"gamma": "num>0"}),
    Exponential: ({"gamma": 0.5}, {"gamma": "num>0"}),
    NaturalExp: ({"gamma": 0.5}, {"gamma": "num>0"}),
    InverseTime: ({"gamma": 0.5}, {"gamma": "num>=0"}),
    Linear: (
        {},
        {"start_factor": "num>=0", "end_factor": "num>=0", "total_steps": "int>=1", "form": "choice:closed|recursive"},
    ),
    Polynomial: (
        {"total_steps": 10},
        {"total_steps": "int>=1", "power": "num>=0", "end_lr": "num>=0", "cycle": "bool"},
    ),
    Cosine: (
        {"T_max": 10},
        {"eta_min": "num>=0", "after_end": "choice:periodic|hold", "form": "choice:closed|recursive"},
    ),
    CosineRestarts: (
        {"T_0": 10},
        {
            "T_0": "int>=1",
            "T_mult": "int>=1",
            "eta_min": "num>=0",
            "cycle_decay": "num>0",
            "cycle_limit": "int>=1?",
            "k_decay": "num>0",
        },
    ),
    Cyclic: (
        {"base_lr": 0.1, "max_lr": 1.0},
        {
            "base_lr": "num>=0",
            "max_lr": "num>=0",
            "step_size_up": "num>0",
            "step_size_down": "num>0?",
            "mode": "choice:triangular|triangular2|exp_range",
            "gamma": "num>0",
            "scale_mode": "choice:cycle|iterations",
            "cycle_momentum": "bool",
            "base_momentum": "num>=0",
            "max_momentum": "num>=0",
            "invert": "bool",
        },
    ),
    PhaseAnneal: ({"ends": [5.0], "levels": [0.0, 1.0]}, {"anneal_strategy": "choice:cos|linear"}),
    OneCycle: (
        {"max_lr": 1.0, "total_steps": 100},
        {
            "max_lr": "num>=0",
            "total_steps": "int>=1",
            "pct_start": "unit",
            "anneal_strategy": "choice:cos|linear",
            "div_factor": "num>0",
            "final_div_factor": "num>0",
            "three_phase": "bool",
            "end_lr": "num>=0?",
            "cycle_momentum": "bool",
            "base_momentum": "num>=0",
            "max_momentum": "num>=0",
            "after_end": "choice:raise|hold",
        },
    ),
    Noam: ({"d_model": 512, "warmup_steps": 10}, {"d_model": "num>0", "warmup_steps": "int>=1"}),
    Warmup: (
        {"schedule": Cosine(T_max=10), "warmup_steps": 3},
        {
            "warmup_steps": "int>=1",
            "start_factor": "num>=0?",
            "start_lr": "num>=0?",
            "end_factor": "num>=0?",
            "end_lr": "num>=0?",
            "shape": "choice:linear|exponential|constant",
            "mode": "choice:prefix|overlap",
        },
    ),
    WithBaseLR: ({"schedule": Constant(), "base_lr": 0.1}, {"base_lr": "num>=0"}),
    Shift: ({"schedule": Constant(), "offset": 3}, {"offset": "int>=0"}),
    Noise: (
        {"schedule": Constant()},
        {
            "pct": "num>0",
            "std": "num>0",
            "kind": "choice:normal|uniform",
            "seed": "int>=0",
            "start": "int>=0",
            "end": "int>=1?",
        },
    ),
    Plateau: (
        {},
        {
            "mode": "choice:min|max",
            "factor": "factor<1",
            "patience": "int>=0",
            "threshold": "num>=0",
            "threshold_mode": "choice:rel|abs",
            "cooldown": "int>=0",
            "min_lr": "num>=0",
            "eps": "num>=0",
            "semantics": "choice:torch|paddle",
            "start_lr": "num>=0?",
            "warmup_steps": "int>=0",
        },
    ),
    AnnealCycles: (
        {"t_initial": 10},
        {
            "t_initial": "int>=1",
            "shape": "choice:cosine|tanh|poly",
            "eta_min": "num>=0",
            "cycle_mul": "num>0",
            "cycle_decay": "num>=0",
            "cycle_limit": "int>=1?",
            "k_decay": "num>0",
            "power": "num>=0",
        },
    ),
    IncrementalWarmup: (
        {"schedule": Cosine(T_max=10), "warmup_steps": 3},
        {
            "warmup_steps": "int>=1",
            "start_lr": "num>=0?",
            "start_factor": "num>=0?",
            "end_lr": "num>=0?",
            "end_factor": "num>=0?",
            "mode": "choice:prefix|overlap",
        },
    ),
    FractionalStep: ({"period": 2.4}, {"period": "num>0", "gamma": "num>0"}),
    FactorWarmup: (
        {"schedule": Cosine(T_max=10), "warmup_steps": 3},
        {"warmup_steps": "int>=1", "start_factor": "num>=0", "power": "num>0", "mode": "choice:prefix|overlap"},
    ),
    FixMatchCosine: (
        {"warmup_steps": 3, "total_steps": 10},
        {"warmup_steps": "int>=0", "total_steps": "int>=1", "num_cycles": "num>=0"},
    ),
    Hold: ({"schedule": Cosine(T_max=10), "step": 3}, {"step": "int>=0"}),
    PerEpoch: ({"schedule": Cosine(T_max=10), "steps_per_epoch": 3}, {"steps_per_epoch": "int>=1"}),
    StepwisePolynomial: ({"total_steps": 10}, {"total_steps": "int>=1", "power": "num>=0", "end_lr": "num>=0"}),
    Greedy: (
        {},
        {
            "mode": "choice:min|max",
            "factor": "num>0",
            "patience": "int>=0",
            "threshold": "num>=0",
            "threshold_mode": "choice:rel|abs",
            "cooldown": "int>=0",
            "warmup": "int>=0",
            "min_lr": "num>=0",
            "max_lr": "num>=0",
            "eps": "num>=0",
            "smooth": "bool",
            "window_size": "int>=1",
            "reset_start": "int>=0",
            "start_lr": "num>=0?",
        },
    ),
    InverseSqrtWarmupDecay: ({"warmup_steps": 3}, {"warmup_steps": "int>=0", "timescale": "num>0?"}),
    WarmupStableDecay: (
        {"warmup_steps": 2, "stable_steps": 2, "decay_steps": 2},
        {
            "warmup_steps": "int>=0",
            "stable_steps": "int>=0",
            "decay_steps": "int>=0",
            "warmup_shape": "choice:linear|cosine|1-sqrt",
            "decay_shape": "choice:linear|cosine|1-sqrt",
            "min_lr_ratio": "unit",
            "num_cycles": "num>0",
        },
    ),
    CosineWarmupDecayOneBased: (
        {"warmup_steps": 2, "total_steps": 10},
        {
            "warmup_steps": "int>=0",
            "total_steps": "int>=1",
            "num_cycles": "num>0",
            "min_lr_rate": "unit",
            "warmup_lr_rate": "unit?",
        },
    ),
    LinearWarmupDecay: ({"warmup_steps": 2, "total_steps": 10}, {"warmup_steps": "int>=0", "total_steps": "int>=1"}),
    CosineWarmupDecay: (
        {"warmup_steps": 2, "total_steps": 10},
        {
            "warmup_steps": "int>=0",
            "total_steps": "int>=1",
            "num_cycles": "num>0",
            "min_lr_rate": "unit",
            "hard_restarts": "bool",
        },
    ),
    PolynomialWarmupDecay: (
        {"warmup_steps": 2, "total_steps": 10, "lr_init": 0.1},
        {
            "warmup_steps": "int>=0",
            "total_steps": "int>=1",
            "lr_init": "num>=0",
            "lr_end": "num>=0",
            "power": "num>=0",
        },
    ),
    ConstantWarmup: ({}, {"warmup_steps": "int>=0"}),
    WarmupAnneal: (
        {"max_lr": 0.1, "min_lr": 0.0, "warmup_steps": 2, "decay_steps": 10},
        {
            "max_lr": "num>=0",
            "min_lr": "num>=0",
            "warmup_steps": "num>=0",
            "decay_steps": "num>0",
            "shape": "choice:cosine|linear",
        },
    ),
    StableDecay: (
        {"total_steps": 10, "decay_steps": 2},
        {
            "total_steps": "int>=1",
            "decay_steps": "int>=1",
            "eta_min": "num>=0",
            "stable": "choice:constant|rsqrt|power",
            "timescale": "num>0?",
            "stable_power": "num>0",
            "decay": "choice:linear|1-sqrt|cosine|power|exp",
            "decay_power": "num>0",
        },
    ),
    TorchNoise: (
        {"schedule": Constant()},
        {
            "pct": "num>0",
            "std": "num>0",
            "seed": "int>=0",
            "start": "int>=0",
            "end": "int>=1?",
            "kind": "choice:normal|uniform",
        },
    ),
}


def _bad_values(kind: str):
    """(bad value, expected error type, text that must appear in the message) for a parameter kind.

    A trailing ``?`` marks an optional parameter (None is valid).
    """
    optional = kind.endswith("?")
    kind = kind.rstrip("?")
    none_case = [] if optional else [(None, TypeError, "None")]
    if kind.startswith("num") or kind in ("unit", "factor<1"):
        rng = {"num>=0": "[0.0, inf]", "num>0": "(0.0, inf]", "unit": "[0.0, 1.0]", "factor<1": "[0.0, 1.0)"}[kind]
        cases = [
            (NAN, ValueError, "nan"),
            (INF, ValueError, "inf"),
            (-INF, ValueError, "-inf"),
            (True, TypeError, "True"),
            ("0.1", TypeError, "'0.1'"),
            ({"lr": 0.1}, TypeError, "{'lr': 0.1}"),
            (-0.5, ValueError, rng),
            *none_case,
        ]
        if kind == "num>0":
            cases.append((0.0, ValueError, rng))
        if kind == "unit":
            cases.append((1.5, ValueError, rng))
        if kind == "factor<1":
            cases.append((1.0, ValueError, rng))
        return cases
    if kind.startswith("int"):
        minimum = int(kind[len("int>=") :])
        return [
            (minimum - 1, ValueError, f">= {minimum}"),
            (1.5, TypeError, "1.5"),
            (2.0, TypeError, "2.0"),
            (True, TypeError, "True"),
            ("3", TypeError, "'3'"),
            (NAN, TypeError, "nan"),
            *none_case,
        ]
    if kind == "bool":
        return [(1, TypeError, "1"), ("yes", TypeError, "'yes'"), (None, TypeError, "None")]
    if kind.startswith("choice:"):
        choices = kind.split(":", 1)[1].split("|")
        return [("bogus-value", ValueError, repr(choices[0])), (3, TypeError, repr(choices[0]))]
    raise KeyError(kind)


def _cases():
    for cls, (required, params) in SPECS.items():
        for param, kind in params.items():
            for bad, exc, text in _bad_values(kind):
                yield pytest.param(cls, required, param, bad, exc, text, id=f"{cls.__name__}.{param}={bad!r}")


@pytest.mark.parametrize(("cls", "required", "param", "bad", "exc", "text"), list(_cases()))
def test_bad_parameter_value(cls, required, param, bad, exc, text):
    kwargs = {**required, param: bad}
    with pytest.raises(exc) as err:
        cls(**kwargs)
    msg = str(err.value)
    assert param in msg, msg
    assert cls.__name__ in msg, msg
    if text is not None:
        assert text in msg, msg
    if exc is ValueError and not isinstance(bad, str):
        assert repr(bad) in msg or str(bad) in msg, msg


def test_every_parameter_of_every_class_is_covered():
    """The table above names every init field, except the structural ones tested below."""
    structural = {
        (Lambda, "fn"),
        (Multiplicative, "fn"),
        (MultiStep, "milestones"),
        (Piecewise, "boundaries"),
        (Piecewise, "lrs"),
        (Cosine, "T_max"),
        (Cyclic, "scale_fn"),
        (PhaseAnneal, "ends"),
        (PhaseAnneal, "levels"),
        (Warmup, "schedule"),
        (Shift, "schedule"),
        (WithBaseLR, "schedule"),
        (Noise, "schedule"),
        (Sequence, "schedules"),
        (Sequence, "milestones"),
        (Chain, "schedules"),
        (PerGroup, "schedules"),
        (AnnealCycles, "lb"),  # any reals with lb < ub: tests/test_core_timm_shapes.py
        (AnnealCycles, "ub"),
        (IncrementalWarmup, "schedule"),
        (FactorWarmup, "schedule"),
        (Hold, "schedule"),
        (PerEpoch, "schedule"),
        *((Stacked, f) for f in ("schedules", "begins", "ends", "every", "bases")),  # tests/test_recipes_mmengine.py
        (StableDecay, "decay_ratio"),  # in (0, 1): tests/test_core_timm_shapes.py
        (TorchNoise, "schedule"),
        (Plateau, "warmup"),  # a Schedule or None: tests/test_plateau_warmup.py
    }
    from lrparity.core import REGISTRY

    missing = []
    for cls in REGISTRY.values():
        params = SPECS.get(cls, ({}, {}))[1]
        for f in dataclasses.fields(cls):
            if f.name not in params and (cls, f.name) not in structural:
                missing.append(f"{cls.__name__}.{f.name}")
    assert not missing


# --------------------------------------------------------------------------------------------------- structural params
@pytest.mark.parametrize(
    ("factory", "exc", "texts"),
    [
        (lambda: Lambda(3.0), TypeError, ["fn", "3.0"]),
        (lambda: Multiplicative("x"), TypeError, ["fn", "'x'"]),
        (lambda: MultiStep([5, 2]), ValueError, ["milestones", "[5, 2]", "sorted"]),
        (lambda: MultiStep([2, -1]), ValueError, ["milestones[1]", "-1"]),
        (lambda: MultiStep([2, 3.5]), TypeError, ["milestones[1]", "3.5"]),
        (lambda: MultiStep([True]), TypeError, ["milestones[0]", "True"]),
        (lambda: MultiStep(5), TypeError, ["milestones", "5"]),
        (lambda: MultiStep("25"), TypeError, ["milestones", "'25'"]),
        (lambda: Piecewise([3, 3], [0.1, 0.2, 0.3]), ValueError, ["boundaries", "[3, 3]", "strictly increasing"]),
        (lambda: Piecewise([5, 3], [0.1, 0.2, 0.3]), ValueError, ["boundaries", "[5, 3]"]),
        (lambda: Piecewise([], [0.1]), ValueError, ["boundaries", "empty"]),
        (lambda: Piecewise([3], [0.1, 0.2, 0.3]), ValueError, ["lrs", "2", "3"]),
        (lambda: Piecewise([3], [0.1]), ValueError, ["lrs", "2", "1"]),
        (lambda: Piecewise([3], [0.1, -0.2]), ValueError, ["lrs[1]", "-0.2"]),
        (lambda: Piecewise([3], [0.1, NAN]), ValueError, ["lrs[1]", "nan"]),
        (lambda: Cosine(T_max=0), ValueError, ["T_max", "0", ">= 1"]),
        (lambda: Cosine(T_max=-2.5), ValueError, ["T_max", "-2.5"]),
        (lambda: Cosine(T_max=0.0), ValueError, ["T_max", "0.0"]),
        (lambda: Cosine(T_max=NAN), ValueError, ["T_max", "nan"]),
        (lambda: Cosine(T_max=INF), ValueError, ["T_max", "inf"]),
        (lambda: Cosine(T_max=True), TypeError, ["T_max", "True"]),
        (lambda: Cosine(T_max="10"), TypeError, ["T_max", "'10'"]),
        (lambda: Cyclic(0.1, 1.0, scale_fn=3), TypeError, ["scale_fn", "3"]),
        (lambda: PhaseAnneal([], [0.1]), ValueError, ["ends", "empty"]),
        (lambda: PhaseAnneal([5.0, NAN], [0.0, 1.0, 0.0]), ValueError, ["ends[1]", "nan"]),
        (lambda: PhaseAnneal([5.0], [0.0, 1.0, 0.0]), ValueError, ["levels", "2", "3"]),
        (lambda: PhaseAnneal([5.0], [0.0, -1.0]), ValueError, ["levels[1]", "-1.0"]),
        (lambda: Warmup(0.1, 3), TypeError, ["schedule", "0.1"]),
        (lambda: WithBaseLR("cosine", 0.1), TypeError, ["schedule", "'cosine'"]),
        (lambda: Noise(None), TypeError, ["schedule", "None"]),
        (lambda: Shift(3, 1), TypeError, ["schedule", "3"]),
        (lambda: Cosine(T_max=10, after_end="hold", form="recursive"), ValueError, ["form", "after_end"]),
        (lambda: Linear(0.0, 1.0, 5, form="recursive"), ValueError, ["form", "start_factor"]),
        (lambda: Noise(Constant(), start=10, end=10), ValueError, ["end", "10", ">= 11"]),
        (lambda: Sequence(Constant(), []), TypeError, ["schedules"]),
        (lambda: Sequence([], []), ValueError, ["schedules", "at least 1"]),
        (lambda: Sequence([Constant(), 0.5], [3]), TypeError, ["schedules[1]", "0.5"]),
        (lambda: Sequence([Constant(), Constant()], [3, 5]), ValueError, ["milestones", "1", "2"]),
        (lambda: Sequence([Constant(), Constant()], []), ValueError, ["milestones", "1", "0"]),
        (lambda: Sequence([Constant()] * 3, [5, 3]), ValueError, ["milestones", "[5, 3]"]),
        (lambda: Sequence([Constant()] * 2, [-3]), ValueError, ["milestones[0]", "-3"]),
        (lambda: Chain([]), ValueError, ["schedules", "at least 1"]),
        (lambda: Chain([Constant(), "x"]), TypeError, ["schedules[1]", "'x'"]),
        (lambda: PerGroup([]), ValueError, ["schedules"]),
        (lambda: PerGroup([Constant(), 3]), TypeError, ["schedules[1]", "3"]),
        (lambda: Plateau(min_lr=[0.1, -0.1]), ValueError, ["min_lr[1]", "-0.1"]),
        (lambda: Plateau(min_lr=[0.1, NAN]), ValueError, ["min_lr[1]", "nan"]),
    ],
)
def test_bad_structural_parameter(factory, exc, texts):
    with pytest.raises(exc) as err:
        factory()
    msg = str(err.value)
    for text in texts:
        assert text in msg, (text, msg)


def test_unsorted_milestones_rejected_not_sorted():
    with pytest.raises(ValueError, match="milestones"):
        MultiStep([30, 10, 20])
    with pytest.raises(ValueError, match="milestones"):
        Sequence([Constant(), Constant(), Constant()], [10, 5])


@pytest.mark.parametrize("gamma", [0, 0.0, -0.1, -1])
@pytest.mark.parametrize("cls", [Step, MultiStep, Exponential, NaturalExp])
def test_gamma_not_positive_rejected(cls, gamma):
    kwargs = {"step_size": 3} if cls is Step else {"milestones": [1]} if cls is MultiStep else {}
    with pytest.raises(ValueError) as err:
        cls(gamma=gamma, **kwargs)
    assert "gamma" in str(err.value) and repr(gamma) in str(err.value)


def test_inverse_time_negative_gamma_rejected():
    with pytest.raises(ValueError, match=r"gamma.*-0\.5"):
        InverseTime(gamma=-0.5)


@pytest.mark.parametrize("bad", [NAN, INF, -INF])
def test_non_finite_rejected_everywhere(bad):
    for factory in (
        lambda: Step(3, bad),
        lambda: Cosine(T_max=10, eta_min=bad),
        lambda: Linear(start_factor=bad),
        lambda: OneCycle(max_lr=bad, total_steps=10),
        lambda: Cyclic(0.1, bad),
        lambda: Noam(bad, 10),
        lambda: Plateau(threshold=bad),
        lambda: WithBaseLR(Constant(), bad),
    ):
        with pytest.raises(ValueError, match="finite"):
            factory()


def test_bool_rejected_where_a_number_is_expected():
    for factory, name in (
        (lambda: Step(True), "step_size"),
        (lambda: Step(3, gamma=False), "gamma"),
        (lambda: Cosine(T_max=True), "T_max"),
        (lambda: Polynomial(total_steps=True), "total_steps"),
        (lambda: OneCycle(max_lr=True, total_steps=10), "max_lr"),
        (lambda: Plateau(patience=True), "patience"),
        (lambda: Noise(Constant(), seed=True), "seed"),
        (lambda: Piecewise([True], [0.1, 0.2]), "boundaries[0]"),
    ):
        with pytest.raises(TypeError) as err:
            factory()
        assert name in str(err.value), str(err.value)
        assert "True" in str(err.value) or "False" in str(err.value), str(err.value)


def test_numpy_numbers_accepted():
    s = Step(np.int64(3), np.float64(0.5))
    assert s.value(3, 0.1) == 0.1 * 0.5
    assert MultiStep(np.array([2, 5]), np.float64(0.5)).value(5, 1.0) == 0.25
    assert Cosine(T_max=np.int32(10)).value(10, 1.0) == 0.0


def test_numpy_float32_parameters_computed_in_float64():
    g = np.float32(0.5)
    s = Step(3, g)
    assert s.value(7, 0.1) == 0.1 * float(g) ** 2 == s.values([7], 0.1)[0]
    c = Cosine(T_max=np.float32(10.5))
    assert c.value(3) == c.values([3])[0]
    e = Exponential(np.float32(0.9))
    assert e.value(7, 0.1) == e.values([7], 0.1)[0] == 0.1 * float(np.float32(0.9)) ** 7


# --------------------------------------------------------------------------------------------------- did you mean
@pytest.mark.parametrize(
    ("factory", "suggestion"),
    [
        (lambda: Cosine(T_max=10, after_end="hld"), "'hold'"),
        (lambda: Cyclic(0.1, 1.0, mode="triangle"), "'triangular'"),
        (lambda: OneCycle(1.0, 10, anneal_strategy="cosine"), "'cos'"),
        (lambda: Plateau(mode="minimum"), "'min'"),
        (lambda: Plateau(semantics="pytorch"), "'torch'"),
        (lambda: Warmup(Constant(), 3, shape="exponental"), "'exponential'"),
    ],
)
def test_bad_choice_suggests_closest(factory, suggestion):
    with pytest.raises(ValueError) as err:
        factory()
    assert f"did you mean {suggestion}" in str(err.value)


def test_choices_are_case_insensitive_and_canonicalised():
    assert Cosine(T_max=10, after_end="HOLD").after_end == "hold"
    assert Plateau(mode="MAX", threshold_mode="Abs").mode == "max"
    assert Plateau(mode="MAX", threshold_mode="Abs").threshold_mode == "abs"
    assert Cosine(T_max=10, after_end="HOLD") == Cosine(T_max=10, after_end="hold")


# --------------------------------------------------------------------------------------------------- steps, base lr
@pytest.mark.parametrize(
    ("step", "exc", "text"),
    [
        (-1, ValueError, "-1"),
        (2**62 + 1, ValueError, str(2**62 + 1)),
        (1.5, TypeError, "1.5"),
        (3.0, TypeError, "3.0"),
        (True, TypeError, "True"),
        ("3", TypeError, "'3'"),
        (None, TypeError, "None"),
    ],
)
def test_bad_step_value(step, exc, text):
    s = Cosine(T_max=10)
    with pytest.raises(exc) as err:
        s.value(step)
    assert "step" in str(err.value) and text in str(err.value)


@pytest.mark.parametrize(
    ("steps", "exc", "text"),
    [
        ([0, -1, 3], ValueError, "-1"),
        ([0.5, 1.0], TypeError, "float"),
        (np.array([0.0, 1.0]), TypeError, "float"),
        ([True, False], TypeError, "bool"),
        (np.array([2**62 + 5]), ValueError, str(2**62 + 5)),
        (["a"], TypeError, "dtype"),
    ],
)
def test_bad_steps_array(steps, exc, text):
    with pytest.raises(exc) as err:
        Cosine(T_max=10).values(steps)
    assert "steps" in str(err.value) and text in str(err.value)


def test_call_with_float_step_raises():
    with pytest.raises(TypeError, match="steps"):
        Cosine(T_max=10)(1.5)


@pytest.mark.parametrize(
    ("base", "exc", "text"),
    [(-0.1, ValueError, "-0.1"), (NAN, ValueError, "nan"), (INF, ValueError, "inf"), (True, TypeError, "True"),
     ("0.1", TypeError, "'0.1'")],
)  # fmt: skip
def test_bad_base_lr(base, exc, text):
    s = Step(3, 0.5)
    for call in (lambda: s.value(1, base), lambda: s.values([1], base), lambda: s(1, base)):
        with pytest.raises(exc) as err:
            call()
        assert "base_lr" in str(err.value) and text in str(err.value)


def test_per_group_evaluated_directly_raises():
    with pytest.raises(ValueError, match=r"for_group"):
        PerGroup([Constant(), Constant()]).values([0])


@pytest.mark.parametrize("index", [2, 5, -1])
def test_per_group_for_group_out_of_range(index):
    with pytest.raises(ValueError) as err:
        PerGroup([Constant(), Cosine(10)]).for_group(index)
    assert str(index) in str(err.value) and "2 groups" in str(err.value)


# --------------------------------------------------------------------------------------------------- no mutation
def test_callers_lists_are_never_mutated():
    milestones = [5, 2]  # unsorted: rejected, not sorted in place
    with pytest.raises(ValueError):
        MultiStep(milestones)
    assert milestones == [5, 2]

    milestones = [2, 5]
    s = MultiStep(milestones)
    assert isinstance(s.milestones, tuple)
    milestones.append(9)
    assert s.milestones == (2, 5)

    arr = np.array([2, 5])
    s = MultiStep(arr)
    arr[0] = 100
    assert s.milestones == (2, 5)

    bounds, lrs = [3, 7], [0.1, 0.01, 0.001]
    p = Piecewise(bounds, lrs)
    bounds[0], lrs[0] = 0, 5.0
    assert p.boundaries == (3, 7) and p.lrs == (0.1, 0.01, 0.001)

    parts = [Constant(), Cosine(10)]
    q = Sequence(parts, [4])
    parts.append(Constant())
    assert len(q.schedules) == 2

    chain_parts = [Constant(), Exponential(0.5)]
    c = Chain(chain_parts)
    chain_parts.clear()
    assert len(c.schedules) == 2

    ends, levels = [5.0, 10.0], [0.0, 1.0, 0.0]
    a = PhaseAnneal(ends, levels)
    ends[0] = 1.0
    assert a.ends == (5.0, 10.0)

    min_lr = [0.1, 0.2]
    pl = Plateau(min_lr=min_lr)
    min_lr[0] = 7.0
    assert pl.min_lr == (0.1, 0.2)

    steps = [3, 1, 2]
    Cosine(10).values(steps)
    assert steps == [3, 1, 2]
    arr = np.array([3, 1, 2], dtype=np.int32)
    Cosine(10).values(arr)
    assert arr.tolist() == [3, 1, 2] and arr.dtype == np.int32


def test_schedules_are_frozen_and_replace_revalidates():
    s = Step(3, 0.5)
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.gamma = 0.1  # type: ignore[misc]
    assert s.replace(gamma=0.25) == Step(3, 0.25)
    with pytest.raises(ValueError, match="gamma"):
        s.replace(gamma=-1.0)
    with pytest.raises(ValueError, match="after_end"):
        Cosine(10).replace(after_end="never")


# --------------------------------------------------------------------------------------------------- edge cases (bugs)
def test_cyclic_triangular2_many_cycles_does_not_overflow():
    s = Cyclic(base_lr=0.0, max_lr=1.0, step_size_up=1, mode="triangular2")
    for t in (2048, 2049, 2100, 4000):
        c = math.floor(1 + t / 2.0)
        x = 1.0 + t / 2.0 - c
        h = x / 0.5 if x <= 0.5 else (x - 1) / (0.5 - 1)
        expected = 0.0 + (1.0 - 0.0) * h * 0.5 ** (c - 1)
        assert s.value(t) == expected
        assert s.values([t])[0] == expected


def test_growing_schedule_overflows_to_inf_not_an_exception():
    assert Exponential(gamma=1.5).value(10**6) == math.inf
    assert Exponential(gamma=1.5).values([10**6])[0] == math.inf
    assert Step(step_size=1, gamma=2).value(1100, 1.0) == math.inf


def test_exponential_warmup_at_base_lr_zero():
    """start_factor * base_lr == 0: a ramp from 0 to 0 is 0 at every step; a ramp from 0 to > 0 has no
    exponential form, so it raises a ValueError naming start_factor and base_lr (scalar and array alike)."""
    s = Warmup(Constant(), 5, start_factor=0.1, shape="exponential")
    assert s.values(range(8), 0.0).tolist() == [0.0] * 8
    assert [s.value(t, 0.0) for t in range(8)] == [0.0] * 8
    to_positive = Warmup(Constant(), 5, start_factor=0.1, end_lr=0.5, shape="exponential")
    for call in (lambda: to_positive.values(range(8), 0.0), lambda: to_positive.value(2, 0.0)):
        with pytest.raises(ValueError, match=r"start > 0.*start_factor=0\.1, base_lr=0\); give start_lr"):
            call()
    assert to_positive.values(range(5, 8), 0.0).tolist() == [0.0] * 3  # after the warmup: Constant * 0
    assert to_positive.values(range(8), 1.0)[0] == 0.1  # a positive base: the ramp starts at 0.1


@pytest.mark.parametrize(
    ("build", "name"),
    [(lambda v: Step(v, 0.5), "step_size"), (lambda v: Constant(factor=v), "factor"),
     (lambda v: Cosine(T_max=v), "T_max"), (lambda v: Step(10, 0.5).replace(gamma=v), "gamma")],
)  # fmt: skip
@pytest.mark.parametrize("value", [2**53 + 1, 2**63, 10**400])
def test_ints_beyond_2_53_are_refused_by_name(build, name, value):
    """They used to build and then raise OverflowError in values() (numpy int64), or in the check itself."""
    with pytest.raises(ValueError, match=rf"{name} must .*2\*\*53"):
        build(value)


def test_ints_up_to_2_53_still_work():
    assert Step(2**53, 0.5).values([0, 2**53]).tolist() == [1.0, 0.5]
    assert Constant(factor=2**53).value(0) == 2.0**53


def test_restarts_length_with_large_cycle_limit():
    assert CosineRestarts(T_0=1, T_mult=2, cycle_limit=100).length == 2**100 - 1


def test_restarts_length():
    assert CosineRestarts(T_0=10).length == 10
    assert CosineRestarts(T_0=10, cycle_limit=3).length == 30
    assert CosineRestarts(T_0=10, T_mult=2, cycle_limit=3).length == 10 + 20 + 40
    assert CosineRestarts(T_0=10, T_mult=3, cycle_limit=5).length == 10 * 121


def test_plateau_min_lr_per_group_count_mismatch():
    p = Plateau(min_lr=[0.0, 0.0])
    with pytest.raises(ValueError) as err:
        p.initial_state([0.1])
    assert "min_lr" in str(err.value) and "2" in str(err.value) and "1" in str(err.value)


@pytest.mark.parametrize(
    ("metric", "exc", "text"),
    [(True, TypeError, "True"), ("abc", TypeError, "'abc'"), (np.array([1.0, 2.0]), ValueError, "size"),
     (None, TypeError, "None")],
)  # fmt: skip
def test_plateau_bad_metric(metric, exc, text):
    p = Plateau()
    with pytest.raises(exc) as err:
        p.update(p.initial_state(0.1), metric)
    assert "metric" in str(err.value) and text in str(err.value)
