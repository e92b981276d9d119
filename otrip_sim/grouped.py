"""numpy helpers over runs of consecutive rows that belong together (a card's legs, a window's
legs, a queue's keys): where each run starts, sums over the earlier rows of a run, distinct values
per run, and integer apportionment within each run.  Shared by the vectorised fare engine,
settlement, clearing, results, paths and the simulation; generic arithmetic, not fare logic, so it
lives outside :mod:`otrip_sim.fares`."""

from __future__ import annotations

import numpy as np


def group_starts(keys: np.ndarray) -> np.ndarray:
    """True where a run of equal consecutive keys starts."""
    start = np.ones(len(keys), dtype=bool)
    start[1:] = keys[1:] != keys[:-1]
    return start


def run_index(start: np.ndarray) -> np.ndarray:
    """Each row's run number (0, 1, …) for consecutive runs starting where ``start`` is True:
    ``values[run_index(start)]`` spreads one value per run over its rows."""
    return np.cumsum(start) - 1


def within(counts: np.ndarray) -> np.ndarray:
    """Each row's position in its run, for consecutive runs of ``counts`` rows: ``within([2, 3])``
    is ``[0, 1, 0, 1, 2]`` (int64)."""
    counts = np.asarray(counts, dtype=np.int64)
    return np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)


_BITS = np.array([bin(b).count("1") for b in range(256)], dtype=np.int64)  # set bits of each byte


def distinct_per_run(start: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The number of distinct non-negative integer ``values`` in each run (runs start where
    ``start`` is True, the first row starting one).

    perf: with values below 64, a run's values are the bits of one word (an OR over its rows,
    then the set bits counted): no sort.  Else distinct (run, value) pairs as one integer key.
    """
    width = int(values.max()) + 1
    if width < 64:
        word = np.left_shift(np.int64(1), values.astype(np.int64))
        bits = np.bitwise_or.reduceat(word, np.flatnonzero(start))
        return _BITS[np.ascontiguousarray(bits).view(np.uint8)].reshape(-1, 8).sum(axis=1)
    run = run_index(start)
    pair = np.unique(run * width + values)
    return np.bincount(pair // width, minlength=int(run[-1]) + 1)


def exclusive_prefix(values: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Sum of the earlier values of each run (runs start where ``start`` is True).

    Parameters
    ----------
    values:
        Integer values (amounts, metres …) in run order.
    start:
        ``True`` at each run's first row (see :func:`group_starts`).

    Returns
    -------
    numpy.ndarray
        Per row: the sum of the values before it in its run (0 at a run's first row).
    """
    cs = np.cumsum(values) - values
    return cs - np.maximum.accumulate(np.where(start, cs, 0))


def largest_remainder_groups(start: np.ndarray, total: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """:func:`~otrip_sim.fares.largest_remainder` for many runs at once.

    Shares are floors, the units left go to the largest remainders (ties to the earlier row); a run
    of zero weights gives its whole amount to its first row.

    Parameters
    ----------
    start:
        ``True`` at each run's first row.
    total:
        The run's amount on every row of the run, integer minor units.
    weights:
        Integer weights per row (int64).

    Returns
    -------
    numpy.ndarray
        Per row: its share, integer minor units; each run's shares sum to its total.
    """
    group = run_index(start)
    first = np.flatnonzero(start)
    w_sum = np.add.reduceat(weights, first)[group] if len(first) else weights
    safe = np.where(w_sum == 0, 1, w_sum)
    share = np.where(w_sum == 0, np.where(start, total, 0), total * weights // safe)
    rem = np.where(w_sum == 0, 0, total * weights % safe)
    left = total - (np.add.reduceat(share, first)[group] if len(first) else share)
    pos = np.arange(len(weights))
    order = np.lexsort((pos, -rem, group))
    rank = np.empty(len(weights), dtype=np.int64)
    rank[order] = pos - first[group[order]]
    return share + (rank < left)
