"""Alliance resilience: what a withdrawal, a lost headquarters or a lost link costs the plan.

Starting from the optimal plan of an instance, one case per

- ``withdraw:<nation>`` for every nation with platforms: its platforms leave,
  its national command nodes close with every link touching them;
  multinational nodes stay, the leaver is dropped from their members and, if
  it led one, the lead is cleared (the node has no lead, as in version 1 of
  the formulation; the remaining members keep κ_s);
- ``lose-node:<node>`` for every non-root command node: the node and its links go;
- ``lose-link:<link>`` for every link the base plan activates.

Each case has two answers. **Kept**: the base plan minus what is gone (the
leaver's units, units under a closed node, links of a closed node, and the
integration of nodes no longer joined to a root together with their
integrated units), scored by the independent evaluator
(:func:`interop.evaluate.evaluate`) on the reduced instance, with the
constraints it now breaks. **Re-planned**: the optimum of the reduced
instance, by the normal :func:`interop.solve.solve`; a reduced instance whose
burden floors or coverages can no longer be met is reported ``infeasible``.

With ``out``, each re-planned ``solution.json`` goes to
``out/cases/<case>/`` and the table to ``out/resilience.csv``; the same call
after a kill solves the missing cases only (:mod:`interop.runs`).
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from interop.analyses.runs import RunDir, closes_run_dirs, execute, progress_bar, worker_threads, write_point
from interop.instance.schema import Instance
from interop.solution.evaluate import Assignment, evaluate, joined_to_root
from interop.solver import stop

RESILIENCE_FORMAT = "interop-resilience/1"
KINDS = ("withdraw", "lose-node", "lose-link")


def withdraw(inst: Instance, nation: str) -> Instance:
    """``inst`` without ``nation``'s platforms and national nodes (and their links).

    The nation stays in ``nations`` (with nothing to commit, its burden floor
    is 0), so tasks that name it and references to it stay valid; it leaves
    the members of multinational nodes and, where it led, the lead is cleared.
    """
    if nation not in {n.id for n in inst.nations}:
        raise KeyError(f"no nation '{nation}'")
    closed = {c.id for c in inst.command_nodes if not c.multinational and c.nation == nation}
    nodes = []
    for c in inst.command_nodes:
        if c.id in closed:
            continue
        if c.multinational and nation in (c.members or []):
            lead = None if c.lead == nation else c.lead
            c = c.model_copy(update={"members": [m for m in c.members if m != nation], "lead": lead})
        nodes.append(c)
    return inst.model_copy(
        update={
            "platforms": [p for p in inst.platforms if p.nation != nation],
            "command_nodes": nodes,
            "links": [x for x in inst.links if not set(x.between) & closed],
        }
    )


def lose_node(inst: Instance, node: str) -> Instance:
    """``inst`` without command node ``node`` and the links touching it."""
    if node not in {c.id for c in inst.command_nodes}:
        raise KeyError(f"no command node '{node}'")
    return inst.model_copy(
        update={
            "command_nodes": [c for c in inst.command_nodes if c.id != node],
            "links": [x for x in inst.links if node not in x.between],
        }
    )


def lose_link(inst: Instance, link: str) -> Instance:
    """``inst`` without link ``link``."""
    if link not in {x.id for x in inst.links}:
        raise KeyError(f"no link '{link}'")
    return inst.model_copy(update={"links": [x for x in inst.links if x.id != link]})


def reduced(inst: Instance, case: str) -> Instance:
    """The reduced instance of ``case`` (``withdraw:N``, ``lose-node:C`` or ``lose-link:L``)."""
    kind, _, target = case.partition(":")
    if kind == "withdraw":
        return withdraw(inst, target)
    if kind == "lose-node":
        return lose_node(inst, target)
    if kind == "lose-link":
        return lose_link(inst, target)
    raise ValueError(f"unknown case '{case}' (withdraw:N, lose-node:C or lose-link:L)")


def cases(inst: Instance, base: dict) -> list[str]:
    """Every case of ``inst`` given its base plan ``base`` (a solution document)."""
    with_platforms = {p.nation for p in inst.platforms}
    out = [f"withdraw:{n.id}" for n in inst.nations if n.id in with_platforms]
    out += [f"lose-node:{c.id}" for c in inst.command_nodes if not c.root]
    out += [f"lose-link:{lid}" for lid in base.get("links", [])]
    return out


def kept_plan(reduced_inst: Instance, base: dict) -> tuple[list[Assignment], list[str], list[str]]:
    """The base plan minus what ``reduced_inst`` lost: (assignments, links, integrated nodes)."""
    platforms = {p.id for p in reduced_inst.platforms}
    nodes = {c.id for c in reduced_inst.command_nodes}
    links = [lid for lid in base.get("links", []) if lid in {x.id for x in reduced_inst.links}]
    joined = joined_to_root(reduced_inst, links)
    integrated = [c for c in base.get("integrated_nodes", []) if c in nodes and c in joined]
    kept = []
    for a in base.get("assignments", []):
        if a["platform"] not in platforms or a["command"] not in nodes:
            continue
        units = int(a["units"])
        plugged = int(a["integrated_units"]) if a["command"] in integrated else 0
        kept.append(Assignment(a["platform"], a["task"], a["command"], units, plugged))
    return kept, links, integrated


def solve_case(job: dict) -> list[tuple[str, dict]]:
    """Re-plan one case (here or in a worker); returns [(case, solution document)]."""
    from interop.solve import solve

    inst: Instance = job["instance"]
    case = job["case"]
    sol = solve(reduced(inst, case), profile=job["profile"], **job["limits"])
    stop.check()  # a case cut short by a signal is not finished: never written or returned
    doc = sol.to_dict()
    doc["resilience"] = {"case": case, "fingerprint": job["fingerprint"]}
    if job.get("points_dir") is not None:
        write_point(job["points_dir"], case, doc)
    if job.get("emit") is not None:
        job["emit"](case, doc)
        return []
    return [(case, doc)]


def _metric(doc: dict, key: str) -> float:
    value = (doc.get("metrics") or {}).get(key)
    return math.nan if value is None else float(value)


def row(inst: Instance, base: dict, case: str, doc: dict) -> dict:
    """One row of the resilience table: the case's re-planned and kept answers and drops."""
    kind, _, target = case.partition(":")
    small = reduced(inst, case)
    kept = evaluate(small, *kept_plan(small, base))
    solved = doc["status"] in ("optimal", "feasible")
    objective = doc["objective"] if solved else math.nan
    eff = _metric(doc, "effectiveness")
    base_obj, base_eff = base["objective"], base["metrics"]["effectiveness"]
    out = {
        "case": case,
        "kind": kind,
        "target": target,
        "status": doc["status"],
        "objective": objective,
        "effectiveness": eff,
        "weighted_autonomy_loss": _metric(doc, "weighted_autonomy_loss"),
        "kept_objective": kept.objective,
        "kept_effectiveness": kept.effectiveness,
        "kept_feasible": kept.feasible,
        "kept_violations": "; ".join(kept.violations),
        "objective_drop": base_obj - objective,
        "effectiveness_drop": base_eff - eff,
        "kept_objective_drop": base_obj - kept.objective,
        "kept_effectiveness_drop": base_eff - kept.effectiveness,
        "replan_gain": objective - kept.objective,
    }
    nations = {r["nation"]: r["autonomy_loss"] for r in doc.get("nations", [])}
    for n in inst.nations:
        out[f"autonomy_loss_{n.id}"] = nations.get(n.id, math.nan)
    return out


def table(inst: Instance, base: dict, docs: dict[str, dict], names: list[str]) -> pd.DataFrame:
    """The ranked table: worst case first (infeasible before any drop), single points of failure marked.

    Cases rank by the re-planned objective drop (infeasible: infinite), ties
    broken by the kept plan's effectiveness drop. ``spof`` marks, within each
    kind, the case whose loss costs most (all tied ones).
    """
    rows = [row(inst, base, c, docs[c]) for c in names if c in docs]
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    key = frame["objective_drop"].fillna(math.inf)
    frame = frame.assign(_key=key).sort_values(["_key", "kept_effectiveness_drop"], ascending=False, kind="stable")
    frame.insert(0, "rank", range(1, len(frame) + 1))
    worst = frame.groupby("kind")["_key"].transform("max")
    frame["spof"] = (frame["_key"] >= worst - 1e-9) & (frame["_key"] > 1e-9)
    return frame.drop(columns="_key").reset_index(drop=True)


@closes_run_dirs
def resilience(
    target: str | Path | Instance,
    *,
    scenario: str | None = None,
    out: str | Path | None = None,
    workers: int = 1,
    executor: str = "local",
    scheduler: str | None = None,
    profile: str = "default",
    time_limit: float | None = None,
    gap: float | None = None,
    force: bool = False,
    progress: bool = False,
    only: list[str] | None = None,
) -> pd.DataFrame:
    """The resilience table of ``target`` (see the module docstring); ``only`` limits the cases.

    The base plan is solved here (and written to ``out/base/solution.json``);
    if it has no solution there is nothing to keep and the table is empty.
    Raises :class:`interop.runs.RunConflict` when ``out`` holds another run.
    """
    from interop.analyses.grid import fingerprint
    from interop.instance.loading import load_instance
    from interop.solve import solve
    from interop.solver.profiles import profile_options

    stop.fresh()
    inst = load_instance(target, scenario) if isinstance(target, (str, Path)) else target
    name, options = profile_options(profile, time_limit, gap)
    limits = {"time_limit": time_limit, "gap": gap}
    base = solve(inst, profile=profile, **limits).to_dict()
    stop.check()  # a base plan cut short would be the wrong plan to lose things from
    names = cases(inst, base) if base["status"] in ("optimal", "feasible") else []
    if only is not None:
        for case in only:
            reduced(inst, case)  # an unknown case or target fails here, before any solve
        names = list(only)
    manifest = {
        "format": RESILIENCE_FORMAT,
        "instance": inst.name,
        "scenario": inst.scenario,
        "fingerprint": fingerprint(inst),
        "cases": names,
        "profile": name,
        "options": options,
    }
    claims = ["base/solution.json", "resilience.csv", *(f"cases/{c}/solution.json" for c in names)]
    run_dir = None if out is None else RunDir(out, "resilience.json", manifest, force, points="cases", claims=claims)
    docs: dict[str, dict] = {}
    if run_dir is not None:
        write_point(run_dir.path, "base", base)
        for case, doc in run_dir.finished().items():
            if case in names and (doc.get("resilience") or {}).get("fingerprint") == manifest["fingerprint"]:
                docs[case] = doc
    if not names:  # no base plan, or nothing in it to lose (frame.attrs says which)
        frame = pd.DataFrame()
        frame.attrs["base_status"] = base["status"]
        if run_dir is not None:
            run_dir.write_table("resilience.csv", frame)
        return frame
    parallel = workers > 1 or executor != "local"
    threads = {"threads": worker_threads(workers)} if parallel else {}
    job_profile = profile_with(profile, threads)
    jobs = [
        {
            "instance": inst,
            "case": case,
            "fingerprint": manifest["fingerprint"],
            "profile": job_profile,
            "limits": limits,
            "points_dir": str(run_dir.points_dir) if run_dir is not None and executor == "local" else None,
        }
        for case in names
        if case not in docs
    ]
    bar = progress_bar(progress, len(names), f"resilience {inst.name}")
    with bar:
        bar.update(bar.task_ids[0], completed=len(docs))

        def on_result(case: str, doc: dict) -> None:
            if run_dir is not None and executor != "local":
                run_dir.write_point(case, doc)
            docs[case] = doc
            if run_dir is not None:
                run_dir.write_table("resilience.csv", table(inst, base, docs, names))
            bar.update(bar.task_ids[0], completed=len(docs))

        try:
            execute(jobs, solve_case, on_result, executor=executor, workers=workers, scheduler=scheduler)
        except stop.Interrupted as exc:
            kept = len([c for c in (run_dir.finished() if run_dir is not None else docs) if c in names])
            where = str(out) if out is not None else None
            raise stop.Interrupted(exc.signum, kept, len(names), where, unit="cases") from None
    frame = table(inst, base, docs, names)
    if run_dir is not None:
        run_dir.write_table("resilience.csv", frame)
    return frame


def profile_with(profile, extra: dict):
    """``profile`` (a name or :class:`SolverProfile`) with ``extra`` options added."""
    from dataclasses import replace

    from interop.solver.profiles import load_profile

    prof = load_profile(profile) if isinstance(profile, str) else profile
    if not extra:
        return prof
    return replace(prof, options={**prof.options, **extra})


def single_points_of_failure(frame: pd.DataFrame) -> dict[str, list[str]]:
    """The targets marked ``spof`` in ``frame``, by kind."""
    if frame.empty:
        return {}
    return {k: list(g.loc[g["spof"], "target"]) for k, g in frame.groupby("kind", sort=False)}


def instance_document(inst: Instance) -> dict:
    """``inst`` as an instance document (no scenarios), e.g. to write a reduced instance to a file."""
    doc = inst.model_dump(mode="json", exclude_none=True)
    doc.pop("scenarios", None)
    return doc
