"""PaddleOCR ``Optimizer:`` blocks: parse them, and build the same optimizer in PaddlePaddle and in PyTorch.

PaddleOCR (``ppocr/optimizer/__init__.py`` ``build_optimizer``) turns an ``Optimizer`` YAML block into a
Paddle optimizer in three steps. This module reproduces each step and documents the rules it follows:

1. **Learning rate.** The ``lr`` sub-block is handled elsewhere in lrparity; this module ignores the ``lr``
   key.
2. **Regularizer.** ``regularizer: {name: N, factor: x}`` is looked up in ``ppocr/optimizer/regularizer.py``
   under ``N``, and under ``N + "Decay"`` when ``N`` itself does not exist there. So ``L2``/``L2Decay`` and
   ``L1``/``L1Decay`` build; anything else (``name: Const``) makes PaddleOCR fail with
   ``AttributeError: ... has no attribute 'ConstDecay'``. ``L2Decay`` returns the plain float
   ``float(factor)`` (YAML strings such as ``"1e-6"`` therefore work, ``"5.0-05"`` fails); ``L1Decay`` returns
   ``paddle.regularizer.L1Decay(factor)``. Only when there is no regularizer section (or it is ``null``) is a
   ``weight_decay`` key popped and used, raw, in its place. A ``weight_decay`` key *next to* a regularizer is
   passed to the optimizer class a second time and PaddleOCR fails with ``TypeError``.
3. **Gradient clipping and optimizer.** ``clip_norm`` becomes ``paddle.nn.ClipGradByNorm`` (each gradient
   tensor clipped on its own); only if ``clip_norm`` is absent does ``clip_norm_global`` become
   ``paddle.nn.ClipGradByGlobalNorm``. The optimizer wrapper class named by ``name`` (Adam, AdamW, Momentum,
   Adadelta, RMSProp; PaddleOCR has no SGD) receives every remaining key; each wrapper swallows unknown keys
   through ``**kwargs``, so misspelled or foreign keys are silently ignored. :func:`parse_optimizer_block`
   lists them in :attr:`OptimizerSpec.warnings`.

Regularization semantics in Paddle: a float ``weight_decay`` on Adam, Momentum, Adadelta and RMSProp is
*coupled* L2 (``coeff * param`` is added to the already clipped gradient), which is torch's ``weight_decay``
on ``Adam``/``SGD``/``Adadelta``. On AdamW the coefficient is *decoupled* (torch ``AdamW``) and is the
``weight_decay`` key, else the L2 ``factor``, else 0.01.

The framework half (the torch optimizer with Paddle's update rule, Paddle's clips, ``PaddleRMSProp``) is shared by
every Paddle suite and lives in :mod:`lrparity.paddle_optimizers`; this module is PaddleOCR's parser and its VisionLAN
parameter split, and re-exports the shared names it always had. torch and paddle are imported lazily, inside the
functions that need them: importing this module imports neither.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from lrparity.core.validation import check_nesting
from lrparity.paddle_optimizers import (
    OptimizerSpec,
    check_adam_hyperparameters,
    check_rmsprop_hyperparameters,
    paddle_clip_grad_by_global_norm_,
    paddle_clip_grad_by_norm_,
    paddle_rmsprop_class,
    raw_number,
)
from lrparity.paddle_optimizers import build_paddle_optimizer as _build_paddle
from lrparity.paddle_optimizers import build_torch_optimizer as _build_torch
from lrparity.paddle_optimizers.params import torch_named_params
from lrparity.paddle_optimizers.rounding import f32 as _f32
from lrparity.paddle_optimizers.spec import adamw_coeff as _adamw_coeff

if TYPE_CHECKING:  # pragma: no cover - typing only
    import torch

__all__ = [
    "VALID_OPTIMIZER_NAMES",
    "OptimizerSpec",
    "PaddleRMSProp",  # noqa: F822 - created lazily by the module ``__getattr__`` (it needs torch)
    "build_paddle_optimizer",
    "build_torch_optimizer",
    "paddle_clip_grad_by_global_norm_",
    "paddle_clip_grad_by_norm_",
    "parse_optimizer_block",
]

# ``_f32`` and ``_adamw_coeff`` are imported by ``lrparity.ppocr.cli`` under these names.
_ = (_f32, _adamw_coeff)

#: Optimizer wrapper classes defined in PaddleOCR's ``ppocr/optimizer/optimizer.py``.
VALID_OPTIMIZER_NAMES: tuple[str, ...] = ("Adam", "AdamW", "Momentum", "Adadelta", "RMSProp")

# Keys ``build_optimizer`` itself pops (``weight_decay`` only without a regularizer, ``clip_norm_global`` only
# without ``clip_norm``; both cases are handled explicitly).
_BUILDER_KEYS = frozenset({"name", "lr", "regularizer"})

# Keys each PaddleOCR wrapper class consumes (its named __init__ arguments plus ``kwargs.get`` look-ups).
_CLASS_KEYS: dict[str, frozenset[str]] = {
    "Adam": frozenset(
        {"beta1", "beta2", "epsilon", "parameter_list", "lazy_mode", "group_lr", "training_step"},
    ),
    "AdamW": frozenset(
        {
            "beta1",
            "beta2",
            "epsilon",
            "multi_precision",
            "no_weight_decay_name",
            "one_dim_param_no_weight_decay",
            "lazy_mode",
        }
    ),
    "Momentum": frozenset({"momentum"}),
    "Adadelta": frozenset({"epsilon", "rho", "parameter_list"}),
    "RMSProp": frozenset({"momentum", "rho", "epsilon"}),
}

# Keyword arguments ``build_optimizer`` always passes itself; a YAML key of the same name is a duplicate
# keyword.
_DUPLICATE_KWARGS = ("learning_rate", "grad_clip")

_ALL_KNOWN_KEYS = sorted(
    set().union(*_CLASS_KEYS.values()) | _BUILDER_KEYS | {"weight_decay", "clip_norm", "clip_norm_global"}
)

_SUITE = "PaddleOCR"


# ----------------------------------------------------------------------------------------------------
# Parsing
# ----------------------------------------------------------------------------------------------------


def _number(value: Any, what: str) -> float:
    """A YAML number passed raw to Paddle: int or float (not bool, not a string)."""
    return raw_number(value, what, _SUITE)


def _float_like_paddleocr(value: Any, what: str) -> float:
    """``float(value)`` as PaddleOCR's ``L2Decay`` does, with a clear error when that fails."""
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"{what} = {value!r} is not a number: PaddleOCR's L2Decay calls float({value!r}), which raises "
            f"{type(exc).__name__} ({exc}), so PaddleOCR fails to build this optimizer"
        ) from exc


def _parse_regularizer(reg: Any) -> tuple[str, float]:
    """Return ``("L1"|"L2", factor)`` for a regularizer mapping; ValueError where PaddleOCR fails."""
    if not isinstance(reg, Mapping):
        raise ValueError(f"regularizer must be a mapping with 'name' and 'factor', got {reg!r}")
    reg = dict(reg)
    if "name" not in reg:
        raise ValueError("regularizer has no 'name': PaddleOCR fails with KeyError 'name'")
    raw_name = reg.pop("name")
    name = str(raw_name)
    # PaddleOCR: use the name as is when regularizer.py defines it, else append "Decay".
    cls = name if name in ("L1Decay", "L2Decay") else name + "Decay"
    if cls not in ("L1Decay", "L2Decay"):
        raise ValueError(
            f"regularizer name {raw_name!r} cannot be built: PaddleOCR looks up {cls!r} in "
            "ppocr/optimizer/regularizer.py and fails with AttributeError (no attribute of that name); valid "
            "names are L1, L2, L1Decay, L2Decay"
        )
    extra = sorted(set(reg) - {"factor"})
    if extra:
        raise ValueError(
            f"regularizer {name} got unexpected keys {extra}: PaddleOCR's {cls}(factor=0.0) raises TypeError"
        )
    factor = reg.get("factor", 0.0)
    if cls == "L2Decay":
        return "L2", _float_like_paddleocr(factor, "regularizer factor")
    # L1Decay passes the factor raw to paddle.regularizer.L1Decay.
    return "L1", _number(factor, "L1 regularizer factor")


def _ignored_key_warning(key: str, opt_name: str) -> str:
    msg = f"key {key!r} is silently ignored by PaddleOCR's {opt_name} (swallowed by **kwargs)"
    if key == "use_nesterov":
        msg += "; PaddleOCR's Momentum always uses plain (non-Nesterov) momentum"
    elif key == "centered":
        msg += "; PaddleOCR's RMSProp never passes centered, so Paddle uses centered=False"
    elif key == "momentum" and opt_name == "Adadelta":
        msg += "; Adadelta has no momentum"
    else:
        close = difflib.get_close_matches(key, _ALL_KNOWN_KEYS, n=1, cutoff=0.75)
        if close and close[0] != key:
            msg += f"; did you mean {close[0]!r}?"
    return msg


def parse_optimizer_block(optimizer_cfg: Mapping[str, Any]) -> OptimizerSpec:
    """Describe the optimizer PaddleOCR's ``build_optimizer`` makes from an ``Optimizer`` block.

    Rules (PaddleOCR at f0b39d4, paddle 3.3.1):

    - ``lr`` is ignored here (built by the LR-schedule half of lrparity).
    - ``name`` must be one of :data:`VALID_OPTIMIZER_NAMES`, else ValueError listing them.
    - ``regularizer`` (unless ``null``): ``L2``/``L2Decay`` gives ``float(factor)`` (default 0.0; YAML strings
      are converted, ``"5.0-05"`` raises ValueError as PaddleOCR's build does); ``L1``/``L1Decay`` gives
      coupled L1; any other name raises ValueError (PaddleOCR: AttributeError ``<name>Decay``). Keys other
      than ``factor`` raise ValueError (PaddleOCR: TypeError).
    - ``weight_decay`` key: used, raw, only when there is no regularizer; next to a regularizer it is a
      duplicate keyword argument and PaddleOCR fails with TypeError, so ValueError here. ``learning_rate`` and
      ``grad_clip`` keys are duplicate keywords too (ValueError).
    - Adam/Momentum/Adadelta/RMSProp: the resulting float is coupled L2 (``l2_coupled``).
    - AdamW: decoupled coefficient = ``weight_decay`` key, else L2 factor, else 0.01 (an L1 regularizer makes
      Paddle's AdamW raise TypeError, so ValueError here). ``no_weight_decay_name`` is split on whitespace;
      ``one_dim_param_no_weight_decay`` is taken for its truth value.
    - ``clip_norm`` wins over ``clip_norm_global``; the latter is then ignored (warning).
    - ``group_lr`` (Adam only): active only with ``training_step: LF_2`` (VisionLAN); otherwise PaddleOCR
      prints a message and uses one group (warning).
    - Momentum requires ``momentum`` (PaddleOCR: TypeError, here ValueError). Hyper-parameters must be
      numbers; Paddle's range checks (Adam/AdamW ``0 <= beta < 1``, ``epsilon >= 0``; RMSProp ``rho, epsilon,
      momentum >= 0``) raise ValueError as Paddle does.
    - Any other key is swallowed by the wrapper's ``**kwargs``; it is listed in ``ignored_keys`` and gets a
      warning (e.g. Adadelta's ``momentum``, the misspelling ``weight_deacy``).

    Raises:
        ValueError: for every block PaddleOCR cannot build (see above).
    """
    cfg, name = _block_and_name(optimizer_cfg)
    warns: list[str] = []
    reg_kind, reg_value = _regularization(cfg)
    fields: dict[str, Any] = {"name": name, **_clip(cfg, warns)}
    ignored = sorted(k for k in cfg if k not in _CLASS_KEYS[name])
    warns += [_ignored_key_warning(str(key), name) for key in ignored]
    fields.update(_HYPERPARAMETERS[name](cfg, warns))
    if name == "AdamW":
        fields.update(_adamw_decay(cfg, reg_kind, reg_value, warns))
    else:
        fields["weight_decay_origin"] = reg_kind
        fields["l1_coupled" if reg_kind == "regularizer L1" else "l2_coupled"] = reg_value
    if name == "Adam":
        fields.update(_group_lr(cfg, warns))
    fields["ignored_keys"] = tuple(str(k) for k in ignored)
    fields["warnings"] = tuple(warns)
    return OptimizerSpec(**fields)


def _block_and_name(optimizer_cfg: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    """A copy of the block without ``lr`` and ``name``, and the optimizer name (ValueError where PaddleOCR fails)."""
    if not isinstance(optimizer_cfg, Mapping):
        raise TypeError(f"an Optimizer block must be a mapping, got {type(optimizer_cfg).__name__}")
    check_nesting("ppocr", "the Optimizer block", optimizer_cfg)
    cfg = dict(optimizer_cfg)
    cfg.pop("lr", None)
    if "name" not in cfg:
        raise ValueError(
            "Optimizer block has no 'name' (PaddleOCR fails with KeyError); valid names: "
            f"{', '.join(VALID_OPTIMIZER_NAMES)}"
        )
    name = cfg.pop("name")
    if name not in VALID_OPTIMIZER_NAMES:
        raise ValueError(
            f"unknown PaddleOCR optimizer name {name!r}; valid names are {', '.join(VALID_OPTIMIZER_NAMES)}"
        )
    for key in _DUPLICATE_KWARGS:
        if key in cfg:
            raise ValueError(
                f"key {key!r} in the Optimizer block: PaddleOCR passes {key}= itself as well and fails with "
                f"TypeError (got multiple values for keyword argument {key!r})"
            )
    return cfg, name


def _regularization(cfg: dict[str, Any]) -> tuple[str, float | None]:
    """Step 2 of ``build_optimizer`` (pops ``regularizer``/``weight_decay``): where the decay comes from and what
    PaddleOCR passes as ``weight_decay=`` to the wrapper."""
    reg_cfg = cfg.pop("regularizer", None)
    if reg_cfg is not None:
        kind, value = _parse_regularizer(reg_cfg)
        if "weight_decay" in cfg:
            raise ValueError(
                "both a regularizer and a 'weight_decay' key: PaddleOCR passes weight_decay= from the "
                "regularizer and the key again through **config, and fails with TypeError (multiple values "
                "for keyword argument 'weight_decay')"
            )
        return f"regularizer {kind}", value
    if "weight_decay" in cfg:
        raw_wd = cfg.pop("weight_decay")
        if raw_wd is not None:
            return "weight_decay key", _number(raw_wd, "weight_decay")
    return "none", None


def _clip(cfg: dict[str, Any], warns: list[str]) -> dict[str, float | None]:
    """Step 3 of ``build_optimizer`` (pops the clip keys): ``clip_norm`` wins over ``clip_norm_global``."""
    clip_norm: float | None = None
    clip_norm_global: float | None = None
    if "clip_norm" in cfg:
        clip_norm = _number(cfg.pop("clip_norm"), "clip_norm")
        if "clip_norm_global" in cfg:
            cfg.pop("clip_norm_global")
            warns.append(
                "both clip_norm and clip_norm_global are set: PaddleOCR uses clip_norm (per-tensor "
                "ClipGradByNorm) and silently ignores clip_norm_global"
            )
    elif "clip_norm_global" in cfg:
        clip_norm_global = _number(cfg.pop("clip_norm_global"), "clip_norm_global")
    return {"clip_norm": clip_norm, "clip_norm_global": clip_norm_global}


def _get_num(cfg: Mapping[str, Any], key: str, default: float) -> float:
    return _number(cfg.get(key, default), key)


def _adam_fields(name: str, cfg: Mapping[str, Any], warns: list[str]) -> dict[str, Any]:
    fields = {key: _get_num(cfg, key, default) for key, default in (("beta1", 0.9), ("beta2", 0.999))}
    fields["epsilon"] = _get_num(cfg, "epsilon", 1e-8)
    check_adam_hyperparameters(name, fields["beta1"], fields["beta2"], fields["epsilon"])
    fields["lazy_mode"] = bool(cfg.get("lazy_mode", False))
    if fields["lazy_mode"]:
        warns.append("lazy_mode only changes updates of sparse (SelectedRows) gradients; torch ignores it")
    if name == "Adam" and "parameter_list" in cfg:  # AdamW does not take it: listed as ignored
        warns.append("key 'parameter_list' is accepted but never used by PaddleOCR's Adam")
    return fields


def _momentum_fields(cfg: Mapping[str, Any], warns: list[str]) -> dict[str, Any]:
    if "momentum" not in cfg:
        raise ValueError(
            "Momentum needs a 'momentum' key: PaddleOCR's Momentum(learning_rate, momentum, ...) has no "
            "default and fails with TypeError"
        )
    return {"momentum": _number(cfg["momentum"], "momentum")}


def _adadelta_fields(cfg: Mapping[str, Any], warns: list[str]) -> dict[str, Any]:
    if "parameter_list" in cfg:
        warns.append("key 'parameter_list' is accepted but never used by PaddleOCR's Adadelta")
    return {"epsilon": _get_num(cfg, "epsilon", 1e-8), "rho": _get_num(cfg, "rho", 0.95)}


def _rmsprop_fields(cfg: Mapping[str, Any], warns: list[str]) -> dict[str, Any]:
    fields = {
        "momentum": _get_num(cfg, "momentum", 0.0),
        "rho": _get_num(cfg, "rho", 0.95),
        "epsilon": _get_num(cfg, "epsilon", 1e-6),
    }
    check_rmsprop_hyperparameters(fields["momentum"], fields["rho"], fields["epsilon"])
    return fields


_HYPERPARAMETERS: dict[str, Callable[[Mapping[str, Any], list[str]], dict[str, Any]]] = {
    "Adam": lambda cfg, warns: _adam_fields("Adam", cfg, warns),
    "AdamW": lambda cfg, warns: _adam_fields("AdamW", cfg, warns),
    "Momentum": _momentum_fields,
    "Adadelta": _adadelta_fields,
    "RMSProp": _rmsprop_fields,
}


def _adamw_decay(cfg: Mapping[str, Any], reg_kind: str, reg_value: float | None, warns: list[str]) -> dict[str, Any]:
    """AdamW's decoupled coefficient, its exclusions and ``multi_precision``."""
    if reg_kind == "regularizer L1":
        raise ValueError(
            "AdamW with an L1 regularizer: PaddleOCR passes a paddle.regularizer.L1Decay as AdamW's "
            "weight_decay and Paddle raises TypeError ('weight_decay should be int, float or Tensor')"
        )
    fields: dict[str, Any] = {}
    if reg_value is None:
        fields["adamw_weight_decay"] = 0.01
        fields["weight_decay_origin"] = "AdamW default 0.01"
        warns.append(
            "AdamW has neither a weight_decay key nor a regularizer: PaddleOCR applies decoupled weight "
            "decay 0.01 by default"
        )
    else:
        fields["adamw_weight_decay"] = reg_value
        fields["weight_decay_origin"] = reg_kind
        if reg_kind == "regularizer L2" and reg_value != 0.0:
            warns.append(
                f"AdamW: the L2 regularizer factor {reg_value} becomes AdamW's *decoupled* weight decay "
                "coefficient, not coupled L2"
            )
    raw_names = cfg.get("no_weight_decay_name")
    if raw_names and not isinstance(raw_names, str):
        raise ValueError(
            f"no_weight_decay_name must be a space separated string, got {raw_names!r}: PaddleOCR calls .split() on it"
        )
    fields["no_weight_decay_name"] = tuple(raw_names.split()) if raw_names else ()
    fields["one_dim_param_no_weight_decay"] = bool(cfg.get("one_dim_param_no_weight_decay", False))
    fields["multi_precision"] = bool(cfg.get("multi_precision", False))
    if fields["multi_precision"]:
        warns.append("multi_precision keeps fp32 master weights for fp16/bf16 parameters; torch ignores it")
    return fields


def _group_lr(cfg: Mapping[str, Any], warns: list[str]) -> dict[str, Any]:
    """Adam's ``group_lr``: active only with ``training_step: LF_2`` (VisionLAN)."""
    group_lr = cfg.get("group_lr", False)
    training_step = cfg.get("training_step")
    fields: dict[str, Any] = {"training_step": None if training_step is None else str(training_step)}
    if not group_lr:
        return fields
    if training_step == "LF_2":
        fields["group_lr"] = True
        warns.append(
            "group_lr with training_step LF_2 (VisionLAN): parameters outside head.MLM_VRM.MLM, "
            "head.MLM_VRM.Prediction.pp_share and .w_share get an LR multiplier of values[0]*0.1 of "
            "the Piecewise schedule"
        )
    else:
        warns.append(
            f"group_lr is set but training_step is {training_step!r}, not 'LF_2': PaddleOCR prints "
            "'group lr currently only support VisionLAN in LF_2 training step' and uses one group"
        )
    return fields


# ----------------------------------------------------------------------------------------------------
# Building: the shared translation (lrparity.paddle_optimizers), plus VisionLAN's parameter split
# ----------------------------------------------------------------------------------------------------


def __getattr__(attr: str) -> Any:
    # ``PaddleRMSProp`` subclasses torch.optim.Optimizer, so it is created on first access to keep
    # ``import lrparity.ppocr.optimizers`` free of torch.
    if attr == "PaddleRMSProp":
        return paddle_rmsprop_class()
    raise AttributeError(f"module {__name__!r} has no attribute {attr!r}")


def _visionlan_modules(root: Any, wrapper_attr: str) -> tuple[Any, Any, Any]:
    model = getattr(root, wrapper_attr, root)  # unwrap DataParallel (torch ``module``, paddle ``_layers``)
    try:
        mlm_vrm = model.head.MLM_VRM
        return mlm_vrm.MLM, mlm_vrm.Prediction.pp_share, mlm_vrm.Prediction.w_share
    except AttributeError as exc:
        raise ValueError(
            "group_lr with training_step LF_2 needs VisionLAN's model.head.MLM_VRM.MLM, "
            "model.head.MLM_VRM.Prediction.pp_share and .w_share (PaddleOCR fails with AttributeError "
            "otherwise)"
        ) from exc


def _visionlan_groups(model: Any, wrapper_attr: str, scale: float, scale_key: str) -> list[dict[str, Any]]:
    """PaddleOCR's VisionLAN LF_2 split of ``model.parameters()`` (no trainable filter): MLM/pp_share/w_share
    first, then the rest with ``{scale_key: scale}``."""
    base_ids = {id(p) for m in _visionlan_modules(model, wrapper_attr) for p in m.parameters()}
    all_params = list(model.parameters())
    return [
        {"params": [p for p in all_params if id(p) in base_ids]},
        {"params": [p for p in all_params if id(p) not in base_ids], scale_key: scale},
    ]


def build_torch_optimizer(
    spec: OptimizerSpec,
    model_or_params: Any,
    lr: float,
    *,
    group_lr_scale: float | None = None,
) -> tuple[torch.optim.Optimizer, Callable[[], None] | None]:
    """Build the torch optimizer equivalent to the Paddle optimizer PaddleOCR builds from ``spec``.

    :func:`lrparity.paddle_optimizers.build_torch_optimizer` (see it for the mapping, the ``lr_scale`` of each param
    group and the pre-step hook), plus PaddleOCR's ``group_lr`` (VisionLAN LF_2): parameters outside
    ``head.MLM_VRM.MLM``/``Prediction.pp_share``/``Prediction.w_share`` form a group whose LR is multiplied by
    ``group_lr_scale`` (PaddleOCR uses ``values[0] * 0.1`` of the Piecewise schedule, and a Paddle group
    ``learning_rate`` is a multiplier).
    """
    import torch

    groups = None
    if spec.group_lr:
        if not torch_named_params(model_or_params):
            raise ValueError("no trainable parameters")
        if not isinstance(model_or_params, torch.nn.Module):
            raise ValueError("group_lr (VisionLAN LF_2) needs the nn.Module, not bare parameters")
        if group_lr_scale is None:
            raise ValueError(
                "group_lr (VisionLAN LF_2) needs group_lr_scale: PaddleOCR uses values[0] * 0.1 of the "
                "Piecewise LR schedule as the LR multiplier of the parameters outside MLM/pp_share/w_share"
            )
        groups = _visionlan_groups(model_or_params, "module", float(group_lr_scale), "lr_scale")
    return _build_torch(spec, model_or_params, lr, param_groups=groups)


def build_paddle_optimizer(
    spec: OptimizerSpec,
    parameters_or_layer: Any,
    learning_rate: Any,
    *,
    group_lr_scale: float | None = None,
) -> Any:
    """Build the Paddle optimizer PaddleOCR's ``build_optimizer`` builds for ``spec``.

    :func:`lrparity.paddle_optimizers.build_paddle_optimizer`, plus PaddleOCR's ``group_lr`` (VisionLAN LF_2): two
    groups, the second with ``learning_rate`` (a multiplier) equal to ``group_lr_scale`` or, as PaddleOCR does,
    ``learning_rate.values[0] * 0.1``.
    """
    groups = None
    if spec.name == "Adam" and spec.group_lr:
        import paddle

        from lrparity.paddle_optimizers import paddle_named_params

        if not paddle_named_params(parameters_or_layer):
            raise ValueError("no trainable parameters")
        if not isinstance(parameters_or_layer, paddle.nn.Layer):
            raise ValueError("group_lr (VisionLAN LF_2) needs the paddle.nn.Layer, not bare parameters")
        if group_lr_scale is None:
            try:
                group_lr_scale = learning_rate.values[0] * 0.1
            except (AttributeError, IndexError, TypeError) as exc:
                raise ValueError(
                    "group_lr (VisionLAN LF_2): PaddleOCR reads learning_rate.values[0] (a Piecewise "
                    "schedule without warmup); pass group_lr_scale or such a schedule"
                ) from exc
        groups = _visionlan_groups(parameters_or_layer, "_layers", group_lr_scale, "learning_rate")
    return _build_paddle(spec, parameters_or_layer, learning_rate, param_groups=groups)
