"""paddle's high-level API: ``paddle.Model(net).fit(...)`` with lrparity's paddle scheduler as the optimizer's
``learning_rate``, stepped by the ``paddle.callbacks.LRScheduler`` callback.

- ``LRScheduler(by_step=True, by_epoch=False)`` (what ``fit`` adds when no LRScheduler callback is given): one
  step per batch; ``LRScheduler(by_step=False, by_epoch=True)``: one per epoch.
- ``paddle.callbacks.ModelCheckpoint(save_freq=1, save_dir=...)`` saves ``Model.save(save_dir/<epoch>)`` at each
  epoch's end: ``.pdparams`` and ``.pdopt`` (the optimizer's ``state_dict()``, whose ``"LR_Scheduler"`` is the
  scheduler's); ``Model.load(path)`` restores it through ``optimizer.set_state_dict``. A fresh ``Model`` loaded from
  the epoch-0 checkpoint (mid-warmup) and fit for the remaining epochs continues the uninterrupted run.
- The lr of each update is read inside the optimizer's step: the scheduler's value the step reads (float64) and
  the lr tensor the update kernel reads (float32, paddle's default dtype).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("paddle")

import paddle

import lrparity
from integration_tests._helpers import (
    BASE_LR,
    EPOCH_SCHEDULE,
    FORGETS_STATE,
    LRPARITY,
    NATIVE,
    OFF_BY_ONE,
    STEP_SCHEDULE,
    PaddleLrs,
    Run,
    assert_detected,
    differences,
    paddle_factory,
    problems,
    record_paddle_lrs,
)

BATCHES = 4  # per epoch: 8 samples, batch size 2
EPOCHS = 3  # by step: 12 updates; the epoch-0 checkpoint is after update 4 (warmup 6)
EPOCH_EPOCHS = 5  # by epoch: warmup 2 epochs; the epoch-0 checkpoint is mid-warmup

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::DeprecationWarning")


class Samples(paddle.io.Dataset):
    def __init__(self) -> None:
        rng = np.random.default_rng(0)
        self.x = rng.standard_normal((2 * BATCHES, 2)).astype("float32")
        self.y = rng.standard_normal((2 * BATCHES, 1)).astype("float32")

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        return self.x[i], self.y[i]


def _fit(
    make: Any,
    epochs: int,
    by_step: bool,
    *,
    save_dir: Path | None = None,
    load: Path | None = None,
    checkpoint_first: bool = False,
) -> PaddleLrs:
    paddle.seed(0)
    net = paddle.nn.Linear(2, 1)
    optimizer = paddle.optimizer.SGD(learning_rate=make(), parameters=net.parameters())
    lrs = record_paddle_lrs(optimizer)
    model = paddle.Model(net)
    model.prepare(optimizer, paddle.nn.MSELoss())
    if load is not None:
        model.load(str(load))
    callbacks: list[Any] = [paddle.callbacks.LRScheduler(by_step=by_step, by_epoch=not by_step)]
    if save_dir is not None:
        checkpoint = paddle.callbacks.ModelCheckpoint(save_freq=1, save_dir=str(save_dir))
        callbacks = [checkpoint, *callbacks] if checkpoint_first else [*callbacks, checkpoint]
    model.fit(Samples(), epochs=epochs, batch_size=2, shuffle=False, verbose=0, callbacks=callbacks)
    return lrs


def run_fit(kind: str, root: Path, *, by_step: bool, checkpoint_first: bool = False) -> tuple[Run, PaddleLrs]:
    """The uninterrupted run (checkpoint at each epoch's end), then a fresh Model loaded from the epoch-0 one."""
    schedule, epochs = (STEP_SCHEDULE, EPOCHS) if by_step else (EPOCH_SCHEDULE, EPOCH_EPOCHS)
    make = paddle_factory(kind, schedule)
    full = _fit(make, epochs, by_step, save_dir=root / kind, checkpoint_first=checkpoint_first)
    resumed = _fit(make, epochs - 1, by_step, load=root / kind / "0")
    return Run(full.scheduled, resumed.scheduled, BATCHES), full


def _expected(by_step: bool) -> np.ndarray:
    if by_step:
        return STEP_SCHEDULE.values(range(BATCHES * EPOCHS), BASE_LR)
    return lrparity.PerEpoch(EPOCH_SCHEDULE, BATCHES).values(range(BATCHES * EPOCH_EPOCHS), BASE_LR)


@pytest.fixture(scope="module")
def natives(tmp_path_factory: pytest.TempPathFactory) -> dict[bool, tuple[Run, PaddleLrs]]:
    root = tmp_path_factory.mktemp("hapi-native")
    return {by_step: run_fit(NATIVE, root / str(by_step), by_step=by_step) for by_step in (True, False)}


@pytest.mark.parametrize("by_step", [True, False], ids=["by-step", "by-epoch"])
def test_fit_matches_the_native_and_resumes_from_model_load(
    tmp_path: Path, natives: dict[bool, tuple[Run, PaddleLrs]], by_step: bool
) -> None:
    (run, lrs), (native, native_lrs) = run_fit(LRPARITY, tmp_path, by_step=by_step), natives[by_step]
    expected = _expected(by_step)
    name = f"paddle Model.fit LRScheduler(by_step={by_step})"
    assert problems(name, run, native, expected, native_rtol=0.0) == []  # paddle's natives here are closed forms
    kernel = expected.astype(np.float32).astype(np.float64)
    assert differences(f"{name}: the kernel's float32 lr", kernel, lrs.kernel) == []
    assert differences(f"{name}: the kernel's lr vs the natives'", native_lrs.kernel, lrs.kernel) == []
    assert differences("the natives' own resume", native.used[BATCHES:], native.resumed) == []


@pytest.mark.parametrize("by_step", [True, False], ids=["by-step", "by-epoch"])
def test_detects_an_off_by_one_scheduler(
    tmp_path: Path, natives: dict[bool, tuple[Run, PaddleLrs]], by_step: bool
) -> None:
    run, _ = run_fit(OFF_BY_ONE, tmp_path, by_step=by_step)
    found = problems("paddle Model.fit", run, natives[by_step][0], _expected(by_step), native_rtol=0.0)
    assert_detected(found, "vs the schedule: update 0", "vs the natives")


def test_detects_a_resume_that_restarts(tmp_path: Path, natives: dict[bool, tuple[Run, PaddleLrs]]) -> None:
    run, _ = run_fit(FORGETS_STATE, tmp_path, by_step=True)
    found = problems("paddle Model.fit", run, natives[True][0], _expected(True), native_rtol=0.0)
    assert_detected(found, f"resumed after update {BATCHES}")


def test_by_epoch_checkpoint_before_the_scheduler_callback_lags_as_the_native(tmp_path: Path) -> None:
    """paddle's trap, not lrparity's: with ``callbacks=[ModelCheckpoint(...), LRScheduler(by_epoch=True)]`` the
    checkpoint of an epoch is written before that epoch's scheduler step, so the resumed run repeats an epoch's lr
    (``fit`` appends its own ModelCheckpoint after the given callbacks, the right order). lrparity lags exactly as
    the native does; docs/trainers/paddle_hapi.md says to list LRScheduler first."""
    ours, _ = run_fit(LRPARITY, tmp_path, by_step=False, checkpoint_first=True)
    native, _ = run_fit(NATIVE, tmp_path / "native", by_step=False, checkpoint_first=True)
    assert differences("checkpoint first: lrparity vs native, resumed", native.resumed, ours.resumed) == []
    assert differences("checkpoint first: uninterrupted", _expected(False), ours.used) == []
    lag = _expected(False)[: len(ours.resumed)]  # the resumed run starts over at the epoch-0 lr: one epoch behind
    assert differences("checkpoint first: resumed run one epoch behind", lag, ours.resumed) == []
