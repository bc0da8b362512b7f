"""The ``interop`` command line.

Exit codes: 0 a solution was found (or the file is valid), 1 no solution
(infeasible, unbounded, no solution within the limits, solver error), 2 bad
input or usage (an unwritable ``--out`` included), 3 an unexpected internal
error. Bad input gets one line per problem and no traceback; a traceback is
shown only with ``--debug``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from interop.errors import InstanceError
from interop.safeio import error_line, plain, silence_stdout, unwritable_dir, warning_line

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Alliance command-sharing models: effectiveness against national autonomy.",
    pretty_exceptions_enable=False,
)
WIDTH = None if sys.stdout.isatty() else 160  # tables stay whole when piped or captured
out = Console(highlight=False, soft_wrap=True, width=WIDTH, emoji=False)
err = Console(stderr=True, highlight=False, soft_wrap=True, width=WIDTH, emoji=False)
STATE = {"debug": False}


def _reader_gone() -> None:
    """Rich exits 1 on a broken pipe; ``interop solve … | head -1`` is not a failure."""
    out.quiet = True
    silence_stdout()
    raise BrokenPipeError


out.on_broken_pipe = _reader_gone

InstanceFile = Annotated[Path, typer.Argument(help="Instance file (YAML or JSON).", show_default=False)]
ScenarioOpt = Annotated[str | None, typer.Option("--scenario", "-s", help="Scenario to apply.")]


class Failure(Exception):
    """A failure already explained to the user; carries the exit code."""

    def __init__(self, code: int):
        self.code = code


def fail_input(exc: InstanceError) -> None:
    err.print(error_line(f"{exc.source}: {len(exc.problems)} problem(s)"))
    for problem in exc.problems:
        err.print(f"  {problem}", markup=False)
    raise Failure(2)


def load_or_fail(file: Path, scenario: str | None):
    """The instance of ``file`` (scenario applied), or its problems printed and exit 2."""
    from interop.loading import load_instance

    try:
        return load_instance(file, scenario)
    except InstanceError as exc:
        fail_input(exc)


def profile_or_fail(solver: str):
    """The solver profile ``solver``, or a one-line error and exit 2."""
    from interop.solve import load_profile

    try:
        return load_profile(solver)
    except ValueError as exc:
        err.print(error_line(f"--solver: {exc}"))
        raise Failure(2) from None


@app.callback()
def main(debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False) -> None:
    STATE["debug"] = debug


def default_out_dir(instance_name: str, scenario: str | None) -> Path:
    return Path("results") / instance_name / (scenario or "base")


@app.command()
def solve(
    file: InstanceFile,
    scenario: ScenarioOpt = None,
    out_dir: Annotated[Path | None, typer.Option("--out", "-o", help="Output directory.")] = None,
    solver: Annotated[str, typer.Option("--solver", help="Solver profile in solvers/ (or a path).")] = "default",
    time_limit: Annotated[float | None, typer.Option("--time-limit", min=0, help="Seconds.")] = None,
    gap: Annotated[float | None, typer.Option("--gap", min=0, help="Relative MIP gap.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an earlier solution.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show the HiGHS log.")] = False,
    explain: Annotated[bool, typer.Option("--explain/--no-explain", help="Explain an infeasible instance.")] = True,
) -> None:
    """Solve an instance (or one scenario) and write solution.json and tables."""
    from interop.results import summary
    from interop.solve import solve as run_solve

    inst = load_or_fail(file, scenario)
    profile = profile_or_fail(solver)
    directory = out_dir or default_out_dir(inst.name, inst.scenario)
    if (directory / "solution.json").exists() and not force:
        err.print(error_line(f"{directory}/solution.json exists; use --force or another --out"))
        raise Failure(2)
    problem = unwritable_dir(directory)  # found before the solve, which would otherwise be lost
    if problem:
        err.print(error_line(f"--out {directory}: {problem}"))
        raise Failure(2)
    sol = run_solve(inst, profile=profile, time_limit=time_limit, gap=gap, verbose=verbose)
    if sol.status == "infeasible" and explain:
        from interop.explain import diagnose

        sol.diagnosis = diagnose(inst, profile=profile.name)
    path = sol.write(directory)
    out.print(summary(sol), markup=False)
    out.print(f"  written: {path}", markup=False)
    raise Failure(0 if sol.has_solution else 1)


@app.command()
def validate(file: InstanceFile) -> None:
    """Check the base instance and every scenario; exit 0 if all are valid, else 2."""
    from interop.loading import validate_file

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
    """Explain why an instance is infeasible: a minimal set of conflicting requirements."""
    from interop.explain import diagnose

    inst = load_or_fail(file, scenario)
    found = diagnose(inst, budget=budget)
    name = inst.name + (f" [{inst.scenario}]" if inst.scenario else "")
    if not found:
        out.print(f"{name}: feasible, nothing to explain", markup=False)
        return
    out.print(f"{name}: infeasible because", markup=False)
    for item in found:
        out.print(f"  - {item['text']}", markup=False)
    raise Failure(1)


@app.command()
def info(file: InstanceFile) -> None:
    """Sizes of the base instance and each scenario."""
    from interop.loading import load_instance, parse_instance, read_document
    from interop.sets import model_data

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


def run(argv: list[str] | None = None) -> int:
    """Run the CLI in-process and return its exit code (used by tests and ``main``)."""
    try:
        app(args=argv, standalone_mode=False)
        return 0
    except Failure as exc:
        return exc.code
    except BrokenPipeError:  # the reader went away (| head): not an error of ours
        silence_stdout()
        return 0
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        err.print("aborted", markup=False)
        return 130
    except Exception as exc:  # usage errors (typer's click) and anything unexpected
        if hasattr(exc, "show") and isinstance(getattr(exc, "exit_code", None), int):
            exc.show()
            return exc.exit_code
        if STATE["debug"]:
            raise
        err.print(error_line(f"{type(exc).__name__}: {exc}"))
        err.print("(run with --debug for the traceback)", markup=False)
        return 3


def entry() -> None:
    code = run()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        silence_stdout()
        code = 0
    sys.exit(code)
# commands of other areas register themselves on ``app``
from interop import cli_generate, cli_plot, cli_tradeoff  # noqa: E402,F401
