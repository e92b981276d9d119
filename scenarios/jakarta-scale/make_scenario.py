"""Generate the SYNTHETIC city-scale scenario jaklingko-2024 (a network the size of JakLingko in 2024).

What is real: the sizes (route, corridor and station counts, line lengths), fares, headway ranges,
speeds and capacities (docs/sources.md). What is invented: the geometry (a 375 m road grid over a
Jakarta-sized rectangle), stop positions, route alignments and the demand pattern. See README.md.

Run from the repository root (deterministic: fixed seed, stdlib + numpy only):

    .venv/bin/python scenarios/jakarta-scale/make_scenario.py

Writes next to this script: jaklingko-2024.yaml (filled in from the template jaklingko-2024.yaml.in),
network/stops.csv, network/routes.yaml, network/walk_links.csv, demand/zones.csv, demand/tours.yaml
and demand/modes.yaml (copied from ../jakarta/demand/), fares/mrt.csv;
prints the sizes and a connectivity check (zone pairs joined within 0..3 transfers).
"""

from __future__ import annotations

import csv
import importlib.util
import math
from itertools import pairwise
from pathlib import Path

import numpy as np

_MRT = Path(__file__).resolve().parent.parent / "jakarta" / "fares" / "make_mrt.py"
_spec = importlib.util.spec_from_file_location("make_mrt", _MRT)
assert _spec is not None and _spec.loader is not None
_make_mrt = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_make_mrt)
MRT_TABLE_K = _make_mrt.TABLE_K  # the real line's fares (Rp thousands), shared with the Jakarta examples

SEED = 2024
ZONES_TARGET = 300                # gravity zones (a grid of about this many cells)
BUS_ROUTES = 143                  # TJ non-BRT routes: 257 TJ-group routes (src B5) - 14 BRT corridors - the Mikrotrans routes
MICROBUS_ROUTES = 100             # Mikrotrans routes (assumption: the split of the 257 is not published)
FLEET_TJ, FLEET_MT = 4370, 2968   # buses and Mikrotrans (docs/sources.md B5 "network size 2024"): the fleet in service at the peak
BRT_PEAK_ARTIC, BRT_PEAK = 2, 2.5  # assumption: BRT peak headways (min), trunks with articulated buses / the others (+0 or +0.5)
BRT_LATE, BRT_NIGHT = 10, 20      # assumption: BRT headways 22:00-24:00 and overnight (AMARI night service, src: tj-amari)
STATION_SHARE = 0.5               # assumption: share of a zone cell's population and jobs within walking distance of its rail stations
KRL_SCOPE = 0.15                  # assumption: share of KRL's weekday riders whose journeys start and end inside the modelled area
LAYOVER_MIN = 10                  # assumption: minutes of layover per round trip (5 at each terminus), for the fleet count
GRID_KM = 0.375                   # road grid: a bus stop at every crossing, 375 m apart
BUS_KM, MICRO_KM = (10, 30), (5, 15)   # route lengths (grid path length)
WALK_MAX_M, DETOUR = 400, 1.3     # walk links: straight line x 1.3, at most 400 m
RAIL_WALK_M = 800                 # assumption: and at most 800 m to or from a rail station (the usual 400 m bus / 800 m rail catchments)
ACCESS_RADIUS_M, MAX_ACCESS_STOPS = 800, 4
POPULATION, JOBS, JOURNEYS = 10_600_000, 5_000_000, 720_000
LAT_S, LAT_N, LON_W, LON_E = -6.37, -6.10, 106.68, 106.98
KM_LAT = 110.574
KM_LON = 111.320 * math.cos(math.radians((LAT_S + LAT_N) / 2))
W_KM, H_KM = (LON_E - LON_W) * KM_LON, (LAT_N - LAT_S) * KM_LAT
NX, NY = int(W_KM / GRID_KM) + 1, int(H_KM / GRID_KM) + 1      # arterial grid sites (bus stops)
HERE = Path(__file__).resolve().parent
BANDS = [("05:00", "07:00"), ("07:00", "09:00"), ("09:00", "16:00"), ("16:00", "19:00"), ("19:00", "22:00")]
# BRT corridors run 24 h (src: tj-amari: all 13 main corridors since Nov 2022; the 14th assumed alike): the service day
# is 04:00 (KRL's first trains, src: krl-headway) to 28:00 (04:00 next morning)
BRT_BANDS = [("04:00", "05:00"), *BANDS, ("22:00", "24:00"), ("24:00", "28:00")]
FEEDER_BANDS = [*BANDS, ("22:00", "24:00")]   # non-BRT buses and Mikrotrans: to the last MRT and KRL trains

# 14 BRT corridors on the 800 m sub-grid (every site a station; crossings and shared roads share
# stations): id, description, articulated buses?, waypoints in km from the south-west corner.
CORRIDORS = [
    ("c01", "N-S trunk through the CBD", True, [(16.0, 13.6), (16.0, 26.4)]),
    ("c02", "east - north CBD", False, [(26.4, 24.0), (16.0, 24.0)]),
    ("c03", "far west - north CBD", False, [(1.6, 22.4), (16.0, 22.4)]),
    ("c04", "east - CBD via the east ring", False, [(26.4, 24.0), (22.4, 24.0), (22.4, 19.2), (16.0, 19.2)]),
    ("c05", "east hub - north coast", False, [(20.8, 16.8), (20.8, 28.0)]),
    ("c06", "south - CBD", False, [(17.6, 7.2), (17.6, 19.2), (16.0, 19.2)]),
    ("c07", "south-east - east hub", False, [(24.0, 5.6), (24.0, 12.0), (20.8, 12.0), (20.8, 16.8)]),
    ("c08", "south-west - north CBD", False, [(8.8, 9.6), (8.8, 20.8), (15.2, 20.8), (15.2, 22.4)]),
    ("c09", "south-east - north-west (longest)", True, [(24.8, 12.0), (24.8, 14.4), (10.4, 14.4), (10.4, 26.4)]),
    ("c10", "north port - south-east", False, [(24.0, 28.0), (24.0, 10.4)]),
    ("c11", "east hub - far east", False, [(20.8, 16.8), (30.4, 16.8)]),
    ("c12", "north-west - north port", False, [(10.4, 26.4), (10.4, 28.0), (24.0, 28.0)]),
    ("c13", "west - south CBD", False, [(2.4, 12.0), (14.4, 12.0), (14.4, 13.6), (16.0, 13.6)]),
    ("c14", "north coast - CBD", False, [(19.2, 28.0), (19.2, 21.6), (16.0, 21.6)]),
]
# Rail (km). KRL interchanges are shared vertices; stations ~2 km apart on each segment.
MANGGARAI, TANAHABANG, DURI, JATINEGARA, KOTA = (17.8, 16.6), (14.6, 19.0), (13.0, 21.8), (20.5, 17.6), (15.0, 26.0)
KRL_LINES = [  # id, name, vertices, capacity, busy (Bogor-like headways)
    ("l1", "south - central hub - north terminus", [(16.6, 0.2), (17.8, 9.0), MANGGARAI, (16.9, 21.2), KOTA], 2000, True),
    ("l2", "far east - east hub - central hub", [(33.0, 20.0), JATINEGARA, MANGGARAI], 1600, False),
    ("l3", "south-west - west-central hub", [(0.2, 5.0), (8.5, 12.5), TANAHABANG], 1600, False),
    ("l4", "west - north-west hub", [(0.2, 20.5), DURI], 1600, False),
    ("l5", "loop: east hub - central - west-central - north-west - north", [JATINEGARA, MANGGARAI, TANAHABANG, DURI, KOTA], 1600, False),
]
MRT_LINE = [(10.4, 8.6), (15.2, 13.0), (16.0, 19.8)]   # 13 stations, 15.7 km
LRT_LINE = [(25.4, 23.8), (23.2, 19.6)]                # 6 stations, 5.8 km

rng = np.random.default_rng(SEED)
stops: dict[str, list] = {}       # stop id -> [name, x_km, y_km, paid_area]
routes: list[dict] = []


def add_stop(sid: str, name: str, x: float, y: float, paid: str = "") -> str:
    stops.setdefault(sid, [name, x, y, paid])
    return sid


def grid_path(waypoints: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Grid sites visited going straight from waypoint to waypoint (x first at a corner)."""
    path = [tuple(waypoints[0])]
    for i1, j1 in waypoints[1:]:
        i0, j0 = path[-1]
        s = 1 if i1 > i0 else -1
        path += [(i, j0) for i in range(i0 + s, i1 + s, s)] if i1 != i0 else []
        s = 1 if j1 > j0 else -1
        path += [(i1, j) for j in range(j0 + s, j1 + s, s)] if j1 != j0 else []
    assert len(set(path)) == len(path), waypoints
    return path


def headways(everys: list[float], bands=BANDS) -> list[tuple[str, str, float]]:
    return [(s, e, m) for (s, e), m in zip(bands, everys)]


def minutes(clock: str) -> int:
    return int(clock[:2]) * 60 + int(clock[3:])


def round_trip_min(rt) -> float:
    """Minutes a vehicle needs for one round trip: both directions at the route's speed plus the layover."""
    return 2 * rt["length"] / rt["speed"] * 60 + LAYOVER_MIN


def peak_fleet(rts) -> int:
    """Vehicles in service at the peak: per route, round trip / the shortest headway, rounded up."""
    return sum(math.ceil(round_trip_min(rt) / min(m for *_, m in rt["headways"]) - 1e-9) for rt in rts)


def add_route(rid, name, op, sids, length_km, speed, capacity, hw, notes=None) -> None:
    routes.append({"id": rid, "name": name, "operator": op, "stops": sids, "length": round(length_km, 1), "speed": speed,
                   "capacity": capacity, "headways": hw, "notes": notes or {}})


def bus_id(i, j):
    return add_stop(f"bs_{i:02d}_{j:02d}", f"Bus stop {i}-{j}", i * GRID_KM, j * GRID_KM)


def micro_id(i, j):
    return add_stop(f"mb_{i:02d}_{j:02d}", f"Microbus stop {i}-{j}", (i + 0.5) * GRID_KM, (j + 0.5) * GRID_KM)


# ---------------------------------------------------------------- BRT corridors
served: dict[tuple[int, int], list[str]] = {}
brt_paths = []
for cid, desc, artic, wps in CORRIDORS:
    sub = [(round(x / (2 * GRID_KM)), round(y / (2 * GRID_KM))) for x, y in wps]   # snapped to the BRT sub-grid
    sites = [(2 * a, 2 * b) for a, b in grid_path(sub)]
    brt_paths.append((cid, desc, artic, sites))
    for s in sites:
        served.setdefault(s, []).append(cid.upper())
for cid, desc, artic, sites in brt_paths:
    sids = [add_stop(f"brt_{i:02d}_{j:02d}", f"BRT {'/'.join(served[(i, j)])} {i}-{j}",
                     i * GRID_KM + 0.02, j * GRID_KM + 0.02, "transjakarta") for i, j in sites]
    peak = BRT_PEAK_ARTIC if artic else BRT_PEAK + 0.5 * int(rng.integers(0, 2))
    add_route(f"tj-{cid}", f"BRT {cid.upper()}: {desc} (synthetic)", "transjakarta", sids,
              (len(sites) - 1) * 2 * GRID_KM, 18 if artic else int(rng.integers(18, 21)), 140 if artic else 85,
              headways([BRT_NIGHT, peak + 1, peak, peak + 1, peak, peak + 2, BRT_LATE, BRT_NIGHT], BRT_BANDS))
anchors_bus = {s for s, c in served.items() if len(c) > 1} | {p[0] for *_, p in brt_paths} | {p[-1] for *_, p in brt_paths}


# ---------------------------------------------------------------- rail
def along(vertices, spacing=None, count=None):
    """Points on a polyline: `count` evenly by arc length, or every vertex plus ~`spacing` km steps."""
    v = np.array(vertices, float)
    seg = np.hypot(*np.diff(v, axis=0).T)
    if count:
        cum = np.concatenate([[0], np.cumsum(seg)])
        at = np.linspace(0, cum[-1], count)
        return [tuple(np.interp(a, cum, v[:, k]) for k in (0, 1)) for a in at]
    pts = [tuple(v[0])]
    for a, b, L in zip(v[:-1], v[1:], seg):
        n = max(1, round(L / spacing))
        pts += [tuple(a + (b - a) * k / n) for k in range(1, n + 1)]
    return pts


def polyline_km(pts):
    return float(sum(math.hypot(b[0] - a[0], b[1] - a[1]) for a, b in pairwise(pts)))


mrt = [add_stop(f"mrt_{k + 1:02d}", f"MRT station {k + 1}", x, y, "mrt") for k, (x, y) in enumerate(along(MRT_LINE, count=13))]
add_route("mrt-ns", "MRT North-South line (synthetic alignment)", "mrt", mrt, 15.7, 31, 1800,
          [("05:00", "07:00", 10), ("07:00", "09:00", 5), ("09:00", "17:00", 10), ("17:00", "19:00", 5), ("19:00", "24:00", 10)],
          {"length": "src: mrt-line", "speed_kmh": "src: mrt-time (30 min end to end)", "capacity": "src: mrt-cap (six-car trainset)",
           "headways": "src: mrt-hours-headway (5 min at peaks 07-09, 17-19, 10 min otherwise; 05:00-24:00)"})
lrt = [add_stop(f"lrt_{k + 1}", f"LRT station {k + 1}", x, y, "lrt") for k, (x, y) in enumerate(along(LRT_LINE, count=6))]
add_route("lrt-1", "LRT Jakarta line (synthetic alignment)", "lrt", lrt, 5.8, 27, 270, [("06:00", "22:00", 10)],
          {"length": "src: lrt-line", "speed_kmh": "src: lrt-line (5.8 km in 13 min)", "capacity": "src: lrt-cap (one LRV per train assumed)",
           "headways": "src: lrt-line (10-min headway); span from src: lrt-hours"})
krl_pts = [along(verts, spacing=2.0) for _, _, verts, _, _ in KRL_LINES]
krl_ids = [[f"krl_{round(x * 10):03d}_{round(y * 10):03d}" for x, y in pts] for pts in krl_pts]  # same place, same station
lines_at = {sid: sum(sid in line for line in krl_ids) for line in krl_ids for sid in line}
for (lid, desc, _verts, cap, busy), pts, ids_ in zip(KRL_LINES, krl_pts, krl_ids):
    sids = [add_stop(sid, f"KRL {'interchange' if lines_at[sid] > 1 else 'station'} {sid[4:]}", x, y, "krl")
            for sid, (x, y) in zip(ids_, pts)]
    hw = [10, 5, 10, 6, 12] if busy else [15, 10, 15, 10, 15]
    add_route(f"krl-{lid}", f"KRL line {lid[1]}: {desc} (synthetic)", "krl", sids, polyline_km(pts), 35, cap,
              headways(hw, [("04:00", "06:00"), ("06:00", "09:00"), ("09:00", "16:00"), ("16:00", "20:00"), ("20:00", "23:30")]),
              {"length": "grid geometry: polyline length, stations ~2 km apart (assumption)",
               "speed_kmh": "assumption: between src: krl-speed (Bogor - Kota ~1.5 h for 54 km, src: krl-dist) and its 40 km/h average",
               "capacity": "assumption: 10-12 car trains (src: krl-12car)" if busy else "assumption: 8-10 car trains",
               "headways": "src: krl-headway (Bogor line 5-8 min at peaks, 5-10 min off-peak; service 04:00-23:30)" if busy
                           else "src: krl-headway (Bekasi and Serpong lines 10-15 min; service 04:00-23:30)"})
rail_stations = [s for s, v in stops.items() if v[3] in ("mrt", "lrt", "krl")]
anchors_bus |= {(round(stops[s][1] / GRID_KM), round(stops[s][2] / GRID_KM)) for s in rail_stations}
anchors_micro = {(min(NX - 2, max(0, math.floor(stops[s][1] / GRID_KM))), min(NY - 2, max(0, math.floor(stops[s][2] / GRID_KM))))
                 for s in stops if stops[s][3]}

# ---------------------------------------------------------------- zones (grid; centres may move to reach a stop)
nzx = max(1, round(math.sqrt(ZONES_TARGET * W_KM / H_KM)))
nzy = max(1, round(ZONES_TARGET / nzx))
zx, zy = np.meshgrid((np.arange(nzx) + 0.5) * W_KM / nzx, (np.arange(nzy) + 0.5) * H_KM / nzy)
zxy = np.column_stack([zx.ravel(), zy.ravel()])
reach_km = 0.95 * ACCESS_RADIUS_M / DETOUR / 1000   # 5% margin against the loader's great-circle distance
covered = np.zeros(len(zxy), bool)


def cover(sids) -> None:
    p = np.array([stops[s][1:3] for s in sids])
    d = np.hypot(zxy[:, None, 0] - p[None, :, 0], zxy[:, None, 1] - p[None, :, 1])
    covered[:] |= (d <= reach_km).any(axis=1)


cover(list(stops))


EVENING = [  # (line of scenarios/jakarta/demand/tours.yaml, its jakarta-scale replacement)
    ('      - {start: "12:00", end: "16:00", weight: 4}\n', ""),
    ("activity: {mean: 9h, sd: 90min, min: 3h, max: 14h}   # assumption: a working day (range 8-10 h)",
     "activity: {mean: 9h, sd: 90min, min: 3h, max: 11h}   # assumption: a working day (range 8-10 h); jakarta-scale: at most 11 h"),
    ('      - {start: "19:00", end: "21:00", weight: 3}\n', '      - {start: "19:00", end: "21:00", weight: 1}   # jakarta-scale: 1, not 3\n'),
    ("second_tour: 0.10                   # assumption: 10% of persons go out again after coming home (range 0-20%)",
     "second_tour: 0.0                    # assumption, jakarta-scale: none (jakarta: 10%); a second tour takes a first tour's purpose,\n"
     "                                    # e.g. a 9-h work tour from 20:00, back long after the feeders stop"),
]


# ---------------------------------------------------------------- TJ non-BRT buses and Mikrotrans
def random_route(start, length_km, anchors, nx, ny, p_anchor):
    """A monotone grid path (L or Z shape) from `start`, its length in `length_km`, often ending at an anchor."""
    lo, hi = math.ceil(length_km[0] / GRID_KM - 1e-9), math.floor(length_km[1] / GRID_KM + 1e-9)
    for _ in range(200):
        i0, j0 = start if start is not None else (int(rng.integers(nx)), int(rng.integers(ny)))
        near = [a for a in anchors if lo <= abs(a[0] - i0) + abs(a[1] - j0) <= hi]
        if near and rng.random() < p_anchor:
            i1, j1 = near[int(rng.integers(len(near)))]
        else:
            n = int(rng.triangular(lo, lo + (hi - lo) / 3, hi))
            a = int(rng.integers(n + 1))
            i1, j1 = i0 + a * int(rng.choice([-1, 1])), j0 + (n - a) * int(rng.choice([-1, 1]))
        if not (0 <= i1 < nx and 0 <= j1 < ny) or abs(i1 - i0) + abs(j1 - j0) < lo:
            continue
        shape, f = int(rng.integers(4)), rng.uniform(0.25, 0.75)
        mi, mj = round(i0 + f * (i1 - i0)), round(j0 + f * (j1 - j0))
        wps = [[(i0, j0), (i1, j1)], [(i0, j0), (i0, j1), (i1, j1)],
               [(i0, j0), (mi, j0), (mi, j1), (i1, j1)], [(i0, j0), (i0, mj), (i1, mj), (i1, j1)]][shape]
        return grid_path(wps)
    raise RuntimeError("no route found")


for k in range(BUS_ROUTES):
    path = random_route(None, BUS_KM, sorted(anchors_bus), NX, NY, 0.4)
    sids = [bus_id(i, j) for i, j in path]
    speed = int(rng.integers(12, 16))
    rng.choice([60, 80])   # the capacity drawn in earlier versions: kept so the random sequence (the network) stays
    cover(sids)
    add_route(f"tj-b{k + 1:03d}", f"TJ bus {k + 1:03d} (synthetic)", "transjakarta", sids, (len(path) - 1) * GRID_KM,
              speed, 80, [])   # headways: from the fleet, below


def within_walk(targets: list[str], sids: list[str]) -> set[str]:
    """The targets within walking distance (WALK_MAX_M) of one of `sids`."""
    if not targets or not sids:
        return set()
    t, p = np.array([stops[s][1:3] for s in targets]), np.array([stops[s][1:3] for s in sids])
    d = np.hypot(t[:, None, 0] - p[None, :, 0], t[:, None, 1] - p[None, :, 1]) * DETOUR * 1000
    return {targets[n] for n in np.flatnonzero((d <= WALK_MAX_M).any(axis=1))}


stations = [s for s, v in stops.items() if v[3]]
unlinked = set(stations) - within_walk(stations, [s for s, v in stops.items() if not v[3]])
for k in range(MICROBUS_ROUTES):
    # the first routes start at zones no stop reaches yet, or at stations no bus or microbus stop reaches
    todo = [tuple(zxy[z]) for z in np.flatnonzero(~covered)] + [tuple(stops[s][1:3]) for s in sorted(unlinked)]
    start = None
    if todo:
        x, y = todo[int(rng.integers(len(todo)))]
        start = (min(NX - 2, max(0, round(x / GRID_KM - 0.5))), min(NY - 2, max(0, round(y / GRID_KM - 0.5))))
    path = random_route(start, MICRO_KM, sorted(anchors_micro), NX - 1, NY - 1, 0.5)
    sids = [micro_id(i, j) for i, j in path]
    cover(sids)
    unlinked -= within_walk(sorted(unlinked), sids)
    add_route(f"mt-{k + 1:03d}", f"Mikrotrans JAK-{k + 1:03d} (synthetic)", "mikrotrans", sids, (len(path) - 1) * GRID_KM, 12, 11,
              [])   # headways: from the fleet, below



# ---------------------------------------------------------------- walk links: every pair within 400 m (800 m to a rail station)
ids = list(stops)
xy = np.array([stops[s][1:3] for s in ids])
is_rail = np.array([stops[s][3] in ("mrt", "lrt", "krl") for s in ids])
links = []
for a0 in range(0, len(ids), 500):
    d = np.hypot(xy[a0:a0 + 500, None, 0] - xy[None, :, 0], xy[a0:a0 + 500, None, 1] - xy[None, :, 1]) * DETOUR * 1000
    reach_m = np.where(is_rail[a0:a0 + 500, None] | is_rail[None, :], RAIL_WALK_M, WALK_MAX_M)
    for a, b in zip(*np.nonzero(d <= reach_m)):
        if a0 + a < b:
            links.append((ids[a0 + a], ids[b], max(1, round(float(d[a, b])))))

# ---------------------------------------------------------------- the route graph and zones' access routes
def route_graph():
    """Stop-route incidence, and the routes boardable from each stop (itself or one walking link away)."""
    sidx = {s: n for n, s in enumerate(ids)}
    inc = np.zeros((len(ids), len(routes)), bool)
    for r, rt in enumerate(routes):
        inc[[sidx[s] for s in rt["stops"]], r] = True
    walk = [[n] for n in range(len(ids))]
    for a, b, _ in links:
        walk[sidx[a]].append(sidx[b])
        walk[sidx[b]].append(sidx[a])
    return inc, np.array([inc[w].any(axis=0) for w in walk])


def access_routes() -> np.ndarray:
    """Per zone, the routes it can board: the loader's access rule (the nearest stops within the radius) plus one walk."""
    _, reach = route_graph()
    zr = np.zeros((len(zxy), len(routes)), bool)
    for z, c in enumerate(zxy):
        d = np.hypot(*(xy - c).T) * DETOUR * 1000
        near = np.argsort(d, kind="stable")[:MAX_ACCESS_STOPS]
        for n in near[d[near] <= ACCESS_RADIUS_M]:
            zr[z] |= reach[n]
    return zr


def connectivity() -> np.ndarray:
    """Share of zone pairs whose access routes are joined by at most 0..3 transfers (route graph: shared stops or
    a walk link)."""
    inc, reach = route_graph()
    adj = (inc.T.astype(np.int32) @ reach.astype(np.int32)) > 0
    hops = np.where(np.eye(len(routes), dtype=bool), 0, 99)
    front = np.eye(len(routes), dtype=bool)
    for h in range(1, 4):
        front = (front.astype(np.int32) @ adj.astype(np.int32)) > 0
        hops = np.where(front & (hops > h), h, hops)
    zr = access_routes()
    off = ~np.eye(len(zxy), dtype=bool)
    return np.array([((zr.astype(np.int32) @ (hops <= h).astype(np.int32) @ zr.T.astype(np.int32)) > 0)[off].mean()
                     for h in range(4)])


# ---------------------------------------------------------------- zones: move unreachable centres, population and jobs
moved = 0
for z in np.flatnonzero(~covered):   # fallback: the centre moves next to its nearest stop
    n = int(np.argmin(np.hypot(*(xy - zxy[z]).T)))
    zxy[z] = xy[n] + 0.05
    moved += 1
cbd_d = np.hypot(zxy[:, 0] - 16.0, np.clip(zxy[:, 1], 13.6, 22.4) - zxy[:, 1])   # distance to the Sudirman-Thamrin-like axis
ring = np.hypot(zxy[:, 0] - 16.0, zxy[:, 1] - 18.0)
pop = (ring + 1.5) ** 1.2 * np.exp(-ring / 9) * rng.lognormal(0, 0.35, len(zxy))
subcentres = [(17.4, 16.0, 2.0), (24.0, 23.5, 1.0), (25.5, 21.0, 1.0), (14.0, 7.5, 1.2), (22.0, 28.5, 1.0), (4.0, 22.0, 0.8), (15.0, 25.5, 1.5)]
jobs = 6 * np.exp(-cbd_d ** 2 / (2 * 1.2 ** 2)) + 0.3 * pop / pop.mean()
for x, y, w in subcentres:
    jobs += w * np.exp(-((zxy[:, 0] - x) ** 2 + (zxy[:, 1] - y) ** 2) / (2 * 1.5 ** 2))
jobs *= rng.lognormal(0, 0.25, len(zxy))
pop, jobs = np.round(pop * POPULATION / pop.sum()), np.round(jobs * JOBS / jobs.sum())

cell_w, cell_h = W_KM / nzx, H_KM / nzy


def cell_of(x: float, y: float) -> int:
    return min(nzy - 1, max(0, int(y / cell_h))) * nzx + min(nzx - 1, max(0, int(x / cell_w)))



# ---------------------------------------------------------------- station zones
# Rail stations draw riders from their walking catchment, which a 1.8 km zone cell's centre does not reach. Every MRT,
# LRT and KRL station gets a zone of its own, 30 m from it, holding STATION_SHARE of its cell's population and jobs
# (shared by the cell's stations; an assumption: the people living and working within a few hundred metres).
rail = sorted(s for s, v in stops.items() if v[3] in ("mrt", "lrt", "krl"))
host = np.array([cell_of(*stops[sid][1:3]) for sid in rail])
per_cell = np.bincount(host, minlength=len(zxy))
take = STATION_SHARE / per_cell[host]
st_pop, st_jobs = np.round(pop[host] * take), np.round(jobs[host] * take)
np.subtract.at(pop, host, st_pop)
np.subtract.at(jobs, host, st_jobs)
zone_ids = [f"z{z // nzx:02d}_{z % nzx:02d}" for z in range(len(zxy))] + [f"st_{sid}" for sid in rail]
zone_names = [f"Zone row {z // nzx} col {z % nzx}" for z in range(len(zxy))] + [f"Station area {sid}" for sid in rail]
n_grid = len(zxy)
zxy = np.vstack([zxy, [(stops[sid][1] + 0.03, stops[sid][2]) for sid in rail]])
pop, jobs = np.concatenate([pop, st_pop]), np.concatenate([jobs, st_jobs])

# ---------------------------------------------------------------- headways from the 2024 fleet
# Each class's fleet in service at the peak is the published count (TJ's buses less the BRT corridors' own). It is
# shared out by a load rule (frequency in proportion to demand, so vehicles fill alike): a route's demand proxy is the population
# plus jobs of the zones (station areas included) that board it, each zone's shared by the routes it can board (the
# loader's access rule plus one walking link, as the connectivity check). Peak
# headways are multiples of 15 s within 1/3-3 x the class's mean, at least 1.5 min; off-peak and evening are multiples
# (assumptions). Buses and Mikrotrans run 05:00-24:00, to meet the last MRT and KRL trains (assumption: src:
# okotrip-routes gives 05:00-22:00, and 05:00-23:00 in an Antara report; 4 Mikrotrans routes ran 24 h on trial in 2024,
# src: mikrotrans-amari-2024).
# Mikrotrans keep nearly the peak headway all day: 2,968 vehicles x 190 km/day (the contract target, src:
# okotrip-contract) is about what running all day at 12 km/h gives.
OFFPEAK = {"tj-b": [1.25, 1, 1.5, 1, 2, 2], "mt-": [1, 1, 1.25, 1, 1.5, 1.5]}
def fit_headways(prefix: str, fleet: int) -> float:
    rts = [r for r in routes if r["id"].startswith(prefix)]
    demand = route_demand[[routes.index(r) for r in rts]]
    rel = np.clip(demand.mean() / np.maximum(demand, 1e-9), 1 / 3, 3.0)   # headway relative to the class's mean

    def set_to(h):
        for r, k in zip(rts, rel):
            peak = max(1.5, round(h * k * 4) / 4)
            r["headways"] = headways([round(peak * f * 2) / 2 if f != 1 else peak for f in OFFPEAK[prefix]], FEEDER_BANDS)
        return peak_fleet(rts)

    best = min((q / 4 for q in range(4, 121)), key=lambda h: (abs(set_to(h) - fleet), h))
    set_to(best)
    return best


zone_routes = access_routes()
route_demand = ((pop + jobs)[:, None] * zone_routes / np.maximum(zone_routes.sum(axis=1, keepdims=True), 1)).sum(axis=0)
# the operator's way, once the model has run: each route's measured morning-peak load past its critical point
# (demand/peak_loads.csv, written by peak_loads.py from a run of the scenario) replaces the proxy
PEAK_LOADS = HERE / "demand" / "peak_loads.csv"
if PEAK_LOADS.exists():
    with open(PEAK_LOADS, newline="") as f:
        measured = {row["route_id"]: float(row["peak_hour_load"]) for row in csv.DictReader(f)}
    route_demand = np.array([measured.get(r["id"], 0.0) for r in routes])
brt_fleet = peak_fleet([r for r in routes if r["id"].startswith("tj-c")])
H_BUS, H_MT = fit_headways("tj-b", FLEET_TJ - brt_fleet), fit_headways("mt-", FLEET_MT)
PEAK_RANGE = {c: (min(min(m for *_, m in r["headways"]) for r in routes if r["id"].startswith(c)),
                  max(min(m for *_, m in r["headways"]) for r in routes if r["id"].startswith(c))) for c in ("tj-b", "mt-")}



# ---------------------------------------------------------------- write the files
def lat_lon(x, y):
    return f"{LAT_S + y / KM_LAT:.6f}", f"{LON_W + x / KM_LON:.6f}"


for sub in ("network", "demand", "fares"):
    (HERE / sub).mkdir(exist_ok=True)
with open(HERE / "network/stops.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["stop_id", "name", "lat", "lon", "paid_area"])
    w.writerows([s, v[0], *lat_lon(v[1], v[2]), v[3]] for s, v in stops.items())
with open(HERE / "network/walk_links.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["from_stop", "to_stop", "walk_m"])
    w.writerows(links)
with open(HERE / "demand/zones.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["zone_id", "name", "lat", "lon", "population", "jobs"])
    for z, (x, y) in enumerate(zxy):
        w.writerow([zone_ids[z], zone_names[z], *lat_lon(x, y), int(pop[z]), int(jobs[z])])
with open(HERE / "fares/mrt.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["from_stop", "to_stop", "amount", "note"])
    for a in range(13):
        for b in range(a + 1, 13):
            w.writerow([mrt[a], mrt[b], MRT_TABLE_K[a][b] * 1000,
                        "the real line's table, station k for station k (src: mrt-fare-table)"])

CLASS_NOTES = {
    "tj-c": f"# --- TransJakarta BRT corridors (14 as in docs/sources.md B5 'network size 2024', no key). Stations every {2000 * GRID_KM:.0f} m (assumption), paid area\n"
            "# transjakarta. Speed 18-20 km/h (assumption, 18 on the articulated trunks). Capacity 140 on the two trunks (src: tj-artic-cap),\n"
            f"# 85 otherwise (assumption: single 12 m bus). Peak headways {BRT_PEAK_ARTIC:g} min on the trunks, {BRT_PEAK:g}-{BRT_PEAK + 0.5:g} on the others (assumption, set\n"
            "# with the non-BRT headways below to the 2024 fleet; src: tj-headway-2009 had K1 at 3-5 min with 426 buses in 2009), off-peak +1-2 min.\n"
            f"# 24 hours (src: tj-amari, 24-h service on all main corridors since Nov 2022): every {BRT_LATE} min 22:00-24:00 and {BRT_NIGHT} min\n"
            "# 24:00-05:00 (assumption: the night headway is not published).\n",
    "tj-b": f"# --- TransJakarta non-BRT routes ({BUS_ROUTES}: 257 TJ-group routes (src B5) less 14 corridors and {MICROBUS_ROUTES} Mikrotrans routes, an assumed split).\n"
            f"# Stops every {1000 * GRID_KM:.0f} m on the road grid, length = grid path. Speed 12-15 km/h, capacity 80 (12-m bus with standees; assumptions).\n"
            f"# Peak headways {PEAK_RANGE['tj-b'][0]:g}-{PEAK_RANGE['tj-b'][1]:g} min, shared out by a load rule (make_scenario.py) so that the fleet in service\n"
            f"# at the peak (round trip + {LAYOVER_MIN} min layover over the headway) brings TJ's to {FLEET_TJ:,} buses (B5 'network size 2024');\n"
            "# off-peak x1.25-2 (assumption). 05:00-24:00 (assumption: src: tj-hours gives 05:00-22:00 originally; to the last MRT and KRL trains).\n",
    "mt-": f"# --- Mikrotrans routes (assumption: {MICROBUS_ROUTES} routes). Stops every {1000 * GRID_KM:.0f} m on a local-street grid offset half a step.\n"
           f"# Speed 12 km/h (assumption), capacity 11 (src: mb-cap). Peak headways {PEAK_RANGE['mt-'][0]:g}-{PEAK_RANGE['mt-'][1]:g} min (load rule): the fleet in service at the peak is {FLEET_MT:,}\n"
           "# Mikrotrans (B5 'network size 2024'; the 2018 standard was 8-10 min, src: okotrip-routes); x1.25 09-16, x1.5 after 19:00\n"
           "# (assumption; the contract's 190 km per vehicle a day, src: okotrip-contract, means nearly all-day service). 05:00-24:00 (assumption: src: okotrip-routes gives 05:00-22:00, 05:00-23:00\n"
           "# in an Antara report; src: mikrotrans-amari-2024: 4 routes on a 24-h trial in 2024).\n",
}
out = [("# GENERATED by scenarios/jakarta-scale/make_scenario.py: do not edit by hand, change the generator and rerun.\n"
        "# SYNTHETIC network the size of JakLingko in 2024: sizes, speeds, capacities and headway ranges are real (cited with keys of\n"
        "# docs/sources.md) or marked assumption; stop positions and route alignments are INVENTED (scenarios/jakarta-scale/README.md).\n"),
       "routes:\n"]
seen = set()
for rt in routes:
    cls = next((c for c in CLASS_NOTES if rt["id"].startswith(c)), None)
    if cls and cls not in seen:
        seen.add(cls)
        out.append("\n" + CLASS_NOTES[cls])
    nt = rt["notes"]
    cm = {k: f"   # {v}" if v else "" for k, v in ((k, nt.get(k, "")) for k in ("length", "speed_kmh", "capacity", "headways"))}
    out.append(f"  - id: {rt['id']}\n    name: \"{rt['name']}\"\n    operator: {rt['operator']}\n"
               f"    stops: [{', '.join(rt['stops'])}]\n    length: \"{rt['length']}km\"{cm['length']}\n"
               f"    speed_kmh: {rt['speed']}{cm['speed_kmh']}\n    capacity: {rt['capacity']}{cm['capacity']}\n    headways:{cm['headways']}\n")
    out += [f"      - {{start: \"{s}\", end: \"{e}\", every: \"{m:g}min\"}}\n" for s, e, m in rt["headways"]]
(HERE / "network/routes.yaml").write_text("".join(out))


def vehicle_km(prefix: str) -> float:
    def trips(s, e, m):
        return math.ceil((minutes(e) - minutes(s)) / m - 1e-9)
    return sum(2 * r["length"] * sum(trips(*h) for h in r["headways"]) for r in routes if r["id"].startswith(prefix))


count = {op: sum(r["operator"] == op for r in routes) for op in ("transjakarta", "mikrotrans", "mrt", "lrt", "krl")}
tj_km, mrt_km, lrt_km = vehicle_km("tj-"), vehicle_km("mrt-"), vehicle_km("lrt-")
sizes = (f"{len(stops):,} stops, {len(routes)} routes ({count['transjakarta']} TransJakarta (14 BRT corridors), "
         f"{count['mikrotrans']} Mikrotrans, 1 MRT, 1 LRT, {count['krl']} KRL), {len(zxy)} zones")
# TJ's cost per trip is the TJ group's (its PSO pays for the Mikrotrans too): the group's day less what the Mikrotrans
# contract pays (Rp 3,800 a vehicle-km run, src: okotrip-contract; no deduction below 190 km) is the big buses' cost
mt_cost = 3800 * vehicle_km("mt-")
cost = {"TJ": round((13500 * 1_300_000 - mt_cost) / tj_km), "MRT": round(31659 * 111500 / mrt_km),
        "LRT": round(41655 * 3100 / lrt_km)}
subst = {"@SIZES@": sizes, "@TJ_KM@": f"{tj_km:,.0f}", "@MT_COSTF@": f"{mt_cost / 1e6:,.0f}", "@MRT_KM@": f"{mrt_km:,.0f}", "@LRT_KM@": f"{lrt_km:,.0f}",
         **{f"@{k}_COST@": str(v) for k, v in cost.items()}, **{f"@{k}_COSTF@": f"{v:,}" for k, v in cost.items()},
         "@POP@": f"{POPULATION:,}", "@JOBS@": f"{JOBS:,}", "@TOTAL@": str(JOURNEYS), "@RADIUS@": f"{ACCESS_RADIUS_M}m",
         "@MAXACC@": str(MAX_ACCESS_STOPS), "@SEED@": str(SEED),
         "@KRL_SCOPE@": str(KRL_SCOPE), "@KRL_TAPS@": f"{round(984_034 * KRL_SCOPE):,}"}
text = (HERE / "jaklingko-2024.yaml.in").read_text()
for k, v in subst.items():
    text = text.replace(k, v)
(HERE / "jaklingko-2024.yaml").write_text(text)
# calibration targets (docs/calibration.md): 2024 tap-ins a day per operator; `otrip-sim calibrate` fits the boarding
# constants to them into calibration/jaklingko-2024/ (README.md), and validation marks them circular. The MRT's 111,500
# (a 40.8 M year over 366 days) is among them since path search weighs the constants (README.md, "Calibration")
TARGETS = [
    ("taps:transjakarta+mikrotrans", 1_300_000, 1, "tj-ridership",
     "about 1.3 M/day in 2024 (docs/sources.md B5); a TJ-group count: it includes Mikrotrans (and Royaltrans, not modelled)"),
    ("taps:lrt", 3_100, 1, "lrt-ridership", "Jan 2024 average day"),
    ("taps:mrt", 111_500, 1, "mrt-ridership", "2024 average day"),
    ("taps:krl", 984_034, KRL_SCOPE, "krl-ridership",
     f"2024 weekday riders; scope {KRL_SCOPE}: an assumption (not published) for journeys with both ends in the city"),
]
(HERE / "calibration").mkdir(exist_ok=True)
with open(HERE / "calibration/jaklingko-2024.targets.csv", "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["target", "published", "scope_share", "per_year", "source", "note"])
    w.writerows([t, v, sc, "false", src, note] for t, v, sc, src, note in TARGETS)
# persons' tours: the Jakarta examples' assumptions, copied so the scenario folder is self-contained
# The evening is shaped to the feeders' hours (buses and Mikrotrans stop at 22:00; only the BRT corridors run all
# night): no work tours leave home after 12:00, a working day lasts at most 11 h, nobody goes out again after coming
# home (jakarta: 10%), and 'other' tours leave after 19:00 a third as often (all assumptions, as the file's own).
tours = (HERE.parent / "jakarta" / "demand" / "tours.yaml").read_text()
for old, new in EVENING:
    assert tours.count(old) == 1, f"scenarios/jakarta/demand/tours.yaml changed: {old!r} not found once"
    tours = tours.replace(old, new)
(HERE / "demand" / "tours.yaml").write_text(
    "# Derived by make_scenario.py from scenarios/jakarta/demand/tours.yaml (edit that file or EVENING in the generator,\n"
    "# then rerun): the evening shaped to this network's service hours, the changed lines marked 'jakarta-scale'.\n" + tours)
# mode choice (off in the scenario; benchmarks/scale.py --behaviour turns it on): the same copy
modes = (HERE.parent / "jakarta" / "demand" / "modes.yaml").read_text()
(HERE / "demand" / "modes.yaml").write_text(
    "# Copied by make_scenario.py from scenarios/jakarta/demand/modes.yaml (edit that file, then rerun).\n" + modes)

share = connectivity()
fleet = {c: peak_fleet([r for r in routes if r["id"].startswith(c)]) for c in ("tj-c", "tj-b", "mt-")}
per_mt = vehicle_km("mt-") / fleet["mt-"]
print(sizes)
print(f"bus stops {sum(s.startswith('bs_') for s in stops)}, microbus stops {sum(s.startswith('mb_') for s in stops)}, "
      f"BRT stations {sum(s.startswith('brt_') for s in stops)}, MRT {len(mrt)}, LRT {len(lrt)}, "
      f"KRL {sum(s.startswith('krl_') for s in stops)}; walk links {len(links)}")
print(f"zones {len(zxy)} ({nzx} x {nzy} cells + {len(rail)} station areas), {moved} centres moved to reach a stop; OD pairs {len(zxy) * (len(zxy) - 1):,}; "
      f"population {int(pop.sum()):,}, jobs {int(jobs.sum()):,}")
print(f"vehicle-km/day: TJ {tj_km:,.0f}, MRT {mrt_km:,.0f}, LRT {lrt_km:,.0f}; stations without a walk link to a bus/microbus stop: "
      f"{len(unlinked)}")
print(f"fleet in service at the peak: TJ {fleet['tj-c'] + fleet['tj-b']:,} (BRT {fleet['tj-c']:,}, non-BRT {fleet['tj-b']:,} at "
      f"{PEAK_RANGE['tj-b'][0]:g}-{PEAK_RANGE['tj-b'][1]:g} min; 2024: {FLEET_TJ:,}), Mikrotrans {fleet['mt-']:,} at "
      f"{PEAK_RANGE['mt-'][0]:g}-{PEAK_RANGE['mt-'][1]:g} min (2024: {FLEET_MT:,}; {per_mt:.0f} km/vehicle/day)")
print("zone pairs joined with at most 0/1/2/3 transfers: " + " / ".join(f"{v:.1%}" for v in share))
