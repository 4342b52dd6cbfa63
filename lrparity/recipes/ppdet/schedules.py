"""PaddleDetection ``LearningRate`` blocks as lrparity core schedules, value for value (PaddleDetection 2.6.0).

PaddleDetection's trainer builds ``LearningRate(base_lr, schedulers)(steps_per_epoch)`` with ``steps_per_epoch =
len(train_loader)`` and steps the paddle scheduler it returns once per iteration, after the optimizer step, for
``epoch * steps_per_epoch`` iterations. ``schedulers[0]`` is the decay (``PiecewiseDecay`` or ``CosineDecay``),
``schedulers[1]`` the warmup (``LinearWarmup`` or ``ExpWarmup``), used unless the decay says ``use_warmup: false``.
The warmup and the decay are flattened into one paddle ``PiecewiseDecay`` table (``W`` warmup steps):

- warmup values ``v_i = base * (s * (1 - i/W) + i/W)`` (``LinearWarmup``) or ``base * (i/W) ** power``
  (``ExpWarmup``) for ``i = 0..W``, boundaries ``1..W``; ``W = epochs * steps_per_epoch`` when ``epochs`` is set,
  else ``steps``, and at least 1;
- ``PiecewiseDecay`` appends its boundaries ``int(steps_per_epoch) * milestone``, counted from step 0 (not shifted by
  the warmup), and values ``base * gamma_i`` (a scalar ``gamma`` means ``[gamma / 10**i]``); a milestone that falls
  inside the warmup is skipped, and a ``gamma`` list longer than ``milestones`` has its middle entries skipped;
- ``CosineDecay`` appends ``c(i) = min + (base - min) * 0.5 * (cos((i - W) pi / (M - W - P)) + 1)`` for
  ``W <= i < M - P``, then ``min`` up to ``M`` (``M = max_epochs * int(steps_per_epoch)``, ``P =
  last_plateau_epochs * int(steps_per_epoch)``, ``min = base * min_lr_ratio``), with the boundary ``W`` duplicated;
  after ``M`` the table's last value ``c(M-1)`` holds, *not* ``min``.

Without warmup a ``PiecewiseDecay`` is a plain paddle ``PiecewiseDecay`` (``values`` may replace ``base * gamma``); a
``CosineDecay`` is paddle's ``CosineAnnealingDecay(base, M, min)`` (its recursion, periodic past ``M``) or, with a
plateau, the table from step 0.

The schedules built here use :class:`~lrparity.core.FactorWarmup` (the warmup tables' arithmetic), the core
``Cosine`` (whose closed form is the tables' cosine, bit for bit), ``Piecewise``, ``Sequence``, ``Constant`` and
:class:`~lrparity.core.Hold`; every value is bit-identical to PaddleDetection's.

``LinearWarmup.epochs_first`` (PaddleDetection after 2.6.0, develop #8540: ``False`` makes ``steps`` win over
``epochs``) is read with develop's meaning and reported with a warning, since 2.6.0 rejects the key.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lrparity.core import (
    Constant,
    Cosine,
    FactorWarmup,
    Hold,
    Piecewise,
    Schedule,
    Sequence,
    WithBaseLR,
)
from lrparity.core.validation import check_nesting, closest_key_hint
from lrparity.recipes import RecipeWarning
from lrparity.recipes.ppdet.config import BASE_KEY, LR_CLASSES, read_config

__all__ = [
    "DECAYS",
    "DEFAULTS",
    "LEARNING_RATE_DEFAULTS",
    "WARMUPS",
    "PpdetBuild",
    "PpdetWarning",
    "build",
    "config_data",
    "learning_rate_block",
]

DECAYS: tuple[str, ...] = ("PiecewiseDecay", "CosineDecay")
"""The classes that may be ``schedulers[0]``."""

WARMUPS: tuple[str, ...] = ("LinearWarmup", "ExpWarmup")
"""The classes that may be ``schedulers[1]``."""

DEFAULTS: Mapping[str, Mapping[str, Any]] = {
    "PiecewiseDecay": {"gamma": [0.1, 0.01], "milestones": [8, 11], "values": None, "use_warmup": True},
    "CosineDecay": {"max_epochs": 1000, "use_warmup": True, "min_lr_ratio": 0.0, "last_plateau_epochs": 0},
    "LinearWarmup": {"steps": 500, "start_factor": 1.0 / 3, "epochs": None, "epochs_first": True},
    "ExpWarmup": {"steps": 1000, "epochs": None, "power": 2},
}
"""Every parameter of every LR class, with PaddleDetection's default (``epochs_first``: develop only)."""

LEARNING_RATE_DEFAULTS: Mapping[str, Any] = {
    "base_lr": 0.01,
    "schedulers": [{"name": "PiecewiseDecay"}, {"name": "LinearWarmup"}],
}
"""``LearningRate``'s defaults: ``base_lr=0.01, schedulers=[PiecewiseDecay(), LinearWarmup()]``."""

_YAML_HINT = " (YAML 1.1, which PaddleDetection reads, takes 1e-4 without a dot for a string: write 1.0e-4)"


class PpdetWarning(RecipeWarning):
    """A PaddleDetection LR key that PaddleDetection accepts but ignores, a silent default, or a quirk of its table
    that changes the values (a milestone inside the warmup, a cosine that holds after ``max_epochs``)."""


@dataclass(frozen=True)
class PpdetBuild:
    """What :func:`build` found in a PaddleDetection config.

    Attributes:
        schedule: the absolute schedule; ``schedule.values(range(total_steps))`` are the lrs of the run's updates.
        total_steps: ``epoch * steps_per_epoch``, the updates of the run.
        epochs: the config's ``epoch``.
        steps_per_epoch: ``len(train_loader)``.
        base_lr: ``LearningRate.base_lr``.
        warmup_steps: ``W``, the warmup's length in steps (0: no warmup).
        warnings: ignored keys, silent defaults and quirks, one sentence each.
        notes: what PaddleDetection builds (the paddle scheduler and its table), for reports.
    """

    schedule: Schedule
    total_steps: int
    epochs: int
    steps_per_epoch: int
    base_lr: float
    warmup_steps: int
    warnings: tuple[str, ...]
    notes: str


# -- reading values -----------------------------------------------------------------------------------------------
def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _number(where: str, value: Any, *, low: float = 0.0, low_open: bool = False, high: float | None = None) -> float:
    """A finite real number within the bounds (a YAML string such as '1e-4' is a TypeError that says why)."""
    if not _is_number(value):
        hint = _YAML_HINT if isinstance(value, str) else ""
        raise TypeError(f"{where} = {value!r} ({type(value).__name__}) must be a number{hint}")
    if not math.isfinite(value) or (value <= low if low_open else value < low) or (high is not None and value > high):
        bounds = f"{'>' if low_open else '>='} {low!r}" + (f" and <= {high!r}" if high is not None else "")
        raise ValueError(f"{where} = {value!r} must be {bounds} and finite")
    return value


def _int(where: str, value: Any, *, minimum: int, why: str = "") -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{where} = {value!r} ({type(value).__name__}) must be an int{why}")
    if value < minimum:
        raise ValueError(f"{where} = {value!r} must be an int >= {minimum}")
    if value > 2**53:
        raise ValueError(f"{where} = {value!r} must be <= 2**53")
    return int(value)


def _bool(where: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(
            f"{where} = {value!r} ({type(value).__name__}) must be true or false (PaddleDetection tests its truth "
            f"value: {value!r} means {bool(value)})"
        )
    return value


# -- the config ---------------------------------------------------------------------------------------------------
def config_data(config: str | os.PathLike[str] | Mapping[str, Any], notes: list[str] | None = None) -> dict[str, Any]:
    """The (merged) config as a dict (a shallow copy of a mapping). A path is read with its ``_BASE_`` includes; its
    duplicate keys (the last value kept, as PyYAML keeps it) go to ``notes`` (default: a ConfigFileWarning each)."""
    if isinstance(config, (str, os.PathLike)):
        data: Any = read_config(config, on_duplicate=None if notes is None else (lambda d: notes.append(str(d))))
    elif isinstance(config, Mapping):
        check_nesting("ppdet", "config", config)
        data = config
        if BASE_KEY in data:
            raise ValueError(
                f"config has {BASE_KEY} = {data[BASE_KEY]!r}: includes are resolved relative to the file that lists "
                "them, so pass the config's path instead of the mapping"
            )
    else:
        raise TypeError(
            f"config must be a PaddleDetection config file's path or the mapping loaded from it, got {config!r}"
        )
    bad = [k for k in data if not isinstance(k, str)]
    if bad:
        raise TypeError(f"config keys must be strings, got {bad[0]!r}")
    return dict(data)


def learning_rate_block(
    config: str | os.PathLike[str] | Mapping[str, Any], notes: list[str] | None = None
) -> tuple[dict[str, Any], Any]:
    """The (merged) config as a dict and its ``LearningRate`` block (see :func:`config_data`)."""
    data = config_data(config, notes)
    if "LearningRate" not in data:
        if "base_lr" in data or "schedulers" in data:
            raise ValueError(
                "config looks like a LearningRate block itself (it has base_lr/schedulers): pass the whole config, "
                "{'epoch': N, 'LearningRate': {...}}"
            )
        raise ValueError(
            f"config has no LearningRate section (keys: {sorted(data)[:12]}): PaddleDetection would silently use "
            "LearningRate(base_lr=0.01, schedulers=[PiecewiseDecay(), LinearWarmup()]); write 'LearningRate: {}' "
            "to ask for those defaults"
        )
    return data, data["LearningRate"]


@dataclass
class _Entry:
    index: int
    name: str
    params: dict[str, Any]
    given: frozenset[str]

    @property
    def where(self) -> str:
        return f"LearningRate.schedulers[{self.index}] ({self.name})"


def _entry(index: int, raw: Any) -> _Entry:
    where = f"LearningRate.schedulers[{index}]"
    if not isinstance(raw, Mapping):
        raise TypeError(
            f"{where} = {raw!r} must be a scheduler: a mapping '- name: X' or a tag '!X {{...}}', X one of "
            f"{list(LR_CLASSES)}"
        )
    if "name" not in raw:
        raise ValueError(
            f"{where} = {dict(raw)!r} has no 'name' (PaddleDetection's LearningRate pops it and fails with KeyError)"
        )
    name = raw["name"]
    if not isinstance(name, str) or name not in LR_CLASSES:
        hint = closest_key_hint(name, LR_CLASSES) if isinstance(name, str) else ""
        raise ValueError(
            f"{where}: name = {name!r} is not a PaddleDetection LR class{hint} (PaddleDetection fails with "
            f"AttributeError); valid: {list(LR_CLASSES)}"
        )
    params = {k: v for k, v in raw.items() if k != "name"}
    allowed = DEFAULTS[name]
    for key in params:
        if key not in allowed:
            valid = sorted(allowed)
            raise ValueError(
                f"{where} ({name}): unknown key {key!r}{closest_key_hint(str(key), valid)}: PaddleDetection's "
                f"{name}() raises TypeError (unexpected keyword argument); valid keys: {valid}"
            )
    return _Entry(index, name, {**allowed, **params}, frozenset(params))


# -- the warmups --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Warmup:
    steps: int
    start_factor: float
    power: float
    how: str


def _warmup(entry: _Entry, spe: int, notes: list[str]) -> _Warmup:
    p, where = entry.params, entry.where
    steps = _int(f"{where}: steps", p["steps"], minimum=0, why=" (PaddleDetection's range(steps + 1) needs one)")
    epochs = p["epochs"]
    if epochs is not None:
        epochs = _int(
            f"{where}: epochs", epochs, minimum=0, why=" (PaddleDetection's range(epochs * steps_per_epoch + 1) fails)"
        )
    first = True
    if entry.name == "LinearWarmup":
        first = _bool(f"{where}: epochs_first", p["epochs_first"])
        if "epochs_first" in entry.given:
            notes.append(
                f"{where}: epochs_first is not a PaddleDetection 2.6.0 key (2.6.0 raises TypeError; develop added it "
                f"in #8540); read with develop's meaning: {'epochs' if first else 'steps'} wins"
            )
    use_epochs = epochs is not None and first
    if use_epochs and "steps" in entry.given:
        notes.append(f"{where}: steps = {steps!r} is ignored: epochs = {epochs!r} takes priority")
    if epochs is not None and not first:
        notes.append(f"{where}: epochs = {epochs!r} is ignored: epochs_first is false, steps = {steps!r} wins")
    w = epochs * spe if use_epochs else steps
    if w < 1:
        source = f"epochs = {epochs!r}" if use_epochs else f"steps = {steps!r}"
        notes.append(f"{where}: {source} gives 0 warmup steps; PaddleDetection makes it 1 (max(W, 1)): one step at "
                     + ("start_factor * base_lr" if entry.name == "LinearWarmup" else "0"))  # fmt: skip
        w = 1
    if entry.name == "LinearWarmup":
        s = float(_number(f"{where}: start_factor", p["start_factor"]))
        return _Warmup(w, s, 1.0, f"LinearWarmup table v_i = base * ({s!r} * (1 - i/{w}) + i/{w}), i = 0..{w}")
    power = float(_number(f"{where}: power", p["power"], low_open=True))
    return _Warmup(w, 0.0, power, f"ExpWarmup table v_i = base * (i/{w}) ** {p['power']!r}, i = 0..{w}")


# -- the decays ---------------------------------------------------------------------------------------------------
def _milestone_steps(entry: _Entry, spe: int) -> list[int]:
    """``int(steps_per_epoch) * milestone`` as the integer step each takes effect at (Paddle compares ``t < b``: a
    fractional boundary takes effect at its ceiling), strictly increasing."""
    where = f"{entry.where}: milestones"
    raw = entry.params["milestones"]
    if not isinstance(raw, list):
        raise TypeError(f"{where} = {raw!r} must be a list of epochs")
    steps = []
    for i, m in enumerate(raw):
        _number(f"{where}[{i}]", m, low_open=True)
        steps.append(math.ceil(spe * m))
    for i in range(1, len(steps)):
        if steps[i] <= steps[i - 1]:
            same = f" (both take effect at step {steps[i]} with {spe} steps per epoch)" if raw[i] > raw[i - 1] else ""
            raise ValueError(
                f"{where} = {raw!r} must be strictly increasing: milestones[{i - 1}] = {raw[i - 1]!r} and "
                f"milestones[{i}] = {raw[i]!r}{same}; PaddleDetection's table would silently never use a value"
            )
    return steps


def _gammas(entry: _Entry) -> list[float]:
    where = f"{entry.where}: gamma"
    raw, milestones = entry.params["gamma"], entry.params["milestones"]
    if isinstance(raw, list):
        return [float(_number(f"{where}[{i}]", g)) for i, g in enumerate(raw)]
    _number(where, raw)
    return [raw / 10**i for i in range(len(milestones))]  # PaddleDetection's expansion of a scalar gamma


def _piecewise(entry: _Entry, base: float, spe: int, warm: _Warmup | None, given: set[str], notes: list[str]) -> Any:
    p, where = entry.params, entry.where
    bounds = _milestone_steps(entry, spe)
    gammas = _gammas(entry)
    values = p["values"]
    shown = [spe * m for m in p["milestones"]]
    if values is not None:
        if not isinstance(values, list):
            raise TypeError(f"{where}: values = {values!r} must be a list of learning rates")
        values = [float(_number(f"{where}: values[{i}]", v)) for i, v in enumerate(values)]
        if len(values) != len(bounds) + 1:
            raise ValueError(
                f"{where}: {len(values)} values for {len(bounds)} milestones: PaddleDetection asserts "
                "len(values) == len(milestones) + 1"
            )
        if warm is not None:
            raise ValueError(
                f"{where}: values with a warmup: PaddleDetection appends the {len(values)} values to the warmup's "
                f"{warm.steps + 1}-entry table, and paddle's PiecewiseDecay raises ValueError (values must be one "
                "longer than boundaries); set use_warmup: false, or give gamma instead of values"
            )
        if "gamma" in entry.given:
            notes.append(f"{where}: gamma = {p['gamma']!r} is ignored: values are given")
        if "base_lr" in given:
            notes.append(f"LearningRate.base_lr = {base!r} is ignored: {entry.name} takes its values from 'values'")
    else:
        values = [base] + [base * g for g in gammas]
    if warm is None:
        if not bounds:
            raise ValueError(
                f"{where}: milestones is empty and there is no warmup: paddle's PiecewiseDecay raises "
                "'The boundaries cannot be empty'"
            )
    if len(values) < len(bounds) + 1:
        raise ValueError(
            f"{where}: gamma = {p['gamma']!r} gives {len(values) - 1} decayed values for {len(bounds)} milestones: "
            "paddle's PiecewiseDecay raises ValueError (values must be one longer than boundaries)"
        )
    if len(values) > len(bounds) + 1:
        skipped = gammas[len(bounds) - 1 : -1] if bounds else gammas[:-1]
        notes.append(
            f"{where}: gamma has {len(gammas)} entries for {len(bounds)} milestones: paddle's PiecewiseDecay uses the "
            f"last one after the last milestone and silently skips {skipped}"
        )
    final = values[-1]
    if warm is None:
        how = f"paddle PiecewiseDecay(boundaries={shown}, values={values})"
        return Piecewise(boundaries=tuple(bounds), lrs=(*values[: len(bounds)], final)), how
    inside = [m for m, b in zip(p["milestones"], bounds) if b <= warm.steps]
    if inside:
        notes.append(
            f"{where}: milestones {inside} (epochs) fall inside the {warm.steps}-step warmup at {spe} steps per epoch: "
            "PaddleDetection's table skips them, so the lr jumps from the warmup straight to "
            f"{next((v for b, v in zip(bounds, values) if b > warm.steps), final)!r}"
        )
    kept = [(b, v) for b, v in zip(bounds, values) if b > warm.steps]
    if kept:
        tail: Schedule = Piecewise(boundaries=tuple(b for b, _ in kept), lrs=(*(v for _, v in kept), final))
    else:
        tail = Constant(factor=gammas[-1]) if gammas else Constant()
    how = f"paddle PiecewiseDecay: {warm.how}, then boundaries {shown} (from step 0) with values {values}"
    return FactorWarmup(tail, warm.steps, warm.start_factor, warm.power, mode="overlap"), how


def _cosine(entry: _Entry, base: float, spe: int, warm: _Warmup | None, total: int, notes: list[str]) -> Any:
    p, where = entry.params, entry.where
    max_epochs = _int(
        f"{where}: max_epochs", p["max_epochs"], minimum=1,
        why=" (PaddleDetection's range()/paddle's CosineAnnealingDecay need one)",
    )  # fmt: skip
    ratio = _number(f"{where}: min_lr_ratio", p["min_lr_ratio"], high=1.0)
    plateau = _number(f"{where}: last_plateau_epochs", p["last_plateau_epochs"])
    if plateau >= max_epochs:
        raise ValueError(
            f"{where}: last_plateau_epochs = {plateau!r} must be < max_epochs = {max_epochs!r}: the plateau would "
            "leave no cosine at all"
        )
    M = max_epochs * spe
    P = plateau * spe  # an int, or a float for a fractional plateau (PaddleDetection compares i < M - P)
    mn = base * ratio
    first_flat = math.ceil(M - P)  # the first step of the plateau
    if warm is None and P > 0:
        if M < 2:
            raise ValueError(
                f"{where}: max_epochs * steps_per_epoch = {M}: the table has no boundary and paddle's PiecewiseDecay "
                "raises 'The boundaries cannot be empty'"
            )
        cos = Cosine(T_max=M - P, eta_min=mn)
        tail: Schedule = Sequence((cos, Constant(factor=ratio)), (first_flat,)) if first_flat < M else Hold(cos, M - 1)
        return tail, f"paddle PiecewiseDecay: a table of c(i) for i < {M} (cosine over {M - P} steps, then {mn!r})"
    if warm is None:
        if total > M:
            notes.append(
                f"{where}: the run ({total} steps) goes past max_epochs ({M} steps): without warmup PaddleDetection "
                "builds paddle's CosineAnnealingDecay, which is periodic: the lr climbs back towards base_lr"
            )
        how = f"paddle CosineAnnealingDecay({base!r}, T_max={M}, eta_min={mn!r}) (its recursion)"
        return Cosine(T_max=M, eta_min=mn, form="recursive"), how
    W = warm.steps
    flat = f", then min_lr {mn!r} from step {first_flat}" if first_flat < M else ""
    how = (
        f"paddle PiecewiseDecay: {warm.how}, then the cosine table c(i) = {mn!r} + ({base!r} - {mn!r}) * 0.5 * "
        f"(cos((i - {W}) pi / {M - W - P}) + 1) for {W} <= i < {min(first_flat, M)}{flat} up to step {M}; its last "
        "value holds after it"
    )
    if W >= M:
        notes.append(
            f"{where}: the warmup ({W} steps) is not shorter than max_epochs ({M} steps): PaddleDetection tabulates "
            "no cosine, and the lr stays at base_lr after the warmup"
        )
        return FactorWarmup(Constant(), W, warm.start_factor, warm.power, mode="prefix"), how
    n_cos = first_flat - W  # cosine steps after the warmup
    if n_cos <= 0:
        notes.append(
            f"{where}: the plateau ({P} steps) covers all of max_epochs after the {W}-step warmup: the lr drops from "
            f"base_lr to min_lr * base_lr = {mn!r} when the warmup ends"
        )
        tail = Constant(factor=ratio)
    else:
        cos = Cosine(T_max=M - W - P, eta_min=mn)
        if first_flat < M:
            tail = Sequence((cos, Constant(factor=ratio)), (n_cos,))
        else:
            tail = Hold(cos, M - 1 - W)
            if total > M:
                held = tail.value(M - 1 - W, base)
                notes.append(
                    f"{where}: the run ({total} steps) goes past max_epochs ({M} steps): PaddleDetection's table holds "
                    f"its last value c({M - 1}) = {held!r}, not min_lr ({mn!r})"
                )
    return FactorWarmup(tail, W, warm.start_factor, warm.power, mode="prefix"), how


# -- the build ----------------------------------------------------------------------------------------------------
def build(config: str | os.PathLike[str] | Mapping[str, Any], steps_per_epoch: int | None) -> PpdetBuild:
    """Build the schedule of a PaddleDetection config; warnings are returned, not emitted.

    See :func:`lrparity.recipes.ppdet.schedule` for the arguments and errors.
    """
    if steps_per_epoch is None:
        raise ValueError(
            "ppdet needs steps_per_epoch (len(train_loader), iterations per epoch per card): PaddleDetection's "
            "epochs, milestones and warmup epochs count epochs"
        )
    spe = _int("steps_per_epoch", steps_per_epoch, minimum=1)
    notes: list[str] = []
    data, block = learning_rate_block(config, notes)
    if "epoch" not in data:
        raise ValueError(
            "config has no 'epoch' (the number of training epochs): PaddleDetection's trainer runs range(epoch)"
        )
    epochs = _int("epoch", data["epoch"], minimum=1, why=" (PaddleDetection's trainer runs range(epoch))")
    if block is None:
        raise ValueError(
            "LearningRate is empty (null): PaddleDetection replaces its LearningRate module with None and fails; "
            "write 'LearningRate: {}' for its defaults"
        )
    if not isinstance(block, Mapping) or "name" in block:
        raise TypeError(f"LearningRate = {block!r} must be a mapping with base_lr and schedulers")
    for key in block:
        if key not in LEARNING_RATE_DEFAULTS:
            raise ValueError(
                f"LearningRate: unknown key {key!r}{closest_key_hint(str(key), list(LEARNING_RATE_DEFAULTS))}: "
                "PaddleDetection's LearningRate() raises TypeError; valid keys: ['base_lr', 'schedulers']"
            )
    given = set(block)
    base = float(_number("LearningRate.base_lr", block.get("base_lr", 0.01)))
    raw_scheds = block.get("schedulers", LEARNING_RATE_DEFAULTS["schedulers"])
    if "schedulers" not in given:
        notes.append(
            "LearningRate.schedulers not given: PaddleDetection's default [PiecewiseDecay(gamma=[0.1, 0.01], "
            "milestones=[8, 11]), LinearWarmup(steps=500, start_factor=1/3)]"
        )
    if not isinstance(raw_scheds, list) or not raw_scheds:
        raise ValueError(
            f"LearningRate.schedulers = {raw_scheds!r} must be a non-empty list: [decay] or [decay, warmup] "
            "(PaddleDetection asserts len(schedulers) >= 1)"
        )
    entries = [_entry(i, raw) for i, raw in enumerate(raw_scheds)]
    decay = entries[0]
    if decay.name not in DECAYS:
        raise ValueError(
            f"{decay.where} must be a decay, one of {list(DECAYS)}: PaddleDetection reads schedulers[0].use_warmup "
            f"and fails with AttributeError on a {decay.name}"
        )
    use_warmup = _bool(f"{decay.where}: use_warmup", decay.params["use_warmup"])
    warm = None
    if use_warmup:
        if len(entries) < 2:
            raise ValueError(
                f"{decay.where}: use_warmup is true but schedulers has no warmup (PaddleDetection fails with "
                "IndexError on schedulers[1]): add a LinearWarmup or ExpWarmup, or set use_warmup: false"
            )
        if entries[1].name not in WARMUPS:
            raise ValueError(
                f"{entries[1].where} must be a warmup, one of {list(WARMUPS)}, because {decay.name}.use_warmup is "
                "true (PaddleDetection calls it as a warmup and fails)"
            )
        warm = _warmup(entries[1], spe, notes)
        ignored = entries[2:]
    else:
        ignored = entries[1:]
    for entry in ignored:
        why = f"{decay.name}.use_warmup is false" if entry.index == 1 else "PaddleDetection uses schedulers[0:2] only"
        notes.append(f"{entry.where} is ignored: {why}")
    total = epochs * spe
    uses_base = decay.name == "CosineDecay" or decay.params["values"] is None or warm is not None
    if uses_base and "base_lr" not in given:
        notes.append("LearningRate.base_lr not given: PaddleDetection's default 0.01")
    if decay.name == "PiecewiseDecay":
        inner, how = _piecewise(decay, base, spe, warm, given, notes)
    else:
        inner, how = _cosine(decay, base, spe, warm, total, notes)
    schedule = WithBaseLR(inner, base) if inner.uses_base_lr else inner
    w = warm.steps if warm is not None else 0
    if w >= total:
        notes.append(
            f"the warmup ({w} steps) does not end within the run ({total} steps = {epochs} epochs x {spe}): the lr "
            f"never reaches base_lr = {base!r}"
        )
    return PpdetBuild(
        schedule=schedule,
        total_steps=total,
        epochs=epochs,
        steps_per_epoch=spe,
        base_lr=base,
        warmup_steps=w,
        warnings=tuple(notes),
        notes=how,
    )
