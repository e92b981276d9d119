"""Warnings about a compiled scenario that is valid but probably not what its author meant.

``otrip-sim validate`` prints them; ``validate --strict`` makes them errors:

- a stop no running route serves;
- OD pairs with no path on the network (a quick check with the path search a run uses, no
  simulation);
- more than :data:`MAX_UNSERVED_SHARE` of the day's journeys on such pairs;
- a route direction longer than :data:`MAX_ROUTE_M`;
- a standalone fare above :data:`MAX_FARE_IDR` (rupiah scenarios only).

Each warning names the file and field path, and the value.
"""

from __future__ import annotations

from .compile import CompiledScenario
from .paths import find_paths

MAX_ROUTE_M = 200_000
"""A route longer than this (200 km) is probably a unit mistake (metres written as km, ...)."""

MAX_FARE_IDR = 100_000
"""A single fare above Rp 100,000 is probably a mistake in a Jakarta-like scenario."""

MAX_UNSERVED_SHARE = 0.2
"""More than this share of the journeys on OD pairs with no path is probably a network mistake."""


def warnings(compiled: CompiledScenario) -> list[str]:
    """The warnings about ``compiled``, in a fixed order (see the module docstring).

    Parameters
    ----------
    compiled : CompiledScenario
        The scenario as a run compiles it.

    Returns
    -------
    list of str
        One line each, naming the file, the field path and the value.
    """
    loaded, net = compiled.loaded, compiled.network
    spec = loaded.spec
    found: list[str] = []
    routes = spec.network.routes if isinstance(spec.network.routes, list) else []
    served = {sid for r in routes for sid in r.stops}  # a route of any year: multi-year networks share stops
    for sid in net.stop_ids:
        if sid not in served:
            found.append(f"{loaded.source('network', 'stops')}: network.stops: stop {sid!r} is served by no "
                         "route")
    long_routes: set[str] = set()  # a route's two directions are one route
    for line in net.lines:
        if line.cum_m[-1] > MAX_ROUTE_M and line.route not in long_routes:
            long_routes.add(line.route)
            found.append(f"{loaded.source('network', 'routes')}: network.routes: route {line.route!r} is "
                         f"{line.cum_m[-1] / 1000:,.1f} km long (over {MAX_ROUTE_M // 1000} km)")
    if spec.meta.currency == "IDR":
        fares = [(f"fares.standalone.{op}", f) for op, f in compiled.policy.standalone.items()]
        fares += [(f"fares.route_fares (route {rid})", f)
                  for rid, f in compiled.policy.route_standalone.items()]
        for where, fare in fares:
            if fare.max_amount > MAX_FARE_IDR:
                found.append(f"{loaded.path}: {where}: a fare of Rp {fare.max_amount:,} "
                             f"(over Rp {MAX_FARE_IDR:,})")
    od = spec.demand.od if isinstance(spec.demand.od, list) else []
    pairs = [(r.origin, r.destination) for r in od]
    if pairs:
        table = find_paths(net, compiled.access, pairs, spec.choice)
        none = [k for k, n in enumerate(table.pair_count.tolist()) if n == 0]
        if none:
            o, d = pairs[none[0]]
            found.append(f"{loaded.source('demand', 'od')}: demand.od: {len(none):,} of {len(pairs):,} OD "
                         f"pairs have no path (first: {o!r} to {d!r})")
        total = sum(r.trips for r in od)
        lost = sum(od[k].trips for k in none)
        if total > 0 and lost / total > MAX_UNSERVED_SHARE:
            found.append(f"{loaded.path}: demand: {lost / total:.0%} of the journeys have no path "
                         f"(over {MAX_UNSERVED_SHARE:.0%})")
    return found
