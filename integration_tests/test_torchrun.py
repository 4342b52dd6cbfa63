"""``torchrun --nproc_per_node 2`` (gloo, CPU): DDP training with lrparity's scheduler, checkpointed with
``torch.distributed.checkpoint`` and resumed on 2 ranks and on 1 rank.

The job (``integration_tests/_torchrun_worker.py``, launched once per session by the ``torchrun_job`` fixture)
saves ``{"model", "optim", "scheduler"}`` with ``dcp.save`` after 4 updates (mid-warmup): the scheduler goes in as
itself, a ``Stateful`` (``state_dict``/``load_state_dict`` of plain data), and ``dcp.load`` restores it in place.
"""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("torch")

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
from integration_tests._torchrun_worker import SAVE_AT, UPDATES

EXPECTED = STEP_SCHEDULE.values(range(UPDATES), BASE_LR)


def _ddp(job: dict[str, Any], kind: str, rank: int = 0, resumed: str = "resumed2") -> Run:
    runs = job["ranks"][rank]["ddp"][kind]
    return Run(runs["used"], runs[resumed], SAVE_AT)


def test_the_scheduler_is_a_dcp_stateful() -> None:
    import torch
    from torch.distributed.checkpoint.stateful import Stateful

    import lrparity

    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=BASE_LR)
    assert isinstance(lrparity.torch_scheduler(STEP_SCHEDULE, optimizer), Stateful)


@pytest.mark.parametrize("kind", [LRPARITY, NATIVE])
def test_every_rank_uses_the_same_lr_at_every_update(torchrun_job: dict[str, Any], kind: str) -> None:
    assert torchrun_job["ranks"][0]["world_size"] == 2
    rank0, rank1 = (torchrun_job["ranks"][r]["ddp"][kind] for r in (0, 1))
    assert differences(f"{kind}: rank 1 vs rank 0", rank0["used"], rank1["used"]) == []
    assert differences(f"{kind}: resumed, rank 1 vs rank 0", rank0["resumed2"], rank1["resumed2"]) == []


def test_ddp_matches_the_native_and_resumes_on_2_ranks(torchrun_job: dict[str, Any]) -> None:
    for rank in (0, 1):
        run, native = _ddp(torchrun_job, LRPARITY, rank), _ddp(torchrun_job, NATIVE, rank)
        assert problems(f"torchrun rank {rank} (DCP resume on 2 ranks)", run, native, EXPECTED) == []


def test_resumed_on_1_rank_as_on_2(torchrun_job: dict[str, Any]) -> None:
    run, native = _ddp(torchrun_job, LRPARITY, resumed="resumed1"), _ddp(torchrun_job, NATIVE, resumed="resumed1")
    assert problems("torchrun (DCP resume on 1 rank)", run, native, EXPECTED) == []
    ours = torchrun_job["ranks"][0]["ddp"][LRPARITY]
    assert differences("resumed on 1 rank vs on 2", ours["resumed2"], ours["resumed1"]) == []
    assert "resumed1" not in torchrun_job["ranks"][1]["ddp"][LRPARITY]  # rank 1 sat that one out


def test_detects_an_off_by_one_scheduler(torchrun_job: dict[str, Any]) -> None:
    found = problems("torchrun", _ddp(torchrun_job, OFF_BY_ONE), _ddp(torchrun_job, NATIVE), EXPECTED)
    assert_detected(found, "vs the schedule: update 0", "vs the natives")


def test_detects_a_resume_that_restarts(torchrun_job: dict[str, Any]) -> None:
    for resumed in ("resumed2", "resumed1"):
        found = problems(
            "torchrun", _ddp(torchrun_job, FORGETS_STATE, resumed=resumed), _ddp(torchrun_job, NATIVE), EXPECTED
        )
        assert_detected(found, f"resumed after update {SAVE_AT}")
