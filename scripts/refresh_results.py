"""Re-solve every shipped instance and scenario into results/ (the reference results).

Usage: python scripts/refresh_results.py [FILE ...]   (default: every file in instances/)
tests/solution/test_reference_results.py re-solves them and compares the objectives.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from interop.cli.app import run  # noqa: E402
from interop.instance.loading import load_instance  # noqa: E402


def instance_files() -> list[Path]:
    return sorted(p for p in (ROOT / "instances").rglob("*") if p.suffix in (".yaml", ".yml", ".json"))


def main(argv: list[str]) -> int:
    files = [Path(a) for a in argv] or instance_files()
    worst = 0
    for path in files:
        base = load_instance(path)
        for scenario in [None, *base.scenarios]:
            out = ROOT / "results" / base.name / (scenario or "base")
            args = ["solve", str(path), "--out", str(out), "--force"]
            code = run(args + (["--scenario", scenario] if scenario else []))
            worst = max(worst, 0 if code in (0, 1) else code)
    return worst


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
