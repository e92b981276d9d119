"""GTFS Fares v2 in, the parts the gtfs.org guides leave out: negative amounts (transfer
discounts), services given only by ``calendar_dates.txt``, zones shared by networks, and tables
otrip-sim does not read, reported by name."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from otrip_sim import InputError
from otrip_sim.gtfs import import_fares
from tests.test_gtfs_fares import price, scenario_for

DATA = Path(__file__).parent / "data" / "gtfs-fares-v2"


def feed_with(tmp_path: Path, **tables: str) -> Path:
    feed = tmp_path / "feed"
    feed.mkdir()
    for name, text in tables.items():
        (feed / f"{name}.txt").write_text(text)
    return feed


def test_a_negative_transfer_product_is_an_amount_off_the_next_leg(tmp_path):
    """A + AB + B with AB = -0.75: a USD 2.00 bus then a USD 2.50 rail leg cost 2.00 + 1.75."""
    feed = feed_with(
        tmp_path,
        fare_products="fare_product_id,amount,currency\nbus,2.00,USD\nrail,2.50,USD\noff,-0.75,USD\n",
        fare_leg_rules="leg_group_id,network_id,fare_product_id\nb,bus,bus\nr,rail,rail\n",
        fare_transfer_rules="from_leg_group_id,to_leg_group_id,duration_limit,duration_limit_type,"
                            "fare_transfer_type,fare_product_id\nb,r,3600,1,1,off\n")
    r = import_fares(feed)
    (w,) = r.fares["windows"]
    assert w["transfer_fare"] == {"kind": "discount", "amount": 75}
    s = scenario_for(tmp_path, r.fares, r.currency, ["a", "b"])
    taps = "rider,operator,board_time\nx,bus,08:00:00\nx,rail,08:20:00\ny,rail,08:00:00\n"
    assert price(s, tmp_path, taps) == [200, 175, 250]


def test_a_negative_leg_fare_is_refused_with_its_line(tmp_path):
    feed = feed_with(tmp_path, fare_products="fare_product_id,amount,currency\nbus,-2.00,USD\n",
                     fare_leg_rules="leg_group_id,network_id,fare_product_id\nb,bus,bus\n")
    with pytest.raises(InputError) as info:
        import_fares(feed)
    assert str(info.value).startswith(f"{feed}/fare_leg_rules.txt: line 2, column fare_product_id: a leg's "
                                      "fare product has a negative amount")


def test_services_of_calendar_dates_choose_the_days_timeframes(tmp_path):
    """WMATA with its services as calendar_dates.txt only: Monday and Saturday price as with
    calendar.txt (the bands no longer overlap)."""
    feed = tmp_path / "wmata"
    shutil.copytree(DATA / "wmata_time_variable", feed)
    (feed / "calendar.txt").unlink()
    (feed / "calendar_dates.txt").write_text(
        "service_id,date,exception_type\nweekday_service,20220711,1\nweekday_service,20220712,1\n"
        "saturday_service,20220716,1\nsunday_service,20220717,1\n")
    for day in ("monday", "saturday"):
        with_dates = import_fares(feed, day=day).fares
        with_calendar = import_fares(DATA / "wmata_time_variable", day=day).fares
        assert with_dates["standalone"] == with_calendar["standalone"]


def test_networks_may_zone_one_stop_differently(tmp_path):
    """Rail zones R1/R2 and bus zones B1/B2 share stop s2: each network keeps its own zone of it."""
    feed = feed_with(
        tmp_path,
        areas="area_id\nR1\nR2\nB1\nB2\n",
        stop_areas="area_id,stop_id\nR1,s1\nR2,s2\nB1,s2\nB2,s3\n",
        fare_products="fare_product_id,amount,currency\nr_in,2.00,USD\nr_out,3.00,USD\nb_in,1.00,USD\n"
                      "b_out,1.50,USD\n",
        fare_leg_rules="network_id,from_area_id,to_area_id,fare_product_id\n"
                       "rail,R1,R1,r_in\nrail,R2,R2,r_in\nrail,R1,R2,r_out\nrail,R2,R1,r_out\n"
                       "bus,B1,B1,b_in\nbus,B2,B2,b_in\nbus,B1,B2,b_out\nbus,B2,B1,b_out\n")
    r = import_fares(feed)
    rail = {z["stop_id"]: z["zone"] for z in r.fares["standalone"]["rail"]["zones"]}
    bus = {z["stop_id"]: z["zone"] for z in r.fares["standalone"]["bus"]["zones"]}
    assert rail == {"s1": "R1", "s2": "R2"} and bus == {"s2": "B1", "s3": "B2"}
    s = scenario_for(tmp_path, r.fares, r.currency, ["s1", "s2", "s3"])
    doc = yaml.safe_load(s.read_text())  # the rail runs s1-s2, the bus s2-s3
    doc["network"]["routes"][0]["stops"] = ["s1", "s2"]
    doc["network"]["routes"][1]["stops"] = ["s2", "s3"]
    s.write_text(yaml.safe_dump(doc, sort_keys=False))
    taps = ("rider,operator,board_time,board_stop,alight_stop\n"
            "x,rail,08:00:00,s1,s2\ny,bus,08:00:00,s2,s3\nz,bus,08:00:00,s2,s2\n")
    assert price(s, tmp_path, taps) == [300, 150, 100]


def test_tables_not_read_are_reported_by_name(tmp_path):
    feed = tmp_path / "mta"
    shutil.copytree(DATA / "mta_maryland", feed)
    (feed / "fare_attributes.txt").write_text("fare_id,price,currency_type,payment_method,transfers\n"
                                              "f,2.00,USD,0,\n")
    (feed / "fare_capping.txt").write_text("cap_id\nc\n")
    (feed / "stops.txt").write_text("stop_id,stop_name,stop_lat,stop_lon\na,A,1,1\n")
    notes = import_fares(feed).notes
    assert ("fare_attributes.txt: not read by fares-import (GTFS Fares v1: not read; the Fares v2 tables "
            "are)") in notes
    assert "fare_capping.txt: not read by fares-import" in notes
    assert not any(n.startswith("stops.txt") for n in notes)
    assert not any(n.startswith("fare_products.txt") for n in notes)


def test_an_amount_off_transfer_exports_as_a_negative_product_and_back(tmp_path):
    from tests.gtfs_roundtrip import roundtrip

    feed = feed_with(
        tmp_path,
        fare_products="fare_product_id,amount,currency\nbus,2.00,USD\nrail,2.50,USD\noff,-0.75,USD\n",
        fare_leg_rules="leg_group_id,network_id,fare_product_id\nb,bus,bus\nr,rail,rail\n",
        fare_transfer_rules="from_leg_group_id,to_leg_group_id,duration_limit,duration_limit_type,"
                            "fare_transfer_type,fare_product_id\nb,r,3600,1,1,off\n")
    r = import_fares(feed)
    work = tmp_path / "work"
    work.mkdir()
    back = roundtrip(scenario_for(tmp_path, r.fares, r.currency, ["a", "b"]), work)
    assert back.same == back.legs
    products = (work / "gtfs" / "fare_products.txt").read_text()
    assert "transfer-1_transfer,transfer-1 transfer discount,-0.75,USD" in products
    (w,) = import_fares(work / "gtfs").fares["windows"]
    assert w["transfer_fare"] == {"kind": "discount", "amount": 75}
