"""An origin–destination fare over a chain of legs (``od_chain``, GTFS ``fare_leg_join_rules``):
consecutive legs priced as one, from the first boarding to the last alighting.

The fares are those of OpenTripPlanner's fare-components test feed
(``../shared/data/otp-farecomponents``: stops A–G, each its own zone; A→B, B→C, C→D, B→D and E→G
cost USD 10 each, B→D and E→G allowing a transfer), written as our own journeys in US cents.
"""

from __future__ import annotations

import pytest
from builders import assert_engines_agree, tap_all
from hypothesis import given, settings
from hypothesis import strategies as st

import otrip_sim
from otrip_sim import InputError, load_scenario
from otrip_sim.fares import (
    CategoryFree,
    FarePolicy,
    FlatFare,
    Leg,
    OdChainWindow,
    Outcome,
    ZoneFare,
    backend_for,
    price,
    price_card,
)
from otrip_sim.fares.vector import as_arrays
from otrip_sim.replay import explain

M = 60
STOPS = "ABCDEFG"
OD = ZoneFare("od", {s: s for s in STOPS},
              {("A", "B"): 1000, ("B", "C"): 1000, ("C", "D"): 1000, ("B", "D"): 1000, ("E", "G"): 1000},
              1000)
OWN = {"bus": FlatFare("bus", 1000), "tram": FlatFare("tram", 1000), "taxi": FlatFare("taxi", 3000)}
FC = FarePolicy("fc", OWN,
                windows=(OdChainWindow("od", frozenset({"bus", "tram"}), 90 * M, OD),))


def ride(op: str, a: str, b: str, minute: int, metres: int = 0, **kw) -> Leg:
    return Leg(op, minute * M, metres, board_stop=a, alight_stop=b, alight_time=minute * M + 10 * M, **kw)


def total(policy, legs):
    return sum(c.amount for c in price_card(policy, legs))


def test_otp_fare_components():
    # B -> C -> D: one B -> D fare
    assert total(FC, [ride("bus", "B", "C", 0), ride("tram", "C", "D", 15)]) == 1000
    # A -> B -> C -> D: A -> C has no fare, so a new chain starts at B: A -> B plus B -> D
    legs = [ride("bus", "A", "B", 0), ride("bus", "B", "C", 15), ride("tram", "C", "D", 30)]
    charges = price_card(FC, legs)
    assert [c.amount for c in charges] == [1000, 500, 500]
    assert [c.rule for c in charges] == ["bus:flat", "od:od", "od:od"]
    # A -> B -> C: no A -> C fare: two fares
    assert total(FC, [ride("bus", "A", "B", 0), ride("bus", "B", "C", 15)]) == 2000
    # E -> F -> G: E -> F alone is a USD 10 bus ride, the chain is one E -> G fare
    assert total(FC, [ride("bus", "E", "F", 0), ride("bus", "F", "G", 15)]) == 1000


def test_the_chain_is_settled_by_the_legs_own_fares():
    p = FarePolicy("p", {"bus": FlatFare("bus", 300), "tram": FlatFare("tram", 900)},
                   windows=(OdChainWindow("od", frozenset({"bus", "tram"}), 90 * M, OD),))
    legs = [ride("bus", "B", "C", 0), ride("tram", "C", "D", 15)]
    card, provisional, settled = tap_all(p, legs)
    # the B -> D fare, 1,000, shared 300 : 900 -> 250 / 750; the tram tap took 1,000 - 300 = 700
    assert [c.amount for c in provisional] == [300, 700]
    assert [c.amount for c in settled] == [250, 750]
    assert [(t.leg, t.kind, t.amount) for t in card.transactions] == [
        (0, "tap", 300), (1, "tap", 700), (0, "adjustment", -50), (1, "adjustment", 50)]
    assert settled[0].outcome is Outcome.OD_CHAIN


def test_time_limit_joins_stops_and_length():
    joins = {("bus", "tram"): frozenset({"C"}), ("bus", "bus"): None}
    chain = OdChainWindow("od", frozenset({"bus", "tram"}), 30 * M, OD, joins, max_legs=2)
    p = FarePolicy("p", FC.standalone, windows=(chain,))
    assert total(p, [ride("bus", "B", "C", 0), ride("tram", "C", "D", 30)]) == 1000  # 30 min: still joins
    assert total(p, [ride("bus", "B", "C", 0), ride("tram", "C", "D", 31)]) == 2000
    # the change to the tram must be at C; tram -> bus is not a join at all
    assert total(p, [ride("bus", "B", "C", 0), ride("tram", "D", "D", 10)]) == 2000
    assert total(p, [ride("tram", "B", "C", 0), ride("bus", "C", "D", 10)]) == 2000
    # at most two legs: a third starts a new chain
    legs = [ride("bus", "A", "B", 0), ride("bus", "B", "C", 5), ride("bus", "C", "D", 10)]
    assert [c.amount for c in price_card(FC, legs)] == [1000, 500, 500]  # no limit: B -> D joins
    assert total(p, [ride("bus", "B", "C", 0), ride("bus", "C", "D", 5), ride("bus", "D", "D", 10)]) == 2000


def test_precedence_other_operators_exemptions_and_unpriced_chains():
    p = FarePolicy("p", FC.standalone, categories=(CategoryFree("free", "free", frozenset({"bus"})),),
                   windows=FC.windows)
    # a taxi in between neither joins nor ends the chain
    assert total(p, [ride("bus", "B", "C", 0), ride("taxi", "C", "C", 5), ride("tram", "C", "D", 15)]) == 4000
    # an exempt leg is invisible: the free rider's tram leg is a chain of its own (its own fare)
    assert [c.amount for c in price_card(p, [ride("bus", "B", "C", 0, category="free"),
                                            ride("tram", "C", "D", 15, category="free")])] == [0, 1000]
    # a leg without stops cannot be priced from end to end: it starts its own chain
    assert total(p, [ride("bus", "B", "C", 0), Leg("tram", 15 * M)]) == 2000


def test_a_paid_area_change_that_leaves_the_table_falls_back_to_own_fares():
    # B -> C then tram C -> D joined; a change in the tram's paid area ends the ride at E: B -> E has
    # no fare, so the legs pay their own fares (the chain was decided at the tap, C -> D)
    legs = [ride("bus", "B", "C", 0), ride("tram", "C", "D", 15), Leg("tram", 20 * M, 0, alight_stop="E",
                                                                        tapped=False)]
    assert [c.amount for c in price_card(FC, legs)] == [1000, 1000, 0]
    _, _, settled = tap_all(FC, legs)
    assert [c.amount for c in settled] == [1000, 1000, 0]


def test_od_chains_are_priced_by_both_engines_behind_the_one_interface():
    assert backend_for(FC) == "vector"
    legs = [ride("bus", "B", "C", 0), ride("tram", "C", "D", 15)]
    for backend in ("vector", "card"):
        got = price(FC, as_arrays(legs, [0, 0]), log=True, backend=backend)
        assert got.fare.tolist() == [500, 500] and got.window.tolist() == [0, 0]
        assert got.provisional.tolist() == [1000, 0]


JOINED = FarePolicy(
    "p", {"bus": FlatFare("bus", 700), "tram": FlatFare("tram", 1100), "taxi": FlatFare("taxi", 3000)},
    categories=(CategoryFree("free", "free", frozenset({"bus"})),),
    windows=(OdChainWindow("od", frozenset({"bus", "tram"}), 45 * M, OD,
                           {("bus", "tram"): frozenset("BCD"), ("tram", "bus"): None, ("bus", "bus"): None,
                            ("tram", "tram"): None}, max_legs=3),),
)
FREE_JOINS = FarePolicy("q", JOINED.standalone,
                        windows=(OdChainWindow("od", frozenset({"bus", "tram"}), 45 * M, OD),))


@st.composite
def cards(draw):
    out = []
    for _ in range(draw(st.integers(1, 4))):
        t, legs = 6 * 3600, []
        category = draw(st.sampled_from(["adult", "adult", "free"]))
        for _ in range(draw(st.integers(1, 7))):
            t += draw(st.sampled_from([0, 1, 5, 20, 44, 45, 46])) * M
            a, b = draw(st.sampled_from(STOPS)), draw(st.sampled_from(STOPS))
            op = draw(st.sampled_from(["bus", "tram", "taxi"]))
            if legs and legs[-1].tapped and legs[-1].operator == "tram" and draw(st.booleans()):
                legs.append(Leg("tram", t, 0, category, board_stop=a, alight_stop=b, tapped=False))
                continue
            legs.append(Leg(op, t, 0, category, board_stop=a, alight_stop=b, alight_time=t + 10 * M))
        out.append(legs)
    return out


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([JOINED, FREE_JOINS]), cards())
def test_both_engines_tap_by_tap_and_whole_card_agree(p, by_card):
    assert_engines_agree(p, by_card)

def test_explain_shows_the_chain():
    lines = explain(FC, [ride("bus", "B", "C", 0), ride("tram", "C", "D", 15)], currency="USD")
    assert "[bus:flat]" in lines[0] and "in window 'od', priced as a whole when it closes" in lines[0]
    assert "charged $ 0.00  [od:od] one origin-destination fare from the chain's first boarding" in lines[2]
    assert "leg 1 bus: $ 5.00 [od:od] (tap charged $ 10.00, adjustment -$ 5.00)" in "\n".join(lines)
    assert lines[-1] == "total $ 10.00"


# --- the scenario file ---------------------------------------------------------------------------
def _chain(doc, **extra):
    doc["fares"]["windows"] = [{
        "kind": "od_chain", "id": "od", "operators": ["bus", "metro"], "duration": "120min",
        "fare": {"kind": "zones", "zones": [{"stop_id": s, "zone": z} for s, z in
                                            [("hill", "h"), ("market", "m"), ("park", "m"), ("port", "p"),
                                             ("m_market", "m"), ("m_port", "p")]],
                 "fares": [{"from_zone": "h", "to_zone": "p", "amount": 5000},
                           {"from_zone": "h", "to_zone": "m", "amount": 3000},
                           {"from_zone": "m", "to_zone": "p", "amount": 4000}]},
        **extra,
    }]
    doc["fares"]["categories"] = []


def test_a_scenario_with_an_od_chain_runs(write_scenario):
    res = otrip_sim.run(write_scenario(_chain), seed=2, demand_scale=0.3)
    legs = res.legs
    chained = legs[legs["rule"] == "od:od"]
    assert len(chained) > 0
    # Hill -> Port by bus and metro: one h -> p fare of 5,000 per chain
    per_window = chained.groupby(["person", "window"])["fare"].sum()  # windows are on the person's card
    assert set(per_window) <= {3000, 4000, 5000}


@pytest.mark.parametrize("extra, where", [
    ({"fare": {"kind": "flat", "amount": 1}},
     r"fares\.windows\[0\]: fare: an OD chain is priced between stops"),
    ({"joins": [{"from": ["bus"], "to": ["tram"]}]},
     r"joins\[0\]\.to\[0\]: 'tram' is not one of the rule's operators"),
    ({"joins": [{"from": ["bus"], "to": ["metro"], "at": ["nowhere"]}]},
     r"fares\.windows\[0\]\.joins\[0\]\.at\[0\]: unknown stop"),
    ({"max_legs": 1}, r"fares\.windows\[0\]\.max_legs"),
])
def test_od_chain_validation_is_located(write_scenario, extra, where):
    with pytest.raises(InputError, match=where):
        load_scenario(write_scenario(lambda d: _chain(d, **extra)))
