"""Data read from a config file as Python source that evaluates to it, laid out as ``ruff format`` lays it out (line
length 120), for the snippets the commands print (``lrparity ppocr``, ``lrparity recipe``): they paste into a
formatted file as they are and run as printed."""

from __future__ import annotations

import datetime
import json
import math
from collections.abc import Mapping
from typing import Any

__all__ = ["LINE_LENGTH", "python_literal"]

LINE_LENGTH = 120
"""Line length of the printed Python (the project's ruff setting)."""


def _scalar_literal(value: Any, imports: set[str]) -> str:
    """A scalar read from YAML as a Python expression that evaluates to it (strings double-quoted, as ruff)."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False) if "\\" not in value else repr(value)
    if isinstance(value, float) and not math.isfinite(value):
        return f'float("{value}")'
    if isinstance(value, (datetime.date, datetime.time)):
        imports.add("datetime")
    return repr(value)


def _brackets_and_items(value: Any) -> tuple[str, str, list[tuple[Any, Any]]]:
    """The opening and closing bracket of a container read from YAML, and its ``(key or None, item)`` pairs."""
    if isinstance(value, Mapping):
        return "{", "}", list(value.items())
    return ("[", "]", [(None, v) for v in value]) if isinstance(value, list) else ("(", ")", [(None, v) for v in value])


def python_literal(value: Any, imports: set[str], indent: int = 0, used: int = 0, explode: bool = False) -> str:
    """``value`` (data read from YAML or a schedule's config) as a Python expression that evaluates to it, laid out
    as ruff formats it.

    A container is written on one line where it fits in :data:`LINE_LENGTH` (``used`` characters of the line are
    taken before it, and one after it for a comma), else one item per line with a trailing comma, which ruff
    keeps as it is; ``explode`` forces the second layout (a top-level config, for readability). Modules the
    expression needs (``datetime``) are added to ``imports``.
    """
    if not isinstance(value, (Mapping, list, tuple)):
        return _scalar_literal(value, imports)
    open_, close, items = _brackets_and_items(value)
    parts = [
        (python_literal(k, imports) + ": " if isinstance(value, Mapping) else "")
        + python_literal(v, imports, indent + 4)
        for k, v in items
    ]
    single = open_ + ", ".join(parts) + ("," if isinstance(value, tuple) and len(parts) == 1 else "") + close
    if not items or (not explode and used + len(single) + 1 <= LINE_LENGTH and "\n" not in single):
        return single
    pad = " " * (indent + 4)
    lines = []
    for k, v in items:
        key = python_literal(k, imports) + ": " if isinstance(value, Mapping) else ""
        lines.append(pad + key + python_literal(v, imports, indent + 4, indent + 4 + len(key)) + ",")
    return open_ + "\n" + "\n".join(lines) + "\n" + " " * indent + close
