"""The parameters an optimizer gets, with their structured names, and which of them a spec keeps out of the decay."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from lrparity.paddle_optimizers.spec import OptimizerSpec

if TYPE_CHECKING:  # pragma: no cover - typing only
    import torch

__all__ = ["check_model_arg", "no_decay_flags", "paddle_named_params", "torch_named_params"]


def check_model_arg(value: Any, arg: str, module: str) -> None:
    """A TypeError naming the model argument when it is not a module or an iterable of parameters."""
    if value is None or isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise TypeError(
            f"{arg} (the model) must be {module}, its named_parameters() or its parameters; got "
            f"{'None' if value is None else type(value).__name__}"
        )


def torch_named_params(model_or_params: Any) -> list[tuple[str | None, torch.Tensor]]:
    """Trainable ``(name, param)`` pairs from an nn.Module, ``(name, param)`` pairs, or bare parameters (name
    None). Parameters with ``requires_grad=False`` are left out: the Paddle suites optimize trainable ones only."""
    import torch

    if isinstance(model_or_params, torch.nn.Module):
        items: list[tuple[str | None, torch.Tensor]] = list(model_or_params.named_parameters())
    else:
        check_model_arg(model_or_params, "model_or_params", "an nn.Module")
        items = []
        for item in model_or_params:
            if isinstance(item, torch.Tensor):
                items.append((None, item))
            elif isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], torch.Tensor):
                items.append((str(item[0]), item[1]))
            else:
                raise TypeError(
                    "expected an nn.Module, parameters, or (name, parameter) pairs; got an item of type "
                    f"{type(item).__name__}"
                )
    return [(n, p) for n, p in items if p.requires_grad]


def paddle_named_params(parameters_or_layer: Any) -> list[tuple[str | None, Any]]:
    """Trainable ``(name, param)`` pairs from a ``paddle.nn.Layer``, ``(name, param)`` pairs, or parameters."""
    import paddle

    if isinstance(parameters_or_layer, paddle.nn.Layer):
        named: list[tuple[str | None, Any]] = list(parameters_or_layer.named_parameters())
    else:
        check_model_arg(parameters_or_layer, "parameters_or_layer", "a paddle.nn.Layer")
        named = []
        for item in parameters_or_layer:
            if isinstance(item, tuple) and len(item) == 2:
                named.append((str(item[0]), item[1]))
            else:
                named.append((None, item))
    return [(n, p) for n, p in named if getattr(p, "trainable", True) is True]


def no_decay_flags(
    spec: OptimizerSpec, named: list[tuple[str | None, Any]], shape_len: Callable[[Any], int]
) -> list[bool]:
    """True for each parameter the spec keeps out of the weight decay: its structured name contains one of
    ``no_weight_decay_name``, or it is 1-D with ``one_dim_param_no_weight_decay``."""
    if spec.no_weight_decay_name and any(n is None for n, _ in named):
        raise ValueError(
            "no_weight_decay_name needs structured parameter names: pass the model (or named_parameters())"
        )
    flags = []
    for n, p in named:
        by_name = n is not None and any(s in n for s in spec.no_weight_decay_name)
        by_dim = spec.one_dim_param_no_weight_decay and shape_len(p) == 1
        flags.append(by_name or by_dim)
    return flags
