"""Accelerate: ``accelerator.prepare(model, optimizer, loader, scheduler)`` with lrparity's scheduler.

``AcceleratedScheduler.step()`` steps the scheduler only when the optimizer stepped (not on an accumulation
micro-batch, not when a GradScaler skipped the step) and then ``num_processes`` times, since each process's loader
holds ``1/num_processes`` of the batches a schedule written for one process counts; with
``DataLoaderConfiguration(split_batches=True)`` once. On 2 processes the lr of update ``k`` is therefore the
schedule at step ``2k`` (``split_batches``: ``k``), for lrparity as for the natives. ``save_state``/``load_state``
save and restore the scheduler's ``state_dict()``.

In this process: 1 process, gradient accumulation 2, ``save_state`` mid-warmup and ``load_state`` into fresh
objects. On 2 processes: the ``torchrun_job`` fixture's run (``integration_tests/_torchrun_worker.py``).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("accelerate", reason="the Accelerate integration needs accelerate (lrparity's CI installs it)")

import torch
from accelerate import Accelerator

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
from integration_tests._torchrun_worker import SAVE_AT, UPDATES

ACCUMULATION = 2

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning", "ignore::FutureWarning")


def _train(kind: str, checkpoint: Path, *, resume: bool = False) -> list[float]:
    """UPDATES updates of ACCUMULATION micro-batches; ``save_state`` (``resume``: ``load_state``) after SAVE_AT."""
    accelerator = Accelerator(cpu=True, gradient_accumulation_steps=ACCUMULATION)
    torch.manual_seed(0)
    model = torch.nn.Linear(2, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=BASE_LR)
    scheduler = torch_factory(kind)(optimizer)
    used = record_torch_lrs(optimizer)
    g = torch.Generator().manual_seed(0)
    samples = 2 * ACCUMULATION * UPDATES
    data = torch.utils.data.TensorDataset(torch.randn(samples, 2, generator=g), torch.randn(samples, 1, generator=g))
    model, optimizer, loader, scheduler = accelerator.prepare(
        model, optimizer, torch.utils.data.DataLoader(data, batch_size=2), scheduler
    )
    skip = SAVE_AT * ACCUMULATION
    if resume:
        accelerator.load_state(str(checkpoint))
        loader = accelerator.skip_first_batches(loader, skip)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i, (x, y) in enumerate(loader, start=skip if resume else 0):
            with accelerator.accumulate(model):
                accelerator.backward(torch.nn.functional.mse_loss(model(x), y))
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad()
            if not resume and i + 1 == skip:
                accelerator.save_state(str(checkpoint))
    return used


def run_accelerate(kind: str, root: Path) -> Run:
    used = _train(kind, root / kind)
    return Run(used, _train(kind, root / kind, resume=True), SAVE_AT)


@pytest.fixture(scope="module")
def native_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return run_accelerate(NATIVE, tmp_path_factory.mktemp("accelerate-native"))


EXPECTED = STEP_SCHEDULE.values(range(UPDATES), BASE_LR)


def test_accumulation_matches_the_native_and_resumes_from_save_state(tmp_path: Path, native_run: Run) -> None:
    run = run_accelerate(LRPARITY, tmp_path)
    assert problems("accelerate (1 process, accumulation 2)", run, native_run, EXPECTED) == []
    assert differences("the natives' own resume", native_run.used[SAVE_AT:], native_run.resumed) == []


def test_detects_an_off_by_one_scheduler(tmp_path: Path, native_run: Run) -> None:
    found = problems("accelerate", run_accelerate(OFF_BY_ONE, tmp_path), native_run, EXPECTED)
    assert_detected(found, "vs the schedule: update 0", "vs the natives")


def test_detects_a_resume_that_restarts(tmp_path: Path, native_run: Run) -> None:
    found = problems("accelerate", run_accelerate(FORGETS_STATE, tmp_path), native_run, EXPECTED)
    assert_detected(found, f"resumed after update {SAVE_AT}")


# -- 2 processes (torchrun) -------------------------------------------------------------------------------------
def _two(job: dict[str, Any], kind: str, rank: int = 0) -> Run:
    runs = job["ranks"][rank]["accelerate"][kind]
    return Run(runs["used"], runs.get("resumed"), SAVE_AT)


def test_two_processes_step_the_schedule_twice_per_update(torchrun_job: dict[str, Any]) -> None:
    expected = STEP_SCHEDULE.values(range(0, 2 * UPDATES, 2), BASE_LR)  # num_processes steps per update
    for rank in (0, 1):
        run, native = _two(torchrun_job, LRPARITY, rank), _two(torchrun_job, NATIVE, rank)
        assert problems(f"accelerate rank {rank} of 2 (save_state/load_state)", run, native, expected) == []
    assert (
        differences("rank 1 vs rank 0", _two(torchrun_job, LRPARITY).used, _two(torchrun_job, LRPARITY, 1).used) == []
    )


def test_two_processes_with_split_batches_step_once_per_update(torchrun_job: dict[str, Any]) -> None:
    for rank in (0, 1):
        run, native = (_two(torchrun_job, f"split_batches:{k}", rank) for k in (LRPARITY, NATIVE))
        assert problems(f"accelerate split_batches rank {rank}", run, native, EXPECTED) == []


def test_two_processes_detect_the_wrong_schedulers(torchrun_job: dict[str, Any]) -> None:
    expected = STEP_SCHEDULE.values(range(0, 2 * UPDATES, 2), BASE_LR)
    native = _two(torchrun_job, NATIVE)
    assert_detected(problems("accelerate", _two(torchrun_job, OFF_BY_ONE), native, expected), "vs the schedule")
    found = problems("accelerate", _two(torchrun_job, FORGETS_STATE), native, expected)
    assert_detected(found, f"resumed after update {SAVE_AT}")


def test_two_processes_one_cycle_overrun_ends_as_the_native(torchrun_job: dict[str, Any]) -> None:
    """A OneCycle over ``len(loader)`` steps (before ``prepare``), on 2 processes with a loader that keeps its last
    batch: the last update's 2 steps overrun ``total_steps``. Accelerate stops stepping torch's ``OneCycleLR`` at
    its ``total_steps`` and the run ends; lrparity's scheduler must end the same way, with the same lrs."""
    ours, native = (torchrun_job["ranks"][0]["accelerate"][f"one_cycle:{kind}"] for kind in (LRPARITY, NATIVE))
    assert native["error"] is None and len(native["used"]) == 3
    assert differences("one_cycle lrs vs the natives", native["used"], ours["used"], NATIVE_RTOL) == []
    assert ours["error"] is None, ours["error"]
