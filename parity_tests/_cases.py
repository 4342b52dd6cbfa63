"""Schedules shared by the two-framework training and resume tests."""

from __future__ import annotations

from lrparity import Cosine, OneCycle, Schedule, Warmup


def warmup_cosine_and_one_cycle(steps: int, warmup: int, peak: float, start_lr: float) -> dict:
    """``{name: (schedule, base_lr)}`` over ``steps`` steps: a linear warmup (``warmup`` steps from ``start_lr``
    to ``peak``) into a cosine to 0 at ``steps``, and a one-cycle peaking at ``peak`` (absolute: base_lr None)."""
    cases: dict[str, tuple[Schedule, float | None]] = {
        "warmup_cosine": (Warmup(Cosine(steps - warmup), warmup, start_lr=start_lr, end_lr=peak), peak),
        "one_cycle": (OneCycle(peak, steps), None),
    }
    return cases
