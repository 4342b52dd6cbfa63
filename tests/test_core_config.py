"""Configs: every schedule round-trips through JSON and YAML; helpful errors for bad configs; import hygiene."""

from __future__ import annotations

import functools
import json
import math

import numpy as np
import pytest
import yaml

import lrparity
from lrparity.core import (
    REGISTRY,
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
    from_config,
    load_config,
)
from tests.helpers import assert_imports_no_framework


def inverse_sqrt(t: int) -> float:
    """A module-level multiplier: importable, so it round-trips by dotted path."""
    return 1.0 / math.sqrt(t + 1)


def halving(t: int) -> float:
    return 0.5


def cycle_scale(x: float) -> float:
    return 1.0 / (1.0 + x)


class Namespace:
    @staticmethod
    def nested_static(t: int) -> float:
        return 0.9**t


EXAMPLES = [
    Constant(),
    Constant(factor=1 / 3, total_steps=5),
    Lambda(inverse_sqrt),
    Lambda(Namespace.nested_static),
    Lambda(math.sqrt),  # a builtin: 'math:sqrt'
    Multiplicative(halving),
    Step(step_size=30, gamma=0.1),
    MultiStep(milestones=[30, 60, 60, 90], gamma=0.5),
    MultiStep(milestones=[], gamma=0.5),
    Piecewise(boundaries=[100, 500], lrs=[0.1, 0.01, 0.001]),
    Exponential(gamma=0.999),
    NaturalExp(gamma=0.01),
    InverseTime(gamma=0.5),
    Linear(),
    Linear(start_factor=0.0, end_factor=2.0, total_steps=10),
    Linear(start_factor=0.1, total_steps=10, form="recursive"),
    Polynomial(total_steps=100, power=0.9, end_lr=1e-4, cycle=True),
    Cosine(T_max=100),
    Cosine(T_max=10.5, eta_min=1e-6, after_end="hold"),
    Cosine(T_max=100, eta_min=1e-5, form="recursive"),
    CosineRestarts(T_0=10, T_mult=2, eta_min=1e-5, cycle_decay=0.5, cycle_limit=4, k_decay=1.5),
    Cyclic(base_lr=0.001, max_lr=0.1, step_size_up=200, step_size_down=300, mode="exp_range", gamma=0.999),
    Cyclic(base_lr=0.001, max_lr=0.1, scale_fn=cycle_scale, scale_mode="iterations", cycle_momentum=True),
    PhaseAnneal(ends=[29.0, 99.0], levels=[0.04, 1.0, 4e-6], anneal_strategy="linear"),
    OneCycle(max_lr=0.1, total_steps=1000),
    OneCycle(max_lr=0.1, total_steps=1000, pct_start=0.25, three_phase=True, end_lr=1e-4, after_end="hold",
             cycle_momentum=True, anneal_strategy="linear"),
    Noam(d_model=512, warmup_steps=4000),
    Warmup(Cosine(T_max=1000), 100),
    Warmup(Step(30), 10, start_lr=1e-5, end_lr=0.1, shape="exponential", mode="overlap"),
    Sequence([Linear(0.01, 1.0, 10), Cosine(T_max=90), Constant(0.01)], milestones=[10, 100]),
    Shift(Cosine(T_max=200), offset=50),
    Chain([Cosine(T_max=100), Exponential(0.99)]),
    WithBaseLR(Step(10, 0.5), base_lr=0.1),
    PerGroup([Cosine(T_max=10), Lambda(inverse_sqrt)]),
    Noise(Cosine(T_max=100), pct=0.5, std=0.8, kind="uniform", seed=123, start=10, end=90),
    AnnealCycles(t_initial=10, shape="tanh", eta_min=1e-4, cycle_mul=1.5, cycle_decay=0.5, cycle_limit=3),
    IncrementalWarmup(Cosine(T_max=100), 5, start_lr=1e-5, end_factor=1.0, mode="overlap"),
    FractionalStep(period=2.4, gamma=0.97),
    FactorWarmup(Cosine(T_max=100), 10, start_factor=0.1, power=2.0, mode="overlap"),
    FixMatchCosine(warmup_steps=5, total_steps=100, num_cycles=0.5),
    Hold(Cosine(T_max=100), step=60),
    PerEpoch(Cosine(T_max=10, form="recursive"), steps_per_epoch=7),
    StepwisePolynomial(total_steps=100, power=0.9, end_lr=1e-4),
    Stacked([Linear(0.1, total_steps=9, form="recursive"), Cosine(T_max=5, eta_min=1e-3, form="recursive"),
             WithBaseLR(Cosine(T_max=4, form="recursive"), 0.05)], begins=[0, 1, 12], ends=[10, None, 16],
            every=[1, 3, 1], bases=[None, 0.2, None]),
    StableDecay(total_steps=100, decay_steps=20, eta_min=1e-5, stable="rsqrt", timescale=10.0, decay="exp"),
    TorchNoise(Cosine(T_max=100), pct=0.5, std=0.3, seed=7, start=10, end=90),
    InverseSqrtWarmupDecay(warmup_steps=100, timescale=250),
    WarmupStableDecay(10, 50, 40, warmup_shape="cosine", decay_shape="1-sqrt", min_lr_ratio=0.1),
    CosineWarmupDecayOneBased(10, 100, num_cycles=0.75, min_lr_rate=0.1, warmup_lr_rate=0.2),
    LinearWarmupDecay(warmup_steps=10, total_steps=100),
    CosineWarmupDecay(10, 100, num_cycles=2.0, hard_restarts=True),
    PolynomialWarmupDecay(10, 100, lr_init=0.1, lr_end=1e-4, power=2.0),
    ConstantWarmup(warmup_steps=10),
    WarmupAnneal(max_lr=0.1, min_lr=0.01, warmup_steps=2.5, decay_steps=90, shape="linear"),
    Greedy(),
    Greedy(mode="max", factor=0.5, threshold_mode="rel", min_lr=[1e-5, 1e-6], max_lr=[0.5, 0.2], smooth=True,
           window_size=5, reset_start=2, start_lr=0.01),
    Plateau(),
    Plateau(mode="max", factor=0.5, patience=3, threshold=0.01, threshold_mode="abs", cooldown=2,
            min_lr=[1e-5, 1e-6], eps=1e-10, semantics="paddle"),
]  # fmt: skip

IDS = [f"{i}-{type(e).__name__}" for i, e in enumerate(EXAMPLES)]


def test_examples_cover_every_registered_class():
    assert {type(e) for e in EXAMPLES} == set(REGISTRY.values())


def _same_curve(a, b):
    if not isinstance(a, Schedule):  # metric-driven (Plateau, Greedy): no curve of the step
        return
    a = a.for_group(0)
    b = b.for_group(0)
    n = 1000 if not isinstance(a, OneCycle) else a.total_steps
    va, vb = a.values(range(n), 0.1), b.values(range(n), 0.1)
    assert np.array_equal(va, vb)


@pytest.mark.parametrize("schedule", EXAMPLES, ids=IDS)
def test_json_round_trip(schedule):
    config = schedule.to_config()
    assert config["type"] == f"{type(schedule).name}.v{type(schedule).version}"
    text = json.dumps(config)
    back = from_config(json.loads(text), callables="import")
    assert back == schedule
    assert type(back) is type(schedule)
    assert back.to_config() == config
    _same_curve(schedule, back)


@pytest.mark.parametrize("schedule", EXAMPLES, ids=IDS)
def test_yaml_round_trip_via_load_config(schedule, tmp_path):
    path = tmp_path / "schedule.yaml"
    path.write_text(yaml.safe_dump(schedule.to_config()), encoding="utf-8")
    back = lrparity.load_config(path, callables="import")
    assert back == schedule
    _same_curve(schedule, back)
    yml = tmp_path / "schedule.yml"
    yml.write_text(yaml.safe_dump(schedule.to_config()), encoding="utf-8")
    assert load_config(str(yml), callables="import") == schedule


@pytest.mark.parametrize("schedule", EXAMPLES, ids=IDS)
def test_json_file_via_load_config(schedule, tmp_path):
    path = tmp_path / "schedule.json"
    path.write_text(json.dumps(schedule.to_config(), indent=2), encoding="utf-8")
    assert load_config(path, callables="import") == schedule


def test_config_is_plain_data():
    config = Sequence([Warmup(Cosine(T_max=10), 3), Step(3, 0.5)], [13]).to_config()

    def walk(x):
        if isinstance(x, dict):
            assert all(isinstance(k, str) for k in x)
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)
        else:
            assert x is None or type(x) in (str, int, float, bool), (x, type(x))

    walk(config)
    assert config["schedules"][0]["schedule"]["type"] == "cosine.v1"
    assert config["milestones"] == [13]


def test_numpy_parameters_serialise_as_python_numbers():
    config = MultiStep(np.array([3, 7]), np.float64(0.5)).to_config()
    assert config == {"type": "multistep.v1", "milestones": [3, 7], "gamma": 0.5}
    assert type(config["milestones"][0]) is int and type(config["gamma"]) is float
    json.dumps(Step(np.int64(3), np.float64(0.5)).to_config())


def test_hand_written_config_without_version_and_with_lists():
    s = from_config({"type": "multistep", "milestones": [10, 20], "gamma": 0.5})
    assert s == MultiStep((10, 20), 0.5)
    s = from_config(
        {"type": "warmup", "warmup_steps": 5, "schedule": {"type": "cosine", "T_max": 100}, "start_factor": 0.1}
    )
    assert s == Warmup(Cosine(T_max=100), 5, start_factor=0.1)


def test_yaml_hand_written(tmp_path):
    path = tmp_path / "lr.yaml"
    path.write_text(
        "type: sequence\n"
        "milestones: [500]\n"
        "schedules:\n"
        "  - {type: linear, start_factor: 0.001, end_factor: 1.0, total_steps: 500}\n"
        "  - {type: cosine.v1, T_max: 9500, eta_min: 0.00001}\n",
        encoding="utf-8",
    )
    s = load_config(path)
    assert s == Sequence([Linear(0.001, 1.0, 500), Cosine(T_max=9500, eta_min=0.00001)], [500])


def test_yaml_scientific_notation_without_dot(tmp_path):
    path = tmp_path / "lr.yaml"
    path.write_text("type: cosine\nT_max: 100\neta_min: 1e-5\n", encoding="utf-8")
    assert load_config(path) == Cosine(T_max=100, eta_min=1e-5)


# --------------------------------------------------------------------------------------------------- callables
def test_module_level_function_round_trips_by_dotted_path():
    config = Lambda(inverse_sqrt).to_config()
    path = config["fn"]["callable"]
    assert path.endswith(":inverse_sqrt")
    assert from_config(config, callables="import").fn is inverse_sqrt
    assert from_config(config, callables={path: inverse_sqrt}).fn is inverse_sqrt
    assert Lambda(math.exp).to_config()["fn"] == {"callable": "math:exp"}
    # a plain dotted path (module.name) is read too
    assert from_config({"type": "lambda", "fn": {"callable": "math.exp"}}, callables="import").fn is math.exp
    assert (
        from_config({"type": "lambda", "fn": {"callable": "math.exp"}}, callables={"math:exp": math.exp}).fn is math.exp
    )
    basename = from_config({"type": "lambda", "fn": {"callable": "os.path:basename"}}, callables="import").fn
    assert basename.__name__ == "basename"
    nested = Lambda(Namespace.nested_static).to_config()["fn"]["callable"]
    assert nested.endswith(":Namespace.nested_static")


@pytest.mark.parametrize(
    "fn",
    [
        lambda t: 0.5**t,
        functools.partial(pow, 0.5),
        type("CallableObject", (), {"__call__": lambda self, t: 1.0})(),
    ],
    ids=["lambda", "partial", "callable-object"],
)
def test_non_importable_callables_raise_a_clear_value_error(fn):
    for schedule in (Lambda(fn), Multiplicative(fn), Cyclic(0.1, 1.0, scale_fn=fn)):
        with pytest.raises(ValueError) as err:
            schedule.to_config()
        msg = str(err.value)
        assert "cannot serialise callable" in msg and "module-level" in msg


def test_nested_function_raises_a_clear_value_error():
    def local(t):
        return 1.0

    with pytest.raises(ValueError, match="module-level"):
        Lambda(local).to_config()
    with pytest.raises(ValueError, match="module-level"):
        Warmup(Lambda(local), 3).to_config()  # nested schedules too


def test_function_that_does_not_import_back_to_itself():
    def impostor(t):
        return 1.0

    impostor.__qualname__ = "inverse_sqrt"  # claims a name that imports to a different object
    impostor.__module__ = __name__
    with pytest.raises(ValueError, match="does not give the same object"):
        Lambda(impostor).to_config()


@pytest.mark.parametrize("path", ["no.such.module:fn", "math:no_such_function", "math"])
def test_unimportable_callable_path(path):
    with pytest.raises(ValueError) as err:
        from_config({"type": "lambda", "fn": {"callable": path}}, callables="import")
    assert repr(path) in str(err.value)


@pytest.mark.parametrize("path", ["os:_exit", "time:sleep", "builtins:print", "no.such.module:fn"])
def test_a_config_never_imports_or_runs_the_functions_it_names_unless_allowed(path, tmp_path):
    # os._exit(0) at step 0 would end the process: a config is data, so a callable needs the caller's consent
    config = {"type": "lambda", "fn": {"callable": path}}
    with pytest.raises(ValueError, match="does not import or run code") as err:
        from_config(config)
    assert repr(path) in str(err.value) and "callables=" in str(err.value)
    with pytest.raises(ValueError, match="allowed here"):
        from_config(config, callables={"math:exp": math.exp})
    file = tmp_path / "lambda.yaml"
    file.write_text(yaml.safe_dump(config), encoding="utf-8")
    with pytest.raises(ValueError, match="does not import or run code") as err:
        load_config(file)
    assert str(file) in str(err.value)
    with pytest.raises(TypeError, match="must be callable"):
        from_config(config, callables={path: 3})


# --------------------------------------------------------------------------------------------------- bad configs
@pytest.mark.parametrize(
    ("config", "suggestion"),
    [
        ({"type": "cosine", "T_maxx": 100}, "T_max"),
        ({"type": "cosine", "t_max": 100}, "T_max"),
        ({"type": "step", "step_size": 3, "gama": 0.5}, "gamma"),
        ({"type": "one_cycle", "max_lr": 0.1, "total_step": 100}, "total_steps"),
        ({"type": "warmup", "schedule": {"type": "constant"}, "warmup_step": 3}, "warmup_steps"),
        ({"type": "reduce_on_plateau", "patients": 3}, "patience"),
    ],
)
def test_unknown_key_suggests_closest(config, suggestion):
    with pytest.raises(ValueError) as err:
        from_config(config)
    msg = str(err.value)
    assert f"did you mean {suggestion!r}" in msg
    assert "unknown key" in msg


def test_unknown_key_in_nested_config_names_the_path():
    config = {"type": "warmup", "warmup_steps": 3, "schedule": {"type": "cosine", "Tmax": 10}}
    with pytest.raises(ValueError) as err:
        from_config(config)
    assert "config.schedule" in str(err.value) and "'T_max'" in str(err.value)
    config = {"type": "sequence", "milestones": [3], "schedules": [{"type": "constant"}, {"type": "cosin", "T_max": 3}]}
    with pytest.raises(ValueError) as err:
        from_config(config)
    assert "config.schedules[1]" in str(err.value) and "did you mean 'cosine'" in str(err.value)


@pytest.mark.parametrize(
    ("config", "exc", "texts"),
    [
        ({"type": "cosinus", "T_max": 3}, ValueError, ["unknown schedule type", "did you mean 'cosine'"]),
        ({"type": "multi_step", "milestones": [3]}, ValueError, ["did you mean 'multistep'"]),
        ({"T_max": 3}, ValueError, ["no 'type' key", "T_max"]),
        ({"type": "cosine.v2", "T_max": 3}, ValueError, ["version 2", "v1"]),
        ({"type": "cosine"}, ValueError, ["cosine", "T_max"]),
        ({"type": "step", "gamma": 0.5}, ValueError, ["step", "step_size"]),
        ({"type": "cosine", "T_max": -3}, ValueError, ["T_max", "-3"]),
        ({"type": "warmup", "warmup_steps": 3, "schedule": {"T_max": 3}}, ValueError, ["config.schedule", "'type'"]),
        ({"type": "lambda", "fn": {"callable": "math:exp", "extra": 1}}, ValueError, ["config.fn"]),
        ([("type", "cosine")], TypeError, ["mapping"]),
        ("cosine", TypeError, ["mapping"]),
    ],
)
def test_bad_configs(config, exc, texts):
    with pytest.raises(exc) as err:
        from_config(config)
    for text in texts:
        assert text in str(err.value), (text, str(err.value))


def test_load_config_names_the_file(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("type: cosine\nTmax: 10\n", encoding="utf-8")
    with pytest.raises(ValueError) as err:
        load_config(path)
    assert str(path) in str(err.value) and "did you mean 'T_max'" in str(err.value)


def test_registry_names_match_config_types():
    for name, cls in REGISTRY.items():
        assert cls.name == name
    assert REGISTRY["cosine"] is Cosine and REGISTRY["reduce_on_plateau"] is Plateau


# --------------------------------------------------------------------------------------------------- import hygiene
def test_import_lrparity_imports_neither_torch_nor_paddle():
    assert_imports_no_framework(
        "import lrparity, lrparity.core\n"
        "s = lrparity.Warmup(lrparity.Cosine(T_max=100), 10)\n"
        "s.values(range(200), 0.1); s.value(5, 0.1)\n"
        "lrparity.from_config(s.to_config())\n"
    )


def test_public_names_exported():
    for name in ("from_config", "load_config", "torch_scheduler", "paddle_scheduler", "from_native", "Schedule"):
        assert hasattr(lrparity, name)
    for cls in REGISTRY.values():
        assert getattr(lrparity, cls.__name__) is cls


# --------------------------------------------------------------------------------------------------- registration
def test_every_schedule_class_registers_itself_when_defined():
    import dataclasses

    from lrparity.core.base import REGISTRY as live

    assert REGISTRY == live and sorted(REGISTRY) == sorted(cls.name for cls in REGISTRY.values())

    @dataclasses.dataclass(frozen=True)
    class Halving(Schedule):
        every: int = 10
        name = "test_halving_registered"

        def _eval(self, t, base, m):
            return base * m.pow(0.5, t // self.every)

    try:
        assert REGISTRY["test_halving_registered"] is Halving
        assert from_config(Halving(5).to_config()) == Halving(5)
    finally:
        del live["test_halving_registered"]


def test_a_schedule_name_is_taken_once_and_an_unnamed_subclass_cannot_be_saved():
    import dataclasses

    with pytest.raises(TypeError, match=r"'cosine' is taken by lrparity\.core\.cosine\.Cosine"):

        @dataclasses.dataclass(frozen=True)
        class MyCosine(Schedule):
            name = "cosine"

    with pytest.raises(TypeError, match="lower-case identifier"):

        class Bad(Schedule):
            name = "Not Valid"

    @dataclasses.dataclass(frozen=True)
    class Subclass(Cosine):  # inherits name='cosine': it would come back as a Cosine
        pass

    with pytest.raises(ValueError, match="registered under no name of its own"):
        Subclass(T_max=10).to_config()
