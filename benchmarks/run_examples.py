"""Time each example scenario at full demand, end to end as `otrip-sim run` does it.

Usage: .venv/bin/python benchmarks/run_examples.py [--demand-scale F] [SCENARIO ...]

Prints one line per scenario: journeys, boardings, model seconds (load → simulation), write
seconds (Parquet, CSV, plots) and journeys per second.  The target (issue #2): each Jakarta
example at full demand in at most 30 s on the 2-core development machine.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import otrip_sim  # noqa: E402

DEFAULT = ["scenarios/jakarta/baseline-2017.yaml", "scenarios/jakarta/okotrip-2018.yaml", "scenarios/jakarta/jaklingko-2022.yaml"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", default=DEFAULT)
    parser.add_argument("--demand-scale", type=float, default=1.0)
    args = parser.parse_args()
    print(f"# {platform.node()} · {platform.processor() or platform.machine()} · Python {platform.python_version()} · otrip-sim {otrip_sim.__version__}")
    print(f"{'scenario':<28} {'journeys':>9} {'boardings':>9} {'model_s':>8} {'write_s':>8} {'total_s':>8} {'journeys/s':>10}")
    for path in args.scenarios:
        t0 = time.perf_counter()
        res = otrip_sim.run(ROOT / path, demand_scale=args.demand_scale)
        t1 = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            otrip_sim.write_results(res, Path(tmp) / "out")
        t2 = time.perf_counter()
        s = res.summary()["totals"]
        print(f"{Path(path).stem:<28} {s['journeys_generated']:>9,} {s['boardings']:>9,} {t1 - t0:>8.2f} {t2 - t1:>8.2f} "
              f"{t2 - t0:>8.2f} {s['journeys_generated'] / (t2 - t0):>10,.0f}")


if __name__ == "__main__":
    main()
