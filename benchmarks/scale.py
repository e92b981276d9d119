"""Scale benchmark: whole runs (load → outputs incl. the tap log) of the calibrated city day.

Usage: .venv/bin/python benchmarks/scale.py [--journeys N[,N...]] [--iterations K]
       [--scenario scenarios/jakarta-scale/jaklingko-2024.yaml]

Without ``--journeys`` the scenario's whole day; ``--journeys N`` scales the demand so that about N
public-transport journeys result (a list runs each, in one process, e.g. ``360000,720000`` to see
the marginal cost of the second half of the day). ``--iterations K`` overrides
``choice.crowding.iterations`` (K + 1 passes, all run: the gap threshold is set to 1e-12). Per run
it prints ``served_share`` (a fraction of the journeys), the time per step,
``bare_simpy_events_per_journey`` (wall time per public-transport journey divided by the cost of one
bare SimPy event, measured in this process as the best of 3 runs of ``env.run()`` over 1,000,000
``yield env.timeout(1)`` spread across 100 processes: a machine-independent cost figure),
``outputs_share`` (of the wall time) and ``peak_rss_mb``; with several runs, the marginal cost of
each step up, in bare events per added journey. The performance issue's targets for the full
calibrated day: at most 12 bare events per journey (stretch 8), 4 GB, outputs at most a quarter of
the run, the full day's cost per journey within 1.3 x that at 300,000 journeys; three crowding
passes at most 3 x one.

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
from otrip_sim.simulation import SERVED  # noqa: E402


def main() -> None:
    """Parse the options and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", default="", help="about N journeys (a comma list: one run each); "
                        "default: the scenario's whole day")
    parser.add_argument("--scenario", default="scenarios/jakarta-scale/jaklingko-2024.yaml")
    parser.add_argument("--iterations", type=int, default=None, help="choice.crowding.iterations")
    parser.add_argument("--behaviour", action="store_true", help="fixed demand, mode choice, crowding passes")
    parser.add_argument("--ways", default="fixed,modes,crowding",
                        help="with --behaviour: which of them to run")
    args = parser.parse_args()
    if args.behaviour:
        behaviour(args.scenario, int(args.journeys or 1_000_000), args.ways.split(","))
        return
    event_s = bare_event_seconds()
    print(f"bare_simpy_event_us: {event_s * 1e6:.3f}")
    # K iterations are K + 1 passes, every one run (the gap threshold set so that none stops early)
    overrides = ({"choice.crowding.iterations": args.iterations, "choice.crowding.gap": 1e-12}
                 if args.iterations is not None else None)
    done: list[tuple[int, float]] = []
    for journeys in [int(j) for j in args.journeys.split(",") if j] or [None]:
        n, wall = one_run(args.scenario, journeys, overrides, event_s)
        if done:
            n0, wall0 = done[-1]
            marginal = (wall - wall0) / (n - n0) / event_s
            print(f"marginal_bare_events_per_journey {n0:,} -> {n:,}: {marginal:.1f}")
        done.append((n, wall))
    print(f"peak_rss_mb: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f}")


def one_run(scenario_path: str, journeys: int | None, overrides: dict[str, object] | None,
            event_s: float) -> tuple[int, float]:
    """One whole run as ``otrip-sim run`` does it; prints its figures, returns (journeys, wall s)."""
    t0 = time.perf_counter()  # loading is part of the run
    loaded = otrip_sim.load_scenario(ROOT / scenario_path, overrides=overrides)
    scenario = otrip_sim.compile_scenario(loaded)
    scale = 1.0
    if journeys is not None:
        base = sum(r.trips for r in scenario.loaded.spec.demand.od if r.origin != r.destination)
        scale = journeys / base
    t_load = time.perf_counter()
    res = otrip_sim.run(scenario, demand_scale=scale)
    t_run = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        otrip_sim.write_results(res, Path(tmp) / "out")
    wall = time.perf_counter() - t0
    n = len(res.riders)
    served = float((res.records.status == SERVED).mean()) if n else 0.0
    outputs = wall - (t_run - t0)
    print(f"scenario: {scenario_path} at demand scale {scale:.3f}")
    print(f"journeys: {n}")
    print(f"served_share: {served:.4f}")
    print(f"wall_s: {wall:.2f}  (scenario file {t_load - t0:.1f}, "
          f"{', '.join(f'{k} {v:.1f}' for k, v in res.timings.items())}, outputs {outputs:.1f})")
    print(f"outputs_share: {outputs / wall:.3f}")
    if res.iterations:
        print(f"crowding iterations: {len(res.iterations)} ({len(res.iterations) + 1} passes)")
    print(f"journeys_per_s: {n / wall:.1f}")
    print(f"bare_simpy_events_per_journey: {wall / n / event_s:.1f}")
    return n, wall


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
