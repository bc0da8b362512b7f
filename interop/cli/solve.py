"""Commands on one instance: ``solve``, ``validate``, ``explain`` and ``info``."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from interop.cli.app import (
    Failure,
    InstanceFile,
    ScenarioOpt,
    app,
    default_out_dir,
    err,
    fail_input,
    load_or_fail,
    out,
    out_folder,
    profile_or_fail,
    written_or_fail,
)
from interop.errors import InstanceError
from interop.exitcodes import BAD_INPUT, NO_SOLUTION, OK
from interop.safeio import error_line, plain, warning_line


class Start(StrEnum):
    """How ``solve`` starts HiGHS (:func:`interop.solve.solve`'s ``start``)."""

    auto = "auto"
    lp = "lp"
    none = "none"


class Robust(StrEnum):
    """Which single losses ``solve --robust`` protects the command structure against."""

    withdrawal = "withdrawal"
    node = "node"


ROBUST_HELP = (
    "Robust plan: one command structure (links, integrated nodes) for the base case and every single"
    " withdrawal (or lost non-root HQ), re-planned per case; writes the opt-in key robust and robust.csv."
)
FLOOR_HELP = (
    "With --robust: each case re-planned within the structure keeps effectiveness >= F x the plain optimum's"
    " (0 < F <= 1), maximising the base Z; without it the worst case is maximised, then the base Z."
)

START_HELP = (
    "lp: the compact model, started from the LP relaxation (large instances); none: the model as it is;"
    " auto: lp from 20,000 admissible assignments."
)


@app.command()
def solve(
    file: InstanceFile,
    scenario: ScenarioOpt = None,
    out_dir: Annotated[Path | None, typer.Option("--out", "-o", help="Output directory.")] = None,
    solver: Annotated[str, typer.Option("--solver", help="Solver profile in solvers/ (or a path).")] = "default",
    time_limit: Annotated[float | None, typer.Option("--time-limit", min=0, help="Seconds.")] = None,
    gap: Annotated[float | None, typer.Option("--gap", min=0, help="Relative MIP gap.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an earlier result (others' files are kept).")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show the HiGHS log.")] = False,
    explain: Annotated[bool, typer.Option("--explain/--no-explain", help="Explain an infeasible instance.")] = True,
    explain_plan: Annotated[bool, typer.Option("--explain-plan", help="Explain the plan (re-solves).")] = False,
    withdraw: Annotated[
        list[str] | None,
        typer.Option(
            "--withdraw",
            help="What-if: NATION's platforms leave and its national HQs close, with their links (repeat).",
        ),
    ] = None,
    overlay: Annotated[
        Path | None,
        typer.Option("--overlay", help="What-if: a file of edits in a scenario's syntax, applied to the base."),
    ] = None,
    start: Annotated[Start, typer.Option("--start", help=START_HELP)] = Start.auto,
    robust: Annotated[Robust | None, typer.Option("--robust", help=ROBUST_HELP)] = None,
    floor: Annotated[float | None, typer.Option("--floor", help=FLOOR_HELP)] = None,
) -> None:
    """Solve an instance (or one scenario) and write solution.json and tables.

    --time-limit holds from reading the file to writing the result. A signal
    (Ctrl-C, SIGTERM, SIGHUP) stops the solve and writes the best solution
    found (status feasible, termination interrupted); exit 128 + the signal.
    """
    import time

    from interop.solution.solution import summary
    from interop.solve import solve as run_solve
    from interop.solver import stop

    began = time.monotonic()
    deadline = None if time_limit is None else began + time_limit
    if overlay is not None and scenario is not None:
        err.print(error_line("give --scenario or --overlay, not both (an overlay applies to the base instance)"))
        raise Failure(BAD_INPUT)
    _robust_usage(robust, floor, explain_plan)
    inst = load_or_fail(file, scenario) if overlay is None else overlaid_or_fail(file, overlay)
    profile = profile_or_fail(solver)
    leavers = list(dict.fromkeys(withdraw or []))
    if leavers:
        from interop.analyses.resilience import withdraw as without

        unknown = [n for n in leavers if n not in {x.id for x in inst.nations}]
        if unknown:
            err.print(error_line(f"--withdraw: no nation {', '.join(map(repr, unknown))} in {inst.name}"))
            raise Failure(BAD_INPUT)
        for nation in leavers:
            inst = without(inst, nation)
    what = "-".join(["withdraw", *leavers]) if leavers else None
    robust_what = None if robust is None else f"robust-{robust.value}" + ("" if floor is None else f"-floor{floor:g}")
    directory = out_dir or default_out_dir(
        inst.name, "-".join(filter(None, [inst.scenario or "base", what, robust_what]))
    )
    if not explain_plan and robust is None:  # nothing solves after it here unless it has a solution
        stop.solve_once()
    with out_folder(directory, "solve", force, again="refuse"):  # checked and locked before the solve
        if robust is not None:
            from interop.analyses.robust import robust_plan

            sol, table = robust_plan(
                inst, robust.value, floor, profile=profile, time_limit=time_limit, gap=gap, deadline=deadline
            )
            sol.extra_tables = {"robust": table}
        else:
            sol = run_solve(
                inst,
                profile=profile,
                time_limit=time_limit,
                gap=gap,
                verbose=verbose,
                deadline=deadline,
                start=start.value,
            )
        if leavers or overlay is not None:
            sol.what_if = {
                **({"overlay": str(overlay)} if overlay is not None else {}),
                **({"withdraw": leavers} if leavers else {}),
            }
        if sol.status == "infeasible" and explain and robust is None and stop.requested() is None:
            from interop.analyses.explain import DEFAULT_BUDGET, diagnose

            budget = DEFAULT_BUDGET if deadline is None else min(DEFAULT_BUDGET, deadline - time.monotonic())
            sol.diagnosis = diagnose(inst, profile=profile.name, budget=budget, known_infeasible=True)
        if explain_plan and sol.has_solution and stop.requested() is None:
            from interop.analyses.plan_explain import explain_plan as run_explain_plan

            sol.plan_explanation = run_explain_plan(inst, sol, profile.name)
        path = written_or_fail(directory, lambda: sol.write(directory, force=force))
    out.print(summary(sol), markup=False)
    if sol.robust:
        from interop.analyses.robust_report import robust_lines

        out.print("\n".join(robust_lines(sol.robust)), markup=False)
        out.print(f"  robust cases: {directory / 'robust.csv'}", markup=False)
    if sol.plan_explanation:
        from interop.analyses.plan_explain import explanation_lines

        out.print("\n".join(explanation_lines(sol.plan_explanation)), markup=False)
    out.print(f"  written: {path}", markup=False)
    signum = stop.requested()
    if signum is not None:
        kept = "the best solution found" if sol.has_solution else "the run's status (no solution was found)"
        err.print(error_line(f"interrupted by {stop.signal_name(signum)}: {kept} is written"))
        raise Failure(stop.exit_code(signum))
    raise Failure(OK if sol.has_solution else NO_SOLUTION)


def _robust_usage(robust: Robust | None, floor: float | None, explain_plan: bool) -> None:
    """Refuse --floor without --robust, a floor outside (0, 1], and --robust with --explain-plan (exit 2)."""
    problem = None
    if floor is not None and robust is None:
        problem = "--floor needs --robust withdrawal|node"
    elif floor is not None and not 0 < floor <= 1:
        problem = f"--floor {floor:g}: must be above 0 and at most 1 (a share of the plain optimum's effectiveness)"
    elif robust is not None and explain_plan:
        problem = "give --robust or --explain-plan, not both (the explanation is of the plain optimum)"
    if problem is not None:
        err.print(error_line(problem))
        raise Failure(BAD_INPUT)


@app.command()
def validate(file: InstanceFile) -> None:
    """Check the base instance and every scenario; exit 0 if all are valid, else 2."""
    from interop.instance.loading import validate_file

    report = validate_file(file)
    for warning in report.warnings:
        err.print(warning_line(f"{warning}"))
    if not report.ok:
        fail_input(InstanceError(str(file), report.problems))
    names = ", ".join(report.scenarios) or "none"
    out.print(f"{file}: valid (scenarios: {names})", markup=False)


@app.command()
def explain(
    file: InstanceFile,
    scenario: ScenarioOpt = None,
    budget: Annotated[float, typer.Option("--budget", min=1, help="Seconds for the diagnosis.")] = 60.0,
) -> None:
    """Explain why an instance is infeasible: a minimal set of conflicting requirements.

    Exit 0: feasible, nothing to explain; 1: infeasible (the conflict is
    printed), or not decided within --budget (said so).
    """
    from interop.analyses.explain import diagnose, undecided

    inst = load_or_fail(file, scenario)
    found = diagnose(inst, budget=budget)
    name = inst.name + (f" [{inst.scenario}]" if inst.scenario else "")
    if undecided(found):
        out.print(f"{name}: {found[0]['text']}", markup=False)
        raise Failure(NO_SOLUTION)
    if not found:
        out.print(f"{name}: feasible, nothing to explain", markup=False)
        return
    out.print(f"{name}: infeasible because", markup=False)
    for item in found:
        out.print(f"  - {item['text']}", markup=False)
    raise Failure(NO_SOLUTION)


@app.command()
def info(file: InstanceFile) -> None:
    """Sizes of the base instance and each scenario."""
    from interop.instance.loading import load_instance, parse_instance, read_document
    from interop.model.data import model_data

    try:
        base = load_instance(file)
        doc = read_document(file)
        variants = [base] + [parse_instance(doc, s, str(file)) for s in base.scenarios]
    except InstanceError as exc:
        fail_input(exc)
    table = Table(title=plain(f"{base.name}: {base.description or ''}".strip(": ")))
    columns = ("scenario", "nations", "platforms", "units", "tasks", "nodes", "links", "admissible links")
    columns += ("assignments", "combined (led)")
    for col in columns:
        table.add_column(col, justify="left" if col == "scenario" else "right")
    for inst in variants:
        data = model_data(inst)
        table.add_row(
            plain(inst.scenario or "(base)"),
            str(len(inst.nations)),
            str(len(inst.platforms)),
            str(sum(p.count for p in inst.platforms)),
            str(len(inst.tasks)),
            str(len(inst.command_nodes)),
            str(len(inst.links)),
            str(len(data.links)),
            str(len(data.assignments)),
            "{} ({})".format(*_combined(inst)),
        )
    out.print(table)
    leads = Table(title="who leads each combined headquarters")
    leads.add_column("scenario")
    leads.add_column("node")
    leads.add_column("members")
    leads.add_column("lead")
    for inst in variants:
        for c in inst.command_nodes:
            if c.multinational:
                row = (inst.scenario or "(base)", c.id, ", ".join(c.members or []), c.lead or "(none)")
                leads.add_row(*map(plain, row))
    if leads.row_count:
        out.print(leads)


def _combined(inst) -> tuple[int, int]:
    """How many multinational nodes ``inst`` has, and how many of them name a lead."""
    combined = [c for c in inst.command_nodes if c.multinational]
    return len(combined), sum(c.lead is not None for c in combined)


def overlaid_or_fail(file: Path, overlay: Path):
    """The base instance of ``file`` with the overlay's edits applied, or its problems printed and exit 2."""
    from interop.instance.loading import load_with_overlay

    try:
        return load_with_overlay(file, overlay)
    except InstanceError as exc:
        fail_input(exc)
