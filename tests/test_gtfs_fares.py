"""GTFS Fares v2 import and export, checked against the gtfs.org guides' example tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from otrip_sim import InputError, load_scenario
from otrip_sim.cli import main
from otrip_sim.gtfs import export_fares, import_fares
from otrip_sim.replay import replay

DATA = Path(__file__).parent / "data" / "gtfs-fares-v2"


def scenario_for(tmp_path: Path, fares: dict[str, Any], currency: str, stops: list[str]) -> Path:
    """A minimal scenario around imported fares: one route per operator through the given stops."""
    operators = list(fares["standalone"])
    doc = {
        "meta": {
            "name": "gtfs-fares", "currency": currency, "service_start": "00:00", "service_end": "24:00",
        },
        "operators": [{"id": op} for op in operators],
        "network": {
            "stops": [{"id": s, "lat": 10 + k * 0.01, "lon": 10.0} for k, s in enumerate(stops)],
            "routes": [{"id": f"r-{op}", "operator": op, "stops": stops, "length": f"{len(stops)}km",
                        "speed_kmh": 30, "directions": "forward", "capacity": 100,
                        "headways": [{"start": "00:00", "end": "24:00", "every": "10min"}]}
                       for op in operators],
        },
        "demand": {"od": [{"origin": stops[0], "destination": stops[-1], "trips": 1}],
                   "profile": [{"start": "06:00", "end": "07:00", "weight": 1}],
                   "categories": [{"id": "adult", "share": 1, "value_of_time": 1000}]},
        "fares": fares,
    }
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def price(scenario: Path, tmp_path: Path, rows: str) -> list[int]:
    taps = tmp_path / "taps.csv"
    taps.write_text(rows.strip() + "\n")
    return replay(scenario, taps).priced["fare"].tolist()


def test_mta_maryland_transfers(tmp_path):
    """gtfs.org: two core local legs whose departures are 60 minutes apart cost USD 2.00 in total,
    100 minutes apart USD 4.00 (90-minute transfers, departure to departure)."""
    r = import_fares(DATA / "mta_maryland")
    assert r.currency == "USD" and r.operators == ["core"]
    assert r.fares["standalone"]["core"] == {"kind": "flat", "amount": 200}
    assert r.fares["windows"][0]["duration_limit_type"] == 1
    assert r.fares["windows"][0]["transfer_fare"] == {"kind": "free"}
    # the passes are reported, not dropped silently
    assert any("1_day_fare" in n and "passes" in n for n in r.notes)
    s = scenario_for(tmp_path, r.fares, "USD", ["a", "b"])
    assert sum(price(s, tmp_path, "rider,operator,board_time\nx,core,08:00:00\nx,core,09:00:00")) == 200
    assert sum(price(s, tmp_path, "rider,operator,board_time\nx,core,08:00:00\nx,core,09:40:00")) == 400


def test_bart_area_matrix(tmp_path):
    r = import_fares(DATA / "bart")
    zones = r.fares["standalone"]["network"]
    assert zones["kind"] == "zones"
    assert {"from_zone": "ASHB", "to_zone": "GLEN", "amount": 475} in zones["fares"]
    assert any("'ASKB'" in n for n in r.notes)  # the docs' typo is reported with its line
    s = scenario_for(tmp_path, r.fares, "USD", ["ASHB", "GLEN"])
    taps = "rider,operator,board_time,board_stop,alight_stop\nx,network,08:00:00,ASHB,GLEN"
    assert price(s, tmp_path, taps) == [475]


@pytest.mark.parametrize("day, times, expected", [
    ("monday", ["08:00:00", "12:00:00", "22:00:00", "04:00:00"], [500, 300, 200, 200]),
    ("saturday", ["08:00:00", "22:00:00"], [200, 200]),
])
def test_wmata_time_variable(tmp_path, day, times, expected):
    r = import_fares(DATA / "wmata_time_variable", day=day)
    s = scenario_for(tmp_path, r.fares, "USD", ["a", "b"])
    rows = "rider,operator,board_time\n" + "\n".join(f"r{k},1,{t}" for k, t in enumerate(times))
    assert price(s, tmp_path, rows) == expected


def test_translink_zones_flat_bus_and_media(tmp_path):
    r = import_fares(DATA / "translink_vancouver")
    assert r.currency == "CAD"
    assert r.fares["standalone"]["translink_bus"] == {"kind": "flat", "amount": 320}
    sky = r.fares["standalone"]["skytrain_seabus"]
    assert {"from_zone": "ZN1", "to_zone": "ZN2", "amount": 465} in sky["fares"]
    assert any("contactless" in n for n in r.notes)
    compass = import_fares(DATA / "translink_vancouver", media="compass_card")
    assert compass.fares["standalone"]["translink_bus"] == {"kind": "flat", "amount": 260}
    s = scenario_for(tmp_path, r.fares, "CAD", ["8039", "8066", "99901", "99902", "99903"])
    taps = ("rider,operator,board_time,board_stop,alight_stop\n"
            "x,skytrain_seabus,08:00:00,8039,8066\ny,translink_bus,08:00:00,,")
    assert price(s, tmp_path, taps) == [465, 320]


def test_mnr_peak_zone_fares_are_reported(tmp_path):
    r = import_fares(DATA / "mnr_hudson_time_zone")
    zone_fares = r.fares["standalone"]["mnr_hudson"]["fares"]
    assert {"from_zone": "mnr_1", "to_zone": "mnr_HUD-7", "amount": 1500} in zone_fares
    assert any("peak" in n for n in r.notes)


def test_mnr_peak_and_off_peak_zone_fares_price_by_departure_and_arrival(tmp_path):
    """The guide's Hudson line fares, Grand Central (zone 1) - Cold Spring (HUD-7) on a weekday:
    USD 20.00 outbound departing 06:00-09:00 or 16:00-20:00 and inbound arriving 06:00-10:00,
    else USD 15.00."""
    r = import_fares(DATA / "mnr_hudson_time_zone")
    stops = ["ITO2383", "ITO1897"]  # Grand Central, Cold Spring
    mnr = r.fares["standalone"]["mnr_hudson"]
    mnr["zones"] = [z for z in mnr["zones"] if z["stop_id"] in stops]
    s = scenario_for(tmp_path, r.fares, r.currency, stops)
    doc = yaml.safe_load(s.read_text())
    doc["network"]["routes"][0]["directions"] = "both"  # inbound too
    s.write_text(yaml.safe_dump(doc, sort_keys=False))
    taps = ("rider,operator,board_time,board_stop,alight_stop,alight_time\n"
            "a,mnr_hudson,07:00:00,ITO2383,ITO1897,08:10:00\n"  # outbound AM peak
            "b,mnr_hudson,10:00:00,ITO2383,ITO1897,11:10:00\n"  # outbound off-peak
            "c,mnr_hudson,17:30:00,ITO2383,ITO1897,18:40:00\n"  # outbound PM peak
            "d,mnr_hudson,06:50:00,ITO1897,ITO2383,08:00:00\n"  # inbound arriving in the AM peak
            "e,mnr_hudson,09:30:00,ITO1897,ITO2383,10:40:00\n"  # inbound arriving after 10:00
            "f,mnr_hudson,17:00:00,ITO1897,ITO2383,18:10:00")  # inbound has no PM peak
    assert price(s, tmp_path, taps) == [2000, 1500, 2000, 2000, 1500, 1500]


def test_sfmta_price_by_medium(tmp_path):
    """The guide's SFMTA products: Muni's single local fare is USD 2.50 on Clipper, USD 3.00 in cash.
    (The guide gives no leg rule; ours says every Muni leg sells that product.)"""
    import shutil

    feed = tmp_path / "sfmta"
    shutil.copytree(DATA / "sfmta_muni_media", feed)
    (feed / "fare_leg_rules.txt").write_text(
        "leg_group_id,network_id,fare_product_id\nmuni,muni,SF:local:single\n")
    r = import_fares(feed, media="clipper")
    assert r.fares["standalone"]["muni"] == {"kind": "flat", "amount": 250}
    assert r.fares["media_fares"] == [{"media": ["cash"], "operators": ["muni"],
                                       "fare": {"kind": "flat", "amount": 300}}]
    assert r.fares["media"] == [{"id": "clipper", "share": 1.0}, {"id": "cash", "share": 0.0}]
    s = scenario_for(tmp_path, r.fares, r.currency, ["a", "b"])
    taps = "rider,operator,board_time,media\nx,muni,08:00:00,cash\ny,muni,08:00:00,clipper\nz,muni,08:00:00,"
    assert price(s, tmp_path, taps) == [300, 250, 250]
    # and back out: the cash price is a second row of the product, on its medium
    out = tmp_path / "gtfs"
    export_fares(load_scenario(s), out)
    products = pd.read_csv(out / "fare_products.txt", keep_default_na=False)
    rows = {(p.fare_product_id, p.fare_media_id, float(p.amount)) for p in products.itertuples()}
    # the standalone fare is that of the medium most riders hold, so an import reads it back as such
    assert rows == {("muni_fare", "clipper", 2.5), ("muni_fare", "cash", 3.0)}
    assert import_fares(out).fares["standalone"]["muni"] == {"kind": "flat", "amount": 250}
    assert set(pd.read_csv(out / "fare_media.txt")["fare_media_id"]) == {"clipper", "cash"}


def test_fare_leg_join_rules_become_an_od_chain(tmp_path):
    """Two rail legs joined at b are one effective leg a -> c: USD 3.00, not 2.00 + 2.00."""
    feed = tmp_path / "feed"
    feed.mkdir()
    (feed / "networks.txt").write_text("network_id,network_name\nrail,Rail\n")
    (feed / "stop_areas.txt").write_text("area_id,stop_id\nA,a\nB,b\nC,c\n")
    (feed / "fare_products.txt").write_text(
        "fare_product_id,amount,currency\nshort,2.00,USD\nlong,3.00,USD\n")
    (feed / "fare_leg_rules.txt").write_text(
        "network_id,from_area_id,to_area_id,fare_product_id\n"
        "rail,A,B,short\nrail,B,C,short\nrail,A,C,long\nrail,B,A,short\nrail,C,B,short\nrail,C,A,long\n")
    (feed / "fare_leg_join_rules.txt").write_text(
        "from_network_id,to_network_id,from_stop_id,to_stop_id\nrail,rail,b,b\n")
    r = import_fares(feed)
    (chain,) = r.fares["windows"]
    assert chain["kind"] == "od_chain" and chain["joins"] == [{"from": ["rail"], "to": ["rail"], "at": ["b"]}]
    s = scenario_for(tmp_path, r.fares, r.currency, ["a", "b", "c"])
    taps = ("rider,operator,board_time,board_stop,alight_stop\n"
            "x,rail,08:00:00,a,b\nx,rail,08:20:00,b,c\ny,rail,08:00:00,a,b\n")
    assert price(s, tmp_path, taps) == [150, 150, 200]


def test_sub_unit_amounts_and_missing_tables_are_refused(tmp_path):
    feed = tmp_path / "feed"
    feed.mkdir()
    (feed / "fare_products.txt").write_text("fare_product_id,amount,currency\none,2.005,USD\n")
    (feed / "fare_leg_rules.txt").write_text("leg_group_id,network_id,fare_product_id\ng,bus,one\n")
    with pytest.raises(InputError) as info:
        import_fares(feed)
    assert str(info.value) == (
        f"{feed}/fare_products.txt: line 2, column amount: finer than the minor unit of USD (2 decimals) "
        "(got '2.005')"
    )
    with pytest.raises(InputError, match=r"needs fare_products\.txt and fare_leg_rules\.txt"):
        import_fares(DATA / "sfmta_muni_media")


def test_fares_feed_read_like_a_network_feed(tmp_path):
    """The Fares v2 import reads feeds with the network import's reader: a byte-order mark, tables
    in a sub-folder of the zip, blank lines counted in error lines, key columns checked."""
    import shutil

    feed = tmp_path / "feed" / "mta"
    shutil.copytree(DATA / "mta_maryland", feed)
    products = feed / "fare_products.txt"
    products.write_text("\ufeff" + products.read_text(encoding="utf-8"), encoding="utf-8")
    archive = shutil.make_archive(str(tmp_path / "published"), "zip", root_dir=tmp_path / "feed",
                                  base_dir="mta")
    r = import_fares(archive)
    assert r.fares["standalone"]["core"] == {"kind": "flat", "amount": 200}
    assert r.fares["name"] == "published"
    lines = products.read_text(encoding="utf-8").splitlines()
    rows = [*lines[:2], "", lines[2].replace("4.60", "4.605")]  # the bad price on line 4, after a blank line
    products.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        import_fares(feed)
    assert info.value.path == "line 4, column amount"
    (feed / "fare_leg_rules.txt").write_text("leg_group_id,network_id\ng,core\n")
    with pytest.raises(InputError, match=r"fare_leg_rules.txt: line 1: missing column 'fare_product_id'"):
        import_fares(feed)


def test_export_then_import_prices_the_same(tmp_path, write_scenario):
    """Every rule of this scenario can be exported (time bands, zones, a free category, a fixed
    transfer): after export and import every sampled leg and two-leg card prices the same."""
    from tests.gtfs_roundtrip import roundtrip

    def edit(doc):
        doc["fares"]["standalone"]["metro"] = {
            "kind": "zones",
            "zones": [{"stop_id": "m_market", "zone": "in"}, {"stop_id": "m_port", "zone": "out"}],
            "fares": [{"from_zone": "in", "to_zone": "out", "amount": 4500},
                      {"from_zone": "in", "to_zone": "in", "amount": 3000},
                      {"from_zone": "out", "to_zone": "out", "amount": 3000}],
        }
        doc["fares"]["windows"] = [{
            "kind": "transfer", "id": "x", "operators": ["metro"], "duration": "60min",
            "duration_limit_type": 1, "transfer_fare": {"kind": "fixed", "amount": 1000},
        }]

    r = roundtrip(write_scenario(edit), tmp_path)
    assert r.legs > 20 and r.same == r.legs, r.differing.to_string()
    back = import_fares(tmp_path / "gtfs")
    assert back.fares["standalone"]["bus"]["kind"] == "time_band"
    assert {"from_zone": "metro.in", "to_zone": "metro.out", "amount": 4500} in back.fares["standalone"][
        "metro"]["fares"]
    assert back.fares["windows"][0]["transfer_fare"] == {"kind": "fixed", "amount": 1000}


def test_export_lists_what_it_cannot_say(tmp_path):
    out = tmp_path / "gtfs"
    missing = export_fares(load_scenario("scenarios/tiny/tiny.yaml"), out)
    assert any("city-pass" in m and "cap" in m for m in missing)
    assert "city-pass" in (out / "NOT_EXPORTED.md").read_text()
    assert set(pd.read_csv(out / "fare_products.txt")["currency"]) == {"IDR"}


def test_cli_fares_import_and_export(tmp_path):
    out = tmp_path / "fares.yaml"
    result = CliRunner().invoke(main, ["fares-import", str(DATA / "mta_maryland"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert text.startswith("# GTFS Fares v2 from") and "left out" in text
    assert yaml.safe_load(text)["fares"]["standalone"]["core"]["amount"] == 200
    again = CliRunner().invoke(main, ["fares-import", str(DATA / "mta_maryland"), "--out", str(out)])
    assert again.exit_code == 2 and "--force" in again.output
    exported = CliRunner().invoke(
        main, ["fares-export", "scenarios/tiny/tiny.yaml", "--out", str(tmp_path / "x")]
    )
    assert exported.exit_code == 0, exported.output
    assert (tmp_path / "x" / "fare_leg_rules.txt").exists()
    assert "not exported: fares.standalone.metro" in exported.output
