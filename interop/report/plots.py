"""Figures: the effectiveness–autonomy frontier, parameter sweeps, command networks.

Every plot is drawn with matplotlib's object API (no pyplot, so no screen and no
global figure state) and written as PNG and SVG beside its data. Files are
written atomically (a temporary file in the same directory, then ``os.replace``)
so a reader never sees half a figure. SVG text is kept as text, not paths, so
labels stay searchable and selectable.

The tables read here are written by other commands: ``frontier.csv`` (one row
per epsilon-constraint point) and ``sweep.csv`` (one row per parameter value);
their columns are documented on :func:`plot_frontier` and :func:`plot_sweep`.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import PercentFormatter

from interop.report.style import (
    OTHERS_COLOR,
    TOTAL_COLOR,
    declutter,
    describe,
    group_nations,
    honest_limits,
    nation_colors,
    others_label,
)
from interop.solution.files import atomic_write

SOLVED = ("optimal", "feasible")
FORMATS = ("png", "svg")
MULTINATIONAL = "multinational"
MULTINATIONAL_COLOR = "#f2c14e"
FEW_POINTS = 12  # annotate the price of autonomy between points up to this many
MANY_NATIONS = 6  # legends move outside the axes beyond this many entries
SVG_RC = {"svg.fonttype": "none", "svg.hashsalt": "interop"}  # searchable text, stable ids


def output_paths(out_base: str | Path) -> list[Path]:
    """The PNG and SVG paths for ``out_base`` (a trailing .png/.svg is dropped)."""
    base = Path(out_base)
    if base.suffix.lower() in (".png", ".svg"):
        base = base.with_suffix("")
    return [base.parent / f"{base.name}.{fmt}" for fmt in FORMATS]


def save_figure(fig: Figure, out_base: str | Path) -> list[Path]:
    """Write ``fig`` as PNG and SVG atomically; return the paths written."""
    paths = output_paths(out_base)
    paths[0].parent.mkdir(parents=True, exist_ok=True)
    for path, fmt in zip(paths, FORMATS):
        buffer = io.BytesIO()
        with matplotlib.rc_context(SVG_RC):
            metadata = {"Date": None} if fmt == "svg" else None  # reproducible SVG
            fig.savefig(buffer, format=fmt, dpi=150, metadata=metadata)
        atomic_write(path, buffer.getvalue())
    return paths


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what}: missing column(s) {', '.join(missing)}")


def _solved(frame: pd.DataFrame) -> pd.Series:
    return frame["status"].astype(str).str.strip().str.lower().isin(SOLVED)


def _nation_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c.startswith("autonomy_loss.")]


def _is_true(value: object) -> bool:
    """A CSV boolean read back by pandas: True, 'True', 'true', 1."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    try:
        return bool(value) and not (isinstance(value, float) and math.isnan(value))
    except (TypeError, ValueError):
        return False


X_AXES = {  # axis label, its symbol, its name in the title
    "weighted": ("weighted autonomy loss  W = Σ α_n Aut_n", "W", "weighted autonomy loss"),
    "unweighted": (
        "autonomy loss, unweighted  Σ_n Aut_n  (value ceded, comparable across weights)",
        "Σ Aut",
        "unweighted autonomy loss",
    ),
}
Y_AXES = {
    "objective": ("effect objective  F = weighted effect − μ · link cost", "F", "effect objective"),
    "effectiveness": ("effectiveness (share of priority-weighted demand met)", "effectiveness", "effectiveness"),
}


def _effect_objective(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with F under ``objective``: ``effect_objective`` if present (older files have only ``objective``)."""
    if "effect_objective" in frame.columns:
        return frame.assign(objective=frame["effect_objective"])
    return frame


def frontier_figure(
    frontier: pd.DataFrame, title: str | None = None, y: str = "objective", x: str = "weighted", subject: str = ""
) -> Figure:
    """The Pareto front of autonomy loss (x) against ``y``, as a matplotlib Figure.

    ``frontier`` has the columns of ``frontier.csv``: point, epsilon, status,
    gap, weighted_effect, link_cost, weighted_autonomy_loss, effectiveness,
    effect_objective (F; older files: objective), price_of_autonomy, knee,
    autonomy_loss.<NATION>. Rows not solved are skipped. ``x`` is
    ``weighted`` (W = Σ α_n Aut_n, the front's own axis, drawn as a step line:
    between two points the better F is not reachable without the next one's
    extra W) or ``unweighted`` (Σ_n Aut_n, so that scenarios with different
    weights α_n compare; points joined in the front's order). The knee is
    marked; with few points on the W axis, the price of autonomy (ΔF / ΔW)
    is written between neighbours, its labels moved clear of each other and
    of the knee's. The axes show at least 10 % of the largest value, so that
    a small change does not look like a cliff. The title says what is
    plotted, after ``subject`` (e.g. the instance and scenario).
    """
    if y not in Y_AXES:
        raise ValueError(f"y must be 'objective' or 'effectiveness', not {y!r}")
    if x not in X_AXES:
        raise ValueError(f"x must be 'weighted' or 'unweighted', not {x!r}")
    frontier = _effect_objective(frontier)
    _require(frontier, ["status", "weighted_autonomy_loss", y], "frontier")
    rows = frontier[_solved(frontier)].copy()
    if x == "unweighted":
        nations = _nation_columns(rows)
        if not nations:
            raise ValueError("frontier: no autonomy_loss.<nation> columns for the unweighted axis")
        rows["_x"] = rows[nations].apply(pd.to_numeric, errors="coerce").sum(axis=1, min_count=1)
    else:
        rows["_x"] = rows["weighted_autonomy_loss"]
    rows = rows.dropna(subset=["_x", "weighted_autonomy_loss", y])
    if rows.empty:
        raise ValueError("frontier: no optimal or feasible point to plot")
    rows = rows.sort_values(["weighted_autonomy_loss", y], kind="stable").reset_index(drop=True)
    xs, ys = rows["_x"].astype(float), rows[y].astype(float)
    (x_label, x_short, x_name), (y_label, y_short, y_name) = X_AXES[x], Y_AXES[y]

    fig = Figure(figsize=(8, 5.5), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    if x == "weighted":
        ax.step(xs, ys, where="post", color="#1f4e79", linewidth=1.6, alpha=0.8, zorder=2)
    else:
        ax.plot(xs, ys, color="#1f4e79", linewidth=1.2, alpha=0.6, zorder=2)
    ax.plot(xs, ys, linestyle="none", marker="o", markersize=6, color="#1f4e79", label="Pareto point", zorder=3)

    prices = []
    if x == "weighted" and "price_of_autonomy" in rows.columns and len(rows) <= FEW_POINTS:
        poa = pd.to_numeric(rows["price_of_autonomy"], errors="coerce")
        for i in range(1, len(rows)):
            if not math.isfinite(poa.iloc[i]):
                continue
            # above the flat part of the step leading to point i
            prices.append(
                ax.annotate(
                    f"PoA {poa.iloc[i]:.3g}",
                    ((xs.iloc[i - 1] + xs.iloc[i]) / 2, ys.iloc[i - 1]),
                    xytext=(0, 4),
                    textcoords="offset points",
                    ha="center",
                    fontsize=7,
                    color="#555555",
                )
            )

    knee_labels = []
    knees = rows.index[rows["knee"].map(_is_true)] if "knee" in rows.columns else []
    for k in knees[:1]:
        kx, ky = float(xs.iloc[k]), float(ys.iloc[k])
        ax.plot([kx], [ky], marker="*", markersize=18, color="#c0392b", linestyle="none", label="knee", zorder=4)
        right = kx > (float(xs.min()) + float(xs.max())) / 2  # text towards the middle of the plot
        value = f"{ky:.1%}" if y == "effectiveness" else f"{ky:.4g}"
        knee_labels.append(
            ax.annotate(
                f"knee: {x_short} {kx:.4g}, {y_short} {value}",
                (kx, ky),
                xytext=(-25 if right else 25, -40),
                textcoords="offset points",
                ha="right" if right else "left",
                fontsize=9,
                color="#c0392b",
                arrowprops={"arrowstyle": "->", "color": "#c0392b"},
            )
        )

    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    if y == "effectiveness":
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        honest_limits(ax, ys, min_span=0.10, floor=0.0, ceiling=1.02)
    else:
        honest_limits(ax, ys, min_span=max(0.10 * float(ys.abs().max()), 1e-9), floor=None)
    honest_limits(ax, xs, min_span=max(0.10 * float(xs.abs().max()), 1e-9), floor=0.0, from_floor=True, axis="x")
    what = f"Pareto front: {y_name} against {x_name}"
    ax.set_title(title or (f"{subject}\n{what}" if subject else what))
    ax.grid(True, alpha=0.3)
    handles, _ = ax.get_legend_handles_labels()
    if prices:
        handles.append(Line2D([], [], linestyle="none", label="PoA: price of autonomy, ΔF per unit ΔW"))
    ax.legend(handles=handles, loc="lower right", fontsize=8)
    fig.draw_without_rendering()  # lay out first, so the label boxes are where they will be drawn
    declutter(fig, prices, knee_labels)
    return fig


def plot_frontier(
    frontier: pd.DataFrame,
    out_base: str | Path,
    title: str | None = None,
    y: str = "objective",
    x: str = "weighted",
    subject: str = "",
) -> list[Path]:
    """Draw :func:`frontier_figure` and write it as PNG and SVG beside ``out_base``."""
    return save_figure(frontier_figure(frontier, title, y, x, subject), out_base)


def sweep_params(df: pd.DataFrame) -> list[str]:
    """The swept-parameter columns of a sweep table: those before ``point``."""
    if "point" not in df.columns:
        raise ValueError("sweep: no 'point' column (cannot tell the swept parameters)")
    params = list(df.columns[: list(df.columns).index("point")])
    if not params:
        raise ValueError("sweep: no parameter column before 'point'")
    return params


def _category(value: object) -> str:
    """A swept value as a category label, spelled as on the command line (``true``, ``none``)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "none"  # a cleared field (a lead): None in the table, an empty cell in sweep.csv
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    return str(value)


def _positions(values: pd.Series) -> tuple[pd.Series, list | None]:
    """Numeric x positions of swept values; categorical values (switches, names) get 0..k-1 and tick labels.

    Booleans are categories, not 0 and 1: ``true`` and ``false`` are two cases, not
    two ends of a scale. Categories keep the order of the sweep's values.
    """
    is_bool = pd.api.types.is_bool_dtype(values) or values.map(lambda v: isinstance(v, bool)).any()
    if not is_bool:
        numeric = pd.to_numeric(values, errors="coerce")
        if numeric.notna().all():
            return numeric.astype(float), None
    text = values.map(_category)
    labels = list(dict.fromkeys(text))
    return text.map({v: i for i, v in enumerate(labels)}).astype(float), labels


def sweep_figure(sweep: pd.DataFrame, params: list[str], x: str | None = None, title: str | None = None) -> Figure:
    """Effectiveness (top) and autonomy loss by nation with their total (bottom) along a sweep.

    ``sweep`` has the columns of ``sweep.csv``: the swept parameters (named by
    dotted path, shown in words), point, status, objective, ...,
    autonomy_loss.<NATION>. The x axis is ``x`` (default: the first of
    ``params``); with more parameters (a grid), one line is drawn per
    combination of the others. A switch or a name (``true``/``false``, a
    lead; an empty cell is a cleared lead, ``none``) is a categorical axis:
    one tick per value in the sweep's order, points side by side per
    combination of the others, no line joining separate cases. Unsolved points are left as gaps. Nations with
    zero loss at every point are omitted; beyond ten nations the smaller
    contributors are summed into one "others" line; a black line gives the
    total over all nations. Effectiveness is shown over at least 10 points
    and losses from 0, so that a small change does not look like a cliff.
    """
    if not params:
        raise ValueError("sweep: no swept parameter given")
    _require(sweep, [*params, "status", "effectiveness"], "sweep")
    x = x or params[0]
    if x not in params:
        raise ValueError(f"sweep: --x {x!r} is not a swept parameter (swept: {', '.join(params)})")
    others = [p for p in params if p != x]
    frame = sweep.copy()
    nations = _nation_columns(frame)
    values = ["effectiveness", *nations]
    for col in values:
        frame[col] = pd.to_numeric(frame[col], errors="coerce")
    frame.loc[~_solved(frame), values] = math.nan
    if frame["effectiveness"].notna().sum() == 0:
        raise ValueError("sweep: no optimal or feasible point to plot")
    frame["_x"], categories = _positions(frame[x])
    frame = frame.sort_values("_x", kind="stable")
    frame["_total"] = frame[nations].sum(axis=1, min_count=1) if nations else math.nan
    losing = {c: float(frame[c].fillna(0).abs().max()) for c in nations}
    shown, small = group_nations({c: v for c, v in losing.items() if v > 1e-12})
    if small:
        frame["_others"] = frame[small].sum(axis=1, min_count=1)
    groups = list(frame.groupby(others, sort=False, dropna=False)) if others else [((), frame)]

    fig = Figure(figsize=(9, 7.5), layout="constrained")
    FigureCanvasAgg(fig)
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [1, 1.3]})
    styles = ["-", "--", ":", "-."]
    markers = ["o", "s", "^", "D", "v", "P", "X"]
    colors = nation_colors(shown)
    categorical = categories is not None  # separate cases: points side by side, no line between them
    for g, (key, part) in enumerate(groups):
        key = key if isinstance(key, tuple) else (key,)
        label = ", ".join(f"{describe(p)} = {_category(v)}" for p, v in zip(others, key))
        style, marker = styles[g % len(styles)], markers[g % len(markers)]
        xs = part["_x"] + (0.5 * (g + 0.5) / len(groups) - 0.25 if categorical else 0.0)
        style = "none" if categorical else style
        top.plot(xs, part["effectiveness"], linestyle=style, marker=marker, label=label or None)
        for col in shown:
            bottom.plot(xs, part[col], linestyle=style, marker=marker, markersize=4, color=colors[col])
        if small:
            bottom.plot(xs, part["_others"], linestyle=style, marker=marker, markersize=4, color=OTHERS_COLOR)
        if nations:
            total = {"marker": "_", "markersize": 18, "markeredgewidth": 2.4} if categorical else {"linewidth": 2.4}
            bottom.plot(xs, part["_total"], linestyle=style, color=TOTAL_COLOR, gid="total", **total)

    top.set_ylabel("effectiveness")
    top.yaxis.set_major_formatter(PercentFormatter(1.0))
    honest_limits(top, frame["effectiveness"], min_span=0.10, floor=0.0, ceiling=1.02)
    top.grid(True, alpha=0.3)
    if others:
        top.legend(fontsize=8)
    bottom.set_ylabel("autonomy loss (value ceded, unweighted)")
    bottom.set_xlabel(describe(x))
    bottom.grid(True, alpha=0.3)
    omitted = len(nations) - len(shown) - len(small)
    handles = [Line2D([], [], color=colors[c], label=c.split(".", 1)[1]) for c in shown]
    if small:
        handles.append(Line2D([], [], color=OTHERS_COLOR, label=others_label(small)))
    if shown:
        handles.append(Line2D([], [], color=TOTAL_COLOR, linewidth=2.4, label="total, all nations"))
        legend_title = f"nation ({omitted} with no loss omitted)" if omitted else "nation"
        if len(handles) > MANY_NATIONS:
            bottom.legend(handles=handles, title=legend_title, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
        else:
            bottom.legend(handles=handles, title=legend_title, fontsize=8)
        span = max(0.1 * float(frame["_total"].max()), 1e-9)
        honest_limits(bottom, frame["_total"], min_span=span, floor=0.0, from_floor=True)
    else:
        bottom.text(0.5, 0.5, "no nation loses autonomy", transform=bottom.transAxes, ha="center")
    if categorical:
        bottom.set_xticks(range(len(categories)), categories)
        bottom.set_xlim(-0.5, len(categories) - 0.5)
    fig.suptitle(title or f"Effectiveness and autonomy loss against {describe(x)}")
    return fig


def plot_sweep(
    sweep: pd.DataFrame,
    params: list[str],
    out_base: str | Path,
    x: str | None = None,
    title: str | None = None,
) -> list[Path]:
    """Draw :func:`sweep_figure` and write it as PNG and SVG beside ``out_base``."""
    return save_figure(sweep_figure(sweep, params, x, title), out_base)
