"""Sweeps: every point equals a cold solve, reuse is exact, runs resume, executors agree."""

import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

import interop
from interop.analyses.grid import parse_values, with_values
from interop.analyses.sweep import sweep
from interop.cli import run
from tests.conftest import ROOT, TINY

EXAMPLE = TINY / "format-example.yaml"
COMPARED = ["status", "objective", "weighted_effect", "weighted_autonomy_loss", "link_cost", "effectiveness"]


def _cold(inst, values: dict[str, float]):
    """The point solved from scratch: the instance edited by hand, a new model, a new solver."""
    doc = inst.model_dump(mode="json", exclude_none=True, exclude={"scenarios"})
    for path, value in values.items():
        head, *middle, key = path.split(".")
        if head == "parameters" and middle == ["integration_bonus"]:
            doc["parameters"]["integration_bonus"][key] = value
        elif head == "parameters":
            doc["parameters"][key] = value
        else:
            entity = next(e for e in doc[head] if e["id"] == ".".join(middle))
            entity[key] = int(value) if isinstance(entity[key], int) else value
    return interop.solve(interop.instance.loading.parse_instance(doc))


def test_values_specs():
    assert parse_values("0,0.5,1") == [0.0, 0.5, 1.0]
    assert parse_values("0:1:0.1") == [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    assert parse_values("2") == [2.0]
    assert parse_values("1:2:0.3") == [1.0, 1.3, 1.6, 1.9]
    for bad in ("", "a,b", "1:0:0.1", "0:1:0", "0:1", "nan", "0:1e9:1e-3"):
        with pytest.raises(ValueError):
            parse_values(bad)


@pytest.mark.parametrize(
    "params",
    [
        {"parameters.autonomy_scale": "0:3:0.25"},
        {"nations.EST.autonomy_weight": "0:4:0.5"},
        {"parameters.link_cost_scale": "0,1,5,20"},
        {"tasks.defend-north.demand": "4,8,20,30"},
        {"parameters.integration_bonus.cyber": "0,0.5,2"},
        {"nodes-and-grid": None},
    ],
    ids=["lambda", "alpha", "mu", "demand", "bonus", "grid"],
)
def test_every_point_equals_a_cold_solve(params):
    inst = interop.load_instance(EXAMPLE)
    if "nodes-and-grid" in params:
        params = {"command_nodes.JFC.capacity": "1,3", "parameters.autonomy_scale": "0,0.7,1.4,2.1"}
    table = sweep(inst, params)
    expected_points = 1
    for spec in params.values():
        expected_points *= len(parse_values(spec))
    assert len(table) == expected_points
    for row in table.to_dict("records"):
        cold = _cold(inst, {p: row[p] for p in params})
        assert row["status"] == cold.status
        if cold.has_solution:
            assert row["objective"] == pytest.approx(cold.objective, abs=1e-6)


def test_points_without_a_solve_are_really_optimal():
    """Bisection skips points where the same solution is optimal at both ends; they match cold solves."""
    inst = interop.load_instance(EXAMPLE)
    table = sweep(inst, {"parameters.autonomy_scale": "0:6:0.25"})
    inferred = table[table["inferred"]]
    assert len(inferred) >= 10
    for row in inferred.to_dict("records"):
        cold = _cold(inst, {"parameters.autonomy_scale": row["parameters.autonomy_scale"]})
        assert row["status"] == "optimal" and row["objective"] == pytest.approx(cold.objective, abs=1e-9)
        assert row["weighted_autonomy_loss"] == pytest.approx(cold.metrics["weighted_autonomy_loss"])


def test_infeasible_lines_are_infeasible_throughout(tmp_path):
    inst = interop.load_instance(TINY / "hand-coverage.yaml", "unreachable")
    table = sweep(inst, {"parameters.autonomy_scale": "0:2:0.5"}, out=tmp_path)
    assert (table["status"] == "infeasible").all() and len(table) == 5
    assert len(list((tmp_path / "points").glob("*/solution.json"))) == 5


def test_bad_paths_and_values_are_refused_with_their_place():
    inst = interop.load_instance(EXAMPLE)
    cases = {
        "parameters.nope": "no numeric parameter",
        "nations.XXX.autonomy_weight": "no entry 'XXX'",
        "tasks.defend-north.domain": "not a numeric field",
        "parameters.integration_bonus.underwater": "not a domain",
        "platforms": "expected",
    }
    for path, text in cases.items():
        with pytest.raises(interop.InstanceError) as info:
            sweep(inst, {path: [1.0]})
        assert info.value.problems[0].place == f"--param {path}" and text in info.value.problems[0].message
    with pytest.raises(interop.InstanceError) as info:
        sweep(inst, {"tasks.defend-north.demand": [-1.0, 2.0]})
    assert "demand" in str(info.value.problems[0])
    with pytest.raises(interop.InstanceError):
        sweep(inst, {"parameters.autonomy_scale": [-1.0]})


def test_structural_edit_revalidates():
    inst = interop.load_instance(EXAMPLE)
    edited = with_values(inst, {"command_nodes.JFC.capacity": 2.0})
    assert next(c for c in edited.command_nodes if c.id == "JFC").capacity == 2
    assert with_values(inst, {}) is inst


def test_sweep_files_and_cli(tmp_path, capsys):
    out = tmp_path / "s"
    code = run(["sweep", str(EXAMPLE), "-p", "parameters.autonomy_scale", "--values", "0:2:0.5", "-o", str(out)])
    assert code == 0
    frame = pd.read_csv(out / "sweep.csv")
    assert list(frame["point"]) == [0, 1, 2, 3, 4]
    assert {"autonomy_loss.USA", "autonomy_loss.EST", "solve_time_s", "gap"} <= set(frame.columns)
    sol = json.loads((out / "points" / "p0002" / "solution.json").read_text())
    assert sol["format"] == "interop-solution/1" and sol["sweep"]["values"] == {"parameters.autonomy_scale": 1.0}
    assert sol["parameters"]["autonomy_scale"] == 1.0
    # the same command again: nothing to do, same table
    assert run(["sweep", str(EXAMPLE), "-p", "parameters.autonomy_scale", "--values", "0:2:0.5", "-o", str(out)]) == 0
    assert pd.read_csv(out / "sweep.csv").equals(frame)
    # another request in the same directory is refused
    code = run(["sweep", str(EXAMPLE), "-p", "parameters.autonomy_scale", "--values", "0,1", "-o", str(out)])
    assert code == 2 and "--force" in capsys.readouterr().err
    assert (
        run(["sweep", str(EXAMPLE), "-p", "parameters.autonomy_scale", "--values", "0,1", "-o", str(out), "--force"])
        == 0
    )
    assert len(pd.read_csv(out / "sweep.csv")) == 2
    assert len(list((out / "points").iterdir())) == 2


@pytest.mark.parametrize(
    "argv,text",
    [
        (["-p", "parameters.autonomy_scale"], "--values"),
        (["-p", "parameters.autonomy_scale", "--values", "x"], "bad values"),
        (["-p", "parameters.bogus", "--values", "1"], "--param parameters.bogus"),
        (["-p", "parameters.autonomy_scale", "--values", "1", "--executor", "mpi"], "--executor"),
        (["-p", "parameters.autonomy_scale", "--values", "1", "--scheduler", "tcp://x:1"], "--scheduler"),
    ],
)
def test_sweep_cli_usage_errors(argv, text, tmp_path, capsys):
    assert run(["sweep", str(EXAMPLE), *argv, "-o", str(tmp_path / "o")]) == 2
    captured = capsys.readouterr()
    assert text in captured.err + captured.out and "Traceback" not in captured.err


def test_frontier_cli(tmp_path, capsys):
    assert run(["frontier", str(EXAMPLE), "--points", "5", "-o", str(tmp_path / "f"), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "knee" in printed and "5 efficient points" in printed
    frame = pd.read_csv(tmp_path / "f" / "frontier.csv")
    assert frame["knee"].sum() == 1
    assert run(["frontier", str(TINY / "hand-coverage.yaml"), "-s", "unreachable", "-o", str(tmp_path / "g")]) == 1


def _unfinished_sweep(out, points: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "interop",
        "sweep",
        str(EXAMPLE),
        "-p",
        "command_nodes.JFC.capacity",
        "--values",
        "1,2,3",
        "-p",
        "tasks.defend-north.demand",
        "--values",
        points,
        "-o",
        str(out),
        "--no-progress",
    ]


def test_kill_9_midway_then_resume_gives_the_uninterrupted_rows(tmp_path):
    """A sweep killed by SIGKILL while writing points, started again, ends with exactly the full table."""
    spec = "10:34:1"  # 3 x 25 points, each a new model: a few seconds in all
    full = sweep(
        interop.load_instance(EXAMPLE), {"command_nodes.JFC.capacity": "1,2,3", "tasks.defend-north.demand": spec}
    )
    out = tmp_path / "cut"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(_unfinished_sweep(out, spec), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while time.time() < deadline and len(list((out / "points").glob("*/solution.json"))) < 10:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done_before = len(list((out / "points").glob("*/solution.json")))
    assert 10 <= done_before < 75, "the sweep was not killed midway"
    proc = subprocess.run(_unfinished_sweep(out, spec), env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    resumed = pd.read_csv(out / "sweep.csv")
    assert len(resumed) == 75 and list(resumed["point"]) == list(range(75))
    cols = ["command_nodes.JFC.capacity", "tasks.defend-north.demand", "point", *COMPARED]
    pd.testing.assert_frame_equal(resumed[cols], full[cols], check_dtype=False)
    assert not list(out.rglob(".*.tmp"))


def test_process_pool_and_dask_match_the_local_run(tmp_path):
    params = {"tasks.defend-north.demand": "20,28", "parameters.autonomy_scale": "0:2:0.25"}
    local = sweep(EXAMPLE, params)
    pooled = sweep(EXAMPLE, params, workers=2, out=tmp_path / "pool")
    dasked = sweep(EXAMPLE, params, workers=2, executor="dask", out=tmp_path / "dask")
    # HiGHS may pick another of several optimal solutions on another thread count, so
    # the optimum (status and objective) must agree, not necessarily the decisions
    same = ["point", "status", "objective"]
    for other in (pooled, dasked):
        pd.testing.assert_frame_equal(other[same], local[same], check_dtype=False)
    on_disk = pd.read_csv(tmp_path / "dask" / "sweep.csv")
    assert len(on_disk) == len(local) == 18
    assert len(list((tmp_path / "pool" / "points").glob("*/solution.json"))) == 18


def test_console_lines_name_the_scenario_and_each_objective(tmp_path, capsys):
    """Sweep and frontier lines say which scenario; Z (solve, sweep) and F (frontier) are told apart."""
    sweep_args = ["sweep", str(EXAMPLE), "-s", "wartime", "-p", "parameters.autonomy_scale", "--values", "0,1"]
    assert run([*sweep_args, "-o", str(tmp_path / "s"), "--no-progress"]) == 0
    assert "tiny-two-nations [wartime]: 2 points" in capsys.readouterr().out
    assert run(["frontier", str(EXAMPLE), "-s", "wartime", "-k", "3", "-o", str(tmp_path / "f"), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "tiny-two-nations [wartime]: " in printed and "F = weighted effect − μ · link cost" in printed
    front = pd.read_csv(tmp_path / "f" / "frontier.csv")
    expected = front["weighted_effect"] - front["link_cost"]  # μ = 1 in the example
    assert front["effect_objective"].tolist() == pytest.approx(expected.tolist())
    assert run(["solve", str(EXAMPLE), "-s", "wartime", "-o", str(tmp_path / "z")]) == 0
    z_line = "objective Z 82.845   (Z = weighted effect − λ · weighted autonomy loss − μ · link cost)"
    assert z_line in capsys.readouterr().out
