"""Run a scenario: load → compile → draw persons → choose paths → simulate → results.

The network and the fare policy come from :func:`otrip_sim.compile.compile_scenario`: built once
per run, and the same ones ``otrip-sim validate`` checked.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path as FsPath

import numpy as np

from .choice import SLOT_S, CrowdCosts, DayChoice, choose_day, expected_by_line, measure_crowding
from .compile import CompiledScenario, compile_scenario
from .demand import Riders, generate
from .errors import InputError
from .grouped import group_starts, run_index
from .modes import ModeDay, choose_modes, choose_products, pt_share, ride_access, road_metres, tour_logsums
from .network import Network
from .paths import PathTable, find_paths
from .results import Expected, RunResult
from .rng import keyed_uniform
from .scenario import LoadedScenario, load_scenario
from .schema import Calibration, Meta, Modes, Scenario
from .schema.behaviour import mode_choice_on
from .settlement import settle
from .simulation import PlannedLegs, SimRecords, Simulation
from .units import format_clock


def run(
    scenario: str | FsPath | LoadedScenario | CompiledScenario,
    seed: int | None = None,
    demand_scale: float = 1.0,
    progress: bool = False,
    sample: float = 1.0,
    replication: int = 0,
    warm_start: CrowdCosts | None = None,
    expect: bool = False,
) -> RunResult:
    """Simulate one service day of a scenario.

    Parameters
    ----------
    scenario:
        A scenario file, a loaded scenario, or a compiled one (whose network and fare policy are
        used as they are).
    seed:
        Root random seed; defaults to the scenario's ``meta.seed``.  Same seed → identical results.
    demand_scale:
        Multiplies every OD volume: "what if demand were F times today", on the full network.
    sample:
        Simulate this fraction of the persons (nested: a 10% sample is inside the 20% one), with
        vehicle capacities scaled by it; every count and money total is expanded by ``1 / sample``
        to estimate the full day (see docs/model.md, "Samples").  1: everyone.
    replication:
        Replication number: its draws are independent of every other replication's and the same
        whatever the number of replications.
    progress:
        Show a progress bar with the simulated clock on stderr.
    warm_start:
        Crowding costs to start the crowding iterations from (another run's
        ``RunResult.crowd``, or :func:`otrip_sim.output.read_crowding`); ``None``: the timetable's.
    expect:
        Also count what the model expects (``RunResult.expected``: sums of the choice
        probabilities, free of the draws), as calibration does.

    Returns
    -------
    RunResult
        Journeys, legs and aggregates as data frames, plus plot helpers.
    """
    t_start = time.perf_counter()
    compiled: CompiledScenario | None
    if isinstance(scenario, CompiledScenario):
        compiled, loaded = scenario, scenario.loaded
    else:
        compiled = None
        loaded = scenario if isinstance(scenario, LoadedScenario) else load_scenario(scenario)
    if not (demand_scale > 0 and np.isfinite(demand_scale)):
        raise InputError("--demand-scale", "", "must be a number > 0", demand_scale)
    if not 0 < sample <= 1:
        raise InputError("--sample", "", "must be a fraction in (0, 1]", sample)
    if replication < 0:
        raise InputError("--replications", "", "must be >= 0", replication)
    spec = loaded.spec
    seed = spec.meta.seed if seed is None else seed
    if seed < 0:
        raise InputError("--seed", "", "must be >= 0", seed)
    timings: dict[str, float] = {}

    t_last = t_start

    def lap(name: str) -> None:
        nonlocal t_last
        now = time.perf_counter()
        timings[name] = timings.get(name, 0.0) + now - t_last  # summed over crowding passes
        t_last = now

    # compiled after the argument checks, so a bad --seed fails before the network is built
    if compiled is None:
        compiled = compile_scenario(loaded)
    loaded, spec = compiled.loaded, compiled.loaded.spec  # with a gravity model: its derived zones and OD
    net, policy, access = compiled.network, compiled.policy, compiled.access
    lap("load")

    zone_ids = compiled.zone_ids
    declared = spec.modes if isinstance(spec.modes, Modes) else None
    modes = declared if mode_choice_on(spec) else None
    pivot = modes is not None and spec.meta.demand_basis == "pivot"
    metres = (road_metres(spec.network.stops, net.stop_ids, access, modes.detour)  # type: ignore[arg-type]
              if modes is not None else None)
    share = pt_share(modes, metres) if pivot else None  # type: ignore[arg-type]
    segments = [(g.id, g.share) for g in declared.segments] if declared is not None else []
    riders = generate(spec.demand, zone_ids, seed, demand_scale, [(m.id, m.share) for m in spec.fares.media],
                      sample, replication, segments, share, _segment_by_zone(declared, zone_ids),
                      modes.frequency.base_share if pivot and modes is not None and modes.frequency else None)
    lap("demand")

    # candidate paths for the OD pairs that have riders
    n_zones = len(zone_ids)
    pair_key, at = np.unique(
        riders.origin.astype(np.int64) * n_zones + riders.destination, return_inverse=True
    )
    pairs = [divmod(key, n_zones) for key in pair_key.tolist()]
    ride = (ride_access(modes, spec.network.stops, net.stop_ids, access,  # type: ignore[arg-type]
                        np.array([bool(at) for at in net.lines_at])) if modes is not None else {})
    boarding = _boarding(net, spec)
    table = find_paths(net, access, [(zone_ids[o], zone_ids[d]) for o, d in pairs], spec.choice, ride,
                       boarding)
    lap("paths")

    vot = (np.array([g.value_of_time for g in declared.segments])[riders.segment] if declared and segments
           else np.array([c.value_of_time for c in spec.demand.categories])[riders.category])
    first, count = table.pair_first[at], table.pair_count[at]
    share_j = None
    if share is not None:  # a person's base share: that of the OD row they come from
        start = group_starts(riders.person)
        share_j = share[riders.origin[start], riders.destination[start]][run_index(start)]
    metres_j = metres[riders.origin, riders.destination] if metres is not None else None

    def reference_cost(crowd: CrowdCosts | None) -> np.ndarray | None:
        """A pivot's composite costs under its reference fares (``None``: the scenario's own)."""
        if not pivot or compiled.reference is None:
            return None
        return choose_day(net, compiled.reference, spec.choice, riders, table, first, count, vot, seed,
                          replication, crowd, boarding=boarding).composite

    def _products(modes: Modes, people: Riders) -> np.ndarray:
        """Each person's medium by :func:`~otrip_sim.modes.choose_products`: the day's logsum
        with every medium held by everyone, against the reference fares with the media as
        drawn by their shares."""
        assert modes.products is not None
        reference = reference_cost(warm_start)
        logsums = []
        for m in range(len(people.media_ids)):
            holding = replace(people, media=np.full(len(people), m, dtype=np.int16))
            composite = choose_day(net, policy, spec.choice, holding, table, first, count, vot, seed,
                                   replication, warm_start, boarding=boarding).composite
            assert metres_j is not None
            starts, ls = tour_logsums(modes, spec.meta.demand_basis, holding, composite, reference, metres_j,
                                      share_j, vot, spec.choice.spread, seed, replication)
            per_journey = np.zeros(len(people))
            per_journey[starts] = ls
            logsums.append(per_journey)
        lap("products")
        return choose_products(modes.products, people.media_ids, logsums, people, seed, replication)

    def day(crowd: CrowdCosts | None, previous: np.ndarray | None) -> _Day:
        """Path choice, mode choice and the simulated day, at these crowding costs."""
        chosen_day = choose_day(net, policy, spec.choice, riders, table, first, count, vot, seed, replication,
                                crowd, previous, boarding, probabilities=expect)
        chosen, expected = chosen_day.chosen, chosen_day.expected_board
        people, travellers, mode_day = replace(riders, depart=chosen_day.depart), None, None
        if modes is not None:
            mode_day = choose_modes(modes, spec.meta.demand_basis, riders, chosen_day.composite,
                                    reference_cost(crowd), metres_j, share_j, vot,  # type: ignore[arg-type]
                                    spec.choice.spread, seed, replication)
            keep = mode_day.by_pt
            path = np.maximum(chosen, 0) if len(table) else np.zeros(0, dtype=np.int64)
            if ride:  # the money of a first or last mile by the access mode, beside the fares
                rode = keep & (chosen >= 0) & (table.ride_s[path] > 0 if len(table) else False)
                mode_day = replace(mode_day, cost=np.where(rode, table.ride_money[path] if len(table) else 0,
                                                           mode_day.cost), access_ride=rode)
            n_legs = (np.where(chosen >= 0, table.n_legs[path], 0) if len(table)
                      else np.zeros(len(chosen), dtype=np.int64))
            travellers = people
            people, chosen = riders.subset(keep, chosen_day.depart), chosen[keep]
            expected = expected[np.repeat(keep, n_legs)]
        planned = replace(PlannedLegs.from_choice(table, chosen), expected_board=expected)
        lap("choice")
        sim = Simulation(net, planned, people.depart, spec.demand.max_wait, people.after_s, sample,
                         crowding=crowding.iterations > 0)
        if progress:
            records = _run_with_bar(sim, spec.meta.service_start, spec.meta.service_end, loaded.name)
        else:
            records = sim.run()
        lap("simulation")
        return _Day(chosen_day, people, travellers, mode_day, records)

    crowding = spec.choice.crowding
    crowd = warm_start
    if modes is not None and modes.products is not None:  # the fare medium, chosen above the day
        riders = replace(riders, media=_products(modes, riders))
    today = day(crowd, None)
    iterations: list[dict[str, float]] = []
    for k in range(1, crowding.iterations + 1):
        measured = measure_crowding(net, today.records, crowding, crowding_slots(spec.meta))
        if crowd is None or crowd.multiplier.shape != measured.multiplier.shape:
            crowd = CrowdCosts.none(*measured.multiplier.shape)
        # successive averages of the costs (a warm start counts as the average of one pass before)
        crowd = crowd.averaged(measured, 1 / (k + (warm_start is not None)))
        before = today.choice.chosen
        today = day(crowd, before)
        iterations.append(_convergence(k, today.choice, before))
        if iterations[-1]["relative_gap"] < crowding.gap:
            break
    counted = (_expected(net, spec, table, first, today, 1 / (sample * demand_scale)) if expect
               else None)
    riders, records, planned = today.riders, today.records, today.records.planned
    evasion = dict(spec.money.fare_evasion)
    # per journey and leg, keyed by (person, journey of the day, leg): common random numbers
    width = np.arange(max(int(planned.n_legs.max(initial=0)), 1))
    draws = (keyed_uniform(seed, "evasion", riders.person_key[:, None], riders.trip[:, None].astype(np.int64),
                           width[None, :], replication=replication)
             if any(evasion.values()) else None)
    settled = settle(net, policy, riders, records, evasion, draws)
    lap("fares")
    return RunResult(
        loaded=loaded, seed=seed, demand_scale=demand_scale, sample=sample, replication=replication,
        network=net, riders=riders,
        records=records, settlement=settled, policy=policy, timings=timings,
        modes=today.modes, travellers=today.travellers, crowd=crowd, iterations=iterations, expected=counted,
    )


def _boarding(net: Network, spec: Scenario) -> np.ndarray | None:
    """Per line: its operator's boarding constant (``calibration.boarding_constants``, seconds),
    or ``None`` without any."""
    cal = spec.calibration
    if not isinstance(cal, Calibration) or not cal.boarding_constants:
        return None
    return np.array([cal.boarding_constants.get(ln.operator, 0) for ln in net.lines], dtype=np.float64)


def _expected(net: Network, spec: Scenario, table: PathTable, first: np.ndarray, today: _Day,
              factor: float) -> Expected:
    """The counts the day's choices expect (see :class:`~otrip_sim.results.Expected`), times
    ``factor`` (the sample's expansion over the demand scale)."""
    probability = today.choice.probability
    assert probability is not None, "choose_day(probabilities=True)"
    md = today.modes
    travel = 1 if md is None or md.p_travel is None else md.p_travel
    weight = np.ones(len(probability)) if md is None else md.p_pt * travel
    boardings, tapped = expected_by_line(net, table, first, probability, weight)
    evasion = spec.money.fare_evasion
    ops, of_line = net.line_operators([o.id for o in spec.operators])
    by_op = np.bincount(of_line, weights=boardings, minlength=len(ops)) * factor
    taps = np.bincount(of_line, weights=tapped, minlength=len(ops)) * factor
    tour_size = 1.0
    if md is None or md.expected is None:
        journeys = {"pt": float(probability.sum()) * factor}
    else:
        journeys = {m: float(x) * factor for m, x in zip(md.mode_ids, md.expected, strict=True)}
        people = today.travellers
        if people is not None and len(people):
            tour_size = len(people) / int(people.tour_start.sum())
    return Expected({op: float(by_op[k]) for k, op in enumerate(ops)},
                    {op: float(taps[k]) * (1 - evasion.get(op, 0.0)) for k, op in enumerate(ops)}, journeys,
                    tour_size)


def _segment_by_zone(modes: Modes | None, zone_ids: tuple[str, ...]) -> np.ndarray | None:
    """Zone × segment shares of persons by home zone (``modes.segment_shares``), or ``None``."""
    rows = modes.segment_shares if modes is not None and isinstance(modes.segment_shares, list) else []
    if modes is None or not modes.segments or not rows:
        return None
    seg = {g.id: k for k, g in enumerate(modes.segments)}
    zone = {z: i for i, z in enumerate(zone_ids)}
    out = np.tile([g.share for g in modes.segments], (len(zone_ids), 1))
    for z in {r.zone_id for r in rows}:
        out[zone[z]] = 0.0
    for r in rows:
        out[zone[r.zone_id], seg[r.segment]] = r.share
    return out


def crowding_slots(meta: Meta) -> int:
    """Half-hour slots crowding costs cover: the service day and 6 hours after it (later journeys
    of a day run late)."""
    return int(np.ceil((meta.service_end + 6 * 3600) / SLOT_S))


@dataclass(frozen=True)
class _Day:
    """One pass of choice and simulation."""

    choice: DayChoice
    riders: Riders
    travellers: Riders | None
    modes: ModeDay | None
    records: SimRecords


def _convergence(k: int, now: DayChoice, before: np.ndarray) -> dict[str, float]:
    """Iteration ``k``'s relative gap (the perceived-cost excess of the paths chosen at the
    previous iteration over the best response, both at the costs of this one, over the best) and
    the share of journeys whose path changed."""
    assert now.best_cost is not None and now.previous_cost is not None
    both = np.isfinite(now.best_cost) & np.isfinite(now.previous_cost)
    best = float(now.best_cost[both].sum())
    excess = float((now.previous_cost[both] - now.best_cost[both]).sum())
    gap = excess / best if best > 0 else float("inf")
    switched = float((now.chosen != before).mean()) if len(before) else 0.0
    return {"iteration": k, "relative_gap": round(gap, 6), "switched": round(switched, 6)}


def _run_with_bar(sim: Simulation, start: int, end: int, name: str) -> SimRecords:
    from tqdm import tqdm

    with tqdm(total=(end - start) // 60, unit="sim-min", desc=f"{name} {format_clock(start)}", leave=False,
              bar_format="{desc} |{bar}| {percentage:3.0f}% {elapsed}<{remaining}") as bar:
        def tick(now: int) -> None:
            bar.set_description(f"{name} {format_clock(now)}")
            bar.n = min(bar.total, max(0, (now - start) // 60))
            bar.refresh()

        return sim.run(tick)
