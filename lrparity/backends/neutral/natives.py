"""The native tables' row type, and native scheduler calls as data (stdlib only: no framework import).

Each framework has one :class:`NativeTable` (``lrparity.backends.torch.natives.TABLE``,
``lrparity.backends.paddle.natives.TABLE``): one :class:`NativeSpec` row per native scheduler class, holding
both directions of "this core schedule is that native scheduler":

- ``to_core(native, ...)``: the core schedule a live native computes (what :func:`lrparity.from_native` returns);
- ``from_core(schedule, ...)``: the :class:`NativeCall` that builds a native computing ``schedule`` (what
  :func:`lrparity.to_native` builds and :func:`lrparity.to_native_code` prints), or :class:`Inexpressible`
  saying why this native cannot.

A row names its class by module and name and imports it only when a native is built or recognised, so planning
(``to_native_code``, the parity catalogue) needs neither framework installed.
"""

from __future__ import annotations

import dataclasses
import importlib
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "OPTIMIZER",
    "RECURSIVE_RTOL",
    "Inexpressible",
    "NativeMismatchWarning",
    "check_ramp",
    "replay_rtol",
    "NativeCall",
    "NativeSpec",
    "NativeTable",
    "row",
]

RECURSIVE_RTOL = 1e-12
"""Relative tolerance between a recursive native (it reads its previous value) and the core's closed form."""

FORMS = ("closed", "recursive", "composite", "stateful")
"""What a row's native computes from: the step alone (``closed``: bit-identical to the core), its previous value
(``recursive``: within :data:`RECURSIVE_RTOL` of the closed form, bit-identical to the core's replay where it has
one: ``form="recursive"``, ``Multiplicative``), other natives (``composite``), or metrics (``stateful``)."""


class NativeMismatchWarning(UserWarning):
    """A native scheduler does something else than its configuration, or than the schedule it was built for (a
    known framework defect, documented in the backend pages): :func:`lrparity.from_native` returns what the native
    was configured to do and says so; :func:`lrparity.to_native` says from which step its natives part from the
    schedule."""


class Inexpressible(ValueError):
    """No composition of a framework's native schedulers computes this (part of a) schedule; the message names
    the part and why."""


def replay_rtol(schedule: Any) -> float:
    """The tolerance of a recursive native (CosineAnnealingLR/-Decay, LinearLR) against a core ``Cosine``/``Linear``:
    0.0 where the core replays the recursion (``form="recursive"``), :data:`RECURSIVE_RTOL` for its closed form."""
    return 0.0 if schedule.form == "recursive" else RECURSIVE_RTOL


def check_ramp(schedule: Any, native: str) -> None:
    """Refuse a ``Linear`` that torch's and paddle's ``LinearLR`` (the same recursion) cannot run: they need
    ``0 < start_factor <= 1`` and ``0 <= end_factor <= 1`` (no start at 0, no rise above the base lr)."""
    if not (0 < schedule.start_factor <= 1 and 0 <= schedule.end_factor <= 1):
        raise Inexpressible(
            f"Linear(start_factor={schedule.start_factor!r}, end_factor={schedule.end_factor!r}): {native} needs "
            "0 < start_factor <= 1 and 0 <= end_factor <= 1 (it cannot start at 0 or rise above the base lr)"
        )


class _Optimizer:
    """The optimizer a torch native is built on, as an argument of a :class:`NativeCall`."""

    def __repr__(self) -> str:
        return "optimizer"


OPTIMIZER = _Optimizer()
"""Placeholder for the optimizer argument of torch's schedulers (``NativeCall.build(optimizer)`` substitutes it)."""


@dataclass(frozen=True)
class NativeCall:
    """One native scheduler constructor call, ``<module>.<name>(*args, **kwargs)``, as data.

    Arguments are numbers, strings, bools, None, lists of them, functions (importable by name to be printed),
    :data:`OPTIMIZER`, or other calls (a container's members, ``LinearWarmup``'s inner scheduler).

    Attributes:
        module: the module holding the class (``"torch.optim.lr_scheduler"``, ``"paddle.optimizer.lr"``).
        name: the class name.
        args: positional arguments.
        kwargs: keyword arguments, in order.
        rtol: the relative tolerance of the built native against the schedule it was planned from: 0.0 where it
            is bit-identical, :data:`RECURSIVE_RTOL` where a recursion meets a closed form.
        note: what the native does differently from the schedule, when it does (empty otherwise).
    """

    module: str
    name: str
    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()
    rtol: float = 0.0
    note: str = ""

    def native_class(self) -> type:
        """The class called (imports its framework)."""
        return getattr(importlib.import_module(self.module), self.name)  # type: ignore[no-any-return]

    def build(self, optimizer: Any = None) -> Any:
        """Construct the native (members first, in argument order, as written by hand), on ``optimizer`` (torch)."""
        args = [_built(a, optimizer) for a in self.args]
        kwargs = {k: _built(v, optimizer) for k, v in self.kwargs}
        return self.native_class()(*args, **kwargs)

    def calls(self) -> Iterator[NativeCall]:
        """Every call of the tree in construction order: members before their container."""
        for value in (*self.args, *(v for _, v in self.kwargs)):
            for item in value if isinstance(value, list) else (value,):
                if isinstance(item, NativeCall):
                    yield from item.calls()
        yield self

    def notes(self) -> list[str]:
        """What the natives of the tree do differently from the schedule (empty: nothing)."""
        return [c.note for c in self.calls() if c.note]

    def warn_notes(self, stacklevel: int = 3) -> None:
        """Warn (:class:`NativeMismatchWarning`) each of :meth:`notes`."""
        for note in self.notes():
            warnings.warn(f"to_native: {note}", NativeMismatchWarning, stacklevel=stacklevel)

    def describe(self) -> str:
        """``Name(...)`` with its members, e.g. ``SequentialLR([LinearLR, CosineAnnealingLR])``."""
        members = [c for v in self.args if isinstance(v, list) for c in v if isinstance(c, NativeCall)]
        members += [v for v in self.args if isinstance(v, NativeCall)]
        if not members:
            return self.name
        return f"{self.name}([{', '.join(m.describe() for m in members)}])"


def _built(value: Any, optimizer: Any) -> Any:
    if value is OPTIMIZER:
        return optimizer
    if isinstance(value, NativeCall):
        return value.build(optimizer)
    if isinstance(value, list):
        return [_built(v, optimizer) for v in value]
    return value


@dataclass(frozen=True)
class NativeSpec:
    """One row of a native table: a native scheduler class and its two conversions.

    Attributes:
        name: the class name in its table's module.
        form: ``"closed"``, ``"recursive"``, ``"composite"`` or ``"stateful"`` (see :data:`FORMS`).
        to_core: the core schedule a live native of this class computes; its arguments are the framework's.
        from_core: the :class:`NativeCall` of this class computing a core schedule of one of ``cores``, or
            :class:`Inexpressible` naming why not; None for a class no core schedule is converted to.
        cores: the core classes ``from_core`` accepts, most specific row first across the table.
        module: the module holding the class (set by the table).
    """

    name: str
    form: str
    to_core: Callable[..., Any]
    from_core: Callable[..., NativeCall] | None = None
    cores: tuple[type, ...] = ()
    module: str = ""

    def __post_init__(self) -> None:
        if self.form not in FORMS:
            raise ValueError(f"NativeSpec {self.name}: form must be one of {FORMS}, got {self.form!r}")

    @property
    def native(self) -> type:
        """The native class (imports its framework)."""
        return getattr(importlib.import_module(self.module), self.name)  # type: ignore[no-any-return]

    def call(self, *args: Any, rtol: float | None = None, note: str = "", **kwargs: Any) -> NativeCall:
        """A call of this row's class; ``rtol`` defaults to 0.0 for a closed form, :data:`RECURSIVE_RTOL` otherwise."""
        if rtol is None:
            rtol = RECURSIVE_RTOL if self.form == "recursive" else 0.0
        return NativeCall(self.module, self.name, args, tuple(kwargs.items()), rtol, note)


def row(
    name: str, form: str, to_core: Callable[..., Any], from_core: Callable[..., NativeCall] | None, *cores: type
) -> NativeSpec:
    """A table row: ``NativeSpec(name, form, to_core, from_core, cores)``."""
    return NativeSpec(name, form, to_core, from_core, cores)


class NativeTable:
    """A framework's native scheduler classes, one :class:`NativeSpec` each.

    Args:
        framework: ``"torch"`` or ``"paddle"``.
        module: the module holding the framework's schedulers.
        rows: the rows, in the order ``from_core`` tries them for a core class.
    """

    def __init__(self, framework: str, module: str, rows: Sequence[NativeSpec]) -> None:
        self.framework = framework
        self.module = module
        self.rows = tuple(dataclasses.replace(r, module=module) for r in rows)
        self._by_class: dict[type, NativeSpec] | None = None
        names = [r.name for r in self.rows]
        if len(set(names)) != len(names):
            raise ValueError(f"{framework} native table: a class has two rows: {names}")

    @property
    def names(self) -> list[str]:
        """The native class names, sorted."""
        return sorted(r.name for r in self.rows)

    def row(self, name: str) -> NativeSpec:
        """The row of the class called ``name`` (KeyError for a class the table does not have)."""
        for row in self.rows:
            if row.name == name:
                return row
        raise KeyError(f"{self.framework} native table has no row {name!r}")

    def call(self, name: str, *args: Any, **kwargs: Any) -> NativeCall:
        """``self.row(name).call(*args, **kwargs)``."""
        return self.row(name).call(*args, **kwargs)

    def _classes(self) -> dict[type, NativeSpec]:
        if self._by_class is None:
            self._by_class = {row.native: row for row in self.rows}
        return self._by_class

    def spec_of(self, native: Any) -> NativeSpec:
        """The row of a live native's exact class.

        Raises:
            TypeError: not one of the table's classes; a subclass of one is named with its base class (a subclass
                may override ``get_lr()``: convert its base class explicitly).
        """
        kind = type(native)
        classes = self._classes()
        row = classes.get(kind)
        if row is not None:
            return row
        name = f"{kind.__module__}.{kind.__qualname__}"
        base = next((c for c in kind.__mro__ if c in classes), None)
        if base is not None:
            raise TypeError(
                f"from_native: {name} is a subclass of {self.framework}'s {base.__name__}, and a subclass may override "
                f"get_lr(); convert its base class explicitly: build a {base.__module__}.{base.__qualname__} with the "
                "same arguments and pass that to from_native"
            )
        raise TypeError(
            f"from_native: {name} is not one of {self.framework}'s built-in schedulers "
            f"({', '.join(self.names)}), so its values cannot be read from its arguments"
        )

    def is_native(self, native: Any, *names: str) -> bool:
        """Whether ``native``'s exact class is one of the named rows' (all rows when none is named)."""
        row = self._classes().get(type(native))
        return row is not None and (not names or row.name in names)

    def rows_for(self, core_class: type) -> list[NativeSpec]:
        """The rows whose ``from_core`` accepts ``core_class``, in table order."""
        return [r for r in self.rows if r.from_core is not None and core_class in r.cores]

    def plan(self, schedule: Any, *args: Any) -> NativeCall:
        """The first row's call for ``schedule`` (``from_core(schedule, *args)``), trying the rows accepting its
        class in order.

        Raises:
            Inexpressible: no row accepts the class, or every one that does refuses (the first refusal is raised:
                the table puts the row that means the schedule first).
        """
        kind = type(schedule[0] if isinstance(schedule, tuple) else schedule)
        rows = self.rows_for(kind)
        if not rows:
            raise Inexpressible(f"{self.framework} has no scheduler that computes {kind.__name__}")
        refusals = []
        for row in rows:
            try:
                return row.from_core(schedule, *args)  # type: ignore[misc]
            except Inexpressible as exc:
                refusals.append(exc)
        raise refusals[0]
