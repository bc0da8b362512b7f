"""The committed reference results in results/ are what the current code writes (scripts/refresh_results.py).

Every shipped instance and scenario has its folder and nothing else is there;
each folder has its output manifest, listing what is in it; a fresh solve
reproduces each status and objective (the flagships' solves are marked slow).
"""

import json
from pathlib import Path

import pytest

import interop
from interop.instance.loading import load_instance
from interop.solution.outdir import MANIFEST

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "results"
TINY = ROOT / "instances" / "tiny"


def _instance_files() -> dict[str, Path]:
    files = {}
    for path in sorted((ROOT / "instances").rglob("*")):
        if path.suffix in (".yaml", ".yml", ".json"):
            files[load_instance(path).name] = path
    return files


FILES = _instance_files()
REFERENCES = sorted(RESULTS.glob("*/*/solution.json"))


def _case(path: Path):
    """A reference solution as a test case; the flagships (not under instances/tiny/) are slow to solve."""
    name = path.parent.parent.name
    small = name in FILES and FILES[name].is_relative_to(TINY)
    return pytest.param(path, id=f"{name}/{path.parent.name}", marks=() if small else pytest.mark.slow)


def test_every_shipped_scenario_has_reference_results_and_nothing_else_is_there():
    expected = {
        f"{name}/{scenario or 'base'}"
        for name, path in FILES.items()
        for scenario in [None, *load_instance(path).scenarios]
    }
    found = {p.parent.relative_to(RESULTS).as_posix() for p in REFERENCES}
    assert found >= expected, f"no results for {sorted(expected - found)}"
    assert found <= expected, f"results of no shipped instance or scenario: {sorted(found - expected)}"
    assert {p.name for p in RESULTS.iterdir()} == set(FILES)
    assert {p.relative_to(RESULTS).as_posix() for p in RESULTS.glob("*/*")} == expected


@pytest.mark.parametrize("folder", sorted({p.parent for p in RESULTS.rglob(MANIFEST)} | {p.parent for p in REFERENCES}))
def test_every_result_folder_has_a_manifest_listing_what_is_there(folder):
    """The manifest lists exactly the folder's files (a subfolder with its own manifest is another run's)."""
    manifest = json.loads((folder / MANIFEST).read_text())
    own_runs = [p.parent for p in folder.rglob(MANIFEST) if p.parent != folder]
    present = {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p.name != MANIFEST and not any(p.is_relative_to(run) for run in own_runs)
    }
    listed = set(manifest["files"])
    assert listed <= present, f"listed but missing: {sorted(listed - present)}"
    assert present <= listed, f"files no run of this folder wrote: {sorted(present - listed)}"


@pytest.mark.parametrize("path", [_case(p) for p in REFERENCES])
def test_reference_result_is_reproduced(path):
    ref = json.loads(path.read_text())
    assert ref["format"] == "interop-solution/1"
    sol = interop.solve(FILES[ref["instance"]], scenario=ref["scenario"])
    assert sol.status == ref["status"]
    if ref["objective"] is not None:
        assert sol.objective == pytest.approx(ref["objective"], rel=1e-6, abs=1e-6)
