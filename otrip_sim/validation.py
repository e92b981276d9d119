"""Compare a run with published figures (the scenario's ``validation`` list) → ``validation.csv``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .schema import ValidationTarget

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
        return float((legs["operator"] == target.operator).sum() / res.demand_scale)
    if target.metric == "taps":
        taps = (legs["operator"] == target.operator) & legs["tapped"] & ~legs["evaded"]
        return float(taps.sum() / res.demand_scale)
    if target.metric == "subsidy_per_tap":
        acc = res.by_operator.set_index("operator")
        return float(acc.loc[target.operator, "subsidy_per_tap"])
    if target.metric == "journeys":
        return float(len(served) / res.demand_scale)
    if target.metric == "boardings_per_journey":
        if not len(served):
            return float("nan")
        return float(legs["journey"].isin(served["journey"]).sum() / len(served))
    if target.metric == "category_share":
        return float((served["category"] == target.category).mean()) if len(served) else float("nan")
    raise ValueError(target.metric)  # pragma: no cover - the schema lists every metric


def validation_table(res: RunResult) -> pd.DataFrame:
    """One row per validation target.

    Columns: ``metric``, ``subject`` (operator/category it is about), ``published`` (as published),
    ``scope_share``, ``expected`` (= published × scope_share), ``modelled``, ``ratio``
    (modelled ÷ expected), ``unit``, ``source``, ``note``.  Counts per day are divided by the
    run's demand scale so that a quick run compares like with like.

    Parameters
    ----------
    res : RunResult
        A finished run.

    Returns
    -------
    pandas.DataFrame
        The columns above; ``modelled`` and ``ratio`` rounded to 4 decimals, ``nan`` where they
        cannot be computed; money in minor units.
    """
    rows = []
    for t in res.loaded.spec.validation:
        subject = "/".join(x for x in (t.operator, t.feeder, t.category) if x) or "all"
        expected = t.published * t.scope_share
        value = modelled_value(res, t)
        ratio = value / expected if expected and np.isfinite(value) else float("nan")
        rows.append((
            t.metric, subject, t.published, t.scope_share, expected, round(value, 4), round(ratio, 4),
            t.unit, t.source, t.note,
        ))
    return pd.DataFrame(
        rows,
        columns=[
            "metric", "subject", "published", "scope_share", "expected", "modelled", "ratio", "unit",
            "source", "note",
        ],
    )
