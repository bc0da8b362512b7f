"""Figures: frontier, sweep and network plots written as valid PNG + SVG, and `interop plot`."""

import json
import math

import pandas as pd
import pytest

from interop.cli import run
from interop.instance.loading import load_instance
from interop.report.network import plot_network
from interop.report.plots import output_paths, plot_frontier, plot_sweep, sweep_params
from tests.conftest import ROOT

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
NATO_SOLUTION = ROOT / "results" / "nato-efp" / "base" / "solution.json"
NATO_INSTANCE = ROOT / "instances" / "nato-efp.yaml"


def frontier_table() -> pd.DataFrame:
    """Four solved points and one infeasible one, knee at point 2 (as frontier.csv)."""
    losses = [0.0, 2.0, 5.0, 12.0, 20.0]
    objective = [100.0, 140.0, 165.0, 170.0, math.nan]
    rows = []
    for i, (loss, obj) in enumerate(zip(losses, objective)):
        prev = rows[-1] if rows else None
        poa = (obj - prev["objective"]) / (loss - prev["weighted_autonomy_loss"]) if prev else math.nan
        rows.append(
            {
                "point": i,
                "epsilon": loss,
                "status": "optimal" if i < 4 else "infeasible",
                "gap": 0.0,
                "weighted_effect": obj + 3.0,
                "link_cost": 3.0,
                "weighted_autonomy_loss": loss,
                "effectiveness": 0.5 + 0.1 * i,
                "objective": obj,
                "price_of_autonomy": poa,
                "knee": i == 2,
                "autonomy_loss.USA": loss / 2,
                "autonomy_loss.EST": loss / 4,
            }
        )
    return pd.DataFrame(rows)


def sweep_table(grid: bool = False) -> pd.DataFrame:
    """A sweep of autonomy_scale (times KOR's weight if ``grid``), one unsolved point."""
    rows = []
    weights = [0.5, 2.0] if grid else [None]
    for w in weights:
        for i, lam in enumerate([0.0, 0.5, 1.0, 2.0]):
            row = {"parameters.autonomy_scale": lam}
            if w is not None:
                row["nations.KOR.autonomy_weight"] = w
            row |= {
                "point": len(rows),
                "status": "infeasible" if i == 3 and w == 2.0 else "optimal",
                "objective": 50.0 - 5 * lam,
                "bound": 50.0 - 5 * lam,
                "gap": 0.0,
                "effectiveness": 0.9 - 0.1 * lam,
                "weighted_effect": 55.0,
                "weighted_autonomy_loss": 4.0 - lam,
                "link_cost": 2.0,
                "solve_time_s": 0.01,
                "autonomy_loss.USA": 2.0 - lam / 2,
                "autonomy_loss.KOR": 1.0 - lam / (w or 1.0) / 4,
                "autonomy_loss.JPN": 0.0,
            }
            rows.append(row)
    return pd.DataFrame(rows)


def assert_figures(paths, *texts: str) -> None:
    """PNG and SVG written, non-trivial, PNG valid, SVG carrying ``texts`` as text."""
    png, svg = paths
    assert png.suffix == ".png" and svg.suffix == ".svg"
    data = png.read_bytes()
    assert data.startswith(PNG_SIGNATURE) and len(data) > 10_000
    content = svg.read_text(encoding="utf-8")
    assert content.lstrip().startswith("<?xml") and "<svg" in content and len(content) > 5_000
    for text in texts:
        assert text in content, text
    assert not list(png.parent.glob(".*.tmp")), "temporary files left behind"


def test_output_paths_drop_an_image_suffix(tmp_path):
    assert output_paths(tmp_path / "f.png") == [tmp_path / "f.png", tmp_path / "f.svg"]
    assert output_paths(tmp_path / "run.v2") == [tmp_path / "run.v2.png", tmp_path / "run.v2.svg"]


def test_frontier_marks_knee_and_prices(tmp_path):
    paths = plot_frontier(frontier_table(), tmp_path / "frontier")
    assert paths == [tmp_path / "frontier.png", tmp_path / "frontier.svg"]
    # knee at loss 5, objective 165; price of autonomy (165-140)/3 between points 1 and 2
    assert_figures(paths, "knee: W 5, F 165", "PoA 20", "PoA 8.33", "weighted autonomy loss")


def test_frontier_effectiveness_axis_and_unsolved_rows_skipped(tmp_path):
    table = frontier_table()
    table.loc[4, ["weighted_autonomy_loss", "effectiveness"]] = [999.0, 0.1]  # infeasible: must not be drawn
    paths = plot_frontier(table, tmp_path / "eff", y="effectiveness")
    assert_figures(paths, "knee: W 5, effectiveness 70.0%")
    svg = paths[1].read_text()
    assert ">12</text>" in svg and ">200</text>" not in svg  # x ticks stop near 12, not at 999


def test_frontier_without_solved_points_is_an_error(tmp_path):
    table = frontier_table().assign(status="infeasible")
    with pytest.raises(ValueError, match="no optimal or feasible point"):
        plot_frontier(table, tmp_path / "f")
    with pytest.raises(ValueError, match="missing column"):
        plot_frontier(table.drop(columns="weighted_autonomy_loss"), tmp_path / "f")


def test_sweep_params_are_columns_before_point():
    assert sweep_params(sweep_table()) == ["parameters.autonomy_scale"]
    assert sweep_params(sweep_table(grid=True)) == ["parameters.autonomy_scale", "nations.KOR.autonomy_weight"]
    with pytest.raises(ValueError, match="point"):
        sweep_params(sweep_table().drop(columns="point"))


def test_sweep_one_parameter(tmp_path):
    table = sweep_table()
    paths = plot_sweep(table, sweep_params(table), tmp_path / "sweep")
    # JPN never loses autonomy: omitted from the legend, and said so
    assert_figures(paths, "autonomy weight λ", "USA", "KOR", "1 with no loss omitted")
    assert ">JPN<" not in paths[1].read_text()


def test_sweep_grid_one_line_per_second_value_and_x_choice(tmp_path):
    table = sweep_table(grid=True)
    params = sweep_params(table)
    assert_figures(plot_sweep(table, params, tmp_path / "grid"), "autonomy weight α = 0.5", "autonomy weight α = 2.0")
    paths = plot_sweep(table, params, tmp_path / "by-weight", x="nations.KOR.autonomy_weight")
    assert_figures(paths, "against KOR", "autonomy weight λ = 1.0")
    with pytest.raises(ValueError, match="not a swept parameter"):
        plot_sweep(table, params, tmp_path / "bad", x="objective")


def test_network_of_a_real_solution(tmp_path):
    solution = json.loads(NATO_SOLUTION.read_text())
    instance = load_instance(NATO_INSTANCE, solution["scenario"])
    paths = plot_network(solution, instance, tmp_path / "network")
    units = sum(a["units"] for a in solution["assignments"] if a["command"] == "BG-Estonia")
    assert_figures(paths, "SHAPE", "BG-Estonia", f"{units} units", "activated link", "root", "multinational")
    assert all(node.id in paths[1].read_text() for node in instance.command_nodes)


def test_network_rejects_a_solution_of_another_instance(tmp_path):
    solution = json.loads(NATO_SOLUTION.read_text()) | {"links": ["no-such-link"]}
    with pytest.raises(ValueError, match="no-such-link not in instance nato-efp"):
        plot_network(solution, load_instance(NATO_INSTANCE), tmp_path / "n")


def test_cli_plots_beside_inputs(tmp_path, capsys):
    frontier_table().to_csv(tmp_path / "frontier.csv", index=False)
    sweep_table(grid=True).to_csv(tmp_path / "sweep.csv", index=False)
    assert run(["plot", "frontier", str(tmp_path)]) == 0
    assert_figures(output_paths(tmp_path / "frontier"), "knee: W 5")
    assert run(["plot", "frontier", str(tmp_path), "--y", "effectiveness", "--out", str(tmp_path / "eff")]) == 0
    assert (tmp_path / "eff.svg").exists()
    assert run(["plot", "sweep", str(tmp_path), "--x", "nations.KOR.autonomy_weight"]) == 0
    assert_figures(output_paths(tmp_path / "sweep"), "autonomy weight α")
    out_base = tmp_path / "net" / "nato"
    assert run(["plot", "network", str(NATO_SOLUTION), "--instance", str(NATO_INSTANCE), "--out", str(out_base)]) == 0
    assert_figures(output_paths(out_base), "BG-Latvia")
    assert "written:" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["plot", "frontier", "{tmp}/missing"], "no such file or directory"),
        (["plot", "frontier", "{tmp}"], "frontier.csv: no such file"),
        (["plot", "sweep", "{tmp}/bad"], "cannot read CSV"),
        (["plot", "sweep", "{tmp}/nopoint"], "no 'point' column"),
        (["plot", "network", "{tmp}/missing.json", "--instance", str(NATO_INSTANCE)], "no such file"),
        (["plot", "network", str(NATO_SOLUTION), "--instance", "{tmp}/none.yaml"], "cannot read file"),
        (["plot", "network", "{tmp}/other.json", "--instance", str(NATO_INSTANCE)], "not in instance nato-efp"),
        (["plot", "network", "{tmp}/bad", "--instance", str(NATO_INSTANCE)], "solution.json: no such file"),
    ],
)
def test_cli_bad_input_exit_2_one_line(tmp_path, capsys, argv, message):
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "sweep.csv").write_bytes(b"\xff\xfe\x00garbage")
    (tmp_path / "nopoint").mkdir()
    (tmp_path / "nopoint" / "sweep.csv").write_text("a,status\n1,optimal\n")
    other = json.loads(NATO_SOLUTION.read_text()) | {"integrated_nodes": ["Elsewhere-HQ"]}
    (tmp_path / "other.json").write_text(json.dumps(other))
    assert run([a.replace("{tmp}", str(tmp_path)) for a in argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not list(tmp_path.rglob("*.png"))
