"""Price the day's cards after the run: who evaded, what each leg paid, the card transaction log.

The movement does not depend on fares (riders chose their path, fares included, before leaving),
so the cards are priced once the boarding times are known, from the boarded leg rows of
:class:`~otrip_sim.simulation.SimRecords`.  One card per journey, legs in boarding order.

Evasion (common random numbers): a tapped boarding is made without a tap when the rider's draw
for that leg is below the operator's evasion share; a paid-area change after an evaded leg has no
tap either.  An evaded leg pays nothing and reports its own fare as revenue lost.

Two engines give the same results (a property test compares them): the tap-by-tap
:class:`~otrip_sim.fares.Card` for every policy, and the vectorised engine
(:mod:`otrip_sim.fares.vector`) for the policies it supports, used at scale.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .demand import Riders
from .fares import Card, CapWindow, FarePolicy, FirstFareWindow, IntegratedWindow, Leg, StationTableFare, ZoneFare
from .grouped import exclusive_prefix, group_starts
from .fares.vector import LegArrays, price_cards_detail, supports
from .network import Network
from .simulation import SimRecords

TAP, ADJUSTMENT = 0, 1  # transaction kinds


@dataclass
class Settlement:
    """Fares of the boarded legs and the card transaction log.

    Leg arrays are aligned with ``rows`` (the boarded planned rows, in journey and leg order):
    ``fare`` (settled), ``rule`` (code into ``rule_names``), ``window`` (fare window number within
    the journey's card, -1: none), ``standalone`` (the leg's own fare; for an evaded leg the revenue
    lost), ``evaded``.  ``journey_fare`` is per rider.  Transactions (``tx_*``, in card order, cards
    in journey order): ``journey``, ``leg`` (leg number in the journey), ``time_s``, ``kind``
    (:data:`TAP` or :data:`ADJUSTMENT`), ``amount``, ``rule`` (code into ``rule_names``).
    """

    rows: np.ndarray
    fare: np.ndarray
    rule: np.ndarray
    window: np.ndarray
    standalone: np.ndarray
    evaded: np.ndarray
    journey_fare: np.ndarray
    rule_names: list[str]
    tx_journey: np.ndarray
    tx_leg: np.ndarray
    tx_time: np.ndarray
    tx_kind: np.ndarray
    tx_amount: np.ndarray
    tx_rule: np.ndarray


def evaded_legs(net: Network, rec: SimRecords, rows: np.ndarray, evasion: dict[str, float],
                draws: np.ndarray | None) -> np.ndarray:
    """Which boarded ``rows`` were made without a tap (see the module docstring)."""
    p = rec.planned
    n = len(rows)
    if not evasion or draws is None or n == 0:
        return np.zeros(n, dtype=bool)
    ops = sorted({ln.operator for ln in net.lines})
    share_of_op = np.array([evasion.get(op, 0.0) for op in ops])
    line_share = share_of_op[np.searchsorted(ops, [ln.operator for ln in net.lines])]
    tapped = p.tapped[rows]
    own = tapped & (draws[p.rider[rows], p.leg_no[rows]] < line_share[p.line[rows]])
    # an untapped change follows its host: the last tapped leg before it (rows are in order)
    host = np.maximum.accumulate(np.where(tapped, np.arange(n), 0))
    return np.where(tapped, own, own[host] & (p.leg_no[rows] > 0))


def settle(net: Network, policy: FarePolicy, riders: Riders, rec: SimRecords, evasion: dict[str, float],
           draws: np.ndarray | None, engine: str = "auto", log: bool = True) -> Settlement:
    """Price every journey's card from the boarded legs.

    ``engine``: ``"vector"`` (the vectorised engine; ``"auto"`` picks it when it supports the
    policy) or ``"card"`` (tap by tap, every policy).  ``log=False`` lets the vectorised engine
    skip the transaction log and window numbers (fares only, as path choice needs).
    """
    if engine not in ("auto", "vector", "card"):
        raise ValueError(f"unknown engine {engine!r} (auto, vector or card)")
    rows = np.flatnonzero(rec.board_s >= 0)
    evaded = evaded_legs(net, rec, rows, evasion, draws)
    if engine == "vector" or (engine == "auto" and supports(policy)):
        return _settle_vector(net, policy, riders, rec, rows, evaded, log)
    return _settle_cards(net, policy, riders, rec, rows, evaded)


def _settle_cards(net: Network, policy: FarePolicy, riders: Riders, rec: SimRecords, rows: np.ndarray,
                  evaded: np.ndarray) -> Settlement:
    """The reference path: one :class:`~otrip_sim.fares.Card` per journey, tapped leg by leg."""
    p = rec.planned
    lines = net.lines
    stop_ids = net.stop_ids
    cats = riders.category_ids
    n = len(rows)
    fare = np.zeros(n, dtype=np.int64)
    window = np.full(n, -1, dtype=np.int64)
    own = np.zeros(n, dtype=np.int64)
    rule: list[str] = [""] * n
    tx: list[tuple[int, int, int, int, int, str]] = []
    journey_fare = np.zeros(len(riders), dtype=np.int64)
    rider_l = p.rider[rows].tolist()
    start = 0
    while start < n:
        rid = rider_l[start]
        end = start
        while end < n and rider_l[end] == rid:
            end += 1
        category = cats[int(riders.category[rid])]
        held = riders.media_ids[int(riders.media[rid])] if riders.media is not None else None
        card: Card | None = None
        on_card: list[int] = []  # per leg: index on the card (-1: evaded)
        for i in range(start, end):
            row = int(rows[i])
            line = lines[int(p.line[row])]
            b, a = int(p.board[row]), int(p.alight[row])
            t = int(rec.board_s[row])
            leg = Leg(line.operator, t, line.cum_m[a] - line.cum_m[b], category, stop_ids[line.stops[b]],
                      stop_ids[line.stops[a]], bool(p.tapped[row]), alight_time=t + line.cum_s[a] - line.cum_s[b],
                      media=held, route=line.route)
            if evaded[i]:
                on_card.append(-1)
                if leg.tapped:
                    own[i] = policy.standalone_charge(leg).amount
                    rule[i] = f"{line.operator}:evasion"
                else:
                    rule[i] = f"{line.operator}:paid_area"
                continue
            if card is None:
                card = Card(policy)
            on_card.append(len(card.legs))
            card.tap(leg)
        if card is not None:
            charges = card.settle()
            leg_no: dict[int, int] = {}
            for n_leg, ci in enumerate(on_card):
                if ci < 0:
                    continue
                i = start + n_leg
                fare[i] = charges[ci].amount
                rule[i] = charges[ci].rule
                window[i] = card.window[ci]
                if card.legs[ci].tapped:
                    own[i] = policy.standalone_charge(card.legs[ci]).amount
                leg_no[ci] = n_leg
            journey_fare[rid] = int(fare[start:end].sum())
            for t in card.transactions:
                tx.append((rid, leg_no[t.leg], t.time, TAP if t.kind == "tap" else ADJUSTMENT, t.amount, t.rule))
        start = end
    names = sorted(set(rule) | {t[5] for t in tx})
    code = {name: k for k, name in enumerate(names)}
    cols = list(zip(*tx)) if tx else [()] * 6
    return Settlement(
        rows=rows, fare=fare, rule=np.array([code[r] for r in rule], dtype=np.int32), window=window,
        standalone=own, evaded=evaded, journey_fare=journey_fare, rule_names=names,
        tx_journey=np.array(cols[0], dtype=np.int64), tx_leg=np.array(cols[1], dtype=np.int64),
        tx_time=np.array(cols[2], dtype=np.int64), tx_kind=np.array(cols[3], dtype=np.int8),
        tx_amount=np.array(cols[4], dtype=np.int64), tx_rule=np.array([code[r] for r in cols[5]], dtype=np.int32),
    )


class _Names:
    """One table of rule names for pieces priced separately: local codes → global codes."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self._code: dict[str, int] = {}

    def codes(self, names: Sequence[str]) -> np.ndarray:
        out = np.empty(len(names), dtype=np.int32)
        for k, name in enumerate(names):
            c = self._code.get(name)
            if c is None:
                c = self._code[name] = len(self.names)
                self.names.append(name)
            out[k] = c
        return out

    def code(self, name: str) -> int:
        return int(self.codes([name])[0])


def _stop_names(ids: np.ndarray, stop: np.ndarray, needed: np.ndarray) -> np.ndarray:
    out = np.full(len(stop), "", dtype=object)
    out[needed] = ids[stop[needed]]
    return out


def _settle_vector(net: Network, policy: FarePolicy, riders: Riders, rec: SimRecords, rows: np.ndarray,
                   evaded: np.ndarray, log: bool = True) -> Settlement:
    """The vectorised path (policies :func:`~otrip_sim.fares.vector.supports`): the same fares,
    windows and transaction log as the card-by-card path, computed over all legs at once."""
    p = rec.planned
    names = _Names()
    n = len(rows)
    line = p.line[rows].astype(np.int64)
    b, a = p.board[rows].astype(np.int64), p.alight[rows].astype(np.int64)
    rider = p.rider[rows].astype(np.int64)
    leg_no = p.leg_no[rows].astype(np.int64)
    t = rec.board_s[rows]
    tapped = p.tapped[rows].astype(bool)
    metres = net.cum_m_table[line, a] - net.cum_m_table[line, b]
    stops = net.stop_table
    stop_b, stop_a = stops[line, b], stops[line, a]
    ops = list(dict.fromkeys(ln.operator for ln in net.lines))
    line_op = np.array([ops.index(ln.operator) for ln in net.lines], dtype=np.int64)
    line_route = np.array([ln.route_index for ln in net.lines], dtype=np.int64)
    op = line_op[line]
    sid = np.array(net.stop_ids, dtype=object)
    # stop ids matter only to station-table and zone fares: other legs get "" (no string work)
    by_stop = [o for o, f in [*policy.standalone.items(), *policy.route_standalone.items()] if isinstance(f, (StationTableFare, ZoneFare))]
    needs_stops = np.isin(np.array([ln.operator for ln in net.lines], dtype=object), by_stop) | np.isin(
        np.array([ln.route for ln in net.lines], dtype=object), by_stop)

    fare = np.zeros(n, dtype=np.int64)
    window = np.full(n, -1, dtype=np.int64)
    own = np.zeros(n, dtype=np.int64)
    rule = np.zeros(n, dtype=np.int32)
    paid_area = names.codes([f"{o}:paid_area" for o in ops])
    evasion = names.codes([f"{o}:evasion" for o in ops])
    rule[:] = paid_area[op]

    def leg_arrays(idx: np.ndarray, metres_: np.ndarray, alight_stop: np.ndarray) -> LegArrays:
        cat = riders.category[rider[idx]].astype(np.int64)
        return LegArrays(
            card=rider[idx], operator=op[idx], board_time=t[idx], metres=metres_, category=cat,
            board_stop=_stop_names(sid, stop_b[idx], needs_stops[line[idx]]),
            alight_stop=_stop_names(sid, alight_stop, needs_stops[line[idx]]), tapped_out=np.ones(len(idx), dtype=bool),
            route=line_route[line[idx]],
            codes={"operator": ({o: k for k, o in enumerate(ops)}, op[idx]),
                   "category": ({c: k for k, c in enumerate(riders.category_ids)}, cat),
                   "route": ({r: k for k, r in enumerate(net.route_ids)}, line_route[line[idx]])},
        )

    # evaded legs: nothing paid; a tapped one loses its own fare
    ev = np.flatnonzero(evaded & tapped)
    if len(ev):
        lost = price_cards_detail(policy, leg_arrays(ev, metres[ev], stop_a[ev]), windows=False)
        own[ev] = lost.own
        rule[ev] = evasion[op[ev]]

    # the card: hosts (tapped legs) extended by the paid-area changes after them
    c = np.flatnonzero(~evaded)
    hp = np.flatnonzero(tapped[c])
    host = c[hp]  # rows-space indices of the tapped card legs
    last = c[np.append(hp[1:], len(c)) - 1] if len(hp) else host  # each host's last follower (itself if none)
    ext_m = np.add.reduceat(metres[c], hp) if len(hp) else np.zeros(0, dtype=np.int64)
    priced = price_cards_detail(policy, leg_arrays(host, ext_m, stop_a[last]))
    settled_code = names.codes(list(priced.names))
    fare[host] = priced.amount
    rule[host] = settled_code[priced.rule]
    own[host] = priced.own
    own_raw, own_raw_rule = priced.own.copy(), settled_code[priced.own_rule]
    has_f = last > host
    if log and has_f.any():
        hf = np.flatnonzero(has_f)
        raw = price_cards_detail(policy, leg_arrays(host[hf], metres[host[hf]], stop_a[host[hf]]), windows=False)
        own_raw[hf] = raw.own
        own_raw_rule[hf] = names.codes(list(raw.names))[raw.own_rule]

    tx: list[tuple[np.ndarray, ...]] = []  # (journey, leg, time, kind, amount, rule) blocks
    # paid-area changes after a host outside any window: its own fare priced again, entry to exit
    chain = np.flatnonzero(has_f & (priced.window < 0)) if log else np.zeros(0, dtype=np.int64)
    if len(chain):
        count = last[chain] - host[chain]  # followers per host (rows between are all followers)
        h_of = np.repeat(chain, count)
        f = np.repeat(host[chain], count) + (np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)) + 1
        first_f = group_starts(h_of)
        grown = metres[host[h_of]] + exclusive_prefix(metres[f], first_f) + metres[f]
        step = price_cards_detail(policy, leg_arrays(host[h_of], grown, stop_a[f]), windows=False)
        after = step.own
        before = np.where(first_f, own_raw[h_of], np.roll(after, 1))
        moved = after != before
        tx.append((rider[f][moved], leg_no[host[h_of]][moved], t[f][moved], np.full(int(moved.sum()), ADJUSTMENT),
                   (after - before)[moved], names.codes(list(step.names))[step.own_rule][moved]))

    # provisional charges at each tap: the running price of the window so far minus what it took
    provisional, tap_rule = own_raw.copy(), own_raw_rule.copy()
    in_w = np.flatnonzero(priced.window >= 0) if log else np.zeros(0, dtype=np.int64)
    if len(in_w):
        m = in_w[np.lexsort((in_w, priced.window[in_w]))]
        w = priced.window[m]
        start = group_starts(w)
        s_own = exclusive_prefix(priced.own[m], start)
        s_m = exclusive_prefix(ext_m[m], start)
        firsts = np.unique(w * len(ops) + op[host[m]], return_index=True)[1]
        new_op = np.zeros(len(m), dtype=np.int64)
        new_op[firsts] = 1
        distinct = exclusive_prefix(new_op, start) + new_op
        total_p = np.zeros(len(m), dtype=np.int64)
        rule_k = priced.window_rule[w]
        raw_own = own_raw[m]
        group_first = np.maximum.accumulate(np.where(start, np.arange(len(m)), 0))
        for k, wr in enumerate(policy.windows):
            sel = rule_k == k
            if not sel.any():
                continue
            if isinstance(wr, CapWindow):
                total_p[sel] = np.minimum(wr.cap, s_own[sel] + raw_own[sel])
                pay = np.minimum(raw_own[sel], wr.cap - np.minimum(wr.cap, s_own[sel]))
                tap_rule[m[sel]] = np.where(pay == raw_own[sel], names.code(f"{wr.id}:own"),
                                            np.where(pay > 0, names.code(f"{wr.id}:remainder"), names.code(f"{wr.id}:capped")))
            elif isinstance(wr, FirstFareWindow):
                total_p[sel] = np.where(start[sel], raw_own[sel], priced.own[m[group_first[sel]]])
                tap_rule[m[sel]] = np.where(start[sel], names.code(f"{wr.id}:first"), names.code(f"{wr.id}:free"))
            else:
                assert isinstance(wr, IntegratedWindow)
                km = (s_m[sel] + metres[host[m[sel]]] + 500) // 1000
                total = np.minimum(wr.cap, wr.base + wr.per_km * km)
                s_all = s_own[sel] + raw_own[sel]
                alone = distinct[sel] < wr.min_operators
                cheaper = ~alone & wr.cheaper_of_standalone & (s_all < total)
                total_p[sel] = np.where(alone | cheaper, s_all, total)
                tap_rule[m[sel]] = np.where(alone, own_raw_rule[m[sel]],
                                            np.where(cheaper, names.code(f"{wr.id}:standalone_cheaper"),
                                                     names.code(f"{wr.id}:integrated")))
        prov = total_p - np.where(start, 0, np.roll(total_p, 1))
        provisional[m] = prov
        # a window settles when a later tap comes after it closed, else with the card's data
        duration = np.array([wr.duration for wr in policy.windows], dtype=np.int64)[rule_k]
        open_t = t[host[m[group_first]]]
        card_last = np.zeros(len(riders), dtype=np.int64)
        hr = rider[host]
        final = np.flatnonzero(np.append(group_starts(hr)[1:], True))  # each card's last tap
        card_last[hr[final]] = t[host[final]]
        end = np.append(np.flatnonzero(start)[1:], len(m)) - 1
        last_member_t = t[host[m[end]]][np.cumsum(start) - 1]
        at = np.where(card_last[rider[host[m]]] > open_t + duration, open_t + duration, last_member_t)
        delta = priced.amount[m] - prov
        moved = delta != 0
        tx.append((rider[host[m]][moved], leg_no[host[m]][moved], at[moved], np.full(int(moved.sum()), ADJUSTMENT),
                   delta[moved], rule[host[m]][moved]))
        # window numbers within each card, in the order the windows opened
        opening = m[start]
        order = np.lexsort((opening, rider[host[opening]]))
        ranked = opening[order]
        r_first = group_starts(rider[host[ranked]])
        number = np.empty(len(opening), dtype=np.int64)
        number[order] = np.arange(len(ranked)) - np.maximum.accumulate(np.where(r_first, np.arange(len(ranked)), 0))
        window[host[m]] = number[np.cumsum(start) - 1]
    if log:
        tx.append((rider[host], leg_no[host], t[host], np.full(len(host), TAP), provisional, tap_rule))
    # paid-area changes belong to their host's window
    follower = c[~tapped[c]]
    if len(follower):
        host_of = c[np.maximum.accumulate(np.where(tapped[c], np.arange(len(c)), 0))][~tapped[c]]
        window[follower] = window[host_of]
    journey_fare = np.bincount(rider, weights=fare, minlength=len(riders)).astype(np.int64)
    cols = [np.concatenate(col) for col in zip(*tx)] if tx else [np.zeros(0, dtype=np.int64)] * 6
    key = np.lexsort((cols[1], cols[3], cols[2], cols[0]))
    return Settlement(
        rows=rows, fare=fare, rule=rule, window=window, standalone=own, evaded=evaded, journey_fare=journey_fare,
        rule_names=names.names, tx_journey=cols[0][key].astype(np.int64), tx_leg=cols[1][key].astype(np.int64),
        tx_time=cols[2][key].astype(np.int64), tx_kind=cols[3][key].astype(np.int8),
        tx_amount=cols[4][key].astype(np.int64), tx_rule=cols[5][key].astype(np.int32),
    )
