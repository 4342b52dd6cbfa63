"""The paddle adapter's plateau twin: paddle's ``ReduceOnPlateau`` over the core's :class:`~lrparity.Plateau`."""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np
from paddle.optimizer import lr as _native

from lrparity.backends.neutral.state import check_plateau_state, check_state, neutral
from lrparity.backends.paddle.natives import native_state_hint, plateau_start
from lrparity.core import Plateau, PlateauState, from_config
from lrparity.core.validation import check_int

__all__ = ["PlateauScheduler"]


class PlateauScheduler(_native.ReduceOnPlateau):
    """A paddle ``ReduceOnPlateau`` driven by the core's :class:`~lrparity.Plateau` state machine.

    ``step(metrics, epoch=None)`` as paddle's: the metric is a number or a one-element array / Tensor. With
    ``Plateau(semantics="paddle")`` (what :func:`from_native` returns) the lrs are paddle's, step for step;
    ``semantics="torch"`` gives torch ``ReduceLROnPlateau``'s cooldown and threshold arithmetic in paddle.
    A plateau with a warmup starts at its step-0 lr on the base ``learning_rate``; each of the first
    ``warmup_steps`` calls of ``step(metrics)`` sets the next step's (the metric ignored, None accepted), then the
    state machine takes over from the lr the warmup ended on.

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
        lr = plateau_start("paddle_scheduler", plateau, learning_rate)
        self.plateau = plateau
        self._config = plateau.to_config()
        self._state = plateau.initial_state([lr])
        self.base_lr = lr
        self.last_lr = self._state.lrs[0]
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
        """Record one metric value (``epoch``: set ``last_epoch`` to it instead of adding 1); during the plateau's
        warmup the metric is ignored and may be None."""
        if isinstance(metrics, (str, bytes)):
            raise TypeError(f"PlateauScheduler.step: metrics must be a number or a one-element tensor, got {metrics!r}")
        if epoch is not None:
            epoch = check_int("PlateauScheduler", "epoch", epoch, minimum=0)
        if metrics is not None and not isinstance(metrics, numbers.Real) and callable(getattr(metrics, "item", None)):
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
        hint, ignore = native_state_hint, ("start_lr",)
        step = check_state(owner, "set_state_dict", state_dict, self._config, plateau=True, hint=hint, ignore=ignore)
        state = PlateauState.from_dict(state_dict["plateau"])
        if len(state.lrs) != 1:
            raise ValueError(
                f"{owner}.set_state_dict: the plateau state holds {len(state.lrs)} lrs (one per torch param group); "
                "paddle has one"
            )
        check_plateau_state(owner, "set_state_dict", state, step, has_warmup=self.plateau.warmup is not None)
        self._state, self.last_epoch, self.last_lr = state, step, state.lrs[0]

    set_dict = set_state_dict
