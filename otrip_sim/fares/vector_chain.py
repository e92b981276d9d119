"""OD chains (:class:`~otrip_sim.fares.rules.OdChainWindow`) for the vectorised engine: which legs
chain, what each chain costs from its first boarding to its last alighting, and the running price
at each tap — as the card engine prices them, for many cards at once.

perf: the loops run over the positions of legs within a card and over distinct stop pairs and
operator pairs, never over legs.
"""

from __future__ import annotations

import numpy as np

from ..grouped import group_starts, largest_remainder_groups
from .outcome import Outcome
from .rules import OdChainWindow, StandaloneFare
from .table import LegTable, RuleTable
from .vector_standalone import standalone


def priced_pairs(fare: StandaloneFare, board: np.ndarray, alight: np.ndarray) -> np.ndarray:
    """Per row: does ``fare`` price a leg from stop ``board`` to stop ``alight`` (both known)?"""
    out = np.zeros(len(board), dtype=bool)
    have = (board != "") & (alight != "")
    if have.any():
        uniq, inv = np.unique(board[have] + "|" + alight[have], return_inverse=True)
        ok = np.array([fare.pair_issue(*key.split("|", 1)) is None for key in uniq], dtype=bool)
        out[have] = ok[inv]
    return out


def effective_fares(w: OdChainWindow, legs: LegTable, head: np.ndarray, tail: np.ndarray,
                    metres: np.ndarray, alight_stop: np.ndarray, rules: RuleTable) -> np.ndarray:
    """What ``w.fare`` charges for effective legs made of rows ``head`` (boarding) and ``tail``
    (alighting: ``alight_stop``, its tap-out) of ``legs``, of ``metres`` in all (minor units)."""
    eff = legs.take(head)
    eff.metres = metres
    eff.alight_stop = alight_stop
    eff.alight_time = legs.alight_time[tail]  # type: ignore[index]  # filled by LegTable
    eff.tapped_out = legs.tapped_out[tail]  # type: ignore[index]  # filled by LegTable
    return standalone(w.fare, eff, np.arange(len(head)), rules)[0]


def chain_windows(w: OdChainWindow, legs: LegTable, op_code: np.ndarray, names: list[str],
                  sel: np.ndarray, amount: np.ndarray, rule: np.ndarray, rules: RuleTable,
                  tapped_alight: np.ndarray) -> np.ndarray:
    """Chain the legs ``sel`` (one rule's legs, card by card in time order) and price the chains
    (``amount`` and ``rule`` hold the legs' own fares and are overwritten); returns each leg's
    window number.  ``tapped_alight``: each leg's alighting stop as tapped (before paid-area
    changes), which decides whether it joins."""
    card, t, op = legs.card[sel], legs.board_time[sel], op_code[sel]
    board, alight, raw = legs.board_stop[sel], legs.alight_stop[sel], tapped_alight[sel]
    own = amount[sel].copy()
    width = len(names)
    allowed = np.zeros(width * width, dtype=bool)
    at: dict[int, list[str]] = {}
    for (a, b), stops in w.joins.items():
        if a in names and b in names:
            allowed[names.index(a) * width + names.index(b)] = True
            if stops is not None:
                at[names.index(a) * width + names.index(b)] = sorted(stops)
    first_of_card = group_starts(card)
    pos = np.arange(len(sel)) - np.maximum.accumulate(np.where(first_of_card, np.arange(len(sel)), 0))
    start, count, origin = t.copy(), np.ones(len(sel), dtype=np.int64), board.copy()
    opens = first_of_card.copy()
    for p in range(1, int(pos.max()) + 1):  # perf: a loop over positions in a card, not over legs
        i = np.flatnonzero(pos == p)
        ok = t[i] - start[i - 1] <= w.duration
        if w.max_legs is not None:
            ok &= count[i - 1] < w.max_legs
        if w.joins:
            k = op[i - 1] * width + op[i]
            ok &= allowed[k]
            for key, where in at.items():
                rows = np.flatnonzero(k == key)
                ok[rows] &= np.isin(alight[i - 1][rows], where) & np.isin(board[i][rows], where)
        ok &= priced_pairs(w.fare, origin[i - 1], raw[i])
        opens[i] = ~ok
        start[i] = np.where(ok, start[i - 1], t[i])
        count[i] = np.where(ok, count[i - 1] + 1, 1)
        origin[i] = np.where(ok, origin[i - 1], board[i])
    window = np.cumsum(opens) - 1
    first = group_starts(window)
    heads = np.flatnonzero(first)
    tails = np.append(heads[1:], len(sel)) - 1
    chained = (tails > heads) & priced_pairs(w.fare, board[heads], alight[tails])
    if chained.any():
        metres = np.add.reduceat(legs.metres[sel], heads)
        total = np.zeros(len(heads), dtype=np.int64)
        total[chained] = effective_fares(w, legs, sel[heads[chained]], sel[tails[chained]],
                                         metres[chained], alight[tails[chained]], rules)
        share = largest_remainder_groups(first, total[window], own)
        on = chained[window]
        amount[sel[on]] = share[on]
        rule[sel[on]] = rules.code_for(w.id, Outcome.OD_CHAIN)
    return window


def running_prices(w: OdChainWindow, hosts: LegTable, rows: np.ndarray, head_rows: np.ndarray,
                   start: np.ndarray, raw_own: np.ndarray, rules: RuleTable) -> np.ndarray:
    """The chain's price after each tap: rows ``rows`` of ``hosts`` (the tapped legs as tapped),
    whose chains began at ``head_rows`` (``start``: the row begins its chain): the first tap's own
    fare (``raw_own``), then the fare from the chain's first boarding to the tap's alighting stop
    (stop-priced: its distance does not matter)."""
    total = raw_own.copy()
    later = np.flatnonzero(~start)
    if len(later):
        total[later] = effective_fares(w, hosts, head_rows[later], rows[later], hosts.metres[rows[later]],
                                       hosts.alight_stop[rows[later]], rules)
    return total
