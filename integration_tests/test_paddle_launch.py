"""``python -m paddle.distributed.launch --nproc_per_node 2`` on CPU (gloo): the torchrun job's DDP part in paddle.

The job (``integration_tests/_paddle_launch_worker.py``, launched once per session by the ``paddle_launch_job``
fixture) trains ``paddle.DataParallel`` with lrparity's paddle scheduler, saves the optimizer's ``state_dict()``
(holding the scheduler's under ``"LR_Scheduler"``) with ``paddle.save`` after 4 updates (mid-warmup), and resumes
on 2 ranks and on 1 (rank 0 alone). paddle's own distributed checkpoint (``paddle.distributed.save_state_dict``)
takes tensors only: a scheduler's state is refused, which the last test pins.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

pytest.importorskip("paddle")

from integration_tests._helpers import (
    BASE_LR,
    FORGETS_STATE,
    LRPARITY,
    NATIVE,
    OFF_BY_ONE,
    STEP_SCHEDULE,
    Run,
    assert_detected,
    differences,
    problems,
)

UPDATES, SAVE_AT = 10, 4  # as _paddle_launch_worker.py (not imported here: it imports paddle.distributed)
EXPECTED = STEP_SCHEDULE.values(range(UPDATES), BASE_LR)


def _run(job: dict[str, Any], kind: str, rank: int = 0, resumed: str = "resumed2", lr: str = "scheduled") -> Run:
    runs = job["ranks"][rank]["runs"][kind]
    return Run(runs["used"][lr], runs[resumed][lr], SAVE_AT)


def test_the_job_ran_on_two_gloo_ranks(paddle_launch_job: dict[str, Any]) -> None:
    assert [r["world_size"] for r in paddle_launch_job["ranks"]] == [2, 2]
    assert paddle_launch_job["ranks"][0]["backend"].lower() == "gloo"


@pytest.mark.parametrize("kind", [LRPARITY, NATIVE])
def test_every_rank_uses_the_same_lr_at_every_update(paddle_launch_job: dict[str, Any], kind: str) -> None:
    rank0, rank1 = (paddle_launch_job["ranks"][r]["runs"][kind] for r in (0, 1))
    for lr in ("scheduled", "kernel"):
        assert differences(f"{kind} {lr}: rank 1 vs rank 0", rank0["used"][lr], rank1["used"][lr]) == []
        assert differences(f"{kind} {lr}: resumed, rank 1 vs 0", rank0["resumed2"][lr], rank1["resumed2"][lr]) == []


@pytest.mark.parametrize("resumed", ["resumed2", "resumed1"], ids=["resume-on-2-ranks", "resume-on-1-rank"])
def test_matches_the_native_and_resumes(paddle_launch_job: dict[str, Any], resumed: str) -> None:
    ranks = (0, 1) if resumed == "resumed2" else (0,)
    for rank in ranks:
        run, native = (_run(paddle_launch_job, k, rank, resumed) for k in (LRPARITY, NATIVE))
        assert (
            problems(f"paddle.distributed.launch rank {rank} ({resumed})", run, native, EXPECTED, native_rtol=0.0) == []
        )
        kernel, native_kernel = (_run(paddle_launch_job, k, rank, resumed, "kernel") for k in (LRPARITY, NATIVE))
        f32 = EXPECTED.astype(np.float32).astype(np.float64)
        assert problems(f"rank {rank} kernel lr ({resumed})", kernel, native_kernel, f32, native_rtol=0.0) == []


def test_detects_the_wrong_schedulers(paddle_launch_job: dict[str, Any]) -> None:
    native = _run(paddle_launch_job, NATIVE)
    found = problems(
        "paddle.distributed.launch", _run(paddle_launch_job, OFF_BY_ONE), native, EXPECTED, native_rtol=0.0
    )
    assert_detected(found, "vs the schedule: update 0", "vs the natives")
    for resumed in ("resumed2", "resumed1"):
        run = _run(paddle_launch_job, FORGETS_STATE, resumed=resumed)
        assert_detected(problems("paddle.distributed.launch", run, native, EXPECTED), f"resumed after update {SAVE_AT}")


def test_paddle_distributed_checkpoint_refuses_a_scheduler_state(paddle_launch_job: dict[str, Any]) -> None:
    """``paddle.distributed.save_state_dict`` holds tensors only (paddle 3.3): a scheduler's state (ints, floats, a
    config) is refused, so the job saves it with ``paddle.save``. If paddle starts taking it, say so in
    docs/trainers/distributed.md."""
    assert (
        paddle_launch_job["ranks"][0]["dcp_refusal"]
        == "ValueError: The value should be dict or paddle.Tensor, but is 1"
    )
