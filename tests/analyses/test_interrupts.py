"""Signals during long runs: finished points kept, the one cut short not, a non-zero exit, an exact resume.

Each test starts ``python -m interop`` in a subprocess, waits (polling the
run's folder, no fixed sleeps) until some points are on disk, sends a signal,
then checks the exit code, the files, and that the same command completes
the run to what an uninterrupted run gives.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import interop
from interop.analyses.frontier import frontier
from interop.analyses.sweep import sweep
from tests.conftest import ROOT, TINY

EXAMPLE = TINY / "format-example.yaml"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
GRID = {"command_nodes.JFC.capacity": "1,2,3", "tasks.defend-north.demand": "10:24:1"}  # 45 points, each a model
COMPARED = ["point", "status", "objective", "effectiveness", "weighted_autonomy_loss"]


def _sweep_argv(out: Path, *extra: str) -> list[str]:
    argv = [sys.executable, "-m", "interop", "sweep", str(EXAMPLE)]
    for path, spec in GRID.items():
        argv += ["-p", path, "--values", spec]
    return argv + ["-o", str(out), "--no-progress", *extra]


def _points(out: Path) -> list[Path]:
    return sorted((out / "points").glob("*/solution.json"))


def _wait_for(predicate, timeout: float = 120.0, proc=None) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if proc is not None and proc.poll() is not None:
            return
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


def _children(pid: int) -> set[int]:
    """The pids whose parent is ``pid`` (Linux /proc)."""
    out = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.add(int(stat.parent.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _outliving(pids: set[int], patience: float) -> list[int]:
    """The processes of ``pids`` still alive after ``patience`` seconds (polled)."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
        time.sleep(0.1)
    return [pid for pid in pids if _alive(pid)]


@pytest.fixture(scope="module")
def full_sweep():
    return sweep(interop.load_instance(EXAMPLE), GRID)


@pytest.mark.parametrize(("sig", "workers"), [(signal.SIGINT, "1"), (signal.SIGTERM, "2")])
def test_a_signal_stops_a_sweep_keeps_its_finished_points_and_the_same_command_resumes(
    sig, workers, full_sweep, tmp_path
):
    out = tmp_path / "cut"
    proc = subprocess.Popen(
        _sweep_argv(out, "--workers", workers), env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    _wait_for(lambda: len(_points(out)) >= 5, proc=proc)
    workers_seen = _children(proc.pid)
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=60)  # promptly: not after the remaining points
    assert proc.returncode == 128 + sig, (proc.returncode, stderr[-2000:])
    assert "finished and kept" in stderr and "resume" in stderr, stderr
    kept = _points(out)
    assert 5 <= len(kept) < 45, "the sweep went on after the signal"
    for path in kept:  # only finished points: none cut short
        sol = json.loads(path.read_text())
        assert sol["solver"].get("termination") != "interrupted", path
        assert sol["status"] in ("optimal", "feasible", "infeasible") and "interrupted" not in sol.get("message", "")
    assert not _outliving(workers_seen, 5.0), "a worker outlived the run"
    assert len(_points(out)) == len(kept)  # and none wrote a point after the exit
    again = subprocess.run(_sweep_argv(out), env=ENV, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr[-2000:]
    resumed = pd.read_csv(out / "sweep.csv")
    cols = ["command_nodes.JFC.capacity", "tasks.defend-north.demand", *COMPARED]
    pd.testing.assert_frame_equal(resumed[cols], full_sweep[cols], check_dtype=False)


def test_kill_9_of_a_pooled_sweep_leaves_no_worker(tmp_path):
    """Workers notice their parent is gone and exit, even mid-solve on a slow point."""
    inst = interop.load_instance(ROOT / "instances" / "nato-efp.yaml")
    task = inst.tasks[0]
    values = f"{task.demand:g},{task.demand + 1:g}"  # two structural points: one slow solve per worker
    argv = [sys.executable, "-m", "interop", "sweep", str(ROOT / "instances" / "nato-efp.yaml")]
    argv += ["-p", f"tasks.{task.id}.demand", "--values", values, "--workers", "2", "--no-progress"]
    argv += ["-o", str(tmp_path / "k")]
    proc = subprocess.Popen(argv, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # the two workers and the resource tracker of the spawn context
    _wait_for(lambda: len(_children(proc.pid)) >= 3 and (tmp_path / "k" / "points").is_dir(), proc=proc)
    assert proc.poll() is None, "the sweep ended before it could be killed"
    children = _children(proc.pid)
    proc.kill()
    proc.wait()
    left = _outliving(children, 15.0)  # a worker checks its parent every 0.2 s; a solve here takes longer
    for pid in left:  # do not leave them to the rest of the suite
        os.kill(pid, signal.SIGKILL)
    assert not left, "workers outlived their parent"


def _frontier_argv(out: Path) -> list[str]:
    return [sys.executable, "-m", "interop", "frontier", str(EXAMPLE), "--points", "11", "-o", str(out)]


def test_an_interrupted_frontier_leaves_no_table_and_resumes_to_the_full_frontier(tmp_path):
    full = frontier(interop.load_instance(EXAMPLE), points=11)
    for attempt in range(5):  # the frontier takes about a second: signal it as its first point appears
        out = tmp_path / f"f{attempt}"
        proc = subprocess.Popen(
            [*_frontier_argv(out), "--no-progress"], env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        _wait_for(lambda out=out: len(_points(out)) >= 1, proc=proc)
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
        table = out / "frontier.csv"
        if proc.returncode == 0 and table.exists() and len(pd.read_csv(table)) == len(full):
            continue  # it finished before the signal came: try again
        break
    else:
        pytest.fail("the frontier always finished before the signal")
    assert proc.returncode == 130, stderr.decode()[-2000:]
    assert not table.exists(), "an interrupted frontier left a table that looks complete"
    for path in _points(out):
        assert json.loads(path.read_text())["solver"].get("termination") != "interrupted"
    again = subprocess.run([*_frontier_argv(out), "--no-progress"], env=ENV, capture_output=True, timeout=300)
    assert again.returncode == 0, again.stderr.decode()[-2000:]
    resumed = pd.read_csv(table)
    cols = ["weighted_autonomy_loss", "objective", "effectiveness", "knee"]
    pd.testing.assert_frame_equal(resumed[cols], full[cols], check_dtype=False)


def test_sighup_stops_a_resilience_run_which_then_resumes(tmp_path):
    from interop.analyses.resilience import resilience

    inst = ROOT / "instances" / "tiny" / "format-example.yaml"
    full = resilience(interop.load_instance(inst))
    argv = [sys.executable, "-m", "interop", "resilience", str(inst), "--no-progress"]
    for attempt in range(5):  # six quick cases: signal as the first appears
        out = tmp_path / f"r{attempt}"
        proc = subprocess.Popen([*argv, "-o", str(out)], env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _wait_for(lambda out=out: any((out / "cases").glob("*/solution.json")), proc=proc)
        proc.send_signal(signal.SIGHUP)
        _, stderr = proc.communicate(timeout=60)
        if proc.returncode != 0 or len(list((out / "cases").glob("*/solution.json"))) < len(full):
            break
    else:
        pytest.fail("the resilience run always finished before the signal")
    assert proc.returncode == 129, stderr.decode()[-2000:]
    assert "cases finished and kept" in stderr.decode()
    cases = sorted((out / "cases").glob("*/solution.json"))
    assert len(cases) < len(full)
    for path in cases:
        assert json.loads(path.read_text())["solver"].get("termination") != "interrupted"
    again = subprocess.run([*argv, "-o", str(out)], env=ENV, capture_output=True, timeout=300)
    assert again.returncode == 0, again.stderr.decode()[-2000:]
    resumed = pd.read_csv(out / "resilience.csv")
    cols = ["case", "status", "objective", "kept_objective"]
    pd.testing.assert_frame_equal(resumed[cols], full[cols], check_dtype=False)


def test_the_point_solved_when_the_stop_came_is_not_written_and_no_other_starts(tmp_path, monkeypatch):
    """In-process and deterministic: the stop comes while the third point is being solved."""
    from interop.analyses import parametric
    from interop.solver import stop

    params = {"parameters.autonomy_scale": "0:2:0.25"}
    reference = sweep(EXAMPLE, params)
    real, calls = parametric.ParametricModel.solve, []

    def solve(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            stop.request(signal.SIGTERM)  # what the first signal does, mid-point
        return real(self, *args, **kwargs)

    monkeypatch.setattr(parametric.ParametricModel, "solve", solve)
    out = tmp_path / "s"
    try:
        with pytest.raises(stop.Interrupted) as info:
            sweep(EXAMPLE, params, out=out)
    finally:
        stop.fresh()
    assert info.value.kept == 2 and info.value.total == 9 and info.value.code == 143
    assert len(calls) == 3 and len(_points(out)) == 2
    assert len(pd.read_csv(out / "sweep.csv")) == 2  # the table lists what is kept
    resumed = sweep(EXAMPLE, params, out=out)
    pd.testing.assert_frame_equal(resumed[COMPARED], reference[COMPARED], check_dtype=False)


def test_a_point_saved_as_interrupted_by_an_older_version_is_solved_again(tmp_path):
    params = {"parameters.autonomy_scale": "0,1"}
    out = tmp_path / "s"
    sweep(EXAMPLE, params, out=out)
    path = out / "points" / "p0000" / "solution.json"
    doc = json.loads(path.read_text())
    doc["status"], doc["message"], doc["objective"] = "feasible", "interrupted (Ctrl-C)", -1.0
    doc["solver"]["termination"] = "interrupted"
    path.write_text(json.dumps(doc))
    frame = sweep(EXAMPLE, params, out=out)
    again = json.loads(path.read_text())
    assert again["solver"]["termination"] == "optimal" and frame["objective"][0] != -1.0
