"""The root conftest.py's rules, run on a scratch project: in CI every skip fails unless allow-listed, and the
PaddleOCR corpus is read from the checkout only (missing: a failure, never an empty parameter set)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

SKIPS = """
import pytest

def test_passes():
    pass

def test_skips():
    pytest.skip("nothing to run")

def test_allowed():
    pytest.skip("allowed here")

@pytest.mark.skip(reason="a skip mark")
def test_marked():
    pass

@pytest.mark.parametrize("x", [])
def test_empty_parameter_set(x):
    pass

@pytest.mark.xfail(reason="known")
def test_xfails():
    assert False
"""
MODULE_SKIP = 'import pytest\n\npytest.importorskip("no_such_module_for_lrparity")\n\ndef test_never():\n    pass\n'
CORPUS_USER = "def test_entry(ppocr_entry):\n    assert ppocr_entry['optimizer']\n"


def _project(root: Path, corpus: bool) -> Path:
    shutil.copy(REPO / "conftest.py", root / "conftest.py")
    (root / "pytest.ini").write_text("[pytest]\n")
    (root / "ci").mkdir()
    (root / "ci" / "allowed_skips.txt").write_text("# comment\ntests/test_skips.py::test_allowed | an allowed skip\n")
    (root / "tests").mkdir()
    (root / "tests" / "test_skips.py").write_text(SKIPS)
    (root / "tests" / "test_module_skip.py").write_text(MODULE_SKIP)
    (root / "tests" / "test_corpus_user.py").write_text(CORPUS_USER)
    if corpus:
        (root / "tests" / "data").mkdir()
        shutil.copy(REPO / "tests" / "data" / "ppocr_configs.yaml", root / "tests" / "data" / "ppocr_configs.yaml")
    return root


def _run(root: Path, ci: str | None, *args: str) -> tuple[int, dict[str, str], str]:
    """Exit status, {test name: outcome} from the junit report, and the output of a pytest run in ``root``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "CI"))}
    if ci is not None:
        env["CI"] = ci
    xml = root / "report.xml"
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", f"--junitxml={xml}", *args],
        cwd=root, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    outcomes = {}
    for case in ET.parse(xml).iter("testcase"):
        kind = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        name = case.get("name") or case.get("classname", "")
        outcomes[name] = kind[0] if kind else "passed"
    return proc.returncode, outcomes, proc.stdout + proc.stderr


def test_in_ci_a_skip_fails_unless_allowed(tmp_path):
    root = _project(tmp_path, corpus=True)
    status, outcomes, out = _run(root, "true", "--continue-on-collection-errors", "tests")
    assert status == 1, out
    assert outcomes["test_passes"] == "passed"
    assert outcomes["test_allowed"] == "skipped"
    assert outcomes["test_skips"] == "failure" and outcomes["test_xfails"] == "failure"
    assert outcomes["test_marked"] == "error" and outcomes["test_empty_parameter_set[NOTSET]"] == "error"
    assert outcomes["tests.test_module_skip"] == "error"  # an importorskip at collection
    assert "skipped in CI (Skipped: nothing to run)" in out and "ci/allowed_skips.txt" in out
    assert sum(1 for name in outcomes if name.startswith("test_entry[")) == 89  # the corpus, from the checkout


def test_outside_ci_skips_stay_skips(tmp_path):
    root = _project(tmp_path, corpus=True)
    status, outcomes, out = _run(root, None, "tests")
    assert status == 0, out
    skipped = {name for name, kind in outcomes.items() if kind == "skipped"}
    assert {"test_skips", "test_allowed", "test_marked", "test_empty_parameter_set[NOTSET]", "test_xfails"} <= skipped
    status, _, out = _run(root, "false", "tests")
    assert status == 0, out


def test_missing_corpus_is_a_failure_not_an_empty_parameter_set(tmp_path):
    root = _project(tmp_path, corpus=False)
    status, _, out = _run(root, None, "tests/test_corpus_user.py")
    assert status != 0
    assert "the PaddleOCR corpus" in out and "is missing" in out
    assert "empty parameter set" not in out


def test_malformed_allow_list_stops_a_ci_run(tmp_path):
    root = _project(tmp_path, corpus=True)
    (root / "ci" / "allowed_skips.txt").write_text("tests/test_skips.py::test_allowed\n")  # no reason
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "tests/test_skips.py"],
        cwd=root, env={**os.environ, "CI": "true"}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 4 and "expected '<node id> | <reason>'" in proc.stderr


def test_repository_allow_list_is_well_formed():
    text = (REPO / "ci" / "allowed_skips.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            node_id, sep, reason = line.partition(" | ")
            assert sep and "::" in node_id and reason.strip(), line
