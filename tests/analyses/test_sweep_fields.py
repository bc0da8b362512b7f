"""Sweeps over switches and names (issue 12): ``nations.X.shares_networks``, ``command_nodes.X.lead``.

Every point must equal a plain ``solve`` of the instance file edited by hand
(the YAML changed in the test, written, solved from the file), so a sweep that
ignored its value, set it on the wrong entity or mis-read ``false``/``none``
fails; the hand-lead points are also hand-computed (Z = 1, 2.5, 1), and the
US-ROK naval component's points (USA or ROK lead) must differ in Korea's
autonomy loss.
"""

import json
import os

import matplotlib.lines
import pandas as pd
import pytest
import yaml

import interop
from interop.analyses.sweep import sweep
from interop.analyses.sweep_paths import field_kind, show, sweep_values
from interop.cli import run
from interop.report.plots import sweep_figure
from tests.conftest import ROOT, TINY

LEAD = TINY / "hand-lead.yaml"
EXAMPLE = TINY / "format-example.yaml"


def _hand_edited(file, edits: dict, tmp_path, scenario=None):
    """Solve ``file`` with ``edits`` ({(collection, id, field): value}) made in its YAML text."""
    doc = yaml.safe_load(file.read_text())
    for (collection, entity_id, key), value in edits.items():
        entity = next(e for e in doc[collection] if e["id"] == entity_id)
        entity[key] = value
    path = tmp_path / f"edited-{abs(hash(repr(sorted(edits.items(), key=repr))))}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return interop.solve(path, scenario=scenario)


def test_values_are_read_by_the_field_type():
    assert sweep_values("nations.HUN.shares_networks", "true,False") == [True, False]
    assert sweep_values("command_nodes.CFC.lead", "USA, KOR,none,null") == ["USA", "KOR", None, None]
    assert sweep_values("platforms.P.nation", "none") == ["none"]  # not optional: a name like any other
    assert sweep_values("command_nodes.CFC.lead", ["USA", None]) == ["USA", None]
    assert sweep_values("nations.HUN.shares_networks", [True]) == [True]
    assert sweep_values("command_nodes.C.capacity", "1:3:1") == [1.0, 2.0, 3.0]
    assert field_kind("command_nodes.C.lead").nullable and not field_kind("nations.N.shares_networks").nullable
    assert [show(v) for v in (True, False, None, "KOR", 0.5)] == ["true", "false", "none", "KOR", "0.5"]
    bad_values = {
        ("nations.HUN.shares_networks", "true,maybe"): "true and/or false",
        ("nations.HUN.shares_networks", "1,0"): "true and/or false",
        ("command_nodes.CFC.lead", "USA,,KOR"): "no empty entry",
        ("nations.HUN.shares_networks", (1,)): "booleans",
        ("command_nodes.CFC.lead", (1.0,)): "not a numeric field",
        ("platforms.P.nation", (None,)): "give text",
        ("command_nodes.C.capacity", (True,)): "numeric field",
    }
    for (path, spec), text in bad_values.items():
        with pytest.raises(ValueError, match=text):
            sweep_values(path, spec)
    bad_paths = {
        "command_nodes.CFC.members": "is a list",
        "nations.HUN.caveats": "is a list",
        "nations.HUN.id": "an id cannot be swept",
        "tasks.T.source": "cannot be swept",
        "nations.HUN.colour": "no field 'colour'",
    }
    for path, text in bad_paths.items():
        with pytest.raises(KeyError, match=text):
            sweep_values(path, "x")


def test_lead_points_are_hand_edited_solves_and_hand_computed(tmp_path):
    """hand-lead: BBB leads Z = 1, AAA leads Z = 2.5 (κ_ℓ), no lead Z = 1 (κ_s): the value matters."""
    table = sweep(LEAD, {"command_nodes.CHQ.lead": "BBB,AAA,none"})
    assert list(table["command_nodes.CHQ.lead"]) == ["BBB", "AAA", None]
    assert list(table["objective"]) == pytest.approx([1.0, 2.5, 1.0], abs=1e-9)
    assert list(table["autonomy_loss.AAA"]) == pytest.approx([1.5, 0.75, 1.5], abs=1e-9)
    for row in table.to_dict("records"):
        cold = _hand_edited(LEAD, {("command_nodes", "CHQ", "lead"): row["command_nodes.CHQ.lead"]}, tmp_path)
        assert row["status"] == cold.status and row["objective"] == pytest.approx(cold.objective, abs=1e-9)


def test_shares_networks_grid_points_are_hand_edited_solves(tmp_path):
    """EST refusing to share networks × λ: each of the four points is the hand-edited file's optimum."""
    params = {"nations.EST.shares_networks": "true,false", "parameters.autonomy_scale": "0,1"}
    table = sweep(EXAMPLE, params)
    assert len(table) == 4 and list(table["nations.EST.shares_networks"]) == [True, True, False, False]
    for row in table.to_dict("records"):
        doc = yaml.safe_load(EXAMPLE.read_text())
        doc["parameters"]["autonomy_scale"] = row["parameters.autonomy_scale"]
        next(n for n in doc["nations"] if n["id"] == "EST")["shares_networks"] = row["nations.EST.shares_networks"]
        path = tmp_path / f"p{row['point']}.yaml"
        path.write_text(yaml.safe_dump(doc, sort_keys=False))
        cold = interop.solve(path)
        assert row["status"] == cold.status and row["objective"] == pytest.approx(cold.objective, abs=1e-9)
    at = table.set_index(["nations.EST.shares_networks", "parameters.autonomy_scale"])["objective"]
    assert at[(True, 0.0)] > at[(False, 0.0)] + 0.1  # refusing costs integration: the value is not ignored


@pytest.mark.slow
def test_naval_component_lead_usa_or_kor_differ_in_korea_autonomy_loss(tmp_path):
    """us-rok-cfc (base = wartime-cfc): the combined naval component CFC-NCC, where most ROK units serve,
    led by the USA (as in the file) or by the ROK; each point is the hand-edited file's optimum.

    (The CFC itself holds no units, capacity 0: who leads it changes no κ of a unit, so sweeping
    ``command_nodes.CFC.lead`` gives two equal points; its components carry the lead.)
    """
    file = ROOT / "instances" / "us-rok-cfc.yaml"
    table = sweep(file, {"command_nodes.CFC-NCC.lead": "USA,KOR"}, workers=2)
    usa, kor = table.to_dict("records")
    assert usa["status"] == kor["status"] == "optimal"
    assert kor["autonomy_loss.KOR"] < usa["autonomy_loss.KOR"] - 1.0  # the ROK cedes κ_ℓ, not κ_s
    cold = _hand_edited(file, {("command_nodes", "CFC-NCC", "lead"): "KOR"}, tmp_path)
    assert kor["objective"] == pytest.approx(cold.objective, rel=1e-6)
    assert usa["objective"] == pytest.approx(interop.solve(file).objective, rel=1e-6)  # USA leads in the file


def test_a_lead_that_is_not_a_member_is_one_message_and_no_solve(tmp_path, capsys):
    out = tmp_path / "s"
    argv = ["sweep", str(LEAD), "-p", "command_nodes.CHQ.lead", "--values", "BBB,CCC", "-o", str(out)]
    assert run([*argv, "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "--param command_nodes.CHQ.lead=CCC" in err and "not one of the node's members" in err
    assert "Traceback" not in err and not list(out.glob("points/*/solution.json"))
    for values, text in [("true", "--param command_nodes.CHQ.members"), ("maybe", "true and/or false")]:
        path = "command_nodes.CHQ.members" if values == "true" else "nations.AAA.shares_networks"
        assert run(["sweep", str(LEAD), "-p", path, "--values", values, "-o", str(tmp_path / "t")]) == 2
        err = capsys.readouterr().err
        assert text in err and "Traceback" not in err


def test_non_numeric_grid_resumes_and_runs_in_parallel(tmp_path):
    """lead × λ on two processes, then a lost point re-solved alone; the table equals the local run."""
    params = {"command_nodes.CHQ.lead": "BBB,AAA,none", "parameters.autonomy_scale": "0,1,2"}
    local = sweep(LEAD, params)
    out = tmp_path / "run"
    pooled = sweep(LEAD, params, workers=2, out=out)
    same = ["command_nodes.CHQ.lead", "parameters.autonomy_scale", "point", "status", "objective"]
    pd.testing.assert_frame_equal(pooled[same], local[same], check_dtype=False)
    manifest = json.loads((out / "sweep.json").read_text())
    assert manifest["params"]["command_nodes.CHQ.lead"] == ["BBB", "AAA", None]
    lost = out / "points" / "p0007" / "solution.json"
    point = json.loads(lost.read_text())
    assert point["sweep"]["values"] == {"command_nodes.CHQ.lead": None, "parameters.autonomy_scale": 1.0}
    kept = out / "points" / "p0001" / "solution.json"
    os.utime(kept, (1_000_000, 1_000_000))
    lost.unlink()
    again = sweep(LEAD, params, out=out)
    assert lost.exists() and kept.stat().st_mtime == 1_000_000  # only the lost point was solved again
    pd.testing.assert_frame_equal(again[same], local[same], check_dtype=False)
    on_disk = pd.read_csv(out / "sweep.csv")
    assert on_disk["command_nodes.CHQ.lead"].isna().sum() == 3  # a cleared lead: an empty cell


def test_plot_has_a_categorical_axis_for_switches_and_names(tmp_path):
    """Ticks are the values in sweep order (``none`` for an empty cell), and no line joins separate cases."""
    out = tmp_path / "s"
    assert run(["sweep", str(LEAD), "-p", "command_nodes.CHQ.lead", "--values", "BBB,AAA,none", "-o", str(out)]) == 0
    for table in (pd.read_csv(out / "sweep.csv"), sweep(EXAMPLE, {"nations.EST.shares_networks": "true,false"})):
        param = table.columns[0]
        fig = sweep_figure(table, [param])
        bottom = fig.axes[1]
        labels = [t.get_text() for t in bottom.get_xticklabels()]
        assert labels == (["BBB", "AAA", "none"] if "lead" in param else ["true", "false"])
        drawn = [c for ax in fig.axes[:2] for c in ax.get_children() if isinstance(c, matplotlib.lines.Line2D)]
        assert drawn and all(line.get_linestyle() == "None" for line in drawn if len(line.get_xdata()) > 1)
    assert run(["plot", "sweep", str(out)]) == 0 and (out / "sweep.png").exists()
