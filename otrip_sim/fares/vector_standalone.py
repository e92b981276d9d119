"""Standalone fares of many legs at once, for the vectorised engine (:mod:`otrip_sim.fares.vector`):
every standalone kind, numpy over the legs of one fare, looking each distinct stop pair up once.

Amounts are integer minor units, times integer seconds, distances integer metres; the rule codes
go into the caller's :class:`~otrip_sim.fares.table.RuleTable`.
"""

from __future__ import annotations

import numpy as np

from .outcome import Outcome
from .rules import (
    DAY,
    DistanceFare,
    FlatFare,
    NoFare,
    StandaloneFare,
    StationTableFare,
    TimeBandFare,
    ZoneFare,
)
from .table import LegTable, RuleTable

KINDS = (FlatFare, TimeBandFare, DistanceFare, StationTableFare, ZoneFare, NoFare)
"""The standalone kinds priced here (all of them)."""


def standalone(fare: StandaloneFare, legs: LegTable, idx: np.ndarray,
                rules: RuleTable) -> tuple[np.ndarray, np.ndarray]:
    """Own fares and rule codes of the legs ``idx`` under one standalone fare."""
    n = len(idx)
    op = fare.operator
    if isinstance(fare, FlatFare):
        return np.full(n, fare.amount, dtype=np.int64), np.full(n, rules.code_for(op, Outcome.FLAT))
    if isinstance(fare, NoFare):
        return np.zeros(n, dtype=np.int64), np.full(n, rules.code_for(op, Outcome.NO_FARE))
    if isinstance(fare, TimeBandFare):
        tod = legs.board_time[idx] % DAY
        amount = np.full(n, fare.default, dtype=np.int64)
        rule = np.full(n, rules.code_for(op, Outcome.STANDARD))
        for band in fare.bands:
            m = (tod >= band.start) & (tod < band.end)
            amount[m] = band.amount
            rule[m] = rules.code_for(op, Outcome.TIME_BAND, band.name)
        return amount, rule
    if isinstance(fare, DistanceFare):
        extra = np.maximum(0, legs.metres[idx] - fare.base_m)
        amount = fare.base + fare.step_amount * (-(-extra // fare.step_m))
        rule = np.full(n, rules.code_for(op, Outcome.DISTANCE))
        if fare.cap is not None:
            over = amount > fare.cap
            amount[over] = fare.cap
            rule[over] = rules.code_for(op, Outcome.DISTANCE_CAP)
        missing = ~legs.tapped_out[idx]  # type: ignore[index]  # filled by LegTable
        amount[missing] = fare.max_amount
        rule[missing] = rules.code_for(op, Outcome.MISSING_TAP_OUT)
        return amount.astype(np.int64), rule
    # station table or zones: look up each distinct pair once
    assert isinstance(fare, (StationTableFare, ZoneFare))
    b, a = legs.board_stop[idx], legs.alight_stop[idx]
    amount = np.full(n, fare.maximum, dtype=np.int64)
    rule = np.full(n, rules.code_for(op, Outcome.NO_STATIONS))
    have = (b != "") & (a != "")
    if have.any():
        pairs = b[have] + "|" + a[have]
        uniq, inv = np.unique(pairs, return_inverse=True)
        kind = Outcome.ZONES if isinstance(fare, ZoneFare) else Outcome.STATION_TABLE
        values = np.empty(len(uniq), dtype=np.int64)
        for k, pair in enumerate(uniq):
            x, y = pair.split("|", 1)
            values[k] = fare.pair_amount(x, y)  # the caller has checked every pair is priced
        amount[have] = values[inv]
        rule[have] = rules.code_for(op, kind)
        if isinstance(fare, ZoneFare) and fare.periods:
            _zone_periods(fare, legs, idx[have], uniq, inv, amount, rule, np.flatnonzero(have), rules)
    return amount, rule


def _zone_periods(fare: ZoneFare, legs: LegTable, idx: np.ndarray, pairs: np.ndarray, inv: np.ndarray,
                  amount: np.ndarray, rule: np.ndarray, at: np.ndarray, rules: RuleTable) -> None:
    """Period fares over the zone fares of the legs ``idx`` (written at ``at`` of ``amount`` and
    ``rule``): in a period with a fare for its pair a leg pays the dearest such fare."""
    board = legs.board_time[idx]
    alight = legs.alight_time[idx]  # type: ignore[index]  # filled by LegTable
    alight = np.where(alight >= 0, alight, board)
    best = np.full(len(idx), -1, dtype=np.int64)
    zones = [x.split("|", 1) for x in pairs]
    for name in dict.fromkeys(p.name for p in fare.periods):
        per_pair = np.array([fare.period_table.get((fare.zone_of[a], fare.zone_of[b], name), -1)
                             for a, b in zones], dtype=np.int64)[inv]
        inside = np.zeros(len(idx), dtype=bool)
        for p in (p for p in fare.periods if p.name == name):
            t = alight if p.by == "alight" else board
            ok = (t % DAY >= p.start) & (t % DAY < p.end)
            if p.days != "all":
                ok &= ((t // DAY) % 7 < 5) == (p.days == "weekdays")
            inside |= ok
        better = inside & (per_pair >= 0) & (per_pair > best)
        best[better] = per_pair[better]
        amount[at[better]] = per_pair[better]
        rule[at[better]] = rules.code_for(fare.operator, Outcome.ZONE_PERIOD, name)
