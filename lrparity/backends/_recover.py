"""Recovering a native scheduler's constructor arguments from what it stores (stdlib only: no framework import)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from lrparity.core import Plateau

__all__ = ["nearby", "plateau_of"]


def nearby(value: float, fits: Callable[[float], bool], what: str, framework: str, *, positive: bool = False) -> float:
    """``value`` or the closest float (within 64 ulps either side) for which ``fits`` holds.

    Recovers a constructor argument that a native scheduler kept only in derived form (e.g. ``max_lr / div``),
    so that the core recomputes the native's numbers bit for bit.

    Args:
        value: the first guess.
        fits: whether a candidate reproduces the native's stored numbers exactly.
        what: the argument's name, for the message.
        framework: ``"torch"`` or ``"paddle"``, for the message.
        positive: consider only candidates > 0 (besides ``value`` itself).

    Raises:
        ValueError: no float within 64 ulps fits.
    """
    if fits(value):
        return value
    up = down = value
    for _ in range(64):
        up, down = math.nextafter(up, math.inf), math.nextafter(down, -math.inf)
        for candidate in (up, down):
            if (candidate > 0 or not positive) and fits(candidate):
                return candidate
    raise ValueError(f"from_native: cannot recover {what} from the {framework} scheduler (near {value!r})")


def plateau_of(native: Any, *, min_lr: Any, eps: float, semantics: str, start_lr: float | None = None) -> Plateau:
    """The :class:`~lrparity.Plateau` of a native reduce-on-plateau scheduler: its ``mode``, ``factor``,
    ``patience``, ``threshold``, ``threshold_mode`` and ``cooldown`` attributes (same names in torch and paddle),
    with the ``min_lr`` (lr units), ``eps``, ``semantics`` and ``start_lr`` (paddle's ``learning_rate``; None
    for torch, whose lrs are the param groups') the caller read in its framework's way."""
    return Plateau(
        mode=native.mode,
        factor=native.factor,
        patience=native.patience,
        threshold=native.threshold,
        threshold_mode=native.threshold_mode,
        cooldown=native.cooldown,
        min_lr=min_lr,
        eps=eps,
        semantics=semantics,
        start_lr=start_lr,
    )
