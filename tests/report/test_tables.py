"""The briefing's shared tables (interop.report.tables): what the HTML report and docs/instances.md both show."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import pandas as pd
import pytest

from interop import solve
from interop.analyses.resilience import resilience
from interop.report import tables
from interop.report.html import build_report, html_table

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "instances" / "tiny"


def test_markdown_is_one_line_per_row_without_padding():
    frame = pd.DataFrame([["a", "1"], ["bb", "2 %"]], columns=["x", "y z"])
    assert tables.markdown(frame) == "| x | y z |\n|---|---|\n| a | 1 |\n| bb | 2 % |\n"


def test_numbers_round_for_display():
    assert tables.num(13.000000000000002) == "13"
    assert tables.num(0.9717499999999999, 2) == "0.97"
    assert tables.num(-0.0001) == "0"
    assert tables.pct(0.9717499999999999) == "97.2 %"


@pytest.fixture(scope="module")
def page():
    return build_report(TINY / "hand-compare.yaml", frontier_points=4)


def test_the_report_shows_the_briefs_scenario_row(page):
    """The HTML report's scenario table is tables.scenario_table: the base row, cell for cell.

    Fails if the report builds its own summary again (e.g. ``optimal`` without
    the gap, or 4 significant digits instead of the brief's rounding).
    """
    doc = solve(TINY / "hand-compare.yaml").to_dict()  # the baseline is solved as `solve` does
    frame = tables.scenario_table({"base": doc})
    assert frame.iloc[0]["status"] == "optimal (gap 0)"
    row = html_table(frame).split("<tbody>")[1].split("</tr>")[0]  # the base row's cells
    assert row.startswith("<tr><td>base</td><td>optimal (gap 0)</td>") and row in page


def test_the_report_shows_the_briefs_frontier_table(page):
    assert "<th>price of autonomy (ΔF/ΔW)</th>" in page
    assert "(knee)</td>" in page


def test_the_frontier_table_reads_the_same_from_the_run_and_from_its_csv():
    """The report passes frontier()'s frame, the brief reads frontier.csv back: the tables must agree.

    Catches a knee read back as the string "True" and not marked, and an
    empty price read back as NaN and printed "nan".
    """
    from interop.analyses.frontier import frontier

    front = frontier(TINY / "hand-compare.yaml", points=4)
    back = pd.read_csv(io.StringIO(front.to_csv(index=False)))
    knee_as_text = back.assign(knee=back["knee"].map(str))
    direct = tables.frontier_table(front, {"AAA": "AAA loss"})
    assert direct.equals(tables.frontier_table(back, {"AAA": "AAA loss"}))
    assert direct.equals(tables.frontier_table(knee_as_text, {"AAA": "AAA loss"}))
    assert (direct["price of autonomy (ΔF/ΔW)"].str.endswith("(knee)")).sum() == 1
    assert direct["price of autonomy (ΔF/ΔW)"].iloc[0] == "–"


def _case(case, status, eff_drop, kept_drop, obj_drop, rank, spof=False):
    kind, _, target = case.partition(":")
    solved = status == "optimal"
    return {
        "rank": rank,
        "case": case,
        "kind": kind,
        "target": target,
        "status": status,
        "objective": 10 - obj_drop if solved else math.nan,
        "effectiveness": 0.8 - eff_drop if solved else math.nan,
        "effectiveness_drop": eff_drop if solved else math.nan,
        "objective_drop": obj_drop if solved else math.nan,
        "kept_effectiveness": 0.8 - kept_drop,
        "kept_effectiveness_drop": kept_drop,
        "kept_feasible": kept_drop == 0,
        "spof": spof,
    }


BASE = {"status": "optimal", "objective": 10.0, "metrics": {"effectiveness": 0.8}}
# ranked by the tool (objective drop): the HQ costs more Z, the ally more effectiveness
FRAME = pd.DataFrame(
    [
        _case("withdraw:XX", "infeasible", 0, 0.1, 0, 1, spof=True),
        _case("lose-node:HQ", "optimal", 0.1, 0.4, 3.0, 2, spof=True),
        _case("withdraw:AA", "optimal", 0.2, 0.3, 2.0, 3),
        _case("lose-link:L1", "optimal", 0.0, 0.0, 0.0, 4),
    ]
)


def test_the_resilience_table_ranks_by_the_replanned_effectiveness_drop():
    """Infeasible first, then by re-planned effectiveness drop (not the tool's objective ranking), base on top.

    Catches sorting by the tool's rank (the HQ before the ally), an infeasible
    case sorted last (its drop is NaN), and drops printed with the wrong sign.
    """
    table = tables.resilience_table(FRAME, BASE, top=3)
    assert list(table.iloc[:, 0]) == ["base plan", "withdraw:XX ★", "withdraw:AA", "lose-node:HQ ★"]
    ally = table.iloc[2]
    assert list(ally.iloc[1:]) == ["3", "optimal", "60.0 %", "-20.0 pts", "50.0 %", "-30.0 pts", "8", "-2", "no"]
    assert list(table.iloc[1, 2:]) == ["infeasible", "–", "–", "70.0 %", "-10.0 pts", "–", "–", "no"]


def test_the_findings_name_what_the_plan_depends_on_as_shares_of_its_effectiveness():
    """0.2 of 0.8 re-planned is 25.0 %, 0.3 of 0.8 kept is 37.5 % (points would say 20.0 and 30.0)."""
    said = tables.resilience_findings(FRAME, BASE)
    assert said[0].startswith("Without the ally XX the reduced instance has no plan at all")
    assert said[1] == (
        "Of the rest, the plan depends most on the ally AA: its withdrawal costs 25.0 % of the effectiveness "
        "re-planned, 37.5 % kept as it stands."
    )
    assert len(said) == 2


def test_the_resilience_table_of_a_hand_instance(tmp_path):
    """hand-resilience (tests/analyses/test_resilience.py computes it by hand): AAA's withdrawal leaves no plan,
    BBB's costs 0.2 of the base plan's 0.5 re-planned (40 %), and the table says so from the real run."""
    frame = resilience(TINY / "hand-resilience.yaml", out=tmp_path)
    base = json.loads((tmp_path / "base" / "solution.json").read_text())
    table = tables.resilience_table(frame, base)
    assert list(table.iloc[:3, 0]) == ["base plan", "withdraw:AAA ★", "withdraw:BBB"]
    assert list(table.iloc[0, 3:6]) == ["50.0 %", "–", "50.0 %"]
    assert tables.resilience_findings(frame, base)[1] == (
        "Of the rest, the plan depends most on the ally BBB: its withdrawal costs 40.0 % of the effectiveness "
        "re-planned, 40.0 % kept as it stands."
    )
