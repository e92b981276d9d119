"""Build a scenario network (stops, routes, walking links, operators) from GTFS feeds.

:func:`import_network` reads one or more GTFS feeds (zip files or folders of ``.txt`` files) with
pandas, picks ONE service day, and writes ``stops.csv``, ``routes.yaml``, ``walk_links.csv``,
``operators.yaml``, ``id_map.csv`` and ``IMPORT.md`` into a new folder that a scenario can name
(``network.stops: network/stops.csv`` …).  What it does, and every fallback it may use, is
documented in ``docs/gtfs-import.md``:

* one otrip-sim route per GTFS route and direction: the stop sequence most trips follow that day
  (``directions: forward``); a pattern that visits a stop twice (loops, out-and-back trips) is
  split into parts with distinct stops;
* per-segment distances from ``stop_times.shape_dist_traveled`` (unit detected per feed), else from
  the trip's shape (stops projected onto the polyline), else great-circle between the stops;
* per-segment run times from the pattern's median trip, else from ``default_speed_kmh``;
* headways from ``frequencies.txt``, else from the trips' departures at the first stop, by hour;
* capacities by mode (GTFS ``route_type``), walking links within a radius plus ``transfers.txt``.

A broken feed raises one :class:`~otrip_sim.errors.InputError` naming the file, line, column and
value; gaps in a usable feed become warnings listed in ``IMPORT.md`` and the report.
"""

from __future__ import annotations

import csv
import hashlib
import math
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date as Date
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import pandas as pd
import yaml
from pydantic import ValidationError

from . import __version__
from .errors import InputError
from .geo import EARTH_RADIUS_M, WALK_DETOUR, great_circle_m
from .atomic import atomic_folder, check_out_dir
from .units import format_clock, parse_clock

# ------------------------------------------------------------------------------------ assumptions
#: Passengers per vehicle by mode, used unless ``capacity`` overrides them.  Assumptions, not data:
#: GTFS says nothing about vehicle size.
DEFAULT_CAPACITY: dict[str, int] = {
    "bus": 60, "trolleybus": 60, "coach": 50, "tram": 150, "monorail": 500, "metro": 1000,
    "rail": 1000, "ferry": 200, "cable": 30, "funicular": 100, "other": 60,
}
#: Walking speed used to turn ``transfers.txt`` ``min_transfer_time`` into metres.
TRANSFER_WALK_SPEED = 1.2
#: When a pattern has no times at all and no frequencies: its trips spread evenly over this span.
FALLBACK_SPAN = (6 * 3600, 22 * 3600)
#: A stop farther than this from its trip's shape makes the shape unusable for that pattern.
MAX_SHAPE_OFFSET_M = 200.0
#: Units ``shape_dist_traveled`` may be in, with their length in metres.
SDT_UNITS = {"metres": 1.0, "kilometres": 1000.0, "miles": 1609.344, "feet": 0.3048}

_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_REQUIRED = {
    "stops.txt": ["stop_id", "stop_lat", "stop_lon"],
    "routes.txt": ["route_id", "route_type"],
    "trips.txt": ["route_id", "service_id", "trip_id"],
    "stop_times.txt": ["trip_id", "stop_id", "stop_sequence"],
}
_DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_ID_BAD = re.compile(r"[^A-Za-z0-9_.\-]+")


# ----------------------------------------------------------------------------------------- report
@dataclass(frozen=True)
class FeedInfo:
    """One imported feed: where it came from and which day was imported."""

    path: str
    prefix: str
    date: str
    date_rule: str
    trips: int
    sha256: str


@dataclass(frozen=True)
class ImportReport:
    """What :func:`import_network` wrote.

    ``warnings`` are problems found in the feeds (data skipped or repaired); ``fallbacks`` name
    every place where a documented default replaced missing data.  ``service_start`` and
    ``service_end`` (seconds) bound the imported timetable: a scenario's ``meta`` must cover them.
    """

    out: Path
    feeds: tuple[FeedInfo, ...]
    stops: int
    routes: int
    walk_links: int
    operators: tuple[dict[str, str], ...]
    route_ids: tuple[str, ...]
    service_start: int
    service_end: int
    warnings: tuple[str, ...] = ()
    fallbacks: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


class _Notes:
    """Warnings, fallbacks and notes, grouped by message so a city feed does not list 2,000 lines."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, str, str], list[str]] = {}

    def add(self, kind: str, feed: str, message: str, subject: str | None = None) -> None:
        subjects = self._items.setdefault((kind, feed, message), [])
        if subject is not None:
            subjects.append(subject)

    def lines(self, kind: str) -> list[str]:
        out = []
        for (k, feed, message), subjects in self._items.items():
            if k != kind:
                continue
            text = f"{feed}: {message}" if feed else message
            if subjects:
                shown = ", ".join(subjects[:12]) + (f" … and {len(subjects) - 12} more" if len(subjects) > 12 else "")
                text += f" [{len(subjects)}: {shown}]" if len(subjects) > 1 else f" [{shown}]"
            out.append(text)
        return out


# ------------------------------------------------------------------------------------------- feeds
class _Feed:
    """A GTFS feed in a zip file or a folder; reads its tables as text with pandas."""

    def __init__(self, path: Path, prefix: str) -> None:
        self.path = path
        self.prefix = prefix
        self.label = prefix or path.name
        self._zip: zipfile.ZipFile | None = None
        self._members: dict[str, str] = {}
        if path.is_dir():
            self._members = {p.name: p.name for p in sorted(path.iterdir()) if p.is_file()}
        elif path.is_file() and zipfile.is_zipfile(path):
            self._zip = zipfile.ZipFile(path)
            depth: dict[str, int] = {}
            for name in self._zip.namelist():
                if name.endswith("/") or name.startswith("__MACOSX/"):
                    continue
                base = PurePosixPath(name).name
                if base not in depth or name.count("/") < depth[base]:
                    depth[base] = name.count("/")
                    self._members[base] = name
        elif path.exists():
            raise InputError(path, "", "not a GTFS feed: expected a .zip file or a folder of GTFS .txt files")
        else:
            raise InputError(path, "", "feed not found")

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def display(self, name: str) -> str:
        return f"{self.path}/{self._members.get(name, name)}"

    def has(self, name: str) -> bool:
        return name in self._members

    def sha256(self) -> str:
        h = hashlib.sha256()
        if self._zip is not None:
            h.update(self.path.read_bytes())
        else:
            for name in sorted(self._members):
                h.update(name.encode() + b"\0" + (self.path / name).read_bytes())
        return h.hexdigest()

    def read(self, name: str, columns: Iterable[str] | None = None, required: bool = True) -> pd.DataFrame | None:
        """Read a table as stripped text; ``_line`` holds each row's line in the file (header = 1)."""
        display = self.display(name)
        if not self.has(name):
            if required:
                raise InputError(display, "", "required file missing from the feed")
            return None
        wanted = set(columns) if columns is not None else None
        usecols = (lambda c: c.strip() in wanted) if wanted is not None else None
        try:
            if self._zip is not None:
                with self._zip.open(self._members[name]) as handle:
                    df = _read_csv(handle, usecols)
            else:
                df = _read_csv(self.path / name, usecols)
        except pd.errors.EmptyDataError:
            raise InputError(display, "line 1", "empty file: expected a header row") from None
        except pd.errors.ParserError as exc:
            raise InputError(display, "", f"cannot parse CSV: {str(exc).strip()}") from None
        except UnicodeDecodeError:
            raise InputError(display, "", "not UTF-8 text") from None
        df.columns = [c.strip() for c in df.columns]
        df["_line"] = np.arange(2, len(df) + 2)
        data = [c for c in df.columns if c != "_line"]
        for c in data:
            df[c] = df[c].str.strip()
        if len(df):
            df = df[(df[data] != "").any(axis=1)] if data else df
        self.require(name, df, _REQUIRED.get(name, []))
        return df.reset_index(drop=True)

    def require(self, name: str, df: pd.DataFrame, columns: Iterable[str]) -> None:
        """Raise for the first of ``columns`` that the table ``name`` lacks."""
        for col in columns:
            if col not in df.columns:
                raise InputError(self.display(name), "line 1", f"missing column {col!r}")


def _read_csv(source: Any, usecols: Any) -> pd.DataFrame:
    return pd.read_csv(
        source, dtype=str, keep_default_na=False, na_filter=False, skip_blank_lines=False,
        encoding="utf-8-sig", usecols=usecols,
    )


def _fail(feed: _Feed, name: str, df: pd.DataFrame, mask: Any, column: str, message: str) -> None:
    """Raise for the first row where ``mask`` is true."""
    mask = np.asarray(mask, dtype=bool)
    if mask.any():
        i = int(np.argmax(mask))
        raise InputError(feed.display(name), f"line {df['_line'].iat[i]}, column {column}", message, df[column].iat[i])


def _col(df: pd.DataFrame, name: str) -> pd.Series:
    return df[name] if name in df.columns else pd.Series([""] * len(df), index=df.index, dtype=str)


def _parse_times(feed: _Feed, name: str, df: pd.DataFrame, column: str) -> np.ndarray:
    """GTFS times ``H:MM:SS`` (hours may pass 24) to seconds; empty cells become NaN."""
    if column not in df.columns:
        return np.full(len(df), np.nan)
    s = df[column]
    values = _by_unique(s, _time_value)  # -1: invalid, NaN: empty
    _fail(feed, name, df, values == -1, column, "invalid time: expected H:MM:SS (hours may pass 24, minutes and seconds 00-59)")
    return values


_TIME = re.compile(r"^(\d{1,3}):([0-5]\d):([0-5]\d)$")


def _time_value(text: str) -> float:
    if text == "":
        return math.nan
    m = _TIME.match(text)
    return -1.0 if m is None else int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3])


def _number_value(text: str) -> float:
    if text == "":
        return math.nan
    try:
        v = float(text)
    except ValueError:
        return math.inf
    return v if math.isfinite(v) else math.inf


def _by_unique(s: pd.Series, fn: Any) -> np.ndarray:
    """Apply ``fn`` once per distinct text (GTFS columns repeat the same few values a million times)."""
    codes, uniques = pd.factorize(s, sort=False)
    return np.array([fn(u) for u in uniques], dtype=float)[codes] if len(s) else np.zeros(0)


def _parse_numbers(feed: _Feed, name: str, df: pd.DataFrame, column: str, what: str, integer: bool = False) -> np.ndarray:
    if column not in df.columns:
        return np.full(len(df), np.nan)
    values = _by_unique(df[column], _number_value)  # inf: not a number, NaN: empty
    bad = np.isinf(values)
    if integer:
        bad |= np.isfinite(values) & (values != np.round(values))
    _fail(feed, name, df, bad, column, f"invalid {what}")
    return values


# ------------------------------------------------------------------------------------------ public
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

    Raises
    ------
    InputError
        A broken feed or option: names the file, line, column and value.
    OutputError
        ``out`` exists and is not empty (without ``force``), or is a file.
    """
    out = Path(out)
    feed_list = _feed_list(feeds)
    op_map = _check_operator_map(operators)
    cap_map = _check_capacity(capacity)
    day = _check_date(date)
    if not (isinstance(walk_radius, (int, float)) and math.isfinite(walk_radius) and walk_radius >= 0):
        raise InputError("--walk-radius", "", "must be a number of metres >= 0", walk_radius)
    if not (isinstance(default_speed_kmh, (int, float)) and 0 < default_speed_kmh <= 200):
        raise InputError("--default-speed", "", "must be a speed in km/h > 0 and <= 200", default_speed_kmh)
    check_out_dir(out, force)

    notes = _Notes()
    built = [_FeedImport(feed, day, notes, default_speed_kmh) for feed in feed_list]
    try:
        for b in built:
            b.run()
        return _assemble(built, feed_list, out, force, notes, op_map, cap_map, float(walk_radius))
    finally:
        for feed in feed_list:
            feed.close()


def _assemble(built: list[_FeedImport], feed_list: list[_Feed], out: Path, force: bool, notes: _Notes,
              op_map: dict[str, str], cap_map: dict[str, int], walk_radius: float) -> ImportReport:
    """Operators, capacities, walking links and the report; then write the folder."""
    operator_rows, route_operator = _operators(built, op_map, notes)
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
            routes.append(_ordered_route(r))
    for row in operator_rows:
        for feed_label, agency_key in row.pop("_agencies"):
            id_rows.append(("operator", feed_label, agency_key, "", row["id"]))
    if not routes:
        raise InputError(", ".join(str(f.path) for f in feed_list), "", "no route has trips on the imported service day")
    for key in cap_map:
        if key.isdigit():
            continue
        if not any(k.startswith(f"{key} ") for k in cap_used):
            notes.add("note", "", f"--capacity {key}={cap_map[key]} matched no imported route")
    stops_rows = [row for b in built for row in b.stop_rows]
    links = _walk_links(built, walk_radius, notes)
    starts = [parse_clock(h["start"]) for r in routes for h in r["headways"]]
    ends = [parse_clock(h["end"]) for r in routes for h in r["headways"]]
    report = ImportReport(
        out=out,
        feeds=tuple(FeedInfo(str(b.feed.path), b.feed.prefix, b.date.strftime("%Y%m%d"), b.date_rule, b.trips_on_day, b.feed.sha256())
                    for b in built),
        stops=len(stops_rows), routes=len(routes), walk_links=len(links),
        operators=tuple({k: v for k, v in row.items()} for row in operator_rows),
        route_ids=tuple(r["id"] for r in routes),
        service_start=min(starts), service_end=max(ends),
        warnings=tuple(notes.lines("warning")), fallbacks=tuple(notes.lines("fallback")), notes=tuple(notes.lines("note")),
    )
    _write(out, force, report, stops_rows, routes, links, operator_rows, id_rows, cap_used)
    return report


# --------------------------------------------------------------------------------------- options
def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _feed_list(feeds: Sequence[str | Path] | Mapping[str, str | Path]) -> list[_Feed]:
    if isinstance(feeds, (str, Path)):
        feeds = [feeds]
    if isinstance(feeds, Mapping):
        pairs = [(str(k), Path(v)) for k, v in feeds.items()]
        for prefix, _ in pairs:
            if not re.fullmatch(r"[A-Za-z0-9_\-]{1,30}", prefix):
                raise InputError("--prefix", "", "a prefix is 1-30 characters from A-Z a-z 0-9 _ -", prefix)
    else:
        paths = [Path(p) for p in feeds]
        pairs = [(_default_prefix(p), p) for p in paths]
        seen: Counter[str] = Counter()
        for i, (prefix, p) in enumerate(pairs):
            seen[prefix] += 1
            if seen[prefix] > 1:
                pairs[i] = (f"{prefix}-{seen[prefix]}", p)
    if not pairs:
        raise InputError("FEED", "", "give at least one GTFS feed")
    if len({p for p, _ in pairs}) != len(pairs):
        raise InputError("--prefix", "", "prefixes must be unique", [p for p, _ in pairs])
    single = len(pairs) == 1
    return [_Feed(path, "" if single else prefix) for prefix, path in pairs]


def _default_prefix(path: Path) -> str:
    """``feeds/caltrain_gtfs.zip`` -> ``caltrain``; ``bogor-angkot-gtfs/gtfs.zip`` -> ``bogor-angkot``."""
    for part in (path.stem if path.suffix.lower() == ".zip" else path.name, path.absolute().parent.name):
        name = re.sub(r"(^|[-_])(gtfs|google[-_]transit)(?=$|[-_])", "", _slug(part).replace("-", "_")).strip("_")
        name = name.replace("_", "-")[:30].strip("-")
        if name:
            return name
    return "feed"


def _check_operator_map(operators: Mapping[str, str] | None) -> dict[str, str]:
    out = dict(operators or {})
    for agency, op in out.items():
        if not re.fullmatch(r"[A-Za-z0-9_.\-]{1,100}", str(op)):
            raise InputError("--operator", "", f"operator id for {agency!r}: 1-100 characters from A-Z a-z 0-9 _ . -", op)
    return out


def _check_capacity(capacity: Mapping[str, int] | None) -> dict[str, int]:
    out: dict[str, int] = {}
    for key, value in (capacity or {}).items():
        key = str(key).strip().lower()
        if key not in DEFAULT_CAPACITY and not key.isdigit():
            raise InputError("--capacity", "", f"unknown mode (use a GTFS route_type number or one of {sorted(DEFAULT_CAPACITY)})", key)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise InputError("--capacity", "", f"{key}: passengers per vehicle must be an integer > 0", value)
        out[key] = value
    return out


def _check_date(value: str | Date | None) -> Date | None:
    if value is None or isinstance(value, Date):
        return value
    try:
        if not re.fullmatch(r"\d{8}", str(value)):
            raise ValueError
        return datetime.strptime(str(value), "%Y%m%d").date()
    except ValueError:
        raise InputError("--date", "", "expected a date YYYYMMDD", value) from None


# ---------------------------------------------------------------------------------------- modes
def _mode(route_type: int) -> tuple[str, str]:
    """GTFS route_type (basic or extended) -> (capacity key, otrip-sim operator mode)."""
    basic = {0: ("tram", "lrt"), 1: ("metro", "metro"), 2: ("rail", "rail"), 3: ("bus", "bus"), 4: ("ferry", "ferry"),
             5: ("cable", "other"), 6: ("cable", "other"), 7: ("funicular", "other"), 11: ("trolleybus", "bus"),
             12: ("monorail", "metro")}
    if route_type in basic:
        return basic[route_type]
    if route_type == 405:
        return ("monorail", "metro")
    ranges = [(100, 199, "rail", "rail"), (200, 299, "coach", "coach"), (400, 499, "metro", "metro"),
              (700, 799, "bus", "bus"), (800, 899, "trolleybus", "bus"), (900, 999, "tram", "lrt"),
              (1000, 1099, "ferry", "ferry"), (1200, 1299, "ferry", "ferry"), (1300, 1399, "cable", "other"),
              (1400, 1499, "funicular", "other")]
    for lo, hi, key, mode in ranges:
        if lo <= route_type <= hi:
            return key, mode
    return ("other", "other")


# ------------------------------------------------------------------------------------ geometry
def _project_on_shape(lat: np.ndarray, lon: np.ndarray, slat: np.ndarray, slon: np.ndarray) -> tuple[np.ndarray, float]:
    """Metres along the shape of each stop (in order, never going back) and the largest stop offset.

    Each stop goes to the earliest shape segment at or after the previous stop's position that
    lies within 25 m (or 50 %) of the nearest such segment, so a loop's second pass is not taken
    for the first.
    """
    lat0 = math.radians(float(np.mean(slat)))
    kx, ky = EARTH_RADIUS_M * math.cos(lat0) * math.pi / 180, EARTH_RADIUS_M * math.pi / 180
    sx, sy = slon * kx, slat * ky
    px, py = lon * kx, lat * ky
    cum = np.concatenate([[0.0], np.cumsum(great_circle_m(slat[:-1], slon[:-1], slat[1:], slon[1:]))])
    if len(sx) < 2:
        return np.zeros(len(px)), float("inf")
    ax, ay, bx, by = sx[:-1], sy[:-1], sx[1:], sy[1:]
    dx, dy = bx - ax, by - ay
    seg2 = dx * dx + dy * dy
    seg_len = cum[1:] - cum[:-1]
    along = np.empty(len(px))
    worst = 0.0
    prev = 0.0
    for i in range(len(px)):
        t = np.where(seg2 > 0, ((px[i] - ax) * dx + (py[i] - ay) * dy) / np.where(seg2 > 0, seg2, 1), 0.0)
        t = np.clip(t, 0.0, 1.0)
        pos = cum[:-1] + t * seg_len
        dist = np.hypot(ax + t * dx - px[i], ay + t * dy - py[i])
        ok = pos >= prev - 1.0
        if not ok.any():
            ok = pos >= pos.max()
        best = dist[ok].min()
        near = ok & (dist <= best + max(25.0, 0.5 * best))
        k = int(np.argmax(near))
        along[i] = max(pos[k], prev)
        prev = along[i]
        worst = max(worst, float(dist[k]))
    return along, worst


def _monotone(values: np.ndarray) -> tuple[list[int], bool]:
    """Round cumulative values to integers rising by at least 1; says whether any went backwards."""
    out: list[int] = []
    backwards = False
    for i, v in enumerate(values):
        x = int(round(float(v)))
        if i:
            if v < values[i - 1] - 1e-9:
                backwards = True
            x = max(x, out[-1] + 1)
        out.append(x)
    return out, backwards


# -------------------------------------------------------------------------------------- headways
def _hourly_bands(departures: Iterable[float]) -> list[tuple[int, int, int]]:
    """Headway bands from departure times: per clock hour, 3600 / trips (whole s, >= 60 s).

    Consecutive hours with the same headway merge.  A band ends at the end of its last hour and
    starts at its first departure, moved earlier only when needed to fit all its trips.
    """
    deps = sorted(int(round(d)) for d in departures)
    if not deps:
        return []
    per_hour = Counter(d // 3600 for d in deps)
    first_in_hour: dict[int, int] = {}
    for d in deps:
        first_in_hour.setdefault(d // 3600, d)
    hours = sorted(per_hour)
    groups: list[list[int]] = []
    for h in hours:
        every = max(60, round(3600 / per_hour[h]))
        if groups and groups[-1][-1] == h - 1 and max(60, round(3600 / per_hour[groups[-1][-1]])) == every:
            groups[-1].append(h)
        else:
            groups.append([h])
    bands = []
    for g in groups:
        every = max(60, round(3600 / per_hour[g[0]]))
        trips = sum(per_hour[h] for h in g)
        end = (g[-1] + 1) * 3600
        start = first_in_hour[g[0]]
        if start + (trips - 1) * every >= end:  # would not fit all the band's trips: centre them
            start = max(g[0] * 3600, end - (trips - 1) * every - every // 2)
        bands.append((start, end, every))
    return bands


# ------------------------------------------------------------------------------------- one feed
@dataclass
class _Pattern:
    route_id: str
    direction: str
    stops: list[str]                 # GTFS stop ids, consecutive repeats collapsed
    groups: list[tuple[int, int]]    # raw positions (first, last) of each collapsed stop
    trips: list[str]
    group_trips: int                 # trips of the route and direction that day
    headsign: str
    shape_id: str
    times: np.ndarray                # (trips, stops) seconds, NaN when missing
    rep_sdt: np.ndarray | None       # shape_dist_traveled of the representative trip, collapsed
    straight: np.ndarray = field(default_factory=lambda: np.zeros(0))  # great-circle per segment


class _FeedImport:
    """Everything taken from one feed: its stops, the day's patterns turned into route dicts."""

    def __init__(self, feed: _Feed, day: Date | None, notes: _Notes, speed_kmh: float) -> None:
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

    def note(self, kind: str, message: str, subject: str | None = None) -> None:
        self.notes.add(kind, self.feed.label, message, subject)

    # ---------------------------------------------------------------------------------- reading
    def run(self) -> None:
        f = self.feed
        stops = f.read("stops.txt")
        routes = f.read("routes.txt")
        trips = f.read("trips.txt")
        assert stops is not None and routes is not None and trips is not None
        self._read_agencies(routes)
        self._read_stops(stops)
        route_type = self._read_routes(routes)
        trips = self._check_trips(trips, routes)
        active = self._pick_day(trips)
        st = self._read_stop_times(trips, stops)
        freq = self._read_frequencies(trips)
        shapes = self._read_shapes()
        day_trips = trips[trips["trip_id"].isin(active)]
        for rid in routes["route_id"][~routes["route_id"].isin(day_trips["route_id"])]:
            self.note("note", f"routes without trips on {self.date:%Y%m%d} are not imported", rid)
        patterns = self._patterns(st, day_trips)
        self._build_routes(patterns, routes, route_type, freq, shapes)

    def _read_agencies(self, routes: pd.DataFrame) -> None:
        f = self.feed
        agency = f.read("agency.txt", required=False)
        if agency is None or not len(agency):
            self.note("warning", "agency.txt missing or empty: operators named after the routes' agency_id or the feed")
            agency = pd.DataFrame({"agency_id": [], "agency_name": [], "_line": []})
        ids = _col(agency, "agency_id")
        names = _col(agency, "agency_name")
        for i in range(len(agency)):
            key = ids.iat[i] or names.iat[i] or self.feed.label
            self.agencies[key] = {"id": ids.iat[i], "name": names.iat[i]}
        route_agency = _col(routes, "agency_id")
        if len(agency) > 1:
            _fail(f, "routes.txt", routes.assign(agency_id=route_agency), (route_agency == "").to_numpy(), "agency_id",
                  "required when agency.txt lists several agencies")
        if len(agency):
            known = set(ids[ids != ""])
            if known:
                bad = (route_agency != "") & ~route_agency.isin(known)
                _fail(f, "routes.txt", routes, bad.to_numpy(), "agency_id", "unknown agency (not in agency.txt)")
        else:
            for a in sorted(set(route_agency)):
                self.agencies[a or self.feed.label] = {"id": a, "name": a}
        default = next(iter(self.agencies))
        self.route_agency = {rid: (a if a in self.agencies else default) for rid, a in zip(routes["route_id"], route_agency)}

    def _read_stops(self, stops: pd.DataFrame) -> None:
        f = self.feed
        dup = stops["stop_id"].duplicated().to_numpy()
        _fail(f, "stops.txt", stops, dup, "stop_id", "duplicate stop_id")
        _fail(f, "stops.txt", stops, (stops["stop_id"] == "").to_numpy(), "stop_id", "empty stop_id")
        loc = _col(stops, "location_type")
        _fail(f, "stops.txt", stops.assign(location_type=loc), ~loc.isin(["", "0", "1", "2", "3", "4"]).to_numpy(),
              "location_type", "invalid location_type (expected 0-4 or empty)")
        self.location_type = dict(zip(stops["stop_id"], loc))
        self.parent = dict(zip(stops["stop_id"], _col(stops, "parent_station")))
        platform = stops[loc.isin(["", "0"]).to_numpy()].reset_index(drop=True)
        lat = _parse_numbers(f, "stops.txt", platform, "stop_lat", "latitude")
        lon = _parse_numbers(f, "stops.txt", platform, "stop_lon", "longitude")
        _fail(f, "stops.txt", platform, ~(np.abs(lat) <= 90), "stop_lat", "a stop needs a latitude between -90 and 90")
        _fail(f, "stops.txt", platform, ~(np.abs(lon) <= 180), "stop_lon", "a stop needs a longitude between -180 and 180")
        names = _col(platform, "stop_name")
        used: set[str] = set()
        renamed = 0
        for i, gid in enumerate(platform["stop_id"]):
            sid = _make_id(gid, self.feed.prefix, used, "s")
            if sid != (f"{self.feed.prefix}.{gid}" if self.feed.prefix else gid):
                renamed += 1
            used.add(sid)
            self.stop_ids[gid] = sid
            name = names.iat[i]
            if _reads_as_number(name):
                name = f"Stop {name}"  # a bare number would be read back as a number, not a name
            self.stop_rows.append({"stop_id": sid, "name": name, "lat": platform["stop_lat"].iat[i],
                                   "lon": platform["stop_lon"].iat[i], "paid_area": "", "_lat": lat[i], "_lon": lon[i],
                                   "_gid": gid})
        self.stop_pos = {gid: (lat[i], lon[i]) for i, gid in enumerate(platform["stop_id"])}
        if renamed:
            self.note("note", f"{renamed} stop ids changed to fit otrip-sim ids (A-Z a-z 0-9 _ . -, not a bare number, "
                              "unique, at most 100 characters); id_map.csv maps them")

    def _read_routes(self, routes: pd.DataFrame) -> dict[str, int]:
        f = self.feed
        _fail(f, "routes.txt", routes, routes["route_id"].duplicated().to_numpy(), "route_id", "duplicate route_id")
        rt = _parse_numbers(f, "routes.txt", routes, "route_type", "route_type (expected an integer)", integer=True)
        _fail(f, "routes.txt", routes, np.isnan(rt), "route_type", "route_type is required")
        out = {rid: int(t) for rid, t in zip(routes["route_id"], rt)}
        for rid, t in out.items():
            if _mode(t)[0] == "other":
                self.note("warning", f"unknown route_type {t}: capacity of mode 'other'", rid)
        return out

    def _check_trips(self, trips: pd.DataFrame, routes: pd.DataFrame) -> pd.DataFrame:
        f = self.feed
        _fail(f, "trips.txt", trips, trips["trip_id"].duplicated().to_numpy(), "trip_id", "duplicate trip_id")
        _fail(f, "trips.txt", trips, (~trips["route_id"].isin(routes["route_id"])).to_numpy(), "route_id",
              "unknown route (not in routes.txt)")
        for c in ("direction_id", "shape_id", "trip_headsign"):
            if c not in trips.columns:
                trips[c] = ""
        _fail(f, "trips.txt", trips, ~trips["direction_id"].isin(["", "0", "1"]).to_numpy(), "direction_id",
              "invalid direction_id (expected 0, 1 or empty)")
        return trips

    # ----------------------------------------------------------------------------------- calendar
    def _pick_day(self, trips: pd.DataFrame) -> set[str]:
        f = self.feed
        cal = f.read("calendar.txt", required=False)
        cd = f.read("calendar_dates.txt", required=False)
        if cal is None and cd is None:
            raise InputError(f.display("calendar.txt"), "", "required file missing from the feed (a feed needs calendar.txt, calendar_dates.txt or both)")
        if cal is None:
            cal = pd.DataFrame({c: [] for c in ["service_id", *_DAYS, "start_date", "end_date", "_line"]})
        if cd is None:
            cd = pd.DataFrame({c: [] for c in ["service_id", "date", "exception_type", "_line"]})
        f.require("calendar.txt", cal, ["service_id", *_DAYS, "start_date", "end_date"])
        f.require("calendar_dates.txt", cd, ["service_id", "date", "exception_type"])
        for d in _DAYS:
            _fail(f, "calendar.txt", cal, ~cal[d].isin(["0", "1"]).to_numpy(), d, "expected 0 or 1")
        start = self._dates("calendar.txt", cal, "start_date")
        end = self._dates("calendar.txt", cal, "end_date")
        cdate = self._dates("calendar_dates.txt", cd, "date")
        _fail(f, "calendar_dates.txt", cd, ~cd["exception_type"].isin(["1", "2"]).to_numpy(), "exception_type", "expected 1 or 2")
        weight = trips["service_id"].value_counts()
        flags = cal[_DAYS].to_numpy() == "1"

        def active_on(day: Date) -> set[str]:
            d = np.datetime64(day)
            on = (start <= d) & (end >= d) & flags[:, day.weekday()]
            services = set(cal["service_id"][on])
            for sid, dd, typ in zip(cd["service_id"], cdate, cd["exception_type"]):
                if dd == d:
                    (services.add if typ == "1" else services.discard)(sid)
            return services

        if self.day is not None:
            day, rule = self.day, "given (--date)"
        else:
            day, rule = self._busiest_weekday(cal, cd, start, end, cdate, flags, weight), "weekday with the most trips"
        services = active_on(day)
        active = set(trips["trip_id"][trips["service_id"].isin(services)])
        if not active:
            lo = min([*start, *cdate], default=None)
            hi = max([*end, *cdate], default=None)
            span = f" (the calendar runs {pd.Timestamp(lo):%Y%m%d} to {pd.Timestamp(hi):%Y%m%d})" if lo is not None else ""
            raise InputError("--date" if self.day else f.display("calendar.txt"), "", f"{f.path}: no trips run on {day:%Y%m%d}{span}")
        self.date, self.date_rule, self.trips_on_day = day, rule, len(active)
        return active

    def _dates(self, name: str, df: pd.DataFrame, column: str) -> np.ndarray:
        parsed = pd.to_datetime(df[column], format="%Y%m%d", errors="coerce")
        _fail(self.feed, name, df, parsed.isna().to_numpy(), column, "invalid date (expected YYYYMMDD)")
        return parsed.to_numpy().astype("datetime64[D]")

    def _busiest_weekday(self, cal: pd.DataFrame, cd: pd.DataFrame, start: np.ndarray, end: np.ndarray,
                         cdate: np.ndarray, flags: np.ndarray, weight: pd.Series) -> Date:
        lo = min([*start, *cdate])
        hi = max([*end, *cdate])
        n = int((hi - lo).astype(int)) + 1
        days = lo + np.arange(n)
        weekday = (days.astype("datetime64[D]").view("int64") + 3) % 7  # monday = 0; 1970-01-01 was a Thursday
        counts = np.zeros(n)
        wt = cal["service_id"].map(weight).fillna(0).to_numpy(float)
        si = (start - lo).astype(int)
        ei = (end - lo).astype(int)
        for w in range(7):
            diff = np.zeros(n + 1)
            rows = flags[:, w] & (ei >= si)
            np.add.at(diff, si[rows], wt[rows])
            np.add.at(diff, ei[rows] + 1, -wt[rows])
            on = np.cumsum(diff)[:n]
            counts[weekday == w] += on[weekday == w]
        cal_index = {sid: i for i, sid in enumerate(cal["service_id"])}
        for sid, d, typ in zip(cd["service_id"], cdate, cd["exception_type"]):
            i = cal_index.get(sid)
            k = int((d - lo).astype(int))
            base = i is not None and start[i] <= d <= end[i] and flags[i, weekday[k]]
            w = float(weight.get(sid, 0))
            if typ == "1" and not base:
                counts[k] += w
            elif typ == "2" and base:
                counts[k] -= w
        weekdays = weekday < 5
        pool = counts if not (weekdays.any() and counts[weekdays].max() > 0) else np.where(weekdays, counts, -1)
        if pool.max() <= 0:
            raise InputError(self.feed.display("calendar.txt"), "", "no day of the calendar has trips")
        if not (weekdays.any() and counts[weekdays].max() > 0):
            self.note("warning", "no weekday has trips: imported the day with the most trips")
        return pd.Timestamp(days[int(np.argmax(pool))]).date()

    # --------------------------------------------------------------------------------- stop times
    def _read_stop_times(self, trips: pd.DataFrame, stops: pd.DataFrame) -> pd.DataFrame:
        f = self.feed
        name = "stop_times.txt"
        st = f.read(name, columns=["trip_id", "stop_id", "stop_sequence", "arrival_time", "departure_time", "shape_dist_traveled"])
        assert st is not None
        _fail(f, name, st, (~st["trip_id"].isin(trips["trip_id"])).to_numpy(), "trip_id", "unknown trip (not in trips.txt)")
        _fail(f, name, st, (~st["stop_id"].isin(stops["stop_id"])).to_numpy(), "stop_id", "unknown stop (not in stops.txt)")
        loc = st["stop_id"].map(self.location_type)
        _fail(f, name, st, (~loc.isin(["", "0"])).to_numpy(), "stop_id",
              "stop_times must name stops (location_type 0 or empty), not stations or entrances")
        seq = _parse_numbers(f, name, st, "stop_sequence", "stop_sequence (expected an integer >= 0)", integer=True)
        _fail(f, name, st, ~(seq >= 0), "stop_sequence", "stop_sequence (expected an integer >= 0)")
        st["seq"] = seq
        _fail(f, name, st, st.duplicated(["trip_id", "seq"]).to_numpy(), "stop_sequence", "duplicate stop_sequence in the trip")
        st["arr"] = _parse_times(f, name, st, "arrival_time")
        st["dep"] = _parse_times(f, name, st, "departure_time")
        st["sdt"] = _parse_numbers(f, name, st, "shape_dist_traveled", "shape_dist_traveled (expected a number)")
        if "arrival_time" not in st.columns and "departure_time" not in st.columns:
            self.note("warning", "stop_times.txt has no arrival_time/departure_time columns")
        return st.sort_values(["trip_id", "seq"], kind="stable").reset_index(drop=True)

    def _read_frequencies(self, trips: pd.DataFrame) -> dict[str, list[tuple[int, int, int]]]:
        f = self.feed
        name = "frequencies.txt"
        fr = f.read(name, required=False)
        if fr is None or not len(fr):
            return {}
        f.require(name, fr, ("trip_id", "start_time", "end_time", "headway_secs"))
        start = _parse_times(f, name, fr, "start_time")
        end = _parse_times(f, name, fr, "end_time")
        _fail(f, name, fr, np.isnan(start), "start_time", "start_time is required")
        _fail(f, name, fr, np.isnan(end) | (end <= start), "end_time", "end_time must be after start_time")
        hw = _parse_numbers(f, name, fr, "headway_secs", "headway_secs (expected an integer > 0)", integer=True)
        _fail(f, name, fr, ~(hw > 0), "headway_secs", "headway_secs (expected an integer > 0)")
        known = set(trips["trip_id"])
        out: dict[str, list[tuple[int, int, int]]] = {}
        for tid, s, e, h, line in zip(fr["trip_id"], start, end, hw, fr["_line"]):
            if tid not in known:
                self.note("warning", "frequencies.txt rows naming trips that are not in trips.txt were ignored",
                          f"line {line} {tid!r}")
                continue
            out.setdefault(tid, []).append((int(s), int(e), int(h)))
        return out

    def _read_shapes(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        f = self.feed
        name = "shapes.txt"
        sh = f.read(name, required=False)
        if sh is None or not len(sh):
            return {}
        f.require(name, sh, ("shape_id", "shape_pt_lat", "shape_pt_lon", "shape_pt_sequence"))
        sh["lat"] = _parse_numbers(f, name, sh, "shape_pt_lat", "latitude")
        sh["lon"] = _parse_numbers(f, name, sh, "shape_pt_lon", "longitude")
        sh["seq"] = _parse_numbers(f, name, sh, "shape_pt_sequence", "shape_pt_sequence (expected an integer)", integer=True)
        for c in ("lat", "lon", "seq"):
            _fail(f, name, sh, np.isnan(sh[c].to_numpy()), {"lat": "shape_pt_lat", "lon": "shape_pt_lon", "seq": "shape_pt_sequence"}[c], "value required")
        sh = sh.sort_values(["shape_id", "seq"], kind="stable")
        return {sid: (g["lat"].to_numpy(), g["lon"].to_numpy()) for sid, g in sh.groupby("shape_id", sort=False)}

    # ----------------------------------------------------------------------------------- patterns
    def _patterns(self, st: pd.DataFrame, trips: pd.DataFrame) -> list[_Pattern]:
        st = st[st["trip_id"].isin(trips["trip_id"])].reset_index(drop=True)
        rows = st.groupby("trip_id", sort=False).indices
        stop_arr = st["stop_id"].to_numpy()
        key = {tid: "\x1f".join(stop_arr[idx]) for tid, idx in rows.items()}
        trips = trips.assign(_key=trips["trip_id"].map(key))
        missing = trips["_key"].isna()
        for tid in trips["trip_id"][missing]:
            self.note("warning", "trips without stop_times were ignored", tid)
        trips = trips[~missing]
        arr, dep, sdt = st["arr"].to_numpy(), st["dep"].to_numpy(), st["sdt"].to_numpy()
        patterns = []
        for (route_id, direction), g in trips.groupby(["route_id", "direction_id"], sort=True):
            counts = g["_key"].value_counts()
            best_n = counts.iloc[0]
            candidates = [k for k, n in counts.items() if n == best_n]
            best = sorted(candidates, key=lambda k: (-k.count("\x1f"), k))[0]
            mine = g[g["_key"] == best]
            label = f"{route_id}" + (f" direction {direction}" if direction else "")
            if len(mine) < len(g):
                self.note("warning", "only the stop pattern most trips follow is imported; trips on other patterns dropped",
                          f"{label}: {len(g) - len(mine)} of {len(g)} trips")
            tids = list(mine["trip_id"])
            idx = np.stack([rows[t] for t in tids])
            raw = list(stop_arr[idx[0]])
            groups: list[tuple[int, int]] = []
            for j, s in enumerate(raw):
                if groups and raw[groups[-1][0]] == s:
                    groups[-1] = (groups[-1][0], j)
                else:
                    groups.append((j, j))
            if len(groups) < len(raw):
                self.note("note", "consecutive stop_times rows at the same stop merged into one stop", label)
            if len(groups) < 2:
                self.note("warning", "pattern with fewer than two distinct stops skipped", label)
                continue
            A, D = arr[idx], dep[idx]
            times = np.empty((len(tids), len(groups)))
            last = len(groups) - 1
            for k, (a, b) in enumerate(groups):
                if k == last:
                    times[:, k] = _first_known(A[:, a], D[:, a])
                else:
                    times[:, k] = _first_known(D[:, b], A[:, b], D[:, a], A[:, a])
            S = sdt[idx]
            rep = S[:, [a for a, _ in groups]]
            complete = ~np.isnan(rep).any(axis=1)
            rep_sdt = rep[int(np.argmax(complete))] if complete.any() else None
            shapes = Counter(s for s in mine["shape_id"] if s)
            headsigns = Counter(s for s in mine["trip_headsign"] if s)
            p = _Pattern(route_id=route_id, direction=direction, stops=[raw[a] for a, _ in groups], groups=groups,
                         trips=tids, group_trips=len(g), headsign=headsigns.most_common(1)[0][0] if headsigns else "",
                         shape_id=shapes.most_common(1)[0][0] if shapes else "", times=times, rep_sdt=rep_sdt)
            pos = np.array([self.stop_pos[s] for s in p.stops])
            p.straight = great_circle_m(pos[:-1, 0], pos[:-1, 1], pos[1:, 0], pos[1:, 1])
            patterns.append(p)
        return patterns

    # ------------------------------------------------------------------------------------ routes
    def _sdt_unit(self, patterns: list[_Pattern]) -> float | None:
        ratios = []
        for p in patterns:
            if p.rep_sdt is not None and p.straight.sum() > 50:
                span = p.rep_sdt[-1] - p.rep_sdt[0]
                if span > 0:
                    ratios.append(span / p.straight.sum())
        if not ratios:
            return None
        r = float(np.median(ratios))
        fits = [(abs(math.log(r * m / 1.25)), unit, m) for unit, m in SDT_UNITS.items() if 0.9 <= r * m <= 4.0]
        if not fits:
            self.note("warning", f"shape_dist_traveled ignored: its values fit no unit (median span / straight-line length "
                                 f"through the stops = {r:.4g}; expected about 1-3 for metres)")
            return None
        _, unit, m = min(fits)
        self.note("note", f"shape_dist_traveled read as {unit} (median span {r * m:.2f} × the straight-line length through the stops)")
        return m

    def _build_routes(self, patterns: list[_Pattern], routes: pd.DataFrame, route_type: dict[str, int],
                      freq: dict[str, list[tuple[int, int, int]]], shapes: dict[str, tuple[np.ndarray, np.ndarray]]) -> None:
        unit = self._sdt_unit(patterns)
        info = routes.set_index("route_id")
        used_ids: set[str] = set()
        for p in patterns:
            label = p.route_id + (f" direction {p.direction}" if p.direction else "")
            cum_m = self._distances(p, unit, shapes, label)
            cum_s, timed = self._run_times(p, cum_m, label)
            bands = self._headways(p, freq, timed, label)
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
                self.note("note", "pattern serves a stop twice (loop or out-and-back): split into parts with distinct stops, "
                                  "each departing when the trip reaches its first stop", f"{label}: {len(pieces)} parts")
            row = info.loc[p.route_id]
            short, long_ = str(row.get("route_short_name", "") or ""), str(row.get("route_long_name", "") or "")
            base_name = " ".join(dict.fromkeys(x for x in (short, long_) if x)) or p.route_id
            if p.headsign and p.headsign not in (short, long_):
                base_name += f" → {p.headsign}"
            elif p.direction:
                base_name += f" (direction {p.direction})"
            base_id = p.route_id + (f"-{p.direction}" if p.direction else "")
            rt = route_type[p.route_id]
            for n, piece in enumerate(pieces, start=1):
                rid = base_id + (f"-p{n}" if len(pieces) > 1 else "")
                rid = _make_id(rid, self.feed.prefix, used_ids, "r")
                used_ids.add(rid)
                offset = cum_s[piece[0]]
                route: dict[str, Any] = {
                    "id": rid,
                    "name": base_name + (f" (part {n} of {len(pieces)})" if len(pieces) > 1 else ""),
                    "stops": [self.stop_ids[p.stops[k]] for k in piece],
                    "distances": [cum_m[b] - cum_m[a] for a, b in zip(piece, piece[1:])],
                    "headways": [{"start": format_clock(s + offset, seconds="nonzero"), "end": format_clock(e + offset, seconds="nonzero"), "every": every} for s, e, every in bands],
                    "directions": "forward",
                    "_mode": _mode(rt)[0], "_route_type": rt, "_agency": self.route_agency[p.route_id],
                    "_gtfs": (p.route_id, " ".join(x for x in (f"direction {p.direction}" if p.direction else "",
                                                              f"part {n} of {len(pieces)}" if len(pieces) > 1 else "") if x)),
                }
                if timed:
                    route["run_times"] = [cum_s[b] - cum_s[a] for a, b in zip(piece, piece[1:])]
                else:
                    route["speed_kmh"] = self.speed_kmh
                self.routes.append(route)

    def _distances(self, p: _Pattern, unit: float | None, shapes: dict[str, tuple[np.ndarray, np.ndarray]], label: str) -> list[int]:
        if unit is not None and p.rep_sdt is not None:
            values = (p.rep_sdt - p.rep_sdt[0]) * unit
            if np.all(np.diff(values) >= 0):
                return _monotone(values)[0]
            self.note("warning", "shape_dist_traveled decreases along the trip: distances from the shape or great-circle instead", label)
        if p.shape_id:
            if p.shape_id in shapes:
                slat, slon = shapes[p.shape_id]
                pos = np.array([self.stop_pos[s] for s in p.stops])
                along, worst = _project_on_shape(pos[:, 0], pos[:, 1], slat, slon)
                if worst <= MAX_SHAPE_OFFSET_M:
                    return _monotone(along)[0]
                self.note("warning", f"a stop lies more than {MAX_SHAPE_OFFSET_M:.0f} m from the trip's shape: "
                                     "great-circle distances instead", f"{label} (shape {p.shape_id}, {worst:.0f} m)")
            else:
                self.note("warning", "shape_id not in shapes.txt", f"{label} (shape {p.shape_id})")
        self.note("fallback", "distances are great-circle between consecutive stops (no shape_dist_traveled, no usable shape)", label)
        return _monotone(np.concatenate([[0.0], np.cumsum(p.straight)]))[0]

    def _run_times(self, p: _Pattern, cum_m: list[int], label: str) -> tuple[list[int], bool]:
        t = p.times
        complete = ~np.isnan(t).any(axis=1)
        ends = ~np.isnan(t[:, 0]) & ~np.isnan(t[:, -1])
        pool = complete if complete.any() else ends
        if pool.any():
            cand = np.flatnonzero(pool)
            dur = t[cand, -1] - t[cand, 0]
            order = np.lexsort((t[cand, 0], dur))
            rep = t[cand[order[(len(order) - 1) // 2]]].copy()
            if np.isnan(rep).any():
                known = ~np.isnan(rep)
                rep = np.interp(np.asarray(cum_m, float), np.asarray(cum_m, float)[known], rep[known])
                self.note("fallback", "some stops have no times: times interpolated by distance between timed stops", label)
            cum, backwards = _monotone(rep - rep[0])
            if backwards:
                self.note("warning", "times decrease along the median trip: such segments set to 1 s", label)
            return cum, True
        speed = self.speed_kmh / 3.6
        self.note("fallback", f"no stop times: run times from --default-speed {self.speed_kmh:g} km/h (speed_kmh)", label)
        return _monotone(np.asarray(cum_m, float) / speed)[0], False

    def _headways(self, p: _Pattern, freq: dict[str, list[tuple[int, int, int]]], timed: bool, label: str) -> list[tuple[int, int, int]]:
        f_trips = [t for t in p.trips if t in freq]
        plain = [i for i, t in enumerate(p.trips) if t not in freq]
        if f_trips and not plain:
            bands = sorted(b for t in f_trips for b in freq[t])
            if all(a[1] <= b[0] for a, b in zip(bands, bands[1:])):
                return bands
        departures = [float(d) for d in p.times[plain, 0] if not np.isnan(d)]
        for t in f_trips:
            for s, e, h in freq[t]:
                departures.extend(range(s, e, h))
        if f_trips and not plain:
            self.note("note", "frequencies.txt windows of the pattern overlap: headways derived from their departures by hour", label)
        if departures:
            missing = len(plain) - sum(1 for d in p.times[plain, 0] if not np.isnan(d))
            if missing:
                self.note("warning", "trips without a time at their first stop left out of the headways", f"{label}: {missing}")
            return _hourly_bands(departures)
        n = len(p.trips)
        lo, hi = FALLBACK_SPAN
        every = max(60, round((hi - lo) / n))
        self.note("fallback", f"no departure times and no frequencies: the day's trips spread evenly over "
                              f"{format_clock(lo, seconds='nonzero')}-{format_clock(hi, seconds='nonzero')}", f"{label}: {n} trips, every {every} s")
        return [(lo, hi, every)]


def _first_known(*arrays: np.ndarray) -> np.ndarray:
    out = arrays[0].astype(float).copy()
    for a in arrays[1:]:
        out = np.where(np.isnan(out), a, out)
    return out


def _make_id(gid: str, prefix: str, used: set[str], numeric_prefix: str) -> str:
    """A valid, unique otrip-sim id for a GTFS id (prefixed with ``prefix.`` for multi-feed imports)."""
    base = _ID_BAD.sub("_", gid).strip("_") or "x"
    if _reads_as_number(base) and not prefix:
        base = numeric_prefix + base  # the CSV loader would read a bare number as a number
    sid = f"{prefix}.{base}" if prefix else base
    if len(sid) > 100:
        sid = sid[:90] + "_" + hashlib.sha1(gid.encode()).hexdigest()[:8]
    candidate, n = sid, 1
    while candidate in used:
        n += 1
        candidate = f"{sid[:95]}_{n}"
    return candidate


def _reads_as_number(text: str) -> bool:
    """Whether the scenario loader would read this CSV cell as a number rather than as text."""
    from .scenario import _csv_value

    return text.strip() != "" and not isinstance(_csv_value(text), str)


def _ordered_route(r: dict[str, Any]) -> dict[str, Any]:
    keys = ["id", "name", "operator", "stops", "distances", "run_times", "speed_kmh", "capacity", "headways", "directions"]
    return {k: r[k] for k in keys if k in r}


# ----------------------------------------------------------------------------------- operators
def _operators(built: list[_FeedImport], op_map: dict[str, str], notes: _Notes) -> tuple[list[dict[str, Any]], dict[tuple[str, str], str]]:
    """Agencies with imported routes -> operator rows, and (feed, agency key) -> operator id."""
    wanted: dict[tuple[str, str], dict[str, Any]] = {}
    for b in built:
        for r in b.routes:
            key = (b.feed.label, r["_agency"])
            a = b.agencies[r["_agency"]]
            entry = wanted.setdefault(key, {"feed": b, "id": a["id"], "name": a["name"], "modes": Counter()})
            entry["modes"][_mode(r["_route_type"])[1]] += 1
        for agency in b.agencies:
            if not any(k == (b.feed.label, agency) for k in wanted):
                notes.add("note", b.feed.label, "agencies without routes on the imported day are not listed in operators.yaml", agency)
    used_keys: set[str] = set()
    chosen: dict[tuple[str, str], str] = {}
    explicit: set[tuple[str, str]] = set()
    for key, e in wanted.items():
        for k in (e["id"], e["name"]):
            if k and k in op_map:
                chosen[key] = op_map[k]
                used_keys.add(k)
                explicit.add(key)
                break
        else:
            chosen[key] = _slug(e["id"] or e["name"] or key[1]) or "operator"
    unused = sorted(set(op_map) - used_keys)
    if unused:
        agencies = sorted({x for e in wanted.values() for x in (e["id"], e["name"]) if x})
        raise InputError("--operator", "", f"no agency with this agency_id or agency_name among the imported routes (agencies: {agencies})", unused[0])
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
            notes.add("note", "", f"agencies of different feeds both map to operator {op!r}: prefixed with their feed "
                                  "(use --operator to merge or rename them)")
    rows: dict[str, dict[str, Any]] = {}
    for key, op in chosen.items():
        e = wanted[key]
        row = rows.setdefault(op, {"id": op, "name": e["name"] or e["id"] or op, "mode": "", "_modes": Counter(), "_agencies": []})
        row["_modes"].update(e["modes"])
        row["_agencies"].append((key[0], key[1]))
    out = []
    for op in sorted(rows):
        row = rows[op]
        row["mode"] = row.pop("_modes").most_common(1)[0][0]
        out.append(row)
    return out, chosen


# --------------------------------------------------------------------------------- walking links
def _walk_links(built: list[_FeedImport], radius: float, notes: _Notes) -> list[dict[str, Any]]:
    stops = [row for b in built for row in b.stop_rows]
    lat = np.array([s["_lat"] for s in stops], float)
    lon = np.array([s["_lon"] for s in stops], float)
    ids = [s["stop_id"] for s in stops]
    links: dict[tuple[str, str], dict[str, Any]] = {}
    if radius > 0 and len(stops) > 1:
        straight_max = radius / WALK_DETOUR
        order = np.argsort(lat, kind="stable")
        slat = lat[order]
        dlat = math.degrees(straight_max / EARTH_RADIUS_M) * 1.01
        for pos, i in enumerate(order):
            hi = np.searchsorted(slat, lat[i] + dlat, side="right")
            cand = order[pos + 1:hi]
            if not len(cand):
                continue
            coslat = max(math.cos(math.radians(lat[i])), 1e-6)
            cand = cand[np.abs(lon[cand] - lon[i]) <= dlat / coslat + 1e-9]
            if not len(cand):
                continue
            d = great_circle_m(lat[i], lon[i], lat[cand], lon[cand])
            for j, dist in zip(cand, d):
                walk = int(round(float(dist) * WALK_DETOUR))
                if walk <= radius:
                    a, b = sorted((ids[i], ids[j]))
                    links[(a, b)] = {"from_stop": a, "to_stop": b, "walk_m": walk,
                                     "note": f"within {radius:g} m: straight line {dist:.0f} m × {WALK_DETOUR}"}
    for b in built:
        _transfers(b, links, notes)
    return [links[k] for k in sorted(links)]


def _transfers(b: _FeedImport, links: dict[tuple[str, str], dict[str, Any]], notes: _Notes) -> None:
    f = b.feed
    name = "transfers.txt"
    tr = f.read(name, required=False)
    if tr is None or not len(tr):
        return
    f.require(name, tr, ("from_stop_id", "to_stop_id"))
    ttype = _col(tr, "transfer_type")
    _fail(f, name, tr.assign(transfer_type=ttype), ~ttype.isin(["", "0", "1", "2", "3", "4", "5"]).to_numpy(),
          "transfer_type", "invalid transfer_type (expected 0-5 or empty)")
    mtt = _parse_numbers(f, name, tr, "min_transfer_time", "min_transfer_time (expected seconds)")
    children: dict[str, list[str]] = {}
    for sid, parent in b.parent.items():
        if parent and sid in b.stop_ids:
            children.setdefault(parent, []).append(sid)

    def expand(gid: str) -> list[str]:
        if gid in b.stop_ids:
            return [gid]
        return children.get(gid, [])

    for i in range(len(tr)):
        fa, ta, typ, line = tr["from_stop_id"].iat[i], tr["to_stop_id"].iat[i], ttype.iat[i] or "0", tr["_line"].iat[i]
        if typ in ("4", "5"):
            continue
        froms, tos = expand(fa), expand(ta)
        if not froms or not tos:
            notes.add("warning", f.label, "transfers.txt rows naming unknown stops were ignored", f"line {line}")
            continue
        for x in froms:
            for y in tos:
                if x == y:
                    continue
                a, c = sorted((b.stop_ids[x], b.stop_ids[y]))
                if typ == "3":
                    if links.pop((a, c), None) is not None:
                        notes.add("note", f.label, "transfers.txt forbids the transfer (type 3): radius link removed", f"{a}–{c}")
                    continue
                if not math.isnan(mtt[i]):
                    walk = int(round(mtt[i] * TRANSFER_WALK_SPEED))
                    note = f"transfers.txt line {line}: type {typ}, min_transfer_time {mtt[i]:g} s × {TRANSFER_WALK_SPEED} m/s"
                else:
                    (la, lo), (lb, lob) = b.stop_pos[x], b.stop_pos[y]
                    walk = int(round(float(great_circle_m(la, lo, lb, lob))))
                    note = f"transfers.txt line {line}: type {typ}, straight line"
                old = links.get((a, c))
                if old is None or not old["note"].startswith("transfers.txt") or walk < old["walk_m"]:
                    links[(a, c)] = {"from_stop": a, "to_stop": c, "walk_m": walk, "note": note}


# ---------------------------------------------------------------------------------------- writing
def _write(out: Path, force: bool, report: ImportReport, stops: list[dict[str, Any]], routes: list[dict[str, Any]],
           links: list[dict[str, Any]], operators: list[dict[str, Any]], id_rows: list[tuple[str, str, str, str, str]],
           cap_used: dict[str, int]) -> None:
    with atomic_folder(out, force) as tmp:
        pd.DataFrame([{k: s[k] for k in ("stop_id", "name", "lat", "lon", "paid_area")} for s in stops]).to_csv(
            tmp / "stops.csv", index=False, quoting=csv.QUOTE_MINIMAL)
        pd.DataFrame(links, columns=["from_stop", "to_stop", "walk_m", "note"]).to_csv(tmp / "walk_links.csv", index=False)
        pd.DataFrame(id_rows, columns=["kind", "feed", "gtfs_id", "detail", "otrip_id"]).to_csv(tmp / "id_map.csv", index=False)
        header = _header(report, cap_used)
        body = yaml.dump({"routes": routes}, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, default_flow_style=None, width=110)
        (tmp / "routes.yaml").write_text(header + body, encoding="utf-8")
        ops = yaml.safe_dump({"operators": operators}, sort_keys=False, allow_unicode=True, default_flow_style=None)
        (tmp / "operators.yaml").write_text(
            "# Operators of the imported network: paste this list into the scenario's `operators:`.\n"
            "# Each needs a standalone fare under fares.standalone (see docs/fares.md).\n" + ops, encoding="utf-8")
        (tmp / "IMPORT.md").write_text(_import_md(report, cap_used, len(routes)), encoding="utf-8")
        _self_check(tmp)


def _self_check(folder: Path) -> None:
    """The written files must load with the scenario loader's own readers."""
    from .scenario import _read_csv, _read_yaml
    from .schema import Operator, RoutesFile, Stop, WalkLink

    try:
        _read_csv(folder / "stops.csv", Stop, "stops.csv")
        _read_csv(folder / "walk_links.csv", WalkLink, "walk_links.csv")
        # what safe_dump leaves unquoted is text for the loader's narrower number rules too,
        # so a fast safe load gives the same data as the loader's own
        routes = yaml.load((folder / "routes.yaml").read_text(encoding="utf-8"), Loader=_LOADER)  # noqa: S506 - safe
        RoutesFile.model_validate(routes)
        for op in _read_yaml(folder / "operators.yaml")["operators"]:
            Operator.model_validate(op)
    except (InputError, ValidationError) as exc:  # pragma: no cover - a bug in this module
        raise RuntimeError(f"otrip-sim bug: the imported network does not load: {exc}") from exc


def _header(report: ImportReport, cap_used: dict[str, int]) -> str:
    lines = [f"Imported by otrip-sim {__version__} network-import from GTFS (see IMPORT.md and docs/gtfs-import.md).", "Feeds:"]
    for f in report.feeds:
        lines.append(f"  {f.path}{' (prefix ' + f.prefix + ')' if f.prefix else ''}: service day {f.date} "
                     f"({f.date_rule}), {f.trips} trips; sha256 {f.sha256[:16]}…")
    lines.append("One route per GTFS route and direction: the stop pattern most trips follow that day (directions: forward).")
    lines.append(f"Timetable spans {format_clock(report.service_start, seconds='nonzero')}-{format_clock(report.service_end, seconds='nonzero')}: meta.service_start/service_end must cover it.")
    lines.append("Capacities (assumed by mode): " + ", ".join(f"{k} {v}" for k, v in sorted(cap_used.items())))
    if report.fallbacks:
        lines.append("Fallbacks used:")
        lines += [f"  - {x}" for x in report.fallbacks]
    else:
        lines.append("Fallbacks used: none")
    lines += [f"Note: {x}" for x in report.notes]
    if report.warnings:
        lines.append(f"Warnings: {len(report.warnings)} (listed in IMPORT.md)")
    return "".join(f"# {x}\n" for x in lines)


def _import_md(report: ImportReport, cap_used: dict[str, int], n_routes: int) -> str:
    start = report.service_start // 3600 * 3600
    end = -(-report.service_end // 3600) * 3600
    md = ["# GTFS import", "", f"Written by otrip-sim {__version__} `network-import` (method: `docs/gtfs-import.md`).", "",
          "## Feeds", "", "| feed | prefix | service day | chosen as | trips that day | sha256 |", "|---|---|---|---|---|---|"]
    for f in report.feeds:
        md.append(f"| `{f.path}` | {f.prefix or '—'} | {f.date} | {f.date_rule} | {f.trips} | `{f.sha256[:16]}…` |")
    md += ["", "## Result", "",
           f"- {report.stops} stops (`stops.csv`), {n_routes} routes (`routes.yaml`), {report.walk_links} walking links "
           f"(`walk_links.csv`), {len(report.operators)} operators (`operators.yaml`); `id_map.csv` maps GTFS ids to otrip-sim ids.",
           f"- The timetable runs {format_clock(report.service_start, seconds='nonzero')}–{format_clock(report.service_end, seconds='nonzero')}.",
           "- Capacities (passengers per vehicle, assumed by mode): " + ", ".join(f"{k}: {v}" for k, v in sorted(cap_used.items())) + ".",
           "", "## Fallbacks", ""]
    md += [f"- {x}" for x in report.fallbacks] or ["None."]
    md += ["", "## Warnings", ""]
    md += [f"- {x}" for x in report.warnings] or ["None."]
    md += ["", "## Notes", ""]
    md += [f"- {x}" for x in report.notes] or ["None."]
    md += ["", "## Using it", "", "Copy `operators.yaml`'s list into the scenario, give each operator a standalone fare, and name "
           "the files (paths relative to the scenario file):", "", "```yaml", "meta:",
           f'  service_start: "{format_clock(start, seconds="nonzero")}"', f'  service_end: "{format_clock(end, seconds="nonzero")}"', "network:",
           "  stops: network/stops.csv", "  routes: network/routes.yaml", "  walk_links: network/walk_links.csv", "```", ""]
    return "\n".join(md)

