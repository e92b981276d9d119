"""Measure each route's morning-peak load in the scenario, for the generator's fleet rule.

An operator sets a route's frequency from the load it carries past its busiest point. This script
runs the scenario as it stands (seed 2024, a sample; the calibration applied) and writes, per
route, the **planned** riders past the route's critical point in the morning peak: every chosen
path's legs, at the times path choice expected them, whether the vehicles then had room or not
(so a full route shows the riders who wanted it, not only those it carried).

    .venv/bin/python scenarios/jakarta-scale/peak_loads.py [--sample 0.1]

Writes ``demand/peak_loads.csv`` (``route_id, peak_hour_load``: riders an hour past the critical
point of the busier direction, 06:00-09:00 averaged, expanded to full demand).  make_scenario.py
reads it, if present, in place of its demand proxy to share each class's fleet out; then run the
generator and calibrate again (README, "Regenerating and checking").
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

import otrip_sim
from otrip_sim.network import build_network

HERE = Path(__file__).resolve().parent
PEAK = (6 * 3600, 9 * 3600)


def peak_loads(sample: float) -> dict[str, float]:
    """Route id -> riders an hour past the busier direction's critical point in the peak."""
    res = otrip_sim.run(HERE / "jaklingko-2024.yaml", seed=2024, sample=sample)
    net = build_network(res.loaded)
    p = res.records.planned
    at = p.expected_board
    peak = (at >= PEAK[0]) & (at < PEAK[1])
    width = net.stop_table.shape[1]
    change = np.zeros(len(net.lines) * (width + 1))
    line = p.line[peak].astype(np.int64)
    np.add.at(change, line * (width + 1) + p.board[peak], 1.0)
    np.add.at(change, line * (width + 1) + p.alight[peak], -1.0)
    on_board = np.cumsum(change.reshape(len(net.lines), width + 1), axis=1)  # per line, past each position
    hours = (PEAK[1] - PEAK[0]) / 3600
    per_line = on_board.max(axis=1) / sample / hours
    out: dict[str, float] = {}
    for ln in net.lines:
        out[ln.route] = max(out.get(ln.route, 0.0), float(per_line[ln.index]))
    return out


def main() -> None:
    """Write demand/peak_loads.csv."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=float, default=0.1)
    args = parser.parse_args()
    loads = peak_loads(args.sample)
    with open(HERE / "demand" / "peak_loads.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["route_id", "peak_hour_load"])
        for route, load in sorted(loads.items()):
            w.writerow([route, round(load)])
    print(f"{len(loads)} routes; busiest: " + ", ".join(
        f"{r} {v:,.0f}" for r, v in sorted(loads.items(), key=lambda kv: -kv[1])[:5]))


if __name__ == "__main__":
    main()
