"""Exact effectiveness–autonomy frontiers by the epsilon-constraint method.

The front trades the effect objective F = Σ_t w_t E_t − μ Σ_l k_l z_l
against the weighted autonomy loss W = Σ_n α_n Aut_n (formulation.md, the
epsilon-constraint form). Each point is found lexicographically: maximise F
subject to W ≤ ε, then, holding F, minimise W. So every reported point is
efficient (no feasible solution has at least its F with strictly less W), and
non-supported points, which weighted sums miss, are found.

With ``points = K`` the ε grid spans [W_min, W_max] in K values, and, as in
AUGMECON2, grid values that the last point already satisfies are bypassed
(they would find it again). With ``exhaustive``, ε steps just below each
point found, which lists every efficient point (up to the tolerance).
The price of autonomy between adjacent points is ΔF / ΔW: effect given up per
unit of autonomy kept; the knee is the point farthest from the chord between
the two ends, in coordinates scaled to [0, 1].
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from interop.analyses.grid import fingerprint
from interop.analyses.runs import RunDir, closes_run_dirs, progress_bar
from interop.instance.schema import Instance
from interop.solution.files import clean_frame
from interop.solver import stop
from interop.solver.profiles import profile_options

FRONTIER_FORMAT = "interop-frontier/1"
STEP = 1e-5  # ε below a point's W (relative; above HiGHS's MIP feasibility tolerance, 1e-6), and ties


def _tol(value: float) -> float:
    return STEP * max(1.0, abs(value))


def epsilon_grid(w_min: float, w_max: float, points: int) -> list[float]:
    """K values of ε from W_max down to W_min."""
    if points < 2 or w_max - w_min <= _tol(w_max):
        return [w_max]
    return [w_max - k * (w_max - w_min) / (points - 1) for k in range(points)]


@closes_run_dirs
def frontier(
    target: str | Path | Instance,
    *,
    scenario: str | None = None,
    points: int = 11,
    exhaustive: bool = False,
    out: str | Path | None = None,
    profile: str = "default",
    time_limit: float | None = None,
    gap: float | None = None,
    force: bool = False,
    progress: bool = False,
) -> pd.DataFrame:
    """The efficient points of ``target`` (see the module docstring) as a table.

    Columns: point, epsilon, status, gap, weighted_effect, link_cost,
    weighted_autonomy_loss, effectiveness, effect_objective (F), objective
    (the same F, the column's name before effect_objective), price_of_autonomy,
    knee, and ``autonomy_loss.<nation>`` per nation; rows by increasing W.
    With ``out``, each point's ``solution.json`` is written under
    ``out/points/`` as it is found and the table to ``out/frontier.csv`` once
    the frontier is complete (a run stopped by a signal or a kill leaves no
    table, only whole points); a rerun resumes.
    """
    from interop.analyses.parametric import ParametricModel
    from interop.instance.loading import load_instance

    stop.fresh()
    inst = load_instance(target, scenario) if isinstance(target, (str, Path)) else target
    if points < 1:
        raise ValueError("--points must be at least 1")
    name, options = profile_options(profile, time_limit, gap)
    manifest = {
        "format": FRONTIER_FORMAT,
        "instance": inst.name,
        "scenario": inst.scenario,
        "fingerprint": fingerprint(inst),
        "points": points,
        "exhaustive": exhaustive,
        "profile": name,
        "options": options,
    }
    run_dir = RunDir(out, "frontier.json", manifest, force, claims=["frontier.csv"]) if out is not None else None
    finished = run_dir.finished() if run_dir is not None else {}
    if run_dir is not None:  # this run's table, rewritten whole when the frontier is complete
        (run_dir.path / "frontier.csv").unlink(missing_ok=True)
    nations = [n.id for n in inst.nations]
    found: dict[str, dict] = {}
    cache: dict = {}

    def model() -> ParametricModel:
        if "pm" not in cache:
            cache["pm"] = ParametricModel(inst, options, name)
        return cache["pm"]

    label = f"frontier {inst.name}" + (" (exhaustive)" if exhaustive else "")
    bar = progress_bar(progress, None if exhaustive else points, label)

    def point(label: str, epsilon: float | None) -> dict:
        """The solution of one ε (from the run directory when it was solved before)."""
        if label not in finished:
            fp = model().frontier_point(epsilon)
            stop.check()  # a point cut short by a signal is not a point of the frontier
            sol = fp.solution.to_dict()
            sol["frontier"] = {"point": label, "epsilon": sol["parameters"].get("epsilon")}
            if run_dir is not None:
                run_dir.write_point(label, sol)
            finished[label] = sol
        found[label] = finished[label]
        bar.update(bar.task_ids[0], advance=1)
        return finished[label]

    try:
        with bar:
            _walk(point, points, exhaustive, found, bar, model, inst.name)
    except stop.Interrupted as exc:  # no frontier.csv: the points found are kept for the resume
        kept = len(run_dir.finished()) if run_dir is not None else len(found)
        raise stop.Interrupted(exc.signum, kept, None, str(out) if out is not None else None) from None
    return _finish(run_dir, found, nations)


def _walk(point, points: int, exhaustive: bool, found: dict[str, dict], bar, model, name: str) -> None:
    """Solve the frontier's points in order: the top, then the bottom and the ε grid, or every step."""
    top = point("e000", None)
    if _autonomy(top) is None:  # infeasible (or no solution): there is no front
        return
    if exhaustive:
        # the number of points is not known: estimate it from the share of [W_min, W_max] covered
        w_min = _autonomy(model().frontier_point(-math.inf).solution.to_dict())
        task = bar.task_ids[0]
        last, k = top, 1
        while True:
            eps = _autonomy(last) - _tol(_autonomy(last))
            nxt = point(f"x{k:04d}", eps)
            k += 1
            if _autonomy(nxt) is None or _autonomy(nxt) >= _autonomy(last) - _tol(_autonomy(last)) / 2:
                found.pop(f"x{k - 1:04d}", None)  # no point below: the end of the front
                break
            last = nxt
            bar.update(task, **_estimate(k, _autonomy(top), _autonomy(last), w_min, name))
        bar.update(task, total=k, completed=k, description=f"frontier {name} (exhaustive, {k} solves)")
    elif points > 1:
        bottom = point(f"e{points - 1:03d}", -math.inf)
        grid = epsilon_grid(_autonomy(bottom), _autonomy(top), points)
        last_w = _autonomy(top)
        for k, eps in enumerate(grid[1:-1], start=1):
            if eps >= last_w - _tol(last_w):  # AUGMECON2's bypass: the last point satisfies ε
                bar.update(bar.task_ids[0], advance=1)
                continue
            sol = point(f"e{k:03d}", eps)
            if _autonomy(sol) is not None:
                last_w = _autonomy(sol)


def _estimate(done: int, w_top: float, w_last: float, w_min: float | None, name: str) -> dict:
    """Progress-bar fields of an exhaustive run after ``done`` solves, the last at W = ``w_last``.

    The points are assumed spread over W as those found so far, so the total
    is ``done`` over the share of [W_min, W_max] covered (at least one more).
    """
    span = (w_top - w_min) if w_min is not None else 0.0
    covered = (w_top - w_last) / span if span > 0 else 1.0
    total = max(done + 1, round(done / covered)) if covered > 0 else done + 1
    text = f"frontier {name} (exhaustive, W {w_last:.4g} of {w_top:.4g} → {w_min if w_min is not None else 0:.4g})"
    return {"total": total, "description": text}


def _autonomy(sol: dict) -> float | None:
    metrics = sol.get("metrics")
    return None if not metrics else metrics["weighted_autonomy_loss"]


def _finish(run_dir: RunDir | None, found: dict[str, dict], nations: list[str]) -> pd.DataFrame:
    frame = frontier_table(found, nations)
    if run_dir is not None:
        run_dir.write_table("frontier.csv", frame)
    return frame


def frontier_table(found: dict[str, dict], nations: list[str]) -> pd.DataFrame:
    """The efficient points among ``found`` by increasing W, with prices and the knee."""
    rows = []
    for label, sol in found.items():
        metrics = sol.get("metrics")
        if not metrics:
            continue
        loss = {n["nation"]: n["autonomy_loss"] for n in sol.get("nations", [])}
        row = {
            "point": int(label[1:]),
            "epsilon": (sol.get("frontier") or {}).get("epsilon"),
            "status": sol["status"],
            "gap": sol.get("gap"),
            "weighted_effect": metrics["weighted_effect"],
            "link_cost": metrics["link_cost"],
            "weighted_autonomy_loss": metrics["weighted_autonomy_loss"],
            "effectiveness": metrics["effectiveness"],
            "effect_objective": sol["objective"],  # F, the epsilon-constraint form's objective
            "objective": sol["objective"],  # the same F, under its name of version 1 (not Z)
        }
        row.update({f"autonomy_loss.{n}": loss.get(n) for n in nations})
        rows.append(row)
    columns = [
        "point",
        "epsilon",
        "status",
        "gap",
        "weighted_effect",
        "link_cost",
        "weighted_autonomy_loss",
        "effectiveness",
        "effect_objective",
        "objective",
        "price_of_autonomy",
        "knee",
    ] + [f"autonomy_loss.{n}" for n in nations]
    if not rows:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(rows).sort_values(["weighted_autonomy_loss", "objective"], ascending=[True, False])
    frame = _efficient(frame).reset_index(drop=True)
    w, f = frame["weighted_autonomy_loss"].to_numpy(), frame["objective"].to_numpy()
    price = np.full(len(frame), np.nan)
    price[1:] = np.diff(f) / np.diff(w)
    frame["price_of_autonomy"] = price
    frame["knee"] = False
    if len(frame) >= 3:
        frame.loc[knee_index(w, f), "knee"] = True
    return clean_frame(frame[columns])  # no float noise (prices are differences of figures)


def _efficient(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop points another point matches or beats on both F and W (by the tolerance)."""
    keep, best_f = [], -math.inf
    for i, row in frame.iterrows():  # sorted by increasing W
        if row["objective"] > best_f + _tol(row["objective"]):
            keep.append(i)
            best_f = row["objective"]
    return frame.loc[keep]


def knee_index(w: np.ndarray, f: np.ndarray) -> int:
    """The point farthest from the chord between the two ends (scaled to [0, 1])."""
    span_w, span_f = w[-1] - w[0], f[-1] - f[0]
    x = (w - w[0]) / span_w if span_w > 0 else np.zeros_like(w)
    y = (f - f[0]) / span_f if span_f > 0 else np.zeros_like(f)
    distance = np.abs(y - x) / math.sqrt(2)  # the chord is y = x after scaling
    distance[[0, -1]] = -1
    return int(np.argmax(distance))
