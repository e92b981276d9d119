"""Standard figures of a run: matplotlib, labelled axes and units, money formatted for people.

Each function takes a :class:`~otrip_sim.results.RunResult` (it reads only its aggregates) and an
optional ``ax``; it returns the axes.  :func:`save_all` writes every figure as PNG.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator

from .money import expand
from .units import format_money_short

if TYPE_CHECKING:
    from .results import RunResult



def _name(res: RunResult) -> str:
    """The scenario's name for a title, with the sample when the run is one (its figures are
    expanded to the whole day)."""
    if res.sample == 1:
        return res.loaded.name
    return f"{res.loaded.name} ({res.sample:.0%} sample, figures ×{res.expansion:g})"

def money_formatter(currency: str) -> FuncFormatter:
    """Axis formatter for amounts in minor units, in the one money format of every figure
    (:func:`otrip_sim.units.format_money_short`: ``Rp 3,500``, ``Rp 800 M``, ``Rp 1.2 bn``).

    Parameters
    ----------
    currency : str
        ISO 4217 code; the axis values are integer minor units of it.

    Returns
    -------
    matplotlib.ticker.FuncFormatter
        Labels in major units, abbreviated (M, bn, T) from a million up.
    """
    return FuncFormatter(lambda x, _pos: format_money_short(x, currency))


_count = FuncFormatter(lambda x, _: f"{x:,.0f}")


def _ax(ax: Any, size: tuple[float, float] = (9, 5)) -> Any:
    # pyplot (not a bare Figure) so that a notebook shows the figure with its own backend
    if ax is None:
        _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def boardings_by_hour(res: RunResult, ax: Any = None) -> Any:
    """Boardings per hour of the day, one line per operator.

    Parameters
    ----------
    res : RunResult
        A finished run (money in integer minor units).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; ``None``: a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.
    """
    ax = _ax(ax)
    df = res.by_hour.pivot(index="hour", columns="operator", values="boardings")
    df = df.loc[:, df.sum() > 0]
    for op in df.columns:
        ax.plot(df.index, df[op], marker="o", markersize=3, label=op)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("hour of the service day (boarding time)")
    ax.set_ylabel("boardings per hour")
    ax.set_title(f"{_name(res)}: boardings by hour and operator")
    ax.yaxis.set_major_formatter(_count)
    ax.grid(alpha=0.3)
    if len(df.columns):
        ax.legend(title="operator")
    return ax


def revenue_by_operator(res: RunResult, ax: Any = None) -> Any:
    """Fare revenue per operator as charged (fares of its own legs) beside its revenue after
    clearing (what it receives once each fare window is shared between the window's operators).

    Parameters
    ----------
    res : RunResult
        A finished run (money in integer minor units).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; ``None``: a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on; its two bar containers are labelled ``as charged`` and
        ``after clearing`` (one bar per operator, scenario order).
    """
    ax = _ax(ax)
    df = res.by_operator
    x = np.arange(len(df))
    fmt = money_formatter(res.currency)
    for k, (col, label, colour) in enumerate((("fare_revenue", "as charged", "tab:blue"),
                                              ("fare_revenue_cleared", "after clearing", "tab:orange"))):
        values = df[col].to_numpy(dtype=np.int64)
        bars = ax.bar(x + (k - 0.5) * 0.4, values, 0.4, color=colour, label=label)
        for rect, v in zip(bars, values):
            ax.annotate(fmt(v, 0), (rect.get_x() + rect.get_width() / 2, rect.get_height()),
                        ha="center", va="bottom", fontsize=7)
    many = len(df) > 4
    ax.set_xticks(x, df["operator"], rotation=30 if many else 0, ha="right" if many else "center")
    ax.yaxis.set_major_formatter(fmt)
    ax.set_xlabel("operator")
    ax.set_ylabel(f"fare revenue per day ({res.currency})")
    ax.set_title(f"{_name(res)}: fare revenue by operator, as charged and after clearing "
                 f"({res.loaded.spec.money.clearing.method})", fontsize=9)
    ax.legend()
    ax.grid(axis="y", alpha=0.3)
    return ax


TAIL = 0.995
"""The fare histogram shows fares up to this quantile of served journeys (the rest is counted in a note)."""


def fare_distribution(res: RunResult, ax: Any = None) -> Any:
    """Histogram of the settled fare paid per served journey, trimmed to the data (up to the
    99.5th percentile; journeys above it are counted in a note), with every cap of the policy
    (windows with a cap, daily caps: ``FarePolicy.fare_caps``) marked as a dashed line.

    Parameters
    ----------
    res : RunResult
        A finished run (money in integer minor units).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; ``None``: a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on; each cap line is labelled ``<rule id> cap Rp …``.
    """
    ax = _ax(ax)
    j = res.journeys
    fares = j.loc[j["served"], "fare"].to_numpy(dtype=np.int64)
    caps = res.policy.fare_caps()
    fmt = money_formatter(res.currency)
    if not len(fares):
        ax.text(0.5, 0.5, "no served journeys", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return ax
    top = int(fares.max())
    shown_top = int(np.quantile(fares, TAIL, method="higher"))
    step = max(1, int(np.ceil((shown_top + 1) / 40 / 250)) * 250) if shown_top > 0 else 1
    low = int(fares.min()) // step * step
    bins = np.arange(low, shown_top + 2 * step, step)
    shown = fares[fares <= shown_top]
    ax.hist(shown, bins=bins, weights=np.full(len(shown), res.expansion), color="tab:green",
            edgecolor="white")
    right = float(bins[-1])
    for k, (rule, cap) in enumerate(caps):
        ax.axvline(cap, color=("tab:red", "tab:purple", "tab:brown")[k % 3], linestyle="--", linewidth=1.2,
                   label=f"{rule} cap {fmt(cap, 0)}")
        right = max(right, cap + step)
    ax.set_xlim(float(bins[0]), right)
    above = round((len(fares) - len(shown)) * res.expansion)
    if above:
        ax.text(0.99, 0.97, f"{above:,} journeys above {fmt(shown_top, 0)} not shown (up to {fmt(top, 0)})",
                ha="right", va="top", fontsize=8, transform=ax.transAxes)
    if caps:
        ax.legend(loc="upper left", fontsize=8)
    ax.xaxis.set_major_formatter(fmt)
    ax.yaxis.set_major_formatter(_count)
    ax.set_xlabel(f"fare paid per journey ({res.currency})")
    ax.set_ylabel("journeys per day")
    ax.set_title(f"{_name(res)}: distribution of fare paid per served journey")
    ax.grid(alpha=0.3)
    return ax


def _operator_matrix(ax: Any, res: RunResult, pairs: Any, cmap: str, fmt: Any, label: str) -> Any:
    """Draw an operator × operator matrix from ``(from, to, value)`` rows, values written in the cells."""
    ops = res.operators
    idx = {o: i for i, o in enumerate(ops)}
    m = np.zeros((len(ops), len(ops)), dtype=np.int64)
    for a, b, v in pairs:
        m[idx[a], idx[b]] = v
    im = ax.imshow(m, cmap=cmap)
    ax.set_xticks(range(len(ops)), ops, rotation=45, ha="right")
    ax.set_yticks(range(len(ops)), ops)
    hi = m.max() if m.size else 0
    for i in range(len(ops)):
        for k in range(len(ops)):
            if m[i, k]:
                colour = "white" if m[i, k] > hi / 2 else "black"
                ax.text(k, i, fmt(m[i, k], 0), ha="center", va="center", fontsize=7, color=colour)
    ax.figure.colorbar(im, ax=ax, label=label, format=fmt)
    return ax


def transfer_flows(res: RunResult, ax: Any = None) -> Any:
    """Matrix of transfers between operators (from the leg before to the leg after).

    Parameters
    ----------
    res : RunResult
        A finished run (money in integer minor units).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; ``None``: a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.
    """
    ax = _ax(ax, (7, 6))
    t = res.transfers
    flows = zip(t["from_operator"], t["to_operator"], t["count"])
    _operator_matrix(ax, res, flows, "Blues", _count, "transfers per day")
    ax.set_xlabel("to operator (next leg)")
    ax.set_ylabel("from operator (leg before)")
    ax.set_title(f"{_name(res)}: transfers between operators per day")
    return ax


def clearing_net(res: RunResult, ax: Any = None) -> Any:
    """Net clearing gain (+) or loss (−) per operator: its fare revenue after clearing minus the
    fares charged on its own legs.  Clearing only moves money, so the bars sum to zero; the
    ``revenue_flows.csv`` table has the flows pair by pair.

    Parameters
    ----------
    res : RunResult
        A finished run (money in integer minor units).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; ``None``: a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on (one bar per operator, scenario order; a message instead when
        clearing moves nothing).
    """
    ax = _ax(ax)
    df = res.by_operator
    net = (df["fare_revenue_cleared"] - df["fare_revenue"]).to_numpy(dtype=np.int64)
    method = res.loaded.spec.money.clearing.method
    ax.set_title(f"{_name(res)}: net clearing gain (+) or loss (−) per operator, per day ({method})",
                 fontsize=9)
    if not net.any():
        ax.text(0.5, 0.5, "clearing moves no revenue between operators in this scenario\n"
                "(no fare window shared by two operators was used)", ha="center", va="center",
                transform=ax.transAxes)
        ax.set_xticks([])
        ax.set_yticks([])
        return ax
    fmt = money_formatter(res.currency)
    bars = ax.bar(df["operator"], net, color=["tab:green" if v > 0 else "tab:red" for v in net])
    for rect, v in zip(bars, net):
        ax.annotate(fmt(v, 0), (rect.get_x() + rect.get_width() / 2, v), ha="center",
                    va="bottom" if v >= 0 else "top", fontsize=7)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.yaxis.set_major_formatter(fmt)
    ax.set_xlabel("operator")
    ax.set_ylabel(f"cleared minus charged on its own legs ({res.currency} per day)")
    ax.tick_params(axis="x", rotation=30 if len(df) > 4 else 0)
    ax.grid(axis="y", alpha=0.3)
    return ax


def subsidy_by_operator(res: RunResult, ax: Any = None) -> Any:
    """Subsidy per operator (payment minus fares retained by the payer), coloured by payer.

    Parameters
    ----------
    res : RunResult
        A finished run (money in integer minor units).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; ``None``: a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.
    """
    ax = _ax(ax)
    df = res.by_operator
    ax.set_title(f"{_name(res)}: subsidy by operator (payment − fares retained by the payer)")
    if (df["contract"] == "farebox").all():
        ax.text(0.5, 0.5, "no operator contracts in this scenario (money.contracts):\n"
                "every operator keeps its fares and is paid nothing, so there is no subsidy",
                ha="center", va="center", transform=ax.transAxes)
        ax.set_xticks([])
        ax.set_yticks([])
        return ax
    colours = {"city": "tab:red", "national": "tab:purple", "": "tab:gray"}
    ax.bar(df["operator"], df["subsidy"], color=[colours.get(p, "tab:gray") for p in df["payer"]])
    fmt = money_formatter(res.currency)
    ax.yaxis.set_major_formatter(fmt)
    ax.axhline(0, color="black", linewidth=0.8)
    handles = [Rectangle((0, 0), 1, 1, color=c) for c in colours.values()]
    ax.legend(handles, ["paid by the city", "paid nationally", "no contract payment"])
    ax.set_xlabel("operator")
    ax.set_ylabel(f"subsidy per day ({res.currency})")
    ax.grid(axis="y", alpha=0.3)
    return ax


def clearing_methods(res: RunResult, ax: Any = None) -> Any:
    """Winners and losers: each operator's fare revenue after clearing minus the fares charged on
    its own legs, under every clearing method side by side (payments and net income under each
    method are in ``clearing_methods.csv``).

    Parameters
    ----------
    res : RunResult
        A finished run (money in integer minor units).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; ``None``: a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.
    """
    ax = _ax(ax, (10, 5))
    df = res.clearing_methods()
    charged = res.by_operator.set_index("operator")["fare_revenue"]
    table = df.pivot(index="operator", columns="method", values="fare_revenue_cleared").reindex(res.operators)
    table = table.sub(charged.reindex(res.operators), axis=0)
    methods = list(table.columns)
    width = 0.8 / max(1, len(methods))
    x = np.arange(len(table.index))
    for k, method in enumerate(methods):
        ax.bar(x + k * width - 0.4 + width / 2, table[method].to_numpy(dtype=float), width, label=method)
    ax.set_xticks(x, table.index, rotation=30, ha="right")
    ax.yaxis.set_major_formatter(money_formatter(res.currency))
    ax.set_xlabel("operator")
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_ylabel(f"cleared minus charged on own legs, per day ({res.currency})")
    ax.set_title(f"{_name(res)}: what each clearing rule moves to or from each operator")
    ax.legend(title="clearing method", fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    return ax


CROWDED_ROUTES = 25
"""The crowding figure shows this many routes: those with the highest peak load factor."""


def crowding(res: RunResult, ax: Any = None) -> Any:
    """Peak load factor (load ÷ capacity on leaving a stop) by route and hour, for the most
    crowded routes, with the riders left behind by full vehicles written in the cells (counted
    at each vehicle that left them, as ``by_route.csv``'s ``left_behind``); the day's denied
    boardings in the title.

    Parameters
    ----------
    res : RunResult
        A finished run.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; ``None``: a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on: one image whose array is the load factor (routes × hours; NaN where a
        route carried no one that hour).
    """
    br = res.by_route
    peak = br.groupby("route", sort=False)["max_load_factor"].max()
    peak = peak.sort_values(ascending=False, kind="stable")
    routes = list(peak.index[:CROWDED_ROUTES])
    ax = _ax(ax, (10, max(3.0, 0.3 * len(routes) + 2)))
    denied = int(expand(int(res.records.denied_boardings), res.expansion))  # as summary.json's totals
    ax.set_title(f"{_name(res)}: crowding — peak load factor by route and hour; "
                 f"{denied:,} denied boardings per day", fontsize=9)
    if not routes:
        ax.text(0.5, 0.5, "no route carried anyone", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return ax
    part = br[br["route"].isin(routes)]
    hours = list(range(int(br["hour"].min()), int(br["hour"].max()) + 1))
    lf = part.pivot(index="route", columns="hour", values="max_load_factor").reindex(routes, columns=hours)
    left = part.pivot(index="route", columns="hour", values="left_behind").reindex(routes, columns=hours)
    im = ax.imshow(lf.to_numpy(dtype=float), cmap="YlOrRd", vmin=0, vmax=max(1.0, float(np.nanmax(lf))),
                   aspect="auto", interpolation="nearest")
    for i in range(len(routes)):
        for k in range(len(hours)):
            v = left.iat[i, k]
            if v == v and v > 0:
                ax.text(k, i, f"{int(v):,}", ha="center", va="center", fontsize=6)
    ax.set_xticks(range(len(hours)), [str(h) for h in hours], fontsize=7)
    ax.set_yticks(range(len(routes)), routes, fontsize=7)
    ax.set_xlabel("hour of the service day (numbers: riders left behind by full vehicles)")
    shown = ("every route" if len(peak) <= CROWDED_ROUTES else
             f"the {len(routes)} most crowded of {len(peak)} routes")
    ax.set_ylabel(f"route ({shown})")
    ax.figure.colorbar(im, ax=ax, label="peak load ÷ capacity (1 = full)")
    return ax


UNSERVED = {"no_path": "no path (none found or completable)",
            "abandoned": "gave up waiting (max_wait)",
            "stranded": "stranded (after the last vehicle)",
            "skipped": "not made (an earlier journey failed)"}


def unserved(res: RunResult, ax: Any = None) -> Any:
    """Journeys not served, by why (``summary.json``'s ``unserved_by_status``), as journeys per
    day and as a share of all journeys drawn.

    Parameters
    ----------
    res : RunResult
        A finished run.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; ``None``: a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on: one horizontal bar per status (in :data:`UNSERVED` order).
    """
    ax = _ax(ax)
    j = res.journeys
    counts = [round(int((j["status"] == s).sum()) * res.expansion) for s in UNSERVED]
    total = round(len(j) * res.expansion)
    y = np.arange(len(UNSERVED))[::-1]
    bars = ax.barh(y, counts, color="tab:gray")
    for rect, v in zip(bars, counts):
        share = f" ({v / total:.1%})" if total else ""
        ax.annotate(f"{v:,}{share}", (rect.get_width(), rect.get_y() + rect.get_height() / 2),
                    xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
    ax.set_yticks(y, list(UNSERVED.values()))
    ax.xaxis.set_major_formatter(_count)
    ax.set_xlabel("journeys per day")
    ax.set_title(f"{_name(res)}: {sum(counts):,} of {total:,} journeys not served")
    ax.grid(axis="x", alpha=0.3)
    return ax


SIZES = {"transfer_flows": (7, 6), "clearing_methods": (10, 5), "validation": (9, 5)}


def validation(res: RunResult, ax: Any = None) -> Any:
    """Modelled ÷ published for every validation target, with its tolerance band.

    Independent targets of the scenario's year are green inside their band and red outside it;
    circular targets and figures of another year are grey and labelled, since agreeing with them
    proves nothing.

    Parameters
    ----------
    res : RunResult
        A finished run with ``validation`` targets.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; ``None``: a new figure.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.
    """
    from .validation import validation_table, verdict

    ax = _ax(ax, (9, max(3.0, 0.45 * len(res.loaded.spec.validation) + 1.5)))
    table = validation_table(res)
    if table.empty:
        ax.text(0.5, 0.5, "no validation targets in this scenario", ha="center", va="center",
                transform=ax.transAxes)
        ax.set_axis_off()
        return ax
    ratio = table["ratio"].fillna(0.0).to_numpy()
    y = np.arange(len(table))[::-1]
    for k, row in enumerate(table.itertuples()):
        band = Rectangle((1 - row.tolerance, y[k] - 0.4), 2 * row.tolerance, 0.8, color="0.9", zorder=0)
        ax.add_patch(band)
        colour = ("tab:green" if row.within else "tab:red") if row.counted else "0.6"
        ax.barh(y[k], ratio[k], height=0.5, color=colour, zorder=1)
    labels = [t + (" (circular)" if c else " (other year)" if n else "")
              for t, c, n in zip(table["target"], table["circular"], table["nearest_year"])]
    ax.set_yticks(y, labels)
    ax.axvline(1.0, color="black", linewidth=0.8)
    ax.set_xlim(0, max(2.0, float(np.nanmax(ratio)) * 1.05))
    ax.set_xlabel("modelled ÷ published (1 = agrees; grey band: tolerance)")
    ax.set_title(textwrap.fill(f"{_name(res)}: {verdict(table)}", 90), fontsize=8, loc="left")
    return ax


def crowding_convergence(res: RunResult, ax: Any = None) -> Any:
    """The crowding iterations: relative gap and share of journeys switching path, per iteration
    (log scale), with the gap threshold; returns the axes."""
    ax = _ax(ax)
    its = res.iterations
    k = [it["iteration"] for it in its]
    ax.semilogy(k, [max(it["relative_gap"], 1e-9) for it in its], marker="o", label="relative gap")
    ax.semilogy(k, [max(it["switched"], 1e-9) for it in its], marker="s",
                label="share of journeys switching path")
    threshold = res.loaded.spec.choice.crowding.gap
    ax.axhline(threshold, color="grey", linestyle="--", linewidth=0.8, label=f"gap threshold {threshold:g}")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("crowding iteration (method of successive averages on costs)")
    ax.legend(fontsize=8)
    ax.set_title(f"{_name(res)}: convergence of crowding feedback")
    return ax


def mode_share_by_hour(res: RunResult, ax: Any = None) -> Any:
    """Stacked shares of the modes in each hour's journeys (all modes), public transport first
    (a run with mode choice); returns the axes (``ax`` ``None``: a new figure)."""
    ax = _ax(ax)
    table = res.mode_tables()["by_mode"]
    wide = table.pivot_table(index="hour", columns="mode", values="trips", aggfunc="sum", fill_value=0)
    modes = [m for m in res.modes.mode_ids if m in wide.columns] if res.modes is not None else []
    meta = res.loaded.spec.meta
    day = (wide.index >= meta.service_start // 3600) & (wide.index < -(-meta.service_end // 3600))
    later = int(wide[~day].to_numpy().sum())
    shares = wide[day][modes].div(wide[day][modes].sum(axis=1), axis=0)
    ax.stackplot(shares.index, *(shares[m].to_numpy() for m in modes), labels=modes, alpha=0.85)
    ax.set_xlabel("hour of departure" + (f" ({later:,} journeys outside the service day not shown)"
                                         if later else ""))
    ax.set_ylabel("share of journeys")
    ax.set_ylim(0, 1)
    ax.legend(loc="upper left", fontsize=8, ncols=len(modes))
    basis = res.modes.basis if res.modes is not None else ""
    ax.set_title(f"{_name(res)}: mode shares by hour ({basis} demand)")
    return ax


def benefit_by_segment(res: RunResult, ax: Any = None) -> Any:
    """Fare paid per person-day beside the user benefit per person, by income segment and rider
    category (pivot: against the reference fares; a run with mode choice); returns the axes."""
    ax = _ax(ax)
    table = res.mode_tables()["by_segment"]
    labels = [f"{s} {c}".strip() for s, c in zip(table["segment"], table["category"])]
    x = np.arange(len(table))
    ax.bar(x - 0.2, table["fare_per_person_day"], 0.4, label="fare paid per person-day (riders)")
    pivot = res.modes is not None and res.modes.basis == "pivot"
    if pivot:
        ax.bar(x + 0.2, table["benefit_per_person"], 0.4, label="user benefit per person (all)")
    ax.set_xticks(x, labels, rotation=20, ha="right")
    ax.yaxis.set_major_formatter(money_formatter(res.currency))
    ax.axhline(0, color="black", linewidth=0.6)
    ax.legend(fontsize=8)
    against = f", benefit against {res.reference_name}" if pivot else ""
    ax.set_title(f"{_name(res)}: fares and benefit by segment{against}")
    return ax


PLOTS = {
    "boardings_by_hour": boardings_by_hour,
    "revenue_by_operator": revenue_by_operator,
    "fare_distribution": fare_distribution,
    "transfer_flows": transfer_flows,
    "clearing_net": clearing_net,
    "subsidy_by_operator": subsidy_by_operator,
    "crowding": crowding,
    "unserved": unserved,
}


def save_all(res: RunResult, folder: Path, extra: tuple[str, ...] = ()) -> list[Path]:
    """Write every standard figure (and those named in ``extra``, e.g. ``"clearing_methods"``)
    as ``folder/<name>.png``; returns the paths.

    Parameters
    ----------
    res : RunResult
        A finished run.
    folder : Path
        The folder to write into (created if missing).
    extra : tuple of str
        Names of further figures to draw; only ``"clearing_methods"`` is known.

    Returns
    -------
    list of Path
        The PNG files written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    chosen = {**PLOTS, **{name: {"clearing_methods": clearing_methods}[name] for name in extra}}
    if res.loaded.spec.validation:
        chosen["validation"] = validation
    if res.modes is not None:
        chosen |= {"mode_share_by_hour": mode_share_by_hour, "benefit_by_segment": benefit_by_segment}
    if res.iterations:
        chosen["crowding_convergence"] = crowding_convergence
    for name, fn in chosen.items():
        # perf/robustness: a bare Figure needs no GUI backend and is freed with its last reference
        size = SIZES.get(name, (9, 5))
        if name == "crowding":
            size = (10, max(3.0, 0.3 * min(CROWDED_ROUTES, res.by_route["route"].nunique()) + 2))
        fig = Figure(figsize=size, layout="constrained")
        fn(res, fig.add_subplot())
        path = folder / f"{name}.png"
        fig.savefig(path, dpi=110)
        out.append(path)
    return out
