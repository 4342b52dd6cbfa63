"""Paddle's RMSProp update rule as a ``torch.optim.Optimizer`` (torch's ``RMSprop`` computes a different formula).

The class subclasses ``torch.optim.Optimizer``, so it is created on first use (:func:`paddle_rmsprop_class`, or the
attribute ``PaddleRMSProp`` of this package): importing lrparity never imports torch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from lrparity.paddle_optimizers.rounding import rounder

if TYPE_CHECKING:  # pragma: no cover - typing only
    import torch

__all__ = ["paddle_rmsprop_class"]

_DOC = """RMSProp with Paddle's update rule (``paddle.optimizer.RMSProp``, phi ``rmsprop`` kernel).

For each parameter with gradient ``g`` (after coupled L2: ``g = g + weight_decay * p``), all in the parameter
dtype with ``rho``, ``eps``, ``momentum`` and ``lr`` rounded to that dtype as Paddle does::

    ms  = rho * ms + (1 - rho) * g * g
    mg  = rho * mg + (1 - rho) * g                       # centered only
    mom = momentum * mom + lr * g / sqrt(ms + eps)       # centered: sqrt(ms - mg*mg + eps)
    p   = p - mom

Differences from ``torch.optim.RMSprop``: epsilon is inside the square root, and the learning rate is inside the
momentum buffer (so an LR change affects only new contributions). State buffers start at 0. Defaults are
Paddle's: ``rho=0.95``, ``eps=1e-6``, ``momentum=0``, ``centered=False``.
"""


def _check_hyperparameters(lr: float, **values: float) -> None:
    if lr < 0.0:
        raise ValueError(f"Invalid learning rate: {lr}")
    for key, value in values.items():
        if value < 0.0:
            raise ValueError(f"Invalid {key}: {value}")


def _new_state(p: torch.Tensor, centered: bool) -> dict[str, Any]:
    import torch

    state: dict[str, Any] = {"step": 0}
    for key in ("mean_square", "moment") + (("mean_grad",) if centered else ()):
        state[key] = torch.zeros_like(p, memory_format=torch.preserve_format)
    return state


def rmsprop_update(p: torch.Tensor, state: dict[str, Any], group: dict[str, Any], lr: float) -> None:
    """One Paddle RMSProp update of ``p`` (its ``grad`` read, ``state`` updated in place)."""
    rnd = rounder(p.dtype)
    rho = rnd(group["rho"])
    one_minus_rho = rnd(1.0 - rho)  # exact in double, so this is 1 - rho computed in p's dtype
    eps = rnd(group["eps"])
    g = p.grad
    if group["weight_decay"] != 0.0:
        g = g + p * rnd(group["weight_decay"])  # Paddle: scale(param, coeff) then add_n([grad, term])
    if not state:
        state.update(_new_state(p, group["centered"]))
    state["step"] += 1
    ms, mom = state["mean_square"], state["moment"]
    ms.mul_(rho).add_((g * one_minus_rho).mul_(g))
    if group["centered"]:
        mg = state["mean_grad"]
        mg.mul_(rho).add_(g * one_minus_rho)
        denom = (ms - mg * mg).add_(eps).sqrt_()
    else:
        denom = (ms + eps).sqrt_()
    mom.mul_(rnd(group["momentum"])).add_((g * rnd(lr)).div_(denom))
    p.sub_(mom)


def _make_class() -> type:
    import torch

    class PaddleRMSProp(torch.optim.Optimizer):
        __doc__ = _DOC

        def __init__(
            self,
            params: Any,
            lr: float,
            rho: float = 0.95,
            eps: float = 1e-6,
            momentum: float = 0.0,
            centered: bool = False,
            weight_decay: float = 0.0,
        ) -> None:
            _check_hyperparameters(lr, rho=rho, eps=eps, momentum=momentum, weight_decay=weight_decay)
            defaults = {"lr": lr, "rho": rho, "eps": eps, "momentum": momentum, "centered": centered}
            super().__init__(params, {**defaults, "weight_decay": weight_decay})

        @torch.no_grad()
        def step(self, closure: Callable[[], float] | None = None) -> float | None:  # type: ignore[override]
            """Perform one Paddle RMSProp update on every parameter that has a gradient."""
            loss = None
            if closure is not None:
                with torch.enable_grad():
                    loss = closure()
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    if p.grad.is_sparse:
                        raise RuntimeError("PaddleRMSProp does not support sparse gradients")
                    rmsprop_update(p, self.state[p], group, float(group["lr"]))
            return loss

    PaddleRMSProp.__module__ = "lrparity.paddle_optimizers"
    return PaddleRMSProp


_CLASS: type | None = None


def paddle_rmsprop_class() -> type:
    """The ``PaddleRMSProp`` torch optimizer class (created, and torch imported, on the first call)."""
    global _CLASS
    if _CLASS is None:
        _CLASS = _make_class()
    return _CLASS
