"""What the stable-plan rule costs: one solve against the solve plus its tie-break, per scenario.

    python benchmarks/tie_break_bench.py [--instances a.yaml,b.yaml] [--repeats 3] [--threads 1,2]

Every solve reports, among the optimal plans, the one with the least weighted
autonomy loss (``interop.solver.ties.least_among_optima``). For each scenario
of each instance this prints the median wall time of the matrix build + HiGHS
run without the tie-break (``mm.tie_break = None``), with the tie-break as it
was before 2026-12-04 (straight to the second run with the row Z ≥ Z* − tol,
``perturb=False``) and as it is now (a perturbed run first, the row only when
it proves nothing), for each thread count, the ratios to the plain run, which
way decided, and whether all reach the same Z and the same Σ α Aut. Variants
alternate within a repeat so all see the same load. Run on an idle machine;
compare ratios measured in one run.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from pathlib import Path

from interop.instance.loading import load_instance
from interop.model.data import model_data
from interop.model.matrix import build_matrix
from interop.solver.highs import highs_for, run_highs
from interop.solver.profiles import profile_options
from interop.solver.ties import least_among_optima

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ["instances/us-rok-cfc.yaml", "instances/nato-efp.yaml", "instances/indo-pacific.yaml"]


def _timed(inst, options: dict, mode: str) -> tuple[float, float | None, float | None, str]:
    """Wall seconds, Z, Σ α Aut and the deciding way of one build + run; ``mode``: plain, row or now."""
    began = time.perf_counter()
    mm, _, _ = build_matrix(model_data(inst))
    secondary = mm.tie_break
    if mode == "plain":
        mm.tie_break = None
    h = highs_for(mm, options)
    run = run_highs(h)
    if mode != "plain":
        run = least_among_optima(h, mm, mm.cost, run, perturb=mode == "now")
    loss = float(secondary @ run.values) if run.values is not None else None
    return time.perf_counter() - began, run.objective, loss, run.tie_break


def _same(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and abs(a - b) <= 1e-6 * max(1.0, abs(a))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", default=",".join(DEFAULT))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", default="1,2")
    args = parser.parse_args()
    threads = [int(t) for t in args.threads.split(",")]
    _, options = profile_options("default", None, None)
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    print(f"# medians of {args.repeats} wall seconds (build + HiGHS), default profile")
    print("| instance | scenario | threads | without the tie-break | row only (before) | ratio | now | ratio | way |")
    print("|---|---|---|---|---|---|---|---|---|")
    before, now, agree = [], [], True
    for path in args.instances.split(","):
        base = load_instance(ROOT / path)
        for scenario in [None, *base.scenarios]:
            inst = load_instance(ROOT / path, scenario)
            for n in threads:
                opts = dict(options, threads=n)
                times: dict[str, list[float]] = {"plain": [], "row": [], "now": []}
                for _ in range(args.repeats):
                    runs = {mode: _timed(inst, opts, mode) for mode in times}
                    for mode, (t, *_) in runs.items():
                        times[mode].append(t)
                    (_, z0, _, _), (_, z1, a1, _), (_, z2, a2, way) = runs.values()
                    agree &= _same(z0, z1) and _same(z1, z2) and _same(a1, a2)
                p, r, w = (statistics.median(times[m]) for m in ("plain", "row", "now"))
                before.append(r / p)
                now.append(w / p)
                print(
                    f"| {base.name} | {scenario or 'base'} | {n} | {p:.2f} s | {r:.2f} s | {r / p:.1f}× "
                    f"| {w:.2f} s | {w / p:.1f}× | {way or '–'} |",
                    flush=True,
                )
    ratios = f"row only {statistics.median(before):.2f}, now {statistics.median(now):.2f}"
    print(f"# median ratio to the plain run: {ratios}")
    print(f"# every row: the same Z with and without the tie-break, the same Σ α Aut both ways: {agree}")


if __name__ == "__main__":
    main()
