"""Admissible sets and derived data, computed once from a validated instance.

This is the bridge between the instance (ids, lists of entities) and the model
(index sets, coefficient arrays): the admissible assignments A, the admissible
links L*, the command relationship factor κ(n, c), and the nodes that can ever
be joined to a root. Everything is vectorised with numpy so that instances with
thousands of platforms are prepared in well under a second.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import networkx as nx
import numpy as np
import pandas as pd

from interop.instance.schema import Instance


def kappa_matrix(inst: Instance) -> np.ndarray:
    """κ(n, c) for every nation n (rows) and command node c (columns), version 2 (with leads)."""
    nations = [n.id for n in inst.nations]
    ks = inst.parameters.shared_command_factor
    kl = inst.parameters.lead_command_factor
    out = np.ones((len(nations), len(inst.command_nodes)))
    for j, c in enumerate(inst.command_nodes):
        for i, n in enumerate(nations):
            if c.nation == n:
                out[i, j] = 0.0
            elif c.multinational and n in (c.members or []):
                out[i, j] = kl if c.lead == n else ks
    return out


def _membership(items: list[list[str]], vocabulary: list[str]) -> np.ndarray:
    """Boolean matrix: row i marks which vocabulary words items[i] contains."""
    index = {w: k for k, w in enumerate(vocabulary)}
    out = np.zeros((len(items), len(vocabulary)), dtype=bool)
    for i, words in enumerate(items):
        for w in words:
            if w in index:
                out[i, index[w]] = True
    return out


@dataclass(frozen=True)
class ModelData:
    """An instance's index sets and coefficients, in the formulation's terms.

    ``assignments`` has one row per admissible triple (p, t, c) with the
    columns the model and the reports need; ``links`` one row per admissible
    link.
    """

    instance: Instance
    assignments: pd.DataFrame
    links: pd.DataFrame
    kappa: np.ndarray

    @property
    def nations(self) -> list[str]:
        return [n.id for n in self.instance.nations]

    @property
    def nodes(self) -> list[str]:
        return [c.id for c in self.instance.command_nodes]

    @property
    def roots(self) -> list[str]:
        return [c.id for c in self.instance.command_nodes if c.root]

    @cached_property
    def joinable(self) -> set[str]:
        """Nodes that some set of admissible links joins to a root."""
        graph = nx.Graph()
        graph.add_nodes_from(self.nodes)
        graph.add_edges_from(zip(self.links["u"], self.links["v"]))
        out: set[str] = set()
        for r in self.roots:
            out |= nx.node_connected_component(graph, r)
        return out


def admissible_links(inst: Instance) -> pd.DataFrame:
    """L*: links whose standards meet both ends' and that no refusal blocks."""
    nodes = {c.id: c for c in inst.command_nodes}
    sharing = {n.id: n.shares_networks for n in inst.nations}
    rows = []
    for link in inst.links:
        u, v = (nodes[x] for x in link.between)
        if not set(link.standards) & set(u.standards) & set(v.standards):
            continue
        if u.nation != v.nation and not (sharing.get(u.nation, True) and sharing.get(v.nation, True)):
            continue  # a multinational node is not in `sharing`: it counts as sharing
        rows.append((link.id, u.id, v.id, link.cost))
    return pd.DataFrame(rows, columns=["link", "u", "v", "cost"])


def admissible_assignments(inst: Instance, kappa: np.ndarray) -> pd.DataFrame:
    """A: every (platform, task, node) triple the formulation admits."""
    platforms, tasks, nodes = inst.platforms, inst.tasks, inst.command_nodes
    nations = [n.id for n in inst.nations]
    nation_of = np.array([nations.index(p.nation) for p in platforms], dtype=np.int64)
    standards = sorted({s for x in [*platforms, *nodes] for s in x.standards})
    compatible = (
        _membership([p.standards for p in platforms], standards).astype(np.int32)
        @ _membership([c.standards for c in nodes], standards).T.astype(np.int32)
    ) > 0  # P x C
    theaters = sorted({h for x in [*platforms, *nodes] for h in x.theaters})
    p_theater = _membership([p.theaters for p in platforms], theaters)
    c_theater = _membership([c.theaters for c in nodes], theaters)
    domains = list(inst.domains)
    effect = np.array([[p.effects.get(d, 0.0) for d in domains] for p in platforms]).reshape(
        len(platforms), len(domains)
    )
    c_domain = _membership([c.domains for c in nodes], domains)
    caveat = _membership([n.caveats for n in inst.nations], domains)  # N x D
    national = kappa == 0  # N x C

    parts = []
    for t_idx, task in enumerate(tasks):
        d = domains.index(task.domain)
        if task.theater not in theaters:
            continue
        h = theaters.index(task.theater)
        p_ok = (effect[:, d] > 0) & p_theater[:, h]
        if task.allowed_nations is not None:
            allowed = np.isin(nation_of, [nations.index(n) for n in task.allowed_nations])
            p_ok &= allowed
        c_ok = c_domain[:, d] & c_theater[:, h]
        ok = compatible & p_ok[:, None] & c_ok[None, :]
        # a caveat keeps the domain under national command
        ok &= ~(caveat[nation_of, d][:, None] & ~national[nation_of, :])
        p_i, c_i = np.nonzero(ok)
        parts.append(pd.DataFrame({"p": p_i, "t": t_idx, "c": c_i}))
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame({"p": [], "t": [], "c": []}, dtype=np.int64)
    frame = frame.sort_values(["p", "t", "c"], ignore_index=True)
    p, t, c = (frame[k].to_numpy(np.int64) for k in ("p", "t", "c"))
    task_domain = np.array([domains.index(x.domain) for x in tasks], dtype=np.int64)
    bonus = np.array([inst.parameters.bonus(dname) for dname in domains])
    frame["platform"] = np.array([x.id for x in platforms], dtype=object)[p]
    frame["task"] = np.array([x.id for x in tasks], dtype=object)[t]
    frame["node"] = np.array([x.id for x in nodes], dtype=object)[c]
    frame["n"] = nation_of[p]
    frame["nation"] = np.array(nations, dtype=object)[nation_of[p]]
    frame["effect"] = effect[p, task_domain[t]] if len(p) else np.zeros(0)
    frame["bonus"] = bonus[task_domain[t]]
    frame["kappa"] = kappa[nation_of[p], c] if len(p) else np.zeros(0)
    frame["value"] = np.array([x.value for x in platforms], dtype=float)[p]
    frame["count"] = np.array([x.count for x in platforms], dtype=np.int64)[p]
    return frame


def model_data(inst: Instance) -> ModelData:
    """Everything the model needs from ``inst``, computed once."""
    kappa = kappa_matrix(inst)
    return ModelData(inst, admissible_assignments(inst, kappa), admissible_links(inst), kappa)
