"""A reader that goes away (``interop … | head -1``) is not an error (issue 15, item 16).

Each command runs in a subprocess whose stdout (or stderr) pipe the test closes
before, or right after, the first line: the command must finish its work, exit
with its own code (not 1 because a print failed, not 0 because it was cut
short), and print no traceback and no "Exception ignored" message.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, TINY

EXAMPLE = TINY / "format-example.yaml"


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(ROOT), COLUMNS="80")


def _run_closed(argv: list[str], *, first_line: bool = False, stream: str = "stdout") -> tuple[int, bytes]:
    """Run ``interop argv`` with ``stream`` closed by its reader; the exit code and stderr."""
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    proc = subprocess.Popen([sys.executable, "-m", "interop", *argv], **pipes, env=_env(), cwd=ROOT)
    closed, kept = (proc.stdout, proc.stderr) if stream == "stdout" else (proc.stderr, proc.stdout)
    if first_line:
        closed.readline()
    closed.close()
    rest = kept.read()
    proc.wait(timeout=300)
    return proc.returncode, rest if stream == "stdout" else b""


def _clean(err: bytes) -> None:
    assert b"Traceback" not in err, err
    assert b"Exception ignored" not in err, err
    assert b"BrokenPipe" not in err, err


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["solve", "--help"], ["validate", str(EXAMPLE)], ["info", str(EXAMPLE)]],
    ids=["help", "solve-help", "validate", "info"],
)
def test_closed_stdout_exits_0(argv):
    code, err = _run_closed(argv)
    assert code == 0, err
    _clean(err)


def test_help_piped_to_head_exits_0():
    code, err = _run_closed(["--help"], first_line=True)
    assert code == 0, err
    _clean(err)


def test_closed_stdout_keeps_the_commands_own_exit_code(tmp_path):
    """An infeasible solve piped to ``head`` still exits 1, and its files are written."""
    doc = yaml.safe_load(EXAMPLE.read_text())
    doc["tasks"][0].update(demand=1000, min_coverage=1.0)
    path = tmp_path / "infeasible.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    out = tmp_path / "o"
    code, err = _run_closed(["solve", str(path), "--out", str(out), "--no-explain"])
    assert code == 1, err
    _clean(err)
    assert (out / "solution.json").exists()


def test_closed_stdout_does_not_cut_a_run_short(tmp_path):
    """A sweep whose reader left still solves and writes every point, and exits 0."""
    out = tmp_path / "sw"
    argv = ["sweep", str(EXAMPLE), "--param", "parameters.autonomy_scale", "--values", "0,1,2", "--out", str(out)]
    code, err = _run_closed([*argv, "--no-progress"])
    assert code == 0, err
    _clean(err)
    assert len(list((out / "points").glob("*/solution.json"))) == 3
    assert (out / "sweep.csv").exists()


def test_closed_stderr_exits_with_the_error_code(tmp_path: Path):
    """``interop validate bad.yaml 2>&1 | head -1``: the problems go nowhere, the exit code stays 2."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [\n")
    code, _ = _run_closed(["validate", str(bad)], stream="stderr")
    assert code == 2


def test_closed_stderr_keeps_the_usage_error_code():
    """``interop solve --bogus 2>&1 | head -1`` exits 2 (a usage error), not 1."""
    code, _ = _run_closed(["solve", "--bogus"], stream="stderr")
    assert code == 2
