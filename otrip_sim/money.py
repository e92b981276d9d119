"""Operators' money: contract payments, costs, net income and the subsidy bill per payer.

Reads only run results (the per-operator table with cleared fares) and the scenario's contracts.
Money is integer minor units: rates are applied to integer vehicle-metres and vehicle-seconds and
rounded half up once per operator.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from .schema import ContractSpec

FAREBOX = ContractSpec(kind="farebox")


def _per_km(rate: int, metres: int) -> int:
    return (rate * metres + 500) // 1000


def _per_hour(rate: int, seconds: int) -> int:
    return (rate * seconds + 1800) // 3600


def operator_accounts(ops: pd.DataFrame, contracts: Mapping[str, ContractSpec]) -> pd.DataFrame:
    """One row per operator with its contract applied.

    ``ops`` needs the columns ``operator, boardings, taps, passenger_km, vehicle_metres,
    vehicle_seconds, vehicles, fare_revenue, fare_revenue_cleared``.

    Returns the columns ``operator, contract, payer, boardings, taps, passenger_km, vehicle_km,
    vehicle_hours, vehicles, km_per_vehicle, fare_revenue, fare_revenue_cleared, fares_to_payer``
    (cleared fares that go to the payer: gross-cost contracts), ``fares_kept`` (by the operator),
    ``cost`` (operator's cost; empty when the contract gives no cost rates), ``payment``,
    ``net_income`` (fares kept + payment − cost), ``subsidy`` (payment − fares to the payer),
    ``subsidy_per_boarding``, ``subsidy_per_tap``, ``cost_per_passenger`` (cost per tap-in) and
    ``revenue_per_passenger_km`` (cleared fares per passenger-km).
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


def payer_totals(accounts: pd.DataFrame, journeys: int, boardings: int) -> dict[str, dict[str, float | int]]:
    """Per payer (``city``, ``national``): payments, fares retained, subsidy (total, per journey,
    per boarding) and farebox recovery (fares of its operators ÷ their cost)."""
    out: dict[str, dict[str, float | int]] = {}
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
