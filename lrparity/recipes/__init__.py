"""Training recipes from the other ecosystems: their own config in, the exact same lrparity schedule out, and back.

``schedule(kind, config, steps_per_epoch=N)`` reads a recipe the way its ecosystem's trainer reads it and returns
an *absolute* schedule indexed by optimizer update: ``values(range(T))[i]`` is the learning rate the ecosystem's
own training loop uses for update ``i`` (0-based) of its nominal run of ``T`` updates, its native scheduler
stepped exactly as that trainer steps it (per iteration, per epoch, every ``update_freq`` iterations).
``export(schedule, kind, **context)`` is the inverse: the config in that ecosystem's syntax, or a ValueError
naming what the format cannot express. The contract of every kind is in ``docs/recipes/index.md``.

Kinds: ``ppocr``, ``ppcls``, ``ppdet``, ``ppseg``, ``paddlenlp`` (the Paddle suites), ``hf``, ``timm``,
``mmengine`` (the torch side). Each lives in its own module ``lrparity.recipes.<kind>``, imported on first use;
none imports torch or paddle.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from types import ModuleType
from typing import Any

from lrparity.core import Schedule
from lrparity.core.validation import closest_key_hint

__all__ = ["KINDS", "RecipeWarning", "export", "module", "schedule"]

KINDS: tuple[str, ...] = ("ppocr", "ppcls", "ppdet", "ppseg", "paddlenlp", "hf", "timm", "mmengine")
"""Every recipe kind, in the order the docs list them."""


class RecipeWarning(UserWarning):
    """A recipe key its ecosystem accepts but ignores, or a quirk of the ecosystem that changes the values."""


def module(kind: str) -> ModuleType:
    """The module implementing ``kind`` (``lrparity.recipes.<kind>``); ValueError for an unknown kind."""
    if not isinstance(kind, str):
        raise TypeError(f"kind must be one of {list(KINDS)}, got {kind!r} ({type(kind).__name__})")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {list(KINDS)}, got {kind!r}{closest_key_hint(kind, KINDS)}")
    return importlib.import_module(f"lrparity.recipes.{kind}")


def schedule(
    kind: str, config: str | os.PathLike[str] | Mapping[str, Any], *, steps_per_epoch: int | None = None
) -> Schedule:
    """The absolute lrparity schedule that ``kind``'s trainer runs for ``config``, indexed by optimizer update.

    Args:
        kind: one of :data:`KINDS`.
        config: a path to the ecosystem's own config file (includes such as ``_BASE_`` are resolved), or the
            mapping already loaded, exactly as the user has it.
        steps_per_epoch: ``len(train_dataloader)`` (iterations per epoch per card) where the kind needs it
            (epoch-based recipes); see each kind's page for what it means there.

    Raises:
        ValueError: an unknown kind, a config the ecosystem rejects, or one that is meaningless, naming the key.
        TypeError: a value of the wrong type, naming the key.
    """
    return module(kind).schedule(config, steps_per_epoch=steps_per_epoch)


def export(schedule: Schedule, kind: str, **context: Any) -> Any:
    """``schedule`` as a config of ``kind`` (its own syntax, as a mapping or argument dict), such that
    ``lrparity.recipes.schedule(kind, export(schedule, kind, **context), ...)`` equals ``schedule``.

    Args:
        schedule: an lrparity schedule (absolute, or relative with ``base_lr`` in ``context``).
        kind: one of :data:`KINDS`.
        **context: what the format needs besides the schedule (e.g. ``steps_per_epoch``); see each kind's page.

    Raises:
        ValueError: the format cannot express ``schedule``, naming the part it cannot express.
    """
    return module(kind).export(schedule, **context)
