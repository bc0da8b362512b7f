"""What the figures say, read off the matplotlib objects: labels, lines, legends, axis limits."""

import math

import pandas as pd
import pytest

import interop
from interop.report.network import plot_network
from interop.report.plots import frontier_figure, sweep_figure, sweep_params
from interop.report.style import describe, group_nations, overlapping, plural
from tests.conftest import TINY
from tests.report.test_plots import frontier_table, sweep_table


def _legend(ax) -> list[str]:
    legend = ax.get_legend()
    return [t.get_text() for t in legend.get_texts()] if legend else []


def test_parameter_paths_in_words():
    assert describe("parameters.autonomy_scale") == "autonomy weight λ"
    assert describe("parameters.link_cost_scale") == "link-cost weight μ"
    assert describe("nations.KOR.autonomy_weight") == "KOR's autonomy weight α"
    assert describe("command_nodes.CFC.capacity") == "span of control of CFC"
    assert describe("parameters.integration_bonus.land") == "integration bonus in land"
    assert describe("tasks.t1.bogus") == "tasks t1 bogus"  # unknown: no guess, no dots
    assert plural(1, "unit") == "1 unit" and plural(2, "unit") == "2 units" and plural(0, "unit") == "0 units"


def test_sweep_axes_and_legends_in_words():
    table = sweep_table(grid=True)
    fig = sweep_figure(table, sweep_params(table))
    top, bottom = fig.axes[:2]
    assert bottom.get_xlabel() == "autonomy weight λ"
    assert _legend(top) == ["KOR's autonomy weight α = 0.5", "KOR's autonomy weight α = 2.0"]
    assert "autonomy weight λ" in fig.get_suptitle() and "parameters." not in fig.get_suptitle()


def test_frontier_is_titled_for_what_it_plots():
    f = frontier_figure(frontier_table()).axes[0]
    assert f.get_title() == "Pareto front: effect objective against weighted autonomy loss"
    assert f.get_ylabel().startswith("effect objective  F")
    e = frontier_figure(frontier_table(), y="effectiveness", subject="cfc [wartime]").axes[0]
    assert e.get_title() == "cfc [wartime]\nPareto front: effectiveness against weighted autonomy loss"


def test_frontier_in_unweighted_autonomy_loss():
    """Σ_n Aut_n on the x axis (USA loss/2 + EST loss/4 in the table), so that weightings compare."""
    ax = frontier_figure(frontier_table(), x="unweighted").axes[0]
    points = next(line for line in ax.get_lines() if line.get_label() == "Pareto point")
    assert list(points.get_xdata()) == pytest.approx([0.0, 1.5, 3.75, 9.0])
    assert "unweighted" in ax.get_xlabel() and "unweighted" in ax.get_title()
    assert not [t for t in ax.texts if t.get_text().startswith("PoA")]  # prices are per unit of W, not drawn here
    with pytest.raises(ValueError, match="weighted"):
        frontier_figure(frontier_table(), x="log")


def test_knee_and_price_labels_do_not_overlap():
    """Six points close together, the knee near them: every visible label stands clear of the others."""
    w = [0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 3.0, 6.0, 9.0, 12.0]
    f = [100.0, 100.2, 100.4, 100.6, 100.8, 101.0, 120.0, 126.0, 128.0, 129.0]
    price = [math.nan] + [(f[i] - f[i - 1]) / (w[i] - w[i - 1]) for i in range(1, len(w))]
    table = pd.DataFrame(
        {
            "status": "optimal",
            "weighted_autonomy_loss": w,
            "effect_objective": f,
            "effectiveness": 0.8,
            "price_of_autonomy": price,
            "knee": [i == 6 for i in range(len(w))],
        }
    )
    fig = frontier_figure(table)
    ax = fig.axes[0]
    assert overlapping(fig, ax.texts) == []
    shown = [t.get_text() for t in ax.texts if t.get_visible()]
    assert any(t.startswith("knee") for t in shown) and sum(t.startswith("PoA") for t in shown) >= 4


def _thirty_nations() -> pd.DataFrame:
    rows = []
    for i, lam in enumerate([0.0, 0.5, 1.0]):
        row = {"parameters.autonomy_scale": lam, "point": i, "status": "optimal", "effectiveness": 0.9}
        row |= {f"autonomy_loss.N{k:02d}": (30 - k) * (1 - lam / 2) for k in range(30)}
        rows.append(row)
    return pd.DataFrame(rows)


def test_thirty_nations_are_told_apart_or_grouped():
    """Ten largest on their own, distinct colours; twenty grouped as others; the total drawn."""
    fig = sweep_figure(_thirty_nations(), ["parameters.autonomy_scale"])
    bottom = fig.axes[1]
    labels = _legend(bottom)
    assert labels == [f"N{k:02d}" for k in range(10)] + ["others (20 nations)", "total, all nations"]
    colors = [str(h.get_color()) for h in bottom.get_legend().legend_handles[:11]]
    assert len(set(colors)) == 11  # ten nations and the others, all told apart
    assert len(bottom.get_lines()) == 12  # ten nations, others, total
    assert group_nations({"A": 3.0, "B": 1.0}, limit=1) == (["A", "B"], [])  # never group a single nation


def test_sweep_has_a_total_line():
    table = sweep_table()
    bottom = sweep_figure(table, sweep_params(table)).axes[1]
    (total,) = [line for line in bottom.get_lines() if line.get_gid() == "total"]
    solved = table[table["status"] == "optimal"]
    expected = solved[["autonomy_loss.USA", "autonomy_loss.KOR", "autonomy_loss.JPN"]].sum(axis=1)
    assert list(total.get_ydata()) == pytest.approx(expected.tolist())
    assert "total, all nations" in _legend(bottom)


def test_a_small_change_is_not_drawn_as_a_cliff():
    """Effectiveness 90.0 % → 89.2 %: the axis spans at least 10 points; losses start from 0; F too."""
    table = sweep_table()
    table["effectiveness"] = [0.900, 0.897, 0.894, 0.892]
    top, bottom = sweep_figure(table, sweep_params(table)).axes[:2]
    lo, hi = top.get_ylim()
    assert hi - lo >= 0.10 and lo <= 0.892 and hi >= 0.900
    assert bottom.get_ylim()[0] == 0.0
    front = frontier_table()
    front["objective"] = [100.0, 100.3, 100.6, 100.8, math.nan]
    lo, hi = frontier_figure(front).axes[0].get_ylim()
    assert hi - lo >= 10.0


def test_a_node_with_one_unit_says_1_unit(tmp_path):
    inst = interop.load_instance(TINY / "format-example.yaml")
    sol = interop.solve(inst).to_dict()
    sol["assignments"] = [a for a in sol["assignments"] if a["platform"] != "US-f35-sqn"]  # US-HQ: one unit
    svg = plot_network(sol, inst, tmp_path / "n")[1].read_text()
    assert "1 unit" in svg and "1 units" not in svg


def test_cli_plot_frontier_unweighted_names_the_run(tmp_path, capsys):
    """`plot frontier --x unweighted` on a real run: a second figure, titled with the instance and scenario."""
    from interop.analyses.frontier import frontier
    from interop.cli import run

    frontier(TINY / "format-example.yaml", scenario="wartime", points=4, out=tmp_path)
    assert run(["plot", "frontier", str(tmp_path), "--x", "unweighted"]) == 0
    svg = (tmp_path / "frontier-unweighted.svg").read_text()
    assert "tiny-two-nations [wartime]" in svg
    assert "Pareto front: effect objective against unweighted autonomy loss" in svg
    assert run(["plot", "frontier", str(tmp_path), "--x", "log"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_comparison_groups_small_contributors():
    """Thirty nations in two scenarios: ten bars each, the rest summed as others, the idle left out."""
    from types import SimpleNamespace

    from interop.report.compare_plot import comparison_figure, comparison_losses

    rows = [
        {"scenario": s, "nation": f"N{k:02d}", "autonomy_loss": float(29 - k) * (1 + i)}
        for i, s in enumerate(["a", "b"])
        for k in range(30)
    ]
    summary = pd.DataFrame({"scenario": ["a", "b"], "effectiveness": [0.9, 0.8]})
    cmp = SimpleNamespace(nations=pd.DataFrame(rows), scenarios=["a", "b"], summary=summary)
    table = comparison_losses(cmp)
    assert list(table.index) == [f"N{k:02d}" for k in range(10)] + ["others (19 nations)"]  # N29 loses nothing
    assert table.loc["others (19 nations)", "a"] == pytest.approx(sum(range(1, 20)))
    ax = comparison_figure(cmp).axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()][-1] == "others (19 nations)" and ax.get_ylim()[0] == 0
