"""Hostile or odd input and output (issues 11 and 15): each test failed before its fix."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest
import yaml

import interop.instance.loading
from interop.cli import run
from interop.errors import InstanceError
from interop.instance.loading import load_instance, read_document
from tests.conftest import TINY

EXAMPLE = TINY / "format-example.yaml"


def _doc() -> dict:
    return yaml.safe_load(EXAMPLE.read_text())


def _write(tmp_path: Path, doc: dict, name: str = "i.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


# --- input: only regular files, bounded while reading ----------------------------------------


@pytest.mark.parametrize("special", ["/dev/zero", "/dev/urandom"])
def test_device_refused(special):
    if not os.path.exists(special):
        pytest.skip(f"no {special}")
    with pytest.raises(InstanceError, match="not a regular file"):
        read_document(special)


def test_directory_refused(tmp_path):
    with pytest.raises(InstanceError, match="a directory"):
        read_document(tmp_path)


def test_fifo_refused_without_hanging(tmp_path):
    fifo = tmp_path / "f.yaml"
    os.mkfifo(fifo)
    result: list = []

    def attempt():
        try:
            read_document(fifo)
        except InstanceError as exc:
            result.append(str(exc))

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(5)
    if worker.is_alive():  # unblock the reader before failing
        with open(fifo, "w"):
            pass
        pytest.fail("reading a FIFO hangs")
    assert result and "not a regular file" in result[0]


def test_byte_limit_enforced_while_reading(monkeypatch, tmp_path):
    """The limit holds for what is read, not only for what stat says."""
    path = tmp_path / "big.yaml"
    path.write_text("name: x\n" * 100)
    real_fstat = os.fstat

    class Lying:
        def __init__(self, st):
            self._st = st

        def __getattr__(self, name):
            return 0 if name == "st_size" else getattr(self._st, name)

    monkeypatch.setattr(os, "fstat", lambda fd: Lying(real_fstat(fd)))
    monkeypatch.setattr(interop.instance.loading, "MAX_FILE_BYTES", 100)
    with pytest.raises(InstanceError, match="more than 100 bytes"):
        read_document(path)


# --- YAML number rules --------------------------------------------------------------------------


@pytest.mark.parametrize("scalar", ["024", "1:20", "1_0", "1_0.5", "0b11"])
def test_ambiguous_yaml_numbers_refused_with_place(tmp_path, scalar):
    text = EXAMPLE.read_text().replace("demand: 20,", f"demand: {scalar},")
    path = tmp_path / "n.yaml"
    path.write_text(text)
    with pytest.raises(InstanceError) as info:
        read_document(path)
    problem = info.value.problems[0]
    assert f"ambiguous number '{scalar}'" in problem.message
    assert problem.place.startswith("line ")


@pytest.mark.parametrize("scalar, value", [("24", 24), ("0", 0), ("1e3", 1000.0), ("0.5", 0.5), ("'024'", "024")])
def test_plain_yaml_numbers_still_read(tmp_path, scalar, value):
    path = tmp_path / "n.yaml"
    path.write_text(f"a: {scalar}\n")
    assert read_document(path)["a"] == value


def test_yaml_node_count_bounded(monkeypatch, tmp_path):
    monkeypatch.setattr(interop.instance.loading, "MAX_YAML_NODES", 1000)
    path = tmp_path / "many.yaml"
    path.write_text("a: [" + ",".join("1" for _ in range(5000)) + "]\n")
    with pytest.raises(InstanceError, match="more than 1000 YAML nodes"):
        read_document(path)


# --- ids ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["a\x00b", "a\nb", "a\tb", " ", " lead", "trail ", "x" * 201])
def test_bad_ids_refused_with_place(tmp_path, bad):
    doc = _doc()
    doc["platforms"][0]["id"] = bad
    path = tmp_path / "i.json"
    import json

    path.write_text(json.dumps(doc, default=str))
    with pytest.raises(InstanceError) as info:
        load_instance(path)
    assert any("platforms" in p.place and "id" in p.message for p in info.value.problems), info.value.problems


def test_formula_cells_neutralised_in_csv(tmp_path):
    doc = _doc()
    doc["platforms"][0]["id"] = "=HYPERLINK(1)"
    doc["platforms"][1]["id"] = "@cmd"
    path = _write(tmp_path, doc)
    out = tmp_path / "out"
    assert run(["solve", str(path), "--out", str(out)]) == 0
    text = (out / "assignments.csv").read_text()
    assert "'=HYPERLINK(1)" in text and "'@cmd" in text
    assert not any(line.startswith(("=", "@", "+")) for line in text.splitlines())


def test_dollar_in_node_id_plots(tmp_path):
    doc = _doc()
    text = yaml.safe_dump(doc, sort_keys=False).replace("US-HQ", "US$HQ").replace("JFC", "J$^{$F")
    path = tmp_path / "d.yaml"
    path.write_text(text)
    out = tmp_path / "out"
    assert run(["solve", str(path), "--out", str(out)]) == 0
    assert (
        run(["plot", "network", str(out / "solution.json"), "--instance", str(path), "--out", str(tmp_path / "n")]) == 0
    )
    assert (tmp_path / "n.png").stat().st_size > 0


# --- console markup in user text --------------------------------------------------------------


def test_markup_in_file_names_and_options_printed_as_is(tmp_path, capsys):
    (tmp_path / "q[").mkdir()
    odd = tmp_path / "q[/]n.yaml"
    odd.write_text(EXAMPLE.read_text())
    assert run(["validate", str(odd)]) == 0
    assert "q[/]n.yaml: valid" in capsys.readouterr().out
    assert run(["solve", str(odd), "--solver", "[/]"]) == 2
    err = capsys.readouterr().err
    assert "no solver profile '[/]'" in err and "Traceback" not in err
    bad = tmp_path / "x[red]y.yaml"
    bad.write_text("name: [\n")
    assert run(["validate", str(bad)]) == 2
    assert "x[red]y.yaml" in capsys.readouterr().err
    emoji = tmp_path / "a:smile:b.yaml"
    emoji.write_text("a: 1\n")
    assert run(["validate", str(emoji)]) == 2
    assert "a:smile:b.yaml" in capsys.readouterr().err


def test_out_with_markup_and_no_raw_markup_in_errors(tmp_path, capsys):
    out = tmp_path / "o[" / "]d"
    assert run(["solve", str(EXAMPLE), "--out", str(out)]) == 0
    capsys.readouterr()
    assert run(["solve", str(EXAMPLE), "--out", str(out)]) == 2  # exists: an error message naming it
    err = capsys.readouterr().err
    assert "o[/]d/solution.json exists" in err and "[bold red]" not in err and "[/]" not in err.split("o[/]d")[0]
    assert run(["sweep", str(EXAMPLE), "--param", "parameters.autonomy_scale", "--values", "a:b"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "[bold red]" not in err


# --- output files, summary, pipes ------------------------------------------------------------


def test_output_files_follow_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        assert run(["solve", str(EXAMPLE), "--out", str(tmp_path / "o")]) == 0
    finally:
        os.umask(old)
    for path in (tmp_path / "o").iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path


def test_summary_names_nations_that_commit_nothing(tmp_path, capsys):
    doc = _doc()
    doc["nations"].append({"id": "TUR", "autonomy_weight": 1.0})
    path = _write(tmp_path, doc)
    assert run(["solve", str(path), "--out", str(tmp_path / "o")]) == 0
    assert "committing nothing: TUR" in capsys.readouterr().out


def test_closed_pipe_exits_0(tmp_path):
    import subprocess
    import sys

    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    argv = [sys.executable, "-m", "interop", "solve", str(EXAMPLE), "--out", str(tmp_path / "o")]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    proc.stdout.close()  # the reader is gone before anything is printed (| head -0)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert b"Traceback" not in err and b"BrokenPipe" not in err


def test_unwritable_out_refused_before_the_solve(tmp_path, capsys, monkeypatch):
    import importlib

    solve_module = importlib.import_module("interop.solve")

    def never(*args, **kwargs):
        raise AssertionError("solved although --out is unwritable")

    monkeypatch.setattr(solve_module, "solve", never)
    afile = tmp_path / "afile"
    afile.write_text("mine\n")
    assert run(["solve", str(EXAMPLE), "--out", str(afile)]) == 2
    err = capsys.readouterr().err
    assert "exists and is not a directory" in err and afile.read_text() == "mine\n"
    assert run(["solve", str(EXAMPLE), "--out", str(afile / "sub")]) == 2
    assert "cannot write there" in capsys.readouterr().err


def test_markup_in_ids_printed_as_is_by_compare(tmp_path, capsys):
    """``compare`` prints ids in tables: ``[/]`` must not crash it, ``[red]`` must not vanish."""
    text = EXAMPLE.read_text().replace("defend-north", "'x[red]y'").replace("air-policing", "'p[/]q'")
    path = tmp_path / "m.yaml"
    path.write_text(text)
    assert run(["compare", str(path), "--out", str(tmp_path / "c")]) == 0
    printed = capsys.readouterr().out
    assert "x[red]y" in printed and "p[/]q" in printed


# --- an instance with nothing to decide (item 16) --------------------------------------------

NOTHING = {"name": "nothing", "nations": [], "command_nodes": [], "platforms": [], "tasks": []}


@pytest.mark.parametrize("empty", ["platforms", "tasks"])
def test_nothing_to_decide_is_said_plainly(tmp_path, capsys, empty):
    """The contract allows empty lists (a scenario or a withdrawal may leave none): a warning, not "optimal"."""
    doc = _doc()
    doc[empty], doc["scenarios"] = [], {}
    for entity in doc["nations"] + doc["tasks"]:  # no floors: the empty plan is feasible
        entity.pop("min_commitment", None), entity.pop("min_coverage", None)
    path = _write(tmp_path, doc)
    assert run(["solve", str(path), "--out", str(tmp_path / "o")]) == 0
    err = capsys.readouterr().err
    assert f"warning: nothing to decide: the instance has no {empty}" in err
    assert (tmp_path / "o" / "solution.json").exists()
    assert run(["validate", str(path)]) == 0
    assert "nothing to decide" in capsys.readouterr().err


def test_an_empty_instance_gets_one_warning_not_several(tmp_path, capsys):
    path = _write(tmp_path, NOTHING)
    assert run(["validate", str(path)]) == 0
    lines = [x for x in capsys.readouterr().err.splitlines() if x.startswith("warning")]
    assert lines == ["warning: nothing to decide: the instance has no platforms and no tasks (the objective is 0)"]


def test_a_scenario_that_leaves_nothing_to_decide_is_named(tmp_path, capsys):
    doc = _doc()
    doc["scenarios"]["wartime"] = {"remove": {"tasks": [t["id"] for t in doc["tasks"]]}}
    assert run(["validate", str(_write(tmp_path, doc))]) == 0
    assert "warning: scenario wartime: nothing to decide: the instance has no tasks" in capsys.readouterr().err


@pytest.mark.parametrize(
    "edit, place",
    [
        (lambda d: d["tasks"][0].update(theater="bal\ntic"), "tasks[0].theater"),
        (lambda d: d["platforms"][0].update(standards=["f\x00mn"]), "platforms[0].standards[0]"),
        (lambda d: d["platforms"][0].update(effects={"la\x00nd": 1}), "platforms[0].effects"),
        (lambda d: d.update(domains=["land", " air"]), "domains[1]"),
        (lambda d: d["nations"][1].update(caveats=["x" * 201]), "nations[1].caveats[0]"),
    ],
    ids=["theater-newline", "standard-nul", "effect-key-nul", "domain-space", "caveat-long"],
)
def test_domain_theater_and_standard_names_obey_the_id_rules(tmp_path, edit, place):
    """Item 14 for the other names a file gives: they are printed, tabled and plotted like ids."""
    import json

    doc = _doc()
    edit(doc)
    path = tmp_path / "i.json"
    path.write_text(json.dumps(doc, default=str))
    with pytest.raises(InstanceError) as info:
        load_instance(path)
    assert any(p.place.startswith(place) and "a name may" in p.message for p in info.value.problems), (
        info.value.problems
    )
