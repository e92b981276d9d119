"""Compare a run with published figures (the scenario's ``validation`` list) → ``validation.csv``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .schema import Calibration, ValidationTarget

if TYPE_CHECKING:
    from .results import RunResult


def modelled_value(res: RunResult, target: ValidationTarget) -> float:
    """The model's value of ``target.metric`` for this run.

    Parameters
    ----------
    res : RunResult
        A finished run.
    target : ValidationTarget
        The published figure to compare with (its metric, operator or category, unit).

    Returns
    -------
    float
        The modelled value in the target's unit (counts per day divided by the demand scale;
        money in minor units); ``nan`` when the run has nothing to measure it on.
    """
    j = res.journeys
    served = j[j["served"]]
    legs = res.legs
    per_day = res.expansion / res.demand_scale  # a counted row stands for this many at today's demand
    if target.metric == "fare_per_boarding":
        mine = legs[legs["operator"] == target.operator]
        return float(mine["fare"].sum() / len(mine)) if len(mine) else float("nan")
    if target.metric == "fare_per_tap":
        mine = legs[(legs["operator"] == target.operator) & legs["tapped"] & ~legs["evaded"]]
        return float(mine["fare"].sum() / len(mine)) if len(mine) else float("nan")
    if target.metric == "feeder_share":
        users = np.unique(legs.loc[legs["operator"] == target.operator, "journey"].to_numpy())
        if not len(users):
            return float("nan")
        fed = np.unique(legs.loc[legs["operator"] == target.feeder, "journey"].to_numpy())
        return float(np.isin(users, fed).mean())
    if target.metric == "boardings":
        return float((legs["operator"] == target.operator).sum() * per_day)
    paid_taps = legs["tapped"] & ~legs["evaded"]
    group = target.operators or ([target.operator] if target.operator else [])
    if target.metric == "taps":
        return float((legs["operator"].isin(group) & paid_taps).sum() * per_day)
    if target.metric == "taps_share":
        of_group = int((legs["operator"].isin(group) & paid_taps).sum())
        mine = int(((legs["operator"] == target.operator) & paid_taps).sum())
        return mine / of_group if of_group else float("nan")
    if target.metric == "route_boardings":
        return float((legs["route"] == target.route).sum() * per_day)
    if target.metric == "route_taps":
        return float(((legs["route"] == target.route) & paid_taps).sum() * per_day)
    if target.metric == "route_share":
        among = int(legs["route"].isin(target.among or []).sum())
        return float((legs["route"] == target.route).sum() / among) if among else float("nan")
    if target.metric == "boardings_per_vehicle":
        vehicles = res.vehicle_service.set_index("operator").loc[target.operator, "vehicles"]
        mine = (legs["operator"] == target.operator).sum() * per_day
        return float(mine / vehicles) if vehicles else float("nan")
    if target.metric == "subsidy_per_tap":
        acc = res.by_operator.set_index("operator")
        return float(acc.loc[target.operator, "subsidy_per_tap"])
    if target.metric == "journeys":
        return float(len(served) * per_day)
    if target.metric == "boardings_per_journey":
        if not len(served):
            return float("nan")
        return float(legs["journey"].isin(served["journey"]).sum() / len(served))
    if target.metric == "category_share":
        return float((served["category"] == target.category).mean()) if len(served) else float("nan")
    raise ValueError(target.metric)  # pragma: no cover - the schema lists every metric


TOLERANCE = {"calibrated": 0.05, "total": 0.15, "screenline": 0.15, "route": 0.25}
"""Tolerance by kind of target, a fraction of the published figure."""
SMALL_ROUTE = 150  # a route count of fewer a day is counted loosely: ±40 % (not a share)
SMALL_ROUTE_TOLERANCE = 0.40


def tolerance(target: ValidationTarget) -> float:
    """The tolerance of ``target`` as a fraction (its own, else by its kind)."""
    if target.tolerance is not None:
        return target.tolerance
    small = target.published * target.scope_share < SMALL_ROUTE
    counts = ("route_boardings", "route_taps", "boardings", "taps")
    if target.kind == "route" and target.metric in counts and small:
        return SMALL_ROUTE_TOLERANCE
    return TOLERANCE[target.kind]


def validation_table(res: RunResult) -> pd.DataFrame:
    """One row per validation target, with its verdict.

    Counts per day are divided by the run's demand scale so that a quick run compares like with
    like.

    Parameters
    ----------
    res : RunResult
        A finished run.

    Returns
    -------
    pandas.DataFrame
        ``target`` (``metric:subject``), ``metric``, ``subject`` (operator/category it is about),
        ``scope``, ``year`` (when counted; empty: not stated), ``regime``, ``published`` (as
        published), ``weekdays_per_year`` (a yearly count's factor to a day; empty for a daily
        figure), ``scope_share``, ``expected`` (= published ÷ weekdays_per_year × scope_share),
        ``modelled``,
        ``ratio`` (modelled ÷ expected; ``modelled`` and ``ratio`` rounded to 4 decimals, ``nan``
        where they cannot be computed), ``tolerance`` (a fraction), ``within`` (the ratio is within
        1 ± tolerance), ``circular`` (the target set an input or was calibrated to),
        ``nearest_year`` (counted in another year than the scenario's, or over another span than its
        period: ``of_period: false``), ``counted`` (an independent
        target of the scenario's year: what the verdict counts), ``unit``, ``source``, ``note``.
        Money in minor units.  Computed once per result (the folder, the plot and the verdict line
        all read it); each call returns its own copy.
    """
    cached = res.derived.get("validation")
    if cached is None:
        cached = res.derived["validation"] = _validation_table(res)
    return cached.copy()


_COUNTS = ("taps", "boardings", "boardings_per_vehicle")  # the same count of the same operators


def calibrated_to(calibration: Calibration, target: ValidationTarget) -> bool:
    """Whether ``target`` measures what calibration fitted (``calibration.fitted`` ids such as
    ``taps:mrt``, counted in ``calibration.year``): a count of boardings or taps (daily or yearly,
    per vehicle too) of the same operators as a fitted count, of the same year (or where either
    year is not stated)."""
    if calibration.year is not None and target.year is not None and calibration.year != target.year:
        return False
    group = frozenset(target.operators or ([target.operator] if target.operator else []))
    for f in calibration.fitted:
        metric, _, subject = f.partition(":")
        if target.metric in _COUNTS and metric in _COUNTS and frozenset(subject.split("+")) == group:
            return True
    return False


def _validation_table(res: RunResult) -> pd.DataFrame:
    spec = res.loaded.spec
    year = spec.meta.year
    cal = spec.calibration if isinstance(spec.calibration, Calibration) else Calibration()
    rows = []
    for t in spec.validation:
        subject = "/".join(x for x in (t.operator, t.feeder, t.category, t.route) if x)
        if t.operators and t.metric != "taps_share":
            subject = "+".join(t.operators)
        elif t.operators:
            subject = f"{subject}/{'+'.join(t.operators)}"
        subject = subject or "all"
        per_year = res.loaded.spec.money.weekdays_per_year.get(t.year_operator or "") if t.per_year else None
        expected = t.published / (per_year or 1.0) * t.scope_share
        value = modelled_value(res, t)
        ratio = value / expected if expected and np.isfinite(value) else float("nan")
        tol = tolerance(t)
        within = bool(np.isfinite(ratio) and abs(ratio - 1) <= tol)
        nearest = (t.year is not None and year is not None and t.year != year) or not t.of_period
        # money per rider at another demand: the costs are the whole timetable's, the riders are not
        scaled = res.demand_scale != 1 and t.metric == "subsidy_per_tap"
        flag = f"not comparable at demand scale {res.demand_scale:g} (costs are the full timetable's)"
        circular = t.circular or calibrated_to(cal, t)
        fit_note = "calibrated to (calibration.fitted)" if circular and not t.circular else ""
        note = "; ".join(x for x in (t.note, flag if scaled else "", fit_note) if x)
        rows.append((
            f"{t.metric}:{subject}" + (":per_year" if t.per_year else ""), t.metric, subject, t.scope, t.year,
            t.regime, t.published, per_year,
            t.scope_share, expected, round(value, 4), round(ratio, 4), tol, within, circular, nearest,
            not circular and not nearest and not scaled, t.unit, t.source, note,
        ))
    table = pd.DataFrame(
        rows,
        columns=[
            "target", "metric", "subject", "scope", "year", "regime", "published", "weekdays_per_year",
            "scope_share", "expected",
            "modelled", "ratio", "tolerance", "within", "circular", "nearest_year", "counted", "unit",
            "source", "note",
        ],
    )
    table["year"] = table["year"].astype("Int64")
    return table


def verdict(table: pd.DataFrame) -> str:
    """One line for people: how many independent targets of the scenario's year are within
    tolerance, and the worst of them (``table`` from :func:`validation_table`)."""
    counted = table[table["counted"]]
    others = len(table) - len(counted)
    tail = f" ({others} circular or of another year or span, not counted)" if others else ""
    if counted.empty:
        return f"no independent validation target of the scenario's year{tail}"
    off = (counted["ratio"] - 1).abs().fillna(np.inf)
    worst = counted.loc[off.idxmax()]
    shown = "no value" if not np.isfinite(worst["ratio"]) else f"ratio {worst['ratio']:.2f}"
    return (f"{int(counted['within'].sum())} of {len(counted)} independent targets within tolerance; "
            f"worst: {worst['target']} ({shown}, tolerance ±{worst['tolerance']:.0%}){tail}")
