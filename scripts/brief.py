"""Write the brief's tables into docs/instances.md from the committed reference results.

Usage: python scripts/brief.py [--check]

Every table of the brief sits between marker comments
``<!-- brief:NAME -->`` and ``<!-- /brief:NAME -->``; this script replaces what
is between them with the block rendered from ``results/<instance>/<scenario>/
solution.json``, the frontier under ``results/us-rok-cfc/wartime-fcfc/
frontier/`` and the resilience runs under ``results/<instance>/base/
resilience/``. The tables themselves are built by
:mod:`interop.report.tables`, the same functions ``interop report`` uses;
this script only reads the files and writes the doc. Each block is one
function, registered in :data:`PER_FLAGSHIP` or :data:`ACROSS`.
``--check`` writes nothing and exits 1 if the doc is stale.
tests/report/test_brief.py checks that the committed doc is what this script writes.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from interop import load_instance  # noqa: E402
from interop.analyses.resilience import single_points_of_failure  # noqa: E402
from interop.report import tables  # noqa: E402

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


def scenarios(instance: str) -> list[str]:
    return ["base", *load_instance(FLAGSHIPS[instance]).scenarios]


def solution(instance: str, scenario: str) -> dict:
    return json.loads((RESULTS / instance / scenario / "solution.json").read_text())


def _docs(instance: str) -> dict[str, dict]:
    return {sc: solution(instance, sc) for sc in scenarios(instance)}


def results_table(instance: str) -> str:
    return tables.markdown(tables.scenario_table(_docs(instance)))


def tasks_table(instance: str) -> str:
    return tables.markdown(tables.task_table(_docs(instance)))


def nations_table(instance: str) -> str:
    return tables.markdown(tables.nation_table(_docs(instance)))


def loss_per_value_table() -> str:
    """(b) autonomy loss per unit of committed value, the great power beside its allies."""
    cases = [
        ("nato-efp", "base"),
        ("nato-efp", "crisis"),
        ("us-rok-cfc", "wartime-cfc"),
        ("us-rok-cfc", "wartime-fcfc"),
        ("indo-pacific", "base"),
        ("indo-pacific", "combined-hq"),
    ]
    docs = {f"{inst} / {sc}": solution(inst, sc) for inst, sc in cases}
    return tables.markdown(tables.loss_per_value_table(docs, GREAT_POWER))


def prices_table() -> str:
    """(c) the measured price of each caveat and network-refusal scenario."""
    pairs = [(f"{i} / {sc}", kind, ref, solution(i, sc), solution(i, ref)) for i, sc, ref, kind in PRICED]
    return tables.markdown(tables.price_table(pairs))


def opcon_table() -> str:
    """(d) the OPCON transfer: Korea's loss, the effectiveness it costs, what the US holds back."""
    frame = tables.lead_transfer_table(
        solution("us-rok-cfc", "wartime-cfc"),
        solution("us-rok-cfc", "wartime-fcfc"),
        ("wartime-cfc (US leads)", "wartime-fcfc (ROK leads)"),
        new_lead="KOR",
        old_lead="USA",
        names={"KOR": "Korea's", "USA": "US"},
        called=("the CFC", "the Future-CFC"),
    )
    return tables.markdown(frame)


def frontier_table() -> str:
    path = RESULTS / "us-rok-cfc" / "wartime-fcfc" / "frontier" / "frontier.csv"
    frame = pd.read_csv(path)
    return tables.markdown(tables.frontier_table(frame, {"KOR": "Korea's loss", "USA": "US loss"}))


SIZE_WORDS = [
    ("nations", "nation", "nations"),
    ("platforms", "platform", "platforms"),
    ("units", "unit", "units"),
    ("command_nodes", "command node", "command nodes"),
    ("links", "candidate link", "candidate links"),
    ("tasks", "task", "tasks"),
]


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if abs(n) == 1 else many}"


def sizes_line(instance: str) -> str:
    """The instance's sizes, counted from the file (base, then what each scenario changes)."""
    inst = load_instance(FLAGSHIPS[instance])
    base = tables.sizes(inst)
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
        size = tables.sizes(load_instance(FLAGSHIPS[instance], sc))
        delta = [f"{size[k] - base[k]:+d} {words[k][abs(size[k] - base[k]) != 1]}" for k, *_ in SIZE_WORDS]
        delta = [d for d, (k, *_) in zip(delta, SIZE_WORDS) if size[k] != base[k]]
        if delta:
            changes.append(f"`{sc}` {', '.join(delta)}")
    tail = f"; against the base, {'; '.join(changes)}" if changes else ""
    return f"Sizes (counted from the file by `scripts/brief.py`): {text}{tail}.\n"


def resilience_run(instance: str, scenario: str = "base") -> tuple[pd.DataFrame, dict]:
    """The committed resilience run of ``instance``: (its ranked table, its base plan's solution document)."""
    folder = RESULTS / instance / scenario / "resilience"
    frame = pd.read_csv(folder / "resilience.csv")
    return frame, json.loads((folder / "base" / "solution.json").read_text())


def resilience_block(instance: str) -> str:
    """The ranked resilience table of the flagship's base plan, its single points of failure and what it says."""
    frame, base = resilience_run(instance)
    kinds = frame["kind"].value_counts()
    kind_words = (("withdraw", "withdrawal"), ("lose-node", "HQ loss"), ("lose-link", "active-link loss"))
    counts = ", ".join(f"{kinds.get(k, 0)} × {word}" for k, word in kind_words)
    intro = (
        f"`interop resilience instances/{instance}.yaml` ({len(frame)} cases: {counts}; "
        f"results in `results/{instance}/base/resilience/`). The {min(TOP_CASES, len(frame))} cases with the "
        "largest re-planned effectiveness drop, against the base plan (first row); *kept* is the base plan "
        "minus what is gone, *re-planned* the optimum of the reduced instance:\n\n"
    )
    spof = single_points_of_failure(frame)
    words = {"withdraw": ("ally", "allies"), "lose-node": ("HQ", "HQs"), "lose-link": ("link", "links")}
    named = [f"{words[k][len(v) > 1]} {', '.join(v)}" for k, v in spof.items() if v]
    line = f"Single points of failure (the largest objective drop of each kind, ★): {'; '.join(named) or 'none'}.\n\n"
    text = " ".join(tables.resilience_findings(frame, base))
    return intro + tables.markdown(tables.resilience_table(frame, base, top=TOP_CASES)) + "\n" + line + text + "\n"


def robust_run(instance: str, scenario: str = "base") -> dict:
    """The committed withdrawal-robust run of ``instance`` (``solve --robust withdrawal``): its solution document."""
    return json.loads((RESULTS / instance / scenario / "robust-withdrawal" / "solution.json").read_text())


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f} %"


def robust_price_block(instance: str) -> str:
    """The price of a withdrawal-robust plan against the plain optimum, from the committed robust run."""
    doc = robust_run(instance)
    rec = doc["robust"]
    request = f"floor {rec['floor']:g}" if rec.get("floor") else "max worst case"
    intro = (
        f"`interop solve instances/{instance}.yaml --robust withdrawal --time-limit 120` (docs/resilience.md, "
        f'"Robust plans"; results in `results/{instance}/base/robust-withdrawal/`): one command structure '
        "(links, integrated HQs) for today and for every single withdrawal, each withdrawal re-planned within it; "
        f"request: {request}.\n\n"
    )
    if "plain" not in rec:
        return intro + f"No robust plan: {rec.get('message', doc['status'])}\n"
    plain, robust, price = rec["plain"], rec["robust"], rec["price"]
    hopeless = sorted(c.split(":", 1)[-1] for c, v in rec["case_effectiveness"].items() if v["best"] is None)
    gap = ""
    if doc["status"] == "feasible" and doc.get("bound") is not None:
        share = (doc["bound"] - doc["objective"]) / max(1.0, abs(doc["bound"]))
        gap = f", {doc['status']} at the time limit, gap {100 * share:.2f} %"

    def worst(side: dict) -> str:
        name = (side["worst_case"] or "-").split(":", 1)[-1]
        return f"{name} {_pct(side['worst_effectiveness'])}"

    frame = pd.DataFrame(
        [
            {
                "": "plain optimum",
                "Z": f"{plain['objective']:.3f}",
                "effectiveness": _pct(plain["effectiveness"]),
                "active links": len(plain["links"]),
                "worst withdrawal, re-planned within the structure": worst(plain),
            },
            {
                "": f"withdrawal-robust ({request}{gap})",
                "Z": f"{robust['objective']:.3f}",
                "effectiveness": _pct(robust["effectiveness"]),
                "active links": len(robust["links"]),
                "worst withdrawal, re-planned within the structure": worst(robust),
            },
        ]
    )
    says = (
        f"The price of robustness is {price['objective']:.3f} in Z ({price['objective_pct']:.2f} % of the plain "
        f"optimum); today's effectiveness goes from {_pct(plain['effectiveness'])} to "
        f"{_pct(robust['effectiveness'])}, and the worst survivable withdrawal from {worst(plain)} to "
        f"{worst(robust)}."
    )
    if hopeless:
        says += (
            f" No structure survives the withdrawal of {', '.join(hopeless)} (the reduced instance has no plan:"
            " a task's minimum coverage or a burden floor); those cases are left out of the worst case."
        )
    return intro + tables.markdown(frame) + "\n" + says + "\n"


# The brief's blocks: NAME -> what writes it. One function per block; a flagship's blocks are
# "<instance>-<suffix>". A new section is one function here and its markers in docs/instances.md.
PER_FLAGSHIP: dict[str, Callable[[str], str]] = {
    "sizes": sizes_line,
    "results": results_table,
    "tasks": tasks_table,
    "nations": nations_table,
    "resilience": resilience_block,
    "robust-price": robust_price_block,
}
ACROSS: dict[str, Callable[[], str]] = {
    "loss-per-value": loss_per_value_table,
    "scenario-prices": prices_table,
    "opcon": opcon_table,
    "cfc-frontier": frontier_table,
}
TOP_CASES = 8


def blocks() -> dict[str, str]:
    """Every block's text by its marker name."""
    out = {f"{inst}-{suffix}": write(inst) for inst in FLAGSHIPS for suffix, write in PER_FLAGSHIP.items()}
    out.update({name: write() for name, write in ACROSS.items()})
    return out


def render(text: str) -> str:
    made = blocks()
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
