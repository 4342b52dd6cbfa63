"""Values that something else changed between two of a backend's writes (stdlib only: no framework import).

A backend writes **absolute** values: at every ``step()`` the value of its schedule at that step, whatever the
optimizer held before. Another scheduler that multiplies the same value (a native in torch's
``ChainedScheduler``, a ``ReduceLROnPlateau``, a hand-written ``lr *= 0.5``) therefore has its change erased at
the next ``step()``. Each backend remembers what it wrote last and, before writing again, compares; the first
difference is reported once per scheduler with :class:`ForeignWriteWarning`.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ForeignWriteWarning", "foreign_write_message"]


class ForeignWriteWarning(UserWarning):
    """A value an lrparity scheduler wrote was changed by something else before its next ``step()``, which
    overwrites that change (lrparity writes absolute values). Emitted once per scheduler."""


def foreign_write_message(owner: str, where: str, wrote: Any, found: Any, step: int, hint: str) -> str:
    """The warning's text.

    Args:
        owner: the scheduler class name.
        where: the value's place, e.g. ``"param_groups[1]['lr']"``.
        wrote: the value the scheduler wrote there last, at step ``step - 1`` or earlier.
        found: the value found there now.
        step: the step (count of ``step()`` calls) whose value is about to be written.
        hint: what typically changed it, in the backend's words.
    """
    return (
        f"{owner}: {where} is {found!r}, but this lrparity scheduler wrote {wrote!r} there: something else changed "
        f"it before step() ({hint}). lrparity writes absolute values, so step {step} overwrites that change. To "
        "multiply schedules, build one schedule with lrparity.Chain([...]); to switch from one schedule to another, "
        "use lrparity.Sequence. (Warned once per scheduler.)"
    )
