"""Output folders that lose or mix nothing (issue 15, items 6-9), through the CLI in-process."""

import fcntl
import json
import os
from pathlib import Path

import highspy
import pytest

from interop.cli import run
from tests.conftest import TINY

EXAMPLE = str(TINY / "format-example.yaml")
COVERAGE = str(TINY / "hand-coverage.yaml")
SWEEP = ["sweep", EXAMPLE, "-p", "parameters.autonomy_scale", "--values", "0,1", "--no-progress"]
FRONTIER = ["frontier", EXAMPLE, "--points", "3", "--no-progress"]
LOCK, MANIFEST = ".interop.lock", ".interop-manifest.json"  # named here: the tests also run on older code
TABLES = ("assignments.csv", "tasks.csv", "nations.csv", "links.csv")


def _files(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (the lock aside) and its bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file() and p.name != LOCK
    }


# -- 6: sweep and frontier folders ------------------------------------------------------------


def test_sweep_force_keeps_unrelated_tmp_files_and_removes_only_its_own(tmp_path):
    out = tmp_path / "here"
    assert run([*SWEEP, "-o", str(out)]) == 0
    mine = [out / ".notes.tmp", out / "deep" / "er" / ".cache.abcdefgh.tmp", out / "points" / ".x.tmp"]
    for path in mine:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("mine\n")
    stale = out / "points" / "p0000" / ".solution.json.k3j4h5g6.tmp"  # a write of ours cut off by a kill
    stale.write_text('{"status": ')
    assert run([*SWEEP, "-o", str(out), "--force"]) == 0
    assert all(p.read_text() == "mine\n" for p in mine)
    assert not stale.exists()
    assert run([*SWEEP, "-o", str(out)]) == 2  # files interop did not write: refused without --force
    assert all(p.read_text() == "mine\n" for p in mine)


def test_sweep_refuses_a_folder_of_other_files_and_says_so(tmp_path, capsys):
    (tmp_path / "report.docx").write_text("mine\n")
    assert run([*SWEEP, "-o", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "report.docx" in err and "--force" in err and "Traceback" not in err
    assert not (tmp_path / "points").exists() and not (tmp_path / MANIFEST).exists()


def test_force_without_a_manifest_keeps_a_users_points_folder(tmp_path):
    (tmp_path / "points").mkdir()
    (tmp_path / "points" / "mine.txt").write_text("mine\n")
    (tmp_path / "points" / "p0000").mkdir()
    (tmp_path / "points" / "p0000" / "notes.txt").write_text("mine too\n")
    assert run([*SWEEP, "-o", str(tmp_path), "--force"]) == 0
    assert (tmp_path / "points" / "mine.txt").read_text() == "mine\n"
    assert (tmp_path / "points" / "p0000" / "notes.txt").read_text() == "mine too\n"
    assert (tmp_path / "points" / "p0001" / "solution.json").exists()


def test_frontier_refuses_a_sweeps_folder_and_sweep_a_frontiers(tmp_path, capsys):
    sweep_dir, frontier_dir = tmp_path / "s", tmp_path / "f"
    assert run([*SWEEP, "-o", str(sweep_dir)]) == 0
    before = _files(sweep_dir)
    assert run([*FRONTIER, "-o", str(sweep_dir)]) == 2
    err = capsys.readouterr().err
    assert "interop sweep" in err and "one kind of run" in err and "--force" in err
    assert _files(sweep_dir) == before and not (sweep_dir / "frontier.csv").exists()
    assert run([*FRONTIER, "-o", str(frontier_dir)]) == 0
    assert run([*SWEEP, "-o", str(frontier_dir)]) == 2
    assert "interop frontier" in capsys.readouterr().err


def test_a_forced_sweep_over_a_frontier_leaves_nothing_of_the_frontier(tmp_path):
    assert run([*FRONTIER, "-o", str(tmp_path)]) == 0
    assert (tmp_path / "frontier.csv").exists()
    (tmp_path / "mine.txt").write_text("mine\n")
    assert run([*SWEEP, "-o", str(tmp_path), "--force"]) == 0
    assert not (tmp_path / "frontier.csv").exists() and not (tmp_path / "frontier.json").exists()
    assert sorted(p.name for p in (tmp_path / "points").iterdir()) == ["p0000", "p0001"]
    assert (tmp_path / "mine.txt").read_text() == "mine\n"
    assert json.loads((tmp_path / MANIFEST).read_text())["command"] == "sweep"


def test_the_same_frontier_resumes_after_its_figure_is_drawn(tmp_path):
    assert run([*FRONTIER, "-o", str(tmp_path)]) == 0
    assert run(["plot", "frontier", str(tmp_path)]) == 0  # frontier.png beside it is the run's
    table = (tmp_path / "frontier.csv").read_text()
    assert run([*FRONTIER, "-o", str(tmp_path)]) == 0
    assert (tmp_path / "frontier.csv").read_text() == table


# -- 7: solve writes all its files or none ----------------------------------------------------


def test_solve_does_not_overwrite_a_users_table(tmp_path, capsys):
    (tmp_path / "tasks.csv").write_text("my,own\n1,2\n")
    assert run(["solve", EXAMPLE, "--out", str(tmp_path)]) == 2
    assert "tasks.csv" in capsys.readouterr().err
    assert (tmp_path / "tasks.csv").read_text() == "my,own\n1,2\n"
    assert not (tmp_path / "solution.json").exists()


def test_an_infeasible_forced_resolve_leaves_no_earlier_tables(tmp_path):
    assert run(["solve", COVERAGE, "--out", str(tmp_path), "--no-explain"]) == 0
    assert all((tmp_path / t).exists() for t in TABLES)
    assert run(["solve", COVERAGE, "-s", "unreachable", "--out", str(tmp_path), "--force", "--no-explain"]) == 1
    assert not any((tmp_path / t).exists() for t in TABLES)
    assert json.loads((tmp_path / "solution.json").read_text())["status"] == "infeasible"


def test_a_full_disk_midway_leaves_the_earlier_result_whole(tmp_path, monkeypatch, capsys):
    import interop.solution.solution as solution_module

    assert run(["solve", EXAMPLE, "--out", str(tmp_path)]) == 0
    before = _files(tmp_path)
    real, calls = solution_module.atomic_write, []

    def full_disk(path, content):
        calls.append(path)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real(path, content)

    monkeypatch.setattr(solution_module, "atomic_write", full_disk)
    assert run(["solve", EXAMPLE, "-s", "wartime", "--out", str(tmp_path), "--force"]) == 2
    assert "No space left on device" in capsys.readouterr().err
    assert len(calls) == 2
    assert _files(tmp_path) == before  # the earlier solution, every file of it, and nothing else


# -- 8: two runs into one folder --------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["solve", EXAMPLE, "--force"],
        SWEEP,
        FRONTIER,
        ["resilience", str(TINY / "hand-resilience.yaml"), "--no-progress"],
        ["compare", str(TINY / "hand-compare.yaml")],
    ],
    ids=lambda a: a[0],
)
def test_a_second_run_into_a_locked_folder_is_refused(argv, tmp_path, capsys, monkeypatch):
    solved = _no_solve(monkeypatch)
    with open(tmp_path / LOCK, "w") as held:  # another run holds the folder
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.write("4242\n")
        held.flush()
        assert run([*argv, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"another interop run is writing to {tmp_path} (pid 4242)" in err and "Traceback" not in err
    assert not solved and [p.name for p in tmp_path.iterdir()] == [LOCK]


# -- 9: an unwritable --out is found before any solve ------------------------------------------

WRITERS = [
    ["solve", EXAMPLE],
    SWEEP,
    FRONTIER,
    ["resilience", str(TINY / "hand-resilience.yaml"), "--no-progress"],
    ["alternatives", EXAMPLE, "--count", "1"],
    ["compare", str(TINY / "hand-compare.yaml")],
    ["report", str(TINY / "hand-compare.yaml"), "--points", "2"],
]


def _no_solve(monkeypatch) -> list:
    """A list that records any solve started (and the solve fails)."""
    started = []

    def never(self, *args, **kwargs):
        started.append(True)
        raise AssertionError("solved although --out cannot be used")

    monkeypatch.setattr(highspy.Highs, "startSolve", never)
    monkeypatch.setattr(highspy.Highs, "run", never)
    return started


@pytest.mark.parametrize("argv", WRITERS, ids=lambda a: a[0])
def test_an_unwritable_out_is_refused_before_any_solve(argv, tmp_path, capsys, monkeypatch):
    solved = _no_solve(monkeypatch)
    afile = tmp_path / "afile"
    afile.write_text("mine\n")
    assert run([*argv, "--out", str(afile)]) == 2
    err = capsys.readouterr().err
    assert f"--out {afile}: exists and is not a directory" in err and "Traceback" not in err
    assert run([*argv, "--out", str(afile / "sub")]) == 2
    err = capsys.readouterr().err
    assert "cannot write there" in err and len(err.strip().splitlines()) == 1
    assert not solved and afile.read_text() == "mine\n"


@pytest.mark.parametrize("argv", WRITERS, ids=lambda a: a[0])
def test_a_read_only_out_is_refused_before_any_solve(argv, tmp_path, capsys, monkeypatch):
    solved = _no_solve(monkeypatch)
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    if os.geteuid() == 0:  # root writes into a read-only folder: the file system refuses it instead
        import tempfile

        real = tempfile.mkstemp

        def refused(*args, dir=None, **kwargs):
            if dir is not None and Path(dir) == folder:
                raise PermissionError(13, "Permission denied")
            return real(*args, dir=dir, **kwargs)

        monkeypatch.setattr(tempfile, "mkstemp", refused)
    try:
        assert run([*argv, "--out", str(folder)]) == 2
    finally:
        folder.chmod(0o755)
    assert "cannot write there: Permission denied" in capsys.readouterr().err and not solved


def test_default_folders_nest_a_sweep_inside_a_solve(tmp_path, monkeypatch):
    """runs/<name>/base/ holds a solve and sweep/ inside it: neither is the other's foreign file."""
    monkeypatch.chdir(tmp_path)
    assert run(SWEEP) == 0
    assert run(["solve", EXAMPLE]) == 0
    assert run(["solve", EXAMPLE, "--force"]) == 0
    base = tmp_path / "runs" / "tiny-two-nations" / "base"
    assert (base / "solution.json").exists() and (base / "sweep" / "sweep.csv").exists()
    assert run(SWEEP) == 0  # resumes: nothing to do
    assert not list(tmp_path.rglob(LOCK))  # no lock left behind once the runs are over


def test_a_folder_inside_another_run_is_refused(tmp_path, capsys):
    assert run(["resilience", str(TINY / "hand-resilience.yaml"), "--out", str(tmp_path), "--no-progress"]) == 0
    before = (tmp_path / "base" / "solution.json").read_text()
    assert run(["solve", EXAMPLE, "--out", str(tmp_path / "base")]) == 2
    assert "is part of the 'interop resilience' run" in capsys.readouterr().err
    assert (tmp_path / "base" / "solution.json").read_text() == before


def test_a_forced_sweep_while_another_sweep_writes_is_refused(tmp_path, capsys):
    """Two processes: the second run into the folder stops at once, naming the first one's pid."""
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "busy"
    grid = ["-p", "command_nodes.JFC.capacity", "--values", "1,2,3", "-p", "tasks.defend-north.demand"]
    argv = [sys.executable, "-m", "interop", "sweep", EXAMPLE, *grid, "--values", "10:60:1", "--no-progress"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen([*argv, "-o", str(out)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 120
        while time.time() < deadline and not list((out / "points").glob("*/solution.json")):
            time.sleep(0.05)
        assert proc.poll() is None, "the first sweep ended before the second started"
        second = ["sweep", EXAMPLE, "-p", "parameters.autonomy_scale", "--values", "0,1", "--force", "-o", str(out)]
        assert run(second) == 2
        assert f"another interop run is writing to {out} (pid {proc.pid})" in capsys.readouterr().err
        assert json.loads((out / "sweep.json").read_text())["params"]["command_nodes.JFC.capacity"] == [1, 2, 3]
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
