"""pytest plugin (entry point ``pytest11: lrparity``, with ``pip install lrparity[test]``): the ``lr_regression``
fixture, a golden file per test for the schedules your own code builds.

.. code-block:: python

    def test_my_schedule(lr_regression):
        lr_regression.check(build_schedule(cfg), steps=5000)   # a schedule, a config mapping or a config path

The first run fails, saying no golden is recorded; ``pytest --lrparity-update`` records it (the test passes) into
``<test dir>/lr_goldens/<test module>/<test name>.npz`` (a second check in the same test: ``-2``, ``-3``, ... or
the ``name`` you give), and every later run recomputes every recorded path (:mod:`lrparity.golden`) and fails with
the ``DRIFT ...`` lines of ``lrparity golden check`` when one differs. Paths whose framework is not installed here
make the test *skip* (with the SKIPPED lines), never pass. Commit the ``lr_goldens`` folder (as syrupy's
``__snapshots__``: CI never writes goldens).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

__all__ = ["LrRegression", "lr_regression", "pytest_addoption"]

_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("lrparity", "lrparity lr regression goldens")
    group.addoption(
        "--lrparity-update",
        action="store_true",
        default=False,
        help="lr_regression: record the lr goldens of the tests that run (instead of comparing with them)",
    )


class LrRegression:
    """What the ``lr_regression`` fixture gives a test: :meth:`check`."""

    def __init__(self, folder: Path, test_name: str, update: bool) -> None:
        self.folder = folder
        self.test_name = test_name
        self.update = update
        self._calls = 0

    def golden_path(self, name: str | None = None) -> Path:
        """The golden file of the next :meth:`check` (``name``: its own, else the test's name, numbered)."""
        if name is not None:
            stem = f"{self.test_name}-{name}"
        else:
            stem = self.test_name if self._calls == 0 else f"{self.test_name}-{self._calls + 1}"
        return self.folder / f"{_UNSAFE.sub('_', stem)}.npz"

    def check(
        self, schedule_or_config: Any, steps: int | None = None, base_lr: float | None = None, name: str | None = None
    ) -> None:
        """Compare ``schedule_or_config``'s lr curve on every recorded path with its golden (or record it, with
        ``--lrparity-update``).

        Args:
            schedule_or_config: an lrparity schedule, a config mapping, or a config path / CONFIG argument (a file,
                a bundled example, ``KIND:CONFIG``; its file's hash tells "the config changed" in the message).
            steps: steps to record (default: the schedule's length, at most 10000; 1000 if it has none); a check
                asking other steps than were recorded fails until recorded again.
            base_lr: the base lr of a relative schedule (default: the config's own, else 0.1).
            name: the golden's name (default: the test's, numbered from the second check of a test on).
        """
        from lrparity import golden

        path = self.golden_path(name)
        self._calls += 1
        label = path.stem
        if isinstance(schedule_or_config, (str, os.PathLike)):
            subject = golden.subject_from_config(os.fspath(schedule_or_config), base_lr=base_lr)
        else:
            subject = golden.subject_from_schedule(schedule_or_config, label, base_lr=base_lr)
        if self.update:
            path.parent.mkdir(parents=True, exist_ok=True)
            golden.record_subjects([subject], path, steps=steps, root=None)
            return
        if not path.is_file():
            pytest.fail(
                f"lr_regression: no golden at {path}; run pytest with --lrparity-update to record it", pytrace=False
            )
        content = golden.read(path)
        entry, stored = content.entries[0], content.curves[0]
        if steps is not None and steps != entry["steps"]:
            pytest.fail(
                f"lr_regression: {path} was recorded with steps={entry['steps']}, the test asks steps={steps}; run "
                "pytest with --lrparity-update to record it again",
                pytrace=False,
            )
        problems = golden.check_subject(subject, entry, stored, content.meta.get("versions", {}))
        failing = [str(p) for p in problems if p.fails]
        if failing:
            pytest.fail(
                "\n".join([*failing, f"(golden: {path}; after an intended change: --lrparity-update)"]), pytrace=False
            )
        skipped = [str(p) for p in problems if p.kind == "SKIPPED"]
        if skipped:
            pytest.skip("lr_regression: not every recorded path could be checked here: " + "; ".join(skipped))


@pytest.fixture
def lr_regression(request: pytest.FixtureRequest) -> LrRegression:
    """Golden lr curves for this test: ``lr_regression.check(schedule_or_config, steps=N)`` (see the module)."""
    test_file = Path(str(request.node.path))
    tail = request.node.nodeid.split("::", 1)[-1]
    folder = test_file.parent / "lr_goldens" / test_file.stem
    return LrRegression(
        folder, _UNSAFE.sub("_", tail.replace("::", ".")), bool(request.config.getoption("lrparity_update"))
    )
