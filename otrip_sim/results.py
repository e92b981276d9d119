"""Results of one run: its records, turned into data frames once, and the aggregates built on them.

Results are data.  :class:`RunResult` holds what the run produced and exposes it as frames; what
is computed from those frames lives in modules of its own that take plain inputs (frames, arrays,
scenario pieces) and import nothing from here: :mod:`otrip_sim.taplog` (the TIDES tap log),
:mod:`otrip_sim.clearing` (revenue clearing per fare window) and :mod:`otrip_sim.money`
(service, contracts, subsidy).  The accessors below only call them and cache the answer, so
``res.taps``, ``res.by_operator``, ``res.accounts(method)``, ``res.clearing_flows()`` keep
working.  Figures are drawn by :mod:`otrip_sim.plots` from a result (it imports this module, not
the other way round).

All money columns are integer minor units (whole rupiah for IDR); times are integer seconds of the
service day; ``km`` columns are floats derived from integer metres.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from . import clearing, money
from .choice import CrowdCosts
from .clearing import METHODS, ClearedWindows, boarding_charges
from .demand import Riders
from .fares import FarePolicy
from .mode_tables import by_home_zone, by_mode, by_segment, mode_summary
from .modes import ModeDay
from .money import expand, payer_totals
from .network import Network
from .scenario import LoadedScenario
from .settlement import Settlement
from .simulation import SERVED, STATUS_NAMES, SimRecords
from .taplog import fare_transactions, sorted_categorical
from .version import __version__

SUMMARY_SCHEMA_VERSION = 4  # 4: totals.subsidy over all payers (was the city's: now subsidy_city),
# annual subsidy split by payer; 3: persons, sample and replication added; 2: money; no key of 1 removed


@dataclass(frozen=True)
class Expected:
    """Counts the model expects, sums of its choice probabilities (path choice's logit and, with
    mode choice, the tours' probability of public transport), free of the draws: per day of the
    full demand at today's scale, as ``validation.csv`` counts (expanded from a sample, divided
    by the demand scale).  What ``otrip-sim calibrate`` fits to.

    Attributes
    ----------
    boardings, taps:
        Per operator: boardings, and tap-ins (boardings that tap, less ``money.fare_evasion``).
    journeys:
        Per mode (``"pt"`` and, with mode choice, the outside modes): journeys.
    tour_size:
        With mode choice, the journeys per tour of the all-mode population (a tour's journeys
        share its mode, so counts come in tours: their variance is this many times a Poisson
        count's); 1 without.
    """

    boardings: dict[str, float]
    taps: dict[str, float]
    journeys: dict[str, float]
    tour_size: float = 1.0


@dataclass
class RunResult:
    """Everything one run produced.

    Data frames (built on first access): :attr:`journeys`, :attr:`legs`, :attr:`taps`,
    :attr:`by_operator`, :attr:`by_hour`, :attr:`by_route`, :attr:`by_category`,
    :attr:`transfers`, :attr:`vehicle_service`; :meth:`accounts`, :meth:`cleared_revenue`,
    :meth:`clearing_flows` and :meth:`clearing_methods` for operators' money under a clearing
    method; :meth:`summary` gives the ``summary.json`` dictionary.  Figures:
    ``otrip_sim.plots.boardings_by_hour(res)`` and the other functions of :mod:`otrip_sim.plots`.

    Attributes
    ----------
    loaded : LoadedScenario
        The scenario run.
    seed : int
        The root random seed used.
    demand_scale : float
        The multiplier applied to every OD volume.
    sample : float
        The fraction of persons simulated; every aggregate (tables, summary, money) is expanded
        by :attr:`expansion` to estimate the whole day, the row-level frames (``journeys``,
        ``legs``, ``taps``) are the sample's own rows.
    replication : int
        The replication number of the run's draws.
    network : Network
        The compiled network (metres, seconds).
    riders : Riders
        The journeys drawn.
    records : SimRecords
        What the simulation recorded (boardings, times in integer seconds).
    settlement : Settlement
        The settled fares (integer minor units).
    policy : FarePolicy
        The compiled fare policy.
    timings : dict of str to float
        Wall-clock seconds of each step of the run.
    modes : ModeDay or None
        With mode choice: the mode of every journey of the all-mode population.
    travellers : Riders or None
        With mode choice: that population's journeys (``riders`` are those by public transport).
    crowd : CrowdCosts or None
        With crowding iterations (or a warm start): the crowding costs the last pass chose with.
    iterations : list of dict
        Per crowding iteration: ``iteration``, ``relative_gap``, ``switched`` (docs/model.md).
    expected : Expected or None
        Asked for (``run(expect=True)``): the counts the model expects.
    derived : dict
        Tables that modules above this one compute from the result, kept so that writing the
        folder, the plots and the command line compute each once (e.g. the validation table).
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
    sample: float = 1.0
    replication: int = 0
    modes: ModeDay | None = None
    travellers: Riders | None = None
    crowd: CrowdCosts | None = None
    iterations: list[dict[str, float]] = field(default_factory=list)
    expected: Expected | None = None
    derived: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def currency(self) -> str:
        """ISO 4217 code of the scenario's money (amounts are in its minor units)."""
        return self.loaded.spec.meta.currency

    @property
    def expansion(self) -> float:
        """``1 / sample``: what one simulated person stands for."""
        return 1.0 / self.sample

    @property
    def operators(self) -> list[str]:
        """Operator ids in scenario order: the order of every per-operator table."""
        return [o.id for o in self.loaded.spec.operators]

    # ------------------------------------------------------------------------------- frames
    @cached_property
    def journeys(self) -> pd.DataFrame:
        """One row per public-transport journey of the simulated persons, served or not.

        Returns
        -------
        pandas.DataFrame
            ``journey`` (int id), ``person``, ``card`` (the person's card: one per person),
            ``tour`` (0, 1), ``trip`` (the journey's number in the person's day), ``purpose``
            (the tour's purpose; empty without ``demand.tours``), ``category``, ``origin``,
            ``destination`` (zone ids, categorical), ``depart_s``, ``arrive_s`` (int seconds of
            the service day; -1 if not arrived), ``legs`` (int), ``fare`` (int, settled, minor
            units), ``media`` (the fare medium the person holds, when ``fares.media`` is given),
            ``served`` (bool), ``status`` (served / abandoned / no_path / stranded / skipped: an
            earlier journey of the day was not served, so this one was not made by public
            transport), ``weight`` (journeys of the whole day this row stands for: ``1 / sample``).
        """
        r, rec = self.riders, self.records
        zones = pd.Categorical.from_codes(r.origin, categories=list(r.zone_ids))
        purpose = (pd.Categorical.from_codes(r.purpose.astype(np.int32), categories=list(r.purpose_ids))
                   if r.purpose_ids else pd.Categorical([None] * len(r)))
        return pd.DataFrame(
            {
                "journey": np.arange(len(r), dtype=np.int64),
                "person": r.person.astype(np.int64),
                "card": r.card.astype(np.int64),
                "tour": r.tour.astype(np.int64),
                "trip": r.trip.astype(np.int64),
                "purpose": purpose,
                "category": pd.Categorical.from_codes(r.category.astype(np.int32),
                                                      categories=list(r.category_ids)),
                "origin": zones,
                "destination": pd.Categorical.from_codes(r.destination, categories=list(r.zone_ids)),
                "depart_s": rec.depart.astype(np.int64),
                "arrive_s": rec.arrive,
                "legs": rec.n_legs.astype(np.int64),
                "fare": self.settlement.journey_fare,
                "media": (pd.Categorical.from_codes(r.media.astype(np.int32), categories=list(r.media_ids))
                          if r.media is not None else pd.Categorical([None] * len(r))),
                "served": rec.status == SERVED,
                "status": pd.Categorical.from_codes(rec.status.astype(np.int32),
                                                    categories=list(STATUS_NAMES)),
                "weight": np.full(len(r), self.expansion),
            }
        )

    @cached_property
    def legs(self) -> pd.DataFrame:
        """One row per boarding, ordered by journey and leg.

        Returns
        -------
        pandas.DataFrame
            ``journey``, ``person``, ``leg`` (0-based), ``operator``, ``route``, ``direction`` (0: along the
            route's stop list, 1: back), ``board_stop``, ``alight_stop``, ``board_s``,
            ``alight_s`` (int seconds of the service day), ``metres`` (int), ``km`` (float),
            ``tapped`` (False for a change inside a paid area), ``fare`` (int, settled share,
            minor units), ``rule``, ``window`` (number of the fare window within the journey's
            card, -1: none), ``standalone_fare`` (int minor units: what the leg would cost on its
            own; for an evaded leg, the revenue lost), ``evaded`` (boarded without tapping),
            ``missed_window`` (the fare window the leg would have joined at the times expected
            when the path was chosen but missed at the times met; empty: none),
            ``missed_extra`` (on a card's first missed leg, what the card paid more than at the
            expected times, minor units), ``weight`` (boardings of the whole day this row stands
            for: ``1 / sample``).
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
                "person": self.riders.person[p.rider[rows]].astype(np.int64),
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
                "rule": sorted_categorical(st.rule, st.rule_names),
                "window": st.window,
                "standalone_fare": st.standalone,
                "evaded": st.evaded,
                "missed_window": pd.Categorical(st.missed_window if st.missed_window is not None
                                                else np.full(len(rows), "", dtype=object)),
                "missed_extra": (st.missed_extra if st.missed_extra is not None
                                 else np.zeros(len(rows), dtype=np.int64)),
                "weight": np.full(len(rows), self.expansion),
            }
        )

    @cached_property
    def taps(self) -> pd.DataFrame:
        """The card transaction log in the TIDES ``fare_transactions`` format, plus otrip-sim
        columns.

        Returns
        -------
        pandas.DataFrame
            One row per tap; the columns are those of :func:`otrip_sim.taplog.fare_transactions`
            (amounts in minor units).
        """
        spec = self.loaded.spec
        media_types = {m.id: m.tides_media for m in spec.fares.media}
        return fare_transactions(self.legs, self.journeys, self.settlement, spec.meta.service_date,
                                 self.currency, media_types)

    # ------------------------------------------------------------------------------- money
    @cached_property
    def vehicle_service(self) -> pd.DataFrame:
        """Per operator, the simulated service (see :func:`otrip_sim.money.vehicle_service`).

        Returns
        -------
        pandas.DataFrame
            One row per operator: ``operator``, ``vehicle_trips``, ``vehicle_metres`` (int m),
            ``vehicle_seconds`` (int s), ``vehicles``, ``vehicle_km``, ``vehicle_hours``.
        """
        return money.vehicle_service(self.network.lines, self.operators)

    def _cleared(self, method: str | None = None) -> ClearedWindows:
        """Every fare window cleared with ``method`` (default: the scenario's
        ``money.clearing.method``), computed once per method: revenue, flows and accounts of one
        method all read the same clearing (see :func:`otrip_sim.clearing.clear_legs`)."""
        spec = self.loaded.spec.money.clearing
        method = method or spec.method
        if method not in self._cleared_cache:
            charges = boarding_charges(self.policy, self.operators)
            self._cleared_cache[method] = clearing.clear_legs(self.legs, method, charges, spec.shares)
        return self._cleared_cache[method]

    @cached_property
    def _cleared_cache(self) -> dict[str, ClearedWindows]:
        return {}

    def cleared_revenue(self, method: str | None = None) -> dict[str, int]:
        """Fare revenue per operator after clearing each fare window.

        Parameters
        ----------
        method
            A clearing method (:data:`otrip_sim.clearing.METHODS`); default: the scenario's
            ``money.clearing.method``.

        Returns
        -------
        dict
            Operator → fares (integer minor units per day); legs outside windows stay with their
            operator (see :func:`otrip_sim.clearing.cleared_revenue`).
        """
        cleared = clearing.cleared_revenue(self.legs, self._cleared(method))
        return {op: int(expand(v, self.expansion)) for op, v in cleared.items()}

    def clearing_flows(self, method: str | None = None) -> pd.DataFrame:
        """Revenue flows between operators after clearing with ``method`` (as for
        :meth:`cleared_revenue`): ``revenue_flows.csv``, see :func:`otrip_sim.clearing.clearing_flows`.

        Parameters
        ----------
        method : str, optional
            A clearing method (:data:`otrip_sim.clearing.METHODS`); default: the scenario's
            ``money.clearing.method``.

        Returns
        -------
        pandas.DataFrame
            ``from_operator`` (whose legs charged the fare), ``to_operator`` (who gets it after
            clearing), ``amount`` (integer minor units per day); the diagonal is revenue kept.
        """
        flows = clearing.clearing_flows(self.legs, self._cleared(method))
        return flows.assign(amount=expand(flows["amount"].to_numpy(), self.expansion))

    def accounts(self, method: str | None = None) -> pd.DataFrame:
        """Operators' money under clearing ``method`` (as for :meth:`cleared_revenue`;
        ``operators.csv`` for the default): one row per operator with its service, fares as
        charged and cleared, contract, cost, payment, net income and subsidy in integer minor units
        (see :func:`otrip_sim.money.accounts`).

        Parameters
        ----------
        method : str, optional
            A clearing method (:data:`otrip_sim.clearing.METHODS`); default: the scenario's
            ``money.clearing.method``.

        Returns
        -------
        pandas.DataFrame
            One row per operator, the columns of :func:`otrip_sim.money.accounts`.
        """
        return money.accounts(self.legs, self.vehicle_service, self.cleared_revenue(method),
                              self.loaded.spec.money.contracts, self.expansion)

    @cached_property
    def by_operator(self) -> pd.DataFrame:
        """Per operator: ``boardings``, ``taps``, ``passenger_km``, ``vehicle_km``, ``vehicle_hours``,
        ``vehicle_trips``, ``vehicles``, ``fare_revenue`` (fares of its legs as charged to riders,
        before clearing), ``fare_revenue_cleared``, ``fare_lost_evasion``, ``fare_per_boarding``,
        and its money under the scenario's contract and clearing method: ``contract``, ``payer``,
        ``fares_to_payer``, ``fares_kept``, ``cost``, ``payment``, ``net_income``, ``subsidy``,
        ``subsidy_per_boarding``, ``subsidy_per_tap`` (see docs/money.md); money in minor units.

        Returns
        -------
        pandas.DataFrame
            One row per operator, in scenario order, with ``operator`` and the columns above
            (``fare_per_boarding`` a float in minor units, 0 without boardings).
        """
        acc = self.accounts()
        acc["fare_per_boarding"] = np.where(acc["boardings"] > 0,
                                            acc["fare_revenue"] / acc["boardings"].clip(lower=1), 0.0)
        return acc

    def clearing_methods(self) -> pd.DataFrame:
        """Every clearing method side by side: ``operator``, ``method``, ``fare_revenue_cleared``,
        ``payment``, ``net_income``, ``subsidy`` (``fixed_shares`` only when the scenario gives
        shares).

        Returns
        -------
        pandas.DataFrame
            One row per operator and method, money in integer minor units per day.
        """
        shares = self.loaded.spec.money.clearing.shares
        return money.compare_methods({m: self.accounts(m) for m in METHODS if m != "fixed_shares" or shares})

    # ------------------------------------------------------------------------------- aggregates
    @cached_property
    def by_hour(self) -> pd.DataFrame:
        """Hour of boarding × operator: ``boardings``, ``fare_revenue``, ``missed_windows`` (legs that
        missed a fare window they were expected to join) and ``missed_extra`` (what those cards paid
        more; every pair present).

        Returns
        -------
        pandas.DataFrame
            ``hour`` (int, hours since the service day's midnight), ``operator``, ``boardings``
            (int) and ``fare_revenue`` (int, settled fares in minor units); one row per hour of
            service and operator, zeros included.
        """
        legs = self.legs
        hour = (legs["board_s"] // 3600).astype(np.int64)
        g = legs.assign(hour=hour, missed=legs["missed_window"].astype(str) != "").groupby(
            ["hour", "operator"], observed=False)
        df = pd.DataFrame({"boardings": g.size(), "fare_revenue": g["fare"].sum(),
                           "missed_windows": g["missed"].sum(), "missed_extra": g["missed_extra"].sum()})
        spec = self.loaded.spec.meta
        last = int(hour.max()) + 1 if len(hour) else 0
        hours = range(min(spec.service_start // 3600, last), max((spec.service_end + 3599) // 3600, last))
        full = pd.MultiIndex.from_product([list(hours), self.operators], names=["hour", "operator"])
        df = df.reindex(full, fill_value=0).reset_index()
        for c in ("boardings", "fare_revenue", "missed_windows", "missed_extra"):
            df[c] = expand(df[c].to_numpy(np.int64), self.expansion)
        return df

    @cached_property
    def by_route(self) -> pd.DataFrame:
        """Route × hour: ``boardings``, ``left_behind`` (riders a full vehicle could not take, counted
        at each vehicle that left them), ``max_load_factor`` (highest load ÷ capacity on leaving a
        stop, riders the model does not carry included) and, when some route has ``background``,
        ``background_share`` (the highest of those riders ÷ capacity).

        Returns
        -------
        pandas.DataFrame
            ``route``, ``operator``, ``hour`` (int), ``boardings`` (int), ``left_behind`` (int),
            ``max_load_factor`` (float, 4 decimals) and, only in a network with background,
            ``background_share`` (float, 4 decimals; 0: none in the hour), for each route and hour
            with service used or background on board.
        """
        net = self.network
        e = self.expansion
        rows = [
            (net.route_ids[r], net.route_operator[r], h, int(expand(int(v[0]), e)), int(expand(int(v[1]), e)),
             round(float(v[2]), 4))
            for (r, h), v in sorted(self.records.route_hour.items())
        ]
        df = pd.DataFrame(rows, columns=["route", "operator", "hour", "boardings", "left_behind",
                                         "max_load_factor"])
        if any(line.background_start for line in net.lines):
            bg = self.records.route_hour_background
            share = [round(bg.get(key, 0.0), 4) for key in sorted(self.records.route_hour)]
            df["background_share"] = np.array(share, dtype=np.float64)
        return df

    @cached_property
    def by_category(self) -> pd.DataFrame:
        """Rider category: ``journeys`` (served), ``journeys_generated``, ``fare_total``,
        ``fare_per_journey`` (mean settled fare of a served journey).

        Returns
        -------
        pandas.DataFrame
            ``category``, ``journeys`` and ``journeys_generated`` (int), ``fare_total`` (int, minor
            units) and ``fare_per_journey`` (float minor units, 1 decimal; 0 with none served).
        """
        j = self.journeys
        g = j.groupby("category", observed=False)
        served = j[j["served"]].groupby("category", observed=False)
        df = pd.DataFrame(
            {
                "journeys": expand(served.size().to_numpy(), self.expansion),
                "journeys_generated": expand(g.size().to_numpy(), self.expansion),
                "fare_total": expand(g["fare"].sum().to_numpy(np.int64), self.expansion),
                "fare_per_journey": served["fare"].mean().fillna(0.0).round(1),
            }
        )
        df.index.name = "category"
        return df.reset_index()

    @cached_property
    def transfers(self) -> pd.DataFrame:
        """Transfers between consecutive legs of a journey: ``from_operator``, ``to_operator``,
        ``count`` (changes inside a paid area included, as they are boardings).

        Returns
        -------
        pandas.DataFrame
            ``from_operator``, ``to_operator`` (str) and ``count`` (int, transfers per day), sorted
            by the two operators; pairs without transfers are left out.
        """
        legs = self.legs
        nxt = legs.shift(-1)
        same = (nxt["journey"] == legs["journey"]).to_numpy()
        df = pd.DataFrame({"from_operator": legs["operator"][same].astype(str).to_numpy(),
                           "to_operator": nxt["operator"][same].astype(str).to_numpy()})
        counts = df.value_counts().rename("count").reset_index()
        counts["count"] = expand(counts["count"].to_numpy(), self.expansion)
        return counts.sort_values(["from_operator", "to_operator"], ignore_index=True)

    # ------------------------------------------------------------------------------- summary
    def _annual(self, operators: dict[str, dict[str, Any]]) -> dict[str, Any]:
        """A year of the operators that have ``money.weekdays_per_year``: the day's counts and money
        × that factor (weekday equivalents, not 365), whole units."""
        factors = self.loaded.spec.money.weekdays_per_year
        keys = ("boardings", "fare_revenue", "fare_revenue_cleared", "payment", "subsidy")
        per_op = {op: {"weekdays_per_year": factors[op], **{k: round(o[k] * factors[op]) for k in keys}}
                  for op, o in operators.items() if op in factors}
        totals = {k: sum(v[k] for v in per_op.values()) for k in keys}
        for payer in ("city", "national"):  # the yearly subsidy split by payer, as the day's
            totals[f"subsidy_{payer}"] = sum(v["subsidy"] for op, v in per_op.items()
                                             if operators[op]["payer"] == payer)
        return {"basis": "the simulated day x each operator's money.weekdays_per_year (weekday equivalents "
                         "a year, not 365)", "operators": per_op, "totals": totals}

    def _missed(self) -> dict[str, dict[str, int]]:
        """Per window rule: legs that missed it through a delay and what their cards paid more."""
        legs = self.legs
        missed = legs[legs["missed_window"].astype(str) != ""]
        g = missed.groupby(missed["missed_window"].astype(str))
        return {rule: {"legs": int(expand(len(part), self.expansion)),
                       "extra_paid": int(expand(int(part["missed_extra"].sum()), self.expansion))}
                for rule, part in g}

    def summary(self) -> dict[str, Any]:
        """The ``summary.json`` contract (see docs/outputs.md); money in integer minor units.

        Returns
        -------
        dict
            Run identity (``scenario``, ``seed``, ``currency``, ``version``, ...), ``totals`` and
            per-operator figures, as JSON-ready values.
        """
        j = self.journeys
        ops = self.by_operator
        e = self.expansion
        boardings = int(ops["boardings"].sum())
        served = int(expand(int(j["served"].sum()), e))
        with_boarding = int(expand(int((j["legs"] > 0).sum()), e))
        persons = self.riders.persons
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
            "replication": self.replication,
            "demand_scale": self.demand_scale,
            "sample": self.sample,
            "expansion": round(e, 6),
            "estimates": ("the whole day" if self.sample == 1 else
                          f"the whole day from a {self.sample:.0%} sample of persons: counts and money "
                          f"expanded by {e:g}, vehicle capacities scaled by {self.sample:g}"),
            "currency": self.currency,
            "version": __version__,
            "clearing_method": self.loaded.spec.money.clearing.method,
            "totals": {
                "persons": int(expand(persons, e)),
                "persons_simulated": persons,
                "journeys_per_person": round(len(j) / persons, 3) if persons else 0.0,
                "journeys": served,
                "journeys_unserved": int(expand(len(j), e)) - served,
                "journeys_generated": int(expand(len(j), e)),
                "boardings": boardings,
                "transfers": boardings - with_boarding,
                "denied_boardings": int(expand(int(self.records.denied_boardings), e)),
                "passenger_km": round(float(ops["passenger_km"].sum()), 3),
                "fare_revenue": int(ops["fare_revenue"].sum()),
                "fare_lost_evasion": int(ops["fare_lost_evasion"].sum()),
                "operator_payments": int(ops["payment"].sum()),
                "operator_payments_city": payers["city"]["payments"],
                "operator_payments_national": payers["national"]["payments"],
                # every payer's subsidy, and the split by payer beside it
                "subsidy": payers["city"]["subsidy"] + payers["national"]["subsidy"],
                "subsidy_city": payers["city"]["subsidy"],
                "subsidy_national": payers["national"]["subsidy"],
            },
            "operators": operators,
            "annual": self._annual(operators),
            "payers": payers,
            "missed_windows": self._missed(),
            "unserved_by_status": {s: int(expand(int((j["status"] == s).sum()), e))
                                   for s in ("abandoned", "no_path", "stranded", "skipped")},
            **self._modes(j),
            **self._crowding(),
        }

    def _crowding(self) -> dict[str, Any]:
        """``crowding``: the iterations of crowding feedback (with ``choice.crowding.iterations``)."""
        spec = self.loaded.spec.choice.crowding
        if not spec.iterations:
            return {}
        last = self.iterations[-1] if self.iterations else None
        return {"crowding": {
            "iterations_allowed": spec.iterations, "gap_threshold": spec.gap,
            "iterations": list(self.iterations),
            "converged": bool(last is not None and last["relative_gap"] < spec.gap),
            "relative_gap": None if last is None else last["relative_gap"],
        }}

    def _modes(self, j: pd.DataFrame) -> dict[str, Any]:
        """``modes`` and ``behaviour`` (with mode choice only)."""
        if self.modes is None or self.travellers is None:
            return {}
        return mode_summary(self.modes, self.travellers, self.settlement.journey_fare, j["served"].to_numpy(),
                            self.expansion, self.reference_name)

    @property
    def reference_name(self) -> str:
        """The name of a pivot's reference fares (``demand.pivot_reference``); ``""``: none."""
        ref = self.loaded.spec.demand.pivot_reference
        return ref.name if ref is not None and not isinstance(ref, str) else ""

    def mode_tables(self) -> dict[str, pd.DataFrame]:
        """With mode choice: ``by_mode``, ``by_segment`` and ``by_home_zone`` (docs/outputs.md);
        computed once (the folder, the plots and the replications all read them)."""
        if self.modes is None or self.travellers is None:
            return {}
        cached = self.derived.get("mode_tables")
        if cached is None:
            md, people, fare, e = self.modes, self.travellers, self.settlement.journey_fare, self.expansion
            cached = self.derived["mode_tables"] = {
                "by_mode": by_mode(md, people, fare, e), "by_segment": by_segment(md, people, fare, e),
                "by_home_zone": by_home_zone(md, people, e)}
        return dict(cached)
