"""The golden checker: passes on the stored goldens, fails readably on an injected drift."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from lrparity.parity import golden
from lrparity.parity.catalogue import get

GOLDEN = Path(__file__).resolve().parents[1] / "ci" / "golden.npz"
QUICK = [get(n) for n in ("step", "warmup_cosine", "one_cycle", "cosine")]


def test_golden_file_covers_the_catalogue():
    from lrparity.parity.catalogue import CATALOGUE

    meta, arrays = golden.load(GOLDEN)
    assert set(meta["entries"]) == {e.name for e in CATALOGUE}
    for e in CATALOGUE:
        assert arrays[f"{e.name}.ref"].shape == (e.steps,)


def test_core_matches_goldens_without_frameworks():
    failures, _ = golden.check(GOLDEN, QUICK, backends=("core",))
    assert not [f for f in failures if f.backend == "core"]


@pytest.mark.parametrize("backend", ["core", "torch", "paddle"])
def test_checker_fails_on_injected_drift(backend):
    if backend != "core":
        pytest.importorskip(backend)
    meta, arrays = golden.load(GOLDEN)
    arrays = dict(arrays)
    entry = get("warmup_cosine")
    ref = arrays["warmup_cosine.ref"].copy()
    ref[1234] = np.nextafter(ref[1234], 1.0)  # one ulp at one step
    arrays["warmup_cosine.ref"] = ref
    failures, _ = golden.check(GOLDEN, [entry], backends=(backend,), golden=(meta, arrays))
    ours = [f for f in failures if f.backend == backend]
    assert len(ours) == 1, failures
    text = str(ours[0])
    assert text.startswith(f"warmup_cosine / {backend}: ")
    assert "first differing step 1234" in text
    assert f"expected {float(ref[1234])!r}" in text and f"got {float(np.nextafter(ref[1234], 0.0))!r}" in text


def test_checker_fails_on_native_drift():
    pytest.importorskip("paddle")
    meta, arrays = golden.load(GOLDEN)
    arrays = dict(arrays)
    stored = arrays["step.paddle-native"].copy()
    stored[5000] *= 1.5
    arrays["step.paddle-native"] = stored
    failures, _ = golden.check(GOLDEN, [get("step")], backends=(), golden=(meta, arrays))
    assert [str(f).split(":")[0] for f in failures] == ["step / paddle-native"]
    assert "native drifted: first differing step 5000" in str(failures[0])


def test_checker_fails_when_the_tables_no_longer_give_a_native():
    """The goldens hold each entry's natives: an entry the native tables stop giving a native is a drift."""
    import dataclasses

    pytest.importorskip("torch")
    entry = dataclasses.replace(get("step"))
    object.__setattr__(entry, "natives", {k: v for k, v in entry.natives.items() if k != "torch"})
    failures, _ = golden.check(GOLDEN, [entry], backends=())
    assert [str(f) for f in failures] == ["step / torch-native: the torch native table gives this entry no native now"]


def test_checker_flags_a_changed_catalogue_entry():
    meta, arrays = golden.load(GOLDEN)
    meta = {**meta, "entries": {**meta["entries"], "step": {**meta["entries"]["step"], "steps": 5}}}
    failures, _ = golden.check(GOLDEN, [get("step")], backends=("core",), golden=(meta, arrays))
    assert failures and failures[0].backend == "catalogue"


def test_cli_exit_status_on_drift(tmp_path, capsys):
    from lrparity.parity.cli import main

    meta, arrays = golden.load(GOLDEN)
    ref = arrays["step_half.ref"].copy()
    ref[10] = 0.5
    bad = tmp_path / "bad.npz"
    golden_arrays = {"step_half.ref": ref}
    import json

    meta["entries"] = {"step_half": meta["entries"]["step_half"]}
    np.savez_compressed(bad, **golden_arrays, __meta__=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8))
    assert main(["--golden", str(bad), "--only", "step_half"]) == 1
    out = capsys.readouterr().out
    assert "DRIFT step_half / core: off the paddle reference: first differing step 10: expected 0.5, got 0.1" in out


def test_parity_command_ok_on_bundled_example(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    from lrparity.cli import main

    png = tmp_path / "wc.png"
    assert main(["parity", "warmup_cosine", "--static-steps", "50", "--plot", str(png)]) == 0
    out = capsys.readouterr().out
    assert "OK: every path agrees" in out and "max rel diff" in out
    assert png.stat().st_size > 1000


def test_parity_command_exits_nonzero_on_mismatch(monkeypatch, capsys):
    from lrparity.parity import cli, runners

    real = runners.run_paddle

    def drifting(schedule, base_lr, steps, progress=None):
        values = real(schedule, base_lr, steps, progress)
        values[7] *= 1 + 1e-15
        return values

    pytest.importorskip("paddle")
    monkeypatch.setattr(runners, "run_paddle", drifting)
    assert cli.run_parity("step", steps=100, static_steps=0) == 1
    out = capsys.readouterr().out
    assert "MISMATCH" in out and "paddle: first differing step 7" in out
