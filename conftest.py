"""Repository-wide pytest setup.

1. The PaddleOCR corpus (``tests/data/ppocr_configs.yaml``, kept in the repository with its provenance) for every
   test that needs it: the ``ppocr_corpus_path`` and ``ppocr_corpus`` fixtures, and a test taking a
   ``ppocr_entry`` argument is parametrized over every entry (ids ``NN-<lr name>``). Nothing is read from outside
   the checkout; a missing or malformed corpus is a failure, never an empty parameter set.
2. In CI (the environment variable ``CI`` set to a true value, as ``.ci/run`` and hosted CI services do), a
   skipped test is a failure -- a skip at collection (``importorskip`` of a module), at setup (a skip mark, an
   empty parameter set) or in the test, and an xfail -- unless its node id is listed, with the reason, in
   ``ci/allowed_skips.txt``. Local runs keep pytest's usual skips.
3. Helpers the test files share (bitwise comparisons, ``check_both``, the no-framework import check, a torch SGD
   builder, ...) are plain functions in ``tests/helpers.py``, imported as ``from tests.helpers import ...`` by
   ``tests/`` and ``parity_tests/`` alike: the repository root is put on ``sys.path`` here, whatever the import mode.
"""

from __future__ import annotations

import copy
import functools
import os
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parent
PPOCR_CORPUS = REPO / "tests" / "data" / "ppocr_configs.yaml"
ALLOWED_SKIPS = REPO / "ci" / "allowed_skips.txt"

if str(REPO) not in sys.path:  # tests.helpers, under --import-mode=importlib too
    sys.path.insert(0, str(REPO))


# --------------------------------------------------------------------------------------------------- corpus
@functools.cache
def load_ppocr_corpus() -> tuple[dict[str, Any], ...]:
    """The corpus entries in index order (read once; callers get deep copies through the fixtures)."""
    if not PPOCR_CORPUS.is_file():
        pytest.fail(f"the PaddleOCR corpus {PPOCR_CORPUS} is missing (it is part of the repository)", pytrace=False)
    # Tag-free YAML 1.1: the safe loader gives exactly what PaddleOCR's yaml.Loader gives ('1e-6' stays a string).
    entries = yaml.safe_load(PPOCR_CORPUS.read_text(encoding="utf-8"))
    if not isinstance(entries, list) or [e.get("index") for e in entries] != list(range(len(entries))) or not entries:
        pytest.fail(f"{PPOCR_CORPUS}: expected a non-empty list of entries indexed 0, 1, 2, ...", pytrace=False)
    return tuple(entries)


def _entry_id(entry: dict[str, Any]) -> str:
    return f"{entry['index']:02d}-{(entry['optimizer'].get('lr') or {}).get('name', 'Const')}"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "ppocr_entry" in metafunc.fixturenames:
        entries = load_ppocr_corpus()
        metafunc.parametrize("ppocr_entry", range(len(entries)), ids=[_entry_id(e) for e in entries], indirect=True)


@pytest.fixture(scope="session")
def ppocr_corpus_path() -> Path:
    """Path of the in-repository PaddleOCR corpus (the test fails if it is missing)."""
    load_ppocr_corpus()
    return PPOCR_CORPUS


@pytest.fixture
def ppocr_corpus() -> list[dict[str, Any]]:
    """Every corpus entry (``index``, ``key``, ``group``, ``source``, ``epoch_num``, ``optimizer``, ...): a copy."""
    return copy.deepcopy(list(load_ppocr_corpus()))


@pytest.fixture
def ppocr_entry(request: pytest.FixtureRequest) -> dict[str, Any]:
    """One corpus entry (a copy); tests taking it are parametrized over the whole corpus."""
    return copy.deepcopy(load_ppocr_corpus()[request.param])


# --------------------------------------------------------------------------------------------------- CI: no skips
def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


@functools.cache
def allowed_skips() -> dict[str, str]:
    """``ci/allowed_skips.txt``: node id -> reason (lines ``<node id> | <reason>``; ``#`` starts a comment line)."""
    allowed: dict[str, str] = {}
    for number, line in enumerate(ALLOWED_SKIPS.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        node_id, sep, reason = line.partition(" | ")
        if not sep or not node_id.strip() or not reason.strip():
            raise pytest.UsageError(f"{ALLOWED_SKIPS}:{number}: expected '<node id> | <reason>', got {line!r}")
        allowed[node_id.strip()] = reason.strip()
    return allowed


def _skip_reason(report: pytest.CollectReport | pytest.TestReport) -> str:
    if getattr(report, "wasxfail", None) is not None:
        return f"xfail: {report.wasxfail}" if report.wasxfail else "xfail"
    longrepr = report.longrepr
    return str(longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else longrepr)


def _fail_unless_allowed(report: pytest.CollectReport | pytest.TestReport) -> None:
    if not report.skipped or report.nodeid in allowed_skips():
        return
    reason = _skip_reason(report)
    if hasattr(report, "wasxfail"):
        del report.wasxfail  # otherwise reporters still count it as an expected failure
    report.outcome = "failed"
    report.longrepr = (
        f"skipped in CI ({reason}): with CI={os.environ.get('CI')!r} a skip is a failure; make the test run, "
        f"or list its node id with the reason in {ALLOWED_SKIPS.relative_to(REPO)}"
    )


def pytest_configure(config: pytest.Config) -> None:
    if in_ci():
        allowed_skips()  # a malformed allow-list stops the run before any test


def pytest_report_header(config: pytest.Config) -> str | None:
    if not in_ci():
        return None
    return f"CI: a skip is a failure ({len(allowed_skips())} allowed in {ALLOWED_SKIPS.relative_to(REPO)})"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> pytest.TestReport:
    report = yield
    if in_ci():
        _fail_unless_allowed(report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> pytest.CollectReport:
    report = yield
    if in_ci():
        _fail_unless_allowed(report)
    return report
