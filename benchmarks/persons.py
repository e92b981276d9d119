"""Persons' days in the Jakarta examples, and each policy against its fare-only counterfactual.

Usage: .venv/bin/python benchmarks/persons.py [--sample F] [--seed N]

Per scenario: persons, journeys per person, the share of a day's later journeys (returns, stops
on the way home, second tours) whose first tap falls inside a fare window opened by an earlier
journey of the same card, fare revenue and city subsidy; then each policy's fare revenue and
subsidy against its counterfactual (same seed: the same persons and draws).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import otrip_sim  # noqa: E402

PAIRS = [("baseline-2018", "okotrip-2018"), ("baseline-2018", "okotrip-2018-as-operated"),
         ("no-integration-2022", "jaklingko-2022")]


def later_in_window(res: otrip_sim.RunResult) -> float:
    """Share of later journeys (trip > 0) with a boarding whose first tap is in a window that an
    earlier journey of the person opened."""
    legs = res.legs.merge(res.journeys[["journey", "trip"]], on="journey")
    inside = legs[legs["window"] >= 0]
    opener = inside.groupby(["person", "window"])["journey"].min().rename("opener")
    first = legs[legs["tapped"]].groupby("journey").head(1).join(opener, on=["person", "window"])
    later = first[first["trip"] > 0]
    return float((later["opener"] < later["journey"]).mean()) if len(later) else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    names = sorted({n for pair in PAIRS for n in pair} | {"baseline-2017"})
    runs = {n: otrip_sim.run(ROOT / "scenarios" / "jakarta" / f"{n}.yaml", seed=args.seed, sample=args.sample)
            for n in names}
    print(f"{'scenario':<26} {'persons':>8} {'j/person':>8} {'later in window':>15} {'fare revenue':>15} "
          f"{'city subsidy':>15}")
    for n, res in runs.items():
        t = res.summary()["totals"]
        print(f"{n:<26} {t['persons']:>8,} {t['journeys_per_person']:>8.2f} {later_in_window(res):>15.1%} "
              f"{t['fare_revenue']:>15,} {t['subsidy_city']:>15,}")
    print()
    print(f"{'policy':<26} {'against':<22} {'fare revenue':>14} {'change':>8} {'city subsidy':>14} {'journeys':>9}")
    for base, policy in PAIRS:
        a, b = runs[base].summary()["totals"], runs[policy].summary()["totals"]
        d = b["fare_revenue"] - a["fare_revenue"]
        city = b["subsidy_city"] - a["subsidy_city"]  # summary schema 4: totals.subsidy is all payers
        print(f"{policy:<26} {base:<22} {d:>+14,} {d / a['fare_revenue']:>+8.1%} {city:>+14,} "
              f"{b['journeys'] - a['journeys']:>+9,}")


if __name__ == "__main__":
    main()
