"""Paddle casts float attributes of its kernels (beta, epsilon, momentum, coefficients) to the parameter dtype."""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

__all__ = ["f32", "rounder"]


def f32(x: float) -> float:
    """Round a Python float to the nearest float32 (Paddle casts float attributes to float32)."""
    return struct.unpack("f", struct.pack("f", x))[0]


def rounder(dtype: Any) -> Callable[[float], float]:
    """A function rounding a Python float to the torch ``dtype`` (Paddle casts float attributes to the tensor
    dtype)."""
    import torch

    if dtype == torch.float32:
        return f32
    if dtype == torch.float64:
        return float

    def rnd(x: float) -> float:
        return float(torch.tensor(x, dtype=dtype))

    return rnd
