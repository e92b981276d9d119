"""GTFS out: ``fares-export`` writes a complete feed that an independent reader (partridge) loads,
whose tables follow the GTFS reference's field rules, and whose fares import back to the same
prices for the same legs."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import partridge as ptg
import pytest
from iso4217 import Currency

from otrip_sim import load_scenario
from otrip_sim.gtfs import export_fares
from otrip_sim.gtfs.currency import gtfs_amount, minor_units
from tests.gtfs_roundtrip import roundtrip, scenario_around

# partridge's own pandas deprecation warnings
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::FutureWarning")
ROOT = Path(__file__).resolve().parent.parent
JAKARTA = ROOT / "scenarios" / "jakarta"
EXAMPLES = Path(__file__).parent / "data" / "gtfs-fares-v2"

# The GTFS reference's rules for the columns otrip-sim writes: (file, column) -> (required, type).
# Types: id (text), text, int, nonneg (int >= 0), pos (int > 0), time (H:MM:SS), date (YYYYMMDD),
# lat, lon, url, tz, amount (currency amount), currency, or an enum as a set of allowed values.
REQUIRED, OPTIONAL = True, False
FIELDS: dict[str, dict[str, tuple[bool, object]]] = {
    "agency.txt": {"agency_id": (OPTIONAL, "id"), "agency_name": (REQUIRED, "text"),
                   "agency_url": (REQUIRED, "url"), "agency_timezone": (REQUIRED, "tz")},
    "stops.txt": {"stop_id": (REQUIRED, "id"), "stop_name": (REQUIRED, "text"), "stop_lat": (REQUIRED, "lat"),
                  "stop_lon": (REQUIRED, "lon")},
    "routes.txt": {"route_id": (REQUIRED, "id"), "agency_id": (REQUIRED, "id"),
                   "route_short_name": (OPTIONAL, "text"), "route_long_name": (OPTIONAL, "text"),
                   "route_type": (REQUIRED, {"0", "1", "2", "3", "4", "5", "6", "7", "11", "12"})},
    "trips.txt": {"route_id": (REQUIRED, "id"), "service_id": (REQUIRED, "id"), "trip_id": (REQUIRED, "id"),
                  "direction_id": (OPTIONAL, {"0", "1"})},
    "stop_times.txt": {"trip_id": (REQUIRED, "id"), "arrival_time": (REQUIRED, "time"),
                       "departure_time": (REQUIRED, "time"), "stop_id": (REQUIRED, "id"),
                       "stop_sequence": (REQUIRED, "nonneg"), "shape_dist_traveled": (OPTIONAL, "nonneg")},
    "frequencies.txt": {"trip_id": (REQUIRED, "id"), "start_time": (REQUIRED, "time"),
                        "end_time": (REQUIRED, "time"), "headway_secs": (REQUIRED, "pos"),
                        "exact_times": (OPTIONAL, {"0", "1"})},
    "calendar.txt": {"service_id": (REQUIRED, "id"),
                     **{d: (REQUIRED, {"0", "1"}) for d in ("monday", "tuesday", "wednesday", "thursday",
                                                           "friday", "saturday", "sunday")},
                     "start_date": (REQUIRED, "date"), "end_date": (REQUIRED, "date")},
    "fare_products.txt": {"fare_product_id": (REQUIRED, "id"), "fare_product_name": (OPTIONAL, "text"),
                          "rider_category_id": (OPTIONAL, "id"), "fare_media_id": (OPTIONAL, "id"),
                          "amount": (REQUIRED, "amount"), "currency": (REQUIRED, "currency")},
    "fare_leg_rules.txt": {"leg_group_id": (OPTIONAL, "id"), "network_id": (OPTIONAL, "id"),
                           "from_area_id": (OPTIONAL, "id"), "to_area_id": (OPTIONAL, "id"),
                           "from_timeframe_group_id": (OPTIONAL, "id"),
                           "to_timeframe_group_id": (OPTIONAL, "id"),
                           "fare_product_id": (REQUIRED, "id"), "rule_priority": (OPTIONAL, "nonneg")},
    "fare_transfer_rules.txt": {"from_leg_group_id": (OPTIONAL, "id"), "to_leg_group_id": (OPTIONAL, "id"),
                                "transfer_count": (OPTIONAL, "int"), "duration_limit": (OPTIONAL, "pos"),
                                "duration_limit_type": (OPTIONAL, {"0", "1", "2", "3"}),
                                "fare_transfer_type": (REQUIRED, {"0", "1", "2"}),
                                "fare_product_id": (OPTIONAL, "id")},
    "timeframes.txt": {"timeframe_group_id": (REQUIRED, "id"), "start_time": (OPTIONAL, "time"),
                       "end_time": (OPTIONAL, "time"), "service_id": (REQUIRED, "id")},
    "areas.txt": {"area_id": (REQUIRED, "id"), "area_name": (OPTIONAL, "text")},
    "stop_areas.txt": {"area_id": (REQUIRED, "id"), "stop_id": (REQUIRED, "id")},
    "networks.txt": {"network_id": (REQUIRED, "id"), "network_name": (OPTIONAL, "text")},
    "route_networks.txt": {"network_id": (REQUIRED, "id"), "route_id": (REQUIRED, "id")},
    "rider_categories.txt": {"rider_category_id": (REQUIRED, "id"), "rider_category_name": (REQUIRED, "text"),
                             "is_default_fare_category": (OPTIONAL, {"0", "1"})},
    "fare_media.txt": {"fare_media_id": (REQUIRED, "id"), "fare_media_name": (OPTIONAL, "text"),
                       "fare_media_type": (REQUIRED, {"0", "1", "2", "3", "4"})},
}
# (file, column) -> (file, column) it refers to
FOREIGN = {
    ("routes.txt", "agency_id"): ("agency.txt", "agency_id"),
    ("trips.txt", "route_id"): ("routes.txt", "route_id"),
    ("trips.txt", "service_id"): ("calendar.txt", "service_id"),
    ("stop_times.txt", "trip_id"): ("trips.txt", "trip_id"),
    ("stop_times.txt", "stop_id"): ("stops.txt", "stop_id"),
    ("frequencies.txt", "trip_id"): ("trips.txt", "trip_id"),
    ("fare_products.txt", "rider_category_id"): ("rider_categories.txt", "rider_category_id"),
    ("fare_products.txt", "fare_media_id"): ("fare_media.txt", "fare_media_id"),
    ("fare_leg_rules.txt", "network_id"): ("networks.txt", "network_id"),
    ("fare_leg_rules.txt", "from_area_id"): ("areas.txt", "area_id"),
    ("fare_leg_rules.txt", "to_area_id"): ("areas.txt", "area_id"),
    ("fare_leg_rules.txt", "from_timeframe_group_id"): ("timeframes.txt", "timeframe_group_id"),
    ("fare_leg_rules.txt", "to_timeframe_group_id"): ("timeframes.txt", "timeframe_group_id"),
    ("fare_leg_rules.txt", "fare_product_id"): ("fare_products.txt", "fare_product_id"),
    ("fare_transfer_rules.txt", "from_leg_group_id"): ("fare_leg_rules.txt", "leg_group_id"),
    ("fare_transfer_rules.txt", "to_leg_group_id"): ("fare_leg_rules.txt", "leg_group_id"),
    ("fare_transfer_rules.txt", "fare_product_id"): ("fare_products.txt", "fare_product_id"),
    ("timeframes.txt", "service_id"): ("calendar.txt", "service_id"),
    ("stop_areas.txt", "area_id"): ("areas.txt", "area_id"),
    ("stop_areas.txt", "stop_id"): ("stops.txt", "stop_id"),
    ("route_networks.txt", "network_id"): ("networks.txt", "network_id"),
    ("route_networks.txt", "route_id"): ("routes.txt", "route_id"),
}
UNIQUE = {"agency.txt": ["agency_id"], "stops.txt": ["stop_id"], "routes.txt": ["route_id"],
          "trips.txt": ["trip_id"], "stop_times.txt": ["trip_id", "stop_sequence"],
          "calendar.txt": ["service_id"],
          "fare_products.txt": ["fare_product_id", "rider_category_id", "fare_media_id"],
          "areas.txt": ["area_id"], "stop_areas.txt": ["area_id", "stop_id"], "networks.txt": ["network_id"],
          "route_networks.txt": ["route_id"], "rider_categories.txt": ["rider_category_id"],
          "fare_media.txt": ["fare_media_id"]}
TIME = re.compile(r"^\d{1,3}:[0-5]\d:[0-5]\d$")


def _bad_value(kind: object, value: str, currency: str) -> bool:
    if isinstance(kind, set):
        return value not in kind
    checks = {
        "id": lambda v: v.isprintable(),
        "text": lambda v: True,
        "int": lambda v: re.fullmatch(r"-?\d+", v) is not None,
        "nonneg": lambda v: v.isdigit(),
        "pos": lambda v: v.isdigit() and int(v) > 0,
        "time": lambda v: TIME.match(v) is not None,
        "date": lambda v: re.fullmatch(r"(19|20)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])", v) is not None,
        "lat": lambda v: -90 <= float(v) <= 90,
        "lon": lambda v: -180 <= float(v) <= 180,
        "url": lambda v: v.startswith(("http://", "https://")),
        "tz": lambda v: "/" in v,
        "currency": lambda v: v in Currency.__members__,
        # a currency amount has exactly the ISO 4217 minor-unit digits of its currency
        "amount": lambda v: re.fullmatch(_amount_pattern(currency), v) is not None,
    }
    return not checks[str(kind)](value)


def _amount_pattern(currency: str) -> str:
    exponent = int(Currency(currency).exponent or 0)
    return r"-?\d+" + (rf"\.\d{{{exponent}}}" if exponent else "")


def gtfs_problems(folder: Path) -> list[str]:
    """Every breach of the field rules above in the feed at ``folder``: unknown or missing required
    columns, empty required values, bad types or enums, dangling references, duplicate keys, and
    the conditional rules of timeframes and transfers."""
    tables = {f.name: pd.read_csv(f, dtype=str, keep_default_na=False) for f in folder.glob("*.txt")}
    problems: list[str] = []
    for name in ("agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt", "calendar.txt"):
        if name not in tables:
            problems.append(f"{name}: missing (a required file)")
    for name, df in tables.items():
        rules = FIELDS.get(name)
        if rules is None:
            problems.append(f"{name}: a file otrip-sim should not write")
            continue
        for column in df.columns:
            if column not in rules:
                problems.append(f"{name}: column {column} is not in the reference")
        currencies = df["currency"] if "currency" in df else pd.Series("XXX", index=df.index)
        for column, (required, kind) in rules.items():
            if column not in df:
                if required:
                    problems.append(f"{name}: required column {column} missing")
                continue
            for line, (value, cur) in enumerate(zip(df[column], currencies), start=2):
                if value == "":
                    if required:
                        problems.append(f"{name} line {line}: {column} empty")
                elif _bad_value(kind, value, cur):
                    problems.append(f"{name} line {line}: {column} = {value!r} is not a valid {kind}")
        for key in [UNIQUE.get(name, [])]:
            cols = [c for c in key if c in df]
            if cols and df.duplicated(cols).any():
                problems.append(f"{name}: duplicate {cols}")
    for (name, column), (target, key) in FOREIGN.items():
        if name in tables and column in tables[name]:
            known = set(tables[target][key]) if target in tables and key in tables[target] else set()
            for v in set(tables[name][column]) - {""} - known:
                problems.append(f"{name}: {column} {v!r} is not in {target}")
    tf = tables.get("timeframes.txt")
    if tf is not None:
        for line, (a, b) in enumerate(zip(tf["start_time"], tf["end_time"]), start=2):
            if (a == "") != (b == "") or (a and not ("00:00:00" <= a.zfill(8) < b.zfill(8) <= "24:00:00")):
                problems.append(f"timeframes.txt line {line}: times {a}-{b} (both or neither, within a day)")
    tr = tables.get("fare_transfer_rules.txt")
    if tr is not None:
        for line, row in enumerate(tr.to_dict("records"), start=2):
            same = row["from_leg_group_id"] == row["to_leg_group_id"]
            count = row.get("transfer_count", "")
            if same != (count != ""):
                problems.append(f"fare_transfer_rules.txt line {line}: transfer_count {count!r} "
                                "(required within one leg group, forbidden between groups)")
            if count not in ("", "-1") and int(count) < 1:
                problems.append(f"fare_transfer_rules.txt line {line}: transfer_count {count!r}")
            if (row.get("duration_limit", "") != "") != (row.get("duration_limit_type", "") != ""):
                problems.append(f"fare_transfer_rules.txt line {line}: duration_limit_type goes with "
                                "duration_limit")
    return problems


@pytest.fixture(scope="module")
def okotrip(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("okotrip") / "gtfs"
    export_fares(load_scenario(JAKARTA / "okotrip-2018.yaml"), out)
    return out


def test_amounts_have_the_iso_4217_decimals_while_rupiah_stay_whole():
    assert Currency("IDR").exponent == 2  # ISO gives the rupiah two decimals; otrip-sim counts whole rupiah
    assert gtfs_amount(3500, "IDR") == "3500.00" and minor_units("3500.00", "IDR", "f", 2) == 3500
    assert gtfs_amount(200, "USD") == "2.00" and minor_units("2.00", "USD", "f", 2) == 200
    assert gtfs_amount(-75, "USD") == "-0.75" and minor_units("-0.75", "USD", "f", 2) == -75
    assert gtfs_amount(210, "JPY") == "210"
    with pytest.raises(Exception, match=r"finer than the minor unit of IDR \(0 decimals\)"):
        minor_units("3500.50", "IDR", "fare_products.txt", 3)


def test_an_independent_reader_loads_the_network(okotrip):
    """partridge (not otrip-sim's reader) loads the exported network, with its template trips."""
    loaded = load_scenario(JAKARTA / "okotrip-2018.yaml")
    date, services = ptg.read_busiest_date(str(okotrip))
    assert date == loaded.spec.meta.service_date and services == frozenset({"scenario_day"})
    feed = ptg.load_feed(str(okotrip), view={"trips.txt": {"service_id": services}})
    routes = loaded.routes()
    assert set(feed.routes["route_id"]) == {r.id for r in routes}
    assert len(feed.trips) == sum(1 if r.directions == "forward" else 2 for r in routes)
    assert set(feed.stops["stop_id"]) == {s for r in routes for s in r.stops}  # the served ones
    assert set(ptg.load_raw_feed(str(okotrip)).stops["stop_id"]) == {s.id for s in loaded.spec.network.stops}
    assert set(feed.agency["agency_timezone"]) == {"Asia/Jakarta"}
    # a template trip per direction, run from the first band's start; one frequency row per band
    k1 = loaded.spec.network.routes[0]
    times = feed.stop_times[feed.stop_times["trip_id"] == f"{k1.id}.0"].sort_values("stop_sequence")
    assert times["stop_id"].tolist() == k1.stops
    assert times["arrival_time"].iloc[0] == k1.headways[0].start
    freq = feed.frequencies[feed.frequencies["trip_id"] == f"{k1.id}.0"]
    assert sorted(zip(freq["start_time"], freq["end_time"], freq["headway_secs"])) == sorted(
        (b.start, b.end, b.every) for b in k1.headways)


@pytest.mark.parametrize("name", ["okotrip-2018", "jaklingko-2022", "baseline-2017"])
def test_exported_feeds_follow_the_reference_field_rules(tmp_path, name):
    out = tmp_path / "gtfs"
    export_fares(load_scenario(JAKARTA / f"{name}.yaml"), out)
    assert gtfs_problems(out) == []
    assert pd.read_csv(out / "fare_products.txt", dtype=str)["amount"].str.endswith(".00").all()


def test_translink_round_trip_feed_follows_the_rules(tmp_path):
    """Media, rider categories, zones and transfers between leg groups in one exported feed."""
    r = roundtrip(scenario_around(EXAMPLES / "translink_vancouver", tmp_path), tmp_path)
    assert gtfs_problems(tmp_path / "gtfs") == []
    transfers = pd.read_csv(tmp_path / "gtfs" / "fare_transfer_rules.txt", dtype=str, keep_default_na=False)
    between = transfers[transfers["from_leg_group_id"] != transfers["to_leg_group_id"]]
    assert len(between) and (between["transfer_count"] == "").all()
    assert r.same == r.legs


def test_the_field_rules_catch_what_the_old_export_got_wrong(okotrip, tmp_path):
    """The checker can fail: the three breaches issue 15 found are each reported."""
    import shutil

    bad = tmp_path / "bad"
    shutil.copytree(okotrip, bad)
    products = pd.read_csv(bad / "fare_products.txt", dtype=str, keep_default_na=False)
    products["amount"] = products["amount"].str.replace(".00", "", regex=False)
    products.to_csv(bad / "fare_products.txt", index=False)
    tf = pd.read_csv(bad / "timeframes.txt", dtype=str).drop(columns="service_id")
    tf.to_csv(bad / "timeframes.txt", index=False)
    (bad / "fare_transfer_rules.txt").write_text(
        "from_leg_group_id,to_leg_group_id,transfer_count,fare_transfer_type\n"
        "transjakarta_leg,mikrotrans_leg,1,0\n")
    (bad / "agency.txt").unlink()
    problems = "\n".join(gtfs_problems(bad))
    assert "fare_products.txt line 2: amount = '3500' is not a valid amount" in problems
    assert "timeframes.txt: required column service_id missing" in problems
    assert "fare_transfer_rules.txt line 2: transfer_count '1'" in problems
    assert "agency.txt: missing" in problems and "routes.txt: agency_id 'transjakarta' is not in" in problems


@pytest.mark.parametrize("example", ["bart", "mnr_hudson_time_zone", "mta_maryland", "translink_vancouver",
                                     "wmata_time_variable"])
def test_gtfs_org_examples_price_the_same_after_export_and_import(tmp_path, example):
    """Each gtfs.org example, imported, exported and imported again, prices every sampled leg (and
    every two-leg card across networks) the same."""
    r = roundtrip(scenario_around(EXAMPLES / example, tmp_path), tmp_path)
    assert r.legs > 0 and r.same == r.legs, r.differing.to_string()
    assert gtfs_problems(tmp_path / "gtfs") == []


def test_jakarta_round_trip_differs_only_where_a_rule_is_not_exported(tmp_path):
    """OK OTrip 2018: the legs priced differently after the round trip are exactly those decided by
    rules NOT_EXPORTED.md lists (KRL's distance fare, the OK OTrip cap window)."""
    r = roundtrip(JAKARTA / "okotrip-2018.yaml", tmp_path)
    assert r.same > 0 and set(r.differing["rule"]) <= {"krl:distance", "okotrip:remainder"}
    listed = (tmp_path / "gtfs" / "NOT_EXPORTED.md").read_text()
    assert "fares.standalone.krl: a distance_steps fare" in listed and "(okotrip): a cap window" in listed


def test_meta_timezone_is_the_agency_timezone_and_is_checked(tmp_path, write_scenario):
    def edit(doc):
        doc["meta"]["timezone"] = "America/New_York"

    out = tmp_path / "gtfs"
    export_fares(load_scenario(write_scenario(edit)), out)
    assert set(pd.read_csv(out / "agency.txt")["agency_timezone"]) == {"America/New_York"}

    def bad(doc):
        doc["meta"]["timezone"] = "Mars/Olympus_Mons"

    with pytest.raises(Exception, match=r"meta: .*timezone: not an IANA time zone \(got 'Mars/Olympus_Mons'"):
        load_scenario(write_scenario(bad))
