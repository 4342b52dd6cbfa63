"""The pytest plugin (lr_regression fixture, entry point pytest11 = lrparity) run in a fresh mini-project."""

from __future__ import annotations

import configparser
import importlib
from pathlib import Path

import pytest

from lrparity import golden

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]

TEST_MODULE = """
import lrparity


def test_schedule(lr_regression):
    schedule = lrparity.from_config({"type": "step", "step_size": 40, "gamma": GAMMA})
    lr_regression.check(schedule, steps=120, base_lr=0.5)


def test_config_file(lr_regression, tmp_path):
    path = tmp_path / "lr.json"
    path.write_text('{"type": "cosine", "T_max": 100}')
    lr_regression.check(str(path), steps=100)
    lr_regression.check({"type": "exponential", "gamma": 0.99}, steps=50, name="exp")
"""

ARGS = (
    "-p",
    "no:cacheprovider",
    "--import-mode=importlib",
    "-p",
    "lrparity.golden.pytest_plugin",
    "-W",
    "ignore::pytest.PytestAssertRewriteWarning",
)


# The pytester fixture drops, when its test ends, every module first imported during the test. lrparity's command
# modules are imported once and cached (lrparity.cli.command_modules), registering into lrparity.backends.cli: import
# them now, outside any test, so that none is dropped while still cached.
importlib.import_module("lrparity.golden.pytest_plugin")
importlib.import_module("lrparity.cli").command_modules()


CORE_ONLY = """
import pytest
from lrparity.parity import runners


@pytest.fixture(autouse=True)
def core_only(monkeypatch):
    # torch and paddle are not run inside pytester's in-process runs (they cannot be imported twice in a process)
    monkeypatch.setattr(runners, "available", lambda framework: False)
"""


@pytest.fixture
def mini(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    # the plugin is loaded by -p alone (an installed entry point would load it a second time under its own name)
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.setenv("GLOG_minloglevel", "2")
    importlib.import_module("lrparity.golden.pytest_plugin")  # kept by pytester's in-process runs
    pytester.makepyfile(test_lr=TEST_MODULE.replace("GAMMA", "0.5"))
    return pytester


def test_every_path_recorded_then_checked(mini: pytest.Pytester) -> None:
    """In fresh processes, as a user's project runs it: every path (torch and paddle included) recorded, then
    checked."""
    mini.runpytest_subprocess(*ARGS, "--lrparity-update").assert_outcomes(passed=2)
    content = golden.read(mini.path / "lr_goldens" / "test_lr" / "test_schedule.npz")
    assert set(content.entries[0]["paths"]) == set(golden.PATHS)
    mini.runpytest_subprocess(*ARGS).assert_outcomes(passed=2)


def test_missing_golden_fails_and_update_records_then_passes(mini: pytest.Pytester) -> None:
    mini.makeconftest(CORE_ONLY)
    result = mini.runpytest(*ARGS)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["*lr_regression: no golden at *test_schedule.npz; run pytest with --lrparity-update*"])
    assert not (mini.path / "lr_goldens").exists()  # a run without --lrparity-update writes nothing

    result = mini.runpytest(*ARGS, "--lrparity-update")
    result.assert_outcomes(passed=2)
    folder = mini.path / "lr_goldens" / "test_lr"
    assert sorted(p.name for p in folder.iterdir()) == [
        "test_config_file-exp.npz",
        "test_config_file.npz",
        "test_schedule.npz",
    ]

    result = mini.runpytest(*ARGS)
    result.assert_outcomes(passed=2)

    # an edited schedule fails with the DRIFT line of `lrparity golden check`
    mini.makepyfile(test_lr=TEST_MODULE.replace("GAMMA", "0.25"))
    result = mini.runpytest(*ARGS)
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(
        [
            "*DRIFT test_schedule / core: first differing step 40: expected 0.25, got 0.125 "
            "(max rel 0.75 over 120 steps): 80 steps differ; the schedule changed since recording*"
        ]
    )

    # other steps than recorded: told to record again
    mini.makepyfile(test_lr=TEST_MODULE.replace("GAMMA", "0.5").replace("steps=120", "steps=130"))
    result = mini.runpytest(*ARGS)
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(["*recorded with steps=120, the test asks steps=130*"])


def test_missing_framework_skips_not_passes(mini: pytest.Pytester) -> None:
    # recorded here, on every path; checked in a run where neither torch nor paddle is installed
    import lrparity

    folder = mini.path / "lr_goldens" / "test_lr"
    folder.mkdir(parents=True)
    schedule = lrparity.from_config({"type": "step", "step_size": 40, "gamma": 0.5})
    subject = golden.subject_from_schedule(schedule, "test_schedule", base_lr=0.5)
    golden.record_subjects([subject], folder / "test_schedule.npz", steps=120, static_steps=20, root=None)
    mini.makeconftest(CORE_ONLY)
    result = mini.runpytest(*ARGS, "-rs", "-k", "test_schedule")
    result.assert_outcomes(skipped=1, deselected=1)
    result.stdout.fnmatch_lines(["*SKIPPED test_schedule / torch: torch is not installed*"])


def test_entry_point_is_declared_and_loads() -> None:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    lines = [line.strip() for line in cfg["options.entry_points"]["pytest11"].strip().splitlines()]
    assert lines == ["lrparity = lrparity.golden.pytest_plugin"]
    module = importlib.import_module("lrparity.golden.pytest_plugin")
    assert callable(module.pytest_addoption) and hasattr(module, "lr_regression")
    assert "test" in cfg["options.extras_require"]
