"""How the figures speak: parameter names in words, nation colours, honest axes, labels that do not collide.

Kept apart from the drawing code so that every figure (frontier, sweep,
comparison, network) names things the same way and so that the rules can be
tested on their own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Annotation

MAX_NATIONS_SHOWN = 10  # nations drawn on their own; the smaller contributors are grouped as "others"
OTHERS_COLOR = "#8c8c8c"
TOTAL_COLOR = "#222222"

PARAMETERS = {
    "autonomy_scale": "autonomy weight λ",
    "link_cost_scale": "link-cost weight μ",
    "shared_command_factor": "shared-command factor κ_s",
    "lead_command_factor": "lead-command factor κ_ℓ",
    "integration_autonomy_factor": "integration autonomy factor ι",
}
FIELDS = {
    "nations": {
        "autonomy_weight": "{id}'s autonomy weight α",
        "max_nonnational_share": "{id}'s non-national share limit φ",
        "min_commitment": "{id}'s burden floor β",
        "shares_networks": "{id} shares networks σ",
    },
    "command_nodes": {
        "capacity": "span of control of {id}",
        "lead": "lead nation of {id}",
        "root": "{id} is a root",
        "nation": "nation of {id}",
    },
    "links": {"cost": "cost of link {id}"},
    "platforms": {"count": "units of {id}", "value": "value of {id}", "nation": "nation of {id}"},
    "tasks": {
        "demand": "demand of task {id}",
        "priority": "priority of task {id}",
        "min_coverage": "minimum coverage of task {id}",
        "domain": "domain of task {id}",
        "theater": "theater of task {id}",
    },
}


def describe(path: str) -> str:
    """A swept parameter's dotted path in words: ``parameters.autonomy_scale`` → ``autonomy weight λ``.

    Paths the table does not know are shown with spaces for dots rather than
    guessed at.
    """
    parts = path.split(".")
    if parts[0] == "parameters" and len(parts) == 2 and parts[1] in PARAMETERS:
        return PARAMETERS[parts[1]]
    if parts[:2] == ["parameters", "integration_bonus"] and len(parts) == 3:
        return f"integration bonus in {parts[2]}"
    if len(parts) == 3 and parts[2] in FIELDS.get(parts[0], {}):
        return FIELDS[parts[0]][parts[2]].format(id=parts[1])
    return " ".join(parts)


def plural(count: int, word: str) -> str:
    """``1 unit``, ``2 units``, ``0 units``."""
    return f"{count} {word}" + ("" if count == 1 else "s")


def nation_colors(nations: Sequence[str]) -> dict[str, tuple]:
    """Distinct colours for up to 18 nations (tab10, then tab20's lighter shades; no grey, which is "others")."""
    tab10 = matplotlib.colormaps["tab10"].colors
    tab20 = matplotlib.colormaps["tab20"].colors
    palette = [c for i, c in enumerate(tab10) if i != 7] + [tab20[2 * i + 1] for i in range(10) if i != 7]
    return {n: palette[i % len(palette)] for i, n in enumerate(nations)}


def group_nations(sizes: dict[str, float], limit: int = MAX_NATIONS_SHOWN) -> tuple[list[str], list[str]]:
    """The nations drawn on their own (the ``limit`` largest by ``sizes``) and the rest, grouped.

    When grouping would hide a single nation, it is drawn on its own instead.
    Ties keep the given order.
    """
    ranked = sorted(sizes, key=lambda n: -sizes[n])
    if len(ranked) <= limit + 1:
        return list(sizes), []
    shown = set(ranked[:limit])
    return [n for n in sizes if n in shown], [n for n in sizes if n not in shown]


def others_label(others: Sequence[str]) -> str:
    """The legend entry of the grouped small contributors."""
    return f"others ({plural(len(others), 'nation')})"


def honest_limits(
    ax: Axes,
    values: Iterable[float],
    *,
    min_span: float,
    floor: float | None = 0.0,
    ceiling: float | None = None,
    from_floor: bool = False,
    axis: str = "y",
) -> tuple[float, float]:
    """Axis limits that show at least ``min_span``, so that a small change does not look like a cliff.

    The data range is padded by 8 %; a range narrower than ``min_span`` is
    widened to it around its middle, moved up to start at ``floor`` (values
    that cannot be negative) or down to end at ``ceiling`` (a share: 100 %) if
    it would cross them; with ``from_floor``, the axis starts at ``floor``
    whatever the data (amounts such as autonomy losses).
    """
    data = [float(v) for v in values if v == v]
    lo, hi = (min(data), max(data)) if data else (0.0, 1.0)
    pad = 0.08 * (hi - lo)
    lo, hi = lo - pad, hi + pad
    if hi - lo < min_span:
        mid = (lo + hi) / 2
        lo, hi = mid - min_span / 2, mid + min_span / 2
    if ceiling is not None and hi > ceiling >= max(data, default=ceiling) and hi - lo <= ceiling - (floor or 0):
        lo, hi = lo - (hi - ceiling), ceiling
    if floor is not None and (from_floor or lo < floor <= min(data, default=floor)):
        lo, hi = floor, max(hi, floor + min_span)
    (ax.set_ylim if axis == "y" else ax.set_xlim)(lo, hi)
    return lo, hi


def declutter(fig: Figure, movable: Sequence[Annotation], fixed: Sequence[Annotation] = (), tries: int = 4) -> None:
    """Move each of ``movable`` up (in steps of its height) until it overlaps no text placed before it.

    ``fixed`` texts (the knee's) keep their place; a label that still collides
    after ``tries`` steps is hidden rather than drawn over another.
    """
    renderer = fig.canvas.get_renderer()
    placed = [t.get_window_extent(renderer).expanded(1.05, 1.1) for t in fixed]
    for text in movable:
        for _ in range(tries):
            box = text.get_window_extent(renderer).expanded(1.05, 1.1)
            if not any(box.overlaps(other) for other in placed):
                placed.append(box)
                break
            dx, dy = text.xyann
            text.xyann = (dx, dy + box.height * 72 / fig.dpi)
        else:
            text.set_visible(False)


def overlapping(fig: Figure, texts: Sequence) -> list[tuple[str, str]]:
    """The pairs of visible, non-empty ``texts`` whose drawn boxes overlap (for tests and checks)."""
    renderer = fig.canvas.get_renderer()
    shown = [t for t in texts if t.get_visible() and t.get_text()]
    boxes = [t.get_window_extent(renderer) for t in shown]
    return [
        (shown[i].get_text(), shown[j].get_text())
        for i in range(len(shown))
        for j in range(i + 1, len(shown))
        if boxes[i].overlaps(boxes[j])
    ]
