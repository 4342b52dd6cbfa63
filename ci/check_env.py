"""Check that this interpreter's environment is the pinned one: every ``name==version`` of ``ci/requirements*.txt``
installed at exactly that version, torch the CPU build ``2.13.0+cpu``, and lrparity installed (editable) from
this checkout with its ``lrparity`` console script.

Usage: ``.venv/bin/python -I ci/check_env.py [--quiet] [requirements files]`` (default: ``ci/requirements*.txt``).
Exit status 0 when everything matches; 1 with one line per mismatch otherwise; 2 for a requirement line that is
not an exact ``==`` pin. Run with ``-I`` so that ``import lrparity`` cannot pick up the checkout through the
current directory. Reads installed metadata only: it imports neither torch nor paddle.
"""

from __future__ import annotations

import importlib.metadata as metadata
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TORCH = "2.13.0+cpu"
_PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(?P<version>[A-Za-z0-9.+!_-]+)$")


def _usage_error(message: str) -> None:
    print(f"ci/check_env.py: {message}", file=sys.stderr)
    raise SystemExit(2)


def canonical(name: str) -> str:
    """PEP 503 name normalisation (``PyYAML`` and ``pyyaml``, ``pytest_xdist`` and ``pytest-xdist`` are one)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def read_pins(files: list[Path]) -> dict[str, tuple[str, str]]:
    """``{canonical name: (version, "file:line")}``; SystemExit(2) for a line that is not ``name==version``."""
    pins: dict[str, tuple[str, str]] = {}
    for path in files:
        for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
            if not line:
                continue
            where = f"{path.name}:{number}"
            match = _PIN.match(line)
            if match is None:  # also options (-r, --index-url): every requirement lives in ci/requirements*.txt
                _usage_error(f"{where}: {line!r} is not an exact pin 'name==version'")
            name = canonical(match["name"])
            if name in pins and pins[name][0] != match["version"]:
                _usage_error(f"{where}: {name} pinned twice ({pins[name][1]} says {pins[name][0]})")
            pins[name] = (match["version"], where)
    return pins


def _matches(installed: str, pinned: str) -> bool:
    """PEP 440 ``==``: a pin without a local label (``+cpu``) matches any local label of that version."""
    return installed == pinned or ("+" not in pinned and installed.split("+", 1)[0] == pinned)


def problems(pins: dict[str, tuple[str, str]]) -> list[str]:
    found = []
    for name, (version, where) in sorted(pins.items()):
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            found.append(f"{name}=={version} ({where}) is not installed")
            continue
        if not _matches(installed, version):
            found.append(f"{name}=={version} ({where}): {installed} is installed")
    try:
        torch = metadata.version("torch")
    except metadata.PackageNotFoundError:
        torch = None
    if torch != TORCH:
        found.append(f"torch must be exactly {TORCH} (the CPU build the parity tests are measured on), got {torch}")
    try:
        import lrparity
    except ImportError as exc:
        found.append(f"lrparity is not installed in {sys.prefix} ({exc}): pip install --no-deps -e .")
    else:
        where = Path(lrparity.__file__).resolve().parent
        if where != REPO / "lrparity":
            found.append(f"lrparity is imported from {where}, not from this checkout ({REPO}): pip install -e .")
    script = Path(sys.prefix) / "bin" / "lrparity"
    if not script.exists():
        found.append(f"the lrparity console script {script} is missing: pip install -e .")
    return found


def main(argv: list[str]) -> int:
    quiet = "--quiet" in argv
    files = [Path(a) for a in argv if a != "--quiet"] or sorted((REPO / "ci").glob("requirements*.txt"))
    if not files:
        _usage_error("no requirements file (ci/requirements*.txt)")
    pins = read_pins(files)
    found = problems(pins)
    for line in found:
        print(f"ci/check_env.py: {line}", file=sys.stderr)
    if not found and not quiet:
        names = ", ".join(f.name for f in files)
        print(f"ci/check_env.py: {sys.prefix}: the {len(pins)} pins of {names}, torch {TORCH}, lrparity from {REPO}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
