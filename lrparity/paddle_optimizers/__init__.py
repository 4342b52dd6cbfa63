"""Paddle's optimizers, reproduced in PyTorch: the framework half of every Paddle suite's ``Optimizer`` block.

Each Paddle suite (PaddleOCR, PaddleClas, PaddleDetection, PaddleSeg, PaddleNLP) reads its own ``Optimizer`` YAML
block in its own way, but they all end in a ``paddle.optimizer`` class with a regularizer and a gradient clip. A
suite's parser (e.g. :mod:`lrparity.ppocr.optimizers`, :mod:`lrparity.recipes.ppcls_optimizers`) turns its block into
an :class:`OptimizerSpec`; this package turns the spec into the same update rule in both frameworks:

- :func:`build_torch_optimizer` ``(spec, model_or_params, lr, *, param_groups=None) -> (optimizer, pre_step)``: the
  torch optimizer (float32-rounded hyper-parameters, as Paddle's kernels read them) and ``None`` or a hook to call
  between ``backward()`` and ``step()`` (Paddle's gradient clip, then coupled L1).
- :func:`build_paddle_optimizer` ``(spec, parameters_or_layer, learning_rate, *, param_groups=None)``: the paddle
  optimizer, built as the suites build it.
- :class:`PaddleRMSProp` (created on first access; it subclasses ``torch.optim.Optimizer``): Paddle's RMSProp rule.
- :func:`paddle_clip_grad_by_norm_`, :func:`paddle_clip_grad_by_global_norm_`: Paddle's clips on torch gradients.
- :func:`f32`: a float rounded to float32, as Paddle passes float attributes to its kernels.

Regularization semantics in Paddle: an L2 ``weight_decay`` on Adam, Momentum, SGD, Adadelta and RMSProp is
*coupled* (``coeff * param`` added to the already clipped gradient; torch's ``weight_decay`` of ``Adam``/``SGD``);
AdamW's coefficient is *decoupled* (torch ``AdamW``). Importing this package imports neither torch nor paddle.
"""

from __future__ import annotations

from typing import Any

from lrparity.paddle_optimizers.clip import paddle_clip_grad_by_global_norm_, paddle_clip_grad_by_norm_
from lrparity.paddle_optimizers.paddle_build import build_paddle_optimizer
from lrparity.paddle_optimizers.params import no_decay_flags, paddle_named_params, torch_named_params
from lrparity.paddle_optimizers.rmsprop import paddle_rmsprop_class
from lrparity.paddle_optimizers.rounding import f32
from lrparity.paddle_optimizers.spec import (
    PADDLE_OPTIMIZER_NAMES,
    OptimizerSpec,
    adamw_coeff,
    check_adam_hyperparameters,
    check_rmsprop_hyperparameters,
    raw_number,
)
from lrparity.paddle_optimizers.torch_build import build_torch_optimizer, make_pre_step

__all__ = [
    "PADDLE_OPTIMIZER_NAMES",
    "OptimizerSpec",
    "PaddleRMSProp",  # created lazily by the module ``__getattr__`` (it needs torch)
    "adamw_coeff",
    "build_paddle_optimizer",
    "build_torch_optimizer",
    "check_adam_hyperparameters",
    "check_rmsprop_hyperparameters",
    "f32",
    "make_pre_step",
    "no_decay_flags",
    "paddle_clip_grad_by_global_norm_",
    "paddle_clip_grad_by_norm_",
    "paddle_named_params",
    "paddle_rmsprop_class",
    "raw_number",
    "torch_named_params",
]


def __getattr__(attr: str) -> Any:
    if attr == "PaddleRMSProp":
        return paddle_rmsprop_class()
    raise AttributeError(f"module {__name__!r} has no attribute {attr!r}")
