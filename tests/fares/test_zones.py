"""Zone fares: the fare from the boarding stop's zone to the alighting stop's zone."""

from __future__ import annotations

import re
from types import MappingProxyType

import pytest

import otrip_sim
from otrip_sim import InputError, load_scenario
from otrip_sim.fares import CapWindow, FarePolicy, Leg, ZoneFare, price_card

ZONES = MappingProxyType({"a1": "A", "a2": "A", "b1": "B", "c1": "C"})
TABLE = MappingProxyType({
    ("A", "A"): 2000, ("A", "B"): 3000, ("B", "A"): 3000, ("A", "C"): 5000, ("C", "A"): 5500,
    ("B", "B"): 2000, ("B", "C"): 3000, ("C", "B"): 3000, ("C", "C"): 2000,
})
RAIL = ZoneFare("rail", ZONES, TABLE, 5500)


@pytest.mark.parametrize(
    "board, alight, amount", [("a1", "a2", 2000), ("a1", "b1", 3000), ("a2", "c1", 5000), ("c1", "a1", 5500)]
)
def test_zone_to_zone(board, alight, amount):
    assert RAIL.price(Leg("rail", 0, board_stop=board, alight_stop=alight)).amount == amount
    assert RAIL.price(Leg("rail", 0, board_stop=board, alight_stop=alight)).rule == "rail:zones"


def test_without_stops_the_maximum():
    charge = RAIL.price(Leg("rail", 0, board_stop="a1"))
    assert (charge.amount, charge.rule) == (5500, "rail:no_stations")


def test_zone_fares_inside_a_cap_window():
    policy = FarePolicy("z", {"rail": RAIL}, windows=(CapWindow("day", frozenset({"rail"}), 10_800, 6000),))
    legs = [
        Leg("rail", 0, board_stop="a1", alight_stop="c1"),
        Leg("rail", 3600, board_stop="c1", alight_stop="a1"),
    ]
    assert [c.amount for c in price_card(policy, legs)] == [5000, 1000]  # 5,000 + remainder to the 6,000 cap


def _zoned(doc, zones, fares):
    doc["fares"]["standalone"]["metro"] = {"kind": "zones", "zones": zones, "fares": fares}
    doc["fares"]["windows"] = []


def test_scenario_with_zone_fares_runs(write_scenario, tmp_path):
    (tmp_path / "zones.csv").write_text("stop_id,zone\nm_market,inner\nm_port,outer\n")
    (tmp_path / "zone_fares.csv").write_text("from_zone,to_zone,amount\ninner,outer,4500\n")
    path = write_scenario(lambda d: _zoned(d, "zones.csv", "zone_fares.csv"))
    res = otrip_sim.run(path, seed=1, demand_scale=0.2)
    metro = res.legs[res.legs["operator"] == "metro"]
    assert (
        len(metro) > 0 and (metro["fare"] == 4500).all() and set(metro["rule"].astype(str)) == {"metro:zones"}
    )


def test_stop_without_zone_is_refused(write_scenario):
    path = write_scenario(lambda d: _zoned(d, [{"stop_id": "m_market", "zone": "inner"}],
                                           [{"from_zone": "inner", "to_zone": "inner", "amount": 1}]))
    with pytest.raises(InputError, match="metro stop 'm_port' has no zone"):
        otrip_sim.compile_scenario(load_scenario(path))


def test_missing_zone_pair_is_refused(write_scenario, tmp_path):
    (tmp_path / "zones.csv").write_text("stop_id,zone\nm_market,inner\nm_port,outer\n")
    (tmp_path / "zone_fares.csv").write_text("from_zone,to_zone,amount\ninner,inner,2000\n")
    with pytest.raises(
        InputError, match=re.escape("zone_fares.csv: no metro fare from zone 'inner' to zone 'outer'")
    ):
        path = write_scenario(lambda d: _zoned(d, "zones.csv", "zone_fares.csv"))
        otrip_sim.compile_scenario(load_scenario(path))


def test_unknown_zone_and_stop_are_located(write_scenario, tmp_path):
    (tmp_path / "zones.csv").write_text("stop_id,zone\nm_market,inner\nm_port,outer\nm_moon,far\n")
    (tmp_path / "zone_fares.csv").write_text("from_zone,to_zone,amount\ninner,outer,2000\n")
    with pytest.raises(InputError) as info:
        load_scenario(write_scenario(lambda d: _zoned(d, "zones.csv", "zone_fares.csv")))
    assert str(info.value) == f"{tmp_path / 'zones.csv'}: line 4, column stop_id: unknown stop (got 'm_moon')"
    (tmp_path / "zones.csv").write_text("stop_id,zone\nm_market,inner\nm_port,outer\n")
    (tmp_path / "zone_fares.csv").write_text("from_zone,to_zone,amount\ninner,outer,2000\ninner,mars,9\n")
    with pytest.raises(
        InputError,
        match=r"zone_fares.csv: line 3, column to_zone: unknown zone \(no stop is in it\) \(got 'mars'\)",
    ):
        load_scenario(write_scenario(lambda d: _zoned(d, "zones.csv", "zone_fares.csv"), "again.yaml"))
