"""The paddle backend: a ``paddle.optimizer.lr.LRScheduler`` whose value comes from an lrparity schedule.

Example::

    sched = lrparity.paddle_scheduler(lrparity.Cosine(T_max=1000), learning_rate=0.1)
    opt = paddle.optimizer.Momentum(learning_rate=sched, parameters=model.parameters())

The scheduler is a real paddle ``LRScheduler``: every paddle optimizer accepts it as ``learning_rate=``, in
dygraph and in static graph (the ``Executor`` reads ``sched()`` before each ``run``), paddle param-group
multipliers (``{'params': ..., 'learning_rate': m}``) apply ``m * sched()`` as usual, and
``optimizer.state_dict()["LR_Scheduler"]`` round-trips. This module does no schedule math: every value is the
core's, ``schedule.value(t, learning_rate)`` with ``t = last_epoch`` (read from a block of
``schedule.values(...)``, which the core guarantees bit-identical to ``value``, so that a ``step()`` costs
about what a native's does).

Paddle holds one scalar lr per scheduler; :func:`paddle_scheduler` therefore takes one base
``learning_rate`` (required for relative schedules, refused for absolute ones).
"""

from __future__ import annotations

import dataclasses
import numbers
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import paddle
from paddle.optimizer import lr as _native

from lrparity.backends._blocks import BlockCache
from lrparity.backends._foreign import ForeignWriteWarning, foreign_write_message
from lrparity.backends._state import STATE_VERSION as STATE_VERSION  # re-exported: the format version
from lrparity.backends._state import check_state, config_or_none, neutral
from lrparity.backends.paddle_native import convert
from lrparity.core import (
    PerGroup,
    Plateau,
    PlateauState,
    Schedule,
    WithBaseLR,
    from_config,
)
from lrparity.core.validation import check_choice, check_int, check_number

__all__ = ["ForeignWriteWarning", "MomentumHook", "PlateauScheduler", "Scheduler", "from_native", "paddle_scheduler"]


# ------------------------------------------------------------------------------------------------------------
# argument checks
# ------------------------------------------------------------------------------------------------------------
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


def _check_base(schedule: Schedule, learning_rate: Any) -> float | None:
    name = type(schedule).__name__
    if schedule.uses_base_lr:
        if learning_rate is None:
            raise ValueError(
                f"paddle_scheduler: {name} is relative (it scales a base lr), so learning_rate is required: pass "
                f"learning_rate=<base lr, a float >= 0>, or pin the base with WithBaseLR({name}(...), base_lr)"
            )
        return float(check_number("paddle_scheduler", "learning_rate", learning_rate, low=0.0))
    if learning_rate is not None:
        raise ValueError(
            f"paddle_scheduler: {name} is absolute (it carries its own lr values), so learning_rate="
            f"{learning_rate!r} would be ignored: leave learning_rate out"
        )
    return None


def _plateau_start(plateau: Plateau, learning_rate: Any) -> float:
    if learning_rate is None:
        if plateau.start_lr is None:
            raise ValueError(
                "paddle_scheduler: a Plateau needs learning_rate, the lr it starts from (a float >= 0), unless it "
                "carries one (Plateau(start_lr=...))"
            )
        return plateau.start_lr
    lr = float(check_number("paddle_scheduler", "learning_rate", learning_rate, low=0.0))
    if plateau.start_lr is not None and lr != plateau.start_lr:
        raise ValueError(
            f"paddle_scheduler: this Plateau starts from its own start_lr={plateau.start_lr!r}, so learning_rate="
            f"{learning_rate!r} contradicts it: leave learning_rate out"
        )
    return lr


def _same(now: Any, wrote: Any) -> bool:
    """Whether ``now`` still holds ``wrote`` (floats, or a one-element Tensor against a float)."""
    if isinstance(now, paddle.Tensor):
        return int(np.prod(now.shape)) == 1 and float(now) == float(np.asarray(wrote, dtype=_dtype(now)))
    return now == wrote or (now != now and wrote != wrote)  # nan stays nan


def _dtype(tensor: Any) -> Any:
    try:
        return np.dtype(str(tensor.dtype).rsplit(".", 1)[-1])
    except TypeError:  # bfloat16 and the like: compare in float64
        return np.float64


def _check_last_epoch(last_epoch: Any) -> int:
    return check_int("paddle_scheduler", "last_epoch", last_epoch, minimum=-1)


def _native_hint(state: Mapping[str, Any]) -> str:
    last_epoch = state.get("last_epoch")
    if not isinstance(last_epoch, int):
        return ""
    return (
        f" It looks like a native paddle scheduler's state (last_epoch={last_epoch}): to continue from it, build "
        f"the lrparity scheduler with last_epoch={last_epoch - 1} instead."
    )


# ------------------------------------------------------------------------------------------------------------
# the scheduler
# ------------------------------------------------------------------------------------------------------------
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
        base = _check_base(schedule, learning_rate)
        last_epoch = _check_last_epoch(last_epoch)
        self.schedule = schedule
        self._base = base
        self._config = config_or_none(schedule)
        self._lrs = BlockCache(schedule, base, cache)
        self._hooks: tuple[MomentumHook, ...] = ()
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
        if wrote is None or _same(now, wrote):  # nothing set yet (paddle's initial step), or the same value
            return
        self._watch = False  # warned once
        hint = "code that assigned last_lr; paddle's optimizer.set_lr refuses a scheduler"
        message = foreign_write_message(type(self).__name__, "last_lr", wrote, now, self.last_epoch + 1, hint)
        warnings.warn(message, ForeignWriteWarning, stacklevel=3)

    def attach_momentum(
        self, optimizer: Any, schedule: Schedule | None = None, *, bias_correction: str = "paddle"
    ) -> MomentumHook:
        """Drive the optimizer's momentum (``Momentum``) or beta1 (Adam family) with ``schedule`` from now on.

        ``schedule`` defaults to ``self.schedule.companions()["momentum"]`` (``OneCycle`` / ``Cyclic`` with
        ``cycle_momentum=True``). The value at the current step is written at once, then after every
        ``step()`` and ``set_state_dict()``. Dygraph only. ``bias_correction="torch"``: Adam/AdamW divide by
        torch's :math:`1 - \\beta_{1,t}^{\\,t}`. See :class:`MomentumHook`.
        """
        if schedule is None:
            schedule = self.schedule.companions().get("momentum")
            if schedule is None:
                raise ValueError(
                    f"attach_momentum: {type(self.schedule).__name__} has no momentum companion (only OneCycle and "
                    "Cyclic with cycle_momentum=True have one): pass the momentum schedule explicitly"
                )
        hook = MomentumHook(optimizer, schedule, bias_correction=bias_correction)
        for owner in (self, getattr(optimizer, "_learning_rate", None)):
            if isinstance(owner, Scheduler) and any(h.optimizer is optimizer for h in owner._hooks):
                which = "this scheduler" if owner is self else "the optimizer's own lr scheduler"
                raise ValueError(
                    f"attach_momentum: {which} already drives this optimizer's {hook.field}: two hooks would "
                    "overwrite each other's absolute values at every step. Drive it once (one momentum schedule; "
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
        step = check_state(owner, "set_state_dict", state_dict, self._config, plateau=False, hint=_native_hint)
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


# ------------------------------------------------------------------------------------------------------------
# reduce on plateau
# ------------------------------------------------------------------------------------------------------------
class PlateauScheduler(_native.ReduceOnPlateau):
    """A paddle ``ReduceOnPlateau`` driven by the core's :class:`~lrparity.Plateau` state machine.

    ``step(metrics, epoch=None)`` as paddle's: the metric is a number or a one-element array / Tensor. With
    ``Plateau(semantics="paddle")`` (what :func:`from_native` returns) the lrs are paddle's, step for step;
    ``semantics="torch"`` gives torch ``ReduceLROnPlateau``'s cooldown and threshold arithmetic in paddle.

    Args:
        plateau: the plateau rule (or its config dict). Its ``min_lr`` is a number or a 1-tuple.
        learning_rate: the starting lr; a real number >= 0. Required unless the plateau carries its
            ``start_lr`` (what :func:`from_native` of a ``ReduceOnPlateau`` returns); then it may be left out,
            and a different value is refused.
        verbose: print the lr when it is reduced.
    """

    def __init__(
        self, plateau: Plateau | Mapping[str, Any], learning_rate: float | None = None, verbose: bool = False
    ) -> None:
        if isinstance(plateau, Mapping):
            plateau = from_config(plateau)
        if not isinstance(plateau, Plateau):
            raise TypeError(f"PlateauScheduler: plateau must be an lrparity Plateau, got {plateau!r}")
        lr = _plateau_start(plateau, learning_rate)
        self.plateau = plateau
        self._config = plateau.to_config()
        self._state = plateau.initial_state([lr])
        self.base_lr = lr
        self.last_lr = lr
        self.last_epoch = 0
        self.verbose = verbose
        self._var_name = None
        # paddle's attribute names, for code that reads them
        self.mode, self.factor, self.patience = plateau.mode, plateau.factor, plateau.patience
        self.threshold, self.threshold_mode, self.cooldown = plateau.threshold, plateau.threshold_mode, plateau.cooldown
        self.min_lr = plateau.min_lrs(1)[0]
        self.epsilon = plateau.eps

    @property
    def state(self) -> PlateauState:
        """The core plateau state (lrs, best, counters, last_epoch)."""
        return self._state

    @property
    def best(self) -> float | None:  # type: ignore[override]
        return self._state.best

    @property
    def num_bad_epochs(self) -> int:  # type: ignore[override]
        return self._state.num_bad_epochs

    @property
    def cooldown_counter(self) -> int:  # type: ignore[override]
        return self._state.cooldown_counter

    def get_lr(self) -> float:
        """The current lr (a plateau has no formula of the step)."""
        return self.last_lr

    def step(self, metrics: Any, epoch: int | None = None) -> None:  # type: ignore[override]
        """Record one metric value (``epoch``: set ``last_epoch`` to it instead of adding 1)."""
        if isinstance(metrics, (str, bytes)):
            raise TypeError(f"PlateauScheduler.step: metrics must be a number or a one-element tensor, got {metrics!r}")
        if epoch is not None:
            epoch = check_int("PlateauScheduler", "epoch", epoch, minimum=0)
        if not isinstance(metrics, numbers.Real) and callable(getattr(metrics, "item", None)):
            if int(np.prod(metrics.shape)) == 1:  # a [1]-shaped Tensor / array: float() refuses it (numpy 2)
                metrics = metrics.item()
        state = self.plateau.update(self._state, metrics)
        if epoch is not None:
            state = dataclasses.replace(state, last_epoch=epoch)
        reduced = state.lrs[0] != self.last_lr
        self._state, self.last_epoch, self.last_lr = state, state.last_epoch, state.lrs[0]
        if self.verbose and reduced:
            print(f"Epoch {self.last_epoch}: {type(self).__name__} set learning rate to {self.last_lr}.")

    def state_dict(self) -> dict[str, Any]:  # type: ignore[override]
        """The neutral lrparity state (``"plateau"`` holds the core state) plus paddle's ReduceOnPlateau keys."""
        s = self._state
        return {
            **neutral(self.last_epoch, self._config, s.to_dict()),
            "cooldown_counter": s.cooldown_counter,
            "best": s.best,
            "num_bad_epochs": s.num_bad_epochs,
            "last_epoch": self.last_epoch,
            "last_lr": self.last_lr,
        }

    def state_keys(self) -> None:
        self.keys = ["lrparity", "step", "schedule", "plateau"]

    def set_state_dict(self, state_dict: Mapping[str, Any]) -> None:  # type: ignore[override]
        """Resume from ``state_dict()``'s dict; ValueError (changing nothing) if it does not fit this plateau."""
        owner = type(self).__name__
        step = check_state(
            owner, "set_state_dict", state_dict, self._config, plateau=True, hint=_native_hint, ignore=("start_lr",)
        )
        state = PlateauState.from_dict(state_dict["plateau"])
        if len(state.lrs) != 1:
            raise ValueError(
                f"{owner}.set_state_dict: the plateau state holds {len(state.lrs)} lrs (one per torch param group); "
                "paddle has one"
            )
        if state.last_epoch != step:
            raise ValueError(
                f"{owner}.set_state_dict: state['step']={step} disagrees with the plateau's last_epoch="
                f"{state.last_epoch}"
            )
        self._state, self.last_epoch, self.last_lr = state, step, state.lrs[0]

    set_dict = set_state_dict


# ------------------------------------------------------------------------------------------------------------
# momentum / beta1
# ------------------------------------------------------------------------------------------------------------
class MomentumHook:
    r"""Writes a momentum schedule into a paddle optimizer (dygraph): ``Momentum``'s ``momentum``, or ``beta1``
    of the Adam family (``Adam``, ``AdamW``, ``Adamax``, ``Lamb``, ``NAdam``, ``RAdam``).

    ``hook(t)`` sets the optimizer's value to ``schedule.value(t)`` (an absolute momentum) in every place
    paddle reads it: the optimizer attribute, its defaults and every param group. A ``beta1`` given as a
    Tensor is filled in place. :meth:`Scheduler.attach_momentum` calls it after each ``step()``.

    This is torch's ``OneCycleLR`` / ``CyclicLR`` ``cycle_momentum``. With ``paddle.optimizer.Momentum``
    (:math:`v \leftarrow \mu v + g`, :math:`p \leftarrow p - \mathrm{lr}\,v`, torch SGD's rule with
    ``dampening=0``) the update is torch's. Paddle's Adam divides by :math:`1 - \prod_k \beta_{1,k}` (its
    ``beta1_pow`` accumulator multiplies up the beta1 values it was given), torch's by
    :math:`1 - \beta_{1,t}^{\,t}`; ``bias_correction="torch"`` rewrites paddle's accumulator to
    :math:`\beta_{1,t}^{\,t+1}` before optimizer step ``t + 1``, which is torch's rule provided the scheduler
    steps once per optimizer step (Adam and AdamW only).

    Args:
        optimizer: a dygraph paddle optimizer of the classes above.
        schedule: the momentum values (absolute, e.g. ``OneCycle(...).companions()["momentum"]``).
        bias_correction: ``"paddle"`` (leave paddle's Adam as it is) or ``"torch"``.
    """

    def __init__(self, optimizer: Any, schedule: Schedule, *, bias_correction: str = "paddle") -> None:
        if not isinstance(schedule, Schedule):
            raise TypeError(f"MomentumHook: schedule must be an lrparity Schedule, got {schedule!r}")
        if not paddle.in_dynamic_mode():
            raise RuntimeError(
                "MomentumHook works in dygraph only: a static program bakes momentum / beta1 into its ops"
            )
        self.field = self.field_of(optimizer)
        bias_correction = check_choice("MomentumHook", "bias_correction", bias_correction, ("paddle", "torch"))
        if bias_correction == "torch" and (
            not isinstance(optimizer, (paddle.optimizer.Adam, paddle.optimizer.AdamW)) or optimizer._use_multi_tensor
        ):
            raise ValueError(
                "MomentumHook: bias_correction='torch' needs paddle.optimizer.Adam or AdamW without "
                f"use_multi_tensor, got {type(optimizer).__name__}"
            )
        self.optimizer = optimizer
        self.schedule = schedule
        self.bias_correction = bias_correction
        self._value = schedule.value
        self._wrote: tuple[float, Any, int | None] | None = None  # (value, object set, tensor version)
        self._watch = True

    @staticmethod
    def field_of(optimizer: Any) -> str:
        """``"momentum"`` (``paddle.optimizer.Momentum``) or ``"beta1"`` (Adam family); TypeError otherwise."""
        if isinstance(optimizer, paddle.optimizer.Momentum):
            return "momentum"
        if hasattr(optimizer, "_beta1") and "beta1" in getattr(optimizer, "_default_dict", {}):
            return "beta1"
        raise TypeError(
            "MomentumHook: optimizer must be paddle.optimizer.Momentum or an Adam-family optimizer with beta1 "
            f"(Adam, AdamW, Adamax, Lamb, NAdam, RAdam), got {type(optimizer).__name__}"
        )

    def _places(self) -> list[tuple[str, Any]]:
        """Every place this hook sets, with its value now: ``(where, value)``."""
        opt, field = self.optimizer, self.field
        places = [(f"optimizer._{field}", getattr(opt, "_" + field))]
        places.append((f"optimizer._default_dict[{field!r}]", opt._default_dict.get(field)))
        groups = enumerate(opt._param_groups)
        places += [(f"optimizer._param_groups[{j}][{field!r}]", g[field]) for j, g in groups if isinstance(g, dict)]
        return places

    def _check(self, step: int) -> None:
        """Warn (once) when a place this hook set holds another value now (see :class:`ForeignWriteWarning`)."""
        value, obj, version = self._wrote  # type: ignore[misc]
        for where, now in self._places():
            if now is obj and (version is None or now._inplace_version() == version):
                continue
            if _same(now, value):
                continue
            self._watch = False
            hint = "another hook or code that set the optimizer's momentum/beta1"
            found = float(now) if isinstance(now, paddle.Tensor) and int(np.prod(now.shape)) == 1 else now
            message = foreign_write_message("MomentumHook", where, value, found, step, hint)
            warnings.warn(message, ForeignWriteWarning, stacklevel=4)
            return

    def __call__(self, step: int, check: bool = True) -> None:
        """Set the optimizer's momentum / beta1 to the schedule's value at ``step``.

        ``check``: first warn (once per hook, :class:`ForeignWriteWarning`) if something else changed the value
        since this hook set it; a jump (``set_state_dict``) does not check.
        """
        value = self._value(step)
        if check and self._watch and self._wrote is not None:
            self._check(step)
        opt, field = self.optimizer, self.field
        attr = "_" + field
        current = getattr(opt, attr)
        if isinstance(current, paddle.Tensor):
            current.fill_(value)
            self._wrote = (value, current, current._inplace_version())
            value = current
        else:
            setattr(opt, attr, value)
            self._wrote = (value, value, None)
        opt._default_dict[field] = value
        for group in opt._param_groups:
            if isinstance(group, dict):
                group[field] = value
        if self.bias_correction == "torch":  # the accumulators exist after the first optimizer step
            power = self._value(step) ** (step + 1)
            for acc in opt._accumulators.get(opt._beta1_pow_acc_str, {}).values():
                acc.fill_(power)


# ------------------------------------------------------------------------------------------------------------
# entry point
# ------------------------------------------------------------------------------------------------------------
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


# ------------------------------------------------------------------------------------------------------------
# from native schedulers
# ------------------------------------------------------------------------------------------------------------
def from_native(scheduler: Any) -> Schedule | Plateau:
    """The lrparity schedule equal to a live paddle scheduler (any of paddle 3.3.1's 17 classes).

    Relative natives come back pinned to their ``learning_rate``, ``WithBaseLR(schedule, base_lr)``, so
    ``paddle_scheduler(from_native(s))`` needs no ``learning_rate``; ``OneCycleLR``, ``CyclicLR``,
    ``PiecewiseDecay`` and ``LinearWarmup`` come back absolute; ``ReduceOnPlateau`` gives a
    ``Plateau(semantics="paddle", start_lr=<its learning_rate>)``. So no converted native needs an argument
    besides the optimizer in either backend. A standalone
    ``CosineAnnealingDecay`` or ``LinearLR`` comes back as the core's exact replay of paddle's recursion
    (``form="recursive"``), so the values are bit-identical at every step. Only the
    hyperparameters are read: the result is the schedule from step 0, whatever the native's ``last_epoch``.
    An lrparity :class:`Scheduler` gives its own schedule (pinned if relative), a :class:`PlateauScheduler` its
    plateau with the lr it started from. See docs/paddle.md for the table and the native behaviours that the
    schedule does not copy.

    Raises:
        TypeError: not one of paddle's built-in schedulers (a subclass may override get_lr(): convert its base
            class explicitly), naming the class.
    """
    if isinstance(scheduler, Scheduler):
        s = scheduler.schedule
        return WithBaseLR(s, scheduler._base) if scheduler._base is not None else s
    if isinstance(scheduler, PlateauScheduler):
        plateau = scheduler.plateau
        return plateau if plateau.start_lr is not None else plateau.replace(start_lr=scheduler.base_lr)
    return convert(scheduler)
