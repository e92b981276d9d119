"""Operators' money: service run, contract payments, costs, net income and the subsidy bill per payer.

Computed from a run's data, never from the run object: the legs frame, the network's line
directions, the cleared fares (:mod:`otrip_sim.clearing`) and the scenario's contracts.  Nothing
here imports ``results``; ``RunResult.vehicle_service``, ``accounts()``, ``by_operator`` and
``clearing_methods()`` call these functions and cache what they return.

Money is integer minor units: rates are applied to integer vehicle-metres and vehicle-seconds and
rounded half up once per operator.  Times are integer seconds, distances integer metres (``*_km``
and ``*_hours`` columns are derived floats).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .schema import ContractSpec

if TYPE_CHECKING:
    from .network import Line

FAREBOX = ContractSpec.model_validate({"kind": "farebox"})  # validated like a scenario's


def _per_km(rate: int, metres: int) -> int:
    """``rate`` per km (minor units) over ``metres``, rounded half up."""
    return (rate * metres + 500) // 1000


def _per_hour(rate: int, seconds: int) -> int:
    """``rate`` per hour (minor units) over ``seconds``, rounded half up."""
    return (rate * seconds + 1800) // 3600


def peak_vehicles(line: Line) -> int:
    """Vehicles a line direction needs at its busiest moment: the most trips under way at once.

    Parameters
    ----------
    line : Line
        A line direction (departures and run time in integer seconds).

    Returns
    -------
    int
        The most trips between departure and arrival at the last stop at one time.
    """
    deps = line.departures
    run = line.run_time_s
    peak = 0
    first = 0
    for i, dep in enumerate(deps):
        while deps[first] + run <= dep:
            first += 1
        peak = max(peak, i - first + 1)
    return peak


def vehicle_service(lines: Iterable[Line], operators: Sequence[str]) -> pd.DataFrame:
    """The simulated service per operator, straight from the timetable.

    Parameters
    ----------
    lines
        The network's line directions (``Network.lines``).
    operators
        Operator ids, the rows' order; every line's operator must be one of them.

    Returns
    -------
    pandas.DataFrame
        ``operator``, ``vehicle_trips``, ``vehicle_metres`` (m), ``vehicle_seconds`` (s),
        ``vehicles`` (vehicles in service at the busiest moment, summed over the operator's line
        directions), all integers, and the derived floats ``vehicle_km`` and ``vehicle_hours``.
    """
    rows: dict[str, list[int]] = {op: [0, 0, 0, 0] for op in operators}
    for line in lines:
        n = len(line.departures)
        acc = rows[line.operator]
        acc[0] += n
        acc[1] += n * line.length_m
        acc[2] += n * line.run_time_s
        acc[3] += peak_vehicles(line)
    df = pd.DataFrame(
        [(op, *v) for op, v in rows.items()],
        columns=["operator", "vehicle_trips", "vehicle_metres", "vehicle_seconds", "vehicles"],
    )
    df["vehicle_km"] = df["vehicle_metres"] / 1000.0
    df["vehicle_hours"] = df["vehicle_seconds"] / 3600.0
    return df


def expand(values: Any, factor: float) -> Any:
    """Counts or money of a sample scaled to the whole day: ``values × factor`` rounded to whole
    units (integer), or as they are when ``factor`` is 1.  ``values``: a number or an array."""
    if factor == 1.0:
        return values
    out = np.rint(np.asarray(values, dtype=np.float64) * factor).astype(np.int64)
    return int(out) if out.ndim == 0 else out


def accounts(legs: pd.DataFrame, service: pd.DataFrame, cleared: Mapping[str, int],
             contracts: Mapping[str, ContractSpec], expansion: float = 1.0) -> pd.DataFrame:
    """Operators' money for one clearing of the day's fares.

    Parameters
    ----------
    legs
        ``RunResult.legs``: reads ``operator`` (categorical; its categories give the rows),
        ``tapped``, ``evaded``, ``km``, ``fare`` and ``standalone_fare`` (minor units).
    service
        :func:`vehicle_service` of the run.
    cleared
        Operator → fare revenue after clearing (minor units;
        :func:`otrip_sim.clearing.cleared_revenue`).
    contracts
        Operator → contract (default: farebox).
    expansion
        ``1 / sample``: the legs' counts, kilometres and fares are scaled to the whole day
        (``cleared`` is already); the service and its cost are the whole network's.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`operator_accounts` and ``fare_lost_evasion`` (standalone fares of
        the legs boarded without a tap, minor units) and ``vehicle_trips``.
    """
    operators = list(legs["operator"].cat.categories)
    g = legs.groupby("operator", observed=False)
    df = pd.DataFrame(
        {
            "boardings": g.size(),
            # a passenger is a paid entry: taps of evaded legs were never made
            "taps": g["tapped"].sum().astype(np.int64) - g["evaded"].sum().astype(np.int64),
            "passenger_km": g["km"].sum(),
            "fare_revenue": g["fare"].sum().astype(np.int64),
        }
    ).reindex(operators, fill_value=0)
    for c in ("boardings", "taps", "fare_revenue"):
        df[c] = expand(df[c].to_numpy(), expansion)
    df["passenger_km"] = df["passenger_km"] * expansion
    df.index.name = "operator"
    df = df.reset_index().merge(service, on="operator")
    df["fare_revenue_cleared"] = [cleared[op] for op in df["operator"]]
    acc = operator_accounts(df, contracts)
    lost = legs[legs["evaded"]].groupby("operator", observed=False)["standalone_fare"].sum()
    acc["fare_lost_evasion"] = [int(expand(int(lost.get(op, 0)), expansion)) for op in acc["operator"]]
    acc["vehicle_trips"] = df["vehicle_trips"].to_numpy()
    return acc


COMPARED = ["fare_revenue_cleared", "payment", "net_income", "subsidy"]


def compare_methods(by_method: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Several clearing methods side by side.

    Parameters
    ----------
    by_method
        Clearing method → :func:`accounts` under it, in the order wanted.

    Returns
    -------
    pandas.DataFrame
        ``operator``, ``method``, ``fare_revenue_cleared``, ``payment``, ``net_income``,
        ``subsidy`` (minor units); a method's rows together, operators in order.
    """
    frames = [acc.assign(method=method)[["operator", "method", *COMPARED]]
              for method, acc in by_method.items()]
    return pd.concat(frames, ignore_index=True)


def operator_accounts(ops: pd.DataFrame, contracts: Mapping[str, ContractSpec]) -> pd.DataFrame:
    """One row per operator with its contract applied.

    Parameters
    ----------
    ops
        Per operator: ``operator, boardings, taps, passenger_km, vehicle_metres`` (m),
        ``vehicle_seconds`` (s), ``vehicles, fare_revenue, fare_revenue_cleared`` (minor units).
    contracts
        Operator → contract (default: farebox).

    Returns
    -------
    pandas.DataFrame
        ``operator, contract, payer, boardings, taps, passenger_km, vehicle_km, vehicle_hours,
        vehicles, km_per_vehicle, fare_revenue, fare_revenue_cleared, fares_to_payer`` (cleared
        fares that go to the payer: gross-cost contracts), ``fares_kept`` (by the operator),
        ``cost`` (operator's cost; empty when the contract gives no cost rates), ``payment``,
        ``net_income`` (fares kept + payment − cost), ``subsidy`` (payment − fares to the payer),
        ``subsidy_per_boarding``, ``subsidy_per_tap``, ``cost_per_passenger`` (cost per tap-in)
        and ``revenue_per_passenger_km`` (cleared fares per passenger-km); money in minor units.
    """
    rows = []
    for r in ops.itertuples(index=False):
        c = contracts.get(r.operator, FAREBOX)
        vm, vs = int(r.vehicle_metres), int(r.vehicle_seconds)
        cleared = int(r.fare_revenue_cleared)
        cost: int | None = None
        if c.cost_per_vehicle_km is not None:
            cost = _per_km(c.cost_per_vehicle_km, vm) + _per_hour(c.cost_per_vehicle_hour, vs)
        km_per_vehicle = (vm / 1000 / r.vehicles) if r.vehicles else 0.0
        fares_to_payer = 0
        if c.kind == "gross_cost":
            payment = _per_km(c.rate_per_vehicle_km, vm) + _per_hour(c.rate_per_vehicle_hour, vs)
            if c.min_km_per_vehicle is not None and km_per_vehicle * 1000 < c.min_km_per_vehicle:
                payment -= round(payment * c.shortfall_deduction_percent / 100)
            fares_to_payer = cleared
            if cost is None:
                cost = payment  # buy-the-service: the rate is the operator's cost
        elif c.kind == "deficit":
            assert cost is not None  # the schema requires cost rates
            payment = round(cost * (1 + c.margin_percent / 100)) - cleared
        elif c.kind == "net_cost":
            payment = c.top_up_per_passenger * int(r.taps)  # a passenger is a paid entry (tap-in)
        else:
            payment = 0
        fares_kept = cleared - fares_to_payer
        subsidy = payment - fares_to_payer
        rows.append({
            "operator": r.operator, "contract": c.kind, "payer": c.payer if c.kind != "farebox" else "",
            "boardings": int(r.boardings), "taps": int(r.taps), "passenger_km": float(r.passenger_km),
            "vehicle_km": vm / 1000, "vehicle_hours": vs / 3600, "vehicles": int(r.vehicles),
            "km_per_vehicle": round(km_per_vehicle, 1),
            "fare_revenue": int(r.fare_revenue), "fare_revenue_cleared": cleared,
            "fares_to_payer": fares_to_payer, "fares_kept": fares_kept,
            "cost": cost, "payment": payment,
            "net_income": None if cost is None else fares_kept + payment - cost,
            "subsidy": subsidy,
            "subsidy_per_boarding": round(subsidy / r.boardings, 1) if r.boardings else 0.0,
            "subsidy_per_tap": round(subsidy / r.taps, 1) if r.taps else 0.0,
            "cost_per_passenger": round(cost / r.taps, 1) if cost is not None and r.taps else None,
            "revenue_per_passenger_km": round(cleared / r.passenger_km, 1) if r.passenger_km else 0.0,
        })
    df = pd.DataFrame(rows)
    for col in ("cost", "net_income"):
        df[col] = df[col].astype("Int64")
    return df


def payer_totals(accounts: pd.DataFrame, journeys: int, boardings: int) -> dict[str, dict[str, Any]]:
    """The subsidy bill per payer.

    Parameters
    ----------
    accounts
        :func:`accounts` (or :func:`operator_accounts`) of the run.
    journeys, boardings
        The run's served journeys and boardings, for the per-journey and per-boarding figures.

    Returns
    -------
    dict
        Per payer (``city``, ``national``): ``operators`` (ids), ``payments``, ``fares_retained``,
        ``subsidy`` (minor units), ``subsidy_per_journey``, ``subsidy_per_boarding`` (minor units,
        1 decimal) and ``farebox_recovery`` (cleared fares of its operators with a cost ÷ their
        cost, 4 decimals; None without costs).
    """
    out: dict[str, dict[str, Any]] = {}
    for payer in ("city", "national"):
        mine = accounts[accounts["payer"] == payer]
        payments = int(mine["payment"].sum())
        retained = int(mine["fares_to_payer"].sum())
        subsidy = payments - retained
        cost = mine["cost"].dropna()
        fares = int(mine.loc[mine["cost"].notna(), "fare_revenue_cleared"].sum())
        out[payer] = {
            "operators": sorted(mine["operator"]),
            "payments": payments,
            "fares_retained": retained,
            "subsidy": subsidy,
            "subsidy_per_journey": round(subsidy / journeys, 1) if journeys else 0.0,
            "subsidy_per_boarding": round(subsidy / boardings, 1) if boardings else 0.0,
            "farebox_recovery": round(fares / int(cost.sum()), 4) if int(cost.sum()) else None,
        }
    return out
