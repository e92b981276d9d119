"""Mode choice (docs/model.md, "Mode choice"): the composite cost of public transport, the nested
logit over it and the outside modes, pivot and absolute demand, and the runs' outputs."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

import otrip_sim
from otrip_sim.choice import composite_cost
from otrip_sim.errors import InputError
from otrip_sim.geo import great_circle_m
from otrip_sim.modes import nested_logit

VOT = 9320
FARE_S = 3500 * 3600 / VOT  # Rp 3,500 in seconds at Rp 9,320/h
ROAD_M = round(great_circle_m(-6.30, 106.80, -6.255, 106.80) * 1.3)  # a → b by road (detour 1.3)
MOTO = {"id": "motorcycle", "cost_per_km": 546, "speed_kmh": 26}
MOTO_COST = ROAD_M / 1000 / 26 * 3600 + round(546 * ROAD_M / 1000) * 3600 / VOT


def _corridor(trips: float = 3000, express: bool = False, tours: bool = False) -> dict[str, Any]:
    """A 5 km bus route a → b (20 km/h, every 10 minutes; with ``express`` also one at 30 km/h every
    20 minutes), ``trips`` journeys a day a → b between 08:00 and 08:30, every adult paying Rp 3,500
    a boarding, and one outside mode, the motorcycle, absolute demand, theta 1."""
    routes = [{"id": "bus-1", "operator": "bus", "stops": ["a", "b"], "length": "5km", "speed_kmh": 20,
               "capacity": 100_000, "headways": [{"start": "05:00", "end": "22:00", "every": "10min"}]}]
    if express:
        routes.append({"id": "bus-2", "operator": "express", "stops": ["a", "b"], "length": "5km",
                       "speed_kmh": 30, "capacity": 100_000,
                       "headways": [{"start": "05:00", "end": "22:00", "every": "20min"}]})
    doc: dict[str, Any] = {
        "schema_version": 1,
        "meta": {"name": "corridor", "seed": 3, "service_start": "05:00", "service_end": "23:00"},
        "operators": [{"id": "bus"}] + ([{"id": "express"}] if express else []),
        "network": {"stops": [{"id": "a", "lat": -6.30, "lon": 106.80},
                              {"id": "b", "lat": -6.255, "lon": 106.80}],
                    "routes": routes},
        "demand": {"od": [{"origin": "a", "destination": "b", "trips": trips}],
                   "profile": [{"start": "08:00", "end": "08:30", "weight": 1}],
                   "categories": [{"id": "adult", "share": 1.0, "value_of_time": VOT}]},
        "choice": {"spread": "5min"},
        "fares": {"name": "flat", "standalone": {"bus": {"kind": "flat", "amount": 3500}}},
        "modes": {"theta": 1.0, "outside": [dict(MOTO)]},
    }
    if express:
        doc["fares"]["standalone"]["express"] = {"kind": "flat", "amount": 3500}
    if tours:
        doc["demand"]["tours"] = {"purposes": [{"id": "work", "share": 1.0, "activity": {"mean": "8h"}}]}
    return doc


def _run(tmp_path: Path, doc: dict[str, Any], name: str = "s.yaml", **kw: Any) -> otrip_sim.RunResult:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return otrip_sim.run(path, **kw)


def _pivot(doc: dict[str, Any], tmp_path: Path,
           reference_fares: dict[str, Any] | None = None) -> dict[str, Any]:
    """``doc`` as a pivot scenario: base share 0.3 (0.1 up to 3 km), the reference a scenario with
    ``reference_fares`` (default: the same fares)."""
    ref = copy.deepcopy(doc)
    if reference_fares is not None:
        ref["fares"] = reference_fares
    (tmp_path / "reference.yaml").write_text(yaml.safe_dump(ref, sort_keys=False))
    out = copy.deepcopy(doc)
    out["meta"]["demand_basis"] = "pivot"
    out["modes"]["pt_share"] = [{"up_to": "3km", "share": 0.1}, {"share": 0.3}]
    out["demand"]["pivot_reference"] = "reference.yaml"
    return out


def _with_fare(doc: dict[str, Any], amount: int) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    for spec in out["fares"]["standalone"].values():
        spec["amount"] = amount
    return out


# ------------------------------------------------------------------------------ the two levels
def test_composite_cost_of_one_path_is_its_cost_and_of_several_the_logsum():
    assert composite_cost(np.array([[2701.9, np.inf]]), 300.0)[0] == pytest.approx(2701.9, abs=1e-9)
    two = composite_cost(np.array([[1000.0, 1300.0]]), 300.0)[0]
    assert two == pytest.approx(-300 * math.log(math.exp(-1000 / 300) + math.exp(-1300 / 300)), rel=1e-12)
    assert two < 1000  # a second path is worth something
    assert composite_cost(np.array([[1000.0, 1300.0]]), 0.0)[0] == 1000  # no spread: the least cost
    assert composite_cost(np.array([[np.inf, np.inf]]), 300.0)[0] == np.inf
    # from the least cost: no overflow for long journeys
    assert composite_cost(np.array([[1e6, 1e6]]), 1.0)[0] == pytest.approx(1e6 - math.log(2))


def test_nested_logit_by_hand():
    u = np.array([[-1.0, -2.0, -1.5]])
    p, ls = nested_logit(u, [], 1.0)  # no nest: a multinomial logit
    e = np.exp(u[0])
    assert p[0] == pytest.approx(e / e.sum()) and ls[0] == pytest.approx(math.log(e.sum()))
    p, ls = nested_logit(u, [1, 2], 0.5)  # alternatives 1 and 2 in a nest of scale 0.5
    inclusive = 0.5 * math.log(math.exp(-2 / 0.5) + math.exp(-1.5 / 0.5))
    top = math.exp(-1) + math.exp(inclusive)
    assert p[0, 0] == pytest.approx(math.exp(-1) / top)
    p_nest = math.exp(inclusive) / top
    cond = math.exp(-1.5 / 0.5) / (math.exp(-2 / 0.5) + math.exp(-1.5 / 0.5))
    assert p[0, 2] == pytest.approx(p_nest * cond) and p[0].sum() == pytest.approx(1)
    assert ls[0] == pytest.approx(math.log(top))
    p, ls = nested_logit(np.array([[-np.inf, -1.0, -np.inf]]), [1, 2], 0.5)  # unavailable: -inf
    assert p[0].tolist() == [0, 1, 0] and ls[0] == pytest.approx(-1)


def test_with_one_path_the_choice_is_a_binary_logit_on_that_paths_cost(tmp_path):
    res = _run(tmp_path, _corridor(200))
    path_cost = 300 * 1.5 + 900 + FARE_S  # wait half the 10-minute headway x 1.5, ride 15 minutes, fare
    expected = 1 / (1 + math.exp(-(MOTO_COST - path_cost) / 300))
    assert np.allclose(res.modes.p_pt, expected, rtol=1e-9)


def test_theta_1_without_a_nest_is_a_multinomial_logit_over_all_paths_and_modes(tmp_path):
    res = _run(tmp_path, _corridor(4000, express=True))
    c1 = 300 * 1.5 + 900 + FARE_S  # bus-1: 10-minute headway, 15 minutes
    c2 = 600 * 1.5 + 600 + FARE_S  # bus-2: 20-minute headway, 10 minutes
    e1, e2, em = (math.exp(-c / 300) for c in (c1, c2, MOTO_COST))
    assert np.allclose(res.modes.p_pt, (e1 + e2) / (e1 + e2 + em), rtol=1e-9)
    # the paths' shares among the journeys by public transport: e1 : e2, within Monte Carlo error
    legs = res.legs
    n = len(legs)
    share = (legs["route"] == "bus-1").mean()
    p = e1 / (e1 + e2)
    assert abs(share - p) < 4 * math.sqrt(p * (1 - p) / n)


def test_theta_scales_the_mode_level(tmp_path):
    doc = _corridor(200)
    doc["modes"]["theta"] = 0.25
    res = _run(tmp_path, doc)
    path_cost = 300 * 1.5 + 900 + FARE_S
    assert np.allclose(res.modes.p_pt, 1 / (1 + math.exp(-(MOTO_COST - path_cost) / 1200)), rtol=1e-9)


def test_simulated_share_equals_the_mean_probability_within_monte_carlo_error(tmp_path):
    doc = _corridor(6000, tours=True)
    doc["modes"]["outside"][0]["availability"] = 0.5
    doc["modes"]["outside"].append({"id": "ojek", "fixed_cost": 4000, "cost_per_km": 1500, "speed_kmh": 24})
    doc["modes"]["nest"] = {"modes": ["motorcycle", "ojek"], "mu": 0.5}
    doc["modes"]["theta"] = 0.3
    res = _run(tmp_path, doc)
    md = res.modes
    first = np.flatnonzero(np.r_[True, np.diff(res.travellers.person * 2 + res.travellers.tour) != 0])
    p, drawn = md.p_pt[first], md.tour_pt[first]
    assert 0.05 < p.mean() < 0.95 and len(first) > 2000
    assert abs(drawn.mean() - p.mean()) < 4 * math.sqrt((p * (1 - p)).sum()) / len(p)
    # tours keep their mode: both journeys of a tour go the same way
    assert (md.mode[first] == md.mode[first + 1]).all()
    s = res.summary()
    pt = s["modes"]["pt"]["trips"]
    assert pt == s["behaviour"]["pt_tour_journeys"] == s["totals"]["journeys_generated"]
    assert sum(m["trips"] for m in s["modes"].values()) == len(res.travellers)


# ------------------------------------------------------------------------------ responses to fares
@pytest.mark.parametrize("basis", ["absolute", "pivot"])
def test_lowering_every_fare_never_loses_a_rider(tmp_path, basis):
    doc = _corridor(3000, tours=True)
    doc["modes"]["theta"] = 0.3
    runs = {}
    for fare in (5000, 3500, 2000, 0):
        d = _with_fare(doc, fare)
        if basis == "pivot":
            d = _pivot(d, tmp_path, reference_fares=doc["fares"])
        runs[fare] = _run(tmp_path, d, f"{fare}.yaml")
    keys = {f: set(r.riders.person_key.tolist()) for f, r in runs.items()}
    assert keys[5000] <= keys[3500] <= keys[2000] <= keys[0]  # common random numbers: nobody leaves
    n = [len(runs[f].riders) for f in (5000, 3500, 2000, 0)]
    assert n[0] < n[1] < n[2] < n[3]


def test_with_fares_out_of_the_utility_ridership_is_the_same_under_every_policy(tmp_path):
    doc = _corridor(2000, tours=True)
    doc["demand"]["categories"][0]["value_of_time"] = 10**9  # money is worth no time
    doc["modes"]["outside"][0].update(cost_per_km=0, constant=1500)
    seen = [_run(tmp_path, _with_fare(doc, f), f"{f}.yaml").riders.person_key.tolist()
            for f in (0, 3500, 20000)]
    assert seen[0] == seen[1] == seen[2] and len(seen[0]) > 100


def test_a_path_made_free_gains_share(tmp_path):
    doc = _corridor(4000, express=True)
    free = copy.deepcopy(doc)
    free["fares"]["standalone"]["express"]["amount"] = 0
    before, after = _run(tmp_path, doc, "a.yaml"), _run(tmp_path, free, "b.yaml")
    share = [(r.legs["route"] == "bus-2").mean() for r in (before, after)]
    assert share[1] > share[0] + 0.1
    assert len(after.riders) > len(before.riders)  # and public transport gains riders


# ------------------------------------------------------------------------------ pivot demand
def test_pivot_base_run_reproduces_the_fixed_demand(tmp_path):
    doc = _corridor(1500, tours=True)
    fixed = copy.deepcopy(doc)
    fixed["choice"]["mode_choice"] = False
    base = _pivot(doc, tmp_path)  # the reference: the same fares
    a, b = _run(tmp_path, fixed, "fixed.yaml"), _run(tmp_path, base, "base.yaml")
    cols = ["origin", "destination", "trip", "depart_s", "fare", "status"]
    ja, jb = (r.journeys.assign(key=r.riders.person_key).sort_values(["key", "trip"])[cols]
              .reset_index(drop=True) for r in (a, b))
    assert ja.equals(jb) and len(ja) > 1000
    # the others travel by motorcycle: PT journeys / 0.3 in all
    s = b.summary()
    assert s["behaviour"]["journeys_gained"] == s["behaviour"]["journeys_lost"] == 0
    assert s["behaviour"]["user_benefit"] == 0
    total = sum(m["trips"] for m in s["modes"].values())
    assert abs(total * 0.3 - len(ja)) < 4 * math.sqrt(total)


def test_pivot_moves_riders_by_the_change_of_utility(tmp_path):
    doc = _corridor(1500, tours=True)
    doc["modes"]["theta"] = 0.2
    cheaper = _pivot(_with_fare(doc, 2500), tmp_path, reference_fares=doc["fares"])
    res = _run(tmp_path, cheaper)
    delta = 2 * 1000 * 3600 / VOT / 1500  # Rp 1,000 less on both journeys, scale 300 s / 0.2
    expected = 1 / (1 + math.exp(-(math.log(0.3 / 0.7) + delta)))
    assert np.allclose(res.modes.p_pt, expected, rtol=1e-9)
    s = res.summary()["behaviour"]
    assert s["journeys_lost"] == 0 and s["journeys_gained"] > 0
    # the user benefit: the logsum change, S ln(P0 e^delta + 1 - P0) per tour, at Rp 9,320/h
    tours = len(res.travellers) // 2
    per_tour = 1500 * math.log(0.3 * math.exp(delta) + 0.7) * VOT / 3600
    assert s["user_benefit"] == pytest.approx(tours * per_tour, rel=1e-6)
    # near the rule of a half: Rp 1,000 a journey on the riders before and after
    half = 1000 * (s["pt_tour_journeys"] + 0.3 * len(res.travellers)) / 2
    assert s["user_benefit"] == pytest.approx(half, rel=0.05)


def test_fallback_mode_takes_the_journeys_with_no_path(tmp_path):
    doc = _corridor(1500, tours=True)
    doc["network"]["routes"][0]["headways"] = [{"start": "05:00", "end": "12:00", "every": "10min"}]
    doc["modes"]["outside"].append({"id": "ojek", "fixed_cost": 4000, "cost_per_km": 1500, "speed_kmh": 24,
                                    "availability": 0})
    doc["modes"].update(fallback="ojek", theta=0.1)
    res = _run(tmp_path, doc)
    md = res.modes
    ojek = md.mode_ids.index("ojek")
    # no bus home after work: public-transport tours go home by ojek, hailed though nobody owns one
    back = res.travellers.trip == 1
    assert (md.mode[back & md.tour_pt] == ojek).all() and (md.tour_pt & back).sum() > 50
    assert (res.riders.trip == 0).all()
    assert res.summary()["behaviour"]["fallback_journeys"] == int((md.tour_pt & back).sum())


# ------------------------------------------------------------------------------ scenario errors
@pytest.mark.parametrize(("edit", "where", "what"), [
    (lambda d: d.pop("modes"), "", "needs a `modes` section"),
    (lambda d: d["modes"].update(nest={"modes": ["motorcycle", "bus"], "mu": 0.5}), "modes",
     "not an outside mode"),
    (lambda d: d["modes"].update(theta=0), "modes.theta", "greater than 0"),
    (lambda d: d["meta"].update(demand_basis="pivot"), "", "pt_share"),
    (lambda d: d["choice"].update(spread=0), "", "spread"),
])
def test_bad_mode_choice_is_a_located_error(tmp_path, edit, where, what):
    doc = _corridor(10)
    doc["choice"]["mode_choice"] = True
    edit(doc)
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    with pytest.raises(InputError) as err:
        otrip_sim.load_scenario(path)
    assert what in str(err.value) and where in str(err.value)


def test_a_reference_without_the_scenarios_operators_is_refused(tmp_path):
    doc = _corridor(10, express=True)
    ref = _corridor(10)
    (tmp_path / "r.yaml").write_text(yaml.safe_dump(ref))
    doc["meta"]["demand_basis"] = "pivot"
    doc["modes"]["pt_share"] = [{"share": 0.3}]
    doc["demand"]["pivot_reference"] = "r.yaml"
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(InputError, match="express"):
        otrip_sim.load_scenario(path)


# ------------------------------------------------------------------------------ crowding feedback
def _two_buses(trips: float, iterations: int = 0) -> dict[str, Any]:
    """a → b by a small, crowded bus (every 10 minutes, 30 places of which 10 seats, 15 minutes)
    or a big slow one (every 15 minutes, 400 seats, 20 minutes); ``trips`` journeys leaving
    08:00-08:30; no outside modes."""
    doc = _corridor(trips, express=True)
    doc.pop("modes")
    small, big = doc["network"]["routes"]
    small.update(capacity=30, seats=10)
    big.update(capacity=400, seats=400, speed_kmh=15,
               headways=[{"start": "05:00", "end": "22:00", "every": "15min"}])
    doc["choice"]["crowding"] = {"iterations": iterations, "gap": 0.001}
    return doc


def test_crowding_met_by_hand(tmp_path):
    from otrip_sim.choice import measure_crowding
    from otrip_sim.schema import Crowding

    doc = _two_buses(30, iterations=1)  # one route: the second pass rides as the first
    doc["network"]["routes"] = doc["network"]["routes"][:1]
    doc["operators"] = doc["operators"][:1]
    doc["fares"]["standalone"].pop("express")
    doc["network"]["routes"][0]["capacity"] = 40
    doc["demand"]["profile"] = [{"start": "08:00", "end": "08:01", "weight": 1}]
    doc["demand"]["od"][0]["trips"] = 30
    res = _run(tmp_path, doc)
    rec = res.records
    n = len(res.riders)
    assert 20 < n < 45 and (rec.board_s[rec.board_s >= 0] == 8 * 3600 + 600).all()  # the 08:10 bus
    crowd = measure_crowding(res.network, rec, Crowding(), 48)
    boarded = min(n, 40)
    seated, standing = min(boarded, 10), max(boarded - 10, 0)
    lf = boarded / 10  # above 1: a seated rider's multiplier is 1.5, a standing one's 2.35
    assert lf > 1
    assert crowd.multiplier[0, 16] == pytest.approx((seated * 1.5 + standing * 2.35) / boarded)
    waited = rec.board_s[rec.board_s >= 0] - rec.at_stop[rec.board_s >= 0]
    assert crowd.extra_wait[0, 16] == pytest.approx(waited.mean() - 300)  # beyond half the headway
    assert crowd.multiplier[0, 15] == 1 and crowd.extra_wait[0, 15] == 0  # nobody boarded then
    assert crowd.multiplier[1, 16] == 1  # the other direction: empty


def test_crowding_feedback_moves_riders_to_the_roomy_bus_and_converges(tmp_path):
    once = _run(tmp_path, _two_buses(1500), "once.yaml")
    fed = _run(tmp_path, _two_buses(1500, iterations=8), "fed.yaml")
    share = [(r.legs["route"] == "bus-1").mean() for r in (once, fed)]
    assert share[1] < share[0] - 0.1  # the crowded bus loses riders once they feel its crowding
    its = fed.iterations
    assert 1 <= len(its) <= 8 and [it["iteration"] for it in its] == list(range(1, len(its) + 1))
    assert its[-1]["relative_gap"] < its[0]["relative_gap"]
    block = fed.summary()["crowding"]
    assert block["iterations"] == its and block["converged"] == (its[-1]["relative_gap"] < 0.001)
    again = _run(tmp_path, _two_buses(1500, iterations=8), "again.yaml")
    assert again.iterations == its and again.journeys.equals(fed.journeys)  # same seed, same day


def test_a_warm_start_begins_where_another_run_ended(tmp_path):
    from otrip_sim.output import read_crowding, write_results

    fed = _run(tmp_path, _two_buses(1500, iterations=8), "fed.yaml")
    out = write_results(fed, tmp_path / "fed")
    warm = read_crowding(out, fed.network, fed.crowd.multiplier.shape[1])
    assert np.allclose(warm.multiplier, fed.crowd.multiplier, atol=1e-6)
    assert np.allclose(warm.extra_wait, fed.crowd.extra_wait, atol=1e-3)
    cold = _run(tmp_path, _two_buses(1500), "cold.yaml")
    started = otrip_sim.run(tmp_path / "cold.yaml", warm_start=warm)
    shares = [(r.legs["route"] == "bus-1").mean() for r in (cold, started, fed)]
    assert abs(shares[1] - shares[2]) < abs(shares[0] - shares[2]) / 2


def test_seats_above_capacity_is_an_error(tmp_path):
    doc = _two_buses(10)
    doc["network"]["routes"][0]["seats"] = 31
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(InputError, match="seats"):
        otrip_sim.load_scenario(path)


# ------------------------------------------------------------------------------ product choice
def _two_media(friction_qr: int) -> dict[str, Any]:
    """The corridor (tours) where an app's QR code pays Rp 2,000 instead of Rp 3,500, and
    persons choose card or QR on their week's logsum against the QR's friction."""
    doc = _corridor(3000, tours=True)
    doc["modes"]["theta"] = 0.3
    doc["fares"]["media"] = [{"id": "card", "share": 0.5},
                             {"id": "qr", "share": 0.5, "tides_media": "Optical scan"}]
    doc["fares"]["media_fares"] = [{"media": ["qr"], "operators": ["bus"],
                                    "fare": {"kind": "flat", "amount": 2000}}]
    doc["modes"]["products"] = {"days": 5, "scale": "10min", "friction": {"qr": friction_qr}}
    return doc


def test_persons_choose_their_fare_medium_on_their_weeks_logsum(tmp_path):
    runs = {f: _run(tmp_path, _two_media(f), f"{f}.yaml") for f in (0, 3600, 36_000)}
    up = {f: r.summary()["behaviour"]["uptake"] for f, r in runs.items()}
    qr = {f: u["qr"]["share"] for f, u in up.items()}
    assert qr[0] > qr[3600] > qr[36_000]  # the more bother, the fewer holders
    assert qr[0] > 0.5 and qr[36_000] < 0.1  # free and cheaper: more than half; an hour a day: few
    # riders hold the QR more than those who never ride (for them it only costs its friction)
    ride_share = {m: u["riders"] / max(u["persons"], 1) for m, u in up[3600].items()}
    assert ride_share["qr"] > ride_share["card"]
    # and the fares charged follow the medium held
    res = runs[3600]
    j = res.journeys[res.journeys["served"]]
    assert set(j.loc[j["media"] == "qr", "fare"]) == {2000}
    assert set(j.loc[j["media"] == "card", "fare"]) == {3500}


def test_compare_reports_the_user_benefit_between_policies(tmp_path):
    from otrip_sim.compare import compare

    doc = _corridor(800, tours=True)
    doc["modes"]["theta"] = 0.2
    doc["modes"]["segments"] = [{"id": "lower", "share": 0.5, "value_of_time": 6000},
                                {"id": "upper", "share": 0.5, "value_of_time": 20000}]
    paths = []
    for fare in (3500, 2500):
        d = _pivot(_with_fare(doc, fare), tmp_path, reference_fares=doc["fares"])
        d["meta"]["name"] = f"fare-{fare}"
        paths.append(tmp_path / f"{fare}.yaml")
        paths[-1].write_text(yaml.safe_dump(d, sort_keys=False))
    c = compare(paths, replications=2)
    singles = [[otrip_sim.run(p, seed=c.seed, replication=k).summary()["behaviour"]["user_benefit"]
                for k in range(2)] for p in paths]
    assert singles[0] == [0, 0]  # the reference fares against themselves
    el = c.elasticity().set_index("scenario")
    assert el.loc["fare-2500", "user_benefit_change"] == pytest.approx(np.mean(singles[1]), rel=1e-6)
    assert "user_benefit" in set(c.headline()["metric"])
    # the fare paid by income group: each segment pays Rp 3,500 a journey, then Rp 2,500
    from otrip_sim.compare_plots import income_groups_figure

    for k, fare in enumerate((3500, 2500)):
        for seg in ("lower", "upper"):
            assert c.interval(k, f"segment.{seg}.fare_per_journey").mean == pytest.approx(fare)
    bars = [p for p in income_groups_figure(c).axes[0].patches]
    assert sorted(round(b.get_height()) for b in bars) == [2500, 2500, 3500, 3500]


def test_income_segments_by_home_zone(tmp_path):
    doc = _corridor(3000, tours=True)
    doc["modes"]["segments"] = [{"id": "lower", "share": 0.5, "value_of_time": 6000},
                                {"id": "upper", "share": 0.5, "value_of_time": 20000}]
    (tmp_path / "income.csv").write_text("zone_id,segment,share\na,lower,0.9\na,upper,0.1\n")
    doc["modes"]["segment_shares"] = "income.csv"
    res = _run(tmp_path, doc)
    people = res.travellers
    first = np.r_[True, people.person[1:] != people.person[:-1]]
    lower = (people.segment[first] == 0).mean()  # everyone lives in zone a
    n = int(first.sum())
    assert abs(lower - 0.9) < 4 * math.sqrt(0.09 / n) and n > 1000
    # each segment's value of time converts the money of both alternatives (a 2-journey tour,
    # absolute demand, theta 1): the motorcycle is faster, so the upper segment rides it more
    for k, vot in enumerate((6000, 20000)):
        bus = 300 * 1.5 + 900 + 3500 * 3600 / vot
        moto = ROAD_M / 1000 / 26 * 3600 + round(546 * ROAD_M / 1000) * 3600 / vot
        assert np.allclose(res.modes.p_pt[people.segment == k], 1 / (1 + math.exp(-2 * (moto - bus) / 300)))


@pytest.mark.parametrize(("csv", "message"), [
    ("zone_id,segment,share\nz9,lower,1\n", "line 2, column zone_id: unknown zone (got 'z9')"),
    ("zone_id,segment,share\na,lower,0.7\na,upper,0.2\n", "zone 'a''s shares add up to 0.9, not 1"),
    ("zone_id,segment,share\na,middle,1\n", "'middle' is not in segments"),
])
def test_bad_income_shares_are_located(tmp_path, csv, message):
    doc = _corridor(10)
    doc["modes"]["segments"] = [{"id": "lower", "share": 0.5, "value_of_time": 6000},
                                {"id": "upper", "share": 0.5, "value_of_time": 20000}]
    (tmp_path / "income.csv").write_text(csv)
    doc["modes"]["segment_shares"] = "income.csv"
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(InputError) as err:
        otrip_sim.load_scenario(path)
    assert message in str(err.value)


# ------------------------------------------------------------------------------ trip frequency
def _frequency(doc: dict[str, Any], **f: Any) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    out["modes"]["frequency"] = {"theta": 0.5, **f}
    return out


def test_trip_frequency_in_a_pivot(tmp_path):
    doc = _corridor(1500, tours=True)
    doc["modes"]["theta"] = 0.2
    base = _pivot(_frequency(doc, base_share=0.8), tmp_path)
    fixed = copy.deepcopy(doc)
    fixed["choice"]["mode_choice"] = False
    a, b = _run(tmp_path, fixed, "fixed.yaml"), _run(tmp_path, base, "base.yaml")
    # under the reference fares nobody starts or stops travelling: the fixed demand again
    assert sorted(a.riders.person_key.tolist()) == sorted(b.riders.person_key.tolist())
    s = b.summary()["behaviour"]
    assert s["journeys_induced"] == s["journeys_suppressed"] == 0 and s["user_benefit"] == 0
    assert s["journeys_not_made"] > 0.15 * len(b.travellers)  # 20% stay home
    # cheaper fares: some who stayed home travel now, by the change of their day's logsum
    cheap = _run(tmp_path, _pivot(_frequency(_with_fare(doc, 1000), base_share=0.8), tmp_path,
                                  reference_fares=doc["fares"]), "cheap.yaml")
    c = cheap.summary()["behaviour"]
    assert c["journeys_induced"] > 0 and c["journeys_suppressed"] == 0
    md = cheap.modes
    # one tour a day (2 journeys): the day's logsum change is the tour's, S ln(P0 e^d + 1 - P0)
    delta = 2 * 2500 * 3600 / VOT / 1500
    tour = 1500 * math.log(0.3 * math.exp(delta) + 0.7)
    p_f = 1 / (1 + math.exp(-(math.log(0.8 / 0.2) + tour / 3000)))
    assert np.allclose(md.p_travel, p_f, rtol=1e-9)
    made = md.made.reshape(-1, 2)[:, 0]
    base_of = cheap.travellers.base.reshape(-1, 2)[:, 0]
    n = len(made)
    assert abs(made.mean() - p_f) < 4 * math.sqrt(p_f * (1 - p_f) / n) and (made[base_of != 2]).all()
    # and the more travel, the more public transport: never fewer riders than without frequency
    without = _run(tmp_path, _pivot(_with_fare(doc, 1000), tmp_path, reference_fares=doc["fares"]),
                   "nof.yaml")
    assert len(cheap.riders) > len(without.riders)


def test_trip_frequency_absolute_by_hand(tmp_path):
    doc = _frequency(_corridor(2000, tours=True), constant=3600)
    res = _run(tmp_path, doc)
    path_cost = 300 * 1.5 + 900 + FARE_S
    e_pt, e_m = math.exp(-2 * path_cost / 300), math.exp(-2 * MOTO_COST / 300)
    logsum = 300 * math.log(e_pt + e_m)
    p_f = 1 / (1 + math.exp(-(3600 + logsum) / 600))
    assert np.allclose(res.modes.p_travel, p_f, rtol=1e-9)
    s = res.summary()
    made = sum(m["trips"] for m in s["modes"].values())
    assert made + s["behaviour"]["journeys_not_made"] == len(res.travellers)
    persons = len(res.travellers) / 2
    assert abs(made / len(res.travellers) - p_f) < 4 * math.sqrt(p_f * (1 - p_f) / persons)


# ------------------------------------------------------------------------------ access by ojek
def test_an_ojek_reaches_a_station_beyond_walking(tmp_path):
    doc = _corridor(2000, tours=True)
    # home is at stop z, 2 km from the bus at a, which nobody walks to; work is at b
    doc["network"]["stops"].append({"id": "z", "lat": -6.318, "lon": 106.80})
    doc["network"]["walk_radius"] = 0
    doc["demand"]["zones"] = [{"zone_id": "home", "stop_id": "z", "access_m": 0},
                              {"zone_id": "work", "stop_id": "b", "access_m": 0}]
    doc["demand"]["od"] = [{"origin": "home", "destination": "work", "trips": 2000}]
    ojek = {"id": "ojek", "fixed_cost": 4000, "cost_per_km": 2000, "speed_kmh": 24}
    doc["modes"].update(theta=0.3, outside=[dict(MOTO, constant=3000), ojek])
    walk_only = _run(tmp_path, doc, "walk.yaml")
    assert len(walk_only.riders) == 0  # z has no bus: nobody can ride
    doc["modes"]["access"] = {"mode": "ojek", "max_distance": "3km", "stops": 2}
    res = _run(tmp_path, doc, "ojek.yaml")

    def road_km(lat: float) -> float:
        return round(great_circle_m(-6.318, 106.80, lat, 106.80) * 1.3) / 1000

    ride_s, money = round(road_km(-6.30) / 24 * 3600), 4000 + round(2000 * road_km(-6.30))
    # a journey by bus: the ojek's time as riding, its money as a fare, at both ends of the tour
    bus = ride_s + 300 * 1.5 + 900 + (3500 + money) * 3600 / VOT
    moto = road_km(-6.255) / 26 * 3600 + round(546 * road_km(-6.255)) * 3600 / VOT + 3000
    by_ojek = road_km(-6.255) / 24 * 3600 + (4000 + round(2000 * road_km(-6.255))) * 3600 / VOT
    scale = 300 / 0.3
    e = [math.exp(-2 * c / scale) for c in (bus, moto, by_ojek)]
    assert np.allclose(res.modes.p_pt, e[0] / sum(e), rtol=1e-9)
    assert len(res.riders) > 200
    # the simulation times the ride: out, boarding at a no earlier than the ride after leaving
    # home; back, home the ride after alighting at a
    j = res.journeys.set_index("journey")
    legs = res.legs.join(j[["trip", "depart_s", "arrive_s"]], on="journey")
    out, back = legs[legs["trip"] == 0], legs[(legs["trip"] == 1) & (legs["arrive_s"] >= 0)]
    assert (out["board_s"] >= out["depart_s"] + ride_s).all() and len(out) > 100
    assert (back["arrive_s"] == back["alight_s"] + ride_s).all() and len(back) > 100
    s = res.summary()["behaviour"]["access_rides"]
    pt = int(res.modes.by_pt.sum())
    assert s["journeys"] == pt and s["money"] == money * pt
    # the planner's cost of a journey by public transport: its fare and its ojek
    assert res.summary()["modes"]["pt"]["average_cost"] == 3500 + money


def test_run_reference_gives_the_user_benefit_against_another_run(tmp_path):
    from click.testing import CliRunner

    from otrip_sim.cli import main

    doc = _corridor(800, tours=True)
    doc["modes"]["theta"] = 0.2
    for fare in (3500, 2500):
        d = _pivot(_with_fare(doc, fare), tmp_path, reference_fares=doc["fares"])
        (tmp_path / f"{fare}.yaml").write_text(yaml.safe_dump(d, sort_keys=False))
    runner = CliRunner()
    first = runner.invoke(main, ["run", str(tmp_path / "3500.yaml"), "--out", str(tmp_path / "a"), "--quiet"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(main, ["run", str(tmp_path / "2500.yaml"), "--out", str(tmp_path / "b"), "--quiet",
                                  "--reference", str(tmp_path / "a")])
    assert second.exit_code == 0, second.output
    a, b = (json.loads((tmp_path / x / "summary.json").read_text()) for x in "ab")
    against = b["benefit_against"]
    assert against["user_benefit"] == b["behaviour"]["user_benefit"] - a["behaviour"]["user_benefit"] > 0
    assert against["pt_journeys_change"] > 0 and "user benefit against" in second.output
    # other persons (another seed): refused, located, nothing written
    bad = runner.invoke(main, ["run", str(tmp_path / "2500.yaml"), "--out", str(tmp_path / "c"), "--quiet",
                               "--seed", "99", "--reference", str(tmp_path / "a")])
    assert bad.exit_code == 2 and "summary.json: seed: differs from this run's (99)" in bad.output
    assert not (tmp_path / "c").exists()


def test_a_journey_after_midnight_pays_the_fare_of_its_clock_time_in_path_choice(tmp_path):
    """Time bands are clock times: a 29:45 departure (05:45 the next morning) is in the early band
    in path choice as the engine prices it, even when a 14:15 departure shares its path."""
    doc = _corridor(2000)
    doc["meta"]["service_start"], doc["meta"]["service_end"] = "00:00", "32:00"
    doc["network"]["routes"][0]["headways"] = [{"start": "00:00", "end": "31:00", "every": "10min"}]
    doc["fares"]["standalone"]["bus"] = {"kind": "time_band", "default": 3500,
                                         "bands": [{"name": "early", "start": "05:00", "end": "07:00",
                                                    "amount": 2000}]}
    doc["demand"]["profile"] = [{"start": "14:00", "end": "14:30", "weight": 1},
                                {"start": "29:30", "end": "30:00", "weight": 1}]
    res = _run(tmp_path, doc)
    assert res.modes is not None
    late = res.travellers.depart >= 29 * 3600  # type: ignore[union-attr]
    assert late.any() and (~late).any()
    path_time = 300 * 1.5 + 900
    for fare, rows in ((3500, ~late), (2000, late)):
        cost = path_time + fare * 3600 / VOT
        assert np.allclose(res.modes.p_pt[rows], 1 / (1 + math.exp(-(MOTO_COST - cost) / 300)), rtol=1e-9)
    assert set(res.legs.loc[res.legs["board_s"] >= 29 * 3600, "fare"]) == {2000}  # as the engine settles it
