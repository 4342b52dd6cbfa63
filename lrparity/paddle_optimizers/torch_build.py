"""The torch optimizer (and pre-step hook) with the update rule of the Paddle optimizer an :class:`OptimizerSpec`
describes."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from lrparity.paddle_optimizers.clip import paddle_clip_grad_by_global_norm_, paddle_clip_grad_by_norm_
from lrparity.paddle_optimizers.params import no_decay_flags, torch_named_params
from lrparity.paddle_optimizers.rmsprop import paddle_rmsprop_class
from lrparity.paddle_optimizers.rounding import f32, rounder
from lrparity.paddle_optimizers.spec import OptimizerSpec, adamw_coeff

if TYPE_CHECKING:  # pragma: no cover - typing only
    import torch

__all__ = ["build_torch_optimizer", "make_pre_step"]

PreStep = Callable[[], None]


def build_torch_optimizer(
    spec: OptimizerSpec,
    model_or_params: Any,
    lr: float,
    *,
    param_groups: list[dict[str, Any]] | None = None,
) -> tuple[torch.optim.Optimizer, PreStep | None]:
    """The torch optimizer with the update rule of the Paddle optimizer ``spec`` describes, and its pre-step hook.

    ``model_or_params`` is an ``nn.Module`` (its ``named_parameters`` give the structured names that
    ``no_weight_decay_name`` is matched against), an iterable of ``(name, parameter)`` pairs, or an iterable of
    parameters (then ``no_weight_decay_name`` cannot be used). Parameters with ``requires_grad=False`` are left out.

    Mapping (hyper-parameters rounded to float32, as Paddle's kernels read them):

    - Adam: ``torch.optim.Adam(betas=(beta1, beta2), eps=epsilon, weight_decay=l2_coupled or 0)``.
    - AdamW: ``torch.optim.AdamW(weight_decay=adamw_weight_decay)``.
    - Momentum: ``torch.optim.SGD(momentum, dampening=0, nesterov=use_nesterov, weight_decay=l2_coupled or 0)``.
    - SGD: ``torch.optim.SGD(weight_decay=l2_coupled or 0)``.
    - Adadelta: ``torch.optim.Adadelta(rho, eps, weight_decay)``.
    - RMSProp: ``PaddleRMSProp`` (torch's RMSprop has a different formula).
    - Parameters excluded from the decay (``no_weight_decay_name``, ``one_dim_param_no_weight_decay``) form a second
      group with ``weight_decay=0`` and no L1. Empty groups are left out.
    - ``param_groups`` (optional): the suite's own split, ``[{"params": [...], "lr_scale": x}, ...]`` (PaddleOCR's
      VisionLAN); then no decay exclusion is applied.

    Every param group carries ``lr_scale`` (1.0 unless ``param_groups`` says otherwise) and starts at
    ``lr * lr_scale``; a scheduler must set ``group["lr"] = scheduled_lr * group["lr_scale"]``.

    The second value is ``None`` or a callable to call after ``backward()`` and before ``optimizer.step()``: it
    clips as Paddle does (per tensor for ``clip_norm``, globally for ``clip_norm_global``), then adds coupled L1
    (``l1_coupled * sign(p)``) to the decayed parameters' gradients: Paddle's order, clip first. Coupled L2 needs
    no hook: torch's ``weight_decay`` is added inside ``step()``, after the clip.
    """
    import torch

    named = torch_named_params(model_or_params)
    if not named:
        raise ValueError("no trainable parameters")
    if param_groups is None:
        groups = _decay_groups(spec, named)
        params = [p for _, p in named]
    else:
        groups = [dict(g) for g in param_groups]
        grouped = {id(p) for g in groups for p in g["params"]}
        source = (
            model_or_params.parameters()
            if isinstance(model_or_params, torch.nn.Module)
            else (p for g in groups for p in g["params"])
        )
        params = [p for p in source if id(p) in grouped]
    groups = [g for g in groups if g["params"]]
    for g in groups:
        g.setdefault("lr_scale", 1.0)
        g["lr"] = lr * g["lr_scale"]
    optimizer = _CONSTRUCTORS[spec.name](spec, groups, lr)
    decayed = [p for g in groups if not g.get("no_decay", False) for p in g["params"]]
    return optimizer, make_pre_step(spec, params, decayed)


def _decay_groups(spec: OptimizerSpec, named: list[tuple[str | None, Any]]) -> list[dict[str, Any]]:
    """One group, or the decayed parameters and the excluded ones (``weight_decay=0``, marked ``no_decay``)."""
    if not spec.excludes_from_decay:
        return [{"params": [p for _, p in named]}]
    flags = no_decay_flags(spec, named, lambda p: p.dim())
    decay = [p for (_, p), excluded in zip(named, flags) if not excluded]
    excluded = [p for (_, p), excluded in zip(named, flags) if excluded]
    coeff = adamw_coeff(spec) if spec.name == "AdamW" else f32(float(spec.l2_coupled or 0.0))
    return [
        {"params": decay, "weight_decay": coeff},
        {"params": excluded, "weight_decay": 0.0, "no_decay": True},
    ]


# Paddle passes beta1/beta2/epsilon/rho/momentum/L2 coefficients to its kernels as float32 attributes, so the values
# it really uses are their float32 roundings (beta2 0.999 -> 0.99900001287). torch gets the same rounded values; what
# remains is the float32 rounding order of the update expressions.
def _l2(spec: OptimizerSpec) -> float:
    return f32(float(spec.l2_coupled or 0.0))


def _adam(spec: OptimizerSpec, groups: list[dict[str, Any]], lr: float) -> torch.optim.Optimizer:
    import torch

    betas = (f32(float(spec.beta1)), f32(float(spec.beta2)))
    eps = f32(float(spec.epsilon))
    if spec.name == "Adam":
        return torch.optim.Adam(groups, lr=lr, betas=betas, eps=eps, weight_decay=_l2(spec))
    return torch.optim.AdamW(groups, lr=lr, betas=betas, eps=eps, weight_decay=adamw_coeff(spec))


def _sgd(spec: OptimizerSpec, groups: list[dict[str, Any]], lr: float) -> torch.optim.Optimizer:
    import torch

    if spec.name == "SGD":
        return torch.optim.SGD(groups, lr=lr, weight_decay=_l2(spec))
    return torch.optim.SGD(
        groups,
        lr=lr,
        momentum=f32(float(spec.momentum)),
        dampening=0.0,
        nesterov=spec.use_nesterov,
        weight_decay=_l2(spec),
    )


def _adadelta(spec: OptimizerSpec, groups: list[dict[str, Any]], lr: float) -> torch.optim.Optimizer:
    import torch

    rho, eps = f32(float(spec.rho)), f32(float(spec.epsilon))
    return torch.optim.Adadelta(groups, lr=lr, rho=rho, eps=eps, weight_decay=_l2(spec))


def _rmsprop(spec: OptimizerSpec, groups: list[dict[str, Any]], lr: float) -> torch.optim.Optimizer:
    cls = paddle_rmsprop_class()
    return cls(  # type: ignore[no-any-return]
        groups,
        lr=lr,
        rho=float(spec.rho),
        eps=float(spec.epsilon),
        momentum=float(spec.momentum),
        centered=spec.centered,
        weight_decay=float(spec.l2_coupled or 0.0),
    )


_CONSTRUCTORS: dict[str, Callable[[OptimizerSpec, list[dict[str, Any]], float], Any]] = {
    "Adam": _adam,
    "AdamW": _adam,
    "Momentum": _sgd,
    "SGD": _sgd,
    "Adadelta": _adadelta,
    "RMSProp": _rmsprop,
}


def make_pre_step(
    spec: OptimizerSpec, params: list[torch.Tensor], decayed: list[torch.Tensor] | None = None
) -> PreStep | None:
    """Paddle's gradient pipeline before the update, or None when there is nothing to do: clip (per tensor or
    global, over ``params``), then coupled L1 on ``decayed`` (default: every parameter)."""
    clip_norm, clip_global, l1 = spec.clip_norm, spec.clip_norm_global, spec.l1_coupled
    if clip_norm is None and clip_global is None and not l1:
        return None
    l1_params = params if decayed is None else decayed

    def pre_step() -> None:
        """Paddle's gradient pipeline before the update: clip, then coupled L1."""
        import torch

        if clip_norm is not None:
            paddle_clip_grad_by_norm_(params, clip_norm)
        elif clip_global is not None:
            paddle_clip_grad_by_global_norm_(params, clip_global)
        if l1:
            with torch.no_grad():
                for p in l1_params:
                    if p.grad is not None:
                        # Paddle's L1Decay: scale(sign(param), coeff), then add_n([grad, term]).
                        p.grad.add_(torch.sign(p).mul_(rounder(p.dtype)(l1)))

    return pre_step
