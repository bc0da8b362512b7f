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
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import PercentFormatter

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


def plot_frontier(
    frontier: pd.DataFrame,
    out_base: str | Path,
    title: str = "Effectiveness against national autonomy",
    y: str = "objective",
) -> list[Path]:
    """Plot the Pareto front of weighted autonomy loss (x) against ``y``.

    ``frontier`` has the columns of ``frontier.csv``: point, epsilon, status,
    gap, weighted_effect, link_cost, weighted_autonomy_loss, effectiveness,
    objective, price_of_autonomy, knee, autonomy_loss.<NATION>. Rows not
    solved (status other than optimal/feasible) are skipped. The front is drawn
    as a step line: between two points the better objective is not reachable
    without the extra autonomy loss of the next one. The knee is marked and
    annotated; with few points, the price of autonomy (objective gained per
    unit of extra weighted autonomy loss) is written between adjacent points.
    """
    if y not in ("objective", "effectiveness"):
        raise ValueError(f"y must be 'objective' or 'effectiveness', not {y!r}")
    _require(frontier, ["status", "weighted_autonomy_loss", y], "frontier")
    rows = frontier[_solved(frontier)].copy()
    rows = rows.dropna(subset=["weighted_autonomy_loss", y])
    if rows.empty:
        raise ValueError("frontier: no optimal or feasible point to plot")
    rows = rows.sort_values(["weighted_autonomy_loss", y], kind="stable").reset_index(drop=True)
    xs, ys = rows["weighted_autonomy_loss"].astype(float), rows[y].astype(float)

    fig = Figure(figsize=(8, 5.5), layout="constrained")
    ax = fig.add_subplot()
    ax.step(xs, ys, where="post", color="#1f4e79", linewidth=1.6, alpha=0.8, zorder=2)
    ax.plot(xs, ys, linestyle="none", marker="o", markersize=6, color="#1f4e79", label="Pareto point", zorder=3)

    if "price_of_autonomy" in rows.columns and len(rows) <= FEW_POINTS:
        poa = pd.to_numeric(rows["price_of_autonomy"], errors="coerce")
        for i in range(1, len(rows)):
            if not math.isfinite(poa.iloc[i]):
                continue
            # above the flat part of the step leading to point i
            ax.annotate(
                f"PoA {poa.iloc[i]:.3g}",
                ((xs.iloc[i - 1] + xs.iloc[i]) / 2, ys.iloc[i - 1]),
                xytext=(0, 4),
                textcoords="offset points",
                ha="center",
                fontsize=7,
                color="#555555",
            )

    knees = rows.index[rows["knee"].map(_is_true)] if "knee" in rows.columns else []
    for k in knees[:1]:
        kx, ky = float(xs.iloc[k]), float(ys.iloc[k])
        ax.plot([kx], [ky], marker="*", markersize=18, color="#c0392b", linestyle="none", label="knee", zorder=4)
        right = kx > (float(xs.min()) + float(xs.max())) / 2  # text towards the middle of the plot
        value = f"{ky:.1%}" if y == "effectiveness" else f"{ky:.4g}"
        ax.annotate(
            f"knee: loss {kx:.4g}, {y} {value}",
            (kx, ky),
            xytext=(-25 if right else 25, -40),
            textcoords="offset points",
            ha="right" if right else "left",
            fontsize=9,
            color="#c0392b",
            arrowprops={"arrowstyle": "->", "color": "#c0392b"},
        )

    ax.set_xlabel("weighted autonomy loss  Σ α_n Aut_n")
    if y == "effectiveness":
        ax.set_ylabel("effectiveness (share of priority-weighted demand met)")
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    else:
        ax.set_ylabel("objective  (weighted effect − μ · link cost)")
    ax.set_title(title)
    ax.margins(x=0.06, y=0.15)
    ax.grid(True, alpha=0.3)
    handles, _ = ax.get_legend_handles_labels()
    if any(t.get_text().startswith("PoA") for t in ax.texts):
        handles.append(Line2D([], [], linestyle="none", label="PoA: Δ objective per unit Δ autonomy loss"))
    ax.legend(handles=handles, loc="lower right", fontsize=8)
    return save_figure(fig, out_base)


def sweep_params(df: pd.DataFrame) -> list[str]:
    """The swept-parameter columns of a sweep table: those before ``point``."""
    if "point" not in df.columns:
        raise ValueError("sweep: no 'point' column (cannot tell the swept parameters)")
    params = list(df.columns[: list(df.columns).index("point")])
    if not params:
        raise ValueError("sweep: no parameter column before 'point'")
    return params


def _positions(values: pd.Series) -> tuple[pd.Series, list | None]:
    """Numeric x positions of swept values; categorical values get 0..k-1 and tick labels."""
    numeric = pd.to_numeric(values, errors="coerce")
    if numeric.notna().all():
        return numeric.astype(float), None
    labels = list(dict.fromkeys(values.astype(str)))
    return values.astype(str).map({v: i for i, v in enumerate(labels)}).astype(float), labels


def plot_sweep(
    sweep: pd.DataFrame,
    params: list[str],
    out_base: str | Path,
    x: str | None = None,
    title: str | None = None,
) -> list[Path]:
    """Plot effectiveness (top) and each nation's autonomy loss (bottom) along a sweep.

    ``sweep`` has the columns of ``sweep.csv``: the swept parameters (named by
    dotted path), point, status, objective, ..., autonomy_loss.<NATION>. The x
    axis is ``x`` (default: the first of ``params``); with more parameters (a
    grid), one line is drawn per combination of the others. Unsolved points
    are left as gaps. Nations with zero loss at every point are omitted.
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
    shown = [c for c in nations if frame[c].fillna(0).abs().max() > 1e-12]
    groups = list(frame.groupby(others, sort=False, dropna=False)) if others else [((), frame)]

    fig = Figure(figsize=(9, 7.5), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [1, 1.3]})
    styles = ["-", "--", ":", "-."]
    markers = ["o", "s", "^", "D", "v", "P", "X"]
    colors = matplotlib.colormaps["tab10" if len(nations) <= 10 else "tab20"].colors
    for g, (key, part) in enumerate(groups):
        key = key if isinstance(key, tuple) else (key,)
        label = ", ".join(f"{p.split('.')[-1] if len(others) == 1 else p}={v}" for p, v in zip(others, key))
        style, marker = styles[g % len(styles)], markers[g % len(markers)]
        top.plot(part["_x"], part["effectiveness"], linestyle=style, marker=marker, label=label or None)
        for i, col in enumerate(shown):
            bottom.plot(
                part["_x"], part[col], linestyle=style, marker=marker, markersize=4, color=colors[i % len(colors)]
            )

    top.set_ylabel("effectiveness")
    top.yaxis.set_major_formatter(PercentFormatter(1.0))
    top.grid(True, alpha=0.3)
    if others:
        top.legend(title=", ".join(others) if len(others) == 1 else None, fontsize=8)
    bottom.set_ylabel("autonomy loss by nation")
    bottom.set_xlabel(x)
    bottom.grid(True, alpha=0.3)
    omitted = len(nations) - len(shown)
    handles = [Line2D([], [], color=colors[i % len(colors)], label=c.split(".", 1)[1]) for i, c in enumerate(shown)]
    if handles:
        legend_title = f"nation ({omitted} with no loss omitted)" if omitted else "nation"
        if len(handles) > MANY_NATIONS:
            bottom.legend(handles=handles, title=legend_title, fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1))
        else:
            bottom.legend(handles=handles, title=legend_title, fontsize=8)
    else:
        bottom.text(0.5, 0.5, "no nation loses autonomy", transform=bottom.transAxes, ha="center")
    if categories is not None:
        bottom.set_xticks(range(len(categories)), categories)
    fig.suptitle(title or f"Sweep of {x}")
    return save_figure(fig, out_base)
