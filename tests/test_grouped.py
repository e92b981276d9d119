"""The run helpers of :mod:`otrip_sim.grouped`."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from otrip_sim.grouped import distinct_per_run, group_starts


@given(st.lists(st.lists(st.integers(0, 70), min_size=1, max_size=5), min_size=1, max_size=8))
def test_distinct_values_per_run_as_bits_and_as_pairs(runs):
    """Values below 64 are counted as bits of a word, larger ones as sorted pairs: both count the
    distinct values of each run."""
    run = np.repeat(np.arange(len(runs)), [len(r) for r in runs])
    values = np.concatenate([np.array(r, dtype=np.int64) for r in runs])
    start = group_starts(run)
    assert distinct_per_run(start, values).tolist() == [len(set(r)) for r in runs]
    assert distinct_per_run(start, values % 64).tolist() == [len({x % 64 for x in r}) for r in runs]
