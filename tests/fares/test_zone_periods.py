"""Zone fares by time of day together (``zones`` with ``periods``): Metro-North's Hudson line peak
and off-peak fares, as the gtfs.org Fares v2 guide publishes them (Grand Central, zone 1 → Cold
Spring, zone HUD-7: USD 20.00 peak, USD 15.00 off-peak; outbound peak by the departure on weekdays
06:00–09:00 and 16:00–20:00, inbound peak by the arrival on weekdays 06:00–10:00)."""

from __future__ import annotations

import pytest
from builders import tap_all
from hypothesis import given, settings
from hypothesis import strategies as st

import otrip_sim
from otrip_sim import InputError, load_scenario
from otrip_sim.fares import (
    CapWindow,
    FarePolicy,
    Leg,
    Outcome,
    ZoneFare,
    ZonePeriod,
    backend_for,
    price,
    price_card,
)
from otrip_sim.fares.vector import as_arrays
from otrip_sim.policy import compile_policy

H, DAY = 3600, 86_400
SATURDAY = 5 * DAY  # day 0 of the data is a Monday
GRAND_CENTRAL, HARLEM, COLD_SPRING, GARRISON = "ITO2383", "ITO1887", "ITO1897", "ITO1856"
MNR = ZoneFare(
    "mnr",
    {GRAND_CENTRAL: "1", HARLEM: "1", COLD_SPRING: "HUD-7", GARRISON: "HUD-7"},
    {("1", "HUD-7"): 1500, ("HUD-7", "1"): 1500, ("1", "1"): 1000, ("HUD-7", "HUD-7"): 1000},
    2000,
    (ZonePeriod("peak-out", 6 * H, 9 * H, "weekdays"), ZonePeriod("peak-out", 16 * H, 20 * H, "weekdays"),
     ZonePeriod("peak-in", 6 * H, 10 * H, "weekdays", "alight")),
    {("1", "HUD-7", "peak-out"): 2000, ("HUD-7", "1", "peak-in"): 2000},
)
POLICY = FarePolicy("mnr", {"mnr": MNR})


def fare(board: str, alight: str, t: int, arrive: int | None = None) -> tuple[int, str]:
    c = price_card(POLICY, [Leg("mnr", t, board_stop=board, alight_stop=alight, alight_time=arrive)])[0]
    return c.amount, c.rule


@pytest.mark.parametrize("t, expected", [
    (7 * H, (2000, "mnr:peak-out")),  # a weekday AM peak departure
    (9 * H - 1, (2000, "mnr:peak-out")),
    (9 * H, (1500, "mnr:zones")),  # 09:00 is off-peak (the band's end is exclusive)
    (17 * H + 30 * 60, (2000, "mnr:peak-out")),  # PM peak
    (20 * H, (1500, "mnr:zones")),
    (SATURDAY + 7 * H, (1500, "mnr:zones")),  # weekends are off-peak all day
    (DAY + 7 * H, (2000, "mnr:peak-out")),  # Tuesday
])
def test_metro_north_outbound_by_departure(t, expected):
    assert fare(GRAND_CENTRAL, COLD_SPRING, t, t + H) == expected


@pytest.mark.parametrize("t, arrive, expected", [
    (6 * H + 50 * 60, 8 * H, (2000, "mnr:peak-in")),  # arrives in the AM peak
    (9 * H, 10 * H + 5 * 60, (1500, "mnr:zones")),  # departs in it, arrives after 10:00: off-peak
    (5 * H, 6 * H, (2000, "mnr:peak-in")),  # departs before 06:00, arrives at 06:00: peak
    (17 * H, 18 * H, (1500, "mnr:zones")),  # inbound has no PM peak
    (SATURDAY + 7 * H, SATURDAY + 8 * H, (1500, "mnr:zones")),
    (7 * H, None, (2000, "mnr:peak-in")),  # no tap-out: the tap-in decides
])
def test_metro_north_inbound_by_arrival(t, arrive, expected):
    assert fare(COLD_SPRING, GRAND_CENTRAL, t, arrive) == expected


def test_zones_without_a_period_fare_keep_their_fare():
    assert fare(GRAND_CENTRAL, HARLEM, 7 * H) == (1000, "mnr:zones")
    assert price_card(POLICY, [Leg("mnr", 7 * H, board_stop=GRAND_CENTRAL, alight_stop=COLD_SPRING,
                                   alight_time=8 * H)])[0].outcome is Outcome.ZONE_PERIOD


def test_the_dearest_of_several_periods_applies():
    z = ZoneFare("z", {"a": "A", "b": "B"}, {("A", "B"): 100}, 300,
                 (ZonePeriod("peak", 7 * H, 9 * H), ZonePeriod("super", 8 * H, 8 * H + 1800),
                  ZonePeriod("offer", 12 * H, 14 * H)),
                 {("A", "B", "peak"): 200, ("A", "B", "super"): 300, ("A", "B", "offer"): 50})
    p = FarePolicy("z", {"z": z})
    got = [price_card(p, [Leg("z", t, board_stop="a", alight_stop="b")])[0].amount
           for t in (7 * H, 8 * H, 13 * H, 16 * H)]
    assert got == [200, 300, 50, 100]  # a cheaper period (an off-peak offer) also replaces the fare


def test_windows_use_the_period_fare_as_the_own_fare():
    p = FarePolicy("mnr", {"mnr": MNR}, windows=(CapWindow("cap", frozenset({"mnr"}), 12 * H, 3000),))
    legs = [Leg("mnr", 7 * H, board_stop=GRAND_CENTRAL, alight_stop=COLD_SPRING, alight_time=8 * H),
            Leg("mnr", 17 * H, board_stop=COLD_SPRING, alight_stop=GRAND_CENTRAL, alight_time=18 * H)]
    assert [c.amount for c in price_card(p, legs)] == [2000, 1000]  # 2,000 peak, 1,500 capped to 1,000
    assert backend_for(p) == "vector"


STOPS = [GRAND_CENTRAL, HARLEM, COLD_SPRING, GARRISON]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 8 * DAY), st.integers(0, 4 * H),
                          st.sampled_from(STOPS), st.sampled_from(STOPS), st.booleans()),
                min_size=1, max_size=12))
def test_both_engines_agree(rows):
    p = FarePolicy("mnr", {"mnr": MNR}, windows=(CapWindow("cap", frozenset({"mnr"}), 2 * H, 2500),))
    legs = [Leg("mnr", t, board_stop=a, alight_stop=b, alight_time=t + d if out else None)
            for _, t, d, a, b, out in rows]
    cards = [c for c, *_ in rows]
    v, c = (price(p, as_arrays(legs, cards), log=True, backend=b) for b in ("vector", "card"))
    assert v.fare.tolist() == c.fare.tolist()
    assert v.rule_names().tolist() == c.rule_names().tolist()
    assert v.own.tolist() == c.own.tolist()
    for k in set(cards):
        mine = sorted((leg for leg, card in zip(legs, cards) if card == k), key=lambda x: x.board_time)
        _, _, settled = tap_all(p, mine)
        assert settled == price_card(p, mine)


# --- the scenario file -----------------------------------------------------------------------
def _metro_by_period(doc, periods=None, extra=None):
    doc["fares"]["standalone"]["metro"] = {
        "kind": "zones",
        "zones": [{"stop_id": "m_market", "zone": "in"}, {"stop_id": "m_port", "zone": "out"}],
        "fares": [{"from_zone": "in", "to_zone": "out", "amount": 4000},
                  {"from_zone": "in", "to_zone": "out", "amount": 6000, "period": "peak"},
                  *(extra or [])],
        "periods": periods if periods is not None else [
            {"name": "peak", "start": "07:00", "end": "09:00", "days": "weekdays"}],
    }


def test_a_scenario_with_zone_periods_runs(write_scenario):
    def edit(doc):
        _metro_by_period(doc)
        doc["fares"]["windows"] = []

    path = write_scenario(edit)
    z = compile_policy(load_scenario(path).spec.fares).standalone["metro"]
    assert isinstance(z, ZoneFare)
    assert z.period_table == {("in", "out", "peak"): 6000, ("out", "in", "peak"): 6000}  # symmetric
    res = otrip_sim.run(path, seed=2, demand_scale=0.3)
    metro = res.legs[res.legs["operator"] == "metro"]
    assert {"metro:peak", "metro:zones"} <= set(metro["rule"])
    peak = metro[metro["rule"] == "metro:peak"]
    assert set(peak["fare"]) == {6000} and set(metro.loc[metro["rule"] == "metro:zones", "fare"]) == {4000}


@pytest.mark.parametrize("edit, where", [
    (lambda d: _metro_by_period(d, periods=[]),
     r"fares\.standalone\.metro\.fares: row 2: unknown period 'peak'"),
    (lambda d: _metro_by_period(d, extra=[{"from_zone": "in", "to_zone": "out", "amount": 1,
                                           "period": "peak"}]),
     r"fares\.standalone\.metro\.fares: row 3: a second fare from 'in' to 'out' in period 'peak'"),
    (lambda d: _metro_by_period(d, periods=[{"name": "peak", "start": "09:00", "end": "07:00"}]),
     r"fares\.standalone\.metro\.periods\[0\].*end must be after start"),
    (lambda d: _metro_by_period(d, periods=[{"name": "peak", "start": "07:00", "end": "09:00",
                                             "by": "exit"}]),
     r"fares\.standalone\.metro\.periods\[0\]\.by"),
])
def test_zone_period_validation_is_located(write_scenario, edit, where):
    with pytest.raises(InputError, match=where):
        load_scenario(write_scenario(edit))


def test_a_period_fare_needs_a_fare_for_other_times(write_scenario):
    def edit(doc):
        _metro_by_period(doc)
        doc["fares"]["standalone"]["metro"]["fares"] = [
            {"from_zone": "in", "to_zone": "out", "amount": 6000, "period": "peak"}]

    with pytest.raises(InputError, match=r"metro\.fares: zones 'in' to 'out' have a 'peak' fare but none"):
        load_scenario(write_scenario(edit))


def test_zone_periods_from_csv_files(write_scenario, tmp_path):
    (tmp_path / "zones.csv").write_text("stop_id,zone\nm_market,in\nm_port,out\n")
    (tmp_path / "zone_fares.csv").write_text(
        "from_zone,to_zone,amount,period,note\nin,out,4000,,off-peak\nin,out,6000,peak,\n")

    def edit(doc):
        doc["fares"]["standalone"]["metro"] = {
            "kind": "zones", "zones": "zones.csv", "fares": "zone_fares.csv",
            "periods": [{"name": "peak", "start": "07:00", "end": "09:00"}]}

    z = compile_policy(load_scenario(write_scenario(edit)).spec.fares).standalone["metro"]
    assert isinstance(z, ZoneFare) and z.table[("out", "in")] == 4000
    assert z.period_table[("in", "out", "peak")] == 6000
    (tmp_path / "zone_fares.csv").write_text(
        "from_zone,to_zone,amount,period\nin,out,4000,\nin,out,6000,rush\n")
    with pytest.raises(InputError, match=r"row 2: unknown period 'rush'"):
        load_scenario(write_scenario(edit, "b.yaml"))


def test_gtfs_export_then_import_keeps_the_periods(write_scenario, tmp_path):
    from otrip_sim.gtfs import export_fares, import_fares

    def edit(doc):
        _metro_by_period(doc, periods=[{"name": "peak", "start": "07:00", "end": "09:00"},
                                       {"name": "late", "start": "20:00", "end": "24:00", "by": "alight"}],
                         extra=[{"from_zone": "in", "to_zone": "out", "amount": 3000, "period": "late"}])
        doc["fares"]["standalone"]["metro"]["symmetric"] = False
        doc["fares"]["windows"] = []

    missing = export_fares(load_scenario(write_scenario(edit)), tmp_path / "g")
    assert not any("metro" in m for m in missing)
    back = import_fares(tmp_path / "g").fares["standalone"]["metro"]
    rows = {(r["from_zone"], r["to_zone"], r.get("period", ""), r["amount"]) for r in back["fares"]}
    assert rows == {("metro.in", "metro.out", "", 4000), ("metro.in", "metro.out", "metro_peak", 6000),
                    ("metro.in", "metro.out", "metro_late_arrival", 3000)}
    assert {(p["name"], p["start"], p["end"], p["by"]) for p in back["periods"]} == {
        ("metro_peak", "07:00:00", "09:00:00", "board"),
        ("metro_late_arrival", "20:00:00", "24:00:00", "alight")}
