"""Fixtures of the trainer integration tests: each multi-process job is launched once per test session.

``torchrun_job`` (DDP + ``torch.distributed.checkpoint``, and Accelerate on 2 processes) and
``paddle_launch_job`` (``python -m paddle.distributed.launch``) run their worker script once and give every rank's
result. Under pytest-xdist the workers share the result through a file in the session's temporary directory,
written under a file lock, so that a job is launched once whichever workers need it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from integration_tests._helpers import REPO, launch

JOB_TIMEOUT = 300.0  # seconds, per launch


def _session_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory of this session that every xdist worker sees (the workers' base temps share their parent)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def run_job(tmp_path_factory: pytest.TempPathFactory, name: str, command: list[str], ranks: int) -> dict[str, Any]:
    """Launch ``command`` (``{out}`` in it is replaced by the job's output directory) once per session and return
    ``{"ranks": [rank 0's JSON, ...], "output": launcher's output, "returncode": ...}``; the worker script writes
    ``<out>/rank<r>.json``. A failed launch is reported (output included) by every test that needs it."""
    from filelock import FileLock

    root = _session_dir(tmp_path_factory)
    summary = root / f"{name}.json"
    with FileLock(str(root / f"{name}.lock")):
        if not summary.exists():
            out = root / name
            out.mkdir(exist_ok=True)
            proc = launch([part.replace("{out}", str(out)) for part in command], cwd=REPO, timeout=JOB_TIMEOUT)
            ranks_out = []
            for r in range(ranks):
                f = out / f"rank{r}.json"
                ranks_out.append(json.loads(f.read_text(encoding="utf-8")) if f.is_file() else None)
            output = proc.stdout + proc.stderr
            for log in sorted(out.glob("log/workerlog.*")):  # paddle.distributed.launch writes the ranks' output here
                output += f"\n== {log.name}\n" + log.read_text(encoding="utf-8", errors="replace")
            summary.write_text(
                json.dumps({"ranks": ranks_out, "output": output, "returncode": proc.returncode}), encoding="utf-8"
            )
    job = json.loads(summary.read_text(encoding="utf-8"))
    if job["returncode"] != 0 or None in job["ranks"]:
        pytest.fail(f"{name} failed (exit status {job['returncode']}):\n{job['output'][-6000:]}", pytrace=False)
    return job


@pytest.fixture(scope="session")
def torchrun_job(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """``torchrun --standalone --nproc_per_node 2 integration_tests/_torchrun_worker.py`` (gloo, CPU)."""
    pytest.importorskip("torch")
    command = ["-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2"]
    return run_job(tmp_path_factory, "torchrun", [*command, "integration_tests/_torchrun_worker.py", "{out}"], 2)


@pytest.fixture(scope="session")
def paddle_launch_job(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """``python -m paddle.distributed.launch --nproc_per_node 2 integration_tests/_paddle_launch_worker.py`` (gloo on
    CPU); the ranks' output is in ``<out>/log/workerlog.<r>``."""
    pytest.importorskip("paddle")
    command = ["-m", "paddle.distributed.launch", "--nproc_per_node", "2", "--max_restart", "0"]
    command += ["--log_dir", "{out}/log", "integration_tests/_paddle_launch_worker.py", "{out}"]
    return run_job(tmp_path_factory, "paddle-launch", command, 2)
