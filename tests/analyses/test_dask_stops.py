"""Dask runs stopped: a Ctrl-C to the terminal is one line and exit 130, and ``kill -9`` leaves no worker.

A real Ctrl-C reaches every process of the terminal's foreground group, so the
sweep runs in a session of its own and the signal goes to that whole group:
the local cluster's workers must not answer it with tracebacks of their own
(heartbeats to a scheduler that is gone, interrupted imports).
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


def _dask_sweep(out: Path) -> subprocess.Popen:
    argv = [sys.executable, "-m", "interop", "sweep", str(EXAMPLE)]
    for path, spec in GRID.items():
        argv += ["-p", path, "--values", spec]
    argv += ["--executor", "dask", "--workers", "2", "--no-progress", "-o", str(out)]
    proc = subprocess.Popen(
        argv, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    # the resource tracker and the two workers, the run's folder open
    _wait_for(lambda: len(_children(proc.pid)) >= 3 and (out / "sweep.json").exists(), proc=proc)
    assert proc.poll() is None, "the sweep ended before the signal"
    return proc


def test_ctrl_c_to_the_process_group_stops_a_dask_sweep_with_one_line(tmp_path):
    out = tmp_path / "cut"
    proc = _dask_sweep(out)
    workers = _children(proc.pid)
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, (proc.returncode, stderr[-3000:])
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: interrupted by SIGINT"), stderr[-3000:]
    assert "finished and kept" in lines[0] and "resume" in lines[0]
    assert not _outliving(workers, 5.0), "a worker outlived the run"


def test_kill_9_of_a_dask_sweep_leaves_no_worker(tmp_path):
    proc = _dask_sweep(tmp_path / "k")
    workers = _children(proc.pid)
    proc.kill()
    proc.communicate(timeout=30)
    left = _outliving(workers, 10.0)  # Dask's workers watch a pipe from their parent
    for pid in left:  # do not leave them to the rest of the suite
        os.kill(pid, signal.SIGKILL)
    assert not left, "Dask workers outlived their parent"
