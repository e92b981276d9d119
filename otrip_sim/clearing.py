"""Revenue clearing: apportion the charge of each fare window among the operators of its legs.

Window by window, never across windows; fares outside any window stay with their operator.
Amounts are integer minor units split by largest remainder, so each window's allocations sum
exactly to what its riders paid.  Pure functions over plain sequences (no SimPy); the results
module feeds them from the legs table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .fares import largest_remainder
from .grouped import group_starts, largest_remainder_groups

METHODS = ("km_share", "boardings", "standalone_share", "equal", "first_keeps_boarding", "fixed_shares")


@dataclass(frozen=True, slots=True)
class WindowLeg:
    """One leg of a fare window as clearing sees it."""

    operator: str
    metres: int
    fare: int  # settled fare charged on this leg
    standalone: int  # what the leg would have cost on its own


def clear_window(
    legs: Sequence[WindowLeg],
    method: str,
    boarding_charge: int = 0,
    shares: Mapping[str, float] | None = None,
) -> dict[str, int]:
    """Allocate the window's total charge (Σ leg fares) to operators.

    Methods
    -------
    km_share
        In proportion to each leg's metres.
    boardings
        One equal weight per leg.
    standalone_share
        In proportion to what each leg would have cost alone (Einnahmeaufteilung baseline).
    equal
        An equal share for each distinct operator in the window.
    first_keeps_boarding
        The first leg's operator keeps ``boarding_charge`` (at most the total); the rest goes by
        metres over all legs.
    fixed_shares
        In proportion to ``shares[operator]`` for the operators present (equal if all are 0).

    Returns
    -------
    dict
        Operator → allocated amount; the values sum exactly to Σ fares of ``legs``.
    """
    total = sum(leg.fare for leg in legs)
    ops: list[str] = []
    for leg in legs:
        if leg.operator not in ops:
            ops.append(leg.operator)
    out = {op: 0 for op in ops}
    if total == 0:
        return out
    if method == "equal":
        return dict(zip(ops, largest_remainder(total, [1] * len(ops))))
    if method == "fixed_shares":
        share = shares or {}
        # shares are decimals; scale to integers so largest remainder stays exact
        weights = [round(share.get(op, 0.0) * 1_000_000) for op in ops]
        if not any(weights):
            weights = [1] * len(ops)
        return dict(zip(ops, largest_remainder(total, weights)))
    kept = 0
    if method == "first_keeps_boarding":
        kept = min(total, boarding_charge)
        out[legs[0].operator] += kept
        weights = [leg.metres for leg in legs]
    elif method == "km_share":
        weights = [leg.metres for leg in legs]
    elif method == "boardings":
        weights = [1] * len(legs)
    elif method == "standalone_share":
        weights = [leg.standalone for leg in legs]
    else:
        raise ValueError(f"unknown clearing method {method!r} (known: {', '.join(METHODS)})")
    if not any(weights):
        weights = [1] * len(legs)
    for leg, amount in zip(legs, largest_remainder(total - kept, weights)):
        out[leg.operator] += amount
    return out


def clear_windows(window: np.ndarray, operator: np.ndarray, metres: np.ndarray, fare: np.ndarray, standalone: np.ndarray,
                  method: str, boarding_charge: np.ndarray, shares: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`clear_window` for many windows at once.

    Legs come window by window (each window's legs consecutive, in order); ``operator`` is an
    integer code, ``boarding_charge`` is per leg (its window's), ``shares[code]`` the fixed share of
    each operator.  Returns ``(window, operator, amount)`` per window and operator present, in
    order of first appearance; amounts sum to each window's fares exactly.
    """
    n = len(window)
    start = group_starts(window)
    group = np.cumsum(start) - 1
    first = np.flatnonzero(start)
    total = np.add.reduceat(fare, first)[group] if n else fare
    # the operators of each window, in order of first appearance
    n_ops = int(operator.max()) + 1 if n else 1
    _, at = np.unique(group * n_ops + operator, return_index=True)
    at = np.sort(at)
    wo_win, wo_op = window[at], operator[at]
    wo_start = group_starts(wo_win)
    wo_total = total[at]
    if method in ("equal", "fixed_shares"):
        weights = np.ones(len(at), dtype=np.int64)
        if method == "fixed_shares":
            weights = np.round(shares[wo_op] * 1_000_000).astype(np.int64)
            wo_group = np.cumsum(wo_start) - 1
            none = (np.add.reduceat(weights, np.flatnonzero(wo_start)) == 0)[wo_group] if len(at) else weights == 0
            weights = np.where(none, 1, weights)
        return wo_win, wo_op, largest_remainder_groups(wo_start, wo_total, weights)
    kept = np.zeros(n, dtype=np.int64)
    if method == "first_keeps_boarding":
        kept = np.where(start, np.minimum(total, boarding_charge), 0)
        weights = metres.astype(np.int64)
    elif method == "km_share":
        weights = metres.astype(np.int64)
    elif method == "boardings":
        weights = np.ones(n, dtype=np.int64)
    elif method == "standalone_share":
        weights = standalone.astype(np.int64)
    else:
        raise ValueError(f"unknown clearing method {method!r} (known: {', '.join(METHODS)})")
    none = (np.add.reduceat(weights, first) == 0)[group] if n else weights == 0
    weights = np.where(none, 1, weights)
    rest = total - (np.add.reduceat(kept, first)[group] if n else kept)
    per_leg = kept + largest_remainder_groups(start, rest, weights)
    # sum per (window, operator), rows in the order of ``at``
    key_at = group[at] * n_ops + wo_op
    sorter = np.argsort(key_at)
    row = sorter[np.searchsorted(key_at, group * n_ops + operator, sorter=sorter)]
    return wo_win, wo_op, np.bincount(row, weights=per_leg, minlength=len(at)).astype(np.int64)


def net_flows_many(window: np.ndarray, operator: np.ndarray, charged: np.ndarray,
                   cleared: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`otrip_sim.results.net_flows` for many windows at once.

    Rows are (window, operator), each window's rows consecutive in order of first appearance.
    Returns ``(from operator, to operator, amount)`` rows with amount > 0 (not summed over
    windows): each operator keeps what it collected up to its allocation; within a window the
    surpluses pass to the deficits in order, as two queues paid off against each other.
    """
    kept = np.minimum(charged, cleared)
    diag = kept > 0
    surplus = np.maximum(charged - cleared, 0)
    deficit = np.maximum(cleared - charged, 0)
    s_idx, d_idx = np.flatnonzero(surplus > 0), np.flatnonzero(deficit > 0)
    flows_from, flows_to, flows_amount = [operator[diag]], [operator[diag]], [kept[diag]]
    if len(s_idx) and len(d_idx):
        def bounds(idx: np.ndarray, amount: np.ndarray) -> pd.DataFrame:
            w, a = window[idx], amount[idx]
            hi = np.cumsum(a)
            # cumulative amounts restart at each window: subtract what earlier windows summed to
            before = np.maximum.accumulate(np.where(group_starts(w), hi - a, 0))
            return pd.DataFrame({"w": w, "op": operator[idx], "lo": hi - a - before, "hi": hi - before})

        pairs = bounds(s_idx, surplus).merge(bounds(d_idx, deficit), on="w", suffixes=("_s", "_d"))
        overlap = (np.minimum(pairs["hi_s"], pairs["hi_d"]) - np.maximum(pairs["lo_s"], pairs["lo_d"])).to_numpy()
        moved = overlap > 0
        flows_from.append(pairs["op_s"].to_numpy()[moved])
        flows_to.append(pairs["op_d"].to_numpy()[moved])
        flows_amount.append(overlap[moved])
    return np.concatenate(flows_from), np.concatenate(flows_to), np.concatenate(flows_amount)
