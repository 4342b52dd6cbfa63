"""ci/setup.sh and ci/check_env.py cannot pass by accident: a failed install fails the script, and an environment
that does not hold exactly the pinned versions is reported, package by package."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHECK_ENV = REPO / "ci" / "check_env.py"


def _check_env(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-I", str(CHECK_ENV), *args], capture_output=True, text=True, timeout=60, cwd=REPO
    )


def test_every_requirement_is_an_exact_pin_and_torch_is_the_cpu_build():
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted((REPO / "ci").glob("requirements*.txt")))
    pins = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    assert pins and all("==" in line for line in pins)
    assert "torch==2.13.0+cpu" in pins


def test_check_env_names_a_version_mismatch_and_a_missing_package(tmp_path):
    req = tmp_path / "requirements-test.txt"
    req.write_text("# comment\nnumpy==0.0.1  # pinned wrong on purpose\nno-such-package-lrparity==1.0\n")
    proc = _check_env(str(req))
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    assert any(f"numpy==0.0.1 (requirements-test.txt:2): {np_version()} is installed" in line for line in lines)
    assert any("no-such-package-lrparity==1.0 (requirements-test.txt:3) is not installed" in line for line in lines)


def np_version() -> str:
    import numpy

    return numpy.__version__


def test_check_env_refuses_a_requirement_that_is_not_pinned(tmp_path):
    for line in ("numpy>=1.24", "numpy", "--index-url https://example.invalid", "-r other.txt"):
        req = tmp_path / "requirements-loose.txt"
        req.write_text(line + "\n")
        proc = _check_env(str(req))
        assert proc.returncode == 2, line
        assert "is not an exact pin 'name==version'" in proc.stderr


def test_check_env_accepts_the_pins_of_this_checkout():
    proc = _check_env()
    assert proc.returncode == 0, proc.stderr
    assert "torch 2.13.0+cpu" in proc.stdout


def test_setup_fails_when_an_install_fails(tmp_path):
    """A requirement pip cannot install makes ci/setup.sh exit non-zero, naming pip's error; no stamp is written."""
    (tmp_path / "ci").mkdir()
    for name in ("ci/setup.sh", "ci/check_env.py", "setup.cfg", "pyproject.toml"):
        shutil.copy(REPO / name, tmp_path / name)
    (tmp_path / "ci" / "requirements.txt").write_text("no-such-package-lrparity==1.0\n")
    env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(tmp_path), "PYTHON": sys.executable}
    env.pop("PIP_EXTRA_INDEX_URL", None)
    proc = subprocess.run(
        ["bash", "ci/setup.sh"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )  # fmt: skip
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "No matching distribution found for no-such-package-lrparity==1.0" in proc.stderr
    assert proc.stderr.endswith("ci/setup.sh: pip install -r ci/requirements.txt failed\n")
    assert (tmp_path / ".venv" / "bin" / "python").exists()
    assert not (tmp_path / ".venv" / ".lrparity-requirements.sha256").exists()
