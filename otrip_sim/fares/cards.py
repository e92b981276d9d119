"""The card-by-card backend of :func:`otrip_sim.fares.price`: one :class:`~otrip_sim.fares.engine.Card`
per card of a :class:`~otrip_sim.fares.table.LegTable`, tapped leg by leg.

It prices every policy (transfer rules, period caps, passes, fare media); the vectorised backend
(:mod:`otrip_sim.fares.vector`) gives the same results for the policies it supports, faster.
"""

from __future__ import annotations

import numpy as np

from .engine import Card
from .rules import FarePolicy, Leg
from .table import ADJUSTMENT, TAP, LegTable, Priced, RuleTable, Transactions


def legs_of(legs: LegTable, idx: np.ndarray) -> list[Leg]:
    """Engine :class:`~otrip_sim.fares.rules.Leg` objects of the rows ``idx``, in that order
    (``""`` stops, media and routes become ``None``, an ``alight_time`` of ``-1`` ``None``)."""
    op, cat, route = legs.names("operator"), legs.names("category"), legs.names("route")
    media, alight_t = legs.media, legs.alight_time
    tapped, tapped_out = legs.tapped, legs.tapped_out
    assert media is not None and alight_t is not None and tapped is not None and tapped_out is not None
    return [
        Leg(str(op[i]), int(legs.board_time[i]), int(legs.metres[i]), str(cat[i]), legs.board_stop[i] or None,
            legs.alight_stop[i] or None, bool(tapped[i]), bool(tapped_out[i]),
            int(alight_t[i]) if alight_t[i] >= 0 else None, media[i] or None, route[i] or None)
        for i in idx
    ]


def price_table(policy: FarePolicy, legs: LegTable, log: bool = False) -> Priced:
    """Price every card of ``legs`` tap by tap (see :func:`otrip_sim.fares.price`).

    Parameters
    ----------
    policy:
        The compiled fare policy (any).
    legs:
        The legs, any order.
    log:
        Also return each tap's provisional charge and the transaction log.

    Returns
    -------
    Priced
        Columns aligned with ``legs``, money in integer minor units.
    """
    n = len(legs)
    rules = RuleTable()
    fare = np.zeros(n, dtype=np.int64)
    rule = np.zeros(n, dtype=np.int32)
    own = np.zeros(n, dtype=np.int64)
    window = np.full(n, -1, dtype=np.int64)
    provisional = np.zeros(n, dtype=np.int64)
    tx: list[tuple[int, int, int, int, int]] = []
    order = np.lexsort((np.arange(n), legs.board_time, legs.card))
    card_of = legs.card[order]
    if n:
        bounds = np.flatnonzero(np.append(True, card_of[1:] != card_of[:-1]))  # each card's first leg
    else:
        bounds = np.zeros(0, dtype=np.int64)
    every = legs_of(legs, order)
    for k, begin in enumerate(bounds.tolist()):
        end = int(bounds[k + 1]) if k + 1 < len(bounds) else n
        idx = order[begin:end]
        card = Card(policy)
        for leg in every[begin:end]:
            card.tap(leg)
        for ci, (i, charge) in enumerate(zip(idx.tolist(), card.settle())):
            fare[i] = charge.amount
            rule[i] = rules.code(charge.rule, charge.source, charge.outcome)
            window[i] = card.window[ci]
            provisional[i] = card.provisional[ci]
            if card.legs[ci].tapped:
                own[i] = policy.standalone_charge(card.legs[ci]).amount
        if log:
            tx += [(int(idx[t.leg]), t.time, TAP if t.kind == "tap" else ADJUSTMENT, t.amount,
                    rules.code(t.rule, t.source, t.outcome)) for t in card.transactions]
    out = Priced(fare, rule, own, window, rules)
    if log:
        cols = list(zip(*tx)) if tx else [()] * 5
        out.provisional = provisional
        out.transactions = Transactions(
            leg=np.array(cols[0], dtype=np.int64), time=np.array(cols[1], dtype=np.int64),
            kind=np.array(cols[2], dtype=np.int8), amount=np.array(cols[3], dtype=np.int64),
            rule=np.array(cols[4], dtype=np.int32))
    return out

