"""A vectorised fare engine for many cards at once (replaying tap files at speed).

It prices exactly as :func:`otrip_sim.fares.price_card` does — a property test compares the two
on random cards — for the policies it supports: every standalone kind, route fares, category
rules, and cap, integrated and first-fare windows, with every leg tapped (as in replayed data).
Transfer rules, period caps, passes and media requirements need the card-by-card engine:
:func:`supports` says which to use.

perf: the work is numpy over all legs; the only Python loops run over the legs' positions within
a card (a handful) and over distinct values (operators, bands, stop pairs), never over legs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..grouped import group_starts, largest_remainder_groups
from .rules import (
    DAY,
    CapWindow,
    CategoryFixed,
    CategoryFree,
    DistanceFare,
    FarePolicy,
    FirstFareWindow,
    FlatFare,
    IntegratedWindow,
    StandaloneFare,
    StationTableFare,
    TimeBandFare,
    ZoneFare,
)

_KINDS = (FlatFare, TimeBandFare, DistanceFare, StationTableFare, ZoneFare)


def supports(policy: FarePolicy) -> bool:
    """Can :func:`price_cards` price this policy?"""
    return (
        not policy.period_caps
        and not policy.passes
        and not policy.window_media
        and all(isinstance(w, (CapWindow, IntegratedWindow, FirstFareWindow)) for w in policy.windows)
        and all(isinstance(f, _KINDS) for f in [*policy.standalone.values(), *policy.route_standalone.values()])
    )


@dataclass
class LegArrays:
    """Legs as columns (all tapped), aligned; strings are object arrays with ``""`` for none."""

    card: np.ndarray  # card key: integers (fast) or any sortable values
    operator: np.ndarray
    board_time: np.ndarray  # int64 seconds
    metres: np.ndarray  # int64
    category: np.ndarray
    board_stop: np.ndarray
    alight_stop: np.ndarray
    tapped_out: np.ndarray  # bool
    route: np.ndarray
    # optional precomputed codes, name -> (value -> code, codes), e.g. from pandas.factorize
    codes: dict[str, tuple[dict[object, int], np.ndarray]] = field(default_factory=dict)


class _Rules:
    """Rule ids as small integers while pricing, names at the end."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self._code: dict[str, int] = {}

    def code(self, name: str) -> int:
        c = self._code.get(name)
        if c is None:
            c = self._code[name] = len(self.names)
            self.names.append(name)
        return c


def _standalone(fare: StandaloneFare, legs: LegArrays, idx: np.ndarray, rules: _Rules) -> tuple[np.ndarray, np.ndarray]:
    """Own fares and rule codes of the legs ``idx`` under one standalone fare."""
    n = len(idx)
    op = fare.operator
    if isinstance(fare, FlatFare):
        return np.full(n, fare.amount, dtype=np.int64), np.full(n, rules.code(f"{op}:flat"))
    if isinstance(fare, TimeBandFare):
        tod = legs.board_time[idx] % DAY
        amount = np.full(n, fare.default, dtype=np.int64)
        rule = np.full(n, rules.code(f"{op}:standard"))
        for band in fare.bands:
            m = (tod >= band.start) & (tod < band.end)
            amount[m] = band.amount
            rule[m] = rules.code(f"{op}:{band.name}")
        return amount, rule
    if isinstance(fare, DistanceFare):
        extra = np.maximum(0, legs.metres[idx] - fare.base_m)
        amount = fare.base + fare.step_amount * (-(-extra // fare.step_m))
        rule = np.full(n, rules.code(f"{op}:distance"))
        if fare.cap is not None:
            over = amount > fare.cap
            amount[over] = fare.cap
            rule[over] = rules.code(f"{op}:distance_cap")
        missing = ~legs.tapped_out[idx]
        amount[missing] = fare.max_amount
        rule[missing] = rules.code(f"{op}:missing_tap_out")
        return amount.astype(np.int64), rule
    # station table or zones: look up each distinct pair once
    assert isinstance(fare, (StationTableFare, ZoneFare))
    b, a = legs.board_stop[idx], legs.alight_stop[idx]
    amount = np.full(n, fare.maximum, dtype=np.int64)
    rule = np.full(n, rules.code(f"{op}:no_stations"))
    have = (b != "") & (a != "")
    if have.any():
        pairs = b[have] + "|" + a[have]
        uniq, inv = np.unique(pairs, return_inverse=True)
        kind = "zones" if isinstance(fare, ZoneFare) else "station_table"
        values = np.empty(len(uniq), dtype=np.int64)
        for k, pair in enumerate(uniq):
            x, y = pair.split("|", 1)
            if isinstance(fare, ZoneFare):
                x, y = fare.zone_of[x], fare.zone_of[y]
            values[k] = fare.table[(x, y)]  # the caller has checked every pair is priced
        amount[have] = values[inv]
        rule[have] = rules.code(f"{op}:{kind}")
    return amount, rule


def _codes(values: np.ndarray) -> tuple[dict[object, int], np.ndarray]:
    """Small integer codes for the distinct values (in order of first appearance)."""
    index: dict[object, int] = {}
    codes = np.fromiter((index.setdefault(v, len(index)) for v in values), dtype=np.int64, count=len(values))
    return index, codes


def price_cards(policy: FarePolicy, legs: LegArrays) -> tuple[np.ndarray, np.ndarray]:
    """Settled fares (int64) and rule ids of every leg, aligned with ``legs``.

    Each distinct ``card`` is one card; its legs are taken in order of ``board_time`` (ties in
    input order), as :func:`~otrip_sim.fares.price_card` does.
    """
    priced = price_cards_detail(policy, legs)
    return priced.amount, priced.names[priced.rule]


@dataclass
class Priced:
    """What :func:`price_cards_detail` found, aligned with the legs.

    ``amount``/``rule``: settled fare and rule code (into ``names``); ``own``/``own_rule``: the
    leg's standalone charge (category rules applied, exemptions included) before any window;
    ``window``: the fare window the leg is in (an id unique over all cards and rules, -1: none),
    ``window_rule[window]`` its rule's index in ``policy.windows``; ``order``: the legs card by
    card in pricing order (board time, ties in input order).
    """

    amount: np.ndarray
    rule: np.ndarray
    own: np.ndarray
    own_rule: np.ndarray
    window: np.ndarray
    window_rule: np.ndarray
    order: np.ndarray
    names: np.ndarray


def price_cards_detail(policy: FarePolicy, legs: LegArrays, windows: bool = True) -> Priced:
    """:func:`price_cards` with its intermediate results (``windows=False``: standalone charges only)."""
    n = len(legs.card)
    rules = _Rules()
    amount = np.zeros(n, dtype=np.int64)
    rule = np.zeros(n, dtype=np.int64)
    window = np.full(n, -1, dtype=np.int64)
    window_rule: list[np.ndarray] = []
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Priced(amount, rule, amount.copy(), rule.copy(), window, empty, empty, np.zeros(0, dtype=object))
    # perf: strings become small integer codes once (a dict pass); masks compare integers
    op_index, op_code = legs.codes.get("operator") or _codes(legs.operator)

    def on(ops: object) -> np.ndarray:
        return np.isin(op_code, [op_index[o] for o in ops if o in op_index])  # type: ignore[attr-defined]

    # own fares: per operator, then route fares over them
    for op, fare in policy.standalone.items():
        idx = np.flatnonzero(op_code == op_index[op]) if op in op_index else np.zeros(0, dtype=np.int64)
        if len(idx):
            amount[idx], rule[idx] = _standalone(fare, legs, idx, rules)
    if policy.route_standalone:
        route_index, route_code = legs.codes.get("route") or _codes(legs.route)
        for name, fare in policy.route_standalone.items():
            idx = np.flatnonzero(route_code == route_index.get(name, -1))
            if len(idx):
                amount[idx], rule[idx] = _standalone(fare, legs, idx, rules)
    # category rules
    exempt = np.zeros(n, dtype=bool)
    cat_index, cat_code = legs.codes.get("category") or _codes(legs.category)
    for c in policy.categories:
        m = (cat_code == cat_index.get(c.category, -1)) & on(c.operators)
        if not m.any():
            continue
        if isinstance(c, CategoryFree):
            exempt |= m
            amount[m] = 0
            rule[m] = rules.code(c.id)
            continue
        base = amount[m]
        new = np.full(m.sum(), c.amount, dtype=np.int64) if isinstance(c, CategoryFixed) else base - (base * c.percent + 50) // 100
        amount[m] = new
        names = np.array(rules.names + [""], dtype=object)[rule[m]]
        rule[m] = [rules.code(f"{nm}+{c.id}") for nm in names]
    own, own_rule = amount.copy(), rule.copy()
    # windows: legs of each card in time order
    order = np.lexsort((np.arange(n), legs.board_time, legs.card))
    if windows:
        next_id = 0
        for k, w in enumerate(policy.windows):
            sel = order[(on(w.operators) & ~exempt)[order]]
            if len(sel) == 0:
                continue
            ids = _price_windows(w, legs, op_code, sel, amount, rule, rules)
            window[sel] = ids + next_id
            count = int(ids[-1]) + 1
            window_rule.append(np.full(count, k, dtype=np.int64))
            next_id += count
    return Priced(amount, rule, own, own_rule, window,
                  np.concatenate(window_rule) if window_rule else np.zeros(0, dtype=np.int64), order,
                  np.array(rules.names, dtype=object))


def _price_windows(w: CapWindow | IntegratedWindow | FirstFareWindow, legs: LegArrays, op_code: np.ndarray,
                   sel: np.ndarray, amount: np.ndarray, rule: np.ndarray, rules: _Rules) -> np.ndarray:
    """Assign the legs ``sel`` (one rule's legs, card by card in time order) to windows and price
    them; returns each leg's window number (0, 1, … over all cards)."""
    card = legs.card[sel]
    t = legs.board_time[sel]
    first_of_card = group_starts(card)
    pos = np.arange(len(sel)) - np.maximum.accumulate(np.where(first_of_card, np.arange(len(sel)), 0))
    start = np.where(first_of_card, t, 0)
    opens = first_of_card.copy()
    for p in range(1, int(pos.max()) + 1):  # perf: a loop over positions in a card, not over legs
        i = np.flatnonzero(pos == p)
        late = t[i] - start[i - 1] > w.duration
        start[i] = np.where(late, t[i], start[i - 1])
        opens[i] = late
    window = np.cumsum(opens) - 1
    first = group_starts(window)
    own = amount[sel].copy()
    if isinstance(w, CapWindow):
        run = np.cumsum(own)
        before = run - own
        base = np.maximum.accumulate(np.where(first, before, 0))  # what earlier windows took
        paid_to = np.minimum(w.cap, run - base)
        paid_from = np.minimum(w.cap, before - base)
        pay = paid_to - paid_from
        amount[sel] = pay
        rule[sel] = np.where(pay == own, rules.code(f"{w.id}:own"),
                             np.where(pay > 0, rules.code(f"{w.id}:remainder"), rules.code(f"{w.id}:capped")))
        return window
    if isinstance(w, FirstFareWindow):
        amount[sel] = np.where(first, own, 0)
        rule[sel] = np.where(first, rules.code(f"{w.id}:first"), rules.code(f"{w.id}:free"))
        return window
    # integrated: distinct operators, total distance and price per window
    nwin = int(window[-1]) + 1
    pair = np.unique(np.stack([window, op_code[sel]]), axis=1)
    distinct = np.bincount(pair[0], minlength=nwin)
    metres = legs.metres[sel]
    km = (np.bincount(window, weights=metres, minlength=nwin).astype(np.int64) + 500) // 1000
    total = np.minimum(w.cap, w.base + w.per_km * km)
    own_sum = np.bincount(window, weights=own, minlength=nwin).astype(np.int64)
    applies = distinct >= w.min_operators
    cheaper = applies & w.cheaper_of_standalone & (own_sum < total)
    split = applies & ~cheaper
    leg_split = split[window]
    if w.cheaper_of_standalone:
        rule[sel[cheaper[window]]] = rules.code(f"{w.id}:standalone_cheaper")
    if not leg_split.any():
        return window
    # largest remainder within each window, ties to the earlier leg
    weight = metres + np.where(first, w.first_leg_weight_m, 0)
    share = largest_remainder_groups(first, total[window], weight.astype(np.int64))
    amount[sel[leg_split]] = share[leg_split]
    rule[sel[leg_split]] = rules.code(f"{w.id}:integrated")
    return window


def as_arrays(legs: Sequence[object], card: Sequence[object]) -> LegArrays:
    """Columns from engine :class:`~otrip_sim.fares.Leg` objects (for tests and small inputs)."""
    def col(name: str, default: object = "") -> np.ndarray:
        return np.array([getattr(leg, name) if getattr(leg, name) is not None else default for leg in legs], dtype=object)

    return LegArrays(
        card=np.asarray(card),
        operator=col("operator"),
        board_time=np.array([leg.board_time for leg in legs], dtype=np.int64),  # type: ignore[attr-defined]
        metres=np.array([leg.metres for leg in legs], dtype=np.int64),  # type: ignore[attr-defined]
        category=col("category"),
        board_stop=col("board_stop"),
        alight_stop=col("alight_stop"),
        tapped_out=np.array([leg.tapped_out for leg in legs], dtype=bool),  # type: ignore[attr-defined]
        route=col("route"),
    )
