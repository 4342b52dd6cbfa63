"""Which value each param-group field takes: the routing both backends share (stdlib only: no framework import).

A backend drives one or more *fields* of an optimizer's param groups (torch: ``"lr"``, ``"momentum"``,
``"weight_decay"``...; paddle: ``"momentum"``, ``"beta1"``, ``"weight_decay"``...), each with a schedule. For a given
number of groups the routing resolves, for every group ``i`` and field ``f``:

- the schedule: ``schedule.for_group(i)`` (a :class:`~lrparity.PerGroup` gives each group its own; it must have
  exactly one per group), plus the fields its *companions* drive (``OneCycle``/``Cyclic`` with
  ``cycle_momentum=True`` drive ``"momentum"``); a field driven both explicitly and as a companion is refused;
- the base the schedule scales (the backend says where it comes from; absolute schedules need none);
- a *track*: one per distinct ``(schedule, base)``, so that each is evaluated once per step whatever the number
  of groups sharing it.

The backend then reads ``value = track(t)`` for every :class:`Route` and writes it in its framework's way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from lrparity.core import PerGroup, Schedule

__all__ = ["Plan", "Route", "Routing", "driven_fields", "hashable"]


class Route(NamedTuple):
    """One value written at every step: param group ``group``'s ``field`` takes track ``track``'s value."""

    group: int
    field: str
    track: int


class Plan(NamedTuple):
    """The routing for a given number of param groups.

    Attributes:
        tracks: the distinct ``(schedule, base)`` pairs (base None: an absolute schedule, or values as multipliers).
        routes: one per (group, field) driven, in field order then group order.
        driven: every field written, companions included.
    """

    tracks: list[tuple[Schedule, float | None]]
    routes: list[Route]
    driven: frozenset[str]


def hashable(schedule: Schedule) -> Any:
    """A key equal for equal schedules (schedules holding an unhashable callable are keyed by identity)."""
    try:
        hash(schedule)
    except TypeError:
        return ("id", id(schedule))
    return schedule


def driven_fields(
    owner: str, schedule: Schedule | Mapping[str, Schedule], field: str, check: Callable[[str, Any], Schedule]
) -> dict[str, Schedule]:
    """``{field: schedule}`` from a scheduler's arguments: a mapping of fields to schedules, or one schedule and the
    field it drives.

    Args:
        owner: the scheduler class name, for the messages.
        schedule: one schedule, or a non-empty mapping ``{field: schedule}``.
        field: the field a single ``schedule`` drives (must be left at ``"lr"`` with a mapping).
        check: ``check(where, value)`` returns ``value`` as a schedule or raises (the backend's own messages).

    Raises:
        TypeError: a field name that is not a string, or ``field`` given with a mapping.
        ValueError: an empty mapping.
    """
    if isinstance(schedule, Mapping):
        if field != "lr":
            raise TypeError(f"{owner}: give the fields in the mapping or with field=, not both (field={field!r})")
        if not schedule:
            raise ValueError(f"{owner}: the mapping of fields to schedules is empty")
        fields = {}
        for name, s in schedule.items():
            if not isinstance(name, str):
                raise TypeError(f"{owner}: field names must be strings, got {name!r}")
            fields[name] = check(f"{owner}: fields[{name!r}]", s)
        return fields
    if not isinstance(field, str):
        raise TypeError(f"{owner}: field must be a param-group key (a string), got {field!r}")
    return {field: check(owner, schedule)}


class Routing:
    """The fields a scheduler drives, resolved per param group.

    Args:
        owner: the scheduler class name, for the messages.
        fields: ``{field: schedule}``, the explicitly driven fields.
    """

    def __init__(self, owner: str, fields: Mapping[str, Schedule]) -> None:
        self.owner = owner
        self.fields = dict(fields)

    def check_groups(self, n: int) -> None:
        """Refuse a :class:`~lrparity.PerGroup` that has not exactly one schedule for each of ``n`` groups."""
        for field, schedule in self.fields.items():
            if isinstance(schedule, PerGroup) and len(schedule.schedules) != n:
                raise ValueError(
                    f"{self.owner}: the {field!r} schedule is a PerGroup of {len(schedule.schedules)} schedules but "
                    f"the optimizer has {n} param groups: give one schedule per group"
                )

    def refuse_added_group(self, n: int) -> None:
        """Refuse, before the optimizer adds it (torch's ``add_param_group``), a group ``n - 1`` that a
        :class:`~lrparity.PerGroup` has no schedule for; nothing is changed."""
        for field, schedule in self.fields.items():
            if isinstance(schedule, PerGroup) and len(schedule.schedules) != n:
                raise ValueError(
                    f"add_param_group: the {field!r} schedule of an lrparity {self.owner} driving this optimizer is a "
                    f"PerGroup of {len(schedule.schedules)} schedules, one per param group, and has none for group "
                    f"{n - 1}: nothing was added. Build the scheduler with a schedule for every group."
                )

    def schedules(self, n: int) -> dict[str, list[Schedule | None]]:
        """``{field: [the schedule of group 0, ...]}`` for ``n`` groups, companions included (None: a group whose
        schedule has no such companion).

        Raises:
            ValueError: a PerGroup of the wrong length, or a field driven both explicitly and as a companion.
        """
        self.check_groups(n)
        drivers: dict[str, list[Schedule | None]] = {}
        for field, schedule in self.fields.items():
            drivers[field] = [schedule.for_group(i) for i in range(n)]
        for field in self.fields:
            for i, schedule in enumerate(drivers[field]):
                for companion, driven in schedule.companions().items():  # type: ignore[union-attr]
                    if companion in self.fields:
                        raise ValueError(
                            f"{self.owner}: {companion!r} is driven twice: by the {field!r} schedule's companion "
                            f"({type(schedule).__name__} with cycle_momentum=True) and explicitly; drop one"
                        )
                    drivers.setdefault(companion, [None] * n)[i] = driven
        return drivers

    def plan(
        self, drivers: Mapping[str, list[Schedule | None]], base_of: Callable[[int, str, Schedule], float | None]
    ) -> Plan:
        """The tracks and routes of the groups' schedules.

        Args:
            drivers: what :meth:`schedules` returned (the backend may check it first, e.g. that the optimizer has
                a momentum to drive).
            base_of: ``base_of(group, field, schedule)``: the base that ``schedule`` scales in that group (None
                when it is absolute); called once for every route, so the backend may check there that the group
                has the field.
        """
        index: dict[Any, int] = {}
        tracks: list[tuple[Schedule, float | None]] = []
        routes: list[Route] = []
        for field, per_group in drivers.items():
            for group, schedule in enumerate(per_group):
                if schedule is None:
                    continue
                base = base_of(group, field, schedule)
                key = (hashable(schedule), base)
                if key not in index:
                    index[key] = len(tracks)
                    tracks.append((schedule, base))
                routes.append(Route(group, field, index[key]))
        return Plan(tracks, routes, frozenset(drivers))
