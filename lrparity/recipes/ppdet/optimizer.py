"""PaddleDetection's ``OptimizerBuilder`` (2.6.0) as a torch optimizer with the same update rule.

``OptimizerBuilder(clip_grad_by_norm=None, clip_grad_by_value=None, regularizer={'type': 'L2', 'factor': 0.0001},
optimizer={'type': 'Momentum', 'momentum': 0.9})`` builds, for the model's trainable parameters:

- the gradient clip: ``clip_grad_by_norm`` is paddle's ``ClipGradByGlobalNorm`` (a *global* norm over every
  gradient, despite its name), else ``clip_grad_by_value`` is ``ClipGradByValue(-|v|, |v|)``;
- the regularizer: ``{type: L2|L1, factor: f}`` is ``paddle.regularizer.L2Decay(f)``/``L1Decay(f)``, *coupled*
  (``f * param`` or ``f * sign(param)`` added to the clipped gradient); a false value (``null``, ``false``, ``{}``,
  ``'None'``) is none. Without the key, PaddleDetection's default ``L2`` with ``factor: 0.0001`` applies;
- the optimizer ``paddle.optimizer.<type>(**the other keys)``, with ``weight_decay`` set to that regularizer for
  every type but ``AdamW``; an ``AdamW`` keeps its own (decoupled) ``weight_decay`` (default 0.01) and ignores the
  regularizer. ``param_groups: [{params: [substrings], <option>: value}]`` gathers the parameters whose name contains
  one of the substrings (2.6.0 matches substrings; develop matches regular expressions) into a paddle param group
  with its options (``learning_rate``: a multiplier of the lr, ``weight_decay``: the group's coefficient: AdamW's
  decoupled one; for Momentum an L2 fused into its kernel *on top of* an L1 regularizer; for the others an L2 in
  place of the regularizer); the others form a last group. With param groups, paddle clips each group on its own
  (``clip_grad_by_norm`` becomes the global norm of each group).

:func:`optimizer_spec` reads an ``OptimizerBuilder`` section into the framework-free
:class:`~lrparity.paddle_optimizers.OptimizerSpec` (plus what the shared spec has no field for: the value clip and the
param groups); :func:`torch_optimizer` builds the torch optimizer, the lrparity torch scheduler of the config's
``LearningRate`` and the pre-step hook (paddle's clip, then coupled L1), with the translation of
:mod:`lrparity.paddle_optimizers`. Types translated: ``Momentum``, ``SGD``, ``Adam``, ``AdamW``, ``RMSProp``,
``Adadelta``; ``AdamWDL`` (layer-wise lr decay by ViT block index) and paddle's other optimizers are refused.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import os
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from lrparity.core import Chain, Constant, PerGroup, Schedule
from lrparity.paddle_optimizers import (
    OptimizerSpec,
    check_adam_hyperparameters,
    check_rmsprop_hyperparameters,
    f32,
    paddle_clip_grad_by_global_norm_,
)
from lrparity.recipes.ppdet.schedules import PpdetWarning, build, config_data

if TYPE_CHECKING:  # pragma: no cover - typing only
    import torch

__all__ = [
    "BUILDER_DEFAULTS",
    "OPTIMIZER_KWARGS",
    "ParamGroup",
    "PpdetOptimizer",
    "TorchSetup",
    "build_torch_optimizer",
    "optimizer_spec",
    "torch_optimizer",
]

BUILDER_DEFAULTS: Mapping[str, Any] = {
    "clip_grad_by_norm": None,
    "clip_grad_by_value": None,
    "regularizer": {"type": "L2", "factor": 0.0001},
    "optimizer": {"type": "Momentum", "momentum": 0.9},
}
"""``OptimizerBuilder``'s defaults (PaddleDetection 2.6.0)."""

OPTIMIZER_KWARGS: Mapping[str, Mapping[str, Any]] = {
    "Momentum": {"momentum": 0.9, "use_nesterov": False, "multi_precision": False, "rescale_grad": 1.0,
                 "use_multi_tensor": False, "name": None},
    "SGD": {"multi_precision": False, "name": None},
    "Adam": {"beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8, "lazy_mode": False, "multi_precision": False,
             "use_multi_tensor": False, "amsgrad": False, "name": None},
    "AdamW": {"beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8, "weight_decay": 0.01, "use_lowprecision_moment": False,
              "lazy_mode": False, "multi_precision": False, "amsgrad": False, "name": None},
    "RMSProp": {"rho": 0.95, "epsilon": 1e-6, "momentum": 0.0, "centered": False, "name": None},
    "Adadelta": {"epsilon": 1e-6, "rho": 0.95, "name": None},
}  # fmt: skip
"""The keyword arguments (besides ``learning_rate``, ``parameters``, ``weight_decay``, ``grad_clip``) of each paddle
optimizer lrparity translates, with paddle 3.3's defaults; an ``optimizer`` key outside these is refused."""

_NO_EFFECT = {"name", "multi_precision", "lazy_mode", "use_multi_tensor", "use_lowprecision_moment"}
# same update for dense float32 parameters: a name prefix, fp16 master weights, sparse gradients, a fused kernel
_UNSUPPORTED = {"rescale_grad": 1.0, "amsgrad": False}
_OTHER_PADDLE = ("Adagrad", "Adamax", "Lamb", "NAdam", "RAdam", "ASGD", "Rprop", "LBFGS")
_GROUP_OPTIONS = ("learning_rate", "weight_decay")


@dataclass(frozen=True)
class ParamGroup:
    """One entry of ``optimizer.param_groups``: the name substrings it gathers and its options.

    Attributes:
        patterns: a parameter belongs to the group when one of them is a substring of its name.
        lr_scale: the group's ``learning_rate`` (a multiplier of the scheduled lr; 1.0 when absent).
        weight_decay: the group's ``weight_decay`` (None: the optimizer's regularization applies).
    """

    patterns: tuple[str, ...]
    lr_scale: float = 1.0
    weight_decay: float | None = None


@dataclass(frozen=True)
class PpdetOptimizer:
    """What PaddleDetection's ``OptimizerBuilder`` builds, without any framework.

    Attributes:
        spec: the paddle optimizer (type, hyper-parameters, regularization, global-norm clip).
        clip_value: ``clip_grad_by_value``'s bound ``|v|`` (None: no value clip).
        param_groups: the ``param_groups`` entries (None: one group of every trainable parameter).
        warnings: ignored keys and silent defaults, one sentence each.
    """

    spec: OptimizerSpec
    clip_value: float | None = None
    param_groups: tuple[ParamGroup, ...] | None = None
    warnings: tuple[str, ...] = ()


class TorchSetup(NamedTuple):
    """What :func:`torch_optimizer` returns.

    Attributes:
        optimizer: the torch optimizer.
        scheduler: lrparity's torch scheduler of the config's ``LearningRate``; step it once per iteration, after
            ``optimizer.step()`` (PaddleDetection's order).
        pre_step: None, or a callable to call after ``loss.backward()`` and before ``optimizer.step()`` (paddle's
            gradient clip, then coupled L1).
    """

    optimizer: Any
    scheduler: Any
    pre_step: Callable[[], None] | None


# -- reading --------------------------------------------------------------------------------------------------------
def _number(where: str, value: Any, *, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        hint = " (YAML 1.1 reads 1e-4 without a dot as a string: write 1.0e-4)" if isinstance(value, str) else ""
        raise TypeError(f"OptimizerBuilder: {where} = {value!r} ({type(value).__name__}) must be a number{hint}")
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        raise ValueError(f"OptimizerBuilder: {where} = {value!r} must be {'> 0' if positive else '>= 0'} and finite")
    return float(value)


def _flag(where: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"OptimizerBuilder: {where} = {value!r} must be true or false")
    return value


def _section(config: str | os.PathLike[str] | Mapping[str, Any]) -> tuple[dict[str, Any], set[str], list[str]]:
    """The ``OptimizerBuilder`` section (defaults filled in), the keys it gives, and notes about silent defaults."""
    notes: list[str] = []
    data = {"OptimizerBuilder": config} if _is_section(config) else config_data(config, notes)
    raw = data.get("OptimizerBuilder")
    if raw is None:
        notes.append(
            "no OptimizerBuilder section: PaddleDetection's defaults, Momentum(momentum=0.9) with L2Decay(0.0001)"
        )
        raw = {}
    if not isinstance(raw, Mapping):
        raise TypeError(f"OptimizerBuilder = {raw!r} must be a mapping")
    for key in raw:
        if key not in BUILDER_DEFAULTS:
            raise ValueError(
                f"OptimizerBuilder: unknown key {key!r}: PaddleDetection's OptimizerBuilder() raises TypeError; valid "
                f"keys: {sorted(BUILDER_DEFAULTS)}"
            )
    section = {**BUILDER_DEFAULTS, **raw}
    if "optimizer" not in raw:
        notes.append("OptimizerBuilder.optimizer not given: PaddleDetection's default Momentum(momentum=0.9)")
    return section, set(raw), notes


def _is_section(config: Any) -> bool:
    """Whether ``config`` is an ``OptimizerBuilder`` section itself rather than a whole config."""
    return isinstance(config, Mapping) and "LearningRate" not in config and any(k in config for k in BUILDER_DEFAULTS)


def _regularizer(raw: Any) -> tuple[str, float] | None:
    if not raw or raw == "None":  # PaddleDetection: `if self.regularizer and self.regularizer != 'None'`
        return None
    if not isinstance(raw, Mapping) or "type" not in raw or "factor" not in raw:
        raise ValueError(
            f"OptimizerBuilder.regularizer = {raw!r} must be {{type: L2|L1, factor: f}} (PaddleDetection reads both "
            "keys and fails with KeyError), or null/false for none"
        )
    extra = sorted(set(raw) - {"type", "factor"})
    if extra:
        raise ValueError(f"OptimizerBuilder.regularizer: unknown keys {extra} (PaddleDetection reads type and factor)")
    kind = raw["type"]
    if kind not in ("L1", "L2"):
        raise ValueError(
            f"OptimizerBuilder.regularizer.type = {kind!r} must be 'L1' or 'L2' (PaddleDetection looks up "
            f"paddle.regularizer.{kind}Decay and fails with AttributeError)"
        )
    return kind, _number("regularizer.factor", raw["factor"])


def _groups(raw: Any, name: str) -> tuple[ParamGroup, ...]:
    if not isinstance(raw, list):
        raise ValueError(f"OptimizerBuilder.optimizer.param_groups = {raw!r} must be a list (PaddleDetection asserts)")
    out = []
    for i, group in enumerate(raw):
        where = f"optimizer.param_groups[{i}]"
        if not isinstance(group, Mapping) or not isinstance(group.get("params"), list):
            raise ValueError(
                f"OptimizerBuilder.{where} = {group!r} must be a mapping with a 'params' list (PaddleDetection asserts)"
            )
        patterns = group["params"]
        if not all(isinstance(p, str) for p in patterns):
            raise TypeError(f"OptimizerBuilder.{where}.params = {patterns!r} must be a list of name substrings")
        extra = sorted(set(group) - {"params", *_GROUP_OPTIONS})
        if extra:
            raise ValueError(
                f"OptimizerBuilder.{where}: options {extra} are not translated by lrparity (supported: "
                f"{list(_GROUP_OPTIONS)})"
            )
        scale = _number(f"{where}.learning_rate", group.get("learning_rate", 1.0))
        decay = group.get("weight_decay")
        if decay is not None:
            decay = _number(f"{where}.weight_decay", decay)
        out.append(ParamGroup(tuple(patterns), scale, decay))
    return tuple(out)


def optimizer_spec(config: str | os.PathLike[str] | Mapping[str, Any]) -> PpdetOptimizer:
    """The optimizer PaddleDetection's ``OptimizerBuilder`` builds for ``config``, without any framework.

    Args:
        config: a PaddleDetection config (path, ``_BASE_`` resolved, or mapping) or its ``OptimizerBuilder`` section.

    Raises:
        ValueError: a section PaddleDetection cannot build, or one lrparity does not translate (``AdamWDL``, paddle's
            other optimizers, ``rescale_grad``, ``amsgrad``), naming the key.
        TypeError: a value of the wrong type, naming the key.
    """
    section, given, notes = _section(config)
    opt = section["optimizer"]
    if not isinstance(opt, Mapping) or "type" not in opt:
        raise ValueError(
            f"OptimizerBuilder.optimizer = {opt!r} must be a mapping with a 'type' (PaddleDetection reads it)"
        )
    name = opt["type"]
    if name == "AdamWDL":
        raise ValueError(
            "OptimizerBuilder.optimizer.type = 'AdamWDL' (AdamW with layer-wise lr decay by the ViT block index of "
            "each parameter) is not translated by lrparity; its learning-rate schedule is "
            "(lrparity.recipes.ppdet.schedule)"
        )
    if name not in OPTIMIZER_KWARGS:
        known = "a paddle optimizer lrparity does not translate" if name in _OTHER_PADDLE else "no paddle optimizer"
        raise ValueError(f"OptimizerBuilder.optimizer.type = {name!r} is {known}; translated: {list(OPTIMIZER_KWARGS)}")
    args = {k: v for k, v in opt.items() if k not in ("type", "param_groups")}
    allowed = OPTIMIZER_KWARGS[name]
    for key in args:
        if key not in allowed and not (key == "weight_decay" and name != "AdamW"):
            raise ValueError(
                f"OptimizerBuilder.optimizer: {name}() has no argument {key!r} (paddle raises TypeError); valid: "
                f"{sorted(allowed)}"
            )
    for key, neutral in _UNSUPPORTED.items():
        if key in args and args[key] != neutral:
            raise ValueError(f"OptimizerBuilder.optimizer.{key} = {args[key]!r} is not translated by lrparity")
    kw = {**allowed, **args}
    reg = _regularizer(section["regularizer"])
    fields: dict[str, Any] = {"name": name}
    if name == "AdamW":
        fields["adamw_weight_decay"] = _number("optimizer.weight_decay", kw["weight_decay"])
        fields["weight_decay_origin"] = "AdamW weight_decay"
        if reg is not None and "regularizer" in given:
            notes.append(
                f"OptimizerBuilder.regularizer ({reg[0]}Decay({reg[1]!r})) is ignored: PaddleDetection passes no "
                "regularizer to AdamW, whose decay is optimizer.weight_decay"
            )
    else:
        if "weight_decay" in args:
            notes.append(
                f"OptimizerBuilder.optimizer.weight_decay = {args['weight_decay']!r} is ignored: PaddleDetection "
                "overwrites it with the regularizer"
            )
        if "regularizer" not in given:
            notes.append("OptimizerBuilder.regularizer not given: PaddleDetection's default L2Decay(0.0001) applies")
        if reg is not None:
            fields["l1_coupled" if reg[0] == "L1" else "l2_coupled"] = reg[1]
            fields["weight_decay_origin"] = f"regularizer {reg[0]}"
    if name in ("Adam", "AdamW"):
        for key in ("beta1", "beta2", "epsilon"):
            fields[key] = _number(f"optimizer.{key}", kw[key])
        check_adam_hyperparameters(name, fields["beta1"], fields["beta2"], fields["epsilon"])
    if name in ("Momentum", "RMSProp"):
        fields["momentum"] = _number("optimizer.momentum", kw["momentum"])
    if name == "Momentum":
        fields["use_nesterov"] = _flag("optimizer.use_nesterov", kw["use_nesterov"])
    if name in ("RMSProp", "Adadelta"):
        fields["rho"] = _number("optimizer.rho", kw["rho"])
        fields["epsilon"] = _number("optimizer.epsilon", kw["epsilon"])
    if name == "RMSProp":
        fields["centered"] = _flag("optimizer.centered", kw["centered"])
        check_rmsprop_hyperparameters(fields["momentum"], fields["rho"], fields["epsilon"])
    for key in _NO_EFFECT & set(allowed):
        if key == "name":
            continue
        value = _flag(f"optimizer.{key}", kw[key])
        if key in ("multi_precision", "lazy_mode", "use_multi_tensor"):
            fields[key] = value
    clip_norm, clip_value = section["clip_grad_by_norm"], section["clip_grad_by_value"]
    value_bound = None
    if clip_norm is not None:
        fields["clip_norm_global"] = _number("clip_grad_by_norm", clip_norm, positive=True)
        if clip_value is not None:
            notes.append(f"OptimizerBuilder.clip_grad_by_value = {clip_value!r} is ignored: clip_grad_by_norm wins")
    elif clip_value is not None:
        if isinstance(clip_value, bool) or not isinstance(clip_value, numbers.Real):
            raise TypeError(f"OptimizerBuilder: clip_grad_by_value = {clip_value!r} must be a number")
        value_bound = _number("clip_grad_by_value", abs(clip_value), positive=True)
    groups = _groups(opt["param_groups"], name) if "param_groups" in opt else None
    fields["warnings"] = tuple(notes)
    return PpdetOptimizer(OptimizerSpec(**fields), value_bound, groups, tuple(notes))


# -- torch ----------------------------------------------------------------------------------------------------------
def _param_groups(built: PpdetOptimizer, model: Any) -> list[dict[str, Any]] | None:
    """PaddleDetection's groups over the torch model's named parameters (``None``: one plain group)."""
    import torch

    if built.param_groups is None:
        return None
    if not isinstance(model, torch.nn.Module):
        raise TypeError("OptimizerBuilder.optimizer.param_groups matches parameter names: pass the torch nn.Module")
    named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    spec = built.spec
    groups, visited = [], set()
    for group in built.param_groups:
        params = {n: p for n, p in named if any(k in n for k in group.patterns)}  # 2.6.0: substrings
        entry: dict[str, Any] = {"params": list(params.values()), "lr_scale": group.lr_scale}
        if group.weight_decay is not None:
            # paddle: a float group weight_decay is AdamW's decoupled coefficient; for Momentum an L2 fused into the
            # kernel, on top of the optimizer's L1 (applied to every parameter without a regularizer of its own);
            # for the others L2Decay(w) on the group's parameters in place of the optimizer's regularizer (no L1)
            entry["weight_decay"] = group.weight_decay if spec.name == "AdamW" else f32(group.weight_decay)
            entry["no_decay"] = spec.name not in ("AdamW", "Momentum")
        groups.append(entry)
        visited.update(params)
    rest = [p for n, p in named if n not in visited]
    if len(rest) < len(list(model.parameters())):  # PaddleDetection compares with every parameter, frozen included
        groups.append({"params": rest, "lr_scale": 1.0})
    return groups


def _value_clip(params: list[torch.Tensor], bound: float) -> Callable[[], None]:
    def clip() -> None:
        """paddle's ``ClipGradByValue(-bound, bound)``: clamp each gradient element."""
        import torch

        with torch.no_grad():
            for p in params:
                if p.grad is not None:
                    p.grad.clamp_(-bound, bound)

    return clip


def _group_global_clip(optimizer: Any, clip_norm: float) -> Callable[[], None]:
    def clip() -> None:
        """paddle's ``ClipGradByGlobalNorm`` with param groups: the global norm of each group on its own."""
        for group in optimizer.param_groups:
            paddle_clip_grad_by_global_norm_(group["params"], clip_norm)

    return clip


def build_torch_optimizer(
    built: PpdetOptimizer, model_or_params: Any, lr: float
) -> tuple[torch.optim.Optimizer, Callable[[], None] | None]:
    """The torch optimizer for ``built`` (see :func:`lrparity.paddle_optimizers.build_torch_optimizer`), at lr
    ``lr``, with PaddleDetection's param groups (each carries ``lr_scale``) and value clip; and the pre-step hook
    (paddle's order: the clip, then coupled L1).

    With param groups, paddle clips each group on its own: ``clip_grad_by_norm`` is then the global norm of each
    group's gradients, not of all of them.
    """
    from lrparity.paddle_optimizers import build_torch_optimizer as shared
    from lrparity.paddle_optimizers import torch_named_params

    groups = _param_groups(built, model_or_params)
    spec = built.spec
    per_group_clip = groups is not None and spec.clip_norm_global is not None
    if per_group_clip:
        spec = dataclasses.replace(spec, clip_norm_global=None)
    optimizer, pre_step = shared(spec, model_or_params, lr, param_groups=groups)
    clip: Callable[[], None] | None = None
    if per_group_clip:
        clip = _group_global_clip(optimizer, float(built.spec.clip_norm_global))  # type: ignore[arg-type]
    elif built.clip_value is not None:
        clip = _value_clip([p for _, p in torch_named_params(model_or_params)], built.clip_value)
    if clip is None or pre_step is None:
        return optimizer, clip or pre_step
    after = pre_step

    def clip_then_decay() -> None:
        """paddle's order: the clip, then coupled L1."""
        clip()
        after()

    return optimizer, clip_then_decay


def torch_optimizer(
    config: str | os.PathLike[str] | Mapping[str, Any], model_or_params: Any, *, steps_per_epoch: int
) -> TorchSetup:
    """The torch optimizer and lr scheduler that reproduce PaddleDetection's update for ``config``.

    Training loop (PaddleDetection's order)::

        opt, sched, pre_step = ppdet.torch_optimizer("configs/x.yml", model, steps_per_epoch=len(loader))
        for epoch in range(cfg["epoch"]):
            for batch in loader:
                loss = ...; loss.backward()
                if pre_step: pre_step()                      # paddle's clip, then coupled L1
                opt.step(); sched.step(); opt.zero_grad()    # one scheduler step per iteration

    Args:
        config: a PaddleDetection config (path with ``_BASE_`` resolved, or mapping) with ``epoch``, ``LearningRate``
            and (optionally) ``OptimizerBuilder``.
        model_or_params: the torch ``nn.Module`` (needed for ``param_groups``, matched on parameter names), or
            ``(name, param)`` pairs, or parameters.
        steps_per_epoch: ``len(train_loader)``; int >= 1.

    Returns:
        :class:`TorchSetup` ``(optimizer, scheduler, pre_step)``. Warnings (:class:`PpdetWarning`) are emitted for
        ignored keys and silent defaults of both sections.

    Raises:
        ValueError, TypeError: as :func:`lrparity.recipes.ppdet.schedule` and :func:`optimizer_spec`.
        ImportError: torch is not installed.
    """
    import lrparity

    lr_build = build(config, steps_per_epoch)
    built = optimizer_spec(config)
    for message in dict.fromkeys((*lr_build.warnings, *built.warnings)):  # a duplicate key is reported by both
        warnings.warn(message, PpdetWarning, stacklevel=2)
    schedule: Schedule = lr_build.schedule
    optimizer, pre_step = build_torch_optimizer(built, model_or_params, schedule.value(0))
    scales = [float(g.get("lr_scale", 1.0)) for g in optimizer.param_groups]
    if any(s != 1.0 for s in scales):
        schedule = PerGroup(tuple(schedule if s == 1.0 else Chain((schedule, Constant(factor=s))) for s in scales))
    return TorchSetup(optimizer, lrparity.torch_scheduler(schedule, optimizer), pre_step)
