"""The one pricing interface: every caller prices legs here, and nothing outside ``fares/`` knows
a fare rule.

* :func:`price` — a table of legs (many cards) → each leg's settled fare, its rule and outcome,
  its own (standalone) fare, its fare window, and on request the provisional charge of every tap
  and the card transaction log.  Settlement after a run, path choice and replay all call it.
* :func:`own_fares` — what legs cost on their own (revenue lost to evasion, say).
* :func:`products` — each priced leg's fare product (its window rule, its pass), for the tap log.
* :func:`price_continuations` — what each of many candidate continuations adds to a card that
  already made some legs today (the card's state), as path and mode choice need.
* :func:`open_until` — until when a card's legs can still change a later tap's fare.
* :func:`trace` — one card tap by tap, with the card's open windows after each tap (``explain``).

Two backends give identical results (tests hold them to each other): the vectorised engine
(:mod:`otrip_sim.fares.vector`) for the policies it supports, and the card-by-card engine
(:mod:`otrip_sim.fares.cards`) for every policy.  Which one runs is decided here, from the policy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..grouped import within
from . import cards, vector
from .engine import Card
from .outcome import Outcome
from .rules import Charge, FarePolicy, Leg, PayDifferenceWindow, TransferWindow, WindowRule
from .table import LegTable, Priced, RuleTable

BACKENDS = ("vector", "card")


def backend_for(policy: FarePolicy) -> str:
    """The backend :func:`price` uses for ``policy``: ``"vector"`` where it supports the policy."""
    return "vector" if vector.supports(policy) else "card"


def price(policy: FarePolicy, legs: LegTable, log: bool = False, *, backend: str | None = None) -> Priced:
    """Price every card of ``legs`` under ``policy``.

    Parameters
    ----------
    policy:
        The compiled fare policy.
    legs:
        The legs, any order; each card's legs are priced together in order of boarding.
    log:
        Also return each tap's provisional charge and the card transaction log (costs time).
    backend:
        Leave it out: the backend is chosen from the policy.  ``"vector"`` or ``"card"`` force one,
        for the tests that hold the two to each other.

    Returns
    -------
    Priced
        Columns aligned with ``legs`` (see :class:`~otrip_sim.fares.table.Priced`).
    """
    chosen = backend or backend_for(policy)
    if chosen not in BACKENDS:
        raise ValueError(f"unknown backend {chosen!r} (vector or card)")
    if chosen == "vector":
        return vector.price_table(policy, legs, log)
    return cards.price_table(policy, legs, log)


def own_fares(policy: FarePolicy, legs: LegTable) -> tuple[np.ndarray, np.ndarray, RuleTable]:
    """Each leg's own fare as if it were alone on its card (category rules, exemptions included,
    applied; no window, pass or cap).

    Parameters
    ----------
    policy:
        The compiled fare policy.
    legs:
        The legs, any order.

    Returns
    -------
    tuple[numpy.ndarray, numpy.ndarray, RuleTable]
        Per leg the amount (integer minor units) and rule code, and the codes' table.
    """
    if vector.supports(policy):
        got = vector.price_cards_detail(policy, legs, windows=False)
        return got.own, got.own_rule, got.rules
    rules = RuleTable()
    charges = [policy.standalone_charge(leg) for leg in cards.legs_of(legs, np.arange(len(legs)))]
    return (np.array([c.amount for c in charges], dtype=np.int64),
            np.array([rules.code(c.rule, c.source, c.outcome) for c in charges], dtype=np.int32), rules)


def products(policy: FarePolicy, legs: LegTable, priced: Priced) -> np.ndarray:
    """Each leg's fare product (TIDES ``fare_product``): the id of the window rule whose window
    the leg opened or joined (whether or not the window's tariff ended up applying: a card reader
    starts the window at its first tap, before any later tap can join it), else the pass that
    priced the leg, else ``""`` (pay as you go).

    Parameters
    ----------
    policy:
        The compiled fare policy.
    legs:
        The legs as priced.
    priced:
        :func:`price`'s result for them.

    Returns
    -------
    numpy.ndarray
        Per leg the product id, an object array of str (``""``: none).
    """
    out = np.full(len(legs), "", dtype=object)
    ops = legs.names("operator")
    in_window = np.asarray(priced.window) >= 0
    for op in set(ops[in_window].tolist()):  # one lookup per operator, not per leg
        rule = policy.window_of(str(op))
        out[in_window & (ops == op)] = rule.id if rule is not None else ""
    if len(priced.rules):
        by_pass = np.isin(priced.outcome(), [Outcome.PASS, Outcome.PASS_PURCHASE])
        out[by_pass] = priced.rules.source[priced.rule[by_pass]]
    return out


def price_continuations(policy: FarePolicy, history: LegTable, candidates: LegTable,
                        state: np.ndarray) -> np.ndarray:
    """What each candidate continuation adds to the fare of a card that already travelled.

    A window left open by earlier legs, a daily cap or a pass already bought all show in the
    result.  Every candidate is priced on its own copy of the card, all at once.

    Parameters
    ----------
    policy:
        The compiled fare policy.
    history:
        The legs each card made earlier today, its ``card`` column naming the card state.
    candidates:
        The continuations, its ``card`` column naming the candidate (``0 … C-1``).
    state:
        ``state[c]``: the ``history`` card candidate ``c`` continues (a value absent from
        ``history.card``: a fresh card).

    Returns
    -------
    numpy.ndarray
        Per candidate: the settled total of the card with the continuation minus the card
        without it, integer minor units (int64).
    """
    state = np.asarray(state)
    n_cand = len(state)

    def per_card(legs: LegTable) -> np.ndarray:
        return np.bincount(legs.card.astype(np.int64), weights=price(policy, legs).fare,
                           minlength=n_cand).astype(np.int64)

    if len(history) == 0:  # every card is fresh
        return per_card(candidates)
    h_card = np.asarray(history.card)
    h_order = np.argsort(h_card, kind="stable")
    states, first, count = np.unique(h_card[h_order], return_index=True, return_counts=True)
    k = np.minimum(np.searchsorted(states, state), len(states) - 1)
    known = states[k] == state
    n_rows = np.where(known, count[k], 0)
    per_state = np.bincount(np.searchsorted(states, h_card), weights=price(policy, history).fare,
                            minlength=len(states)).astype(np.int64)
    # every candidate's own copy of its card's earlier legs, then the continuation, keyed by the
    # candidate.  perf: in that order the legs usually come in pricing order already (no sort),
    # the same order within each card as the copies and continuations one table after the other;
    # one table of rows taken from the history and the candidates
    c_card = np.asarray(candidates.card).astype(np.int64)
    rows = n_rows + np.bincount(c_card, minlength=n_cand)
    copy = within(rows) < np.repeat(n_rows, rows)
    gather = np.empty(len(copy), dtype=np.int64)
    gather[copy] = h_order[np.repeat(first[k], n_rows) + within(n_rows)]
    gather[~copy] = len(history) + np.argsort(c_card, kind="stable")
    legs = _concat(history, candidates).take(gather)
    legs.card = np.repeat(np.arange(n_cand), rows)
    return per_card(legs) - np.where(known, per_state[k], 0)


ALWAYS = np.int64(1) << 62
""":func:`open_until` of a card whose legs can change any later tap's fare (a pass, a period cap)."""


def open_until(policy: FarePolicy, legs: LegTable) -> tuple[np.ndarray, np.ndarray]:
    """Until when each card's legs can still change what a later tap pays.

    A later tap at or before the card's time can join a fare window the legs left open (measured
    as its rule measures: from the window's first tap, or from the last leg of a transfer chain);
    after it, the tap costs what it costs on a fresh card.  Path choice prices a journey as a
    continuation of the person's card only up to this time.

    Parameters
    ----------
    policy:
        The compiled fare policy.
    legs:
        The legs each card made, any order.

    Returns
    -------
    cards, until : numpy.ndarray
        The distinct cards (sorted) and per card the last board time (integer seconds) its legs
        can affect: ``-1`` when they affect none, :data:`ALWAYS` with a pass or a period cap.
    """
    cards, of = np.unique(np.asarray(legs.card), return_inverse=True)
    until = np.full(len(cards), -1, dtype=np.int64)
    if policy.passes or policy.period_caps:
        until[:] = ALWAYS
        return cards, until
    if not len(legs) or not policy.windows:
        return cards, until
    window = price(policy, legs).window
    inside = np.flatnonzero(window >= 0)
    # a leg in a window is on an operator of a window rule; perf: looked up per distinct operator
    names, op_of = _operators(legs, inside)
    rule = [policy.window_of(op) for op in names]
    duration = np.array([0 if r is None else r.duration for r in rule], dtype=np.int64)[op_of]
    from_first = np.array([r is not None and _from_first_tap(r) for r in rule], dtype=bool)[op_of]
    board = legs.board_time[inside].astype(np.int64)
    last = np.maximum(board, np.asarray(legs.alight_time)[inside].astype(np.int64))
    key = of[inside] * (int(window.max()) + 1) + window[inside]
    keys, at = np.unique(key, return_inverse=True)
    start = np.full(len(keys), ALWAYS, dtype=np.int64)
    np.minimum.at(start, at, board)
    expiry = np.where(from_first, start[at], last) + duration
    np.maximum.at(until, of[inside], expiry)
    return cards, until


def open_bound(policy: FarePolicy, last: np.ndarray) -> np.ndarray:
    """An upper bound of :func:`open_until` for cards whose legs all ended (were tapped out, or
    boarded) by ``last``: :data:`ALWAYS` with a pass or a period cap, ``-1`` without windows, else
    ``last`` plus the longest window.  perf: path choice prices only the cards it leaves open.

    Parameters
    ----------
    policy:
        The compiled fare policy.
    last:
        Per card: the latest tap-out (or tap-in) time of its legs, integer seconds.

    Returns
    -------
    numpy.ndarray
        Per card: a time at or after the card's :func:`open_until` (int64).
    """
    last = np.asarray(last, dtype=np.int64)
    if policy.passes or policy.period_caps:
        return np.full(len(last), ALWAYS, dtype=np.int64)
    longest = policy.longest_window()
    return last + longest if longest is not None else np.full(len(last), -1, dtype=np.int64)


def _operators(legs: LegTable, rows: np.ndarray) -> tuple[list[str], np.ndarray]:
    """The distinct operators of legs ``rows`` and each row's index among them (perf: from the
    operator codes when the table has them, with no string per leg)."""
    if "operator" in legs.codes:
        index, codes = legs.codes["operator"]
        name_of = {code: name for name, code in index.items()}
        present, of = np.unique(codes[rows], return_inverse=True)
        return [str(name_of[c]) for c in present.tolist()], of
    present_s, of = np.unique(legs.names("operator")[rows], return_inverse=True)
    return [str(x) for x in present_s.tolist()], of


def _from_first_tap(rule: WindowRule) -> bool:
    """Does ``rule`` measure its duration from the window's first tap?  Else from a later leg (a
    transfer chain's previous leg, a pay-the-difference window restarted at a later tap), which
    :func:`open_until` bounds by the window's last leg."""
    if isinstance(rule, TransferWindow):
        return rule.limit == "first_tap"
    if isinstance(rule, PayDifferenceWindow):
        return not rule.restart
    return True


def _concat(a: LegTable, b: LegTable) -> LegTable:
    """Rows of ``a`` then ``b``.  A coded column whose codes agree in both stays coded (perf: no
    string work); otherwise it is concatenated as strings, so the two codes need not agree."""
    def col(name: str) -> np.ndarray:
        return np.concatenate([np.asarray(getattr(a, name)), np.asarray(getattr(b, name))])

    coded: dict[str, tuple[dict[object, int], np.ndarray]] = {}
    named: dict[str, np.ndarray] = {}
    for name in ("operator", "category", "route"):
        ca, cb = a.codes.get(name), b.codes.get(name)
        if ca is not None and cb is not None and ca[0] == cb[0]:
            coded[name] = (ca[0], np.concatenate([ca[1], cb[1]]))
            named[name] = coded[name][1]
        else:
            named[name] = np.concatenate([a.names(name), b.names(name)])
    return LegTable(card=col("card"), board_time=col("board_time"), metres=col("metres"),
                    board_stop=col("board_stop"), alight_stop=col("alight_stop"), tapped=col("tapped"),
                    tapped_out=col("tapped_out"), alight_time=col("alight_time"), media=col("media"),
                    codes=coded, **named)


@dataclass(frozen=True)
class TapTrace:
    """One tap of :func:`trace`.

    Attributes
    ----------
    leg:
        The leg tapped.
    charge:
        Its provisional charge, integer minor units.
    window_rule:
        The id of the window rule that prices the leg (``None``: none).
    exempt:
        A category rule makes the leg free.
    windows:
        The card's open windows after the tap, as :meth:`~otrip_sim.fares.engine.Card.windows`
        gives them (``rule``, ``start``, ``closes``, ``legs``, ``paid``, ``cap_remaining``,
        ``transfers``; times in integer seconds, money in integer minor units).
    """

    leg: Leg
    charge: Charge
    window_rule: str | None
    exempt: bool
    windows: tuple[dict[str, object], ...]


def trace(policy: FarePolicy, legs: Sequence[Leg]) -> tuple[list[TapTrace], list[Charge], list[int]]:
    """One card tap by tap, in order of boarding.

    Parameters
    ----------
    policy:
        The compiled fare policy.
    legs:
        The card's legs, any order.

    Returns
    -------
    tuple[list[TapTrace], list[Charge], list[int]]
        Each tap's trace, then the settled charges and the provisional amounts (both in tap
        order, integer minor units).
    """
    card = Card(policy)
    taps = []
    for leg in sorted(legs, key=lambda x: x.board_time):
        charge = card.tap(leg)
        window = policy.window_for(leg)
        exempt = policy.exemption(leg.category, leg.operator) is not None
        window_id = None if window is None else window.id
        taps.append(TapTrace(leg, charge, window_id, exempt, tuple(card.windows())))
    settled = card.settle()
    return taps, settled, list(card.provisional)
