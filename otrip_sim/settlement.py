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

from dataclasses import dataclass

import numpy as np

from .demand import Riders
from .fares import Card, FarePolicy, Leg
from .network import Network
from .simulation import SimRecords

TAP, ADJUSTMENT = 0, 1
TX_KINDS = ("tap", "adjustment")


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
           draws: np.ndarray | None) -> Settlement:
    """Price every journey's card from the boarded legs."""
    rows = np.flatnonzero(rec.board_s >= 0)
    evaded = evaded_legs(net, rec, rows, evasion, draws)
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
