"""An mmengine config, validated and normalised as mmengine's runner reads it: the train loop, the optimizer's values
and the ``param_scheduler`` entries, with the runner's default ``end`` and ``convert_to_iter_based`` applied."""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lrparity.core.validation import MAX_INT, closest_key_hint
from lrparity.recipes import RecipeWarning

__all__ = [
    "INF",
    "KINDS",
    "OPTIMIZER_DEFAULTS",
    "SCHEDULER_TYPES",
    "Entry",
    "Loop",
    "MmengineWarning",
    "Optimizer",
    "Setup",
    "read_setup",
]

INF = int(1e9)
"""mmengine's ``INF``: the ``end`` of a scheduler built without one outside a runner."""


class MmengineWarning(RecipeWarning):
    """An mmengine config key that the runner accepts but that does not do what it seems to (or is ignored)."""


_REQUIRED = object()

#: Each scheduler shape (``<Kind>LR``, ``<Kind>Momentum``, ``<Kind>ParamScheduler``) and its own arguments with
#: mmengine 0.10.7's defaults (``begin``, ``end``, ``by_epoch``, ``last_step``, ``verbose`` are common to all).
KINDS: dict[str, dict[str, Any]] = {
    "Constant": {"factor": 1.0 / 3},
    "CosineAnnealing": {"T_max": None, "eta_min": None, "eta_min_ratio": None},
    "Exponential": {"gamma": _REQUIRED},
    "Linear": {"start_factor": 1.0 / 3, "end_factor": 1.0},
    "MultiStep": {"milestones": _REQUIRED, "gamma": 0.1},
    "Step": {"step_size": _REQUIRED, "gamma": 0.1},
    "Poly": {"eta_min": 0, "power": 1.0},
    "OneCycle": {
        "eta_max": 0,
        "total_steps": None,
        "pct_start": 0.3,
        "anneal_strategy": "cos",
        "div_factor": 25.0,
        "final_div_factor": 1e4,
        "three_phase": False,
    },
    "CosineRestart": {"periods": _REQUIRED, "restart_weights": (1,), "eta_min": None, "eta_min_ratio": None},
    "ReduceOnPlateau": {
        "monitor": "loss",
        "rule": "less",
        "factor": 0.1,
        "patience": 10,
        "threshold": 1e-4,
        "threshold_rule": "rel",
        "cooldown": 0,
        "min_value": 0.0,
        "eps": 1e-8,
    },
}
_COMMON = {"begin": 0, "end": INF, "last_step": -1, "by_epoch": True, "verbose": False}
_REGISTRY_KEYS = ("type", "_scope_", "convert_to_iter_based")

#: Every class of ``mmengine/optim/scheduler``: name -> (shape, parameter it drives; None: ``param_name``).
SCHEDULER_TYPES: dict[str, tuple[str, str | None]] = {
    **{f"{kind}LR": (kind, "lr") for kind in KINDS},
    **{f"{kind}Momentum": (kind, "momentum") for kind in KINDS if kind != "OneCycle"},
    **{f"{kind}ParamScheduler": (kind, None) for kind in KINDS},
}

#: torch 2.13's defaults of the optimizers an mmengine config names (``optim_wrapper.optimizer.type``): the values a
#: config that leaves them out gets (mmengine builds ``torch.optim.<type>(**kwargs)``).
OPTIMIZER_DEFAULTS: dict[str, dict[str, Any]] = {
    "SGD": {"lr": 1e-3, "momentum": 0, "weight_decay": 0},
    "Adam": {"lr": 1e-3, "betas": (0.9, 0.999), "weight_decay": 0},
    "AdamW": {"lr": 1e-3, "betas": (0.9, 0.999), "weight_decay": 1e-2},
    "Adamax": {"lr": 2e-3, "betas": (0.9, 0.999), "weight_decay": 0},
    "NAdam": {"lr": 2e-3, "betas": (0.9, 0.999), "weight_decay": 0},
    "RAdam": {"lr": 1e-3, "betas": (0.9, 0.999), "weight_decay": 0},
    "SparseAdam": {"lr": 1e-3, "betas": (0.9, 0.999)},
    "RMSprop": {"lr": 1e-2, "momentum": 0, "weight_decay": 0},
    "Adagrad": {"lr": 1e-2, "weight_decay": 0},
    "Adadelta": {"lr": 1.0, "weight_decay": 0},
    "ASGD": {"lr": 1e-2, "weight_decay": 0},
    "Rprop": {"lr": 1e-2},
    "LBFGS": {"lr": 1},
}


@dataclass(frozen=True)
class Loop:
    """The train loop (``train_cfg``): how many optimizer updates the run has and when schedulers step.

    Attributes:
        by_epoch: ``EpochBasedTrainLoop`` (True) or ``IterBasedTrainLoop`` (False).
        max_epochs: epochs; 1 for an iteration-based loop (as mmengine's ``IterBasedTrainLoop`` reports).
        total: optimizer updates in the run: ``max_epochs * steps_per_epoch`` or ``max_iters``.
        epoch_updates: updates between two ``after_train_epoch`` calls (``steps_per_epoch``; the whole run for an
            iteration-based loop, which calls it once, after its last iteration).
        steps_per_epoch: ``len(train_dataloader)``, or None where the config does not need it.
        val_begin, val_interval: when the loop validates (epochs or iterations): when a ``ReduceOnPlateau`` entry
            receives a metric.
    """

    by_epoch: bool
    max_epochs: int
    total: int
    epoch_updates: int
    steps_per_epoch: int | None
    val_begin: int = 1
    val_interval: int = 1
    dynamic_intervals: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Optimizer:
    """``optim_wrapper.optimizer``: its type and the starting value of every field a scheduler may drive."""

    type: str | None
    values: Mapping[str, float]
    uses_betas: bool

    def base(self, param: str, where: str) -> float:
        if param not in self.values:
            what = f"{self.type}" if self.type else "the optimizer"
            if param == "momentum":
                raise ValueError(
                    f"{where}: a momentum scheduler needs an optimizer with 'momentum' (SGD, RMSprop) or 'betas' "
                    f"(the Adam family): {what} has neither (mmengine raises ValueError)"
                )
            raise ValueError(f"{where}: optim_wrapper.optimizer has no {param!r} for this scheduler to drive ({what})")
        return self.values[param]


@dataclass(frozen=True)
class Entry:
    """One ``param_scheduler`` entry as mmengine builds it (runner's default ``end``; converted to iterations when
    ``convert_to_iter_based``).

    Attributes:
        index: position in the ``param_scheduler`` list.
        type: the class name (``"LinearLR"``).
        kind: the shape (``"Linear"``).
        param: the optimizer field it drives (``"lr"``, ``"momentum"``, a ``param_name``).
        by_epoch: whether it steps after each epoch (False after ``convert_to_iter_based``).
        begin, end: its window, in epochs (``by_epoch``) or iterations: it acts at steps ``begin <= g < end``.
        args: its own arguments, converted (``T_max``, ``milestones``, ``step_size``, ``periods``, ``total_steps``
            multiplied by ``steps_per_epoch`` when converted), defaults filled in.
        converted: whether ``convert_to_iter_based`` rescaled it.
    """

    index: int
    type: str
    kind: str
    param: str
    by_epoch: bool
    begin: int
    end: int
    args: Mapping[str, Any] = field(default_factory=dict)
    converted: bool = False

    @property
    def where(self) -> str:
        return f"param_scheduler[{self.index}] ({self.type})"


@dataclass(frozen=True)
class Setup:
    """The parts of a config that set the schedules."""

    loop: Loop
    optimizer: Optimizer
    entries: tuple[Entry, ...]


# -- small checks -------------------------------------------------------------------------------------------------
def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _int(where: str, key: str, value: Any, *, minimum: int | None = None, integral_float: bool = False) -> int:
    if integral_float and _is_number(value) and not _is_int(value) and float(value).is_integer():
        value = int(value)
    if not _is_int(value):
        raise TypeError(f"{where}: {key} must be an int, got {value!r} ({type(value).__name__})")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{where}: {key} must be an int >= {minimum}, got {value}")
    if abs(value) > MAX_INT:
        raise ValueError(f"{where}: {key} must be at most 2**53 in magnitude, got {value}")
    return value


def _number(
    where: str, key: str, value: Any, *, low: float | None = None, high: float | None = None, low_open: bool = False
) -> float | int:
    if not _is_number(value):
        hint = " (YAML 1.1 reads 1e-4 without a dot as a string: write 1.0e-4)" if isinstance(value, str) else ""
        raise TypeError(f"{where}: {key} must be a number, got {value!r} ({type(value).__name__}){hint}")
    value = value.item() if hasattr(value, "item") else value
    if not math.isfinite(value):
        raise ValueError(f"{where}: {key} must be finite, got {value!r}")
    if (low is not None and (value <= low if low_open else value < low)) or (high is not None and value > high):
        lo = "-inf" if low is None else repr(low)
        hi = "inf" if high is None else repr(high)
        raise ValueError(f"{where}: {key} must be in {'(' if low_open else '['}{lo}, {hi}], got {value!r}")
    return value


def _bool(where: str, key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{where}: {key} must be True or False, got {value!r} ({type(value).__name__})")
    return value


def _mapping(where: str, value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise TypeError(f"{where} must be a mapping (dict(...)), got {value!r} ({type(value).__name__})")
    return value


def _type_name(where: str, value: Any, known: Sequence[str], what: str) -> str:
    """A registry type as a class name: ``"X"``, ``"mmengine.X"``, a lazy-import path ``"mmengine.optim....X"`` or
    the class itself; other scopes are refused (their classes are not mmengine's)."""
    if isinstance(value, type):
        module = getattr(value, "__module__", "")
        name = value.__name__
        if name in known and (module.startswith("mmengine.") or module.startswith("torch.")):
            return name
        raise ValueError(f"{where}: type {module}.{name} is not one of mmengine's {what}: {sorted(known)}")
    if not isinstance(value, str):
        raise TypeError(f"{where}: type must be a class name (a string), got {value!r} ({type(value).__name__})")
    name = value
    if "." in value:
        scope, _, name = value.rpartition(".")
        if not (scope == "mmengine" or scope.startswith("mmengine.") or scope.startswith("torch")):
            raise ValueError(
                f"{where}: type {value!r} is a class of the {scope.split('.')[0]!r} package, not of mmengine; lrparity "
                f"reads mmengine's {what}: {sorted(known)}"
            )
    if name not in known:
        raise ValueError(
            f"{where}: unknown type {value!r}{closest_key_hint(name, known)}; mmengine's {what}: {sorted(known)}"
        )
    return name


# -- the train loop -----------------------------------------------------------------------------------------------
def _read_loop(cfg: Mapping[str, Any], steps_per_epoch: Any, needs_epochs: bool) -> Loop:
    if "train_cfg" not in cfg or cfg["train_cfg"] is None:
        raise ValueError(
            "the config has no train_cfg: mmengine's runner sets each scheduler's default end from its train loop "
            "(train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=...) or dict(type='IterBasedTrainLoop', "
            "max_iters=...))"
        )
    loop = dict(_mapping("train_cfg", cfg["train_cfg"]))
    if "type" in loop and "by_epoch" in loop:
        raise ValueError(
            f"train_cfg gives both type={loop['type']!r} and by_epoch={loop['by_epoch']!r}: mmengine's runner accepts "
            "only one of them (RuntimeError)"
        )
    if "type" in loop:
        kind = _type_name("train_cfg", loop.pop("type"), ("EpochBasedTrainLoop", "IterBasedTrainLoop"), "train loops")
        by_epoch = kind == "EpochBasedTrainLoop"
    elif "by_epoch" in loop:
        by_epoch = _bool("train_cfg", "by_epoch", loop.pop("by_epoch"))
    else:
        raise ValueError("train_cfg needs type='EpochBasedTrainLoop'|'IterBasedTrainLoop' or by_epoch=True|False")
    allowed = {"max_epochs" if by_epoch else "max_iters", "val_begin", "val_interval", "dynamic_intervals"}
    for key in loop:
        if key not in allowed:
            raise ValueError(
                f"train_cfg: unknown key {key!r} for an {'epoch' if by_epoch else 'iteration'}-based loop"
                f"{closest_key_hint(key, allowed)}; valid keys: {sorted(allowed)}"
            )
    val_begin = _int("train_cfg", "val_begin", loop.get("val_begin", 1))
    val_interval = _int("train_cfg", "val_interval", loop.get("val_interval", 1 if by_epoch else 1000), minimum=0)
    dynamic = loop.get("dynamic_intervals") or ()
    if not isinstance(dynamic, (list, tuple)) or not all(
        isinstance(d, (list, tuple)) and len(d) == 2 and all(_is_int(x) for x in d) for d in dynamic
    ):
        raise TypeError(
            f"train_cfg: dynamic_intervals must be a list of (milestone, interval) int pairs, got {dynamic!r}"
        )
    dynamic_intervals = tuple((int(a), int(b)) for a, b in dynamic)
    if steps_per_epoch is not None:
        steps_per_epoch = _int("", "steps_per_epoch", steps_per_epoch, minimum=1)
    if by_epoch:
        epochs = _int("train_cfg", "max_epochs", loop.get("max_epochs"), minimum=1, integral_float=True)
        if steps_per_epoch is None:
            raise ValueError(
                f"steps_per_epoch (len(train_dataloader)) is required for an EpochBasedTrainLoop: the run is "
                f"max_epochs={epochs} epochs of steps_per_epoch updates"
            )
        return Loop(True, epochs, epochs * steps_per_epoch, steps_per_epoch, steps_per_epoch, val_begin, val_interval,
                    dynamic_intervals)  # fmt: skip
    iters = _int("train_cfg", "max_iters", loop.get("max_iters"), minimum=1, integral_float=True)
    if needs_epochs and steps_per_epoch is None:
        raise ValueError(
            "steps_per_epoch (len(train_dataloader)) is required: a scheduler has convert_to_iter_based=True, which "
            "multiplies its epochs by it"
        )
    return Loop(False, 1, iters, iters, steps_per_epoch, val_begin, val_interval, dynamic_intervals)


# -- the optimizer ------------------------------------------------------------------------------------------------
def _read_optimizer(cfg: Mapping[str, Any]) -> Optimizer:
    if cfg.get("optim_wrapper") is None:
        hint = " (this looks like an mmcv 1.x config: 'optimizer' and 'lr_config')" if "lr_config" in cfg else ""
        raise ValueError(
            "the config has no optim_wrapper: mmengine's runner refuses a param_scheduler without one; the base lr "
            f"is optim_wrapper.optimizer.lr{hint}"
        )
    wrapper = _mapping("optim_wrapper", cfg["optim_wrapper"])
    if "optimizer" not in wrapper:
        nested = [k for k, v in wrapper.items() if isinstance(v, Mapping) and "optimizer" in v]
        if nested:
            raise ValueError(
                f"optim_wrapper holds several optimizers ({nested}, MultiOptimWrapperConstructor): lrparity reads "
                "configs with one optimizer; pass a config with optim_wrapper=dict(optimizer=...) for the one you want"
            )
        raise ValueError("optim_wrapper has no optimizer (optim_wrapper = dict(optimizer=dict(type='SGD', lr=...)))")
    counts = wrapper.get("accumulative_counts", 1)
    if _int("optim_wrapper", "accumulative_counts", counts, minimum=1) != 1:
        raise ValueError(
            f"optim_wrapper.accumulative_counts={counts}: the optimizer then updates once every {counts} iterations "
            "while ParamSchedulerHook steps the schedulers after every iteration; lrparity's schedules are indexed by "
            "optimizer update and do not cover gradient accumulation in mmengine"
        )
    paramwise = wrapper.get("paramwise_cfg")
    if isinstance(paramwise, Mapping) and _has_lr_mult(paramwise):
        warnings.warn(
            "optim_wrapper.paramwise_cfg scales some param groups' lr (lr_mult): the schedule returned is the "
            "optimizer's base lr (optim_wrapper.optimizer.lr); a group with lr_mult m starts at m * lr and follows the "
            "same multiplicative schedulers, but an absolute eta_min/eta_max is not scaled by m",
            MmengineWarning,
            stacklevel=4,
        )
    optimizer = _mapping("optim_wrapper.optimizer", wrapper["optimizer"])
    kind: str | None = None
    if "type" in optimizer:
        raw = optimizer["type"]
        name = raw.__name__ if isinstance(raw, type) else raw
        if not isinstance(name, str):
            raise TypeError(f"optim_wrapper.optimizer.type must be a class name, got {raw!r}")
        kind = name.rpartition(".")[2]
    else:
        raise ValueError("optim_wrapper.optimizer has no type (mmengine builds torch.optim.<type>(**kwargs))")
    defaults = OPTIMIZER_DEFAULTS.get(kind, {})
    values: dict[str, float] = {}
    for key, value in {**defaults, **{k: v for k, v in optimizer.items() if k != "type"}}.items():
        where = f"optim_wrapper.optimizer.{key}"
        if key == "betas":
            if not isinstance(value, (list, tuple)) or len(value) != 2:
                raise TypeError(f"{where} must be a pair of numbers, got {value!r}")
            values["betas[0]"] = _number(where, "[0]", value[0], low=0.0, high=1.0)
        elif _is_number(value):
            values[key] = _number("optim_wrapper.optimizer", key, value)
        elif key in ("lr", "momentum", "weight_decay"):
            _number("optim_wrapper.optimizer", key, value)  # raises, naming the key
    if "lr" not in values:
        raise ValueError(
            f"optim_wrapper.optimizer has no lr and its type {kind!r} is not one of the torch optimizers whose default "
            f"lr lrparity knows ({sorted(OPTIMIZER_DEFAULTS)}): give lr"
        )
    _number("optim_wrapper.optimizer", "lr", values["lr"], low=0.0)
    uses_betas = "momentum" not in values and "betas[0]" in values
    if uses_betas:
        values["momentum"] = values["betas[0]"]
    return Optimizer(kind, values, uses_betas)


def _has_lr_mult(paramwise: Mapping[str, Any]) -> bool:
    custom = paramwise.get("custom_keys") or {}
    if isinstance(custom, Mapping) and any(isinstance(v, Mapping) and "lr_mult" in v for v in custom.values()):
        return True
    return any(key.endswith("lr_mult") for key in paramwise)


# -- the schedulers -----------------------------------------------------------------------------------------------
def _raw_entries(cfg: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    raw = cfg.get("param_scheduler")
    if raw is None:
        return []
    if isinstance(raw, Mapping):
        if "type" not in raw and raw and all(isinstance(v, (Mapping, list)) for v in raw.values()):
            raise ValueError(
                f"param_scheduler is a mapping of optimizer names {sorted(raw)} (one list per optimizer): lrparity "
                "reads configs with one optimizer"
            )
        return [raw]
    if not isinstance(raw, (list, tuple)):
        raise TypeError(f"param_scheduler must be a dict or a list of dicts, got {raw!r} ({type(raw).__name__})")
    for i, item in enumerate(raw):
        _mapping(f"param_scheduler[{i}]", item)
    return list(raw)


def _needs_epoch_length(raw: Mapping[str, Any]) -> bool:
    return bool(raw.get("convert_to_iter_based", False))


def _read_entry(index: int, raw: Mapping[str, Any], loop: Loop) -> Entry:
    where = f"param_scheduler[{index}]"
    if "type" not in raw:
        raise ValueError(f"{where} has no type (one of mmengine's schedulers: {sorted(SCHEDULER_TYPES)})")
    name = _type_name(where, raw["type"], tuple(SCHEDULER_TYPES), "parameter schedulers")
    where = f"{where} ({name})"
    kind, param = SCHEDULER_TYPES[name]
    own = KINDS[kind]
    allowed = {*own, *_COMMON, *_REGISTRY_KEYS, *(("param_name",) if param is None else ())}
    for key in raw:
        if not isinstance(key, str) or key not in allowed:
            raise ValueError(
                f"{where}: unknown argument {key!r}{closest_key_hint(str(key), allowed)} (mmengine raises TypeError); "
                f"valid: {sorted(allowed)}"
            )
    scope = raw.get("_scope_")
    if scope is not None and scope != "mmengine":
        warnings.warn(
            f"{where}: _scope_={scope!r}: read as mmengine's {name} (the OpenMMLab packages register no class of that "
            "name of their own)",
            MmengineWarning,
            stacklevel=4,
        )
    if param is None:
        param = raw.get("param_name")
        if not isinstance(param, str) or not param:
            raise ValueError(f"{where}: param_name (the optimizer field to schedule, e.g. 'lr') is required")
        if kind == "OneCycle" and param != "lr":
            raise ValueError(f"{where}: OneCycle only schedules the lr (mmengine asserts param_name == 'lr')")
    args = {key: raw.get(key, default) for key, default in own.items()}
    missing = [key for key, value in args.items() if value is _REQUIRED]
    if missing:
        raise ValueError(f"{where}: missing required argument(s) {missing}")
    if raw.get("last_step", -1) != -1:
        raise ValueError(
            f"{where}: last_step={raw['last_step']!r} resumes a scheduler without its state (mmengine then needs "
            "initial_lr in the optimizer); lrparity reads schedules from the start: leave last_step out"
        )
    _bool(where, "verbose", raw.get("verbose", False))
    by_epoch = _bool(where, "by_epoch", raw.get("by_epoch", True))
    convert = raw.get("convert_to_iter_based", False)
    _bool(where, "convert_to_iter_based", convert)
    # the runner's default end: max_epochs or max_iters of the train loop, by the entry's own by_epoch
    end = raw.get("end", loop.max_epochs if by_epoch else loop.total)
    begin = raw.get("begin", 0)
    if convert:
        if not by_epoch:
            raise ValueError(f"{where}: convert_to_iter_based needs by_epoch=True (mmengine asserts it)")
        if kind == "ReduceOnPlateau":
            raise ValueError(
                f"{where}: mmengine cannot convert ReduceOnPlateau to iterations (it steps per validation)"
            )
        length = loop.steps_per_epoch
        assert length is not None  # checked when the loop was read
        begin = int(_number(where, "begin", begin) * length)
        end = end if end == INF else int(_number(where, "end", end) * length)
        args = _convert_args(where, kind, args, length)
        by_epoch = False
    begin = _int(where, "begin", begin, minimum=0, integral_float=True)
    end = _int(where, "end", end, integral_float=True)
    if end <= begin:
        raise ValueError(f"{where}: end must be larger than begin, got begin={begin}, end={end} (mmengine raises)")
    if kind == "ReduceOnPlateau" and not by_epoch:
        raise ValueError(f"{where}: ReduceOnPlateau needs by_epoch=True (mmengine asserts it: it steps per validation)")
    if by_epoch and not loop.by_epoch and kind != "ReduceOnPlateau":
        warnings.warn(
            f"{where}: by_epoch=True (mmengine's default) in an IterBasedTrainLoop: the runner steps epoch-based "
            "schedulers only once, after the last iteration, so this one keeps its step-0 value for the whole run "
            "(set by_epoch=False to step it per iteration)",
            MmengineWarning,
            stacklevel=4,
        )
    return Entry(index, name, kind, param, by_epoch, begin, end, _check_args(where, kind, args), bool(convert))


def _convert_args(where: str, kind: str, args: dict[str, Any], length: int) -> dict[str, Any]:
    """``build_iter_from_epoch``'s rescaling of each class's lengths (begin/end are done by the caller)."""
    args = dict(args)
    if kind == "Step":
        args["step_size"] = _number(where, "step_size", args["step_size"]) * length
    elif kind == "MultiStep":
        args["milestones"] = [_number(where, "milestones[]", m) * length for m in _list(where, "milestones", args)]
    elif kind == "CosineAnnealing" and args["T_max"] is not None:
        args["T_max"] = _number(where, "T_max", args["T_max"]) * length
    elif kind == "OneCycle" and args["total_steps"] is not None:
        args["total_steps"] = _number(where, "total_steps", args["total_steps"]) * length
    elif kind == "CosineRestart":
        args["periods"] = [_number(where, "periods[]", p) * length for p in _list(where, "periods", args)]
    return args


def _list(where: str, key: str, args: Mapping[str, Any]) -> list[Any]:
    value = args[key]
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
        raise TypeError(f"{where}: {key} must be a list, got {value!r}")
    return list(value)


def _eta(where: str, args: Mapping[str, Any], *, required: bool) -> dict[str, Any]:
    eta, ratio = args["eta_min"], args["eta_min_ratio"]
    if eta is None and ratio is None and not required:
        eta = 0.0
    if (eta is None) == (ratio is None):
        raise ValueError(
            f"{where}: give exactly one of eta_min (absolute) and eta_min_ratio (of the base value), got "
            f"eta_min={eta!r}, eta_min_ratio={ratio!r} (mmengine asserts it)"
        )
    if eta is not None:
        return {"eta_min": _number(where, "eta_min", eta, low=0.0), "eta_min_ratio": None}
    return {"eta_min": None, "eta_min_ratio": _number(where, "eta_min_ratio", ratio, low=0.0)}


def _check_args(where: str, kind: str, args: dict[str, Any]) -> dict[str, Any]:
    """Each argument checked as mmengine checks it, and refused where mmengine would fail later or compute a
    meaningless value (a negative lr); converted to the types the schedule classes take."""
    a = dict(args)
    if kind == "Constant":
        a["factor"] = _number(where, "factor", a["factor"], low=0.0, high=1.0)
    elif kind == "Linear":
        a["start_factor"] = _number(where, "start_factor", a["start_factor"], low=0.0, high=1.0)
        a["end_factor"] = _number(where, "end_factor", a["end_factor"], low=0.0, high=1.0)
    elif kind == "Exponential":
        a["gamma"] = _number(where, "gamma", a["gamma"], low=0.0, low_open=True)
    elif kind == "Step":
        a["step_size"] = _int(where, "step_size", a["step_size"], minimum=1, integral_float=True)
        a["gamma"] = _number(where, "gamma", a["gamma"], low=0.0, low_open=True)
    elif kind == "MultiStep":
        milestones = _list(where, "milestones", a)
        for i, m in enumerate(milestones):
            if not (_is_number(m) and float(m).is_integer()):
                raise ValueError(
                    f"{where}: milestones[{i}]={m!r} is not a whole number of steps: mmengine compares it with the "
                    "step count, so it would never apply"
                )
        a["milestones"] = sorted(int(m) for m in milestones)
        a["gamma"] = _number(where, "gamma", a["gamma"], low=0.0, low_open=True)
    elif kind == "Poly":
        a["eta_min"] = _number(where, "eta_min", a["eta_min"], low=0.0)
        a["power"] = _number(where, "power", a["power"], low=0.0)
    elif kind == "CosineAnnealing":
        a.update(_eta(where, a, required=False))
        if a["T_max"] is not None:  # an int or a float, kept as given: mmengine computes with it as it is
            a["T_max"] = _number(where, "T_max", a["T_max"], low=0.0)
    elif kind == "CosineRestart":
        a.update(_eta(where, a, required=True))
        periods = [
            _int(where, f"periods[{i}]", p, minimum=1, integral_float=True)
            for i, p in enumerate(_list(where, "periods", a))
        ]
        weights = [
            _number(where, f"restart_weights[{i}]", w, low=0.0)
            for i, w in enumerate(_list(where, "restart_weights", a))
        ]
        if not periods:
            raise ValueError(f"{where}: periods must not be empty")
        if len(periods) != len(weights):
            raise ValueError(
                f"{where}: periods ({len(periods)}) and restart_weights ({len(weights)}) must have the same length "
                "(mmengine asserts it; restart_weights defaults to [1])"
            )
        a["periods"], a["restart_weights"] = periods, weights
    elif kind == "OneCycle":
        a["eta_max"] = _number(where, "eta_max", a["eta_max"], low=0.0)
        if a["total_steps"] is not None:
            a["total_steps"] = _int(where, "total_steps", a["total_steps"], minimum=1)
        if not isinstance(a["pct_start"], float):
            raise ValueError(
                f"{where}: pct_start must be a float in [0, 1] (mmengine checks isinstance(pct_start, float)), got "
                f"{a['pct_start']!r}"
            )
        a["pct_start"] = _number(where, "pct_start", a["pct_start"], low=0.0, high=1.0)
        if a["anneal_strategy"] not in ("cos", "linear"):
            raise ValueError(f"{where}: anneal_strategy must be 'cos' or 'linear', got {a['anneal_strategy']!r}")
        for key in ("div_factor", "final_div_factor"):  # inf allowed: eta_max / inf = 0 (a warmup from 0)
            value = a[key]
            if not (_is_number(value) and value == math.inf):
                a[key] = _number(where, key, value, low=0.0, low_open=True)
        a["three_phase"] = _bool(where, "three_phase", a["three_phase"])
    elif kind == "ReduceOnPlateau":
        if not isinstance(a["monitor"], str):
            raise TypeError(f"{where}: monitor must be a metric name, got {a['monitor']!r}")
        if a["rule"] not in ("less", "greater"):
            raise ValueError(f"{where}: rule must be 'less' or 'greater', got {a['rule']!r}")
        if a["threshold_rule"] not in ("rel", "abs"):
            raise ValueError(f"{where}: threshold_rule must be 'rel' or 'abs', got {a['threshold_rule']!r}")
        a["factor"] = _number(where, "factor", a["factor"], low=0.0)
        if a["factor"] >= 1.0:
            raise ValueError(f"{where}: factor must be < 1.0, got {a['factor']!r} (mmengine raises)")
        a["patience"] = _int(where, "patience", a["patience"], minimum=0)
        a["threshold"] = _number(where, "threshold", a["threshold"], low=0.0)
        a["cooldown"] = _int(where, "cooldown", a["cooldown"], minimum=0)
        a["eps"] = _number(where, "eps", a["eps"], low=0.0)
        mins = a["min_value"]
        if isinstance(mins, (list, tuple)):
            if len(mins) != 1:
                raise ValueError(f"{where}: min_value has {len(mins)} entries for 1 param group (mmengine raises)")
            mins = mins[0]
        a["min_value"] = _number(where, "min_value", mins, low=0.0)
    return a


def read_setup(cfg: Mapping[str, Any], steps_per_epoch: Any) -> Setup:
    """The loop, the optimizer and the entries of a loaded config (see :class:`Setup`)."""
    _mapping("config", cfg)
    raws = _raw_entries(cfg)
    loop = _read_loop(cfg, steps_per_epoch, any(_needs_epoch_length(r) for r in raws))
    optimizer = _read_optimizer(cfg)
    auto = cfg.get("auto_scale_lr")
    if isinstance(auto, Mapping) and auto.get("enable", False):
        warnings.warn(
            "auto_scale_lr.enable=True: the runner multiplies optim_wrapper.optimizer.lr by (GPUs x batch size) / "
            f"base_batch_size ({auto.get('base_batch_size')!r}); the schedule here starts from the config's lr as "
            "written (scale it yourself, or set enable=False)",
            MmengineWarning,
            stacklevel=3,
        )
    entries = tuple(_read_entry(i, raw, loop) for i, raw in enumerate(raws))
    if optimizer.uses_betas:
        for entry in entries:
            if entry.param == "momentum" and entry.type.endswith("ParamScheduler"):
                raise ValueError(
                    f"{entry.where}: param_name='momentum' on {optimizer.type} (betas): a ParamScheduler writes a "
                    "'momentum' key the optimizer does not read; use the *Momentum classes, which drive betas[0]"
                )
    return Setup(loop, optimizer, entries)
