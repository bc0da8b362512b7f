"""The LP start (``interop.solver.start``) and ``solve(start=...)``.

The LP bound must bound the optimum and the start must be a plan of the model
(below the optimum, feasible by the evaluator once solved); a run that keeps
nothing better than the start reports the start, with the tighter bound.
"""

import importlib
import json
from dataclasses import replace

import numpy as np
import pytest

import interop
from interop.instance.generate import generate
from interop.instance.loading import parse_instance
from interop.model.compact import build_compact
from interop.model.data import model_data
from interop.solver.highs import RunResult, highs_for, run_highs
from interop.solver.start import Start, lp_start, with_start

solve_module = importlib.import_module("interop.solve")  # the module, not the function it exports
EXACT = {"mip_rel_gap": 1e-9, "mip_abs_gap": 1e-9, "threads": 1}
DOC = generate("S", seed=3, nations=3, platforms=14, tasks=6, nodes=6, theaters=2)


def test_lp_start_brackets_the_optimum():
    data = model_data(parse_instance(DOC))
    mm, _ = build_compact(data)
    optimum = run_highs(highs_for(mm, EXACT)).objective
    start = lp_start(mm, EXACT)
    assert start.bound >= optimum - 1e-6  # the LP relaxation bounds the MILP
    assert start.objective <= optimum + 1e-6  # the start is a plan, so no better than the optimum
    assert start.values is not None and np.allclose(start.values[mm.integer], np.round(start.values[mm.integer]))
    # and it is a plan of the model: every row and bound holds
    ax = mm.matrix @ start.values
    assert np.all(ax >= mm.row_lower - 1e-6) and np.all(ax <= mm.row_upper + 1e-6)
    assert np.all(start.values >= mm.col_lower - 1e-9) and np.all(start.values <= mm.col_upper + 1e-9)


def test_a_run_that_found_nothing_reports_the_start_and_the_lp_bound():
    plan = np.array([1.0, 0.0])
    nothing = RunResult("no_solution", None, None, None, 5.0, "Time limit reached", termination="time_limit")
    got = with_start(nothing, Start(plan, 10.0, 12.0, 1.0, 1.0))
    assert got.status == "feasible" and got.objective == 10.0 and got.bound == 12.0
    assert got.values is plan and got.termination == "time_limit"


def test_the_tighter_bound_and_the_better_plan_win():
    mine = RunResult("feasible", np.array([2.0]), 11.0, 13.0, 5.0, "", termination="time_limit")
    got = with_start(mine, Start(np.array([1.0]), 10.0, 12.5, 1.0, 1.0))
    assert got.objective == 11.0 and got.values[0] == 2.0 and got.bound == 12.5
    worse = RunResult("feasible", np.array([0.0]), 9.0, 12.9, 5.0, "", termination="time_limit")
    got = with_start(worse, Start(np.array([1.0]), 10.0, 13.5, 1.0, 1.0))
    assert got.objective == 10.0 and got.values[0] == 1.0 and got.bound == 12.9
    proven = RunResult("optimal", np.array([2.0]), 11.0, 11.0, 5.0, "", termination="optimal")
    assert with_start(proven, Start(np.array([1.0]), 10.0, 12.5, 1.0, 1.0)).bound == 11.0


def test_solve_with_the_lp_start_has_the_plain_optimum():
    inst = parse_instance(DOC)
    plain, lp = interop.solve(inst, start="none"), interop.solve(inst, start="lp")
    assert lp.status == plain.status == "optimal"
    assert lp.objective == pytest.approx(plain.objective, abs=1e-6)
    assert "start" not in plain.solver and lp.solver["start"]["form"] == "compact"
    assert lp.solver["start"]["lp_bound"] >= lp.objective - 1e-6


def test_auto_takes_the_lp_start_from_the_threshold(monkeypatch):
    inst = parse_instance(DOC)
    assert "start" not in interop.solve(inst).solver  # small: the model as it is
    monkeypatch.setattr(solve_module, "AUTO_MIN_TRIPLES", 1)
    assert interop.solve(inst).solver["start"]["form"] == "compact"
    assert "start" not in interop.solve(inst, epsilon=1e9).solver  # the epsilon form keeps the plain build


def test_an_unknown_start_is_refused():
    with pytest.raises(ValueError, match="start must be one of"):
        interop.solve(parse_instance(DOC), start="greedy")


def test_a_time_limit_too_short_for_the_lp_still_answers():
    """No LP within the limit: the run says so and still reports what HiGHS found (or nothing)."""
    data = model_data(parse_instance(DOC))
    mm, _ = build_compact(data)
    start = lp_start(replace(mm), {**EXACT, "time_limit": 0.0}, deadline=0.0)
    assert start.values is None and start.bound is None and "LP relaxation" in start.message


def test_cli_start_option(tmp_path, capsys):
    path = tmp_path / "inst.json"
    path.write_text(json.dumps(DOC))
    from interop.cli import run

    assert run(["solve", str(path), "--out", str(tmp_path / "o"), "--start", "lp"]) == 0
    written = json.loads((tmp_path / "o" / "solution.json").read_text())
    assert written["solver"]["start"]["form"] == "compact"
    assert run(["solve", str(path), "--out", str(tmp_path / "p"), "--start", "greedy"]) == 2
    assert "--start" in capsys.readouterr().err
