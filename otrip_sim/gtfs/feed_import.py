"""One feed's part of a network import: its stops and agencies, and the imported day's patterns
turned into otrip-sim route dicts (``routes.yaml`` rows, with a few ``_`` keys for the assembly)."""

from __future__ import annotations

import itertools
from datetime import date as Date
from typing import Any

import numpy as np
import pandas as pd

from ..units import format_clock
from .calendar import pick_day
from .feed import Feed
from .geometry import Shapes, distances, read_shapes, sdt_unit
from .ids import make_id
from .options import route_mode
from .patterns import Pattern, find_patterns, read_stop_times
from .report import Notes
from .timetable import Frequencies, headways, read_frequencies, run_times
from .values import col, fail, parse_numbers


class FeedImport:
    """Everything taken from one feed: its stops, agencies and the day's routes.

    Parameters
    ----------
    feed:
        The feed to read.
    day:
        The service day to import (``--date``), or None for the weekday with the most trips.
    notes:
        Where warnings, fallbacks and notes go (shared by the feeds of one import).
    speed_kmh:
        Commercial speed (km/h) for routes whose trips have no times.

    Attributes
    ----------
    stop_ids:
        GTFS ``stop_id`` -> otrip-sim stop id, for the stops (not stations) of the feed.
    stop_rows:
        ``stops.csv`` rows (``stop_id``, ``name``, ``lat``, ``lon``, ``paid_area``) plus ``_lat``,
        ``_lon`` (float degrees) and ``_gid`` (the GTFS id).
    routes:
        ``routes.yaml`` rows (distances in metres, run times in seconds, headways as clock times)
        plus ``_mode``, ``_route_type``, ``_agency`` and ``_gtfs`` for the assembly.
    agencies:
        Agency key (``agency_id``, else ``agency_name``) -> ``{"id", "name"}``.
    date, date_rule, trips_on_day:
        The imported day, why it was chosen and how many trips run on it (set by :meth:`run`).
    """

    def __init__(self, feed: Feed, day: Date | None, notes: Notes, speed_kmh: float) -> None:
        self.feed = feed
        self.day = day
        self.notes = notes
        self.speed_kmh = speed_kmh
        self.stop_ids: dict[str, str] = {}
        self.stop_rows: list[dict[str, Any]] = []
        self.routes: list[dict[str, Any]] = []
        self.agencies: dict[str, dict[str, str]] = {}
        self.date: Date = Date(1970, 1, 1)
        self.date_rule = ""
        self.trips_on_day = 0
        self.route_agency: dict[str, str] = {}
        self.location_type: dict[str, str] = {}
        self.parent: dict[str, str] = {}
        self.stop_pos: dict[str, tuple[float, float]] = {}

    def note(self, kind: str, message: str, subject: str | None = None) -> None:
        """Record a note about this feed (see :class:`~otrip_sim.gtfs.report.Note`)."""
        self.notes.add(kind, self.feed.label, message, subject)

    def run(self) -> None:
        """Read the feed and build its routes; raises :class:`InputError` for a broken feed."""
        f = self.feed
        stops = f.read("stops.txt")
        routes = f.read("routes.txt")
        trips = f.read("trips.txt")
        assert stops is not None and routes is not None and trips is not None
        self._read_agencies(routes)
        self._read_stops(stops)
        route_type = self._read_routes(routes)
        trips = self._check_trips(trips, routes)
        service_day = pick_day(f, trips, self.day, self.note)
        self.date, self.date_rule, self.trips_on_day = (
            service_day.date,
            service_day.rule,
            len(service_day.trips),
        )
        active = service_day.trips
        st = read_stop_times(f, trips, stops, self.location_type, self.note)
        freq = read_frequencies(f, trips, self.note)
        shapes = read_shapes(f)
        day_trips = trips[trips["trip_id"].isin(active)]
        for rid in routes["route_id"][~routes["route_id"].isin(day_trips["route_id"])]:
            self.note("note", f"routes without trips on {self.date:%Y%m%d} are not imported", rid)
        patterns = find_patterns(st, day_trips, self.stop_pos, self.note)
        self._build_routes(patterns, routes, route_type, freq, shapes)

    def _read_agencies(self, routes: pd.DataFrame) -> None:
        f = self.feed
        agency = f.read("agency.txt", required=False)
        if agency is None or not len(agency):
            self.note(
                "warning",
                "agency.txt missing or empty: operators named after the routes' agency_id or the feed",
            )
            agency = pd.DataFrame({"agency_id": [], "agency_name": [], "_line": []})
        ids = col(agency, "agency_id")
        names = col(agency, "agency_name")
        for i in range(len(agency)):
            aid, aname = str(ids.iat[i]), str(names.iat[i])
            self.agencies[aid or aname or self.feed.label] = {"id": aid, "name": aname}
        route_agency = col(routes, "agency_id")
        if len(agency) > 1:
            fail(
                f,
                "routes.txt",
                routes.assign(agency_id=route_agency),
                (route_agency == "").to_numpy(),
                "agency_id",
                "required when agency.txt lists several agencies",
            )
        if len(agency):
            known = set(ids[ids != ""])
            if known:
                bad = (route_agency != "") & ~route_agency.isin(known)
                fail(
                    f, "routes.txt", routes, bad.to_numpy(), "agency_id", "unknown agency (not in agency.txt)"
                )
        else:
            for a in sorted(set(route_agency)):
                self.agencies[a or self.feed.label] = {"id": a, "name": a}
        default = next(iter(self.agencies))
        self.route_agency = {
            rid: (a if a in self.agencies else default) for rid, a in zip(routes["route_id"], route_agency)
        }

    def _read_stops(self, stops: pd.DataFrame) -> None:
        f = self.feed
        dup = stops["stop_id"].duplicated().to_numpy()
        fail(f, "stops.txt", stops, dup, "stop_id", "duplicate stop_id")
        fail(f, "stops.txt", stops, (stops["stop_id"] == "").to_numpy(), "stop_id", "empty stop_id")
        loc = col(stops, "location_type")
        fail(
            f,
            "stops.txt",
            stops.assign(location_type=loc),
            ~loc.isin(["", "0", "1", "2", "3", "4"]).to_numpy(),
            "location_type",
            "invalid location_type (expected 0-4 or empty)",
        )
        self.location_type = dict(zip(stops["stop_id"], loc))
        self.parent = dict(zip(stops["stop_id"], col(stops, "parent_station")))
        platform = stops[loc.isin(["", "0"]).to_numpy()].reset_index(drop=True)
        lat = parse_numbers(f, "stops.txt", platform, "stop_lat", "latitude")
        lon = parse_numbers(f, "stops.txt", platform, "stop_lon", "longitude")
        fail(
            f,
            "stops.txt",
            platform,
            ~(np.abs(lat) <= 90),
            "stop_lat",
            "a stop needs a latitude between -90 and 90",
        )
        fail(
            f,
            "stops.txt",
            platform,
            ~(np.abs(lon) <= 180),
            "stop_lon",
            "a stop needs a longitude between -180 and 180",
        )
        names = col(platform, "stop_name")
        used: set[str] = set()
        renamed = 0
        for i, gid in enumerate(platform["stop_id"]):
            sid = make_id(gid, self.feed.prefix, used)
            if sid != (f"{self.feed.prefix}.{gid}" if self.feed.prefix else gid):
                renamed += 1
            used.add(sid)
            self.stop_ids[gid] = sid
            name = str(names.iat[i])
            self.stop_rows.append(
                {
                    "stop_id": sid,
                    "name": name,
                    "lat": platform["stop_lat"].iat[i],
                    "lon": platform["stop_lon"].iat[i],
                    "paid_area": "",
                    "_lat": lat[i],
                    "_lon": lon[i],
                    "_gid": gid,
                }
            )
        self.stop_pos = {gid: (lat[i], lon[i]) for i, gid in enumerate(platform["stop_id"])}
        if renamed:
            self.note(
                "note",
                f"{renamed} stop ids changed to fit otrip-sim ids (A-Z a-z 0-9 _ . -, not a bare number, "
                "unique, at most 100 characters); id_map.csv maps them",
            )

    def _read_routes(self, routes: pd.DataFrame) -> dict[str, int]:
        f = self.feed
        fail(
            f,
            "routes.txt",
            routes,
            routes["route_id"].duplicated().to_numpy(),
            "route_id",
            "duplicate route_id",
        )
        rt = parse_numbers(
            f, "routes.txt", routes, "route_type", "route_type (expected an integer)", integer=True
        )
        fail(f, "routes.txt", routes, np.isnan(rt), "route_type", "route_type is required")
        out = {rid: int(t) for rid, t in zip(routes["route_id"], rt)}
        for rid, t in out.items():
            if route_mode(t)[0] == "other":
                self.note("warning", f"unknown route_type {t}: capacity of mode 'other'", rid)
        return out

    def _check_trips(self, trips: pd.DataFrame, routes: pd.DataFrame) -> pd.DataFrame:
        f = self.feed
        fail(f, "trips.txt", trips, trips["trip_id"].duplicated().to_numpy(), "trip_id", "duplicate trip_id")
        fail(
            f,
            "trips.txt",
            trips,
            (~trips["route_id"].isin(routes["route_id"])).to_numpy(),
            "route_id",
            "unknown route (not in routes.txt)",
        )
        for c in ("direction_id", "shape_id", "trip_headsign"):
            if c not in trips.columns:
                trips[c] = ""
        fail(
            f,
            "trips.txt",
            trips,
            ~trips["direction_id"].isin(["", "0", "1"]).to_numpy(),
            "direction_id",
            "invalid direction_id (expected 0, 1 or empty)",
        )
        return trips

    def _build_routes(
        self,
        patterns: list[Pattern],
        routes: pd.DataFrame,
        route_type: dict[str, int],
        freq: Frequencies,
        shapes: Shapes,
    ) -> None:
        unit = sdt_unit(patterns, self.note)
        info = routes.set_index("route_id")
        used_ids: set[str] = set()
        for p in patterns:
            label = p.route_id + (f" direction {p.direction}" if p.direction else "")
            cum_m = distances(p, unit, shapes, self.stop_pos, self.note, label)
            cum_s, timed = run_times(p, cum_m, self.speed_kmh, self.note, label)
            bands = headways(p, freq, timed, self.note, label)
            # split where the pattern comes back to a stop it already served (loops, out-and-back)
            pieces: list[list[int]] = [[0]]
            seen = {p.stops[0]}
            for k in range(1, len(p.stops)):
                if p.stops[k] in seen:
                    pieces.append([k - 1, k])
                    seen = {p.stops[k - 1], p.stops[k]}
                else:
                    pieces[-1].append(k)
                    seen.add(p.stops[k])
            if len(pieces) > 1:
                self.note(
                    "note",
                    "pattern serves a stop twice (loop or out-and-back): split into parts with "
                    "distinct stops, each departing when the trip reaches its first stop",
                    f"{label}: {len(pieces)} parts",
                )
            row = info.loc[p.route_id]
            short, long_ = (
                str(row.get("route_short_name", "") or ""),
                str(row.get("route_long_name", "") or ""),
            )
            base_name = " ".join(dict.fromkeys(x for x in (short, long_) if x)) or p.route_id
            if p.headsign and p.headsign not in (short, long_):
                base_name += f" → {p.headsign}"
            elif p.direction:
                base_name += f" (direction {p.direction})"
            base_id = p.route_id + (f"-{p.direction}" if p.direction else "")
            rt = route_type[p.route_id]
            for n, piece in enumerate(pieces, start=1):
                rid = base_id + (f"-p{n}" if len(pieces) > 1 else "")
                rid = make_id(rid, self.feed.prefix, used_ids)
                used_ids.add(rid)
                offset = cum_s[piece[0]]
                route: dict[str, Any] = {
                    "id": rid,
                    "name": base_name + (f" (part {n} of {len(pieces)})" if len(pieces) > 1 else ""),
                    "stops": [self.stop_ids[p.stops[k]] for k in piece],
                    "distances": [cum_m[b] - cum_m[a] for a, b in itertools.pairwise(piece)],
                    "headways": [
                        {
                            "start": format_clock(s + offset, seconds="nonzero"),
                            "end": format_clock(e + offset, seconds="nonzero"),
                            "every": every,
                        }
                        for s, e, every in bands
                    ],
                    "directions": "forward",
                    "_mode": route_mode(rt)[0],
                    "_route_type": rt,
                    "_agency": self.route_agency[p.route_id],
                    "_gtfs": (
                        p.route_id,
                        " ".join(
                            x
                            for x in (
                                f"direction {p.direction}" if p.direction else "",
                                f"part {n} of {len(pieces)}" if len(pieces) > 1 else "",
                            )
                            if x
                        ),
                    ),
                }
                if timed:
                    route["run_times"] = [cum_s[b] - cum_s[a] for a, b in itertools.pairwise(piece)]
                else:
                    route["speed_kmh"] = self.speed_kmh
                self.routes.append(route)
