"""Background load (``routes[].background``): riders the model does not carry take room and seats
on the vehicles and count in load factors, never in journeys, boardings or fares.

Hand-computed on a one-segment corridor a → b: capacity 100, departures at 08:00 and 09:00 (run
15 minutes), a background band 07:30-08:30 (so only the 08:00 trip carries it)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

import otrip_sim
from otrip_sim.errors import InputError
from otrip_sim.network import Network, build_network
from otrip_sim.simulation import PlannedLegs, SimRecords, Simulation, sample_places

EIGHT, NINE = 8 * 3600, 9 * 3600
FARE = 3500


def _doc(share: float | None = 0.6, capacity: int = 100, seats: int | None = None,
         trips: float = 300) -> dict[str, Any]:
    """The corridor a → b (5 km at 20 km/h: 15 minutes), forward only, departures 08:00 and 09:00,
    a background band 07:30-08:30 of ``share`` (``None``: no background), ``trips`` journeys
    leaving 07:00-07:30 who wait up to 3 hours, Rp 3,500 a boarding."""
    route: dict[str, Any] = {
        "id": "bus-1", "operator": "bus", "stops": ["a", "b"], "length": "5km", "speed_kmh": 20,
        "capacity": capacity, "directions": "forward",
        "headways": [{"start": "08:00", "end": "09:10", "every": "60min"}]}
    if seats is not None:
        route["seats"] = seats
    if share is not None:
        route["background"] = [{"start": "07:30", "end": "08:30", "share": share}]
    return {
        "schema_version": 1,
        "meta": {"name": "background", "seed": 3, "service_start": "05:00", "service_end": "23:00"},
        "operators": [{"id": "bus"}],
        "network": {"stops": [{"id": "a", "lat": -6.30, "lon": 106.80},
                              {"id": "b", "lat": -6.255, "lon": 106.80}],
                    "routes": [route]},
        "demand": {"od": [{"origin": "a", "destination": "b", "trips": trips}],
                   "profile": [{"start": "07:00", "end": "07:30", "weight": 1}],
                   "categories": [{"id": "adult", "share": 1.0, "value_of_time": 9320}],
                   "max_wait": "3h"},
        "choice": {"spread": 0},
        "fares": {"name": "flat", "standalone": {"bus": {"kind": "flat", "amount": FARE}}},
    }


def _write(tmp_path: Path, doc: dict[str, Any], name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def _network(tmp_path: Path, doc: dict[str, Any]) -> Network:
    return build_network(otrip_sim.load_scenario(_write(tmp_path, doc, "net.yaml")))


def _simulate(net: Network, riders: int, at: int = 7 * 3600 + 50 * 60, sample: float = 1.0,
              crowding: bool = False) -> SimRecords:
    """``riders`` one-leg riders a → b reaching stop a at ``at`` (integer seconds), waiting up to
    3 hours, on vehicles of ``sample`` × capacity."""
    n = riders
    ones, zeros = np.ones(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    planned = PlannedLegs(rider=np.arange(n), leg_no=zeros, line=zeros, board=zeros, alight=ones,
                          walk_s=zeros, tapped=np.ones(n, dtype=bool), first_row=np.arange(n),
                          n_legs=ones, egress_s=zeros)
    sim = Simulation(net, planned, np.full(n, at, dtype=np.int64), 3 * 3600, capacity_scale=sample,
                     crowding=crowding)
    return sim.run()


def _boarded_at(rec: SimRecords) -> dict[int, int]:
    times, counts = np.unique(rec.board_s[rec.board_s >= 0], return_counts=True)
    return dict(zip(times.tolist(), counts.tolist()))


# ------------------------------------------------------------------------------ room and load factors
def test_a_trip_in_the_band_takes_what_the_background_leaves(tmp_path):
    net = _network(tmp_path, _doc(0.6))
    assert net.lines[0].background_riders().tolist() == [60, 0]  # 08:00 in the band, 09:00 not
    rec = _simulate(net, 150)
    assert _boarded_at(rec) == {EIGHT: 40, NINE: 100}  # 100 - 60 background, then a whole bus
    # boardings, riders left behind (110 by the first bus, 10 by the second), load ÷ capacity
    assert rec.route_hour == {(0, 8): [40, 110, 1.0], (0, 9): [100, 10, 1.0]}
    assert rec.route_hour_background == {(0, 8): 0.6}
    assert rec.denied_boardings == 120


def test_load_factors_count_the_background(tmp_path):
    rec = _simulate(_network(tmp_path, _doc(0.6)), 10)
    assert _boarded_at(rec) == {EIGHT: 10}
    assert rec.route_hour == {(0, 8): [10, 0, pytest.approx(0.7)]}  # (60 + 10) / 100


def test_a_trip_nobody_rides_still_carries_its_background(tmp_path):
    rec = _simulate(_network(tmp_path, _doc(0.6)), 0)
    assert rec.route_hour == {(0, 8): [0, 0, 0.6]}
    assert rec.route_hour_background == {(0, 8): 0.6}


def test_a_full_background_leaves_no_room(tmp_path):
    rec = _simulate(_network(tmp_path, _doc(1.0)), 150)
    assert _boarded_at(rec) == {NINE: 100}
    assert rec.route_hour[(0, 8)] == [0, 150, 1.0]


def test_background_riders_are_whole_riders(tmp_path):
    doc = _doc(0.333, capacity=90)  # 29.97 riders
    assert _network(tmp_path, doc).lines[0].background_riders().tolist() == [30, 0]


def test_a_sample_scales_the_background_with_the_capacity(tmp_path):
    net = _network(tmp_path, _doc(0.6))
    full, half = _simulate(net, 150), _simulate(net, 150, sample=0.5)
    assert _boarded_at(half) == {EIGHT: 20, NINE: 50}  # 50 places: 30 background, 20 left
    assert half.route_hour == {(0, 8): [20, 130, 1.0], (0, 9): [50, 80, 1.0]}
    assert half.route_hour_background == full.route_hour_background == {(0, 8): 0.6}
    assert _simulate(net, 5, sample=0.5).route_hour == {(0, 8): [5, 0, pytest.approx(0.7)]}  # (30 + 5) / 50


def test_a_sample_gives_a_small_vehicle_its_share_of_places_not_a_rider_more_each_trip(tmp_path):
    """An 11-place microbus every 10 minutes (10 trips) at F = 0.1: 1.1 places a trip, rounded
    systematically (1, 1, 1, 1, 2, ...), so the sample carries 11 riders, a tenth of the full
    day's 110.  Rounding each trip up took 2 a trip: 20, i.e. 200 at full scale."""
    doc = _doc(None, capacity=11)
    doc["network"]["routes"][0]["headways"] = [{"start": "08:00", "end": "09:31", "every": "10min"}]
    net = _network(tmp_path, doc)
    assert len(net.lines[0].departures) == 10
    full, tenth = _simulate(net, 500), _simulate(net, 50, sample=0.1)
    assert sum(_boarded_at(full).values()) == 110
    assert sum(_boarded_at(tenth).values()) == 11
    assert sample_places(11, [0.0] * 10, 0.1) == [1, 1, 1, 1, 2, 1, 1, 1, 1, 1]
    assert sample_places(100, [60.0, 0.0], 0.5) == [20, 50]  # a trip's background takes its places


def test_a_rider_reaching_the_stop_after_the_last_departure_has_no_path_and_is_not_stranded(tmp_path):
    """A band 08:00-09:50 every 60 minutes: departures 08:00 and 09:00 only.  Riders leaving
    09:02-09:08 (timed, as choice times a half-hour slot, at 09:15) still see the band in force,
    but no vehicle is left: they are told at choice time (no_path), not left waiting at the stop
    for a bus that never comes."""
    doc = _doc(None)
    doc["network"]["routes"][0]["headways"] = [{"start": "08:00", "end": "09:50", "every": "60min"}]
    doc["demand"]["profile"] = [{"start": "09:02", "end": "09:08", "weight": 1}]
    status = otrip_sim.run(_write(tmp_path, doc)).journeys["status"]
    assert len(status) > 200
    assert set(status) == {"no_path"}
    doc["demand"]["profile"] = [{"start": "08:40", "end": "08:50", "weight": 1}]  # the 09:00 bus is left
    doc["demand"]["od"][0]["trips"] = 80  # all fit on it
    assert set(otrip_sim.run(_write(tmp_path, doc)).journeys["status"]) == {"served"}


def test_a_path_with_no_departure_left_gives_way_to_the_next_best_one(tmp_path):
    """Two lines a → b: ``fast`` (15 minutes) hourly from 08:47 in a band to 09:50 (so 08:47 and
    09:47 only), and ``slow`` (30 minutes) every 10 minutes.  Riders leaving 09:48-09:55 are
    costed at their half-hour slot's middle, 09:45, where ``fast`` leaves in 2 minutes (2 + 15
    against 5 + 30): they choose it, find no departure left at their own time, and take ``slow``
    instead, timed again alone; everyone is served on ``slow`` and expected its wait of half a
    headway (a dead path's own times would say "at once")."""
    doc = _doc(None)
    fast = doc["network"]["routes"][0]
    fast.update(id="fast", headways=[{"start": "08:47", "end": "09:50", "every": "60min"}])
    slow = dict(fast, id="slow", speed_kmh=10,
                headways=[{"start": "08:00", "end": "12:00", "every": "10min"}])
    doc["network"]["routes"].append(slow)
    doc["demand"]["profile"] = [{"start": "09:48", "end": "09:55", "weight": 1}]
    doc["demand"]["od"][0]["trips"] = 50
    res = otrip_sim.run(_write(tmp_path, doc))
    assert set(res.journeys["status"]) == {"served"}
    assert set(res.legs["route"]) == {"slow"}
    assert set(res.legs["board_s"]) <= {(9 * 60 + 50) * 60, 10 * 3600}  # its 09:50 and 10:00 departures
    # the boarding each rider expected, as settlement compares it: half of slow's headway later
    planned = res.records.planned
    assert planned.expected_board is not None and (planned.n_legs == 1).all()
    assert (planned.expected_board - res.journeys["depart_s"].to_numpy() == 300).all()
    doc["demand"]["profile"] = [{"start": "09:30", "end": "09:40", "weight": 1}]  # fast's 09:47 is left
    assert set(otrip_sim.run(_write(tmp_path, doc)).legs["route"]) == {"fast"}


# ------------------------------------------------------------------------------ seats and crowding
def test_background_sits_first(tmp_path):
    rec = _simulate(_network(tmp_path, _doc(0.3, seats=50)), 150, crowding=True)
    assert _boarded_at(rec) == {EIGHT: 70, NINE: 80}
    first = rec.board_s == EIGHT
    # 30 background riders in 50 seats: the first 20 modelled riders sit, the next 50 stand
    assert rec.standing[first].tolist() == [False] * 20 + [True] * 50
    assert rec.leg_load[first] == pytest.approx(100 / 50)
    assert rec.standing[rec.board_s == NINE].tolist() == [False] * 50 + [True] * 30  # no background
    assert rec.leg_load[rec.board_s == NINE] == pytest.approx(80 / 50)


def test_a_background_filling_the_seats_makes_every_modelled_rider_stand(tmp_path):
    for seats in (60, 50):
        rec = _simulate(_network(tmp_path, _doc(0.6, seats=seats)), 30, crowding=True)
        assert _boarded_at(rec) == {EIGHT: 30}
        assert rec.standing.all()
        assert rec.leg_load == pytest.approx(90 / seats)
    sampled = _simulate(_network(tmp_path, _doc(0.6, seats=60)), 10, sample=0.5, crowding=True)
    assert sampled.standing.all() and sampled.leg_load == pytest.approx(40 / 30)  # 30 + 10 on 30 seats


def test_crowding_feedback_sees_the_background(tmp_path):
    def doc(share: float | None) -> dict[str, Any]:
        out = _doc(share, seats=50, trips=30)
        out["network"]["routes"][0]["background"] = ([{"start": "05:00", "end": "23:00", "share": share}]
                                                     if share is not None else [])
        out["choice"]["crowding"] = {"iterations": 1}
        return out

    plain = otrip_sim.run(_write(tmp_path, doc(None), "plain.yaml"))
    crowded = otrip_sim.run(_write(tmp_path, doc(0.6), "crowded.yaml"))
    for res in (plain, crowded):
        assert 0 < len(res.legs) < 40  # every rider fits on the first bus
    assert not plain.records.standing[plain.records.board_s >= 0].any()
    rode = crowded.records.board_s >= 0
    assert crowded.records.standing[rode].all()  # 60 background riders on 50 seats
    assert (crowded.records.leg_load[rode] > 60 / 50).all()


# ------------------------------------------------------------------------------ outputs
def test_background_riders_are_no_journeys_boardings_or_fares(tmp_path):
    res = otrip_sim.run(_write(tmp_path, _doc(0.6)))
    s = res.summary()["totals"]
    assert s["journeys_generated"] > 140  # more riders than the two buses take
    assert s["boardings"] == s["journeys"] == len(res.legs) == 140  # 40 + 100: no background boarding
    assert s["fare_revenue"] == 140 * FARE
    assert s["passenger_km"] == pytest.approx(140 * 5.0)
    br = res.by_route.set_index("hour")
    assert br["boardings"].to_dict() == {8: 40, 9: 100}
    assert br["max_load_factor"].to_dict() == {8: 1.0, 9: 1.0}
    assert br["background_share"].to_dict() == {8: 0.6, 9: 0.0}


def test_a_sampled_run_keeps_the_load_factors(tmp_path):
    path = _write(tmp_path, _doc(0.6))
    full, half = otrip_sim.run(path), otrip_sim.run(path, sample=0.5)
    assert (half.records.board_s == EIGHT).sum() == 20 and (half.records.board_s == NINE).sum() == 50
    cols = ["hour", "max_load_factor", "background_share"]
    pd.testing.assert_frame_equal(half.by_route[cols], full.by_route[cols])


def test_no_background_changes_nothing(tmp_path):
    none = otrip_sim.run(_write(tmp_path, _doc(None), "none.yaml"))
    zero = otrip_sim.run(_write(tmp_path, _doc(0.0), "zero.yaml"))
    assert "background_share" not in none.by_route.columns
    assert (zero.by_route["background_share"] == 0).all()
    pd.testing.assert_frame_equal(zero.by_route.drop(columns="background_share"), none.by_route)
    for table in ("journeys", "legs", "taps", "by_operator", "by_hour"):
        pd.testing.assert_frame_equal(getattr(zero, table), getattr(none, table))
    assert zero.summary()["totals"] == none.summary()["totals"]


# ------------------------------------------------------------------------------ directions
def test_a_band_may_name_one_direction(tmp_path):
    doc = _doc(None)
    route = doc["network"]["routes"][0]
    route["directions"] = "both"
    route["background"] = [{"start": "07:30", "end": "08:30", "share": 0.8, "direction": "forward"},
                           {"start": "07:30", "end": "08:30", "share": 0.2, "direction": "reverse"},
                           {"start": "08:30", "end": "09:30", "share": 0.5}]
    forward, reverse = _network(tmp_path, doc).lines
    assert (forward.direction, reverse.direction) == (0, 1)
    assert forward.background_riders().tolist() == [80, 50]
    assert reverse.background_riders().tolist() == [20, 50]


# ------------------------------------------------------------------------------ bad values
def _error(tmp_path: Path, background: list[dict[str, Any]], directions: str = "both") -> str:
    doc = copy.deepcopy(_doc(None))
    doc["network"]["routes"][0].update(background=background, directions=directions)
    with pytest.raises(InputError) as info:
        otrip_sim.load_scenario(_write(tmp_path, doc))
    return str(info.value)


def test_bad_background_bands_are_located_errors(tmp_path):
    both = {"start": "07:00", "end": "09:00", "share": 0.5}
    later = {"start": "08:00", "end": "10:00", "share": 0.5}
    assert "network.routes[0]: background bands overlap at 28800 s" in _error(tmp_path, [both, later])
    one_way = [both | {"direction": "forward"}, later | {"direction": "reverse"}]
    assert _error(tmp_path, [*one_way, later], "both").endswith(
        "background bands of the forward direction overlap at 28800 s")
    above = _error(tmp_path, [both | {"share": 1.5}])
    assert "background[0].share: Input should be less than or equal to 1 (got 1.5)" in above
    assert "share: Input should be greater than or equal to 0" in _error(tmp_path, [both | {"share": -0.1}])
    assert "end must be after start" in _error(tmp_path, [both | {"end": "07:00"}])
    assert "runs forward only" in _error(tmp_path, [both | {"direction": "reverse"}], "forward")
    assert "direction" in _error(tmp_path, [both | {"direction": "inbound"}])
