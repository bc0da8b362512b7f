"""Random but realistic instances, for benchmarks and randomised tests.

``generate(size, seed=...)`` returns an instance document (a plain dict, as in
``shared/design/instance-format.md``) with the structure of a real alliance:
nations with autonomy weights, caveats, limits on non-national command and a
few network-sharing refusals; national headquarters per nation plus
multinational ones with members (one or two of them roots); candidate links
between about 40 % of node pairs running common or national standards;
platforms with 1–4 identical units acting in one or two domains; tasks whose
demand is sized to what the platforms in their domain and theater can deliver.

Why feasibility is guaranteed: the burden-sharing floors β_n and minimum
coverages m_t are set last, from a *witness* — a greedy assignment that uses
only national command (κ = 0, so no caveat or non-national share can be
violated) within units and capacities. Each floor is at most half of what the
witness achieves, so the witness (with no integration and no link) satisfies
every constraint. Everything is drawn from one ``numpy`` generator seeded by
``seed``, so a (size, seed) pair always gives the same document.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

DOMAINS = ("land", "air", "maritime", "cyber", "space")
DOMAIN_WEIGHTS = np.array([0.35, 0.25, 0.2, 0.12, 0.08])
COMMON_STANDARDS = ("link16", "fmn")


@dataclass(frozen=True)
class Size:
    """Entity counts of a generated instance."""

    nations: int
    platforms: int
    tasks: int
    nodes: int
    theaters: int


PRESETS: dict[str, Size] = {
    "S": Size(5, 60, 10, 8, 3),
    "M": Size(20, 600, 60, 30, 6),
    "L": Size(30, 2000, 150, 50, 8),
    "XL": Size(40, 10000, 300, 80, 10),
}


# Largest counts generate accepts: every collection stays below the loader's MAX_ENTITIES
# (links grow as 0.4 · nodes² / 2), and the witness of _floors, a table of platform × task ×
# node candidates, stays below MAX_CANDIDATES rows (XL has 2.4e8: about 1 GB while generating).
MAX_COUNTS = {"nations": 1_000, "platforms": 100_000, "tasks": 10_000, "nodes": 500, "theaters": 1_000}
MAX_CANDIDATES = 300_000_000


def size_problems(dims: Size) -> list[str]:
    """Why ``dims`` cannot be generated (too small, or too large to build or to read back)."""
    problems = []
    for key, limit in MAX_COUNTS.items():
        value = getattr(dims, key)
        if not 1 <= value <= limit:
            problems.append(f"--{key} {value}: give 1 to {limit}")
    candidates = dims.platforms * dims.tasks * dims.nodes
    if not problems and candidates > MAX_CANDIDATES:
        problems.append(
            f"{dims.platforms} platforms × {dims.tasks} tasks × {dims.nodes} nodes = {candidates:.3g} candidate"
            f" assignments; the limit is {MAX_CANDIDATES:.3g} (fewer platforms, tasks or nodes)"
        )
    return problems


def document_nodes(doc: object) -> int:
    """YAML nodes (scalars, lists, mappings, keys included) of a plain document."""
    count, stack = 0, [doc]
    while stack:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            count += len(item)  # the keys
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


def _pick(rng: np.random.Generator, items, k: int) -> list:
    """``k`` distinct items of ``items`` in their original order."""
    k = max(0, min(k, len(items)))
    idx = np.sort(rng.choice(len(items), size=k, replace=False))
    return [items[i] for i in idx]


def _r(x: float, digits: int = 2) -> float:
    return float(round(float(x), digits))


def generate(
    size: str | None = None,
    *,
    seed: int = 0,
    nations: int | None = None,
    platforms: int | None = None,
    tasks: int | None = None,
    nodes: int | None = None,
    theaters: int | None = None,
) -> dict:
    """A valid, feasible instance document of preset ``size`` (S, M, L, XL; default S).

    Keyword counts override the preset's. The same arguments always give the
    same document.
    """
    base = PRESETS[(size or "S").upper()]
    dims = replace(
        base,
        **{
            k: v
            for k, v in dict(nations=nations, platforms=platforms, tasks=tasks, nodes=nodes, theaters=theaters).items()
            if v is not None
        },
    )
    problems = size_problems(dims)
    if seed < 0:
        problems.append(f"--seed {seed}: give a whole number of at least 0")
    if problems:
        raise ValueError("; ".join(problems))
    rng = np.random.default_rng(seed)
    name = f"generated-{(size or 'S').upper()}-seed{seed}"
    theater_ids = [f"th{i + 1}" for i in range(dims.theaters)]
    nation_ids = [f"N{i + 1:02d}" for i in range(dims.nations)]

    nation_docs, home = _nations(rng, nation_ids, theater_ids)
    node_docs = _nodes(rng, dims, nation_ids, theater_ids, home)
    link_docs = _links(rng, node_docs)
    platform_docs = _platforms(rng, dims, nation_ids, theater_ids, home)
    task_docs = _tasks(rng, dims, theater_ids, platform_docs)
    _capacities(rng, node_docs, platform_docs)
    doc = {
        "name": name,
        "description": f"Random instance ({dims.nations} nations, {dims.platforms} platforms, "
        f"{dims.tasks} tasks, {dims.nodes} nodes, {dims.theaters} theaters), seed {seed}.",
        "domains": list(DOMAINS),
        "parameters": {
            "autonomy_scale": 1.0,
            "link_cost_scale": 1.0,
            "shared_command_factor": 0.5,
            "integration_autonomy_factor": 0.2,
            "integration_bonus": {d: _r(rng.uniform(0.05, 0.4)) for d in DOMAINS if rng.random() < 0.8},
        },
        "nations": nation_docs,
        "command_nodes": node_docs,
        "links": link_docs,
        "platforms": platform_docs,
        "tasks": task_docs,
    }
    _floors(rng, doc)
    return doc


def _nations(rng: np.random.Generator, ids: list[str], theaters: list[str]) -> tuple[list[dict], dict]:
    """Nations with autonomy weights, caveats, share limits, refusals; and their home theaters."""
    docs, home = [], {}
    for n in ids:
        d: dict = {"id": n, "autonomy_weight": _r(rng.uniform(0.2, 2.0))}
        if rng.random() < 0.3:
            d["max_nonnational_share"] = _r(rng.uniform(0.3, 0.9))
        if rng.random() < 0.25:
            d["caveats"] = [str(rng.choice(DOMAINS, p=[0.3, 0.1, 0.1, 0.3, 0.2]))]
        if rng.random() < 0.1:
            d["shares_networks"] = False
        docs.append(d)
        top = min(max(3, len(theaters) // 2), len(theaters))
        home[n] = _pick(rng, theaters, int(rng.integers(min(2, top), top + 1)))
    return docs, home


def _nodes(rng: np.random.Generator, dims: Size, nations: list[str], theaters: list[str], home: dict) -> list[dict]:
    """National headquarters (at least one per nation while nodes last) and multinational ones."""
    n_multi = max(1, dims.nodes // 4) if dims.nodes > 1 else 1
    n_national = dims.nodes - n_multi
    docs = []
    for i in range(n_national):
        n = nations[i % len(nations)]
        k = int(rng.integers(3, 6))
        docs.append(
            {
                "id": f"{n}-HQ{i // len(nations) + 1}",
                "nation": n,
                "domains": _pick(rng, list(DOMAINS), k),
                "theaters": sorted(
                    set(home[n]) | set(_pick(rng, theaters, int(rng.integers(0, 2)))), key=theaters.index
                ),
                "capacity": 0,  # set by _capacities
                "standards": [f"nat-{n}"] + _pick(rng, list(COMMON_STANDARDS), int(rng.integers(1, 3))),
            }
        )
    n_roots = 1 if n_multi == 1 or rng.random() < 0.5 else 2
    for j in range(n_multi):
        members = _pick(rng, nations, int(rng.integers(min(2, len(nations)), min(8, len(nations)) + 1)))
        standards = ["fmn"] + (["link16"] if rng.random() < 0.7 else [])
        docs.append(
            {
                "id": f"MN-HQ{j + 1}",
                "nation": "multinational",
                "members": members,
                "domains": _pick(rng, list(DOMAINS), int(rng.integers(3, 6))),
                "theaters": _pick(rng, theaters, int(rng.integers(1, max(3, len(theaters) // 2) + 1))),
                "capacity": 0,
                "standards": standards,
                **({"root": True} if j < n_roots else {}),
            }
        )
    return docs


def _links(rng: np.random.Generator, nodes: list[dict]) -> list[dict]:
    """Candidate links between about 40 % of node pairs, mostly on a standard both ends run."""
    n = len(nodes)
    iu, ju = np.triu_indices(n, k=1)
    keep = rng.random(len(iu)) < 0.4
    docs = []
    for i, j in zip(iu[keep], ju[keep]):
        u, v = nodes[i], nodes[j]
        common = sorted(set(u["standards"]) & set(v["standards"]))
        if common and rng.random() < 0.9:
            standards = _pick(rng, common, int(rng.integers(1, len(common) + 1)))
        else:  # a link on a standard one end lacks: not admissible until a scenario upgrades it
            standards = [str(rng.choice(sorted(set(u["standards"]) | set(v["standards"]))))]
        docs.append(
            {
                "id": f"{u['id']}--{v['id']}",
                "between": [u["id"], v["id"]],
                "cost": _r(rng.uniform(0.5, 5.0)),
                "standards": standards,
            }
        )
    return docs


def _platforms(rng: np.random.Generator, dims: Size, nations: list[str], theaters: list[str], home: dict) -> list[dict]:
    """Platforms with 1–4 units, effects in 1–2 domains, standards and theaters."""
    owner = np.sort(rng.integers(0, len(nations), dims.platforms))
    docs = []
    for i, k in enumerate(owner):
        n = nations[int(k)]
        doms = list(rng.choice(DOMAINS, size=int(rng.integers(1, 3)), replace=False, p=DOMAIN_WEIGHTS))
        hs = list(home[n])
        if rng.random() < 0.3:  # expeditionary: one more theater
            hs = sorted(set(hs) | {str(rng.choice(theaters))}, key=theaters.index)
        elif len(hs) > 1 and rng.random() < 0.4:
            hs = _pick(rng, hs, len(hs) - 1)
        std = _pick(rng, [f"nat-{n}", *COMMON_STANDARDS], int(rng.integers(1, 3)))
        docs.append(
            {
                "id": f"{n}-p{i + 1:05d}",
                "nation": n,
                "count": int(rng.integers(1, 5)),
                "value": _r(rng.uniform(1, 10)),
                "standards": std,
                "theaters": hs,
                "effects": {str(d): _r(rng.uniform(1, 10)) for d in doms},
            }
        )
    return docs


def _tasks(rng: np.random.Generator, dims: Size, theaters: list[str], platforms: list[dict]) -> list[dict]:
    """Tasks in (domain, theater) cells, demand sized to the cell's available effect."""
    supply: dict[tuple[str, str], float] = {}
    for p in platforms:
        for d, e in p["effects"].items():
            for h in p["theaters"]:
                supply[d, h] = supply.get((d, h), 0.0) + e * p["count"]
    cells = sorted(supply)
    weights = np.array([supply[c] for c in cells])
    chosen = rng.choice(len(cells), size=dims.tasks, p=weights / weights.sum())
    per_cell = np.bincount(chosen, minlength=len(cells))
    docs = []
    for i, c in enumerate(chosen):
        d, h = cells[int(c)]
        share = supply[d, h] / per_cell[c]
        docs.append(
            {
                "id": f"task{i + 1:04d}-{d}-{h}",
                "domain": d,
                "theater": h,
                "demand": _r(max(1.0, share * rng.uniform(0.3, 1.0))),
                "priority": _r(rng.uniform(1, 5)),
            }
        )
    return docs


def _capacities(rng: np.random.Generator, nodes: list[dict], platforms: list[dict]) -> None:
    """Spans of control: a national HQ about its nation's share of units, multinationals more."""
    units: dict[str, int] = {}
    for p in platforms:
        units[p["nation"]] = units.get(p["nation"], 0) + p["count"]
    per_nation: dict[str, int] = {}
    for c in nodes:
        per_nation[c["nation"]] = per_nation.get(c["nation"], 0) + 1
    total = sum(units.values())
    for c in nodes:
        if c["nation"] == "multinational":
            c["capacity"] = int(max(2, total / len(nodes) * rng.uniform(1.0, 2.0)))
        else:
            c["capacity"] = int(max(2, units.get(c["nation"], 0) / per_nation[c["nation"]] * rng.uniform(0.5, 1.0)))


def _floors(rng: np.random.Generator, doc: dict) -> None:
    """Burden floors and minimum coverages, each at most half of what a witness achieves."""
    from interop.instance.loading import parse_instance
    from interop.model.data import model_data

    data = model_data(parse_instance(doc, source=doc["name"]))
    A = data.assignments
    nat = A[A["kappa"] == 0]
    order = rng.permutation(len(nat))
    p_idx, t_idx, c_idx = (nat[k].to_numpy()[order] for k in ("p", "t", "c"))
    effect = nat["effect"].to_numpy()[order]
    units_left = np.array([p["count"] for p in doc["platforms"]])
    cap_left = np.array([c["capacity"] for c in doc["command_nodes"]])
    need = np.array([t["demand"] for t in doc["tasks"]], dtype=float)
    got = np.zeros(len(need))
    value = np.array([p["value"] for p in doc["platforms"]])
    nation_index = {n["id"]: i for i, n in enumerate(doc["nations"])}
    owner = np.array([nation_index[p["nation"]] for p in doc["platforms"]])
    committed = np.zeros(len(doc["nations"]))
    for p, t, c, e in zip(p_idx, t_idx, c_idx, effect):
        if got[t] >= need[t]:
            continue
        k = min(units_left[p], cap_left[c], int(np.ceil((need[t] - got[t]) / e)))
        if k <= 0:
            continue
        units_left[p] -= k
        cap_left[c] -= k
        got[t] += k * e
        committed[owner[p]] += k * value[p]
    total = np.bincount(
        owner, weights=value * np.array([p["count"] for p in doc["platforms"]]), minlength=len(doc["nations"])
    )
    for i, n in enumerate(doc["nations"]):
        share = committed[i] / total[i] if total[i] > 0 else 0.0
        if share > 0 and rng.random() < 0.3:
            n["min_commitment"] = float(np.floor(share * rng.uniform(0.2, 0.5) * 100) / 100)
    for i, t in enumerate(doc["tasks"]):
        cover = min(1.0, got[i] / t["demand"])
        if cover > 0 and rng.random() < 0.2:
            t["min_coverage"] = float(np.floor(cover * rng.uniform(0.2, 0.5) * 100) / 100)
