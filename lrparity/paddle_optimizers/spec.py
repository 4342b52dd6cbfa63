"""The Paddle optimizer a suite builds, described without any framework: :class:`OptimizerSpec`.

A suite's parser (PaddleOCR's, PaddleClas's, ...) reads its ``Optimizer`` block into an :class:`OptimizerSpec`;
:mod:`lrparity.paddle_optimizers.torch_build` and :mod:`lrparity.paddle_optimizers.paddle_build` then build the
same update rule in torch and in paddle. The checks here are Paddle's own (its constructors' range checks), phrased
with the suite's name so that the message says who fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "PADDLE_OPTIMIZER_NAMES",
    "OptimizerSpec",
    "adamw_coeff",
    "check_adam_hyperparameters",
    "check_rmsprop_hyperparameters",
    "raw_number",
]

#: The ``paddle.optimizer`` classes an :class:`OptimizerSpec` can describe.
PADDLE_OPTIMIZER_NAMES: tuple[str, ...] = ("Adam", "AdamW", "Momentum", "SGD", "Adadelta", "RMSProp")


@dataclass(frozen=True)
class OptimizerSpec:
    """One ``paddle.optimizer`` as a suite builds it (the learning rate excluded).

    Hyper-parameters the optimizer does not have are ``None``. Fields:

    - ``name``: the ``paddle.optimizer`` class: ``Adam``, ``AdamW``, ``Momentum``, ``SGD``, ``Adadelta`` or
      ``RMSProp``.
    - ``beta1``, ``beta2``, ``epsilon``, ``momentum``, ``rho``: the values the suite passes (its defaults filled in).
    - ``centered``: RMSProp's centered variant. ``use_nesterov``: Momentum's Nesterov variant.
    - ``l2_coupled``: coefficient of coupled L2 (``coeff * param`` added to the clipped gradient; fused into the
      kernel for Momentum); ``None`` when Paddle gets no regularization.
    - ``l1_coupled``: coupled L1 (``coeff * sign(param)`` added to the clipped gradient).
    - ``adamw_weight_decay``: AdamW's decoupled coefficient.
    - ``weight_decay_origin``: where the decay came from, in words (``"regularizer L2"``, ``"weight_decay key"``...).
    - ``no_weight_decay_name``: substrings of structured parameter names (``named_parameters``) whose parameters get
      no decay; ``one_dim_param_no_weight_decay``: 1-D parameters get no decay. AdamW excludes them through
      ``apply_decay_param_fun``; Momentum and RMSProp through a second param group with ``weight_decay=0.0``.
    - ``clip_norm``: per-tensor clip (``ClipGradByNorm``); ``clip_norm_global``: global clip
      (``ClipGradByGlobalNorm``); at most one of them is set.
    - ``lazy_mode``, ``multi_precision``: passed to Paddle; they only matter for sparse gradients and for
      fp16/bf16 master weights respectively. ``use_multi_tensor``: Momentum's fused multi-tensor kernel (the same
      update).
    - ``group_lr``, ``training_step``: PaddleOCR's VisionLAN parameter split (see :mod:`lrparity.ppocr.optimizers`).
    - ``ignored_keys``: keys the suite accepts but silently ignores; ``warnings``: one sentence each about them and
      about silent defaults.
    """

    name: str
    beta1: float | None = None
    beta2: float | None = None
    epsilon: float | None = None
    momentum: float | None = None
    rho: float | None = None
    centered: bool = False
    l2_coupled: float | None = None
    l1_coupled: float | None = None
    adamw_weight_decay: float | None = None
    weight_decay_origin: str = "none"
    no_weight_decay_name: tuple[str, ...] = ()
    one_dim_param_no_weight_decay: bool = False
    clip_norm: float | None = None
    clip_norm_global: float | None = None
    group_lr: bool = False
    training_step: str | None = None
    lazy_mode: bool = False
    multi_precision: bool = False
    ignored_keys: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    use_nesterov: bool = False
    use_multi_tensor: bool = False

    @property
    def excludes_from_decay(self) -> bool:
        """Whether some parameters may be left out of the weight decay (by name or as 1-D parameters)."""
        return bool(self.no_weight_decay_name) or self.one_dim_param_no_weight_decay


def adamw_coeff(spec: OptimizerSpec) -> float:
    """AdamW's decoupled coefficient; 0.01 (Paddle's and PaddleOCR's default) when the spec leaves it unset."""
    return 0.01 if spec.adamw_weight_decay is None else float(spec.adamw_weight_decay)


def raw_number(value: Any, what: str, suite: str) -> float:
    """A YAML number the suite passes raw to Paddle: int or float (not bool, not a string); ValueError otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(
            f"{what} must be a number, got {value!r} ({type(value).__name__}); {suite} passes it to Paddle "
            "unchanged and Paddle cannot use it"
        )
    return float(value)


def check_adam_hyperparameters(name: str, beta1: float, beta2: float, epsilon: float) -> None:
    """Paddle's Adam/AdamW range checks: ``0 <= beta < 1`` and ``epsilon >= 0`` (ValueError as Paddle raises)."""
    for key, value in (("beta1", beta1), ("beta2", beta2)):
        if not 0.0 <= value < 1.0:
            raise ValueError(f"{key} = {value}: Paddle's {name} requires 0 <= {key} < 1 (ValueError)")
    if epsilon < 0.0:
        raise ValueError(f"epsilon = {epsilon}: Paddle's {name} requires epsilon >= 0 (ValueError)")


def check_rmsprop_hyperparameters(momentum: float, rho: float, epsilon: float) -> None:
    """Paddle's RMSProp range checks: ``rho, epsilon, momentum >= 0`` (ValueError as Paddle raises)."""
    for key, value in (("momentum", momentum), ("rho", rho), ("epsilon", epsilon)):
        if value < 0.0:
            raise ValueError(f"{key} = {value}: Paddle's RMSProp requires {key} >= 0 (ValueError)")
