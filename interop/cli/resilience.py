"""``interop resilience``: what a withdrawal, a lost HQ or a lost link costs the plan."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from interop.analyses.limits import MAX_ALTERNATIVES
from interop.cli.app import (
    Failure,
    InstanceFile,
    ScenarioOpt,
    app,
    default_out_dir,
    load_or_fail,
    out,
    out_folder,
    profile_or_fail,
)
from interop.cli.tradeoff import (
    ExecutorOpt,
    ForceOpt,
    GapOpt,
    ProgressOpt,
    SchedulerOpt,
    SolverOpt,
    TimeOpt,
    WorkersOpt,
    _refusals,
    parallel_or_fail,
    run_options,
)
from interop.exitcodes import NO_SOLUTION


def plot_resilience(frame: pd.DataFrame, out_base: str | Path) -> list[Path]:
    """A bar chart of each case's effectiveness drop, re-planned against kept (infeasible hatched)."""
    from matplotlib.figure import Figure

    from interop.report.plots import save_figure

    rows = frame.iloc[::-1]
    fig = Figure(figsize=(8, 0.35 * len(rows) + 1.5))
    ax = fig.subplots()
    y = range(len(rows))
    infeasible = rows["status"] != "optimal"
    replanned = rows["effectiveness_drop"].where(~infeasible, rows["kept_effectiveness_drop"])
    ax.barh([i + 0.2 for i in y], rows["kept_effectiveness_drop"], height=0.4, color="#c44e52", label="kept plan")
    bars = ax.barh([i - 0.2 for i in y], replanned, height=0.4, color="#4c72b0", label="re-planned")
    for bar, bad in zip(bars, infeasible):
        if bad:
            bar.set_hatch("//")
            bar.set_facecolor("white")
            bar.set_edgecolor("#4c72b0")
    labels = [
        f"{c}{' ★' if s else ''}{' (infeasible)' if b else ''}"
        for c, s, b in zip(rows["case"], rows["spof"], infeasible)
    ]
    ax.set_yticks(list(y), labels)
    ax.set_xlabel("effectiveness drop against the base plan")
    ax.set_title("resilience (★ single point of failure)")
    ax.legend(loc="lower right")
    fig.tight_layout()
    return save_figure(fig, out_base)


@app.command()
def resilience(
    file: InstanceFile,
    scenario: ScenarioOpt = None,
    out_dir: Annotated[Path | None, typer.Option("--out", "-o", help="Output directory.")] = None,
    workers: WorkersOpt = 1,
    executor: ExecutorOpt = "local",
    scheduler: SchedulerOpt = None,
    solver: SolverOpt = "default",
    time_limit: TimeOpt = None,
    gap: GapOpt = None,
    force: ForceOpt = False,
    progress: ProgressOpt = True,
) -> None:
    """Withdraw each ally, lose each HQ and each active link: kept and re-planned plans, ranked."""
    from interop.analyses.resilience import resilience as run_resilience
    from interop.analyses.resilience import single_points_of_failure

    parallel = parallel_or_fail(workers, executor, scheduler)
    profile_or_fail(solver)
    inst = load_or_fail(file, scenario)
    directory = out_dir or default_out_dir(inst.name, inst.scenario) / "resilience"
    with out_folder(directory, "resilience", force) as folder, _refusals():
        options = run_options(solver, time_limit, gap, force, progress)
        frame = run_resilience(inst, out=directory, **parallel, **options)
        if frame.empty and frame.attrs.get("base_status") in ("optimal", "feasible"):
            what = "no ally with platforms, no non-root HQ, no active link"
            out.print(f"{inst.name}: nothing to lose ({what})", markup=False)
            return
        if frame.empty:
            out.print(f"{inst.name}: the base plan has no solution, so nothing to lose", markup=False)
            raise Failure(NO_SOLUTION)
        out.print(f"{inst.name}: {len(frame)} cases, worst first (effectiveness: re-planned / kept)", markup=False)
        for r in frame.itertuples():
            eff = "infeasible" if r.status not in ("optimal", "feasible") else f"{r.effectiveness:6.1%}"
            broken = "" if r.kept_feasible else "   kept plan breaks constraints"
            out.print(f"  {r.rank:3d} {r.case:30s} {eff:>10s} / {r.kept_effectiveness:6.1%}{broken}", markup=False)
        for kind, targets in single_points_of_failure(frame).items():
            if targets:
                out.print(f"  single point of failure ({kind}): {', '.join(targets)}", markup=False)
        folder.claim(["resilience.png", "resilience.svg"])
        plot_resilience(frame, directory / "resilience")
    out.print(f"  written: {directory / 'resilience.csv'}, {directory / 'resilience.png'}", markup=False)


@app.command()
def alternatives(
    file: InstanceFile,
    scenario: ScenarioOpt = None,
    slack: Annotated[float, typer.Option("--slack", min=0, help="Objective slack, relative to max(1, |Z*|).")] = 0.02,
    count: Annotated[int, typer.Option("--count", "-k", min=1, max=MAX_ALTERNATIVES, help="Alternatives wanted.")] = 3,
    out_dir: Annotated[Path | None, typer.Option("--out", "-o", help="Output directory.")] = None,
    solver: SolverOpt = "default",
    time_limit: TimeOpt = None,
    force: ForceOpt = False,
) -> None:
    """Near-optimal plans as different as possible in command and links; write points/<k>/solution.json."""
    from interop.analyses.alternatives import alternatives as run_alternatives

    profile_or_fail(solver)
    inst = load_or_fail(file, scenario)
    directory = out_dir or default_out_dir(inst.name, inst.scenario) / "alternatives"
    with out_folder(directory, "alternatives", force, again="replace") as folder:
        with folder.staging() as tmp:  # the whole result, swapped in when it is complete
            frame = run_alternatives(inst, slack=slack, count=count, out=tmp, profile=solver, time_limit=time_limit)
            if frame["status"].iloc[0] in ("optimal", "feasible"):
                from interop.report.alternatives_plot import plot_alternatives

                subject = f"{inst.name} [{inst.scenario}]" if inst.scenario else inst.name
                plot_alternatives(frame, tmp / "alternatives", title=f"{subject}: alternatives within slack {slack:g}")
    if frame["status"].iloc[0] not in ("optimal", "feasible"):
        out.print(f"{inst.name}: no solution, so no alternatives", markup=False)
        raise Failure(NO_SOLUTION)
    out.print(f"{inst.name}: optimum and {len(frame) - 1} alternatives within slack {slack:g}", markup=False)
    for r in frame.itertuples():
        out.print(
            f"  {r.k:2d} Z {r.objective:10.4f}  effectiveness {r.effectiveness:6.1%}  distance {r.min_distance:6.2f}"
            f"  (links {r.link_changes:g}, commands {r.command_changes:.2f} from the optimum)",
            markup=False,
        )
    out.print(f"  written: {directory / 'alternatives.csv'}, {directory / 'alternatives.png'}", markup=False)
