"""The neutral state format shared by the torch and paddle backends (numpy/stdlib only: no framework import).

Both backends' ``state_dict()`` start with the neutral keys

    ``{"lrparity": STATE_VERSION, "step": t, "schedule": <config or None>, "plateau": <PlateauState dict or None>}``

(``t`` in steps, the number of ``step()`` calls) and may add their framework's own keys; loading needs only the
neutral keys, so a state saved by one backend resumes in the other. The checks here validate those keys and
change nothing; ``method`` is the loading method's name for the messages (torch ``"load_state_dict"``, paddle
``"set_state_dict"``).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping
from typing import Any

from lrparity.core.validation import check_nesting

__all__ = [
    "STATE_VERSION",
    "check_header",
    "check_kind",
    "check_plateau_state",
    "check_same",
    "check_state",
    "config_or_none",
    "neutral",
]

STATE_VERSION = 1
"""Version of the neutral state format written by ``state_dict()`` (key ``"lrparity"``)."""

NEUTRAL_KEYS = ("step", "schedule", "plateau")
"""The keys besides ``"lrparity"`` that every neutral state holds."""


def config_or_none(obj: Any) -> dict[str, Any] | None:
    """``obj.to_config()``, or None when ``obj`` holds a callable that cannot be saved (a lambda).

    Args:
        obj: a schedule or a plateau (anything with ``to_config()`` raising ValueError when unsaveable).
    """
    try:
        return obj.to_config()
    except ValueError:
        return None


def neutral(step: int, schedule: dict[str, Any] | None, plateau: dict[str, Any] | None) -> dict[str, Any]:
    """The neutral state: ``{"lrparity": STATE_VERSION, "step": step, "schedule": schedule, "plateau": plateau}``.

    Args:
        step: the number of ``step()`` calls so far (steps), an int >= 0.
        schedule: the schedule's (or plateau's) ``to_config()``; None when it cannot be saved.
        plateau: the plateau state's ``to_dict()``, or None for a step schedule.
    """
    return {"lrparity": STATE_VERSION, "step": int(step), "schedule": schedule, "plateau": plateau}


def check_header(owner: str, method: str, state: Any, hint: Callable[[Mapping[str, Any]], str] | None = None) -> int:
    """Validate the neutral keys of ``state`` (a mapping, the version, the keys, the step); return the step.

    Mutates nothing.

    Args:
        owner: the scheduler class name, for the messages.
        method: the loading method's name, for the messages (``"load_state_dict"`` / ``"set_state_dict"``).
        state: the state to check.
        hint: called with a state that has no ``"lrparity"`` key; returns a sentence (starting with a space) that
            tells how to continue from a native scheduler's state, or ``""``.

    Raises:
        TypeError: ``state`` is not a mapping.
        ValueError: not an lrparity state, another format version, a missing key, or a step that is not an
            int >= 0.
    """
    if not isinstance(state, Mapping):
        raise TypeError(f"{owner}.{method}: state must be a dict from state_dict(), got {type(state).__name__}")
    check_nesting(f"{owner}.{method}", "state", state)  # before any message shows a part of it
    if "lrparity" not in state:
        extra = hint(state) if hint is not None else ""
        raise ValueError(f"{owner}.{method}: not an lrparity state (no 'lrparity' key; got {sorted(state)}).{extra}")
    if state["lrparity"] != STATE_VERSION:
        raise ValueError(
            f"{owner}.{method}: state format version {state['lrparity']!r} is not supported "
            f"(this lrparity reads {STATE_VERSION})"
        )
    missing = set(NEUTRAL_KEYS) - set(state)
    if missing:
        raise ValueError(f"{owner}.{method}: state lacks the key(s) {sorted(missing)}")
    step = state["step"]
    if isinstance(step, bool) or not isinstance(step, numbers.Integral) or step < 0:
        raise ValueError(f"{owner}.{method}: state['step'] must be an int >= 0, got {step!r}")
    return int(step)


def check_same(
    owner: str, method: str, what: str, theirs: Any, ours: dict[str, Any] | None, *, ignore: tuple[str, ...] = ()
) -> None:
    """Check that a saved config (``theirs``) equals this scheduler's (``ours``); None means unsaveable.

    Args:
        owner: the scheduler class name, for the messages.
        method: the loading method's name, for the messages.
        what: what the configs describe (``"schedule"``, ``"plateau"``, ``"fields"``), for the messages.
        theirs: the state's config.
        ours: this scheduler's config, or None when it holds a lambda.
        ignore: top-level keys left out of the comparison (a plateau's ``start_lr``: the state's lrs replace it).

    Raises:
        ValueError: the configs differ, or exactly one of them is None (then they cannot be compared).
    """
    if theirs is None or ours is None:
        if theirs is not ours:
            raise ValueError(
                f"{owner}.{method}: cannot match the schedules: the state's {what} is {theirs!r}, this scheduler's "
                f"is {'unsaveable (it holds a lambda)' if ours is None else ours!r}"
            )
        return
    if not isinstance(theirs, Mapping) or _without(theirs, ignore) != _without(ours, ignore):
        shown = dict(theirs) if isinstance(theirs, Mapping) else theirs
        raise ValueError(
            f"{owner}.{method}: the state was saved for a different {what}.\n  state:     {shown!r}\n"
            f"  scheduler: {ours!r}\nBuild the scheduler with the state's schedule "
            "(lrparity.from_config(state['schedule'])) or start from a fresh state."
        )


def _without(config: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in config.items() if k not in keys}


def check_kind(owner: str, method: str, state: Mapping[str, Any], plateau: bool) -> None:
    """Check that ``state`` holds a plateau state exactly when this scheduler is a plateau one.

    Args:
        owner: the scheduler class name, for the messages.
        method: the loading method's name, for the messages.
        state: a state that passed :func:`check_header`.
        plateau: True for a plateau scheduler, False for a step schedule's.

    Raises:
        ValueError: the state is of the other kind.
    """
    if (state["plateau"] is None) == plateau:
        held = "no plateau state (it is a step schedule's)" if plateau else "a plateau state"
        raise ValueError(f"{owner}.{method}: the state holds {held}, which does not fit this scheduler")


def check_state(
    owner: str,
    method: str,
    state: Any,
    ours: dict[str, Any] | None,
    *,
    plateau: bool,
    what: str = "schedule",
    hint: Callable[[Mapping[str, Any]], str] | None = None,
    ignore: tuple[str, ...] = (),
) -> int:
    """:func:`check_header`, then :func:`check_same` on ``state["schedule"]``, then :func:`check_kind`.

    Returns the state's step; mutates nothing. Arguments as in those functions.
    """
    step = check_header(owner, method, state, hint)
    check_same(owner, method, what, state["schedule"], ours, ignore=ignore)
    check_kind(owner, method, state, plateau)
    return step


def check_plateau_state(owner: str, method: str, state: Any, step: int, has_warmup: bool) -> None:
    """Check a plateau state (a :class:`~lrparity.core.PlateauState`) against the state's ``step`` and the plateau:
    its ``last_epoch`` is that step, and it holds ``base_lrs`` exactly when the plateau has a warmup.

    Raises:
        ValueError: either does not hold, naming both sides.
    """
    if state.last_epoch != step:
        raise ValueError(
            f"{owner}.{method}: state['step']={step} disagrees with the plateau's last_epoch={state.last_epoch}"
        )
    if (state.base_lrs is None) == has_warmup:
        missing = state.base_lrs is None
        raise ValueError(
            f"{owner}.{method}: the plateau state {'lacks' if missing else 'has'} base_lrs, "
            f"which a plateau {'with' if missing else 'without'} a warmup "
            f"{'needs' if missing else 'does not have'}"
        )
