"""Torch-side schedulers from other packages that tutorials are built on, one row each: what a live one computes.

:data:`ROWS` holds a row for each class :func:`lrparity.from_native` converts besides torch's own:

- ``warmup_scheduler.GradualWarmupScheduler`` (PyPI ``warmup-scheduler`` 0.3), with any torch scheduler of
  :data:`AFTER_SCHEDULERS` as its ``after_scheduler``, none, or a ``ReduceLROnPlateau``;
- ``pytorch_accelerated.schedulers.CosineLrScheduler`` (PyPI ``pytorch-accelerated`` 0.1.61), on any
  ``param_group_field``.

A row names its class by module and name and finds it in ``sys.modules``: a live instance exists only when its
package is imported, so recognising one imports nothing (neither the package nor torch). The returned schedules
follow the packages' arithmetic operation for operation (see each reader for where that is bit-identical and where
a torch recursion makes it 1e-12 relative), including their quirks, which the docs page lists
(``docs/torch.md``, "From warmup_scheduler and pytorch-accelerated").
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lrparity.backends.neutral.recover import nearby
from lrparity.core import (
    AnnealCycles,
    Chain,
    Constant,
    FactorWarmup,
    IncrementalWarmup,
    PerGroup,
    Plateau,
    Schedule,
    Sequence,
    Shift,
    Warmup,
    WithBaseLR,
)

__all__ = ["AFTER_SCHEDULERS", "ROWS", "ThirdPartyRow", "from_native", "row_of"]

AFTER_SCHEDULERS = (
    "StepLR",
    "MultiStepLR",
    "ExponentialLR",
    "CosineAnnealingLR",
    "LambdaLR",
    "MultiplicativeLR",
    "LinearLR",
    "ConstantLR",
    "PolynomialLR",
    "CosineAnnealingWarmRestarts",
)
"""torch's schedulers a ``GradualWarmupScheduler`` hands over to (besides ``ReduceLROnPlateau``): the relative ones,
whose values follow the ``base_lrs`` the warmup multiplies. OneCycleLR and CyclicLR keep their own lr range,
SequentialLR and ChainedScheduler have no ``get_lr()`` the hand-over could call: they are refused."""


@dataclass(frozen=True)
class ThirdPartyRow:
    """One scheduler class of another package that :func:`from_native` converts.

    Attributes:
        package: the PyPI name and the version the row was written against (for the messages).
        module: the module that defines the class.
        name: the class name.
        overrides: the method a subclass may override (a subclass is refused, naming it).
        to_core: the schedule (or plateau, or ``{field: schedule}``) a live instance computes; ``stepping`` says how
            it is stepped (``"step"`` or ``"step_update"``, see :func:`from_native`).
    """

    package: str
    module: str
    name: str
    overrides: str
    to_core: Callable[[Any, str], Any]

    def live_class(self) -> type | None:
        """The class, if its module is imported (an instance of it cannot exist otherwise)."""
        cls = getattr(sys.modules.get(self.module), self.name, None)
        return cls if isinstance(cls, type) else None


def _number(value: Any) -> float:
    """A float from a group value (a float, or a one-element tensor)."""
    return float(value.item()) if hasattr(value, "numel") else float(value)


def _collapse(per: list[Schedule]) -> Schedule:
    return per[0] if all(p == per[0] for p in per[1:]) else PerGroup(per)


def _absolute(value: float) -> Schedule:
    """The constant ``value`` whatever the base lr (``value * 1.0``: the same float)."""
    return WithBaseLR(Constant(), value)


def _check_int(owner: str, name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"from_native: {owner}.{name} must be an int >= {minimum}, got {value!r}")
    return value


def _pinned(per: list[Schedule], bases: list[float], groups: list[dict[str, Any]], key: str) -> Schedule:
    """The per-group schedules, each pinned to the base it was read with where the group's ``key`` differs (the
    backends would scale the group's own)."""
    out = []
    for s, b, g in zip(per, bases, groups):
        own = _number(g[key]) if key in g else math.nan
        out.append(WithBaseLR(s, b) if s.uses_base_lr and own != b else s)
    return _collapse(out)


# ------------------------------------------------------------------------------------------------------------
# warmup_scheduler.GradualWarmupScheduler
# ------------------------------------------------------------------------------------------------------------
def _after_core(native: Any, after: Any) -> Schedule:
    """The after-scheduler's schedule, relative and unpinned (the warmup replaces its bases)."""
    from lrparity.backends.torch import natives

    spec = natives.TABLE.spec_of(after)  # TypeError for what is not one of torch's schedulers
    if spec.name not in AFTER_SCHEDULERS:
        raise ValueError(
            f"from_native: GradualWarmupScheduler's after_scheduler is a {spec.name}; at the hand-over the warmup "
            "multiplies its base_lrs and calls its get_lr(), which only torch's relative schedulers follow "
            f"({', '.join(AFTER_SCHEDULERS)}, or ReduceLROnPlateau): convert the two phases separately"
        )
    if after.optimizer is not native.optimizer:
        raise ValueError(
            "from_native: GradualWarmupScheduler's after_scheduler drives another optimizer than the warmup: the "
            "warmup hands the lr over to it in its own optimizer, so there is no single schedule"
        )
    if not native.finished and after.last_epoch != 0:
        raise ValueError(
            f"from_native: GradualWarmupScheduler's after_scheduler is at last_epoch={after.last_epoch} before the "
            "hand-over: it was stepped on its own, so its phase does not start where the warmup hands over. Step "
            "only the GradualWarmupScheduler"
        )
    reading = natives._Reading(groups=native.optimizer.param_groups, pin_every_part=False)
    return natives._part(after, reading, pin=False)


_HOLDS = frozenset({"StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "LambdaLR", "CosineAnnealingWarmRestarts"})
"""After-schedulers whose ``get_lr()`` at their step 0, called at the hand-over, is their step-0 value: the lr they
find (StepLR, MultiStepLR), times their start factor (ConstantLR, LinearLR), or their closed form on the multiplied
``base_lrs`` (LambdaLR, CosineAnnealingWarmRestarts). The others of :data:`AFTER_SCHEDULERS` apply one step of
their recursion to the lr they find (torch 2.13 exempts only the initial step)."""


def _handover_phase(after: Any, core: Schedule, group: int, held: float, base: float, relative: bool) -> Schedule:
    """The after-scheduler's phase from the hand-over (``k = T + 1``) on, in one group.

    Args:
        after: the live after-scheduler.
        core: its relative schedule in this group (:func:`_after_core`).
        group: the param group's index.
        held: the lr the warmup left at ``k = T`` (what the hand-over's ``get_lr()`` reads as ``group["lr"]``).
        base: the base the warmup gave it, ``b * multiplier``.
        relative: ``base`` is the group's own base lr (multiplier 1): keep ``core`` relative where it can be.
    """
    name = type(after).__name__
    at_base = core if relative else WithBaseLR(core, base)
    if name in _HOLDS:
        return at_base
    if name == "ExponentialLR":
        return WithBaseLR(core, held * after.gamma)
    if name == "MultiplicativeLR":
        return WithBaseLR(core, held * after.lr_lambdas[group](0))
    if name == "PolynomialLR":
        total = after.total_iters
        if total == 0:
            raise ValueError(
                "from_native: GradualWarmupScheduler's after_scheduler is a PolynomialLR(total_iters=0), on which "
                "torch's get_lr() at the hand-over divides by zero"
            )
        return WithBaseLR(core, held * ((1.0 - 0 / total) / (1.0 - (0 - 1) / total)) ** after.power)
    # CosineAnnealingLR: the hand-over applies the recursion's step into step 0, so the first period is a cosine
    # from that raised lr down to eta_min; one step past the trough torch adds back from base_lrs and its
    # values are the multiplied base's cosine again
    t_max, eta = after.T_max, after.eta_min
    if isinstance(t_max, bool) or not isinstance(t_max, int):
        raise ValueError(f"from_native: the after_scheduler's CosineAnnealingLR.T_max must be an int, got {t_max!r}")
    if (0 - 1 - t_max) % (2 * t_max) == 0:
        raised = held + (base - eta) * (1 - math.cos(math.pi / t_max)) / 2
    else:
        raised = (1 + math.cos(math.pi * 0 / t_max)) / (1 + math.cos(math.pi * (0 - 1) / t_max)) * (held - eta) + eta
    return Sequence([WithBaseLR(core, raised), Shift(at_base, t_max + 1)], [t_max + 1])


def _gradual_warmup(native: Any, stepping: str) -> Schedule | Plateau:
    r"""A ``GradualWarmupScheduler``'s lr after ``k`` calls of its ``step()`` (k = 0: after construction).

    With multiplier :math:`m`, ``total_epoch`` :math:`T` and base :math:`b` (the group's ``initial_lr``):

    - :math:`k \le T`: :math:`b\,(k/T)` for :math:`m = 1` (warming from 0), else :math:`b\,((m - 1)k/T + 1)`
      (warming from :math:`b`), in that arithmetic: bit-identical;
    - no ``after_scheduler``: :math:`b\,m` for :math:`k > T`;
    - an ``after_scheduler`` :math:`A`: its schedule on base :math:`b\,m` (the warmup multiplies its
      ``base_lrs``) from :math:`k = T + 1`, the hand-over, where the warmup calls :math:`A`'s ``get_lr()`` at its
      step 0 outside its initial step: StepLR/MultiStepLR hold the lr of step :math:`T`, ExponentialLR,
      MultiplicativeLR and PolynomialLR apply one more factor to it (their phase runs from that lr),
      CosineAnnealingLR raises it above :math:`b\,m` by its recursion's step into step 0 (its first period
      descends from there), see :data:`_HOLDS`. From :math:`k = T + 2` the warmup steps :math:`A`;
    - a ``ReduceLROnPlateau``: see :func:`_warmup_plateau`.

    Exactness: the warmup, and the phase of a closed-form or replayed :math:`A` (LambdaLR,
    CosineAnnealingWarmRestarts, CosineAnnealingLR, LinearLR, MultiplicativeLR), are bit-identical where the
    warmup ends exactly on :math:`b\,m` (always for :math:`m = 1`; for :math:`m > 1` when
    :math:`(m - 1)T/T + 1 = m` in floats); torch's other recursions are within 1e-12 relative.
    """
    owner = "GradualWarmupScheduler"
    m = native.multiplier
    if isinstance(m, bool) or not isinstance(m, (int, float)) or not m >= 1:
        raise ValueError(f"from_native: {owner}.multiplier must be a number >= 1, got {m!r}")
    total = _check_int(owner, "total_epoch", native.total_epoch, minimum=1)
    after = native.after_scheduler
    groups = native.optimizer.param_groups
    bases = [_number(b) for b in native.base_lrs]
    if after is not None:
        from lrparity.backends.torch import natives

        if natives.TABLE.is_native(after, "ReduceLROnPlateau"):
            return _warmup_plateau(native, after, m, total, bases)
        after_core = _after_core(native, after)
    per: list[Schedule] = []
    for i, b in enumerate(bases):
        if m == 1.0:  # b * (k / T): FactorWarmup's b * (0 * (1 - a) + a) with a = k / T, the same float
            tail: Schedule = Constant()  # k >= T: b * 1.0 (the ramp's end b * (T / T) and the package's b * m)
            if after is not None:
                phase = _handover_phase(after, after_core.for_group(i), i, b * (total / total), b * m, True)
                tail = Sequence([Constant(), phase], [1])
            per.append(FactorWarmup(tail, total, start_factor=0.0))
            continue
        # b * ((m - 1) * k / T + 1): the base times a multiplier warmed from 1.0 to m in Warmup's arithmetic
        end = (m - 1.0) * total / total + 1.0  # the multiplier at k = T, which may miss m by an ulp
        if after is None:
            hold: Schedule = Constant(end) if end == m else Sequence([Constant(end), Constant(m)], [1])
            per.append(Chain([Constant(), Warmup(hold, total, start_lr=1.0, end_lr=float(m))]))
            continue
        ramp = Chain([Constant(), Warmup(Constant(end), total, start_lr=1.0, end_lr=float(m))])
        phase = _handover_phase(after, after_core.for_group(i), i, b * end, b * m, False)
        per.append(Sequence([ramp, phase], [total + 1]))
    return _pinned(per, bases, groups, "initial_lr")


def _warmup_plateau(native: Any, after: Any, m: float, total: int, bases: list[float]) -> Plateau:
    r"""The ``ReduceLROnPlateau`` path of ``GradualWarmupScheduler`` (``step_ReduceLROnPlateau``): a
    :class:`~lrparity.Plateau`, with a warmup when ``total_epoch`` :math:`T > 1`.

    That path counts from 1: construction sets the lr of epoch 1, :math:`b\,((m - 1)/T + 1)` (for :math:`m = 1`
    too: it never warms from 0), and the :math:`k`-th ``step(metrics=...)`` the lr of epoch :math:`k + 1`,
    :math:`b\,((m - 1)(k + 1)/T + 1)`, ignoring the metric, while :math:`k + 1 \le T`; from :math:`k = T` on
    the metrics go to the plateau, which reduces the lr it finds (the warmup's last, :math:`b\,((m - 1)T/T + 1)`).
    So a Plateau whose warmup is that ramp read one step later, for :math:`T - 1` steps; with :math:`T = 1` there
    is no ignored metric: a plateau from the start lr :math:`b\,m`. The package's arithmetic, bit-identical.
    """
    from lrparity.backends.torch import natives

    plateau = natives._plateau_of(after)
    if total > 1:
        if m == 1.0:  # b * ((1. - 1.) * k / T + 1.) = b * 1.0
            ramp: Schedule = Constant()
        else:  # b * ((m - 1) * k / T + 1) at k = t + 1 <= T, in Warmup's arithmetic
            end = (m - 1.0) * total / total + 1.0
            ramp = Shift(Chain([Constant(), Warmup(Constant(end), total, start_lr=1.0, end_lr=float(m))]), 1)
        start = bases[0] if len(set(bases)) == 1 else None  # the groups' own lrs otherwise
        return plateau.replace(warmup=ramp, warmup_steps=total - 1, start_lr=start)
    starts = [b * ((m - 1.0) * 1 / total + 1.0) for b in bases]
    if len(set(starts)) == 1:
        return plateau.replace(start_lr=starts[0])
    if m == 1.0:  # each group starts from its own lr
        return plateau
    raise ValueError(
        f"from_native: GradualWarmupScheduler(multiplier={m!r}) with a ReduceLROnPlateau starts the param groups "
        f"from different lrs {starts}; a Plateau's start_lr is one lr for every group"
    )


# ------------------------------------------------------------------------------------------------------------
# pytorch_accelerated.schedulers.CosineLrScheduler
# ------------------------------------------------------------------------------------------------------------
def _warmup_end(start: float, difference: float, steps: int) -> tuple[float, bool]:
    """An end lr ``z`` for IncrementalWarmup, whose increment is ``(z - start) / steps``, giving the package's
    increment ``difference / steps``, and whether one was found (else ``start + difference``: the increment within
    an ulp or two). The package subtracts ``warmup_starting_lr`` where the ramp starts at the ratio's start, so
    the increment cannot be written as (end - start) / steps of its own ends."""
    target = difference / steps
    guess = start + difference
    try:
        return nearby(guess, lambda z: (z - start) / steps == target, "the warmup end", "pytorch-accelerated"), True
    except ValueError:
        return guess, False


def _cosine_updates(native: Any) -> list[Schedule]:
    r"""Each group's ``CosineLrScheduler.get_updated_values(n)``, as a core schedule of ``n`` (per group: the
    ``*_ratio`` arguments make absolute values of its base).

    With :math:`W` warmup, :math:`C` cooldown and :math:`N` total updates, :math:`T_c = N - (W + C)`, base
    :math:`b` (the group's ``initial_<field>``), :math:`\eta` = ``lr_min`` (or ``min_lr_ratio`` :math:`\cdot b`),
    :math:`a` = ``warmup_starting_lr`` (the start is ``warmup_starting_lr_ratio`` :math:`\cdot b` if given)
    and :math:`k` = ``k_decay``:

    - :math:`n < W`: :math:`\mathrm{start} + n\,(b - a)/W` (with a ratio the increment still subtracts
      :math:`a`, so the warmup does not end at :math:`b`);
    - :math:`W \le n < T_c`: :math:`\eta + \tfrac12 (b - \eta)(1 + \cos(\pi (n - W)^k / T_c^k))` (the cosine is
      cut at :math:`T_c`, :math:`W` updates before its end, when there is a warmup);
    - :math:`n \ge \max(W, T_c)`: :math:`\eta`.
    """
    owner = "CosineLrScheduler"
    total = _check_int(owner, "total_iterations", native.total_iterations, minimum=1)
    warm = _check_int(owner, "warmup_iterations", native.warmup_iterations, minimum=0)
    cool = _check_int(owner, "num_cooldown_iterations", native.num_cooldown_iterations, minimum=0)
    cosine_length = total - (warm + cool)
    k = native.k_decay
    per = []
    for b in (_number(v) for v in native.base_lr_values):
        low: Schedule
        if native.lr_min_ratio is not None:
            eta = native.lr_min_ratio * b
            low = Constant(native.lr_min_ratio)  # b * ratio: the same float
        else:
            eta = native.lr_min
            low = _absolute(eta)
        decay: Schedule = low
        if cosine_length > warm:  # some n in [W, T_c) runs the cosine
            cosine = AnnealCycles(t_initial=cosine_length, eta_min=eta, k_decay=k)
            decay = Sequence([cosine, low], [cosine_length - warm]) if warm else cosine
        if not warm:
            per.append(decay)
            continue
        first = native.warmup_lr_init
        if native.warmup_lr_ratio is None:
            per.append(IncrementalWarmup(decay, warm, start_lr=first, end_factor=1.0))
            continue
        end, _ = _warmup_end(native.warmup_lr_ratio * b, b - first, warm)
        per.append(IncrementalWarmup(decay, warm, start_factor=native.warmup_lr_ratio, end_lr=end))
    return per


def _cosine_lr(native: Any, stepping: str) -> Schedule | dict[str, Schedule]:
    """A ``CosineLrScheduler``: stepped with ``step()`` (its Trainer), the value after ``k`` calls is
    ``get_updated_values(k - 1)``; stepped with ``step_update(n)``, ``get_updated_values(n)`` for ``n >= 1``.
    Both start (step 0, before the first update) from what construction wrote: ``warmup_starting_lr`` with a
    warmup (even where a ratio gives the warmup another start), else the base."""
    field = native.param_group_field
    if not isinstance(field, str):
        raise ValueError(f"from_native: CosineLrScheduler.param_group_field must be a str, got {field!r}")
    first = _absolute(native.warmup_lr_init) if native.warmup_iterations else Constant()
    if stepping == "step_update":  # n >= 1: get_updated_values(n)
        per = [Sequence([first, Shift(u, 1)], [1]) for u in _cosine_updates(native)]
    else:  # k >= 1: get_updated_values(k - 1)
        per = [Sequence([first, u], [1]) for u in _cosine_updates(native)]
    bases = [_number(v) for v in native.base_lr_values]
    schedule = _pinned(per, bases, native.optimizer.param_groups, f"initial_{field}")
    return schedule if field == "lr" else {field: schedule}


# ------------------------------------------------------------------------------------------------------------
# the table
# ------------------------------------------------------------------------------------------------------------
ROWS = (
    ThirdPartyRow(
        "warmup-scheduler 0.3", "warmup_scheduler.scheduler", "GradualWarmupScheduler", "get_lr()", _gradual_warmup
    ),
    ThirdPartyRow(
        "pytorch-accelerated 0.1.61",
        "pytorch_accelerated.schedulers.cosine_scheduler",
        "CosineLrScheduler",
        "get_updated_values()",
        _cosine_lr,
    ),
)
"""The other packages' schedulers :func:`lrparity.from_native` converts."""

_FAMILY = ("pytorch_accelerated.schedulers.scheduler_base", "SchedulerBase", "pytorch-accelerated 0.1.61")
"""pytorch-accelerated's scheduler base: its other schedulers are named as not converted."""


def row_of(native: Any) -> ThirdPartyRow | None:
    """The row of ``native``'s exact class; None when it is none of theirs (nor a subclass).

    Raises:
        TypeError: ``native`` is a subclass of a row's class (a subclass may override the method its values come
            from: convert its base class explicitly), or another pytorch-accelerated scheduler.
    """
    kind = type(native)
    name = f"{kind.__module__}.{kind.__qualname__}"
    for row in ROWS:
        cls = row.live_class()
        if cls is None:
            continue
        if kind is cls:
            return row
        if isinstance(native, cls):
            raise TypeError(
                f"from_native: {name} is a subclass of {row.package.split()[0]}'s {row.name}, and a subclass may "
                f"override {row.overrides}; convert its base class explicitly: build a {row.module}.{row.name} with "
                "the same arguments and pass that to from_native"
            )
    module, base, package = _FAMILY
    cls = getattr(sys.modules.get(module), base, None)
    if isinstance(cls, type) and isinstance(native, cls):
        converted = ", ".join(r.name for r in ROWS if r.package == package)
        raise TypeError(
            f"from_native: {name} is a {package.split()[0]} scheduler other than {converted}, the one lrparity "
            "converts: its values cannot be read from its arguments"
        )
    return None


def from_native(native: Any, *, stepping: str = "step") -> Any:
    """The core schedule a live ``GradualWarmupScheduler`` or pytorch-accelerated ``CosineLrScheduler`` computes,
    from step 0 whatever step it is at.

    ``torch_scheduler(from_native(native), optimizer)``, stepped as the native is, writes the native's values
    into an optimizer with the same param groups.

    - ``GradualWarmupScheduler``: its lr after each ``step()`` (one call per epoch, without the deprecated epoch
      argument); with a ``ReduceLROnPlateau`` after it, a :class:`~lrparity.Plateau` (with a warmup of
      ``total_epoch - 1`` steps when ``total_epoch > 1``).
    - ``CosineLrScheduler``: with ``stepping="step"`` (the default; pytorch-accelerated's Trainer calls
      ``step()`` after each optimizer update) its value after ``k`` calls of ``step()``; with
      ``stepping="step_update"``, the value ``step_update(n)`` writes (``n >= 1``), for a loop that calls
      ``scheduler.step_update(num_updates)`` after each update (one update ahead of ``step()``: the package's
      stateful counter starts at -1). Step 0 is what construction wrote, in both.
      When its ``param_group_field`` is not ``"lr"`` the result is ``{field: schedule}``, which
      ``lrparity.torch_scheduler`` drives as is (``torch_scheduler(schedule, optimizer, field=field)`` is the same).

    Args:
        native: the live scheduler.
        stepping: ``"step"`` or ``"step_update"``: how ``native`` is (or would be) stepped; only
            ``CosineLrScheduler`` has both.

    Raises:
        TypeError: ``native`` is none of these classes, or a subclass of one.
        ValueError: an argument or combination with no exact schedule (named in the message).
    """
    if stepping not in ("step", "step_update"):
        raise ValueError(f"from_native: stepping must be 'step' or 'step_update', got {stepping!r}")
    row = row_of(native)
    if row is None:
        kind = type(native)
        raise TypeError(
            f"from_native: {kind.__module__}.{kind.__qualname__} is not one of "
            f"{', '.join(r.name for r in ROWS)} (the other packages' schedulers lrparity converts)"
        )
    if stepping == "step_update" and row.name != "CosineLrScheduler":
        raise ValueError(f"from_native: stepping='step_update' is for CosineLrScheduler; a {row.name} has step()")
    return row.to_core(native, stepping)
