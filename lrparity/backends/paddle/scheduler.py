"""The paddle adapter: a ``paddle.optimizer.lr.LRScheduler`` whose value comes from an lrparity schedule.

Example::

    sched = lrparity.paddle_scheduler(lrparity.Cosine(T_max=1000), learning_rate=0.1)
    opt = paddle.optimizer.Momentum(learning_rate=sched, parameters=model.parameters())

The scheduler is a real paddle ``LRScheduler``: every paddle optimizer accepts it as ``learning_rate=``, in
dygraph and in static graph (the ``Executor`` reads ``sched()`` before each ``run``), paddle param-group
multipliers (``{'params': ..., 'learning_rate': m}``) apply ``m * sched()`` as usual, and
``optimizer.state_dict()["LR_Scheduler"]`` round-trips. This module does no schedule math: every value is the
core's, ``schedule.value(t, learning_rate)`` with ``t = last_epoch`` (read from a block of
``schedule.values(...)``, which the core guarantees bit-identical to ``value``, so that a ``step()`` costs
about what a native's does). The optimizer's other per-group hyperparameters follow schedules through
:meth:`Scheduler.attach_fields` (:mod:`lrparity.backends.paddle.fields`).

Paddle holds one scalar lr per scheduler; :func:`paddle_scheduler` therefore takes one base
``learning_rate`` (required for relative schedules, refused for absolute ones).
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Mapping
from typing import Any, TypeVar

from paddle.optimizer import lr as _native

from lrparity.backends.neutral.blocks import BlockCache
from lrparity.backends.neutral.foreign import ForeignWriteWarning, foreign_write_message
from lrparity.backends.neutral.state import check_state, config_or_none, neutral
from lrparity.backends.paddle.fields import FieldHook, MomentumHook, still_holds
from lrparity.backends.paddle.natives import check_learning_rate, native_state_hint
from lrparity.backends.paddle.plateau import PlateauScheduler
from lrparity.core import PerGroup, Plateau, Schedule, from_config
from lrparity.core.validation import check_int

__all__ = ["Scheduler", "paddle_scheduler"]

FieldHookT = TypeVar("FieldHookT", bound=FieldHook)


def _check_schedule(schedule: Any) -> Schedule:
    if isinstance(schedule, Mapping):
        schedule = from_config(schedule)
    if isinstance(schedule, Plateau):
        raise TypeError("a Plateau is not a step schedule: use paddle_scheduler(plateau, learning_rate=...) instead")
    if not isinstance(schedule, Schedule):
        raise TypeError(f"schedule must be an lrparity Schedule (or its config dict), got {schedule!r}")
    if isinstance(schedule, PerGroup):
        raise ValueError(
            f"paddle holds one lr per scheduler, but this PerGroup has {len(schedule.schedules)} schedules: give "
            "paddle one schedule and scale the param groups with {'params': ..., 'learning_rate': multiplier}"
        )
    return schedule


class Scheduler(_native.LRScheduler):
    r"""A paddle ``LRScheduler`` with the values of an lrparity schedule: ``sched() = schedule(last_epoch, lr)``.

    ``last_epoch`` (``t``) counts ``step()`` calls: 0 after construction, as in every paddle scheduler. The lr in
    effect is ``last_lr = schedule.value(t, learning_rate)``; the optimizer reads it with ``sched()`` (dygraph:
    at every ``optimizer.step()``; static graph: at every ``Executor.run``) and casts it to the dtype of its lr
    variable (float32 for a float32 model). Step it once per optimizer step (or once per epoch, if the
    schedule's steps are epochs).

    Args:
        schedule: the lrparity schedule (or its config dict). ``PerGroup`` is refused: paddle has one lr; use
            param-group ``learning_rate`` multipliers instead.
        learning_rate: base lr for a relative schedule (``schedule.uses_base_lr``); a real number >= 0.
            Required for relative schedules, refused for absolute ones (``WithBaseLR``, ``OneCycle``,
            ``Cyclic``, ``Piecewise``, ...), whose values are already lrs.
        last_epoch: paddle's resume argument: the scheduler starts at step ``last_epoch + 1``; -1 (default)
            starts at 0. Exact at any step (every lrparity schedule is a closed form).
        verbose: print the lr at each step, as paddle does.
        cache: compute the lr in blocks of steps with ``schedule.values`` (bit-identical to ``value``), which
            makes ``step()`` as cheap as a native's. Pass False to call ``schedule.value`` at each step (e.g.
            for a ``Lambda`` whose function reads state that changes during training).

    Attributes:
        schedule: the schedule.
        base_lr: ``learning_rate`` (relative schedules) or the lr at step 0 (absolute ones).
        last_epoch: steps taken, ``t``.
        last_lr: the lr at ``t``.
    """

    def __init__(
        self,
        schedule: Schedule | Mapping[str, Any],
        learning_rate: float | None = None,
        last_epoch: int = -1,
        verbose: bool = False,
        *,
        cache: bool = True,
    ) -> None:
        schedule = _check_schedule(schedule)
        base = check_learning_rate("paddle_scheduler", schedule, learning_rate)
        last_epoch = check_int("paddle_scheduler", "last_epoch", last_epoch, minimum=-1)
        self.schedule = schedule
        self._base = base
        self._config = config_or_none(schedule)
        self._lrs = BlockCache(schedule, base, cache)
        self._hooks: tuple[FieldHook, ...] = ()  # attach_fields / attach_momentum, called after each step
        self._written: float | None = None  # the last_lr this scheduler set last
        self._watch = True  # compare last_lr with it before each step() until a foreign write was reported
        start = base if base is not None else self._lrs.at(0)
        super().__init__(start, last_epoch, verbose)

    # -- values ------------------------------------------------------------------------------------------------
    def get_lr(self) -> float:
        """The lr at step ``last_epoch``: ``schedule.value(last_epoch, learning_rate)``."""
        lrs = self._lrs  # BlockCache.at, its hit path inlined: one call less per step()
        i = self.last_epoch - lrs.lo
        if 0 <= i < lrs.n:
            return lrs.block[i]
        return lrs.at(self.last_epoch)

    # -- stepping ----------------------------------------------------------------------------------------------
    def step(self, epoch: int | None = None) -> None:
        """Advance one step (``epoch=None``), or jump to step ``epoch``; then ``last_lr`` is the lr there.

        The lr is absolute: a ``last_lr`` changed by other code since this scheduler set it is overwritten, which
        a :class:`ForeignWriteWarning` reports (once per scheduler).
        """
        if self._watch and self.last_lr is not self._written:
            self._check_written()
        if epoch is None:
            self.last_epoch += 1
        else:
            self.last_epoch = check_int(type(self).__name__, "epoch", epoch, minimum=0)
        self.last_lr = self._written = self.get_lr()
        if self._hooks:
            for hook in self._hooks:
                hook(self.last_epoch)
        if self.verbose:
            print(f"Epoch {self.last_epoch}: {type(self).__name__} set learning rate to {self.last_lr}.")

    def _check_written(self) -> None:
        """Warn (once) when ``last_lr`` is no longer the value this scheduler set."""
        wrote, now = self._written, self.last_lr
        if wrote is None or still_holds(now, wrote):  # nothing set yet (paddle's initial step), or the same value
            return
        self._watch = False  # warned once
        hint = "code that assigned last_lr; paddle's optimizer.set_lr refuses a scheduler"
        message = foreign_write_message(type(self).__name__, "last_lr", wrote, now, self.last_epoch + 1, hint)
        warnings.warn(message, ForeignWriteWarning, stacklevel=3)

    def attach_fields(
        self, optimizer: Any, fields: Mapping[str, Schedule] | None = None, *, bias_correction: str = "paddle"
    ) -> FieldHook:
        """Drive ``optimizer``'s per-group hyperparameters with ``fields`` from now on (dygraph only).

        ``fields`` maps what paddle reads per param group at every step (``"momentum"``, ``"beta1"``, ``"beta2"``,
        ``"epsilon"``, AdamW's ``"weight_decay"``, ...; ``"momentum"`` means ``beta1`` on the Adam family) to
        schedules, as :func:`~lrparity.torch_scheduler` takes ``{field: schedule}``; a ``PerGroup`` gives each param
        group its own. None drives this scheduler's companions (``OneCycle``/``Cyclic`` with
        ``cycle_momentum=True``: the momentum). The values at the current step are written at once, then after
        every ``step()`` and ``set_state_dict()``. See :class:`~lrparity.backends.paddle.fields.FieldHook`.

        Raises:
            ValueError: a field the optimizer does not read per group (naming those it does), no companion to
                drive, or a field this scheduler (or the optimizer's own lrparity scheduler) already drives.
        """
        if fields is None:
            fields = self.schedule.companions()
            if not fields:
                raise ValueError(
                    f"attach_fields: {type(self.schedule).__name__} has no companion (only OneCycle and Cyclic with "
                    "cycle_momentum=True have one): pass the fields to drive, {field: schedule}"
                )
        return self._attach(FieldHook(optimizer, fields, bias_correction=bias_correction), "attach_fields")

    def attach_momentum(
        self, optimizer: Any, schedule: Schedule | None = None, *, bias_correction: str = "paddle"
    ) -> MomentumHook:
        """Drive the optimizer's momentum (``Momentum``) or beta1 (Adam family) with ``schedule`` from now on.

        ``schedule`` defaults to ``self.schedule.companions()["momentum"]`` (``OneCycle`` / ``Cyclic`` with
        ``cycle_momentum=True``). The value at the current step is written at once, then after every
        ``step()`` and ``set_state_dict()``. Dygraph only. ``bias_correction="torch"``: Adam/AdamW divide by
        torch's :math:`1 - \\beta_{1,t}^{\\,t}`. See :class:`~lrparity.backends.paddle.fields.MomentumHook`;
        :meth:`attach_fields` drives any per-group field.
        """
        if schedule is None:
            schedule = self.schedule.companions().get("momentum")
            if schedule is None:
                raise ValueError(
                    f"attach_momentum: {type(self.schedule).__name__} has no momentum companion (only OneCycle and "
                    "Cyclic with cycle_momentum=True have one): pass the momentum schedule explicitly"
                )
        return self._attach(MomentumHook(optimizer, schedule, bias_correction=bias_correction), "attach_momentum")

    def _attach(self, hook: FieldHookT, method: str) -> FieldHookT:
        """Run ``hook`` now and after every step, refusing a field another hook already drives on its optimizer."""
        for owner in (self, getattr(hook.optimizer, "_learning_rate", None)):
            if not isinstance(owner, Scheduler):
                continue
            for other in owner._hooks:
                shared = sorted(other.driven & hook.driven) if other.optimizer is hook.optimizer else []
                if shared:
                    which = "this scheduler" if owner is self else "the optimizer's own lr scheduler"
                    raise ValueError(
                        f"{method}: {which} already drives this optimizer's {', '.join(shared)}: two hooks would "
                        "overwrite each other's absolute values at every step. Drive it once (one schedule per field; "
                        "combine schedules with lrparity.Chain or lrparity.Sequence)"
                    )
        hook(self.last_epoch)
        self._hooks = (*self._hooks, hook)
        return hook

    # -- state -------------------------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:  # type: ignore[override]
        """The neutral lrparity state, ``{"lrparity": 1, "step": t, "schedule": config, "plateau": None}``,
        plus paddle's ``last_epoch`` / ``last_lr`` and the base ``learning_rate``.

        ``"schedule"`` is None when the schedule holds a lambda (only module-level functions can be saved).
        """
        return {
            **neutral(self.last_epoch, self._config, None),
            "learning_rate": self._base,
            "last_epoch": self.last_epoch,
            "last_lr": self.last_lr,
        }

    def state_keys(self) -> None:
        self.keys = ["lrparity", "step", "schedule", "plateau", "learning_rate", "last_epoch", "last_lr"]

    def set_state_dict(self, state_dict: Mapping[str, Any]) -> None:  # type: ignore[override]
        """Resume at the state's step (written by this backend or the torch one).

        Raises ValueError, changing nothing, when the state is not an lrparity state, was saved for another
        schedule or another base ``learning_rate``, or holds a plateau state.
        """
        owner = type(self).__name__
        step = check_state(owner, "set_state_dict", state_dict, self._config, plateau=False, hint=native_state_hint)
        theirs = state_dict.get("learning_rate")
        if isinstance(theirs, numbers.Real) and self._base is not None and float(theirs) != self._base:
            raise ValueError(
                f"{owner}.set_state_dict: the state was saved with learning_rate={theirs!r}, this scheduler has "
                f"learning_rate={self._base!r}"
            )
        lr = self._lrs.at(step)
        self.last_epoch, self.last_lr = step, lr
        self._written = lr
        for hook in self._hooks:
            hook(step, check=False)

    set_dict = set_state_dict


def paddle_scheduler(
    schedule: Schedule | Plateau | Mapping[str, Any],
    learning_rate: float | None = None,
    *,
    last_epoch: int = -1,
    verbose: bool = False,
    cache: bool = True,
) -> Scheduler | PlateauScheduler:
    """A paddle ``LRScheduler`` computing ``schedule``: a :class:`Scheduler`, or a :class:`PlateauScheduler`
    for a :class:`~lrparity.Plateau`.

    Args:
        schedule: an lrparity schedule, a ``Plateau``, or the config dict of either.
        learning_rate: base lr of a relative schedule (required); the starting lr of a Plateau (required
            unless the Plateau carries its ``start_lr``); refused for absolute schedules.
        last_epoch: resume at step ``last_epoch + 1`` (paddle's convention); -1 starts at 0. Not for Plateau.
        verbose: print lr changes.
        cache: see :class:`Scheduler`.
    """
    if isinstance(schedule, Mapping):
        schedule = from_config(schedule)
    if isinstance(schedule, Plateau):
        if last_epoch != -1:
            raise ValueError(
                f"paddle_scheduler: a Plateau starts at step 0 (last_epoch={last_epoch!r} given): restore its "
                "state with set_state_dict instead"
            )
        return PlateauScheduler(schedule, learning_rate, verbose)
    return Scheduler(schedule, learning_rate, last_epoch, verbose, cache=cache)
