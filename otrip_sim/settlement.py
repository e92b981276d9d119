"""Price the day's cards after the run: who evaded, what each leg paid, the card transaction log.

The movement does not depend on fares (riders chose their path, fares included, before leaving),
so the cards are priced once the boarding times are known, from the boarded leg rows of
:class:`~otrip_sim.simulation.SimRecords`.  One card per person for the whole day (its journeys in
the order made), legs in boarding order, so a window, a daily cap or a pass spans journeys.

Evasion (common random numbers): a tapped boarding is made without a tap when the rider's draw
for that leg is below the operator's evasion share; a paid-area change after an evaded leg has no
tap either.  An evaded leg pays nothing and reports its own fare as revenue lost.

This module is an adapter: it builds the pricing interface's leg table from the simulation's
records and calls :func:`otrip_sim.fares.price`, which chooses its engine from the policy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .demand import Riders
from .fares import ADJUSTMENT, TAP, FarePolicy, LegTable, Outcome, Priced, own_fares, price, products
from .grouped import group_starts
from .network import Network
from .simulation import SimRecords

__all__ = ["ADJUSTMENT", "TAP", "Settlement", "evaded_legs", "missed_windows", "settle"]


@dataclass
class Settlement:
    """Fares of the boarded legs and the card transaction log.

    Money is in integer minor units of the currency, times in integer seconds of the service day.

    Attributes
    ----------
    rows:
        The boarded planned rows (in journey and leg order); the leg arrays below align with it.
    fare:
        Per leg: the settled fare.
    rule:
        Per leg: the rule that set it, a code into ``rule_names``.
    window:
        Per leg: the fare window number within the person's card (``-1``: none).
    standalone:
        Per leg: the leg's own fare; for an evaded leg the revenue lost.
    evaded:
        Per leg: boarded without a tap.
    journey_fare:
        Per rider: the journey's settled total.
    rule_names, rule_source, rule_outcome:
        Per rule code: its id, what decided it (the operator, window, pass, category rule or cap)
        and its :class:`~otrip_sim.fares.Outcome` value.
    tx_journey, tx_leg, tx_time, tx_kind, tx_amount, tx_rule:
        The transactions, in card order, cards in journey order: the journey, the leg number in
        the journey, the time, :data:`TAP` or :data:`ADJUSTMENT`, the amount (negative: a refund)
        and the rule code.
    missed_window:
        Per leg: the id of the fare window the leg would have joined at the times the rider
        expected when choosing the path, but missed at the times met (a delay: a full vehicle, a
        longer wait); ``""`` where none was missed (see :func:`missed_windows`).
    missed_extra:
        Per leg: what the person's card paid more than at the expected times, on the first leg of
        the card that missed a window (integer minor units; 0 elsewhere).
    product:
        Per leg: its fare product (:func:`otrip_sim.fares.products`: the window rule whose window
        it opened or joined, else the pass that priced it; ``""``: none, and for evaded legs).
    """

    rows: np.ndarray
    fare: np.ndarray
    rule: np.ndarray
    window: np.ndarray
    standalone: np.ndarray
    evaded: np.ndarray
    journey_fare: np.ndarray
    rule_names: list[str]
    rule_source: np.ndarray
    rule_outcome: np.ndarray
    tx_journey: np.ndarray
    tx_leg: np.ndarray
    tx_time: np.ndarray
    tx_kind: np.ndarray
    tx_amount: np.ndarray
    tx_rule: np.ndarray
    missed_window: np.ndarray | None = None
    missed_extra: np.ndarray | None = None
    product: np.ndarray | None = None


def evaded_legs(net: Network, rec: SimRecords, rows: np.ndarray, evasion: dict[str, float],
                draws: np.ndarray | None) -> np.ndarray:
    """Which boarded ``rows`` were made without a tap (see the module docstring).

    Parameters
    ----------
    net, rec:
        The network and the run's records.
    rows:
        The boarded planned rows, in journey and leg order.
    evasion:
        Operator id → share of its tapped boardings made without a tap (0–1).
    draws:
        Uniform draws per rider and leg number (``None``: nobody evades).

    Returns
    -------
    numpy.ndarray
        Per row of ``rows``: ``True`` where the leg was evaded.
    """
    p = rec.planned
    n = len(rows)
    if not evasion or draws is None or n == 0:
        return np.zeros(n, dtype=bool)
    ops, line_op = net.line_operators()
    line_share = np.array([evasion.get(op, 0.0) for op in ops])[line_op]
    tapped = p.tapped[rows]
    own = tapped & (draws[p.rider[rows], p.leg_no[rows]] < line_share[p.line[rows]])
    # an untapped change follows its host: the last tapped leg before it (rows are in order)
    host = np.maximum.accumulate(np.where(tapped, np.arange(n), 0))
    return np.where(tapped, own, own[host] & (p.leg_no[rows] > 0))


def leg_table(net: Network, policy: FarePolicy, riders: Riders, card: np.ndarray, line: np.ndarray,
              board: np.ndarray, alight: np.ndarray, board_s: np.ndarray, tapped: np.ndarray,
              category: np.ndarray, media: np.ndarray | None) -> LegTable:
    """Planned or boarded legs as the pricing interface's :class:`~otrip_sim.fares.LegTable`.

    Parameters
    ----------
    net, policy, riders:
        The network, the fare policy (which says which operators need stop ids) and the riders.
    card:
        Per leg: the card it is priced on.
    line, board, alight:
        Per leg: line index and boarding and alighting positions on the line.
    board_s:
        Per leg: boarding time, integer seconds of the service day.
    tapped:
        Per leg: ``False`` for a change inside an operator's paid area.
    category, media:
        Per leg: codes into ``riders.category_ids`` and ``riders.media_ids`` (``media`` ``None``:
        no fare media in the scenario).

    Returns
    -------
    LegTable
        One row per leg: distance in integer metres from the line's stop distances, tap-out time
        as the boarding time plus the run time, operator, category and route as integer codes.
    """
    line = line.astype(np.int64)
    b, a = board.astype(np.int64), alight.astype(np.int64)
    ops, line_op = net.line_operators()
    line_route = np.array([ln.route_index for ln in net.lines], dtype=np.int64)
    op, route = line_op[line], line_route[line]
    # perf: stop ids matter only to stop-priced fares; other legs get "" (no string work).  An
    # operator with any stop-priced fare gets them on every leg, so paid-area changes carry them.
    by_stop = policy.stop_priced()
    with_stops = {ln.operator for ln in net.lines if ln.operator in by_stop or ln.route in by_stop}
    needs = np.flatnonzero(np.array([ln.operator in with_stops for ln in net.lines], dtype=bool)[line])
    sid = np.array(net.stop_ids, dtype=object)
    # perf: [line, position] tables read through flat indices (cheaper than 2-D fancy indexing)
    width = net.stop_table.shape[1]
    at_b, at_a = line * width + b, line * width + a
    cum_m, cum_s = net.cum_m_table.ravel(), net.cum_s_table.ravel()

    def names(at: np.ndarray) -> np.ndarray:
        out = np.full(len(at), "", dtype=object)
        out[needs] = sid[net.stop_table.ravel()[at[needs]]]
        return out

    held = (np.array(riders.media_ids, dtype=object)[media] if media is not None and len(riders.media_ids)
            else np.full(len(card), "", dtype=object))
    return LegTable(
        card=card, operator=op, board_time=board_s.astype(np.int64),
        metres=cum_m[at_a] - cum_m[at_b], category=category.astype(np.int64),
        board_stop=names(at_b), alight_stop=names(at_a), route=route,
        tapped=tapped.astype(bool), alight_time=board_s + cum_s[at_a] - cum_s[at_b],
        media=held,
        codes={"operator": ({o: k for k, o in enumerate(ops)}, op),
               "category": ({c: k for k, c in enumerate(riders.category_ids)}, category.astype(np.int64)),
               "route": ({r: k for k, r in enumerate(net.route_ids)}, route)},
    )


def settle(net: Network, policy: FarePolicy, riders: Riders, rec: SimRecords, evasion: dict[str, float],
           draws: np.ndarray | None, log: bool = True, *, backend: str | None = None) -> Settlement:
    """Price every person's card from the boarded legs (one card per person for the day).

    Parameters
    ----------
    net, policy, riders, rec:
        The network, the fare policy, the riders and the run's records.
    evasion, draws:
        Evasion share per operator id and the riders' draws (see :func:`evaded_legs`).
    log:
        ``False`` skips the transaction log (fares only).
    backend:
        For the tests that hold the pricing backends to each other; leave it out.

    Returns
    -------
    Settlement
        Fares in integer minor units per boarded leg and journey, and the transaction log.
    """
    p = rec.planned
    rows = np.flatnonzero(rec.board_s >= 0)
    evaded = evaded_legs(net, rec, rows, evasion, draws)
    rider = p.rider[rows].astype(np.int64)
    media = riders.media[rider] if riders.media is not None else None
    table = leg_table(net, policy, riders, riders.card[rider], p.line[rows], p.board[rows], p.alight[rows],
                      rec.board_s[rows], p.tapped[rows], riders.category[rider], media)
    n = len(rows)
    on_card = np.flatnonzero(~evaded)
    card_legs = table.take(on_card)
    priced = price(policy, card_legs, log, backend=backend)
    rules = priced.rules
    fare = np.zeros(n, dtype=np.int64)
    rule = np.zeros(n, dtype=np.int32)
    window = np.full(n, -1, dtype=np.int64)
    own = np.zeros(n, dtype=np.int64)
    fare[on_card], rule[on_card] = priced.fare, priced.rule
    product = np.full(n, "", dtype=object)
    product[on_card] = products(policy, card_legs, priced)
    window[on_card], own[on_card] = priced.window, priced.own
    # evaded legs: nothing paid; a tapped one loses its own fare
    off = np.flatnonzero(evaded)
    if len(off):
        was_tapped = table.tapped[off]  # type: ignore[index]  # filled by LegTable
        lost, _, _ = own_fares(policy, table.take(off[was_tapped]))
        own[off[was_tapped]] = lost
        index, op = table.codes["operator"]
        for name, k in index.items():
            for kind, where in ((Outcome.EVADED, was_tapped), (Outcome.PAID_AREA, ~was_tapped)):
                sel = off[where & (op[off] == k)]
                if len(sel):
                    rule[sel] = rules.code_for(name, kind)
    journey_fare = np.bincount(rider, weights=fare, minlength=len(riders)).astype(np.int64)
    missed = np.full(n, "", dtype=object)
    extra = np.zeros(n, dtype=np.int64)
    if p.expected_board is not None and policy.windows and len(on_card):
        m_rule, m_extra = missed_windows(policy, card_legs, priced, p.expected_board[rows][on_card])
        missed[on_card], extra[on_card] = m_rule, m_extra
    tx = priced.transactions
    z = np.zeros(0, dtype=np.int64)
    leg_rows = on_card[tx.leg] if tx is not None else z
    return Settlement(
        rows=rows, fare=fare, rule=rule, window=window, standalone=own, evaded=evaded,
        journey_fare=journey_fare, rule_names=list(rules.names), rule_source=rules.source,
        rule_outcome=rules.outcome,
        tx_journey=rider[leg_rows], tx_leg=p.leg_no[rows][leg_rows].astype(np.int64),
        tx_time=tx.time if tx is not None else z,
        tx_kind=tx.kind if tx is not None else z.astype(np.int8),
        tx_amount=tx.amount if tx is not None else z,
        tx_rule=tx.rule if tx is not None else z.astype(np.int32),
        missed_window=missed, missed_extra=extra, product=product,
    )


def missed_windows(policy: FarePolicy, legs: LegTable, actual: Priced,
                   expected_board: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The fare windows riders missed because the day did not go as they expected.

    The card is priced again at the boarding times the rider expected when choosing the path
    (each leg's alighting moved with its boarding).  A tapped leg *missed* its window when at the
    expected times it joined the window of the card's leg before it, and at the times met it did
    not (it opened a new one, or paid its own fare).

    Parameters
    ----------
    policy:
        The compiled fare policy.
    legs:
        The card legs as priced (cards together, legs in boarding order).
    actual:
        Their pricing at the times met.
    expected_board:
        Per leg: the boarding time the rider expected, integer seconds.

    Returns
    -------
    rule, extra : numpy.ndarray
        Per leg: the id of the window rule missed (``""``: none), and on the card's first missed
        leg what the card paid more than at the expected times (integer minor units, ≥ 0).
    """
    planned = legs.take(np.arange(len(legs)))
    shift = expected_board.astype(np.int64) - np.asarray(legs.board_time, dtype=np.int64)
    planned.board_time = expected_board.astype(np.int64)
    alight = np.asarray(legs.alight_time, dtype=np.int64)
    planned.alight_time = np.where(alight >= 0, alight + shift, alight)
    at_plan = price(policy, planned)
    card = np.asarray(legs.card)
    same = np.r_[False, card[1:] == card[:-1]]

    def joins(window: np.ndarray) -> np.ndarray:
        return same & (window >= 0) & (window == np.r_[-1, window[:-1]])

    lost = np.asarray(legs.tapped, dtype=bool) & joins(at_plan.window) & ~joins(actual.window)
    rule = np.full(len(legs), "", dtype=object)
    ops = legs.names("operator")
    for op in set(ops[lost].tolist()):  # one lookup per operator, not per leg
        w = policy.window_of(str(op))
        rule[lost & (ops == op)] = w.id if w is not None else ""
    # what the card paid more, on its first missed leg (exact integer sums per card)
    _, inv = np.unique(card, return_inverse=True)
    more = np.zeros(inv.max(initial=-1) + 1, dtype=np.int64)
    np.add.at(more, inv, actual.fare.astype(np.int64) - at_plan.fare.astype(np.int64))
    at = np.flatnonzero(lost)
    first = at[group_starts(card[at])]
    extra = np.zeros(len(legs), dtype=np.int64)
    extra[first] = np.maximum(more[inv[first]], 0)
    return rule, extra
