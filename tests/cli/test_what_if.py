"""Issue 12, quick what-ifs: ``solve --withdraw NATION`` solves the instance without that ally.

hand-resilience (hand-computed in its header): without BBB the re-planned
optimum is Z = 6 (30 % effectiveness), without AAA it is infeasible — the
same answers as the resilience cases ``withdraw:BBB`` and ``withdraw:AAA``.
Fails if --withdraw is missing, ignored, or solves something else than the
resilience case, or if the written solution does not say it is a what-if.
"""

import json
import os

import pytest

from interop.analyses.resilience import resilience, withdraw
from interop.cli import run
from interop.instance.loading import load_instance
from interop.solve import solve
from tests.conftest import TINY

CASE = TINY / "hand-resilience.yaml"


def test_withdraw_solves_the_instance_without_the_ally(tmp_path, capsys):
    assert run(["solve", str(CASE), "--withdraw", "BBB", "--out", str(tmp_path)]) == 0
    doc = json.loads((tmp_path / "solution.json").read_text())
    assert doc["objective"] == pytest.approx(6.0) and doc["what_if"] == {"withdraw": ["BBB"]}
    assert not any(a["platform"].startswith("B") for a in doc["assignments"])
    assert "hand-resilience without BBB: optimal" in capsys.readouterr().out
    table = resilience(CASE, only=["withdraw:BBB"]).set_index("case")
    assert doc["objective"] == pytest.approx(table.loc["withdraw:BBB", "objective"])


def test_withdrawing_the_ally_that_carries_the_minimum_is_infeasible(tmp_path):
    assert run(["solve", str(CASE), "--withdraw", "AAA", "--out", str(tmp_path), "--no-explain"]) == 1
    doc = json.loads((tmp_path / "solution.json").read_text())
    assert doc["status"] == "infeasible" and doc["what_if"] == {"withdraw": ["AAA"]}
    assert solve(withdraw(load_instance(CASE), "AAA")).status == "infeasible"


def test_the_default_folder_names_the_what_if(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run(["solve", str(CASE), "--withdraw", "BBB"]) == 0
    assert (tmp_path / "runs" / "hand-resilience" / "base-withdraw-BBB" / "solution.json").exists()
    assert not (tmp_path / "runs" / "hand-resilience" / "base").exists()  # the plain result is not overwritten


def test_an_unknown_nation_is_exit_2_before_any_solve(tmp_path, capsys):
    assert run(["solve", str(CASE), "--withdraw", "XXX", "--out", str(tmp_path / "o")]) == 2
    assert "no nation 'XXX'" in capsys.readouterr().err
    assert not os.path.exists(tmp_path / "o" / "solution.json")


LEAD = TINY / "hand-lead.yaml"
AAA_LEADS = "description: AAA leads the combined HQ.\nupdate:\n  command_nodes: {CHQ: {lead: AAA}}\n"


def test_an_overlay_file_is_applied_as_a_scenario_of_the_base(tmp_path, capsys):
    """The overlay repeats hand-lead's `aaa-leads` scenario: the same optimum, Z = 2.5 (base: 1)."""
    overlay = tmp_path / "aaa-in-command.yaml"
    overlay.write_text(AAA_LEADS)
    assert run(["solve", str(LEAD), "--overlay", str(overlay), "--out", str(tmp_path / "o")]) == 0
    doc = json.loads((tmp_path / "o" / "solution.json").read_text())
    assert doc["objective"] == pytest.approx(2.5) == solve(load_instance(LEAD, "aaa-leads")).objective
    assert doc["scenario"] == "aaa-in-command" and doc["what_if"] == {"overlay": str(overlay)}
    assert "hand-lead [aaa-in-command]: optimal" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("name", "text", "extra", "message"),
    [
        ("typo.yaml", "updat:\n  command_nodes: {CHQ: {lead: AAA}}\n", [], "scenarios.typo.updat: unknown key"),
        ("ghost.yaml", "update:\n  nations: {ZZZ: {caveats: [land]}}\n", [], "no nation 'ZZZ' to update"),
        ("aaa-leads.yaml", AAA_LEADS, [], "'aaa-leads' is already a scenario"),
        ("fine.yaml", AAA_LEADS, ["--scenario", "no-lead"], "not both"),
    ],
)
def test_a_bad_overlay_is_exit_2_with_its_place(tmp_path, capsys, name, text, extra, message):
    overlay = tmp_path / name
    overlay.write_text(text)
    assert run(["solve", str(LEAD), "--overlay", str(overlay), "--out", str(tmp_path / "o"), *extra]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "o" / "solution.json").exists()
