"""Every malformed instance file is refused clearly (issue: "every bad input refused clearly").

``tests/corpus/`` holds malformed instance files, one kind of mistake each (YAML
and JSON syntax, unsafe tags, wrong types, numbers out of range, duplicate ids
and keys, dangling references, unknown domains and keys, missing keys, bad
scenarios). ``tests/corpus/expected.yaml`` says for each file what is wrong
(``defect``), the problem lines it must produce (``expect``: one entry per
line, a substring or a list of substrings of that line, always naming the
place), the scenario to solve (``scenario``) and, when it is not 2, the exit
code of ``interop validate`` (``validate``).

Both ``interop validate FILE`` and ``interop solve FILE`` must exit 2, print one
line per problem naming its place, each problem once, no traceback (not even
under ``--debug``: an input error is not a bug), and write no solution.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

import interop.instance.loading
from interop.cli import run
from tests.conftest import TINY

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
EXPECTED: dict[str, dict] = yaml.safe_load((CORPUS / "expected.yaml").read_text())
NAMES = sorted(EXPECTED)
EXAMPLE = TINY / "format-example.yaml"
# Problems of the whole file, which have no place inside it.
WHOLE_FILE = ("the file is empty", "the document must be a mapping")


def _problem_lines(err: str) -> list[str]:
    """The problem lines of the CLI's error report (indented under its header)."""
    return [line.strip() for line in err.splitlines() if line.startswith("  ")]


def _check_report(err: str, expect: list) -> None:
    """Each expected problem appears on exactly one line, nothing else is reported, no traceback."""
    assert "Traceback" not in err
    header = re.search(r"error: .*: (\d+) problem\(s\)", err)
    assert header, err
    lines = _problem_lines(err)
    assert int(header.group(1)) == len(lines) == len(expect), err
    assert len(set(lines)) == len(lines), f"a problem reported twice:\n{err}"
    for item in expect:
        parts = [item] if isinstance(item, str) else item
        matching = [line for line in lines if all(p in line for p in parts)]
        assert len(matching) == 1, f"expected exactly one line with {parts}:\n{err}"
    for line in lines:  # a problem names its place before its message, unless it is about the whole file
        assert ": " in line or line.startswith(WHOLE_FILE), line


def _solve_args(name: str, out: Path) -> list[str]:
    scenario = EXPECTED[name].get("scenario")
    return ["solve", str(CORPUS / name), "--out", str(out)] + (["--scenario", scenario] if scenario else [])


def test_corpus_is_complete():
    """The corpus has at least 45 files, each with its expectations, and no expectation without a file."""
    files = {p.name for p in CORPUS.iterdir() if p.name != "expected.yaml"}
    assert files == set(EXPECTED)
    assert len(files) >= 45
    for name, entry in EXPECTED.items():
        assert entry["defect"] and entry["expect"], name


@pytest.mark.parametrize("name", NAMES)
def test_validate_refuses_with_places(name, capsys):
    """`interop validate` exits 2 and names every problem of the file at its place, once."""
    entry = EXPECTED[name]
    code = run(["validate", str(CORPUS / name)])
    captured = capsys.readouterr()
    assert code == entry.get("validate", 2), captured.err
    if code == 2:
        _check_report(captured.err, entry["expect"])
    else:
        assert "Traceback" not in captured.err


@pytest.mark.parametrize("name", NAMES)
def test_solve_refuses_without_writing(name, tmp_path, capsys):
    """`interop solve` exits 2 with the same problem lines and writes no solution.json."""
    out = tmp_path / "out"
    code = run(_solve_args(name, out))
    captured = capsys.readouterr()
    assert code == 2, captured.err
    _check_report(captured.err, EXPECTED[name]["expect"])
    assert not (out / "solution.json").exists()
    assert "written" not in captured.out


@pytest.mark.parametrize("name", NAMES)
def test_debug_shows_no_traceback_for_bad_input(name, tmp_path, capsys):
    """With --debug, bad input is still reported as problems (exit 2), never as a traceback.

    --debug shows tracebacks of bugs; a malformed file is the user's mistake, not a bug.
    """
    entry = EXPECTED[name]
    assert run(["--debug", "validate", str(CORPUS / name)]) == entry.get("validate", 2)
    assert run(["--debug", *_solve_args(name, tmp_path / "out")]) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    assert not (tmp_path / "out" / "solution.json").exists()


@pytest.mark.parametrize("command", ["validate", "solve"])
def test_file_larger_than_the_limit(command, monkeypatch, tmp_path, capsys):
    """A file above MAX_FILE_BYTES is refused before it is read (limit lowered to keep the test small)."""
    monkeypatch.setattr(interop.instance.loading, "MAX_FILE_BYTES", 100)
    args = [command, str(EXAMPLE)] + (["--out", str(tmp_path)] if command == "solve" else [])
    assert run(args) == 2
    err = capsys.readouterr().err
    assert re.search(r"file is \d+ bytes; the limit is 100", err), err
    assert "Traceback" not in err and not (tmp_path / "solution.json").exists()


@pytest.mark.parametrize("command", ["validate", "solve"])
def test_entity_count_above_the_limit(command, monkeypatch, tmp_path, capsys):
    """A collection with more than MAX_ENTITIES entries is refused, naming the collection."""
    monkeypatch.setattr(interop.instance.loading, "MAX_ENTITIES", 3)
    args = [command, str(EXAMPLE)] + (["--out", str(tmp_path)] if command == "solve" else [])
    assert run(args) == 2
    err = capsys.readouterr().err
    _check_report(err, ["platforms: 4 entries; the limit is 3"])
    assert not (tmp_path / "solution.json").exists()


def test_alias_bomb_is_refused(monkeypatch, tmp_path, capsys):
    """A "billion laughs" file (aliases that expand to a huge document) is refused, not expanded.

    The file is a few hundred bytes but expands to 10^8 values; the limit is lowered so
    that the refusal is quick, and the message names where the budget ran out.
    """
    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]" for i in range(1, 8)]
    path = tmp_path / "laughs.yaml"
    path.write_text(EXAMPLE.read_text() + "\n".join(lines) + "\n")
    monkeypatch.setattr(interop.instance.loading, "MAX_VALUES", 10_000)
    assert run(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    _check_report(err, ["the document holds more than 10000 values (aliases expanded)"])
    assert _problem_lines(err)[0].startswith("l7[")


def test_recursive_mapping_is_refused_at_its_line(tmp_path, capsys):
    """A mapping that contains itself (through an alias) is refused at its line (lists: see the corpus)."""
    path = tmp_path / "loop.yaml"
    path.write_text(EXAMPLE.read_text().replace("parameters:", "parameters: &p\n  loop: *p\n_unused:", 1))
    assert run(["validate", str(path)]) == 2
    _check_report(capsys.readouterr().err, [["line 10, column 13: YAML syntax error", "recursive"]])


def test_unreadable_path_is_refused(tmp_path, capsys):
    """A directory or a missing file given as the instance is refused with exit 2 and no traceback."""
    assert run(["validate", str(tmp_path)]) == 2
    assert run(["solve", str(tmp_path / "missing.yaml"), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "cannot read file" in err and "Traceback" not in err


def test_yaml_exponent_floats_are_numbers(tmp_path):
    """`1e3` and `2.5E-1` are numbers, as in JSON and YAML 1.2 (PyYAML alone would read strings)."""
    path = tmp_path / "exp.yaml"
    text = EXAMPLE.read_text()
    edited = text.replace("demand: 20,", "demand: 2e1,", 1).replace("cost: 0.5,", "cost: 5E-1,", 1)
    assert edited.count("2e1,") == 1 and edited.count("5E-1,") == 1  # both replacements happened
    path.write_text(edited)
    inst = interop.instance.loading.load_instance(path)
    assert inst.tasks[0].demand == 20.0 and inst.links[1].cost == 0.5


def test_yaml_merge_keys_are_allowed(tmp_path):
    """`<<: *anchor` merges a mapping (keys given explicitly override it); it is not a duplicate key."""
    path = tmp_path / "merge.yaml"
    text = EXAMPLE.read_text().replace(
        "  - {id: EST-cyber, nation: EST, count: 1, value: 2, standards: [fmn],\n"
        "     theaters: [baltic], effects: {cyber: 5}}",
        "  - &est {id: EST-cyber, nation: EST, count: 1, value: 2, standards: [fmn],\n"
        "     theaters: [baltic], effects: {cyber: 5}}\n"
        "  - {<<: *est, id: EST-cyber-2, value: 3}",
    )
    assert "<<: *est" in text  # the replacement happened
    path.write_text(text)
    inst = interop.instance.loading.load_instance(path)
    extra = inst.platforms[2]
    assert (extra.id, extra.nation, extra.value, extra.effects) == ("EST-cyber-2", "EST", 3.0, {"cyber": 5.0})
