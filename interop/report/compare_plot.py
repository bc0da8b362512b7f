"""The figure of a scenario comparison: each nation's autonomy loss and the objective, side by side."""

from __future__ import annotations

from pathlib import Path

from interop.analyses.compare import Comparison
from interop.report.plots import save_figure


def plot_comparison(cmp: Comparison, out_base: str | Path) -> list[Path]:
    """Grouped bars: each nation's autonomy loss per scenario, and effectiveness per scenario."""
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4), gridspec_kw={"width_ratios": [3, 1]})
    if not cmp.nations.empty:
        pivot = cmp.nations.pivot(index="nation", columns="scenario", values="autonomy_loss")
        pivot = pivot[[x for x in cmp.scenarios if x in pivot.columns]]
        pivot.plot.bar(ax=ax1, rot=0)
    ax1.set_ylabel("autonomy loss (value ceded)")
    ax1.set_xlabel("nation")
    ax1.set_title("Autonomy loss by nation")
    eff = cmp.summary.set_index("scenario")["effectiveness"].astype(float).fillna(0.0)
    ax2.bar(range(len(eff)), eff.to_numpy() * 100)
    ax2.set_xticks(range(len(eff)), eff.index, rotation=30, ha="right")
    ax2.set_ylabel("effectiveness (%)")
    ax2.set_ylim(0, 100)
    ax2.set_title("Effectiveness")
    fig.tight_layout()
    try:
        return save_figure(fig, out_base)
    finally:
        plt.close(fig)
