"""Names of every schedule, and configs: ``from_config``, ``load_config``.

Adding a schedule: write its class in one module and add it to ``_CLASSES`` below.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lrparity.core.base import Configurable, callable_from_path
from lrparity.core.compose import Chain, PerGroup, Sequence, Shift, WithBaseLR
from lrparity.core.constant import Constant
from lrparity.core.cosine import Cosine, CosineRestarts
from lrparity.core.cyclic import Cyclic
from lrparity.core.exponential import Exponential, InverseTime, NaturalExp
from lrparity.core.lambdas import Lambda, Multiplicative
from lrparity.core.noam import Noam
from lrparity.core.noise import Noise
from lrparity.core.one_cycle import OneCycle, PhaseAnneal
from lrparity.core.plateau import Plateau
from lrparity.core.polynomial import Linear, Polynomial
from lrparity.core.step import MultiStep, Piecewise, Step
from lrparity.core.validation import closest_key_hint
from lrparity.core.warmup import Warmup

__all__ = ["REGISTRY", "from_config", "load_config"]

_CLASSES: tuple[type[Configurable], ...] = (
    Constant, Lambda, Multiplicative, Step, MultiStep, Piecewise, Exponential, NaturalExp, InverseTime,
    Linear, Polynomial, Cosine, CosineRestarts, Cyclic, PhaseAnneal, OneCycle, Noam,
    Warmup, Sequence, Shift, Chain, WithBaseLR, PerGroup, Noise, Plateau,
)  # fmt: skip

REGISTRY: Mapping[str, type[Configurable]] = {cls.name: cls for cls in _CLASSES}
"""Registry name -> class, e.g. ``"cosine" -> Cosine``."""

_TYPE = re.compile(r"^(?P<name>[a-z_0-9]+)(?:\.v(?P<version>\d+))?$")


def _decode(value: Any, where: str) -> Any:
    if isinstance(value, Mapping):
        if "type" in value:
            return from_config(value, _where=where)
        if set(value) == {"callable"}:
            return callable_from_path(value["callable"])
        raise ValueError(f"{where}: a nested mapping must be a schedule config (with 'type') or {{'callable': path}}")
    if isinstance(value, list):
        return tuple(_decode(v, f"{where}[{i}]") for i, v in enumerate(value))
    return value


def from_config(config: Mapping[str, Any], *, _where: str = "config") -> Any:
    """Rebuild a schedule (or a :class:`Plateau`) from ``to_config()``'s dict.

    ``{"type": "cosine.v1", "T_max": 100}`` or, without a version, ``{"type": "cosine", ...}``. Lists become
    tuples, nested configs become schedules, ``{"callable": "module:name"}`` becomes the function. Unknown
    keys raise a ValueError that suggests the closest valid one.
    """
    if not isinstance(config, Mapping):
        raise TypeError(f"{_where} must be a mapping with a 'type' key, got {config!r}")
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
        kwargs[key] = _decode(value, f"{_where}.{key}")
    try:
        return cls(**kwargs)
    except TypeError as exc:
        if "missing" in str(exc):
            raise ValueError(f"{_where}: {name} {exc.args[0].split(' ', 1)[1]}") from None
        raise


def _load_yaml(text: str) -> Any:
    """YAML with a safe loader that reads ``1e-5`` as a float (YAML 1.2; PyYAML's 1.1 rules make it a string)."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_implicit_resolver(
        "tag:yaml.org,2002:float",
        re.compile(
            r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$"  # 1e-5, 2.5E+3: floats in YAML 1.2
        ),
        list("-+0123456789."),
    )
    return yaml.load(text, Loader=Loader)


def load_config(path: str | os.PathLike[str]) -> Any:
    """Read a schedule config from a YAML (safe loader) or JSON file and build it with :func:`from_config`."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        data = json.loads(text)
    else:
        data = _load_yaml(text)
    return from_config(data, _where=str(path))
