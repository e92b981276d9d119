"""Revenue clearing: apportion the charge of each fare window among the operators of its legs.

Window by window, never across windows; fares outside any window stay with their operator.
Amounts are integer minor units split by largest remainder, so each window's allocations sum
exactly to what its riders paid.  Pure functions over plain sequences and the legs frame (no
SimPy, nothing from ``results``): :class:`~otrip_sim.results.RunResult` calls
:func:`clear_legs`, :func:`cleared_revenue` and :func:`clearing_flows` with its ``legs`` frame and
caches what they return, so results stay data and clearing is computed from them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from .fares import FarePolicy, largest_remainder
from .grouped import group_starts, largest_remainder_groups

METHODS = ("km_share", "boardings", "standalone_share", "equal", "first_keeps_boarding", "fixed_shares")


@dataclass(frozen=True, slots=True)
class WindowLeg:
    """One leg of a fare window as clearing sees it.

    Attributes
    ----------
    operator : str
        The leg's operator.
    metres : int
        Its length in integer metres.
    fare : int
        The settled fare charged on it, in integer minor units.
    standalone : int
        What it would have cost on its own, in integer minor units.
    """

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


def clear_windows(window: np.ndarray, operator: np.ndarray, metres: np.ndarray, fare: np.ndarray,
                  standalone: np.ndarray, method: str, boarding_charge: np.ndarray,
                  shares: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`clear_window` for many windows at once.

    Parameters
    ----------
    window
        Per leg, its window key; each window's legs consecutive, in order.
    operator
        Per leg, the operator's integer code.
    metres, fare, standalone
        Per leg: distance (m), settled fare and standalone fare (minor units).
    method
        One of :data:`METHODS`.
    boarding_charge
        Per leg, its window's boarding charge (minor units; ``first_keeps_boarding``).
    shares
        ``shares[code]``: the fixed share of each operator (``fixed_shares``).

    Returns
    -------
    tuple of numpy.ndarray
        ``(window, operator, amount)`` per window and operator present, in order of first
        appearance; amounts (minor units) sum to each window's fares exactly.
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
            none = ((np.add.reduceat(weights, np.flatnonzero(wo_start)) == 0)[wo_group] if len(at)
                    else weights == 0)
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
    """What a clearing house moves within each window, for many windows at once.

    Each operator keeps what it collected up to its allocation; operators that collected more
    pass the surplus to those that collected less, in order: within a window the surpluses pass
    to the deficits as two queues paid off against each other.

    Parameters
    ----------
    window, operator
        One row per (window, operator), each window's rows consecutive, operators (integer
        codes) in order of first appearance, as :func:`clear_windows` returns them.
    charged
        What the operator's legs of the window charged riders (minor units).
    cleared
        The operator's allocation of the window (minor units; per window Σ cleared = Σ charged).

    Returns
    -------
    tuple of numpy.ndarray
        ``(from operator, to operator, amount)`` rows with amount > 0, not summed over windows;
        ``from == to`` is revenue kept.  Per window the rows of an operator sum to what it
        charged and the columns to its allocation, exactly.
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
        overlap = (np.minimum(pairs["hi_s"], pairs["hi_d"])
                   - np.maximum(pairs["lo_s"], pairs["lo_d"])).to_numpy()
        moved = overlap > 0
        flows_from.append(pairs["op_s"].to_numpy()[moved])
        flows_to.append(pairs["op_d"].to_numpy()[moved])
        flows_amount.append(overlap[moved])
    return np.concatenate(flows_from), np.concatenate(flows_to), np.concatenate(flows_amount)


class ClearedWindows(NamedTuple):
    """Fare windows cleared: one row per window and operator in it.

    Rows of a window are consecutive, operators in order of first appearance.  ``window`` is a
    key unique per (journey, window number), ``operator`` the operator's code (its position in
    the legs frame's ``operator`` categories), ``cleared`` its allocation and ``charged`` what its
    legs of the window charged riders; both in integer minor units.
    """

    window: np.ndarray
    operator: np.ndarray
    cleared: np.ndarray
    charged: np.ndarray


def boarding_charges(policy: FarePolicy, operators: Sequence[str]) -> np.ndarray:
    """Per operator, the boarding charge of its fare window (minor units; -1: none).

    What the first leg's operator keeps under ``first_keeps_boarding``: an integrated window's
    ``base``.  Operators in no integrated window get -1 (their leg's standalone fare is used).

    Parameters
    ----------
    policy : FarePolicy
        The compiled fare policy.
    operators : sequence of str
        Operator ids, the result's order.

    Returns
    -------
    numpy.ndarray
        int64 boarding charge per operator in minor units, -1 for none.
    """
    return np.array([-1 if (base := policy.window_boarding_charge(o)) is None else base for o in operators],
                    dtype=np.int64)


def clear_legs(legs: pd.DataFrame, method: str, boarding_charge: np.ndarray,
               shares: Mapping[str, float]) -> ClearedWindows:
    """Clear every fare window of a run's legs with ``method``.

    Parameters
    ----------
    legs
        ``RunResult.legs``: reads ``journey``, ``window`` (-1: in no window), ``operator``
        (categorical), ``metres``, ``fare`` and ``standalone_fare`` (minor units).
    method
        One of :data:`METHODS` (see :func:`clear_window`).
    boarding_charge
        Per operator code, its window's boarding charge (:func:`boarding_charges`; -1: none, the
        first leg's standalone fare is kept instead).
    shares
        ``fixed_shares``: operator id → weight (missing operators weigh 0).

    Returns
    -------
    ClearedWindows
        Each window's allocation and charges per operator; legs outside windows are not in it.
    """
    operators = list(legs["operator"].cat.categories)
    inside = np.flatnonzero(legs["window"].to_numpy() >= 0)
    journey, window = legs["journey"].to_numpy()[inside], legs["window"].to_numpy()[inside]
    # each window's legs together, in leg order
    rows = inside[np.lexsort((np.arange(len(inside)), window, journey))]
    n_win = int(window.max()) + 1 if len(window) else 1
    win = legs["journey"].to_numpy()[rows] * n_win + legs["window"].to_numpy()[rows]
    op = legs["operator"].cat.codes.to_numpy()[rows].astype(np.int64)
    fare, own = legs["fare"].to_numpy()[rows], legs["standalone_fare"].to_numpy()[rows]
    # what the first leg's operator keeps under first_keeps_boarding: the window's boarding charge
    first = group_starts(win)
    charge = np.where(boarding_charge[op] >= 0, boarding_charge[op], own)
    charge = charge[np.maximum.accumulate(np.where(first, np.arange(len(win)), 0))] if len(win) else charge
    weights = np.array([shares.get(o, 0.0) for o in operators])
    wo_win, wo_op, amount = clear_windows(win, op, legs["metres"].to_numpy()[rows], fare, own, method, charge,
                                          weights)
    # what each (window, operator) row charged: the fares of its legs, found by key
    group = np.cumsum(first) - 1
    charged_key = group * len(operators) + op
    wo_group = np.cumsum(group_starts(wo_win)) - 1
    key_at = wo_group * len(operators) + wo_op
    sorter = np.argsort(key_at)
    at = sorter[np.searchsorted(key_at, charged_key, sorter=sorter)] if len(win) else charged_key
    charged = np.bincount(at, weights=fare, minlength=len(wo_win)).astype(np.int64)
    return ClearedWindows(wo_win, wo_op, amount, charged)


def _kept_outside(legs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Operator codes of the legs in no fare window and, per operator code, their fares (int64 minor
    units; also when every leg is in a window, where ``bincount`` of nothing would give int64 and of
    something float64)."""
    outside = legs["window"].to_numpy() < 0
    op = legs["operator"].cat.codes.to_numpy()[outside]
    n_ops = len(legs["operator"].cat.categories)
    return op, _sum_by(op, legs["fare"].to_numpy()[outside], n_ops)


def _sum_by(code: np.ndarray, amount: np.ndarray, n: int) -> np.ndarray:
    """Integer sums of ``amount`` by ``code`` (0 … n-1), exact (no float weights)."""
    total = np.zeros(n, dtype=np.int64)
    np.add.at(total, code, np.asarray(amount).astype(np.int64))
    return total


def cleared_revenue(legs: pd.DataFrame, cleared: ClearedWindows) -> dict[str, int]:
    """Fare revenue per operator after clearing (minor units per day).

    Legs outside windows stay with their operator; each window's charge goes as ``cleared``
    (:func:`clear_legs` of the same ``legs``) allocates it.  Keys: every operator of the legs
    frame's ``operator`` categories, in order.

    Parameters
    ----------
    legs : pandas.DataFrame
        A run's legs (:attr:`RunResult.legs <otrip_sim.results.RunResult.legs>`: needs
        ``operator`` (categorical), ``fare`` and ``window``).
    cleared : ClearedWindows
        :func:`clear_legs` of the same legs.

    Returns
    -------
    dict of str to int
        Operator id → fare revenue per day after clearing, in integer minor units.
    """
    operators = list(legs["operator"].cat.categories)
    _, total = _kept_outside(legs)
    total += _sum_by(cleared.operator, cleared.cleared, len(operators))
    return {o: int(v) for o, v in zip(operators, total)}


def clearing_flows(legs: pd.DataFrame, cleared: ClearedWindows) -> pd.DataFrame:
    """Revenue flows between operators after clearing, summed over the day.

    Returns
    -------
    pandas.DataFrame
        ``from_operator`` (whose legs charged the fare), ``to_operator`` (who gets it after
        clearing), ``amount`` (integer minor units per day); the diagonal is revenue kept, fares
        outside windows included.  Sorted by ``from_operator``, ``to_operator``.
    """
    op, kept = _kept_outside(legs)
    seen = np.unique(op)
    f, t, v = net_flows_many(cleared.window, cleared.operator, cleared.charged, cleared.cleared)
    df = pd.DataFrame({"from": np.concatenate([seen, f]), "to": np.concatenate([seen, t]),
                       "amount": np.concatenate([kept[seen], v])})
    df = df.groupby(["from", "to"], as_index=False)["amount"].sum()
    names = np.array(list(legs["operator"].cat.categories), dtype=object)
    out = pd.DataFrame({"from_operator": names[df["from"].to_numpy()],
                        "to_operator": names[df["to"].to_numpy()],
                        "amount": df["amount"].to_numpy(dtype=np.int64)})
    return out.sort_values(["from_operator", "to_operator"], ignore_index=True)
