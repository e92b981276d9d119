"""Scale benchmark: one whole run (load → outputs incl. the tap log) at N journeys.

Usage: .venv/bin/python benchmarks/scale.py --journeys 300000 [--scenario scenarios/jakarta/jaklingko-2022.yaml]

The scenario's demand is scaled to about N journeys.  The last lines printed are
``journeys_per_s``, ``peak_rss_mb`` and ``bare_simpy_events_per_journey`` (the run's wall time
per journey divided by the cost of one bare SimPy event, measured in this process as the best of
3 runs of ``env.run()`` over 1,000,000 ``yield env.timeout(1)`` spread across 100 processes: a
machine-independent cost figure).  The city-scale issue's targets: 3 million journeys at
≥ 50,000 journeys/s, ≤ 4 GB, ≤ 20 bare SimPy events per journey.

``--behaviour`` runs the scenario three ways on the same demand and prints the wall time of each
and their ratios (the behaviour issue's targets: mode choice with one pass at most 1.5 × the fixed
demand; three crowding passes at most 3 × one pass): ``fixed`` (``choice.mode_choice: false``),
``modes`` (mode choice from ``demand/modes.yaml`` next to the scenario, pivot demand against the
scenario's own fares, one pass) and ``crowding`` (the same with ``choice.crowding.iterations: 2``,
three passes, the gap threshold set so that all three run).  ``--ways fixed,modes`` runs only
those.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import otrip_sim  # noqa: E402
from benchmarks._bare import bare_event_seconds  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=int, default=300_000)
    parser.add_argument("--scenario", default="scenarios/jakarta/jaklingko-2022.yaml")
    parser.add_argument("--behaviour", action="store_true", help="fixed demand, mode choice, crowding passes")
    parser.add_argument("--ways", default="fixed,modes,crowding", help="with --behaviour: which of them to run")
    args = parser.parse_args()
    if args.behaviour:
        behaviour(args.scenario, args.journeys, args.ways.split(","))
        return
    event_s = bare_event_seconds()
    t0 = time.perf_counter()  # loading is part of the run
    scenario = otrip_sim.compile_scenario(otrip_sim.load_scenario(ROOT / args.scenario))
    base = sum(r.trips for r in scenario.loaded.spec.demand.od if r.origin != r.destination)
    scale = args.journeys / base
    t_load = time.perf_counter()
    res = otrip_sim.run(scenario, demand_scale=scale)
    with tempfile.TemporaryDirectory() as tmp:
        otrip_sim.write_results(res, Path(tmp) / "out")
    wall = time.perf_counter() - t0
    n = len(res.riders)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"scenario: {args.scenario} at demand scale {scale:.3f}")
    print(f"journeys: {n}")
    print(f"wall_s: {wall:.2f}  (scenario file {t_load - t0:.1f}, {', '.join(f'{k} {v:.1f}' for k, v in res.timings.items())}, "
          f"outputs {wall - (t_load - t0) - sum(res.timings.values()):.1f})")
    print(f"bare_simpy_event_us: {event_s * 1e6:.3f}")
    print(f"journeys_per_s: {n / wall:.1f}")
    print(f"peak_rss_mb: {rss_mb:.1f}")
    print(f"bare_simpy_events_per_journey: {wall / n / event_s:.1f}")


def behaviour(scenario: str, journeys: int, only: list[str]) -> None:
    """The cost of mode choice and of crowding passes against the fixed-demand run (the ways
    ``only`` names, in this order: fixed, modes, crowding)."""
    path = ROOT / scenario
    modes = {"modes": "demand/modes.yaml", "meta.demand_basis": "pivot", "demand.pivot_reference": path.name}
    ways = {
        "fixed": {"choice.mode_choice": False},
        "modes": modes,
        "crowding": modes | {"choice.crowding.iterations": 2, "choice.crowding.gap": 1e-12},
    }
    walls: dict[str, float] = {}
    for name, overrides in ways.items():
        if name not in only:
            continue
        t0 = time.perf_counter()
        scenario_c = otrip_sim.compile_scenario(otrip_sim.load_scenario(path, overrides=overrides))
        base = sum(r.trips for r in scenario_c.loaded.spec.demand.od if r.origin != r.destination)
        res = otrip_sim.run(scenario_c, demand_scale=journeys / base)
        walls[name] = time.perf_counter() - t0
        people = len(res.travellers) if res.travellers is not None else len(res.riders)
        print(f"{name}: {walls[name]:.1f} s, {people:,} journeys of all modes, {len(res.riders):,} by public "
              f"transport ({', '.join(f'{k} {v:.1f}' for k, v in res.timings.items())})"
              + (f"; iterations {res.iterations}" if res.iterations else ""))
    if "modes" in walls and "fixed" in walls:
        print(f"modes / fixed: {walls['modes'] / walls['fixed']:.2f} (target <= 1.5)")
    if "crowding" in walls and "modes" in walls:
        print(f"crowding (3 passes) / modes (1 pass): {walls['crowding'] / walls['modes']:.2f} (target <= 3)")
    print(f"peak_rss_mb: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f}")


if __name__ == "__main__":
    main()
