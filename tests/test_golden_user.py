"""lrparity golden record/check: golden files for the user's own schedules (issue 14, item 1)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from lrparity import golden
from lrparity.cli import main
from lrparity.golden import store
from lrparity.parity import runners

ROOT = Path(__file__).resolve().parents[1]
ZEPHYR = ROOT / "parity_tests" / "recipes_data" / "hf" / "zephyr-7b-beta_sft_full.yaml"

STEPS = 300
STATIC = 60

CONFIG = """\
# warmup then cosine, relative (runs at the default base lr 0.1)
type: warmup
warmup_steps: 50
start_factor: 0.01
schedule:
  type: cosine
  T_max: 250
"""

DRIFT = re.compile(
    r"^DRIFT (?P<config>\S+) / (?P<backend>[a-z-]+): first differing step (?P<step>\d+): "
    r"expected (?P<expected>\S+), got (?P<got>\S+) \(max rel (?P<rel>\S+) over (?P<n>\d+) steps\): (?P<rest>.*)$"
)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project folder with lr.yaml and its golden ci/lr-golden.npz, recorded once (every path)."""
    root = tmp_path_factory.mktemp("recorded")
    (root / "lr.yaml").write_text(CONFIG)
    (root / "ci").mkdir()
    cwd = Path.cwd()
    try:
        import os

        os.chdir(root)
        golden.record(["lr.yaml"], "ci/lr-golden.npz", steps=STEPS, static_steps=STATIC)
    finally:
        os.chdir(cwd)
    return root


@pytest.fixture
def project(recorded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the recorded project, as the current directory."""
    dest = tmp_path / "project"
    shutil.copytree(recorded, dest)
    monkeypatch.chdir(dest)
    return dest


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_record_stores_every_path_bit_exact(project: Path) -> None:
    content = golden.read("ci/lr-golden.npz")
    (entry,) = content.entries
    assert set(entry["paths"]) == set(golden.PATHS), entry["not_recorded"]
    assert entry["paths"]["paddle-static"] == STATIC and entry["paths"]["core"] == STEPS
    import lrparity

    schedule = lrparity.from_config({k: v for k, v in __import__("yaml").safe_load(CONFIG).items()})
    core = schedule.values(range(STEPS), 0.1)
    np.testing.assert_array_equal(content.curves[0]["core"].view(np.uint64), core.view(np.uint64))
    static = content.curves[0]["paddle-static"]
    np.testing.assert_array_equal(static, core[:STATIC].astype(np.float32).astype(np.float64))
    meta = content.meta
    assert set(meta["versions"]) >= {"lrparity", "numpy", "torch", "paddle"}
    assert meta["versions"]["torch"] and meta["versions"]["paddle"]
    assert entry["file_sha256"] == __import__("hashlib").sha256(CONFIG.encode()).hexdigest()
    assert entry["base_lr"] == 0.1 and entry["schedule"] == schedule.to_config()
    with np.load("ci/lr-golden.npz", allow_pickle=False) as data:  # portable: no pickles
        assert sorted(data.files) == sorted(["__meta__", *(f"e0.{p}" for p in golden.PATHS)])


def test_check_passes_from_any_directory(project: Path, capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    assert golden.check("ci/lr-golden.npz") == []
    monkeypatch.chdir(project / "ci")  # config paths are relative to where record ran, kept relative to the file
    code, out, err = run_cli(capsys, "golden", "check", "lr-golden.npz")
    assert code == 0, out + err
    assert "OK" in out and "DRIFT" not in out and "SKIPPED" not in out


def test_edited_config_fails_saying_the_config_changed(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "lr.yaml").write_text(CONFIG.replace("T_max: 250", "T_max: 260"))
    code, out, _ = run_cli(capsys, "golden", "check", "ci/lr-golden.npz")
    assert code == 1
    lines = [line for line in out.splitlines() if line.startswith("DRIFT")]
    assert {DRIFT.match(line)["backend"] for line in lines} == set(golden.PATHS)
    for line in lines:
        m = DRIFT.match(line)
        assert m["config"] == "lr.yaml" and m["step"] == "51", line
        assert m["rest"].endswith("the config changed since recording"), line


def test_comment_edit_is_a_note_not_a_failure(project: Path) -> None:
    (project / "lr.yaml").write_text("# a new comment\n" + CONFIG)
    problems = golden.check("ci/lr-golden.npz")
    assert [str(p) for p in problems] == ["NOTE lr.yaml: the config file changed since recording, but no curve did"]
    assert golden.exit_status(problems) == 0


def _flip_last_bit(x: float) -> float:
    a = np.array([x], dtype=np.float64)
    a.view(np.uint64)[0] ^= np.uint64(1)
    return float(a[0])


def test_one_ulp_in_any_recorded_path_is_a_drift(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = golden.read("ci/lr-golden.npz")
    flipped = {}
    for i, path in enumerate(golden.PATHS):
        k = 7 + 5 * i  # a different step per path (within the static prefix)
        curve = content.curves[0][path].copy()
        original = curve[k]
        curve[k] = _flip_last_bit(original)
        assert curve[k] != original and abs(curve[k] - original) <= np.spacing(original)
        content.curves[0][path] = curve
        flipped[path] = (k, curve[k], original)
    content.meta["versions"]["torch"] = "2.0.0"  # as if recorded with another torch
    store.write("ci/lr-golden.npz", content)
    code, out, _ = run_cli(capsys, "golden", "check", "ci/lr-golden.npz")
    assert code == 1
    lines = [line for line in out.splitlines() if line.startswith("DRIFT")]
    assert len(lines) == len(golden.PATHS), out
    for line in lines:
        m = DRIFT.match(line)
        assert m is not None, line
        k, expected, got = flipped[m["backend"]]
        assert int(m["step"]) == k and float(m["expected"]) == expected and float(m["got"]) == got, line
        n = STATIC if m["backend"] == "paddle-static" else STEPS
        assert m["n"] == str(n) and float(m["rel"]) < 3e-16, line
        assert m["rest"].startswith("1 step differs; the same config now computes differently"), line
        if "torch" in m["backend"]:
            assert f"torch 2.0.0 -> {store.versions()['torch']}" in m["rest"], line
        else:
            assert "no version changed since recording" in m["rest"], line


def test_one_bit_flipped_in_the_raw_file_is_a_drift(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with np.load("ci/lr-golden.npz", allow_pickle=False) as data:
        members = {k: data[k] for k in data.files}
    members["e0.torch"] = members["e0.torch"].copy()
    members["e0.torch"][123] ^= np.uint64(1)  # the stored torch value at step 123, its last bit
    np.savez_compressed("ci/lr-golden.npz", **members)
    code, out, _ = run_cli(capsys, "golden", "check", "ci/lr-golden.npz")
    assert code == 1
    (line,) = [line for line in out.splitlines() if line.startswith("DRIFT")]
    m = DRIFT.match(line)
    assert (m["config"], m["backend"], m["step"], m["n"]) == ("lr.yaml", "torch", "123", str(STEPS)), line


def test_missing_framework_is_skipped_not_passed(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = runners.available
    monkeypatch.setattr(runners, "available", lambda fw: False if fw == "torch" else real(fw))
    code, out, _ = run_cli(capsys, "golden", "check", "ci/lr-golden.npz")
    assert code == 1
    skipped = [line for line in out.splitlines() if line.startswith("SKIPPED")]
    assert skipped == [
        "SKIPPED lr.yaml / torch: torch is not installed",
        "SKIPPED lr.yaml / torch-native: torch is not installed",
    ]
    assert "DRIFT" not in out and "--allow-skips" in out
    code, out, _ = run_cli(capsys, "golden", "check", "ci/lr-golden.npz", "--allow-skips")
    assert code == 0 and "SKIPPED lr.yaml / torch: torch is not installed" in out
    with pytest.raises(ValueError, match="torch is not installed here: updating would drop them"):
        golden.update("ci/lr-golden.npz")


def test_update_records_again_after_an_intended_change(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "lr.yaml").write_text(CONFIG.replace("T_max: 250", "T_max: 260"))
    code, out, _ = run_cli(capsys, "golden", "check", "ci/lr-golden.npz", "--update")
    assert code == 0 and "DRIFT lr.yaml / core" in out and "updated ci/lr-golden.npz" in out
    content = golden.read("ci/lr-golden.npz")
    assert content.entries[0]["steps"] == STEPS and content.entries[0]["paths"]["paddle-static"] == STATIC
    code, out, _ = run_cli(capsys, "golden", "check", "ci/lr-golden.npz")
    assert code == 0, out


def test_deleted_config_is_an_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "lr.yaml").unlink()
    code, out, _ = run_cli(capsys, "golden", "check", "ci/lr-golden.npz")
    assert code == 1
    assert out.splitlines()[0].startswith("ERROR lr.yaml: cannot be read now: lr.yaml: no such file")


def test_recipe_and_bundled_example(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copy(ZEPHYR, tmp_path / "zephyr.yaml")
    monkeypatch.setattr(runners, "available", lambda fw: False)  # the core only: fast
    code, out, err = run_cli(
        capsys, "golden", "record", "hf:zephyr.yaml", "step", "-o", "g.npz", "--steps-per-epoch", "40"
    )
    assert code == 0, err
    assert "NOTE hf:zephyr.yaml / torch: not recorded: torch is not installed" in out
    entries = golden.read("g.npz").entries
    assert [e["config"] for e in entries] == ["hf:zephyr.yaml", "step"]
    assert entries[0]["options"]["steps_per_epoch"] == 40 and entries[1]["options"]["steps_per_epoch"] is None
    assert entries[0]["file_sha256"] is not None and entries[0]["steps"] == 40
    assert golden.check("g.npz") == []
    text = (tmp_path / "zephyr.yaml").read_text()
    (tmp_path / "zephyr.yaml").write_text(text.replace("learning_rate: 2.0e-05", "learning_rate: 3.0e-05"))
    problems = golden.check("g.npz")
    assert problems and all(p.kind == "DRIFT" and p.config == "hf:zephyr.yaml" for p in problems)
    assert "the config changed since recording" in str(problems[0])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["golden", "check", "nope.npz"], "nope.npz: no such file"),
        (["golden", "check", "lr.yaml"], "lr.yaml: not an lrparity golden file"),
        (["golden", "check", "notes.npz"], "notes.npz: not an lrparity golden file"),
        (["golden", "record", "lr.yaml", "-o", "g.npz", "--steps", "0"], "--steps must be in [1, 1000000], got 0"),
        (["golden", "record", "nope.yaml", "-o", "g.npz"], "nope.yaml: no such file"),
        (["golden", "record", "lr.yaml", "lr.yaml", "-o", "g.npz"], "lr.yaml: given twice"),
        (["golden", "record", "lr.yaml", "-o", "missing/g.npz"], "folder 'missing' does not exist"),
        (["golden", "record", "step_abs.json", "-o", "g.npz", "--base-lr", "0.2"], "pins its own lr"),
        (["golden", "record", "lr.yaml", "-o", "g.npz", "--steps-per-epoch", "3"], "every CONFIG given is a schedule"),
    ],
)
def test_bad_input_is_one_line_and_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch, argv: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lr.yaml").write_text(CONFIG)
    (tmp_path / "step_abs.json").write_text(
        json.dumps(
            {"type": "with_base_lr", "base_lr": 0.1, "schedule": {"type": "step", "step_size": 10, "gamma": 0.5}}
        )
    )
    np.savez(tmp_path / "notes.npz", x=np.zeros(3))
    code, out, err = run_cli(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("lrparity: error: ") and err.count("\n") == 1 and message in err, err
    assert not (tmp_path / "g.npz").exists()


@pytest.mark.parametrize("seed", range(3))
def test_curve_encoding_is_bit_exact(seed: int) -> None:
    rng = np.random.default_rng(seed)
    values = np.concatenate(
        [
            rng.random(500) * 10.0 ** rng.integers(-300, 300, 500),
            [0.0, -0.0, np.inf, -np.inf, np.nan, 5e-324, 1.7976931348623157e308],
            np.cos(np.linspace(0, 3, 1000)),
        ]
    )
    rng.shuffle(values)
    decoded = store.decode_curve(store.encode_curve(values))
    np.testing.assert_array_equal(decoded.view(np.uint64), values.view(np.uint64))
    assert store.decode_curve(store.encode_curve(np.zeros(0))).shape == (0,)


BAD_FILES = {
    "missing.yaml": None,
    "empty.yaml": "",
    "list.yaml": "- 1\n- 2\n",
    "evil.yml": "Global: {epoch_num: 2}\nOptimizer: !!python/object/apply:os.system ['touch PWNED']\n",
    "dup.yaml": "type: cosine\nT_max: 10\nT_max: 20\n",
    "unknown.yaml": "type: cosine_decay\nT_max: 10\n",
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_record_refuses_bad_config_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch, name: str
) -> None:
    monkeypatch.chdir(tmp_path)
    if BAD_FILES[name] is not None:
        (tmp_path / name).write_text(BAD_FILES[name])
    code, out, err = run_cli(capsys, "golden", "record", name, "-o", "g.npz", "--static-steps", "0")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith("lrparity: error: ") and name in err, err
    assert not (tmp_path / "g.npz").exists() and not (tmp_path / "PWNED").exists()


def test_workflow_template_checks_the_users_goldens() -> None:
    import yaml

    text = (ROOT / "ci" / "github-workflow.yml").read_text()
    workflow = yaml.safe_load(text)
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads the key `on` as True
    assert {"push", "pull_request", "schedule"} <= set(triggers) and triggers["schedule"][0]["cron"]
    runs = {job: "\n".join(step.get("run", "") for step in spec["steps"]) for job, spec in workflow["jobs"].items()}
    assert set(runs) == {"golden", "newest"}
    for job in runs:
        assert "lrparity golden check ci/lr-golden.npz" in runs[job]
        assert "$LRPARITY_SPEC" in runs[job] and "$TORCH_SPEC" in runs[job] and "$REQUIREMENTS" in runs[job]
    assert "--upgrade" in runs["newest"] and "lrparity parity" in runs["newest"] and "--plot" in runs["newest"]
    uploads = [
        s for s in workflow["jobs"]["newest"]["steps"] if s.get("uses", "").startswith("actions/upload-artifact")
    ]
    assert uploads and uploads[0]["with"]["path"] == "lr-parity-plots/"
    assert (
        workflow["jobs"]["newest"]["if"]
        == "github.event_name == 'schedule' || github.event_name == 'workflow_dispatch'"
    )


def test_docs_page_is_in_the_nav_and_linked_from_the_readme() -> None:
    import yaml

    mkdocs = yaml.safe_load((ROOT / "mkdocs.yml").read_text().replace("!!python/name:", ""))
    assert {"Guard your schedules in CI": "guard.md"} in mkdocs["nav"]
    assert "(docs/guard.md)" in (ROOT / "README.md").read_text()
    page = (ROOT / "docs" / "guard.md").read_text()
    for needle in ("lrparity golden record", "lrparity golden check", "--update", "lr_regression", "--lrparity-update"):
        assert needle in page


def test_an_unchanged_file_read_as_another_schedule_is_named(project: Path) -> None:
    content = golden.read("ci/lr-golden.npz")
    content.entries[0]["schedule_sha256"] = "0" * 64  # as if this file had read as another schedule at recording
    content.curves[0]["core"] = content.curves[0]["core"] * 2
    store.write("ci/lr-golden.npz", content)
    (problem,) = [p for p in golden.check("ci/lr-golden.npz") if p.backend == "core"]
    assert problem.kind == "DRIFT" and "the config file is unchanged but reads as another schedule now" in str(problem)


def test_root_option_for_check_and_update(project: Path, capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    moved = project.parent / "moved"
    (moved / "golden").mkdir(parents=True)
    shutil.move(str(project / "ci" / "lr-golden.npz"), moved / "golden" / "g.npz")
    monkeypatch.chdir(moved)  # the recorded root (the file's ..) holds no lr.yaml now
    code, out, _ = run_cli(capsys, "golden", "check", "golden/g.npz")
    assert code == 1 and "ERROR lr.yaml: cannot be read now" in out
    code, out, _ = run_cli(capsys, "golden", "check", "golden/g.npz", "--root", str(project))
    assert code == 0, out
    code, out, _ = run_cli(capsys, "golden", "check", "golden/g.npz", "--root", str(project), "--update")
    assert code == 0, out
    assert golden.read("golden/g.npz").meta["root"] == "../../project"
    monkeypatch.chdir(project / "ci")
    assert golden.check(moved / "golden" / "g.npz") == []  # the root is kept relative to the file: found from anywhere
