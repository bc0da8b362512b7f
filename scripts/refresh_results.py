"""Rebuild results/ (the reference results) exactly as the current code writes them.

Usage: python scripts/refresh_results.py [FILE ...]   (default: every file in instances/)

For each instance file, every scenario (and the base) is solved into
``results/<instance>/<scenario or base>/``, and the frontier runs the docs
point to (:data:`FRONTIERS`) into their ``frontier/`` subfolder with their
figures (``scripts/figures.py``), and the resilience runs the brief reads
(:data:`RESILIENCE`) into their ``resilience/`` subfolder and the withdrawal-robust plans
(:data:`ROBUST`) into ``robust-withdrawal/``. Each instance's folder is built afresh
beside the old one and swapped in whole, so no file an older version wrote
stays behind and every folder has its output manifest
(``.interop-manifest.json``). Without FILE, the folders of ``results/`` that
no shipped instance writes are removed too (``results/`` is this script's own
tree). tests/solution/test_reference_results.py re-solves the small instances
and compares the objectives.

``python scripts/refresh_results.py --resilience-only [FILE ...]`` rebuilds only
the resilience folders (``results/<instance>/<scenario>/resilience/``) of the
instances :data:`RESILIENCE` names, leaving every other result as it is;
``--robust-only`` likewise the withdrawal-robust plans
(``results/<instance>/<scenario>/robust-withdrawal/``, :data:`ROBUST`);
``--keep-extra`` rebuilds everything else and keeps those folders as they are.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "results"
sys.path.insert(0, str(ROOT))

from interop.cli.app import run  # noqa: E402
from interop.errors import InstanceError  # noqa: E402
from interop.instance.loading import load_instance  # noqa: E402
from scripts import figures  # noqa: E402

# instance name -> (scenario, frontier points): the frontier runs the docs cite (docs/instances.md)
FRONTIERS: dict[str, list[tuple[str, int]]] = {"us-rok-cfc": [("wartime-fcfc", 6)]}
# instance name -> scenarios ("base": the base) whose resilience runs the brief reads (docs/instances.md)
RESILIENCE: dict[str, list[str]] = {"nato-efp": ["base"], "us-rok-cfc": ["base"], "indo-pacific": ["base"]}
# instance name -> scenarios whose withdrawal-robust plan the brief prices (solve --robust withdrawal)
ROBUST: dict[str, list[str]] = {"nato-efp": ["base"], "us-rok-cfc": ["base"], "indo-pacific": ["base"]}
ROBUST_TIME_LIMIT = 120


def instance_files() -> list[Path]:
    """Every shipped instance file."""
    return sorted(p for p in (ROOT / "instances").rglob("*") if p.suffix in (".yaml", ".yml", ".json"))


def build(path: Path, into: Path, extra: bool = True) -> int:
    """Write every result of the instance at ``path`` below ``into``; the worst exit code that is a failure.

    Without ``extra``, the extra runs (:data:`EXTRA_RUNS`) are copied from the
    committed results instead of re-run (they take the better part of an hour
    on nato-efp): ``--keep-extra``.
    """
    base = load_instance(path)
    worst = 0
    for scenario in [None, *base.scenarios]:
        chosen = ["--scenario", scenario] if scenario else []
        code = run(["solve", str(path), "--out", str(into / (scenario or "base")), *chosen])
        worst = max(worst, 0 if code in (0, 1) else code)  # 1: an infeasible scenario is a result too
    for scenario, points in FRONTIERS.get(base.name, []):
        out = into / scenario / "frontier"
        args = ["frontier", str(path), "--scenario", scenario, "--points", str(points), "--out", str(out)]
        worst = max(worst, run([*args, "--no-progress"]))
    if extra:
        return max(worst, build_extra(path, into))
    for kind in EXTRA_RUNS:
        for old in (RESULTS / base.name).glob(f"*/{kind}"):
            shutil.copytree(old, into / old.parent.name / kind)
    return worst


def _resilience_args(path: Path, chosen: list[str], out: Path) -> list[str]:
    return ["resilience", str(path), *chosen, "--out", str(out), "--no-progress"]


def _robust_args(path: Path, chosen: list[str], out: Path) -> list[str]:
    # time-limited on nato-efp (its gap is in solution.json): the brief reports what the run found
    return [
        "solve",
        str(path),
        *chosen,
        "--robust",
        "withdrawal",
        "--time-limit",
        str(ROBUST_TIME_LIMIT),
        "--out",
        str(out),
    ]


# the runs beside a scenario's solve: folder name -> (instance name -> scenarios, the command's arguments)
EXTRA_RUNS: dict[str, tuple[dict[str, list[str]], Callable[[Path, list[str], Path], list[str]]]] = {
    "resilience": (RESILIENCE, _resilience_args),
    "robust-withdrawal": (ROBUST, _robust_args),
}


def build_extra(path: Path, into: Path, kinds: list[str] | None = None) -> int:
    """Write the extra runs (:data:`EXTRA_RUNS`, or those of ``kinds``) of the instance at ``path`` below ``into``."""
    worst, name = 0, load_instance(path).name
    for kind in kinds or list(EXTRA_RUNS):
        table, args = EXTRA_RUNS[kind]
        for scenario in table.get(name, []):
            chosen = [] if scenario == "base" else ["--scenario", scenario]
            worst = max(worst, run(args(path, chosen, into / scenario / kind)))
    return worst


def refresh_extra(files: list[Path], kinds: list[str]) -> int:
    """Rebuild only the extra-run folders of ``kinds`` for ``files`` (each built aside and swapped in whole)."""
    worst = 0
    for path in files:
        name = load_instance(path).name
        for kind in kinds:
            table, args = EXTRA_RUNS[kind]
            for scenario in table.get(name, []):
                with tempfile.TemporaryDirectory(dir=RESULTS, prefix=f".new-{name}.") as tmp:
                    chosen = [] if scenario == "base" else ["--scenario", scenario]
                    fresh = Path(tmp) / kind
                    code = run(args(path, chosen, fresh))
                    if code != 0:
                        print(f"{path}: exit {code}; results/{name}/{scenario}/{kind} left as it was", file=sys.stderr)
                        worst = max(worst, code)
                        continue
                    swap_in(fresh, RESULTS / name / scenario / kind)
    return worst


def swap_in(fresh: Path, target: Path) -> None:
    """Put the folder ``fresh`` where ``target`` is, the old one deleted only once the new one is there."""
    old = target.with_name(f".old-{target.name}")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        target.rename(old)
    fresh.rename(target)
    if old.exists():
        shutil.rmtree(old)


def refresh(files: list[Path], prune: bool, extra: bool = True) -> int:
    """Rebuild the results of ``files``; with ``prune``, remove the folders no file of them writes."""
    RESULTS.mkdir(exist_ok=True)
    worst = 0
    kept: set[str] = set()
    for path in files:
        name = load_instance(path).name
        kept.add(name)  # refreshed, or left as it was after a failure: never pruned
        with tempfile.TemporaryDirectory(dir=RESULTS, prefix=f".new-{name}.") as tmp:
            staging = Path(tmp) / name
            code = build(path, staging, extra)
            if code != 0:  # a failed run: the old results stay as they were
                print(f"{path}: exit {code}; results/{name} left as it was", file=sys.stderr)
                worst = max(worst, code)
                continue
            code = figures.main(Path(tmp))
            if code != 0:
                print(f"{path}: the figures failed (exit {code}); results/{name} left as it was", file=sys.stderr)
                worst = max(worst, code)
                continue
            swap_in(staging, RESULTS / name)
    if prune:
        for stale in sorted(p for p in RESULTS.iterdir() if p.name not in kept):
            print(f"removed {stale.relative_to(ROOT)} (no shipped instance writes it)", file=sys.stderr)
            shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    return worst


def main(argv: list[str]) -> int:
    """Refresh the named files' results, or every shipped instance's (and prune) without arguments."""
    parser = argparse.ArgumentParser(
        prog="refresh_results.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("files", nargs="*", type=Path, help="instance files (default: every file in instances/)")
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--resilience-only", action="store_true", help="rebuild only the resilience folders")
    only.add_argument("--robust-only", action="store_true", help="rebuild only the withdrawal-robust plans")
    only.add_argument("--keep-extra", action="store_true", help="rebuild the rest, keep those folders")
    args = parser.parse_args(argv)
    missing = [f for f in args.files if not f.is_file()]
    for f in missing:
        print(f"error: {f}: no such instance file", file=sys.stderr)
    if missing:
        return 2
    files = args.files or instance_files()
    try:
        for f in files:
            load_instance(f)
    except InstanceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.resilience_only or args.robust_only:
        return refresh_extra(files, ["resilience"] if args.resilience_only else ["robust-withdrawal"])
    return refresh(files, prune=not args.files, extra=not args.keep_extra)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
