"""The ``paddle.optimizer`` an :class:`OptimizerSpec` describes, built as the suites build it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lrparity.paddle_optimizers.params import no_decay_flags, paddle_named_params
from lrparity.paddle_optimizers.spec import OptimizerSpec, adamw_coeff

__all__ = ["build_paddle_optimizer"]


def build_paddle_optimizer(
    spec: OptimizerSpec,
    parameters_or_layer: Any,
    learning_rate: Any,
    *,
    param_groups: list[dict[str, Any]] | None = None,
) -> Any:
    """The Paddle optimizer ``spec`` describes.

    ``parameters_or_layer`` is a ``paddle.nn.Layer`` (needed for ``no_weight_decay_name``), ``(name, parameter)``
    pairs, or parameters; only trainable parameters are passed. ``learning_rate`` is a float or a
    ``paddle.optimizer.lr.LRScheduler``.

    - ``weight_decay=``: the L2 float (Paddle makes it ``L2Decay``; Momentum fuses it into its kernel),
      ``paddle.regularizer.L1Decay`` for L1, ``None`` without one; AdamW gets its decoupled coefficient.
    - Decay exclusions: AdamW's ``apply_decay_param_fun`` returns False for the tensor names of excluded
      parameters; Momentum and RMSProp get two param groups, the excluded one with ``weight_decay=0.0`` (PaddleClas's
      way: Momentum whenever ``no_weight_decay_name`` is set, RMSProp only when a parameter is excluded).
    - ``grad_clip=``: ``ClipGradByNorm(clip_norm)`` or ``ClipGradByGlobalNorm(clip_norm_global)``.
    - ``param_groups``: the suite's own groups (paddle dicts, e.g. with a ``learning_rate`` multiplier), used as
      the ``parameters`` argument instead.
    """
    named = paddle_named_params(parameters_or_layer)
    if not named:
        raise ValueError("no trainable parameters")
    weight_decay = _weight_decay(spec)
    parameters: Any = param_groups
    if parameters is None:
        parameters = _decay_groups(spec, named, weight_decay)
    common = {
        "learning_rate": learning_rate,
        "parameters": parameters,
        "weight_decay": weight_decay,
        "grad_clip": _grad_clip(spec),
    }
    if spec.name == "AdamW":
        common["weight_decay"] = adamw_coeff(spec)  # AdamW: its decoupled coefficient
    return _CONSTRUCTORS[spec.name](spec, named, common)


def _grad_clip(spec: OptimizerSpec) -> Any:
    import paddle

    if spec.clip_norm is not None:
        return paddle.nn.ClipGradByNorm(clip_norm=spec.clip_norm)
    if spec.clip_norm_global is not None:
        return paddle.nn.ClipGradByGlobalNorm(clip_norm=spec.clip_norm_global)
    return None


def _weight_decay(spec: OptimizerSpec) -> Any:
    import paddle

    if spec.l1_coupled is not None:
        return paddle.regularizer.L1Decay(spec.l1_coupled)
    if spec.l2_coupled is not None:
        return float(spec.l2_coupled)
    return None


def _decay_groups(spec: OptimizerSpec, named: list[tuple[str | None, Any]], weight_decay: Any) -> Any:
    """The parameters, or (Momentum/RMSProp with exclusions) the decayed and the excluded param groups."""
    params = [p for _, p in named]
    if spec.name not in ("Momentum", "RMSProp") or not spec.excludes_from_decay:
        return params
    flags = no_decay_flags(spec, named, lambda p: len(p.shape))
    excluded = [p for p, f in zip(params, flags) if f]
    if spec.name == "RMSProp" and not excluded:
        return params
    decay = [p for p, f in zip(params, flags) if not f]
    return [{"params": decay, "weight_decay": weight_decay}, {"params": excluded, "weight_decay": 0.0}]


def _adam(spec: OptimizerSpec, named: list[tuple[str | None, Any]], common: dict[str, Any]) -> Any:
    import paddle

    adam = {"beta1": spec.beta1, "beta2": spec.beta2, "epsilon": spec.epsilon, "lazy_mode": spec.lazy_mode}
    if spec.name == "Adam":
        if spec.multi_precision:
            adam["multi_precision"] = True
        return paddle.optimizer.Adam(**adam, **common)
    flags = no_decay_flags(spec, named, lambda p: len(p.shape))
    excluded = {p.name for (_, p), f in zip(named, flags) if f}

    def apply_decay_param_fun(tensor_name: str) -> bool:
        return tensor_name not in excluded

    return paddle.optimizer.AdamW(
        **adam, **common, multi_precision=spec.multi_precision, apply_decay_param_fun=apply_decay_param_fun
    )


def _momentum(spec: OptimizerSpec, named: list[tuple[str | None, Any]], common: dict[str, Any]) -> Any:
    import paddle

    extra: dict[str, Any] = {}
    if spec.use_nesterov:
        extra["use_nesterov"] = True
    if spec.multi_precision:
        extra["multi_precision"] = True
    if spec.use_multi_tensor:
        extra["use_multi_tensor"] = True
    return paddle.optimizer.Momentum(momentum=spec.momentum, **common, **extra)


def _sgd(spec: OptimizerSpec, named: list[tuple[str | None, Any]], common: dict[str, Any]) -> Any:
    import paddle

    return paddle.optimizer.SGD(**common, multi_precision=spec.multi_precision)


def _adadelta(spec: OptimizerSpec, named: list[tuple[str | None, Any]], common: dict[str, Any]) -> Any:
    import paddle

    return paddle.optimizer.Adadelta(epsilon=spec.epsilon, rho=spec.rho, **common)


def _rmsprop(spec: OptimizerSpec, named: list[tuple[str | None, Any]], common: dict[str, Any]) -> Any:
    import paddle

    return paddle.optimizer.RMSProp(
        momentum=spec.momentum, rho=spec.rho, epsilon=spec.epsilon, centered=spec.centered, **common
    )


_CONSTRUCTORS: dict[str, Callable[[OptimizerSpec, list[tuple[str | None, Any]], dict[str, Any]], Any]] = {
    "Adam": _adam,
    "AdamW": _adam,
    "Momentum": _momentum,
    "SGD": _sgd,
    "Adadelta": _adadelta,
    "RMSProp": _rmsprop,
}
