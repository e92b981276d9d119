"""Persons with a day on one card: tours, journeys chained in the simulation, cards across journeys,
draws keyed to persons, nested samples."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

import otrip_sim
from otrip_sim.compile import compile_scenario
from otrip_sim.demand import generate
from otrip_sim.errors import InputError
from otrip_sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]


def _corridor(**tours: Any) -> dict[str, Any]:
    """One 5 km bus route A–B (15 minutes, every 10 minutes, room for everyone), 200 journeys a
    day A → B, one purpose whose tours leave home between 08:00 and 08:30; every adult pays Rp
    3,500 a tap."""
    return {
        "schema_version": 1,
        "meta": {"name": "corridor", "currency": "IDR", "seed": 11, "service_start": "05:00",
                 "service_end": "23:00"},
        "operators": [{"id": "bus", "name": "Bus", "mode": "bus"}],
        "network": {
            "stops": [{"id": "a", "name": "A", "lat": -6.30, "lon": 106.80},
                      {"id": "b", "name": "B", "lat": -6.255, "lon": 106.80}],
            "routes": [{"id": "bus-1", "name": "A-B", "operator": "bus", "stops": ["a", "b"], "length": "5km",
                        "speed_kmh": 20, "capacity": 1000,
                        "headways": [{"start": "05:00", "end": "22:00", "every": "10min"}]}],
        },
        "demand": {
            "od": [{"origin": "a", "destination": "b", "trips": 200}],
            "profile": [{"start": "08:00", "end": "08:30", "weight": 1}],
            "categories": [{"id": "adult", "share": 1.0, "value_of_time": 9320}],
            "max_wait": "60min",
            "tours": {"purposes": [{"id": "errand", "share": 1.0,
                                    "activity": tours.get("activity", {"mean": "30min"})}],
                      **{k: v for k, v in tours.items() if k != "activity"}},
        },
        "choice": {"spread": 0},
        "fares": {"name": "flat", "standalone": {"bus": {"kind": "flat", "amount": 3500}}},
    }


def _run(tmp_path: Path, doc: dict[str, Any], name: str = "s.yaml", **kw: Any) -> otrip_sim.RunResult:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return otrip_sim.run(path, **kw)


def _fares_by_trip(res: otrip_sim.RunResult) -> dict[int, set[int]]:
    j = res.journeys
    served = j[j["served"]]
    return {int(t): set(served.loc[served["trip"] == t, "fare"]) for t in sorted(set(served["trip"]))}


OK_OTRIP = {"kind": "cap", "id": "okotrip", "operators": ["bus"], "duration": "180min", "cap": 5000}


def test_return_inside_the_window_pays_what_is_left_of_the_cap(tmp_path):
    # out at 08:00-08:30 (Rp 3,500 opens the window), 30 minutes there, back well inside 180
    # minutes of the first tap: min(3,500, 5,000 - 3,500) = Rp 1,500
    doc = _corridor()
    doc["fares"]["windows"] = [OK_OTRIP]
    res = _run(tmp_path, doc)
    j = res.journeys
    assert (j["status"] == "served").all() and len(j) > 150
    assert _fares_by_trip(res) == {0: {3500}, 1: {1500}}
    # both journeys of a person are on the person's one card, in one window
    legs = res.legs
    assert (legs.groupby("person")["window"].nunique() == 1).all()
    assert (j.groupby("person")["card"].nunique() == 1).all()
    assert res.summary()["totals"]["journeys_per_person"] == 2.0


def test_return_after_the_window_pays_its_own_fare(tmp_path):
    # 4 hours there: the return starts after the 180-minute window closed
    doc = _corridor(activity={"mean": "4h"})
    doc["fares"]["windows"] = [OK_OTRIP]
    res = _run(tmp_path, doc)
    assert _fares_by_trip(res) == {0: {3500}, 1: {3500}}


def test_daily_cap_binds_across_a_persons_journeys(tmp_path):
    # a Rp 6,000 daily cap: out Rp 3,500, back min(3,500, 6,000 - 3,500) = Rp 2,500, whatever the
    # hours between (6 hours here: no window could join them)
    doc = _corridor(activity={"mean": "6h"})
    doc["fares"]["caps"] = [{"id": "day", "kind": "daily", "operators": ["bus"], "cap": 6000}]
    res = _run(tmp_path, doc)
    assert _fares_by_trip(res) == {0: {3500}, 1: {2500}}
    assert res.summary()["totals"]["fare_revenue"] == 6000 * res.riders.persons


def test_the_return_is_chosen_from_the_cards_state(tmp_path):
    # A van (Rp 2,000, same speed) runs from 12:00.  Out at 11:00-11:15 only the bus runs soon:
    # Rp 3,500 opens the window.  Back after an hour, the bus costs what is left of the cap
    # (Rp 1,500) and beats the van's Rp 2,000 — on a fresh card the van (2,000 < 3,500) would win.
    doc = _corridor(activity={"mean": "60min"})
    doc["operators"].append({"id": "van", "name": "Van", "mode": "bus"})
    doc["network"]["routes"].append({"id": "van-1", "name": "A-B van", "operator": "van", "stops": ["a", "b"],
                                     "length": "5km", "speed_kmh": 20, "capacity": 1000,
                                     "headways": [{"start": "12:00", "end": "22:00", "every": "10min"}]})
    doc["demand"]["profile"] = [{"start": "11:00", "end": "11:15", "weight": 1}]
    doc["fares"]["standalone"]["van"] = {"kind": "flat", "amount": 2000}
    capped = copy.deepcopy(doc)
    capped["fares"]["windows"] = [OK_OTRIP]
    res = _run(tmp_path, capped, "capped.yaml")
    back = res.legs.merge(res.journeys[["journey", "trip"]], on="journey").query("trip == 1")
    assert set(back["route"].astype(str)) == {"bus-1"} and set(back["fare"]) == {1500}
    plain = _run(tmp_path, doc, "plain.yaml")  # no window: the van is cheaper for the return
    back = plain.legs.merge(plain.journeys[["journey", "trip"]], on="journey").query("trip == 1")
    assert set(back["route"].astype(str)) == {"van-1"} and set(back["fare"]) == {2000}


def test_a_journey_after_an_unserved_one_is_skipped(tmp_path):
    # the bus stops at 10:00: persons leaving at 08:00-08:30 and staying 4 h find no bus back
    doc = _corridor(activity={"mean": "4h"})
    doc["network"]["routes"][0]["headways"] = [{"start": "05:00", "end": "10:00", "every": "10min"}]
    doc["demand"]["max_wait"] = "30min"
    res = _run(tmp_path, doc)
    j = res.journeys
    assert set(j.loc[j["trip"] == 0, "status"]) == {"served"}
    assert set(j.loc[j["trip"] == 1, "status"]) <= {"no_path", "stranded", "abandoned"}
    # and with the outbound made impossible (service ends before anyone leaves) the return is skipped
    doc["network"]["routes"][0]["headways"] = [{"start": "05:00", "end": "07:00", "every": "10min"},
                                               {"start": "12:00", "end": "22:00", "every": "10min"}]
    doc["demand"]["max_wait"] = "5min"
    res = _run(tmp_path, doc, "late.yaml")
    j = res.journeys
    first = j[j["trip"] == 0]
    assert not first["served"].any()
    assert set(j.loc[j["trip"] == 1, "status"]) == {"skipped"}


def test_departure_of_a_later_journey_follows_the_arrival(tmp_path):
    res = _run(tmp_path, _corridor(activity={"mean": "45min"}))
    j = res.journeys.sort_values(["person", "trip"])
    out, back = j[j["trip"] == 0].set_index("person"), j[j["trip"] == 1].set_index("person")
    assert ((back["depart_s"] - out["arrive_s"]) == 45 * 60).all()


# ------------------------------------------------------------------- tours from the scenario
def test_tours_yield_the_journeys_of_the_od_table():
    loaded = load_scenario(ROOT / "scenarios/jakarta/okotrip-2018.yaml")
    c = compile_scenario(loaded)
    r = generate(c.loaded.spec.demand, c.zone_ids, seed=1)
    assert len(r) == pytest.approx(140_000, rel=0.01)
    per_person = len(r) / r.persons
    assert 2.1 < per_person < 2.5  # 2 a tour, +10% stops on the way home, +10% second tours
    # persons in order of first departure, journeys consecutive and in the order made
    assert (np.diff(r.person) >= 0).all()
    same = r.person[1:] == r.person[:-1]
    assert (np.diff(r.trip)[same] == 1).all() and (r.trip[1:][~same] == 0).all()
    assert ((r.after_s < 0) == (r.trip == 0)).all()
    # a tour returns home: each person's last journey ends where the first began
    last = np.r_[~same, True]
    start = np.r_[True, ~same]
    assert (r.destination[last] == r.origin[start]).all()


def test_tour_spec_errors_are_located(tmp_path):
    doc = _corridor()
    doc["demand"]["tours"]["purposes"][0]["share"] = 0.5
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(InputError, match=r"demand\.tours.*purpose shares must sum to 1"):
        load_scenario(path)
    doc = _corridor(activity={"mean": "2h", "min": "3h"})
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(InputError, match=r"demand\.tours\.purposes\[0\]\.activity.*min <= mean <= max"):
        load_scenario(path)


# ------------------------------------------------------------------- keyed draws and samples
def _person_table(res: otrip_sim.RunResult) -> Any:
    j = res.journeys
    return j.set_index(["person", "trip"])[["origin", "destination", "category", "purpose"]]


def test_same_person_same_draws_in_two_policies():
    # fixed demand: the same persons ride under both policies
    fixed = {"choice.mode_choice": False}
    a, b = (otrip_sim.run(load_scenario(ROOT / f"scenarios/jakarta/{name}.yaml", overrides=fixed), sample=0.2)
            for name in ("okotrip-2018", "baseline-2018"))
    assert a.seed == b.seed == 2018
    ta, tb = _person_table(a), _person_table(b)
    assert ta.equals(tb)
    # the first journey of the day leaves at the same time under both policies
    first_a = a.journeys.query("trip == 0").set_index("person")["depart_s"]
    first_b = b.journeys.query("trip == 0").set_index("person")["depart_s"]
    assert first_a.equals(first_b)


def test_same_population_under_two_policies_with_mode_choice():
    a = otrip_sim.run(ROOT / "scenarios/jakarta/okotrip-2018.yaml", sample=0.2)
    b = otrip_sim.run(ROOT / "scenarios/jakarta/baseline-2018.yaml", sample=0.2)
    assert a.travellers is not None and b.travellers is not None
    for field in ("person_key", "origin", "destination", "trip", "category", "segment", "base"):
        assert np.array_equal(getattr(a.travellers, field), getattr(b.travellers, field)), field
    # OK OTrip only lowers fares: the riders it loses against the baseline are few (a later
    # journey's card history can differ), those it gains many more
    pa, pb = set(a.riders.person_key.tolist()), set(b.riders.person_key.tolist())
    assert len(pb - pa) < 0.1 * len(pa - pb) and len(pa - pb) > 50


def test_nested_samples_share_their_persons():
    path = ROOT / "scenarios/jakarta/okotrip-2018.yaml"
    small, large = otrip_sim.run(path, sample=0.1), otrip_sim.run(path, sample=0.2)
    ts, tl = _person_table(small), _person_table(large)
    assert set(ts.index) < set(tl.index)  # the 10% sample is inside the 20% one
    assert ts.equals(tl.loc[ts.index])  # the same persons make the same day
    assert 0.45 < len(ts) / len(tl) < 0.55
    s = small.summary()
    assert s["sample"] == 0.1 and s["expansion"] == 10 and "10% sample" in s["estimates"]


def test_replications_are_stable_and_distinct():
    loaded = load_scenario(ROOT / "scenarios/tiny/tiny.yaml")
    c = compile_scenario(loaded)
    d = c.loaded.spec.demand
    r0, r0_again, r1 = (generate(d, c.zone_ids, 5, replication=k) for k in (0, 0, 1))
    assert np.array_equal(r0.depart, r0_again.depart) and np.array_equal(r0.person_key, r0_again.person_key)
    assert len(r0) != len(r1) or not np.array_equal(r0.depart, r1.depart)


def test_sample_expands_counts_and_money(tmp_path):
    # a scenario with room for all: a 50% sample's figures are the sample's own, doubled
    res = _run(tmp_path, _corridor(), sample=0.5)
    s = res.summary()
    served = int(res.journeys["served"].sum())
    assert s["totals"]["journeys"] == 2 * served
    assert s["totals"]["fare_revenue"] == 2 * int(res.legs["fare"].sum())
    assert s["operators"]["bus"]["boardings"] == 2 * len(res.legs)
    assert (res.journeys["weight"] == 2.0).all()


@pytest.mark.parametrize("bad", [0, -0.1, 1.5])
def test_sample_must_be_a_fraction(bad):
    with pytest.raises(InputError, match=r"--sample.*fraction"):
        otrip_sim.run(ROOT / "scenarios/tiny/tiny.yaml", sample=bad)


def test_fractional_capacity_in_a_sample(tmp_path):
    # 400 persons leave A at 08:00 for B on a bus holding 40 every 10 min: a 10% sample carries 4
    # a vehicle, so the backlog (and the denied boardings, expanded) match the full run's order
    doc = _corridor()
    doc["network"]["routes"][0]["capacity"] = 40
    doc["demand"]["od"][0]["trips"] = 800
    doc["demand"]["profile"] = [{"start": "08:00", "end": "08:01", "weight": 1}]
    full = _run(tmp_path, doc, "full.yaml")
    part = _run(tmp_path, doc, "part.yaml", sample=0.1)
    assert full.records.denied_boardings > 0
    lf = part.by_route["max_load_factor"].max()
    assert 1.0 <= lf < 1.0 + 1 / 4  # load below 0.1 × 40 = 4 when the last rider boards
    fd, pd_ = full.summary()["totals"]["denied_boardings"], part.summary()["totals"]["denied_boardings"]
    assert pd_ == pytest.approx(fd, rel=0.35)


def test_a_20_percent_sample_estimates_the_full_day():
    # the sample bias measured by benchmarks/sample_bias.py (docs/model.md, "Samples"): journeys,
    # fare revenue and subsidy within 5% (measured: under 1%); denied boardings are biased upward
    # in samples (queues are convex in their size), within +60% here (measured +13% to +47%)
    path = ROOT / "scenarios/jakarta/okotrip-2018.yaml"
    full, part = otrip_sim.run(path, seed=1).summary(), otrip_sim.run(path, seed=1, sample=0.2).summary()
    for key in ("journeys", "fare_revenue", "subsidy", "boardings"):
        assert part["totals"][key] == pytest.approx(full["totals"][key], rel=0.05), key
    assert full["totals"]["denied_boardings"] > 0
    assert 0.8 < part["totals"]["denied_boardings"] / full["totals"]["denied_boardings"] < 1.6
    assert part["totals"]["persons"] == pytest.approx(full["totals"]["persons"], rel=0.03)


def _two_buses(capacity_b: int) -> dict[str, Any]:
    """A → B (15 min) then B → C (15 min), both every 10 min; a 25-minute Rp 5,000 cap over
    Rp 3,500 taps: planned, the change at B waits half a headway (20 minutes after the first
    tap: inside the window, Rp 1,500); a rider left behind by a full bus at B taps 10 minutes later
    and pays Rp 3,500 in a new window — Rp 2,000 more."""
    doc = _corridor(activity={"mean": "6h"})
    doc["network"]["stops"].append({"id": "c", "name": "C", "lat": -6.21, "lon": 106.80})
    doc["network"]["routes"].append({"id": "bus-2", "name": "B-C", "operator": "bus", "stops": ["b", "c"],
                                     "length": "5km", "speed_kmh": 20, "capacity": capacity_b,
                                     "headways": [{"start": "05:00", "end": "22:00", "every": "10min"}]})
    doc["demand"]["od"] = [{"origin": "a", "destination": "c", "trips": 400}]
    doc["fares"]["windows"] = [{**OK_OTRIP, "duration": "25min"}]
    return doc


def test_a_transfer_delayed_out_of_its_window_is_counted_with_what_it_cost(tmp_path):
    roomy = _run(tmp_path, _two_buses(1000), "roomy.yaml")
    crowded = _run(tmp_path, _two_buses(3), "crowded.yaml")
    assert roomy.summary()["missed_windows"] == {}  # nobody delayed: no window missed
    legs = crowded.legs
    missed = legs[legs["missed_window"].astype(str) == "okotrip"]
    assert len(missed) > 0 and set(missed["route"].astype(str)) == {"bus-2"}
    # each missed change paid its own fare in a new window instead of the Rp 1,500 remainder
    assert set(missed["fare"]) == {3500} and set(missed["missed_extra"]) == {2000}
    s = crowded.summary()["missed_windows"]
    assert s == {"okotrip": {"legs": len(missed), "extra_paid": 2000 * len(missed)}}
    assert crowded.by_hour["missed_windows"].sum() == len(missed)
    assert crowded.by_hour["missed_extra"].sum() == 2000 * len(missed)
