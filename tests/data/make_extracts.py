"""Derive the small GTFS extracts under tests/data/ from the real feeds in ../shared/data/.

Not run by the tests (CI has no ../shared): run it by hand to rebuild the extracts, from the
project root:

    .venv/bin/python tests/data/make_extracts.py

* google-sample-feed-1/  the whole Google sample feed, copied unchanged (Apache-2.0).
* bogor-angkot/gtfs.zip  five Bogor angkot routes (AK-07, AK-08, AK-12, AK-22, AK-23) with every trip
  of their one service (FULL, daily), their stop_times, the stops they use, their shapes and their
  frequencies.txt rows; agency, calendar and fare_attributes unchanged (CC BY-SA 3.0).
* caltrain/caltrain_weekday.zip  the Caltrain weekday trips of March-August 2009 (service WD20090302;
  the later WD20090831 trips all carry direction_id 1 whichever way they run), their stop_times
  and shapes, the service's calendar row; agency, routes, stops and the fare tables unchanged
  (LGPL-3.0 test data of OpenTripPlanner).

Rows are kept verbatim (read and written as text with pandas); only whole rows are dropped.
The zip files get fixed timestamps so a rebuild gives identical bytes.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[2] / "shared" / "data"

BOGOR_ROUTES = ["AK-07", "AK-08", "AK-12", "AK-22", "AK-23"]
CALTRAIN_SERVICES = ["WD20090302"]


def read(zf: zipfile.ZipFile, name: str) -> pd.DataFrame:
    with zf.open(name) as handle:
        return pd.read_csv(handle, dtype=str, keep_default_na=False, na_filter=False)


def write_zip(path: Path, tables: dict[str, pd.DataFrame]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for name, df in tables.items():
            buf = io.StringIO()
            df.to_csv(buf, index=False, lineterminator="\n")
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            out.writestr(info, buf.getvalue())


def google() -> None:
    src, dst = SHARED / "google-sample-feed-1", HERE / "google-sample-feed-1"
    dst.mkdir(exist_ok=True)
    for f in sorted(src.glob("*.txt")):
        if f.name != "SOURCE.txt":
            shutil.copyfile(f, dst / f.name)


def bogor() -> None:
    with zipfile.ZipFile(SHARED / "bogor-angkot-gtfs" / "gtfs.zip") as zf:
        t = {n: read(zf, n) for n in zf.namelist() if n.endswith(".txt")}
    routes = t["routes.txt"][t["routes.txt"]["route_id"].isin(BOGOR_ROUTES)]
    trips = t["trips.txt"][t["trips.txt"]["route_id"].isin(BOGOR_ROUTES)]
    stop_times = t["stop_times.txt"][t["stop_times.txt"]["trip_id"].isin(trips["trip_id"])]
    stops = t["stops.txt"][t["stops.txt"]["stop_id"].isin(stop_times["stop_id"])]
    shapes = t["shapes.txt"][t["shapes.txt"]["shape_id"].isin(trips["shape_id"])]
    freq = t["frequencies.txt"][t["frequencies.txt"]["trip_id"].isin(BOGOR_ROUTES)]
    write_zip(HERE / "bogor-angkot" / "gtfs.zip", {
        "agency.txt": t["agency.txt"], "calendar.txt": t["calendar.txt"],
        "fare_attributes.txt": t["fare_attributes.txt"],
        "routes.txt": routes, "stops.txt": stops, "trips.txt": trips, "stop_times.txt": stop_times,
        "frequencies.txt": freq, "shapes.txt": shapes,
    })


def caltrain() -> None:
    with zipfile.ZipFile(SHARED / "otp-caltrain" / "caltrain_gtfs.zip") as zf:
        t = {n: read(zf, n) for n in zf.namelist() if n.endswith(".txt")}
    trips = t["trips.txt"][t["trips.txt"]["service_id"].isin(CALTRAIN_SERVICES)]
    write_zip(HERE / "caltrain" / "caltrain_weekday.zip", {
        "agency.txt": t["agency.txt"],
        "calendar.txt": t["calendar.txt"][t["calendar.txt"]["service_id"].isin(CALTRAIN_SERVICES)],
        "calendar_dates.txt": t["calendar_dates.txt"][
            t["calendar_dates.txt"]["service_id"].isin(CALTRAIN_SERVICES)
        ],
        "routes.txt": t["routes.txt"], "stops.txt": t["stops.txt"], "trips.txt": trips,
        "stop_times.txt": t["stop_times.txt"][t["stop_times.txt"]["trip_id"].isin(trips["trip_id"])],
        "shapes.txt": t["shapes.txt"][t["shapes.txt"]["shape_id"].isin(trips["shape_id"])],
        "fare_attributes.txt": t["fare_attributes.txt"], "fare_rules.txt": t["fare_rules.txt"],
    })


if __name__ == "__main__":
    google()
    bogor()
    caltrain()
    for p in sorted(HERE.rglob("*")):
        if p.is_file() and p.suffix in (".zip", ".txt"):
            print(f"{p.relative_to(HERE)}  {p.stat().st_size:,} bytes")
