"""The CLI in-process: commands, exit codes, output files, the analysis API."""

import json

import pandas as pd
import pyomo.environ as pyo
import pytest

import interop
from interop.cli import run
from tests.conftest import TINY

EXAMPLE = str(TINY / "format-example.yaml")


def test_validate_ok_and_lists_scenarios(capsys):
    assert run(["validate", EXAMPLE]) == 0
    assert "valid (scenarios: wartime)" in capsys.readouterr().out


def test_validate_bad_file_exit_2_names_the_place(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(open(EXAMPLE).read().replace("nation: USA, count: 1, value: 5", "nation: FRA, count: 1, value: 5"))
    assert run(["validate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "platforms[2].nation: unknown nation 'FRA'" in err
    assert "Traceback" not in err


def test_info_shows_sizes_per_scenario(capsys):
    """The sizes of format-example.yaml, counted by hand from the file (the wartime
    scenario adds a task and removes a link; 9 and 15 admissible assignments)."""
    assert run(["info", EXAMPLE]) == 0
    out = capsys.readouterr().out
    rows = {}
    for line in out.splitlines():
        cells = [c.strip() for c in line.strip().strip("│").split("│")]
        if len(cells) == 10:
            rows[cells[0]] = cells[1:]
    assert rows["(base)"] == ["2", "4", "6", "3", "3", "2", "2", "9", "1 (0)"]
    assert rows["wartime"] == ["2", "4", "6", "4", "3", "1", "1", "15", "1 (0)"]
    assert "JFC" in out and "USA, EST" in out and "(none)" in out


def test_solve_summary_and_default_directory(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert run(["solve", EXAMPLE, "--scenario", "wartime"]) == 0
    out = capsys.readouterr().out
    assert "effectiveness 84.0%" in out and "autonomy loss by nation" in out and "solve time" in out
    doc = json.loads((tmp_path / "runs" / "tiny-two-nations" / "wartime" / "solution.json").read_text())
    assert not (tmp_path / "results").exists()  # the committed reference results are never the default
    assert doc["scenario"] == "wartime" and doc["objective"] == pytest.approx(82.845)


def test_solve_refuses_to_overwrite_without_force(tmp_path, capsys):
    assert run(["solve", EXAMPLE, "--out", str(tmp_path)]) == 0
    assert run(["solve", EXAMPLE, "--out", str(tmp_path)]) == 2
    assert "--force" in capsys.readouterr().err
    assert run(["solve", EXAMPLE, "--out", str(tmp_path), "--force"]) == 0


@pytest.mark.parametrize(
    "args",
    [
        ["solve", EXAMPLE, "--solver", "no-such-profile"],
        ["solve", EXAMPLE, "--scenario", "no-such-scenario"],
        ["solve", EXAMPLE, "--time-limit", "-1"],
        ["solve"],
        ["no-such-command"],
        ["solve", "/no/such/file.yaml"],
    ],
)
def test_usage_and_input_errors_exit_2(args, tmp_path, capsys):
    assert run(args + ["--out", str(tmp_path)] if args[0] == "solve" and len(args) > 1 else args) == 2
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize(
    "command", [["sweep", EXAMPLE, "-p", "parameters.autonomy_scale", "--values", "0,1"], ["resilience", EXAMPLE]]
)
@pytest.mark.parametrize(
    ("extra", "said"),
    [(["--executor", "threads"], "is not local or dask"), (["--scheduler", "tcp://x:1"], "needs --executor dask")],
)
def test_bad_executor_options_exit_2_before_any_solve(command, extra, said, tmp_path, capsys):
    assert run([*command, *extra, "--out", str(tmp_path / "run")]) == 2
    assert said in capsys.readouterr().err
    assert not (tmp_path / "run").exists()


def test_fast_profile_and_overrides_are_recorded(tmp_path):
    assert (
        run(["solve", EXAMPLE, "--solver", "fast", "--gap", "0.05", "--time-limit", "30", "--out", str(tmp_path)]) == 0
    )
    solver = json.loads((tmp_path / "solution.json").read_text())["solver"]
    assert solver["profile"] == "fast"
    assert solver["options"]["mip_rel_gap"] == 0.05 and solver["options"]["time_limit"] == 30.0


def test_api_tables_are_dataframes():
    sol = interop.solve(EXAMPLE)
    for table in (sol.assignments, sol.tasks, sol.nations):
        assert isinstance(table, pd.DataFrame)
    assert set(sol.assignments.columns) >= {"platform", "task", "command", "units", "integrated_units"}
    assert sol.tasks.set_index("task").loc["air-policing", "coverage"] == pytest.approx(1.0)


def test_api_analyst_adds_a_constraint():
    """An analyst caps the multinational JFC at one unit: the optimum can only fall."""
    inst = interop.load_instance(EXAMPLE, "wartime")
    free = interop.solve(inst)
    assert free.assignments.query("command == 'JFC'").units.sum() == 3
    m = interop.build_model(inst)
    m.jfc_cap = pyo.Constraint(expr=sum(m.a[x] for x in m.A if x[2] == "JFC") <= 1)
    capped = interop.solve(m)
    assert capped.status == "optimal"
    assert capped.assignments.query("command == 'JFC'").units.sum() <= 1
    assert capped.objective < free.objective - 1e-6


def test_api_changes_a_mutable_parameter():
    """λ is a mutable parameter: changing it re-prices autonomy without a rebuild."""
    inst = interop.load_instance(EXAMPLE)
    m = interop.build_model(inst)
    m.lam = 0.0
    sol = interop.solve(m)
    assert sol.parameters["autonomy_scale"] == 0.0
    assert sol.objective == pytest.approx(sol.metrics["weighted_effect"] - sol.metrics["link_cost"])


def test_epsilon_form_bounds_the_autonomy_loss():
    inst = interop.load_instance(EXAMPLE, "wartime")
    m = interop.build_model(inst, epsilon=1.0)
    sol = interop.solve(m)
    assert sol.status == "optimal"
    assert sol.metrics["weighted_autonomy_loss"] <= 1.0 + 1e-9
    assert sol.objective == pytest.approx(sol.metrics["weighted_effect"] - sol.metrics["link_cost"])
