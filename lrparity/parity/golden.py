"""Golden lr sequences for the catalogue: write them from the natives, check every path against them.

File format (a compressed ``.npz``):

- ``<name>.ref``: float64, the reference sequence of entry ``<name>`` (its ``reference`` native, or the core
  where no native exists);
- ``<name>.torch-native`` / ``<name>.paddle-native``: uint64, the native's float64 bits XOR the reference's
  bits (all zeros where the native equals the reference, so it compresses to almost nothing);
- ``__meta__``: JSON: torch/paddle/lrparity versions and each entry's config, base lr, steps, reference, rtol.

:func:`check` recomputes with the installed torch/paddle and returns one :class:`Failure` per drift: a native
that no longer gives its stored sequence bit-for-bit, or the core / the torch backend / the paddle backend
off the reference by more than the entry's ``rtol`` (or, between themselves, not bit-identical).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lrparity.parity import runners
from lrparity.parity.catalogue import CATALOGUE, Entry
from lrparity.parity.report import Diff, compare

__all__ = ["Failure", "check", "compute", "load", "write"]

NATIVES = ("torch-native", "paddle-native")


@dataclass(frozen=True)
class Failure:
    """One drift found by :func:`check`."""

    schedule: str
    backend: str
    message: str
    diff: Diff | None = None

    def __str__(self) -> str:
        return f"{self.schedule} / {self.backend}: {self.message}"


def _versions() -> dict[str, str | None]:
    import lrparity

    out: dict[str, str | None] = {"lrparity": lrparity.__version__, "torch": None, "paddle": None}
    for name in ("torch", "paddle"):
        if runners.available(name):
            out[name] = __import__(name).__version__
    return out


def compute_natives(entry: Entry) -> dict[str, np.ndarray]:
    """The native sequences of ``entry`` that can run here."""
    out: dict[str, np.ndarray] = {}
    if entry.torch_native is not None and runners.available("torch"):
        out["torch-native"] = runners.run_torch_native(entry.torch_native, entry.base_lr, entry.steps)
    if entry.paddle_native is not None and runners.available("paddle"):
        out["paddle-native"] = runners.run_paddle_native(entry.paddle_native, entry.steps)
    return out


def compute(entry: Entry) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """``(reference, natives)`` of an entry, computed with the installed frameworks."""
    natives = compute_natives(entry)
    if entry.reference == "core":
        return runners.run_core(entry.schedule, entry.base_lr, entry.steps), natives
    key = f"{entry.reference}-native"
    if key not in natives:
        raise runners.Skipped(
            f"{entry.name}: its reference needs {entry.reference} (pip install lrparity[{entry.reference}])"
        )
    return natives[key], natives


def _meta(entry: Entry) -> dict[str, Any]:
    return {
        "config": entry.schedule.to_config(),
        "base_lr": entry.base_lr,
        "steps": entry.steps,
        "reference": entry.reference,
        "rtol": entry.rtol,
    }


def write(
    path: str | Path, entries: Iterable[Entry] = CATALOGUE, progress: Callable[[str], None] | None = None
) -> None:
    """Compute the goldens with the installed natives (both torch and paddle needed) and save them."""
    arrays: dict[str, np.ndarray] = {}
    meta: dict[str, Any] = {"versions": _versions(), "entries": {}}
    for entry in entries:
        if progress:
            progress(entry.name)
        ref, natives = compute(entry)
        arrays[f"{entry.name}.ref"] = ref
        for key, values in natives.items():
            arrays[f"{entry.name}.{key}"] = values.view(np.uint64) ^ ref.view(np.uint64)
        meta["entries"][entry.name] = _meta(entry)
    arrays["__meta__"] = np.frombuffer(json.dumps(meta, sort_keys=True).encode(), dtype=np.uint8)
    with open(path, "wb") as fh:
        np.savez_compressed(fh, **arrays)


def load(path: str | Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """``(meta, {"<name>.ref" | "<name>.<native>": float64 array})`` from a golden file."""
    with np.load(path) as data:
        meta = json.loads(bytes(data["__meta__"]).decode())
        arrays = {k: data[k] for k in data.files if k != "__meta__"}
    out: dict[str, np.ndarray] = {}
    for key, value in arrays.items():
        name, _, kind = key.rpartition(".")
        if kind == "ref":
            out[key] = value
    for key, value in arrays.items():
        name, _, kind = key.rpartition(".")
        if kind != "ref":
            out[key] = (value ^ out[f"{name}.ref"].view(np.uint64)).view(np.float64)
    return meta, out


def _native_drifts(entry: Entry, stored: dict[str, np.ndarray]) -> list[Failure]:
    """A native of ``entry`` that no longer gives its stored sequence bit for bit, that has none stored, or that the
    native tables no longer give (its framework installed)."""
    failures = []
    computed = compute_natives(entry)
    for key in NATIVES:
        framework = key.removesuffix("-native")
        if f"{entry.name}.{key}" in stored and key not in computed and runners.available(framework):
            failures.append(Failure(entry.name, key, f"the {framework} native table gives this entry no native now"))
    for key, values in computed.items():
        if f"{entry.name}.{key}" not in stored:
            failures.append(Failure(entry.name, key, "no stored sequence for this native"))
            continue
        d = compare(stored[f"{entry.name}.{key}"], values)
        if not d.ok:
            failures.append(Failure(entry.name, key, "native drifted: " + d.describe(), d))
    return failures


def _backend_drifts(entry: Entry, ref: np.ndarray, backends: tuple[str, ...], skipped: set[str]) -> list[Failure]:
    """The core or a backend off the reference by more than the entry's tolerance, or the backends not
    bit-identical to the core."""
    failures: list[Failure] = []
    results: dict[str, np.ndarray] = {}
    for backend in backends:
        if backend in skipped:
            continue
        if backend == "core":
            results[backend] = runners.run_core(entry.schedule, entry.base_lr, entry.steps)
        elif backend == "torch":
            results[backend] = runners.run_torch(entry.schedule, entry.base_lr, entry.steps)
        elif backend == "paddle":
            results[backend] = runners.run_paddle(entry.schedule, entry.base_lr, entry.steps)
        else:
            raise ValueError(f"backends: unknown backend {backend!r}; allowed: core, torch, paddle")
        d = compare(ref, results[backend], entry.rtol)
        if not d.ok:
            failures.append(Failure(entry.name, backend, f"off the {entry.reference} reference: " + d.describe(), d))
    if "core" in results:
        for backend in ("torch", "paddle"):
            if backend in results:
                d = compare(results["core"], results[backend])
                if not d.ok:
                    failures.append(Failure(entry.name, backend, "not bit-identical to the core: " + d.describe(), d))
    return failures


def check(
    path: str | Path,
    entries: Iterable[Entry] = CATALOGUE,
    backends: Iterable[str] = ("core", "torch", "paddle"),
    progress: Callable[[str], None] | None = None,
    golden: tuple[dict[str, Any], dict[str, np.ndarray]] | None = None,
) -> tuple[list[Failure], list[str]]:
    """Recompute every entry and compare with the goldens at ``path``.

    Returns ``(failures, notes)``: ``notes`` lists what was skipped (a framework not installed).
    """
    meta, stored = golden if golden is not None else load(path)
    failures: list[Failure] = []
    notes: list[str] = []
    backends = tuple(backends)
    skipped_fw = {fw for fw in ("torch", "paddle") if not runners.available(fw)}
    for fw in sorted(skipped_fw):
        notes.append(f"{fw} and {fw}-native: skipped (install lrparity[{fw}])")
    for entry in entries:
        if progress:
            progress(entry.name)
        name = entry.name
        if name not in meta["entries"] or f"{name}.ref" not in stored:
            failures.append(Failure(name, "golden", "missing from the golden file (regenerate with --write)"))
            continue
        if meta["entries"][name] != json.loads(json.dumps(_meta(entry), sort_keys=True)):
            failures.append(
                Failure(name, "catalogue", f"the entry changed: golden {meta['entries'][name]} != now {_meta(entry)}")
            )
            continue
        failures += _native_drifts(entry, stored)
        failures += _backend_drifts(entry, stored[f"{name}.ref"], backends, skipped_fw)
    return failures, notes
