"""What the torch and paddle backends share, written once and framework-free (numpy and the standard library only).

- :mod:`~lrparity.backends.neutral.routing`: which value each param-group field takes (fields, companions,
  ``PerGroup`` expansion, one track per distinct ``(schedule, base)``);
- :mod:`~lrparity.backends.neutral.blocks`: per-step values read from blocks of ``schedule.values``;
- :mod:`~lrparity.backends.neutral.state`: the neutral ``state_dict`` format both backends read and write;
- :mod:`~lrparity.backends.neutral.foreign`: reporting values something else changed between two writes;
- :mod:`~lrparity.backends.neutral.natives`: the row type of the native tables and the native call trees
  (``lrparity.to_native``), with :mod:`~lrparity.backends.neutral.source` printing a tree as Python;
- :mod:`~lrparity.backends.neutral.recover`: constructor arguments recovered from what a native scheduler stores.

Importing any of them imports neither torch nor paddle.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    namespace: dict[str, Any], exports: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for a backend package whose adapters import their framework: a name of ``exports``
    (``{name: submodule}``) is imported from ``<package>.<submodule>`` when first used (PEP 562).

    Args:
        namespace: the package's ``globals()``.
        exports: the names imported on use, and the submodule of each.
    """
    package = namespace["__name__"]

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *exports})

    return __getattr__, __dir__
