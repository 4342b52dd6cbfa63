"""The user golden file: a portable ``.npz`` (``numpy.load(path, allow_pickle=False)`` reads it anywhere).

Members (entry ``i`` is the ``i``-th recorded config):

- ``__meta__``: uint8, UTF-8 JSON: ``{"format": "lrparity-golden", "version": 1, "versions": {...}, "root": ...,
  "entries": [...]}``. ``versions``: lrparity, numpy, torch, paddle (None: not installed), python, machine, at
  recording. ``root``: the directory ``record`` ran in, relative to the file's directory (config paths are relative
  to it). Each entry: ``config`` (the CONFIG as given), ``options`` (``base_lr``, ``steps_per_epoch``, ``epochs``
  as given), ``source`` (the file read), ``file_sha256`` (of its bytes; None: no file), ``schedule`` (its
  ``to_config()``), ``schedule_sha256`` (of the schedule's config and base lr), ``base_lr`` (the one the paths ran
  with), ``steps``, ``static_steps`` (asked for the static path), ``paths`` (``{path: steps recorded}``) and
  ``not_recorded`` (``{path: why}``).
- ``e<i>.core``: uint8, shape ``(8, steps)``: the core curve's float64 bit patterns as little-endian uint64,
  second-differenced (``d[k] = b[k] - 2 b[k-1] + b[k-2]`` modulo 2**64, ``b[-1] = b[-2] = 0``) and split into byte
  planes (row ``j`` holds byte ``j`` of every ``d[k]``): a smooth curve's differences are small integers whose
  high bytes are zeros, so the core of a 10k-step cosine compresses to ~27 KB instead of ~71 KB. Decode:
  ``bits = cumsum(cumsum(planes.T.copy().view("<u8").ravel()))`` (uint64, wrapping), ``values = bits.view("<f8")``.
- ``e<i>.<path>``: little-endian uint64, the path's float64 bits XOR the bits of what it must equal (the core over
  its steps; for ``paddle-static`` the core cast to float32): all zeros where the path is identical, which
  compresses to almost nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lrparity.golden.paths import PATHS, expected_of
from lrparity.parity import runners

__all__ = [
    "FORMAT",
    "VERSION",
    "Golden",
    "decode_curve",
    "encode_curve",
    "read",
    "schedule_sha256",
    "versions",
    "write",
]

FORMAT = "lrparity-golden"
VERSION = 1


def versions() -> dict[str, str | None]:
    """The versions that can change a curve: lrparity, numpy, torch and paddle (None: not installed), python and
    the machine's architecture."""
    import lrparity

    out: dict[str, str | None] = {"lrparity": lrparity.__version__, "numpy": np.__version__}
    for framework in ("torch", "paddle"):
        out[framework] = None
        if runners.available(framework):
            with runners.quiet_paddle():
                out[framework] = str(__import__(framework).__version__)
    out["python"] = platform.python_version()
    out["machine"] = platform.machine()
    return out


def schedule_sha256(config: Any, base_lr: float | None) -> str:
    """sha256 of a schedule's ``to_config()`` and its base lr (canonical JSON)."""
    text = json.dumps({"schedule": config, "base_lr": base_lr}, sort_keys=True, allow_nan=True)
    return hashlib.sha256(text.encode()).hexdigest()


def encode_curve(values: np.ndarray) -> np.ndarray:
    """float64 values as the byte planes of their bits' second differences (see the module docstring)."""
    bits = np.ascontiguousarray(values, dtype="<f8").view("<u8")
    d = np.diff(bits, n=2, prepend=np.zeros(2, dtype="<u8")) if len(bits) else bits
    return np.ascontiguousarray(d.view(np.uint8).reshape(-1, 8).T)


def decode_curve(planes: np.ndarray) -> np.ndarray:
    """The float64 values :func:`encode_curve` encoded."""
    if planes.dtype != np.uint8 or planes.ndim != 2 or planes.shape[0] != 8:
        raise ValueError(f"a core curve is uint8 of shape (8, steps), got {planes.dtype} {planes.shape}")
    d = np.ascontiguousarray(planes.T).view("<u8").ravel()
    return np.cumsum(np.cumsum(d, dtype="<u8"), dtype="<u8").view("<f8")


@dataclass
class Golden:
    """A golden file in memory: its ``meta`` (the JSON above) and, per entry, ``{path: float64 curve}``."""

    meta: dict[str, Any]
    curves: list[dict[str, np.ndarray]]

    @property
    def entries(self) -> list[dict[str, Any]]:
        return self.meta["entries"]  # type: ignore[no-any-return]


def write(path: str | Path, golden: Golden) -> None:
    """Save ``golden`` to ``path`` (compressed npz; the curves bit-exact), replacing it only once written whole."""
    arrays: dict[str, np.ndarray] = {}
    for i, curves in enumerate(golden.curves):
        core = curves["core"]
        arrays[f"e{i}.core"] = encode_curve(core)
        for name, values in curves.items():
            if name != "core":
                basis = expected_of(name, core[: len(values)])
                arrays[f"e{i}.{name}"] = (values.astype("<f8").view("<u8") ^ basis.astype("<f8").view("<u8")).astype(
                    "<u8"
                )
    text = json.dumps(golden.meta, sort_keys=True, allow_nan=True)
    arrays["__meta__"] = np.frombuffer(text.encode(), dtype=np.uint8)
    partial = Path(f"{os.fspath(path)}.partial")  # written whole, then moved over: never half a golden
    try:
        with open(partial, "wb") as fh:
            np.savez_compressed(fh, **arrays)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _bad(path: str | Path, why: str) -> ValueError:
    return ValueError(f"{path}: not an lrparity golden file ({why}); record one with `lrparity golden record`")


def read(path: str | Path) -> Golden:
    """Load a golden file (raises ValueError naming the file when it is not one, OSError when unreadable)."""
    try:
        data = np.load(path, allow_pickle=False)
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise _bad(path, f"{type(exc).__name__}: {exc}") from None
    if not hasattr(data, "files"):
        raise _bad(path, "a .npy array, not an .npz archive")
    with data:
        if "__meta__" not in data.files:
            raise _bad(path, "no __meta__ member")
        try:
            meta = json.loads(bytes(data["__meta__"]).decode())
        except (ValueError, UnicodeDecodeError) as exc:
            raise _bad(path, f"its __meta__ is not JSON: {exc}") from None
        if not isinstance(meta, Mapping) or meta.get("format") != FORMAT:
            raise _bad(path, "its __meta__ has no 'format': 'lrparity-golden'")
        if meta.get("version") != VERSION:
            raise ValueError(
                f"{path}: golden format version {meta.get('version')!r}; this lrparity reads version {VERSION} "
                f"(lrparity {sys.modules['lrparity'].__version__})"
            )
        curves: list[dict[str, np.ndarray]] = []
        for i, entry in enumerate(meta["entries"]):
            try:
                core = decode_curve(data[f"e{i}.core"])
                one = {"core": core}
                for name in entry["paths"]:
                    if name == "core":
                        continue
                    if name not in PATHS:
                        raise ValueError(f"unknown path {name!r}")
                    xor = data[f"e{i}.{name}"].astype("<u8")
                    basis = expected_of(name, core[: len(xor)])
                    one[name] = (xor ^ basis.astype("<f8").view("<u8")).view("<f8").astype(np.float64)
            except (KeyError, ValueError, TypeError) as exc:
                raise _bad(path, f"entry {i} ({entry.get('config')!r}): {exc}") from None
            curves.append(one)
    return Golden(dict(meta), curves)
