"""Path choice's helpers give what their plain versions give: the timetable's lookups agree with
the network's own (the per-minute headway table is only a faster way to the same answer), and the
sort-free unique is numpy's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from otrip_sim.choice import _small_unique, _Timetable
from otrip_sim.compile import compile_scenario
from otrip_sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent


def test_headways_by_minute_are_the_bands_headways():
    net = compile_scenario(load_scenario(ROOT / "scenarios/jakarta/okotrip-2018.yaml")).network
    tt = _Timetable(net)
    assert tt.by_minute is not None  # the scenario's bands start and end on whole minutes
    rng = np.random.default_rng(7)
    line = rng.integers(0, len(net.lines), 20_000)
    t = rng.integers(-3600, 30 * 3600, 20_000)
    got = tt.headway(line, t)
    assert got.tolist() == tt._band_headway(line, t).tolist()
    assert got.tolist() == [net.lines[ln].headway_at(int(x)) for ln, x in zip(line.tolist(), t.tolist())]


@given(st.lists(st.integers(-100, 100), max_size=50), st.sampled_from([1, 10**9]))
def test_small_unique_is_numpys(values, spread):
    """Within a small range without a sort, beyond it by numpy itself: the same either way."""
    x = np.array(values, dtype=np.int64) * spread
    got, want = _small_unique(x), np.unique(x, return_inverse=True)
    assert got[0].tolist() == want[0].tolist() and got[1].tolist() == want[1].tolist()
