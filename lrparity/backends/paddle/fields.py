r"""Driving a paddle optimizer's per-group hyperparameters (dygraph): momentum, beta1/beta2, epsilon, weight decay...

paddle's lr is its scheduler's value; the other hyperparameters live in the optimizer. A dygraph paddle optimizer
reads them again at every ``step()``: from each param-group dict when it was built with groups
(``parameters=[{'params': ..., 'beta1': 0.8}, ...]``; a group without the key takes the optimizer's default), else
from its own attributes. :class:`FieldHook` writes a schedule's value into each such field after every scheduler
step, with the neutral routing of the torch backend (:mod:`lrparity.backends.neutral.routing`): a ``PerGroup`` gives
each group its own schedule, a relative schedule scales the field's value when the hook was attached, identical
``(schedule, base)`` pairs are computed once. :class:`MomentumHook` is the special case of the momentum (the
companion of ``OneCycle``/``Cyclic`` with ``cycle_momentum=True``), as torch's ``OneCycleLR``/``CyclicLR`` drive it.

The fields a hook can drive are the numeric defaults of the optimizer that it reads per group at every step: a key
of ``optimizer._default_dict`` with a matching ``optimizer._<key>`` attribute, which the optimizer's
``_update_param_group`` refreshes from the group. In paddle 3.3.1: ``Momentum`` (``momentum``, ``rescale_grad``),
``Adam``/``Adamax``/``RAdam`` (``beta1``, ``beta2``, ``epsilon``), ``AdamW`` (those and
``weight_decay``), ``Lamb`` (those and ``lamb_weight_decay``), ``NAdam`` (those and ``momentum_decay``), ``RMSProp``
(``rho``, ``epsilon``, ``momentum``), ``Adadelta`` (``epsilon``, ``rho``), ``Adagrad`` (``epsilon``). Others are
refused, naming the ones that can be driven: paddle bakes e.g. an ``SGD`` ``weight_decay`` into each parameter's
regularizer when the optimizer is built, so changing it later would be silently ignored.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import paddle

from lrparity.backends.neutral.blocks import BlockRows
from lrparity.backends.neutral.foreign import ForeignWriteWarning, foreign_write_message
from lrparity.backends.neutral.routing import Routing
from lrparity.core import Schedule
from lrparity.core.validation import check_choice

__all__ = ["FieldHook", "MomentumHook", "drivable_fields", "still_holds"]


_OVERRIDDEN = frozenset({"regularization_coeff"})
"""Defaults paddle reads per group but overrides per parameter: ``Momentum`` fuses a parameter's own ``L2Decay``
regularizer (a group's ``weight_decay``, fixed when the optimizer is built) in its place."""


def drivable_fields(optimizer: Any) -> list[str]:
    """The per-group fields of ``optimizer`` that paddle reads at every dygraph step, sorted."""
    defaults = getattr(optimizer, "_default_dict", {})
    out = []
    for key, value in defaults.items():
        if key in _OVERRIDDEN:
            continue
        number = isinstance(value, numbers.Real) and not isinstance(value, bool)
        if (number or isinstance(value, paddle.Tensor)) and hasattr(optimizer, f"_{key}"):
            out.append(key)
    return sorted(out)


def still_holds(now: Any, wrote: Any) -> bool:
    """Whether ``now`` still holds ``wrote`` (floats, or a one-element Tensor against a float)."""
    if isinstance(now, paddle.Tensor):
        return int(np.prod(now.shape)) == 1 and float(now) == float(np.asarray(wrote, dtype=_dtype(now)))
    return now == wrote or (now != now and wrote != wrote)  # nan stays nan


def _dtype(tensor: Any) -> Any:
    try:
        return np.dtype(str(tensor.dtype).rsplit(".", 1)[-1])
    except TypeError:  # bfloat16 and the like: compare in float64
        return np.float64


def _float(value: Any) -> float:
    return float(value.numpy().ravel()[0]) if isinstance(value, paddle.Tensor) else float(value)


class FieldHook:
    """Writes schedules into a paddle optimizer's per-group hyperparameters (dygraph only).

    ``hook(t)`` sets each driven field to its schedule's value at step ``t`` in every place paddle reads it: each
    param-group dict (an optimizer built with groups), and the optimizer's attribute and defaults when one value
    holds for every group. A value held as a Tensor is filled in place. :meth:`Scheduler.attach_fields
    <lrparity.backends.paddle.Scheduler.attach_fields>` calls the hook after each ``step()`` and
    ``set_state_dict()``.

    Args:
        optimizer: a dygraph paddle optimizer.
        fields: ``{field: schedule}``: a field paddle reads per group at every step (see the module), or
            ``"momentum"``, which means ``beta1`` on the Adam family (as in torch). A ``PerGroup`` gives one schedule
            per param group (an optimizer built with groups). A relative schedule scales the field's value when the
            hook is made (as torch's ``initial_<field>``); an absolute one (``WithBaseLR``, ``OneCycle``...) sets it.
        bias_correction: ``"paddle"`` (leave paddle's Adam as it is) or ``"torch"``: for a driven ``beta1`` of
            ``Adam``/``AdamW``, rewrite paddle's ``beta1_pow`` accumulators to torch's :math:`\\beta_{1,t}^{\\,t+1}`
            before optimizer step ``t + 1`` (see :class:`MomentumHook`).
        cache: read values from blocks of ``schedule.values`` (bit-identical); False calls ``schedule.value``.

    Raises:
        TypeError: a schedule that is not one, or a field name that is not a string.
        ValueError: a field the optimizer does not read per group at every step (naming those it does), a
            ``PerGroup`` of the wrong length, a field driven twice.
        RuntimeError: in static-graph mode (a static program bakes the hyperparameters into its ops).
    """

    def __init__(
        self, optimizer: Any, fields: Mapping[str, Schedule], *, bias_correction: str = "paddle", cache: bool = True
    ) -> None:
        owner = type(self).__name__
        if not isinstance(fields, Mapping) or not fields:
            raise TypeError(f"{owner}: fields must be a non-empty mapping {{field: schedule}}, got {fields!r}")
        for name, schedule in fields.items():
            if not isinstance(name, str):
                raise TypeError(f"{owner}: field names must be strings, got {name!r}")
            if not isinstance(schedule, Schedule):
                raise TypeError(f"{owner}: fields[{name!r}] must be an lrparity Schedule, got {schedule!r}")
        if not paddle.in_dynamic_mode():
            raise RuntimeError(
                f"{owner} works in dygraph only: a static program bakes the optimizer's hyperparameters into its ops"
            )
        self.optimizer = optimizer
        self.bias_correction = check_choice(owner, "bias_correction", bias_correction, ("paddle", "torch"))
        self.fields: dict[str, Schedule] = {}
        for name, schedule in fields.items():
            field = self._resolve(name)
            if field in self.fields:
                raise ValueError(f"{owner}: {field!r} is driven twice ({sorted(fields)})")
            self.fields[field] = schedule
        self._groups = [g for g in getattr(optimizer, "_param_groups", None) or () if isinstance(g, dict)]
        routing = Routing(owner, self.fields)
        drivers = {self._resolve(f): per for f, per in routing.schedules(max(len(self._groups), 1)).items()}
        self._bases: dict[tuple[int, str], float] = {}
        plan = routing.plan(drivers, self._base_of)
        self.driven = plan.driven
        self._table = BlockRows(plan.tracks, cache)
        self._uniform: dict[str, int] = {}  # field -> track, where every group takes the same value
        self._per_group: list[tuple[int, str, int]] = []  # (group, field, track) otherwise
        for field in plan.driven:
            routes = [r for r in plan.routes if r.field == field]
            if len({r.track for r in routes}) == 1:
                self._uniform[field] = routes[0].track
            else:
                self._per_group += [(r.group, field, r.track) for r in routes]
        if self.bias_correction == "torch":
            adam = isinstance(optimizer, (paddle.optimizer.Adam, paddle.optimizer.AdamW))
            if "beta1" not in self.driven or not adam or optimizer._use_multi_tensor:
                raise ValueError(
                    f"{owner}: bias_correction='torch' needs paddle.optimizer.Adam or AdamW without use_multi_tensor, "
                    f"driving beta1; got {type(optimizer).__name__} driving {sorted(self.driven)}"
                )
        self._wrote: dict[tuple[int, str] | str, tuple[float, Any, int | None]] = {}  # place: (value, object, version)
        self._watch = True

    # -- structure ---------------------------------------------------------------------------------------------
    def _resolve(self, field: str) -> str:
        """The optimizer's name for ``field`` (``"momentum"``: ``beta1`` on the Adam family), or ValueError."""
        drivable = drivable_fields(self.optimizer)
        if field in drivable:
            return field
        if field == "momentum" and "beta1" in drivable:
            return "beta1"
        owner, kind = type(self).__name__, type(self.optimizer).__name__
        if field in ("lr", "learning_rate"):
            raise ValueError(
                f"{owner}: the lr is the scheduler's own value (paddle_scheduler); a param group's 'learning_rate' "
                "is a multiplier fixed when the optimizer is built"
            )
        listed = ", ".join(repr(f) for f in drivable) or "none"
        raise ValueError(
            f"{owner}: {kind} does not read {field!r} from its param groups at every step, so driving it would be "
            f"silently ignored; the fields it does read: {listed}"
        )

    def _base_of(self, group: int, field: str, schedule: Schedule) -> float | None:
        """A relative schedule scales the field's value when the hook is made (recorded once)."""
        if not schedule.uses_base_lr:
            return None
        if (group, field) not in self._bases:
            opt = self.optimizer
            # a group holds the optimizer-level defaults (weight_decay, grad_clip) and what it was built with; the
            # optimizer's own defaults (beta1, momentum...) only once written: paddle reads the default otherwise
            now = (
                self._groups[group].get(field, opt._default_dict[field]) if self._groups else getattr(opt, f"_{field}")
            )
            self._bases[group, field] = _float(now)
        return self._bases[group, field]

    def _places(self) -> list[tuple[str, tuple[int, str] | str, Any]]:
        """Every place this hook sets: ``(where, key in self._wrote, value there now)``."""
        opt = self.optimizer
        places: list[tuple[str, tuple[int, str] | str, Any]] = []
        for field in self._uniform:
            places.append((f"optimizer._{field}", field, getattr(opt, f"_{field}")))
            places.append((f"optimizer._default_dict[{field!r}]", field, opt._default_dict.get(field)))
            for j, group in enumerate(self._groups):
                places.append((f"optimizer._param_groups[{j}][{field!r}]", field, group[field]))
        for group, field, _ in self._per_group:
            places.append((f"optimizer._param_groups[{group}][{field!r}]", (group, field), self._groups[group][field]))
        return places

    # -- writing -------------------------------------------------------------------------------------------------
    def _check(self, step: int) -> None:
        """Warn (once) when a place this hook set holds another value now (see :class:`ForeignWriteWarning`)."""
        for where, key, now in self._places():
            if key not in self._wrote:
                continue
            value, obj, version = self._wrote[key]
            if now is obj and (version is None or now._inplace_version() == version):
                continue
            if still_holds(now, value):
                continue
            self._watch = False
            hint = "another hook or code that set the optimizer's hyperparameter"
            found = float(now) if isinstance(now, paddle.Tensor) and int(np.prod(now.shape)) == 1 else now
            message = foreign_write_message(type(self).__name__, where, value, found, step, hint)
            warnings.warn(message, ForeignWriteWarning, stacklevel=4)
            return

    def _write_uniform(self, field: str, value: float) -> None:
        opt = self.optimizer
        current = getattr(opt, f"_{field}")
        if isinstance(current, paddle.Tensor):
            current.fill_(value)
            self._wrote[field] = (value, current, current._inplace_version())
            held: Any = current
        else:
            setattr(opt, f"_{field}", value)
            self._wrote[field] = (value, value, None)
            held = value
        opt._default_dict[field] = held
        for group in self._groups:
            group[field] = held

    def __call__(self, step: int, check: bool = True) -> None:
        """Set every driven field to its schedule's value at ``step``.

        ``check``: first warn (once per hook, :class:`ForeignWriteWarning`) if something else changed a value since
        this hook set it; a jump (``set_state_dict``) does not check.
        """
        row = self._table.row(step)  # first: a step that cannot be evaluated changes nothing
        if check and self._watch and self._wrote:
            self._check(step)
        for field, track in self._uniform.items():
            self._write_uniform(field, row[track])
        for group, field, track in self._per_group:
            self._groups[group][field] = row[track]
            self._wrote[group, field] = (row[track], row[track], None)
        if self.bias_correction == "torch":
            self._torch_bias_correction(row, step)

    def _torch_bias_correction(self, row: Any, step: int) -> None:
        """Rewrite paddle's ``beta1_pow`` accumulators to torch's ``beta1_t ** (t + 1)`` (they exist after the first
        optimizer step)."""
        opt = self.optimizer
        accumulators = opt._accumulators.get(opt._beta1_pow_acc_str, {})
        if "beta1" in self._uniform:
            power = row[self._uniform["beta1"]] ** (step + 1)
            for acc in accumulators.values():
                acc.fill_(power)
            return
        for group, field, track in self._per_group:
            if field == "beta1":
                for param in self._groups[group]["params"]:
                    acc = accumulators.get(param.name)
                    if acc is not None:
                        acc.fill_(row[track] ** (step + 1))


class MomentumHook(FieldHook):
    r"""Writes a momentum schedule into a paddle optimizer (dygraph): ``Momentum``'s ``momentum``, or ``beta1``
    of the Adam family (``Adam``, ``AdamW``, ``Adamax``, ``Lamb``, ``NAdam``, ``RAdam``): a :class:`FieldHook` of
    that one field, whose schedule gives absolute values (a relative one: multipliers of 1.0, as it always did).

    ``hook(t)`` sets the optimizer's value to ``schedule.value(t)`` in every place paddle reads it: the optimizer
    attribute, its defaults and every param group. A ``beta1`` given as a Tensor is filled in place.
    :meth:`Scheduler.attach_momentum <lrparity.backends.paddle.Scheduler.attach_momentum>` calls it after each
    ``step()``.

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
        self.schedule = schedule
        super().__init__(optimizer, {self.field: schedule}, bias_correction=bias_correction, cache=False)

    def _base_of(self, group: int, field: str, schedule: Schedule) -> float | None:
        return None  # the momentum hook's values are the schedule's own (base 1.0), as they always were

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
