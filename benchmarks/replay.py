"""Replay pricing speed: `otrip-sim fares` on N synthetic legs, timed from process start to exit.

Usage: .venv/bin/python benchmarks/replay.py [--legs 1000000] [--scenario scenarios/jakarta/jaklingko-2022.yaml]

Writes a reproducible synthetic tap file (riders with 1-4 legs on the scenario's operators,
distances 1-25 km, some free riders) to a temporary folder, runs the command once as a user
would, and prints `legs`, `seconds` and `legs_per_s` as its last lines.  Target (fares issue):
1,000,000 legs in at most 4 s on one core.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent


def synthetic_taps(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    per_rider = rng.integers(1, 5, size=n)  # 1-4 legs
    riders = np.repeat(np.arange(n), per_rider)[:n]
    ops = np.array(["transjakarta", "transjakarta", "transjakarta", "mrt", "lrt", "krl", "mikrotrans", "angkot"])
    op = ops[rng.integers(0, len(ops), size=n)]
    start = rng.integers(5 * 3600, 21 * 3600, size=n)
    leg_no = pd.Series(np.ones(n, dtype=np.int64)).groupby(riders).cumsum().to_numpy() - 1
    first = pd.Series(start).groupby(riders).transform("first").to_numpy()
    board = first + leg_no * 1500  # a leg every 25 minutes
    clock = [f"{t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}" for t in board]
    km = np.round(rng.uniform(1, 25, size=n), 1)
    alight = [f"{t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}" for t in board + 1200]
    cat = np.where(rng.random(n) < 0.15, "free", "")
    return pd.DataFrame({"rider": riders, "operator": op, "board_time": clock, "category": cat,
                         "alight_time": alight, "distance_km": km})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--legs", type=int, default=1_000_000)
    parser.add_argument("--scenario", default="scenarios/jakarta/jaklingko-2022.yaml")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "taps.csv"
        synthetic_taps(args.legs).to_csv(src, index=False)
        exe = Path(sys.executable).with_name("otrip-sim")
        t0 = time.perf_counter()
        subprocess.run([str(exe), "fares", str(ROOT / args.scenario), "--journeys", str(src), "--out", str(Path(tmp) / "out.csv")],
                       check=True)
        seconds = time.perf_counter() - t0
    print(f"legs: {args.legs}")
    print(f"seconds: {seconds:.2f}")
    print(f"legs_per_s: {args.legs / seconds:.0f}")


if __name__ == "__main__":
    main()
