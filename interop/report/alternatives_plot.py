"""The figure of near-optimal alternatives: how much each nation cedes in each plan, and what each plan costs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from interop.report.plots import save_figure
from interop.report.style import group_nations, nation_colors, others_label

PREFIX = "autonomy_loss_"


def alternative_losses(frame: pd.DataFrame) -> pd.DataFrame:
    """Autonomy loss by plan (rows, ``k``) and nation (columns); nations that never lose are left out.

    Beyond ten nations the ten largest (by their largest loss) are kept and the
    rest summed as "others", as in the other figures.
    """
    solved = frame[frame["status"].isin(["optimal", "feasible"])]
    columns = [c for c in solved.columns if c.startswith(PREFIX)]
    table = solved.set_index("k")[columns].astype(float).fillna(0.0)
    table.columns = [c.removeprefix(PREFIX) for c in columns]
    largest = table.abs().max(axis=0)
    shown, small = group_nations({n: float(v) for n, v in largest.items() if v > 1e-12})
    out = table[shown]
    if small:
        out = out.assign(**{others_label(small): table[small].sum(axis=1)})
    return out


def alternatives_figure(frame: pd.DataFrame, title: str | None = None) -> Figure:
    """Left: each nation's autonomy loss in each plan (0 = the optimum). Right: Z and effectiveness of each plan."""
    fig = Figure(figsize=(10, 4.2), layout="constrained")
    FigureCanvasAgg(fig)
    ax1, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    losses = alternative_losses(frame)
    if not losses.empty and len(losses.columns):
        colors = nation_colors([c for c in losses.columns if not c.startswith("others")])
        losses.plot.bar(ax=ax1, rot=0, color=[colors.get(c, (0.6, 0.6, 0.6)) for c in losses.columns])
        ax1.legend(title="nation", fontsize=8)
    else:
        ax1.text(0.5, 0.5, "no nation loses autonomy", transform=ax1.transAxes, ha="center")
    ax1.set_xlabel("plan (0 = the optimum)")
    ax1.set_ylabel("autonomy loss (value ceded, unweighted)")
    ax1.set_ylim(bottom=0)
    ax1.set_title("How much each nation cedes")
    solved = frame[frame["status"].isin(["optimal", "feasible"])]
    ks = solved["k"].astype(int).tolist()
    ax2.bar(range(len(ks)), solved["objective"].astype(float), color="#4c72b0")
    ax2.set_xticks(range(len(ks)), [str(k) for k in ks])
    ax2.set_xlabel("plan (0 = the optimum)")
    ax2.set_ylabel("objective Z")
    for i, (z, eff, d) in enumerate(zip(solved["objective"], solved["effectiveness"], solved["min_distance"])):
        ax2.annotate(f"{eff:.1%}\nd {d:.3g}", (i, float(z)), ha="center", va="bottom", fontsize=7)
    top = float(solved["objective"].max()) if len(solved) else 0.0
    if top > 0:
        ax2.set_ylim(top=top * 1.2)  # room for the labels above the bars
    ax2.set_title("Objective, effectiveness and distance")
    if title:
        fig.suptitle(title)
    return fig


def plot_alternatives(frame: pd.DataFrame, out_base: str | Path, title: str | None = None) -> list[Path]:
    """Draw :func:`alternatives_figure` and write it as PNG and SVG beside ``out_base``."""
    return save_figure(alternatives_figure(frame, title), out_base)
