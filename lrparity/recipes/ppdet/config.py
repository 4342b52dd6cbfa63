"""PaddleDetection config files as plain data, with their ``_BASE_`` includes merged as PaddleDetection merges them.

PaddleDetection (``ppdet/core/workspace.py``, 2.6.0) reads a config with PyYAML's ``yaml.Loader`` (YAML 1.1: ``1e-4``
without a dot is a *string*) and resolves ``_BASE_`` recursively: every file listed in ``_BASE_`` (a path relative
to the file that lists it, ``~`` expanded) is loaded with its own includes, and the files are merged into one
global config in depth-first order, bases before the file that includes them. The merge (``dict_merge``) is per
key: a mapping merges into a mapping key by key, recursively; anything else (a list such as
``LearningRate.schedulers``, a scalar, a tagged object such as ``!PiecewiseDecay {...}``) replaces the value
wholesale. So a file that sets ``LearningRate: {base_lr: 0.02}`` keeps the ``schedulers`` of its bases, and one
that sets ``schedulers`` replaces the whole list.

Here every file is read by lrparity's one safe reader (:func:`lrparity.core.config_files.read_config_file`, with
YAML 1.1 floats): nothing is executed. A tag is read as data, ``!PiecewiseDecay {gamma: 0.1}`` as
``{"name": "PiecewiseDecay", "gamma": 0.1}`` (the same mapping as the ``- name: PiecewiseDecay`` form), and a
tagged section is replaced wholesale in the merge, as PaddleDetection replaces the object it builds. A key repeated in
a mapping keeps its last value, as PyYAML does, and is reported; an include cycle is an error (PaddleDetection recurses
until Python's recursion limit).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from lrparity.core.config_files import ConfigFileError, DuplicateKey, read_config_file

__all__ = ["BASE_KEY", "LR_CLASSES", "dict_merge", "read_config"]

BASE_KEY = "_BASE_"
"""The key that lists a PaddleDetection config's includes."""

LR_CLASSES: tuple[str, ...] = ("PiecewiseDecay", "CosineDecay", "LinearWarmup", "ExpWarmup")
"""The learning-rate classes of ``ppdet/optimizer/optimizer.py`` (2.6.0): two decays, then two warmups."""

_TAG = "\x00tag"
"""Key under which a tag's name is read while files are merged (no YAML key can be it), then renamed ``name``."""

MAX_INCLUDES = 1000
"""Most files one config may include, directly or not (a guard against include explosions)."""


def dict_merge(dct: dict[Any, Any], merge_dct: Mapping[Any, Any]) -> dict[Any, Any]:
    """Merge ``merge_dct`` into ``dct`` in place, as PaddleDetection's ``dict_merge``: mapping into mapping
    recursively, anything else (lists, scalars, tagged sections) replacing the old value; returns ``dct``."""
    for key, value in merge_dct.items():
        old = dct.get(key) if key in dct else None
        if isinstance(old, dict) and _TAG not in old and isinstance(value, Mapping) and _TAG not in value:
            dict_merge(old, value)
        else:
            dct[key] = value
    return dct


def _read_one(path: str, on_duplicate: Callable[[DuplicateKey], None] | None) -> Any:
    return read_config_file(
        path,
        yaml_floats="1.1",
        tags=LR_CLASSES,
        tag_key=_TAG,
        unknown_tags="data",
        duplicate_keys="warn",  # PyYAML (PaddleDetection's reader) keeps the last value; reported
        on_duplicate=on_duplicate,
    )


def _includes(data: Mapping[str, Any], path: str) -> list[str]:
    raw = data[BASE_KEY]
    if not isinstance(raw, list) or not all(isinstance(p, str) for p in raw):
        raise ConfigFileError(
            path,
            f"{BASE_KEY} = {raw!r} must be a list of file names (PaddleDetection iterates over it: a single string is "
            "read character by character)",
        )
    folder = os.path.dirname(path)
    out = []
    for name in raw:
        if name.startswith("~"):
            name = os.path.expanduser(name)
        out.append(name if name.startswith("/") else os.path.join(folder, name))
    return out


def _untag(node: Any) -> Any:
    """Rename the internal tag key to ``name`` everywhere (a tagged mapping that also has a ``name`` key keeps both:
    ``name`` holds its own value and the tag stays under the internal key, where nothing reads it)."""
    stack = [node]
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, dict):
            if _TAG in item and "name" not in item:
                tag = item.pop(_TAG)
                rest = dict(item)
                item.clear()
                item.update({"name": tag, **rest})
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return node


def read_config(
    path: str | os.PathLike[str], *, on_duplicate: Callable[[DuplicateKey], None] | None = None
) -> dict[str, Any]:
    """A PaddleDetection config file with its ``_BASE_`` includes resolved and merged, as plain data.

    Tags are read as ``{"name": <tag>, **params}``, so ``LearningRate.schedulers`` holds the same mappings whichever
    form (``!PiecewiseDecay {...}`` or ``- name: PiecewiseDecay``) the files use.

    Args:
        path: the config file (``.yml`` or ``.yaml``, as PaddleDetection's ``load_config`` asserts).
        on_duplicate: called with each key a mapping repeats (PyYAML, and so PaddleDetection, keeps the last value,
            and so does lrparity); default: a :class:`~lrparity.core.config_files.ConfigFileWarning`.

    Raises:
        ConfigFileError: (a ValueError naming the file) a file that cannot be read, is not a mapping, lists its
            includes wrongly, or includes itself (directly or not).
    """
    top = os.fspath(path)
    if Path(top).suffix not in (".yml", ".yaml"):
        raise ConfigFileError(top, "PaddleDetection reads only .yml/.yaml config files (its load_config asserts it)")
    merged: dict[str, Any] = {}
    count = 0

    def load(file: str, chain: tuple[str, ...]) -> None:
        nonlocal count
        count += 1
        if count > MAX_INCLUDES:
            raise ConfigFileError(top, f"includes more than {MAX_INCLUDES} files through {BASE_KEY}")
        real = os.path.realpath(file)
        if real in chain:
            cycle = " -> ".join([*(os.path.basename(c) for c in chain[chain.index(real) :]), os.path.basename(real)])
            raise ConfigFileError(file, f"includes itself through {BASE_KEY} ({cycle})")
        data = _read_one(file, on_duplicate)
        if not isinstance(data, dict) or _TAG in data:
            raise ConfigFileError(file, f"holds {type(data).__name__} {data!r:.80}, not a mapping of config sections")
        if BASE_KEY in data:
            for base in _includes(data, file):
                load(base, (*chain, real))
            del data[BASE_KEY]
        dict_merge(merged, data)

    load(top, ())
    return _untag(merged)
