"""Limits and interrupts on a model large enough to log a lot: nothing hangs, nothing is lost.

A generated M-size instance (about 40,000 admissible assignments) is solved
in a subprocess with the HiGHS log on: once with a time limit, once stopped by
SIGINT (Ctrl-C). Both must end promptly with a valid ``feasible`` solution
file whose figures are recomputed from its assignments.
"""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import yaml

import interop
from interop.cli import run
from interop.instance.generate import generate
from interop.solution.evaluate import Assignment, evaluate
from tests.conftest import ROOT, TINY

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    path = tmp_path_factory.mktemp("big") / "m3.yaml"
    path.write_text(yaml.safe_dump(generate("M", seed=3), sort_keys=False))
    return path


def _check_feasible_file(path, instance_path):
    sol = json.loads(path.read_text())
    assert sol["status"] == "feasible", sol.get("message")
    assert sol["gap"] is not None and sol["gap"] > 0 and sol["bound"] >= sol["objective"]
    inst = interop.load_instance(instance_path)
    plan = [Assignment(**a) for a in sol["assignments"]]
    ev = evaluate(inst, plan, sol["links"], sol["integrated_nodes"])
    assert ev.feasible, ev.violations[:3]
    assert ev.objective == pytest.approx(sol["objective"], rel=1e-9, abs=1e-6)
    return sol


def test_time_limit_is_honoured_with_the_log_on(big, tmp_path):
    out = tmp_path / "limit"
    began = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "interop", "solve", str(big), "--time-limit", "20", "-o", str(out), "--verbose"],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=240,
    )
    elapsed = time.monotonic() - began
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert len(proc.stdout) > 2000  # HiGHS really logged
    sol = _check_feasible_file(out / "solution.json", big)
    assert sol["solver"]["time_s"] < 20 + 10  # HiGHS (or interop, 2 s past it) stops close to the limit
    assert elapsed < 120


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_the_solve_and_keeps_the_best_solution(big, tmp_path, sig):
    """Ctrl-C or SIGTERM: the best solution is written (feasible, interrupted), exit 128 + the signal."""
    out = tmp_path / "stopped"
    log = (tmp_path / "log.txt").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "interop", "solve", str(big), "-o", str(out), "--verbose"],
        env=ENV,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    text = ""
    while time.monotonic() < deadline:  # wait until HiGHS has an incumbent (a line with a finite primal bound)
        time.sleep(0.5)
        text = (tmp_path / "log.txt").read_text()
        if _has_incumbent(text):
            break
    time.sleep(1.0)
    proc.send_signal(sig)
    code = proc.wait(timeout=60)
    log.close()
    assert code == 128 + sig, (tmp_path / "log.txt").read_text()[-2000:]  # stopped, best solution kept
    sol = _check_feasible_file(out / "solution.json", big)
    assert sol["message"] == f"interrupted ({signal.Signals(sig).name})"
    assert sol["solver"]["termination"] == "interrupted"


def _has_incumbent(log: str) -> bool:
    """A HiGHS B&B line reports a primal bound other than inf once a solution is known."""
    for line in log.splitlines():  # "Src Proc InQueue Leaves Expl BestBound BestSol ...", not the legend's "S => …"
        parts = line.split()
        found = len(parts) > 8 and parts[0] in set("HLTSBCPFJRZUXzp")
        if found and parts[1].isdigit() and parts[6] not in ("inf", "-inf"):
            return True
    return "Solution limit" in log


def test_a_solver_error_is_a_status_with_its_message(tmp_path):
    profile = tmp_path / "broken.opt"
    profile.write_text("no_such_highs_option = 3\n")
    code = run(["solve", str(TINY / "format-example.yaml"), "--solver", str(profile), "-o", str(tmp_path / "e")])
    assert code == 1
    sol = json.loads((tmp_path / "e" / "solution.json").read_text())
    assert sol["status"] == "error" and "no_such_highs_option" in sol["message"]


def test_result_files_are_replaced_atomically(tmp_path, monkeypatch):
    """A write that fails half-way leaves the previous file whole and no temporary file."""
    from interop.solution import files as results

    target = tmp_path / "solution.json"
    results.atomic_write(target, "old\n")

    def failing_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(results.os, "replace", failing_replace)
    with pytest.raises(OSError):
        results.atomic_write(target, "new\n")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["solution.json"]


def test_a_run_cancelled_on_its_time_limit_says_time_limit_not_interrupted():
    """interop cancels a run HiGHS keeps past its limit; HiGHS then says "Interrupted by user"."""
    import highspy

    from interop.solver.highs import stop_reason

    MS = highspy.HighsModelStatus
    termination, message = stop_reason(MS.kInterrupt, "Interrupted by user", interrupted=False, cancelled=True)
    assert termination == "time_limit" and "Time limit" in message and "Interrupted" not in message
    assert stop_reason(MS.kTimeLimit, "Time limit reached", False, False) == ("time_limit", "Time limit reached")
    termination, message = stop_reason(MS.kInterrupt, "Interrupted by user", interrupted=True, cancelled=False)
    assert termination == "interrupted" and message.startswith("interrupted")


def test_solve_cancelled_on_its_time_limit_writes_time_limit(big, tmp_path, monkeypatch):
    from interop.solver import highs

    monkeypatch.setattr(highs, "GRACE_S", -1e6)  # as if HiGHS had run past its limit: interop cancels it at once
    monkeypatch.setattr(highs, "ABANDON_S", 1e6, raising=False)  # and waits for it: none may be left behind
    code = run(["solve", str(big), "--time-limit", "600", "-o", str(tmp_path / "t")])
    sol = json.loads((tmp_path / "t" / "solution.json").read_text())
    assert code == (0 if sol["status"] == "feasible" else 1)
    assert sol["solver"]["termination"] == "time_limit"
    assert "Time limit" in sol["message"] and "Interrupted" not in sol["message"]


def test_the_time_limit_counts_the_time_spent_before_the_solve():
    """A deadline already passed (the file took the whole limit to read) leaves HiGHS no time."""
    sol = interop.solve(TINY / "format-example.yaml", time_limit=600, deadline=time.monotonic() - 1)
    assert sol.solver["termination"] == "time_limit" and sol.status in ("feasible", "no_solution")
    assert sol.solver["options"]["time_limit"] == 600  # the record keeps the limit asked for
