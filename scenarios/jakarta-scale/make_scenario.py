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
BUS_ROUTES = 236                  # TJ non-BRT routes; with the 14 BRT corridors, 250 TJ routes
MICROBUS_ROUTES = 100             # Mikrotrans routes
GRID_KM = 0.375                   # road grid: a bus stop at every crossing, 375 m apart
BUS_KM, MICRO_KM = (10, 30), (5, 15)   # route lengths (grid path length)
WALK_MAX_M, DETOUR = 400, 1.3     # walk links: straight line x 1.3, at most 400 m
ACCESS_RADIUS_M, MAX_ACCESS_STOPS = 800, 4
POPULATION, JOBS, JOURNEYS = 10_600_000, 5_000_000, 3_000_000
LAT_S, LAT_N, LON_W, LON_E = -6.37, -6.10, 106.68, 106.98
KM_LAT = 110.574
KM_LON = 111.320 * math.cos(math.radians((LAT_S + LAT_N) / 2))
W_KM, H_KM = (LON_E - LON_W) * KM_LON, (LAT_N - LAT_S) * KM_LAT
NX, NY = int(W_KM / GRID_KM) + 1, int(H_KM / GRID_KM) + 1      # arterial grid sites (bus stops)
HERE = Path(__file__).resolve().parent
BANDS = [("05:00", "07:00"), ("07:00", "09:00"), ("09:00", "16:00"), ("16:00", "19:00"), ("19:00", "22:00")]

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


def headways(everys: list[int], bands=BANDS) -> list[tuple[str, str, int]]:
    return [(s, e, m) for (s, e), m in zip(bands, everys)]


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
    peak = 3 if artic else int(rng.integers(4, 6))
    add_route(f"tj-{cid}", f"BRT {cid.upper()}: {desc} (synthetic)", "transjakarta", sids,
              (len(sites) - 1) * 2 * GRID_KM, 18 if artic else int(rng.integers(18, 21)), 140 if artic else 85,
              headways([peak + 2, peak, min(10, peak + 3), peak, 10]))
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
          [("05:00", "07:00", 10), ("07:00", "09:00", 5), ("09:00", "17:00", 10), ("17:00", "19:00", 5), ("19:00", "23:00", 10)],
          {"length": "src: mrt-line", "speed_kmh": "src: mrt-time (30 min end to end)", "capacity": "src: mrt-cap (six-car trainset)",
           "headways": "src: mrt-hours-headway (5 min at peaks 07-09, 17-19, 10 min otherwise; modelled to 23:00)"})
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
              headways(hw, [("05:00", "06:00"), ("06:00", "09:00"), ("09:00", "16:00"), ("16:00", "20:00"), ("20:00", "23:00")]),
              {"length": "grid geometry: polyline length, stations ~2 km apart (assumption)",
               "speed_kmh": "assumption: between src: krl-speed (Bogor - Kota ~1.5 h for 54 km, src: krl-dist) and its 40 km/h average",
               "capacity": "assumption: 10-12 car trains (src: krl-12car)" if busy else "assumption: 8-10 car trains",
               "headways": "src: krl-headway (Bogor line 5-8 min at peaks, 5-10 min off-peak)" if busy
                           else "src: krl-headway (Bekasi and Serpong lines 10-15 min)"})
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
    cover(sids)
    add_route(f"tj-b{k + 1:03d}", f"TJ bus {k + 1:03d} (synthetic)", "transjakarta", sids, (len(path) - 1) * GRID_KM,
              int(rng.integers(12, 16)), int(rng.choice([60, 80])), headways([15, int(rng.choice([10, 12])), 15, 10, 20]))


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
              headways([10, 8, int(rng.choice([10, 12])), 8, 15]))

# ---------------------------------------------------------------- walk links: every pair within 400 m
ids = list(stops)
xy = np.array([stops[s][1:3] for s in ids])
links = []
for a0 in range(0, len(ids), 500):
    d = np.hypot(xy[a0:a0 + 500, None, 0] - xy[None, :, 0], xy[a0:a0 + 500, None, 1] - xy[None, :, 1]) * DETOUR * 1000
    for a, b in zip(*np.nonzero(d <= WALK_MAX_M)):
        if a0 + a < b:
            links.append((ids[a0 + a], ids[b], max(1, round(float(d[a, b])))))

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


# ---------------------------------------------------------------- connectivity: transfers between zones
def connectivity() -> np.ndarray:
    """Share of zone pairs whose access stops (same rule as the loader, plus one walk link) are
    joined by at most 0..3 transfers (route graph: shared stops or a walk link)."""
    sidx = {s: n for n, s in enumerate(ids)}
    inc = np.zeros((len(ids), len(routes)), bool)
    for r, rt in enumerate(routes):
        inc[[sidx[s] for s in rt["stops"]], r] = True
    walk = [[n] for n in range(len(ids))]
    for a, b, _ in links:
        walk[sidx[a]].append(sidx[b])
        walk[sidx[b]].append(sidx[a])
    reach = np.array([inc[w].any(axis=0) for w in walk])             # routes boardable from a stop (+1 walk)
    adj = (inc.T.astype(np.int32) @ reach.astype(np.int32)) > 0
    hops = np.where(np.eye(len(routes), dtype=bool), 0, 99)
    front = np.eye(len(routes), dtype=bool)
    for h in range(1, 4):
        front = (front.astype(np.int32) @ adj.astype(np.int32)) > 0
        hops = np.where(front & (hops > h), h, hops)
    zr = np.zeros((len(zxy), len(routes)), bool)
    for z, c in enumerate(zxy):
        d = np.hypot(*(xy - c).T) * DETOUR * 1000
        near = np.argsort(d, kind="stable")[:MAX_ACCESS_STOPS]
        for n in near[d[near] <= ACCESS_RADIUS_M]:
            zr[z] |= reach[n]
    off = ~np.eye(len(zxy), dtype=bool)
    return np.array([((zr.astype(np.int32) @ (hops <= h).astype(np.int32) @ zr.T.astype(np.int32)) > 0)[off].mean()
                     for h in range(4)])


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
        w.writerow([f"z{z // nzx:02d}_{z % nzx:02d}", f"Zone row {z // nzx} col {z % nzx}", *lat_lon(x, y), int(pop[z]), int(jobs[z])])
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
            "# 85 otherwise (assumption: single 12 m bus). Headways 3-10 min (src: tj-headway-2009: K1 3-5, others 5-10), 05:00-22:00 (src: tj-hours).\n",
    "tj-b": f"# --- TransJakarta non-BRT routes (assumption: {BUS_ROUTES + 14} TJ routes in all). Stops every {1000 * GRID_KM:.0f} m on the road grid, length = grid path.\n"
            "# Speed 12-15 km/h, capacity 60 or 80, headways 10-20 min (all assumptions), 05:00-22:00 (src: tj-hours).\n",
    "mt-": f"# --- Mikrotrans routes (assumption: {MICROBUS_ROUTES} routes). Stops every {1000 * GRID_KM:.0f} m on a local-street grid offset half a step.\n"
           "# Speed 12 km/h (assumption), capacity 11 (src: mb-cap), headways 8-15 min (src: okotrip-routes: 8-10 min; 12-15 off-peak and\n"
           "# evening are assumptions), 05:00-22:00 (src: okotrip-routes).\n",
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
    out += [f"      - {{start: \"{s}\", end: \"{e}\", every: \"{m}min\"}}\n" for s, e, m in rt["headways"]]
(HERE / "network/routes.yaml").write_text("".join(out))


def vehicle_km(prefix: str) -> float:
    def trips(s, e, m):
        return math.ceil((int(e[:2]) * 60 + int(e[3:]) - int(s[:2]) * 60 - int(s[3:])) / m)
    return sum(2 * r["length"] * sum(trips(*h) for h in r["headways"]) for r in routes if r["id"].startswith(prefix))


count = {op: sum(r["operator"] == op for r in routes) for op in ("transjakarta", "mikrotrans", "mrt", "lrt", "krl")}
tj_km, mrt_km, lrt_km = vehicle_km("tj-"), vehicle_km("mrt-"), vehicle_km("lrt-")
sizes = (f"{len(stops):,} stops, {len(routes)} routes ({count['transjakarta']} TransJakarta (14 BRT corridors), "
         f"{count['mikrotrans']} Mikrotrans, 1 MRT, 1 LRT, {count['krl']} KRL), {len(zxy)} zones")
cost = {"TJ": round(13500 * 1_300_000 / tj_km), "MRT": round(31659 * 111500 / mrt_km), "LRT": round(41655 * 3100 / lrt_km)}
subst = {"@SIZES@": sizes, "@TJ_KM@": f"{tj_km:,.0f}", "@MRT_KM@": f"{mrt_km:,.0f}", "@LRT_KM@": f"{lrt_km:,.0f}",
         **{f"@{k}_COST@": str(v) for k, v in cost.items()}, **{f"@{k}_COSTF@": f"{v:,}" for k, v in cost.items()},
         "@POP@": f"{POPULATION:,}", "@JOBS@": f"{JOBS:,}", "@TOTAL@": str(JOURNEYS), "@RADIUS@": f"{ACCESS_RADIUS_M}m",
         "@MAXACC@": str(MAX_ACCESS_STOPS), "@SEED@": str(SEED)}
text = (HERE / "jaklingko-2024.yaml.in").read_text()
for k, v in subst.items():
    text = text.replace(k, v)
(HERE / "jaklingko-2024.yaml").write_text(text)
# persons' tours: the Jakarta examples' assumptions, copied so the scenario folder is self-contained
tours = (HERE.parent / "jakarta" / "demand" / "tours.yaml").read_text()
(HERE / "demand" / "tours.yaml").write_text(
    "# Copied by make_scenario.py from scenarios/jakarta/demand/tours.yaml (edit that file, then rerun).\n" + tours)
# mode choice (off in the scenario; benchmarks/scale.py --behaviour turns it on): the same copy
modes = (HERE.parent / "jakarta" / "demand" / "modes.yaml").read_text()
(HERE / "demand" / "modes.yaml").write_text(
    "# Copied by make_scenario.py from scenarios/jakarta/demand/modes.yaml (edit that file, then rerun).\n" + modes)

share = connectivity()
print(sizes)
print(f"bus stops {sum(s.startswith('bs_') for s in stops)}, microbus stops {sum(s.startswith('mb_') for s in stops)}, "
      f"BRT stations {sum(s.startswith('brt_') for s in stops)}, MRT {len(mrt)}, LRT {len(lrt)}, "
      f"KRL {sum(s.startswith('krl_') for s in stops)}; walk links {len(links)}")
print(f"zones {len(zxy)} ({nzx} x {nzy}), {moved} centres moved to reach a stop; OD pairs {len(zxy) * (len(zxy) - 1):,}; "
      f"population {int(pop.sum()):,}, jobs {int(jobs.sum()):,}")
print(f"vehicle-km/day: TJ {tj_km:,.0f}, MRT {mrt_km:,.0f}, LRT {lrt_km:,.0f}; stations without a walk link to a bus/microbus stop: "
      f"{len(unlinked)}")
print("zone pairs joined with at most 0/1/2/3 transfers: " + " / ".join(f"{v:.1%}" for v in share))
