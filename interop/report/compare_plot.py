"""The figure of a scenario comparison: each nation's autonomy loss and the effectiveness, side by side."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from interop.analyses.compare import Comparison
from interop.report.plots import save_figure
from interop.report.style import group_nations, others_label


def comparison_losses(cmp: Comparison) -> pd.DataFrame:
    """Autonomy loss by nation (rows) and scenario (columns), small contributors summed as "others".

    Nations that lose nothing in any scenario are left out; beyond ten, the
    ten largest (by their largest loss) are kept and the rest summed in one row.
    """
    if cmp.nations.empty:
        return pd.DataFrame()
    pivot = cmp.nations.pivot(index="nation", columns="scenario", values="autonomy_loss").astype(float).fillna(0.0)
    pivot = pivot[[x for x in cmp.scenarios if x in pivot.columns]]
    order = list(dict.fromkeys(cmp.nations["nation"]))
    pivot = pivot.loc[[n for n in order if n in pivot.index]]
    largest = pivot.abs().max(axis=1)
    shown, small = group_nations({n: float(v) for n, v in largest.items() if v > 1e-12})
    table = pivot.loc[shown]
    if small:
        table = pd.concat([table, pivot.loc[small].sum().to_frame(others_label(small)).T])
    return table


def comparison_figure(cmp: Comparison) -> Figure:
    """Grouped bars: each nation's autonomy loss per scenario (left), effectiveness per scenario (right)."""
    fig = Figure(figsize=(10, 4.2), layout="constrained")
    FigureCanvasAgg(fig)
    ax1, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 1]})
    losses = comparison_losses(cmp)
    if not losses.empty:
        losses.plot.bar(ax=ax1, rot=0 if len(losses) <= 8 else 45)
        ax1.legend(title="scenario", fontsize=8)
    else:
        ax1.text(0.5, 0.5, "no nation loses autonomy", transform=ax1.transAxes, ha="center")
    ax1.set_ylabel("autonomy loss (value ceded, unweighted)")
    ax1.set_xlabel("nation")
    ax1.set_ylim(bottom=0)
    ax1.set_title("Autonomy loss by nation")
    eff = cmp.summary.set_index("scenario")["effectiveness"].astype(float).fillna(0.0)
    ax2.bar(range(len(eff)), eff.to_numpy() * 100)
    ax2.set_xticks(range(len(eff)), eff.index, rotation=30, ha="right")
    ax2.set_ylabel("effectiveness (%)")
    ax2.set_ylim(0, 100)
    ax2.set_title("Effectiveness")
    return fig


def plot_comparison(cmp: Comparison, out_base: str | Path) -> list[Path]:
    """Draw :func:`comparison_figure` and write it as PNG and SVG beside ``out_base``."""
    return save_figure(comparison_figure(cmp), out_base)
