"""Hugging Face ``Trainer(optimizers=(optimizer, scheduler))`` with lrparity's scheduler.

The Trainer steps the scheduler once per optimizer update (after ``gradient_accumulation_steps`` micro-batches),
and not at all when the optimizer step was skipped (``accelerator.optimizer_step_was_skipped``: a GradScaler that
found inf/nan gradients); it saves ``scheduler.state_dict()`` with ``torch.save`` in ``checkpoint-N/scheduler.pt``
and ``resume_from_checkpoint`` loads it with ``torch.load(..., weights_only=True)``; it logs the lr of each update
in ``state.log_history`` (``learning_rate``, what ``report_to`` integrations receive as ``train/learning_rate``).

The skipped steps are real GradScaler skips: a ``torch.amp.GradScaler("cpu")`` in the Trainer's accelerator (the
scaler fp16 training uses; Accelerate makes none on CPU) and a sample holding ``inf``, so that the scaled gradients
of the update that sees it are not finite and the scaler skips ``optimizer.step()``, as an fp16 overflow does.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("transformers", reason="the Trainer integration needs transformers (lrparity's CI installs it)")

import torch
import transformers
from transformers import Trainer, TrainerCallback, TrainingArguments
from transformers.trainer_callback import PrinterCallback

from integration_tests._helpers import (
    BASE_LR,
    FORGETS_STATE,
    LRPARITY,
    NATIVE,
    NATIVE_RTOL,
    OFF_BY_ONE,
    STEP_SCHEDULE,
    Run,
    assert_detected,
    differences,
    problems,
    record_torch_lrs,
    torch_factory,
)

UPDATES = 10  # max_steps: optimizer updates
ACCUMULATION = 2  # micro-batches per update
SAVE_EVERY = 3  # checkpoint-3 is mid-warmup (6 updates)
INF_SAMPLE = 5  # the sample that overflows, in the skipped-step runs

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::FutureWarning")
transformers.logging.set_verbosity_error()


class TinyRegression(torch.nn.Module):
    """``forward(x, labels) -> {"loss": mse}``: what the Trainer needs from a model."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = torch.nn.Linear(2, 1)

    def forward(self, x: torch.Tensor, labels: torch.Tensor) -> dict[str, torch.Tensor]:
        return {"loss": torch.nn.functional.mse_loss(self.linear(x), labels)}


class Samples(torch.utils.data.Dataset):
    """16 samples ``{"x", "labels"}``; ``inf_at`` puts ``inf`` into those samples' ``x``."""

    def __init__(self, inf_at: tuple[int, ...] = ()) -> None:
        g = torch.Generator().manual_seed(0)
        self.x, self.y = torch.randn(16, 2, generator=g), torch.randn(16, 1, generator=g)
        for i in inf_at:
            self.x[i, 0] = float("inf")

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        return {"x": self.x[i], "labels": self.y[i]}


class Attempts(TrainerCallback):
    """Each optimizer-step attempt's lr (``on_pre_optimizer_step``) and whether the Trainer saw it skipped."""

    def __init__(self, optimizer: torch.optim.Optimizer) -> None:
        self.optimizer = optimizer
        self.lrs: list[float] = []
        self.skipped: list[bool] = []
        self.trainer: Trainer | None = None

    def on_pre_optimizer_step(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self.lrs.append(float(self.optimizer.param_groups[0]["lr"]))

    def on_optimizer_step(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        assert self.trainer is not None
        self.skipped.append(bool(self.trainer.accelerator.optimizer_step_was_skipped))


def _train(
    kind: str, out: Path, *, resume: Path | None = None, skips: bool = False
) -> tuple[list[float], Attempts, Trainer]:
    """Train UPDATES updates of ACCUMULATION micro-batches with ``kind``'s scheduler, saving every SAVE_EVERY."""
    torch.manual_seed(0)
    model = TinyRegression()
    optimizer = torch.optim.SGD(model.parameters(), lr=BASE_LR)
    scheduler = torch_factory(kind)(optimizer)
    used = record_torch_lrs(optimizer)
    attempts = Attempts(optimizer)
    args = TrainingArguments(
        output_dir=str(out),
        per_device_train_batch_size=2,
        gradient_accumulation_steps=ACCUMULATION,
        max_steps=UPDATES,
        save_strategy="steps",
        save_steps=SAVE_EVERY,
        logging_steps=1,
        report_to=[],
        use_cpu=True,
        seed=0,
        disable_tqdm=True,
        remove_unused_columns=False,
        dataloader_num_workers=0,
    )
    dataset = Samples(inf_at=(INF_SAMPLE,) if skips else ())
    trainer = Trainer(
        model=model, args=args, train_dataset=dataset, optimizers=(optimizer, scheduler), callbacks=[attempts]
    )
    trainer.remove_callback(PrinterCallback)
    attempts.trainer = trainer
    if skips:  # the scaler of fp16 training, on CPU: skips the step whose scaled gradients are not finite
        trainer.accelerator.scaler = torch.amp.GradScaler("cpu")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        trainer.train(resume_from_checkpoint=str(resume) if resume is not None else None)
    return used, attempts, trainer


def run_trainer(kind: str, root: Path) -> Run:
    used, _, _ = _train(kind, root / kind)
    resumed, _, _ = _train(kind, root / f"{kind}-resumed", resume=root / kind / f"checkpoint-{SAVE_EVERY}")
    return Run(used, resumed, SAVE_EVERY)


@pytest.fixture(scope="module")
def native_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return run_trainer(NATIVE, tmp_path_factory.mktemp("hf-native"))


EXPECTED = STEP_SCHEDULE.values(range(UPDATES), BASE_LR)


def test_trainer_matches_the_native_and_resumes_from_its_checkpoint(tmp_path: Path, native_run: Run) -> None:
    run = run_trainer(LRPARITY, tmp_path)
    assert problems("hf Trainer (gradient accumulation 2)", run, native_run, EXPECTED) == []
    assert differences("the natives' own resume", native_run.used[SAVE_EVERY:], native_run.resumed) == []


def test_scheduler_state_loads_with_weights_only(tmp_path: Path) -> None:
    """``scheduler.pt`` is plain data: ``torch.load(weights_only=True)``, as the Trainer's resume does, gives the
    state back, and the logged ``learning_rate`` of each update is the lr that update used."""
    used, _, trainer = _train(LRPARITY, tmp_path)
    state = torch.load(tmp_path / f"checkpoint-{SAVE_EVERY}" / "scheduler.pt", weights_only=True)
    assert state["step"] == state["last_epoch"] == SAVE_EVERY
    assert state["schedule"] == STEP_SCHEDULE.to_config()
    logged = [h["learning_rate"] for h in trainer.state.log_history if "learning_rate" in h]
    assert differences("log_history learning_rate", used, logged) == []


def test_skipped_steps_behave_as_with_the_native(tmp_path: Path) -> None:
    """A step the GradScaler skips does not step the scheduler: the next attempt uses the same lr; lrparity's
    attempts, skips and applied lrs are the natives'."""
    ours, ours_attempts, _ = _train(LRPARITY, tmp_path / "ours", skips=True)
    native, native_attempts, _ = _train(NATIVE, tmp_path / "native", skips=True)
    assert any(ours_attempts.skipped), "no step was skipped: the inf sample did not overflow"
    assert ours_attempts.skipped == native_attempts.skipped
    assert len(ours) == ours_attempts.skipped.count(False)
    t, expected_attempts = 0, []
    for skipped in ours_attempts.skipped:
        expected_attempts.append(STEP_SCHEDULE.value(t, BASE_LR))
        t += not skipped
    assert differences("attempted lrs vs the schedule", expected_attempts, ours_attempts.lrs) == []
    assert differences("attempted lrs vs the natives", native_attempts.lrs, ours_attempts.lrs, NATIVE_RTOL) == []
    assert differences("applied lrs vs the schedule", STEP_SCHEDULE.values(range(len(ours)), BASE_LR), ours) == []
    assert differences("applied lrs vs the natives", native, ours, NATIVE_RTOL) == []


def test_detects_an_off_by_one_scheduler(tmp_path: Path, native_run: Run) -> None:
    run = run_trainer(OFF_BY_ONE, tmp_path)
    assert_detected(problems("hf Trainer", run, native_run, EXPECTED), "vs the schedule: update 0", "vs the natives")


def test_detects_a_resume_that_restarts(tmp_path: Path, native_run: Run) -> None:
    run = run_trainer(FORGETS_STATE, tmp_path)
    assert_detected(problems("hf Trainer", run, native_run, EXPECTED), f"resumed after update {SAVE_EVERY}")
