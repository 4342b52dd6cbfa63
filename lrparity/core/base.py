"""The schedule type: an immutable object whose value at step ``t`` is a closed form.

``t`` counts ``scheduler.step()`` calls (t = 0 before the first one), exactly as ``last_epoch`` does in
torch and paddle. A schedule is evaluated either at one step (a Python int, O(1)) or on an integer array
(the whole curve, no Python loop over steps); both give bit-identical float64 values.

Relative schedules scale a *base learning rate* supplied by the caller (torch: each param group's
``initial_lr``; paddle: the scheduler's ``learning_rate``). With ``base_lr=None`` the base is 1.0, so the
values are multipliers. Absolute schedules (``uses_base_lr`` is False: OneCycle, Cyclic, Piecewise,
WithBaseLR) fix their own values and ignore the base. A composition (Warmup, Sequence, Chain, Shift, Noise,
PerGroup) derives ``uses_base_lr`` from its parts: it is absolute when no part it evaluates reads the base.
"""

from __future__ import annotations

import dataclasses
import importlib
import numbers
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar, TypeVar, overload

import numpy as np

from lrparity.core._math import ARRAY, SCALAR
from lrparity.core.validation import check_number

__all__ = ["REGISTRY", "Configurable", "Schedule", "Steps", "as_steps", "callable_from_path", "callable_path"]

Steps = int | np.integer | Iterable[int] | np.ndarray
C = TypeVar("C", bound="Configurable")

_MAX_STEP = 2**62
_INF = float("inf")


def as_steps(steps: Steps) -> np.ndarray:
    """Steps as a non-negative int64 array (a new array; the caller's is not modified)."""
    if isinstance(steps, range):
        arr = np.arange(steps.start, steps.stop, steps.step, dtype=np.int64)
    else:
        arr = np.array(steps, copy=True)
    if arr.dtype == np.bool_ or not (np.issubdtype(arr.dtype, np.integer) or arr.size == 0):
        raise TypeError(f"steps must be integers (scheduler.step() counts), got dtype {arr.dtype}")
    arr = arr.astype(np.int64, copy=False)
    if arr.size and arr.min() < 0:
        raise ValueError(f"steps must be >= 0, got {int(arr.min())}")
    return arr


def _check_step(step: Any) -> int:
    if isinstance(step, bool) or not isinstance(step, numbers.Integral):
        raise TypeError(f"step must be an int >= 0 (a count of scheduler.step() calls), got {step!r}")
    step = int(step)
    if step < 0 or step > _MAX_STEP:
        raise ValueError(f"step must be in [0, 2**62], got {step}")
    return step


def _base(base_lr: Any) -> float:
    if base_lr is None:
        return 1.0
    return check_number("", "base_lr", base_lr, low=0.0)


def callable_path(fn: Callable[..., Any]) -> str:
    """``'package.module:qualname'`` for an importable function, or a ValueError saying why not."""
    module = getattr(fn, "__module__", None)
    qualname = getattr(fn, "__qualname__", None)
    if not module or not qualname or "<" in qualname or module == "__main__":
        raise ValueError(
            f"cannot serialise callable {fn!r}: only module-level functions importable by dotted path "
            f"(module:name) round-trip through a config; define it at the top level of an importable module"
        )
    path = f"{module}:{qualname}"
    if callable_from_path(path) is not fn:
        raise ValueError(f"cannot serialise callable {fn!r}: importing {path!r} does not give the same object")
    return path


def callable_from_path(path: str) -> Callable[..., Any]:
    if not isinstance(path, str):
        raise TypeError(f"a callable is given as 'module:name' (a string), got {path!r} ({type(path).__name__})")
    module_name, sep, qualname = path.partition(":")
    if not sep:
        module_name, _, qualname = path.rpartition(".")
    try:
        obj: Any = importlib.import_module(module_name)
        for part in qualname.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError, ValueError) as exc:
        raise ValueError(f"cannot import callable {path!r}: {exc}") from None
    if not callable(obj):
        raise TypeError(f"{path!r} is not callable")
    return obj


def _encode(value: Any) -> Any:
    if isinstance(value, Configurable):
        return value.to_config()
    if isinstance(value, tuple):
        return [_encode(v) for v in value]
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    if callable(value):
        return {"callable": callable_path(value)}
    return value


REGISTRY: dict[str, type[Configurable]] = {}
"""Registry name -> class of every :class:`Configurable` defined so far (each registers itself when defined)."""

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class Configurable:
    """A frozen dataclass that round-trips through a plain dict (``to_config`` / ``lrparity.from_config``).

    A subclass that sets the class attribute ``name`` registers itself under it when it is defined, so that
    ``from_config({"type": name, ...})`` finds it: defining the class is all a new schedule needs.
    """

    name: ClassVar[str]
    """Registry name (lower case, digits, ``_``); ``to_config()`` writes it as ``"<name>.v<version>"``."""
    version: ClassVar[int] = 1

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("name")
        if name is None:  # an intermediate base class (Schedule), or a subclass that does not register
            return
        if not isinstance(name, str) or not _NAME.match(name):
            raise TypeError(f"{cls.__qualname__}.name must be a lower-case identifier like 'cosine', got {name!r}")
        known = REGISTRY.get(name)
        if known is not None and (known.__module__, known.__qualname__) != (cls.__module__, cls.__qualname__):
            raise TypeError(
                f"{cls.__module__}.{cls.__qualname__}: the schedule name {name!r} is taken by "
                f"{known.__module__}.{known.__qualname__}"
            )
        REGISTRY[name] = cls  # the same class defined again (a module reloaded) replaces its old self

    def to_config(self) -> dict[str, Any]:
        """A plain JSON/YAML-safe dict, ``{"type": "<name>.v<version>", <param>: <value>, ...}``.

        ``lrparity.from_config(obj.to_config()) == obj``.
        """
        if REGISTRY.get(self.name) is not type(self):
            raise ValueError(
                f"cannot save a {type(self).__qualname__}: it is registered under no name of its own (it inherits "
                f"name={self.name!r} from {REGISTRY.get(self.name, object).__qualname__}); give the class a "
                "'name' attribute"
            )
        config: dict[str, Any] = {"type": f"{self.name}.v{self.version}"}
        for field in dataclasses.fields(self):  # type: ignore[arg-type]
            config[field.name] = _encode(getattr(self, field.name))
        return config

    def replace(self: C, **changes: Any) -> C:
        """A copy with some parameters changed (validated again)."""
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]

    def __repr__(self) -> str:
        params = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in dataclasses.fields(self))  # type: ignore[arg-type]
        return f"{type(self).__name__}({params})"


class Schedule(Configurable):
    """Base class of every schedule. Subclasses are frozen dataclasses that implement :meth:`_eval`.

    Evaluate with ``schedule(t, base_lr)`` (an int gives a float, an array gives an array) or
    ``schedule.values(steps, base_lr)`` (always an array).
    """

    uses_base_lr: ClassVar[bool] = True
    """Whether the values read the base lr (relative schedule). False: the values are the same for every base
    (absolute schedule); compositions derive it from their parts."""

    # -- the one method a schedule implements -------------------------------------------------------------
    def _eval(self, t: Any, base: float, m: Any) -> Any:
        """The value at step(s) ``t`` (an int or an int64 array) for base lr ``base``, written with ``m``."""
        raise NotImplementedError

    # -- evaluation ------------------------------------------------------------------------------------------
    @overload
    def __call__(self, step: int, base_lr: float | None = None) -> float: ...
    @overload
    def __call__(self, step: np.ndarray, base_lr: float | None = None) -> np.ndarray: ...

    def __call__(self, step: Any, base_lr: float | None = None) -> Any:
        """Value at ``step`` (int -> float) or at every step of an integer array (-> float64 array)."""
        if isinstance(step, numbers.Integral) and not isinstance(step, bool):
            return self.value(step, base_lr)
        return self.values(step, base_lr)

    def value(self, step: int, base_lr: float | None = None) -> float:
        """Value at one step, O(1) in pure Python (what the backends call once per ``step()``)."""
        if type(step) is not int or not 0 <= step <= _MAX_STEP:
            step = _check_step(step)
        if base_lr is None:
            base = 1.0
        elif type(base_lr) is float and 0.0 <= base_lr < _INF:
            base = base_lr
        else:
            base = _base(base_lr)
        return float(self._eval(step, base, SCALAR))

    def values(self, steps: Steps, base_lr: float | None = None) -> np.ndarray:
        """Values at every step of ``steps`` (an int, a range, a list or an integer array) as float64.

        Bit-identical, element by element, to :meth:`value`.
        """
        t = as_steps(steps)
        if t.ndim == 0:
            return np.asarray(self.value(int(t), base_lr), dtype=np.float64)
        base = _base(base_lr)
        if t.size == 0:
            return np.empty(t.shape, dtype=np.float64)
        if int(t.max()) > _MAX_STEP:
            raise ValueError(f"steps must be <= 2**62, got {int(t.max())}")
        with np.errstate(all="ignore"):
            out = self._eval(t, base, ARRAY)
        if isinstance(out, np.ndarray) and out.dtype == np.float64 and out.shape == t.shape and out.base is None:
            return out  # a fresh array the schedule built for this call: no copy needed
        return np.broadcast_to(np.asarray(out, dtype=np.float64), t.shape).copy()

    # -- structure -----------------------------------------------------------------------------------------
    def for_group(self, index: int) -> Schedule:
        """The schedule that drives param group ``index`` (only :class:`PerGroup` differs per group)."""
        return self

    def companions(self) -> Mapping[str, Schedule]:
        """Other optimizer fields this schedule drives, e.g. ``{"momentum": ...}`` for OneCycle."""
        return {}

    @property
    def length(self) -> int | None:
        """Nominal length in steps (where the schedule ends or first completes), or None if unbounded."""
        return None


def set_field(obj: Configurable, name: str, value: Any) -> None:
    """Normalise a field inside ``__post_init__`` of a frozen dataclass."""
    object.__setattr__(obj, name, value)
