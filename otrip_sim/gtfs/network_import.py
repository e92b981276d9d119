"""Build a scenario network (stops, routes, walking links, operators) from GTFS feeds.

:func:`import_network` reads one or more GTFS feeds (zip files or folders of ``.txt`` files) with
pandas, picks ONE service day, and writes ``stops.csv``, ``routes.yaml``, ``walk_links.csv``,
``operators.yaml``, ``id_map.csv`` and ``IMPORT.md`` into a new folder that a scenario can name
(``network.stops: network/stops.csv`` …).  What it does, and every fallback it may use, is
documented in ``docs/gtfs-import.md``:

* one otrip-sim route per GTFS route and direction: the stop sequence most trips follow that day
  (``directions: forward``); a pattern that visits a stop twice (loops, out-and-back trips) is
  split into parts with distinct stops (:mod:`.patterns`, :mod:`.feed_import`);
* per-segment distances from ``stop_times.shape_dist_traveled`` (unit detected per feed), else from
  the trip's shape (stops projected onto the polyline), else great-circle between the stops
  (:mod:`.geometry`);
* per-segment run times from the pattern's median trip, else from ``default_speed_kmh``; headways
  from ``frequencies.txt``, else from the trips' departures at the first stop, by hour
  (:mod:`.timetable`);
* capacities by mode (GTFS ``route_type``, :mod:`.options`), walking links within a radius plus
  ``transfers.txt`` (:mod:`.walks`); the folder is written by :mod:`.network_write`.

A broken feed raises one :class:`~otrip_sim.errors.InputError` naming the file, line, column and
value; gaps in a usable feed become warnings listed in ``IMPORT.md`` and the report.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date as Date
from pathlib import Path
from typing import Any

from ..atomic import check_out_dir
from ..errors import InputError
from ..textio import DEFAULT_ZIP_LIMITS, ZipLimits
from ..units import parse_clock
from .feed import Feed
from .feed_import import FeedImport
from .network_write import ordered_route, write_network
from .operators import agency_operator
from .options import DEFAULT_CAPACITY, check_capacity, check_date, check_operator_map, open_feeds, route_mode
from .report import FeedInfo, ImportReport, Notes
from .walks import walk_links


def import_network(
    feeds: Sequence[str | Path] | Mapping[str, str | Path],
    out: str | Path,
    *,
    operators: Mapping[str, str] | None = None,
    date: str | Date | None = None,
    walk_radius: float = 300,
    capacity: Mapping[str, int] | None = None,
    default_speed_kmh: float = 20,
    force: bool = False,
    zip_limits: ZipLimits = DEFAULT_ZIP_LIMITS,
) -> ImportReport:
    """Import GTFS feeds into a scenario network folder ``out``.

    Parameters
    ----------
    feeds:
        GTFS zip files or folders.  With several feeds every stop and route id gets a per-feed
        prefix (``prefix.id``); give a mapping ``{prefix: path}`` to choose the prefixes.
    out:
        Folder to create with ``stops.csv``, ``routes.yaml``, ``walk_links.csv``,
        ``operators.yaml``, ``id_map.csv`` and ``IMPORT.md``.  Written completely or not at all; an
        existing non-empty folder is replaced only with ``force``.
    operators:
        GTFS ``agency_id`` (or ``agency_name``) -> otrip-sim operator id.  Default: the slugified
        ``agency_id``, or ``agency_name`` when the feed has no ids.
    date:
        The service day to import (``YYYYMMDD``); default: per feed, the weekday with most trips.
    walk_radius:
        Link stops whose straight-line distance × 1.3 is at most this many metres (0: off).
    capacity:
        Mode (``bus``, ``tram``, ``metro``, ``rail``, ``ferry``, …; see ``DEFAULT_CAPACITY``) or
        numeric GTFS ``route_type`` -> passengers per vehicle.
    default_speed_kmh:
        Commercial speed for routes whose trips have no times.
    force:
        Replace a non-empty ``out``.
    zip_limits:
        How far a zip feed may unpack (:class:`~otrip_sim.textio.ZipLimits`).

    Raises
    ------
    InputError
        A broken feed or option: names the file, line, column and value.
    OutputError
        ``out`` exists and is not empty (without ``force``), or is a file.
    """
    out = Path(out)
    feed_list = open_feeds(feeds, zip_limits)
    op_map = check_operator_map(operators)
    cap_map = check_capacity(capacity)
    day = check_date(date)
    if not (isinstance(walk_radius, (int, float)) and math.isfinite(walk_radius) and walk_radius >= 0):
        raise InputError("--walk-radius", "", "must be a number of metres >= 0", walk_radius)
    if not (isinstance(default_speed_kmh, (int, float)) and 0 < default_speed_kmh <= 200):
        raise InputError("--default-speed", "", "must be a speed in km/h > 0 and <= 200", default_speed_kmh)
    check_out_dir(out, force, [f.path for f in feed_list])

    notes = Notes()
    built = [FeedImport(feed, day, notes, default_speed_kmh) for feed in feed_list]
    try:
        for b in built:
            b.run()
        return _assemble(built, feed_list, out, force, notes, op_map, cap_map, float(walk_radius))
    finally:
        for feed in feed_list:
            feed.close()


def _assemble(
    built: list[FeedImport],
    feed_list: list[Feed],
    out: Path,
    force: bool,
    notes: Notes,
    op_map: dict[str, str],
    cap_map: dict[str, int],
    walk_radius: float,
) -> ImportReport:
    """Operators, capacities, walking links and the report; then write the folder."""
    operator_rows, route_operator = assign_operators(built, op_map, notes)
    routes: list[dict[str, Any]] = []
    id_rows: list[tuple[str, str, str, str, str]] = []
    cap_used: dict[str, int] = {}
    for b in built:
        id_rows += [("stop", b.feed.label, gid, "", sid) for gid, sid in b.stop_ids.items()]
        for r in b.routes:
            key, route_type = r.pop("_mode"), r.pop("_route_type")
            cap = cap_map.get(str(route_type), cap_map.get(key, DEFAULT_CAPACITY[key]))
            cap_used[f"{key} (route_type {route_type})"] = cap
            r["operator"] = route_operator[(b.feed.label, r.pop("_agency"))]
            r["capacity"] = cap
            gtfs_id, detail = r.pop("_gtfs")
            id_rows.append(("route", b.feed.label, gtfs_id, detail, r["id"]))
            routes.append(ordered_route(r))
    for row in operator_rows:
        for feed_label, agency_key in row.pop("_agencies"):
            id_rows.append(("operator", feed_label, agency_key, "", row["id"]))
    if not routes:
        raise InputError(
            ", ".join(str(f.path) for f in feed_list), "", "no route has trips on the imported service day"
        )
    for key, cap in cap_map.items():
        if key.isdigit():
            continue
        if not any(k.startswith(f"{key} ") for k in cap_used):
            notes.add("note", "", f"--capacity {key}={cap} matched no imported route")
    stops_rows = [row for b in built for row in b.stop_rows]
    links = walk_links(built, walk_radius, notes)
    starts = [parse_clock(h["start"]) for r in routes for h in r["headways"]]
    ends = [parse_clock(h["end"]) for r in routes for h in r["headways"]]
    report = ImportReport(
        out=out,
        feeds=tuple(
            FeedInfo(
                str(b.feed.path),
                b.feed.prefix,
                b.date.strftime("%Y%m%d"),
                b.date_rule,
                b.trips_on_day,
                b.feed.sha256(),
            )
            for b in built
        ),
        stops=len(stops_rows),
        routes=len(routes),
        walk_links=len(links),
        operators=tuple({k: v for k, v in row.items()} for row in operator_rows),
        route_ids=tuple(r["id"] for r in routes),
        service_start=min(starts),
        service_end=max(ends),
        warnings=tuple(notes.lines("warning")),
        fallbacks=tuple(notes.lines("fallback")),
        notes=tuple(notes.lines("note")),
    )
    write_network(out, force, report, stops_rows, routes, links, operator_rows, id_rows, cap_used,
                  inputs=[f.path for f in feed_list])
    return report


def assign_operators(
    built: list[FeedImport], op_map: dict[str, str], notes: Notes
) -> tuple[list[dict[str, Any]], dict[tuple[str, str], str]]:
    """Operators for the agencies that have imported routes.

    ``op_map`` is :func:`~otrip_sim.gtfs.options.check_operator_map`'s result; without an entry an
    agency's operator id is its slugified ``agency_id`` (else ``agency_name``); agencies of
    different feeds that would share an id get their feed's prefix.

    Returns
    -------
    rows, chosen
        ``operators.yaml`` rows (``id``, ``name``, ``mode``: the mode of most of its routes, plus
        ``_agencies`` for ``id_map.csv``), and (feed label, agency key) -> operator id.

    Raises
    ------
    InputError
        An ``--operator`` key matches no agency with imported routes.
    """
    wanted: dict[tuple[str, str], dict[str, Any]] = {}
    for b in built:
        for r in b.routes:
            key = (b.feed.label, r["_agency"])
            a = b.agencies[r["_agency"]]
            entry = wanted.setdefault(key, {"feed": b, "id": a["id"], "name": a["name"], "modes": Counter()})
            entry["modes"][route_mode(r["_route_type"])[1]] += 1
        for agency in b.agencies:
            if not any(k == (b.feed.label, agency) for k in wanted):
                notes.add(
                    "note",
                    b.feed.label,
                    "agencies without routes on the imported day are not listed in operators.yaml",
                    agency,
                )
    used_keys: set[str] = set()
    chosen: dict[tuple[str, str], str] = {}
    explicit: set[tuple[str, str]] = set()
    for key, e in wanted.items():
        chosen[key] = agency_operator(e["id"], e["name"], op_map, key[1])  # the one mapping, shared
        for k in (e["id"], e["name"]):
            if k and k in op_map:
                used_keys.add(k)
                explicit.add(key)
                break
    unused = sorted(set(op_map) - used_keys)
    if unused:
        agencies = sorted({x for e in wanted.values() for x in (e["id"], e["name"]) if x})
        raise InputError(
            "--operator",
            "",
            f"no agency with this agency_id or agency_name among the imported routes (agencies: {agencies})",
            unused[0],
        )
    by_id: dict[str, list[tuple[str, str]]] = {}
    for key, op in chosen.items():
        by_id.setdefault(op, []).append(key)
    for op, keys in by_id.items():
        names = {wanted[k]["name"] for k in keys}
        if len(keys) > 1 and len(names) > 1 and not all(k in explicit for k in keys):
            for k in keys:
                if k not in explicit:
                    prefix = wanted[k]["feed"].feed.prefix
                    chosen[k] = f"{prefix}.{op}" if prefix else op
            notes.add(
                "note",
                "",
                f"agencies of different feeds both map to operator {op!r}: prefixed with their feed "
                "(use --operator to merge or rename them)",
            )
    rows: dict[str, dict[str, Any]] = {}
    for key, op in chosen.items():
        e = wanted[key]
        row = rows.setdefault(
            op,
            {"id": op, "name": e["name"] or e["id"] or op, "mode": "", "_modes": Counter(), "_agencies": []},
        )
        row["_modes"].update(e["modes"])
        row["_agencies"].append((key[0], key[1]))
    out = []
    for op in sorted(rows):
        row = rows[op]
        row["mode"] = row.pop("_modes").most_common(1)[0][0]
        out.append(row)
    return out, chosen
