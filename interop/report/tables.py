"""The briefing's tables, built once for every reader: the HTML report and docs/instances.md.

Each ``*_table`` function is pure: solution documents (``solution.json`` read
as a dict, or :meth:`interop.results.Solution.to_dict`) or an analysis
DataFrame in, a DataFrame of display strings out, its columns the table's
headers in words. ``interop report`` renders them as HTML
(:func:`interop.report.html.html_table`), ``scripts/brief.py`` as markdown
(:func:`markdown`), so that the numbers an analyst reads in the report and in
the brief are the same numbers, rounded the same way.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Mapping

import pandas as pd

from interop.instance.schema import Instance

SOLVED = ("optimal", "feasible")


def num(x: float, nd: int = 3) -> str:
    """``x`` to ``nd`` decimals, trailing zeros dropped (``-0`` is ``0``)."""
    s = f"{x:.{nd}f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def pct(x: float) -> str:
    """A share as a percentage to one decimal (``0.9717`` → ``97.2 %``)."""
    return f"{100 * x:.1f} %"


def markdown(frame: pd.DataFrame) -> str:
    """``frame`` (display strings) as a markdown table, one line per row, no padding (stable diffs)."""
    lines = ["| " + " | ".join(str(c) for c in frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines) + "\n"


def sizes(inst: Instance) -> dict[str, int]:
    """The sizes of an instance, as ``interop info`` counts them."""
    return {
        "nations": len(inst.nations),
        "platforms": len(inst.platforms),
        "units": sum(p.count for p in inst.platforms),
        "tasks": len(inst.tasks),
        "command_nodes": len(inst.command_nodes),
        "combined_HQs": sum(c.multinational for c in inst.command_nodes),
        "links": len(inst.links),
    }


def scenario_table(docs: Mapping[str, dict]) -> pd.DataFrame:
    """Each scenario's status, objective Z and its parts, effectiveness and active links (rows in ``docs``' order)."""
    rows = []
    for sc, s in docs.items():
        m = s.get("metrics") or {}
        solved = s["status"] in SOLVED
        rows.append(
            {
                "scenario": sc,
                "status": f"{s['status']} (gap {num(s.get('gap') or 0, 6)})" if solved else s["status"],
                "objective": num(s["objective"]) if solved else "–",
                "effectiveness": pct(m["effectiveness"]) if solved else "–",
                "weighted effect": num(m["weighted_effect"]) if solved else "–",
                "weighted autonomy loss": num(m["weighted_autonomy_loss"]) if solved else "–",
                "link cost": num(m["link_cost"]) if solved else "–",
                "active links": str(len(s.get("links") or [])),
            }
        )
    return pd.DataFrame(rows)


def by_scenario(docs: Mapping[str, dict], section: str, key: str, cell: Callable[[dict], str]) -> pd.DataFrame:
    """The documents' ``section`` rows by their ``key`` (first seen first), a column per scenario (``–``: absent)."""
    cells: dict[str, dict[str, str]] = defaultdict(dict)
    order: list[str] = []
    for sc, doc in docs.items():
        for entry in doc.get(section) or []:
            if entry[key] not in order:
                order.append(entry[key])
            cells[entry[key]][sc] = cell(entry)
    rows = [[k, *[cells[k].get(sc, "–") for sc in docs]] for k in order]
    return pd.DataFrame(rows, columns=[key, *docs])


def task_table(docs: Mapping[str, dict]) -> pd.DataFrame:
    """Each task's effect / demand in each scenario."""
    return by_scenario(docs, "tasks", "task", lambda t: f"{num(t['effect'], 2)}/{num(t['demand'], 2)}")


def nation_table(docs: Mapping[str, dict]) -> pd.DataFrame:
    """Each nation's autonomy loss (committed value / value under non-national command) in each scenario."""
    return by_scenario(
        docs,
        "nations",
        "nation",
        lambda n: f"{num(n['autonomy_loss'], 2)} ({num(n['committed_value'], 2)}/{num(n['nonnational_value'], 2)})",
    )


def loss_per_value_table(cases: Mapping[str, dict], great_power: str) -> pd.DataFrame:
    """Autonomy loss per unit of committed value: ``great_power`` beside its allies, per labelled plan."""
    rows = []
    for label, doc in cases.items():
        nations = doc["nations"]
        gp = [n for n in nations if n["nation"] == great_power]
        allies = [n for n in nations if n["nation"] != great_power and n["committed_value"] > 0]
        gp_v = sum(n["committed_value"] for n in gp)
        gp_l = sum(n["autonomy_loss"] for n in gp)
        al_v = sum(n["committed_value"] for n in allies)
        al_l = sum(n["autonomy_loss"] for n in allies)
        ratios = sorted((n["autonomy_loss"] / n["committed_value"], n["nation"]) for n in allies)
        lo, hi = ratios[0], ratios[-1]
        rows.append(
            [
                label,
                f"{num(gp_l, 2)} / {num(gp_v, 2)} = {num(gp_l / gp_v)}",
                f"{num(al_l, 2)} / {num(al_v, 2)} = {num(al_l / al_v)}",
                f"{num(lo[0])} ({lo[1]}) – {num(hi[0])} ({hi[1]})",
            ]
        )
    header = [
        "instance / scenario",
        f"{great_power}: loss / committed value",
        "allies together: loss / committed value",
        "allies' range (lowest – highest)",
    ]
    return pd.DataFrame(rows, columns=header)


def price_table(pairs: list[tuple[str, str, str, dict, dict]]) -> pd.DataFrame:
    """The measured price of scenarios: (label, what it changes, reference's name, plan, reference plan) each."""
    rows = []
    for label, kind, ref, a, b in pairs:
        d_eff = 100 * (a["metrics"]["effectiveness"] - b["metrics"]["effectiveness"])
        d_aut = a["metrics"]["weighted_autonomy_loss"] - b["metrics"]["weighted_autonomy_loss"]
        same_scale = a["parameters"].get("autonomy_scale") == b["parameters"].get("autonomy_scale")
        rows.append(
            [
                label,
                kind,
                ref,
                num(a["objective"] - b["objective"]),
                f"{d_eff:+.1f} pts",
                num(d_aut),
                "yes" if same_scale else "no (λ differs)",
            ]
        )
    header = [
        "scenario",
        "what it changes",
        "against",
        "Δ objective",
        "Δ effectiveness",
        "Δ weighted autonomy loss",
        "objectives comparable",
    ]
    return pd.DataFrame(rows, columns=header)


def committed_units(doc: dict) -> dict[str, int]:
    """Units of each platform the plan commits."""
    units: dict[str, int] = defaultdict(int)
    for a in doc["assignments"]:
        units[a["platform"]] += a["units"]
    return units


def lead_transfer_table(
    before: dict,
    after: dict,
    labels: tuple[str, str],
    new_lead: str,
    old_lead: str,
    names: Mapping[str, str],
    called: tuple[str, str] | None = None,
) -> pd.DataFrame:
    """Two plans around a lead moving from ``old_lead`` to ``new_lead``: their losses, what the old lead holds back.

    ``labels`` head the two plans' columns; ``names`` gives each nation's name
    in the row labels (``{"KOR": "Korea's"}``) and ``called`` the two
    arrangements' names in them (default: the labels).
    """
    called = called or labels

    def nat(doc: dict, n: str) -> dict:
        return next(x for x in doc["nations"] if x["nation"] == n)

    rows = []
    for label, (n, key) in [
        (f"{names[new_lead]} autonomy loss", (new_lead, "autonomy_loss")),
        (f"{names[old_lead]} autonomy loss", (old_lead, "autonomy_loss")),
        (f"{names[old_lead]} committed value", (old_lead, "committed_value")),
        (f"{names[old_lead]} value under non-national command", (old_lead, "nonnational_value")),
    ]:
        x, y = nat(before, n)[key], nat(after, n)[key]
        rows.append([label, num(x), num(y), num(y - x)])
    x, y = before["objective"], after["objective"]
    rows.append(["objective", num(x), num(y), num(y - x)])
    x, y = before["metrics"]["effectiveness"], after["metrics"]["effectiveness"]
    rows.append(["effectiveness", pct(x), pct(y), f"{100 * (y - x):+.1f} pts"])
    x, y = before["metrics"]["weighted_effect"], after["metrics"]["weighted_effect"]
    rows.append(["weighted effect", num(x), num(y), num(y - x)])
    a, b = committed_units(before), committed_units(after)
    held = [f"{p} ×{a[p] - b.get(p, 0)}" for p in sorted(a) if a[p] > b.get(p, 0)]
    extra = [f"{p} ×{b[p] - a.get(p, 0)}" for p in sorted(b) if b[p] > a.get(p, 0)]
    rows.append([f"units committed under {called[0]}, not under {called[1]}", "", "", ", ".join(held) or "none"])
    rows.append([f"units committed under {called[1]} only", "", "", ", ".join(extra) or "none"])
    return pd.DataFrame(rows, columns=["", *labels, "change"])


def frontier_table(frame: pd.DataFrame, nations: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The effectiveness–autonomy frontier (:func:`interop.frontier.frontier`, or its ``frontier.csv`` read back).

    One row per point, by rising weighted autonomy loss W: W, the objective F,
    effectiveness, the price of autonomy (the knee marked) and, for each
    ``nations`` entry (id → column header), that nation's loss. Points without
    a solution are left out.
    """
    pts = frame[frame["status"].isin(SOLVED)] if "status" in frame.columns else frame
    pts = pts.sort_values("weighted_autonomy_loss", kind="stable")
    rows = []
    for r in pts.to_dict("records"):
        price = r.get("price_of_autonomy")
        text = "–" if price is None or pd.isna(price) or price == "" else num(float(price), 2)
        if r.get("knee") in (True, "True"):
            text += " (knee)"
        row = {
            "weighted autonomy loss W": num(float(r["weighted_autonomy_loss"]), 2),
            "objective F (weighted effect − link cost)": num(float(r["effect_objective"]), 2),
            "effectiveness": pct(float(r["effectiveness"])),
            "price of autonomy (ΔF/ΔW)": text,
        }
        for n, header in (nations or {}).items():
            row[header] = num(float(r[f"autonomy_loss.{n}"]), 2)
        rows.append(row)
    return pd.DataFrame(rows)


def _drop(x: float) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{round(100 * x, 1) + 0.0:+.1f} pts"  # + 0.0: no "-0.0"


def by_effectiveness_drop(frame: pd.DataFrame) -> pd.DataFrame:
    """Resilience cases (:func:`interop.resilience.resilience`) by re-planned effectiveness drop, worst first.

    A case whose reduced instance is infeasible comes first (it loses
    everything the plan promised); ties are broken by the kept plan's drop,
    then by the tool's rank (objective drop).
    """
    key = frame["effectiveness_drop"].where(frame["status"].isin(SOLVED), math.inf)
    order = frame.assign(_key=key).sort_values(["_key", "kept_effectiveness_drop", "rank"], ascending=[0, 0, 1])
    return order.drop(columns="_key")


def resilience_table(frame: pd.DataFrame, base: dict, top: int = 8) -> pd.DataFrame:
    """The ``top`` cases by re-planned effectiveness drop, with the kept plan's drop, against ``base``'s values.

    ``base`` is the base plan's solution document (the plan every case loses
    something from); its effectiveness and objective head the table.
    """
    eff, obj = base["metrics"]["effectiveness"], base["objective"]
    rows = [["base plan", "–", base["status"], pct(eff), "–", pct(eff), "–", num(obj), "–", "yes"]]
    for r in by_effectiveness_drop(frame).head(top).to_dict("records"):
        solved = r["status"] in SOLVED
        rows.append(
            [
                r["case"] + (" ★" if r["spof"] else ""),
                str(r["rank"]),
                r["status"],
                pct(r["effectiveness"]) if solved else "–",
                _drop(-r["effectiveness_drop"]) if solved else "–",
                pct(r["kept_effectiveness"]),
                _drop(-r["kept_effectiveness_drop"]),
                num(r["objective"]) if solved else "–",
                num(-r["objective_drop"]) if solved else "–",
                "yes" if r["kept_feasible"] else "no",
            ]
        )
    header = [
        "case (★ single point of failure)",
        "rank by Z drop",
        "re-planned status",
        "effectiveness re-planned",
        "Δ re-planned",
        "effectiveness kept",
        "Δ kept",
        "objective re-planned",
        "Δ objective",
        "kept plan feasible",
    ]
    return pd.DataFrame(rows, columns=header)


_WHAT = {"withdraw": ("ally", "withdrawal"), "lose-node": ("HQ", "loss"), "lose-link": ("link", "loss")}


def _listed(names: list[str], word: str) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" {word} " + names[-1]


def resilience_findings(frame: pd.DataFrame, base: dict) -> list[str]:
    """What the resilience table says, in one or two sentences (the single points of failure are the tool's own).

    First, the cases whose reduced instance has no plan at all (infeasible),
    if any; then the solved case with the largest re-planned effectiveness
    drop, as shares of the base plan's effectiveness, re-planned and kept as
    it stands, and the cases that cost exactly as much (one chain, lost at
    any of its links, is one dependence).
    """
    if frame.empty:
        return ["Nothing to lose: no ally with platforms, no non-root HQ, no active link."]
    eff = base["metrics"]["effectiveness"]
    order = by_effectiveness_drop(frame)
    out = []
    lost = order[~order["status"].isin(SOLVED)]
    if not lost.empty:
        names = [f"{_WHAT[r['kind']][0]} {r['target']}" for r in lost.to_dict("records")]
        listed = _listed(names, "or")
        out.append(
            f"Without the {listed} the reduced instance has no plan at all (a task's minimum coverage or a "
            f"burden floor can no longer be met): the plan depends on {'it' if len(names) == 1 else 'each'} absolutely."
        )
    solved = order[order["status"].isin(SOLVED)]
    if not solved.empty:
        worst = solved.iloc[0]
        what, event = _WHAT[worst["kind"]]
        share = f"{100 * worst['effectiveness_drop'] / eff:.1f} %"
        kept = f"{100 * worst['kept_effectiveness_drop'] / eff:.1f} %"
        lead = "Of the rest, the plan depends most" if out else "The plan depends most"
        same = solved[
            ((solved["effectiveness_drop"] - worst["effectiveness_drop"]).abs() <= 1e-9)
            & ((solved["kept_effectiveness_drop"] - worst["kept_effectiveness_drop"]).abs() <= 1e-9)
        ]
        tied = [f"the {_WHAT[r['kind']][0]} {r['target']}" for r in same.iloc[1:].to_dict("records")]
        also = f" (as much as on {_listed(tied, 'and')})" if tied else ""
        out.append(
            f"{lead} on the {what} {worst['target']}{also}: its {event} costs {share} of the effectiveness "
            f"re-planned, {kept} kept as it stands."
        )
    return out
