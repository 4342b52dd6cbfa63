"""End-to-end tests of the ``lrparity`` command line, run as a subprocess."""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import struct
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import lrparity
from lrparity import cli
from lrparity.cli import configs, example_names, main, plugins

EXAMPLES = ["warmup_cosine", "one_cycle", "step", "piecewise", "cyclic", "noam"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lrparity.cli", *args], capture_output=True, text=True, timeout=120, cwd=cwd
    )


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG signature"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    width, height = struct.unpack(">II", data[16:24])
    assert data[-8:-4] == b"IEND"
    return width, height


def test_bundled_examples_present() -> None:
    assert set(EXAMPLES) | {"ppocr_det", "ppocr_rec"} <= set(example_names())


def test_list() -> None:
    r = run("list")
    assert r.returncode == 0, r.stderr
    for name in [*EXAMPLES, "ppocr_det", "ppocr_rec"]:
        assert name in r.stdout
    assert "cosine" in r.stdout and "one_cycle" in r.stdout


def test_help_and_python_m_lrparity() -> None:
    r = subprocess.run([sys.executable, "-m", "lrparity", "--help"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0
    for cmd in ("show", "plot", "table", "list"):
        assert cmd in r.stdout


@pytest.mark.parametrize("name", EXAMPLES)
def test_show_examples(name: str) -> None:
    r = run("show", name)
    assert r.returncode == 0, r.stderr
    for key in ("type:", "config:", "length:", "warmup ends:", "first:", "last:", "min:", "max:"):
        assert key in r.stdout


def test_show_warmup_cosine_values() -> None:
    r = run("show", "warmup_cosine", "--steps", "1101")
    assert r.returncode == 0, r.stderr
    assert "warmup ends: step 100" in r.stdout
    assert "length:      1100 steps" in r.stdout
    assert "lr(0) = 0.001" in r.stdout
    assert "max:         0.1 at step 100" in r.stdout
    assert "lr(1100) = 0.0" in r.stdout


def test_show_config_file_and_base_lr(tmp_path: Path) -> None:
    cfg = tmp_path / "cos.json"
    cfg.write_text(json.dumps({"type": "cosine", "T_max": 10}))
    r = run("show", str(cfg), "--base-lr", "0.5")
    assert r.returncode == 0, r.stderr
    assert "lr(0) = 0.5" in r.stdout
    assert "length:      10 steps" in r.stdout
    assert "evaluated:   steps 0..10 (11 values)" in r.stdout


def test_table_csv_matches_core(tmp_path: Path) -> None:
    import lrparity

    r = run("table", "warmup_cosine", "--steps", "1000", "--every", "100")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [int(row["step"]) for row in rows] == list(range(0, 1000, 100))
    sched = lrparity.load_config(Path(lrparity.__file__).parent / "examples" / "warmup_cosine.yaml")
    for row in rows:
        assert float(row["lr"]) == sched.value(int(row["step"]))  # repr round-trips bit for bit


def test_table_json_md_and_output_file(tmp_path: Path) -> None:
    r = run("table", "step", "--steps", "10", "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["schedule"]["type"] == "with_base_lr.v1" and len(doc["rows"]) == 10
    assert doc["rows"][0] == {"step": 0, "lr": 0.1}
    out = tmp_path / "t.md"
    r = run("table", "piecewise", "--steps", "700", "--every", "300", "--format", "md", "-o", str(out))
    assert r.returncode == 0, r.stderr
    expected = ["| step | lr |", "|---:|---:|", "| 0 | 0.1 |", "| 300 | 0.01 |", "| 600 | 0.001 |"]
    assert out.read_text().splitlines() == expected


def test_plot_png_size(tmp_path: Path) -> None:
    out = tmp_path / "lr.png"
    r = run("plot", "warmup_cosine", "one_cycle", "step", "-o", str(out), "--log")
    assert r.returncode == 0, r.stderr
    assert png_size(out) == (1000, 500)
    out2 = tmp_path / "lr2.png"
    r = run(
        "plot", "piecewise", "-o", str(out2), "--steps", "500", "--width", "640", "--height", "360",
        "--axis", "epochs", "--steps-per-epoch", "50",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert png_size(out2) == (640, 360)


def test_plot_epoch_axis_needs_steps_per_epoch(tmp_path: Path) -> None:
    r = run("plot", "step", "-o", str(tmp_path / "x.png"), "--axis", "epochs")
    assert r.returncode == 2
    assert r.stderr.strip() == "lrparity: error: --axis epochs needs --steps-per-epoch N"
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize(
    ("content", "suffix", "needle"),
    [
        ('{"type": "cosine", "T_max": 10, "Tmax": 3}', ".json", "unknown key 'Tmax'"),
        ("type: cosnie\nT_max: 10\n", ".yaml", "unknown schedule type 'cosnie'"),
        ("type: cosine\nT_max: -1\n", ".yaml", "T_max"),
        ("type: [cosine\n", ".yaml", "not valid YAML"),
        ("- 1\n- 2\n", ".yaml", "expected a schedule config"),
    ],
)
def test_bad_config_one_line_exit_2(tmp_path: Path, content: str, suffix: str, needle: str) -> None:
    cfg = tmp_path / f"bad{suffix}"
    cfg.write_text(content)
    r = run("show", str(cfg))
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("lrparity: error: ") and needle in lines[0]
    assert "Traceback" not in r.stderr


def test_unknown_name_suggests() -> None:
    r = run("show", "warmup_cosin")
    assert r.returncode == 2
    assert "did you mean 'warmup_cosine'" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_debug_shows_traceback(tmp_path: Path) -> None:
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("type: cosine\nT_max: 10\nbogus: 1\n")
    r = run("--debug", "show", str(cfg))
    assert r.returncode != 0 and "Traceback" in r.stderr and "bogus" in r.stderr
    r = run("show", str(cfg), "--debug")
    assert "Traceback" in r.stderr


def test_ppocr_config_needs_steps_per_epoch() -> None:
    r = run("show", "ppocr_det")
    assert r.returncode == 2
    assert "--steps-per-epoch" in r.stderr and "Traceback" not in r.stderr


def test_ppocr_config_with_steps_per_epoch(tmp_path: Path) -> None:
    ppocr = pytest.importorskip("lrparity.ppocr")
    if not hasattr(ppocr, "lr_schedule"):
        pytest.skip("lrparity.ppocr.lr_schedule not available yet")
    r = run("show", "ppocr_det", "--steps-per-epoch", "10")
    assert r.returncode == 0, r.stderr
    assert "warmup ends: step 20" in r.stdout and "lr(0) = 0.0" in r.stdout
    out = tmp_path / "p.png"
    r = run("plot", "ppocr_det", "ppocr_rec", "--steps-per-epoch", "10", "--axis", "epochs", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert png_size(out) == (1000, 500)


def test_argparse_errors_exit_2() -> None:
    assert run("table", "step").returncode == 2  # --steps missing
    assert run("frobnicate").returncode == 2


def test_missing_matplotlib_message(tmp_path: Path) -> None:
    # Simulate a missing extra: a sitecustomize-free way is to shadow matplotlib with a failing package.
    fake = tmp_path / "shadow" / "matplotlib"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ModuleNotFoundError('No module named matplotlib', name='matplotlib')\n")
    env_path = str(tmp_path / "shadow")
    env = {**os.environ, "PYTHONPATH": env_path + os.pathsep + os.environ.get("PYTHONPATH", "")}
    r = subprocess.run(
        [sys.executable, "-m", "lrparity.cli", "plot", "step", "-o", str(tmp_path / "x.png")],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert r.returncode == 2
    assert r.stderr.strip() == "lrparity: error: plotting needs matplotlib: pip install 'lrparity[plot]'"


def test_main_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "noam", "--steps", "800"]) == 0
    assert "max:" in capsys.readouterr().out
    assert main(["show", "does-not-exist.yaml"]) == 2
    assert capsys.readouterr().err.startswith("lrparity: error: ")


# -- every subcommand, every bad file ---------------------------------------------------------------------------------
BAD_FILES: dict[str, tuple[str, str | bytes | None]] = {
    # kind: (file name, content; None: no file, "<dir>": a directory)
    "missing": ("missing.yaml", None),
    "directory": ("folder.yaml", "<dir>"),
    "empty": ("empty.yaml", ""),
    "list": ("list.yaml", "- 1\n- 2\n"),
    "python tag": (
        "evil.yml",
        "Global: {epoch_num: 2}\nOptimizer: !!python/object/apply:os.system ['touch {marker}']\n",
    ),
    "non-utf8": ("latin1.yaml", b"type: cosine\nT_max: 10  # caf\xe9\n"),
    "duplicate keys": ("dup.yaml", "type: cosine\nT_max: 10\nT_max: 20\n"),
    "unknown type": ("unknown.yaml", "type: cosine_decay\nT_max: 10\n"),
}
SUBCOMMANDS: dict[str, list[str]] = {  # `list` takes no file
    "show": ["show", "{f}"],
    "plot": ["plot", "{f}", "-o", "{out}"],
    "table": ["table", "{f}", "--steps", "5"],
    "parity": ["parity", "{f}", "--static-steps", "0"],
    "ppocr": ["ppocr", "{f}", "--steps-per-epoch", "3", "--no-paddle"],
}


def _bad_file(tmp_path: Path, kind: str) -> Path:
    name, content = BAD_FILES[kind]
    path = tmp_path / name
    if content == "<dir>":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content.replace("{m}", str(tmp_path / "PWNED")), encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", list(BAD_FILES))
@pytest.mark.parametrize("command", list(SUBCOMMANDS))
def test_every_subcommand_on_every_bad_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, kind: str
) -> None:
    path = _bad_file(tmp_path, kind)
    out = tmp_path / "out.png"
    argv = [a.format(f=path, out=out) for a in SUBCOMMANDS[command]]
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("lrparity: error: ") and str(path) in lines[0], lines[0]
    assert "Traceback" not in captured.err and not captured.out
    assert not (tmp_path / "PWNED").exists() and not out.exists()


@pytest.mark.parametrize("command", list(SUBCOMMANDS))
def test_python_tag_as_a_process(tmp_path: Path, command: str) -> None:
    path = _bad_file(tmp_path, "python tag")
    r = run(*[a.format(f=path, out=tmp_path / "out.png") for a in SUBCOMMANDS[command]])
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [r.stderr.strip()] and "Traceback" not in r.stderr
    assert f"{path}: line 2, column 12: tag !!python/object/apply:os.system is refused" in r.stderr
    assert not (tmp_path / "PWNED").exists()


def test_list_takes_no_file() -> None:
    assert run("list", "step").returncode == 2


# -- the one reader ----------------------------------------------------------------------------------------------------
def test_show_reads_yaml_1_2_floats_as_load_config_does(tmp_path: Path) -> None:
    cfg = tmp_path / "cos.yaml"
    cfg.write_text("type: cosine\nT_max: 100\neta_min: 1e-5\n")
    r = run("show", str(cfg))
    assert r.returncode == 0, r.stderr
    assert "min:         1e-05 at step 100" in r.stdout


def _ppocr_file(tmp_path: Path, name: str, lr: str, epochs: int = 10) -> Path:
    path = tmp_path / name
    path.write_text(f"Global:\n  epoch_num: {epochs}\nOptimizer:\n  name: Adam\n  lr:\n{lr}", encoding="utf-8")
    return path


def test_paddleocr_files_read_as_paddleocr_reads_them(tmp_path: Path) -> None:
    """`learning_rate: 1e-4` is a string for PaddleOCR (YAML 1.1), which then fails: show and ppocr both say so."""
    path = _ppocr_file(tmp_path, "c.yml", "    name: Cosine\n    learning_rate: 1e-4\n")
    for args in (["show", str(path), "--steps-per-epoch", "2"], ["ppocr", str(path), "--steps-per-epoch", "2"]):
        r = run(*args)
        assert r.returncode == 2
        assert "learning_rate = '1e-4' (str) is not a number" in r.stderr, r.stderr


def test_show_paddleocr_file_without_optimizer(tmp_path: Path) -> None:
    path = tmp_path / "det.yml"
    path.write_text("Global:\n  epoch_num: 10\nArchitecture:\n  model_type: det\n", encoding="utf-8")
    for args in (["show", str(path)], ["show", str(path), "--steps-per-epoch", "3"]):
        r = run(*args)
        assert r.returncode == 2
        assert (
            r.stderr.strip()
            == f"lrparity: error: {path}: no 'Optimizer' section (is this a PaddleOCR training config?)"
        )


def test_show_paddleocr_bad_epoch_num(tmp_path: Path) -> None:
    path = tmp_path / "c.yml"
    path.write_text("Global:\n  epoch_num: 10.5\nOptimizer:\n  lr: {learning_rate: 0.1}\n", encoding="utf-8")
    r = run("show", str(path), "--steps-per-epoch", "3")
    assert r.returncode == 2 and "Global.epoch_num = 10.5 must be an int >= 1" in r.stderr


# -- ppocr: bundled examples, Python that runs, the float32 note -------------------------------------------------------
def test_ppocr_accepts_bundled_example_names() -> None:
    r = run("ppocr", "ppocr_det", "--steps-per-epoch", "3", "--no-paddle")
    assert r.returncode == 0, r.stderr
    assert "ppocr_det.yml: lr Cosine, 500 epochs x 3 steps = 1500 steps" in r.stdout


def _ppocr_json(*args: str) -> dict[str, Any]:
    r = run("ppocr", *args, "--json", "--no-paddle")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


@pytest.mark.parametrize("example", ["ppocr_det", "ppocr_rec"])
def test_ppocr_python_runs_as_printed(example: str) -> None:
    pytest.importorskip("torch")
    doc = _ppocr_json(example, "--steps-per-epoch", "3")
    namespace: dict[str, Any] = {}
    exec(compile(doc["python"], "<lrparity ppocr>", "exec"), namespace)  # a fresh namespace: nothing predefined
    schedule = lrparity.from_config(doc["schedule"])
    assert namespace["schedule"] == schedule
    assert namespace["optimizer"].param_groups[0]["lr"] == schedule.value(0)
    assert namespace["own_optimizer"].param_groups[0]["lr"] == schedule.value(0)


@pytest.mark.parametrize("example", ["ppocr_det", "ppocr_rec"])
def test_ppocr_python_is_printed_as_ruff_formats_it(example: str, tmp_path: Path) -> None:
    """The printed Python pastes into a ruff-formatted project unchanged (docs/ppocr.md shows it verbatim)."""
    code = tmp_path / "snippet.py"
    code.write_text(_ppocr_json(example, "--steps-per-epoch", "3")["python"] + "\n", encoding="utf-8")
    ruff = Path(sys.executable).with_name("ruff")
    r = subprocess.run(
        [str(ruff), "format", "--diff", "--line-length", "120", str(code)], capture_output=True, text=True
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_ppocr_python_runs_when_paddleocr_cannot_build_the_optimizer(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    path = _ppocr_file(tmp_path, "c.yml", "    name: Cosine\n    learning_rate: 0.001\n  clip_norm: .inf\n")
    path.write_text(path.read_text().replace("name: Adam", "name: Adam\n  regularizer: {name: Const, factor: 1}"))
    doc = _ppocr_json(str(path), "--steps-per-epoch", "3")
    assert doc["optimizer_error"]
    exec(compile(doc["python"], "<lrparity ppocr>", "exec"), {})


def test_ppocr_torch_optimizer_comment_states_float32_values() -> None:
    """The comment shows the config's values and says that the optimizer holds their float32 roundings."""
    pytest.importorskip("torch")
    doc = _ppocr_json("ppocr_det", "--steps-per-epoch", "3")
    lines = doc["python"].splitlines()
    i = next(k for k, line in enumerate(lines) if line.startswith("# torch optimizer: torch.optim.Adam("))
    assert "betas=(0.9, 0.999), eps=1e-08, weight_decay=5e-05" in lines[i]
    note = " ".join(lines[i + 1 : i + 6])
    assert "float32 roundings on purpose" in note
    namespace: dict[str, Any] = {}
    exec(compile(doc["python"], "<lrparity ppocr>", "exec"), namespace)
    held = namespace["optimizer"].defaults
    assert f"betas=({held['betas'][0]!r}, {held['betas'][1]!r})" in note
    assert f"eps={held['eps']!r}" in note and f"weight_decay={held['weight_decay']!r}" in note
    assert held["betas"][0] != 0.9  # it really holds the rounded value


# -- PaddleOCR warnings in show ----------------------------------------------------------------------------------------
def test_show_says_the_warmup_is_longer_than_the_run(tmp_path: Path) -> None:
    path = _ppocr_file(tmp_path, "c.yml", "    name: Cosine\n    learning_rate: 0.001\n    warmup_epoch: 5\n", epochs=2)
    r = run("show", str(path), "--steps-per-epoch", "3")
    assert r.returncode == 0, r.stderr
    assert "warning:     the warmup (15 steps) does not end within the run (6 steps = 2 epochs x 3)" in r.stdout
    assert "last:        lr(5) = 0.0003333333333333333" in r.stdout  # values unchanged: 0.001 * 5 / 15


# -- parity ------------------------------------------------------------------------------------------------------------
def test_parity_accepts_steps_per_epoch_for_paddleocr_configs() -> None:
    r = run("parity", "ppocr_det")
    assert r.returncode == 2
    assert "give --steps-per-epoch N" in r.stderr and "`lrparity ppocr`" in r.stderr
    r = run("parity", "ppocr_det", "--steps-per-epoch", "2", "--steps", "60", "--static-steps", "0")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "lrparity parity: ppocr_det" in r.stdout and "60 steps" in r.stdout
    r = run("parity", "step", "--steps-per-epoch", "2")
    assert r.returncode == 2 and "for PaddleOCR configs" in r.stderr


def test_parity_unwritable_plot_fails_before_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from lrparity.parity import runners

    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the run started")

    monkeypatch.setattr(runners, "run_core", never)
    for target in (tmp_path / "no" / "such" / "folder" / "p.png", tmp_path, tmp_path / "p.unknown"):
        assert main(["parity", "step", "--plot", str(target)]) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith(f"lrparity: error: --plot {target}: ") and len(err.splitlines()) == 1, err


# -- plot: sizes, formats, each run over its own length ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--width", "100000", "--height", "100000"], "--width must be in [100, 20000], got 100000"),
        (["--width", "20000", "--height", "20000"], "pixels; at most"),
        (["--height", "0"], "--height must be in [100, 20000], got 0"),
        (["--dpi", "0"], "--dpi must be in [10, 1200], got 0"),
        (["--steps", "0"], "--steps must be in [1, 20000000], got 0"),
        (["--steps", "1000000000"], "--steps must be in [1, 20000000]"),
        (["--steps-per-epoch", "-3"], "--steps-per-epoch must be in [1, "),
        (["--epochs", "0"], "--epochs must be in [1, "),
        (["--base-lr", "nan"], "--base-lr must be a finite number, got nan"),
        (["--base-lr", "-1"], "--base-lr must be >= 0.0, got -1.0"),
    ],
)
def test_plot_options_are_range_checked(tmp_path: Path, args: list[str], needle: str) -> None:
    out = tmp_path / "lr.png"
    r = run("plot", "warmup_cosine", "-o", str(out), *args)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [r.stderr.strip()] and needle in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and not out.exists()


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["table", "step", "--steps", "10", "--every", "0"], "--every must be in [1, 10], got 0"),
        (["table", "step", "--steps", "-5"], "--steps must be in [1, 20000000], got -5"),
        (["show", "step", "--steps", "0"], "--steps must be in [1, 20000000], got 0"),
        (["show", "step", "--base-lr", "0.5"], "step pins its own lr (an absolute schedule)"),
        (["ppocr", "ppocr_det", "--steps-per-epoch", "3", "--rows", "-1"], "--rows must be in [1, 1000], got -1"),
        (["ppocr", "ppocr_det", "--steps-per-epoch", "0"], "--steps-per-epoch must be in [1, "),
        (["ppocr", "ppocr_det", "--steps-per-epoch", "3", "--epochs", "-1"], "--epochs must be in [1, "),
        (["ppocr", "ppocr_det", "--steps-per-epoch", "100000"], "lrparity ppocr evaluates at most 20000000 steps"),
        (["parity", "step", "--static-steps", "-1"], "--static-steps must be in [0, 100000], got -1"),
        (["parity", "step", "--steps", "0"], "--steps must be in [1, 1000000], got 0"),
        (["parity", "warmup_cosine", "--base-lr", "inf"], "--base-lr must be a finite number"),
    ],
)
def test_numeric_options_are_range_checked(capsys: pytest.CaptureFixture[str], argv: list[str], needle: str) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and needle in err, err


@pytest.mark.parametrize(
    ("suffix", "magic"),
    [(".png", b"\x89PNG\r\n\x1a\n"), (".jpg", b"\xff\xd8\xff"), (".jpeg", b"\xff\xd8\xff"), (".pdf", b"%PDF"),
     (".svg", b"<?xml")],
)  # fmt: skip
def test_plot_writes_the_format_the_extension_names(tmp_path: Path, suffix: str, magic: bytes) -> None:
    pytest.importorskip("matplotlib")
    out = tmp_path / f"lr{suffix}"
    r = run("plot", "step", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert out.read_bytes().startswith(magic)


@pytest.mark.parametrize(
    ("name", "needle"), [("lr", "give the image format as the file's extension"), ("lr.txt", "cannot write .txt")]
)
def test_plot_refuses_unknown_formats(tmp_path: Path, name: str, needle: str) -> None:
    pytest.importorskip("matplotlib")
    out = tmp_path / name
    r = run("plot", "step", "-o", str(out))
    assert r.returncode == 2 and needle in r.stderr and not out.exists()


def test_plot_runs_of_different_length_each_end_with_their_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ppocr_det runs 500 epochs and ppocr_rec 200: on an epoch axis each curve stops at its own last step."""
    pytest.importorskip("matplotlib")
    from matplotlib.axes import Axes

    drawn: dict[str, tuple[Any, Any]] = {}
    original = Axes.plot

    def record(self: Any, x: Any, y: Any, *args: Any, **kwargs: Any) -> Any:
        drawn[kwargs["label"]] = (x, y)
        return original(self, x, y, *args, **kwargs)

    monkeypatch.setattr(Axes, "plot", record)
    out = tmp_path / "runs.png"
    assert main(["plot", "ppocr_det", "ppocr_rec", "--steps-per-epoch", "2", "--axis", "epochs", "-o", str(out)]) == 0
    (x_det, y_det), (x_rec, y_rec) = drawn["ppocr_det"], drawn["ppocr_rec"]
    assert len(y_det) == 1000 and len(y_rec) == 400
    assert x_det[-1] == 499.5 and x_rec[-1] == 199.5
    assert all(a >= b for a, b in itertools.pairwise(y_rec[10:]))  # the cosine never climbs back


# -- show: what length means -------------------------------------------------------------------------------------------
def test_show_cosine_restarts_reports_the_restarts(tmp_path: Path) -> None:
    cfg = tmp_path / "sgdr.yaml"
    cfg.write_text("type: cosine_restarts\nT_0: 100\nT_mult: 2\n")
    r = run("show", str(cfg))
    assert r.returncode == 0, r.stderr
    assert "length:      unbounded: warm restarts forever (100 steps is the first cycle)" in r.stdout
    assert (
        "restarts:    cycles of 100, 200, 400, 800, ... steps (T_0=100, T_mult=2); restarts at steps 100, " in r.stdout
    )
    assert "300, 700, 1500, ..." in r.stdout
    assert "evaluated:   steps 0..769 (770 values)" in r.stdout  # three cycles, then 10%
    cfg.write_text("type: cosine_restarts\nT_0: 100\nT_mult: 2\ncycle_limit: 2\n")
    r = run("show", str(cfg))
    assert "length:      300 steps (2 cycles, then eta_min = 0.0)" in r.stdout
    assert "restarts at steps 100; eta_min from step 300" in r.stdout


def test_show_cyclic_and_noam_lengths() -> None:
    r = run("show", "cyclic")
    assert "length:      unbounded: cycles forever (400 steps is one cycle)" in r.stdout
    assert "restarts:    a cycle every 400 steps: 200 up, 200 down, mode triangular2" in r.stdout
    r = run("show", "noam")
    assert "length:      unbounded: peaks at step 400 (warmup_steps), then decays as 1/sqrt(step)" in r.stdout


# -- commands and config sources come from the modules that own them --------------------------------------------------
def test_the_top_level_cli_knows_nothing_about_paddleocr() -> None:
    """Outside docstrings and comments, lrparity/cli/ names no PaddleOCR part: lrparity.ppocr.cli plugs it in."""
    for path in sorted(Path(cli.__file__).parent.glob("*.py")):
        assert not _paddleocr_words(path), path
    assert set(cli.command_modules()) >= {"parity", "ppocr"}
    (ppocr,) = [s for s in cli.config_sources() if s.name == "PaddleOCR"]
    assert ppocr.detect is not None and ppocr.load.__module__ == "lrparity.ppocr.cli"


def _paddleocr_words(path: Path) -> list[str]:
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    words = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            words.append(node.id)
        elif isinstance(node, ast.Attribute):
            words.append(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            words.append(node.value)
    return [w for w in words if "ppocr" in w.lower() or "paddleocr" in w.lower() or "Optimizer" in w]


def _demo_loader(request: cli.LoadRequest) -> cli.Loaded:
    schedule = lrparity.Cosine(100)
    total = 10 * (request.steps_per_epoch or 1)
    return cli.Loaded(request.label, f"demo {request.kind}:{request.target}", schedule, None, total, 1, 10)


@pytest.fixture
def demo_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sources registered inside the test only."""
    monkeypatch.setattr(configs, "_SOURCES", dict(configs._SOURCES))
    cli.register_config_source(cli.ConfigSource("Demo", _demo_loader, prefixes=("demo", "demo2")))


def test_a_registered_source_reads_kind_config_arguments(
    demo_sources: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["show", "demo:configs/x.yml"]) == 0
    out = capsys.readouterr().out
    assert "source:      demo demo:configs/x.yml" in out and "epochs:      10 x 1 steps per epoch" in out
    assert main(["table", "demo2:a:b", "--steps", "3", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["schedule"]["type"] == "cosine.v1"


def test_a_registered_source_recognises_file_contents(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(configs, "_SOURCES", dict(configs._SOURCES))
    seen: list[cli.LoadRequest] = []

    def load(request: cli.LoadRequest) -> cli.Loaded:
        seen.append(request)
        return cli.Loaded(request.label, str(request.path), lrparity.Step(2, 0.5), 1.0, 6)

    cli.register_config_source(cli.ConfigSource("Recipe", load, detect=lambda data: "recipe" in data))
    path = tmp_path / "r.yaml"
    path.write_text("recipe: {epochs: 3}\n", encoding="utf-8")
    assert main(["table", str(path), "--steps", "4", "--epochs", "3"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == ["0,1.0", "1,1.0", "2,0.5", "3,0.5"]
    (request,) = seen
    assert (request.label, request.data, request.epochs, request.kind) == ("r", {"recipe": {"epochs": 3}}, 3, None)


def test_config_sources_are_checked_when_registered(demo_sources: None) -> None:
    with pytest.raises(ValueError, match=r"KIND 'demo' is already read by 'Demo'"):
        cli.register_config_source(cli.ConfigSource("Other", _demo_loader, prefixes=("demo",)))
    with pytest.raises(ValueError, match="lower-case identifiers"):
        cli.ConfigSource("Bad", _demo_loader, prefixes=("Demo",))
    with pytest.raises(ValueError, match="give prefixes, detect or both"):
        cli.ConfigSource("Nothing", _demo_loader)
    cli.register_config_source(cli.ConfigSource("Demo", _demo_loader, prefixes=("demo",)))  # a module reloaded


def test_an_unknown_kind_is_named(demo_sources: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "nosuchkind:x"]) == 2
    err = capsys.readouterr().err
    assert "'nosuchkind' is not a KIND of KIND:CONFIG that lrparity reads (KINDs: demo, demo2, hf, " in err


def test_a_command_module_that_fails_to_import_is_reported_when_used(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = (("broken", ImportError("No module named 'frobnicator'")),)
    modules = plugins._command_modules()
    monkeypatch.setattr(plugins, "_command_modules", lambda: modules + broken)
    assert main(["show", "step", "--steps", "3"]) == 0  # the other commands work
    capsys.readouterr()
    assert main(["broken"]) == 2
    assert capsys.readouterr().err.strip() == (
        "lrparity: error: the 'broken' subcommand failed to load: ImportError: No module named 'frobnicator'"
    )
