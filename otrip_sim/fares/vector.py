"""A vectorised fare engine for many cards at once (replaying tap files at speed).

It prices exactly as :func:`otrip_sim.fares.price_card` does — a property test compares the two
on random cards — for the policies it supports: every standalone kind, route fares, category
rules, fares by medium, and cap, integrated, first-fare, pay-the-difference, transfer-matrix and
OD-chain windows (:mod:`otrip_sim.fares.vector_chain`), a window open only to some fare media
included, with every leg tapped (as in replayed data).  Transfer rules, period caps and passes
need the card-by-card engine: :func:`supports` says which to use.

perf: the work is numpy over all legs; the only Python loops run over the legs' positions within
a card (a handful) and over distinct values (operators, bands, stop pairs), never over legs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from ..grouped import distinct_per_run, exclusive_prefix, group_starts, largest_remainder_groups, within
from .outcome import Outcome
from .rules import (
    CapWindow,
    CategoryFixed,
    CategoryFree,
    FarePolicy,
    FirstFareWindow,
    IntegratedWindow,
    Leg,
    OdChainWindow,
    PayDifferenceWindow,
    TransferMatrixWindow,
    TransferWindow,
)
from .table import ADJUSTMENT, TAP, LegTable, RuleTable, Transactions
from .table import Priced as PricedTable
from .vector_chain import chain_windows, running_prices
from .vector_standalone import KINDS, standalone

_WINDOWS = (CapWindow, IntegratedWindow, FirstFareWindow, PayDifferenceWindow, TransferMatrixWindow,
            OdChainWindow)


def supports(policy: FarePolicy) -> bool:
    """Can :func:`price_cards` price this policy?"""
    return (
        not policy.period_caps
        and not policy.passes
        and all(isinstance(w, _WINDOWS) for w in policy.windows)
        and all(isinstance(f, KINDS)
                for f in [*policy.standalone.values(), *policy.route_standalone.values()])
    )


def _codes(values: np.ndarray) -> tuple[dict[object, int], np.ndarray]:
    """Small integer codes for the distinct values (in order of first appearance)."""
    index: dict[object, int] = {}
    codes = np.fromiter((index.setdefault(v, len(index)) for v in values), dtype=np.int64, count=len(values))
    return index, codes


def card_order(card: np.ndarray, board_time: np.ndarray) -> np.ndarray | None:
    """The legs card by card in order of boarding (ties in input order), or ``None`` when they
    already come so.

    perf: checking is two comparisons over the legs; sorting (``np.lexsort``) costs more, and
    settlement and path choice hand over legs that are already in order.
    """
    if len(card) < 2:
        return None
    same = card[1:] == card[:-1]
    if np.all((card[1:] > card[:-1]) | (same & (board_time[1:] >= board_time[:-1]))):
        return None
    return np.lexsort((np.arange(len(card)), board_time, card))


def price_cards(policy: FarePolicy, legs: LegTable) -> tuple[np.ndarray, np.ndarray]:
    """Settled fares and rule ids of every leg, aligned with ``legs``.

    Each distinct ``card`` is one card; its legs are taken in order of ``board_time`` (ties in
    input order), as :func:`~otrip_sim.fares.price_card` does.

    Returns
    -------
    tuple[numpy.ndarray, numpy.ndarray]
        Per leg: the settled fare (int64, integer minor units) and the rule id (object array).
    """
    priced = price_cards_detail(policy, legs)
    names = np.array(priced.rules.names, dtype=object)
    return priced.amount, names[priced.rule] if len(names) else np.zeros(0, dtype=object)


@dataclass
class Priced:
    """What :func:`price_cards_detail` found, aligned with the legs.

    Columns
    -------
    amount, rule:
        Per leg: the settled fare (integer minor units) and its rule code (into ``rules``).
    own, own_rule:
        Per leg: the standalone charge (category rules applied, exemptions included) before any
        window, integer minor units, and its rule code.
    window:
        Per leg: the fare window it is in, an id unique over all cards and rules (``-1``: none).
    window_rule:
        Per window id: its rule's index in ``policy.windows``.
    order:
        The legs card by card in pricing order (board time, ties in input order).
    rules:
        The rule codes' table.
    """

    amount: np.ndarray
    rule: np.ndarray
    own: np.ndarray
    own_rule: np.ndarray
    window: np.ndarray
    window_rule: np.ndarray
    order: np.ndarray
    rules: RuleTable


def price_cards_detail(policy: FarePolicy, legs: LegTable, windows: bool = True,
                       rules: RuleTable | None = None, tapped_alight: np.ndarray | None = None) -> Priced:
    """:func:`price_cards` with its intermediate results.

    Parameters
    ----------
    policy:
        A policy this engine :func:`supports` (with ``windows=False``, any standalone kinds it
        supports are enough).
    legs:
        The legs, any order.
    windows:
        ``False``: standalone charges only (no window rule applied).
    rules:
        The table rule codes go into (a new one if ``None``).
    tapped_alight:
        Each leg's alighting stop as tapped, before paid-area changes extended it (``None``: its
        ``alight_stop``); it decides whether a leg joins an OD chain.

    Returns
    -------
    Priced
        Amounts in integer minor units, aligned with ``legs``.
    """
    n = len(legs.card)
    rules = RuleTable() if rules is None else rules
    amount = np.zeros(n, dtype=np.int64)
    rule = np.zeros(n, dtype=np.int64)
    window = np.full(n, -1, dtype=np.int64)
    window_rule: list[np.ndarray] = []
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Priced(amount, rule, amount.copy(), rule.copy(), window, empty, empty, rules)
    # perf: strings become small integer codes once (a dict pass); masks compare integers
    op_index, op_code = legs.codes.get("operator") or _codes(legs.operator)

    def on(ops: Iterable[str]) -> np.ndarray:
        return np.isin(op_code, [op_index[o] for o in ops if o in op_index])

    # own fares: per operator, then route fares over them
    for op, fare in policy.standalone.items():
        idx = np.flatnonzero(op_code == op_index[op]) if op in op_index else np.zeros(0, dtype=np.int64)
        if len(idx):
            amount[idx], rule[idx] = standalone(fare, legs, idx, rules)
    if policy.media_standalone:  # fares by medium, over the operators' (route fares win over both)
        media_index, media_code = _codes(legs.media)  # type: ignore[arg-type]  # filled by LegTable
        for (medium, op), fare in policy.media_standalone.items():
            if op in op_index and medium in media_index:
                idx = np.flatnonzero((op_code == op_index[op]) & (media_code == media_index[medium]))
                if len(idx):
                    amount[idx], rule[idx] = standalone(fare, legs, idx, rules)
    if policy.route_standalone:
        route_index, route_code = legs.codes.get("route") or _codes(legs.route)
        for name, fare in policy.route_standalone.items():
            idx = np.flatnonzero(route_code == route_index.get(name, -1))
            if len(idx):
                amount[idx], rule[idx] = standalone(fare, legs, idx, rules)
    # legs without a fare product: 0 and, as exempt legs, in no window (category rules leave them)
    no_fare = [k for k, o in enumerate(rules.outcomes) if o == Outcome.NO_FARE]
    unpriced = np.isin(rule, no_fare) if no_fare else np.zeros(n, dtype=bool)
    # category rules
    exempt = np.zeros(n, dtype=bool)
    cat_index, cat_code = legs.codes.get("category") or _codes(legs.category)
    for c in policy.categories:
        m = (cat_code == cat_index.get(c.category, -1)) & on(c.operators)
        if isinstance(c, CategoryFree):
            exempt |= m
            amount[m] = 0
            rule[m] = rules.code_for(c.id, Outcome.EXEMPT)
            continue
        m &= ~unpriced
        if not m.any():
            continue
        base = amount[m]
        if isinstance(c, CategoryFixed):
            amount[m] = np.full(m.sum(), c.amount, dtype=np.int64)
        else:
            amount[m] = base - (base * c.percent + 50) // 100  # the discount rounded half up
        rule[m] = [rules.code(f"{rules.names[k]}+{c.id}", rules.sources[k], Outcome(rules.outcomes[k]))
                   for k in rule[m]]
    own, own_rule = amount.copy(), rule.copy()
    # windows: legs of each card in time order
    order = card_order(legs.card, legs.board_time)
    if order is None:
        order = np.arange(n)
    if windows:
        next_id = 0
        for k, w in enumerate(policy.windows):
            joins = on(w.operators) & ~exempt & ~unpriced
            needed = policy.window_media.get(w.id)
            if needed is not None:  # a leg made with another medium pays its own fare (no medium: joins)
                joins &= np.isin(np.asarray(legs.media, dtype=object), np.array([*needed, ""], dtype=object))
            sel = order[joins[order]]
            if len(sel) == 0:
                continue
            assert not isinstance(w, TransferWindow), "transfer rules need the card-by-card engine"
            if isinstance(w, OdChainWindow):
                ids = chain_windows(w, legs, op_code, _names(op_index), sel, amount, rule, rules,
                                    legs.alight_stop if tapped_alight is None else tapped_alight)
            elif isinstance(w, TransferMatrixWindow):
                ids = _matrix_windows(w, legs, op_code, _names(op_index), sel, amount, rule, rules)
            else:
                ids = _price_windows(w, legs, op_code, sel, amount, rule, rules)
            window[sel] = ids + next_id
            count = int(ids[-1]) + 1
            window_rule.append(np.full(count, k, dtype=np.int64))
            next_id += count
    return Priced(amount, rule, own, own_rule, window,
                  np.concatenate(window_rule) if window_rule else np.zeros(0, dtype=np.int64), order, rules)


def _price_windows(w: CapWindow | IntegratedWindow | FirstFareWindow | PayDifferenceWindow, legs: LegTable,
                   op_code: np.ndarray, sel: np.ndarray, amount: np.ndarray, rule: np.ndarray,
                   rules: RuleTable) -> np.ndarray:
    """Assign the legs ``sel`` (one rule's legs, card by card in time order) to windows and price
    them; returns each leg's window number (0, 1, … over all cards)."""
    card = legs.card[sel]
    t = legs.board_time[sel]
    own = amount[sel].copy()
    first_of_card = group_starts(card)
    pos = np.arange(len(sel)) - np.maximum.accumulate(np.where(first_of_card, np.arange(len(sel)), 0))
    start = np.where(first_of_card, t, 0)
    opens = first_of_card.copy()
    credit, pay = own.copy(), own.copy()  # pay the difference: the dearest fare covered, what each leg pays
    for p in range(1, int(pos.max()) + 1):  # perf: a loop over positions in a card, not over legs
        i = np.flatnonzero(pos == p)
        late = t[i] - start[i - 1] > w.duration
        opens[i] = late
        if isinstance(w, PayDifferenceWindow):
            before = np.where(late, 0, credit[i - 1])
            pay[i] = np.where(late, own[i], np.maximum(0, own[i] - before))
            credit[i] = np.maximum(before, own[i])
            if w.restart:  # a leg that paid a difference restarts the window
                late = late | (pay[i] > 0)
        start[i] = np.where(late, t[i], start[i - 1])
    window = np.cumsum(opens) - 1
    first = group_starts(window)
    if isinstance(w, PayDifferenceWindow):
        amount[sel] = pay
        rule[sel] = np.where(first, rules.code_for(w.id, Outcome.WINDOW_FIRST),
                             np.where(pay > 0, rules.code_for(w.id, Outcome.PAY_DIFFERENCE),
                                      rules.code_for(w.id, Outcome.WINDOW_FREE)))
        return window
    if isinstance(w, CapWindow):
        run = np.cumsum(own)
        before = run - own
        base = np.maximum.accumulate(np.where(first, before, 0))  # what earlier windows took
        paid_to = np.minimum(w.cap, run - base)
        paid_from = np.minimum(w.cap, before - base)
        pay = paid_to - paid_from
        amount[sel] = pay
        rule[sel] = _cap_codes(rules, w.id, pay, own)
        return window
    if isinstance(w, FirstFareWindow):
        amount[sel] = np.where(first, own, 0)
        rule[sel] = np.where(first, rules.code_for(w.id, Outcome.WINDOW_FIRST),
                             rules.code_for(w.id, Outcome.WINDOW_FREE))
        return window
    # integrated: distinct operators, total distance and price per window
    nwin = int(window[-1]) + 1
    distinct = distinct_per_run(first, op_code[sel])
    metres = legs.metres[sel]
    km = (np.bincount(window, weights=metres, minlength=nwin).astype(np.int64) + 500) // 1000
    tariff = w.base + w.per_km * km
    total = np.minimum(w.cap, tariff)
    own_sum = np.bincount(window, weights=own, minlength=nwin).astype(np.int64)
    applies = distinct >= w.min_operators
    cheaper = applies & w.cheaper_of_standalone & (own_sum < total)
    split = applies & ~cheaper
    leg_split = split[window]
    if w.cheaper_of_standalone:
        rule[sel[cheaper[window]]] = rules.code_for(w.id, Outcome.STANDALONE_CHEAPER)
    if not leg_split.any():
        return window
    # largest remainder within each window, ties to the earlier leg (perf: only over the split
    # windows' legs, whole windows in order)
    rows = np.flatnonzero(leg_split)
    weight = metres[rows] + np.where(first[rows], w.first_leg_weight_m, 0)
    amount[sel[rows]] = largest_remainder_groups(first[rows], total[window[rows]], weight.astype(np.int64))
    rule[sel[rows]] = _integrated_codes(rules, w.id, (tariff > w.cap)[window[rows]])
    return window


def _names(index: dict[object, int]) -> list[str]:
    """Code → name, from a name → code index."""
    names = [""] * (max(index.values(), default=-1) + 1)
    for name, code in index.items():
        names[code] = str(name)
    return names


_PAIR_KIND = {"free": 0, "fixed": 1, "discount": 2, "pay_difference": 3}


def _pair_table(w: TransferMatrixWindow, names: list[str]) -> tuple[np.ndarray, ...]:
    """A transfer matrix over operator codes: per pair ``a × len(names) + b`` whether it is listed,
    its fare kind (:data:`_PAIR_KIND`), amount, percent and own time limit (-1: none); per code the
    ride limit of a window it opens."""
    width = len(names)
    has = np.zeros(width * width, dtype=bool)
    kind, amount, percent = (np.zeros(width * width, dtype=np.int64) for _ in range(3))
    limit = np.full(width * width, -1, dtype=np.int64)
    for (a, b), pair in w.pairs.items():
        if a in names and b in names:
            k = names.index(a) * width + names.index(b)
            has[k], kind[k], amount[k], percent[k] = True, _PAIR_KIND[pair.fare], pair.amount, pair.percent
            limit[k] = -1 if pair.duration is None else pair.duration
    most = np.iinfo(np.int64).max
    default = most if w.max_rides is None else w.max_rides
    rides = np.array([w.max_rides_from.get(n, default) for n in names], dtype=np.int64)
    return has, kind, amount, percent, limit, rides


def _pair_charges(kind: np.ndarray, amount: np.ndarray, percent: np.ndarray, own: np.ndarray,
                  before: np.ndarray) -> np.ndarray:
    """What transfer legs pay given their pairs' fares, their own fares and the previous legs'."""
    return np.select([kind == 0, kind == 1, kind == 2],
                     [np.zeros_like(own), np.minimum(own, amount), own - (own * percent + 50) // 100],
                     np.maximum(0, own - before))


def _matrix_windows(w: TransferMatrixWindow, legs: LegTable, op_code: np.ndarray, names: list[str],
                    sel: np.ndarray, amount: np.ndarray, rule: np.ndarray, rules: RuleTable) -> np.ndarray:
    """:func:`_price_windows` for a transfer matrix: a leg joins when its pair (previous leg's
    operator, its operator) is listed, it is in time and the window has room; it then pays the
    pair's fare.  Returns each leg's window number."""
    has, kind, pair_amount, percent, limit, max_rides = _pair_table(w, names)
    width = len(names)
    card, t, op = legs.card[sel], legs.board_time[sel], op_code[sel]
    own = amount[sel].copy()
    first_of_card = group_starts(card)
    pos = np.arange(len(sel)) - np.maximum.accumulate(np.where(first_of_card, np.arange(len(sel)), 0))
    start, rides, room = t.copy(), np.ones(len(sel), dtype=np.int64), max_rides[op]
    opens, pay, code = first_of_card.copy(), own.copy(), rule[sel].copy()
    transfer = rules.code_for(w.id, Outcome.TRANSFER)
    difference = rules.code_for(w.id, Outcome.PAY_DIFFERENCE)
    for p in range(1, int(pos.max()) + 1):  # perf: a loop over positions in a card, not over legs
        i = np.flatnonzero(pos == p)
        k = op[i - 1] * width + op[i]
        joins = (has[k] & (t[i] - start[i - 1] <= w.duration) & (rides[i - 1] < room[i - 1])
                 & ((limit[k] < 0) | (t[i] - t[i - 1] <= limit[k])))
        opens[i] = ~joins
        start[i] = np.where(joins, start[i - 1], t[i])
        rides[i] = np.where(joins, rides[i - 1] + 1, 1)
        room[i] = np.where(joins, room[i - 1], max_rides[op[i]])
        charged = _pair_charges(kind[k], pair_amount[k], percent[k], own[i], own[i - 1])
        pay[i] = np.where(joins, charged, own[i])
        code[i] = np.where(joins, np.where(kind[k] == 3, difference, transfer), code[i])
    amount[sel], rule[sel] = pay, code
    return np.cumsum(opens) - 1


def _integrated_codes(rules: RuleTable, wid: str, capped: np.ndarray) -> np.ndarray:
    """Rule codes of integrated-window legs priced by the tariff, ``capped`` where the cap bound."""
    return np.where(capped, rules.code_for(wid, Outcome.INTEGRATED_CAPPED),
                    rules.code_for(wid, Outcome.INTEGRATED))


def _cap_codes(rules: RuleTable, wid: str, pay: np.ndarray, own: np.ndarray) -> np.ndarray:
    """Rule codes of cap-window legs that paid ``pay`` of their own fare ``own``."""
    return np.where(pay == own, rules.code_for(wid, Outcome.WINDOW_OWN),
                    np.where(pay > 0, rules.code_for(wid, Outcome.WINDOW_REMAINDER),
                             rules.code_for(wid, Outcome.WINDOW_CAPPED)))


def as_arrays(legs: Sequence[Leg], card: Sequence[object]) -> LegTable:
    """Columns from engine :class:`~otrip_sim.fares.Leg` objects (for tests and small inputs).

    Parameters
    ----------
    legs:
        The legs (times in integer seconds, distances in integer metres).
    card:
        The card of each leg, aligned with ``legs``.

    Returns
    -------
    LegTable
        One row per leg; a missing (``None``) stop, route or medium becomes ``""``, a missing
        ``alight_time`` ``-1``.
    """
    def col(name: str, default: object = "") -> np.ndarray:
        return np.array([getattr(leg, name) if getattr(leg, name) is not None else default for leg in legs],
                        dtype=object)

    return LegTable(
        card=np.asarray(card),
        operator=col("operator"),
        board_time=np.array([leg.board_time for leg in legs], dtype=np.int64),
        metres=np.array([leg.metres for leg in legs], dtype=np.int64),
        category=col("category"),
        board_stop=col("board_stop"),
        alight_stop=col("alight_stop"),
        tapped_out=np.array([leg.tapped_out for leg in legs], dtype=bool),
        route=col("route"),
        tapped=np.array([leg.tapped for leg in legs], dtype=bool),
        alight_time=np.array([-1 if leg.alight_time is None else leg.alight_time for leg in legs],
                             dtype=np.int64),
        media=col("media"),
    )


def price_table(policy: FarePolicy, legs: LegTable, log: bool = False) -> PricedTable:
    """Price a whole :class:`~otrip_sim.fares.table.LegTable` (paid-area changes included) as
    :class:`~otrip_sim.fares.engine.Card` does tap by tap: settled fares, windows and, with
    ``log``, the provisional charge of every tap and the transaction log — all cards at once.

    Only for policies this engine :func:`supports`; :func:`otrip_sim.fares.price` chooses.

    Parameters
    ----------
    policy:
        The compiled fare policy.
    legs:
        The legs, any order.
    log:
        Also compute each tap's provisional charge and the transaction log.

    Returns
    -------
    ~otrip_sim.fares.table.Priced
        Columns aligned with ``legs``, money in integer minor units.
    """
    n = len(legs)
    if n == 0:
        return _empty(log)
    if not log and legs.tapped is not None and legs.tapped.all():
        return _price_tapped(policy, legs)
    order = card_order(legs.card, legs.board_time)
    # perf: settlement's legs come card by card in boarding order already: no sorted copy then
    s = legs if order is None else legs.take(order)
    if order is None:
        order = np.arange(n)
    card = np.cumsum(group_starts(s.card)) - 1  # cards as 0, 1, … in sorted order
    tapped = s.tapped.astype(bool)  # type: ignore[union-attr]  # filled by LegTable
    t = s.board_time.astype(np.int64)
    metres = s.metres.astype(np.int64)
    rules = RuleTable()
    op_index, op_code = s.codes.get("operator") or _codes(s.operator)
    op_names = [""] * (max(op_index.values(), default=-1) + 1)
    for name, code in op_index.items():
        op_names[code] = str(name)

    fare = np.zeros(n, dtype=np.int64)
    window = np.full(n, -1, dtype=np.int64)
    own = np.zeros(n, dtype=np.int64)
    rule = np.zeros(n, dtype=np.int32)
    paid_area = np.array([rules.code_for(o, Outcome.PAID_AREA) for o in op_names], dtype=np.int32)
    rule[:] = paid_area[op_code] if len(paid_area) else 0

    def hosts_table(idx: np.ndarray, metres_: np.ndarray, alight_stop: np.ndarray) -> LegTable:
        sub = s.take(idx)
        sub.card = card[idx]
        sub.metres = metres_
        sub.alight_stop = alight_stop
        return sub

    # the card: tapped legs ("hosts") extended by the paid-area changes after them
    lead = np.flatnonzero(tapped | group_starts(card))  # an untapped first leg has no host: alone
    keep = tapped[lead]
    host = lead[keep]
    last = (np.append(lead[1:], n) - 1)[keep]  # each host's last follower (itself if none)
    ext_m = np.add.reduceat(metres, lead)[keep]
    priced = price_cards_detail(policy, hosts_table(host, ext_m, s.alight_stop[last]), rules=rules,
                                tapped_alight=s.alight_stop[host])
    fare[host] = priced.amount
    rule[host] = priced.rule
    own[host] = priced.own
    own_raw, own_raw_rule = priced.own.copy(), priced.own_rule.copy()
    has_f = last > host
    if log and has_f.any():
        hf = np.flatnonzero(has_f)
        raw = price_cards_detail(policy, hosts_table(host[hf], metres[host[hf]], s.alight_stop[host[hf]]),
                                 windows=False, rules=rules)
        own_raw[hf] = raw.own
        own_raw_rule[hf] = raw.own_rule

    tx: list[tuple[np.ndarray, ...]] = []  # (card, position, time, kind, amount, rule) blocks
    # paid-area changes after a host outside any window: its own fare priced again, entry to exit
    chain = np.flatnonzero(has_f & (priced.window < 0)) if log else np.zeros(0, dtype=np.int64)
    if len(chain):
        count = last[chain] - host[chain]  # followers per host (rows between are all followers)
        h_of = np.repeat(chain, count)
        nth = within(count)  # within its host
        f = np.repeat(host[chain], count) + nth + 1
        first_f = group_starts(h_of)
        grown = metres[host[h_of]] + exclusive_prefix(metres[f], first_f) + metres[f]
        step = price_cards_detail(policy, hosts_table(host[h_of], grown, s.alight_stop[f]), windows=False,
                                  rules=rules)
        after = step.own
        before = np.where(first_f, own_raw[h_of], np.roll(after, 1))
        moved = after != before
        tx.append((card[f][moved], host[h_of][moved], t[f][moved], np.full(int(moved.sum()), ADJUSTMENT),
                   (after - before)[moved], step.own_rule[moved]))

    # provisional charges at each tap: the running price of the window so far minus what it took
    provisional, tap_rule = own_raw.copy(), own_raw_rule.copy()
    in_w = np.flatnonzero(priced.window >= 0)
    if len(in_w):
        m = in_w[np.lexsort((in_w, priced.window[in_w]))]
        w = priced.window[m]
        start = group_starts(w)
        rule_k = priced.window_rule[w]
        group_first = np.maximum.accumulate(np.where(start, np.arange(len(m)), 0))
        if log:
            raw_hosts = hosts_table(host, metres[host], s.alight_stop[host])  # the taps as tapped
            prov = _provisional(policy, rules, m, start, rule_k, group_first, priced, own_raw, own_raw_rule,
                                ext_m, metres[host[m]], op_code[host[m]], op_names, tap_rule, raw_hosts)
            provisional[m] = prov
            # a window settles when a later tap comes after it closed, else with the card's data
            duration = np.array([wr.duration for wr in policy.windows], dtype=np.int64)[rule_k]
            card_last = np.zeros(int(card[-1]) + 1, dtype=np.int64)
            hc = card[host]
            final = np.flatnonzero(np.append(group_starts(hc)[1:], True))  # each card's last tap
            card_last[hc[final]] = t[host[final]]
            end = np.append(np.flatnonzero(start)[1:], len(m)) - 1
            # the window's start: its first tap, or the last tap that restarted it (pay the difference)
            restarts = np.array([isinstance(wr, PayDifferenceWindow) and wr.restart for wr in policy.windows],
                                dtype=bool)[rule_k]
            paid_more = np.asarray(rules.outcomes, dtype=np.int64)[priced.rule[m]] == Outcome.PAY_DIFFERENCE
            moved = np.maximum.accumulate(np.where(start | (restarts & paid_more), np.arange(len(m)), 0))
            open_t = t[host[m[moved[end][np.cumsum(start) - 1]]]]
            last_member_t = t[host[m[end]]][np.cumsum(start) - 1]
            at = np.where(card_last[card[host[m]]] > open_t + duration, open_t + duration, last_member_t)
            # a transfer matrix's or OD chain's window also closes at a tap of its rule that cannot join it
            matrix = np.array([isinstance(wr, (TransferMatrixWindow, OdChainWindow))
                               for wr in policy.windows], dtype=bool)
            if matrix.any():
                starts = np.flatnonzero(start)
                first_t, first_card, first_rule = t[host[m[starts]]], card[host[m[starts]]], rule_k[starts]
                nxt = np.append(first_t[1:], -1)
                same = np.append((first_card[1:] == first_card[:-1]) & (first_rule[1:] == first_rule[:-1]),
                                 False)
                g = np.cumsum(start) - 1
                broken = matrix[rule_k] & same[g] & (nxt[g] <= open_t + duration)
                at = np.where(broken, nxt[g], at)
            delta = priced.amount[m] - prov
            moved = delta != 0
            tx.append((card[host[m]][moved], host[m][moved], at[moved], np.full(int(moved.sum()), ADJUSTMENT),
                       delta[moved], rule[host[m]][moved]))
        opening = m[start]  # positions are in boarding order within each card
        window[host[m]] = _numbers_in_card(card[host[opening]], opening)[np.cumsum(start) - 1]
    if log:
        tx.append((card[host], host, t[host], np.full(len(host), TAP), provisional, tap_rule))
    # paid-area changes belong to their host's window
    follower = np.flatnonzero(~tapped)
    if len(follower):
        host_of = np.maximum.accumulate(np.where(tapped, np.arange(n), 0))[follower]
        window[follower] = np.where(tapped[host_of] & (card[host_of] == card[follower]), window[host_of], -1)
    out = PricedTable(np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int32), np.empty(n, dtype=np.int64),
                      np.empty(n, dtype=np.int64), rules)
    out.fare[order], out.rule[order], out.own[order], out.window[order] = fare, rule, own, window
    if log:
        prov_all = np.zeros(n, dtype=np.int64)
        prov_all[host] = provisional
        out.provisional = np.empty(n, dtype=np.int64)
        out.provisional[order] = prov_all
        cols = [np.concatenate(col) for col in zip(*tx)]
        key = np.lexsort((cols[1], cols[3], cols[2], cols[0]))
        out.transactions = Transactions(leg=order[cols[1][key]].astype(np.int64),
                                        time=cols[2][key].astype(np.int64),
                                        kind=cols[3][key].astype(np.int8),
                                        amount=cols[4][key].astype(np.int64),
                                        rule=cols[5][key].astype(np.int32))
    return out


def _price_tapped(policy: FarePolicy, legs: LegTable) -> PricedTable:
    """:func:`price_table` without a log for legs that are all tapped (replayed tap files, most
    candidate paths).

    perf: no paid-area changes to attach, so the legs are priced where they are (no sorted copy
    of the table); window numbers come from the engine's own card-by-card order.
    """
    priced = price_cards_detail(policy, legs)
    n = len(legs)
    window = np.full(n, -1, dtype=np.int64)
    in_w = np.flatnonzero(priced.window >= 0)
    if len(in_w):
        rank = np.empty(n, dtype=np.int64)
        rank[priced.order] = np.arange(n)  # position in card-by-card boarding order
        m = in_w[np.lexsort((rank[in_w], priced.window[in_w]))]
        start = group_starts(priced.window[m])
        opening = m[start]
        window[m] = _numbers_in_card(legs.card[opening], rank[opening])[np.cumsum(start) - 1]
    return PricedTable(priced.amount, priced.rule.astype(np.int32), priced.own, window, priced.rules)


def _numbers_in_card(card: np.ndarray, when: np.ndarray) -> np.ndarray:
    """Number windows within their card (0, 1, …) in the order they opened: ``card`` and ``when``
    (any key ordered like the boarding times) of each window's first tap."""
    perm = np.lexsort((when, card))
    first = group_starts(card[perm])
    idx = np.arange(len(perm))
    number = np.empty(len(perm), dtype=np.int64)
    number[perm] = idx - np.maximum.accumulate(np.where(first, idx, 0))
    return number


def _provisional(policy: FarePolicy, rules: RuleTable, m: np.ndarray, start: np.ndarray,
                 rule_k: np.ndarray, group_first: np.ndarray, priced: Priced, own_raw: np.ndarray,
                 own_raw_rule: np.ndarray, ext_m: np.ndarray, raw_m: np.ndarray, op: np.ndarray,
                 op_names: list[str], tap_rule: np.ndarray, raw_hosts: LegTable) -> np.ndarray:
    """Provisional charges of the windowed hosts ``m`` (window by window, in tap order): the
    window's running price after each tap minus its price before it.  Sets their ``tap_rule``."""
    s_own = exclusive_prefix(priced.own[m], start)
    s_m = exclusive_prefix(ext_m[m], start)
    w = priced.window[m]
    firsts = np.unique(w * len(op_names) + op, return_index=True)[1]
    new_op = np.zeros(len(m), dtype=np.int64)
    new_op[firsts] = 1
    distinct = exclusive_prefix(new_op, start) + new_op
    total_p = np.zeros(len(m), dtype=np.int64)
    raw_own = own_raw[m]
    for k, wr in enumerate(policy.windows):
        sel = rule_k == k
        if not sel.any():
            continue
        if isinstance(wr, CapWindow):
            total_p[sel] = np.minimum(wr.cap, s_own[sel] + raw_own[sel])
            pay = np.minimum(raw_own[sel], wr.cap - np.minimum(wr.cap, s_own[sel]))
            tap_rule[m[sel]] = _cap_codes(rules, wr.id, pay, raw_own[sel])
        elif isinstance(wr, PayDifferenceWindow):
            # what the window collected before the tap is the dearest fare it covered (extended legs)
            s_paid = exclusive_prefix(priced.amount[m], start)[sel]
            pay = np.where(start[sel], raw_own[sel], np.maximum(0, raw_own[sel] - s_paid))
            total_p[sel] = s_paid + pay
            tap_rule[m[sel]] = np.where(start[sel], rules.code_for(wr.id, Outcome.WINDOW_FIRST),
                                        np.where(pay > 0, rules.code_for(wr.id, Outcome.PAY_DIFFERENCE),
                                                 rules.code_for(wr.id, Outcome.WINDOW_FREE)))
        elif isinstance(wr, OdChainWindow):
            total_p[sel] = running_prices(wr, raw_hosts, m[sel], m[group_first[sel]], start[sel],
                                          raw_own[sel], rules)
            chain = rules.code_for(wr.id, Outcome.OD_CHAIN)
            tap_rule[m[sel]] = np.where(start[sel], own_raw_rule[m[sel]], chain)
        elif isinstance(wr, TransferMatrixWindow):
            # the charge at a tap is final: its pair's fare on its own fare and the previous leg's
            _, kind, amount, percent, _, _ = _pair_table(wr, op_names)
            key = (np.roll(op, 1) * len(op_names) + op)[sel]
            before = np.roll(priced.own[m], 1)[sel]
            pay = np.where(start[sel], raw_own[sel],
                           _pair_charges(kind[key], amount[key], percent[key], raw_own[sel], before))
            total_p[sel] = exclusive_prefix(priced.amount[m], start)[sel] + pay
            diff, xfer = (rules.code_for(wr.id, o) for o in (Outcome.PAY_DIFFERENCE, Outcome.TRANSFER))
            tap_rule[m[sel]] = np.where(start[sel], own_raw_rule[m[sel]],
                                        np.where(kind[key] == 3, diff, xfer))
        elif isinstance(wr, FirstFareWindow):
            total_p[sel] = np.where(start[sel], raw_own[sel], priced.own[m[group_first[sel]]])
            tap_rule[m[sel]] = np.where(start[sel], rules.code_for(wr.id, Outcome.WINDOW_FIRST),
                                        rules.code_for(wr.id, Outcome.WINDOW_FREE))
        else:
            assert isinstance(wr, IntegratedWindow)
            km = (s_m[sel] + raw_m[sel] + 500) // 1000
            tariff = wr.base + wr.per_km * km
            total = np.minimum(wr.cap, tariff)
            s_all = s_own[sel] + raw_own[sel]
            alone = distinct[sel] < wr.min_operators
            cheaper = ~alone & wr.cheaper_of_standalone & (s_all < total)
            total_p[sel] = np.where(alone | cheaper, s_all, total)
            tap_rule[m[sel]] = np.where(alone, own_raw_rule[m[sel]],
                                        np.where(cheaper, rules.code_for(wr.id, Outcome.STANDALONE_CHEAPER),
                                                 _integrated_codes(rules, wr.id, tariff > wr.cap)))
    return total_p - np.where(start, 0, np.roll(total_p, 1))


def _empty(log: bool) -> PricedTable:
    z = np.zeros(0, dtype=np.int64)
    out = PricedTable(z, np.zeros(0, dtype=np.int32), z.copy(), z.copy(), RuleTable())
    if log:
        out.provisional = z.copy()
        out.transactions = Transactions(z.copy(), z.copy(), np.zeros(0, dtype=np.int8), z.copy(),
                                        np.zeros(0, dtype=np.int32))
    return out
