"""GTFS network out: a scenario's operators, stops, routes and timetables as the GTFS tables a
consumer needs to load the feed (``agency``, ``stops``, ``routes``, ``trips``, ``stop_times``,
``frequencies``, ``calendar``).  The fares tables (:mod:`.fares_export`) refer to these ids.

A route direction becomes one *template trip* whose ``stop_times.txt`` are the scenario's run
times from the first headway band's start, and one ``frequencies.txt`` row per headway band
(``exact_times`` 1: otrip-sim's departures are the band's start plus whole headways, as GTFS
says of exact times).  ``shape_dist_traveled`` is in metres.  Every trip runs on one service,
:data:`SERVICE_ID`, on every weekday, over ``meta.service_date``.
"""

from __future__ import annotations

from typing import Any

from ..network import build_network
from ..units import format_clock

SERVICE_ID = "scenario_day"
"""The one ``service_id`` of an exported feed (``calendar.txt``; ``timeframes.txt`` uses it too)."""

ROUTE_TYPE = {"bus": 3, "brt": 3, "microbus": 3, "coach": 3, "rail": 2, "metro": 1, "lrt": 0, "ferry": 4,
              "other": 3}
"""GTFS ``route_type`` of an otrip-sim operator ``mode`` (``other``: bus, the commonest)."""

AGENCY_URL = "https://example.invalid/"
"""``agency_url`` is required by GTFS but a scenario has no web address: this placeholder, reported
in ``NOT_EXPORTED.md``."""

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def network_tables(scenario: Any) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
    """The GTFS network tables of ``scenario`` as rows, and what they leave out.

    Parameters
    ----------
    scenario : LoadedScenario
        A loaded scenario.

    Returns
    -------
    tables : dict
        File name -> rows (dicts of column -> value): ``agency.txt`` (one agency per operator, its
        ``agency_timezone`` the scenario's ``meta.timezone``), ``stops.txt``, ``routes.txt`` (the
        routes running in ``meta.year``), ``trips.txt``, ``stop_times.txt`` (times ``HH:MM:SS``,
        ``shape_dist_traveled`` in metres), ``frequencies.txt`` (``headway_secs`` in seconds) and
        ``calendar.txt``.
    not_exported : list of str
        What the network tables cannot say or had to fill in, one line each.
    """
    spec = scenario.spec
    net = build_network(scenario)
    routes = {r.id: r for r in scenario.routes()}
    used = set(net.route_operator)
    timezone = spec.meta.timezone
    agencies = [{"agency_id": op.id, "agency_name": op.name or op.id, "agency_url": AGENCY_URL,
                 "agency_timezone": timezone} for op in spec.operators if op.id in used]
    mode = {op.id: op.mode for op in spec.operators}
    stops = [{"stop_id": sid, "stop_name": name or sid, "stop_lat": s.lat, "stop_lon": s.lon}
             for sid, name, s in zip(net.stop_ids, net.stop_names, spec.network.stops)]
    route_rows = [{"route_id": rid, "agency_id": op, "route_short_name": rid,
                   "route_long_name": routes[rid].name, "route_type": ROUTE_TYPE[mode[op]]}
                  for rid, op in zip(net.route_ids, net.route_operator)]
    trips: list[dict[str, Any]] = []
    stop_times: list[dict[str, Any]] = []
    frequencies: list[dict[str, Any]] = []
    for line in net.lines:
        trip_id = f"{line.route}.{line.direction}"
        trips.append({"route_id": line.route, "service_id": SERVICE_ID, "trip_id": trip_id,
                      "direction_id": line.direction})
        start = line.band_start[0]
        for seq, (stop, m, s) in enumerate(zip(line.stops, line.cum_m, line.cum_s)):
            clock = format_clock(start + s)
            stop_times.append({"trip_id": trip_id, "arrival_time": clock, "departure_time": clock,
                               "stop_id": net.stop_ids[stop], "stop_sequence": seq, "shape_dist_traveled": m})
        frequencies += [{"trip_id": trip_id, "start_time": format_clock(a), "end_time": format_clock(b),
                         "headway_secs": every, "exact_times": 1}
                        for a, b, every in zip(line.band_start, line.band_end, line.band_every)]
    day = spec.meta.service_date.strftime("%Y%m%d")
    calendar = [{"service_id": SERVICE_ID, **dict.fromkeys(WEEKDAYS, 1), "start_date": day, "end_date": day}]
    not_exported = ["agency.txt: agency_url is a placeholder (a scenario has no web address: fill it in)"]
    if spec.network.walk_links or spec.network.walk_radius:
        not_exported.append("network.walk_links / walk_radius: walking links (no transfers.txt is written)")
    if any(s.paid_area for s in spec.network.stops):
        not_exported.append("network.stops: paid areas (gated stations) have no GTFS column")
    tables = {"agency.txt": agencies, "stops.txt": stops, "routes.txt": route_rows, "trips.txt": trips,
              "stop_times.txt": stop_times, "frequencies.txt": frequencies, "calendar.txt": calendar}
    return tables, not_exported
