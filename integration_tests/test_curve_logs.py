"""``lrparity.curve_logs`` and ``lrparity plot --tensorboard DIR --visualdl DIR``: the files read back with
TensorBoard's own reader (``EventMultiplexer``, what ``tensorboard --logdir`` runs) and VisualDL's (``LogReader``)
hold every value, one run per curve, step = update."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import lrparity
from lrparity.cli import load_schedule, main
from lrparity.curve_logs import check_log_dir, run_names, write_tensorboard, write_visualdl

pytest.importorskip("tensorboard", reason="lrparity[tensorboard] (lrparity's CI installs it)")
pytest.importorskip("visualdl", reason="lrparity[visualdl] (lrparity's CI installs it)")


def read_tensorboard(logdir: Path, tag: str = "lr") -> dict[str, tuple[list[int], np.ndarray]]:
    """``{run: (steps, values)}`` as TensorBoard reads ``logdir``."""
    from tensorboard.backend.event_processing import event_accumulator, event_multiplexer
    from tensorboard.util import tensor_util

    mux = event_multiplexer.EventMultiplexer(size_guidance={event_accumulator.TENSORS: 0})  # 0: keep every point
    mux.AddRunsFromDirectory(str(logdir))
    mux.Reload()
    out = {}
    for run in mux.Runs():
        events = mux.Tensors(run, tag)
        out[run] = (
            [e.step for e in events],
            np.array([tensor_util.make_ndarray(e.tensor_proto).item() for e in events]),
        )
    return out


def read_visualdl(logdir: Path, tag: str = "lr") -> dict[str, tuple[list[int], np.ndarray]]:
    """``{run: (steps, values)}`` as VisualDL's ``LogReader`` reads ``logdir`` (a record: [step, tag, time, value])."""
    from visualdl import LogReader

    reader = LogReader(logdir=str(logdir))
    out = {}
    for run in reader.runs():
        records = reader.get_log_data("scalar", run, tag)
        out[Path(run).name] = ([int(r[0]) for r in records], np.array([r[3] for r in records], dtype=np.float64))
    return out


def bits(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(a, dtype=np.float64)).view(np.uint64)


CURVES = {
    "torch": lrparity.Warmup(lrparity.Cosine(T_max=300), warmup_steps=50).values(range(400), 0.1),
    "catalogue:odd values": np.array([0.1, 1e-310, 5e-324, np.nextafter(0.3, 1.0), 1e300, 0.0, -0.0, np.nan]),
}


def test_tensorboard_gives_back_every_double(tmp_path: Path) -> None:
    runs = write_tensorboard(tmp_path, CURVES)
    assert [r.name for r in runs] == ["torch", "catalogue_odd_values"]
    read = read_tensorboard(tmp_path)
    assert sorted(read) == sorted(r.name for r in runs)
    for run, values in zip(runs, CURVES.values()):
        steps, got = read[run.name]
        assert steps == list(range(len(values)))
        assert np.array_equal(bits(got), bits(values)), run.name


def test_visualdl_gives_back_every_float32(tmp_path: Path) -> None:
    runs = write_visualdl(tmp_path, CURVES)
    read = read_visualdl(tmp_path)
    assert sorted(read) == sorted(r.name for r in runs)
    for run, values in zip(runs, CURVES.values()):
        steps, got = read[run.name]
        assert steps == list(range(len(values)))
        with np.errstate(over="ignore"):  # 1e300 is inf as a float32
            f32 = values.astype(np.float32).astype(np.float64)  # VisualDL's record holds a float32
        assert np.array_equal(bits(got), bits(f32)), run.name


def test_run_names_are_directories_and_unique() -> None:
    assert run_names(["core", "torch-native", "a/b c", "a_b_c", "core"]) == [
        "core",
        "torch-native",
        "a_b_c",
        "a_b_c-2",
        "core-2",
    ]
    with pytest.raises(ValueError, match="cannot be a directory name"):
        run_names([".."])


def test_earlier_logs_are_refused_not_appended(tmp_path: Path) -> None:
    write_tensorboard(tmp_path, {"core": [0.1, 0.2]})
    with pytest.raises(ValueError, match=r"already holds events\.out\.tfevents\..*zigzag"):
        write_tensorboard(tmp_path, {"core": [0.1, 0.2]})
    write_tensorboard(tmp_path, {"other": [0.1]})  # another run in the same directory is fine
    assert sorted(read_tensorboard(tmp_path)) == ["core", "other"]


def test_bad_curves_and_directories(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="one-dimensional"):
        write_tensorboard(tmp_path / "a", {"x": [[0.1]]})
    with pytest.raises(ValueError, match="non-empty"):
        write_visualdl(tmp_path / "b", {})
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="is a file"):
        check_log_dir(tmp_path / "file", "tensorboard")
    with pytest.raises(ValueError, match="log format must be one of"):
        check_log_dir(tmp_path, "wandb")


@pytest.mark.parametrize(("fmt", "extra"), [("tensorboard", "tensorboard"), ("visualdl", "visualdl")])
def test_a_missing_writer_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, extra: str
) -> None:
    monkeypatch.setitem(sys.modules, fmt, None)  # import fails as for a missing package
    writer = write_tensorboard if fmt == "tensorboard" else write_visualdl
    with pytest.raises(ImportError, match=rf"pip install 'lrparity\[{extra}\]'"):
        writer(tmp_path, {"core": [0.1]})
    assert not (tmp_path / "core").exists()


# -- lrparity plot ---------------------------------------------------------------------------------------------
def test_plot_writes_each_schedule_as_a_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tb, vdl = tmp_path / "tb", tmp_path / "vdl"
    assert (
        main(["plot", "warmup_cosine", "step", "--steps", "120", "--tensorboard", str(tb), "--visualdl", str(vdl)]) == 0
    )
    assert "wrote 2 tensorboard run(s)" in capsys.readouterr().out
    expected = {name: load_schedule(name).schedule.values(range(120), 1.0) for name in ("warmup_cosine", "step")}
    tensorboard, visualdl = read_tensorboard(tb), read_visualdl(vdl)
    assert sorted(tensorboard) == sorted(visualdl) == sorted(expected)
    for name, values in expected.items():
        assert tensorboard[name][0] == visualdl[name][0] == list(range(120))
        assert np.array_equal(bits(tensorboard[name][1]), bits(values)), name
        assert np.array_equal(bits(visualdl[name][1]), bits(values.astype(np.float32))), name
    assert not list(tmp_path.glob("*.png"))  # no -o: no image


def test_parity_writes_each_path_as_a_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``lrparity parity --tensorboard/--visualdl``: one run per path that ran, each equal to what it computed."""
    tb, vdl = tmp_path / "tb", tmp_path / "vdl"
    argv = ["parity", "step", "--steps", "50", "--static-steps", "10", "--tensorboard", str(tb), "--visualdl", str(vdl)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "wrote 6 tensorboard run(s)" in out and "wrote 6 visualdl run(s)" in out
    loaded = load_schedule("step")
    core = loaded.schedule.values(range(50), loaded.base_lr if loaded.schedule.uses_base_lr else None)
    paths = {"core", "torch", "paddle", "paddle-static", "torch-native", "paddle-native"}
    tensorboard, visualdl = read_tensorboard(tb), read_visualdl(vdl)
    assert set(tensorboard) == set(visualdl) == paths
    for path in paths:
        steps, values = tensorboard[path]
        expected = core[:10].astype(np.float32).astype(np.float64) if path == "paddle-static" else core
        assert steps == list(range(len(expected))), path
        assert np.array_equal(bits(values), bits(expected)), path  # every path of "step" is bit-identical
        assert np.array_equal(bits(visualdl[path][1]), bits(expected.astype(np.float32))), path


def test_plot_logs_are_checked_before_anything_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plot", "step"]) == 2
    assert capsys.readouterr().err.strip() == (
        "lrparity: error: plot: give an output: -o FILE.png, --tensorboard DIR and/or --visualdl DIR"
    )
    assert main(["plot", "step", "--steps", "5", "--tensorboard", str(tmp_path)]) == 0
    capsys.readouterr()
    assert main(["plot", "step", "--steps", "5", "--tensorboard", str(tmp_path), "-o", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert (
        err.startswith(f"lrparity: error: --tensorboard {tmp_path}: tensorboard run directory")
        and "already holds" in err
    )
    assert not (tmp_path / "x.png").exists()
