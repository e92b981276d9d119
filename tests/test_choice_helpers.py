"""Path choice's timetable lookups agree with the network's own (the per-minute headway table
is only a faster way to the same answer)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from otrip_sim.choice import _Timetable
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
