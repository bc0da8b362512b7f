"""compare: scenarios side by side, least-change re-planning, moves and deltas (hand-computed).

The expected values are derived in the header of instances/tiny/hand-compare.yaml.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import interop
from interop.analyses.compare import compare, unit_moves
from interop.cli import run

HAND = Path(__file__).resolve().parents[2] / "instances" / "tiny" / "hand-compare.yaml"


@pytest.fixture(scope="module")
def cmp():
    return compare(HAND, [None, "aaa-leads", "tie", "crowded"])


def test_objectives_and_leads(cmp):
    objective = cmp.summary.set_index("scenario")["objective"]
    assert objective.to_dict() == pytest.approx({"base": 7.75, "aaa-leads": 8.0, "tie": 6.25, "crowded": 6.75})
    lead = cmp.leads.set_index("scenario")["lead"]
    assert lead["base"] == "BBB" and lead["aaa-leads"] == "AAA"


def test_autonomy_split_by_relation(cmp):
    n = cmp.nations.set_index(["scenario", "nation"])
    # base: AAA shares CHQ (0.5*2), BBB leads it (0.25*1)
    assert n.loc[("base", "AAA"), ["shared_units", "shared_value", "shared_loss"]].tolist() == [1, 2.0, 1.0]
    assert n.loc[("base", "BBB"), ["lead_units", "lead_value", "lead_loss"]].tolist() == [1, 1.0, 0.25]
    assert n.loc[("aaa-leads", "AAA"), "lead_loss"] == pytest.approx(0.5)
    assert n.loc[("crowded", "AAA"), ["national_units", "autonomy_loss"]].tolist() == [1, 0.0]
    d = cmp.nation_deltas.set_index(["scenario", "nation"])
    assert d.loc[("aaa-leads", "AAA"), "autonomy_loss"] == pytest.approx(-0.5)
    assert d.loc[("aaa-leads", "BBB"), "autonomy_loss"] == pytest.approx(0.25)
    t = cmp.task_deltas.set_index(["scenario", "task"])
    assert t.loc[("crowded", "t2"), "coverage"] == pytest.approx(0.4)
    assert t.loc[("crowded", "t1"), "effect"] == pytest.approx(-4.0)


def test_least_change_keeps_the_tie_and_shows_forced_moves(cmp):
    # alone, the tie scenario's least-autonomy plan moves A-inf to t2 under A-HQ
    alone = interop.solve(HAND, scenario="tie")
    assert alone.assignments.set_index("platform").loc["A-inf", "task"] == "t2"
    moves = cmp.moves
    assert moves[moves["scenario"] == "tie"].empty  # a tie is not a change the scenario forces
    assert moves[moves["scenario"] == "aaa-leads"].empty
    forced = moves[moves["scenario"] == "crowded"].to_dict("records")
    assert forced == [
        {
            "scenario": "crowded",
            "platform": "A-inf",
            "nation": "AAA",
            "units": 1,
            "from_task": "t1",
            "from_command": "CHQ",
            "to_task": "t2",
            "to_command": "A-HQ",
        }
    ]
    assert cmp.summary.set_index("scenario")["units_moved"].to_dict() == {
        "base": 0,
        "aaa-leads": 0,
        "tie": 0,
        "crowded": 1,
    }
    assert cmp.solutions["tie"].solver["replanned"] == "least_change"


def test_without_replanning_the_tie_shows_a_move():
    plain = compare(HAND, [None, "tie"], replan=False)
    assert plain.moves["platform"].tolist() == ["A-inf"]


def test_unit_moves_pairs_kept_units_and_idle():
    cols = ["platform", "task", "command", "units", "nation"]
    before = pd.DataFrame([["P", "x", "c", 3, "N"]], columns=cols)
    after = pd.DataFrame([["P", "x", "c", 1, "N"], ["P", "y", "c", 1, "N"]], columns=cols)
    assert unit_moves(before, after) == [
        {
            "platform": "P",
            "nation": "N",
            "units": 1,
            "from_task": "x",
            "from_command": "c",
            "to_task": "y",
            "to_command": "c",
        },
        {
            "platform": "P",
            "nation": "N",
            "units": 1,
            "from_task": "x",
            "from_command": "c",
            "to_task": "",
            "to_command": "",
        },
    ]


def test_cli_compare_writes_tables_and_figure(tmp_path, capsys):
    assert run(["compare", str(HAND), "--scenarios", "base,crowded", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "A-inf" in printed and "A-HQ" in printed
    moves = pd.read_csv(tmp_path / "compare_moves.csv")
    assert moves["platform"].tolist() == ["A-inf"]
    assert (tmp_path / "compare.png").stat().st_size > 0 and (tmp_path / "compare.svg").exists()


def test_cli_compare_unknown_scenario_is_exit_2(tmp_path):
    assert run(["compare", str(HAND), "--scenarios", "base,nope", "--out", str(tmp_path)]) == 2


def test_solution_tables_carry_platform_and_node_nations():
    sol = interop.solve(HAND, scenario="crowded")
    rows = sol.assignments.set_index("platform")
    assert rows.loc["A-inf", ["nation", "node_nation", "node_lead", "relation"]].tolist() == [
        "AAA",
        "AAA",
        "",
        "national",
    ]
    assert rows.loc["B-inf", ["nation", "node_nation", "node_lead", "relation"]].tolist() == [
        "BBB",
        "multinational",
        "BBB",
        "lead",
    ]
    empty = interop.solve(
        Path(__file__).resolve().parents[2] / "instances" / "tiny" / "hand-lead.yaml", scenario="caveat"
    )
    assert {"node_nation", "relation"} <= set(empty.assignments.columns)


@pytest.mark.parametrize("baseline, kept", [("base", "L1"), ("l2-cheap", "L2")])
def test_least_change_keeps_the_baseline_link_in_a_tie(baseline, kept):
    links = HAND.parent / "hand-links.yaml"
    cmp = compare(links, [baseline, "even"])
    assert cmp.summary["objective"].tolist() == pytest.approx([7.7, 7.7])
    assert cmp.links[cmp.links["scenario"] == "even"]["link"].tolist() == [kept]
    assert cmp.link_changes.empty


def test_a_forced_link_switch_is_reported():
    cmp = compare(HAND.parent / "hand-links.yaml", ["base", "l2-cheap"])
    assert sorted(map(tuple, cmp.link_changes[["link", "change"]].to_numpy())) == [("L1", "off"), ("L2", "on")]


def test_baseline_option_reverses_the_move(tmp_path):
    args = ["compare", str(HAND), "--scenarios", "base,crowded", "--baseline", "crowded", "--out", str(tmp_path)]
    assert run(args) == 0
    moves = pd.read_csv(tmp_path / "compare_moves.csv", keep_default_na=False)
    assert moves[["scenario", "platform", "from_command", "to_command"]].values.tolist() == [
        ["base", "A-inf", "A-HQ", "CHQ"]
    ]


def test_done_when_the_cfc_and_the_future_cfc_compare():
    """issue 11's check: the lead change, Korea's and the US's autonomy deltas, and only forced moves."""
    cfc = compare(HAND.parents[1] / "us-rok-cfc.yaml", ["wartime-cfc", "wartime-fcfc"])
    lead = cfc.leads.set_index(["scenario", "node"])["lead"]
    assert lead[("wartime-cfc", "CFC")] == "USA" and lead[("wartime-fcfc", "CFC")] == "KOR"
    d = cfc.nation_deltas.set_index("nation")["autonomy_loss"]
    assert d["KOR"] < -10 and d["USA"] < 0  # Korea cedes much less under its own commander
    # least-change re-planning: only the units the scenario forces out (measured 2026-12: three, now idle)
    moved = cfc.moves[["platform", "units", "to_command"]].fillna("").to_dict("records")
    assert moved == [
        {"platform": "US-7F-destroyer-east", "units": 2, "to_command": ""},
        {"platform": "US-IIIMEF-MEB", "units": 1, "to_command": ""},
    ]
