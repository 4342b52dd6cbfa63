"""End-to-end tests of the ``lrparity`` command line, run as a subprocess."""

from __future__ import annotations

import csv
import io
import json
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from lrparity.cli import example_names, main

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
