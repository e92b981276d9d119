"""Compile a loaded scenario: build its network and fare policy once, and check what needs them.

:func:`otrip_sim.scenario.load_scenario` reads and validates records; this step turns them into
the objects the model runs on and finishes the checks that only those objects can answer:

- a gravity model's zones each reach a stop (the zones' access stops and OD rows are derived here);
- a cap (a cap window or a period cap) is at least the highest single fare of everything it caps,
  which needs the compiled fares (a distance fare's highest fare is that of the longest line);
- a station table or zone fare prices every stop pair a rider can travel on the network's lines.

``otrip-sim run``, ``replay`` and ``otrip-sim validate`` all go through :func:`compile_scenario`,
so a scenario that validates cannot fail in a run for these reasons, and a run builds its
network once.

Layering: this module sits above :mod:`~otrip_sim.scenario`, :mod:`~otrip_sim.network`,
:mod:`~otrip_sim.demand` and :mod:`~otrip_sim.policy`, and below paths, choice, simulation,
settlement, results and run; none of those lower modules imports it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from .demand import with_gravity_demand, zone_access
from .errors import InputError
from .fares import FarePolicy
from .network import Line, Network, build_network
from .policy import compile_policy
from .scenario import LoadedScenario, load_scenario


@dataclass(frozen=True)
class CompiledScenario:
    """A scenario ready to run: its records, network, fare policy and zone access, built once.

    Attributes
    ----------
    loaded:
        The loaded scenario; with a gravity model, its ``demand.zones`` and ``demand.od`` are the
        derived access stops and journeys per day (:func:`~otrip_sim.demand.with_gravity_demand`).
    network:
        The lines (route directions running in ``meta.year``), stops and walks.
    policy:
        The engine's fare policy; a distance fare without a cap is capped at the fare of the
        network's longest line of its operator (or route).
    access:
        Zone id → its access stops as ``(stop index into network.stop_ids, walk metres)``; with no
        zones, one zone per stop at 0 m.
    reference:
        The fares of ``demand.pivot_reference`` compiled on this network (a pivot scenario's base
        fares); ``None`` without one, or when they are the scenario's own fares.
    """

    loaded: LoadedScenario
    network: Network
    policy: FarePolicy
    access: dict[str, list[tuple[int, int]]]
    reference: FarePolicy | None = None

    @property
    def zone_ids(self) -> tuple[str, ...]:
        """The demand zones' ids, in the order the riders' origin and destination indices use."""
        return tuple(self.access)


def compile_scenario(loaded: LoadedScenario) -> CompiledScenario:
    """Build the network and compile the fare policy, once, and run the checks that need them.

    Parameters
    ----------
    loaded:
        A scenario as :func:`~otrip_sim.scenario.load_scenario` returns it.

    Returns
    -------
    CompiledScenario
        The scenario with its network, fare policy and zone access.

    Raises
    ------
    InputError
        A gravity zone with no stop in reach, a cap below a fare it caps, or a stop pair a rider
        can travel that its station table or zone fare does not price; located like the loader's
        errors (file, field path or CSV line, bad value).
    """
    loaded = with_gravity_demand(loaded)
    network = build_network(loaded)
    policy = compile_policy(loaded.spec.fares, network.longest_line_m())
    _check_caps_contain_fares(loaded, network, policy)
    _check_reachable_pairs_priced(loaded, network, policy)
    ref = loaded.spec.demand.pivot_reference
    reference = None
    if ref is not None and not isinstance(ref, str) and ref.model_dump(exclude={"name"}) != \
            loaded.spec.fares.model_dump(exclude={"name"}):
        reference = compile_policy(ref, network.longest_line_m())
    access = zone_access(loaded.spec.demand, network.stop_ids)
    return CompiledScenario(loaded, network, policy, access, reference)


def as_compiled(scenario: str | Path | LoadedScenario | CompiledScenario) -> CompiledScenario:
    """A compiled scenario from a scenario file, a loaded scenario or a compiled one (as it is).

    Parameters
    ----------
    scenario : str, Path, LoadedScenario or CompiledScenario
        What to compile.

    Returns
    -------
    CompiledScenario
        ``scenario`` itself when it is compiled already.

    Raises
    ------
    InputError
        As :func:`~otrip_sim.scenario.load_scenario` and :func:`compile_scenario`.
    """
    if isinstance(scenario, CompiledScenario):
        return scenario
    return compile_scenario(scenario if isinstance(scenario, LoadedScenario) else load_scenario(scenario))


BASE_BYTES = 400_000_000
"""Memory of a run before its riders: Python, numpy, pandas, the network and the fare policy."""

BYTES_PER_JOURNEY = 1_500
"""Peak memory per simulated journey (rider, candidate paths, legs, taps and the output frames),
measured on the example scenarios with some margin."""


def memory_estimate(loaded: LoadedScenario, demand_scale: float = 1.0) -> int:
    """Estimated peak bytes of a run of ``loaded`` at ``demand_scale``.

    Parameters
    ----------
    loaded : LoadedScenario
        The scenario (with a gravity model, its ``total`` journeys count).
    demand_scale : float
        The run's demand scale.

    Returns
    -------
    int
        Bytes.
    """
    demand = loaded.spec.demand
    od = demand.od if isinstance(demand.od, list) else []
    journeys = demand.gravity.total if demand.gravity is not None else sum(r.trips for r in od)
    scale = demand_scale if math.isfinite(demand_scale) and demand_scale > 0 else 0.0  # run() refuses it
    return int(BASE_BYTES + journeys * scale * BYTES_PER_JOURNEY)


def _check_caps_contain_fares(loaded: LoadedScenario, network: Network, policy: FarePolicy) -> None:
    """A cap (amount in the currency's minor unit) must be at least the highest single fare of every
    operator and route fare it covers: one ride above its cap is a data error, not a policy."""
    fares = loaded.spec.fares
    groups = [(f"fares.windows[{i}].cap", w.operators, w.cap)
              for i, w in enumerate(fares.windows) if w.kind == "cap"]
    groups += [(f"fares.caps[{i}].cap", c.operators, c.cap) for i, c in enumerate(fares.caps)]
    route_op = dict(zip(network.route_ids, network.route_operator))
    for path, ops, cap in groups:
        fares_in = [(op, policy.standalone[op]) for op in ops]
        fares_in += [(rid, f) for rid, f in policy.route_standalone.items() if route_op.get(rid) in ops]
        for name, fare in fares_in:
            highest = fare.max_amount
            if cap < highest:
                raise InputError(loaded.path, path,
                                 f"the cap is below a {name} fare it must contain ({highest})", cap)


def _check_reachable_pairs_priced(loaded: LoadedScenario, network: Network, policy: FarePolicy) -> None:
    """Every entry/exit stop pair a rider can tap on the network is in its station table, or its
    stops are in zones whose pair is in the zone fare table (the engine would fail mid-run)."""
    fares = loaded.spec.fares
    route_fare_of = {rid: i for i, rf in enumerate(fares.route_fares) for rid in rf.routes}
    # which fare prices a line: its route's own fare if it has one, else its operator's
    op_lines: dict[str, list[Line]] = {}
    route_lines: dict[str, list[Line]] = {}
    for line in network.lines:
        if line.route in route_fare_of:
            route_lines.setdefault(line.route, []).append(line)
        else:
            op_lines.setdefault(line.operator, []).append(line)
    checks = [(f"fares.standalone.{op}", op, fare, op_lines.get(op, []))
              for op, fare in policy.standalone.items()]
    checks += [(f"fares.route_fares[{i}].fare", rid, policy.route_standalone[rid], route_lines.get(rid, []))
               for rid, i in route_fare_of.items()]
    for prefix, name, fare, lines in checks:
        if not fare.needs_stops:
            continue
        for a, b in _stop_pairs(network, name, lines):
            issue = fare.pair_issue(a, b)  # symmetric tables are already both ways
            if issue is None:
                continue
            src = loaded.source(prefix, issue.part)
            if issue.part == "table":
                raise InputError(src, "", f"no {name} fare from {a!r} to {b!r}")
            if issue.part == "zones":
                raise InputError(src, "", f"{name} stop {issue.stop!r} has no zone")
            zones = issue.zones or ("", "")
            raise InputError(src, "", f"no {name} fare from zone {zones[0]!r} to zone {zones[1]!r}")


def _stop_pairs(network: Network, name: str, lines: list[Line]) -> list[tuple[str, str]]:
    """Entry and exit stop ids a rider of ``name`` (an operator or a route) can tap: along each of
    its lines, or any two of its stops where it has a paid area (riders change lines inside
    without tapping)."""
    ids = network.stop_ids
    if name in network.stop_paid_area:
        stops = list(dict.fromkeys(ids[s] for line in lines for s in line.stops))
        return [(a, b) for a in stops for b in stops if a != b]
    return [
        (ids[line.stops[a]], ids[line.stops[b]])
        for line in lines for a in range(len(line.stops)) for b in range(a + 1, len(line.stops))
    ]
