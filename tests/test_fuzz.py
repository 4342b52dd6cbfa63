"""Property-based fuzzing of every entry point that takes user data.

Inputs: random JSON-like values (nested dicts and lists of strings, ints, floats with nan/inf/huge/negative values,
booleans, None); "near-valid" ones -- real configs (the parity catalogue, the bundled examples), PaddleOCR blocks
(the corpus) and saved scheduler states with one to three values nudged, replaced, removed, added or wrapped;
random YAML/JSON text and bytes in a file; every single mutation of those seeds (a sweep); and deep nesting.
They go to ``lrparity.from_config``, ``lrparity.load_config``, ``lrparity.ppocr.lr_schedule``,
``lrparity.ppocr.torch_optimizer`` and the torch (``load_state_dict``) and paddle (``set_state_dict``) schedulers.

Each call either works or raises a ValueError/TypeError (subclasses included) with a message of lrparity's own
(not a bare Python message such as "unhashable type: 'dict'"; for ``load_config``, naming the file). Anything else
(KeyError, IndexError, AttributeError, ZeroDivisionError, OverflowError, RecursionError, MemoryError, ...) fails
the test with the example, and so does a call that takes a second or more. What a call returns is used a little
(a schedule is evaluated and round-trips its config, a loaded scheduler steps), so that a bad value cannot hide
until later, and a refused state must leave the scheduler unchanged.

The examples are derandomized (the same ones on every run, in CI and locally) and not stored in a database.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import importlib.util
import json
import math
import re
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, currently_in_test_context, event, given, settings
from hypothesis import strategies as st

import lrparity
from lrparity.core import Cosine, Exponential, Greedy, PerGroup, Plateau, Schedule, Step, Warmup
from lrparity.core.registry import REGISTRY

_CORPUS: list[Path] = []  # the PaddleOCR corpus path, from the root conftest.py's ppocr_corpus_path (see warm)
_TMP: list[Path] = []  # a folder for the config files load_config reads (pytest's tmp_path_factory, see warm)


def fuzz_settings(examples: int) -> Callable[[Any], Any]:
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=1000,  # ms: no call may take a second
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
        print_blob=True,
    )


ALLOWED = (ValueError, TypeError)


def _event(name: str) -> None:
    """Count outcomes for ``--hypothesis-show-statistics`` (how many examples get past validation)."""
    if currently_in_test_context():
        event(name)


#: Python's own error messages, bare (nothing before them names the parameter): not a "clear error".
RAW_MESSAGE = re.compile(
    r"^(?:'[^']*' |float\(\) argument |int\(\) argument )?(?:unhashable type|object is not iterable|"
    r"not supported between instances|object is not subscriptable|could not convert string to float|"
    r"invalid literal for int\(\)|must be a string or a real number, not|cannot convert float|"
    r"object cannot be interpreted as an integer|unsupported operand type)"
)


def expect_clean(call: Callable[[], Any], *, names: str | None = None, example: Any = None) -> tuple[Any, Any]:
    """``(result, None)``, or ``(None, error)`` for a ValueError/TypeError with a message of lrparity's own (naming
    ``names`` if given); anything else, or a call of a second or more, fails with ``example`` in the message."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        try:
            result = call()
        except ALLOWED as exc:
            _event(f"raised {type(exc).__name__}")
            message = str(exc).strip()
            assert message, f"{type(exc).__name__} without a message, for {example!r}"
            assert not RAW_MESSAGE.match(message), f"Python's own message {message!r}, for {example!r}"
            if names is not None:
                assert names in message, f"the message does not name {names!r}: {message}, for {example!r}"
            return None, exc
        except Exception as exc:
            raise AssertionError(f"{type(exc).__name__}: {exc}, for {example!r}") from exc
        finally:
            elapsed = time.perf_counter() - start
            assert elapsed < 1.0, f"the call took {elapsed:.2f} s, for {example!r}"
        _event("returned")
        return result, None


# ------------------------------------------------------------------------------------------------------ strategies
def _field_names() -> list[str]:
    names = {"type", "callable", "name", "lr", "learning_rate", "warmup_epoch", "values", "decay_epochs"}
    for cls in REGISTRY.values():
        names.update(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]
    return sorted(names)


FIELD_NAMES = _field_names()
TYPE_NAMES = sorted(REGISTRY) + [f"{n}.v1" for n in REGISTRY] + ["cosine.v2", "Cosine", "", "nope"]
# Edge values, as a fresh list or dict at each draw (the code under test, or a mutation, may change it).
WEIRD = st.sampled_from(
    [0, -1, 1, 2, 3, -(2**63), 2**63, 2**64 + 1, 10**18, 10**30, 10**300, 0.0, -0.0, 1e-300, 5e-324, 1e308,
     -1e308, math.inf, -math.inf, math.nan, 0.5, 1.5, -0.5, True, False, None, "", "1e-5", "0.1", "nan", "inf",
     "-1", [], {}, [0], [1, 2], [2, 1], [1, 1], [math.nan], ["a"], {"type": "constant"}, {"callable": "math:cos"},
     {"callable": "nope:nope"}, {"callable": "math"}]
).map(copy.deepcopy)  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=10),
    st.sampled_from(FIELD_NAMES + TYPE_NAMES),
    WEIRD,
)
KEYS = st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=8))
JSON_LIKE = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(KEYS, inner, max_size=4),
        st.builds(  # a config-shaped mapping: a type and some real field names
            lambda kind, fields: {"type": kind, **fields},
            st.sampled_from(TYPE_NAMES),
            st.dictionaries(st.sampled_from(FIELD_NAMES), inner, max_size=4),
        ),
    ),
    max_leaves=12,
)


def _positions(node: Any) -> list[tuple[Any, Any]]:
    """Every (container, key) of a nested value, containers first."""
    out: list[tuple[Any, Any]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            out.append((node, key))
            out.extend(_positions(value))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out.append((node, index))
            out.extend(_positions(value))
    return out


def _nudged(value: Any) -> st.SearchStrategy[Any]:
    """Plausible neighbours of a value of the same type (valid-looking edge cases rather than garbage)."""
    if isinstance(value, bool):
        return st.just(not value)
    if isinstance(value, int):
        return st.sampled_from([0, 1, 2, -1, value - 1, value + 1, 2 * value, 2**53, 2**53 + 1])
    if isinstance(value, float):
        return st.sampled_from([0.0, 1.0, -value, value / 2, 2 * value, value + 1e-12, 1e-12, 1e12, 1e300])
    if isinstance(value, str):
        return st.sampled_from([value.upper(), value.lower(), value + "x", value[:-1], " " + value])
    if isinstance(value, list):
        return st.sampled_from([value[::-1], value + value[-1:], value[:-1], value * 2])
    return st.just(value)


@st.composite
def near(draw: st.DrawFn, bases: list[Any]) -> Any:
    """One of ``bases`` with 1-3 mutations: a value nudged (same type) or replaced (weird or random), a key or item
    removed or added, a value wrapped in a list or mapping."""
    value = copy.deepcopy(draw(st.sampled_from(bases)))
    for _ in range(draw(st.sampled_from([1, 1, 1, 2, 3]))):
        positions = _positions(value)
        if not positions:
            break
        container, key = draw(st.sampled_from(positions))
        if key not in (container if isinstance(container, dict) else range(len(container))):
            continue  # removed by an earlier mutation
        op = draw(st.sampled_from(["nudge", "nudge", "nudge", "weird", "weird", "random", "delete", "add", "wrap"]))
        if op == "nudge":
            container[key] = copy.deepcopy(draw(_nudged(container[key])))
        elif op == "weird":
            container[key] = draw(WEIRD)
        elif op == "random":
            container[key] = draw(JSON_LIKE)
        elif op == "delete":
            del container[key]
        elif op == "add" and isinstance(container, dict):
            container[draw(KEYS)] = draw(st.one_of(WEIRD, JSON_LIKE))
        elif op == "wrap":
            container[key] = [container[key]] if draw(st.booleans()) else {"type": container[key]}
    return value


# --------------------------------------------------------------------------------------------------- seed inputs
WARMED_PLATEAU = Plateau(patience=1, warmup=Warmup(Cosine(T_max=4), 2, start_lr=1e-3), warmup_steps=3)
"""A plateau with a warmup phase (its metrics ignored for 3 updates), seeded in configs and states."""


@functools.cache
def schedule_configs() -> list[dict[str, Any]]:
    """A config of every registry type: the parity catalogue, the bundled examples, per_group and plateaus."""
    from lrparity.parity.catalogue import CATALOGUE

    configs = [e.schedule.to_config() for e in CATALOGUE]
    examples = Path(lrparity.__file__).parent / "examples"
    for path in sorted(examples.glob("*.yaml")):
        configs.append(yaml.safe_load(path.read_text(encoding="utf-8")))
    configs += [
        {"type": "per_group", "schedules": [{"type": "cosine", "T_max": 10}, {"type": "step", "step_size": 3}]},
        Plateau().to_config(),
        Greedy(smooth=True, window_size=3, cooldown=1, warmup=1).to_config(),
        Plateau(mode="max", min_lr=(0.0, 1e-3), cooldown=2, semantics="paddle").to_config(),
        WARMED_PLATEAU.to_config(),
    ]
    assert {c["type"].split(".")[0] for c in configs} >= {"per_group", "reduce_on_plateau", "warmup", "cosine"}
    return configs


@functools.cache
def ppocr_blocks() -> list[dict[str, Any]]:
    """Every Optimizer block of the in-repository PaddleOCR corpus (after the ``warm`` fixture ran)."""
    return [e["optimizer"] for e in yaml.safe_load(_CORPUS[0].read_text(encoding="utf-8"))]


def _exercise(obj: Any) -> None:
    """Use what from_config built: a few values (or plateau updates) and its config round trip."""
    if isinstance(obj, (Plateau, Greedy)):
        state = obj.initial_state([0.1] * len(obj.min_lr) if isinstance(obj.min_lr, tuple) else 0.1)
        for metric in (1.0, 1.0, 0.5, math.nan, 2.0):
            state = obj.update(state, metric)
    else:
        assert isinstance(obj, Schedule), obj
        for schedule in obj.schedules if isinstance(obj, PerGroup) else (obj,):
            base = 0.1 if schedule.uses_base_lr else None
            values = schedule.values(range(40), base)
            assert values.shape == (40,)
            np.testing.assert_array_equal([schedule.value(t, base) for t in (0, 7, 39)], values[[0, 7, 39]])
    config, error = expect_clean(obj.to_config)
    if error is None:
        assert lrparity.from_config(config, callables="import") == obj


@pytest.fixture(scope="module")
def warm(ppocr_corpus_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Import and run every entry point once, so that no example pays a first-call cost against its deadline."""
    from lrparity.ppocr import lr_schedule, torch_optimizer

    _CORPUS[:] = [ppocr_corpus_path]
    _TMP[:] = [tmp_path_factory.mktemp("fuzz")]

    block = ppocr_blocks()[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lr_schedule(block, 3, 2)
        if importlib.util.find_spec("torch") is not None:
            import torch

            torch_optimizer(block, torch.nn.Linear(2, 2), 3, 2)
        if importlib.util.find_spec("torch") is not None and importlib.util.find_spec("paddle") is not None:
            saved_states()
    for config in schedule_configs():
        _exercise(lrparity.from_config(config, callables="import"))


# ------------------------------------------------------------------------------------------------------ from_config
@fuzz_settings(2000)
@given(
    st.one_of(JSON_LIKE, st.deferred(lambda: near(schedule_configs())), st.deferred(lambda: near(schedule_configs())))
)
def test_from_config(warm: None, config: Any) -> None:
    built, error = expect_clean(lambda: lrparity.from_config(config))
    if error is None:
        expect_clean(lambda: _exercise(built))


# ------------------------------------------------------------------------------------------------------ load_config


def _yaml_text(value: Any) -> str:
    try:
        return yaml.safe_dump(value, sort_keys=False)
    except (yaml.YAMLError, ValueError, TypeError, RecursionError):
        return json.dumps(value, default=str)


YAML_TEXT = st.one_of(
    st.text(max_size=80),
    st.binary(max_size=60).map(lambda b: b.decode("latin-1")),
    JSON_LIKE.map(_yaml_text),
    st.deferred(lambda: near(schedule_configs())).map(_yaml_text),
    st.sampled_from(
        ["", "---\n", "null", "[]", "- 1\n- 2", "a: 1\na: 2\n", "type: cosine\nT_max: !!python/name:os.system\n",
         "!!python/object/apply:os.system ['true']\n", "type: !foo cosine\n", "a: &x [*x]\n", "? [1, 2]\n: 3\n",
         "type: cosine\nT_max: 1e3\n", "type: cosine\nT_max: 0x10\n", "{type: cosine, T_max: 10,}",
         "type: cosine\nT_max: .inf\n", "type: step\nstep_size: 10\ngamma: .nan\n", "\ufefftype: cosine\nT_max: 5\n",
         "x: " + "[" * 200 + "]" * 200, "a: &a [1]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"]
    ),
)  # fmt: skip


@fuzz_settings(1000)
@given(YAML_TEXT, st.sampled_from(["config.yaml", "config.yml", "config.json", "config"]), st.booleans())
def test_load_config(warm: None, text: str, name: str, as_bytes: bool) -> None:
    path = _TMP[0] / name
    if as_bytes:
        path.write_bytes(text.encode("utf-8", "surrogatepass") + b"\xff\xfe")  # not UTF-8
    else:
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
    built, error = expect_clean(lambda: lrparity.load_config(path), names=str(path))
    if error is None:
        expect_clean(lambda: _exercise(built))


# ------------------------------------------------------------------------------------------------------ PaddleOCR
NEAR_BLOCKS = st.deferred(lambda: near(ppocr_blocks()))
BLOCKS = st.one_of(
    JSON_LIKE,
    NEAR_BLOCKS,
    NEAR_BLOCKS,
    NEAR_BLOCKS.map(lambda b: b.get("lr", b) if isinstance(b, dict) else b),  # the lr block itself
)
COUNTS = st.one_of(st.integers(1, 60), st.integers(1, 60), st.integers(-2, 400), WEIRD)


@fuzz_settings(1500)
@given(BLOCKS, COUNTS, COUNTS)
def test_ppocr_lr_schedule(warm: None, block: Any, epochs: Any, steps_per_epoch: Any) -> None:
    from lrparity.ppocr import lr_schedule

    schedule, error = expect_clean(lambda: lr_schedule(block, epochs, steps_per_epoch))
    if error is None:
        assert not schedule.uses_base_lr
        n = min(int(epochs) * int(steps_per_epoch), 32)
        expect_clean(lambda: schedule.values(range(n)))


@fuzz_settings(600)
@given(
    st.one_of(JSON_LIKE, NEAR_BLOCKS, NEAR_BLOCKS),
    COUNTS,
    COUNTS,
    st.sampled_from(["model", "model", "model", "params", "named", "random"]),
    JSON_LIKE,
)
def test_ppocr_torch_optimizer(
    warm: None, block: Any, epochs: Any, steps_per_epoch: Any, kind: str, random: Any
) -> None:
    torch = pytest.importorskip("torch")
    from lrparity.ppocr import torch_optimizer

    model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.LayerNorm(2))
    target = {
        "model": model,
        "params": list(model.parameters()),
        "named": list(model.named_parameters()),
        "random": random,
    }[kind]
    setup, error = expect_clean(lambda: torch_optimizer(block, target, epochs, steps_per_epoch))
    if error is None:
        setup.optimizer.step()
        setup.scheduler.step()


# ------------------------------------------------------------------------------------------------------ states
STEP_SCHEDULES = [Warmup(Cosine(50), 5), Step(7, 0.5), Exponential(0.9)]


def _torch_schedulers() -> list[Any]:
    torch = pytest.importorskip("torch")
    out = []
    for schedule in STEP_SCHEDULES:
        opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1, momentum=0.9)
        out.append(lrparity.torch_scheduler(schedule, opt))
    opt = torch.optim.SGD([{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in (0.1, 0.01)])
    out.append(lrparity.torch_scheduler(Plateau(patience=1), opt))
    opt = torch.optim.SGD([{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr} for lr in (0.1, 0.01)])
    out.append(lrparity.torch_scheduler(WARMED_PLATEAU, opt))
    return out


def _paddle_schedulers() -> list[Any]:
    pytest.importorskip("paddle")
    out = [lrparity.paddle_scheduler(schedule, learning_rate=0.1) for schedule in STEP_SCHEDULES]
    out.append(lrparity.paddle_scheduler(Plateau(patience=1, semantics="paddle"), learning_rate=0.1))
    out.append(lrparity.paddle_scheduler(WARMED_PLATEAU.replace(semantics="paddle"), learning_rate=0.1))
    return out


def _advanced(scheduler: Any, n: int) -> Any:
    for k in range(n):
        if hasattr(scheduler, "optimizer"):
            scheduler.optimizer.step()  # torch: optimizer.step() first, as in training
        if isinstance(getattr(scheduler, "plateau", None), Plateau):
            scheduler.step(1.0 / (1 + k % 3))
        else:
            scheduler.step()
    return scheduler


@functools.cache
def saved_states() -> dict[int, list[dict[str, Any]]]:
    """Real states of both backends (step and plateau schedulers, at a few steps), by scheduler index: the seeds
    of the mutations (a state fits its own scheduler, in either backend)."""
    states: dict[int, list[dict[str, Any]]] = {}
    for make in (_torch_schedulers, _paddle_schedulers):
        for n in (0, 3, 12):
            for index, scheduler in enumerate(make()):
                states.setdefault(index, []).append(copy.deepcopy(_advanced(scheduler, n).state_dict()))
    return states


def _state_case(index: int) -> st.SearchStrategy[tuple[int, Any]]:
    own = st.deferred(lambda: near(saved_states()[index]))
    other = st.deferred(lambda: near([s for states in saved_states().values() for s in states]))
    return st.tuples(st.just(index), st.one_of(JSON_LIKE, own, own, own, other))


STATE_CASES = st.integers(0, len(STEP_SCHEDULES)).flatmap(_state_case)


def _state_fuzz(make: Callable[[], list[Any]], method: str, case: tuple[int, Any], steps: int) -> None:
    index, state = case
    scheduler = _advanced(make()[index], steps)
    before = copy.deepcopy(scheduler.state_dict())
    _, error = expect_clean(lambda: getattr(scheduler, method)(state))
    if error is not None:
        assert scheduler.state_dict() == before or _nan_equal(scheduler.state_dict(), before), "a refused state changed"
        return
    expect_clean(lambda: _advanced(scheduler, 2))


def _nan_equal(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True, default=repr) == json.dumps(b, sort_keys=True, default=repr)


@fuzz_settings(1000)
@given(STATE_CASES, st.integers(0, 4))
def test_torch_load_state_dict(warm: None, case: tuple[int, Any], steps: int) -> None:
    _state_fuzz(_torch_schedulers, "load_state_dict", case, steps)


@fuzz_settings(1000)
@given(STATE_CASES, st.integers(0, 4))
def test_paddle_set_state_dict(warm: None, case: tuple[int, Any], steps: int) -> None:
    _state_fuzz(_paddle_schedulers, "set_state_dict", case, steps)


# ------------------------------------------------------------------------------------------------------ sweeps
# Every single change of a real input, systematically: each key or item of each seed replaced by each edge value,
# or removed. Random combinations above, exhaustive single mutations here.
EDGES = [None, True, -1, 0, 2.5, 1e300, 2**53 + 1, 2**64, math.inf, -math.inf, math.nan, "1", "", [], {}, [1.0],
         {"type": "constant"}]  # fmt: skip
_DELETE = object()


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        out.append((*prefix, key))
        out.extend(_paths(value, (*prefix, key)))
    return out


def single_mutations(seed: Any) -> list[tuple[str, Any]]:
    """``(description, mutated copy)`` for every path of ``seed`` and every edge value (or removal)."""
    out = []
    for path in _paths(seed):
        for edge in [*EDGES, _DELETE]:
            value = copy.deepcopy(seed)
            container = functools.reduce(lambda node, key: node[key], path[:-1], value)
            if edge is _DELETE:
                del container[path[-1]]
            else:
                container[path[-1]] = copy.deepcopy(edge)
            out.append((f"{'.'.join(map(str, path))} = {'<removed>' if edge is _DELETE else repr(edge)}", value))
    return out


def _one_per(blocks: list[dict[str, Any]], key: Callable[[dict[str, Any]], Any]) -> list[dict[str, Any]]:
    seen: dict[Any, dict[str, Any]] = {}
    for block in blocks:
        seen.setdefault(repr(key(block)), block)
    return list(seen.values())


def test_from_config_every_single_mutation(warm: None) -> None:
    for seed in schedule_configs():
        for what, config in single_mutations(seed):
            built, error = expect_clean(lambda: lrparity.from_config(config), example=(seed, what))  # noqa: B023
            if error is None:
                expect_clean(lambda: _exercise(built), example=(seed, what))  # noqa: B023


def test_ppocr_every_single_mutation(warm: None) -> None:
    from lrparity.ppocr import lr_schedule, torch_optimizer

    torch = pytest.importorskip("torch")
    model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.LayerNorm(2))
    by_lr = _one_per(ppocr_blocks(), lambda b: (b.get("lr") or {}).get("name", "Const"))
    by_lr += _one_per(ppocr_blocks(), lambda b: sorted(b.get("lr") or {}))
    for seed in by_lr:
        for what, block in single_mutations(seed):
            expect_clean(lambda: lr_schedule(block, 3, 4), example=(seed, what))  # noqa: B023
    for seed in _one_per(ppocr_blocks(), lambda b: (b.get("name"), sorted(b))):
        for what, block in single_mutations({k: v for k, v in seed.items() if k != "lr"}):
            block["lr"] = {"name": "Cosine", "learning_rate": 0.01}
            expect_clean(lambda: torch_optimizer(block, model, 3, 4), example=(seed, what))  # noqa: B023


@pytest.mark.parametrize("backend", ["torch", "paddle"])
def test_states_every_single_mutation(warm: None, backend: str) -> None:
    make, method = (
        (_torch_schedulers, "load_state_dict") if backend == "torch" else (_paddle_schedulers, "set_state_dict")
    )
    for index, states in saved_states().items():
        scheduler = _advanced(make()[index], 3)
        for seed in states[1 :: len(states) // 2]:  # at step 3: one torch-saved, one paddle-saved
            for what, state in single_mutations(seed):
                before = copy.deepcopy(scheduler.state_dict())
                _, error = expect_clean(lambda: getattr(scheduler, method)(state), example=(seed, what))  # noqa: B023
                if error is None:
                    expect_clean(lambda: _advanced(scheduler, 2), example=(seed, what))  # noqa: B023
                    scheduler = _advanced(make()[index], 3)
                else:
                    assert _nan_equal(scheduler.state_dict(), before), f"a refused state changed: {what}"


def _deep(depth: int, leaf: Any, wrap: Callable[[Any], Any]) -> Any:
    for _ in range(depth):
        leaf = wrap(leaf)
    return leaf


@pytest.mark.parametrize("depth", [60, 5000])
def test_deeply_nested_inputs(warm: None, depth: int) -> None:
    """Nesting never ends in a RecursionError: schedules in schedules, lists in lists, in every entry point."""
    torch = pytest.importorskip("torch")
    from lrparity.ppocr import lr_schedule, torch_optimizer

    warmups = _deep(
        depth, {"type": "cosine", "T_max": 10}, lambda c: {"type": "warmup", "schedule": c, "warmup_steps": 1}
    )
    lists = _deep(depth, [1], lambda x: [x])
    dicts = _deep(depth, {"a": 1}, lambda x: {"a": x})
    texts = {  # the same configs as JSON text (also YAML flow text), written without recursion
        "warmups": '{"type": "warmup", "warmup_steps": 1, "schedule": ' * depth
        + '{"type": "cosine", "T_max": 10}'
        + "}" * depth,
        "lists": '{"type": "piecewise", "lrs": [1.0], "boundaries": ' + "[" * depth + "[1]" + "]" * depth + "}",
        "dicts": '{"type": "cosine", "T_max": ' + '{"a": ' * depth + '{"a": 1}' + "}" * depth + "}",
    }
    configs = {
        "warmups": warmups,
        "lists": {"type": "piecewise", "boundaries": lists, "lrs": [1.0]},
        "dicts": {"type": "cosine", "T_max": dicts},
    }
    for kind, config in configs.items():
        expect_clean(lambda: lrparity.from_config(config), example=kind)  # noqa: B023
        for suffix in (".json", ".yaml"):
            path = _TMP[0] / f"deep{suffix}"
            path.write_text(texts[kind], encoding="utf-8")
            expect_clean(lambda: lrparity.load_config(path), names=str(path), example=(kind, suffix))  # noqa: B023
    for block in ({"name": "Adam", "lr": {"name": "Piecewise", "decay_epochs": lists, "values": lists}}, lists, dicts):
        expect_clean(lambda: lr_schedule(block, 3, 4), example=block)  # noqa: B023
        expect_clean(lambda: torch_optimizer(block, torch.nn.Linear(2, 2), 3, 4), example=block)  # noqa: B023
    for index, states in saved_states().items():
        for key in ("schedule", "plateau", "step"):
            state = {**states[1], key: dicts}
            for scheduler, method in ((_torch_schedulers()[index], "load_state_dict"),
                                      (_paddle_schedulers()[index], "set_state_dict")):  # fmt: skip
                expect_clean(lambda: getattr(scheduler, method)(state), example=(index, key))  # noqa: B023


def test_seeds_cover_every_schedule_type_and_both_state_kinds(warm: None) -> None:
    """The near-valid inputs start from a config of every registry type, and from step and plateau states."""
    types = set()
    for config in schedule_configs():
        stack = [config]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                types.add(str(node.get("type", "")).split(".")[0])
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)
    assert set(REGISTRY) <= types
    assert {s["plateau"] is None for states in saved_states().values() for s in states} == {True, False}
    assert len(ppocr_blocks()) == 89
