"""One rank of the torchrun job of the integration tests (not a test module: launched, never collected).

``torchrun --standalone --nproc_per_node 2 integration_tests/_torchrun_worker.py OUT`` (gloo, CPU). Every rank
runs, for each scheduler kind of :data:`integration_tests._helpers.KINDS`:

- ``ddp``: DDP training of a tiny model (each rank its own batches), UPDATES updates, saving
  ``{"model", "optim", "scheduler"}`` with ``torch.distributed.checkpoint`` after SAVE_AT updates (mid-warmup; the
  scheduler goes in as a ``Stateful``); then a fresh model/optimizer/scheduler on both ranks loads that
  checkpoint and trains to UPDATES (``resumed2``); then rank 0 alone, in a one-rank process group, does the same
  (``resumed1``: the job resumed on fewer ranks);
- ``accelerate``: ``accelerator.prepare(model, optimizer, loader, scheduler)`` on the 2 processes, where
  Accelerate steps the scheduler ``num_processes`` times per update; ``save_state`` after SAVE_AT updates, then
  ``load_state`` into fresh objects and training to the end (``resumed``); with
  ``DataLoaderConfiguration(split_batches=True)``, where it steps once per update (``split``); and a ``OneCycle``
  whose ``total_steps`` is ``len(loader)`` before ``prepare`` (Accelerate's examples), which the last update's
  ``num_processes`` steps overrun when the loader does not drop its last batch (``one_cycle``).

Each rank writes ``OUT/rank<r>.json``: the lr its optimizer used at every update, per scenario and kind.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist
import torch.distributed.checkpoint as dcp
from torch.distributed.checkpoint.state_dict import get_state_dict, set_state_dict
from torch.nn.parallel import DistributedDataParallel

from integration_tests._helpers import BASE_LR, KINDS, LRPARITY, NATIVE, record_torch_lrs, torch_factory

UPDATES = 10
SAVE_AT = 4  # updates before the checkpoint: mid-warmup (6 steps), in both scenarios
SAMPLES = 40  # accelerate: 10 updates of 2 samples per process on 2 processes


def _batches(rank: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    g = torch.Generator().manual_seed(100 + rank)
    return [(torch.randn(2, 2, generator=g), torch.randn(2, 1, generator=g)) for _ in range(UPDATES)]


def _dcp_state(model: Any, optimizer: Any, scheduler: Any) -> dict[str, Any]:
    model_state, optim_state = get_state_dict(model, optimizer)
    return {"model": model_state, "optim": optim_state, "scheduler": scheduler}


def ddp_train(kind: str, checkpoint: Path, *, resume: bool = False, group: Any = None) -> list[float]:
    """DDP training; saves (or, with ``resume``, loads) the DCP checkpoint after SAVE_AT updates."""
    torch.manual_seed(0)
    model = DistributedDataParallel(torch.nn.Linear(2, 1), process_group=group)
    optimizer = torch.optim.SGD(model.parameters(), lr=BASE_LR, momentum=0.9)
    scheduler = torch_factory(kind)(optimizer)
    start = 0
    if resume:
        state = _dcp_state(model, optimizer, scheduler)
        dcp.load(state, checkpoint_id=str(checkpoint), process_group=group)
        set_state_dict(model, optimizer, model_state_dict=state["model"], optim_state_dict=state["optim"])
        start = SAVE_AT
    used = record_torch_lrs(optimizer)
    for t, (x, y) in enumerate(_batches(dist.get_rank())):
        if t < start:
            continue
        loss = torch.nn.functional.mse_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        if not resume and t + 1 == SAVE_AT:
            dcp.save(_dcp_state(model, optimizer, scheduler), checkpoint_id=str(checkpoint), process_group=group)
    return used


def accelerate_train(
    kind: str, checkpoint: Path | None, *, resume: bool = False, split_batches: bool = False
) -> list[float]:
    """Accelerate on every process; ``save_state`` (or, with ``resume``, ``load_state``) after SAVE_AT updates."""
    from accelerate import Accelerator, DataLoaderConfiguration

    accelerator = Accelerator(cpu=True, dataloader_config=DataLoaderConfiguration(split_batches=split_batches))
    torch.manual_seed(0)
    model = torch.nn.Linear(2, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=BASE_LR)
    scheduler = torch_factory(kind)(optimizer)
    g = torch.Generator().manual_seed(0)
    data = torch.utils.data.TensorDataset(torch.randn(SAMPLES, 2, generator=g), torch.randn(SAMPLES, 1, generator=g))
    per_update = 2 * accelerator.num_processes if split_batches else 2  # the loader's batch: global or per process
    loader = torch.utils.data.DataLoader(data, batch_size=per_update)
    model, optimizer, loader, scheduler = accelerator.prepare(model, optimizer, loader, scheduler)
    used = record_torch_lrs(optimizer.optimizer)
    if resume:
        accelerator.load_state(str(checkpoint))
        loader = accelerator.skip_first_batches(loader, SAVE_AT)
    for t, (x, y) in enumerate(loader, start=SAVE_AT if resume else 0):
        loss = torch.nn.functional.mse_loss(model(x), y)
        accelerator.backward(loss)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
        if checkpoint is not None and not resume and t + 1 == SAVE_AT:
            accelerator.save_state(str(checkpoint))
    return used


def accelerate_one_cycle(kind: str) -> dict[str, Any]:
    """OneCycle over ``len(loader)`` steps (5: 10 samples, batches of 2) on 2 processes: each process gets 3 batches
    (the last one padded), so the third update's 2 steps overrun ``total_steps``. Accelerate steps a scheduler that
    has a ``total_steps`` attribute only while ``_step_count <= total_steps`` (its special case for torch's
    OneCycleLR). The lrs used and the error, if any."""
    from accelerate import Accelerator

    import lrparity

    accelerator = Accelerator(cpu=True)
    torch.manual_seed(0)
    model = torch.nn.Linear(2, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=BASE_LR)
    g = torch.Generator().manual_seed(0)
    data = torch.utils.data.TensorDataset(torch.randn(10, 2, generator=g), torch.randn(10, 1, generator=g))
    loader = torch.utils.data.DataLoader(data, batch_size=2)
    schedule = lrparity.OneCycle(max_lr=BASE_LR, total_steps=len(loader))
    scheduler = torch_factory(kind, schedule)(optimizer)
    model, optimizer, loader, scheduler = accelerator.prepare(model, optimizer, loader, scheduler)
    used = record_torch_lrs(optimizer.optimizer)
    error = None
    try:
        for x, y in loader:
            accelerator.backward(torch.nn.functional.mse_loss(model(x), y))
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
    return {"used": used, "error": error}


def main(out: Path) -> None:
    warnings.filterwarnings("ignore")
    dist.init_process_group("gloo")
    rank = dist.get_rank()
    result: dict[str, Any] = {"world_size": dist.get_world_size(), "ddp": {}, "accelerate": {}}
    solo = dist.new_group([0])  # every rank creates it; only rank 0 is in it
    for kind in KINDS:
        checkpoint = out / "dcp" / kind
        runs = {"used": ddp_train(kind, checkpoint)}
        dist.barrier()
        runs["resumed2"] = ddp_train(kind, checkpoint, resume=True)
        if rank == 0:
            runs["resumed1"] = ddp_train(kind, checkpoint, resume=True, group=solo)
        dist.barrier()
        result["ddp"][kind] = runs
    for kind in KINDS:
        checkpoint = out / "accelerate" / kind
        runs = {"used": accelerate_train(kind, checkpoint)}
        dist.barrier()
        runs["resumed"] = accelerate_train(kind, checkpoint, resume=True)
        result["accelerate"][kind] = runs
    for kind in (LRPARITY, NATIVE):
        result["accelerate"][f"split_batches:{kind}"] = {"used": accelerate_train(kind, None, split_batches=True)}
        result["accelerate"][f"one_cycle:{kind}"] = accelerate_one_cycle(kind)
    (out / f"rank{rank}.json").write_text(json.dumps(result), encoding="utf-8")
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
