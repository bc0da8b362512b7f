"""``interop report``: one self-contained HTML file that briefs an instance.

The page says what is modelled (sizes and parameters of every scenario), which
numbers are facts and which are assumptions (entities that cite a ``source``
and the instance's source list; everything else is a modelling assumption),
every scenario side by side (:func:`interop.compare.compare`), the
effectiveness–autonomy frontier with its knee and prices of autonomy
(:func:`interop.frontier.frontier`), one-parameter sweeps if asked, and the command network of each plan
(:func:`interop.report.network.plot_network`). Figures are inlined as base64 PNG
(``<img src="data:image/png;base64,…">``), there are no scripts, style sheets
or fonts from elsewhere, and source addresses are printed as text: the file
opens offline in any browser.
"""

from __future__ import annotations

import base64
import html
import re
import tempfile
from pathlib import Path

import pandas as pd

from interop.instance.schema import Instance
from interop.report.compare_plot import plot_comparison
from interop.report.tables import frontier_table, scenario_table, sizes

STYLE = """
body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:.5rem 0 1.5rem;font-size:.85rem}
th,td{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}
th{background:#eee} td.num{text-align:right;font-variant-numeric:tabular-nums}
img{max-width:100%;border:1px solid #ddd;margin:.5rem 0}
.note{color:#555;font-size:.9rem}
"""


NUMERIC = re.compile(r"^[-+]?\d[\d.]*( %| pts)?$")


def _esc(value) -> str:
    return html.escape("" if value is None else str(value))


def _cell(value) -> str:
    if isinstance(value, bool):
        return f"<td>{'yes' if value else ''}</td>"
    if isinstance(value, float):
        text = "" if pd.isna(value) else f"{value:.4g}"
        return f'<td class="num">{text}</td>'
    if isinstance(value, int):
        return f'<td class="num">{value}</td>'
    if isinstance(value, str) and NUMERIC.match(value):  # a number a shared table rounded for display
        return f'<td class="num">{_esc(value)}</td>'
    return f"<td>{_esc(value)}</td>"


def html_table(frame: pd.DataFrame, columns: list[str] | None = None, empty: str = "none") -> str:
    """A DataFrame as an HTML table (floats to 4 significant digits)."""
    if frame is None or frame.empty:
        return f'<p class="note">{_esc(empty)}</p>'
    cols = [c for c in (columns or list(frame.columns)) if c in frame.columns]
    head = "".join(f"<th>{_esc(c.replace('_', ' '))}</th>" for c in cols)
    body = "".join(
        "<tr>" + "".join(_cell(v.item() if hasattr(v, "item") else v) for v in row) + "</tr>"
        for row in frame[cols].itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def inline_png(path: str | Path, alt: str) -> str:
    """An ``<img>`` holding the PNG at ``path`` as a data URI."""
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return f'<img alt="{_esc(alt)}" src="data:image/png;base64,{data}">'


def provenance(inst: Instance) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(sources, sourced entities): the instance's sources and each entity that cites one."""
    sources = pd.DataFrame(
        [
            {"id": s.id, "title": s.title, "address": s.url or "", "accessed": s.accessed or "", "note": s.note or ""}
            for s in inst.sources
        ],
        columns=["id", "title", "address", "accessed", "note"],
    )
    rows = []
    for kind, items in (
        ("nation", inst.nations),
        ("command node", inst.command_nodes),
        ("link", inst.links),
        ("platform", inst.platforms),
        ("task", inst.tasks),
    ):
        for x in items:
            if getattr(x, "source", None):
                rows.append({"kind": kind, "id": x.id, "source": x.source})
    return sources, pd.DataFrame(rows, columns=["kind", "id", "source"])


def build_report(
    file: str | Path,
    scenarios: list[str] | None = None,
    *,
    frontier_points: int = 7,
    profile: str = "default",
    time_limit: float | None = None,
    sweeps: dict[str, list] | None = None,
) -> str:
    """The HTML text of the briefing on ``file`` for ``scenarios`` (default: the base and every scenario).

    ``sweeps`` (dotted path → values), if asked: one sweep of the first
    scenario per path, each with its table and figure.
    """
    from interop.analyses.compare import compare
    from interop.analyses.frontier import frontier
    from interop.instance.loading import load_instance, read_document
    from interop.report.network import plot_network
    from interop.report.plots import plot_frontier

    if not scenarios:
        scenarios = ["base", *((read_document(file).get("scenarios") or {}).keys())]
    base = load_instance(file)
    cmp = compare(file, scenarios, profile=profile, time_limit=time_limit)
    insts = {s: load_instance(file, None if s == "base" else s) for s in cmp.scenarios}
    parts = [f"<h1>Briefing: {_esc(base.name)}</h1>", f"<p>{_esc(base.description or '')}</p>"]
    parts.append("<h2>What is modelled</h2>")
    parts.append(
        '<p class="note">Allied platforms are assigned to tasks and command nodes; command links are '
        "activated and headquarters integrated into the common network, maximising Z = Σ w E − λ Σ α Aut − "
        "μ Σ k z (the reference formulation). Sizes and parameters per scenario:</p>"
    )
    size_rows = [
        {
            "scenario": s,
            **sizes(i),
            **{k: v for k, v in i.parameters.model_dump().items() if isinstance(v, (int, float))},
        }
        for s, i in insts.items()
    ]
    parts.append(html_table(pd.DataFrame(size_rows)))
    sources, cited = provenance(base)
    parts.append("<h2>Facts and assumptions</h2>")
    parts.append(
        '<p class="note">Entities that cite a source are facts as far as the source goes (names, '
        "existence, counts where given). Every other number — effects, values, autonomy weights, share "
        "limits, capacities, link costs, demands, priorities, bonuses, λ, κ, ι — is a modelling "
        "assumption.</p>"
    )
    parts.append("<h3>Sources</h3>" + html_table(sources, empty="the instance lists no sources"))
    parts.append("<h3>Entities that cite a source</h3>" + html_table(cited, empty="no entity cites a source"))
    parts.append(_scenario_section(cmp))
    with tempfile.TemporaryDirectory() as tmp:
        fig = plot_comparison(cmp, Path(tmp) / "compare")
        parts.append(inline_png(next(p for p in fig if p.suffix == ".png"), "scenarios compared"))
        first = cmp.scenarios[0]
        front = frontier(insts[first], points=frontier_points, profile=profile, time_limit=time_limit)
        parts.append(f"<h2>Frontier ({_esc(first)}): effect objective against autonomy loss</h2>")
        parts.append(
            '<p class="note">Each point is an exact optimum of the ε-constraint form (max Σ w E − μ Σ k z '
            "subject to Σ α Aut ≤ ε); the price of autonomy is the objective gained per unit of extra "
            "weighted autonomy loss between neighbouring points; the knee is marked.</p>"
        )
        knee = front[front["knee"] == True]  # noqa: E712 (a column of booleans)
        if not knee.empty:
            k = knee.iloc[0]
            parts.append(
                f"<p>Knee: weighted autonomy loss {k['weighted_autonomy_loss']:.4g}, effect objective F "
                f"{k['effect_objective']:.4g}, effectiveness {k['effectiveness']:.1%}.</p>"
            )
        parts.append(html_table(frontier_table(front), empty="no point of the frontier has a solution"))
        if front["status"].isin(["optimal", "feasible"]).sum() >= 1:
            subject = f"{base.name} [{first}]" if first else base.name
            paths = plot_frontier(front, Path(tmp) / "frontier", subject=subject)
            parts.append(inline_png(paths[0], "frontier"))
            if any(c.startswith("autonomy_loss.") for c in front.columns):  # none without nations
                parts.append(
                    '<p class="note">The same front against the unweighted autonomy loss Σ_n Aut_n (value '
                    "ceded), which compares across scenarios whose autonomy weights α_n differ.</p>"
                )
                paths = plot_frontier(front, Path(tmp) / "frontier-unweighted", x="unweighted", subject=subject)
                parts.append(inline_png(paths[0], "frontier, unweighted autonomy loss"))
        for path, values in (sweeps or {}).items():
            parts.append(_sweep_section(insts[first], first, path, values, Path(tmp), profile, time_limit))
        parts.append("<h2>The network of each plan</h2>")
        for s in cmp.scenarios:
            sol = cmp.solutions[s]
            parts.append(f"<h3>{_esc(s)}</h3>")
            if not sol.has_solution:
                parts.append(f'<p class="note">no plan: {_esc(sol.status)}</p>')
                continue
            paths = plot_network(
                sol.to_dict(), insts[s], Path(tmp) / f"network-{len(parts)}", title=f"{base.name}: {s}"
            )
            parts.append(inline_png(paths[0], f"network of {s}"))
    body = "\n".join(parts)
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{_esc(base.name)} briefing'
        f"</title><style>{STYLE}</style></head><body>\n{body}\n</body></html>\n"
    )


def _scenario_section(cmp) -> str:
    """Every scenario side by side and the changes against the baseline."""
    from interop.analyses.compare import SHOWN_COLUMNS

    docs = {s: cmp.solutions[s].to_dict() for s in cmp.scenarios}
    extra = cmp.summary.set_index("scenario")
    summary = scenario_table(docs).assign(
        **{
            "integrated nodes": [str(extra.loc[s, "integrated_nodes"]) for s in cmp.scenarios],
            "units moved": [str(extra.loc[s, "units_moved"]) for s in cmp.scenarios],
        }
    )
    out = [
        "<h2>Scenarios side by side</h2>",
        '<p class="note">The same table as the results tables of docs/instances.md '
        "(interop.report.tables), with the nodes integrated and the units moved against the baseline.</p>",
        html_table(summary),
    ]
    out += ["<h3>Who leads each combined HQ</h3>", html_table(cmp.leads, empty="no combined HQ")]
    out += [
        "<h3>Autonomy loss by nation and command relation</h3>",
        html_table(
            cmp.nations,
            SHOWN_COLUMNS["nations"],
        ),
    ]
    out += ["<h3>Task coverage</h3>", html_table(cmp.tasks, SHOWN_COLUMNS["tasks"])]
    out += [
        f"<h3>Against {_esc(cmp.baseline)}: units that moved</h3>",
        '<p class="note">Each scenario is re-planned among its optimal plans with the fewest changed '
        "units against the baseline, so these moves are forced by the scenario, not ties.</p>",
        html_table(cmp.moves, empty="no unit moved"),
        "<h3>Links switched</h3>",
        html_table(cmp.link_changes, empty="no link switched"),
        "<h3>Nation deltas</h3>",
        html_table(
            cmp.nation_deltas,
            SHOWN_COLUMNS["nation_deltas"],
        ),
        "<h3>Task deltas</h3>",
        html_table(cmp.task_deltas, SHOWN_COLUMNS["task_deltas"]),
    ]
    return "\n".join(out)


def _sweep_section(inst: Instance, scenario: str, path: str, values: list, tmp: Path, profile, limit) -> str:
    """A one-parameter sweep of ``inst``: its table and figure."""
    from interop.analyses.sweep import sweep
    from interop.analyses.sweep_paths import field_kind, show
    from interop.report.plots import plot_sweep

    table = sweep(inst, {path: values}, profile=profile, time_limit=limit)
    out = [
        f"<h2>Sweep ({_esc(scenario)}): {_esc(path)}</h2>",
        '<p class="note">Each point is an exact optimum of Z with the parameter set to the value shown.</p>',
    ]
    columns = [path, "status", "objective", "effectiveness", "weighted_autonomy_loss", "link_cost"]
    shown = table.assign(**{path: table[path].map(show)}) if field_kind(path).kind != "number" else table
    out.append(html_table(shown, [*columns, *[c for c in table.columns if c.startswith("autonomy_loss.")]]))
    if table["status"].isin(["optimal", "feasible"]).any():
        figure = plot_sweep(table, [path], tmp / f"sweep-{abs(hash(path))}", title=f"{inst.name} [{scenario}]")
        out.append(inline_png(figure[0], f"sweep of {path}"))
    return "\n".join(out)


def write_report(file: str | Path, out_dir: str | Path, scenarios: list[str] | None = None, **kwargs) -> Path:
    """Write ``report.html`` into ``out_dir`` and return its path."""
    from interop.solution.files import atomic_write

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "report.html"
    atomic_write(path, build_report(file, scenarios, **kwargs).encode("utf-8"))
    return path
