"""The report of a robust plan (:mod:`interop.analyses.robust`): price of robustness, per-case table, summary.

Each case's effectiveness is given three ways: ``best`` (every admissible
link active, the most any structure allows), ``plain`` (re-planned within the
plain optimum's structure) and ``robust`` (within the robust plan's); a run
is a ``(status, effectiveness or None, values)`` triple.
"""

from __future__ import annotations

import math

import pandas as pd

from interop.solution.solution import Solution

SOLVED = ("optimal", "feasible")


def _worst(rows: dict, which: str) -> tuple[str | None, float | None]:
    """The case with the least effectiveness under ``which`` structure (an infeasible one first)."""
    live = [(c, r[which]) for c, r in rows.items() if r["best"][0] in SOLVED and which in r]
    if not live:
        return None, None
    bad = [c for c, run in live if run[1] is None]
    if bad:
        return bad[0], None
    case, run = min(live, key=lambda item: item[1][1])
    return case, run[1]


def price(plain: Solution, sol: Solution, rows: dict) -> dict:
    """The price of robustness: plain optimum against robust plan, in Z, effectiveness and worst case."""

    def side(s: Solution, which: str) -> dict:
        case, eff = _worst(rows, which)
        ok = s.has_solution
        return {
            "objective": s.objective if ok else None,
            "effectiveness": s.metrics["effectiveness"] if ok else None,
            "links": list(s.links),
            "worst_case": case,
            "worst_effectiveness": eff,
        }

    p, r = side(plain, "plain"), side(sol, "robust")
    price = {}
    for key in ("objective", "effectiveness"):
        if p[key] is not None and r[key] is not None:
            price[key] = p[key] - r[key]
            price[f"{key}_pct"] = 100 * (p[key] - r[key]) / abs(p[key]) if p[key] else 0.0
    return {"plain": p, "robust": r, "price": price}


def cases_record(rows: dict) -> dict:
    """The ``case_effectiveness`` of the ``robust`` key: status and best, plain and robust effectiveness."""

    def eff(run):
        return None if run is None else run[1]

    return {
        c: {
            "status": r["best"][0],  # infeasible: under any structure; no_solution: not decided in time
            "best": eff(r["best"]),
            "plain": eff(r.get("plain")),
            "robust": eff(r.get("robust")),
        }
        for c, r in rows.items()
    }


def table(plain: Solution, sol: Solution | None, rows: dict, level: float | None) -> pd.DataFrame:
    """One row per case (the base plans first): effectiveness at best, within the plain and the robust structure."""
    nan = math.nan

    def eff(run):
        return nan if run is None or run[1] is None else run[1]

    out = [
        {
            "case": "base",
            "kind": "base",
            "target": "",
            "status": plain.status,
            "excluded": False,
            "best_effectiveness": nan,
            "plain_effectiveness": plain.metrics["effectiveness"] if plain.has_solution else nan,
            "robust_effectiveness": sol.metrics["effectiveness"] if sol is not None and sol.has_solution else nan,
            "level": nan,
            "meets_level": True,
        }
    ]
    for case, r in rows.items():
        kind, _, target = case.partition(":")
        excluded = r["best"][0] not in SOLVED
        robust = eff(r.get("robust"))
        out.append(
            {
                "case": case,
                "kind": kind,
                "target": target,
                "status": r["best"][0],
                "excluded": excluded,
                "best_effectiveness": eff(r["best"]),
                "plain_effectiveness": eff(r["plain"]),
                "robust_effectiveness": robust,
                "level": nan if level is None else level,
                "meets_level": not excluded and (not math.isnan(robust) and (level is None or robust >= level - 1e-9)),
            }
        )
    return pd.DataFrame(out)


def robust_lines(record: dict) -> list[str]:
    """Console summary lines of a robust plan's record."""
    if not record:
        return []
    if "plain" not in record:  # no plan: the message is in the summary; say what each case can reach
        best = [
            f"{c} {v['best']:.1%}" for c, v in record.get("case_effectiveness", {}).items() if v["best"] is not None
        ]
        return [f"  robust ({record['kind']}): best effectiveness under any structure: {', '.join(best) or 'none'}"]
    p, r, price = record["plain"], record["robust"], record["price"]
    what = (
        f"floor {record['floor']:g} × {record['benchmark_effectiveness']:.4g}" if record["floor"] else "max worst case"
    )
    count = f"{record['cases']} case" + ("" if record["cases"] == 1 else "s")
    lines = [f"  robust ({record['kind']}, {count}, {what}; level {record['level'] or 0:.4g}; {record['model']})"]

    def worst(side):
        eff = side["worst_effectiveness"]
        return f"{side['worst_case']} " + ("infeasible" if eff is None else f"{eff:.1%}") if side["worst_case"] else "-"

    if price:
        lines.append(
            f"  price of robustness (plain -> robust): Z {p['objective']:.6g} -> {r['objective']:.6g}"
            f" ({0.0 - price['objective']:+.4g}, {0.0 - price['objective_pct']:+.2f} %), effectiveness"
            f" {p['effectiveness']:.1%} -> {r['effectiveness']:.1%} ({0.0 - price['effectiveness']:+.4g},"
            f" {0.0 - price['effectiveness_pct']:+.2f} %)"
        )
    lines.append(f"  worst case re-planned within the structure: plain {worst(p)}, robust {worst(r)}")
    cases = record["case_effectiveness"]
    for status, what in (("infeasible", "infeasible under any structure"), ("no_solution", "not decided in time")):
        left = [c for c, v in cases.items() if v["status"] == status]
        if left:
            lines.append(f"  {what} (left out): {', '.join(left)}")
    return lines
