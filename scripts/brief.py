"""Write the brief's tables into docs/instances.md from the committed solution files.

Usage: python scripts/brief.py [--check]

Every table of the brief sits between marker comments
``<!-- brief:NAME -->`` and ``<!-- /brief:NAME -->``; this script replaces what
is between them with the table rendered from ``results/<instance>/<scenario>/
solution.json`` (and the frontier under ``results/us-rok-cfc/wartime-fcfc/
frontier/``). ``--check`` writes nothing and exits 1 if the doc is stale.
tests/test_brief.py checks that the committed doc is what this script writes.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from interop import load_instance  # noqa: E402

DOC = ROOT / "docs" / "instances.md"
RESULTS = ROOT / "results"

FLAGSHIPS = {
    "nato-efp": ROOT / "instances" / "nato-efp.yaml",
    "us-rok-cfc": ROOT / "instances" / "us-rok-cfc.yaml",
    "indo-pacific": ROOT / "instances" / "indo-pacific.yaml",
}
GREAT_POWER = "USA"

# (c) caveat, network-refusal and lead scenarios, each against the scenario it edits.
PRICED = [
    ("nato-efp", "crisis-hun-refusal", "crisis", "network refusal (Hungary)"),
    ("nato-efp", "sovereign-cyber", "base", "caveat (cyber, every nation with teams)"),
    ("us-rok-cfc", "fcfc-us-air-national", "wartime-fcfc", "caveat (US air)"),
    ("indo-pacific", "combined-hq-jpn-lead", "combined-hq", "lead moved (USA to JPN)"),
]

MARK = re.compile(r"(<!-- brief:([a-z0-9-]+) -->\n)(.*?)(<!-- /brief:\2 -->)", re.S)


def _num(x: float, nd: int = 3) -> str:
    s = f"{x:.{nd}f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def scenarios(instance: str) -> list[str]:
    return ["base", *load_instance(FLAGSHIPS[instance]).scenarios]


def solution(instance: str, scenario: str) -> dict:
    return json.loads((RESULTS / instance / scenario / "solution.json").read_text())


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def results_table(instance: str) -> str:
    rows = []
    for sc in scenarios(instance):
        s = solution(instance, sc)
        m = s["metrics"]
        rows.append(
            [
                sc,
                f"{s['status']} (gap {_num(s['gap'] or 0, 6)})",
                _num(s["objective"]),
                _pct(m["effectiveness"]),
                _num(m["weighted_effect"]),
                _num(m["weighted_autonomy_loss"]),
                _num(m["link_cost"]),
                str(len(s["links"])),
            ]
        )
    return _table(
        [
            "scenario",
            "status",
            "objective",
            "effectiveness",
            "weighted effect",
            "weighted autonomy loss",
            "link cost",
            "active links",
        ],
        rows,
    )


def _by_scenario(instance: str, section: str, key: str, cell: Callable[[dict], str]) -> str:
    """A table of the solutions' ``section`` rows by their ``key`` (first seen first), a column per scenario."""
    scs = scenarios(instance)
    cells: dict[str, dict[str, str]] = defaultdict(dict)
    order: list[str] = []
    for sc in scs:
        for entry in solution(instance, sc)[section]:
            if entry[key] not in order:
                order.append(entry[key])
            cells[entry[key]][sc] = cell(entry)
    rows = [[k, *[cells[k].get(sc, "–") for sc in scs]] for k in order]
    return _table([key, *scs], rows)


def tasks_table(instance: str) -> str:
    return _by_scenario(instance, "tasks", "task", lambda t: f"{_num(t['effect'], 2)}/{_num(t['demand'], 2)}")


def nations_table(instance: str) -> str:
    return _by_scenario(
        instance,
        "nations",
        "nation",
        lambda n: f"{_num(n['autonomy_loss'], 2)} ({_num(n['committed_value'], 2)}/{_num(n['nonnational_value'], 2)})",
    )


def loss_per_value_table() -> str:
    """(b) autonomy loss per unit of committed value, the great power beside its allies."""
    rows = []
    cases = [
        ("nato-efp", "base"),
        ("nato-efp", "crisis"),
        ("us-rok-cfc", "wartime-cfc"),
        ("us-rok-cfc", "wartime-fcfc"),
        ("indo-pacific", "base"),
        ("indo-pacific", "combined-hq"),
    ]
    for inst, sc in cases:
        nations = solution(inst, sc)["nations"]
        gp = [n for n in nations if n["nation"] == GREAT_POWER]
        allies = [n for n in nations if n["nation"] != GREAT_POWER and n["committed_value"] > 0]
        gp_v = sum(n["committed_value"] for n in gp)
        gp_l = sum(n["autonomy_loss"] for n in gp)
        al_v = sum(n["committed_value"] for n in allies)
        al_l = sum(n["autonomy_loss"] for n in allies)
        ratios = sorted((n["autonomy_loss"] / n["committed_value"], n["nation"]) for n in allies)
        lo, hi = ratios[0], ratios[-1]
        rows.append(
            [
                f"{inst} / {sc}",
                f"{_num(gp_l, 2)} / {_num(gp_v, 2)} = {_num(gp_l / gp_v)}",
                f"{_num(al_l, 2)} / {_num(al_v, 2)} = {_num(al_l / al_v)}",
                f"{_num(lo[0])} ({lo[1]}) – {_num(hi[0])} ({hi[1]})",
            ]
        )
    return _table(
        [
            "instance / scenario",
            f"{GREAT_POWER}: loss / committed value",
            "allies together: loss / committed value",
            "allies' range (lowest – highest)",
        ],
        rows,
    )


def _comparable(a: dict, b: dict) -> bool:
    return a["parameters"].get("autonomy_scale") == b["parameters"].get("autonomy_scale")


def prices_table() -> str:
    """(c) the measured price of each caveat and network-refusal scenario."""
    rows = []
    for inst, sc, ref, kind in PRICED:
        a, b = solution(inst, sc), solution(inst, ref)
        d_obj = a["objective"] - b["objective"]
        d_eff = 100 * (a["metrics"]["effectiveness"] - b["metrics"]["effectiveness"])
        d_aut = a["metrics"]["weighted_autonomy_loss"] - b["metrics"]["weighted_autonomy_loss"]
        rows.append(
            [
                f"{inst} / {sc}",
                kind,
                ref,
                _num(d_obj),
                f"{d_eff:+.1f} pts",
                _num(d_aut),
                "yes" if _comparable(a, b) else "no (λ differs)",
            ]
        )
    return _table(
        [
            "scenario",
            "what it changes",
            "against",
            "Δ objective",
            "Δ effectiveness",
            "Δ weighted autonomy loss",
            "objectives comparable",
        ],
        rows,
    )


def _committed(sol: dict) -> dict[str, int]:
    units: dict[str, int] = defaultdict(int)
    for a in sol["assignments"]:
        units[a["platform"]] += a["units"]
    return units


def opcon_table() -> str:
    """(d) the OPCON transfer: Korea's loss, the effectiveness it costs, what the US holds back."""
    cfc, fcfc = solution("us-rok-cfc", "wartime-cfc"), solution("us-rok-cfc", "wartime-fcfc")

    def nat(sol: dict, n: str) -> dict:
        return next(x for x in sol["nations"] if x["nation"] == n)

    rows = []
    for label, key in [
        ("Korea's autonomy loss", ("KOR", "autonomy_loss")),
        ("US autonomy loss", ("USA", "autonomy_loss")),
        ("US committed value", ("USA", "committed_value")),
        ("US value under non-national command", ("USA", "nonnational_value")),
    ]:
        x, y = nat(cfc, key[0])[key[1]], nat(fcfc, key[0])[key[1]]
        rows.append([label, _num(x), _num(y), _num(y - x)])
    rows.append(
        ["objective", _num(cfc["objective"]), _num(fcfc["objective"]), _num(fcfc["objective"] - cfc["objective"])]
    )
    x, y = cfc["metrics"]["effectiveness"], fcfc["metrics"]["effectiveness"]
    rows.append(["effectiveness", _pct(x), _pct(y), f"{100 * (y - x):+.1f} pts"])
    x, y = cfc["metrics"]["weighted_effect"], fcfc["metrics"]["weighted_effect"]
    rows.append(["weighted effect", _num(x), _num(y), _num(y - x)])
    a, b = _committed(cfc), _committed(fcfc)
    held = [f"{p} ×{a[p] - b.get(p, 0)}" for p in sorted(a) if a[p] > b.get(p, 0)]
    extra = [f"{p} ×{b[p] - a.get(p, 0)}" for p in sorted(b) if b[p] > a.get(p, 0)]
    rows.append(["units committed under the CFC, not under the Future-CFC", "", "", ", ".join(held) or "none"])
    rows.append(["units committed under the Future-CFC only", "", "", ", ".join(extra) or "none"])
    return _table(["", "wartime-cfc (US leads)", "wartime-fcfc (ROK leads)", "change"], rows)


def frontier_table() -> str:
    path = RESULTS / "us-rok-cfc" / "wartime-fcfc" / "frontier" / "frontier.csv"
    with path.open() as f:
        pts = sorted(csv.DictReader(f), key=lambda r: float(r["weighted_autonomy_loss"]))
    rows = []
    for r in pts:
        price = "–" if not r["price_of_autonomy"] else _num(float(r["price_of_autonomy"]), 2)
        if r["knee"] == "True":
            price += " (knee)"
        rows.append(
            [
                _num(float(r["weighted_autonomy_loss"]), 2),
                _num(float(r["objective"]), 2),
                _pct(float(r["effectiveness"])),
                price,
                _num(float(r["autonomy_loss.KOR"]), 2),
                _num(float(r["autonomy_loss.USA"]), 2),
            ]
        )
    return _table(
        [
            "weighted autonomy loss W",
            "objective F (weighted effect − link cost)",
            "effectiveness",
            "price of autonomy (ΔF/ΔW)",
            "Korea's loss",
            "US loss",
        ],
        rows,
    )


SIZE_WORDS = [
    ("nations", "nation", "nations"),
    ("platforms", "platform", "platforms"),
    ("units", "unit", "units"),
    ("command_nodes", "command node", "command nodes"),
    ("links", "candidate link", "candidate links"),
    ("tasks", "task", "tasks"),
]


def _sizes(inst) -> dict[str, int]:
    return {
        "nations": len(inst.nations),
        "platforms": len(inst.platforms),
        "units": sum(p.count for p in inst.platforms),
        "command_nodes": len(inst.command_nodes),
        "links": len(inst.links),
        "tasks": len(inst.tasks),
    }


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if abs(n) == 1 else many}"


def sizes_line(instance: str) -> str:
    """The instance's sizes, counted from the file (base, then what each scenario changes)."""
    inst = load_instance(FLAGSHIPS[instance])
    base = _sizes(inst)
    combined = [c for c in inst.command_nodes if c.multinational]
    led = sum(c.lead is not None for c in combined)
    words = {k: (one, many) for k, one, many in SIZE_WORDS}
    notes = {
        "platforms": f" ({_count(base['units'], *words['units'])})",
        "command_nodes": f" ({len(combined)} multinational, {led} of them naming a lead)",
    }
    text = ", ".join(_count(base[k], *words[k]) + notes.get(k, "") for k, *_ in SIZE_WORDS if k != "units")
    changes = []
    for sc in scenarios(instance)[1:]:
        size = _sizes(load_instance(FLAGSHIPS[instance], sc))
        delta = [f"{size[k] - base[k]:+d} {words[k][abs(size[k] - base[k]) != 1]}" for k, *_ in SIZE_WORDS]
        delta = [d for d, (k, *_) in zip(delta, SIZE_WORDS) if size[k] != base[k]]
        if delta:
            changes.append(f"`{sc}` {', '.join(delta)}")
    tail = f"; against the base, {'; '.join(changes)}" if changes else ""
    return f"Sizes (counted from the file by `scripts/brief.py`): {text}{tail}.\n"


def tables() -> dict[str, str]:
    out = {}
    for inst in FLAGSHIPS:
        out[f"{inst}-sizes"] = sizes_line(inst)
        out[f"{inst}-results"] = results_table(inst)
        out[f"{inst}-tasks"] = tasks_table(inst)
        out[f"{inst}-nations"] = nations_table(inst)
    out["loss-per-value"] = loss_per_value_table()
    out["scenario-prices"] = prices_table()
    out["opcon"] = opcon_table()
    out["cfc-frontier"] = frontier_table()
    return out


def render(text: str) -> str:
    made = tables()
    seen = set()

    def sub(m: re.Match) -> str:
        name = m.group(2)
        if name not in made:
            raise SystemExit(f"docs/instances.md: unknown brief table {name!r}")
        seen.add(name)
        return m.group(1) + made[name] + m.group(4)

    new = MARK.sub(sub, text)
    missing = sorted(set(made) - seen)
    if missing:
        raise SystemExit(f"docs/instances.md: no markers for {missing}")
    return new


def main(argv: list[str]) -> int:
    old = DOC.read_text()
    new = render(old)
    if "--check" in argv:
        if new != old:
            print("docs/instances.md is stale: run python scripts/brief.py")
            return 1
        return 0
    if new != old:
        DOC.write_text(new)
        print("docs/instances.md updated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
