"""PaddleOCR ``Optimizer.lr`` blocks as lrparity core schedules, value for value.

PaddleOCR (``ppocr/optimizer/__init__.py`` and ``learning_rate.py``) builds one Paddle ``LRScheduler`` (or a plain
float) from the ``lr`` sub-block of an ``Optimizer`` block, with ``epochs = Global.epoch_num`` and
``step_each_epoch = len(train_dataloader)``, and ``tools/program.py`` steps it once per *iteration*. The schedule
built here gives, at step ``k`` (``k`` = number of iterations done), the lr PaddleOCR applies at iteration ``k``.

Rules reproduced (``T = epochs * steps_per_epoch``, ``w = round(warmup_epoch * steps_per_epoch)`` with Python's
round-half-to-even):

- an ``lr`` block without ``name`` is ``Const``; ``epochs``/``step_each_epoch`` keys in the YAML are overwritten;
- every class except ``LinearWarmupCosine`` and ``DecayLearningRate`` is wrapped in a linear warmup from 0.0 to
  its peak when ``w > 0``; the inner schedule then starts ``w`` steps late *but keeps its full length* ``T``;
- keys a class ignores are reported as :class:`PpocrWarning` (PaddleOCR swallows them through ``**kwargs``);
- blocks PaddleOCR (or Paddle) refuses to build raise :class:`ValueError` saying why, and so do values that mean
  nothing even where PaddleOCR silently does something with them (a negative ``warmup_epoch``, unsorted or
  repeated ``decay_epochs``/``milestones``, a ``last_epoch`` other than -1, a non-boolean ``three_phase``, ...);
- a warmup that does not end within the run is a :class:`PpocrWarning` (the values are unchanged).

Only numpy and the standard library are used: importing this module imports neither torch nor paddle.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lrparity.backends.neutral.recover import boundary_steps, effective_boundaries
from lrparity.core import (
    Constant,
    Cosine,
    CosineRestarts,
    MultiStep,
    OneCycle,
    Piecewise,
    Polynomial,
    Schedule,
    Sequence,
    Shift,
    Step,
    Warmup,
    WithBaseLR,
)
from lrparity.core.validation import check_int, check_nesting

__all__ = [
    "CONFIG_SECTIONS",
    "LR_CLASSES",
    "TWO_STEP_COSINE_FIRST_EPOCHS",
    "LrBuild",
    "PpocrWarning",
    "build_lr",
    "lr_block",
    "lr_schedule",
]

#: The ``lr.name`` values PaddleOCR's ``ppocr/optimizer/learning_rate.py`` defines.
LR_CLASSES: tuple[str, ...] = (
    "Const",
    "Linear",
    "Cosine",
    "LinearWarmupCosine",
    "Step",
    "Piecewise",
    "CyclicalCosine",
    "OneCycle",
    "DecayLearningRate",
    "MultiStepDecay",
    "TwoStepCosine",
)

#: PaddleOCR's ``TwoStepCosine`` hard-codes its first half period to 200 epochs.
TWO_STEP_COSINE_FIRST_EPOCHS = 200

_OPTIMIZER_NAMES = ("Adam", "AdamW", "Momentum", "Adadelta", "RMSProp")

# Keys each class uses (besides ``name``, which the builder pops). ``epochs``/``step_each_epoch`` are set by
# the builder and ``last_epoch`` is passed through; they are handled separately.
_USED_KEYS: dict[str, frozenset[str]] = {
    "Const": frozenset({"learning_rate", "warmup_epoch"}),
    "Linear": frozenset({"learning_rate", "end_lr", "power", "warmup_epoch"}),
    "Cosine": frozenset({"learning_rate", "warmup_epoch"}),
    "LinearWarmupCosine": frozenset({"learning_rate", "warmup_steps", "start_lr", "min_lr"}),
    "Step": frozenset({"learning_rate", "step_size", "gamma", "warmup_epoch"}),
    "Piecewise": frozenset({"decay_epochs", "values", "warmup_epoch"}),
    "CyclicalCosine": frozenset({"learning_rate", "cycle", "warmup_epoch"}),
    "OneCycle": frozenset({"max_lr", "anneal_strategy", "three_phase", "warmup_epoch"}),
    "DecayLearningRate": frozenset({"learning_rate", "factor"}),
    "MultiStepDecay": frozenset({"learning_rate", "milestones", "gamma", "warmup_epoch"}),
    "TwoStepCosine": frozenset({"learning_rate", "warmup_epoch"}),
}

_REQUIRED_KEYS: dict[str, tuple[str, ...]] = {
    "Const": ("learning_rate",),
    "Linear": ("learning_rate",),
    "Cosine": ("learning_rate",),
    "LinearWarmupCosine": ("learning_rate",),
    "Step": ("learning_rate", "step_size", "gamma"),
    "Piecewise": ("decay_epochs", "values"),
    "CyclicalCosine": ("learning_rate", "cycle"),
    "OneCycle": ("max_lr",),
    "DecayLearningRate": ("learning_rate",),
    "MultiStepDecay": ("learning_rate", "milestones", "gamma"),
    "TwoStepCosine": ("learning_rate",),
}

# Keys that exist in the YAML but have no effect, with why (a more precise warning than the generic one).
_WHY_IGNORED: dict[tuple[str, str], str] = {
    ("DecayLearningRate", "end_lr"): "DecayLearningRate always decays to 0 (its end_lr is overwritten with 0)",
    ("DecayLearningRate", "warmup_epoch"): "DecayLearningRate has no warmup",
    ("CyclicalCosine", "eta_min"): "CyclicalCosine always anneals to 0 (eta_min is not passed on)",
    ("Piecewise", "learning_rate"): "Piecewise takes its values from 'values' (the warmup ends at values[0])",
    ("OneCycle", "pct_start"): "OneCycle fixes pct_start=0.3",
    ("OneCycle", "div_factor"): "OneCycle fixes div_factor=25",
    ("OneCycle", "final_div_factor"): "OneCycle fixes final_div_factor=1e4",
    ("OneCycle", "learning_rate"): "OneCycle takes its peak from max_lr",
    ("LinearWarmupCosine", "warmup_epoch"): "LinearWarmupCosine's warmup is 'warmup_steps', in steps",
}


class PpocrWarning(UserWarning):
    """A key of a PaddleOCR ``Optimizer`` block that PaddleOCR accepts but ignores, a silent default, or a value
    that PaddleOCR runs with but that is likely a mistake (a warmup longer than the run)."""


@dataclass(frozen=True)
class LrBuild:
    """What :func:`build_lr` found in one ``lr`` block.

    Attributes:
        name: the PaddleOCR lr class (``"Const"`` when the block has no ``name``).
        schedule: the absolute core schedule: ``schedule.values(range(T))`` are the lrs PaddleOCR applies.
        total_steps: ``epochs * steps_per_epoch``, the number of iterations of the run.
        warmup_steps: the warmup length in steps (0: none).
        peak_lr: the lr the warmup ends at / the class's base lr.
        warnings: ignored keys and silent defaults, one sentence each.
        notes: how PaddleOCR builds it (the Paddle objects), for reports.
    """

    name: str
    schedule: Schedule
    total_steps: int
    warmup_steps: int
    peak_lr: float
    warnings: tuple[str, ...]
    notes: str


#: Top-level sections of a PaddleOCR training config (a whole config given instead of its Optimizer block is named as
#: such; the command line recognises a PaddleOCR config by them).
CONFIG_SECTIONS = ("Global", "Optimizer", "Architecture", "Loss", "Train", "Eval", "PostProcess", "Metric")


def lr_block(optimizer_cfg: Mapping[str, Any]) -> dict[str, Any]:
    """The ``lr`` sub-block of an ``Optimizer`` block (a copy). A mapping that is itself an ``lr`` block (it has
    no ``lr`` key, its ``name`` is not an optimizer, and it has a ``name`` or a ``learning_rate``) is returned as
    is."""
    check_nesting("ppocr", "optimizer_cfg", optimizer_cfg)  # before any message shows it
    if not isinstance(optimizer_cfg, Mapping):
        raise TypeError(f"optimizer_cfg must be a mapping (the Optimizer block), got {optimizer_cfg!r}")
    sections = [k for k in CONFIG_SECTIONS if k in optimizer_cfg]
    if sections and "lr" not in optimizer_cfg:
        raise ValueError(
            f"optimizer_cfg has no 'lr' block: it looks like a whole PaddleOCR config (sections {sections}); "
            'pass its Optimizer block, cfg["Optimizer"]'
        )
    if "lr" in optimizer_cfg:
        lr = optimizer_cfg["lr"]
        if not isinstance(lr, Mapping):
            raise ValueError(
                f"Optimizer.lr must be a mapping, got {lr!r}: PaddleOCR calls lr.pop('name'), which fails on it"
            )
        return dict(lr)
    if optimizer_cfg.get("name") in _OPTIMIZER_NAMES:
        raise ValueError(
            f"Optimizer block {dict(optimizer_cfg)!r} has no 'lr' sub-block: PaddleOCR's build_optimizer pops "
            "'lr' and fails with KeyError"
        )
    if "name" not in optimizer_cfg and "learning_rate" not in optimizer_cfg:
        raise ValueError(
            f"optimizer_cfg has no 'lr' block (keys: {sorted(map(str, optimizer_cfg))}): pass a PaddleOCR "
            'Optimizer block, cfg["Optimizer"], whose lr sub-block holds the schedule, or an lr block itself'
        )
    return dict(optimizer_cfg)


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _number(cls: str, key: str, value: Any, *, positive: bool = False) -> float:
    if not _is_number(value):
        raise ValueError(
            f"{cls}: {key} = {value!r} ({type(value).__name__}) is not a number: PaddleOCR passes it to Paddle "
            "unchanged and Paddle raises TypeError (YAML reads '1e-4' without a dot or sign as a string)"
        )
    value = float(value)
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        raise ValueError(f"{cls}: {key} = {value!r} must be {'> 0' if positive else '>= 0'} and finite")
    return value


def _epochs(cls: str, key: str, value: Any, *, positive: bool) -> float:
    """A count of epochs: a finite number, > 0 (``positive``) or >= 0."""
    if not _is_number(value):
        raise ValueError(f"{cls}: {key} = {value!r} ({type(value).__name__}) is not a number of epochs")
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        raise ValueError(f"{cls}: {key} = {value!r} must be a finite number of epochs {'> 0' if positive else '>= 0'}")
    return value


def _increasing_boundaries(cls: str, key: str, raw: Any, steps_per_epoch: int, why: str) -> list[int]:
    """Epoch boundaries (a non-empty list, each > 0) as the integer steps they take effect at, strictly increasing.

    A boundary ``b`` epochs takes effect at the first integer step ``t >= b * steps_per_epoch`` (Paddle compares
    ``t < b``).
    """
    if not isinstance(raw, (list, tuple)):
        raise ValueError(f"{cls}: {key} = {raw!r} must be a list of epochs")
    if len(raw) == 0:
        raise ValueError(f"{cls}: {key} is empty")
    steps = boundary_steps(steps_per_epoch * _epochs(cls, f"{key}[{i}]", e, positive=True) for i, e in enumerate(raw))
    kept = effective_boundaries(steps)  # paddle never reaches a boundary that is not above every earlier one
    for i in range(1, len(steps)):
        if i not in kept:
            same = (
                f" (both take effect at step {steps[i]} with {steps_per_epoch} steps per epoch)"
                if raw[i] > raw[i - 1]
                else ""
            )
            raise ValueError(
                f"{cls}: {key} = {list(raw)} must be strictly increasing: {key}[{i - 1}] = {raw[i - 1]!r} and "
                f"{key}[{i}] = {raw[i]!r}{same}; {why}"
            )
    return steps


def _float_cast(cls: str, key: str, value: Any) -> float:
    """``float(value)``, as ``LinearWarmupCosine`` does (YAML strings such as '1e-4' work)."""
    try:
        out = float(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{cls}: float({key} = {value!r}) fails ({exc}), and so does PaddleOCR") from None
    if not math.isfinite(out) or out < 0:
        raise ValueError(f"{cls}: {key} = {value!r} must be >= 0 and finite")
    return out


def _warmup_steps(cls: str, block: Mapping[str, Any], steps_per_epoch: int, notes: list[str]) -> int:
    epochs = block.get("warmup_epoch", 0)
    if not _is_number(epochs):
        raise ValueError(
            f"{cls}: warmup_epoch = {epochs!r} is not a number: PaddleOCR's round(warmup_epoch * step_each_epoch) "
            "raises TypeError"
        )
    if not math.isfinite(epochs) or epochs < 0:
        raise ValueError(
            f"{cls}: warmup_epoch = {epochs!r} must be a finite number of epochs >= 0 (PaddleOCR silently runs "
            "no warmup for a negative one)"
        )
    warmup_steps = round(epochs * steps_per_epoch)
    if epochs > 0 and warmup_steps <= 0:
        notes.append(
            f"warmup_epoch={epochs!r} rounds to {warmup_steps} steps at {steps_per_epoch} steps per epoch "
            "(round-half-to-even): no warmup"
        )
    return int(warmup_steps) if warmup_steps > 0 else 0


def _check_ignored(cls: str, block: Mapping[str, Any], out: list[str]) -> None:
    for key in sorted(block, key=str):
        if key in _USED_KEYS[cls] or key == "last_epoch":
            continue
        if key in ("epochs", "step_each_epoch"):
            out.append(
                f"lr key {key!r} = {block[key]!r} is ignored: PaddleOCR overwrites it with "
                f"{'Global.epoch_num' if key == 'epochs' else 'len(train_dataloader)'}"
            )
            continue
        why = _WHY_IGNORED.get((cls, key), f"PaddleOCR's {cls} swallows it through **kwargs")
        out.append(f"lr key {key!r} = {block[key]!r} is ignored: {why}")


def _linear_warmup(inner: Schedule, warmup_steps: int, peak: float) -> Schedule:
    """paddle ``LinearWarmup(inner, warmup_steps, start_lr=0.0, end_lr=peak)`` (``inner`` alone when there is no
    warmup, ``warmup_steps`` <= 0)."""
    if warmup_steps <= 0:
        return inner
    if not peak > 0.0:
        raise ValueError(
            f"warmup to a peak lr of {peak!r}: paddle's LinearWarmup asserts end_lr > start_lr (0.0) and "
            "PaddleOCR fails"
        )
    return Warmup(inner, warmup_steps, start_lr=0.0, end_lr=peak, mode="prefix")


def _relative_after_warmup(inner: Schedule, warmup_steps: int, lr: float, how: str, warmup_note: str = "") -> _Built:
    """The builders' result for a relative ``inner`` at base ``lr``: behind paddle's ``LinearWarmup(.., warmup_steps,
    0.0, lr)`` when ``warmup_steps`` > 0, its description ``how`` then wrapped in the LinearWarmup (plus
    ``warmup_note``)."""
    if warmup_steps:
        how = f"LinearWarmup({how}, {warmup_steps}, 0.0, {lr!r}){warmup_note}"
    return WithBaseLR(_linear_warmup(inner, warmup_steps, lr), lr), warmup_steps, lr, how


def build_lr(optimizer_cfg: Mapping[str, Any], epochs: int, steps_per_epoch: int) -> LrBuild:
    """Build the core schedule of a PaddleOCR ``Optimizer`` (or ``lr``) block; warnings are returned, not emitted.

    See :func:`lr_schedule` for the meaning of the arguments and the errors.
    """
    epochs = check_int("ppocr", "epochs", epochs, minimum=1)
    steps_per_epoch = check_int("ppocr", "steps_per_epoch", steps_per_epoch, minimum=1)
    block = lr_block(optimizer_cfg)
    name = block.pop("name", "Const")
    if not isinstance(name, str) or name not in _USED_KEYS:
        raise ValueError(
            f"lr name {name!r} is not a PaddleOCR lr class (PaddleOCR fails with AttributeError); valid: "
            f"{list(LR_CLASSES)}"
        )
    missing = [k for k in _REQUIRED_KEYS[name] if k not in block]
    if missing:
        raise ValueError(f"{name}: missing required key(s) {missing}: PaddleOCR's {name}() raises TypeError")
    last_epoch = block.get("last_epoch", -1)
    if isinstance(last_epoch, bool) or last_epoch != -1:
        raise ValueError(
            f"{name}: last_epoch = {last_epoch!r}: PaddleOCR passes it to Paddle, whose schedule then starts as if "
            "resumed after that many steps; lrparity builds the run from its start (last_epoch = -1): remove the "
            "key, and resume from a checkpoint's scheduler state instead"
        )
    notes: list[str] = []
    _check_ignored(name, block, notes)
    total = epochs * steps_per_epoch
    builder = _BUILDERS[name]
    schedule, warmup_steps, peak, how = builder(block, epochs, steps_per_epoch, total, notes)
    if warmup_steps >= total:
        notes.append(
            f"the warmup ({warmup_steps} steps) does not end within the run ({total} steps = {epochs} epochs x "
            f"{steps_per_epoch}): the lr never reaches {peak!r}"
        )
    return LrBuild(
        name=name,
        schedule=schedule,
        total_steps=total,
        warmup_steps=warmup_steps,
        peak_lr=peak,
        warnings=tuple(notes),
        notes=how,
    )


def lr_schedule(optimizer_cfg: Mapping[str, Any], epochs: int, steps_per_epoch: int) -> Schedule:
    r"""The lr PaddleOCR applies at each training iteration, as an absolute lrparity schedule.

    ``lr_schedule(cfg, E, S).values(range(E * S))[k]`` is the lr of iteration ``k`` (counted from 0 over the
    whole run) in PaddleOCR's ``tools/program.py``, for every lr class: ``Const`` (also an ``lr`` block without
    ``name``), ``Linear``, ``Cosine``, ``LinearWarmupCosine``, ``Step``, ``Piecewise``, ``CyclicalCosine``,
    ``OneCycle``, ``DecayLearningRate``, ``MultiStepDecay`` and ``TwoStepCosine``, with or without
    ``warmup_epoch``. With ``T = E S`` and :math:`w = \mathrm{round}(\mathrm{warmup\_epoch} \cdot S)`
    (half to even), a warmup gives :math:`\mathrm{peak}\cdot k / w` for :math:`k < w`, then the inner schedule
    at :math:`k - w` (its length stays ``T``).

    Keys PaddleOCR ignores are emitted as :class:`PpocrWarning` (``warnings.warn``).

    Args:
        optimizer_cfg: the ``Optimizer`` mapping of a PaddleOCR config (its ``lr`` sub-block is used), or the
            ``lr`` mapping itself.
        epochs: ``Global.epoch_num``, in epochs; int >= 1.
        steps_per_epoch: iterations per epoch (``len(train_dataloader)`` per card); int >= 1.

    Returns:
        An absolute schedule (``uses_base_lr`` is False): pass it to ``lrparity.torch_scheduler`` /
        ``lrparity.paddle_scheduler`` with no base lr.

    Raises:
        ValueError: for a block PaddleOCR (or Paddle) refuses to build, saying why (e.g. a ``Piecewise`` with
            as many ``values`` as ``decay_epochs``, a string ``learning_rate`` outside ``LinearWarmupCosine``).
        TypeError: ``epochs``/``steps_per_epoch`` not ints, or ``optimizer_cfg`` not a mapping.

    Example:
        >>> s = lr_schedule({"lr": {"name": "Cosine", "learning_rate": 0.001, "warmup_epoch": 1}}, 2, 2)
        >>> s.values(range(4)).tolist()
        [0.0, 0.0005, 0.001, 0.0008535533905932737]
    """
    build = build_lr(optimizer_cfg, epochs, steps_per_epoch)
    for message in build.warnings:
        warnings.warn(message, PpocrWarning, stacklevel=2)
    return build.schedule


# ----------------------------------------------------------------------------------------------------------------
# One builder per class: (block without name, epochs, steps_per_epoch, T, warnings)
#                         -> (schedule, warmup_steps, peak, how)
# ----------------------------------------------------------------------------------------------------------------

_Built = tuple[Schedule, int, float, str]


def _scheduler_lr(cls: str, block: Mapping[str, Any], key: str = "learning_rate") -> float:
    """A Paddle ``LRScheduler`` learning rate: int or float, >= 0."""
    return _number(cls, key, block[key])


def _build_const(block: Mapping[str, Any], epochs: int, steps_per_epoch: int, total: int, notes: list[str]) -> _Built:
    raw = block["learning_rate"]
    warmup_steps = _warmup_steps("Const", block, steps_per_epoch, notes)
    if warmup_steps == 0:
        if not isinstance(raw, float):
            raise ValueError(
                f"Const: learning_rate = {raw!r} ({type(raw).__name__}) is handed to the Paddle optimizer as a plain "
                "value, and Paddle optimizers accept only a float or an LRScheduler (TypeError): write it as a float, "
                f"e.g. {float(raw) if _is_number(raw) else 0.001!r}"
            )
        lr = _number("Const", "learning_rate", raw)
        return WithBaseLR(Constant(), lr), 0, lr, "a plain float lr (never stepped)"
    lr = _number("Const", "learning_rate", raw)
    return (
        WithBaseLR(_linear_warmup(Constant(), warmup_steps, lr), lr),
        warmup_steps,
        lr,
        f"LinearWarmup({lr!r}, warmup_steps={warmup_steps}, start_lr=0.0, end_lr={lr!r})",
    )


def _build_linear(block: Mapping[str, Any], epochs: int, steps_per_epoch: int, total: int, notes: list[str]) -> _Built:
    lr = _scheduler_lr("Linear", block)
    end = _number("Linear", "end_lr", block.get("end_lr", 0.0))
    power = _number("Linear", "power", block.get("power", 1.0), positive=True)
    warmup_steps = _warmup_steps("Linear", block, steps_per_epoch, notes)
    inner = Polynomial(total_steps=total, power=power, end_lr=end)
    how = f"PolynomialDecay({lr!r}, decay_steps={total}, end_lr={end!r}, power={power!r})"
    return _relative_after_warmup(inner, warmup_steps, lr, how)


def _build_cosine(block: Mapping[str, Any], epochs: int, steps_per_epoch: int, total: int, notes: list[str]) -> _Built:
    lr = _scheduler_lr("Cosine", block)
    warmup_steps = _warmup_steps("Cosine", block, steps_per_epoch, notes)
    how = f"CosineAnnealingDecay({lr!r}, T_max={total})" + ("" if warmup_steps else " (recursive form)")
    # Standalone, paddle's CosineAnnealingDecay runs its recursion; under LinearWarmup, its closed form.
    inner = Cosine(T_max=total, form="closed" if warmup_steps else "recursive")
    return _relative_after_warmup(inner, warmup_steps, lr, how, " (closed form; the cosine never reaches 0)")


def _build_linear_warmup_cosine(
    block: Mapping[str, Any], epochs: int, steps_per_epoch: int, total: int, notes: list[str]
) -> _Built:
    cls = "LinearWarmupCosine"
    lr = _float_cast(cls, "learning_rate", block["learning_rate"])
    start = _float_cast(cls, "start_lr", block.get("start_lr", 1e-5))
    eta = _float_cast(cls, "min_lr", block.get("min_lr", 1e-8))
    warmup_steps = block.get("warmup_steps", 5000)
    if not isinstance(warmup_steps, numbers.Integral) or isinstance(warmup_steps, bool):
        raise ValueError(
            f"{cls}: warmup_steps = {warmup_steps!r} must be an int (steps): paddle's LinearWarmup asserts an int "
            "warmup_steps"
        )
    warmup_steps = int(warmup_steps)
    if warmup_steps < 0:
        raise ValueError(
            f"{cls}: warmup_steps = {warmup_steps!r} must be >= 0 (steps); PaddleOCR silently runs no warmup for a "
            "negative one"
        )
    if eta > lr:
        raise ValueError(f"{cls}: min_lr ({eta!r}) must be <= learning_rate ({lr!r}): the cosine would anneal upwards")
    how = f"CosineAnnealingDecay({lr!r}, T_max={total}, eta_min={eta!r})"
    if warmup_steps <= 0:
        return WithBaseLR(Cosine(T_max=total, eta_min=eta, form="recursive"), lr), 0, lr, how + " (recursive form)"
    inner = Cosine(T_max=total, eta_min=eta)
    if not lr > start:
        raise ValueError(
            f"{cls}: learning_rate ({lr!r}) must be > start_lr ({start!r}): paddle's LinearWarmup asserts "
            "end_lr > start_lr and PaddleOCR fails"
        )
    if "warmup_steps" not in block:
        notes.append(f"{cls}: warmup_steps not given: PaddleOCR's default is 5000 steps")
    sched = WithBaseLR(Warmup(inner, warmup_steps, start_lr=start, end_lr=lr, mode="prefix"), lr)
    return sched, warmup_steps, lr, f"LinearWarmup({how}, {warmup_steps}, {start!r}, {lr!r})"


def _build_step(block: Mapping[str, Any], epochs: int, steps_per_epoch: int, total: int, notes: list[str]) -> _Built:
    lr = _scheduler_lr("Step", block)
    size, gamma = block["step_size"], block["gamma"]
    if not isinstance(size, numbers.Integral) or isinstance(size, bool) or size <= 0:
        raise ValueError(
            f"Step: step_size = {size!r} must be a positive int (epochs): paddle's StepDecay requires an int "
            "step_size > 0"
        )
    gamma = _number("Step", "gamma", gamma, positive=True)
    if gamma >= 1.0:
        raise ValueError(f"Step: gamma = {gamma!r} must be < 1.0: paddle's StepDecay raises ValueError")
    warmup_steps = _warmup_steps("Step", block, steps_per_epoch, notes)
    inner = Step(step_size=int(size) * steps_per_epoch, gamma=gamma)
    how = f"StepDecay({lr!r}, step_size={int(size) * steps_per_epoch}, gamma={gamma!r})"
    return _relative_after_warmup(inner, warmup_steps, lr, how, f" (decays land {warmup_steps} steps late)")


def _piecewise(cls: str, bounds_raw: Any, values_raw: Any, steps_per_epoch: int, notes: list[str]) -> Piecewise:
    if not isinstance(bounds_raw, (list, tuple)) or not isinstance(values_raw, (list, tuple)):
        raise ValueError(f"{cls}: decay_epochs and values must be lists, got {bounds_raw!r} and {values_raw!r}")
    if len(bounds_raw) == 0:
        raise ValueError(f"{cls}: decay_epochs is empty: paddle's PiecewiseDecay raises 'boundaries cannot be empty'")
    if len(values_raw) <= len(bounds_raw):
        raise ValueError(
            f"{cls}: {len(values_raw)} values for {len(bounds_raw)} decay_epochs: paddle's PiecewiseDecay needs one "
            f"more value than boundaries (len(values) == len(decay_epochs) + 1) and raises ValueError; "
            f"decay_epochs={list(bounds_raw)}, values={list(values_raw)}"
        )
    if len(values_raw) > len(bounds_raw) + 1:
        raise ValueError(
            f"{cls}: {len(values_raw)} values for {len(bounds_raw)} decay_epochs: give len(decay_epochs) + 1 "
            f"values; paddle would silently use values[0..{len(bounds_raw) - 1}] and the last one only"
        )
    values = [_number(cls, f"values[{i}]", v) for i, v in enumerate(values_raw)]
    bounds = _increasing_boundaries(
        cls, "decay_epochs", bounds_raw, steps_per_epoch, "paddle's PiecewiseDecay would silently never use a value"
    )
    return Piecewise(boundaries=tuple(bounds), lrs=tuple(values))


def _build_piecewise(
    block: Mapping[str, Any], epochs: int, steps_per_epoch: int, total: int, notes: list[str]
) -> _Built:
    inner = _piecewise("Piecewise", block["decay_epochs"], block["values"], steps_per_epoch, notes)
    peak = _number("Piecewise", "values[0]", block["values"][0])
    warmup_steps = _warmup_steps("Piecewise", block, steps_per_epoch, notes)
    boundaries = [steps_per_epoch * e for e in block["decay_epochs"]]
    how = f"PiecewiseDecay(boundaries={boundaries}, values={list(block['values'])})"
    if warmup_steps:
        how = f"LinearWarmup({how}, {warmup_steps}, 0.0, {peak!r}) (boundaries land {warmup_steps} steps late)"
    return _linear_warmup(inner, warmup_steps, peak), warmup_steps, peak, how


def _build_cyclical(
    block: Mapping[str, Any], epochs: int, steps_per_epoch: int, total: int, notes: list[str]
) -> _Built:
    lr = _scheduler_lr("CyclicalCosine", block)
    cycle = _epochs("CyclicalCosine", "cycle", block["cycle"], positive=True)
    cycle_steps = round(cycle * steps_per_epoch)
    if cycle_steps <= 0:
        raise ValueError(
            f"CyclicalCosine: cycle = {cycle!r} epochs rounds to {cycle_steps} steps at {steps_per_epoch} steps per "
            "epoch: PaddleOCR's CyclicalCosineDecay takes last_epoch % cycle and fails with ZeroDivisionError"
        )
    warmup_steps = _warmup_steps("CyclicalCosine", block, steps_per_epoch, notes)
    how = f"CyclicalCosineDecay({lr!r}, cycle={int(cycle_steps)}) (0.5*lr*(1+cos(pi*(k % cycle)/cycle)))"
    return _relative_after_warmup(CosineRestarts(T_0=int(cycle_steps)), warmup_steps, lr, how)


def _build_onecycle(
    block: Mapping[str, Any], epochs: int, steps_per_epoch: int, total: int, notes: list[str]
) -> _Built:
    peak = _number("OneCycle", "max_lr", block["max_lr"], positive=True)
    strategy = block.get("anneal_strategy", "cos")
    if strategy not in ("cos", "linear"):
        raise ValueError(
            f"OneCycle: anneal_strategy = {strategy!r} must be 'cos' or 'linear': PaddleOCR's OneCycleDecay raises"
        )
    three = block.get("three_phase", False)
    if not isinstance(three, bool):
        raise ValueError(
            f"OneCycle: three_phase = {three!r} must be true or false (PaddleOCR tests its truth value: "
            f"{three!r} means {bool(three)})"
        )
    warmup_steps = _warmup_steps("OneCycle", block, steps_per_epoch, notes)
    inner = OneCycle(max_lr=peak, total_steps=total, pct_start=0.3, anneal_strategy=strategy, three_phase=three)
    how = (
        f"OneCycleDecay(max_lr={peak!r}, total_steps={total}, pct_start=0.3, div_factor=25, final_div_factor=1e4, "
        f"anneal_strategy={strategy!r}, three_phase={three})"
    )
    if warmup_steps:
        how = f"LinearWarmup({how}, {warmup_steps}, 0.0, {peak!r}) (drops to max_lr/25 when the warmup ends)"
    return _linear_warmup(inner, warmup_steps, peak), warmup_steps, peak, how


def _build_decay(block: Mapping[str, Any], epochs: int, steps_per_epoch: int, total: int, notes: list[str]) -> _Built:
    lr = _scheduler_lr("DecayLearningRate", block)
    power = _number("DecayLearningRate", "factor", block.get("factor", 0.9), positive=True)
    how = f"PolynomialDecay({lr!r}, decay_steps={total}, power={power!r}, end_lr=0)"
    return WithBaseLR(Polynomial(total_steps=total, power=power, end_lr=0.0), lr), 0, lr, how


def _build_multistep(
    block: Mapping[str, Any], epochs: int, steps_per_epoch: int, total: int, notes: list[str]
) -> _Built:
    lr = _scheduler_lr("MultiStepDecay", block)
    raw = block["milestones"]
    milestones = _increasing_boundaries(
        "MultiStepDecay", "milestones", raw, steps_per_epoch, "paddle's MultiStepDecay raises or skips a decay"
    )
    steps = [steps_per_epoch * m for m in raw]
    gamma = _number("MultiStepDecay", "gamma", block["gamma"], positive=True)
    if gamma >= 1.0:
        raise ValueError(f"MultiStepDecay: gamma = {gamma!r} must be < 1.0: paddle's MultiStepDecay raises ValueError")
    warmup_steps = _warmup_steps("MultiStepDecay", block, steps_per_epoch, notes)
    inner = MultiStep(milestones=tuple(milestones), gamma=gamma)
    how = f"MultiStepDecay({lr!r}, milestones={steps}, gamma={gamma!r})"
    return _relative_after_warmup(inner, warmup_steps, lr, how, f" (decays land {warmup_steps} steps late)")


def _build_two_step(
    block: Mapping[str, Any], epochs: int, steps_per_epoch: int, total: int, notes: list[str]
) -> _Built:
    lr = _scheduler_lr("TwoStepCosine", block)
    first_period = TWO_STEP_COSINE_FIRST_EPOCHS * steps_per_epoch
    warmup_steps = _warmup_steps("TwoStepCosine", block, steps_per_epoch, notes)
    how = f"TwoStepCosineDecay({lr!r}, T_max1={first_period} (200 epochs, hard-coded), T_max2={total})"
    if warmup_steps == 0:
        # Recursive form: the first cosine reaches exactly 0 at T_max1 and the recursion keeps it there.
        inner: Schedule = Sequence(
            (Cosine(T_max=first_period, form="recursive"), Constant(factor=0.0)), milestones=(first_period + 1,)
        )
        if total > first_period:
            notes.append(
                f"TwoStepCosine without warmup: the lr reaches 0 after 200 epochs (step {first_period}) and stays 0 "
                "for the "
                f"remaining {epochs - TWO_STEP_COSINE_FIRST_EPOCHS} epochs (Paddle's recursive form)"
            )
        return WithBaseLR(inner, lr), 0, lr, how + " (recursive form: 0 after T_max1)"
    # Closed form under warmup: cos(pi k / T1) for k <= T1, then cos(pi k / T2) at the *global* inner step k.
    inner = Sequence(
        (Cosine(T_max=first_period), Shift(Cosine(T_max=total), first_period + 1)), milestones=(first_period + 1,)
    )
    if total > first_period + 1 + warmup_steps:
        notes.append(
            f"TwoStepCosine with warmup: after 200 epochs the lr jumps from 0 back up to the second cosine "
            f"(closed form at step {first_period + 1} of T_max2={total})"
        )
    return (
        WithBaseLR(_linear_warmup(inner, warmup_steps, lr), lr),
        warmup_steps,
        lr,
        f"LinearWarmup({how}, {warmup_steps}, 0.0, {lr!r}) (closed form)",
    )


_BUILDERS = {
    "Const": _build_const,
    "Linear": _build_linear,
    "Cosine": _build_cosine,
    "LinearWarmupCosine": _build_linear_warmup_cosine,
    "Step": _build_step,
    "Piecewise": _build_piecewise,
    "CyclicalCosine": _build_cyclical,
    "OneCycle": _build_onecycle,
    "DecayLearningRate": _build_decay,
    "MultiStepDecay": _build_multistep,
    "TwoStepCosine": _build_two_step,
}
