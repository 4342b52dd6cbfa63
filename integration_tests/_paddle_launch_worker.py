"""One rank of the ``paddle.distributed.launch`` job of the integration tests (launched, never collected).

``python -m paddle.distributed.launch --nproc_per_node 2 integration_tests/_paddle_launch_worker.py OUT`` (gloo on
CPU). The job of ``_torchrun_worker.py``'s ``ddp`` part, in paddle: ``paddle.DataParallel`` training of a tiny model
(each rank its own batches), UPDATES updates, every scheduler kind of :data:`integration_tests._helpers.KINDS`;
after SAVE_AT updates (mid-warmup) rank 0 saves the optimizer's ``state_dict()`` (its ``"LR_Scheduler"`` is the
scheduler's state) and the model's with ``paddle.save``, as PaddleNLP's Trainer does; fresh objects on both ranks
load them (``optimizer.set_state_dict``) and train to UPDATES (``resumed2``); rank 0 alone, as a one-card run
(the bare model: paddle's gloo backend cannot broadcast in a one-rank sub-group, which ``DataParallel`` needs),
does the same (``resumed1``).

paddle's distributed checkpoint, ``paddle.distributed.save_state_dict``, takes tensors only: the worker records
what it says when given the scheduler's state (``dcp_refusal``), so the test can pin that failure mode.

Each rank writes ``OUT/rank<r>.json``: the lr each update read (the scheduler's float64 value and the kernel's
float32 lr tensor), per kind.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import paddle
import paddle.distributed as dist

from integration_tests._helpers import KINDS, LRPARITY, paddle_factory, record_paddle_lrs

UPDATES = 10
SAVE_AT = 4  # mid-warmup (6 steps)


def _batches(rank: int) -> list[tuple[paddle.Tensor, paddle.Tensor]]:
    rng = np.random.default_rng(100 + rank)
    return [
        (
            paddle.to_tensor(rng.standard_normal((2, 2)).astype("float32")),
            paddle.to_tensor(rng.standard_normal((2, 1)).astype("float32")),
        )
        for _ in range(UPDATES)
    ]


def train(kind: str, checkpoint: Path, *, resume: bool = False, alone: bool = False) -> dict[str, list[float]]:
    """Train (``alone``: rank 0's one-card run, no DataParallel); save (``resume``: load) after SAVE_AT updates."""
    paddle.seed(0)
    net = paddle.nn.Linear(2, 1)
    model = net if alone else paddle.DataParallel(net)
    optimizer = paddle.optimizer.SGD(learning_rate=paddle_factory(kind)(), parameters=model.parameters())
    start = 0
    if resume:
        net.set_state_dict(paddle.load(str(checkpoint / "model.pdparams")))
        optimizer.set_state_dict(paddle.load(str(checkpoint / "optimizer.pdopt")))
        start = SAVE_AT
    lrs = record_paddle_lrs(optimizer)
    for t, (x, y) in enumerate(_batches(dist.get_rank())):
        if t < start:
            continue
        loss = paddle.nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        optimizer.clear_grad()
        optimizer._learning_rate.step()
        if not resume and t + 1 == SAVE_AT:
            if dist.get_rank() == 0:
                checkpoint.mkdir(parents=True, exist_ok=True)
                paddle.save(net.state_dict(), str(checkpoint / "model.pdparams"))
                paddle.save(optimizer.state_dict(), str(checkpoint / "optimizer.pdopt"))
            dist.barrier()
    return {"scheduled": lrs.scheduled, "kernel": lrs.kernel}


def dcp_refusal(out: Path) -> str | None:
    """What ``paddle.distributed.save_state_dict`` says when given a scheduler's state (None: it took it)."""
    scheduler = paddle_factory(LRPARITY)()
    try:
        dist.save_state_dict({"scheduler": scheduler.state_dict()}, str(out / "paddle-dcp"))
    except (AssertionError, TypeError, ValueError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def main(out: Path) -> None:
    warnings.filterwarnings("ignore")
    dist.init_parallel_env()
    rank = dist.get_rank()
    result: dict[str, Any] = {
        "world_size": dist.get_world_size(),
        "backend": paddle.distributed.get_backend(),
        "runs": {},
    }
    for kind in KINDS:
        checkpoint = out / "ckpt" / kind
        runs = {"used": train(kind, checkpoint)}
        runs["resumed2"] = train(kind, checkpoint, resume=True)
        if rank == 0:
            runs["resumed1"] = train(kind, checkpoint, resume=True, alone=True)
        dist.barrier()
        result["runs"][kind] = runs
    result["dcp_refusal"] = dcp_refusal(out)
    (out / f"rank{rank}.json").write_text(json.dumps(result), encoding="utf-8")
    dist.barrier()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
