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
import pyarrow as pa
import pyarrow.compute as pc

from . import __version__
from .clearing import METHODS, clear_windows, net_flows_many
from .demand import Riders
from .fares import FarePolicy, IntegratedWindow
from .grouped import group_starts
from .money import operator_accounts, payer_totals
from .network import Line, Network
from .units import CURRENCY_DECIMALS
from .scenario import LoadedScenario
from .settlement import Settlement
from .simulation import SERVED, STATUS_NAMES, SimRecords

SUMMARY_SCHEMA_VERSION = 2  # 2: money (contracts, clearing, payers) added; no key of 1 removed


def net_flows(charged: dict[str, int], cleared: dict[str, int]) -> dict[tuple[str, str], int]:
    """What a clearing house moves within one window: each operator keeps what it collected up to
    its allocation; operators that collected more pass the surplus to those that collected less
    (in order).  Row sums are the amounts charged, column sums the cleared allocations, exactly."""
    flows: dict[tuple[str, str], int] = {}
    surplus: list[list] = []
    deficit: list[list] = []
    for op in dict.fromkeys([*charged, *cleared]):
        got, due = charged.get(op, 0), cleared.get(op, 0)
        if min(got, due):
            flows[(op, op)] = min(got, due)
        if got > due:
            surplus.append([op, got - due])
        elif due > got:
            deficit.append([op, due - got])
    i = j = 0
    while i < len(surplus) and j < len(deficit):
        amount = min(surplus[i][1], deficit[j][1])
        key = (surplus[i][0], deficit[j][0])
        flows[key] = flows.get(key, 0) + amount
        surplus[i][1] -= amount
        deficit[j][1] -= amount
        i += surplus[i][1] == 0
        j += deficit[j][1] == 0
    return flows


def _categorical(codes: np.ndarray, names: list[str]) -> pd.Categorical:
    """A categorical of the names used, in sorted order (as ``astype("category")`` gives)."""
    used = sorted(np.unique(codes).tolist(), key=lambda k: names[k])
    remap = np.zeros(len(names), dtype=np.int32)
    remap[used] = np.arange(len(used), dtype=np.int32)
    return pd.Categorical.from_codes(remap[codes], categories=[names[k] for k in used])


def _peak_vehicles(line: Line) -> int:
    """Vehicles a line direction needs at its busiest moment: the most trips under way at once."""
    deps = line.departures
    run = line.run_time_s
    peak = 0
    first = 0
    for i, dep in enumerate(deps):
        while deps[first] + run <= dep:
            first += 1
        peak = max(peak, i - first + 1)
    return peak


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
    settlement: Settlement
    policy: FarePolicy
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
        ``media`` (the fare medium the rider holds, when ``fares.media`` is given), ``served`` (bool), ``status`` (served / abandoned / no_path / stranded).
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
                "fare": self.settlement.journey_fare,
                "media": (pd.Categorical.from_codes(r.media.astype(np.int32), categories=list(r.media_ids))
                          if r.media is not None else pd.Categorical([None] * len(r))),
                "served": rec.status == SERVED,
                "status": pd.Categorical.from_codes(rec.status.astype(np.int32), categories=list(STATUS_NAMES)),
            }
        )

    @cached_property
    def legs(self) -> pd.DataFrame:
        """One row per boarding, ordered by journey and leg.

        Columns: ``journey``, ``leg`` (0-based), ``operator``, ``route``, ``direction`` (0: along
        the route's stop list, 1: back), ``board_stop``,
        ``alight_stop``, ``board_s``, ``alight_s``, ``metres`` (int), ``km`` (float), ``tapped``
        (False for a change inside a paid area), ``fare`` (settled share, minor units), ``rule``,
        ``window`` (number of the fare window within the journey's card, -1: none),
        ``standalone_fare`` (what the leg would cost on its own; for an evaded leg, the revenue
        lost), ``evaded`` (boarded without tapping).
        """
        st = self.settlement
        p = self.records.planned
        rows = st.rows
        net = self.network
        line = p.line[rows].astype(np.int64)
        b, a = p.board[rows].astype(np.int64), p.alight[rows].astype(np.int64)
        line_route = np.array([ln.route_index for ln in net.lines], dtype=np.int64)
        line_dir = np.array([ln.direction for ln in net.lines], dtype=np.int8)
        route_idx = line_route[line]
        op_codes = {op: i for i, op in enumerate(self.operators)}
        route_op = np.array([op_codes[op] for op in net.route_operator], dtype=np.int64)
        stops = list(net.stop_ids)
        stop_tab = net.stop_table
        board_s = self.records.board_s[rows]
        metres = net.cum_m_table[line, a] - net.cum_m_table[line, b]
        return pd.DataFrame(
            {
                "journey": p.rider[rows].astype(np.int64),
                "leg": p.leg_no[rows].astype(np.int64),
                "operator": pd.Categorical.from_codes(route_op[route_idx], categories=self.operators),
                "route": pd.Categorical.from_codes(route_idx, categories=list(net.route_ids)),
                "direction": line_dir[line],
                "board_stop": pd.Categorical.from_codes(stop_tab[line, b], categories=stops),
                "alight_stop": pd.Categorical.from_codes(stop_tab[line, a], categories=stops),
                "board_s": board_s,
                "alight_s": board_s + net.cum_s_table[line, a] - net.cum_s_table[line, b],
                "metres": metres,
                "km": metres / 1000.0,
                "tapped": p.tapped[rows].astype(bool),
                "fare": st.fare,
                "rule": _categorical(st.rule, st.rule_names),
                "window": st.window,
                "standalone_fare": st.standalone,
                "evaded": st.evaded,
            }
        )

    @cached_property
    def taps(self) -> pd.DataFrame:
        """The card transaction log in the TIDES ``fare_transactions`` format, plus otrip-sim columns.

        TIDES columns: ``transaction_id``, ``service_date``, ``event_timestamp`` (local, ISO 8601),
        ``amount`` (currency units), ``currency_type``, ``fare_action`` (``Enter`` for a card's first
        tap, ``Transfer entrance`` for later taps, ``Transfer exit``/``Exit`` for tap-outs,
        ``Adjust`` for a settlement correction),
        ``pattern_id`` (``<route>:<direction>``), ``stop_id`` (boarding stop), ``num_riders``,
        ``fare_media_id``, ``rider_category``, ``fare_product`` (the window rule the leg is in, else
        ``pay-as-you-go``), ``fare_capped`` (the leg paid less than its own fare because of a cap),
        ``token_id`` (the card).  otrip-sim columns: ``card`` (= journey id: one card per
        journey), ``journey``, ``leg``, ``time_s``, ``type`` (``tap``, ``exit`` = tap-out at the
        exit, amount 0, or ``adjustment``), ``operator``, ``distance_km`` (of a tap's trip, paid-area
        changes included), ``amount_minor`` (integer minor units), ``rule``.  Per card the amounts
        sum to the settled fares.
        """
        st = self.settlement
        legs = self.legs
        lj = legs["journey"].to_numpy()
        tapped = legs["tapped"].to_numpy()
        # A tap's trip runs to the exit of the paid-area changes after it: each tapped leg with
        # the untapped legs that follow it (a journey's first leg is always tapped).
        gs = np.flatnonzero(tapped)
        ge = np.append(gs[1:], len(legs)) - 1
        trip_keep = ~legs["evaded"].to_numpy()[gs]
        gs, ge = gs[trip_keep], ge[trip_keep]
        trip_metres = np.add.reduceat(legs["metres"].to_numpy(), np.flatnonzero(tapped))[trip_keep] if len(gs) else gs
        trip_j = lj[gs]
        last_trip = np.append(group_starts(trip_j)[1:], True) if len(gs) else np.zeros(0, dtype=bool)
        # rows: the card transactions, then one exit per trip; kind 0 tap, 1 adjustment, 2 exit
        n_tx, n_exit = len(st.tx_journey), len(gs)
        journey = np.concatenate([st.tx_journey, trip_j]).astype(np.int64)
        leg = np.concatenate([st.tx_leg, legs["leg"].to_numpy()[gs]]).astype(np.int64)
        time_s = np.concatenate([st.tx_time, legs["alight_s"].to_numpy()[ge]]).astype(np.int64)
        kind = np.concatenate([st.tx_kind.astype(np.int8), np.full(n_exit, 2, dtype=np.int8)])
        amount_minor = np.concatenate([st.tx_amount, np.zeros(n_exit, dtype=np.int64)]).astype(np.int64)
        rule_names = [*st.rule_names, ""]
        rule = np.concatenate([st.tx_rule, np.full(n_exit, len(rule_names) - 1, dtype=np.int32)])
        leg_row = np.concatenate([np.searchsorted(lj, st.tx_journey) + st.tx_leg, gs]).astype(np.int64)
        exit_stop = np.concatenate([np.full(n_tx, -1), legs["alight_stop"].cat.codes.to_numpy()[ge]])
        exit_last = np.concatenate([np.zeros(n_tx, dtype=bool), last_trip])
        rank = np.array([1, 2, 0])[kind]  # exit, tap, adjustment at the same second
        order = np.lexsort((leg, rank, time_s, journey))
        journey, leg, time_s, kind, amount_minor, rule, leg_row, exit_stop, exit_last = (
            x[order] for x in (journey, leg, time_s, kind, amount_minor, rule, leg_row, exit_stop, exit_last))
        is_tap, is_exit = kind == 0, kind == 2
        # a tap's distance is its trip's: the exit row of the same (journey, leg) carries it
        trip_at = np.full(len(legs), np.nan)
        trip_at[gs] = trip_metres / 1000.0
        first_tap = np.zeros(len(kind), dtype=bool)
        tap_rows = np.flatnonzero(is_tap)
        first_tap[tap_rows[group_starts(journey[tap_rows])]] = True
        meta = self.loaded.spec.meta
        scale = 10 ** CURRENCY_DECIMALS.get(self.currency, 2)
        in_window = legs["window"].to_numpy()[leg_row] >= 0
        products = sorted({r.split(":")[0] for r in rule_names} | {"pay-as-you-go"})
        product = np.array([products.index(r.split(":")[0]) for r in rule_names])[rule]
        capped = np.array([r.endswith((":capped", ":remainder")) for r in rule_names])[rule]
        action = np.where(first_tap, 0, np.where(is_tap, 1, np.where(kind == 1, 2, np.where(exit_last, 3, 4))))
        route_c, dir_c = legs["route"].cat.codes.to_numpy()[leg_row], legs["direction"].to_numpy()[leg_row]
        patterns = [f"{r}:{d}" for r in legs["route"].cat.categories for d in (0, 1)]
        stop_code = np.where(is_tap, legs["board_stop"].cat.codes.to_numpy()[leg_row], exit_stop)
        ids = pa.array(journey).cast(pa.string())
        # few distinct times: format each once
        times, time_code = np.unique(time_s, return_inverse=True)
        day0 = np.datetime64(meta.service_date.isoformat(), "s")
        stamps = pc.strftime(pa.array(day0 + times.astype("timedelta64[s]")), format="%Y-%m-%dT%H:%M:%S").to_pylist()
        n = len(kind)

        def constant(value: str) -> pd.Categorical:
            return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[value])

        # perf: repeated strings are categoricals (dictionary-encoded in Parquet); only the
        # per-row identifiers are strings
        return pd.DataFrame(
            {
                "transaction_id": pd.array(pc.binary_join_element_wise(ids, pa.array(np.arange(n)).cast(pa.string()), "-"),
                                           dtype="str"),
                "service_date": constant(meta.service_date.isoformat()),
                "event_timestamp": pd.Categorical.from_codes(time_code, categories=stamps),
                "amount": amount_minor if scale == 1 else amount_minor / scale,
                "currency_type": constant(self.currency),
                "fare_action": pd.Categorical.from_codes(action, categories=["Enter", "Transfer entrance", "Adjust", "Exit", "Transfer exit"]),
                "pattern_id": pd.Categorical.from_codes(np.where(kind != 1, route_c * 2 + dir_c, -1), categories=patterns),
                "stop_id": pd.Categorical.from_codes(np.where(is_tap | is_exit, stop_code, -1), categories=legs["board_stop"].cat.categories),
                "num_riders": 1,
                "fare_media_id": constant("Smart card or ticket"),
                "rider_category": pd.Categorical.from_codes(self.riders.category[journey].astype(np.int64),
                                                            categories=list(self.riders.category_ids)),
                "fare_product": pd.Categorical.from_codes(np.where(in_window, product, products.index("pay-as-you-go")),
                                                          categories=products),
                "fare_capped": capped,
                "token_id": pd.array(ids, dtype="str"),
                "card": journey,
                "journey": journey,
                "leg": leg,
                "time_s": time_s,
                "type": pd.Categorical.from_codes(np.array([0, 2, 1])[kind], categories=["tap", "exit", "adjustment"]),
                "operator": pd.Categorical.from_codes(legs["operator"].cat.codes.to_numpy()[leg_row], categories=self.operators),
                "distance_km": np.where(is_tap, trip_at[leg_row], np.nan),
                "amount_minor": amount_minor,
                "rule": _categorical(rule, rule_names),
            }
        )

    @cached_property
    def vehicle_service(self) -> pd.DataFrame:
        """Per operator, the simulated service: ``vehicle_trips``, ``vehicle_metres``,
        ``vehicle_seconds`` (integers), ``vehicle_km``, ``vehicle_hours`` and ``vehicles`` (vehicles
        in service at the busiest moment, summed over the operator's line directions)."""
        rows: dict[str, list[int]] = {op: [0, 0, 0, 0] for op in self.operators}
        for line in self.network.lines:
            n = len(line.departures)
            acc = rows[line.operator]
            acc[0] += n
            acc[1] += n * line.length_m
            acc[2] += n * line.run_time_s
            acc[3] += _peak_vehicles(line)
        df = pd.DataFrame(
            [(op, *v) for op, v in rows.items()],
            columns=["operator", "vehicle_trips", "vehicle_metres", "vehicle_seconds", "vehicles"],
        )
        df["vehicle_km"] = df["vehicle_metres"] / 1000.0
        df["vehicle_hours"] = df["vehicle_seconds"] / 3600.0
        return df

    def cleared_revenue(self, method: str | None = None) -> dict[str, int]:
        """Fare revenue per operator after clearing each fare window with ``method`` (default: the
        scenario's ``money.clearing.method``); legs outside windows stay with their operator."""
        method = method or self.loaded.spec.money.clearing.method
        legs = self.legs
        outside = legs["window"].to_numpy() < 0
        op = legs["operator"].cat.codes.to_numpy()
        fare = legs["fare"].to_numpy()
        total = np.bincount(op[outside], weights=fare[outside], minlength=len(self.operators))
        _, wo_op, amount, _ = self._cleared(method)
        total += np.bincount(wo_op, weights=amount, minlength=len(self.operators))
        return {o: int(v) for o, v in zip(self.operators, total)}

    def _cleared(self, method: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per fare window and operator in it (rows of a window consecutive, operators in order
        of first appearance): window number, operator code, cleared amount, amount charged."""
        cached = self._flows_cache.get(method)
        if cached is not None:
            return cached
        legs = self.legs
        inside = np.flatnonzero(legs["window"].to_numpy() >= 0)
        journey, window = legs["journey"].to_numpy()[inside], legs["window"].to_numpy()[inside]
        rows = inside[np.lexsort((np.arange(len(inside)), window, journey))]  # each window's legs together, in order
        n_win = int(window.max()) + 1 if len(window) else 1
        win = legs["journey"].to_numpy()[rows] * n_win + legs["window"].to_numpy()[rows]
        op = legs["operator"].cat.codes.to_numpy()[rows].astype(np.int64)
        fare, own = legs["fare"].to_numpy()[rows], legs["standalone_fare"].to_numpy()[rows]
        # what the first leg's operator keeps under first_keeps_boarding: the window's boarding charge
        first = group_starts(win)
        base = np.array([w.base if isinstance(w, IntegratedWindow) else -1
                         for w in (self.policy.window_of(o) for o in self.operators)], dtype=np.int64)
        charge = np.where(base[op] >= 0, base[op], own)
        charge = charge[np.maximum.accumulate(np.where(first, np.arange(len(win)), 0))] if len(win) else charge
        spec_shares = self.loaded.spec.money.clearing.shares
        shares = np.array([spec_shares.get(o, 0.0) for o in self.operators])
        wo_win, wo_op, amount = clear_windows(win, op, legs["metres"].to_numpy()[rows], fare, own, method, charge, shares)
        group = np.cumsum(first) - 1
        charged_key = group * len(self.operators) + op
        wo_group = np.cumsum(group_starts(wo_win)) - 1
        key_at = wo_group * len(self.operators) + wo_op
        sorter = np.argsort(key_at)
        at = sorter[np.searchsorted(key_at, charged_key, sorter=sorter)] if len(win) else charged_key
        charged = np.bincount(at, weights=fare, minlength=len(wo_win)).astype(np.int64)
        out = self._flows_cache[method] = (wo_win, wo_op, amount, charged)
        return out

    @cached_property
    def _flows_cache(self) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
        return {}

    def clearing_flows(self, method: str | None = None) -> pd.DataFrame:
        """Revenue flows: ``from_operator`` (whose legs charged the fare), ``to_operator`` (who gets
        it after clearing), ``amount`` (minor units per day); the diagonal is revenue kept."""
        legs = self.legs
        outside = legs["window"].to_numpy() < 0
        op = legs["operator"].cat.codes.to_numpy()[outside]
        kept = np.bincount(op, weights=legs["fare"].to_numpy()[outside], minlength=len(self.operators)).astype(np.int64)
        seen = np.unique(op)
        wo_win, wo_op, amount, charged = self._cleared(method or self.loaded.spec.money.clearing.method)
        f, t, v = net_flows_many(wo_win, wo_op, charged, amount)
        df = pd.DataFrame({"from": np.concatenate([seen, f]), "to": np.concatenate([seen, t]),
                           "amount": np.concatenate([kept[seen], v])})
        df = df.groupby(["from", "to"], as_index=False)["amount"].sum()
        names = np.array(self.operators, dtype=object)
        out = pd.DataFrame({"from_operator": names[df["from"].to_numpy()], "to_operator": names[df["to"].to_numpy()],
                            "amount": df["amount"].to_numpy(dtype=np.int64)})
        return out.sort_values(["from_operator", "to_operator"], ignore_index=True)

    def accounts(self, method: str | None = None) -> pd.DataFrame:
        """Operators' money under clearing ``method`` (see :func:`otrip_sim.money.operator_accounts`)."""
        legs = self.legs
        g = legs.groupby("operator", observed=False)
        df = pd.DataFrame(
            {
                "boardings": g.size(),
                "taps": g["tapped"].sum().astype(np.int64) - g["evaded"].sum().astype(np.int64),
                "passenger_km": g["km"].sum(),
                "fare_revenue": g["fare"].sum().astype(np.int64),
            }
        ).reindex(self.operators, fill_value=0)
        df.index.name = "operator"
        df = df.reset_index().merge(self.vehicle_service, on="operator")
        cleared = self.cleared_revenue(method)
        df["fare_revenue_cleared"] = [cleared[op] for op in df["operator"]]
        acc = operator_accounts(df, self.loaded.spec.money.contracts)
        lost = legs[legs["evaded"]].groupby("operator", observed=False)["standalone_fare"].sum()
        acc["fare_lost_evasion"] = [int(lost.get(op, 0)) for op in acc["operator"]]
        acc["vehicle_trips"] = df["vehicle_trips"].to_numpy()
        return acc

    @cached_property
    def by_operator(self) -> pd.DataFrame:
        """Per operator: ``boardings``, ``taps``, ``passenger_km``, ``vehicle_km``, ``vehicle_hours``,
        ``vehicle_trips``, ``vehicles``, ``fare_revenue`` (fares of its legs as charged to riders,
        before clearing), ``fare_revenue_cleared``, ``fare_lost_evasion``, ``fare_per_boarding``,
        and its money under the scenario's contract and clearing method: ``contract``, ``payer``,
        ``fares_to_payer``, ``fares_kept``, ``cost``, ``payment``, ``net_income``, ``subsidy``,
        ``subsidy_per_boarding``, ``subsidy_per_tap`` (see docs/money.md)."""
        acc = self.accounts()
        acc["fare_per_boarding"] = np.where(acc["boardings"] > 0, acc["fare_revenue"] / acc["boardings"].clip(lower=1), 0.0)
        return acc

    def clearing_methods(self) -> pd.DataFrame:
        """Every clearing method side by side: ``operator``, ``method``, ``fare_revenue_cleared``,
        ``payment``, ``net_income``, ``subsidy``."""
        frames = []
        for method in METHODS:
            if method == "fixed_shares" and not self.loaded.spec.money.clearing.shares:
                continue
            acc = self.accounts(method)
            acc["method"] = method
            frames.append(acc[["operator", "method", "fare_revenue_cleared", "payment", "net_income", "subsidy"]])
        return pd.concat(frames, ignore_index=True)

    @cached_property
    def by_hour(self) -> pd.DataFrame:
        """Hour of boarding × operator: ``boardings`` and ``fare_revenue`` (every pair present)."""
        legs = self.legs
        hour = (legs["board_s"] // 3600).astype(np.int64)
        g = legs.assign(hour=hour).groupby(["hour", "operator"], observed=False)
        df = pd.DataFrame({"boardings": g.size(), "fare_revenue": g["fare"].sum()})
        spec = self.loaded.spec.meta
        last = int(hour.max()) + 1 if len(hour) else 0
        hours = range(min(spec.service_start // 3600, last), max((spec.service_end + 3599) // 3600, last))
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
        served = int(j["served"].sum())
        with_boarding = int((j["legs"] > 0).sum())
        operators = {
            row.operator: {
                "boardings": int(row.boardings),
                "taps": int(row.taps),
                "passenger_km": round(float(row.passenger_km), 3),
                "vehicle_km": round(float(row.vehicle_km), 3),
                "vehicle_hours": round(float(row.vehicle_hours), 3),
                "vehicles": int(row.vehicles),
                "fare_revenue": int(row.fare_revenue),
                "fare_revenue_cleared": int(row.fare_revenue_cleared),
                "fare_lost_evasion": int(row.fare_lost_evasion),
                "contract": row.contract,
                "payer": row.payer or None,
                "cost": None if pd.isna(row.cost) else int(row.cost),
                "payment": int(row.payment),
                "net_income": None if pd.isna(row.net_income) else int(row.net_income),
                "subsidy": int(row.subsidy),
            }
            for row in ops.itertuples()
        }
        payers = payer_totals(ops, served, boardings)
        return {
            "schema_version": SUMMARY_SCHEMA_VERSION,
            "scenario": self.loaded.name,
            "seed": self.seed,
            "demand_scale": self.demand_scale,
            "currency": self.currency,
            "version": __version__,
            "clearing_method": self.loaded.spec.money.clearing.method,
            "totals": {
                "journeys": served,
                "journeys_unserved": int(len(j) - served),
                "journeys_generated": int(len(j)),
                "boardings": boardings,
                "transfers": boardings - with_boarding,
                "denied_boardings": int(self.records.denied_boardings),
                "passenger_km": round(float(legs["km"].sum()), 3),
                "fare_revenue": int(legs["fare"].sum()),
                "fare_lost_evasion": int(ops["fare_lost_evasion"].sum()),
                "operator_payments": int(ops["payment"].sum()),
                "operator_payments_city": payers["city"]["payments"],
                "operator_payments_national": payers["national"]["payments"],
                "subsidy": payers["city"]["subsidy"],
                "subsidy_national": payers["national"]["subsidy"],
            },
            "operators": operators,
            "payers": payers,
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

    def plot_revenue_flows(self, ax: Any = None) -> Any:
        from .plots import revenue_flows

        return revenue_flows(self, ax)

    def plot_subsidy_by_operator(self, ax: Any = None) -> Any:
        from .plots import subsidy_by_operator

        return subsidy_by_operator(self, ax)
