"""Figures of a comparison: per operator and per rider group with error bars (95% intervals of
simulation noise), the headline changes with their paired intervals, and a network map coloured
by the change in boardings (matplotlib only: routes drawn from stop coordinates, no map tiles).

Each function takes a :class:`~otrip_sim.compare.Comparison` and returns a matplotlib figure;
:func:`save_all` writes them as PNG.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure

from .plots import money_formatter

if TYPE_CHECKING:
    from .compare import Comparison


def _sample_note(c: Comparison) -> str:
    n = len(c.reps[0])
    tail = "" if c.sample == 1 else f", {c.sample:.0%} sample of persons, figures ×{1 / c.sample:g}"
    return f"{n} replications on common random numbers{tail}; error bars: 95% interval (simulation noise)"


def _bars(ax: Any, c: Comparison, groups: list[str], metric: str, label: str, money: bool) -> None:
    width = 0.8 / len(c.names)
    x = np.arange(len(groups))
    for i, name in enumerate(c.names):
        means, lows, highs = [], [], []
        for g in groups:
            iv = c.interval(i, metric.format(g))
            m = iv.mean if iv.mean is not None else 0.0
            means.append(m)
            lows.append(m - iv.low if iv.low is not None else 0.0)
            highs.append(iv.high - m if iv.high is not None else 0.0)
        ax.bar(x + (i - (len(c.names) - 1) / 2) * width, means, width, yerr=[lows, highs], capsize=3,
               label=name)
    ax.set_xticks(x, groups, rotation=30, ha="right")
    ax.set_title(label)
    if money:
        ax.yaxis.set_major_formatter(money_formatter(c.currency))
    else:
        ax.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")


def _operators(c: Comparison) -> list[str]:
    ops = []
    for m in c.metrics:
        if m.startswith("operators.") and m.endswith(".boardings"):
            ops.append(m.removeprefix("operators.").removesuffix(".boardings"))
    return ops


def operators_figure(c: Comparison) -> Figure:
    """Per operator and scenario: boardings, fare revenue as charged and after clearing, and
    subsidy (the operator's payment less the fares it passes to its payer), with error bars."""
    ops = _operators(c)
    fig, axes = plt.subplots(2, 2, figsize=(12, 8), constrained_layout=True)
    for ax, (metric, label, money) in zip(axes.flat, (
            ("operators.{}.boardings", "Boardings per day", False),
            ("operators.{}.fare_revenue", "Fare revenue as charged, per day", True),
            ("operators.{}.fare_revenue_cleared", "Fare revenue after clearing, per day", True),
            ("operators.{}.subsidy", "Subsidy per day", True))):
        _bars(ax, c, ops, metric, label, money)
    axes.flat[0].legend(fontsize=8)
    fig.suptitle(f"By operator — {_sample_note(c)}", fontsize=10)
    return fig


def rider_groups_figure(c: Comparison) -> Figure:
    """Mean fare paid per journey by rider category and scenario, with error bars (delta method)."""
    cats = [m.removeprefix("category.").removesuffix(".fare_per_journey") for m in c.metrics
            if m.startswith("category.") and m.endswith(".fare_per_journey")]
    fig, ax = plt.subplots(figsize=(8, 5), constrained_layout=True)
    _bars(ax, c, cats, "category.{}.fare_per_journey", "Fare paid per journey by rider group", True)
    ax.legend(fontsize=8)
    ax.set_xlabel(_sample_note(c), fontsize=8)
    return fig


def income_groups_figure(c: Comparison) -> Figure:
    """Mean fare paid per public-transport journey by income segment (``modes.segments``) and
    scenario, with error bars; a note where the scenarios have no segments."""
    groups = [m.removeprefix("segment.").removesuffix(".fare_per_journey") for m in c.metrics
              if m.startswith("segment.") and m.endswith(".fare_per_journey")]
    fig, ax = plt.subplots(figsize=(8, 5), constrained_layout=True)
    if groups:
        _bars(ax, c, groups, "segment.{}.fare_per_journey", "Fare paid per journey by income group", True)
        ax.legend(fontsize=8)
    else:
        ax.text(0.5, 0.5, "no income segments in these scenarios (modes.segments)", ha="center", va="center",
                transform=ax.transAxes)
        ax.set_axis_off()
    ax.set_xlabel(_sample_note(c), fontsize=8)
    return fig


def headline_figure(c: Comparison) -> Figure:
    """Each headline figure's change against the first scenario, in percent of the first, with its
    paired 95% interval."""
    from .compare import HEADLINE

    metrics = [m for m in HEADLINE if m in c.metrics]
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(metrics) * max(len(c.names) - 1, 1) + 1.5),
                           constrained_layout=True)
    y = 0
    labels = []
    for i, name in enumerate(c.names[1:], start=1):
        for m in metrics:
            base = c.interval(0, m).mean
            d = c.delta(i, m)
            if base and d.mean is not None:
                low = (d.low if d.low is not None else d.mean) / abs(base) * 100
                high = (d.high if d.high is not None else d.mean) / abs(base) * 100
                mid = d.mean / abs(base) * 100
                ax.errorbar([mid], [y], xerr=[[mid - low], [high - mid]], fmt="o", capsize=3, color=f"C{i}")
            labels.append(f"{name}: {m}")
            y += 1
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(f"change against {c.names[0]}, % (paired interval)")
    ax.set_title(_sample_note(c).replace("; ", "\n"), fontsize=9)
    return fig


def network_map(c: Comparison, i: int) -> Figure:
    """Scenario ``i``'s routes drawn from their stops' coordinates, coloured by the change in mean
    boardings per day against the first scenario (blue fewer, red more)."""
    loaded = c.loaded[i]
    stops = {s.id: (s.lon, s.lat) for s in loaded.spec.network.stops if not isinstance(s, str)}
    mean0 = _route_means(c, 0)
    mean1 = _route_means(c, i)
    segments, change = [], []
    for route in loaded.routes():
        pts = [stops[s] for s in route.stops if s in stops]
        if len(pts) < 2:
            continue
        segments.append(pts)
        change.append(mean1.get(route.id, 0.0) - mean0.get(route.id, 0.0))
    fig, ax = plt.subplots(figsize=(8, 8), constrained_layout=True)
    if segments:
        limit = max(max(abs(v) for v in change), 1.0)
        lines = LineCollection(segments, cmap="coolwarm", norm=TwoSlopeNorm(0, -limit, limit), linewidths=2.5)
        lines.set_array(np.asarray(change))
        ax.add_collection(lines)
        xs = [p[0] for seg in segments for p in seg]
        ys = [p[1] for seg in segments for p in seg]
        ax.scatter(xs, ys, s=4, color="black", zorder=3)
        ax.set_xlim(min(xs) - 0.01, max(xs) + 0.01)
        ax.set_ylim(min(ys) - 0.01, max(ys) + 0.01)
        fig.colorbar(lines, ax=ax, shrink=0.7, label=f"change in boardings per day vs {c.names[0]}")
    ax.set_aspect(1 / np.cos(np.radians(np.mean([p[1] for seg in segments for p in seg]) if segments else 0)))
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.set_title(f"{c.names[i]} against {c.names[0]}: boardings by route\n{_sample_note(c)}", fontsize=9)
    return fig


def _route_means(c: Comparison, i: int) -> dict[str, float]:
    routes = sorted({r for rep in c.reps[i] for r in rep.routes})
    return {r: float(np.mean([rep.routes.get(r, 0) for rep in c.reps[i]])) for r in routes}


def figures(c: Comparison) -> dict[str, Figure]:
    """Every figure of a comparison, by file name (without ``.png``), in a fixed order."""
    out = {"headline": headline_figure(c), "operators": operators_figure(c),
           "rider_groups": rider_groups_figure(c), "income_groups": income_groups_figure(c)}
    for i in range(1, len(c.names)):
        out[f"map_{i}"] = network_map(c, i)
    return out


def save_all(c: Comparison, folder: Path) -> dict[str, Path]:
    """Write :func:`figures` as PNG files (100 dpi) into ``folder``; return them by name."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, fig in figures(c).items():
        path = folder / f"{name}.png"
        # fixed metadata: the same inputs give the same bytes
        fig.savefig(path, dpi=100, metadata={"Software": None})
        plt.close(fig)
        out[name] = path
    return out
