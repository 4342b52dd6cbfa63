"""Reading and writing torch param-group values, what the torch adapters share.

A group value (``lr``, ``momentum``, ``weight_decay``...) is a float or a one-element tensor; a tensor is filled
in place (``fill_``), never replaced, so that a compiled optimizer step keeps it.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

import torch
from torch import Tensor

__all__ = ["as_float", "copy_value", "is_tensor", "native_state_hint", "set_value", "still_holds", "tensor_version"]


def is_tensor(x: Any) -> bool:
    """Whether a group value is a tensor."""
    return isinstance(x, Tensor)


def copy_value(x: Any) -> Any:
    """A group value as torch's ``get_last_lr()`` returns it: tensors cloned, never aliased."""
    return x.clone() if isinstance(x, Tensor) else x


def set_value(group: dict[str, Any], key: str, value: float) -> None:
    """``group[key] = value``, or ``group[key].fill_(value)`` when it holds a tensor."""
    current = group[key]
    if isinstance(current, Tensor):
        current.fill_(value)
    else:
        group[key] = value


def as_float(owner: str, what: str, value: Any) -> float:
    """A base value (``initial_lr``, a saved base) as a float: a finite number >= 0 or a one-element tensor of one.

    Raises:
        ValueError: anything else, naming ``what``.
    """
    if isinstance(value, Tensor):
        if value.numel() != 1:
            raise ValueError(
                f"{owner}: {what} must be a number or a one-element tensor, got shape {tuple(value.shape)}"
            )
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{owner}: {what} must be a finite number >= 0, got {value!r}")
    return float(value)


def tensor_version(x: Tensor) -> int | None:
    """The tensor's in-place version counter (every ``fill_`` bumps it); None for inference tensors."""
    try:
        return x._version
    except RuntimeError:
        return None


def still_holds(now: Any, wrote: float) -> bool:
    """Whether a group value (float or tensor) still holds ``wrote``, the float last written there."""
    if isinstance(now, Tensor):
        if now.numel() != 1:
            return False
        return now.item() == torch.tensor(wrote, dtype=now.dtype).item()
    return now == wrote or (now != now and wrote != wrote)  # nan stays nan


def native_state_hint(state: Mapping[str, Any]) -> str:
    """The sentence a ``load_state_dict`` error adds when ``state`` looks like a native torch scheduler's."""
    if "last_epoch" not in state:
        return ""
    return (
        f" It looks like a native torch scheduler's state (last_epoch={state['last_epoch']!r}): to continue from a "
        "native, rebuild it, load its state, and call lrparity.backends.torch.replace_native(native)."
    )
