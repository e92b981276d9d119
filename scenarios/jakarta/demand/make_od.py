"""Build od.csv (average-weekday trips between zones) for the illustrative Jakarta subset.

Deterministic, standard library only. Run from anywhere:

    python scenarios/jakarta/demand/make_od.py

It reads ../network/stops.csv and zones.csv (next to this file) and writes od.csv (2018),
od-2017.csv (2017: od.csv at TransJakarta's 2017 level), od-2019.csv (2019: od.csv and the MRT's
own journeys) and od-2022.csv (2022: od.csv and the MRT's journeys at their 2022 level) next to
this file. It prints nothing.

What this is: a small gravity model, NOT an observed OD matrix. No Jakarta OD survey is in hand.
Every parameter below is an assumption unless its comment names a source key from
docs/sources.md. See README.md in this folder for the derivation of TOTAL_TRIPS.

Reference year: 2018 (TransJakarta's 2018 weekday; KRL's weekday riders, about 1.0 M in every
year from 2017 to 2019). od.csv is used by the 2018 scenarios; od-2017.csv by the 2017 one (the
journeys that do not start or end in the KRL-only suburbs at TransJakarta's 2017 level);
od-2019.csv, with the MRT's riders added, by the 2019 ones, od-2022.csv by the 2022 ones (the
2018 matrix with the MRT's journeys at their 2022 level).

Method
------
1. Zone centroid = mean lat/lon of the zone's access stops within walking reach (access_m <=
   CENTROID_MAX_ACCESS_M in zones.csv). Longer accesses stand for a feeder ride (ojek or a bus or
   train not modelled) to a station outside the zone and do not move its centroid.
2. Generalised distance d_ij = DETOUR x great-circle distance between centroids, km.
3. Deterrence f(d) = d**ALPHA * exp(-d / BETA_KM). The d**ALPHA term damps very short
   zone pairs (under ~2 km people walk or take an ojek rather than public transport); the
   exponential term is the usual decay with distance. f(d_ii) = 0: intrazonal trips are not
   modelled (origin != destination).
4. Home-based (HB) trips, one direction (home -> activity): doubly-constrained gravity,
   T_ij = a_i * b_j * O_i * D_j * f(d_ij), balanced by Furness iterations so that row sums are
   proportional to PRODUCTION weights and column sums to ATTRACTION weights.
   Each HB trip has a return leg, so the HB part of the matrix is HB_ij + HB_ji.
5. Non-home-based (NHB) trips (business, errands between activity zones):
   N_ij proportional to A_i * A_j * f(d_ij).
6. ALLOWED_DESTINATIONS: a zone reached by only one premium route (Cibubur, Royaltrans) trades
   only with the zones that route serves (deterrence set to 0 for the other pairs).
7. Scale to TOTAL_TRIPS (HB_SHARE of them home-based, the rest NHB) and round to integers by
   largest remainder (ties broken by zone order), so the total is exact. Pairs that round to 0
   are omitted.
"""

import csv
import math
import os

HERE = os.path.dirname(os.path.abspath(__file__))
STOPS_CSV = os.path.join(HERE, "..", "network", "stops.csv")
ZONES_CSV = os.path.join(HERE, "zones.csv")
OD_CSV = os.path.join(HERE, "od.csv")
OD_2017_CSV = os.path.join(HERE, "od-2017.csv")
OD_2019_CSV = os.path.join(HERE, "od-2019.csv")
OD_2022_CSV = os.path.join(HERE, "od-2022.csv")

# 2017 (od-2017.csv): TransJakarta carried 144.87 M passengers in 2017 against 189.77 M in 2018
# (src: tj-ridership, tj-annual-2017): the journeys of the matrix scale by that ratio, 0.763, except
# those starting or ending in the suburbs reached only by KRL (assumption: KRL_ONLY_ZONES keep their
# level, KRL's riders being taken at about 1.0 M a weekday in every year, src: krl-ridership). This
# sets the 2017 demand from TransJakarta's 2017 count, which is therefore circular in baseline-2017;
# KRL's 2017 count (src: krl-2017) checks the assumption there, and corridor 13's of Sep 2017
# (src: k13-2017) stays independent too.
TJ_2017_FACTOR = 144_870_000 / 189_770_000
KRL_ONLY_ZONES = {"depok", "bogor"}

# From 2019: the MRT's riders (od-2019.csv = od.csv + this component; README.md section 6).
# Journeys between the zones along the MRT line that the 2018 matrix does not hold: people who
# took the MRT from its opening and travelled otherwise before (car, ojek, the Fatmawati road
# buses' riders beyond the matrix). The 2018 matrix alone gives the MRT about 13,000 tap-ins
# a weekday (lrt-trial-2019, seed 1) against about 83,500 counted at full fares in May 2019
# (src: mrt-fare-start-2019). Assumption: 100,000 such journeys, the count's ~70,000 missing
# riders and those of the same travellers whom path choice sends to TransJakarta and angkot
# instead (about half without a rail constant, measured); the MRT's boarding constant is then
# fitted to the 2019 count (scenarios/jakarta/calibration/). Both make the 2019 MRT count
# circular; the 2022 counts stay independent.
MRT_JOURNEYS = 100_000
# Station shares of boardings and alightings during the opening week (Bundaran HI 25%, Lebak
# Bulus 11.9%, Dukuh Atas 10.7%, Blok M 9.6%; src: mrt-stations-2019); the other 42.8% spread
# evenly over the nine other stations (assumption). Stations map to the zone that lists them as
# access stops; Blok A and ASEAN to blok_m, Istora to senayan (assumption: nearest zone).
MRT_STATION_SHARE = {
    "mrt_bundaran_hi": 0.25, "mrt_lebak_bulus": 0.119, "mrt_dukuh_atas": 0.107, "mrt_blok_m": 0.096,
    **{s: 0.428 / 9 for s in ("mrt_fatmawati", "mrt_cipete_raya", "mrt_haji_nawi", "mrt_blok_a",
                              "mrt_asean", "mrt_senayan", "mrt_istora", "mrt_bendungan_hilir",
                              "mrt_setiabudi")},
}
MRT_STATION_ZONE = {"mrt_blok_a": "blok_m", "mrt_asean": "blok_m", "mrt_istora": "senayan"}
# 2022 (od-2022.csv = od.csv + the MRT's journeys at their 2022 level): the MRT carried 19.7 M riders in 2022
# (src: mrt-2022-year), 55,966 a weekday equivalent at 352 a year (src: weekday-factors), against the 83,534 a weekday of
# May 2019 that sized MRT_JOURNEYS (src: mrt-fare-start-2019): the MRT's own journeys scale by that ratio, 0.67.
# The rest of the matrix stays at its 2018 level (the TJ group's Sep-Oct 2022 counts are near it). This makes the
# 2022 annual count circular; the Sep 2022 weekday average (72,940, src: mrt-2022) stays independent.
MRT_2022_FACTOR = (19_700_000 / 352) / 83_534

# Total public-transport trips per average weekday between the modelled zones (2018 level).
# Derivation in README.md: ~84,700 TJ-corridor trips + ~55,000 KRL trips + ~6,200
# microbus-only trips + ~700 Royaltrans trips - ~5,500 TJ+KRL trips counted twice = ~141,100,
# rounded to 140,000 (inputs are no better than +-30%).
# (assumption built on sources tj-ridership, krl-ridership, okotrip-ridership; see README.md)
TOTAL_TRIPS = 140_000

HB_SHARE = 0.85      # assumption: share of home-based trips (commute, school, shopping from home)
DETOUR = 1.3         # assumption: network distance / straight-line distance
ALPHA = 0.8          # assumption: short-trip damping exponent
BETA_KM = 15.0       # assumption: distance-decay scale (km). Mild on purpose: commuters from
                     # Depok/Bogor (30-55 km by KRL) must still reach the CBD.
FURNESS_ITERATIONS = 50
CENTROID_MAX_ACCESS_M = 1000  # assumption: the README's walk-in catchment (300-1,000 m); longer
                              # accesses (1,200-1,800 m) are feeder rides out of the zone

# Zones whose only public-transport link in this network is a single premium route: their trips
# are restricted to the zones that route serves (assumption). Cibubur is reached only by the
# Royaltrans Cibubur - Kuningan - Semanggi route; its other trips use modes not modelled here.
ALLOWED_DESTINATIONS = {
    "cibubur": {"kuningan", "setiabudi_benhil", "senayan", "dukuh_atas", "thamrin", "blok_m"},
}

# Relative weights per zone (dimensionless, assumption; reasoning in README.md):
#   PRODUCTION - where home-based trips start: residential population that uses this network
#                (suburbs feeding KRL are large; CBD zones small).
#   ATTRACTION - where activities are: jobs, schools, markets (CBD, Sudirman-Thamrin,
#                Kuningan, Kota, Tanah Abang, Senen large).
WEIGHTS = {
    # zone_id:                  (PRODUCTION, ATTRACTION)
    "kota":                      (3.0, 8.0),
    "harmoni_monas":             (2.0, 9.0),
    "senen":                     (3.0, 6.0),
    "thamrin":                   (1.0, 10.0),
    "dukuh_atas":                (1.0, 9.0),
    "tanah_abang":               (3.0, 8.0),
    "setiabudi_benhil":          (2.0, 9.0),
    "senayan":                   (1.0, 8.0),
    "kuningan":                  (2.0, 10.0),
    "blok_m":                    (3.0, 7.0),
    "kebayoran_baru_tendean":    (4.0, 3.0),
    "pasar_minggu_ragunan":      (8.0, 1.5),
    "tebet_pancoran":            (5.0, 1.5),
    "manggarai_matraman":        (5.0, 1.5),
    "jatinegara_kampung_melayu": (6.0, 1.5),
    "duren_sawit":               (6.0, 0.5),
    "cawang_cililitan":          (3.5, 1.0),
    "condet":                    (3.5, 0.5),
    "lubang_buaya_pondok_gede":  (6.0, 0.5),
    "kampung_rambutan":          (6.0, 1.0),
    "rawamangun_pulo_gadung":    (6.0, 1.5),
    "pulomas_cempaka_putih":     (5.0, 1.0),
    "kelapa_gading":             (4.0, 1.5),
    "grogol_slipi":              (5.0, 2.0),
    "ciledug":                   (8.0, 0.5),
    "kebayoran_lama":            (6.0, 1.0),
    "cipete_fatmawati":          (4.0, 1.0),
    "pondok_labu_lebak_bulus":   (5.0, 1.0),
    "depok":                     (14.0, 1.0),
    "bogor":                     (13.0, 1.0),
    "cibubur":                   (0.5, 0.2),
}


def _read_stops():
    with open(STOPS_CSV, newline="", encoding="utf-8") as f:
        return {r["stop_id"]: (float(r["lat"]), float(r["lon"])) for r in csv.DictReader(f)}


def _read_zones(stops):
    order, members = [], {}
    with open(ZONES_CSV, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            z = r["zone_id"]
            if z not in members:
                order.append(z)
                members[z] = []
            if int(r["access_m"]) <= CENTROID_MAX_ACCESS_M:
                members[z].append(stops[r["stop_id"]])
    centroids = {
        z: (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))
        for z, pts in members.items()
    }
    return order, centroids


def _km(a, b):
    lat1, lon1 = map(math.radians, a)
    lat2, lon2 = map(math.radians, b)
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _deterrence(d_km):
    return (d_km ** ALPHA) * math.exp(-d_km / BETA_KM)


def build():
    stops = _read_stops()
    zones, cen = _read_zones(stops)
    missing = set(zones) ^ set(WEIGHTS)
    if missing:
        raise SystemExit(f"zones and WEIGHTS differ: {sorted(missing)}")
    n = len(zones)
    f = [[0.0 if i == j else _deterrence(DETOUR * _km(cen[zones[i]], cen[zones[j]]))
          for j in range(n)] for i in range(n)]
    for z, allowed in ALLOWED_DESTINATIONS.items():
        i = zones.index(z)
        for j in range(n):
            if zones[j] not in allowed:
                f[i][j] = f[j][i] = 0.0
    prod = [WEIGHTS[z][0] for z in zones]
    attr = [WEIGHTS[z][1] for z in zones]
    sp, sa = sum(prod), sum(attr)
    origins = [p / sp for p in prod]          # row targets (shares)
    dests = [a / sa for a in attr]            # column targets (shares)

    # Furness balancing of the one-direction home-based matrix.
    hb = [[origins[i] * dests[j] * f[i][j] for j in range(n)] for i in range(n)]
    for _ in range(FURNESS_ITERATIONS):
        for i in range(n):
            s = sum(hb[i])
            if s > 0:
                k = origins[i] / s
                hb[i] = [v * k for v in hb[i]]
        for j in range(n):
            s = sum(hb[i][j] for i in range(n))
            if s > 0:
                k = dests[j] / s
                for i in range(n):
                    hb[i][j] *= k

    hb_trips = HB_SHARE * TOTAL_TRIPS           # all home-based legs (outbound + return)
    hb_total = sum(map(sum, hb))
    nhb = [[attr[i] * attr[j] * f[i][j] for j in range(n)] for i in range(n)]
    nhb_total = sum(map(sum, nhb))
    nhb_trips = TOTAL_TRIPS - hb_trips

    real = {}
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            v = (hb_trips / 2) * (hb[i][j] + hb[j][i]) / hb_total
            v += nhb_trips * nhb[i][j] / nhb_total
            real[(i, j)] = v

    base = _rounded(real, TOTAL_TRIPS)
    _write(OD_CSV, zones, base)
    scaled = {k: v if KRL_ONLY_ZONES & {zones[k[0]], zones[k[1]]} else v * TJ_2017_FACTOR
              for k, v in real.items()}
    _write(OD_2017_CSV, zones, _rounded(scaled, round(sum(scaled.values()))))
    for path, factor in ((OD_2019_CSV, 1.0), (OD_2022_CSV, MRT_2022_FACTOR)):
        total = round(MRT_JOURNEYS * factor)
        mrt = _rounded({k: v * factor for k, v in _mrt_component(zones, f).items()}, total)
        _write(path, zones, {k: base.get(k, 0) + mrt.get(k, 0) for k in set(base) | set(mrt)})


def _mrt_component(zones, f):
    """The MRT's own journeys (MRT_JOURNEYS, unrounded): between the zones of its stations, each
    zone weighted by its stations' shares, T_ij ~ w_i * w_j * f(d_ij), symmetric."""
    access = {}
    with open(ZONES_CSV, newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            access.setdefault(r["stop_id"], r["zone_id"])
    weight = {}
    for station, share in MRT_STATION_SHARE.items():
        zone = MRT_STATION_ZONE.get(station) or access[station]
        weight[zone] = weight.get(zone, 0.0) + share
    idx = {z: zones.index(z) for z in weight}
    raw = {(idx[a], idx[b]): weight[a] * weight[b] * f[idx[a]][idx[b]]
           for a in weight for b in weight if a != b}
    total = sum(raw.values())
    return {k: MRT_JOURNEYS * v / total for k, v in raw.items()}


def _rounded(real, total):
    """Largest-remainder rounding to the exact total; ties by zone order."""
    floor = {k: int(math.floor(v)) for k, v in real.items()}
    short = total - sum(floor.values())
    by_rem = sorted(real, key=lambda k: (-(real[k] - floor[k]), k))
    for k in by_rem[:short]:
        floor[k] += 1
    return floor


def _write(path, zones, trips):
    n = len(zones)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["origin", "destination", "trips"])
        for i in range(n):
            for j in range(n):
                t = trips.get((i, j), 0)
                if t > 0:
                    w.writerow([zones[i], zones[j], t])


if __name__ == "__main__":
    build()
