"""The other ecosystems' own code, for the recipe parity tests: Paddle suite wheels, loaded module by module.

The Paddle suites' full packages do not install beside lrparity's pins (paddledet pins numpy<1.24, paddleclas an
old opencv), so the tests download a suite's wheel with ``pip download --no-deps`` (a few MB, cached in the
ignored folder ``.references/`` at the repository root), unpack it there, and load only the module they need
(e.g. ``ppdet/optimizer/optimizer.py``) under its real dotted name. The packages above it are bare stubs whose
``__path__`` is the unpacked folder, so no package ``__init__`` runs and sibling imports still resolve to the
suite's real files; ``stubs`` replaces heavy modules the loaded file imports but the LR code never uses.

A download that the registry refuses raises :class:`ReferenceUnavailable`, which the tests turn into a skip with
that reason (in CI a skip fails the run, see ``conftest.py``).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import types
import zipfile
from collections.abc import Mapping
from pathlib import Path

__all__ = ["REFERENCES_DIR", "SUITES", "ReferenceUnavailable", "suite_module", "unpacked", "wheel"]

REFERENCES_DIR = Path(__file__).resolve().parent.parent / ".references"
"""Where wheels are downloaded and unpacked (ignored by git)."""

SUITES: Mapping[str, str] = {
    "paddledet": "2.6.0",
    "paddleseg": "2.8.0",
    "paddlenlp": "2.8.1",
}
"""The suite releases whose semantics lrparity follows (``paddlenlp`` 3.0.0b4 has the same optimization.py)."""


class ReferenceUnavailable(RuntimeError):
    """The reference cannot be obtained here (the registry refused the download)."""


def wheel(dist: str, version: str | None = None) -> Path:
    """The path of ``dist==version``'s wheel in :data:`REFERENCES_DIR`, downloaded (no dependencies) if missing."""
    version = version or SUITES[dist]
    folder = REFERENCES_DIR / "wheels"
    found = sorted(folder.glob(f"{dist}-{version}-*.whl")) if folder.is_dir() else []
    if found:
        return found[0]
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".download-{dist}-{version}-{os.getpid()}"
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--disable-pip-version-check",
           "--quiet", "-d", str(tmp), f"{dist}=={version}"]  # fmt: skip
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    got = sorted(tmp.glob("*.whl")) if tmp.is_dir() else []
    if result.returncode != 0 or not got:
        raise ReferenceUnavailable(
            f"cannot download {dist}=={version} from the package registry: {result.stderr.strip()[-300:]}"
        )
    target = folder / got[0].name
    os.replace(got[0], target)  # atomic: a parallel test worker sees the whole wheel or none
    for leftover in tmp.iterdir():
        leftover.unlink()
    tmp.rmdir()
    return target


def unpacked(dist: str, version: str | None = None) -> Path:
    """The folder holding ``dist==version``'s wheel unpacked (the import root of its packages)."""
    path = wheel(dist, version)
    root = REFERENCES_DIR / path.name.removesuffix(".whl")
    marker = root / ".complete"
    if not marker.exists():
        tmp = REFERENCES_DIR / f".unpack-{path.name}-{os.getpid()}"
        with zipfile.ZipFile(path) as archive:
            archive.extractall(tmp)
        (tmp / ".complete").write_text("ok\n")
        try:
            os.rename(tmp, root)
        except OSError:  # another worker got there first
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)
    return root


def suite_module(
    dist: str,
    module: str,
    *,
    version: str | None = None,
    stubs: Mapping[str, types.ModuleType] | None = None,
) -> types.ModuleType:
    """Load ``module`` (e.g. ``"ppdet.optimizer.optimizer"``) from the unpacked wheel of ``dist``.

    Every package above it becomes a bare stub module whose ``__path__`` is its unpacked folder (its
    ``__init__.py`` does not run); ``stubs`` are put in ``sys.modules`` first, for modules the file imports that
    must not run (they replace whatever is there). A module already loaded from the same file is returned as is.

    Raises:
        ReferenceUnavailable: the wheel cannot be downloaded.
    """
    root = unpacked(dist, version)
    path = root.joinpath(*module.split(".")).with_suffix(".py")
    if not path.is_file():
        raise FileNotFoundError(f"{dist}: no module {module} in {root}")
    loaded = sys.modules.get(module)
    if loaded is not None and getattr(loaded, "__file__", None) == str(path):
        return loaded
    for name, stub in (stubs or {}).items():
        sys.modules[name] = stub
    parts = module.split(".")
    for i in range(1, len(parts)):
        package = ".".join(parts[:i])
        folder = str(root.joinpath(*parts[:i]))
        existing = sys.modules.get(package)
        if existing is not None and folder in list(getattr(existing, "__path__", [])):
            continue
        stub = types.ModuleType(package)
        stub.__path__ = [folder]  # type: ignore[attr-defined]
        sys.modules[package] = stub
        if i > 1:
            setattr(sys.modules[".".join(parts[: i - 1])], parts[i - 1], stub)
    spec = importlib.util.spec_from_file_location(module, path)
    assert spec is not None and spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[module] = loaded
    spec.loader.exec_module(loaded)
    return loaded
