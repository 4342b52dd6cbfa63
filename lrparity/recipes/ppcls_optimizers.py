"""PaddleClas ``Optimizer`` blocks (``ppcls/optimizer/__init__.py`` and ``optimizer.py``) as an
:class:`~lrparity.paddle_optimizers.OptimizerSpec`, which :mod:`lrparity.paddle_optimizers` builds in torch and paddle.

Rules (PaddleClas develop d178931, paddle 3.3.1):

- ``regularizer: {name: N, **kw}`` (unless null) becomes ``getattr(paddle.regularizer, N + "Decay")(**kw)``: ``L1`` or
  ``L2`` with the key ``coeff`` (``L2Decay`` as a name fails: ``L2DecayDecay``); it replaces a ``weight_decay`` key
  (with a warning in PaddleClas's log, here a :class:`~lrparity.recipes.ppcls.PpclsWarning`). Without a
  regularizer, ``weight_decay`` is passed raw.
- ``clip_norm`` becomes ``paddle.nn.ClipGradByNorm`` (each gradient tensor clipped on its own).
- The wrapper class ``name`` (``SGD``, ``Momentum``, ``Adam``, ``RMSProp``, ``AdamW``) gets every other key; all but
  ``AdamW`` have no ``**kwargs`` (an unknown key is a TypeError), ``AdamW`` swallows them (a warning here, e.g. the
  common ``clip_grad``). ``AdamWDL`` (layer-wise lr decay) is not translated.
- ``Momentum`` (default ``multi_precision=True``, then rebuilt with ``use_multi_tensor=True``) and ``RMSProp`` leave
  parameters whose structured name contains a ``no_weight_decay_name`` substring, or 1-D ones with
  ``one_dim_param_no_weight_decay``, out of the decay through a ``weight_decay=0.0`` param group; ``Momentum`` only
  when ``no_weight_decay_name`` is set (``one_dim_param_no_weight_decay`` alone is ignored). ``AdamW`` excludes them
  by tensor name (``apply_decay_param_fun``); its ``weight_decay`` is required (Paddle's AdamW refuses ``None`` and a
  regularizer object).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping
from typing import Any

from lrparity.paddle_optimizers import OptimizerSpec, check_adam_hyperparameters, check_rmsprop_hyperparameters

__all__ = ["OPTIMIZER_NAMES", "parse_optimizer"]

#: The wrapper classes of PaddleClas's ``ppcls/optimizer/optimizer.py`` lrparity translates.
OPTIMIZER_NAMES: tuple[str, ...] = ("SGD", "Momentum", "Adam", "RMSProp", "AdamW")

# Each wrapper's keyword arguments besides learning_rate, weight_decay and grad_clip (build_optimizer passes those).
_KEYS: dict[str, dict[str, Any]] = {
    "SGD": {"multi_precision": False, "name": None},
    "Momentum": {
        "momentum": None,
        "use_nesterov": False,
        "multi_precision": True,
        "no_weight_decay_name": None,
        "one_dim_param_no_weight_decay": False,
    },
    "Adam": {
        "beta1": 0.9,
        "beta2": 0.999,
        "epsilon": 1e-08,
        "parameter_list": None,
        "name": None,
        "lazy_mode": False,
        "multi_precision": False,
    },
    "RMSProp": {
        "momentum": 0.0,
        "rho": 0.95,
        "epsilon": 1e-6,
        "multi_precision": False,
        "no_weight_decay_name": None,
        "one_dim_param_no_weight_decay": False,
    },
    "AdamW": {
        "beta1": 0.9,
        "beta2": 0.999,
        "epsilon": 1e-8,
        "multi_precision": False,
        "no_weight_decay_name": None,
        "one_dim_param_no_weight_decay": False,
    },
}


def _fail(name: str, message: str) -> ValueError:
    return ValueError(f"PaddleClas {name} optimizer: {message}")


def _number(name: str, key: str, value: Any, *, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or value != value or abs(value) == float("inf"):
        raise _fail(name, f"{key} = {value!r} ({type(value).__name__}) must be a finite number (Paddle needs one)")
    if value < 0 or (positive and value == 0):
        raise _fail(name, f"{key} = {value!r} must be {'> 0' if positive else '>= 0'}")
    return float(value)


def _flag(name: str, key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise _fail(name, f"{key} = {value!r} must be true or false (PaddleClas tests its truth value)")
    return value


def _regularizer(name: str, cfg: dict[str, Any], warns: list[str]) -> tuple[str, float] | None:
    """Step 2 of ``build_optimizer``: ``("L1" | "L2", coeff)`` from ``regularizer`` (which replaces a
    ``weight_decay`` key), or ``("L2", weight_decay)`` from the raw key, or None."""
    reg = cfg.pop("regularizer", None)
    if reg is None:
        raw = cfg.pop("weight_decay", None)
        return None if raw is None else ("L2", _number(name, "weight_decay", raw))
    if "weight_decay" in cfg:
        warns.append(
            f"weight_decay = {cfg.pop('weight_decay')!r} is ignored: PaddleClas uses the regularizer when both are "
            "set ('Only one of regularizer and weight_decay can be set')"
        )
    if not isinstance(reg, Mapping) or "name" not in reg:
        raise _fail(name, f"regularizer = {reg!r} must be a mapping with a name (PaddleClas pops 'name': KeyError)")
    kind = reg["name"]
    if kind not in ("L1", "L2"):
        raise _fail(
            name,
            f"regularizer name {kind!r}: PaddleClas looks up paddle.regularizer.{kind}Decay, which does not exist "
            "(AttributeError); write L1 or L2",
        )
    extra = sorted(set(reg) - {"name", "coeff"}, key=str)
    if extra:
        raise _fail(name, f"regularizer keys {extra}: paddle.regularizer.{kind}Decay(coeff=0.0) raises TypeError")
    return kind, _number(name, "regularizer coeff", reg.get("coeff", 0.0))


def _bind(name: str, cfg: dict[str, Any], warns: list[str]) -> dict[str, Any]:
    keys = _KEYS[name]
    for dup in ("learning_rate", "grad_clip"):
        if dup in cfg:
            raise _fail(name, f"key {dup!r}: build_optimizer passes {dup}= itself (TypeError: multiple values)")
    unknown = sorted((k for k in cfg if k not in keys), key=str)
    if unknown and name != "AdamW":
        raise _fail(name, f"unexpected key(s) {unknown}: PaddleClas's {name}() has no **kwargs (TypeError)")
    for key in unknown:
        hint = "; PaddleClas clips only with clip_norm" if key == "clip_grad" else ""
        warns.append(f"key {key!r} = {cfg[key]!r} is ignored: PaddleClas's AdamW swallows it (**args){hint}")
    return {**keys, **{k: v for k, v in cfg.items() if k in keys}}


def _names(name: str, args: Mapping[str, Any]) -> tuple[str, ...]:
    raw = args.get("no_weight_decay_name")
    if not raw:
        return ()
    if not isinstance(raw, str):
        raise _fail(name, f"no_weight_decay_name = {raw!r} must be a space separated string (PaddleClas splits it)")
    return tuple(raw.split())


def _sgd(args: dict[str, Any], warns: list[str]) -> dict[str, Any]:
    return {"multi_precision": _flag("SGD", "multi_precision", args["multi_precision"])}


def _momentum(args: dict[str, Any], warns: list[str]) -> dict[str, Any]:
    if args["momentum"] is None:
        raise _fail("Momentum", "momentum is required (PaddleClas's Momentum(learning_rate, momentum) has no default)")
    names = _names("Momentum", args)
    one_dim = _flag("Momentum", "one_dim_param_no_weight_decay", args["one_dim_param_no_weight_decay"])
    if one_dim and not names:
        warns.append(
            "one_dim_param_no_weight_decay is ignored: PaddleClas's Momentum splits the parameters only when "
            "no_weight_decay_name is set"
        )
        one_dim = False
    return {
        "momentum": _number("Momentum", "momentum", args["momentum"]),
        "use_nesterov": _flag("Momentum", "use_nesterov", args["use_nesterov"]),
        "multi_precision": _flag("Momentum", "multi_precision", args["multi_precision"]),
        "use_multi_tensor": True,
        "no_weight_decay_name": names,
        "one_dim_param_no_weight_decay": one_dim,
    }


def _adam(name: str, args: dict[str, Any], warns: list[str]) -> dict[str, Any]:
    fields = {k: _number(name, k, args[k]) for k in ("beta1", "beta2", "epsilon")}
    check_adam_hyperparameters(name, fields["beta1"], fields["beta2"], fields["epsilon"])
    fields["multi_precision"] = _flag(name, "multi_precision", args["multi_precision"])
    if name == "Adam":
        fields["lazy_mode"] = _flag(name, "lazy_mode", args["lazy_mode"])
        if args["parameter_list"] is not None:
            warns.append("key 'parameter_list' is ignored: PaddleClas's Adam stores it and never uses it")
    else:
        fields["no_weight_decay_name"] = _names(name, args)
        fields["one_dim_param_no_weight_decay"] = _flag(
            name, "one_dim_param_no_weight_decay", args["one_dim_param_no_weight_decay"]
        )
    return fields


def _rmsprop(args: dict[str, Any], warns: list[str]) -> dict[str, Any]:
    fields = {k: _number("RMSProp", k, args[k]) for k in ("momentum", "rho", "epsilon")}
    check_rmsprop_hyperparameters(fields["momentum"], fields["rho"], fields["epsilon"])
    if args["multi_precision"]:
        warns.append("multi_precision is ignored: PaddleClas's RMSProp never passes it to Paddle")
    fields["no_weight_decay_name"] = _names("RMSProp", args)
    fields["one_dim_param_no_weight_decay"] = _flag(
        "RMSProp", "one_dim_param_no_weight_decay", args["one_dim_param_no_weight_decay"]
    )
    return fields


_CLASSES: dict[str, Callable[[dict[str, Any], list[str]], dict[str, Any]]] = {
    "SGD": _sgd,
    "Momentum": _momentum,
    "Adam": lambda args, warns: _adam("Adam", args, warns),
    "RMSProp": _rmsprop,
    "AdamW": lambda args, warns: _adam("AdamW", args, warns),
}


def _decay_fields(name: str, reg: tuple[str, float] | None, from_regularizer: bool) -> dict[str, Any]:
    if name == "AdamW":
        if reg is None or from_regularizer:
            got = "no weight_decay" if reg is None else "a regularizer (a paddle.regularizer object)"
            raise _fail(
                name,
                f"{got}: PaddleClas passes weight_decay={'None' if reg is None else reg[0] + 'Decay(...)'} to "
                "paddle's AdamW, which raises TypeError ('weight_decay should be int, float or Tensor'); set the "
                "weight_decay key",
            )
        return {"adamw_weight_decay": reg[1], "weight_decay_origin": "weight_decay key"}
    if reg is None:
        return {}
    origin = f"regularizer {reg[0]}" if from_regularizer else "weight_decay key"
    return {("l1_coupled" if reg[0] == "L1" else "l2_coupled"): reg[1], "weight_decay_origin": origin}


def parse_optimizer(name: str, block: Mapping[str, Any]) -> OptimizerSpec:
    """The Paddle optimizer PaddleClas builds from one optimizer block (``lr`` and ``scope`` are not looked at).

    Args:
        name: the wrapper class (the block's ``name``, or the key of a list-form entry).
        block: the other keys.

    Raises:
        ValueError: a block PaddleClas cannot build, or ``AdamWDL`` (not translated), naming the key.
    """
    if name == "AdamWDL":
        raise _fail(
            name,
            "AdamWDL (layer-wise lr decay by the model's block index and get_num_layers()) is not translated by "
            "lrparity; its learning-rate schedule is (lrparity.recipes.ppcls.schedule)",
        )
    if name not in OPTIMIZER_NAMES:
        raise ValueError(
            f"PaddleClas optimizer name {name!r} does not exist in ppcls/optimizer/optimizer.py (AttributeError); "
            f"valid: {list(OPTIMIZER_NAMES)} (and AdamWDL, not translated)"
        )
    if not isinstance(block, Mapping):
        raise TypeError(f"an optimizer block must be a mapping, got {type(block).__name__}")
    cfg = {k: v for k, v in block.items() if k not in ("lr", "scope", "name")}
    warns: list[str] = []
    from_regularizer = cfg.get("regularizer") is not None
    reg = _regularizer(name, cfg, warns)
    clip = cfg.pop("clip_norm", None)
    args = _bind(name, cfg, warns)
    fields: dict[str, Any] = {"name": name, **_CLASSES[name](args, warns), **_decay_fields(name, reg, from_regularizer)}
    if clip is not None:
        fields["clip_norm"] = _number(name, "clip_norm", clip, positive=True)
    fields["ignored_keys"] = tuple(sorted((str(k) for k in cfg if k not in _KEYS[name]), key=str))
    fields["warnings"] = tuple(warns)
    return OptimizerSpec(**fields)
