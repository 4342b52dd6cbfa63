"""lrparity schedules as PaddleDetection ``LearningRate`` blocks (:func:`export`) and as its YAML (:func:`dumps`).

:func:`export` recognises the warmup and the decay of a schedule, writes the PaddleDetection classes that tabulate
them, and checks the result: the exported config is built back with :func:`lrparity.recipes.ppdet.build` and
compared with the schedule at every update of the run; an export that is not within 1e-12 (relative) everywhere
raises instead of returning. Recognised:

- warmups: :class:`~lrparity.core.FactorWarmup` (``power == 1``: ``LinearWarmup``; ``start_factor == 0``:
  ``ExpWarmup``), and a linear :class:`~lrparity.core.Warmup` that ends at the base lr (``LinearWarmup``, within a
  few ulps: paddle's and PaddleDetection's warmup arithmetic differ in the last bit);
- decays: ``Cosine`` (``CosineDecay``; without warmup the exact recursion, ``form="recursive"``), a cosine then its
  minimum (``Sequence([Cosine, Constant])``: ``CosineDecay`` with ``last_plateau_epochs``), a held cosine
  (``Hold(Cosine, T-1)``, what PaddleDetection's table does after ``max_epochs``), ``MultiStep`` and ``Step``
  (``PiecewiseDecay`` with ``gamma`` as a list), ``Piecewise`` (``values`` without warmup; ``gamma`` relative to
  ``base_lr`` after a warmup), a constant base lr;
- ``WithBaseLR`` around any of them (its base lr is ``base_lr``), or a relative schedule with ``base_lr`` given.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np

from lrparity.core import (
    Constant,
    Cosine,
    FactorWarmup,
    Hold,
    MultiStep,
    Piecewise,
    Schedule,
    Sequence,
    Step,
    Warmup,
    WithBaseLR,
)

__all__ = ["RTOL", "dumps", "export"]

RTOL = 1e-12
"""Largest relative difference :func:`export` accepts between the schedule and the exported config, per update."""


def _int_arg(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"ppdet export: {name} must be an int, got {value!r} ({type(value).__name__})")
    if value < minimum:
        raise ValueError(f"ppdet export: {name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def _epochs_or_steps(steps: int, spe: int) -> dict[str, int]:
    return {"epochs": steps // spe} if steps % spe == 0 else {"steps": steps}


def _epoch_value(step: int, spe: int) -> int | float:
    """A boundary step as PaddleDetection milestone epochs: ``ceil(spe * m) == step`` (an int where it divides)."""
    if step % spe == 0:
        return step // spe
    m = step / spe
    for candidate in (m, math.nextafter(m, -math.inf), math.nextafter(m, math.inf)):
        if math.ceil(spe * candidate) == step:
            return candidate
    raise ValueError(f"ppdet export: no milestone epoch m gives step {step} as ceil({spe} * m)")


def _factor(value: float, base: float) -> float:
    """A factor ``g`` with ``base * g == value`` exactly where one exists near ``value / base``, else the quotient."""
    if base == 0:
        raise ValueError("ppdet export: base_lr 0 cannot scale a decay")
    g = value / base
    candidates = [g]
    for direction in (math.inf, -math.inf):
        x = g
        for _ in range(4):
            x = math.nextafter(x, direction)
            candidates.append(x)
    return next((c for c in candidates if base * c == value), g)


# -- recognising the parts ----------------------------------------------------------------------------------------
def _warmup_part(schedule: Schedule, base: float | None, spe: int) -> tuple[dict[str, Any] | None, str, Schedule]:
    """(the warmup entry or None, the mode the decay is read in, the decay)."""
    if isinstance(schedule, FactorWarmup):
        w, s, p = schedule.warmup_steps, schedule.start_factor, schedule.power
        if p == 1:
            entry: dict[str, Any] = {"name": "LinearWarmup", "start_factor": float(s), **_epochs_or_steps(w, spe)}
        elif s == 0:
            entry = {"name": "ExpWarmup", "power": p, **_epochs_or_steps(w, spe)}
        else:
            raise ValueError(
                f"ppdet export: FactorWarmup with power={p!r} and start_factor={s!r}: PaddleDetection's ExpWarmup "
                "starts at 0 and its LinearWarmup has power 1"
            )
        return entry, schedule.mode, schedule.schedule
    if isinstance(schedule, Warmup):
        if schedule.shape != "linear":
            raise ValueError(
                f"ppdet export: Warmup(shape={schedule.shape!r}): PaddleDetection warms up linearly (LinearWarmup) or "
                "as a power of t/W from 0 (ExpWarmup)"
            )
        if base is None:
            raise ValueError("ppdet export: a Warmup needs the base lr (wrap it in WithBaseLR or give base_lr=)")
        ends_at_base = (schedule.end_factor is None and schedule.end_lr is None) or schedule.end_factor == 1
        if not ends_at_base and schedule.end_lr != base:
            raise ValueError(
                f"ppdet export: Warmup ends at end_factor={schedule.end_factor!r}/end_lr={schedule.end_lr!r}: "
                "PaddleDetection's warmups end at base_lr"
            )
        start = schedule.start_factor if schedule.start_lr is None else _factor(schedule.start_lr, base)
        entry = {
            "name": "LinearWarmup",
            "start_factor": float(start or 0.0),
            **_epochs_or_steps(schedule.warmup_steps, spe),
        }
        return entry, schedule.mode, schedule.schedule
    return None, "none", schedule


def _cosine_entry(cos: Cosine, base: float, w: int, spe: int, where: str) -> dict[str, Any]:
    end = w + cos.T_max
    if not isinstance(end, int) or end % spe:
        raise ValueError(
            f"ppdet export: the cosine ends at step {end} ({where}), not a whole number of epochs at "
            f"{spe} steps per epoch: PaddleDetection's CosineDecay.max_epochs is an int of epochs"
        )
    return {"name": "CosineDecay", "max_epochs": end // spe, "min_lr_ratio": _factor(cos.eta_min, base)}


def _plateau_entries(cos: Cosine, k: int, base: float, w: int, spe: int, ratio: float) -> list[dict[str, Any]]:
    """CosineDecay entries whose table is the cosine for ``k`` steps after the warmup, then ``base * ratio``."""
    out = []
    if isinstance(cos.T_max, int) and cos.T_max == k and (w + k) % spe == 0:
        out.append({"name": "CosineDecay", "max_epochs": (w + k) // spe + 1, "min_lr_ratio": ratio,
                    "last_plateau_epochs": 1})  # fmt: skip
    for extra in range(1, 4):  # a fractional plateau: M - P == w + T_max in floats
        m = -(-(w + k) // spe) + extra
        p = (m * spe - w - cos.T_max) / spe
        if p > 0 and (m * spe - w) - p * spe == cos.T_max and math.ceil(m * spe - p * spe) == w + k:
            out.append({"name": "CosineDecay", "max_epochs": m, "min_lr_ratio": ratio, "last_plateau_epochs": p})
            break
    if not out:
        raise ValueError(
            f"ppdet export: a cosine over {cos.T_max} steps then a plateau: no whole max_epochs at {spe} steps per "
            "epoch gives that table"
        )
    return out


def _multistep_entry(bounds: list[int], factors: list[float], spe: int, w: int, mode: str) -> dict[str, Any]:
    shift = w if mode == "prefix" else 0
    steps = [b + shift for b in bounds]
    if mode != "none" and steps and steps[0] <= w:
        raise ValueError(
            f"ppdet export: a decay at step {steps[0]}, within the {w}-step warmup: PaddleDetection skips milestones "
            "that fall inside its warmup"
        )
    if mode == "none" and (not steps or steps[0] <= 0):
        raise ValueError("ppdet export: PaddleDetection's PiecewiseDecay without warmup needs milestones > 0")
    return {"name": "PiecewiseDecay", "milestones": [_epoch_value(s, spe) for s in steps], "gamma": factors}


def _decay_entries(
    decay: Schedule, base: float | None, spe: int, w: int, mode: str, total: int
) -> list[dict[str, Any]]:
    """Candidate decay entries for ``decay``, read after a ``w``-step warmup in ``mode`` (``"none"``: no warmup)."""
    need_base = base is None and decay.uses_base_lr
    if need_base:
        raise ValueError(f"ppdet export: {type(decay).__name__} is relative: give base_lr= (or wrap it in WithBaseLR)")
    name = type(decay).__name__
    if isinstance(decay, Hold) and isinstance(decay.schedule, Cosine):
        decay = decay.schedule  # PaddleDetection's table holds c(M-1) after max_epochs; checked below
    if isinstance(decay, Cosine):
        assert base is not None
        if mode == "overlap":
            raise ValueError("ppdet export: a cosine under an overlapping warmup: PaddleDetection's cosine starts "
                             "when its warmup ends")  # fmt: skip
        entry = _cosine_entry(decay, base, w if mode == "prefix" else 0, spe, name)
        return [entry] if mode == "prefix" else [{**entry, "use_warmup": False}]
    if isinstance(decay, Sequence) and len(decay.schedules) == 2:
        first, second = decay.schedules
        if isinstance(first, Cosine) and isinstance(second, Constant) and second.total_steps is None:
            assert base is not None
            if mode == "overlap":
                raise ValueError("ppdet export: a cosine under an overlapping warmup: PaddleDetection's cosine starts "
                                 "when its warmup ends")  # fmt: skip
            entries = _plateau_entries(first, decay.milestones[0], base, w if mode == "prefix" else 0, spe,
                                       float(second.factor))  # fmt: skip
            if mode == "none":
                entries = [{**e, "use_warmup": False} for e in entries]
            return entries
    if isinstance(decay, Step):
        n = total // decay.step_size + 1
        decay = MultiStep(tuple(decay.step_size * k for k in range(1, n + 1)), decay.gamma)
    if isinstance(decay, MultiStep):
        assert base is not None
        counts: dict[int, int] = {}
        for m in decay.milestones:
            counts[m] = counts.get(m, 0) + 1
        bounds, factors, k = [], [], 0
        for m in sorted(counts):
            k += counts[m]
            bounds.append(m)
            factors.append(float(decay.gamma) ** k)
        if mode == "none":
            return [{**_multistep_entry(bounds, factors, spe, w, mode), "use_warmup": False}]
        return [_multistep_entry(bounds, factors, spe, w, mode)]
    if isinstance(decay, Constant) and decay.total_steps is None and decay.factor == 1:
        if mode == "none":
            return [{"name": "PiecewiseDecay", "milestones": [max(1, -(-total // spe))], "gamma": [1.0],
                     "use_warmup": False}]  # fmt: skip
        return [{"name": "PiecewiseDecay", "milestones": [], "gamma": []}]
    if isinstance(decay, Constant) and decay.total_steps is None and mode != "none":
        raise ValueError(
            f"ppdet export: the lr drops to {decay.factor!r} * base_lr right when the warmup ends: PaddleDetection's "
            "table does that only through milestones skipped inside its warmup (a quirk lrparity does not write)"
        )
    if isinstance(decay, Piecewise):
        lrs = [float(v) for v in decay.lrs]
        if mode == "none":
            return [{"name": "PiecewiseDecay", "milestones": [_epoch_value(b, spe) for b in decay.boundaries],
                     "values": lrs, "use_warmup": False}]  # fmt: skip
        if base is None:
            raise ValueError("ppdet export: a warmup before a Piecewise needs the base lr (give base_lr=)")
        if lrs[0] != base:
            raise ValueError(
                f"ppdet export: after the warmup the Piecewise starts at {lrs[0]!r}, not at base_lr {base!r}: "
                "PaddleDetection's PiecewiseDecay runs base_lr until its first milestone, and gets another value "
                "there only from milestones skipped inside its warmup (a quirk lrparity does not write)"
            )
        return [_multistep_entry(list(decay.boundaries), [_factor(v, base) for v in lrs[1:]], spe, w, mode)]
    raise ValueError(
        f"ppdet export: PaddleDetection cannot express a {name} ({decay!r:.120}): its LR classes are PiecewiseDecay, "
        "CosineDecay, LinearWarmup and ExpWarmup"
    )


def _compare(schedule: Schedule, base: float | None, config: Mapping[str, Any], spe: int, total: int) -> float:
    """The largest relative difference between ``schedule`` and ``config``'s schedule over the run (inf: fails)."""
    from lrparity.recipes.ppdet.schedules import build

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got = build(config, spe).schedule.values(range(total))
    except (ValueError, TypeError):
        return math.inf
    want = schedule.values(range(total), base if schedule.uses_base_lr else None)
    if np.array_equal(got, want):
        return 0.0
    with np.errstate(all="ignore"):
        rel = np.abs(got - want) / np.maximum(np.abs(want), np.finfo(np.float64).tiny)
    return float(np.max(np.where(got == want, 0.0, rel)))


def export(
    schedule: Schedule,
    *,
    steps_per_epoch: int | None = None,
    epochs: int | None = None,
    base_lr: float | None = None,
) -> dict[str, Any]:
    """``schedule`` as a PaddleDetection config ``{"epoch": E, "LearningRate": {"base_lr": b, "schedulers": [...]}}``.

    The scheduler entries are ``{"name": <class>, **params}`` mappings (PaddleDetection's ``- name: X`` form, which its
    ``LearningRate`` accepts as is); :func:`dumps` writes them as ``!Tag`` YAML. ``lrparity.recipes.schedule("ppdet",
    export(s, ...), steps_per_epoch=N)`` equals ``s`` within 1e-12 (relative) at every update of the run, bit for
    bit for the schedules :func:`lrparity.recipes.ppdet.schedule` builds.

    Args:
        schedule: an absolute schedule, a ``WithBaseLR``, or a relative schedule with ``base_lr``.
        steps_per_epoch: ``len(train_loader)``, iterations per epoch (required: PaddleDetection counts epochs).
        epochs: the run's epochs (``epoch``); default: the schedule's length rounded up to whole epochs.
        base_lr: the base lr of a relative schedule (``LearningRate.base_lr``).

    Raises:
        ValueError: the schedule (the part named) has no PaddleDetection equivalent within 1e-12, or a context key
            is missing or out of range.
    """
    if not isinstance(schedule, Schedule):
        raise TypeError(f"ppdet export: schedule must be an lrparity Schedule, got {schedule!r}")
    if steps_per_epoch is None:
        raise ValueError("ppdet export needs steps_per_epoch (len(train_loader)): PaddleDetection counts epochs")
    spe = _int_arg("steps_per_epoch", steps_per_epoch, 1)
    inner, base = schedule, None
    if isinstance(schedule, WithBaseLR):
        if base_lr is not None:
            raise ValueError(
                f"ppdet export: base_lr={base_lr!r} given for a WithBaseLR schedule, whose base lr is "
                f"{schedule.base_lr!r}: give one of them"
            )
        inner, base = schedule.schedule, float(schedule.base_lr)
    elif schedule.uses_base_lr:
        if base_lr is None:
            raise ValueError(
                f"ppdet export: {type(schedule).__name__} is relative: give base_lr= (LearningRate.base_lr)"
            )
        if isinstance(base_lr, bool) or not isinstance(base_lr, numbers.Real) or not 0 <= base_lr < math.inf:
            raise ValueError(f"ppdet export: base_lr must be a finite number >= 0, got {base_lr!r}")
        base = float(base_lr)
    elif base_lr is not None:
        raise ValueError(
            f"ppdet export: base_lr={base_lr!r} given for an absolute schedule ({type(schedule).__name__}), which "
            "ignores it"
        )
    if epochs is None:
        length = schedule.length
        if length is None:
            raise ValueError(
                f"ppdet export: {type(schedule).__name__} has no end: give epochs= (the run's length in epochs)"
            )
        epochs = max(1, -(-length // spe))
    epochs = _int_arg("epochs", epochs, 1)
    total = epochs * spe
    warm, mode, decay = _warmup_part(inner, base, spe)
    if warm is not None and base is None:
        raise ValueError(
            "ppdet export: the warmup needs the base lr (wrap the schedule in WithBaseLR or give base_lr=)"
        )
    w = 0
    if warm is not None:
        w = warm.get("steps", 0) or warm.get("epochs", 0) * spe
    candidates = _decay_entries(decay, base, spe, w, mode, total)
    best: tuple[float, dict[str, Any]] | None = None
    for entry in candidates:
        block: dict[str, Any] = {"schedulers": [entry] if warm is None else [entry, warm]}
        if base is not None:
            block = {"base_lr": base, **block}
        config = {"epoch": epochs, "LearningRate": block}
        err = _compare(schedule, base, config, spe, total)
        if err == 0.0:
            return config
        if best is None or err < best[0]:
            best = (err, config)
    assert best is not None
    if best[0] <= RTOL:
        return best[1]
    raise ValueError(
        f"ppdet export: PaddleDetection's table for {best[1]['LearningRate']['schedulers']} differs from the schedule "
        f"by {best[0]:.3g} (relative) within the {total}-update run; it cannot express this schedule"
    )


# -- YAML ---------------------------------------------------------------------------------------------------------
def _float_text(x: float) -> str:
    """A float PyYAML's YAML 1.1 resolver (PaddleDetection's) reads back as the same float (``1.0e-05``, never
    ``1e-05``, which it reads as a string)."""
    if not math.isfinite(x):
        return ".inf" if x > 0 else ("-.inf" if x < 0 else ".nan")
    text = repr(float(x))
    if "e" in text and "." not in text.split("e")[0]:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}.0e{exponent}"
    return text


def _scalar(value: Any) -> str:
    import yaml

    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return _float_text(float(value))
    if isinstance(value, str):
        return yaml.safe_dump(value, default_flow_style=True, width=10**9).strip().removesuffix("...").strip()
    raise TypeError(f"ppdet dumps: cannot write {value!r} ({type(value).__name__}) as YAML")


def _flow(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_scalar(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    return _scalar(value)


def _is_flat(value: Any) -> bool:
    return not isinstance(value, (list, Mapping)) or (
        isinstance(value, list) and all(not isinstance(v, (list, Mapping)) for v in value)
    )


def _block(value: Any, indent: int, lines: list[str], tagged: bool = False) -> None:
    pad = " " * indent
    if isinstance(value, Mapping):
        for key, item in value.items():
            if _is_flat(item) or (isinstance(item, Mapping) and not item):
                lines.append(f"{pad}{_scalar(key)}: {_flow(item)}")
            else:
                lines.append(f"{pad}{_scalar(key)}:")
                deeper = indent if isinstance(item, list) else indent + 2  # a block list sits at its key's indent
                _block(item, deeper, lines, tagged=tagged and key == "schedulers")
        return
    for item in value:
        if tagged and isinstance(item, Mapping) and isinstance(item.get("name"), str):
            params = {k: v for k, v in item.items() if k != "name"}
            lines.append(f"{pad}- !{item['name']}" + (" {}" if not params else ""))
            _block(params, indent + 2, lines)
        elif _is_flat(item):
            lines.append(f"{pad}- {_flow(item)}")
        else:
            lines.append(f"{pad}-")
            _block(item, indent + 2, lines)


def dumps(config: Mapping[str, Any]) -> str:
    """``config`` as PaddleDetection YAML: scheduler entries as ``!Tag`` blocks, floats that YAML 1.1 reads back as
    floats (``1.0e-05``), lists of numbers in flow style. Other sections are written as plain YAML.

    Example:
        >>> print(dumps({"epoch": 12, "LearningRate": {"base_lr": 0.01, "schedulers": [
        ...     {"name": "PiecewiseDecay", "gamma": 0.1, "milestones": [8, 11]},
        ...     {"name": "LinearWarmup", "start_factor": 0.001, "steps": 1000}]}}), end="")
        epoch: 12
        LearningRate:
          base_lr: 0.01
          schedulers:
          - !PiecewiseDecay
            gamma: 0.1
            milestones: [8, 11]
          - !LinearWarmup
            start_factor: 0.001
            steps: 1000
    """
    if not isinstance(config, Mapping):
        raise TypeError(f"ppdet dumps: config must be a mapping, got {config!r}")
    lines: list[str] = []
    for key, value in config.items():
        if _is_flat(value) or (isinstance(value, Mapping) and not value):
            lines.append(f"{_scalar(key)}: {_flow(value)}")
        else:
            lines.append(f"{_scalar(key)}:")
            _block(value, 0 if isinstance(value, list) else 2, lines, tagged=key == "LearningRate")
    return "\n".join(lines) + "\n"
