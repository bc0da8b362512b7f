"""Issue 12: alternatives come "with a table and a figure of how they differ" (how much each nation cedes)."""

import pandas as pd
import pytest

from interop.cli import run
from interop.report.alternatives_plot import alternative_losses, alternatives_figure
from tests.conftest import TINY


def _frame(nations: int) -> pd.DataFrame:
    rows = []
    for k in range(3):
        row = {"k": k, "status": "optimal", "objective": 10.0 - k, "effectiveness": 0.9, "min_distance": float(k)}
        row.update({f"autonomy_loss_N{i:02d}": float(i * (k + 1)) for i in range(nations)})
        rows.append(row)
    rows.append({"k": 3, "status": "infeasible", "objective": None, "effectiveness": None, "min_distance": None})
    return pd.DataFrame(rows)


def test_losses_by_plan_leave_out_nations_that_lose_nothing_and_group_the_small():
    table = alternative_losses(_frame(3))
    assert list(table.index) == [0, 1, 2]  # the plan that was not found is not drawn
    assert list(table.columns) == ["N01", "N02"]  # N00 loses nothing in every plan
    assert table.loc[2, "N02"] == pytest.approx(6.0)
    many = alternative_losses(_frame(14))
    assert len(many.columns) == 11 and many.columns[-1] == "others (3 nations)"
    assert many.loc[0, "others (3 nations)"] == pytest.approx(1 + 2 + 3)


def test_the_figure_has_both_panels():
    fig = alternatives_figure(_frame(3), title="t")
    left, right = fig.axes[:2]
    assert left.get_title() == "How much each nation cedes" and len(left.patches) == 2 * 3
    assert [round(p.get_height(), 6) for p in right.patches] == [10.0, 9.0, 8.0]


def test_the_command_writes_the_figure_beside_the_table(tmp_path, capsys):
    out = tmp_path / "alt"
    args = ["alternatives", str(TINY / "format-example.yaml"), "--slack", "0.1", "--count", "2", "--out", str(out)]
    assert run(args) == 0
    assert (out / "alternatives.csv").exists() and (out / "alternatives.png").exists()
    assert (out / "alternatives.svg").exists()
    assert "alternatives.png" in capsys.readouterr().out
