"""Reading an mmengine config: a mapping as given, a ``.py`` file with mmengine's own loader, YAML/JSON safely."""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lrparity.core.config_files import ConfigFileError, read_config_file
from lrparity.core.validation import check_nesting

__all__ = ["BASE_KEY", "DELETE_KEY", "load_config", "merge_into"]

BASE_KEY = "_base_"
DELETE_KEY = "_delete_"
_MAX_BASES = 64  # deepest chain of _base_ files followed (a cycle is refused before that)


def load_config(config: str | os.PathLike[str] | Mapping[str, Any]) -> dict[str, Any]:
    """The config as a plain dict (a deep copy: the caller's data is never modified).

    - a mapping: used as is (an mmengine ``Config`` / ``ConfigDict`` is a mapping too);
    - a ``.py`` path: mmengine's own ``Config.fromfile`` (``_base_`` files, ``{{_base_.x}}`` references, new-style
      ``read_base()`` configs). **That executes the file's Python code**, as mmengine itself does when it reads the
      file: pass a ``.py`` path only for a config you would run. Needs mmengine (``pip install 'lrparity[mmengine]'``;
      mmengine-lite is enough). ``custom_imports`` are not imported;
    - a ``.yaml``/``.yml``/``.json`` path: lrparity's safe reader (:func:`~lrparity.core.config_files.read_config_file`,
      PyYAML's YAML 1.1 rules as mmengine reads YAML; nothing executed), ``_base_`` files resolved relative to the
      file and merged as mmengine merges them (mappings key by key, ``_delete_=True`` replaces, lists replace).

    Raises:
        ImportError: a ``.py`` path without mmengine installed.
        ValueError: an unreadable file (naming it), a ``_base_`` cycle, two bases defining the same key.
        TypeError: the config is not a mapping.
    """
    if isinstance(config, Mapping):
        data = _plain(config)
        check_nesting("mmengine config", "config", data)
        return data
    if not isinstance(config, (str, os.PathLike)):
        raise TypeError(
            f"config must be an mmengine config mapping or the path of a .py/.yaml/.json file, got {config!r} "
            f"({type(config).__name__})"
        )
    path = Path(config)
    if path.suffix.lower() == ".py":
        return _from_python(path)
    if path.suffix.lower() not in (".yaml", ".yml", ".json"):
        raise ValueError(f"{path}: an mmengine config file ends in .py, .yaml, .yml or .json, got {path.suffix!r}")
    return _from_data_file(path, ())


def _plain(value: Any) -> Any:
    """Mappings as dicts and tuples/lists as lists, recursively (what a Config's ``to_dict`` gives), copied."""
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value] if isinstance(value, list) else tuple(_plain(i) for i in value)
    return copy.deepcopy(value)


def _from_python(path: Path) -> dict[str, Any]:
    try:
        from mmengine.config import Config
    except ImportError as exc:
        raise ImportError(
            f"{path}: reading an mmengine .py config needs mmengine, whose Config.fromfile executes the file "
            "(pip install 'lrparity[mmengine]'; mmengine-lite is enough). Without it, pass the config as a mapping, "
            f"or as YAML/JSON ({exc})"
        ) from exc
    if not path.is_file():
        raise ValueError(f"{path}: no such config file")
    cfg = Config.fromfile(str(path), import_custom_modules=False, format_python_code=False)
    data = cfg.to_dict()
    if not isinstance(data, dict):  # pragma: no cover - Config.to_dict always gives a dict
        raise TypeError(f"{path}: mmengine read {type(data).__name__}, not a mapping")
    return _plain(data)


def _from_data_file(path: Path, chain: tuple[Path, ...]) -> dict[str, Any]:
    resolved = path.resolve()
    if resolved in chain:
        raise ValueError(f"{path}: _base_ files include each other: {' -> '.join(str(p) for p in (*chain, resolved))}")
    if len(chain) >= _MAX_BASES:
        raise ValueError(f"{path}: more than {_MAX_BASES} nested _base_ files")
    data = read_config_file(path, yaml_floats="1.1", duplicate_keys="warn")
    if not isinstance(data, Mapping):
        raise TypeError(f"{path}: an mmengine config is a mapping, got {type(data).__name__}")
    data = _plain(data)
    bases = data.pop(BASE_KEY, None)
    if bases is None:
        return data
    if isinstance(bases, str):
        bases = [bases]
    if not isinstance(bases, list) or not all(isinstance(b, str) for b in bases):
        raise TypeError(f"{path}: _base_ must be a file name or a list of file names, got {bases!r}")
    merged: dict[str, Any] = {}
    for name in bases:
        if "::" in name:
            raise ValueError(
                f"{path}: _base_ {name!r} names a file inside an installed package; lrparity reads YAML/JSON bases "
                "next to the file only (read the .py config with mmengine instead)"
            )
        base_path = path.parent / name
        try:
            base = _from_data_file(base_path, (*chain, resolved))
        except ConfigFileError as exc:
            raise ValueError(f"{path}: cannot read its _base_ {name!r}: {exc}") from None
        duplicated = sorted(set(merged) & set(base))
        if duplicated:
            raise ValueError(f"{path}: its _base_ files both define {duplicated} (mmengine refuses duplicate keys)")
        merged.update(base)
    return merge_into(data, merged)


def merge_into(child: Mapping[str, Any], base: Mapping[str, Any]) -> dict[str, Any]:
    """``child`` merged into ``base`` as mmengine merges a config into its ``_base_``: a mapping merges key by key
    (unless it says ``_delete_=True``), anything else replaces. Returns a new dict."""
    out = dict(base)
    for key, value in child.items():
        if isinstance(value, Mapping):
            value = dict(value)
            delete = value.pop(DELETE_KEY, False)
            if not delete and isinstance(out.get(key), Mapping):
                out[key] = merge_into(value, out[key])
                continue
            out[key] = merge_into(value, {})
        else:
            out[key] = value
    return out
