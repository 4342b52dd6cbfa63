"""The torch adapter: a ``torch.optim.lr_scheduler.LRScheduler`` whose values come from lrparity schedules.

>>> import lrparity
>>> sched = lrparity.torch_scheduler(lrparity.Cosine(T_max=1000), optimizer)  # doctest: +SKIP
>>> for batch in loader:  # doctest: +SKIP
...     loss(batch).backward(); optimizer.step(); optimizer.zero_grad(); sched.step()

:class:`Scheduler` is a real torch ``LRScheduler``: ``step()``, ``get_last_lr()``, ``last_epoch``, ``base_lrs``,
``state_dict()`` / ``load_state_dict()`` and the optimizer-step-order warning behave as torch's, so training
loops, Lightning, Accelerate and ``torch.save`` checkpoints keep working. It does no schedule math: param group
``i`` gets

.. math:: \\mathrm{group}_i[\\mathrm{field}] = s_i(t;\\ b_i), \\qquad s_i = \\mathrm{schedule.for\\_group}(i),

with ``t = last_epoch`` (the number of ``step()`` calls) and ``b_i`` the group's base (``initial_lr`` for the lr;
absolute schedules ignore it). Which schedule and base each group's field takes is the neutral routing
(:mod:`lrparity.backends.neutral.routing`); the values are read from blocks of ``schedule.values(...)``, which the
core guarantees bit-identical to ``schedule.value(t, b)``. What is torch's is here: reading and writing a group
value (``betas[0]`` for the momentum of the Adam family, ``fill_`` for tensors), the step-order warning, the
foreign-write check, the state and torch's containers.
"""

from __future__ import annotations

import numbers
import sys
import warnings
import weakref
from collections.abc import Mapping
from types import FrameType
from typing import Any, NamedTuple

import torch
from torch import Tensor
from torch.optim import Optimizer
from torch.optim import lr_scheduler as _native

from lrparity.backends.neutral.blocks import BlockRows
from lrparity.backends.neutral.foreign import ForeignWriteWarning, foreign_write_message
from lrparity.backends.neutral.routing import Routing, driven_fields
from lrparity.backends.neutral.state import check_header, check_kind, check_same, config_or_none, neutral
from lrparity.backends.torch.groups import (
    as_float,
    copy_value,
    is_tensor,
    native_state_hint,
    still_holds,
    tensor_version,
)
from lrparity.backends.torch.natives import from_native, native_step
from lrparity.backends.torch.plateau import PlateauScheduler
from lrparity.core import OneCycle, Plateau, PlateauState, Schedule, from_config
from lrparity.core.validation import check_int

__all__ = ["GroupWrite", "Scheduler", "replace_native", "torch_scheduler"]

_ORDER_OVERRIDDEN = (
    "Seems like `optimizer.step()` has been overridden after learning rate scheduler initialization. Please, make "
    "sure to call `optimizer.step()` before `lr_scheduler.step()`. See more details at "
    "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate"
)
_ORDER_REVERSED = (
    "Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch 1.1.0 and later, you should call "
    "them in the opposite order: `optimizer.step()` before `lr_scheduler.step()`.  Failure to do this will result "
    "in PyTorch skipping the first value of the learning rate schedule. See more details at "
    "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate"
)


class GroupWrite(NamedTuple):
    """One value :class:`Scheduler` writes at every step: param group ``group``'s ``field`` (``betas[0]`` when
    ``beta1``: the momentum of an Adam-family optimizer) takes the value of track ``track``."""

    group: int
    field: str
    beta1: bool
    track: int


class _Moved(NamedTuple):
    """A driven value found changed since this scheduler wrote it: group, field, beta1, written and found."""

    group: int
    field: str
    beta1: bool
    wrote: float
    found: Any


def _fields_driven_by(scheduler: Any) -> set[str]:
    """The param-group fields a torch scheduler writes: an lrparity one's fields and companions; a native's lr
    (and momentum when it cycles it); a container's members'."""
    if isinstance(scheduler, Scheduler):
        return set(scheduler._driven)
    members = getattr(scheduler, "_schedulers", None)
    if members is not None:
        return set().union(*(_fields_driven_by(m) for m in members))
    return {"lr", "momentum"} if getattr(scheduler, "cycle_momentum", False) else {"lr"}


def _refuse_in_chain(scheduler: Scheduler, caller: FrameType | None) -> None:
    """Refuse to run as a member of torch's ``ChainedScheduler`` next to another member writing the same field.

    torch's ``ChainedScheduler`` calls nothing of its members when it is built; the first ``step()`` it makes
    (``caller`` is that frame) is the first point where a member can see it, and no value is wrong yet.
    """
    chain = caller.f_locals.get("self") if caller is not None else None
    if not isinstance(chain, _native.ChainedScheduler):
        return
    for j, other in enumerate(chain._schedulers):
        shared = set() if other is scheduler else scheduler._driven & _fields_driven_by(other)
        if shared:
            raise ValueError(
                f"{type(scheduler).__name__}: this lrparity scheduler is a member of torch's ChainedScheduler "
                f"together with member {j}, a {type(other).__name__}, which also writes {sorted(shared)}. lrparity "
                "writes absolute values at every step, so the chain would erase that scheduler's factors (or apply "
                "its per-step ratios to lrparity's values): the lr would be neither schedule nor their product. "
                "Multiply the schedules in one scheduler with lrparity.Chain([...]) (lrparity.from_native converts "
                "a native), or let each scheduler drive its own field."
            )


def _watch_new_groups(optimizer: Optimizer, scheduler: Scheduler) -> None:
    """Make ``optimizer.add_param_group`` give a new group its scheduled values at once.

    The optimizer instance's ``add_param_group`` is wrapped once (as torch's schedulers wrap its ``step``); the
    wrapper holds the optimizer's live lrparity schedulers weakly. Neither is pickled with the optimizer; an
    unpickled :class:`Scheduler` registers again.
    """
    members = optimizer.__dict__.get("_lrparity_schedulers")
    if members is None:
        members = weakref.WeakSet()
        previous = optimizer.__dict__.get("add_param_group")  # another instance-level wrapper, or None
        ref = weakref.ref(optimizer)

        def add_param_group(param_group: dict[str, Any]) -> None:
            opt = ref()
            live = list(members)
            for s in live:  # a schedule that has no value for one more group refuses it: nothing is added
                s._routing.refuse_added_group(len(opt.param_groups) + 1)  # type: ignore[union-attr]
            if previous is not None:
                previous(param_group)
            else:
                type(opt).add_param_group(opt, param_group)
            for s in live:
                s._join()

        add_param_group.__doc__ = type(optimizer).add_param_group.__doc__
        optimizer.add_param_group = add_param_group  # type: ignore[method-assign]
        optimizer._lrparity_schedulers = members  # type: ignore[attr-defined]
    members.add(scheduler)


def _check_order(scheduler: Any) -> None:
    """torch's step-order check, run on the first ``step()`` after construction (same warnings, same text)."""
    if not hasattr(scheduler.optimizer.step, "_wrapped_by_lr_sched"):
        warnings.warn(_ORDER_OVERRIDDEN, UserWarning, stacklevel=3)
    elif not getattr(scheduler.optimizer, "_opt_called", False):
        warnings.warn(_ORDER_REVERSED, UserWarning, stacklevel=3)


def _check_schedule(owner: str, schedule: Any) -> Schedule:
    if isinstance(schedule, Plateau):
        raise TypeError(f"{owner}: a Plateau is not a step schedule: use torch_scheduler(plateau, optimizer)")
    if not isinstance(schedule, Schedule):
        raise TypeError(f"{owner}: schedule must be an lrparity Schedule, got {schedule!r} ({type(schedule).__name__})")
    return schedule


# ------------------------------------------------------------------------------------------------------------
# the scheduler
# ------------------------------------------------------------------------------------------------------------
class Scheduler(_native.LRScheduler):
    r"""A torch ``LRScheduler`` that sets param-group fields to the values of lrparity schedules.

    At step ``t`` (``last_epoch``, the number of ``step()`` calls; 0 after construction) param group ``i`` gets

    .. math:: \mathrm{group}_i[f] = s^f_i(t;\ b^f_i)

    for every driven field ``f``: ``s^f_i = schedule.for_group(i)`` and ``b^f_i`` the group's base value
    (``initial_lr`` for ``"lr"``, as torch; ``initial_<field>`` for other fields, recorded at construction).
    Absolute schedules (OneCycle, Cyclic, Piecewise, WithBaseLR) ignore the base. Each distinct
    ``(schedule, base)`` is computed once per step, whatever the number of groups.

    The schedule's companions are driven too: ``OneCycle``/``Cyclic`` with ``cycle_momentum=True`` drive
    ``"momentum"``, which on an optimizer with ``betas`` in its defaults (Adam family) is ``betas[0]``, exactly
    as torch's OneCycleLR/CyclicLR do. A group value that is a ``torch.Tensor`` (the way to use a scheduler
    with an optimizer whose ``step`` is compiled with ``torch.compile``) is updated in place with ``fill_``
    and never replaced, so the compiled step is not recompiled.

    Args:
        optimizer: the torch optimizer.
        schedule: the lr schedule, or a mapping ``{field: schedule}`` to drive several fields (e.g.
            ``{"lr": Cosine(1000), "weight_decay": Cosine(1000)}``). ``PerGroup`` gives one schedule per param
            group and must have exactly one per group.
        last_epoch: torch's resume argument: the scheduler starts at step ``last_epoch + 1`` (-1, the default,
            starts at 0). With ``last_epoch >= 0`` a relative schedule needs each group's ``initial_lr`` (torch
            raises KeyError too). Exact at any step: the value is a closed form of the step.
        field: the group field ``schedule`` drives when it is a single schedule; default ``"lr"``. Any numeric
            field of the groups (``"weight_decay"``, ``"momentum"``; ``"momentum"`` means ``betas[0]`` on the
            Adam family).
        cache: read values from blocks of ``schedule.values`` (bit-identical to ``value``; a ``step()`` then
            costs less than a native's). Pass False to call ``schedule.value`` at each step, e.g. for a
            ``Lambda`` whose function reads state that changes during training.

    Param groups added later with ``optimizer.add_param_group`` get their value at the current step at once,
    from their own lr (their ``initial_lr`` is set to it), so the next optimizer step uses it; a ``PerGroup``
    schedule refuses them (it has no schedule for them) and the optimizer is left unchanged.

    The scheduler writes absolute values: ``step()`` sets each driven field to the schedule's value, whatever
    it holds. A value changed by something else since this scheduler wrote it (a native scheduler in torch's
    ``ChainedScheduler``, a ``ReduceLROnPlateau``, your code) would be overwritten, so ``step()`` warns once
    with :class:`ForeignWriteWarning`, naming the group and both values; as a member of a ``ChainedScheduler``
    next to a scheduler writing the same field it raises ValueError at the chain's first step. Multiply
    schedules with :class:`lrparity.Chain` instead. Restarts by torch's ``SequentialLR`` are not foreign writes.

    Attributes:
        schedule: the lr schedule (the ``"lr"`` entry of a mapping), or None if the lr is not driven.
        fields: ``{field: schedule}`` for every explicitly driven field.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        schedule: Schedule | Mapping[str, Schedule],
        last_epoch: int = -1,
        *,
        field: str = "lr",
        cache: bool = True,
    ) -> None:
        owner = type(self).__name__
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{owner}: optimizer must be a torch.optim.Optimizer, got {type(optimizer).__name__}")
        fields = driven_fields(owner, schedule, field, _check_schedule)
        if "betas" in fields:
            raise ValueError(
                f"{owner}: 'betas' is a pair; schedule its first entry as field 'momentum' (as torch's OneCycleLR "
                "and CyclicLR do on the Adam family)"
            )
        last_epoch = check_int(owner, "last_epoch", last_epoch, minimum=-1)
        self.fields: dict[str, Schedule] = fields
        self.schedule: Schedule | None = fields.get("lr")
        self._cache = bool(cache)
        self._routing = Routing(owner, fields)
        self._momentum_is_beta1 = "betas" in optimizer.defaults  # the Adam family: momentum is betas[0]
        self._n_groups = -1
        self._table = BlockRows([], cache)
        self._writes: list[GroupWrite] = []
        self._lr_tracks: list[int] = []  # the track of each group's lr
        self._bases: dict[str, list[float | None]] = {}
        self._driven: frozenset[str] = frozenset(fields)  # every field written, companions included
        self._row: list[float] | None = None  # the values written last, by track
        self._marks: dict[tuple[int, str], tuple[Tensor, int | None]] = {}  # tensors filled: (tensor, version)
        self._watch = True  # compare before each step() until a foreign write was reported
        self.optimizer = optimizer
        self._routing.check_groups(len(optimizer.param_groups))
        self._record_bases(last_epoch)
        super().__init__(optimizer, last_epoch)
        _watch_new_groups(optimizer, self)

    @property
    def total_steps(self) -> int:
        """The length of a one-cycle lr schedule, in steps: torch's ``OneCycleLR.total_steps``, which trainers read
        (Accelerate steps a scheduler that has it only while ``_step_count <= total_steps``). Only a scheduler whose
        lr follows a :class:`~lrparity.OneCycle` (the same in every param group) that raises past its end has it;
        on any other, reading it raises ``AttributeError``, so ``hasattr(sched, "total_steps")`` is ``False``."""
        lr = self.schedule
        if lr is not None:
            cycles = [lr.for_group(i) for i in range(len(self.optimizer.param_groups))]
            if all(isinstance(c, OneCycle) and c.after_end == "raise" for c in cycles):
                if len({c.total_steps for c in cycles}) == 1:
                    return cycles[0].total_steps
        raise AttributeError(f"{type(self).__name__} has no total_steps: its lr schedule is not a OneCycle")

    def _record_bases(self, last_epoch: int) -> None:
        """Record each group's base where torch does: ``initial_lr`` for the lr, ``initial_<field>`` for a relative
        schedule of another field; a resume (``last_epoch >= 0``) needs them already there."""
        owner, fields = type(self).__name__, self.fields
        groups = self.optimizer.param_groups
        # the lr base is torch's initial_lr; an absolute schedule needs none, so a resume does not need one either
        lr_relative = "lr" in fields and any(fields["lr"].for_group(i).uses_base_lr for i in range(len(groups)))
        for i, group in enumerate(groups):
            if last_epoch != -1 and "initial_lr" not in group:
                if lr_relative:
                    raise KeyError(
                        f"{owner}: param_groups[{i}] has no 'initial_lr', needed to resume a relative schedule at "
                        f"last_epoch={last_epoch} (it is the base the schedule scales). Restore the optimizer's "
                        "state_dict first, or build with last_epoch=-1 and load the scheduler's state_dict."
                    )
                group["initial_lr"] = copy_value(group["lr"])
            for f, s in fields.items():
                key = self._base_key(f)
                if f == "lr" or not s.for_group(i).uses_base_lr or key in group:
                    continue
                if last_epoch != -1:
                    raise KeyError(
                        f"{owner}: param_groups[{i}] has no {key!r}, needed to resume the relative {f!r} schedule "
                        f"at last_epoch={last_epoch}. Restore the optimizer's state_dict first, or build with "
                        "last_epoch=-1 and load the scheduler's state_dict."
                    )
                group[key] = copy_value(self._read(group, f, i))

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        _watch_new_groups(self.optimizer, self)

    # -- structure ---------------------------------------------------------------------------------------------
    def _base_key(self, field: str) -> str:
        return "initial_lr" if field == "lr" else f"initial_{field}"

    def _read(self, group: dict[str, Any], field: str, index: int) -> Any:
        if field == "momentum" and self._momentum_is_beta1:
            return group["betas"][0]
        if field not in group:
            raise ValueError(
                f"{type(self).__name__}: param_groups[{index}] has no {field!r} to schedule "
                f"({type(self.optimizer).__name__} groups hold {sorted(k for k in group if k != 'params')})"
            )
        return group[field]

    def _build(self) -> None:
        """Resolve, for the current param groups, which (schedule, base) each group's fields take."""
        owner = type(self).__name__
        groups = self.optimizer.param_groups
        n = len(groups)
        if n < self._n_groups:
            raise ValueError(
                f"{owner}: the optimizer lost param groups ({self._n_groups} -> {n}); rebuild the scheduler"
            )
        drivers = self._routing.schedules(n)
        if "momentum" in drivers and not self._momentum_is_beta1 and "momentum" not in self.optimizer.defaults:
            raise ValueError(
                f"{owner}: momentum is scheduled but {type(self.optimizer).__name__} has neither 'momentum' nor "
                "'betas' (torch's OneCycleLR/CyclicLR refuse it too): pass cycle_momentum=False"
            )
        for i in range(len(self.base_lrs), n):  # groups added with add_param_group join from their own lr
            group = groups[i]
            group.setdefault("initial_lr", copy_value(group["lr"]))
            self.base_lrs.append(group["initial_lr"])
        plan = self._routing.plan(drivers, self._base_of)
        self._table = BlockRows(plan.tracks, self._cache)
        beta1 = self._momentum_is_beta1
        self._writes = [GroupWrite(r.group, r.field, beta1 and r.field == "momentum", r.track) for r in plan.routes]
        self._lr_tracks = [w.track for w in self._writes if w.field == "lr"]
        self._driven = plan.driven
        self._n_groups = n

    def _base_of(self, i: int, field: str, schedule: Schedule) -> float | None:
        """The base ``schedule`` scales in group ``i``'s ``field``: ``initial_lr`` for the lr, ``initial_<field>``
        (recorded when first needed) for another field; None for an absolute schedule."""
        owner = type(self).__name__
        group = self.optimizer.param_groups[i]
        current = self._read(group, field, i)  # the group must have the field, whatever the schedule
        bases = self._bases.setdefault(field, [])
        bases.extend([None] * (i + 1 - len(bases)))
        if not schedule.uses_base_lr:
            return None
        if field == "lr":
            return as_float(owner, f"param_groups[{i}]['initial_lr']", self.base_lrs[i])
        if bases[i] is None:
            key = self._base_key(field)
            if key not in group:  # a group added later: its base is its value now
                group[key] = copy_value(current)
            bases[i] = as_float(owner, f"param_groups[{i}][{key!r}]", group[key])
        return bases[i]

    # -- values ------------------------------------------------------------------------------------------------
    def _goto(self, t: int, check: bool = False) -> _Moved | None:
        """Write every driven field's value at step ``t`` and make ``t`` the current step.

        ``check`` (``step()``): also return the first value that was no longer what this scheduler wrote last;
        None when there is none.
        """
        groups = self.optimizer.param_groups
        prev = self._row if check else None
        found = None
        if len(groups) != self._n_groups:
            if prev is not None:
                found = self._foreign()  # in the layout the values were written in
            prev = None
            self._build()
        row = self._table.row(t)  # first: a step that cannot be evaluated changes nothing
        moved = self._write(groups, row, self._writes, prev)
        self.last_epoch = t
        self._last_lr = [lr if type(lr := g["lr"]) is float else copy_value(lr) for g in groups]
        return found or moved

    def _write(
        self,
        groups: list[dict[str, Any]],
        row: list[float],
        writes: list[GroupWrite],
        prev: list[float] | None = None,
    ) -> _Moved | None:
        """Write ``row`` (one value per track) into the groups' fields and remember it. With ``prev`` (the row
        written last, same layout), return the first value found that was not ``prev``'s (see :meth:`_moved`)."""
        marks = self._marks
        found = None
        for i, f, beta1, k in writes:
            group = groups[i]
            if beta1:
                betas = group["betas"]
                b0 = betas[0]
                if prev is not None and b0 is not prev[k] and found is None:
                    found = self._moved(i, f, True, b0, prev[k])
                if is_tensor(b0):
                    b0.fill_(row[k])
                    marks[i, f] = (b0, tensor_version(b0))
                else:
                    group["betas"] = (row[k], *betas[1:])
            else:
                current = group[f]
                if type(current) is float or not isinstance(current, Tensor):
                    if prev is not None and current is not prev[k] and found is None:
                        found = self._moved(i, f, False, current, prev[k])
                    group[f] = row[k]
                else:
                    if prev is not None and found is None:
                        found = self._moved(i, f, False, current, prev[k])
                    current.fill_(row[k])
                    marks[i, f] = (current, tensor_version(current))
        self._row = row
        return found

    def _moved(self, i: int, f: str, beta1: bool, now: Any, wrote: float) -> _Moved | None:
        """What was found when ``now``, group ``i``'s value of ``f``, is no longer ``wrote``, the float this
        scheduler wrote there last (a tensor: filled in place since, with another value); else None."""
        if isinstance(now, Tensor):
            mark = self._marks.get((i, f))
            if mark is not None and mark[0] is now and mark[1] is not None and tensor_version(now) == mark[1]:
                return None
            if still_holds(now, wrote):
                return None
            return _Moved(i, f, beta1, wrote, now.item() if now.numel() == 1 else now)
        return None if now is wrote or still_holds(now, wrote) else _Moved(i, f, beta1, wrote, now)

    def _foreign(self) -> _Moved | None:
        """The first driven value that is no longer what this scheduler wrote last (see :meth:`_moved`)."""
        row = self._row
        if row is None:
            return None
        groups = self.optimizer.param_groups
        for i, f, beta1, k in self._writes:
            if i >= len(groups):  # groups were removed: _build says so
                return None
            group = groups[i]
            found = self._moved(i, f, beta1, group["betas"][0] if beta1 else group.get(f), row[k])
            if found is not None:
                return found
        return None

    def _warn_foreign(self, found: _Moved, t: int) -> None:
        i, f, beta1, wrote, now = found
        self._watch = False
        where = f"param_groups[{i}]['betas'][0] (momentum)" if beta1 else f"param_groups[{i}][{f!r}]"
        hint = "a native scheduler stepping the same optimizer, e.g. in torch's ChainedScheduler, a ReduceLROnPlateau, "
        hint += "or your code"
        warnings.warn(
            foreign_write_message(type(self).__name__, where, wrote, now, t, hint), ForeignWriteWarning, stacklevel=3
        )

    def _join(self) -> None:
        """Write the values at the current step into param groups just added with ``add_param_group``.

        Only when this scheduler wrote the current values of the other groups (in a ``SequentialLR``, the phase
        that runs does; the others build at their next step).
        """
        groups = self.optimizer.param_groups
        old = self._n_groups
        if len(groups) <= old or self._foreign() is not None:
            return
        self._build()
        try:
            row = self._table.row(self.last_epoch)
        except ValueError:  # the schedule cannot be evaluated here (past its end): step() says so
            return
        self._write(groups, row, [w for w in self._writes if w.group >= old])
        self._last_lr = [lr if type(lr := g["lr"]) is float else copy_value(lr) for g in groups]

    def _values_at(self, t: int) -> list[Any]:
        if self.schedule is None:
            return [copy_value(g["lr"]) for g in self.optimizer.param_groups]
        if len(self.optimizer.param_groups) != self._n_groups:
            self._build()
        row = self._table.row(t)
        return [row[k] for k in self._lr_tracks]

    def get_lr(self) -> list[Any]:
        """The lr of each group at ``last_epoch``, from the schedule's closed form (never from ``group['lr']``).

        Outside ``step()`` torch warns that ``get_last_lr()`` is the way to read the current lr; so does this.
        """
        if not self._get_lr_called_within_step:
            warnings.warn(
                "To get the last learning rate computed by the scheduler, please use `get_last_lr()`.",
                UserWarning,
                stacklevel=2,
            )
        return self._values_at(self.last_epoch)

    def _get_closed_form_lr(self) -> list[Any]:
        """The lr of each group at ``last_epoch`` (what torch's ``step(epoch)`` path uses)."""
        return self._values_at(self.last_epoch)

    # -- stepping ----------------------------------------------------------------------------------------------
    def step(self, epoch: int | None = None) -> None:
        """Advance one step (or, deprecated as in torch, jump to step ``epoch``) and write the new values.

        Call it after ``optimizer.step()``; on the first call torch's step-order warnings apply.
        """
        if self._step_count == 1:
            _check_order(self)
            _refuse_in_chain(self, sys._getframe(1))
        if epoch is None:
            t = self.last_epoch + 1
        else:
            warnings.warn(_native.EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
            t = check_int(type(self).__name__, "epoch", epoch, minimum=0)
        # compare with the values written last, except at torch's initial step (construction, SequentialLR)
        found = self._goto(t, check=self._watch and self._step_count > 0)
        self._step_count += 1
        if found is not None:  # after the step: a warning turned into an error leaves a consistent scheduler
            self._warn_foreign(found, t)

    def step_update(self, num_updates: int, metric: Any = None) -> None:
        """Stateless stepping, as timm's schedulers and pytorch-accelerated's ``SchedulerBase`` offer it: write
        every driven field's value at step ``num_updates`` (a count of optimizer updates), whatever step the
        scheduler was at.

        A loop written for them runs unchanged::

            for batch in loader:
                ...; optimizer.step(); num_updates += 1
                sched.step_update(num_updates)  # or step_update(num_updates, metric=loss), as timm's train.py

        The step counters follow: ``num_updates`` becomes the current step (``last_epoch``, what
        ``get_last_lr()`` reports and ``state_dict()`` saves, so a checkpoint resumes there and a later ``step()``
        goes on from ``num_updates + 1``), and ``_step_count`` counts the call as a step. Unlike ``step()`` it
        neither warns about the optimizer-step order nor, as ``step(epoch)``, about a deprecated argument: jumping
        to a step is what it is for. Values changed by another writer are reported as by ``step()``.

        Args:
            num_updates: the step to go to; an int >= 0.
            metric: accepted for timm's call signature and not read: a schedule is a function of the step alone
                (timm's non-plateau schedulers do not read it either). A metric-driven lr is a
                :class:`~lrparity.Plateau` (``torch_scheduler(plateau, optimizer)``, stepped with the metric).
        """
        t = check_int(type(self).__name__, "num_updates", num_updates, minimum=0)
        found = self._goto(t, check=self._watch and self._step_count > 0)
        self._step_count += 1
        if found is not None:
            self._warn_foreign(found, t)

    def _update_lr(self, epoch: int | None = None) -> None:
        # torch's SequentialLR restarts its phases with _update_lr(0): jump there (and drive every field).
        self._goto(self.last_epoch + 1 if epoch is None else check_int(type(self).__name__, "epoch", epoch, minimum=0))

    # -- state -------------------------------------------------------------------------------------------------
    def _configs(self) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        primary = self.schedule if self.schedule is not None else next(iter(self.fields.values()))
        fields = None
        if set(self.fields) != {"lr"}:
            fields = {f: config_or_none(s) for f, s in self.fields.items()}
        return config_or_none(primary), fields

    def state_dict(self) -> dict[str, Any]:
        """The neutral lrparity state plus torch's bookkeeping keys; plain data only (no pickled objects).

        ``{"lrparity": 1, "step": t, "schedule": schedule.to_config(), "plateau": None, "last_epoch": t,
        "_step_count": ..., "base_lrs": [...], "_last_lr": [...]}`` (and ``"fields"``/``"bases"`` when fields
        other than the lr are driven). A schedule holding a lambda cannot be saved: its ``"schedule"`` is None.
        """
        config, fields = self._configs()
        state: dict[str, Any] = {
            **neutral(self.last_epoch, config, None),
            "last_epoch": int(self.last_epoch),
            "_step_count": int(self._step_count),
            "base_lrs": [float(b) for b in self.base_lrs],
            "_last_lr": [float(v) for v in self._last_lr],
        }
        if fields is not None:
            state["fields"] = fields
            state["bases"] = {f: list(b) for f, b in self._bases.items() if f != "lr" and f in self.fields}
        return state

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Resume at the state's step (saved by this backend or the paddle one) and write that step's values.

        Raises ValueError, changing nothing, when the state is not an lrparity state, was saved for another
        schedule, or holds a plateau state. ``base_lrs``, when present, replace the bases (as torch does).
        """
        owner = type(self).__name__
        step = check_header(owner, "load_state_dict", state_dict, native_state_hint)
        check_kind(owner, "load_state_dict", state_dict, plateau=False)
        config, fields = self._configs()
        if fields is not None:
            check_same(owner, "load_state_dict", "fields", state_dict.get("fields"), fields)
        else:
            check_same(owner, "load_state_dict", "schedule", state_dict["schedule"], config)
        n = len(self.optimizer.param_groups)
        base_lrs = state_dict.get("base_lrs")
        if base_lrs is not None:
            if not isinstance(base_lrs, (list, tuple)) or len(base_lrs) != n:
                raise ValueError(
                    f"{owner}.load_state_dict: state['base_lrs'] must hold one base per param group ({n}), got "
                    f"{base_lrs!r}"
                )
            base_lrs = [as_float(owner, f"state['base_lrs'][{i}]", b) for i, b in enumerate(base_lrs)]
        bases = state_dict.get("bases") or {}
        saved = (list(self.base_lrs), {f: list(b) for f, b in self._bases.items()}, self.last_epoch)
        try:
            if base_lrs is not None:
                self.base_lrs = [
                    torch.tensor(b, dtype=old.dtype, device=old.device) if is_tensor(old) else b
                    for b, old in zip(base_lrs, self.base_lrs)
                ]
            for f, b in bases.items():
                if f in self.fields and f != "lr":
                    self._bases[f] = [None if v is None else as_float(owner, f"state['bases'][{f!r}]", v) for v in b]
            self._n_groups = -1
            self._goto(step)
        except Exception:  # e.g. the step is past a OneCycle's end: restore everything, groups untouched
            self.base_lrs, self._bases, self.last_epoch = saved
            self._n_groups = -1
            raise
        count = state_dict.get("_step_count")
        self._step_count = int(count) if isinstance(count, numbers.Integral) else step + 1


# ------------------------------------------------------------------------------------------------------------
# entry point
# ------------------------------------------------------------------------------------------------------------
def torch_scheduler(
    schedule: Schedule | Plateau | Mapping[str, Any],
    optimizer: Optimizer,
    last_epoch: int = -1,
    *,
    field: str = "lr",
    cache: bool = True,
) -> Scheduler | PlateauScheduler:
    """A torch scheduler driving ``optimizer`` with ``schedule``: :class:`Scheduler` for a schedule (or a
    ``{field: schedule}`` mapping), :class:`PlateauScheduler` for a :class:`~lrparity.Plateau`.

    A mapping with a ``"type"`` key is read as a schedule config (:func:`lrparity.from_config`). See
    :class:`Scheduler` for ``last_epoch``, ``field`` and ``cache``.
    """
    if isinstance(schedule, Mapping) and "type" in schedule:
        schedule = from_config(schedule)
    if isinstance(schedule, Plateau):
        if last_epoch != -1 or field != "lr":
            raise ValueError(
                "torch_scheduler: a Plateau drives the lr from step 0 (got last_epoch="
                f"{last_epoch!r}, field={field!r}); restore a plateau with load_state_dict instead"
            )
        return PlateauScheduler(optimizer, schedule)
    return Scheduler(optimizer, schedule, last_epoch, field=field, cache=cache)


# ------------------------------------------------------------------------------------------------------------
# replacing a live native
# ------------------------------------------------------------------------------------------------------------
def replace_native(
    native: Any, optimizer: Optimizer | None = None, *, cache: bool = True
) -> Scheduler | PlateauScheduler:
    """This backend's scheduler, at the native's current step (or plateau state), driving its optimizer.

    ``replace_native(native)`` writes the value at the native's step into the groups (the native's own value
    where the native is right) and continues from there; drop the native afterwards.
    """
    schedule = from_native(native)
    optimizer = native.optimizer if optimizer is None else optimizer
    if isinstance(schedule, Plateau):
        ours = PlateauScheduler(optimizer, schedule)
        lrs = tuple(float(g["lr"]) for g in optimizer.param_groups)
        best = None if native.best is None else float(native.best)
        ours._set_state(
            PlateauState(lrs, best, int(native.num_bad_epochs), int(native.cooldown_counter), int(native.last_epoch))
        )
        return ours
    step = native_step(native)
    return Scheduler(optimizer, schedule, last_epoch=max(step, 0) - 1, cache=cache)
