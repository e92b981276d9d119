"""Integer apportionment: split an amount in proportion to weights, exactly.

Used to settle an integrated window into leg fares and (later) to clear revenue between operators.
"""

from __future__ import annotations

from collections.abc import Sequence


def largest_remainder(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` (an integer ≥ 0) in proportion to integer ``weights`` (≥ 0).

    Each share is ``floor(total × w / W)``; the units left over go one each to the largest
    fractional remainders, ties to the earlier position.  The shares always sum to ``total``.
    When every weight is 0 the whole amount goes to the first position.

    Parameters
    ----------
    total:
        The amount, integer minor units.
    weights:
        Integer weights (a window's leg metres, say); no weights only for a ``total`` of 0.

    Returns
    -------
    list[int]
        One share per weight, integer minor units.

    Examples
    --------
    >>> largest_remainder(9000, [16000, 12000, 8000])
    [4000, 3000, 2000]
    >>> largest_remainder(10, [1, 1, 1])
    [4, 3, 3]
    """
    n = len(weights)
    if n == 0:
        if total:
            raise ValueError("cannot apportion a non-zero amount over no weights")
        return []
    w_sum = sum(weights)
    if w_sum == 0:
        return [total] + [0] * (n - 1)
    shares = []
    remainders = []
    for i, w in enumerate(weights):
        q, r = divmod(total * w, w_sum)
        shares.append(q)
        remainders.append((-r, i))
    left = total - sum(shares)
    for _, i in sorted(remainders)[:left]:
        shares[i] += 1
    return shares
