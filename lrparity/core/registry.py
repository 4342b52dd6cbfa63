"""Configs: ``from_config``, ``load_config``, and :data:`REGISTRY`, the names of every schedule.

A schedule class registers itself when it is defined (:class:`~lrparity.core.base.Configurable`); nothing here
lists the classes.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, Literal

from lrparity.core.base import REGISTRY as _LIVE_REGISTRY
from lrparity.core.base import Configurable, callable_from_path
from lrparity.core.config_files import read_config_file
from lrparity.core.validation import closest_key_hint

__all__ = ["REGISTRY", "from_config", "load_config"]

REGISTRY: Mapping[str, type[Configurable]] = MappingProxyType(_LIVE_REGISTRY)
"""Registry name -> class, e.g. ``"cosine" -> Cosine``: every schedule class, registered when it is defined."""

_TYPE = re.compile(r"^(?P<name>[a-z_0-9]+)(?:\.v(?P<version>\d+))?$")


MAX_DEPTH = 50
"""Deepest nesting of a config (schedules in schedules, lists in lists): deeper is refused, not a RecursionError."""


Callables = Mapping[str, Callable[..., Any]] | Literal["import"] | None
"""How :func:`from_config` resolves ``{"callable": "module:name"}``: None refuses every callable, a mapping
``{"module:name": fn}`` allows exactly those functions, ``"import"`` imports the named module (trusted configs
only: importing a module runs its code)."""


def _callable(path: Any, where: str, callables: Callables) -> Callable[..., Any]:
    """The function a config names, resolved as ``callables`` allows (see :data:`Callables`)."""
    if not isinstance(path, str) or not path:
        raise TypeError(f"{where}: 'callable' must be a 'module:name' string, got {path!r}")
    if callables == "import":
        return callable_from_path(path)
    if isinstance(callables, Mapping):
        dotted = path.replace(":", ".")
        for key, fn in callables.items():
            if key == path or key.replace(":", ".") == dotted:
                if not callable(fn):
                    raise TypeError(f"callables[{key!r}] must be callable, got {fn!r}")
                return fn
    allowed = sorted(callables) if isinstance(callables, Mapping) else []
    raise ValueError(
        f"{where}: the config names the Python function {path!r}; lrparity does not import or run code a config "
        "names. Pass it explicitly, from_config(config, callables={" + repr(path) + ": fn}) or "
        "load_config(path, callables=...), or callables='import' for a config you trust"
        + (f" (allowed here: {allowed})" if allowed else "")
    )


def _decode(value: Any, where: str, depth: int, callables: Callables) -> Any:
    if depth > MAX_DEPTH:
        raise ValueError(f"{where}: the config is nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, Mapping):
        if "type" in value:
            return from_config(value, callables=callables, _where=where, _depth=depth)
        if set(value) == {"callable"}:
            return _callable(value["callable"], where, callables)
        raise ValueError(f"{where}: a nested mapping must be a schedule config (with 'type') or {{'callable': path}}")
    if isinstance(value, list):
        return tuple(_decode(v, f"{where}[{i}]", depth + 1, callables) for i, v in enumerate(value))
    return value


def from_config(
    config: Mapping[str, Any], *, callables: Callables = None, _where: str = "config", _depth: int = 0
) -> Any:
    """Rebuild a schedule (or a :class:`Plateau`) from ``to_config()``'s dict.

    ``{"type": "cosine.v1", "T_max": 100}`` or, without a version, ``{"type": "cosine", ...}``. Lists become
    tuples, nested configs become schedules. Unknown keys raise a ValueError that suggests the closest valid one.

    A config never runs code by itself: ``{"callable": "module:name"}`` (a ``Lambda``'s function, a ``Cyclic``
    ``scale_fn``) is refused unless ``callables`` allows it, as Keras's ``custom_objects`` do.

    Args:
        config: the dict.
        callables: None (default) refuses callables; ``{"module:name": fn}`` gives the functions the config may
            name; ``"import"`` imports the module a name points to (only for configs you trust: an import runs
            the module's code).
    """
    if not isinstance(config, Mapping):
        raise TypeError(f"{_where} must be a mapping with a 'type' key, got {config!r}")
    not_str = [k for k in config if not isinstance(k, str)]
    if not_str:
        raise TypeError(f"{_where}: config keys must be strings, got {not_str[0]!r} ({type(not_str[0]).__name__})")
    if "type" not in config:
        raise ValueError(f"{_where} has no 'type' key (one of {sorted(REGISTRY)}); got keys {sorted(config)}")
    match = _TYPE.match(str(config["type"]))
    name = match.group("name") if match else str(config["type"])
    if not match or name not in REGISTRY:
        raise ValueError(
            f"{_where}: unknown schedule type {config['type']!r}{closest_key_hint(name, REGISTRY)}; "
            f"valid: {sorted(REGISTRY)}"
        )
    cls = REGISTRY[name]
    version = int(match.group("version") or cls.version)
    if version != cls.version:
        raise ValueError(
            f"{_where}: {name} config version {version} is not supported (this lrparity reads v{cls.version})"
        )
    fields = {f.name for f in dataclasses.fields(cls) if f.init}  # type: ignore[arg-type]
    kwargs = {}
    for key, value in config.items():
        if key == "type":
            continue
        if key not in fields:
            raise ValueError(
                f"{_where}: unknown key {key!r} for {name}{closest_key_hint(key, fields)}; valid keys: {sorted(fields)}"
            )
        kwargs[key] = _decode(value, f"{_where}.{key}", _depth + 1, callables)
    try:
        return cls(**kwargs)
    except TypeError as exc:
        if "missing" in str(exc):
            raise ValueError(f"{_where}: {name} {exc.args[0].split(' ', 1)[1]}") from None
        raise


def load_config(path: str | os.PathLike[str], *, callables: Callables = None) -> Any:
    """Read a schedule config file and build it with :func:`from_config` (``callables`` as there: by default a
    file that names a Python function is refused).

    The file is YAML, or JSON when its name ends in ``.json``, read as plain data by
    :func:`lrparity.core.config_files.read_config_file`: ``1e-5`` is a float (YAML 1.2), nothing is executed
    (python tags are refused), and duplicate keys, an empty file, text that is not UTF-8, a directory or a
    missing file raise :class:`~lrparity.core.config_files.ConfigFileError` (a ValueError) naming the file.

    Raises:
        ValueError: the file cannot be read, or its config is not valid (the message names the file).
        TypeError: the file holds something other than a mapping.
    """
    where = os.fspath(path)
    data = read_config_file(where)
    try:
        return from_config(data, callables=callables, _where=where)
    except (ValueError, TypeError) as exc:
        if str(exc).startswith(where):
            raise
        raise (ValueError if isinstance(exc, ValueError) else TypeError)(f"{where}: {exc}") from exc
