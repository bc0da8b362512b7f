"""The committed reference results in results/ are reproduced by a fresh solve."""

import json
from pathlib import Path

import pytest

import interop
from interop.instance.loading import load_instance

ROOT = Path(__file__).resolve().parents[2]


def _instance_files() -> dict[str, Path]:
    files = {}
    for path in sorted((ROOT / "instances").rglob("*")):
        if path.suffix in (".yaml", ".yml", ".json"):
            files[load_instance(path).name] = path
    return files


FILES = _instance_files()
REFERENCES = sorted((ROOT / "results").glob("*/*/solution.json"))


def test_every_shipped_instance_has_reference_results():
    names = {p.parent.parent.name for p in REFERENCES}
    assert set(FILES) <= names, f"no results for {sorted(set(FILES) - names)}"


@pytest.mark.parametrize("path", REFERENCES, ids=[f"{p.parent.parent.name}/{p.parent.name}" for p in REFERENCES])
def test_reference_result_is_reproduced(path):
    ref = json.loads(path.read_text())
    assert ref["format"] == "interop-solution/1"
    sol = interop.solve(FILES[ref["instance"]], scenario=ref["scenario"])
    assert sol.status == ref["status"]
    if ref["objective"] is not None:
        assert sol.objective == pytest.approx(ref["objective"], rel=1e-6, abs=1e-6)
