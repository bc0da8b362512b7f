"""Benchmark: theatre-scale solves against the straightforward Pyomo + HiGHS build.

    python benchmarks/scale_bench.py [--sizes M,L] [--seeds 1] [--time-limit 60] [--variants straightforward,none,lp]

For each generated instance (``interop generate`` presets, the seeds given),
each variant runs in its own subprocess, end to end from the instance
document to a checked answer, under the same time limit and the default
profile (relative gap 1e-9):

* ``straightforward``: ``interop.build_model`` handed to Pyomo's
  ``pyomo.contrib.solver`` HiGHS interface, as an analyst would without
  interop's own path (the reference);
* ``none``: ``interop.solve(..., start="none")``, the triple model built from
  arrays and handed to HiGHS;
* ``lp``: ``interop.solve(..., start="lp")``, the compact model started from
  the LP relaxation (``interop/solver/start.py``).

It prints the medians over seeds of wall time, and per run the status, the
objective, the bound and the gap against the best valid bound any variant
found for that instance (a variant's own bound is valid for the default
model: HiGHS's dual bound, or the LP relaxation's optimum), and peak memory.
Every sample goes to ``benchmarks/results/<date>-scale-<sizes>.json``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def measure(variant: str, size: str, seed: int, time_limit: float) -> dict:
    """One run in this (fresh) process."""
    from interop.instance.generate import generate
    from interop.instance.loading import parse_instance

    doc = generate(size, seed=seed)
    began = time.perf_counter()
    inst = parse_instance(doc)
    out: dict = {"variant": variant, "size": size, "seed": seed, "time_limit": time_limit}
    if variant == "straightforward":
        from pyomo.contrib.solver.common.factory import SolverFactory

        from interop.model.pyomo_model import build_model

        model = build_model(inst)
        solver = SolverFactory("highs")
        options = {"mip_rel_gap": 1e-9, "mip_abs_gap": 1e-9, "threads": 2}
        left = max(1.0, time_limit - (time.perf_counter() - began))
        res = solver.solve(
            model,
            time_limit=left,
            solver_options=options,
            raise_exception_on_nonoptimal_result=False,
            load_solutions=False,
        )
        res_load = res.incumbent_objective is not None
        out["status"] = str(res.termination_condition).split(".")[-1]
        out["objective"] = res.incumbent_objective if res_load else None
        out["bound"] = res.objective_bound
    else:
        import interop

        sol = interop.solve(inst, time_limit=time_limit, start=variant)
        out["status"], out["objective"], out["bound"] = sol.status, sol.objective, sol.bound
        out["start"] = sol.solver.get("start")
    out["wall_s"] = time.perf_counter() - began
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def _child(variant: str, size: str, seed: int, time_limit: float) -> dict:
    cmd = [sys.executable, __file__, "--measure", variant, "--sizes", size, "--seeds", str(seed)]
    cmd += ["--time-limit", str(time_limit)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        return {"variant": variant, "size": size, "seed": seed, "status": "crashed", "error": proc.stderr[-1500:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def gaps(samples: list[dict]) -> None:
    """Each sample's gap against the best valid bound of its instance (a maximisation)."""
    by_instance: dict[tuple, list[dict]] = {}
    for s in samples:
        by_instance.setdefault((s["size"], s["seed"]), []).append(s)
    for group in by_instance.values():
        bounds = [s["bound"] for s in group if s.get("bound") is not None]
        best = min(bounds) if bounds else None
        for s in group:
            s["best_bound"] = best
            obj = s.get("objective")
            s["gap"] = None if obj is None or best is None else (best - obj) / max(abs(best), 1e-9)


def _fmt(value, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def report(samples: list[dict], variants: list[str]) -> str:
    lines = [
        f"{'size':>5} {'seed':>4} {'variant':>16} {'status':>14} {'wall s':>8} {'objective':>12} "
        f"{'bound':>12} {'gap %':>8} {'peak MB':>8}"
    ]
    for s in samples:
        lines.append(
            f"{s['size']:>5} {s['seed']:>4} {s['variant']:>16} {s.get('status', '-'):>14} "
            f"{_fmt(s.get('wall_s'), '8.1f')} {_fmt(s.get('objective'), '12.2f')} {_fmt(s.get('bound'), '12.2f')} "
            f"{_fmt(None if s.get('gap') is None else 100 * s['gap'], '8.3f')} {_fmt(s.get('peak_mb'), '8.0f')}"
        )
    lines.append("medians over seeds:")
    for size in sorted({s["size"] for s in samples}):
        for v in variants:
            mine = [s for s in samples if s["size"] == size and s["variant"] == v and "wall_s" in s]
            if mine:
                wall = statistics.median(s["wall_s"] for s in mine)
                g = [s["gap"] for s in mine if s.get("gap") is not None]
                gap = _fmt(100 * statistics.median(g), ".3f") if g else "-"
                lines.append(f"  {size} {v:>16}: wall {wall:.1f} s, gap {gap} %, runs {len(mine)}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="M")
    ap.add_argument("--seeds", default="1")
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--variants", default="straightforward,none,lp")
    ap.add_argument("--measure", help=argparse.SUPPRESS)
    args = ap.parse_args()
    seeds = [int(x) for x in args.seeds.split(",")]
    if args.measure:
        print(json.dumps(measure(args.measure, args.sizes, seeds[0], args.time_limit)))
        return
    variants = args.variants.split(",")
    samples = []
    for size in args.sizes.split(","):
        for seed in seeds:
            for v in variants:  # one after another, in the same hour: only ratios within a run mean much
                samples.append(_child(v, size, seed, args.time_limit))
                print(
                    f"  {size} seed {seed} {v}: {samples[-1].get('status')} {samples[-1].get('wall_s', 0):.1f} s",
                    file=sys.stderr,
                    flush=True,
                )
    gaps(samples)
    print(report(samples, variants))
    meta = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="minutes"),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_average": os.getloadavg(),
    }
    out = ROOT / "benchmarks" / "results" / f"{datetime.date.today()}-scale-{args.sizes.replace(',', '')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"meta": meta, "samples": samples}, indent=1))
    print(f"machine: {meta}\nwritten: {out}")


if __name__ == "__main__":
    main()
