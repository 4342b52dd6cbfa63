"""The torch adapter's plateau twin: torch's ``ReduceLROnPlateau`` over the core's :class:`~lrparity.Plateau`."""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping
from typing import Any

from torch.optim import Optimizer
from torch.optim import lr_scheduler as _native

from lrparity.backends.neutral.state import check_header, check_kind, check_plateau_state, check_same, neutral
from lrparity.backends.torch.groups import copy_value, native_state_hint, set_value
from lrparity.core import Plateau, PlateauState
from lrparity.core.validation import check_int

__all__ = ["PlateauScheduler"]


class PlateauScheduler(_native.ReduceLROnPlateau):
    """torch's ``ReduceLROnPlateau`` over the core's :class:`~lrparity.Plateau` state machine.

    A subclass of torch's class, with its signature, its attributes (``best``, ``num_bad_epochs``,
    ``cooldown_counter``, ``last_epoch``, ``min_lrs``, ...) and ``step(metrics)``, so Lightning and other tools
    that look for a ``ReduceLROnPlateau`` pass the monitored metric to it. At each ``step(metrics)`` the current
    group lrs are read (as torch does, so another scheduler may move them between steps), the core state
    machine decides, and the groups whose lr it lowers are written (``fill_`` for tensors).

    A plateau that carries its ``start_lr`` (what :func:`lrparity.from_native` of a paddle ``ReduceOnPlateau``
    returns) starts every group from it, as the paddle scheduler did; otherwise from the groups' own lrs.
    A plateau with a warmup evaluates it on those base lrs: construction writes its step-0 lrs into the groups,
    each of the first ``warmup_steps`` calls of ``step(metrics)`` the next step's (the metric ignored, None
    accepted), then the state machine takes over from the lrs the warmup ended on.

    Args:
        optimizer: the torch optimizer.
        plateau: a core :class:`~lrparity.Plateau`; None builds one from ``kwargs`` with torch's semantics.
        **kwargs: torch's arguments (``mode``, ``factor``, ``patience``, ``threshold``, ``threshold_mode``,
            ``cooldown``, ``min_lr``, ``eps``) when ``plateau`` is None.
    """

    def __init__(self, optimizer: Optimizer, plateau: Plateau | None = None, **kwargs: Any) -> None:
        owner = type(self).__name__
        if plateau is None:
            if isinstance(kwargs.get("min_lr"), list):
                kwargs["min_lr"] = tuple(kwargs["min_lr"])
            plateau = Plateau(**kwargs)
        elif kwargs:
            raise TypeError(f"{owner}: give a Plateau or torch's keyword arguments, not both (got {sorted(kwargs)})")
        if not isinstance(plateau, Plateau):
            raise TypeError(f"{owner}: plateau must be an lrparity Plateau, got {plateau!r}")
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{owner}: optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}")
        min_lr = list(plateau.min_lr) if isinstance(plateau.min_lr, tuple) else plateau.min_lr
        plateau.min_lrs(len(optimizer.param_groups))
        super().__init__(
            optimizer,
            mode=plateau.mode,  # type: ignore[arg-type]
            factor=plateau.factor,
            patience=plateau.patience,
            threshold=plateau.threshold,
            threshold_mode=plateau.threshold_mode,  # type: ignore[arg-type]
            cooldown=plateau.cooldown,
            min_lr=min_lr,
            eps=plateau.eps,
        )
        self.plateau = plateau
        if plateau.start_lr is not None:
            for group in optimizer.param_groups:
                set_value(group, "lr", plateau.start_lr)
        state = plateau.initial_state([float(g["lr"]) for g in optimizer.param_groups])
        if plateau.warmup is not None:
            for group, lr in zip(optimizer.param_groups, state.lrs):
                set_value(group, "lr", lr)
        self._set_state(state)

    @property
    def state(self) -> PlateauState:
        """The core plateau state (lrs, best, counters, last_epoch)."""
        return self._state

    def _set_state(self, state: PlateauState) -> None:
        self._state = state
        self.best = state.best
        self.num_bad_epochs = state.num_bad_epochs
        self.cooldown_counter = state.cooldown_counter
        self.last_epoch = state.last_epoch
        self._last_lr = [copy_value(g["lr"]) for g in self.optimizer.param_groups]

    def step(self, metrics: Any, epoch: int | None = None) -> None:  # type: ignore[override]
        """One plateau step with the monitored ``metrics`` (a number or a one-element tensor; ignored, and may be
        None, during the plateau's warmup)."""
        groups = self.optimizer.param_groups
        lrs = tuple(float(g["lr"]) for g in groups)
        state = self.plateau.update(dataclasses.replace(self._state, lrs=lrs), metrics)
        if epoch is not None:
            warnings.warn(_native.EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
            state = dataclasses.replace(state, last_epoch=check_int(type(self).__name__, "epoch", epoch, minimum=0))
        for group, old, new in zip(groups, lrs, state.lrs):
            if new != old:
                set_value(group, "lr", new)
        self._set_state(state)

    def state_dict(self) -> dict[str, Any]:
        """The neutral lrparity state (``"plateau"`` holds the core state) plus torch's attribute names."""
        s = self._state
        return {
            **neutral(s.last_epoch, self.plateau.to_config(), s.to_dict()),
            "last_epoch": int(s.last_epoch),
            "best": s.best,
            "num_bad_epochs": s.num_bad_epochs,
            "cooldown_counter": s.cooldown_counter,
            "_last_lr": [float(v) for v in self._last_lr],
        }

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore the plateau state (this backend's or the paddle one's) and write its lrs into the groups.

        Raises ValueError, changing nothing, for a state of another plateau configuration or a step schedule.
        """
        owner = type(self).__name__
        step = check_header(owner, "load_state_dict", state_dict, native_state_hint)
        theirs, ours = state_dict["schedule"], self.plateau.to_config()
        check_same(owner, "load_state_dict", "plateau", theirs, ours, ignore=("start_lr",))
        check_kind(owner, "load_state_dict", state_dict, plateau=True)
        state = PlateauState.from_dict(state_dict["plateau"])
        n = len(self.optimizer.param_groups)
        if len(state.lrs) != n:
            raise ValueError(
                f"{owner}.load_state_dict: the plateau state holds {len(state.lrs)} lrs, the optimizer has {n} "
                "param groups"
            )
        check_plateau_state(owner, "load_state_dict", state, step, has_warmup=self.plateau.warmup is not None)
        for group, lr in zip(self.optimizer.param_groups, state.lrs):
            set_value(group, "lr", lr)
        self._set_state(state)
