"""PaddleSeg recipes: a PaddleSeg training YAML (``iters``, ``lr_scheduler``) as the exact lrparity schedule, and back.

PaddleSeg 2.8.0 (``paddleseg/cvlibs/config.py``, ``builder.py``, ``core/train.py``) reads its YAML with PyYAML's
``FullLoader`` (YAML 1.1: ``1e-5`` without a dot is the *string* ``'1e-5'``), merges ``_base_`` files key by key,
and builds the learning rate in ``SegBuilder.lr_scheduler``:

- ``type`` names any class of ``paddle.optimizer.lr``; every other key of ``lr_scheduler`` is a keyword argument of
  it, passed unchanged (nothing is converted);
- ``warmup_iters`` and ``warmup_start_lr`` are popped and the scheduler is wrapped in
  ``LinearWarmup(scheduler, warmup_iters, warmup_start_lr, end_lr=learning_rate)``: the inner schedule then sees
  ``t - warmup_iters``, so a ``MultiStepDecay``'s milestones (and a ``StepDecay``'s steps, a cosine's period) count
  from the end of the warmup;
- a ``PolynomialDecay`` without ``decay_steps`` gets ``max(iters - warmup_iters, 1)``;
- the trainer steps the scheduler once per iteration, after ``optimizer.step()`` (``ReduceOnPlateau`` with the
  iteration's loss), for ``iters`` iterations.

:func:`schedule` returns the absolute schedule indexed by iteration (= optimizer update), :func:`export` and
:func:`dumps` write a schedule back as PaddleSeg YAML, :func:`reference` runs PaddleSeg's own builder.
"""

from __future__ import annotations

import itertools
import math
import numbers
import os
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from lrparity.core import (
    Constant,
    Cosine,
    CosineRestarts,
    Cyclic,
    Exponential,
    InverseTime,
    Linear,
    MultiStep,
    NaturalExp,
    Noam,
    OneCycle,
    Piecewise,
    Plateau,
    Polynomial,
    Schedule,
    Step,
    Warmup,
    WithBaseLR,
)
from lrparity.core.config_files import read_config_file
from lrparity.core.validation import check_nesting, closest_key_hint
from lrparity.recipes import RecipeWarning

__all__ = [
    "LR_TYPES",
    "PpsegWarning",
    "dumps",
    "export",
    "merge_config_dicts",
    "optimizer_spec",
    "paddle_lr_schedule",
    "read_config",
    "reference",
    "schedule",
    "torch_optimizer",
]

BASE_KEY = "_base_"
INHERIT_KEY = "_inherited_"

_LATER = object()  # a required argument (no default)

#: Keyword arguments (with paddle 3.3.1's defaults) of every ``paddle.optimizer.lr`` class a config can name.
#: ``last_epoch`` and ``verbose`` are accepted by all but ReduceOnPlateau (which has no ``last_epoch``).
_SIGNATURES: dict[str, dict[str, Any]] = {
    "NoamDecay": {"d_model": _LATER, "warmup_steps": _LATER, "learning_rate": 1.0},
    "PiecewiseDecay": {"boundaries": _LATER, "values": _LATER},
    "NaturalExpDecay": {"learning_rate": _LATER, "gamma": _LATER},
    "InverseTimeDecay": {"learning_rate": _LATER, "gamma": _LATER},
    "PolynomialDecay": {"learning_rate": _LATER, "decay_steps": _LATER, "end_lr": 0.0001, "power": 1.0, "cycle": False},
    "LinearWarmup": {"learning_rate": _LATER, "warmup_steps": _LATER, "start_lr": _LATER, "end_lr": _LATER},
    "ExponentialDecay": {"learning_rate": _LATER, "gamma": _LATER},
    "MultiStepDecay": {"learning_rate": _LATER, "milestones": _LATER, "gamma": 0.1},
    "StepDecay": {"learning_rate": _LATER, "step_size": _LATER, "gamma": 0.1},
    "LambdaDecay": {"learning_rate": _LATER, "lr_lambda": _LATER},
    "ReduceOnPlateau": {
        "learning_rate": _LATER,
        "mode": "min",
        "factor": 0.1,
        "patience": 10,
        "threshold": 1e-4,
        "threshold_mode": "rel",
        "cooldown": 0,
        "min_lr": 0,
        "epsilon": 1e-8,
    },
    "CosineAnnealingDecay": {"learning_rate": _LATER, "T_max": _LATER, "eta_min": 0},
    "MultiplicativeDecay": {"learning_rate": _LATER, "lr_lambda": _LATER},
    "OneCycleLR": {
        "max_learning_rate": _LATER,
        "total_steps": _LATER,
        "divide_factor": 25.0,
        "end_learning_rate": 0.0001,
        "phase_pct": 0.3,
        "anneal_strategy": "cos",
        "three_phase": False,
    },
    "CyclicLR": {
        "base_learning_rate": _LATER,
        "max_learning_rate": _LATER,
        "step_size_up": _LATER,
        "step_size_down": None,
        "mode": "triangular",
        "exp_gamma": 1.0,
        "scale_fn": None,
        "scale_mode": "cycle",
    },
    "LinearLR": {"learning_rate": _LATER, "total_steps": _LATER, "start_factor": 1.0 / 3, "end_factor": 1.0},
    "CosineAnnealingWarmRestarts": {"learning_rate": _LATER, "T_0": _LATER, "T_mult": 1, "eta_min": 0},
}

LR_TYPES: tuple[str, ...] = tuple(_SIGNATURES)
"""Every ``paddle.optimizer.lr`` class (paddle 3.3.1) an ``lr_scheduler.type`` can name. ``LambdaDecay`` and
``MultiplicativeDecay`` need a Python function, which a YAML file cannot hold: they raise."""

_ABSOLUTE = ("PiecewiseDecay", "OneCycleLR", "CyclicLR")  # no learning_rate argument: no warmup possible


class PpsegWarning(RecipeWarning):
    """A PaddleSeg config key that PaddleSeg accepts but ignores, a silent default, or a PaddleSeg quirk that moves
    the values away from what the config seems to say (milestones shifted by the warmup)."""


# ---------------------------------------------------------------------------------------------------- reading files
def merge_config_dicts(dic: Mapping[str, Any], base_dic: Mapping[str, Any], *, where: str = "config") -> dict:
    """``dic`` merged into ``base_dic``, exactly as PaddleSeg's ``merge_config_dicts`` merges them.

    Mappings present in both are merged recursively, every other value of ``dic`` replaces the base's. A mapping
    with ``_inherited_: False`` replaces the base's mapping whole (the key is removed; an ``_inherited_`` that is
    true stays in the mapping, and so does one whose mapping has no counterpart in the base). With several
    ``_base_`` files the merge runs once per base, in order, so the first base wins over the second, and an
    ``_inherited_: False`` only shields its mapping from the first base that has it.

    Raises:
        ValueError: a mapping over a base value that is not a mapping (PaddleSeg fails on it).
    """
    base = dict(base_dic)
    top = dict(dic)
    if not top.get(INHERIT_KEY, True):
        top.pop(INHERIT_KEY)
        return top
    for key, value in top.items():
        if isinstance(value, Mapping) and key in base:
            if not isinstance(base[key], Mapping):
                raise ValueError(
                    f"{where}: {key!r} is a mapping but the _base_ file gives {base[key]!r}: PaddleSeg cannot merge "
                    "them (it fails with AttributeError/TypeError)"
                )
            base[key] = merge_config_dicts(value, base[key], where=f"{where}.{key}")
        else:
            base[key] = value
    return base


def read_config(path: str | os.PathLike[str]) -> dict[str, Any]:
    """A PaddleSeg config file as PaddleSeg reads it: YAML 1.1 values, ``_base_`` files resolved relative to the
    file and merged by :func:`merge_config_dicts`, in order.

    Read with lrparity's one safe reader (nothing is executed; python tags are refused; a repeated key keeps its
    last value, as PyYAML does, with a :class:`~lrparity.core.config_files.ConfigFileWarning`).

    Raises:
        ValueError: an unreadable file, a ``_base_`` that is not a file name or list of them, or a cycle.
    """
    return _read(Path(os.fspath(path)), ())


def _read(path: Path, chain: tuple[Path, ...]) -> dict[str, Any]:
    resolved = path.resolve()
    if resolved in chain:
        cycle = " -> ".join(str(p) for p in (*chain, resolved))
        raise ValueError(f"{path}: _base_ files include each other ({cycle}); PaddleSeg recurses until it fails")
    data = read_config_file(path, yaml_floats="1.1", duplicate_keys="warn")  # PyYAML keeps the last; warned
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a PaddleSeg config is a mapping, got {type(data).__name__}")
    if BASE_KEY not in data:
        return data
    bases = data.pop(BASE_KEY)
    if isinstance(bases, str):
        bases = [bases]
    if not isinstance(bases, list) or not all(isinstance(b, str) for b in bases):
        raise ValueError(f"{path}: _base_ must be a file name or a list of file names, got {bases!r}")
    for name in bases:
        base = _read(Path(os.path.join(os.path.dirname(path), name)), (*chain, resolved))
        data = merge_config_dicts(data, base, where=str(path))
    return data


def _load(config: Any) -> dict[str, Any]:
    if isinstance(config, (str, os.PathLike)):
        return read_config(config)
    if not isinstance(config, Mapping):
        raise TypeError(
            f"config must be a path to a PaddleSeg YAML file or the mapping loaded from it, got {config!r} "
            f"({type(config).__name__})"
        )
    check_nesting("ppseg", "config", config)
    if BASE_KEY in config:
        raise ValueError(
            f"config has a _base_ key ({config[BASE_KEY]!r}): a mapping cannot resolve files relative to its own "
            "location; pass the path of the YAML file instead"
        )
    return dict(config)


# ---------------------------------------------------------------------------------------------------- argument checks
def _bad_number_hint(value: Any) -> str:
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return ""
        return (
            f" (PaddleSeg's YAML 1.1 loader reads {value!r} as a string, and paddle refuses it; "
            "write the number with a dot, e.g. 1.0e-5)"
        )
    return ""


class _Args:
    """The keyword arguments of one paddle class, checked one by one (errors name ``where.key``)."""

    def __init__(self, cls: str, given: Mapping[str, Any], where: str) -> None:
        self.cls, self.where = cls, where
        signature = _SIGNATURES[cls]
        allowed = set(signature) | ({"verbose"} if cls == "ReduceOnPlateau" else {"last_epoch", "verbose"})
        for key in given:
            if key not in allowed:
                hint = closest_key_hint(str(key), sorted(allowed))
                raise ValueError(
                    f"{where}.{key}: paddle.optimizer.lr.{cls} has no argument {key!r}{hint} "
                    f"(valid: {sorted(allowed)}); PaddleSeg passes every key of lr_scheduler to it and fails"
                    + (" (was it merged in from a _base_ file? set _inherited_: False)" if not hint else "")
                )
        if given.get("last_epoch", -1) != -1:
            raise ValueError(
                f"{where}.last_epoch = {given['last_epoch']!r}: a training recipe starts at iteration 0 "
                "(PaddleSeg resumes from a checkpoint, not from last_epoch); remove it"
            )
        self.values = {k: given.get(k, v) for k, v in signature.items()}
        missing = [k for k, v in self.values.items() if v is _LATER]
        if missing:
            raise ValueError(f"{where}: paddle.optimizer.lr.{cls} needs {missing[0]!r} (got keys {sorted(given)})")

    def _name(self, key: str) -> str:
        return f"{self.where}.{key}"

    def number(self, key: str, *, low: float | None = 0.0, low_open: bool = False, high: float | None = None,
               high_open: bool = False, floats_only: bool = False) -> float:  # fmt: skip
        value = self.values[key]
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or (floats_only and isinstance(value, int)):
            kind = "a float (paddle checks isinstance float)" if floats_only else "a number"
            raise TypeError(
                f"{self._name(key)} must be {kind}, got {value!r} ({type(value).__name__}){_bad_number_hint(value)}"
            )
        if not math.isfinite(value):
            raise ValueError(f"{self._name(key)} must be finite, got {value!r}")
        below = low is not None and (value <= low if low_open else value < low)
        above = high is not None and (value >= high if high_open else value > high)
        if below or above:
            lo = "-inf" if low is None else repr(low)
            hi = "inf" if high is None else repr(high)
            bounds = f"{'(' if low_open else '['}{lo}, {hi}{')' if high_open else ']'}"
            raise ValueError(f"{self._name(key)} must be in {bounds}, got {value!r}")
        return value

    def integer(self, key: str, *, minimum: int) -> int:
        value = self.values[key]
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(
                f"{self._name(key)} must be an int (paddle requires one), got {value!r} ({type(value).__name__})"
            )
        if value < minimum:
            raise ValueError(f"{self._name(key)} must be an int >= {minimum}, got {value!r}")
        return int(value)

    def flag(self, key: str) -> bool:
        value = self.values[key]
        if not isinstance(value, bool):
            raise TypeError(f"{self._name(key)} must be true or false, got {value!r} ({type(value).__name__})")
        return value

    def choice(self, key: str, choices: tuple[str, ...], *, ignore_case: bool = False) -> str:
        value = self.values[key]
        if isinstance(value, str):
            for choice in choices:
                if value == choice or (ignore_case and value.lower() == choice):
                    return choice
        hint = closest_key_hint(value, choices) if isinstance(value, str) else ""
        raise ValueError(f"{self._name(key)} must be one of {list(choices)}, got {value!r}{hint}")

    def int_list(self, key: str, *, minimum: int = 0) -> tuple[int, ...]:
        value = self.values[key]
        if not isinstance(value, (list, tuple)):
            raise TypeError(f"{self._name(key)} must be a list of ints, got {value!r} ({type(value).__name__})")
        items = []
        for i, v in enumerate(value):
            if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < minimum:
                raise ValueError(f"{self._name(key)}[{i}] must be an int >= {minimum}, got {v!r}")
            items.append(int(v))
        if any(b <= a for a, b in itertools.pairwise(items)):
            raise ValueError(f"{self._name(key)} must be strictly increasing, got {items}")
        return tuple(items)

    def no_function(self, key: str) -> None:
        if self.values[key] is not None:
            raise ValueError(
                f"{self._name(key)} = {self.values[key]!r}: paddle.optimizer.lr.{self.cls} needs a Python function "
                "here, which a YAML config cannot hold (PaddleSeg fails with TypeError)"
            )


def _first_misplaced_epoch(T_0: int, T_mult: int, epochs: int) -> int | None:
    """The first epoch < ``epochs`` at which paddle's ``CosineAnnealingWarmRestarts.step(epoch)`` (float log) finds
    another cycle than the integer arithmetic, or None."""
    if T_mult == 1:
        return None
    start, length, i = 0, T_0, 0
    while start < epochs:
        for epoch in (start - 1, start):  # only the epochs at a cycle boundary can round to the wrong side
            if T_0 <= epoch < epochs:
                n = int(math.log(epoch / T_0 * (T_mult - 1) + 1, T_mult))
                expected = i if epoch == start else i - 1
                if n != expected:
                    return epoch
        start, length, i = start + length, length * T_mult, i + 1
    return None


def paddle_lr_schedule(
    cls: str,
    kwargs: Mapping[str, Any],
    *,
    stepped_by_epoch: bool = False,
    where: str = "lr_scheduler",
    warn: Callable[[str], None] | None = None,
) -> Schedule | Plateau:
    """The core schedule equal to ``paddle.optimizer.lr.<cls>(**kwargs)`` stepped once per step.

    Every argument is checked as paddle checks it (types included: ``T_max`` must be an int, ``phase_pct`` a float),
    plus what paddle lets through but means nothing (a negative ``end_lr``, unsorted boundaries).

    Args:
        cls: the class name, one of :data:`LR_TYPES`.
        kwargs: its keyword arguments, as a config gives them.
        stepped_by_epoch: the scheduler is stepped with ``step(epoch)`` (inside paddle's ``LinearWarmup``): a
            ``CosineAnnealingDecay`` then runs its closed form instead of its recursion.
        where: the config path of ``kwargs``, for messages.
        warn: called with a sentence for each silent default worth knowing.

    Returns:
        An absolute schedule (relative classes pinned to their ``learning_rate`` with ``WithBaseLR``), or a core
        :class:`~lrparity.core.plateau.Plateau` for ``ReduceOnPlateau``.
    """
    if cls not in _SIGNATURES:
        hint = closest_key_hint(str(cls), LR_TYPES)
        raise ValueError(f"{where}.type = {cls!r} is not a class of paddle.optimizer.lr{hint}; one of {list(LR_TYPES)}")
    a = _Args(cls, kwargs, where)
    say = warn or (lambda _message: None)

    def lr() -> float:
        return a.number("learning_rate")

    if cls in ("LambdaDecay", "MultiplicativeDecay"):
        a.no_function("lr_lambda")
    if cls == "NoamDecay":
        d_model = a.number("d_model", low_open=True)
        return WithBaseLR(Noam(d_model, a.integer("warmup_steps", minimum=1)), lr())
    if cls == "PiecewiseDecay":
        boundaries = a.int_list("boundaries")
        if not boundaries:
            raise ValueError(f"{where}.boundaries must not be empty (paddle raises)")
        values = a.values["values"]
        if not isinstance(values, (list, tuple)) or len(values) != len(boundaries) + 1:
            raise ValueError(
                f"{where}.values must be a list of len(boundaries) + 1 = {len(boundaries) + 1} numbers, got "
                f"{values!r} (paddle ignores all but the first len(boundaries) and the last)"
            )
        lrs = []
        for i, v in enumerate(values):
            a.values[f"values[{i}]"] = v
            lrs.append(a.number(f"values[{i}]"))
        return Piecewise(boundaries, lrs)
    if cls in ("NaturalExpDecay", "InverseTimeDecay"):
        gamma = a.number("gamma", low_open=cls == "NaturalExpDecay")
        return WithBaseLR(NaturalExp(gamma) if cls == "NaturalExpDecay" else InverseTime(gamma), lr())
    if cls == "PolynomialDecay":
        if "end_lr" not in kwargs:
            say(f"{where}: PolynomialDecay without end_lr decays to paddle's default end_lr 0.0001, not to 0")
        schedule = Polynomial(
            a.integer("decay_steps", minimum=1),
            a.number("power", low_open=True),
            a.number("end_lr"),
            a.flag("cycle"),
        )
        return WithBaseLR(schedule, lr())
    if cls == "LinearWarmup":
        base = a.values["learning_rate"]
        if isinstance(base, Mapping):
            raise ValueError(
                f"{where}.learning_rate: a nested scheduler cannot be built from a config (PaddleSeg passes the "
                "mapping to LinearWarmup, which refuses it); use warmup_iters and warmup_start_lr instead"
            )
        start, end = a.number("start_lr"), a.number("end_lr")
        if not end > start:
            raise ValueError(f"{where}: end_lr ({end!r}) must be greater than start_lr ({start!r}) (paddle asserts)")
        return Warmup(WithBaseLR(Constant(), lr()), a.integer("warmup_steps", minimum=1), start_lr=start, end_lr=end)
    if cls == "ExponentialDecay":
        return WithBaseLR(Exponential(a.number("gamma", low_open=True, high=1.0, high_open=True)), lr())
    if cls == "MultiStepDecay":
        gamma = a.number("gamma", low_open=True, high=1.0, high_open=True)
        return WithBaseLR(MultiStep(a.int_list("milestones"), gamma), lr())
    if cls == "StepDecay":
        gamma = a.number("gamma", low_open=True, high=1.0, high_open=True)
        return WithBaseLR(Step(a.integer("step_size", minimum=1), gamma), lr())
    if cls == "ReduceOnPlateau":
        return Plateau(
            mode=a.choice("mode", ("min", "max"), ignore_case=True),
            factor=a.number("factor", high=1.0, high_open=True),
            patience=a.integer("patience", minimum=0),
            threshold=a.number("threshold"),
            threshold_mode=a.choice("threshold_mode", ("rel", "abs"), ignore_case=True),
            cooldown=a.integer("cooldown", minimum=0),
            min_lr=a.number("min_lr"),
            eps=a.number("epsilon"),
            semantics="paddle",
            start_lr=lr(),
        )
    if cls == "CosineAnnealingDecay":
        form = "closed" if stepped_by_epoch else "recursive"
        return WithBaseLR(Cosine(a.integer("T_max", minimum=1), a.number("eta_min"), form=form), lr())
    if cls == "OneCycleLR":
        three = a.flag("three_phase")
        pct = a.number("phase_pct", high=1.0, floats_only=True)
        if three and pct >= 0.5:
            raise ValueError(f"{where}.phase_pct must be < 0.5 with three_phase (paddle raises), got {pct!r}")
        return OneCycle(
            max_lr=a.number("max_learning_rate"),
            total_steps=a.integer("total_steps", minimum=1),
            pct_start=pct,
            anneal_strategy=a.choice("anneal_strategy", ("cos", "linear")),
            div_factor=a.number("divide_factor", low_open=True),
            three_phase=three,
            end_lr=a.number("end_learning_rate"),
        )
    if cls == "CyclicLR":
        a.no_function("scale_fn")
        mode = a.choice("mode", ("triangular", "triangular2", "exp_range"))
        implied = "iterations" if mode == "exp_range" else "cycle"
        if kwargs.get("scale_mode", implied) != implied:
            say(f"{where}.scale_mode = {kwargs['scale_mode']!r} is ignored: mode {mode!r} scales by {implied!r}")
        down = None if a.values["step_size_down"] is None else a.integer("step_size_down", minimum=1)
        return Cyclic(
            base_lr=a.number("base_learning_rate"),
            max_lr=a.number("max_learning_rate"),
            step_size_up=a.integer("step_size_up", minimum=1),
            step_size_down=down,
            mode=mode,
            gamma=a.number("exp_gamma", low_open=True, floats_only=True),
        )
    if cls == "LinearLR":
        start = a.number("start_factor", low_open=True, high=1.0)
        end = a.number("end_factor", high=1.0)
        return WithBaseLR(Linear(start, end, a.integer("total_steps", minimum=1), form="recursive"), lr())
    if cls == "CosineAnnealingWarmRestarts":
        schedule = CosineRestarts(a.integer("T_0", minimum=1), a.integer("T_mult", minimum=1), a.number("eta_min"))
        return WithBaseLR(schedule, lr())
    raise AssertionError(cls)  # pragma: no cover - every class is handled above


# ---------------------------------------------------------------------------------------------------- the schedule
def _iters(cfg: Mapping[str, Any]) -> int:
    if "iters" not in cfg:
        raise ValueError("config has no 'iters' (the number of training iterations, which PaddleSeg requires)")
    iters = cfg["iters"]
    if isinstance(iters, bool) or not isinstance(iters, numbers.Integral) or iters < 1:
        raise ValueError(f"iters must be an int >= 1 (training iterations), got {iters!r}")
    return int(iters)


def schedule(config: Any, *, steps_per_epoch: int | None = None) -> Schedule | Plateau:
    """The lr PaddleSeg's trainer uses at each iteration, as an absolute schedule indexed by iteration.

    ``schedule(cfg).values(range(cfg["iters"]))[i]`` is the lr of iteration ``i`` (0-based), for every class of
    ``paddle.optimizer.lr`` (see :data:`LR_TYPES`) with every argument, warmup included. A ``ReduceOnPlateau``
    returns the core :class:`~lrparity.core.plateau.Plateau` (paddle semantics, starting at ``learning_rate``),
    which PaddleSeg steps every iteration with the loss.

    Args:
        config: a path to a PaddleSeg YAML file (``_base_`` files resolved) or the mapping loaded from one.
        steps_per_epoch: not used (PaddleSeg counts iterations); given, it is ignored with a warning.

    Raises:
        ValueError: a config PaddleSeg cannot build, or one that means nothing, naming the key.
        TypeError: a value of the wrong type (e.g. ``1e-5`` read as a string by YAML 1.1), naming the key.
    """
    messages: list[str] = []
    built = _build(_load(config), messages.append)
    if steps_per_epoch is not None:
        messages.append(f"steps_per_epoch={steps_per_epoch!r} is not used: PaddleSeg counts iterations (iters)")
    for message in messages:
        warnings.warn(message, PpsegWarning, stacklevel=2)
    return built


def _build(cfg: Mapping[str, Any], warn: Callable[[str], None]) -> Schedule | Plateau:
    iters = _iters(cfg)
    block = cfg.get("lr_scheduler")
    if not isinstance(block, Mapping) or not block:
        raise ValueError(f"config has no lr_scheduler mapping (got {block!r}); PaddleSeg requires one")
    lr_cfg = dict(block)
    if INHERIT_KEY in lr_cfg:
        raise ValueError(
            f"lr_scheduler.{INHERIT_KEY} = {lr_cfg[INHERIT_KEY]!r}: PaddleSeg removes it only when it is false and "
            "the base file has an lr_scheduler; here it would be passed to the scheduler, which fails"
        )
    warmup_iters = None
    if "warmup_iters" in lr_cfg:
        warmup_iters = lr_cfg.pop("warmup_iters")
        if "warmup_start_lr" not in lr_cfg:
            raise ValueError("lr_scheduler.warmup_iters needs lr_scheduler.warmup_start_lr (PaddleSeg asserts)")
        if isinstance(warmup_iters, bool) or not isinstance(warmup_iters, numbers.Integral) or warmup_iters < 1:
            raise ValueError(f"lr_scheduler.warmup_iters must be an int >= 1, got {warmup_iters!r} (paddle asserts)")
        warmup_iters = int(warmup_iters)
        start = lr_cfg.pop("warmup_start_lr")
        if "learning_rate" not in lr_cfg:
            raise ValueError(
                "lr_scheduler.warmup_iters: the warmup ends at lr_scheduler.learning_rate, which is missing "
                f"(PaddleSeg fails with KeyError); type {lr_cfg.get('type')!r}"
            )
    elif "warmup_start_lr" in lr_cfg:
        raise ValueError(
            "lr_scheduler.warmup_start_lr without warmup_iters: PaddleSeg passes it to the scheduler, which fails; "
            "add warmup_iters or remove it"
        )
    if "type" not in lr_cfg:
        raise ValueError(f"lr_scheduler has no 'type' (a class of paddle.optimizer.lr: {list(LR_TYPES)})")
    cls = lr_cfg.pop("type")
    if not isinstance(cls, str):
        raise TypeError(f"lr_scheduler.type must be a class name (a string), got {cls!r}")
    if warmup_iters is not None and cls in _ABSOLUTE:
        raise ValueError(
            f"lr_scheduler.warmup_iters with {cls}: the warmup ends at learning_rate, which {cls} does not take "
            "(PaddleSeg fails either way); write the warmup into the schedule's own values"
        )
    if cls == "PolynomialDecay":
        lr_cfg.setdefault("decay_steps", max(iters - (warmup_iters or 0), 1))
    inner = paddle_lr_schedule(cls, lr_cfg, stepped_by_epoch=warmup_iters is not None, warn=warn)
    if isinstance(inner, Plateau):
        if warmup_iters is not None:
            raise ValueError(
                "lr_scheduler: ReduceOnPlateau with warmup_iters: PaddleSeg's LinearWarmup steps the plateau with the "
                "iteration number as its metric (the loss is never seen); not a schedule"
            )
        return inner
    if cls == "OneCycleLR" and inner.total_steps < iters:  # type: ignore[attr-defined]
        raise ValueError(
            f"lr_scheduler.total_steps = {inner.total_steps} < iters = {iters}: paddle's OneCycleLR raises when "  # type: ignore[attr-defined]
            f"stepped past total_steps, so PaddleSeg stops at iteration {inner.total_steps + 1}"  # type: ignore[attr-defined]
        )
    if warmup_iters is None:
        return inner
    if cls == "CosineAnnealingWarmRestarts":
        restarts = inner.schedule  # type: ignore[attr-defined]
        miss = _first_misplaced_epoch(restarts.T_0, restarts.T_mult, iters - warmup_iters)
        if miss is not None:
            raise ValueError(
                f"lr_scheduler: CosineAnnealingWarmRestarts(T_0={restarts.T_0}, T_mult={restarts.T_mult}) inside "
                f"PaddleSeg's warmup is stepped with step(epoch), whose float logarithm puts epoch {miss} in the wrong "
                "cycle; lrparity does not reproduce that bug"
            )
    if cls in ("MultiStepDecay", "StepDecay"):
        what = (
            f"milestones {list(lr_cfg['milestones'])} fall at iterations "
            f"{[m + warmup_iters for m in lr_cfg['milestones']]}"
            if cls == "MultiStepDecay"
            else f"the first step_size counts from iteration {warmup_iters}"
        )
        warn(f"lr_scheduler: {cls} starts after the {warmup_iters}-iteration warmup, so {what}")
    if warmup_iters >= iters:
        warn(f"lr_scheduler.warmup_iters = {warmup_iters} >= iters = {iters}: the run ends during the warmup")
    start_lr = _checked_number("lr_scheduler.warmup_start_lr", start)
    end_lr = _checked_number("lr_scheduler.learning_rate", lr_cfg["learning_rate"])
    if not end_lr > start_lr:
        raise ValueError(
            f"lr_scheduler.warmup_start_lr ({start_lr!r}) must be smaller than learning_rate ({end_lr!r}): paddle's "
            "LinearWarmup asserts end_lr > start_lr"
        )
    return Warmup(inner, warmup_iters, start_lr=start_lr, end_lr=end_lr)


def _checked_number(key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value < 0:
        raise (TypeError if not isinstance(value, numbers.Real) or isinstance(value, bool) else ValueError)(
            f"{key} must be a number >= 0, got {value!r}{_bad_number_hint(value)}"
        )
    return value


# ---------------------------------------------------------------------------------------------------- export
def _relative_block(s: Schedule, lr: float, iters: int) -> dict[str, Any] | None:
    """``type`` and arguments of the paddle class whose values are ``s`` at base ``lr`` (stepped per step)."""
    if isinstance(s, Polynomial):
        return {"type": "PolynomialDecay", "learning_rate": lr, "decay_steps": s.total_steps, "end_lr": s.end_lr,
                "power": s.power, **({"cycle": True} if s.cycle else {})}  # fmt: skip
    if isinstance(s, MultiStep):
        return {"type": "MultiStepDecay", "learning_rate": lr, "milestones": list(s.milestones), "gamma": s.gamma}
    if isinstance(s, Step):
        return {"type": "StepDecay", "learning_rate": lr, "step_size": s.step_size, "gamma": s.gamma}
    if isinstance(s, Exponential):
        return {"type": "ExponentialDecay", "learning_rate": lr, "gamma": s.gamma}
    if isinstance(s, NaturalExp):
        return {"type": "NaturalExpDecay", "learning_rate": lr, "gamma": s.gamma}
    if isinstance(s, InverseTime):
        return {"type": "InverseTimeDecay", "learning_rate": lr, "gamma": s.gamma}
    if isinstance(s, Cosine) and isinstance(s.T_max, int) and s.after_end == "periodic":
        return {"type": "CosineAnnealingDecay", "learning_rate": lr, "T_max": s.T_max, "eta_min": s.eta_min}
    if isinstance(s, Linear):
        return {"type": "LinearLR", "learning_rate": lr, "total_steps": s.total_steps,
                "start_factor": s.start_factor, "end_factor": s.end_factor}  # fmt: skip
    if isinstance(s, CosineRestarts) and (s.cycle_decay, s.cycle_limit, s.k_decay) == (1.0, None, 1.0):
        return {"type": "CosineAnnealingWarmRestarts", "learning_rate": lr, "T_0": s.T_0, "T_mult": s.T_mult,
                "eta_min": s.eta_min}  # fmt: skip
    if isinstance(s, Noam):
        return {"type": "NoamDecay", "learning_rate": lr, "d_model": s.d_model, "warmup_steps": s.warmup_steps}
    if isinstance(s, Constant) and s.total_steps is None and s.factor == 1.0:
        return {"type": "StepDecay", "learning_rate": lr, "step_size": iters, "gamma": 0.1}  # no step within the run
    return None


def _absolute_block(s: Schedule, iters: int) -> dict[str, Any] | None:
    if isinstance(s, WithBaseLR):
        return _relative_block(s.schedule, s.base_lr, iters)
    if isinstance(s, Piecewise):
        return {"type": "PiecewiseDecay", "boundaries": list(s.boundaries), "values": list(s.lrs)}
    if isinstance(s, OneCycle) and s.end_lr is not None and not s.cycle_momentum:
        return {"type": "OneCycleLR", "max_learning_rate": s.max_lr, "total_steps": s.total_steps,
                "divide_factor": s.div_factor, "end_learning_rate": s.end_lr, "phase_pct": float(s.pct_start),
                "anneal_strategy": s.anneal_strategy, "three_phase": s.three_phase}  # fmt: skip
    if isinstance(s, Cyclic) and s.scale_fn is None and not s.cycle_momentum and not s.invert:
        up, down = s.step_size_up, s.step_size_down
        if float(up).is_integer() and (down is None or float(down).is_integer()):
            block = {"type": "CyclicLR", "base_learning_rate": s.base_lr, "max_learning_rate": s.max_lr,
                     "step_size_up": int(up), "mode": s.mode}  # fmt: skip
            if down is not None:
                block["step_size_down"] = int(down)
            if s.mode == "exp_range":
                block["exp_gamma"] = float(s.gamma)
            return block
    return None


def _pinned(s: Schedule, base_lr: float | None) -> Schedule:
    if not s.uses_base_lr:
        return s
    if base_lr is None:
        raise ValueError(
            f"export: {type(s).__name__} is relative (its values scale a base lr): give base_lr=..., the "
            "learning_rate PaddleSeg should use"
        )
    return WithBaseLR(s, base_lr)


def export(schedule: Schedule, *, iters: int | None = None, base_lr: float | None = None) -> dict[str, Any]:
    """A PaddleSeg config (``iters`` and ``lr_scheduler``) whose schedule equals ``schedule`` at every iteration.

    Expressible: a ``paddle.optimizer.lr`` class's schedule (``WithBaseLR`` of Polynomial, MultiStep, Step,
    Exponential, NaturalExp, InverseTime, Cosine, Linear, CosineRestarts, Noam, the constant; Piecewise, OneCycle
    with ``end_lr``, Cyclic), optionally behind a linear :class:`~lrparity.core.warmup.Warmup` (``mode="prefix"``)
    that ends at the schedule's ``learning_rate``, as ``warmup_iters``/``warmup_start_lr`` give. The result is
    checked: :func:`schedule` of it equals ``schedule`` within 1e-12 (relative) at every iteration.

    Context:
        iters: the run length in iterations; default ``schedule.length`` (plus nothing: the warmup is counted in it).
        base_lr: the base lr of a relative schedule (the config's ``learning_rate``).

    Raises:
        ValueError: naming the part PaddleSeg's config cannot express.
    """
    if not isinstance(schedule, Schedule):
        raise TypeError(f"export: schedule must be an lrparity Schedule, got {schedule!r}")
    s = _pinned(schedule, base_lr)
    if isinstance(s, WithBaseLR) and isinstance(s.schedule, Warmup):  # a relative warmup pinned to a base
        w = s.schedule
        start = w.start_lr if w.start_lr is not None else s.base_lr * (w.start_factor or 0.0)
        end = w.end_lr if w.end_lr is not None else (s.base_lr * w.end_factor if w.end_factor is not None else None)
        s = Warmup(WithBaseLR(w.schedule, s.base_lr), w.warmup_steps, start_lr=start, end_lr=end, shape=w.shape,
                   mode=w.mode) if w.schedule.uses_base_lr else s  # fmt: skip
    if iters is None:
        iters = schedule.length
        if iters is None:
            raise ValueError("export: the schedule has no length: give iters=... (training iterations)")
    if isinstance(iters, bool) or not isinstance(iters, numbers.Integral) or iters < 1:
        raise ValueError(f"export: iters must be an int >= 1 (training iterations), got {iters!r}")
    iters = int(iters)
    lr_block: dict[str, Any] | None
    if isinstance(s, Warmup):
        if s.shape != "linear" or s.mode != "prefix":
            raise ValueError(
                f"export: PaddleSeg's warmup is linear and precedes the schedule; got shape={s.shape!r}, "
                f"mode={s.mode!r}"
            )
        lr_block = _absolute_block(s.schedule, iters)
        if lr_block is None or "learning_rate" not in lr_block:
            raise ValueError(
                f"export: PaddleSeg cannot express a warmup before {type(s.schedule).__name__} (its warmup ends at a "
                "paddle class's learning_rate)"
            )
        start = s.start_lr if s.start_lr is not None else 0.0  # s is absolute here: a start_factor reads no base
        end = s.end_lr if s.end_lr is not None else s.schedule.value(0)
        if end != lr_block["learning_rate"]:
            raise ValueError(
                f"export: the warmup ends at {end!r}, PaddleSeg's at the schedule's learning_rate "
                f"({lr_block['learning_rate']!r})"
            )
        lr_block["warmup_iters"] = s.warmup_steps
        lr_block["warmup_start_lr"] = start
        warmup = s.warmup_steps
    else:
        lr_block = _absolute_block(s, iters)
        warmup = 0
        if lr_block is None:
            part = s.schedule if isinstance(s, WithBaseLR) else s
            raise ValueError(
                f"export: PaddleSeg cannot express {type(part).__name__} ({part!r}): its lr_scheduler is one class "
                "of paddle.optimizer.lr, optionally behind a linear warmup"
            )
    config: dict[str, Any] = {"iters": iters, "lr_scheduler": lr_block}
    if lr_block["type"] == "PolynomialDecay" and lr_block["decay_steps"] == max(iters - warmup, 1):
        del lr_block["decay_steps"]  # PaddleSeg's own default: the config then follows a change of iters
    _check_round_trip(config, s, iters)
    return config


def _check_round_trip(config: dict[str, Any], s: Schedule, iters: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PpsegWarning)
        back = _build(config, lambda _m: None)
    if isinstance(back, Plateau):  # pragma: no cover - export never writes ReduceOnPlateau
        raise AssertionError(config)
    steps = range(iters)
    ours, theirs = s.values(steps), back.values(steps)
    scale = np.maximum(np.abs(ours), np.finfo(np.float64).tiny)
    worst = float(np.max(np.abs(ours - theirs) / scale)) if iters else 0.0
    if not worst <= 1e-12:
        raise ValueError(
            f"export: PaddleSeg's {config['lr_scheduler']['type']} differs from the schedule by {worst:.3g} (relative) "
            "within the run; the format cannot express it exactly"
        )


def dumps(config: Mapping[str, Any]) -> str:
    """The config as PaddleSeg YAML (floats always with a dot, e.g. ``1.0e-05``, so that YAML 1.1 reads floats)."""
    import yaml

    return yaml.safe_dump(dict(config), sort_keys=False, default_flow_style=None)


# ---------------------------------------------------------------------------------------------------- optimizer
_OPTIMIZER_ARGS: dict[str, dict[str, Any]] = {
    "SGD": {},
    "Momentum": {"momentum": 0.9, "use_nesterov": False},
    "Adam": {"beta1": 0.9, "beta2": 0.999, "epsilon": 1e-08, "lazy_mode": False},
    "AdamW": {"beta1": 0.9, "beta2": 0.999, "epsilon": 1e-08, "lazy_mode": False},
}
_CLIPS = {"ClipGradByNorm": "clip_norm", "ClipGradByGlobalNorm": "clip_norm_global"}


def optimizer_spec(config: Any) -> Any:
    """The ``paddle.optimizer`` PaddleSeg 2.8.0 builds from the ``optimizer`` block (``paddleseg/optimizers``), as
    an :class:`lrparity.paddle_optimizers.OptimizerSpec`.

    ``type`` SGD (Momentum when a ``momentum`` key is given, as PaddleSeg switches it), Momentum, Adam or AdamW (the
    lower-case ``sgd``/``adam`` of old configs too); ``weight_decay`` a float (coupled L2, AdamW's decoupled
    coefficient, default 0.01 for AdamW only); ``grad_clip_cfg`` ``ClipGradByNorm`` / ``ClipGradByGlobalNorm``.

    Raises:
        ValueError: a block PaddleSeg cannot build (naming the key), or one with no 1:1 torch counterpart here:
            ``AdamWDL`` (layer-wise lr decay), ``custom_cfg`` (per-group ``lr_mult``/``weight_decay_mult``),
            ``ClipGradByValue``.
    """
    from lrparity.paddle_optimizers import OptimizerSpec, check_adam_hyperparameters

    cfg = _load(config)
    block = cfg.get("optimizer")
    if not isinstance(block, Mapping) or not block:
        raise ValueError(f"config has no optimizer mapping (got {block!r}); PaddleSeg requires one")
    opt = dict(block)
    notes: list[str] = []
    if INHERIT_KEY in opt:
        raise ValueError(
            f"optimizer.{INHERIT_KEY} = {opt[INHERIT_KEY]!r} would be passed to the optimizer, which fails"
        )
    if "type" not in opt:
        raise ValueError("optimizer has no 'type' (SGD, Momentum, Adam or AdamW)")
    kind = {"adam": "Adam", "sgd": "SGD"}.get(opt.pop("type"), block["type"])
    if kind == "SGD" and "momentum" in opt:
        kind = "Momentum"
        notes.append("optimizer: type SGD with a momentum key: PaddleSeg builds Momentum")
    if kind in ("AdamWDL", "AdamWDL_CAE"):
        raise ValueError(f"optimizer.type {kind}: its layer-wise lr decay has no 1:1 torch optimizer in lrparity")
    if kind not in _OPTIMIZER_ARGS:
        raise ValueError(
            f"optimizer.type must be one of {sorted(_OPTIMIZER_ARGS)} (PaddleSeg's optimizers), got {kind!r}"
            f"{closest_key_hint(str(kind), sorted(_OPTIMIZER_ARGS))}"
        )
    allowed = {*_OPTIMIZER_ARGS[kind], "weight_decay", "grad_clip_cfg", "custom_cfg"}
    for key in opt:
        if key not in allowed:
            raise ValueError(
                f"optimizer.{key}: PaddleSeg's {kind} has no argument {key!r}{closest_key_hint(key, sorted(allowed))}"
                f" (valid: {sorted(allowed)})"
            )
    args = {**_OPTIMIZER_ARGS[kind], **opt}
    wd = args.get("weight_decay", 0.01 if kind == "AdamW" else None)
    if wd is not None and (not isinstance(wd, float) or not math.isfinite(wd) or wd < 0):
        raise (TypeError if not isinstance(wd, float) else ValueError)(
            f"optimizer.weight_decay must be a float >= 0 (PaddleSeg asserts isinstance float), got {wd!r}"
            f"{_bad_number_hint(wd)}"
        )
    if args.get("custom_cfg"):
        raise ValueError(
            "optimizer.custom_cfg (per-group lr_mult / weight_decay_mult) is not translated: build the torch "
            "param groups yourself, with group lr = schedule lr * lr_mult"
        )
    clip: dict[str, float] = {}
    clip_cfg = args.get("grad_clip_cfg")
    if clip_cfg is not None:
        name = clip_cfg.get("name") if isinstance(clip_cfg, Mapping) else None
        if name == "ClipGradByValue":
            raise ValueError("optimizer.grad_clip_cfg ClipGradByValue has no counterpart in lrparity's optimizers")
        if name not in _CLIPS:
            raise ValueError(
                "optimizer.grad_clip_cfg must be {name: ClipGradByNorm|ClipGradByGlobalNorm|ClipGradByValue, ...}, "
                f"got {clip_cfg!r}"
            )
        extra = (
            set(clip_cfg) - {"name", "clip_norm"} - ({"group_name", "auto_skip_clip"} if "Global" in name else set())
        )
        if extra or "clip_norm" not in clip_cfg:
            raise ValueError(f"optimizer.grad_clip_cfg: {name} takes clip_norm, got {dict(clip_cfg)!r}")
        norm = clip_cfg["clip_norm"]
        if isinstance(norm, bool) or not isinstance(norm, numbers.Real) or not norm > 0:
            raise ValueError(f"optimizer.grad_clip_cfg.clip_norm must be a number > 0, got {norm!r}")
        clip[_CLIPS[name]] = float(norm)
    fields: dict[str, Any] = {"name": kind, "warnings": tuple(notes), **clip}
    if kind == "Momentum":
        momentum = args["momentum"]
        if isinstance(momentum, bool) or not isinstance(momentum, numbers.Real) or momentum < 0:
            raise ValueError(f"optimizer.momentum must be a number >= 0, got {momentum!r}")
        if not isinstance(args["use_nesterov"], bool):
            raise TypeError(f"optimizer.use_nesterov must be true or false, got {args['use_nesterov']!r}")
        fields.update(momentum=float(momentum), use_nesterov=args["use_nesterov"])
    if kind in ("Adam", "AdamW"):
        for key in ("beta1", "beta2", "epsilon"):
            if isinstance(args[key], bool) or not isinstance(args[key], numbers.Real):
                raise TypeError(f"optimizer.{key} must be a number, got {args[key]!r}{_bad_number_hint(args[key])}")
        check_adam_hyperparameters(kind, args["beta1"], args["beta2"], args["epsilon"])
        if not isinstance(args["lazy_mode"], bool):
            raise TypeError(f"optimizer.lazy_mode must be true or false, got {args['lazy_mode']!r}")
        fields.update(beta1=float(args["beta1"]), beta2=float(args["beta2"]), epsilon=float(args["epsilon"]),
                      lazy_mode=args["lazy_mode"])  # fmt: skip
    if kind == "AdamW":
        fields.update(adamw_weight_decay=wd, weight_decay_origin="weight_decay (decoupled)")
    elif wd is not None:
        fields.update(l2_coupled=wd, weight_decay_origin="weight_decay (L2, coupled)")
    return OptimizerSpec(**fields)


def torch_optimizer(config: Any, model_or_params: Any) -> tuple[Any, Any, Callable[[], None] | None]:
    """The torch optimizer and lr scheduler that reproduce PaddleSeg's update, and the pre-step hook.

    Training loop (PaddleSeg's order, ``core/train.py``)::

        opt, sched, pre_step = lrparity.recipes.ppseg.torch_optimizer("pp_liteseg.yml", model)
        for it in range(iters):
            loss = ...; loss.backward()
            if pre_step: pre_step()                          # Paddle's gradient clip
            opt.step(); opt.zero_grad(); sched.step()        # one scheduler step per iteration

    Returns:
        ``(optimizer, scheduler, pre_step)``; for ReduceOnPlateau the scheduler is a plateau scheduler: call
        ``sched.step(loss)`` every iteration, as PaddleSeg does.

    Raises:
        ValueError: see :func:`optimizer_spec` and :func:`schedule`.
    """
    import lrparity
    from lrparity.paddle_optimizers import build_torch_optimizer

    spec = optimizer_spec(config)
    for message in spec.warnings:
        warnings.warn(message, PpsegWarning, stacklevel=2)
    sched = schedule(config)
    lr0 = sched.start_lr if isinstance(sched, Plateau) else sched.value(0)
    optimizer, pre_step = build_torch_optimizer(spec, model_or_params, float(lr0))
    return optimizer, lrparity.torch_scheduler(sched, optimizer), pre_step


# ---------------------------------------------------------------------------------------------------- reference
def reference(
    config: Any,
    *,
    steps_per_epoch: int | None = None,
    steps: int | None = None,
    lr_module: Any = None,
    metrics: Any = None,
) -> np.ndarray:
    """The lrs PaddleSeg's own code gives, per iteration: ``SegBuilder.lr_scheduler`` built from the config
    (``_base_`` files merged by PaddleSeg's ``parse_from_yaml`` when ``config`` is a path), stepped as
    ``core/train.py`` steps it (``lr = optimizer.get_lr()`` then ``step()``; ``step(loss)`` for ReduceOnPlateau).

    Args:
        config: a path or the loaded mapping.
        steps_per_epoch: not used.
        steps: iterations to run; default the config's ``iters``.
        lr_module: PaddleSeg's ``paddleseg.cvlibs.builder`` module (e.g. loaded from the wheel); default the
            installed ``paddleseg``.
        metrics: the loss of each iteration, for ReduceOnPlateau.

    Raises:
        ImportError: PaddleSeg is not installed and no ``lr_module`` was given.
    """
    if lr_module is None:
        try:
            import paddleseg.cvlibs.builder as lr_module  # type: ignore[no-redef]
        except ImportError as exc:
            raise ImportError(f"reference() runs PaddleSeg's own code: pip install paddleseg==2.8.0 ({exc})") from None
    import sys

    import paddle

    config_cls = lr_module.Config
    parse = sys.modules[config_cls.__module__].parse_from_yaml
    cfg = config_cls.__new__(config_cls)
    cfg.dic = parse(os.fspath(config)) if isinstance(config, (str, os.PathLike)) else dict(config)
    scheduler = lr_module.SegBuilder(cfg).lr_scheduler
    n = cfg.iters if steps is None else steps
    plateau = isinstance(scheduler, paddle.optimizer.lr.ReduceOnPlateau)
    if plateau and (metrics is None or len(metrics) < n):
        raise ValueError("reference: ReduceOnPlateau needs metrics=[loss of each iteration], one per iteration")
    out = np.empty(n, dtype=np.float64)
    for i in range(n):
        out[i] = scheduler()
        if plateau:
            scheduler.step(metrics[i])
        else:
            scheduler.step()
    return out
