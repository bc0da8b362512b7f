"""``interop compare``, ``interop explain-plan`` and ``interop report``: from solutions to a briefing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.table import Table

from interop.analyses.limits import MAX_FRONTIER_POINTS
from interop.cli.app import (
    Failure,
    InstanceFile,
    app,
    err,
    fail_input,
    out,
    out_folder,
    profile_or_fail,
    written_or_fail,
)
from interop.errors import InstanceError
from interop.exitcodes import BAD_INPUT, NO_SOLUTION, OK
from interop.safeio import error_line, plain

ScenariosOpt = Annotated[
    str | None, typer.Option("--scenarios", help="Comma-separated scenarios ('base' for the base instance).")
]
SolverOpt = Annotated[str, typer.Option("--solver", help="Solver profile in solvers/ (or a path).")]
TimeOpt = Annotated[float | None, typer.Option("--time-limit", min=0, help="Seconds per solve.")]
ForceOpt = Annotated[
    bool, typer.Option("--force", help="Write into --out although it holds other files (they are kept).")
]


def scenario_list(file: Path, text: str | None) -> list[str]:
    """The scenarios named in ``text``, or the base and every scenario of ``file``."""
    if text:
        return [s.strip() for s in text.split(",") if s.strip()]
    from interop.instance.loading import read_document

    doc = read_document(file)
    return ["base", *((doc.get("scenarios") or {}).keys())]


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def print_frame(title: str, frame: pd.DataFrame, columns: list[str] | None = None) -> None:
    """A DataFrame as a rich table (floats to 4 significant digits)."""
    if frame.empty:
        out.print(f"{title}: none", markup=False)
        return
    cols = [c for c in (columns or list(frame.columns)) if c in frame.columns]
    table = Table(title=plain(title))
    for c in cols:
        table.add_column(plain(c.replace("_", " ")))
    for row in frame[cols].itertuples(index=False):
        table.add_row(*(plain(_fmt(v)) for v in row))  # ids are user text, never markup
    out.print(table)


def print_comparison(cmp) -> None:
    """The comparison's tables on the console."""
    from interop.analyses.compare import SHOWN_COLUMNS

    print_frame("Scenarios", cmp.summary)
    print_frame("Who leads each combined HQ", cmp.leads)
    print_frame(
        "Autonomy loss by nation (units and value by command relation)",
        cmp.nations,
        SHOWN_COLUMNS["nations"],
    )
    print_frame("Task coverage", cmp.tasks, SHOWN_COLUMNS["tasks"])
    print_frame(f"Units that moved against {cmp.baseline} (least-change re-planning)", cmp.moves)
    print_frame(f"Links switched against {cmp.baseline}", cmp.link_changes)
    print_frame(
        f"Nation deltas against {cmp.baseline}",
        cmp.nation_deltas,
        SHOWN_COLUMNS["nation_deltas"],
    )
    print_frame(f"Task deltas against {cmp.baseline}", cmp.task_deltas, SHOWN_COLUMNS["task_deltas"])


@app.command()
def compare(
    file: InstanceFile,
    scenarios: ScenariosOpt = None,
    baseline: Annotated[str | None, typer.Option("--baseline", help="Scenario the others are compared to.")] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", "-o", help="Output directory.")] = None,
    solver: SolverOpt = "default",
    time_limit: TimeOpt = None,
    force: ForceOpt = False,
) -> None:
    """Scenarios side by side and what changes against a baseline (re-planned with the least change)."""
    from interop.analyses.compare import compare as run_compare
    from interop.instance.loading import load_instance

    profile = profile_or_fail(solver)
    directory = out_dir or Path("runs") / Path(file).stem / "compare"
    with out_folder(directory, "compare", force, again="replace") as folder:  # checked before the solves
        try:
            names = scenario_list(file, scenarios)
            for s in {*names, baseline or names[0]}:
                load_instance(file, None if s == "base" else s)
            cmp = run_compare(file, names, baseline, profile=profile.name, time_limit=time_limit)
        except InstanceError as exc:
            fail_input(exc)
        print_comparison(cmp)
        from interop.report.compare_plot import plot_comparison

        def write() -> list[Path]:
            with folder.staging() as tmp:  # the whole result, swapped in when it is complete
                return cmp.write(tmp) + plot_comparison(cmp, tmp / "compare")

        paths = written_or_fail(directory, write)
    out.print(f"  written: {directory}/ ({len(paths)} files)", markup=False)
    if not all(s.has_solution for s in cmp.solutions.values()):
        err.print("error: some scenarios have no solution", markup=False)
        raise Failure(NO_SOLUTION)
    raise Failure(OK)


@app.command()
def report(
    file: InstanceFile,
    scenarios: ScenariosOpt = None,
    out_dir: Annotated[Path | None, typer.Option("--out", "-o", help="Output directory.")] = None,
    points: Annotated[int, typer.Option("--points", min=2, max=MAX_FRONTIER_POINTS, help="Frontier points.")] = 7,
    solver: SolverOpt = "default",
    time_limit: TimeOpt = None,
    force: ForceOpt = False,
    sweep: Annotated[
        list[str] | None,
        typer.Option("--sweep", help="PATH=VALUES (e.g. parameters.autonomy_scale=0:2:0.5): a sweep; repeat."),
    ] = None,
) -> None:
    """One self-contained HTML briefing (figures inlined) on an instance and its scenarios."""
    from interop.analyses.sweep_paths import sweep_values
    from interop.instance.loading import load_instance
    from interop.report.html import build_report
    from interop.solution.files import atomic_write as write_html

    profile = profile_or_fail(solver)
    sweeps = {}
    for spec in sweep or []:
        path, sep, values = spec.partition("=")
        try:
            if not sep or not path.strip():
                raise ValueError("give PATH=VALUES, e.g. parameters.autonomy_scale=0:2:0.5")
            sweeps[path.strip()] = sweep_values(path.strip(), values)
        except (KeyError, ValueError) as exc:
            err.print(error_line(f"--sweep {spec}: {exc.args[0]}"))
            raise Failure(BAD_INPUT) from None
    directory = out_dir or Path("runs") / Path(file).stem / "report"
    with out_folder(directory, "report", force, again="replace") as folder:  # checked before the solves
        try:
            names = scenario_list(file, scenarios)
            for s in names:
                load_instance(file, None if s == "base" else s)
            html = build_report(
                file, names, frontier_points=points, profile=profile.name, time_limit=time_limit, sweeps=sweeps
            )
        except InstanceError as exc:
            fail_input(exc)

        def write() -> Path:
            with folder.staging() as tmp:
                write_html(tmp / "report.html", html)
            return directory / "report.html"

        path = written_or_fail(directory, write)
    out.print(f"written: {path}", markup=False)
    raise Failure(OK)
