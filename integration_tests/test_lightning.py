"""Lightning: lrparity's scheduler returned by ``configure_optimizers``, stepped by Lightning's loop.

- ``interval: "step"``: one scheduler step per optimizer update; ``ckpt_path`` resume from a mid-warmup
  checkpoint saved mid-epoch (``every_n_train_steps``) and from one saved at an epoch's end;
  ``LearningRateMonitor`` logs the lrs the optimizer used (read back from the ``CSVLogger``'s file).
- the default ``interval: "epoch"``: one step per epoch, the lr constant within an epoch
  (``PerEpoch(schedule, batches)`` at every update); resume from an epoch-end checkpoint mid-warmup.
- a ``Plateau`` with ``monitor``: stepped with the logged metric at each epoch's end, as torch's
  ``ReduceLROnPlateau``; resume mid-epoch is exact; resume from an epoch-end checkpoint skips that epoch's plateau
  step, for lrparity and the native alike (Lightning does not step metric schedulers when it restarts).
"""

from __future__ import annotations

import csv
import logging
import warnings
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("lightning", reason="the Lightning integration needs lightning (lrparity's CI installs it)")

import torch
from lightning.pytorch import LightningModule, Trainer
from lightning.pytorch.callbacks import LearningRateMonitor, ModelCheckpoint
from lightning.pytorch.loggers import CSVLogger

import lrparity
from integration_tests._helpers import (
    BASE_LR,
    EPOCH_SCHEDULE,
    FORGETS_STATE,
    LRPARITY,
    NATIVE,
    OFF_BY_ONE,
    PLATEAU,
    STEP_SCHEDULE,
    Run,
    assert_detected,
    differences,
    problems,
    record_torch_lrs,
    torch_factory,
)

BATCHES = 4  # per epoch (8 samples, batch size 2)
EPOCHS = 3  # step interval: 12 updates, warmup 6
SCORES = (1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5)  # the monitored metric at each epoch of the plateau runs

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::DeprecationWarning")
for _name in ("lightning", "lightning.pytorch", "lightning.fabric"):
    logging.getLogger(_name).setLevel(logging.ERROR)


class TinyModule(LightningModule):
    """A linear regression whose ``configure_optimizers`` returns SGD and ``make(optimizer)``'s scheduler."""

    def __init__(self, make: Any, scheduler_config: dict[str, Any]) -> None:
        super().__init__()
        self.net = torch.nn.Linear(2, 1)
        self.make = make
        self.scheduler_config = scheduler_config
        self.used: list[float] = []

    def training_step(self, batch: Any, batch_idx: int) -> torch.Tensor:
        x, y = batch
        return torch.nn.functional.mse_loss(self.net(x), y)

    def configure_optimizers(self) -> dict[str, Any]:
        optimizer = torch.optim.SGD(self.parameters(), lr=BASE_LR)
        self.used = record_torch_lrs(optimizer)
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": self.make(optimizer), **self.scheduler_config}}


class PlateauModule(TinyModule):
    """Logs ``score`` (:data:`SCORES`, one value per epoch) for the plateau to monitor."""

    def training_step(self, batch: Any, batch_idx: int) -> torch.Tensor:
        self.log("score", SCORES[self.current_epoch], on_step=False, on_epoch=True)
        return super().training_step(batch, batch_idx)


def _loader(samples: int) -> torch.utils.data.DataLoader:
    g = torch.Generator().manual_seed(0)
    data = torch.utils.data.TensorDataset(torch.randn(samples, 2, generator=g), torch.randn(samples, 1, generator=g))
    return torch.utils.data.DataLoader(data, batch_size=2)


def _fit(
    module: TinyModule,
    root: Path,
    epochs: int,
    *,
    samples: int = 2 * BATCHES,
    ckpt_path: Path | None = None,
    callbacks: tuple[Any, ...] = (),
    logger: Any = False,
) -> list[float]:
    trainer = Trainer(
        max_epochs=epochs,
        accelerator="cpu",
        devices=1,
        logger=logger,
        log_every_n_steps=1,
        callbacks=list(callbacks),
        enable_checkpointing=any(isinstance(c, ModelCheckpoint) for c in callbacks),
        enable_progress_bar=False,
        enable_model_summary=False,
        default_root_dir=root,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        trainer.fit(module, _loader(samples), ckpt_path=ckpt_path)
    return module.used


def _checkpoints(root: Path, **every: int) -> ModelCheckpoint:
    return ModelCheckpoint(dirpath=root, filename="{step}", save_top_k=-1, **every)


# -- interval "step" -------------------------------------------------------------------------------------------
RESUME_MID_EPOCH = 3  # mid-warmup and mid-epoch
RESUME_EPOCH_END = 4  # mid-warmup, at the end of epoch 0


def run_step_interval(kind: str, root: Path, resume_at: int = RESUME_MID_EPOCH) -> Run:
    """Train EPOCHS epochs with ``interval: "step"`` saving a checkpoint every update, then resume a fresh module
    from the checkpoint after ``resume_at`` updates."""
    make = torch_factory(kind)
    ckpts = root / kind / "ckpt"
    used = _fit(
        TinyModule(make, {"interval": "step"}), root, EPOCHS, callbacks=(_checkpoints(ckpts, every_n_train_steps=1),)
    )
    resumed = _fit(TinyModule(make, {"interval": "step"}), root, EPOCHS, ckpt_path=ckpts / f"step={resume_at}.ckpt")
    return Run(used, resumed, resume_at)


@pytest.fixture(scope="module")
def step_native(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return run_step_interval(NATIVE, tmp_path_factory.mktemp("lightning-step-native"))


@pytest.mark.parametrize(
    "resume_at", [RESUME_MID_EPOCH, RESUME_EPOCH_END], ids=["resume-mid-epoch", "resume-epoch-end"]
)
def test_step_interval_matches_the_native_and_resumes(tmp_path: Path, step_native: Run, resume_at: int) -> None:
    run = run_step_interval(LRPARITY, tmp_path, resume_at)
    expected = STEP_SCHEDULE.values(range(BATCHES * EPOCHS), BASE_LR)
    assert problems("lightning interval=step", run, step_native, expected) == []
    native_resumed = run_step_interval(NATIVE, tmp_path / "native", resume_at)
    assert differences("the natives' own resume", native_resumed.used[resume_at:], native_resumed.resumed) == []


def test_step_interval_detects_an_off_by_one_scheduler(tmp_path: Path, step_native: Run) -> None:
    run = run_step_interval(OFF_BY_ONE, tmp_path)
    expected = STEP_SCHEDULE.values(range(BATCHES * EPOCHS), BASE_LR)
    assert_detected(problems("lightning", run, step_native, expected), "vs the schedule: update 0", "vs the natives")


def test_step_interval_detects_a_resume_that_restarts(tmp_path: Path, step_native: Run) -> None:
    run = run_step_interval(FORGETS_STATE, tmp_path)
    expected = STEP_SCHEDULE.values(range(BATCHES * EPOCHS), BASE_LR)
    assert_detected(problems("lightning", run, step_native, expected), "resumed after update 3")


def test_learning_rate_monitor_logs_the_lrs_used(tmp_path: Path) -> None:
    """``LearningRateMonitor(logging_interval="step")`` logs ``lr-SGD`` at each batch start: the lr that batch's
    update uses, lrparity's values exactly (CSVLogger writes ``repr`` of the float)."""
    logger = CSVLogger(tmp_path, name="csv")
    monitor = LearningRateMonitor(logging_interval="step")
    used = _fit(
        TinyModule(torch_factory(LRPARITY), {"interval": "step"}), tmp_path, EPOCHS, callbacks=(monitor,), logger=logger
    )
    with open(Path(logger.log_dir) / "metrics.csv", newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r.get("lr-SGD")]
    logged = [float(r["lr-SGD"]) for r in sorted(rows, key=lambda r: int(r["step"]))]
    assert [int(r["step"]) for r in rows] == list(range(BATCHES * EPOCHS))
    assert differences("LearningRateMonitor lr-SGD", used, logged) == []
    assert differences("lr used", STEP_SCHEDULE.values(range(BATCHES * EPOCHS), BASE_LR), used) == []


# -- interval "epoch" (Lightning's default) ---------------------------------------------------------------------
EPOCH_EPOCHS = 5
EPOCH_RESUME = 1  # epochs: mid-warmup (2 epochs)


def run_epoch_interval(kind: str, root: Path) -> Run:
    """Train with the default epoch interval, checkpoint at each epoch's end, resume after EPOCH_RESUME epochs."""
    make = torch_factory(kind, EPOCH_SCHEDULE)
    ckpts = root / kind / "ckpt"
    used = _fit(TinyModule(make, {}), root, EPOCH_EPOCHS, callbacks=(_checkpoints(ckpts, every_n_epochs=1),))
    at = EPOCH_RESUME * BATCHES
    resumed = _fit(TinyModule(make, {}), root, EPOCH_EPOCHS, ckpt_path=ckpts / f"step={at}.ckpt")
    return Run(used, resumed, at)


def _epoch_expected() -> Any:
    return lrparity.PerEpoch(EPOCH_SCHEDULE, BATCHES).values(range(BATCHES * EPOCH_EPOCHS), BASE_LR)


@pytest.fixture(scope="module")
def epoch_native(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return run_epoch_interval(NATIVE, tmp_path_factory.mktemp("lightning-epoch-native"))


def test_epoch_interval_matches_the_native_and_resumes(tmp_path: Path, epoch_native: Run) -> None:
    run = run_epoch_interval(LRPARITY, tmp_path)
    assert problems("lightning interval=epoch", run, epoch_native, _epoch_expected()) == []
    assert (
        differences("the natives' own resume", epoch_native.used[epoch_native.resumed_at :], epoch_native.resumed) == []
    )


def test_epoch_interval_detects_an_off_by_one_scheduler(tmp_path: Path, epoch_native: Run) -> None:
    run = run_epoch_interval(OFF_BY_ONE, tmp_path)
    assert_detected(problems("lightning", run, epoch_native, _epoch_expected()), "vs the schedule: update 0")


# -- Plateau with monitor ---------------------------------------------------------------------------------------
PLATEAU_BATCHES = 2
PLATEAU_EPOCHS = len(SCORES)


def _plateau_fit(kind: str, root: Path, **kwargs: Any) -> list[float]:
    make = torch_factory(kind, PLATEAU)
    module = PlateauModule(make, {"monitor": "score"})
    return _fit(module, root, PLATEAU_EPOCHS, samples=2 * PLATEAU_BATCHES, **kwargs)


def _plateau_expected() -> list[float]:
    """The core plateau fed SCORES at each epoch's end, read at every update."""
    state = PLATEAU.initial_state([BASE_LR])
    lrs = []
    for score in SCORES:
        lrs += [state.lrs[0]] * PLATEAU_BATCHES
        state = PLATEAU.update(state, score)
    return lrs


def run_plateau(kind: str, root: Path, resume_at: int) -> Run:
    ckpts = root / kind / "ckpt"
    used = _plateau_fit(kind, root, callbacks=(_checkpoints(ckpts, every_n_train_steps=1),))
    resumed = _plateau_fit(kind, root, ckpt_path=ckpts / f"step={resume_at}.ckpt")
    return Run(used, resumed, resume_at)


PLATEAU_MID_EPOCH = 7  # batch 1 of epoch 3, after the epoch-2 step that halved the lr
PLATEAU_EPOCH_END = 6  # saved after the last batch of epoch 2, before that epoch's plateau step


@pytest.fixture(scope="module")
def plateau_native(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return run_plateau(NATIVE, tmp_path_factory.mktemp("lightning-plateau-native"), PLATEAU_MID_EPOCH)


def test_plateau_with_monitor_matches_the_native_and_resumes_mid_epoch(tmp_path: Path, plateau_native: Run) -> None:
    run = run_plateau(LRPARITY, tmp_path, PLATEAU_MID_EPOCH)
    assert len(set(run.used)) == 3  # the metric made the plateau halve the lr twice
    assert problems("lightning plateau", run, plateau_native, _plateau_expected(), native_rtol=0.0) == []


def test_plateau_resumed_at_an_epoch_end_lags_as_the_native(tmp_path: Path) -> None:
    """Lightning's trap, not lrparity's: a checkpoint written after an epoch's last batch holds the plateau before
    that epoch's step, and Lightning does not step metric-driven schedulers when it restarts (they need the metric,
    which the checkpoint does not hold): the resumed run's lr lags. lrparity lags exactly as torch's
    ``ReduceLROnPlateau`` does; docs/trainers/lightning.md says to resume such runs from a mid-epoch checkpoint."""
    ours = run_plateau(LRPARITY, tmp_path, PLATEAU_EPOCH_END)
    native = run_plateau(NATIVE, tmp_path / "native", PLATEAU_EPOCH_END)
    assert differences("plateau resumed at an epoch end: lrparity vs native", native.resumed, ours.resumed) == []
    assert differences("plateau, uninterrupted", _plateau_expected(), ours.used) == []
    lag = differences("resumed vs uninterrupted", ours.used[PLATEAU_EPOCH_END:], ours.resumed)
    assert lag, "Lightning now steps the plateau when resuming at an epoch end: update docs/trainers/lightning.md"
