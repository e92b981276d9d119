"""Results of one run: flat records turned into data frames once, and the aggregates built on them.

All money columns are integer minor units (whole rupiah for IDR); times are integer seconds of the
service day; ``km`` columns are floats derived from integer metres.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from . import __version__
from .demand import Riders
from .network import Network
from .scenario import LoadedScenario
from .simulation import SERVED, STATUS_NAMES, SimRecords

SUMMARY_SCHEMA_VERSION = 1


@dataclass
class RunResult:
    """Everything one run produced.

    Data frames (built on first access): :attr:`journeys`, :attr:`legs`, :attr:`taps`,
    :attr:`by_operator`, :attr:`by_hour`, :attr:`by_route`, :attr:`by_category`,
    :attr:`transfers`; :meth:`summary` gives the ``summary.json`` dictionary; ``plot_*`` methods
    draw the standard figures (see :mod:`otrip_sim.plots`).
    """

    loaded: LoadedScenario
    seed: int
    demand_scale: float
    network: Network
    riders: Riders
    records: SimRecords
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def currency(self) -> str:
        return self.loaded.spec.meta.currency

    @property
    def operators(self) -> list[str]:
        return [o.id for o in self.loaded.spec.operators]

    # ------------------------------------------------------------------------------- frames
    @cached_property
    def journeys(self) -> pd.DataFrame:
        """One row per generated journey.

        Columns: ``journey`` (id), ``category``, ``origin``, ``destination`` (zone ids),
        ``depart_s``, ``arrive_s`` (-1 if not arrived), ``legs``, ``fare`` (settled, minor units),
        ``served`` (bool), ``status`` (served / abandoned / no_path / stranded).
        """
        r, rec = self.riders, self.records
        zones = pd.Categorical.from_codes(r.origin, categories=list(r.zone_ids))
        return pd.DataFrame(
            {
                "journey": np.arange(len(r), dtype=np.int64),
                "category": pd.Categorical.from_codes(r.category.astype(np.int32), categories=list(r.category_ids)),
                "origin": zones,
                "destination": pd.Categorical.from_codes(r.destination, categories=list(r.zone_ids)),
                "depart_s": r.depart.astype(np.int64),
                "arrive_s": rec.arrive,
                "legs": rec.n_legs.astype(np.int64),
                "fare": rec.fare,
                "served": rec.status == SERVED,
                "status": pd.Categorical.from_codes(rec.status.astype(np.int32), categories=list(STATUS_NAMES)),
            }
        )

    @cached_property
    def legs(self) -> pd.DataFrame:
        """One row per boarding, ordered by journey and leg.

        Columns: ``journey``, ``leg`` (0-based), ``operator``, ``route``, ``board_stop``,
        ``alight_stop``, ``board_s``, ``alight_s``, ``metres`` (int), ``km`` (float), ``tapped``
        (False for a change inside a paid area), ``fare`` (settled share, minor units), ``rule``.
        """
        cols = ["journey", "leg", "line", "board_stop", "alight_stop", "board_s", "alight_s", "metres", "tapped", "fare", "rule"]
        rows = sorted(self.records.legs, key=lambda x: (x[0], x[1]))
        df = pd.DataFrame.from_records(rows, columns=cols)
        net = self.network
        line_route = np.array([ln.route_index for ln in net.lines], dtype=np.int64)
        route_idx = line_route[df["line"].to_numpy(dtype=np.int64)] if len(df) else np.zeros(0, dtype=np.int64)
        op_codes = {op: i for i, op in enumerate(self.operators)}
        route_op = np.array([op_codes[op] for op in net.route_operator], dtype=np.int64)
        stops = list(net.stop_ids)
        out = pd.DataFrame(
            {
                "journey": df["journey"].astype(np.int64),
                "leg": df["leg"].astype(np.int64),
                "operator": pd.Categorical.from_codes(route_op[route_idx] if len(df) else [], categories=self.operators),
                "route": pd.Categorical.from_codes(route_idx, categories=list(net.route_ids)),
                "board_stop": pd.Categorical.from_codes(df["board_stop"].astype(np.int64), categories=stops),
                "alight_stop": pd.Categorical.from_codes(df["alight_stop"].astype(np.int64), categories=stops),
                "board_s": df["board_s"].astype(np.int64),
                "alight_s": df["alight_s"].astype(np.int64),
                "metres": df["metres"].astype(np.int64),
                "km": df["metres"].astype(np.int64) / 1000.0,
                "tapped": df["tapped"].astype(bool),
                "fare": df["fare"].astype(np.int64),
                "rule": df["rule"].astype("category"),
            }
        )
        return out

    @cached_property
    def taps(self) -> pd.DataFrame:
        """The card transaction log, in the spirit of TIDES ``fare_transactions``.

        Columns: ``transaction_id``, ``card`` (= journey id: one card per journey), ``journey``,
        ``leg``, ``time_s``, ``type`` (``tap`` = provisional charge at tap-in, ``adjustment`` =
        settlement correction when the leg's window closed), ``operator``, ``amount``, ``rule``,
        ``category``.  Per card the amounts sum to the settled fares.
        """
        rows = sorted(self.records.taps, key=lambda x: (x[0], x[2], x[3] != "tap", x[1]))
        df = pd.DataFrame.from_records(rows, columns=["journey", "leg", "time_s", "type", "amount", "rule"])
        legs = self.legs.set_index(["journey", "leg"])
        key = pd.MultiIndex.from_arrays([df["journey"], df["leg"]])
        return pd.DataFrame(
            {
                "transaction_id": np.arange(len(df), dtype=np.int64),
                "card": df["journey"].astype(np.int64),
                "journey": df["journey"].astype(np.int64),
                "leg": df["leg"].astype(np.int64),
                "time_s": df["time_s"].astype(np.int64),
                "type": df["type"].astype("category"),
                "operator": legs["operator"].reindex(key).to_numpy(),
                "amount": df["amount"].astype(np.int64),
                "rule": df["rule"].astype("category"),
                "category": self.journeys["category"].to_numpy()[df["journey"].to_numpy(dtype=np.int64)] if len(df) else [],
            }
        )

    @cached_property
    def vehicle_service(self) -> pd.DataFrame:
        """Per operator: ``vehicle_trips``, ``vehicle_km``, ``vehicle_hours`` of the simulated service."""
        rows: dict[str, list[float]] = {op: [0, 0.0, 0.0] for op in self.operators}
        for line in self.network.lines:
            n = len(line.departures)
            acc = rows[line.operator]
            acc[0] += n
            acc[1] += n * line.length_m / 1000.0
            acc[2] += n * line.run_time_s / 3600.0
        return pd.DataFrame(
            [(op, int(v[0]), v[1], v[2]) for op, v in rows.items()],
            columns=["operator", "vehicle_trips", "vehicle_km", "vehicle_hours"],
        )

    @cached_property
    def by_operator(self) -> pd.DataFrame:
        """Per operator: ``boardings``, ``taps``, ``passenger_km``, ``vehicle_km``, ``vehicle_hours``,
        ``fare_revenue`` (fares of its legs as charged to riders, before clearing), ``payment``
        (contract payments: 0 until contracts are modelled), ``fare_per_boarding``."""
        legs = self.legs
        g = legs.groupby("operator", observed=False)
        df = pd.DataFrame(
            {
                "boardings": g.size(),
                "taps": g["tapped"].sum().astype(np.int64),
                "passenger_km": g["km"].sum(),
                "fare_revenue": g["fare"].sum().astype(np.int64),
            }
        ).reindex(self.operators, fill_value=0)
        df.index.name = "operator"
        df = df.reset_index().merge(self.vehicle_service, on="operator")
        df["payment"] = 0
        df["fare_per_boarding"] = np.where(df["boardings"] > 0, df["fare_revenue"] / df["boardings"].clip(lower=1), 0.0)
        return df[["operator", "boardings", "taps", "passenger_km", "vehicle_km", "vehicle_hours", "vehicle_trips",
                   "fare_revenue", "payment", "fare_per_boarding"]]

    @cached_property
    def by_hour(self) -> pd.DataFrame:
        """Hour of boarding × operator: ``boardings`` and ``fare_revenue`` (every pair present)."""
        legs = self.legs
        hour = (legs["board_s"] // 3600).astype(np.int64)
        g = legs.assign(hour=hour).groupby(["hour", "operator"], observed=False)
        df = pd.DataFrame({"boardings": g.size(), "fare_revenue": g["fare"].sum()})
        spec = self.loaded.spec.meta
        hours = range(spec.service_start // 3600, (spec.service_end + 3599) // 3600 + 3)
        full = pd.MultiIndex.from_product([list(hours), self.operators], names=["hour", "operator"])
        df = df.reindex(full, fill_value=0).reset_index()
        df[["boardings", "fare_revenue"]] = df[["boardings", "fare_revenue"]].astype(np.int64)
        return df

    @cached_property
    def by_route(self) -> pd.DataFrame:
        """Route × hour: ``boardings``, ``left_behind`` (riders a full vehicle could not take, counted
        at each vehicle that left them), ``max_load_factor`` (highest load ÷ capacity on leaving a stop)."""
        net = self.network
        rows = [
            (net.route_ids[r], net.route_operator[r], h, int(v[0]), int(v[1]), round(float(v[2]), 4))
            for (r, h), v in sorted(self.records.route_hour.items())
        ]
        return pd.DataFrame(rows, columns=["route", "operator", "hour", "boardings", "left_behind", "max_load_factor"])

    @cached_property
    def by_category(self) -> pd.DataFrame:
        """Rider category: ``journeys`` (served), ``journeys_generated``, ``fare_total``,
        ``fare_per_journey`` (mean settled fare of a served journey)."""
        j = self.journeys
        g = j.groupby("category", observed=False)
        served = j[j["served"]].groupby("category", observed=False)
        df = pd.DataFrame(
            {
                "journeys": served.size(),
                "journeys_generated": g.size(),
                "fare_total": g["fare"].sum().astype(np.int64),
                "fare_per_journey": served["fare"].mean().fillna(0.0).round(1),
            }
        )
        df.index.name = "category"
        return df.reset_index()

    @cached_property
    def transfers(self) -> pd.DataFrame:
        """Transfers between consecutive legs of a journey: ``from_operator``, ``to_operator``, ``count``
        (changes inside a paid area included, as they are boardings)."""
        legs = self.legs
        nxt = legs.shift(-1)
        same = (nxt["journey"] == legs["journey"]).to_numpy()
        df = pd.DataFrame({"from_operator": legs["operator"][same].astype(str).to_numpy(),
                           "to_operator": nxt["operator"][same].astype(str).to_numpy()})
        return df.value_counts().rename("count").reset_index().sort_values(["from_operator", "to_operator"], ignore_index=True)

    # ------------------------------------------------------------------------------- summary
    def summary(self) -> dict[str, Any]:
        """The ``summary.json`` contract (see docs/outputs.md); money in integer minor units."""
        j = self.journeys
        legs = self.legs
        ops = self.by_operator
        boardings = int(len(legs))
        with_boarding = int((j["legs"] > 0).sum())
        fare_revenue = int(legs["fare"].sum())
        operators = {
            row.operator: {
                "boardings": int(row.boardings),
                "passenger_km": round(float(row.passenger_km), 3),
                "vehicle_km": round(float(row.vehicle_km), 3),
                "vehicle_hours": round(float(row.vehicle_hours), 3),
                "fare_revenue": int(row.fare_revenue),
                "payment": int(row.payment),
            }
            for row in ops.itertuples()
        }
        payments = sum(o["payment"] for o in operators.values())
        return {
            "schema_version": SUMMARY_SCHEMA_VERSION,
            "scenario": self.loaded.name,
            "seed": self.seed,
            "demand_scale": self.demand_scale,
            "currency": self.currency,
            "version": __version__,
            "totals": {
                "journeys": int(j["served"].sum()),
                "journeys_unserved": int((~j["served"]).sum()),
                "journeys_generated": int(len(j)),
                "boardings": boardings,
                "transfers": boardings - with_boarding,
                "denied_boardings": int(self.records.denied_boardings),
                "passenger_km": round(float(legs["km"].sum()), 3),
                "fare_revenue": fare_revenue,
                "operator_payments": int(payments),
                "subsidy": int(payments),  # payments − fares retained by the city; contracts come later
            },
            "operators": operators,
            "unserved_by_status": {s: int((j["status"] == s).sum()) for s in ("abandoned", "no_path", "stranded")},
        }

    # ------------------------------------------------------------------------------- plots
    def plot_boardings_by_hour(self, ax: Any = None) -> Any:
        from .plots import boardings_by_hour

        return boardings_by_hour(self, ax)

    def plot_revenue_by_operator(self, ax: Any = None) -> Any:
        from .plots import revenue_by_operator

        return revenue_by_operator(self, ax)

    def plot_fare_distribution(self, ax: Any = None) -> Any:
        from .plots import fare_distribution

        return fare_distribution(self, ax)

    def plot_transfer_flows(self, ax: Any = None) -> Any:
        from .plots import transfer_flows

        return transfer_flows(self, ax)
