"""Backcast: the LRT Jakarta's fare from Rp 0 (public trial, Jun - Nov 2019) to Rp 5,000 (1 Dec 2019).

Usage: .venv/bin/python benchmarks/backcast.py [--seeds 1,2,3] [--sample 1]

Runs ``scenarios/jakarta/lrt-trial-2019.yaml`` (the LRT free) and ``lrt-paid-2019.yaml`` (the LRT at
Rp 5,000, pivoting on the trial: its OD table's journeys are those made under the trial's fares) on
the same seeds, with every parameter as the Jakarta examples have it (theta set beforehand from
the -0.3 rule of thumb, nothing tuned to this change), and prints the LRT's tap-ins a day in each,
drawn and expected (the sum of the choice probabilities), the predicted change, and the published
outcome (docs/sources.md: lrt-trial-2019, lrt-paid-2019, lrt-jan-2020).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import otrip_sim  # noqa: E402

OBSERVED = {  # LRT tap-ins a day (src keys of docs/sources.md)
    "trial, Jun - Nov 2019 (lrt-trial-2019)": 6750,
    "paid, 1st week of Dec 2019 (lrt-paid-2019)": 31433 / 7,
    "paid, 2nd week of Dec 2019 (lrt-paid-2019)": 29673 / 7,
    "paid, Jan 2020 (lrt-jan-2020)": 3800,
}


def lrt_taps(res: otrip_sim.RunResult) -> tuple[float, float]:
    """The LRT's tap-ins a day as drawn and as expected."""
    legs = res.legs
    drawn = float(((legs["operator"] == "lrt") & legs["tapped"]).sum()) * res.expansion
    assert res.expected is not None
    return drawn, res.expected.taps["lrt"]


def main() -> None:
    """Print the backcast table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--sample", type=float, default=1.0)
    args = parser.parse_args()
    trial = otrip_sim.load_scenario(ROOT / "scenarios/jakarta/lrt-trial-2019.yaml")
    paid = otrip_sim.load_scenario(ROOT / "scenarios/jakarta/lrt-paid-2019.yaml")
    print("| seed | trial: LRT taps (expected) | paid: LRT taps (expected) | change drawn | change expected "
          "| PT journeys change | wall s |")
    print("|---|---|---|---|---|---|---|")
    for seed in (int(s) for s in args.seeds.split(",")):
        t0 = time.perf_counter()
        a, b = (otrip_sim.run(s, seed=seed, sample=args.sample, expect=True) for s in (trial, paid))
        (d0, e0), (d1, e1) = lrt_taps(a), lrt_taps(b)
        j0, j1 = a.summary()["totals"]["journeys"], b.summary()["totals"]["journeys"]
        print(f"| {seed} | {d0:,.0f} ({e0:,.0f}) | {d1:,.0f} ({e1:,.0f}) | {d1 / d0 - 1:+.1%} | {e1 / e0 - 1:+.1%} "
              f"| {j1 / j0 - 1:+.2%} | {time.perf_counter() - t0:.0f} |")
    base = OBSERVED["trial, Jun - Nov 2019 (lrt-trial-2019)"]
    print("\nPublished (LRT tap-ins a day):")
    for label, value in OBSERVED.items():
        print(f"- {label}: {value:,.0f} ({value / base - 1:+.1%} against the trial)")


if __name__ == "__main__":
    main()
