"""PaddleNLP recipes: Trainer arguments, ``paddlenlp.transformers.optimization`` classes and the pretraining script's
schedule as the exact lrparity schedule, and back.

Three forms of ``config`` (a mapping, or a path to a JSON/YAML file holding it), semantics of PaddleNLP 2.8.1 (3.0.0b4
has the same ``optimization.py`` and the same scheduler code in ``trainer_utils.py`` / ``Trainer.create_scheduler``):

- **Trainer arguments** (the JSON a ``run_*.py`` script reads: ``lr_scheduler_type``, ``learning_rate``,
  ``warmup_steps``, ``warmup_ratio``, ``max_steps`` or ``num_train_epochs`` with ``gradient_accumulation_steps``,
  ``num_cycles``, ``lr_end``, ``power``, ``decay_steps``; every other key is another argument and is not read).
  The Trainer counts ``len(train_dataloader) // gradient_accumulation_steps`` updates per epoch (rounding *down*,
  where Hugging Face rounds up), runs ``int(updates_per_epoch * num_train_epochs)`` updates, warms up for
  ``warmup_steps`` or ``int(warmup_ratio * max_steps)`` (truncated; Hugging Face takes the ceiling) and builds
  ``get_scheduler(...)``, a ``LambdaDecay`` stepped after every optimizer update.
- **An optimization class**: ``{"name": "CosineDecayWithWarmup", "learning_rate": ..., "total_steps": ..., ...}``
  with its constructor's arguments (``CosineDecayWithWarmup`` defaults to ``num_cycles=1``: a full wave back to the
  peak), stepped once per update.
- **Pretraining** (``{"recipe": "pretrain", ...}``, PaddleNLP's ``llm/run_pretrain.py``): ``cosine`` / ``linear``
  build ``CosineAnnealingWithWarmupDecay`` / ``LinearAnnealingWithWarmupDecay(learning_rate, min_learning_rate,
  warmup, decay_steps or max_steps, last_epoch=0)`` with an unrounded warmup ``warmup_ratio * max_steps`` (unless
  ``warmup_steps > 0``); ``last_epoch=0`` makes the first update use the schedule's value at step 1. Any other
  ``lr_scheduler_type`` falls back to the Trainer's scheduler (``decay_steps`` = ``max_steps``).

The schedule returned is absolute and indexed by optimizer update. The AMP loss scaler's skipped updates (which do
not step the scheduler) are not modelled: they depend on the run.
"""

from __future__ import annotations

import difflib
import json
import math
import numbers
import os
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from lrparity.core import (
    Constant,
    ConstantWarmup,
    CosineWarmupDecay,
    LinearWarmupDecay,
    PolynomialWarmupDecay,
    Schedule,
    Shift,
    WarmupAnneal,
    WithBaseLR,
)
from lrparity.core.config_files import read_config_file
from lrparity.core.validation import check_nesting, closest_key_hint
from lrparity.recipes import RecipeWarning

__all__ = [
    "OPTIMIZATION_CLASSES",
    "SCHEDULER_TYPES",
    "TRAINER_DEFAULTS",
    "PaddlenlpWarning",
    "TrainerPlan",
    "dumps",
    "export",
    "optimizer_spec",
    "read_config",
    "reference",
    "run_length",
    "schedule",
    "torch_optimizer",
    "trainer_plan",
]

SCHEDULER_TYPES: tuple[str, ...] = ("linear", "cosine", "constant", "constant_with_warmup", "polynomial")
"""``lr_scheduler_type`` values PaddleNLP's ``SchedulerType`` accepts."""

OPTIMIZATION_CLASSES: tuple[str, ...] = (
    "LinearDecayWithWarmup",
    "ConstScheduleWithWarmup",
    "CosineDecayWithWarmup",
    "PolyDecayWithWarmup",
    "CosineAnnealingWithWarmupDecay",
    "LinearAnnealingWithWarmupDecay",
)
"""Every class of ``paddlenlp.transformers.optimization``."""

TRAINER_DEFAULTS: Mapping[str, Any] = {
    "learning_rate": 5e-5,
    "lr_scheduler_type": "linear",
    "warmup_steps": 0,
    "warmup_ratio": 0.0,
    "num_train_epochs": 1.0,
    "max_steps": -1,
    "gradient_accumulation_steps": 1,
    "num_cycles": 0.5,
    "lr_end": 1e-7,
    "power": 1.0,
    "decay_steps": None,
}
"""``TrainingArguments``' defaults for the keys read here (PaddleNLP 2.8.1; ``decay_steps`` belongs to subclasses such
as the pretraining arguments)."""

_PRETRAIN_DEFAULTS: Mapping[str, Any] = {**TRAINER_DEFAULTS, "min_learning_rate": 1e-5}

# the argparse type of each Trainer argument: PaddleNLP turns a JSON value into str(value), then into this type
_FIELD_TYPES: Mapping[str, type] = {
    "learning_rate": float,
    "lr_scheduler_type": str,
    "warmup_steps": int,
    "warmup_ratio": float,
    "num_train_epochs": float,
    "max_steps": int,
    "gradient_accumulation_steps": int,
    "num_cycles": float,
    "lr_end": float,
    "power": float,
    "decay_steps": float,
    "min_learning_rate": float,
    "optim": str,
    "adam_beta1": float,
    "adam_beta2": float,
    "adam_epsilon": float,
    "weight_decay": float,
    "max_grad_norm": float,
}

_OPTIMIZER_DEFAULTS: Mapping[str, Any] = {
    "optim": "adamw",
    "adam_beta1": 0.9,
    "adam_beta2": 0.999,
    "adam_epsilon": 1e-8,
    "weight_decay": 0.0,
    "max_grad_norm": 1.0,
}

_LATER = object()
_CLASS_SIGNATURES: Mapping[str, Mapping[str, Any]] = {
    "LinearDecayWithWarmup": {"learning_rate": _LATER, "total_steps": _LATER, "warmup": _LATER},
    "ConstScheduleWithWarmup": {"learning_rate": _LATER, "warmup": _LATER, "total_steps": None},
    "CosineDecayWithWarmup": {
        "learning_rate": _LATER,
        "total_steps": _LATER,
        "warmup": _LATER,
        "with_hard_restarts": False,
        "num_cycles": None,
    },
    "PolyDecayWithWarmup": {
        "learning_rate": _LATER,
        "total_steps": _LATER,
        "warmup": _LATER,
        "lr_end": 1e-7,
        "power": 1.0,
    },
    "CosineAnnealingWithWarmupDecay": {"max_lr": _LATER, "min_lr": _LATER, "warmup_step": _LATER, "decay_step": _LATER},
    "LinearAnnealingWithWarmupDecay": {"max_lr": _LATER, "min_lr": _LATER, "warmup_step": _LATER, "decay_step": _LATER},
}


class PaddlenlpWarning(RecipeWarning):
    """A PaddleNLP argument that is accepted but ignored, or a PaddleNLP quirk that changes the values (the truncated
    warmup, the rounded-down update count)."""


# ---------------------------------------------------------------------------------------------------- reading
def read_config(path: str | os.PathLike[str]) -> dict[str, Any]:
    """A PaddleNLP arguments file (JSON, as ``PdArgumentParser.parse_json_file`` reads; or YAML) as a mapping, read
    with lrparity's one safe reader."""
    data = read_config_file(path, duplicate_keys="warn")  # json/PyYAML keep the last; warned
    if not isinstance(data, dict):
        raise ValueError(f"{os.fspath(path)}: PaddleNLP arguments are a mapping, got {type(data).__name__}")
    return data


def _load(config: Any) -> dict[str, Any]:
    if isinstance(config, (str, os.PathLike)):
        return read_config(config)
    if not isinstance(config, Mapping):
        raise TypeError(
            "config must be PaddleNLP Trainer arguments, {'name': <optimization class>, ...} or "
            f"{{'recipe': 'pretrain', ...}} (a mapping or a path to a JSON/YAML file), got {config!r}"
        )
    check_nesting("paddlenlp", "config", config)
    not_str = [k for k in config if not isinstance(k, str)]
    if not_str:
        raise TypeError(f"config keys must be strings, got {not_str[0]!r}")
    return dict(config)


def _argument(key: str, value: Any) -> Any:
    """``value`` as PaddleNLP's argument parser gives it: ``str(value)`` parsed with the field's type."""
    kind = _FIELD_TYPES[key]
    if value is None:
        if key == "decay_steps":
            return None
        raise TypeError(f"{key} must be a {kind.__name__}, got None")
    if isinstance(value, (bool, Mapping, list, tuple)):
        raise TypeError(f"{key} must be a {kind.__name__}, got {value!r} ({type(value).__name__})")
    if kind is str:
        return str(value)
    try:
        parsed = kind(str(value))
    except ValueError:
        raise TypeError(
            f"{key} must be {'an int' if kind is int else 'a number'}, got {value!r}: PaddleNLP's argument parser "
            f"reads {str(value)!r} with {kind.__name__}() and fails"
        ) from None
    if kind is float and not math.isfinite(parsed):
        raise ValueError(f"{key} must be finite, got {value!r}")
    return parsed


def _arguments(cfg: Mapping[str, Any], defaults: Mapping[str, Any]) -> dict[str, Any]:
    return {key: _argument(key, cfg[key]) if key in cfg else default for key, default in defaults.items()}


# ---------------------------------------------------------------------------------------------------- Trainer
class TrainerPlan:
    """What PaddleNLP's Trainer derives from its arguments: the run length, the warmup and the decay horizon.

    Attributes:
        max_steps: optimizer updates of the run.
        updates_per_epoch: ``max(len(train_dataloader) // gradient_accumulation_steps, 1)``, or None with
            ``max_steps > 0``.
        warmup_steps: ``warmup_steps`` if > 0, else ``int(warmup_ratio * max_steps)``.
        decay_steps: the ``num_training_steps`` given to ``get_scheduler``: ``decay_steps`` if > 0, else
            ``max_steps``.
    """

    def __init__(self, max_steps: int, updates_per_epoch: int | None, warmup_steps: int, decay_steps: int) -> None:
        self.max_steps, self.updates_per_epoch = max_steps, updates_per_epoch
        self.warmup_steps, self.decay_steps = warmup_steps, decay_steps

    def __repr__(self) -> str:
        return (
            f"TrainerPlan(max_steps={self.max_steps}, updates_per_epoch={self.updates_per_epoch}, "
            f"warmup_steps={self.warmup_steps}, decay_steps={self.decay_steps})"
        )


def _count(key: str, value: Any, minimum: int) -> int:
    if value < minimum:
        raise ValueError(f"{key} must be >= {minimum}, got {value!r}")
    return value


def _plan(args: Mapping[str, Any], steps_per_epoch: int | None, warn: Callable[[str], None]) -> TrainerPlan:
    ga = _count("gradient_accumulation_steps", args["gradient_accumulation_steps"], 1)
    upe = None
    if args["max_steps"] > 0:
        max_steps = args["max_steps"]
    else:
        if steps_per_epoch is None:
            raise ValueError(
                f"max_steps = {args['max_steps']} (not set): the run length is num_train_epochs "
                f"({args['num_train_epochs']!r}) epochs, which needs steps_per_epoch = len(train_dataloader)"
            )
        if isinstance(steps_per_epoch, bool) or not isinstance(steps_per_epoch, numbers.Integral):
            raise TypeError(f"steps_per_epoch must be an int (len(train_dataloader)), got {steps_per_epoch!r}")
        spe = _count("steps_per_epoch", int(steps_per_epoch), 1)
        epochs = args["num_train_epochs"]
        if not epochs > 0:
            raise ValueError(f"num_train_epochs must be > 0, got {epochs!r}")
        upe = max(spe // ga, 1)
        max_steps = int(upe * epochs)
        if spe % ga and spe > ga:
            warn(
                f"PaddleNLP counts len(train_dataloader) // gradient_accumulation_steps = {spe} // {ga} = {upe} "
                f"updates per epoch (the last {spe % ga} batches join the next epoch's first update; Hugging Face "
                f"counts {upe + 1})"
            )
        if upe * epochs != max_steps:
            warn(f"PaddleNLP runs int({upe} * {epochs!r}) = {max_steps} updates (truncated)")
        if max_steps < 1:
            raise ValueError(f"the run has int({upe} * {epochs!r}) = {max_steps} updates; nothing to schedule")
    if args["warmup_ratio"] < 0 or args["warmup_ratio"] > 1:
        raise ValueError(f"warmup_ratio must lie in [0, 1] (PaddleNLP raises), got {args['warmup_ratio']!r}")
    if args["warmup_steps"] < 0:
        raise ValueError(f"warmup_steps must be >= 0, got {args['warmup_steps']!r}")
    if args["warmup_steps"] > 0:
        warmup = args["warmup_steps"]
        if args["warmup_ratio"] > 0:
            warn(f"warmup_ratio = {args['warmup_ratio']!r} is ignored: warmup_steps = {warmup} > 0 overrides it")
    else:
        product = args["warmup_ratio"] * max_steps
        warmup = int(product)
        if product != warmup:
            warn(
                f"PaddleNLP truncates the warmup: int(warmup_ratio * max_steps) = int({product!r}) = {warmup} steps "
                f"(Hugging Face takes the ceiling, {math.ceil(product)})"
            )
    decay = max_steps
    if args["decay_steps"] is not None and args["decay_steps"] > 0:
        decay = args["decay_steps"]
        if not float(decay).is_integer():
            raise ValueError(f"decay_steps must be a whole number of updates, got {decay!r}")
        decay = int(decay)
    return TrainerPlan(max_steps, upe, warmup, decay)


def trainer_plan(config: Any, *, steps_per_epoch: int | None = None) -> TrainerPlan:
    """The run length, warmup and decay horizon PaddleNLP's Trainer derives from these arguments (see
    :class:`TrainerPlan`)."""
    messages: list[str] = []
    plan = _plan(_arguments(_load(config), TRAINER_DEFAULTS), steps_per_epoch, messages.append)
    for message in messages:
        warnings.warn(message, PaddlenlpWarning, stacklevel=2)
    return plan


def _trainer_schedule(
    args: Mapping[str, Any], plan: TrainerPlan, warn: Callable[[str], None], *, given: set[str]
) -> Schedule:
    kind = args["lr_scheduler_type"]
    if kind not in SCHEDULER_TYPES:
        raise ValueError(
            f"lr_scheduler_type must be one of {list(SCHEDULER_TYPES)} (PaddleNLP's SchedulerType), got "
            f"{kind!r}{closest_key_hint(kind, SCHEDULER_TYPES)}"
        )
    lr = args["learning_rate"]
    if lr < 0:
        raise ValueError(f"learning_rate must be >= 0, got {lr!r}")
    unused = {
        "num_cycles": kind != "cosine",
        "lr_end": kind != "polynomial",
        "power": kind != "polynomial",
        "decay_steps": kind in ("constant", "constant_with_warmup"),
    }
    for key, is_unused in unused.items():
        if is_unused and key in given and args[key] != TRAINER_DEFAULTS[key]:
            warn(f"{key} = {args[key]!r} is ignored by lr_scheduler_type {kind!r}")
    w, n = plan.warmup_steps, plan.decay_steps
    if kind == "constant":
        if w:
            warn(f"lr_scheduler_type 'constant' has no warmup: the {w} warmup steps are ignored")
        return WithBaseLR(Constant(), lr)
    if kind == "constant_with_warmup":
        return WithBaseLR(ConstantWarmup(w), lr)
    if kind == "linear":
        return WithBaseLR(LinearWarmupDecay(w, n), lr)
    if kind == "cosine":
        if not args["num_cycles"] > 0:
            raise ValueError(f"num_cycles must be > 0, got {args['num_cycles']!r}")
        return WithBaseLR(CosineWarmupDecay(w, n, args["num_cycles"]), lr)
    if not lr > args["lr_end"]:
        raise ValueError(f"lr_end ({args['lr_end']!r}) must be smaller than learning_rate ({lr!r}) (PaddleNLP raises)")
    if args["lr_end"] < 0 or args["power"] < 0:
        raise ValueError(f"lr_end and power must be >= 0, got {args['lr_end']!r} and {args['power']!r}")
    if w >= n:
        raise ValueError(
            f"polynomial: the warmup ({w} steps) must end before decay_steps ({n}): PaddleNLP's lambda divides by "
            f"{n} - {w} and fails"
        )
    return WithBaseLR(PolynomialWarmupDecay(w, n, lr, args["lr_end"], args["power"]), lr)


_OTHER_ARGUMENTS = frozenset(
    {"logging_steps", "save_steps", "eval_steps", "eval_accumulation_steps", "max_seq_length", "max_length",
     "min_learning_rate", "max_grad_norm", "num_hidden_layers", "eval_iters", "test_iters"}
)  # fmt: skip
"""Arguments of PaddleNLP's scripts whose names come close to a scheduler argument's (never warned about)."""


def _unknown_key_warnings(cfg: Mapping[str, Any], known: Iterable[str], warn: Callable[[str], None]) -> None:
    """Keys that are not read but look like a misspelt scheduler argument (other keys are other arguments)."""
    known = list(known)
    for key in cfg:
        if key in known or key in _OTHER_ARGUMENTS:
            continue
        match = difflib.get_close_matches(key, known, n=1, cutoff=0.85)
        if match:
            warn(f"{key!r} is not an argument PaddleNLP's scheduler reads (did you mean {match[0]!r}?)")


# ---------------------------------------------------------------------------------------------------- classes
def _number(where: str, value: Any, *, low: float = 0.0, low_open: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where} must be a number, got {value!r} ({type(value).__name__})")
    if not math.isfinite(value) or (value <= low if low_open else value < low):
        raise ValueError(f"{where} must be a finite number {'>' if low_open else '>='} {low!r}, got {value!r}")
    return value


def _int(where: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or type(value) is not int:
        raise TypeError(f"{where} must be an int, got {value!r} ({type(value).__name__})")
    if value < minimum:
        raise ValueError(f"{where} must be an int >= {minimum}, got {value!r}")
    return value


def _warmup_steps(where: str, warmup: Any, total_steps: Any) -> int:
    """``warmup`` if it is an int, else ``int(math.floor(warmup * total_steps))``, as ``optimization.py`` does."""
    if isinstance(warmup, bool):
        raise TypeError(f"{where}.warmup must be an int (steps) or a float (ratio of total_steps), got {warmup!r}")
    if isinstance(warmup, numbers.Integral) and type(warmup) is not int:
        raise TypeError(
            f"{where}.warmup = {warmup!r} ({type(warmup).__name__}): PaddleNLP tests isinstance(warmup, int), which is "
            "false for it, and would read it as a ratio of total_steps; pass a Python int"
        )
    if type(warmup) is int:
        return _int(f"{where}.warmup", warmup, 0)
    ratio = _number(f"{where}.warmup", warmup)
    if ratio > 1:
        raise ValueError(
            f"{where}.warmup = {warmup!r} is a float, so PaddleNLP reads it as a ratio of total_steps "
            f"({ratio!r} * total_steps steps); write an int for a number of steps, or a ratio in [0, 1]"
        )
    if total_steps is None:
        raise ValueError(f"{where}: a float warmup ({warmup!r}) is a ratio of total_steps, which is not given")
    return math.floor(ratio * total_steps)


def _class_schedule(cfg: Mapping[str, Any]) -> tuple[Schedule, int | None]:
    """The schedule of ``{"name": cls, **kwargs}``, stepped once per update from its construction, and its length."""
    name = cfg["name"]
    if name not in _CLASS_SIGNATURES:
        hint = closest_key_hint(str(name), OPTIMIZATION_CLASSES)
        raise ValueError(f"name = {name!r} is not a class of paddlenlp.transformers.optimization{hint}: "
                         f"one of {list(OPTIMIZATION_CLASSES)}")  # fmt: skip
    where = str(name)
    signature = _CLASS_SIGNATURES[name]
    allowed = {"name", *signature, "last_epoch", "verbose"}
    for key in cfg:
        if key not in allowed:
            raise ValueError(
                f"{where}: unknown argument {key!r}{closest_key_hint(key, sorted(allowed))}; valid: {sorted(allowed)}"
            )
    a = {key: cfg.get(key, default) for key, default in signature.items()}
    missing = [key for key, value in a.items() if value is _LATER]
    if missing:
        raise ValueError(f"{where} needs {missing[0]!r}")
    last_epoch = cfg.get("last_epoch", -1)
    if isinstance(last_epoch, bool) or type(last_epoch) is not int or last_epoch < -1:
        raise ValueError(f"{where}.last_epoch must be an int >= -1, got {last_epoch!r}")
    if name in ("CosineAnnealingWithWarmupDecay", "LinearAnnealingWithWarmupDecay"):
        top = _number(f"{where}.max_lr", a["max_lr"])
        low = _number(f"{where}.min_lr", a["min_lr"])
        warmup = _number(f"{where}.warmup_step", a["warmup_step"])
        decay = _number(f"{where}.decay_step", a["decay_step"], low_open=True)
        shape = "cosine" if name.startswith("Cosine") else "linear"
        core: Schedule = WarmupAnneal(top, low, warmup, decay, shape)
        length: int | None = math.ceil(decay)
    else:
        lr = _number(f"{where}.learning_rate", a["learning_rate"])
        total = a["total_steps"]
        if total is not None or name != "ConstScheduleWithWarmup":
            total = _int(f"{where}.total_steps", total, 1)
        w = _warmup_steps(where, a["warmup"], total)
        length = total
        if name == "LinearDecayWithWarmup":
            core = WithBaseLR(LinearWarmupDecay(w, total), lr)
        elif name == "ConstScheduleWithWarmup":  # total_steps (optional) only scales a float warmup
            core = WithBaseLR(ConstantWarmup(w), lr)
        elif name == "CosineDecayWithWarmup":
            hard, cycles = a["with_hard_restarts"], a["num_cycles"]
            if not isinstance(hard, bool):
                raise TypeError(f"{where}.with_hard_restarts must be true or false, got {hard!r}")
            if cycles is None:
                cycles = 0.5 if hard else 1
            elif (hard and type(cycles) is not float) or (not hard and type(cycles) is not int):
                raise TypeError(
                    f"{where}.num_cycles must be {'a float' if hard else 'an int'} with with_hard_restarts={hard} "
                    f"(PaddleNLP asserts), got {cycles!r}"
                )
            _number(f"{where}.num_cycles", cycles, low_open=True)
            core = WithBaseLR(CosineWarmupDecay(w, total, cycles, hard_restarts=hard), lr)
        else:
            lr_end = _number(f"{where}.lr_end", a["lr_end"])
            power = _number(f"{where}.power", a["power"])
            if not lr > lr_end:
                raise ValueError(f"{where}: lr_end ({lr_end!r}) must be smaller than learning_rate ({lr!r})")
            if w >= total:
                raise ValueError(
                    f"{where}: the warmup ({w} steps) must end before total_steps ({total}): PaddleNLP divides by "
                    "their difference and fails"
                )
            core = WithBaseLR(PolynomialWarmupDecay(w, total, lr, lr_end, power), lr)
    offset = last_epoch + 1
    return (Shift(core, offset) if offset else core), length


# ---------------------------------------------------------------------------------------------------- pretraining
def _pretrain_schedule(cfg: Mapping[str, Any], steps_per_epoch: int | None, warn: Callable[[str], None]) -> Schedule:
    args = _arguments(cfg, _PRETRAIN_DEFAULTS)
    max_steps = args["max_steps"]
    if max_steps <= 0:
        raise ValueError(
            f"recipe 'pretrain' needs max_steps > 0 (llm/run_pretrain.py sizes its dataset and decay by it), got "
            f"{max_steps!r}"
        )
    if steps_per_epoch is not None:
        warn(f"steps_per_epoch={steps_per_epoch!r} is not used: pretraining runs max_steps updates")
    decay = max_steps if args["decay_steps"] is None else args["decay_steps"]
    kind = args["lr_scheduler_type"]
    if kind not in ("cosine", "linear"):
        if args["min_learning_rate"] != _PRETRAIN_DEFAULTS["min_learning_rate"]:
            warn(f"min_learning_rate is ignored by lr_scheduler_type {kind!r} (only cosine and linear use it)")
        trainer_args = {**args, "decay_steps": decay}
        return _trainer_schedule(trainer_args, _plan(trainer_args, None, warn), warn, given=set(cfg))
    for key in ("num_cycles", "lr_end", "power"):
        if args[key] != TRAINER_DEFAULTS[key]:
            warn(f"{key} = {args[key]!r} is ignored: pretraining builds {kind} annealing without it")
    lr, low = args["learning_rate"], args["min_learning_rate"]
    if lr < 0 or low < 0:
        raise ValueError(f"learning_rate and min_learning_rate must be >= 0, got {lr!r} and {low!r}")
    if low > lr:
        warn(f"min_learning_rate ({low!r}) > learning_rate ({lr!r}): the anneal rises to min_learning_rate")
    if args["warmup_steps"] < 0 or not 0 <= args["warmup_ratio"] <= 1:
        raise ValueError(
            f"warmup_steps must be >= 0 and warmup_ratio in [0, 1], got {args['warmup_steps']!r}, "
            f"{args['warmup_ratio']!r}"
        )
    if args["warmup_steps"] > 0:
        warmup: float = args["warmup_steps"]
        if args["warmup_ratio"] > 0:
            warn(f"warmup_ratio = {args['warmup_ratio']!r} is ignored: warmup_steps = {warmup} > 0 overrides it")
    else:
        warmup = args["warmup_ratio"] * max_steps  # not rounded
    if not decay > 0:
        raise ValueError(f"decay_steps must be > 0, got {decay!r}")
    return Shift(WarmupAnneal(lr, low, warmup, decay, kind), 1)


# ---------------------------------------------------------------------------------------------------- entry point
def _form(cfg: Mapping[str, Any]) -> str:
    recipe = cfg.get("recipe", "trainer")
    if recipe not in ("trainer", "pretrain"):
        raise ValueError(f"recipe must be 'trainer' (the default) or 'pretrain', got {recipe!r}")
    if "name" in cfg:
        if "recipe" in cfg:
            raise ValueError("config has both 'name' (an optimization class) and 'recipe': give one of them")
        return "class"
    return recipe


def _build(
    cfg: Mapping[str, Any], steps_per_epoch: int | None, warn: Callable[[str], None]
) -> tuple[Schedule, int | None]:
    """The schedule and the nominal number of updates (None: the config does not fix it)."""
    form = _form(cfg)
    if form == "class":
        if steps_per_epoch is not None:
            warn(f"steps_per_epoch={steps_per_epoch!r} is not used: the class is stepped once per update")
        return _class_schedule(cfg)
    body = {k: v for k, v in cfg.items() if k != "recipe"}
    if form == "pretrain":
        _unknown_key_warnings(body, _PRETRAIN_DEFAULTS, warn)
        return _pretrain_schedule(body, steps_per_epoch, warn), _argument("max_steps", body["max_steps"])
    if "min_learning_rate" in body:
        warn(
            "min_learning_rate is an argument of llm/run_pretrain.py, which builds its own scheduler; the Trainer's "
            "does not read it: for run_pretrain.py arguments pass {'recipe': 'pretrain', ...}"
        )
    _unknown_key_warnings(body, TRAINER_DEFAULTS, warn)
    args = _arguments(body, TRAINER_DEFAULTS)
    plan = _plan(args, steps_per_epoch, warn)
    return _trainer_schedule(args, plan, warn, given=set(body)), plan.max_steps


def schedule(config: Any, *, steps_per_epoch: int | None = None) -> Schedule:
    """The lr PaddleNLP uses at each optimizer update, as an absolute schedule indexed by update.

    Args:
        config: Trainer arguments, ``{"name": <optimization class>, ...}`` or ``{"recipe": "pretrain", ...}``
            (a mapping, or a path to a JSON/YAML file holding it); see the module docstring.
        steps_per_epoch: ``len(train_dataloader)`` (batches per epoch per card), needed for Trainer arguments
            without ``max_steps``.

    Raises:
        ValueError: arguments PaddleNLP rejects, or meaningless ones, naming the key.
        TypeError: a value of the wrong type, naming the key.
    """
    messages: list[str] = []
    built, _ = _build(_load(config), steps_per_epoch, messages.append)
    for message in messages:
        warnings.warn(message, PaddlenlpWarning, stacklevel=2)
    return built


def run_length(config: Any, *, steps_per_epoch: int | None = None) -> int | None:
    """The number of optimizer updates the config runs (Trainer / pretraining: ``max_steps``; a class: its
    ``total_steps`` or ``decay_step``), or None when the config does not fix it."""
    return _build(_load(config), steps_per_epoch, lambda _m: None)[1]


# ---------------------------------------------------------------------------------------------------- export
def _pinned(s: Schedule, base_lr: float | None) -> Schedule:
    if not s.uses_base_lr:
        return s
    if base_lr is None:
        raise ValueError(f"export: {type(s).__name__} is relative: give base_lr=..., PaddleNLP's learning_rate")
    return WithBaseLR(s, base_lr)


def _ratio_for(warmup: float, max_steps: int) -> float | None:
    """A warmup_ratio ``r`` with ``r * max_steps == warmup`` exactly, or None."""
    r = warmup / max_steps
    for candidate in (r, math.nextafter(r, 0.0), math.nextafter(r, 2.0)):
        if candidate * max_steps == warmup and 0 <= candidate <= 1:
            return candidate
    return None


def _export_trainer(core: Schedule, lr: float, max_steps: int | None) -> dict[str, Any] | None:
    base: dict[str, Any] = {"learning_rate": lr}
    if isinstance(core, (Constant, ConstantWarmup)):  # no horizon of their own: the run length must be given
        if max_steps is None:
            return None
        if isinstance(core, ConstantWarmup):
            return {**base, "lr_scheduler_type": "constant_with_warmup", "warmup_steps": core.warmup_steps,
                    "max_steps": max_steps}  # fmt: skip
        if core.factor == 1.0 and core.total_steps is None:
            return {**base, "lr_scheduler_type": "constant", "max_steps": max_steps}
        return None
    if isinstance(core, LinearWarmupDecay):
        out = {**base, "lr_scheduler_type": "linear"}
    elif isinstance(core, CosineWarmupDecay) and not core.hard_restarts and not core.min_lr_rate:
        out = {**base, "lr_scheduler_type": "cosine", "num_cycles": float(core.num_cycles)}
    elif isinstance(core, PolynomialWarmupDecay) and core.lr_init == lr:
        out = {**base, "lr_scheduler_type": "polynomial", "lr_end": core.lr_end, "power": core.power}
    else:
        return None
    out["warmup_steps"] = core.warmup_steps  # type: ignore[attr-defined]
    total = core.total_steps  # type: ignore[attr-defined]
    out["max_steps"] = total if max_steps is None else max_steps
    if out["max_steps"] != total:
        out["decay_steps"] = total  # an arguments class with decay_steps (the llm scripts'): see the docs
    return out


def _export_class(core: Schedule, lr: float | None, offset: int) -> dict[str, Any] | None:
    extra = {"last_epoch": offset - 1} if offset else {}
    if isinstance(core, WarmupAnneal):
        name = "CosineAnnealingWithWarmupDecay" if core.shape == "cosine" else "LinearAnnealingWithWarmupDecay"
        return {"name": name, "max_lr": core.max_lr, "min_lr": core.min_lr, "warmup_step": core.warmup_steps,
                "decay_step": core.decay_steps, **extra}  # fmt: skip
    if lr is None:
        return None
    if isinstance(core, LinearWarmupDecay):
        return {"name": "LinearDecayWithWarmup", "learning_rate": lr, "total_steps": core.total_steps,
                "warmup": core.warmup_steps, **extra}  # fmt: skip
    if isinstance(core, ConstantWarmup):
        return {"name": "ConstScheduleWithWarmup", "learning_rate": lr, "warmup": core.warmup_steps, **extra}
    if isinstance(core, CosineWarmupDecay) and not core.min_lr_rate:
        cycles: Any = float(core.num_cycles)
        if not core.hard_restarts:
            if not cycles.is_integer():
                return None  # CosineDecayWithWarmup asserts an int num_cycles without hard restarts
            cycles = int(cycles)
        return {"name": "CosineDecayWithWarmup", "learning_rate": lr, "total_steps": core.total_steps,
                "warmup": core.warmup_steps, "with_hard_restarts": core.hard_restarts, "num_cycles": cycles,
                **extra}  # fmt: skip
    if isinstance(core, PolynomialWarmupDecay) and core.lr_init == lr:
        return {"name": "PolyDecayWithWarmup", "learning_rate": lr, "total_steps": core.total_steps,
                "warmup": core.warmup_steps, "lr_end": core.lr_end, "power": core.power, **extra}  # fmt: skip
    return None


def _export_pretrain(core: WarmupAnneal, max_steps: int | None) -> dict[str, Any] | None:
    steps = max_steps if max_steps is not None else math.ceil(core.decay_steps)
    out: dict[str, Any] = {"recipe": "pretrain", "lr_scheduler_type": core.shape, "learning_rate": core.max_lr,
                           "min_learning_rate": core.min_lr, "max_steps": steps}  # fmt: skip
    w = core.warmup_steps
    if w > 0 and float(w).is_integer():
        out["warmup_steps"] = int(w)
    elif w > 0:
        ratio = _ratio_for(w, steps)
        if ratio is None:
            return None
        out["warmup_ratio"] = ratio
    if core.decay_steps != steps:
        out["decay_steps"] = core.decay_steps
    return out


def export(
    schedule: Schedule, *, form: str | None = None, max_steps: int | None = None, base_lr: float | None = None
) -> dict[str, Any]:
    """PaddleNLP arguments whose schedule equals ``schedule`` at every update (checked within 1e-12 relative).

    Context:
        form: ``"trainer"`` (Trainer arguments), ``"class"`` (an optimization class), ``"pretrain"``
            (``llm/run_pretrain.py`` arguments), or None: the first of these that can express the schedule.
        max_steps: the run length in updates; default the schedule's own length. Trainer arguments with a decay
            horizon other than ``max_steps`` get ``decay_steps`` (an argument of the llm scripts' argument classes).
        base_lr: the learning_rate of a relative schedule.

    Raises:
        ValueError: naming the part PaddleNLP cannot express.
    """
    if not isinstance(schedule, Schedule):
        raise TypeError(f"export: schedule must be an lrparity Schedule, got {schedule!r}")
    if form not in (None, "trainer", "class", "pretrain"):
        raise ValueError(f"export: form must be 'trainer', 'class', 'pretrain' or None, got {form!r}")
    if max_steps is not None and (isinstance(max_steps, bool) or type(max_steps) is not int or max_steps < 1):
        raise ValueError(f"export: max_steps must be an int >= 1, got {max_steps!r}")
    s = _pinned(schedule, base_lr)
    offset = 0
    if isinstance(s, Shift):
        offset, s = s.offset, s.schedule
    lr = None
    core = s
    if isinstance(s, WithBaseLR):
        lr, core = s.base_lr, s.schedule
    candidates: list[dict[str, Any] | None] = []
    if form in (None, "trainer") and offset == 0 and lr is not None:
        candidates.append(_export_trainer(core, lr, max_steps))
    if form in (None, "pretrain") and offset == 1 and isinstance(core, WarmupAnneal):
        candidates.append(_export_pretrain(core, max_steps))
    if form in (None, "class"):
        candidates.append(_export_class(core, lr, offset))
    config = next((c for c in candidates if c is not None), None)
    if config is None and max_steps is None and isinstance(core, Constant) and lr is not None:
        raise ValueError("export: a constant lr has no length: give max_steps=... (optimizer updates)")
    if config is None:
        raise ValueError(
            f"export: PaddleNLP{'' if form is None else f' ({form} form)'} cannot express {schedule!r}: its schedules "
            "are get_scheduler's (linear, cosine, constant, constant_with_warmup, polynomial), the optimization "
            "classes, and the pretraining annealing"
        )
    n = max_steps or run_length(config)
    if n is None:
        raise ValueError("export: the schedule has no length: give max_steps=... (optimizer updates)")
    _check_round_trip(config, s if not offset else Shift(s, offset), n)
    return config


def _check_round_trip(config: Mapping[str, Any], s: Schedule, n: int) -> None:
    back, _ = _build(config, None, lambda _m: None)
    ours, theirs = s.values(range(n)), back.values(range(n))
    scale = np.maximum(np.abs(ours), np.finfo(np.float64).tiny)
    worst = float(np.max(np.abs(ours - theirs) / scale))
    if not worst <= 1e-12:
        raise ValueError(f"export: PaddleNLP's schedule differs by {worst:.3g} (relative); not expressible exactly")


def dumps(config: Mapping[str, Any]) -> str:
    """The arguments as the JSON file PaddleNLP's scripts read (``python run_xxx.py args.json``)."""
    return json.dumps(dict(config), indent=4) + "\n"


# ---------------------------------------------------------------------------------------------------- optimizer
def optimizer_spec(config: Any) -> Any:
    """The optimizer PaddleNLP's Trainer builds (``Trainer.create_optimizer``), as an
    :class:`lrparity.paddle_optimizers.OptimizerSpec`: ``paddle.optimizer.AdamW(beta1=adam_beta1, beta2=adam_beta2,
    epsilon=adam_epsilon, weight_decay=weight_decay)`` (decoupled; default 0.0) applied to the parameters whose names
    contain neither ``bias`` nor ``norm``, with ``ClipGradByGlobalNorm(max_grad_norm)`` when ``max_grad_norm > 0``
    (default 1.0).

    Raises:
        ValueError: an ``optim`` other than ``adamw`` (the only one PaddleNLP 2.8.1 builds), or an optimization class
            (it has no optimizer arguments).
    """
    from lrparity.paddle_optimizers import OptimizerSpec, check_adam_hyperparameters

    cfg = _load(config)
    if _form(cfg) == "class":
        raise ValueError("an optimization class ({'name': ...}) has no optimizer arguments; give Trainer arguments")
    args = _arguments({k: v for k, v in cfg.items() if k in _OPTIMIZER_DEFAULTS}, _OPTIMIZER_DEFAULTS)
    if args["optim"] != "adamw":
        raise ValueError(f"optim = {args['optim']!r}: PaddleNLP 2.8.1's Trainer builds only 'adamw'")
    check_adam_hyperparameters("AdamW", args["adam_beta1"], args["adam_beta2"], args["adam_epsilon"])
    if args["weight_decay"] < 0:
        raise ValueError(f"weight_decay must be >= 0, got {args['weight_decay']!r}")
    clip = args["max_grad_norm"]
    return OptimizerSpec(
        name="AdamW",
        beta1=args["adam_beta1"],
        beta2=args["adam_beta2"],
        epsilon=args["adam_epsilon"],
        adamw_weight_decay=args["weight_decay"],
        weight_decay_origin="weight_decay (decoupled, not on bias/norm parameters)",
        no_weight_decay_name=("bias", "norm"),
        clip_norm_global=clip if clip > 0 else None,
    )


def torch_optimizer(
    config: Any, model_or_params: Any, *, steps_per_epoch: int | None = None
) -> tuple[Any, Any, Callable[[], None] | None]:
    """The torch optimizer and lr scheduler that reproduce PaddleNLP's Trainer update, and the pre-step hook.

    Training loop (the Trainer's order: clip, optimizer step, scheduler step, per optimizer update)::

        opt, sched, pre_step = lrparity.recipes.paddlenlp.torch_optimizer(args, model,
                                                                          steps_per_epoch=len(loader))
        for update in range(max_steps):
            ...accumulate gradients over gradient_accumulation_steps batches...
            pre_step()                                   # ClipGradByGlobalNorm(max_grad_norm), if any
            opt.step(); opt.zero_grad(); sched.step()

    ``model_or_params`` must give parameter names (an ``nn.Module`` or ``(name, parameter)`` pairs): the weight
    decay skips the names containing ``bias`` or ``norm``, as the Trainer does.
    """
    import lrparity
    from lrparity.paddle_optimizers import build_torch_optimizer

    spec = optimizer_spec(config)
    sched = schedule(config, steps_per_epoch=steps_per_epoch)
    optimizer, pre_step = build_torch_optimizer(spec, model_or_params, float(sched.value(0)))
    return optimizer, lrparity.torch_scheduler(sched, optimizer), pre_step


# ---------------------------------------------------------------------------------------------------- reference
def _lookup(modules: Any, name: str) -> Any:
    for module in modules:
        if hasattr(module, name):
            return getattr(module, name)
    raise ImportError(f"reference: none of the given lr_module(s) has {name!r}")


def _installed_modules() -> list[Any]:
    try:
        import paddlenlp.trainer.trainer as trainer  # type: ignore[import-not-found]
        import paddlenlp.trainer.trainer_utils as trainer_utils  # type: ignore[import-not-found]
        import paddlenlp.transformers.optimization as optimization  # type: ignore[import-not-found]
    except ImportError as exc:
        raise ImportError(f"reference() runs PaddleNLP's own code: pip install paddlenlp==2.8.1 ({exc})") from None
    return [optimization, trainer_utils, trainer]


def _step(scheduler: Any, n: int) -> np.ndarray:
    out = np.empty(n, dtype=np.float64)
    for i in range(n):
        out[i] = scheduler()  # what optimizer.get_lr() returns for the update
        scheduler.step()  # after the optimizer update, as the Trainer does
    return out


def reference(
    config: Any, *, steps_per_epoch: int | None = None, steps: int | None = None, lr_module: Any = None
) -> np.ndarray:
    """The lrs PaddleNLP's own code gives, per optimizer update.

    Trainer arguments: ``Trainer.create_scheduler`` (PaddleNLP's own, on the arguments) with the run length the
    Trainer counts (``len(train_dataloader) // gradient_accumulation_steps`` updates per epoch,
    ``int(updates_per_epoch * num_train_epochs)``), stepped after each update. A class: the class itself. Pretraining:
    the annealing class built as ``llm/run_pretrain.py`` builds it (``last_epoch=0``), or the Trainer's scheduler.

    Args:
        config: as for :func:`schedule`.
        steps_per_epoch: ``len(train_dataloader)``, for Trainer arguments without ``max_steps``.
        steps: updates to run; default the config's run length.
        lr_module: PaddleNLP's modules, e.g. loaded from the wheel: ``paddlenlp.transformers.optimization`` and, for
            Trainer arguments, ``paddlenlp.trainer.trainer_utils`` (``get_scheduler``) and optionally an object with
            ``Trainer`` (``Trainer.create_scheduler``); a module or a list of them. Default: the installed PaddleNLP.

    Raises:
        ImportError: PaddleNLP is not installed and no ``lr_module`` was given.
    """
    import types

    if lr_module is None:
        modules = _installed_modules()
    else:
        modules = list(lr_module) if isinstance(lr_module, (list, tuple)) else [lr_module]
    cfg = _load(config)
    form = _form(cfg)
    _, length = _build(cfg, steps_per_epoch, lambda _m: None)
    n = length if steps is None else steps
    if n is None:
        raise ValueError("reference: the config does not fix the number of updates: give steps=...")
    if form == "class":
        kwargs = {k: v for k, v in cfg.items() if k != "name"}
        return _step(_lookup(modules, cfg["name"])(**kwargs), n)
    body = {k: v for k, v in cfg.items() if k != "recipe"}
    if form == "pretrain":
        args = types.SimpleNamespace(**_arguments(body, _PRETRAIN_DEFAULTS))
        if args.decay_steps is None:  # llm/run_pretrain.py, step for step
            args.decay_steps = args.max_steps
        warmup = args.warmup_steps if args.warmup_steps > 0 else args.warmup_ratio * args.max_steps
        if args.lr_scheduler_type in ("cosine", "linear"):
            cls = _lookup(modules, f"{args.lr_scheduler_type.capitalize()}AnnealingWithWarmupDecay")
            scheduler = cls(max_lr=args.learning_rate, min_lr=args.min_learning_rate, warmup_step=warmup,
                            decay_step=args.decay_steps, last_epoch=0)  # fmt: skip
            return _step(scheduler, n)
        return _step(_trainer_scheduler(modules, args, args.max_steps), n)
    args = types.SimpleNamespace(**_arguments(body, TRAINER_DEFAULTS))
    if args.decay_steps is None:
        del args.decay_steps  # TrainingArguments has no decay_steps: create_scheduler tests hasattr
    if args.max_steps > 0:
        max_steps = args.max_steps
    else:  # Trainer.train: num_update_steps_per_epoch = max(len // ga, 1); max_steps = int(upe * epochs)
        upe = max(int(steps_per_epoch) // args.gradient_accumulation_steps, 1)  # type: ignore[arg-type]
        max_steps = int(upe * args.num_train_epochs)
    return _step(_trainer_scheduler(modules, args, max_steps), n)


def _trainer_scheduler(modules: list[Any], args: Any, max_steps: int) -> Any:
    import types

    try:
        create = _lookup(modules, "Trainer").create_scheduler
    except ImportError:
        create = None
    if create is not None:
        trainer = types.SimpleNamespace(args=args, lr_scheduler=None)
        return create(trainer, max_steps)
    get_scheduler = _lookup(modules, "get_scheduler")  # Trainer.create_scheduler's arithmetic, without the Trainer
    warmup = args.warmup_steps if args.warmup_steps > 0 else int(args.warmup_ratio * max_steps)
    decay = args.decay_steps if getattr(args, "decay_steps", None) and args.decay_steps > 0 else max_steps
    return get_scheduler(args.lr_scheduler_type, learning_rate=args.learning_rate, num_warmup_steps=warmup,
                         num_training_steps=decay, num_cycles=args.num_cycles, lr_end=args.lr_end,
                         power=args.power)  # fmt: skip
