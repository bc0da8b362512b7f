"""The command network of a plan: headquarters, links and integrated nodes drawn in layers."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import matplotlib
import networkx as nx
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from interop.instance.schema import Instance
from interop.report.plots import MULTINATIONAL, MULTINATIONAL_COLOR, save_figure


def hierarchical_layout(graph: nx.Graph, roots: Sequence[str], order: Sequence[str]) -> dict[str, tuple[float, float]]:
    """Positions with roots on top and each node one row below its nearest root.

    Rows are the hop distance from the nearest root over candidate links
    (nodes no root reaches sit in a last row). Within a row nodes are ordered
    by the mean position of their neighbours in the row above (fewer
    crossings), ties in instance order, so the layout is deterministic and
    the same for every solution of an instance.
    """
    rank = {n: i for i, n in enumerate(order)}
    depth = nx.multi_source_dijkstra_path_length(graph, set(roots), weight=None) if roots else {}
    last = max(depth.values(), default=-1) + 1
    rows: dict[int, list[str]] = {}
    for node in order:
        rows.setdefault(depth.get(node, last), []).append(node)
    pos: dict[str, tuple[float, float]] = {}
    for level in sorted(rows):
        above = {n: x for n, (x, y) in pos.items() if y == -(level - 1)}
        key: dict[str, tuple[float, int]] = {}
        for n in rows[level]:
            xs = [above[m] for m in graph.neighbors(n) if m in above]
            key[n] = (sum(xs) / len(xs) if xs else math.inf, rank[n])
        members = sorted(rows[level], key=key.__getitem__)
        offset = (len(members) - 1) / 2
        for i, node in enumerate(members):
            pos[node] = (i - offset, -level)
    return pos


def _marker(
    label: str,
    shape: str = "o",
    size: float = 9,
    color: str | None = None,
    ring: tuple[str, str, float] | None = None,
) -> Line2D:
    """A legend entry drawn as a node marker: filled with ``color``, or ``ring`` = (face, edge, edge width)."""
    if ring is None:
        style: dict[str, object] = {"color": color}
    else:
        face, edge, width = ring
        style = {"markerfacecolor": face, "markeredgecolor": edge, "markeredgewidth": width}
    return Line2D([], [], marker=shape, linestyle="none", markersize=size, label=label, **style)


def plot_network(solution: dict, instance: Instance, out_base: str | Path, title: str | None = None) -> list[Path]:
    """Draw a solution's command network on the instance's candidate links.

    Nodes are coloured by nation (multinational nodes gold squares, labelled
    with the nation that leads them, if any), roots get
    a red halo, integrated nodes a thick black outline; activated links are
    solid and thick, the other candidate links grey dashed. Each label gives the
    node id and the units it commands (summed over the solution's assignments).
    """
    nodes = {c.id: c for c in instance.command_nodes}
    link_ends = {link.id: tuple(link.between) for link in instance.links}
    active = set(solution.get("links") or [])
    integrated = set(solution.get("integrated_nodes") or [])
    units: dict[str, int] = dict.fromkeys(nodes, 0)
    for a in solution.get("assignments") or []:
        if a.get("command") not in nodes:
            raise ValueError(f"solution: assignment to command node {a.get('command')!r}, not in {instance.name}")
        units[a["command"]] += int(a.get("units", 0))
    unknown = sorted((active - set(link_ends)) | (integrated - set(nodes)))
    if unknown:
        where = instance.name + (f" [{instance.scenario}]" if instance.scenario else "")
        raise ValueError(f"solution: {', '.join(unknown)} not in instance {where} (wrong instance or scenario?)")

    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    for link_id, (a, b) in link_ends.items():
        data = graph.get_edge_data(a, b) or {"links": [], "active": False}
        graph.add_edge(a, b, links=[*data["links"], link_id], active=data["active"] or link_id in active)
    roots = [c.id for c in instance.command_nodes if c.root]
    pos = hierarchical_layout(graph, roots, list(nodes))

    rows = [sum(1 for p in pos.values() if p[1] == y) for y in {p[1] for p in pos.values()}]
    width = max(8.0, 1.25 * max(rows, default=0))  # no node at all: an empty figure, not an error
    height = max(5.0, 1.5 * len({p[1] for p in pos.values()}) + 1.5)
    fig = Figure(figsize=(width, height), layout="constrained")
    ax = fig.add_subplot()
    ax.set_axis_off()
    for is_active, look in (
        (False, {"edge_color": "#9a9a9a", "style": "dashed", "width": 0.8}),
        (True, {"edge_color": "#1f4e79", "width": 2.8}),
    ):
        for same_row in (False, True):  # links within a row are arcs, so they do not run through nodes
            edges = [
                tuple(sorted((a, b), key=lambda n: pos[n][0]))
                for a, b, d in graph.edges(data=True)
                if d["active"] == is_active and (pos[a][1] == pos[b][1]) == same_row
            ]
            if edges:  # left to right with a negative radius: the arc bulges up, away from the labels
                curve = {"arrows": True, "arrowstyle": "-", "connectionstyle": "arc3,rad=-0.3"} if same_row else {}
                nx.draw_networkx_edges(graph, pos, edgelist=edges, ax=ax, node_size=380, **look, **curve)

    owners = list(dict.fromkeys(c.nation for c in instance.command_nodes if c.nation != MULTINATIONAL))
    palette = matplotlib.colormaps["tab10"].colors + matplotlib.colormaps["Set2"].colors
    color = {n: palette[i % len(palette)] for i, n in enumerate(owners)} | {MULTINATIONAL: MULTINATIONAL_COLOR}
    if roots:
        nx.draw_networkx_nodes(
            graph,
            pos,
            nodelist=roots,
            ax=ax,
            node_size=900,
            node_color="none",
            edgecolors="#c0392b",
            linewidths=2.0,
            node_shape="o",
        )
    for shape, multinational in (("s", True), ("o", False)):
        for outlined in (True, False):
            group = [
                n
                for n, c in nodes.items()
                if (c.nation == MULTINATIONAL) == multinational and (n in integrated) == outlined
            ]
            if group:
                nx.draw_networkx_nodes(
                    graph,
                    pos,
                    nodelist=group,
                    ax=ax,
                    node_shape=shape,
                    node_size=380,
                    node_color=[color[nodes[n].nation] for n in group],
                    edgecolors="black" if outlined else "#777777",
                    linewidths=2.6 if outlined else 0.6,
                )
    for node, (px, py) in pos.items():
        led = f"\nled by {nodes[node].lead}" if nodes[node].lead else ""
        count = f"{units[node]} unit" + ("" if units[node] == 1 else "s")
        ax.text(
            px,
            py - 0.2,
            f"{node}{led}\n{count}",
            ha="center",
            va="top",
            fontsize=6.5,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7},
        )

    entries = [  # (shown?, legend handle): only what the figure contains
        (
            any(c.nation == MULTINATIONAL for c in nodes.values()),
            _marker("multinational", "s", color=MULTINATIONAL_COLOR),
        ),
        *((True, _marker(n, color=color[n])) for n in owners),
        (bool(active), Line2D([], [], color="#1f4e79", linewidth=2.8, label="activated link")),
        (
            len(active) < len(link_ends),
            Line2D([], [], color="#9a9a9a", linewidth=0.8, linestyle="--", label="candidate link"),
        ),
        (bool(integrated), _marker("integrated node", ring=("white", "black", 2.6))),
        (bool(roots), _marker("root", size=13, ring=("none", "#c0392b", 2.0))),
    ]
    handles = [h for shown, h in entries if shown]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    xs, ys = [p[0] for p in pos.values()] or [0.0], [p[1] for p in pos.values()] or [0.0]
    ax.set_xlim(min(xs) - 0.8, max(xs) + 0.8)
    ax.set_ylim(min(ys) - 0.8, max(ys) + 0.5)
    scenario = solution.get("scenario")
    ax.set_title(
        title
        or f"{instance.name}{f' [{scenario}]' if scenario else ''}: command network\n"
        f"{solution.get('status', '?')}: {len(active)} of {len(link_ends)} links active, "
        f"{len(integrated)} of {len(nodes)} nodes integrated"
    )
    for text in fig.findobj(matplotlib.text.Text):  # ids are user text: a '$' is not mathtext
        text.set_parse_math(False)
    return save_figure(fig, out_base)
