"""Paddle's gradient clipping (``ClipGradByNorm``, ``ClipGradByGlobalNorm``) on torch gradients, in place."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - typing only
    import torch

__all__ = ["paddle_clip_grad_by_global_norm_", "paddle_clip_grad_by_norm_"]


def _grads(params: Iterable[torch.Tensor]) -> list[torch.Tensor]:
    return [p.grad for p in params if p.grad is not None]


def paddle_clip_grad_by_norm_(params: Iterable[torch.Tensor], clip_norm: float) -> None:
    """Clip each gradient tensor on its own with the formula of ``paddle.nn.ClipGradByNorm``.

    Per tensor, in the gradient's dtype: ``norm = sqrt(sum(g*g))``; if ``norm <= clip_norm`` the gradient is
    left as is, else it is multiplied by ``clip_norm / norm`` (``clip_norm`` rounded to the gradient dtype;
    Paddle adds 1e-6 to ``norm`` only when it is below 1e-30). A NaN norm propagates NaN, as in Paddle. This
    is *not* ``torch.nn.utils.clip_grad_norm_`` over all parameters, and it has no ``+1e-6`` in the
    denominator. The norm can differ from Paddle's in the last bit (summation order, Eigen's fast sqrt).
    """
    import torch

    with torch.no_grad():
        for g in _grads(params):
            norm = g.square().sum().sqrt()
            c = torch.tensor(float(clip_norm), dtype=g.dtype, device=g.device)
            tiny = torch.where(norm <= 1e-30, torch.tensor(1e-6, dtype=g.dtype, device=g.device), 0.0)
            scale = torch.where(norm <= c, torch.ones_like(norm), c / (norm + tiny))
            g.mul_(scale)


def _global_norm(grads: list[torch.Tensor]) -> torch.Tensor:
    """``sqrt`` of the sum of squares of every gradient: per-tensor sums in the gradient dtype, accumulated in
    float32 (float64 if any gradient is float64; fp16/bf16 sums are cast to float32 first), as Paddle does."""
    import torch

    low: list[torch.Tensor] = []
    f32: list[torch.Tensor] = []
    f64: list[torch.Tensor] = []
    for g in grads:
        sq = g.square().sum()
        if sq.dtype in (torch.float16, torch.bfloat16):
            low.append(sq)
        elif sq.dtype == torch.float32:
            f32.append(sq)
        else:
            f64.append(sq)
    sum_dtype = torch.float64 if f64 else torch.float32
    parts = []
    if low:
        parts.append(torch.stack(low).sum().to(sum_dtype))
    if f32:
        parts.append(torch.stack(f32).sum().to(sum_dtype))
    if f64:
        parts.append(torch.stack(f64).sum())
    return torch.stack(parts).sum().sqrt()


def paddle_clip_grad_by_global_norm_(params: Iterable[torch.Tensor], clip_norm: float) -> None:
    """Clip all gradients together with the formula of ``paddle.nn.ClipGradByGlobalNorm``.

    ``global_norm = sqrt(sum_i sum(g_i*g_i))`` with per-tensor sums in the gradient dtype, accumulated in
    float32 (float64 if any gradient is float64; fp16/bf16 sums are cast to float32 first). Every gradient is
    then multiplied by ``clip_norm / max(global_norm, clip_norm)`` (so by exactly 1 when the norm is small).
    torch's ``clip_grad_norm_`` uses ``clip_norm / (norm + 1e-6)`` instead. The norm can differ from Paddle's
    in the last bit (summation order).
    """
    import torch

    grads = _grads(params)
    if not grads:
        return
    with torch.no_grad():
        norm = _global_norm(grads)
        c = torch.tensor(float(clip_norm), dtype=norm.dtype, device=norm.device)
        scale = c / torch.maximum(norm, c)
        for g in grads:
            g.mul_(scale.to(device=g.device, dtype=g.dtype))
