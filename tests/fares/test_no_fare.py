"""Legs with no fare product (``kind: none``): a free shuttle, a network of a feed without a leg
rule — reported as such (0, rule ``<id>:no_fare``, outside every window), not an error."""

from __future__ import annotations

import pandas as pd
import pytest
from builders import tap_all
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import otrip_sim
from otrip_sim import load_scenario
from otrip_sim.cli import main
from otrip_sim.fares import (
    CapWindow,
    CategoryDiscount,
    CategoryFixed,
    CategoryFree,
    FarePass,
    FarePolicy,
    FirstFareWindow,
    FlatFare,
    IntegratedWindow,
    Leg,
    NoFare,
    Outcome,
    backend_for,
    price,
    price_card,
)
from otrip_sim.fares.vector import as_arrays
from otrip_sim.gtfs import export_fares, import_fares
from otrip_sim.replay import explain, replay

FARES = {"bus": FlatFare("bus", 3500), "shuttle": NoFare("shuttle"), "metro": FlatFare("metro", 4000)}


def charges(policy, legs):
    return [(c.amount, c.rule) for c in price_card(policy, legs)]


def test_a_free_shuttle_is_reported_and_invisible_to_windows():
    cap = CapWindow("cap", frozenset({"bus", "shuttle", "metro"}), 3600, 5000)
    p = FarePolicy("p", FARES, windows=(cap,))
    legs = [Leg("bus", 0), Leg("shuttle", 600), Leg("metro", 1200)]
    assert charges(p, legs) == [(3500, "cap:own"), (0, "shuttle:no_fare"), (1500, "cap:remainder")]
    assert price_card(p, legs)[1].outcome is Outcome.NO_FARE
    # a first-fare window is opened by the first priced leg, not by the shuttle
    p = FarePolicy("p", FARES, windows=(FirstFareWindow("ff", frozenset({"bus", "shuttle"}), 3600),))
    assert charges(p, [Leg("shuttle", 0), Leg("bus", 600), Leg("bus", 1200)]) == [
        (0, "shuttle:no_fare"), (3500, "ff:first"), (0, "ff:free")]


def test_an_integrated_window_does_not_count_its_distance():
    p = FarePolicy("p", FARES, windows=(IntegratedWindow("jl", frozenset({"bus", "shuttle", "metro"}), 3600,
                                                         2500, 250, 10_000, min_operators=2),))
    # bus 4 km + metro 6 km: 2,500 + 250 × 10 = 5,000; the shuttle's 8 km is not in it
    legs = [Leg("bus", 0, 4000), Leg("shuttle", 600, 8000), Leg("metro", 1200, 6000)]
    fares = [c.amount for c in price_card(p, legs)]
    assert fares[1] == 0 and fares[0] + fares[2] == 5000


def test_a_route_without_a_fare_product():
    # the bus operator's loop route has no fare rule; its other routes pay 3,500
    p = FarePolicy("p", FARES, route_standalone={"loop": NoFare("loop")})
    assert charges(p, [Leg("bus", 0, route="loop"), Leg("bus", 600, route="main")]) == [
        (0, "loop:no_fare"), (3500, "bus:flat")]


def test_precedence_with_categories_and_passes():
    p = FarePolicy("p", FARES, categories=(CategoryFree("free", "free", frozenset({"shuttle"})),
                                           CategoryFixed("kid", "kid", frozenset({"shuttle", "bus"}), 1000),
                                           CategoryDiscount("half", "half", frozenset({"shuttle"}), 50)),
                   passes={"day": FarePass("day", frozenset({"shuttle", "bus"}), 9000)})
    assert charges(p, [Leg("shuttle", 0, category="free")]) == [(0, "free")]  # the exemption comes first
    # a fixed or discounted category fare does not give a leg without a product a price
    assert charges(p, [Leg("shuttle", 0, category="kid")]) == [(0, "shuttle:no_fare")]
    assert charges(p, [Leg("shuttle", 0, category="half")]) == [(0, "shuttle:no_fare")]
    assert charges(p, [Leg("bus", 0, category="kid")]) == [(1000, "bus:flat+kid")]
    # a pass is not bought on a leg without a fare product: the bus leg buys it
    assert charges(p, [Leg("shuttle", 0, media="day"), Leg("bus", 600, media="day")]) == [
        (0, "shuttle:no_fare"), (9000, "day:purchase")]


POLICIES = [
    FarePolicy("cap", {**FARES},
               categories=(CategoryFixed("kid", "kid", frozenset({"shuttle", "bus"}), 1000),),
               windows=(CapWindow("cap", frozenset({"bus", "shuttle", "metro"}), 3600, 5000),),
               route_standalone={"loop": NoFare("loop")}),
    FarePolicy("int", {**FARES},
               windows=(IntegratedWindow("jl", frozenset({"bus", "shuttle", "metro"}), 3600, 2500, 250,
                                         9000),),
               route_standalone={"loop": NoFare("loop")}),
]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(POLICIES),
       st.lists(st.tuples(st.integers(0, 2), st.sampled_from(["bus", "shuttle", "metro"]),
                          st.integers(0, 9000), st.integers(0, 15_000), st.sampled_from(["", "loop"]),
                          st.sampled_from(["adult", "kid"])), min_size=1, max_size=12))
def test_both_engines_agree(policy, rows):
    assert backend_for(policy) == "vector"
    legs = [Leg(op, t, m, cat, route=route or None) for _, op, t, m, route, cat in rows]
    cards = [c for c, *_ in rows]
    table = as_arrays(legs, cards)
    v, c = (price(policy, table, log=True, backend=b) for b in ("vector", "card"))
    assert v.fare.tolist() == c.fare.tolist()
    assert v.rule_names().tolist() == c.rule_names().tolist()
    assert v.window.tolist() == c.window.tolist() and v.provisional.tolist() == c.provisional.tolist()
    for k in set(cards):
        mine = sorted((leg for leg, card in zip(legs, cards) if card == k), key=lambda x: x.board_time)
        _, _, settled = tap_all(policy, mine)
        assert settled == price_card(policy, mine)
    no_fare = v.outcome() == Outcome.NO_FARE
    assert (v.fare[no_fare] == 0).all() and (v.window[no_fare] == -1).all()


def test_explain_says_there_is_no_fare_product():
    lines = explain(FarePolicy("p", FARES), [Leg("shuttle", 0)])
    assert "[shuttle:no_fare] no fare product: the policy does not price this leg" in lines[0]


# --- the scenario file, replay and GTFS ------------------------------------------------------
def _shuttle_metro(doc):
    doc["fares"]["standalone"]["metro"] = {"kind": "none"}


def test_a_scenario_with_an_unpriced_operator_runs(write_scenario):
    res = otrip_sim.run(write_scenario(_shuttle_metro), seed=2, demand_scale=0.3)
    metro = res.legs[res.legs["operator"] == "metro"]
    assert len(metro) > 0 and (metro["fare"] == 0).all()
    assert set(metro["rule"]) == {"metro:no_fare"} and (metro["window"] == -1).all()


def test_replay_counts_legs_without_a_fare_product(write_scenario, tmp_path):
    path = write_scenario(_shuttle_metro)
    taps = tmp_path / "taps.csv"
    taps.write_text("rider,operator,board_time,distance_km\n"
                    "a,bus,08:00:00,3\na,metro,08:20:00,9\nb,metro,09:00:00,9\n")
    r = replay(path, taps)
    assert r.priced["fare"].tolist() == [3500, 0, 0]
    assert r.priced["rule"].tolist()[1:] == ["metro:no_fare"] * 2
    assert r.totals()["no_fare"] == 2
    result = CliRunner().invoke(main, ["fares", str(path), "--journeys", str(taps), "--out",
                                       str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "no fare: 2" in result.output


def test_gtfs_no_leg_rule_is_no_fare_product_both_ways(write_scenario, tmp_path):
    out = tmp_path / "gtfs"
    export_fares(load_scenario(write_scenario(_shuttle_metro)), out)
    rules = pd.read_csv(out / "fare_leg_rules.txt")
    assert "metro" not in set(rules["network_id"])  # GTFS says "no fare" by having no leg rule
    back = import_fares(out)
    assert back.fares["standalone"]["metro"] == {"kind": "none"}
    assert any("network metro: no leg rule" in n for n in back.notes)


@pytest.mark.parametrize("kind", ["none"])
def test_the_kind_is_strict(write_scenario, kind):
    from otrip_sim import InputError

    def edit(doc):
        doc["fares"]["standalone"]["metro"] = {"kind": kind, "amount": 0}

    with pytest.raises(InputError, match=r"fares\.standalone\.metro\.amount"):
        load_scenario(write_scenario(edit))
