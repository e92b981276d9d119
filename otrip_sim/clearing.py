"""Revenue clearing: apportion the charge of each fare window among the operators of its legs.

Window by window, never across windows; fares outside any window stay with their operator.
Amounts are integer minor units split by largest remainder, so each window's allocations sum
exactly to what its riders paid.  Pure functions over plain sequences (no SimPy); the results
module feeds them from the legs table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .fares import largest_remainder

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
