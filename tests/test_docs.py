"""The documentation builds with ``mkdocs build --strict`` (plots drawn from the core, API pages from docstrings)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_mkdocs_build_strict(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs")
    pytest.importorskip("material")
    pytest.importorskip("mkdocstrings")
    pytest.importorskip("matplotlib")
    mkdocs = shutil.which("mkdocs", path=str(Path(sys.executable).parent)) or shutil.which("mkdocs")
    cmd = [mkdocs] if mkdocs else [sys.executable, "-m", "mkdocs"]
    site = tmp_path / "site"
    r = subprocess.run(
        [*cmd, "build", "--strict", "-q", "-d", str(site)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, env={"NO_MKDOCS_2_WARNING": "1", **_env()},
    )  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr
    page = (site / "schedules" / "cosine" / "index.html").read_text(encoding="utf-8")
    assert "generated/cosine.png" in page and "arithmatex" in page
    assert (site / "generated" / "cosine.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (site / "equivalence" / "index.html").exists()


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)
