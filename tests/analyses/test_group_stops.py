"""Parallel runs stopped from the terminal: one line and exit 128 + N; ``kill -9`` leaves no Dask worker.

A real Ctrl-C (or a hangup) reaches every process of the terminal's foreground
group, so the sweep runs in a session of its own and the signal goes to that
whole group: the workers (a local pool's, a local Dask cluster's) must not
answer it with tracebacks of their own (heartbeats to a scheduler that is
gone, interrupted imports, a resource tracker killed).
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.analyses.test_interrupts import ENV, EXAMPLE, _children, _outliving, _wait_for

pytest.importorskip("distributed")

GRID = {"command_nodes.JFC.capacity": "1,2,3", "tasks.defend-north.demand": "10:24:0.02"}  # 2103 points


def _parallel_sweep(out: Path, executor: str = "dask") -> subprocess.Popen:
    argv = [sys.executable, "-m", "interop", "sweep", str(EXAMPLE)]
    for path, spec in GRID.items():
        argv += ["-p", path, "--values", spec]
    argv += ["--executor", executor, "--workers", "2", "--no-progress", "-o", str(out)]
    proc = subprocess.Popen(
        argv, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    # the resource tracker and the two workers, the run's folder open
    _wait_for(lambda: len(_children(proc.pid)) >= 3 and (out / "sweep.json").exists(), proc=proc)
    assert proc.poll() is None, "the sweep ended before the signal"
    return proc


@pytest.mark.parametrize(
    ("executor", "sig"), [("dask", signal.SIGINT), ("dask", signal.SIGHUP), ("local", signal.SIGINT)]
)
def test_a_signal_to_the_process_group_stops_a_parallel_sweep_with_one_line(executor, sig, tmp_path):
    out = tmp_path / "cut"
    proc = _parallel_sweep(out, executor)
    workers = _children(proc.pid)
    os.killpg(proc.pid, sig)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 128 + sig, (proc.returncode, stderr[-3000:])
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"error: interrupted by {sig.name}"), stderr[-3000:]
    assert "finished and kept" in lines[0] and "resume" in lines[0]
    assert not _outliving(workers, 5.0), "a worker outlived the run"


def test_kill_9_of_a_dask_sweep_leaves_no_worker(tmp_path):
    proc = _parallel_sweep(tmp_path / "k")
    workers = _children(proc.pid)
    proc.kill()
    proc.communicate(timeout=30)
    left = _outliving(workers, 10.0)  # Dask's workers watch a pipe from their parent
    for pid in left:  # do not leave them to the rest of the suite
        os.kill(pid, signal.SIGKILL)
    assert not left, "Dask workers outlived their parent"
