"""The bias of sampled runs (``--sample F``) against the full run, per metric.

Usage: .venv/bin/python benchmarks/sample_bias.py [--fractions 0.1,0.2] [--seeds 3] [SCENARIO ...]

For each scenario and seed, the full run and a run of each sample fraction (the sample nested in
the full population, capacities scaled by F, figures expanded by 1/F).  Prints, per scenario,
fraction and metric, the mean relative difference of the sample's figure from the full run's over
the seeds (the bias, with the seeds' spread beside it).  Metrics: served journeys, fare revenue,
city subsidy, denied boardings, the highest route-hour load factor and the mean over
route-hours of their highest load factor.  docs/model.md quotes the
table ("Samples").
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import otrip_sim  # noqa: E402

DEFAULT = ["scenarios/jakarta/baseline-2017.yaml", "scenarios/jakarta/okotrip-2018.yaml",
           "scenarios/jakarta/jaklingko-2022.yaml"]


def figures(res: otrip_sim.RunResult) -> dict[str, float]:
    t = res.summary()["totals"]
    return {"journeys": t["journeys"], "fare_revenue": t["fare_revenue"], "subsidy": t["subsidy_city"],
            "denied_boardings": t["denied_boardings"],
            "max_load_factor": float(res.by_route["max_load_factor"].max()),
            "mean_peak_load": float(res.by_route["max_load_factor"].mean())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", default=DEFAULT)
    parser.add_argument("--fractions", default="0.1,0.2")
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    fractions = [float(f) for f in args.fractions.split(",")]
    print(f"{'scenario':<22} {'sample':>6} {'metric':<17} {'full':>15} {'bias':>8} {'spread':>8}")
    for path in args.scenarios:
        name = Path(path).stem
        rel: dict[tuple[float, str], list[float]] = {}
        full_mean: dict[str, list[float]] = {}
        for seed in range(1, args.seeds + 1):
            full = figures(otrip_sim.run(ROOT / path, seed=seed))
            for k, v in full.items():
                full_mean.setdefault(k, []).append(v)
            for f in fractions:
                part = figures(otrip_sim.run(ROOT / path, seed=seed, sample=f))
                for k, v in part.items():
                    rel.setdefault((f, k), []).append((v - full[k]) / full[k] if full[k] else float("nan"))
        for f in fractions:
            for k in full_mean:
                r = np.array(rel[(f, k)])
                print(f"{name:<22} {f:>6.0%} {k:<17} {np.mean(full_mean[k]):>15,.2f} {r.mean():>+8.1%} "
                      f"{r.std(ddof=1) if len(r) > 1 else 0:>8.1%}")


if __name__ == "__main__":
    main()
