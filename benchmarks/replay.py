"""Replay pricing speed: `otrip-sim fares` on N synthetic legs, timed from process start to exit.

Usage: .venv/bin/python benchmarks/replay.py [--legs 1000000]
       [--scenario scenarios/jakarta/jaklingko-2022.yaml]

Writes a reproducible synthetic tap file (riders with 1-4 legs on the scenario's operators,
distances 1-25 km, some free riders; generated and written 1,000,000 legs at a time, so that the
generator is not the memory peak) to a temporary folder, runs the command once as a user would,
and prints as its last lines `legs`, `seconds`, `legs_per_s`, `peak_rss_mb` (of the command's
process), `bare_simpy_event_us` (the cost of one bare SimPy event, measured in this process as
benchmarks/scale.py does) and `bare_simpy_events_per_leg` (the command's wall time per leg in
those events: a machine-independent figure).  Targets (replay performance issue): 1,000,000 legs
in at most 2 bare SimPy events per leg; 10,000,000 legs in at most 4 GB.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._bare import bare_event_seconds  # noqa: E402

CHUNK = 1_000_000
"""Legs generated and written at once."""


def _clock(seconds: np.ndarray) -> np.ndarray:
    """``HH:MM:SS`` of each time (each distinct second formatted once)."""
    every = range(int(seconds.max()) + 1)
    table = np.array([f"{t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}" for t in every], dtype=object)
    return table[seconds]


def synthetic_taps(n: int, seed: int = 1, first_rider: int = 0) -> pd.DataFrame:
    """``n`` legs of riders numbered from ``first_rider``, 1-4 legs each (the last rider may have
    fewer), a leg every 25 minutes."""
    rng = np.random.default_rng(seed)
    per_rider = rng.integers(1, 5, size=n)  # 1-4 legs
    riders = np.repeat(np.arange(n), per_rider)[:n]
    ops = np.array(["transjakarta", "transjakarta", "transjakarta", "mrt", "lrt", "krl", "mikrotrans",
                    "angkot"])
    op = ops[rng.integers(0, len(ops), size=n)]
    start = rng.integers(5 * 3600, 21 * 3600, size=n)
    leg_no = pd.Series(np.ones(n, dtype=np.int64)).groupby(riders).cumsum().to_numpy() - 1
    first = pd.Series(start).groupby(riders).transform("first").to_numpy()
    board = first + leg_no * 1500  # a leg every 25 minutes
    km = np.round(rng.uniform(1, 25, size=n), 1)
    cat = np.where(rng.random(n) < 0.15, "free", "")
    return pd.DataFrame({"rider": riders + first_rider, "operator": op, "board_time": _clock(board),
                         "category": cat, "alight_time": _clock(board + 1200), "distance_km": km})


def write_taps(path: Path, legs: int) -> None:
    """The benchmark's tap file of ``legs`` legs, :data:`CHUNK` at a time (seeds 1, 2, ...; each
    chunk's riders numbered after the previous chunk's, so no card spans two chunks)."""
    for k, at in enumerate(range(0, legs, CHUNK)):
        n = min(CHUNK, legs - at)
        synthetic_taps(n, seed=k + 1, first_rider=at).to_csv(path, index=False, header=k == 0,
                                                            mode="w" if k == 0 else "a")


def main() -> None:
    """Write the tap file, run the command, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--legs", type=int, default=1_000_000)
    parser.add_argument("--scenario", default="scenarios/jakarta/jaklingko-2022.yaml")
    args = parser.parse_args()
    event_s = bare_event_seconds()
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "taps.csv"
        write_taps(src, args.legs)
        exe = Path(sys.executable).with_name("otrip-sim")
        t0 = time.perf_counter()
        subprocess.run([str(exe), "fares", str(ROOT / args.scenario), "--journeys", str(src),
                        "--out", str(Path(tmp) / "out.csv")], check=True)
        seconds = time.perf_counter() - t0
    # the largest child this process waited for: the command (the generator runs in this process)
    rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"legs: {args.legs}")
    print(f"seconds: {seconds:.2f}")
    print(f"legs_per_s: {args.legs / seconds:.0f}")
    print(f"peak_rss_mb: {rss_mb:.0f}")
    print(f"bare_simpy_event_us: {event_s * 1e6:.3f}")
    print(f"bare_simpy_events_per_leg: {seconds / args.legs / event_s:.2f}")


if __name__ == "__main__":
    main()
